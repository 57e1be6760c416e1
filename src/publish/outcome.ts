/**
 * What a publish stage reports back, whatever the mode: the commit it pushed, the pull (merge) request it
 * opened or updated, and the problems it met. Neither stage writes into the run report it was given; the
 * command joins this outcome to the plan once, with {@link reportWith}.
 */
import type { Problem, RunReport } from '../core/model.js';

export interface Published {
  /** The pushed commit (base branch or request branch), or null. */
  commit: string | null;
  /** The request the run opened, updated or left open, or null. */
  pullRequest: RunReport['pullRequest'];
  /** Problems of the publish stage itself (a person's commit on the branch, a label refused, ...). */
  problems: Problem[];
}

/**
 * Nothing published and nothing to report: a new record each time, since a caller may add problems to
 * the one it got, and a long-lived `watch` publishes many times in one process.
 */
export function nothingPublished(): Published {
  return { commit: null, pullRequest: null, problems: [] };
}

/**
 * The plan with what publishing it did: a new report, the plan left as it was.
 * @example
 * return { report: reportWith(plan, { commit, pullRequest: null, problems: [] }) };
 */
export function reportWith(plan: RunReport, published: Published): RunReport {
  return {
    ...plan,
    commit: published.commit,
    pullRequest: published.pullRequest,
    problems: [...plan.problems, ...published.problems],
  };
}
