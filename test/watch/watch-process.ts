/**
 * Runs the built CLI's `watch` as a child process with its own TMPDIR, and finds the address of its
 * `/metrics` and `/healthz` in its first log lines (`--listen 127.0.0.1:0` picks a free port).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cliPath } from '../support/run-cli.js';

export interface WatchProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:PORT` */
  url: string;
  stderr(): string;
  stdout(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  get(path: string): Promise<{ status: number; text: string }>;
}

export async function startWatch(
  args: string[],
  env: Record<string, string>,
  tmp: string,
): Promise<WatchProcess> {
  const child = spawn(process.execPath, [cliPath, 'watch', '--listen', '127.0.0.1:0', ...args], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmp, TMPDIR: tmp, ...env },
  });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  const url = await new Promise<string>((ready, fail) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /\/healthz on (http:\/\/[^\s]+)/.exec(stderr);
      if (m) ready(m[1] as string);
    });
    void exited.then((code) => fail(new Error(`watch exited (${code}) before serving: ${stderr}`)));
  });
  return {
    child,
    url,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    async get(path) {
      const res = await fetch(`${url}${path}`);
      return { status: res.status, text: await res.text() };
    },
  };
}

/** Polls `check` every 200 ms until it returns true, or fails after `ms` with `what`. */
export async function waitFor(
  what: string,
  ms: number,
  check: () => Promise<boolean> | boolean,
): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The value of one series in a Prometheus text exposition (`name{labels}` as printed), or null. */
export function metricValue(text: string, series: string): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return null;
}
