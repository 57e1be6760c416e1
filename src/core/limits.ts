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
 * Bounds on building one render root (src/core/discover/kustomize-build.ts). kustomize builds every
 * included folder again each time it is included, so a diamond of small kustomizations (each layer
 * listing both folders of the next) doubles the work per layer; these stop such a root with a problem
 * naming it, and the rest of the run goes on.
 */
export interface RootLimits {
  /** Kustomizations (resources and components) nested inside one another, counting the root. */
  maxDepth: number;
  /** Documents one kustomization builds, with everything it includes. */
  maxDocuments: number;
  /** Bytes of files one kustomization reads, each counted every time it is included. */
  maxBytes: number;
}

/** `kubectl kustomize` builds a chain 5,000 deep; `plan` on one takes 3.5 s, 131 MB peak (bench-graph). */
export const MAX_KUSTOMIZE_DEPTH = 10_000;
/**
 * Far beyond a hand-written root. A diamond whose copies all have their own names reaches it in about
 * 17 layers: stopped there, `plan` takes 6 s, 251 MB peak (bench-graph).
 */
export const MAX_ROOT_DOCUMENTS = 100_000;
/** 256 MiB: about fifty times the `maxFileBytes` default, read over again through includes. */
export const MAX_ROOT_BYTES = 256 * 1024 * 1024;

export const DEFAULT_ROOT_LIMITS: Readonly<RootLimits> = {
  maxDepth: MAX_KUSTOMIZE_DEPTH,
  maxDocuments: MAX_ROOT_DOCUMENTS,
  maxBytes: MAX_ROOT_BYTES,
};

/**
 * The largest config file read (1 MiB; real configs are a few KiB). Checked before reading or parsing:
 * a 24 MB config took 46 s and 3.5 GB to validate.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;
