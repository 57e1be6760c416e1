/**
 * The record annotation value: `kv/payments/api@3,kv/payments/db@7`, sorted by path, canonical `mount/path@version`.
 */
import { secretPathProblem } from './secret-path.js';

/** A record value read entry by entry: the versions of the well-formed entries, and the others as written. */
export interface ParsedRecord {
  versions: Map<string, number>;
  /** Entries that are not `mount/path@version` (version a whole number from 1), as written; `""` for an empty one. */
  malformed: string[];
}

/**
 * Reads a record value. Entries are separated by commas (whitespace around them is ignored); an entry is
 * well-formed when its path passes the secret-path parser and its version is a whole number from 1 up to
 * 2^53 - 1 (a larger one cannot be compared exactly).
 * @example readRecord('kv/a@3,kv/b@x') // { versions: Map { 'kv/a' => 3 }, malformed: ['kv/b@x'] }
 */
export function readRecord(raw: string): ParsedRecord {
  const versions = new Map<string, number>();
  const malformed: string[] = [];
  const parts = raw.split(',');
  for (const [i, part] of parts.entries()) {
    const entries = part.trim().split(/\s+/);
    for (const entry of entries) {
      if (entry === '') {
        // `a@1,,b@2` or a trailing comma: an empty entry (a single empty value has no entries at all).
        if (parts.length > 1 || i > 0) malformed.push('');
        continue;
      }
      const m = /^(.+)@(\d+)$/.exec(entry);
      const version = m ? Number(m[2]) : NaN;
      if (!m || !Number.isSafeInteger(version) || version < 1 || secretPathProblem(m[1]!) !== null) {
        malformed.push(entry);
        continue;
      }
      versions.set(m[1]!, version);
    }
  }
  return { versions, malformed };
}

/** Parses a record value, keeping the well-formed entries (see {@link readRecord} for the others). */
export function parseRecord(raw: string): Map<string, number> {
  return readRecord(raw).versions;
}

/**
 * The workload fields a record value gives: a record with any malformed entry is not trusted at all
 * (`recorded: null`, so the run adopts: a clean record, no restart), and says why in `recordWarnings`.
 */
export function recordFields(
  raw: string | null,
  key: string,
): { recorded: Map<string, number> | null; recordWarnings?: string[] } {
  if (raw === null) return { recorded: null };
  const { versions, malformed } = readRecord(raw);
  if (malformed.length === 0) return { recorded: versions };
  const shown = malformed.map((e) => (e === '' ? 'an empty entry' : JSON.stringify(e))).join(', ');
  return {
    recorded: null,
    recordWarnings: [
      `record "${key}" has malformed entries (${shown}): treated as unrecorded, so a clean record is written and nothing restarts`,
    ],
  };
}

/** Formats versions canonically: sorted by path (code-unit order, stable across machines), comma-separated. */
export function formatRecord(versions: ReadonlyMap<string, number>): string {
  return [...versions.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, v]) => `${path}@${v}`)
    .join(',');
}
