/**
 * The fast path for version pins (scalar `set` edits: an ExternalSecret's `remoteRef.version`, a
 * VaultStaticSecret's `spec.version`) must write exactly what the full editor (applyFileEdits) writes, or
 * step aside. Checked over every scalar and every map of the corpus's single-document files, and over
 * generated hostile variants of an ExternalSecret.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { applyFileEdits, type PathStep, type ScalarEdit } from '../../src/core/yaml/edit-scalar.js';
import { fastScalarEdits } from '../../src/core/yaml/fast-edit.js';
import { CORPUS as corpus, listYaml } from '../support/corpus.js';

const stats = { cases: 0, fast: 0 };

function check(text: string, scalars: ScalarEdit[]): string | null {
  stats.cases++;
  const fast = fastScalarEdits(text, scalars);
  const full = applyFileEdits(text, { scalars });
  if (fast !== null) {
    stats.fast++;
    expect(full.ok, `the full editor refused what the fast path wrote:\n${fast}`).toBe(true);
    if (full.ok) expect(fast).toBe(full.text);
  }
  return fast;
}

afterAll(() => {
  console.log(
    `fast path (pins): ${stats.fast} of ${stats.cases} edit sets taken, all byte-identical to the full editor`,
  );
});

/** Every scalar leaf and every map of `value`, as key paths (at most `limit`). */
function paths(value: unknown, limit: number): { leaves: PathStep[][]; maps: PathStep[][] } {
  const leaves: PathStep[][] = [];
  const maps: PathStep[][] = [];
  const walk = (v: unknown, at: PathStep[]) => {
    if (leaves.length + maps.length >= limit) return;
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
    else if (typeof v === 'object' && v !== null) {
      maps.push(at);
      for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
    } else if (at.length > 0) leaves.push(at);
  };
  walk(value, []);
  return { leaves, maps };
}

describe.skipIf(!existsSync(corpus))('every scalar and map of the corpus', () => {
  for (const file of existsSync(corpus) ? listYaml(corpus) : []) {
    const text = readFileSync(file, 'utf8');
    const docs = parseAllDocuments(text, { logLevel: 'error' });
    if (!Array.isArray(docs) || docs.length !== 1 || docs[0]!.errors.length > 0) continue;
    let data: unknown;
    try {
      data = docs[0]!.toJS({ maxAliasCount: 100 });
    } catch {
      continue;
    }
    it(path.relative(corpus, file), () => {
      const { leaves, maps } = paths(data, 24);
      for (const p of leaves) {
        for (const set of ['7', 7, 'true'] as const) {
          const once = check(text, [{ document: 0, path: p, set }]);
          // Then the same value again, and another one, over the edited text.
          if (once !== null) {
            expect(check(once, [{ document: 0, path: p, set }])).toBe(once);
            check(once, [{ document: 0, path: p, set: typeof set === 'number' ? 8 : '8' }]);
          }
        }
      }
      for (const p of maps) {
        const once = check(text, [{ document: 0, path: [...p, 'version'], set: '7' }]);
        if (once !== null) check(once, [{ document: 0, path: [...p, 'version'], set: '8' }]);
        check(text, [{ document: 0, path: [...p, 'a', 'b'], set: '7' }]);
      }
    });
  }
});

describe('generated ExternalSecrets', () => {
  const base = [
    'apiVersion: external-secrets.io/v1',
    'kind: ExternalSecret',
    'metadata:',
    '  name: db',
    '  namespace: team',
    'spec:',
    '  secretStoreRef: { name: vault, kind: ClusterSecretStore }',
    '  data:',
    '    - secretKey: password',
    '      remoteRef:',
    '        key: apps/app/db',
    '    - secretKey: user',
    '      remoteRef:',
    '        key: apps/app/user',
    '        property: name',
    '',
  ].join('\n');
  const pin = (i: number, set: string | number = '7'): ScalarEdit & { set: string | number } => ({
    document: 0,
    path: ['spec', 'data', i, 'remoteRef', 'version'],
    set,
    expect: { kind: 'ExternalSecret', name: 'db' },
  });
  const variants: [string, (t: string) => string][] = [
    ['as written', (t) => t],
    ['CRLF', (t) => t.replace(/\n/g, '\r\n')],
    ['no final newline', (t) => t.replace(/\n$/, '')],
    ['trailing comments', (t) => `${t}# end\n\n`],
    ['a leading marker', (t) => `---\n${t}`],
    ['sequences at the key indent', (t) => t.replace(/^ {4}(- | {2})/gm, '  $1')],
    [
      'wide dashes',
      (t) =>
        t
          .replace(/- secretKey/g, '-   secretKey')
          .replace(/^ {6}remoteRef/gm, '        remoteRef')
          .replace(/^ {8}(key|property)/gm, '          $1'),
    ],
    [
      'a comment in the item',
      (t) =>
        t.replace(
          '      remoteRef:\n        key: apps/app/db',
          '      # the db\n      remoteRef:\n        key: apps/app/db',
        ),
    ],
    [
      'a flow item',
      (t) =>
        t.replace(
          / {4}- secretKey: password\n {6}remoteRef:\n {8}key: apps\/app\/db\n/,
          '    - { secretKey: password, remoteRef: { key: apps/app/db } }\n',
        ),
    ],
    [
      'a flow remoteRef',
      (t) => t.replace(/remoteRef:\n {8}key: apps\/app\/db\n/, 'remoteRef: { key: apps/app/db }\n'),
    ],
    [
      'a remoteRef first in its item',
      (t) =>
        t.replace(
          /- secretKey: password\n {6}remoteRef:\n {8}key: apps\/app\/db\n/,
          '- remoteRef:\n        key: apps/app/db\n      secretKey: password\n',
        ),
    ],
    [
      'a version already',
      (t) => t.replace('        key: apps/app/db\n', '        key: apps/app/db\n        version: "3"\n'),
    ],
    [
      'a single-quoted version',
      (t) => t.replace('        key: apps/app/db\n', "        key: apps/app/db\n        version: '3'\n"),
    ],
    [
      'a plain version',
      (t) => t.replace('        key: apps/app/db\n', '        key: apps/app/db\n        version: 3\n'),
    ],
    [
      'a leading-zero version',
      (t) => t.replace('        key: apps/app/db\n', '        key: apps/app/db\n        version: 07\n'),
    ],
    [
      'a version with a comment',
      (t) =>
        t.replace('        key: apps/app/db\n', '        key: apps/app/db\n        version: "3" # pinned\n'),
    ],
    [
      'an escaped version',
      (t) => t.replace('        key: apps/app/db\n', '        key: apps/app/db\n        version: "\\x33"\n'),
    ],
    [
      'a version with a tab inside',
      (t) => t.replace('        key: apps/app/db\n', '        key: apps/app/db\n        version: "3\t"\n'),
    ],
    [
      'an empty version',
      (t) => t.replace('        key: apps/app/db\n', '        key: apps/app/db\n        version:\n'),
    ],
    [
      'a version first',
      (t) => t.replace('        key: apps/app/db\n', '        version: "3"\n        key: apps/app/db\n'),
    ],
    [
      'a duplicate version',
      (t) =>
        t.replace(
          '        key: apps/app/db\n',
          '        key: apps/app/db\n        version: "3"\n        version: "4"\n',
        ),
    ],
    ['a quoted key', (t) => t.replace('        key: apps/app/db', '        "key": apps/app/db')],
    [
      'a block scalar in the item',
      (t) => t.replace('        key: apps/app/db\n', '        key: |\n          apps/app/db\n\n'),
    ],
    [
      'an anchor',
      (t) =>
        t.replace(
          '      remoteRef:\n        key: apps/app/db',
          '      remoteRef: &ref\n        key: apps/app/db',
        ),
    ],
    [
      'a merge key',
      (t) =>
        t.replace('        key: apps/app/db\n', '        <<: { version: "7" }\n        key: apps/app/db\n'),
    ],
    [
      'a multi-line key value',
      (t) => t.replace('        key: apps/app/db\n', '        key: apps/app/db\n          continued\n'),
    ],
    ['tabs', (t) => t.replace('        key: apps/app/db', '\tkey: apps/app/db')],
    ['a second document', (t) => `${t}---\nkind: Other\n`],
    ['the wrong object', (t) => t.replace('name: db', 'name: other')],
  ];
  for (const [label, make] of variants) {
    const text = make(base);
    it(label, () => {
      for (const edits of [
        [pin(0)],
        [pin(1)],
        [pin(0), pin(1)],
        [pin(0, 7)],
        [pin(2)],
        [pin(0, '3')],
        [pin(0, 3)],
      ]) {
        const once = check(text, edits);
        if (once !== null)
          check(
            once,
            edits.map((e) => ({ ...e, set: typeof e.set === 'number' ? 9 : '9' })),
          );
      }
    });
  }

  it('takes the fast path for the usual layouts, inserting where the full editor inserts', () => {
    const out = check(base, [pin(0, '4')]);
    expect(out).toContain('        key: apps/app/db\n        version: "4"\n    - secretKey: user');
    const again = check(out!, [pin(0, '5'), pin(1, '5')]);
    expect(again).toContain('        key: apps/app/db\n        version: "5"\n');
    expect(again).toContain('        property: name\n        version: "5"\n');
    expect(check(base.replace(/\n/g, '\r\n'), [pin(1)])).not.toBeNull();
  });
});
