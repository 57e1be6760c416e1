/**
 * The Git side of `apply` (issue 3): open a base branch, read its manifests, write one commit, push it,
 * and on a non-fast-forward move to the new remote head so the orchestrator can re-plan.
 *
 * Two modes behind one interface:
 * - **remote** (`repo` is an http(s) URL): a shallow, single-branch clone with no checkout into a temporary
 *   folder; manifests are read from Git objects and the commit is written from objects, so no working tree
 *   or index is ever built (the cron container has no persistent disk).
 * - **local** (`repo` is a checkout, including the `--depth 1` one actions/checkout leaves): the same
 *   object-level read and commit, pushed to `origin`; only after the push succeeded are the branch ref,
 *   the index and the working tree of the changed paths moved forward, so a failed run leaves the checkout
 *   exactly as it was.
 *
 * In both modes `source` reads the committed content of `head`, never the working tree: what is planned
 * is exactly what the commit is built on, and uncommitted edits of a person are never published.
 *
 * Where isomorphic-git is used, and where not (measured with scripts/bench-git.mjs on 10,000 files):
 * remote mode clones and fetches with its own upload-pack client and pack indexer (shallow-fetch.ts:
 * isomorphic-git's clone spent ~1.7 s indexing the pack in JavaScript); local mode fetches with
 * isomorphic-git (its checkout is the user's: git.fetch keeps its config and refs conventions);
 * reads go through `PackReader` (13x faster than `readBlob` per object); objects are written by
 * `ObjectWriter` and pushed by a small receive-pack client that sends only those objects
 * (isomorphic-git's push lists both whole trees first: about 1 s).
 */
import fs from 'node:fs';
import { chmod, mkdir, mkdtemp, open, rm, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';

import { GitError, VaultRolloutError } from '../../core/errors.js';
import type { FileChange, Problem, RepoFile } from '../../core/model.js';
import { silentLogger, type Logger, type ManifestSource } from '../../core/ports.js';
import {
  diffTrees,
  loadFiles,
  objectRepo,
  readBlobBytes,
  readCommitTree,
  writeChangesCommit,
  type ObjectRepo,
} from './objects.js';
import { parseCommit, type CommitInfo } from './commit-info.js';
import { authCallbacks, remoteBranchHead, sendReceivePack, type RemoteAuthState } from './receive-pack.js';
import { checkRemoteUrl, displayUrl, looksLikeUrl, redact, type GitAuth } from './remote-url.js';
import { defaultBranch, fetchInto, initGitdir, isValidBranchName, writeRefFile } from './shallow-fetch.js';
import { discoverUploadPack, type RefAdvertisement } from './upload-pack.js';
import { buildPack } from './write-objects.js';

export type { GitAuth } from './remote-url.js';
export type { CommitInfo, GitIdentity } from './commit-info.js';

/** The all-zero object id: "no such ref" in a receive-pack command. */
const ZERO_OID = '0'.repeat(40);

/**
 * A clone/fetch progress event: remote mode reports "Downloading pack" (bytes) then "Indexing pack"
 * (objects); local mode's fetch is isomorphic-git's ("Receiving objects", "Resolving deltas").
 */
export interface GitProgress {
  phase: string;
  loaded: number;
  total?: number;
}

export interface OpenWorkspaceOptions {
  /** A local checkout folder, or an http(s) URL (plain http only for 127.0.0.1, ::1, localhost). */
  repo: string;
  /** Base branch; default: the checkout's current branch, or the remote's default branch (its HEAD). */
  branch?: string;
  /** HTTPS credentials, given to isomorphic-git through `onAuth` only. */
  auth?: GitAuth;
  /** Parent folder of the temporary clone (remote mode); default `os.tmpdir()`. */
  tmpRoot?: string;
  logger?: Logger;
  /** Clone/fetch progress, for the benchmark. */
  onProgress?: (event: GitProgress) => void;
}

/** A {@link ManifestSource} over the Git objects of `head`. */
export interface TreeManifestSource extends ManifestSource {
  /**
   * @param accept true for a file path that include/exclude select.
   * @param hints.enterDir false for a folder (e.g. `charts`, without trailing slash) that cannot hold an
   *   accepted file, so its tree object is never read.
   */
  load(
    accept: (path: string) => boolean,
    hints?: { enterDir?: (dir: string) => boolean },
  ): Promise<{ files: RepoFile[]; problems: Problem[] }>;
}

export interface CommitOptions {
  /** Every edit of the run; changes whose `before` equals `after` are ignored. */
  changes: FileChange[];
  message: string;
  author: { name: string; email: string };
  /** Author and committer time (default: now). */
  now?: Date;
}

export type PushResult =
  { ok: true } | { ok: false; reason: 'not-fast-forward' | 'rejected'; message: string };

/**
 * An opened base branch. Driven by the orchestrator (or {@link publishWithRetry}); it never plans.
 *
 * @example
 * const ws = await openWorkspace({ repo: 'https://git.example.com/org/deploy.git', auth: { username, token } });
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
  /** Files of `head`, read from Git objects (see the module comment for why not the working tree). */
  readonly source: TreeManifestSource;
  /**
   * Writes one commit on top of `head` holding every change, after checking that each file's content in
   * `head` equals `change.before` (a missing file counts as `''`). Writes only objects: no ref moves, the
   * remote and the checkout stay untouched.
   * @returns the commit id, or `head` itself when no change alters a file.
   * @throws GitError when a file differs from `before` (stale plan) or a path is not plain.
   */
  commit(opts: CommitOptions): Promise<string>;
  /**
   * Pushes a commit made by `commit()` to the base branch, only as a fast-forward of `head`.
   * A remote that moved since `head` gives `not-fast-forward` (call `refresh()` and re-plan); a server-side
   * refusal (hook, protected branch) gives `rejected` with the remote's message.
   * Local mode: before pushing, refuses with GitError if a path the commit changes is modified in the
   * working tree or index; after the push, moves the branch, index and working tree of those paths.
   */
  push(commitId: string): Promise<PushResult>;
  /** Fetches the remote branch (depth 1) and moves `head` and `source` to it. Touches no working tree. */
  refresh(): Promise<void>;
  /** The remote URL without credentials (for parsing `owner/name` and for messages). */
  readonly url: string;
  /**
   * Replaces the HTTPS credentials for later fetches and pushes (e.g. a GitHub App installation token
   * obtained after the clone).
   */
  useAuth(auth: GitAuth): void;
  /** Reads a commit's header (tree, parents, author, committer) and message from local objects. */
  readCommitInfo(oid: string): Promise<CommitInfo>;
  /**
   * Another branch on the remote (e.g. the pull-request branch `vault-rollout/main`): its head commit,
   * fetched at depth 1 when not already known locally, or null when the branch does not exist.
   * Reads through the upload-pack service only, so read-only credentials are enough.
   */
  remoteBranch(branch: string): Promise<CommitInfo | null>;
  /**
   * Points another remote branch at a commit made by `commit()` (a child of the base head), replacing
   * whatever it held (a force push), but only if the branch is still at `expectedOld` (null: must not
   * exist): a compare-and-swap, so a commit pushed meanwhile by someone else is never overwritten.
   * `not-fast-forward` means the branch moved; `rejected` a server-side refusal.
   */
  pushBranch(commitId: string, branch: string, opts: { expectedOld: string | null }): Promise<PushResult>;
  /** Deletes a remote branch if it is still at `expectedOld` (same compare-and-swap as pushBranch). */
  deleteBranch(branch: string, expectedOld: string): Promise<PushResult>;
  /** Removes the temporary clone (remote mode). Safe to call twice. */
  close(): Promise<void>;
}

interface Context {
  url: URL;
  auth: GitAuth | undefined;
  logger: Logger;
  onProgress: ((e: GitProgress) => void) | undefined;
}

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err
    ? String((err as { code: unknown }).code)
    : undefined;
}

/** Turns an isomorphic-git or network error into a GitError whose message holds no token and no raw body. */
export function toGitError(err: unknown, action: string, ctx: Pick<Context, 'url' | 'auth'>): GitError {
  if (err instanceof GitError) return err;
  if (err instanceof VaultRolloutError) return new GitError(err.message, err.data);
  const where = `"${displayUrl(ctx.url)}"`;
  const code = errCode(err);
  const data = (err as { data?: Record<string, unknown> } | null)?.data ?? {};
  if (code === 'HttpError' || code === 'UserCanceledError') {
    const status = Number(data['statusCode'] ?? 401);
    if (status === 401 || status === 403 || code === 'UserCanceledError') {
      const who = ctx.auth ? `as "${ctx.auth.username}" with the given token` : 'without credentials';
      return new GitError(
        `${action} ${where} failed: authentication refused (${who}); check GIT_TOKEN / GIT_USERNAME and the token's repository access`,
        { url: displayUrl(ctx.url), status },
      );
    }
    return new GitError(
      `${action} ${where} failed: HTTP ${status} ${String(data['statusMessage'] ?? '')}`.trim(),
      {
        url: displayUrl(ctx.url),
        status,
      },
    );
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ECONNRESET' || code === 'ETIMEDOUT') {
    return new GitError(
      `${action} ${where} failed: cannot reach the server (${code}); check the URL and network`,
      {
        url: displayUrl(ctx.url),
        cause: code,
      },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new GitError(`${action} ${where} failed: ${redact(message, ctx.auth).slice(0, 500)}`, {
    url: displayUrl(ctx.url),
    cause: code ?? 'unknown',
  });
}

/** Server refusals that mean "the branch moved under you": retry after re-planning. */
const RACE_PATTERNS = [
  /non-fast-forward/i,
  /fetch first/i,
  /stale info/i,
  /failed to lock/i,
  // git >= 2.2x: "failed to update ref" + "remote: error: cannot lock ref '...': is at X but expected Y".
  /cannot lock ref .* but expected/i,
];

abstract class BaseWorkspace implements Workspace {
  abstract readonly mode: 'local' | 'remote';
  head: string;
  readonly source: TreeManifestSource;
  protected readonly repoObjects: ObjectRepo;

  constructor(
    readonly branch: string,
    head: string,
    repoObjects: ObjectRepo,
    protected readonly ctx: Context,
  ) {
    this.head = head;
    this.repoObjects = repoObjects;
    this.source = {
      load: async (accept, hints) => {
        const started = performance.now();
        const tree = await readCommitTree(this.repoObjects, this.head);
        const out = await loadFiles(this.repoObjects, tree, accept, hints?.enterDir);
        this.ctx.logger.debug('read manifests from git objects', {
          commit: this.head,
          files: out.files.length,
          ms: Math.round(performance.now() - started),
        });
        return out;
      },
    };
  }

  get url(): string {
    return displayUrl(this.ctx.url);
  }

  useAuth(auth: GitAuth): void {
    this.ctx.auth = auth;
  }

  async readCommitInfo(oid: string): Promise<CommitInfo> {
    const obj = await this.repoObjects.reader.read(oid);
    if (obj.type !== 'commit') throw new GitError(`object ${oid} is a ${obj.type}, expected a commit`);
    return parseCommit(oid, obj.data);
  }

  async remoteBranch(branch: string): Promise<CommitInfo | null> {
    const ref = `refs/heads/${branch}`;
    const state: RemoteAuthState = { given: null };
    let advertisement: RefAdvertisement;
    try {
      advertisement = await discoverUploadPack(this.ctx.url.href, this.ctx.auth, state);
    } catch (err) {
      throw toGitError(err, `reading branch "${branch}" of`, this.ctx);
    }
    const oid = advertisement.refs.get(ref) ?? null;
    if (!oid) return null;
    const known = await this.readCommitInfo(oid).catch(() => null);
    if (known) return known;
    try {
      // Depth 1: only the head commit and the objects the base does not share with it.
      await this.fetchBranch(branch, oid, advertisement, state);
    } catch (err) {
      throw toGitError(err, `fetching "${branch}" from`, this.ctx);
    }
    this.repoObjects.reader.reset();
    return this.readCommitInfo(oid);
  }

  /** Fetches `oid`, the head of remote `branch`, at depth 1 and points `refs/remotes/origin/<branch>` at it. */
  protected async fetchBranch(
    branch: string,
    _oid: string,
    _advertisement: RefAdvertisement,
    _state: RemoteAuthState,
  ): Promise<void> {
    await git.fetch({
      ...this.gitArgs,
      http,
      url: this.ctx.url.href,
      ref: branch,
      remoteRef: branch,
      singleBranch: true,
      depth: 1,
      tags: false,
      ...authCallbacks(this.ctx.auth),
    });
  }

  async pushBranch(
    commitId: string,
    branch: string,
    opts: { expectedOld: string | null },
  ): Promise<PushResult> {
    if (branch === this.branch) {
      throw new GitError(`pushBranch() updates another branch than the base "${this.branch}"; use push()`);
    }
    return this.updateRef(branch, opts.expectedOld, commitId);
  }

  async deleteBranch(branch: string, expectedOld: string): Promise<PushResult> {
    if (branch === this.branch) throw new GitError(`refusing to delete the base branch "${this.branch}"`);
    return this.updateRef(branch, expectedOld, null);
  }

  /** One receive-pack command `expectedOld -> next` on `branch` (null: absent), with the run's objects. */
  private async updateRef(
    branch: string,
    expectedOld: string | null,
    next: string | null,
  ): Promise<PushResult> {
    if (next) {
      const commit = await this.readCommitInfo(next);
      if (commit.parents.length !== 1 || commit.parents[0] !== this.head) {
        throw new GitError(
          `commit ${next.slice(0, 12)} is not a child of the base head; build it with commit()`,
        );
      }
    }
    const url = this.ctx.url.href;
    const state: RemoteAuthState = { given: null };
    let current: string | null;
    try {
      current = await remoteBranchHead(url, branch, this.ctx.auth, state);
    } catch (err) {
      throw toGitError(err, 'pushing to', this.ctx);
    }
    if (current !== expectedOld) {
      return {
        ok: false,
        reason: 'not-fast-forward',
        message: `branch "${branch}" is at ${current ? current.slice(0, 12) : '(absent)'}, expected ${
          expectedOld ? expectedOld.slice(0, 12) : '(absent)'
        }`,
      };
    }
    if (current === next) return { ok: true };
    // A deletion sends no pack; an update sends only the objects this run wrote (the remote has the base).
    const pack = next ? buildPack(this.repoObjects.writer.objectsOf(next)) : Buffer.alloc(0);
    let out;
    try {
      out = await sendReceivePack({
        url,
        branch,
        oldOid: expectedOld ?? ZERO_OID,
        newOid: next ?? ZERO_OID,
        pack,
        state,
      });
    } catch (err) {
      throw toGitError(err, 'pushing to', this.ctx);
    }
    if (out.status === 401 || out.status === 403) {
      throw toGitError({ code: 'HttpError', data: { statusCode: out.status } }, 'pushing to', this.ctx);
    }
    if (!out.ok) return this.classifyPushError(out.error ?? 'refused', out.messages, branch);
    this.ctx.logger.info(next ? 'pushed branch' : 'deleted branch', {
      branch,
      ...(next ? { commit: next, packBytes: pack.length } : {}),
    });
    return { ok: true };
  }

  protected get gitArgs() {
    return { fs, dir: this.repoObjects.dir, gitdir: this.repoObjects.gitdir, cache: this.repoObjects.cache };
  }

  async commit(opts: CommitOptions): Promise<string> {
    const id = await writeChangesCommit(this.repoObjects, this.head, {
      changes: opts.changes,
      message: opts.message,
      author: opts.author,
      now: opts.now ?? new Date(),
    });
    if (id)
      this.ctx.logger.debug('wrote commit', { commit: id, parent: this.head, files: opts.changes.length });
    return id ?? this.head;
  }

  /** Local mode: refuse before pushing if the checkout cannot be moved forward safely. */
  protected async beforePush(_commitId: string): Promise<void> {}
  /** Local mode: move the checkout forward after a successful push. */
  protected async afterPush(_commitId: string): Promise<void> {}

  async push(commitId: string): Promise<PushResult> {
    if (commitId === this.head) return { ok: true };
    const commit = await this.readCommitInfo(commitId);
    const parent = commit.parents[0];
    if (parent !== this.head || commit.parents.length !== 1) {
      throw new GitError(
        `commit ${commitId.slice(0, 12)} is not a child of the base head; build it with commit()`,
      );
    }
    await this.beforePush(commitId);
    const started = performance.now();
    const url = this.ctx.url.href;
    const state: RemoteAuthState = { given: null };
    let remoteHead: string | null;
    try {
      // Checked before any pack is built or sent: a moved remote is a cheap, clean "not-fast-forward".
      remoteHead = await remoteBranchHead(url, this.branch, this.ctx.auth, state);
    } catch (err) {
      throw toGitError(err, 'pushing to', this.ctx);
    }
    if (remoteHead !== parent) {
      return {
        ok: false,
        reason: 'not-fast-forward',
        message: remoteHead
          ? `branch "${this.branch}" moved to ${remoteHead.slice(0, 12)} since ${parent.slice(0, 12)}`
          : `branch "${this.branch}" no longer exists on the remote`,
      };
    }
    // Only the objects this run wrote: the remote has every other object of the base commit.
    const pack = buildPack(this.repoObjects.writer.objectsOf(commitId));
    let out;
    try {
      out = await sendReceivePack({
        url,
        branch: this.branch,
        oldOid: parent,
        newOid: commitId,
        pack,
        state,
      });
    } catch (err) {
      throw toGitError(err, 'pushing to', this.ctx);
    }
    if (out.status === 401 || out.status === 403) {
      throw toGitError({ code: 'HttpError', data: { statusCode: out.status } }, 'pushing to', this.ctx);
    }
    if (!out.ok) return this.classifyPushError(out.error ?? 'refused', out.messages);
    await git.writeRef({
      ...this.gitArgs,
      ref: `refs/remotes/origin/${this.branch}`,
      value: commitId,
      force: true,
    });
    this.ctx.logger.info('pushed', {
      branch: this.branch,
      commit: commitId,
      packBytes: pack.length,
      ms: Math.round(performance.now() - started),
    });
    await this.afterPush(commitId);
    this.head = commitId;
    return { ok: true };
  }

  private classifyPushError(err: unknown, messages: string[], branch = this.branch): PushResult {
    const result = (err as { data?: { result?: { refs?: Record<string, { ok: boolean; error?: string }> } } })
      .data?.result;
    // For the base branch this keeps the message of issue 3; other branches name the server's reason.
    const given = typeof err === 'string' && branch !== this.branch ? err : undefined;
    const refError = given ?? result?.refs?.[`refs/heads/${branch}`]?.error ?? 'refused';
    const remoteSays = messages
      .map((m) => m.replace(/\s+$/, ''))
      .filter(Boolean)
      .join(' | ');
    const message = redact(
      `the remote refused the update of "${branch}": ${refError}${remoteSays ? ` (remote: ${remoteSays})` : ''}`,
      this.ctx.auth,
    ).slice(0, 1000);
    const reason = RACE_PATTERNS.some((re) => re.test(`${refError} ${remoteSays}`))
      ? 'not-fast-forward'
      : 'rejected';
    return { ok: false, reason, message };
  }

  protected async fetchHead(): Promise<string> {
    const started = performance.now();
    try {
      const res = await git.fetch({
        ...this.gitArgs,
        http,
        url: this.ctx.url.href,
        ref: this.branch,
        remoteRef: this.branch,
        singleBranch: true,
        depth: 1,
        tags: false,
        ...authCallbacks(this.ctx.auth),
        ...(this.ctx.onProgress ? { onProgress: this.ctx.onProgress } : {}),
      });
      if (!res.fetchHead)
        throw new GitError(`branch "${this.branch}" not found on "${displayUrl(this.ctx.url)}"`);
      this.ctx.logger.debug('fetched', {
        branch: this.branch,
        head: res.fetchHead,
        ms: Math.round(performance.now() - started),
      });
      return res.fetchHead;
    } catch (err) {
      throw toGitError(err, `fetching "${this.branch}" from`, this.ctx);
    }
  }

  async refresh(): Promise<void> {
    this.head = await this.fetchHead();
  }

  abstract close(): Promise<void>;
}

class RemoteWorkspace extends BaseWorkspace {
  readonly mode = 'remote' as const;
  private closed = false;

  /** Our own depth-1 fetch (shallow-fetch.ts), telling the server which commit is here already. */
  protected override async fetchBranch(
    branch: string,
    oid: string,
    advertisement: RefAdvertisement,
    state: RemoteAuthState,
  ): Promise<void> {
    if (!isValidBranchName(branch)) throw new GitError(`"${branch}" is not a valid branch name`);
    const fetched = await fetchInto({
      gitdir: this.repoObjects.gitdir,
      url: this.ctx.url.href,
      advertisement,
      want: oid,
      haves: [this.head],
      readLocal: (o) => this.repoObjects.reader.read(o).catch(() => undefined),
      auth: this.ctx.auth,
      state,
      onProgress: this.ctx.onProgress,
    });
    await writeRefFile(this.repoObjects.gitdir, `refs/remotes/origin/${branch}`, oid);
    this.repoObjects.reader.reset();
    this.ctx.logger.debug('fetched', { branch, head: oid, ...fetched });
  }

  protected override async fetchHead(): Promise<string> {
    const state: RemoteAuthState = { given: null };
    try {
      const advertisement = await discoverUploadPack(this.ctx.url.href, this.ctx.auth, state);
      const oid = advertisement.refs.get(`refs/heads/${this.branch}`);
      if (!oid) throw new GitError(`branch "${this.branch}" not found on "${displayUrl(this.ctx.url)}"`);
      if (!(await this.readCommitInfo(oid).catch(() => null))) {
        await this.fetchBranch(this.branch, oid, advertisement, state);
      }
      await writeRefFile(this.repoObjects.gitdir, `refs/remotes/origin/${this.branch}`, oid);
      await writeRefFile(this.repoObjects.gitdir, `refs/heads/${this.branch}`, oid);
      return oid;
    } catch (err) {
      throw toGitError(err, `fetching "${this.branch}" from`, this.ctx);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await rm(this.repoObjects.dir, { recursive: true, force: true });
  }
}

class LocalWorkspace extends BaseWorkspace {
  readonly mode = 'local' as const;

  constructor(
    branch: string,
    head: string,
    repoObjects: ObjectRepo,
    ctx: Context,
    /** The checkout's branch commit at open: the working tree matches it. */
    private checkoutHead: string,
    /** `refs/remotes/origin/<branch>` at open, or null. */
    private readonly trackingAtOpen: string | null,
  ) {
    super(branch, head, repoObjects, ctx);
  }

  override async refresh(): Promise<void> {
    if (this.trackingAtOpen !== this.checkoutHead) {
      throw new GitError(
        `the local branch "${this.branch}" is not at "origin/${this.branch}" (local commits not pushed, or a stale ` +
          `remote-tracking ref); re-planning on the new remote head would drop them: push or rebase them first`,
        { branch: this.branch },
      );
    }
    await super.refresh();
  }

  private async checkoutDiff(commitId: string) {
    const from = await readCommitTree(this.repoObjects, this.checkoutHead);
    const to = await readCommitTree(this.repoObjects, commitId);
    return diffTrees(this.repoObjects, from, to);
  }

  protected override async beforePush(commitId: string): Promise<void> {
    const current = await git.resolveRef({ ...this.gitArgs, ref: `refs/heads/${this.branch}` });
    if (current !== this.checkoutHead) {
      throw new GitError(`the local branch "${this.branch}" moved while vault-rollout ran; run it again`);
    }
    const dirty: string[] = [];
    for (const d of await this.checkoutDiff(commitId)) {
      const status = await git.status({ ...this.gitArgs, filepath: d.path });
      if (status !== 'unmodified' && status !== 'absent') dirty.push(`${d.path} (${status})`);
    }
    if (dirty.length > 0) {
      throw new GitError(
        `uncommitted changes in files this commit changes: ${dirty.slice(0, 10).join(', ')}; commit or stash them first`,
        { paths: dirty },
      );
    }
  }

  protected override async afterPush(commitId: string): Promise<void> {
    const dir = this.repoObjects.dir;
    for (const d of await this.checkoutDiff(commitId)) {
      const abs = path.join(dir, ...d.path.split('/'));
      if (d.to && d.to.mode !== '160000') {
        await mkdir(path.dirname(abs), { recursive: true });
        await writeFile(abs, await readBlobBytes(this.repoObjects, d.to.oid));
        if (d.to.mode === '100755') await chmod(abs, 0o755);
        await git.add({ ...this.gitArgs, filepath: d.path, force: true });
      } else if (!d.to) {
        await unlink(abs).catch(() => undefined);
        await git.remove({ ...this.gitArgs, filepath: d.path });
      }
    }
    await git.writeRef({ ...this.gitArgs, ref: `refs/heads/${this.branch}`, value: commitId, force: true });
    this.checkoutHead = commitId;
  }

  async close(): Promise<void> {}
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** isomorphic-git reads index versions 2 and 3 only (DEPENDENCIES.md pitfall 4). */
async function checkIndexVersion(gitdir: string): Promise<void> {
  const indexPath = path.join(gitdir, 'index');
  if (!(await exists(indexPath))) return;
  const fh = await open(indexPath, 'r');
  try {
    const header = Buffer.alloc(8);
    await fh.read(header, 0, 8, 0);
    const version = header.readUInt32BE(4);
    if (header.toString('latin1', 0, 4) === 'DIRC' && version > 3) {
      throw new GitError(
        `the checkout's index is version ${version}, which isomorphic-git cannot read; run ` +
          '"git update-index --index-version 2" (or unset feature.manyFiles / index.version) and retry',
        { version },
      );
    }
  } finally {
    await fh.close();
  }
}

async function openLocal(opts: OpenWorkspaceOptions, logger: Logger): Promise<Workspace> {
  const dir = path.resolve(opts.repo);
  const gitdir = path.join(dir, '.git');
  const st = await stat(gitdir).catch(() => null);
  if (!st)
    throw new GitError(`"${dir}" is not a Git checkout (no .git folder); pass a checkout or an HTTPS URL`);
  if (!st.isDirectory()) {
    throw new GitError(`"${dir}" is a linked worktree or submodule (.git is a file), which is not supported`);
  }
  await checkIndexVersion(gitdir);
  const repoObjects = objectRepo(dir, gitdir);
  const current = await git.currentBranch({ fs, dir, gitdir, fullname: false });
  if (!current) {
    throw new GitError(`"${dir}" has a detached HEAD; check out the branch to update (e.g. "main") first`);
  }
  if (opts.branch && opts.branch !== current) {
    throw new GitError(
      `the checkout is on branch "${current}", not "${opts.branch}"; check out "${opts.branch}" or pass the repository URL`,
    );
  }
  const rawUrl = await git.getConfig({ fs, dir, gitdir, path: 'remote.origin.url' });
  if (typeof rawUrl !== 'string' || !rawUrl) {
    throw new GitError(`the checkout "${dir}" has no "origin" remote to push to`);
  }
  if (!looksLikeUrl(rawUrl)) {
    throw new GitError(
      `the "origin" remote of "${dir}" is not an http(s) URL; vault-rollout pushes over HTTPS only`,
    );
  }
  const url = checkRemoteUrl(rawUrl);
  const head = await git.resolveRef({ fs, dir, gitdir, ref: 'HEAD' });
  const tracking = await git
    .resolveRef({ fs, dir, gitdir, ref: `refs/remotes/origin/${current}` })
    .catch(() => null);
  logger.info('opened local checkout', { dir, branch: current, head });
  return new LocalWorkspace(
    current,
    head,
    repoObjects,
    { url, auth: opts.auth, logger, onProgress: opts.onProgress },
    head,
    tracking,
  );
}

async function openRemote(opts: OpenWorkspaceOptions, logger: Logger): Promise<Workspace> {
  const url = checkRemoteUrl(opts.repo);
  const ctx: Context = { url, auth: opts.auth, logger, onProgress: opts.onProgress };
  const where = displayUrl(url);
  if (opts.branch !== undefined && !isValidBranchName(opts.branch)) {
    throw new GitError(`"${opts.branch}" is not a valid branch name`, { branch: opts.branch });
  }
  const started = performance.now();
  const state: RemoteAuthState = { given: null };
  let advertisement: RefAdvertisement;
  try {
    advertisement = await discoverUploadPack(url.href, ctx.auth, state);
  } catch (err) {
    throw toGitError(err, 'cloning', ctx);
  }
  const branch = opts.branch ?? defaultBranch(advertisement);
  if (!branch || !isValidBranchName(branch)) {
    throw new GitError(`"${where}" has no default branch; pass --branch`, { url: where });
  }
  const head = advertisement.refs.get(`refs/heads/${branch}`);
  if (!head) {
    throw new GitError(`branch "${branch}" not found on "${where}"`, { url: where, branch });
  }
  const dir = await mkdtemp(path.join(opts.tmpRoot ?? os.tmpdir(), 'vault-rollout-'));
  const gitdir = path.join(dir, '.git');
  try {
    // The URL carries no credentials (checkRemoteUrl refuses them), so it may be written to the config.
    await initGitdir(gitdir, where, branch);
    const fetched = await fetchInto({
      gitdir,
      url: url.href,
      advertisement,
      want: head,
      haves: [],
      auth: ctx.auth,
      state,
      onProgress: opts.onProgress,
    });
    await writeRefFile(gitdir, `refs/heads/${branch}`, head);
    await writeRefFile(gitdir, `refs/remotes/origin/${branch}`, head);
    logger.info('cloned', {
      url: where,
      branch,
      head,
      ms: Math.round(performance.now() - started),
      ...fetched,
    });
    return new RemoteWorkspace(branch, head, objectRepo(dir, gitdir), ctx);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw toGitError(err, 'cloning', ctx);
  }
}

/**
 * Opens the base branch of a local checkout or of a remote URL.
 * @throws GitError for a non-loopback http URL, credentials in the URL, an unreachable or refusing server,
 *   a missing branch, a detached or index-v4 checkout.
 */
export async function openWorkspace(opts: OpenWorkspaceOptions): Promise<Workspace> {
  const logger = opts.logger ?? silentLogger;
  if (looksLikeUrl(opts.repo)) return openRemote(opts, logger);
  return openLocal(opts, logger);
}
