/**
 * The servers an end-to-end suite of the built CLI runs against: the Vault test server (KV v2 at `kv/`),
 * the real `git http-backend` test server, and a temporary folder, started before the suite's tests and
 * closed after them.
 *
 * @example
 * const s = useE2eServers('vr-pin-e2e-', (vault) => vault.kv.write('kv', 'payments/db'));
 * it('...', async () => { await s.git.createBareRepo('pay', FILES); await runCli([...], s.env); });
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startGitServer, type GitServer } from './git-server.js';
import { startTestVault, type VaultDevServer } from './vault-server.js';

export interface E2eServers {
  readonly vault: VaultDevServer;
  readonly git: GitServer;
  /** The temporary folder (the git server's repositories live in it). */
  readonly tmp: string;
  /** `VAULT_ADDR` and `VAULT_TOKEN` for the CLI. */
  readonly env: Record<string, string>;
}

/** Registers beforeAll/afterAll hooks; the fields are set once the suite starts. */
export function useE2eServers(prefix: string, seed: (vault: VaultDevServer) => void = () => {}): E2eServers {
  const s = {} as { vault: VaultDevServer; git: GitServer; tmp: string; env: Record<string, string> };
  beforeAll(async () => {
    s.tmp = await mkdtemp(join(tmpdir(), prefix));
    s.vault = await startTestVault({ mounts: [{ path: 'kv', version: 2 }] });
    seed(s.vault);
    s.git = await startGitServer({ tmpRoot: s.tmp });
    s.env = { VAULT_ADDR: s.vault.url, VAULT_TOKEN: s.vault.rootToken };
  });
  afterAll(async () => {
    await s.git?.close();
    await s.vault?.close();
    if (s.tmp) await rm(s.tmp, { recursive: true, force: true });
  });
  return s;
}
