/**
 * The record annotation's value as parsed from YAML, of any type (record.ts `recordFields`): only a string
 * of well-formed entries naming each secret once is trusted; everything else is unrecorded with a reason.
 */
import { expect, it } from 'vitest';
import { readRecord, recordFields } from '../../src/core/record.js';

const KEY = 'vault-rollout/secret-versions';

it('trusts a well-formed string record', () => {
  expect(recordFields('kv/a@3,kv/b@7', KEY)).toEqual({
    recorded: new Map([
      ['kv/a', 3],
      ['kv/b', 7],
    ]),
    recordedRaw: 'kv/a@3,kv/b@7',
  });
  expect(recordFields(undefined, KEY)).toEqual({ recorded: null, recordedRaw: null });
});

it.each([
  [12, 'is the number 12, not a string'],
  [1.5, 'is the number 1.5, not a string'],
  [true, 'is the boolean true, not a string'],
  [null, 'is null, not a string'],
  [['kv/a@1'], 'is a list, not a string'],
  [{ 'kv/a': 1 }, 'is a map, not a string'],
  ['', 'is empty'],
  ['  ', 'is empty'],
  ['kv/a@1,kv/a@2', 'names "kv/a" more than once'],
  ['kv/a@1 kv/b@1 kv/a@1', 'names "kv/a" more than once'],
  ['kv/a@x', 'has malformed entries ("kv/a@x")'],
])('refuses %j: %s', (raw, why) => {
  const fields = recordFields(raw, KEY);
  expect(fields.recorded).toBeNull();
  expect(fields.recordedRaw).toBe(typeof raw === 'string' ? raw : null);
  expect(fields.recordWarnings).toEqual([
    `record "${KEY}" ${why}: treated as unrecorded, so a clean record is written and nothing restarts`,
  ]);
});

it('readRecord lists each repeated path once', () => {
  expect(readRecord('kv/a@1,kv/a@2,kv/a@3,kv/b@1').duplicates).toEqual(['kv/a']);
});
