/**
 * Large single files: `plan` (table output, which prints the unified diff) on one file holding a
 * Deployment and a ConfigMap of 1, 4, 16 and 50 MB, and on a file of 120,000 short lines. Run time
 * should grow linearly with the file's size, so the seconds per MB printed for each size should stay
 * about flat. Prints figures only; nothing here asserts a time.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startVaultDevServer } from '../src/dev/vault-dev-server.js';

const root = resolve('.bench', 'large');
const cli = resolve('dist/cli.js');

const HEAD = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: web',
  '  annotations:',
  '    vault-rollout/secrets: kv/app/db',
  'spec:',
  '  template:',
  '    spec:',
  '      containers: [{ name: c, image: c }]',
  '---',
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: big',
  'data:',
  '',
].join('\n');

/** A file of about `bytes` bytes: the Deployment, then a ConfigMap whose data lines are `line(i)`. */
function manifest(bytes: number, line: (i: number) => string): { text: string; lines: number } {
  const lines: string[] = [];
  let size = HEAD.length;
  for (let i = 0; size < bytes; i++) {
    const l = line(i);
    lines.push(l);
    size += l.length + 1;
  }
  return { text: `${HEAD}${lines.join('\n')}\n`, lines: lines.length };
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; code: number | null; out: number }> {
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = 0;
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (out += d.length));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0 && code !== 2) fail(new Error(`exit ${code}: ${stderr.slice(0, 500)}`));
      else done({ ms: performance.now() - start, code, out });
    });
  });
}

const MB = 1024 * 1024;
const sizes = (process.env['VR_BENCH_LARGE_MB'] ?? '1,4,16,50').split(',').map(Number);
const vault = await startVaultDevServer({ mounts: [{ path: 'kv', version: 2 }] });
vault.kv.write('kv', 'app/db');
const env = { ...process.env, VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken };
try {
  await rm(root, { recursive: true, force: true });
  const cases: { label: string; bytes: number; line: (i: number) => string }[] = [
    ...sizes.map((mb) => ({
      label: `${mb} MB, Deployment + ConfigMap`,
      bytes: mb * MB,
      line: (i: number) => `  key${i}: "value number ${i} with some padding text to make a line"`,
    })),
    { label: '120,000 short lines', bytes: 3.7 * MB, line: (i: number) => `  k${i}: v${'x'.repeat(18)}` },
    { label: '16,000 Deployments, all adopted', bytes: -1, line: () => '' },
  ];
  // Many edits in one file: every document of a 16,000-Deployment file gets a record (the diff's cost
  // grows with lines × edits in a Myers diff).
  const many = Array.from({ length: 16_000 }, (_, i) =>
    HEAD.split('---')[0]!.replace('name: web', `name: web-${i}`),
  ).join('---\n');
  console.log(
    'plan on one large file (limit raised with maxFileBytes), table output with the whole diff (--wide):',
  );
  // The fixed cost of a run (start-up, Vault, one tiny file), subtracted so the per-MB figure is the
  // part that grows with the file.
  const tiny = resolve(root, 'tiny');
  await mkdir(tiny, { recursive: true });
  await writeFile(resolve(tiny, 'app.yaml'), manifest(0, () => '').text);
  await run(['plan', '--repo', tiny], env);
  const base = (await run(['plan', '--repo', tiny], env)).ms;
  console.log(`  a run's fixed cost (plan on a one-Deployment file): ${(base / 1000).toFixed(2)} s`);
  for (const c of cases) {
    const dir = resolve(root, c.label.replace(/[^a-z0-9]+/gi, '-'));
    await mkdir(dir, { recursive: true });
    const { text, lines } =
      c.bytes < 0 ? { text: many, lines: many.split('\n').length } : manifest(c.bytes, c.line);
    await writeFile(resolve(dir, 'app.yaml'), text);
    await writeFile(resolve(dir, 'vault-rollout.yaml'), 'maxFileBytes: 1073741824\n');
    const r = await run(['plan', '--repo', dir, '--wide'], env); // --wide: the whole diff, as a reviewer pages through it
    const mb = text.length / MB;
    console.log(
      `  ${c.label} (${mb.toFixed(1)} MB, ${lines} lines): ${(r.ms / 1000).toFixed(2)} s, ${(r.ms / 1000 / mb).toFixed(3)} s/MB, ${(Math.max(0, r.ms - base) / 1000 / mb).toFixed(3)} s/MB above the fixed cost, ${(r.out / MB).toFixed(2)} MB of output`,
    );
  }
} finally {
  await vault.close();
  await rm(root, { recursive: true, force: true });
}
