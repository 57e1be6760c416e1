/**
 * Terminal layout pieces: fitted tables, wrapped lines, grouped problems, the capped diff, and the
 * progress reporter (with a fake clock).
 */
import { describe, expect, it } from 'vitest';
import { HELM_TEMPLATE_MESSAGE } from '../../src/core/discover/parse.js';
import type { Problem } from '../../src/core/model.js';
import { cut, fitTable, wrap } from '../../src/core/report/fit.js';
import { groupProblems, pathPattern } from '../../src/core/report/problems.js';
import {
  cappedDiff,
  commonFolder,
  compactPaths,
  sourcesSummary,
  toMarkdown,
} from '../../src/core/report/render.js';
import { createProgress } from '../../src/progress.js';

describe('fitTable', () => {
  const columns = [
    { header: 'NAME', min: 6 },
    { header: 'FILE', min: 12, keep: 'path' as const },
    { header: 'ACTION' },
  ];
  const rows = [
    ['web-frontend-service', 'clusters/prod/apps/web/deployment.yaml', 'restart'],
    ['db', 'db.yaml', 'none'],
  ];

  it('keeps a table that fits as it is', () => {
    expect(fitTable(columns, rows, 200)).toBe(fitTable(columns, rows, null));
    expect(fitTable(columns, rows, null).split('\n')[1]).toBe(
      'web-frontend-service  clusters/prod/apps/web/deployment.yaml  restart',
    );
  });

  it('cuts the widest cuttable column first, never below its minimum, and never an uncut column', () => {
    const lines = fitTable(columns, rows, 50).split('\n');
    expect(lines.every((l) => l.length <= 50)).toBe(true);
    expect(lines[1]).toMatch(/restart$/);
    // The path keeps the file name and whole folders before it.
    expect(lines[1]).toContain('…/deployment.yaml');
    // Too narrow for the minimums: the table goes over rather than lose a column.
    expect(fitTable(columns, rows, 10).split('\n')[1]!.length).toBeGreaterThan(10);
  });

  it('cut keeps the start of names and the end of paths', () => {
    expect(cut('abcdefghij', 5)).toBe('abcd…');
    expect(cut('a/b/c/file.yaml', 12, 'path')).toBe('…/file.yaml');
    expect(cut('a/b/c/file.yaml', 8, 'path')).toBe('…le.yaml');
    expect(cut('short', 10, 'path')).toBe('short');
  });

  it('wrap breaks at spaces, indents continuation lines, keeps leading and aligning spaces', () => {
    expect(wrap('  warning a.yaml: one two three four five six', 20, '    ')).toEqual([
      '  warning a.yaml:',
      '    one two three',
      '    four five six',
    ]);
    expect(wrap('error   x', 8, '')).toEqual(['error', 'x']);
    expect(wrap('error   x y', 40)).toEqual(['error   x y']);
    const long = wrap(`see ${'x'.repeat(30)}`, 12, '  ');
    expect(long.every((l) => l.length <= 12)).toBe(true);
    expect(long.join('').replace(/ /g, '')).toBe(`see${'x'.repeat(30)}`);
  });
});

describe('summaries', () => {
  it('condenses sources and secret paths', () => {
    expect(sourcesSummary(['vaultAgent', 'vaultAgent', 'annotation', 'vaultAgent'])).toBe(
      'vaultAgent ×3, annotation',
    );
    expect(compactPaths(['kv/pay/db', 'kv/pay/api', 'kv/shared/tls'])).toBe('kv/pay/{db,api}, kv/shared/tls');
    expect(commonFolder(['clusters/prod/a/x.yaml', 'clusters/prod/b/y.yaml'])).toBe('clusters/prod/');
    expect(commonFolder(['a.yaml', 'clusters/y.yaml'])).toBe('');
  });
});

describe('groupProblems', () => {
  const helm = (file: string): Problem => ({ file, severity: 'warning', message: HELM_TEMPLATE_MESSAGE });
  const problems: Problem[] = [
    ...Array.from({ length: 45 }, (_, i) => helm(`charts/c${i % 5}/templates/t${i}.yaml`)),
    {
      file: 'a.yaml',
      severity: 'warning',
      message: 'not valid YAML: Map keys must be unique (line 3)',
      line: 3,
    },
    { file: 'b.yaml', severity: 'warning', message: 'not valid YAML: bad indentation (line 9)', line: 9 },
    { file: 'k/kustomization.yaml', severity: 'warning', message: 'resource "x.yaml" not found' },
    { file: 'k/kustomization.yaml', severity: 'warning', message: 'resource "y.yaml" not found' },
    { file: 'big.yaml', severity: 'error', message: 'not edited: something odd' },
  ];

  it('says each kind once, with a count and an example, errors first', () => {
    expect(groupProblems(problems).map((g) => [g.summary, g.problems.length])).toEqual([
      ['error   big.yaml: not edited: something odd', 1],
      ['45 Helm chart templates skipped, not rendered here (charts/*/templates/…)', 45],
      ['2 files not valid YAML, never rewritten: a.yaml:3: Map keys must be unique (line 3) (and 1 more)', 2],
      ['2 warnings like k/kustomization.yaml: resource "x.yaml" not found', 2],
    ]);
  });

  it('pathPattern: folders in common, `*` where they differ, else an example', () => {
    expect(pathPattern(['charts/a/templates/x.yaml', 'charts/b/templates/sub/y.yaml'])).toBe(
      'charts/*/templates/…',
    );
    expect(pathPattern(['apps/x.yaml', 'charts/a/templates/y.yaml'])).toBe('e.g. apps/x.yaml');
    expect(pathPattern(['only/one.yaml', 'only/one.yaml'])).toBe('only/one.yaml');
  });

  it('Markdown lists kinds, or every problem when asked', () => {
    const report = {
      branch: null,
      workloads: [],
      summary: { workloads: 0, restart: 0, record: 0, blocked: 0, unchanged: 0 },
      problems,
      changes: [],
      commit: null,
      pullRequest: null,
    };
    const grouped = toMarkdown(report);
    expect(grouped).toContain('### Problems \\(50, 4 kinds; -v or the JSON report lists each one\\)');
    expect(grouped).toContain('- 45 Helm chart templates skipped');
    expect(grouped.match(/^- /gm)).toHaveLength(4);
    const all = toMarkdown(report, { allProblems: true });
    expect(all.match(/^- /gm)).toHaveLength(50);
  });
});

describe('cappedDiff', () => {
  const change = (path: string, lines: number) => ({
    path,
    before: Array.from({ length: lines }, (_, i) => `k${i}: 1`).join('\n') + '\n',
    after: Array.from({ length: lines }, (_, i) => `k${i}: 2`).join('\n') + '\n',
  });
  const changes = [change('a.yaml', 5), change('b.yaml', 5), change('c.yaml', 5)];
  const full = cappedDiff(changes, null, '--wide').text;

  it('prints everything under the cap, or without one', () => {
    expect(cappedDiff(changes, 1000, '--wide')).toEqual({ text: full, note: null });
    expect(full.split('\n').length - 1).toBe(39);
  });

  it('cuts at whole files and says how to see the rest', () => {
    const capped = cappedDiff(changes, 30, '--wide');
    expect(capped.text).toBe(full.slice(0, full.indexOf('--- a/c.yaml')));
    expect(capped.note).toBe(
      '... 13 more diff line(s) in 1 more file not shown (39 in all): --wide prints the whole diff.',
    );
  });

  it('always shows the start of the first file', () => {
    const capped = cappedDiff(changes, 4, '--wide');
    expect(capped.text.split('\n').length - 1).toBe(4);
    expect(capped.text.startsWith('--- a/a.yaml\n+++ b/a.yaml\n')).toBe(true);
    expect(capped.note).toContain('35 more diff line(s) in 2 more files');
  });
});

describe('progress', () => {
  function harness(tty: boolean, intervalMs = 1000) {
    let now = 0;
    const writes: string[] = [];
    const logs: string[] = [];
    const progress = createProgress({
      tty,
      write: (t) => writes.push(t),
      log: (m) => logs.push(m),
      intervalMs,
      now: () => now,
    });
    return { progress, writes, logs, advance: (ms: number) => (now += ms) };
  }

  it('log mode: nothing for a short phase', () => {
    const h = harness(false);
    h.progress.start('files');
    for (let i = 0; i < 100; i++) h.progress.advance();
    h.advance(999);
    h.progress.end();
    h.progress.close();
    expect(h.logs).toEqual([]);
    expect(h.writes).toEqual([]);
  });

  it('log mode: at most one line per interval, then a closing line', () => {
    const h = harness(false);
    h.progress.start('vault', 300);
    for (let i = 0; i < 300; i++) {
      h.advance(10);
      h.progress.advance();
    }
    h.progress.end();
    h.progress.close();
    expect(h.logs).toEqual([
      'Reading Vault metadata: 100 of 300 secret(s) (1 s)',
      'Reading Vault metadata: 200 of 300 secret(s) (2 s)',
      'Reading Vault metadata: 300 of 300 secret(s) (3 s)',
      'Reading Vault metadata: done, 300 secret(s) in 3 s',
    ]);
  });

  it('log mode: a phase whose items are not counted (a push, a Git-backed read) says its total or its time', () => {
    const h = harness(false);
    h.progress.start('files');
    h.advance(1500);
    h.progress.advance(0);
    h.progress.end();
    h.progress.start('write', 8);
    h.advance(1000);
    h.progress.advance(0);
    h.progress.end();
    h.progress.start('push');
    h.advance(2000);
    h.progress.advance(0);
    h.progress.end();
    h.progress.close();
    expect(h.logs).toEqual([
      'Reading manifests (2 s)',
      'Reading manifests: done in 2 s',
      'Writing the commit: 8 file(s) (1 s)',
      'Writing the commit: done, 8 file(s) in 1 s',
      'Pushing (2 s)',
      'Pushing: done in 2 s',
    ]);
  });

  it('terminal mode: one line redrawn in place after a delay, wiped at the end; log lines pass above it', () => {
    const h = harness(true);
    h.progress.start('files');
    h.progress.advance();
    expect(h.writes).toEqual([]); // not yet: short phases print nothing
    h.advance(400);
    h.progress.advance();
    expect(h.writes).toEqual(['\r\x1b[2KReading manifests: 2 file(s) (0 s)']);
    h.progress.above('a log line\n');
    expect(h.writes.slice(1)).toEqual([
      '\r\x1b[2K',
      'a log line\n',
      '\r\x1b[2KReading manifests: 2 file(s) (0 s)',
    ]);
    h.progress.end();
    expect(h.writes.at(-1)).toBe('\r\x1b[2K');
    h.progress.close();
  });
});
