/**
 * The Git port on the native git CLI (used whenever `git` is on PATH).
 *
 * - **local** (`--repo` is a checkout): git talks to the checkout's own `origin` with the person's own
 *   setup (SSH keys and agent, credential helpers, proxies, `insteadOf`), whatever the protocol.
 * - **remote** (`--repo` is a URL): `git clone --depth 1 --no-checkout --single-branch` into a temporary
 *   folder, removed on close.
 *
 * For an SSH remote (either mode) with a deploy key or known-hosts file configured, every git child gets
 * `GIT_SSH_COMMAND` from ssh.ts in its environment (never the checkout's config file).
 *
 * In both modes manifests are read from the commit (`ls-tree`, sizes by `cat-file --batch-check`, then one
 * `cat-file --batch` of the files within `maxFileBytes`), and the commit is
 * built by one `git fast-import` into the object store (blobs, trees and the commit as one pack), so
 * neither the person's index nor their files are touched before the push. The push is a
 * compare-and-swap (`--force-with-lease=<ref>:<expected>` on a child of the expected commit, which is a
 * fast-forward-only push that also refuses a branch reset behind our back); the flow, and what a refusal
 * means, are policy.ts's, shared with iso.ts.
 *
 * Local mode keeps the checkout as `git commit && git push` would leave it, in an order that survives a
 * `kill -9` anywhere: (1) fetch `origin/<branch>` without `--depth` (no new shallow boundary); a branch
 * behind it is fast-forwarded when clean (`read-tree -m -u`, then the ref), refused when it has commits of
 * its own; (2) build the commit from objects; (3) push, which also moves `origin/<branch>`, and while it
 * is in flight move the files and index entries of the changed paths (plain files are written from the
 * commit's bytes and re-indexed by one `update-index`, see checkout-move.ts; anything else goes through
 * `read-tree -m -u <base> <commit>` after the push; both keep every other entry and refuse to overwrite a
 * person's edit); (4) once the remote took it, the branch ref. A push that does not land has the files put
 * back (`read-tree -m -u <commit> <base>`). While files may be ahead of the branch, a marker in the git
 * folder names both commits: a run killed then has the next one put them back first (recoverMove). A run
 * killed after (3) leaves a branch behind its origin, and the next run's step (1) finishes the
 * fast-forward (a file holding the old or the new bytes, or missing, is ours to write).
 */
import {
  closeSync,
  existsSync,
  lstatSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writevSync,
  type Stats,
} from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

import { GitError } from '../../core/errors.js';
import { makeTempDir, makeTempDirSync, removeTempDir } from '../fs/temp.js';
import type { Problem, RepoFile } from '../../core/model.js';
import {
  fileRule,
  isManifestName,
  MAX_LINK_BYTES,
  walkRepo,
  withinSize,
  type FoundFile,
} from '../../core/repo-files.js';
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
import {
  changedSince,
  inspectWorkTree,
  type MoveCheck,
  statFiles,
  type MoveEntry,
  writeWorkTree,
} from './checkout-move.js';
import { parseCommit } from './commit-info.js';
import { GitCli, type GitRunOptions, type GitRunResult } from './exec.js';
import { checkRemoteUrl, checkSshRemote, displayRemote, redact } from './remote-url.js';
import { hostKeyHint, sshCommand, type SshSettings } from './ssh.js';
import { repoKind } from '../../core/repo-location.js';
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
  type Undo,
} from './policy.js';
import { authFor, decodeUtf8, gitTreeView, LinkedPaths, gitBlobId, loadResult } from './shared.js';

export interface NativeOpenOptions {
  repo: string;
  branch?: string | undefined;
  auth?: GitAuth | undefined;
  git: GitCli;
  logger: Logger;
  tmpRoot?: string | undefined;
  /** Local mode: plan on the remote head but move nothing in the checkout (`apply --dry-run`). */
  readOnly?: boolean | undefined;
  /** Local mode: called with the branch when it has no commit yet (it throws the message to show). */
  unborn?: ((branch: string) => void) | undefined;
  /** Deploy key and known-hosts file for an SSH remote; nothing set: git's own SSH setup. */
  ssh?: SshSettings | undefined;
}

/** A commit this run built: its parent, the paths it changes, and what moving a checkout to it writes. */
interface Made {
  parent: string;
  paths: string[];
  entries: MoveEntry[];
  /** The checkout checked while the commit was built (local mode); push() checks again without it. */
  precheck?: Precheck | undefined;
}

/** What checking a checkout found: a plain checkout's inspection, or "git must check it" (not plain). */
type Precheck = { plain: true; check: MoveCheck; conflicts: string[] } | { plain: false };

/** One path of the index: its blob and stage, and whether it is a plain entry (see readIndex). */
interface IndexEntry {
  oid: string;
  stage: string;
  plain: boolean;
}

/** Entries whose index entry is neither their old nor their new blob (a staged edit, a conflict). */
function indexConflicts(entries: readonly MoveEntry[], index: Map<string, IndexEntry>): string[] {
  const conflicts: string[] = [];
  for (const e of entries) {
    const entry = index.get(e.path);
    if (!entry) {
      if (e.from !== null) conflicts.push(e.path);
    } else if (entry.stage !== '0' || (entry.oid !== e.from && entry.oid !== e.to)) conflicts.push(e.path);
  }
  return conflicts;
}

interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
  /** The object's size from its header (a blob's length in bytes); null for a submodule's commit. */
  size: number | null;
}

/**
 * Parses `ls-tree -r -l -z` output: `<mode> <type> <oid> <size>\t<path>\0`, the size padded with spaces
 * (`-` for a submodule). The sizes come from the objects' headers, as `cat-file --batch-check` gives them,
 * so a file over the size limit is known before any byte of it is read.
 */
function parseLsTree(out: Buffer): Map<string, TreeEntry> {
  const entries = new Map<string, TreeEntry>();
  for (const rec of out.toString('utf8').split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    const [mode = '', type = '', oid = '', size = ''] = rec.slice(0, tab).split(/ +/);
    entries.set(rec.slice(tab + 1), { mode, type, oid, size: /^\d+$/.test(size) ? Number(size) : null });
  }
  return entries;
}

/** Parses `cat-file --batch` output into the bytes of each object, by id. */
function parseBatch(out: Buffer): Map<string, Buffer> {
  const objects = new Map<string, Buffer>();
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(10, at);
    if (eol === -1) break;
    const header = out.toString('latin1', at, eol).split(' ');
    at = eol + 1;
    if (header[1] === 'missing' || header.length < 3) continue;
    const size = Number(header[2]);
    objects.set(header[0]!, out.subarray(at, at + size));
    at += size + 1;
  }
  return objects;
}

/** The first lines of git's stderr that say what went wrong, without progress noise. */
function gitSays(stderr: string): string {
  return stderr
    .split('\n')
    .map((l) => l.replace(/^(fatal|error): /, '').trim())
    .filter((l) => l && !/^(hint|warning):/.test(l))
    .slice(0, 3)
    .join(' | ')
    .slice(0, 500);
}

const AUTH_FAILED =
  /Authentication failed|could not read (Username|Password)|returned error: 40[13]|HTTP 40[13]|Permission denied \(publickey|Invalid username or password|terminal prompts disabled/i;
const UNREACHABLE =
  /Could not resolve host|Connection refused|Failed to connect|Connection timed out|Couldn't connect|Network is unreachable|Could not read from remote repository/i;

/** A workspace as opening found it (the constructor's one argument). */
interface NativeParts {
  mode: 'local' | 'remote';
  /** The checkout, or the temporary clone. */
  dir: string;
  branch: string;
  head: string;
  /** The remote as given (origin's URL or path), for git; `url` is its printable form. */
  remote: string;
  git: GitCli;
  auth: GitAuth | undefined;
  /** Whether our Authorization header may be added (not when the checkout configures its own). */
  headerAllowed: boolean;
  objectFormat: 'sha1' | 'sha256';
  logger: Logger;
  readOnly: boolean;
  /** The temporary folder to remove on close (remote mode). */
  tmp: string | null;
  /** origin's URL in local mode, where `remote` is the name `origin` (for messages and the header scope). */
  originUrl?: string | null | undefined;
  /** The ssh command for an SSH remote with a configured key or known-hosts file. */
  ssh: { command: string; settings: SshSettings } | null;
  /** The object store and index file, when opening asked (local mode); else asked when needed. */
  gitPaths?: GitPaths | null | undefined;
}

/** The attributes that make checkout write other bytes than the blob's (see plainCheckout). */
const CHECKOUT_ATTRIBUTES = new Set(['eol', 'crlf', 'filter', 'ident', 'working-tree-encoding']);

interface GitPaths {
  format: 'sha1' | 'sha256';
  objects: string;
  index: string;
  /** The marker of a move of the checkout's files during a push: see moveWhilePushing. */
  move: string;
}

/**
 * The largest blob read before the fetch has answered (see readEarly): the configured file limit is not
 * known yet, and a bigger manifest is rare enough to be read with the rest.
 */
const EARLY_BLOB_BYTES = 1024 * 1024;

/** A full object id, SHA-1 or SHA-256. */
const OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** The file, in the checkout's git folder, that names both commits while a push moves the files. */
const MOVE_MARKER = 'vault-rollout-move';

/**
 * The output lines of a successful `rev-parse --show-object-format --path-format=absolute --git-path
 * objects --git-path index --git-path vault-rollout-move`, or null when they are not all there.
 */
function gitPaths(lines: readonly string[]): GitPaths | null {
  const [format, objects, index, move] = lines;
  if (!objects || !index || !move) return null;
  return { format: format === 'sha256' ? 'sha256' : 'sha1', objects, index, move };
}

/**
 * Writes `parts` to a new file with `writev`, 1,024 at a time: no copy into one buffer first (5,000 files
 * are 15,000 parts; concatenating them cost 50 ms of this process's time).
 */
function writeParts(file: string, parts: readonly Buffer[]): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    for (let i = 0; i < parts.length; i += 1024) {
      const group = parts.slice(i, i + 1024);
      const total = group.reduce((n, b) => n + b.length, 0);
      const done = writevSync(fd, group);
      // A short write (rare on a regular file): the rest, byte-exact.
      if (done < total) writeFileSync(fd, Buffer.concat(group).subarray(done));
    }
  } finally {
    closeSync(fd);
  }
}

/** The ids of the regular files `rule` accepts within `maxFileBytes`, by their listing (nothing is read). */
function likelyBlobs(
  listing: Map<string, TreeEntry>,
  rule: (path: string) => boolean,
  maxFileBytes: number | undefined,
): string[] {
  const oids = new Set<string>();
  for (const [p, e] of listing) {
    if (e.type !== 'blob' || (e.mode !== '100644' && e.mode !== '100755')) continue;
    if (e.size === null || (maxFileBytes !== undefined && e.size > maxFileBytes)) continue;
    if (rule(p)) oids.add(e.oid);
  }
  return [...oids];
}

/** The index entries of `ls-files -s -v -z` output, by path (see readIndex). */
function parseIndex(bytes: Buffer): Map<string, IndexEntry> {
  const out = bytes.toString('utf8');
  const index = new Map<string, IndexEntry>();
  for (let at = 0; at < out.length;) {
    const nul = out.indexOf('\0', at);
    const end = nul < 0 ? out.length : nul;
    const rec = indexRecord(out, at, end);
    at = end + 1;
    if (!rec) continue;
    const { tag, oid, stage, path } = rec;
    const seen = index.get(path);
    // Several stages of one path: a conflict, whichever stage comes first.
    if (seen) index.set(path, { ...seen, stage: seen.stage === '0' ? stage : seen.stage, plain: false });
    else index.set(path, { oid, stage, plain: tag === 'H' && stage === '0' });
  }
  return index;
}

/**
 * One `ls-files -s -v -z` record, `<tag> <mode> <oid> <stage>\t<path>`, read from `text` between `at` and
 * `end` by position (10,000 records: no split into arrays for each); null for one that is not a record.
 */
function indexRecord(
  text: string,
  at: number,
  end: number,
): { tag: string; oid: string; stage: string; path: string } | null {
  const tab = text.indexOf('\t', at);
  if (tab < 0 || tab >= end) return null;
  const s1 = text.indexOf(' ', at);
  const s2 = s1 < 0 ? -1 : text.indexOf(' ', s1 + 1);
  const s3 = s2 < 0 ? -1 : text.indexOf(' ', s2 + 1);
  if (s3 < 0 || s3 > tab) return null;
  return {
    tag: text.slice(at, s1),
    oid: text.slice(s2 + 1, s3),
    stage: text.slice(s3 + 1, tab),
    path: text.slice(tab + 1, end),
  };
}

/**
 * What identifies one version of the index file: git replaces it on every write (a lock file renamed
 * over it), so its inode changes, and any write in place changes its ctime.
 */
function indexFileKey(file: string): string | null {
  try {
    const st = lstatSync(file, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return null;
  }
}

export class NativeWorkspace implements Workspace {
  readonly source: TreeManifestSource;
  readonly mode: 'local' | 'remote';
  readonly branch: string;
  head: string;
  private readonly dir: string;
  private readonly remote: string;
  private readonly git: GitCli;
  private auth: GitAuth | undefined;
  private readonly headerAllowed: boolean;
  private readonly objectFormat: 'sha1' | 'sha256';
  private readonly logger: Logger;
  private readonly readOnly: boolean;
  private readonly tmp: string | null;
  private readonly originUrl: string | null;
  private readonly ssh: { command: string; settings: SshSettings } | null;
  private readonly gitPaths: GitPaths | null;
  /** The index as last read, with the {@link indexFileKey} its file had just before. */
  private indexRead: { key: string; index: Promise<Map<string, IndexEntry>> } | null = null;
  /** Whether the config lets files be written from blob bytes (see plainConfig), once asked. */
  private configAsked: Promise<boolean> | null = null;
  private listings = new Map<string, Promise<Map<string, TreeEntry>>>();
  /**
   * Local mode: the manifest-named blobs of the checkout's own head, read while the fetch runs (most runs
   * find origin where the checkout is). Blobs are named by content, so they serve whatever head the load
   * reads; a load reads the ones it still lacks.
   */
  private early: Promise<Map<string, Buffer>> | null = null;
  /** Files the last load read through a link, for writing their edits to the stored path. */
  private readonly linked = new LinkedPaths();
  /** Commits this run built: id → { parent, changed paths }. */
  private readonly made = new BuiltCommits<Made>();
  /**
   * The pre-push inspection of the checkout, for the move of its files (local mode), with the stats its
   * last look took when that look found nothing changed.
   */
  private checked: { commit: string; check: MoveCheck; stats?: Map<string, Stats> } | null = null;
  private closed = false;

  private constructor(parts: NativeParts) {
    this.mode = parts.mode;
    this.dir = parts.dir;
    this.branch = parts.branch;
    this.head = parts.head;
    this.remote = parts.remote;
    this.git = parts.git;
    this.auth = authFor(parts.auth, parts.originUrl ?? parts.remote);
    this.headerAllowed = parts.headerAllowed;
    this.objectFormat = parts.objectFormat;
    this.logger = parts.logger;
    this.readOnly = parts.readOnly;
    this.tmp = parts.tmp;
    this.originUrl = parts.originUrl ?? null;
    this.ssh = parts.ssh;
    this.gitPaths = parts.gitPaths ?? null;
    this.source = { load: (accept, options) => this.load(accept, options) };
  }

  get url(): string {
    return displayRemote(this.originUrl ?? this.remote);
  }

  useAuth(auth: GitAuth): boolean {
    const usable = authFor(auth, this.originUrl ?? this.remote);
    if (usable) this.auth = usable;
    return usable !== undefined;
  }

  // --- running git -------------------------------------------------------------------------------

  /** The Authorization header for an http(s) remote, scoped to its host, or nothing. */
  private authConfig(): [string, string][] {
    if (!this.auth || !this.headerAllowed) return [];
    return headerConfig(this.originUrl ?? this.remote, this.auth);
  }

  private run(args: string[], opts: GitRunOptions = {}): Promise<GitRunResult> {
    return this.git.run(args, {
      cwd: this.dir,
      ...opts,
      env: { ...sshEnv(this.ssh), ...opts.env },
      config: [...this.authConfig(), ...(opts.config ?? [])],
    });
  }

  /** Runs git and throws a one-line GitError (naming the remote and branch) on a non-zero exit. */
  private async must(args: string[], action: string, opts: GitRunOptions = {}): Promise<Buffer> {
    const res = await this.run(args, opts);
    if (res.code !== 0) throw this.failure(action, res.stderr);
    return res.stdout;
  }

  private failure(action: string, stderr: string): GitError {
    return (
      hostKeyFailure(action, this.url, stderr, this.ssh?.settings) ??
      gitFailure(action, this.url, stderr, this.auth, this.headerAllowed, this.mode === 'local')
    );
  }

  /** Two commits in one git process (each starts in a few milliseconds); null for one that is missing. */
  private async revParseBoth(a: string, b: string): Promise<[string | null, string | null]> {
    // The trailing `--` makes both revisions, never paths; one missing fails the whole call.
    const res = await this.run(['rev-parse', `${a}^{commit}`, `${b}^{commit}`, '--']);
    const [x, y] = res.stdout.toString('utf8').split('\n');
    if (res.code === 0 && x && y) return [x, y];
    return Promise.all([this.revParse(a), this.revParse(b)]);
  }

  private async revParse(ref: string): Promise<string | null> {
    const res = await this.run(['rev-parse', '-q', '--verify', `${ref}^{commit}`]);
    return res.code === 0 ? res.stdout.toString('utf8').trim() : null;
  }

  // --- reading -------------------------------------------------------------------------------------

  /** The listing of `commit`, asked of git once: a second caller meanwhile waits for the same answer. */
  private listing(commit: string): Promise<Map<string, TreeEntry>> {
    let hit = this.listings.get(commit);
    if (!hit) {
      const asked = this.throughFiles(
        ['ls-tree', '-r', '-l', '-z', '--full-tree', commit],
        `reading ${commit.slice(0, 12)} of`,
      ).then(parseLsTree);
      hit = asked;
      this.listings.clear(); // one commit at a time: the base of this attempt
      this.listings.set(commit, asked);
      asked.catch(() => {
        if (this.listings.get(commit) === asked) this.listings.delete(commit);
      });
    }
    return hit;
  }

  /**
   * Runs git with its output, and its input when there is one, in files rather than pipes: git reads and
   * writes at its own pace while this process works (a pipe stalls whenever the event loop is busy:
   * `cat-file --batch` of 10,000 files took 300 ms through a pipe during the walk, 120 ms alone). For
   * output bounded by what the repository holds: it is held to `git.maxResponseBytes` once git is done.
   */
  private async runThroughFiles(args: string[], input?: string): Promise<GitRunResult> {
    const dir = makeTempDirSync('vault-rollout-read-');
    try {
      const opts: GitRunOptions = { outputFile: path.join(dir, 'out') };
      if (input !== undefined) writeFileSync((opts.inputFile = path.join(dir, 'in')), input);
      return await this.run(args, opts);
    } finally {
      await removeTempDir(dir);
    }
  }

  /** {@link runThroughFiles}, throwing a one-line GitError on a non-zero exit (see must). */
  private async throughFiles(args: string[], action: string, input?: string): Promise<Buffer> {
    const res = await this.runThroughFiles(args, input);
    if (res.code !== 0) throw this.failure(action, res.stderr);
    return res.stdout;
  }

  /** The blobs by id; the caller asks only for blobs whose sizes the listing gave within the file limit. */
  private async readBlobs(oids: string[]): Promise<Map<string, Buffer>> {
    if (oids.length === 0) return new Map();
    return parseBatch(
      await this.throughFiles(['cat-file', '--batch'], 'reading objects of', `${oids.join('\n')}\n`),
    );
  }

  /**
   * Starts reading the manifest-named blobs of `head` (each within {@link EARLY_BLOB_BYTES}), for the
   * first load to take (see `early`); a failure only means that load reads them itself.
   */
  private readEarly(head: string): void {
    this.early = (async () =>
      this.readBlobs(likelyBlobs(await this.listing(head), isManifestName, EARLY_BLOB_BYTES)))();
    this.early.catch(() => undefined);
  }

  /** What {@link readEarly} is reading, once: later loads read their own. */
  private takeEarly(): Promise<Map<string, Buffer>> | null {
    const early = this.early;
    this.early = null;
    return early;
  }

  /** The blob sizes of `entries`, by id, from the listing (see parseLsTree): nothing is read. */
  private sizes(entries: Iterable<TreeEntry>): Map<string, number> {
    const sizes = new Map<string, number>();
    for (const e of entries) if (e.type === 'blob' && e.size !== null) sizes.set(e.oid, e.size);
    return sizes;
  }

  private async load(
    accept: (path: string) => boolean,
    options: LoadOptions & { enterDir?: (dir: string) => boolean } = {},
  ): Promise<{ files: RepoFile[]; problems: Problem[] }> {
    const started = performance.now();
    const head = this.head;
    const listing = await this.listing(head);
    const rule = fileRule(accept, options.anyName);
    // The blobs the walk will want, read while the fetch ran (local mode, see readEarly) or asked for now,
    // so that git reads them while this process walks (10,000 files: git's 180 ms overlap the walk's
    // 200 ms): every regular file the rule accepts, within the size limit. The walk may still want a few
    // more (a file reached through a link whose own name the rule refuses): those are read after. Not for
    // a load that skips folders (a few named files).
    const early = options.enterDir
      ? null
      : (this.takeEarly() ?? this.readBlobs(likelyBlobs(listing, rule, options.maxFileBytes)));
    early?.catch(() => undefined); // read below
    // Link texts first (each at most MAX_LINK_BYTES, by its header), so the walk can follow them.
    const linkEntries = [...listing].filter(([, e]) => e.mode === '120000');
    const linkSizes = this.sizes(linkEntries.map(([, e]) => e));
    const linkBlobs = await this.readBlobs(
      [...linkSizes].filter(([, n]) => n <= MAX_LINK_BYTES).map(([oid]) => oid),
    );
    const links = new Map(
      linkEntries.map(([p, e]) => {
        const bytes = linkBlobs.get(e.oid);
        return [p, bytes ? decodeUtf8(bytes) : null] as const;
      }),
    );
    const walked = walkRepo(gitTreeView(listing, links), rule, options.enterDir);
    this.linked.remember(head, walked.files);
    const oidOf = (f: FoundFile) => listing.get(f.real)!.oid;
    const sizes = this.sizes(walked.files.map((f) => listing.get(f.real)!));
    const sized = withinSize(walked.files, (f) => sizes.get(oidOf(f)) ?? null, options.maxFileBytes);
    const read = (await early?.catch(() => null)) ?? new Map<string, Buffer>();
    const later = await this.readBlobs([...new Set(sized.files.map(oidOf))].filter((oid) => !read.has(oid)));
    const blob = (oid: string) => read.get(oid) ?? later.get(oid) ?? Buffer.alloc(0);
    const { files, problems } = loadResult(
      sized.files.map((f) => ({ path: f.path, bytes: blob(oidOf(f)) })),
      [...walked.problems, ...sized.problems],
    );
    this.logger.debug('read manifests from git objects', {
      commit: head,
      files: files.length,
      ms: Math.round(performance.now() - started),
    });
    return { files, problems };
  }

  async readCommitInfo(oid: string): Promise<CommitInfo> {
    const res = await this.run(['cat-file', 'commit', oid]);
    if (res.code !== 0) throw new GitError(`commit ${oid.slice(0, 12)} is not in the clone of "${this.url}"`);
    return parseCommit(oid, res.stdout);
  }

  async changedFiles(commitId: string): Promise<CommitFile[]> {
    const commit = await this.readCommitInfo(commitId);
    const parent = onlyParent(commit);
    const out = await this.must(
      ['diff-tree', '-r', '-z', '--no-renames', '--no-commit-id', parent, commitId],
      'comparing commits of',
    );
    const recs = out.toString('utf8').split('\0');
    const files: CommitFile[] = [];
    for (let i = 0; i + 1 < recs.length; i += 2) {
      const [, dstMode = '', , dstOid = '', status = ''] = recs[i]!.slice(1).split(' ');
      const p = recs[i + 1]!;
      if (status === 'D') files.push({ path: p, oid: null, mode: null, bytes: null });
      else files.push({ path: p, oid: dstOid, mode: dstMode, bytes: null });
    }
    const blobs = await this.readBlobs(files.flatMap((f) => (f.oid ? [f.oid] : [])));
    for (const f of files) if (f.oid) f.bytes = blobs.get(f.oid) ?? null;
    return files;
  }

  // --- writing -------------------------------------------------------------------------------------

  async commit(opts: CommitOptions): Promise<string> {
    const changes = commitChanges(opts.changes, (p) => this.linked.real(this.head, p));
    if (changes.length === 0) return this.head;
    const base = this.head;
    const listing = await this.listing(base);
    // Each change as bytes, once: the stream for fast-import, the stale-plan check and the move of a
    // checkout all read these.
    const entries: MoveEntry[] = changes.map((c) => {
      const bytes = Buffer.from(c.after, 'utf8');
      const entry = listing.get(c.path);
      return {
        path: c.path,
        mode: keptMode(entry),
        from: entry?.oid ?? null,
        to: gitBlobId(bytes, this.objectFormat),
        bytes,
        before: entry ? Buffer.from(c.before, 'utf8') : null,
      };
    });
    for (const [i, c] of changes.entries()) {
      const before = entries[i]!.before;
      checkPlanned(c, listing.get(c.path), () => gitBlobId(before ?? '', this.objectFormat), base);
    }
    const started = performance.now();
    // The checkout is checked (the same checks push() makes before pushing) while the commit is built,
    // settled before this returns on every path, so none of its git processes outlives a failed commit.
    // Its stats and git's look at the whole tree come first: that look is the longest part of the check
    // (5,000 files: about as long as the import), so it runs alongside the import instead of after it.
    const checking: Promise<Precheck | undefined> =
      this.mode === 'local' && !this.readOnly ? this.precheck(entries) : Promise.resolve(undefined);
    // Rejections are read below; until then they must not count as unhandled.
    checking.catch(() => undefined);
    // A throwaway bare repository whose object store is this repository's, for `git fast-import`: writing
    // the blobs, trees and commit as loose objects (hash-object, write-tree) took 10-20 s for 5,000 files on
    // a loaded disk, and fast-import must name a ref to update. The ref lands in the scratch folder, the
    // objects here; no ref of ours moves. The folder is made and `git init` started first, so that the
    // synchronous work below (building the stream) does not hold them back.
    let scratch: string | null = null;
    try {
      scratch = makeTempDirSync('vault-rollout-commit-');
      const gitDir = path.join(scratch, 'git');
      const ready = Promise.all([
        this.objectDir(),
        this.must(
          ['init', '-q', '--bare', `--object-format=${this.objectFormat}`, gitDir],
          'building the commit in',
        ),
      ]);
      ready.catch(() => undefined); // read below
      const when = `${Math.floor((opts.now ?? new Date()).getTime() / 1000)} +0000`;
      const who = `${identityPart(opts.author.name)} <${identityPart(opts.author.email)}> ${when}`;
      const message = Buffer.from(opts.message.endsWith('\n') ? opts.message : `${opts.message}\n`, 'utf8');
      const parts: Buffer[] = [
        Buffer.from(
          `commit refs/heads/vault-rollout\nmark :1\nauthor ${who}\ncommitter ${who}\ndata ${message.length}\n`,
        ),
        message,
        Buffer.from(`\nfrom ${base}\n`),
      ];
      for (const e of entries) {
        parts.push(
          Buffer.from(`M ${e.mode} inline ${quotePath(e.path)}\ndata ${e.bytes.length}\n`),
          e.bytes,
          Buffer.from('\n'),
        );
      }
      parts.push(Buffer.from('\ndone\n'));
      // fast-import reads its stream from a file, at its own pace, while this process checks the checkout.
      const stream = path.join(scratch, 'stream');
      writeParts(stream, parts);
      const [objects] = await ready;
      const marks = path.join(scratch, 'marks');
      const importing = this.must(
        ['fast-import', '--quiet', '--done', '--date-format=raw', `--export-marks=${marks}`],
        'building the commit in',
        {
          inputFile: stream,
          env: { GIT_DIR: gitDir, GIT_OBJECT_DIRECTORY: objects },
          cwd: scratch,
          // No fsync of the pack: `git commit` does not fsync the loose objects it writes either (core.fsync
          // leaves loose-object out by default); what must last is the push, and the receiving side syncs
          // what it stores. Right after a clone that fsync also flushed the clone's files: 3.3 s of a 6.4 s
          // apply of 5,000 files. Git before 2.36 ignores the key.
          config: [['core.fsync', 'none']],
        },
      );
      const [imported, checked] = await Promise.allSettled([importing, checking]);
      if (imported.status === 'rejected') throw imported.reason;
      const commit = /^:1 ([0-9a-f]+)$/m.exec(await readFile(marks, 'utf8'))?.[1];
      if (!commit)
        throw new GitError(`building the commit in "${this.url}" failed: git fast-import named no commit`);
      this.made.add(commit, {
        parent: base,
        paths: changes.map((c) => c.path),
        entries,
        precheck: checked.status === 'fulfilled' ? checked.value : undefined,
      });
      this.logger.debug('wrote commit', {
        commit,
        parent: base,
        files: changes.length,
        ms: Math.round(performance.now() - started),
      });
      return commit;
    } finally {
      await checking.catch(() => undefined);
      if (scratch !== null) await removeTempDir(scratch);
    }
  }

  /** The absolute path of this repository's object store (a linked worktree shares its main one). */
  private async objectDir(): Promise<string> {
    if (this.gitPaths) return this.gitPaths.objects;
    const out = await this.must(['rev-parse', '--path-format=absolute', '--git-path', 'objects'], 'reading');
    return out.toString('utf8').trim();
  }

  /** `git push --porcelain --force-with-lease=<ref>:<expected> origin <src>:<ref>`, classified. */
  private async pushRef(ref: string, expected: string | null, src: string): Promise<PushResult> {
    const res = await this.run(
      [
        'push',
        '--porcelain',
        '--no-progress',
        `--force-with-lease=${ref}:${expected ?? ''}`,
        this.remote,
        `${src}:${ref}`,
      ],
      {
        // No second delta search: fast-import stored each new blob as a delta already, and pack-objects
        // sends those as they are. Searching again (window 10, against the remote's copies too) took
        // 100-150 ms of a 5,000-file push on two cores, to make the pack 14 % smaller (817 KB, not 932 KB).
        config: [['pack.window', '0']],
      },
    );
    if (res.code === 0) return { ok: true };
    const out = res.stdout.toString('utf8');
    const refLine = out.split('\n').find((l) => l.startsWith('!')) ?? '';
    const why = refLine.split('\t')[2] ?? '';
    const remoteSays = res.stderr
      .split('\n')
      .filter((l) => l.startsWith('remote: '))
      .map((l) => l.slice('remote: '.length).trim())
      .filter(Boolean)
      .join(' | ');
    if (!why && AUTH_FAILED.test(res.stderr)) throw this.failure('pushing to', res.stderr);
    if (!why) throw this.failure('pushing to', res.stderr);
    const branch = ref.replace(/^refs\/heads\//, '');
    return refusal(branch, why, remoteSays, this.auth, `${why} ${remoteSays}`);
  }

  async push(commitId: string): Promise<PushResult> {
    let started = 0;
    return pushBase(
      commitId,
      { mode: this.mode, head: this.head, built: this.made },
      {
        check: (made) => this.checkCheckout(commitId, made),
        push: (expected) => {
          started = performance.now();
          return this.pushRef(`refs/heads/${this.branch}`, expected, commitId);
        },
        alongside: (made) => this.moveWhilePushing(made.parent, commitId, made.entries),
        pushed: async (made, moving) => {
          this.logger.info('pushed', {
            branch: this.branch,
            commit: commitId,
            ms: Math.round(performance.now() - started),
          });
          const followOrigin = () =>
            this.must(
              ['update-ref', `refs/remotes/origin/${this.branch}`, commitId],
              'updating origin/' + this.branch + ' of',
            );
          if (moving) {
            // The move's refusal comes after origin/<branch> has followed the remote.
            await moving.catch(async (err: unknown) => {
              await followOrigin();
              throw err;
            });
            // The files moved with the push: origin/<branch> and the branch in one transaction.
            await this.moveBranch(made.parent, commitId, 'commit', true);
            rmSync(this.gitPaths!.move, { force: true });
          } else {
            await followOrigin();
            if (this.mode === 'local') await this.moveCheckout(made.parent, commitId, 'commit', made.entries);
          }
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
      pushRef: (branch, expected, to) => this.pushRef(`refs/heads/${branch}`, expected, to ?? ''),
    };
  }

  async remoteBranch(branch: string): Promise<CommitInfo | null> {
    return remoteBranchCommit(branch, {
      head: async () => {
        const listed = await this.must(
          ['ls-remote', this.remote, `refs/heads/${branch}`],
          `reading branch "${branch}" of`,
        );
        // ls-remote matches patterns against the tail of each ref: keep the exact ref only.
        return (
          listed
            .toString('utf8')
            .split('\n')
            .map((l) => l.split('\t'))
            .find(([, ref]) => ref === `refs/heads/${branch}`)?.[0] ?? null
        );
      },
      read: (oid) => this.readCommitInfo(oid),
      fetch: async () => {
        const depth = shallowFetch(this.mode) ? ['--depth', '1'] : [];
        await this.must(
          [
            'fetch',
            '-q',
            '--no-tags',
            ...depth,
            this.remote,
            `+refs/heads/${branch}:refs/remotes/origin/${branch}`,
          ],
          `fetching "${branch}" from`,
        );
      },
    });
  }

  async refresh(): Promise<void> {
    await this.fetchBase();
    if (this.mode === 'local') await this.syncCheckout();
    else this.head = (await this.revParse(`refs/remotes/origin/${this.branch}`))!;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.tmp) await removeTempDir(this.tmp);
  }

  // --- the local checkout -------------------------------------------------------------------------

  /** Fetches the base branch into `origin/<branch>`; a checkout gets no `--depth` (no new shallow boundary). */
  private async fetchBase(): Promise<void> {
    const started = performance.now();
    const depth = shallowFetch(this.mode) ? ['--depth', '1'] : [];
    const res = await this.run([
      'fetch',
      '-q',
      '--no-tags',
      ...depth,
      this.remote,
      `+refs/heads/${this.branch}:refs/remotes/origin/${this.branch}`,
    ]);
    if (res.code !== 0) {
      if (/couldn't find remote ref/i.test(res.stderr)) {
        throw new GitError(`branch "${this.branch}" not found on "${this.url}"`, { branch: this.branch });
      }
      throw this.failure(`fetching "${this.branch}" from`, res.stderr);
    }
    this.logger.debug('fetched', { branch: this.branch, ms: Math.round(performance.now() - started) });
  }

  /**
   * Brings the local branch to `origin/<branch>` when it is behind (fast-forward of a clean checkout), and
   * sets `head` to it. Refuses when the branch has commits origin does not have.
   */
  private async syncCheckout(): Promise<void> {
    const [local, origin] = await this.revParseBoth(
      `refs/heads/${this.branch}`,
      `refs/remotes/origin/${this.branch}`,
    );
    if (!local || !origin)
      throw new GitError(`branch "${this.branch}" has no commit in "${this.dir}" or on "${this.url}"`);
    const step = await syncStep(
      { branch: this.branch, url: this.url, readOnly: this.readOnly },
      local,
      origin,
      async () => (await this.run(['merge-base', '--is-ancestor', local, origin])).code === 0,
    );
    if (step === 'same') {
      this.head = local;
      return;
    }
    if (step === 'plan-on-remote') {
      this.logger.info(
        `The checkout's "${this.branch}" is behind "origin/${this.branch}": planning on the remote head`,
      );
      this.head = origin;
      return;
    }
    await this.moveCheckout(local, origin, 'fast-forward');
    this.logger.info(
      `Fast-forwarded the checkout's "${this.branch}" to "origin/${this.branch}" (${origin.slice(0, 12)})`,
    );
    this.head = origin;
  }

  /**
   * Before pushing: the branch is still where we built, and no path the commit changes has uncommitted
   * edits (they would be overwritten) or is an untracked file the commit would create.
   */
  private async checkCheckout(commit: string, made: Made): Promise<void> {
    this.checked = null;
    // git answers where the branch is while this process looks at the files; the answer is checked first.
    const branchAt = this.revParse(`refs/heads/${this.branch}`);
    branchAt.catch(() => undefined); // awaited below
    const early = made.precheck;
    made.precheck = undefined;
    const pre = early ?? (await this.precheck(made.entries));
    let changed: string[];
    if (pre.plain) {
      // Checked while the commit was built: what changed since (stat first, bytes only then), and the index.
      const stats = new Map<string, Stats>();
      const since = early ? changedSince(this.dir, pre.check, this.objectFormat, stats) : [];
      checkNotMoved(this.branch, await branchAt, this.head);
      changed = early
        ? [...pre.conflicts, ...since, ...(await this.indexConflicts(made.entries))]
        : pre.conflicts;
      this.checked = { commit, check: pre.check, ...(early ? { stats } : {}) };
    } else {
      checkNotMoved(this.branch, await branchAt, this.head);
      changed = await this.diffIndex(made.paths);
    }
    if (changed.length > 0) throw uncommitted([...new Set(changed)].sort());
  }

  /**
   * Checks a plain checkout for the move a commit of `entries` makes: every file holds its old bytes (or
   * already the new ones) and every index entry its old blob; the conflicting paths are listed.
   */
  private async precheck(entries: MoveEntry[]): Promise<Precheck> {
    // How files are checked out and what the index holds, asked while this process stats the files;
    // then which files git's stat cache says differ from the index. The stat comes first: an edit made
    // between it and git's look is either seen by git (the file is read here) or changes the stat that
    // changedSince compares with later.
    const paths = entries.map((e) => e.path);
    const asked = Promise.all([this.plainCheckout(paths), this.readIndex()]);
    asked.catch(() => undefined); // read below, once the stats are taken
    const stats = statFiles(this.dir, paths);
    const [[plain, index], dirty] = await Promise.all([asked, this.statDirty()]);
    if (!plain) return { plain: false };
    // A plain entry (tag H: not assume-unchanged or skip-worktree) whose file git's stat cache calls clean
    // holds the index's blob, as `git commit -a` trusts too: that file need not be read and hashed here
    // (5,000 files: 190-330 ms of reads; diff-files stats them in C). Every other file is read.
    const known = new Map<string, { oid: string; stat: string }>();
    for (const e of entries) {
      const entry = index.get(e.path);
      const stat = stats.get(e.path);
      if (entry?.plain && stat !== undefined && !dirty.has(e.path))
        known.set(e.path, { oid: entry.oid, stat });
    }
    const check = inspectWorkTree(this.dir, entries, this.objectFormat, false, known);
    return { plain: true, check, conflicts: [...indexConflicts(entries, index), ...check.conflicts] };
  }

  /** The paths whose file differs from its index entry by git's stat cache (stat-dirty files included). */
  private async statDirty(): Promise<Set<string>> {
    const out = await this.must(['diff-files', '-z', '--name-only'], 'checking the checkout of');
    return new Set(
      out
        .toString('utf8')
        .split('\0')
        .filter((p) => p !== ''),
    );
  }

  /** The paths among `paths` whose index entry or file differs from the head, or that are untracked files. */
  private async diffIndex(paths: string[]): Promise<string[]> {
    const touched = new Set(paths);
    const changed = new Set<string>();
    for (const cached of [false, true]) {
      const out = await this.must(
        ['diff-index', '-z', '--name-only', '--no-renames', ...(cached ? ['--cached'] : []), this.head],
        'checking the checkout of',
      );
      for (const p of out.toString('utf8').split('\0')) if (touched.has(p)) changed.add(p);
    }
    const listing = await this.listing(this.head);
    for (const p of paths) if (!listing.has(p) && existsSync(path.join(this.dir, p))) changed.add(p);
    return [...changed];
  }

  /**
   * Whether checking these paths out writes their blob bytes unchanged: no `core.autocrlf=true`, no CRLF
   * `core.eol`, no sparse checkout, and no `eol`/`crlf`/`filter`/`ident`/`working-tree-encoding`
   * attribute on them. Only then may the files be written from the bytes the commit holds.
   */
  private async plainCheckout(paths: string[]): Promise<boolean> {
    if (process.platform === 'win32') return false;
    if (!(await this.plainConfig())) return false;
    if (paths.length === 0) return true;
    // `--all` lists only the attributes a path has (none, in most repositories), where naming five would
    // print five records for each of 5,000 paths.
    const attrs = await this.runThroughFiles(
      ['check-attr', '-z', '--stdin', '--all'],
      `${paths.join('\0')}\0`,
    );
    if (attrs.code !== 0) return false;
    const out = attrs.stdout.toString('utf8').split('\0');
    for (let i = 0; i + 2 < out.length; i += 3) {
      const attr = out[i + 1]!;
      const value = out[i + 2];
      if (!CHECKOUT_ATTRIBUTES.has(attr) || value === 'unspecified' || value === 'unset') continue;
      if (attr === 'eol' && value === 'lf') continue;
      return false;
    }
    return true;
  }

  /**
   * Whether the checkout's config lets files be written from blob bytes (no `core.autocrlf=true`, no CRLF
   * `core.eol`, no sparse checkout): asked once, while the fetch runs.
   */
  private plainConfig(): Promise<boolean> {
    this.configAsked ??= (async () => {
      const cfg = await this.run(['config', '-z', '--get-regexp', '^core\\.(autocrlf|eol|sparsecheckout)$']);
      for (const rec of cfg.stdout.toString('utf8').split('\0')) {
        const [key = '', value = ''] = rec.split('\n');
        const v = value.trim().toLowerCase();
        if (key === 'core.autocrlf' && !['false', 'input', 'no', 'off', '0', ''].includes(v)) return false;
        if (key === 'core.eol' && v === 'crlf') return false;
        if (key === 'core.sparsecheckout' && ['true', 'yes', 'on', '1', ''].includes(v)) return false;
      }
      return true;
    })();
    return this.configAsked;
  }

  /** Entries whose index entry is neither their old nor their new blob (a staged edit, a conflict). */
  private async indexConflicts(entries: readonly MoveEntry[]): Promise<string[]> {
    return indexConflicts(entries, await this.readIndex());
  }

  /**
   * The index, per path: `ls-files -s -v` lines `<tag> <mode> <oid> <stage>\t<path>`. An unmerged path
   * keeps stage 0 only when it has one; `plain` is tag H (neither assume-unchanged nor skip-worktree).
   */
  private readIndex(): Promise<Map<string, IndexEntry>> {
    // The index file unchanged since the last read (its key taken before that read began): the same
    // entries. A run reads it while the fetch runs, before the import, before the push and before the move.
    const key = this.gitPaths ? indexFileKey(this.gitPaths.index) : null;
    if (key !== null && this.indexRead?.key === key) return this.indexRead.index;
    const index = this.throughFiles(['ls-files', '-s', '-v', '-z'], 'reading the index of').then(parseIndex);
    this.indexRead = key === null ? null : { key, index };
    index.catch(() => {
      if (this.indexRead?.index === index) this.indexRead = null;
    });
    return index;
  }

  /**
   * What moving from `from` to its descendant `to` writes, when every change is a regular file modified
   * (same mode) or added and checkout writes blob bytes unchanged; null when `read-tree` must do it.
   */
  private async moveEntries(from: string, to: string, known?: MoveEntry[]): Promise<MoveEntry[] | null> {
    if (known) return (await this.plainCheckout(known.map((e) => e.path))) ? known : null;
    const out = await this.must(
      ['diff-tree', '-r', '-z', '--no-renames', '--no-commit-id', from, to],
      'comparing commits of',
    );
    const recs = out.toString('utf8').split('\0');
    const raw: { path: string; mode: '100644' | '100755'; from: string | null; to: string }[] = [];
    for (let i = 0; i + 1 < recs.length; i += 2) {
      const [srcMode = '', dstMode = '', srcOid = '', dstOid = '', status = ''] =
        recs[i]!.slice(1).split(' ');
      if (dstMode !== '100644' && dstMode !== '100755') return null;
      if (status === 'M' && srcMode === dstMode)
        raw.push({ path: recs[i + 1]!, mode: dstMode, from: srcOid, to: dstOid });
      else if (status === 'A') raw.push({ path: recs[i + 1]!, mode: dstMode, from: null, to: dstOid });
      else return null;
    }
    if (!(await this.plainCheckout(raw.map((e) => e.path)))) return null;
    const oids = raw.flatMap((e) => (e.from ? [e.to, e.from] : [e.to]));
    const blobs = await this.readBlobs([...new Set(oids)]);
    const entries: MoveEntry[] = [];
    for (const e of raw) {
      const bytes = blobs.get(e.to);
      const before = e.from ? blobs.get(e.from) : null;
      if (!bytes || before === undefined) return null;
      entries.push({ ...e, bytes, before });
    }
    return entries;
  }

  /**
   * Moves index and files of the paths that differ between `from` and `to`, then the branch. Other
   * entries, staged or not, are kept, and a person's edit in a moved path stops the move (nothing is
   * written then).
   */
  private async moveCheckout(from: string, to: string, what = 'commit', known?: MoveEntry[]): Promise<void> {
    const refused = await this.moveFiles(from, to, known);
    if (refused !== null) throw this.moveRefused(to, what, refused);
    await this.moveBranch(from, to, what);
  }

  private moveRefused(to: string, what: string, why: string): GitError {
    return new GitError(
      `cannot move the checkout's "${this.branch}" to ${to.slice(0, 12)} (${what}): ${why}; ` +
        'commit or stash the changes in those files, then run again',
      { branch: this.branch },
    );
  }

  /**
   * The branch ref, from `from` to `to` only if it is still at `from`; with `origin`, `origin/<branch>` to
   * `to` as well, in the same transaction (one git process).
   */
  private async moveBranch(from: string, to: string, what: string, withOrigin = false): Promise<void> {
    const branch = `refs/heads/${this.branch}`;
    if (!withOrigin) {
      await this.must(
        ['update-ref', '-m', `vault-rollout: ${what}`, branch, to, from],
        `moving "${this.branch}" in`,
      );
      return;
    }
    const origin = `refs/remotes/origin/${this.branch}`;
    const res = await this.run(['update-ref', '-m', `vault-rollout: ${what}`, '-z', '--stdin'], {
      input: `update ${origin}\0${to}\0\0update ${branch}\0${to}\0${from}\0`,
    });
    if (res.code === 0) return;
    // The branch moved meanwhile: origin/<branch> still follows the remote, then the refusal.
    await this.must(['update-ref', origin, to], `updating origin/${this.branch} of`);
    throw this.failure(`moving "${this.branch}" in`, res.stderr);
  }

  /**
   * Moves the index entries and files of the paths that differ between `from` and `to`; the branch is left
   * where it is. Plain files are written from the known bytes (checkout-move.ts); anything else (a deleted
   * or renamed path, a mode change, a line-ending conversion or filter) goes through git's two-tree merge,
   * `read-tree -m -u`.
   * @param withPush started with the push, right after the look before it (see checkCheckout)
   * @returns null once moved, or why nothing was moved (a person's edit in a moved path).
   */
  private async moveFiles(
    from: string,
    to: string,
    known?: MoveEntry[],
    withPush = false,
  ): Promise<string | null> {
    // Inspected before the push (a plain checkout, see checkCheckout): its entries, without asking git
    // about attributes again.
    const checked = this.checked?.commit === to ? this.checked : null;
    const pre = checked?.check ?? null;
    this.checked = null;
    // The look just before the push found nothing changed and took these stats: a move started with the
    // push does not stat the files again (one after the push does: a person may have edited meanwhile).
    const fresh = withPush && known && pre ? checked?.stats : undefined;
    const entries = pre && known ? known : await this.moveEntries(from, to, known);
    if (!entries) {
      const res = await this.run(['read-tree', '-m', '-u', from, to]);
      return res.code === 0 ? null : gitSays(res.stderr);
    }
    const started = performance.now();
    const check = pre ?? inspectWorkTree(this.dir, entries, this.objectFormat, true);
    const conflicts = [...(await this.indexConflicts(entries)), ...check.conflicts];
    let late: string[] = [];
    if (conflicts.length === 0) {
      // git hashes each written file (its object is already stored) and records its stat while the next
      // ones are written: their paths go to it 64 at a time (one pipe write each, not one per file).
      await this.must(['update-index', '--add', '-z', '--stdin'], 'updating the index of', {
        feed: (write) => {
          let batch: string[] = [];
          late = writeWorkTree(
            this.dir,
            check,
            this.objectFormat,
            (p) => {
              batch.push(`${p}\0`);
              if (batch.length < 64) return;
              write(batch.join(''));
              batch = [];
            },
            fresh,
          );
          if (batch.length > 0) write(batch.join(''));
        },
      });
    }
    if (conflicts.length > 0 || late.length > 0) {
      const list = [...new Set([...conflicts, ...late])].sort();
      return `local changes in ${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''}`;
    }
    this.logger.debug('moved the checkout', {
      files: check.write.length,
      ms: Math.round(performance.now() - started),
    });
    return null;
  }

  /**
   * Local mode, while the push is in flight: the files and index move to the commit (5,000 files take
   * about as long as the push, so the two overlap), and the branch only once the remote took it. Until
   * the branch has moved, a marker in the git folder names both commits, so that the next run puts the
   * files back when this one is killed meanwhile (see recoverMove); a push that does not land has them put
   * back at once. Null (all after the push, as before) for a move that was not checked before the push, or
   * a git that cannot name the marker's place.
   */
  private moveWhilePushing(from: string, to: string, entries: MoveEntry[]): Promise<Undo> | null {
    const marker = this.gitPaths?.move;
    if (this.mode !== 'local' || !marker || this.checked?.commit !== to) return null;
    return (async () => {
      writeFileSync(marker, `${from} ${to}\n`);
      this.logger.debug('moving the checkout while pushing', { commit: to });
      const refused = await this.moveFiles(from, to, entries, true);
      if (refused !== null) {
        // Nothing was written: nothing for the next run to put back.
        rmSync(marker, { force: true });
        throw this.moveRefused(to, 'commit', refused);
      }
      return async (why: string) => {
        await this.putBack(from, to, `the push did not land (${why})`);
        rmSync(marker, { force: true });
      };
    })();
  }

  /**
   * Puts the files and index entries of the paths `to` changed back to `from` (git's two-tree merge, which
   * keeps every other entry and refuses to overwrite a person's edit), the branch being at `from`.
   */
  private async putBack(from: string, to: string, why: string): Promise<void> {
    const res = await this.run(['read-tree', '-m', '-u', to, from]);
    if (res.code !== 0) {
      throw new GitError(
        `${why}, and the checkout's files could not be put back from ${to.slice(0, 12)} to "${this.branch}" ` +
          `(${from.slice(0, 12)}): ${gitSays(res.stderr)}; the next run puts them back once those files are ` +
          'committed or stashed',
        { branch: this.branch },
      );
    }
    this.logger.info(`Put the checkout's files back to "${this.branch}" (${from.slice(0, 12)}): ${why}`);
  }

  /**
   * A run killed while its push moved the files (the marker is still there): with the branch still at the
   * marker's base, its files and index entries go back to it; the fetch and fast-forward that follow bring
   * them forward again if that push landed. A marker whose branch has moved on is only removed.
   */
  private async recoverMove(): Promise<void> {
    const marker = this.gitPaths?.move;
    if (!marker || !existsSync(marker)) return;
    const [from = '', to = ''] = readFileSync(marker, 'utf8').trim().split(' ');
    if (this.readOnly) {
      this.logger.warn(
        `An interrupted apply moved the checkout's files during its push; the next apply puts them back (${MOVE_MARKER})`,
      );
      return;
    }
    if (OID.test(from) && OID.test(to) && (await this.revParse(`refs/heads/${this.branch}`)) === from) {
      await this.putBack(from, to, 'an earlier run was stopped while pushing');
    }
    rmSync(marker, { force: true });
  }

  // --- opening ------------------------------------------------------------------------------------

  static async openLocal(opts: NativeOpenOptions): Promise<NativeWorkspace> {
    const dir = path.resolve(opts.repo);
    const git = opts.git;
    if (!existsSync(dir)) throw new GitError(`"${dir}" does not exist; pass a checkout or an HTTPS URL`);
    // Independent questions, asked at once: each git start costs a few milliseconds before any Vault read.
    // The top folder and the layout come from one rev-parse; apart when that fails (not a checkout, or a
    // git before 2.31 without --path-format), so each answer says what it can.
    const layoutArgs = [
      '--show-object-format',
      '--path-format=absolute',
      '--git-path',
      'objects',
      '--git-path',
      'index',
      '--git-path',
      MOVE_MARKER,
    ];
    const [both, sym, born, origin] = await Promise.all([
      git.run(['rev-parse', '--show-toplevel', ...layoutArgs], { cwd: dir }),
      git.run(['symbolic-ref', '-q', '--short', 'HEAD'], { cwd: dir }),
      git.run(['rev-parse', '-q', '--verify', 'HEAD^{commit}'], { cwd: dir }),
      git.run(['remote', 'get-url', 'origin'], { cwd: dir }),
    ]);
    const lines = both.code === 0 ? both.stdout.toString('utf8').split('\n') : [];
    let top: string | null;
    let paths: GitPaths | null;
    if (lines.length === 6) {
      top = lines[0]!.trim();
      paths = gitPaths(lines.slice(1));
    } else {
      const [alone, layout] = await Promise.all([
        git.run(['rev-parse', '--show-toplevel'], { cwd: dir }),
        git.run(['rev-parse', ...layoutArgs], { cwd: dir }),
      ]);
      top = alone.code === 0 ? alone.stdout.toString('utf8').trim() : null;
      paths = layout.code === 0 ? gitPaths(layout.stdout.toString('utf8').split('\n')) : null;
    }
    const format = paths ? paths.format : await objectFormat(git, dir);
    if (top === null) throw new GitError(`"${dir}" is not a Git checkout; pass a checkout or an HTTPS URL`);
    if (path.resolve(top) !== (await realDir(dir))) {
      throw new GitError(`"${dir}" is inside a Git checkout but not its top folder; pass "${top}"`);
    }
    const current = sym.code === 0 ? sym.stdout.toString('utf8').trim() : '';
    if (current && born.code !== 0) opts.unborn?.(current);
    checkCheckoutBranch(dir, current, opts.branch);
    const remoteUrl = origin.code === 0 ? origin.stdout.toString('utf8').trim() : '';
    if (!remoteUrl) throw noOrigin(dir);
    // A checkout that sends its own Authorization header (actions/checkout does) keeps it: a second one
    // would be sent alongside. Everything else about credentials is the person's git setup.
    const own = /^https?:\/\//i.test(remoteUrl)
      ? await git.run(['config', '--get-urlmatch', 'http.extraheader', remoteUrl], { cwd: dir })
      : { code: 1 };
    const ws = new NativeWorkspace({
      mode: 'local',
      dir,
      branch: current,
      head: '',
      remote: 'origin',
      git,
      auth: opts.auth,
      headerAllowed: own.code !== 0,
      objectFormat: format,
      logger: opts.logger,
      readOnly: opts.readOnly ?? false,
      tmp: null,
      originUrl: remoteUrl,
      ssh: sshFor(remoteUrl, opts.ssh),
      gitPaths: paths,
    });
    // While the fetch asks the remote, git reads the checkout's own head (usually what the plan reads).
    const local = born.code === 0 ? born.stdout.toString('utf8').trim() : '';
    if (OID.test(local)) ws.readEarly(local);
    // And what a commit's check of the checkout asks first: the index (kept while its file is unchanged)
    // and the checkout config.
    if (!ws.readOnly && paths) {
      ws.readIndex().catch(() => undefined);
      ws.plainConfig().catch(() => undefined);
    }
    await ws.fetchBase();
    await ws.recoverMove();
    await ws.syncCheckout();
    opts.logger.info('opened local checkout', { dir, branch: current, head: ws.head, remote: ws.url });
    return ws;
  }

  static async openRemote(opts: NativeOpenOptions): Promise<NativeWorkspace> {
    const remote = repoKind(opts.repo) === 'ssh' ? checkSshRemote(opts.repo) : checkRemoteUrl(opts.repo).href;
    const where = displayRemote(remote);
    // Checked before anything is fetched: a missing key file is named, not reported as a refused login.
    const ssh = sshFor(remote, opts.ssh);
    const auth = authFor(opts.auth, remote);
    checkBranchName(opts.branch);
    const tmp = await makeTempDir('vault-rollout-', opts.tmpRoot);
    const dir = path.join(tmp, 'repo');
    try {
      const started = performance.now();
      const res = await opts.git.run(
        [
          'clone',
          '-q',
          '--depth',
          '1',
          '--no-checkout',
          '--single-branch',
          '--no-tags',
          ...(opts.branch ? ['--branch', opts.branch] : []),
          '--',
          remote,
          dir,
        ],
        { cwd: tmp, env: sshEnv(ssh), config: auth ? headerConfig(remote, auth) : [] },
      );
      if (res.code !== 0) {
        if (/Remote branch .* not found/i.test(res.stderr)) {
          throw new GitError(`branch "${opts.branch}" not found on "${where}"`, {
            url: where,
            branch: opts.branch,
          });
        }
        throw (
          hostKeyFailure('cloning', where, res.stderr, ssh?.settings) ??
          gitFailure('cloning', where, res.stderr, auth, true)
        );
      }
      const sym = await opts.git.run(['symbolic-ref', '-q', '--short', 'HEAD'], { cwd: dir });
      const branch = opts.branch ?? sym.stdout.toString('utf8').trim();
      const head = await opts.git.run(['rev-parse', '-q', '--verify', 'HEAD^{commit}'], { cwd: dir });
      if (!branch || head.code !== 0) throw noDefaultBranch(where);
      const ws = new NativeWorkspace({
        mode: 'remote',
        dir,
        branch,
        head: head.stdout.toString('utf8').trim(),
        remote,
        git: opts.git,
        auth: opts.auth,
        headerAllowed: true,
        objectFormat: await objectFormat(opts.git, dir),
        logger: opts.logger,
        readOnly: false,
        tmp,
        ssh,
      });
      opts.logger.info('cloned', {
        url: where,
        branch,
        head: ws.head,
        ms: Math.round(performance.now() - started),
      });
      return ws;
    } catch (err) {
      await removeTempDir(tmp);
      throw err;
    }
  }
}

/** A name or email as fast-import takes it: no angle brackets or line breaks (they would end the field). */
function identityPart(value: string): string {
  return value.replace(/[<>\r\n]/g, '').trim();
}

/** A path for fast-import's `M` command: C-style quoted when it starts with a quote or holds one of \\ " LF. */
function quotePath(p: string): string {
  if (!/^"|[\\\n"]/.test(p)) return p;
  return `"${p.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

async function realDir(dir: string): Promise<string> {
  return path.resolve(await realpath(dir));
}

async function objectFormat(git: GitCli, dir: string): Promise<'sha1' | 'sha256'> {
  const res = await git.run(['rev-parse', '--show-object-format'], { cwd: dir });
  return res.stdout.toString('utf8').trim() === 'sha256' ? 'sha256' : 'sha1';
}

/** `http.<scheme://host/>.extraHeader: Authorization: Basic …` for an http(s) remote; nothing otherwise. */
function headerConfig(remote: string, auth: GitAuth): [string, string][] {
  let url: URL;
  try {
    url = new URL(remote);
  } catch {
    return [];
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return [];
  const basic = Buffer.from(`${auth.username}:${auth.token}`).toString('base64');
  return [[`http.${url.protocol}//${url.host}/.extraHeader`, `Authorization: Basic ${basic}`]];
}

/** The SSH command for a remote: only for an SSH remote with a key or known-hosts file configured. */
function sshFor(
  remote: string,
  settings: SshSettings | undefined,
): { command: string; settings: SshSettings } | null {
  if (!settings || repoKind(remote) !== 'ssh') return null;
  const command = sshCommand(settings);
  return command === null ? null : { command, settings };
}

/**
 * `GIT_SSH_COMMAND`, which git prefers to `GIT_SSH` and `core.sshCommand`: a configured deploy key wins over
 * whatever the environment or the checkout's config names.
 */
function sshEnv(ssh: { command: string } | null): Record<string, string> {
  return ssh ? { GIT_SSH_COMMAND: ssh.command } : {};
}

const HOST_KEY =
  /Host key verification failed|host key is known for|REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i;

/** ssh refused the server's host key: said as such (git itself only says it could not read the remote). */
function hostKeyFailure(
  action: string,
  where: string,
  stderr: string,
  settings: SshSettings | undefined,
): GitError | null {
  if (!HOST_KEY.test(stderr)) return null;
  return new GitError(
    `${action} "${where}" failed: ${hostKeyHint(settings)}; add the host's key (e.g. from its published fingerprints) and run again`,
    { url: where },
  );
}

/** A one-line GitError for a failed git command: authentication, reachability, else git's own words. */
function gitFailure(
  action: string,
  where: string,
  stderr: string,
  auth: GitAuth | undefined,
  tokenUsed: boolean,
  local = false,
): GitError {
  const at = `${action} "${where}"`;
  if (AUTH_FAILED.test(stderr)) {
    const who =
      auth && tokenUsed
        ? `as "${auth.username}" with the given token`
        : local
          ? "with the checkout's own git credentials"
          : 'without credentials';
    return new GitError(
      `${at} failed: authentication refused (${who}); check GIT_TOKEN / GIT_USERNAME, the SSH key or credential helper, and the repository access`,
      { url: where },
    );
  }
  if (UNREACHABLE.test(stderr) && !/not found|does not appear to be a git repository/i.test(stderr)) {
    return new GitError(
      redact(`${at} failed: cannot reach the server (${gitSays(stderr)}); check the URL and network`, auth),
      {
        url: where,
      },
    );
  }
  return new GitError(redact(`${at} failed: ${gitSays(stderr) || 'git exited with an error'}`, auth), {
    url: where,
  });
}
