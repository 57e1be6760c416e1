/**
 * What each kustomization of a repository builds, as far as discovery needs it (see roots.ts for what is
 * read and what is not). This file is the kustomize part of the root graph; roots.ts chooses the roots.
 *
 * Built without recursion over the depth of the graph: each kustomization being built is a generator
 * frame on an explicit stack, which yields the folder it needs next and is resumed with what that folder
 * builds. A chain of kustomizations 5,000 deep (which `kubectl kustomize` builds) then costs heap, not
 * call stack. A folder's build does not depend on who includes it, so it is memoised per folder;
 * a component is applied to what its includer has accumulated, so it is built each time.
 *
 * As kustomize does, a resource that arrives with the id (group, version, kind, name, namespace) of one
 * already accumulated refuses the kustomization, and with it every kustomization that includes it: the
 * same base reached twice through two layers (a diamond) or the same file listed twice
 * (`may not add resource with an already registered id`). A base reached twice under two name suffixes
 * has two ids, and builds. Depth, documents and bytes read are bounded (limits.ts): past a bound the
 * kustomization is refused the same way, naming the file.
 */
import { DEFAULT_ROOT_LIMITS, type RootLimits } from '../limits.js';
import { readYamlData } from '../yaml/fast-data.js';
import { applyJsonPatch, isJsonPatch, strategicMerge } from './kustomize-patch.js';
import type { ManifestDocument } from './parse.js';
import { baseName, joinPath } from './repo-paths.js';
import { get, isRecord, nonEmptyString as str } from './workloads.js';

type Data = Record<string, unknown>;

/** A folder's kustomization file and its data. */
export interface Kustomization {
  file: string;
  data: Data;
}

/** One document as a kustomization has built it so far. */
export interface Item {
  doc: ManifestDocument;
  data: unknown;
  /**
   * The name kustomize gives a ConfigMap or Secret after name prefixes and suffixes, when it differs
   * from `metadata.name` (discovery keeps the written name: see RENAMED_WITH_REFERENCES).
   */
  name?: string;
  /**
   * The name and namespace the object had when the last kustomization that renamed or moved it applied
   * its patches (set with that transformation): what a patch of that kustomization may name it by.
   */
  patchedAs?: { name: string; namespace: string | null };
  /**
   * Every id the object went by after its source document's and before its current one, oldest first:
   * kustomize applies a layer's namespace, then its prefix, then its suffix, and a strategic-merge patch
   * without a target names an object by any id in that history (so `p-web` names the copy `p-web-u` of
   * `web`); a `target` selects by the original or the current name only.
   */
  history?: readonly Id[];
}

interface Id {
  name: string;
  namespace: string | null;
}

/** A generated ConfigMap or Secret: its names (as written, and after prefix/suffix) and its files by key. */
export interface Generated {
  kind: 'ConfigMap' | 'Secret';
  names: Set<string>;
  files: Map<string, string>;
}

/** What a kustomization builds, and the bytes it read to build it (each include counted). */
export interface Layer {
  items: Item[];
  generated: Generated[];
  bytes: number;
}

/** A kustomization kustomize refuses to build: where it went wrong and why. */
export interface Refusal {
  refused: true;
  /** The kustomization file at which the build stopped. */
  file: string;
  message: string;
}

export type Built = Layer | Refusal;

export function isRefusal(built: Built): built is Refusal {
  return 'refused' in built;
}

/** Kinds kustomize leaves without a namespace. */
export const CLUSTER_SCOPED = new Set([
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

/** Kinds kustomize renames together with every reference to them (so the references discovery follows agree). */
const RENAMED_WITH_REFERENCES = new Set(['Secret', 'ConfigMap']);

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function isComponent(data: Data): boolean {
  return data.kind === 'Component';
}

/** A path that names a remote base: kustomize would fetch it; vault-rollout never does. */
function isRemote(entry: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ||
    /^(git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/.test(entry) ||
    /\?ref=|\/\/.*\?/.test(entry)
  );
}

export function withMeta(item: Item, changes: { name?: string; namespace?: string }): Item {
  const data = item.data as Data;
  const metadata = isRecord(data.metadata) ? data.metadata : {};
  const out: Item = { doc: item.doc, data: { ...data, metadata: { ...metadata, ...changes } } };
  if (item.name !== undefined) out.name = item.name;
  if (item.patchedAs !== undefined) out.patchedAs = item.patchedAs;
  if (item.history !== undefined) out.history = item.history;
  return out;
}

/**
 * A built object's id as kustomize prints it (`ConfigMap.v1.[noGrp]/cm.[noNs]`), where an object without
 * a namespace and one in `default` are the same; null for a document without a kind or a name.
 */
export function resourceId(item: Item): string | null {
  const data = item.data;
  if (!isRecord(data)) return null;
  const kind = str(data.kind);
  const name = item.name ?? str(get(data, ['metadata', 'name']));
  if (kind === null || name === null) return null;
  const apiVersion = String(data.apiVersion ?? '');
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const ns = CLUSTER_SCOPED.has(kind) ? '' : (str(get(data, ['metadata', 'namespace'])) ?? 'default');
  return `${kind}.${version || '[noVer]'}.${group || '[noGrp]'}/${name}.${ns || '[noNs]'}`;
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

/** Every id the object has gone by: its source document's, its history, its current one. */
function idsOf(item: Item): Id[] {
  const ns = (v: unknown) => str(v);
  return [
    {
      name: String(get(item.doc.data, ['metadata', 'name']) ?? ''),
      namespace: ns(get(item.doc.data, ['metadata', 'namespace'])),
    },
    ...(item.history ?? []),
    {
      name: item.name ?? String(get(item.data, ['metadata', 'name']) ?? ''),
      namespace: ns(get(item.data, ['metadata', 'namespace'])),
    },
  ];
}

/** Namespaces as kustomize compares ids: none and `default` are the same. */
function sameNamespace(a: string | null, b: string | null): boolean {
  return (a ?? 'default') === (b ?? 'default');
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
  const { name, namespace } = target;
  if (name !== undefined || namespace !== undefined) {
    // A target selects by the original or the current id only (kustomize's `Select`), not the ids between.
    const ids = idsOf(item);
    const named = [ids[0]!, ids[ids.length - 1]!].some(
      (id) =>
        (name === undefined || re(name, id.name)) &&
        (namespace === undefined || re(namespace, id.namespace ?? '')),
    );
    if (!named) return false;
  }
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
  const ns = str(get(patch, ['metadata', 'namespace']));
  return idsOf(item).some((id) => id.name === name && sameNamespace(id.namespace, ns));
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

/** UTF-8 length of a string, without encoding it. */
function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : c < 0x800 ? 1 : 0;
  }
  return n;
}

/** What a frame asks for: the build of a folder it includes, or a component applied to its layer. */
type Request =
  | { kind: 'resource'; dir: string; from: string }
  | { kind: 'component'; dir: string; entry: string; from: string; k: Kustomization; start: Layer };

type Steps = Generator<Request, Built, Built>;

interface Frame {
  dir: string;
  memoise: boolean;
  steps: Steps;
}

export interface KustomizeInput {
  texts: ReadonlyMap<string, string>;
  docsByFile: ReadonlyMap<string, readonly ManifestDocument[]>;
  /** Kustomization files by folder (one per folder). */
  kustomizations: ReadonlyMap<string, Kustomization>;
  /** Folders whose kustomization could not be read: included, but building nothing. */
  brokenDirs: ReadonlySet<string>;
  isDir: (path: string) => boolean;
  report: (file: string, message: string) => void;
  limits?: RootLimits;
}

const EMPTY: Layer = { items: [], generated: [], bytes: 0 };

/**
 * The kustomizations of one repository, built on demand and memoised.
 * @example const built = new KustomizeBuild(input).build('clusters/prod', 'clusters/prod');
 */
export class KustomizeBuild {
  /** Files kustomizations read as patches or generator input: never manifests of their own. */
  readonly inputs = new Set<string>();
  /** Folders a kustomization includes (as a resource or a component). */
  readonly included = new Set<string>();
  /** Files a kustomization names that are not among the files read (the caller may load them and retry). */
  readonly missing = new Set<string>();
  private readonly memo = new Map<string, Built>();
  private readonly building = new Set<string>();
  private readonly sizes = new Map<string, number>();
  private readonly limits: RootLimits;

  constructor(private readonly input: KustomizeInput) {
    this.limits = input.limits ?? DEFAULT_ROOT_LIMITS;
  }

  /** What the kustomization in `dir` builds (the same layer object every time: items are immutable). */
  build(dir: string, from: string): Built {
    const stack: Frame[] = [];
    let result = this.open({ kind: 'resource', dir, from }, stack);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      // A new frame's first `next` ignores its argument.
      const step = frame.steps.next(result as Built);
      if (step.done) {
        stack.pop();
        this.building.delete(frame.dir);
        if (frame.memoise) this.memo.set(frame.dir, step.value);
        result = step.value;
      } else result = this.open(step.value, stack);
    }
    return result!;
  }

  /**
   * Every file and folder a kustomization names, transitively, without building it: what a refused root
   * would have built is then neither a root of its own nor a manifest standing for itself.
   */
  reach(dir: string): Set<string> {
    const files = new Set<string>();
    const seen = new Set<string>([dir]);
    const todo = [dir];
    const { kustomizations, texts } = this.input;
    for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
      const k = kustomizations.get(next);
      if (!k) continue;
      const d = k.data;
      for (const entry of [...list(d.resources), ...list(d.bases), ...list(d.components)]) {
        const path = typeof entry === 'string' ? joinPath(next, entry) : null;
        if (path === null) continue;
        if (kustomizations.has(path) || this.input.brokenDirs.has(path)) {
          if (path !== dir) this.included.add(path);
          if (!seen.has(path)) {
            seen.add(path);
            todo.push(path);
          }
        } else if (texts.has(path)) files.add(path);
      }
      const named = [
        ...list(d.patchesStrategicMerge),
        ...[...list(d.patches), ...list(d.patchesJson6902)].map((p) => get(p, ['path'])),
        ...[...list(d.configMapGenerator), ...list(d.secretGenerator)].flatMap((g) =>
          list(get(g, ['files'])).map((f) => (typeof f === 'string' ? f.slice(f.indexOf('=') + 1) : f)),
        ),
      ];
      for (const rel of named) {
        if (typeof rel !== 'string' || rel.includes('\n')) continue;
        const path = joinPath(next, rel.trim());
        if (path !== null && texts.has(path)) this.inputs.add(path);
      }
    }
    return files;
  }

  private refuse(file: string, message: string): Refusal {
    return { refused: true, file, message };
  }

  /** Starts what `request` asks for: the answer now, or a frame pushed whose result is the answer. */
  private open(request: Request, stack: Frame[]): Built | undefined {
    const { dir } = request;
    if (request.kind === 'component') {
      if (this.building.has(dir)) {
        this.input.report(request.from, `kustomization cycle through component "${request.entry}": skipped`);
        return request.start;
      }
      if (stack.length >= this.limits.maxDepth) return this.tooDeep(request.k.file);
      this.building.add(dir);
      stack.push({ dir, memoise: false, steps: this.layer(dir, request.k, request.start) });
      return undefined;
    }
    const cached = this.memo.get(dir);
    if (cached) return cached;
    const k = this.input.kustomizations.get(dir);
    if (!k) return EMPTY;
    if (this.building.has(dir)) {
      this.input.report(
        k.file,
        `kustomization cycle through "${dir || '.'}" (from "${request.from}"): skipped`,
      );
      return EMPTY;
    }
    if (stack.length >= this.limits.maxDepth) return this.tooDeep(k.file);
    this.building.add(dir);
    stack.push({ dir, memoise: true, steps: this.layer(dir, k, EMPTY) });
    return undefined;
  }

  private tooDeep(file: string): Refusal {
    return this.refuse(
      file,
      `kustomizations are nested more than ${this.limits.maxDepth} deep here (MAX_KUSTOMIZE_DEPTH)`,
    );
  }

  private size(file: string): number {
    let n = this.sizes.get(file);
    if (n === undefined) this.sizes.set(file, (n = utf8Length(this.input.texts.get(file) ?? '')));
    return n;
  }

  private parseYaml(text: string, file: string): unknown[] | null {
    const read = readYamlData(text);
    if (read.ok) return read.docs;
    this.input.report(file, read.message);
    return null;
  }

  /** Parses a file a kustomization reads (a patch, a values file); null when it is not read. */
  parseText(file: string): unknown[] | null {
    const text = this.input.texts.get(file);
    if (text === undefined) return null;
    return this.parseYaml(text, file);
  }

  /**
   * One kustomization applied to `start` (empty for a folder's own build, its includer's layer for a
   * component), in kustomize's order: resources, generators, components, patches, namespace and names.
   */
  private *layer(dir: string, k: Kustomization, start: Layer): Steps {
    const { texts, docsByFile, kustomizations, brokenDirs, isDir, report } = this.input;
    const { maxDocuments, maxBytes } = this.limits;
    const d = k.data;
    const items = [...start.items];
    const generated = [...start.generated];
    let bytes = start.bytes + this.size(k.file);
    // Ids of what is accumulated, with the file each came from: kustomize refuses a second one.
    const ids = new Map<string, string>();
    for (const item of items) {
      const id = resourceId(item);
      if (id !== null) ids.set(id, item.doc.file);
    }
    const tooMuch = (): Refusal | null => {
      if (items.length > maxDocuments)
        return this.refuse(k.file, `builds more than ${maxDocuments} documents (MAX_ROOT_DOCUMENTS)`);
      if (bytes > maxBytes)
        return this.refuse(
          k.file,
          `reads more than ${maxBytes} bytes, counting each include (MAX_ROOT_BYTES)`,
        );
      return null;
    };
    const accumulate = (more: readonly Item[], entry: string): Refusal | null => {
      if (items.length + more.length > maxDocuments)
        return this.refuse(k.file, `builds more than ${maxDocuments} documents (MAX_ROOT_DOCUMENTS)`);
      for (const item of more) {
        const id = resourceId(item);
        if (id !== null) {
          const first = ids.get(id);
          if (first !== undefined) {
            const where =
              first === item.doc.file ? `"${first}" again` : `"${item.doc.file}" after "${first}"`;
            return this.refuse(
              k.file,
              `may not add resource with an already registered id: ${id} (${where}, through "${entry}")`,
            );
          }
          ids.set(id, item.doc.file);
        }
        items.push(item);
      }
      return null;
    };
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
        this.included.add(path);
        const sub = yield { kind: 'resource', dir: path, from: k.file };
        if (isRefusal(sub)) return sub;
        bytes += sub.bytes;
        const refused = accumulate(sub.items, entry) ?? tooMuch();
        if (refused) return refused;
        for (const g of sub.generated) generated.push(g);
      } else if (texts.has(path)) {
        bytes += this.size(path);
        const docs = (docsByFile.get(path) ?? []).filter((doc) => isRecord(doc.data));
        const refused =
          accumulate(
            docs.map((doc) => ({ doc, data: doc.data })),
            entry,
          ) ?? tooMuch();
        if (refused) return refused;
      } else if (brokenDirs.has(path)) {
        this.included.add(path);
      } else if (isDir(path)) {
        report(k.file, `resource "${entry}" is a folder without a kustomization file: kustomize refuses it`);
      } else {
        this.missing.add(path);
        report(k.file, `resource "${entry}" not found (or not selected by include/exclude)`);
      }
    }
    const generatorRefusal = this.generate(dir, k, generated);
    if (generatorRefusal) return generatorRefusal;
    let layer: Layer = { items, generated, bytes };
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
      this.included.add(path);
      const applied = yield { kind: 'component', dir: path, entry, from: k.file, k: c, start: layer };
      if (isRefusal(applied)) return applied;
      layer = applied;
    }
    const patched = this.patch(dir, k, layer.items, layer.generated);
    bytes = layer.bytes + patched.bytes;
    if (bytes > maxBytes)
      return this.refuse(k.file, `reads more than ${maxBytes} bytes, counting each include (MAX_ROOT_BYTES)`);
    let out = patched.items;
    const namespace = str(d.namespace);
    const prefix = typeof d.namePrefix === 'string' ? d.namePrefix : '';
    const suffix = typeof d.nameSuffix === 'string' ? d.nameSuffix : '';
    if (namespace !== null || prefix || suffix) {
      out = out.map((item) => {
        const o = item.data as Data;
        const kind = String(o.kind ?? '');
        const changes: { name?: string; namespace?: string } = {};
        if (namespace !== null && !CLUSTER_SCOPED.has(kind)) changes.namespace = namespace;
        const name = get(o, ['metadata', 'name']);
        const before: Id = {
          name: item.name ?? String(name ?? ''),
          namespace: str(get(o, ['metadata', 'namespace'])),
        };
        // The ids between: before the namespace, before the prefix, before the suffix.
        const history = [...(item.history ?? []), before];
        if (changes.namespace !== undefined && (prefix || suffix))
          history.push({ name: before.name, namespace: changes.namespace });
        if (prefix && suffix)
          history.push({ name: `${prefix}${before.name}`, namespace: changes.namespace ?? before.namespace });
        let renamed: Item = { ...item, patchedAs: before, history };
        if ((prefix || suffix) && typeof name === 'string') {
          if (!RENAMED_WITH_REFERENCES.has(kind)) changes.name = `${prefix}${name}${suffix}`;
          else renamed = { ...renamed, name: `${prefix}${item.name ?? name}${suffix}` };
        }
        return Object.keys(changes).length > 0 ? withMeta(renamed, changes) : renamed;
      });
      // Layers are shared (memoised): the renamed generators are new objects.
      const renamed = layer.generated.map((g) => ({
        ...g,
        names: new Set([...g.names, ...[...g.names].map((n) => `${prefix}${n}${suffix}`)]),
      }));
      return { items: out, generated: renamed, bytes };
    }
    return { items: out, generated: layer.generated, bytes };
  }

  /**
   * The kustomization's `configMapGenerator` / `secretGenerator` entries, added to `generated` (a `merge`
   * or `replace` updates the one object of that name generated below it); a refusal when kustomize would
   * refuse the merge.
   */
  private generate(dir: string, k: Kustomization, generated: Generated[]): Refusal | null {
    const d = k.data;
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
          this.inputs.add(path);
          files.set(eq >= 0 ? f.slice(0, eq) : baseName(rel), path);
        }
        const behavior = str(get(g, ['behavior'])) ?? 'create';
        if (behavior !== 'merge' && behavior !== 'replace') {
          generated.push({ kind, names: new Set([name]), files });
          continue;
        }
        // kustomize merges into (or replaces) the one generated object that went by this name; none, or
        // several (a base built twice under two suffixes), and it refuses the build.
        const at = generated.flatMap((x, i) => (x.kind === kind && x.names.has(name) ? [i] : []));
        if (at.length !== 1)
          return this.refuse(
            k.file,
            at.length === 0
              ? `${field} "${name}" has behavior ${behavior}, but no ${kind} of that name was generated below it`
              : `${field} "${name}" has behavior ${behavior}, and ${at.length} generated ${kind}s go by that name`,
          );
        const into = generated[at[0]!]!;
        generated[at[0]!] = {
          ...into,
          files: behavior === 'replace' ? files : new Map([...into.files, ...files]),
        };
      }
    }
    return null;
  }

  /** The kustomization's patches, in kustomize's order of fields, and the bytes of the patches it read. */
  private patch(
    dir: string,
    k: Kustomization,
    start: Item[],
    generated: readonly Generated[],
  ): { items: Item[]; bytes: number } {
    const { texts, report } = this.input;
    const d = k.data;
    let items = start;
    // Generated ConfigMaps and Secrets are not among the items: a patch naming one is not reported.
    const generates = (p: Data) =>
      generated.some((g) => g.kind === p.kind && g.names.has(String(get(p, ['metadata', 'name']) ?? '')));
    let bytes = 0;
    const loaded = (entry: unknown, what: string): unknown[] | null => {
      if (typeof entry === 'string') {
        // patchesStrategicMerge: a file path, or the patch inline.
        if (!entry.includes('\n') && /\.(ya?ml|json)$/i.test(entry.trim())) return fromFile(entry.trim());
        return this.parseYaml(entry, k.file);
      }
      if (!isRecord(entry)) return null;
      if (typeof entry.patch === 'string') return this.parseYaml(entry.patch, k.file);
      if (typeof entry.path === 'string') return fromFile(entry.path);
      report(k.file, `${what} entry without "path" or "patch": skipped`);
      return null;
    };
    const fromFile = (rel: string): unknown[] | null => {
      const path = joinPath(dir, rel);
      if (path === null || !texts.has(path)) {
        if (path !== null) this.missing.add(path);
        report(k.file, `patch "${rel}" not found (or not selected by include/exclude)`);
        return null;
      }
      this.inputs.add(path);
      bytes += this.size(path);
      return this.parseText(path);
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
            return { ...item, data: applyJsonPatch(item.data, (first ?? []) as never) };
          } catch (err) {
            report(
              k.file,
              `JSON 6902 patch does not apply to ${describe(item)}: ${(err as Error).message}; kustomize refuses this build`,
            );
            return item;
          }
        });
        return;
      }
      for (const p of docs) {
        if (!isRecord(p)) continue;
        if (!t) {
          // Without a target, kustomize patches the one object the patch names, and refuses the build
          // when it names none or several (one base built twice, named by its original name).
          const matches = items.filter((item) => names(p, item)).length;
          if (matches !== 1 && !(matches === 0 && generates(p))) {
            report(
              k.file,
              `strategic-merge patch ${String(p.kind ?? '?')}/${String(get(p, ['metadata', 'name']) ?? '?')} ${
                matches === 0 ? 'matches no object' : `matches ${matches} objects`
              }: kustomize refuses this build; not applied`,
            );
            continue;
          }
        }
        items = items.flatMap((item) => {
          if (t ? !selects(t, item) : !names(p, item)) return [item];
          // The object keeps its current name and namespace, whichever of its ids the patch names.
          const merged = strategicMerge(item.data, withoutIdentity(p));
          return merged === undefined ? [] : [{ ...item, data: merged }];
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
    return { items, bytes };
  }
}
