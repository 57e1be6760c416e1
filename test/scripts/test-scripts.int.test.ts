/**
 * `npm run test:unit`, `test:int` and `test:e2e` split the suite by the file names the test layout uses
 * (`*.test.ts`, `*.int.test.ts`, `*.e2e.test.ts`): together they are exactly what `npm test` runs, and no
 * file runs in two of them. Each script's vitest arguments are listed with `vitest list --filesOnly`.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run-cli.js';

const scripts = (
  JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** The arguments after `vitest run` in a script, as a POSIX shell splits them (double quotes only). */
function vitestArgs(script: string): string[] {
  const at = script.indexOf('vitest run');
  expect(at, script).toBeGreaterThanOrEqual(0);
  const rest = script.slice(at + 'vitest run'.length).split('&&')[0] as string;
  return [...rest.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] ?? m[2]) as string);
}

function listFiles(args: string[]): Promise<string[]> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'list', '--filesOnly', ...args],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) =>
      code === 0
        ? done(
            out
              .split('\n')
              .map((l) => l.trim())
              .filter((l) => l.endsWith('.test.ts'))
              .sort(),
          )
        : fail(new Error(`vitest list ${args.join(' ')}: exit ${code}: ${err}`)),
    );
  });
}

describe('npm run test:unit / test:int / test:e2e', () => {
  it('partition what npm test runs by file name', async () => {
    expect(scripts.test).toContain('vitest run &&');
    const [all, unit, int, e2e] = await Promise.all([
      listFiles([]),
      listFiles(vitestArgs(scripts['test:unit'] as string)),
      listFiles(vitestArgs(scripts['test:int'] as string)),
      listFiles(vitestArgs(scripts['test:e2e'] as string)),
    ]);
    expect(all.length).toBeGreaterThan(30);
    expect(unit.filter((f) => /\.(int|e2e)\.test\.ts$/.test(f))).toEqual([]);
    expect(int.every((f) => f.endsWith('.int.test.ts'))).toBe(true);
    expect(e2e.every((f) => f.endsWith('.e2e.test.ts'))).toBe(true);
    expect([...unit, ...int, ...e2e].sort()).toEqual(all);
    expect(unit.length * int.length * e2e.length).toBeGreaterThan(0);
  });

  it('build dist/ first where the built CLI is spawned', () => {
    for (const name of ['test:int', 'test:e2e']) expect(scripts[name], name).toMatch(/^npm run build && /);
  });
});
