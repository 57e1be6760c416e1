/**
 * The one wrapper around the git CLI: `spawn` (never a shell), the caller decides what an exit code
 * means (create-pull-request's `exec(args, { allowAllExitCodes })`).
 *
 * Every child gets `GIT_TERMINAL_PROMPT=0` (a missing credential fails instead of waiting on a terminal
 * nobody watches), `LC_ALL=C` (the messages parsed in native.ts are git's English ones) and, unless the
 * environment sets it, a glibc heap trim threshold that keeps git from shrinking its heap after each
 * object. Extra config travels as `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n` (git >= 2.31),
 * appended after any the caller's environment already holds: a token then reaches git through the
 * environment of its own child only, never argv (visible to every user in `ps`) and never a config file
 * left on disk.
 *
 * Every child is bounded (`git.timeoutSeconds`, `git.maxResponseBytes`): a total deadline, not an idle
 * timeout, and a cap on the output held in memory. Each child leads its own process group, so that on
 * expiry the whole group is killed: `git fetch` over HTTP runs `git-remote-http` and `index-pack` as its
 * own children, which a signal to git alone leaves reading from the remote. Groups still alive when the
 * process exits (a signal handler calling `process.exit`) are killed too.
 */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { GitError } from '../../core/errors.js';
import { DEFAULT_GIT_LIMITS, type RequestLimits } from '../../core/limits.js';
import { displayRemote } from './remote-url.js';

export type Env = Record<string, string | undefined>;

export interface GitRunOptions {
  cwd?: string;
  /**
   * A file git reads as its stdin, instead of `input`: git then reads at its own pace while this process
   * does other work (a pipe would stall whenever the event loop is busy).
   */
  inputFile?: string;
  /**
   * A file (created here, it must not exist) git writes its stdout to, instead of a pipe, read back once
   * git has exited: git then writes at its own pace while this process does other work. Held to
   * `git.maxResponseBytes` once git has exited, so only for output whose size the caller already bounds.
   */
  outputFile?: string;
  /** Bytes written to stdin (then closed). */
  input?: string | Buffer;
  /**
   * Writes stdin as the caller's work goes, instead of `input`: called once git has started, with a sink
   * that takes chunks at once (a pipe write that fits the pipe is made right away, so git reads while this
   * process goes on working synchronously); stdin is closed when it returns or throws.
   */
  feed?: (write: (chunk: string) => void) => void;
  /** Extra environment variables (e.g. GIT_INDEX_FILE, GIT_AUTHOR_DATE). */
  env?: Env;
  /** Extra `-c`-like config entries, passed through the environment. */
  config?: [string, string][];
  /** A shorter deadline for this call (ms); the configured `git.timeoutSeconds` is the longest. */
  timeoutMs?: number;
}

export interface GitRunResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Process groups of the git children still running, killed if the process exits first. */
const liveGroups = new Set<number>();
/** Each running child's end: its output pipes closed, so no process of its group is left writing. */
const ends = new Map<number, Promise<void>>();
let exitHookInstalled = false;
/** Set once the run is being stopped (a signal): no new git child starts. */
let stopping = false;

/**
 * Stops every running git child and waits until each has ended, so a temporary folder removed next has
 * nobody writing into it (`git fetch` runs `index-pack` as its own child, which writes the pack). A child
 * ends when its output pipes close, which its own children hold too; waiting is bounded by `timeoutMs`,
 * since a stuck child must not hold the exit. After this no git child starts again.
 * @example process.once('SIGTERM', () => void stopGitChildren().then(() => removeTempDirs()));
 */
export async function stopGitChildren(timeoutMs = 5000): Promise<void> {
  stopping = true;
  const waits = [...ends.values()];
  for (const group of liveGroups) killGroup(group);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(waits),
    new Promise<void>((done) => (timer = setTimeout(done, timeoutMs))),
  ]);
  clearTimeout(timer);
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // First among the exit handlers: a git still writing into a temporary folder while it is being
  // removed could leave files behind.
  process.prependListener('exit', () => {
    for (const group of liveGroups) killGroup(group);
  });
}

/** `fetch from "https://host/repo.git"`, `push to the "origin" remote of "/work/app"`, or `cat-file`. */
export function describeGitCall(args: string[], cwd: string | undefined): string {
  const command = args[0] ?? '';
  const preposition = command === 'push' ? 'to' : 'from';
  const url = args.find((a) => /^[a-z][a-z0-9+.-]*:\/\//i.test(a));
  if (url) return `${command} ${preposition} "${displayRemote(url)}"`;
  if (args.includes('origin') && ['fetch', 'push', 'ls-remote', 'pull'].includes(command)) {
    return `${command} ${preposition} the "origin" remote${cwd ? ` of "${cwd}"` : ''}`;
  }
  return command;
}

/** Finds an executable `git` on `PATH` (the edge passes its environment's PATH), or null. */
export function findGit(pathVar: string | undefined): string | null {
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'git');
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export class GitCli {
  constructor(
    /** Absolute path of the git executable. */
    readonly bin: string,
    /** The environment of the run (PATH, HOME, SSH_AUTH_SOCK, the user's GIT_* settings). */
    private readonly baseEnv: Env,
    /**
     * Deadline and output cap of each child. Read at every call: the composition root may set them from
     * the repository's own config once the clone has been read.
     */
    private readonly limits: RequestLimits = { ...DEFAULT_GIT_LIMITS },
  ) {}

  /**
   * Runs git and returns its exit code and output; never throws for a non-zero exit.
   * @throws GitError when git cannot start, is killed, or goes over the deadline or the output cap.
   */
  run(args: string[], opts: GitRunOptions = {}): Promise<GitRunResult> {
    const env: Env = {
      // glibc returns freed memory at the top of the heap once 128 KiB are free: git deflates every object
      // with a fresh zlib state of four 64 KiB buffers, so each object grew and shrank the heap eight times.
      // `fast-import` of 5,000 blobs into a fresh clone made 40,000 brk calls, 2.8 s instead of 0.1 s.
      // Keeping up to 64 MiB free changes no peak. (Other C libraries ignore the variable.)
      MALLOC_TRIM_THRESHOLD_: String(64 * 1024 * 1024),
      ...this.baseEnv,
      ...opts.env,
      GIT_TERMINAL_PROMPT: '0',
      LC_ALL: 'C',
      LANGUAGE: '',
    };
    const config: [string, string][] = [
      // No background `git gc --auto` or maintenance started by our commands: they would outlive the run.
      ['gc.auto', '0'],
      ['maintenance.auto', 'false'],
      ...(opts.config ?? []),
    ];
    let count = Number.parseInt(env['GIT_CONFIG_COUNT'] ?? '0', 10) || 0;
    for (const [key, value] of config) {
      env[`GIT_CONFIG_KEY_${count}`] = key;
      env[`GIT_CONFIG_VALUE_${count}`] = value;
      count++;
    }
    env['GIT_CONFIG_COUNT'] = String(count);
    const limits = this.limits;
    const deadline = Math.min(opts.timeoutMs ?? Infinity, limits.timeoutMs);
    return new Promise((resolve, reject) => {
      if (stopping) {
        reject(new GitError(`git ${describeGitCall(args, opts.cwd)} not started: the run is stopping`));
        return;
      }
      let inFd: number | null = null;
      let outFd: number | null = null;
      try {
        if (opts.inputFile !== undefined) inFd = openSync(opts.inputFile, 'r');
        if (opts.outputFile !== undefined) outFd = openSync(opts.outputFile, 'wx', 0o600);
      } catch (e) {
        if (inFd !== null) closeSync(inFd);
        reject(
          new GitError(`git ${args[0] ?? ''} could not open its input or output: ${(e as Error).message}`),
        );
        return;
      }
      const child = spawn(this.bin, args, {
        cwd: opts.cwd,
        env: env as NodeJS.ProcessEnv,
        detached: true,
        stdio: [inFd ?? 'pipe', outFd ?? 'pipe', 'pipe'],
        windowsHide: true,
      });
      if (inFd !== null) closeSync(inFd);
      if (outFd !== null) closeSync(outFd);
      const pid = child.pid;
      let ended = () => {};
      if (pid !== undefined) {
        trackGroup(pid);
        ends.set(pid, new Promise<void>((done) => (ended = done)));
      }
      const end = () => {
        if (pid === undefined) return;
        liveGroups.delete(pid);
        ends.delete(pid);
        ended();
      };
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let size = 0;
      let failure: GitError | null = null;
      let fed: { error: unknown } | null = null;
      const stop = (why: GitError) => {
        if (failure) return;
        failure = why;
        if (pid !== undefined) killGroup(pid);
      };
      const timer = setTimeout(() => {
        stop(
          new GitError(
            `git ${describeGitCall(args, opts.cwd)} did not finish within ${deadline / 1000} s and was stopped (raise git.timeoutSeconds if the remote is just slow)`,
            { command: args[0], timeoutMs: deadline },
          ),
        );
      }, deadline);
      /** The output file's bytes, within what is left of the cap after stderr. */
      const readOutput = (file: string, used: number): Buffer => {
        const bytes = statSync(file).size;
        if (used + bytes > limits.maxResponseBytes)
          throw new GitError(
            `git ${describeGitCall(args, opts.cwd)} wrote more than ${limits.maxResponseBytes} bytes of output (raise git.maxResponseBytes if this is expected)`,
            { command: args[0], maxResponseBytes: limits.maxResponseBytes },
          );
        return readFileSync(file);
      };
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        if (failure) return;
        size += chunk.length;
        if (size > limits.maxResponseBytes) {
          stop(
            new GitError(
              `git ${describeGitCall(args, opts.cwd)} sent more than ${limits.maxResponseBytes} bytes of output and was stopped (raise git.maxResponseBytes if this is expected)`,
              { command: args[0], maxResponseBytes: limits.maxResponseBytes },
            ),
          );
          return;
        }
        into.push(chunk);
      };
      child.stdout?.on('data', collect(out));
      child.stderr!.on('data', collect(err));
      child.on('error', (e) => {
        clearTimeout(timer);
        end();
        reject(failure ?? new GitError(`git ${args[0] ?? ''} could not start: ${e.message}`));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        end();
        if (failure) return reject(failure);
        if (fed) return reject(fed.error);
        if (code === null) return reject(new GitError(`git ${describeGitCall(args, opts.cwd)} was killed`));
        let stdout: Buffer;
        try {
          stdout = opts.outputFile === undefined ? Buffer.concat(out) : readOutput(opts.outputFile, size);
        } catch (e) {
          return reject(e);
        }
        resolve({ code, stdout, stderr: Buffer.concat(err).toString('utf8') });
      });
      if (child.stdin) {
        child.stdin.on('error', () => {
          // git may exit before reading all of stdin (e.g. a failed cat-file); the exit code says why.
        });
        if (opts.feed) {
          const stdin = child.stdin;
          try {
            opts.feed((chunk) => void stdin.write(chunk));
          } catch (e) {
            // Reported once git has finished with what it was given (it may hold a lock until then).
            fed = { error: e };
          } finally {
            stdin.end();
          }
        } else if (opts.input !== undefined) child.stdin.end(opts.input);
        else child.stdin.end();
      }
    });
  }
}
