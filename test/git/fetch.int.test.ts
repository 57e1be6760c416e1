/**
 * Remote mode's own shallow fetch (upload-pack.ts, index-pack.ts, shallow-fetch.ts) against a real
 * `git http-backend`: default and named branches, auth, the written pack and index checked by git itself,
 * and a refresh after a competing push.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openWorkspace, type Workspace } from '../../src/adapters/git/index.js';
import { indexPack } from '../../src/adapters/git/index-pack.js';
import { defaultBranch, isValidBranchName } from '../../src/adapters/git/shallow-fetch.js';
import { parseAdvertisement } from '../../src/adapters/git/upload-pack.js';
import { packIndex } from '../../src/adapters/git/write-objects.js';
import { GitError } from '../../src/core/errors.js';
import { runGit, startGitServer, type GitServer } from '../support/git-server.js';
import { tempDir } from './helpers.js';

let server: GitServer;
let tmp: Awaited<ReturnType<typeof tempDir>>;
/** Files git writes while checking (kept out of `tmp`, which must hold only the clone). */
let scratch: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  server = await startGitServer();
  tmp = await tempDir();
  scratch = await tempDir();
});
afterAll(async () => {
  await server.close();
  await tmp.cleanup();
  await scratch.cleanup();
});

/** The temporary clone of an open remote workspace (the only vault-rollout-* folder under tmp). */
async function cloneDir(): Promise<string> {
  const names = (await readdir(tmp.dir)).filter((n) => n.startsWith('vault-rollout-'));
  expect(names).toHaveLength(1);
  return path.join(tmp.dir, names[0]!);
}

const git = (gitdir: string, ...args: string[]) =>
  runGit(['--git-dir', gitdir, ...args]).then((b) => b.toString('utf8'));

/** Checks every pack of a clone with git: verify-pack, an index identical to git's, and fsck. */
async function checkWithGit(gitdir: string): Promise<string[]> {
  const packDir = path.join(gitdir, 'objects', 'pack');
  const packs = (await readdir(packDir)).filter((n) => n.endsWith('.pack'));
  for (const name of packs) {
    const pack = path.join(packDir, name);
    await runGit(['verify-pack', pack.replace(/\.pack$/, '.idx')]);
    const theirs = path.join(scratch.dir, `git-${name}.idx`);
    await runGit(['index-pack', '-o', theirs, pack]);
    expect((await readFile(pack.replace(/\.pack$/, '.idx'))).equals(await readFile(theirs))).toBe(true);
  }
  await git(gitdir, 'fsck', '--strict', '--no-progress', '--no-dangling');
  return packs;
}

async function withOpen<T>(opts: { repo: string; branch?: string }, fn: (ws: Workspace) => Promise<T>) {
  const ws = await openWorkspace({ ...opts, tmpRoot: tmp.dir });
  try {
    return await fn(ws);
  } finally {
    await ws.close();
  }
}

describe('shallow fetch: branches', () => {
  it("opens the remote's default branch from HEAD's symref, and a named branch", async () => {
    const trunk = await server.createBareRepo('branches', { 'a.yaml': 'on: trunk\n' }, { branch: 'trunk' });
    const other = await server.pushCompetingCommit('branches', 'trunk', { 'a.yaml': 'on: other\n' });
    // `other` starts as trunk's child; trunk is then reset, so the two branches differ.
    await runGit(['--git-dir', server.repoPath('branches'), 'branch', 'feature/x', other]);
    await runGit(['--git-dir', server.repoPath('branches'), 'update-ref', 'refs/heads/trunk', trunk]);

    await withOpen({ repo: server.repoUrl('branches') }, async (ws) => {
      expect(ws.branch).toBe('trunk');
      expect(ws.head).toBe(trunk);
      const { files } = await ws.source.load(() => true);
      expect(files).toEqual([{ path: 'a.yaml', text: 'on: trunk\n' }]);
      const gitdir = path.join(await cloneDir(), '.git');
      expect(await readFile(path.join(gitdir, 'HEAD'), 'utf8')).toBe('ref: refs/heads/trunk\n');
      expect((await git(gitdir, 'rev-parse', 'refs/remotes/origin/trunk', 'HEAD')).split('\n')).toEqual([
        trunk,
        trunk,
        '',
      ]);
      expect(await git(gitdir, 'config', 'remote.origin.url')).toBe(`${server.repoUrl('branches')}\n`);
      await checkWithGit(gitdir);
    });

    await withOpen({ repo: server.repoUrl('branches'), branch: 'feature/x' }, async (ws) => {
      expect(ws.branch).toBe('feature/x');
      expect(ws.head).toBe(other);
      const { files } = await ws.source.load(() => true);
      expect(files).toEqual([{ path: 'a.yaml', text: 'on: other\n' }]);
      const gitdir = path.join(await cloneDir(), '.git');
      // Depth 1: the parent commit is not here, the clone is shallow at the fetched commit.
      expect(await readFile(path.join(gitdir, 'shallow'), 'utf8')).toBe(`${other}\n`);
      expect(await git(gitdir, 'rev-list', '--count', 'HEAD')).toBe('1\n');
      await checkWithGit(gitdir);
    });
  });

  it('a missing or malformed branch is a GitError naming it; nothing is fetched or left behind', async () => {
    await server.createBareRepo('missing', { 'a.yaml': 'a\n' });
    const before = server.requests.length;
    await expect(
      openWorkspace({ repo: server.repoUrl('missing'), branch: 'nope', tmpRoot: tmp.dir }),
    ).rejects.toThrow(`branch "nope" not found on "${server.repoUrl('missing')}"`);
    expect(server.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
    await expect(
      openWorkspace({ repo: server.repoUrl('missing'), branch: '../../etc', tmpRoot: tmp.dir }),
    ).rejects.toThrow(/not a valid branch name/);
    expect(await readdir(tmp.dir)).toEqual([]);
  });

  it('picks the default branch without a symref capability, and validates branch names', () => {
    const pkt = (s: string) => `${(s.length + 4).toString(16).padStart(4, '0')}${s}`;
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const body = Buffer.from(
      pkt('# service=git-upload-pack\n') +
        '0000' +
        pkt(`${a} HEAD\0shallow side-band-64k\n`) +
        pkt(`${b} refs/heads/dev\n`) +
        pkt(`${a} refs/heads/main\n`) +
        pkt(`${a} refs/tags/v1^{}\n`) +
        '0000',
    );
    const adv = parseAdvertisement(body);
    expect(adv.capabilities.has('side-band-64k')).toBe(true);
    expect(adv.refs.has('refs/tags/v1^{}')).toBe(false);
    expect(defaultBranch(adv)).toBe('main');
    for (const ok of ['main', 'vault-rollout/main', 'release-1.2']) expect(isValidBranchName(ok)).toBe(true);
    for (const bad of [
      '',
      '../x',
      'a/../b',
      '.hidden',
      'a.lock',
      'a b',
      'x:y',
      'a//b',
      '-x',
      'a@{1}',
      'a\\b',
    ]) {
      expect(isValidBranchName(bad)).toBe(false);
    }
  });
});

describe('shallow fetch: auth', () => {
  const token = 'ghs_fetchSecretToken_1234567890abcdef';
  let authServer: GitServer;
  beforeAll(async () => {
    authServer = await startGitServer({ auth: { username: 'x-access-token', token } });
    await authServer.createBareRepo('private', { 'a.yaml': 'a: 1\n' });
  });
  afterAll(() => authServer.close());

  it('answers a 401 with Basic auth, and a refused token is a GitError without the token', async () => {
    const before = authServer.requests.length;
    const ws = await openWorkspace({
      repo: authServer.repoUrl('private'),
      auth: { username: 'x-access-token', token },
      tmpRoot: tmp.dir,
    });
    try {
      expect((await ws.source.load(() => true)).files).toHaveLength(1);
      // Challenged once, then GET and POST both authenticated.
      expect(authServer.requests.slice(before).map((r) => `${r.method} ${r.status}`)).toEqual([
        'GET 401',
        'GET 200',
        'POST 200',
      ]);
      const config = await readFile(path.join(await cloneDir(), '.git', 'config'), 'utf8');
      expect(config).not.toContain(token);
      expect(config).toContain(`url = ${authServer.repoUrl('private')}\n`);
    } finally {
      await ws.close();
    }

    const wrong = 'ghs_wrongFetchToken_0987654321zyx';
    const err = await openWorkspace({
      repo: authServer.repoUrl('private'),
      auth: { username: 'x-access-token', token: wrong },
      tmpRoot: tmp.dir,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    const text = `${(err as GitError).message} ${JSON.stringify((err as GitError).data)}`;
    expect(text).toMatch(/authentication refused \(as "x-access-token" with the given token\)/);
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(Buffer.from(`x-access-token:${wrong}`).toString('base64'));
    await expect(openWorkspace({ repo: authServer.repoUrl('private'), tmpRoot: tmp.dir })).rejects.toThrow(
      /authentication refused \(without credentials\)/,
    );
    expect(await readdir(tmp.dir)).toEqual([]);
  });
});

describe('shallow fetch: packs', () => {
  it('indexes a delta-heavy pack exactly as git does and reads every blob back byte for byte', async () => {
    const body = Array.from({ length: 120 }, (_, i) => `  key${i}: value-${i}-${'x'.repeat(i % 9)}`).join(
      '\n',
    );
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++) {
      files[`d${i % 7}/sub${i % 3}/f${i}.yaml`] =
        `name: f${i}\n${body.replace(`key${i % 120}:`, `k${i}:`)}\n`;
    }
    await server.createBareRepo('deltas', files);
    await runGit(['--git-dir', server.repoPath('deltas'), 'gc', '-q', '--aggressive']);
    await withOpen({ repo: server.repoUrl('deltas') }, async (ws) => {
      const gitdir = path.join(await cloneDir(), '.git');
      const [name] = await checkWithGit(gitdir);
      const verbose = await runGit(['verify-pack', '-v', path.join(gitdir, 'objects', 'pack', name!)]);
      const deltas = verbose
        .toString('utf8')
        .split('\n')
        .filter((l) => /^[0-9a-f]{40} blob .* [0-9a-f]{40}$/.test(l)).length;
      expect(deltas).toBeGreaterThan(150); // the pack really is delta-heavy
      const { files: read } = await ws.source.load(() => true);
      expect(Object.fromEntries(read.map((f) => [f.path, f.text]))).toEqual(files);
    });
  });

  it('resolves REF_DELTAs (to a later entry, or outside a thin pack) and refuses a corrupt pack', async () => {
    const base = Buffer.from('line one\nline two\nline three\n'.repeat(20));
    const extra = Buffer.from('appended\n');
    const target = Buffer.concat([base, extra]);
    const oidOf = (type: string, data: Buffer) =>
      createHash('sha1').update(`${type} ${data.length}\0`).update(data).digest('hex');
    const varint = (n: number) => {
      const out: number[] = [];
      do {
        out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
        n >>>= 7;
      } while (n > 0);
      return Buffer.from(out);
    };
    // Copy the whole base (offset 0, 3-byte size), then insert `extra`.
    const copy = Buffer.from([0x80 | 0x10 | 0x20, base.length & 0xff, base.length >> 8]);
    const delta = Buffer.concat([
      varint(base.length),
      varint(target.length),
      copy,
      Buffer.from([extra.length]),
      extra,
    ]);
    const header = (kind: number, size: number) => {
      const out: number[] = [];
      let byte = (kind << 4) | (size & 15);
      size >>>= 4;
      while (size > 0) {
        out.push(byte | 0x80);
        byte = size & 0x7f;
        size >>>= 7;
      }
      out.push(byte);
      return Buffer.from(out);
    };
    const baseOid = oidOf('blob', base);
    const entries = [
      // The delta comes first: its base is only known after the whole pack was walked.
      Buffer.concat([header(7, delta.length), Buffer.from(baseOid, 'hex'), deflateSync(delta)]),
      Buffer.concat([header(3, base.length), deflateSync(base)]),
    ];
    const head = Buffer.from('PACK\0\0\0\x02\0\0\0\x02', 'latin1');
    const bodyBuf = Buffer.concat([head, ...entries]);
    const pack = Buffer.concat([bodyBuf, createHash('sha1').update(bodyBuf).digest()]);
    const indexed = await indexPack(pack);
    expect(indexed.entries.map((e) => e.oid).sort()).toEqual([baseOid, oidOf('blob', target)].sort());
    expect(packIndex(indexed.entries, indexed.packSha).length).toBe(8 + 1024 + 2 * 28 + 40);

    const corrupt = Buffer.from(pack);
    corrupt[20] = corrupt[20]! ^ 0xff;
    await expect(indexPack(corrupt)).rejects.toThrow(/checksum mismatch/);

    // A thin pack: the base is not in it. Without it here, refused; with it, appended (--fix-thin).
    const thinBody = Buffer.concat([head.subarray(0, 8), Buffer.from([0, 0, 0, 1]), entries[0]!]);
    const thin = Buffer.concat([thinBody, createHash('sha1').update(thinBody).digest()]);
    await expect(indexPack(thin)).rejects.toThrow(/not in the pack/);
    const fixed = await indexPack(thin, {
      external: async (oid) => (oid === baseOid ? { type: 'blob', data: base } : undefined),
    });
    expect(fixed.pack.readUInt32BE(8)).toBe(2);
    expect(fixed.entries.map((e) => e.oid).sort()).toEqual([baseOid, oidOf('blob', target)].sort());
    const packFile = path.join(scratch.dir, 'fixed.pack');
    await writeFile(packFile, fixed.pack);
    await writeFile(path.join(scratch.dir, 'fixed.idx'), packIndex(fixed.entries, fixed.packSha));
    await runGit(['verify-pack', path.join(scratch.dir, 'fixed.idx')]);
    await runGit(['index-pack', '-o', path.join(scratch.dir, 'git.idx'), packFile]);
    expect(
      (await readFile(path.join(scratch.dir, 'git.idx'))).equals(
        await readFile(path.join(scratch.dir, 'fixed.idx')),
      ),
    ).toBe(true);
  });

  it('refresh after a competing push fetches only the new objects, and git accepts the result', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 50; i++) files[`apps/a${i}.yaml`] = `app: ${i}\n${'padding line\n'.repeat(40)}`;
    const first = await server.createBareRepo('refresh', files);
    await withOpen({ repo: server.repoUrl('refresh') }, async (ws) => {
      expect(ws.head).toBe(first);
      const changed = `${files['apps/a7.yaml']}theirs: 1\n`;
      const theirs = await server.pushCompetingCommit('refresh', 'main', { 'apps/a7.yaml': changed });
      await ws.refresh();
      expect(ws.head).toBe(theirs);
      const { files: read } = await ws.source.load((p) => p === 'apps/a7.yaml' || p === 'apps/a8.yaml');
      expect(read).toEqual([
        { path: 'apps/a7.yaml', text: changed },
        { path: 'apps/a8.yaml', text: files['apps/a8.yaml'] },
      ]);
      const gitdir = path.join(await cloneDir(), '.git');
      const packs = await checkWithGit(gitdir);
      expect(packs).toHaveLength(2);
      // Only the new commit, its root tree, apps/ and the one blob (a thin pack, its delta bases appended
      // after indexing): the other 49 blobs were not resent.
      const sizes = await Promise.all(
        packs.map(
          async (p) =>
            (await runGit(['verify-pack', '-v', path.join(gitdir, 'objects', 'pack', p)]))
              .toString('utf8')
              .split('\n')
              .filter((l) => /^[0-9a-f]{40} /.test(l)).length,
        ),
      );
      sizes.sort((x, y) => x - y);
      expect(sizes[1]).toBe(53);
      expect(sizes[0]).toBeGreaterThanOrEqual(4);
      expect(sizes[0]).toBeLessThanOrEqual(7);
      expect(
        (await readFile(path.join(gitdir, 'shallow'), 'utf8')).split('\n').filter(Boolean).sort(),
      ).toEqual([first, theirs].sort());
      expect(await git(gitdir, 'rev-parse', 'refs/remotes/origin/main')).toBe(`${theirs}\n`);

      // Nothing new: refresh makes no upload-pack POST.
      const before = server.requests.length;
      await ws.refresh();
      expect(ws.head).toBe(theirs);
      expect(server.requests.slice(before).filter((r) => r.method === 'POST')).toEqual([]);
    });
  });
});
