/**
 * Hostile kustomization graphs through the built CLI: a diamond whose work doubles per layer (one problem
 * line, the rest of the run published, no crash), chains 2,000 and 5,000 deep (built, as `kubectl
 * kustomize` builds them), a root whose file is named `Kustomization` (plan is what apply commits, on a
 * checkout and in URL mode) and a folder with two kustomization files (reported, never edited).
 * Run `npm run build` first.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepoFile } from '../../src/core/model.js';
import { useE2eServers } from '../support/e2e-servers.js';
import { commitDiffLines, runGit } from '../support/git-server.js';
import { runCli } from '../support/run-cli.js';
import { chainRepo, diamondRepo, vaultDeployment } from './hostile-repo.js';

const s = useE2eServers('vr-root-graph-e2e-', (vault) => {
  vault.kv.write('kv', 'app/good');
  vault.kv.write('kv', 'app/web');
});
let work: string;
let tmp: string;
let count = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vr-root-graph-work-'));
  tmp = await mkdtemp(join(tmpdir(), 'vr-root-graph-tmp-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const GOOD: RepoFile[] = [
  { path: 'apps/good/kustomization.yaml', text: 'resources: [web.yaml]\n' },
  { path: 'apps/good/web.yaml', text: vaultDeployment('good', 'kv/app/good') },
];

/** A remote holding `files` on `main`, and a checkout of it. */
async function remote(files: RepoFile[]): Promise<{ name: string; url: string; checkout: string }> {
  const name = `g${count++}`;
  await s.git.createBareRepo(name, Object.fromEntries(files.map((f) => [f.path, f.text])), {
    branch: 'main',
  });
  const checkout = join(work, name);
  await runGit(['clone', '-q', '--branch', 'main', s.git.repoUrl(name), checkout], { cwd: work });
  return { name, url: s.git.repoUrl(name), checkout };
}

const env = () => ({ ...s.env, TMPDIR: tmp });

interface Report {
  workloads: { name: string; root?: string; action: string }[];
  problems: { file: string; message: string }[];
  commit: string | null;
}

function noCrash(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(stderr).not.toMatch(/Fatal|unexpected error|Maximum call stack/);
}

/** The `+`/`-` lines of `plan --format markdown`'s diff, each prefixed with its file, as commitDiffLines. */
function planDiffLines(markdown: string): string[] {
  const diff = /```diff\n([\s\S]*?)```/.exec(markdown)?.[1] ?? '';
  const out: string[] = [];
  let file = '';
  for (const line of diff.split('\n')) {
    const header = /^\+\+\+ b\/(.+)$/.exec(line);
    if (header) file = header[1]!;
    else if (/^[+-]/.test(line) && !line.startsWith('--- ')) out.push(`${file}: ${line}`);
  }
  return out;
}

describe('a diamond of 28 layers (59 kustomization files)', () => {
  it('is one problem naming the root and the file; the other root is planned and applied; exit 0', async () => {
    const files = [...GOOD, ...diamondRepo('diamond', 28)];
    const r = await remote(files);
    const started = performance.now();
    const plan = await runCli(['plan', '--repo', r.checkout, '--format', 'json'], env());
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(plan.code, plan.stderr).toBe(0);
    noCrash(plan.stderr);
    const report = JSON.parse(plan.stdout) as Report;
    expect(report.workloads.map((w) => [w.name, w.action])).toEqual([['good', 'record']]);
    expect(report.problems.map((p) => `${p.file}: ${p.message}`)).toEqual([
      'diamond/kustomization.yaml: render root "diamond" is not built, as kustomize refuses it: may not add resource with an already registered id: Deployment.v1.apps/web.app ("diamond/base/web.yaml" again, through "../../l28/b") (in "diamond/l27/a/kustomization.yaml"); nothing it builds is edited for it',
    ]);

    // The table prints it on one line of its own kind.
    const table = await runCli(['plan', '--repo', r.checkout], env());
    expect(table.code, table.stderr).toBe(0);
    expect(
      table.stdout.split('\n').filter((l) => l.includes('render root "diamond" is not built')),
    ).toHaveLength(1);

    // URL mode: the other root is published, nothing of the diamond is touched, TMPDIR is left empty.
    const apply = await runCli(['apply', '--repo', r.url, '--format', 'json'], env());
    expect(apply.code, apply.stderr).toBe(0);
    noCrash(apply.stderr);
    const applied = JSON.parse(apply.stdout) as Report;
    expect(applied.commit).not.toBeNull();
    const changed = await commitDiffLines(s.git.repoPath(r.name), applied.commit!);
    expect(new Set(changed.map((l) => l.slice(0, l.indexOf(':'))))).toEqual(new Set(['apps/good/web.yaml']));
    expect(await readdir(tmp)).toEqual([]);
  }, 120_000);
});

describe('chains of kustomizations', () => {
  for (const depth of [2000, 5000]) {
    it(`${depth} deep: built, the workload at the bottom planned for the root at the top`, async () => {
      const r = await remote([...GOOD, ...chainRepo('chain', depth)]);
      const plan = await runCli(['plan', '--repo', r.checkout, '--format', 'json'], env());
      expect(plan.code, plan.stderr).toBe(0);
      noCrash(plan.stderr);
      const report = JSON.parse(plan.stdout) as Report;
      expect(report.problems).toEqual([]);
      expect(report.workloads.map((w) => [w.name, w.root, w.action])).toEqual([
        ['good', 'apps/good', 'record'],
        ['chained', 'chain/c0', 'record'],
      ]);
    }, 240_000);
  }
});

describe('kustomization file names', () => {
  // One base built by two roots: each root gets its own patch file, listed in its own kustomization.
  const FILES: RepoFile[] = [
    { path: 'base/kustomization.yaml', text: 'resources: [web.yaml]\n' },
    { path: 'base/web.yaml', text: vaultDeployment('web', 'kv/app/web') },
    { path: 'clusters/a/Kustomization', text: 'namespace: a\nresources: [../../base]\n' },
    { path: 'clusters/b/kustomization.yml', text: 'namespace: b\nresources: [../../base]\n' },
    { path: 'twice/kustomization.yaml', text: 'resources: [app.yaml]\n' },
    { path: 'twice/Kustomization', text: 'resources: [app.yaml]\n' },
    { path: 'twice/app.yaml', text: vaultDeployment('twice', 'kv/app/web') },
  ];
  const TWICE =
    'twice/Kustomization: several kustomization files in "twice" ("twice/Kustomization", "twice/kustomization.yaml"): kustomize refuses to build it; skipped, nothing under it is edited';
  const EXPECTED_FILES = [
    'clusters/a/Kustomization',
    'clusters/a/vault-rollout/kustomization.yaml',
    'clusters/a/vault-rollout/patches.yaml',
    'clusters/b/kustomization.yml',
    'clusters/b/vault-rollout/kustomization.yaml',
    'clusters/b/vault-rollout/patches.yaml',
  ];

  for (const mode of ['checkout', 'URL'] as const) {
    it(`${mode}: scan sees both roots, plan is byte for byte what apply commits, the two-file folder is not edited`, async () => {
      const r = await remote(FILES);
      const repo = mode === 'checkout' ? r.checkout : r.url;
      const scan = await runCli(['scan', '--repo', repo, '--format', 'json'], env());
      expect(scan.code, scan.stderr).toBe(0);
      const scanned = JSON.parse(scan.stdout) as Report;
      expect(scanned.workloads.map((w) => [w.name, w.root])).toEqual([
        ['web', 'clusters/a'],
        ['web', 'clusters/b'],
      ]);

      const plan = await runCli(['plan', '--repo', repo, '--format', 'markdown'], env());
      expect(plan.code, plan.stderr).toBe(0);
      const planned = planDiffLines(plan.stdout);
      expect([...new Set(planned.map((l) => l.slice(0, l.indexOf(':'))))].sort()).toEqual(EXPECTED_FILES);

      const apply = await runCli(['apply', '--repo', repo, '--format', 'json'], env());
      expect(apply.code, apply.stderr).toBe(0);
      const applied = JSON.parse(apply.stdout) as Report;
      expect(applied.problems.map((p) => `${p.file}: ${p.message}`)).toEqual([TWICE]);
      const committed = await commitDiffLines(s.git.repoPath(r.name), applied.commit!);
      expect(committed).toEqual(planned);
      expect(await readdir(tmp)).toEqual([]);
    }, 120_000);
  }
});
