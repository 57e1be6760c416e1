/**
 * The three names of a kustomization file (kustomization.yaml, kustomization.yml, Kustomization) are read
 * and built alike by the working-tree reader and discovery; a folder with two of them is refused whole.
 * The Git-object readers are covered through the built CLI (test/faults/root-graph.e2e.test.ts).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkingTreeSource } from '../../src/adapters/fs/working-tree.js';
import { defaultConfig } from '../../src/core/config/schema.js';
import { discover } from '../../src/core/discover/discover.js';
import { KUSTOMIZATION_NAMES } from '../../src/core/discover/kustomization-names.js';
import { vaultDeployment } from '../faults/hostile-repo.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vr-kustomization-names-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function checkout(name: string, files: Record<string, string>): Promise<WorkingTreeSource> {
  const root = join(dir, name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return new WorkingTreeSource(root);
}

describe('kustomization file names', () => {
  it('are the three kustomize reads, in its order', () => {
    expect(KUSTOMIZATION_NAMES).toEqual(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);
  });

  for (const name of KUSTOMIZATION_NAMES) {
    it(`a root whose file is "${name}" is read from a checkout and built like any other`, async () => {
      const source = await checkout(name, {
        'base/kustomization.yaml': 'resources: [web.yaml]\n',
        'base/web.yaml': vaultDeployment('web', 'kv/app/web'),
        [`clusters/a/${name}`]: 'namespace: a\nresources: [../../base]\n',
        'clusters/b/kustomization.yaml': 'namespace: b\nresources: [../../base]\n',
      });
      const { files } = await source.load(() => true);
      expect(files.map((f) => f.path)).toContain(`clusters/a/${name}`);
      const r = discover(files, defaultConfig());
      expect(r.problems).toEqual([]);
      expect(r.workloads.map((w) => [w.root, w.namespace, w.rootPatch?.kustomization])).toEqual([
        ['clusters/a', 'a', `clusters/a/${name}`],
        ['clusters/b', 'b', 'clusters/b/kustomization.yaml'],
      ]);
    });
  }

  it('a folder with two of them is reported once and nothing under it is discovered or edited', async () => {
    const source = await checkout('two', {
      'twice/kustomization.yaml': 'resources: [app.yaml]\n',
      'twice/Kustomization': 'resources: [app.yaml]\n',
      'twice/app.yaml': vaultDeployment('app', 'kv/app/web'),
      'apps/good.yaml': vaultDeployment('good', 'kv/app/good'),
    });
    const { files } = await source.load(() => true);
    const r = discover(files, defaultConfig());
    expect(r.workloads.map((w) => w.name)).toEqual(['good']);
    expect(r.problems.map((p) => `${p.file}: ${p.message}`)).toEqual([
      'twice/Kustomization: several kustomization files in "twice" ("twice/Kustomization", "twice/kustomization.yaml"): kustomize refuses to build it; skipped, nothing under it is edited',
    ]);
  });
});
