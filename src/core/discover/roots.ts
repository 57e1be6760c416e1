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
import type { Problem, RepoFile } from '../model.js';
import { readYamlData } from '../yaml/fast-data.js';
import { applyJsonPatch, isJsonPatch, strategicMerge } from './kustomize-patch.js';
import type { ManifestDocument } from './parse.js';
import { get, isRecord, nonEmptyString as str } from './workloads.js';

type Data = Record<string, unknown>;

export const KUSTOMIZATION_NAMES: readonly string[] = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];

/** The name of the patch file vault-rollout owns in a root that shares documents with other roots. */
export const ROOT_PATCH_FILE = 'vault-rollout.patch.yaml';

export function isKustomizationFile(path: string): boolean {
  return KUSTOMIZATION_NAMES.includes(baseName(path));
}

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
   * suffixes): a patch by the source's name would match both, so they are not edited for this root.
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

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function dirName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/**
 * `dir` joined with a relative POSIX path, normalised; null when it leaves the repository.
 * @example joinPath('clusters/prod/web', '../../../apps/web') // 'apps/web'
 */
export function joinPath(dir: string, rel: string): string | null {
  const out: string[] = rel.startsWith('/') ? [] : dir.split('/').filter(Boolean);
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(seg);
  }
  return out.join('/');
}

/** A path that names a remote base: kustomize would fetch it; vault-rollout never does. */
function isRemote(entry: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ||
    /^(git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/.test(entry) ||
    /\?ref=|\/\/.*\?/.test(entry)
  );
}

/** Kinds kustomize leaves without a namespace. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ClusterSecretStore',
  'ClusterExternalSecret',
  'ClusterIssuer',
]);

/** One document as a kustomization has built it so far. */
interface Item {
  doc: ManifestDocument;
  data: unknown;
}

/** A generated ConfigMap or Secret: its names (as written, and after prefix/suffix) and its files by key. */
interface Generated {
  kind: 'ConfigMap' | 'Secret';
  names: Set<string>;
  files: Map<string, string>;
}

interface Layer {
  items: Item[];
  generated: Generated[];
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function withMeta(item: Item, changes: { name?: string; namespace?: string }): Item {
  const data = item.data as Data;
  const metadata = isRecord(data.metadata) ? data.metadata : {};
  return { doc: item.doc, data: { ...data, metadata: { ...metadata, ...changes } } };
}

interface Target {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

/** Whether `item` is what a patch `target` selects (kind, name and namespace are anchored regexes). */
function selects(target: Target, item: Item): boolean {
  const o = item.data;
  if (!isRecord(o)) return false;
  const re = (pattern: string, value: string) => {
    try {
      return new RegExp(`^(?:${pattern})$`).test(value);
    } catch {
      return pattern === value;
    }
  };
  const apiVersion = String(o.apiVersion ?? '');
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  if (target.kind !== undefined && !re(target.kind, String(o.kind ?? ''))) return false;
  if (target.group !== undefined && target.group !== group) return false;
  if (target.version !== undefined && target.version !== version) return false;
  const name = String(get(o, ['metadata', 'name']) ?? '');
  const origName = String(get(item.doc.data, ['metadata', 'name']) ?? '');
  if (target.name !== undefined && !re(target.name, name) && !re(target.name, origName)) return false;
  if (
    target.namespace !== undefined &&
    !re(target.namespace, String(get(o, ['metadata', 'namespace']) ?? ''))
  )
    return false;
  if (
    target.labelSelector !== undefined &&
    !matchSelector(target.labelSelector, get(o, ['metadata', 'labels']))
  )
    return false;
  if (
    target.annotationSelector !== undefined &&
    !matchSelector(target.annotationSelector, get(o, ['metadata', 'annotations']))
  )
    return false;
  return true;
}

/** `a=b,c!=d,e` (equality, inequality and existence; set-based terms count as not matching). */
function matchSelector(selector: string, map: unknown): boolean {
  const m = isRecord(map) ? map : {};
  return selector
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .every((term) => {
      const ne = /^([^!=]+)!=(.*)$/.exec(term);
      if (ne) return m[ne[1]!.trim()] !== ne[2]!.trim();
      const eq = /^([^!=]+)==?(.*)$/.exec(term);
      if (eq) return m[eq[1]!.trim()] === eq[2]!.trim();
      if (term.startsWith('!')) return !(term.slice(1) in m);
      return /^[\w./-]+$/.test(term) && term in m;
    });
}

/** A strategic-merge patch with no target applies to the object it names (kind, name, namespace if given). */
function names(patch: Data, item: Item): boolean {
  const o = item.data;
  if (!isRecord(o) || o.kind !== patch.kind) return false;
  const name = get(patch, ['metadata', 'name']);
  const current = get(o, ['metadata', 'name']);
  const original = get(item.doc.data, ['metadata', 'name']);
  if (name !== current && name !== original) return false;
  const ns = str(get(patch, ['metadata', 'namespace']));
  if (ns === null) return true;
  return ns === get(o, ['metadata', 'namespace']) || ns === get(item.doc.data, ['metadata', 'namespace']);
}

export interface RootInput {
  files: readonly RepoFile[];
  /** Parsed documents (discovery's relevant files, kustomization files, files that name roots). */
  documents: readonly ManifestDocument[];
}

/**
 * Builds the root graph of a repository.
 * @example const { roots, flat } = buildRoots({ files, documents });
 */
export function buildRoots(input: RootInput): RootGraph {
  const texts = new Map(input.files.map((f) => [f.path, f.text]));
  const docsByFile = new Map<string, ManifestDocument[]>();
  for (const d of input.documents) {
    const docs = docsByFile.get(d.file);
    if (docs) docs.push(d);
    else docsByFile.set(d.file, [d]);
  }
  const problems: Problem[] = [];
  const missing = new Set<string>();
  const report = (file: string, message: string, severity: Problem['severity'] = 'warning') =>
    problems.push({ file, severity, message });

  // Kustomization files by folder.
  const kustomizations = new Map<string, { file: string; data: Data }>();
  const brokenDirs = new Set<string>();
  for (const file of texts.keys()) {
    if (!isKustomizationFile(file)) continue;
    const dir = dirName(file);
    const doc = docsByFile.get(file);
    const data = doc?.[0]?.data;
    if (doc === undefined || doc.length !== 1 || !isRecord(data)) {
      // Unparsable (already reported by the parser) or empty: nothing under it is discovered, since
      // where its documents end up cannot be known.
      brokenDirs.add(dir);
      continue;
    }
    if (String(data.apiVersion ?? '').startsWith('kustomize.toolkit.fluxcd.io/')) continue; // a Flux object
    if (kustomizations.has(dir)) {
      report(file, `several kustomization files in "${dir || '.'}": kustomize refuses to build it; skipped`);
      brokenDirs.add(dir);
      continue;
    }
    kustomizations.set(dir, { file, data });
  }

  const isDir = (() => {
    const dirs = new Set<string>();
    for (const file of texts.keys()) {
      let d = dirName(file);
      while (d !== '' && !dirs.has(d)) {
        dirs.add(d);
        d = dirName(d);
      }
    }
    return (p: string) => p === '' || dirs.has(p);
  })();

  /** Files kustomizations read as patches or generator input: never manifests of their own. */
  const inputs = new Set<string>();
  const included = new Set<string>();

  const parseText = (file: string): unknown[] | null => {
    const text = texts.get(file);
    if (text === undefined) return null;
    return parseYaml(text, file);
  };
  const parseYaml = (text: string, file: string): unknown[] | null => {
    const read = readYamlData(text);
    if (read.ok) return read.docs;
    report(file, read.message);
    return null;
  };

  const memo = new Map<string, Layer>();
  const building = new Set<string>();

  /** What the kustomization in `dir` builds (a copy of the memoised layer is never needed: items are immutable). */
  function build(dir: string, from: string): Layer {
    const cached = memo.get(dir);
    if (cached) return cached;
    const k = kustomizations.get(dir);
    if (!k) return { items: [], generated: [] };
    if (building.has(dir)) {
      report(k.file, `kustomization cycle through "${dir || '.'}" (from "${from}"): skipped`);
      return { items: [], generated: [] };
    }
    building.add(dir);
    const layer = apply(dir, k, { items: [], generated: [] });
    building.delete(dir);
    memo.set(dir, layer);
    return layer;
  }

  function apply(dir: string, k: { file: string; data: Data }, start: Layer): Layer {
    const d = k.data;
    let items = [...start.items];
    const generated = [...start.generated];
    for (const entry of [...list(d.resources), ...list(d.bases)]) {
      if (typeof entry !== 'string') continue;
      if (isRemote(entry)) {
        report(k.file, `remote resource "${entry}" is not fetched: what it builds is not discovered`);
        continue;
      }
      const path = joinPath(dir, entry);
      if (path === null) {
        report(k.file, `resource "${entry}" is outside the repository: skipped`);
        continue;
      }
      if (kustomizations.has(path)) {
        included.add(path);
        const sub = build(path, k.file);
        for (const item of sub.items) items.push(item);
        for (const g of sub.generated) generated.push(g);
      } else if (texts.has(path)) {
        for (const doc of docsByFile.get(path) ?? [])
          if (isRecord(doc.data)) items.push({ doc, data: doc.data });
      } else if (brokenDirs.has(path)) {
        included.add(path);
      } else if (isDir(path)) {
        report(k.file, `resource "${entry}" is a folder without a kustomization file: kustomize refuses it`);
      } else {
        missing.add(path);
        report(k.file, `resource "${entry}" not found (or not selected by include/exclude)`);
      }
    }
    for (const [field, kind] of [
      ['configMapGenerator', 'ConfigMap'],
      ['secretGenerator', 'Secret'],
    ] as const) {
      for (const g of list(d[field])) {
        const name = str(get(g, ['name']));
        if (!name) continue;
        const files = new Map<string, string>();
        for (const f of list(get(g, ['files']))) {
          if (typeof f !== 'string') continue;
          const eq = f.indexOf('=');
          const rel = eq >= 0 ? f.slice(eq + 1) : f;
          const path = joinPath(dir, rel);
          if (path === null) continue;
          inputs.add(path);
          files.set(eq >= 0 ? f.slice(0, eq) : baseName(rel), path);
        }
        generated.push({ kind, names: new Set([name]), files });
      }
    }
    let layer: Layer = { items, generated };
    for (const entry of list(d.components)) {
      if (typeof entry !== 'string') continue;
      if (isRemote(entry)) {
        report(k.file, `remote component "${entry}" is not fetched: what it adds is not discovered`);
        continue;
      }
      const path = joinPath(dir, entry);
      const c = path === null ? undefined : kustomizations.get(path);
      if (path === null || !c) {
        if (path !== null && brokenDirs.has(path)) continue;
        report(k.file, `component "${entry}" not found`);
        continue;
      }
      included.add(path);
      if (building.has(path)) {
        report(k.file, `kustomization cycle through component "${entry}": skipped`);
        continue;
      }
      building.add(path);
      layer = apply(path, c, layer);
      building.delete(path);
    }
    items = patch(dir, k, layer.items);
    const namespace = str(d.namespace);
    const prefix = typeof d.namePrefix === 'string' ? d.namePrefix : '';
    const suffix = typeof d.nameSuffix === 'string' ? d.nameSuffix : '';
    if (namespace !== null || prefix || suffix) {
      items = items.map((item) => {
        const o = item.data as Data;
        const kind = String(o.kind ?? '');
        const changes: { name?: string; namespace?: string } = {};
        if (namespace !== null && !CLUSTER_SCOPED.has(kind)) changes.namespace = namespace;
        const name = get(o, ['metadata', 'name']);
        if ((prefix || suffix) && typeof name === 'string' && !RENAMED_WITH_REFERENCES.has(kind))
          changes.name = `${prefix}${name}${suffix}`;
        return Object.keys(changes).length > 0 ? withMeta(item, changes) : item;
      });
      // Layers are shared (memoised): the renamed generators are new objects.
      const renamed = layer.generated.map((g) => ({
        ...g,
        names: new Set([...g.names, ...[...g.names].map((n) => `${prefix}${n}${suffix}`)]),
      }));
      return { items, generated: renamed };
    }
    return { items, generated: layer.generated };
  }

  /** The kustomization's patches, in kustomize's order of fields. */
  function patch(dir: string, k: { file: string; data: Data }, items: Item[]): Item[] {
    const d = k.data;
    const loaded = (entry: unknown, what: string): unknown[] | null => {
      if (typeof entry === 'string') {
        // patchesStrategicMerge: a file path, or the patch inline.
        if (!entry.includes('\n') && /\.(ya?ml|json)$/i.test(entry.trim())) return fromFile(entry.trim());
        return parseYaml(entry, k.file);
      }
      if (!isRecord(entry)) return null;
      if (typeof entry.patch === 'string') return parseYaml(entry.patch, k.file);
      if (typeof entry.path === 'string') return fromFile(entry.path);
      report(k.file, `${what} entry without "path" or "patch": skipped`);
      return null;
    };
    const fromFile = (rel: string): unknown[] | null => {
      const path = joinPath(dir, rel);
      if (path === null || !texts.has(path)) {
        if (path !== null) missing.add(path);
        report(k.file, `patch "${rel}" not found (or not selected by include/exclude)`);
        return null;
      }
      inputs.add(path);
      return parseText(path);
    };
    const run = (docs: unknown[], target: unknown) => {
      const t = isRecord(target) ? (target as Target) : undefined;
      const first = docs.length === 1 ? docs[0] : undefined;
      if (isJsonPatch(first) || (docs.length === 0 && t)) {
        if (!t) {
          report(k.file, 'a JSON 6902 patch needs a "target": skipped');
          return;
        }
        items = items.map((item) => {
          if (!selects(t, item)) return item;
          try {
            return { doc: item.doc, data: applyJsonPatch(item.data, (first ?? []) as never) };
          } catch (err) {
            report(k.file, `JSON 6902 patch does not apply to ${describe(item)}: ${(err as Error).message}`);
            return item;
          }
        });
        return;
      }
      for (const p of docs) {
        if (!isRecord(p)) continue;
        items = items.flatMap((item) => {
          if (t ? !selects(t, item) : !names(p, item)) return [item];
          const merged = strategicMerge(item.data, t ? withoutIdentity(p) : p);
          return merged === undefined ? [] : [{ doc: item.doc, data: merged }];
        });
      }
    };
    for (const entry of list(d.patchesStrategicMerge)) {
      const docs = loaded(entry, 'patchesStrategicMerge');
      if (docs) run(docs, undefined);
    }
    for (const entry of list(d.patches)) {
      const docs = loaded(entry, 'patches');
      if (docs) run(docs, get(entry, ['target']));
    }
    for (const entry of list(d.patchesJson6902)) {
      const docs = loaded(entry, 'patchesJson6902');
      if (docs) run(docs, get(entry, ['target']) ?? {});
    }
    return items;
  }

  // Folders Flux and Argo CD name as roots, with how they read a folder without a kustomization.
  const named = new Map<string, { recurse: boolean; namespace: string | null; by: string }>();
  const namedValues = new Set<string>();
  for (const doc of input.documents) {
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
    } else if ((o.kind === 'Application' || o.kind === 'ApplicationSet') && api.startsWith('argoproj.io/')) {
      const spec = o.kind === 'Application' ? o.spec : get(o, ['spec', 'template', 'spec']);
      const sources = [get(spec, ['source']), ...list(get(spec, ['sources']))];
      for (const s of sources) {
        if (!isRecord(s) || typeof s.path !== 'string') continue;
        const base = joinPath('', s.path);
        for (const v of list(get(s, ['helm', 'valueFiles']))) {
          if (typeof v !== 'string' || base === null) continue;
          const file = joinPath(base, v);
          if (file !== null && texts.has(file)) namedValues.add(file);
        }
        if (s.chart === undefined && s.helm === undefined)
          add(s.path, get(s, ['directory', 'recurse']) === true, null);
      }
    }
  }

  // Build every kustomization once, so `included` is complete before roots are chosen.
  for (const dir of [...kustomizations.keys()].sort())
    if (!isComponent(kustomizations.get(dir)!.data)) build(dir, dir);

  const roots: RenderRoot[] = [];
  const rootDirs = new Set<string>();
  for (const dir of [...kustomizations.keys()].sort()) {
    const k = kustomizations.get(dir)!;
    if (isComponent(k.data) || (included.has(dir) && !named.has(dir))) continue;
    const layer = build(dir, dir);
    const ns = named.get(dir)?.namespace ?? null;
    roots.push(makeRoot(dir, 'kustomize', k.file, layer, ns));
    rootDirs.add(dir);
  }
  const files = [...texts.keys()].sort();
  for (const [dir, how] of [...named].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (rootDirs.has(dir) || kustomizations.has(dir) || brokenDirs.has(dir)) continue;
    // A folder without a kustomization: Flux generates one with every manifest under it (a subfolder with
    // a kustomization is built as one); Argo CD reads the folder's files (with `directory.recurse`, below).
    const items: Item[] = [];
    const generated: Generated[] = [];
    const sub = new Set<string>();
    for (const file of files) {
      if (dir !== '' && !file.startsWith(`${dir}/`)) continue;
      const fileDir = dirName(file);
      if (!how.recurse && fileDir !== dir) continue;
      const owner = kustomizationAbove(fileDir, dir);
      if (owner !== null) {
        if (!sub.has(owner) && kustomizations.has(owner) && !isComponent(kustomizations.get(owner)!.data)) {
          sub.add(owner);
          const layer = build(owner, dir);
          for (const item of layer.items) items.push(item);
          for (const g of layer.generated) generated.push(g);
        }
        continue;
      }
      if (inputs.has(file)) continue;
      for (const doc of docsByFile.get(file) ?? [])
        if (isRecord(doc.data)) items.push({ doc, data: doc.data });
    }
    roots.push(makeRoot(dir, 'folder', null, { items, generated }, how.namespace));
    rootDirs.add(dir);
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
  const flat = input.documents.filter(
    (d) =>
      !builders.has(docKey(d.file, d.index)) &&
      !inputs.has(d.file) &&
      !isKustomizationFile(d.file) &&
      !underBroken(dirName(d.file)),
  );
  return { roots, flat, builders, problems, missing: [...missing].sort(), namedValues };

  /** The nearest folder from `fileDir` up to `top` (inclusive) with a kustomization file (or a broken one). */
  function kustomizationAbove(fileDir: string, top: string): string | null {
    for (let d = fileDir; ; d = dirName(d)) {
      if (kustomizations.has(d) || brokenDirs.has(d)) return d;
      if (d === top || d === '') return null;
    }
  }

  /** Whether a folder is (under) one whose kustomization could not be read. */
  function underBroken(dir: string): boolean {
    if (brokenDirs.size === 0) return false;
    for (let d = dir; ; d = dirName(d)) {
      if (brokenDirs.has(d)) return true;
      if (d === '') return false;
    }
  }

  function makeRoot(
    dir: string,
    kind: RenderRoot['kind'],
    kustomization: string | null,
    layer: Layer,
    targetNamespace: string | null,
  ): RenderRoot {
    const seen = new Set<string>();
    const twice = new Set<string>();
    const documents: ManifestDocument[] = [];
    for (let item of layer.items) {
      const key = docKey(item.doc.file, item.doc.index);
      if (seen.has(key)) {
        // The first build is what is discovered; editing is refused (RenderRoot.twice).
        twice.add(key);
        continue;
      }
      seen.add(key);
      const o = item.data as Data;
      if (targetNamespace !== null && !CLUSTER_SCOPED.has(String(o.kind ?? '')))
        item = withMeta(item, { namespace: targetNamespace });
      const doc: ManifestDocument = { ...item.doc, data: item.data, root: dir };
      const values = valuesFromGenerators(item.data, layer.generated);
      if (values) doc.valuesFrom = values;
      documents.push(doc);
    }
    return { dir, kind, kustomization, documents, twice };
  }

  /** A HelmRelease's `valuesFrom` entries that a generator of the root makes, merged in order. */
  function valuesFromGenerators(o: unknown, generated: readonly Generated[]): Data | null {
    if (!isRecord(o) || o.kind !== 'HelmRelease') return null;
    let values: Data | null = null;
    for (const ref of list(get(o, ['spec', 'valuesFrom']))) {
      const kind = get(ref, ['kind']);
      const name = get(ref, ['name']);
      const key = str(get(ref, ['valuesKey'])) ?? 'values.yaml';
      const gen = generated.find((g) => g.kind === kind && typeof name === 'string' && g.names.has(name));
      const file = gen?.files.get(key);
      if (!file) continue;
      const docs = parseText(file);
      const data = docs?.[0];
      if (isRecord(data)) values = deepMerge(values ?? {}, data);
    }
    return values;
  }
}

/** Kinds kustomize renames together with every reference to them (so the references discovery follows agree). */
const RENAMED_WITH_REFERENCES = new Set(['Secret', 'ConfigMap']);

function isComponent(data: Data): boolean {
  return data.kind === 'Component';
}

/**
 * A strategic-merge patch given a `target` selects by the target: kustomize then ignores the patch's own
 * identity, so its name and namespace must not be merged into the object.
 */
function withoutIdentity(p: Data): Data {
  const { apiVersion: _a, kind: _k, ...rest } = p;
  if (!isRecord(rest.metadata)) return rest;
  const { name: _n, namespace: _ns, ...metadata } = rest.metadata;
  return { ...rest, metadata };
}

function describe(item: Item): string {
  return `${String(get(item.data, ['kind']) ?? '?')}/${String(get(item.data, ['metadata', 'name']) ?? '?')} (${item.doc.file})`;
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
