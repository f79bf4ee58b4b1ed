#!/usr/bin/env bash
# Creates the agents' TLS Secret (tls.crt, tls.key, ca.crt) that deploy/manifests/cni-dashboard.yaml
# expects, for installs without Helm's generated one (helm install makes it for you) and without
# cert-manager: a CA and one serving certificate for the agents' fixed DNS name, ECDSA P-256, made
# with openssl in a temp folder. The CA's private key is thrown away: to rotate, run again with --replace.
#
#   deploy/agent-tls-secret.sh [--namespace cni-dashboard] [--days 3650] [--replace] [--dry-run]
#
# --dry-run prints the Secret as YAML instead of creating it. Needs openssl and kubectl.
set -euo pipefail

namespace=cni-dashboard
days=3650
replace=false
dry_run=false
while [ $# -gt 0 ]; do
  case "$1" in
    --namespace) namespace=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --replace) replace=true; shift ;;
    --dry-run) dry_run=true; shift ;;
    *) echo "agent-tls-secret: unknown argument $1" >&2; exit 64 ;;
  esac
done
for tool in openssl kubectl; do
  command -v "$tool" >/dev/null || { echo "agent-tls-secret: $tool is needed" >&2; exit 2; }
done

# The name the dashboard checks (Dashboard__Poller__AgentServerName): agents are dialled by node IP.
name="cni-dashboard-agent.${namespace}.svc"
secret=cni-dashboard-agent-tls
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
umask 077

openssl ecparam -name prime256v1 -genkey -noout -out ca.key
openssl req -x509 -new -key ca.key -sha256 -days "$days" -subj "/CN=cni-dashboard-agent CA" \
  -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt
openssl ecparam -name prime256v1 -genkey -noout -out tls.key
openssl req -new -key tls.key -subj "/CN=cni-dashboard-agent" -out tls.csr
printf '%s\n' \
  "basicConstraints=critical,CA:FALSE" \
  "keyUsage=critical,digitalSignature" \
  "extendedKeyUsage=serverAuth" \
  "subjectAltName=DNS:${name}" > tls.ext
openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days "$days" -extfile tls.ext -out tls.crt 2>/dev/null
openssl verify -CAfile ca.crt tls.crt >/dev/null

create=(kubectl -n "$namespace" create secret generic "$secret" --type=kubernetes.io/tls
  --from-file=tls.crt=tls.crt --from-file=tls.key=tls.key --from-file=ca.crt=ca.crt)
if $dry_run; then
  "${create[@]}" --dry-run=client -o yaml
  exit 0
fi
if $replace; then
  kubectl -n "$namespace" delete secret "$secret" --ignore-not-found
fi
"${create[@]}"
echo "agent-tls-secret: created secret $namespace/$secret for $name (valid $days days); agents and the dashboard pick up a replaced one within a minute or two"
