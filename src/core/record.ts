/**
 * The record annotation value: `kv/payments/api@3,kv/payments/db@7`, sorted by path, canonical `mount/path@version`.
 */
import { secretPathProblem } from './secret-path.js';

/** A record value read entry by entry: the versions of the well-formed entries, and the others as written. */
export interface ParsedRecord {
  versions: Map<string, number>;
  /** Entries that are not `mount/path@version` (version a whole number from 1), as written; `""` for an empty one. */
  malformed: string[];
  /** Secret paths named by more than one entry (the record cannot say which version rolled out). */
  duplicates: string[];
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
  const duplicates: string[] = [];
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
      if (versions.has(m[1]!) && !duplicates.includes(m[1]!)) duplicates.push(m[1]!);
      versions.set(m[1]!, version);
    }
  }
  return { versions, malformed, duplicates };
}

/** Parses a record value, keeping the well-formed entries (see {@link readRecord} for the others). */
export function parseRecord(raw: string): Map<string, number> {
  return readRecord(raw).versions;
}

/** What a YAML value that is not a string is, for the warning. */
function yamlType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'number') return `the number ${String(value)}`;
  if (typeof value === 'boolean') return `the boolean ${String(value)}`;
  return `a ${typeof value}`;
}

/**
 * The workload fields a record annotation gives, from its value as parsed (any YAML type). Only a string of
 * well-formed entries, each secret named once, is trusted; anything else (a number, a list, a map, null,
 * an empty string, a malformed or repeated entry) gives `recorded: null`, so the run adopts (a clean
 * record, no restart), and says why in `recordWarnings`. `recordedRaw` is the value when it is a string.
 */
export function recordFields(
  raw: unknown,
  key: string,
): { recorded: Map<string, number> | null; recordWarnings?: string[]; recordedRaw: string | null } {
  const untrusted = (why: string) => ({
    recorded: null,
    recordedRaw: typeof raw === 'string' ? raw : null,
    recordWarnings: [
      `record "${key}" ${why}: treated as unrecorded, so a clean record is written and nothing restarts`,
    ],
  });
  if (raw === undefined) return { recorded: null, recordedRaw: null };
  if (typeof raw !== 'string') return untrusted(`is ${yamlType(raw)}, not a string`);
  if (raw.trim() === '') return untrusted('is empty');
  const { versions, malformed, duplicates } = readRecord(raw);
  if (malformed.length > 0) {
    const shown = malformed.map((e) => (e === '' ? 'an empty entry' : JSON.stringify(e))).join(', ');
    return untrusted(`has malformed entries (${shown})`);
  }
  if (duplicates.length > 0)
    return untrusted(`names ${duplicates.map((d) => `"${d}"`).join(', ')} more than once`);
  return { recorded: versions, recordedRaw: raw };
}

/** Formats versions canonically: sorted by path (code-unit order, stable across machines), comma-separated. */
export function formatRecord(versions: ReadonlyMap<string, number>): string {
  return [...versions.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, v]) => `${path}@${v}`)
    .join(',');
}
