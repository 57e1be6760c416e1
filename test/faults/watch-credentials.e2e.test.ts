/**
 * `watch --repo` with credentials in the URL, through the built CLI: refused at start with one line and
 * exit 1, as `apply` refuses it, and the token is never printed (the first log line used to quote the URL,
 * and the loop then retried the refused run for ever). An SSH URL's user is not printed either.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cliPath } from '../support/run-cli.js';

const TOKEN = 'glpat-WatchUrlToken0123456789';

/** The CLI's exit code and output, or code null when it was still running after `ms`. */
function watch(repo: string, ms = 8000): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cliPath, 'watch', '--listen', '127.0.0.1:0', '--repo', repo], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmpdir() },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: timedOut ? null : code, out });
    });
  });
}

describe('watch --repo with credentials in the URL', () => {
  for (const repo of [
    `https://oauth2:${TOKEN}@127.0.0.1:9/r.git`,
    `https://${TOKEN}@gitlab.example.com/platform/deploy.git`,
  ]) {
    it(`refuses ${repo.replace(TOKEN, 'TOKEN')} at start in one line, never printing the token`, async () => {
      const { code, out } = await watch(repo);
      expect(out).not.toContain(TOKEN);
      expect(code, out).toBe(1);
      expect(out.trim().split('\n')).toHaveLength(1);
      expect(out).toMatch(/carries credentials.*GIT_TOKEN/);
    });
  }
});
