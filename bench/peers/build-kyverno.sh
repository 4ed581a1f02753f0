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
cache_root=${GRACEKEEPER_CACHE:-${HOME:-/root}/.cache/gracekeeper}
go_cmd=${GO:-go}
moddir=$here/kyverno

version=$(awk '$1 == "require" && $2 == "github.com/kyverno/kyverno" { print $3 }' "$moddir/go.mod")
[[ -n $version ]] || { echo "build-kyverno: cannot read the version from $moddir/go.mod" >&2; exit 1; }
out_dir=$cache_root/kyverno-$version

for arg in "$@"; do
  case $arg in
    --print-dir) printf 'KYVERNO_DIR=%s\n' "$out_dir"; exit 0 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-kyverno: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

if [[ -x $out_dir/kyverno && -f $out_dir/crds/.complete ]]; then
  echo "build-kyverno: up to date: $out_dir"
  exit 0
fi

command -v "$go_cmd" >/dev/null || { echo "build-kyverno: Go toolchain '$go_cmd' not found" >&2; exit 127; }
mkdir -p "$out_dir"

# Two concurrent callers would build the same thing twice: serialise on a lock in the cache dir.
exec 9>"$out_dir/.build.lock"
if ! flock -n 9; then
  echo "build-kyverno: another build holds $out_dir/.build.lock; waiting for it"
  flock 9
fi
if [[ -x $out_dir/kyverno && -f $out_dir/crds/.complete ]]; then
  echo "build-kyverno: built meanwhile: $out_dir"
  exit 0
fi

start=$SECONDS
tmp=$out_dir/.kyverno.tmp.$$ ticker='' build=''
cleanup() {
  [[ -z $build ]] || { pkill -TERM -P "$build" 2>/dev/null || true; kill -TERM "$build" 2>/dev/null || true; wait "$build" 2>/dev/null || true; }
  [[ -z $ticker ]] || { kill -TERM "$ticker" 2>/dev/null || true; wait "$ticker" 2>/dev/null || true; }
  rm -rf "$tmp" "$out_dir/.crds.tmp.$$"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The module source (for its CRDs); `go mod download` is a no-op when it is already cached.
src=$(cd "$moddir" && "$go_cmd" mod download -json "github.com/kyverno/kyverno@$version" |
  awk -F'"' '$2 == "Dir" { print $4 }')
[[ -d $src/config/crds ]] || { echo "build-kyverno: no config/crds in $src" >&2; exit 1; }
if [[ ! -f $out_dir/crds/.complete ]]; then
  rm -rf "$out_dir/crds"
  cp -r "$src/config/crds" "$out_dir/.crds.tmp.$$"
  chmod -R u+w "$out_dir/.crds.tmp.$$"
  touch "$out_dir/.crds.tmp.$$/.complete"
  mv "$out_dir/.crds.tmp.$$" "$out_dir/crds"
fi

if [[ ! -x $out_dir/kyverno ]]; then
  echo "build-kyverno: building github.com/kyverno/kyverno/cmd/kyverno $version (long when cold)"
  ( exec 9>&-; while sleep 60; do echo "build-kyverno: still building, $((SECONDS - start))s"; done ) 2>/dev/null &
  ticker=$!
  # As Kyverno's Makefile builds it: CGO off, its version stamped into pkg/version.
  (cd "$moddir" && CGO_ENABLED=0 exec "$go_cmd" build -p "${BUILD_PARALLEL:-$(nproc 2>/dev/null || echo 2)}" -trimpath \
    -ldflags "-s -w -X github.com/kyverno/kyverno/pkg/version.BuildVersion=$version" \
    -o "$tmp" github.com/kyverno/kyverno/cmd/kyverno) 9>&- &
  build=$!
  if ! wait "$build"; then
    build=''
    echo "build-kyverno: go build failed after $((SECONDS - start))s" >&2
    exit 1
  fi
  build=''
  mv -f "$tmp" "$out_dir/kyverno"
fi
echo "build-kyverno: done in $((SECONDS - start))s -> $out_dir"
