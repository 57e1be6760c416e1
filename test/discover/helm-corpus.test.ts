/**
 * Every Helm-based app in the real-world corpus (test/support/corpus.ts: Flux HelmReleases, Argo CD
 * Applications, chart values files such as podinfo's and bank-vaults' `values.yaml`): insert the record and
 * the chart's pod-annotations trigger, then update both, and check that only those lines (and the keys
 * created to hold them) changed and the data is the original plus the two annotations.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { diffLines } from 'diff';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_POD_ANNOTATIONS, readChartTarget } from '../../src/core/discover/charts.js';
import { parseManifests } from '../../src/core/discover/parse.js';
import { targetPath } from '../../src/core/discover/workloads.js';
import type { Workload } from '../../src/core/model.js';
import { expectedObject } from '../../src/core/plan/plan.js';
import { applyAnnotationEdits, type AnnotationEdit } from '../../src/core/yaml/edit-annotations.js';
import { CORPUS, CORPUS_PRESENT, listYaml } from '../support/corpus.js';

const corpus = CORPUS;
const present = CORPUS_PRESENT;

const KEY = 'vault-rollout/secret-versions';
const V1 = 'kv/app/api@3,kv/app/db@7';
const V2 = 'kv/app/api@4,kv/app/db@7';

const files = present
  ? listYaml(corpus).map((f) => ({
      path: path.relative(corpus, f).split(path.sep).join('/'),
      text: readFileSync(f, 'utf8'),
    }))
  : [];

/** The Helm-based apps of one file, as discovery reads them with default options. */
function targets(file: { path: string; text: string }): { workload: Workload; unsupported: boolean }[] {
  const parsed = parseManifests([file], undefined, () => true);
  const count = parsed.documents.length;
  return parsed.documents.flatMap((doc) => {
    const view = readChartTarget(doc, count, {
      prefix: 'vault-rollout',
      podAnnotations: () => DEFAULT_POD_ANNOTATIONS,
      selectedByRule: () => false,
  namedValues: () => false,
    });
    return view ? [{ workload: view.workload, unsupported: view.unsupported !== undefined }] : [];
  });
}

function edits(ws: readonly Workload[], value: string): AnnotationEdit[] {
  return ws.flatMap((w) =>
    [w.record, w.trigger].map((t) => {
      const expect = expectedObject(w.kind, w.name);
      return {
        document: w.document,
        mapPath: t.mapPath,
        within: t.within,
        key: KEY,
        value,
        ...(expect ? { expect } : {}),
      };
    }),
  );
}

function expectedData(text: string, ws: readonly Workload[], value: string): unknown[] {
  const data = parseAllDocuments(text).map((d) => d.toJS() as unknown);
  for (const w of ws) {
    for (const t of [w.record, w.trigger]) {
      let obj = data[w.document] as Record<string | number, unknown>;
      for (const step of targetPath(t)) {
        obj[step] ??= {};
        obj = obj[step] as Record<string | number, unknown>;
      }
      obj[KEY] = value;
    }
  }
  return data;
}

function changed(before: string, after: string): string[] {
  return diffLines(before, after).flatMap((part) =>
    part.added || part.removed ? part.value.replace(/\n$/, '').split('\n') : [],
  );
}

/** A line the edit may add: the annotation, or a key created to hold it (or `{}` turned into a block). */
const allowed = (line: string) =>
  line.includes(KEY) ||
  /^\s*(metadata|annotations|values|helm|valuesObject|podAnnotations)\s*:\s*(\{\})?\s*$/.test(line);

const stats = {
  HelmRelease: 0,
  Application: 0,
  HelmValues: 0,
  unsupported: [] as string[],
  files: new Set<string>(),
};

describe.skipIf(!present)('corpus: every Helm-based app, insert then update', () => {
  afterAll(() => {
    console.log(
      `helm corpus: ${stats.HelmRelease} HelmRelease, ${stats.Application} Application, ${stats.HelmValues} values ` +
        `files in ${stats.files.size} files, all covered; left alone (no Helm source or string values): ` +
        `${stats.unsupported.join(', ') || 'none'}`,
    );
  });

  const withTargets = files.filter((f) => targets(f).length > 0);

  it('finds the HelmReleases, Applications and values files SOURCES.md lists', () => {
    expect(withTargets.length).toBeGreaterThanOrEqual(10);
    const kinds = new Set(withTargets.flatMap((f) => targets(f).map((t) => t.workload.kind)));
    expect([...kinds].sort()).toEqual(['Application', 'HelmRelease', 'HelmValues']);
  });

  it.each(withTargets.map((f) => [f.path, f] as const))('%s', (_name, file) => {
    const found = targets(file);
    for (const t of found.filter((x) => x.unsupported))
      stats.unsupported.push(`${t.workload.kind}/${t.workload.name}`);
    const ws = found.filter((t) => !t.unsupported).map((t) => t.workload);
    if (ws.length === 0) return;
    stats.files.add(file.path);
    const first = applyAnnotationEdits(file.text, edits(ws, V1));
    if (!first.ok) throw new Error(first.message);
    for (const line of changed(file.text, first.text)) expect(allowed(line), `changed: ${line}`).toBe(true);
    expect(parseAllDocuments(first.text).map((d) => d.toJS() as unknown)).toEqual(
      expectedData(file.text, ws, V1),
    );

    const second = applyAnnotationEdits(first.text, edits(ws, V2));
    if (!second.ok) throw new Error(second.message);
    const step2 = changed(first.text, second.text);
    for (const line of step2) expect(line.includes(KEY), `changed: ${line}`).toBe(true);
    expect(step2.length).toBe(ws.length * 2 * 2);
    expect(parseAllDocuments(second.text).map((d) => d.toJS() as unknown)).toEqual(
      expectedData(file.text, ws, V2),
    );
    expect(applyAnnotationEdits(second.text, edits(ws, V2))).toEqual({ ok: true, text: second.text });
    for (const w of ws) stats[w.kind as 'HelmRelease' | 'Application' | 'HelmValues']++;
  });
});
