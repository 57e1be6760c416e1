/**
 * The fast path must write exactly what the full editor writes, wherever it applies, and step aside
 * everywhere else. Checked over every golden case, every workload of the corpus (insert, then update,
 * record and trigger) and hand-written layouts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { applyAnnotationEdits, type AnnotationEdit } from '../../src/core/yaml/edit-annotations.js';
import { fastAnnotationEdits } from '../../src/core/yaml/fast-edit.js';
import { CORPUS as corpus, listYaml } from '../support/corpus.js';
import { checkFastPath } from './fast-check.js';

const KEY = 'vault-rollout/secret-versions';
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = path.join(repoRoot, 'test/fixtures/yaml');

const stats = { cases: 0, fast: 0 };

const check = (text: string, edits: AnnotationEdit[]) => checkFastPath(stats, text, edits);

afterAll(() => {
  console.log(
    `fast path: ${stats.fast} of ${stats.cases} edit sets taken, all byte-identical to the full editor`,
  );
});

describe('golden cases', () => {
  for (const name of readdirSync(fixtures).filter((n) => existsSync(path.join(fixtures, n, 'edits.json')))) {
    it(name, () => {
      const text = readFileSync(path.join(fixtures, name, 'input.yaml'), 'latin1');
      const edits = JSON.parse(
        readFileSync(path.join(fixtures, name, 'edits.json'), 'utf8'),
      ) as AnnotationEdit[];
      const utf8 = Buffer.from(text, 'latin1').toString('utf8');
      check(utf8, edits);
    });
  }
});

describe.skipIf(!existsSync(corpus))('every workload of the corpus', () => {
  const kinds: Record<string, string[]> = {
    Deployment: ['spec', 'template'],
    StatefulSet: ['spec', 'template'],
    DaemonSet: ['spec', 'template'],
    ReplicaSet: ['spec', 'template'],
    Rollout: ['spec', 'template'],
    CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  };
  for (const file of existsSync(corpus) ? listYaml(corpus) : []) {
    const text = readFileSync(file, 'utf8');
    const docs = parseAllDocuments(text, { logLevel: 'error' });
    if (docs.some((d) => d.errors.length > 0)) continue;
    docs.forEach((doc, document) => {
      const kind = doc.get('kind');
      const templatePath = typeof kind === 'string' ? kinds[kind] : undefined;
      if (!templatePath) return;
      const name = String(doc.getIn(['metadata', 'name']));
      const expect_ = { kind: kind as string, name };
      it(`${path.relative(corpus, file)}#${document}`, () => {
        const record: AnnotationEdit = {
          document,
          mapPath: [],
          key: KEY,
          value: 'kv/a@1,kv/b@2',
          expect: expect_,
        };
        const trigger: AnnotationEdit = { ...record, mapPath: templatePath };
        const once =
          check(text, [record]) ?? (applyAnnotationEdits(text, [record]) as { text?: string }).text;
        if (!once) return;
        check(once, [
          { ...record, value: 'kv/a@1,kv/b@3' },
          { ...trigger, value: 'kv/a@1,kv/b@3' },
        ]);
        check(text, [record, trigger]);
      });
    });
  }
});

describe('hand-written layouts', () => {
  const deployment = [
    '# header',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web # the name',
    '  labels:',
    '    app: web',
    '  annotations:',
    '    a: b',
    '    # trailing comment',
    '',
    'spec:',
    '  template:',
    '    metadata:',
    '      labels:',
    '        app: web',
    '    spec:',
    '      containers:',
    '      - name: web',
    '        image: web:1',
    '',
  ].join('\n');
  const expect_ = { kind: 'Deployment', name: 'web' };

  it('inserts the record and creates the template annotations, like the full editor', () => {
    const out = check(deployment, [
      { document: 0, mapPath: [], key: KEY, value: 'kv/a@1', expect: expect_ },
      { document: 0, mapPath: ['spec', 'template'], key: KEY, value: 'kv/a@1', expect: expect_ },
    ]);
    expect(out).toContain('    a: b\n    vault-rollout/secret-versions: kv/a@1\n    # trailing comment\n');
    expect(out).toContain(
      '      labels:\n        app: web\n      annotations:\n        vault-rollout/secret-versions: kv/a@1\n    spec:',
    );
  });

  it('updates in place, with CRLF and without a final newline', () => {
    const crlf = deployment
      .replace('    a: b', `    ${KEY}: kv/a@1`)
      .replace(/\n/g, '\r\n')
      .replace(/\r\n$/, '');
    const out = check(crlf, [{ document: 0, mapPath: [], key: KEY, value: 'kv/a@2', expect: expect_ }]);
    expect(out).toBe(crlf.replace(`${KEY}: kv/a@1`, `${KEY}: kv/a@2`));
  });

  it('inserts at the end of a file without a final newline', () => {
    const text = 'kind: Deployment\nmetadata:\n  name: web\n  annotations:\n    a: b';
    expect(check(text, [{ document: 0, mapPath: [], key: KEY, value: 'kv/a@1', expect: expect_ }])).toBe(
      `${text}\n    ${KEY}: kv/a@1`,
    );
  });

  it.each([
    ['after another document', (d: string) => `kind: Service\nmetadata: {name: s}\n---\n${d}`, 1],
    ['before another document', (d: string) => `${d}---\nkind: ConfigMap\ndata:\n  a: b\n`, 0],
    ['with a preamble and marker comments', (d: string) => `# pre\n--- # one\n${d}--- # two\nkind: X\n`, 0],
    ['between two others, CRLF', (d: string) => `a: 1\n---\n${d}---\nb: 2`.replace(/\n/g, '\r\n'), 1],
  ])('edits one document of a stream %s, like the full editor', (_label, wrap, document) => {
    const text = wrap(deployment);
    const out = check(text, [
      { document, mapPath: [], key: KEY, value: 'kv/a@1', expect: expect_ },
      { document, mapPath: ['spec', 'template'], key: KEY, value: 'kv/a@1', expect: expect_ },
    ]);
    expect(out).not.toBeNull();
    expect(out).toContain(`${KEY}: kv/a@1`);
  });

  it.each([
    ['a document end marker', `${deployment}...\n---\nkind: Service\n`],
    ['a marker followed by content', `${deployment}--- !!map\nkind: Service\n`],
    ['a directive', `%YAML 1.2\n---\n${deployment}---\nkind: Service\n`],
    ['an empty document', `${deployment}---\n# nothing\n---\nkind: Service\n`],
    ['a flow-style metadata', 'kind: Deployment\nmetadata: {name: web}\n'],
    ['empty annotations', 'kind: Deployment\nmetadata:\n  name: web\n  annotations: {}\n'],
    [
      'a quoted value to update',
      `kind: Deployment\nmetadata:\n  name: web\n  annotations:\n    ${KEY}: "kv/a@1"\n`,
    ],
    ['tabs', 'kind: Deployment\nmetadata:\n\tname: web\n'],
    [
      'a missing template metadata',
      'kind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec: {}\n',
    ],
    ['the wrong workload', 'kind: Deployment\nmetadata:\n  name: api\n'],
  ])('steps aside for %s', (_label, text) => {
    const mapPath = text.includes('template') ? ['spec', 'template'] : [];
    expect(
      fastAnnotationEdits(text, [{ document: 0, mapPath, key: KEY, value: 'kv/a@2', expect: expect_ }]),
    ).toBeNull();
  });
});

describe('the edits the planner writes', () => {
  const text =
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels: { app: web }\n    spec: {}\n';
  const edit = (mapPath: (string | number)[], within?: string[]): AnnotationEdit => ({
    document: 0,
    mapPath,
    ...(within ? { within } : {}),
    key: KEY,
    value: 'kv/web/db@7',
    expect: { kind: 'Deployment', name: 'web' },
  });

  it('take the fast path when they name metadata.annotations explicitly (every workload edit does)', () => {
    // A regression guard: the planner sets `within` on every edit; the fast path must still apply, or a
    // first adoption of 5,000 workloads doubles in time (npm run bench).
    expect(
      check(text, [
        edit([], ['metadata', 'annotations']),
        edit(['spec', 'template'], ['metadata', 'annotations']),
      ]),
    ).not.toBeNull();
  });

  it('take the fast path for chart values too, and leave sequence steps to the full editor', () => {
    // `spec.values` does not exist here: both editors create `values.podAnnotations` under `spec`.
    expect(check(text, [edit(['spec'], ['values', 'podAnnotations'])])).toContain(
      '    spec: {}\n  values:\n    podAnnotations:\n      vault-rollout/secret-versions: kv/web/db@7\n',
    );
    expect(fastAnnotationEdits(text, [edit(['spec', 'sources', 0], ['metadata', 'annotations'])])).toBeNull();
  });
});
