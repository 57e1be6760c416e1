/**
 * Workload names, namespaces and secret paths in a Slack message come from the manifests. Inside a code span
 * `<`/`>`/`&` were escaped, but a backtick in a name closed the span early: the rest of the name was then
 * Slack markup (bold, strike, and a bare URL Slack turns into a link) in a message posted as the bot.
 */
import { describe, expect, it } from 'vitest';
import type { PlannedWorkload, RunReport } from '../../src/core/model.js';
import { slackPayload } from '../../src/core/report/notify-payload.js';

function workload(name: string, namespace: string): PlannedWorkload {
  return {
    workload: { file: 'apps/x.yaml', document: 0, kind: 'Deployment', name, namespace, environment: null },
    secrets: [
      {
        path: 'kv/app/db',
        source: 'annotation',
        via: 'vault-rollout/secrets',
        recorded: 1,
        current: 2,
        state: 'outdated',
        updatedTime: null,
      },
    ],
    action: 'restart',
    pins: [],
    reasons: [],
    warnings: [],
    newValue: null,
  } as unknown as PlannedWorkload;
}

describe('slack payload: names from manifests stay inside their code span', () => {
  it('a backtick in a name or namespace cannot end the span and add markup or a link', () => {
    const report: RunReport = {
      branch: 'main',
      workloads: [workload('api` *urgent* https://evil.example/login `x', 'prod`_x_`')],
      summary: { workloads: 1, restart: 1, record: 0, blocked: 0, unchanged: 0 },
      problems: [],
      changes: [],
      commit: 'abc123def4567890',
      pullRequest: null,
    };
    const body = slackPayload({
      report,
      published: true,
      environment: null,
      repository: 'https://git.example.com/acme/deploy.git',
      error: null,
    });
    const text = (body.blocks[1] as { text: { text: string } }).text.text;
    const line = text.split('\n')[1]!;
    // Every code span opened is closed, and the hostile text sits inside one.
    const spans = [...line.matchAll(/`([^`]*)`/g)].map((m) => m[1]!);
    expect(line.replace(/`[^`]*`/g, '')).not.toMatch(/evil|urgent|_x_/);
    expect(spans.join(' ')).toContain('https://evil.example/login');
    expect(spans.join(' ')).toContain('*urgent*');
  });
});
