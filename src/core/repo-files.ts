/**
 * The file rules of the repository, in one place: the working tree on disk and the Git objects of a
 * commit are both walked by {@link walkRepo}, over a {@link TreeView} each adapter builds, so `plan` on a
 * checkout reads exactly the files `apply` commits on.
 *
 * - Only `.yaml` / `.yml` names are manifests (a caller may ask for named files of any name).
 * - Only regular files are read: a FIFO, socket or device is reported, never opened (opening a FIFO
 *   blocks, reading `/dev/zero` never ends).
 * - A symbolic link is followed only when its relative target resolves, link by link, to a regular file
 *   or a folder inside the repository and outside `.git` and `node_modules`. An absolute target is
 *   outside: it names the machine the run happens to be on, not the repository (`/etc/passwd`, the
 *   runner's own checkout with its credentials in `.git/config`). A file reached through a link is read
 *   under the link's path, as kustomize and Argo CD see it, and written through to its target.
 * - Sizes are known before any content is read: a file over `maxFileBytes` is reported and never loaded.
 *
 * Pure: the adapters supply the entries, this module decides.
 */
import { isKustomizationFile } from './discover/kustomization-names.js';
import { oversizeProblem } from './limits.js';
import type { Problem } from './model.js';

/** One entry of the repository as stored: a link is not followed here. */
export type TreeEntry =
  | { kind: 'dir' }
  | { kind: 'file' }
  /** `target`: the link's text; null when it cannot be read or is longer than {@link MAX_LINK_BYTES}. */
  | { kind: 'link'; target: string | null }
  /** A nested repository (a Git submodule, a checked-out folder holding `.git`): not part of this one. */
  | { kind: 'repo' }
  /** A FIFO, socket or device. */
  | { kind: 'special' };

/** The repository as an adapter stores it. Paths are POSIX, relative to the root (`''` is the root). */
export interface TreeView {
  /** The entry at `path` (its last component not followed); null when absent. */
  entry(path: string): TreeEntry | null;
  /** The names in a folder, or null when it cannot be listed. */
  list(dir: string): string[] | null;
}

/** A file to read: `path` as the repository shows it, `real` the path its bytes are stored under. */
export interface FoundFile {
  path: string;
  real: string;
  viaLink: boolean;
}

/** The longest link text followed (Linux's PATH_MAX); a longer one is never read whole. */
export const MAX_LINK_BYTES = 4096;
/** Links followed in one resolution before it counts as a loop (Linux's limit, `ELOOP`). */
const MAX_LINK_HOPS = 40;
/** Folders that are not the repository's files: Git's own data, installed packages. */
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

const MANIFEST_NAME = /\.ya?ml$/i;

/**
 * Whether a path names a manifest: `.yaml` or `.yml`, any case, or a kustomization file under any of the
 * names kustomize reads (`Kustomization` has no extension), so every reader sees the same roots.
 */
export function isManifestName(path: string): boolean {
  return MANIFEST_NAME.test(path) || isKustomizationFile(path);
}

function skippedName(name: string): boolean {
  return SKIPPED_DIRS.has(name.toLowerCase());
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Where a link leads. Only `ok` is followed; every other state is reported by its link's path. */
export type LinkResolution =
  | { state: 'ok'; path: string; kind: 'file' | 'dir' }
  | { state: 'outside' | 'loop' | 'missing' | 'unreadable' | 'special' };

/** What each refused link is reported as (never the target's text or content). */
const LINK_PROBLEM: Record<Exclude<LinkResolution['state'], 'ok'>, string> = {
  outside: 'symlink points outside the repository: skipped',
  loop: 'symlink loop: skipped',
  missing: 'symlink target does not exist: skipped',
  unreadable: 'symlink cannot be read: skipped',
  special: 'symlink points to a special file (not a regular file): skipped',
};

/** The one-line reason a link is not followed. */
export function linkProblem(state: Exclude<LinkResolution['state'], 'ok'>): string {
  return LINK_PROBLEM[state];
}

/**
 * Resolves the link at `linkPath` inside the repository, component by component as the kernel does
 * (a link met on the way is replaced by its target before `..` applies), never leaving the root.
 */
export function resolveLink(view: TreeView, linkPath: string): LinkResolution {
  const first = view.entry(linkPath);
  if (first?.kind !== 'link') return { state: 'missing' };
  const done = linkPath.split('/').slice(0, -1);
  let pending: string[] = [];
  let hops = 0;
  const follow = (target: string | null): LinkResolution | null => {
    if (target === null) return { state: 'unreadable' };
    if (target === '' || target.includes('\0')) return { state: 'missing' };
    if (target.startsWith('/')) return { state: 'outside' };
    if (++hops > MAX_LINK_HOPS) return { state: 'loop' };
    pending = [...target.split('/'), ...pending];
    return null;
  };
  const stop = follow(first.target);
  if (stop) return stop;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (done.length === 0) return { state: 'outside' };
      done.pop();
      continue;
    }
    if (skippedName(part)) return { state: 'outside' };
    done.push(part);
    const entry = view.entry(done.join('/'));
    if (entry === null) return { state: 'missing' };
    if (entry.kind === 'link') {
      done.pop();
      const refused = follow(entry.target);
      if (refused) return refused;
      continue;
    }
    if (entry.kind === 'repo') return { state: 'outside' };
    if (entry.kind === 'special') return { state: 'special' };
    if (pending.some((p) => p !== '' && p !== '.') && entry.kind !== 'dir') return { state: 'missing' };
  }
  if (done.length === 0) return { state: 'loop' }; // the root itself: every file would be read again
  const path = done.join('/');
  const kind = view.entry(path)?.kind;
  return kind === 'file' || kind === 'dir' ? { state: 'ok', path, kind } : { state: 'missing' };
}

/**
 * Every file of the repository that `wanted` selects, by the rules above, with a problem for each file
 * (or linked folder) that is refused. The same file reached twice (its own path and a link, or two links)
 * is listed once, so one run never edits it twice: its own path wins, else the first path in order.
 * @param enter false for a folder (by the path it is seen at) that cannot hold a wanted file: it is not
 *   walked, so nothing below it is listed or reported (reading the config walks the top folder only).
 */
export function walkRepo(
  view: TreeView,
  wanted: (path: string) => boolean,
  enter: (dir: string) => boolean = () => true,
): { files: FoundFile[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const found: FoundFile[] = [];
  // A folder reached through links is walked once: a second link to it would only list the same files
  // again, and folders linking to each other would otherwise multiply the walk at every level.
  const linkedDirs = new Set<string>();
  const walk = (real: string, shown: string, ancestors: ReadonlySet<string>, linked: boolean): void => {
    const names = view.list(real);
    if (names === null) {
      problems.push({ file: shown || '.', severity: 'warning', message: 'folder cannot be read: skipped' });
      return;
    }
    for (const name of [...names].sort(compare)) {
      if (skippedName(name)) continue;
      const path = shown ? `${shown}/${name}` : name;
      const at = real ? `${real}/${name}` : name;
      const entry = view.entry(at);
      if (entry === null || entry.kind === 'repo') continue;
      if (entry.kind === 'dir') {
        if (enter(path)) walk(at, path, new Set([...ancestors, at]), linked);
      } else if (entry.kind === 'file') {
        if (wanted(path)) found.push({ path, real: at, viaLink: linked });
      } else if (entry.kind === 'special') {
        if (wanted(path))
          problems.push({ file: path, severity: 'warning', message: 'not a regular file: skipped' });
      } else {
        const to = resolveLink(view, at);
        if (to.state !== 'ok') {
          // A link that is not a wanted file is named only when it may be a folder (no extension).
          if (wanted(path) || !name.includes('.'))
            problems.push({ file: path, severity: 'warning', message: linkProblem(to.state) });
        } else if (to.kind === 'file') {
          if (wanted(path)) found.push({ path, real: to.path, viaLink: true });
        } else if (ancestors.has(to.path) || isBelow(at, to.path)) {
          problems.push({ file: path, severity: 'warning', message: linkProblem('loop') });
        } else if (enter(path) && !linkedDirs.has(to.path)) {
          linkedDirs.add(to.path);
          walk(to.path, path, new Set([...ancestors, to.path]), true);
        }
      }
    }
  };
  walk('', '', new Set(['']), false);

  const byReal = new Map<string, FoundFile>();
  for (const f of found) {
    const kept = byReal.get(f.real);
    if (!kept || (kept.viaLink && !f.viaLink)) byReal.set(f.real, f);
  }
  const files = [...byReal.values()].sort((a, b) => compare(a.path, b.path));
  return { files, problems };
}

/** Whether `path` lies inside folder `dir` (a link into one of its own ancestors loops). */
function isBelow(path: string, dir: string): boolean {
  return path.startsWith(`${dir}/`);
}

/**
 * The rule a caller's selection is combined with: manifests by name, unless the caller names files
 * itself (`anyName`: the config file, templates).
 */
export function fileRule(accept: (path: string) => boolean, anyName = false): (path: string) => boolean {
  return anyName ? accept : (path) => isManifestName(path) && accept(path);
}

/**
 * Splits found files by size, before any is read: those within `maxFileBytes` (no limit: all), and a
 * problem for each one over it. `size` is what the store says (a stat, a Git object header).
 */
export function withinSize<T extends { path: string }>(
  files: readonly T[],
  size: (file: T) => number | null,
  maxFileBytes: number | undefined,
): { files: T[]; problems: Problem[] } {
  if (maxFileBytes === undefined) return { files: [...files], problems: [] };
  const kept: T[] = [];
  const problems: Problem[] = [];
  for (const f of files) {
    const n = size(f);
    if (n !== null && n > maxFileBytes) problems.push(oversizeProblem(f.path, n, maxFileBytes));
    else kept.push(f);
  }
  return { files: kept, problems };
}
