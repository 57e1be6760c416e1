/**
 * Concurrent pull-request runs through the built CLI: five `apply --mode pr` on the same repository at
 * once. GitHub answers every create after the first with 422 "A pull request already exists for
 * owner:branch." (the test server answers as GitHub does); that means the pull request is open, so every
 * run exits 0 and there is exactly one open pull request, whose branch holds the planned change.
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitServer } from '../support/git-server.js';
import type { GitHubServer } from '../support/github-server.js';
import type { VaultDevServer } from '../support/vault-server.js';
import { runGit } from '../support/git-server.js';
import { runCli } from '../support/run-cli.js';
import {
  manifests,
  OWNER,
  REPO,
  startGitHubFor,
  startPrServers,
  stopPrServers,
  TOKEN,
  type PrServers,
} from '../github/helpers.js';

let git: GitServer;
let vault: VaultDevServer;
let gh: GitHubServer;
let tmp: PrServers['tmp'];

beforeAll(async () => {
  ({ git, vault, tmp } = await startPrServers());
  await git.createBareRepo('race', manifests);
  // Two creates meet at the server: at least one run gets the 422 a real race gives.
  gh = await startGitHubFor(git, 'race', { gatePullCreates: 2 });
});
afterAll(() => stopPrServers({ git, vault, tmp }, [gh]));

describe('five concurrent apply --mode pr runs', () => {
  it('all exit 0 with the one open pull request; a 422 "already exists" is that pull request', async () => {
    const runs = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const runTmp = await mkdtemp(join(tmp.dir, 'run-tmp-'));
        const res = await runCli(
          ['apply', '--repo', git.repoUrl('race'), '--mode', 'pr', '--format', 'json'],
          {
            VAULT_ADDR: vault.url,
            VAULT_TOKEN: vault.rootToken,
            GITHUB_TOKEN: TOKEN,
            GITHUB_API_URL: gh.url,
            GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
            TMPDIR: runTmp,
          },
        );
        return { res, runTmp };
      }),
    );
    for (const { res, runTmp } of runs) {
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout + res.stderr).not.toContain(TOKEN);
      expect(await readdir(runTmp)).toEqual([]);
    }
    const open = [...gh.pulls.values()].filter((p) => p.state === 'open');
    expect(open).toHaveLength(1);
    const numbers = runs.map(
      ({ res }) => (JSON.parse(res.stdout) as { pullRequest: { number: number } }).pullRequest.number,
    );
    expect(new Set(numbers)).toEqual(new Set([open[0]!.number]));
    const branchHead = await git.head('race', 'vault-rollout/main');
    const changed = (
      await runGit(['show', '--name-only', '--format=', branchHead], { cwd: git.repoPath('race') })
    )
      .toString()
      .trim();
    expect(changed.split('\n').length).toBeGreaterThan(0);
    const log = (await runGit(['log', '-p', '--all'], { cwd: git.repoPath('race') })).toString();
    expect(log).not.toContain(TOKEN);
    // How often the race was met here (each 422 was taken as the open pull request, not a failure).
    const refused = gh.requests.filter(
      (r) => r.method === 'POST' && /\/pulls$/.test(r.path) && r.status === 422,
    );
    const created = gh.requests.filter(
      (r) => r.method === 'POST' && /\/pulls$/.test(r.path) && r.status === 201,
    );
    expect(created).toHaveLength(1);
    console.log(
      `concurrent PR runs: ${created.length} create, ${refused.length} answered 422 "already exists"`,
    );
  }, 120_000);
});
