/**
 * The root graph (src/core/discover/roots.ts) and discovery per root, on small inline repositories: which
 * roots exist, what each builds, and the secret references only a patch or a component adds.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../src/core/config/schema.js';
import { discover } from '../../src/core/discover/discover.js';
import { applyJsonPatch, strategicMerge } from '../../src/core/discover/kustomize-patch.js';
import { parseManifests } from '../../src/core/discover/parse.js';
import { buildRoots, joinPath } from '../../src/core/discover/roots.js';
import type { RepoFile } from '../../src/core/model.js';

const repo = (files: Record<string, string>): RepoFile[] =>
  Object.entries(files).map(([path, text]) => ({ path, text }));

const deployment = (name: string, extra = '') =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    `        - name: ${name}`,
    '          image: nginx',
    extra,
  ].join('\n');

const externalSecret = (name: string, key: string, target = name) =>
  [
    'apiVersion: external-secrets.io/v1',
    'kind: ExternalSecret',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  secretStoreRef: { name: vault, kind: ClusterSecretStore }',
    `  target: { name: ${target} }`,
    '  data:',
    `    - { secretKey: password, remoteRef: { key: ${key}, property: password } }`,
    '',
  ].join('\n');

const STORE = [
  'apiVersion: external-secrets.io/v1',
  'kind: ClusterSecretStore',
  'metadata: { name: vault }',
  'spec: { provider: { vault: { server: "https://vault", path: kv, version: v2 } } }',
  '',
].join('\n');

const summary = (files: RepoFile[], config = defaultConfig()) => {
  const r = discover(files, config);
  return {
    workloads: r.workloads.map(
      (w) =>
        `${w.root ?? '-'} ${w.kind}/${w.namespace ?? '-'}/${w.name} ${w.secrets.map((s) => s.path).join(',')}`,
    ),
    problems: r.problems.map((p) => `${p.file}: ${p.message}`),
    roots: r.roots.map((root) => `${root.kind} ${root.dir || '.'}`),
  };
};

describe('the root graph', () => {
  it('a component patch adds the only reference to the Secret: the workload is found in that root', () => {
    const files = repo({
      'store.yaml': STORE,
      'apps/api/kustomization.yaml': 'resources: [deployment.yaml]\n',
      'apps/api/deployment.yaml': deployment('api'),
      'components/db/kustomization.yaml': [
        'apiVersion: kustomize.config.k8s.io/v1alpha1',
        'kind: Component',
        'resources: [es.yaml]',
        'patches:',
        '  - target: { kind: Deployment }',
        '    patch: |-',
        '      apiVersion: apps/v1',
        '      kind: Deployment',
        '      metadata: { name: any }',
        '      spec:',
        '        template:',
        '          spec:',
        '            containers:',
        '              - name: api',
        '                envFrom: [{ secretRef: { name: db } }]',
        '',
      ].join('\n'),
      'components/db/es.yaml': externalSecret('db', 'shared/db'),
      'clusters/a/kustomization.yaml':
        'namespace: team-a\nresources: [../../apps/api]\ncomponents: [../../components/db]\n',
      'clusters/b/kustomization.yaml': 'namespace: team-b\nresources: [../../apps/api]\n',
    });
    expect(summary(files)).toEqual({
      workloads: ['clusters/a Deployment/team-a/api kv/shared/db'],
      problems: [],
      roots: ['kustomize clusters/a', 'kustomize clusters/b'],
    });
  });

  it('JSON 6902 patches, legacy patchesStrategicMerge and nameSuffix', () => {
    const files = repo({
      'store.yaml': STORE,
      'base/kustomization.yaml': 'resources: [web.yaml, worker.yaml]\n',
      'base/web.yaml': deployment('web'),
      'base/worker.yaml': deployment('worker'),
      'overlay/kustomization.yaml': [
        'resources: [../base, es.yaml]',
        'nameSuffix: -eu',
        'patchesStrategicMerge: [worker-env.yaml]',
        'patches:',
        '  - path: web-volume.json',
        '    target: { kind: Deployment, name: web }',
        '',
      ].join('\n'),
      'overlay/es.yaml': externalSecret('creds', 'eu/creds', 'creds'),
      'overlay/worker-env.yaml': [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: worker }',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: worker',
        '          env: [{ name: PASSWORD, valueFrom: { secretKeyRef: { name: creds, key: password } } }]',
        '',
      ].join('\n'),
      'overlay/web-volume.json': JSON.stringify([
        {
          op: 'add',
          path: '/spec/template/spec/volumes',
          value: [{ name: 'c', secret: { secretName: 'creds' } }],
        },
      ]),
    });
    // The JSON patch is not a .yaml file: the first pass reports it missing, and a caller that loads it
    // (pipeline.ts) runs discovery again.
    const first = discover(
      files.filter((f) => !f.path.endsWith('.json')),
      defaultConfig(),
    );
    expect(first.missing).toEqual(['overlay/web-volume.json']);
    const s = summary(files);
    expect(s.workloads).toEqual([
      'overlay Deployment/-/web kv/eu/creds',
      'overlay Deployment/-/worker kv/eu/creds',
    ]);
    expect(s.problems).toEqual([]);
  });

  it('reports remote resources and missing files, and never treats patches or kustomizations as workloads', () => {
    const files = repo({
      'app/kustomization.yaml': [
        'resources:',
        '  - https://github.com/example/base?ref=v1',
        '  - github.com/example/other//deploy?ref=main',
        '  - gone.yaml',
        '  - deployment.yaml',
        'patches: [{ path: patch.yaml }]',
        '',
      ].join('\n'),
      'app/deployment.yaml': deployment('app'),
      'app/patch.yaml': deployment('app').replace(
        '  template:',
        '  template:\n    metadata:\n      annotations:\n        vault-rollout/secrets: kv/patched',
      ),
    });
    const r = summary(files);
    expect(r.workloads).toEqual(['app Deployment/-/app kv/patched']);
    expect(r.problems).toEqual([
      'app/kustomization.yaml: remote resource "https://github.com/example/base?ref=v1" is not fetched: what it builds is not discovered',
      'app/kustomization.yaml: remote resource "github.com/example/other//deploy?ref=main" is not fetched: what it builds is not discovered',
      'app/kustomization.yaml: resource "gone.yaml" not found (or not selected by include/exclude)',
    ]);
  });

  it('Flux Kustomization and Argo CD Application paths name roots; a plain folder is one too', () => {
    const files = repo({
      'clusters/prod/apps.yaml': [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata: { name: apps, namespace: flux-system }',
        'spec: { path: ./deploy/plain, targetNamespace: shop }',
        '',
      ].join('\n'),
      'deploy/plain/web.yaml': deployment('web').replace(
        'metadata:\n',
        'metadata:\n  annotations: { vault-rollout/secrets: kv/shop/web }\n',
      ),
      'argo/app.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: { name: other }',
        'spec:',
        '  source: { repoURL: https://git.example.com/repo.git, path: deploy/other }',
        '  destination: { namespace: other }',
        '',
      ].join('\n'),
      'deploy/other/kustomization.yaml': 'resources: [api.yaml]\n',
      'deploy/other/api.yaml': deployment('api').replace(
        'metadata:\n',
        'metadata:\n  annotations: { vault-rollout/secrets: kv/other/api }\n',
      ),
    });
    expect(summary(files)).toEqual({
      workloads: [
        'deploy/other Deployment/-/api kv/other/api',
        'deploy/plain Deployment/shop/web kv/shop/web',
      ],
      problems: [],
      roots: ['kustomize deploy/other', 'folder deploy/plain'],
    });
  });

  it('a folder two roots build, with no kustomization to hold a patch, is blocked, not edited', () => {
    const flux = (name: string, ns: string) =>
      [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        `metadata: { name: ${name} }`,
        `spec: { path: ./shared, targetNamespace: ${ns} }`,
        '---',
        '',
      ].join('\n');
    const files = repo({
      'clusters/a.yaml': flux('a', 'a'),
      'clusters/b.yaml': flux('b', 'b').replace('./shared', './other'),
      'other/kustomization.yaml': 'resources: [../shared/web.yaml]\n',
      'shared/web.yaml': deployment('web').replace(
        'metadata:\n',
        'metadata:\n  annotations: { vault-rollout/secrets: kv/web }\n',
      ),
    });
    const r = discover(files, defaultConfig());
    const blocked = r.workloads.find((w) => w.root === 'shared');
    expect(blocked?.skip).toMatch(/built by 2 render roots, and root "shared" has no kustomization file/);
    expect(r.workloads.find((w) => w.root === 'other')?.rootPatch?.file).toBe(
      'other/vault-rollout/patches.yaml',
    );
  });

  it('a HelmRelease takes the chart values of a configMapGenerator through valuesFrom', () => {
    const files = repo({
      'store.yaml': STORE,
      'redis/kustomization.yaml': [
        'namespace: cache',
        'resources: [release.yaml, es.yaml]',
        'configMapGenerator:',
        '  - name: redis-values',
        '    files: [values.yaml=redis-values.yaml]',
        '',
      ].join('\n'),
      'redis/release.yaml': [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata: { name: redis }',
        'spec:',
        '  chart: { spec: { chart: redis } }',
        '  valuesFrom: [{ kind: ConfigMap, name: redis-values }]',
        '',
      ].join('\n'),
      // `kind` is a chart option here; the file is values because the generator names it.
      'redis/redis-values.yaml': 'kind: standalone\nauth:\n  existingSecret: redis-auth\n',
      'redis/es.yaml': externalSecret('redis-auth', 'cache/redis'),
    });
    expect(summary(files).workloads).toEqual(['redis HelmRelease/cache/redis kv/cache/redis']);
  });

  it('generator merges from a component and an overlay feed chart values; a chart-specific key names the Secret', () => {
    const release = (name: string) =>
      [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        `metadata: { name: ${name} }`,
        'spec:',
        `  chart: { spec: { chart: ${name} } }`,
        `  valuesFrom: [{ kind: ConfigMap, name: ${name}-values }]`,
        '',
      ].join('\n');
    const files = repo({
      'store.yaml': STORE,
      'base/kustomization.yaml': [
        'resources: [redis.yaml, queue.yaml]',
        'configMapGenerator:',
        '  - { name: redis-values, files: [values.yaml=redis.values.yaml] }',
        '  - { name: queue-values, files: [values.yaml=queue.values.yaml] }',
        '',
      ].join('\n'),
      'base/redis.yaml': release('redis'),
      'base/queue.yaml': release('queue'),
      'base/redis.values.yaml': 'auth: { enabled: false }\n',
      'base/queue.values.yaml': 'replicas: 1\n',
      // The component turns auth on: the Secret's name only reaches the chart through its merge.
      'components/auth/kustomization.yaml': [
        'apiVersion: kustomize.config.k8s.io/v1alpha1',
        'kind: Component',
        'resources: [es.yaml]',
        'configMapGenerator:',
        '  - { name: redis-values, behavior: merge, files: [values.yaml=redis.values.yaml] }',
        '',
      ].join('\n'),
      'components/auth/redis.values.yaml': 'auth: { enabled: true, existingSecret: redis-auth }\n',
      'components/auth/es.yaml':
        externalSecret('redis-auth', 'cache/redis') + '---\n' + externalSecret('queue-creds', 'cache/queue'),
      'prod/kustomization.yaml': [
        'namespace: cache',
        'nameSuffix: -prod',
        'resources: [../base]',
        'components: [../components/auth]',
        'configMapGenerator:',
        '  - { name: queue-values, behavior: merge, files: [values.yaml=queue.values.yaml] }',
        '',
      ].join('\n'),
      // A chart's own key for the Secret's name (not existingSecret).
      'prod/queue.values.yaml': 'broker: { credentialsSecret: queue-creds }\n',
    });
    expect(summary(files).workloads).toEqual([
      'prod HelmRelease/cache/queue kv/cache/queue',
      'prod HelmRelease/cache/redis kv/cache/redis',
    ]);
  });

  it('a generator merge kustomize refuses (no such generator, or one per copy) refuses the root', () => {
    const files = repo({
      'base/kustomization.yaml':
        'resources: [cm.yaml]\nconfigMapGenerator:\n  - { name: v, literals: [a=1] }\n',
      'base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n',
      'a/kustomization.yaml': 'nameSuffix: -a\nresources: [../base]\n',
      'b/kustomization.yaml': 'nameSuffix: -b\nresources: [../base]\n',
      'two/kustomization.yaml':
        'resources: [../a, ../b]\nconfigMapGenerator:\n  - { name: v, behavior: merge, literals: [b=2] }\n',
      'none/kustomization.yaml':
        'resources: [../a]\nconfigMapGenerator:\n  - { name: w, behavior: replace, literals: [b=2] }\n',
    });
    const problems = summary(files).problems.join('\n');
    expect(problems).toMatch(/render root "two" is not built.*2 generated ConfigMaps go by that name/);
    expect(problems).toMatch(/render root "none" is not built.*no ConfigMap of that name was generated/);
  });

  // Both measured with kubectl kustomize: the copy `p-web-u` went by `p-web` between its prefix and suffix.
  it('a patch without a target names an object by any name it went by; a target only by the original or current', () => {
    const files = repo({
      'base/kustomization.yaml': 'resources: [web.yaml]\n',
      'base/web.yaml': deployment('web'),
      'a/kustomization.yaml': 'namePrefix: p-\nresources: [../base]\n',
      'b/kustomization.yaml': 'namePrefix: p-\nnameSuffix: -u\nresources: [../base]\n',
      'target/kustomization.yaml': [
        'resources: [../a, ../b]',
        'patches:',
        '  - target: { kind: Deployment, name: p-web }',
        '    patch: "[{ op: add, path: /spec/template/spec/containers/0/envFrom, value: [{ secretRef: { name: s } }] }]"',
        '',
      ].join('\n'),
      'plain/kustomization.yaml': [
        'resources: [../a, ../b]',
        'patches:',
        '  - patch: "{ apiVersion: apps/v1, kind: Deployment, metadata: { name: p-web } }"',
        '',
      ].join('\n'),
    });
    const graph = buildRoots({ files, documents: parseManifests(files, undefined, () => true).documents });
    const envFrom = (root: string) =>
      graph.roots
        .find((r) => r.dir === root)!
        .documents.map((d) => [
          (d.data as { metadata: { name: string } }).metadata.name,
          JSON.stringify(
            (d.data as { spec: { template: { spec: { containers: { envFrom?: unknown }[] } } } }).spec
              .template.spec.containers[0]!.envFrom ?? null,
          ),
        ]);
    expect(envFrom('target')).toEqual([
      ['p-web', '[{"secretRef":{"name":"s"}}]'],
      ['p-web-u', 'null'],
    ]);
    expect(graph.problems.map((p) => p.message)).toEqual([
      'strategic-merge patch Deployment/p-web matches 2 objects: kustomize refuses this build; not applied',
    ]);
  });

  it('a strategic-merge patch without a target that names no object, or both copies, is reported', () => {
    const files = repo({
      'base/kustomization.yaml': 'resources: [web.yaml]\n',
      'base/web.yaml': deployment('web'),
      'a/kustomization.yaml': 'nameSuffix: -a\nresources: [../base]\n',
      'b/kustomization.yaml': 'nameSuffix: -b\nresources: [../base]\n',
      'r/kustomization.yaml': [
        'resources: [../a, ../b]',
        'patches:',
        '  - patch: "{ apiVersion: apps/v1, kind: Deployment, metadata: { name: web } }"',
        '  - patch: "{ apiVersion: apps/v1, kind: Deployment, metadata: { name: nope } }"',
        '  - patch: "{ apiVersion: apps/v1, kind: Deployment, metadata: { name: web-a, annotations: { x: y } } }"',
        '',
      ].join('\n'),
    });
    expect(summary(files).problems).toEqual([
      'r/kustomization.yaml: strategic-merge patch Deployment/web matches 2 objects: kustomize refuses this build; not applied',
      'r/kustomization.yaml: strategic-merge patch Deployment/nope matches no object: kustomize refuses this build; not applied',
    ]);
  });

  it('an Application names a values file with a top-level kind key: still chart values', () => {
    const files = repo({
      'argo/web.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: { name: web }',
        'spec:',
        '  source:',
        '    repoURL: https://git.example.com/repo.git',
        '    path: charts/web',
        '    helm: { valueFiles: [values-prod.yaml, ../../env/prod.yaml] }',
        '  destination: { namespace: web }',
        '',
      ].join('\n'),
      'charts/web/Chart.yaml': 'name: web\nversion: 1.0.0\n',
      'charts/web/values-prod.yaml': 'kind: web\nvault-rollout/secrets: kv/web/prod\n',
      'env/prod.yaml': 'kind: cluster\nvault-rollout/secrets: kv/web/env\n',
    });
    expect(summary(files).workloads).toEqual([
      '- HelmValues/-/values-prod.yaml kv/web/prod',
      '- HelmValues/-/prod.yaml kv/web/env',
    ]);
  });

  it('a rule names chart-specific secret values (secretValues), and VSO rolloutRestartTargets is a warning', () => {
    const config = parseConfig(
      [
        'rules:',
        '  - select: { kind: HelmRelease, name: api }',
        '    secretValues: ["extraEnvSecrets.*.secret"]',
        '',
      ].join('\n'),
      'vault-rollout.yaml',
    );
    const files = repo({
      'app.yaml': [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata: { name: api, namespace: api }',
        'spec:',
        '  values:',
        '    extraEnvSecrets:',
        '      DB_PASSWORD: { secret: api-db, key: password }',
        '---',
        'apiVersion: secrets.hashicorp.com/v1beta1',
        'kind: VaultStaticSecret',
        'metadata: { name: api-db, namespace: api }',
        'spec:',
        '  mount: kv',
        '  path: api/db',
        '  destination: { name: api-db }',
        '  rolloutRestartTargets: [{ kind: HelmRelease, name: api }]',
        '',
      ].join('\n'),
    });
    const r = discover(files, config);
    expect(r.workloads.map((w) => [w.name, w.secrets.map((s) => [s.path, s.via, s.warnings])])).toEqual([
      [
        'api',
        [
          [
            'kv/api/db',
            'VaultStaticSecret/api-db (app.yaml) → Secret/api-db → values extraEnvSecrets.DB_PASSWORD.secret',
            [
              'VaultStaticSecret/api-db (app.yaml) also restarts HelmRelease/api (spec.rolloutRestartTargets[0]): two restart paths; remove it there to let Git decide',
            ],
          ],
        ],
      ],
    ]);
    // Without the rule the chart is linked too: its `secret` key names a Secret the VaultStaticSecret creates.
    expect(
      discover(files, defaultConfig()).workloads.map((w) => [w.name, w.secrets.map((s) => s.path)]),
    ).toEqual([['api', ['kv/api/db']]]);
  });
});

describe('kustomize patches on plain data', () => {
  it('strategic merge: maps merge, lists with a merge key merge by it, null deletes, $patch: delete', () => {
    const base = {
      spec: {
        containers: [
          { name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }] },
          { name: 'b', image: 'b:1' },
        ],
        volumes: [{ name: 'v', emptyDir: {} }],
        args: ['--one'],
      },
      metadata: { labels: { keep: 'yes', drop: 'yes' } },
    };
    const patched = strategicMerge(base, {
      metadata: { labels: { drop: null, add: 'yes' } },
      spec: {
        containers: [
          { name: 'a', env: [{ name: 'Y', value: '2' }] },
          { name: 'b', $patch: 'delete' },
        ],
        args: ['--two'],
      },
    });
    expect(patched).toEqual({
      spec: {
        containers: [
          {
            name: 'a',
            image: 'a:1',
            env: [
              { name: 'X', value: '1' },
              { name: 'Y', value: '2' },
            ],
          },
        ],
        volumes: [{ name: 'v', emptyDir: {} }],
        args: ['--two'],
      },
      metadata: { labels: { keep: 'yes', add: 'yes' } },
    });
    // The original is untouched.
    expect(base.spec.containers).toHaveLength(2);
  });

  it('JSON 6902: add (with -), replace, remove, move, copy, test; a failing op names itself', () => {
    const doc = { a: [1, 2], b: { c: 'x' } };
    expect(
      applyJsonPatch(doc, [
        { op: 'add', path: '/a/-', value: 3 },
        { op: 'replace', path: '/b/c', value: 'y' },
        { op: 'copy', from: '/b/c', path: '/d' },
        { op: 'move', from: '/a/0', path: '/e' },
        { op: 'remove', path: '/b' },
        { op: 'test', path: '/d', value: 'y' },
      ]),
    ).toEqual({ a: [2, 3], d: 'y', e: 1 });
    expect(() => applyJsonPatch(doc, [{ op: 'remove', path: '/nope' }])).toThrow(
      'remove /nope: no key "nope"',
    );
  });

  // Each line measured with `kubectl kustomize` (kustomize v5.5): applied, or refused.
  it('JSON 6902 as kustomize v5.5 applies it: replace on a missing key adds, a missing parent refuses', () => {
    const doc = { kind: 'X', metadata: { name: 'x' }, data: { a: '1' }, list: [1, 2] };
    const ok = (ops: Parameters<typeof applyJsonPatch>[1]) => applyJsonPatch(doc, ops);
    const refused = (ops: Parameters<typeof applyJsonPatch>[1]) =>
      expect(() => applyJsonPatch(doc, ops)).toThrow();
    expect(ok([{ op: 'replace', path: '/data/b', value: '2' }])).toMatchObject({ data: { a: '1', b: '2' } });
    // kustomize keeps its own annotations on every object while patching: this parent always exists.
    expect(ok([{ op: 'add', path: '/metadata/annotations/k', value: 'v' }])).toMatchObject({
      metadata: { name: 'x', annotations: { k: 'v' } },
    });
    expect(ok([{ op: 'replace', path: '/metadata/annotations/k', value: 'v' }])).toMatchObject({
      metadata: { annotations: { k: 'v' } },
    });
    expect(ok([{ op: 'test', path: '/kind', value: 'X' }])).toEqual(doc);
    expect(ok([{ op: 'add', path: '/list/2', value: 3 }])).toMatchObject({ list: [1, 2, 3] });
    expect(ok([{ op: 'add', path: '/list/-1', value: 3 }])).toMatchObject({ list: [1, 2, 3] });
    expect(ok([{ op: 'add', path: '/list/-3', value: 0 }])).toMatchObject({ list: [0, 1, 2] });
    expect(ok([{ op: 'replace', path: '/list/-1', value: 9 }])).toMatchObject({ list: [1, 9] });
    expect(ok([{ op: 'remove', path: '/list/-1' }])).toMatchObject({ list: [1] });
    expect(ok([{ op: 'copy', from: '/data/zz', path: '/data/q' }])).toMatchObject({
      data: { a: '1', q: null },
    });
    expect(ok([{ op: 'test', path: '/data/zz', value: null }])).toEqual(doc);
    refused([{ op: 'add', path: '/a/b', value: 1 }]);
    refused([{ op: 'replace', path: '/a/b', value: 1 }]);
    refused([{ op: 'add', path: '/metadata/labels/x', value: '1' }]);
    refused([{ op: 'remove', path: '/data/zz' }]);
    refused([{ op: 'remove', path: '/metadata/annotations/zz' }]);
    refused([{ op: 'test', path: '/data/a', value: 1 }]);
    refused([{ op: 'move', from: '/data/zz', path: '/data/q' }]);
    refused([{ op: 'add', path: '/list/5', value: 1 }]);
    refused([{ op: 'replace', path: '/list/2', value: 1 }]);
    refused([{ op: 'remove', path: '/list/7' }]);
    refused([{ op: 'bogus', path: '/data' }]);
    // An object without annotations is not given an empty map by a patch that adds none.
    expect(ok([{ op: 'replace', path: '/data/a', value: '2' }])).toEqual({ ...doc, data: { a: '2' } });
  });

  it('joins relative paths and refuses to leave the repository', () => {
    expect(joinPath('clusters/prod/web', '../../../apps/web')).toBe('apps/web');
    expect(joinPath('a', './b/./c/')).toBe('a/b/c');
    expect(joinPath('a', '../../etc')).toBeNull();
  });
});

describe('a base a root builds twice', () => {
  it('each copy is a workload of that root, patched by its rendered name; other roots still are', () => {
    const files = repo({
      'base/kustomization.yaml': 'resources: [web.yaml]\n',
      'base/web.yaml': deployment('web').replace(
        'metadata:\n',
        'metadata:\n  annotations: { vault-rollout/secrets: kv/web }\n',
      ),
      'blue/kustomization.yaml': 'nameSuffix: -blue\nresources: [../base]\n',
      'green/kustomization.yaml': 'nameSuffix: -green\nresources: [../base]\n',
      'both/kustomization.yaml': 'resources: [../blue, ../green]\n',
      'single/kustomization.yaml': 'resources: [../base]\n',
    });
    const r = discover(files, defaultConfig());
    expect(
      r.workloads.map((w) => [
        w.root,
        w.name,
        w.rootPatch?.file ?? null,
        w.rootPatch?.object.name ?? null,
        w.skip ?? null,
      ]),
    ).toEqual([
      ['both', 'web-blue', 'both/vault-rollout/patches.yaml', 'web-blue', null],
      ['both', 'web-green', 'both/vault-rollout/patches.yaml', 'web-green', null],
      ['single', 'web', 'single/vault-rollout/patches.yaml', 'web', null],
    ]);
  });

  it('a root that renames the copies itself: each is patched by its name before the root renames it', () => {
    const files = repo({
      'base/kustomization.yaml': 'resources: [web.yaml]\n',
      'base/web.yaml': deployment('web').replace(
        'metadata:\n',
        'metadata:\n  annotations: { vault-rollout/secrets: kv/web }\n',
      ),
      'blue/kustomization.yaml': 'namePrefix: b-\nnameSuffix: -blue\nresources: [../base]\n',
      'green/kustomization.yaml': 'namespace: g\nnameSuffix: -green\nresources: [../base]\n',
      'both/kustomization.yaml': 'namespace: prod\nnamePrefix: p-\nresources: [../blue, ../green]\n',
    });
    const r = discover(files, defaultConfig());
    expect(r.workloads.map((w) => [w.name, w.namespace, w.rootPatch?.object ?? null])).toEqual([
      [
        'b-web-blue',
        'prod',
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'b-web-blue', namespace: null },
      ],
      ['web-green', 'prod', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-green', namespace: 'g' }],
    ]);
  });
});
