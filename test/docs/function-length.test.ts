/**
 * The length rule of CONTRIBUTING.md ("Code"): no function of the product code is longer
 * than 150 lines (src/dev/, the local test servers, is not product code). A longer one reads as a list of
 * steps only with effort: split it into named steps, or give the state its closures share a class.
 * Lengths are measured on the syntax tree (TypeScript's compiler API), from the first line of a function
 * to its last, nested functions included.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run-cli.js';

const MAX_LINES = 150;
const src = join(repoRoot, 'src');

/** Every .ts file under src/ outside src/dev/, relative to the repository. */
function productSources(dir = src): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return full === join(src, 'dev') ? [] : productSources(full);
    return e.name.endsWith('.ts') ? [relative(repoRoot, full)] : [];
  });
}

interface Measured {
  where: string;
  lines: number;
}

/** Every function of `text` (declarations, methods, arrows, constructors, accessors) with its length. */
function functionLengths(file: string, text: string): Measured[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Measured[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = node.name && ts.isIdentifier(node.name) ? node.name.text : nameFromParent(node);
      found.push({ where: `${file}:${first + 1} ${name}`, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `const name = () => …` and `name: () => …` are named by what holds them. */
function nameFromParent(node: ts.Node): string {
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && ts.isIdentifier(parent.name))
    return parent.name.text;
  return '(anonymous)';
}

describe('function length', () => {
  it(`no function in src/ (outside src/dev/) is longer than ${MAX_LINES} lines`, () => {
    const files = productSources();
    expect(files).toContain('src/run.ts');
    const long = files
      .flatMap((f) => functionLengths(f, readFileSync(join(repoRoot, f), 'utf8')))
      .filter((m) => m.lines > MAX_LINES)
      .map((m) => `${m.where}: ${m.lines} lines`);
    expect(long).toEqual([]);
  });

  it('measures what it should (the check itself)', () => {
    const body = Array.from({ length: MAX_LINES - 1 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const text = [
      `export function long() {\n${body}\n}`,
      `class C {\n  method() {\n    return 1;\n  }\n}`,
      `const arrow = () => {\n${body}\n};`,
      `declare function bodiless(): void;`,
    ].join('\n');
    const lengths = functionLengths('x.ts', text);
    expect(lengths.map((m) => [m.where.split(' ')[1], m.lines])).toEqual([
      ['long', MAX_LINES + 1],
      ['method', 3],
      ['arrow', MAX_LINES + 1],
    ]);
  });
});
