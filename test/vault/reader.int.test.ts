import { afterEach, describe, expect, it } from 'vitest';
import {
  createVaultReader,
  type VaultReader,
  type VaultReaderOptions,
} from '../../src/adapters/vault/index.js';
import {
  detectionRequests,
  expectMetadataOnly,
  metadataReadCounts,
  recordingSleep,
  startTestVault,
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

const T0 = new Date('2026-11-02T10:00:00.000Z');

async function setup(
  serverOpts: Parameters<typeof startTestVault>[0] = {},
  readerOpts: Partial<VaultReaderOptions> = {},
): Promise<{ server: VaultDevServer; reader: VaultReader }> {
  server = await startTestVault({ clock: () => T0, ...serverOpts });
  reader = await createVaultReader({
    address: server.url,
    auth: { method: 'token', token: 'root' },
    clock: () => T0,
    backoff: { sleep: recordingSleep().sleep },
    ...readerOpts,
  });
  return { server, reader };
}

describe('Vault reader: secret states', () => {
  it('reads ok, missing, deleted and destroyed secrets with one detection and one read per path', async () => {
    const { server, reader } = await setup();
    server.kv.write('kv', 'app/db');
    server.kv.write('kv', 'app/db');
    server.kv.write('kv', 'app/api');
    server.kv.write('kv', 'gone/soft');
    server.kv.write('kv', 'gone/soft');
    server.kv.deleteVersions('kv', 'gone/soft');
    server.kv.write('kv', 'gone/hard');
    server.kv.destroyVersions('kv', 'gone/hard', [1]);
    // An older version deleted does not matter: only the current version counts.
    server.kv.write('kv', 'old-deleted');
    server.kv.write('kv', 'old-deleted');
    server.kv.deleteVersions('kv', 'old-deleted', [1]);

    const input = [
      'kv/app/db',
      'kv/data/app/db', // same secret, other spelling: read once
      'kv/metadata/app/api',
      'kv/nope',
      'kv/gone/soft',
      'kv/gone/hard',
      'kv/old-deleted',
      'kv/app/db', // duplicate
    ];
    const out = await reader.read(input);

    expect([...out.keys()].sort()).toEqual([...new Set(input)].sort());
    expect(out.get('kv/app/db')).toMatchObject({ state: 'ok', path: 'kv/app/db', current: 2 });
    expect(out.get('kv/app/db')?.state === 'ok' && out.get('kv/app/db')).toHaveProperty(
      'updatedTime',
      expect.stringMatching(/^2026-11-02T10:00:00\.\d{9}Z$/),
    );
    expect(out.get('kv/data/app/db')).toEqual(out.get('kv/app/db'));
    expect(out.get('kv/metadata/app/api')).toMatchObject({ state: 'ok', path: 'kv/app/api', current: 1 });
    expect(out.get('kv/nope')).toEqual({ state: 'missing', path: 'kv/nope' });
    expect(out.get('kv/gone/soft')).toMatchObject({ state: 'deleted', reason: 'deleted', current: 2 });
    expect(out.get('kv/gone/hard')).toMatchObject({ state: 'deleted', reason: 'destroyed', current: 1 });
    expect(out.get('kv/old-deleted')).toMatchObject({ state: 'ok', current: 2 });

    expect(detectionRequests(server)).toBe(1);
    expect([...metadataReadCounts(server).keys()].sort()).toEqual(
      ['app/api', 'app/db', 'gone/hard', 'gone/soft', 'nope', 'old-deleted'].map(
        (p) => `/v1/kv/metadata/${p}`,
      ),
    );
    expect(reader.stats).toMatchObject({ detections: 1, metadataReads: 6, retries: 0 });
    // lookup-self + 1 detection + 6 metadata reads
    expect(reader.stats.requests).toBe(8);
    expect(server.requests.filter((r) => r.path.includes('/data/'))).toEqual([]);
  });

  it('reports metadata written before any version (current_version 0) as missing', async () => {
    const { server, reader } = await setup();
    server.kv.updateMetadata('kv', 'empty', { customMetadata: { owner: 'team-a' } });
    const out = await reader.read(['kv/empty']);
    expect(out.get('kv/empty')).toEqual({ state: 'missing', path: 'kv/empty' });
  });

  it('treats a future deletion_time (delete_version_after) as live until the clock passes it', async () => {
    let now = T0;
    const { server, reader } = await setup({ clock: () => now }, { clock: () => now });
    server.kv.setDeleteVersionAfter('kv', 'short-lived', '1h');
    server.kv.write('kv', 'short-lived');
    expect(server.kv.get('kv', 'short-lived')?.versions.get(1)?.deletion_time).toMatch(
      /^2026-11-02T11:00:00\.\d{9}Z$/,
    );

    const before = await reader.read(['kv/short-lived']);
    expect(before.get('kv/short-lived')).toMatchObject({ state: 'ok', current: 1 });
    // Each phase reads the path once; start a fresh log so afterEach checks the last phase.
    expectMetadataOnly(server);
    server.requests.splice(0);

    now = new Date(T0.getTime() + 61 * 60_000);
    const reader2 = await createVaultReader({
      address: server.url,
      auth: { method: 'token', token: 'root' },
      clock: () => now,
    });
    const after = await reader2.read(['kv/short-lived']);
    await reader2.close();
    expect(after.get('kv/short-lived')).toMatchObject({ state: 'deleted', reason: 'deleted', current: 1 });
    expectMetadataOnly(server);
    server.requests.splice(0);
    // The same reader sees it too once its clock moves (it keeps no metadata between reads).
    const again = await reader.read(['kv/short-lived']);
    expect(again.get('kv/short-lived')).toMatchObject({ state: 'deleted', reason: 'deleted' });
  });

  it('gives forbidden with the exact policy line the token needs', async () => {
    const { server, reader } = await setup(
      { tokens: { limited: { policies: ['kv/metadata/app/*'] } } },
      { auth: { method: 'token', token: 'limited' } },
    );
    server.kv.write('kv', 'app/db');
    server.kv.write('kv', 'payments/db');
    const out = await reader.read(['kv/app/db', 'kv/payments/db']);
    expect(out.get('kv/app/db')).toMatchObject({ state: 'ok', current: 1 });
    const f = out.get('kv/payments/db');
    expect(f).toMatchObject({ state: 'forbidden', path: 'kv/payments/db' });
    expect(f?.state === 'forbidden' && f.message).toContain(
      'path "kv/metadata/payments/db" { capabilities = ["read"] }',
    );
    expect(detectionRequests(server)).toBe(1);
  });

  it('reports a mount the token cannot see (detection denied) as forbidden, with the policy line', async () => {
    const { reader } = await setup(
      { tokens: { limited: { policies: ['kv/metadata/*'] } } },
      { auth: { method: 'token', token: 'limited' } },
    );
    const out = await reader.read(['secret/app/db', 'nomount/x']);
    expect(out.get('secret/app/db')).toMatchObject({ state: 'forbidden', path: 'secret/app/db' });
    const msg = out.get('secret/app/db');
    expect(msg?.state === 'forbidden' && msg.message).toContain(
      'path "secret/metadata/app/db" { capabilities = ["read"] }',
    );
    expect(out.get('nomount/x')).toMatchObject({ state: 'forbidden', path: 'nomount/x' });
  });

  it('refuses KV v1 and non-KV mounts as unsupported, without reading values', async () => {
    const { server, reader } = await setup({
      mounts: [
        { path: 'kv', version: 2 },
        { path: 'legacy', version: 1 },
        { path: 'pki', type: 'pki' },
      ],
    });
    server.kv.write('legacy', 'app/db');
    const out = await reader.read(['legacy/app/db', 'legacy/other', 'pki/issue/web', 'kv']);
    expect(out.get('legacy/app/db')).toMatchObject({ state: 'unsupported', path: 'legacy/app/db' });
    const m = out.get('legacy/app/db');
    expect(m?.state === 'unsupported' && m.message).toMatch(/KV version 1/);
    expect(out.get('legacy/other')).toMatchObject({ state: 'unsupported' });
    expect(out.get('pki/issue/web')).toMatchObject({ state: 'unsupported' });
    expect(out.get('kv')).toMatchObject({ state: 'unsupported' });
    // One detection per mount (the bare "kv" path costs its own), no metadata read at all.
    expect(detectionRequests(server)).toBe(3);
    expect(metadataReadCounts(server).size).toBe(0);
  });

  it('detects a multi-segment mount and splits data/ after it', async () => {
    const { server, reader } = await setup({
      mounts: [
        { path: 'team-a/kv', version: 2 },
        { path: 'team-a/other', version: 2 },
      ],
    });
    server.kv.write('team-a/kv', 'app/db');
    server.kv.write('team-a/kv', 'app/db');
    server.kv.write('team-a/other', 'x');
    const out = await reader.read([
      'team-a/kv/data/app/db', // as the core normalises it without configured mounts
      'team-a/kv/app/db',
      'team-a/kv/app/missing',
      'team-a/other/x',
    ]);
    expect(out.get('team-a/kv/data/app/db')).toMatchObject({
      state: 'ok',
      path: 'team-a/kv/app/db',
      current: 2,
    });
    expect(out.get('team-a/kv/app/db')).toMatchObject({ state: 'ok', path: 'team-a/kv/app/db' });
    expect(out.get('team-a/kv/app/missing')).toMatchObject({
      state: 'missing',
      path: 'team-a/kv/app/missing',
    });
    expect(out.get('team-a/other/x')).toMatchObject({ state: 'ok', path: 'team-a/other/x', current: 1 });
    expect(detectionRequests(server)).toBe(2);
  });

  it('makes no detection request when mounts are configured', async () => {
    const { server, reader } = await setup(
      { mounts: [{ path: 'team-a/kv', version: 2 }, { path: 'kv' }] },
      { mounts: ['kv', 'team-a/kv'] },
    );
    server.kv.write('team-a/kv', 'app/db');
    server.kv.write('kv', 'web');
    const out = await reader.read(['team-a/kv/data/app/db', 'kv/web', 'elsewhere/x']);
    expect(out.get('team-a/kv/data/app/db')).toMatchObject({ state: 'ok', path: 'team-a/kv/app/db' });
    expect(out.get('kv/web')).toMatchObject({ state: 'ok', path: 'kv/web' });
    expect(out.get('elsewhere/x')).toMatchObject({ state: 'unsupported' });
    expect(detectionRequests(server)).toBe(0);
    expect(reader.stats.detections).toBe(0);
  });

  it('reads 1,000 secrets with one detection and one read each, never more than `concurrency` at once', async () => {
    const { server, reader } = await setup({}, { concurrency: 8 });
    const paths: string[] = [];
    for (let i = 0; i < 1000; i++) {
      server.kv.write('kv', `bulk/s${i}`);
      paths.push(`kv/bulk/s${i}`);
    }
    server.latencyMs = 1;
    const out = await reader.read(paths);
    expect([...out.values()].every((s) => s.state === 'ok')).toBe(true);
    expect(detectionRequests(server)).toBe(1);
    expect(metadataReadCounts(server).size).toBe(1000);
    expect(reader.stats.requests).toBe(1 + 1 + 1000);
    expect(server.maxInFlight).toBeLessThanOrEqual(8);
    expect(server.maxInFlight).toBeGreaterThan(1);
  });

  it('keeps detected mounts across read() calls', async () => {
    const { server, reader } = await setup();
    server.kv.write('kv', 'a');
    await reader.read(['kv/a', 'kv/b']);
    await reader.read(['kv/c']);
    expect(detectionRequests(server)).toBe(1);
  });
});

describe('Vault reader: namespaces', () => {
  it('sends X-Vault-Namespace and finds secrets in that namespace only', async () => {
    const { server, reader } = await setup(
      { namespaces: ['team-a'], mounts: [{ path: 'kv', namespace: 'team-a' }, { path: 'kv' }] },
      { namespace: 'team-a' },
    );
    server.kv.write('kv', 'app/db', { namespace: 'team-a' });
    server.kv.write('kv', 'app/db', { namespace: 'team-a' });
    server.kv.write('kv', 'root-only');
    const out = await reader.read(['kv/app/db', 'kv/root-only']);
    expect(out.get('kv/app/db')).toMatchObject({ state: 'ok', current: 2 });
    expect(out.get('kv/root-only')).toMatchObject({ state: 'missing' });
    const nsOf = new Set(server.requests.map((r) => r.namespace));
    expect(nsOf).toEqual(new Set(['team-a']));
  });

  it('without the namespace, a namespaced secret is not found', async () => {
    const { server, reader } = await setup({
      namespaces: ['team-a'],
      mounts: [{ path: 'kv', namespace: 'team-a' }],
    });
    server.kv.write('kv', 'app/db', { namespace: 'team-a' });
    const out = await reader.read(['kv/app/db']);
    expect(out.get('kv/app/db')?.state).toBe('forbidden');
  });
});
