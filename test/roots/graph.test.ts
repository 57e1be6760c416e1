/**
 * The root graph (src/core/discover/roots.ts) and discovery per root, on small inline repositories: which
 * roots exist, what each builds, and the secret references only a patch or a component adds.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../src/core/config/schema.js';
import { discover } from '../../src/core/discover/discover.js';
import { applyJsonPatch, strategicMerge } from '../../src/core/discover/kustomize-patch.js';
import { joinPath } from '../../src/core/discover/roots.js';
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
    expect(blocked?.blocked).toMatch(/built by 2 render roots, and root "shared" has no kustomization file/);
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
    expect(discover(files, defaultConfig()).workloads).toEqual([]);
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
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/nope', value: 1 }])).toThrow(
      'replace /nope: no key "nope"',
    );
  });

  it('joins relative paths and refuses to leave the repository', () => {
    expect(joinPath('clusters/prod/web', '../../../apps/web')).toBe('apps/web');
    expect(joinPath('a', './b/./c/')).toBe('a/b/c');
    expect(joinPath('a', '../../etc')).toBeNull();
  });
});

describe('a base a root builds twice', () => {
  it('is not patched for that root (a patch by its name would match both copies); other roots still are', () => {
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
    expect(r.workloads.map((w) => [w.root, w.rootPatch?.file ?? null, w.blocked ?? null])).toEqual([
      ['both', null, expect.stringContaining('builds base/web.yaml more than once')],
      ['single', 'single/vault-rollout/patches.yaml', null],
    ]);
  });
});
