/**
 * The real kustomize as a test oracle: find the render roots of a repository the way docs/kustomize.md
 * ("Render roots") defines them, build each with `kubectl kustomize` (kustomize v5.5 is
 * inside kubectl), and diff two builds object by object down to leaf fields, so a test can assert "this
 * run changed only these annotations and these pins".
 *
 * Every kubectl child is spawned asynchronously: the test servers run in the test process
 * too, so a synchronous spawn would block the event loop that has to answer them.
 *
 * @example
 * const describeIfKubectl = kubectlDescribe();
 * describeIfKubectl('overlays', () => {
 *   it('renders', async () => {
 *     const before = await renderAll(dir);
 *     // ... run the CLI ...
 *     const diff = diffRenders(before.get('clusters/dev/apps/web')!, (await renderAll(dir)).get('clusters/dev/apps/web')!);
 *   });
 * });
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { delimiter, join, posix, relative, sep } from 'node:path';
import { describe } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { KUSTOMIZATION_NAMES } from '../../src/core/discover/kustomization-names.js';

/** The names kustomize accepts for a kustomization file, in its order of preference (the product's list). */
export const KUSTOMIZATION_FILES = KUSTOMIZATION_NAMES;

/** Whether an executable `kubectl` is on PATH (a file check: no child process). */
export function hasKubectl(): boolean {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'kubectl'), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/**
 * `describe` when kubectl is on PATH, else `describe.skip` after a visible warning, so a machine without
 * kubectl says why the oracle tests did not run.
 */
export const describeIfKubectl: typeof describe = hasKubectl()
  ? describe
  : (() => {
      console.warn('kubectl not found: skipping kustomize oracle tests');
      return describe.skip as typeof describe;
    })();

/** `kubectl kustomize <dir>`: the built YAML (stdout). Rejects with kustomize's error on a failed build. */
export function renderRoot(dir: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn('kubectl', ['kustomize', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', fail);
    child.on('close', (code) => {
      // kustomize prints deprecation warnings (`patchesStrategicMerge`) on stderr; only the exit code counts.
      if (code === 0) done(Buffer.concat(out).toString('utf8'));
      else fail(new Error(`kubectl kustomize ${dir} exited ${code}: ${Buffer.concat(err).toString('utf8')}`));
    });
  });
}

const SKIP_DIRS = new Set(['.git', 'node_modules']);

/** Every file under `dir`, repo-relative with `/` separators, sorted. */
export async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(e.name)) continue;
    const abs = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(abs, base)));
    else if (e.isFile()) out.push(relative(base, abs).split(sep).join('/'));
  }
  return out.sort();
}

/** A remote base kustomize would fetch (never followed here). */
function isRemote(ref: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) ||
    /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(ref) ||
    /^git@/.test(ref)
  );
}

function plainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Parses every document of a YAML text; documents with errors are skipped. */
function objectsOf(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) continue;
    const js: unknown = doc.toJS();
    if (plainObject(js)) out.push(js);
  }
  return out;
}

/** Normalises a repo-relative folder path (`./apps/x/` → `apps/x`, `.` → ``). */
function normFolder(p: string): string {
  const n = posix.normalize(p.replace(/\\/g, '/')).replace(/\/+$/, '');
  return n === '.' ? '' : n.replace(/^\.\//, '');
}

export interface RepoRoots {
  /** Kustomization folders that no other kustomization includes, plus named ones; repo-relative, sorted. */
  roots: string[];
  /** Every kustomization folder (roots and the bases/components they include). */
  kustomizations: string[];
  /** Folders named by a Flux `Kustomization` or an Argo CD `Application`/`ApplicationSet`. */
  named: string[];
  /** Named folders without a kustomization file (kustomize cannot build them; not in `roots`). */
  namedWithoutKustomization: string[];
  /** Remote resources (URLs) found in kustomizations, `folder: ref`. */
  remote: string[];
}

/** Source paths of Flux Kustomizations and Argo CD Applications / ApplicationSets in one object. */
function namedPaths(o: Record<string, unknown>): string[] {
  const api = String(o['apiVersion'] ?? '');
  const spec = plainObject(o['spec']) ? o['spec'] : {};
  if (o['kind'] === 'Kustomization' && api.startsWith('kustomize.toolkit.fluxcd.io/')) {
    return typeof spec['path'] === 'string' ? [spec['path']] : [];
  }
  if (!api.startsWith('argoproj.io/')) return [];
  let appSpec: Record<string, unknown> | undefined;
  if (o['kind'] === 'Application') appSpec = spec;
  if (
    o['kind'] === 'ApplicationSet' &&
    plainObject(spec['template']) &&
    plainObject(spec['template']['spec'])
  )
    appSpec = spec['template']['spec'];
  if (!appSpec) return [];
  const sources = [appSpec['source'], ...asList(appSpec['sources'])];
  return sources
    .filter(plainObject)
    .map((s) => s['path'])
    .filter((p): p is string => typeof p === 'string' && !p.includes('{{'));
}

/**
 * The render roots of a repository checkout: kustomization folders
 * not included by any other kustomization's `resources`/`bases`/`components`, plus the folders that Flux
 * `Kustomization.spec.path` or Argo CD `Application(Set)` source paths name (when they hold a
 * kustomization file). Manifests no kustomization includes (the flat case) are not listed: kustomize
 * does not build them.
 */
export async function findRoots(repoDir: string): Promise<RepoRoots> {
  const files = await listFiles(repoDir);
  const kustomizations = new Map<string, string>();
  for (const f of files) {
    const name = posix.basename(f);
    const folder = normFolder(posix.dirname(f));
    if ((KUSTOMIZATION_FILES as readonly string[]).includes(name) && !kustomizations.has(folder)) {
      kustomizations.set(folder, f);
    }
  }
  const included = new Set<string>();
  const remote: string[] = [];
  for (const [folder, file] of kustomizations) {
    const [k] = objectsOf(await readFile(join(repoDir, file), 'utf8'));
    if (!k || String(k['apiVersion'] ?? '').startsWith('kustomize.toolkit.fluxcd.io/')) continue;
    for (const ref of [...asList(k['resources']), ...asList(k['bases']), ...asList(k['components'])]) {
      if (typeof ref !== 'string') continue;
      if (isRemote(ref)) {
        remote.push(`${folder}: ${ref}`);
        continue;
      }
      const target = normFolder(posix.join(folder, ref));
      if (kustomizations.has(target)) included.add(target);
    }
  }
  const named = new Set<string>();
  for (const f of files) {
    if (!/\.ya?ml$/.test(f)) continue;
    const text = await readFile(join(repoDir, f), 'utf8');
    if (!/fluxcd\.io|argoproj\.io/.test(text)) continue;
    for (const o of objectsOf(text)) for (const p of namedPaths(o)) named.add(normFolder(p));
  }
  const roots = new Set([...kustomizations.keys()].filter((k) => !included.has(k)));
  const namedWithoutKustomization: string[] = [];
  for (const n of named) {
    if (kustomizations.has(n)) roots.add(n);
    else namedWithoutKustomization.push(n);
  }
  return {
    roots: [...roots].sort(),
    kustomizations: [...kustomizations.keys()].sort(),
    named: [...named].sort(),
    namedWithoutKustomization: namedWithoutKustomization.sort(),
    remote,
  };
}

/** Builds every root of `repoDir` (two at a time); root folder (repo-relative) → `kubectl kustomize` output. */
export async function renderAll(repoDir: string, roots?: readonly string[]): Promise<Map<string, string>> {
  const list = roots ?? (await findRoots(repoDir)).roots;
  const out = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const root = list[next++]!;
      out.set(root, await renderRoot(join(repoDir, root)));
    }
  };
  await Promise.all([worker(), worker()]);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** One changed leaf of an object. `undefined` means absent on that side. */
export interface LeafChange {
  /** Human form: `spec.data[0].remoteRef.version`, `metadata.annotations["vault-rollout/secret-versions"]`. */
  path: string;
  /** The same path as segments (keys and list indexes); inside an embedded YAML string it goes on. */
  segments: (string | number)[];
  old: unknown;
  new: unknown;
}

/** Per object `Kind/namespace/name` (namespace empty when unset), the leaves that differ. */
export type RenderDiff = Map<string, LeafChange[]>;

export interface DiffOptions {
  /**
   * Compare generated ConfigMap/Secret names without kustomize's content hash (`redis-values-m824m2h6hf`
   * → `redis-values-<hash>`) everywhere in the build, so editing a generator's file shows as a data change
   * rather than an object removed and another added. Default true.
   */
  normalizeGeneratedNames?: boolean;
  /**
   * When a string leaf holds a YAML mapping on both sides (a `configMapGenerator` values file), diff inside
   * it: the segments go on into the embedded document. Default true.
   */
  embeddedYaml?: boolean;
}

export function objectKey(o: Record<string, unknown>): string {
  const meta = plainObject(o['metadata']) ? o['metadata'] : {};
  return `${String(o['kind'] ?? '')}/${String(meta['namespace'] ?? '')}/${String(meta['name'] ?? '')}`;
}

const HASHED = /^(.+)-([a-z0-9]{10})$/;

function renameStrings(v: unknown, names: Map<string, string>): unknown {
  if (typeof v === 'string') return names.get(v) ?? v;
  if (Array.isArray(v)) return v.map((x) => renameStrings(x, names));
  if (plainObject(v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renameStrings(x, names)]));
  return v;
}

/** Render text → objects by key (generated names normalised if asked). */
export function renderObjects(text: string, opts: DiffOptions = {}): Map<string, Record<string, unknown>> {
  let objects = objectsOf(text);
  if (opts.normalizeGeneratedNames ?? true) {
    const names = new Map<string, string>();
    for (const o of objects) {
      if (o['kind'] !== 'ConfigMap' && o['kind'] !== 'Secret') continue;
      const name = plainObject(o['metadata']) ? o['metadata']['name'] : undefined;
      const m = typeof name === 'string' ? HASHED.exec(name) : null;
      if (m) names.set(m[0], `${m[1]}-<hash>`);
    }
    if (names.size > 0) objects = objects.map((o) => renameStrings(o, names) as Record<string, unknown>);
  }
  const out = new Map<string, Record<string, unknown>>();
  for (const o of objects) {
    const key = objectKey(o);
    if (out.has(key)) throw new Error(`two objects ${key} in one build`);
    out.set(key, o);
  }
  return out;
}

export function formatPath(segments: readonly (string | number)[]): string {
  let s = '';
  for (const seg of segments) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) s += s === '' ? seg : `.${seg}`;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s;
}

function embeddedMap(v: string): Record<string, unknown> | undefined {
  if (!v.includes('\n')) return undefined;
  const docs = parseAllDocuments(v);
  if (docs.length !== 1 || docs[0]!.errors.length > 0) return undefined;
  const js: unknown = docs[0]!.toJS();
  return plainObject(js) ? js : undefined;
}

function diffValues(
  a: unknown,
  b: unknown,
  segments: (string | number)[],
  out: LeafChange[],
  opts: DiffOptions,
): void {
  // A map or list present on one side only: its leaves are the changes (an annotation added under a
  // template that had no `annotations` shows as that one key).
  if (a === undefined && (plainObject(b) || Array.isArray(b))) a = Array.isArray(b) ? [] : {};
  if (b === undefined && (plainObject(a) || Array.isArray(a))) b = Array.isArray(a) ? [] : {};
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++)
      diffValues(a[i], b[i], [...segments, i], out, opts);
    return;
  }
  if (plainObject(a) && plainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) diffValues(a[k], b[k], [...segments, k], out, opts);
    return;
  }
  if (a === b) return;
  if ((opts.embeddedYaml ?? true) && typeof a === 'string' && typeof b === 'string') {
    const ea = embeddedMap(a);
    const eb = embeddedMap(b);
    if (ea && eb) return diffValues(ea, eb, segments, out, opts);
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  out.push({ path: formatPath(segments), segments, old: a, new: b });
}

/**
 * The leaf-level difference of two builds of one root: per object (`Kind/namespace/name`) that differs,
 * the changed leaves with old and new values. An object only in `after` is one change at path `` with
 * `old: undefined`; one only in `before` the reverse.
 */
export function diffRenders(before: string, after: string, opts: DiffOptions = {}): RenderDiff {
  const a = renderObjects(before, opts);
  const b = renderObjects(after, opts);
  const out: RenderDiff = new Map();
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const changes: LeafChange[] = [];
    const oa = a.get(key);
    const ob = b.get(key);
    if (oa === undefined || ob === undefined) changes.push({ path: '', segments: [], old: oa, new: ob });
    else diffValues(oa, ob, [], changes, opts);
    if (changes.length > 0) out.set(key, changes);
  }
  return out;
}

/** The changes `allowed` does not accept, as `Kind/ns/name path: old -> new` lines (empty when all are). */
export function unexpectedChanges(
  diff: RenderDiff,
  allowed: (objectKey: string, change: LeafChange) => boolean,
): string[] {
  const out: string[] = [];
  for (const [key, changes] of diff) {
    for (const c of changes) {
      if (!allowed(key, c))
        out.push(`${key} ${c.path}: ${JSON.stringify(c.old)} -> ${JSON.stringify(c.new)}`);
    }
  }
  return out;
}

/** Whether a change is the annotation `key` (under any `annotations` map: metadata, pod template, values). */
export function isAnnotation(change: LeafChange, key: string): boolean {
  const s = change.segments;
  return s.at(-1) === key && /annotations$/i.test(String(s.at(-2)));
}

/** Folder exists and holds a kustomization file. */
export async function isKustomizationFolder(dir: string): Promise<boolean> {
  for (const f of KUSTOMIZATION_FILES) {
    try {
      if ((await stat(join(dir, f))).isFile()) return true;
    } catch {
      // try the next name
    }
  }
  return false;
}
