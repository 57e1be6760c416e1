/**
 * Remote mode's clone and fetches, without isomorphic-git: {@link discoverUploadPack} + {@link fetchPack}
 * download a depth-1 pack, {@link indexPack} indexes it with node:zlib, and the result is laid out as a
 * regular (bare-style, no index, no working tree) Git folder that PackReader, isomorphic-git's ref and
 * object functions and the git CLI all read:
 *
 *   .git/HEAD                             ref: refs/heads/<branch>
 *   .git/config                           remote "origin" (URL without credentials), branch tracking
 *   .git/shallow                          the history boundary the server announced
 *   .git/refs/heads/<branch>              and refs/remotes/origin/<branch>: the fetched commit
 *   .git/objects/pack/pack-<sha>.{pack,idx}
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { indexPack, writePackFiles } from './index-pack.js';
import type { GitObject } from './pack-reader.js';
import type { RemoteAuthState } from './receive-pack.js';
import type { GitAuth } from './remote-url.js';
import { fetchPack, ProtocolError, type FetchProgress, type RefAdvertisement } from './upload-pack.js';

/**
 * A branch name that is safe as a ref and as a path below `refs/` (the rules of `git check-ref-format`
 * that matter here).
 */
export function isValidBranchName(name: string): boolean {
  if (!name || name.startsWith('-') || name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\//.test(name) || name === '@') return false;
  return name.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

/** The default branch the server advertises: HEAD's symref, else the one branch HEAD's commit names. */
export function defaultBranch(adv: RefAdvertisement): string | null {
  const target = adv.symrefs.get('HEAD');
  if (target?.startsWith('refs/heads/')) return target.slice('refs/heads/'.length);
  const head = adv.refs.get('HEAD');
  if (!head) return null;
  const names = [...adv.refs]
    .filter(([ref, oid]) => ref.startsWith('refs/heads/') && oid === head)
    .map(([ref]) => ref.slice('refs/heads/'.length));
  return names.find((n) => n === 'main') ?? names.find((n) => n === 'master') ?? names[0] ?? null;
}

async function writeAtomic(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

export async function writeRefFile(gitdir: string, ref: string, oid: string): Promise<void> {
  await writeAtomic(path.join(gitdir, ...ref.split('/')), `${oid}\n`);
}

/** Quotes a config subsection name (`"` and `\` escaped). */
function subsection(name: string): string {
  return `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** An empty Git folder: HEAD on `branch`, origin at `url` (which carries no credentials). */
export async function initGitdir(gitdir: string, url: string, branch: string): Promise<void> {
  for (const sub of ['objects/pack', 'objects/info', 'refs/heads', 'refs/tags', 'refs/remotes/origin']) {
    await mkdir(path.join(gitdir, sub), { recursive: true });
  }
  await writeFile(path.join(gitdir, 'HEAD'), `ref: refs/heads/${branch}\n`);
  const config = [
    '[core]',
    '\trepositoryformatversion = 0',
    '\tfilemode = true',
    '\tbare = false',
    '\tlogallrefupdates = false',
    '[remote "origin"]',
    `\turl = ${url}`,
    `\tfetch = +refs/heads/${branch}:refs/remotes/origin/${branch}`,
    `[branch ${subsection(branch)}]`,
    '\tremote = origin',
    `\tmerge = refs/heads/${branch}`,
    '',
  ];
  await writeFile(path.join(gitdir, 'config'), config.join('\n'));
}

async function readShallow(gitdir: string): Promise<string[]> {
  const text = await readFile(path.join(gitdir, 'shallow'), 'utf8').catch(() => '');
  return text.split('\n').filter((l) => /^[0-9a-f]{40}$/.test(l));
}

export interface FetchedPack {
  /** Objects in the pack. */
  objects: number;
  packBytes: number;
  downloadMs: number;
  indexMs: number;
}

/**
 * Fetches `want` at depth 1 into `gitdir`: the pack and its index, and the updated `shallow` file.
 * `haves` are commits already here (the server then leaves out the objects they reach); refs are the
 * caller's to move.
 */
export async function fetchInto(opts: {
  gitdir: string;
  url: string;
  advertisement: RefAdvertisement;
  want: string;
  haves: string[];
  /** Reads an object already here: the base of a delta in a thin pack (asked for only with `haves`). */
  readLocal?: (oid: string) => Promise<GitObject | undefined>;
  auth: GitAuth | undefined;
  state: RemoteAuthState;
  onProgress?: ((e: FetchProgress) => void) | undefined;
}): Promise<FetchedPack> {
  const started = performance.now();
  const current = await readShallow(opts.gitdir);
  const { pack, shallow, unshallow } = await fetchPack({
    url: opts.url,
    advertisement: opts.advertisement,
    wants: [opts.want],
    haves: opts.haves,
    // Without a thin pack, git's upload-pack resends every object of a depth-1 tree (the shallow cut hides
    // what the haves hold): the whole repository again on every refresh.
    thin: opts.haves.length > 0 && opts.readLocal !== undefined,
    shallow: current,
    auth: opts.auth,
    state: opts.state,
    onProgress: opts.onProgress,
  });
  const downloaded = performance.now();
  opts.onProgress?.({ phase: 'Indexing pack', loaded: 0 });
  const indexed = await indexPack(pack, {
    onProgress: opts.onProgress,
    ...(opts.readLocal ? { external: opts.readLocal } : {}),
  });
  if (indexed.entries.length > 0) await writePackFiles(opts.gitdir, indexed);
  const next = new Set(current);
  for (const oid of unshallow) next.delete(oid);
  for (const oid of shallow) {
    if (!/^[0-9a-f]{40}$/.test(oid)) throw new ProtocolError('malformed shallow line from the server');
    next.add(oid);
  }
  if (next.size > 0)
    await writeAtomic(path.join(opts.gitdir, 'shallow'), [...next].map((o) => `${o}\n`).join(''));
  return {
    objects: indexed.entries.length,
    packBytes: indexed.pack.length,
    downloadMs: Math.round(downloaded - started),
    indexMs: Math.round(performance.now() - downloaded),
  };
}
