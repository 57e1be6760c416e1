/**
 * Which repository files are read: the config's include/exclude globs (picomatch, `dot: true` so
 * `.github/` or `.argocd/` folders can be selected), with `.git/` and `node_modules/` always left out.
 */
import picomatch from 'picomatch';

/** Never read, whatever the config says: Git's own data and installed packages. */
export const ALWAYS_EXCLUDED: readonly string[] = [
  '.git/**',
  '**/.git/**',
  'node_modules/**',
  '**/node_modules/**',
];

/**
 * @param include globs relative to the repo root; a path must match at least one
 * @param exclude globs; a path matching any is left out
 * @returns a predicate on repo-relative POSIX paths
 * @example makePathFilter(['**\/*.yaml'], ['**\/charts/**'])('apps/web.yaml') // true
 */
export function makePathFilter(
  include: readonly string[],
  exclude: readonly string[],
): (path: string) => boolean {
  const included = picomatch([...include], { dot: true });
  const excluded = picomatch([...exclude, ...ALWAYS_EXCLUDED], { dot: true });
  return (path) => included(path) && !excluded(path);
}
