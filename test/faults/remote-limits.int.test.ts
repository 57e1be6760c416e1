/**
 * Every request to the Git remote and to the GitHub API has a total deadline and a size cap, on both Git
 * engines: a fault proxy in front of the real `git http-backend` test server and of the GitHub test
 * server dribbles an answer or sends a huge one. Each case asserts the error (which operation, which
 * remote or endpoint, which setting to raise), that the remote is unchanged, that the temporary clone is
 * gone, and that a stopped request is not sent again.
 */
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GitCli } from '../../src/adapters/git/exec.js';
import { connectGitHub } from '../../src/adapters/github/client.js';
import { GitHubRequestLimitError } from '../../src/adapters/github/bounded-fetch.js';
import { GitError } from '../../src/core/errors.js';
import type { RequestLimits } from '../../src/core/limits.js';
import { silentLogger } from '../../src/core/ports.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { startGitHubServer, type GitHubServer } from '../support/github-server.js';
import {
  ENGINES,
  author,
  gitTestEnv,
  noSleep,
  open,
  publishWithRetry,
  setFile,
  tempDir,
} from '../git/helpers.js';

let server: GitServer;
let proxy: FaultProxy;
let github: GitHubServer;
let ghProxy: FaultProxy;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let n = 0;

const GIB = 1024 * 1024 * 1024;
const TOKEN = 'ghp_limitsTestToken_0123456789';
/** Incompressible text, so that a pack holding it is about as large as the text. */
const bulky = randomBytes(150 * 1024).toString('base64');

beforeAll(async () => {
  tmp = await tempDir('vr-limits-');
  server = await startGitServer({ tmpRoot: tmp.dir });
  proxy = await startFaultProxy(server.url);
  github = await startGitHubServer({ owner: 'acme', repo: 'deploy', token: TOKEN });
  ghProxy = await startFaultProxy(github.url);
});
afterAll(async () => {
  await ghProxy?.close();
  await github?.close();
  await proxy?.close();
  await server?.close();
  await tmp?.cleanup();
});

const viaProxy = (name: string) => `${proxy.url}/${name}.git`;

/** A fresh, empty parent folder for the temporary clone. */
async function cloneRoot(): Promise<string> {
  const { dir } = await tempDir('vr-limits-tmp-');
  return dir;
}

describe.each(ENGINES)('Git request bounds (%s)', (engine) => {
  it('stops a clone whose answer is dribbled, names the remote, and leaves no clone behind', async () => {
    const name = `stall-${engine}-${++n}`;
    await server.createBareRepo(name, { 'apps/a.yaml': 'a: 1\n' });
    proxy.on(new RegExp(`/${name}\\.git/info/refs$`), { kind: 'trickle', everyMs: 100 });
    const root = await cloneRoot();
    const err = await open(engine, {
      repo: viaProxy(name),
      tmpRoot: root,
      limits: { timeoutMs: 400, maxResponseBytes: GIB },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GitError);
    const what = engine === 'native' ? 'git clone from' : 'isomorphic-git fetch from';
    expect((err as Error).message).toContain(
      `${what} "${viaProxy(name)}" did not finish within 0.4 s and was stopped (raise git.timeoutSeconds if the remote is just slow)`,
    );
    expect(await readdir(root)).toEqual([]);
  });

  it('stops a push whose answer is dribbled: the remote keeps its head', async () => {
    const name = `slowpush-${engine}-${++n}`;
    const head = await server.createBareRepo(name, { 'apps/a.yaml': 'a: 1\n' });
    proxy.on(
      new RegExp(`/${name}\\.git/info/refs\\?service=git-receive-pack$`),
      { kind: 'trickle', everyMs: 200 },
      { withQuery: true },
    );
    const root = await cloneRoot();
    const limits: RequestLimits = { timeoutMs: 60_000, maxResponseBytes: GIB };
    const ws = await open(engine, { repo: viaProxy(name), tmpRoot: root, limits });
    // The config read from the clone tightens the bounds of the requests that follow (the local git
    // processes of the commit get it too: long enough for them on a busy machine, far below the dribble).
    limits.timeoutMs = 1500;
    const err = await publishWithRetry(ws, setFile('apps/a.yaml', 'a: 2\n'), {
      author,
      attempts: 1,
      sleep: noSleep,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    await ws.close();
    expect(err).toBeInstanceOf(GitError);
    expect((err as Error).message).toMatch(/did not finish within 1\.5 s and was stopped/);
    expect((err as Error).message).toContain(`push to "${viaProxy(name)}"`);
    expect(await server.head(name, 'main')).toBe(head);
    expect(await readdir(root)).toEqual([]);
  });
});

describe('Git size caps', () => {
  it('isomorphic-git: a pack over git.maxResponseBytes stops the clone; no clone is left', async () => {
    const name = `big-iso-${++n}`;
    await server.createBareRepo(name, { 'apps/a.yaml': `a: ${bulky}\n` });
    const root = await cloneRoot();
    const err = await open('isomorphic', {
      repo: server.repoUrl(name),
      tmpRoot: root,
      limits: { timeoutMs: 60_000, maxResponseBytes: 64 * 1024 },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GitError);
    expect((err as Error).message).toBe(
      `isomorphic-git fetch from "${server.repoUrl(name)}" received more than 65536 bytes and was stopped (raise git.maxResponseBytes if this is expected)`,
    );
    expect(await readdir(root)).toEqual([]);
  });

  it('native: a git child whose output goes over git.maxResponseBytes is stopped', async () => {
    const name = `big-native-${++n}`;
    await server.createBareRepo(name, { 'apps/a.yaml': `a: ${bulky}\n` });
    const git = new GitCli('git', gitTestEnv as Record<string, string>, {
      timeoutMs: 60_000,
      maxResponseBytes: 64 * 1024,
    });
    const cwd = server.repoPath(name);
    const small = await git.run(['rev-parse', 'HEAD'], { cwd });
    expect(small.code).toBe(0);
    const err = await git.run(['cat-file', '-p', 'HEAD:apps/a.yaml'], { cwd }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GitError);
    expect((err as Error).message).toBe(
      'git cat-file sent more than 65536 bytes of output and was stopped (raise git.maxResponseBytes if this is expected)',
    );
  });

  it('native: a local git child that outlives the deadline is killed with its process group', async () => {
    const git = new GitCli('git', gitTestEnv as Record<string, string>, {
      timeoutMs: 300,
      maxResponseBytes: GIB,
    });
    // A shell alias: git runs `sleep` as its own child, which holds the output pipe open. Unless the
    // whole group is killed, the call would wait for `sleep` to end.
    const started = Date.now();
    const err = await git.run(['wait'], { cwd: tmp.dir, config: [['alias.wait', '!sleep 30']] }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(err).toBeInstanceOf(GitError);
    expect((err as Error).message).toBe(
      'git wait did not finish within 0.3 s and was stopped (raise git.timeoutSeconds if the remote is just slow)',
    );
  });
});

describe('GitHub request bounds', () => {
  const connect = (limits: RequestLimits) =>
    connectGitHub({
      credentials: { kind: 'token', token: TOKEN },
      repository: { owner: 'acme', name: 'deploy' },
      baseUrl: ghProxy.url,
      logger: silentLogger,
      pacing: false,
      retryAfterUnitMs: 1,
      limits,
    });

  it('answers normally within the bounds', async () => {
    const gh = await connect({ timeoutMs: 10_000, maxResponseBytes: 1024 * 1024 });
    const res = await gh.octokit.rest.pulls.list({ owner: 'acme', repo: 'deploy', state: 'open' });
    expect(res.status).toBe(200);
    expect(res.data).toEqual([]);
  });

  it('stops a dribbled answer at the deadline, names the endpoint, and does not send it again', async () => {
    ghProxy.on(/\/repos\/acme\/deploy\/pulls\/7$/, { kind: 'trickle', everyMs: 100 });
    const gh = await connect({ timeoutMs: 400, maxResponseBytes: 1024 * 1024 });
    const before = ghProxy.faulted.length;
    const err = await gh.octokit.rest.pulls.get({ owner: 'acme', repo: 'deploy', pull_number: 7 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GitHubRequestLimitError);
    expect((err as Error).message).toBe(
      'GitHub API: GET /repos/acme/deploy/pulls/7 did not answer completely within 0.4 s and was stopped (raise github.timeoutSeconds if GitHub is just slow)',
    );
    expect(ghProxy.faulted.length - before).toBe(1);
  });

  it('stops reading a huge answer at github.maxResponseBytes', async () => {
    ghProxy.on(/\/repos\/acme\/deploy\/pulls\/8$/, { kind: 'huge', bytes: 16 * 1024 * 1024 });
    const gh = await connect({ timeoutMs: 30_000, maxResponseBytes: 1024 * 1024 });
    const before = ghProxy.faulted.length;
    const err = await gh.octokit.rest.pulls.get({ owner: 'acme', repo: 'deploy', pull_number: 8 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GitHubRequestLimitError);
    expect((err as Error).message).toBe(
      'GitHub API: GET /repos/acme/deploy/pulls/8 answered with more than 1048576 bytes; vault-rollout stopped reading (raise github.maxResponseBytes if this is expected)',
    );
    expect(ghProxy.faulted.length - before).toBe(1);
  });
});
