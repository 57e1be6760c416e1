/**
 * Commits through the GitHub API instead of a git push (`pullRequest.apiCommits: true` or
 * `apply --api-commits`).
 *
 * {@link ApiCommitWorkspace} is a {@link Workspace} whose writes go through the Git Data API: the base branch
 * is still cloned and read with git, the commit is still built locally by `Workspace.commit()` (which checks
 * every file against the plan), and then replayed on GitHub with the same bytes: `POST git/trees` on the base
 * commit's tree with only the changed paths (modes kept) and their text inline (one request per 1,000 files
 * or 1 MB; a file with CR line endings or a BOM gets its own base64 `POST git/blobs` first), one
 * `POST git/commits` with the same message and parent and **no author or committer**, so GitHub signs it
 * with the token's identity (the App's `<slug>[bot]`) and shows it as verified. GitHub's blob and tree ids
 * must equal the local ones: a mismatch means the bytes differ and nothing is published.
 *
 * Refs: the pull-request branch is created with `POST git/refs` or moved with `PATCH ... force: true` after
 * re-reading it (the REST API has no compare-and-swap: the window between that read and the update is a
 * single round trip); the base branch (`--mode commit`) is moved with `force: false`, so GitHub itself
 * refuses anything but a fast-forward (422 → `not-fast-forward` → re-plan, as a rejected push is).
 * Deleting the pull-request branch stays a git push, which does have a compare-and-swap.
 */
import { GitError } from '../core/errors.js';
import type {
  ApiCommitTarget,
  ApiIdentity,
  BranchHead,
  CommitFile,
  CommitInfo,
  CommitOptions,
  GitAuth,
  Logger,
  PushResult,
  TreeManifestSource,
  Workspace,
} from '../core/ports.js';
import { decodeUtf8 } from '../adapters/git/index.js';
import { GitHubError, GitHubGitData, type ApiCommit, type TreeChange } from '../adapters/github/index.js';

/**
 * Per tree request: at most this many entries, and this many bytes of JSON body. GitHub has been seen to
 * refuse tree requests of 2-2.5 MB (502, or 422 "payload is large"), so 1 MB, counted as the bytes sent.
 */
export const TREE_BATCH = { entries: 1000, bytes: 1024 * 1024 };

/** The bytes an entry adds to the JSON body of a tree request. */
function entryBytes(c: TreeChange): number {
  return Buffer.byteLength(JSON.stringify(c)) + 32; // + `"type":"blob"`, separators
}

/**
 * Splits the changes into tree requests, each built on the previous one's tree. Removals come first: a
 * path removed and another created under it (a file becoming a folder) then never meet in the wrong order.
 */
export function treeBatches(changes: readonly TreeChange[]): TreeChange[][] {
  const ordered = [
    ...changes.filter((c) => 'sha' in c && c.sha === null),
    ...changes.filter((c) => !('sha' in c && c.sha === null)),
  ];
  const batches: TreeChange[][] = [[]];
  let bytes = 0;
  for (const c of ordered) {
    const size = entryBytes(c);
    const current = batches[batches.length - 1]!;
    if (current.length > 0 && (current.length >= TREE_BATCH.entries || bytes + size > TREE_BATCH.bytes)) {
      batches.push([c]);
      bytes = size;
    } else {
      current.push(c);
      bytes += size;
    }
  }
  return batches;
}

/**
 * Whether a file goes inline in the tree request: UTF-8 text without a carriage return or a BOM. Those
 * few (Windows line endings, a BOM) are uploaded as base64 blobs up front, the bytes GitHub could most
 * plausibly normalise, so the fallback below (every file as a blob) stays a should-not-happen.
 */
function inlineText(bytes: Uint8Array): string | null {
  const text = decodeUtf8(bytes);
  return text !== null && !text.includes('\r') && !text.startsWith('\uFEFF') ? text : null;
}

export type { ApiIdentity, BranchHead } from '../core/ports.js';

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000) || 0;

/** An API commit in the shape the Git adapter uses. */
export function toBranchHead(c: ApiCommit): BranchHead {
  return {
    oid: c.sha,
    tree: c.tree,
    parents: c.parents,
    author: { name: c.author.name, email: c.author.email, timestamp: seconds(c.author.date) },
    committer: { name: c.committer.name, email: c.committer.email, timestamp: seconds(c.committer.date) },
    message: c.message,
    verified: c.verified,
  };
}

/** Message of the commit that only tells which identity GitHub gives this token (it is on no branch). */
export const IDENTITY_PROBE_MESSAGE =
  'vault-rollout: identity check\n\nThis commit is on no branch; GitHub removes it in its next garbage collection.\n';

/**
 * A Workspace that publishes through the GitHub Git Data API (see the module comment). Reads, `refresh()`,
 * `close()` and branch deletion are the wrapped workspace's.
 *
 * @example
 * const api = new ApiCommitWorkspace(ws, new GitHubGitData(octokit, repository, logger), logger);
 * const { result } = await publishLoop({ ws: api, plan, publish: (r, w) => publishCommit(w, ...), logger }); // moved by the API
 */
export class ApiCommitWorkspace implements ApiCommitTarget {
  /** API commits made by this run, by id. */
  private readonly made = new Map<string, ApiCommit>();
  /** Local commit id → its API replay. */
  private readonly replays = new Map<string, ApiCommit>();
  private identityOf: ApiIdentity | null = null;

  constructor(
    readonly inner: Workspace,
    readonly api: GitHubGitData,
    private readonly logger: Logger,
  ) {}

  get mode(): 'local' | 'remote' {
    return this.inner.mode;
  }
  get branch(): string {
    return this.inner.branch;
  }
  get head(): string {
    return this.inner.head;
  }
  get source(): TreeManifestSource {
    return this.inner.source;
  }
  get url(): string {
    return this.inner.url;
  }
  useAuth(auth: GitAuth): boolean {
    return this.inner.useAuth(auth);
  }
  refresh(): Promise<void> {
    return this.inner.refresh();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  deleteBranch(branch: string, expectedOld: string): Promise<PushResult> {
    return this.inner.deleteBranch(branch, expectedOld);
  }
  changedFiles(commitId: string): Promise<CommitFile[]> {
    return this.inner.changedFiles(commitId);
  }

  async readCommitInfo(oid: string): Promise<CommitInfo> {
    const made = this.made.get(oid);
    return made ? toBranchHead(made) : this.inner.readCommitInfo(oid);
  }

  /** Builds the commit locally (checked against the plan), then replays it through the API. */
  async commit(opts: CommitOptions): Promise<string> {
    const local = await this.inner.commit(opts);
    if (local === this.inner.head) return local;
    return (await this.replay(local)).sha;
  }

  /**
   * Creates, through the API, the commit equal to the local commit `localId` (a child of the base head):
   * same blobs, same tree, same message and parent; author and committer are left to GitHub.
   * @throws GitError when GitHub's blob or tree id differs from the local one (the bytes would differ).
   */
  async replay(localId: string): Promise<ApiCommit> {
    const known = this.replays.get(localId);
    if (known) return known;
    const local = await this.inner.readCommitInfo(localId);
    const parent = await this.inner.readCommitInfo(local.parents[0] ?? '');
    const files = await this.inner.changedFiles(localId);
    const started = performance.now();
    // Text files go inline in the tree requests (GitHub stores each `content` as a blob): a first adoption
    // of thousands of files is a handful of requests, not one blob request per file, which GitHub's
    // secondary rate limit on content-creating requests (80 a minute) would stretch to an hour. What
    // inlineText declines is uploaded as a base64 blob. Either way the tree id below proves the bytes.
    const uploaded = new Set<string>();
    const buildTree = async (inline: boolean): Promise<string> => {
      const changes: TreeChange[] = [];
      for (const f of files) {
        const mode = f.mode ?? '100644';
        const text = inline && f.bytes ? inlineText(f.bytes) : null;
        if (!f.oid || !f.bytes) changes.push({ path: f.path, mode, sha: null });
        else if (text !== null) changes.push({ path: f.path, mode, content: text });
        else {
          if (!uploaded.has(f.oid)) {
            const sha = await this.api.createBlob(f.bytes);
            if (sha !== f.oid) {
              throw new GitError(
                `GitHub stored "${f.path}" as blob ${sha.slice(0, 12)}, expected ${f.oid.slice(0, 12)}: the bytes differ; nothing was published`,
                { path: f.path },
              );
            }
            uploaded.add(f.oid);
          }
          changes.push({ path: f.path, mode, sha: f.oid });
        }
      }
      let tree = parent.tree;
      for (const batch of treeBatches(changes)) tree = await this.createTreeSplitting(tree, batch);
      return tree;
    };
    let tree = await buildTree(true);
    if (tree !== local.tree) {
      // Inline text that GitHub stored differently (it should not): upload every file as base64 instead.
      this.logger.warn(
        `GitHub built tree ${tree.slice(0, 12)} from inline file contents, expected ${local.tree.slice(0, 12)}: uploading the files as blobs instead`,
      );
      tree = await buildTree(false);
    }
    if (tree !== local.tree) {
      throw new GitError(
        `GitHub built tree ${tree.slice(0, 12)}, expected ${local.tree.slice(0, 12)} (base tree ${parent.tree.slice(0, 12)} plus ${files.length} file(s)); nothing was published`,
      );
    }
    const commit = await this.api.createCommit({ message: local.message, tree, parents: local.parents });
    if (commit.tree !== tree || commit.parents.join() !== local.parents.join()) {
      throw new GitError(
        `GitHub's commit ${commit.sha.slice(0, 12)} does not hold the expected tree and parent`,
      );
    }
    this.made.set(commit.sha, commit);
    this.replays.set(localId, commit);
    this.identityOf ??= { name: commit.author.name, email: commit.author.email };
    this.logger.info(
      `Created commit ${commit.sha} through the GitHub API (${files.length} file(s), ${uploaded.size} blob upload(s), ` +
        `${commit.verified ? 'verified' : `not verified: ${commit.verificationReason}`}, ${Math.round(performance.now() - started)} ms)`,
    );
    if (!commit.verified) {
      this.logger.warn(
        `GitHub did not sign commit ${commit.sha.slice(0, 12)} (${commit.verificationReason}); branch protection that requires signed commits will refuse it`,
      );
    }
    return commit;
  }

  /**
   * `POST git/trees`, split in two (and again) when GitHub refuses the request for its size: 413, 502
   * (which GitHub answers for some large bodies) or a 422 that says the payload is too large.
   */
  private async createTreeSplitting(base: string, batch: TreeChange[]): Promise<string> {
    try {
      return await this.api.createTree(base, batch);
    } catch (err) {
      const status = err instanceof GitHubError ? err.data['status'] : undefined;
      const tooBig =
        status === 413 || status === 502 || (status === 422 && /too large|payload/i.test(String(err)));
      if (!tooBig || batch.length < 2) throw err;
      const half = Math.ceil(batch.length / 2);
      this.logger.info(
        `GitHub refused a tree request of ${batch.length} files (${String(status)}): sending it in two halves`,
      );
      const first = await this.createTreeSplitting(base, batch.slice(0, half));
      return this.createTreeSplitting(first, batch.slice(half));
    }
  }

  /** GitHub's verdict on a commit's signature (`GET git/commits/:sha`). */
  async verified(oid: string): Promise<boolean> {
    return (await this.api.getCommit(oid)).verified;
  }

  isApiError(err: unknown): boolean {
    return err instanceof GitHubError;
  }

  /** The identity this token's API commits get, if this run already made one (no request). */
  knownIdentity(): ApiIdentity | null {
    return this.identityOf;
  }

  /**
   * The identity GitHub gives commits this token makes through the API: the author of a commit this run
   * made, else of a probe commit (base tree, base parent, on no branch; one `POST git/commits`).
   */
  async identity(): Promise<ApiIdentity> {
    if (this.identityOf) return this.identityOf;
    const base = await this.inner.readCommitInfo(this.inner.head);
    const probe = await this.api.createCommit({
      message: IDENTITY_PROBE_MESSAGE,
      tree: base.tree,
      parents: [this.inner.head],
    });
    this.identityOf = { name: probe.author.name, email: probe.author.email };
    this.logger.debug('API commit identity', { ...this.identityOf, probe: probe.sha });
    return this.identityOf;
  }

  /** Another branch's head, read through the API with GitHub's verification verdict; null when absent. */
  async remoteBranch(branch: string): Promise<BranchHead | null> {
    const sha = await this.api.getBranchHead(branch);
    if (!sha) return null;
    return toBranchHead(this.made.get(sha) ?? (await this.api.getCommit(sha)));
  }

  private check(commitId: string): void {
    const made = this.made.get(commitId);
    if (!made || made.parents.length !== 1 || made.parents[0] !== this.inner.head) {
      throw new GitError(
        `commit ${commitId.slice(0, 12)} was not made by this workspace on the base head; build it with commit()`,
      );
    }
  }

  /** Moves the base branch to an API commit, only as a fast-forward (`force: false`). */
  async push(commitId: string): Promise<PushResult> {
    if (commitId === this.inner.head) return { ok: true };
    this.check(commitId);
    const res = await this.api.updateBranch(this.inner.branch, commitId, false);
    if (res.ok) {
      this.logger.info('moved branch through the GitHub API', {
        branch: this.inner.branch,
        commit: commitId,
      });
    } else if (res.reason === 'not-fast-forward') {
      return {
        ok: false,
        reason: 'not-fast-forward',
        message: `branch "${this.inner.branch}" moved since ${this.inner.head.slice(0, 12)} (${res.message})`,
      };
    }
    return res;
  }

  /**
   * Points another branch at an API commit if it is still at `expectedOld` (null: must not exist): re-reads
   * the ref first, then creates it, or moves it with `force: true`.
   */
  async pushBranch(
    commitId: string,
    branch: string,
    opts: { expectedOld: string | null },
  ): Promise<PushResult> {
    if (branch === this.inner.branch) {
      throw new GitError(
        `pushBranch() updates another branch than the base "${this.inner.branch}"; use push()`,
      );
    }
    this.check(commitId);
    const current = await this.api.getBranchHead(branch);
    if (current !== opts.expectedOld) {
      return {
        ok: false,
        reason: 'not-fast-forward',
        message: `branch "${branch}" is at ${current ? current.slice(0, 12) : '(absent)'}, expected ${
          opts.expectedOld ? opts.expectedOld.slice(0, 12) : '(absent)'
        }`,
      };
    }
    if (current === commitId) return { ok: true };
    const res =
      opts.expectedOld === null
        ? await this.api.createBranch(branch, commitId)
        : await this.api.updateBranch(branch, commitId, true);
    if (res.ok) this.logger.info('moved branch through the GitHub API', { branch, commit: commitId });
    return res;
  }
}
