/**
 * `pullRequest.apiCommits` / `--api-commits`: the branch commit is made through the GitHub
 * Git Data API, so GitHub signs it. Against the Vault dev server, a real `git http-backend` (the base branch
 * is still cloned with git) and the GitHub test server, whose Git Data API writes into the same bare
 * repository: created PR whose head was made by the API (no git push at all), byte-exact content including a
 * CRLF + BOM file and a nested path, no-op re-run, update in place, a person's commit (and a forged one that
 * names the bot) left alone, switching modes both ways, and `--mode commit` through the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openWorkspace } from '../../src/adapters/git/index.js';
import { connectGitHub, GitHubGitData } from '../../src/adapters/github/index.js';
import { ApiCommitWorkspace, TREE_BATCH, treeBatches } from '../../src/publish/api-commits.js';
import { isOwnBranchCommit } from '../../src/publish/pull-request.js';
import { runApply, type Io } from '../../src/run.js';
import { runGit, type GitServer } from '../support/git-server.js';
import { startGitHubServer, type GitHubServer, type GitHubServerOptions } from '../support/github-server.js';
import type { VaultDevServer } from '../support/vault-server.js';
import {
  author,
  captureLogger,
  manifests,
  OWNER,
  prConfig,
  type PrServers,
  REPO,
  runPr,
  startGitHubFor,
  startPrServers,
  stopPrServers,
  TOKEN,
} from './helpers.js';

let git: GitServer;
let vault: VaultDevServer;
let tmp: PrServers['tmp'];
const servers: GitHubServer[] = [];
const BRANCH = 'vault-rollout/main';
const BOT = { name: 'vault-rollout[bot]', email: '7+vault-rollout[bot]@users.noreply.github.com' };

/** A CRLF file with a BOM and no final newline, in a nested folder: every byte must survive. */
const CRLF_PATH = 'clusters/prod/apps/payments.yaml';
const CRLF_FILE =
  '\uFEFFapiVersion: apps/v1\r\nkind: Deployment\r\nmetadata:\r\n  name: payments\r\n  namespace: prod\r\n' +
  '  annotations:\r\n    vault-rollout/secrets: kv/app/db\r\n    vault-rollout/secret-versions: kv/app/db@1\r\n' +
  'spec:\r\n  template:\r\n    spec:\r\n      containers: [{name: p, image: p:1}]';
const files = { ...manifests, [CRLF_PATH]: CRLF_FILE };

const apiConfig = prConfig('pullRequest: { labels: [secrets], apiCommits: true }\n');
const pushConfig = prConfig('pullRequest: { labels: [secrets] }\n');

beforeAll(async () => {
  ({ git, vault, tmp } = await startPrServers());
});
afterAll(() => stopPrServers({ git, vault, tmp }, servers));

async function setup(name: string, extra: Partial<GitHubServerOptions> = {}) {
  await git.createBareRepo(name, files);
  const gh = await startGitHubFor(git, name, { gitData: true, ...extra });
  servers.push(gh);
  const run = (o: Partial<Parameters<typeof runPr>[0]> = {}) =>
    runPr({ git, vault, githubUrl: gh.url, repo: name, tmpRoot: tmp.dir, config: apiConfig, ...o });
  const bare = (...args: string[]) => runGit(['--git-dir', git.repoPath(name), ...args]);
  return { gh, run, bare };
}

/** Makes `file` executable on `main` with git plumbing (one more commit), to check modes are kept. */
async function makeExecutable(name: string, file: string): Promise<void> {
  const env = {
    ...process.env,
    GIT_INDEX_FILE: `${tmp.dir}/${name}.index`,
    GIT_AUTHOR_NAME: 'Another Writer',
    GIT_AUTHOR_EMAIL: 'writer@example.com',
    GIT_COMMITTER_NAME: 'Another Writer',
    GIT_COMMITTER_EMAIL: 'writer@example.com',
  };
  const g = async (...args: string[]) =>
    (await runGit(['--git-dir', git.repoPath(name), ...args], { env })).toString('utf8').trim();
  await g('read-tree', 'main');
  const blob = await g('rev-parse', `main:${file}`);
  await g('update-index', '--cacheinfo', `100755,${blob},${file}`);
  const tree = await g('write-tree');
  const commit = await g('commit-tree', tree, '-p', 'main', '-m', `chmod +x ${file}`);
  await g('update-ref', 'refs/heads/main', commit);
}

const pushes = (since = 0) =>
  git.requests.slice(since).filter((r) => r.method === 'POST' && r.path.endsWith('/git-receive-pack'));
const apiWrites = (gh: GitHubServer, since = 0) =>
  gh.writes(since).map((r) => `${r.method} ${r.path.replace(`/repos/${OWNER}/${REPO}`, '')}`);

describe('apply --mode pr with API commits', () => {
  it('creates the branch through the API: signed, byte-exact, no git push; re-runs and updates in place', async () => {
    const { gh, run, bare } = await setup('api-pr');
    await makeExecutable('api-pr', 'apps/worker.yaml');
    const mainHead = await git.head('api-pr', 'main');
    const gitSince = git.requests.length;

    const first = await run();
    expect(first.outcome).toBe('created');
    expect(first.apiCommits).toBe(true);
    expect(pushes(gitSince)).toEqual([]);
    const head = await git.head('api-pr', BRANCH);
    expect(first.report.commit).toBe(head);
    expect(gh.gitData?.createdCommits).toEqual([head]);
    expect(gh.gitData?.refUpdates).toEqual([{ ref: `refs/heads/${BRANCH}`, kind: 'create', sha: head }]);
    const paths = first.report.changes.map((c) => c.path).sort();
    expect(paths).toEqual(['apps/api.yaml', 'apps/nightly.yaml', 'apps/worker.yaml', CRLF_PATH].sort());
    // The files' text goes inline in the tree request: no blob request per file, except the CRLF file
    // (Windows line endings and BOMs go as base64 blobs).
    expect(apiWrites(gh)).toEqual([
      'POST /git/blobs',
      'POST /git/trees',
      'POST /git/commits',
      'POST /git/refs',
      'POST /pulls',
      'POST /issues/1/labels',
    ]);
    expect(gh.pulls.get(1)).toMatchObject({ head: BRANCH, base: 'main', labels: ['secrets'] });

    // The commit: one parent (the base), GitHub's identity, signed, our message and trailers.
    const raw = (await bare('cat-file', 'commit', head)).toString('utf8');
    expect(raw).toContain(`parent ${mainHead}\n`);
    expect(raw).toMatch(
      /^author vault-rollout\[bot\] <7\+vault-rollout\[bot\]@users\.noreply\.github\.com> /m,
    );
    expect(raw).toMatch(/^gpgsig -----BEGIN PGP SIGNATURE-----/m);
    expect(raw).toMatch(/^Vault-Secret: kv\/app\/db 1 -> 2$/m);
    expect(raw).toMatch(/^Vault-Rollout-Branch: vault-rollout\/main$/m);

    // Exactly the planned bytes, and nothing else changed (the executable keeps its mode).
    const changed = (await bare('diff', '--name-only', mainHead, head)).toString('utf8').trim().split('\n');
    expect(changed.sort()).toEqual(paths);
    for (const c of first.report.changes) {
      const stored = await bare('cat-file', 'blob', `${head}:${c.path}`);
      expect(stored.equals(Buffer.from(c.after, 'utf8'))).toBe(true);
    }
    const crlf = await bare('cat-file', 'blob', `${head}:${CRLF_PATH}`);
    expect(crlf.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    const text = crlf.toString('utf8');
    expect(text).toContain('vault-rollout/secret-versions: kv/app/db@2\r\n');
    expect(
      text
        .split('\n')
        .slice(0, -1)
        .every((line) => line.endsWith('\r')),
    ).toBe(true);
    expect(text.endsWith('image: p:1}]')).toBe(true);
    const ls = (await bare('ls-tree', '-r', head, 'apps')).toString('utf8');
    expect(ls).toMatch(/^100755 blob [0-9a-f]{40}\tapps\/worker\.yaml$/m);
    expect(ls).toMatch(/^100644 blob [0-9a-f]{40}\tapps\/api\.yaml$/m);

    // Re-run with nothing new: the branch is recognised as ours (verified, GitHub's identity) and left
    // as it is; the only write is the identity probe, a commit on no branch.
    const since = gh.requests.length;
    const second = await run();
    expect(second.outcome).toBe('unchanged');
    expect(second.report.commit).toBe(head);
    expect(apiWrites(gh, since)).toEqual(['POST /git/commits']);
    expect(gh.gitData?.refUpdates).toHaveLength(1);
    expect(await git.head('api-pr', BRANCH)).toBe(head);

    // A dry run reads through the API and writes nothing, not even the identity probe.
    const dryFrom = gh.requests.length;
    vault.kv.write('kv', 'app/stripe');
    expect((await run({ dryRun: true })).outcome).toBe('dry-run');
    expect(apiWrites(gh, dryFrom)).toEqual([]);

    // A new rotation: a new API commit on the base, force-moved over our own, same pull request.
    const third = await run();
    expect(third.outcome).toBe('updated');
    const next = await git.head('api-pr', BRANCH);
    expect(next).not.toBe(head);
    expect(third.report.commit).toBe(next);
    expect(third.report.pullRequest?.number).toBe(1);
    expect(gh.gitData?.refUpdates.at(-1)).toEqual({
      ref: `refs/heads/${BRANCH}`,
      kind: 'force-update',
      sha: next,
    });
    expect((await bare('rev-parse', `${next}^`)).toString('utf8').trim()).toBe(mainHead);
    expect(pushes(gitSince)).toEqual([]);
    expect(gh.pulls.size).toBe(1);
  });

  it("leaves a person's commit alone, and a forged commit that names the bot but is not signed", async () => {
    const { gh, run } = await setup('api-person');
    expect((await run()).outcome).toBe('created');
    const ours = await git.head('api-person', BRANCH);

    // Forged: our message and trailer, the bot's name as author and committer, but made with an explicit
    // author (so not signed by GitHub) on top of the base.
    const octokit = (
      await connectGitHub({
        credentials: { kind: 'token', token: TOKEN },
        repository: { owner: OWNER, name: REPO },
        baseUrl: gh.url,
        logger: captureLogger(),
        pacing: false,
      })
    ).octokit;
    const original = (await octokit.rest.git.getCommit({ owner: OWNER, repo: REPO, commit_sha: ours })).data;
    const forged = await octokit.rest.git.createCommit({
      owner: OWNER,
      repo: REPO,
      message: original.message,
      tree: original.tree.sha,
      parents: original.parents.map((p) => p.sha),
      author: { name: BOT.name, email: BOT.email },
    });
    expect(forged.data.verification.verified).toBe(false);
    await octokit.rest.git.updateRef({
      owner: OWNER,
      repo: REPO,
      ref: `heads/${BRANCH}`,
      sha: forged.data.sha,
      force: true,
    });
    vault.kv.write('kv', 'app/smtp');
    const logger = captureLogger();
    const left = await run({ logger });
    expect(left.outcome).toBe('left-alone');
    expect(await git.head('api-person', BRANCH)).toBe(forged.data.sha);
    expect(gh.comments.filter((c) => c.body.includes('vault-rollout:foreign-commit'))).toHaveLength(1);

    // A person's commit pushed with git on top: left alone as well, no second comment.
    const personal = await git.pushCompetingCommit(
      'api-person',
      BRANCH,
      { 'apps/api.yaml': 'by hand\n' },
      'tweak',
    );
    const again = await run();
    expect(again.outcome).toBe('left-alone');
    expect(again.pushed).toBe(false);
    expect(await git.head('api-person', BRANCH)).toBe(personal);
    expect(gh.comments.filter((c) => c.body.includes('vault-rollout:foreign-commit'))).toHaveLength(1);
  });

  it('keeps the branch when switching between git pushes and API commits, both ways', async () => {
    const { gh, run } = await setup('api-switch', { apiCommitter: 'web-flow' });
    const gitSince = git.requests.length;
    expect((await run({ config: pushConfig })).outcome).toBe('created');
    expect(pushes(gitSince)).toHaveLength(1);

    vault.kv.write('kv', 'app/stripe');
    const viaApi = await run();
    expect(viaApi.outcome).toBe('updated');
    expect(gh.gitData?.createdCommits).toContain(viaApi.report.commit);
    expect(pushes(gitSince)).toHaveLength(1);

    // Back to git pushes: the API commit (committer GitHub <noreply@github.com>) is still ours.
    vault.kv.write('kv', 'app/stripe');
    const viaGit = await run({ config: pushConfig });
    expect(viaGit.outcome).toBe('updated');
    expect(pushes(gitSince)).toHaveLength(2);
    expect(gh.gitData?.createdCommits).not.toContain(viaGit.report.commit);
  });

  it('falls back to base64 blobs when GitHub stores inline text differently, and publishes the same bytes', async () => {
    const { gh, run } = await setup('api-normalized');
    gh.gitData!.alterInlineContent = true;
    const first = await run();
    expect(first.outcome).toBe('created');
    const inline = first.report.changes.filter((c) => c.path !== CRLF_PATH);
    // the CRLF file as a blob; the first tree (inline) came out wrong: every other file as a blob, the tree again
    expect(apiWrites(gh).slice(0, 3 + inline.length)).toEqual([
      'POST /git/blobs',
      'POST /git/trees',
      ...inline.map(() => 'POST /git/blobs'),
      'POST /git/trees',
    ]);
    const head = await git.head('api-normalized', BRANCH);
    const crlf = await git.readFile('api-normalized', BRANCH, CRLF_PATH);
    expect(crlf).toBe(first.report.changes.find((c) => c.path === CRLF_PATH)!.after);
    expect(first.report.commit).toBe(head);
  });

  it('splits a tree request GitHub refuses for its size, and publishes the same commit', async () => {
    const { gh, run } = await setup('api-split');
    gh.failNext({ method: 'POST', path: /\/git\/trees$/, status: 422, message: 'Payload too large' });
    const logger = captureLogger();
    const first = await run({ logger });
    expect(first.outcome).toBe('created');
    // the refused request is not among the writes; its two halves are
    expect(apiWrites(gh).slice(0, 4)).toEqual([
      'POST /git/blobs',
      'POST /git/trees',
      'POST /git/trees',
      'POST /git/commits',
    ]);
    expect(logger.lines.join('\n')).toMatch(
      /GitHub refused a tree request of 4 files \(422\): sending it in two halves/,
    );
    expect(await git.head('api-split', BRANCH)).toBe(first.report.commit);
    for (const c of first.report.changes)
      expect(await git.readFile('api-split', BRANCH, c.path)).toBe(c.after);
  });

  it('names the call and the permission when GitHub refuses to create a tree', async () => {
    const { gh, run } = await setup('api-forbidden');
    gh.failNext({
      method: 'POST',
      path: /\/git\/trees$/,
      status: 403,
      message: 'Resource not accessible by integration',
      headers: { 'x-accepted-github-permissions': 'contents=write' },
    });
    await expect(run()).rejects.toThrow(
      /^GitHub API: creating a tree failed \(POST \/repos\/acme\/deploy\/git\/trees\): 403, permission denied .*the token needs "contents: write"/,
    );
    await expect(git.head('api-forbidden', BRANCH)).rejects.toThrow();
  });
});

describe('tree requests', () => {
  it('carry at most 1,000 files or 1 MB of JSON each, removals first', () => {
    const files = (n: number, size: number) =>
      Array.from({ length: n }, (_, i) => ({
        path: `apps/f${i}.yaml`,
        mode: '100644',
        content: 'x'.repeat(size),
      }));
    // a first adoption of 5,000 small manifests: 5 requests
    expect(treeBatches(files(5000, 600)).map((b) => b.length)).toEqual([1000, 1000, 1000, 1000, 1000]);
    // 3 MB files: one per request (a request is never empty, even for a file over the limit)
    expect(treeBatches(files(3, 3 * 1024 * 1024)).map((b) => b.length)).toEqual([1, 1, 1]);
    // bytes are counted as sent: JSON escapes (a newline is two bytes) and multi-byte characters
    const quarter = treeBatches(files(10, 256 * 1024)).map((b) => b.length);
    expect(quarter).toEqual([3, 3, 3, 1]);
    const escaped = treeBatches(
      files(10, 128 * 1024).map((f) => ({ ...f, content: f.content.replace(/x/g, '\n') })),
    );
    expect(escaped.map((b) => b.length)).toEqual(quarter);
    const wide = treeBatches(
      files(10, 64 * 1024).map((f) => ({ ...f, content: f.content.replace(/x/g, '€') })),
    );
    expect(wide.map((b) => b.length)).toEqual([5, 5]);
    for (const batch of [...escaped, ...wide]) {
      expect(batch.reduce((n, c) => n + Buffer.byteLength(JSON.stringify(c)), 0)).toBeLessThanOrEqual(
        TREE_BATCH.bytes,
      );
    }
    // removals go first, whatever the order they came in
    const mixed = treeBatches([
      { path: 'a/new', mode: '100644', content: 'x' },
      { path: 'a', mode: '100644', sha: null },
    ]);
    expect(mixed).toEqual([
      [
        { path: 'a', mode: '100644', sha: null },
        { path: 'a/new', mode: '100644', content: 'x' },
      ],
    ]);
  });
});

describe('the ownership rule', () => {
  const base = {
    oid: 'a'.repeat(40),
    tree: 'b'.repeat(40),
    parents: ['c'.repeat(40)],
    message: 'subject\n\nVault-Rollout-Branch: vault-rollout/main\n',
    author: { ...BOT, timestamp: 1 },
    committer: { ...BOT, timestamp: 1 },
  };
  it('accepts a verified commit by the API identity, with it or GitHub as committer', () => {
    expect(isOwnBranchCommit({ ...base, verified: true }, BRANCH, author, BOT)).toBe(true);
    const webFlow = { name: 'GitHub', email: 'noreply@github.com', timestamp: 1 };
    expect(isOwnBranchCommit({ ...base, committer: webFlow, verified: true }, BRANCH, author, BOT)).toBe(
      true,
    );
  });
  it('refuses it unverified, by someone else, amended, without the trailer, or without knowing the identity', () => {
    expect(isOwnBranchCommit({ ...base, verified: false }, BRANCH, author, BOT)).toBe(false);
    expect(isOwnBranchCommit({ ...base }, BRANCH, author, BOT)).toBe(false);
    const alice = { name: 'Alice', email: 'alice@example.com', timestamp: 2 };
    expect(isOwnBranchCommit({ ...base, author: alice, verified: true }, BRANCH, author, BOT)).toBe(false);
    expect(isOwnBranchCommit({ ...base, committer: alice, verified: true }, BRANCH, author, BOT)).toBe(false);
    expect(isOwnBranchCommit({ ...base, message: 'subject\n', verified: true }, BRANCH, author, BOT)).toBe(
      false,
    );
    expect(isOwnBranchCommit({ ...base, parents: [], verified: true }, BRANCH, author, BOT)).toBe(false);
    expect(isOwnBranchCommit({ ...base, verified: true }, BRANCH, author)).toBe(false);
  });
});

describe('apply --mode commit with API commits', () => {
  function io(gh: GitHubServer, logger = captureLogger()): Io {
    return {
      env: {
        VAULT_ADDR: vault.url,
        VAULT_TOKEN: vault.rootToken,
        GITHUB_TOKEN: TOKEN,
        GITHUB_API_URL: gh.url,
        GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      },
      cwd: tmp.dir,
      stdout: () => {},
      logger,
      github: { pacing: false, retryAfterUnitMs: 1 },
    };
  }
  const opts = (name: string, apiCommits?: boolean) => ({
    repo: git.repoUrl(name),
    format: 'json' as const,
    exitCode: false,
    mode: 'commit' as const,
    dryRun: false,
    apiCommits,
  });

  it('moves the base branch to a signed API commit as a fast-forward; the flag wins over the config', async () => {
    await git.createBareRepo('api-commit', {
      ...files,
      'vault-rollout.yaml': 'pullRequest: { apiCommits: true }\n',
    });
    const gh = await startGitHubServer({
      owner: OWNER,
      repo: REPO,
      token: TOKEN,
      gitDir: git.repoPath('api-commit'),
    });
    servers.push(gh);
    const before = await git.head('api-commit', 'main');
    const gitSince = git.requests.length;

    const report = await runApply(opts('api-commit'), io(gh));
    const head = await git.head('api-commit', 'main');
    expect(report.commit).toBe(head);
    expect(gh.gitData?.createdCommits).toEqual([head]);
    expect(gh.gitData?.refUpdates).toEqual([{ ref: 'refs/heads/main', kind: 'update', sha: head }]);
    expect(pushes(gitSince)).toEqual([]);
    const commit = (await gh.gitData!.route('GET', `/repos/${OWNER}/${REPO}/git/commits/${head}`, {}))!
      .body as {
      verification: { verified: boolean };
      parents: { sha: string }[];
    };
    expect(commit.verification.verified).toBe(true);
    expect(commit.parents.map((p) => p.sha)).toEqual([before]);
    expect(await git.readFile('api-commit', 'main', CRLF_PATH)).toContain('kv/app/db@2\r\n');

    // --no-api-commits wins over the config: a git push.
    vault.kv.write('kv', 'app/stripe');
    const pushed = await runApply(opts('api-commit', false), io(gh));
    expect(pushes(gitSince)).toHaveLength(1);
    expect(gh.gitData?.createdCommits).not.toContain(pushed.commit);
  });

  it('re-plans when GitHub answers that the update is not a fast-forward', async () => {
    await git.createBareRepo('api-race', files);
    const gh = await startGitHubServer({
      owner: OWNER,
      repo: REPO,
      token: TOKEN,
      gitDir: git.repoPath('api-race'),
    });
    servers.push(gh);
    const logger = captureLogger();
    const ws = await openWorkspace({
      env: { PATH: process.env['PATH'], HOME: '/nonexistent' },
      repo: git.repoUrl('api-race'),
      logger,
      tmpRoot: tmp.dir,
    });
    try {
      const { octokit } = await connectGitHub({
        credentials: { kind: 'token', token: TOKEN },
        repository: { owner: OWNER, name: REPO },
        baseUrl: gh.url,
        logger,
        pacing: false,
      });
      const api = new ApiCommitWorkspace(
        ws,
        new GitHubGitData(octokit, { owner: OWNER, name: REPO }, logger),
        logger,
      );
      const commit = await api.commit({
        changes: [
          {
            path: 'apps/api.yaml',
            before: manifests['apps/api.yaml'],
            after: `${manifests['apps/api.yaml']}# one\n`,
          },
        ],
        message: 'one\n',
        author,
      });
      // Someone pushes to main in between: GitHub's own fast-forward check refuses the update.
      const theirs = await git.pushCompetingCommit('api-race', 'main', { 'README.md': 'hello\n' });
      const res = await api.push(commit);
      expect(res).toMatchObject({ ok: false, reason: 'not-fast-forward' });
      expect(res.ok ? '' : res.message).toContain('Update is not a fast forward');
      expect(await git.head('api-race', 'main')).toBe(theirs);

      // The pull-request branch: created once; then a compare-and-swap on a stale head gives up untouched.
      expect(await api.pushBranch(commit, 'topic', { expectedOld: null })).toEqual({ ok: true });
      expect(await git.head('api-race', 'topic')).toBe(commit);
      const moved = await git.pushCompetingCommit('api-race', 'topic', { 'README.md': 'mine\n' });
      const stale = await api.pushBranch(commit, 'topic', { expectedOld: commit });
      expect(stale).toEqual({
        ok: false,
        reason: 'not-fast-forward',
        message: `branch "topic" is at ${moved.slice(0, 12)}, expected ${commit.slice(0, 12)}`,
      });
      expect(await git.head('api-race', 'topic')).toBe(moved);
      expect(await api.pushBranch(commit, 'topic', { expectedOld: null })).toMatchObject({ ok: false });
    } finally {
      await ws.close();
    }

    // The whole command: one refused update (injected), then a re-plan on the new head and success.
    gh.failNext({
      method: 'PATCH',
      path: /\/git\/refs\/heads(\/|%2F)main$/,
      status: 422,
      message: 'Update is not a fast forward',
    });
    const report = await runApply(opts('api-race', true), io(gh));
    expect(report.commit).toBe(await git.head('api-race', 'main'));
    expect(gh.requests.filter((r) => r.method === 'PATCH' && r.fault)).toHaveLength(1);
  });
});
