/**
 * Kustomize parity: what discovery reads of a render root, once from `kubectl kustomize` (the reference)
 * and once from the product's own build (src/core/discover/kustomize-build.ts and roots.ts), in one
 * comparable shape, so a test can assert the two agree field by field.
 *
 * Compared per object: kind, name and namespace; pod template annotations; every Secret reference of
 * the pod spec (env `secretKeyRef`, `envFrom.secretRef`, `secret` and `projected` volumes); an
 * ExternalSecret's `spec.target.name`, `data[].remoteRef.key/version` and `dataFrom[].extract`; a
 * HelmRelease's chart values (its `valuesFrom` generators merged under `spec.values`).
 *
 * ConfigMaps and Secrets are not compared as objects: kustomize renames them together with every
 * reference (prefix, suffix, content hash) while discovery keeps the names as written, so references
 * on the kustomize side are mapped back to the written names through what the product built.
 *
 * @example
 * const product = productBuilds(files);
 * const diff = compareRoot(await renderRoot(dir), product, 'apps/web');
 * expect(diff).toEqual([]);
 */
import { parseAllDocuments } from 'yaml';
import {
  KustomizeBuild,
  isRefusal,
  type Kustomization,
  type Layer,
} from '../../src/core/discover/kustomize-build.js';
import { isKustomizationFile } from '../../src/core/discover/kustomization-names.js';
import { parseManifests, type ManifestDocument } from '../../src/core/discover/parse.js';
import { buildRoots, deepMerge, dirName, type RootGraph } from '../../src/core/discover/roots.js';
import type { Problem, RepoFile } from '../../src/core/model.js';

type Data = Record<string, unknown>;

const isMap = (v: unknown): v is Data => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const at = (v: unknown, path: readonly (string | number)[]): unknown => {
  let cur = v;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === 'number') cur = cur[seg];
    else if (isMap(cur) && typeof seg === 'string') cur = cur[seg];
    else return undefined;
  }
  return cur;
};

/** What discovery reads of one object; keys sorted, absent fields left out. */
export interface ObjectView {
  id: string;
  podAnnotations?: Record<string, unknown>;
  secretRefs?: string[];
  externalSecret?: { target: unknown; data: unknown[]; dataFrom: unknown[] };
  helmValues?: unknown;
}

/** The pod template of a workload kind, or undefined. */
function podTemplate(o: Data): unknown {
  if (o.kind === 'Pod') return { metadata: o.metadata, spec: o.spec };
  if (o.kind === 'CronJob') return at(o, ['spec', 'jobTemplate', 'spec', 'template']);
  return at(o, ['spec', 'template']);
}

/** Every Secret name the pod spec refers to, as `where:name` strings, sorted. */
function secretRefs(template: unknown, rename: (name: string) => string): string[] {
  const spec = at(template, ['spec']);
  const out: string[] = [];
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of asList(at(spec, [field]))) {
      const cname = String(at(c, ['name']) ?? '?');
      for (const e of asList(at(c, ['env']))) {
        const n = at(e, ['valueFrom', 'secretKeyRef', 'name']);
        if (typeof n === 'string') out.push(`env ${cname}/${String(at(e, ['name']))}: ${rename(n)}`);
      }
      for (const e of asList(at(c, ['envFrom']))) {
        const n = at(e, ['secretRef', 'name']);
        if (typeof n === 'string') out.push(`envFrom ${cname}: ${rename(n)}`);
      }
    }
  }
  for (const v of asList(at(spec, ['volumes']))) {
    const vname = String(at(v, ['name']) ?? '?');
    const n = at(v, ['secret', 'secretName']);
    if (typeof n === 'string') out.push(`volume ${vname}: ${rename(n)}`);
    for (const s of asList(at(v, ['projected', 'sources']))) {
      const p = at(s, ['secret', 'name']);
      if (typeof p === 'string') out.push(`projected ${vname}: ${rename(p)}`);
    }
  }
  return out.sort();
}

/**
 * Kinds the API server keeps cluster-scoped: kustomize does not know these CRDs and stamps its `namespace`
 * on them too, but the server drops it and discovery reads them without one, so the comparison ignores
 * a namespace on them.
 */
const CLUSTER_SCOPED = new Set(['ClusterSecretStore', 'ClusterExternalSecret', 'Namespace', 'ClusterRole']);

function idOf(o: Data, name?: string): string {
  const ns = CLUSTER_SCOPED.has(String(o.kind)) ? '' : String(at(o, ['metadata', 'namespace']) ?? '');
  return `${String(o.kind ?? '')}/${ns}/${String(name ?? at(o, ['metadata', 'name']) ?? '')}`;
}

/**
 * The view of one object. `rename` maps a Secret name as the object carries it to the name discovery
 * links by; `values` is a HelmRelease's merged chart values (computed by the caller).
 */
export function viewOf(o: Data, rename: (name: string) => string, values?: unknown): ObjectView {
  const view: ObjectView = { id: idOf(o) };
  const template = podTemplate(o);
  if (isMap(template)) {
    const ann = at(template, ['metadata', 'annotations']);
    if (isMap(ann) && Object.keys(ann).length > 0) view.podAnnotations = ann;
    const refs = secretRefs(template, rename);
    if (refs.length > 0) view.secretRefs = refs;
  }
  if (o.kind === 'ExternalSecret') {
    view.externalSecret = {
      target: at(o, ['spec', 'target', 'name']) ?? null,
      data: asList(at(o, ['spec', 'data'])).map((d) => ({
        key: at(d, ['remoteRef', 'key']) ?? null,
        version: at(d, ['remoteRef', 'version']) ?? null,
      })),
      dataFrom: asList(at(o, ['spec', 'dataFrom'])).map((d) => at(d, ['extract']) ?? null),
    };
  }
  if (o.kind === 'HelmRelease') view.helmValues = values ?? null;
  return view;
}

const GENERATED_KINDS = new Set(['ConfigMap', 'Secret']);

function objectsOf(text: string): Data[] {
  const out: Data[] = [];
  for (const doc of parseAllDocuments(text)) {
    const js: unknown = doc.toJS();
    if (isMap(js)) out.push(js);
  }
  return out;
}

/** Parses a chart values text (a generator's file); {} when it is not a map. */
function valuesText(text: unknown): Data {
  if (typeof text !== 'string') return {};
  const docs = objectsOf(text);
  return docs[0] ?? {};
}

/** The product's build of every kustomization of a repository, and its root graph. */
export interface ProductBuilds {
  /** Folder → what its kustomization builds (every copy of a base included twice), or why it is refused. */
  layer(dir: string): Layer | { refused: string };
  graph: RootGraph;
  problems: Problem[];
}

export function productBuilds(files: readonly RepoFile[]): ProductBuilds {
  const parsed = parseManifests(files, undefined, () => true);
  const graph = buildRoots({ files, documents: parsed.documents });
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const docsByFile = new Map<string, ManifestDocument[]>();
  for (const d of parsed.documents) {
    const list = docsByFile.get(d.file) ?? [];
    list.push(d);
    docsByFile.set(d.file, list);
  }
  const kustomizations = new Map<string, Kustomization>();
  for (const file of texts.keys()) {
    const data = docsByFile.get(file)?.[0]?.data;
    if (isKustomizationFile(file) && isMap(data)) kustomizations.set(dirName(file), { file, data });
  }
  const dirs = new Set<string>();
  for (const f of texts.keys()) for (let d = dirName(f); d !== ''; d = dirName(d)) dirs.add(d);
  const problems: Problem[] = [...parsed.problems, ...graph.problems];
  const build = new KustomizeBuild({
    texts,
    docsByFile,
    kustomizations,
    brokenDirs: new Set(),
    isDir: (p) => p === '' || dirs.has(p),
    report: () => undefined,
  });
  return {
    layer(dir) {
      const built = build.build(dir, dir);
      return isRefusal(built) ? { refused: built.message } : built;
    },
    graph,
    problems,
  };
}

/** The views of a `kubectl kustomize` output, by id (kustomize's renamed Secrets mapped by `rename`). */
export function kubectlViews(
  text: string,
  rename: (name: string) => string,
  renameConfigMap: (name: string) => string = (n) => n,
): Map<string, ObjectView> {
  const objects = objectsOf(text);
  // Generated ConfigMaps and Secrets by their written names: a HelmRelease's `valuesFrom` is a custom
  // resource field kustomize renames only with a nameReference configuration; discovery links by the
  // written name either way.
  const written = (kind: unknown, name: unknown) =>
    kind === 'Secret' ? rename(String(name)) : renameConfigMap(String(name));
  const byId = new Map<string, Data>();
  for (const o of objects)
    if (GENERATED_KINDS.has(String(o.kind)))
      byId.set(idOf(o, written(o.kind, at(o, ['metadata', 'name']))), o);
  const out = new Map<string, ObjectView>();
  for (const o of objects) {
    if (GENERATED_KINDS.has(String(o.kind))) continue;
    let values: unknown;
    if (o.kind === 'HelmRelease') {
      let merged: Data = {};
      for (const ref of asList(at(o, ['spec', 'valuesFrom']))) {
        const ns = String(at(o, ['metadata', 'namespace']) ?? '');
        const kind = at(ref, ['kind']);
        const source = byId.get(`${String(kind)}/${ns}/${written(kind, at(ref, ['name']))}`);
        const key = String(at(ref, ['valuesKey']) ?? 'values.yaml');
        const raw = at(source, ['data', key]) ?? at(source, ['stringData', key]);
        const text =
          typeof raw === 'string' && source?.kind === 'Secret' && at(source, ['data', key]) !== undefined
            ? Buffer.from(raw, 'base64').toString('utf8')
            : raw;
        if (text !== undefined) merged = deepMerge(merged, valuesText(text));
      }
      const own = at(o, ['spec', 'values']);
      values = deepMerge(merged, isMap(own) ? own : {});
    }
    out.set(idOf(o), viewOf(o, rename, values));
  }
  return out;
}

/**
 * The product's views of a root: every object its build accumulates (both copies of a base included
 * twice), with HelmRelease values as discovery merges them (the root's documents' `valuesFrom`).
 */
export function productViews(product: ProductBuilds, root: string, layer: Layer): Map<string, ObjectView> {
  const documents = product.graph.roots.find((r) => r.dir === root)?.documents ?? [];
  const out = new Map<string, ObjectView>();
  for (const item of layer.items) {
    const o = item.data as Data;
    if (!isMap(o) || GENERATED_KINDS.has(String(o.kind))) continue;
    let values: unknown;
    if (o.kind === 'HelmRelease') {
      const doc =
        documents.find((d) => idOf(d.data as Data) === idOf(o)) ??
        documents.find((d) => d.file === item.doc.file && d.index === item.doc.index);
      const own = at(o, ['spec', 'values']);
      values = deepMerge(doc?.valuesFrom ?? {}, isMap(own) ? own : {});
    }
    out.set(
      idOf(o),
      viewOf(o, (n) => n, values),
    );
  }
  return out;
}

/**
 * Rendered Secret name → written name, from what the product built: a Secret document's kustomize name
 * (`Item.name`), and each name a generator goes by (plus kustomize's content hash, normalised).
 */
export function renamer(layer: Layer, kind: 'Secret' | 'ConfigMap' = 'Secret'): (name: string) => string {
  const back = new Map<string, string>();
  for (const item of layer.items) {
    const o = item.data as Data;
    if (o?.kind !== kind) continue;
    const written = String(at(o, ['metadata', 'name']) ?? '');
    if (item.name !== undefined) back.set(item.name, written);
  }
  for (const g of layer.generated) {
    if (g.kind !== kind) continue;
    const [written] = [...g.names];
    for (const n of g.names) {
      back.set(n, written!);
      back.set(`${n}-<hash>`, written!);
    }
  }
  return (name) => back.get(name) ?? back.get(name.replace(/-[a-z0-9]{10}$/, '-<hash>')) ?? name;
}

/** The differences of one root, as readable lines (empty when kustomize and the product agree). */
export function compareViews(
  reference: ReadonlyMap<string, ObjectView>,
  product: ReadonlyMap<string, ObjectView>,
): string[] {
  const out: string[] = [];
  for (const id of [...new Set([...reference.keys(), ...product.keys()])].sort()) {
    const a = reference.get(id);
    const b = product.get(id);
    if (!a) out.push(`${id}: only in the product's build`);
    else if (!b) out.push(`${id}: only in kubectl kustomize`);
    else {
      for (const field of ['podAnnotations', 'secretRefs', 'externalSecret', 'helmValues'] as const) {
        const ja = JSON.stringify(sortKeys(a[field]));
        const jb = JSON.stringify(sortKeys(b[field]));
        if (ja !== jb) out.push(`${id} ${field}: kubectl ${ja} / product ${jb}`);
      }
    }
  }
  return out;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isMap(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys(v[k])]),
  );
}

/** The outcome of one root: agreement, differences, or a refusal on either side. */
export type RootParity =
  | { root: string; status: 'same' }
  | { root: string; status: 'differs'; lines: string[] }
  | { root: string; status: 'both refuse'; kubectl: string; product: string }
  | { root: string; status: 'kubectl refuses'; kubectl: string; reported: string[] }
  | { root: string; status: 'product refuses'; product: string };

/**
 * Compares one root. `rendered` is kubectl's output, or its error when it refused. When kubectl refuses
 * and the product builds, the product must have reported something about a file the root reaches.
 */
export function compareRoot(
  product: ProductBuilds,
  root: string,
  rendered: { ok: true; text: string } | { ok: false; error: string },
): RootParity {
  const layer = product.layer(root);
  if ('refused' in layer) {
    if (!rendered.ok) return { root, status: 'both refuse', kubectl: rendered.error, product: layer.refused };
    return { root, status: 'product refuses', product: layer.refused };
  }
  if (!rendered.ok) {
    const reported = product.problems.map((p) => `${p.file}: ${p.message}`);
    return { root, status: 'kubectl refuses', kubectl: rendered.error, reported };
  }
  const lines = compareViews(
    kubectlViews(rendered.text, renamer(layer), renamer(layer, 'ConfigMap')),
    productViews(product, root, layer),
  );
  return lines.length === 0 ? { root, status: 'same' } : { root, status: 'differs', lines };
}

/** Runs `task` over `items` with at most `parallel` at a time, results in input order. */
export async function pool<T, R>(
  items: readonly T[],
  parallel: number,
  task: (t: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return out;
}
