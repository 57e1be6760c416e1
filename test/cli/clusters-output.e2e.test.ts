/**
 * End to end, the built CLI at 100 columns (`COLUMNS=100`) over the two-environment Argo CD fixture, each
 * environment with its own Vault test server and token: `scan` and `plan` group rows by environment, then
 * root; every row names its root by the part of the path that tells roots apart and sits under its
 * environment's heading; no two rows are identical and no root or workload name is cut; the summary counts
 * distinct workloads and (root, workload) pairs and ends the output. Run `npm run build` first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGit, startGitServer, type GitServer } from '../support/git-server.js';
import { runCli } from '../support/run-cli.js';
import { fixtureSecrets, readFixture, seedVault, withVaultAddresses } from '../support/roots-fixtures.js';
import { startTestVault, type VaultDevServer } from '../support/vault-server.js';

const vaults: Record<string, VaultDevServer> = {};
let git: GitServer;
let tmp = '';
let url = '';
const env = { VAULT_TOKEN_DEV: 'root-dev', VAULT_TOKEN_PROD: 'root-prod', COLUMNS: '100' };

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vr-clusters-output-'));
  const secrets = await fixtureSecrets('argocd');
  for (const name of Object.keys(secrets)) {
    vaults[name] = await startTestVault({ mounts: [{ path: 'kv', version: 2 }], rootToken: `root-${name}` });
    seedVault(vaults[name]!, secrets[name]!);
  }
  git = await startGitServer({ tmpRoot: tmp });
  const files = await readFixture('argocd');
  files['vault-rollout.yaml'] = withVaultAddresses(
    files['vault-rollout.yaml']!,
    Object.fromEntries(Object.entries(vaults).map(([n, v]) => [n, v.url])),
  );
  await git.createBareRepo('repo', files, { branch: 'main' });
  url = git.repoUrl('repo');
});
afterAll(async () => {
  await git?.close();
  for (const v of Object.values(vaults)) await v.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** The table's rows, each with the environment heading it sits under. */
function rows(out: string): { environment: string; line: string }[] {
  const lines = out.split('\n');
  const header = lines.findIndex((l) => l.startsWith('WORKLOAD '));
  expect(header).toBeGreaterThanOrEqual(0);
  const found: { environment: string; line: string }[] = [];
  let environment = '';
  for (const line of lines.slice(header + 1)) {
    const heading = /^Environment (\S+): \d+ workloads? in \d+ roots?$/.exec(line);
    if (heading) environment = heading[1]!;
    else if (line === '' && environment === '') continue;
    else if (/^(Deployment|StatefulSet|CronJob|DaemonSet)\//.test(line)) found.push({ environment, line });
    else if (line === '' && found.length > 0 && !/^Environment /.test(lines[lines.indexOf(line) + 1] ?? ''))
      break;
  }
  return found;
}

describe('output for many clusters at 100 columns', () => {
  for (const command of ['scan', 'plan'] as const) {
    it(`${command}: sections per environment, the root's telling part on every row, no row twice`, async () => {
      const r = await runCli([command, '--repo', url], env);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      const table = rows(r.stdout);
      // 5 dev roots, 7 prod-eu, 5 prod-us: 17 roots, 18 rows (the prod-us gateway root also builds the canary).
      expect(table).toHaveLength(18);
      expect(new Set(table.map((t) => t.line)).size).toBe(table.length);
      for (const { environment, line } of table) {
        const root = /^\S+\s+\S+\s+((?:dev-eu|prod-eu|prod-us)\/[a-z]+)\s/.exec(line)?.[1];
        expect(root, line).toBeDefined();
        expect(environment, line).toBe(root!.startsWith('dev-') ? 'dev' : 'prod');
        expect(line).not.toMatch(/^\S*…/); // the workload name is never cut
      }
      expect(table.filter((t) => t.environment === 'dev')).toHaveLength(5);
      // sections come in order: every dev row before every prod row
      expect(table.map((t) => t.environment)).toEqual([...table.map((t) => t.environment)].sort());
      // the table fits (a diff's lines are the file's own)
      expect(table.every((t) => t.line.length <= 100)).toBe(true);
      const last = lines.at(-1)!;
      if (command === 'scan')
        expect(last).toBe(
          '18 workload(s) depend on 7 Vault secrets. Counted once: 8 workloads in 17 roots of 2 environments.',
        );
      else
        expect(last).toMatch(
          /^8 workloads in 17 roots of 2 environments, 18 \(root, workload\) pair\(s\): 0 restart, 18 record only, 0 blocked, 0 unchanged$/,
        );
    }, 60_000);
  }

  it('markdown: environment and root lead every row', async () => {
    const r = await runCli(['plan', '--repo', url, '--format', 'markdown', '--no-diff'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('| Environment | Root | Workload |');
    const body = r.stdout.split('\n').filter((l) => /^\| (dev|prod) \|/.test(l));
    expect(body).toHaveLength(18);
    expect(new Set(body).size).toBe(18);
    expect(body[0]).toMatch(/^\| dev \| dev-eu\/checkout \| Deployment\/checkout \|/);
  }, 60_000);

  it("--environment: only the problems of that environment's roots and of the files they build", async () => {
    const files = await readFixture('argocd');
    files['vault-rollout.yaml'] = withVaultAddresses(
      files['vault-rollout.yaml']!,
      Object.fromEntries(Object.entries(vaults).map(([n, v]) => [n, v.url])),
    );
    // A remote base (reported, never fetched) in a dev root, and one in the base every cluster builds.
    const list = (file: string, after: string) => {
      files[file] = files[file]!.replace(
        `  - ${after}\n`,
        `  - ${after}\n  - https://github.com/example/remote-base\n`,
      );
    };
    list('clusters/dev-eu/apps/search/kustomization.yaml', 'external-secret.yaml');
    list('apps/payments/kustomization.yaml', 'service.yaml');
    await git.createBareRepo('scoped', files, { branch: 'main' });
    const problemFiles = async (...args: string[]) => {
      const r = await runCli(['scan', '--repo', git.repoUrl('scoped'), '--format', 'json', ...args], env);
      expect(r.code, r.stderr).toBe(0);
      return [
        ...new Set((JSON.parse(r.stdout) as { problems: { file: string }[] }).problems.map((p) => p.file)),
      ].sort();
    };
    const both = ['apps/payments/kustomization.yaml', 'clusters/dev-eu/apps/search/kustomization.yaml'];
    expect(await problemFiles()).toEqual(both);
    expect(await problemFiles('--environment', 'prod')).toEqual(['apps/payments/kustomization.yaml']);
    expect(await problemFiles('--environment', 'dev')).toEqual(both);
  }, 60_000);

  // Last: it publishes.
  it('apply --environment prod: the subject names prod, adoption is counted per root, trailers name prod', async () => {
    const r = await runCli(['apply', '--repo', url, '--environment', 'prod'], env);
    expect(r.code, r.stderr).toBe(0);
    const message = (
      await runGit(['--git-dir', git.repoPath('repo'), 'log', '-1', '--format=%B', 'main'])
    ).toString();
    const lines = message.trimEnd().split('\n');
    expect(lines[0]).toBe('vault-rollout(prod): record Vault secret versions of 13 workloads');
    expect(lines).toContain('clusters/prod-us/apps/gateway: 2 workloads');
    expect(message).not.toMatch(/^Deployment\//m); // no paragraph per workload
    const trailers = lines.filter((l) => l.startsWith('Vault-Secret: '));
    expect(trailers).toContain('Vault-Secret: prod:kv/gateway/tls none -> 9');
    expect(trailers).toHaveLength(7);
    expect(trailers.every((t) => /^Vault-Secret: prod:kv\/\S+ none -> \d+$/.test(t))).toBe(true);
    // 13 adoptions in 12 roots: a screen, not 95 lines.
    expect(lines.length).toBeLessThan(60);
  }, 60_000);
});
