/**
 * The fault suite through the built CLI: hostile manifests, hostile Vault answers and hostile config,
 * each asserting the exit code, the JSON report, one clear error line on stderr (never a stack trace),
 * the Vault request log and the remote's history.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useE2eServers } from '../support/e2e-servers.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { runCli } from '../support/run-cli.js';
import { HOSTILE, HOSTILE_FILES } from './hostile-repo.js';

const s = useE2eServers('vr-faults-e2e-', (vault) => {
  vault.kv.write('kv', 'app/good');
  vault.kv.write('kv', 'app/db');
});
let proxy: FaultProxy;
let dir: string;

beforeAll(async () => {
  proxy = await startFaultProxy(s.vault.url);
  proxy.on(/\/kv\/metadata\/app\/html$/, {
    kind: 'body',
    contentType: 'text/html',
    body: '<!doctype html><html><body>Sign in to continue</body></html>',
  });
  proxy.on(/\/kv\/metadata\/app\/huge$/, { kind: 'huge', bytes: 32 * 1024 * 1024 });
  proxy.on(/\/kv\/metadata\/app\/slow$/, { kind: 'trickle', everyMs: 100 });
  dir = await mkdtemp(join(tmpdir(), 'vr-faults-repo-'));
});

afterAll(async () => {
  await proxy?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function repo(name: string, files: Record<string, string | Buffer>): Promise<string> {
  const root = join(dir, name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

const deployment = (name: string, secrets: string, record?: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    '  annotations:',
    `    vault-rollout/secrets: ${secrets}`,
    ...(record !== undefined ? [`    vault-rollout/secret-versions: ${JSON.stringify(record)}`] : []),
    'spec:',
    '  template:',
    '    spec:',
    '      containers: [{ name: c, image: c }]',
    '',
  ].join('\n');

/** One line on stderr for the error, without a stack frame. */
function expectOneCleanLine(stderr: string, text: string): void {
  const lines = stderr
    .trim()
    .split('\n')
    .filter((l) => l.includes(text));
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

interface Report {
  workloads: {
    name: string;
    action: string;
    reasons: string[];
    warnings: string[];
    secrets: { path: string; state: string }[];
  }[];
  problems: { file: string; severity: string; message: string }[];
  summary: Record<string, number>;
}

describe('hostile manifests', () => {
  it('path traversal from every source: blocked one by one, never sent to Vault', async () => {
    const root = await repo('traversal', Object.fromEntries(HOSTILE_FILES.map((f) => [f.path, f.text])));
    const since = s.vault.requests.length;
    // A blocked workload makes `plan` exit 3, even with `--exit-code` and the good one's record pending (2).
    const r = await runCli(['plan', '--repo', root, '--format', 'json', '--exit-code'], s.env);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as Report;
    for (const name of Object.keys(HOSTILE)) {
      const w = report.workloads.find((x) => x.name === name);
      expect(w?.action, name).toBe('blocked');
      expect(w?.reasons[0]).toContain(`secret path "${HOSTILE[name]}"`);
    }
    expect(report.workloads.find((w) => w.name === 'good')).toMatchObject({ action: 'record' });
    expect(report.problems.filter((p) => p.severity === 'error')).toHaveLength(Object.keys(HOSTILE).length);
    const paths = s.vault.requests.slice(since).map((q) => `${q.path}?${q.query}`);
    expect(
      paths.filter((p) => /\.\.|%2e|%2f|\/sys\/(?!internal\/ui\/mounts\/kv\/app\/good)/i.test(p)),
    ).toEqual([]);
    expect(paths.filter((p) => p.includes('/metadata/'))).toEqual(['/v1/kv/metadata/app/good?']);
    expect(s.vault.violations).toBe(0);
  });

  it('malformed records: warned, adopted with a clean record, nothing restarts', async () => {
    const bad = [
      'kv/app/db@notanumber',
      'kv/app/db@-1',
      'kv/app/db@99999999999999999999',
      '@@',
      'kv/app/db@1,,kv/app/good@1',
    ];
    const root = await repo(
      'records',
      Object.fromEntries(
        bad.map((record, i) => [`apps/w${i}.yaml`, deployment(`w${i}`, 'kv/app/db', record)]),
      ),
    );
    const r = await runCli(['plan', '--repo', root, '--format', 'json'], s.env);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.summary).toMatchObject({ workloads: 5, record: 5, restart: 0, blocked: 0 });
    for (const i of bad.keys()) {
      const w = report.workloads.find((x) => x.name === `w${i}`)!;
      expect(w.warnings[0]).toMatch(
        /^record "vault-rollout\/secret-versions" has malformed entries \(.+\): treated as unrecorded, so a clean record is written and nothing restarts$/,
      );
      expect(w.secrets).toEqual([expect.objectContaining({ path: 'kv/app/db', state: 'unrecorded' })]);
      expect(
        report.problems.some((p) => p.file === `apps/w${i}.yaml` && p.message.includes('malformed entries')),
      ).toBe(true);
    }
  });

  it('a file over maxFileBytes is reported and skipped, the others are planned', async () => {
    const big = `${deployment('big', 'kv/app/db')}# ${'x'.repeat(3000)}\n`;
    const root = await repo('oversize', {
      'vault-rollout.yaml': 'maxFileBytes: 2048\n',
      'apps/big.yaml': big,
      'apps/small.yaml': deployment('small', 'kv/app/db'),
    });
    const r = await runCli(['plan', '--repo', root, '--format', 'json'], s.env);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.workloads.map((w) => w.name)).toEqual(['small']);
    expect(report.problems).toEqual([
      {
        file: 'apps/big.yaml',
        severity: 'warning',
        message: `file is ${Buffer.byteLength(big)} bytes, over the maxFileBytes limit of 2048 bytes: skipped (raise maxFileBytes in the config to read it)`,
      },
    ]);
  });
});

describe('hostile Vault answers (exit 1, nothing published)', () => {
  it('an HTML page with status 200: one clear line, the remote unchanged', async () => {
    await s.git.createBareRepo(
      'html',
      { 'apps/web.yaml': deployment('web', 'kv/app/db, kv/app/html') },
      { branch: 'main' },
    );
    const before = await s.git.commits('html', 'main');
    const r = await runCli(['apply', '--repo', s.git.repoUrl('html'), '--format', 'json'], {
      ...s.env,
      VAULT_ADDR: proxy.url,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expectOneCleanLine(
      r.stderr,
      'answered "kv/metadata/app/html" with HTTP 200 but not the expected JSON (a JSON body)',
    );
    expect(r.stderr).not.toContain('Sign in');
    expect(await s.git.commits('html', 'main')).toEqual(before);
  });

  it('a 32 MiB answer against a 1 MiB cap: one clear line', async () => {
    const root = await repo('huge', {
      'vault-rollout.yaml': 'vault:\n  maxResponseBytes: 1048576\n',
      'apps/web.yaml': deployment('web', 'kv/app/huge'),
    });
    const r = await runCli(['plan', '--repo', root, '--format', 'json'], { ...s.env, VAULT_ADDR: proxy.url });
    expect(r.code).toBe(1);
    expectOneCleanLine(r.stderr, 'answered "kv/metadata/app/huge" with more than 1048576 bytes');
  });
});

describe('a Vault answer dribbled out byte by byte', () => {
  it('fails after the total deadline and its retries, with one clear line', async () => {
    const root = await repo('slow', {
      'vault-rollout.yaml': 'vault:\n  timeoutSeconds: 0.5\n',
      'apps/web.yaml': deployment('web', 'kv/app/slow'),
    });
    const started = Date.now();
    const r = await runCli(['plan', '--repo', root, '--format', 'json'], { ...s.env, VAULT_ADDR: proxy.url });
    expect(r.code).toBe(1);
    expectOneCleanLine(
      r.stderr,
      'did not answer "kv/metadata/app/slow" completely within 0.5 s, 5 attempt(s)',
    );
    // Five attempts of 0.5 s plus backoff; the idle timeout alone would never have fired.
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('hostile config', () => {
  it('include with ".." names the key and line', async () => {
    const root = await repo('dotdot', {
      'vault-rollout.yaml': 'include:\n  - "apps/**"\n  - "../../etc/**"\n',
    });
    const r = await runCli(['scan', '--repo', root], s.env);
    expect(r.code).toBe(1);
    expectOneCleanLine(
      r.stderr,
      // (The test token is "root", so the log redacts that word: match the part after it.)
      'cannot leave it: remove the ".." segment (got "../../etc/**")',
    );
    expect(r.stderr).toContain('vault-rollout.yaml:3: include[1]: globs are relative to the repository');
  });

  it('a binary config file: a clear error that quotes none of its bytes', async () => {
    const bytes = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x41, 0x42, 0x43, 0x00, 0xff]);
    const root = await repo('binary', { 'vault-rollout.yaml': bytes });
    const r = await runCli(['scan', '--repo', root], s.env);
    expect(r.code).toBe(1);
    expectOneCleanLine(
      r.stderr,
      'vault-rollout.yaml:1: not a text file: it holds control characters, expected YAML',
    );
    expect([...r.stderr].filter((c) => c < ' ' && c !== '\n')).toEqual([]);
    expect(r.stderr).not.toMatch(/\ufffd|ABC/);
  });
});
