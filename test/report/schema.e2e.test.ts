/**
 * End to end: every JSON report the built CLI prints (`scan`, `status`, `plan`, `apply` in commit and
 * pull-request mode) validates against the schema the package ships (docs/schema/report.schema.json), and
 * together they use every property that schema declares: a field the CLI renames, drops or adds, and a
 * schema field the CLI no longer prints, each fail here. Run `npm run build` first.
 *
 * The repository is the Flux render-root fixture (environments dev and prod, each with its own Vault test
 * server; a shared base, so root patches and pins; HelmReleases) plus files that bring the rest of the
 * report's fields: a file that is not valid YAML (a problem with line and column), a Vault Agent workload
 * in the Vault namespace `team-a` with `updateStrategy: OnDelete` (vaultNamespace, warnings), a workload
 * whose secret does not exist (blocked, reasons), a document two roots build where one root has no
 * kustomization to hold a patch (scan's `skipped`), a workload opted out by its annotation (`ignored`),
 * and an overlay nothing deploys (scan's `undeployed`).
 * Those extras belong to no environment: they are read from the Vault of VAULT_ADDR.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGit, startGitServer, type GitServer } from '../support/git-server.js';
import { startGitHubServer, type GitHubServer } from '../support/github-server.js';
import { runCli, type CliRun } from '../support/run-cli.js';
import {
  fixtureSecrets,
  readFixture,
  rotate,
  seedVault,
  withVaultAddresses,
} from '../support/roots-fixtures.js';
import { startTestVault, type VaultDevServer } from '../support/vault-server.js';
import {
  errorsOf,
  loadReportSchema,
  propertyPaths,
  reportValidator,
  schemaPropertyPaths,
} from '../support/report-schema.js';

const TOKEN = 'hvs.schema-e2e-root-token';
const GITHUB_TOKEN = 'ghp_schemaE2eToken_0123456789abcdef';
const OWNER = 'acme';
const REPO = 'deploy';

const EXTRAS: Record<string, string> = {
  'extras/broken.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
  annotations: { vault-rollout/secrets: kv/extras/db
`,
  'extras/agent.yaml': `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: agent
  namespace: extras
spec:
  updateStrategy: { type: OnDelete }
  template:
    metadata:
      annotations:
        vault.hashicorp.com/agent-inject: "true"
        vault.hashicorp.com/agent-inject-secret-db: kv/data/extras/db
        vault.hashicorp.com/namespace: team-a
    spec:
      containers: [{ name: agent, image: agent:1 }]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orphan
  namespace: extras
  annotations:
    vault-rollout/secrets: kv/extras/gone
spec:
  template:
    spec:
      containers: [{ name: orphan, image: orphan:1 }]
`,
  // Built by two roots: plain-overlay (a kustomization, so a patch of its own) and plain (a Flux
  // Kustomization's path with no kustomization file: blocked there).
  'extras/quiet.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: quiet
  namespace: extras
  annotations:
    vault-rollout/secrets: kv/extras/quiet
    vault-rollout/ignore: "true"
spec:
  template:
    spec:
      containers: [{ name: quiet, image: quiet:1 }]
`,
  'plain/app.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: plain
  namespace: extras
  annotations:
    vault-rollout/secrets: kv/extras/db
spec:
  template:
    spec:
      containers: [{ name: plain, image: plain:1 }]
`,
  'plain-overlay/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [../plain/app.yaml]
`,
  'extras/flux-plain.yaml': `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: plain
  namespace: flux-system
spec:
  interval: 10m
  path: ./plain
  prune: true
  sourceRef: { kind: GitRepository, name: flux-system }
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: plain-overlay
  namespace: flux-system
spec:
  interval: 10m
  path: ./plain-overlay
  prune: true
  sourceRef: { kind: GitRepository, name: flux-system }
`,
  // An overlay no Flux Kustomization deploys: scan's `undeployed`.
  'plain-staging/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [../plain/app.yaml]
`,
};

const validate = reportValidator();
const schema = loadReportSchema();

let tmp: string;
let git: GitServer;
let github: GitHubServer;
const vaults: Record<'dev' | 'prod' | 'extras', VaultDevServer> = {} as never;
let env: Record<string, string>;
let url: string;

/** Every report printed, by kind, for the coverage check at the end. */
const printed: { scan: unknown[]; run: unknown[] } = { scan: [], run: [] };

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vr-schema-e2e-'));
  const secrets = await fixtureSecrets('flux');
  for (const name of ['dev', 'prod'] as const) {
    vaults[name] = await startTestVault({ mounts: [{ path: 'kv', version: 2 }], rootToken: TOKEN });
    seedVault(vaults[name], secrets[name]!);
  }
  vaults.extras = await startTestVault({
    rootToken: TOKEN,
    namespaces: ['team-a'],
    mounts: [
      { path: 'kv', version: 2 },
      { path: 'kv', version: 2, namespace: 'team-a' },
    ],
  });
  vaults.extras.kv.write('kv', 'extras/db');
  vaults.extras.kv.write('kv', 'extras/db', { namespace: 'team-a' });

  const files = { ...(await readFixture('flux')), ...EXTRAS };
  files['vault-rollout.yaml'] = withVaultAddresses(files['vault-rollout.yaml']!, {
    dev: vaults.dev.url,
    prod: vaults.prod.url,
  });
  git = await startGitServer({ tmpRoot: tmp });
  await git.createBareRepo(REPO, files, { branch: 'main' });
  url = git.repoUrl(REPO);
  github = await startGitHubServer({
    owner: OWNER,
    repo: REPO,
    token: GITHUB_TOKEN,
    branchHead: (b) => git.head(REPO, b).catch(() => null),
  });
  env = {
    VAULT_ADDR: vaults.extras.url,
    VAULT_TOKEN: TOKEN,
    VAULT_TOKEN_DEV: TOKEN,
    VAULT_TOKEN_PROD: TOKEN,
  };
});

afterAll(async () => {
  await github?.close();
  await git?.close();
  for (const v of Object.values(vaults)) await v?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

interface Report {
  workloads: {
    name: string;
    action?: string;
    skipped?: string;
    ignored?: string;
    pins?: unknown[];
    reasons?: string[];
  }[];
  summary: { blocked?: number };
  commit?: string | null;
  pullRequest?: { number: number; url: string } | null;
}

/**
 * Runs the CLI, checks that it completed and that its stdout is one JSON report the schema accepts.
 * A completed run exits 0, or 3 when a workload is blocked (docs/exit-codes.md); this repository always
 * has blocked workloads, and a build from before exit code 3 says 0.
 */
async function report(kind: 'scan' | 'run', args: string[], extraEnv = {}): Promise<Report> {
  const r: CliRun = await runCli([...args, '--format', 'json'], { ...env, ...extraEnv });
  expect(r.stderr).not.toMatch(/at .+\.js:\d+/);
  let json: Report;
  try {
    json = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`not one JSON object on stdout (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  const completed = r.code === 0 || (r.code === 3 && (json.summary.blocked ?? 0) > 0);
  expect(completed, `exit ${r.code}: ${r.stderr}`).toBe(true);
  expect(errorsOf(validate, json)).toEqual([]);
  printed[kind].push(json);
  return json;
}

describe('every JSON report of the built CLI validates against docs/schema/report.schema.json', () => {
  it('scan', async () => {
    const json = await report('scan', ['scan', '--repo', url]);
    const text = JSON.stringify(json);
    // The extras are there: the checks below would pass vacuously otherwise.
    expect(json.workloads.some((w) => w.skipped?.includes('no kustomization file'))).toBe(true);
    expect(json.workloads.find((w) => w.name === 'quiet')?.ignored).toBe(
      'annotation vault-rollout/ignore: "true"',
    );
    expect(text).toContain('"vaultNamespace":"team-a"');
    expect(text).toContain('"file":"extras/broken.yaml"');
    expect((json as { undeployed?: string[] }).undeployed).toEqual(['plain-staging']);
  });

  it('status and plan before adoption', async () => {
    const status = await report('run', ['status', '--repo', url]);
    expect(status.workloads.find((w) => w.name === 'orphan')?.action).toBe('blocked');
    const plan = await report('run', ['plan', '--repo', url]);
    expect(plan.workloads.some((w) => w.action === 'record')).toBe(true);
  });

  it('apply --mode commit (adoption), then plan after a rotation (pins)', async () => {
    const applied = await report('run', ['apply', '--repo', url]);
    expect(applied.commit).toBe(await git.head(REPO, 'main'));
    rotate(vaults.prod, 'kv/audit/creds'); // a VaultStaticSecret's spec.version is pinned
    const plan = await report('run', ['plan', '--repo', url, '--environment', 'prod']);
    expect(plan.workloads.find((w) => w.name === 'audit-export')).toMatchObject({ action: 'restart' });
    expect(plan.workloads.some((w) => (w.pins?.length ?? 0) > 0)).toBe(true);
  });

  it('apply --mode pr (pull request), then status', async () => {
    const applied = await report(
      'run',
      [
        'apply',
        '--repo',
        url,
        '--mode',
        'pr',
        '--environment',
        'prod',
        '--github-repository',
        `${OWNER}/${REPO}`,
      ],
      { GITHUB_TOKEN, GITHUB_API_URL: github.url },
    );
    expect(applied.pullRequest?.number).toBe(1);
    expect(applied.commit).toBe(await git.head(REPO, 'vault-rollout/main/prod'));
    await report('run', ['status', '--repo', url, '--environment', 'prod']);
  });

  it('status with a hand-edited generated file: its root is skipped', async () => {
    const listed = (await runGit(['ls-tree', '-r', '--name-only', 'main'], { cwd: git.repoPath(REPO) }))
      .toString()
      .split('\n');
    const patch = listed.find((p) => p.endsWith('/vault-rollout/patches.yaml'))!;
    const text = await git.readFile(REPO, 'main', patch);
    await git.pushCompetingCommit(REPO, 'main', { [patch]: `${text}# a person's note\n` });
    const status = await report('run', ['status', '--repo', url]);
    expect(status.workloads.some((w) => w.action === 'skipped')).toBe(true);
  });

  it('the reports use every property the schema declares, and no other', () => {
    expect(printed.scan.length).toBeGreaterThan(0);
    expect(printed.run.length).toBeGreaterThan(0);
    const used = (reports: unknown[]) => [...new Set(reports.flatMap((r) => [...propertyPaths(r)]))].sort();
    expect(used(printed.scan)).toEqual([...schemaPropertyPaths(schema, 'scanReport')].sort());
    // No rollout limit in this repository: test/cli/rollout.e2e.test.ts prints (and validates) this count.
    // `pullRequest.kind` is printed by GitLab runs only: test/gitlab/cli-mr.e2e.test.ts validates those.
    const unprinted = new Set(['.summary.deferred', '.pullRequest.kind']);
    expect(used(printed.run)).toEqual(
      [...schemaPropertyPaths(schema, 'runReport')].filter((p) => !unprinted.has(p)).sort(),
    );
  });
});
