/**
 * Progress on stderr for the long phases of a run (reading manifests, reading Vault metadata, writing the
 * commit, pushing). On a terminal: one line redrawn in place and wiped when the phase ends. Elsewhere (CI
 * logs, files): a plain log line at most once per interval, so a minutes-long run shows it is alive
 * without flooding the log. A phase shorter than the delay prints nothing at all. Never stdout: stdout
 * carries only the report.
 *
 * No library: a progress bar package would add a dependency for some thirty lines of `\r` handling, and
 * the log mode must go through the run's logger anyway (text or JSON lines, redaction).
 */
import type { Progress, ProgressPhase } from './core/ports.js';

export interface ProgressOptions {
  /** stderr is a terminal: redraw one line in place; else write log lines. */
  tty: boolean;
  /** Raw stderr writes (terminal mode). */
  write: (text: string) => void;
  /** One log line (log mode), through the run's logger. */
  log: (msg: string, data: Record<string, unknown>) => void;
  /** Log mode: the least time between two lines, and before the first one (default 5 s). */
  intervalMs?: number;
  /** Terminal mode: the time before the line appears (default 300 ms). */
  delayMs?: number;
  /** Terminal width: the line is cut to it so that it never wraps. */
  columns?: number;
  now?: () => number;
}

/** A {@link Progress} that prints, and lets log lines pass without tearing its terminal line. */
export interface ProgressReporter extends Progress {
  /** Writes `text` (whole lines) to stderr above the progress line. */
  above(text: string): void;
  /** Ends any phase and stops the timer. */
  close(): void;
}

export const DEFAULT_PROGRESS_INTERVAL_MS = 5_000;

/** What each phase is called, what it counts, and whether its items are counted as they finish. */
const PHASES: Record<ProgressPhase, { label: string; unit: string | null; counted: boolean }> = {
  files: { label: 'Reading manifests', unit: 'file', counted: true },
  vault: { label: 'Reading Vault metadata', unit: 'secret', counted: true },
  write: { label: 'Writing the commit', unit: 'file', counted: false },
  push: { label: 'Pushing', unit: null, counted: false },
};

/**
 * @example
 * const progress = createProgress({ tty: process.stderr.isTTY === true, write: (t) => process.stderr.write(t),
 *   log: (m, d) => logger.info(m, d) });
 * progress.start('files'); ...; progress.advance(); ...; progress.end();
 */
export function createProgress(opts: ProgressOptions): ProgressReporter {
  const now = opts.now ?? Date.now;
  const interval = Math.max(1, opts.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
  const delay = opts.delayMs ?? 300;
  let phase: { name: ProgressPhase; total: number | null; done: number; started: number } | null = null;
  let lastShown = 0;
  let shown = false; // terminal: the line is on screen; log: a line was written for this phase
  let timer: ReturnType<typeof setInterval> | null = null;

  const seconds = () => (phase ? Math.round((now() - phase.started) / 1000) : 0);
  const text = () => {
    if (!phase) return '';
    const { label, unit, counted } = PHASES[phase.name];
    // Items are counted once an adapter reports them; until then (or for a source that does not) the
    // total is all there is to say.
    const count =
      unit === null
        ? ''
        : counted && phase.done > 0
          ? ` ${phase.done}${phase.total !== null ? ` of ${phase.total}` : ''} ${unit}(s)`
          : phase.total !== null
            ? ` ${phase.total} ${unit}(s)`
            : '';
    return `${label}${count ? `:${count}` : ''} (${seconds()} s)`;
  };
  const clearLine = () => {
    if (opts.tty && shown) opts.write('\r\x1b[2K');
  };
  const draw = () => {
    const line = text();
    opts.write(`\r\x1b[2K${opts.columns ? line.slice(0, opts.columns - 1) : line}`);
    shown = true;
  };
  const data = () =>
    phase
      ? {
          phase: phase.name,
          done: phase.done,
          ...(phase.total !== null ? { total: phase.total } : {}),
          seconds: seconds(),
        }
      : {};

  /** Prints when due: called on every advance and by the timer. */
  const maybeShow = () => {
    if (!phase) return;
    const t = now();
    if (opts.tty) {
      if (t - phase.started < delay || (shown && t - lastShown < 100)) return;
      lastShown = t;
      draw();
    } else if (t - lastShown >= interval) {
      lastShown = t;
      shown = true;
      opts.log(text(), data());
    }
  };

  const stopTimer = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };

  const reporter: ProgressReporter = {
    start(name, total) {
      if (phase) reporter.end();
      phase = { name, total: total ?? null, done: 0, started: now() };
      lastShown = phase.started;
      shown = false;
      // Wakes up during long silent waits (a push), so the elapsed time still shows.
      timer = setInterval(maybeShow, opts.tty ? 250 : interval);
      timer.unref?.();
    },
    advance(n = 1) {
      if (!phase) return;
      phase.done += n;
      maybeShow();
    },
    end() {
      if (!phase) return;
      stopTimer();
      if (opts.tty) clearLine();
      else if (shown) {
        const { label, unit, counted } = PHASES[phase.name];
        const n = counted && phase.done > 0 ? phase.done : phase.total;
        opts.log(
          `${label}: done${unit === null || n === null ? '' : `, ${n} ${unit}(s)`} in ${seconds()} s`,
          data(),
        );
      }
      phase = null;
      shown = false;
    },
    above(line) {
      if (opts.tty && shown) {
        opts.write('\r\x1b[2K');
        opts.write(line);
        draw();
      } else opts.write(line);
    },
    close() {
      reporter.end();
      stopTimer();
    },
  };
  return reporter;
}
