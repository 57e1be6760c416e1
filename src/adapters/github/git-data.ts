/**
 * The Git Data API calls behind `pullRequest.apiCommits` / `--api-commits`: blobs, trees,
 * commits and refs written through GitHub's REST API instead of a git push.
 *
 * Why: a commit created with `POST /git/commits` and no `author`/`committer` is signed by GitHub with the
 * identity of the token (the App's `<slug>[bot]`, or the token's user) and shown as verified, which
 * "Require signed commits" branch protection needs.
 *
 * Like pulls.ts, each call is wrapped so a failure names the call, its route and the permission it needs;
 * the answers this tool handles (a ref that moved, a non-fast-forward update) are results, not exceptions.
 */
import { githubSays, toGitHubError, type GitHubCall } from './errors.js';
import { RepoClient } from './repo-client.js';

/** A commit as the Git Data API reports it. */
export interface ApiCommit {
  sha: string;
  tree: string;
  parents: string[];
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
  message: string;
  /** GitHub's `verification.verified`: true for a commit GitHub signed itself (API, web UI) or a valid signature. */
  verified: boolean;
  /** GitHub's `verification.reason`, e.g. `valid`, `unsigned`. */
  verificationReason: string;
}

/**
 * One changed path for {@link GitHubGitData.createTree}: an uploaded blob (`sha`), the file's text for
 * GitHub to store as a blob (`content`, UTF-8), or `sha: null` to remove the path.
 */
export type TreeChange = { path: string; mode: string } & ({ sha: string | null } | { content: string });

export type RefUpdateResult =
  { ok: true } | { ok: false; reason: 'not-fast-forward' | 'rejected'; message: string };

interface GitCommitLike {
  sha: string;
  tree: { sha: string };
  parents: { sha: string }[];
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
  message: string;
  verification?: { verified: boolean; reason: string } | undefined;
}

function apiCommit(c: GitCommitLike): ApiCommit {
  return {
    sha: c.sha,
    tree: c.tree.sha,
    parents: c.parents.map((p) => p.sha),
    author: { name: c.author.name, email: c.author.email, date: c.author.date },
    committer: { name: c.committer.name, email: c.committer.email, date: c.committer.date },
    message: c.message,
    verified: c.verification?.verified === true,
    verificationReason: c.verification?.reason ?? 'unknown',
  };
}

const status = (err: unknown) => (err as { status?: number }).status;

/** 422 answers of the ref endpoints that mean "the branch is not where you thought": re-check and retry. */
const MOVED = [/not a fast.?forward/i, /reference already exists/i, /reference does not exist/i];

/**
 * @example
 * const data = new GitHubGitData(octokit, { owner: 'acme', name: 'deploy' }, logger);
 * const blob = await data.createBlob(Buffer.from('kind: Deployment\r\n'));
 */
export class GitHubGitData extends RepoClient {
  /** The commit `refs/heads/<branch>` points to, or null when the branch does not exist. */
  async getBranchHead(branch: string): Promise<string | null> {
    const route = `GET ${this.path(`/git/ref/heads/${branch}`)}`;
    try {
      const res = await this.octokit.rest.git.getRef({ ...this.base, ref: `heads/${branch}` });
      return res.data.object.sha;
    } catch (err) {
      // 404 for a missing ref (a missing repository fails the pull-request calls before this one).
      if (status(err) === 404) return null;
      throw toGitHubError(err, { what: `reading branch "${branch}"`, route, permission: 'contents: read' });
    }
  }

  /** A commit with GitHub's verification verdict. */
  async getCommit(sha: string): Promise<ApiCommit> {
    const res = await this.call(
      {
        what: `reading commit ${sha.slice(0, 12)}`,
        route: `GET ${this.path(`/git/commits/${sha}`)}`,
        permission: 'contents: read',
      },
      () => this.octokit.rest.git.getCommit({ ...this.base, commit_sha: sha }),
    );
    return apiCommit(res.data);
  }

  /** Uploads bytes as a blob (base64, so CRLF, a BOM and a missing final newline arrive as they are). */
  async createBlob(bytes: Uint8Array): Promise<string> {
    const res = await this.call(
      {
        what: 'creating a blob',
        route: `POST ${this.path('/git/blobs')}`,
        permission: 'contents: write',
      },
      () =>
        this.octokit.rest.git.createBlob({
          ...this.base,
          content: Buffer.from(bytes).toString('base64'),
          encoding: 'base64',
        }),
    );
    return res.data.sha;
  }

  /** A tree that is `baseTree` with only `changes` applied (nested paths create or rewrite subtrees). */
  async createTree(baseTree: string, changes: TreeChange[]): Promise<string> {
    const res = await this.call(
      {
        what: 'creating a tree',
        route: `POST ${this.path('/git/trees')}`,
        permission: 'contents: write',
      },
      () =>
        this.octokit.rest.git.createTree({
          ...this.base,
          base_tree: baseTree,
          tree: changes.map((c) => ({
            path: c.path,
            mode: c.mode as '100644' | '100755',
            type: 'blob' as const,
            ...('content' in c ? { content: c.content } : { sha: c.sha }),
          })),
        }),
    );
    return res.data.sha;
  }

  /**
   * Creates a commit with no `author` and no `committer`: GitHub then uses the token's identity and signs
   * the commit, so it shows as verified. Nothing points to it until a ref is created or updated.
   */
  async createCommit(opts: { message: string; tree: string; parents: string[] }): Promise<ApiCommit> {
    const res = await this.call(
      {
        what: 'creating a commit',
        route: `POST ${this.path('/git/commits')}`,
        permission: 'contents: write',
      },
      () =>
        this.octokit.rest.git.createCommit({
          ...this.base,
          message: opts.message,
          tree: opts.tree,
          parents: opts.parents,
        }),
    );
    return apiCommit(res.data);
  }

  private refResult(err: unknown, call: GitHubCall): RefUpdateResult {
    const says = githubSays(err);
    if (status(err) === 422 && MOVED.some((re) => re.test(says))) {
      return { ok: false, reason: 'not-fast-forward', message: `GitHub answered 422 ("${says}")` };
    }
    if (status(err) === 422 || status(err) === 409) {
      // Branch protection and rulesets: "Protected branch update failed", "Repository rule violations found".
      return {
        ok: false,
        reason: 'rejected',
        message: `${call.what} was refused (${call.route}): ${status(err)} ("${says}")`,
      };
    }
    throw toGitHubError(err, call);
  }

  /** Creates `refs/heads/<branch>` at `sha`; a branch that appeared meanwhile is `not-fast-forward`. */
  async createBranch(branch: string, sha: string): Promise<RefUpdateResult> {
    const call: GitHubCall = {
      what: `creating branch "${branch}"`,
      route: `POST ${this.path('/git/refs')}`,
      permission: 'contents: write',
    };
    try {
      await this.octokit.rest.git.createRef({ ...this.base, ref: `refs/heads/${branch}`, sha });
    } catch (err) {
      return this.refResult(err, call);
    }
    this.logger.debug('created branch through the API', { branch, sha });
    return { ok: true };
  }

  /**
   * Moves `refs/heads/<branch>` to `sha`. Without `force` GitHub accepts only a fast-forward (else 422
   * "Update is not a fast forward": `not-fast-forward`); a refusal by branch protection is `rejected`.
   */
  async updateBranch(branch: string, sha: string, force: boolean): Promise<RefUpdateResult> {
    const call: GitHubCall = {
      what: `updating branch "${branch}"`,
      route: `PATCH ${this.path(`/git/refs/heads/${branch}`)}`,
      permission: 'contents: write',
    };
    try {
      await this.octokit.rest.git.updateRef({ ...this.base, ref: `heads/${branch}`, sha, force });
    } catch (err) {
      return this.refResult(err, call);
    }
    this.logger.debug('updated branch through the API', { branch, sha, force });
    return { ok: true };
  }
}
