/**
 * The stderr logger used by the edges. Text for people, JSON lines (`--log-format json`) for log
 * pipelines. Every message passes through redaction of the tokens registered at start-up.
 */
import type { Logger } from './core/ports.js';

export type LogFormat = 'text' | 'json';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Secrets (tokens, their Basic-auth base64 forms) that must never be printed. */
const secrets = new Set<string>();

/** Registers a value to mask in every log line and error message (min 4 chars, to avoid masking noise). */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < 4) return;
  secrets.add(value);
}

/**
 * Stops masking a value that can no longer be used (a login token the run revoked), so that a long-lived
 * `watch`, which logs in again after every run, does not hold every token it ever had and scan them all
 * for each line it writes.
 */
export function forgetSecret(value: string): void {
  secrets.delete(value);
}

/** Replaces every registered secret with `***`. */
export function redact(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('***');
  return out;
}

export function createLogger(opts: {
  format?: LogFormat;
  level?: LogLevel;
  write?: (line: string) => void;
  clock?: () => Date;
}): Logger {
  const format = opts.format ?? 'text';
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const clock = opts.clock ?? (() => new Date());
  const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, data?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    if (format === 'json') {
      write(redact(JSON.stringify({ time: clock().toISOString(), level, msg, ...data })) + '\n');
    } else {
      const extra = data && Object.keys(data).length > 0 ? ` ${JSON.stringify(data)}` : '';
      write(redact(`${level === 'info' ? '' : `${level}: `}${msg}${extra}`) + '\n');
    }
  };
  return {
    debug: (m, d) => emit('debug', m, d),
    info: (m, d) => emit('info', m, d),
    warn: (m, d) => emit('warn', m, d),
    error: (m, d) => emit('error', m, d),
  };
}
