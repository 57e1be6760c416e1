/** Publishing safety against a real `git http-backend`: auth, hooks, races, retries, failures before push. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Workspace } from '../../src/core/ports.js';
import type { GitEngine } from '../../src/adapters/git/index.js';
import { GitError } from '../../src/core/errors.js';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { ENGINES, author, noSleep, open, publishWithRetry, setFile, tempDir } from './helpers.js';

let server: GitServer;
let tmp: Awaited<ReturnType<typeof tempDir>>;
const seed = { 'apps/a.yaml': 'a: 1\n', 'apps/b.yaml': 'b: 1\n', 'other/c.yaml': 'c: 1\n' };
let engine: GitEngine = 'native';

async function withWorkspace<T>(name: string, fn: (ws: Workspace) => Promise<T>): Promise<T> {
  const ws = await open(engine, { repo: server.repoUrl(name), tmpRoot: tmp.dir });
  try {
    return await fn(ws);
  } finally {
    await ws.close();
  }
}

describe.each(ENGINES)('basic auth (%s)', (current) => {
  beforeAll(async () => {
    engine = current;
    server = await startGitServer();
    tmp = await tempDir();
  });
  afterAll(async () => {
    await server.close();
    await tmp.cleanup();
  });
  const token = 'ghs_s3cretTokenValue1234567890';
  let authServer: GitServer;
  beforeAll(async () => {
    authServer = await startGitServer({ auth: { username: 'x-access-token', token } });
    await authServer.createBareRepo('private', seed);
  });
  afterAll(() => authServer.close());

  it('clones and pushes with the token, which never appears in the URL or config', async () => {
    const ws = await open(engine, {
      repo: authServer.repoUrl('private'),
      auth: { username: 'x-access-token', token },
      tmpRoot: tmp.dir,
    });
    try {
      const res = await publishWithRetry(ws, setFile('apps/a.yaml', 'a: 2\n'), { author });
      expect(res.outcome).toBe('pushed');
      expect(await authServer.readFile('private', 'main', 'apps/a.yaml')).toBe('a: 2\n');
      // isomorphic-git is challenged, then answers; git sends the header up front.
      expect(authServer.requests.some((r) => r.status === 401)).toBe(engine === 'isomorphic');
      expect(JSON.stringify(authServer.requests)).not.toContain(token);
    } finally {
      await ws.close();
    }
  });

  it('a wrong or missing token is a GitError that does not contain the token', async () => {
    const wrong = 'ghs_wrongTokenValue_0987654321';
    const err = await open(engine, {
      repo: authServer.repoUrl('private'),
      auth: { username: 'x-access-token', token: wrong },
      tmpRoot: tmp.dir,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    const text = `${(err as GitError).message} ${JSON.stringify((err as GitError).data)}`;
    expect(text).toMatch(/authentication refused/);
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(Buffer.from(`x-access-token:${wrong}`).toString('base64'));

    await expect(open(engine, { repo: authServer.repoUrl('private'), tmpRoot: tmp.dir })).rejects.toThrow(
      /authentication refused \(without credentials\)/,
    );
  });
});

describe.each(ENGINES)('publishing safety (%s)', (current) => {
  beforeAll(async () => {
    engine = current;
    server = await startGitServer();
    tmp = await tempDir();
  });
  afterAll(async () => {
    await server.close();
    await tmp.cleanup();
  });
  it('an update hook rejecting the push is a GitError naming its message; the remote is untouched, no retry', async () => {
    const seedHead = await server.createBareRepo('hooked', seed);
    await server.installUpdateHook('hooked', 'echo "branch $1 is protected by policy" >&2; exit 1');
    let builds = 0;
    const err = await withWorkspace('hooked', (ws) =>
      publishWithRetry(
        ws,
        async (w) => {
          builds++;
          return setFile('apps/a.yaml', 'a: 2\n')(w);
        },
        { author, sleep: noSleep },
      ),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).message).toMatch(/rejected by the remote/);
    expect((err as GitError).message).toContain('branch refs/heads/main is protected by policy');
    expect(builds).toBe(1);
    expect(await server.head('hooked', 'main')).toBe(seedHead);
  });

  it('a competing commit pushed between build and push: re-plan on it, one commit on top, their change kept', async () => {
    await server.createBareRepo('race', seed);
    let builds = 0;
    const res = await withWorkspace('race', (ws) =>
      publishWithRetry(
        ws,
        async (w) => {
          builds++;
          const plan = await setFile('apps/a.yaml', 'a: ours\n')(w);
          // Another writer lands right after our first planning pass (and touches the same file's neighbour).
          if (builds === 1)
            await server.pushCompetingCommit('race', 'main', { 'apps/b.yaml': 'b: theirs\n' }, 'theirs');
          return plan;
        },
        { author, sleep: noSleep },
      ),
    );
    expect(res.outcome).toBe('pushed');
    expect(res.attempts).toBe(2);
    expect(builds).toBe(2);
    const commits = await server.commits('race', 'main');
    expect(commits.map((c) => c.subject)).toEqual(['set apps/a.yaml', 'theirs', 'seed']);
    expect(commits[0]?.id).toBe(res.commit);
    expect(await server.readFile('race', 'main', 'apps/a.yaml')).toBe('a: ours\n');
    expect(await server.readFile('race', 'main', 'apps/b.yaml')).toBe('b: theirs\n');
  });

  it('re-plans when the competing commit changed the planned file itself', async () => {
    await server.createBareRepo('race-same', seed);
    let builds = 0;
    const res = await withWorkspace('race-same', (ws) =>
      publishWithRetry(
        ws,
        async (w) => {
          builds++;
          const { files } = await w.source.load((p) => p === 'apps/a.yaml');
          const before = files[0]!.text;
          if (builds === 1)
            await server.pushCompetingCommit('race-same', 'main', { 'apps/a.yaml': 'a: 1\nx: theirs\n' });
          return { changes: [{ path: 'apps/a.yaml', before, after: `${before}y: ours\n` }], message: 'ours' };
        },
        { author, sleep: noSleep },
      ),
    );
    expect(res.outcome).toBe('pushed');
    expect(await server.readFile('race-same', 'main', 'apps/a.yaml')).toBe('a: 1\nx: theirs\ny: ours\n');
  });

  it('five runs at once: exactly one commit for the change, the others find nothing to do', async () => {
    const seedHead = await server.createBareRepo('five', seed);
    const runs = await Promise.all(
      Array.from({ length: 5 }, () =>
        withWorkspace('five', (ws) =>
          publishWithRetry(ws, setFile('other/c.yaml', 'c: 2\n'), { author, attempts: 8, backoffMs: 5 }),
        ),
      ),
    );
    // Runs that built the very same commit (same tree, parent, author and second) may each see it land:
    // what matters is one commit on the remote and every other run finding nothing to do.
    const pushed = runs.filter((r) => r.outcome === 'pushed');
    expect(new Set(pushed.map((r) => r.commit)).size).toBe(1);
    expect(runs.filter((r) => r.outcome === 'none')).toHaveLength(5 - pushed.length);
    const commits = await server.commits('five', 'main');
    expect(commits).toHaveLength(2);
    expect(commits[1]?.id).toBe(seedHead);
    expect(await server.readFile('five', 'main', 'other/c.yaml')).toBe('c: 2\n');
  });

  it('five runs at once, each with its own change: one commit per change, nothing lost', async () => {
    await server.createBareRepo('five-distinct', seed);
    const runs = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        withWorkspace('five-distinct', (ws) =>
          publishWithRetry(ws, setFile(`apps/run-${i}.yaml`, `run: ${i}\n`), {
            author,
            attempts: 10,
            backoffMs: 5,
          }),
        ),
      ),
    );
    expect(runs.every((r) => r.outcome === 'pushed')).toBe(true);
    expect(await server.commits('five-distinct', 'main')).toHaveLength(6);
    for (const i of [1, 2, 3, 4, 5]) {
      expect(await server.readFile('five-distinct', 'main', `apps/run-${i}.yaml`)).toBe(`run: ${i}\n`);
    }
  });

  it('gives up after the bounded attempts with a GitError', async () => {
    await server.createBareRepo('busy', seed);
    let n = 0;
    const sleeps: number[] = [];
    const err = await withWorkspace('busy', (ws) =>
      publishWithRetry(
        ws,
        async (w) => {
          const plan = await setFile('apps/a.yaml', 'a: ours\n')(w);
          await server.pushCompetingCommit('busy', 'main', { 'apps/b.yaml': `b: theirs-${++n}\n` });
          return plan;
        },
        { author, attempts: 3, backoffMs: 10, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) },
      ),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).message).toMatch(
      /the remote kept moving: 3 attempts on "main" of "http:\/\/127.0.0.1:\d+\/busy.git" were overtaken by other writers/,
    );
    expect(sleeps).toEqual([10, 20]);
    expect(await server.readFile('busy', 'main', 'apps/a.yaml')).toBe('a: 1\n');
  });

  it('a run failing before the push leaves the remote untouched, and the next run converges', async () => {
    const seedHead = await server.createBareRepo('crash', seed);
    await expect(
      withWorkspace('crash', (ws) =>
        publishWithRetry(
          ws,
          async (w) => {
            await setFile('apps/a.yaml', 'a: 2\n')(w);
            throw new Error('killed while planning');
          },
          { author },
        ),
      ),
    ).rejects.toThrow('killed while planning');
    // A run that dies after writing its commit object but before pushing.
    await withWorkspace('crash', async (ws) => {
      const plan = await setFile('apps/a.yaml', 'a: 2\n')(ws);
      await ws.commit({ ...plan!, author });
    });
    expect(await server.head('crash', 'main')).toBe(seedHead);

    const res = await withWorkspace('crash', (ws) =>
      publishWithRetry(ws, setFile('apps/a.yaml', 'a: 2\n'), { author }),
    );
    expect(res.outcome).toBe('pushed');
    expect(await server.commits('crash', 'main')).toHaveLength(2);
    const again = await withWorkspace('crash', (ws) =>
      publishWithRetry(ws, setFile('apps/a.yaml', 'a: 2\n'), { author }),
    );
    expect(again.outcome).toBe('none');
  });
});
