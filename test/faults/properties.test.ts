/**
 * Property tests (fast-check, 1,000 cases each) for the two parsers hostile input reaches first: the
 * secret-path parser and the record parser. A failure prints its seed and the shrunk counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRecord, readRecord, recordFields } from '../../src/core/record.js';
import { parseSecretPath, secretPathProblem } from '../../src/core/secret-path.js';

const RUNS = { numRuns: 1000 };
const SEGMENT = /^[A-Za-z0-9_.@+=-]+$/;

/** A segment Vault paths use, never `.` or `..`. */
const goodSegment = fc.stringMatching(/^[A-Za-z0-9_.@+=-]{1,12}$/).filter((s) => s !== '.' && s !== '..');
/** A path of two to six good segments whose mount is not followed by `data` or `metadata`. */
const goodPath = fc
  .array(goodSegment, { minLength: 2, maxLength: 6 })
  .filter((segs) => segs[1] !== 'data' && segs[1] !== 'metadata')
  .map((segs) => segs.join('/'));
/** A segment that must be rejected: dot segments, encoded ones, empty, foreign characters. */
const badSegment = fc.oneof(
  fc.constantFrom('.', '..', '%2e%2e', '%2E', '%2e', '%2F', 'a%2fb', '', 'a b', 'a?b', 'a#b', 'a\\b', '%zz'),
  // Surrounding whitespace is trimmed from an entry as written, so it is not what makes a segment bad.
  fc
    .string({ minLength: 1, maxLength: 6 })
    .filter((s) => !SEGMENT.test(s) && !s.includes('/') && s.trim() === s && s !== ''),
);

describe('secret-path parser', () => {
  it('accepts every path of good segments, unchanged, and parsing is idempotent', () => {
    fc.assert(
      fc.property(goodPath, (p) => {
        expect(parseSecretPath(p)).toEqual({ ok: true, path: p });
        expect(parseSecretPath(`/v1/${p}`)).toEqual({ ok: true, path: p });
      }),
      RUNS,
    );
  });

  it('rejects a path as soon as one segment is bad, wherever it is', () => {
    fc.assert(
      fc.property(goodPath, badSegment, fc.nat(), (p, bad, at) => {
        const segs = p.split('/');
        segs.splice(at % (segs.length + 1), 0, bad);
        const raw = segs.join('/');
        // A bad segment at the very start is only a leading slash (stripped) when it is empty.
        if (raw.startsWith('/') && bad === '') return;
        const parsed = parseSecretPath(raw);
        expect(parsed.ok).toBe(false);
      }),
      RUNS,
    );
  });

  it('whatever it accepts has only good segments: nothing a URL parser or a proxy would rewrite', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (raw) => {
        const parsed = parseSecretPath(raw);
        if (!parsed.ok) return;
        const segs = parsed.path.split('/');
        expect(segs.length).toBeGreaterThanOrEqual(2);
        for (const s of segs) {
          expect(s).toMatch(SEGMENT);
          expect(s === '.' || s === '..').toBe(false);
        }
        expect(secretPathProblem(parsed.path)).toBeNull();
        expect(new URL(`http://vault/v1/${parsed.path}`).pathname).toBe(`/v1/${parsed.path}`);
      }),
      RUNS,
    );
  });
});

describe('record parser', () => {
  const versions = fc
    .uniqueArray(fc.tuple(goodPath, fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })), {
      selector: ([p]) => p,
      maxLength: 8,
    })
    .map((entries) => new Map(entries));

  it('reads back what formatRecord writes, with nothing malformed', () => {
    fc.assert(
      fc.property(versions, (map) => {
        const { versions: read, malformed } = readRecord(formatRecord(map));
        expect(malformed).toEqual([]);
        expect(read).toEqual(map);
      }),
      RUNS,
    );
  });

  it('on any text: never throws, keeps only whole versions from 1 to 2^53-1, distrusts any malformed entry', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (raw) => {
        const { versions: read, malformed, duplicates } = readRecord(raw);
        for (const [path, v] of read) {
          expect(Number.isSafeInteger(v) && v >= 1).toBe(true);
          expect(secretPathProblem(path)).toBeNull();
        }
        const fields = recordFields(raw, 'k');
        // Untrusted: a malformed entry, a secret named twice, or nothing at all in the value.
        const untrusted = malformed.length > 0 || duplicates.length > 0 || raw.trim() === '';
        expect(fields.recorded === null).toBe(untrusted);
        expect(fields.recordWarnings !== undefined).toBe(untrusted);
      }),
      RUNS,
    );
  });

  it('one malformed entry among good ones makes the whole record untrusted', () => {
    fc.assert(
      fc.property(
        versions.filter((m) => m.size > 0),
        fc.constantFrom('kv/x@notanumber', 'kv/a/b@-1', '@99999999999999999999', '@@', 'kv/../x@1', 'kv/a@0'),
        (map, bad) => {
          const raw = `${formatRecord(map)},${bad}`;
          expect(readRecord(raw).malformed).toEqual([bad]);
          expect(recordFields(raw, 'k').recorded).toBeNull();
        },
      ),
      RUNS,
    );
  });
});
