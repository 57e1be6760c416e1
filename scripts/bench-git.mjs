#!/usr/bin/env node
/**
 * Benchmark of the Git side of `apply` in remote mode (issue 3), against a native `git clone --depth 1`
 * of the same repository from the same server (a real `git http-backend`, test/support/git-server.ts).
 *
 *   node scripts/bench-git.mjs [--files 10000] [--runs 2]
 *
 * The parent generates the repository, serves it, and runs every measured client in its own child
 * process under `/usr/bin/time -v`, so each figure has its own wall time and peak RSS:
 *   native        git clone --depth 1 --single-branch --no-tags (with checkout)
 *   native-nock   the same with --no-checkout
 *   iso-checkout  isomorphic-git clone, depth 1, single branch, with checkout
 *   iso-walk      isomorphic-git clone without checkout, then read every .yaml blob through `walk`
 *   rollout       openWorkspace (remote) + read every .yaml blob + commit 10 changed files + push
 * Children report where their time went (download vs pack indexing vs tree walk vs blob reads).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const libFile = path.join(root, '.bench', 'git-bench-lib.mjs');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? def : args[i + 1];
};

/** Bundles the TypeScript adapter and test server once, so this plain .mjs can import them. */
async function buildLib() {
  const esbuild = await import('esbuild');
  await esbuild.build({
    stdin: {
      contents: [
        "export * from './src/adapters/git/index.ts';",
        "export * as objects from './src/adapters/git/objects.ts';",
        "export { startGitServer, runGit } from './test/support/git-server.ts';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: libFile,
    logLevel: 'warning',
  });
}

function manifest(i, dir) {
  const hex = randomBytes(32).toString('hex');
  const env = Array.from(
    { length: 6 },
    (_, k) => `            - name: VAR_${k}\n              value: "${randomBytes(12).toString('base64')}"`,
  ).join('\n');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: ${dir.replace(/\//g, '-')}
  labels:
    app.kubernetes.io/name: app-${i}
    app.kubernetes.io/part-of: bench
  annotations:
    vault-rollout/secrets: kv/${dir}/app-${i}
spec:
  replicas: ${1 + (i % 3)}
  selector:
    matchLabels:
      app.kubernetes.io/name: app-${i}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app-${i}
    spec:
      containers:
        - name: app
          image: registry.example.com/app-${i}@sha256:${hex}
          ports:
            - containerPort: 8080
          env:
${env}
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { memory: 256Mi }
`;
}

/** n YAML files in nested folders: clusters/cNN/apps/aNN/app-N.yaml, ten files per leaf folder. */
function generateFiles(n) {
  const files = {};
  for (let i = 0; i < n; i++) {
    const leaf = Math.floor(i / 10);
    const dir = `clusters/c${String(leaf % 10).padStart(2, '0')}/apps/a${String(Math.floor(leaf / 10)).padStart(3, '0')}`;
    files[`${dir}/app-${i}.yaml`] = manifest(i, dir);
  }
  files['README.md'] = '# bench\n';
  return files;
}

function run(cmd, cmdArgs, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve({ out, err }) : reject(new Error(`${cmd} exited ${code}: ${err}`)),
    );
  });
}

/** Runs a command under /usr/bin/time -v; returns wall ms, peak RSS MB and the command's stdout. */
async function timed(cmd, cmdArgs, opts) {
  const started = performance.now();
  const { out, err } = await run('/usr/bin/time', ['-v', cmd, ...cmdArgs], opts);
  const ms = performance.now() - started;
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? NaN);
  return { ms, rssMb: rssKb / 1024, out };
}

async function duSize(p) {
  let total = 0;
  for (const e of await readdir(p, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(path.join(e.parentPath ?? e.path, e.name))).size;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------- child
async function child(variant, url, parentTmp) {
  const tmpRoot = await mkdtemp(path.join(parentTmp, 'child-'));
  const lib = await import(pathToFileURL(libFile).href);
  const git = (await import('isomorphic-git')).default;
  const http = (await import('isomorphic-git/http/node')).default;
  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const timer = setInterval(sample, 20);
  const marks = {};
  const t0 = performance.now();
  const mark = (name) => {
    sample();
    marks[name] = Math.round(performance.now() - t0);
  };
  // Phases of isomorphic-git's fetch: the pack is downloaded whole, then indexed ("Receiving objects" is
  // in fact the first indexing pass over the downloaded pack, "Resolving deltas" the second).
  // vault-rollout's own fetch (remote mode) reports "Downloading pack", then "Indexing pack".
  const onProgress = (e) => {
    const downloaded = e.phase === 'Receiving objects' || e.phase === 'Indexing pack';
    if (downloaded && marks.downloaded === undefined) mark('downloaded');
    if (e.phase === 'Resolving deltas' && marks.indexPass1 === undefined) mark('indexPass1');
  };
  const dir = await mkdtemp(path.join(tmpRoot, `bench-${variant}-`));
  let extra = {};
  if (variant === 'iso-checkout') {
    await git.clone({
      fs,
      http,
      dir,
      url,
      depth: 1,
      singleBranch: true,
      noTags: true,
      onProgress,
      cache: {},
    });
    mark('cloned');
  } else if (variant === 'iso-walk') {
    const cache = {};
    await git.clone({
      fs,
      http,
      dir,
      url,
      depth: 1,
      singleBranch: true,
      noTags: true,
      noCheckout: true,
      onProgress,
      cache,
    });
    mark('cloned');
    let n = 0;
    let bytes = 0;
    await git.walk({
      fs,
      dir,
      cache,
      trees: [git.TREE({ ref: 'HEAD' })],
      map: async (p, [e]) => {
        if (!e || p === '.') return true;
        if ((await e.type()) === 'blob' && p.endsWith('.yaml')) {
          bytes += (await e.content())?.byteLength ?? 0;
          n++;
        }
        return true;
      },
    });
    mark('readAll');
    extra = { files: n, bytes };
  } else if (variant === 'rollout') {
    const ws = await lib.openWorkspace({ repo: url, tmpRoot, onProgress });
    mark('cloned');
    // The workspace's temporary clone (the only vault-rollout-* folder under this child's tmpRoot).
    const cloneDir = path.join(
      tmpRoot,
      (await readdir(tmpRoot)).find((d) => d.startsWith('vault-rollout-')),
    );
    const repo = lib.objects.objectRepo(cloneDir, path.join(cloneDir, '.git'));
    // The same steps as ws.source.load(), timed one by one.
    const tree = await lib.objects.readCommitTree(repo, ws.head);
    mark('packLoaded');
    const { files } = await lib.objects.listTree(repo, tree, (p) => p.endsWith('.yaml'));
    mark('treeWalked');
    const texts = [];
    for (const f of files)
      texts.push({
        path: f.path,
        text: lib.objects.decodeUtf8(await lib.objects.readBlobBytes(repo, f.oid)),
      });
    mark('blobsRead');
    const changes = texts.slice(0, 10).map((f) => ({
      path: f.path,
      before: f.text,
      after: f.text.replace(
        '  annotations:\n',
        `  annotations:\n    vault-rollout/secret-versions: kv/x@${Date.now()}\n`,
      ),
    }));
    const commit = await ws.commit({
      changes,
      message: 'bench: 10 files',
      author: { name: 'bench', email: 'bench@example.com' },
    });
    mark('committed');
    const pushed = await ws.push(commit);
    if (!pushed.ok) throw new Error(`push failed: ${pushed.message}`);
    mark('pushed');
    await ws.close();
    // And the public path once more on a warm pack, for the figure the pipeline sees.
    extra = { files: files.length, bytes: texts.reduce((s, f) => s + f.text.length, 0) };
  }
  mark('done');
  clearInterval(timer);
  const packDir = path.join(dir, '.git', 'objects', 'pack');
  const pack = fs.existsSync(packDir) ? await duSize(packDir) : 0;
  await rm(tmpRoot, { recursive: true, force: true });
  process.stdout.write(
    JSON.stringify({ variant, marks, peakRssMb: Math.round(peak / 2 ** 20), packBytes: pack, ...extra }),
  );
}

// --------------------------------------------------------------------------------------------- parent
async function main() {
  const n = Number(opt('files', '10000'));
  const runs = Number(opt('runs', '2'));
  await buildLib();
  const lib = await import(pathToFileURL(libFile).href);
  const tmpRoot = await mkdtemp(path.join(os.tmpdir(), 'vr-bench-git-'));
  const server = await lib.startGitServer({ tmpRoot });
  try {
    let t = performance.now();
    await server.createBareRepo('bench', generateFiles(n));
    await lib.runGit(['--git-dir', server.repoPath('bench'), 'gc', '-q']);
    const packBytes = await duSize(path.join(server.repoPath('bench'), 'objects', 'pack'));
    console.error(
      `generated ${n} files, server pack ${(packBytes / 2 ** 20).toFixed(1)} MB in ${Math.round(performance.now() - t)} ms`,
    );
    const url = server.repoUrl('bench');
    const results = [];
    const variants = (opt('variants', '') || 'native,native-nock,iso-checkout,iso-walk,rollout').split(',');
    for (let r = 0; r < runs; r++) {
      for (const v of variants) {
        const dir = path.join(tmpRoot, `client-${v}-${r}`);
        let res;
        if (v.startsWith('native')) {
          const extra = v === 'native-nock' ? ['--no-checkout'] : [];
          res = await timed('git', [
            'clone',
            '-q',
            '--depth',
            '1',
            '--single-branch',
            '--no-tags',
            ...extra,
            url,
            dir,
          ]);
          await rm(dir, { recursive: true, force: true });
          res.detail = {};
        } else {
          const prof =
            opt('profile', '') === v
              ? ['--cpu-prof', '--cpu-prof-dir', path.join(root, '.bench', 'prof')]
              : [];
          res = await timed(process.execPath, [
            ...prof,
            fileURLToPath(import.meta.url),
            '--child',
            v,
            '--url',
            url,
            '--tmp',
            tmpRoot,
          ]);
          res.detail = JSON.parse(res.out);
        }
        results.push({
          variant: v,
          run: r + 1,
          ms: Math.round(res.ms),
          rssMb: Math.round(res.rssMb),
          ...res.detail,
        });
        console.error(JSON.stringify(results.at(-1)));
      }
    }
    console.log('\n| variant | run | wall ms | peak RSS MB | child marks (ms since start) |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const r of results) {
      console.log(
        `| ${r.variant} | ${r.run} | ${r.ms} | ${r.rssMb} | ${r.marks ? JSON.stringify(r.marks) : ''} |`,
      );
    }
  } finally {
    await server.close();
    await rm(tmpRoot, { recursive: true, force: true });
  }
}

if (args[0] === '--child') {
  await child(args[1], opt('url'), opt('tmp'));
} else {
  await main();
}
