/** Local mode: a `git clone --depth 1` checkout (as actions/checkout leaves it), pushed to `origin`. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openWorkspace, publishWithRetry } from '../../src/adapters/git/index.js';
import { GitError } from '../../src/core/errors.js';
import { runGit, startGitServer, type GitServer } from '../support/git-server.js';
import { author, noSleep, setFile, tempDir } from './helpers.js';

let server: GitServer;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let n = 0;
const seed = { 'apps/a.yaml': 'a: 1\r\n', 'apps/b.yaml': 'b: 1\n', 'run.sh': '#!/bin/sh\n' };
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: '/nonexistent', GIT_TERMINAL_PROMPT: '0' };

beforeAll(async () => {
  server = await startGitServer();
  tmp = await tempDir();
});
afterAll(async () => {
  await server.close();
  await tmp.cleanup();
});

/** A fresh bare repo and a shallow native checkout of it (async spawn: the server is in this process). */
async function shallowCheckout(name: string): Promise<string> {
  await server.createBareRepo(name, seed);
  const dir = path.join(tmp.dir, `checkout-${++n}`);
  await runGit(['clone', '-q', '--depth', '1', server.repoUrl(name), dir], { env });
  return dir;
}

const git = async (dir: string, ...args: string[]) =>
  (await runGit(['-c', 'core.autocrlf=false', ...args], { cwd: dir, env })).toString('utf8');

describe('local mode', () => {
  it('commits on the current branch of a shallow checkout, pushes to origin, and moves the checkout', async () => {
    const dir = await shallowCheckout('local');
    const ws = await openWorkspace({ repo: dir });
    expect(ws.mode).toBe('local');
    expect(ws.branch).toBe('main');
    const res = await publishWithRetry(ws, setFile('apps/a.yaml', 'a: 2\r\n'), { author, sleep: noSleep });
    await ws.close();
    expect(res.outcome).toBe('pushed');
    expect(await server.head('local', 'main')).toBe(res.commit);
    expect(await server.readFile('local', 'main', 'apps/a.yaml')).toBe('a: 2\r\n');
    // The checkout follows: branch, working tree, index all at the pushed commit, nothing pending.
    expect((await git(dir, 'rev-parse', 'HEAD')).trim()).toBe(res.commit);
    expect((await git(dir, 'rev-parse', 'origin/main')).trim()).toBe(res.commit);
    expect(await readFile(path.join(dir, 'apps/a.yaml'), 'utf8')).toBe('a: 2\r\n');
    expect(await git(dir, 'status', '--porcelain')).toBe('');
    expect(await git(dir, 'fsck', '--no-progress')).toBe('');
  });

  it('keeps uncommitted changes of other files out of the commit and in the working tree', async () => {
    const dir = await shallowCheckout('local-dirty-other');
    await writeFile(path.join(dir, 'apps/b.yaml'), 'b: edited by a person\n');
    await git(dir, 'add', 'apps/b.yaml'); // even staged
    const ws = await openWorkspace({ repo: dir });
    const res = await publishWithRetry(ws, setFile('apps/a.yaml', 'a: 2\r\n'), { author });
    expect(res.outcome).toBe('pushed');
    expect(await server.readFile('local-dirty-other', 'main', 'apps/b.yaml')).toBe('b: 1\n');
    expect(await readFile(path.join(dir, 'apps/b.yaml'), 'utf8')).toBe('b: edited by a person\n');
    expect(await git(dir, 'status', '--porcelain')).toBe('M  apps/b.yaml\n');
  });

  it('refuses, before pushing, when a file it would change has uncommitted edits', async () => {
    const dir = await shallowCheckout('local-dirty');
    const seedHead = await server.head('local-dirty', 'main');
    await writeFile(path.join(dir, 'apps/a.yaml'), 'a: mine\n');
    const ws = await openWorkspace({ repo: dir });
    const err = await publishWithRetry(ws, setFile('apps/a.yaml', 'a: 2\r\n'), { author }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).message).toMatch(
      /uncommitted changes in files this commit changes: apps\/a.yaml/,
    );
    expect(await server.head('local-dirty', 'main')).toBe(seedHead);
    expect(await readFile(path.join(dir, 'apps/a.yaml'), 'utf8')).toBe('a: mine\n');
  });

  it('re-plans on a competing commit and brings the checkout to the pushed commit', async () => {
    const dir = await shallowCheckout('local-race');
    let builds = 0;
    const ws = await openWorkspace({ repo: dir });
    const res = await publishWithRetry(
      ws,
      async (w) => {
        if (++builds === 1)
          await server.pushCompetingCommit('local-race', 'main', { 'apps/new.yaml': 'new: 1\n' });
        return setFile('apps/a.yaml', 'a: 2\r\n')(w);
      },
      { author, sleep: noSleep },
    );
    expect(res.attempts).toBe(2);
    const subjects = (await server.commits('local-race', 'main')).map((c) => c.subject);
    expect(subjects).toEqual(['set apps/a.yaml', 'competing change', 'seed']);
    expect(await readFile(path.join(dir, 'apps/new.yaml'), 'utf8')).toBe('new: 1\n');
    expect(await git(dir, 'status', '--porcelain')).toBe('');
    expect((await git(dir, 'rev-parse', 'HEAD')).trim()).toBe(res.commit);
  });

  it('authenticates the push with the token through onAuth', async () => {
    const token = 'tok_local_push_1234567890';
    const authServer = await startGitServer({ auth: { username: 'x-access-token', token } });
    try {
      await authServer.createBareRepo('priv', seed);
      const dir = path.join(tmp.dir, `checkout-${++n}`);
      // actions/checkout style: credentials outside the URL (here: a one-off header for the native clone).
      const header = `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
      await runGit(
        ['-c', `http.extraHeader=${header}`, 'clone', '-q', '--depth', '1', authServer.repoUrl('priv'), dir],
        {
          env,
        },
      );
      const wrong = await openWorkspace({
        repo: dir,
        auth: { username: 'x-access-token', token: 'nope-nope-nope' },
      });
      const err = await publishWithRetry(wrong, setFile('apps/a.yaml', 'a: 2\r\n'), { author }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(GitError);
      expect((err as GitError).message).not.toContain('nope-nope-nope');
      expect((await git(dir, 'status', '--porcelain')).trim()).toBe('');

      const ws = await openWorkspace({ repo: dir, auth: { username: 'x-access-token', token } });
      const res = await publishWithRetry(ws, setFile('apps/a.yaml', 'a: 2\r\n'), { author });
      expect(res.outcome).toBe('pushed');
      expect(await authServer.readFile('priv', 'main', 'apps/a.yaml')).toBe('a: 2\r\n');
    } finally {
      await authServer.close();
    }
  });

  it('explains unsupported checkouts: index v4, detached HEAD, another branch, no origin', async () => {
    const dir = await shallowCheckout('local-odd');
    await expect(openWorkspace({ repo: dir, branch: 'release' })).rejects.toThrow(
      /the checkout is on branch "main", not "release"/,
    );
    await git(dir, 'update-index', '--index-version', '4');
    await expect(openWorkspace({ repo: dir })).rejects.toThrow(/index is version 4/);
    await git(dir, 'update-index', '--index-version', '2');
    await git(dir, 'checkout', '-q', '--detach');
    await expect(openWorkspace({ repo: dir })).rejects.toThrow(/detached HEAD/);
    await git(dir, 'checkout', '-q', 'main');
    await git(dir, 'remote', 'remove', 'origin');
    await expect(openWorkspace({ repo: dir })).rejects.toThrow(/no "origin" remote/);
    await expect(openWorkspace({ repo: path.join(tmp.dir, 'missing') })).rejects.toThrow(
      /not a Git checkout/,
    );
  });
});
