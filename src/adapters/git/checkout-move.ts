/**
 * Moving a checkout's files and index from one commit to a child of it, for the common case where git's
 * checkout would write the blob bytes unchanged: regular files modified or added, no line-ending
 * conversion, no filter, no sparse checkout.
 *
 * `git read-tree -m -u` does the same job for any pair of commits, but it unlinks and re-creates every
 * file and re-checks the whole index: 5,000 changed files took it 1-12 s here, most of it waiting on the
 * disk. Writing the known bytes in place (through a temporary file and a rename, so a killed run leaves
 * each file old or new, never half-written) and then one `git update-index --stdin` (which re-hashes the
 * written files, finds every object already stored, and records their stat data) does it in a fraction.
 *
 * Safety is git's: before anything is written, each file must hold the old or the new bytes (or be missing,
 * when finishing an interrupted move) and its index entry the old or the new blob; anything else is a
 * person's edit, and the move is refused naming the files. A leftover temporary file of a killed run is
 * removed by the next move of the same path.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** One path the move changes: its blob before (null: added) and after, and the bytes to write. */
export interface MoveEntry {
  path: string;
  mode: '100644' | '100755';
  from: string | null;
  to: string;
  bytes: Buffer;
}

/** What inspection found: the entries whose files need writing, and the stat each had when checked. */
export interface MoveCheck {
  write: MoveEntry[];
  seen: Map<string, string>;
  conflicts: string[];
}

/** The temporary name a file is written under before it is renamed over the path. */
export function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.vault-rollout~`);
}

function blobId(format: 'sha1' | 'sha256', bytes: Buffer): string {
  return createHash(format).update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function statKey(st: { size: number; mtimeMs: number; ino: number; mode: number }): string {
  return `${st.size}:${st.mtimeMs}:${st.ino}:${st.mode}`;
}

/**
 * Checks every entry's work-tree file (and that no folder on its way is a symbolic link or a file).
 * @param allowMissing a missing file counts as the old one (an interrupted move re-creates it); before a
 *   push it is a person's deletion and a conflict.
 */
export function inspectWorkTree(
  dir: string,
  entries: readonly MoveEntry[],
  format: 'sha1' | 'sha256',
  allowMissing: boolean,
): MoveCheck {
  const folders = new Map<string, 'dir' | 'missing' | 'bad'>();
  const folderState = (rel: string): 'dir' | 'missing' | 'bad' => {
    if (rel === '' || rel === '.') return 'dir';
    const known = folders.get(rel);
    if (known) return known;
    const parent = folderState(path.posix.dirname(rel));
    let state: 'dir' | 'missing' | 'bad' = parent;
    if (parent === 'dir') {
      try {
        const st = lstatSync(path.join(dir, rel));
        state = st.isDirectory() ? 'dir' : 'bad';
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        state = 'missing';
      }
    }
    folders.set(rel, state);
    return state;
  };
  const write: MoveEntry[] = [];
  const seen = new Map<string, string>();
  const conflicts: string[] = [];
  for (const e of entries) {
    const file = path.join(dir, e.path);
    rmSync(tempName(file), { force: true });
    const folder = folderState(path.posix.dirname(e.path));
    if (folder === 'bad') {
      conflicts.push(e.path);
      continue;
    }
    let st;
    try {
      st = folder === 'missing' ? null : lstatSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      st = null;
    }
    if (!st) {
      if (allowMissing || e.from === null) write.push(e);
      else conflicts.push(e.path);
      continue;
    }
    if (!st.isFile()) {
      conflicts.push(e.path);
      continue;
    }
    const oid = blobId(format, readFileSync(file));
    if (oid === e.to) {
      seen.set(e.path, statKey(st));
    } else if (oid === e.from) {
      seen.set(e.path, statKey(st));
      write.push(e);
    } else conflicts.push(e.path);
  }
  return { write, seen, conflicts };
}

/**
 * Writes the checked entries: each file that still has the stat it had when inspected (or, if touched
 * since, still the old bytes) is written under a temporary name and renamed over the path.
 * @returns the paths that changed since inspection into something else (nothing is written then).
 */
export function writeWorkTree(dir: string, check: MoveCheck, format: 'sha1' | 'sha256'): string[] {
  const late: string[] = [];
  for (const e of check.write) {
    const file = path.join(dir, e.path);
    const before = check.seen.get(e.path);
    if (before === undefined) continue; // missing when inspected
    let st;
    try {
      st = lstatSync(file);
    } catch {
      continue; // deleted since: re-created below, as git would
    }
    if (statKey(st) === before) continue;
    const oid = st.isFile() ? blobId(format, readFileSync(file)) : '';
    if (oid !== e.from && oid !== e.to) late.push(e.path);
  }
  if (late.length > 0) return late;
  for (const e of check.write) {
    const file = path.join(dir, e.path);
    const tmp = tempName(file);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, e.bytes, { mode: e.mode === '100755' ? 0o777 : 0o666 });
    renameSync(tmp, file);
  }
  return [];
}
