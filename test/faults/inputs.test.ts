/**
 * Hostile inputs that never reach Vault: malformed records, globs that leave the repository, binary
 * config files, and manifest files over `maxFileBytes`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkingTreeSource } from '../../src/adapters/fs/working-tree.js';
import { defaultConfig, parseConfig } from '../../src/core/config/schema.js';
import { silentLogger } from '../../src/core/ports.js';
import { discoverRepo } from '../../src/pipeline.js';
import { readRecord, recordFields } from '../../src/core/record.js';

describe('malformed records', () => {
  it.each([
    ['kv/x@notanumber', ['kv/x@notanumber']],
    ['kv/a/b@-1', ['kv/a/b@-1']],
    ['kv/a/b@99999999999999999999', ['kv/a/b@99999999999999999999']],
    ['kv/a/b@0', ['kv/a/b@0']],
    ['@@', ['@@']],
    ['@3', ['@3']],
    ['kv/../sys@3', ['kv/../sys@3']],
    ['kv/a@1,,kv/b@2', ['']],
    ['kv/a@1,', ['']],
  ])('%j', (raw, malformed) => {
    expect(readRecord(raw).malformed).toEqual(malformed);
    const fields = recordFields(raw, 'vault-rollout/secret-versions');
    expect(fields.recorded).toBeNull();
    expect(fields.recordWarnings).toHaveLength(1);
  });

  it('well-formed records are trusted, whitespace and order aside', () => {
    expect(recordFields('kv/b@7, kv/a@12\nkv/c@1', 'k')).toEqual({
      recorded: new Map([
        ['kv/b', 7],
        ['kv/a', 12],
        ['kv/c', 1],
      ]),
      recordedRaw: 'kv/b@7, kv/a@12\nkv/c@1',
    });
    expect(recordFields(undefined, 'k')).toEqual({ recorded: null, recordedRaw: null });
  });
});

describe('config inputs', () => {
  it.each([
    ['include', '../../etc/**'],
    ['include', 'apps/../../x/**'],
    ['exclude', '..'],
    ['include', '/etc/**'],
    ['exclude', 'C:\\\\repo\\\\**'],
  ])('%s %j is an error naming the key and line', (key, glob) => {
    expect(() => parseConfig(`${key}:\n  - "apps/**"\n  - "${glob}"\n`, 'c.yaml')).toThrow(
      new RegExp(`^c\\.yaml:3: ${key}\\[1\\]: globs are relative to the repository root`),
    );
  });

  it('a glob with ".." inside a segment name is fine', () => {
    expect(parseConfig('include: ["apps/..x/**", "a..b/*.yaml"]\n', 'c.yaml').include).toEqual([
      'apps/..x/**',
      'a..b/*.yaml',
    ]);
  });

  it.each([
    ['NUL bytes', 'include: ["a"]\u0000\u0000', 'control characters', 1],
    ['bytes that are not UTF-8', 'mode: commit\nbranch: ma\uFFFDin\n', 'bytes that are not UTF-8', 2],
  ])('a binary config file (%s) is named as such, quoting none of it', (_, text, what, line) => {
    expect(() => parseConfig(text, 'c.yaml')).toThrow(
      `c.yaml:${line}: not a text file: it holds ${what}, expected YAML`,
    );
  });
});

describe('maxFileBytes in the working tree', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vr-max-file-'));
    await writeFile(join(dir, 'big.yaml'), `kind: ConfigMap\n# ${'x'.repeat(5000)}\n`);
    await writeFile(join(dir, 'small.yaml'), 'kind: ConfigMap\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports a file over the limit with its size and the limit, and does not return it', async () => {
    const loaded = await new WorkingTreeSource(dir, { maxFileBytes: 4096 }).load(() => true);
    expect(loaded.files.map((f) => f.path)).toEqual(['small.yaml']);
    expect(loaded.problems).toEqual([
      {
        file: 'big.yaml',
        severity: 'warning',
        message:
          'file is 5019 bytes, over the maxFileBytes limit of 4096 bytes: skipped (raise maxFileBytes in the config to read it)',
      },
    ]);
  });

  it('reads everything without a limit', async () => {
    const loaded = await new WorkingTreeSource(dir).load(() => true);
    expect(loaded.files.map((f) => f.path)).toEqual(['big.yaml', 'small.yaml']);
  });
});

describe('maxFileBytes for sources that cannot tell a size first', () => {
  it('the pipeline drops an over-size file any source returned, and reports it', async () => {
    const big = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: big\n  annotations:\n    vault-rollout/secrets: kv/a/b\nspec:\n  template:\n    spec:\n      containers: [{ name: c, image: c }]\n# ${'é'.repeat(600)}\n`;
    const source = {
      load: async () => ({
        files: [
          { path: 'big.yaml', text: big },
          { path: 'small.yaml', text: big.replace('name: big', 'name: small').replace(/# é+\n/, '') },
        ],
        problems: [],
      }),
    };
    const config = { ...defaultConfig(), maxFileBytes: 1024 };
    const found = await discoverRepo(source, config, silentLogger);
    expect(found.workloads.map((w) => w.name)).toEqual(['small']);
    expect(found.problems).toEqual([
      {
        file: 'big.yaml',
        severity: 'warning',
        message: `file is ${Buffer.byteLength(big)} bytes, over the maxFileBytes limit of 1024 bytes: skipped (raise maxFileBytes in the config to read it)`,
      },
    ]);
  });
});
