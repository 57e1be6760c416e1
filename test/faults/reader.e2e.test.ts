/**
 * The repository's files through the built CLI, each with the exact hostile input that used to leak,
 * hang or crash: a committed `vault-rollout.yaml` linking to `/etc/passwd` or `/dev/zero` (a checkout and
 * a URL), a manifest linking out, a 200 MB blob in Git-object mode, `--config` naming a folder, a FIFO or
 * `/dev/zero`, a 24 MB config, bad mounts and branch names, and overlapping environments. Each asserts
 * the exit code, one clear line, the remote unchanged, no token in any output, and TMPDIR empty.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useE2eServers } from '../support/e2e-servers.js';
import { runGit } from '../support/git-server.js';
import { cliPath, runCli, type CliRun } from '../support/run-cli.js';

/** A token that looks like one (the test Vault's root token, "root", is masked in every word). */
const TOKEN = 'hvs.CAESIReaderFaultToken0123456789abcdefXYZ';
const s = useE2eServers('vr-reader-e2e-', (vault) => {
  vault.kv.write('kv', 'app/db');
  vault.addToken(TOKEN, { policies: ['*'] });
});
let n = 0;

const deployment = [
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
  '',
].join('\n');

const gitEnv = {
  ...process.env,
  HOME: '/nonexistent',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
} as NodeJS.ProcessEnv;
const git = (cwd: string, ...args: string[]) => runGit(args, { cwd, env: gitEnv });

/**
 * A checkout whose commit holds `files` and `links` (name → link text), pushed to a bare `origin` on disk
 * and to `<name>` on the git test server, with a fresh TMPDIR for the run.
 */
async function hostile(files: Record<string, string>, links: Record<string, string> = {}) {
  const name = `reader-${++n}`;
  const work = join(s.tmp, name);
  await mkdir(work, { recursive: true });
  await git(work, 'init', '-q', '-b', 'main');
  for (const [p, text] of Object.entries(files)) {
    await mkdir(dirname(join(work, p)), { recursive: true });
    await writeFile(join(work, p), text);
  }
  for (const [p, target] of Object.entries(links)) {
    await mkdir(dirname(join(work, p)), { recursive: true });
    await symlink(target, join(work, p));
  }
  await git(work, 'add', '-A');
  await git(work, 'commit', '-qm', 'hostile');
  await s.git.createBareRepo(name, { 'README.md': 'x\n' });
  await git(work, 'push', '-q', '--force', s.git.repoUrl(name), 'main');
  const origin = join(s.tmp, `${name}-origin.git`);
  await git(s.tmp, 'init', '-q', '--bare', '-b', 'main', origin);
  await git(work, 'remote', 'add', 'origin', origin);
  await git(work, 'push', '-q', '-u', 'origin', 'main');
  const tmp = await mkdtemp(join(s.tmp, 'run-tmp-'));
  const refs = async () =>
    [
      (await git(s.git.repoPath(name), 'for-each-ref')).toString(),
      (await git(origin, 'for-each-ref')).toString(),
    ].join('\n');
  const before = await refs();
  return {
    name,
    work,
    url: s.git.repoUrl(name),
    tmp,
    env: { VAULT_ADDR: s.vault.url, VAULT_TOKEN: TOKEN, TMPDIR: tmp },
    /** The remote (and the checkout's origin) as before the run; TMPDIR left empty. */
    untouched: async () => {
      expect(await refs()).toBe(before);
      expect(await readdir(tmp)).toEqual([]);
    },
  };
}

/**
 * Exit 1, nothing on stdout, one error line on stderr (`vault-rollout: ...`, after at most the progress
 * lines of a clone) holding `text`, no stack trace, no token.
 */
function expectOneLine(res: CliRun, text: string): void {
  expect(res.code, res.stderr).toBe(1);
  expect(res.stdout).toBe('');
  const lines = res.stderr.split('\n').filter((l) => l.startsWith('vault-rollout:'));
  expect(lines, res.stderr).toHaveLength(1);
  expect(lines[0]).toContain(text);
  expect(res.stderr.split('\n').filter(Boolean).length, res.stderr).toBeLessThanOrEqual(2);
  expect(res.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expectNoToken(res);
}

function expectNoToken(res: CliRun): void {
  expect(res.stdout + res.stderr).not.toContain(TOKEN);
}

/** Nothing of /etc/passwd in an output. */
function expectNoPasswd(res: CliRun): void {
  expect(res.stdout + res.stderr).not.toMatch(/root:[^:]*:0:0/);
}

const OUTSIDE = 'config file "vault-rollout.yaml" is a symlink that points outside the repository';

describe('a committed vault-rollout.yaml that links out of the repository', () => {
  for (const target of ['/etc/passwd', '/dev/zero', '../../../../../../../../etc/passwd']) {
    it(`-> ${target}: one line, nothing of the target printed, nothing pushed (checkout)`, async () => {
      const r = await hostile({ 'apps/web.yaml': deployment }, { 'vault-rollout.yaml': target });
      for (const command of ['plan', 'apply', 'validate', 'scan']) {
        const res = await runCli([command, '--repo', r.work], r.env);
        expectOneLine(res, OUTSIDE);
        expectNoPasswd(res);
      }
      await r.untouched();
    });

    it(`-> ${target}: the same refusal from a URL, the clone removed`, async () => {
      const r = await hostile({ 'apps/web.yaml': deployment }, { 'vault-rollout.yaml': target });
      const res = await runCli(['apply', '--repo', r.url, '--format', 'json'], r.env);
      expectOneLine(res, 'config file "vault-rollout.yaml" in "');
      expect(res.stderr).toContain('symlink points outside the repository');
      expectNoPasswd(res);
      await r.untouched();
    });
  }

  it('a link to a regular file inside the repository is followed, by plan and apply alike', async () => {
    const r = await hostile(
      { 'apps/web.yaml': deployment, 'config/real.yaml': 'include: ["apps/**"]\n' },
      { 'vault-rollout.yaml': 'config/real.yaml' },
    );
    const plan = await runCli(['plan', '--repo', r.work, '--format', 'json', '--no-diff'], r.env);
    expect(plan.code, plan.stderr).toBe(0);
    const apply = await runCli(['apply', '--repo', r.url, '--format', 'json', '--dry-run'], r.env);
    expect(apply.code, apply.stderr).toBe(0);
    const summary = (out: string) => (JSON.parse(out) as { summary: unknown }).summary;
    expect(summary(apply.stdout)).toEqual(summary(plan.stdout));
    expect(summary(plan.stdout)).toMatchObject({ workloads: 1, record: 1 });
    expect(await readdir(r.tmp)).toEqual([]);
  });
});

describe('manifests that link out of the repository', () => {
  it('plan and apply report the same problems, and apply commits exactly what plan showed', async () => {
    const r = await hostile(
      { 'base/web.yaml': deployment },
      {
        'apps/passwd.yaml': '/etc/passwd',
        'apps/zero.yaml': '/dev/zero',
        'apps/git.yaml': '../.git/config',
        'apps/web.yaml': '../base/web.yaml',
      },
    );
    const plan = await runCli(['plan', '--repo', r.work, '--format', 'json', '--no-diff'], r.env);
    expect(plan.code, plan.stderr).toBe(0);
    expectNoPasswd(plan);
    const planned = JSON.parse(plan.stdout) as {
      workloads: { file: string }[];
      problems: { file: string; message: string }[];
    };
    expect(planned.problems.map((p) => [p.file, p.message])).toEqual([
      ['apps/git.yaml', 'symlink points outside the repository: skipped'],
      ['apps/passwd.yaml', 'symlink points outside the repository: skipped'],
      ['apps/zero.yaml', 'symlink points outside the repository: skipped'],
    ]);
    // The real file wins over the link to it: one workload, in base/.
    expect(planned.workloads.map((w) => w.file)).toEqual(['base/web.yaml']);

    const apply = await runCli(['apply', '--repo', r.url, '--format', 'json'], r.env);
    expect(apply.code, apply.stderr).toBe(0);
    expectNoPasswd(apply);
    expectNoToken(apply);
    const applied = JSON.parse(apply.stdout) as typeof planned & { changes?: unknown; commit: string };
    expect(applied.problems).toEqual(planned.problems);
    expect(applied.workloads).toEqual(planned.workloads);
    // The pushed commit changes base/web.yaml only (the link stays a link).
    const changed = (await git(s.git.repoPath(r.name), 'show', '--name-status', '--format=', 'main'))
      .toString()
      .trim();
    expect(changed).toBe('M\tbase/web.yaml');
    const log = (await git(s.git.repoPath(r.name), 'log', '-p', 'main')).toString();
    expect(log).not.toContain(TOKEN);
    expect(log).not.toMatch(/root:[^:]*:0:0/);
    expect(await readdir(r.tmp)).toEqual([]);
  });
});

const timeBin = '/usr/bin/time';

describe.skipIf(!existsSync(timeBin))('a 200 MB blob in Git-object mode', () => {
  it('is sized by its header and never read: low peak memory, one warning, the rest planned', async () => {
    const r = await hostile({ 'apps/web.yaml': deployment });
    // Highly compressible, so making and pushing it takes seconds; its size is what matters.
    const big = join(r.work, 'apps/big.yaml');
    execFileSync('sh', ['-c', `yes 'a: 1' | head -c ${200 * 1024 * 1024} > '${big}'`]);
    await git(r.work, 'add', 'apps/big.yaml');
    await git(r.work, 'commit', '-qm', 'big');
    await git(r.work, 'push', '-q', 'origin', 'main');
    // The working tree holds the same 200 MB: plan (which reads it) checks its size before reading too.
    const measured = async (args: string[]) => {
      const res = await execFileAsync(
        timeBin,
        ['-f', 'maxrss-kb=%M', process.execPath, cliPath, ...args],
        r.env,
      );
      const kb = Number(/maxrss-kb=(\d+)/.exec(res.stderr)?.[1]);
      return { res: { ...res, stderr: res.stderr.replace(/maxrss-kb=\d+\n?/, '') }, mb: kb / 1024 };
    };
    for (const args of [
      ['apply', '--repo', r.work, '--dry-run', '--format', 'json'],
      ['plan', '--repo', r.work, '--format', 'json', '--no-diff'],
    ]) {
      const { res, mb } = await measured(args);
      expect(res.code, res.stderr).toBe(0);
      const report = JSON.parse(res.stdout) as {
        problems: { file: string; message: string }[];
        summary: unknown;
      };
      expect(report.problems.map((p) => [p.file, p.message])).toEqual([
        [
          'apps/big.yaml',
          'file is 209715200 bytes, over the maxFileBytes limit of 5242880 bytes: skipped (raise maxFileBytes in the config to read it)',
        ],
      ]);
      expect(report.summary).toMatchObject({ workloads: 1, record: 1 });
      // Reading the blob took more than 400 MB here (its bytes, then its text).
      expect(mb, `${args[0]}: ${mb} MB`).toBeLessThan(200);
    }
    // The remote still at the commit pushed above; nothing left in TMPDIR.
    expect((await git(r.work, 'rev-parse', 'origin/main')).toString()).toBe(
      (await git(r.work, 'rev-parse', 'HEAD')).toString(),
    );
    expect(await readdir(r.tmp)).toEqual([]);
  }, 120_000);
});

/** Runs a program with only `env` (plus PATH and HOME), collecting its outputs. */
function execFileAsync(file: string, args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(file, args, {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/nonexistent', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('--config that is not a regular file', () => {
  it('a folder, a FIFO, /dev/zero and a link to /dev/zero: one line each, at once', async () => {
    const r = await hostile({ 'apps/web.yaml': deployment });
    const fifo = join(s.tmp, `fifo-${n}`);
    execFileSync('mkfifo', [fifo]);
    const zeroLink = join(s.tmp, `zero-link-${n}`);
    await symlink('/dev/zero', zeroLink);
    const cases: [string, string][] = [
      [s.tmp, `config file "${s.tmp}" is a folder: pass the YAML file itself`],
      [fifo, `config file "${fifo}" is not a regular file (a FIFO, socket or device): pass a YAML file`],
      ['/dev/zero', 'config file "/dev/zero" is not a regular file (a FIFO, socket or device)'],
      [zeroLink, `config file "${zeroLink}" is not a regular file`],
    ];
    for (const [config, line] of cases) {
      for (const command of ['plan', 'validate']) {
        const started = Date.now();
        const res = await runCli([command, '--repo', r.work, '--config', config], r.env);
        expectOneLine(res, line);
        expect(Date.now() - started).toBeLessThan(10_000);
      }
      const url = await runCli(['apply', '--repo', r.url, '--config', config], r.env);
      expectOneLine(url, line);
    }
    await r.untouched();
  });
});

describe('validate: mounts, branch names, size', () => {
  it('refuses kv/../sys, -delete and main..x with their lines', async () => {
    const r = await hostile({
      'apps/web.yaml': deployment,
      'vault-rollout.yaml': 'branch: -delete\nvault:\n  mounts: [kv/../sys]\n',
    });
    const res = await runCli(['validate', '--repo', r.work], r.env);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(
      'vault-rollout.yaml:1: branch: not a branch name git accepts: must not start with "-" (got "-delete")',
    );
    expect(res.stdout).toContain(
      'vault-rollout.yaml:3: vault.mounts[0]: a mount path has no "." or ".." segment',
    );
    const dots = join(s.tmp, `dots-${n}.yaml`);
    await writeFile(dots, 'branch: main..x\n');
    const res2 = await runCli(['validate', '--repo', r.work, '--config', dots], r.env);
    expect(res2.code).toBe(1);
    expect(res2.stdout).toContain(
      'branch: not a branch name git accepts: must not contain ".." (got "main..x")',
    );
    // and a run refuses them before any request
    const run = await runCli(['plan', '--repo', r.work], r.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('vault-rollout.yaml: 2 problems in the config file');
    await r.untouched();
  });

  it('a 24 MB config is refused by its size in well under a second of work, at every command', async () => {
    const lines = ['rules:'];
    const entry = '  - select: { path: "apps/**", kind: Deployment }\n    secrets: [kv/app/db]\n';
    const text = `${lines[0]}\n${entry.repeat(Math.ceil((24 * 1024 * 1024) / entry.length))}`;
    const r = await hostile({ 'apps/web.yaml': deployment, 'vault-rollout.yaml': text });
    const expected = `config file "vault-rollout.yaml" is ${Buffer.byteLength(text)} bytes, over the 1048576-byte limit of a config file`;
    for (const args of [
      ['validate', '--repo', r.work],
      ['plan', '--repo', r.work],
      ['apply', '--repo', r.url],
    ]) {
      const started = Date.now();
      const res = await runCli(args, r.env);
      expectOneLine(res, args[2] === r.url ? 'over the maxFileBytes limit of 1048576 bytes' : expected);
      expect(Date.now() - started, args[0]).toBeLessThan(15_000);
    }
    await r.untouched();
  });
});

describe('overlapping environments', () => {
  const config = [
    'environments:',
    '  - name: all',
    '    paths: ["clusters/**"]',
    '  - name: prod',
    '    paths: ["clusters/prod/**"]',
    '',
  ].join('\n');
  const kustomization =
    'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [web.yaml]\n';
  const line =
    'environments "all" (paths "clusters/**") and "prod" (paths "clusters/prod/**") both match the render root "clusters/prod/web": a root belongs to one environment, make the globs disjoint';

  it('is an error naming both environments and both globs, at validate and at run time', async () => {
    const r = await hostile({
      'vault-rollout.yaml': config,
      'clusters/prod/web/kustomization.yaml': kustomization,
      'clusters/prod/web/web.yaml': deployment,
    });
    const validate = await runCli(['validate', '--repo', r.work], r.env);
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain(`vault-rollout.yaml:1: environments: ${line}`);
    for (const args of [
      ['plan', '--repo', r.work],
      ['plan', '--repo', r.work, '--environment', 'prod'],
      ['apply', '--repo', r.url],
    ]) {
      expectOneLine(await runCli(args, r.env), line);
    }
    await r.untouched();
  });
});
