/**
 * Remote URL policy and redaction for the Git adapter.
 * `--repo` URLs: HTTPS, plain HTTP only for loopback hosts, and SSH (`ssh://…`, `[user@]host:path`) on the
 * git CLI. Tokens travel through `onAuth` only, so a URL carrying credentials is refused rather than
 * silently used (it would end up in `.git/config` and in logs).
 */
import { existsSync } from 'node:fs';

import { GitError } from '../../core/errors.js';
import type { GitAuth } from '../../core/ports.js';
import { isLoopbackHost, repoKind, sshRepoMessage } from '../../core/repo-location.js';

export type { GitAuth } from '../../core/ports.js';

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
 * Validates an HTTP remote URL: `https:` anywhere, `http:` only for 127.0.0.1, ::1 and localhost, no
 * credentials. An SSH URL is refused with the line that says it needs the git CLI (isomorphic-git speaks
 * HTTP only; the git CLI engine checks SSH remotes with {@link checkSshRemote}).
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
  if (url.protocol === 'https:' || isLoopbackHost(url.hostname)) return url;
  throw new GitError(`plain http is allowed only for loopback hosts; use https for "${displayUrl(url)}"`, {
    url: displayUrl(url),
  });
}

/**
 * Validates an SSH remote for the git CLI: no password in an `ssh://` URL (SSH authenticates with keys),
 * no host that ssh could take for an option, and a `host:path` that names an existing folder is pointed
 * at its folder spelling (git itself reads it as SSH).
 * @throws GitError naming the printable remote and what to do instead.
 */
export function checkSshRemote(raw: string): string {
  const where = displayRemote(raw);
  if (/\p{Cc}/u.test(raw))
    throw new GitError(`the repository URL "${where}" holds control characters`, { url: where });
  const url = /^[a-z+]+:\/\//i.test(raw) ? safeUrl(raw) : null;
  if (url?.password)
    throw new GitError(
      `the repository URL "${where}" carries a password; SSH authenticates with a key (GIT_SSH_KEY_FILE)`,
      { url: where },
    );
  const host = url ? url.hostname : raw.replace(/^[^@/]*@/, '');
  if (host.startsWith('-') || (url?.username ?? '').startsWith('-'))
    throw new GitError(`the repository URL "${where}" names a host or user starting with "-"`, {
      url: where,
    });
  if (!url && !raw.includes('@') && existsSync(raw))
    throw new GitError(
      `"${raw}" is read as an SSH remote (host "${raw.slice(0, raw.indexOf(':'))}"), as git reads it; for the folder of that name, write "./${raw}"`,
      { url: where },
    );
  return raw;
}

function safeUrl(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
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
