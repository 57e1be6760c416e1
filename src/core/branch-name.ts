/**
 * Git's rules for a branch name (`git check-ref-format --branch`, see git-check-ref-format(1)), in pure
 * code so that `validate` checks the config's `branch` without running git, and the Git adapters check a
 * name before it reaches a refspec or an argument list.
 */

/**
 * Why `name` is not a branch name git accepts, or null when it is one.
 * @example branchNameProblem('main..x') // 'must not contain ".."'
 */
export function branchNameProblem(name: string): string | null {
  if (name === '') return 'must not be empty';
  // git takes a leading "-" as an option; `git branch` refuses it, and so does `check-ref-format --branch`.
  if (name.startsWith('-')) return 'must not start with "-"';
  if (name === '@' || name === 'HEAD') return `"${name}" names a commit, not a branch`;
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//'))
    return 'must not start or end with "/" or hold "//"';
  if (name.endsWith('.')) return 'must not end with "."';
  if (name.includes('..')) return 'must not contain ".."';
  if (name.includes('@{')) return 'must not contain "@{"';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name))
    return 'must not contain spaces, control characters or any of ~ ^ : ? * [ \\';
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return 'no part between "/" may start with "."';
    if (part.endsWith('.lock')) return 'no part between "/" may end with ".lock"';
  }
  return null;
}

/** A branch name git accepts (`git check-ref-format --branch`). */
export function isValidBranchName(name: string): boolean {
  return branchNameProblem(name) === null;
}
