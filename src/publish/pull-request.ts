/**
 * `apply --mode pr`: with the plan made on the base head, put every edit in one commit on top of it, force-push
 * that commit to the stable branch `vault-rollout/<base>`, and create or update the pull request in place.
 *
 * The branch is ours only while it holds exactly one commit that vault-rollout made: one parent, our
 * identity as author and committer, and a `Vault-Rollout-Branch: <branch>` trailer. Anything else (a
 * person's commit on top, an amend, GitHub's "Update branch" merge) is never overwritten: the branch is
 * left alone, the pull request gets one comment, and the run reports it (never overwritten). The push is a
 * compare-and-swap on the head that was checked, so a commit pushed during the run is safe too.
 *
 * When nothing is pending any more (merged, or bumped by hand on the base), an open pull request is closed
 * with a comment and the branch deleted.
 *
 * With `pullRequest.apiCommits` (or `--api-commits`) the branch commit is made through the GitHub Git Data API
 * instead (src/publish/api-commits.ts): GitHub signs it with the token's identity, so it shows as verified. Such a
 * commit carries GitHub's identity, not the configured one, so ownership has a second rule (see
 * {@link isOwnBranchCommit}): one parent, our trailer, verified by GitHub, and authored by the identity
 * GitHub gives this token's API commits (learned from the commit this run makes, else from a probe commit
 * that is on no branch). Either rule is accepted in either mode, so switching modes keeps the branch ours.
 */
import type { Config } from '../core/config/schema.js';
import { GitError } from '../core/errors.js';
import type { Problem, RunReport } from '../core/model.js';
import type { Logger, Workspace } from '../core/ports.js';
import { renderCommitMessage } from '../core/report/commit-message.js';
import { renderPullRequest } from '../core/report/pr-body.js';
import { readTemplate } from '../adapters/templates.js';
import { shippedTemplates, type MessageTemplates } from '../core/config/templates.js';
import {
  GitHubError,
  GitHubGitData,
  GitHubPulls,
  type GitHubConnection,
  type PullRequestInfo,
  type RepositoryRef,
} from '../adapters/github/index.js';
import { ApiCommitWorkspace, type ApiIdentity, type BranchHead } from './api-commits.js';
import { outgoing } from './outgoing.js';
import type { PublishStep } from '../pipeline.js';

/** Hidden marker of the one comment about commits a person pushed to the branch. */
export const FOREIGN_COMMIT_MARKER = '<!-- vault-rollout:foreign-commit -->';
/** Trailer that marks the branch commit as vault-rollout's own. */
export const BRANCH_TRAILER = 'Vault-Rollout-Branch';

export type PullRequestOutcome =
  /** Branch pushed, pull request opened. */
  | 'created'
  /** Branch pushed and/or title/body updated in place. */
  | 'updated'
  /** The branch and the pull request already say exactly this: no push, no API write. */
  | 'unchanged'
  /** Nothing pending any more: stale pull request closed and/or branch deleted. */
  | 'closed'
  /** Nothing pending and nothing to clean up. */
  | 'none'
  /** A person's commit is on the branch: left alone, reported. */
  | 'left-alone'
  | 'dry-run';

export interface PullRequestRunOptions {
  /** The opened base branch. */
  ws: Workspace;
  /** The plan made on `ws.head` (the pipeline's loop plans; this stage never does). */
  report: RunReport;
  config: Config;
  /** Author and committer of the branch commit. */
  author: { name: string; email: string };
  dryRun: boolean;
  logger: Logger;
  /**
   * The GitHub connection built once at the composition root, and the repository of the pull request;
   * null only in a dry run without GitHub credentials.
   */
  github: { gh: GitHubConnection; repository: RepositoryRef } | null;
  /** Make the branch commit through the GitHub API (default: `config.pullRequest.apiCommits`). */
  apiCommits?: boolean | undefined;
  /** Commit time (default: now). */
  clock?: () => Date;
  /** `--environment NAME`: the plan covers only that environment's roots; the branch is `vault-rollout/<base>/<NAME>`. */
  environment?: string | undefined;
  /** Commit message and pull-request templates (default: the shipped ones in templates/). */
  templates?: MessageTemplates | undefined;
}

export interface PullRequestResult {
  report: RunReport;
  outcome: PullRequestOutcome;
  /** The pull-request branch, e.g. `vault-rollout/main`. */
  branch: string;
  /** Whether this run pushed the branch (or moved it through the API). */
  pushed: boolean;
  /** Whether the branch commit is made through the GitHub API. */
  apiCommits: boolean;
  /** GitHub API requests sent (retries included). */
  apiRequests: number;
}

/**
 * `vault-rollout/<base>`, or `vault-rollout/<base>/<environment>` for a run limited to one environment, so
 * each cluster's cron job keeps its own pull request.
 */
export function pullRequestBranch(base: string, environment?: string): string {
  return environment ? `vault-rollout/${base}/${environment}` : `vault-rollout/${base}`;
}

/** Appends the branch trailer to the message's trailer block (or starts one). */
export function withBranchTrailer(message: string, branch: string): string {
  const trimmed = message.replace(/\s+$/, '');
  const cut = trimmed.lastIndexOf('\n\n');
  const last = cut === -1 ? '' : trimmed.slice(cut + 2);
  const isTrailers = last !== '' && last.split('\n').every((l) => /^[A-Za-z][A-Za-z0-9-]*: /.test(l));
  return `${trimmed}${isTrailers ? '\n' : '\n\n'}${BRANCH_TRAILER}: ${branch}\n`;
}

const sameIdentity = (a: { name: string; email: string }, b: { name: string; email: string }) =>
  a.name.trim() === b.name.trim() && a.email.trim().toLowerCase() === b.email.trim().toLowerCase();

/** Email of GitHub's own committer identity (`GitHub <noreply@github.com>`, the "web-flow" key). */
export const GITHUB_WEB_FLOW_EMAIL = 'noreply@github.com';

/** One parent and the `Vault-Rollout-Branch: <branch>` trailer: the shape of every commit vault-rollout makes. */
export function hasOwnShape(head: { parents: string[]; message: string }, branch: string): boolean {
  const trailer = new RegExp(`^${BRANCH_TRAILER}: ${branch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm');
  return head.parents.length === 1 && trailer.test(head.message);
}

/**
 * True when `head` is the one commit vault-rollout makes on `branch`. It must have one parent and the
 * `Vault-Rollout-Branch: <branch>` trailer, and either
 * - (git push) the configured identity as author and committer, or
 * - (GitHub API, when `apiIdentity` is given) GitHub's verdict `verification.verified: true`, `apiIdentity`
 *   as author (the identity GitHub puts on commits this token creates through the API: `<slug>[bot]` for an
 *   App, the user for a personal token), and as committer that identity or GitHub's own
 *   (`noreply@github.com`).
 *
 * What a person does to the branch fails both: an amend or rebase makes them the committer and drops
 * GitHub's signature; a web-UI edit is their own commit (their author, usually no trailer) on top of ours;
 * "Update branch" is a merge (two parents).
 */
export function isOwnBranchCommit(
  head: BranchHead,
  branch: string,
  author: { name: string; email: string },
  apiIdentity: ApiIdentity | null = null,
): boolean {
  if (!hasOwnShape(head, branch)) return false;
  if (sameIdentity(head.author, author) && sameIdentity(head.committer, author)) return true;
  return (
    apiIdentity !== null &&
    head.verified === true &&
    sameIdentity(head.author, apiIdentity) &&
    (sameIdentity(head.committer, apiIdentity) ||
      head.committer.email.trim().toLowerCase() === GITHUB_WEB_FLOW_EMAIL)
  );
}

function foreignComment(branch: string, head: BranchHead): string {
  return [
    FOREIGN_COMMIT_MARKER,
    `vault-rollout found a commit on \`${branch}\` that it did not make (\`${head.oid.slice(0, 12)}\`), so it will not ` +
      'overwrite this branch or update this pull request any more.',
    '',
    'To hand the branch back, merge or close this pull request, or delete the branch: the next run rebuilds it from the base.',
  ].join('\n');
}

function closeComment(base: string, branch: string): string {
  return [
    `vault-rollout: nothing is pending on \`${base}\` any more: the recorded secret versions already match Vault ` +
      '(this change was merged, or someone updated the annotations by hand).',
    '',
    `Closing this pull request and deleting \`${branch}\`. A later rotation opens a new one.`,
  ].join('\n');
}

/**
 * Publishes a plan as a pull request (one pass; `moved` when the pull-request branch changed under us, so the
 * pipeline's loop plans again) and returns the report with `pullRequest` (and `commit`,
 * the branch head holding this run's changes) filled in.
 *
 * @example
 * const step = await publishPullRequest({ ws, report, config, author, dryRun: false, logger, github: { gh, repository } });
 * if (step.moved) { await ws.refresh(); // plan again (src/pipeline.ts publishLoop) }
 *
 * @throws GitHubError (a call failed: which one, what permission), GitError (push refused), ConfigError
 *   (no GitHub credentials, repository unknown).
 */
export async function publishPullRequest(
  opts: PullRequestRunOptions,
): Promise<PublishStep<PullRequestResult>> {
  const { ws, config, logger, report } = opts;
  const base = ws.branch;
  const branch = pullRequestBranch(base, opts.environment);
  const apiCommits = opts.apiCommits ?? config.pullRequest.apiCommits;
  const result = (
    outcome: PullRequestOutcome,
    pushed = false,
    apiRequests = 0,
  ): PublishStep<PullRequestResult> => ({
    moved: false,
    result: { report, outcome, branch, pushed, apiCommits, apiRequests },
  });
  const problem = (message: string, file = branch): void => {
    const p: Problem = { file, severity: 'warning', message };
    report.problems.push(p);
    logger.warn(message);
  };

  if (!opts.github) {
    logger.info(`Dry run: no GitHub credentials, so the pull request for "${branch}" was not looked up`);
    return result('dry-run');
  }
  const { gh, repository } = opts.github;
  const pulls = new GitHubPulls(gh.octokit, repository, logger);
  const done = (outcome: PullRequestOutcome, pushed = false) => result(outcome, pushed, gh.requests());
  const gitData = new GitHubGitData(gh.octokit, repository, logger);
  const apiWs = new ApiCommitWorkspace(ws, gitData, logger);
  // Reads and writes of the pull-request branch: git, or the GitHub API (the base always comes from git).
  const target: Workspace = apiCommits ? apiWs : ws;

  const templates = opts.templates ?? shippedTemplates(readTemplate);
  const message = outgoing(renderCommitMessage(templates.commitMessage, report.workloads));
  const changes = report.changes.filter((c) => c.before !== c.after);
  const pending = message !== null && changes.length > 0;
  const open = await pulls.findOpen(branch, base);

  // The commit is built once, locally: the base head does not move during this flow.
  let localCommit: string | null = null;
  const buildLocal = async (): Promise<string> =>
    (localCommit ??= await ws.commit({
      changes,
      message: withBranchTrailer(message ?? '', branch),
      author: opts.author,
      ...(opts.clock ? { now: opts.clock() } : {}),
    }));

  /** The ownership rule of {@link isOwnBranchCommit}, asking GitHub what a git read cannot tell. */
  const owns = async (head: BranchHead): Promise<boolean> => {
    if (isOwnBranchCommit(head, branch, opts.author)) return true;
    if (!hasOwnShape(head, branch)) return false;
    // Our shape, another identity: perhaps a commit made through the API (this mode, or before a switch).
    try {
      const verified = head.verified ?? (await gitData.getCommit(head.oid)).verified;
      if (!verified) return false;
      let identity = apiWs.knownIdentity();
      if (!identity && opts.dryRun) {
        // A dry run writes nothing, not even the identity probe: a verified commit of our shape counts.
        logger.debug(
          `Dry run: "${branch}" head ${head.oid.slice(0, 12)} is verified; its author is not checked`,
        );
        return true;
      }
      if (
        !identity &&
        apiCommits &&
        pending &&
        head.tree !== (await ws.readCommitInfo(await buildLocal())).tree
      ) {
        await apiWs.replay(await buildLocal()); // needed anyway; its author is the identity
      }
      identity ??= await apiWs.identity();
      return isOwnBranchCommit({ ...head, verified }, branch, opts.author, identity);
    } catch (err) {
      // In git-push mode the token may lack API access to contents: then the branch is not proven ours.
      if (apiCommits || !(err instanceof GitHubError)) throw err;
      logger.warn(
        `could not ask GitHub whether "${branch}" head ${head.oid.slice(0, 12)} is its own: ${err.message}`,
      );
      return false;
    }
  };

  {
    const head: BranchHead | null = await target.remoteBranch(branch);

    if (head && !(await owns(head))) {
      problem(
        `"${branch}" holds a commit vault-rollout did not make (${head.oid.slice(0, 12)} by ${head.author.name}); ` +
          `left as it is${open ? ` and pull request #${open.number} not updated` : ''}: merge or close it, or delete the branch`,
      );
      if (open && !opts.dryRun && !(await pulls.hasComment(open.number, FOREIGN_COMMIT_MARKER))) {
        await pulls.comment(open.number, outgoing(foreignComment(branch, head)));
      }
      if (open) report.pullRequest = { number: open.number, url: open.url };
      return done('left-alone');
    }

    if (!pending) {
      if (!open && !head) {
        logger.info(`Nothing to publish on "${base}"`);
        return done('none');
      }
      if (opts.dryRun) {
        logger.info(
          `Dry run: nothing pending; would close ${open ? `#${open.number} and ` : ''}delete "${branch}"`,
        );
        return done('dry-run');
      }
      if (open) {
        await pulls.comment(open.number, outgoing(closeComment(base, branch)));
        await pulls.update(open.number, { state: 'closed' });
        logger.info(`Closed pull request #${open.number}: nothing is pending on "${base}" any more`);
      }
      if (head) {
        const deleted = await target.deleteBranch(branch, head.oid);
        if (!deleted.ok && deleted.reason === 'not-fast-forward') {
          // Someone pushed meanwhile: the loop looks at the branch again (it may be theirs now).
          return { moved: true, message: deleted.message };
        }
        if (!deleted.ok) problem(`could not delete "${branch}": ${deleted.message}`);
      }
      return done('closed');
    }

    // Rendered before anything is pushed: a template that fails or hits a limit leaves the remote as it is.
    const rendered = renderPullRequest(
      { title: templates.pullRequestTitle, body: templates.pullRequestBody },
      report,
      { base, branch, annotationPrefix: config.annotationPrefix },
    );
    const text = { title: outgoing(rendered.title), body: outgoing(rendered.body) };

    if (opts.dryRun) {
      logger.info(
        `Dry run: would push ${changes.length} file(s) to "${branch}" and ${open ? `update #${open.number}` : 'open a pull request'}`,
      );
      if (open) report.pullRequest = { number: open.number, url: open.url };
      return done('dry-run');
    }

    const commit = await buildLocal();
    const tree = (await ws.readCommitInfo(commit)).tree;
    let pushed = false;
    let branchHead = commit;
    if (head && head.tree === tree) {
      // Same files as the branch already holds: a re-run with nothing new pushes nothing.
      branchHead = head.oid;
      logger.info(`"${branch}" already holds these changes (${head.oid.slice(0, 12)}); not pushed`);
    } else {
      // Through the API: the same commit, made and signed by GitHub (its id differs: GitHub's author and date).
      if (apiCommits) branchHead = (await apiWs.replay(commit)).sha;
      const res = await target.pushBranch(branchHead, branch, { expectedOld: head?.oid ?? null });
      if (!res.ok && res.reason === 'not-fast-forward') return { moved: true, message: res.message };
      if (!res.ok) {
        throw new GitError(`${apiCommits ? 'updating' : 'pushing'} "${branch}" failed: ${res.message}`, {
          branch,
          reason: res.reason,
        });
      }
      pushed = true;
      logger.info(
        `${apiCommits ? 'Moved' : 'Pushed'} ${branchHead} ${apiCommits ? 'through the GitHub API ' : ''}to "${branch}" (${changes.length} file(s))`,
      );
    }

    let pr: PullRequestInfo;
    let outcome: PullRequestOutcome;
    let created = false;
    if (open) {
      pr = open;
      if (open.title !== text.title || open.body !== text.body) {
        pr = await pulls.update(open.number, { title: text.title, body: text.body });
        logger.info(`Updated pull request #${pr.number}: ${pr.url}`);
      } else {
        logger.info(`Pull request #${pr.number} is up to date: ${pr.url}`);
      }
      outcome = pushed || pr !== open ? 'updated' : 'unchanged';
    } else {
      const made = await pulls.createOrFind({
        branch,
        base,
        title: text.title,
        body: text.body,
        draft: config.pullRequest.draft,
      });
      pr = made.pr;
      created = made.created;
      if (created) {
        outcome = 'created';
        logger.info(`Opened pull request #${pr.number}: ${pr.url}`);
      } else {
        // A concurrent run opened it between our look-up and our create: it is the open pull request of
        // this branch, updated in place like any other.
        if (pr.title !== text.title || pr.body !== text.body)
          pr = await pulls.update(pr.number, { title: text.title, body: text.body });
        outcome = 'updated';
        logger.info(`Updated pull request #${pr.number}: ${pr.url}`);
      }
    }

    const labels = config.pullRequest.labels.filter((l) => !pr.labels.includes(l));
    if (labels.length > 0) await pulls.addLabels(pr.number, labels);
    if (created && config.pullRequest.reviewers.length > 0) {
      try {
        await pulls.requestReviewers(pr.number, config.pullRequest.reviewers);
      } catch (err) {
        // The pull request exists: a reviewer GitHub refuses is reported, not fatal.
        problem(err instanceof Error ? err.message : String(err), pr.url);
      }
    }
    if (config.pullRequest.autoMerge && !pr.autoMerge) {
      const merged = await pulls.enableAutoMerge(pr);
      if (!merged.ok) problem(merged.message, pr.url);
      else logger.info(`Auto-merge enabled on #${pr.number}`);
    }
    report.pullRequest = { number: pr.number, url: pr.url };
    report.commit = branchHead;
    return done(outcome, pushed);
  }
}
