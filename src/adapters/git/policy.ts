/**
 * The Git policy, written once for both engines (native.ts on the git CLI, iso.ts on isomorphic-git):
 * which changes one commit may hold and when the plan is stale, which commit may be pushed, the
 * compare-and-swap push of the base branch and what the remote's answer means, which branches may be
 * pushed, deleted or read (and when one is fetched), and when a local checkout may be moved. The
 * engines keep to their plumbing (reading objects, writing them, talking to the remote, writing files)
 * and ask this module what to do.
 */
import { isValidBranchName } from '../../core/branch-name.js';
import { GitError } from '../../core/errors.js';
import { realChanges } from '../../core/model.js';
import type { CommitInfo, CommitOptions, GitAuth, Logger, PushResult } from '../../core/ports.js';
import { redact } from './remote-url.js';

// --- the commit ----------------------------------------------------------------------------------

/** Only plain repository-relative paths are committed: no `..`, no `.git`, no absolute path. */
export function checkPath(p: string): void {
  const parts = p.split('/');
  if (
    p.startsWith('/') ||
    parts.some((s) => s === '' || s === '.' || s === '..' || s.toLowerCase() === '.git')
  ) {
    throw new GitError(`refusing to commit "${p}": not a plain repository-relative path`, { path: p });
  }
}

/**
 * The changes one commit holds: those that change something, each under the path its bytes are stored
 * at (`real`: a file read through a link is written to the link's target), each path once.
 */
export function commitChanges(
  changes: CommitOptions['changes'],
  real: (path: string) => string,
): CommitOptions['changes'] {
  const kept = realChanges(changes).map((c) => ({ ...c, path: real(c.path) }));
  const seen = new Set<string>();
  for (const c of kept) {
    checkPath(c.path);
    if (seen.has(c.path)) throw new GitError(`two changes for "${c.path}" in one commit; merge them first`);
    seen.add(c.path);
  }
  return kept;
}

/** What the base commit holds at a changed path, as both engines list it. */
export interface BaseEntry {
  type: string;
  oid: string;
  mode: string;
}

/**
 * Throws when the base no longer holds what the plan was made on. Compared by object id: the planned
 * `before` hashes to the blob in the base (`beforeOid`), or the plan is stale; a new file was planned
 * on an absent one.
 */
export function checkPlanned(
  change: { path: string; before: string },
  entry: BaseEntry | undefined,
  beforeOid: () => string,
  base: string,
): void {
  const matches = entry ? entry.type === 'blob' && entry.oid === beforeOid() : change.before === '';
  if (!matches) {
    throw new GitError(
      `"${change.path}" in commit ${base.slice(0, 12)} differs from what was planned; re-plan on the current head`,
      { path: change.path, head: base },
    );
  }
}

/** The one parent of a commit whose changes are read (a merge or a root commit has no single diff). */
export function onlyParent(commit: { oid: string; parents: readonly string[] }): string {
  if (commit.parents.length !== 1) {
    throw new GitError(
      `commit ${commit.oid.slice(0, 12)} has ${commit.parents.length} parents, expected one`,
    );
  }
  return commit.parents[0]!;
}

/** An edited file keeps its executable bit; everything else is written as a plain file. */
export function keptMode(entry: { mode: string } | undefined): '100644' | '100755' {
  return entry?.mode === '100755' ? '100755' : '100644';
}

/**
 * The commits this run built, by id. Only a commit built by `commit()` on the current head may be
 * pushed: anything else is a programming error.
 */
export class BuiltCommits<T extends { parent: string }> {
  private readonly made = new Map<string, T>();

  add(commit: string, made: T): void {
    this.made.set(commit, made);
  }

  /** The commit built on `head`, or a GitError. */
  ownChild(commitId: string, head: string): T {
    const made = this.made.get(commitId);
    if (!made || made.parent !== head) {
      throw new GitError(
        `commit ${commitId.slice(0, 12)} is not a child of the base head; build it with commit()`,
      );
    }
    return made;
  }
}

// --- pushing -------------------------------------------------------------------------------------

/** Server refusals that mean "the branch moved under you": fetch, re-plan and retry. */
export const RACE_PATTERNS = [
  /non-fast-forward/i,
  /fetch first/i,
  /stale info/i,
  /failed to lock/i,
  // git >= 2.2x: "failed to update ref" + "remote: error: cannot lock ref '...': is at X but expected Y".
  /cannot lock ref .* but expected/i,
  // isomorphic-git's report of the same server-side lock failure.
  /failed to update ref/i,
];

/**
 * What a refused ref update means: the branch moved (`not-fast-forward`: the caller fetches, re-plans
 * and retries) or a refusal to report (a hook, branch protection: `rejected`, not retried). `matched` is
 * the text the race patterns are tested on (the git CLI's includes the remote's own lines).
 */
export function refusal(
  branch: string,
  why: string,
  remoteSays: string,
  auth: GitAuth | undefined,
  matched = why,
): PushResult {
  const message = redact(
    `the remote refused the update of "${branch}": ${why}${remoteSays ? ` (remote: ${remoteSays})` : ''}`,
    auth,
  ).slice(0, 1000);
  const race = RACE_PATTERNS.some((re) => re.test(matched));
  return { ok: false, reason: race ? 'not-fast-forward' : 'rejected', message };
}

/** What an engine does for the compare-and-swap push of the base branch (see pushBase). */
export interface BasePushSteps<T> {
  /** Local mode, before pushing: the checkout can still be moved to the commit. */
  check(made: T): Promise<void>;
  /** Updates the base branch on the remote to the commit only if it still points at `expected`. */
  push(expected: string): Promise<PushResult>;
  /**
   * Local mode, optional: work done while the push is in flight (the checkout's files and index, which
   * take about as long as the push). It resolves to how to undo that work, which pushBase calls when the
   * push is refused or fails; it rejects, having changed nothing, when the work cannot be done. Null:
   * nothing is done alongside, and `pushed` does it all.
   */
  alongside?(made: T): Promise<Undo> | null;
  /**
   * After the remote took it: `origin/<branch>`, then (local mode) the checkout's files and branch, and the
   * head. `moving` is the work started alongside the push, if any: its rejection is the move's refusal.
   */
  pushed(made: T, moving: Promise<Undo> | null): Promise<void>;
}

/** Undoes the work done alongside a push that did not land; `why` says what happened to the push. */
export type Undo = (why: string) => Promise<void>;

/**
 * The push of the base branch, as a compare-and-swap: only a commit built on the head, only onto the head
 * it was built on (a fast-forward from the planned head or nothing), and the checkout's branch moved only
 * after the remote took it (its files and index may move during the push, and are put back when the push
 * does not land). A refusal comes back as the remote's answer, for the publish loop to decide.
 */
export async function pushBase<T extends { parent: string }>(
  commitId: string,
  at: { mode: 'local' | 'remote'; head: string; built: BuiltCommits<T> },
  steps: BasePushSteps<T>,
): Promise<PushResult> {
  if (commitId === at.head) return { ok: true };
  const made = at.built.ownChild(commitId, at.head);
  if (at.mode === 'local') await steps.check(made);
  const moving = at.mode === 'local' ? (steps.alongside?.(made) ?? null) : null;
  // Read on every path below; until then its rejection must not count as unhandled.
  moving?.catch(() => undefined);
  let res: PushResult;
  try {
    res = await steps.push(made.parent);
  } catch (err) {
    await undoAlongside(moving, err instanceof Error ? err.message : String(err));
    throw err;
  }
  if (!res.ok) {
    await undoAlongside(moving, res.message);
    return res;
  }
  await steps.pushed(made, moving);
  return { ok: true };
}

/** Puts back what was done alongside a push that did not land (nothing, when that work was refused). */
async function undoAlongside(moving: Promise<Undo> | null, why: string): Promise<void> {
  const undo = moving ? await moving.catch(() => null) : null;
  if (undo) await undo(why);
}

/**
 * Another branch's head on the remote (null: no such branch), for the pull-request branch: the clone's
 * copy of the commit when it has one, else the branch is fetched first. The name is checked before it
 * reaches the remote.
 */
export async function remoteBranchCommit(
  branch: string,
  steps: {
    /** The commit the remote's branch points at, or null. */
    head(): Promise<string | null>;
    read(oid: string): Promise<CommitInfo>;
    fetch(): Promise<void>;
  },
): Promise<CommitInfo | null> {
  if (!isValidBranchName(branch)) throw new GitError(`"${branch}" is not a valid branch name`);
  const oid = await steps.head();
  if (!oid) return null;
  const known = await steps.read(oid).catch(() => null);
  if (known) return known;
  await steps.fetch();
  return steps.read(oid);
}

/** What both engines give the pull-request branch steps: the base, its head, the commits built here. */
export interface BranchSide {
  base: string;
  head: string;
  /** The commits built here: `ownChild` throws for one not built on `head`. */
  built: Pick<BuiltCommits<{ parent: string }>, 'ownChild'>;
  logger: Logger;
  /** Sets `refs/heads/<branch>` on the remote to `to` (null: deletes it) if it is still at `expected`. */
  pushRef(branch: string, expected: string | null, to: string | null): Promise<PushResult>;
}

/**
 * `pushBranch` of both engines: another branch than the base, only a commit this workspace built on the
 * base head, compare-and-swap against `expectedOld`.
 */
export async function pushOtherBranch(
  at: BranchSide,
  commitId: string,
  branch: string,
  expectedOld: string | null,
): Promise<PushResult> {
  checkOtherBranch(at.base, branch);
  at.built.ownChild(commitId, at.head);
  const res = await at.pushRef(branch, expectedOld, commitId);
  if (res.ok) at.logger.info('pushed branch', { branch, commit: commitId });
  return res;
}

/** `deleteBranch` of both engines: never the base, only while the branch is still at `expectedOld`. */
export async function deleteOtherBranch(
  at: BranchSide,
  branch: string,
  expectedOld: string,
): Promise<PushResult> {
  checkDeletable(at.base, branch);
  const res = await at.pushRef(branch, expectedOld, null);
  if (res.ok) at.logger.info('deleted branch', { branch });
  return res;
}

/**
 * The checks before `pushBranch`: a pull-request branch is never the base branch (that goes through
 * `push`, fast-forward only) and is a valid branch name.
 */
export function checkOtherBranch(base: string, branch: string): void {
  if (branch === base)
    throw new GitError(`pushBranch() updates another branch than the base "${base}"; use push()`);
  if (!isValidBranchName(branch)) throw new GitError(`"${branch}" is not a valid branch name`);
}

/** The base branch is never deleted. */
export function checkDeletable(base: string, branch: string): void {
  if (branch === base) throw new GitError(`refusing to delete the base branch "${base}"`);
}

/** A branch name given to open a URL, checked before it reaches git. */
export function checkBranchName(branch: string | undefined): void {
  if (branch !== undefined && !isValidBranchName(branch)) {
    throw new GitError(`"${branch}" is not a valid branch name`, { branch });
  }
}

/** A checkout is never deepened or made shallow behind its owner's back; the temporary clone may be. */
export function shallowFetch(mode: 'local' | 'remote'): boolean {
  return mode === 'remote';
}

// --- the local checkout --------------------------------------------------------------------------

/** The branch a checkout is on must be the one to update, and a branch (not a detached HEAD). */
export function checkCheckoutBranch(dir: string, current: string, wanted: string | undefined): void {
  if (!current)
    throw new GitError(`"${dir}" has a detached HEAD; check out the branch to update (e.g. "main") first`);
  if (wanted && wanted !== current) {
    throw new GitError(
      `the checkout is on branch "${current}", not "${wanted}"; check out "${wanted}" or pass the repository URL`,
    );
  }
}

/** A checkout without an `origin` has nowhere to push. */
export function noOrigin(dir: string): GitError {
  return new GitError(`the checkout "${dir}" has no "origin" remote to push to`);
}

/** A clone whose remote names no default branch needs one. */
export function noDefaultBranch(where: string): GitError {
  return new GitError(`"${where}" has no default branch; pass --branch`, { url: where });
}

/**
 * How a checkout's branch is brought to `origin/<branch>` before planning: already there, fast-forwarded
 * (only when it is behind), or, in a dry run, left where it is while the plan is made on the remote head.
 * A branch with commits origin does not have is refused: vault-rollout publishes on top of the remote only.
 */
export async function syncStep(
  sync: { branch: string; url: string; readOnly: boolean },
  local: string,
  origin: string,
  isBehind: () => Promise<boolean>,
): Promise<'same' | 'fast-forward' | 'plan-on-remote'> {
  if (local === origin) return 'same';
  if (!(await isBehind())) {
    throw new GitError(
      `the local branch "${sync.branch}" has commits that are not on "origin/${sync.branch}" (${sync.url}); ` +
        'push or reset them first: vault-rollout publishes on top of the remote branch only',
      { branch: sync.branch },
    );
  }
  return sync.readOnly ? 'plan-on-remote' : 'fast-forward';
}

/** Before pushing: the local branch is still where the commit was built. */
export function checkNotMoved(branch: string, current: string | null, head: string): void {
  if (current !== head)
    throw new GitError(`the local branch "${branch}" moved while vault-rollout ran; run it again`);
}

/** Before pushing: a file the commit changes has uncommitted edits, which the move would overwrite. */
export function uncommitted(paths: readonly string[]): GitError {
  return new GitError(
    `uncommitted changes in files this commit changes: ${paths.slice(0, 10).join(', ')}; commit or stash them first`,
    { paths: [...paths] },
  );
}
