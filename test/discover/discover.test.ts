import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig, type Config } from '../../src/core/config/schema.js';
import { discover } from '../../src/core/discover/discover.js';
import type { RepoFile, Workload } from '../../src/core/model.js';
import { deployment, FIXTURES, readTree } from './helpers.js';
import { podTargets } from '../../src/core/discover/workloads.js';

// sources/ and helm/ hold their own suites' fixtures (test/discover/sources.test.ts, helm.test.ts).
const files = readTree(FIXTURES).filter((f) => !f.path.startsWith('sources/') && !f.path.startsWith('helm/'));

function config(yaml = ''): Config {
  return yaml ? parseConfig(yaml, 'vault-rollout.yaml') : defaultConfig();
}

function byName(workloads: Workload[], name: string): Workload {
  const w = workloads.find((x) => x.name === name);
  if (!w) throw new Error(`no workload "${name}" in ${workloads.map((x) => x.name).join(', ')}`);
  return w;
}

describe('discover over the hand-written fixtures', () => {
  const result = discover(files, config());

  it('returns only workloads with secrets, sorted by file and document', () => {
    expect(result.workloads.map((w) => `${w.file}#${w.document} ${w.kind}/${w.name}`)).toEqual([
      'apps/agent.yaml#0 Deployment/agent',
      'apps/bad-entries.yaml#0 DaemonSet/agentd',
      'apps/cron.yaml#0 CronJob/report',
      'apps/rollouts.yaml#0 Rollout/canary',
      'apps/rollouts.yaml#2 ReplicaSet/rs',
      'apps/rollouts.yaml#3 DaemonSet/kruise',
      'apps/templated-config.yaml#0 Deployment/templated',
      'apps/web.yaml#1 Deployment/web',
      'apps/web.yaml#3 StatefulSet/db',
      'loose/templates/kustomize-ok.yaml#0 Deployment/loose',
    ]);
    // web.yaml: Service, Deployment, an empty document, StatefulSet → 4 documents, indexes as parseAllDocuments.
    expect(result.seen).toEqual({
      Deployment: 4,
      DaemonSet: 2,
      CronJob: 1,
      Rollout: 1,
      ReplicaSet: 1,
      StatefulSet: 1,
      // charts/web/values.yaml: a chart values file; it names no Vault secret, so it is not a workload.
      HelmValues: 1,
    });
  });

  it('fills every Workload field (multi-document file, explicit annotation, record, strategy)', () => {
    expect(byName(result.workloads, 'web')).toEqual({
      file: 'apps/web.yaml',
      document: 1,
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      name: 'web',
      namespace: 'prod',
      labels: { app: 'web', team: 'pay' },
      ...podTargets(['spec', 'template']),
      chartValue: null,
      secrets: [
        { path: 'kv/web/db', source: 'annotation', via: 'vault-rollout/secrets' },
        { path: 'kv/web/api', source: 'annotation', via: 'vault-rollout/secrets' },
        { path: 'kv/web/cache', source: 'annotation', via: 'vault-rollout/secrets' },
      ],
      recorded: new Map([
        ['kv/web/api', 3],
        ['kv/web/db', 7],
      ]),
      recordedRaw: 'kv/web/api@3,kv/web/db@7',
      templateRaw: 'kv/web/api@3,kv/web/db@7',
      updateStrategy: 'RollingUpdate',
      replicas: 3,
    });
    const db = byName(result.workloads, 'db');
    expect(db).toMatchObject({
      document: 3,
      namespace: null,
      updateStrategy: 'OnDelete',
      replicas: null,
      recorded: null,
    });
    expect(db.secrets).toEqual([{ path: 'kv/db/root', source: 'annotation', via: 'vault-rollout/secrets' }]);
  });

  it('reads Vault Agent Injector annotations, normalised, ignoring templates and other keys', () => {
    expect(byName(result.workloads, 'agent').secrets).toEqual([
      {
        path: 'internal/owner',
        source: 'vaultAgent',
        via: 'vault.hashicorp.com/agent-inject-secret-owner',
      },
      { path: 'secret/app/db', source: 'vaultAgent', via: 'vault.hashicorp.com/agent-inject-secret-db' },
      { path: 'secret/app/config', source: 'vaultAgent', via: 'vault.hashicorp.com/agent-inject-secret-cfg' },
    ]);
    expect(result.problems).toContainEqual({
      file: 'apps/agent.yaml',
      severity: 'warning',
      message:
        'Deployment "agent": "vault.hashicorp.com/agent-inject-secret-empty": "" is not a Vault secret path',
      line: 19,
      column: 56,
    });
  });

  it('CronJob template path, Rollout with workloadRef skipped, ReplicaSet and apps.kruise.io DaemonSet kept, Job ignored', () => {
    expect(byName(result.workloads, 'report')).toMatchObject({
      kind: 'CronJob',
      ...podTargets(['spec', 'jobTemplate', 'spec', 'template']),
      chartValue: null,
      secrets: [{ path: 'kv/report/smtp', source: 'annotation' }],
    });
    expect(result.workloads.some((w) => w.name === 'by-ref' || w.name === 'once')).toBe(false);
    expect(byName(result.workloads, 'canary')).toMatchObject({
      kind: 'Rollout',
      replicas: 5,
      updateStrategy: null,
    });
    expect(byName(result.workloads, 'rs')).toMatchObject({ kind: 'ReplicaSet', replicas: 2 });
    expect(byName(result.workloads, 'kruise')).toMatchObject({
      apiVersion: 'apps.kruise.io/v1alpha1',
      updateStrategy: 'RollingUpdate',
    });
  });

  it('rejects bad annotation entries with file, workload, entry and line, blocking that workload only', () => {
    // `kv/has space?` splits at the space: `kv/has` is a path, `space?` is not.
    const agentd = byName(result.workloads, 'agentd');
    expect(agentd.secrets.map((s) => s.path)).toEqual(['kv/ok', 'kv/has']);
    expect(agentd.rejected).toEqual([
      'secret path "justone" (vault-rollout/secrets) is rejected: it is not of the form mount/path (e.g. kv/app/db); it is not read from Vault',
      'secret path "space?" (vault-rollout/secrets) is rejected: it has the character "?", which Vault secret paths do not use; it is not read from Vault',
    ]);
    const problems = result.problems.filter((p) => p.file === 'apps/bad-entries.yaml');
    expect(problems).toEqual([
      expect.objectContaining({
        message: 'DaemonSet "agentd": "vault-rollout/secrets" must be a string of secret paths',
        line: 11,
      }),
      {
        file: 'apps/bad-entries.yaml',
        severity: 'error',
        message:
          'DaemonSet "agentd": secret path "justone" (vault-rollout/secrets) is rejected: it is not of the form mount/path (e.g. kv/app/db); it is not read from Vault',
        line: 6,
        column: 28,
      },
      expect.objectContaining({
        severity: 'error',
        line: 6,
        message: expect.stringContaining('secret path "space?" (vault-rollout/secrets) is rejected'),
      }),
    ]);
  });

  it('reports invalid YAML and duplicate keys with line and column, and skips the whole file', () => {
    const invalid = result.problems.find((p) => p.file === 'broken/invalid.yaml');
    expect(invalid).toMatchObject({
      severity: 'warning',
      line: expect.any(Number),
      column: expect.any(Number),
    });
    expect(invalid!.message).toMatch(/^not valid YAML: .+ \(line \d+\)$/);
    expect(result.problems.find((p) => p.file === 'broken/duplicate-keys.yaml')).toEqual({
      file: 'broken/duplicate-keys.yaml',
      severity: 'warning',
      message: 'not valid YAML: Map keys must be unique (line 7)',
      line: 7,
      column: 3,
    });
    expect(result.workloads.some((w) => w.file.startsWith('broken/'))).toBe(false);
  });

  it('skips Helm chart templates, valid or not, and unrendered templates outside a chart', () => {
    const helm = result.problems.filter(
      (p) => p.message === 'Helm chart template: skipped (not rendered here)',
    );
    expect(helm.map((p) => p.file)).toEqual([
      'charts/web/templates/deployment.yaml',
      'charts/web/templates/plain.yaml',
      'loose/templates/orphan.yaml',
    ]);
    expect(helm.every((p) => p.severity === 'warning')).toBe(true);
    expect(result.workloads.some((w) => w.name === 'plain')).toBe(false);
  });

  it('keeps {{ }} inside valid YAML as ordinary text', () => {
    expect(byName(result.workloads, 'templated').secrets).toHaveLength(1);
    expect(result.problems.some((p) => p.file === 'apps/templated-config.yaml')).toBe(false);
  });

  it('notes kind: List items as out of scope', () => {
    expect(result.problems).toContainEqual(
      expect.objectContaining({
        file: 'apps/list.yaml',
        message: expect.stringMatching(/^kind: List holds 1 workload/),
      }),
    );
  });

  it('counts every document of the files it read', () => {
    // agent 1, bad-entries 1, cron 2, list 1, rollouts 4, templated 1, web 4, kustomize-ok 1, and the chart's
    // values.yaml 1 (a values file can be a Helm-based app); Chart.yaml names no relevant kind, so it is not
    // parsed at all (RELEVANT_KINDS).
    expect(result.documents).toBe(16);
  });
});

describe('sources switched off', () => {
  it('annotation off: only Vault Agent refs remain', () => {
    const r = discover(files, config('sources: { annotation: false }'));
    expect(r.workloads.map((w) => w.name)).toEqual(['agent']);
    expect(r.problems.some((p) => p.message.includes('vault-rollout/secrets'))).toBe(false);
  });

  it('vaultAgent off', () => {
    const r = discover(files, config('sources: { vaultAgent: false }'));
    expect(r.workloads.some((w) => w.name === 'agent')).toBe(false);
    expect(r.workloads.some((w) => w.name === 'web')).toBe(true);
  });
});

describe('custom annotation prefix and mounts', () => {
  it('reads <prefix>/secrets and <prefix>/secret-versions, and splits at configured mounts', () => {
    const text = deployment({
      name: 'x',
      annotations: {
        'example.com/secrets': 'team-a/kv/data/app',
        'example.com/secret-versions': 'team-a/kv/app@2',
      },
    });
    const r = discover(
      [{ path: 'x.yaml', text }],
      config('annotationPrefix: example.com\nvault: { mounts: [team-a/kv] }'),
    );
    expect(r.workloads[0]).toMatchObject({
      secrets: [{ path: 'team-a/kv/app', source: 'annotation', via: 'example.com/secrets' }],
      recordedRaw: 'team-a/kv/app@2',
      recorded: new Map([['team-a/kv/app', 2]]),
    });
  });
});

describe('rules', () => {
  const repo: RepoFile[] = [
    {
      path: 'apps/payments/api.yaml',
      text: deployment({ name: 'api-v1', namespace: 'prod', labels: { team: 'pay' } }),
    },
    {
      path: 'apps/payments/worker.yaml',
      text: deployment({ name: 'worker', namespace: 'prod', labels: { team: 'pay' } }),
    },
    {
      path: 'apps/payments/api-sts.yaml',
      text: deployment({ name: 'api-sts', kind: 'StatefulSet', namespace: 'prod' }),
    },
    { path: 'apps/web/api.yaml', text: deployment({ name: 'api-web', labels: { team: 'web' } }) },
    {
      path: 'apps/web/annotated.yaml',
      text: deployment({ name: 'annotated', annotations: { 'vault-rollout/secrets': 'kv/shared/db' } }),
    },
  ];
  const names = (rule: string) =>
    discover(repo, config(`rules:\n  - select: ${rule}\n    secrets: [kv/shared/db, kv/data/extra]\n`))
      .workloads.filter((w) => w.secrets.some((s) => s.via.includes('rules[0]')))
      .map((w) => w.name);

  it('empty select matches every workload', () => {
    expect(names('{}')).toEqual(['api-sts', 'api-v1', 'worker', 'annotated', 'api-web']);
  });
  it('path glob', () =>
    expect(names('{ path: "apps/payments/**" }')).toEqual(['api-sts', 'api-v1', 'worker']));
  it('kind', () => expect(names('{ kind: StatefulSet }')).toEqual(['api-sts']));
  it('namespace (a workload without namespace never matches)', () =>
    expect(names('{ namespace: prod }')).toEqual(['api-sts', 'api-v1', 'worker']));
  it('name glob', () => expect(names('{ name: "api-*" }')).toEqual(['api-sts', 'api-v1', 'api-web']));
  it('labels subset', () => expect(names('{ labels: { team: pay } }')).toEqual(['api-v1', 'worker']));
  it('all fields together', () =>
    expect(
      names(
        '{ path: "apps/payments/**", kind: Deployment, namespace: prod, name: "api-*", labels: { team: pay } }',
      ),
    ).toEqual(['api-v1']));

  it('attaches normalised paths with via rules[i], deduped after the annotation source', () => {
    const r = discover(
      repo,
      config('rules:\n  - select: { name: annotated }\n    secrets: [kv/shared/db, kv/data/extra]\n'),
    );
    expect(r.workloads[0]!.secrets).toEqual([
      { path: 'kv/shared/db', source: 'annotation', via: 'vault-rollout/secrets, rules[0]' },
      { path: 'kv/extra', source: 'rule', via: 'rules[0]' },
    ]);
  });
});

describe('robustness', () => {
  it('empty files, comment-only files, scalars and lists are no workloads and no problems', () => {
    const r = discover(
      [
        { path: 'a.yaml', text: '' },
        { path: 'b.yaml', text: '# nothing\n' },
        { path: 'c.yaml', text: 'just a string\n' },
        { path: 'd.yaml', text: '- 1\n- 2\n' },
        { path: 'e.yaml', text: 'kind: Deployment\nmetadata: { name: 5 }\nspec: { template: {} }\n' },
        {
          path: 'f.yaml',
          text: 'kind: Deployment\napiVersion: apps/v1\nmetadata: { name: n }\nspec: { template: [] }\n',
        },
      ],
      config(),
    );
    // a-d name no workload kind, so they are not even parsed; e and f are parsed and hold no workload.
    expect(r).toEqual({
      workloads: [],
      problems: [],
      documents: 2,
      fileData: new Map(),
      seen: {},
      roots: [],
      missing: [],
      rootObjects: new Map(),
      rootEnvironments: new Map(),
      undeployed: [],
    });
  });

  it('does not parse files that name no workload kind, and matches quoted and JSON kinds', () => {
    const r = discover(
      [
        { path: 'cm.yaml', text: 'kind: ConfigMap\nmetadata: {name: x}\ndata: [unclosed\n' },
        {
          path: 'json.yaml',
          text: '{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "j", "annotations": {"vault-rollout/secrets": "kv/j"}}, "spec": {"template": {}}}\n',
        },
        {
          path: 'quoted.yaml',
          text: "apiVersion: apps/v1\nkind: 'StatefulSet'\nmetadata:\n  name: q\n  annotations:\n    vault-rollout/secrets: kv/q\nspec:\n  template: {}\n",
        },
      ],
      config(),
    );
    expect(r.workloads.map((w) => w.name)).toEqual(['j', 'q']);
    expect(r.problems).toEqual([]);
    expect(r.documents).toBe(2);
  });

  it('an alias bomb is a problem, not a crash', () => {
    const bomb = ['kind: Deployment', 'a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${'b'.repeat(i + 1)}: &${'b'.repeat(i + 1)} [${Array(10)
          .fill(i === 0 ? '*a' : `*${'b'.repeat(i)}`)
          .join(', ')}]`,
      );
    const r = discover([{ path: 'bomb.yaml', text: `${bomb.join('\n')}\n` }], config());
    expect(r.problems).toEqual([
      expect.objectContaining({ file: 'bomb.yaml', message: expect.stringMatching(/^not valid YAML: /) }),
    ]);
  });

  it('keeps BOM and CRLF files readable', () => {
    const text = `\uFEFF${deployment({ name: 'crlf', annotations: { 'vault-rollout/secrets': 'kv/crlf/a' } }).replace(/\n/g, '\r\n')}`;
    expect(discover([{ path: 'crlf.yaml', text }], config()).workloads[0]!.secrets[0]!.path).toBe(
      'kv/crlf/a',
    );
  });
});
