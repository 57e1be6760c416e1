import { describe, expect, it } from 'vitest';
import type { SecretStatus, Workload } from '../../src/core/model.js';
import { editsFor, planWorkload, planWorkloads, summarize } from '../../src/core/plan/plan.js';
import { formatRecord, parseRecord } from '../../src/core/record.js';
import { podTargets } from '../../src/core/discover/workloads.js';

function workload(over: Partial<Workload> = {}): Workload {
  return {
    file: 'apps/web.yaml',
    document: 0,
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    name: 'web',
    namespace: 'prod',
    labels: {},
    ...podTargets(['spec', 'template']),
    chartValue: null,
    secrets: [
      { path: 'kv/web/db', source: 'annotation', via: 'vault-rollout/secrets' },
      { path: 'kv/web/api', source: 'annotation', via: 'vault-rollout/secrets' },
    ],
    recorded: null,
    recordedRaw: null,
    templateRaw: null,
    updateStrategy: null,
    replicas: 2,
    ...over,
  };
}

function withRecord(raw: string, over: Partial<Workload> = {}): Workload {
  return workload({ recorded: parseRecord(raw), recordedRaw: raw, ...over });
}

const ok = (path: string, current: number): SecretStatus => ({
  state: 'ok',
  path,
  current,
  updatedTime: '2026-11-01T00:00:00Z',
});
const statuses = (...list: SecretStatus[]) => new Map(list.map((s) => [s.path, s]));

describe('record format', () => {
  it('sorts by path and round-trips', () => {
    const m = new Map([
      ['kv/z', 1],
      ['kv/a', 12],
    ]);
    expect(formatRecord(m)).toBe('kv/a@12,kv/z@1');
    expect([...parseRecord('kv/a@12, kv/z@1\nbad kv/x@-1 kv/y@')]).toEqual([
      ['kv/a', 12],
      ['kv/z', 1],
    ]);
  });
});

describe('planWorkload: recorded × current × state → action', () => {
  it('adopts a workload with no record: record only, no restart', () => {
    const p = planWorkload(workload(), statuses(ok('kv/web/db', 7), ok('kv/web/api', 3)));
    expect(p.action).toBe('record');
    expect(p.newValue).toBe('kv/web/api@3,kv/web/db@7');
    expect(p.secrets.map((s) => s.state)).toEqual(['unrecorded', 'unrecorded']);
    expect(editsFor(p, 'vault-rollout')).toEqual([
      {
        document: 0,
        mapPath: [],
        within: ['metadata', 'annotations'],
        key: 'vault-rollout/secret-versions',
        value: 'kv/web/api@3,kv/web/db@7',
        expect: { kind: 'Deployment', name: 'web' },
      },
    ]);
  });

  it('restarts when a recorded version changed, writing record and pod template', () => {
    const p = planWorkload(
      withRecord('kv/web/api@3,kv/web/db@6'),
      statuses(ok('kv/web/db', 7), ok('kv/web/api', 3)),
    );
    expect(p.action).toBe('restart');
    expect(p.secrets.map((s) => [s.path, s.recorded, s.current, s.state])).toEqual([
      ['kv/web/db', 6, 7, 'outdated'],
      ['kv/web/api', 3, 3, 'up-to-date'],
    ]);
    expect(editsFor(p, 'acme')).toEqual([
      {
        document: 0,
        mapPath: [],
        within: ['metadata', 'annotations'],
        key: 'acme/secret-versions',
        value: 'kv/web/api@3,kv/web/db@7',
        expect: { kind: 'Deployment', name: 'web' },
      },
      {
        document: 0,
        mapPath: ['spec', 'template'],
        within: ['metadata', 'annotations'],
        key: 'acme/secret-versions',
        value: 'kv/web/api@3,kv/web/db@7',
        expect: { kind: 'Deployment', name: 'web' },
      },
    ]);
  });

  it('does nothing when everything is recorded and current', () => {
    const p = planWorkload(
      withRecord('kv/web/api@3,kv/web/db@7'),
      statuses(ok('kv/web/db', 7), ok('kv/web/api', 3)),
    );
    expect(p.action).toBe('none');
    expect(p.newValue).toBeNull();
    expect(editsFor(p, 'vault-rollout')).toEqual([]);
  });

  it('records a newly added dependency without restarting', () => {
    const p = planWorkload(withRecord('kv/web/db@7'), statuses(ok('kv/web/db', 7), ok('kv/web/api', 3)));
    expect(p.action).toBe('record');
    expect(p.secrets.find((s) => s.path === 'kv/web/api')?.state).toBe('unrecorded');
    expect(p.newValue).toBe('kv/web/api@3,kv/web/db@7');
  });

  it('rewrites a non-canonical record without restarting', () => {
    const p = planWorkload(
      withRecord('kv/web/db@7, kv/web/api@3'),
      statuses(ok('kv/web/db', 7), ok('kv/web/api', 3)),
    );
    expect(p.action).toBe('record');
  });

  it.each([
    [{ state: 'missing', path: 'kv/web/db' } as SecretStatus, 'missing', /not found/],
    [
      {
        state: 'deleted',
        path: 'kv/web/db',
        current: 8,
        reason: 'destroyed',
        updatedTime: null,
      } as SecretStatus,
      'deleted',
      /version 8 is destroyed/,
    ],
    [
      {
        state: 'forbidden',
        path: 'kv/web/db',
        message: 'kv/web/db: permission denied; needs path "kv/metadata/web/db"',
      } as SecretStatus,
      'forbidden',
      /permission denied/,
    ],
  ])('blocks the workload when a secret is %s', (status, state, reason) => {
    const p = planWorkload(withRecord('kv/web/api@3,kv/web/db@6'), statuses(status, ok('kv/web/api', 4)));
    expect(p.action).toBe('blocked');
    expect(p.secrets[0]?.state).toBe(state);
    expect(p.reasons.join('\n')).toMatch(reason);
    expect(editsFor(p, 'vault-rollout')).toEqual([]);
  });

  it('leaves an unsupported (KV v1) secret out of the record with a warning', () => {
    const p = planWorkload(
      workload(),
      statuses(
        { state: 'unsupported', path: 'kv/web/db', message: 'kv/web/db: mount "kv/" is KV v1' },
        ok('kv/web/api', 3),
      ),
    );
    expect(p.action).toBe('record');
    expect(p.newValue).toBe('kv/web/api@3');
    expect(p.warnings).toEqual(['kv/web/db: mount "kv/" is KV v1']);
  });

  it('maps discovery paths to the canonical path the reader detected', () => {
    const w = withRecord('team-a/kv/app@1', {
      secrets: [
        {
          path: 'team-a/kv/data/app',
          source: 'vaultAgent',
          via: 'vault.hashicorp.com/agent-inject-secret-app',
        },
      ],
    });
    const st = new Map<string, SecretStatus>([['team-a/kv/data/app', ok('team-a/kv/app', 2)]]);
    const p = planWorkload(w, st);
    expect(p.action).toBe('restart');
    expect(p.newValue).toBe('team-a/kv/app@2');
  });

  it('flags OnDelete StatefulSets and DaemonSets', () => {
    const p = planWorkload(
      withRecord('kv/web/api@3,kv/web/db@6', { kind: 'StatefulSet', updateStrategy: 'OnDelete' }),
      statuses(ok('kv/web/db', 7), ok('kv/web/api', 3)),
    );
    expect(p.action).toBe('restart');
    expect(p.warnings[0]).toMatch(/OnDelete/);
    const d = planWorkload(
      withRecord('kv/web/api@3,kv/web/db@6', { updateStrategy: 'Recreate' }),
      statuses(ok('kv/web/db', 7), ok('kv/web/api', 3)),
    );
    expect(d.warnings).toEqual([]);
  });

  it('uses the CronJob template path for the trigger', () => {
    const p = planWorkload(
      withRecord('kv/web/api@3,kv/web/db@6', {
        kind: 'CronJob',
        ...podTargets(['spec', 'jobTemplate', 'spec', 'template']),
        chartValue: null,
      }),
      statuses(ok('kv/web/db', 7), ok('kv/web/api', 3)),
    );
    expect(editsFor(p, 'vault-rollout')[1]?.mapPath).toEqual(['spec', 'jobTemplate', 'spec', 'template']);
  });

  it('summarizes actions', () => {
    const all = planWorkloads(
      [workload(), withRecord('kv/web/api@3,kv/web/db@6'), withRecord('kv/web/api@3,kv/web/db@7')],
      statuses(ok('kv/web/db', 7), ok('kv/web/api', 3)),
    );
    expect(summarize(all)).toEqual({ workloads: 3, restart: 1, record: 1, blocked: 0, unchanged: 1 });
  });
});
