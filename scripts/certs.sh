#!/usr/bin/env bash
# Makes the webhook's certificates with openssl, for installs without cert-manager (`make certs`):
#   $CERTS_DIR/ca.crt, ca.key     a CA (10 years), the webhook configuration's caBundle
#   $CERTS_DIR/tls.crt, tls.key   the serving certificate (1 year) for the Service, signed by the CA:
#       SANs <svc>, <svc>.<ns>, <svc>.<ns>.svc, <svc>.<ns>.svc.cluster.local
# Keys are ECDSA P-256 and never leave $CERTS_DIR (git ignores everything there but the README).
#
# Idempotent: an existing CA is kept while it is valid for 30 more days; an existing serving
# certificate is kept while it is valid for 30 more days, signed by that CA and for the same
# names. --force makes everything anew (a new CA needs `make deploy` again for the caBundle).
#
# Usage: scripts/certs.sh [--force] [--help]
# Environment: CERTS_DIR (default: certs/ at the repository root), NAMESPACE (gracekeeper),
#   SERVICE (gracekeeper), CLUSTER_DOMAIN (cluster.local), DAYS (365), CA_DAYS (3650), OPENSSL.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${CERTS_DIR:-$root/certs}
ns=${NAMESPACE:-gracekeeper}
svc=${SERVICE:-gracekeeper}
domain=${CLUSTER_DOMAIN:-cluster.local}
days=${DAYS:-365}
ca_days=${CA_DAYS:-3650}
openssl=${OPENSSL:-openssl}
renew_seconds=$((30 * 24 * 3600))
force=false

for arg in "$@"; do
  case $arg in
    --force) force=true ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "certs: unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

command -v "$openssl" >/dev/null || { echo "certs: '$openssl' not found; install openssl" >&2; exit 127; }
mkdir -p "$dir"
umask 077

names=("$svc" "$svc.$ns" "$svc.$ns.svc" "$svc.$ns.svc.$domain")
san=$(printf 'DNS:%s,' "${names[@]}"); san=${san%,}

valid_for_a_while() { "$openssl" x509 -in "$1" -noout -checkend "$renew_seconds" >/dev/null 2>&1; }

ca_fresh=false
if $force || [[ ! -s $dir/ca.crt || ! -s $dir/ca.key ]] || ! valid_for_a_while "$dir/ca.crt"; then
  "$openssl" req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -keyout "$dir/ca.key.tmp" -out "$dir/ca.crt.tmp" -days "$ca_days" -sha256 \
    -subj "/CN=gracekeeper-ca" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
  mv "$dir/ca.key.tmp" "$dir/ca.key"
  mv "$dir/ca.crt.tmp" "$dir/ca.crt"
  ca_fresh=true
  echo "certs: new CA $dir/ca.crt (valid $ca_days days)"
fi

serving_ok() {
  [[ -s $dir/tls.crt && -s $dir/tls.key ]] || return 1
  valid_for_a_while "$dir/tls.crt" || return 1
  "$openssl" verify -CAfile "$dir/ca.crt" "$dir/tls.crt" >/dev/null 2>&1 || return 1
  local have
  have=$("$openssl" x509 -in "$dir/tls.crt" -noout -ext subjectAltName 2>/dev/null | tail -n +2 | tr -d ' ')
  [[ $have == "$san" ]] || return 1
  # The key must belong to the certificate.
  [[ $("$openssl" pkey -in "$dir/tls.key" -pubout 2>/dev/null) == $("$openssl" x509 -in "$dir/tls.crt" -noout -pubkey) ]]
}

if $force || $ca_fresh || ! serving_ok; then
  tmp=$(mktemp -d "$dir/.tmp.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  cat >"$tmp/ext.cnf" <<CNF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $san
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
  "$openssl" req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -keyout "$tmp/tls.key" -out "$tmp/tls.csr" -subj "/CN=$svc.$ns.svc" 2>/dev/null
  "$openssl" x509 -req -in "$tmp/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -CAserial "$tmp/ca.srl" -out "$tmp/tls.crt" -days "$days" -sha256 -extfile "$tmp/ext.cnf" 2>/dev/null
  mv "$tmp/tls.key" "$dir/tls.key"
  mv "$tmp/tls.crt" "$dir/tls.crt"
  echo "certs: new serving certificate $dir/tls.crt for ${names[*]} (valid $days days)"
else
  echo "certs: up to date: $dir/tls.crt ($("$openssl" x509 -in "$dir/tls.crt" -noout -enddate))"
fi
