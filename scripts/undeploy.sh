#!/usr/bin/env bash
# Removes gracekeeper from the current kubectl context (`make undeploy`): the webhook
# configuration first, so the API server stops calling a server that is going away, then
# everything else (the namespace gracekeeper with its Secrets, cert-manager Issuers and
# Certificates, and the cluster-scoped RBAC and PriorityClass).
# Objects already mutated keep what was injected; namespace labels gracekeeper.io/inject stay.
#
# Usage: scripts/undeploy.sh [--help]
# Environment: KUBECTL (kubectl).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kubectl=${KUBECTL:-kubectl}

case ${1:-} in
  -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "undeploy: unknown argument: $1 (see --help)" >&2; exit 2 ;;
esac

command -v "$kubectl" >/dev/null || { echo "undeploy: '$kubectl' not found; install kubectl or set KUBECTL" >&2; exit 127; }

"$kubectl" delete mutatingwebhookconfiguration gracekeeper --ignore-not-found
"$kubectl" delete -k "$root/deploy/base" --ignore-not-found
echo "undeploy: done"
