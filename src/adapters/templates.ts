/**
 * Finds and reads files under `templates/`. The folder sits at the package root, next to `dist/` in a
 * release and next to `src/` in a checkout; the bundle and the sources are at different depths, so walk up.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/** The package's templates/ folder. */
export function templatesDir(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'templates', 'commit-message.liquid'))) return (root = join(dir, 'templates'));
    const up = dirname(dir);
    if (up === dir) throw new Error('templates/ folder not found next to the vault-rollout package');
    dir = up;
  }
}

export function readTemplate(name: string): string {
  return readFileSync(join(templatesDir(), name), 'utf8');
}
