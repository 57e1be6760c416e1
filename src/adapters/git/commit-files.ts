/**
 * What a commit made by `Workspace.commit()` changes against its parent, as bytes: for replaying that
 * commit through another channel (the GitHub Git Data API, src/api-commits.ts) with the very same blobs,
 * modes and therefore the very same tree id.
 *
 * A separate file rather than a Workspace method, so the Workspace interface stays as it is; it reads the
 * workspace's own object store (the `repoObjects` of BaseWorkspace in workspace.ts).
 */
import { GitError } from '../../core/errors.js';
import { diffTrees, readBlobBytes, type ObjectRepo } from './objects.js';
import type { Workspace } from './workspace.js';

export interface CommitFile {
  /** Repository-relative path. */
  path: string;
  /** Blob id in the commit, or null when the commit removes the path. */
  oid: string | null;
  /** `100644` or `100755` (the mode the base had, kept by `commit()`); null when removed. */
  mode: string | null;
  /** The blob's exact bytes (CRLF, BOM, missing final newline kept); null when removed. */
  bytes: Uint8Array | null;
}

function objectsOf(ws: Workspace): ObjectRepo {
  const repo = (ws as unknown as { repoObjects?: ObjectRepo }).repoObjects;
  if (!repo?.reader || !repo.writer) {
    throw new GitError(
      'internal: this workspace does not expose its Git objects (expected an opened Workspace)',
    );
  }
  return repo;
}

/**
 * The files `commitId` changes against its only parent.
 * @example
 * const id = await ws.commit({ changes, message, author });
 * for (const f of await commitFiles(ws, id)) console.log(f.path, f.mode, f.bytes?.length);
 */
export async function commitFiles(ws: Workspace, commitId: string): Promise<CommitFile[]> {
  const repo = objectsOf(ws);
  const commit = await ws.readCommitInfo(commitId);
  if (commit.parents.length !== 1) {
    throw new GitError(`commit ${commitId.slice(0, 12)} has ${commit.parents.length} parents, expected one`);
  }
  const parent = await ws.readCommitInfo(commit.parents[0]!);
  const out: CommitFile[] = [];
  for (const d of await diffTrees(repo, parent.tree, commit.tree)) {
    out.push(
      d.to
        ? { path: d.path, oid: d.to.oid, mode: d.to.mode, bytes: await readBlobBytes(repo, d.to.oid) }
        : { path: d.path, oid: null, mode: null, bytes: null },
    );
  }
  return out;
}
