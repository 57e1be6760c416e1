/**
 * End to end: the built CLI (dist/cli.js) on the render-root fixture repositories
 * (test/fixtures/roots), with one Vault test server per environment and the real kustomize as the
 * oracle. Per environment: scan shows each workload once per root with its root and environment;
 * adoption records only; a rotation restarts exactly the roots whose secret changed; a third run changes
 * nothing. Every root is built with `kubectl kustomize` before and after each run: roots of other
 * environments build byte-identically, the run's roots differ only by the record/trigger annotation and
 * the pins the run reported. Run `npm run build` first.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { commitMessage, runGit, startGitServer, type GitServer } from '../support/git-server.js';
import {
  describeIfKubectl,
  diffRenders,
  isAnnotation,
  renderAll,
  renderObjects,
  unexpectedChanges,
  type LeafChange,
} from '../support/kustomize.js';
import { runCli } from '../support/run-cli.js';
import {
  checkout,
  fixtureSecrets,
  readFixture,
  rotate,
  seedVault,
  withVaultAddresses,
  type RootsFixture,
} from '../support/roots-fixtures.js';
import { startTestVault, type VaultDevServer } from '../support/vault-server.js';

const RECORD = 'vault-rollout/secret-versions';
const LAYER = 'vault-rollout';
const OLD_PATCH_FILE = 'vault-rollout.patch.yaml';

interface Expected {
  root: string;
  environment: string;
  kind: string;
  /** The name in the document's own file. */
  name: string;
  secrets: string[];
  /** The name kustomize gives it in this root, when the root renames it (`nameSuffix`). */
  rendered?: string;
}

interface Scenario {
  fixture: RootsFixture;
  workloads: Expected[];
  /** Per environment, the secret the test rotates. */
  rotate: Record<string, string>;
  /** Files inside a root's folder whose workload document no other root builds: edited in place. */
  inPlace: string[];
  /** Folders outside every root (bases, components): never edited, whoever builds them. */
  shared: string[];
}

function w(root: string, environment: string, kind: string, name: string, ...secrets: string[]): Expected {
  return { root, environment, kind, name, secrets };
}

const argoApps = (cluster: string, env: string, apps: string[], suffix = ''): Expected[] => {
  const table: Record<string, Expected[]> = {
    payments: [w('payments', env, 'Deployment', 'payments-api', 'kv/payments/db')],
    checkout: [w('checkout', env, 'Deployment', 'checkout', 'kv/checkout/env')],
    notifier: [w('notifier', env, 'Deployment', 'notifier', 'kv/notifier/smtp')],
    gateway: [w('gateway', env, 'Deployment', 'gateway', 'kv/gateway/tls')],
    search: [w('search', env, 'Deployment', 'search', 'kv/search/creds')],
    reports: [w('reports', env, 'CronJob', 'reports', 'kv/reports/warehouse')],
    ledger: [w('ledger', env, 'StatefulSet', 'ledger', 'kv/ledger/db')],
    canary: [w('gateway', env, 'Deployment', 'gateway-canary', 'kv/gateway/tls')],
  };
  return apps.flatMap((a) =>
    table[a]!.map((e) => ({
      ...e,
      root: `clusters/${cluster}/apps/${e.root}`,
      ...(suffix && e.root === 'gateway' ? { rendered: `${e.name}${suffix}` } : {}),
    })),
  );
};

const fluxApps = (env: string): Expected[] =>
  [
    w('', env, 'Deployment', 'billing', 'kv/billing/db'),
    w('', env, 'Deployment', 'worker', 'kv/worker/db'),
    w('', env, 'HelmRelease', 'redis', 'kv/redis/auth'),
    w('', env, 'HelmRelease', 'fluent-bit', 'kv/logging/elasticsearch'),
    w('', env, 'Deployment', 'mailer', 'kv/mailer/smtp'),
    w('', env, 'CronJob', 'audit-export', 'kv/audit/creds'),
    w('', env, 'Deployment', 'api', 'kv/api/config'),
    w('', env, 'StatefulSet', 'api-cache', 'kv/api/config'),
  ].map((e) => ({ ...e, root: `apps/overlays/${env}` }));

const SCENARIOS: Scenario[] = [
  {
    fixture: 'argocd',
    workloads: [
      ...argoApps('dev-eu', 'dev', ['payments', 'checkout', 'notifier', 'gateway', 'search']),
      ...argoApps('prod-eu', 'prod', [
        'payments',
        'checkout',
        'notifier',
        'gateway',
        'search',
        'reports',
        'ledger',
      ]),
      // the gateway overlay of prod-us has `nameSuffix: -us`
      ...argoApps(
        'prod-us',
        'prod',
        ['payments', 'checkout', 'notifier', 'gateway', 'canary', 'reports'],
        '-us',
      ),
    ],
    // payments: a base three roots build, its ExternalSecret in the overlay (pinned in place);
    // gateway: prod-eu, prod-us (nameSuffix) and the prod-us-only canary restart together.
    rotate: { dev: 'kv/payments/db', prod: 'kv/gateway/tls' },
    // ledger's base is built by prod-eu alone, but lies outside its folder: the root's own layer.
    inPlace: ['clusters/prod-us/apps/gateway/canary.yaml'],
    shared: [
      'apps/ledger',
      'apps/payments',
      'apps/checkout',
      'apps/notifier',
      'apps/gateway',
      'apps/search',
      'apps/reports',
    ],
  },
  {
    fixture: 'flux',
    workloads: [...fluxApps('dev'), ...fluxApps('prod')],
    // billing's ExternalSecret is in the shared base: its pin cannot go in place.
    rotate: { dev: 'kv/billing/db', prod: 'kv/redis/auth' },
    inPlace: [],
    shared: ['apps/base', 'apps/components'],
  },
];

interface JsonWorkload {
  file: string;
  kind: string;
  name: string;
  namespace?: string;
  root?: string;
  environment?: string;
  action: string;
  secrets: { path: string; current?: number; recorded?: number | null }[];
  warnings?: string[];
  pins?: { file: string; kind: string; name: string; field: string; path: string; version: number }[];
}

interface JsonReport {
  workloads: JsonWorkload[];
  summary: Record<string, number>;
  problems: unknown[];
  commit: string | null;
}

/** The rendered object of `kind` in a build whose name is `name` plus whatever prefix/suffix the root adds. */
function findRendered(text: string, kind: string, name: string): [string, Record<string, unknown>][] {
  return [...renderObjects(text)].filter(([key]) => {
    const [k, , n] = key.split('/');
    return k === kind && n!.includes(name);
  });
}

function getPath(o: unknown, field: string): unknown {
  const segments = field.match(/[^.[\]]+/g) ?? [];
  let v: unknown = o;
  for (const s of segments) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[/^\d+$/.test(s) ? Number(s) : s];
  }
  return v;
}

/** The record or the restart trigger: an annotation, or a values file's top-level key. */
function isRecordOrTrigger(c: LeafChange): boolean {
  if (isAnnotation(c, RECORD)) return true;
  return c.segments.length === 3 && c.segments[0] === 'data' && c.segments[2] === RECORD;
}

/** A restart trigger: the key under a pod template's annotations or a chart's podAnnotations. */
function isTrigger(c: LeafChange): boolean {
  if (!isAnnotation(c, RECORD)) return false;
  const parent = c.segments.at(-3);
  return parent === 'metadata'
    ? c.segments.includes('template')
    : /podAnnotations$/.test(String(c.segments.at(-2)));
}

describe('render roots', () => {
  describeIfKubectl.each(SCENARIOS)('$fixture', (scenario) => {
    const vaults: Record<string, VaultDevServer> = {};
    let git: GitServer;
    let tmp = '';
    let url = '';
    let bare = '';
    let secrets: Record<string, Record<string, number>> = {};
    // Each environment's Vault has its own token, named in the fixture's config (auth.tokenEnv): a run
    // that sent one to the other Vault would be refused there.
    const env = (): Record<string, string> => ({
      VAULT_TOKEN_DEV: 'root-dev',
      VAULT_TOKEN_PROD: 'root-prod',
    });

    beforeAll(async () => {
      tmp = await mkdtemp(join(tmpdir(), `vr-roots-${scenario.fixture}-`));
      secrets = await fixtureSecrets(scenario.fixture);
      for (const name of Object.keys(secrets)) {
        vaults[name] = await startTestVault({
          mounts: [{ path: 'kv', version: 2 }],
          rootToken: `root-${name}`,
        });
        seedVault(vaults[name]!, secrets[name]!);
      }
      git = await startGitServer({ tmpRoot: tmp });
      const files = await readFixture(scenario.fixture);
      files['vault-rollout.yaml'] = withVaultAddresses(
        files['vault-rollout.yaml']!,
        Object.fromEntries(Object.entries(vaults).map(([n, v]) => [n, v.url])),
      );
      await git.createBareRepo('repo', files, { branch: 'main' });
      url = git.repoUrl('repo');
      bare = git.repoPath('repo');
    });
    afterAll(async () => {
      await git?.close();
      for (const v of Object.values(vaults)) await v.close();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    let clones = 0;
    const renderHead = async () => renderAll(await checkout(bare, 'main', join(tmp, `clone-${clones++}`)));
    const cli = async (args: string[]): Promise<JsonReport> => {
      const r = await runCli([...args, '--repo', url, '--format', 'json'], env());
      expect(r.stderr).not.toMatch(/at .+\.js:\d+/);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as JsonReport;
    };
    const key = (x: { root?: string; kind: string; name: string }) => `${x.root} ${x.kind} ${x.name}`;
    const matches = (j: JsonWorkload, e: Expected) =>
      j.root === e.root && j.kind === e.kind && (j.name === e.name || j.name === e.rendered);
    const find = (report: JsonReport, e: Expected) => report.workloads.filter((j) => matches(j, e));

    it('every expected workload is built by its root (the fixture table agrees with kustomize)', async () => {
      const renders = await renderHead();
      for (const e of scenario.workloads) {
        expect(renders.has(e.root), e.root).toBe(true);
        const objects = [...renderObjects(renders.get(e.root)!).keys()];
        expect(objects, key(e)).toContainEqual(
          expect.stringMatching(`^${e.kind}/[^/]+/${e.rendered ?? e.name}$`),
        );
      }
    });

    it('scan: each workload once per root, with its root and environment, and only its secrets', async () => {
      const all = await cli(['scan']);
      for (const e of scenario.workloads) {
        const found = find(all, e);
        expect(found.length, key(e)).toBe(1);
        expect(found[0]!.environment, key(e)).toBe(e.environment);
        expect(found[0]!.secrets.map((s) => s.path).sort(), key(e)).toEqual(e.secrets);
      }
      expect(all.workloads.length).toBe(scenario.workloads.length);
      for (const name of Object.keys(secrets)) {
        const one = await cli(['scan', '--environment', name]);
        expect(one.workloads.map(key).sort()).toEqual(
          all.workloads
            .filter((j) => j.environment === name)
            .map(key)
            .sort(),
        );
        expect(new Set(one.workloads.map((j) => j.environment))).toEqual(new Set([name]));
      }
      // scan reads no Vault
      for (const v of Object.values(vaults))
        expect(v.requests.filter((r) => r.path.includes('/metadata/'))).toEqual([]);
    });

    it('per environment: adoption records only, a rotation restarts exactly its roots, a third run changes nothing', async () => {
      let previous = await renderHead();
      for (const name of Object.keys(secrets)) {
        const mine = scenario.workloads.filter((e) => e.environment === name);
        const myRoots = new Set(mine.map((e) => e.root));
        const others = Object.entries(vaults).filter(([n]) => n !== name);
        const otherRequests = others.map(([, v]) => v.requests.length);
        const headBefore = await git.head('repo', 'main');

        // 1. adoption: the record only, read from this environment's Vault
        const adopted = await cli(['apply', '--environment', name]);
        expect(adopted.summary).toMatchObject({
          workloads: mine.length,
          record: mine.length,
          restart: 0,
          blocked: 0,
        });
        expect(adopted.commit).toMatch(/^[0-9a-f]{40}$/);
        for (const j of adopted.workloads) {
          expect(j.environment).toBe(name);
          expect(myRoots.has(j.root!), j.root).toBe(true);
          expect(j.pins ?? []).toEqual([]);
        }
        others.forEach(([, v], i) =>
          expect(v.requests.length, 'another Vault was asked').toBe(otherRequests[i]),
        );
        const changed = (await runGit(['diff', '--name-only', headBefore, adopted.commit!], { cwd: bare }))
          .toString()
          .trim()
          .split('\n');
        for (const f of changed) {
          const inRoot = [...myRoots].some((r) => f.startsWith(`${r}/`));
          expect(inRoot || scenario.inPlace.includes(f), `${f} changed`).toBe(true);
          expect(scenario.shared.some((s) => f.startsWith(`${s}/`)) && !scenario.inPlace.includes(f), f).toBe(
            false,
          );
        }
        const adoptedRenders = await renderHead();
        for (const [root, text] of adoptedRenders) {
          if (!myRoots.has(root)) {
            expect(text, `${root} is not in ${name}`).toBe(previous.get(root));
            continue;
          }
          const diff = diffRenders(previous.get(root)!, text);
          expect(diff.size, root).toBeGreaterThan(0);
          // adoption never touches a pod template
          expect(
            unexpectedChanges(diff, (_, c) => isRecordOrTrigger(c) && !isTrigger(c)),
            root,
          ).toEqual([]);
          // the record holds this environment's versions
          for (const changes of diff.values()) {
            for (const c of changes) {
              for (const item of String(c.new).split(',')) {
                const [path, version] = item.split('@');
                expect(Number(version), `${root} ${item}`).toBe(secrets[name]![path!]);
              }
            }
          }
        }
        // a root that builds a workload from outside its folder lists its own layer exactly once
        for (const root of myRoots) {
          const kustomization = await git.readFile('repo', 'main', `${root}/kustomization.yaml`);
          const listed = kustomization.split('\n').filter((l) => l.includes(LAYER)).length;
          expect(kustomization).not.toContain(OLD_PATCH_FILE);
          if (changed.includes(`${root}/${LAYER}/kustomization.yaml`)) {
            expect(listed, root).toBe(1);
            const data = parseYaml(kustomization) as { components?: unknown[] };
            expect(data.components, root).toContain(LAYER);
            const component = await git.readFile('repo', 'main', `${root}/${LAYER}/kustomization.yaml`);
            expect(component).toMatch(/^# Generated by vault-rollout: do not edit\./);
            expect(component).toContain('kind: Component');
          } else expect(listed, root).toBe(0);
        }

        // 2. rotation: only the roots whose workloads use the secret restart
        const secret = scenario.rotate[name]!;
        const old = vaults[name]!.kv.get('kv', secret.slice('kv/'.length))!.current;
        const next = rotate(vaults[name]!, secret);
        const rotated = await cli(['apply', '--environment', name]);
        const restarting = mine.filter((e) => e.secrets.includes(secret));
        expect(rotated.summary).toMatchObject({ restart: restarting.length, record: 0, blocked: 0 });
        expect(
          rotated.workloads
            .filter((j) => j.action === 'restart')
            .map(key)
            .sort(),
        ).toEqual(restarting.map((e) => key(find(rotated, e)[0]!)).sort());
        const message = await commitMessage(bare, rotated.commit!);
        expect(message).toContain(`Vault-Secret: ${name}:${secret} ${old} -> ${next}`);
        const rotatedRenders = await renderHead();
        const restartRoots = new Set(restarting.map((e) => e.root));
        for (const [root, text] of rotatedRenders) {
          if (!restartRoots.has(root)) {
            expect(text, `${root} has no rotated secret`).toBe(adoptedRenders.get(root));
            continue;
          }
          const pins = rotated.workloads.filter((j) => j.root === root).flatMap((j) => j.pins ?? []);
          const diff = diffRenders(adoptedRenders.get(root)!, text);
          const pinned = (objectKey: string, c: LeafChange) =>
            pins.some(
              (p) =>
                objectKey.startsWith(`${p.kind}/`) &&
                objectKey.includes(p.name) &&
                c.path === p.field &&
                c.new === String(p.version),
            );
          expect(
            unexpectedChanges(diff, (k, c) => isRecordOrTrigger(c) || pinned(k, c)),
            root,
          ).toEqual([]);
          const triggers = [...diff.values()].flat().filter(isTrigger);
          expect(triggers.length, root).toBe(restarting.filter((e) => e.root === root).length);
          for (const t of triggers) expect(String(t.new)).toContain(`${secret}@${next}`);
          // each reported pin is in the build
          for (const p of pins) {
            const objects = findRendered(text, p.kind, p.name);
            expect(objects.length, `${root} ${p.kind}/${p.name}`).toBeGreaterThan(0);
            for (const [, o] of objects)
              expect(getPath(o, p.field), `${root} ${p.field}`).toBe(String(p.version));
          }
        }
        // the secret reaches the pod: in the render of every restarted root, each ExternalSecret entry
        // that reads the rotated secret asks ESO for the new version, wherever the ExternalSecret lives
        let backing = 0;
        for (const root of restartRoots) {
          for (const [k, o] of renderObjects(rotatedRenders.get(root)!)) {
            if (!k.startsWith('ExternalSecret/')) continue;
            const spec = (o.spec ?? {}) as {
              data?: { remoteRef?: { key?: string; version?: string } }[];
              dataFrom?: { extract?: { key?: string; version?: string } }[];
            };
            const refs = [
              ...(spec.data ?? []).map((d) => d.remoteRef),
              ...(spec.dataFrom ?? []).map((d) => d.extract),
            ];
            for (const ref of refs) {
              const path = String(ref?.key ?? '').replace(/^(kv\/)?(data\/)?/, 'kv/');
              if (path !== secret) continue;
              backing++;
              expect(ref?.version, `${root} ${k} reads ${secret}`).toBe(String(next));
            }
          }
        }
        expect(backing, 'an ExternalSecret backs the rotated secret').toBeGreaterThan(0);
        // every restart pins its secret (in place or through the root's own layer), or says why not
        for (const j of rotated.workloads.filter((x) => x.action === 'restart')) {
          expect((j.pins?.length ?? 0) > 0 || (j.warnings ?? []).some((m) => /pin/i.test(m)), key(j)).toBe(
            true,
          );
        }

        // 3. nothing new: no commit
        const head = await git.head('repo', 'main');
        const third = await cli(['apply', '--environment', name]);
        expect(third.commit).toBeNull();
        expect(third.summary).toMatchObject({ restart: 0, record: 0 });
        expect(await git.head('repo', 'main')).toBe(head);
        previous = rotatedRenders;
      }
      for (const v of Object.values(vaults)) {
        expect(v.violations).toBe(0);
        expect(v.requests.filter((r) => r.path.includes('/data/'))).toEqual([]);
      }
    }, 300_000);
  });

  describe('flat', () => {
    let vault: VaultDevServer;
    let git: GitServer;
    let tmp = '';
    let secrets: Record<string, number> = {};
    beforeAll(async () => {
      tmp = await mkdtemp(join(tmpdir(), 'vr-roots-flat-'));
      secrets = (await fixtureSecrets('flat'))['default']!;
      vault = await startTestVault({ mounts: [{ path: 'kv', version: 2 }] });
      seedVault(vault, secrets);
      git = await startGitServer({ tmpRoot: tmp });
      await git.createBareRepo('flat', await readFixture('flat'), { branch: 'main' });
    });
    afterAll(async () => {
      await git?.close();
      await vault?.close();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    const cli = async (args: string[]): Promise<JsonReport> => {
      const r = await runCli([...args, '--repo', git.repoUrl('flat'), '--format', 'json'], {
        VAULT_ADDR: vault.url,
        VAULT_TOKEN: vault.rootToken,
      });
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as JsonReport;
    };
    const changedFiles = async (from: string, to: string) =>
      (await runGit(['diff', '--name-only', from, to], { cwd: git.repoPath('flat') }))
        .toString()
        .trim()
        .split('\n');

    it('scan, adoption in place, rotation with a pin, then nothing', async () => {
      const scan = await cli(['scan']);
      const expected = {
        'manifests/web.yaml': ['kv/web/session'],
        'manifests/orders.yaml': ['kv/orders/db'],
        'manifests/cache.yaml': ['kv/cache/password'],
        'manifests/backup.yaml': ['kv/backup/s3'],
        'manifests/node-agent.yaml': ['kv/monitoring/node-agent'],
      };
      expect(Object.fromEntries(scan.workloads.map((j) => [j.file, j.secrets.map((s) => s.path)]))).toEqual(
        expected,
      );
      for (const j of scan.workloads) expect(j.environment).toBeUndefined();

      const start = await git.head('flat', 'main');
      const adopted = await cli(['apply']);
      expect(adopted.summary).toMatchObject({ workloads: 5, record: 5, restart: 0, blocked: 0 });
      expect((await changedFiles(start, adopted.commit!)).sort()).toEqual(Object.keys(expected).sort());
      for (const [file, paths] of Object.entries(expected)) {
        const text = await git.readFile('flat', 'main', file);
        const original = await readFile(join('test/fixtures/roots/flat', file), 'utf8');
        const record = `${RECORD}: ${paths.map((p) => `${p}@${secrets[p]}`).join(',')}`;
        expect(text, file).toContain(record);
        // only record lines (and an `annotations:` key where there was none) were added
        const added = text.split('\n').filter((l) => !original.split('\n').includes(l));
        for (const l of added) expect(l.trim(), file).toMatch(new RegExp(`^(annotations:|${RECORD}: )`));
      }

      const next = rotate(vault, 'kv/orders/db');
      const rotated = await cli(['apply']);
      expect(rotated.summary).toMatchObject({ restart: 1, record: 0 });
      expect((await changedFiles(adopted.commit!, rotated.commit!)).sort()).toEqual([
        'manifests/orders-secret.yaml',
        'manifests/orders.yaml',
      ]);
      const orders = rotated.workloads.find((j) => j.name === 'orders')!;
      expect(orders.pins).toEqual([
        expect.objectContaining({ kind: 'ExternalSecret', name: 'orders-db', version: next }),
      ]);
      expect(await git.readFile('flat', 'main', 'manifests/orders-secret.yaml')).toContain(
        `version: "${next}"`,
      );
      const files = (
        await runGit(['ls-tree', '-r', '--name-only', 'main'], { cwd: git.repoPath('flat') })
      ).toString();
      expect(files).not.toContain(OLD_PATCH_FILE);
      expect(files).not.toContain(`${LAYER}/`);

      const third = await cli(['apply']);
      expect(third.commit).toBeNull();
      expect(vault.violations).toBe(0);
      expect(vault.requests.filter((r) => r.path.includes('/data/'))).toEqual([]);
    }, 120_000);
  });
});
