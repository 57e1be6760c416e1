/**
 * Test helpers around the Vault dev server (src/dev/vault-dev-server.ts): start one with test defaults,
 * and assert the two invariants every Vault test checks — no value read, no metadata path read twice.
 */
import { expect } from 'vitest';
import {
  startVaultDevServer,
  type VaultDevServer,
  type VaultDevServerOptions,
} from '../../src/dev/vault-dev-server.js';

export * from '../../src/dev/vault-dev-server.js';

/** A dev server with KV v2 at `kv` and `secret` (unless `mounts` is given) and root token `root`. */
export function startTestVault(options: VaultDevServerOptions = {}): Promise<VaultDevServer> {
  return startVaultDevServer({ rootToken: 'root', ...options });
}

/** Answered (not fault-injected) metadata reads, per path, from request number `since` on. */
export function metadataReadCounts(server: VaultDevServer, since = 0): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of server.requests.slice(since)) {
    if (r.fault || r.method !== 'GET' || !/^\/v1\/.+\/metadata\//.test(r.path) || /(^|&)list=/.test(r.query))
      continue;
    counts.set(r.path, (counts.get(r.path) ?? 0) + 1);
  }
  return counts;
}

export function detectionRequests(server: VaultDevServer): number {
  return server.requests.filter((r) => r.path.startsWith('/v1/sys/internal/ui/mounts/')).length;
}

/**
 * No value was read, and no metadata path was answered twice (counting from request number `since`,
 * for tests that run several readers or read() calls one after another).
 */
export function expectMetadataOnly(server: VaultDevServer, since = 0): void {
  expect(server.violationRequests).toEqual([]);
  expect(server.violations).toBe(0);
  const twice = [...metadataReadCounts(server, since)].filter(([, n]) => n > 1);
  expect(twice).toEqual([]);
}

/** A sleep that records the delays and returns at once, so retry tests take milliseconds. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms: number) => {
      delays.push(ms);
    },
  };
}
