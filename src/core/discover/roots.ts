/**
 * Render roots: what Argo CD and Flux build and apply, each on its own. A root is a kustomization folder
 * that no other kustomization includes (an overlay), or a folder a Flux `Kustomization` (`spec.path`) or an
 * Argo CD `Application` / `ApplicationSet` source path names. A document no root builds stands for itself
 * (the flat case).
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
import { isKustomizationFile } from './kustomization-names.js';
import type { ManifestDocument } from './parse.js';
import { dirName, joinPath } from './repo-paths.js';
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

/** How Flux or Argo CD reads a folder it names as a root. */
interface NamedRoot {
  /** Whether files in subfolders count (Flux always; Argo CD with `directory.recurse`). */
  recurse: boolean;
  /** Flux's `targetNamespace`. */
  namespace: string | null;
  by: string;
}

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

  constructor(private readonly input: RootInput) {
    this.texts = new Map(input.files.map((f) => [f.path, f.text]));
    for (const d of input.documents) {
      const docs = this.docsByFile.get(d.file);
      if (docs) docs.push(d);
      else this.docsByFile.set(d.file, [d]);
    }
    this.readKustomizations();
    this.kustomize = new KustomizeBuild({
      texts: this.texts,
      docsByFile: this.docsByFile,
      kustomizations: this.kustomizations,
      brokenDirs: this.brokenDirs,
      isDir: folderTest(this.texts.keys()),
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
    const { kustomizations, kustomize } = this;
    const named = this.namedRoots();
    // Build every kustomization once, so `included` is complete before roots are chosen.
    const built = new Map<string, Built>();
    for (const dir of [...kustomizations.keys()].sort())
      if (!isComponent(kustomizations.get(dir)!.data)) built.set(dir, kustomize.build(dir, dir));
    for (const [dir, b] of built)
      if (isRefusal(b)) for (const file of kustomize.reach(dir)) this.refusedFiles.add(file);

    const roots: RenderRoot[] = [];
    const rootDirs = new Set<string>();
    for (const dir of [...kustomizations.keys()].sort()) {
      const k = kustomizations.get(dir)!;
      if (isComponent(k.data) || (kustomize.included.has(dir) && !named.has(dir))) continue;
      rootDirs.add(dir);
      const layer = built.get(dir)!;
      if (isRefusal(layer)) {
        this.refuseRoot(dir, k.file, layer);
        continue;
      }
      roots.push(this.makeRoot(dir, 'kustomize', k.file, layer, named.get(dir)?.namespace ?? null));
    }
    for (const [dir, how] of [...named].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (rootDirs.has(dir) || kustomizations.has(dir) || this.brokenDirs.has(dir)) continue;
      rootDirs.add(dir);
      const root = this.folderRoot(dir, how);
      if (root) roots.push(root);
    }

    const builders = new Map<string, string[]>();
    for (const root of roots) {
      for (const doc of root.documents) {
        const key = docKey(doc.file, doc.index);
        const by = builders.get(key);
        if (!by) builders.set(key, [root.dir]);
        else if (!by.includes(root.dir)) by.push(root.dir);
      }
    }
    const flat = this.input.documents.filter(
      (d) =>
        !builders.has(docKey(d.file, d.index)) &&
        !kustomize.inputs.has(d.file) &&
        !this.refusedFiles.has(d.file) &&
        !isKustomizationFile(d.file) &&
        !this.underBroken(dirName(d.file)),
    );
    return {
      roots,
      flat,
      builders,
      problems: this.problems,
      missing: [...kustomize.missing].sort(),
      namedValues: this.namedValues,
    };
  }

  /** A root kustomize refuses to build: one problem naming it; nothing of it is discovered or edited. */
  private refuseRoot(dir: string, file: string, refusal: Refusal): void {
    const where = refusal.file === file ? '' : ` (in "${refusal.file}")`;
    this.report(
      file,
      `render root "${dir || '.'}" is not built, as kustomize refuses it: ${refusal.message}${where}; nothing it builds is edited for it`,
    );
  }

  /** Files that are chart values of an Argo CD Application (`helm.valueFiles`). */
  private readonly namedValues = new Set<string>();

  /** Folders Flux and Argo CD name as roots, with how they read a folder without a kustomization. */
  private namedRoots(): Map<string, NamedRoot> {
    const { texts } = this;
    const isDir = folderTest(texts.keys());
    const named = new Map<string, NamedRoot>();
    for (const doc of this.input.documents) {
      const o = doc.data;
      if (!isRecord(o)) continue;
      const api = String(o.apiVersion ?? '');
      const add = (raw: unknown, recurse: boolean, namespace: string | null) => {
        if (typeof raw !== 'string' || raw.includes('{{') || raw.includes('$')) return;
        const path = joinPath('', raw);
        if (path === null || !isDir(path) || texts.has(`${path ? `${path}/` : ''}Chart.yaml`)) return;
        if (!named.has(path)) named.set(path, { recurse, namespace, by: doc.file });
      };
      if (o.kind === 'Kustomization' && api.startsWith('kustomize.toolkit.fluxcd.io/')) {
        add(get(o, ['spec', 'path']) ?? './', true, str(get(o, ['spec', 'targetNamespace'])));
      } else if (
        (o.kind === 'Application' || o.kind === 'ApplicationSet') &&
        api.startsWith('argoproj.io/')
      ) {
        const spec = o.kind === 'Application' ? o.spec : get(o, ['spec', 'template', 'spec']);
        const sources = [get(spec, ['source']), ...list(get(spec, ['sources']))];
        for (const s of sources) {
          if (!isRecord(s) || typeof s.path !== 'string') continue;
          const base = joinPath('', s.path);
          for (const v of list(get(s, ['helm', 'valueFiles']))) {
            if (typeof v !== 'string' || base === null) continue;
            const file = joinPath(base, v);
            if (file !== null && texts.has(file)) this.namedValues.add(file);
          }
          if (s.chart === undefined && s.helm === undefined)
            add(s.path, get(s, ['directory', 'recurse']) === true, null);
        }
      }
    }
    return named;
  }

  /**
   * A folder without a kustomization that Flux or Argo CD names: Flux generates one with every manifest
   * under it (a subfolder with a kustomization is built as one); Argo CD reads the folder's files (with
   * `directory.recurse`, those below too). Null when a kustomization it builds is refused.
   */
  private folderRoot(dir: string, how: NamedRoot): RenderRoot | null {
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

/** Whether a repo-relative path is a folder holding some of `files` ('' always is). */
function folderTest(files: Iterable<string>): (path: string) => boolean {
  const dirs = new Set<string>();
  for (const file of files) {
    let d = dirName(file);
    while (d !== '' && !dirs.has(d)) {
      dirs.add(d);
      d = dirName(d);
    }
  }
  return (p: string) => p === '' || dirs.has(p);
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
