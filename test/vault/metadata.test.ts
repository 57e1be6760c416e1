import { describe, expect, it } from 'vitest';
import { metadataPolicyLine, statusFromMetadata } from '../../src/adapters/vault/index.js';

const now = new Date('2026-11-02T10:00:00.000Z');
const body = (data: unknown): unknown => ({
  request_id: 'x',
  data,
  wrap_info: null,
  warnings: null,
  auth: null,
});
const v = (extra: Record<string, unknown> = {}) => ({
  created_time: '2026-01-01T00:00:00.123456789Z',
  deletion_time: '',
  destroyed: false,
  ...extra,
});

describe('statusFromMetadata', () => {
  it('accepts newer fields (last_updated_by, created_by) and null custom_metadata', () => {
    const s = statusFromMetadata(
      'kv/a',
      body({
        current_version: 2,
        updated_time: '2026-11-01T09:00:00.987654321Z',
        custom_metadata: null,
        last_updated_by: { actor: 'x', operation: 'create' },
        versions: { '1': v(), '2': v({ created_by: { actor: 'y' } }) },
      }),
      now,
    );
    expect(s).toEqual({
      state: 'ok',
      path: 'kv/a',
      current: 2,
      updatedTime: '2026-11-01T09:00:00.987654321Z',
    });
  });

  it('deleted when deletion_time is now or earlier (nanoseconds ignored), not when later', () => {
    const at = (t: string) =>
      statusFromMetadata(
        'kv/a',
        body({ current_version: 1, versions: { '1': v({ deletion_time: t }) } }),
        now,
      );
    expect(at('2026-11-02T10:00:00.000999999Z')?.state).toBe('deleted');
    expect(at('2026-11-02T09:59:59.999999999Z')?.state).toBe('deleted');
    expect(at('2026-11-02T10:00:00.001000001Z')?.state).toBe('ok');
    // A time we cannot parse is treated as passed: never restart on doubt.
    expect(at('not a time')?.state).toBe('deleted');
  });

  it('destroyed wins, and only the current version counts', () => {
    const s = statusFromMetadata(
      'kv/a',
      body({
        current_version: 2,
        versions: { '1': v({ destroyed: true }), '2': v({ destroyed: true, deletion_time: '' }) },
      }),
      now,
    );
    expect(s).toMatchObject({ state: 'deleted', reason: 'destroyed', current: 2, updatedTime: null });
    expect(
      statusFromMetadata(
        'kv/a',
        body({ current_version: 2, versions: { '1': v({ destroyed: true }), '2': v() } }),
        now,
      )?.state,
    ).toBe('ok');
  });

  it('missing for current_version 0 (metadata written before any version)', () => {
    expect(statusFromMetadata('kv/a', body({ current_version: 0, versions: {} }), now)).toEqual({
      state: 'missing',
      path: 'kv/a',
    });
  });

  it('null (not a metadata answer) for a body that is not what Vault documents', () => {
    for (const bad of [
      body(null),
      'garbage',
      undefined,
      [],
      body({}),
      body({ current_version: '3' }),
      body({ current_version: 1.5 }),
      body({ current_version: -1 }),
      body({ current_version: 1, versions: [] }),
      { errors: [] },
    ]) {
      expect(statusFromMetadata('kv/a', bad, now)).toBeNull();
    }
  });

  it('names the exact policy line', () => {
    expect(metadataPolicyLine('team-a/kv', 'app/db')).toBe(
      'path "team-a/kv/metadata/app/db" { capabilities = ["read"] }',
    );
  });
});
