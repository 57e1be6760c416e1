/**
 * The orchestrator: it runs the pure core stages in order (discover → resolve → plan → edit) on what the
 * injected ports supply, and returns data; `publishLoop` re-plans when the remote moved. It imports no
 * adapter: the composition root (src/run/compose.ts) builds them and passes them in as the interfaces of
 * src/core/ports.ts.
 */
import picomatch from 'picomatch';
import type { Config } from './core/config/schema.js';
import { discover } from './core/discover/discover.js';
import { makePathFilter } from './core/discover/globs.js';
import {
  dirName,
  isKustomizationFile,
  objectKey,
  ROOT_PATCH_FILE,
  rootPatchFile,
} from './core/discover/roots.js';
import { under } from './core/discover/repo-paths.js';
import { LAYER_DIR, layerPaths } from './core/plan/own-layer.js';
import { ConfigError, GitError } from './core/errors.js';
import { oversizeProblem } from './core/limits.js';
import type { PlannedWorkload, Problem, RepoFile, RunReport, SecretStatus, Workload } from './core/model.js';
import { buildChanges, type RootBuilds } from './core/plan/changes.js';
import { ownedFileRoot, skipRoots, unusableOwnedFiles } from './core/plan/owned-files.js';
import { planWorkloads, statusKey, summarize } from './core/plan/plan.js';
import { deferRestarts } from './core/plan/rollout-policy.js';
import {
  silentProgress,
  type EntryKind,
  type Logger,
  type ManifestSource,
  type Progress,
  type SecretReader,
  type Workspace,
} from './core/ports.js';

export interface Discovered {
  files: RepoFile[];
  workloads: Workload[];
  problems: Problem[];
  /** Discovery's data of the files holding those workloads (see DiscoverResult.fileData). */
  fileData: Map<string, readonly unknown[]>;
  /** Whether a render root still builds an object (the root-patch editor drops entries for gone ones). */
  rootBuilds: RootBuilds;
  /**
   * The files vault-rollout generates that exist in the snapshot (owned-files.ts), each with its text, or
   * why it could not be read whole.
   */
  owned: { file: string; text: string | undefined; unreadable?: string }[];
  /** Kustomization folders no Flux Kustomization or Argo CD Application deploys (not read). */
  undeployed: string[];
  /** The roots whose own layer exists (its Component file was read), with their kustomization. */
  layers: { dir: string; kustomization: string }[];
  /** Per render root (its folder), the folders of the files it builds: what problems it can own. */
  rootFolders: Map<string, Set<string>>;
  /** The environment of each render root, by its folder. */
  rootEnvironments: Map<string, string | null>;
}

/**
 * The problems of one environment's run: those of files in the folders its roots build from (the roots'
 * own folders, their bases and components) and of files its `paths` globs select. Another environment's
 * broken overlay is not this run's to report.
 */
export function problemsOfEnvironment(
  problems: readonly Problem[],
  found: Pick<Discovered, 'rootFolders' | 'rootEnvironments'>,
  config: Config,
  environment: string | undefined,
): Problem[] {
  const env = config.environments.find((e) => e.name === environment);
  if (env === undefined) return [...problems];
  const globs = env.paths.length > 0 ? picomatch([...env.paths], { dot: true }) : () => false;
  const match = (file: string) => globs(file) || (env.entry !== undefined && under(file, env.entry));
  const folders = new Set<string>();
  for (const [root, built] of found.rootFolders) {
    // The environment each root was assigned (by its folder, entry or the deployment graph).
    if (found.rootEnvironments.get(root) !== environment) continue;
    folders.add(root);
    for (const f of built) folders.add(f);
  }
  const within = (file: string) => {
    for (let dir = dirName(file); ; dir = dirName(dir)) {
      if (folders.has(dir)) return true;
      if (dir === '') return false;
    }
  };
  return problems.filter((p) => match(p.file) || within(p.file));
}

/**
 * The workloads of the run: with `environment`, only those whose render root belongs to it (an unknown
 * name is a config error that lists the known ones).
 */
export function selectEnvironment(
  workloads: Workload[],
  config: Config,
  environment: string | undefined,
): Workload[] {
  if (environment === undefined) return workloads;
  if (!config.environments.some((e) => e.name === environment)) {
    const known = config.environments.map((e) => `"${e.name}"`).join(', ');
    throw new ConfigError(
      known
        ? `--environment "${environment}" is not in the config's environments (${known})`
        : `--environment "${environment}" given, but the config lists no environments`,
      { key: 'environments' },
    );
  }
  return workloads.filter((w) => w.environment === environment);
}

/** Loads the selected manifest files and discovers the workloads that depend on Vault secrets. */
export async function discoverRepo(
  source: ManifestSource,
  config: Config,
  logger: Logger,
  progress: Progress = silentProgress,
): Promise<Discovered> {
  const selected = makePathFilter(config.include, config.exclude);
  // Kustomization files are read whatever include says (`Kustomization` has no .yaml extension): they
  // say what each render root builds.
  // The files vault-rollout generates are read whatever include and exclude say (it writes them), and so
  // is anything under such a name, which would make it a folder.
  const accept = (path: string) =>
    selected(path) ||
    (isKustomizationFile(path) && notExcluded(path)) ||
    path.split('/').includes(ROOT_PATCH_FILE);
  const notExcluded = makePathFilter(['**'], config.exclude);
  progress.start('files');
  const limit = { maxFileBytes: config.maxFileBytes };
  const loaded = withinLimit(
    await source.load(accept, limit).finally(() => progress.end()),
    config.maxFileBytes,
  );
  let found = discover(loaded.files, config);
  // A root may build files include does not select (a base outside `clusters/**`, a JSON patch): kustomize
  // reads them, so discovery does too. `exclude` still wins.
  // A file already reported (over maxFileBytes, unreadable) is not asked for twice.
  const reported = new Set(loaded.problems.map((p) => p.file));
  const wanted = new Set(found.missing.filter((path) => notExcluded(path) && !reported.has(path)));
  if (wanted.size > 0) {
    // Named by a kustomization, so read whatever its name (a JSON 6902 patch file), as kustomize does.
    const more = withinLimit(
      await source.load((path) => wanted.has(path), { ...limit, anyName: true }),
      config.maxFileBytes,
    );
    if (more.files.length > 0) {
      loaded.files.push(...more.files);
      loaded.problems.push(...more.problems);
      found = discover(loaded.files, config);
    }
  }
  logger.debug('discovered', {
    files: loaded.files.length,
    workloads: found.workloads.length,
    roots: found.roots.length,
    problems: loaded.problems.length + found.problems.length,
  });
  const withKustomization = found.roots.filter((r) => r.kustomization !== null);
  const ownedPaths = withKustomization.flatMap((r) => {
    const layer = layerPaths(r.dir);
    return [layer.kustomization, layer.patches, rootPatchFile(r.dir)];
  });
  const readPaths = new Set(loaded.files.map((f) => f.path));
  const owned = ownedFileStates(ownedPaths, loaded, await source.entryKinds?.(ownedPaths));
  return {
    files: loaded.files,
    owned,
    workloads: found.workloads,
    problems: [...loaded.problems, ...found.problems],
    fileData: found.fileData,
    rootBuilds: (patchFile, object) => found.rootObjects.get(patchFile)?.has(objectKey(object)) ?? false,
    undeployed: found.undeployed,
    layers: withKustomization
      .filter((r) => readPaths.has(layerPaths(r.dir).kustomization) || readPaths.has(rootPatchFile(r.dir)))
      .map((r) => ({ dir: r.dir, kustomization: r.kustomization! })),
    rootFolders: new Map(found.roots.map((r) => [r.dir, new Set(r.documents.map((d) => dirName(d.file)))])),
    rootEnvironments: found.rootEnvironments,
  };
}

/**
 * What is at each path vault-rollout generates: its text, or why it cannot be used as a file it wrote
 * (a problem the reader reported for it, a folder of that name, or a symlink or special file the source
 * saw without reading it). Paths with nothing at them are left out.
 */
function ownedFileStates(
  paths: readonly string[],
  loaded: { files: RepoFile[]; problems: Problem[] },
  kinds: ReadonlyMap<string, EntryKind> | undefined,
): Discovered['owned'] {
  const texts = new Map(loaded.files.map((f) => [f.path, f.text]));
  // Paths under a folder named like a generated file: the only ones that can make it a folder.
  const nested = [...loaded.files.map((f) => f.path), ...loaded.problems.map((p) => p.file)].filter(
    (p) => p.includes(`${ROOT_PATCH_FILE}/`) || p.includes(`${LAYER_DIR}/`),
  );
  const out: Discovered['owned'] = [];
  for (const file of paths) {
    const text = texts.get(file);
    const kind = kinds?.get(file);
    const reported = loaded.problems.find((p) => p.file === file);
    let unreadable: string | undefined;
    if (kind === 'symlink') unreadable = 'it is a symbolic link, not a file';
    else if (kind === 'directory' || nested.some((p) => p.startsWith(`${file}/`)))
      unreadable = 'it is a folder, not a file';
    else if (kind === 'other') unreadable = 'it is not a regular file';
    else if (reported) unreadable = `it cannot be read whole (${reported.message})`;
    if (unreadable !== undefined) out.push({ file, text: undefined, unreadable });
    else if (text !== undefined) out.push({ file, text });
  }
  return out;
}

/**
 * Drops files over `maxFileBytes` that a source read anyway (one that cannot tell a size before reading),
 * each reported like the sources that check first do.
 */
function withinLimit(
  loaded: { files: RepoFile[]; problems: Problem[] },
  maxFileBytes: number,
): { files: RepoFile[]; problems: Problem[] } {
  const files: RepoFile[] = [];
  const problems = [...loaded.problems];
  for (const f of loaded.files) {
    // UTF-8 is at most 3 bytes per UTF-16 unit: only a file that long can be over the limit.
    const size = f.text.length * 3 > maxFileBytes ? Buffer.byteLength(f.text, 'utf8') : 0;
    if (size > maxFileBytes) problems.push(oversizeProblem(f.path, size, maxFileBytes));
    else files.push(f);
  }
  return { files, problems };
}

/** Every distinct secret path the workloads reference, sorted. */
export function uniqueSecretPaths(workloads: readonly Workload[]): string[] {
  // An ignored workload's secrets are never read (the user left it alone on purpose).
  return [
    ...new Set(workloads.flatMap((w) => (w.ignored !== undefined ? [] : w.secrets.map((s) => s.path)))),
  ].sort();
}

/**
 * Plans a repository: reads each unique secret's metadata once, decides an action per workload, and
 * computes the exact file edits. Writes nothing.
 */
export async function planRepo(opts: {
  source: ManifestSource;
  /** Vault: each environment's workloads are read with that environment's name (see SecretReader). */
  reader: SecretReader;
  /** `--environment`: only this environment's roots are planned and edited. */
  environment?: string | undefined;
  config: Config;
  branch: string | null;
  logger: Logger;
  /** false for `status`: versions only, no edits computed (an edit that cannot be made shows in `plan`). */
  edits?: boolean;
  /** Told when reading files and Vault starts and ends; the adapters count what they finish. */
  progress?: Progress;
  /** The time `rollout.windows` are checked against (default: now). */
  clock?: () => Date;
}): Promise<RunReport> {
  const progress = opts.progress ?? silentProgress;
  const found = await discoverRepo(opts.source, opts.config, opts.logger, progress);
  const { files, problems, fileData } = found;
  const workloads = selectEnvironment(found.workloads, opts.config, opts.environment);
  // Each environment's workloads are read against its own Vault: one status map per environment.
  const byEnvironment = new Map<string | null, Workload[]>();
  for (const w of workloads) {
    const env = w.environment ?? null;
    const group = byEnvironment.get(env);
    if (group) group.push(w);
    else byEnvironment.set(env, [w]);
  }
  const plannedBy = new Map<Workload, PlannedWorkload>();
  for (const [env, group] of byEnvironment) {
    const paths = uniqueSecretPaths(group);
    opts.logger.info(
      `Reading metadata of ${paths.length} Vault secret(s) for ${group.length} workload(s)${env === null ? '' : ` of environment "${env}"`}`,
    );
    // Secrets the manifests place in a Vault Enterprise namespace are read there (statusKey).
    const byNamespace = new Map<string | null, Set<string>>();
    for (const w of group) {
      if (w.ignored !== undefined) continue;
      for (const s of w.secrets) {
        const ns = s.vaultNamespace ?? null;
        let set = byNamespace.get(ns);
        if (!set) byNamespace.set(ns, (set = new Set()));
        set.add(s.path);
      }
    }
    const statuses = new Map<string, SecretStatus>();
    progress.start(
      'vault',
      [...byNamespace.values()].reduce((n, set) => n + set.size, 0),
    );
    try {
      for (const [ns, set] of byNamespace) {
        const read = await opts.reader.read([...set].sort(), env, ns);
        for (const [path, status] of read)
          statuses.set(statusKey({ path, vaultNamespace: ns ?? undefined }), status);
      }
    } finally {
      progress.end();
    }
    const planned = planWorkloads(group, statuses, { pinVersions: opts.config.pinVersions });
    group.forEach((w, i) => plannedBy.set(w, planned[i]!));
  }
  const planned = workloads.map((w) => plannedBy.get(w)!);
  // A generated file that is not what vault-rollout wrote skips its root and is never rewritten.
  // With --environment, only the files of that environment's roots (those of its workloads) count.
  const roots = new Set(workloads.map((w) => w.root));
  const owned =
    opts.environment === undefined
      ? found.owned
      : found.owned.filter((o) => roots.has(ownedFileRoot(o.file)));
  const unusable = unusableOwnedFiles(owned, opts.config.annotationPrefix);
  const skipped = skipRoots(planned, unusable);
  const skippedRoots = new Set(unusable.map((u) => ownedFileRoot(u.file)));
  // A layer belongs to its root's environment even when the root has no workload left (an app removed
  // from it): that run is the one that drops the layer's stale entries. (A root's workloads take its
  // environment, so the roots of the selected workloads are among these.)
  const layers = found.layers.filter(
    (l) =>
      !skippedRoots.has(l.dir) &&
      (opts.environment === undefined || found.rootEnvironments.get(l.dir) === opts.environment),
  );
  // After skipping, so a restart that cannot be written takes no place under the cap.
  deferRestarts(planned, opts.config.rollout, (opts.clock ?? (() => new Date()))());
  // The reader's line about an unreadable generated file is folded into that one line.
  const folded = new Set(owned.flatMap((o) => (o.unreadable !== undefined ? [o.file] : [])));
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const edited =
    opts.edits === false
      ? { changes: [], problems: [] }
      : buildChanges(planned, texts, opts.config.annotationPrefix, fileData, found.rootBuilds, layers);
  return {
    branch: opts.branch,
    workloads: planned,
    summary: summarize(planned),
    problems: [
      ...problemsOfEnvironment(problems, found, opts.config, opts.environment).filter(
        (p) => !folded.has(p.file),
      ),
      ...skipped,
      ...edited.problems,
    ],
    changes: edited.changes,
    commit: null,
    pullRequest: null,
  };
}

/** How often, and how patiently, a publish that found its branch moved is re-planned. */
export interface RetryPolicy {
  /** Planning passes in total (default 5). */
  attempts?: number;
  /** First wait; doubles each time, with ±50 % jitter (default 250 ms). */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Random source in [0, 1) for the jitter. */
  random?: () => number;
}

/** What a publish stage returns to the loop: done with a result, or "the branch moved, plan again". */
export type PublishStep<T> = { moved: false; result: T } | { moved: true; message: string };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The one re-planning loop of every publish mode: plan on the workspace's head, publish, and when the
 * publish stage says the branch moved, fetch the new head and plan again, with exponential backoff, at
 * most `attempts` times. Publishing never calls planning: it only reports `moved`.
 *
 * @example
 * const { plan: report, result } = await publishLoop({
 *   ws, plan: (w) => planRepo({ source: w.source, reader, config, branch: w.branch, logger }),
 *   publish: async (report, w) => { const o = await publishCommit(w, ...); return o.outcome === 'moved' ? { moved: true, message: o.message } : { moved: false, result: o }; },
 *   logger,
 * });
 * @throws GitError when the branch keeps moving for every attempt.
 */
export async function publishLoop<P, T>(opts: {
  ws: Workspace;
  plan: (ws: Workspace) => Promise<P>;
  publish: (plan: P, ws: Workspace, attempt: number) => Promise<PublishStep<T>>;
  retry?: RetryPolicy;
  logger: Logger;
}): Promise<{ plan: P; result: T; attempts: number }> {
  const attempts = Math.max(1, opts.retry?.attempts ?? 5);
  const backoff = opts.retry?.backoffMs ?? 250;
  const sleep = opts.retry?.sleep ?? defaultSleep;
  const random = opts.retry?.random ?? Math.random;
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const plan = await opts.plan(opts.ws);
    const step = await opts.publish(plan, opts.ws, attempt);
    if (!step.moved) return { plan, result: step.result, attempts: attempt };
    last = step.message;
    if (attempt === attempts) break;
    opts.logger.info(`"${opts.ws.branch}" moved during the run (${step.message}); planning again`);
    await sleep(Math.round(backoff * 2 ** (attempt - 1) * (0.5 + random())));
    await opts.ws.refresh();
  }
  throw new GitError(
    `the remote kept moving: ${attempts} attempts on "${opts.ws.branch}" of "${opts.ws.url}" were overtaken by other ` +
      `writers (last: ${last}); run again later`,
    { branch: opts.ws.branch, reason: 'not-fast-forward', attempts },
  );
}
