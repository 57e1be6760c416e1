/** The fast-path agreement both fast-edit suites check: when the fast path writes, the full editor agrees. */
import { expect } from 'vitest';

import { applyAnnotationEdits, type AnnotationEdit } from '../../src/core/yaml/edit-annotations.js';
import { fastAnnotationEdits } from '../../src/core/yaml/fast-edit.js';

export interface FastStats {
  cases: number;
  fast: number;
}

/** Runs both editors; when the fast path applies, its bytes must equal the full editor's. */
export function checkFastPath(stats: FastStats, text: string, edits: AnnotationEdit[]): string | null {
  stats.cases++;
  const fast = fastAnnotationEdits(text, edits);
  const full = applyAnnotationEdits(text, edits);
  if (fast !== null) {
    stats.fast++;
    expect(full.ok, `the full editor refused what the fast path wrote:\n${fast}`).toBe(true);
    if (full.ok) expect(fast).toBe(full.text);
  }
  return fast;
}
