/**
 * Every workload in the real-world corpus (test/support/corpus.ts says where it is): insert the record and the
 * trigger, then update both, and check that only annotation lines changed and the data is the original plus the
 * annotations. Files that do not parse must be refused, never rewritten, never crash.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { diffLines } from 'diff';
import { afterAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, parseAllDocuments } from 'yaml';
import { applyAnnotationEdits, type AnnotationEdit } from '../../src/core/yaml/edit-annotations.js';
import { CORPUS, CORPUS_PRESENT, listYaml } from '../support/corpus.js';

const corpus = CORPUS;
const present = CORPUS_PRESENT;

const KEY = 'vault-rollout/secret-versions';
const V1 = 'kv/app/api@3,kv/app/db@7';
const V2 = 'kv/app/api@4,kv/app/db@7';
const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Rollout']);

const files = present ? listYaml(corpus) : [];

/** `logLevel: 'error'`: one valid file has a flow map as a key, and toJS() would warn about it on stderr. */
const parse = (text: string) => parseAllDocuments(text, { logLevel: 'error' });

const stats = {
  files: 0,
  valid: 0,
  workloadKindDocs: 0,
  workloads: 0,
  covered: 0,
  withoutTemplate: [] as string[],
  invalid: new Map<string, number>(),
};

interface Target {
  document: number;
  templatePath: string[];
}

/** Workload documents whose pod template is a map (docs/annotations.md "Where the trigger goes"). */
function findTargets(text: string): Target[] {
  const targets: Target[] = [];
  parse(text).forEach((doc, document) => {
    const kind = doc.get('kind');
    const templatePath =
      kind === 'CronJob'
        ? ['spec', 'jobTemplate', 'spec', 'template']
        : typeof kind === 'string' && TEMPLATE_KINDS.has(kind)
          ? ['spec', 'template']
          : null;
    if (!templatePath || !isMap(doc.contents)) return;
    stats.workloadKindDocs++;
    if (isMap(doc.getIn(templatePath))) targets.push({ document, templatePath });
    else stats.withoutTemplate.push(`${String(kind)} in document ${document}`);
  });
  return targets;
}

/** Paths of every map reachable through string keys, skipping what the edit itself writes. */
function mapPaths(node: unknown, at: string[]): string[][] {
  if (!isMap(node)) return [];
  const out = [at];
  for (const pair of node.items) {
    const key: unknown = isScalar(pair.key) ? pair.key.value : null;
    if (typeof key === 'string' && key !== 'metadata' && key !== 'annotations') {
      out.push(...mapPaths(pair.value, [...at, key]));
    }
  }
  return out;
}

function editsFor(targets: readonly Target[], value: string): AnnotationEdit[] {
  return targets.flatMap((t) => [
    { document: t.document, mapPath: [], key: KEY, value },
    { document: t.document, mapPath: t.templatePath, key: KEY, value },
  ]);
}

function expectedData(text: string, targets: readonly Target[], value: string): unknown[] {
  const data = parse(text).map((d) => d.toJS() as unknown);
  for (const t of targets) {
    for (const mapPath of [[], t.templatePath]) {
      let obj = data[t.document] as Record<string, unknown>;
      for (const step of [...mapPath, 'metadata', 'annotations']) {
        obj[step] ??= {};
        obj = obj[step] as Record<string, unknown>;
      }
      obj[KEY] = value;
    }
  }
  return data;
}

/** Lines (without their line break) that a line diff shows as removed and added. */
function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const removed: string[] = [];
  const added: string[] = [];
  for (const part of diffLines(before, after)) {
    if (!part.added && !part.removed) continue;
    const lines = part.value.split('\n').map((l) => l.replace(/\r$/, ''));
    if (part.value.endsWith('\n')) lines.pop();
    (part.added ? added : removed).push(...lines);
  }
  return { removed, added };
}

const isAnnotationLine = (line: string): boolean => line.includes(KEY);
const isCreatedKeyLine = (line: string): boolean => /^\s*(["']?)(metadata|annotations)\1\s*:/.test(line);

/** The last line of a file without a final newline shows up as changed when a line is appended after it. */
function lastLineWithoutNewline(text: string): string | null {
  if (text.endsWith('\n') || text === '') return null;
  return text.slice(text.lastIndexOf('\n') + 1).replace(/\r$/, '');
}

function expectSameFraming(before: string, after: string): void {
  expect(after.endsWith('\n')).toBe(before.endsWith('\n'));
  expect(after.startsWith('\ufeff')).toBe(before.startsWith('\ufeff'));
  const bareLf = (s: string): number => (s.match(/(?<!\r)\n/g) ?? []).length;
  if (before.includes('\r\n') && bareLf(before) === 0) expect(bareLf(after)).toBe(0);
  if (!before.includes('\r')) expect(after.includes('\r')).toBe(false);
}

describe.skipIf(!present)('corpus: every workload, insert then update', () => {
  afterAll(() => {
    const invalid = [...stats.invalid].map(([code, n]) => `${code} ${n}`).join(', ');
    const total = [...stats.invalid.values()].reduce((a, b) => a + b, 0);
    console.log(
      `corpus: ${stats.files} files scanned, ${stats.valid} valid; ${stats.covered}/${stats.workloads} workloads ` +
        `covered (${stats.workloadKindDocs} workload-kind documents, ${stats.withoutTemplate.length} without a pod ` +
        `template map); ${total} files reported invalid (${invalid})`,
    );
  });

  it.each(files.map((f) => [path.relative(corpus, f), f]))('%s', (_name, file) => {
    stats.files++;
    const text = readFileSync(file, 'utf8');
    const invalid = parse(text).some((d) => d.errors.length > 0);
    if (invalid) {
      const r = applyAnnotationEdits(text, [{ document: 0, mapPath: [], key: KEY, value: V1 }]);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.line).toBeGreaterThan(0);
        const category = `${r.code ?? 'unknown'}${/\{\{|\{%/.test(text) ? ' (template)' : ''}`;
        stats.invalid.set(category, (stats.invalid.get(category) ?? 0) + 1);
      }
      return;
    }
    stats.valid++;
    const targets = findTargets(text);
    stats.workloads += targets.length;
    if (targets.length === 0) return;

    // (a) insert (or update, where the corpus already has the key) the record and the trigger
    const first = applyAnnotationEdits(text, editsFor(targets, V1));
    if (!first.ok) throw new Error(first.message);
    const step1 = changedLines(text, first.text);
    const eofLine = lastLineWithoutNewline(text);
    for (const line of step1.removed) {
      expect(isAnnotationLine(line) || isCreatedKeyLine(line) || line === eofLine, `removed: ${line}`).toBe(
        true,
      );
    }
    for (const line of step1.added) {
      expect(isAnnotationLine(line) || isCreatedKeyLine(line) || line === eofLine, `added: ${line}`).toBe(
        true,
      );
    }
    expect(step1.added.filter(isAnnotationLine).length).toBeGreaterThanOrEqual(1);
    expectSameFraming(text, first.text);
    expect(parse(first.text).map((d) => d.toJS() as unknown)).toEqual(expectedData(text, targets, V1));

    // (b) update both with a different value: only the annotation lines change
    const second = applyAnnotationEdits(first.text, editsFor(targets, V2));
    if (!second.ok) throw new Error(second.message);
    const step2 = changedLines(first.text, second.text);
    for (const line of [...step2.removed, ...step2.added]) {
      expect(isAnnotationLine(line), `changed: ${line}`).toBe(true);
    }
    expect(step2.added.length).toBe(step2.removed.length);
    expectSameFraming(text, second.text);
    expect(parse(second.text).map((d) => d.toJS() as unknown)).toEqual(expectedData(text, targets, V2));

    // (c) nothing new: nothing changes
    expect(applyAnnotationEdits(second.text, editsFor(targets, V2))).toEqual({ ok: true, text: second.text });

    stats.covered += targets.length;
  });

  it('accepts the annotation under string-keyed maps of every valid document, touching only its lines', () => {
    let edits = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const docs = parse(text);
      if (docs.some((d) => d.errors.length > 0)) continue;
      const eofLine = lastLineWithoutNewline(text);
      const all = docs.flatMap((doc, document) =>
        mapPaths(doc.contents, []).map((mapPath) => ({ document, mapPath })),
      );
      // At most 40 maps per file, evenly spread: each edit re-parses the whole file, and one corpus file has 35
      // documents.
      const picked = all.filter((_, i) => all.length <= 40 || i % Math.ceil(all.length / 40) === 0);
      for (const { document, mapPath } of picked) {
        const r = applyAnnotationEdits(text, [{ document, mapPath, key: KEY, value: V1 }]);
        if (!r.ok) throw new Error(`${file} document ${document} ${mapPath.join('.')}: ${r.message}`);
        const { removed, added } = changedLines(text, r.text);
        for (const line of [...removed, ...added]) {
          // `x: {}` as the target itself is filled in place: that line changes too.
          const ok =
            isAnnotationLine(line) || isCreatedKeyLine(line) || line === eofLine || /\{\s*\}$/.test(line);
          expect(ok, `${file} ${mapPath.join('.')}: ${line}`).toBe(true);
        }
        edits++;
      }
    }
    console.log(`corpus: ${edits} single edits under maps at every depth verified`);
    expect(edits).toBeGreaterThan(1000);
  });

  it('covered every workload document that has a pod template', () => {
    expect(stats.files).toBe(files.length);
    expect(stats.covered).toBe(stats.workloads);
    expect(stats.workloads).toBeGreaterThan(100);
  });
});
