/**
 * Render roots: what Argo CD and Flux build and apply, each on its own. In a repository that holds
 * deployment objects (Flux `Kustomization`, Argo CD `Application` / `ApplicationSet`), the roots are the
 * folders they reach (deployments.ts), and a kustomization folder nothing reaches is named `undeployed`
 * and not read. Without deployment objects, a kustomization folder that no other includes is a root.
 * Either way a document no kustomization builds stands for itself (the flat case). This file composes
 * the two steps: the kustomize build of each folder (kustomize-build.ts) and the choice of roots.
 *
 * For discovery it is enough to know which documents each root builds and what they look like there, so
 * this is a small reading of kustomize, not kustomize: `resources` / `bases` (files and folders,
 * transitively), `components`, `patches` (strategic merge and JSON 6902, inline or from a file, with
 * `target`), the older `patchesStrategicMerge` / `patchesJson6902`, `namespace`, `namePrefix` /
 * `nameSuffix`, and `configMapGenerator` / `secretGenerator` files (chart values reaching a HelmRelease
 * through `valuesFrom`). Remote resources (URLs) are reported and skipped, never fetched. The real
 * kustomize is the test oracle (test/roots): what a root builds here must match `kustomize build` for the
 * fields discovery reads.
 *
 * Order within a kustomization, as kustomize applies it: resources, then generators, then components
 * (each sees what was accumulated so far), then the kustomization's own patches, then its namespace and
 * name prefix/suffix. Secrets and ConfigMaps keep their names: kustomize renames them and every reference
 * to them together, so the links discovery follows are the same either way.
 */
import { DEFAULT_ROOT_LIMITS, type RootLimits } from '../limits.js';
import type { Problem, RepoFile } from '../model.js';
import {
  CLUSTER_SCOPED,
  isComponent,
  isRefusal,
  KustomizeBuild,
  withMeta,
  type Built,
  type Generated,
  type Item,
  type Kustomization,
  type Layer,
  type Refusal,
} from './kustomize-build.js';
import {
  DeploymentReader,
  isDeploymentObject,
  walkDeployments,
  type DeployedSet,
  type DeploymentTarget,
  type Reach,
} from './deployments.js';
import { isKustomizationFile } from './kustomization-names.js';
import type { ManifestDocument } from './parse.js';
import { dirName } from './repo-paths.js';
import { get, isRecord, nonEmptyString as str } from './workloads.js';

type Data = Record<string, unknown>;

export { isKustomizationFile, KUSTOMIZATION_NAMES } from './kustomization-names.js';
export { baseName, dirName, joinPath } from './repo-paths.js';

/** The name of the patch file vault-rollout owns in a root that shares documents with other roots. */
export const ROOT_PATCH_FILE = 'vault-rollout.patch.yaml';

/** Files that name roots: Flux Kustomizations and Argo CD Applications / ApplicationSets. */
export const ROOT_NAMING_KINDS = /\bkind["']?\s*:\s*["']?(?:Kustomization|Application|ApplicationSet)\b/;

export interface RenderRoot {
  /** The root's folder, repo-relative ('' for the repository's top folder). */
  dir: string;
  /** `kustomize`: built from its kustomization file; `folder`: every manifest in it (Flux, Argo CD). */
  kind: 'kustomize' | 'folder';
  /** The kustomization file of a `kustomize` root. */
  kustomization: string | null;
  /** What the root builds, as it builds it (`root` set on each). */
  documents: ManifestDocument[];
  /**
   * Source documents the root builds more than once (one base through two layers with different name
   * suffixes): each copy is a document of its own, named by its rendered name (ManifestDocument.copy),
   * since a patch by the source's name would match both.
   */
  twice: Set<string>;
}

export interface RootGraph {
  roots: RenderRoot[];
  /** Documents no root builds, and that are no kustomization input (patches, generator files). */
  flat: ManifestDocument[];
  /** The roots that build each source document, by {@link docKey}. */
  builders: Map<string, string[]>;
  problems: Problem[];
  /** Files a kustomization names that are not among the files read (the caller may load them and retry). */
  missing: string[];
  /** Files that are chart values of an Argo CD Application (`helm.valueFiles`): values whatever their keys. */
  namedValues: Set<string>;
  /** Whether the repository holds deployment objects (then the roots are what they reach). */
  deployed: boolean;
  /** For each root a deployment object reaches, the objects' files and the roots that build them. */
  reached: Map<string, Reach[]>;
  /** Kustomization folders no other includes and no deployment object reaches: not deployed, not read. */
  undeployed: string[];
}

/** An object's identity in a root's patch file, as its source document names it. */
export function objectKey(o: {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | null;
}): string {
  return JSON.stringify([o.kind, o.namespace ?? '', o.name, o.apiVersion]);
}

/** A root's tool-owned patch file, repo-relative. */
export function rootPatchFile(dir: string): string {
  return `${dir ? `${dir}/` : ''}${ROOT_PATCH_FILE}`;
}

export function docKey(file: string, index: number): string {
  return `${file}#${index}`;
}

export interface RootInput {
  files: readonly RepoFile[];
  /** Parsed documents (discovery's relevant files, kustomization files, files that name roots). */
  documents: readonly ManifestDocument[];
  /** Bounds on each root's build (limits.ts has the defaults). */
  limits?: RootLimits;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * Builds the root graph of a repository: the kustomize build of each kustomization (kustomize-build.ts),
 * the folders Flux and Argo CD name, then the roots among them and what each builds.
 * @example const { roots, flat } = buildRoots({ files, documents });
 */
export function buildRoots(input: RootInput): RootGraph {
  return new RootGraphBuilder(input).run();
}

/** The state of one {@link buildRoots} call: the repository's files, and what has been found so far. */
class RootGraphBuilder {
  private readonly texts: Map<string, string>;
  private readonly docsByFile = new Map<string, ManifestDocument[]>();
  private readonly problems: Problem[] = [];
  private readonly kustomizations = new Map<string, Kustomization>();
  /** Folders whose kustomization cannot be built as it is: nothing under them is discovered. */
  private readonly brokenDirs = new Set<string>();
  /** Files a refused root would build: neither discovered nor edited on their own. */
  private readonly refusedFiles = new Set<string>();
  private readonly kustomize: KustomizeBuild;
  private readonly deployments: DeploymentReader;

  constructor(private readonly input: RootInput) {
    this.texts = new Map(input.files.map((f) => [f.path, f.text]));
    for (const d of input.documents) {
      const docs = this.docsByFile.get(d.file);
      if (docs) docs.push(d);
      else this.docsByFile.set(d.file, [d]);
    }
    this.readKustomizations();
    const dirs = foldersOf(this.texts.keys());
    this.deployments = new DeploymentReader(
      {
        dirs,
        hasFile: (path) => this.texts.has(path),
        report: (file, message) => this.report(file, message),
      },
      input.documents,
    );
    this.kustomize = new KustomizeBuild({
      texts: this.texts,
      docsByFile: this.docsByFile,
      kustomizations: this.kustomizations,
      brokenDirs: this.brokenDirs,
      isDir: (path) => dirs.has(path),
      report: (file, message) => this.report(file, message),
      ...(input.limits ? { limits: input.limits } : {}),
    });
  }

  private report(file: string, message: string): void {
    this.problems.push({ file, severity: 'warning', message });
  }

  /** Kustomization files by folder; a folder with none readable, or with several, is broken. */
  private readKustomizations(): void {
    const byDir = new Map<string, string[]>();
    for (const file of this.texts.keys()) {
      if (!isKustomizationFile(file)) continue;
      const dir = dirName(file);
      const data = this.docsByFile.get(file)?.[0]?.data;
      // A Flux object in a file of that name is no kustomization.
      if (isRecord(data) && String(data.apiVersion ?? '').startsWith('kustomize.toolkit.fluxcd.io/'))
        continue;
      const files = byDir.get(dir);
      if (files) files.push(file);
      else byDir.set(dir, [file]);
    }
    for (const [dir, files] of byDir) {
      if (files.length > 1) {
        // kustomize: "Found multiple kustomization files under: …". Reported, and nothing under it is
        // built or edited, whichever reader listed the files.
        this.report(
          files[0]!,
          `several kustomization files in "${dir || '.'}" (${files.map((f) => `"${f}"`).join(', ')}): kustomize refuses to build it; skipped, nothing under it is edited`,
        );
        this.brokenDirs.add(dir);
        continue;
      }
      const file = files[0]!;
      const doc = this.docsByFile.get(file);
      const data = doc?.[0]?.data;
      if (doc === undefined || doc.length !== 1 || !isRecord(data)) {
        // Unparsable (already reported by the parser) or empty: nothing under it is discovered, since
        // where its documents end up cannot be known.
        this.brokenDirs.add(dir);
        continue;
      }
      this.kustomizations.set(dir, { file, data });
    }
  }

  run(): RootGraph {
    const { kustomize } = this;
    // Build every kustomization once, so `included` is complete before roots are chosen.
    const built = new Map<string, Built>();
    for (const [dir, k] of [...this.kustomizations].sort(([a], [b]) => compare(a, b)))
      if (!isComponent(k.data)) built.set(dir, kustomize.build(dir, dir));
    for (const [dir, b] of built)
      if (isRefusal(b)) for (const file of kustomize.reach(dir)) this.refusedFiles.add(file);
    // Kustomization folders no other kustomization includes: what a person or a pipeline could apply.
    const tops = [...built.keys()].filter((dir) => !kustomize.included.has(dir));
    // A file some kustomization builds is applied through that build, if at all: never on its own.
    const builtFiles = new Set<string>();
    for (const layer of built.values())
      if (!isRefusal(layer)) for (const item of layer.items) builtFiles.add(item.doc.file);
    const candidates = this.input.documents.filter(
      (d) =>
        !builtFiles.has(d.file) &&
        !kustomize.inputs.has(d.file) &&
        !this.refusedFiles.has(d.file) &&
        !isKustomizationFile(d.file) &&
        !this.underBroken(dirName(d.file)),
    );
    const deploying = this.input.documents.some((d) => isDeploymentObject(d.data));
    const { flat, reached } = deploying
      ? this.deployedRoots(built, tops, candidates)
      : { flat: candidates, reached: new Map<string, Reach[]>() };
    if (!deploying) for (const dir of tops) this.addRoot(dir, built.get(dir)!, null);

    const builders = new Map<string, string[]>();
    for (const root of this.roots) {
      for (const doc of root.documents) {
        const key = docKey(doc.file, doc.index);
        const by = builders.get(key);
        if (!by) builders.set(key, [root.dir]);
        else if (!by.includes(root.dir)) by.push(root.dir);
      }
    }
    const roots = [...this.roots].sort((a, b) => compare(a.dir, b.dir));
    const rootDirs = new Set(roots.map((r) => r.dir));
    return {
      roots,
      flat: flat.filter((d) => !builders.has(docKey(d.file, d.index))),
      builders,
      problems: this.problems,
      missing: [...kustomize.missing].sort(),
      namedValues: this.deployments.namedValues,
      deployed: deploying,
      reached: new Map([...reached].filter(([dir]) => rootDirs.has(dir))),
      undeployed: deploying ? tops.filter((dir) => !this.rootDirs.has(dir)).sort(compare) : [],
    };
  }

  private readonly roots: RenderRoot[] = [];
  /** Folders taken as roots (a refused one too: it is not built again through another name). */
  private readonly rootDirs = new Set<string>();

  /** A kustomization folder as a root: its build, or the one problem saying kustomize refuses it. */
  private addRoot(dir: string, layer: Built, namespace: string | null): RenderRoot | null {
    this.rootDirs.add(dir);
    if (isRefusal(layer)) {
      this.refuseRoot(dir, this.kustomizations.get(dir)!.file, layer);
      return null;
    }
    const root = this.makeRoot(dir, 'kustomize', this.kustomizations.get(dir)!.file, layer, namespace);
    this.roots.push(root);
    return root;
  }

  /**
   * The roots of a repository that holds deployment objects (deployments.ts): the folders they reach,
   * starting from the entries a person or a bootstrap applies — top kustomizations that hold deployment
   * objects, and files no kustomization includes that hold them. A file no kustomization builds still
   * stands for itself, as without deployment objects: only kustomization folders can be left undeployed.
   */
  private deployedRoots(
    built: ReadonlyMap<string, Built>,
    tops: readonly string[],
    candidates: readonly ManifestDocument[],
  ): { flat: ManifestDocument[]; reached: Map<string, Reach[]> } {
    const entries: DeployedSet[] = [];
    const entryFiles = candidates.filter((d) => isDeploymentObject(d.data));
    if (entryFiles.length > 0) entries.push({ from: null, documents: entryFiles });
    for (const dir of tops) {
      const layer = built.get(dir)!;
      if (isRefusal(layer) || !layer.items.some((item) => isDeploymentObject(item.data))) continue;
      const root = this.addRoot(dir, layer, null);
      if (root) entries.push({ from: dir, documents: root.documents });
    }
    const reached = walkDeployments(this.deployments, entries, (target) => {
      const { dir } = target;
      if (this.rootDirs.has(dir) || this.brokenDirs.has(dir)) return null;
      const k = this.kustomizations.get(dir);
      if (k && isComponent(k.data)) {
        this.report(
          target.by,
          `"${dir}" is a kustomize Component: a deployment object cannot build it alone; not a render root`,
        );
        return null;
      }
      if (k) return this.addRoot(dir, built.get(dir)!, target.namespace)?.documents ?? null;
      this.rootDirs.add(dir);
      const root = this.folderRoot(dir, target);
      if (root) this.roots.push(root);
      return root?.documents ?? null;
    });
    return { flat: [...candidates], reached };
  }

  /** A root kustomize refuses to build: one problem naming it; nothing of it is discovered or edited. */
  private refuseRoot(dir: string, file: string, refusal: Refusal): void {
    const where = refusal.file === file ? '' : ` (in "${refusal.file}")`;
    this.report(
      file,
      `render root "${dir || '.'}" is not built, as kustomize refuses it: ${refusal.message}${where}; nothing it builds is edited for it`,
    );
  }

  /**
   * A folder without a kustomization that Flux or Argo CD names: Flux generates one with every manifest
   * under it (a subfolder with a kustomization is built as one); Argo CD reads the folder's files (with
   * `directory.recurse`, those below too). Null when a kustomization it builds is refused.
   */
  private folderRoot(dir: string, how: DeploymentTarget): RenderRoot | null {
    const items: Item[] = [];
    const generated: Generated[] = [];
    const sub = new Set<string>();
    const { maxDocuments } = this.input.limits ?? DEFAULT_ROOT_LIMITS;
    const files = [...this.texts.keys()]
      .filter((file) => (dir === '' || file.startsWith(`${dir}/`)) && (how.recurse || dirName(file) === dir))
      .sort();
    const refuse = (refusal: Refusal): null => {
      this.refuseRoot(dir, how.by, refusal);
      for (const file of files) this.refusedFiles.add(file);
      for (const owner of sub) for (const file of this.kustomize.reach(owner)) this.refusedFiles.add(file);
      return null;
    };
    for (const file of files) {
      const fileDir = dirName(file);
      const owner = this.kustomizationAbove(fileDir, dir);
      if (owner !== null) {
        const k = this.kustomizations.get(owner);
        if (!sub.has(owner) && k && !isComponent(k.data)) {
          sub.add(owner);
          const layer = this.kustomize.build(owner, dir);
          if (isRefusal(layer)) return refuse(layer);
          for (const item of layer.items) items.push(item);
          for (const g of layer.generated) generated.push(g);
        }
      } else if (!this.kustomize.inputs.has(file)) {
        for (const doc of this.docsByFile.get(file) ?? [])
          if (isRecord(doc.data)) items.push({ doc, data: doc.data });
      }
      if (items.length > maxDocuments)
        return refuse({
          refused: true,
          file,
          message: `builds more than ${maxDocuments} documents (MAX_ROOT_DOCUMENTS)`,
        });
    }
    return this.makeRoot(dir, 'folder', null, { items, generated, bytes: 0 }, how.namespace);
  }

  /** The nearest folder from `fileDir` up to `top` (inclusive) with a kustomization file (or a broken one). */
  private kustomizationAbove(fileDir: string, top: string): string | null {
    for (let d = fileDir; ; d = dirName(d)) {
      if (this.kustomizations.has(d) || this.brokenDirs.has(d)) return d;
      if (d === top || d === '') return null;
    }
  }

  /** Whether a folder is (under) one whose kustomization could not be read. */
  private underBroken(dir: string): boolean {
    if (this.brokenDirs.size === 0) return false;
    for (let d = dir; ; d = dirName(d)) {
      if (this.brokenDirs.has(d)) return true;
      if (d === '') return false;
    }
  }

  private makeRoot(
    dir: string,
    kind: RenderRoot['kind'],
    kustomization: string | null,
    layer: Layer,
    targetNamespace: string | null,
  ): RenderRoot {
    const seen = new Set<string>();
    const twice = new Set<string>();
    for (const item of layer.items) {
      const key = docKey(item.doc.file, item.doc.index);
      if (seen.has(key)) twice.add(key);
      seen.add(key);
    }
    // kustomize matches a patch by an object's current name (and namespace) too: what each copy is called
    // when the root's own patches apply, before the root renames or moves it.
    const own = kustomization === null ? undefined : this.kustomizations.get(dir)?.data;
    const transforms =
      own !== undefined && (str(own.namespace) !== null || !!own.namePrefix || !!own.nameSuffix);
    const documents: ManifestDocument[] = [];
    for (let item of layer.items) {
      const key = docKey(item.doc.file, item.doc.index);
      const copy = !twice.has(key)
        ? undefined
        : transforms && item.patchedAs
          ? item.patchedAs
          : {
              name: item.name ?? String(get(item.data, ['metadata', 'name']) ?? ''),
              namespace: str(get(item.data, ['metadata', 'namespace'])),
            };
      const o = item.data as Data;
      if (targetNamespace !== null && !CLUSTER_SCOPED.has(String(o.kind ?? '')))
        item = withMeta(item, { namespace: targetNamespace });
      const doc: ManifestDocument = { ...item.doc, data: item.data, root: dir };
      if (copy) doc.copy = copy;
      const values = this.valuesFromGenerators(item.data, layer.generated);
      if (values) doc.valuesFrom = values;
      documents.push(doc);
    }
    return { dir, kind, kustomization, documents, twice };
  }

  /** A HelmRelease's `valuesFrom` entries that a generator of the root makes, merged in order. */
  private valuesFromGenerators(o: unknown, generated: readonly Generated[]): Data | null {
    if (!isRecord(o) || o.kind !== 'HelmRelease') return null;
    let values: Data | null = null;
    for (const ref of list(get(o, ['spec', 'valuesFrom']))) {
      const kind = get(ref, ['kind']);
      const name = get(ref, ['name']);
      const key = str(get(ref, ['valuesKey'])) ?? 'values.yaml';
      const gen = generated.find((g) => g.kind === kind && typeof name === 'string' && g.names.has(name));
      const file = gen?.files.get(key);
      if (!file) continue;
      const docs = this.kustomize.parseText(file);
      const data = docs?.[0];
      if (isRecord(data)) values = deepMerge(values ?? {}, data);
    }
    return values;
  }
}

/** Every folder holding some of `files` (directly or below), '' included. */
function foldersOf(files: Iterable<string>): Set<string> {
  const dirs = new Set<string>(['']);
  for (const file of files) {
    let d = dirName(file);
    while (d !== '' && !dirs.has(d)) {
      dirs.add(d);
      d = dirName(d);
    }
  }
  return dirs;
}

/** Code-unit order: the same on every machine and locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Helm's merge of values: maps merge key by key, anything else is replaced. */
export function deepMerge(base: Data, over: Data): Data {
  const out: Data = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isRecord(b) && isRecord(v) ? deepMerge(b, v) : v;
  }
  return out;
}
