/** The dev server answers with Vault's documented shapes (its API docs) and refuses value reads. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatGoDuration,
  parseGoDuration,
  startTestVault,
  type VaultDevServer,
} from '../support/vault-server.js';

let server: VaultDevServer | undefined;
/** Only the refusal test reads values on purpose. (These wire tests repeat paths on purpose too.) */
let expectedViolations = 0;
afterEach(async () => {
  expect(server?.violations ?? 0).toBe(expectedViolations);
  expectedViolations = 0;
  await server?.close();
  server = undefined;
});

const T0 = new Date('2026-11-02T10:00:00.000Z');

// Wire-shape assertions index freely into the JSON that came back.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function call(
  path: string,
  init: { method?: string; token?: string | null; bearer?: string; ns?: string; body?: unknown } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers['X-Vault-Token'] = init.token ?? 'root';
  if (init.bearer) headers.Authorization = `Bearer ${init.bearer}`;
  if (init.ns) headers['X-Vault-Namespace'] = init.ns;
  const res = await fetch(`${(server as VaultDevServer).url}/v1/${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

describe('Vault dev server', () => {
  it('serves KV v2 metadata with the documented envelope and fields', async () => {
    server = await startTestVault({ clock: () => T0 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    server.kv.write('kv', 'app/db', { customMetadata: { owner: 'payments' } });
    server.kv.write('kv', 'app/db');
    const r = await call('kv/metadata/app/db');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(
      [
        'auth',
        'data',
        'lease_duration',
        'lease_id',
        'renewable',
        'request_id',
        'warnings',
        'wrap_info',
      ].sort(),
    );
    expect(r.body).toMatchObject({
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      wrap_info: null,
      warnings: null,
      auth: null,
    });
    const ts = expect.stringMatching(/^2026-11-02T10:00:00\.000\d{6}Z$/);
    expect(r.body.data).toEqual({
      cas_required: false,
      created_time: ts,
      current_version: 2,
      custom_metadata: { owner: 'payments' },
      delete_version_after: '0s',
      max_versions: 0,
      oldest_version: 0,
      updated_time: ts,
      versions: {
        '1': { created_time: ts, deletion_time: '', destroyed: false },
        '2': { created_time: ts, deletion_time: '', destroyed: false },
      },
    });
    expect(server.violations).toBe(0);
  });

  it('answers 404 {"errors":[]} for a missing secret and Vault\'s 403 body without permission', async () => {
    server = await startTestVault({ tokens: { limited: { policies: ['kv/metadata/app/*'] } } });
    server.kv.write('kv', 'other');
    expect(await call('kv/metadata/nope')).toMatchObject({ status: 404, body: { errors: [] } });
    expect(await call('kv/metadata/other', { token: 'limited' })).toMatchObject({
      status: 403,
      body: { errors: ['1 error occurred:\n\t* permission denied\n\n'] },
    });
    expect(await call('kv/metadata/app/x', { token: 'limited' })).toMatchObject({ status: 404 });
    expect((await call('kv/metadata/x', { token: null })).status).toBe(403);
    expect((await call('kv/metadata/x', { token: 'bogus' })).status).toBe(403);
    expect((await call('kv/metadata/other', { token: null, bearer: 'root' })).status).toBe(200);
  });

  it('refuses value reads and counts them as violations', async () => {
    server = await startTestVault({ mounts: [{ path: 'kv' }, { path: 'old', version: 1 }] });
    expectedViolations = 2;
    server.kv.write('kv', 'app/db');
    server.kv.write('old', 'app/db');
    const r = await call('kv/data/app/db');
    expect(r.status).toBe(403);
    expect(r.body.errors[0]).toMatch(/refuses to read secret values/);
    expect((await call('old/app/db')).status).toBe(403);
    expect(server.violations).toBe(2);
    expect(server.violationRequests.map((v) => v.path)).toEqual(['/v1/kv/data/app/db', '/v1/old/app/db']);
  });

  it("detects mounts like sys/internal/ui/mounts, with Vault's 403 when no mount is visible", async () => {
    server = await startTestVault({
      mounts: [{ path: 'kv' }, { path: 'team-a/kv' }, { path: 'old', version: 1 }],
      tokens: { kvonly: { policies: ['kv/metadata/*'] } },
    });
    const v2 = await call('sys/internal/ui/mounts/team-a/kv/app/db');
    expect(v2.status).toBe(200);
    expect(v2.body.data).toMatchObject({ path: 'team-a/kv/', type: 'kv', options: { version: '2' } });
    expect((await call('sys/internal/ui/mounts/old/x')).body.data).toMatchObject({
      path: 'old/',
      options: null,
    });
    expect(await call('sys/internal/ui/mounts/nope/x')).toMatchObject({
      status: 403,
      body: {
        errors: [
          'preflight capability check returned 403, please ensure client\'s policies grant access to path "nope/x/"',
        ],
      },
    });
    expect((await call('sys/internal/ui/mounts/kv/app', { token: 'kvonly' })).status).toBe(200);
    expect((await call('sys/internal/ui/mounts/old/app', { token: 'kvonly' })).status).toBe(403);
  });

  it('lists metadata keys with GET ?list=true (folders end with /)', async () => {
    server = await startTestVault();
    server.kv.write('kv', 'app/db');
    server.kv.write('kv', 'app/api');
    server.kv.write('kv', 'app/sub/x');
    server.kv.write('kv', 'web');
    expect((await call('kv/metadata/app?list=true')).body.data).toEqual({ keys: ['api', 'db', 'sub/'] });
    expect((await call('kv/metadata/?list=true')).body.data).toEqual({ keys: ['app/', 'web'] });
    expect((await call('kv/metadata/empty?list=true')).status).toBe(404);
  });

  it('writes versions, deletes, destroys and updates metadata over HTTP, storing no value', async () => {
    let now = T0;
    server = await startTestVault({ clock: () => now });
    const w = await call('kv/data/app/db', { method: 'POST', body: { data: { password: 'hunter2' } } });
    expect(w).toMatchObject({
      status: 200,
      body: { data: { version: 1, deletion_time: '', destroyed: false } },
    });
    expect(
      (await call('kv/data/app/db', { method: 'PUT', body: { data: { password: 'x' } } })).body.data.version,
    ).toBe(2);
    expect(
      JSON.stringify(server.kv.get('kv', 'app/db'), (_k, v) => (v instanceof Map ? [...v] : v)),
    ).not.toContain('hunter2');
    expect((await call('kv/delete/app/db', { method: 'POST', body: { versions: [2] } })).status).toBe(204);
    expect((await call('kv/metadata/app/db')).body.data.versions['2'].deletion_time).toMatch(
      /^2026-11-02T10:00:00/,
    );
    expect((await call('kv/destroy/app/db', { method: 'PUT', body: { versions: [1] } })).status).toBe(204);
    expect((await call('kv/metadata/app/db')).body.data.versions['1'].destroyed).toBe(true);
    expect(
      (
        await call('kv/metadata/app/db', {
          method: 'POST',
          body: { delete_version_after: '1h30m', max_versions: 3 },
        })
      ).status,
    ).toBe(204);
    await call('kv/data/app/db', { method: 'POST', body: { data: {} } });
    const meta = (await call('kv/metadata/app/db')).body.data;
    expect(meta).toMatchObject({ current_version: 3, delete_version_after: '1h30m0s', max_versions: 3 });
    expect(meta.versions['3'].deletion_time).toMatch(/^2026-11-02T11:30:00/);
    now = new Date(T0.getTime() + 1000);
    for (let i = 0; i < 3; i++) await call('kv/data/app/db', { method: 'POST', body: { data: {} } });
    expect((await call('kv/metadata/app/db')).body.data).toMatchObject({
      current_version: 6,
      oldest_version: 4,
    });
    expect(server.violations).toBe(0);
  });

  it('tokens: lookup-self, revoke-self, and logins return the documented auth block', async () => {
    server = await startTestVault({
      auth: [{ method: 'approle', roleId: 'r', secretId: 's', policies: ['kv/metadata/*'] }],
    });
    expect((await call('auth/token/lookup-self')).body.data).toMatchObject({ policies: ['root'], ttl: 0 });
    const login = await call('auth/approle/login', {
      method: 'POST',
      token: null,
      body: { role_id: 'r', secret_id: 's' },
    });
    expect(login.body.auth).toMatchObject({
      client_token: expect.stringMatching(/^hvs\./),
      accessor: expect.any(String),
      policies: ['default', 'kv/metadata/*'],
      token_policies: ['default', 'kv/metadata/*'],
      lease_duration: expect.any(Number),
      renewable: true,
    });
    const token = login.body.auth.client_token as string;
    expect((await call('auth/token/lookup-self', { token })).status).toBe(200);
    expect((await call('auth/token/revoke-self', { method: 'POST', token })).status).toBe(204);
    expect((await call('auth/token/lookup-self', { token })).status).toBe(403);
    expect(
      (
        await call('auth/approle/login', {
          method: 'POST',
          token: null,
          body: { role_id: 'r', secret_id: 'no' },
        })
      ).body,
    ).toEqual({ errors: ['invalid role or secret ID'] });
    expect(server.requests.every((r) => !JSON.stringify(r).includes(token))).toBe(true);
  });

  it('namespaces: header or path prefix', async () => {
    server = await startTestVault({ namespaces: ['team-a'], mounts: [{ path: 'kv', namespace: 'team-a' }] });
    server.kv.write('kv', 'x', { namespace: 'team-a' });
    expect((await call('kv/metadata/x', { ns: 'team-a' })).status).toBe(200);
    expect((await call('team-a/kv/metadata/x')).status).toBe(200);
    expect((await call('kv/metadata/x')).status).toBe(404);
    expect((await call('sys/internal/ui/mounts/team-a/kv/x')).body.data.path).toBe('team-a/kv/');
    expect((await call('sys/internal/ui/mounts/kv/x', { ns: 'team-a' })).body.data.path).toBe('kv/');
    server.addToken('ns-token', { policies: ['kv/metadata/*'], namespace: 'team-a' });
    expect((await call('kv/metadata/x', { ns: 'team-a', token: 'ns-token' })).status).toBe(200);
    expect((await call('kv/metadata/x', { token: 'ns-token' })).status).toBe(403);
    expect(server.requests[0]).toMatchObject({ namespace: 'team-a', tokenPresent: true, status: 200 });
  });

  it('seal, health and fault injection', async () => {
    server = await startTestVault();
    expect((await call('sys/health', { token: null })).body).toMatchObject({
      initialized: true,
      sealed: false,
    });
    server.seal(true);
    expect(await call('kv/metadata/x')).toMatchObject({ status: 503, body: { errors: ['Vault is sealed'] } });
    expect(await call('sys/health', { token: null })).toMatchObject({ status: 503, body: { sealed: true } });
    server.seal(false);
    server.failNext(1, 429, { retryAfter: 2 });
    const limited = await call('kv/metadata/x');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    server.dropConnections(1);
    await expect(call('kv/metadata/x')).rejects.toThrow();
    expect((await call('kv/metadata/x')).status).toBe(404);
    expect(server.requests.map((r) => r.fault ?? null)).toEqual([null, 'sealed', null, 'fail', 'drop', null]);
  });

  it('formats and parses Go durations like Vault', () => {
    expect([0, 500, 1000, 90_000, 3_600_000, 12_319_000].map(formatGoDuration)).toEqual([
      '0s',
      '500ms',
      '1s',
      '1m30s',
      '1h0m0s',
      '3h25m19s',
    ]);
    expect(parseGoDuration('3h25m19s')).toBe(12_319_000);
    expect(parseGoDuration('90')).toBe(90_000);
    expect(parseGoDuration(1.5)).toBe(1500);
  });
});
