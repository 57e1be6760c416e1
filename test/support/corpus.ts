/**
 * The real-world manifest corpus, shared by the suites that walk it: `.corpus/` (what `npm run corpus`
 * fetches, at the commits pinned in scripts/corpus-pins.txt), else `../shared/corpus` next to the
 * repository. Without either the suites skip, and the test run prints one line saying which suites and
 * how to fetch the corpus (vitest's global setup calls {@link corpusNotice}).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));

/** Where the corpus is for the repository at `root`, or null. */
export function findCorpus(root: string): string | null {
  for (const dir of [path.join(root, '.corpus'), path.resolve(root, '../shared/corpus')]) {
    if (existsSync(dir)) return dir;
  }
  return null;
}

const found = findCorpus(repoRoot);
/** The corpus folder (when absent: the path `npm run corpus` fills). */
export const CORPUS = found ?? path.join(repoRoot, '.corpus');
export const CORPUS_PRESENT = found !== null;

/** Every .yaml/.yml file under `dir`, absolute paths, sorted. */
export function listYaml(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listYaml(full));
    else if (/\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

/** Test files under `root`/test that import this module, relative to `root`, sorted. */
function corpusSuites(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.test.ts') && readFileSync(full, 'utf8').includes('support/corpus.js')) {
        out.push(path.relative(root, full).split(path.sep).join('/'));
      }
    }
  };
  walk(path.join(root, 'test'));
  return out.sort();
}

/** The one line a test run prints when the corpus suites skip, or null when the corpus is there. */
export function corpusNotice(root: string = repoRoot): string | null {
  if (findCorpus(root) !== null) return null;
  const suites = corpusSuites(root);
  return `corpus suites skipped (${suites.length}: ${suites.join(', ')}): no .corpus/ or ../shared/corpus; run "npm run corpus" to fetch the corpus`;
}
