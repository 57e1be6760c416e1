/**
 * The record annotation value: `kv/payments/api@3,kv/payments/db@7`, sorted by path, canonical `mount/path@version`.
 */

/** Parses a record value. Unparseable entries are ignored (and the value is then rewritten canonically). */
export function parseRecord(raw: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of raw.split(/[\s,]+/)) {
    if (!part) continue;
    const at = part.lastIndexOf('@');
    if (at <= 0) continue;
    const version = Number(part.slice(at + 1));
    if (!Number.isInteger(version) || version < 0) continue;
    out.set(part.slice(0, at), version);
  }
  return out;
}

/** Formats versions canonically: sorted by path (code-unit order, stable across machines), comma-separated. */
export function formatRecord(versions: ReadonlyMap<string, number>): string {
  return [...versions.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, v]) => `${path}@${v}`)
    .join(',');
}
