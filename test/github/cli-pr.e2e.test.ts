/**
 * End to end: `node dist/cli.js apply --mode pr --format json` (build first: `npm run build`) against the
 * Vault dev server, a real `git http-backend` and the GitHub test server. Spawned asynchronously: the
 * servers run in this process (a synchronous spawn would deadlock).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

import type { GitServer } from '../support/git-server.js';
import type { GitHubServer } from '../support/github-server.js';
import type { VaultDevServer } from '../support/vault-server.js';
import {
  manifests,
  OWNER,
  REPO,
  startGitHubFor,
  startPrServers,
  stopPrServers,
  TOKEN,
  type PrServers,
} from './helpers.js';

const run = runCli;

let git: GitServer;
let vault: VaultDevServer;
let gh: GitHubServer;
let tmp: PrServers['tmp'];

beforeAll(async () => {
  ({ git, vault, tmp } = await startPrServers());
  await git.createBareRepo('cli', manifests);
  gh = await startGitHubFor(git, 'cli');
});
afterAll(() => stopPrServers({ git, vault, tmp }, [gh]));

describe('node dist/cli.js apply --mode pr', () => {
  it('prints pullRequest {number, url} in the JSON report; the token appears nowhere', async () => {
    const env = {
      VAULT_ADDR: vault.url,
      VAULT_TOKEN: vault.rootToken,
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: gh.url,
    };
    const args = ['apply', '--repo', git.repoUrl('cli'), '--mode', 'pr', '--format', 'json'];
    const res = await run([...args, '--github-repository', `${OWNER}/${REPO}`], env);
    expect(res.stderr).not.toContain(TOKEN);
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout) as { pullRequest: unknown; commit: string; summary: unknown };
    expect(report.pullRequest).toEqual({ number: 1, url: `https://github.test/${OWNER}/${REPO}/pull/1` });
    expect(report.commit).toBe(await git.head('cli', 'vault-rollout/main'));
    expect(report.summary).toMatchObject({ restart: 2, record: 1 });
    expect(res.stderr).toContain('Opened pull request #1');

    // Second run, repository from GITHUB_REPOSITORY: the same pull request, nothing written.
    const since = gh.requests.length;
    const again = await run(args, { ...env, GITHUB_REPOSITORY: `${OWNER}/${REPO}` });
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { pullRequest: unknown }).pullRequest).toEqual(report.pullRequest);
    expect(gh.writes(since)).toEqual([]);
  });

  it('a 403 exits 1 with the call and the permission on stderr', async () => {
    gh.failNext({
      method: 'GET',
      path: /\/pulls$/,
      status: 403,
      message: 'Resource not accessible by integration',
    });
    const res = await run(['apply', '--repo', git.repoUrl('cli'), '--mode', 'pr', '--format', 'json'], {
      VAULT_ADDR: vault.url,
      VAULT_TOKEN: vault.rootToken,
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: gh.url,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(
      /vault-rollout: GitHub API: listing open pull requests failed \(GET \/repos\/acme\/deploy\/pulls\): 403, permission denied .*"pull-requests: read"/,
    );
    expect(res.stderr).not.toContain(TOKEN);
  });
});
