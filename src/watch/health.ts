/**
 * `/healthz`: healthy while a poll has succeeded within the last three intervals. Counted from the start,
 * so a watcher that never reaches Vault turns unhealthy after three intervals, and one that comes back
 * turns healthy with its next good poll; a single slow or failed poll never restarts the pod.
 */
import type { Clock } from '../core/ports.js';

export const UNHEALTHY_AFTER_INTERVALS = 3;

export class Health {
  private lastGood: number;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock,
  ) {
    this.lastGood = clock().getTime();
  }

  pollSucceeded(): void {
    this.lastGood = this.clock().getTime();
  }

  /** Whether the watcher is healthy now, and the line `/healthz` answers with. */
  check(): { ok: boolean; message: string } {
    const age = this.clock().getTime() - this.lastGood;
    const limit = UNHEALTHY_AFTER_INTERVALS * this.intervalMs;
    const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;
    return age <= limit
      ? { ok: true, message: `ok: last successful poll ${seconds(age)} ago` }
      : {
          ok: false,
          message: `unhealthy: no successful poll for ${seconds(age)} (limit ${seconds(limit)}: ${UNHEALTHY_AFTER_INTERVALS} intervals)`,
        };
  }
}
