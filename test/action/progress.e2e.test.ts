/**
 * End to end: the built Action logs the progress of long phases in the job log (a job log is no terminal:
 * plain lines, at most one per interval), and nothing of it reaches the outputs or the summary.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { OUTPUT_40, seedOutput40 } from '../support/output-40.js';
import { startTestVault, type VaultDevServer } from '../support/vault-server.js';
import { runActionEntry } from './run-action.js';

let tmp: string;
let vault: VaultDevServer;
let git: GitServer;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vr-action-progress-'));
  vault = await startTestVault({ mounts: [{ path: 'kv', version: 2 }] });
  seedOutput40(vault);
  git = await startGitServer({ tmpRoot: tmp });
});

afterAll(async () => {
  await git?.close();
  await vault?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

it('logs Vault reads, writing the commit and the push as plain lines', async () => {
  const files: Record<string, string> = {};
  for (const entry of await readdir(OUTPUT_40, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = join(entry.parentPath, entry.name);
      files[relative(OUTPUT_40, full)] = await readFile(full, 'utf8');
    }
  }
  delete files['clusters/prod/analytics/warehouse-sync.yaml']; // its secret is missing: blocked
  await git.createBareRepo('progress', files, { branch: 'main' });
  vault.latencyMs = 10;
  try {
    const r = await runActionEntry(
      { repo: git.repoUrl('progress'), mode: 'commit', 'vault-address': vault.url, 'vault-token': 'root' },
      { tmp, githubToken: 'ghs_unused', env: { VAULT_ROLLOUT_PROGRESS_INTERVAL_MS: '2' } },
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs['commit-sha']).toMatch(/^[0-9a-f]{40}$/);
    const log = r.stdout + r.stderr;
    expect(log).toMatch(/^Reading Vault metadata: \d+ of 41 secret\(s\) \(\d+ s\)$/m);
    expect(log).toMatch(/^Reading Vault metadata: done, 41 secret\(s\) in \d+ s$/m);
    expect(log).toMatch(/^Writing the commit: done, 8 file\(s\) in \d+ s$/m);
    expect(log).toMatch(/^Pushing: done in \d+ s$/m);
    expect(log).not.toContain('\r');
    expect(r.summary).not.toContain('Reading Vault metadata');
  } finally {
    vault.latencyMs = 0;
  }
});
