/** Remote mode against a real `git http-backend`: shallow object-only clone, one commit, push. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GitError } from '../../src/core/errors.js';
import { runGit, startGitServer, type GitServer } from '../support/git-server.js';
import { ENGINES, author, noSleep, open, publishWithRetry, setFile, tempDir } from './helpers.js';

let server: GitServer;
let tmp: Awaited<ReturnType<typeof tempDir>>;

const seed = {
  'apps/web/deploy.yaml': 'kind: Deployment\nmetadata:\n  name: web\n',
  'apps/api/deploy.yaml': '\uFEFFkind: Deployment\r\nmetadata:\r\n  name: api\r\n',
  'apps/api/notes.txt': 'not a manifest\n',
  'charts/x/templates/t.yaml': 'kind: {{ .Values.kind }}\n',
  'binary.yaml': '\u0000',
  'README.md': '# deploy\n',
};

describe.each(ENGINES)('remote mode (%s)', (engine) => {
  beforeAll(async () => {
    server = await startGitServer();
    tmp = await tempDir();
  });
  afterAll(async () => {
    await server.close();
    await tmp.cleanup();
  });
  it('reads only accepted blobs, commits exactly the change, pushes, and cleans up', async () => {
    const seedHead = await server.createBareRepo('basic', seed, { branch: 'trunk' });
    const ws = await open(engine, { repo: server.repoUrl('basic'), tmpRoot: tmp.dir });
    expect(ws.mode).toBe('remote');
    expect(ws.branch).toBe('trunk'); // the remote's default branch
    expect(ws.head).toBe(seedHead);

    const entered: string[] = [];
    const { files, problems } = await ws.source.load((p) => p.endsWith('.yaml'), {
      enterDir: (d) => {
        entered.push(d);
        return d !== 'charts';
      },
    });
    expect(files.map((f) => f.path)).toEqual(['apps/api/deploy.yaml', 'apps/web/deploy.yaml', 'binary.yaml']);
    expect(problems).toEqual([]);
    expect(entered).toContain('charts');
    expect(entered).not.toContain('charts/x');
    // Bytes kept: BOM and CRLF survive the read.
    expect(files[0]?.text).toBe(seed['apps/api/deploy.yaml']);

    const api = files[0]!;
    const after = api.text.replace('  name: api\r\n', '  name: api\r\n  annotations:\r\n    a: "1"\r\n');
    const commit = await ws.commit({
      changes: [{ path: api.path, before: api.text, after }],
      message: 'chore: record secret versions\n\nVault-Secret: kv/api 1 -> 2',
      author,
      now: new Date('2026-01-02T03:04:05Z'),
    });
    expect(await server.head('basic', 'trunk')).toBe(seedHead); // commit() alone touches no remote
    expect(await ws.push(commit)).toEqual({ ok: true });
    expect(ws.head).toBe(commit);

    expect(await server.head('basic', 'trunk')).toBe(commit);
    expect(await server.readFile('basic', 'trunk', 'apps/api/deploy.yaml')).toBe(after);
    const log = await server.log('basic', 'trunk');
    const ours = log.slice(0, log.indexOf(`commit ${seedHead}`));
    expect(ours).toContain('Author: vault-rollout <vault-rollout@example.com>');
    expect(ours).toContain('Vault-Secret: kv/api 1 -> 2');
    expect(ours).toContain('diff --git a/apps/api/deploy.yaml b/apps/api/deploy.yaml');
    expect(ours.match(/^diff --git/gm)).toHaveLength(1);
    const lines = ours.split('\n');
    expect(lines.filter((l) => /^\+[^+]/.test(l))).toEqual(['+  annotations:\r', '+    a: "1"\r']);
    expect(lines.filter((l) => /^-[^-]/.test(l))).toEqual([]);

    await ws.close();
    expect(await readdir(tmp.dir)).toEqual([]);
  });

  it('reports non-UTF-8 files as problems and keeps going', async () => {
    await server.createBareRepo('latin1', {
      'a.yaml': 'x: 1\n',
      'b.yaml': Buffer.from([0x78, 0x3a, 0xe9, 0x0a]),
    });
    const ws = await open(engine, { repo: server.repoUrl('latin1'), tmpRoot: tmp.dir });
    try {
      const { files, problems } = await ws.source.load(() => true);
      expect(files.map((f) => f.path)).toEqual(['a.yaml']);
      expect(problems).toEqual([
        { file: 'b.yaml', severity: 'warning', message: 'not valid UTF-8: skipped' },
      ]);
    } finally {
      await ws.close();
    }
  });

  it('is idempotent: a second run makes no commit', async () => {
    await server.createBareRepo('idem', seed);
    const build = setFile('apps/web/deploy.yaml', 'kind: Deployment\nmetadata:\n  name: web2\n');
    const ws1 = await open(engine, { repo: server.repoUrl('idem'), tmpRoot: tmp.dir });
    const first = await publishWithRetry(ws1, build, { author, sleep: noSleep }).finally(() => ws1.close());
    expect(first.outcome).toBe('pushed');
    const head = await server.head('idem', 'main');
    const ws2 = await open(engine, { repo: server.repoUrl('idem'), branch: 'main', tmpRoot: tmp.dir });
    const second = await publishWithRetry(ws2, build, { author, sleep: noSleep }).finally(() => ws2.close());
    expect(second).toEqual({ outcome: 'none', commit: null, attempts: 1, changes: [] });
    expect(await server.head('idem', 'main')).toBe(head);
  });

  it('dry-run builds but pushes nothing', async () => {
    const seedHead = await server.createBareRepo('dry', seed);
    const ws = await open(engine, { repo: server.repoUrl('dry'), tmpRoot: tmp.dir });
    const res = await publishWithRetry(ws, setFile('new/file.yaml', 'a: 1\n'), {
      author,
      dryRun: true,
    }).finally(() => ws.close());
    expect(res.outcome).toBe('dry-run');
    expect(res.changes).toEqual([{ path: 'new/file.yaml', before: '', after: 'a: 1\n' }]);
    expect(await server.head('dry', 'main')).toBe(seedHead);
    expect(
      server.requests.filter(
        (r) => r.path.includes('dry.git') && r.method === 'POST' && r.path.includes('receive'),
      ),
    ).toEqual([]);
  });

  it('creates new files in new folders', async () => {
    await server.createBareRepo('create', seed);
    const ws = await open(engine, { repo: server.repoUrl('create'), tmpRoot: tmp.dir });
    const res = await publishWithRetry(ws, setFile('deep/new/dir/file.yaml', 'a: 1\n'), { author }).finally(
      () => ws.close(),
    );
    expect(res.outcome).toBe('pushed');
    expect(await server.readFile('create', 'main', 'deep/new/dir/file.yaml')).toBe('a: 1\n');
    expect(await server.readFile('create', 'main', 'apps/web/deploy.yaml')).toBe(
      seed['apps/web/deploy.yaml'],
    );
  });

  it('writes trees in git order, so the remote passes fsck --strict', async () => {
    await server.createBareRepo('order', {
      'apps/x.yaml': 'x\n',
      'apps-b.yaml': 'b\n',
      'apps0/y.yaml': 'y\n',
    });
    const ws = await open(engine, { repo: server.repoUrl('order'), tmpRoot: tmp.dir });
    try {
      const commit = await ws.commit({
        changes: [
          { path: 'apps.yaml', before: '', after: 'new\n' },
          { path: 'apps/x.yaml', before: 'x\n', after: 'x2\n' },
          { path: 'apps-a/z.yaml', before: '', after: 'z\n' },
          { path: 'run.yaml', before: '', after: 'r\n' },
        ],
        message: 'order',
        author,
      });
      expect(await ws.push(commit)).toEqual({ ok: true });
    } finally {
      await ws.close();
    }
    await runGit(['--git-dir', server.repoPath('order'), 'fsck', '--strict', '--no-progress']);
    expect(await server.readFile('order', 'main', 'apps-a/z.yaml')).toBe('z\n');
  });

  it('reads delta-compressed blobs byte for byte', async () => {
    const body = Array.from({ length: 80 }, (_, i) => `  key${i}: value-${i}-${'x'.repeat(i % 7)}`).join(
      '\n',
    );
    const files: Record<string, string> = {};
    for (let i = 0; i < 60; i++) files[`d${i % 4}/f${i}.yaml`] = `name: f${i}\n${body}\nlast: ${i * 7}\n`;
    await server.createBareRepo('deltas', files);
    await runGit(['--git-dir', server.repoPath('deltas'), 'gc', '-q', '--aggressive']);
    const ws = await open(engine, { repo: server.repoUrl('deltas'), tmpRoot: tmp.dir });
    try {
      const { files: read } = await ws.source.load(() => true);
      expect(Object.fromEntries(read.map((f) => [f.path, f.text]))).toEqual(files);
    } finally {
      await ws.close();
    }
  });

  it('refuses a stale plan before anything is written to the remote', async () => {
    const seedHead = await server.createBareRepo('stale', seed);
    const ws = await open(engine, { repo: server.repoUrl('stale'), tmpRoot: tmp.dir });
    try {
      await expect(
        ws.commit({
          changes: [{ path: 'apps/web/deploy.yaml', before: 'other\n', after: 'x\n' }],
          message: 'm',
          author,
        }),
      ).rejects.toThrow(/differs from what was planned/);
      await expect(
        ws.commit({ changes: [{ path: '../escape.yaml', before: '', after: 'x\n' }], message: 'm', author }),
      ).rejects.toThrow(GitError);
    } finally {
      await ws.close();
    }
    expect(await server.head('stale', 'main')).toBe(seedHead);
  });

  it('refuses plain http to a non-loopback host, credentials in URLs and ssh', async () => {
    await expect(open(engine, { repo: 'http://git.example.com/org/repo.git' })).rejects.toThrow(
      /plain http is allowed only for loopback/,
    );
    const err = await open(engine, { repo: 'https://user:hunter2hunter2@git.example.com/r.git' }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(GitError);
    expect(String(err.message)).not.toContain('hunter2');
    if (engine === 'isomorphic') {
      for (const repo of ['ssh://git@example.com/r.git', 'git@example.com:org/r.git'])
        await expect(open(engine, { repo })).rejects.toThrow(
          /^SSH repository URLs need the git CLI \(.*\): install git, or use the HTTPS URL/,
        );
    } else {
      // Refused before any connection: a password, and a deploy key that is not there.
      await expect(open(engine, { repo: 'ssh://git:hunter2@example.com/r.git' })).rejects.toThrow(
        /carries a password/,
      );
      const ssh = { keyFile: { path: path.join(tmp.dir, 'missing-key'), from: 'GIT_SSH_KEY_FILE' } };
      await expect(
        open(engine, { repo: 'git@example.com:org/r.git', ssh, tmpRoot: tmp.dir }),
      ).rejects.toThrow(
        `the SSH key file "${path.join(tmp.dir, 'missing-key')}" (GIT_SSH_KEY_FILE) does not exist`,
      );
      expect(await readdir(tmp.dir)).toEqual([]);
    }
  });

  it('names a missing branch', async () => {
    await server.createBareRepo('nobranch', seed);
    await expect(
      open(engine, { repo: server.repoUrl('nobranch'), branch: 'nope', tmpRoot: tmp.dir }),
    ).rejects.toThrow(/branch "nope" not found/);
    expect(await readdir(tmp.dir)).toEqual([]);
  });
});
