/**
 * Local mode: a checkout (shallow, as actions/checkout leaves it, or full) pushed to its own `origin`,
 * over HTTP (`git http-backend`), a filesystem path or a `file://` URL, on both Git engines.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GitError } from '../../src/core/errors.js';
import { runGit, startGitServer, type GitServer } from '../support/git-server.js';
import { selfSignedCert } from '../support/tls.js';
import {
  ENGINES,
  author,
  gitTestEnv,
  noSleep,
  open,
  publishWithRetry,
  setFile,
  tempDir,
  type BuildResult,
} from './helpers.js';
import type { Workspace } from '../../src/core/ports.js';

let server: GitServer;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let n = 0;
const seed = { 'apps/a.yaml': 'a: 1\r\n', 'apps/b.yaml': 'b: 1\n', 'run.sh': '#!/bin/sh\n' };
const env = { ...process.env, ...gitTestEnv } as NodeJS.ProcessEnv;

beforeAll(async () => {
  server = await startGitServer();
  tmp = await tempDir();
});
afterAll(async () => {
  await server.close();
  await tmp.cleanup();
});

type Origin = 'http' | 'path' | 'file';

/** A fresh bare repo and a native checkout of it (async spawn: the server is in this process). */
async function checkout(name: string, origin: Origin = 'http', depth = true): Promise<string> {
  await server.createBareRepo(name, seed);
  const dir = path.join(tmp.dir, `checkout-${++n}`);
  const url =
    origin === 'http'
      ? server.repoUrl(name)
      : origin === 'path'
        ? server.repoPath(name)
        : `file://${server.repoPath(name)}`;
  await runGit(['clone', '-q', ...(depth ? ['--depth', '1'] : []), url, dir], { env });
  return dir;
}

const git = async (dir: string, ...args: string[]) =>
  (await runGit(['-c', 'core.autocrlf=false', ...args], { cwd: dir, env })).toString('utf8');

/** The checkout is as `git commit && git push` leaves it: on the branch, at origin, clean, fsck-clean. */
async function expectSettled(dir: string, commit: string, shallowBefore: string | null): Promise<void> {
  expect((await git(dir, 'symbolic-ref', '--short', 'HEAD')).trim()).toBe('main');
  expect((await git(dir, 'rev-parse', 'HEAD')).trim()).toBe(commit);
  expect((await git(dir, 'rev-parse', 'origin/main')).trim()).toBe(commit);
  expect(await git(dir, 'status', '--porcelain')).toBe('');
  expect(await git(dir, 'fsck', '--no-progress', '--no-dangling')).toBe('');
  expect(await readFile(path.join(dir, '.git', 'shallow'), 'utf8').catch(() => null)).toBe(shallowBefore);
}

const shallowOf = (dir: string) => readFile(path.join(dir, '.git', 'shallow'), 'utf8').catch(() => null);

describe.each(ENGINES)('local mode (%s)', (engine) => {
  const origins: Origin[] = engine === 'native' ? ['http', 'path', 'file'] : ['http'];
  it.each(origins)(
    'commits on a shallow checkout with a %s origin, pushes, and moves the checkout',
    async (origin) => {
      const name = `local-${engine}-${origin}`;
      const dir = await checkout(name, origin);
      const shallow = await shallowOf(dir);
      const ws = await open(engine, { repo: dir });
      expect(ws.mode).toBe('local');
      expect(ws.branch).toBe('main');
      const res = await publishWithRetry(ws, setFile('apps/a.yaml', 'a: 2\r\n'), { author, sleep: noSleep });
      await ws.close();
      expect(res.outcome).toBe('pushed');
      expect(await server.head(name, 'main')).toBe(res.commit);
      expect(await server.readFile(name, 'main', 'apps/a.yaml')).toBe('a: 2\r\n');
      expect(await readFile(path.join(dir, 'apps/a.yaml'), 'utf8')).toBe('a: 2\r\n');
      await expectSettled(dir, res.commit!, shallow);
      // The executable bit of a file in the base survives.
      expect((await git(dir, 'ls-tree', 'HEAD', 'run.sh')).split(' ')[0]).toBe('100644');
    },
  );

  it('keeps uncommitted changes of other files out of the commit and in the working tree', async () => {
    const dir = await checkout(`local-dirty-other-${engine}`);
    await writeFile(path.join(dir, 'apps/b.yaml'), 'b: edited by a person\n');
    await git(dir, 'add', 'apps/b.yaml'); // even staged
    const ws = await open(engine, { repo: dir });
    const res = await publishWithRetry(ws, setFile('apps/a.yaml', 'a: 2\r\n'), { author });
    expect(res.outcome).toBe('pushed');
    expect(await server.readFile(`local-dirty-other-${engine}`, 'main', 'apps/b.yaml')).toBe('b: 1\n');
    expect(await readFile(path.join(dir, 'apps/b.yaml'), 'utf8')).toBe('b: edited by a person\n');
    expect(await git(dir, 'status', '--porcelain')).toBe('M  apps/b.yaml\n');
  });

  it('refuses, before pushing, when a file it would change has uncommitted edits', async () => {
    const name = `local-dirty-${engine}`;
    const dir = await checkout(name);
    const seedHead = await server.head(name, 'main');
    await writeFile(path.join(dir, 'apps/a.yaml'), 'a: mine\n');
    const ws = await open(engine, { repo: dir });
    const err = await publishWithRetry(ws, setFile('apps/a.yaml', 'a: 2\r\n'), { author }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).message).toMatch(
      /uncommitted changes in files this commit changes: apps\/a.yaml/,
    );
    expect(await server.head(name, 'main')).toBe(seedHead);
    expect(await readFile(path.join(dir, 'apps/a.yaml'), 'utf8')).toBe('a: mine\n');
  });

  it('re-plans on a competing commit and brings the checkout to the pushed commit', async () => {
    const name = `local-race-${engine}`;
    const dir = await checkout(name);
    const shallow = await shallowOf(dir);
    let builds = 0;
    const ws = await open(engine, { repo: dir });
    const res = await publishWithRetry(
      ws,
      async (w) => {
        if (++builds === 1) await server.pushCompetingCommit(name, 'main', { 'apps/new.yaml': 'new: 1\n' });
        return setFile('apps/a.yaml', 'a: 2\r\n')(w);
      },
      { author, sleep: noSleep },
    );
    expect(res.attempts).toBe(2);
    const subjects = (await server.commits(name, 'main')).map((c) => c.subject);
    expect(subjects).toEqual(['set apps/a.yaml', 'competing change', 'seed']);
    expect(await readFile(path.join(dir, 'apps/new.yaml'), 'utf8')).toBe('new: 1\n');
    await expectSettled(dir, res.commit!, shallow);
  });

  it('fast-forwards a clean checkout that is behind its origin, without deepening or cutting history', async () => {
    const name = `local-behind-${engine}`;
    const dir = await checkout(name, 'http', false); // a full clone: it must not become shallow
    await server.pushCompetingCommit(name, 'main', { 'apps/c.yaml': 'c: 1\n' }, 'theirs');
    const ws = await open(engine, { repo: dir });
    const res = await publishWithRetry(ws, setFile('apps/a.yaml', 'a: 2\r\n'), { author });
    expect(res.attempts).toBe(1);
    expect((await server.commits(name, 'main')).map((c) => c.subject)).toEqual([
      'set apps/a.yaml',
      'theirs',
      'seed',
    ]);
    expect(await readFile(path.join(dir, 'apps/c.yaml'), 'utf8')).toBe('c: 1\n');
    await expectSettled(dir, res.commit!, null);
    expect((await git(dir, 'rev-list', '--count', 'HEAD')).trim()).toBe('3');
  });

  it('refuses a checkout with commits of its own that origin does not have, and changes nothing', async () => {
    const name = `local-ahead-${engine}`;
    const dir = await checkout(name);
    await writeFile(path.join(dir, 'apps/b.yaml'), 'b: mine\n');
    await git(dir, '-c', 'user.name=P', '-c', 'user.email=p@example.com', 'commit', '-qam', 'mine');
    const before = (await git(dir, 'rev-parse', 'HEAD')).trim();
    const err = await open(engine, { repo: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).message).toMatch(
      /local branch "main" has commits that are not on "origin\/main"/,
    );
    expect((await git(dir, 'rev-parse', 'HEAD')).trim()).toBe(before);
    expect(await git(dir, 'status', '--porcelain')).toBe('');
  });

  it('authenticates with the token (never printed), and names the remote when it is refused', async () => {
    const token = `tok_local_push_${engine}_1234567890`;
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
      const err = await open(engine, {
        repo: dir,
        auth: { username: 'x-access-token', token: 'nope-nope-nope' },
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GitError);
      expect((err as GitError).message).toMatch(/authentication refused/);
      expect((err as GitError).message).toContain(authServer.repoUrl('priv'));
      expect((err as GitError).message).not.toContain('nope-nope-nope');
      expect((await git(dir, 'status', '--porcelain')).trim()).toBe('');

      const ws = await open(engine, { repo: dir, auth: { username: 'x-access-token', token } });
      const res = await publishWithRetry(ws, setFile('apps/a.yaml', 'a: 2\r\n'), { author });
      expect(res.outcome).toBe('pushed');
      expect(await authServer.readFile('priv', 'main', 'apps/a.yaml')).toBe('a: 2\r\n');
      expect(await readFile(path.join(dir, '.git', 'config'), 'utf8')).not.toContain(token);
    } finally {
      await authServer.close();
    }
  });

  it('explains unsupported checkouts: detached HEAD, another branch, no origin', async () => {
    const dir = await checkout(`local-odd-${engine}`);
    await expect(open(engine, { repo: dir, branch: 'release' })).rejects.toThrow(
      /the checkout is on branch "main", not "release"/,
    );
    if (engine === 'isomorphic') {
      await git(dir, 'update-index', '--index-version', '4');
      await expect(open(engine, { repo: dir })).rejects.toThrow(/index is version 4/);
      await git(dir, 'update-index', '--index-version', '2');
    }
    await git(dir, 'checkout', '-q', '--detach');
    await expect(open(engine, { repo: dir })).rejects.toThrow(/detached HEAD/);
    await git(dir, 'checkout', '-q', 'main');
    await git(dir, 'remote', 'remove', 'origin');
    await expect(open(engine, { repo: dir })).rejects.toThrow(/no "origin" remote/);
    await expect(open(engine, { repo: path.join(tmp.dir, 'missing') })).rejects.toThrow(
      /not a Git checkout|does not exist/,
    );
    expect(await stat(dir).then(() => true)).toBe(true);
  });
});

describe('local mode (native only)', () => {
  it('works with index v4 (feature.manyFiles), which only isomorphic-git cannot read', async () => {
    const dir = await checkout('local-index-v4');
    await git(dir, 'update-index', '--index-version', '4');
    const ws = await open('native', { repo: dir });
    const res = await publishWithRetry(ws, setFile('apps/a.yaml', 'a: 2\r\n'), { author });
    expect(res.outcome).toBe('pushed');
    await expectSettled(dir, res.commit!, await shallowOf(dir));
  });
});

describe('local mode: the files move while the push is in flight (native)', () => {
  const marker = (dir: string) => path.join(dir, '.git', 'vault-rollout-move');
  const gone = (file: string) =>
    stat(file).then(
      () => false,
      () => true,
    );

  it('puts the files and index back when the remote refuses the push, and leaves no marker', async () => {
    const name = 'local-refused-move';
    const dir = await checkout(name);
    await server.installUpdateHook(name, 'echo "frozen by policy" >&2; exit 1');
    const head = (await git(dir, 'rev-parse', 'HEAD')).trim();
    const ws = await open('native', { repo: dir });
    // One changed file and one new file: the put-back restores the one and removes the other.
    const both = async (w: Workspace): Promise<BuildResult> => {
      const a = await setFile('apps/a.yaml', 'a: 2\r\n')(w);
      const created = await setFile('apps/new.yaml', 'new: 1\n')(w);
      return { changes: [...a!.changes, ...created!.changes], message: 'two files' };
    };
    const err = await publishWithRetry(ws, both, { author, sleep: noSleep }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).message).toContain('frozen by policy');
    expect(await readFile(path.join(dir, 'apps/a.yaml'), 'utf8')).toBe('a: 1\r\n');
    expect(await gone(path.join(dir, 'apps/new.yaml'))).toBe(true);
    expect((await git(dir, 'rev-parse', 'HEAD')).trim()).toBe(head);
    expect(await git(dir, 'status', '--porcelain')).toBe('');
    expect(await gone(marker(dir))).toBe(true);
  });

  /** What a run killed during its push leaves: files and index at a commit the remote never got, the marker. */
  async function killedDuringPush(name: string): Promise<{ dir: string; head: string }> {
    const dir = await checkout(name);
    const head = (await git(dir, 'rev-parse', 'HEAD')).trim();
    await writeFile(path.join(dir, 'apps/a.yaml'), 'a: killed\n');
    await writeFile(path.join(dir, 'apps/new.yaml'), 'new: killed\n');
    await git(dir, 'add', 'apps/a.yaml', 'apps/new.yaml');
    const tree = (await git(dir, 'write-tree')).trim();
    const id = ['-c', 'user.name=v', '-c', 'user.email=v@example.com'];
    const lost = (await git(dir, ...id, 'commit-tree', tree, '-p', head, '-m', 'never pushed')).trim();
    await writeFile(marker(dir), `${head} ${lost}\n`);
    return { dir, head };
  }

  it('a run killed while its push moved the files: the next run puts them back first, then publishes', async () => {
    const { dir, head } = await killedDuringPush('local-killed-move');
    const shallow = await shallowOf(dir);
    const ws = await open('native', { repo: dir });
    expect(await readFile(path.join(dir, 'apps/a.yaml'), 'utf8')).toBe('a: 1\r\n');
    expect(await gone(path.join(dir, 'apps/new.yaml'))).toBe(true);
    expect((await git(dir, 'rev-parse', 'HEAD')).trim()).toBe(head);
    expect(await git(dir, 'status', '--porcelain')).toBe('');
    expect(await gone(marker(dir))).toBe(true);
    const res = await publishWithRetry(ws, setFile('apps/a.yaml', 'a: 2\r\n'), { author });
    expect(res.outcome).toBe('pushed');
    await expectSettled(dir, res.commit!, shallow);
  });

  it('refuses, naming the file, to put back over an edit made since; the marker stays for the next run', async () => {
    const { dir } = await killedDuringPush('local-killed-edited');
    await writeFile(path.join(dir, 'apps/a.yaml'), 'a: mine\n');
    const err = await open('native', { repo: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).message).toMatch(/could not be put back .*apps\/a\.yaml/);
    expect(await readFile(path.join(dir, 'apps/a.yaml'), 'utf8')).toBe('a: mine\n');
    expect(await gone(marker(dir))).toBe(false);
  });

  it('a marker whose branch has moved on is removed, and nothing else is touched', async () => {
    const dir = await checkout('local-stale-marker');
    const head = (await git(dir, 'rev-parse', 'HEAD')).trim();
    await writeFile(path.join(dir, 'apps/b.yaml'), 'b: mine\n');
    await writeFile(marker(dir), `${'1'.repeat(40)} ${head}\n`);
    await open('native', { repo: dir });
    expect(await gone(marker(dir))).toBe(true);
    expect(await git(dir, 'status', '--porcelain')).toBe(' M apps/b.yaml\n');
    expect((await git(dir, 'rev-parse', 'HEAD')).trim()).toBe(head);
  });
});

describe('local mode over HTTPS (native)', () => {
  let tls: GitServer;
  let certFile: string;
  beforeAll(async () => {
    const made = await selfSignedCert(path.join(tmp.dir, 'tls'));
    certFile = made.certFile;
    tls = await startGitServer({
      tls: { key: made.key, cert: made.cert },
    });
  });
  afterAll(() => tls.close());

  it("pushes to an HTTPS origin with the checkout's own TLS setting (http.sslCAInfo)", async () => {
    await tls.createBareRepo('secure', seed);
    const dir = path.join(tmp.dir, `checkout-${++n}`);
    await runGit(
      ['-c', `http.sslCAInfo=${certFile}`, 'clone', '-q', '--depth', '1', tls.repoUrl('secure'), dir],
      { env: gitTestEnv as NodeJS.ProcessEnv }, // not this machine's GIT_SSL_CAINFO, which would win
    );
    // Without the person's CA setting, git refuses the server: proof the run goes through HTTPS.
    await expect(open('native', { repo: dir })).rejects.toThrow(
      /fetching "main" from "https:\/\/127\.0\.0\.1:\d+\/secure\.git" failed/,
    );
    await git(dir, 'config', 'http.sslCAInfo', certFile);
    const shallow = await shallowOf(dir);
    const ws = await open('native', { repo: dir });
    const res = await publishWithRetry(ws, setFile('apps/a.yaml', 'a: 2\r\n'), { author });
    expect(res.outcome).toBe('pushed');
    expect(await tls.readFile('secure', 'main', 'apps/a.yaml')).toBe('a: 2\r\n');
    await expectSettled(dir, res.commit!, shallow);
  });
});
