/**
 * A run stopped by SIGTERM (a CronJob's pod being stopped) or SIGINT (Ctrl-C) removes its temporary
 * clone on the way out and exits 128 + the signal number; nothing is left in TMPDIR. Run `npm run build`
 * first.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { useE2eServers } from '../support/e2e-servers.js';
import { cliPath } from '../support/run-cli.js';

const FILES = {
  'apps/web.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    vault-rollout/secrets: kv/web/db
spec:
  template:
    spec:
      containers: [{ name: web, image: web }]
`,
};

const servers = useE2eServers('vr-signal-e2e-', (vault) => vault.kv.write('kv', 'web/db'));

for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  it(`${signal} while Vault is being read: the clone is removed, exit ${code}`, async () => {
    await servers.git.createBareRepo(`sig-${signal}`, FILES, { branch: 'main' });
    const tmp = await mkdtemp(join(tmpdir(), 'vr-signal-tmp-'));
    // Slow answers keep the run inside the Vault phase, with the clone on disk, when the signal comes.
    servers.vault.latencyMs = 5_000;
    try {
      const child = spawn(
        process.execPath,
        [cliPath, 'apply', '--repo', servers.git.repoUrl(`sig-${signal}`), '--format', 'json'],
        { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmp, TMPDIR: tmp, ...servers.env } },
      );
      let stderr = '';
      const exited = new Promise<number | null>((done) => child.on('close', (c) => done(c)));
      await new Promise<void>((ready, fail) => {
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (stderr.includes('Reading metadata')) ready();
        });
        child.on('close', () => fail(new Error(`exited before reading Vault: ${stderr}`)));
      });
      expect((await readdir(tmp)).some((f) => f.startsWith('vault-rollout-'))).toBe(true);
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(await readdir(tmp)).toEqual([]);
      expect(stderr).not.toMatch(/at .+\.js:\d+/);
    } finally {
      servers.vault.latencyMs = 0;
      await rm(tmp, { recursive: true, force: true });
    }
  }, 30_000);
}
