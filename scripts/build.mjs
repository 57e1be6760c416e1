// Bundles the CLI (dist/cli.js) and the GitHub Action entry (dist/index.js) into dist/ with esbuild.
// The createRequire banner is needed: CommonJS dependencies (node-vault -> axios) call require("http"),
// which an ESM bundle cannot do without it ("Dynamic require of "http" is not supported").
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { argv } from 'node:process';

const outdir = argv[2] ?? 'dist';
const banner = [
  "import { createRequire as __vrCreateRequire } from 'node:module';",
  'const require = __vrCreateRequire(import.meta.url);',
].join('\n');

export const entries = { cli: 'src/cli.ts', index: 'src/action.ts' };

const result = await build({
  entryPoints: entries,
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // yaml's Node build reads process.env.LOG_TOKENS for every token it lexes (a C++ environ lookup):
  // a third of all parse time on a 10,000-file repo. Its ESM browser build is the same code without it.
  alias: { yaml: './node_modules/yaml/browser/index.js' },
  banner: { js: `#!/usr/bin/env node\n${banner}` },
  legalComments: 'none',
  logLevel: 'warning',
  sourcemap: false,
  minify: false,
  treeShaking: true,
  write: false,
});

// esbuild escapes non-ASCII in strings, but keeps it in comments (and raw in a few regular expressions).
// One such character makes Node decode the whole file as UTF-16: twice the memory and about three times
// the decoding and scanning time at every start. Escaped, each means the same in a string, a regular
// expression or an identifier, and nothing in a comment.
const ascii = (text) =>
  text.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
for (const file of result.outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, ascii(file.text));
}
