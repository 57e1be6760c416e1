/**
 * The one wrapper around the git CLI: `execFile` (never a shell), the caller decides what an exit code
 * means (create-pull-request's `exec(args, { allowAllExitCodes })`).
 *
 * Every child gets `GIT_TERMINAL_PROMPT=0` (a missing credential fails instead of waiting on a terminal
 * nobody watches) and `LC_ALL=C` (the messages parsed in native.ts are git's English ones). Extra config
 * travels as `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n` (git >= 2.31), appended after any the
 * caller's environment already holds: a token then reaches git through the environment of its own child
 * only, never argv (visible to every user in `ps`) and never a config file left on disk.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export type Env = Record<string, string | undefined>;

export interface GitRunOptions {
  cwd?: string;
  /** Bytes written to stdin (then closed). */
  input?: string | Buffer;
  /** Extra environment variables (e.g. GIT_INDEX_FILE, GIT_AUTHOR_DATE). */
  env?: Env;
  /** Extra `-c`-like config entries, passed through the environment. */
  config?: [string, string][];
  /** Total deadline (default 10 minutes: a clone of a large repository). */
  timeoutMs?: number;
}

export interface GitRunResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Output cap per git child: far above any manifest repository, well below what would exhaust memory. */
const MAX_OUTPUT = 1024 * 1024 * 1024;

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
  ) {}

  /** Runs git and returns its exit code and output; never throws for a non-zero exit. */
  run(args: string[], opts: GitRunOptions = {}): Promise<GitRunResult> {
    const env: Env = { ...this.baseEnv, ...opts.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', LANGUAGE: '' };
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
    return new Promise((resolve, reject) => {
      const child = execFile(
        this.bin,
        args,
        {
          cwd: opts.cwd,
          env: env as NodeJS.ProcessEnv,
          encoding: 'buffer',
          maxBuffer: MAX_OUTPUT,
          timeout: opts.timeoutMs ?? 10 * 60_000,
          windowsHide: true,
        },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
          if (code === null) {
            // Not an exit status: spawn failure, timeout (killed) or output over the cap.
            const why = err?.killed ? 'timed out' : (err?.message ?? 'failed');
            reject(new Error(`git ${args[0] ?? ''} ${why}`));
            return;
          }
          resolve({ code, stdout, stderr: stderr.toString('utf8') });
        },
      );
      child.stdin?.on('error', () => {
        // git may exit before reading all of stdin (e.g. a failed cat-file); the exit code says why.
      });
      if (opts.input !== undefined) child.stdin?.end(opts.input);
      else child.stdin?.end();
    });
  }
}
