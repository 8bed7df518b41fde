#!/usr/bin/env bash
# Configures Vault for Nightshift (run with a token allowed to manage policies, auth and mounts).
# Idempotent: rerun after changing a policy. Secrets themselves are written by their owners, e.g.
#   vault kv put nightshift/datasources/prod-eu-1/prometheus token=...
#   vault kv put nightshift/llm/inference api_key=...
set -euo pipefail
cd "$(dirname "$0")"
NAMESPACE="${NIGHTSHIFT_NAMESPACE:-nightshift}"

vault secrets list -format=json | grep -q '"nightshift/"' || vault secrets enable -path=nightshift kv-v2

for phase in shadow assist limited-remediation autonomous; do
  vault policy write "nightshift-agent-${phase}" "nightshift-agent-${phase}.hcl"
  # Worker tokens: orphans (they outlive no parent's revocation surprise), never renewable,
  # at most two hours; the api-server sets each one's TTL to its Job's remaining deadline.
  vault write "auth/token/roles/nightshift-${phase}" \
    allowed_policies="nightshift-agent-${phase}" \
    orphan=true renewable=false token_explicit_max_ttl=2h token_type=service
done

vault policy write nightshift-api-server nightshift-api-server.hcl
vault auth list -format=json | grep -q '"kubernetes/"' || vault auth enable kubernetes
vault write auth/kubernetes/role/nightshift-api-server \
  bound_service_account_names=nightshift-api \
  bound_service_account_namespaces="${NAMESPACE}" \
  token_policies=nightshift-api-server token_ttl=1h token_max_ttl=24h
