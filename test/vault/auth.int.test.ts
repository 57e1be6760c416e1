import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VaultError } from '../../src/core/errors.js';
import { createVaultReader, type VaultAuth } from '../../src/adapters/vault/index.js';
import {
  expectMetadataOnly,
  recordingSleep,
  startTestVault,
  type VaultDevServer,
} from '../support/vault-server.js';

const ROLE_ID = 'role-id-1111';
const SECRET_ID = 'secret-id-SHOULD-NEVER-LEAK';
const K8S_JWT = 'eyJhbGciOiJSUzI1NiJ9.k8s-sa-token-NEVER-LEAK.sig';
const GH_JWT = 'eyJhbGciOiJSUzI1NiJ9.github-oidc-NEVER-LEAK.sig';

let server: VaultDevServer | undefined;
let dir: string | undefined;
/** Each reader's requests are checked on their own: one reader never reads a path twice. */
let since = 0;

afterEach(async () => {
  if (server) expectMetadataOnly(server, since);
  since = 0;
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  server = undefined;
  dir = undefined;
});

async function start(): Promise<VaultDevServer> {
  server = await startTestVault({
    namespaces: ['team-a'],
    mounts: [{ path: 'kv' }, { path: 'kv', namespace: 'team-a' }],
    auth: [
      { method: 'approle', roleId: ROLE_ID, secretId: SECRET_ID, policies: ['+/metadata/*'] },
      {
        method: 'approle',
        mount: 'ci/approle',
        roleId: ROLE_ID,
        secretId: SECRET_ID,
        policies: ['kv/metadata/*'],
      },
      { method: 'kubernetes', role: 'vault-rollout', jwt: K8S_JWT, policies: ['kv/metadata/*'] },
      {
        method: 'kubernetes',
        mount: 'k8s-prod',
        role: 'vault-rollout',
        jwt: K8S_JWT,
        policies: ['kv/metadata/*'],
      },
      { method: 'jwt', role: 'gha', jwt: GH_JWT, policies: ['kv/metadata/*'] },
      { method: 'jwt', mount: 'github', jwt: GH_JWT, policies: ['kv/metadata/*'] }, // default_role
      {
        method: 'approle',
        roleId: 'ns-role',
        secretId: SECRET_ID,
        policies: ['kv/metadata/*'],
        namespace: 'team-a',
      },
    ],
  });
  server.kv.write('kv', 'app/db');
  server.kv.write('kv', 'app/db', { namespace: 'team-a' });
  server.kv.write('kv', 'app/db', { namespace: 'team-a' });
  return server;
}

async function tokenFile(content: string): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'vault-rollout-k8s-'));
  const file = join(dir, 'token');
  await writeFile(file, `${content}\n`);
  return file;
}

async function readWith(auth: VaultAuth, namespace?: string): Promise<unknown> {
  const s = server as VaultDevServer;
  since = s.requests.length;
  const reader = await createVaultReader({
    address: s.url,
    auth,
    ...(namespace ? { namespace } : {}),
    backoff: { sleep: recordingSleep().sleep },
  });
  const out = await reader.read(['kv/app/db']);
  expect(s.liveLoginTokens).toBe(auth.method === 'token' ? 0 : 1);
  await reader.close();
  // A token we obtained by login is revoked on close.
  expect(s.liveLoginTokens).toBe(0);
  expectMetadataOnly(s, since);
  return out.get('kv/app/db');
}

/** The error message and data, and everything the server logged, must not contain a credential. */
function expectNoSecretIn(text: string): void {
  for (const secret of [SECRET_ID, K8S_JWT, GH_JWT, 'root']) {
    if (secret === 'root') expect(text).not.toMatch(/"root"|token root\b/);
    else expect(text).not.toContain(secret);
  }
}

async function loginError(auth: VaultAuth, namespace?: string): Promise<VaultError> {
  const s = server as VaultDevServer;
  const e = await createVaultReader({
    address: s.url,
    auth,
    ...(namespace ? { namespace } : {}),
    backoff: { sleep: recordingSleep().sleep },
  }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(VaultError);
  const err = e as VaultError;
  expectNoSecretIn(`${err.message} ${JSON.stringify(err.data)} ${err.stack ?? ''}`);
  return err;
}

describe('Vault auth methods', () => {
  it('token: validates with lookup-self and never revokes a user token', async () => {
    const s = await start();
    expect(await readWith({ method: 'token', token: 'root' })).toMatchObject({ state: 'ok', current: 1 });
    expect(s.requests.map((r) => r.path)).not.toContain('/v1/auth/token/revoke-self');
    expect(s.requests[0]).toMatchObject({
      method: 'GET',
      path: '/v1/auth/token/lookup-self',
      tokenPresent: true,
    });
  });

  it('token: an invalid token is a VaultError saying so', async () => {
    await start();
    const e = await loginError({ method: 'token', token: 'hvs.not-a-token' });
    expect(e.message).toMatch(/rejected the token.*lookup-self answered 403.*VAULT_TOKEN/);
    expect(e.message).not.toContain('hvs.not-a-token');
  });

  it('approle: logs in at the default and at a custom mount, then revokes', async () => {
    const s = await start();
    expect(await readWith({ method: 'approle', roleId: ROLE_ID, secretId: SECRET_ID })).toMatchObject({
      state: 'ok',
    });
    expect(
      await readWith({ method: 'approle', mount: 'ci/approle', roleId: ROLE_ID, secretId: SECRET_ID }),
    ).toMatchObject({ state: 'ok' });
    const logins = s.requests.filter((r) => r.path.endsWith('/login')).map((r) => [r.path, r.tokenPresent]);
    expect(logins).toEqual([
      ['/v1/auth/approle/login', false],
      ['/v1/auth/ci/approle/login', false],
    ]);
    expect(s.requests.filter((r) => r.path === '/v1/auth/token/revoke-self')).toHaveLength(2);
  });

  it('approle: a wrong secret id fails with the method and mount, not the secret', async () => {
    await start();
    const e = await loginError({ method: 'approle', roleId: ROLE_ID, secretId: 'wrong' });
    expect(e.message).toContain('approle method at auth mount "approle"');
    expect(e.message).toContain('HTTP 400');
    expect(e.data).toMatchObject({ method: 'approle', mount: 'approle', status: 400 });
  });

  it('kubernetes: reads the service account token file and logs in (default and custom mount)', async () => {
    await start();
    const file = await tokenFile(K8S_JWT);
    expect(await readWith({ method: 'kubernetes', role: 'vault-rollout', tokenPath: file })).toMatchObject({
      state: 'ok',
    });
    expect(
      await readWith({ method: 'kubernetes', mount: 'k8s-prod', role: 'vault-rollout', tokenPath: file }),
    ).toMatchObject({ state: 'ok' });
  });

  it('kubernetes: a rejected service account token or a missing file is a VaultError', async () => {
    await start();
    const file = await tokenFile('eyJ.wrong.token');
    const e = await loginError({ method: 'kubernetes', role: 'vault-rollout', tokenPath: file });
    expect(e.message).toMatch(/kubernetes method at auth mount "kubernetes".*HTTP 403.*role "vault-rollout"/);
    const missing = await loginError({
      method: 'kubernetes',
      role: 'vault-rollout',
      tokenPath: join(dir as string, 'nope'),
    });
    expect(missing.message).toMatch(/service account token file ".*nope" \(ENOENT\)/);
    const badRole = await loginError({ method: 'kubernetes', role: 'other', tokenPath: file });
    expect(badRole.message).toContain('HTTP 400');
  });

  it('jwt: with a role, with the mount default_role, and with a token provider function', async () => {
    await start();
    expect(await readWith({ method: 'jwt', role: 'gha', jwt: GH_JWT })).toMatchObject({ state: 'ok' });
    expect(await readWith({ method: 'jwt', mount: 'github', jwt: GH_JWT })).toMatchObject({ state: 'ok' });
    expect(await readWith({ method: 'jwt', role: 'gha', jwt: async () => GH_JWT })).toMatchObject({
      state: 'ok',
    });
  });

  it('jwt: a wrong token is a VaultError mentioning bound_audiences, not the token', async () => {
    await start();
    const e = await loginError({ method: 'jwt', role: 'gha', jwt: 'eyJ.forged.sig' });
    expect(e.message).toMatch(/jwt method at auth mount "jwt".*HTTP 400.*bound_audiences/);
    expect(e.message).not.toContain('forged');
    const failing = await loginError({
      method: 'jwt',
      role: 'gha',
      jwt: async () => {
        throw new Error(`cannot fetch ${GH_JWT}`);
      },
    });
    expect(failing.message).toMatch(/Could not obtain the ID token/);
  });

  it('an unknown auth mount is a VaultError', async () => {
    await start();
    const e = await loginError({ method: 'approle', mount: 'nope', roleId: ROLE_ID, secretId: SECRET_ID });
    expect(e.message).toContain('auth mount "nope"');
  });

  it('logs in inside a namespace and reads there', async () => {
    const s = await start();
    expect(
      await readWith({ method: 'approle', roleId: 'ns-role', secretId: SECRET_ID }, 'team-a'),
    ).toMatchObject({
      state: 'ok',
      current: 2,
    });
    expect(s.requests.every((r) => r.namespace === 'team-a')).toBe(true);
    const e = await loginError({ method: 'approle', roleId: 'ns-role', secretId: SECRET_ID });
    expect(e.message).toContain('HTTP 400');
  });

  it('the server log never holds a credential', async () => {
    const s = await start();
    const file = await tokenFile(K8S_JWT);
    await readWith({ method: 'kubernetes', role: 'vault-rollout', tokenPath: file });
    await readWith({ method: 'approle', roleId: ROLE_ID, secretId: SECRET_ID });
    expectNoSecretIn(JSON.stringify(s.requests));
  });
});
