import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunReport, SecretStatus, Workload } from '../../src/core/model.js';
import { planWorkloads, summarize } from '../../src/core/plan/plan.js';
import { parseRecord } from '../../src/core/record.js';
import { renderCommitMessage, secretTrailers } from '../../src/core/report/commit-message.js';
import { escapeMarkdown, toDiff, toJson, toMarkdown, toTable } from '../../src/core/report/render.js';
import { podTargets } from '../../src/core/discover/workloads.js';

const template = {
  file: 'templates/commit-message.liquid',
  text: readFileSync(new URL('../../templates/commit-message.liquid', import.meta.url), 'utf8'),
};

function wl(
  name: string,
  recorded: string | null,
  paths: string[],
  kind: Workload['kind'] = 'Deployment',
): Workload {
  return {
    file: `apps/${name}.yaml`,
    document: 0,
    kind,
    apiVersion: 'apps/v1',
    name,
    namespace: 'prod',
    labels: {},
    ...podTargets(['spec', 'template']),
    chartValue: null,
    secrets: paths.map((path) => ({ path, source: 'annotation' as const, via: 'vault-rollout/secrets' })),
    recorded: recorded === null ? null : parseRecord(recorded),
    recordedRaw: recorded,
    templateRaw: null,
    updateStrategy: null,
    replicas: 1,
  };
}

const st = (path: string, current: number): SecretStatus => ({
  state: 'ok',
  path,
  current,
  updatedTime: '2026-11-20T10:00:00.123456789Z',
});
const statuses = new Map<string, SecretStatus>([
  ['kv/web/db', st('kv/web/db', 7)],
  ['kv/web/api', st('kv/web/api', 3)],
  ['kv/gone', { state: 'missing', path: 'kv/gone' }],
]);

function report(): RunReport {
  const planned = planWorkloads(
    [
      wl('web', 'kv/web/api@3,kv/web/db@6', ['kv/web/db', 'kv/web/api']),
      wl('new', null, ['kv/web/db']),
      wl('broken', 'kv/gone@1', ['kv/gone']),
    ],
    statuses,
  );
  return {
    branch: 'main',
    workloads: planned,
    summary: summarize(planned),
    problems: [
      {
        file: 'apps/bad.yaml',
        severity: 'warning',
        message: 'not valid YAML: bad indentation (line 3)',
        line: 3,
      },
    ],
    changes: [{ path: 'apps/web.yaml', before: 'a: 1\nb: 2\n', after: 'a: 1\nb: 3\n' }],
    commit: null,
    pullRequest: null,
  };
}

describe('JSON report', () => {
  it('has exactly the fields SPEC lists', () => {
    const json = toJson(report()) as { workloads: Record<string, unknown>[]; summary: unknown };
    expect(Object.keys(json)).toEqual([
      'branch',
      'workloads',
      'summary',
      'problems',
      'commit',
      'pullRequest',
    ]);
    expect(json.workloads[0]).toEqual({
      file: 'apps/web.yaml',
      document: 0,
      kind: 'Deployment',
      name: 'web',
      namespace: 'prod',
      secrets: [
        {
          path: 'kv/web/db',
          source: 'annotation',
          recorded: 6,
          current: 7,
          state: 'outdated',
          updatedTime: '2026-11-20T10:00:00.123456789Z',
        },
        {
          path: 'kv/web/api',
          source: 'annotation',
          recorded: 3,
          current: 3,
          state: 'up-to-date',
          updatedTime: '2026-11-20T10:00:00.123456789Z',
        },
      ],
      action: 'restart',
    });
    expect(json.workloads[2]).toMatchObject({
      action: 'blocked',
      reasons: ['kv/gone: not found in Vault (404)'],
    });
    expect(json.summary).toEqual({ workloads: 3, restart: 1, record: 1, blocked: 1, unchanged: 0 });
  });
});

describe('table and markdown', () => {
  it('lists one row per workload, its secrets summarised, then the blocked reason and problems', () => {
    const text = toTable(report());
    expect(text).toMatch(/^WORKLOAD\s+NAMESPACE\s+FILE\s+SECRETS\s+ACTION$/m);
    expect(text).toMatch(
      /^Deployment\/web\s+prod\s+apps\/web\.yaml\s+1 of 2 changed: kv\/web\/db 6→7\s+restart$/m,
    );
    expect(text).toMatch(/^Deployment\/new\s+prod\s+apps\/new\.yaml\s+unrecorded: kv\/web\/db\s+record$/m);
    expect(text).toMatch(/^Deployment\/broken\s+prod\s+apps\/broken\.yaml\s+missing: kv\/gone\s+blocked$/m);
    // One row per workload: the unchanged kv/web/api has no row of its own.
    expect(text).not.toMatch(/^\S+\s+prod\s+\S+\s+kv\/web\/api/m);
    expect(text).toContain(
      'blocked  Deployment/broken (apps/broken.yaml): kv/gone: not found in Vault (404)',
    );
    expect(text).toContain('warning apps/bad.yaml:3: not valid YAML');
    expect(text).toContain('3 workload(s): 1 restart, 1 record only, 1 blocked, 0 unchanged');
  });

  it("--wide: one row per secret, every column in full, the action on the workload's first row only", () => {
    const text = toTable(report(), { wide: true });
    expect(text).toMatch(
      /^WORKLOAD\s+NAMESPACE\s+FILE\s+SECRET\s+SOURCE\s+RECORDED\s+CURRENT\s+STATE\s+ACTION$/m,
    );
    expect(text).toMatch(
      /^Deployment\/web\s+prod\s+apps\/web\.yaml\s+kv\/web\/db\s+annotation\s+6\s+7\s+outdated\s+restart$/m,
    );
    expect(text).toMatch(/^\s+kv\/web\/api\s+annotation\s+3\s+3\s+up-to-date$/m);
  });

  it('fits the width it is given, cutting cells with … and wrapping notes', () => {
    const long = report();
    long.workloads[0]!.workload.name = 'a-very-long-deployment-name-that-goes-on-and-on-and-on';
    long.workloads[0]!.workload.file =
      'clusters/production/europe-west/apps/payments/api/a-deployment-file-with-a-long-name.yaml';
    for (const width of [80, 100, 120]) {
      const lines = toTable(long, { width }).trimEnd().split('\n');
      expect(lines.filter((l) => l.length > width)).toEqual([]);
      expect(lines.some((l) => l.includes('…'))).toBe(true);
    }
    // Without a width nothing is cut.
    expect(toTable(long, { width: null })).toContain(
      'Deployment/a-very-long-deployment-name-that-goes-on-and-on-and-on',
    );
  });

  it('escapes Markdown in every cell', () => {
    expect(escapeMarkdown('a|b *c* <script>')).toBe('a\\|b \\*c\\* \\<script\\>');
    const md = toMarkdown(report());
    expect(md).toContain(
      '| Deployment/web | prod | apps/web.yaml | kv/web/db | 6 → 7 | outdated | rolling restart |',
    );
  });

  it('prints a git-style unified diff', () => {
    expect(toDiff(report().changes)).toBe(
      '--- a/apps/web.yaml\n+++ b/apps/web.yaml\n@@ -1,2 +1,2 @@\n a: 1\n-b: 2\n+b: 3\n',
    );
  });
});

describe('commit message', () => {
  it('says how many workloads restart, lists old -> new, and ends with one trailer per changed secret', () => {
    const msg = renderCommitMessage(template, report().workloads);
    expect(msg).toBe(
      [
        'vault-rollout: restart 1 workload for rotated Vault secrets, record 1',
        '',
        'Rotated secrets changed the pod template of these workloads; Argo CD or Flux',
        'rolls them out when this commit is applied.',
        '',
        'Deployment/web (prod), apps/web.yaml: rolling restart',
        '  kv/web/db: 6 -> 7',
        '',
        'Versions recorded, no restart:',
        '.: 1 workload',
        '  apps/new.yaml',
        '',
        'Left as they are:',
        'Deployment/broken (prod), apps/broken.yaml: blocked',
        '  kv/gone: not found in Vault (404)',
        '',
        'Vault-Secret: kv/web/db 6 -> 7',
        'Vault-Secret: kv/web/db none -> 7',
        '',
      ].join('\n'),
    );
  });

  it('writes an adoption message with a trailer per recorded secret, and nothing when nothing changes', () => {
    const planned = planWorkloads(
      [wl('new', null, ['kv/web/db']), wl('other', null, ['kv/web/api'])],
      statuses,
    );
    const msg = renderCommitMessage(template, planned) ?? '';
    expect(msg.split('\n')[0]).toBe('vault-rollout: record Vault secret versions of 2 workloads');
    // An adoption changes the recorded versions too: `git log --grep` finds it.
    expect(secretTrailers(planned)).toEqual([
      'Vault-Secret: kv/web/api none -> 3',
      'Vault-Secret: kv/web/db none -> 7',
    ]);
    expect(msg.trimEnd().split('\n').slice(-2)).toEqual(secretTrailers(planned));
    const same = planWorkloads([wl('web', 'kv/web/api@3', ['kv/web/api'])], statuses);
    expect(renderCommitMessage(template, same)).toBeNull();
  });

  it('files changed with no record or restart (a layer losing a removed app): a fixed message listing them', () => {
    const same = planWorkloads([wl('web', 'kv/web/api@3', ['kv/web/api'])], statuses);
    const changes = [
      { path: 'clusters/prod/web/vault-rollout/patches.yaml', before: 'a', after: 'b' },
      { path: 'clusters/dev/web/vault-rollout/kustomization.yaml', before: 'a', after: 'b' },
      { path: 'clusters/dev/unchanged.yaml', before: 'same', after: 'same' },
    ];
    const msg = renderCommitMessage(template, same, changes) ?? '';
    expect(msg.split('\n')[0]).toBe('vault-rollout: tidy generated layers (no restart)');
    expect(msg).toContain(
      '- clusters/dev/web/vault-rollout/kustomization.yaml\n- clusters/prod/web/vault-rollout/patches.yaml',
    );
    expect(msg).not.toContain('unchanged.yaml');
    expect(msg).not.toContain('Vault-Secret:');
    // Nothing that really changes: still no commit.
    expect(renderCommitMessage(template, same, changes.slice(2))).toBeNull();
  });
});

describe('commit message for a large adoption', () => {
  it('counts adoptions per root and lists their files, not one paragraph per workload', () => {
    const many = Array.from({ length: 105 }, (_, i) => ({
      ...wl(`w${String(i).padStart(3, '0')}`, null, ['kv/web/db']),
      root: i < 60 ? 'clusters/prod-eu' : 'clusters/prod-us',
      environment: 'prod',
    }));
    const msg = renderCommitMessage(template, planWorkloads(many, statuses)) ?? '';
    const lines = msg.trimEnd().split('\n');
    expect(lines[0]).toBe('vault-rollout(prod): record Vault secret versions of 105 workloads');
    expect(lines).toContain('clusters/prod-eu: 60 workloads');
    expect(lines).toContain('clusters/prod-us: 45 workloads');
    expect(lines).toContain('  apps/w099.yaml');
    expect(msg).not.toContain('Deployment/');
    // at most 100 files in all (roots in order), the rest counted under their root
    expect(lines).not.toContain('  apps/w100.yaml');
    expect(lines.indexOf('  ... and 5 more files (see the diff)')).toBe(lines.indexOf('  apps/w099.yaml') + 1);
    // one line per listed file and per root, one trailer: the subject, 2 text lines, 2 roots, 100 files
    expect(lines.at(-1)).toBe('Vault-Secret: prod:kv/web/db none -> 7');
    expect(lines.length).toBeLessThan(100 + 15);
  });

  it('a restart names its environment in the subject when the run has one', () => {
    const one = [{ ...wl('web', 'kv/web/db@6', ['kv/web/db']), environment: 'prod', root: 'clusters/prod' }];
    const msg = renderCommitMessage(template, planWorkloads(one, statuses)) ?? '';
    expect(msg.split('\n')[0]).toBe('vault-rollout(prod): restart 1 workload for rotated Vault secrets');
    const two = [...one, { ...one[0]!, environment: 'dev', root: 'clusters/dev' }];
    expect((renderCommitMessage(template, planWorkloads(two, statuses)) ?? '').split('\n')[0]).toBe(
      'vault-rollout: restart 2 workloads for rotated Vault secrets',
    );
  });
});
