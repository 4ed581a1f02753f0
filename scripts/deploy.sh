#!/usr/bin/env bash
# Installs or upgrades gracekeeper in the current kubectl context (`make deploy`):
#   default          certificates from scripts/certs.sh (made or renewed as needed), the Secret
#                    gracekeeper-tls created from them, the CA filled into the webhook's caBundle
#   --cert-manager   deploy/overlays/cert-manager: cert-manager issues and injects the certificates
# Both apply deploy/ through a kustomize overlay generated in a temporary directory (which holds a
# copy of the private key for a moment and is removed on exit), with the image set to $IMG, and
# then wait for the rollout.
#
# Usage: scripts/deploy.sh [--cert-manager] [--render] [--no-wait] [--help]
#   --render    print the manifests that would be applied, apply nothing (no cluster needed)
#   --no-wait   do not wait for the Deployment to become available
# Environment: IMG (image, default: the one in deploy/base/kustomization.yaml), KUBECTL (kubectl),
#   CERTS_DIR (certs/), ROLLOUT_TIMEOUT (180s); NAMESPACE etc. as scripts/certs.sh.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kubectl=${KUBECTL:-kubectl}
certs_dir=${CERTS_DIR:-$root/certs}
img=${IMG:-}
cert_manager=false
render=false
wait=true

for arg in "$@"; do
  case $arg in
    --cert-manager) cert_manager=true ;;
    --render) render=true ;;
    --no-wait) wait=false ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "deploy: unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

command -v "$kubectl" >/dev/null || { echo "deploy: '$kubectl' not found; install kubectl or set KUBECTL" >&2; exit 127; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gracekeeper-deploy.XXXXXX")
chmod 700 "$work"
trap 'rm -rf "$work"' EXIT
# kustomize takes only relative paths to other kustomizations.
rel=$(node -e 'console.log(require("node:path").relative(process.argv[1], process.argv[2]))' "$work" "$root/deploy")

# IMG = name[:tag] or name@digest; the tag separator is the last ':' after the last '/'.
images=""
if [[ -n $img ]]; then
  if [[ $img == *@* ]]; then
    images=$(printf 'images:\n  - name: gracekeeper\n    newName: %s\n    digest: %s\n' "${img%%@*}" "${img#*@}")
  elif [[ ${img##*/} == *:* ]]; then
    images=$(printf 'images:\n  - name: gracekeeper\n    newName: %s\n    newTag: %s\n' "${img%:*}" "${img##*:}")
  else
    images=$(printf 'images:\n  - name: gracekeeper\n    newName: %s\n' "$img")
  fi
fi

if $cert_manager; then
  if ! $render && ! "$kubectl" get crd certificates.cert-manager.io >/dev/null 2>&1; then
    echo "deploy: cert-manager is not installed (no CRD certificates.cert-manager.io);" \
      "install it first, or run without --cert-manager" >&2
    exit 1
  fi
  cat >"$work/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $rel/overlays/cert-manager
$images
YAML
else
  if $render; then
    CERTS_DIR=$certs_dir bash "$root/scripts/certs.sh" >&2
  else
    CERTS_DIR=$certs_dir bash "$root/scripts/certs.sh"
  fi
  cp "$certs_dir/tls.crt" "$certs_dir/tls.key" "$certs_dir/ca.crt" "$work/"
  ca_bundle=$(base64 <"$certs_dir/ca.crt" | tr -d '\n')
  cat >"$work/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $rel/base
secretGenerator:
  - name: gracekeeper-tls
    namespace: gracekeeper
    type: kubernetes.io/tls
    files: [tls.crt, tls.key, ca.crt]
    options:
      disableNameSuffixHash: true
      labels:
        app.kubernetes.io/name: gracekeeper
        app.kubernetes.io/part-of: gracekeeper
patches:
  - target:
      group: admissionregistration.k8s.io
      kind: MutatingWebhookConfiguration
      name: gracekeeper
    patch: |-
      - op: add
        path: /webhooks/0/clientConfig/caBundle
        value: $ca_bundle
$images
YAML
fi

if $render; then
  "$kubectl" kustomize "$work"
  exit 0
fi

echo "deploy: applying to context $("$kubectl" config current-context 2>/dev/null || echo '(none)')"
"$kubectl" apply -k "$work"
if $wait; then
  "$kubectl" -n gracekeeper rollout status deployment/gracekeeper --timeout="${ROLLOUT_TIMEOUT:-180s}"
fi
echo "deploy: done. Opt a namespace in with: kubectl label namespace NAME gracekeeper.io/inject=enabled"
