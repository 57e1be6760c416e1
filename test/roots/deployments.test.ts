/**
 * The deployment graph (src/core/discover/deployments.ts, applicationset.ts) through discovery: the roots
 * are what Flux Kustomizations and Argo CD Applications / ApplicationSets reach, transitively; a
 * kustomization folder nothing reaches is `undeployed` and its workloads are not read.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../src/core/config/schema.js';
import { discover } from '../../src/core/discover/discover.js';
import { expandApplicationSet } from '../../src/core/discover/applicationset.js';
import type { RepoFile } from '../../src/core/model.js';

const repo = (files: Record<string, string>): RepoFile[] =>
  Object.entries(files).map(([path, text]) => ({ path, text }));

const annotated = (name: string, secret: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: { name: ${name}, annotations: { vault-rollout/secrets: ${secret} } }`,
    'spec:',
    '  template:',
    '    spec: { containers: [{ name: app, image: nginx }] }',
    '',
  ].join('\n');

const kustomization = (...resources: string[]) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [${resources.join(', ')}]\n`;

const flux = (name: string, path: string, source = 'flux-system') =>
  [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    `metadata: { name: ${name}, namespace: flux-system }`,
    `spec: { interval: 10m, path: ${path}, prune: true, sourceRef: { kind: GitRepository, name: ${source} } }`,
    '',
  ].join('\n');

const app = (name: string, path: string) =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    `metadata: { name: ${name}, namespace: argocd }`,
    'spec:',
    `  source: { repoURL: "https://git.example.com/gitops.git", path: "${path}" }`,
    '  destination: { server: https://kubernetes.default.svc }',
    '',
  ].join('\n');

const scan = (files: RepoFile[]) => {
  const r = discover(files, defaultConfig());
  return {
    roots: r.roots.map((root) => root.dir || '.'),
    undeployed: r.undeployed,
    workloads: r.workloads.map((w) => `${w.root ?? '-'} ${w.name}`),
    problems: r.problems.map((p) => `${p.file}: ${p.message}`),
  };
};

describe('the deployment graph', () => {
  it('Flux: the roots are the overlays a cluster deploys; an overlay nothing deploys is named, not read', () => {
    const r = scan(
      repo({
        'clusters/dev/apps.yaml': flux('apps', './apps/cart/overlays/dev'),
        'clusters/prod/apps.yaml': flux('apps', './apps/cart/overlays/prod'),
        'apps/cart/base/kustomization.yaml': kustomization('deployment.yaml'),
        'apps/cart/base/deployment.yaml': annotated('cart', 'kv/cart/db'),
        'apps/cart/overlays/dev/kustomization.yaml': kustomization('../../base'),
        'apps/cart/overlays/prod/kustomization.yaml': kustomization('../../base'),
        'apps/cart/overlays/staging/kustomization.yaml': kustomization('../../base'),
      }),
    );
    expect(r.roots).toEqual(['apps/cart/overlays/dev', 'apps/cart/overlays/prod']);
    expect(r.undeployed).toEqual(['apps/cart/overlays/staging']);
    expect(r.workloads).toEqual(['apps/cart/overlays/dev cart', 'apps/cart/overlays/prod cart']);
    expect(r.problems).toEqual([]);
  });

  it('Flux: transitively, from a bootstrap sync over the cluster folder to the apps it deploys', () => {
    const r = scan(
      repo({
        'clusters/prod/flux-system/kustomization.yaml': kustomization('gotk-sync.yaml'),
        'clusters/prod/flux-system/gotk-sync.yaml': flux('flux-system', './clusters/prod'),
        'clusters/prod/apps.yaml': flux('apps', './apps/prod'),
        'apps/prod/kustomization.yaml': kustomization('web.yaml'),
        'apps/prod/web.yaml': annotated('web', 'kv/web'),
        'apps/dev/kustomization.yaml': kustomization('web.yaml'),
        'apps/dev/web.yaml': annotated('web-dev', 'kv/web'),
      }),
    );
    expect(r.roots).toEqual(['apps/prod', 'clusters/prod', 'clusters/prod/flux-system']);
    expect(r.undeployed).toEqual(['apps/dev']);
    expect(r.workloads).toEqual(['apps/prod web']);
  });

  it('Flux: a Kustomization on another GitRepository is not followed, and said so when its path exists here', () => {
    const r = scan(
      repo({
        'clusters/prod/apps.yaml': flux('apps', './apps/prod'),
        'clusters/prod/vendor.yaml': flux('vendor', './apps/vendor', 'vendor-repo'),
        'apps/prod/kustomization.yaml': kustomization('web.yaml'),
        'apps/prod/web.yaml': annotated('web', 'kv/web'),
        'apps/vendor/kustomization.yaml': kustomization('web.yaml'),
        'apps/vendor/web.yaml': annotated('vendor', 'kv/vendor'),
      }),
    );
    expect(r.roots).toEqual(['apps/prod']);
    expect(r.undeployed).toEqual(['apps/vendor']);
    expect(r.problems).toEqual([
      'clusters/prod/vendor.yaml: Flux Kustomization "vendor" reads GitRepository "vendor-repo", not this repository\'s "flux-system": its path "apps/vendor" is not followed',
    ]);
  });

  it('Argo CD: an app of apps reaches the apps its kustomization lists, as that kustomization builds them', () => {
    const r = scan(
      repo({
        'bootstrap/root.yaml': app('root', 'argocd/prod'),
        'argocd/prod/kustomization.yaml': [
          kustomization('web.yaml', 'api.yaml'),
          'patches:',
          '  - target: { kind: Application, name: api }',
          '    patch: |-',
          '      - { op: replace, path: /spec/source/path, value: apps/api/prod }',
          '',
        ].join('\n'),
        'argocd/prod/web.yaml': app('web', 'apps/web/prod'),
        // As written, the app names the dev overlay; the app-of-apps kustomization patches it to prod.
        'argocd/prod/api.yaml': app('api', 'apps/api/dev'),
        'apps/web/prod/kustomization.yaml': kustomization('web.yaml'),
        'apps/web/prod/web.yaml': annotated('web', 'kv/web'),
        'apps/api/prod/kustomization.yaml': kustomization('api.yaml'),
        'apps/api/prod/api.yaml': annotated('api', 'kv/api'),
        'apps/api/dev/kustomization.yaml': kustomization('api.yaml'),
        'apps/api/dev/api.yaml': annotated('api-dev', 'kv/api'),
      }),
    );
    expect(r.roots).toEqual(['apps/api/prod', 'apps/web/prod', 'argocd/prod']);
    expect(r.undeployed).toEqual(['apps/api/dev']);
    expect(r.workloads).toEqual(['apps/api/prod api', 'apps/web/prod web']);
  });

  it('Argo CD: an ApplicationSet over git directories, with an excluded folder and go-template paths', () => {
    const appSet = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: ApplicationSet',
      'metadata: { name: apps, namespace: argocd }',
      'spec:',
      '  goTemplate: true',
      '  generators:',
      '    - git:',
      '        repoURL: https://git.example.com/gitops.git',
      '        revision: HEAD',
      '        directories:',
      '          - path: apps/*/overlays/prod',
      '          - path: apps/legacy/overlays/prod',
      '            exclude: true',
      '  template:',
      '    metadata: { name: "{{.path.basename}}" }',
      '    spec:',
      '      source: { repoURL: https://git.example.com/gitops.git, path: "{{.path.path}}" }',
      '      destination: { server: https://kubernetes.default.svc }',
      '',
    ].join('\n');
    const files: Record<string, string> = { 'argocd/apps.yaml': appSet };
    for (const name of ['web', 'api', 'legacy']) {
      for (const env of ['dev', 'prod']) {
        files[`apps/${name}/overlays/${env}/kustomization.yaml`] = kustomization('app.yaml');
        files[`apps/${name}/overlays/${env}/app.yaml`] = annotated(`${name}-${env}`, `kv/${name}`);
      }
    }
    const r = scan(repo(files));
    expect(r.roots).toEqual(['apps/api/overlays/prod', 'apps/web/overlays/prod']);
    expect(r.undeployed).toEqual([
      'apps/api/overlays/dev',
      'apps/legacy/overlays/dev',
      'apps/legacy/overlays/prod',
      'apps/web/overlays/dev',
    ]);
    expect(r.workloads).toEqual(['apps/api/overlays/prod api-prod', 'apps/web/overlays/prod web-prod']);
  });

  it('Argo CD: an ApplicationSet generator that cannot be read from the repository is reported', () => {
    const appSet = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: ApplicationSet',
      'metadata: { name: per-cluster }',
      'spec:',
      '  generators: [{ clusters: { selector: { matchLabels: { env: prod } } } }]',
      '  template:',
      '    metadata: { name: "web-{{name}}" }',
      '    spec:',
      '      source: { repoURL: https://git.example.com/gitops.git, path: "apps/web/{{name}}" }',
      '      destination: { server: "{{server}}" }',
      '',
    ].join('\n');
    const r = scan(
      repo({
        'argocd/web.yaml': appSet,
        'apps/web/prod/kustomization.yaml': kustomization('app.yaml'),
        'apps/web/prod/app.yaml': annotated('web', 'kv/web'),
      }),
    );
    expect(r.roots).toEqual([]);
    expect(r.undeployed).toEqual(['apps/web/prod']);
    expect(r.problems).toEqual([
      'argocd/web.yaml: ApplicationSet "per-cluster": the "clusters" generator is not read (only git directories, list and matrix of those); the folders it deploys from there are not followed',
    ]);
  });

  it('a repository without deployment objects keeps the older rule', () => {
    const r = scan(
      repo({
        'apps/base/kustomization.yaml': kustomization('web.yaml'),
        'apps/base/web.yaml': annotated('web', 'kv/web'),
        'apps/prod/kustomization.yaml': kustomization('../base'),
        'loose/job.yaml': annotated('loose', 'kv/loose'),
      }),
    );
    expect(r.roots).toEqual(['apps/prod']);
    expect(r.undeployed).toEqual([]);
    expect(r.workloads).toEqual(['apps/prod web', '- loose']);
  });
});

describe('ApplicationSet expansion', () => {
  const dirs = ['', 'apps', 'apps/web', 'apps/api', 'apps/.hidden', 'envs', 'envs/dev', 'envs/prod'];

  it('list elements, fasttemplate and go-template forms', () => {
    const gens = [{ list: { elements: [{ cluster: 'dev' }, { cluster: 'prod', values: { app: 'api' } }] } }];
    expect(expandApplicationSet(['envs/{{cluster}}', 'apps/{{ .values.app }}'], gens, dirs)).toEqual({
      paths: ['envs/dev', 'envs/prod', 'apps/api'],
      unsupported: [
        'template path "apps/{{ .values.app }}" uses a parameter or function the generators do not give',
      ],
    });
  });

  it('a matrix of git directories and a list, with path segments', () => {
    const gens = [
      {
        matrix: {
          generators: [
            { git: { directories: [{ path: 'apps/*' }] } },
            { list: { elements: [{ env: 'dev' }, { env: 'prod' }] } },
          ],
        },
      },
    ];
    expect(expandApplicationSet(['{{path[1]}}/{{env}}', '{{index .path.segments 0}}'], gens, dirs)).toEqual({
      paths: ['web/dev', 'web/prod', 'api/dev', 'api/prod', 'apps'],
      unsupported: [],
    });
  });

  it('a merge generator is reported, a path without a template is taken as it is', () => {
    const out = expandApplicationSet(
      ['apps/web', 'apps/{{path.basename}}'],
      [{ merge: { generators: [] } }],
      dirs,
    );
    expect(out.paths).toEqual(['apps/web']);
    expect(out.unsupported).toEqual([
      'the "merge" generator is not read (only git directories, list and matrix of those)',
    ]);
  });
});

describe('environments over the deployment graph', () => {
  // A Flux layout: each cluster folder holds only Flux Kustomizations, over shared apps and platform.
  const files = repo({
    'clusters/dev-eu/apps.yaml': flux('apps', './apps/dev'),
    'clusters/prod-eu/apps.yaml': flux('apps', './apps/prod'),
    'clusters/prod-eu/platform.yaml': flux('platform', './platform/prod'),
    'apps/dev/kustomization.yaml': kustomization('web.yaml'),
    'apps/dev/web.yaml': annotated('web-dev', 'kv/web'),
    'apps/prod/kustomization.yaml': kustomization('web.yaml'),
    'apps/prod/web.yaml': annotated('web', 'kv/web'),
    'platform/prod/kustomization.yaml': kustomization('agent.yaml'),
    'platform/prod/agent.yaml': annotated('agent', 'kv/agent'),
  });
  const envOf = (config: string) =>
    discover(files, parseConfig(config, 'c.yaml')).workloads.map((w) => `${w.root} ${w.environment ?? '-'}`);

  it('entry: every root the cluster folder reaches', () => {
    expect(
      envOf(
        'environments:\n  - { name: dev, entry: clusters/dev-eu }\n  - { name: prod, entry: clusters/prod-eu }\n',
      ),
    ).toEqual(['apps/dev dev', 'apps/prod prod', 'platform/prod prod']);
  });

  it('paths: a root also matches through the file of the deployment object that reaches it', () => {
    expect(
      envOf(
        'environments:\n  - { name: dev, paths: ["clusters/dev-*/**"] }\n  - { name: prod, paths: ["clusters/prod-*/**"] }\n',
      ),
    ).toEqual(['apps/dev dev', 'apps/prod prod', 'platform/prod prod']);
  });

  it('transitively: an app of apps under the entry deploys roots whose own deployment objects live elsewhere', () => {
    const appOfApps = repo({
      'clusters/prod/root.yaml': app('root', 'argocd/prod'),
      'argocd/prod/kustomization.yaml': kustomization('web.yaml'),
      'argocd/prod/web.yaml': app('web', 'apps/web/prod'),
      'apps/web/prod/kustomization.yaml': kustomization('web.yaml'),
      'apps/web/prod/web.yaml': annotated('web', 'kv/web'),
    });
    const config = parseConfig('environments:\n  - { name: prod, entry: clusters/prod }\n', 'c.yaml');
    expect(discover(appOfApps, config).workloads.map((w) => `${w.root} ${w.environment}`)).toEqual([
      'apps/web/prod prod',
    ]);
  });
});
