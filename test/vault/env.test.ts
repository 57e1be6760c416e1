import { describe, expect, it } from 'vitest';
import { VaultError } from '../../src/core/errors.js';
import { vaultOptionsFromEnv } from '../../src/adapters/vault/index.js';

const files: Record<string, string> = {
  '/ca.pem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  '/jwt': 'eyJ.from-file.sig\n',
};
const io = {
  readFileSync: (p: string): string => {
    if (p in files) return files[p] as string;
    throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  },
  readFile: async (p: string): Promise<string> => io.readFileSync(p),
};

const error = (fn: () => unknown): VaultError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VaultError);
    return e as VaultError;
  }
  throw new Error('expected a VaultError');
};

describe('vaultOptionsFromEnv', () => {
  it('reads the variables the Vault CLI reads', () => {
    const o = vaultOptionsFromEnv(
      {
        VAULT_ADDR: 'https://vault:8200',
        VAULT_TOKEN: 'hvs.x',
        VAULT_NAMESPACE: 'admin',
        VAULT_CACERT: '/ca.pem',
        VAULT_SKIP_VERIFY: 'false',
      },
      { mounts: ['kv', 'team-a/kv'] },
      io,
    );
    expect(o).toEqual({
      address: 'https://vault:8200',
      auth: { method: 'token', token: 'hvs.x', variable: 'VAULT_TOKEN' },
      namespace: 'admin',
      caCert: files['/ca.pem'],
      skipVerify: false,
      mounts: ['kv', 'team-a/kv'],
    });
  });

  it('lets the config win over the environment (SPEC: "else VAULT_ADDR")', () => {
    const o = vaultOptionsFromEnv(
      { VAULT_ADDR: 'https://env:8200', VAULT_NAMESPACE: 'env', VAULT_TOKEN: 't' },
      { address: 'https://cfg:8200', namespace: 'cfg' },
      io,
    );
    expect(o).toMatchObject({ address: 'https://cfg:8200', namespace: 'cfg' });
  });

  it('guesses approle from VAULT_ROLE_ID and takes the mount from the config', () => {
    const o = vaultOptionsFromEnv(
      { VAULT_ADDR: 'http://127.0.0.1:8200', VAULT_ROLE_ID: 'rid', VAULT_SECRET_ID: 'sid' },
      { auth: { mount: 'ci' } },
      io,
    );
    expect(o.auth).toEqual({
      method: 'approle',
      mount: 'ci',
      roleId: 'rid',
      secretId: 'sid',
      variables: { roleId: 'VAULT_ROLE_ID', secretId: 'VAULT_SECRET_ID' },
    });
  });

  it('kubernetes needs vault.auth.role', () => {
    const env = { VAULT_ADDR: 'http://v:8200' };
    expect(vaultOptionsFromEnv(env, { auth: { method: 'kubernetes', role: 'vr' } }, io).auth).toEqual({
      method: 'kubernetes',
      role: 'vr',
    });
    expect(error(() => vaultOptionsFromEnv(env, { auth: { method: 'kubernetes' } }, io)).message).toContain(
      'vault.auth.role',
    );
  });

  it('takes the login from VAULT_AUTH_METHOD/ROLE/MOUNT when the config names none (the CronJob case)', () => {
    const env = {
      VAULT_ADDR: 'http://v:8200',
      VAULT_AUTH_METHOD: 'kubernetes',
      VAULT_AUTH_ROLE: 'vault-rollout',
      VAULT_AUTH_MOUNT: 'k8s-prod',
    };
    expect(vaultOptionsFromEnv(env, {}, io).auth).toEqual({
      method: 'kubernetes',
      role: 'vault-rollout',
      mount: 'k8s-prod',
    });
    // The config still wins.
    expect(
      vaultOptionsFromEnv(env, { auth: { method: 'kubernetes', role: 'from-config' } }, io).auth,
    ).toEqual({
      method: 'kubernetes',
      role: 'from-config',
      mount: 'k8s-prod',
    });
    expect(error(() => vaultOptionsFromEnv({ ...env, VAULT_AUTH_METHOD: 'ldap' }, {}, io)).message).toContain(
      'VAULT_AUTH_METHOD',
    );
  });

  it('jwt from VAULT_JWT, or from VAULT_JWT_FILE read at login time', async () => {
    const a = vaultOptionsFromEnv(
      { VAULT_ADDR: 'http://v:8200', VAULT_JWT: 'eyJ.x.y' },
      { auth: { role: 'gha' } },
      io,
    );
    expect(a.auth).toEqual({ method: 'jwt', role: 'gha', jwt: 'eyJ.x.y' });
    const b = vaultOptionsFromEnv({ VAULT_ADDR: 'http://v:8200', VAULT_JWT_FILE: '/jwt' }, {}, io);
    expect(b.auth.method).toBe('jwt');
    const jwt = b.auth.method === 'jwt' ? b.auth.jwt : '';
    expect(typeof jwt).toBe('function');
    expect(await (jwt as () => Promise<string>)()).toBe('eyJ.from-file.sig');
    const c = vaultOptionsFromEnv({ VAULT_ADDR: 'http://v:8200', VAULT_JWT_FILE: '/missing' }, {}, io);
    await expect((c.auth as { jwt: () => Promise<string> }).jwt()).rejects.toThrow(
      /VAULT_JWT_FILE names "\/missing".*ENOENT/,
    );
  });

  it('says which variable to set', () => {
    expect(error(() => vaultOptionsFromEnv({ VAULT_TOKEN: 't' }, {}, io)).message).toContain(
      'set VAULT_ADDR',
    );
    expect(error(() => vaultOptionsFromEnv({ VAULT_ADDR: 'http://v:8200' }, {}, io)).message).toContain(
      'set VAULT_TOKEN',
    );
    expect(
      error(() => vaultOptionsFromEnv({ VAULT_ADDR: 'http://v:8200' }, { auth: { method: 'approle' } }, io))
        .message,
    ).toContain('VAULT_ROLE_ID');
    expect(
      error(() => vaultOptionsFromEnv({ VAULT_ADDR: 'http://v:8200' }, { auth: { method: 'jwt' } }, io))
        .message,
    ).toContain('VAULT_JWT');
    expect(
      error(() => vaultOptionsFromEnv({ VAULT_ADDR: 'vault:8200', VAULT_TOKEN: 't' }, {}, io)).message,
    ).toContain('VAULT_ADDR must be an http(s) URL');
    expect(
      error(() =>
        vaultOptionsFromEnv({ VAULT_ADDR: 'http://v', VAULT_TOKEN: 't', VAULT_CACERT: '/nope' }, {}, io),
      ).message,
    ).toContain('VAULT_CACERT names "/nope"');
    expect(
      error(() =>
        vaultOptionsFromEnv({ VAULT_ADDR: 'http://v', VAULT_TOKEN: 't', VAULT_SKIP_VERIFY: 'yes' }, {}, io),
      ).message,
    ).toContain('VAULT_SKIP_VERIFY must be true or false');
  });

  it('never puts a token in an error', () => {
    const e = error(() => vaultOptionsFromEnv({ VAULT_ADDR: 'bad', VAULT_TOKEN: 'hvs.SECRET' }, {}, io));
    expect(`${e.message}${JSON.stringify(e.data)}`).not.toContain('hvs.SECRET');
  });

  it('reads each credential from the variable its block names, never the default', () => {
    const env = {
      VAULT_ADDR: 'http://v:8200',
      VAULT_TOKEN: 'default-token',
      PROD_TOKEN: 'prod-token',
      PROD_ROLE: 'prod-role',
      PROD_SECRET: 'prod-secret',
      PROD_JWT: 'prod-jwt',
    };
    expect(vaultOptionsFromEnv(env, { auth: { tokenEnv: 'PROD_TOKEN' } }, io).auth).toEqual({
      method: 'token',
      token: 'prod-token',
      variable: 'PROD_TOKEN',
    });
    expect(
      vaultOptionsFromEnv(
        env,
        { auth: { roleIdEnv: 'PROD_ROLE', secretIdEnv: 'PROD_SECRET', tokenEnv: 'NONE' } },
        io,
      ).auth,
    ).toMatchObject({ method: 'approle', roleId: 'prod-role', secretId: 'prod-secret' });
    expect(vaultOptionsFromEnv(env, { auth: { method: 'jwt', jwtEnv: 'PROD_JWT' } }, io).auth).toMatchObject({
      method: 'jwt',
      jwt: 'prod-jwt',
    });
    // A named variable that is unset is an error naming it: the default is not a fallback.
    expect(
      error(() =>
        vaultOptionsFromEnv(
          { VAULT_ADDR: 'http://v', VAULT_TOKEN: 't' },
          { auth: { tokenEnv: 'DEV_TOKEN' } },
          io,
        ),
      ).message,
    ).toBe('No Vault token: set DEV_TOKEN (or choose another vault.auth.method).');
  });

  it('reads a JWT from the file the block names, at login time', async () => {
    const files: Record<string, string> = { '/run/prod.jwt': 'jwt-from-file\n' };
    const o = vaultOptionsFromEnv(
      { VAULT_ADDR: 'http://v', VAULT_JWT_FILE: '/run/other.jwt' },
      { auth: { method: 'jwt', jwtFile: '/run/prod.jwt' } },
      { readFileSync: () => '', readFile: async (p) => files[p] ?? Promise.reject(new Error('ENOENT')) },
    );
    const jwt = o.auth.method === 'jwt' ? o.auth.jwt : null;
    expect(typeof jwt).toBe('function');
    expect(await (jwt as () => Promise<string>)()).toBe('jwt-from-file');
  });
});
