/**
 * Credentials per Vault, through the built CLI: a run over two environments, each with its own Vault
 * test server, sends each Vault only the credentials its config block names (`auth.tokenEnv`,
 * `auth.roleIdEnv` / `auth.secretIdEnv`), also when one Vault rejects them; and a run that would send the
 * default `VAULT_TOKEN` to an environment's own Vault stops before its first request.
 *
 * A recording proxy in front of each Vault logs every credential it is shown (the `X-Vault-Token` header
 * and an AppRole login's `role_id` / `secret_id`), since the dev server's own log never keeps tokens.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { startTestVault, type VaultDevServer } from '../support/vault-server.js';

interface Recorder {
  url: string;
  /** Every credential value this Vault was shown, in arrival order. */
  seen: string[];
  close(): Promise<void>;
}

/** A pass-through proxy that records the credentials of each request before forwarding it. */
async function recordCredentials(target: string): Promise<Recorder> {
  const seen: string[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const token = req.headers['x-vault-token'];
      if (typeof token === 'string') seen.push(token);
      if (body.length > 0 && /\/auth\/.+\/login$/.test(req.url ?? '')) {
        try {
          const login = JSON.parse(body.toString()) as Record<string, unknown>;
          for (const key of ['role_id', 'secret_id', 'jwt']) {
            if (typeof login[key] === 'string') seen.push(login[key]);
          }
        } catch {
          seen.push(`<unparsed login body>`);
        }
      }
      const out = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

const DEPLOYMENT = (name: string, secret: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    '  annotations:',
    `    vault-rollout/secrets: ${secret}`,
    'spec:',
    '  template:',
    '    spec:',
    '      containers: [{ name: app, image: nginx }]',
    '',
  ].join('\n');

let tmp = '';
const vaults: Record<'dev' | 'prod', VaultDevServer> = {} as never;
const proxies: Record<'dev' | 'prod', Recorder> = {} as never;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vr-credentials-'));
  vaults.dev = await startTestVault({
    mounts: [{ path: 'kv', version: 2 }],
    rootToken: 'token-for-dev-only',
    auth: [{ method: 'approle', roleId: 'dev-role-id', secretId: 'dev-secret-id', policies: ['*'] }],
  });
  vaults.prod = await startTestVault({
    mounts: [{ path: 'kv', version: 2 }],
    rootToken: 'token-for-prod-only',
    auth: [{ method: 'approle', roleId: 'prod-role-id', secretId: 'prod-secret-id', policies: ['*'] }],
  });
  vaults.dev.kv.write('kv', 'app/db');
  vaults.prod.kv.write('kv', 'app/db');
  vaults.prod.kv.write('kv', 'app/db');
  proxies.dev = await recordCredentials(vaults.dev.url);
  proxies.prod = await recordCredentials(vaults.prod.url);
});

afterAll(async () => {
  for (const p of Object.values(proxies)) await p?.close();
  for (const v of Object.values(vaults)) await v?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

afterEach(() => {
  proxies.dev.seen.length = 0;
  proxies.prod.seen.length = 0;
});

/** A checkout with one workload per environment and the given `vault` blocks for dev and prod. */
async function checkout(name: string, devVault: string, prodVault: string): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(join(dir, 'dev'), { recursive: true });
  await mkdir(join(dir, 'prod'), { recursive: true });
  await writeFile(join(dir, 'dev/web.yaml'), DEPLOYMENT('web', 'kv/app/db'));
  await writeFile(join(dir, 'prod/web.yaml'), DEPLOYMENT('web', 'kv/app/db'));
  await writeFile(
    join(dir, 'vault-rollout.yaml'),
    [
      'environments:',
      '  - name: dev',
      '    paths: ["dev/**"]',
      `    vault: ${devVault}`,
      '  - name: prod',
      '    paths: ["prod/**"]',
      `    vault: ${prodVault}`,
      '',
    ].join('\n'),
  );
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init');
  return dir;
}

interface PlanJson {
  workloads: { environment?: string; action: string; secrets: { current: number | null }[] }[];
}

describe('credentials per Vault', () => {
  it('token auth: each Vault receives only the token its block names', async () => {
    const dir = await checkout(
      'tokens',
      `{ address: "${proxies.dev.url}", auth: { tokenEnv: DEV_TOKEN } }`,
      `{ address: "${proxies.prod.url}", auth: { tokenEnv: PROD_TOKEN } }`,
    );
    const r = await runCli(['plan', '--repo', dir, '--format', 'json'], {
      DEV_TOKEN: 'token-for-dev-only',
      PROD_TOKEN: 'token-for-prod-only',
      // A stray default token must reach neither environment's Vault.
      VAULT_TOKEN: 'stray-default-token',
    });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as PlanJson;
    const current = Object.fromEntries(report.workloads.map((w) => [w.environment, w.secrets[0]?.current]));
    expect(current).toEqual({ dev: 1, prod: 2 });
    expect(proxies.dev.seen.length).toBeGreaterThan(0);
    expect(new Set(proxies.dev.seen)).toEqual(new Set(['token-for-dev-only']));
    expect(new Set(proxies.prod.seen)).toEqual(new Set(['token-for-prod-only']));
  });

  it('a Vault that rejects its token never receives the other one, and the error names the variable', async () => {
    const dir = await checkout(
      'rejected',
      `{ address: "${proxies.dev.url}", auth: { tokenEnv: DEV_TOKEN } }`,
      `{ address: "${proxies.prod.url}", auth: { tokenEnv: PROD_TOKEN } }`,
    );
    const r = await runCli(['plan', '--repo', dir, '--format', 'json'], {
      DEV_TOKEN: 'revoked-dev-token',
      PROD_TOKEN: 'token-for-prod-only',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Vault at ${proxies.dev.url} rejected the token`);
    expect(r.stderr).toContain('Set DEV_TOKEN to a valid token');
    expect(r.stderr).not.toContain('revoked-dev-token');
    expect(r.stderr).not.toContain('token-for-prod-only');
    expect(proxies.dev.seen).not.toContain('token-for-prod-only');
    expect(proxies.dev.seen.length).toBeGreaterThan(0);
    expect(new Set(proxies.dev.seen)).toEqual(new Set(['revoked-dev-token']));
    expect(proxies.prod.seen.every((t) => t === 'token-for-prod-only')).toBe(true);
  });

  it('AppRole: each Vault receives only its own role id and secret id (and the token it issued)', async () => {
    const dir = await checkout(
      'approle',
      `{ address: "${proxies.dev.url}", auth: { method: approle, roleIdEnv: DEV_ROLE, secretIdEnv: DEV_SECRET } }`,
      `{ address: "${proxies.prod.url}", auth: { method: approle, roleIdEnv: PROD_ROLE, secretIdEnv: PROD_SECRET } }`,
    );
    const r = await runCli(['plan', '--repo', dir, '--format', 'json'], {
      DEV_ROLE: 'dev-role-id',
      DEV_SECRET: 'dev-secret-id',
      PROD_ROLE: 'prod-role-id',
      PROD_SECRET: 'prod-secret-id',
      VAULT_ROLE_ID: 'stray-role-id',
      VAULT_SECRET_ID: 'stray-secret-id',
    });
    expect(r.code, r.stderr).toBe(0);
    const devSeen = new Set(proxies.dev.seen);
    const prodSeen = new Set(proxies.prod.seen);
    expect(devSeen.has('dev-role-id') && devSeen.has('dev-secret-id')).toBe(true);
    expect(prodSeen.has('prod-role-id') && prodSeen.has('prod-secret-id')).toBe(true);
    for (const s of ['prod-role-id', 'prod-secret-id', 'stray-role-id', 'stray-secret-id'])
      expect(devSeen.has(s)).toBe(false);
    for (const s of ['dev-role-id', 'dev-secret-id', 'stray-role-id', 'stray-secret-id'])
      expect(prodSeen.has(s)).toBe(false);
    // The tokens each Vault issued at login come back only to that Vault.
    const prodIssued = [...prodSeen].filter((s) => !s.startsWith('prod-'));
    expect(prodIssued.length).toBeGreaterThan(0);
    for (const t of prodIssued) expect(devSeen.has(t)).toBe(false);
  });

  it('AppRole rejected by one Vault: its secret id never reaches the other', async () => {
    const dir = await checkout(
      'approle-rejected',
      `{ address: "${proxies.dev.url}", auth: { method: approle, roleIdEnv: DEV_ROLE, secretIdEnv: DEV_SECRET } }`,
      `{ address: "${proxies.prod.url}", auth: { method: approle, roleIdEnv: PROD_ROLE, secretIdEnv: PROD_SECRET } }`,
    );
    const r = await runCli(['plan', '--repo', dir, '--format', 'json'], {
      DEV_ROLE: 'dev-role-id',
      DEV_SECRET: 'wrong-dev-secret-id',
      PROD_ROLE: 'prod-role-id',
      PROD_SECRET: 'prod-secret-id',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('(DEV_ROLE, DEV_SECRET)');
    expect(r.stderr).not.toContain('wrong-dev-secret-id');
    expect(proxies.dev.seen).toContain('wrong-dev-secret-id');
    expect(proxies.prod.seen).not.toContain('wrong-dev-secret-id');
    expect(proxies.dev.seen).not.toContain('prod-secret-id');
  });

  it('the default VAULT_TOKEN is never sent to an environment that reads its own Vault', async () => {
    const dir = await checkout(
      'defaults',
      `{ address: "${proxies.dev.url}" }`,
      `{ address: "${proxies.prod.url}", auth: { tokenEnv: PROD_TOKEN } }`,
    );
    const r = await runCli(['plan', '--repo', dir, '--format', 'json'], {
      VAULT_TOKEN: 'token-for-prod-only',
      PROD_TOKEN: 'token-for-prod-only',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/environment "dev" reads its own Vault .* names no credentials of its own/);
    expect(r.stderr).toContain('tokenEnv');
    expect(proxies.dev.seen).toEqual([]);
    expect(proxies.prod.seen).toEqual([]);

    // validate says the same, before any run
    const v = await runCli(['validate', '--repo', dir], { VAULT_TOKEN: 'x' });
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/vault-rollout\.yaml:\d+: environments\[0\]\.vault: environment "dev"/);
  });

  it('with --environment the run reads one Vault, which may use the default VAULT_TOKEN', async () => {
    const dir = await checkout(
      'one-env',
      `{ address: "${proxies.dev.url}" }`,
      `{ address: "${proxies.prod.url}" }`,
    );
    const r = await runCli(['plan', '--repo', dir, '--format', 'json', '--environment', 'dev'], {
      VAULT_TOKEN: 'token-for-dev-only',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(new Set(proxies.dev.seen)).toEqual(new Set(['token-for-dev-only']));
    expect(proxies.prod.seen).toEqual([]);
  });
});
