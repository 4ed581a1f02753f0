#!/usr/bin/env bash
# Builds the Kubernetes and etcd binaries that the e2e suite runs, for one supported release
# (K8S_RELEASE: 1.35, 1.36 or 1.37, default 1.37), from the versions pinned in
# test/e2e/k8s/<release>/go.mod and test/e2e/etcd/<release>/go.mod (the etcd that release's own
# hack/lib/etcd.sh tests against), into a cache outside the repository:
#   ${GRACEKEEPER_CACHE:-$HOME/.cache/gracekeeper}/k8s-<version>/   kube-apiserver, kubectl, ...
#   ${GRACEKEEPER_CACHE:-$HOME/.cache/gracekeeper}/etcd-<version>/  etcd
# Only the first run pays for the build (about 4 minutes cold on 2 cores, plus 20 s for --all); later runs skip
# every binary that is already there. Each binary is built under a temporary name and renamed
# into place, so an interrupted build never leaves a truncated binary behind.
#
# Usage: test/e2e/build-k8s.sh [--all] [--print-dirs] [--help]
#   (default)     etcd, kube-apiserver, kube-controller-manager, kubectl
#   --all         also kube-scheduler, kubelet, kube-proxy
#   --print-dirs  print K8S_BIN_DIR=... and ETCD_BIN_DIR=... and exit (builds nothing)
# Environment: K8S_RELEASE (1.35 | 1.36 | 1.37, default 1.37), GRACEKEEPER_CACHE (cache root), GO (go command, default: go),
#   BUILD_PARALLEL (go build -p, default: nproc).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache_name=build-k8s
# shellcheck source-path=SCRIPTDIR source=../../scripts/lib/cache.sh
source "$here/../../scripts/lib/cache.sh"
go_cmd=${GO:-go}

# The versions come from the go.mod files, so bumping a release is a one-line change there.
release=${K8S_RELEASE:-1.37}
k8s_mod=$here/k8s/$release etcd_mod=$here/etcd/$release
[[ -f $k8s_mod/go.mod && -f $etcd_mod/go.mod ]] || {
  echo "build-k8s: unknown K8S_RELEASE '$release'; supported: $(cd "$here/k8s" && echo */ | tr -d /)" >&2; exit 2; }
k8s_version=$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" { print $3 }' "$k8s_mod/go.mod")
etcd_version=$(awk '$1 == "require" && $2 == "go.etcd.io/etcd/server/v3" { print $3 }' "$etcd_mod/go.mod")
[[ -n $k8s_version && -n $etcd_version ]] || cache_fail 1 "cannot read versions from go.mod"
k8s_dir=$cache_root/k8s-$k8s_version
etcd_dir=$cache_root/etcd-$etcd_version

want=(kube-apiserver kube-controller-manager kubectl)
for arg in "$@"; do
  case $arg in
    --all) want+=(kube-scheduler kubelet kube-proxy) ;;
    --print-dirs) printf 'K8S_BIN_DIR=%s\nETCD_BIN_DIR=%s\n' "$k8s_dir" "$etcd_dir"; exit 0 ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-k8s: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

missing=()
[[ -x $etcd_dir/etcd ]] || missing+=(etcd)
for b in "${want[@]}"; do [[ -x $k8s_dir/$b ]] || missing+=("$b"); done
if [[ ${#missing[@]} -eq 0 ]]; then
  cache_say "up to date: $k8s_dir, $etcd_dir"
  exit 0
fi

cache_require "$go_cmd" "Go toolchain '$go_cmd' not found; cannot build ${missing[*]}"
mkdir -p "$k8s_dir" "$etcd_dir"
# One lock in the cache root for every binary (build_one skips those built meanwhile).
cache_lock "$cache_root/.build.lock"

# Version stamp, as Kubernetes' hack/lib/version.sh does: the same variables in client-go and
# component-base, so `kubectl version` and the API server's /version report the real release.
major=${k8s_version#v}; major=${major%%.*}
minor=${k8s_version#v*.}; minor=${minor%%.*}
build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
k8s_ldflags="-s -w"
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  k8s_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done
etcd_ldflags="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$etcd_version"

# 2 cores: one go build at a time, itself compiling -p packages in parallel. The tags are the
# ones Kubernetes' release build uses (hack/lib/golang.sh).
parallel=${BUILD_PARALLEL:-$(nproc 2>/dev/null || echo 2)}
export CGO_ENABLED=0

total_start=$SECONDS
trap 'exit 130' INT TERM
go_build() { # moduledir pkg out ldflags tags
  cd "$1" && exec "$go_cmd" build -p "$parallel" -trimpath ${5:+-tags "$5"} -ldflags "$4" -o "$3" "$2"
}
build_one() { # name moduledir pkg outdir ldflags [tags]
  local name=$1 moddir=$2 pkg=$3 outdir=$4 ldflags=$5 tags=${6:-}
  local out=$outdir/$name start=$SECONDS tmp=$outdir/.$name.tmp.$$
  if [[ -x $out ]]; then cache_say "$name: cached"; return 0; fi
  cache_say "$name: building $pkg"
  cache_temp "$tmp"
  cache_background --tick 30 "$start" "$name: still building" go_build "$moddir" "$pkg" "$tmp" "$ldflags" "$tags" ||
    cache_fail 1 "$name: go build failed after $((SECONDS - start))s"
  cache_publish "$tmp" "$out"
  cache_say "$name: done in $((SECONDS - start))s -> $out"
}

for b in "${missing[@]}"; do
  if [[ $b == etcd ]]; then
    build_one etcd "$etcd_mod" go.etcd.io/etcd/server/v3 "$etcd_dir" "$etcd_ldflags"
  else
    build_one "$b" "$k8s_mod" "k8s.io/kubernetes/cmd/$b" "$k8s_dir" "$k8s_ldflags" \
      selinux,notest,grpcnotrace
  fi
done
cache_say "all done in $((SECONDS - total_start))s: $k8s_dir, $etcd_dir"
