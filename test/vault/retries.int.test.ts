import { afterEach, describe, expect, it } from 'vitest';
import { VaultError } from '../../src/core/errors.js';
import {
  createVaultReader,
  type VaultReader,
  type VaultReaderOptions,
} from '../../src/adapters/vault/index.js';
import {
  expectMetadataOnly,
  metadataReadCounts,
  recordingSleep,
  startTestVault,
  startVaultDevServer,
  type VaultDevServer,
} from '../support/vault-server.js';

let server: VaultDevServer | undefined;
let reader: VaultReader | undefined;

afterEach(async () => {
  await reader?.close();
  if (server) expectMetadataOnly(server);
  await server?.close();
  server = undefined;
  reader = undefined;
});

async function setup(readerOpts: Partial<VaultReaderOptions> = {}) {
  server = await startTestVault();
  server.kv.write('kv', 'app/db');
  server.kv.write('kv', 'app/api');
  const rec = recordingSleep();
  reader = await createVaultReader({
    address: server.url,
    auth: { method: 'token', token: 'root' },
    backoff: { sleep: rec.sleep, random: () => 0 },
    ...readerOpts,
  });
  return { server, reader, delays: rec.delays };
}

describe('Vault reader: retries', () => {
  it('retries 500 twice, then reads once successfully (exponential backoff)', async () => {
    const { server, reader, delays } = await setup();
    server.failNext(2, 500, { path: 'metadata/app/db' });
    const out = await reader.read(['kv/app/db']);
    expect(out.get('kv/app/db')).toMatchObject({ state: 'ok', current: 1 });
    // base 250, "equal jitter" with random() = 0 gives half of 250·2^n
    expect(delays).toEqual([125, 250]);
    expect(reader.stats.retries).toBe(2);
    expect(server.requests.filter((r) => r.path === '/v1/kv/metadata/app/db').map((r) => r.status)).toEqual([
      500, 500, 200,
    ]);
  });

  it('retries 502 and 503 (not sealed) too', async () => {
    const { server, reader } = await setup();
    server.failNext(1, 502, { path: 'metadata' });
    server.failNext(1, 503, { path: 'metadata' });
    const out = await reader.read(['kv/app/db', 'kv/app/api']);
    expect([...out.values()].map((s) => s.state)).toEqual(['ok', 'ok']);
    expect(reader.stats.retries).toBe(2);
  });

  it('honours Retry-After on 429', async () => {
    const { server, reader, delays } = await setup();
    server.failNext(1, 429, { retryAfter: 3, path: 'metadata' });
    const out = await reader.read(['kv/app/db']);
    expect(out.get('kv/app/db')?.state).toBe('ok');
    expect(delays).toEqual([3000]);
  });

  it('caps a huge Retry-After at backoff.maxMs', async () => {
    const rec = recordingSleep();
    const { server, reader } = await setup({ backoff: { maxMs: 2000, sleep: rec.sleep } });
    server.failNext(1, 429, { retryAfter: 3600, path: 'metadata' });
    const out = await reader.read(['kv/app/db']);
    expect(out.get('kv/app/db')?.state).toBe('ok');
    expect(rec.delays).toEqual([2000]);
  });

  it('retries dropped connections (network errors)', async () => {
    const { server, reader } = await setup();
    server.dropConnections(2);
    const out = await reader.read(['kv/app/db', 'kv/app/api']);
    expect([...out.values()].map((s) => s.state)).toEqual(['ok', 'ok']);
    expect(reader.stats.retries).toBe(2);
    expect(server.requests.filter((r) => r.fault === 'drop')).toHaveLength(2);
    expect(metadataReadCounts(server).size).toBe(2);
  });

  it('retries timeouts', async () => {
    const { server, reader } = await setup({ timeoutMs: 30, retries: 1 });
    server.latencyMs = 150;
    const e = await reader.read(['kv/app/db']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VaultError);
    expect((e as VaultError).message).toMatch(/unreachable after 2 attempts \(last error ETIMEDOUT/);
    server.latencyMs = 0;
    // The timed-out attempts are still answered by the server later: wait, then drop them from the log.
    await new Promise((r) => setTimeout(r, 200));
    server.requests.splice(0);
  });

  it('gives up after `retries` on a persistent 500 with a VaultError', async () => {
    const { server, reader, delays } = await setup({ retries: 2 });
    server.failNext(10, 500, { path: 'metadata' });
    const e = await reader.read(['kv/app/db']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VaultError);
    expect((e as VaultError).message).toBe(
      `Vault at ${server.url} answered HTTP 500 to "kv/metadata/app/db" after 3 attempts. Try again later.`,
    );
    expect(delays).toHaveLength(2);
  });
});

describe('Vault reader: run-level failures', () => {
  it('a sealed Vault is a VaultError "is sealed" (at login)', async () => {
    server = await startTestVault();
    server.seal(true);
    const e = await createVaultReader({
      address: server.url,
      auth: { method: 'token', token: 'root' },
      backoff: { sleep: recordingSleep().sleep },
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VaultError);
    expect((e as VaultError).message).toMatch(new RegExp(`^Vault at ${server.url} is sealed`));
    expect(server.requests.every((r) => r.status === 503 && r.fault === 'sealed')).toBe(true);
  });

  it('a Vault sealed between login and reads is a VaultError "is sealed"', async () => {
    const { server, reader } = await setup();
    server.seal(true);
    const e = await reader.read(['kv/app/db']).catch((x: unknown) => x);
    expect((e as VaultError).message).toMatch(/is sealed/);
    expect(reader.stats.retries).toBe(4);
  });

  it('an unreachable address is a VaultError naming the address and the error code, after retries', async () => {
    const closed = await startVaultDevServer();
    const address = closed.url;
    await closed.close();
    const rec = recordingSleep();
    const e = await createVaultReader({
      address,
      auth: { method: 'token', token: 'root' },
      retries: 3,
      backoff: { sleep: rec.sleep, baseMs: 1 },
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VaultError);
    expect((e as VaultError).message).toBe(
      `Vault at ${address} is unreachable after 4 attempts (last error ECONNREFUSED on "auth/token/lookup-self"). Check VAULT_ADDR, the network and TLS settings.`,
    );
    expect((e as VaultError).code).toBe('VaultError');
    expect(rec.delays).toHaveLength(3);
  });

  it('does not put credentials of the address in messages', async () => {
    const e = await createVaultReader({
      address: 'http://user:hunter2@127.0.0.1:1',
      auth: { method: 'token', token: 'root' },
      retries: 0,
    }).catch((x: unknown) => x);
    expect((e as VaultError).message).toContain('http://127.0.0.1:1');
    expect((e as VaultError).message).not.toContain('hunter2');
  });
});
