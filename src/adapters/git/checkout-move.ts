/**
 * Moving a checkout's files and index from one commit to a child of it, for the common case where git's
 * checkout would write the blob bytes unchanged: regular files modified or added, no line-ending
 * conversion, no filter, no sparse checkout.
 *
 * `git read-tree -m -u` does the same job for any pair of commits, but it unlinks and re-creates every
 * file: 5,000 changed files took it 1-12 s here, most of it waiting on the disk. Replacing a file (a
 * rename over it, or a truncation to zero) is what costs on ext4: its `auto_da_alloc` flushes such a file
 * at once. Writing the new bytes over the old ones, from offset 0, when the file does not shrink (as a
 * record or trigger edit does not), took 0.1 s for the same 5,000 files. Then one
 * `git update-index --stdin` re-hashes the written files (every object is already stored) and records
 * their stat data.
 *
 * Safety is git's: before anything is written, each file must hold the old or the new bytes (or be missing,
 * when finishing an interrupted move) and its index entry the old or the new blob; anything else is a
 * person's edit, and the move is refused naming the files. A file that shrinks, or has other hard links,
 * is written under a temporary name and renamed; a leftover temporary file of a killed run is removed when
 * the next run finishes that move. A write killed part way leaves whole pages of the new bytes over the
 * old ones: finishing a move recognises exactly that shape as its own and writes the file again.
 */
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';

import { gitBlobId } from './shared.js';

/** One path the move changes: its blob before (null: added) and after, and the bytes to write. */
export interface MoveEntry {
  path: string;
  mode: '100644' | '100755';
  from: string | null;
  to: string;
  bytes: Buffer;
  /** The old bytes (null: added), to recognise a write killed part way. */
  before: Buffer | null;
}

/** What inspection found: the entries whose files need writing, and the stat each had when checked. */
export interface MoveCheck {
  entries: readonly MoveEntry[];
  write: MoveEntry[];
  seen: Map<string, string>;
  conflicts: string[];
}

/** The temporary name a file is written under before it is renamed over the path. */
export function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.vault-rollout~`);
}

/** The page size a write can be cut at by a kill (the kernel checks for fatal signals between pages). */
const PAGE = 4096;

/**
 * Whether `content` is what an in-place write of `to` over `from` (or into a new file) leaves when it is
 * killed part way: the first k bytes of `to`, k a whole number of pages, then the rest of the old bytes.
 */
export function isCutWrite(content: Buffer, to: Buffer, from: Buffer | null): boolean {
  const old = from ?? Buffer.alloc(0);
  for (let k = PAGE; k < to.length; k += PAGE) {
    if (content.length !== Math.max(k, old.length)) continue;
    if (content.subarray(0, k).equals(to.subarray(0, k)) && content.subarray(k).equals(old.subarray(k))) {
      return true;
    }
  }
  return false;
}

function statKey(st: { size: number; mtimeMs: number; ino: number; mode: number }): string {
  return `${st.size}:${st.mtimeMs}:${st.ino}:${st.mode}`;
}

/**
 * Checks every entry's work-tree file (and that no folder on its way is a symbolic link or a file).
 * @param allowMissing a missing file counts as the old one (an interrupted move re-creates it); before a
 *   push it is a person's deletion and a conflict.
 * @param known files known to hold a blob without reading them: `stat` is what {@link statFiles} saw
 *   before git's stat cache called the file clean against that index entry (git checks the folders on
 *   its way), so an edit made after that stat is caught by {@link changedSince}.
 */
export function inspectWorkTree(
  dir: string,
  entries: readonly MoveEntry[],
  format: 'sha1' | 'sha256',
  allowMissing: boolean,
  known: ReadonlyMap<string, { oid: string; stat: string }> = new Map(),
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
    // A killed move's temporary file. Only a move that finishes a killed one (`allowMissing`: the next
    // open's fast-forward, over exactly the paths the killed move was writing) can meet one, so a move
    // from a settled checkout does not look (5,000 stats on the way to the push). existsSync costs one
    // stat and no exception (rmSync alone costs more, 5,000 times over).
    if (allowMissing && existsSync(tempName(file))) rmSync(tempName(file), { force: true });
    const clean = known.get(e.path);
    if (clean !== undefined) {
      seen.set(e.path, clean.stat);
      if (clean.oid === e.from) write.push(e);
      else if (clean.oid !== e.to) conflicts.push(e.path);
      continue;
    }
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
    const content = readFileSync(file);
    const oid = gitBlobId(content, format);
    if (oid === e.to) {
      seen.set(e.path, statKey(st));
    } else if (oid === e.from || (allowMissing && isCutWrite(content, e.bytes, e.before))) {
      seen.set(e.path, statKey(st));
      write.push(e);
    } else conflicts.push(e.path);
  }
  return { entries, write, seen, conflicts };
}

/**
 * The stat of each regular file among `paths` (no entry: missing, or not a regular file), taken before
 * git's stat cache is asked about them: see {@link inspectWorkTree}'s `known`.
 */
export function statFiles(dir: string, paths: readonly string[]): Map<string, string> {
  const stats = new Map<string, string>();
  for (const p of paths) {
    try {
      const st = lstatSync(path.join(dir, p));
      if (st.isFile()) stats.set(p, statKey(st));
    } catch (err) {
      if (
        (err as NodeJS.ErrnoException).code !== 'ENOENT' &&
        (err as NodeJS.ErrnoException).code !== 'ENOTDIR'
      )
        throw err;
    }
  }
  return stats;
}

/**
 * The entries whose file changed since inspection into something that is neither its old nor its new
 * bytes (a person's edit made meanwhile), or appeared, or went missing when it will not be written.
 * Files whose stat is unchanged are not read again.
 */
export function changedSince(
  dir: string,
  check: MoveCheck,
  format: 'sha1' | 'sha256',
  stats?: Map<string, Stats>,
): string[] {
  const writing = new Set(check.write);
  const conflicting = new Set(check.conflicts);
  const late: string[] = [];
  for (const e of check.entries) {
    if (conflicting.has(e.path)) continue;
    const file = path.join(dir, e.path);
    const before = check.seen.get(e.path);
    let st;
    try {
      st = lstatSync(file);
    } catch {
      if (!writing.has(e)) late.push(e.path); // gone, and nothing would put it back
      continue;
    }
    stats?.set(e.path, st);
    if (before === undefined) {
      late.push(e.path); // missing when inspected, there now
      continue;
    }
    if (statKey(st) === before) continue;
    const oid = st.isFile() ? gitBlobId(readFileSync(file), format) : '';
    if (oid !== e.from && oid !== e.to) late.push(e.path);
  }
  return late;
}

/**
 * Writes the checked entries, unless a file changed since inspection (see {@link changedSince}): over the
 * old bytes in place when it does not shrink and has one link, else under a temporary name renamed over
 * the path; a missing file is created.
 * @param settled called with each entry's path once its file holds the new bytes (already, or written),
 *   so that `git update-index` can hash it while the next files are written.
 * @param checked the stats a {@link changedSince} that found nothing took right before (the check made
 *   just before the push, which starts this move): the files are not checked again.
 * @returns the paths that changed since inspection into something else (nothing is written then).
 */
export function writeWorkTree(
  dir: string,
  check: MoveCheck,
  format: 'sha1' | 'sha256',
  settled: (path: string) => void = () => {},
  checked?: ReadonlyMap<string, Stats>,
): string[] {
  // The stat each file had when checked just now: no second lstat per file before writing it.
  let stats: ReadonlyMap<string, Stats>;
  if (checked) stats = checked;
  else {
    const taken = new Map<string, Stats>();
    const late = changedSince(dir, check, format, taken);
    if (late.length > 0) return late;
    stats = taken;
  }
  const writing = new Set(check.write);
  for (const e of check.entries) if (!writing.has(e)) settled(e.path);
  for (const e of check.write) {
    write(dir, e, stats.get(e.path) ?? null);
    settled(e.path);
  }
  return [];
}

/** Writes one entry's new bytes: in place, as a new file, or under a temporary name renamed over it. */
function write(dir: string, e: MoveEntry, st: Stats | null): void {
  const file = path.join(dir, e.path);
  if (st && st.isFile() && st.nlink === 1 && e.bytes.length >= st.size) {
    const fd = openSync(file, 'r+');
    try {
      for (let at = 0; at < e.bytes.length;) at += writeSync(fd, e.bytes, at, e.bytes.length - at, at);
    } finally {
      closeSync(fd);
    }
    return;
  }
  const mode = e.mode === '100755' ? 0o777 : 0o666;
  if (!st) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, e.bytes, { mode });
    return;
  }
  const tmp = tempName(file);
  writeFileSync(tmp, e.bytes, { mode });
  renameSync(tmp, file);
}
