/**
 * The watch loop, one step after another until stopped:
 *
 *     fetch the repository ─▶ head moved? ──────────────▶ run
 *     poll the referenced secrets' metadata ─▶ changed? ─▶ wait the coalescing window ─▶ run
 *     sleep until the next jittered interval
 *
 * A run is `apply` itself (the `run` dependency): it reads every referenced secret again, plans and
 * publishes, and its report becomes the new baseline, so changes that arrived during the coalescing
 * window are in the same commit and are not seen as changes again. A failed poll changes nothing; a
 * failed run is tried again at the next interval. Stopping lets the step in progress finish (a publish in
 * flight is completed), then the loop returns.
 */
import { ConfigError } from '../core/errors.js';
import type { RunReport, SecretStatus } from '../core/model.js';
import type { Clock, Logger, SecretReader } from '../core/ports.js';
import type { Health } from './health.js';
import type { WatchMetrics } from './metrics.js';
import {
  byReader,
  referencedSecrets,
  secretKey,
  statusFingerprint,
  type ReferencedSecret,
} from './referenced.js';

/** Polls start between 80 % and 100 % of the interval after the previous one started. */
const JITTER = 0.2;
/**
 * After failed polls the next one waits 2, then 4 intervals (Vault down or rate limiting: each poll's
 * requests are already retried with backoff); the first good poll returns to the interval.
 */
const MAX_BACKOFF_INTERVALS = 4;

export interface WatcherDeps {
  intervalMs: number;
  coalesceMs: number;
  /** One `apply` run on the kept repository. */
  run: () => Promise<RunReport>;
  /** Fetches the repository; true when its head moved. */
  fetch: () => Promise<boolean>;
  /** The readers polls use, built from the repository's current config (rebuilt after each run). */
  makeReaders: () => Promise<SecretReader & { close(): Promise<void> }>;
  /** Told about each finished run (the CLI prints the report of one that published). */
  onRun?: (report: RunReport) => void;
  metrics: WatchMetrics;
  health: Health;
  logger: Logger;
  clock: Clock;
  random?: () => number;
}

type Baseline = Map<string, { ref: ReferencedSecret; seen: string }>;

export class Watcher {
  private baseline: Baseline | null = null;
  /** A run is due: a secret moved, the head moved, a restart was deferred or the last run failed. */
  private pending = true;
  private readers: (SecretReader & { close(): Promise<void> }) | null = null;
  private stopping = false;
  /** Polls failed in a row. */
  private failedPolls = 0;
  private wake: (() => void) | null = null;
  private readonly random: () => number;

  constructor(private readonly d: WatcherDeps) {
    this.random = d.random ?? Math.random;
  }

  /** Asks the loop to return after the step in progress. */
  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  /**
   * Runs until {@link stop}. Throws only a ConfigError of the first run (the watcher cannot start with
   * that config); every later failure is logged, counted and tried again.
   */
  async run(): Promise<void> {
    let first = true;
    while (!this.stopping) {
      const started = this.d.clock().getTime();
      if (this.baseline !== null) {
        await this.fetchRepository();
        if (!this.pending && !this.stopping) await this.poll();
      }
      if (this.pending && !this.stopping) {
        if (this.baseline !== null) await this.sleep(this.d.coalesceMs);
        if (!this.stopping) await this.runOnce(first);
        first = false;
      }
      const backoff = Math.min(2 ** this.failedPolls, MAX_BACKOFF_INTERVALS);
      const next = started + this.d.intervalMs * backoff * (1 - JITTER * this.random());
      await this.sleep(next - this.d.clock().getTime());
    }
  }

  async close(): Promise<void> {
    await this.readers?.close();
    this.readers = null;
  }

  private async fetchRepository(): Promise<void> {
    try {
      if (await this.d.fetch()) {
        this.d.logger.info('The base branch moved: reading the manifests again');
        this.pending = true;
      }
    } catch (e) {
      this.d.logger.warn(`Fetching the repository failed (${message(e)}); trying again at the next interval`);
    }
  }

  /** Reads the metadata of every referenced secret once; a changed fingerprint makes a run due. */
  private async poll(): Promise<void> {
    const baseline = this.baseline as Baseline;
    const end = this.d.metrics.pollDuration.startTimer();
    try {
      this.readers ??= await this.d.makeReaders();
      const statuses: SecretStatus[] = [];
      const changed: string[] = [];
      for (const group of byReader([...baseline.values()].map((b) => b.ref)).values()) {
        const { environment, namespace } = group[0] as ReferencedSecret;
        const read = await this.readers.read(
          group.map((r) => r.path),
          environment,
          namespace,
        );
        for (const ref of group) {
          const status = read.get(ref.path);
          if (!status) continue;
          statuses.push(status);
          const was = baseline.get(secretKey(ref))?.seen;
          const now = statusFingerprint(status);
          if (was !== now) changed.push(`"${ref.path}" ${was} -> ${now}`);
        }
      }
      this.failedPolls = 0;
      this.d.metrics.polls.inc({ result: 'success' });
      this.d.metrics.setSecretStates(statuses);
      this.d.metrics.lastPoll.set(this.d.clock().getTime() / 1000);
      this.d.health.pollSucceeded();
      if (changed.length > 0) {
        this.d.logger.info(`Vault changed: ${changed.join(', ')}`);
        this.pending = true;
      }
    } catch (e) {
      this.failedPolls += 1;
      this.d.metrics.polls.inc({ result: 'failure' });
      this.d.logger.warn(`Polling Vault failed (${message(e)}); trying again at the next interval`);
      // A reader whose login failed stays failed: the next poll logs in again.
      await this.close().catch(() => {});
    } finally {
      end();
    }
  }

  /** One `apply`; its report is the new baseline. */
  private async runOnce(first: boolean): Promise<void> {
    const end = this.d.metrics.publishDuration.startTimer();
    try {
      const report = await this.d.run();
      this.baseline = referencedSecrets(report);
      this.failedPolls = 0;
      // Restarts held back by the rollout limits are published by a later run, as the CronJob's next one would.
      this.pending = (report.summary.deferred ?? 0) > 0;
      const now = this.d.clock().getTime() / 1000;
      if (report.commit !== null || report.pullRequest !== null)
        this.d.metrics.restartsPublished.inc(report.summary.restart);
      this.d.metrics.blockedWorkloads.set(report.summary.blocked);
      this.d.metrics.referenced.set(this.baseline.size);
      this.d.metrics.lastPublish.set(now);
      // The run read every referenced secret: that is a successful poll too.
      this.d.metrics.lastPoll.set(now);
      this.d.health.pollSucceeded();
      // The config may have changed with the manifests: the next poll builds its readers from it.
      await this.close();
      this.d.onRun?.(report);
    } catch (e) {
      if (first && e instanceof ConfigError) throw e;
      this.pending = true;
      this.d.metrics.publishFailures.inc();
      this.d.logger.error(`The run failed (${message(e)}); trying again at the next interval`);
    } finally {
      end();
    }
  }

  /** Waits `ms`, or less when stopped. */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
