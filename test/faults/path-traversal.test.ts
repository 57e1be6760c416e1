/**
 * Secret paths that would leave the metadata API, from every discovery source: each is rejected by the
 * one secret-path parser, blocks only its own workload with the reason, and never reaches the list of
 * paths the pipeline sends to Vault.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../src/core/config/schema.js';
import { discover } from '../../src/core/discover/discover.js';
import type { SecretStatus } from '../../src/core/model.js';
import { planWorkloads } from '../../src/core/plan/plan.js';
import { parseSecretPath, secretPathProblem } from '../../src/core/secret-path.js';
import { uniqueSecretPaths } from '../../src/pipeline.js';
import { HOSTILE, HOSTILE_FILES } from './hostile-repo.js';

describe('the secret-path parser', () => {
  it.each([
    ['kv/x/../../data/a/b', 'it has a ".." segment'],
    ['kv/./a', 'it has a "." segment'],
    ['kv/%2e%2e/a', 'it has a percent-encoded ".." segment'],
    ['kv/%2E/a', 'it has a percent-encoded "." segment'],
    ['kv/a%2Fb', 'it has a percent-encoded "/"'],
    ['kv/a%20b', 'it has a percent-encoded character'],
    ['kv/a%zz', 'it has a percent-encoded character'],
    ['kv//a', 'it has an empty segment ("//" or a trailing "/")'],
    ['kv/a/', 'it has an empty segment ("//" or a trailing "/")'],
    ['kv/a b', 'it has the character " ", which Vault secret paths do not use'],
    ['kv/a?x=1', 'it has the character "?", which Vault secret paths do not use'],
    ['kv/a\\b', 'it has the character "\\\\", which Vault secret paths do not use'],
    ['kv', 'it is not of the form mount/path (e.g. kv/app/db)'],
    ['', 'the path is empty'],
  ])('rejects %j: %s', (raw, reason) => {
    expect(parseSecretPath(raw)).toEqual({ ok: false, path: raw.trim(), reason });
  });

  it.each([
    ['kv/app/db', 'kv/app/db'],
    ['/v1/kv/data/app/db', 'kv/app/db'],
    ['secret/metadata/a.b/c-d_e@f+g=h', 'secret/a.b/c-d_e@f+g=h'],
    ['kv/..hidden/.x', 'kv/..hidden/.x'],
  ])('accepts %j as %j', (raw, path) => {
    expect(parseSecretPath(raw)).toEqual({ ok: true, path });
    expect(secretPathProblem(path)).toBeNull();
  });
});

describe('path traversal from every discovery source', () => {
  const config = defaultConfig();
  const result = discover(HOSTILE_FILES, config);
  const byName = (name: string) => result.workloads.find((w) => w.name === name);

  it.each(Object.entries(HOSTILE))('%s: rejected, blocking only that workload', (name, written) => {
    const w = byName(name);
    expect(w, `${name} is reported as a workload`).toBeDefined();
    expect(w!.secrets).toEqual([]);
    expect(w!.rejected).toHaveLength(1);
    expect(w!.rejected![0]).toMatch(
      /^secret path ".+" \(.+\) is rejected: it has .+; it is not read from Vault$/,
    );
    expect(w!.rejected![0]).toContain(`secret path "${written}"`);
    const problem = result.problems.find((p) => p.message.startsWith(`Deployment "${name}": secret path`));
    expect(problem).toMatchObject({ severity: 'error' });
  });

  it('keeps the well-behaved workload, and only clean paths go to Vault', () => {
    expect(byName('good')!.secrets.map((s) => s.path)).toEqual(['kv/app/good']);
    expect(uniqueSecretPaths(result.workloads)).toEqual(['kv/app/good']);
  });

  it('plans each hostile workload as blocked with its reason, and the good one as usual', () => {
    const statuses = new Map<string, SecretStatus>([
      ['kv/app/good', { state: 'ok', path: 'kv/app/good', current: 2, updatedTime: null }],
    ]);
    const planned = planWorkloads(result.workloads, statuses);
    for (const p of planned) {
      if (p.workload.name === 'good') expect(p.action).toBe('record');
      else {
        expect(p.action).toBe('blocked');
        expect(p.reasons).toEqual(p.workload.rejected);
      }
    }
  });

  it('a rule with such a path is a config error naming the key and line', () => {
    expect(() =>
      parseConfig('rules:\n  - select: { kind: Deployment }\n    secrets:\n      - kv/../../sys\n', 'c.yaml'),
    ).toThrow(
      'c.yaml:4: rules[0].secrets[0]: expected a Vault KV v2 secret path "mount/path", e.g. kv/payments/db (got "kv/../../sys": it has a ".." segment)',
    );
  });

  it('a rule that bypassed validation is still rejected by discovery', () => {
    const bypass = { ...config, rules: [{ select: {}, secrets: ['kv/%2e%2e/sys'] }] };
    const w = discover([HOSTILE_FILES[0]!], bypass).workloads.find((x) => x.name === 'good')!;
    expect(w.rejected).toEqual([
      'secret path "kv/%2e%2e/sys" (rules[0]) is rejected: it has a percent-encoded ".." segment; it is not read from Vault',
    ]);
    expect(w.secrets.map((s) => s.path)).toEqual(['kv/app/good']);
  });
});
