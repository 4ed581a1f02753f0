# shellcheck shell=bash
# The shape the build scripts share (test/e2e/build-k8s.sh, test/tools/build.sh,
# bench/peers/build-kyverno.sh, scripts/ensure-node.sh): a version-keyed cache outside the
# repository, a lock so that concurrent callers build once, the work done under a temporary name,
# and an atomic rename into place, so an interrupted build never leaves half a result behind.
# Sourced, not run. The caller sets `cache_name` (the prefix of its messages) first, and
# `cache_out=2` when its standard output is reserved for a result.
#
#   cache_root            ${GRACEKEEPER_CACHE:-$HOME/.cache/gracekeeper}
#   cache_say TEXT        "<cache_name>: TEXT" on the progress stream
#   cache_fail CODE TEXT  "<cache_name>: TEXT" on standard error, and exit CODE
#   cache_require CMD TEXT                 cache_fail 127 TEXT unless CMD is found
#   cache_lock FILE [WHAT]                 hold FILE's lock (fd 9) until exit, saying so when waiting
#   cache_temp PATH                        PATH is removed at exit unless renamed into place
#   cache_background [--tick EVERY START TEXT] CMD...   run CMD in the background, wait, return its status
#   cache_publish TEMP FINAL               rename TEMP to FINAL, a file or a directory, atomically
# Sourcing it sets the EXIT trap (stop what runs in the background, remove the temporary paths);
# a script that builds in the background also sets `trap 'exit 130' INT TERM` once it holds the lock.

# shellcheck disable=SC2034 # read by the scripts that source this
cache_root=${GRACEKEEPER_CACHE:-${HOME:-/root}/.cache/gracekeeper}
cache_name=${cache_name:-build}
cache_out=${cache_out:-1}
cache_jobs=()
cache_temps=()

cache_say() {
  echo "$cache_name: $*" >&"$cache_out"
}

cache_fail() {
  local code=$1
  shift
  echo "$cache_name: $*" >&2
  exit "$code"
}

cache_require() {
  command -v "$1" >/dev/null || cache_fail 127 "$2"
}

# Two concurrent callers (say, two test processes) would build the same thing twice and fight
# over the temporary files: they serialise on a lock file in the cache, held on fd 9 until exit.
cache_lock() {
  exec 9>"$1"
  if ! flock -n 9; then
    cache_say "another ${2:-build} holds $1; waiting for it"
    flock 9
  fi
}

cache_temp() {
  cache_temps+=("$1")
}

# In the background and waited for, so that a signal interrupts the wait at once (bash runs traps
# only between foreground commands) and the EXIT trap stops it; without the lock's fd, so that a
# process left behind cannot hold the lock. With --tick, a line every EVERY seconds meanwhile
# ("TEXT, <seconds since START>s"), for builds that take minutes.
cache_background() {
  local ticker='' pid status=0
  if [[ $1 == --tick ]]; then
    local every=$2 start=$3 text=$4
    shift 4
    (
      exec 9>&-
      while sleep "$every"; do cache_say "$text, $((SECONDS - start))s"; done
    ) 2>/dev/null &
    ticker=$!
    cache_jobs+=("$ticker")
  fi
  "$@" 9>&- &
  pid=$!
  cache_jobs+=("$pid")
  wait "$pid" || status=$?
  [[ -z $ticker ]] || cache_stop "$ticker"
  cache_jobs=()
  return "$status"
}

cache_publish() {
  mv -f -T "$1" "$2"
}

# A process and its direct children (go build's compilers, a ticker's sleep), reaped, so that bash
# does not print "Terminated".
cache_stop() {
  pkill -TERM -P "$1" 2>/dev/null || true
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# Stops what still runs in the background and removes what was not renamed into place.
cache_cleanup() {
  local pid path
  for pid in "${cache_jobs[@]}"; do cache_stop "$pid"; done
  for path in "${cache_temps[@]}"; do rm -rf "$path"; done
  cache_jobs=()
  cache_temps=()
}

trap cache_cleanup EXIT
