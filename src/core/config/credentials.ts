/**
 * Credentials per Vault (docs/configuration.md, "Credentials per Vault"): which environment variables
 * hold each Vault block's credentials, and the rule that keeps a token away from a Vault it does not
 * belong to.
 *
 * The default names (`VAULT_TOKEN`, `VAULT_ROLE_ID` / `VAULT_SECRET_ID`, `VAULT_JWT` / `VAULT_JWT_FILE`)
 * belong to one Vault only, the run's *home* Vault: with `--environment NAME`, that environment's Vault
 * (a run then reads no other); without it, the top-level one (`vault.address`, else `VAULT_ADDR`). Any
 * other Vault a run reads must name its own variables (`auth.tokenEnv`, …); a run that would send a
 * default-named credential there stops before its first request, naming the environment.
 */
import type { Config } from './definition.js';

type Auth = NonNullable<Config['vault']['auth']>;

/** The variable (or file) each credential is read from, defaults filled in. */
export interface CredentialNames {
  tokenEnv: string;
  roleIdEnv: string;
  secretIdEnv: string;
  jwtEnv: string;
  /** A file named by the config; else the variable `VAULT_JWT_FILE` names one. */
  jwtFile: string | undefined;
}

export const DEFAULT_CREDENTIAL_NAMES: Readonly<CredentialNames> = {
  tokenEnv: 'VAULT_TOKEN',
  roleIdEnv: 'VAULT_ROLE_ID',
  secretIdEnv: 'VAULT_SECRET_ID',
  jwtEnv: 'VAULT_JWT',
  jwtFile: undefined,
};

/** The keys of an `auth` block that name where a credential comes from. */
export const CREDENTIAL_KEYS = ['tokenEnv', 'roleIdEnv', 'secretIdEnv', 'jwtEnv', 'jwtFile'] as const;

/** The names an `auth` block gives, over the defaults. */
export function credentialNames(auth: Auth | undefined): CredentialNames {
  return {
    tokenEnv: auth?.tokenEnv ?? DEFAULT_CREDENTIAL_NAMES.tokenEnv,
    roleIdEnv: auth?.roleIdEnv ?? DEFAULT_CREDENTIAL_NAMES.roleIdEnv,
    secretIdEnv: auth?.secretIdEnv ?? DEFAULT_CREDENTIAL_NAMES.secretIdEnv,
    jwtEnv: auth?.jwtEnv ?? DEFAULT_CREDENTIAL_NAMES.jwtEnv,
    jwtFile: auth?.jwtFile,
  };
}

/** Every variable name some `vault` block of the config reads a credential from (for redaction). */
export function credentialVariables(config: Config): string[] {
  const { tokenEnv, roleIdEnv, secretIdEnv, jwtEnv } = DEFAULT_CREDENTIAL_NAMES;
  const names = new Set<string>([tokenEnv, roleIdEnv, secretIdEnv, jwtEnv]);
  for (const auth of [config.vault.auth, ...config.environments.map((e) => e.vault?.auth)]) {
    for (const key of ['tokenEnv', 'roleIdEnv', 'secretIdEnv', 'jwtEnv'] as const) {
      const name = auth?.[key];
      if (name) names.add(name);
    }
  }
  return [...names];
}

/** An address compared as Vault sees it: scheme, host and port, no trailing slash. */
function sameVault(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const norm = (s: string) => {
    try {
      const u = new URL(s);
      return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
    } catch {
      return s.replace(/\/+$/, '');
    }
  };
  return norm(a) === norm(b);
}

/**
 * True when an environment reads a Vault other than the top-level one: its block sets an address that
 * differs from `vault.address` (else from `homeAddress`, the `VAULT_ADDR` of the run).
 */
export function ownVault(config: Config, environment: string, homeAddress?: string): boolean {
  const env = config.environments.find((e) => e.name === environment);
  const address = env?.vault?.address;
  if (address === undefined) return false;
  return !sameVault(address, config.vault.address ?? homeAddress);
}

/**
 * Whether an environment's `auth` block names where its own credentials come from. Kubernetes login
 * (its own or inherited) needs none: it presents the pod's service-account token, which each Vault's
 * Kubernetes auth checks with the cluster, not a secret issued by one Vault.
 */
function namesOwnCredentials(auth: Auth | undefined, inheritedMethod: Auth['method']): boolean {
  if ((auth?.method ?? inheritedMethod) === 'kubernetes') return true;
  return CREDENTIAL_KEYS.some((key) => auth?.[key] !== undefined);
}

/**
 * The environments a run would read with a credential that belongs to another Vault: each reads its
 * own Vault and its block names none of its own, so the default variables would be sent to it.
 * @param selected `--environment`, when given: then that environment's Vault is the home one
 * @param homeAddress `VAULT_ADDR`, for a config without a top-level `vault.address`
 * @example
 * const issues = credentialIssues(config, opts.environment, env.VAULT_ADDR);
 */
export function credentialIssues(
  config: Config,
  selected: string | undefined,
  homeAddress: string | undefined,
): { path: (string | number)[]; message: string }[] {
  if (selected !== undefined) return []; // one environment, one Vault: the defaults are its own
  const issues: { path: (string | number)[]; message: string }[] = [];
  config.environments.forEach((env, i) => {
    if (!ownVault(config, env.name, homeAddress)) return;
    if (namesOwnCredentials(env.vault?.auth, config.vault.auth?.method)) return;
    const home = config.vault.address ?? homeAddress;
    issues.push({
      path: ['environments', i, 'vault'],
      message:
        `environment "${env.name}" reads its own Vault (${env.vault?.address ?? ''}) but names no ` +
        'credentials of its own: set its vault.auth.tokenEnv (or roleIdEnv/secretIdEnv, jwtEnv, jwtFile), ' +
        `so that VAULT_TOKEN${home ? `, meant for ${home},` : ''} is never sent to it, or run with --environment ${env.name}`,
    });
  });
  return issues;
}
