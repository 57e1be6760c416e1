/**
 * The orchestrator: the only module that sees every adapter. It runs the pure core stages in order
 * (discover → resolve → plan → edit) on what the injected adapters supply, and returns data.
 */
import type { Config } from './core/config/schema.js';
import { discover } from './core/discover/discover.js';
import { makePathFilter } from './core/discover/globs.js';
import type { Problem, RepoFile, RunReport, Workload } from './core/model.js';
import { buildChanges } from './core/plan/changes.js';
import { planWorkloads, summarize } from './core/plan/plan.js';
import type { Logger, ManifestSource, SecretReader } from './core/ports.js';

export interface Discovered {
  files: RepoFile[];
  workloads: Workload[];
  problems: Problem[];
  /** Discovery's data of the files holding those workloads (see DiscoverResult.fileData). */
  fileData: Map<string, readonly unknown[]>;
}

/** Loads the selected manifest files and discovers the workloads that depend on Vault secrets. */
export async function discoverRepo(
  source: ManifestSource,
  config: Config,
  logger: Logger,
): Promise<Discovered> {
  const accept = makePathFilter(config.include, config.exclude);
  const loaded = await source.load(accept);
  const found = discover(loaded.files, config);
  logger.debug('discovered', {
    files: loaded.files.length,
    workloads: found.workloads.length,
    problems: loaded.problems.length + found.problems.length,
  });
  return {
    files: loaded.files,
    workloads: found.workloads,
    problems: [...loaded.problems, ...found.problems],
    fileData: found.fileData,
  };
}

/** Every distinct secret path the workloads reference, sorted. */
export function uniqueSecretPaths(workloads: readonly Workload[]): string[] {
  return [...new Set(workloads.flatMap((w) => w.secrets.map((s) => s.path)))].sort();
}

/**
 * Plans a repository: reads each unique secret's metadata once, decides an action per workload, and
 * computes the exact file edits. Writes nothing.
 */
export async function planRepo(opts: {
  source: ManifestSource;
  reader: SecretReader;
  config: Config;
  branch: string | null;
  logger: Logger;
  /** false for `status`: versions only, no edits computed (an edit that cannot be made shows in `plan`). */
  edits?: boolean;
}): Promise<RunReport> {
  const { files, workloads, problems, fileData } = await discoverRepo(opts.source, opts.config, opts.logger);
  const paths = uniqueSecretPaths(workloads);
  opts.logger.info(`Reading metadata of ${paths.length} Vault secret(s) for ${workloads.length} workload(s)`);
  const statuses = await opts.reader.read(paths);
  const planned = planWorkloads(workloads, statuses, { pinVersions: opts.config.pinVersions });
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const edited =
    opts.edits === false
      ? { changes: [], problems: [] }
      : buildChanges(planned, texts, opts.config.annotationPrefix, fileData);
  return {
    branch: opts.branch,
    workloads: planned,
    summary: summarize(planned),
    problems: [...problems, ...edited.problems],
    changes: edited.changes,
    commit: null,
    pullRequest: null,
  };
}
