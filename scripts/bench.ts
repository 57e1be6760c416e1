/**
 * `npm run bench`: prints figures, asserts nothing about time (STYLE.md: speed targets live here, not in tests).
 *
 * Issue #2 targets: on a synthetic repo of 10,000 manifest files, 5,000 workloads and 1,000 unique secrets,
 * with a Vault answering after 5 ms, `plan` is faster than merely reading and parsing every file, makes as
 * many Vault requests as there are unique secrets, and peaks under 300 MB.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startVaultDevServer } from '../src/dev/vault-dev-server.js';
import { generateRepo } from './bench-generate.js';

const SHAPE = { files: 10_000, workloads: 5_000, secrets: 1_000 };
const root = resolve('.bench');
const repo = resolve(root, 'repo');
const cli = resolve('dist/cli.js');

interface Measured {
  ms: number;
  maxRssMb: number;
  stdout: string;
  code: number | null;
}

/** Runs a command under /usr/bin/time to get its wall time and peak RSS. */
function measure(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'VR_MAXRSS=%M', process.execPath, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      const rss = /VR_MAXRSS=(\d+)/.exec(stderr);
      if (!rss) return fail(new Error(`no RSS figure; stderr:\n${stderr}`));
      if (code !== 0 && code !== 2) return fail(new Error(`exit ${code}:\n${stderr}`));
      done({ ms, maxRssMb: Number(rss[1]) / 1024, stdout, code });
    });
  });
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  await rm(repo, { recursive: true, force: true });
  const t0 = performance.now();
  const secrets = await generateRepo(repo, SHAPE);
  console.log(
    `generated ${SHAPE.files} files, ${SHAPE.workloads} workloads, ${secrets.length} secrets in ${fmt(performance.now() - t0)}`,
  );

  const vault = await startVaultDevServer({ mounts: [{ path: 'kv', version: 2 }] });
  for (const s of secrets) {
    const rest = s.slice('kv/'.length);
    vault.kv.write('kv', rest);
    vault.kv.write('kv', rest);
  }
  vault.latencyMs = 5;
  const env = { ...process.env, VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken };

  try {
    // Warm the page cache so neither run pays for the first disk read.
    await measure([resolve('.bench/bin/bench-floor.mjs'), repo]);
    const floor = await measure([resolve('.bench/bin/bench-floor.mjs'), repo]);

    const rows: [string, Measured, number][] = [];
    for (const command of ['plan', 'status']) {
      const before = vault.requests.length;
      const run = await measure([cli, command, '--repo', repo, '--format', 'json'], env);
      const made = vault.requests.slice(before);
      const metadata = made.filter((r) => r.path.includes('/metadata/')).length;
      console.log(
        `${command}: ${made.length} Vault requests, ${metadata} of them metadata reads (others: ${[...new Set(made.filter((r) => !r.path.includes('/metadata/')).map((r) => r.path))].join(', ')})`,
      );
      rows.push([command, run, metadata]);
    }
    const plan = JSON.parse(rows[0]![1].stdout) as { summary: Record<string, number>; problems: unknown[] };

    console.log('');
    console.log(
      `read + yaml-parse every file (the floor): ${fmt(floor.ms)}, peak ${floor.maxRssMb.toFixed(0)} MB  ${floor.stdout.trim()}`,
    );
    for (const [command, run, requests] of rows) {
      console.log(
        `${command.padEnd(6)} (adoption: every workload gets a record): ${fmt(run.ms)}, peak ${run.maxRssMb.toFixed(0)} MB, ` +
          `${requests} metadata reads, ${(floor.ms / run.ms).toFixed(2)}x the floor's speed`,
      );
    }
    console.log(`plan summary: ${JSON.stringify(plan.summary)}, problems: ${plan.problems.length}`);
    console.log(`value reads refused by the dev server: ${vault.violations}`);
    const planRun = rows[0]![1];
    console.log(
      `targets: plan < floor ${planRun.ms < floor.ms ? 'MET' : 'MISSED'}; requests = unique secrets ${
        rows[0]![2] === secrets.length ? 'MET' : `MISSED (${rows[0]![2]})`
      }; peak < 300 MB ${planRun.maxRssMb < 300 ? 'MET' : 'MISSED'}`,
    );
  } finally {
    await vault.close();
  }
}

await main();
