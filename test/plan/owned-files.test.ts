/**
 * Files vault-rollout generates are used only when they are exactly what it writes (owned-files.ts): its
 * own entries, with only the fields and types it writes, byte for byte. Anything else skips the root.
 */
import { describe, expect, it } from 'vitest';
import { checkRootPatch, skipRoots, unusableOwnedFiles } from '../../src/core/plan/owned-files.js';
import { renderRootPatch } from '../../src/core/plan/root-patch.js';
import type { PlannedWorkload, Workload } from '../../src/core/model.js';

const KEY = 'vault-rollout/secret-versions';
const web = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'prod' };
const vss = {
  apiVersion: 'secrets.hashicorp.com/v1beta1',
  kind: 'VaultStaticSecret',
  name: 'db',
  namespace: null,
};
const avp = { apiVersion: 'v1', kind: 'Secret', name: 'avp', namespace: null };

/** What vault-rollout writes for a restart of web pinned in a VaultStaticSecret and an AVP Secret. */
function written(): string {
  const r = renderRootPatch(
    undefined,
    [
      { object: web, path: ['metadata', 'annotations', KEY], value: 'kv/app/db@3' },
      { object: web, path: ['spec', 'template', 'metadata', 'annotations', KEY], value: 'kv/app/db@3' },
      { object: vss, path: ['spec', 'version'], value: 3 },
      { object: avp, path: ['metadata', 'annotations', 'avp.kubernetes.io/secret-version'], value: '3' },
    ],
    () => true,
  );
  if (!r.ok) throw new Error(r.message);
  return r.text;
}

describe('checkRootPatch', () => {
  it('accepts exactly what vault-rollout writes, and lists its objects', () => {
    const check = checkRootPatch(written(), 'vault-rollout');
    expect(check).toEqual({ ok: true, entries: [web, vss, avp].sort((a, b) => (a.kind < b.kind ? -1 : 1)) });
  });

  const edits: [string, (t: string) => string, RegExp][] = [
    [
      'an image override in a restart patch',
      (t) =>
        t.replace(
          '  template:\n',
          '  template:\n    spec:\n      containers: [{ name: app, image: evil }]\n',
        ),
      /^it sets spec\.template\.spec\.containers, which vault-rollout never writes$/,
    ],
    [
      'nodeSelector: null',
      (t) => t.replace('  template:\n', '  template:\n    spec:\n      nodeSelector: null\n'),
      /spec\.template\.spec\.nodeSelector/,
    ],
    [
      'a quoted date as an annotation',
      (t) => t.replace('  annotations:\n', '  annotations:\n    at: "2024-01-01"\n'),
      /sets metadata\.annotations\.at, which vault-rollout never writes/,
    ],
    [
      'a record that is a number',
      (t) => t.replace(/(\n {4}vault-rollout\/secret-versions: )kv\/app\/db@3/, '$112'),
      /is 12, not a record/,
    ],
    [
      'a version as a string where it writes a number',
      (t) => t.replace('version: 3', 'version: "3"'),
      /spec\.version is "3", not a version number/,
    ],
    [
      'a pin on a kind it never pins',
      (t) => t.replace('kind: VaultStaticSecret', 'kind: HelmRelease'),
      /spec\.version, which vault-rollout never writes/,
    ],
    ['a comment', (t) => `${t}# keep me\n`, /not what vault-rollout writes/],
    ['re-quoting', (t) => t.replace('name: web', 'name: "web"'), /not what vault-rollout writes/],
    ['an entry repeated', (t) => `${t}---\n${t.split('---\n')[1]}`, /not what vault-rollout writes/],
    [
      'an empty map',
      (t) => t.replace('kind: Secret\nmetadata:\n', 'kind: Secret\nspec: {}\nmetadata:\n'),
      /spec is an empty map/,
    ],
    ['a list document', (t) => `${t}---\n- a\n`, /not a patch of one object/],
    ['not YAML', (t) => `${t}a: [\n`, /^it is not valid YAML/],
    ['empty', () => '', /not what vault-rollout writes/],
  ];
  for (const [what, edit, reason] of edits) {
    it(`refuses ${what}`, () => {
      const text = edit(written());
      expect(text).not.toBe(written());
      const check = checkRootPatch(text, 'vault-rollout');
      expect(check.ok).toBe(false);
      if (!check.ok) {
        expect(check.reason).toMatch(reason);
        expect(check.reason).not.toContain('\n');
      }
    });
  }
});

describe('unusableOwnedFiles and skipRoots', () => {
  const planned = (root: string | null, action: PlannedWorkload['action']): PlannedWorkload => ({
    workload: { name: `w-${root}-${action}`, root, kind: 'Deployment', file: 'x.yaml' } as Workload,
    secrets: [],
    action,
    pins: [],
    reasons: [],
    warnings: [],
    newValue: action === 'restart' ? 'kv/a@2' : null,
  });

  it('skips every workload of the root, keeps blocked ones blocked, leaves other roots alone', () => {
    const unusable = unusableOwnedFiles(
      [
        { file: 'prod/vault-rollout.patch.yaml', text: written().replace('version: 3', 'version: 4 # hand') },
        { file: 'dev/vault-rollout.patch.yaml', text: written() },
        {
          file: 'big/vault-rollout.patch.yaml',
          text: undefined,
          unreadable: 'it cannot be read whole (larger than 5 MiB)',
        },
      ],
      'vault-rollout',
    );
    expect(unusable.map((u) => u.file)).toEqual([
      'prod/vault-rollout.patch.yaml',
      'big/vault-rollout.patch.yaml',
    ]);
    const ws = [
      planned('prod', 'restart'),
      planned('prod', 'blocked'),
      planned('dev', 'restart'),
      planned('big', 'record'),
      planned(null, 'record'),
    ];
    const problems = skipRoots(ws, unusable);
    expect(ws.map((w) => w.action)).toEqual(['skipped', 'blocked', 'restart', 'skipped', 'record']);
    expect(ws[0]!.newValue).toBeNull();
    expect(ws[0]!.reasons[0]).toMatch(
      /^prod\/vault-rollout\.patch\.yaml, a file vault-rollout generates, is left as it is: .*; the workloads of render root "prod" are skipped until it is restored or removed$/,
    );
    expect(ws[1]!.reasons).toHaveLength(1);
    expect(problems.map((p) => [p.file, p.severity])).toEqual([
      ['prod/vault-rollout.patch.yaml', 'warning'],
      ['big/vault-rollout.patch.yaml', 'warning'],
    ]);
    expect(problems[1]!.message).toContain('it cannot be read whole (larger than 5 MiB)');
  });
});

describe('WorkingTreeSource.entryKinds', () => {
  it('tells a file, a symlink, a folder and nothing apart without following the link', async () => {
    const { mkdtemp, mkdir, rm, symlink, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { WorkingTreeSource } = await import('../../src/adapters/fs/working-tree.js');
    const dir = await mkdtemp(join(tmpdir(), 'vr-owned-kinds-'));
    try {
      await writeFile(join(dir, 'file.yaml'), 'a: 1\n');
      await symlink('file.yaml', join(dir, 'link.yaml'));
      await mkdir(join(dir, 'dir.yaml'));
      const kinds = await new WorkingTreeSource(dir).entryKinds([
        'file.yaml',
        'link.yaml',
        'dir.yaml',
        'none.yaml',
      ]);
      expect(Object.fromEntries(kinds)).toEqual({
        'file.yaml': 'file',
        'link.yaml': 'symlink',
        'dir.yaml': 'directory',
        'none.yaml': 'missing',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
