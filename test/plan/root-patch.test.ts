/**
 * The tool-owned root patch file and the one edit made to a person's kustomization (root-patch.ts), by
 * exact bytes.
 */
import { describe, expect, it } from 'vitest';
import {
  listPatchInKustomization,
  renderRootPatch,
  unlistPatchInKustomization,
} from '../../src/core/plan/root-patch.js';

const FILE = 'vault-rollout.patch.yaml';
const web = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: null };
const KEY = 'vault-rollout/secret-versions';

describe('listPatchInKustomization', () => {
  const cases: [string, string, string][] = [
    [
      'no patches key',
      'resources:\n  - ../base\n',
      'resources:\n  - ../base\npatches:\n- path: vault-rollout.patch.yaml\n',
    ],
    [
      'no final newline',
      'resources: [../base]',
      'resources: [../base]\npatches:\n- path: vault-rollout.patch.yaml\n',
    ],
    [
      'CRLF',
      'namespace: a\r\nresources:\r\n- ../base\r\n',
      'namespace: a\r\nresources:\r\n- ../base\r\npatches:\r\n- path: vault-rollout.patch.yaml\r\n',
    ],
    [
      'a block list, indented, with a multi-line item and a comment after it',
      'patches:\n  - path: a.yaml\n    target:\n      kind: Deployment\n# tail comment\nnamespace: x\n',
      'patches:\n  - path: a.yaml\n    target:\n      kind: Deployment\n  - path: vault-rollout.patch.yaml\n# tail comment\nnamespace: x\n',
    ],
    [
      'a flow list',
      'patches: [{path: a.yaml}]\n',
      'patches: [{path: a.yaml}, {path: vault-rollout.patch.yaml}]\n',
    ],
    [
      'an empty flow list',
      'patches: []\nnamespace: x\n',
      'patches: [{path: vault-rollout.patch.yaml}]\nnamespace: x\n',
    ],
    [
      'an empty value',
      'patches:\nnamespace: x\n',
      'patches:\n- path: vault-rollout.patch.yaml\nnamespace: x\n',
    ],
    [
      'an empty value with a comment after it, kept byte for byte',
      'patches:   # strategic merge only\nnamespace: x\n',
      'patches:   # strategic merge only\n- path: vault-rollout.patch.yaml\nnamespace: x\n',
    ],
    [
      'an explicit null with a comment: the null goes, the comment stays',
      'patches: ~ # none yet\r\nnamespace: x\r\n',
      'patches: # none yet\r\n- path: vault-rollout.patch.yaml\r\nnamespace: x\r\n',
    ],
    [
      'an empty value with a comment, at the end of the file',
      'resources: [../base]\npatches: # later',
      'resources: [../base]\npatches: # later\n- path: vault-rollout.patch.yaml\n',
    ],
  ];
  for (const [what, before, after] of cases) {
    it(`lists the file once: ${what}`, () => {
      const r = listPatchInKustomization(before, FILE);
      expect(r).toEqual({ ok: true, text: after });
      // Listed already: nothing changes.
      expect(listPatchInKustomization(after, FILE)).toEqual({ ok: true, text: after });
    });
  }

  it('counts ./vault-rollout.patch.yaml as listed, but not an entry with a target', () => {
    const listed = 'patches:\n  - path: ./vault-rollout.patch.yaml\n';
    expect(listPatchInKustomization(listed, FILE)).toEqual({ ok: true, text: listed });
    const targeted = 'patches:\n  - path: vault-rollout.patch.yaml\n    target: { kind: Deployment }\n';
    const r = listPatchInKustomization(targeted, FILE);
    expect(r.ok && r.text).toBe(`${targeted}  - path: vault-rollout.patch.yaml\n`);
  });

  it('does not list the file again when patchesStrategicMerge lists it already', () => {
    for (const text of [
      'resources: [../base]\npatchesStrategicMerge:\n  - vault-rollout.patch.yaml\n',
      'resources: [../base]\npatchesStrategicMerge: [./vault-rollout.patch.yaml]\npatches:\n  - path: a.yaml\n',
      'patchesStrategicMerge:\n- ./vault-rollout.patch.yaml\n# a comment the slow path reads\npatches: # x\n',
    ])
      expect(listPatchInKustomization(text, FILE)).toEqual({ ok: true, text });
  });

  it('refuses what it cannot extend safely, naming why', () => {
    expect(listPatchInKustomization('patches: some-string\n', FILE)).toEqual({
      ok: false,
      message: 'has a `patches` value that is not a list',
    });
    expect(listPatchInKustomization('- a\n- b\n', FILE)).toEqual({ ok: false, message: 'is not a YAML map' });
    expect(listPatchInKustomization('a: [\n', FILE).ok).toBe(false);
  });
});

describe('renderRootPatch', () => {
  it('writes a new file: header, sorted entries, keys in the order people write them', () => {
    const r = renderRootPatch(
      undefined,
      [
        { object: { ...web, name: 'zeta' }, path: ['metadata', 'annotations', KEY], value: 'kv/z@1' },
        { object: web, path: ['spec', 'template', 'metadata', 'annotations', KEY], value: 'kv/a@2' },
        { object: web, path: ['metadata', 'annotations', KEY], value: 'kv/a@2' },
        {
          object: {
            apiVersion: 'secrets.hashicorp.com/v1beta1',
            kind: 'VaultStaticSecret',
            name: 'db',
            namespace: 'team',
          },
          path: ['spec', 'version'],
          value: 7,
        },
      ],
      () => true,
    );
    expect(r.ok && r.text).toBe(
      [
        '# Generated by vault-rollout: do not edit. Rewritten whole on every run that changes it.',
        "# Strategic-merge patches listed in this folder's kustomization (`patches`): the Vault secret versions",
        '# this render root last rolled out, for objects it shares with other roots.',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: web',
        '  annotations:',
        '    vault-rollout/secret-versions: kv/a@2',
        'spec:',
        '  template:',
        '    metadata:',
        '      annotations:',
        '        vault-rollout/secret-versions: kv/a@2',
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: zeta',
        '  annotations:',
        '    vault-rollout/secret-versions: kv/z@1',
        '---',
        'apiVersion: secrets.hashicorp.com/v1beta1',
        'kind: VaultStaticSecret',
        'metadata:',
        '  name: db',
        '  namespace: team',
        'spec:',
        '  version: 7',
        '',
      ].join('\n'),
    );
  });

  it('updates in place, keeps other entries, drops those the root no longer builds, and is stable', () => {
    const first = renderRootPatch(
      undefined,
      [
        { object: web, path: ['metadata', 'annotations', KEY], value: 'kv/a@2' },
        { object: { ...web, name: 'gone' }, path: ['metadata', 'annotations', KEY], value: 'kv/g@1' },
      ],
      () => true,
    );
    if (!first.ok) throw new Error(first.message);
    const second = renderRootPatch(
      first.text,
      [{ object: web, path: ['metadata', 'annotations', KEY], value: 'kv/a@3' }],
      (o) => o.name !== 'gone',
    );
    // The same bytes as a file written fresh with only that entry.
    const fresh = renderRootPatch(
      undefined,
      [{ object: web, path: ['metadata', 'annotations', KEY], value: 'kv/a@3' }],
      () => true,
    );
    expect(second).toEqual(fresh);
    expect(second.ok && second.text).not.toContain('gone');
    if (!second.ok) return;
    // Nothing to set: the same bytes.
    expect(renderRootPatch(second.text, [], () => true)).toEqual({ ok: true, text: second.text });
  });

  it('quotes values that would read as another type', () => {
    const r = renderRootPatch(
      undefined,
      [
        { object: web, path: ['metadata', 'annotations', 'a'], value: 'true' },
        { object: web, path: ['metadata', 'annotations', 'b'], value: '7' },
        { object: web, path: ['metadata', 'annotations', 'c'], value: 'x: y' },
      ],
      () => true,
    );
    expect(r.ok && r.text).toContain('    a: "true"\n    b: "7"\n    c: "x: y"\n');
  });

  it('refuses a file that is not its own', () => {
    expect(renderRootPatch('- not: a patch\n', [], () => true)).toEqual({
      ok: false,
      message: 'holds a document that is not a patch of a named object',
    });
  });
});

describe('unlistPatchInKustomization', () => {
  const cases: [string, string, string][] = [
    [
      'the only item: the key goes too',
      'resources: [../base]\npatches:\n- path: vault-rollout.patch.yaml\n',
      'resources: [../base]\n',
    ],
    [
      'one of several, indented, CRLF',
      'patches:\r\n  - path: a.yaml\r\n  - path: ./vault-rollout.patch.yaml\r\n  - path: b.yaml\r\nnamespace: x\r\n',
      'patches:\r\n  - path: a.yaml\r\n  - path: b.yaml\r\nnamespace: x\r\n',
    ],
    [
      'a flow list',
      'patches: [{path: a.yaml}, {path: vault-rollout.patch.yaml}]\n',
      'patches: [{path: a.yaml}]\n',
    ],
    ['not listed: unchanged', 'patches:\n- path: a.yaml\n', 'patches:\n- path: a.yaml\n'],
  ];
  it.each(cases)('%s', (_, before, after) => {
    expect(unlistPatchInKustomization(before, FILE)).toEqual({ ok: true, text: after });
  });
});
