#!/usr/bin/env bash
# Builds Kyverno's admission controller (cmd/kyverno) for `make bench-peers`, from the release
# pinned in bench/peers/kyverno/go.mod, into a cache outside the repository:
#   ${GRACEKEEPER_CACHE:-$HOME/.cache/gracekeeper}/kyverno-<version>/kyverno
# and copies the release's CRDs (config/crds of the module) beside it, in crds/.
# Only the first run pays for the build (see docs/peers.md for how long it took here); later
# runs find the binary and do nothing. The binary is built under a temporary name and renamed
# into place, so an interrupted build never leaves a truncated binary behind.
#
# Usage: bench/peers/build-kyverno.sh [--print-dir] [--help]
#   --print-dir  print KYVERNO_DIR=... and exit (builds nothing)
# Environment: GRACEKEEPER_CACHE (cache root), GO (go command, default: go),
#   BUILD_PARALLEL (go build -p, default: nproc).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache_name=build-kyverno
# shellcheck source-path=SCRIPTDIR source=../../scripts/lib/cache.sh
source "$here/../../scripts/lib/cache.sh"
go_cmd=${GO:-go}
moddir=$here/kyverno

version=$(awk '$1 == "require" && $2 == "github.com/kyverno/kyverno" { print $3 }' "$moddir/go.mod")
[[ -n $version ]] || cache_fail 1 "cannot read the version from $moddir/go.mod"
out_dir=$cache_root/kyverno-$version

for arg in "$@"; do
  case $arg in
    --print-dir) printf 'KYVERNO_DIR=%s\n' "$out_dir"; exit 0 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-kyverno: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

if [[ -x $out_dir/kyverno && -f $out_dir/crds/.complete ]]; then
  cache_say "up to date: $out_dir"
  exit 0
fi

cache_require "$go_cmd" "Go toolchain '$go_cmd' not found"
mkdir -p "$out_dir"
cache_lock "$out_dir/.build.lock"
if [[ -x $out_dir/kyverno && -f $out_dir/crds/.complete ]]; then
  cache_say "built meanwhile: $out_dir"
  exit 0
fi

start=$SECONDS
tmp=$out_dir/.kyverno.tmp.$$ crds_tmp=$out_dir/.crds.tmp.$$
cache_temp "$tmp"
cache_temp "$crds_tmp"
trap 'exit 130' INT TERM

# The module source (for its CRDs); `go mod download` is a no-op when it is already cached.
src=$(cd "$moddir" && "$go_cmd" mod download -json "github.com/kyverno/kyverno@$version" |
  awk -F'"' '$2 == "Dir" { print $4 }')
[[ -d $src/config/crds ]] || cache_fail 1 "no config/crds in $src"
if [[ ! -f $out_dir/crds/.complete ]]; then
  rm -rf "$out_dir/crds"
  cp -r "$src/config/crds" "$crds_tmp"
  chmod -R u+w "$crds_tmp"
  touch "$crds_tmp/.complete"
  cache_publish "$crds_tmp" "$out_dir/crds"
fi

# As Kyverno's Makefile builds it: CGO off, its version stamped into pkg/version.
go_build() {
  cd "$moddir" && CGO_ENABLED=0 exec "$go_cmd" build -p "${BUILD_PARALLEL:-$(nproc 2>/dev/null || echo 2)}" -trimpath \
    -ldflags "-s -w -X github.com/kyverno/kyverno/pkg/version.BuildVersion=$version" \
    -o "$tmp" github.com/kyverno/kyverno/cmd/kyverno
}
if [[ ! -x $out_dir/kyverno ]]; then
  cache_say "building github.com/kyverno/kyverno/cmd/kyverno $version (long when cold)"
  cache_background --tick 60 "$start" "still building" go_build || cache_fail 1 "go build failed after $((SECONDS - start))s"
  cache_publish "$tmp" "$out_dir/kyverno"
fi
cache_say "done in $((SECONDS - start))s -> $out_dir"
