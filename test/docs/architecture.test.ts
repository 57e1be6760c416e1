/**
 * The import rules of docs/architecture.md, checked on the sources: no import cycle between files, and
 * every import goes down the layers (core ← support ← adapters ← pipeline ← publish ← commands ← edges).
 * The lint rule in eslint.config.js keeps the core pure; this test keeps the rest of the order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run-cli.js';

const src = join(repoRoot, 'src');

/** Every .ts file under src/, as a path relative to src/ (`adapters/git/iso.ts`). */
function sources(dir = src): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [relative(src, join(dir, e.name))]
        : [],
  );
}

/** The files a source imports (relative imports only), as paths relative to src/. */
function imports(file: string): string[] {
  const text = readFileSync(join(src, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s+'(\.{1,2}\/[^']+)'/g)].map((m) =>
    normalize(join(dirname(file), m[1]!.replace(/\.js$/, '.ts'))),
  );
}

/** A file's unit: `core`, one adapter folder, a top-level folder, or a top-level file. */
function unitOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'core') return 'core';
  if (parts[0] === 'adapters') return parts.length > 2 ? `adapters/${parts[1]}/` : file;
  return parts.length > 1 ? `${parts[0]}/` : file;
}

// The layers of docs/architecture.md, lowest first. A unit not named here (a new top-level file or
// folder) sits with the commands: it may use everything below, and the edges may use it.
const ADAPTERS = 2;
const COMMANDS = 5;
const LAYERS: Record<string, number> = {
  core: 0,
  'log.ts': 1,
  'progress.ts': 1,
  'invocation.ts': 1,
  'dev/': 1,
  'pipeline.ts': 3,
  'publish/': 4,
  'cli.ts': 6,
  'action.ts': 6,
};

function layerOf(unit: string): number {
  if (unit.startsWith('adapters/')) return ADAPTERS;
  return LAYERS[unit] ?? COMMANDS;
}

/**
 * Imported by every engine and adapter that needs a temporary folder (src/core/ports.ts says so), and by
 * every HTTP adapter to read an answer under its cap.
 */
const SHARED_ADAPTER_FILES = new Set(['adapters/fs/temp.ts', 'adapters/http/read-capped.ts']);

describe('the import structure (docs/architecture.md)', () => {
  const files = sources();
  const graph = new Map(files.map((f) => [f, imports(f)]));

  it('reads the sources', () => {
    expect(files).toContain('core/ports.ts');
    expect(graph.get('cli.ts')).toContain('run.ts');
  });

  it('has no import cycle between files', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' → '));
        else if (!state.has(next)) visit(next, [...path, next]);
      }
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file, [file]);
    expect(cycles).toEqual([]);
  });

  it('imports only down the layers; adapters do not import one another', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = unitOf(file);
      for (const target of targets) {
        const to = unitOf(target);
        if (from === to) continue;
        const [lf, lt] = [layerOf(from), layerOf(to)];
        const sideways = lf === lt && lf === COMMANDS;
        const sharedAdapter = lf === ADAPTERS && SHARED_ADAPTER_FILES.has(target);
        if (lt < lf || sideways || sharedAdapter) continue;
        wrong.push(`${file} → ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('catches an upward import (the check itself)', () => {
    expect(layerOf(unitOf('core/model.ts'))).toBeLessThan(layerOf(unitOf('adapters/git/iso.ts')));
    expect(layerOf(unitOf('publish/commit.ts'))).toBeGreaterThan(layerOf(unitOf('pipeline.ts')));
    expect(layerOf(unitOf('a-new-command.ts'))).toBe(COMMANDS);
    expect(layerOf(unitOf('cli.ts'))).toBeGreaterThan(COMMANDS);
  });
});
