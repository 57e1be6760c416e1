// Bundles the CLI (dist/cli.js) and the GitHub Action entry (dist/index.js) into dist/ with esbuild.
// The createRequire banner is needed: CommonJS dependencies (node-vault -> axios) call require("http"),
// which an ESM bundle cannot do without it ("Dynamic require of "http" is not supported").
import { build } from 'esbuild';
import { argv } from 'node:process';

const outdir = argv[2] ?? 'dist';
const banner = [
  "import { createRequire as __vrCreateRequire } from 'node:module';",
  'const require = __vrCreateRequire(import.meta.url);',
].join('\n');

export const entries = { cli: 'src/cli.ts', index: 'src/action.ts' };

await build({
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
});
