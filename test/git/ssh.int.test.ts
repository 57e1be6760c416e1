/**
 * SSH remotes against a real OpenSSH server on 127.0.0.1 (test/support/sshd.ts), through the built CLI:
 * a checkout whose `origin` is SSH pushes with the checkout's own SSH setup (`core.sshCommand`: its key
 * and known-hosts file), and the isomorphic-git fallback refuses it and says why; a repository given by
 * SSH URL is cloned and pushed with a deploy key (`GIT_SSH_KEY_FILE`, `SSH_KNOWN_HOSTS`), and a server
 * whose host key is not in the known-hosts file is refused before anything is sent.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
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

  describe('URL mode with a deploy key', () => {
    /** The CLI's environment: no agent, no key of the person's own, a HOME without ~/.ssh. */
    const cliEnv = (extra: Record<string, string>) => ({
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: tmp.dir,
      GIT_CONFIG_NOSYSTEM: '1',
      TMPDIR: tmp.dir,
      VAULT_ADDR: vault.url,
      VAULT_TOKEN: vault.rootToken,
      ...extra,
    });
    const temporaryClones = async () =>
      (await readdir(tmp.dir)).filter((f) => f.startsWith('vault-rollout-'));

    it('apply --repo ssh://… clones, commits and pushes with GIT_SSH_KEY_FILE and SSH_KNOWN_HOSTS', async () => {
      const name = 'ssh-url-apply';
      const before = await server.createBareRepo(name, { 'apps/web.yaml': manifest });
      const run = await runCli(
        ['apply', '--repo', sshd.url(server.repoPath(name)), '--mode', 'commit', '--format', 'json'],
        // A GIT_SSH_COMMAND of the environment's own would otherwise win over any core.sshCommand.
        cliEnv({
          GIT_SSH_KEY_FILE: sshd.keyFile,
          SSH_KNOWN_HOSTS: sshd.knownHostsFile,
          GIT_SSH_COMMAND: 'false',
        }),
      );
      expect(run.stderr).not.toMatch(/at .+\.js:\d+/);
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout) as { commit: string; summary: { record: number } };
      expect(report.summary.record).toBe(1);
      const head = await server.head(name, 'main');
      expect(head).toBe(report.commit);
      expect(head).not.toBe(before);
      expect(await server.readFile(name, 'main', 'apps/web.yaml')).toContain(
        'vault-rollout/secret-versions: kv/web/db@2',
      );
      expect(await temporaryClones()).toEqual([]);
    });

    it('refuses a server whose host key is not in the known-hosts file: exit 1, one line, nothing pushed', async () => {
      const name = 'ssh-url-unknown-host';
      const before = await server.createBareRepo(name, { 'apps/web.yaml': manifest });
      // A known-hosts file that knows another key for this very address.
      const other = path.join(tmp.dir, 'other_known_hosts');
      const someKey = (await readFile(`${sshd.keyFile}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ');
      await writeFile(other, `[127.0.0.1]:${sshd.port} ${someKey}\n`);
      for (const knownHosts of [other, path.join(tmp.dir, 'empty_known_hosts')]) {
        if (knownHosts.endsWith('empty_known_hosts')) await writeFile(knownHosts, '');
        const run = await runCli(
          ['apply', '--repo', sshd.url(server.repoPath(name)), '--mode', 'commit'],
          cliEnv({ GIT_SSH_KEY_FILE: sshd.keyFile, SSH_KNOWN_HOSTS: knownHosts }),
        );
        expect(run.code).toBe(1);
        expect(run.stdout).toBe('');
        const lines = run.stderr.trimEnd().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`the server's host key is not in "${knownHosts}" (SSH_KNOWN_HOSTS)`);
        expect(lines[0]).toMatch(/^vault-rollout: cloning "ssh:\/\/127\.0\.0\.1:\d+\/.+" failed/);
      }
      expect(await server.head(name, 'main')).toBe(before);
      expect(await temporaryClones()).toEqual([]);
    });

    it("does not let the repository's own config choose the runner's key files", async () => {
      const name = 'ssh-url-repo-config';
      await server.createBareRepo(name, {
        'apps/web.yaml': manifest,
        'vault-rollout.yaml':
          'git: { sshKeyFile: /etc/ssh/ssh_host_ed25519_key, knownHostsFile: /dev/null }\n',
      });
      const run = await runCli(
        ['scan', '--repo', sshd.url(server.repoPath(name)), '--format', 'json'],
        cliEnv({ GIT_SSH_KEY_FILE: sshd.keyFile, SSH_KNOWN_HOSTS: sshd.knownHostsFile }),
      );
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout).workloads).toHaveLength(1);
      expect(run.stderr).toContain(
        "git.sshKeyFile and git.knownHostsFile in the repository's vault-rollout.yaml not used",
      );
    });

    it('names the missing deploy key and the variable or key that named it; nothing pushed', async () => {
      const name = 'ssh-url-no-key';
      const before = await server.createBareRepo(name, { 'apps/web.yaml': manifest });
      const missing = path.join(tmp.dir, 'no-such-key');
      const run = await runCli(
        ['apply', '--repo', sshd.url(server.repoPath(name))],
        cliEnv({ GIT_SSH_KEY_FILE: missing, SSH_KNOWN_HOSTS: sshd.knownHostsFile }),
      );
      expect(run.code).toBe(1);
      expect(run.stderr.trimEnd()).toBe(
        `vault-rollout: the SSH key file "${missing}" (GIT_SSH_KEY_FILE) does not exist`,
      );
      // --config FILE (the operator's, on disk) wins over the variable, and is named by its key.
      const config = path.join(tmp.dir, 'ops.yaml');
      await writeFile(config, `git: { sshKeyFile: ${missing}, knownHostsFile: ${sshd.knownHostsFile} }\n`);
      const viaConfig = await runCli(
        ['apply', '--repo', sshd.url(server.repoPath(name)), '--config', config],
        cliEnv({ GIT_SSH_KEY_FILE: sshd.keyFile }),
      );
      expect(viaConfig.code).toBe(1);
      expect(viaConfig.stderr.trimEnd()).toBe(
        `vault-rollout: the SSH key file "${missing}" (git.sshKeyFile) does not exist`,
      );
      expect(await server.head(name, 'main')).toBe(before);
    });
  });
});
