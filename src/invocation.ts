/**
 * How the reader runs this CLI again from their own shell, for the commands that `demo` and `dev-server`
 * print at the end. `vault-rollout` alone is only right when it is on the reader's PATH: after `npm ci` in
 * a project it sits in `node_modules/.bin` (npx finds it there), and in a checkout of this repository there
 * is only `dist/cli.js`.
 */
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface InvocationFacts {
  /** The running script, symlinks resolved (e.g. `/repo/dist/cli.js`). */
  script: string;
  /** The path Node was started with, symlinks kept (e.g. `/app/node_modules/.bin/vault-rollout`). */
  invokedAs: string;
  /** The reader's working folder. */
  cwd: string;
  /** True when `vault-rollout` on the reader's own PATH (not the `node_modules/.bin` npm adds) is this script. */
  onPath: boolean;
}

/** A path as a shell word. */
const shellWord = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

/**
 * The command prefix to print: `vault-rollout` when the shell finds it, `npx vault-rollout` for a package
 * installed under `node_modules`, else `node <path to cli.js>` (relative to the working folder when inside it).
 * @example
 * cliInvocation(detectInvocation(process.argv[1], process.env, process.cwd()))
 * // 'npx vault-rollout' after `npm install vault-rollout` in a project
 */
export function cliInvocation(facts: InvocationFacts): string {
  if (facts.onPath) return 'vault-rollout';
  // A copied package (npm install of a tarball or the registry) or a linked one (`file:`), run through its bin.
  const underNodeModules = (p: string) => p.split(/[\\/]/).includes('node_modules');
  if (underNodeModules(facts.script) || underNodeModules(facts.invokedAs)) return 'npx vault-rollout';
  const rel = relative(facts.cwd, facts.script);
  const inside = rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
  return `node ${shellWord(inside ? rel : facts.script)}`;
}

const realpath = (p: string): string | null => {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
};

/**
 * The facts for this process: `argv1` is the script Node was started with (`process.argv[1]`). npm and npx
 * put `node_modules/.bin` folders on PATH for the commands they run, which the reader's shell does not
 * have, so those folders do not count as the reader's PATH.
 */
export function detectInvocation(
  argv1: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): InvocationFacts {
  const invokedAs = resolve(cwd, argv1 || 'dist/cli.js');
  const script = realpath(invokedAs) ?? invokedAs;
  const dirs = (env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && !/[\\/]node_modules[\\/]\.bin[\\/]?$/.test(dir));
  const onPath = dirs.some((dir) => {
    const candidate = join(dir, 'vault-rollout');
    return existsSync(candidate) && realpath(candidate) === script;
  });
  return { script, invokedAs, cwd, onPath };
}
