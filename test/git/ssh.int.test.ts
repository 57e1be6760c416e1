/**
 * A checkout whose `origin` is SSH, against a real OpenSSH server on 127.0.0.1 (test/support/sshd.ts): the
 * git CLI engine pushes with the checkout's own SSH setup (`core.sshCommand`: its key and known-hosts
 * file), through the CLI as a person runs it; the isomorphic-git fallback refuses it and says why.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runGit, startGitServer, type GitServer } from '../support/git-server.js';
import { runCli } from '../support/run-cli.js';
import { expectMetadataOnly, startTestVault, type VaultDevServer } from '../support/vault-server.js';
import { startSshd, sshdUnavailable, type Sshd } from '../support/sshd.js';
import { gitTestEnv, open, tempDir } from './helpers.js';

const why = sshdUnavailable();
if (why) console.log(`test/git/ssh.int.test.ts skipped: ${why}`);

describe.skipIf(why !== null)('local checkout with an SSH origin (OpenSSH on 127.0.0.1)', () => {
  let server: GitServer;
  let sshd: Sshd;
  let vault: VaultDevServer;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const env = { ...gitTestEnv } as NodeJS.ProcessEnv;
  const manifest = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    '  annotations:',
    '    vault-rollout/secrets: kv/web/db',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: web:1',
    '',
  ].join('\n');

  beforeAll(async () => {
    server = await startGitServer();
    sshd = (await startSshd())!;
    vault = await startTestVault({ mounts: [{ path: 'kv', version: 2 }] });
    vault.kv.write('kv', 'web/db');
    vault.kv.write('kv', 'web/db');
    tmp = await tempDir();
  });
  afterAll(async () => {
    await sshd?.close();
    await server?.close();
    await vault?.close();
    await tmp?.cleanup();
  });

  async function sshCheckout(name: string): Promise<string> {
    await server.createBareRepo(name, { 'apps/web.yaml': manifest });
    const dir = path.join(tmp.dir, name);
    await runGit(
      ['-c', `core.sshCommand=${sshd.sshCommand}`, 'clone', '-q', sshd.url(server.repoPath(name)), dir],
      {
        env,
      },
    );
    // The person's own setup, as ~/.ssh/config or core.sshCommand would hold it.
    await runGit(['config', 'core.sshCommand', sshd.sshCommand], { cwd: dir, env });
    return dir;
  }

  it('apply commits and pushes over SSH, and the checkout ends equal to its origin', async () => {
    const name = 'ssh-apply';
    const dir = await sshCheckout(name);
    const run = await runCli(['apply', '--repo', dir, '--format', 'json'], {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: tmp.dir,
      GIT_CONFIG_NOSYSTEM: '1',
      VAULT_ADDR: vault.url,
      VAULT_TOKEN: vault.rootToken,
    });
    expect(run.stderr).not.toMatch(/at .+\.js:\d+/);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { commit: string; summary: { record: number } };
    expect(report.summary.record).toBe(1);
    expect(await server.head(name, 'main')).toBe(report.commit);
    expect(await server.readFile(name, 'main', 'apps/web.yaml')).toContain(
      'vault-rollout/secret-versions: kv/web/db@2',
    );
    const git = async (...args: string[]) => (await runGit(args, { cwd: dir, env })).toString('utf8').trim();
    expect(await git('rev-parse', 'HEAD')).toBe(report.commit);
    expect(await git('rev-parse', 'origin/main')).toBe(report.commit);
    expect(await git('status', '--porcelain')).toBe('');
    expect(await readFile(path.join(dir, 'apps/web.yaml'), 'utf8')).toContain('kv/web/db@2');
    expect(await git('remote', 'get-url', 'origin')).toMatch(/^ssh:\/\//);
    expectMetadataOnly(vault);
  });

  it('the isomorphic-git fallback refuses an SSH origin and says to install git', async () => {
    const dir = await sshCheckout('ssh-iso');
    const err = await open('isomorphic', { repo: dir }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/ssh/i);
    expect(err?.message).toMatch(/install git/i);
  });
});
