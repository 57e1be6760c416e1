/**
 * The record annotation value: `kv/payments/api@3,kv/payments/db@7`, sorted by path, canonical `mount/path@version`.
 */

/** Parses a record value. Unparseable entries are ignored (and the value is then rewritten canonically). */
export function parseRecord(raw: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of raw.split(/[\s,]+/)) {
    if (!part) continue;
    const m = /^(.+)@(\d+)$/.exec(part);
    if (!m?.[1] || !m[2]) continue;
    out.set(m[1], Number(m[2]));
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
