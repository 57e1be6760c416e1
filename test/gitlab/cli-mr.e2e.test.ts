/**
 * End to end: the built CLI (`npm run build` first) opens and keeps GitLab merge requests, against the
 * Vault test server, a real `git http-backend` and the GitLab test server under a sub-path. The steps of
 * one repository's life run in order: adoption, a no-op run, a rotation, a request a person closed, a
 * person's commit on the branch. Then `CI_JOB_TOKEN` alone: commit mode pushes with it and calls no API;
 * merge-request mode exits 1 naming GITLAB_TOKEN with nothing pushed.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../support/run-cli.js';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { startGitLabServer, type GitLabServer } from '../support/gitlab-server.js';
import { startTestVault, type VaultDevServer } from '../support/vault-server.js';
import { manifests, seedVault, tempDir } from '../github/helpers.js';
import { FOREIGN_COMMIT_MARKER } from '../../src/publish/pull-request.js';
import { errorsOf, reportValidator } from '../support/report-schema.js';

const TOKEN = 'glpat-TestTokenValue0123456789';
const JOB_TOKEN = 'glcbt-64_JobTokenValue_abcdef012345';
const PROJECT = 'platform/deploy';
const BRANCH = 'vault-rollout/main';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let git: GitServer;
let jobGit: GitServer;
let vault: VaultDevServer;
let gl: GitLabServer;
let jobGl: GitLabServer;
let configFile: string;

beforeAll(async () => {
  tmp = await tempDir();
  git = await startGitServer({ tmpRoot: tmp.dir, auth: { username: 'oauth2', token: TOKEN } });
  jobGit = await startGitServer({
    tmpRoot: tmp.dir,
    auth: { username: 'gitlab-ci-token', token: JOB_TOKEN },
  });
  vault = await startTestVault({ mounts: [{ path: 'kv', version: 2 }] });
  seedVault(vault);
  await git.createBareRepo('deploy', manifests);
  await jobGit.createBareRepo('deploy', manifests);
  gl = await startGitLabServer({
    project: PROJECT,
    token: TOKEN,
    users: { alice: 7, bob: 8 },
    branchHead: (b) => git.head('deploy', b).catch(() => null),
  });
  jobGl = await startGitLabServer({ project: PROJECT, token: TOKEN, jobToken: JOB_TOKEN });
  configFile = path.join(tmp.dir, 'vault-rollout.yaml');
  await writeFile(
    configFile,
    'forge: gitlab\npullRequest: { labels: [secrets, automated], reviewers: [alice, "@bob"], draft: true }\n',
  );
});
afterAll(async () => {
  await gl?.close();
  await jobGl?.close();
  await git?.close();
  await jobGit?.close();
  await vault?.close();
  await tmp?.cleanup();
});

const env = () => ({
  VAULT_ADDR: vault.url,
  VAULT_TOKEN: vault.rootToken,
  GITLAB_TOKEN: TOKEN,
  GITLAB_API_URL: gl.apiUrl,
  CI_PROJECT_PATH: PROJECT,
});
const apply = (format = 'json') =>
  runCli(
    ['apply', '--repo', git.repoUrl('deploy'), '--config', configFile, '--mode', 'pr', '--format', format],
    env(),
  );

interface Report {
  pullRequest: { number: number; url: string; kind?: string } | null;
  commit: string | null;
  problems: { message: string }[];
}

describe('node dist/cli.js apply --mode pr on GitLab', () => {
  it('adoption opens one merge request: draft title, labels, reviewers by id, remove_source_branch', async () => {
    const res = await apply();
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr + res.stdout).not.toContain(TOKEN);
    const report = JSON.parse(res.stdout) as Report;
    expect(errorsOf(reportValidator(), report)).toEqual([]);
    expect(report.pullRequest).toEqual({
      number: 1,
      url: `${new URL(gl.apiUrl).origin}/gitlab/${PROJECT}/-/merge_requests/1`,
      kind: 'merge-request',
    });
    expect(report.commit).toBe(await git.head('deploy', BRANCH));
    expect(res.stderr).toContain('Opened merge request !1');

    expect([...gl.mergeRequests.keys()]).toEqual([1]);
    const mr = gl.mergeRequests.get(1)!;
    expect(mr).toMatchObject({
      source: BRANCH,
      target: 'main',
      state: 'opened',
      labels: ['secrets', 'automated'],
      reviewerIds: [7, 8],
      removeSourceBranch: true,
    });
    expect(mr.title).toMatch(/^Draft: /);
    expect(mr.description).toContain('kv/app/db');
    // The same body as on GitHub, in GitLab's words.
    expect(mr.description).toContain('Merging this merge request');
    expect(mr.description).not.toContain('pull request');
    // Every call carried the token in PRIVATE-TOKEN, under the sub-path, on the URL-encoded project.
    expect(gl.requests.every((r) => r.auth === 'private-token')).toBe(true);
    expect(gl.requests.map((r) => `${r.method} ${r.path.replace(/\?.*/, '')}`)).toEqual(
      expect.arrayContaining([
        'GET /projects/platform%2Fdeploy/merge_requests',
        'POST /projects/platform%2Fdeploy/merge_requests',
        'GET /users',
      ]),
    );
  });

  it('a re-run with nothing new sends no write; Markdown says "Merge request"', async () => {
    const since = gl.requests.length;
    const head = await git.head('deploy', BRANCH);
    const res = await apply('markdown');
    expect(res.code, res.stderr).toBe(0);
    expect(gl.writes(since)).toEqual([]);
    expect(await git.head('deploy', BRANCH)).toBe(head);
    expect(res.stdout).toContain(
      `Merge request: [!1](${new URL(gl.apiUrl).origin}/gitlab/${PROJECT}/-/merge_requests/1)`,
    );
  });

  it('a rotation rebuilds the branch and updates the same merge request in place, still a draft', async () => {
    const before = await git.head('deploy', BRANCH);
    const description = gl.mergeRequests.get(1)!.description;
    vault.kv.write('kv', 'app/stripe');
    const since = gl.requests.length;
    const res = await apply();
    expect(res.code, res.stderr).toBe(0);
    expect((JSON.parse(res.stdout) as Report).pullRequest?.number).toBe(1);
    expect(await git.head('deploy', BRANCH)).not.toBe(before);
    expect(gl.mergeRequests.size).toBe(1);
    const mr = gl.mergeRequests.get(1)!;
    expect(mr.description).not.toBe(description);
    expect(mr.title).toMatch(/^Draft: /);
    expect(gl.writes(since).map((w) => `${w.method} ${w.path}`)).toEqual([
      'PUT /projects/platform%2Fdeploy/merge_requests/1',
    ]);
  });

  it('a merge request a person closed is not opened again until there is something new', async () => {
    await gl.closeByPerson(1);
    const since = gl.requests.length;
    const res = await apply();
    expect(res.code, res.stderr).toBe(0);
    expect(gl.writes(since)).toEqual([]);
    expect(gl.mergeRequests.size).toBe(1);
    expect(res.stderr).toContain('closed by a person');

    vault.kv.write('kv', 'app/db');
    const next = await apply();
    expect(next.code, next.stderr).toBe(0);
    expect((JSON.parse(next.stdout) as Report).pullRequest?.number).toBe(2);
    expect(gl.mergeRequests.get(1)!.state).toBe('closed');
    expect(gl.mergeRequests.get(2)!.state).toBe('opened');
  });

  it("a person's commit on the branch is never overwritten: one note, reported", async () => {
    const theirs = await git.pushCompetingCommit('deploy', BRANCH, { 'NOTES.md': 'mine\n' }, 'a fix by hand');
    vault.kv.write('kv', 'app/db');
    for (let i = 0; i < 2; i++) {
      const res = await apply();
      expect(res.code, res.stderr).toBe(0);
      const report = JSON.parse(res.stdout) as Report;
      expect(report.problems.map((p) => p.message).join('\n')).toContain('did not make');
      expect(report.pullRequest?.number).toBe(2);
      expect(await git.head('deploy', BRANCH)).toBe(theirs);
    }
    const marked = gl.notes.filter((n) => n.iid === 2 && n.body.includes(FOREIGN_COMMIT_MARKER));
    expect(marked).toHaveLength(1);
    expect(marked[0]!.body).toContain('this merge request');
  });
});

describe('CI_JOB_TOKEN alone (a GitLab CI job without GITLAB_TOKEN)', () => {
  const jobEnv = () => ({
    VAULT_ADDR: vault.url,
    VAULT_TOKEN: vault.rootToken,
    GITLAB_CI: 'true',
    CI_JOB_TOKEN: JOB_TOKEN,
    CI_API_V4_URL: jobGl.apiUrl,
    CI_PROJECT_PATH: PROJECT,
  });

  it('merge-request mode exits 1 naming GITLAB_TOKEN, before pushing anything', async () => {
    const res = await runCli(['apply', '--repo', jobGit.repoUrl('deploy'), '--mode', 'pr'], jobEnv());
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /--mode pr on GitLab needs GITLAB_TOKEN.*CI_JOB_TOKEN cannot open merge requests/,
    );
    expect(res.stderr).not.toContain(JOB_TOKEN);
    expect(jobGit.requests.some((r) => r.path.includes('git-receive-pack'))).toBe(false);
    await expect(jobGit.head('deploy', BRANCH)).rejects.toThrow();
    expect(jobGl.requests).toEqual([]);
  });

  it('commit mode pushes with it (user gitlab-ci-token) and calls no GitLab API', async () => {
    const before = await jobGit.head('deploy', 'main');
    const res = await runCli(['apply', '--repo', jobGit.repoUrl('deploy'), '--format', 'json'], jobEnv());
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr + res.stdout).not.toContain(JOB_TOKEN);
    const report = JSON.parse(res.stdout) as Report;
    expect(report.commit).toBe(await jobGit.head('deploy', 'main'));
    expect(report.commit).not.toBe(before);
    expect(report.pullRequest).toBeNull();
    expect(jobGl.requests).toEqual([]);
  });
});
