/**
 * The one edit vault-rollout makes to a person's kustomization, listing its generated patch file, used to
 * drop a comment after `patches:` and to list the file a second time when `patchesStrategicMerge` already
 * listed it (kustomize then applies it twice). Through the built CLI: the comment is kept byte for byte,
 * the file is listed once, and nothing else of the kustomization changes.
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { useE2eServers } from '../support/e2e-servers.js';
import { runCli } from '../support/run-cli.js';

const s = useE2eServers('vr-kustomization-faults-', (vault) => vault.kv.write('kv', 'app/db'));

const FILES: Record<string, string> = {
  'base/kustomization.yaml': 'resources:\n  - web.yaml\n',
  'base/web.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    vault-rollout/secrets: kv/app/db
spec:
  template:
    spec:
      containers: [{ name: app, image: app:1 }]
`,
  'overlays/a/kustomization.yaml':
    'resources:\n  - ../../base\npatches: # strategic-merge patches only, please\nnamespace: a\n',
  'overlays/b/kustomization.yaml':
    'resources:\n  - ../../base\npatchesStrategicMerge:\n  - vault-rollout.patch.yaml\n',
};

it('keeps the comment after patches:, and never lists a patch patchesStrategicMerge lists', async () => {
  await s.git.createBareRepo('kust', FILES, { branch: 'main' });
  const tmp = await mkdtemp(join(s.tmp, 'run-tmp-'));
  const r = await runCli(['apply', '--repo', s.git.repoUrl('kust'), '--format', 'json'], {
    ...s.env,
    TMPDIR: tmp,
  });
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout) as { workloads: { root?: string; action: string }[]; commit: string };
  expect(report.workloads.map((w) => [w.root, w.action]).sort()).toEqual([
    ['overlays/a', 'record'],
    ['overlays/b', 'record'],
  ]);
  expect(report.commit).toBe(await s.git.head('kust', 'main'));
  expect(await s.git.readFile('kust', 'main', 'overlays/a/kustomization.yaml')).toBe(
    'resources:\n  - ../../base\npatches: # strategic-merge patches only, please\n- path: vault-rollout.patch.yaml\nnamespace: a\n',
  );
  expect(await s.git.readFile('kust', 'main', 'overlays/b/kustomization.yaml')).toBe(
    FILES['overlays/b/kustomization.yaml'],
  );
  expect(await s.git.readFile('kust', 'main', 'overlays/b/vault-rollout.patch.yaml')).toContain(
    'vault-rollout/secret-versions: kv/app/db@1',
  );
  expect(await readdir(tmp)).toEqual([]);
});
