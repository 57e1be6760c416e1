/**
 * The small interfaces the core owns and the adapters implement (STYLE.md "Three rings").
 * Adapters never call each other; only the orchestrator (src/pipeline.ts) sees them all.
 */
import type { Problem, RepoFile, SecretStatus } from './model.js';

/** Reads Vault KV v2 metadata. One status per requested path; throws only for run-level failures. */
export interface SecretReader {
  /**
   * @param paths normalised `mount/path` strings (see secret-path.ts); duplicates are read once.
   * @param environment the config `environments` entry whose Vault holds them (null or absent: the
   *   top-level `vault`); a reader for one Vault ignores it.
   * @param namespace the Vault Enterprise namespace the manifests name for them (null or absent: the
   *   configured one); a reader for one namespace ignores it.
   * @returns a status per input path; `status.path` is the canonical `mount/path` after mount detection.
   */
  read(
    paths: readonly string[],
    environment?: string | null,
    namespace?: string | null,
  ): Promise<Map<string, SecretStatus>>;
}

/** Supplies the manifest files of a repository (working tree, or Git objects of a shallow clone). */
export interface ManifestSource {
  /**
   * @param accept true for a repo-relative POSIX path that include/exclude select.
   * Files that cannot be read (symlink out of the repo, not UTF-8, ...) come back as problems.
   */
  load(accept: (path: string) => boolean): Promise<{ files: RepoFile[]; problems: Problem[] }>;
}

/** A clock, injected so the core never calls Date.now(). */
export type Clock = () => Date;

/** Structured logger (stderr). Messages quote the values they mention; never tokens or secret values. */
export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
