/**
 * The whole `apply --mode pr` lifecycle against a real `git http-backend`, the Vault dev server and the
 * GitHub test server: create, no-op re-run, update in place after a second rotation, close when stale.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { GitServer } from '../support/git-server.js';
import type { GitHubServer } from '../support/github-server.js';
import type { VaultDevServer } from '../support/vault-server.js';
import {
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
let gh: GitHubServer;
let tmp: PrServers['tmp'];
const NAME = 'life';
const BRANCH = 'vault-rollout/main';
const config = prConfig(
  'pullRequest: { labels: [secrets, rollout], reviewers: [alice, platform/sre], autoMerge: true }\n',
);

beforeAll(async () => {
  ({ git, vault, tmp } = await startPrServers());
  await git.createBareRepo(NAME, manifests);
  gh = await startGitHubFor(git, NAME);
});
afterAll(() => stopPrServers({ git, vault, tmp }, [gh]));

const run = () => runPr({ git, vault, githubUrl: gh.url, repo: NAME, config, tmpRoot: tmp.dir });
const receivePacks = () =>
  git.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/git-receive-pack'));

describe('pull-request lifecycle', () => {
  let firstHead = '';

  it('creates the branch (one commit on the base) and the pull request with labels, reviewers, auto-merge', async () => {
    const mainHead = await git.head(NAME, 'main');
    const res = await run();
    expect(res.outcome).toBe('created');
    expect(res.pushed).toBe(true);
    expect(res.report.pullRequest).toEqual({ number: 1, url: `https://github.test/${OWNER}/${REPO}/pull/1` });

    // Base untouched; the branch is exactly one commit on top of it, ours, with the trailers.
    expect(await git.head(NAME, 'main')).toBe(mainHead);
    const commits = await git.commits(NAME, BRANCH);
    expect(commits.map((c) => c.id).slice(1)).toEqual([mainHead]);
    expect(commits[0]!.author).toBe('vault-rollout <vault-rollout@users.noreply.github.com>');
    firstHead = commits[0]!.id;
    expect(res.report.commit).toBe(firstHead);
    const log = await git.log(NAME, BRANCH);
    expect(log).toContain('Vault-Secret: kv/app/db 1 -> 2');
    expect(log).toContain(`Vault-Rollout-Branch: ${BRANCH}`);
    expect(await git.readFile(NAME, BRANCH, 'apps/api.yaml')).toContain(
      'vault-rollout/secret-versions: kv/app/db@2,kv/app/stripe@1',
    );

    const pr = gh.pulls.get(1)!;
    expect(pr).toMatchObject({ head: BRANCH, base: 'main', state: 'open', autoMerge: true });
    expect(pr.title).toBe('vault-rollout: restart 2 workloads for rotated Vault secrets, record 1');
    expect(pr.labels).toEqual(['secrets', 'rollout']);
    expect(pr.reviewers).toEqual(['alice']);
    expect(pr.teamReviewers).toEqual(['sre']);
    expect(pr.body).toContain(
      '| **api** | Deployment | `prod` | `apps/api.yaml` | `kv/app/db` | 1 → **2** |',
    );
    expect(pr.body).toContain('<!-- vault-rollout:pull-request -->');
    expect(pr.body).not.toContain(TOKEN);
    // head must be owner:branch (a bare branch is ignored by GitHub).
    expect(gh.requests.find((r) => r.method === 'GET' && r.path.includes('/pulls?'))?.path).toContain(
      `head=${encodeURIComponent(`${OWNER}:${BRANCH}`)}`,
    );
    expect(gh.requests.every((r) => r.auth === 'token')).toBe(true);
  });

  it('a re-run with nothing new pushes nothing and writes nothing to GitHub', async () => {
    const packs = receivePacks().length;
    const since = gh.requests.length;
    const res = await run();
    expect(res.outcome).toBe('unchanged');
    expect(res.pushed).toBe(false);
    expect(res.report.pullRequest?.number).toBe(1);
    expect(res.report.commit).toBe(firstHead);
    expect(await git.head(NAME, BRANCH)).toBe(firstHead);
    expect(receivePacks().length).toBe(packs);
    expect(gh.writes(since)).toEqual([]);
    expect(res.apiRequests).toBe(1); // the pulls.list lookup only
  });

  it('a second rotation force-pushes a rebuilt branch and updates the same pull request in place', async () => {
    vault.kv.write('kv', 'app/db'); // v3
    const mainHead = await git.head(NAME, 'main');
    const since = gh.requests.length;
    const res = await run();
    expect(res.outcome).toBe('updated');
    expect(res.pushed).toBe(true);
    const commits = await git.commits(NAME, BRANCH);
    expect(commits).toHaveLength(2); // still one commit on the base
    expect(commits[1]!.id).toBe(mainHead);
    expect(commits[0]!.id).not.toBe(firstHead);
    expect(await git.log(NAME, BRANCH)).toContain('Vault-Secret: kv/app/db 1 -> 3');
    expect(gh.pulls.size).toBe(1);
    const pr = gh.pulls.get(1)!;
    expect(pr.body).toContain('1 → **3**');
    expect(gh.writes(since).map((r) => `${r.method} ${r.path}`)).toEqual([
      `PATCH /repos/${OWNER}/${REPO}/pulls/1`,
    ]);
  });

  it('closes the stale pull request with a comment and deletes the branch when the base was bumped by hand', async () => {
    // Someone applies the same edits on main by hand.
    const files: Record<string, string> = {};
    for (const f of Object.keys(manifests)) files[f] = await git.readFile(NAME, BRANCH, f);
    await git.pushCompetingCommit(NAME, 'main', files, 'bump secret versions by hand');
    const logger = captureLogger();
    const res = await runPr({ git, vault, githubUrl: gh.url, repo: NAME, config, logger, tmpRoot: tmp.dir });
    expect(res.outcome).toBe('closed');
    expect(res.report.pullRequest).toBeNull();
    expect(res.report.summary).toMatchObject({ restart: 0, record: 0 });
    expect(gh.pulls.get(1)!.state).toBe('closed');
    const last = gh.comments.filter((c) => c.issue === 1).at(-1)!;
    expect(last.body).toMatch(/nothing is pending on `main` any more/);
    await expect(git.head(NAME, BRANCH)).rejects.toThrow();
    // And the next run has nothing to do at all.
    const again = await run();
    expect(again.outcome).toBe('none');
  });
});
