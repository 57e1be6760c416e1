/**
 * The small interfaces the core owns and the adapters implement (the core itself does no I/O).
 * Adapters implement them and do not import one another, except the temporary-folder helper
 * (src/adapters/fs/temp.ts) that both Git engines use. The composition root (src/run/compose.ts) builds every
 * adapter; the pipeline (src/pipeline.ts) sees them only through these interfaces.
 */
import type { FileChange, Problem, RepoFile, SecretStatus } from './model.js';

/** Reads Vault KV v2 metadata. One status per requested path; throws only for run-level failures. */
export interface SecretReader {
  /**
   * @param paths normalised `mount/path` strings (see secret-path.ts); duplicates are read once.
   * @param environment the config `environments` entry whose Vault holds them (null or absent: the
   *   top-level `vault`); a reader for one Vault ignores it.
   * @param namespace the Vault Enterprise namespace the manifests name for them (null or absent: the
   *   configured one); a reader for one namespace ignores it.
   * @returns a status per input path; `status.path` is the canonical `mount/path` after mount detection.
   */
  read(
    paths: readonly string[],
    environment?: string | null,
    namespace?: string | null,
  ): Promise<Map<string, SecretStatus>>;
}

/** How a source reads: the rules themselves are the same for every source (src/core/repo-files.ts). */
export interface LoadOptions {
  /** A file larger than this is reported and never read (else the source's own limit, if any). */
  maxFileBytes?: number;
  /** Read the accepted files whatever their name (the config file, templates); else `.yaml`/`.yml` only. */
  anyName?: boolean;
}

/** Supplies the manifest files of a repository (working tree, or Git objects of a shallow clone). */
export interface ManifestSource {
  /**
   * @param accept true for a repo-relative POSIX path that include/exclude select.
   * Files that cannot be read (symlink out of the repo, not UTF-8, ...) come back as problems.
   */
  load(
    accept: (path: string) => boolean,
    options?: LoadOptions,
  ): Promise<{ files: RepoFile[]; problems: Problem[] }>;
  /**
   * What is at each path, without following a symlink ('missing' when nothing is). Asked about the files
   * vault-rollout generates, which it uses only as regular files it reads whole. Optional: a source over
   * Git objects reports a symlink through `load`, and a folder shows as the files under it.
   */
  entryKinds?(paths: readonly string[]): Promise<Map<string, EntryKind>>;
}

/** What a path of the repository holds (see ManifestSource.entryKinds). */
export type EntryKind = 'file' | 'symlink' | 'directory' | 'other' | 'missing';

/** A {@link ManifestSource} over the committed files of one commit (never the working tree). */
export interface TreeManifestSource extends ManifestSource {
  /**
   * @param options.enterDir false for a folder that cannot hold an accepted file (an adapter may skip it).
   */
  load(
    accept: (path: string) => boolean,
    options?: LoadOptions & { enterDir?: (dir: string) => boolean },
  ): Promise<{ files: RepoFile[]; problems: Problem[] }>;
}

/** HTTPS credentials for Git. They reach git through the environment only, never argv, a URL or a file. */
export interface GitAuth {
  username: string;
  token: string;
  /**
   * The remotes this credential may be sent to (given the remote's URL); default: any. A GitLab token chosen
   * because the repository's own config says `forge: gitlab` goes only to hosts the environment names as
   * GitLab (src/forge.ts), whatever the checkout's origin is.
   */
  only?: ((remote: string) => boolean) | undefined;
}

export interface GitIdentity {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  timestamp: number;
}

/** A commit's header and message, as the pull-request ownership check reads it. */
export interface CommitInfo {
  oid: string;
  tree: string;
  parents: string[];
  author: GitIdentity;
  committer: GitIdentity;
  message: string;
}

export interface CommitOptions {
  /** Every edit of the run; changes whose `before` equals `after` are ignored. */
  changes: FileChange[];
  message: string;
  author: { name: string; email: string };
  /** Author and committer time (default: now). */
  now?: Date;
}

/** One file a commit changes against its parent, as bytes (for replaying it through another channel). */
export interface CommitFile {
  path: string;
  /** Blob id in the commit, or null when the commit removes the path. */
  oid: string | null;
  /** `100644` or `100755`; null when removed. */
  mode: string | null;
  /** The blob's exact bytes; null when removed. */
  bytes: Uint8Array | null;
}

/**
 * The outcome of a ref update: `not-fast-forward` means the branch moved (fetch, re-plan, retry);
 * `rejected` is a server-side refusal (hook, protected branch) with the remote's message.
 */
export type PushResult =
  { ok: true } | { ok: false; reason: 'not-fast-forward' | 'rejected'; message: string };

/**
 * An opened base branch of a Git repository: a local checkout (pushed to its own `origin`) or a URL
 * cloned into a temporary folder. Driven by the publish stage; it never plans.
 *
 * @example
 * const ws = await openWorkspace({ repo: 'https://git.example.com/org/deploy.git', env, auth });
 * try {
 *   const { files } = await ws.source.load((p) => p.endsWith('.yaml'));
 *   const commit = await ws.commit({ changes, message, author });
 *   const pushed = await ws.push(commit);
 * } finally {
 *   await ws.close();
 * }
 */
export interface Workspace {
  readonly mode: 'local' | 'remote';
  /** Base branch name (without `refs/heads/`). */
  readonly branch: string;
  /** The commit `source` reads and `commit` builds on; moves on `refresh()` and after a successful push. */
  readonly head: string;
  /** Files of `head`, read from Git objects: what is planned is exactly what the commit is built on. */
  readonly source: TreeManifestSource;
  /** The remote without credentials (for messages and for parsing `owner/name`). */
  readonly url: string;
  /**
   * Writes one commit on top of `head` holding every change, after checking that each file's content in
   * `head` equals `change.before` (a missing file counts as `''`). Writes objects only: no ref moves.
   * @returns the commit id, or `head` itself when no change alters a file.
   * @throws GitError when a file differs from `before` (stale plan) or a path is not plain.
   */
  commit(opts: CommitOptions): Promise<string>;
  /**
   * Pushes a commit made by `commit()` to the base branch, only if the remote branch is still at `head`.
   * A local checkout is moved to it afterwards (branch, index and files of the changed paths).
   */
  push(commitId: string): Promise<PushResult>;
  /** Fetches the remote branch and moves `head` (and a clean local checkout) to it. */
  refresh(): Promise<void>;
  /**
   * Replaces the HTTPS credentials for later fetches and pushes (e.g. an App token obtained later), and
   * returns true; a credential limited to other remotes (`auth.only`) is not taken, the current one is kept,
   * and this returns false.
   */
  useAuth(auth: GitAuth): boolean;
  /** Reads a commit's header and message from local objects. */
  readCommitInfo(oid: string): Promise<CommitInfo>;
  /** The files `commitId` changes against its only parent, with their bytes. */
  changedFiles(commitId: string): Promise<CommitFile[]>;
  /** Another remote branch's head commit (fetched when not known locally), or null when absent. */
  remoteBranch(branch: string): Promise<CommitInfo | null>;
  /**
   * Points another remote branch at a commit made by `commit()`, replacing whatever it held, but only if
   * it is still at `expectedOld` (null: must not exist): a compare-and-swap.
   */
  pushBranch(commitId: string, branch: string, opts: { expectedOld: string | null }): Promise<PushResult>;
  /** Deletes a remote branch if it is still at `expectedOld`. */
  deleteBranch(branch: string, expectedOld: string): Promise<PushResult>;
  /** Removes the temporary clone (URL mode). Safe to call twice. */
  close(): Promise<void>;
}

/** A clock, injected so the core never calls Date.now(). */
export type Clock = () => Date;

/** Structured logger (stderr). Messages quote the values they mention; never tokens or secret values. */
export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** The long phases of a run that report progress (stderr only). */
export type ProgressPhase = 'files' | 'vault' | 'write' | 'push';

/**
 * Progress of the long phases of a run, for people watching a terminal or a CI log: the stages say when
 * a phase starts and ends, the adapters count the items they finish. One phase at a time; every call is
 * cheap, and the edge decides what (if anything) to print.
 */
export interface Progress {
  /** A phase begins; `total` items when known. */
  start(phase: ProgressPhase, total?: number): void;
  /** `n` more items of the current phase are done (default 1). */
  advance(n?: number): void;
  /** The current phase is over. */
  end(): void;
}

export const silentProgress: Progress = { start() {}, advance() {}, end() {} };

/**
 * A pull request (GitHub) or merge request (GitLab) as the publish stage reads it. `number` is what people
 * type: GitHub's pull-request number, GitLab's project-scoped `iid`.
 */
export interface ChangeRequest {
  number: number;
  url: string;
  /** The title without a forge's draft marker (GitLab's `Draft: ` prefix). */
  title: string;
  body: string;
  labels: string[];
  /** Whether the forge will merge it by itself once its checks pass. */
  autoMerge: boolean;
}

/** A branch head as the ownership check sees it; `verified` is the forge's signature verdict when asked. */
export interface BranchHead extends CommitInfo {
  verified?: boolean;
}

/** The name and email a forge writes as author of the commits a token makes through its API. */
export interface ApiIdentity {
  name: string;
  email: string;
}

/**
 * A {@link Workspace} whose branch writes go through the forge's API, so the forge signs the commits
 * (GitHub's Git Data API: src/publish/api-commits.ts). Reads of the base stay git's.
 */
export interface ApiCommitTarget extends Workspace {
  remoteBranch(branch: string): Promise<BranchHead | null>;
  /** The identity of this token's API commits, if this run already learned it (no request). */
  knownIdentity(): ApiIdentity | null;
  /** The identity of this token's API commits (may create a probe commit on no branch). */
  identity(): Promise<ApiIdentity>;
  /** Creates through the API the commit equal to a local commit made by `commit()`. */
  replay(localId: string): Promise<{ sha: string }>;
  /** The forge's verdict on a commit's signature. */
  verified(oid: string): Promise<boolean>;
  /** Whether `err` is a refusal of the forge's API (as opposed to a git or programming failure). */
  isApiError(err: unknown): boolean;
}

/**
 * Where pull (merge) requests live: GitHub or GitLab, behind the same verbs, so the publish stage
 * (src/publish/pull-request.ts) applies one policy on both. Each call throws a VaultRolloutError that names
 * the call and the permission it needs; the token is never in it.
 *
 * @example
 * const open = await forge.findOpen('vault-rollout/main', 'main');
 * if (!open) await forge.createOrFind({ branch: 'vault-rollout/main', base: 'main', title, body, draft: false });
 */
export interface Forge {
  readonly kind: 'github' | 'gitlab';
  /** `pull request` or `merge request`, for messages. */
  readonly noun: string;
  /** How a person refers to a request in text: `#12` on GitHub, `!12` on GitLab. */
  ref(number: number): string;
  /** The open request from `branch` into `base`, or null. */
  findOpen(branch: string, base: string): Promise<ChangeRequest | null>;
  /**
   * Whether a person closed (without merging) a request from `branch` into `base` whose head is `headSha`:
   * then the same changes are not offered again. Optional: a forge without it always offers them again.
   */
  closedAt?(branch: string, base: string, headSha: string): Promise<ChangeRequest | null>;
  /**
   * Opens the request, or finds the one a concurrent run opened first (the forge refuses a second open
   * request for the same pair).
   */
  createOrFind(opts: {
    branch: string;
    base: string;
    title: string;
    body: string;
    draft: boolean;
  }): Promise<{ request: ChangeRequest; created: boolean }>;
  /** Title and body in place; a draft stays a draft. */
  update(number: number, fields: { title: string; body: string }): Promise<ChangeRequest>;
  close(number: number): Promise<void>;
  comment(number: number, body: string): Promise<void>;
  /** True when a comment on the request contains `marker`. */
  hasComment(number: number, marker: string): Promise<boolean>;
  addLabels(number: number, labels: string[]): Promise<void>;
  /** Usernames (GitHub also `org/team`); a refusal throws, and the caller reports it. */
  requestReviewers(number: number, reviewers: string[]): Promise<void>;
  /** Auto-merge on; a forge or project that does not allow it is an answer, not an exception. */
  enableAutoMerge(request: ChangeRequest): Promise<{ ok: true } | { ok: false; message: string }>;
  /** API requests sent so far (retries included). */
  requests(): number;
  /** Commits through the forge's API (`pullRequest.apiCommits`); absent where the forge has none. */
  readonly apiCommits?: (ws: Workspace) => ApiCommitTarget;
}
