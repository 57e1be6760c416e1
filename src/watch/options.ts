/**
 * The options of `watch`: those of `apply` (mode, environment, pull-request fields) plus how often to poll
 * and where to serve `/metrics` and `/healthz`. The flag texts are parsed here into numbers once.
 */
import { ConfigError } from '../core/errors.js';
import type { ApplyOptions } from '../run.js';

export interface WatchOptions extends Omit<ApplyOptions, 'dryRun'> {
  /** `--interval`: the longest time between two polls of the referenced secrets (ms). */
  intervalMs: number;
  /** `--listen`: where `/metrics` and `/healthz` are served. */
  listen: { host: string; port: number };
  /** Changes seen within this window after the first one are published together (ms). */
  coalesceMs: number;
}

export const DEFAULT_INTERVAL = '60s';
export const DEFAULT_LISTEN = '127.0.0.1:9102';
/** Long enough for the secrets one rotation job writes one after another, short against any interval. */
export const DEFAULT_COALESCE_MS = 3_000;
/** Below a second, polling is load on Vault that no rollout needs. */
const MIN_INTERVAL_MS = 1_000;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration as Go and Kubernetes write it (`90s`, `1m30s`, `2m`, `1h`), or whole seconds (`60`).
 * @throws ConfigError naming the flag, for anything else or for less than a second.
 */
export function parseInterval(text: string, flag = '--interval'): number {
  const t = text.trim();
  let ms = 0;
  if (/^\d+$/.test(t)) ms = Number(t) * 1000;
  else {
    let rest = t;
    if (!rest) ms = NaN;
    while (rest) {
      const m = /^(\d+(?:\.\d+)?)(ms|h|m|s)/.exec(rest);
      if (!m) {
        ms = NaN;
        break;
      }
      ms += Number(m[1]) * (UNITS[m[2] as string] as number);
      rest = rest.slice(m[0].length);
    }
  }
  if (!Number.isFinite(ms))
    throw new ConfigError(`${flag} must be a duration such as 30s, 2m or 1m30s (got "${text}")`);
  if (ms < MIN_INTERVAL_MS) throw new ConfigError(`${flag} must be at least 1s (got "${text}")`);
  return Math.round(ms);
}

/**
 * `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (every address).
 * @throws ConfigError naming the flag.
 */
export function parseListen(text: string, flag = '--listen'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new ConfigError(`${flag} must be HOST:PORT such as 127.0.0.1:9102 or 0.0.0.0:9102 (got "${text}")`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** The flags `watch` adds to the common ones, as commander hands them over. */
export interface WatchFlags {
  mode?: 'commit' | 'pr' | undefined;
  interval?: string | undefined;
  listen?: string | undefined;
  githubRepository?: string | undefined;
}

/**
 * The options of `watch` from the common options and its own flags.
 * @throws ConfigError for a bad `--interval` or `--listen`.
 */
export function watchOptions<C extends Omit<ApplyOptions, 'dryRun'>>(
  common: C,
  flags: WatchFlags,
): WatchOptions {
  return {
    ...common,
    mode: flags.mode,
    githubRepository: flags.githubRepository,
    intervalMs: parseInterval(flags.interval ?? DEFAULT_INTERVAL),
    listen: parseListen(flags.listen ?? DEFAULT_LISTEN),
    coalesceMs: DEFAULT_COALESCE_MS,
  };
}
