/**
 * The root graph on hostile shapes: a diamond whose work doubles per layer, a chain thousands deep, the
 * same resource reached twice, and the depth / documents / bytes limits. What kustomize refuses is
 * refused for that root only (one problem naming it), and `kubectl kustomize` agrees case by case.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/core/config/schema.js';
import { discover } from '../../src/core/discover/discover.js';
import { parseManifests } from '../../src/core/discover/parse.js';
import { buildRoots } from '../../src/core/discover/roots.js';
import { DEFAULT_ROOT_LIMITS, type RootLimits } from '../../src/core/limits.js';
import type { RepoFile } from '../../src/core/model.js';
import { chainRepo, diamondRepo, vaultDeployment } from '../faults/hostile-repo.js';
import { describeIfKubectl, renderRoot } from '../support/kustomize.js';

const repo = (files: Record<string, string>): RepoFile[] =>
  Object.entries(files).map(([path, text]) => ({ path, text }));

const GOOD = repo({
  'apps/good/kustomization.yaml': 'resources: [web.yaml]\n',
  'apps/good/web.yaml': vaultDeployment('good', 'kv/app/good'),
});

const run = (files: RepoFile[]) => {
  const r = discover([...GOOD, ...files], defaultConfig());
  return {
    workloads: r.workloads.map((w) => `${w.root ?? '-'} ${w.name}`),
    problems: r.problems.map((p) => `${p.file}: ${p.message}`),
  };
};

const graph = (files: RepoFile[], limits: Partial<RootLimits>) =>
  buildRoots({
    files,
    documents: parseManifests(files, undefined, () => true).documents,
    limits: { ...DEFAULT_ROOT_LIMITS, ...limits },
  });

const configMap = (name: string, extra = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;

/** Small repositories, each a root `r` that kustomize builds (`true`) or refuses (`false`). */
const CASES: Record<string, { files: Record<string, string>; builds: boolean }> = {
  'the same file listed twice': {
    files: { 'r/kustomization.yaml': 'resources: [cm.yaml, cm.yaml]\n', 'r/cm.yaml': configMap('cm') },
    builds: false,
  },
  'one object written twice in one file': {
    files: {
      'r/kustomization.yaml': 'resources: [cm.yaml]\n',
      'r/cm.yaml': `${configMap('cm')}---\n${configMap('cm')}`,
    },
    builds: false,
  },
  'one object in two files': {
    files: {
      'r/kustomization.yaml': 'resources: [a.yaml, b.yaml]\n',
      'r/a.yaml': configMap('cm'),
      'r/b.yaml': configMap('cm'),
    },
    builds: false,
  },
  'no namespace and "default" are one namespace': {
    files: {
      'r/kustomization.yaml': 'resources: [a.yaml, b.yaml]\n',
      'r/a.yaml': configMap('cm'),
      'r/b.yaml': configMap('cm', '  namespace: default\n').replace(
        '  name: cm\n  namespace',
        '  name: cm\n  namespace',
      ),
    },
    builds: false,
  },
  'two namespaces are two ids': {
    files: {
      'r/kustomization.yaml': 'resources: [a.yaml, ../base]\n',
      'r/a.yaml': configMap('cm').replace('  name: cm\n', '  name: cm\n  namespace: other\n'),
      'base/kustomization.yaml': 'resources: [cm.yaml]\n',
      'base/cm.yaml': configMap('cm'),
    },
    builds: true,
  },
  'two versions are two ids': {
    files: {
      'r/kustomization.yaml': 'resources: [a.yaml]\n',
      'r/a.yaml': `${configMap('cm')}---\n${configMap('cm').replace('apiVersion: v1', 'apiVersion: v2')}`,
    },
    builds: true,
  },
  'a base through two layers (a diamond)': {
    files: {
      'r/kustomization.yaml': 'resources: [../l/a, ../l/b]\n',
      'l/a/kustomization.yaml': 'resources: [../../base]\n',
      'l/b/kustomization.yaml': 'resources: [../../base]\n',
      'base/kustomization.yaml': 'resources: [cm.yaml]\n',
      'base/cm.yaml': configMap('cm'),
    },
    builds: false,
  },
  'a base through two layers with two name suffixes': {
    files: {
      'r/kustomization.yaml': 'resources: [../l/a, ../l/b]\n',
      'l/a/kustomization.yaml': 'nameSuffix: -a\nresources: [../../base]\n',
      'l/b/kustomization.yaml': 'nameSuffix: -b\nresources: [../../base]\n',
      'base/kustomization.yaml': 'resources: [cm.yaml]\n',
      'base/cm.yaml': configMap('cm'),
    },
    builds: true,
  },
  'a component with a resource, listed twice': {
    files: {
      'r/kustomization.yaml': 'resources: [../base]\ncomponents: [../comp, ../comp]\n',
      'base/kustomization.yaml': 'resources: [cm.yaml]\n',
      'base/cm.yaml': configMap('cm'),
      'comp/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [extra.yaml]\n',
      'comp/extra.yaml': configMap('extra'),
    },
    builds: false,
  },
  'a component with only a patch, listed twice': {
    files: {
      'r/kustomization.yaml': 'resources: [../base]\ncomponents: [../comp, ../comp]\n',
      'base/kustomization.yaml': 'resources: [cm.yaml]\n',
      'base/cm.yaml': configMap('cm'),
      'comp/kustomization.yaml': [
        'apiVersion: kustomize.config.k8s.io/v1alpha1',
        'kind: Component',
        'patches:',
        '  - patch: "{apiVersion: v1, kind: ConfigMap, metadata: {name: cm}, data: {a: b}}"',
        '',
      ].join('\n'),
    },
    builds: true,
  },
  'one component through two layers': {
    files: {
      'r/kustomization.yaml': 'resources: [../l/a, ../l/b]\n',
      'l/a/kustomization.yaml': 'resources: [../../base]\ncomponents: [../../comp]\n',
      'l/b/kustomization.yaml': 'nameSuffix: -b\nresources: [../../base]\ncomponents: [../../comp]\n',
      'base/kustomization.yaml': 'resources: [cm.yaml]\n',
      'base/cm.yaml': configMap('cm'),
      'comp/kustomization.yaml': [
        'apiVersion: kustomize.config.k8s.io/v1alpha1',
        'kind: Component',
        'patches:',
        '  - patch: "{apiVersion: v1, kind: ConfigMap, metadata: {name: cm}, data: {a: b}}"',
        '',
      ].join('\n'),
    },
    builds: true,
  },
};

describe('a resource reached twice through one root', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: ${c.builds ? 'builds' : 'refused for that root only'}`, () => {
      const g = graph(repo(c.files), {});
      const refusals = g.problems.filter((p) => p.message.includes('is not built, as kustomize refuses it'));
      if (c.builds) {
        expect(refusals).toEqual([]);
        expect(g.roots.map((r) => r.dir)).toContain('r');
      } else {
        expect(refusals).toHaveLength(1);
        expect(refusals[0]!.file).toBe('r/kustomization.yaml');
        expect(refusals[0]!.message).toMatch(
          /^render root "r" is not built, as kustomize refuses it: may not add resource with an already registered id: ConfigMap\.v1\.\[noGrp\]\/(cm|extra)\.default \("/,
        );
        expect(g.roots.map((r) => r.dir)).not.toContain('r');
        // What the refused root would build stands neither for itself nor as another root.
        expect(g.flat).toEqual([]);
        expect(g.roots).toEqual([]);
      }
    });
  }
});

describeIfKubectl('kubectl kustomize agrees on what it refuses', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vr-bounded-graph-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  for (const [name, c] of Object.entries(CASES)) {
    it(name, async () => {
      const root = join(dir, name.replace(/\W+/g, '-'));
      for (const [path, text] of Object.entries(c.files)) {
        await mkdir(dirname(join(root, path)), { recursive: true });
        await writeFile(join(root, path), text);
      }
      const built = await renderRoot(join(root, 'r')).then(
        () => true,
        (err: Error) => {
          // Refused for the reason this test is about, not for kustomize's own file-loading rules.
          expect(err.message).toContain('may not add resource with an already registered id');
          return false;
        },
      );
      expect(built).toBe(c.builds);
    });
  }
});

describe('hostile graph shapes', () => {
  it('a diamond of 28 layers: one problem naming the root and the file, quickly; other roots go on', () => {
    const started = performance.now();
    const r = run(diamondRepo('diamond', 28));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(r.workloads).toEqual(['apps/good good']);
    expect(r.problems).toEqual([
      'diamond/kustomization.yaml: render root "diamond" is not built, as kustomize refuses it: may not add resource with an already registered id: Deployment.v1.apps/web.app ("diamond/base/web.yaml" again, through "../../l28/b") (in "diamond/l27/a/kustomization.yaml"); nothing it builds is edited for it',
    ]);
  });

  it('a diamond whose copies all have their own names: stopped by the documents per root', () => {
    const started = performance.now();
    const r = run(diamondRepo('diamond', 30, { suffixes: true }));
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(r.workloads).toEqual(['apps/good good']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(
      /^diamond\/kustomization\.yaml: render root "diamond" is not built, as kustomize refuses it: builds more than 100000 documents \(MAX_ROOT_DOCUMENTS\) \(in "diamond\/l\d+\/a\/kustomization\.yaml"\)/,
    );
  });

  it('a chain 5,000 deep builds, as kubectl kustomize builds it', () => {
    const r = run(chainRepo('chain', 5000));
    expect(r.problems).toEqual([]);
    expect(r.workloads).toEqual(['apps/good good', 'chain/c0 chained']);
  });

  it('a chain deeper than the depth limit is refused, naming the file where it stops', () => {
    const g = graph(chainRepo('chain', 60), { maxDepth: 50 });
    expect(g.roots).toEqual([]);
    expect(g.flat).toEqual([]);
    expect(g.problems.map((p) => `${p.file}: ${p.message}`)).toEqual([
      'chain/c0/kustomization.yaml: render root "chain/c0" is not built, as kustomize refuses it: kustomizations are nested more than 50 deep here (MAX_KUSTOMIZE_DEPTH) (in "chain/c50/kustomization.yaml"); nothing it builds is edited for it',
    ]);
  });

  it('bytes read past the limit, counting each include, refuse the root naming the file', () => {
    const files = diamondRepo('d', 8, { suffixes: true });
    expect(graph(files, {}).problems).toEqual([]);
    const g = graph(files, { maxBytes: 20_000 });
    expect(g.roots).toEqual([]);
    expect(g.problems).toHaveLength(1);
    expect(g.problems[0]!.message).toMatch(
      /^render root "d" is not built, as kustomize refuses it: reads more than 20000 bytes, counting each include \(MAX_ROOT_BYTES\) \(in "d\/l\d\/[ab]\/kustomization\.yaml"\)/,
    );
  });
});
