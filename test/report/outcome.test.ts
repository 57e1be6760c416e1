/** The publish outcome: a record of nothing published is never shared between runs. */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/core/config/schema.js';
import type { Problem, RunReport } from '../../src/core/model.js';
import type { Logger, Workspace } from '../../src/core/ports.js';
import { nothingPublished, reportWith } from '../../src/publish/outcome.js';
import { publishPullRequest } from '../../src/publish/pull-request.js';

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const problem: Problem = { file: 'vault-rollout/main', severity: 'warning', message: 'a label was refused' };

describe('nothingPublished', () => {
  it('is a new record each time: a problem added to one run is not in the next', () => {
    const first = nothingPublished();
    first.problems.push(problem);
    const second = nothingPublished();
    expect(second).toEqual({ commit: null, pullRequest: null, problems: [] });
    expect(second.problems).not.toBe(first.problems);
  });

  it('two dry-run pull-request steps without a forge do not share their problems', async () => {
    const step = () =>
      publishPullRequest({
        ws: { branch: 'main' } as Workspace,
        report: {} as RunReport,
        config: defaultConfig(),
        author: { name: 'bot', email: 'bot@example.invalid' },
        dryRun: true,
        logger: quiet,
        forge: null,
      });
    const first = await step();
    if (first.moved) throw new Error('a dry run does not move');
    first.result.problems.push(problem);
    const second = await step();
    if (second.moved) throw new Error('a dry run does not move');
    expect(second.result).toMatchObject({ outcome: 'dry-run', branch: 'vault-rollout/main', problems: [] });
  });

  it('joined to a plan, adds no problem and leaves the plan as it was', () => {
    const plan = { problems: [problem], commit: null, pullRequest: null } as unknown as RunReport;
    const report = reportWith(plan, nothingPublished());
    expect(report.problems).toEqual([problem]);
    expect(report.problems).not.toBe(plan.problems);
    expect(plan.problems).toEqual([problem]);
  });
});
