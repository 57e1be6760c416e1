/**
 * End to end: the built CLI (dist/cli.js, as users run it) against the Vault dev server and a real
 * `git http-backend` remote. Asserts the JSON on stdout, the exit code and the remote's history.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { runGit } from '../support/git-server.js';
import { startTestVault } from '../support/vault-server.js';
import { useE2eServers } from '../support/e2e-servers.js';

const run = runCli;

const FILES: Record<string, string> = {
  'apps/web.yaml': `# web
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
  annotations:
    vault-rollout/secrets: kv/web/db, kv/web/api
spec:
  replicas: 2
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
kind: StatefulSet
metadata:
  name: worker
  namespace: prod
spec:
  updateStrategy:
    type: OnDelete
  template:
    metadata:
      annotations:
        vault.hashicorp.com/agent-inject: "true"
        vault.hashicorp.com/agent-inject-secret-db: kv/data/web/db
    spec:
      containers:
        - name: worker
          image: worker:1
`,
  'apps/report.yaml': `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  namespace: batch
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: report
              image: report:1
`,
  'vault-rollout.yaml': `rules:
  - select: { kind: CronJob, name: "rep*" }
    secrets: [kv/report/smtp]
commit:
  author: "Rollout Bot <bot@example.com>"
`,
};

const servers = useE2eServers('vr-e2e-', (vault) => {
  for (let i = 0; i < 6; i++) vault.kv.write('kv', 'web/db');
  for (let i = 0; i < 3; i++) vault.kv.write('kv', 'web/api');
  vault.kv.write('kv', 'report/smtp');
});

async function localRepo(name: string): Promise<string> {
  const dir = join(servers.tmp, name);
  for (const [rel, text] of Object.entries(FILES)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

describe('plan --format json', () => {
  it("prints SPEC's JSON for a repo with 3 workloads, and exits 2 with --exit-code", async () => {
    const dir = await localRepo('plan');
    const r = await run(['plan', '--repo', dir, '--format', 'json'], servers.env);
    expect(r.stderr).not.toMatch(/at .+\.js:\d+/); // no stack trace
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    const secret = (path: string, source: string, current: number) => ({
      path,
      source,
      recorded: null,
      current,
      state: 'unrecorded',
      updatedTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(json).toEqual({
      branch: null,
      workloads: [
        {
          file: 'apps/report.yaml',
          document: 0,
          kind: 'CronJob',
          name: 'report',
          namespace: 'batch',
          secrets: [secret('kv/report/smtp', 'rule', 1)],
          action: 'record',
        },
        {
          file: 'apps/web.yaml',
          document: 0,
          kind: 'Deployment',
          name: 'web',
          namespace: 'prod',
          secrets: [secret('kv/web/db', 'annotation', 6), secret('kv/web/api', 'annotation', 3)],
          action: 'record',
        },
        {
          file: 'apps/worker.yaml',
          document: 0,
          kind: 'StatefulSet',
          name: 'worker',
          namespace: 'prod',
          secrets: [secret('kv/web/db', 'vaultAgent', 6)],
          action: 'record',
          warnings: [
            'StatefulSet uses updateStrategy OnDelete: a new pod template takes effect only when pods are deleted',
          ],
        },
      ],
      summary: { workloads: 3, restart: 0, record: 3, blocked: 0, unchanged: 0 },
      problems: [],
      commit: null,
      pullRequest: null,
    });
    const pending = await run(['plan', '--repo', dir, '--format', 'json', '--exit-code'], servers.env);
    expect(pending.code).toBe(2);
    // plan writes nothing
    expect(await readFile(join(dir, 'apps/web.yaml'), 'utf8')).toBe(FILES['apps/web.yaml']);
    expect(servers.vault.violations).toBe(0);
  });

  it('prints the table and a unified diff by default', async () => {
    const dir = await localRepo('plan-table');
    const r = await run(['plan', '--repo', dir], servers.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Deployment\/web\s+prod\s+apps\/web\.yaml\s+2 of 2 unrecorded\s+record$/m,
    );
    expect(r.stdout).toMatch(
      /^CronJob\/report\s+batch\s+apps\/report\.yaml\s+unrecorded: kv\/report\/smtp\s+record$/m,
    );
    expect(r.stdout).toContain('+++ b/apps/web.yaml');
    expect(r.stdout).toContain('+    vault-rollout/secret-versions: kv/web/api@3,kv/web/db@6');
  });
});

describe('apply --mode commit against a remote URL', () => {
  it('adopts without touching pod templates, restarts on rotation, then does nothing', async () => {
    await servers.git.createBareRepo('deploy', FILES, { branch: 'main' });
    const url = servers.git.repoUrl('deploy');
    const seed = await servers.git.head('deploy', 'main');

    // 1. adoption
    const first = await run(['apply', '--repo', url, '--format', 'json'], servers.env);
    expect(first.stderr).not.toMatch(/at .+\.js:\d+/);
    expect(first.code).toBe(0);
    const firstJson = JSON.parse(first.stdout);
    expect(firstJson.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(firstJson.branch).toBe('main');
    expect(firstJson.summary).toEqual({ workloads: 3, restart: 0, record: 3, blocked: 0, unchanged: 0 });
    expect(await servers.git.head('deploy', 'main')).toBe(firstJson.commit);
    const adoption = await runGit(['show', '--format=%an <%ae>%n%B', firstJson.commit], {
      cwd: servers.git.repoPath('deploy'),
    });
    const adoptionText = adoption.toString();
    expect(adoptionText).toContain('Rollout Bot <bot@example.com>');
    expect(adoptionText).toContain('vault-rollout: record Vault secret versions of 3 workloads');
    // An adoption records versions: one trailer per secret, from none.
    expect(adoptionText).toMatch(/^Vault-Secret: kv\/\S+ none -> \d+$/m);
    expect(adoptionText).not.toMatch(/^Vault-Secret: .* \d+ -> \d+$/m);
    const added = adoptionText.split('\n').filter((l) => /^[+-](?![+-])/.test(l));
    // Only record annotations (and the annotations: keys they need) are added: no pod template changes.
    expect(added.every((l) => /^\+\s+(vault-rollout\/secret-versions: |annotations:$)/.test(l))).toBe(true);
    expect(added.filter((l) => l.includes('secret-versions'))).toEqual([
      '+    vault-rollout/secret-versions: kv/report/smtp@1',
      '+    vault-rollout/secret-versions: kv/web/api@3,kv/web/db@6',
      '+    vault-rollout/secret-versions: kv/web/db@6',
    ]);

    // 2. rotation of kv/web/db: web and worker restart (record + template), report untouched
    servers.vault.kv.write('kv', 'web/db');
    const second = await run(['apply', '--repo', url, '--format', 'json'], servers.env);
    expect(second.code).toBe(0);
    const secondJson = JSON.parse(second.stdout);
    expect(secondJson.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(secondJson.summary).toEqual({ workloads: 3, restart: 2, record: 0, blocked: 0, unchanged: 1 });
    const rotation = (
      await runGit(['show', '--format=%B', secondJson.commit], { cwd: servers.git.repoPath('deploy') })
    ).toString();
    expect(rotation).toContain('Vault-Secret: kv/web/db 6 -> 7');
    expect(rotation).not.toContain('apps/report.yaml');
    const web = await servers.git.readFile('deploy', 'main', 'apps/web.yaml');
    expect(web).toContain('    vault-rollout/secret-versions: kv/web/api@3,kv/web/db@7\n');
    expect(web).toContain(
      '      annotations:\n        vault-rollout/secret-versions: kv/web/api@3,kv/web/db@7\n    spec:',
    );
    const worker = await servers.git.readFile('deploy', 'main', 'apps/worker.yaml');
    expect(worker).toContain(
      '        vault.hashicorp.com/agent-inject-secret-db: kv/data/web/db\n        vault-rollout/secret-versions: kv/web/db@7\n',
    );

    // 3. nothing new: no commit
    const third = await run(['apply', '--repo', url, '--format', 'json'], servers.env);
    expect(third.code).toBe(0);
    expect(JSON.parse(third.stdout).commit).toBeNull();
    const commits = await servers.git.commits('deploy', 'main');
    expect(commits.map((c) => c.id)).toEqual([secondJson.commit, firstJson.commit, seed]);
    expect(servers.vault.violations).toBe(0);
  });

  it('scan and status also take a remote URL (shallow clone into a temporary folder)', async () => {
    await servers.git.createBareRepo('read-only', FILES, { branch: 'main' });
    const url = servers.git.repoUrl('read-only');
    const scan = await run(['scan', '--repo', url, '--format', 'json'], {});
    expect(scan.code).toBe(0);
    expect(JSON.parse(scan.stdout).workloads.map((w: { name: string }) => w.name)).toEqual([
      'report',
      'web',
      'worker',
    ]);
    const status = await run(['status', '--repo', url, '--format', 'json', '--exit-code'], servers.env);
    expect(status.code).toBe(2);
    expect(JSON.parse(status.stdout).branch).toBe('main');
  });

  it('--dry-run pushes nothing', async () => {
    await servers.git.createBareRepo('dry', FILES, { branch: 'main' });
    const before = await servers.git.head('dry', 'main');
    const r = await run(
      ['apply', '--repo', servers.git.repoUrl('dry'), '--dry-run', '--format', 'json'],
      servers.env,
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.commit).toBeNull();
    expect(json.summary.record).toBe(3);
    expect(await servers.git.head('dry', 'main')).toBe(before);
  });
});

describe('apply on a local shallow checkout', () => {
  it('commits, pushes to origin and updates the working tree', async () => {
    await servers.git.createBareRepo('local', FILES, { branch: 'main' });
    const dir = join(servers.tmp, 'checkout');
    await runGit(['clone', '--depth', '1', servers.git.repoUrl('local'), dir]);
    const r = await run(['apply', '--repo', dir, '--format', 'json'], servers.env);
    expect(r.stderr).not.toMatch(/at .+\.js:\d+/);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(await servers.git.head('local', 'main')).toBe(json.commit);
    expect(await readFile(join(dir, 'apps/report.yaml'), 'utf8')).toContain(
      'vault-rollout/secret-versions: kv/report/smtp@1',
    );
  });
});

describe('errors: one clear line, exit 1, no stack trace', () => {
  it('names the bad config key and its line', async () => {
    const dir = await localRepo('bad-config');
    await writeFile(
      join(dir, 'vault-rollout.yaml'),
      'include: ["apps/**"]\nrules:\n  - select: { kind: Deploymnt }\n    secrets: [kv/a]\n',
    );
    const r = await run(['plan', '--repo', dir], servers.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/vault-rollout\.yaml:3: rules\[0\]\.select\.kind/);
    expect(r.stderr).not.toMatch(/at .+\.js:\d+/);
    expect(r.stdout).toBe('');
  });

  it('fails with exit 1 when Vault is sealed, and never prints the token', async () => {
    const sealed = await startTestVault({
      mounts: [{ path: 'kv', version: 2 }],
      rootToken: 'hvs.very-secret-token-value',
    });
    sealed.seal(true);
    try {
      const dir = await localRepo('sealed');
      const r = await run(['status', '--repo', dir], {
        VAULT_ADDR: sealed.url,
        VAULT_TOKEN: 'hvs.very-secret-token-value',
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/sealed/);
      expect(r.stderr + r.stdout).not.toContain('very-secret-token-value');
    } finally {
      await sealed.close();
    }
  }, 60_000);

  it('says which variable to set when VAULT_ADDR is missing', async () => {
    const dir = await localRepo('no-addr');
    const r = await run(['status', '--repo', dir], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/VAULT_ADDR/);
  });

  it('scan needs no Vault at all', async () => {
    const dir = await localRepo('scan');
    const r = await run(['scan', '--repo', dir, '--format', 'json'], {});
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.workloads.map((w: { name: string }) => w.name)).toEqual(['report', 'web', 'worker']);
    expect(json.workloads[2].secrets[0]).toEqual({
      path: 'kv/web/db',
      source: 'vaultAgent',
      via: 'vault.hashicorp.com/agent-inject-secret-db',
      recorded: null,
    });
  });
});
