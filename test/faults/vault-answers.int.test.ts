/**
 * Vault answers that are not what Vault documents, through a fault-injecting proxy in front of the test
 * server: each fails the read with one clear VaultError (the run then exits 1 and publishes nothing),
 * never a `missing` secret; a too large or too slow answer is cut off by the size cap and the deadline.
 * Also: secret paths that would leave the metadata API are never sent, and cannot poison mount detection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultReader, type VaultReaderOptions } from '../../src/adapters/vault/index.js';
import { VaultError } from '../../src/core/errors.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { expectMetadataOnly, startTestVault, type VaultDevServer } from '../support/vault-server.js';

let vault: VaultDevServer;
let proxy: FaultProxy;

beforeAll(async () => {
  vault = await startTestVault({ mounts: [{ path: 'kv', version: 2 }] });
  vault.kv.write('kv', 'app/db');
  vault.kv.write('kv', 'app/db');
  vault.kv.write('kv', 'app/api');
  proxy = await startFaultProxy(vault.url);
  proxy.on(/\/kv\/metadata\/html$/, {
    kind: 'body',
    contentType: 'text/html',
    body: '<!doctype html><html><body>Sign in to continue</body></html>',
  });
  proxy.on(/\/kv\/metadata\/truncated$/, { kind: 'body', body: '{"data":{"current_version":3,"vers' });
  proxy.on(/\/kv\/metadata\/no-version$/, { kind: 'body', body: '{"data":{"versions":{}}}' });
  proxy.on(/\/kv\/metadata\/string-version$/, { kind: 'body', body: '{"data":{"current_version":"3"}}' });
  proxy.on(/\/kv\/metadata\/empty$/, { kind: 'body', body: '' });
  proxy.on(/\/kv\/metadata\/not-found-html$/, {
    kind: 'body',
    status: 404,
    contentType: 'text/html',
    body: '<html>404</html>',
  });
  proxy.on(/\/kv\/metadata\/huge$/, { kind: 'huge', bytes: 64 * 1024 * 1024 });
  proxy.on(/\/kv\/metadata\/slow$/, { kind: 'trickle', everyMs: 200 });
  proxy.on(/\/sys\/internal\/ui\/mounts\/other\/x$/, {
    kind: 'body',
    body: '{"data":{"path":"sys/","type":"system","options":null}}',
  });
  proxy.on(/\/sys\/internal\/ui\/mounts\/garbled\/x$/, { kind: 'body', body: '{"data":{"type":"kv"}}' });
});

afterAll(async () => {
  await proxy?.close();
  await vault?.close();
});

const reader = (over: Partial<VaultReaderOptions> = {}) =>
  createVaultReader({
    address: proxy.url,
    auth: { method: 'token', token: vault.rootToken },
    retries: 0,
    ...over,
  });

async function readError(path: string, over: Partial<VaultReaderOptions> = {}): Promise<VaultError> {
  const r = await reader(over);
  try {
    await r.read([path]);
  } catch (e) {
    return e as VaultError;
  } finally {
    await r.close();
  }
  throw new Error(`reading "${path}" did not fail`);
}

describe('a 200 that is not the documented metadata JSON is a run error, never "missing"', () => {
  it.each([
    ['html', 'a JSON body'],
    ['truncated', 'a JSON body'],
    ['empty', 'KV v2 metadata with data.current_version'],
    ['no-version', 'KV v2 metadata with data.current_version'],
    ['string-version', 'KV v2 metadata with data.current_version'],
  ])('kv/%s', async (name, expected) => {
    const err = await readError(`kv/${name}`, { mounts: ['kv'] });
    expect(err).toBeInstanceOf(VaultError);
    expect(err.message).toBe(
      `Vault at ${proxy.url} answered "kv/metadata/${name}" with HTTP 200 but not the expected JSON (${expected}); a proxy or a server that is not Vault may be in the way. Check VAULT_ADDR.`,
    );
    expect(err.message).not.toContain('Sign in');
  });

  it('a 404 with an HTML page is still a missing secret', async () => {
    const r = await reader({ mounts: ['kv'] });
    try {
      expect((await r.read(['kv/not-found-html'])).get('kv/not-found-html')).toEqual({
        state: 'missing',
        path: 'kv/not-found-html',
      });
    } finally {
      await r.close();
    }
  });

  it('a mount lookup answer without data.path is a run error', async () => {
    const err = await readError('garbled/x');
    expect(err.message).toContain(
      'answered "sys/internal/ui/mounts/garbled/x" with HTTP 200 but not the expected JSON (a mount with data.path and data.type)',
    );
  });
});

describe('bounded requests', () => {
  it('a body over the size cap is abandoned at once, without a retry', async () => {
    const before = proxy.seen.length;
    const err = await readError('kv/huge', { mounts: ['kv'], maxResponseBytes: 1024 * 1024, retries: 3 });
    expect(err.message).toBe(
      `Vault at ${proxy.url} answered "kv/metadata/huge" with more than 1048576 bytes; vault-rollout stopped reading (raise vault.maxResponseBytes if this is expected).`,
    );
    expect(proxy.seen.slice(before).filter((p) => p.includes('/huge'))).toHaveLength(1);
  });

  it('a body dribbled out slower than the deadline fails after the deadline, not after the idle timeout', async () => {
    const started = Date.now();
    const err = await readError('kv/slow', { mounts: ['kv'], deadlineMs: 600, timeoutMs: 10_000 });
    expect(err.message).toBe(
      `Vault at ${proxy.url} did not answer "kv/metadata/slow" completely within 0.6 s, 1 attempt(s) (raise vault.timeoutSeconds if it is just slow).`,
    );
    // Bytes arrive every 200 ms, so the idle timeout alone would have waited for the whole body (~6 s).
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('paths that would leave the metadata API', () => {
  it('are refused by the reader and never sent; the rest of the mount reads normally', async () => {
    const since = vault.requests.length;
    const sentBefore = proxy.seen.length;
    const r = await reader();
    try {
      const out = await r.read([
        'kv/../../sys',
        'kv/x/../../data/app/db',
        'kv/%2e%2e/sys',
        'kv/app/db',
        'kv/app/api',
      ]);
      expect(out.get('kv/../../sys')).toEqual({
        state: 'forbidden',
        path: 'kv/../../sys',
        message: 'vault-rollout refuses to read "kv/../../sys": it has a ".." segment',
      });
      expect(out.get('kv/x/../../data/app/db')?.state).toBe('forbidden');
      expect(out.get('kv/%2e%2e/sys')?.state).toBe('forbidden');
      // The mount cache for `kv` was not poisoned: both secrets read as KV v2.
      expect(out.get('kv/app/db')).toMatchObject({ state: 'ok', current: 2 });
      expect(out.get('kv/app/api')).toMatchObject({ state: 'ok', current: 1 });
    } finally {
      await r.close();
    }
    const sent = proxy.seen.slice(sentBefore);
    expect(sent.filter((p) => /\/\.\.?(\/|$)|%2e|%2f/i.test(p))).toEqual([]);
    expect(vault.requests.slice(since).map((q) => q.path)).toEqual([
      '/v1/auth/token/lookup-self',
      '/v1/sys/internal/ui/mounts/kv/app/db',
      '/v1/kv/metadata/app/db',
      '/v1/kv/metadata/app/api',
    ]);
    expectMetadataOnly(vault, since);
  });

  it('a mount lookup answer naming a mount that does not hold the asked path answers for nothing else', async () => {
    const r = await reader();
    try {
      const out = await r.read(['other/x', 'kv/app/db']);
      expect(out.get('other/x')).toMatchObject({ state: 'unsupported' });
      expect(out.get('kv/app/db')).toMatchObject({ state: 'ok', current: 2 });
    } finally {
      await r.close();
    }
  });
});
