#!/usr/bin/env bash
# What `make rollout-proof` needs beyond `make build`: root (network namespaces, mounts, cgroups),
# Debian's containerd, runc, CNI plugins, iptables, busybox-static and umoci (installed with
# apt-get when missing, unless GRACEKEEPER_NO_INSTALL=1), and the Kubernetes binaries of
# test/e2e/build-k8s.sh --all (kubelet, kube-proxy, kube-scheduler too).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ $(id -u) == 0 ]] || { echo "rollout-proof: blocked: needs root (network namespaces, mounts, cgroups)" >&2; exit 3; }
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have containerd && have ctr || need+=(containerd)
have runc || need+=(runc)
[[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] || need+=(containernetworking-plugins)
have iptables || need+=(iptables)
have conntrack || need+=(conntrack)
[[ -x /bin/busybox ]] && /bin/busybox --list | grep -qx httpd || need+=(busybox-static)
have umoci || need+=(umoci)
have nsenter && have unshare || need+=(util-linux)
have ip || need+=(iproute2)
have openssl || need+=(openssl)
if (( ${#need[@]} )); then
  if [[ ${GRACEKEEPER_NO_INSTALL:-0} == 1 ]] || ! have apt-get; then
    echo "rollout-proof: missing Debian packages: ${need[*]} (apt-get install ${need[*]})" >&2
    exit 3
  fi
  echo "rollout-proof: installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; }
fi
[[ -d /sys/fs/cgroup/pids && -e /sys/fs/cgroup/pids/cgroup.procs ]] ||
  { echo "rollout-proof: blocked: needs cgroup v1 hierarchies under /sys/fs/cgroup (found: $(ls /sys/fs/cgroup | tr '\n' ' '))" >&2; exit 3; }
bash "$here/../e2e/build-k8s.sh" --all
