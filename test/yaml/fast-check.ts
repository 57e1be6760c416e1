/** The fast-path agreement both fast-edit suites check: when the fast path writes, the full editor agrees. */
import { expect } from 'vitest';

import { applyAnnotationEdits, type AnnotationEdit } from '../../src/core/yaml/edit-annotations.js';
import { fastAnnotationEdits } from '../../src/core/yaml/fast-edit.js';

export interface FastStats {
  cases: number;
  fast: number;
}

/**
 * Full-editor refusals that are never a property of the input: `VERIFY_FAILED` (the editor wrote text that
 * does not read back as the edit) and `INTERNAL` (it threw). Either means an editor bug, so a case that
 * both editors decline must not end in one (the insertion-order bug of a values file ending in
 * `podAnnotations` hid that way: the fast path stepped aside and the full editor failed its own check).
 */
const EDITOR_BUGS = new Set(['VERIFY_FAILED', 'INTERNAL']);

/**
 * Runs both editors; when the fast path applies, its bytes must equal the full editor's, and whatever the
 * fast path does, the full editor may refuse the input but not fail its own check.
 */
export function checkFastPath(stats: FastStats, text: string, edits: AnnotationEdit[]): string | null {
  stats.cases++;
  const fast = fastAnnotationEdits(text, edits);
  const full = applyAnnotationEdits(text, edits);
  if (!full.ok) {
    expect(
      EDITOR_BUGS.has(full.code ?? ''),
      `the full editor failed its own check (${full.code}: ${full.message}) on:\n${text}\nedits: ${JSON.stringify(edits)}`,
    ).toBe(false);
  }
  if (fast !== null) {
    stats.fast++;
    expect(full.ok, `the full editor refused what the fast path wrote:\n${fast}`).toBe(true);
    if (full.ok) expect(fast).toBe(full.text);
  }
  return fast;
}
