#!/bin/sh
# Lets the vault-rollout workflow (templates/workflows/vault-rollout.yml) log in to Vault with the job's
# GitHub OIDC token: no Vault token is stored in GitHub.
# Run once as a Vault administrator (VAULT_ADDR and VAULT_TOKEN set), from this folder.
set -eu

REPOSITORY=example-org/manifests    # owner/name of the manifests repository
BRANCH=main                         # the branch the workflow runs on
WORKFLOW=.github/workflows/vault-rollout.yml
AUDIENCE=https://vault.example.com  # the workflow's jwt-audience input; tokens minted for others are refused
MOUNT=jwt                           # the auth mount (the workflow's vault-auth-path input when not jwt)
ISSUER=https://token.actions.githubusercontent.com

# 1. The metadata-only policy.
vault policy write vault-rollout policy.hcl

# 2. The JWT auth method, trusting GitHub's OIDC issuer. A mount that is already enabled is left as it is:
#    other clients (External Secrets, the Agent injector, other pipelines) may log in through it, and
#    rewriting its config would break their logins. Check it, or set MOUNT to a path of your own.
mounts=$(vault auth list -format=json)
if printf '%s\n' "$mounts" | grep -q "\"$MOUNT/\"[[:space:]]*:"; then
  echo "auth/$MOUNT/ is already enabled: its config is left unchanged. This script would have set:"
  echo "  vault write auth/$MOUNT/config oidc_discovery_url=$ISSUER bound_issuer=$ISSUER"
else
  vault auth enable -path="$MOUNT" jwt
  vault write "auth/$MOUNT/config" oidc_discovery_url="$ISSUER" bound_issuer="$ISSUER"
fi

# 3. The role: only this workflow file, on this branch of this repository. Since Vault 1.16.3 a JWT
#    role must set bound_audiences.
vault write "auth/$MOUNT/role/vault-rollout" - <<JSON
{
  "role_type": "jwt",
  "user_claim": "repository",
  "bound_audiences": ["$AUDIENCE"],
  "bound_claims": {
    "repository": "$REPOSITORY",
    "ref": "refs/heads/$BRANCH",
    "workflow_ref": "$REPOSITORY/$WORKFLOW@refs/heads/$BRANCH"
  },
  "token_policies": ["vault-rollout"],
  "token_ttl": "10m",
  "token_max_ttl": "15m"
}
JSON
