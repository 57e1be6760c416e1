#!/usr/bin/env node
/**
 * `npm run corpus`: fetches the real-world manifest corpus the corpus test suites read, into `.corpus/`
 * (git-ignored). The files are other people's (each repository's license is in scripts/corpus-pins.txt),
 * so the repository keeps only where they come from: scripts/corpus-pins.txt pins each repository at a
 * commit and lists every file with its git blob id. The script fetches each commit with the git CLI (depth 1),
 * writes each listed blob byte for byte to `.corpus/<owner>__<repo>/<path>` after checking its id, and
 * only then moves the folder into place, so an interrupted run never leaves half a corpus.
 *
 *   npm run corpus                                  # from https://github.com
 *   CORPUS_GIT_BASE=https://mirror.example/git npm run corpus     # <base>/<owner>/<repo>.git
 *   node scripts/corpus.mjs --dest DIR --manifest FILE
 *   node scripts/corpus.mjs --write-manifest DIR    # regenerate scripts/corpus-pins.txt from a corpus folder
 *                                                  # holding SOURCES.md (its table pins the commits)
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function args(argv) {
  const out = { dest: path.join(root, '.corpus'), manifest: path.join(root, 'scripts/corpus-pins.txt') };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--dest') out.dest = path.resolve(value);
    else if (flag === '--manifest') out.manifest = path.resolve(value);
    else if (flag === '--write-manifest') out.writeFrom = path.resolve(value);
    else throw new Error(`unknown option ${flag}`);
  }
  return out;
}

const gitEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };

async function git(argv, opts = {}) {
  try {
    const { stdout } = await run('git', argv, { ...opts, encoding: 'buffer', env: gitEnv });
    return stdout;
  } catch (err) {
    const said = err.stderr?.toString().trim().split('\n').pop();
    throw new Error(`git ${argv[0]} failed${said ? `: ${said}` : ''}`, { cause: err });
  }
}

/** `git cat-file --batch` with `input` on stdin; its whole output. */
function gitBatch(cwd, input) {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd, env: gitEnv });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`git cat-file exited with ${code}`)),
    );
    child.stdin.end(input);
  });
}

/** The `| owner/repo | commit | license | ...` rows of SOURCES.md. */
function parseSources(text) {
  const rows = [];
  for (const line of text.split('\n')) {
    const m = /^\|\s*([\w.-]+\/[\w.-]+)\s*\|\s*([0-9a-f]{40})\s*\|\s*([^|]+?)\s*\|/.exec(line);
    if (m) rows.push({ repo: m[1], commit: m[2], license: m[3] });
  }
  return rows;
}

async function listFiles(dir, prefix = '') {
  const out = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

async function writeManifest(from, manifest) {
  const repositories = parseSources(await readFile(path.join(from, 'SOURCES.md'), 'utf8'));
  if (repositories.length === 0) throw new Error(`${from}/SOURCES.md has no "| owner/repo | commit |" rows`);
  const files = [];
  for (const r of repositories) {
    const folder = r.repo.replace('/', '__');
    for (const rel of await listFiles(path.join(from, folder))) {
      const blob = (await git(['hash-object', '--no-filters', path.join(from, folder, rel)]))
        .toString()
        .trim();
      files.push({ repo: r.repo, path: rel, blob });
    }
  }
  const lines = [
    '# The real-world manifest corpus: `npm run corpus` (scripts/corpus.mjs) fetches these files.',
    '# repo <owner/name> <commit> <license>',
    '# file <owner/name> <git blob id> <path in the repository>',
    ...repositories.map((r) => `repo ${r.repo} ${r.commit} ${r.license}`),
    ...files.map((f) => `file ${f.repo} ${f.blob} ${f.path}`),
  ];
  await writeFile(manifest, `${lines.join('\n')}\n`);
  console.log(
    `wrote ${path.relative(process.cwd(), manifest)}: ${repositories.length} repositories, ${files.length} files`,
  );
}

function parseManifest(text, file) {
  const repositories = [];
  const files = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const repo = /^repo (\S+\/\S+) ([0-9a-f]{40}) (.+)$/.exec(line);
    const blob = /^file (\S+\/\S+) ([0-9a-f]{40}) (.+)$/.exec(line);
    if (repo) repositories.push({ repo: repo[1], commit: repo[2], license: repo[3] });
    else if (blob && !blob[3].split('/').includes('..'))
      files.push({ repo: blob[1], blob: blob[2], path: blob[3] });
    else
      throw new Error(
        `${file}:${i + 1}: expected "repo <owner/name> <commit> <license>" or "file <owner/name> <blob> <path>"`,
      );
  });
  for (const f of files) {
    if (!repositories.some((r) => r.repo === f.repo))
      throw new Error(`${file}: ${f.path} names unpinned ${f.repo}`);
  }
  return { repositories, files };
}

/** Fetches `commit` of `url` into the bare repository `cache`: by id (GitHub allows it), else every branch. */
async function fetchCommit(cache, url, commit) {
  await git(['init', '-q', '--bare', cache]);
  try {
    await git(['fetch', '-q', '--depth', '1', '--no-tags', url, commit], { cwd: cache });
  } catch {
    await git(['fetch', '-q', '--no-tags', url, '+refs/heads/*:refs/heads/*'], { cwd: cache });
  }
  await git(['cat-file', '-e', `${commit}^{commit}`], { cwd: cache }).catch(() => {
    throw new Error(`${url} has no commit ${commit}`);
  });
}

/** Blob contents by `<commit>:<path>`, read in one `git cat-file --batch`. */
async function readBlobs(cache, specs) {
  const out = await gitBatch(cache, specs.join('\n') + '\n');
  const blobs = [];
  let at = 0;
  for (const spec of specs) {
    const nl = out.indexOf(10, at);
    const header = out.subarray(at, nl).toString();
    const m = /^([0-9a-f]{40}) blob (\d+)$/.exec(header);
    if (!m) throw new Error(`${spec.replace(':', ' has no file ')}`);
    const size = Number(m[2]);
    blobs.push({ id: m[1], bytes: out.subarray(nl + 1, nl + 1 + size) });
    at = nl + 1 + size + 1;
  }
  return blobs;
}

async function fetchCorpus(dest, manifestFile) {
  const { repositories, files } = parseManifest(await readFile(manifestFile, 'utf8'), manifestFile);
  const base = (process.env.CORPUS_GIT_BASE || 'https://github.com').replace(/\/+$/, '');
  const partial = `${dest}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  try {
    for (const r of repositories) {
      const url = `${base}/${r.repo}.git`;
      const cache = path.join(partial, '.git-cache', r.repo.replace('/', '__'));
      process.stderr.write(`fetching ${url} at ${r.commit.slice(0, 12)} (${r.license})\n`);
      await fetchCommit(cache, url, r.commit);
      const mine = files.filter((f) => f.repo === r.repo);
      const blobs = await readBlobs(
        cache,
        mine.map((f) => `${r.commit}:${f.path}`),
      );
      for (const [i, f] of mine.entries()) {
        if (blobs[i].id !== f.blob) {
          throw new Error(`${r.repo}/${f.path} at ${r.commit} is blob ${blobs[i].id}, expected ${f.blob}`);
        }
        const target = path.join(partial, r.repo.replace('/', '__'), f.path);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, blobs[i].bytes);
      }
    }
    await rm(path.join(partial, '.git-cache'), { recursive: true, force: true });
    await rm(dest, { recursive: true, force: true });
    await rename(partial, dest);
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
  console.log(
    `corpus: ${files.length} files from ${repositories.length} repositories in ${path.relative(process.cwd(), dest) || dest}`,
  );
}

try {
  const opts = args(process.argv.slice(2));
  if (opts.writeFrom) await writeManifest(opts.writeFrom, opts.manifest);
  else await fetchCorpus(opts.dest, opts.manifest);
} catch (err) {
  process.stderr.write(`corpus: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
  process.exitCode = 1;
}
