/**
 * The reference in docs/ against the code it describes: every key of the config schema is documented in
 * docs/configuration.md and its example is a valid config; docs/exit-codes.md lists every exit code; the
 * package ships the report schema; README's reference links lead to files that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSchema, parseConfig } from '../../src/core/config/schema.js';
import * as limits from '../../src/core/limits.js';
import { repoRoot } from '../support/run-cli.js';

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

/** Every key of the config schema as a dotted path, list items as `[]`: `rules[].select.kind`. */
function configKeys(): string[] {
  const keys: string[] = [];
  const walk = (s: JsonSchema, at: string) => {
    if (s.items) walk(s.items, `${at}[]`);
    for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) walk(alt, at);
    for (const [key, child] of Object.entries(s.properties ?? {})) {
      const path = at ? `${at}.${key}` : key;
      keys.push(path);
      walk(child, path);
    }
  };
  walk(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema, '');
  return keys;
}

describe('docs/configuration.md', () => {
  const doc = read('docs/configuration.md');

  it('documents every key of the config schema', () => {
    const keys = configKeys();
    expect(keys).toContain('rules[].select.labels');
    // An environment's `vault` takes the keys of the top-level `vault`, documented once.
    const undocumented = keys
      .map((k) => k.replace(/^environments\[\]\.vault\./, 'vault.'))
      .filter((k) => !doc.includes(`\`${k}\``));
    expect(undocumented).toEqual([]);
  });

  it('documents every render root limit of src/core/limits.ts with its default, as README does', () => {
    const constants = Object.entries(limits).filter(([name]) => /^MAX_(KUSTOMIZE|ROOT)_/.test(name));
    expect(constants.map(([name]) => name).sort()).toEqual([
      'MAX_KUSTOMIZE_DEPTH',
      'MAX_ROOT_BYTES',
      'MAX_ROOT_DOCUMENTS',
    ]);
    const readme = read('README.md');
    for (const [name, value] of constants) {
      expect(doc).toMatch(new RegExp(`\\| \`${name}\` +\\| \`${String(value)}\``));
      expect(readme).toContain(
        Number(value) >= 1024 * 1024
          ? `${Number(value) / 1024 / 1024} MiB`
          : (value as number).toLocaleString('en-US'),
      );
    }
  });

  it('gives an example that is a valid config and sets every top-level key', () => {
    const example = /## Full example\n\n(?:<!-- prettier-ignore -->\n)?```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const config = parseConfig(example!, 'docs/configuration.md');
    expect(config.environments.map((e) => e.name)).toEqual(['prod']);
    const topLevel = configKeys().filter((k) => !/[.[]/.test(k));
    const set = Object.keys(parseYamlKeys(example!));
    expect(topLevel.filter((k) => !set.includes(k))).toEqual([]);
  });
});

/** The top-level keys of a YAML mapping, as written (block style). */
function parseYamlKeys(text: string): Record<string, true> {
  return Object.fromEntries([...text.matchAll(/^([A-Za-z]+):/gm)].map((m) => [m[1]!, true]));
}

describe('docs/exit-codes.md', () => {
  it('lists the exit codes 0, 1, 2 and 3, each with its own section', () => {
    const doc = read('docs/exit-codes.md');
    for (const code of [0, 1, 2, 3]) {
      expect(doc).toMatch(new RegExp(`^\\| \`${code}\` +\\|`, 'm'));
      expect(doc).toMatch(new RegExp(`^## ${code}: `, 'm'));
    }
  });
});

describe('the package', () => {
  it('ships the JSON Schema of the report (package.json files)', () => {
    const pkg = JSON.parse(read('package.json')) as { files: string[] };
    const schema = 'docs/schema/report.schema.json';
    expect(existsSync(join(repoRoot, schema))).toBe(true);
    expect(pkg.files.some((f) => schema === f || schema.startsWith(`${f.replace(/\/$/, '')}/`))).toBe(true);
  });

  it('README and docs/ link only to files that exist', () => {
    const broken: string[] = [];
    const checked: string[] = [];
    for (const file of ['README.md', 'docs/configuration.md', 'docs/exit-codes.md', 'docs/annotations.md']) {
      const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.';
      for (const m of read(file).matchAll(/\]\(((?:\.{0,2}\/)?(?:docs|schema|[a-z-]+\.md)[^)#\s]*)/g)) {
        checked.push(`${file}: ${m[1]}`);
        if (!existsSync(join(repoRoot, dir, m[1]!))) broken.push(`${file}: ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
    for (const doc of ['configuration.md', 'exit-codes.md', 'annotations.md', 'schema/report.schema.json'])
      expect(checked).toContain(`README.md: docs/${doc}`);
  });
});
