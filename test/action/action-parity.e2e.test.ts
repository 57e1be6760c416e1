/**
 * End to end, the built Action entry (dist/index.js) with the inputs its neighbours have: `labels`,
 * `reviewers` and `draft` reach the GitHub test server; `pull-request-operation` says created, none,
 * updated, closed; `blocked` counts the blocked workload and `fail-on-blocked` decides whether the step
 * fails (after publishing the rest); the repository's own commit and pull-request templates are used; and
 * `vault-ca-cert`, `vault-skip-verify` and `vault-auth-path` reach the Vault login over TLS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifests, OWNER, REPO, seedVault, TOKEN } from '../github/helpers.js';
import { commitMessage, startGitServer, type GitServer } from '../support/git-server.js';
import { startGitHubServer, type GitHubServer } from '../support/github-server.js';
import { selfSignedCert } from '../support/tls.js';
import { startTestVault, type VaultDevServer } from '../support/vault-server.js';
import { runActionEntry } from './run-action.js';

const FILES: Record<string, string> = {
  ...manifests,
  // kv/app/gone is not in Vault: this workload is blocked on every run
  'apps/orphan.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: orphan
  namespace: prod
  annotations:
    vault-rollout/secrets: kv/app/gone
spec:
  template:
    spec:
      containers: [{name: orphan, image: orphan:1}]
`,
  'vault-rollout.yaml': `commit:
  author: "vault-rollout <vault-rollout@example.com>"
  messageTemplate: .github/vault-rollout/commit.liquid
pullRequest:
  labels: [from-config]
  titleTemplate: .github/vault-rollout/title.liquid
  bodyTemplate: .github/vault-rollout/body.liquid
`,
  '.github/vault-rollout/commit.liquid': 'chore(secrets): roll {{ restart }}, record {{ record }}\n',
  '.github/vault-rollout/title.liquid': 'chore(secrets): {{ restart }} to roll, {{ blocked }} blocked',
  '.github/vault-rollout/body.liquid':
    'Our own body for {{ base }}.\n{% for r in rows %}- {{ r.secret }} {{ r.version }}\n{% endfor %}',
};

let tmp: string;
let git: GitServer;
let vault: VaultDevServer;
let gh: GitHubServer;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vr-action-parity-'));
  git = await startGitServer({ tmpRoot: tmp, auth: { username: 'x-access-token', token: TOKEN } });
  vault = await startTestVault({ mounts: [{ path: 'kv', version: 2 }] });
  seedVault(vault);
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

describe('pull-request inputs and outputs', () => {
  it('labels, reviewers, draft, templates, blocked and pull-request-operation through the whole life of a pull request', async () => {
    await git.createBareRepo('deploy', FILES);
    const env = { GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_API_URL: gh.url };
    const inputs = {
      repo: git.repoUrl('deploy'),
      'vault-address': vault.url,
      'vault-token': vault.rootToken,
      labels: 'secrets, rollout\nurgent',
      reviewers: 'alice\nacme/platform',
      draft: 'true',
    };
    const run = (extra: Record<string, string> = {}) =>
      runActionEntry({ ...inputs, ...extra }, { tmp, githubToken: TOKEN, env });

    // 1. created; the blocked workload fails the step, but only after publishing and setting the outputs
    const first = await run();
    expect(first.code, first.stdout).toBe(1);
    expect(first.outputs).toMatchObject({
      'pull-request-operation': 'created',
      'pull-request-number': '1',
      blocked: '1',
      restarts: '2',
      changed: 'true',
    });
    expect(first.stdout).toMatch(
      /^::error::1 workload\(s\) blocked: Deployment\/orphan \(apps\/orphan\.yaml\)\..*`fail-on-blocked: false`/m,
    );
    expect(first.summary).toContain('orphan');
    const pr = gh.pulls.get(1)!;
    expect(pr.draft).toBe(true);
    expect(pr.labels).toEqual(['secrets', 'rollout', 'urgent']); // the input replaces the config's labels
    expect(pr.reviewers).toEqual(['alice']);
    expect(pr.teamReviewers).toEqual(['platform']);
    expect(pr.title).toBe('chore(secrets): 2 to roll, 1 blocked');
    expect(pr.body).toBe(
      [
        'Our own body for `main`.',
        '- `kv/app/db` 1 → **2**',
        '- `kv/app/stripe` 1 (unchanged)',
        '- `kv/app/smtp` new → 1',
        '- `kv/app/gone` – → not found',
        '- `kv/app/db` 1 → **2**',
        '',
      ].join('\n'),
    );
    const branchHead = await git.head('deploy', 'vault-rollout/main');
    expect(first.outputs['commit-sha']).toBe(branchHead);
    // the user's template, then the trailers the code appends
    expect((await commitMessage(git.repoPath('deploy'), branchHead)).trimEnd()).toBe(
      'chore(secrets): roll 2, record 1\n\nVault-Secret: kv/app/db 1 -> 2\nVault-Secret: kv/app/smtp none -> 1\nVault-Rollout-Branch: vault-rollout/main',
    );
    const orphan = await git.readFile('deploy', 'vault-rollout/main', 'apps/orphan.yaml');
    expect(orphan).toBe(FILES['apps/orphan.yaml']);

    // 2. nothing new: the pull request is untouched (none); fail-on-blocked false keeps the step green
    const second = await run({ 'fail-on-blocked': 'false' });
    expect(second.code, second.stdout).toBe(0);
    expect(second.outputs).toMatchObject({ 'pull-request-operation': 'none', blocked: '1' });
    expect(second.stdout).toContain('::warning::1 workload(s) blocked (fail-on-blocked: false)');

    // 3. a rotation: the same pull request, updated; draft and reviewers are set on creation only
    vault.kv.write('kv', 'app/stripe');
    const third = await run({ 'fail-on-blocked': 'false', draft: 'false' });
    expect(third.code, third.stdout).toBe(0);
    expect(third.outputs).toMatchObject({ 'pull-request-operation': 'updated', 'pull-request-number': '1' });
    expect(gh.pulls.get(1)!.body).toContain('- `kv/app/stripe` 1 → **2**');

    // 4. the change reaches the base by hand: nothing pending, the pull request is closed
    const merged: Record<string, string> = {};
    for (const file of ['apps/api.yaml', 'apps/worker.yaml', 'apps/nightly.yaml'])
      merged[file] = await git.readFile('deploy', 'vault-rollout/main', file);
    await git.pushCompetingCommit('deploy', 'main', merged, 'merge the rotation');
    const fourth = await run({ 'fail-on-blocked': 'false' });
    expect(fourth.code, fourth.stdout).toBe(0);
    expect(fourth.outputs).toMatchObject({
      'pull-request-operation': 'closed',
      changed: 'false',
      blocked: '1',
    });
    expect(gh.pulls.get(1)!.state).toBe('closed');
    expect(vault.violations).toBe(0);
  });

  it('mode commit: pull-request-operation none, and no blocked workload means a green step', async () => {
    const { 'apps/orphan.yaml': _orphan, 'vault-rollout.yaml': _config, ...files } = FILES;
    await git.createBareRepo('plain', files);
    const r = await runActionEntry(
      {
        repo: git.repoUrl('plain'),
        mode: 'commit',
        'vault-address': vault.url,
        'vault-token': vault.rootToken,
      },
      { tmp, githubToken: TOKEN },
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ 'pull-request-operation': 'none', blocked: '0', changed: 'true' });
    expect(r.outputs['commit-sha']).toBe(await git.head('plain', 'main'));
  });
});

describe('Vault TLS and auth mount inputs', () => {
  let tls: VaultDevServer;
  let certPem: string;
  const ROLE_ID = 'ci-role-id';
  const SECRET_ID = 'ci-secret-id-never-printed';

  beforeAll(async () => {
    const made = await selfSignedCert(join(tmp, 'tls'));
    certPem = made.cert;
    tls = await startTestVault({
      mounts: [{ path: 'kv', version: 2 }],
      tls: { key: made.key, cert: certPem },
      auth: [
        {
          method: 'approle',
          mount: 'ci-approle',
          roleId: ROLE_ID,
          secretId: SECRET_ID,
          policies: ['+/metadata/*'],
        },
      ],
    });
    seedVault(tls);
    await git.createBareRepo('tls', manifests);
  });
  afterAll(async () => {
    await tls?.close();
  });

  const dryRun = (extra: Record<string, string>) =>
    runActionEntry(
      {
        repo: git.repoUrl('tls'),
        mode: 'commit',
        'dry-run': 'true',
        'vault-address': tls.url,
        'vault-auth': 'approle',
        'vault-auth-path': 'ci-approle',
        ...extra,
      },
      { tmp, githubToken: TOKEN, env: { VAULT_ROLE_ID: ROLE_ID, VAULT_SECRET_ID: SECRET_ID } },
    );

  it('vault-ca-cert (base64 or PEM) trusts the certificate; vault-auth-path picks the login mount', async () => {
    for (const ca of [Buffer.from(certPem).toString('base64'), certPem]) {
      const since = tls.requests.length;
      const r = await dryRun({ 'vault-ca-cert': ca });
      expect(r.code, r.stdout).toBe(0);
      expect(r.outputs).toMatchObject({ changed: 'true', restarts: '2', blocked: '0' });
      const paths = tls.requests.slice(since).map((q) => `${q.method} ${q.path} ${q.status}`);
      expect(paths).toContain('POST /v1/auth/ci-approle/login 200');
      expect(paths).toContain('GET /v1/kv/metadata/app/db 200');
    }
    expect(tls.violations).toBe(0);
  });

  it('without the CA the certificate is refused; vault-skip-verify accepts it', async () => {
    const refused = await dryRun({});
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^::error::.*(certificate|TLS)/im);
    const skipped = await dryRun({ 'vault-skip-verify': 'true' });
    expect(skipped.code, skipped.stdout).toBe(0);
    expect(skipped.outputs.restarts).toBe('2');
  });

  it('a vault-ca-cert that is not a certificate names the input', async () => {
    const r = await dryRun({ 'vault-ca-cert': 'not a certificate' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::input "vault-ca-cert" must be a PEM certificate');
  });
});
