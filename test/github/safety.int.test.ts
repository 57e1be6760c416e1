/**
 * What must never go wrong in pull-request mode: a person's commit on the branch is left alone (one
 * comment, reported); 403 and 422 answers say which call failed and what to fix; secondary rate limits
 * are retried after retry-after; auto-merge refused is a warning; a GitHub App's token is used.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GitHubError } from '../../src/adapters/github/index.js';
import { redact } from '../../src/log.js';
import { runApply, type Io } from '../../src/run.js';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { startGitHubServer, type GitHubServer, type GitHubServerOptions } from '../support/github-server.js';
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
let tmp: PrServers['tmp'];
const servers: GitHubServer[] = [];
const BRANCH = 'vault-rollout/main';

beforeAll(async () => {
  ({ git, vault, tmp } = await startPrServers());
});
afterAll(() => stopPrServers({ git, vault, tmp }, servers));

async function setup(name: string, extra: Partial<GitHubServerOptions> = {}) {
  await git.createBareRepo(name, manifests);
  const gh = await startGitHubFor(git, name, extra);
  servers.push(gh);
  const run = (o: Partial<Parameters<typeof runPr>[0]> = {}) =>
    runPr({ git, vault, githubUrl: gh.url, repo: name, tmpRoot: tmp.dir, ...o });
  return { gh, run };
}

describe("a person's commit on the branch", () => {
  it('is never overwritten: the pull request gets one comment and the run reports it', async () => {
    const { gh, run } = await setup('person');
    expect((await run()).outcome).toBe('created');
    const personal = await git.pushCompetingCommit(
      'person',
      BRANCH,
      { 'apps/api.yaml': `${manifests['apps/api.yaml']}# reviewed by a person\n` },
      'tweak by hand',
    );
    // Enough comments by people that the marker search needs a second page.
    for (let i = 0; i < 120; i++) gh.addComment(1, `LGTM ${i}`);
    vault.kv.write('kv', 'app/stripe'); // something new to publish

    const logger = captureLogger();
    const first = await run({ logger });
    expect(first.outcome).toBe('left-alone');
    expect(first.pushed).toBe(false);
    expect(await git.head('person', BRANCH)).toBe(personal);
    expect(first.report.pullRequest?.number).toBe(1);
    expect(first.report.problems).toEqual([
      expect.objectContaining({
        file: BRANCH,
        severity: 'warning',
        message: expect.stringMatching(
          /holds a commit vault-rollout did not make .* by Another Writer\); left as it is and pull request #1 not updated/,
        ),
      }),
    ]);
    expect(logger.lines.some((l) => l.startsWith('warn: ') && l.includes('did not make'))).toBe(true);
    const marker = () => gh.comments.filter((c) => c.body.includes('vault-rollout:foreign-commit'));
    expect(marker()).toHaveLength(1);
    expect(marker()[0]!.body).toContain(personal.slice(0, 12));

    const since = gh.requests.length;
    const second = await run();
    expect(second.outcome).toBe('left-alone');
    expect(marker()).toHaveLength(1); // not repeated
    expect(gh.writes(since)).toEqual([]);
    // The marker sat on page 2 of the comments: pagination followed the Link header.
    expect(gh.requests.slice(since).filter((r) => r.path.includes('/issues/1/comments')).length).toBe(2);
    expect(await git.head('person', BRANCH)).toBe(personal);
  });
});

describe('GitHub refusals', () => {
  it('403: names the call and the permission GitHub asked for, never the token', async () => {
    const { gh, run } = await setup('forbidden');
    gh.failNext({
      method: 'POST',
      path: /\/pulls$/,
      status: 403,
      message: 'Resource not accessible by integration',
      headers: { 'x-accepted-github-permissions': 'pull_requests=write' },
    });
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitHubError);
    const message = (err as Error).message;
    expect(message).toMatch(
      /^GitHub API: creating the pull request failed \(POST \/repos\/acme\/deploy\/pulls\): 403, permission denied \("Resource not accessible by integration"\); the token needs "pull_requests: write"/,
    );
    expect(message).toContain('permissions: { contents: write, pull-requests: write }');
    expect(message).not.toContain(TOKEN);
    expect(redact(TOKEN)).toBe('***');
  });

  it('403 on the first call without the permission header falls back to the permission the call needs', async () => {
    const { gh, run } = await setup('forbidden-list');
    gh.failNext({
      method: 'GET',
      path: /\/pulls$/,
      status: 403,
      message: 'Must have admin rights to Repository.',
    });
    await expect(run()).rejects.toThrow(
      /listing open pull requests failed .*the token needs "pull-requests: read"/,
    );
  });

  it("422 on create: GitHub's reason and what it means", async () => {
    const { gh, run } = await setup('unprocessable');
    gh.failNext({
      method: 'POST',
      path: /\/pulls$/,
      status: 422,
      message: 'Validation Failed',
      errors: [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: 'A pull request already exists for acme:vault-rollout/main.',
        },
      ],
    });
    await expect(run()).rejects.toThrow(
      /creating the pull request failed \(POST \/repos\/acme\/deploy\/pulls\): 422, GitHub refused the request \("Validation Failed; A pull request already exists for acme:vault-rollout\/main\."\): another open pull request already uses this head branch/,
    );
  });

  it('422 on reviewers: the pull request stays, the problem is reported', async () => {
    const { gh, run } = await setup('reviewers', { collaborators: ['alice'] });
    const res = await run({ config: prConfig('pullRequest: { reviewers: [alice, mallory] }\n') });
    expect(res.outcome).toBe('created');
    expect(gh.pulls.get(1)?.reviewers).toEqual([]);
    expect(res.report.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(
        /requesting reviewers on #1 failed .*422.*not a collaborator of the repository; fix the config/,
      ),
    ]);
  });

  it('auto-merge not allowed by the repository: a clear warning, the pull request is still opened', async () => {
    const { gh, run } = await setup('automerge');
    gh.allowAutoMerge = false;
    const res = await run({ config: prConfig('pullRequest: { autoMerge: true }\n') });
    expect(res.outcome).toBe('created');
    expect(res.report.problems.map((p) => p.message)).toEqual([
      'auto-merge not enabled on #1: the repository does not allow auto-merge: enable "Allow auto-merge" in its settings, or set pullRequest.autoMerge: false',
    ]);
  });
});

describe('rate limits', () => {
  it('retries a secondary rate limit (403 and 429 with retry-after) a bounded number of times', async () => {
    const { gh, run } = await setup('secondary');
    const secondary =
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
    gh.failNext({
      method: 'GET',
      path: /\/pulls$/,
      status: 429,
      message: secondary,
      headers: { 'retry-after': '2' },
    });
    gh.failNext({
      method: 'POST',
      path: /\/pulls$/,
      status: 403,
      message: secondary,
      headers: { 'retry-after': '1' },
      times: 2,
    });
    const logger = captureLogger();
    const res = await run({ logger });
    expect(res.outcome).toBe('created');
    expect(
      gh.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pulls')).map((r) => r.status),
    ).toEqual([403, 403, 201]);
    expect(logger.lines.filter((l) => l.startsWith('warn: GitHub secondary rate limit'))).toHaveLength(3);

    // Four in a row exceeds the 3 retries: a clear error instead of waiting forever.
    const { gh: gh2, run: run2 } = await setup('secondary-forever');
    gh2.failNext({
      method: 'GET',
      path: /\/pulls$/,
      status: 403,
      message: secondary,
      headers: { 'retry-after': '1' },
      times: 10,
    });
    await expect(run2()).rejects.toThrow(
      /listing open pull requests failed .*secondary rate limit held after the retries/,
    );
    expect(gh2.requests.filter((r) => r.fault)).toHaveLength(4);
  });
});

/**
 * A GitHub App (id 4242, installation 77) whose installation token is the only credential a fresh git
 * remote accepts, holding `manifests` as repository `name`; the GitHub test server knows the App's key.
 */
async function appFixture(name: string, installationToken: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const appGit = await startGitServer({
    tmpRoot: tmp.dir,
    auth: { username: 'x-access-token', token: installationToken },
  });
  await appGit.createBareRepo(name, manifests);
  const gh = await startGitHubServer({
    owner: OWNER,
    repo: REPO,
    app: {
      appId: '4242',
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      installationId: 77,
      installationToken,
    },
    branchHead: (b) => appGit.head(name, b).catch(() => null),
  });
  servers.push(gh);
  return { pem, appGit, gh };
}

describe('GitHub App authentication', () => {
  it('finds the installation, creates an installation token and uses it for every call and the git push', async () => {
    const installationToken = 'ghs_installationToken_abcdefghijklmnop';
    // A remote that accepts only the installation token.
    const { pem, appGit, gh } = await appFixture('app', installationToken);
    try {
      const logger = captureLogger();
      const res = await runPr({
        git: appGit,
        vault,
        githubUrl: gh.url,
        repo: 'app',
        tmpRoot: tmp.dir,
        logger,
        // The clone needs some credentials here; the push must switch to the installation token.
        gitAuth: { username: 'x-access-token', token: installationToken },
        afterOpen: (ws) => ws.useAuth({ username: 'x-access-token', token: 'stale-token-from-checkout' }),
        env: {
          GITHUB_TOKEN: '',
          GITHUB_APP_ID: '4242',
          GITHUB_APP_PRIVATE_KEY: Buffer.from(pem).toString('base64'),
        },
      });
      expect(res.outcome).toBe('created');
      expect(await appGit.head('app', BRANCH)).toBe(res.report.commit);
      expect(gh.requests.slice(0, 2).map((r) => [r.method, r.path, r.auth])).toEqual([
        ['GET', '/repos/acme/deploy/installation', 'bearer-jwt'],
        ['POST', '/app/installations/77/access_tokens', 'bearer-jwt'],
      ]);
      expect(gh.requests.slice(2).every((r) => r.auth === 'token')).toBe(true);
      expect(logger.lines.join('\n')).not.toContain(installationToken);
      expect(redact(`token ${installationToken}`)).toBe('token ***');
    } finally {
      await appGit.close();
    }
  });
});

describe('GitHub App only (no GIT_TOKEN, no GITHUB_TOKEN)', () => {
  it('clones a private repository with the installation token, then opens the pull request', async () => {
    const installationToken = 'ghs_installationToken_only_credential_01';
    const { pem, appGit, gh } = await appFixture('deploy', installationToken);
    try {
      const logger = captureLogger();
      const io: Io = {
        env: {
          VAULT_ADDR: vault.url,
          VAULT_TOKEN: vault.rootToken,
          GITHUB_API_URL: gh.url,
          GITHUB_APP_ID: '4242',
          GITHUB_APP_PRIVATE_KEY: pem,
        },
        cwd: tmp.dir,
        stdout: () => {},
        logger,
        github: { pacing: false, retryAfterUnitMs: 1 },
      };
      const report = await runApply(
        {
          repo: appGit.repoUrl('deploy'),
          format: 'json',
          exitCode: false,
          mode: 'pr',
          dryRun: false,
          githubRepository: `${OWNER}/${REPO}`,
        },
        io,
      );
      expect(report.pullRequest?.number).toBe(1);
      expect(await appGit.head('deploy', BRANCH)).toBe(report.commit);
      // One GitHub connection per run: the clone and the pull request share one installation token.
      expect(gh.requests.filter((r) => r.path === '/app/installations/77/access_tokens')).toHaveLength(1);
      expect(logger.lines.join('\n')).not.toContain(installationToken);
    } finally {
      await appGit.close();
    }
  });
});

describe('GitHub App credentials and the clone', () => {
  const appEnv = (apiUrl: string) => ({
    VAULT_ADDR: vault.url,
    VAULT_TOKEN: vault.rootToken,
    GITHUB_API_URL: apiUrl,
    GITHUB_APP_ID: '4242',
    GITHUB_APP_PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString(),
  });
  const dryRun = (name: string, env: Record<string, string>, logger = captureLogger()) =>
    runApply(
      {
        repo: git.repoUrl(name),
        format: 'json',
        exitCode: false,
        mode: 'commit',
        dryRun: true,
        githubRepository: `${OWNER}/${REPO}`,
      },
      { env, cwd: tmp.dir, stdout: () => {}, logger, github: { pacing: false, retryAfterUnitMs: 1 } },
    ).then((report) => ({ report, logger }));

  it('asks no token for a URL on another host than the GitHub API', async () => {
    await git.createBareRepo('elsewhere', manifests);
    const { report, logger } = await dryRun('elsewhere', appEnv('https://github-api.invalid'));
    expect(report.changes.length).toBeGreaterThan(0);
    expect(logger.lines.join('\n')).not.toContain('GitHub App');
  });

  it('clones without credentials, after a warning, when the App gives no token', async () => {
    await git.createBareRepo('public', manifests);
    // a GitHub server that knows no App: the installation lookup fails
    const gh = await startGitHubServer({ owner: OWNER, repo: REPO, token: TOKEN });
    servers.push(gh);
    const { report, logger } = await dryRun('public', appEnv(gh.url));
    expect(report.changes.length).toBeGreaterThan(0);
    expect(logger.lines.join('\n')).toMatch(
      /warn: cloning without credentials: the GitHub App gave no installation token \(/,
    );
  });
});

describe('dry run', () => {
  it('reads the branch and the pull request but pushes and writes nothing', async () => {
    const { gh, run } = await setup('dry');
    const logger = captureLogger();
    const res = await run({ dryRun: true, logger });
    expect(res.outcome).toBe('dry-run');
    expect(res.report.changes.length).toBe(3);
    await expect(git.head('dry', BRANCH)).rejects.toThrow();
    expect(gh.writes()).toEqual([]);
    expect(logger.lines).toContain(
      'info: Dry run: would push 3 file(s) to "vault-rollout/main" and open a pull request',
    );
  });
});
