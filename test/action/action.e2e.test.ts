/**
 * End to end: the built Action entry (dist/index.js) run the way the runner runs it — `node dist/index.js`
 * with `INPUT_*` variables (dashes kept: `INPUT_DRY-RUN`), GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files,
 * GITHUB_WORKSPACE and RUNNER_TEMP — against the Vault dev server and a real `git http-backend` remote that
 * demands the token. Asserts the outputs file, the job summary, the remote's history, the `::error::` of a
 * failing run, and that no token is printed except in the `::add-mask::` commands the runner consumes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitMessage, runGit, startGitServer, type GitServer } from '../support/git-server.js';
import { startTestVault, type VaultDevServer } from '../support/vault-server.js';
import { expectMasked, runActionEntry } from './run-action.js';

const GIT_TOKEN = 'ghs_e2eGitTokenThatMustNeverBePrinted0001';
const VAULT_TOKEN = 'hvs.e2eVaultTokenThatMustNeverBePrinted';
const GH_JWT = 'eyJhbGciOiJSUzI1NiJ9.e2e-runner-oidc-token.signature';
const AUDIENCE = 'https://github.com/example-org';

const FILES: Record<string, string> = {
  'apps/web.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
  annotations:
    vault-rollout/secrets: kv/web/db, kv/web/api
spec:
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: web:1
`,
  'apps/worker.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
  namespace: prod
spec:
  template:
    metadata:
      annotations:
        vault.hashicorp.com/agent-inject-secret-db: kv/data/web/db
    spec:
      containers:
        - name: worker
          image: worker:1
`,
};

let vault: VaultDevServer;
let git: GitServer;
let oidc: Server;
let oidcUrl: string;
const oidcAudiences: (string | null)[] = [];
let tmp: string;

/** Runs dist/index.js as the runner does; the workflow token defaults to the git server's. */
const runAction = (
  inputs: Record<string, string>,
  opts: { workspace?: string; env?: Record<string, string> } = {},
) => runActionEntry(inputs, { tmp, githubToken: GIT_TOKEN, ...opts });

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vr-action-e2e-'));
  vault = await startTestVault({
    mounts: [{ path: 'kv', version: 2 }],
    tokens: { [VAULT_TOKEN]: { policies: ['+/metadata/*'] } },
    auth: [{ method: 'jwt', role: 'vault-rollout', jwt: GH_JWT, policies: ['+/metadata/*'] }],
  });
  for (let i = 0; i < 4; i++) vault.kv.write('kv', 'web/db');
  vault.kv.write('kv', 'web/api');
  git = await startGitServer({ tmpRoot: tmp, auth: { username: 'x-access-token', token: GIT_TOKEN } });
  // The runner's OIDC endpoint (ACTIONS_ID_TOKEN_REQUEST_URL): answers { value } to its bearer token.
  oidc = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.headers.authorization !== 'Bearer runner-request-token') {
      res.writeHead(401).end();
      return;
    }
    oidcAudiences.push(url.searchParams.get('audience'));
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ value: GH_JWT }));
  });
  await new Promise<void>((done) => oidc.listen(0, '127.0.0.1', done));
  oidcUrl = `http://127.0.0.1:${(oidc.address() as AddressInfo).port}/token?api-version=2.0`;
});

afterAll(async () => {
  await new Promise((done) => oidc?.close(done));
  await git?.close();
  await vault?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('the Action (dist/index.js) in commit mode', () => {
  it('adopts over an HTTPS-style URL with a Vault token, then restarts from a checkout with JWT auth', async () => {
    await git.createBareRepo('manifests', FILES, { branch: 'main' });
    const url = git.repoUrl('manifests');
    const seed = await git.head('manifests', 'main');

    // 1. adoption: `repo` is the remote's URL, token auth
    const first = await runAction({
      repo: url,
      mode: 'commit',
      'vault-address': vault.url,
      'vault-token': VAULT_TOKEN,
    });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expectMasked(first, [VAULT_TOKEN, GIT_TOKEN]);
    expect(first.outputs).toMatchObject({
      changed: 'true',
      restarts: '0',
      'pull-request-number': '',
      'pull-request-url': '',
    });
    expect(first.outputs['commit-sha']).toMatch(/^[0-9a-f]{40}$/);
    expect(await git.head('manifests', 'main')).toBe(first.outputs['commit-sha']);
    const plan = JSON.parse(first.outputs.plan ?? '');
    expect(plan.summary).toEqual({ workloads: 2, restart: 0, record: 2, blocked: 0, unchanged: 0 });
    expect(plan.commit).toBe(first.outputs['commit-sha']);
    expect(first.summary).toContain('## vault-rollout');
    expect(first.summary).toContain(
      '| Deployment/web | prod | apps/web.yaml | kv/web/db | - → 4 | unrecorded |',
    );
    expect(first.summary).toContain(`Commit: \`${first.outputs['commit-sha']}\``);
    // one collapsible group per phase, never nested
    expect(first.stdout.match(/^::group::.*$/gm)).toEqual([
      `::group::Open "${url}"`,
      '::group::Vault: log in',
      '::group::Plan and publish (mode "commit")',
    ]);
    expect(first.stdout.match(/^::endgroup::$/gm)).toHaveLength(3);

    // 2. a rotation, run from a depth-1 checkout (as actions/checkout leaves it) with the runner's OIDC token
    vault.kv.write('kv', 'web/db');
    const workspace = join(tmp, 'checkout');
    const basic = Buffer.from(`x-access-token:${GIT_TOKEN}`).toString('base64');
    await runGit([
      '-c',
      `http.extraHeader=Authorization: Basic ${basic}`,
      'clone',
      '--depth',
      '1',
      url,
      workspace,
    ]);
    const second = await runAction(
      {
        mode: 'commit',
        'vault-address': vault.url,
        'vault-auth': 'jwt',
        'vault-role': 'vault-rollout',
        'jwt-audience': AUDIENCE,
      },
      {
        workspace,
        env: {
          ACTIONS_ID_TOKEN_REQUEST_URL: oidcUrl,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-token',
        },
      },
    );
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(oidcAudiences).toEqual([AUDIENCE]);
    expectMasked(second, [GIT_TOKEN]);
    expect(second.stdout).toContain(`::add-mask::${GH_JWT}\n`);
    expect(second.stdout.split('\n').filter((l) => l.includes(GH_JWT))).toEqual([`::add-mask::${GH_JWT}`]);
    expect(second.outputs).toMatchObject({ changed: 'true', restarts: '2' });
    const commits = await git.commits('manifests', 'main');
    expect(commits.map((c) => c.id)).toEqual([
      second.outputs['commit-sha'],
      first.outputs['commit-sha'],
      seed,
    ]);
    const message = await commitMessage(git.repoPath('manifests'), commits[0]!.id);
    expect(message).toContain('Vault-Secret: kv/web/db 4 -> 5');
    expect(await git.readFile('manifests', 'main', 'apps/web.yaml')).toContain(
      '      annotations:\n        vault-rollout/secret-versions: kv/web/api@1,kv/web/db@5\n',
    );
    // the checkout moved forward with the push
    expect((await runGit(['rev-parse', 'HEAD'], { cwd: workspace })).toString().trim()).toBe(
      second.outputs['commit-sha'],
    );
    expect(second.summary).toMatch(/\| kv\/web\/db \| 4 → 5 \| outdated \| rolling restart \|/);

    // 3. nothing new: success, no commit, changed=false
    const third = await runAction({
      repo: url,
      mode: 'commit',
      'vault-address': vault.url,
      'vault-token': VAULT_TOKEN,
    });
    expect(third.code).toBe(0);
    expect(third.outputs).toMatchObject({ changed: 'false', restarts: '0', 'commit-sha': '' });
    expect(await git.head('manifests', 'main')).toBe(second.outputs['commit-sha']);
    expect(vault.violations).toBe(0);
  });

  it('dry-run: reports and puts the diff in the summary, but pushes nothing', async () => {
    await git.createBareRepo('dry', FILES, { branch: 'main' });
    const before = await git.head('dry', 'main');
    const r = await runAction({
      repo: git.repoUrl('dry'),
      mode: 'commit',
      'dry-run': 'true',
      'vault-address': vault.url,
      'vault-token': VAULT_TOKEN,
    });
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ changed: 'true', restarts: '0', 'commit-sha': '' });
    expect(r.stdout).toContain('::group::Plan (dry run)');
    expect(r.summary).toContain('```diff');
    // the versions depend on whether the other test rotated kv/web/db already
    expect(r.summary).toMatch(/^\+ {4}vault-rollout\/secret-versions: kv\/web\/api@1,kv\/web\/db@\d$/m);
    expect(await git.head('dry', 'main')).toBe(before);
    expectMasked(r, [VAULT_TOKEN, GIT_TOKEN]);
  });
});

describe('the base branch input', () => {
  it('`base` names the base branch; `branch`, its former name, still works with a ::warning::', async () => {
    await git.createBareRepo('base-input', FILES, { branch: 'main' });
    await runGit(['branch', 'stable', 'main'], { cwd: git.repoPath('base-input') });
    const common = {
      repo: git.repoUrl('base-input'),
      mode: 'commit',
      'dry-run': 'true',
      'vault-address': vault.url,
      'vault-token': VAULT_TOKEN,
    };
    const viaBase = await runAction({ ...common, base: 'stable' });
    expect(viaBase.code).toBe(0);
    expect(JSON.parse(viaBase.outputs.plan as string).branch).toBe('stable');
    expect(viaBase.stdout).not.toContain('::warning::');

    const viaBranch = await runAction({ ...common, branch: 'stable' });
    expect(viaBranch.code).toBe(0);
    expect(JSON.parse(viaBranch.outputs.plan as string).branch).toBe('stable');
    expect(viaBranch.stdout).toMatch(/^::warning::input "branch" is deprecated: use "base"/m);
  });
});

describe('failures say what to fix', () => {
  it('an unreachable Vault: one ::error naming the vault-address input, exit 1, no token printed', async () => {
    await git.createBareRepo('unreachable', FILES, { branch: 'main' });
    const r = await runAction({
      repo: git.repoUrl('unreachable'),
      mode: 'commit',
      'vault-address': 'http://127.0.0.1:1',
      'vault-token': VAULT_TOKEN,
    });
    expect(r.code).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^::error::Vault at http:\/\/127\.0\.0\.1:1 is unreachable after \d+ attempts/);
    expect(errors[0]).toContain('set the `vault-address` input');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/at .+\.js:\d+/); // no stack trace
    expect(r.outputs).toEqual({});
    expectMasked(r, [VAULT_TOKEN, GIT_TOKEN]);
  });

  it('a workspace without a checkout names the missing actions/checkout step', async () => {
    const r = await runAction({ mode: 'commit', 'vault-address': vault.url, 'vault-token': VAULT_TOKEN });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error::".+" is not a Git checkout: add an actions\/checkout step/m);
  });

  it('JWT auth without `id-token: write` names the permission', async () => {
    await git.createBareRepo('no-oidc', FILES, { branch: 'main' });
    const r = await runAction({
      repo: git.repoUrl('no-oidc'),
      mode: 'commit',
      'vault-address': vault.url,
      'vault-auth': 'jwt',
      'vault-role': 'vault-rollout',
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('permissions: { id-token: write }');
  });

  it('a bad input value names the input and the accepted values', async () => {
    const r = await runAction({ mode: 'merge', 'vault-address': vault.url });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::input "mode" must be "commit" or "pr" (got "merge").');
  });
});
