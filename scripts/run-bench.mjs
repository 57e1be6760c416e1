// Bundles the TypeScript benchmark scripts with esbuild (same banner as the product) and runs them.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';

const banner = [
  "import { createRequire as __vrCreateRequire } from 'node:module';",
  'const require = __vrCreateRequire(import.meta.url);',
].join('\n');
await build({
  entryPoints: {
    bench: 'scripts/bench.ts',
    'bench-floor': 'scripts/bench-floor.ts',
    'bench-roots': 'scripts/bench-roots.ts',
    'bench-large': 'scripts/bench-large.ts',
    'bench-graph': 'scripts/bench-graph.ts',
  },
  outdir: '.bench/bin',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // yaml's Node build reads process.env.LOG_TOKENS for every token it lexes (a C++ environ lookup):
  // a third of all parse time on a 10,000-file repo. Its ESM browser build is the same code without it.
  alias: { yaml: './node_modules/yaml/browser/index.js' },
  banner: { js: banner },
  logLevel: 'warning',
});
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : null;
// Hostile kustomization graphs (a 30-layer diamond, a chain 5,000 deep): `npm run bench -- --only graph`.
const graph = () => spawnSync(process.execPath, ['.bench/bin/bench-graph.mjs'], { stdio: 'inherit' });
if (only === 'graph') process.exit(graph().status ?? 1);
// `npm run bench -- --only roots`: the render-root comparison alone.
if (only === 'roots') {
  const roots = spawnSync(process.execPath, ['.bench/bin/bench-roots.mjs'], { stdio: 'inherit' });
  process.exit(roots.status ?? 1);
}
const r = spawnSync(process.execPath, ['--expose-gc', '.bench/bin/bench.mjs', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
if (r.status !== 0) process.exit(r.status ?? 1);
// `npm run bench -- --only local`: that part alone.
if (process.argv.includes('--only')) process.exit(0);
// Render roots (20 clusters × overlays over 250 shared bases) next to a flat repo of as many files.
console.log('');
const roots = spawnSync(process.execPath, ['.bench/bin/bench-roots.mjs'], { stdio: 'inherit' });
if (roots.status !== 0) process.exit(roots.status ?? 1);
// One large file: plan time per MB from 1 MB to 50 MB, and a file of 120,000 short lines.
console.log('');
const large = spawnSync(process.execPath, ['.bench/bin/bench-large.mjs'], { stdio: 'inherit' });
if (large.status !== 0) process.exit(large.status ?? 1);
console.log('');
const graphs = graph();
if (graphs.status !== 0) process.exit(graphs.status ?? 1);
// The GitHub Action's start-up (bundle load to the first Vault request), from the committed dist/index.js.
console.log('');
const action = spawnSync(process.execPath, ['scripts/bench-action.mjs'], { stdio: 'inherit' });
process.exit(action.status ?? 1);
