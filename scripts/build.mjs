// Bundles the CLI (dist/cli.js) and the GitHub Action entry (dist/index.js) into dist/ with esbuild.
// The createRequire banner is needed: CommonJS dependencies (node-vault -> axios) call require("http"),
// which an ESM bundle cannot do without it ("Dynamic require of "http" is not supported").
//
// Code splitting: what a run reaches only through `import()` (the GitHub client, the runner's OIDC client) goes into
// dist/chunk-*.js, shared by both entries, and is read and compiled only by the runs that use it. Node
// compiles every statically imported byte at start, so the entries hold only what a run needs before its
// first Vault request. The chunks are part of dist/: ship the folder whole, never one file of it.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { argv } from 'node:process';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = argv[2] ?? 'dist';
const banner = [
  "import { createRequire as __vrCreateRequire } from 'node:module';",
  'const require = __vrCreateRequire(import.meta.url);',
].join('\n');

export const entries = { cli: 'src/cli.ts', index: 'src/action.ts' };

/**
 * @actions/core imports its OIDC client, and with it @actions/http-client, undici and tunnel (800 kB),
 * for one function: getIDToken, which is async. This stand-in imports the real client on the first call,
 * so the code lands in a chunk of its own that only runs logging in with the runner's OIDC token read.
 */
const lazyOidc = {
  name: 'lazy-oidc',
  setup(b) {
    b.onResolve({ filter: /^\.\/oidc-utils\.js$/ }, (args) =>
      args.namespace === 'file' && /@actions[\\/]core[\\/]/.test(args.importer)
        ? // Relative, so that the path esbuild writes into the bundle is the same on every machine.
          { path: relative(root, join(args.resolveDir, 'oidc-utils.js')), namespace: 'lazy-oidc' }
        : null,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-oidc' }, (args) => ({
      resolveDir: dirname(join(root, args.path)),
      loader: 'js',
      contents: [
        'export class OidcClient {',
        '  static async getIDToken(audience) {',
        "    const real = await import('./oidc-utils.js');",
        '    return real.OidcClient.getIDToken(audience);',
        '  }',
        '}',
      ].join('\n'),
    }));
  },
};

/**
 * axios (under node-vault) reads the global FormData at load, and calls its fetch adapter's factory once
 * to fill a cache, which reads the global Request and Response. The first read of any of them loads
 * Node's internal undici: 15-25 ms of every start, for globals node-vault never needs before a request
 * with a body (it sends through axios's http adapter). These edits read them on first use instead, with
 * the same results. If an axios upgrade changes one of the lines, the build fails here.
 */
const axiosEdits = [
  // The warm-up call only; the adapter builds the same factory when a request first asks for it.
  ['\ngetFetch();\n', '\n'],
  [
    "const FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;",
    "let FormDataCtorRead = false, FormDataCtorValue;\nconst FormDataCtorOf = () => (FormDataCtorRead ? FormDataCtorValue : ((FormDataCtorRead = true), (FormDataCtorValue = typeof G.FormData !== 'undefined' ? G.FormData : undefined)));",
  ],
  [
    'if (FormDataCtor && thing instanceof FormDataCtor) return true;',
    'if (FormDataCtorOf() && thing instanceof FormDataCtorOf()) return true;',
  ],
];
const axiosLazyGlobals = {
  name: 'axios-lazy-globals',
  setup(b) {
    b.onLoad({ filter: /[\\/]axios[\\/]dist[\\/]node[\\/]axios\.cjs$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      for (const [from, to] of axiosEdits) {
        if (text.split(from).length !== 2)
          throw new Error(`${args.path}: "${from.trim()}" is not there once`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

const result = await build({
  entryPoints: entries,
  outdir,
  bundle: true,
  splitting: true,
  chunkNames: 'chunk-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // yaml's Node build reads process.env.LOG_TOKENS for every token it lexes (a C++ environ lookup):
  // a third of all parse time on a 10,000-file repo. Its ESM browser build is the same code without it.
  alias: { yaml: './node_modules/yaml/browser/index.js' },
  plugins: [lazyOidc, axiosLazyGlobals],
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
// Chunk names change with their content: the ones of an earlier build would be left behind.
mkdirSync(outdir, { recursive: true });
for (const name of readdirSync(outdir)) if (/^chunk-.*\.js$/.test(name)) rmSync(join(outdir, name));
for (const file of result.outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, ascii(file.text));
}
