/**
 * Kustomize parity on the fixture repositories: every root of every repository under test/fixtures/roots
 * and test/fixtures/kustomize is built by `kubectl kustomize` and by the product, and what discovery
 * reads (test/support/kustomize-parity.ts) must agree. A root kustomize refuses must be refused or
 * reported by the product too.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import {
  describeIfKubectl,
  findRoots,
  isKustomizationFolder,
  listFiles,
  renderRoot,
} from '../support/kustomize.js';
import { compareRoot, pool, productBuilds } from '../support/kustomize-parity.js';

const fixtures = resolve(fileURLToPath(import.meta.url), '../../fixtures');
const REPOS = ['roots', 'kustomize'].flatMap((group) =>
  readdirSync(join(fixtures, group), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => `${group}/${e.name}`),
);

describeIfKubectl('kustomize parity on the fixture repositories', () => {
  it.each(REPOS)('%s: every root builds the same for discovery as kubectl kustomize', async (name) => {
    const dir = join(fixtures, name);
    const files = await Promise.all(
      (await listFiles(dir)).map(async (path) => ({ path, text: await readFile(join(dir, path), 'utf8') })),
    );
    const product = productBuilds(files);
    const roots: string[] = [];
    for (const root of (await findRoots(dir)).roots)
      if (await isKustomizationFolder(join(dir, root))) roots.push(root);
    const results = await pool(roots, 2, async (root) =>
      compareRoot(
        product,
        root,
        await renderRoot(join(dir, root)).then(
          (text) => ({ ok: true as const, text }),
          (err: Error) => ({ ok: false as const, error: err.message }),
        ),
      ),
    );
    const bad = results.filter(
      (r) =>
        r.status === 'differs' ||
        r.status === 'product refuses' ||
        (r.status === 'kubectl refuses' && r.reported.length === 0),
    );
    expect(bad).toEqual([]);
    // The fixtures are meant to build: a refusal on both sides would hide a broken fixture.
    expect(results.filter((r) => r.status !== 'same')).toEqual([]);
    // A repository without kustomizations (the flat layout) has nothing for kustomize to build.
    if (!name.endsWith('/flat')) expect(results.length).toBeGreaterThan(0);
  });
});
