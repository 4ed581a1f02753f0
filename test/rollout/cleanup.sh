#!/usr/bin/env bash
# Tears down what test/rollout/node.ts set up for one node, whatever state it was left in:
#   1. every process in the node's cgroup subtree (containerd and its shims, the containers, kubelet,
#      kube-proxy, kube-scheduler, the API forwarder) is killed, until none is left;
#   2. the subtree is removed from every cgroup v1 hierarchy (and the unified one);
#   3. the pins of the node's network and mount namespaces are unmounted, which ends both
#      namespaces and every mount made inside them (overlay rootfs, netns files, bind mounts);
#   4. the empty mount points it made (/run/containerd, /var/lib/cni) are removed, unless another
#      node runs, and so is the node's directory (unless KEEP=1).
# Usage: test/rollout/cleanup.sh NODE_DIR CGROUP_NAME
# Safe to run twice, or on a directory that a crashed run left behind.
set -uo pipefail
dir=${1:?usage: cleanup.sh NODE_DIR CGROUP_NAME}
cg=${2:?usage: cleanup.sh NODE_DIR CGROUP_NAME}
[[ $cg == gracekeeper-rollout-* ]] || { echo "cleanup.sh: refusing cgroup name $cg" >&2; exit 2; }

subtrees() { for h in /sys/fs/cgroup/*/; do [[ -d $h$cg ]] && echo "$h$cg"; done; }

for attempt in $(seq 1 50); do
  pids=$(for t in $(subtrees); do find "$t" -name cgroup.procs -exec cat {} + 2>/dev/null; done | sort -un)
  [[ -z $pids ]] && break
  # A frozen-free SIGKILL sweep: shims die with their containers; repeat for late forks.
  kill -KILL $pids 2>/dev/null
  sleep 0.2
done
[[ -n ${pids:-} ]] && echo "cleanup.sh: processes still alive in $cg: $pids" >&2

for t in $(subtrees); do
  # Deepest first.
  find "$t" -depth -type d -exec rmdir {} + 2>/dev/null || find "$t" -depth -type d -exec rmdir {} \; 2>/dev/null
  [[ -d $t ]] && echo "cleanup.sh: could not remove $t" >&2
done

for m in "$dir/ns/mnt" "$dir/ns/net" "$dir/ns"; do
  if grep -q " $m " /proc/self/mountinfo 2>/dev/null; then umount "$m" 2>/dev/null || umount -l "$m"; fi
done
# The empty mount points the node made on the host's filesystem, unless another node still runs.
if [[ -f $dir/created-dirs ]] && ! compgen -G "/sys/fs/cgroup/pids/gracekeeper-rollout-*" >/dev/null; then
  while read -r d; do [[ -n $d ]] && rmdir "$d" 2>/dev/null; done <"$dir/created-dirs"
  rm -f "$dir/created-dirs"
fi
[[ ${KEEP:-0} == 1 ]] || rm -rf "$dir"
exit 0
