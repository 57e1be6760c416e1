/**
 * SIGTERM / SIGINT at any point of a URL-mode run (clone, reading files, Vault, commit, push) leaves
 * nothing in TMPDIR: git children are stopped and waited for, folders being made are awaited, and every
 * folder is removed before the exit (128 + the signal number). Each run has its own TMPDIR, checked
 * empty afterwards. Run `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useE2eServers } from '../support/e2e-servers.js';
import { cliPath } from '../support/run-cli.js';
import { vaultDeployment } from './hostile-repo.js';

/** Enough files that the clone, the read and the commit each take a while. */
const FILES: Record<string, string> = {};
for (let i = 0; i < 600; i++) FILES[`apps/app-${i}.yaml`] = vaultDeployment(`app-${i}`, 'kv/web/db');

const s = useE2eServers('vr-temp-cleanup-', (vault) => vault.kv.write('kv', 'web/db'));
let base: string;
let repos = 0;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'vr-temp-cleanup-tmp-'));
});
afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

interface Stopped {
  code: number | null;
  stderr: string;
  left: string[];
  ms: number;
}

/** One `apply` on a fresh remote, signalled `afterMs` after it starts (never when null). */
async function applyAndSignal(
  afterMs: number | null,
  signal: NodeJS.Signals = 'SIGTERM',
  engine = 'native',
): Promise<Stopped> {
  const name = `r${repos++}`;
  await s.git.createBareRepo(name, FILES, { branch: 'main' });
  const tmp = await mkdtemp(join(base, `${name}-`));
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [cliPath, 'apply', '--repo', s.git.repoUrl(name), '--format', 'json'],
    {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: tmp,
        TMPDIR: tmp,
        VAULT_ROLLOUT_GIT: engine,
        ...s.env,
      },
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  // Killed by the signal itself (code null) only before the CLI has installed its handlers, when it has
  // made nothing yet: a shell reports that as 128 + the signal number too.
  const exited = new Promise<number | null>((done) =>
    child.on('close', (c, killedBy) => done(killedBy ? 128 + osConstants.signals[killedBy] : c)),
  );
  const timer = afterMs === null ? undefined : setTimeout(() => child.kill(signal), afterMs);
  const code = await exited;
  clearTimeout(timer);
  return { code, stderr, left: await readdir(tmp), ms: performance.now() - started };
}

describe('a signal at any point of a URL-mode run', () => {
  let whole = 0;

  it('a run left alone commits and leaves TMPDIR empty (and says how long a run takes)', async () => {
    const r = await applyAndSignal(null);
    expect(r.code, r.stderr).toBe(0);
    expect(r.left).toEqual([]);
    whole = r.ms;
  }, 60_000);

  const points = { native: [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95], isomorphic: [0.1, 0.4, 0.7, 0.9] };
  for (const [engine, fractions] of Object.entries(points)) {
    for (const fraction of fractions) {
      it(`${engine} git, SIGTERM at ${Math.round(fraction * 100)}% of a run: exit 143 (or done), TMPDIR empty`, async () => {
        const r = await applyAndSignal(Math.round(whole * fraction), 'SIGTERM', engine);
        expect([143, 0], r.stderr).toContain(r.code);
        expect(r.left, `left in TMPDIR after exit ${r.code}`).toEqual([]);
        expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      }, 60_000);
    }
  }

  it('SIGINT during the clone: exit 130, TMPDIR empty', async () => {
    const r = await applyAndSignal(Math.max(30, Math.round(whole * 0.1)), 'SIGINT');
    expect([130, 0], r.stderr).toContain(r.code);
    expect(r.left).toEqual([]);
  }, 60_000);
});
