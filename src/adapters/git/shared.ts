/**
 * Data rules both Git adapters (native CLI and isomorphic-git) apply the same way: UTF-8, tree views,
 * paths read through links, blob ids, what a load returns. The decisions both make are in policy.ts.
 */
import { createHash } from 'node:crypto';

import { isValidBranchName } from '../../core/branch-name.js';
import type { Problem, RepoFile } from '../../core/model.js';
import type { GitAuth } from '../../core/ports.js';
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

/**
 * What a load of either engine returns from the bytes it read: each file as text (a file that is not
 * UTF-8 is a warning, not a file), files in path order and problems in file order, so both engines give
 * the plan the same input whatever order they read in.
 */
export function loadResult(
  read: readonly { path: string; bytes: Uint8Array }[],
  found: readonly Problem[],
): { files: RepoFile[]; problems: Problem[] } {
  const files: RepoFile[] = [];
  const problems = [...found];
  for (const f of read) {
    const text = decodeUtf8(f.bytes);
    if (text === null)
      problems.push({ file: f.path, severity: 'warning', message: 'not valid UTF-8: skipped' });
    else files.push({ path: f.path, text });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { files, problems };
}

/** A branch name git accepts, checked before it reaches a refspec. */
export { isValidBranchName };

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
  // Each path is added to its folder, and a folder seen for the first time to its own parent, and so on
  // up: most paths share a folder already known, so this is one lookup per path, not one per segment.
  for (let p of entries.keys()) {
    for (;;) {
      const cut = p.lastIndexOf('/');
      const parent = cut < 0 ? '' : p.slice(0, cut);
      const known = dirs.get(parent);
      const names = known ?? new Set<string>();
      if (!known) dirs.set(parent, names);
      names.add(cut < 0 ? p : p.slice(cut + 1));
      if (known) break;
      p = parent;
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

/** The credential as it may be used for `remote`: itself, or nothing when it is limited to other remotes. */
export function authFor(auth: GitAuth | undefined, remote: string): GitAuth | undefined {
  return auth && (!auth.only || auth.only(remote)) ? auth : undefined;
}
