/**
 * One error base class with a stable `code` (isomorphic-git style). Messages say what failed, which input,
 * and what to do next; they are built from parts, never from raw HTTP bodies.
 */
export class VaultRolloutError extends Error {
  readonly code: string;
  readonly data: Record<string, unknown>;
  /** Exit code the edges map this error to (1 for errors: docs/exit-codes.md). */
  readonly exitCode: number = 1;

  constructor(code: string, message: string, data: Record<string, unknown> = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.data = data;
  }
}

/** Bad config file or bad flags. */
export class ConfigError extends VaultRolloutError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('ConfigError', message, data);
  }
}

/** Vault unreachable, sealed, or authentication failed (run-level, exit 1). */
export class VaultError extends VaultRolloutError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('VaultError', message, data);
  }
}

/** Git failures (clone, push rejected after retries, ...). */
export class GitError extends VaultRolloutError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('GitError', message, data);
  }
}
