/**
 * `dev-server` through the built CLI with a hostile client: a 200 MB request body is refused with 413
 * without being buffered (the server's memory stays low), and the server keeps answering. The request
 * log's bound is checked in-process, where thousands of requests take a moment.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startVaultDevServer } from '../../src/dev/vault-dev-server.js';
import { cliPath } from '../support/run-cli.js';

/** The resident memory of a process, in MB (Linux). */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** Streams `bytes` of body to `url` (chunked, no Content-Length), resolving with the status or the error. */
function postHuge(url: string, token: string, bytes: number): Promise<number | string> {
  return new Promise((done) => {
    const req = request(url, { method: 'POST', headers: { 'X-Vault-Token': token } }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.on('error', (err) => done((err as NodeJS.ErrnoException).code ?? 'error'));
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('dev-server with a hostile client', () => {
  it('refuses a 200 MB body with 413 without buffering it, and keeps answering', async () => {
    const child = spawn(
      process.execPath,
      [cliPath, 'dev-server', '--seed', 'kv/app/db@3', '--token', 'dev-root'],
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir() },
      },
    );
    try {
      const addr = await new Promise<string>((done, fail) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^export VAULT_ADDR=(\S+) /m.exec(out);
          if (m) done(m[1]!);
        });
        child.on('close', () => fail(new Error('dev-server exited early')));
      });
      const before = rssMb(child.pid!);
      const answer = await postHuge(`${addr}/v1/kv/data/app/db`, 'dev-root', 200 * 1024 * 1024);
      // 413, or the connection closed while the client was still sending (as Vault does past its limit).
      expect([413, 'ECONNRESET', 'EPIPE']).toContain(answer);
      const after = rssMb(child.pid!);
      expect(after - before, `RSS ${before.toFixed(0)} -> ${after.toFixed(0)} MB`).toBeLessThan(64);
      // The server still answers, and the refused write made no version.
      const res = await fetch(`${addr}/v1/kv/metadata/app/db`, { headers: { 'X-Vault-Token': 'dev-root' } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: { current_version: number } }).data.current_version).toBe(3);
      // A body just under the limit is still read (a normal rotation).
      const put = await fetch(`${addr}/v1/kv/data/app/db`, {
        method: 'POST',
        headers: { 'X-Vault-Token': 'dev-root' },
        body: JSON.stringify({ data: { pad: 'x'.repeat(1000) } }),
      });
      expect(put.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);

  it('keeps the last maxLoggedRequests requests, and counts them all', async () => {
    const server = await startVaultDevServer({ rootToken: 't', maxLoggedRequests: 5 });
    try {
      for (let i = 0; i < 12; i++) await fetch(`${server.url}/v1/sys/health?i=${i}`);
      expect(server.requestCount).toBe(12);
      expect(server.requests.map((r) => r.query)).toEqual(['i=7', 'i=8', 'i=9', 'i=10', 'i=11']);
    } finally {
      await server.close();
    }
  });
});
