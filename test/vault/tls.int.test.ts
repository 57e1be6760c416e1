import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultError } from '../../src/core/errors.js';
import { selfSignedCert } from '../support/tls.js';
import { createVaultReader } from '../../src/adapters/vault/index.js';
import {
  expectMetadataOnly,
  recordingSleep,
  startTestVault,
  type VaultDevServer,
} from '../support/vault-server.js';

let server: VaultDevServer;
let cert: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vault-rollout-tls-'));
  const made = await selfSignedCert(dir);
  cert = made.cert;
  server = await startTestVault({ tls: { key: made.key, cert } });
  server.kv.write('kv', 'app/db');
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Vault reader over HTTPS', () => {
  it('trusts Vault through caCert', async () => {
    expect(server.url).toMatch(/^https:/);
    const since = server.requests.length;
    const reader = await createVaultReader({
      address: server.url,
      caCert: cert,
      auth: { method: 'token', token: 'root' },
    });
    expect((await reader.read(['kv/app/db'])).get('kv/app/db')).toMatchObject({ state: 'ok', current: 1 });
    await reader.close();
    expectMetadataOnly(server, since);
  });

  it('fails at once, without retries, on an untrusted certificate', async () => {
    const rec = recordingSleep();
    const e = await createVaultReader({
      address: server.url,
      auth: { method: 'token', token: 'root' },
      backoff: { sleep: rec.sleep },
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(VaultError);
    expect((e as VaultError).message).toMatch(
      /TLS verification of Vault at https:\/\/127\.0\.0\.1:\d+ failed \(\w+\)\. Set VAULT_CACERT/,
    );
    expect(rec.delays).toEqual([]);
  });

  it('skipVerify accepts any certificate', async () => {
    const since = server.requests.length;
    const reader = await createVaultReader({
      address: server.url,
      skipVerify: true,
      auth: { method: 'token', token: 'root' },
    });
    expect((await reader.read(['kv/app/db'])).get('kv/app/db')?.state).toBe('ok');
    await reader.close();
    expectMetadataOnly(server, since);
  });
});
