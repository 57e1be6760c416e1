/**
 * The real-world manifest corpus (`../shared/corpus`, beside the repository), shared by the suites that walk
 * it. On a machine without it (a clean clone alone) those suites skip.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS = path.resolve(fileURLToPath(new URL('../../', import.meta.url)), '../shared/corpus');
export const CORPUS_PRESENT = existsSync(CORPUS);

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
