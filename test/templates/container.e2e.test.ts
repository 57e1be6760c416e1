/**
 * The cron container's job without a Docker engine: the image's files (the final stage's COPY lines) laid
 * out in a folder, `node /app/dist/cli.js apply --repo <url> --log-format json` run as the CronJob runs it —
 * as user 10001 when the tests run as root (so nothing but TMPDIR is writable), from a folder it cannot
 * write, with no home folder — against the Vault dev server and a git http-backend remote.
 */
import { spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { startTestVault, type VaultDevServer } from '../support/vault-server.js';
import { copyCliBundle, dockerStages, stageEnv, type Stage } from './dockerfile.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const GIT_TOKEN = 'ghs_containerE2eTokenNeverPrinted';

let tmp: string;
let app: string;
let tmpDir: string;
let vault: VaultDevServer;
let git: GitServer;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vr-container-'));
  await chmod(tmp, 0o755);
  app = join(tmp, 'app');
  await cp(join(root, 'package.json'), join(app, 'package.json'));
  await cp(join(root, 'templates'), join(app, 'templates'), { recursive: true });
  await copyCliBundle(root, app);
  tmpDir = join(tmp, 'tmp'); // the emptyDir at /tmp
  await mkdir(tmpDir);
  await chmod(tmpDir, 0o1777);
  vault = await startTestVault({ mounts: [{ path: 'kv', version: 2 }] });
  vault.kv.write('kv', 'payments/db');
  git = await startGitServer({ tmpRoot: tmp, auth: { username: 'x-access-token', token: GIT_TOKEN } });
});

afterAll(async () => {
  await git?.close();
  await vault?.close();
  await rm(tmp, { recursive: true, force: true });
});

it('apply --repo <url> --log-format json: pushes, logs JSON lines, writes only under TMPDIR', async () => {
  await git.createBareRepo('manifests', {
    'apps/api.yaml':
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  annotations:\n    vault-rollout/secrets: kv/payments/db\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api:1\n',
  });
  const before = await git.head('manifests', 'main');
  const asUser = process.getuid?.() === 0 ? { uid: 10001, gid: 10001 } : {};
  const image = dockerStages(await readFile(join(root, 'Dockerfile'), 'utf8')).at(-1) as Stage;
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        join(app, 'dist/cli.js'),
        'apply',
        '--repo',
        git.repoUrl('manifests'),
        '--mode',
        'commit',
        '--log-format',
        'json',
      ],
      {
        cwd: '/',
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: '/nonexistent',
          ...stageEnv(image), // NODE_ENV, NODE_OPTIONS, TMPDIR
          TMPDIR: tmpDir, // the emptyDir
          VAULT_ADDR: vault.url,
          VAULT_TOKEN: vault.rootToken,
          GIT_TOKEN,
        },
        ...asUser,
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
  expect(r.stderr).not.toContain(GIT_TOKEN);
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines.length).toBeGreaterThan(1);
  for (const line of lines) {
    expect(JSON.parse(line)).toMatchObject({ time: expect.any(String), level: expect.any(String), msg: expect.any(String) });
  }
  expect(r.stdout).toContain('Deployment/api');
  const after = await git.head('manifests', 'main');
  expect(after).not.toBe(before);
  expect(await git.readFile('manifests', 'main', 'apps/api.yaml')).toContain(
    'vault-rollout/secret-versions: kv/payments/db@1',
  );
  // the temporary clone is gone: the emptyDir does not fill up run after run
  expect(await readdir(tmpDir)).toEqual([]);
  expect(vault.violations).toBe(0);
});
