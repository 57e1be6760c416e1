/**
 * Size limits shared by the file adapters and the pipeline. Pure: numbers in, a problem out.
 */
import type { Problem } from './model.js';

/** Reading limits a manifest source honours. */
export interface LoadLimits {
  /** Files larger than this many bytes are reported and not read (`maxFileBytes`). */
  maxFileBytes?: number;
}

/** The problem reported for a manifest file over `maxFileBytes`; it is skipped, never read or edited. */
export function oversizeProblem(file: string, size: number, limit: number): Problem {
  return {
    file,
    severity: 'warning',
    message: `file is ${size} bytes, over the maxFileBytes limit of ${limit} bytes: skipped (raise maxFileBytes in the config to read it)`,
  };
}
