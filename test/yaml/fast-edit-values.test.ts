/**
 * The fast path for Helm-based apps (a chart values file's top-level record and its podAnnotations, a
 * HelmRelease's `spec.values.podAnnotations`, an Argo CD Application's `helm.valuesObject`) must write
 * exactly what the full editor writes, or step aside. Checked over every plain-map and chart file of the
 * corpus, and over generated hostile variants of the layouts a values file takes.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { applyAnnotationEdits, type AnnotationEdit } from '../../src/core/yaml/edit-annotations.js';
import { fastAnnotationEdits } from '../../src/core/yaml/fast-edit.js';
import { CORPUS as corpus, listYaml } from '../support/corpus.js';
import { checkFastPath } from './fast-check.js';

const KEY = 'vault-rollout/secret-versions';
const stats = { cases: 0, fast: 0 };

const check = (text: string, edits: AnnotationEdit[]) => checkFastPath(stats, text, edits);

/** The full editor's text, for the next round of edits (null when it refuses). */
function fullText(text: string, edits: AnnotationEdit[]): string | null {
  const r = applyAnnotationEdits(text, edits);
  return r.ok ? r.text : null;
}

/** Record and trigger of a values file: a top-level key, and the chart's pod annotations. */
function valuesEdits(value: string, podAnnotations: string[] = ['podAnnotations']): AnnotationEdit[] {
  return [
    { document: 0, mapPath: [], within: [], key: KEY, value },
    { document: 0, mapPath: [], within: podAnnotations, key: KEY, value },
  ];
}

/** Insert, then update, record alone, trigger alone, both: every round the planner can send. */
function rounds(text: string, edits: (value: string) => AnnotationEdit[]): void {
  const first = edits('kv/a@1,kv/b@2');
  for (const subset of [first.slice(0, 1), first.slice(1), first]) check(text, subset);
  const once = fullText(text, first);
  if (once === null) return;
  const second = edits('kv/a@1,kv/b@3');
  for (const subset of [second.slice(0, 1), second.slice(1), second]) check(once, subset);
  // The same values again: nothing to change, the same bytes back.
  const again = check(once, first);
  if (again !== null) expect(again).toBe(once);
}

afterAll(() => {
  console.log(
    `fast path (chart values): ${stats.fast} of ${stats.cases} edit sets taken, all byte-identical to the full editor`,
  );
});

describe.skipIf(!existsSync(corpus))('every plain-map and chart file of the corpus', () => {
  for (const file of existsSync(corpus) ? listYaml(corpus) : []) {
    const text = readFileSync(file, 'utf8');
    const docs = parseAllDocuments(text, { logLevel: 'error' });
    if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) continue;
    docs.forEach((doc, document) => {
      let json: unknown;
      try {
        json = doc.toJS({ maxAliasCount: 100 });
      } catch {
        return;
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json)) return;
      const kind = doc.get('kind');
      const name = String(doc.getIn(['metadata', 'name']));
      const at = (e: AnnotationEdit): AnnotationEdit => ({ ...e, document });
      const label = `${path.relative(corpus, file)}#${document}`;
      if (kind === undefined && docs.length === 1) {
        // Any single plain map is read as chart values: the corpus's values files and every other one.
        it(`${label} as chart values`, () => {
          rounds(text, (v) => valuesEdits(v));
          rounds(text, (v) => valuesEdits(v, ['controller', 'podAnnotations']));
        });
        return;
      }
      if (kind === 'HelmRelease' || kind === 'Application' || kind === 'Deployment') {
        const expect_ = { kind: kind as string, name };
        const anchor = kind === 'Application' ? ['spec', 'source'] : ['spec'];
        const within =
          kind === 'Application' ? ['helm', 'valuesObject', 'podAnnotations'] : ['values', 'podAnnotations'];
        it(`${label} as a ${String(kind)}`, () => {
          rounds(text, (value) =>
            [
              { document: 0, mapPath: [], within: ['metadata', 'annotations'], key: KEY, value },
              { document: 0, mapPath: anchor, within, key: KEY, value },
            ].map((e) => at({ ...e, expect: expect_ })),
          );
        });
      }
    });
  }
});

describe('generated values files', () => {
  const base = [
    '# Default values for app.',
    'replicaCount: 3',
    'image:',
    '  repository: ghcr.io/example/app',
    '  tag: "1.2.0"',
    'podAnnotations:',
    '  vault.hashicorp.com/agent-inject: "true"',
    '  prometheus.io/scrape: "true"',
    'controller:',
    '  podAnnotations:',
    '    a: b',
    'tolerations:',
    '  - key: x',
    '    operator: Exists',
    'resources:',
    '  limits: { cpu: 500m, memory: 256Mi }',
    '',
  ].join('\n');

  /** Each turns a values text into a variant; the fast path must match the full editor or decline. */
  const variants: [string, (t: string) => string][] = [
    ['as written', (t) => t],
    ['CRLF', (t) => t.replace(/\n/g, '\r\n')],
    ['no final newline', (t) => t.replace(/\n$/, '')],
    ['trailing comments and blank lines', (t) => `${t}\n# end\n\n`],
    ['a leading document marker', (t) => `---\n${t}`],
    ['a marker with a comment', (t) => `--- # values\n${t}`],
    ['a document end marker', (t) => `${t}...\n`],
    ['a second document', (t) => `${t}---\nother: 1\n`],
    ['a directive', (t) => `%YAML 1.2\n---\n${t}`],
    ['a BOM', (t) => `\uFEFF${t}`],
    ['tabs in a comment', (t) => t.replace('# Default', '#\tDefault')],
    ['a tab-indented line', (t) => t.replace('  tag:', '\ttag:')],
    ['four-space indentation', (t) => t.replace(/^( +)/gm, (m) => m + m)],
    ['an indented root', (t) => t.replace(/^(?=.)/gm, '  ')],
    ['sequences at the key indent', (t) => t.replace('  - key: x\n    operator', '- key: x\n  operator')],
    [
      'empty podAnnotations',
      (t) => t.replace(/podAnnotations:\n {2}vault[^\n]*\n[^\n]*\n/, 'podAnnotations: {}\n'),
    ],
    [
      'null podAnnotations',
      (t) => t.replace(/podAnnotations:\n {2}vault[^\n]*\n[^\n]*\n/, 'podAnnotations:\n'),
    ],
    [
      'tilde podAnnotations',
      (t) => t.replace(/podAnnotations:\n {2}vault[^\n]*\n[^\n]*\n/, 'podAnnotations: ~\n'),
    ],
    [
      'flow podAnnotations',
      (t) => t.replace(/podAnnotations:\n {2}vault[^\n]*\n[^\n]*\n/, 'podAnnotations: { a: b }\n'),
    ],
    ['no podAnnotations', (t) => t.replace(/^podAnnotations:\n {2}vault[^\n]*\n[^\n]*\n/m, '')],
    [
      'podAnnotations last',
      (t) => `${t.replace(/^podAnnotations:\n( {2}[^\n]*\n){2}/m, '')}podAnnotations:\n  a: b\n`,
    ],
    [
      'podAnnotations first',
      (t) => `podAnnotations:\n  a: b\n${t.replace(/^podAnnotations:\n( {2}[^\n]*\n){2}/m, '')}`,
    ],
    ['a quoted key', (t) => t.replace('replicaCount:', '"replicaCount":')],
    ['a quoted first key', (t) => t.replace('# Default values for app.\n', '"first": 1\n')],
    ['a quoted podAnnotations key', (t) => t.replace('\npodAnnotations:', '\n"podAnnotations":')],
    ['a single-quoted annotation key', (t) => t.replace('  prometheus.io', "  'prometheus.io")],
    ['a duplicate key', (t) => `${t}replicaCount: 4\n`],
    ['a duplicate podAnnotations', (t) => `${t}podAnnotations:\n  c: d\n`],
    ['an anchor and alias', (t) => t.replace('image:', 'image: &img').concat('sidecar:\n  image: *img\n')],
    ['an anchored podAnnotations', (t) => t.replace('\npodAnnotations:', '\npodAnnotations: &pa')],
    ['a merge key', (t) => t.replace('controller:\n', 'controller:\n  <<: { x: 1 }\n')],
    ['a tag', (t) => t.replace('\npodAnnotations:', '\npodAnnotations: !!map')],
    ['a block scalar last', (t) => `${t}notes: |\n  line one\n  line two\n\n`],
    ['a block scalar last, no blank line', (t) => `${t}notes: |\n  line one\n`],
    ['a block scalar holding a comment-like line', (t) => `${t}notes: |\n  line one\n  # inside\n`],
    ['a block scalar, a blank line and a comment', (t) => `${t}notes: >-\n  a\n\n# end\n`],
    ['a block scalar with trailing spaces', (t) => `${t}notes: |\n  line one\n  \n`],
    ['a kept block scalar last', (t) => `${t}notes: |+\n  line one\n\n\n`],
    [
      'a block scalar in podAnnotations',
      (t) => t.replace('  prometheus.io/scrape: "true"', '  note: >\n    folded\n    text\n'),
    ],
    [
      'a block scalar annotation last',
      (t) => t.replace('  prometheus.io/scrape: "true"\n', '  note: |\n    text\n\n'),
    ],
    ['a multi-line flow map last', (t) => `${t}extra: {\n  a: 1,\n  b: 2\n}\n`],
    ['a multi-line flow map at the root indent', (t) => `${t}extra: {\n  a: 1\n  }\n`],
    ['a multi-line plain scalar last', (t) => `${t}description: one\n  two\n  three\n`],
    ['a multi-line quoted scalar last', (t) => `${t}description: "one\n  two"\n`],
    ['a comment after podAnnotations', (t) => t.replace('\npodAnnotations:', '\npodAnnotations: # pods')],
    ['a comment between entries', (t) => t.replace('  prometheus.io', '  # scrape\n  prometheus.io')],
    [
      'a comment at column 0 inside the map',
      (t) => t.replace('  prometheus.io', '# scrape\n  prometheus.io'),
    ],
    [
      'a deeper comment after the last entry',
      (t) => t.replace('  prometheus.io/scrape: "true"\n', '  prometheus.io/scrape: "true"\n      # deep\n'),
    ],
    ['an explicit key', (t) => `${t}? complex\n: value\n`],
    ['a sequence root', () => '- a\n- b\n'],
    ['a scalar root', () => 'just text\n'],
    ['an empty map root', () => '{}\n'],
    ['a flow root', () => '{ podAnnotations: { a: b }, x: 1 }\n'],
    ['comments only', () => '# nothing\n'],
    ['a key with spaces', (t) => t.replace('replicaCount:', 'replica count:')],
    [
      'a colon in a plain value',
      (t) => t.replace('  repository: ghcr.io/example/app', '  repository: "a: b"'),
    ],
    ['a key named like a bool', (t) => `${t}true: yes\n`],
    ['trailing spaces', (t) => t.replace(/\n/g, '  \n')],
    ['a deeper first entry', (t) => t.replace('podAnnotations:\n  vault', 'podAnnotations:\n    vault')],
    ['uneven entries', (t) => t.replace('  prometheus.io', '   prometheus.io')],
  ];

  const current = (t: string) =>
    t
      .replace('  prometheus.io/scrape: "true"', `  prometheus.io/scrape: "true"\n  ${KEY}: kv/a@1`)
      .concat(`${KEY}: kv/a@1\n`);
  const quotedCurrent = (t: string) =>
    t.replace('  prometheus.io/scrape: "true"', `  prometheus.io/scrape: "true"\n  ${KEY}: "kv/a@1"`);

  for (const [label, make] of variants) {
    it(`${label}: inserts`, () => rounds(make(base), (v) => valuesEdits(v)));
    it(`${label}: updates`, () => rounds(make(current(base)), (v) => valuesEdits(v)));
    it(`${label}: quoted values`, () => rounds(make(quotedCurrent(base)), (v) => valuesEdits(v)));
    it(`${label}: a nested pod-annotations value`, () =>
      rounds(make(base), (v) => valuesEdits(v, ['controller', 'podAnnotations'])));
    it(`${label}: a missing nested value`, () =>
      rounds(make(base), (v) => valuesEdits(v, ['server', 'pod', 'annotations'])));
  }

  it('takes the fast path for the layout of nearly every values file', () => {
    for (const text of [base, base.replace(/\n/g, '\r\n'), `---\n${base}`, current(base)]) {
      for (const edits of [valuesEdits('kv/a@9'), valuesEdits('kv/a@9', ['controller', 'podAnnotations'])])
        expect(check(text, edits), text).not.toBeNull();
    }
    // Created where the full editor creates it: the root's last entry, the indentation of the file.
    expect(check(base.replace(/^podAnnotations:\n( {2}[^\n]*\n){2}/m, ''), valuesEdits('kv/a@9'))).toContain(
      `  limits: { cpu: 500m, memory: 256Mi }\n${KEY}: kv/a@9\npodAnnotations:\n  ${KEY}: kv/a@9\n`,
    );
  });

  it('takes it when podAnnotations is the last key, writing the trigger before the record', () => {
    const last = (t: string) =>
      `${t.replace(/^podAnnotations:\n( {2}[^\n]*\n){2}/m, '')}podAnnotations:\n  a: b\n`;
    for (const nl of ['\n', '\r\n']) {
      const text = last(base).replace(/\n/g, nl);
      const want = `${text}  ${KEY}: kv/a@9${nl}${KEY}: kv/a@9${nl}`;
      // The planner sends the record first; the order of the edits must not matter.
      for (const edits of [valuesEdits('kv/a@9'), valuesEdits('kv/a@9').reverse()]) {
        expect(check(text, edits)).toBe(want);
        expect(applyAnnotationEdits(text, edits)).toEqual({ ok: true, text: want });
      }
    }
  });

  it.each([
    ['values it would have to quote', 'true'],
    ['values it would have to quote', 'a: b'],
    ['values with a line break', 'kv/a@1\nx: y'],
  ])('steps aside for %s (%j)', (_label, value) => {
    expect(fastAnnotationEdits(base, valuesEdits(value))).toBeNull();
  });

  it('steps aside for keys it would have to quote', () => {
    expect(
      fastAnnotationEdits(base, [{ document: 0, mapPath: [], within: [], key: 'a b', value: 'x/y' }]),
    ).toBeNull();
    expect(
      fastAnnotationEdits(base, [{ document: 0, mapPath: [], within: ['null'], key: KEY, value: 'x/y' }]),
    ).toBeNull();
  });
});

describe('generated HelmReleases', () => {
  const release = (values: string[]) =>
    [
      '# Copyright 2026 Example Corp',
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: app',
      '  namespace: team',
      '  annotations:',
      '    vault-rollout/secrets: kv/apps/app/db',
      'spec:',
      '  interval: 10m',
      '  chart:',
      '    spec:',
      '      chart: app',
      '      sourceRef: { kind: HelmRepository, name: charts, namespace: flux-system }',
      ...values,
      '',
    ].join('\n');
  const edits = (value: string): AnnotationEdit[] => [
    {
      document: 0,
      mapPath: [],
      within: ['metadata', 'annotations'],
      key: KEY,
      value,
      expect: { kind: 'HelmRelease', name: 'app' },
    },
    {
      document: 0,
      mapPath: ['spec'],
      within: ['values', 'podAnnotations'],
      key: KEY,
      value,
      expect: { kind: 'HelmRelease', name: 'app' },
    },
  ];
  const layouts: [string, string[]][] = [
    [
      'values with a nested map last',
      ['  values:', '    replicaCount: 2', '    database:', '      existingSecret: db'],
    ],
    ['values with podAnnotations', ['  values:', '    podAnnotations:', '      a: b', '    replicaCount: 2']],
    ['no values', []],
    ['empty values', ['  values: {}']],
    ['flow values', ['  values: { replicaCount: 2 }']],
    [
      'values then another key',
      ['  values:', '    replicaCount: 2', '  install:', '    remediation: { retries: 3 }'],
    ],
    ['values with a sequence last', ['  values:', '    tolerations:', '    - key: x']],
    ['values with a block scalar last', ['  values:', '    notes: |', '      text', '']],
  ];
  for (const [label, values] of layouts) {
    for (const [nl, map] of [
      ['LF', (t: string) => t],
      ['CRLF', (t: string) => t.replace(/\n/g, '\r\n')],
    ] as const) {
      it(`${label}, ${nl}`, () => rounds(map(release(values)), edits));
    }
  }

  it('takes the fast path for the usual layout, in one pass for record and trigger', () => {
    const text = release(layouts[0]![1]);
    const out = check(text, edits('kv/apps/app/db@2'));
    expect(out).toContain(`    ${KEY}: kv/apps/app/db@2\nspec:`);
    expect(out).toContain(`      existingSecret: db\n    podAnnotations:\n      ${KEY}: kv/apps/app/db@2\n`);
  });
});
