/**
 * Reads the config file from disk: the repository's own `vault-rollout.yaml` by the repository's file
 * rules (src/core/repo-files.ts: a symlink only to a regular file inside the repository), or the file
 * `--config` names (the person's own choice, so a link there is followed), which must still be a regular
 * file. Both are size-checked before a byte is read. A refusal is one line naming the file and never
 * quotes what the file (or a link's target) holds.
 */
import { realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { MAX_CONFIG_BYTES } from '../../core/limits.js';
import { resolveLink, type LinkResolution } from '../../core/repo-files.js';
import { diskView, readRegularFile } from './working-tree.js';

/** The config file's name at the repository root. */
export const CONFIG_NAME = 'vault-rollout.yaml';

const LINK_REFUSED: Record<Exclude<LinkResolution['state'], 'ok'>, string> = {
  outside: 'is a symlink that points outside the repository: refusing to read it',
  loop: 'is a symlink loop',
  missing: 'is a symlink to a file that does not exist',
  unreadable: 'is a symlink that cannot be read',
  special: 'is a symlink to a special file, not a regular file: refusing to read it',
};

function refuse(shown: string, why: string): never {
  throw new ConfigError(`config file "${shown}" ${why}`, { file: shown });
}

/** Lossy on purpose: parseConfig names a binary file (U+FFFD, control characters) by line, quoting nothing. */
function decode(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8');
}

/** Reads `full` as a config: a regular file within {@link MAX_CONFIG_BYTES}. */
function readChecked(full: string, shown: string): string {
  const read = readRegularFile(full, shown, MAX_CONFIG_BYTES);
  if (read.ok) return decode(read.bytes);
  const message = read.problem.message;
  if (message.includes('maxFileBytes')) {
    const size = /is (\d+) bytes/.exec(message)?.[1] ?? 'more';
    refuse(shown, `is ${size} bytes, over the ${MAX_CONFIG_BYTES}-byte limit of a config file`);
  }
  return refuse(shown, message.replace(/: skipped$/, ''));
}

/**
 * `vault-rollout.yaml` at the root of a checkout, or null when there is none.
 * @throws ConfigError when it is there but not a regular file inside the repository, or too large.
 */
export function readRepoConfig(repoDir: string): string | null {
  let root: string;
  try {
    root = realpathSync(repoDir);
  } catch {
    return null;
  }
  const view = diskView(root);
  const entry = view.entry(CONFIG_NAME);
  if (entry === null) return null;
  if (entry.kind === 'link') {
    const to = resolveLink(view, CONFIG_NAME);
    if (to.state !== 'ok') refuse(CONFIG_NAME, LINK_REFUSED[to.state]);
    if (to.kind !== 'file') refuse(CONFIG_NAME, 'is a symlink to a folder, not a file');
    return readChecked(join(root, to.path), CONFIG_NAME);
  }
  if (entry.kind !== 'file') refuse(CONFIG_NAME, 'is not a regular file');
  return readChecked(join(root, CONFIG_NAME), CONFIG_NAME);
}

/**
 * The file `--config` names (`shown` as given), or null when it does not exist.
 * @throws ConfigError for a folder, a FIFO, a socket, a device, or a file over the size limit.
 */
export function readConfigFlag(full: string, shown: string): string | null {
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    return null;
  }
  const info = statSync(real);
  if (info.isDirectory()) refuse(shown, 'is a folder: pass the YAML file itself');
  if (!info.isFile()) refuse(shown, 'is not a regular file (a FIFO, socket or device): pass a YAML file');
  return readChecked(real, shown);
}
