#!/bin/sh
# Lets the vault-rollout workflow (templates/workflows/vault-rollout.yml) log in to Vault with the job's
# GitHub OIDC token: no Vault token is stored in GitHub.
# Run once as a Vault administrator (VAULT_ADDR and VAULT_TOKEN set), from this folder.
set -eu

REPOSITORY=example-org/manifests    # owner/name of the manifests repository
BRANCH=main                         # the branch the workflow runs on
WORKFLOW=.github/workflows/vault-rollout.yml
AUDIENCE=https://vault.example.com  # the workflow's jwt-audience input; tokens minted for others are refused

# 1. The metadata-only policy.
vault policy write vault-rollout policy.hcl

# 2. The JWT auth method, trusting GitHub's OIDC issuer (skipped when auth/jwt/ is already enabled).
vault auth list -format=json | grep -q '"jwt/"' || vault auth enable jwt
vault write auth/jwt/config \
  oidc_discovery_url=https://token.actions.githubusercontent.com \
  bound_issuer=https://token.actions.githubusercontent.com

# 3. The role: only this workflow file, on this branch of this repository. Since Vault 1.16.3 a JWT
#    role must set bound_audiences.
vault write auth/jwt/role/vault-rollout - <<JSON
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
