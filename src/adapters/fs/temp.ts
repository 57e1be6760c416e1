/**
 * Temporary folders of a run (the shallow clone, the scratch folder of a commit), removed on every way
 * out: the adapter's own `finally`, a normal exit, an uncaught error, and SIGINT/SIGTERM (a CronJob's pod
 * being stopped, Ctrl-C). Without the signal path, each stopped run left a clone behind in TMPDIR, which
 * in the cron container is a size-limited emptyDir.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const live = new Set<string>();

/** `mkdtemp` under `root` (default TMPDIR), registered for removal at exit. */
export async function makeTempDir(prefix: string, root: string = os.tmpdir()): Promise<string> {
  const dir = await mkdtemp(path.join(root, prefix));
  live.add(dir);
  return dir;
}

/** Removes a folder made by {@link makeTempDir} (and forgets it). */
export async function removeTempDir(dir: string): Promise<void> {
  live.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

/** Removes every folder still registered, synchronously (it runs from `exit` and signal handlers). */
export function removeAllTempDirs(): void {
  for (const dir of live) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Best effort: a folder that cannot be removed is not worth a second error on the way out.
    }
  }
  live.clear();
}

let installed = false;

/**
 * Removes the run's temporary folders at process exit and on SIGINT/SIGTERM, then exits with 128 + the
 * signal number, as a shell reports a killed command. For the edges (CLI, Action) only.
 */
export function cleanTempDirsOnExit(): void {
  if (installed) return;
  installed = true;
  process.on('exit', removeAllTempDirs);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      removeAllTempDirs();
      process.exit(code);
    });
  }
}
