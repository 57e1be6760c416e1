/**
 * Helm-based apps: a Flux HelmRelease, an Argo CD Application with a Helm source, or a
 * chart values file. Discovery finds them and their secrets, adoption writes only the record, a rotation
 * writes the record and the chart's pod-annotations value, and the plan says the restart goes through
 * the chart. Fixtures: test/fixtures/discover/helm/.
 */
import { diffLines } from 'diff';
import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig, type Config } from '../../src/core/config/schema.js';
import { isValuesFileName } from '../../src/core/discover/charts.js';
import { discover } from '../../src/core/discover/discover.js';
import type { RepoFile, SecretStatus, Workload } from '../../src/core/model.js';
import { buildChanges } from '../../src/core/plan/changes.js';
import { planWorkloads } from '../../src/core/plan/plan.js';
import { toJson, toTable } from '../../src/core/report/render.js';
import { whatHappens } from '../../src/core/report/pr-body.js';
import { FIXTURES, readTree } from './helpers.js';

const CONFIG = parseConfig(
  [
    'rules:',
    '  - select: { path: "ingress/*.yaml", kind: HelmValues }',
    '    secrets: [kv/edge/tls]',
    '    podAnnotations: controller.podAnnotations',
    '  # A rule without kind selects workloads only: not the values file, nor the release.',
    '  - select: { path: "**" }',
    '    secrets: [kv/everything]',
    '',
  ].join('\n'),
  'vault-rollout.yaml',
);

const files = readTree(`${FIXTURES}helm`);
const texts = new Map(files.map((f) => [f.path, f.text]));

function summary(workloads: readonly Workload[]): Record<string, unknown> {
  return Object.fromEntries(
    workloads.map((w) => [
      `${w.file}#${w.document} ${w.kind}/${w.name}`,
      {
        namespace: w.namespace,
        chart: w.chartValue,
        secrets: w.secrets.map((s) => `${s.path} ${s.source}: ${s.via}`),
      },
    ]),
  );
}

/** Every secret at `version`, except those named in `bumped`. */
function statuses(workloads: readonly Workload[], version: number, bumped: Record<string, number> = {}) {
  const out = new Map<string, SecretStatus>();
  for (const w of workloads)
    for (const s of w.secrets)
      out.set(s.path, { state: 'ok', path: s.path, current: bumped[s.path] ?? version, updatedTime: null });
  return out;
}

/** One plan → edit round over `repo` (path → text); returns the new texts and the report pieces. */
function round(
  repo: Map<string, string>,
  config: Config,
  version: number,
  bumped: Record<string, number> = {},
) {
  const files: RepoFile[] = [...repo].map(([path, text]) => ({ path, text }));
  const found = discover(files, config);
  const planned = planWorkloads(found.workloads, statuses(found.workloads, version, bumped));
  const { changes, problems } = buildChanges(planned, repo, config.annotationPrefix);
  const next = new Map(repo);
  for (const c of changes) next.set(c.path, c.after);
  return { found, planned, changes, problems, next };
}

/** The lines a change removed and added, as `-`/`+` lines (no context). */
function changedLines(before: string, after: string): string[] {
  return diffLines(before, after).flatMap((part) =>
    part.added || part.removed
      ? part.value
          .replace(/\n$/, '')
          .split('\n')
          .map((l) => `${part.added ? '+' : '-'}${l}`)
      : [],
  );
}

describe('discovery of Helm-based apps', () => {
  const result = discover(files, CONFIG);

  it('finds HelmReleases, Applications and values files with their secrets and chart values', () => {
    expect(summary(result.workloads)).toEqual({
      'argo/multi-source.yaml#0 Application/orders': {
        namespace: 'orders',
        chart: 'spec.sources[1].helm.valuesObject.podAnnotations',
        secrets: ['kv/orders/api annotation: vault-rollout/secrets'],
      },
      'argo/payments.yaml#0 Application/payments': {
        namespace: 'payments',
        chart: 'spec.source.helm.valuesObject.podAnnotations',
        secrets: [
          'kv/payments/db externalSecrets: ExternalSecret/payments-db (argo/payments.yaml) → Secret/payments-db → values database.existingSecret',
        ],
      },
      'argo/plugin.yaml#1 Application/both': {
        // spec.sources wins over spec.source, as in Argo CD
        namespace: 'both',
        chart: 'spec.sources[0].helm.valuesObject.podAnnotations',
        secrets: ['kv/both/api annotation: vault-rollout/secrets'],
      },
      'flux/agent.yaml#0 HelmRelease/billing': {
        namespace: 'billing',
        chart: 'spec.values.podAnnotations',
        secrets: [
          'kv/billing/db vaultAgent: vault.hashicorp.com/agent-inject-secret-db',
          'kv/billing/api bankVaults: values env[0].value',
        ],
      },
      'flux/podinfo.yaml#0 HelmRelease/podinfo': {
        // where the pods run: spec.targetNamespace
        namespace: 'podinfo',
        chart: 'spec.values.podAnnotations',
        secrets: ['kv/podinfo/redis annotation: vault-rollout/secrets'],
      },
      'ingress/nginx.yaml#0 HelmValues/nginx.yaml': {
        namespace: null,
        chart: 'controller.podAnnotations',
        secrets: ['kv/edge/tls rule: rules[0]'],
      },
      'values/values-prod.yaml#0 HelmValues/values-prod.yaml': {
        namespace: null,
        chart: 'podAnnotations',
        secrets: ['kv/web/session annotation: vault-rollout/secrets'],
      },
    });
    // values/settings.yaml is plain YAML whose name does not say values: never a target.
    expect(result.workloads.some((w) => w.file === 'values/settings.yaml')).toBe(false);
  });

  it('reports, and leaves alone, Applications with nowhere safe to write the restart', () => {
    const errors = result.problems.filter((p) => p.severity === 'error');
    expect(errors).toEqual([
      {
        file: 'argo/directory.yaml',
        severity: 'error',
        message:
          'Application "manifests": no Helm source (neither spec.source.chart nor spec.source.helm), so there are no chart values to restart it through; if the source path is a chart, add `helm: {}` to it (its secrets: kv/manifests/db)',
        line: 9,
        column: 5,
      },
      {
        file: 'argo/plugin.yaml',
        severity: 'error',
        message:
          'Application "avp-helm": spec.source renders its chart through a plugin block, which Helm values do not reach: there is nowhere to write a restart (its secrets: kv/web)',
        line: 8,
        column: 5,
      },
      {
        file: 'argo/string-values.yaml',
        severity: 'error',
        message:
          'Application "legacy": spec.source.helm.values is a string, and Argo CD ignores it once helm.valuesObject is set: move those values to helm.valuesObject, then vault-rollout sets spec.source.helm.valuesObject.podAnnotations (its secrets: kv/legacy/db)',
        line: 12,
        column: 15,
      },
    ]);
  });

  it('counts the HelmReleases and Applications it saw, with or without secrets', () => {
    expect(result.seen).toEqual({ HelmRelease: 3, Application: 6, HelmValues: 2 });
  });
});

describe('adoption, then a rotation, through the chart', () => {
  const adopt = round(texts, CONFIG, 3);
  // one version up for every secret but kv/billing/api
  const bumped = Object.fromEntries(
    [
      'kv/podinfo/redis',
      'kv/payments/db',
      'kv/orders/api',
      'kv/both/api',
      'kv/billing/db',
      'kv/edge/tls',
      'kv/web/session',
    ].map((p) => [p, 4]),
  );
  const rotate = round(adopt.next, CONFIG, 3, bumped);
  const again = round(rotate.next, CONFIG, 3, bumped);
  const diff = (r: typeof adopt, file: string) => {
    const c = r.changes.find((x) => x.path === file);
    return c ? changedLines(c.before, c.after) : [];
  };

  it('adoption writes only the record: nothing in the chart values, nothing restarts', () => {
    expect(adopt.problems).toEqual([]);
    expect(adopt.planned.map((p) => p.action)).toEqual(Array(7).fill('record'));
    expect(diff(adopt, 'flux/podinfo.yaml')).toEqual([
      '+    vault-rollout/secret-versions: kv/podinfo/redis@3',
    ]);
    // a values file keeps its record at the top level
    expect(diff(adopt, 'values/values-prod.yaml')).toEqual([
      '+vault-rollout/secret-versions: kv/web/session@3',
    ]);
    expect(diff(adopt, 'flux/agent.yaml')).toEqual([
      '+  annotations:',
      '+    vault-rollout/secret-versions: kv/billing/api@3,kv/billing/db@3',
    ]);
  });

  it('a rotation sets the record and the chart value, creating the keys the values lack', () => {
    expect(rotate.problems).toEqual([]);
    // billing: only db was bumped, api stays 3
    expect(rotate.planned.map((p) => `${p.workload.name} ${p.action} ${p.newValue}`)).toEqual([
      'orders restart kv/orders/api@4',
      'payments restart kv/payments/db@4',
      'both restart kv/both/api@4',
      'billing restart kv/billing/api@3,kv/billing/db@4',
      'podinfo restart kv/podinfo/redis@4',
      'nginx.yaml restart kv/edge/tls@4',
      'values-prod.yaml restart kv/web/session@4',
    ]);
    expect(rotate.next.get('flux/podinfo.yaml')).toBe(
      texts
        .get('flux/podinfo.yaml')!
        .replace(
          '    vault-rollout/secrets: kv/podinfo/redis\n',
          '    vault-rollout/secrets: kv/podinfo/redis\n    vault-rollout/secret-versions: kv/podinfo/redis@4\n',
        )
        .replace(
          '    replicaCount: 2\n',
          '    replicaCount: 2\n    podAnnotations:\n      vault-rollout/secret-versions: kv/podinfo/redis@4\n',
        ),
    );
    expect(diff(rotate, 'argo/multi-source.yaml')).toEqual([
      '-    vault-rollout/secret-versions: kv/orders/api@3',
      '+    vault-rollout/secret-versions: kv/orders/api@4',
      '+        valuesObject:',
      '+          podAnnotations:',
      '+            vault-rollout/secret-versions: kv/orders/api@4',
    ]);
    expect(rotate.next.get('argo/payments.yaml')).toContain(
      '        podAnnotations:\n          vault-rollout/secret-versions: kv/payments/db@4\n  destination:',
    );
    expect(rotate.next.get('ingress/nginx.yaml')).toBe(
      [
        'controller:',
        '  replicaCount: 2',
        '  podAnnotations:',
        '    team: edge',
        '    vault-rollout/secret-versions: kv/edge/tls@4',
        'vault-rollout/secret-versions: kv/edge/tls@4',
        '',
      ].join('\n'),
    );
    expect(rotate.next.get('values/values-prod.yaml')).toBe(
      [
        '# Values for the web chart in production.',
        'vault-rollout/secrets: kv/web/session',
        'replicaCount: 3',
        'podAnnotations:',
        '  vault-rollout/secret-versions: kv/web/session@4',
        'vault-rollout/secret-versions: kv/web/session@4',
        '',
      ].join('\n'),
    );
  });

  it('a third run changes nothing', () => {
    expect(again.changes).toEqual([]);
    expect(again.planned.every((p) => p.action === 'none')).toBe(true);
  });

  it('says in the plan that the restart goes through the chart', () => {
    const report = {
      branch: 'main',
      workloads: rotate.planned,
      summary: { workloads: 7, restart: 7, record: 0, blocked: 0, unchanged: 0 },
      problems: [],
      changes: rotate.changes,
      commit: null,
      pullRequest: null,
    };
    expect(toTable(report, { width: null })).toContain(
      "chart    HelmRelease/podinfo (flux/podinfo.yaml): restarts go through the chart: the annotation is set in spec.values.podAnnotations, which the chart must copy to the pod template's annotations",
    );
    const json = toJson(report) as { workloads: { name: string; chart?: string }[] };
    expect(json.workloads.map((w) => w.chart)).toEqual([
      'spec.sources[1].helm.valuesObject.podAnnotations',
      'spec.source.helm.valuesObject.podAnnotations',
      'spec.sources[0].helm.valuesObject.podAnnotations',
      'spec.values.podAnnotations',
      'spec.values.podAnnotations',
      'controller.podAnnotations',
      'podAnnotations',
    ]);
    expect(whatHappens(rotate.planned[4]!)).toBe(
      '**rolling restart** through the chart (`spec.values.podAnnotations`)',
    );
  });
});

describe('rules and Helm-based apps', () => {
  it('a rule needs select.kind to configure podAnnotations', () => {
    expect(() =>
      parseConfig('rules:\n  - select: { path: "a/**" }\n    podAnnotations: web.podAnnotations\n', 'c.yaml'),
    ).toThrow(/rules\[0\]\.podAnnotations: podAnnotations applies to Helm-based apps: set select.kind/);
    expect(() =>
      parseConfig('rules:\n  - select: { kind: HelmRelease }\n    podAnnotations: "web..x"\n', 'c.yaml'),
    ).toThrow(/expected a dotted path into the chart values/);
  });

  it('a HelmValues rule needs a path: else every plain YAML file would be chart values', () => {
    expect(() =>
      parseConfig('rules:\n  - select: { kind: HelmValues }\n    secrets: [kv/a/b]\n', 'c.yaml'),
    ).toThrow(/rules\[0\]\.select\.path: kind HelmValues selects values files by path/);
  });

  it("knows Helm's values-file names, and nothing else", () => {
    for (const yes of [
      'values.yaml',
      'a/values-prod.yml',
      'values.prod.yaml',
      'prod-values.yaml',
      'app.values.yaml',
      'app-values-prod.yaml',
      'schema-registry-values.yaml',
    ])
      expect(isValuesFileName(yes), yes).toBe(true);
    for (const no of [
      'values.schema.yaml',
      'myvalues.yaml',
      'valuesfoo.yaml',
      'values.json',
      'ci/pipeline.yaml',
    ])
      expect(isValuesFileName(no), no).toBe(false);
  });

  it('keeps tracking a values file it adopted, whatever its name', () => {
    const text =
      'replicaCount: 1\npodAnnotations:\n  vault.hashicorp.com/agent-inject-secret-db: kv/data/a/db\nvault-rollout/secret-versions: kv/a/db@2\n';
    const found = discover([{ path: 'deploy/prod.yaml', text }], defaultConfig());
    expect(found.workloads.map((w) => `${w.kind} ${w.recordedRaw}`)).toEqual(['HelmValues kv/a/db@2']);
  });

  it('a podAnnotations-only rule moves the trigger of a release discovered otherwise', () => {
    const config = parseConfig(
      'rules:\n  - select: { kind: HelmRelease, name: podinfo }\n    podAnnotations: web.podAnnotations\n',
      'c.yaml',
    );
    const found = discover(files, config);
    const podinfo = found.workloads.find((w) => w.name === 'podinfo')!;
    expect(podinfo.chartValue).toBe('spec.values.web.podAnnotations');
    expect(podinfo.trigger).toEqual({ mapPath: ['spec'], within: ['values', 'web', 'podAnnotations'] });
    expect(found.workloads.find((w) => w.name === 'billing')!.chartValue).toBe('spec.values.podAnnotations');
  });

  it('each source can still be turned off', () => {
    const off = discover(files, {
      ...defaultConfig(),
      sources: { ...defaultConfig().sources, vaultAgent: false, bankVaults: false },
    });
    expect(off.workloads.some((w) => w.name === 'billing')).toBe(false);
  });
});

describe('a values file whose last key is podAnnotations, restarted while its record is not a key of its own', () => {
  // A record the planner reads (through a merge key) but that is not a key of the file's top-level map:
  // the restart inserts both the record and the trigger after the file's last line, one under
  // podAnnotations and one at the top level.
  const app = [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    '  name: web',
    '  namespace: argocd',
    'spec:',
    '  source:',
    '    repoURL: https://git.example.com/charts.git',
    '    path: charts/web',
    '    helm:',
    '      valueFiles: [values.yaml]',
    '  destination:',
    '    namespace: web',
    '',
  ].join('\n');
  const head =
    'defaults: &d\n  vault-rollout/secret-versions: kv/web/session@3\n<<: *d\nvault-rollout/secrets: kv/web/session\n';
  const R = 'vault-rollout/secret-versions: kv/web/session@4';
  const cases: [string, string, string][] = [
    ['existing entries', 'podAnnotations:\n  team: web\n', `podAnnotations:\n  team: web\n  ${R}\n${R}\n`],
    ['an empty flow map', 'podAnnotations: {}\n', `podAnnotations:\n  ${R}\n${R}\n`],
    ['an empty value', 'podAnnotations:\n', `podAnnotations:\n  ${R}\n${R}\n`],
    [
      'a trailing comment',
      'podAnnotations:\n  team: web # owner\n',
      `podAnnotations:\n  team: web # owner\n  ${R}\n${R}\n`,
    ],
    ['no final newline', 'podAnnotations:\n  team: web', `podAnnotations:\n  team: web\n  ${R}\n${R}`],
    [
      'not last',
      'podAnnotations:\n  team: web\nreplicas: 2\n',
      `podAnnotations:\n  team: web\n  ${R}\nreplicas: 2\n${R}\n`,
    ],
  ];
  const crlf = (t: string) => t.replace(/\n/g, '\r\n');

  it.each([
    ...cases,
    ...cases.map(([name, tail, want]): [string, string, string] => [`${name}, CRLF`, crlf(tail), crlf(want)]),
  ])('%s: restarts, writing both keys', (name, tail, want) => {
    const values = (name.endsWith('CRLF') ? crlf(head) : head) + tail;
    const repo = new Map([
      ['apps/web.yaml', app],
      ['charts/web/values.yaml', values],
    ]);
    const r = round(repo, CONFIG, 4);
    expect(r.problems).toEqual([]);
    expect(r.planned.map((p) => `${p.workload.file} ${p.action}`)).toEqual([
      'charts/web/values.yaml restart',
    ]);
    expect(r.changes.map((c) => c.path)).toEqual(['charts/web/values.yaml']);
    expect(r.next.get('charts/web/values.yaml')).toBe((name.endsWith('CRLF') ? crlf(head) : head) + want);
    // The next run reads the record it wrote and changes nothing.
    expect(round(r.next, CONFIG, 4).changes).toEqual([]);
  });
});
