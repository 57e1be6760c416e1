/**
 * File adapter: reads manifests from a checked-out working tree, and writes edits back atomically.
 *
 * Symlinks are followed only when their target is inside the repository (read under the link's own
 * path, as Git and Argo CD see it); anything else is a problem, never an error. Text is decoded as strict
 * UTF-8 with BOM and CRLF kept, so the YAML editor can preserve every byte.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { chmod, lstat, readFile, realpath, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { isKustomizationFile } from '../../core/discover/kustomization-names.js';
import { VaultRolloutError } from '../../core/errors.js';
import { oversizeProblem, type LoadLimits } from '../../core/limits.js';
import type { FileChange, Problem, RepoFile } from '../../core/model.js';
import { silentProgress, type EntryKind, type ManifestSource, type Progress } from '../../core/ports.js';

const YAML_FILE = /\.ya?ml$/i;
/** Folders never walked: Git's data and installed packages (also excluded by the path filter). */
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

/** Decodes strict UTF-8, keeping a BOM as U+FEFF so it survives a round trip. */
export function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err
    ? String((err as { code: unknown }).code)
    : undefined;
}

interface Found {
  path: string;
  real: string;
  viaLink: boolean;
}

/**
 * A repository checkout on disk.
 * @example const { files, problems } = await new WorkingTreeSource(dir).load(makePathFilter(include, exclude));
 */
export class WorkingTreeSource implements ManifestSource {
  constructor(
    readonly root: string,
    /** `maxFileBytes`: a larger file is reported and never read. */
    private readonly limits: LoadLimits = {},
    /** Counts each file read (the caller starts and ends the phase). */
    private readonly progress: Progress = silentProgress,
  ) {}

  /** What is at each repo-relative path, the last segment not followed (see ManifestSource.entryKinds). */
  async entryKinds(paths: readonly string[]): Promise<Map<string, EntryKind>> {
    const out = new Map<string, EntryKind>();
    for (const path of paths) {
      try {
        const info = await lstat(join(this.root, ...path.split('/')));
        out.set(
          path,
          info.isSymbolicLink()
            ? 'symlink'
            : info.isDirectory()
              ? 'directory'
              : info.isFile()
                ? 'file'
                : 'other',
        );
      } catch {
        out.set(path, 'missing');
      }
    }
    return out;
  }

  // Synchronous on purpose: for many small files readFileSync is ~10x faster than sequential
  // fs/promises reads (10,000 manifests: 92 ms against 850 ms here), and nothing else runs meanwhile.
  async load(accept: (path: string) => boolean): Promise<{ files: RepoFile[]; problems: Problem[] }> {
    const limits = this.limits;
    let root: string;
    try {
      root = realpathSync(this.root);
    } catch (err) {
      throw new VaultRolloutError(
        'RepoNotFoundError',
        `repository folder "${this.root}" cannot be read (${errorCode(err) ?? 'error'}): check --repo`,
        { root: this.root },
      );
    }
    const problems: Problem[] = [];
    const found: Found[] = [];
    // Kustomization files under all their names (`Kustomization` has no extension), as the Git readers
    // see them: a root must be the same root whichever reader lists the repository.
    const wanted = (path: string) => (YAML_FILE.test(path) || isKustomizationFile(path)) && accept(path);

    const walk = (dirReal: string, prefix: string, ancestors: ReadonlySet<string>, linked: boolean): void => {
      let entries;
      try {
        entries = readdirSync(dirReal, { withFileTypes: true });
      } catch (err) {
        problems.push({
          file: prefix || '.',
          severity: 'warning',
          message: `folder cannot be read (${errorCode(err)}): skipped`,
        });
        return;
      }
      entries.sort((a, b) => compare(a.name, b.name));
      for (const entry of entries) {
        if (SKIPPED_DIRS.has(entry.name)) continue;
        const path = prefix ? `${prefix}/${entry.name}` : entry.name;
        const full = join(dirReal, entry.name);
        if (entry.isDirectory()) {
          walk(full, path, new Set([...ancestors, full]), linked);
        } else if (entry.isFile()) {
          if (wanted(path)) found.push({ path, real: full, viaLink: linked });
        } else if (entry.isSymbolicLink()) {
          followLink(full, path, ancestors);
        }
      }
    };

    const followLink = (full: string, path: string, ancestors: ReadonlySet<string>): void => {
      let target: string;
      try {
        target = realpathSync(full);
      } catch (err) {
        const code = errorCode(err);
        if (code === 'ELOOP')
          problems.push({ file: path, severity: 'warning', message: 'symlink loop: skipped' });
        else if (wanted(path)) {
          problems.push({
            file: path,
            severity: 'warning',
            message: `symlink target cannot be read (${code}): skipped`,
          });
        }
        return;
      }
      const info = statSync(target);
      if (!isInside(root, target)) {
        if (info.isDirectory() || wanted(path)) {
          problems.push({
            file: path,
            severity: 'warning',
            message: 'symlink points outside the repository: skipped',
          });
        }
        return;
      }
      if (info.isDirectory()) {
        if (target === root || ancestors.has(target)) {
          problems.push({ file: path, severity: 'warning', message: 'symlink loop: skipped' });
          return;
        }
        walk(target, path, new Set([...ancestors, target]), true);
      } else if (info.isFile() && wanted(path)) {
        found.push({ path, real: target, viaLink: true });
      }
    };

    walk(root, '', new Set([root]), false);

    // The same file reached twice (a real path and a symlink, or two symlinks) is read once, so one run
    // never edits it twice: the real path wins, else the first path in order.
    const byReal = new Map<string, Found>();
    for (const f of found) {
      const kept = byReal.get(f.real);
      if (!kept || (kept.viaLink && !f.viaLink)) byReal.set(f.real, f);
    }
    const unique = [...byReal.values()].sort((a, b) => compare(a.path, b.path));

    const files: RepoFile[] = [];
    for (const f of unique) {
      let bytes: Uint8Array;
      try {
        // The size is checked before reading: a huge file must not be loaded into memory at all.
        const size = statSync(f.real).size;
        if (limits.maxFileBytes !== undefined && size > limits.maxFileBytes) {
          problems.push(oversizeProblem(f.path, size, limits.maxFileBytes));
          continue;
        }
        bytes = readFileSync(f.real);
        this.progress.advance();
      } catch (err) {
        problems.push({
          file: f.path,
          severity: 'warning',
          message: `cannot be read (${errorCode(err) ?? 'error'}): skipped`,
        });
        continue;
      }
      try {
        files.push({ path: f.path, text: decodeUtf8(bytes) });
      } catch {
        problems.push({ file: f.path, severity: 'warning', message: 'not valid UTF-8: skipped' });
      }
    }
    problems.sort((a, b) => compare(a.file, b.file));
    return { files, problems };
  }
}

/** A file changed on disk between planning and writing. */
export class StaleFileError extends VaultRolloutError {
  constructor(files: string[]) {
    super(
      'StaleFileError',
      `${files.length === 1 ? 'file' : 'files'} changed on disk since the plan was made: ${files
        .map((f) => `"${f}"`)
        .join(', ')}; nothing was written. Run the command again.`,
      { files },
    );
  }
}

/**
 * Writes each change atomically (temp file in the same folder, then rename), keeping the file's mode.
 * Checks first that every file still holds its `before` text; otherwise throws StaleFileError and writes
 * nothing. A symlinked file is written through to its target, so the link stays a link.
 */
export async function writeChanges(root: string, changes: readonly FileChange[]): Promise<void> {
  const rootReal = await realpath(root);
  const targets: { change: FileChange; real: string; mode: number }[] = [];
  const stale: string[] = [];
  for (const change of changes) {
    if (change.after === change.before) continue;
    const lexical = join(rootReal, change.path);
    if (!isInside(rootReal, lexical) || change.path.includes('\\')) {
      throw new VaultRolloutError(
        'InvalidPathError',
        `refusing to write "${change.path}": not a path inside the repository`,
        {
          path: change.path,
        },
      );
    }
    let real: string;
    try {
      real = await realpath(lexical);
    } catch {
      stale.push(change.path);
      continue;
    }
    if (!isInside(rootReal, real)) {
      throw new VaultRolloutError(
        'InvalidPathError',
        `refusing to write "${change.path}": it links outside the repository`,
        {
          path: change.path,
        },
      );
    }
    let current: string | null;
    try {
      current = decodeUtf8(await readFile(real));
    } catch {
      current = null;
    }
    if (current !== change.before) {
      stale.push(change.path);
      continue;
    }
    targets.push({ change, real, mode: (await lstat(real)).mode & 0o7777 });
  }
  if (stale.length > 0) throw new StaleFileError(stale);

  // Write every temp file first, then rename them all: a failure while writing leaves the tree untouched.
  const temps: string[] = [];
  try {
    for (const t of targets) {
      const temp = join(dirname(t.real), `.${randomBytes(6).toString('hex')}.vault-rollout.tmp`);
      temps.push(temp);
      await writeFile(temp, t.change.after, { encoding: 'utf8', mode: t.mode, flag: 'wx' });
      await chmod(temp, t.mode); // writeFile's mode is filtered by the umask
    }
    for (const [i, t] of targets.entries()) await rename(temps[i]!, t.real);
  } catch (err) {
    await Promise.all(temps.map((temp) => unlink(temp).catch(() => undefined)));
    throw err;
  }
}
