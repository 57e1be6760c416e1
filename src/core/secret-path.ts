/**
 * Secret path normalisation. Users and tools write KV v2 paths three ways: `kv/app`, `kv/data/app`
 * (the API path Vault Agent and AVP use) and `kv/metadata/app`. The canonical form is `mount/path`.
 *
 * Without knowing the mounts we assume a one-segment mount (by far the common case: `secret/`, `kv/`);
 * with `vault.mounts` in the config, or after the Vault reader detected the mount, the real mount is used.
 */

/**
 * Strips surrounding space, leading slashes and a leading `v1/`. Inner and trailing slashes are kept:
 * an empty segment is for {@link secretPathProblem} to reject, not to be silently repaired.
 */
export function cleanSecretPath(raw: string): string {
  let p = raw.trim().replace(/^\/+/, '');
  if (p.startsWith('v1/')) p = p.slice(3);
  return p;
}

/**
 * Splits `p` at the given mount (without trailing slash) and drops a `data/` or `metadata/` segment that
 * follows it. Returns null when `p` is not under `mount`.
 */
export function splitAtMount(p: string, mount: string): { mount: string; rest: string } | null {
  const m = mount.replace(/^\/+|\/+$/g, '');
  if (p !== m && !p.startsWith(`${m}/`)) return null;
  let rest = p.slice(m.length + 1);
  if (rest.startsWith('data/')) rest = rest.slice(5);
  else if (rest.startsWith('metadata/')) rest = rest.slice(9);
  return { mount: m, rest };
}

/**
 * Normalises a secret reference to `mount/path`.
 * @example normalizeSecretPath('secret/data/app/db') // 'secret/app/db'
 * @example normalizeSecretPath('team-a/kv/data/app', ['team-a/kv']) // 'team-a/kv/app'
 */
export function normalizeSecretPath(raw: string, mounts: readonly string[] = []): string {
  const p = cleanSecretPath(raw);
  // Longest configured mount first, so `team-a/kv` wins over `team-a`.
  const sorted = [...mounts].sort((a, b) => b.length - a.length);
  for (const mount of sorted) {
    const split = splitAtMount(p, mount);
    if (split && split.rest) return `${split.mount}/${split.rest}`;
  }
  const slash = p.indexOf('/');
  if (slash < 0) return p;
  const split = splitAtMount(p, p.slice(0, slash));
  return split && split.rest ? `${split.mount}/${split.rest}` : p;
}

/** Characters a Vault path segment uses; anything else (spaces, `%`, `?`, `#`, `\\`, quotes) is rejected. */
const SEGMENT = /^[A-Za-z0-9_.@+=-]+$/;

/**
 * Why `p` (already cleaned of a leading `/` or `v1/`) cannot be sent to Vault, or null when it can. This
 * is the one gate every discovery source and the Vault reader apply: a `.` or `..` segment is resolved by
 * URL parsers before the request leaves (`kv/x/../../data/a` would read a value), and a percent-encoded
 * one is decoded by servers and proxies on the way, so neither may ever reach a request URL.
 */
export function secretPathProblem(p: string): string | null {
  const problem = unsafePathProblem(p);
  if (problem !== null) return problem;
  if (!p.includes('/')) return 'it is not of the form mount/path (e.g. kv/app/db)';
  return null;
}

/**
 * The part of {@link secretPathProblem} that keeps a request URL to what was asked (no `.`, `..`, empty
 * or encoded segment, no foreign character), without requiring a `mount/path` shape: the Vault reader
 * applies it to everything it sends, a bare mount name included.
 */
export function unsafePathProblem(p: string): string | null {
  if (p === '') return 'the path is empty';
  const segments = p.split('/');
  for (const segment of segments) {
    if (segment === '') return 'it has an empty segment ("//" or a trailing "/")';
    if (segment === '.' || segment === '..') return `it has a "${segment}" segment`;
    if (segment.includes('%')) {
      let decoded: string | null = null;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        // not valid percent-encoding either: still a character Vault paths do not use
      }
      if (decoded === '.' || decoded === '..') return `it has a percent-encoded "${decoded}" segment`;
      if (decoded?.includes('/')) return 'it has a percent-encoded "/"';
      return 'it has a percent-encoded character';
    }
    if (!SEGMENT.test(segment)) {
      const bad = [...segment].find((c) => !SEGMENT.test(c)) ?? '';
      return `it has the character ${JSON.stringify(bad)}, which Vault secret paths do not use`;
    }
  }
  return null;
}

/** A secret reference parsed for use: the canonical `mount/path`, or why it must not be read. */
export type ParsedSecretPath = { ok: true; path: string } | { ok: false; path: string; reason: string };

/**
 * The one secret-path parser: cleans a reference as written in a manifest or the config, rejects it
 * when {@link secretPathProblem} says so, and normalises it to `mount/path`. A rejected reference keeps
 * its cleaned text in `path`, for messages only.
 * @example parseSecretPath('kv/data/app/db') // { ok: true, path: 'kv/app/db' }
 * @example parseSecretPath('kv/x/../../data/a') // { ok: false, path: 'kv/x/../../data/a', reason: 'it has a ".." segment' }
 */
export function parseSecretPath(raw: string, mounts: readonly string[] = []): ParsedSecretPath {
  const p = cleanSecretPath(raw);
  const reason = secretPathProblem(p);
  if (reason !== null) return { ok: false, path: p, reason };
  const path = normalizeSecretPath(p, mounts);
  const after = secretPathProblem(path);
  return after === null ? { ok: true, path } : { ok: false, path: p, reason: after };
}

/**
 * Why a Vault Enterprise / OpenBao namespace, as written in a manifest or the config, cannot be sent to
 * Vault (it travels in the `X-Vault-Namespace` request header), or null when it can. A namespace is one or
 * more path segments (`team-a`, `admin/team-a`; one leading or trailing `/` is allowed, as the Vault CLI
 * accepts) of the same conservative ASCII set as secret paths: no control character (a newline would
 * split the header, a NUL or a non-Latin-1 character makes Node refuse to build the request), no space,
 * no empty, `.` or `..` segment.
 * @example vaultNamespaceProblem('admin/team-a') // null
 * @example vaultNamespaceProblem('team\na') // 'it has the character "\\n", which Vault namespaces do not use'
 */
export function vaultNamespaceProblem(ns: string): string | null {
  const trimmed = ns.replace(/^\//, '').replace(/\/$/, '');
  if (trimmed === '') return 'the namespace is empty';
  for (const segment of trimmed.split('/')) {
    if (segment === '') return 'it has an empty segment ("//")';
    if (segment === '.' || segment === '..') return `it has a "${segment}" segment`;
    const bad = [...segment].find((c) => !NAMESPACE_CHAR.test(c));
    if (bad !== undefined)
      return `it has the character ${JSON.stringify(bad)}, which Vault namespaces do not use`;
  }
  return null;
}

const NAMESPACE_CHAR = /^[A-Za-z0-9_.@+=-]$/;
