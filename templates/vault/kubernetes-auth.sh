#!/bin/sh
# Lets the vault-rollout CronJob (templates/kubernetes) log in to Vault with its service-account token.
# Run once as a Vault administrator (VAULT_ADDR and VAULT_TOKEN set), from this folder.
set -eu

NAMESPACE=vault-rollout        # the CronJob's namespace
SERVICE_ACCOUNT=vault-rollout  # its service account
MOUNT=kubernetes               # the auth mount (the CronJob's VAULT_AUTH_MOUNT when not kubernetes)
# The cluster's API server, as Vault reaches it. When Vault runs in this cluster, the in-cluster address
# works and Vault uses its own service-account token to review the CronJob's token.
KUBERNETES_HOST=https://kubernetes.default.svc:443

# 1. The metadata-only policy.
vault policy write vault-rollout policy.hcl

# 2. The Kubernetes auth method. A mount that is already enabled is left as it is: other clients (External
#    Secrets, the Agent injector) may log in through it, and rewriting its config would break their
#    logins. Check it, or set MOUNT to a path of your own.
mounts=$(vault auth list -format=json)
if printf '%s\n' "$mounts" | grep -q "\"$MOUNT/\"[[:space:]]*:"; then
  echo "auth/$MOUNT/ is already enabled: its config is left unchanged. This script would have set:"
  echo "  vault write auth/$MOUNT/config kubernetes_host=$KUBERNETES_HOST"
else
  vault auth enable -path="$MOUNT" kubernetes
  vault write "auth/$MOUNT/config" kubernetes_host="$KUBERNETES_HOST"
  # Vault outside the cluster also needs: token_reviewer_jwt=@reviewer.jwt kubernetes_ca_cert=@ca.crt
fi

# 3. The role: only this service account in this namespace, short-lived tokens with the policy above.
vault write "auth/$MOUNT/role/vault-rollout" \
  bound_service_account_names="$SERVICE_ACCOUNT" \
  bound_service_account_namespaces="$NAMESPACE" \
  token_policies=vault-rollout \
  token_ttl=10m \
  token_max_ttl=15m

# The CronJob (templates/kubernetes/cronjob.yaml) then sets VAULT_AUTH_METHOD=kubernetes and
# VAULT_AUTH_ROLE=vault-rollout.
