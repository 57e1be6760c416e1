/**
 * What a repository argument (`--repo`, the Action's `repo` input) names, decided in one place for every
 * entry point and the Git adapter: a URL, an SSH remote, or a local folder. Pure, so the edges and the
 * adapters can share it.
 *
 * SSH forms are recognised as git recognises them, so that `--repo git@github.com:o/r.git` is cloned
 * rather than answered with "does not exist". A local checkout whose `origin` is SSH is a local folder
 * here: git's own SSH setup pushes.
 */

export type RepoKind = 'url' | 'ssh' | 'local';

const SSH_SCHEMES = new Set(['ssh', 'git+ssh', 'ssh+git']);

/**
 * `url` for `scheme://…` (https, http, file, …), `ssh` for `ssh://…` and the scp-like `[user@]host:path`,
 * `local` for everything else. The scp-like rule is git's (`url_is_local_not_ssh` in connect.c): a colon
 * with no slash before it, except a Windows drive (`C:\…`); so `./a:b` is a folder and `host:a/b` is SSH.
 * @example
 * repoKind('https://github.com/o/r.git') // 'url'
 * repoKind('git@github.com:o/r.git')     // 'ssh'
 * repoKind('../manifests')               // 'local'
 */
export function repoKind(repo: string): RepoKind {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(repo);
  if (scheme) return SSH_SCHEMES.has((scheme[1] as string).toLowerCase()) ? 'ssh' : 'url';
  const colon = repo.indexOf(':');
  if (colon <= 0) return 'local';
  const slash = repo.search(/[\\/]/);
  if (slash !== -1 && slash < colon) return 'local';
  if (/^[a-z]:(?:[\\/]|$)/i.test(repo)) return 'local';
  return 'ssh';
}

/** True when the repository is remote (a URL or SSH), false for a local folder. */
export function isRemoteRepo(repo: string): boolean {
  return repoKind(repo) !== 'local';
}

const withoutPassword = (repo: string) => repo.replace(/^([a-z+]+:\/\/[^@/:]*):[^@/]*@/i, '$1@');

/**
 * The one line said about an SSH repository URL where only HTTP(S) can be spoken (isomorphic-git, without
 * the git CLI); a password in an `ssh://` URL is not repeated.
 */
export function sshRepoMessage(repo: string): string {
  // `host:path` without a user may have been meant as a folder: git reads it as SSH too, and `./` says otherwise.
  const folder =
    !repo.includes('://') && !repo.includes('@') ? ` (for a folder of that name, write "./${repo}")` : '';
  return `SSH repository URLs need the git CLI ("${withoutPassword(repo)}"): install git, or use the HTTPS URL${folder}`;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/** Whether a URL's hostname is the machine itself: the only hosts plain `http:` is allowed for. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname);
}
