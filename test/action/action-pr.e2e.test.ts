/**
 * End to end, the Action's default mode: after actions/checkout (a depth-1 clone whose origin needs the
 * token), `mode` left at its default `pr`, the workflow token as `github-token`, GITHUB_REPOSITORY and
 * GITHUB_API_URL pointing at the GitHub test server. Asserts the pull-request outputs, the summary, the
 * branch on the remote, and that a second run updates the same pull request.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { manifests, OWNER, REPO, seedVault, TOKEN } from '../github/helpers.js';
import { runGit, startGitServer, type GitServer } from '../support/git-server.js';
import { startGitHubServer, type GitHubServer } from '../support/github-server.js';
import { startTestVault, type VaultDevServer } from '../support/vault-server.js';
import { expectMasked, runActionEntry } from './run-action.js';

let tmp: string;
let git: GitServer;
let vault: VaultDevServer;
let gh: GitHubServer;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vr-action-pr-'));
  git = await startGitServer({ tmpRoot: tmp, auth: { username: 'x-access-token', token: TOKEN } });
  vault = await startTestVault({ mounts: [{ path: 'kv', version: 2 }] });
  seedVault(vault);
  await git.createBareRepo('deploy', manifests);
  gh = await startGitHubServer({
    owner: OWNER,
    repo: REPO,
    token: TOKEN,
    branchHead: (b) => git.head('deploy', b).catch(() => null),
  });
});

afterAll(async () => {
  await gh?.close();
  await git?.close();
  await vault?.close();
  await rm(tmp, { recursive: true, force: true });
});

it('opens a pull request from the checkout, sets its outputs, and updates it in place on the next run', async () => {
  const workspace = join(tmp, 'checkout');
  const basic = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
  await runGit([
    '-c',
    `http.extraHeader=Authorization: Basic ${basic}`,
    'clone',
    '--depth',
    '1',
    git.repoUrl('deploy'),
    workspace,
  ]);
  const base = await git.head('deploy', 'main');
  const env = { GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_API_URL: gh.url };
  const inputs = { 'vault-address': vault.url, 'vault-token': vault.rootToken };

  const first = await runActionEntry(inputs, { tmp, githubToken: TOKEN, workspace, env });
  expect(first.stderr).toBe('');
  expect(first.code, first.stdout).toBe(0);
  expectMasked(first, [TOKEN, vault.rootToken]);
  const url = `https://github.test/${OWNER}/${REPO}/pull/1`;
  expect(first.outputs).toMatchObject({
    changed: 'true',
    restarts: '2',
    'pull-request-number': '1',
    'pull-request-url': url,
  });
  expect(first.outputs['commit-sha']).toBe(await git.head('deploy', 'vault-rollout/main'));
  expect(JSON.parse(first.outputs.plan ?? '').pullRequest).toEqual({ number: 1, url });
  expect(first.summary).toContain(`Pull request: [#1](${url})`);
  expect(first.stdout).toContain('::group::Plan and publish (mode "pr")');
  // the base branch is untouched: the change waits for review
  expect(await git.head('deploy', 'main')).toBe(base);

  // a rotation: the same pull request, updated
  vault.kv.write('kv', 'app/stripe');
  const second = await runActionEntry(inputs, { tmp, githubToken: TOKEN, workspace, env });
  expect(second.code, second.stdout).toBe(0);
  expect(second.outputs).toMatchObject({ 'pull-request-number': '1', 'pull-request-url': url });
  expect(second.outputs['commit-sha']).toBe(await git.head('deploy', 'vault-rollout/main'));
  expect(second.outputs['commit-sha']).not.toBe(first.outputs['commit-sha']);
  expect(vault.violations).toBe(0);
});
