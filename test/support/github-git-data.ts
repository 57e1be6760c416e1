/**
 * The Git Data API of the GitHub test server (github-server.ts): blobs, trees, commits and refs, stored in
 * the very bare repository the `git http-backend` test server serves, so the API and git see one repository
 * as they do on GitHub (a branch created through the API can be fetched, a commit pushed with git can be
 * read through the API), and a test can check the stored bytes with git itself.
 *
 * Like GitHub: a commit created without `author` and `committer` gets the token's bot identity and a
 * signature, and reads back with `verification.verified: true`; one with an explicit author is unsigned.
 * `base_tree` keeps every entry not named, nested paths rewrite only their subtrees, `sha: null` removes a
 * path. `PATCH git/refs` without `force` accepts only a fast-forward (else 422 "Update is not a fast
 * forward"); `POST git/refs` on an existing ref is 422 "Reference already exists". Responses are typed
 * against `@octokit/openapi-types`.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';

import git from 'isomorphic-git';
import type { components } from '@octokit/openapi-types';

type Schemas = components['schemas'];

export interface GitDataAnswer {
  status: number;
  body: unknown;
}

export interface GitDataOptions {
  /** The bare repository (e.g. `git.repoPath(name)` of the git test server). */
  gitdir: string;
  /** API base URL and `/repos/{owner}/{repo}` prefix, for the `url` fields. */
  url: () => string;
  prefix: string;
  /** The login the token acts as, e.g. `vault-rollout[bot]`, and its user id. */
  bot: string;
  botId: number;
  /** Committer of signed API commits: the bot itself (default) or GitHub's web-flow identity. */
  committer?: 'bot' | 'web-flow';
  /** Seconds since the epoch for new commits. */
  clock: () => number;
}

export interface GitDataStore {
  /** Handles a `/git/...` route, or returns null when the path is not one. */
  route(method: string, path: string, body: Record<string, unknown>): Promise<GitDataAnswer | null>;
  /** Commits created through the API, in order. */
  createdCommits: string[];
  /** Ref updates done through the API (`create`, `update`, `force-update`, `delete`). */
  refUpdates: { ref: string; kind: 'create' | 'update' | 'force-update' | 'delete'; sha: string | null }[];
  /**
   * Fault injection: store a tree entry's inline `content` with a line break added, as a server that
   * normalised text would (the client must notice by the tree id and fall back to base64 blobs).
   */
  alterInlineContent: boolean;
}

const SIGNATURE_KEY = 'github-test-server web-flow key';

/** The test server's stand-in for GitHub's signature: a PGP-armoured digest of the payload. */
export function fakeSignature(payload: string): string {
  const digest = createHash('sha256').update(`${SIGNATURE_KEY}\n${payload}`).digest('base64');
  return `-----BEGIN PGP SIGNATURE-----\n\nwsBc${digest}\n=TEST\n-----END PGP SIGNATURE-----`;
}

const fail = (status: number, message: string): GitDataAnswer => {
  const body: Schemas['basic-error'] = { message, documentation_url: 'https://docs.github.com/rest/git' };
  return { status, body };
};

interface Person {
  name: string;
  email: string;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000', '');
}

export function gitDataStore(o: GitDataOptions): GitDataStore {
  const gitdir = o.gitdir;
  const createdCommits: string[] = [];
  const refUpdates: GitDataStore['refUpdates'] = [];
  // Assigned once `route` is defined below (a function declaration, hoisted).
  const store: GitDataStore = { route, createdCommits, refUpdates, alterInlineContent: false };
  const api = () => `${o.url()}${o.prefix}`;

  async function objectType(oid: string): Promise<string | null> {
    if (!/^[0-9a-f]{40}$/.test(oid)) return null;
    try {
      return (await git.readObject({ fs, gitdir, oid, format: 'parsed' })).type;
    } catch {
      return null;
    }
  }

  async function resolve(ref: string): Promise<string | null> {
    try {
      return await git.resolveRef({ fs, gitdir, ref, depth: 1 });
    } catch {
      return null;
    }
  }

  async function commitJson(oid: string): Promise<Schemas['git-commit']> {
    const { commit, payload } = await git.readCommit({ fs, gitdir, oid });
    const signed = commit.gpgsig !== undefined;
    const norm = (text: string) =>
      text
        .split('\n')
        .map((l) => l.trim())
        .join('\n')
        .trim();
    const verified = signed && norm(commit.gpgsig ?? '') === norm(fakeSignature(payload));
    const person = (p: typeof commit.author) => ({ name: p.name, email: p.email, date: iso(p.timestamp) });
    return {
      sha: oid,
      node_id: `C_${oid.slice(0, 12)}`,
      url: `${api()}/git/commits/${oid}`,
      html_url: `https://github.test${o.prefix.replace('/repos', '')}/commit/${oid}`,
      author: person(commit.author),
      committer: person(commit.committer),
      message: commit.message,
      tree: { sha: commit.tree, url: `${api()}/git/trees/${commit.tree}` },
      parents: commit.parent.map((p) => ({
        sha: p,
        url: `${api()}/git/commits/${p}`,
        html_url: `https://github.test${o.prefix.replace('/repos', '')}/commit/${p}`,
      })),
      verification: {
        verified,
        reason: verified ? 'valid' : signed ? 'unknown_key' : 'unsigned',
        signature: commit.gpgsig ?? null,
        payload: signed ? payload : null,
        verified_at: verified ? iso(commit.committer.timestamp) : null,
      },
    };
  }

  async function treeJson(oid: string): Promise<Schemas['git-tree']> {
    const { tree } = await git.readTree({ fs, gitdir, oid });
    return {
      sha: oid,
      url: `${api()}/git/trees/${oid}`,
      truncated: false,
      tree: tree.map((e) => ({
        path: e.path,
        mode: e.mode,
        type: e.type,
        sha: e.oid,
        url: `${api()}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.oid}`,
      })),
    };
  }

  function refJson(ref: string, sha: string): Schemas['git-ref'] {
    return {
      ref,
      node_id: `REF_${Buffer.from(ref).toString('base64url')}`,
      url: `${api()}/git/${ref}`,
      object: { type: 'commit', sha, url: `${api()}/git/commits/${sha}` },
    };
  }

  type Edit = { mode: string; oid: string; type: 'blob' | 'tree' | 'commit' } | null;

  /** `baseOid` (or an empty tree) with `edits` (path → entry, null removes) applied; only touched subtrees change. */
  async function buildTree(baseOid: string | null, edits: Map<string, Edit>): Promise<string> {
    const entries = baseOid ? (await git.readTree({ fs, gitdir, oid: baseOid })).tree : [];
    const byName = new Map(entries.map((e) => [e.path, e]));
    const here = new Map<string, Edit>();
    const below = new Map<string, Map<string, Edit>>();
    for (const [p, edit] of edits) {
      const slash = p.indexOf('/');
      if (slash === -1) here.set(p, edit);
      else {
        const dir = p.slice(0, slash);
        const sub = below.get(dir) ?? new Map<string, Edit>();
        sub.set(p.slice(slash + 1), edit);
        below.set(dir, sub);
      }
    }
    for (const [name, edit] of here) {
      if (edit === null) byName.delete(name);
      else byName.set(name, { path: name, mode: edit.mode, oid: edit.oid, type: edit.type });
    }
    for (const [dir, sub] of below) {
      const existing = byName.get(dir);
      const oid = await buildTree(existing?.type === 'tree' ? existing.oid : null, sub);
      const { tree } = await git.readTree({ fs, gitdir, oid });
      if (tree.length === 0) byName.delete(dir);
      else byName.set(dir, { path: dir, mode: '040000', oid, type: 'tree' });
    }
    return git.writeTree({ fs, gitdir, tree: [...byName.values()] });
  }

  async function createCommit(body: Record<string, unknown>): Promise<GitDataAnswer> {
    const tree = String(body['tree'] ?? '');
    const parents = Array.isArray(body['parents']) ? body['parents'].map(String) : [];
    const message = typeof body['message'] === 'string' ? body['message'] : null;
    if (message === null) return fail(422, 'Invalid request.\n\n"message" wasn\'t supplied.');
    if ((await objectType(tree)) !== 'tree') return fail(422, 'Tree SHA does not exist');
    for (const p of parents)
      if ((await objectType(p)) !== 'commit')
        return fail(422, 'Parent SHA does not exist or is not a commit object');
    const given = body['author'] as Person | undefined;
    const now = o.clock();
    const bot: Person = { name: o.bot, email: `${o.botId}+${o.bot}@users.noreply.github.com` };
    // GitHub signs only when it chooses the identity itself (no author, no committer, no signature).
    const signs = !given && !body['committer'] && !body['signature'];
    const author = given ?? bot;
    const committer =
      (body['committer'] as Person | undefined) ??
      (signs && o.committer === 'web-flow' ? { name: 'GitHub', email: 'noreply@github.com' } : author);
    const line = (p: Person) => `${p.name} <${p.email}> ${now} +0000`;
    const payload =
      `tree ${tree}\n${parents.map((p) => `parent ${p}\n`).join('')}` +
      `author ${line(author)}\ncommitter ${line(committer)}\n\n${message}`;
    let raw = payload;
    if (signs) {
      const signature = fakeSignature(payload).replace(/\n/g, '\n ');
      const split = payload.indexOf('\n\n');
      raw = `${payload.slice(0, split)}\ngpgsig ${signature}${payload.slice(split)}`;
    }
    const oid = await git.writeObject({
      fs,
      gitdir,
      type: 'commit',
      object: Buffer.from(raw, 'utf8'),
      format: 'content',
    });
    createdCommits.push(oid);
    return { status: 201, body: await commitJson(oid) };
  }

  async function createTree(body: Record<string, unknown>): Promise<GitDataAnswer> {
    const base = typeof body['base_tree'] === 'string' ? body['base_tree'] : null;
    if (base !== null && (await objectType(base)) !== 'tree')
      return fail(422, 'base_tree is not a valid tree oid');
    const items = Array.isArray(body['tree']) ? (body['tree'] as Record<string, unknown>[]) : null;
    if (!items) return fail(422, 'Invalid request.\n\n"tree" wasn\'t supplied.');
    const edits = new Map<string, Edit>();
    for (const item of items) {
      const path = String(item['path'] ?? '');
      const mode = String(item['mode'] ?? '');
      const type = String(item['type'] ?? 'blob') as 'blob' | 'tree' | 'commit';
      if (!path || path.startsWith('/') || path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
        return fail(422, `tree.path contains a malformed path component`);
      }
      if (!['100644', '100755', '040000', '160000', '120000'].includes(mode)) {
        return fail(422, `Must supply a valid tree.mode (got "${mode}")`);
      }
      if ('content' in item && typeof item['content'] === 'string') {
        const content = store.alterInlineContent ? `${item['content']}\n` : item['content'];
        const oid = await git.writeBlob({ fs, gitdir, blob: Buffer.from(content, 'utf8') });
        edits.set(path, { mode, oid, type: 'blob' });
      } else if (item['sha'] === null) {
        if (!base) return fail(422, 'A tree entry with sha: null needs base_tree');
        edits.set(path, null);
      } else {
        const oid = String(item['sha'] ?? '');
        if ((await objectType(oid)) !== type) return fail(422, `tree.sha ${oid} is not a valid ${type}`);
        edits.set(path, { mode, oid, type });
      }
    }
    const oid = await buildTree(base, edits);
    return { status: 201, body: await treeJson(oid) };
  }

  async function route(
    method: string,
    path: string,
    body: Record<string, unknown>,
  ): Promise<GitDataAnswer | null> {
    if (!path.startsWith(`${o.prefix}/git/`)) return null;
    const rest = path.slice(`${o.prefix}/git/`.length);
    let m: RegExpExecArray | null;

    if (method === 'POST' && rest === 'blobs') {
      const content = body['content'];
      const encoding = body['encoding'] ?? 'utf-8';
      if (typeof content !== 'string') return fail(422, 'Invalid request.\n\n"content" wasn\'t supplied.');
      if (encoding !== 'base64' && encoding !== 'utf-8') return fail(422, `encoding must be utf-8 or base64`);
      const bytes = encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
      const oid = await git.writeBlob({ fs, gitdir, blob: bytes });
      const blob: Schemas['short-blob'] = { sha: oid, url: `${api()}/git/blobs/${oid}` };
      return { status: 201, body: blob };
    }
    if (method === 'GET' && (m = /^blobs\/([0-9a-f]{40})$/.exec(rest))) {
      if ((await objectType(m[1]!)) !== 'blob') return fail(404, 'Not Found');
      const { blob } = await git.readBlob({ fs, gitdir, oid: m[1]! });
      const out: Schemas['blob'] = {
        sha: m[1]!,
        node_id: `B_${m[1]!.slice(0, 12)}`,
        url: `${api()}/git/blobs/${m[1]!}`,
        size: blob.length,
        content: Buffer.from(blob).toString('base64'),
        encoding: 'base64',
      };
      return { status: 200, body: out };
    }
    if (method === 'POST' && rest === 'trees') return createTree(body);
    if (method === 'GET' && (m = /^trees\/([0-9a-f]{40})$/.exec(rest))) {
      if ((await objectType(m[1]!)) !== 'tree') return fail(404, 'Not Found');
      return { status: 200, body: await treeJson(m[1]!) };
    }
    if (method === 'POST' && rest === 'commits') return createCommit(body);
    if (method === 'GET' && (m = /^commits\/([0-9a-f]{40})$/.exec(rest))) {
      if ((await objectType(m[1]!)) !== 'commit') return fail(404, 'Not Found');
      return { status: 200, body: await commitJson(m[1]!) };
    }
    // octokit sends `heads%2Fvault-rollout%2Fmain`; GitHub takes the slashes either way.
    if (method === 'GET' && (m = /^ref\/(.+)$/.exec(rest))) {
      const ref = `refs/${decodeURIComponent(m[1]!)}`;
      const sha = await resolve(ref);
      return sha ? { status: 200, body: refJson(ref, sha) } : fail(404, 'Not Found');
    }
    if (method === 'POST' && rest === 'refs') {
      const ref = String(body['ref'] ?? '');
      const sha = String(body['sha'] ?? '');
      if (!/^refs\/heads\/[^\s]+$/.test(ref) || ref.split('/').length < 3) {
        return fail(422, "Reference name must start with 'refs/' and have at least two slashes.");
      }
      if ((await objectType(sha)) !== 'commit') return fail(422, 'Object does not exist');
      if (await resolve(ref)) return fail(422, 'Reference already exists');
      await git.writeRef({ fs, gitdir, ref, value: sha });
      refUpdates.push({ ref, kind: 'create', sha });
      return { status: 201, body: refJson(ref, sha) };
    }
    if ((method === 'PATCH' || method === 'DELETE') && (m = /^refs\/(.+)$/.exec(rest))) {
      const ref = `refs/${decodeURIComponent(m[1]!)}`;
      const current = await resolve(ref);
      if (!current) return fail(422, 'Reference does not exist');
      if (method === 'DELETE') {
        await git.deleteRef({ fs, gitdir, ref });
        refUpdates.push({ ref, kind: 'delete', sha: null });
        return { status: 204, body: undefined };
      }
      const sha = String(body['sha'] ?? '');
      const force = body['force'] === true;
      if ((await objectType(sha)) !== 'commit') return fail(422, 'Object does not exist');
      const fastForward =
        sha === current || (await git.isDescendent({ fs, gitdir, oid: sha, ancestor: current, depth: -1 }));
      if (!force && !fastForward) return fail(422, 'Update is not a fast forward');
      await git.writeRef({ fs, gitdir, ref, value: sha, force: true });
      refUpdates.push({ ref, kind: fastForward ? 'update' : 'force-update', sha });
      return { status: 200, body: refJson(ref, sha) };
    }
    return fail(404, 'Not Found');
  }

  return store;
}
