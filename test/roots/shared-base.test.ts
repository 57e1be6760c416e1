/**
 * Render roots end to end through the pure core (discover → plan → edit) on a small kustomize repository:
 * a Deployment in `apps/web` that two overlays (`clusters/dev/web`, `clusters/prod/web`) build, each with its
 * own ExternalSecret and namespace. The real kustomize renders each root before and after every round: the
 * render may differ only by the record, the trigger and the pins the round reported, and only in the roots
 * whose secrets moved. Fixture: test/fixtures/kustomize/shared-base.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultConfig, parseConfig, type Config } from '../../src/core/config/schema.js';
import { discover } from '../../src/core/discover/discover.js';
import { objectKey } from '../../src/core/discover/roots.js';
import type { FileChange, PlannedWorkload, RepoFile, SecretStatus } from '../../src/core/model.js';
import { buildChanges } from '../../src/core/plan/changes.js';
import { listPatchInKustomization, renderRootPatch } from '../../src/core/plan/root-patch.js';
import { planWorkloads } from '../../src/core/plan/plan.js';
import { readTree } from '../discover/helpers.js';
import {
  describeIfKubectl,
  diffRenders,
  isAnnotation,
  renderRoot,
  unexpectedChanges,
} from '../support/kustomize.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/kustomize/shared-base/', import.meta.url));
const KEY = 'vault-rollout/secret-versions';
const ROOTS = ['clusters/dev/web', 'clusters/prod/web'];

/** One plan → edit round: every secret at its version in `versions` (by path). */
function round(files: RepoFile[], versions: Record<string, number>, config: Config = defaultConfig()) {
  const found = discover(files, config);
  const planned: PlannedWorkload[] = [];
  for (const w of found.workloads) {
    const statuses = new Map<string, SecretStatus>(
      w.secrets.map((s) => [
        s.path,
        { state: 'ok', path: s.path, current: versions[s.path] ?? 1, updatedTime: null },
      ]),
    );
    planned.push(...planWorkloads([w], statuses));
  }
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const edited = buildChanges(
    planned,
    texts,
    'vault-rollout',
    found.fileData,
    (patchFile, object) => found.rootObjects.get(patchFile)?.has(objectKey(object)) ?? false,
    found.roots.flatMap((r) => (r.kustomization ? [{ dir: r.dir, kustomization: r.kustomization }] : [])),
  );
  return { found, planned, ...edited };
}

function applyChanges(files: RepoFile[], changes: readonly FileChange[]): RepoFile[] {
  const byPath = new Map(files.map((f) => [f.path, f.text]));
  for (const c of changes) byPath.set(c.path, c.after);
  return [...byPath].map(([path, text]) => ({ path, text }));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vr-roots-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function renders(files: RepoFile[]): Promise<Map<string, string>> {
  await rm(join(dir, 'repo'), { recursive: true, force: true });
  await cp(FIXTURE, join(dir, 'repo'), { recursive: true });
  for (const f of files) {
    await mkdir(dirname(join(dir, 'repo', f.path)), { recursive: true });
    await writeFile(join(dir, 'repo', f.path), f.text);
  }
  const out = new Map<string, string>();
  for (const root of ROOTS) out.set(root, await renderRoot(join(dir, 'repo', root)));
  return out;
}

it('finds the shared Deployment once per root, with the root, its namespace and the root patch', () => {
  const { found } = round(readTree(FIXTURE), {});
  expect(
    found.workloads.map((w) => [
      w.root,
      w.namespace,
      w.name,
      w.rootPatch?.file,
      w.secrets.map((s) => s.path),
    ]),
  ).toEqual([
    ['clusters/dev/web', 'web-dev', 'web', 'clusters/dev/web/vault-rollout/patches.yaml', ['kv/dev/web/db']],
    [
      'clusters/prod/web',
      'web-prod',
      'web',
      'clusters/prod/web/vault-rollout/patches.yaml',
      ['kv/prod/web/db'],
    ],
  ]);
  expect(found.problems).toEqual([]);
});

it('a flat repository is unchanged: no root, edits in place', () => {
  const files = readTree(FIXTURE).filter((f) => !f.path.endsWith('kustomization.yaml'));
  const { found } = round(files, {});
  expect(found.roots).toEqual([]);
  expect(found.workloads.every((w) => w.root === undefined && w.rootPatch === undefined)).toBe(true);
});

it('assigns each root to its environment, and --environment keeps to it', () => {
  const config = parseConfig(
    [
      'environments:',
      '  - name: dev',
      '    paths: ["clusters/dev/**"]',
      '  - name: prod',
      '    paths: ["clusters/prod/**"]',
      '',
    ].join('\n'),
    'vault-rollout.yaml',
  );
  const { found } = round(readTree(FIXTURE), {}, config);
  expect(found.workloads.map((w) => [w.root, w.environment])).toEqual([
    ['clusters/dev/web', 'dev'],
    ['clusters/prod/web', 'prod'],
  ]);
});

it('refuses two environments whose globs match one root, naming both and their globs', () => {
  const config = parseConfig(
    [
      'environments:',
      '  - name: all',
      '    paths: ["clusters/**"]',
      '  - name: prod',
      '    paths: ["apps/**", "clusters/prod/**"]',
      '',
    ].join('\n'),
    'vault-rollout.yaml',
  );
  expect(() => discover(readTree(FIXTURE), config)).toThrow(
    'environments "all" (paths "clusters/**") and "prod" (paths "clusters/prod/**") both match the render root "clusters/prod/web": a root belongs to one environment, make the globs disjoint',
  );
});

describeIfKubectl('shared base: adoption, rotation per root, no-op (kustomize as the oracle)', () => {
  let files = readTree(FIXTURE);
  let before: Map<string, string>;

  it('adoption writes only the record, into each root own layer, listed once in that root', async () => {
    before = await renders(files);
    const r = round(files, { 'kv/dev/web/db': 3, 'kv/prod/web/db': 5 });
    expect(r.planned.map((p) => p.action)).toEqual(['record', 'record']);
    expect(r.changes.map((c) => c.path)).toEqual([
      'clusters/dev/web/kustomization.yaml',
      'clusters/dev/web/vault-rollout/kustomization.yaml',
      'clusters/dev/web/vault-rollout/patches.yaml',
      'clusters/prod/web/kustomization.yaml',
      'clusters/prod/web/vault-rollout/kustomization.yaml',
      'clusters/prod/web/vault-rollout/patches.yaml',
    ]);
    // The base is not touched; the kustomization gains exactly one entry.
    const k = r.changes.find((c) => c.path === 'clusters/dev/web/kustomization.yaml')!;
    expect(k.after).toBe(`${k.before}components:\n- vault-rollout\n`);
    files = applyChanges(files, r.changes);
    const after = await renders(files);
    for (const root of ROOTS) {
      const diff = diffRenders(before.get(root)!, after.get(root)!);
      expect(
        unexpectedChanges(
          diff,
          (key, c) => key.startsWith('Deployment/') && isAnnotation(c, KEY) && c.segments[0] === 'metadata',
        ),
      ).toEqual([]);
      expect([...diff.keys()]).toEqual([`Deployment/web-${root.split('/')[1]}/web`]);
    }
    before = after;
  });

  it('a dev rotation restarts dev only and pins the overlay ExternalSecret in place; prod renders the same', async () => {
    const r = round(files, { 'kv/dev/web/db': 4, 'kv/prod/web/db': 5 });
    expect(r.planned.map((p) => [p.workload.root, p.action])).toEqual([
      ['clusters/dev/web', 'restart'],
      ['clusters/prod/web', 'none'],
    ]);
    expect(r.changes.map((c) => c.path)).toEqual([
      'clusters/dev/web/external-secret.yaml',
      'clusters/dev/web/vault-rollout/patches.yaml',
    ]);
    files = applyChanges(files, r.changes);
    const after = await renders(files);
    expect(after.get('clusters/prod/web')).toBe(before.get('clusters/prod/web'));
    const diff = diffRenders(before.get('clusters/dev/web')!, after.get('clusters/dev/web')!);
    expect(
      unexpectedChanges(
        diff,
        (key, c) =>
          (key === 'Deployment/web-dev/web' && isAnnotation(c, KEY)) ||
          (key === 'ExternalSecret/web-dev/web-db' &&
            c.path === 'spec.data[0].remoteRef.version' &&
            c.new === '4'),
      ),
    ).toEqual([]);
    expect(diff.get('Deployment/web-dev/web')?.map((c) => [c.path, c.new])).toEqual([
      [`metadata.annotations["${KEY}"]`, 'kv/dev/web/db@4'],
      [`spec.template.metadata.annotations["${KEY}"]`, 'kv/dev/web/db@4'],
    ]);
    before = after;
  });

  it('a third run changes nothing', () => {
    const r = round(files, { 'kv/dev/web/db': 4, 'kv/prod/web/db': 5 });
    expect(r.changes).toEqual([]);
    expect(r.planned.map((p) => p.action)).toEqual(['none', 'none']);
  });

  it('the own layer is generated whole: sorted, stable, marked as generated', () => {
    const component = files.find((f) => f.path === 'clusters/dev/web/vault-rollout/kustomization.yaml')!;
    expect(component.text).toMatchInlineSnapshot(`
      "# Generated by vault-rollout: do not edit. Rewritten whole on every run that changes it.
      # This render root's own layer, listed once in its kustomization's \`components\`: its records, restart
      # triggers and version pins for objects it must not edit in place. JSON 6902 patches set the pins that
      # sit inside lists (a strategic merge would replace the whole list).
      apiVersion: kustomize.config.k8s.io/v1alpha1
      kind: Component
      patches:
      - path: patches.yaml
      "
    `);
    const text = files.find((f) => f.path === 'clusters/dev/web/vault-rollout/patches.yaml')!.text;
    expect(text).toMatchInlineSnapshot(`
      "# Generated by vault-rollout: do not edit. Rewritten whole on every run that changes it.
      # Strategic-merge patches of this render root: the record and restart trigger of each workload it
      # builds from a file outside its folder or shared with other roots, and whole-field version pins.
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        annotations:
          vault-rollout/secret-versions: kv/dev/web/db@4
      spec:
        template:
          metadata:
            annotations:
              vault-rollout/secret-versions: kv/dev/web/db@4
      "
    `);
  });
});

describeIfKubectl('a repository that carries the older vault-rollout.patch.yaml', () => {
  it('moves its entries into each root own layer, unlists it byte for byte, and every render stays the same', async () => {
    // What an earlier version wrote after adopting dev at 3 and prod at 5.
    let files = readTree(FIXTURE);
    for (const [root, value] of [
      ['clusters/dev/web', 'kv/dev/web/db@3'],
      ['clusters/prod/web', 'kv/prod/web/db@5'],
    ] as const) {
      const web = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: null };
      const patch = renderRootPatch(
        undefined,
        [{ object: web, path: ['metadata', 'annotations', KEY], value }],
        () => true,
      );
      const k = files.find((f) => f.path === `${root}/kustomization.yaml`)!;
      const listed = listPatchInKustomization(k.text, 'vault-rollout.patch.yaml');
      if (!patch.ok || !listed.ok) throw new Error('fixture');
      files = applyChanges(files, [
        { path: `${root}/vault-rollout.patch.yaml`, before: '', after: patch.text },
        { path: k.path, before: k.text, after: listed.text },
      ]);
    }
    const original = readTree(FIXTURE);
    const before = await renders(files);
    const r = round(files, { 'kv/dev/web/db': 3, 'kv/prod/web/db': 5 });
    expect(r.planned.map((p) => p.action)).toEqual(['none', 'none']);
    // The file itself stays (a change set deletes nothing), unlisted: the report says so, once per root.
    expect(r.problems.map((p) => [p.file, p.severity, p.message])).toEqual(
      ROOTS.map((root) => [
        `${root}/vault-rollout.patch.yaml`,
        'warning',
        `no longer listed in ${root}/kustomization.yaml: its entries moved into ${root}/vault-rollout/, the root's own layer (render unchanged); nothing reads this file any more, delete it`,
      ]),
    );
    files = applyChanges(files, r.changes);
    for (const root of ROOTS) {
      // the older entry is gone, the component listed: the person's lines are as they were
      const k = files.find((f) => f.path === `${root}/kustomization.yaml`)!.text;
      const was = original.find((f) => f.path === `${root}/kustomization.yaml`)!.text;
      expect(k).toBe(`${was}components:\n- vault-rollout\n`);
      expect(files.find((f) => f.path === `${root}/vault-rollout/patches.yaml`)!.text).toContain(
        `${KEY}: kv/`,
      );
    }
    const after = await renders(files);
    for (const root of ROOTS) expect(after.get(root), root).toBe(before.get(root));
    // moved once: the next run changes nothing and says nothing more about it
    const again = round(files, { 'kv/dev/web/db': 3, 'kv/prod/web/db': 5 });
    expect(again.changes).toEqual([]);
    expect(again.problems).toEqual([]);
  });
});

describeIfKubectl('a record an earlier version wrote in place into the shared base', () => {
  it("moves into each root's own layer and leaves the base; every render stays the same", async () => {
    const original = readTree(FIXTURE);
    // The base as an earlier version left it: record and trigger of dev's rotation, in place.
    const base = original.find((f) => f.path === 'apps/web/deployment.yaml')!;
    const inPlace = base.text
      .replace(
        'metadata:\n  name: web\n',
        `metadata:\n  name: web\n  annotations:\n    ${KEY}: kv/dev/web/db@4\n`,
      )
      .replace(
        '      labels: {app: web}\n',
        `      labels: {app: web}\n      annotations:\n        ${KEY}: kv/dev/web/db@4\n`,
      );
    let files = applyChanges(original, [{ path: base.path, before: base.text, after: inPlace }]);
    const before = await renders(files);
    // dev's secret is at 4 (its record holds); prod inherited dev's record, which names no secret of its own
    const r = round(files, { 'kv/dev/web/db': 4, 'kv/prod/web/db': 5 });
    expect(r.problems).toEqual([]);
    expect(r.planned.map((p) => [p.workload.root, p.action])).toEqual([
      ['clusters/dev/web', 'none'],
      ['clusters/prod/web', 'record'],
    ]);
    // the base is back to what the person wrote, byte for byte
    expect(r.changes.find((c) => c.path === base.path)?.after).toBe(base.text);
    files = applyChanges(files, r.changes);
    const after = await renders(files);
    // dev renders exactly as before; prod only by its own record (the inherited trigger stays, in its layer)
    expect(after.get('clusters/dev/web')).toBe(before.get('clusters/dev/web'));
    const diff = diffRenders(before.get('clusters/prod/web')!, after.get('clusters/prod/web')!);
    expect(
      unexpectedChanges(
        diff,
        (key, c) =>
          key === 'Deployment/web-prod/web' &&
          c.path === `metadata.annotations["${KEY}"]` &&
          c.new === 'kv/prod/web/db@5',
      ),
    ).toEqual([]);
    // moved once: nothing more to do
    expect(round(files, { 'kv/dev/web/db': 4, 'kv/prod/web/db': 5 }).changes).toEqual([]);
  });
});
