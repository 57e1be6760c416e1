/**
 * Secret path normalisation. Users and tools write KV v2 paths three ways: `kv/app`, `kv/data/app`
 * (the API path Vault Agent and AVP use) and `kv/metadata/app`. The canonical form is `mount/path`.
 *
 * Without knowing the mounts we assume a one-segment mount (by far the common case: `secret/`, `kv/`);
 * with `vault.mounts` in the config, or after the Vault reader detected the mount, the real mount is used.
 */

/** Strips slashes, a leading `v1/`, and collapses repeated slashes. */
export function cleanSecretPath(raw: string): string {
  let p = raw
    .trim()
    .replace(/\/+/g, '/')
    .replace(/^\/+|\/+$/g, '');
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

/** True when the string looks like a usable secret path (at least `mount/name`, no spaces or odd characters). */
export function isPlausibleSecretPath(p: string): boolean {
  return /^[A-Za-z0-9_.@+=-]+(\/[A-Za-z0-9_.@+=-]+)+$/.test(p);
}
