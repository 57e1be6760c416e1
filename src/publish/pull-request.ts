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
 * with a comment and the branch deleted. A request a person closed (without merging) over the changes the
 * branch still holds is not offered again until there is something new to roll.
 *
 * The forge (GitHub pull requests, GitLab merge requests) is reached only through the `Forge` port of
 * src/core/ports.ts, so both get this one policy.
 *
 * With `pullRequest.apiCommits` (or `--api-commits`) the branch commit is made through the GitHub Git Data API
 * instead (src/publish/api-commits.ts): GitHub signs it with the token's identity, so it shows as verified. Such a
 * commit carries GitHub's identity, not the configured one, so ownership has a second rule (see
 * {@link isOwnBranchCommit}): one parent, our trailer, verified by GitHub, and authored by the identity
 * GitHub gives this token's API commits (learned from the commit this run makes, else from a probe commit
 * that is on no branch). Either rule is accepted in either mode, so switching modes keeps the branch ours.
 */
import type { Config } from '../core/config/schema.js';
import { ConfigError, GitError } from '../core/errors.js';
import { realChanges, type Problem, type RunReport } from '../core/model.js';
import type {
  ApiCommitTarget,
  ApiIdentity,
  BranchHead,
  ChangeRequest,
  Forge,
  Logger,
  Workspace,
} from '../core/ports.js';
import { renderCommitMessage } from '../core/report/commit-message.js';
import { renderPullRequest } from '../core/report/pr-body.js';
import { readTemplate } from '../adapters/templates.js';
import { shippedTemplates, type MessageTemplates } from '../core/config/templates.js';
import { outgoing } from './outgoing.js';
import { nothingPublished, type Published } from './outcome.js';
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
   * Where the request lives (GitHub or GitLab), built once at the composition root (src/forge.ts); null
   * only in a dry run without forge credentials.
   */
  forge: Forge | null;
  /** Make the branch commit through the forge's API (default: `config.pullRequest.apiCommits`). */
  apiCommits?: boolean | undefined;
  /** Commit time (default: now). */
  clock?: () => Date;
  /** `--environment NAME`: the plan covers only that environment's roots; the branch is `vault-rollout/<base>/<NAME>`. */
  environment?: string | undefined;
  /** Commit message and pull-request templates (default: the shipped ones in templates/). */
  templates?: MessageTemplates | undefined;
}

/** What the pull-request stage did: its {@link Published} outcome, and how it went. */
export interface PullRequestResult extends Published {
  outcome: PullRequestOutcome;
  /** The pull-request branch, e.g. `vault-rollout/main`. */
  branch: string;
  /** Whether this run pushed the branch (or moved it through the API). */
  pushed: boolean;
  /** Whether the branch commit is made through the GitHub API. */
  apiCommits: boolean;
  /** Forge API requests sent (retries included). */
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

function foreignComment(branch: string, head: BranchHead, noun: string): string {
  return [
    FOREIGN_COMMIT_MARKER,
    `vault-rollout found a commit on \`${branch}\` that it did not make (\`${head.oid.slice(0, 12)}\`), so it will not ` +
      `overwrite this branch or update this ${noun} any more.`,
    '',
    `To hand the branch back, merge or close this ${noun}, or delete the branch: the next run rebuilds it from the base.`,
  ].join('\n');
}

function closeComment(base: string, branch: string, noun: string): string {
  return [
    `vault-rollout: nothing is pending on \`${base}\` any more: the recorded secret versions already match Vault ` +
      '(this change was merged, or someone updated the annotations by hand).',
    '',
    `Closing this ${noun} and deleting \`${branch}\`. A later rotation opens a new one.`,
  ].join('\n');
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Publishes a plan as a pull (merge) request (one pass; `moved` when the pull-request branch changed under
 * us, so the pipeline's loop plans again) and returns the report with `pullRequest` (and `commit`, the
 * branch head holding this run's changes) filled in.
 *
 * @example
 * const step = await publishPullRequest({ ws, report, config, author, dryRun: false, logger, forge });
 * if (step.moved) { await ws.refresh(); // plan again (src/pipeline.ts publishLoop) }
 *
 * @throws the forge's error (a call failed: which one, what permission), GitError (push refused),
 *   ConfigError (no credentials, repository unknown).
 */
export async function publishPullRequest(
  opts: PullRequestRunOptions,
): Promise<PublishStep<PullRequestResult>> {
  if (!opts.forge) {
    const branch = pullRequestBranch(opts.ws.branch, opts.environment);
    opts.logger.info(`Dry run: no forge credentials, so the pull request for "${branch}" was not looked up`);
    return {
      moved: false,
      result: {
        ...nothingPublished(),
        outcome: 'dry-run',
        branch,
        pushed: false,
        apiCommits: opts.apiCommits ?? opts.config.pullRequest.apiCommits,
        apiRequests: 0,
      },
    };
  }
  return new PullRequestPublish(opts, opts.forge).run();
}

/** The text of the request, rendered before anything is pushed. */
interface RequestText {
  title: string;
  body: string;
}

/** One pass of {@link publishPullRequest}: the state its steps share, and the steps in order. */
class PullRequestPublish {
  private readonly base: string;
  private readonly branch: string;
  private readonly apiCommits: boolean;
  /** Writes of the pull-request branch through the forge's API (only with `apiCommits`, or to check one). */
  private readonly apiWs: ApiCommitTarget | null;
  /** Reads and writes of the pull-request branch: git, or the forge API (the base always comes from git). */
  private readonly target: Workspace;
  private readonly templates: MessageTemplates;
  private readonly message: string | null;
  private readonly changes: PullRequestRunOptions['report']['changes'];
  private readonly pending: boolean;
  /** The commit is built once, locally: the base head does not move during this flow. */
  private localCommit: string | null = null;
  /** What this stage did, returned in its result; the report it was given is only read. */
  private readonly published: Published = nothingPublished();

  constructor(
    private readonly opts: PullRequestRunOptions,
    private readonly forge: Forge,
  ) {
    const { ws, config, report } = opts;
    this.base = ws.branch;
    this.branch = pullRequestBranch(this.base, opts.environment);
    this.apiCommits = opts.apiCommits ?? config.pullRequest.apiCommits;
    this.apiWs = forge.apiCommits ? forge.apiCommits(ws) : null;
    if (this.apiCommits && !this.apiWs) {
      throw new ConfigError(
        `API commits (pullRequest.apiCommits / --api-commits) are not available on ${forge.kind}: set pullRequest.apiCommits: false`,
      );
    }
    this.target = this.apiCommits && this.apiWs ? this.apiWs : ws;
    this.templates = opts.templates ?? shippedTemplates(readTemplate);
    this.message = outgoing(
      renderCommitMessage(this.templates.commitMessage, report.workloads, report.changes),
    );
    this.changes = realChanges(report.changes);
    this.pending = this.message !== null && this.changes.length > 0;
  }

  private done(outcome: PullRequestOutcome, pushed = false): PublishStep<PullRequestResult> {
    return {
      moved: false,
      result: {
        ...this.published,
        outcome,
        branch: this.branch,
        pushed,
        apiCommits: this.apiCommits,
        apiRequests: this.forge.requests(),
      },
    };
  }

  private problem(message: string, file = this.branch): void {
    const p: Problem = { file, severity: 'warning', message };
    this.published.problems.push(p);
    this.opts.logger.warn(message);
  }

  private show(request: ChangeRequest): void {
    this.published.pullRequest = {
      number: request.number,
      url: request.url,
      ...(this.forge.kind === 'gitlab' ? { kind: 'merge-request' as const } : {}),
    };
  }

  private async buildLocal(): Promise<string> {
    return (this.localCommit ??= await this.opts.ws.commit({
      changes: this.changes,
      message: withBranchTrailer(this.message ?? '', this.branch),
      author: this.opts.author,
      ...(this.opts.clock ? { now: this.opts.clock() } : {}),
    }));
  }

  async run(): Promise<PublishStep<PullRequestResult>> {
    const open = await this.forge.findOpen(this.branch, this.base);
    const head: BranchHead | null = await this.target.remoteBranch(this.branch);
    if (head && !(await this.owns(head))) return this.leaveAlone(head, open);
    if (!this.pending) return this.cleanUp(head, open);

    // Rendered before anything is pushed: a template that fails or hits a limit leaves the remote as it is.
    const rendered = renderPullRequest(
      { title: this.templates.pullRequestTitle, body: this.templates.pullRequestBody },
      this.opts.report,
      {
        base: this.base,
        branch: this.branch,
        annotationPrefix: this.opts.config.annotationPrefix,
        request: this.forge.noun,
      },
    );
    const text = { title: outgoing(rendered.title), body: outgoing(rendered.body) };

    if (this.opts.dryRun) {
      this.opts.logger.info(
        `Dry run: would push ${this.changes.length} file(s) to "${this.branch}" and ${open ? `update ${this.forge.ref(open.number)}` : `open a ${this.forge.noun}`}`,
      );
      if (open) this.show(open);
      return this.done('dry-run');
    }

    const branchStep = await this.pushBranch(head);
    if ('moved' in branchStep) return branchStep;
    const { branchHead, pushed } = branchStep;

    if (!open && !pushed && head) {
      const closed = await this.forge.closedAt?.(this.branch, this.base, head.oid);
      if (closed) {
        this.opts.logger.info(
          `${capitalized(this.forge.noun)} ${this.forge.ref(closed.number)} for these changes was closed by a person: not opened again until there is something new (${closed.url})`,
        );
        return this.done('unchanged');
      }
    }

    const { request, outcome, created } = await this.openOrUpdate(open, text, pushed);
    await this.decorate(request, created);
    this.show(request);
    this.published.commit = branchHead;
    return this.done(outcome, pushed);
  }

  /** The ownership rule of {@link isOwnBranchCommit}, asking the forge what a git read cannot tell. */
  private async owns(head: BranchHead): Promise<boolean> {
    const { branch, opts, apiWs } = this;
    if (isOwnBranchCommit(head, branch, opts.author)) return true;
    if (!hasOwnShape(head, branch) || !apiWs) return false;
    // Our shape, another identity: perhaps a commit made through the API (this mode, or before a switch).
    try {
      const verified = head.verified ?? (await apiWs.verified(head.oid));
      if (!verified) return false;
      let identity: ApiIdentity | null = apiWs.knownIdentity();
      if (!identity && opts.dryRun) {
        // A dry run writes nothing, not even the identity probe: a verified commit of our shape counts.
        opts.logger.debug(
          `Dry run: "${branch}" head ${head.oid.slice(0, 12)} is verified; its author is not checked`,
        );
        return true;
      }
      if (
        !identity &&
        this.apiCommits &&
        this.pending &&
        head.tree !== (await opts.ws.readCommitInfo(await this.buildLocal())).tree
      ) {
        await apiWs.replay(await this.buildLocal()); // needed anyway; its author is the identity
      }
      identity ??= await apiWs.identity();
      return isOwnBranchCommit({ ...head, verified }, branch, opts.author, identity);
    } catch (err) {
      // In git-push mode the token may lack API access to contents: then the branch is not proven ours.
      if (this.apiCommits || !apiWs.isApiError(err)) throw err;
      opts.logger.warn(
        `could not ask ${this.forge.kind === 'github' ? 'GitHub' : 'the forge'} whether "${branch}" head ${head.oid.slice(0, 12)} is its own: ${err instanceof Error ? err.message : String(err)}`,
      );
      return false;
    }
  }

  /** A person's commit is on the branch: never overwritten; the open request gets one comment. */
  private async leaveAlone(
    head: BranchHead,
    open: ChangeRequest | null,
  ): Promise<PublishStep<PullRequestResult>> {
    const { forge, branch } = this;
    this.problem(
      `"${branch}" holds a commit vault-rollout did not make (${head.oid.slice(0, 12)} by ${head.author.name}); ` +
        `left as it is${open ? ` and ${forge.noun} ${forge.ref(open.number)} not updated` : ''}: merge or close it, or delete the branch`,
    );
    if (open && !this.opts.dryRun && !(await forge.hasComment(open.number, FOREIGN_COMMIT_MARKER))) {
      await forge.comment(open.number, outgoing(foreignComment(branch, head, forge.noun)));
    }
    if (open) this.show(open);
    return this.done('left-alone');
  }

  /** Nothing pending: close the open request with a comment and delete the branch. */
  private async cleanUp(
    head: BranchHead | null,
    open: ChangeRequest | null,
  ): Promise<PublishStep<PullRequestResult>> {
    const { forge, branch, base, opts } = this;
    // Restarts held back by the rollout limits (outside rollout.windows) are still to come: the open
    // request keeps them until a run inside a window rebuilds it, instead of being closed every evening
    // and opened again, with a new number, every morning.
    const deferred = opts.report.summary.deferred ?? 0;
    if (open && deferred > 0) {
      opts.logger.info(
        `${capitalized(forge.noun)} ${forge.ref(open.number)} left as it is: ${deferred} restart(s) deferred by the rollout limits`,
      );
      this.show(open);
      return this.done('unchanged');
    }
    if (!open && !head) {
      opts.logger.info(`Nothing to publish on "${base}"`);
      return this.done('none');
    }
    if (opts.dryRun) {
      opts.logger.info(
        `Dry run: nothing pending; would close ${open ? `${forge.ref(open.number)} and ` : ''}delete "${branch}"`,
      );
      return this.done('dry-run');
    }
    if (open) {
      await forge.comment(open.number, outgoing(closeComment(base, branch, forge.noun)));
      await forge.close(open.number);
      opts.logger.info(
        `Closed ${forge.noun} ${forge.ref(open.number)}: nothing is pending on "${base}" any more`,
      );
    }
    if (head) {
      const deleted = await this.target.deleteBranch(branch, head.oid);
      if (!deleted.ok && deleted.reason === 'not-fast-forward') {
        // Someone pushed meanwhile: the loop looks at the branch again (it may be theirs now).
        return { moved: true, message: deleted.message };
      }
      if (!deleted.ok) this.problem(`could not delete "${branch}": ${deleted.message}`);
    }
    return this.done('closed');
  }

  /**
   * Puts this run's commit on the branch with a compare-and-swap on `head`, unless the branch already
   * holds exactly these files.
   */
  private async pushBranch(
    head: BranchHead | null,
  ): Promise<{ branchHead: string; pushed: boolean } | { moved: true; message: string }> {
    const { opts, branch, apiCommits } = this;
    const commit = await this.buildLocal();
    const tree = (await opts.ws.readCommitInfo(commit)).tree;
    if (head && head.tree === tree) {
      // Same files as the branch already holds: a re-run with nothing new pushes nothing.
      opts.logger.info(`"${branch}" already holds these changes (${head.oid.slice(0, 12)}); not pushed`);
      return { branchHead: head.oid, pushed: false };
    }
    // Through the API: the same commit, made and signed by the forge (its id differs: the forge's author and date).
    const branchHead = apiCommits && this.apiWs ? (await this.apiWs.replay(commit)).sha : commit;
    const res = await this.target.pushBranch(branchHead, branch, { expectedOld: head?.oid ?? null });
    if (!res.ok && res.reason === 'not-fast-forward') return { moved: true, message: res.message };
    if (!res.ok) {
      throw new GitError(`${apiCommits ? 'updating' : 'pushing'} "${branch}" failed: ${res.message}`, {
        branch,
        reason: res.reason,
      });
    }
    opts.logger.info(
      `${apiCommits ? 'Moved' : 'Pushed'} ${branchHead} ${apiCommits ? 'through the GitHub API ' : ''}to "${branch}" (${this.changes.length} file(s))`,
    );
    return { branchHead, pushed: true };
  }

  /** Updates the open request in place, or opens one (or finds the one a concurrent run opened). */
  private async openOrUpdate(
    open: ChangeRequest | null,
    text: RequestText,
    pushed: boolean,
  ): Promise<{ request: ChangeRequest; outcome: PullRequestOutcome; created: boolean }> {
    const { forge, opts } = this;
    const noun = capitalized(forge.noun);
    if (open) {
      let request = open;
      if (open.title !== text.title || open.body !== text.body) {
        request = await forge.update(open.number, text);
        opts.logger.info(`Updated ${forge.noun} ${forge.ref(request.number)}: ${request.url}`);
      } else {
        opts.logger.info(`${noun} ${forge.ref(request.number)} is up to date: ${request.url}`);
      }
      return { request, outcome: pushed || request !== open ? 'updated' : 'unchanged', created: false };
    }
    const made = await forge.createOrFind({
      branch: this.branch,
      base: this.base,
      ...text,
      draft: opts.config.pullRequest.draft,
    });
    let request = made.request;
    if (made.created) {
      opts.logger.info(`Opened ${forge.noun} ${forge.ref(request.number)}: ${request.url}`);
      return { request, outcome: 'created', created: true };
    }
    // A concurrent run opened it between our look-up and our create: it is the open request of this
    // branch, updated in place like any other.
    if (request.title !== text.title || request.body !== text.body)
      request = await forge.update(request.number, text);
    opts.logger.info(`Updated ${forge.noun} ${forge.ref(request.number)}: ${request.url}`);
    return { request, outcome: 'updated', created: false };
  }

  /** Labels that are missing, reviewers on a new request, auto-merge: each refusal is reported, not fatal. */
  private async decorate(request: ChangeRequest, created: boolean): Promise<void> {
    const { forge, opts } = this;
    const { labels, reviewers, autoMerge } = opts.config.pullRequest;
    const missing = labels.filter((l) => !request.labels.includes(l));
    if (missing.length > 0) await forge.addLabels(request.number, missing);
    if (created && reviewers.length > 0) {
      try {
        await forge.requestReviewers(request.number, reviewers);
      } catch (err) {
        // The request exists: a reviewer the forge refuses is reported, not fatal.
        this.problem(err instanceof Error ? err.message : String(err), request.url);
      }
    }
    if (autoMerge && !request.autoMerge) {
      const merged = await forge.enableAutoMerge(request);
      if (!merged.ok) this.problem(merged.message, request.url);
      else opts.logger.info(`Auto-merge enabled on ${forge.ref(request.number)}`);
    }
  }
}
