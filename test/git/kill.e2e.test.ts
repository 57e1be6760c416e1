/**
 * The built CLI killed with SIGKILL at several points of `apply` (after opening, while planning, after the
 * commit was built, right after the push), each followed by a plain run: it exits 0, the remote holds
 * exactly one commit of the edits, and a local checkout is clean, on its branch, at its origin, and no
 * more shallow than before. On the git CLI, and with git hidden from PATH (the isomorphic-git fallback).
 * Also: five CLI runs at once on one remote make one commit.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runGit } from '../support/git-server.js';
import { useE2eServers } from '../support/e2e-servers.js';
import { cliPath, runCli } from '../support/run-cli.js';

const WORKLOADS = 60;
const FILES: Record<string, string> = {};
for (let i = 0; i < WORKLOADS; i++) {
  FILES[`apps/app-${i}.yaml`] = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: app-${i}`,
    '  annotations:',
    `    vault-rollout/secrets: kv/app-${i % 10}/db`,
    'spec:',
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: app-${i}`,
    '',
  ].join('\n');
}

const servers = useE2eServers('vr-kill-e2e-', (vault) => {
  for (let k = 0; k < 10; k++) vault.kv.write('kv', `app-${k}/db`);
});

/** A PATH without git: a folder holding nothing. */
let noGit: string;
beforeAll(async () => {
  noGit = await mkdtemp(join(tmpdir(), 'vr-no-git-'));
});
afterAll(async () => {
  await rm(noGit, { recursive: true, force: true });
});

const gitEnv = {
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  HOME: '/nonexistent',
  GIT_CONFIG_NOSYSTEM: '1',
};
const git = async (dir: string, ...args: string[]) =>
  (await runGit(args, { cwd: dir, env: gitEnv })).toString('utf8').trim();

/** Starts `apply` and SIGKILLs it as soon as stderr shows `marker`; resolves when it is gone. */
function applyKilledAt(
  args: string[],
  env: Record<string, string>,
  marker: RegExp,
): Promise<{ killed: boolean; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cliPath, 'apply', '--verbose', ...args], {
      env: { HOME: tmpdir(), ...env },
    });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!killed && marker.test(stderr)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stdout.resume();
    child.on('error', fail);
    child.on('close', () => done({ killed, stderr }));
  });
}

/** Kill points, in the order a run reaches them (log lines of src/adapters/git and src/pipeline.ts). */
const POINTS: [string, RegExp][] = [
  ['after opening', /opened local checkout|cloned/],
  ['while planning', /Reading metadata of/],
  ['after building the commit', /wrote commit/],
  ['while the push moves the files', /moving the checkout while pushing/],
  ['right after the push', /^pushed/m],
];
/** Only the git CLI moves a checkout's files while it pushes. */
const DURING_PUSH = 'while the push moves the files';

type Engine = 'native' | 'isomorphic';
let n = 0;

describe.each<Engine>(['native', 'isomorphic'])('kill -9 during apply (%s)', (engine) => {
  const env = () => ({
    ...servers.env,
    PATH: engine === 'native' ? gitEnv.PATH : noGit,
    TMPDIR: servers.tmp,
  });

  it.each(POINTS.filter(([label]) => engine === 'native' || label !== DURING_PUSH))(
    'local checkout, killed %s: the next run converges',
    async (_label, marker) => {
      const name = `kill-local-${engine}-${++n}`;
      await servers.git.createBareRepo(name, FILES);
      const dir = join(servers.tmp, name);
      await runGit(['clone', '-q', '--depth', '1', servers.git.repoUrl(name), dir], { env: gitEnv });
      const shallow = await readFile(join(dir, '.git', 'shallow'), 'utf8');

      const killed = await applyKilledAt(['--repo', dir], env(), marker);
      expect(killed.killed).toBe(true);
      const again = await runCli(['apply', '--repo', dir, '--format', 'json'], env());
      expect(again.stderr).not.toMatch(/at .+\.js:\d+/);
      expect(again.code).toBe(0);

      const remote = await servers.git.head(name, 'main');
      expect((await servers.git.commits(name, 'main')).length).toBe(2); // the seed and one commit of the edits
      expect(await git(dir, 'symbolic-ref', '--short', 'HEAD')).toBe('main');
      expect(await git(dir, 'rev-parse', 'HEAD')).toBe(remote);
      expect(await git(dir, 'rev-parse', 'origin/main')).toBe(remote);
      expect(await git(dir, 'status', '--porcelain')).toBe('');
      expect(await readFile(join(dir, '.git', 'shallow'), 'utf8')).toBe(shallow);
      expect(await readFile(join(dir, 'apps/app-7.yaml'), 'utf8')).toContain(
        'vault-rollout/secret-versions: kv/app-7/db@1',
      );
      // Once more: nothing left to do.
      const third = await runCli(['apply', '--repo', dir, '--format', 'json'], env());
      expect(third.code).toBe(0);
      expect(JSON.parse(third.stdout).commit).toBeNull();
    },
  );

  it.each(POINTS.filter(([label]) => label !== 'after opening' && label !== DURING_PUSH))(
    'URL, killed %s: the remote is untouched or complete, and the next run converges',
    async (_label, marker) => {
      const name = `kill-url-${engine}-${++n}`;
      const seed = await servers.git.createBareRepo(name, FILES);
      const url = servers.git.repoUrl(name);
      await applyKilledAt(['--repo', url], env(), marker);
      const after = await servers.git.commits(name, 'main');
      expect(after.length === 1 ? after[0]!.id : 'complete').toBe(after.length === 1 ? seed : 'complete');
      const again = await runCli(['apply', '--repo', url, '--format', 'json'], env());
      expect(again.code).toBe(0);
      expect((await servers.git.commits(name, 'main')).length).toBe(2);
      expect(await servers.git.readFile(name, 'main', 'apps/app-3.yaml')).toContain(
        'vault-rollout/secret-versions: kv/app-3/db@1',
      );
    },
  );

  it('five runs at once on one remote: one commit', async () => {
    const name = `five-${engine}`;
    await servers.git.createBareRepo(name, FILES);
    const url = servers.git.repoUrl(name);
    const runs = await Promise.all(
      Array.from({ length: 5 }, () => runCli(['apply', '--repo', url, '--format', 'json'], env())),
    );
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    expect((await servers.git.commits(name, 'main')).length).toBe(2);
  });
});

describe('local checkouts whose origin is not HTTP (git CLI)', () => {
  it.each(['path', 'file'])('apply pushes to a %s origin', async (kind) => {
    const name = `origin-${kind}`;
    await servers.git.createBareRepo(name, FILES);
    const dir = join(servers.tmp, name);
    const origin = kind === 'path' ? servers.git.repoPath(name) : `file://${servers.git.repoPath(name)}`;
    await mkdir(dir);
    await runGit(['clone', '-q', origin, dir], { env: gitEnv });
    const r = await runCli(['apply', '--repo', dir, '--format', 'json'], {
      ...servers.env,
      PATH: gitEnv.PATH,
    });
    expect(r.code).toBe(0);
    const commit = JSON.parse(r.stdout).commit as string;
    expect(await servers.git.head(name, 'main')).toBe(commit);
    expect(await git(dir, 'rev-parse', 'HEAD')).toBe(commit);
    expect(await git(dir, 'status', '--porcelain')).toBe('');
  });

  it('the isomorphic-git fallback refuses them with one line that says to install git', async () => {
    const name = 'origin-path-iso';
    await servers.git.createBareRepo(name, FILES);
    const dir = join(servers.tmp, name);
    await runGit(['clone', '-q', servers.git.repoPath(name), dir], { env: gitEnv });
    const r = await runCli(['apply', '--repo', dir], { ...servers.env, PATH: noGit });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/only the git CLI can reach: install git/);
  });
});
