/**
 * End to end, the built CLI (dist/cli.js): exit code 3 for a blocked workload (after publishing the rest),
 * `validate` on good and bad configs, `dev-server` answering a metadata read and a rotation then stopping on
 * SIGTERM and SIGINT, and `demo` telling the whole story in under 150 lines.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, runCli } from '../support/run-cli.js';
import { runGit } from '../support/git-server.js';
import { useE2eServers } from '../support/e2e-servers.js';

const deployment = (name: string, secrets: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: prod
  annotations:
    vault-rollout/secrets: ${secrets}
spec:
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: ${name}
          image: ${name}:1
`;

const FILES: Record<string, string> = {
  'apps/web.yaml': deployment('web', 'kv/web/db'),
  // kv/gone/db is not in Vault (404): this workload is blocked, web is not.
  'apps/orphan.yaml': deployment('orphan', 'kv/gone/db'),
};

const s = useE2eServers('vr-commands-e2e-', (vault) => {
  vault.kv.write('kv', 'web/db');
  vault.kv.write('kv', 'web/db');
});

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'vr-commands-scratch-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(scratch, name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

interface Report {
  summary: Record<string, number>;
  workloads: { name: string; action: string; reasons?: string[] }[];
  commit: string | null;
}

describe('exit code 3: a blocked workload', () => {
  it('status and plan exit 3; apply publishes the unblocked workload, then exits 3', async () => {
    await s.git.createBareRepo('blocked', FILES);
    const remote = s.git.repoUrl('blocked');
    const base = await s.git.head('blocked', 'main');

    const status = await runCli(['status', '--repo', remote, '--format', 'json'], s.env);
    expect(status.code, status.stderr).toBe(3);
    expect((JSON.parse(status.stdout) as Report).summary).toMatchObject({ blocked: 1, record: 1 });
    expect(status.stderr).toContain('1 workload(s) blocked');

    // blocked wins over --exit-code's 2
    const plan = await runCli(['plan', '--repo', remote, '--exit-code'], s.env);
    expect(plan.code, plan.stderr).toBe(3);

    const apply = await runCli(['apply', '--repo', remote, '--format', 'json'], s.env);
    expect(apply.code, apply.stderr).toBe(3);
    const report = JSON.parse(apply.stdout) as Report;
    expect(report.workloads.find((w) => w.name === 'orphan')).toMatchObject({ action: 'blocked' });
    expect(report.workloads.find((w) => w.name === 'web')).toMatchObject({ action: 'record' });
    // published: the remote moved to the reported commit, which records web and leaves orphan as it was
    const head = await s.git.head('blocked', 'main');
    expect(head).not.toBe(base);
    expect(report.commit).toBe(head);
    expect(await s.git.readFile('blocked', 'main', 'apps/web.yaml')).toContain(
      'vault-rollout/secret-versions: kv/web/db@2',
    );
    expect(await s.git.readFile('blocked', 'main', 'apps/orphan.yaml')).toBe(FILES['apps/orphan.yaml']);
    const log = (
      await runGit(['--git-dir', s.git.repoPath('blocked'), 'log', '--format=%s', 'main'])
    ).toString();
    expect(log.trim().split('\n')).toHaveLength(2);
    expect(log).toContain('vault-rollout: record Vault secret versions of 1 workload');

    // the next run has nothing new to publish, and the workload is still blocked
    const again = await runCli(['apply', '--repo', remote, '--format', 'json'], s.env);
    expect(again.code).toBe(3);
    expect(await s.git.head('blocked', 'main')).toBe(head);
    expect(s.vault.violations).toBe(0);
  });

  it('exits 0 once nothing is blocked', async () => {
    await s.git.createBareRepo('unblocked', { 'apps/web.yaml': FILES['apps/web.yaml']! });
    const r = await runCli(['status', '--repo', s.git.repoUrl('unblocked')], s.env);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('validate', () => {
  it('a good config: exit 0, a one-line verdict, no Vault or Git needed', async () => {
    const dir = await folder('good', {
      'vault-rollout.yaml': [
        'include: ["apps/**"]',
        'environments:',
        '  - name: prod',
        '    paths: ["apps/**"]',
        'commit:',
        '  messageTemplate: .github/commit.liquid',
        'pullRequest: { draft: true, labels: [secrets] }',
        '',
      ].join('\n'),
      '.github/commit.liquid': 'rotate {{ restart }} workloads\n',
      'apps/web.yaml': FILES['apps/web.yaml']!,
    });
    // no VAULT_ADDR, no git remote: validate touches neither
    const r = await runCli(['validate', '--repo', dir, '--environment', 'prod'], {});
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'vault-rollout.yaml is valid (1 file(s) selected, 1 workload(s) depend on Vault secrets, 1 environment(s)).\n',
    );
  });

  it('a bad config: exit 1 with every error, each naming file, key and line', async () => {
    const dir = await folder('bad', {
      'vault-rollout.yaml': [
        'vault:',
        '  adress: https://vault.example.com',
        'include: ["apps/[oops"]',
        'pullRequest:',
        '  draft: maybe',
        '',
      ].join('\n'),
    });
    const r = await runCli(['validate', '--repo', dir], {});
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^error {3}vault-rollout\.yaml:2: vault\.adress: unknown key "adress".*did you mean "address"\?$/,
    );
    expect(lines[1]).toMatch(/^error {3}vault-rollout\.yaml:3: include\[0\]: not a valid glob/);
    expect(lines[2]).toMatch(
      /^error {3}vault-rollout\.yaml:5: pullRequest\.draft: expected a boolean \(got "maybe"\)$/,
    );
    expect(lines.at(-1)).toBe('vault-rollout.yaml: not valid, 3 error(s).');
  });

  it('templates, --environment and selections: errors and warnings, also as JSON', async () => {
    const dir = await folder('templates', {
      'config/rollout.yaml': [
        'include: ["apps/**", "clusters/**"]',
        'environments:',
        '  - name: prod',
        '    paths: ["clusters/prod/**"]',
        'commit:',
        '  messageTemplate: .github/missing.liquid',
        'pullRequest:',
        '  bodyTemplate: .github/body.liquid',
        '',
      ].join('\n'),
      '.github/body.liquid': 'Restarts:\n{% for w in workloads %}\n- {{ w.name }}\n',
      'apps/web.yaml': FILES['apps/web.yaml']!,
    });
    const args = [
      'validate',
      '--repo',
      dir,
      '--config',
      join(dir, 'config/rollout.yaml'),
      '--environment',
      'dev',
    ];
    const text = await runCli(args, {});
    expect(text.code).toBe(1);
    const file = join(dir, 'config/rollout.yaml');
    expect(text.stdout).toContain(
      `error   ${file}:6: commit.messageTemplate: ".github/missing.liquid" is not a file of the repository\n`,
    );
    expect(text.stdout).toMatch(
      new RegExp(
        `error {3}${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:8: pullRequest\\.bodyTemplate: "\\.github/body\\.liquid" line 2 is not a valid Liquid template: tag \\{% for w in workloads %\\} not closed`,
      ),
    );
    expect(text.stdout).toContain(
      `${file}:2: environments: --environment "dev" is not one of the config's environments ("prod")`,
    );
    expect(text.stdout).toContain(`warning ${file}:1: include[1]: "clusters/**" matches no YAML file`);
    expect(text.stdout).toContain(
      `warning ${file}:4: environments[0].paths: environment "prod" reaches no workload`,
    );

    const json = await runCli([...args, '--format', 'json'], {});
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout) as {
      valid: boolean;
      errors: { key: string; line: number }[];
      warnings: unknown[];
    };
    expect(out.valid).toBe(false);
    expect(out.errors.map((e) => [e.key, e.line])).toEqual([
      ['commit.messageTemplate', 6],
      ['pullRequest.bodyTemplate', 8],
      ['environments', 2],
    ]);
    expect(out.warnings).toHaveLength(2);
  });
});

/** Starts `dev-server`, resolving once it printed its export line. */
async function startDevServer(args: string[]): Promise<{
  child: ChildProcessWithoutNullStreams;
  env: Record<string, string>;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}> {
  const child = spawn(process.execPath, [cliPath, 'dev-server', ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir() },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('close', (code, signal) => done({ code, signal })),
  );
  const env = await new Promise<Record<string, string>>((done, fail) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^export VAULT_ADDR=(\S+) VAULT_TOKEN=(\S+)$/m.exec(out);
      if (m) done({ VAULT_ADDR: m[1]!, VAULT_TOKEN: m[2]! });
    });
    void exited.then(() => fail(new Error(`dev-server exited early: ${err}`)));
  });
  return { child, env, stdout: () => out, stderr: () => err, exited };
}

async function currentVersion(env: Record<string, string>, secret: string): Promise<number | null> {
  const [mount, ...rest] = secret.split('/');
  const res = await fetch(`${env.VAULT_ADDR}/v1/${mount}/metadata/${rest.join('/')}`, {
    headers: { 'X-Vault-Token': env.VAULT_TOKEN! },
  });
  if (res.status === 404) return null;
  return ((await res.json()) as { data: { current_version: number } }).data.current_version;
}

describe('dev-server', () => {
  it('seeds from --seed, answers metadata reads and the CLI against it, rotates with `put`, stops on SIGTERM', async () => {
    const server = await startDevServer(['--seed', 'kv/web/db@3,kv/web/api', '--token', 'dev-root']);
    try {
      expect(server.env.VAULT_TOKEN).toBe('dev-root');
      expect(server.stdout()).toContain('Seeded: kv/web/db v3, kv/web/api v1');
      // started from this checkout (the repository root), so the printed commands run the built file
      expect(server.stdout()).toContain('\n  node dist/cli.js dev-server put kv/web/db\n');
      expect(await currentVersion(server.env, 'kv/web/db')).toBe(3);
      expect(await currentVersion(server.env, 'kv/web/api')).toBe(1);
      // a value read is refused, as Vault-rollout never needs one
      const value = await fetch(`${server.env.VAULT_ADDR}/v1/kv/data/web/db`, {
        headers: { 'X-Vault-Token': 'dev-root' },
      });
      expect(value.status).toBe(403);

      // vault-rollout itself, against the dev server: adoption of web at v3
      const dir = await folder('dev-server-repo', {
        'apps/web.yaml': deployment('web', 'kv/web/db, kv/web/api'),
      });
      const plan = await runCli(['plan', '--repo', dir, '--format', 'json'], server.env);
      expect(plan.code, plan.stderr).toBe(0);
      const report = JSON.parse(plan.stdout) as {
        workloads: { secrets: { path: string; current: number }[] }[];
      };
      expect(report.workloads[0]?.secrets.map((x) => [x.path, x.current])).toEqual([
        ['kv/web/db', 3],
        ['kv/web/api', 1],
      ]);

      // the printed rotation: `dev-server put`, then the HTTP call that `vault kv put` sends
      const put = await runCli(['dev-server', 'put', 'kv/web/db'], server.env);
      expect(put.code, put.stderr).toBe(0);
      expect(put.stdout).toBe('kv/web/db is now at version 4\n');
      const curl = await fetch(`${server.env.VAULT_ADDR}/v1/kv/data/web/db`, {
        method: 'POST',
        headers: { 'X-Vault-Token': 'dev-root' },
        body: '{"data":{}}',
      });
      expect(curl.status).toBe(200);
      expect(await currentVersion(server.env, 'kv/web/db')).toBe(5);
      // a new secret, on a mount the seeds made
      expect((await runCli(['dev-server', 'put', 'kv/web/new'], server.env)).stdout).toBe(
        'kv/web/new is now at version 1\n',
      );
      const noToken = await runCli(['dev-server', 'put', 'kv/web/db'], {
        VAULT_ADDR: server.env.VAULT_ADDR!,
      });
      expect(noToken.code).toBe(1);
      expect(noToken.stderr).toContain('set VAULT_ADDR and VAULT_TOKEN');
    } finally {
      server.child.kill('SIGTERM');
    }
    const exit = await server.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toMatch(
      /^dev-server: SIGTERM: stopped after \d+ request\(s\), \d+ metadata read\(s\)\.\n$/,
    );
  });

  it('stops on SIGINT (Ctrl-C) too, and seeds from a file', async () => {
    const seedFile = join(scratch, 'seeds.txt');
    await writeFile(seedFile, '# the secrets of my manifests\nkv/app/db@2\nteam-a/app@4\n');
    const server = await startDevServer(['--seed', seedFile]);
    expect(await currentVersion(server.env, 'kv/app/db')).toBe(2);
    expect(await currentVersion(server.env, 'team-a/app')).toBe(4);
    server.child.kill('SIGINT');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toContain('dev-server: SIGINT: stopped');
    // the port is free again
    await expect(fetch(`${server.env.VAULT_ADDR}/v1/sys/health`)).rejects.toThrow();
  });

  it('a bad seed is an error that names it', async () => {
    const r = await runCli(['dev-server', '--seed', 'kv/app/db@3,kv/../x'], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--seed: "kv/../x" is not a secret path');
  });
});

describe('demo', () => {
  it('tells each step once in under 150 lines, with both diffs, the Vault request count and what next', async () => {
    const r = await runCli(['demo'], {});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThan(150);
    // no JSON log line, no colour codes
    expect(lines.filter((l) => /^\s*[{[]"/.test(l) || l.includes('\x1b['))).toEqual([]);
    for (const step of [
      '1. ',
      '2. ',
      '3. plan: ',
      '4. apply: pushed commit',
      '5. Rotated',
      '6. apply: pushed commit',
      '7. apply once more: nothing new, no commit',
    ])
      expect(
        lines.filter((l) => l.startsWith(step)),
        step,
      ).toHaveLength(1);
    // each diff once: the adoption's record line, then the restart's pod-template line
    expect(
      lines.filter((l) => l === '+    vault-rollout/secret-versions: kv/payments/db@3,kv/payments/stripe@1'),
    ).toHaveLength(1);
    expect(
      lines.filter(
        (l) => l === '+        vault-rollout/secret-versions: kv/payments/db@4,kv/payments/stripe@1',
      ),
    ).toHaveLength(1);
    expect(r.stdout).toMatch(
      /Vault answered \d+ request\(s\): \d+ metadata read\(s\) \(GET \/v1\/kv\/metadata\/\.\.\.\)/,
    );
    expect(r.stdout).toContain('Secret values read (/data/): 0.');
    // what next, as commands that run where the demo ran: `vault-rollout` is not on PATH in a checkout
    expect(lines.at(-1)).toMatch(/^ {2}node dist\/cli\.js plan --repo \.\/manifests +# /);
    expect(r.stdout).toContain('\n  node dist/cli.js dev-server --seed');
    expect(r.stdout).not.toMatch(/^ {2}vault-rollout /m);
  });
});
