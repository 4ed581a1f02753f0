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
cache_root=${GRACEKEEPER_CACHE:-${HOME:-/root}/.cache/gracekeeper}
go_cmd=${GO:-go}

# The versions come from the go.mod files, so bumping a release is a one-line change there.
release=${K8S_RELEASE:-1.37}
k8s_mod=$here/k8s/$release etcd_mod=$here/etcd/$release
[[ -f $k8s_mod/go.mod && -f $etcd_mod/go.mod ]] || {
  echo "build-k8s: unknown K8S_RELEASE '$release'; supported: $(cd "$here/k8s" && echo */ | tr -d /)" >&2; exit 2; }
k8s_version=$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" { print $3 }' "$k8s_mod/go.mod")
etcd_version=$(awk '$1 == "require" && $2 == "go.etcd.io/etcd/server/v3" { print $3 }' "$etcd_mod/go.mod")
[[ -n $k8s_version && -n $etcd_version ]] || { echo "build-k8s: cannot read versions from go.mod" >&2; exit 1; }
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
  echo "build-k8s: up to date: $k8s_dir, $etcd_dir"
  exit 0
fi

command -v "$go_cmd" >/dev/null || { echo "build-k8s: Go toolchain '$go_cmd' not found; cannot build ${missing[*]}" >&2; exit 127; }
mkdir -p "$k8s_dir" "$etcd_dir"

# Two concurrent callers (say, two test processes) would build the same thing twice and fight
# over the temporary files: serialise on a lock in the cache root.
exec 9>"$cache_root/.build.lock"
if ! flock -n 9; then
  echo "build-k8s: another build holds $cache_root/.build.lock; waiting for it"
  flock 9
fi

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
cur_tmp='' cur_ticker='' cur_build=''
stop_proc() { # pid: the process and its direct children (go build's compilers, the ticker's sleep)
  [[ -n $1 ]] || return 0
  pkill -TERM -P "$1" 2>/dev/null || true
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true # reap it, and keep bash from printing "Terminated"
}
cleanup() {
  stop_proc "$cur_build"
  stop_proc "$cur_ticker"
  [[ -z $cur_tmp ]] || rm -f "$cur_tmp"
  cur_tmp='' cur_ticker='' cur_build=''
}
trap cleanup EXIT
trap 'exit 130' INT TERM
build_one() { # name moduledir pkg outdir ldflags [tags]
  local name=$1 moddir=$2 pkg=$3 outdir=$4 ldflags=$5 tags=${6:-}
  local out=$outdir/$name start=$SECONDS
  if [[ -x $out ]]; then echo "build-k8s: $name: cached"; return 0; fi
  echo "build-k8s: $name: building $pkg"
  cur_tmp=$outdir/.$name.tmp.$$
  ( exec 9>&-; while sleep 30; do echo "build-k8s: $name: still building, $((SECONDS - start))s"; done ) 2>/dev/null &
  cur_ticker=$!
  # In the background and waited for, so that a signal interrupts the wait at once (bash runs
  # traps only between foreground commands) and cleanup stops the build.
  (cd "$moddir" && exec "$go_cmd" build -p "$parallel" -trimpath ${tags:+-tags "$tags"} \
    -ldflags "$ldflags" -o "$cur_tmp" "$pkg") 9>&- &
  cur_build=$!
  if ! wait "$cur_build"; then
    cur_build=''
    echo "build-k8s: $name: go build failed after $((SECONDS - start))s" >&2
    exit 1
  fi
  cur_build=''
  mv -f "$cur_tmp" "$out"
  cleanup
  echo "build-k8s: $name: done in $((SECONDS - start))s -> $out"
}

for b in "${missing[@]}"; do
  if [[ $b == etcd ]]; then
    build_one etcd "$etcd_mod" go.etcd.io/etcd/server/v3 "$etcd_dir" "$etcd_ldflags"
  else
    build_one "$b" "$k8s_mod" "k8s.io/kubernetes/cmd/$b" "$k8s_dir" "$k8s_ldflags" \
      selinux,notest,grpcnotrace
  fi
done
echo "build-k8s: all done in $((SECONDS - total_start))s: $k8s_dir, $etcd_dir"
