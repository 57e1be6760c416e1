/**
 * `npm run bench -- --only watch`: the built CLI's `watch` with 1,000 referenced secrets (200 Deployments
 * of 5 secrets, 20 folders of 50), against the Vault dev server and a real `git http-backend`:
 *
 * - Vault requests per minute at `--interval 60s` (target ≈ 1,000: one metadata read per secret per
 *   poll) and the same on the OpenBao flavour (target ≤ 1 listing per folder per poll: 20);
 * - CPU seconds per hour while idle (no rotation), from the child's utime + stime over the measured window,
 *   extrapolated to an hour;
 * - time from a Vault write to the pushed commit, median of 10 rotations at random moments, at
 *   `--interval 10s` (target ≤ interval + 5 s = 15 s; the 60 s interval would give the same shape at 65 s,
 *   over ten times as long a bench).
 *
 * Prints figures; asserts nothing about time. The three watchers run at the same time, each with its own
 * servers, so the bench takes about as long as its longest part (`WATCH_BENCH_WINDOW_S`, default 120 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startGitServer, type GitServer } from '../src/dev/git-dev-server.js';
import { startVaultDevServer, type VaultDevServer } from '../src/dev/vault-dev-server.js';

const cli = resolve('dist/cli.js');
const FOLDERS = 20;
const PER_FOLDER = 50;
const PER_WORKLOAD = 5;
const WINDOW_S = Number(process.env['WATCH_BENCH_WINDOW_S'] ?? 120);
const LATENCY_INTERVAL_S = 10;
const ROTATIONS = 10;

const secretPaths = (): string[] => {
  const out: string[] = [];
  for (let f = 0; f < FOLDERS; f++)
    for (let s = 0; s < PER_FOLDER; s++)
      out.push(`team-${String(f).padStart(2, '0')}/secret-${String(s).padStart(3, '0')}`);
  return out;
};

function manifests(paths: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < paths.length / PER_WORKLOAD; i++) {
    const refs = paths.slice(i * PER_WORKLOAD, (i + 1) * PER_WORKLOAD).map((p) => `kv/${p}`);
    files[`apps/app-${i}.yaml`] = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  annotations:
    vault-rollout/secrets: ${refs.join(',')}
spec:
  template:
    spec:
      containers: [{ name: app, image: app }]
`;
  }
  return files;
}

interface Setup {
  vault: VaultDevServer;
  git: GitServer;
  tmp: string;
  child: ChildProcess;
  stderr: () => string;
  commits: () => Promise<number>;
  close: () => Promise<void>;
}

async function setup(name: string, flavour: 'vault' | 'openbao', intervalS: number): Promise<Setup> {
  const tmp = await mkdtemp(join(tmpdir(), `vr-bench-watch-${name}-`));
  const vault = await startVaultDevServer({
    rootToken: 'root',
    flavour,
    mounts: [{ path: 'kv', version: 2 }],
  });
  const paths = secretPaths();
  for (const p of paths) vault.kv.write('kv', p);
  const git = await startGitServer({ tmpRoot: tmp });
  await git.createBareRepo(name, manifests(paths), { branch: 'main' });
  const childTmp = await mkdtemp(join(tmp, 'child-'));
  const child = spawn(
    process.execPath,
    [cli, 'watch', '--repo', git.repoUrl(name), '--interval', `${intervalS}s`, '--listen', '127.0.0.1:0'],
    {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: childTmp,
        TMPDIR: childTmp,
        VAULT_ADDR: vault.url,
        VAULT_TOKEN: 'root',
      },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const commits = async () => (await git.commits(name, 'main')).length;
  // The first run adopts every workload: one commit on top of the seed.
  await waitFor(
    `${name}: the adoption commit`,
    120_000,
    async () => (await commits()) >= 2,
    () => stderr,
  );
  return {
    vault,
    git,
    tmp,
    child,
    stderr: () => stderr,
    commits,
    close: async () => {
      const exited = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      await exited;
      await git.close();
      await vault.close();
      await rm(tmp, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

async function waitFor(
  what: string,
  ms: number,
  check: () => Promise<boolean>,
  log?: () => string,
): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms)
      throw new Error(`timed out waiting for ${what}\n${log?.().slice(-3000) ?? ''}`);
    await sleep(100);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process in seconds (Linux /proc; clock ticks of 1/100 s). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Requests and CPU over WINDOW_S seconds of a watcher with nothing to do. */
async function idle(s: Setup, flavour: string): Promise<string[]> {
  // Let the watcher settle after the adoption run (its first poll starts one interval later).
  const since = s.vault.requestCount;
  const logged = s.vault.requests.length;
  const cpu0 = await cpuSeconds(s.child.pid as number);
  const t0 = Date.now();
  await sleep(WINDOW_S * 1000);
  const minutes = (Date.now() - t0) / 60_000;
  const cpu = (await cpuSeconds(s.child.pid as number)) - cpu0;
  const requests = s.vault.requestCount - since;
  const window = s.vault.requests.slice(logged);
  const listings = window.filter((r) => r.path.includes('/detailed-metadata/')).length;
  const reads = window.filter((r) => /\/v1\/kv\/metadata\//.test(r.path)).length;
  return [
    `${flavour}: ${(requests / minutes).toFixed(0)} Vault requests per minute over ${minutes.toFixed(1)} min ` +
      `(${reads} metadata reads, ${listings} folder listings, ${FOLDERS} folders; ` +
      `${(listings / minutes / FOLDERS).toFixed(2)} listings per folder per minute)`,
    `${flavour}: idle CPU ${cpu.toFixed(2)} s over ${minutes.toFixed(1)} min = ${((cpu / minutes) * 60).toFixed(0)} CPU seconds per hour (extrapolated), RSS ${(await rssMb(s.child.pid as number)).toFixed(0)} MB`,
  ];
}

/** Ten rotations at random moments: Vault write → commit on the remote. */
async function latency(s: Setup): Promise<string[]> {
  const times: number[] = [];
  const paths = secretPaths();
  for (let i = 0; i < ROTATIONS; i++) {
    await sleep(Math.random() * LATENCY_INTERVAL_S * 1000);
    const before = await s.commits();
    const t0 = Date.now();
    s.vault.kv.write('kv', paths[Math.floor(Math.random() * paths.length)] as string);
    await waitFor('the rotation commit', 120_000, async () => (await s.commits()) > before, s.stderr);
    times.push((Date.now() - t0) / 1000);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = (sorted[4]! + sorted[5]!) / 2;
  return [
    `rotation → pushed commit at --interval ${LATENCY_INTERVAL_S}s, ${ROTATIONS} rotations: median ${median.toFixed(1)} s, ` +
      `min ${sorted[0]!.toFixed(1)} s, max ${sorted[sorted.length - 1]!.toFixed(1)} s (target ≤ ${LATENCY_INTERVAL_S + 5} s)`,
    `  each: ${times.map((t) => t.toFixed(1)).join(', ')} s`,
  ];
}

async function main(): Promise<void> {
  console.log(
    `watch: ${FOLDERS * PER_FOLDER} referenced secrets (${FOLDERS} folders × ${PER_FOLDER}), ${(FOLDERS * PER_FOLDER) / PER_WORKLOAD} Deployments; idle window ${WINDOW_S} s at --interval 60s`,
  );
  const [vault, bao, fast] = await Promise.all([
    setup('vault', 'vault', 60),
    setup('openbao', 'openbao', 60),
    setup('latency', 'vault', LATENCY_INTERVAL_S),
  ]);
  try {
    const lines = await Promise.all([idle(vault, 'Vault'), idle(bao, 'OpenBao'), latency(fast)]);
    for (const l of lines.flat()) console.log(l);
    console.log(
      `value reads refused by the dev servers: ${vault.vault.violations + bao.vault.violations + fast.vault.violations}`,
    );
  } finally {
    await Promise.all([vault.close(), bao.close(), fast.close()]);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
