/**
 * The Git port on isomorphic-git: the fallback when no `git` is on PATH (or `VAULT_ROLLOUT_GIT=isomorphic`).
 * Same contract and same step order as native.ts (build from objects, push as a compare-and-swap, then
 * move the checkout; the decisions both make are policy.ts's), with isomorphic-git's limits: HTTP(S) remotes only, index versions 2 and 3 only, and
 * about 10x the memory of native git for a clone (measured: 440 MB against 50 MB for a 42 MB pack).
 *
 * Kept batched: one `add` with every path (one index write per commit), never `status` per file.
 * The push lease is isomorphic-git's `onPrePush` (it sees the remote's current value before sending) and
 * the receive-pack command itself, which names that old value, so the server refuses a ref that moved.
 */
import fs from 'node:fs';
import { chmod, mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import git, { type TreeEntry } from 'isomorphic-git';
import nodeHttp from 'isomorphic-git/http/node';

import { GitError, VaultRolloutError } from '../../core/errors.js';
import { DEFAULT_GIT_LIMITS, type RequestLimits } from '../../core/limits.js';
import { boundedHttp, type BoundedHttpClient } from './bounded-http.js';
import { makeTempDir, removeTempDir, stoppableFs } from '../fs/temp.js';
import type { Problem, RepoFile } from '../../core/model.js';
import { fileRule, MAX_LINK_BYTES, walkRepo, withinSize } from '../../core/repo-files.js';
import type {
  CommitFile,
  CommitInfo,
  CommitOptions,
  GitAuth,
  LoadOptions,
  Logger,
  PushResult,
  TreeManifestSource,
  Workspace,
} from '../../core/ports.js';
import { checkRemoteUrl, displayRemote, displayUrl, redact } from './remote-url.js';
import {
  type BranchSide,
  BuiltCommits,
  checkBranchName,
  checkCheckoutBranch,
  checkNotMoved,
  checkPlanned,
  commitChanges,
  deleteOtherBranch,
  keptMode,
  noDefaultBranch,
  noOrigin,
  onlyParent,
  pushBase,
  pushOtherBranch,
  refusal,
  remoteBranchCommit,
  shallowFetch,
  syncStep,
  uncommitted,
} from './policy.js';
import { authFor, decodeUtf8, gitTreeView, LinkedPaths, gitBlobId, loadResult } from './shared.js';

export interface IsoOpenOptions {
  repo: string;
  branch?: string | undefined;
  auth?: GitAuth | undefined;
  logger: Logger;
  tmpRoot?: string | undefined;
  readOnly?: boolean | undefined;
  /** Deadline and byte cap of each HTTP request (read per request); default: the git defaults. */
  limits?: RequestLimits | undefined;
}

const ZERO = '0'.repeat(40);
/** Paths per isomorphic-git `add` call (see moveCheckout). */
const ADD_BATCH = 1000;

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err
    ? String((err as { code: unknown }).code)
    : undefined;
}

/** Turns an isomorphic-git or network error into a one-line GitError without the token. */
function toGitError(
  err: unknown,
  action: string,
  where: string,
  auth: GitAuth | undefined,
  http: BoundedHttpClient,
): GitError {
  // isomorphic-git turns some failed reads into its own protocol errors; the bound that stopped the
  // request is the real reason.
  const stopped = http.takeFailure();
  if (stopped) return stopped;
  if (err instanceof GitError) return err;
  if (err instanceof VaultRolloutError) return new GitError(err.message, err.data);
  const code = errCode(err);
  const data = (err as { data?: Record<string, unknown> } | null)?.data ?? {};
  if (code === 'HttpError' || code === 'UserCanceledError') {
    const status = Number(data['statusCode'] ?? 401);
    if (status === 401 || status === 403) {
      const who = auth ? `as "${auth.username}" with the given token` : 'without credentials';
      return new GitError(
        `${action} "${where}" failed: authentication refused (${who}); check GIT_TOKEN / GIT_USERNAME and the token's repository access`,
        { url: where, status },
      );
    }
    return new GitError(`${action} "${where}" failed: HTTP ${status}`, { url: where, status });
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ECONNRESET' || code === 'ETIMEDOUT') {
    return new GitError(
      `${action} "${where}" failed: cannot reach the server (${code}); check the URL and network`,
      {
        url: where,
      },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new GitError(redact(`${action} "${where}" failed: ${message.split('\n')[0]}`, auth).slice(0, 500), {
    url: where,
  });
}

/** A workspace as opening found it (the constructor's one argument). */
interface IsoParts {
  mode: 'local' | 'remote';
  /** The checkout, or the temporary clone. */
  dir: string;
  branch: string;
  head: string;
  remoteUrl: string;
  auth: GitAuth | undefined;
  logger: Logger;
  readOnly: boolean;
  /** The temporary folder to remove on close (remote mode). */
  tmp: string | null;
  http: BoundedHttpClient;
}

export class IsoWorkspace implements Workspace {
  readonly source: TreeManifestSource;
  readonly mode: 'local' | 'remote';
  readonly branch: string;
  head: string;
  private readonly dir: string;
  private readonly remoteUrl: string;
  private auth: GitAuth | undefined;
  private readonly logger: Logger;
  private readonly readOnly: boolean;
  private readonly tmp: string | null;
  private readonly http: BoundedHttpClient;
  /**
   * isomorphic-git's object cache (parsed pack indexes, inflated objects). Replaced at the start of each
   * phase (read, commit, push, checkout update): one cache for a whole adoption run grew past 1 GB.
   */
  private cache: object = {};
  /** Files the last load read through a link, for writing their edits to the stored path. */
  private readonly linked = new LinkedPaths();
  private readonly made = new BuiltCommits<{ parent: string; paths: string[] }>();
  private closed = false;

  private constructor(parts: IsoParts) {
    this.mode = parts.mode;
    this.dir = parts.dir;
    this.branch = parts.branch;
    this.head = parts.head;
    this.remoteUrl = parts.remoteUrl;
    this.auth = authFor(parts.auth, parts.remoteUrl);
    this.logger = parts.logger;
    this.readOnly = parts.readOnly;
    this.tmp = parts.tmp;
    this.http = parts.http;
    this.source = { load: (accept, options) => this.load(accept, options) };
  }

  get url(): string {
    return displayRemote(this.remoteUrl);
  }

  useAuth(auth: GitAuth): boolean {
    const usable = authFor(auth, this.remoteUrl);
    if (usable) this.auth = usable;
    return usable !== undefined;
  }

  private get args() {
    // A temporary clone is written through a file system that stops when the run is stopped, so that its
    // removal on a signal is not undone by a write still on its way.
    const files = this.tmp ? stoppableFs : fs;
    return { fs: files, dir: this.dir, gitdir: path.join(this.dir, '.git'), cache: this.cache };
  }

  private get remoteArgs() {
    const auth = this.auth;
    return {
      http: this.http,
      url: this.remoteUrl,
      // Tokens travel through onAuth only, never inside the URL (isomorphic-git writes URLs to .git/config).
      ...(auth
        ? {
            onAuth: () => ({ username: auth.username, password: auth.token }),
            onAuthFailure: () => ({ cancel: true }),
          }
        : {}),
    };
  }

  private async entries(commit: string): Promise<Map<string, { oid: string; mode: string; type: string }>> {
    const out = new Map<string, { oid: string; mode: string; type: string }>();
    const visit = async (oid: string, prefix: string): Promise<void> => {
      const { tree } = await git.readTree({ ...this.args, oid });
      for (const e of tree) {
        const p = prefix + e.path;
        if (e.type === 'tree') await visit(e.oid, `${p}/`);
        else out.set(p, { oid: e.oid, mode: e.mode, type: e.type });
      }
    };
    const { commit: c } = await git.readCommit({ ...this.args, oid: commit });
    await visit(c.tree, '');
    return out;
  }

  // isomorphic-git inflates a packed object whole before saying its size, so here a blob is read before
  // its size is checked (only the git CLI engine checks first; docs/publishing.md, "Which git"). The limit
  // still applies before the text is decoded and used.
  private async load(
    accept: (path: string) => boolean,
    options: LoadOptions & { enterDir?: (dir: string) => boolean } = {},
  ): Promise<{ files: RepoFile[]; problems: Problem[] }> {
    this.cache = {};
    const head = this.head;
    const entries = await this.entries(head);
    const links = new Map<string, string | null>();
    for (const [p, e] of entries) {
      if (e.mode !== '120000') continue;
      const { blob } = await git.readBlob({ ...this.args, oid: e.oid });
      links.set(p, blob.length <= MAX_LINK_BYTES ? decodeUtf8(blob) : null);
    }
    const rule = fileRule(accept, options.anyName);
    const walked = walkRepo(gitTreeView(entries, links), rule, options.enterDir);
    this.linked.remember(head, walked.files);
    const read: { path: string; bytes: Uint8Array }[] = [];
    const problems = [...walked.problems];
    for (const f of walked.files) {
      const { blob } = await git.readBlob({ ...this.args, oid: entries.get(f.real)!.oid });
      const sized = withinSize([f], () => blob.length, options.maxFileBytes);
      if (sized.files.length === 0) problems.push(...sized.problems);
      else read.push({ path: f.path, bytes: blob });
    }
    return loadResult(read, problems);
  }

  async readCommitInfo(oid: string): Promise<CommitInfo> {
    const { commit } = await git.readCommit({ ...this.args, oid }).catch(() => {
      throw new GitError(`commit ${oid.slice(0, 12)} is not in the clone of "${this.url}"`);
    });
    const who = (p: { name: string; email: string; timestamp: number }) => ({
      name: p.name,
      email: p.email,
      timestamp: p.timestamp,
    });
    return {
      oid,
      tree: commit.tree,
      parents: commit.parent,
      author: who(commit.author),
      committer: who(commit.committer),
      message: commit.message,
    };
  }

  async changedFiles(commitId: string): Promise<CommitFile[]> {
    const commit = await this.readCommitInfo(commitId);
    const parent = onlyParent(commit);
    return this.diff(parent, commitId);
  }

  private async diff(from: string, to: string): Promise<CommitFile[]> {
    const a = await this.entries(from);
    const b = await this.entries(to);
    const out: CommitFile[] = [];
    for (const [p, e] of b) {
      const old = a.get(p);
      if (old && old.oid === e.oid && old.mode === e.mode) continue;
      const { blob } = await git.readBlob({ ...this.args, oid: e.oid });
      out.push({ path: p, oid: e.oid, mode: e.mode, bytes: blob });
    }
    for (const p of a.keys()) if (!b.has(p)) out.push({ path: p, oid: null, mode: null, bytes: null });
    return out;
  }

  async commit(opts: CommitOptions): Promise<string> {
    const changes = commitChanges(opts.changes, (p) => this.linked.real(this.head, p));
    if (changes.length === 0) return this.head;
    const base = this.head;
    this.cache = {};
    const listing = await this.entries(base);
    const edits = new Map<string, { oid: string; mode: string }>();
    for (const c of changes) {
      const entry = listing.get(c.path);
      // (isomorphic-git repositories are SHA-1 only: the default format)
      checkPlanned(c, entry, () => gitBlobId(c.before), base);
      const oid = await git.writeBlob({ ...this.args, blob: Buffer.from(c.after, 'utf8') });
      edits.set(c.path, { oid, mode: keptMode(entry) });
    }
    const { commit: parent } = await git.readCommit({ ...this.args, oid: base });
    const tree = await this.rewriteTree(parent.tree, '', edits);
    const seconds = Math.floor((opts.now ?? new Date()).getTime() / 1000);
    const person = {
      name: opts.author.name,
      email: opts.author.email,
      timestamp: seconds,
      timezoneOffset: 0,
    };
    const commit = await git.writeCommit({
      ...this.args,
      commit: {
        message: opts.message.endsWith('\n') ? opts.message : `${opts.message}\n`,
        tree,
        parent: [base],
        author: person,
        committer: person,
      },
    });
    this.made.add(commit, { parent: base, paths: changes.map((c) => c.path) });
    this.logger.debug('wrote commit', { commit, parent: base, files: changes.length });
    return commit;
  }

  /** Rewrites only the trees on the edited paths; every other subtree keeps its object id. */
  private async rewriteTree(
    oid: string | null,
    prefix: string,
    edits: Map<string, { oid: string; mode: string }>,
  ): Promise<string> {
    const entries: TreeEntry[] = oid ? [...(await git.readTree({ ...this.args, oid })).tree] : [];
    const dirs = new Map<string, Map<string, { oid: string; mode: string }>>();
    const put = (e: TreeEntry) => {
      const i = entries.findIndex((x) => x.path === e.path);
      if (i === -1) entries.push(e);
      else entries[i] = e;
    };
    for (const [rel, edit] of edits) {
      const slash = rel.indexOf('/');
      if (slash === -1) {
        if (entries.find((e) => e.path === rel && e.type !== 'blob')) {
          throw new GitError(
            `cannot write file "${prefix}${rel}": it is a folder or submodule in the repository`,
          );
        }
        put({ path: rel, mode: edit.mode, oid: edit.oid, type: 'blob' });
      } else {
        const name = rel.slice(0, slash);
        const sub = dirs.get(name) ?? new Map();
        sub.set(rel.slice(slash + 1), edit);
        dirs.set(name, sub);
      }
    }
    for (const [name, sub] of dirs) {
      const existing = entries.find((e) => e.path === name);
      if (existing && existing.type !== 'tree')
        throw new GitError(`cannot write below "${prefix}${name}": it is a file in the repository`);
      put({
        path: name,
        mode: '040000',
        oid: await this.rewriteTree(existing?.oid ?? null, `${prefix}${name}/`, sub),
        type: 'tree',
      });
    }
    return git.writeTree({ ...this.args, tree: entries });
  }

  /** One receive-pack command `expected -> src` on `branch` (null: absent / delete). */
  private async pushRef(branch: string, expected: string | null, src: string | null): Promise<PushResult> {
    let moved: string | null = null;
    const said: string[] = [];
    try {
      const res = await git.push({
        onMessage: (m) => {
          if (m.trim()) said.push(m.trim());
        },
        ...this.args,
        ...this.remoteArgs,
        ref: src ?? this.head,
        remoteRef: `refs/heads/${branch}`,
        force: true,
        ...(src === null ? { delete: true } : {}),
        onPrePush: ({ remoteRef }) => {
          const current = remoteRef.oid === ZERO ? null : remoteRef.oid;
          if (current === expected) return true;
          moved = current ?? '(absent)';
          return false;
        },
      });
      if (res.ok) return { ok: true };
      const why = res.refs?.[`refs/heads/${branch}`]?.error ?? res.error ?? 'refused';
      return refusal(branch, why, said.join(' | '), this.auth);
    } catch (err) {
      if (moved !== null) {
        return {
          ok: false,
          reason: 'not-fast-forward',
          message: `branch "${branch}" is at ${String(moved).slice(0, 12)}, expected ${expected ? expected.slice(0, 12) : '(absent)'}`,
        };
      }
      const refs = (err as { data?: { result?: { refs?: Record<string, { error?: string }> } } }).data?.result
        ?.refs;
      const why = refs?.[`refs/heads/${branch}`]?.error;
      if (errCode(err) === 'GitPushError' && why) return refusal(branch, why, said.join(' | '), this.auth);
      throw toGitError(err, 'pushing to', this.url, this.auth, this.http);
    }
  }

  async push(commitId: string): Promise<PushResult> {
    return pushBase(
      commitId,
      { mode: this.mode, head: this.head, built: this.made },
      {
        check: (made) => this.checkCheckout(made.paths),
        push: (expected) => {
          this.cache = {};
          return this.pushRef(this.branch, expected, commitId);
        },
        pushed: async (made) => {
          await git.writeRef({
            ...this.args,
            ref: `refs/remotes/origin/${this.branch}`,
            value: commitId,
            force: true,
          });
          this.logger.info('pushed', { branch: this.branch, commit: commitId });
          if (this.mode === 'local') await this.moveCheckout(made.parent, commitId);
          this.head = commitId;
        },
      },
    );
  }

  async pushBranch(
    commitId: string,
    branch: string,
    opts: { expectedOld: string | null },
  ): Promise<PushResult> {
    return pushOtherBranch(this.branchSide(), commitId, branch, opts.expectedOld);
  }

  async deleteBranch(branch: string, expectedOld: string): Promise<PushResult> {
    return deleteOtherBranch(this.branchSide(), branch, expectedOld);
  }

  private branchSide(): BranchSide {
    return {
      base: this.branch,
      head: this.head,
      built: this.made,
      logger: this.logger,
      pushRef: (branch, expected, to) => this.pushRef(branch, expected, to),
    };
  }

  private async remoteHead(branch: string): Promise<string | null> {
    try {
      const refs = await git.listServerRefs({ ...this.remoteArgs, prefix: `refs/heads/${branch}` });
      return refs.find((r) => r.ref === `refs/heads/${branch}`)?.oid ?? null;
    } catch (err) {
      throw toGitError(err, `reading branch "${branch}" of`, this.url, this.auth, this.http);
    }
  }

  private async fetch(branch: string): Promise<void> {
    try {
      await git.fetch({
        ...this.args,
        ...this.remoteArgs,
        remote: 'origin',
        ref: branch,
        remoteRef: branch,
        singleBranch: true,
        tags: false,
        ...(shallowFetch(this.mode) ? { depth: 1 } : {}),
      });
    } catch (err) {
      if (errCode(err) === 'NotFoundError')
        throw new GitError(`branch "${branch}" not found on "${this.url}"`);
      throw toGitError(err, `fetching "${branch}" from`, this.url, this.auth, this.http);
    }
  }

  async remoteBranch(branch: string): Promise<CommitInfo | null> {
    return remoteBranchCommit(branch, {
      head: () => this.remoteHead(branch),
      read: (oid) => this.readCommitInfo(oid),
      fetch: () => this.fetch(branch),
    });
  }

  async refresh(): Promise<void> {
    await this.fetch(this.branch);
    if (this.mode === 'local') await this.syncCheckout();
    else this.head = await git.resolveRef({ ...this.args, ref: `refs/remotes/origin/${this.branch}` });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.tmp) await removeTempDir(this.tmp);
  }

  // --- the local checkout (the rules are policy.ts's, as for native.ts) -------------------------

  private async syncCheckout(): Promise<void> {
    const local = await git.resolveRef({ ...this.args, ref: `refs/heads/${this.branch}` });
    const origin = await git.resolveRef({ ...this.args, ref: `refs/remotes/origin/${this.branch}` });
    const step = await syncStep(
      { branch: this.branch, url: this.url, readOnly: this.readOnly },
      local,
      origin,
      () =>
        git.isDescendent({ ...this.args, oid: origin, ancestor: local, depth: 10_000 }).catch(() => false),
    );
    if (step === 'same') {
      this.head = local;
      return;
    }
    if (step === 'fast-forward') await this.moveCheckout(local, origin, true);
    this.head = origin;
  }

  /** Paths among `paths` whose index or file differs from `head` (one statusMatrix over those paths). */
  private async dirty(paths: string[]): Promise<string[]> {
    if (paths.length === 0) return [];
    const wanted = new Set(paths);
    // `filter`, not `filepaths`: isomorphic-git tests every entry against every given path (5,000 x 10,000).
    const matrix = await git.statusMatrix({ ...this.args, ref: this.head, filter: (f) => wanted.has(f) });
    return matrix
      .filter(([p, h, w, s]) => wanted.has(p) && !(h === w && w === s && (h === 1 || h === 0)))
      .map(([p]) => p);
  }

  private async checkCheckout(paths: string[]): Promise<void> {
    checkNotMoved(
      this.branch,
      await git.resolveRef({ ...this.args, ref: `refs/heads/${this.branch}` }),
      this.head,
    );
    const dirty = await this.dirty(paths);
    if (dirty.length > 0) throw uncommitted(dirty);
  }

  /** Writes the files that differ between `from` and `to`, one index update for all of them, then the ref. */
  private async moveCheckout(from: string, to: string, check = false): Promise<void> {
    this.cache = {};
    const changed = await this.diff(from, to);
    if (check) {
      const prev = this.head;
      this.head = from;
      const dirty = await this.dirty(changed.map((c) => c.path));
      this.head = prev;
      // A file already at the target content is a fast-forward that was interrupted: not a person's edit.
      const reallyDirty: string[] = [];
      for (const p of dirty) {
        const target = changed.find((c) => c.path === p);
        const onDisk = await fs.promises.readFile(path.join(this.dir, p)).catch(() => null);
        if (!target?.bytes || !onDisk || !Buffer.from(target.bytes).equals(onDisk)) reallyDirty.push(p);
      }
      if (reallyDirty.length > 0) {
        throw new GitError(
          `the checkout's "${this.branch}" is behind "origin/${this.branch}" and has uncommitted changes in ${reallyDirty.slice(0, 10).join(', ')}; commit or stash them first`,
        );
      }
    }
    const added: string[] = [];
    const removed: string[] = [];
    for (const c of changed) {
      const abs = path.join(this.dir, ...c.path.split('/'));
      if (c.bytes && c.mode !== '160000') {
        await mkdir(path.dirname(abs), { recursive: true });
        await writeFile(abs, c.bytes);
        if (c.mode === '100755') await chmod(abs, 0o755);
        added.push(c.path);
      } else if (!c.bytes) {
        await rm(abs, { force: true });
        removed.push(c.path);
      }
    }
    // isomorphic-git's add reads, hashes and stores every path of one call at once: 5,000 at a time peaked
    // at 1.4 GB. A few calls of 1,000 paths each keep the index writes to a handful.
    for (let i = 0; i < added.length; i += ADD_BATCH) {
      await git.add({ ...this.args, filepath: added.slice(i, i + ADD_BATCH), force: true });
    }
    for (const p of removed) await git.remove({ ...this.args, filepath: p });
    await git.writeRef({ ...this.args, ref: `refs/heads/${this.branch}`, value: to, force: true });
  }

  // --- opening --------------------------------------------------------------------------------

  static async openRemote(opts: IsoOpenOptions): Promise<IsoWorkspace> {
    const url = checkRemoteUrl(opts.repo);
    const where = displayUrl(url);
    checkBranchName(opts.branch);
    const tmp = await makeTempDir('vault-rollout-', opts.tmpRoot);
    const http = boundedHttp(nodeHttp, opts.limits ?? { ...DEFAULT_GIT_LIMITS });
    try {
      const parts: IsoParts = {
        mode: 'remote',
        dir: tmp,
        branch: opts.branch ?? '',
        head: '',
        remoteUrl: url.href,
        auth: opts.auth,
        logger: opts.logger,
        readOnly: false,
        tmp,
        http,
      };
      // Cloned through a workspace on no branch yet; the one returned names the branch and head found.
      const ws = new IsoWorkspace(parts);
      try {
        await git.clone({
          ...ws.args,
          ...ws.remoteArgs,
          ...(opts.branch ? { ref: opts.branch } : {}),
          singleBranch: true,
          depth: 1,
          noCheckout: true,
          noTags: true,
        });
      } catch (err) {
        if (errCode(err) === 'NotFoundError')
          throw new GitError(`branch "${opts.branch}" not found on "${where}"`, { url: where });
        throw toGitError(err, 'cloning', where, authFor(opts.auth, url.href), http);
      }
      const branch = opts.branch ?? (await git.currentBranch({ ...ws.args })) ?? '';
      if (!branch) throw noDefaultBranch(where);
      const head = await git.resolveRef({ ...ws.args, ref: 'HEAD' });
      const opened = new IsoWorkspace({ ...parts, branch, head });
      opts.logger.info('cloned', { url: where, branch, head });
      return opened;
    } catch (err) {
      await removeTempDir(tmp);
      throw err;
    }
  }

  static async openLocal(opts: IsoOpenOptions): Promise<IsoWorkspace> {
    const dir = path.resolve(opts.repo);
    const gitdir = path.join(dir, '.git');
    const st = await stat(gitdir).catch(() => null);
    if (!st)
      throw new GitError(`"${dir}" is not a Git checkout (no .git folder); pass a checkout or an HTTPS URL`);
    if (!st.isDirectory()) {
      throw new GitError(
        `"${dir}" is a linked worktree or submodule (.git is a file), which needs the git CLI: install git`,
      );
    }
    await checkIndexVersion(gitdir);
    const current = (await git.currentBranch({ fs, dir, gitdir, fullname: false })) ?? '';
    checkCheckoutBranch(dir, current, opts.branch);
    const rawUrl = await git.getConfig({ fs, dir, gitdir, path: 'remote.origin.url' });
    if (typeof rawUrl !== 'string' || !rawUrl) throw noOrigin(dir);
    if (!/^https?:\/\//i.test(rawUrl)) {
      throw new GitError(
        `the "origin" remote of "${dir}" (${displayRemote(rawUrl)}) is not HTTP(S), which only the git CLI can reach: install git`,
      );
    }
    const url = checkRemoteUrl(rawUrl);
    const ws = new IsoWorkspace({
      mode: 'local',
      dir,
      branch: current,
      head: '',
      remoteUrl: url.href,
      auth: opts.auth,
      logger: opts.logger,
      readOnly: opts.readOnly ?? false,
      tmp: null,
      http: boundedHttp(nodeHttp, opts.limits ?? { ...DEFAULT_GIT_LIMITS }),
    });
    await ws.refresh();
    opts.logger.info('opened local checkout', { dir, branch: current, head: ws.head });
    return ws;
  }
}

/** isomorphic-git reads index versions 2 and 3 only (not v4). */
async function checkIndexVersion(gitdir: string): Promise<void> {
  const fh = await open(path.join(gitdir, 'index'), 'r').catch(() => null);
  if (!fh) return;
  try {
    const header = Buffer.alloc(8);
    await fh.read(header, 0, 8, 0);
    const version = header.readUInt32BE(4);
    if (header.toString('latin1', 0, 4) === 'DIRC' && version > 3) {
      throw new GitError(
        `the checkout's index is version ${version}, which isomorphic-git cannot read; install git, or run ` +
          '"git update-index --index-version 2" and retry',
        { version },
      );
    }
  } finally {
    await fh.close();
  }
}
