/**
 * Version pinning (docs/annotations.md): discovery → plan → edits, pure. A restart pins the new
 * version where the secret came through; an adoption pins nothing; a pin that cannot be written blocks the
 * workloads that rely on it, so pods and Secret never disagree.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/core/config/schema.js';
import { discover } from '../../src/core/discover/discover.js';
import type { RepoFile, SecretStatus } from '../../src/core/model.js';
import { buildChanges } from '../../src/core/plan/changes.js';
import { planWorkloads } from '../../src/core/plan/plan.js';
import { toJson, toTable } from '../../src/core/report/render.js';

const ES = `apiVersion: external-secrets.io/v1
kind: SecretStore
metadata:
  name: vault
spec:
  provider:
    vault:
      path: kv
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: db-creds
spec:
  secretStoreRef:
    name: vault
  data:
    - secretKey: password
      remoteRef:
        key: web/db
`;

const deployment = (name: string, record: string | null) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${record ? `  annotations:\n    vault-rollout/secret-versions: ${record}\n` : ''}spec:
  template:
    spec:
      containers:
        - name: app
          image: app
          envFrom:
            - secretRef:
                name: db-creds
`;

const ok = (path: string, current: number): SecretStatus => ({
  state: 'ok',
  path,
  current,
  updatedTime: null,
});

function run(files: RepoFile[], current: number, pinVersions = true) {
  const config = { ...defaultConfig(), pinVersions };
  const found = discover(files, config);
  const planned = planWorkloads(found.workloads, new Map([['kv/web/db', ok('kv/web/db', current)]]), {
    pinVersions,
  });
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const changes = buildChanges(planned, texts, config.annotationPrefix);
  return { planned, ...changes };
}

describe('pinning', () => {
  it('adoption writes only the record: nothing pinned', () => {
    const r = run(
      [
        { path: 'apps/es.yaml', text: ES },
        { path: 'apps/web.yaml', text: deployment('web', null) },
      ],
      6,
    );
    expect(r.planned[0]!.action).toBe('record');
    expect(r.planned[0]!.pins).toEqual([]);
    expect(r.changes.map((c) => c.path)).toEqual(['apps/web.yaml']);
  });

  it('a restart pins the ExternalSecret once, even for two workloads, and reports it', () => {
    const files = [
      { path: 'apps/es.yaml', text: ES },
      { path: 'apps/web.yaml', text: deployment('web', 'kv/web/db@6') },
      { path: 'apps/worker.yaml', text: deployment('worker', 'kv/web/db@6') },
    ];
    const r = run(files, 7);
    expect(r.problems).toEqual([]);
    expect(r.planned.map((p) => p.action)).toEqual(['restart', 'restart']);
    expect(r.changes.map((c) => c.path)).toEqual(['apps/es.yaml', 'apps/web.yaml', 'apps/worker.yaml']);
    expect(r.changes[0]!.after).toBe(ES.replace('key: web/db\n', 'key: web/db\n        version: "7"\n'));
    const json = toJson({
      branch: null,
      workloads: r.planned,
      summary: { workloads: 2, restart: 2, record: 0, blocked: 0, unchanged: 0 },
      problems: [],
      changes: r.changes,
      commit: null,
      pullRequest: null,
    }) as { workloads: { pins?: unknown[] }[] };
    expect(json.workloads[0]!.pins).toEqual([
      {
        file: 'apps/es.yaml',
        document: 1,
        kind: 'ExternalSecret',
        name: 'db-creds',
        field: 'spec.data[0].remoteRef.version',
        path: 'kv/web/db',
        version: 7,
      },
    ]);
    const table = toTable(
      {
        branch: null,
        workloads: r.planned,
        summary: { workloads: 2, restart: 2, record: 0, blocked: 0, unchanged: 0 },
        problems: [],
        changes: r.changes,
        commit: null,
        pullRequest: null,
      },
      { width: null }, // notes unwrapped
    );
    expect(table).toContain(
      'pin      Deployment/web: ExternalSecret/db-creds (apps/es.yaml) spec.data[0].remoteRef.version = 7 (kv/web/db)',
    );
  });

  it('pinVersions: false restarts without pinning', () => {
    const files = [
      { path: 'apps/es.yaml', text: ES },
      { path: 'apps/web.yaml', text: deployment('web', 'kv/web/db@6') },
    ];
    const r = run(files, 7, false);
    expect(r.planned[0]!.action).toBe('restart');
    expect(r.changes.map((c) => c.path)).toEqual(['apps/web.yaml']);
  });

  it('a pin that cannot be written skips the workloads relying on it (no secret is at fault), files untouched', () => {
    // remoteRef is an alias: the editor refuses to write through it.
    const aliased = ES.replace(
      '  data:\n    - secretKey: password\n      remoteRef:\n        key: web/db\n',
      '  ref: &r\n    key: web/db\n  data:\n    - secretKey: password\n      remoteRef: *r\n',
    );
    const files = [
      { path: 'apps/es.yaml', text: aliased },
      { path: 'apps/web.yaml', text: deployment('web', 'kv/web/db@6') },
    ];
    const r = run(files, 7);
    expect(r.changes).toEqual([]);
    expect(r.planned[0]!.action).toBe('skipped');
    expect(r.planned[0]!.reasons[0]).toMatch(
      /^apps\/es\.yaml, where its secret's version is pinned, could not be edited safely: /,
    );
    expect(r.problems.map((p) => p.file)).toEqual(['apps/es.yaml']);
  });
});
