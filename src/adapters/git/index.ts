/**
 * Git adapter: opens a checkout or a URL as a {@link Workspace} (the port in src/core/ports.ts), on the
 * native git CLI when one is found, else on isomorphic-git (pure JavaScript, no git needed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { GitError } from '../../core/errors.js';
import type { RequestLimits } from '../../core/limits.js';
import { silentLogger, type GitAuth, type Logger, type Workspace } from '../../core/ports.js';
import { GitCli, findGit, type Env } from './exec.js';
import { NativeWorkspace } from './native.js';
import { isRemoteRepo } from '../../core/repo-location.js';
import type { SshSettings } from './ssh.js';

export { stopGitChildren } from './exec.js';
export type { SshFile, SshSettings } from './ssh.js';

export type GitEngine = 'native' | 'isomorphic';

export interface OpenWorkspaceOptions {
  /**
   * A local checkout folder, an http(s) URL (plain http only for 127.0.0.1, ::1, localhost), or an SSH
   * URL (`ssh://…`, `[user@]host:path`; the git CLI only).
   */
  repo: string;
  /** Base branch; default: the checkout's current branch, or the remote's default branch. */
  branch?: string | undefined;
  /** HTTPS credentials (through the environment of git children, or isomorphic-git's `onAuth`). */
  auth?: GitAuth | undefined;
  /** Deploy key and known-hosts file for an SSH remote (URL or a checkout's origin); else git's own setup. */
  ssh?: SshSettings | undefined;
  /** The environment git children inherit (PATH, HOME, SSH agent, the person's GIT_* settings). */
  env: Env;
  /** `native` (needs `git` on env.PATH) or `isomorphic`; default: native when git is found. */
  engine?: GitEngine | undefined;
  /** Parent folder of the temporary clone (URL mode); default `os.tmpdir()`. */
  tmpRoot?: string | undefined;
  /** Local mode: plan on the remote head, move nothing in the checkout (`apply --dry-run`). */
  readOnly?: boolean | undefined;
  logger?: Logger | undefined;
  /**
   * Deadline and size cap of every request to the remote (`git.timeoutSeconds`, `git.maxResponseBytes`):
   * each git child on the native engine, each HTTP request on isomorphic-git. Read at every request, so
   * the caller may update the object once the repository's own config is read.
   */
  limits?: RequestLimits | undefined;
}

/** The engine a run uses: the one asked for, else native git when `PATH` has it, else isomorphic-git. */
export function chooseEngine(env: Env, asked?: string): { engine: GitEngine; git: string | null } {
  const git = findGit(env['PATH']);
  if (asked === 'isomorphic') return { engine: 'isomorphic', git };
  return { engine: asked === 'native' || git ? 'native' : 'isomorphic', git };
}

/**
 * Opens the base branch of a local checkout or of a remote URL.
 * @example
 * const ws = await openWorkspace({ repo: '.', env: process.env, logger });
 * @throws GitError for an unreachable or refusing remote, a missing branch, a detached or diverged checkout.
 */
export async function openWorkspace(opts: OpenWorkspaceOptions): Promise<Workspace> {
  const logger = opts.logger ?? silentLogger;
  const chosen = chooseEngine(opts.env, opts.engine);
  const remote = isRemoteRepo(opts.repo);
  if (chosen.engine === 'native') {
    if (!chosen.git)
      throw new GitError(
        'the native git CLI was asked for (VAULT_ROLLOUT_GIT=native) but "git" is not on PATH',
      );
    const cli = new GitCli(chosen.git, opts.env, opts.limits);
    const args = { ...opts, git: cli, logger };
    if (remote) return NativeWorkspace.openRemote(args);
    return NativeWorkspace.openLocal({ ...args, unborn: (branch) => refuseUnborn(opts.repo, branch) });
  }
  logger.debug('using isomorphic-git (no git CLI)');
  // Loaded only without a git CLI: isomorphic-git is half a megabyte to compile at every start.
  const { IsoWorkspace } = await import('./iso.js');
  if (remote) return IsoWorkspace.openRemote({ ...opts, logger });
  refuseUnborn(opts.repo, await unbornIso(path.resolve(opts.repo)));
  return IsoWorkspace.openLocal({ ...opts, logger });
}

/**
 * A checkout whose current branch has no commit yet (`git init` and nothing committed, or a clone of an
 * empty repository) has no base to plan on or to build a commit on; each engine would otherwise fail
 * later with a lower-level message ("Could not find refs/heads/main.").
 */
function refuseUnborn(repo: string, branch: string | null): void {
  if (branch === null) return;
  const dir = path.resolve(repo);
  throw new GitError(
    `the checkout "${dir}" has no commits yet (branch "${branch}" is empty); commit and push the manifests first, or pass the repository URL`,
    { dir, branch },
  );
}

/**
 * The branch of a checkout that has no commit yet, read with isomorphic-git (a `.git` folder only; other
 * layouts are refused later), or null. The git CLI engine asks the same while opening the checkout.
 */
async function unbornIso(dir: string): Promise<string | null> {
  const gitdir = path.join(dir, '.git');
  if (!fs.statSync(gitdir, { throwIfNoEntry: false })?.isDirectory()) return null;
  const { default: git } = await import('isomorphic-git');
  const branch = await git.currentBranch({ fs, dir, gitdir }).catch(() => undefined);
  if (!branch) return null;
  const head = await git.resolveRef({ fs, dir, gitdir, ref: 'HEAD' }).catch(() => null);
  return head === null ? branch : null;
}

export { checkRemoteUrl, displayRemote, redact } from './remote-url.js';
export { decodeUtf8 } from './shared.js';
export { parseCommit } from './commit-info.js';
export type {
  CommitFile,
  CommitInfo,
  CommitOptions,
  GitAuth,
  GitIdentity,
  PushResult,
  TreeManifestSource,
  Workspace,
} from '../../core/ports.js';
