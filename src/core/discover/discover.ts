/**
 * Discovery: repository files → the workloads that depend on Vault secrets, with the problems found on
 * the way. Pure: text in, data out.
 */
import type { Config } from '../config/schema.js';
import type {
  ChartKind,
  PinTarget,
  Problem,
  RepoFile,
  RootPatchTarget,
  SecretRef,
  Workload,
  WorkloadKind,
} from '../model.js';
import { secretPathProblem } from '../secret-path.js';
import { formatPath } from '../yaml/edit-scalar.js';
import {
  DEFAULT_POD_ANNOTATIONS,
  isValuesFileName,
  readChartTarget,
  valuesTarget,
  type ChartOptions,
  type ChartView,
} from './charts.js';
import { environmentMatcher } from './environments.js';
import { parseManifests, type ManifestDocument } from './parse.js';
import {
  buildRoots,
  docKey,
  objectKey,
  isKustomizationFile,
  ROOT_NAMING_KINDS,
  type RenderRoot,
} from './roots.js';
import { layerPaths } from '../plan/own-layer.js';
import { statusKey } from '../plan/plan.js';
import { SOURCES } from './sources/index.js';
import { ruleMatcher } from './sources/rules.js';
import { workloadProblem, type SourceScanner, type WorkloadSource } from './sources/source.js';
import { get, nonEmptyString, readWorkload, targetPath, workloadsInList } from './workloads.js';

export interface DiscoverResult {
  /** Workloads with at least one secret, sorted by file then document. */
  workloads: Workload[];
  problems: Problem[];
  /** YAML documents in the files that were read (empty documents included; skipped files count none). */
  documents: number;
  /**
   * The data of each file that holds a returned workload, when it was read on the fast path: the
   * editor's fast path checks its result against it instead of reading the file again.
   */
  fileData: Map<string, readonly unknown[]>;
  /** Every workload seen, with or without secrets, by kind. */
  seen: Partial<Record<WorkloadKind | ChartKind, number>>;
  /** The render roots (kustomize overlays, folders Flux or Argo CD name); empty for a flat repository. */
  roots: RenderRoot[];
  /** Files a kustomization names that were not among `files` (the caller may read them and discover again). */
  missing: string[];
  /** The objects each root builds ({@link objectKey}), by the patch file of the root's own layer. */
  rootObjects: Map<string, Set<string>>;
  /** The environment of each render root, by its folder (null: in no environment). */
  rootEnvironments: Map<string, string | null>;
  /** Kustomization folders no deployment object reaches (roots.ts): named once, never read. */
  undeployed: string[];
}

/**
 * Finds the workloads that depend on Vault secrets.
 * @param files repo files (already filtered by include/exclude); any order, the result is sorted
 * @param sources the discovery sources to run (tests pass a subset); each is also gated by `config.sources`
 * @example const { workloads, problems } = discover(loaded.files, config);
 */
export function discover(
  files: readonly RepoFile[],
  config: Config,
  sources: readonly WorkloadSource[] = SOURCES,
): DiscoverResult {
  const sorted = [...files].sort((a, b) => compare(a.path, b.path));
  // `<prefix>/secrets` (opt-in) and `<prefix>/secret-versions` (adopted): a values file with either is read.
  const optIn = `${config.annotationPrefix}/secret`;
  const ruleCharts = chartOptions(config, new Set());
  const parsed = parseManifests(
    sorted,
    undefined,
    (f) =>
      isValuesFileName(f.path) ||
      ruleCharts.selectedByRule(f.path) ||
      f.text.includes(optIn) ||
      isKustomizationFile(f.path) ||
      ROOT_NAMING_KINDS.test(f.text),
  );
  const graph = buildRoots({ files: sorted, documents: parsed.documents });
  // Chart values files an Argo CD Application names are values whatever their keys (a chart option may be
  // called `kind`); those the first pass did not read are read now.
  const read = new Set(parsed.documents.map((d) => d.file));
  const extra = sorted.filter((f) => graph.namedValues.has(f.path) && !read.has(f.path));
  const flat = [...graph.flat];
  const problems = [...parsed.problems, ...graph.problems];
  const all = [...parsed.documents];
  let documentCount = parsed.documentCount;
  if (extra.length > 0) {
    const more = parseManifests(extra, /(?!)/, () => true);
    flat.push(...more.documents);
    all.push(...more.documents);
    problems.push(...more.problems);
    documentCount += more.documentCount;
    for (const [file, data] of more.fastData) parsed.fastData.set(file, data);
  }
  const perFile = new Map<string, number>();
  for (const d of all) perFile.set(d.file, (perFile.get(d.file) ?? 0) + 1);
  const charts = chartOptions(config, graph.namedValues);
  const envs = environmentMatcher(config, graph.reached);
  const environment = (root: string | null, file: string) =>
    root !== null ? envs.ofRoot(root) : envs.ofFile(file);
  const originals = new Map(parsed.documents.map((d) => [docKey(d.file, d.index), d]));

  const workloads: Workload[] = [];
  const fileData = new Map<string, readonly unknown[]>();
  const seen: Partial<Record<WorkloadKind | ChartKind, number>> = {};
  const sets: SetOf[] = [
    ...flatSets(flat, (file) => environment(null, file)),
    ...graph.roots.map((root) => ({ root, documents: root.documents })),
  ];
  // Stores are cluster-wide: each set also sees those of the sets in its environment, and those in no
  // environment (shared infrastructure). One list per environment, so sources can cache what they read
  // of it; a set's own stores are in it too, and win by name (external-secrets.ts).
  const stores = [
    { root: null, documents: flat },
    ...graph.roots.map((root) => ({ root, documents: root.documents })),
  ].flatMap((set) =>
    set.documents
      .filter((d) => STORE_KINDS.has(String(get(d.data, ['kind']))))
      .map((d) => ({ env: environment(set.root ? set.root.dir : null, d.file), doc: d })),
  );
  const storesOf = new Map<string | null, { mine: ManifestDocument[]; foreign: ManifestDocument[] }>();
  const storesFor = (env: string | null) => {
    let lists = storesOf.get(env);
    if (!lists) {
      const mine = (s: (typeof stores)[number]) => s.env === null || s.env === env;
      lists = {
        mine: stores.filter(mine).map((s) => s.doc),
        foreign: stores.filter((s) => !mine(s)).map((s) => s.doc),
      };
      storesOf.set(env, lists);
    }
    return lists;
  };
  for (const set of sets) {
    // A root belongs to one environment; a flat manifest to its file's.
    const rootEnv = set.root ? environment(set.root.dir, '') : (set.environment ?? null);
    const { mine: elsewhere, foreign } = storesFor(rootEnv);
    const found = discoverSet(set.documents, {
      config,
      sources,
      charts,
      perFile,
      problems,
      seen,
      elsewhere,
      foreign,
      ...(set.owns ? { owns: set.owns } : {}),
    });
    for (const { workload, document } of found) {
      const w = set.root
        ? placeInRoot(workload, document, set.root, graph.builders, originals, config.annotationPrefix)
        : workload;
      if (set.root) w.root = set.root.dir;
      const env = set.root ? rootEnv : environment(null, w.file);
      if (env !== null) w.environment = env;
      workloads.push(w);
      const data = parsed.fastData.get(document.file);
      if (data) fileData.set(document.file, data);
    }
  }
  workloads.sort(
    (a, b) => compare(a.file, b.file) || a.document - b.document || compare(a.root ?? '', b.root ?? ''),
  );
  // Stable sort: by file, then as found (parse problems before source problems, each in line order).
  problems.sort((a, b) => compare(a.file, b.file));
  const rootObjects = new Map<string, Set<string>>();
  for (const root of graph.roots) {
    const ids = new Set<string>();
    for (const doc of root.documents) {
      const id = sourceIdentity(originals, doc.file, doc.index);
      ids.add(objectKey(doc.copy ? { ...id, ...doc.copy } : id));
    }
    rootObjects.set(layerPaths(root.dir).patches, ids);
  }
  return {
    workloads,
    problems,
    documents: documentCount,
    fileData,
    seen,
    roots: graph.roots,
    missing: graph.missing,
    rootObjects,
    rootEnvironments: new Map(graph.roots.map((r) => [r.dir, envs.ofRoot(r.dir)])),
    undeployed: graph.undeployed,
  };
}

/** Documents deployed together: what one root builds, or the flat manifests of one environment. */
interface SetOf {
  root: RenderRoot | null;
  documents: readonly ManifestDocument[];
  /** Flat sets: their environment, and which of `documents` are theirs to report (the rest is context). */
  environment?: string | null;
  owns?: (document: ManifestDocument) => boolean;
}

/**
 * The flat manifests (built by no root), one set per environment of their files, so that each sees the
 * stores of its own environment's roots and no other's. A set holds its environment's files and those in
 * no environment (shared objects), and reports only its own; the set of no environment holds them all, as
 * one flat set did before environments were configured.
 */
function flatSets(
  flat: readonly ManifestDocument[],
  environmentOf: (file: string) => string | null,
): SetOf[] {
  const envOf = new Map<string, string | null>();
  const env = (d: ManifestDocument) => {
    if (!envOf.has(d.file)) envOf.set(d.file, environmentOf(d.file));
    return envOf.get(d.file) ?? null;
  };
  const names = [...new Set(flat.map(env))];
  if (names.length <= 1) return [{ root: null, documents: flat, environment: names[0] ?? null }];
  return names.map((name) => ({
    root: null,
    documents: name === null ? flat : flat.filter((d) => env(d) === name || env(d) === null),
    environment: name,
    owns: (d: ManifestDocument) => env(d) === name,
  }));
}

interface SetContext {
  config: Config;
  sources: readonly WorkloadSource[];
  charts: ChartOptions;
  perFile: ReadonlyMap<string, number>;
  problems: Problem[];
  seen: Partial<Record<WorkloadKind | ChartKind, number>>;
  elsewhere: readonly ManifestDocument[];
  /** Stores of other environments (named in a message, never used). */
  foreign: readonly ManifestDocument[];
  /** Which documents of the set are its own workloads (default: all); the others are context only. */
  owns?: (document: ManifestDocument) => boolean;
}

const STORE_KINDS = new Set(['SecretStore', 'ClusterSecretStore']);

/** Discovery on one set of documents that is deployed together: the flat set, or what one root builds. */
function discoverSet(
  documents: readonly ManifestDocument[],
  ctx: SetContext,
): { workload: Workload; document: ManifestDocument }[] {
  const { config, problems, seen } = ctx;
  const report = (problem: Problem) => problems.push(problem);
  const context = { config, documents, elsewhere: ctx.elsewhere, foreign: ctx.foreign };
  let collected: SourceScanner[] | null = null;
  // Sources index the set only once a workload asks (most roots of an infrastructure folder have none).
  const scanners = () =>
    (collected ??= ctx.sources.filter((s) => s.enabled(config)).map((s) => s.collect(context)));
  const ignores = config.ignore.map((entry, index) => ({ index, matches: ruleMatcher(entry) }));
  const out: { workload: Workload; document: ManifestDocument }[] = [];
  for (const document of documents) {
    if (ctx.owns && !ctx.owns(document)) continue;
    const listed = workloadsInList(document);
    if (listed > 0) {
      problems.push({
        file: document.file,
        severity: 'warning',
        message: `kind: List holds ${listed} workload(s): items of a List are not scanned; split them into documents`,
        ...(document.position([]) ? { line: document.position([])!.line } : {}),
      });
    }
    const view: ChartView | null =
      readWorkload(document, config.annotationPrefix) ??
      readChartTarget(document, ctx.perFile.get(document.file) ?? 0, ctx.charts);
    if (!view) continue;
    seen[view.workload.kind] = (seen[view.workload.kind] ?? 0) + 1;
    const ignored = ignoreReason(document, view.workload, config, ignores);
    if (ignored !== null) {
      // Left alone on purpose: listed (when it names secrets) as ignored, with no problem and no Vault read.
      const refs = scanners().flatMap((scanner) => scanner.refsFor(view, () => {}));
      if (refs.length > 0)
        out.push({
          workload: {
            ...view.workload,
            secrets: dedupe(refs.filter((r) => r.rejected === undefined)),
            ignored,
          },
          document,
        });
      continue;
    }
    const found = scanners().flatMap((scanner) => scanner.refsFor(view, report));
    // The last gate before Vault: a path the one parser rejects (whichever source read it) blocks this
    // workload alone and is never read.
    const rejected: string[] = [];
    const accepted: SecretRef[] = [];
    for (const ref of found) {
      const why = ref.rejected ?? secretPathProblem(ref.path);
      if (why === null) {
        accepted.push(ref);
        continue;
      }
      const reason = `secret path "${ref.path}" (${ref.via}) is rejected: ${why}; it is not read from Vault`;
      if (rejected.includes(reason)) continue;
      rejected.push(reason);
      problems.push({ ...workloadProblem(view, reason, ref.rejectedAt ?? []), severity: 'error' });
    }
    const secrets = dedupe(accepted);
    if ((secrets.length > 0 || rejected.length > 0) && view.unsupported) {
      // It depends on Vault secrets, but there is nowhere safe to write the restart: say so, edit nothing.
      problems.push({
        ...workloadProblem(
          view,
          `${view.unsupported.message} (its secrets: ${secrets.map((r) => r.path).join(', ')})`,
          view.unsupported.at,
        ),
        severity: 'error',
      });
      continue;
    }
    if ((secrets.length > 0 || rejected.length > 0) && view.workload.recordWarnings) {
      const at = [...targetPath(view.workload.record), `${config.annotationPrefix}/secret-versions`];
      for (const why of view.workload.recordWarnings) problems.push(workloadProblem(view, why, at));
    }
    if (rejected.length > 0) out.push({ workload: { ...view.workload, secrets, rejected }, document });
    else if (secrets.length > 0) out.push({ workload: { ...view.workload, secrets }, document });
  }
  return out;
}

/**
 * Whether a root may edit a source document in place: only a file inside the root's own folder that no
 * other root builds. A shared base, a component, or a base outside the folder that only this root builds
 * today (another cluster may add it tomorrow) gets the root's values through its own layer instead.
 */
function editsInPlace(
  root: RenderRoot,
  file: string,
  index: number,
  builders: ReadonlyMap<string, readonly string[]>,
): boolean {
  if ((builders.get(docKey(file, index))?.length ?? 0) > 1) return false;
  // A folder root (Flux, Argo CD without kustomization) builds only the files in its folder.
  if (root.kustomization === null) return true;
  return root.dir === '' || file.startsWith(`${root.dir}/`);
}

/**
 * Why a workload is left alone, or null: its own `<prefix>/ignore: "true"` annotation (as the root builds it,
 * so an overlay may set it), else the first config `ignore` entry that selects it.
 */
function ignoreReason(
  document: ManifestDocument,
  workload: Workload,
  config: Config,
  ignores: readonly { index: number; matches: (w: Workload) => boolean }[],
): string | null {
  const key = `${config.annotationPrefix}/ignore`;
  const value = get(document.data, ['metadata', 'annotations', key]);
  if (typeof value === 'string' && value.trim().toLowerCase() === 'true') return `annotation ${key}: "true"`;
  const entry = ignores.find((i) => i.matches(workload));
  return entry === undefined ? null : `selected by ignore[${entry.index}] of the config`;
}

/**
 * A workload as one root builds it, placed for editing: named as its source document names it (the editor
 * checks that name), and, unless the root may edit its document in place, given the root's own layer for
 * its record and trigger; so are the pins of objects it may not edit in place.
 */
function placeInRoot(
  workload: Workload,
  document: ManifestDocument,
  root: RenderRoot,
  builders: ReadonlyMap<string, readonly string[]>,
  originals: ReadonlyMap<string, ManifestDocument>,
  prefix: string,
): Workload {
  const identity = (file: string, index: number) => sourceIdentity(originals, file, index);
  const layered = (file: string, index: number) => !editsInPlace(root, file, index, builders);
  const patchFile = layerPaths(root.dir).patches;
  const source = identity(workload.file, workload.document);
  // One copy of a base the root builds twice: its layer names it as the root's patches see it, and an
  // edit of the base in place would reach the other copy too.
  const own = document.copy ? { ...source, ...document.copy } : source;
  const w: Workload = { ...workload, name: own.name || workload.name };
  if (layered(workload.file, workload.document) || document.copy) {
    if (root.kustomization === null) {
      w.skip = `${workload.file} is built by ${builders.get(docKey(workload.file, workload.document))!.length} render roots, and root "${root.dir || '.'}" has no kustomization file to hold a layer of its own: not edited`;
    } else if (workload.kind === 'Application' && workload.trigger.mapPath.includes('sources')) {
      w.skip = `${workload.file} is not edited in place for root "${root.dir || '.'}", and a strategic-merge patch cannot set values in one item of spec.sources: not edited`;
    } else {
      w.rootPatch = { file: patchFile, kustomization: root.kustomization, object: own };
      // A record or trigger written in place by an earlier version moves into the layers.
      const data = originals.get(docKey(workload.file, workload.document))?.data;
      const key = `${prefix}/secret-versions`;
      const at = (t: Workload['record']) => typeof get(data, [...t.mapPath, ...t.within, key]) === 'string';
      const record = at(workload.record);
      const trigger = at(workload.trigger);
      if ((record || trigger) && workload.chartValue === null)
        w.migrate = {
          record,
          trigger,
          builders: [...(builders.get(docKey(workload.file, workload.document)) ?? [])],
        };
    }
  }
  w.secrets = workload.secrets.map((ref) => {
    if (!ref.pins) return ref;
    const pins: PinTarget[] = [];
    const unpinned: string[] = [...(ref.unpinned ?? [])];
    for (const pin of ref.pins) {
      const source = identity(pin.file, pin.document);
      const named = { ...pin, name: source.name || pin.name };
      if (!layered(pin.file, pin.document)) {
        pins.push(named);
        continue;
      }
      // One copy of an object the root builds twice: the layer names it as the root's patches see it,
      // found by the name it renders with (each copy renders with its own, or kustomize refuses the root).
      const twice = root.twice.has(docKey(pin.file, pin.document));
      const copy = twice
        ? root.documents.find(
            (d) =>
              d.file === pin.file &&
              d.index === pin.document &&
              d.copy !== undefined &&
              get(d.data, ['metadata', 'name']) === pin.name,
          )?.copy
        : undefined;
      const object = copy ? { ...source, ...copy } : source;
      // Inside a list, a pin is a JSON 6902 operation of the layer; a placeholder inside a string is not
      // one the layer writes.
      const why =
        root.kustomization === null
          ? 'has no kustomization to patch it in'
          : twice && !copy
            ? 'is built twice by this root, and no copy renders with its name'
            : pin.format === 'placeholder'
              ? 'is a placeholder inside a string, which the layer does not rewrite'
              : null;
      if (why === null)
        pins.push({
          ...named,
          name: object.name || pin.name,
          rootPatch: { file: patchFile, kustomization: root.kustomization!, object },
        });
      else
        unpinned.push(
          `${pin.kind}/${object.name} (${pin.file}) is not edited in place for root "${root.dir || '.'}" and its version field ${formatPath(pin.field)} ${why}: version not pinned for that root`,
        );
    }
    const out: SecretRef = { ...ref };
    if (pins.length > 0) out.pins = pins;
    else delete out.pins;
    if (unpinned.length > 0) out.unpinned = unpinned;
    return out;
  });
  return w;
}

/**
 * An object's identity as its source document writes it: what the editor checks, and what a root's
 * patch names (kustomize matches a patch by the original name and namespace too).
 */
function sourceIdentity(
  originals: ReadonlyMap<string, ManifestDocument>,
  file: string,
  index: number,
): RootPatchTarget['object'] {
  const data = originals.get(docKey(file, index))?.data;
  return {
    apiVersion: String(get(data, ['apiVersion']) ?? ''),
    kind: String(get(data, ['kind']) ?? ''),
    name: String(get(data, ['metadata', 'name']) ?? ''),
    namespace: nonEmptyString(get(data, ['metadata', 'namespace'])),
  };
}

/**
 * One ref per path: the first source wins; the other places that name it are appended to `via`, and every
 * place that can pin its version is kept.
 */
function dedupe(refs: readonly SecretRef[]): SecretRef[] {
  const byPath = new Map<string, SecretRef>();
  for (const ref of refs) {
    const key = statusKey(ref);
    const first = byPath.get(key);
    if (!first) byPath.set(key, { ...ref });
    else {
      if (!first.via.split(', ').includes(ref.via)) first.via = `${first.via}, ${ref.via}`;
      if (ref.pins) first.pins = [...(first.pins ?? []), ...ref.pins];
      if (ref.warnings) first.warnings = [...new Set([...(first.warnings ?? []), ...ref.warnings])];
    }
  }
  return [...byPath.values()];
}

/** Rules that configure Helm-based apps: which files are chart values, and each app's pod-annotations value. */
function chartOptions(config: Config, namedValues: ReadonlySet<string>): ChartOptions {
  const rules = config.rules.map((rule) => ({ rule, matches: ruleMatcher(rule) }));
  return {
    namedValues: (file) => namedValues.has(file),
    prefix: config.annotationPrefix,
    podAnnotations: (target) =>
      rules.find((r) => r.rule.podAnnotations !== undefined && r.matches(target))?.rule.podAnnotations ??
      DEFAULT_POD_ANNOTATIONS,
    selectedByRule: (file) =>
      rules.some((r) => r.rule.select.kind === 'HelmValues' && r.matches(valuesTarget(file))),
    secretValues: (target) =>
      rules.flatMap((r) =>
        r.rule.secretValues !== undefined && r.matches(target) ? r.rule.secretValues : [],
      ),
  };
}

/** Code-unit order: the same on every machine and locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
