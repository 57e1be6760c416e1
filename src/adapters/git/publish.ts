/**
 * Commit-and-push with re-planning (SPEC "Guarantees": one commit or none; a rejected push is retried after
 * re-planning on the new remote head; a second run with nothing new changes nothing).
 */
import { GitError } from '../../core/errors.js';
import type { FileChange } from '../../core/model.js';
import type { Workspace } from './workspace.js';

/** What one planning pass wants to publish; null (or no changes) means "nothing to do". */
export type BuildResult = { changes: FileChange[]; message: string } | null;

export interface PublishOptions {
  author: { name: string; email: string };
  /** Total push attempts (default 5). */
  attempts?: number;
  /** First retry delay; doubles each time, with ±50 % jitter (default 250 ms). */
  backoffMs?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Random source in [0, 1) for the jitter (default Math.random). */
  random?: () => number;
  /** Build and report, but write no commit and push nothing. */
  dryRun?: boolean;
  /** Commit time (default: now at each attempt). */
  clock?: () => Date;
}

export interface PublishOutcome {
  outcome: 'pushed' | 'none' | 'dry-run';
  /** The pushed commit id; null unless `pushed`. */
  commit: string | null;
  /** Planning passes run (1 when the first push went through). */
  attempts: number;
  /** The changes of the last planning pass (those pushed, or those a dry run would push). */
  changes: FileChange[];
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Plans on the workspace's head with `build`, commits, pushes; on a non-fast-forward push fetches the new
 * head, plans again and retries with exponential backoff, at most `attempts` times.
 * Nothing reaches the remote before the push, so a throw in `build` or `commit` leaves it untouched.
 *
 * @example
 * const result = await publishWithRetry(ws, async (w) => {
 *   const { files } = await w.source.load(accept);
 *   const changes = edit(files);            // the pure core
 *   return changes.length ? { changes, message: render(changes) } : null;
 * }, { author: { name: 'vault-rollout', email: 'vault-rollout@example.com' } });
 *
 * @throws GitError when the remote refuses the update (hook, protection; not retried) or keeps moving
 *   for every attempt.
 */
export async function publishWithRetry(
  ws: Workspace,
  build: (ws: Workspace) => Promise<BuildResult>,
  opts: PublishOptions,
): Promise<PublishOutcome> {
  const attempts = Math.max(1, opts.attempts ?? 5);
  const backoff = opts.backoffMs ?? 250;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  let lastMessage = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const plan = await build(ws);
    const changes = (plan?.changes ?? []).filter((c) => c.before !== c.after);
    if (!plan || changes.length === 0)
      return { outcome: 'none', commit: null, attempts: attempt, changes: [] };
    if (opts.dryRun) return { outcome: 'dry-run', commit: null, attempts: attempt, changes };
    const commit = await ws.commit({
      changes,
      message: plan.message,
      author: opts.author,
      ...(opts.clock ? { now: opts.clock() } : {}),
    });
    const pushed = await ws.push(commit);
    if (pushed.ok) return { outcome: 'pushed', commit, attempts: attempt, changes };
    if (pushed.reason === 'rejected') {
      throw new GitError(`push to "${ws.branch}" rejected by the remote: ${pushed.message}`, {
        branch: ws.branch,
        reason: 'rejected',
      });
    }
    lastMessage = pushed.message;
    if (attempt === attempts) break;
    await sleep(Math.round(backoff * 2 ** (attempt - 1) * (0.5 + random())));
    await ws.refresh();
  }
  throw new GitError(
    `push rejected as non-fast-forward ${attempts} times; another writer keeps updating "${ws.branch}" ` +
      `(last: ${lastMessage}); run again later`,
    { branch: ws.branch, reason: 'not-fast-forward', attempts },
  );
}
