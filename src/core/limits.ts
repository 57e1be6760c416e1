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

/**
 * Bounds on one request to a remote service: a total deadline from sending to the last byte of the answer
 * (an idle timeout alone lets a server that sends one byte every few seconds hold a run for ever), and
 * the most bytes read from the answer.
 */
export interface RequestLimits {
  timeoutMs: number;
  maxResponseBytes: number;
}

/**
 * Git: a clone of a large repository takes minutes, and one git child's output (a pack, `cat-file` of
 * every manifest) can reach hundreds of MiB.
 */
export const DEFAULT_GIT_LIMITS: Readonly<RequestLimits> = {
  timeoutMs: 10 * 60_000,
  maxResponseBytes: 1024 * 1024 * 1024,
};

/** GitHub: a REST answer (a pull request, a tree, a ref) is small; GitHub itself stops a request at 10 s. */
export const DEFAULT_GITHUB_LIMITS: Readonly<RequestLimits> = {
  timeoutMs: 60_000,
  maxResponseBytes: 64 * 1024 * 1024,
};

/** The limits a config block (`git:` or `github:`) sets, the defaults for what it leaves out. */
export function requestLimits(
  block: { timeoutSeconds?: number | undefined; maxResponseBytes?: number | undefined } | undefined,
  defaults: Readonly<RequestLimits>,
): RequestLimits {
  return {
    timeoutMs: block?.timeoutSeconds !== undefined ? block.timeoutSeconds * 1000 : defaults.timeoutMs,
    maxResponseBytes: block?.maxResponseBytes ?? defaults.maxResponseBytes,
  };
}

/**
 * The largest config file read (1 MiB; real configs are a few KiB). Checked before reading or parsing:
 * a 24 MB config took 46 s and 3.5 GB to validate.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;
