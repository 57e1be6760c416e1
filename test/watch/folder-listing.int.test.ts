/**
 * OpenBao's folder listing (`LIST <mount>/detailed-metadata/<folder>`) against the dev server's OpenBao
 * flavour: one request per folder (per page of 1,000), the same statuses as per-secret reads, and a
 * fallback to per-secret reads, remembered per folder, where Vault has no such endpoint or the token may
 * not list.
 */
import { afterEach, expect, it } from 'vitest';
import { createVaultReader, type VaultReader } from '../../src/adapters/vault/index.js';
import { FolderListingReader, type ListingSupport } from '../../src/watch/folder-listing.js';
import {
  expectMetadataOnly,
  metadataReadCounts,
  recordingSleep,
  startTestVault,
  type VaultDevServer,
} from '../support/vault-server.js';

let server: VaultDevServer | undefined;
let inner: VaultReader | undefined;
let checkFrom = 0;

afterEach(async () => {
  await inner?.close();
  if (server) expectMetadataOnly(server, checkFrom);
  checkFrom = 0;
  await server?.close();
  server = undefined;
  inner = undefined;
});

const listings = (s: VaultDevServer, since = 0) =>
  s.requests.slice(since).filter((r) => r.path.includes('/detailed-metadata/'));

async function setup(flavour: 'vault' | 'openbao', token = 'root', policies?: string[]) {
  server = await startTestVault({
    flavour,
    mounts: [{ path: 'kv', version: 2 }],
    ...(policies ? { tokens: { [token]: { policies } } } : {}),
  });
  inner = await createVaultReader({
    address: server.url,
    auth: { method: 'token', token },
    backoff: { sleep: recordingSleep().sleep },
  });
  const support: ListingSupport = new Map();
  return { server, reader: new FolderListingReader(inner, support, 'test'), support };
}

it('reads a folder of secrets in one listing, with the states per-secret reads give', async () => {
  const { server, reader, support } = await setup('openbao');
  server.kv.write('kv', 'app/db');
  server.kv.write('kv', 'app/db');
  server.kv.write('kv', 'app/api');
  server.kv.write('kv', 'app/gone');
  server.kv.deleteVersions('kv', 'app/gone');
  server.kv.write('kv', 'app/nested/deeper');
  server.kv.write('kv', 'solo/one');
  const since = server.requests.length;
  const read = await reader.read(['kv/app/db', 'kv/app/api', 'kv/app/gone', 'kv/app/absent', 'kv/solo/one']);
  expect(read.get('kv/app/db')).toMatchObject({ state: 'ok', current: 2 });
  expect(read.get('kv/app/api')).toMatchObject({ state: 'ok', current: 1 });
  expect(read.get('kv/app/gone')).toMatchObject({ state: 'deleted', current: 1, reason: 'deleted' });
  expect(read.get('kv/app/absent')).toEqual({ state: 'missing', path: 'kv/app/absent' });
  // One secret in its folder: one metadata read, no listing.
  expect(read.get('kv/solo/one')).toMatchObject({ state: 'ok', current: 1 });
  expect(listings(server, since).map((r) => r.path)).toEqual(['/v1/kv/detailed-metadata/app/']);
  expect([...metadataReadCounts(server, since).keys()]).toEqual(['/v1/kv/metadata/solo/one']);
  expect(support.get('test\u0000kv/app/')).toBe('list');
});

it('pages through a folder of 2,500 secrets with after/limit: three requests', async () => {
  const { server, reader } = await setup('openbao');
  const paths: string[] = [];
  for (let i = 0; i < 2_500; i++) {
    const name = `big/s${String(i).padStart(4, '0')}`;
    server.kv.write('kv', name);
    paths.push(`kv/${name}`);
  }
  server.kv.write('kv', 'big/s1234');
  const since = server.requests.length;
  const read = await reader.read(paths);
  expect(read.size).toBe(2_500);
  expect([...read.values()].every((s) => s.state === 'ok')).toBe(true);
  expect(read.get('kv/big/s1234')).toMatchObject({ current: 2 });
  const pages = listings(server, since).map((r) => new URLSearchParams(r.query));
  expect(pages.map((q) => [q.get('limit'), q.get('after')])).toEqual([
    ['1000', null],
    ['1000', 's0999'],
    ['1000', 's1999'],
  ]);
  expect(metadataReadCounts(server, since).size).toBe(0);
});

it('on Vault (no detailed-metadata endpoint) falls back to per-secret reads and does not try again', async () => {
  const { server, reader, support } = await setup('vault');
  server.kv.write('kv', 'app/db');
  server.kv.write('kv', 'app/api');
  const first = await reader.read(['kv/app/db', 'kv/app/api']);
  expect(first.get('kv/app/db')).toMatchObject({ state: 'ok', current: 1 });
  expect(listings(server)).toHaveLength(1);
  expect(support.get('test\u0000kv/app/')).toBe('read');
  const since = server.requests.length;
  server.kv.write('kv', 'app/db');
  const second = await reader.read(['kv/app/db', 'kv/app/api']);
  expect(second.get('kv/app/db')).toMatchObject({ state: 'ok', current: 2 });
  expect(listings(server, since)).toHaveLength(0);
  expect(metadataReadCounts(server, since).size).toBe(2);
  // Read twice on purpose: the usual "never read twice" check counts from the second read on.
  checkFrom = since;
});

it('on OpenBao with a token that may read metadata but not list the folder: per-secret reads', async () => {
  const { server, reader, support } = await setup('openbao', 'reader-token', ['kv/metadata/*']);
  server.kv.write('kv', 'app/db');
  server.kv.write('kv', 'app/api');
  const read = await reader.read(['kv/app/db', 'kv/app/api']);
  expect(read.get('kv/app/api')).toMatchObject({ state: 'ok', current: 1 });
  expect(listings(server).map((r) => r.status)).toEqual([403]);
  expect(support.get('test\u0000kv/app/')).toBe('read');
});
