/**
 * Hostile kustomization graphs: `plan` on a checkout holding a 30-layer diamond (each layer lists both
 * folders of the next, so kustomize would build the base 2^30 times; it refuses it), the same diamond with a
 * name suffix per folder (every copy has its own name: only the documents-per-root limit stops it), and a
 * chain of kustomizations 5,000 deep (which `kubectl kustomize` builds). Each must end in under 60 s with a
 * peak under 1 GB: the median of three runs, printed with the load average.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { startVaultDevServer } from '../src/dev/vault-dev-server.js';
import type { RepoFile } from '../src/core/model.js';
import { chainRepo, diamondRepo, vaultDeployment } from '../test/faults/hostile-repo.js';

const root = resolve('.bench', 'graph');
const cli = resolve('dist/cli.js');
const RUNS = 3;
const MAX_MS = 60_000;
const MAX_MB = 1024;

interface Measured {
  ms: number;
  maxRssMb: number;
  stdout: string;
}

/** Runs the CLI under /usr/bin/time for its wall time and peak RSS. */
function measure(args: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'VR_MAXRSS=%M', process.execPath, cli, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      const rss = /VR_MAXRSS=(\d+)/.exec(stderr);
      if (!rss) return fail(new Error(`no RSS figure; stderr:\n${stderr}`));
      if (code !== 0) return fail(new Error(`exit ${code}:\n${stderr.slice(0, 2000)}`));
      done({ ms, maxRssMb: Number(rss[1]) / 1024, stdout });
    });
  });
}

async function write(dir: string, files: RepoFile[]): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  for (const f of files) {
    await mkdir(dirname(resolve(dir, f.path)), { recursive: true });
    await writeFile(resolve(dir, f.path), f.text);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const GOOD: RepoFile[] = [
  { path: 'apps/good/kustomization.yaml', text: 'resources: [web.yaml]\n' },
  { path: 'apps/good/web.yaml', text: vaultDeployment('good', 'kv/app/good') },
];

const CASES: { label: string; files: RepoFile[] }[] = [
  { label: 'diamond, 30 layers', files: [...GOOD, ...diamondRepo('diamond', 30)] },
  {
    label: 'diamond, 30 layers, a name suffix per folder',
    files: [...GOOD, ...diamondRepo('diamond', 30, { suffixes: true })],
  },
  { label: 'chain, 5,000 deep', files: [...GOOD, ...chainRepo('chain', 5000)] },
];

const vault = await startVaultDevServer({ mounts: [{ path: 'kv', version: 2 }] });
vault.kv.write('kv', 'app/good');
vault.kv.write('kv', 'app/web');
const env = { ...process.env, VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken };
try {
  console.log(`hostile kustomization graphs: plan on a checkout, median of ${RUNS} runs:`);
  for (const c of CASES) {
    const dir = resolve(root, c.label.replace(/[^a-z0-9]+/gi, '-'));
    await write(dir, c.files);
    const runs: Measured[] = [];
    for (let k = 1; k <= RUNS; k++) {
      const run = await measure(['plan', '--repo', dir, '--format', 'json'], env);
      runs.push(run);
      const report = JSON.parse(run.stdout) as { workloads: unknown[]; problems: { message: string }[] };
      console.log(
        `  ${c.label}, run ${k}: ${(run.ms / 1000).toFixed(2)} s, peak ${run.maxRssMb.toFixed(0)} MB, ` +
          `${report.workloads.length} workload(s), ${report.problems.length} problem(s)` +
          `${report.problems[0] ? ` (${report.problems[0].message.slice(0, 110)}…)` : ''}; load ${load()}`,
      );
    }
    const ms = median(runs.map((r) => r.ms));
    const mb = median(runs.map((r) => r.maxRssMb));
    console.log(
      `targets [${c.label}, median of ${RUNS}]: ${(ms / 1000).toFixed(2)} s < 60 s ${ms < MAX_MS ? 'PASS' : 'MISSED'}; ` +
        `peak ${mb.toFixed(0)} MB < 1 GB ${mb < MAX_MB ? 'PASS' : 'MISSED'}; load ${load()}`,
    );
  }
} finally {
  await vault.close();
  await rm(root, { recursive: true, force: true });
}
