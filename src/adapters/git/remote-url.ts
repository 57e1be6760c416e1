/**
 * Remote URL policy and redaction for the Git adapter.
 * `--repo` URLs: HTTPS, plain HTTP only for loopback hosts. Tokens travel through `onAuth` only, so a URL
 * carrying credentials is refused rather than silently used (it would end up in `.git/config` and in logs).
 */
import { GitError } from '../../core/errors.js';
import type { GitAuth } from '../../core/ports.js';
import { repoKind, sshRepoMessage } from '../../core/repo-location.js';

export type { GitAuth } from '../../core/ports.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/** The URL without user info, query or fragment: safe to print. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * A remote as git names it (URL, scp-like `user@host:path`, or a path), printable: no user info, query or
 * fragment. scp-like remotes become `ssh://host/path`, so `owner/name` parses from them like from a URL.
 */
export function displayRemote(remote: string): string {
  const scp = /^(?:[^@/]+@)?([\w.-]+):(?!\/\/)(.+)$/.exec(remote);
  if (scp && !/^[a-z]:[\\/]/i.test(remote)) return `ssh://${scp[1]}/${scp[2]!.replace(/^\//, '')}`;
  try {
    const url = new URL(remote);
    if (url.protocol === 'file:') return url.href;
    return displayUrl(url);
  } catch {
    return remote;
  }
}

/**
 * Validates a remote URL: `https:` anywhere, `http:` only for 127.0.0.1, ::1 and localhost, no credentials.
 * @throws GitError naming the (credential-free) URL and what to do instead.
 */
export function checkRemoteUrl(raw: string): URL {
  if (repoKind(raw) === 'ssh') throw new GitError(sshRepoMessage(raw));
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new GitError('the repository is neither a local folder nor an http(s) URL; use an HTTPS URL', {
      repo: raw.replace(/\/\/[^@/]*@/, '//'),
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new GitError(
      `unsupported Git URL scheme "${url.protocol}" in "${displayUrl(url)}"; use an HTTPS URL`,
      {
        url: displayUrl(url),
      },
    );
  }
  if (url.username || url.password) {
    url.username = '';
    url.password = '';
    throw new GitError(
      `the repository URL "${displayUrl(url)}" carries credentials; remove them and set GIT_TOKEN (and GIT_USERNAME) instead`,
      { url: displayUrl(url) },
    );
  }
  if (url.protocol === 'https:' || LOOPBACK.has(url.hostname)) return url;
  throw new GitError(`plain http is allowed only for loopback hosts; use https for "${displayUrl(url)}"`, {
    url: displayUrl(url),
  });
}

/** Replaces every occurrence of the token, and of its Basic-auth base64 forms, with `***`. */
export function redact(text: string, auth: GitAuth | undefined): string {
  if (!auth?.token) return text;
  const secrets = [
    auth.token,
    Buffer.from(`${auth.username}:${auth.token}`).toString('base64'),
    encodeURIComponent(auth.token),
  ].filter((s) => s.length >= 4);
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}
