/**
 * Builds reader options from the environment (as the Vault CLI reads it) and the config's `vault:` block.
 * The edges call this; the environment is passed in, never read from `process.env` here.
 */
import { readFileSync } from 'node:fs';
import { readFile as fsReadFile } from 'node:fs/promises';
import { VaultError } from '../../core/errors.js';
import { credentialNames } from '../../core/config/credentials.js';
import type { VaultAuth, VaultAuthMethod, VaultReaderOptions } from './options.js';

/** The `vault:` block of `vault-rollout.yaml` (docs/configuration.md). */
export interface VaultConfigBlock {
  address?: string | undefined;
  namespace?: string | undefined;
  auth?:
    | {
        method?: VaultAuthMethod | undefined;
        role?: string | undefined;
        mount?: string | undefined;
        tokenEnv?: string | undefined;
        roleIdEnv?: string | undefined;
        secretIdEnv?: string | undefined;
        jwtEnv?: string | undefined;
        jwtFile?: string | undefined;
      }
    | undefined;
  mounts?: string[];
  timeoutSeconds?: number | undefined;
  maxResponseBytes?: number | undefined;
}

export type Env = Readonly<Record<string, string | undefined>>;

const METHODS: readonly VaultAuthMethod[] = ['token', 'approle', 'kubernetes', 'jwt'];

/** Go's strconv.ParseBool, which the Vault CLI uses for VAULT_SKIP_VERIFY. */
function parseBool(name: string, value: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new VaultError(`${name} must be true or false (got "${value}").`, { variable: name });
}

/**
 * Precedence (docs/configuration.md): a config value wins over its variable (`address` over VAULT_ADDR).
 * The auth method is the config's, else guessed: VAULT_TOKEN → token, VAULT_ROLE_ID → approle,
 * VAULT_JWT / VAULT_JWT_FILE → jwt.
 * @throws VaultError naming the variable to set when something required is missing or unreadable.
 * @example
 * const options = vaultOptionsFromEnv(process.env, config.vault);
 * const reader = await createVaultReader({ ...options, logger });
 */
export function vaultOptionsFromEnv(
  env: Env,
  configVault: VaultConfigBlock = {},
  io: { readFileSync?: (path: string) => string; readFile?: (path: string) => Promise<string> } = {},
): VaultReaderOptions {
  const readSync = io.readFileSync ?? ((p: string) => readFileSync(p, 'utf8'));
  const read = io.readFile ?? ((p: string) => fsReadFile(p, 'utf8'));
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
  };

  const address = configVault.address ?? get('VAULT_ADDR');
  if (!address)
    throw new VaultError('No Vault address: set VAULT_ADDR (or vault.address in the config).', {
      variable: 'VAULT_ADDR',
    });
  try {
    const u = new URL(address);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new VaultError(
      `VAULT_ADDR must be an http(s) URL like https://vault.example.com:8200 (got "${address}").`,
      {
        variable: 'VAULT_ADDR',
      },
    );
  }

  const options: VaultReaderOptions = { address, auth: authFromEnv(configVault, get, read) };
  const namespace = configVault.namespace ?? get('VAULT_NAMESPACE');
  if (namespace) options.namespace = namespace;
  const caPath = get('VAULT_CACERT');
  if (caPath) {
    try {
      options.caCert = readSync(caPath);
    } catch (e) {
      throw new VaultError(
        `VAULT_CACERT names "${caPath}", which cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}).`,
        { variable: 'VAULT_CACERT', file: caPath },
      );
    }
  }
  const skip = get('VAULT_SKIP_VERIFY');
  if (skip !== undefined) options.skipVerify = parseBool('VAULT_SKIP_VERIFY', skip);
  if (configVault.mounts?.length) options.mounts = [...configVault.mounts];
  if (configVault.timeoutSeconds !== undefined) options.deadlineMs = configVault.timeoutSeconds * 1000;
  if (configVault.maxResponseBytes !== undefined) options.maxResponseBytes = configVault.maxResponseBytes;
  return options;
}

function authFromEnv(
  configVault: VaultConfigBlock,
  get: (name: string) => string | undefined,
  read: (path: string) => Promise<string>,
): VaultAuth {
  // VAULT_AUTH_METHOD / VAULT_AUTH_ROLE / VAULT_AUTH_MOUNT let the cron container choose its login in the
  // CronJob instead of the manifests repository's config; the config still wins, as for every setting.
  const envMethod = get('VAULT_AUTH_METHOD') as VaultAuthMethod | undefined;
  const envRole = get('VAULT_AUTH_ROLE');
  const envMount = get('VAULT_AUTH_MOUNT');
  const cfg = {
    method: configVault.auth?.method ?? envMethod,
    role: configVault.auth?.role ?? envRole,
    mount: configVault.auth?.mount ?? envMount,
  };
  // Each Vault block reads its credentials from the variables it names (docs/configuration.md,
  // "Credentials per Vault"); the defaults are VAULT_TOKEN, VAULT_ROLE_ID, VAULT_SECRET_ID, VAULT_JWT.
  const names = credentialNames(configVault.auth);
  const jwtFileVar = names.jwtFile === undefined ? 'VAULT_JWT_FILE' : undefined;
  const jwtFile = names.jwtFile ?? get('VAULT_JWT_FILE');
  const method: VaultAuthMethod =
    cfg.method ??
    (get(names.tokenEnv)
      ? 'token'
      : get(names.roleIdEnv)
        ? 'approle'
        : get(names.jwtEnv) || jwtFile
          ? 'jwt'
          : 'token');
  if (!METHODS.includes(method)) {
    throw new VaultError(
      `vault.auth.method (or VAULT_AUTH_METHOD) must be one of ${METHODS.join(', ')} (got "${String(method)}").`,
      {
        key: 'vault.auth.method',
      },
    );
  }
  const mount = cfg.mount ? { mount: cfg.mount } : {};
  switch (method) {
    case 'token': {
      const token = get(names.tokenEnv);
      if (!token)
        throw new VaultError(`No Vault token: set ${names.tokenEnv} (or choose another vault.auth.method).`, {
          variable: names.tokenEnv,
        });
      return { method, token, variable: names.tokenEnv };
    }
    case 'approle': {
      const roleId = get(names.roleIdEnv);
      if (!roleId)
        throw new VaultError(
          `AppRole login needs a role id: set ${names.roleIdEnv} (and ${names.secretIdEnv}).`,
          { variable: names.roleIdEnv },
        );
      const secretId = get(names.secretIdEnv);
      return {
        method,
        ...mount,
        roleId,
        ...(secretId ? { secretId } : {}),
        variables: { roleId: names.roleIdEnv, secretId: names.secretIdEnv },
      };
    }
    case 'kubernetes': {
      if (!cfg.role)
        throw new VaultError(
          'Kubernetes login needs a Vault role: set vault.auth.role in the config (or VAULT_AUTH_ROLE).',
          {
            key: 'vault.auth.role',
          },
        );
      return { method, ...mount, role: cfg.role };
    }
    case 'jwt': {
      const inline = get(names.jwtEnv);
      const file = jwtFile;
      if (!inline && !file)
        throw new VaultError(
          `JWT login needs a token: set ${names.jwtEnv} or ${jwtFileVar ?? 'vault.auth.jwtFile'}.`,
          { variable: names.jwtEnv },
        );
      // A file is read at login time, so a projected token that the kubelet refreshes is always current.
      const jwt = inline
        ? inline
        : async (): Promise<string> => {
            try {
              return (await read(file as string)).trim();
            } catch (e) {
              throw new VaultError(
                `${jwtFileVar ?? 'vault.auth.jwtFile'} names "${file}", which cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}).`,
                { variable: jwtFileVar ?? 'vault.auth.jwtFile', file },
              );
            }
          };
      return { method, ...mount, ...(cfg.role ? { role: cfg.role } : {}), jwt };
    }
  }
}
