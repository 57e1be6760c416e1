/**
 * How the git CLI engine moves a checkout after its push, and when it finishes a move a killed run left
 * half done: plain files are written from the commit's bytes (keeping the executable bit), anything with a
 * checkout conversion goes through `read-tree -m -u`, and a person's edit always stops the move with the
 * file named and nothing written.
 */
import { chmod, link, mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Workspace } from '../../src/core/ports.js';
import {
  inspectWorkTree,
  isCutWrite,
  statFiles,
  tempName,
  writeWorkTree,
  type MoveEntry,
} from '../../src/adapters/git/checkout-move.js';
import { gitBlobId } from '../../src/adapters/git/shared.js';
import { runGit, startGitServer, type GitServer } from '../support/git-server.js';
import { author, gitTestEnv, noSleep, open, publishWithRetry, tempDir, type BuildResult } from './helpers.js';

let server: GitServer;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let n = 0;
const env = { ...process.env, ...gitTestEnv } as NodeJS.ProcessEnv;
const FILES = Object.fromEntries(
  Array.from({ length: 12 }, (_, i) => [`apps/app-${i}.yaml`, `name: app-${i}\nversion: 1\n`]),
);
/** A file of three and a half pages whose edit (near the top) grows it. */
const BIG = `version: 1\n${'# padding line of a large manifest\n'.repeat(400)}`;

beforeAll(async () => {
  server = await startGitServer();
  tmp = await tempDir();
});
afterAll(async () => {
  await server.close();
  await tmp.cleanup();
});

const git = async (dir: string, ...args: string[]) =>
  (await runGit(args, { cwd: dir, env })).toString('utf8');

/** A full clone of a fresh bare repository (path origin) with the given files. */
async function checkout(files: Record<string, string> = FILES): Promise<{ name: string; dir: string }> {
  const name = `move-${++n}`;
  await server.createBareRepo(name, files);
  const dir = path.join(tmp.dir, name);
  await runGit(['clone', '-q', server.repoPath(name), dir], { env });
  return { name, dir };
}

/** A planner stand-in that rewrites every file `pick` selects with `edit`. */
function editAll(pick: (p: string) => boolean, edit: (text: string) => string) {
  return async (ws: Workspace): Promise<BuildResult> => {
    // Named files of any kind (a script too), as the config and templates are read.
    const { files } = await ws.source.load(pick, { anyName: true });
    const changes = files.map((f) => ({ path: f.path, before: f.text, after: edit(f.text) }));
    return changes.length ? { changes, message: 'edit' } : null;
  };
}

/** Opens the checkout, publishes `version: 1` → `version: 2` in every file under apps/, and closes it. */
async function bumpVersions(dir: string) {
  const ws = await open('native', { repo: dir });
  try {
    return await publishWithRetry(
      ws,
      editAll(
        (p) => p.startsWith('apps/'),
        (t) => t.replace('version: 1', 'version: 2'),
      ),
      { author, sleep: noSleep },
    );
  } finally {
    await ws.close();
  }
}

async function settled(dir: string, name: string): Promise<string> {
  const remote = await server.head(name, 'main');
  expect((await git(dir, 'rev-parse', 'HEAD')).trim()).toBe(remote);
  expect((await git(dir, 'rev-parse', 'origin/main')).trim()).toBe(remote);
  expect(await git(dir, 'status', '--porcelain', '--untracked-files=all')).toBe('');
  return remote;
}

describe('moving a checkout after the push (git CLI)', () => {
  it('writes the files in place, keeps the executable bit, and leaves index and status clean', async () => {
    const { name, dir } = await checkout({ ...FILES, 'bin/run.sh': '#!/bin/sh\necho 1\n' });
    await chmod(path.join(dir, 'bin/run.sh'), 0o755);
    await git(dir, 'update-index', '--chmod=+x', 'bin/run.sh');
    await git(dir, '-c', 'user.name=P', '-c', 'user.email=p@example.com', 'commit', '-qm', 'exec');
    await git(dir, 'push', '-q', 'origin', 'main');

    const ws = await open('native', { repo: dir });
    const res = await publishWithRetry(
      ws,
      editAll(
        (p) => p.startsWith('apps/') || p === 'bin/run.sh',
        (t) => t.replace(/1\n$/, '2\n'),
      ),
      { author, sleep: noSleep },
    );
    await ws.close();
    expect(res.outcome).toBe('pushed');
    expect(res.changes).toHaveLength(13);
    expect(await settled(dir, name)).toBe(res.commit);
    expect(await readFile(path.join(dir, 'apps/app-3.yaml'), 'utf8')).toBe('name: app-3\nversion: 2\n');
    expect((await stat(path.join(dir, 'bin/run.sh'))).mode & 0o111).not.toBe(0);
    expect((await git(dir, 'ls-tree', 'HEAD', 'bin/run.sh')).split(' ')[0]).toBe('100755');
    // The index holds fresh stat data: nothing to refresh.
    expect(await git(dir, 'diff-files', '--name-only')).toBe('');
  });

  it('lets git check out files with a line-ending attribute (eol=crlf), so they match what git writes', async () => {
    const { name, dir } = await checkout({ ...FILES, '.gitattributes': 'apps/app-1.yaml eol=crlf\n' });
    // The clone wrote app-1 with CRLF, as the attribute asks.
    expect(await readFile(path.join(dir, 'apps/app-1.yaml'), 'utf8')).toBe('name: app-1\r\nversion: 1\r\n');
    const res = await bumpVersions(dir);
    expect(res.outcome).toBe('pushed');
    expect(await settled(dir, name)).toBe(res.commit);
    expect(await readFile(path.join(dir, 'apps/app-1.yaml'), 'utf8')).toBe('name: app-1\r\nversion: 2\r\n');
    expect(await readFile(path.join(dir, 'apps/app-2.yaml'), 'utf8')).toBe('name: app-2\nversion: 2\n');
  });

  it('finishes a move a killed run left half done: some files new, one missing, one cut after a page, a temporary file left', async () => {
    const { name, dir } = await checkout({ ...FILES, 'apps/big.yaml': BIG });
    const base = (await git(dir, 'rev-parse', 'HEAD')).trim();
    const ws = await open('native', { repo: dir });
    const res = await publishWithRetry(
      ws,
      editAll(
        (p) => p.startsWith('apps/'),
        (t) => t.replace('version: 1', 'version: 20'),
      ),
      { author, sleep: noSleep },
    );
    await ws.close();
    // Put the checkout back where a run killed while writing files leaves it: branch and index at the
    // base, origin/main at the pushed commit, files a mix of old and new, one removed, a temp file left.
    await git(dir, 'update-ref', 'refs/heads/main', base);
    await git(dir, 'read-tree', base);
    for (let i = 0; i < 6; i++) {
      await writeFile(path.join(dir, `apps/app-${i}.yaml`), FILES[`apps/app-${i}.yaml`]!);
    }
    await rm(path.join(dir, 'apps/app-7.yaml'));
    await writeFile(tempName(path.join(dir, 'apps/app-8.yaml')), 'name: app-8\nvers');
    const bigNew = Buffer.from(BIG.replace('version: 1', 'version: 20'));
    const cut = Buffer.concat([bigNew.subarray(0, 8192), Buffer.from(BIG).subarray(8192)]);
    expect(isCutWrite(cut, bigNew, Buffer.from(BIG))).toBe(true);
    await writeFile(path.join(dir, 'apps/big.yaml'), cut);

    const again = await open('native', { repo: dir });
    await again.close();
    expect(await settled(dir, name)).toBe(res.commit);
    for (let i = 0; i < 12; i++) {
      expect(await readFile(path.join(dir, `apps/app-${i}.yaml`), 'utf8')).toBe(
        `name: app-${i}\nversion: 20\n`,
      );
    }
    expect(await readFile(path.join(dir, 'apps/big.yaml'), 'utf8')).toBe(
      BIG.replace('version: 1', 'version: 20'),
    );
    expect(existsSync(tempName(path.join(dir, 'apps/app-8.yaml')))).toBe(false);
  });

  it('writes a file that shrinks, or has another hard link, by a rename, leaving the other link alone', async () => {
    const { name, dir } = await checkout({ ...FILES, 'apps/big.yaml': BIG });
    await link(path.join(dir, 'apps/app-4.yaml'), path.join(tmp.dir, `${name}-hardlink`));
    const ws = await open('native', { repo: dir });
    const res = await publishWithRetry(
      ws,
      editAll(
        (p) => p === 'apps/big.yaml' || p === 'apps/app-4.yaml',
        (t) => (t.length > 1000 ? t.slice(0, 100) : t.replace('version: 1', 'version: 2')),
      ),
      { author, sleep: noSleep },
    );
    await ws.close();
    expect(await settled(dir, name)).toBe(res.commit);
    expect(await readFile(path.join(dir, 'apps/big.yaml'), 'utf8')).toBe(BIG.slice(0, 100));
    expect(await readFile(path.join(dir, 'apps/app-4.yaml'), 'utf8')).toBe('name: app-4\nversion: 2\n');
    expect(await readFile(path.join(tmp.dir, `${name}-hardlink`), 'utf8')).toBe('name: app-4\nversion: 1\n');
  });

  // Between building the commit and pushing it, a person edits a file the commit changes, or stages
  // another blob for it without touching the file (the index read while the commit was built is stale).
  it.each([
    [
      'an edit',
      async (dir: string) => {
        await writeFile(path.join(dir, 'apps/app-3.yaml'), 'name: app-3\nmine: true\n');
        return 'name: app-3\nmine: true\n';
      },
    ],
    [
      'a staged change (the file untouched)',
      async (dir: string) => {
        const blob = `${dir}-staged.yaml`;
        await writeFile(blob, 'name: app-3\nstaged: true\n');
        const staged = (await git(dir, 'hash-object', '-w', blob)).trim();
        await git(dir, 'update-index', '--cacheinfo', `100644,${staged},apps/app-3.yaml`);
        return 'name: app-3\nversion: 1\n';
      },
    ],
  ])('%s made after the commit was built, before the push, still stops the push', async (_, change) => {
    const { name, dir } = await checkout();
    const seedHead = await server.head(name, 'main');
    const ws = await open('native', { repo: dir });
    const { files } = await ws.source.load((p) => p.startsWith('apps/'));
    const commit = await ws.commit({
      changes: files.map((f) => ({ path: f.path, before: f.text, after: f.text.replace('1', '2') })),
      message: 'edit',
      author,
    });
    const app3 = await change(dir);
    const err = await ws.push(commit).catch((e: unknown) => e as Error);
    await ws.close();
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /uncommitted changes in files this commit changes: apps\/app-3\.yaml/,
    );
    expect(await server.head(name, 'main')).toBe(seedHead);
    expect(await readFile(path.join(dir, 'apps/app-3.yaml'), 'utf8')).toBe(app3);
    expect(await readFile(path.join(dir, 'apps/app-4.yaml'), 'utf8')).toBe('name: app-4\nversion: 1\n');
  });

  // The check before the push trusts git's stat cache for plain index entries only: a file git would not
  // look at (assume-unchanged, skip-worktree) is read, and a file whose stat changed but bytes did not is
  // no conflict.
  it.each([
    ['assume-unchanged', ['update-index', '--assume-unchanged', 'apps/app-3.yaml']],
    ['skip-worktree', ['update-index', '--skip-worktree', 'apps/app-3.yaml']],
  ])('an edit in a file marked %s still stops the push, named, nothing written', async (_, mark) => {
    const { name, dir } = await checkout();
    const seedHead = await server.head(name, 'main');
    await git(dir, ...mark);
    await writeFile(path.join(dir, 'apps/app-3.yaml'), 'name: app-3\nversion: 1\nmine: true\n');
    // git itself no longer reports the edit.
    expect(await git(dir, 'diff-files', '--name-only')).toBe('');
    const err = await bumpVersions(dir).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /uncommitted changes in files this commit changes: apps\/app-3\.yaml/,
    );
    expect(await server.head(name, 'main')).toBe(seedHead);
    expect(await readFile(path.join(dir, 'apps/app-3.yaml'), 'utf8')).toBe(
      'name: app-3\nversion: 1\nmine: true\n',
    );
    expect(await readFile(path.join(dir, 'apps/app-4.yaml'), 'utf8')).toBe('name: app-4\nversion: 1\n');
  });

  it('a file rewritten with its own bytes (stat changed, content not) is no conflict', async () => {
    const { name, dir } = await checkout();
    const file = path.join(dir, 'apps/app-5.yaml');
    await rm(file);
    await writeFile(file, 'name: app-5\nversion: 1\n');
    // An older time than the index's: git does not re-read it as racily clean, it calls it stat-dirty.
    await utimes(file, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    expect(await git(dir, 'diff-files', '--name-only')).toBe('apps/app-5.yaml\n');
    const res = await bumpVersions(dir);
    expect(res.outcome).toBe('pushed');
    expect(await settled(dir, name)).toBe(res.commit);
    expect(await readFile(file, 'utf8')).toBe('name: app-5\nversion: 2\n');
  });

  it('refuses to fast-forward over a person’s edit, names the file, and writes nothing', async () => {
    const { name, dir } = await checkout();
    const base = (await git(dir, 'rev-parse', 'HEAD')).trim();
    const next: Record<string, string> = {};
    for (let i = 0; i < 12; i++) next[`apps/app-${i}.yaml`] = `name: app-${i}\nversion: 3\n`;
    await server.pushCompetingCommit(name, 'main', next, 'theirs');
    await writeFile(path.join(dir, 'apps/app-5.yaml'), 'name: app-5\nmine: true\n');

    const err = await open('native', { repo: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /cannot move the checkout's "main".*fast-forward.*apps\/app-5\.yaml/,
    );
    expect((await git(dir, 'rev-parse', 'HEAD')).trim()).toBe(base);
    expect(await readFile(path.join(dir, 'apps/app-5.yaml'), 'utf8')).toBe('name: app-5\nmine: true\n');
    expect(await readFile(path.join(dir, 'apps/app-4.yaml'), 'utf8')).toBe('name: app-4\nversion: 1\n');
    expect(await git(dir, 'status', '--porcelain')).toBe(' M apps/app-5.yaml\n');
  });

  it('fast-forwards through read-tree when the new commit deletes a file', async () => {
    const { name, dir } = await checkout();
    // Another writer deletes one file and edits another.
    const other = path.join(tmp.dir, `${name}-other`);
    await runGit(['clone', '-q', server.repoPath(name), other], { env });
    await git(other, 'rm', '-q', 'apps/app-2.yaml');
    await writeFile(path.join(other, 'apps/app-3.yaml'), 'name: app-3\nversion: 9\n');
    await git(other, '-c', 'user.name=W', '-c', 'user.email=w@example.com', 'commit', '-qam', 'theirs');
    await git(other, 'push', '-q', 'origin', 'main');
    const ws = await open('native', { repo: dir });
    await ws.close();
    await settled(dir, name);
    expect(existsSync(path.join(dir, 'apps/app-2.yaml'))).toBe(false);
    expect(await readFile(path.join(dir, 'apps/app-3.yaml'), 'utf8')).toBe('name: app-3\nversion: 9\n');
  });
});

describe('isCutWrite', () => {
  const from = Buffer.from('a'.repeat(9000));
  const to = Buffer.from('b'.repeat(9100));
  it('recognises the new bytes cut after whole pages over the old ones, and nothing else', () => {
    expect(isCutWrite(Buffer.concat([to.subarray(0, 4096), from.subarray(4096)]), to, from)).toBe(true);
    expect(isCutWrite(Buffer.concat([to.subarray(0, 8192), from.subarray(8192)]), to, from)).toBe(true);
    expect(isCutWrite(to.subarray(0, 4096), to, null)).toBe(true); // a new file cut after one page
    expect(isCutWrite(Buffer.concat([to.subarray(0, 4000), from.subarray(4000)]), to, from)).toBe(false);
    expect(isCutWrite(from, to, from)).toBe(false);
    expect(isCutWrite(to, to, from)).toBe(false);
    const edited = Buffer.concat([to.subarray(0, 4096), from.subarray(4096)]);
    edited[5000] = 0x7a;
    expect(isCutWrite(edited, to, from)).toBe(false);
  });
});

describe('files trusted from git’s stat cache', () => {
  it('an edit made after the stat was taken is caught before anything is written, without reading the others', async () => {
    const dir = path.join(tmp.dir, 'trusted');
    await rm(dir, { recursive: true, force: true });
    await mkdir(path.join(dir, 'apps'), { recursive: true });
    const old = Buffer.from('name: a\nversion: 1\n');
    const next = Buffer.from('name: a\nversion: 2\n');
    const entries: MoveEntry[] = ['apps/a.yaml', 'apps/b.yaml'].map((p) => ({
      path: p,
      mode: '100644',
      from: gitBlobId(old, 'sha1'),
      to: gitBlobId(next, 'sha1'),
      bytes: next,
      before: old,
    }));
    for (const e of entries) await writeFile(path.join(dir, e.path), old);
    const stats = statFiles(
      dir,
      entries.map((e) => e.path),
    );
    expect(stats.size).toBe(2);
    const known = new Map(entries.map((e) => [e.path, { oid: e.from!, stat: stats.get(e.path)! }]));
    const check = inspectWorkTree(dir, entries, 'sha1', false, known);
    expect(check.conflicts).toEqual([]);
    expect(check.write.map((e) => e.path)).toEqual(['apps/a.yaml', 'apps/b.yaml']);
    // A person edits one file after the stat (the same size, so only the time and inode can tell).
    await rm(path.join(dir, 'apps/b.yaml'));
    await writeFile(path.join(dir, 'apps/b.yaml'), 'name: b\nversion: 1\n');
    expect(writeWorkTree(dir, check, 'sha1')).toEqual(['apps/b.yaml']);
    // Nothing was written: the untouched file still holds its old bytes.
    expect(await readFile(path.join(dir, 'apps/a.yaml'), 'utf8')).toBe('name: a\nversion: 1\n');
  });
});
