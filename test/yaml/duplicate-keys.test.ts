/**
 * The linear duplicate-key check (options.ts) reports exactly what yaml's quadratic `uniqueKeys: true`
 * reports: same codes, positions and first message lines.
 */
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { MANIFEST_PARSE_OPTIONS, parseManifestStream } from '../../src/core/yaml/options.js';

const errorsOf = (docs: { errors: { code: string; pos: [number, number]; message: string }[] }[]) =>
  docs.map((d) => d.errors.map((e) => `${e.code} ${e.pos.join('-')} ${e.message.split('\n')[0]}`));

describe('duplicate keys, found in linear time', () => {
  it.each([
    ['a: 1\nb: 2\na: 3\n'],
    ['a: 1\n<<: {b: 1}\n<<: {c: 1}\nx: {p: 1, p: 2}\n'],
    ['? [a]\n: 1\n? [a]\n: 2\n1: a\n"1": b\n~: 1\nnull: 2\n'],
    ['a: &x 1\n*x : 2\nb: {c: {d: 1, d: 2}}\n---\ne: 1\ne: 2\n'],
    ['list:\n  - a: 1\n    a: 2\n  - a: 1\ntrue: 1\nTrue: 2\n.nan: 1\n.NaN: 2\n'],
  ])('%j', (text) => {
    for (const prettyErrors of [true, false]) {
      const ours = parseManifestStream(text, { prettyErrors });
      const theirs = parseAllDocuments(text, { ...MANIFEST_PARSE_OPTIONS, prettyErrors, uniqueKeys: true });
      expect(errorsOf(ours)).toEqual(errorsOf(theirs as never));
      expect(ours.map((d) => d.toJS())).toEqual((theirs as { toJS(): unknown }[]).map((d) => d.toJS()));
    }
  });

  it('finds duplicates among 20,000 keys', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `k${i}: v`);
    lines.push('k7777: again');
    const [doc] = parseManifestStream(lines.join('\n'));
    expect(doc!.errors.map((e) => e.message.split('\n')[0])).toEqual([
      'Map keys must be unique at line 20001, column 1:',
    ]);
  });
});
