/**
 * The SSH command git runs for an `ssh://` or `git@host:path` remote when a deploy key or a known-hosts
 * file is configured (`git.sshKeyFile` / `GIT_SSH_KEY_FILE`, `git.knownHostsFile` / `SSH_KNOWN_HOSTS`), as
 * Argo CD and Flux reach a repository: that key only (no agent, no other identity), host keys always
 * checked against that file, never a prompt. Without either setting git's own SSH setup applies untouched.
 *
 * git runs `GIT_SSH_COMMAND` through `sh -c`, and ssh reads each `-o` value with its own quoting, `%`
 * tokens and whitespace-separated file lists; the file names may come from a repository's config, so a
 * name that either parser would read as more than one plain path is refused instead of escaped, and the
 * accepted ones are single-quoted for the shell as well.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

import { GitError } from '../../core/errors.js';

/** A file named by the operator, with where it was named (for messages). */
export interface SshFile {
  path: string;
  /** `git.sshKeyFile`, `GIT_SSH_KEY_FILE`, `git.knownHostsFile` or `SSH_KNOWN_HOSTS`. */
  from: string;
}

export interface SshSettings {
  /** The private key (a deploy key). */
  keyFile?: SshFile | undefined;
  /** An OpenSSH known_hosts file; the only one consulted when set. */
  knownHostsFile?: SshFile | undefined;
}

/** Characters that the shell or ssh's option parser would treat as more than part of a path. */
const UNSAFE = /[\s'"\\%`$\p{Cc}]/u;

/**
 * Checks a configured file: an absolute path without shell or ssh syntax in it, naming a readable
 * regular file.
 * @throws GitError naming the file and the key or variable that named it.
 */
export function checkSshFile(file: SshFile, what: string): string {
  const at = `${what} "${file.path}" (${file.from})`;
  if (!path.isAbsolute(file.path)) throw new GitError(`${at} must be an absolute path`, { ...file });
  if (UNSAFE.test(file.path))
    throw new GitError(
      `${at}: a path with spaces, quotes, backslashes, "%", "$" or control characters is refused (ssh and the shell would read it as more than a file name); use a plain path`,
      { ...file },
    );
  const stat = statSync(file.path, { throwIfNoEntry: false });
  if (!stat) throw new GitError(`${at} does not exist`, { ...file });
  if (!stat.isFile()) throw new GitError(`${at} is not a regular file`, { ...file });
  try {
    accessSync(file.path, constants.R_OK);
  } catch {
    throw new GitError(`${at} cannot be read by this process`, { ...file });
  }
  return file.path;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The `GIT_SSH_COMMAND` for these settings, or null when none is configured (git's own SSH setup).
 * @example
 * sshCommand({ keyFile: { path: '/etc/vault-rollout/ssh/identity', from: 'GIT_SSH_KEY_FILE' } })
 * // "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -i '/etc/vault-rollout/ssh/identity' -o IdentitiesOnly=yes"
 * @throws GitError for a file that {@link checkSshFile} refuses.
 */
export function sshCommand(settings: SshSettings): string | null {
  if (!settings.keyFile && !settings.knownHostsFile) return null;
  // BatchMode: a passphrase or host-key question fails instead of waiting on a terminal nobody watches.
  const parts = ['ssh', '-o BatchMode=yes', '-o StrictHostKeyChecking=yes'];
  if (settings.keyFile) {
    parts.push(`-i ${quote(checkSshFile(settings.keyFile, 'the SSH key file'))}`, '-o IdentitiesOnly=yes');
  }
  if (settings.knownHostsFile) {
    const file = checkSshFile(settings.knownHostsFile, 'the SSH known-hosts file');
    parts.push(`-o ${quote(`UserKnownHostsFile=${file}`)}`, '-o GlobalKnownHostsFile=/dev/null');
  }
  return parts.join(' ');
}

/** What to tell the person when ssh refused the host key. */
export function hostKeyHint(settings: SshSettings | undefined): string {
  const known = settings?.knownHostsFile;
  return known
    ? `the server's host key is not in "${known.path}" (${known.from})`
    : "the server's host key is not in the known-hosts file (set SSH_KNOWN_HOSTS or git.knownHostsFile)";
}
