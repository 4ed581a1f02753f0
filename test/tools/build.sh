#!/usr/bin/env bash
# Builds a command-line tool that the tests run, from the release pinned in test/tools/<tool>/go.mod
# (fetched through the Go module proxy), into a cache outside the repository:
#   ${GRACEKEEPER_CACHE:-$HOME/.cache/gracekeeper}/helm-<version>/helm           (helm4: helm.sh/helm/v4,
#                                                                                 helm3: helm.sh/helm/v3)
#   ${GRACEKEEPER_CACHE:-$HOME/.cache/gracekeeper}/promtool-<version>/promtool   (Prometheus)
#   ${GRACEKEEPER_CACHE:-$HOME/.cache/gracekeeper}/promtool-<version>/promql-inspect-<source hash>
#     (test/tools/promtool/promql-inspect: Prometheus's PromQL parser, reporting what a query reads)
# Only the first run pays for the build; later runs find the binary and exit. The binary is built
# under a temporary name and renamed into place, so an interrupted build leaves nothing behind;
# concurrent runs serialise on a lock in the cache root.
#
# Usage: test/tools/build.sh <helm4|helm3|helm|promtool|promql-inspect> [--print-path] [--help]
#   helm is helm4, the Helm the chart tests run by default (HELM_MAJOR=3 in the tests selects helm3)
#   --print-path  print the binary's path and exit (builds nothing)
# Environment: GRACEKEEPER_CACHE (cache root), GO (go command, default: go),
#   BUILD_PARALLEL (go build -p, default: nproc).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache_name=tools/build
# shellcheck source-path=SCRIPTDIR source=../../scripts/lib/cache.sh
source "$here/../../scripts/lib/cache.sh"
go_cmd=${GO:-go}

tool=${1:-}
case $tool in
  -h|--help|'') sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; [[ -n $tool ]]; exit $? ;;
  helm) tool=helm4; shift ;;
  helm3|helm4|promtool|promql-inspect) shift ;;
  *) echo "tools/build: unknown tool: $tool (helm4, helm3, helm, promtool or promql-inspect)" >&2; exit 2 ;;
esac
print_path=false
for arg in "$@"; do
  case $arg in
    --print-path) print_path=true ;;
    *) echo "tools/build: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

moddir=$here/${tool/promql-inspect/promtool}
# Package, release version and link flags, as each project's own release build sets them.
case $tool in
  helm3|helm4)
    module=helm.sh/helm/v${tool#helm}
    version=$(awk -v m="$module" '$1 == "require" && $2 == m { print $3 }' "$moddir/go.mod")
    pkg=$module/cmd/helm
    # Helm's Makefile: the version (a release: no "unreleased" metadata).
    ldflags="-s -w -X $module/internal/version.version=$version -X $module/internal/version.metadata="
    ldflags+=" -X $module/internal/version.gitTreeState=clean"
    if [[ $tool == helm3 ]]; then
      # Helm 3's Makefile also sets the Kubernetes version its capabilities default to (the
      # client-go it is built with: v0.N.x is Kubernetes 1.N); Helm 4 reads it from its build info.
      client_go=$(awk '$1 == "k8s.io/client-go" { print $2 }' "$moddir/go.mod")
      k8s_minor=${client_go#v0.}; k8s_minor=${k8s_minor%%.*}
      for p in pkg/lint/rules pkg/chartutil; do
        ldflags+=" -X $module/$p.k8sVersionMajor=1 -X $module/$p.k8sVersionMinor=$k8s_minor"
      done
    fi
    tags=''
    ;;
  promtool|promql-inspect)
    module=github.com/prometheus/prometheus
    modversion=$(awk -v m="$module" '$1 == "require" && $2 == m { print $3 }' "$moddir/go.mod")
    # Prometheus X.Y.Z is published as the module version v0.(X*100+Y).Z.
    minor=${modversion#v0.}; minor=${minor%%.*}; patch=${modversion##*.}
    version=v$((minor / 100)).$((minor % 100)).$patch
    pkg=$module/cmd/promtool
    [[ $tool == promtool ]] || pkg=./promql-inspect
    ldflags="-s -w -X github.com/prometheus/common/version.Version=${version#v}"
    # remove_all_sd: no service-discovery plugins (cloud SDKs), which rule checks never use.
    tags=netgo,remove_all_sd
    ;;
esac
[[ -n $version ]] || cache_fail 1 "cannot read the $tool version from $moddir/go.mod"
base=${tool/promql-inspect/promtool}; base=${base%[34]}
dir=$cache_root/$base-$version
out=$dir/${tool%[34]}
# promql-inspect's source is in this repository: its binary is keyed on that source as well.
if [[ $tool == promql-inspect ]]; then
  out=$dir/$tool-$(cat "$moddir/promql-inspect/main.go" "$moddir/go.sum" | sha256sum | cut -c1-12)
fi

if $print_path; then echo "$out"; exit 0; fi
if [[ -x $out ]]; then cache_say "$tool: up to date: $out"; exit 0; fi

cache_require "$go_cmd" "Go toolchain '$go_cmd' not found; cannot build $tool"
mkdir -p "$dir"
cache_lock "$cache_root/.build-$tool.lock"
if [[ -x $out ]]; then cache_say "$tool: built meanwhile: $out"; exit 0; fi

tmp=$dir/.$tool.tmp.$$
cache_temp "$tmp"
trap 'exit 130' INT TERM
go_build() {
  cd "$moddir" && CGO_ENABLED=0 exec "$go_cmd" build -p "$parallel" -trimpath ${tags:+-tags "$tags"} \
    -ldflags "$ldflags" -o "$tmp" "$pkg"
}

start=$SECONDS
cache_say "$tool $version: building $pkg"
parallel=${BUILD_PARALLEL:-$(nproc 2>/dev/null || echo 2)}
cache_background go_build || cache_fail 1 "$tool: go build failed after $((SECONDS - start))s"
cache_publish "$tmp" "$out"
cache_say "$tool: done in $((SECONDS - start))s -> $out"
