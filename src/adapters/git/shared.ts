/** Rules both Git adapters (native CLI and isomorphic-git) apply the same way. */
import { createHash } from 'node:crypto';

import { isValidBranchName } from '../../core/branch-name.js';
import { GitError } from '../../core/errors.js';
import type { FoundFile, TreeEntry as RepoTreeEntry, TreeView } from '../../core/repo-files.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes blob bytes as strict UTF-8, keeping a BOM as U+FEFF so that writing the text back keeps it. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** A branch name git accepts, checked before it reaches a refspec. */
export { isValidBranchName };

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
 * Turns a "may this folder hold an accepted file" hint into a per-path test that asks about each folder
 * once, top-down, and never about a folder below one it refused (as a tree walk would skip it).
 */
export function folderFilter(enterDir: ((dir: string) => boolean) | undefined): (path: string) => boolean {
  if (!enterDir) return () => true;
  const known = new Map<string, boolean>();
  return (p) => {
    let at = p.indexOf('/');
    while (at !== -1) {
      const dir = p.slice(0, at);
      let ok = known.get(dir);
      if (ok === undefined) known.set(dir, (ok = enterDir(dir)));
      if (!ok) return false;
      at = p.indexOf('/', at + 1);
    }
    return true;
  };
}

/**
 * The checks both engines make before `pushBranch`: a pull-request branch is never the base branch (that
 * goes through `push`, fast-forward only) and is a valid branch name.
 */
export function checkOtherBranch(base: string, branch: string): void {
  if (branch === base)
    throw new GitError(`pushBranch() updates another branch than the base "${base}"; use push()`);
  if (!isValidBranchName(branch)) throw new GitError(`"${branch}" is not a valid branch name`);
}

/** The id git gives a blob holding `bytes` (`git hash-object`), in the repository's object format. */
export function gitBlobId(bytes: Buffer | string, format: 'sha1' | 'sha256' = 'sha1'): string {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return createHash(format).update(`blob ${data.length}\0`).update(data).digest('hex');
}

/**
 * A commit's tree as the shared file rules see it (src/core/repo-files.ts), from its flat listing:
 * `100644`/`100755` are files, `120000` links (their text in `links`, null when too long or not
 * readable), `160000` a submodule (another repository); folders are implied by the paths.
 */
export function gitTreeView(
  entries: ReadonlyMap<string, { mode: string }>,
  links: ReadonlyMap<string, string | null>,
): TreeView {
  const dirs = new Map<string, Set<string>>([['', new Set()]]);
  for (const p of entries.keys()) {
    let parent = '';
    const parts = p.split('/');
    for (const [i, name] of parts.entries()) {
      dirs.get(parent)!.add(name);
      const here = parent ? `${parent}/${name}` : name;
      if (i < parts.length - 1 && !dirs.has(here)) dirs.set(here, new Set());
      parent = here;
    }
  }
  return {
    entry(p): RepoTreeEntry | null {
      const e = entries.get(p);
      if (e) {
        if (e.mode === '120000') return { kind: 'link', target: links.get(p) ?? null };
        if (e.mode === '160000') return { kind: 'repo' };
        if (e.mode === '100644' || e.mode === '100755') return { kind: 'file' };
        return { kind: 'special' };
      }
      return dirs.has(p) ? { kind: 'dir' } : null;
    },
    list: (d) => {
      const names = dirs.get(d);
      return names ? [...names] : null;
    },
  };
}

/**
 * The paths of the files a load read through a link, to the path their bytes are stored under: a commit
 * writes an edit of `env/shared/base.yaml` to `shared/base.yaml`, as writing through the link on disk does.
 */
export class LinkedPaths {
  private commit = '';
  private readonly map = new Map<string, string>();

  /** Records what one load of `commit` found. */
  remember(commit: string, files: readonly FoundFile[]): void {
    if (commit !== this.commit) {
      this.commit = commit;
      this.map.clear();
    }
    for (const f of files) if (f.viaLink) this.map.set(f.path, f.real);
  }

  /** The stored path of `path` in `commit`. */
  real(commit: string, path: string): string {
    return commit === this.commit ? (this.map.get(path) ?? path) : path;
  }
}
