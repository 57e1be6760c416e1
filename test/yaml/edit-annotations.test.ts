import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  applyAnnotationEdits,
  compareData,
  readAnnotations,
  type AnnotationEdit,
} from '../../src/core/yaml/edit-annotations.js';
import { applyFileEdits } from '../../src/core/yaml/edit-scalar.js';

const fixtures = fileURLToPath(new URL('../fixtures/yaml/', import.meta.url));
const cases = readdirSync(fixtures, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const K = 'vault-rollout/secret-versions';

describe('golden input/expected pairs (exact bytes)', () => {
  it('has the expected set of cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)('%s', (name) => {
    const dir = path.join(fixtures, name);
    const input = readFileSync(path.join(dir, 'input.yaml'));
    const expected = readFileSync(path.join(dir, 'expected.yaml'));
    const edits = JSON.parse(readFileSync(path.join(dir, 'edits.json'), 'utf8')) as AnnotationEdit[];

    const result = applyAnnotationEdits(input.toString('utf8'), edits);
    if (!result.ok) throw new Error(`${name}: ${result.message}`);
    expect(result.text).toBe(expected.toString('utf8'));
    expect(Buffer.from(result.text, 'utf8').equals(expected)).toBe(true);

    // A second run with nothing new changes nothing.
    const again = applyAnnotationEdits(result.text, edits);
    expect(again).toEqual({ ok: true, text: result.text });
  });
});

describe('verification', () => {
  it('refuses an expectation whose path it cannot follow, instead of checking another level', () => {
    const data = [{ kind: 'Application', spec: { source: { chart: 'a' } } }];
    const group = { document: 0, mapPath: ['spec', 0], within: ['helm'], entries: new Map([[K, 'kv/a@1']]) };
    expect(() => compareData(data, data, [group])).toThrow(
      /refusing the edit: document 0: spec\.0 is not a map/,
    );
  });

  it('sets chart values inside a sequence item, creating the keys it lacks', () => {
    const text =
      'kind: Application\nmetadata:\n  name: a\nspec:\n  sources:\n    - ref: values\n    - chart: web\n';
    const r = applyAnnotationEdits(text, [
      {
        document: 0,
        mapPath: ['spec', 'sources', 1],
        within: ['helm', 'valuesObject', 'podAnnotations'],
        key: K,
        value: 'kv/a@1',
      },
    ]);
    expect(r).toEqual({
      ok: true,
      text: `${text}      helm:\n        valuesObject:\n          podAnnotations:\n            ${K}: kv/a@1\n`,
    });
  });
});

describe('errors', () => {
  const edit = (mapPath: string[], document = 0): AnnotationEdit[] => [
    { document, mapPath, key: K, value: 'kv/a@1' },
  ];

  it('reports invalid YAML with its line and column', () => {
    const text = 'kind: Deployment\nmetadata:\n  name: a\n   bad: indent\nspec: {}\n';
    expect(applyAnnotationEdits(text, edit([]))).toEqual({
      ok: false,
      code: 'BLOCK_AS_IMPLICIT_KEY',
      message:
        'not valid YAML (document 0): Nested mappings are not allowed in compact mappings at line 3, column 9',
      line: 3,
      column: 9,
    });
  });

  it('reports duplicate keys', () => {
    const text = 'kind: Deployment\nmetadata:\n  name: a\n  name: b\n';
    expect(applyAnnotationEdits(text, edit([]))).toEqual({
      ok: false,
      code: 'DUPLICATE_KEY',
      message: 'not valid YAML (document 0): Map keys must be unique at line 4, column 3',
      line: 4,
      column: 3,
    });
  });

  it('reports an error in a later document even when editing another one', () => {
    const text = 'a: 1\n---\nb: 1\nb: 2\n';
    expect(applyAnnotationEdits(text, edit([]))).toMatchObject({
      ok: false,
      message: 'not valid YAML (document 1): Map keys must be unique at line 4, column 1',
      line: 4,
      column: 1,
    });
  });

  it('never throws on template files', () => {
    const text =
      'apiVersion: v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n';
    const r = applyAnnotationEdits(text, edit([]));
    expect(r.ok).toBe(false);
  });

  it('refuses a mapPath that leads to a scalar', () => {
    const text = 'kind: Deployment\nspec:\n  template: nope\n';
    const r = applyAnnotationEdits(text, edit(['spec', 'template']));
    expect(r).toEqual({
      ok: false,
      code: 'NOT_A_MAP',
      message: 'document 0: spec.template is a scalar ("nope"), not a map',
      line: 3,
      column: 13,
    });
  });

  it('refuses a mapPath that does not exist', () => {
    const r = applyAnnotationEdits('kind: Deployment\nspec:\n  replicas: 1\n', edit(['spec', 'template']));
    expect(r).toMatchObject({
      ok: false,
      code: 'NOT_A_MAP',
      message: 'document 0: template not found in spec',
      line: 3,
    });
  });

  it('refuses annotations that are not a map', () => {
    const text = 'kind: Deployment\nmetadata:\n  annotations:\n  - a\n';
    const r = applyAnnotationEdits(text, edit([]));
    expect(r).toMatchObject({
      ok: false,
      message: 'document 0: metadata.annotations is a sequence, not a map',
      line: 4,
    });
  });

  it('refuses a missing document and an empty document', () => {
    expect(applyAnnotationEdits('a: 1\n', edit([], 3))).toMatchObject({
      ok: false,
      message: 'document 3 does not exist (the file has 1 document)',
    });
    expect(applyAnnotationEdits('a: 1\n---\n', edit([], 1))).toMatchObject({
      ok: false,
      message: 'document 1: (document root) is empty, not a map',
    });
  });

  it('refuses to edit through an alias', () => {
    const text = 'base: &t\n  spec: {}\nkind: Deployment\nspec:\n  template: *t\n';
    expect(applyAnnotationEdits(text, edit(['spec', 'template']))).toMatchObject({
      ok: false,
      code: 'UNSUPPORTED',
    });
  });

  it('refuses an edit whose result would change other data', () => {
    // The anchored map is shared: writing into it would also change `copy`.
    const text = 'metadata: &m\n  name: a\ncopy: *m\n';
    const r = applyAnnotationEdits(text, edit([]));
    expect(r).toMatchObject({ ok: false, code: 'VERIFY_FAILED' });
    if (!r.ok) expect(r.message).toContain('document 0 would change at copy');
  });

  it('returns the text unchanged when there is nothing to edit', () => {
    expect(applyAnnotationEdits('a:   1 # x\n', [])).toEqual({ ok: true, text: 'a:   1 # x\n' });
  });
});

describe('grouping', () => {
  it('writes several keys for one missing map as one block, the last value of a repeated key winning', () => {
    const text = 'kind: Deployment\nmetadata:\n  name: a\n';
    const r = applyAnnotationEdits(text, [
      { document: 0, mapPath: [], key: K, value: 'kv/a@1' },
      { document: 0, mapPath: [], key: 'example.com/b', value: 'b' },
      { document: 0, mapPath: [], key: K, value: 'kv/a@2' },
    ]);
    expect(r).toEqual({
      ok: true,
      text: 'kind: Deployment\nmetadata:\n  name: a\n  annotations:\n    vault-rollout/secret-versions: kv/a@2\n    example.com/b: b\n',
    });
  });

  it('accepts the same edits in any order', () => {
    const text = readFileSync(path.join(fixtures, 'multi-document', 'input.yaml'), 'utf8');
    const edits = JSON.parse(
      readFileSync(path.join(fixtures, 'multi-document', 'edits.json'), 'utf8'),
    ) as AnnotationEdit[];
    expect(applyAnnotationEdits(text, [...edits].reverse())).toEqual(applyAnnotationEdits(text, edits));
  });

  it('fills an empty flow template map in place', () => {
    const text = 'kind: Deployment\nspec:\n  template: {}\n';
    expect(
      applyAnnotationEdits(text, [{ document: 0, mapPath: ['spec', 'template'], key: K, value: 'kv/a@1' }]),
    ).toEqual({
      ok: true,
      text: 'kind: Deployment\nspec:\n  template: {metadata: {annotations: {vault-rollout/secret-versions: "kv/a@1"}}}\n',
    });
  });

  it('gives an empty flow map two new keys at once, separated (a chart values file that is just `{}`)', () => {
    // Both land right after the `{`; the second used to follow the first without a comma, which read back
    // as invalid YAML and skipped the workload (VERIFY_FAILED).
    for (const [text, nl] of [
      ['{}\n', '\n'],
      ['{}', ''],
    ] as const) {
      const edits: AnnotationEdit[] = [
        { document: 0, mapPath: [], within: [], key: K, value: 'kv/a@1' },
        { document: 0, mapPath: [], within: ['podAnnotations'], key: K, value: 'kv/a@1' },
      ];
      const expected = `{${K}: "kv/a@1", podAnnotations: {${K}: "kv/a@1"}}${nl}`;
      expect(applyAnnotationEdits(text, edits)).toEqual({ ok: true, text: expected });
      expect(applyAnnotationEdits(text, [...edits].reverse())).toEqual({
        ok: true,
        text: `{podAnnotations: {${K}: "kv/a@1"}, ${K}: "kv/a@1"}${nl}`,
      });
    }
  });
});

describe('readAnnotations', () => {
  it('reads string values and reports a missing map as null', () => {
    const [doc] = parseAllDocuments(
      'metadata:\n  annotations:\n    a: "1"\n    b: 2\nspec:\n  template:\n    metadata: {labels: {}}\n',
    );
    expect(readAnnotations(doc!, [])).toEqual({ a: '1', b: '2' });
    expect(readAnnotations(doc!, ['spec', 'template'])).toBeNull();
    expect(readAnnotations(doc!, ['nope'])).toBeNull();
  });
});

describe('guards added for discovery and verification', () => {
  const text =
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template: {}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n';
  const key = 'vault-rollout/secret-versions';

  it('refuses to edit a document that is not the planned workload', () => {
    const r = applyAnnotationEdits(text, [
      { document: 1, mapPath: [], key, value: 'kv/a@1', expect: { kind: 'Deployment', name: 'web' } },
    ]);
    expect(r).toMatchObject({
      ok: false,
      code: 'BAD_EDIT',
      message: 'document 1 is Deployment/api, not the Deployment/web that was planned',
    });
  });

  it('edits the planned workload', () => {
    const r = applyAnnotationEdits(text, [
      { document: 1, mapPath: [], key, value: 'kv/a@1', expect: { kind: 'Deployment', name: 'api' } },
    ]);
    expect(r).toEqual({ ok: true, text: `${text}  annotations:\n    ${key}: kv/a@1\n` });
  });

  it('verifies with yaml when js-yaml does not apply (anchors), and still edits', () => {
    const anchored =
      'kind: Deployment\nmetadata: &m\n  name: web\nspec:\n  template:\n    metadata:\n      labels: {app: web}\n';
    const r = applyAnnotationEdits(anchored, [
      { document: 0, mapPath: ['spec', 'template'], key, value: 'kv/a@1' },
    ]);
    expect(r).toEqual({
      ok: true,
      text: 'kind: Deployment\nmetadata: &m\n  name: web\nspec:\n  template:\n    metadata:\n      labels: {app: web}\n      annotations:\n        vault-rollout/secret-versions: kv/a@1\n',
    });
  });
});

describe('a nested map that ends where the map around it ends', () => {
  // A chart values file whose last key is podAnnotations: the record (a top-level key) and the restart
  // trigger (a key of podAnnotations) are both inserted after the file's last entry.
  const record = (value: string): AnnotationEdit => ({ document: 0, mapPath: [], within: [], key: K, value });
  const trigger = (value: string, within = ['podAnnotations']): AnnotationEdit => ({
    document: 0,
    mapPath: [],
    within,
    key: K,
    value,
  });
  const R = `${K}: kv/a@2`;
  const cases: [string, string, string, string[]?][] = [
    ['an empty flow map', 'a: 1\npodAnnotations: {}\n', `a: 1\npodAnnotations:\n  ${R}\n${R}\n`],
    ['an empty value', 'a: 1\npodAnnotations:\n', `a: 1\npodAnnotations:\n  ${R}\n${R}\n`],
    ['existing entries', 'a: 1\npodAnnotations:\n  x: y\n', `a: 1\npodAnnotations:\n  x: y\n  ${R}\n${R}\n`],
    [
      'a trailing comment on the last entry',
      'a: 1\npodAnnotations:\n  x: y # keep\n',
      `a: 1\npodAnnotations:\n  x: y # keep\n  ${R}\n${R}\n`,
    ],
    [
      'a trailing comment after `{}`',
      'a: 1\npodAnnotations: {} # keep\n',
      `a: 1\npodAnnotations: # keep\n  ${R}\n${R}\n`,
    ],
    [
      'a comment line after the map',
      'a: 1\npodAnnotations:\n  x: y\n# end\n',
      `a: 1\npodAnnotations:\n  x: y\n  ${R}\n${R}\n# end\n`,
    ],
    ['no final newline', 'a: 1\npodAnnotations:\n  x: y', `a: 1\npodAnnotations:\n  x: y\n  ${R}\n${R}`],
    [
      'CRLF',
      'a: 1\r\npodAnnotations:\r\n  x: y\r\n',
      `a: 1\r\npodAnnotations:\r\n  x: y\r\n  ${R}\r\n${R}\r\n`,
    ],
    [
      'CRLF and an empty flow map',
      'a: 1\r\npodAnnotations: {}\r\n',
      `a: 1\r\npodAnnotations:\r\n  ${R}\r\n${R}\r\n`,
    ],
    [
      'a block scalar as the last entry',
      'a: 1\npodAnnotations:\n  x: |\n    z\n',
      `a: 1\npodAnnotations:\n  x: |\n    z\n  ${R}\n${R}\n`,
    ],
    [
      'four-space indentation',
      'a: 1\npodAnnotations:\n    x: y\n',
      `a: 1\npodAnnotations:\n    x: y\n    ${R}\n${R}\n`,
    ],
    [
      'two levels deep (controller.podAnnotations)',
      'a: 1\ncontroller:\n  podAnnotations:\n    x: y\n',
      `a: 1\ncontroller:\n  podAnnotations:\n    x: y\n    ${R}\n${R}\n`,
      ['controller', 'podAnnotations'],
    ],
    [
      'two levels deep, podAnnotations created',
      'a: 1\ncontroller:\n  replicas: 2\n',
      `a: 1\ncontroller:\n  replicas: 2\n  podAnnotations:\n    ${R}\n${R}\n`,
      ['controller', 'podAnnotations'],
    ],
    [
      'podAnnotations not last',
      'podAnnotations:\n  x: y\nb: 1\n',
      `podAnnotations:\n  x: y\n  ${R}\nb: 1\n${R}\n`,
    ],
  ];

  it.each(cases)(
    "%s: both keys, each at its map's indentation, in either order",
    (_, text, expected, within) => {
      const edits = [record('kv/a@2'), trigger('kv/a@2', within)];
      expect(applyAnnotationEdits(text, edits)).toEqual({ ok: true, text: expected });
      expect(applyAnnotationEdits(text, [...edits].reverse())).toEqual({ ok: true, text: expected });
    },
  );

  it('orders a pin that creates a key the same way as annotations', () => {
    const r = applyFileEdits('a: 1\nimage:\n', {
      annotations: [record('kv/a@2')],
      scalars: [{ document: 0, path: ['image', 'tag'], set: '7' }],
    });
    expect(r).toEqual({ ok: true, text: `a: 1\nimage:\n  tag: "7"\n${R}\n` });
  });
});
