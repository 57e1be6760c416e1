/**
 * End to end: the built CLI on two fleet repositories laid out as real ones are
 * (test/fixtures/roots/flux-fleet, argocd-fleet), where the render roots are what Flux and Argo CD deploy.
 * - flux-fleet: `clusters/<cluster>/` folders of Flux Kustomizations (with the bootstrap's own sync) over
 *   `apps/<app>/overlays/<cluster>` and `platform/overlays/<cluster>`, components, ExternalSecrets in the
 *   shared bases, and overlays nothing deploys (cart's `staging`, checkout's `dev` that the dev cluster
 *   does not run, platform's `sandbox`); a HelmRelease (grafana) whose `valuesFrom` ConfigMap is generated
 *   in its base and merged (`behavior: merge`) by a component of the cluster overlay, the merged key
 *   naming the Secret (`admin.existingSecret`) the component's ExternalSecret creates.
 * - argocd-fleet: per cluster a root app (`clusters/<cluster>/root.yaml`) over an app-of-apps folder
 *   holding an Application and an ApplicationSet (prod: a git directory generator with an `exclude`
 *   entry; dev: a list generator that leaves `search` out); in prod, a CronJob base with its ExternalSecret
 *   built twice in one root through two `nameSuffix` layers (reports `-hourly`, `-nightly`), and a JSON
 *   6902 `replace` of a key the base lacks (kustomize applies it as an add).
 * scan lists exactly the deployed roots (each workload once per root), names the undeployed folders
 * once, and `entry` environments select their cluster's roots; what each root builds agrees with
 * `kubectl kustomize`. Per environment, adoption, a rotation and a no-op run, with `kubectl kustomize`
 * before and after each: a rotation restarts each deployed copy once (never one of an undeployed
 * overlay), other environments' renders stay byte-identical, the changed roots differ only by the record,
 * the trigger and the pins the report lists, and every ExternalSecret backing a restarted workload asks
 * for the new version in that root's render (its ExternalSecret lives in a shared base; both copies of a
 * twice-built base's).
 * Run `npm run build` first.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { commitMessage, startGitServer, type GitServer } from '../support/git-server.js';
import {
  describeIfKubectl,
  diffRenders,
  isAnnotation,
  renderAll,
  renderObjects,
  renderRoot,
  unexpectedChanges,
  type LeafChange,
} from '../support/kustomize.js';
import { runCli } from '../support/run-cli.js';
import {
  checkout,
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
  /** Per environment, secrets to rotate in turn, each with the workloads (`root kind/name`) it restarts. */
  rotate: Record<string, { secret: string; restarts: string[] }[]>;
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
      'apps/grafana/overlays/dev HelmRelease/grafana dev',
      'apps/grafana/overlays/prod HelmRelease/grafana prod',
      'platform/overlays/dev DaemonSet/metrics-agent dev',
      'platform/overlays/prod DaemonSet/metrics-agent prod',
    ],
    undeployed: ['apps/cart/overlays/staging', 'apps/checkout/overlays/dev', 'platform/overlays/sandbox'],
    rotate: {
      // the ExternalSecret of each lies in a shared base: pinned in the restarted root's own layer
      dev: [
        { secret: 'kv/platform/metrics', restarts: ['platform/overlays/dev DaemonSet/metrics-agent'] },
        // the chart's values come from a generated ConfigMap a component merges a key into; that key names
        // the Secret (admin.existingSecret) the component's ExternalSecret creates
        { secret: 'kv/grafana/admin', restarts: ['apps/grafana/overlays/dev HelmRelease/grafana'] },
      ],
      prod: [{ secret: 'kv/cart/db', restarts: ['apps/cart/overlays/prod Deployment/cart-service'] }],
    },
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
      'services/reports/overlays/prod CronJob/reports-hourly prod',
      'services/reports/overlays/prod CronJob/reports-nightly prod',
      'services/search/overlays/prod Deployment/search prod',
    ],
    undeployed: ['services/legacy-billing/overlays/prod', 'services/search/overlays/dev'],
    rotate: {
      dev: [{ secret: 'kv/orders/db', restarts: ['services/orders/overlays/dev Deployment/orders-api'] }],
      prod: [
        // dataFrom[0].extract: a whole-secret pin, inside a list
        {
          secret: 'kv/payments/stripe',
          restarts: ['services/payments/overlays/prod Deployment/payments-api'],
        },
        // one base built twice in the root through two nameSuffix layers: each copy restarts, and both
        // copies of the base's ExternalSecret (which fill the one Secret both pods read) are pinned
        {
          secret: 'kv/reports/warehouse',
          restarts: [
            'services/reports/overlays/prod CronJob/reports-hourly',
            'services/reports/overlays/prod CronJob/reports-nightly',
          ],
        },
      ],
    },
  },
];

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job', 'HelmRelease']);

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

const RECORD = 'vault-rollout/secret-versions';

interface RunWorkload {
  kind: string;
  name: string;
  root?: string;
  environment?: string;
  action: string;
  pins?: { kind: string; name: string; field: string; version: number }[];
}

/** The record or restart trigger annotation; `trigger`: the one on a pod template or in a chart's podAnnotations. */
const isRecord = (c: LeafChange) => isAnnotation(c, RECORD);
const isTrigger = (c: LeafChange) =>
  isRecord(c) && (c.segments.includes('template') || String(c.segments.at(-2)) === 'podAnnotations');

/**
 * The names of the Secrets a rendered workload's pod template reads (env, envFrom, volumes); for a
 * HelmRelease, the ones its values name (`existingSecret`), its own and those of the rendered ConfigMaps its
 * `valuesFrom` reads.
 */
function secretNames(
  workload: Record<string, unknown>,
  objects: Map<string, Record<string, unknown>>,
): Set<string> {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o['secretName'] === 'string') names.add(o['secretName']);
      if (typeof o['existingSecret'] === 'string') names.add(o['existingSecret']);
      for (const k of ['secretRef', 'secretKeyRef']) {
        const ref = o[k] as { name?: unknown } | undefined;
        if (typeof ref?.name === 'string') names.add(ref.name);
      }
      Object.values(o).forEach(walk);
    }
  };
  // a CronJob's pod template lies one level down, in its jobTemplate
  const spec = workload['spec'] as
    { template?: unknown; jobTemplate?: { spec?: { template?: unknown } } } | undefined;
  walk(spec?.template ?? spec?.jobTemplate?.spec?.template);
  if (workload['kind'] === 'HelmRelease') {
    const release = workload['spec'] as {
      values?: unknown;
      valuesFrom?: { kind?: string; name?: string; valuesKey?: string }[];
    };
    walk(release.values);
    for (const ref of release.valuesFrom ?? []) {
      const map = [...objects].find(([k]) => k.startsWith(`${ref.kind}/`) && k.endsWith(`/${ref.name}`));
      const text = (map?.[1]['data'] as Record<string, string> | undefined)?.[ref.valuesKey ?? 'values.yaml'];
      if (text !== undefined) walk(parse(text));
    }
  }
  return names;
}

/** The Vault paths (`kv/<key>`) an ExternalSecret reads, each with the version it asks for. */
function externalSecretRefs(o: Record<string, unknown>): { path: string; version: string | undefined }[] {
  const spec = (o['spec'] ?? {}) as {
    data?: { remoteRef?: { key?: string; version?: string } }[];
    dataFrom?: { extract?: { key?: string; version?: string } }[];
  };
  return [...(spec.data ?? []).map((d) => d.remoteRef), ...(spec.dataFrom ?? []).map((d) => d.extract)].map(
    (ref) => ({
      path: `kv/${String(ref?.key ?? '').replace(/^(kv\/)?(data\/)?/, '')}`,
      version: ref?.version,
    }),
  );
}

describeIfKubectl.each(FLEETS)('adoption, rotation and a no-op run per environment: $fixture', (fleet) => {
  const vaults: Record<string, VaultDevServer> = {};
  let secrets: Record<string, Record<string, number>> = {};
  let git: GitServer;
  let tmp = '';
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), `vr-deployed-run-${fleet.fixture}-`));
    secrets = await fixtureSecrets(fleet.fixture);
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

  let clones = 0;
  // Every folder kustomize can build (the deployed roots, the undeployed overlays, the app-of-apps
  // folders), as the branch stands.
  const renderHead = async () =>
    renderAll(await checkout(git.repoPath('repo'), 'main', join(tmp, `clone-${clones++}`)));
  const cli = async (
    ...args: string[]
  ): Promise<Omit<RunJson, 'workloads'> & { workloads: RunWorkload[] }> => {
    const r = await runCli([...args, '--repo', git.repoUrl('repo'), '--format', 'json'], {
      VAULT_TOKEN: 'root',
    });
    expect(r.stderr).not.toMatch(/at .+\.js:\d+/);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Omit<RunJson, 'workloads'> & { workloads: RunWorkload[] };
  };
  const line = (w: RunWorkload) => `${w.root} ${w.kind}/${w.name}`;

  it('kubectl kustomize before and after each step: other environments byte-identical, changed roots only by what the report lists, the new version in every backing ExternalSecret', async () => {
    let previous = await renderHead();
    for (const env of Object.keys(fleet.rotate)) {
      const mine = fleet.workloads.filter((w) => w.endsWith(` ${env}`));
      const myRoots = new Set(mine.map((w) => w.split(' ')[0]!));
      const versions = { ...secrets[env]! };

      // 1. adoption: the record only, with this environment's versions, in its roots only
      const adopted = await cli('apply', '--environment', env);
      expect(adopted.summary).toMatchObject({ workloads: mine.length, record: mine.length, restart: 0 });
      expect(adopted.summary['blocked'] ?? 0).toBe(0);
      const adoptedRenders = await renderHead();
      for (const [root, text] of adoptedRenders) {
        if (!myRoots.has(root)) {
          expect(text, `${root} is not in ${env}`).toBe(previous.get(root));
          continue;
        }
        const diff = diffRenders(previous.get(root)!, text);
        expect(diff.size, root).toBeGreaterThan(0);
        expect(
          unexpectedChanges(diff, (_, c) => isRecord(c) && !isTrigger(c)),
          root,
        ).toEqual([]);
        for (const c of [...diff.values()].flat())
          for (const item of String(c.new).split(',')) {
            const [path, version] = item.split('@');
            expect(Number(version), `${root} ${item}`).toBe(versions[path!]);
          }
      }

      // 2. each rotation in turn: exactly the listed workloads restart; their roots change only by the
      // record, the trigger and the pins the report lists
      let before = adoptedRenders;
      for (const { secret, restarts } of fleet.rotate[env]!) {
        const next = rotate(vaults[env]!, secret);
        const rotated = await cli('apply', '--environment', env);
        const restarted = rotated.workloads.filter((w) => w.action === 'restart');
        expect(restarted.map(line)).toEqual(restarts);
        expect(rotated.summary).toMatchObject({ restart: restarts.length, record: 0 });
        const subject = (await commitMessage(git.repoPath('repo'), rotated.commit!)).split('\n')[0]!;
        expect(subject).toMatch(new RegExp(`restart ${restarts.length} workloads?\\b`));
        const rotatedRenders = await renderHead();
        const restartRoots = new Set(restarted.map((w) => w.root!));
        for (const [root, text] of rotatedRenders) {
          if (!restartRoots.has(root)) {
            expect(text, `${root} has no rotated secret`).toBe(before.get(root));
            continue;
          }
          const pins = restarted.filter((w) => w.root === root).flatMap((w) => w.pins ?? []);
          expect(pins.length, `${root} pins its secret`).toBeGreaterThan(0);
          const diff = diffRenders(before.get(root)!, text);
          const pinned = (key: string, c: LeafChange) =>
            pins.some(
              (p) =>
                key.startsWith(`${p.kind}/`) &&
                key.includes(p.name) &&
                c.path === p.field &&
                c.new === String(p.version),
            );
          expect(
            unexpectedChanges(diff, (k, c) => isRecord(c) || pinned(k, c)),
            root,
          ).toEqual([]);
          const triggers = [...diff.values()].flat().filter(isTrigger);
          expect(triggers.length, root).toBe(restarted.filter((w) => w.root === root).length);
          for (const t of triggers) expect(String(t.new)).toContain(`${secret}@${next}`);
        }
        // The secret reaches the pod: every ExternalSecret that creates a Secret a restarted workload reads,
        // and that reads the rotated secret, asks ESO for the new version in that root's render.
        for (const w of restarted) {
          const objects = renderObjects(rotatedRenders.get(w.root!)!);
          const workload = [...objects].find(([k]) => k.startsWith(`${w.kind}/`) && k.endsWith(`/${w.name}`));
          expect(workload, line(w)).toBeDefined();
          const reads = secretNames(workload![1], objects);
          let backing = 0;
          for (const [k, o] of objects) {
            if (!k.startsWith('ExternalSecret/')) continue;
            const meta = o['metadata'] as { name: string };
            const target =
              (o['spec'] as { target?: { name?: string } } | undefined)?.target?.name ?? meta.name;
            if (!reads.has(target)) continue;
            for (const ref of externalSecretRefs(o).filter((r) => r.path === secret)) {
              backing++;
              expect(ref.version, `${line(w)}: ${k} reads ${secret}`).toBe(String(next));
            }
          }
          expect(backing, `${line(w)}: an ExternalSecret backs it with ${secret}`).toBeGreaterThan(0);
        }

        // 3. nothing new: no commit, every render the same
        const head = await git.head('repo', 'main');
        const third = await cli('apply', '--environment', env);
        expect(third.commit).toBeNull();
        expect(third.summary).toMatchObject({ restart: 0, record: 0 });
        expect(await git.head('repo', 'main')).toBe(head);
        previous = before = rotatedRenders;
      }
    }
    for (const v of Object.values(vaults))
      expect(v.requests.filter((r) => r.path.includes('/data/'))).toEqual([]);
  }, 300_000);
});
