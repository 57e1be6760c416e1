// Startup of the bundled Action entry (dist/index.js) to its first Vault request, as the runner starts it:
// `node dist/index.js` with INPUT_* variables, over a small local checkout. A tiny HTTP server stands in for
// Vault and records when the first request arrives; it answers 403, so the run stops right there.
// Target: under 300 ms. Prints one line per run and the median; `--json` prints one JSON object.
//
//   node scripts/bench-action.mjs [--runs 7] [--json]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist/index.js');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 7;
const json = args.includes('--json');
const TARGET_MS = 300;

const tmp = mkdtempSync(join(tmpdir(), 'vr-bench-action-'));
const repo = join(tmp, 'repo');
mkdirSync(join(repo, 'apps'), { recursive: true });
writeFileSync(
  join(repo, 'apps/web.yaml'),
  'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    vault-rollout/secrets: kv/web/db\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: web:1\n',
);
// No test server runs in this process yet, so synchronous git is safe here (no event loop to block).
const gitEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmp,
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
};
for (const cmd of [
  ['init', '-q', '-b', 'main'],
  ['add', '.'],
  ['commit', '-q', '-m', 'seed'],
  // A checkout has an origin: a bare repository as a path remote (a run fetches it first).
  ['init', '-q', '--bare', '-b', 'main', join(tmp, 'origin.git')],
  ['remote', 'add', 'origin', join(tmp, 'origin.git')],
  ['push', '-q', 'origin', 'main'],
]) {
  const r = spawnSync('git', cmd, { cwd: repo, env: gitEnv });
  if (r.status !== 0) throw new Error(`git ${cmd.join(' ')}: ${r.stderr}`);
}

let firstRequestAt = null;
const server = createServer((req, res) => {
  firstRequestAt ??= performance.now();
  req.resume();
  res.writeHead(403, { 'Content-Type': 'application/json' });
  res.end('{"errors":["permission denied"]}');
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const url = `http://127.0.0.1:${server.address().port}`;

function once(i) {
  firstRequestAt = null;
  const runDir = join(tmp, `run-${i}`);
  mkdirSync(runDir);
  writeFileSync(join(runDir, 'output'), '');
  writeFileSync(join(runDir, 'summary'), '');
  const env = {
    PATH: process.env.PATH,
    HOME: runDir,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: repo,
    GITHUB_OUTPUT: join(runDir, 'output'),
    GITHUB_STEP_SUMMARY: join(runDir, 'summary'),
    RUNNER_TEMP: runDir,
    INPUT_MODE: 'commit',
    'INPUT_DRY-RUN': 'true',
    'INPUT_VAULT-ADDRESS': url,
    'INPUT_VAULT-TOKEN': 'bench-token-not-secret',
  };
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, [entry], { cwd: repo, env, stdio: 'ignore' });
    child.on('error', fail);
    child.on('close', () => {
      if (firstRequestAt === null) fail(new Error('the Action made no Vault request'));
      else done(firstRequestAt - started);
    });
  });
}

try {
  await once('warmup'); // fills the OS page cache, as a runner that just checked the action out has it
  const times = [];
  for (let i = 0; i < runs; i++) {
    const ms = await once(i);
    times.push(ms);
    if (!json) console.log(`run ${i + 1}: ${ms.toFixed(0)} ms`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const result = {
    bench: 'action-startup-to-first-vault-request',
    node: process.version,
    runs,
    medianMs: Math.round(median),
    minMs: Math.round(sorted[0]),
    maxMs: Math.round(sorted[sorted.length - 1]),
    targetMs: TARGET_MS,
    withinTarget: median < TARGET_MS,
  };
  if (json) console.log(JSON.stringify(result));
  else
    console.log(
      `Action startup to first Vault request (${process.version}): median ${result.medianMs} ms, min ${result.minMs}, max ${result.maxMs} (target < ${TARGET_MS} ms)${result.withinTarget ? '' : '  OVER TARGET'}`,
    );
} finally {
  server.close();
  rmSync(tmp, { recursive: true, force: true });
}
