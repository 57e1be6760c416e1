/**
 * A render root's own layer (own-layer.ts) over several rounds, through the pure core (discover → plan →
 * edit), with the real kustomize as the oracle.
 *
 * Removing an app from a root removes its entries: a root `clusters/prod`
 * builds two apps from outside its folder, so their records, triggers and ExternalSecret pins live in its
 * layer. When a person drops one app from the root's `resources`, the next run drops that app's
 * strategic-merge entry and its JSON 6902 pin (each named in a warning), keeps the other app's, and the
 * root builds again, as kustomize refuses a patch whose object is gone.
 *
 * A base the root builds twice (two layers with their own `nameSuffix`): each copy of its ExternalSecret is
 * pinned by the name that copy has where the layer applies, so both carry the new version in the render.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultConfig } from '../../src/core/config/schema.js';
import { discover } from '../../src/core/discover/discover.js';
import { objectKey } from '../../src/core/discover/roots.js';
import type { FileChange, PlannedWorkload, RepoFile, SecretStatus } from '../../src/core/model.js';
import { buildChanges } from '../../src/core/plan/changes.js';
import { planWorkloads } from '../../src/core/plan/plan.js';
import { describeIfKubectl, renderObjects, renderRoot } from '../support/kustomize.js';

const KEY = 'vault-rollout/secret-versions';
const ROOT = 'clusters/prod';
const LAYER = `${ROOT}/vault-rollout`;

const app = (name: string) => ({
  [`apps/${name}/kustomization.yaml`]: 'resources:\n  - deployment.yaml\n  - external-secret.yaml\n',
  [`apps/${name}/deployment.yaml`]: [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  selector:',
    `    matchLabels: {app: ${name}}`,
    '  template:',
    '    metadata:',
    `      labels: {app: ${name}}`,
    '    spec:',
    '      containers:',
    '        - name: app',
    `          image: example/${name}:1`,
    '          envFrom:',
    '            - secretRef:',
    `                name: ${name}-db`,
    '',
  ].join('\n'),
  [`apps/${name}/external-secret.yaml`]: [
    'apiVersion: external-secrets.io/v1beta1',
    'kind: ExternalSecret',
    'metadata:',
    `  name: ${name}-db`,
    'spec:',
    '  secretStoreRef: {kind: ClusterSecretStore, name: vault}',
    `  target: {name: ${name}-db}`,
    '  data:',
    '    - secretKey: URL',
    '      remoteRef:',
    `        key: ${name}/db`,
    '        property: url',
    '',
  ].join('\n'),
});

const START: Record<string, string> = {
  // What Flux deploys is the root: an app dropped from it is not a root of its own.
  'flux/prod.yaml': [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    'metadata: {name: prod, namespace: flux-system}',
    'spec: {path: ./clusters/prod, prune: true, sourceRef: {kind: GitRepository, name: fleet}}',
    '',
  ].join('\n'),
  'platform/kustomization.yaml': 'resources:\n  - store.yaml\n',
  'platform/store.yaml': [
    'apiVersion: external-secrets.io/v1beta1',
    'kind: ClusterSecretStore',
    'metadata:',
    '  name: vault',
    'spec:',
    '  provider:',
    '    vault: {server: "https://vault.example.com", path: kv, version: v2}',
    '',
  ].join('\n'),
  ...app('web'),
  ...app('api'),
  [`${ROOT}/kustomization.yaml`]: [
    'namespace: shop',
    'resources:',
    '  - ../../platform',
    '  - ../../apps/web',
    '  - ../../apps/api',
    '',
  ].join('\n'),
};

/** One plan → edit round with every secret at its version in `versions`. */
function round(files: Map<string, string>, versions: Record<string, number>) {
  const repo: RepoFile[] = [...files].map(([path, text]) => ({ path, text }));
  const found = discover(repo, defaultConfig());
  const planned: PlannedWorkload[] = found.workloads.flatMap((w) =>
    planWorkloads(
      [w],
      new Map<string, SecretStatus>(
        w.secrets.map((s) => [
          s.path,
          { state: 'ok', path: s.path, current: versions[s.path] ?? 1, updatedTime: null },
        ]),
      ),
    ),
  );
  const edited = buildChanges(
    planned,
    files,
    'vault-rollout',
    found.fileData,
    (patchFile, object) => found.rootObjects.get(patchFile)?.has(objectKey(object)) ?? false,
    found.roots.flatMap((r) => (r.kustomization ? [{ dir: r.dir, kustomization: r.kustomization }] : [])),
  );
  return { planned, ...edited };
}

const apply = (files: Map<string, string>, changes: readonly FileChange[]) => {
  for (const c of changes) files.set(c.path, c.after);
};

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vr-layer-removal-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

let rendered = 0;
/** `kubectl kustomize` of the root, on the files as they stand. */
async function render(files: Map<string, string>, root = ROOT): Promise<string> {
  const repo = join(dir, `repo-${rendered++}`);
  for (const [path, text] of files) {
    await mkdir(dirname(join(repo, path)), { recursive: true });
    await writeFile(join(repo, path), text);
  }
  return renderRoot(join(repo, root));
}

describeIfKubectl('an app removed from a root', () => {
  it("loses its record, trigger and pin in the root's own layer; the other app keeps its own", async () => {
    const files = new Map(Object.entries(START));
    const adopted = round(files, { 'kv/web/db': 3, 'kv/api/db': 5 });
    expect(adopted.planned.map((p) => [p.workload.name, p.action])).toEqual([
      ['api', 'record'],
      ['web', 'record'],
    ]);
    apply(files, adopted.changes);
    const rotated = round(files, { 'kv/web/db': 4, 'kv/api/db': 6 });
    expect(rotated.planned.map((p) => [p.workload.name, p.action])).toEqual([
      ['api', 'restart'],
      ['web', 'restart'],
    ]);
    apply(files, rotated.changes);
    const layer = files.get(`${LAYER}/kustomization.yaml`)!;
    expect(layer).toContain('    name: api-db\n');
    expect(files.get(`${LAYER}/patches.yaml`)).toContain('  name: api\n');
    const before = renderObjects(await render(files));
    expect(
      (before.get('ExternalSecret/shop/api-db') as { spec: { data: { remoteRef: { version?: string } }[] } })
        .spec.data[0]!.remoteRef.version,
    ).toBe('6');

    // A person drops the api from the root: the layer now names objects kustomize no longer builds.
    files.set(
      `${ROOT}/kustomization.yaml`,
      files.get(`${ROOT}/kustomization.yaml`)!.replace('  - ../../apps/api\n', ''),
    );
    await expect(render(files)).rejects.toThrow();

    const removed = round(files, { 'kv/web/db': 4, 'kv/api/db': 6 });
    expect(removed.planned.map((p) => [p.workload.name, p.action])).toEqual([['web', 'none']]);
    expect(removed.changes.map((c) => c.path)).toEqual([
      `${LAYER}/kustomization.yaml`,
      `${LAYER}/patches.yaml`,
    ]);
    expect(removed.problems.map((p) => [p.file, p.severity, p.message])).toEqual([
      [
        `${LAYER}/kustomization.yaml`,
        'warning',
        `dropped the version pin of ExternalSecret/api-db: render root "${ROOT}" no longer builds it, and kustomize refuses a patch without its target`,
      ],
      [
        `${LAYER}/patches.yaml`,
        'warning',
        `dropped the entry for Deployment/api: render root "${ROOT}" no longer builds it, and kustomize refuses a patch without its target`,
      ],
    ]);
    apply(files, removed.changes);
    expect(files.get(`${LAYER}/kustomization.yaml`)).not.toMatch(/name: api/);
    expect(files.get(`${LAYER}/patches.yaml`)).not.toMatch(/name: api/);

    // The root builds again; the web keeps its record, trigger and pin exactly as before.
    const after = renderObjects(await render(files));
    expect([...after.keys()].filter((k) => k.includes('api'))).toEqual([]);
    for (const key of ['Deployment/shop/web', 'ExternalSecret/shop/web-db'])
      expect(after.get(key), key).toEqual(before.get(key));
    const web = after.get('Deployment/shop/web') as {
      metadata: { annotations: Record<string, string> };
      spec: { template: { metadata: { annotations: Record<string, string> } } };
    };
    expect(web.metadata.annotations[KEY]).toBe('kv/web/db@4');
    expect(web.spec.template.metadata.annotations[KEY]).toBe('kv/web/db@4');

    // Dropped once: the next run changes nothing.
    expect(round(files, { 'kv/web/db': 4, 'kv/api/db': 6 }).changes).toEqual([]);
  });
});

describeIfKubectl('an ExternalSecret in a base the root builds twice', () => {
  it('each copy is pinned in the layer by its own name, and renders with the new version', async () => {
    const files = new Map(
      Object.entries({
        'flux/prod.yaml': START['flux/prod.yaml']!.replace('./clusters/prod', './both'),
        ...Object.fromEntries(Object.entries(START).filter(([p]) => p.startsWith('platform/'))),
        ...app('web'),
        'blue/kustomization.yaml': 'nameSuffix: -blue\nresources: [../apps/web]\n',
        'green/kustomization.yaml': 'nameSuffix: -green\nresources: [../apps/web]\n',
        'both/kustomization.yaml': 'namespace: shop\nresources: [../platform, ../blue, ../green]\n',
      }),
    );
    apply(files, round(files, { 'kv/web/db': 3 }).changes);
    const rotated = round(files, { 'kv/web/db': 4 });
    expect(rotated.planned.map((p) => [p.workload.name, p.action])).toEqual([
      ['web-blue', 'restart'],
      ['web-green', 'restart'],
    ]);
    expect(rotated.planned.flatMap((p) => p.workload.secrets.flatMap((s) => s.unpinned ?? []))).toEqual([]);
    apply(files, rotated.changes);
    const layer = files.get('both/vault-rollout/kustomization.yaml')!;
    expect(layer).toContain('    name: web-db-blue\n');
    expect(layer).toContain('    name: web-db-green\n');
    const built = renderObjects(await render(files, 'both'));
    for (const copy of ['blue', 'green']) {
      const es = built.get(`ExternalSecret/shop/web-db-${copy}`) as {
        spec: { data: { remoteRef: { version?: string } }[] };
      };
      expect(es.spec.data[0]!.remoteRef.version, copy).toBe('4');
      const web = built.get(`Deployment/shop/web-${copy}`) as {
        spec: { template: { metadata: { annotations: Record<string, string> } } };
      };
      expect(web.spec.template.metadata.annotations[KEY], copy).toBe('kv/web/db@4');
    }
    // the base is as written
    expect(files.get('apps/web/external-secret.yaml')).toBe(app('web')['apps/web/external-secret.yaml']);
    expect(round(files, { 'kv/web/db': 4 }).changes).toEqual([]);
  });
});
