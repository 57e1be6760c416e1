/** Repo-relative POSIX paths, as kustomizations and deployment objects name them. */

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function dirName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/**
 * Whether `path` is `folder` or inside it; every path is inside `''`, the repository's root.
 * @example under('clusters/prod/web.yaml', 'clusters/prod') // true; under('clusters/prod-old', 'clusters/prod') // false
 */
export function under(path: string, folder: string): boolean {
  return folder === '' || path === folder || path.startsWith(`${folder}/`);
}

/**
 * `dir` joined with a relative POSIX path, normalised; null when it leaves the repository.
 * @example joinPath('clusters/prod/web', '../../../apps/web') // 'apps/web'
 */
export function joinPath(dir: string, rel: string): string | null {
  const out: string[] = rel.startsWith('/') ? [] : dir.split('/').filter(Boolean);
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(seg);
  }
  return out.join('/');
}
