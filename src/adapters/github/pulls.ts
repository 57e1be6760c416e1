/**
 * The pull-request calls vault-rollout makes, each wrapped so a failure names the call, its route and the
 * permission it needs (see errors.ts). Lists are paginated; nothing here decides what to publish.
 */
import { GitHubError, githubSays, toGitHubError } from './errors.js';
import { RepoClient } from './repo-client.js';

/** The fields of a pull request vault-rollout looks at. */
export interface PullRequestInfo {
  number: number;
  url: string;
  nodeId: string;
  title: string;
  body: string;
  headSha: string;
  labels: string[];
  autoMerge: boolean;
}

export type AutoMergeResult = { ok: true } | { ok: false; message: string };

interface PullLike {
  number: number;
  html_url: string;
  node_id: string;
  title: string;
  body: string | null;
  head: { sha: string };
  labels: { name?: string }[];
  auto_merge: unknown;
}

function info(p: PullLike): PullRequestInfo {
  return {
    number: p.number,
    url: p.html_url,
    nodeId: p.node_id,
    title: p.title,
    body: p.body ?? '',
    headSha: p.head.sha,
    labels: p.labels.map((l) => l.name ?? '').filter(Boolean),
    autoMerge: p.auto_merge !== null && p.auto_merge !== undefined,
  };
}

/**
 * @example
 * const pulls = new GitHubPulls(octokit, { owner: 'acme', name: 'deploy' }, logger);
 * const open = await pulls.findOpen('vault-rollout/main', 'main');
 */
export class GitHubPulls extends RepoClient {
  /**
   * The open pull request from `branch` into `base`, or null. `head` must be `owner:branch`: GitHub
   * silently ignores a bare branch name and lists every open pull request.
   */
  async findOpen(branch: string, base: string): Promise<PullRequestInfo | null> {
    const pulls = await this.call(
      {
        what: 'listing open pull requests',
        route: `GET ${this.path('/pulls')}`,
        permission: 'pull-requests: read',
      },
      () =>
        this.octokit.paginate(this.octokit.rest.pulls.list, {
          ...this.base,
          state: 'open',
          head: `${this.repo.owner}:${branch}`,
          base,
          per_page: 100,
        }),
    );
    // Defensive: keep only the exact head, should a server ignore the filter.
    const mine = pulls.filter((p) => p.head.ref === branch && p.base.ref === base);
    return mine[0] ? info(mine[0]) : null;
  }

  async create(opts: {
    branch: string;
    base: string;
    title: string;
    body: string;
    /** Open it as a draft (default false). */
    draft?: boolean;
  }): Promise<PullRequestInfo> {
    const res = await this.call(
      {
        what: 'creating the pull request',
        route: `POST ${this.path('/pulls')}`,
        permission: 'pull-requests: write',
      },
      () =>
        this.octokit.rest.pulls.create({
          ...this.base,
          head: opts.branch,
          base: opts.base,
          title: opts.title,
          body: opts.body,
          ...(opts.draft ? { draft: true } : {}),
          maintainer_can_modify: false,
        }),
    );
    return info(res.data);
  }

  /**
   * Opens the pull request, or finds the one a concurrent run opened first: GitHub answers a second
   * request for the same head and base with 422 "A pull request already exists for owner:branch.", and
   * that means "it is open", not "the run failed".
   * @returns the pull request, and whether this call created it.
   */
  async createOrFind(
    opts: Parameters<GitHubPulls['create']>[0],
  ): Promise<{ pr: PullRequestInfo; created: boolean }> {
    try {
      return { pr: await this.create(opts), created: true };
    } catch (err) {
      if (!alreadyExists(err)) throw err;
      // The list can lag the create that refused ours by a moment: ask again briefly before giving up.
      for (let attempt = 0; attempt < 3; attempt++) {
        const open = await this.findOpen(opts.branch, opts.base);
        if (open) {
          this.logger.info(`a pull request from "${opts.branch}" was opened meanwhile: #${open.number}`);
          return { pr: open, created: false };
        }
        await new Promise((done) => setTimeout(done, 250 * (attempt + 1)));
      }
      throw err;
    }
  }

  async update(
    number: number,
    fields: { title?: string; body?: string; state?: 'open' | 'closed' },
  ): Promise<PullRequestInfo> {
    const res = await this.call(
      {
        what:
          fields.state === 'closed' ? `closing pull request #${number}` : `updating pull request #${number}`,
        route: `PATCH ${this.path(`/pulls/${number}`)}`,
        permission: 'pull-requests: write',
      },
      () => this.octokit.rest.pulls.update({ ...this.base, pull_number: number, ...fields }),
    );
    return info(res.data);
  }

  async addLabels(number: number, labels: string[]): Promise<void> {
    await this.call(
      {
        what: `adding labels to #${number}`,
        route: `POST ${this.path(`/issues/${number}/labels`)}`,
        permission: 'pull-requests: write (issues: write to create new labels)',
      },
      () => this.octokit.rest.issues.addLabels({ ...this.base, issue_number: number, labels }),
    );
  }

  /** `org/team` or `@org/team` entries are team reviewers (the slug after the slash); others are logins. */
  async requestReviewers(number: number, reviewers: string[]): Promise<void> {
    const teams = reviewers.filter((r) => r.includes('/')).map((r) => r.slice(r.indexOf('/') + 1));
    const users = reviewers.filter((r) => !r.includes('/')).map((r) => r.replace(/^@/, ''));
    await this.call(
      {
        what: `requesting reviewers on #${number}`,
        route: `POST ${this.path(`/pulls/${number}/requested_reviewers`)}`,
        permission: 'pull-requests: write',
      },
      () =>
        this.octokit.rest.pulls.requestReviewers({
          ...this.base,
          pull_number: number,
          ...(users.length > 0 ? { reviewers: users } : {}),
          ...(teams.length > 0 ? { team_reviewers: teams } : {}),
        }),
    );
  }

  /** True when a comment on the pull request contains `marker` (pages through every comment). */
  async hasComment(number: number, marker: string): Promise<boolean> {
    return this.call(
      {
        what: `reading the comments of #${number}`,
        route: `GET ${this.path(`/issues/${number}/comments`)}`,
        permission: 'pull-requests: read',
      },
      async () => {
        for await (const page of this.octokit.paginate.iterator(this.octokit.rest.issues.listComments, {
          ...this.base,
          issue_number: number,
          per_page: 100,
        })) {
          if (page.data.some((c) => (c.body ?? '').includes(marker))) return true;
        }
        return false;
      },
    );
  }

  async comment(number: number, body: string): Promise<void> {
    await this.call(
      {
        what: `commenting on #${number}`,
        route: `POST ${this.path(`/issues/${number}/comments`)}`,
        permission: 'pull-requests: write',
      },
      () => this.octokit.rest.issues.createComment({ ...this.base, issue_number: number, body }),
    );
  }

  /**
   * Turns on auto-merge (GraphQL `enablePullRequestAutoMerge`). A repository that does not allow
   * auto-merge, or a pull request that can be merged right away, is an answer, not an exception.
   */
  async enableAutoMerge(pull: PullRequestInfo): Promise<AutoMergeResult> {
    try {
      await this.octokit.graphql(
        `mutation($id: ID!) { enablePullRequestAutoMerge(input: { pullRequestId: $id }) { clientMutationId } }`,
        { id: pull.nodeId },
      );
      return { ok: true };
    } catch (err) {
      const says = githubSays(err);
      const status = (err as { status?: number }).status;
      if (status === 401 || status === 403 || status === 404) {
        throw toGitHubError(err, {
          what: `enabling auto-merge on #${pull.number}`,
          route: 'POST /graphql (enablePullRequestAutoMerge)',
          permission: 'pull-requests: write and contents: write',
        });
      }
      let message: string;
      if (/auto ?merge is not allowed|not allowed for this repository/i.test(says)) {
        message =
          'the repository does not allow auto-merge: enable "Allow auto-merge" in its settings, or set pullRequest.autoMerge: false';
      } else if (/clean status|protected branch rules not configured|unstable status/i.test(says)) {
        message =
          'auto-merge needs a protected base branch with required checks or reviews; without them the pull request can be merged right away';
      } else {
        message = `GitHub refused auto-merge${says ? ` ("${says}")` : ''}`;
      }
      this.logger.debug('auto-merge refused', { pull: pull.number });
      return { ok: false, message: `auto-merge not enabled on #${pull.number}: ${message}` };
    }
  }
}

/** GitHub's 422 for a second pull request with the same head and base. */
function alreadyExists(err: unknown): boolean {
  return (
    err instanceof GitHubError &&
    err.data['status'] === 422 &&
    /a pull request already exists/i.test(err.message)
  );
}
