/**
 * Hostile templates through the built CLI (`npm run build` first). The manifests repository sets
 * `commit.messageTemplate` or `pullRequest.bodyTemplate` to a file that includes, renders or lays out a
 * file outside the configured templates, as a pull request against it can. The run works in a checkout
 * (as the GitHub Action does) whose folder holds a `.vault-token` with the run's Vault token and whose
 * `.git/config` holds actions/checkout's credential header, so a leak would be visible. Each run exits 1
 * with one line naming the template file and line, leaves the remote as it was, prints and publishes no
 * token, and leaves TMPDIR empty; `validate` calls each template invalid. Then: tokens written into a
 * template's own text are redacted from the pushed commit and the pull request.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGit, startGitServer, type GitServer } from '../support/git-server.js';
import { startGitHubServer, type GitHubServer } from '../support/github-server.js';
import { runCli, type CliRun } from '../support/run-cli.js';
import { startTestVault } from '../support/vault-server.js';

const VAULT_TOKEN = 'hvs.templatesE2eVaultToken0123456789';
const GIT_TOKEN = 'ghs_templatesE2eGitToken0123456789';
const GITHUB_TOKEN = 'ghp_templatesE2eGitHubToken0123456789';
/** What actions/checkout writes into .git/config: `AUTHORIZATION: basic base64(x-access-token:token)`. */
const basic = (token: string) => Buffer.from(`x-access-token:${token}`).toString('base64');
const SECRETS = [VAULT_TOKEN, GIT_TOKEN, GITHUB_TOKEN, basic(GIT_TOKEN), basic(GITHUB_TOKEN)];

const deployment = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: web',
  '  annotations:',
  '    vault-rollout/secrets: kv/app/db',
  'spec:',
  '  template:',
  '    spec:',
  '      containers: [{ name: c, image: c }]',
  '',
].join('\n');

let tmp: string;
let vault: Awaited<ReturnType<typeof startTestVault>>;
let git: GitServer;
let github: GitHubServer;
let n = 0;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vr-templates-e2e-'));
  vault = await startTestVault({ mounts: [{ path: 'kv', version: 2 }], rootToken: VAULT_TOKEN });
  vault.kv.write('kv', 'app/db');
  git = await startGitServer({ tmpRoot: tmp, auth: { username: 'x-access-token', token: GIT_TOKEN } });
  github = await startGitHubServer({ owner: 'acme', repo: 'deploy', token: GITHUB_TOKEN });
});
afterAll(async () => {
  await github?.close();
  await git?.close();
  await vault?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/**
 * A remote holding the manifests and `files`, and a checkout of it in the state a GitHub Action leaves
 * it: the credential header in .git/config, a `.vault-token` beside the manifests (untracked).
 */
async function setup(files: Record<string, string>) {
  const name = `tpl-${++n}`;
  await git.createBareRepo(name, { 'apps/web.yaml': deployment, ...files });
  const bare = git.repoPath(name);
  const checkout = join(tmp, `checkout-${n}`);
  const auth = `http.extraheader=Authorization: Basic ${basic(GIT_TOKEN)}`;
  await runGit(['-c', auth, 'clone', '-q', git.repoUrl(name), checkout]);
  await runGit(
    [
      'config',
      '--local',
      'http.https://github.com/.extraheader',
      `AUTHORIZATION: basic ${basic(GITHUB_TOKEN)}`,
    ],
    {
      cwd: checkout,
    },
  );
  await writeFile(join(checkout, '.vault-token'), `${VAULT_TOKEN}\n`);
  const runTmp = await mkdtemp(join(tmp, 'run-tmp-'));
  const refs = async () => (await runGit(['for-each-ref'], { cwd: bare })).toString();
  const before = await refs();
  return {
    bare,
    checkout,
    runTmp,
    refsUnchanged: async () => expect(await refs()).toBe(before),
    refs,
  };
}

const env = (runTmp: string, pr = false): Record<string, string> => ({
  VAULT_ADDR: vault.url,
  VAULT_TOKEN,
  GIT_TOKEN,
  TMPDIR: runTmp,
  ...(pr ? { GITHUB_TOKEN, GITHUB_API_URL: github.url, GITHUB_REPOSITORY: 'acme/deploy' } : {}),
});

/** Every byte the remote holds: commit messages and every object. */
async function remoteBytes(bare: string): Promise<string> {
  const log = (await runGit(['log', '--all', '--format=%B'], { cwd: bare })).toString();
  const objects = (await runGit(['cat-file', '--batch-all-objects', '--batch'], { cwd: bare })).toString();
  return log + objects;
}

async function objectIds(bare: string): Promise<Set<string>> {
  const out = (
    await runGit(['cat-file', '--batch-all-objects', '--batch-check=%(objectname)'], { cwd: bare })
  )
    .toString()
    .split('\n')
    .filter(Boolean);
  return new Set(out);
}

/** The objects the run added to the remote (the repository's own files hold the planted tokens). */
async function addedBytes(bare: string, before: Set<string>): Promise<string> {
  const added = [...(await objectIds(bare))].filter((id) => !before.has(id));
  expect(added.length).toBeGreaterThan(0);
  const texts = await Promise.all(
    added.map(async (id) => (await runGit(['cat-file', '-p', id], { cwd: bare })).toString()),
  );
  return texts.join('\n');
}

function expectNoSecret(...texts: string[]): void {
  for (const text of texts) for (const secret of SECRETS) expect(text).not.toContain(secret);
}

/** Exit 1, one stderr line with `text`, no stack trace, no token. */
function expectRefused(res: CliRun, text: string): void {
  expect(res.code, res.stderr).toBe(1);
  expect(
    res.stderr
      .trim()
      .split('\n')
      .filter((l) => l.includes(text)),
    res.stderr,
  ).toHaveLength(1);
  expect(res.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expectNoSecret(res.stdout, res.stderr);
}

const HOSTILE = [
  ["rotate {% include '.vault-token' %}", '.vault-token'],
  ["{% include '.git/config' %}", '.git/config'],
  ["rotate {% render '.vault-token' %}", '.vault-token'],
  ["{% layout '.git/config' %}rotate", '.git/config'],
] as const;

const refusal = (file: string, name: string) =>
  `"${file}" line 1 is not a valid Liquid template: "${name}" is not a configured template file`;

describe('a commit message template that reaches outside the configured templates', () => {
  it.each(HOSTILE)('%j: refused, nothing pushed, no token anywhere', async (template, name) => {
    const r = await setup({
      'vault-rollout.yaml': 'commit:\n  messageTemplate: ci/msg.liquid\n',
      'ci/msg.liquid': template,
    });
    const res = await runCli(['apply', '--repo', '.', '--format', 'json'], env(r.runTmp), r.checkout);
    expectRefused(res, `vault-rollout: commit.messageTemplate: ${refusal('ci/msg.liquid', name)}`);
    await r.refsUnchanged();
    expectNoSecret(await remoteBytes(r.bare));
    expect(await readdir(r.runTmp)).toEqual([]);

    const v = await runCli(['validate', '--repo', '.'], {}, r.checkout);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain(`commit.messageTemplate: ${refusal('ci/msg.liquid', name)}`);
    expectNoSecret(v.stdout, v.stderr);
  });

  it('the same through a URL clone: refused, TMPDIR empty afterwards', async () => {
    const r = await setup({
      'vault-rollout.yaml': 'commit:\n  messageTemplate: ci/msg.liquid\n',
      'ci/msg.liquid': "rotate {% include '.vault-token' %}",
    });
    const url = git.repoUrl(`tpl-${n}`);
    const res = await runCli(['apply', '--repo', url, '--format', 'json'], env(r.runTmp), r.checkout);
    expectRefused(res, refusal('ci/msg.liquid', '.vault-token'));
    await r.refsUnchanged();
    expect(await readdir(r.runTmp)).toEqual([]);
  });

  it('a nested loop ends at the render bound: exit 1, one line naming the file, the remote unchanged', async () => {
    const r = await setup({
      'vault-rollout.yaml': 'commit:\n  messageTemplate: ci/msg.liquid\n',
      'ci/msg.liquid': 'rotate\n{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}',
    });
    const start = Date.now();
    const res = await runCli(['apply', '--repo', '.', '--format', 'json'], env(r.runTmp), r.checkout);
    expect(Date.now() - start).toBeLessThan(20_000);
    // Whichever bound the loop reaches first ends it: the time bound, or the inner ranges' memory.
    expectRefused(res, 'template "ci/msg.liquid" line 2 failed to render: ');
    expect(res.stderr).toMatch(/failed to render: (template render|memory alloc) limit exceeded/);
    await r.refsUnchanged();
    expect(await readdir(r.runTmp)).toEqual([]);
  });
});

describe('a pull request body template that reaches outside the configured templates', () => {
  it.each(HOSTILE)('%j: refused, no branch, no pull request, no token anywhere', async (template, name) => {
    const r = await setup({
      'vault-rollout.yaml': 'pullRequest:\n  bodyTemplate: ci/body.liquid\n',
      'ci/body.liquid': template,
    });
    const pulls = github.pulls.size;
    const res = await runCli(
      ['apply', '--repo', '.', '--mode', 'pr', '--format', 'json'],
      env(r.runTmp, true),
      r.checkout,
    );
    expectRefused(res, `vault-rollout: pullRequest.bodyTemplate: ${refusal('ci/body.liquid', name)}`);
    expect(github.pulls.size).toBe(pulls);
    await r.refsUnchanged();
    expectNoSecret(await remoteBytes(r.bare));
    expect(await readdir(r.runTmp)).toEqual([]);
  });

  it('a nested loop in the body ends at the render bound before the branch is pushed', async () => {
    const r = await setup({
      'vault-rollout.yaml': 'pullRequest:\n  bodyTemplate: ci/body.liquid\n',
      'ci/body.liquid': '{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}',
    });
    const pulls = github.pulls.size;
    const res = await runCli(
      ['apply', '--repo', '.', '--mode', 'pr', '--format', 'json'],
      env(r.runTmp, true),
      r.checkout,
    );
    // Whichever bound the loop reaches first ends it: the time bound, or the inner ranges' memory.
    expectRefused(res, 'template "ci/body.liquid" line 1 failed to render: ');
    expect(res.stderr).toMatch(/failed to render: (template render|memory alloc) limit exceeded/);
    expect(github.pulls.size).toBe(pulls);
    await r.refsUnchanged();
    expect(await readdir(r.runTmp)).toEqual([]);
  });
});

describe('redaction of what is published', () => {
  const planted = (tokens: string[]) => `tokens: ${tokens.join(' ')}`;

  it('a token in the commit message template never reaches the remote', async () => {
    const r = await setup({
      'vault-rollout.yaml': 'commit:\n  messageTemplate: ci/msg.liquid\n',
      'ci/msg.liquid': `rotate {{ restart }}\n\n${planted([VAULT_TOKEN, GIT_TOKEN, basic(GIT_TOKEN)])}\n`,
    });
    const before = await objectIds(r.bare);
    const res = await runCli(['apply', '--repo', '.', '--format', 'json'], env(r.runTmp), r.checkout);
    expect(res.code, res.stderr).toBe(0);
    expectNoSecret(res.stdout, res.stderr);
    const message = (await runGit(['log', '-1', '--format=%B', 'main'], { cwd: r.bare })).toString();
    expect(message).toContain('tokens: *** *** ***');
    expectNoSecret(message, await addedBytes(r.bare, before));
    expect(await readdir(r.runTmp)).toEqual([]);
  });

  it('a token in the pull request title and body templates never reaches GitHub or the branch', async () => {
    const r = await setup({
      'vault-rollout.yaml': [
        'commit:',
        '  messageTemplate: ci/msg.liquid',
        'pullRequest:',
        '  titleTemplate: ci/title.liquid',
        '  bodyTemplate: ci/body.liquid',
        '',
      ].join('\n'),
      'ci/msg.liquid': `rotate\n\n${planted(SECRETS)}\n`,
      'ci/title.liquid': `rotate ${VAULT_TOKEN}`,
      // includes between the configured templates are allowed, by repository path
      'ci/body.liquid': `{% include 'ci/title.liquid' %}\n\n${planted(SECRETS)}\n\n{{ marker }}`,
    });
    const before = new Set(github.pulls.keys());
    const objects = await objectIds(r.bare);
    const res = await runCli(
      ['apply', '--repo', '.', '--mode', 'pr', '--format', 'json'],
      env(r.runTmp, true),
      r.checkout,
    );
    expect(res.code, res.stderr).toBe(0);
    expectNoSecret(res.stdout, res.stderr);
    const created = [...github.pulls.values()].filter((p) => !before.has(p.number));
    expect(created).toHaveLength(1);
    expect(created[0]!.title).toBe('rotate ***');
    expect(created[0]!.body).toContain('rotate ***\n\ntokens: *** *** *** *** ***');
    const branchLog = (
      await runGit(['log', '--format=%B', 'vault-rollout/main'], { cwd: r.bare })
    ).toString();
    expect(branchLog).toContain('tokens: *** *** *** *** ***');
    expectNoSecret(JSON.stringify([...github.pulls.values()]), branchLog, await addedBytes(r.bare, objects));
    expect(await r.refs()).toContain('refs/heads/vault-rollout/main');
    expect(await readdir(r.runTmp)).toEqual([]);
  });
});
