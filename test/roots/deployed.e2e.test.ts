/**
 * End to end: the built CLI on two fleet repositories laid out as real ones are
 * (test/fixtures/roots/flux-fleet, argocd-fleet), where the render roots are what Flux and Argo CD deploy.
 * - flux-fleet: `clusters/<cluster>/` folders of Flux Kustomizations (with the bootstrap's own sync) over
 *   `apps/<app>/overlays/<cluster>` and `platform/overlays/<cluster>`, components, ExternalSecrets in the
 *   shared bases, and overlays nothing deploys (cart's `staging`, checkout's `dev` that the dev cluster
 *   does not run, platform's `sandbox`).
 * - argocd-fleet: per cluster a root app (`clusters/<cluster>/root.yaml`) over an app-of-apps folder
 *   holding an Application and an ApplicationSet (prod: a git directory generator with an `exclude`
 *   entry; dev: a list generator that leaves `search` out).
 * scan lists exactly the deployed roots (each workload once per root), names the undeployed folders
 * once, and `entry` environments select their cluster's roots; what each root builds agrees with
 * `kubectl kustomize`. A rotation restarts each deployed copy once, never one of an undeployed overlay.
 * Run `npm run build` first.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { commitMessage, startGitServer, type GitServer } from '../support/git-server.js';
import { describeIfKubectl, renderObjects, renderRoot } from '../support/kustomize.js';
import { runCli } from '../support/run-cli.js';
import {
  fixtureDir,
  fixtureSecrets,
  readFixture,
  rotate,
  seedVault,
  withVaultAddresses,
  type RootsFixture,
} from '../support/roots-fixtures.js';
import { startTestVault, type VaultDevServer } from '../support/vault-server.js';

interface Fleet {
  fixture: RootsFixture;
  /** `root kind/name environment`, sorted. */
  workloads: string[];
  undeployed: string[];
  /** A secret to rotate in prod, and the workloads (`root kind/name`) that restart for it. */
  rotate: { secret: string; restarts: string[] };
}

const FLEETS: Fleet[] = [
  {
    fixture: 'flux-fleet',
    workloads: [
      'apps/cart/overlays/dev Deployment/cart-service dev',
      'apps/cart/overlays/prod Deployment/cart-service prod',
      'apps/catalog/overlays/dev Deployment/catalog-api dev',
      'apps/catalog/overlays/prod Deployment/catalog-api prod',
      'apps/checkout/overlays/prod Deployment/checkout prod',
      'platform/overlays/dev DaemonSet/metrics-agent dev',
      'platform/overlays/prod DaemonSet/metrics-agent prod',
    ],
    undeployed: ['apps/cart/overlays/staging', 'apps/checkout/overlays/dev', 'platform/overlays/sandbox'],
    rotate: { secret: 'kv/cart/db', restarts: ['apps/cart/overlays/prod Deployment/cart-service'] },
  },
  {
    fixture: 'argocd-fleet',
    workloads: [
      'platform/dev Deployment/ingress-gateway dev',
      'platform/prod Deployment/ingress-gateway prod',
      'services/orders/overlays/dev Deployment/orders-api dev',
      'services/orders/overlays/prod Deployment/orders-api prod',
      'services/payments/overlays/dev Deployment/payments-api dev',
      'services/payments/overlays/prod Deployment/payments-api prod',
      'services/search/overlays/prod Deployment/search prod',
    ],
    undeployed: ['services/legacy-billing/overlays/prod', 'services/search/overlays/dev'],
    rotate: {
      secret: 'kv/payments/stripe',
      restarts: ['services/payments/overlays/prod Deployment/payments-api'],
    },
  },
];

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job']);

interface ScanJson {
  workloads: { kind: string; name: string; namespace?: string; root?: string; environment?: string }[];
  undeployed?: string[];
  problems: unknown[];
}

interface RunJson {
  workloads: { kind: string; name: string; root?: string; action: string }[];
  summary: Record<string, number>;
  commit: string | null;
}

describeIfKubectl.each(FLEETS)('deployed roots: $fixture', (fleet) => {
  let tmp = '';
  let repo = '';
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), `vr-deployed-${fleet.fixture}-`));
    repo = join(tmp, 'repo');
    await cp(fixtureDir(fleet.fixture), repo, { recursive: true });
  });
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const scan = async (...args: string[]): Promise<ScanJson> => {
    const r = await runCli(['scan', '--repo', repo, '--format', 'json', ...args], {});
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as ScanJson;
  };
  const line = (w: ScanJson['workloads'][number]) => `${w.root} ${w.kind}/${w.name} ${w.environment}`;

  it('scan lists exactly the deployed roots, each workload once per root, and names the undeployed folders', async () => {
    const report = await scan();
    expect(report.workloads.map(line).sort()).toEqual(fleet.workloads);
    expect(report.undeployed).toEqual(fleet.undeployed);
    expect(report.problems).toEqual([]);
    for (const dir of fleet.undeployed)
      expect(report.workloads.filter((w) => w.root?.startsWith(dir))).toEqual([]);
  });

  it('the table names each undeployed folder once', async () => {
    const r = await runCli(['scan', '--repo', repo, '--wide'], {});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/Not deployed/g)).toHaveLength(1);
    for (const dir of fleet.undeployed) expect(r.stdout.split(dir).length - 1, dir).toBe(1);
  });

  it('entry environments select their cluster roots', async () => {
    for (const env of ['dev', 'prod']) {
      const report = await scan('--environment', env);
      expect(report.workloads.map(line).sort()).toEqual(fleet.workloads.filter((w) => w.endsWith(` ${env}`)));
    }
  });

  it('each deployed root builds, with kubectl kustomize, exactly the workloads scan reports for it', async () => {
    const report = await scan();
    const roots = [...new Set(report.workloads.map((w) => w.root!))].sort();
    for (const root of roots) {
      const built = [...renderObjects(await renderRoot(join(repo, root))).values()]
        .filter((o) => WORKLOAD_KINDS.has(String(o['kind'])))
        .map((o) => {
          const meta = o['metadata'] as { name: string; namespace?: string };
          return `${String(o['kind'])}/${meta.namespace ?? '-'}/${meta.name}`;
        });
      const scanned = report.workloads
        .filter((w) => w.root === root)
        .map((w) => `${w.kind}/${w.namespace ?? '-'}/${w.name}`);
      expect(scanned.sort(), root).toEqual(built.sort());
    }
    // The undeployed overlays are real ones that kustomize builds: left out for being undeployed only.
    for (const dir of fleet.undeployed) {
      const objects = [...renderObjects(await renderRoot(join(repo, dir))).values()];
      expect(
        objects.some((o) => WORKLOAD_KINDS.has(String(o['kind']))),
        dir,
      ).toBe(true);
    }
  });
});

describeIfKubectl.each(FLEETS)('a rotation restarts each deployed copy once: $fixture', (fleet) => {
  const vaults: Record<string, VaultDevServer> = {};
  let git: GitServer;
  let tmp = '';
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), `vr-deployed-run-${fleet.fixture}-`));
    const secrets = await fixtureSecrets(fleet.fixture);
    for (const name of Object.keys(secrets)) {
      vaults[name] = await startTestVault({ mounts: [{ path: 'kv', version: 2 }] });
      seedVault(vaults[name]!, secrets[name]!);
    }
    git = await startGitServer({ tmpRoot: tmp });
    const files = await readFixture(fleet.fixture);
    files['vault-rollout.yaml'] = withVaultAddresses(
      files['vault-rollout.yaml']!,
      Object.fromEntries(Object.entries(vaults).map(([n, v]) => [n, v.url])),
    );
    await git.createBareRepo('repo', files, { branch: 'main' });
  });
  afterAll(async () => {
    await git?.close();
    for (const v of Object.values(vaults)) await v.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('prod: adoption records the deployed roots only; the rotation restarts one workload per deploying root', async () => {
    const cli = async (...args: string[]): Promise<RunJson> => {
      const r = await runCli([...args, '--repo', git.repoUrl('repo'), '--format', 'json'], {
        VAULT_TOKEN: 'root',
      });
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as RunJson;
    };
    const prod = fleet.workloads.filter((w) => w.endsWith(' prod'));
    const adopted = await cli('apply', '--environment', 'prod');
    expect(adopted.summary).toMatchObject({ workloads: prod.length, record: prod.length, restart: 0 });

    rotate(vaults['prod']!, fleet.rotate.secret);
    const rotated = await cli('apply', '--environment', 'prod');
    const restarted = rotated.workloads
      .filter((w) => w.action === 'restart')
      .map((w) => `${w.root} ${w.kind}/${w.name}`);
    expect(restarted).toEqual(fleet.rotate.restarts);
    expect(rotated.summary).toMatchObject({ restart: fleet.rotate.restarts.length });
    const subject = (await commitMessage(git.repoPath('repo'), rotated.commit!)).split('\n')[0]!;
    expect(subject).toMatch(new RegExp(`restart ${fleet.rotate.restarts.length} workload\\b`));
  });
});
