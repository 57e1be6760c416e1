/**
 * The linear unified diff prints what jsdiff's createTwoFilesPatch prints for the edits vault-rollout
 * makes (insert and replace annotation lines, pins, new files), and a patch that applies in every case.
 */
import { applyPatch, createTwoFilesPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/core/report/line-diff.js';

const jsdiff = (before: string, after: string) =>
  createTwoFilesPatch('a/f.yaml', 'b/f.yaml', before, after, undefined, undefined, { context: 3 }).replace(
    /^=+\n/,
    '',
  );

const deployment = (i: number, record?: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: w${i}`,
    '  annotations:',
    '    vault-rollout/secrets: kv/app/db',
    ...(record ? [`    vault-rollout/secret-versions: ${record}`] : []),
    'spec:',
    '  template:',
    '    spec:',
    '      containers: [{ name: c, image: c }]',
    '',
  ].join('\n');

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('unifiedDiff', () => {
  it.each([
    ['no change', 'a\nb\n', 'a\nb\n'],
    ['a new file', '', 'a\nb\n'],
    ['a removed file', 'a\n', ''],
    ['no final newline, then one', 'a\nb\nc', 'a\nb\nc\nd\n'],
    ['CRLF', 'a\r\nb\r\nc\r\n', 'a\r\nb2\r\nc\r\n'],
    ['one record inserted', deployment(1), deployment(1, 'kv/app/db@1')],
    ['one record updated', deployment(1, 'kv/app/db@1'), deployment(1, 'kv/app/db@2')],
    [
      'records in every document',
      Array.from({ length: 30 }, (_, i) => deployment(i)).join('---\n'),
      Array.from({ length: 30 }, (_, i) => deployment(i, `kv/app/db@${i}`)).join('---\n'),
    ],
    [
      'records in some documents, close and far apart',
      Array.from({ length: 30 }, (_, i) => deployment(i)).join('---\n'),
      Array.from({ length: 30 }, (_, i) =>
        deployment(i, [0, 1, 7, 29].includes(i) ? 'kv/app/db@1' : undefined),
      ).join('---\n'),
    ],
  ])('%s: as jsdiff prints it', (_, before, after) => {
    expect(unifiedDiff('a/f.yaml', 'b/f.yaml', before, after)).toBe(jsdiff(before, after));
  });

  it('random line edits: a patch that applies and turns before into after', () => {
    const next = random(7);
    const words = ['a', 'b', 'c', '  x: 1', '', '---', 'spec:'];
    for (let round = 0; round < 300; round++) {
      const before = Array.from(
        { length: Math.floor(next() * 40) },
        () => words[Math.floor(next() * words.length)]!,
      );
      const after = [...before];
      for (let k = Math.floor(next() * 6); k > 0; k--) {
        const at = Math.floor(next() * (after.length + 1));
        const op = next();
        if (op < 0.4) after.splice(at, 0, `new ${round}.${k}`);
        else if (op < 0.7) after.splice(at, 1);
        else after.splice(at, 1, words[Math.floor(next() * words.length)]!);
      }
      const end = next() < 0.5 ? '\n' : '';
      const a = before.join('\n') + (before.length ? end : '');
      const b = after.join('\n') + (after.length ? end : '');
      const patch = unifiedDiff('a/f.yaml', 'b/f.yaml', a, b);
      expect(applyPatch(a, patch), `round ${round}`).toBe(b);
    }
  });
});
