/**
 * Temporary folders of a run (the shallow clone, the scratch folder of a commit), removed on every way
 * out: the adapter's own `finally`, a normal exit, an uncaught error, and SIGINT/SIGTERM (a CronJob's pod
 * being stopped, Ctrl-C). Without the signal path, each stopped run left a clone behind in TMPDIR, which
 * in the cron container is a size-limited emptyDir.
 *
 * On a signal the order matters: first whatever writes into the folders is stopped and waited for (the
 * edge passes the git adapter's `stopGitChildren`), then folders still being created are awaited, then
 * every folder is removed, checked and removed again if something wrote into it meanwhile. A folder stays
 * registered until its removal has finished, so a signal in the middle of a removal finishes it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import fsp, { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const live = new Set<string>();
/** `mkdtemp` calls not yet answered: the folder exists on disk before it is registered. */
const creating = new Set<Promise<string>>();
let stopping = false;

const FS_CALLS = [
  'readFile',
  'writeFile',
  'mkdir',
  'rmdir',
  'rm',
  'unlink',
  'stat',
  'lstat',
  'readdir',
  'readlink',
  'symlink',
  'chmod',
] as const;
type FsCall = (typeof FS_CALLS)[number];

const stopped = (): Promise<never> =>
  Promise.reject(Object.assign(new Error('the run is stopping: no more file writes'), { code: 'ECANCELED' }));

/**
 * `node:fs` for a writer inside this process (isomorphic-git's clone and commit): once the run is stopping,
 * every call fails instead of writing into a folder that is being removed.
 */
export const stoppableFs: { promises: Record<FsCall, (...args: unknown[]) => Promise<unknown>> } = {
  promises: Object.fromEntries(
    FS_CALLS.map((name) => {
      const call = fsp[name] as (...args: unknown[]) => Promise<unknown>;
      return [name, (...args: unknown[]) => (stopping ? stopped() : call(...args))];
    }),
  ) as Record<FsCall, (...args: unknown[]) => Promise<unknown>>,
};

/** `mkdtemp` under `root` (default TMPDIR), registered for removal at exit. */
export async function makeTempDir(prefix: string, root: string = os.tmpdir()): Promise<string> {
  if (stopping) throw new Error('the run is stopping: no temporary folder is made');
  const made = mkdtemp(path.join(root, prefix)).then((dir) => {
    live.add(dir);
    return dir;
  });
  creating.add(made);
  try {
    return await made;
  } finally {
    creating.delete(made);
  }
}

/** {@link makeTempDir}, synchronously: for a caller that starts a process in the folder at once. */
export function makeTempDirSync(prefix: string, root: string = os.tmpdir()): string {
  if (stopping) throw new Error('the run is stopping: no temporary folder is made');
  const dir = mkdtempSync(path.join(root, prefix));
  live.add(dir);
  return dir;
}

/** Removes a folder made by {@link makeTempDir} (and forgets it once it is gone). */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  live.delete(dir);
}

/** Removes every folder still registered, synchronously (it runs from `exit` and signal handlers). */
export function removeAllTempDirs(): void {
  for (const dir of live) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Best effort: a folder that cannot be removed is not worth a second error on the way out.
    }
  }
  live.clear();
}

/**
 * Removes every registered folder, and again while something still writes into one (a write already on
 * its way when the writers were stopped): a few rounds at most. The folders stay registered for the last,
 * synchronous removal at exit.
 */
async function removeAllSettled(): Promise<void> {
  const pause = () => new Promise((done) => setTimeout(done, 20));
  for (let round = 0; round < 5; round++) {
    for (const dir of live) await rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
    await pause();
    if (![...live].some((dir) => existsSync(dir))) return;
  }
}

let installed = false;

/** The longest a signal waits for the run's children and folders before it exits anyway. */
const STOP_TIMEOUT_MS = 10_000;

export interface CleanupOptions {
  /** Stops and awaits whatever may write into a temporary folder (git children), before removal. */
  stop?: () => Promise<void>;
}

/**
 * Removes the run's temporary folders at process exit and on SIGINT/SIGTERM, then exits with 128 + the
 * signal number, as a shell reports a killed command. A second signal exits at once (after a synchronous
 * removal). For the edges (CLI, Action) only.
 * @example cleanTempDirsOnExit({ stop: stopGitChildren });
 */
export function cleanTempDirsOnExit(opts: CleanupOptions = {}): void {
  if (installed) return;
  installed = true;
  process.on('exit', removeAllTempDirs);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      const exitNow = () => {
        removeAllTempDirs();
        process.exit(code);
      };
      if (stopping) return exitNow();
      stopping = true;
      setTimeout(exitNow, STOP_TIMEOUT_MS);
      void (async () => {
        await opts.stop?.().catch(() => {});
        await Promise.allSettled([...creating]);
        await removeAllSettled();
        exitNow();
      })();
    });
  }
}
