/**
 * End to end, the built CLI: only a secret at fault blocks. A workload the manifests give no safe edit is
 * `skipped` with its true reason, one the user opted out (annotation or config `ignore`) is `ignored` and
 * its secrets are never read; neither changes the exit code, and the commit lists what was left as it is.
 * Run `npm run build` first.
 */
import { describe, expect, it } from 'vitest';
import { runGit } from '../support/git-server.js';
import { useE2eServers } from '../support/e2e-servers.js';
import { runCli } from '../support/run-cli.js';

const workload = (kind: string, name: string, secrets: string, extra = '') => `apiVersion: ${
  kind === 'CronJob' ? 'batch/v1' : 'apps/v1'
}
kind: ${kind}
metadata:
  name: ${name}
  annotations:
    vault-rollout/secrets: ${secrets}${extra}
spec:
${
  kind === 'CronJob'
    ? `  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{ name: ${name}, image: ${name}:1 }]
`
    : `  template:
    spec:
      containers: [{ name: ${name}, image: ${name}:1 }]
`
}`;

const FILES: Record<string, string> = {
  'vault-rollout.yaml': 'ignore:\n  - select: { kind: CronJob, name: "backup-*" }\n',
  // "single" and "other" both build base; single's generated patch file was edited by hand (an image
  // override slipped in), so single's copy is skipped: no safe edit exists until the file is restored.
  'base/kustomization.yaml': 'resources: [web.yaml]\n',
  'base/web.yaml': workload('Deployment', 'web', 'kv/web/db'),
  'single/kustomization.yaml': 'resources: [../base]\npatches:\n  - path: vault-rollout.patch.yaml\n',
  'single/vault-rollout.patch.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers: [{ name: web, image: evil:latest }]\n',
  'other/kustomization.yaml': 'resources: [../base]\n',
  // Opted out by its own annotation; its secret is not even in Vault.
  'apps/quiet.yaml': workload('Deployment', 'quiet', 'kv/quiet/db', '\n    vault-rollout/ignore: "true"'),
  // Opted out by the config's ignore selector; its secret is not in Vault either.
  'apps/backup.yaml': workload('CronJob', 'backup-nightly', 'kv/gone/db'),
  'apps/api.yaml': workload('Deployment', 'api', 'kv/web/db'),
};

const s = useE2eServers('vr-actions-e2e-', (vault) => {
  vault.kv.write('kv', 'web/db');
  vault.kv.write('kv', 'web/db');
});

interface Report {
  summary: Record<string, number>;
  workloads: { name: string; root?: string; action: string; reasons?: string[]; secrets: unknown[] }[];
  commit: string | null;
}

describe('blocked only for secrets: skipped and ignored never change the exit code', () => {
  it('plan, apply and the commit say skipped and ignored with the true reason; exit 0', async () => {
    await s.git.createBareRepo('actions', FILES);
    const remote = s.git.repoUrl('actions');
    const before = s.vault.requests.length;

    const plan = await runCli(['plan', '--repo', remote, '--format', 'json'], s.env);
    expect(plan.code, plan.stderr).toBe(0);
    const report = JSON.parse(plan.stdout) as Report;
    const by = (name: string, root?: string) =>
      report.workloads.find((w) => w.name === name && (root === undefined || w.root === root));
    expect(by('web', 'single')).toMatchObject({
      action: 'skipped',
      reasons: [expect.stringContaining('single/vault-rollout.patch.yaml')],
    });
    expect(by('web', 'other')?.action).toBe('record');
    expect(by('quiet')).toMatchObject({
      action: 'ignored',
      reasons: ['annotation vault-rollout/ignore: "true"'],
      secrets: [],
    });
    expect(by('backup-nightly')).toMatchObject({
      action: 'ignored',
      reasons: ['selected by ignore[0] of the config'],
    });
    expect(report.summary).toMatchObject({ blocked: 0, skipped: 1, ignored: 2 });
    // Ignored workloads' secrets are never asked for.
    const asked = s.vault.requests.slice(before).map((r) => r.path);
    expect(asked.some((p) => p.includes('quiet') || p.includes('gone'))).toBe(false);
    expect(asked.some((p) => p.includes('web/db'))).toBe(true);

    const table = await runCli(['plan', '--repo', remote], { ...s.env, COLUMNS: '160' });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^skipped +Deployment\/web \(base\/web.yaml\): /m);
    expect(table.stdout.replace(/\s+/g, ' ')).toContain('single/vault-rollout.patch.yaml');
    expect(table.stdout).toMatch(/^Deployment\/quiet .* not read +ignored$/m);
    expect(table.stdout).toMatch(/^ignored +Deployment\/quiet .*annotation vault-rollout\/ignore: "true"/m);
    expect(table.stdout).not.toMatch(/^blocked/m);
    expect(table.stdout).toMatch(/0 blocked, .*1 skipped, 2 ignored/);

    const md = await runCli(['plan', '--repo', remote, '--format', 'markdown'], s.env);
    expect(md.stdout).toContain('**Skipped**');
    // Markdown-escaped, as every cell and note is.
    expect(md.stdout).toContain(
      '**Ignored** CronJob/backup-nightly: selected by ignore\\[0\\] of the config',
    );

    const apply = await runCli(['apply', '--repo', remote, '--format', 'json'], s.env);
    expect(apply.code, apply.stderr).toBe(0);
    const applied = JSON.parse(apply.stdout) as Report;
    expect(applied.commit).toBe(await s.git.head('actions', 'main'));
    const message = (
      await runGit(['--git-dir', s.git.repoPath('actions'), 'log', '-1', '--format=%B', 'main'])
    ).toString();
    expect(message).toContain('Left as they are:');
    // (The test Vault's token is "root", which the commit message redacts wherever it appears.)
    expect(message).toMatch(
      /Deployment\/web, base\/web\.yaml: skipped\n {2}.*single\/vault-rollout\.patch\.yaml/,
    );
    // The hand-edited file is left as it is.
    expect(await s.git.readFile('actions', 'main', 'single/vault-rollout.patch.yaml')).toBe(
      FILES['single/vault-rollout.patch.yaml'],
    );
    // Ignored workloads are the user's choice, not news for reviewers; neither file changed.
    expect(message).not.toContain('quiet');
    expect(await s.git.readFile('actions', 'main', 'apps/quiet.yaml')).toBe(FILES['apps/quiet.yaml']);
    expect(await s.git.readFile('actions', 'main', 'apps/backup.yaml')).toBe(FILES['apps/backup.yaml']);
    expect(s.vault.violations).toBe(0);
  }, 60_000);

  it('a missing secret still blocks (exit 3) even beside skipped and ignored workloads', async () => {
    await s.git.createBareRepo('actions-blocked', {
      ...FILES,
      'apps/orphan.yaml': workload('Deployment', 'orphan', 'kv/missing/db'),
    });
    const r = await runCli(['plan', '--repo', s.git.repoUrl('actions-blocked'), '--format', 'json'], s.env);
    expect(r.code, r.stderr).toBe(3);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.summary).toMatchObject({ blocked: 1, skipped: 1, ignored: 2 });
    expect(r.stderr).toContain('1 workload(s) blocked');
  }, 60_000);
});
