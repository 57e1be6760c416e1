# vault-rollout's Vault policy: KV v2 *metadata* only (versions and timestamps), never a secret value.
#
# `+` stands for exactly one path segment, so this grants `read` on `<mount>/metadata/<any path>` for every
# KV v2 mount at the top level (kv/, secret/, ...). `<mount>/data/*`, where the values live, is not granted.
# To narrow it, name your mounts instead, e.g. path "kv/metadata/*" and path "team-a/kv/metadata/*".
path "+/metadata/*" {
  capabilities = ["read"]
}

# Mounts nested one level deeper (e.g. team-a/kv): uncomment if you have them.
# path "+/+/metadata/*" {
#   capabilities = ["read"]
# }

# Check the token at start-up, and revoke the login token when the run ends. Vault's `default` policy
# grants both already; they are repeated here for roles created with token_no_default_policy=true.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/revoke-self" {
  capabilities = ["update"]
}
