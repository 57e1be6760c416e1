/**
 * The watch loop with fake runs and readers: changes are coalesced into one run, an unchanged poll runs
 * nothing, a failed poll keeps the last run's baseline and logs in again, a failed run is retried, a
 * moved head is a run, and stop() waits for the run in flight. Plus the flag parsers.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import type { PlannedWorkload, RunReport, SecretStatus } from '../../src/core/model.js';
import { silentLogger } from '../../src/core/ports.js';
import { Health } from '../../src/watch/health.js';
import { WatchMetrics } from '../../src/watch/metrics.js';
import { parseInterval, parseListen } from '../../src/watch/options.js';
import { Watcher } from '../../src/watch/watcher.js';

/** A report whose one workload read `versions` (path → current version). */
function report(versions: Record<string, number>, commit: string | null = null): RunReport {
  const secrets = Object.entries(versions).map(([path, current]) => ({
    path,
    source: 'annotation' as const,
    via: 'vault-rollout/secrets',
    recorded: current,
    current,
    state: 'up-to-date' as const,
    updatedTime: null,
  }));
  const workload = { workload: { environment: null }, secrets, action: 'none' } as unknown as PlannedWorkload;
  return {
    branch: 'main',
    workloads: [workload],
    summary: { workloads: 1, restart: commit ? 1 : 0, record: 0, blocked: 0, unchanged: 1 },
    problems: [],
    changes: [],
    commit,
    pullRequest: null,
  };
}

const flush = () => new Promise((r) => setTimeout(r, 5));

function harness(vault: Record<string, number>) {
  const runs: Record<string, number>[] = [];
  let failPolls = 0;
  let readersMade = 0;
  let moved = false;
  let runGate: Promise<void> | null = null;
  const reads: number[] = [];
  const metrics = new WatchMetrics();
  const watcher = new Watcher({
    intervalMs: 30,
    coalesceMs: 200,
    run: async () => {
      if (runGate) await runGate;
      runs.push({ ...vault });
      return report({ ...vault }, runs.length > 1 ? `c${runs.length}` : null);
    },
    fetch: async () => {
      const m = moved;
      moved = false;
      return m;
    },
    makeReaders: async () => {
      readersMade += 1;
      return {
        read: async (paths: readonly string[]) => {
          reads.push(Date.now());
          if (failPolls > 0) {
            failPolls -= 1;
            throw new Error('Vault is sealed');
          }
          return new Map<string, SecretStatus>(
            paths.map((p) => [p, { state: 'ok', path: p, current: vault[p] ?? 0, updatedTime: null }]),
          );
        },
        close: async () => {},
      };
    },
    metrics,
    health: new Health(30, () => new Date()),
    logger: silentLogger,
    clock: () => new Date(),
    random: () => 0,
  });
  return {
    watcher,
    metrics,
    runs,
    vault,
    reads,
    get readersMade() {
      return readersMade;
    },
    failPolls: (n: number) => (failPolls = n),
    moveHead: () => (moved = true),
    gate: (g: Promise<void> | null) => (runGate = g),
  };
}

const until = async (check: () => boolean, ms = 2_000) => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await flush();
  }
};

describe('Watcher', () => {
  it('runs once at start, then only when a version moves, coalescing changes within the window', async () => {
    const h = harness({ 'kv/a': 1, 'kv/b': 1 });
    const loop = h.watcher.run();
    await until(() => h.runs.length === 1);
    await new Promise((r) => setTimeout(r, 120));
    expect(h.runs).toHaveLength(1);
    h.vault['kv/a'] = 2;
    await new Promise((r) => setTimeout(r, 35));
    // Arrives during the coalescing window of the first change (or before the run reads Vault).
    h.vault['kv/b'] = 2;
    await until(() => h.runs.length === 2);
    await new Promise((r) => setTimeout(r, 120));
    h.watcher.stop();
    await loop;
    expect(h.runs).toEqual([
      { 'kv/a': 1, 'kv/b': 1 },
      { 'kv/a': 2, 'kv/b': 2 },
    ]);
    const text = await h.metrics.text();
    expect(text).toMatch(/vault_rollout_restarts_published_total 1/);
  });

  it('a failed poll changes nothing and builds new readers; a moved head is a run', async () => {
    const h = harness({ 'kv/a': 1 });
    const loop = h.watcher.run();
    await until(() => h.runs.length === 1);
    h.failPolls(2);
    const from = h.reads.length;
    await until(() => h.readersMade >= 3 && h.reads.length >= from + 3);
    expect(h.runs).toHaveLength(1);
    // Backoff: the poll after one failure waits two intervals (60 ms), after two failures four (120 ms).
    const [failedOnce, failedTwice, good] = h.reads.slice(from, from + 3);
    expect(failedTwice! - failedOnce!).toBeGreaterThanOrEqual(55);
    expect(good! - failedTwice!).toBeGreaterThanOrEqual(115);
    h.moveHead();
    await until(() => h.runs.length === 2);
    h.watcher.stop();
    await loop;
    expect(await h.metrics.text()).toMatch(/vault_rollout_polls_total\{result="failure"\} 2/);
  });

  it('stop() waits for the run in flight', async () => {
    const h = harness({ 'kv/a': 1 });
    let open!: () => void;
    h.gate(new Promise<void>((r) => (open = r)));
    const loop = h.watcher.run();
    await flush();
    h.watcher.stop();
    let returned = false;
    void loop.then(() => (returned = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(returned).toBe(false);
    open();
    await loop;
    expect(h.runs).toHaveLength(1);
  });

  it('a ConfigError of the first run stops the watcher; later failures are retried', async () => {
    const metrics = new WatchMetrics();
    let calls = 0;
    const w = new Watcher({
      intervalMs: 10,
      coalesceMs: 0,
      run: async () => {
        calls += 1;
        throw new ConfigError('vault-rollout.yaml: bad');
      },
      fetch: async () => false,
      makeReaders: async () => ({ read: async () => new Map(), close: async () => {} }),
      metrics,
      health: new Health(10, () => new Date()),
      logger: silentLogger,
      clock: () => new Date(),
    });
    await expect(w.run()).rejects.toThrow('bad');
    expect(calls).toBe(1);
  });
});

describe('watch flags', () => {
  it('parses intervals and listen addresses, refusing bad ones with the flag named', () => {
    expect(parseInterval('2s')).toBe(2_000);
    expect(parseInterval('1m30s')).toBe(90_000);
    expect(parseInterval('60')).toBe(60_000);
    expect(() => parseInterval('500ms')).toThrow('--interval must be at least 1s');
    expect(() => parseInterval('soon')).toThrow('--interval must be a duration');
    expect(parseListen('127.0.0.1:9102')).toEqual({ host: '127.0.0.1', port: 9102 });
    expect(parseListen(':9102')).toEqual({ host: '0.0.0.0', port: 9102 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(() => parseListen('9102')).toThrow('--listen must be HOST:PORT');
    expect(() => parseListen('host:70000')).toThrow('--listen');
  });

  it('health turns red after three intervals without a good poll, and green with the next one', () => {
    let now = 0;
    const health = new Health(1_000, () => new Date(now));
    now = 3_000;
    expect(health.check().ok).toBe(true);
    now = 3_001;
    expect(health.check()).toMatchObject({ ok: false });
    health.pollSucceeded();
    expect(health.check().ok).toBe(true);
  });
});
