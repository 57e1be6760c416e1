/**
 * The clock `rollout.windows` are checked against, built at the composition root: the system time, or
 * `VAULT_ROLLOUT_NOW` (an ISO 8601 instant such as `2026-12-05T10:00:00Z`). The variable is a test hook,
 * documented in docs/configuration.md: the end-to-end tests run the built CLI "on a Saturday" without
 * faking the process clock, which would also move commit dates and request deadlines.
 */
import { ConfigError } from './core/errors.js';

export const ROLLOUT_NOW_VARIABLE = 'VAULT_ROLLOUT_NOW';

/** The run's rollout clock from its environment; a malformed `VAULT_ROLLOUT_NOW` is a ConfigError. */
export function rolloutClock(env: Record<string, string | undefined>): () => Date {
  const raw = env[ROLLOUT_NOW_VARIABLE]?.trim();
  if (!raw) return () => new Date();
  // A date and a time with a zone: a bare date or local time would depend on the machine's zone.
  const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw)
    ? Date.parse(raw)
    : Number.NaN;
  if (!Number.isFinite(instant))
    throw new ConfigError(
      `${ROLLOUT_NOW_VARIABLE} must be an ISO 8601 instant with a zone, e.g. "2026-12-05T10:00:00Z" (got "${raw}")`,
    );
  return () => new Date(instant);
}
