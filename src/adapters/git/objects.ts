/**
 * Object-level Git helpers shared by remote and local mode: read the manifests of a commit straight from Git
 * objects, and write a commit that changes only the edited paths, without a working tree or an index.
 *
 * Why objects and not a checkout: the cron container has no persistent disk and only the manifests matter
 * (issue 3); a checkout of a 10,000-file repo costs seconds and hundreds of MB in isomorphic-git
 * (DEPENDENCIES.md pitfall 5). Blobs are bytes: CRLF and BOM are kept, `.gitattributes` is not applied
 * (pitfall 3), which is exactly what SPEC "Guarantees" needs.
 */
import { GitError } from '../../core/errors.js';
import type { FileChange, Problem, RepoFile } from '../../core/model.js';
import { PackReader, parseTree } from './pack-reader.js';
import { ObjectWriter } from './write-objects.js';

/**
 * Where the objects are: the {@link PackReader} reads packs (falling back to isomorphic-git, with one cache
 * object shared by every call, for loose objects), the {@link ObjectWriter} writes loose objects.
 */
export interface ObjectRepo {
  dir: string;
  gitdir: string;
  cache: object;
  reader: PackReader;
  writer: ObjectWriter;
}

export function objectRepo(dir: string, gitdir: string): ObjectRepo {
  const cache = {};
  const writer = new ObjectWriter(gitdir);
  return {
    dir,
    gitdir,
    cache,
    writer,
    reader: new PackReader(gitdir, cache, (oid) => writer.written.get(oid)),
  };
}

export interface TreeFile {
  path: string;
  oid: string;
  mode: string;
}

const TREE_MODE = '040000';
const SYMLINK_MODE = '120000';
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

async function readTyped(repo: ObjectRepo, oid: string, type: 'commit' | 'tree' | 'blob'): Promise<Buffer> {
  const obj = await repo.reader.read(oid);
  if (obj.type !== type) throw new GitError(`object ${oid} is a ${obj.type}, expected a ${type}`);
  return obj.data;
}

export async function readCommitTree(repo: ObjectRepo, commit: string): Promise<string> {
  const m = /^tree ([0-9a-f]{40})/.exec((await readTyped(repo, commit, 'commit')).toString('latin1', 0, 46));
  if (!m?.[1]) throw new GitError(`commit ${commit} has no tree`);
  return m[1];
}

/** Parsed trees by object id (immutable, so safe to share): an adoption commit of 5,000 files looked up
 * every path from the root tree, re-reading and re-parsing the same trees ~30,000 times (5 s on the bench). */
const parsedTrees = new WeakMap<ObjectRepo, Map<string, ReturnType<typeof parseTree>>>();

async function readTreeEntries(repo: ObjectRepo, oid: string): Promise<ReturnType<typeof parseTree>> {
  let cache = parsedTrees.get(repo);
  if (!cache) parsedTrees.set(repo, (cache = new Map()));
  const hit = cache.get(oid);
  if (hit) return hit;
  const entries = parseTree(await readTyped(repo, oid, 'tree'));
  cache.set(oid, entries);
  return entries;
}

export async function readBlobBytes(repo: ObjectRepo, oid: string): Promise<Uint8Array> {
  return readTyped(repo, oid, 'blob');
}

/**
 * Lists the files of a tree whose path `accept`s, walking trees directly (no `walk`, no index).
 * `enterDir` may rule a folder out before its tree object is even read.
 */
export async function listTree(
  repo: ObjectRepo,
  treeOid: string,
  accept: (path: string) => boolean,
  enterDir: (dir: string) => boolean = () => true,
): Promise<{ files: TreeFile[]; problems: Problem[] }> {
  const files: TreeFile[] = [];
  const problems: Problem[] = [];
  const visit = async (oid: string, prefix: string): Promise<void> => {
    for (const entry of await readTreeEntries(repo, oid)) {
      const p = prefix + entry.path;
      if (entry.type === 'tree') {
        if (enterDir(p)) await visit(entry.oid, `${p}/`);
      } else if (entry.type === 'blob' && accept(p)) {
        if (entry.mode === SYMLINK_MODE) {
          problems.push({
            file: p,
            severity: 'warning',
            message: 'symbolic link: not followed, not rewritten',
          });
        } else {
          files.push({ path: p, oid: entry.oid, mode: entry.mode });
        }
      }
      // entry.type === 'commit' is a submodule: not part of this repository's manifests.
    }
  };
  await visit(treeOid, '');
  return { files, problems };
}

/** Decodes blob bytes as UTF-8, keeping a BOM as U+FEFF so that writing the text back keeps it. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** Reads every accepted file of a tree as text; non-UTF-8 files become problems. */
export async function loadFiles(
  repo: ObjectRepo,
  treeOid: string,
  accept: (path: string) => boolean,
  enterDir?: (dir: string) => boolean,
): Promise<{ files: RepoFile[]; problems: Problem[] }> {
  const listed = await listTree(repo, treeOid, accept, enterDir);
  const files: RepoFile[] = [];
  const problems = listed.problems;
  for (const f of listed.files) {
    const text = decodeUtf8(await readBlobBytes(repo, f.oid));
    if (text === null)
      problems.push({ file: f.path, severity: 'warning', message: 'not valid UTF-8: skipped' });
    else files.push({ path: f.path, text });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, problems };
}

/** Finds the entry at `path` in a tree, or null. */
export async function entryAt(repo: ObjectRepo, treeOid: string, path: string): Promise<TreeFile | null> {
  const parts = path.split('/');
  let oid = treeOid;
  for (let i = 0; i < parts.length; i++) {
    const entry = (await readTreeEntries(repo, oid)).find((e) => e.path === parts[i]);
    if (!entry) return null;
    if (i === parts.length - 1) return { path, oid: entry.oid, mode: entry.mode };
    if (entry.type !== 'tree') return null;
    oid = entry.oid;
  }
  return null;
}

function checkPath(p: string): void {
  const parts = p.split('/');
  if (p.startsWith('/') || parts.some((s) => s === '' || s === '.' || s === '..' || s === '.git')) {
    throw new GitError(`refusing to commit "${p}": not a plain repository-relative path`, { path: p });
  }
}

interface BlobEdit {
  oid: string;
  mode: string;
}

/** Rewrites only the trees on the edited paths; every other subtree keeps its object id. */
async function rewriteTree(
  repo: ObjectRepo,
  treeOid: string | null,
  prefix: string,
  edits: Map<string, BlobEdit>,
): Promise<string> {
  const entries = treeOid ? [...(await readTreeEntries(repo, treeOid))] : [];
  const files = new Map<string, BlobEdit>();
  const dirs = new Map<string, Map<string, BlobEdit>>();
  for (const [rel, edit] of edits) {
    const slash = rel.indexOf('/');
    if (slash === -1) files.set(rel, edit);
    else {
      const name = rel.slice(0, slash);
      const sub = dirs.get(name) ?? new Map<string, BlobEdit>();
      sub.set(rel.slice(slash + 1), edit);
      dirs.set(name, sub);
    }
  }
  const put = (name: string, mode: string, oid: string, type: 'blob' | 'tree') => {
    const i = entries.findIndex((e) => e.path === name);
    const entry = { path: name, mode, oid, type };
    if (i === -1) entries.push(entry);
    else entries[i] = entry;
  };
  for (const [name, edit] of files) {
    const existing = entries.find((e) => e.path === name);
    if (existing && existing.type !== 'blob') {
      throw new GitError(
        `cannot write file "${prefix}${name}": it is a folder or submodule in the repository`,
      );
    }
    put(name, edit.mode, edit.oid, 'blob');
  }
  for (const [name, sub] of dirs) {
    const existing = entries.find((e) => e.path === name);
    if (existing && existing.type !== 'tree') {
      throw new GitError(`cannot write below "${prefix}${name}": it is a file in the repository`);
    }
    put(name, TREE_MODE, await rewriteTree(repo, existing?.oid ?? null, `${prefix}${name}/`, sub), 'tree');
  }
  return repo.writer.writeTree(entries);
}

export interface CommitInput {
  changes: FileChange[];
  message: string;
  author: { name: string; email: string };
  now: Date;
}

/**
 * Writes one commit on top of `parent` holding every change. Each file's current content in `parent` must
 * equal `change.before` (a file absent from `parent` counts as `''`, so a change with `before: ''` creates it);
 * otherwise the plan is stale and nothing is written.
 * @returns the commit id, or null when no change alters a file.
 */
export async function writeChangesCommit(
  repo: ObjectRepo,
  parent: string,
  input: CommitInput,
): Promise<string | null> {
  const changes = input.changes.filter((c) => c.before !== c.after);
  if (changes.length === 0) return null;
  const seen = new Set<string>();
  for (const c of changes) {
    checkPath(c.path);
    if (seen.has(c.path)) throw new GitError(`two changes for "${c.path}" in one commit; merge them first`);
    seen.add(c.path);
  }
  const baseTree = await readCommitTree(repo, parent);
  const edits = new Map<string, BlobEdit>();
  for (const c of changes) {
    const entry = await entryAt(repo, baseTree, c.path);
    const current = entry ? decodeUtf8(await readBlobBytes(repo, entry.oid)) : '';
    if (current !== c.before) {
      throw new GitError(
        `"${c.path}" in commit ${parent.slice(0, 12)} differs from what was planned; re-plan on the current head`,
        { path: c.path, head: parent },
      );
    }
    const oid = await repo.writer.write('blob', Buffer.from(c.after, 'utf8'));
    edits.set(c.path, { oid, mode: entry?.mode === '100755' ? '100755' : '100644' });
  }
  const tree = await rewriteTree(repo, baseTree, '', edits);
  const commit = await repo.writer.writeCommit({
    tree,
    parents: [parent],
    author: input.author,
    timestamp: Math.floor(input.now.getTime() / 1000),
    message: input.message,
  });
  repo.writer.flush();
  return commit;
}

/**
 * Paths whose blob (or mode) differs between two trees, with the entry in `to` (null when removed).
 * Identical subtrees are skipped by object id, so this costs only the trees on changed paths.
 */
export async function diffTrees(
  repo: ObjectRepo,
  from: string | null,
  to: string | null,
  prefix = '',
): Promise<{ path: string; to: TreeFile | null }[]> {
  if (from === to) return [];
  const a = from ? await readTreeEntries(repo, from) : [];
  const b = to ? await readTreeEntries(repo, to) : [];
  const out: { path: string; to: TreeFile | null }[] = [];
  const byNameA = new Map(a.map((e) => [e.path, e]));
  const byNameB = new Map(b.map((e) => [e.path, e]));
  for (const name of new Set([...byNameA.keys(), ...byNameB.keys()])) {
    const ea = byNameA.get(name);
    const eb = byNameB.get(name);
    if (ea && eb && ea.oid === eb.oid && ea.mode === eb.mode) continue;
    const p = prefix + name;
    const treeA = ea?.type === 'tree' ? ea.oid : null;
    const treeB = eb?.type === 'tree' ? eb.oid : null;
    if (treeA || treeB) out.push(...(await diffTrees(repo, treeA, treeB, `${p}/`)));
    const blobA = ea && ea.type !== 'tree' ? ea : null;
    const blobB = eb && eb.type !== 'tree' ? eb : null;
    if (blobA || blobB)
      out.push({ path: p, to: blobB ? { path: p, oid: blobB.oid, mode: blobB.mode } : null });
  }
  return out;
}
