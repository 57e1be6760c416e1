/**
 * The kustomize oracle (test/support/kustomize.ts) on the render-root fixture repositories: it finds the
 * render roots, every root builds with the real kustomize, and diffRenders sees exactly a change made in
 * a temporary copy.
 */
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeIfKubectl,
  diffRenders,
  findRoots,
  isAnnotation,
  renderAll,
  renderObjects,
  unexpectedChanges,
} from '../support/kustomize.js';
import { fixtureDir, fixtureSecrets, readFixture, withVaultAddresses } from '../support/roots-fixtures.js';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'HelmRelease']);

async function subfolders(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
}

describeIfKubectl('kustomize oracle on the fixtures', () => {
  let tmp = '';
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'vr-kustomize-'));
  });
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('argocd: the roots are the cluster overlays and infra folders, never a base or a component', async () => {
    const dir = fixtureDir('argocd');
    const found = await findRoots(dir);
    const expected: string[] = [];
    for (const cluster of await subfolders(join(dir, 'clusters'))) {
      expected.push(`clusters/${cluster}/infra`);
      for (const app of await subfolders(join(dir, 'clusters', cluster, 'apps')))
        expected.push(`clusters/${cluster}/apps/${app}`);
    }
    expect(found.roots).toEqual(expected.sort());
    // every Argo CD Application names one of them, and every one is named
    expect(found.named).toEqual(expected.sort());
    expect(found.namedWithoutKustomization).toEqual([]);
    expect(found.kustomizations).toEqual(expect.arrayContaining(['apps/payments', 'components/vault-env']));
    expect(found.remote).toEqual([]);
  });

  it('flux: the roots are the two overlays that the Flux Kustomizations name', async () => {
    const found = await findRoots(fixtureDir('flux'));
    expect(found.roots).toEqual(['apps/overlays/dev', 'apps/overlays/prod']);
    expect(found.named).toEqual(['apps/overlays/dev', 'apps/overlays/prod']);
  });

  it('flat: no kustomization, no root for kustomize to build', async () => {
    expect((await findRoots(fixtureDir('flat'))).roots).toEqual([]);
  });

  it('every root of argocd and flux builds, and the fixtures hold at least 30 workloads', async () => {
    let workloads = 0;
    for (const name of ['argocd', 'flux'] as const) {
      const renders = await renderAll(fixtureDir(name));
      expect(renders.size).toBeGreaterThan(1);
      for (const [root, text] of renders) {
        const objects = [...renderObjects(text).values()];
        expect(objects.length, root).toBeGreaterThan(0);
        workloads += objects.filter((o) => WORKLOAD_KINDS.has(String(o['kind']))).length;
        if (root.includes('/apps/')) {
          // the overlay sets the namespace of everything it builds
          for (const o of objects)
            expect((o['metadata'] as { namespace?: string }).namespace, root).toBeTruthy();
        }
      }
    }
    const flat = Object.entries(await readFixture('flat'))
      .filter(([f]) => f.startsWith('manifests/'))
      .map(([, text]) => text)
      .join('\n---\n');
    workloads += [...renderObjects(flat).values()].filter((o) =>
      WORKLOAD_KINDS.has(String(o['kind'])),
    ).length;
    expect(workloads).toBe(39); // 18 argocd + 16 flux + 5 flat
  });

  it('every secret path a fixture lists exists for each environment of its config', async () => {
    for (const name of ['argocd', 'flux'] as const) {
      const secrets = await fixtureSecrets(name);
      const config = await readFile(join(fixtureDir(name), 'vault-rollout.yaml'), 'utf8');
      const rewritten = withVaultAddresses(
        config,
        Object.fromEntries(Object.keys(secrets).map((e) => [e, `http://127.0.0.1:9/${e}`])),
      );
      for (const env of Object.keys(secrets)) expect(rewritten).toContain(`http://127.0.0.1:9/${env}`);
      expect(() => withVaultAddresses(config, { nope: 'x' })).toThrow(/no environment nope/);
    }
  });

  it('diffRenders sees an annotation added in a shared base in every root that builds it, and nothing else', async () => {
    const copy = join(tmp, 'argocd');
    await cp(fixtureDir('argocd'), copy, { recursive: true });
    const before = await renderAll(copy);
    const file = join(copy, 'apps/payments/deployment.yaml');
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(
        '  labels:\n    app: payments-api\nspec:',
        '  labels:\n    app: payments-api\n  annotations:\n    example.com/probe: "1"\nspec:',
      ),
    );
    const after = await renderAll(copy);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [root, text] of after) {
      const diff = diffRenders(before.get(root)!, text);
      if (root.endsWith('/apps/payments')) {
        expect([...diff.keys()], root).toEqual(['Deployment/payments/payments-api']);
        const changes = diff.get('Deployment/payments/payments-api')!;
        expect(changes).toEqual([
          {
            path: 'metadata.annotations["example.com/probe"]',
            segments: ['metadata', 'annotations', 'example.com/probe'],
            old: undefined,
            new: '1',
          },
        ]);
        expect(isAnnotation(changes[0]!, 'example.com/probe')).toBe(true);
        expect(unexpectedChanges(diff, (_, c) => isAnnotation(c, 'example.com/probe'))).toEqual([]);
      } else {
        expect(text, root).toBe(before.get(root));
        expect(diff.size).toBe(0);
      }
    }
  });

  it('diffRenders looks inside a generated values file and ignores the new name hash', async () => {
    const copy = join(tmp, 'flux');
    await cp(fixtureDir('flux'), copy, { recursive: true });
    const before = await renderAll(copy);
    const file = join(copy, 'apps/overlays/dev/redis-values.yaml');
    await writeFile(file, (await readFile(file, 'utf8')) + 'podAnnotations:\n  example.com/probe: "2"\n');
    const after = await renderAll(copy);
    expect(after.get('apps/overlays/prod')).toBe(before.get('apps/overlays/prod'));
    // the raw texts differ in the generated name too, the normalised diff only in the values
    expect(after.get('apps/overlays/dev')).not.toBe(before.get('apps/overlays/dev'));
    const raw = diffRenders(before.get('apps/overlays/dev')!, after.get('apps/overlays/dev')!, {
      normalizeGeneratedNames: false,
    });
    expect(raw.get('HelmRelease/apps/redis')?.map((c) => c.path)).toEqual(['spec.valuesFrom[0].name']);
    const diff = diffRenders(before.get('apps/overlays/dev')!, after.get('apps/overlays/dev')!);
    expect([...diff.keys()]).toEqual(['ConfigMap/apps/redis-values-<hash>']);
    expect(diff.get('ConfigMap/apps/redis-values-<hash>')).toEqual([
      {
        path: 'data["values.yaml"].podAnnotations["example.com/probe"]',
        segments: ['data', 'values.yaml', 'podAnnotations', 'example.com/probe'],
        old: undefined,
        new: '2',
      },
    ]);
  });
});
