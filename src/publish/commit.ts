/**
 * Publish stage, `--mode commit`: one commit holding every edit of the plan, pushed to the base branch only
 * if it is still where the plan was made. The re-planning loop lives in the pipeline (src/pipeline.ts):
 * this stage says `moved` and the loop fetches, plans again and calls it again.
 */
import { GitError } from '../core/errors.js';
import { realChanges, type FileChange } from '../core/model.js';
import { silentProgress, type Progress, type Workspace } from '../core/ports.js';
import { outgoing } from './outgoing.js';

export type CommitOutcome =
  /** Pushed: the base branch is at `commit`. */
  | { outcome: 'pushed'; commit: string }
  /** The base branch moved since the plan (another writer): re-plan on the new head. */
  | { outcome: 'moved'; message: string }
  /** Nothing to commit. */
  | { outcome: 'none'; commit: null }
  /** `--dry-run`: built nothing, pushed nothing. */
  | { outcome: 'dry-run'; commit: null };

export interface CommitPublishOptions {
  changes: FileChange[];
  /** null when the plan has nothing to say (no workload changes). */
  message: string | null;
  author: { name: string; email: string };
  dryRun: boolean;
  /** Commit time (default: now). */
  clock?: () => Date;
  /** Told when writing the commit and pushing start and end. */
  progress?: Progress;
}

/**
 * Commits the plan's changes on `ws.head` and pushes them. Nothing reaches the remote before the push, so
 * a throw anywhere before it leaves the remote untouched.
 * @example
 * const out = await publishCommit(ws, { changes: report.changes, message, author, dryRun: false });
 * if (out.outcome === 'moved') { await ws.refresh(); // plan again }
 * @throws GitError when the remote refuses the update (hook, protection): not worth retrying.
 */
export async function publishCommit(ws: Workspace, opts: CommitPublishOptions): Promise<CommitOutcome> {
  const changes = realChanges(opts.changes);
  if (!opts.message || changes.length === 0) return { outcome: 'none', commit: null };
  if (opts.dryRun) return { outcome: 'dry-run', commit: null };
  const progress = opts.progress ?? silentProgress;
  progress.start('write', changes.length);
  const commit = await ws
    .commit({
      changes,
      message: outgoing(opts.message),
      author: opts.author,
      ...(opts.clock ? { now: opts.clock() } : {}),
    })
    .finally(() => progress.end());
  progress.start('push');
  const pushed = await ws.push(commit).finally(() => progress.end());
  if (pushed.ok) return { outcome: 'pushed', commit };
  if (pushed.reason === 'not-fast-forward') return { outcome: 'moved', message: pushed.message };
  throw new GitError(`push to "${ws.branch}" of "${ws.url}" rejected by the remote: ${pushed.message}`, {
    branch: ws.branch,
    reason: 'rejected',
  });
}
