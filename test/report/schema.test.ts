/**
 * The shipped JSON Schema of the `--format json` report (docs/schema/report.schema.json) against the report
 * model, at the type level and at run time:
 * - the enums and the objects the report passes through unchanged (`summary`, `problems[]`,
 *   `pullRequest`) are tied to their TypeScript types: a new state, action, source, kind or field in the
 *   model fails the type check here until the schema lists it, and the schema fails the run-time check
 *   until it does;
 * - a report with every optional field filled in, rendered by `toJson`, validates, and uses every property
 *   the schema declares (so a field the code stops emitting, or renames, is caught as well);
 * - renaming, dropping or adding a field, or an unknown enum value, fails validation.
 * The end-to-end suite (schema.e2e.test.ts) validates what the built CLI prints.
 */
import { describe, expect, it } from 'vitest';
import type {
  ChartKind,
  PlannedWorkload,
  Problem,
  ProblemSeverity,
  RunReport,
  PlannedSecret,
  PlannedPin,
  SecretState,
  SourceName,
  Summary,
  WorkloadAction,
  WorkloadKind,
} from '../../src/core/model.js';
import { podTargets } from '../../src/core/discover/workloads.js';
import { toJson } from '../../src/core/report/render.js';
import {
  errorsOf,
  loadReportSchema,
  propertyPaths,
  reportValidator,
  schemaPropertyPaths,
  type JsonSchema,
} from '../support/report-schema.js';

const schema = loadReportSchema();
const validate = reportValidator();
const defs = schema.$defs as Record<string, JsonSchema>;

/** `'required'` or `'optional'` per key of T, as the type declares it. */
type Presence<T> = { [K in keyof T]-?: object extends Pick<T, K> ? 'optional' : 'required' };

/** The schema object's properties, each `'required'` or `'optional'`. */
function presence(def: string): Record<string, 'required' | 'optional'> {
  const d = defs[def]!;
  const required = new Set(d.required as string[]);
  return Object.fromEntries(
    Object.keys(d.properties as object).map((k) => [k, required.has(k) ? 'required' : 'optional']),
  );
}

const enumOf = (def: JsonSchema) => [...(def.enum as string[])].sort();
const keysOf = (o: object) => Object.keys(o).sort();

// Each literal below must list exactly the members of its type (`satisfies Record<Union, true>` rejects a
// missing and an extra key): a member added to the model fails `npm run typecheck` here first.
const SECRET_STATES = {
  'up-to-date': true,
  outdated: true,
  unrecorded: true,
  missing: true,
  deleted: true,
  forbidden: true,
  unsupported: true,
} satisfies Record<SecretState, true>;
const ACTIONS = {
  restart: true,
  record: true,
  none: true,
  blocked: true,
  skipped: true,
  ignored: true,
  deferred: true,
} satisfies Record<WorkloadAction, true>;
const SOURCES = {
  annotation: true,
  vaultAgent: true,
  rule: true,
  externalSecrets: true,
  vaultSecretsOperator: true,
  argocdVaultPlugin: true,
  bankVaults: true,
  csi: true,
} satisfies Record<SourceName, true>;
const KINDS = {
  Deployment: true,
  StatefulSet: true,
  DaemonSet: true,
  ReplicaSet: true,
  Rollout: true,
  CronJob: true,
  HelmRelease: true,
  Application: true,
  HelmValues: true,
} satisfies Record<WorkloadKind | ChartKind, true>;
const SEVERITIES = { error: true, warning: true } satisfies Record<ProblemSeverity, true>;

// Objects `toJson` copies as they are: their fields are the JSON fields.
const SUMMARY: Presence<Summary> = {
  workloads: 'required',
  restart: 'required',
  record: 'required',
  blocked: 'required',
  unchanged: 'required',
  skipped: 'optional',
  ignored: 'optional',
  deferred: 'optional',
};
const PROBLEM: Presence<Problem> = {
  file: 'required',
  severity: 'required',
  message: 'required',
  line: 'optional',
  column: 'optional',
};
const PULL_REQUEST: Presence<NonNullable<RunReport['pullRequest']>> = {
  number: 'required',
  url: 'required',
  kind: 'optional',
};
// The report itself; `changes` (the before/after text of each file) is printed as a diff, never as JSON.
const RUN_REPORT: Presence<Omit<RunReport, 'changes'>> = {
  branch: 'required',
  workloads: 'required',
  summary: 'required',
  problems: 'required',
  commit: 'required',
  pullRequest: 'required',
};
// A planned secret; `via` (how it was found) is in the scan report only.
const PLANNED_SECRET: Presence<Omit<PlannedSecret, 'via'>> = {
  path: 'required',
  vaultNamespace: 'optional',
  source: 'required',
  recorded: 'required',
  current: 'required',
  state: 'required',
  updatedTime: 'required',
};

describe('the schema follows the report model (type level)', () => {
  it('lists exactly the states, actions, sources, kinds and severities of the model', () => {
    expect(enumOf(defs.plannedSecret!.properties!.state as JsonSchema)).toEqual(keysOf(SECRET_STATES));
    expect(enumOf(defs.plannedWorkload!.properties!.action as JsonSchema)).toEqual(keysOf(ACTIONS));
    expect(enumOf(defs.source!)).toEqual(keysOf(SOURCES));
    expect(enumOf(defs.kind!)).toEqual(keysOf(KINDS));
    expect(enumOf(defs.problem!.properties!.severity as JsonSchema)).toEqual(keysOf(SEVERITIES));
  });

  it('declares the fields of the objects the report passes through, required as the types say', () => {
    expect(presence('runSummary')).toEqual(SUMMARY);
    expect(presence('problem')).toEqual(PROBLEM);
    expect(presence('pullRequest')).toEqual(PULL_REQUEST);
    expect(presence('runReport')).toEqual(RUN_REPORT);
    expect(presence('plannedSecret')).toEqual(PLANNED_SECRET);
  });

  it('closes every object it describes (additionalProperties: false)', () => {
    const open: string[] = [];
    const walk = (s: unknown, at: string) => {
      if (Array.isArray(s)) s.forEach((x, i) => walk(x, `${at}/${i}`));
      else if (s && typeof s === 'object') {
        const o = s as JsonSchema;
        if (o.properties && o.additionalProperties !== false) open.push(at);
        for (const [k, v] of Object.entries(o)) walk(v, `${at}/${k}`);
      }
    };
    walk(schema, '#');
    expect(open).toEqual([]);
  });
});

/** A report in which every optional field of the JSON is present. */
function fullReport(): RunReport {
  const pin: PlannedPin = {
    path: 'kv/web/db',
    version: 7,
    target: {
      file: 'base/es.yaml',
      document: 1,
      kind: 'ExternalSecret',
      name: 'db-creds',
      field: ['spec', 'data', 0, 'remoteRef', 'version'],
      format: 'string',
    },
  };
  const secret = (over: Partial<PlannedSecret>): PlannedSecret => ({
    path: 'kv/web/db',
    source: 'externalSecrets',
    via: 'ExternalSecret/db-creds (base/es.yaml) → Secret/db-creds → envFrom',
    recorded: 6,
    current: 7,
    state: 'outdated',
    updatedTime: '2026-11-20T10:00:00.123456789Z',
    ...over,
  });
  const restart: PlannedWorkload = {
    workload: {
      file: 'base/web.yaml',
      document: 0,
      kind: 'HelmRelease',
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      name: 'web',
      namespace: 'prod',
      labels: {},
      ...podTargets(['spec', 'template']),
      chartValue: 'spec.values.podAnnotations',
      secrets: [],
      recorded: new Map([['kv/web/db', 6]]),
      recordedRaw: 'kv/web/db@6',
      templateRaw: null,
      updateStrategy: 'OnDelete',
      replicas: 2,
      root: 'overlays/prod',
      environment: 'prod',
      rootPatch: {
        file: 'overlays/prod/vault-rollout/patches.yaml',
        kustomization: 'overlays/prod/kustomization.yaml',
        object: {
          apiVersion: 'helm.toolkit.fluxcd.io/v2',
          kind: 'HelmRelease',
          name: 'web',
          namespace: 'prod',
        },
      },
    },
    secrets: [secret({ vaultNamespace: 'team-a' })],
    action: 'restart',
    pins: [pin],
    reasons: [],
    warnings: ['StatefulSet uses updateStrategy OnDelete'],
    newValue: 'kv/web/db@7',
  };
  const blocked: PlannedWorkload = {
    ...restart,
    workload: { ...restart.workload, chartValue: null, root: null, environment: null, rootPatch: null },
    secrets: [
      secret({ path: 'kv/gone', recorded: null, current: null, state: 'missing', updatedTime: null }),
    ],
    action: 'blocked',
    pins: [],
    reasons: ['kv/gone: not found in Vault (404)'],
    warnings: [],
    newValue: null,
  };
  const skipped: PlannedWorkload = {
    ...blocked,
    action: 'skipped',
    reasons: ['overlays/prod/vault-rollout/patches.yaml, a file vault-rollout generates, is left as it is'],
  };
  const ignored: PlannedWorkload = {
    ...blocked,
    secrets: [],
    action: 'ignored',
    reasons: ['annotation vault-rollout/ignore: "true"'],
  };
  const deferred: PlannedWorkload = {
    ...restart,
    action: 'deferred',
    pins: [],
    newValue: null,
    reasons: ['held back by rollout.maxRestartsPerRun (20)'],
  };
  return {
    branch: 'main',
    workloads: [restart, blocked, skipped, ignored, deferred],
    summary: {
      workloads: 5,
      restart: 1,
      record: 0,
      blocked: 1,
      unchanged: 0,
      skipped: 1,
      ignored: 1,
      deferred: 1,
    },
    problems: [
      { file: 'apps/broken.yaml', severity: 'warning', message: 'not valid YAML', line: 3, column: 5 },
    ],
    changes: [{ path: 'base/web.yaml', before: 'a\n', after: 'b\n' }],
    commit: 'a'.repeat(40),
    pullRequest: {
      number: 12,
      url: 'https://gitlab.example.com/acme/deploy/-/merge_requests/12',
      kind: 'merge-request',
    },
  };
}

describe('the schema against toJson (run time)', () => {
  it('accepts a report with every optional field, and every schema property of a run report is used', () => {
    const json = toJson(fullReport());
    expect(errorsOf(validate, json)).toEqual([]);
    const scanOnly = [...schemaPropertyPaths(schema, 'scanReport')].filter(
      (p) => !schemaPropertyPaths(schema, 'runReport').has(p),
    );
    expect(scanOnly.length).toBeGreaterThan(0);
    expect([...propertyPaths(json)].sort()).toEqual([...schemaPropertyPaths(schema, 'runReport')].sort());
  });

  it('accepts the empty report of a run that found nothing', () => {
    const json = toJson({ ...fullReport(), workloads: [], problems: [], commit: null, pullRequest: null });
    expect(errorsOf(validate, json)).toEqual([]);
  });

  type Json = ReturnType<typeof toJson> & {
    workloads: Record<string, unknown>[] & { secrets: Record<string, unknown>[] }[];
  };
  const mutations: [string, (j: Json) => void, RegExp][] = [
    [
      'a renamed secret field',
      (j) => renameKey(j.workloads[0]!.secrets[0]!, 'updatedTime', 'updated'),
      /updated/,
    ],
    ['a missing summary count', (j) => delete (j.summary as Partial<Summary>).blocked, /blocked/],
    ['a new workload field', (j) => (j.workloads[0]!['replicas'] = 2), /replicas/],
    ['an unknown action', (j) => (j.workloads[0]!['action'] = 'restarted'), /action/],
    ['an unknown state', (j) => (j.workloads[0]!.secrets[0]!['state'] = 'stale'), /state/],
    ['a version as a string', (j) => (j.workloads[0]!.secrets[0]!['current'] = '7'), /current/],
    ['a short commit id', (j) => (j.commit = 'abc123'), /commit/],
    ['a pull request without url', (j) => (j.pullRequest = { number: 1 }), /pullRequest/],
    ['a missing problems list', (j) => delete (j as Partial<Json>).problems, /problems/],
    [
      'a pin without version',
      (j) => delete (j.workloads[0]!['pins'] as Record<string, unknown>[])[0]!.version,
      /pins/,
    ],
    ['an empty reasons list', (j) => (j.workloads[1]!['reasons'] = []), /reasons/],
    ['a scan-only field in a run report', (j) => (j.workloads[0]!['blocked'] = 'why'), /blocked/],
  ];
  it.each(mutations)('rejects %s', (_what, mutate, where) => {
    const json = structuredClone(toJson(fullReport())) as Json;
    mutate(json);
    const errors = errorsOf(validate, json);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(where);
  });

  it('rejects a model change the schema does not allow: a Job workload, a new secret state', () => {
    const report = fullReport();
    const job = { ...report.workloads[0]!, workload: { ...report.workloads[0]!.workload, kind: 'Job' } };
    expect(errorsOf(validate, toJson({ ...report, workloads: [job as PlannedWorkload] })).join('\n')).toMatch(
      /kind/,
    );
    const stale = {
      ...report.workloads[0]!,
      secrets: [{ ...report.workloads[0]!.secrets[0]!, state: 'stale' }],
    };
    expect(
      errorsOf(validate, toJson({ ...report, workloads: [stale as PlannedWorkload] })).join('\n'),
    ).toMatch(/state/);
  });
});

function renameKey(o: Record<string, unknown>, from: string, to: string): void {
  o[to] = o[from];
  delete o[from];
}
