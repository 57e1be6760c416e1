/**
 * The package a user installs: `npm pack`, then `npm install` of the tarball in an empty folder, then the
 * `vault-rollout` bin through npx — `--version` and the whole `demo`, which reads its example manifests
 * from the installed package's templates/. Slow (an install), and it needs the npm registry or a warm npm
 * cache for the dependencies.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run-cli.js';

const TIMEOUT = 300_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs npm or npx with this process's environment minus npm's own `npm_*` variables: run under `npm test`,
 * those would point the inner npm at this repository instead of the empty folder.
 */
function run(cmd: string, args: string[], cwd: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  env.npm_config_update_notifier = 'false';
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

let tmp: string;
let app: string;
let packed: { filename: string; files: { path: string }[] };
const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
};

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vr-pack-'));
  const pack = await run('npm', ['pack', '--json', '--pack-destination', tmp], repoRoot);
  expect(pack.code, pack.stderr).toBe(0);
  packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0]!;
  app = join(tmp, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
  const install = await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', join(tmp, packed.filename)],
    app,
  );
  expect(install.code, install.stderr).toBe(0);
}, TIMEOUT);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('packs the bin, every template, the report schema and nothing of the sources or tests', () => {
    const files = packed.files.map((f) => f.path).sort();
    // what the installed CLI reads at run time: the bundle, the templates the demo and pull requests use,
    // the schema the product contract says ships with the package
    const committed = execFileSync('git', ['ls-files', 'templates', 'dist', 'docs/schema'], {
      cwd: repoRoot,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => f !== '');
    expect(committed).toEqual(expect.arrayContaining(['dist/cli.js', 'templates/pr-body.liquid']));
    expect(committed.filter((f) => !files.includes(f))).toEqual([]);
    for (const bin of Object.values(pkg.bin)) expect(files).toContain(bin.replace(/^\.\//, ''));
    expect(files.filter((f) => /^(src|test|scripts|node_modules)\//.test(f))).toEqual([]);
  });
});

describe('installed from the tarball into an empty folder', () => {
  it(
    '`npx vault-rollout --version` prints the package version',
    async () => {
      const r = await run('npx', ['--no-install', 'vault-rollout', '--version'], app);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    },
    TIMEOUT,
  );

  it(
    '`npx vault-rollout demo` runs the whole story and ends with commands that run there as printed',
    async () => {
      const r = await run('npx', ['--no-install', 'vault-rollout', 'demo'], app);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^4\. apply: pushed commit [0-9a-f]{7}/m);
      expect(r.stdout).toMatch(/^6\. apply: pushed commit [0-9a-f]{7}/m);
      expect(r.stdout).toContain('Secret values read (/data/): 0.');
      const hints = r.stdout.split('\n').filter((l) => /^ {2}\S.* +# /.test(l));
      expect(hints.length).toBe(3);
      for (const hint of hints) expect(hint).toMatch(/^ {2}npx vault-rollout /);
      // the printed prefix does run in that folder
      const validate = await run('npx', ['--no-install', 'vault-rollout', 'validate', '--help'], app);
      expect(validate.code, validate.stderr).toBe(0);
    },
    TIMEOUT,
  );
});
