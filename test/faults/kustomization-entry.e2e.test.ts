/**
 * The one edit vault-rollout makes to a person's kustomization, listing the root's own layer in
 * `components`, once dropped a comment after the key and listed an entry a second time when it was
 * already listed in another spelling. Through the built CLI: the comment is kept byte for byte, the layer
 * is listed once (`./vault-rollout/` counts), and nothing else of the kustomization changes.
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
    'resources:\n  - ../../base\ncomponents: # shared pieces only, please\nnamespace: a\n',
  'overlays/b/kustomization.yaml': 'resources:\n  - ../../base\ncomponents:\n  - ./vault-rollout/\n',
};

it('keeps the comment after components:, and never lists the layer twice', async () => {
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
    'resources:\n  - ../../base\ncomponents: # shared pieces only, please\n- vault-rollout\nnamespace: a\n',
  );
  expect(await s.git.readFile('kust', 'main', 'overlays/b/kustomization.yaml')).toBe(
    FILES['overlays/b/kustomization.yaml'],
  );
  expect(await s.git.readFile('kust', 'main', 'overlays/b/vault-rollout/patches.yaml')).toContain(
    'vault-rollout/secret-versions: kv/app/db@1',
  );
  expect(await readdir(tmp)).toEqual([]);
});
