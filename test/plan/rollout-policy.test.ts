/** Rollout safety: the cap on restarts per run, the windows in IANA time zones, and what is never held back. */
import { describe, expect, it } from 'vitest';
import type { PlannedWorkload, SecretStatus, Workload } from '../../src/core/model.js';
import { parseConfig } from '../../src/core/config/schema.js';
import { buildChanges } from '../../src/core/plan/changes.js';
import { planWorkloads, summarize } from '../../src/core/plan/plan.js';
import {
  deferRestarts,
  inWindow,
  restartOrder,
  wallClock,
  type RolloutConfig,
} from '../../src/core/plan/rollout-policy.js';
import { parseRecord } from '../../src/core/record.js';
import { podTargets } from '../../src/core/discover/workloads.js';
import { shippedTemplates } from '../../src/core/config/templates.js';
import { readTemplate } from '../../src/adapters/templates.js';
import { renderCommitMessage } from '../../src/core/report/commit-message.js';
import { renderPullRequest } from '../../src/core/report/pr-body.js';
import { escapeMarkdown, render } from '../../src/core/report/render.js';

const rollout = (yaml: string): RolloutConfig => parseConfig(yaml, 'c.yaml').rollout;

function deployment(name: string, path: string, recorded: number | null): Workload {
  const raw = recorded === null ? null : `${path}@${recorded}`;
  return {
    file: `apps/${name}.yaml`,
    document: 0,
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    name,
    namespace: 'prod',
    labels: {},
    ...podTargets(['spec', 'template']),
    chartValue: null,
    secrets: [{ path, source: 'annotation', via: 'vault-rollout/secrets' }],
    recorded: raw === null ? null : parseRecord(raw),
    recordedRaw: raw,
    templateRaw: raw,
    updateStrategy: null,
    replicas: 1,
  };
}

const manifest = (name: string, raw: string | null) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${raw === null ? '' : `  annotations:\n    vault-rollout/secret-versions: ${raw}\n`}spec:
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: app
          image: app:1
`;

/**
 * Workload `w<i>` depends on `kv/s<i>`, recorded at 1 and now at 2, updated at the given times (ISO, or
 * null); `adopt` names workloads with no record yet.
 */
function scenario(times: (string | null)[], adopt: number[] = []) {
  const workloads = times.map((_, i) => deployment(`w${i}`, `kv/s${i}`, adopt.includes(i) ? null : 1));
  const statuses = new Map<string, SecretStatus>(
    times.map((t, i) => [`kv/s${i}`, { state: 'ok', path: `kv/s${i}`, current: 2, updatedTime: t }]),
  );
  return { workloads, planned: planWorkloads(workloads, statuses) };
}

const names = (list: readonly PlannedWorkload[]) => list.map((p) => p.workload.name);
const byAction = (planned: readonly PlannedWorkload[], action: string) =>
  names(planned.filter((p) => p.action === action));

describe('rollout.maxRestartsPerRun', () => {
  it('keeps the oldest changes and defers the rest, with the reason, no record, no trigger, no pin', () => {
    const { planned } = scenario([
      '2026-11-03T00:00:00Z',
      '2026-11-01T00:00:00Z',
      null, // no update time: after every known one
      '2026-11-02T00:00:00Z',
      '2026-11-01T00:00:00.000000002Z',
      '2026-11-01T00:00:00.000000001Z', // Vault's nanoseconds keep two writes of one millisecond apart
    ]);
    const deferred = deferRestarts(planned, rollout('rollout: { maxRestartsPerRun: 2 }'), new Date());
    expect(byAction(planned, 'restart')).toEqual(['w1', 'w5']);
    expect(names(deferred)).toEqual(['w4', 'w3', 'w0', 'w2']);
    for (const p of deferred) {
      expect(p.action).toBe('deferred');
      expect(p.newValue).toBeNull();
      expect(p.pins).toEqual([]);
      expect(p.reasons).toEqual([
        'rollout.maxRestartsPerRun is 2: 2 older change(s) go first (6 pending); a later run restarts it',
      ]);
    }
    expect(summarize(planned)).toMatchObject({ restart: 2, deferred: 4 });
  });

  it('a deferred workload gets no edit: its file keeps its bytes', () => {
    const { planned } = scenario(['2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z']);
    deferRestarts(planned, rollout('rollout: { maxRestartsPerRun: 1 }'), new Date());
    const texts = new Map([
      ['apps/w0.yaml', manifest('w0', 'kv/s0@1')],
      ['apps/w1.yaml', manifest('w1', 'kv/s1@1')],
    ]);
    const { changes } = buildChanges(planned, texts, 'vault-rollout');
    expect(changes.map((c) => c.path)).toEqual(['apps/w0.yaml']);
    expect(changes[0]!.after).toContain('vault-rollout/secret-versions: kv/s0@2');
  });

  it('equal times fall back to a stable key, so every run defers the same workloads', () => {
    const same = Array.from({ length: 6 }, () => '2026-11-01T00:00:00Z');
    const first = scenario(same).planned;
    const reversed = [...scenario(same).planned].reverse();
    expect(names(restartOrder(first))).toEqual(names(restartOrder(reversed)));
    expect(names(restartOrder(first))).toEqual(['w0', 'w1', 'w2', 'w3', 'w4', 'w5']);
  });

  it('adoption is never deferred and takes no place under the cap', () => {
    const { planned } = scenario(
      ['2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', '2026-11-03T00:00:00Z', '2026-11-04T00:00:00Z'],
      [0, 1],
    );
    deferRestarts(planned, rollout('rollout: { maxRestartsPerRun: 1 }'), new Date());
    expect(byAction(planned, 'record')).toEqual(['w0', 'w1']);
    expect(byAction(planned, 'restart')).toEqual(['w2']);
    expect(byAction(planned, 'deferred')).toEqual(['w3']);
  });

  it('10 rotations under a cap of 4 are restarted 4, 4, 2 over three runs', () => {
    const times = Array.from({ length: 10 }, (_, i) => `2026-11-0${(i % 9) + 1}T00:00:00Z`);
    const recorded = new Map<number, number>(times.map((_, i) => [i, 1]));
    const counts: number[] = [];
    for (let run = 0; run < 4; run++) {
      const workloads = times.map((_, i) => deployment(`w${i}`, `kv/s${i}`, recorded.get(i)!));
      const statuses = new Map<string, SecretStatus>(
        times.map((t, i) => [`kv/s${i}`, { state: 'ok', path: `kv/s${i}`, current: 2, updatedTime: t }]),
      );
      const planned = planWorkloads(workloads, statuses);
      deferRestarts(planned, rollout('rollout: { maxRestartsPerRun: 4 }'), new Date());
      planned.forEach((p, i) => p.action === 'restart' && recorded.set(i, 2));
      counts.push(planned.filter((p) => p.action === 'restart').length);
    }
    expect(counts).toEqual([4, 4, 2, 0]);
  });

  it('no limit configured: nothing deferred', () => {
    const { planned } = scenario(['2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z']);
    expect(deferRestarts(planned, rollout(''), new Date())).toEqual([]);
    expect(byAction(planned, 'restart')).toEqual(['w0', 'w1']);
  });
});

describe('rollout.windows', () => {
  const weekdays = rollout(
    'rollout:\n  windows: [{ days: [mon, tue, wed, thu], from: "09:00", to: "16:00", timezone: Europe/Berlin }]\n',
  );

  it('outside every window all restarts are deferred (adoption still written)', () => {
    const { planned } = scenario(['2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', null], [2]);
    // Saturday 2026-12-05, 11:00 in Berlin
    const deferred = deferRestarts(planned, weekdays, new Date('2026-12-05T10:00:00Z'));
    expect(names(deferred)).toEqual(['w0', 'w1']);
    expect(byAction(planned, 'record')).toEqual(['w2']);
    expect(deferred[0]!.reasons).toEqual([
      'outside rollout.windows (now sat 11:00 Europe/Berlin; windows: mon,tue,wed,thu 09:00-16:00 Europe/Berlin): a run inside a window restarts it',
    ]);
  });

  it('inside a window the cap still applies', () => {
    const { planned } = scenario(['2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z']);
    const config = { ...weekdays, maxRestartsPerRun: 1 };
    // Monday 2026-12-07, 10:00 in Berlin (CET, UTC+1)
    deferRestarts(planned, config, new Date('2026-12-07T09:00:00Z'));
    expect(byAction(planned, 'restart')).toEqual(['w0']);
    expect(byAction(planned, 'deferred')).toEqual(['w1']);
  });

  it('from is included, to is excluded, the day is the zone’s day', () => {
    const [w] = weekdays.windows;
    expect(inWindow(w!, new Date('2026-12-07T08:00:00Z'))).toBe(true); // Mon 09:00 CET
    expect(inWindow(w!, new Date('2026-12-07T07:59:00Z'))).toBe(false); // Mon 08:59
    expect(inWindow(w!, new Date('2026-12-07T14:59:00Z'))).toBe(true); // Mon 15:59
    expect(inWindow(w!, new Date('2026-12-07T15:00:00Z'))).toBe(false); // Mon 16:00
    // Thursday 23:30 UTC is already Friday in Tokyo
    const tokyo = rollout(
      'rollout:\n  windows: [{ days: [thu], from: "00:00", to: "24:00", timezone: Asia/Tokyo }]\n',
    ).windows[0]!;
    expect(inWindow(tokyo, new Date('2026-12-10T14:00:00Z'))).toBe(true); // Thu 23:00 JST
    expect(inWindow(tokyo, new Date('2026-12-10T15:00:00Z'))).toBe(false); // Fri 00:00 JST
    expect(inWindow(tokyo, new Date('2026-12-09T15:00:00Z'))).toBe(true); // Thu 00:00 JST
  });

  it('daylight saving: the skipped spring hour is never in a window, the repeated autumn hour is, twice', () => {
    const night = rollout(
      'rollout:\n  windows: [{ days: [sun], from: "02:00", to: "03:00", timezone: Europe/Berlin }]\n',
    ).windows[0]!;
    // 2026-03-29: clocks jump from 02:00 CET to 03:00 CEST at 01:00 UTC.
    expect(wallClock(new Date('2026-03-29T00:59:00Z'), 'Europe/Berlin')).toEqual({
      day: 'sun',
      time: '01:59',
    });
    expect(wallClock(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toEqual({
      day: 'sun',
      time: '03:00',
    });
    for (let m = 0; m < 24 * 60; m += 15) {
      const at = new Date(Date.UTC(2026, 2, 28, 22, m));
      expect(inWindow(night, at)).toBe(false);
    }
    // 2026-10-25: 03:00 CEST goes back to 02:00 CET at 01:00 UTC; 02:30 happens at 00:30 and 01:30 UTC.
    expect(inWindow(night, new Date('2026-10-25T00:30:00Z'))).toBe(true);
    expect(inWindow(night, new Date('2026-10-25T01:30:00Z'))).toBe(true);
    expect(inWindow(night, new Date('2026-10-25T02:00:00Z'))).toBe(false); // 03:00 CET
    expect(inWindow(night, new Date('2026-10-24T23:59:00Z'))).toBe(false); // 01:59 CEST
    // A window in New York the same way: 2026-03-08 02:00 EST → 03:00 EDT at 07:00 UTC.
    expect(wallClock(new Date('2026-03-08T07:00:00Z'), 'America/New_York')).toEqual({
      day: 'sun',
      time: '03:00',
    });
  });

  it('any of several windows opens the run (two windows cross midnight)', () => {
    const config = rollout(
      'rollout:\n  windows:\n    - { days: [fri], from: "22:00", to: "24:00" }\n    - { days: [sat], from: "00:00", to: "02:00" }\n',
    );
    const { planned } = scenario(['2026-11-01T00:00:00Z']);
    expect(deferRestarts(planned, config, new Date('2026-12-05T01:00:00Z'))).toEqual([]); // Sat 01:00 UTC
    const again = scenario(['2026-11-01T00:00:00Z']).planned;
    expect(names(deferRestarts(again, config, new Date('2026-12-05T02:00:00Z')))).toEqual(['w0']);
  });
});

describe('deferred workloads in every output', () => {
  it('JSON, table, Markdown, the commit message and the pull-request body name them with the reason', () => {
    const { planned } = scenario(['2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z']);
    deferRestarts(planned, rollout('rollout: { maxRestartsPerRun: 1 }'), new Date());
    const reason =
      'rollout.maxRestartsPerRun is 1: 1 older change(s) go first (2 pending); a later run restarts it';
    const report = {
      branch: 'main',
      workloads: planned,
      summary: summarize(planned),
      problems: [],
      changes: [],
      commit: null,
      pullRequest: null,
    };
    const json = JSON.parse(render(report, 'json'));
    expect(json.summary).toMatchObject({ restart: 1, deferred: 1 });
    expect(json.workloads[1]).toMatchObject({ name: 'w1', action: 'deferred', reasons: [reason] });
    expect(render(report, 'table', { width: 400 })).toContain(
      `deferred Deployment/w1 (apps/w1.yaml): ${reason}`,
    );
    expect(render(report, 'markdown')).toContain(`- **Deferred** Deployment/w1: ${escapeMarkdown(reason)}`);
    const templates = shippedTemplates(readTemplate);
    const message = renderCommitMessage(templates.commitMessage, planned)!;
    expect(message).toContain(`Left as they are:\nDeployment/w1 (prod), apps/w1.yaml: deferred\n  ${reason}`);
    expect(message).toContain('Vault-Secret: kv/s0 1 -> 2');
    expect(message).not.toContain('kv/s1 1 -> 2');
    const { body } = renderPullRequest(
      { title: templates.pullRequestTitle, body: templates.pullRequestBody },
      report,
      { base: 'main', branch: 'vault-rollout/main', annotationPrefix: 'vault-rollout' },
    );
    expect(body).toContain('1 restart deferred to a later run.');
    expect(body).toMatch(/\| \*\*w1\*\* \|.*\| deferred: rollout\.maxRestartsPerRun is 1/);
  });
});
