/**
 * The edit stage: planned workloads → per-file before/after text. Nothing is written here; only the
 * publish step touches disk or Git, so `plan` and `apply --dry-run` show exactly what `apply` writes.
 */
import type { FileChange, PlannedWorkload, Problem } from '../model.js';
import { applyAnnotationEdits, type AnnotationEdit } from '../yaml/edit-annotations.js';
import { fastAnnotationEdits } from '../yaml/fast-edit.js';
import { editsFor } from './plan.js';

export interface ChangeSet {
  changes: FileChange[];
  problems: Problem[];
}

/**
 * Builds one FileChange per file that needs edits. A file whose edit fails verification is left
 * untouched, its workloads become `blocked`, and the failure is reported: never a half-edited file.
 * @param texts the current text of every file that holds a planned workload
 * @param fileData discovery's data of those files (optional; spares the fast path one read)
 */
export function buildChanges(
  planned: PlannedWorkload[],
  texts: ReadonlyMap<string, string>,
  prefix: string,
  fileData?: ReadonlyMap<string, readonly unknown[]>,
): ChangeSet {
  const byFile = new Map<string, { edits: AnnotationEdit[]; workloads: PlannedWorkload[] }>();
  for (const p of planned) {
    const edits = editsFor(p, prefix);
    if (edits.length === 0) continue;
    const entry = byFile.get(p.workload.file) ?? { edits: [], workloads: [] };
    entry.edits.push(...edits);
    entry.workloads.push(p);
    byFile.set(p.workload.file, entry);
  }
  const changes: FileChange[] = [];
  const problems: Problem[] = [];
  for (const [file, { edits, workloads }] of [...byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const before = texts.get(file);
    if (before === undefined) throw new Error(`internal: no text for "${file}"`);
    // The fast path writes the same bytes for the common layout, ~20x faster; else the full editor.
    const fast = fastAnnotationEdits(before, edits, fileData?.get(file));
    const result = fast !== null ? { ok: true as const, text: fast } : applyAnnotationEdits(before, edits);
    if (result.ok) {
      if (result.text !== before) changes.push({ path: file, before, after: result.text });
      continue;
    }
    const problem: Problem = { file, severity: 'error', message: `not edited: ${result.message}` };
    if (result.line !== undefined) problem.line = result.line;
    if (result.column !== undefined) problem.column = result.column;
    problems.push(problem);
    for (const w of workloads) {
      w.action = 'blocked';
      w.newValue = null;
      w.reasons.push(`the file could not be edited safely: ${result.message}`);
    }
  }
  return { changes, problems };
}
