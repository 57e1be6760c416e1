/**
 * The deployment graph: which folders of this repository Flux and Argo CD deploy. A deployment object —
 * a Flux `Kustomization` (`kustomize.toolkit.fluxcd.io`, `spec.path` from the repository's top), an Argo
 * CD `Application` (`spec.source.path`, `spec.sources[].path`) or `ApplicationSet` (applicationset.ts) —
 * names folders; each named folder is a render root, and the deployment objects that root builds name
 * further roots (app of apps, a Flux cluster folder over `apps/…`), followed until nothing new is named.
 *
 * Which repository a deployment object reads cannot always be known: Flux's `sourceRef` names a
 * GitRepository object, and an Argo CD `repoURL` is written in many forms. The rule here: Flux reads this
 * repository through the GitRepository `flux-system` (the name `flux bootstrap` gives it) when any
 * Kustomization uses that name, else through any GitRepository; an Argo CD source is this repository when
 * its path is a folder of it. Paths that name no folder of this repository are left alone (another
 * repository's); a Flux Kustomization on another GitRepository whose path happens to exist here is
 * reported, since it may be this repository under a second name.
 */
import type { ManifestDocument } from './parse.js';
import { expandApplicationSet } from './applicationset.js';
import { joinPath } from './repo-paths.js';
import { get, isRecord, nonEmptyString as str } from './workloads.js';

/** What the deployment graph needs of the repository. */
export interface RepoView {
  /** Every folder holding files ('' included). */
  dirs: ReadonlySet<string>;
  hasFile(path: string): boolean;
  report(file: string, message: string): void;
}

/** One folder a deployment object deploys, and how the tool reads it. */
export interface DeploymentTarget {
  dir: string;
  /** Whether files in subfolders count (Flux always; Argo CD with `directory.recurse`). */
  recurse: boolean;
  /** Flux's `targetNamespace`. */
  namespace: string | null;
  /** The file of the deployment object. */
  by: string;
}

/** How a root is reached: the deployment object's file, and the root whose build holds it (null: none). */
export interface Reach {
  file: string;
  from: string | null;
}

/** A set of documents deployed together: the build of one root (`from` its folder), or entry files (null). */
export interface DeployedSet {
  from: string | null;
  documents: readonly ManifestDocument[];
}

const FLUX_OWN_SOURCE = 'flux-system';

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function isFluxKustomization(o: unknown): o is Record<string, unknown> {
  return (
    isRecord(o) &&
    o.kind === 'Kustomization' &&
    String(o.apiVersion ?? '').startsWith('kustomize.toolkit.fluxcd.io/')
  );
}

export function isArgoApp(o: unknown): o is Record<string, unknown> {
  return (
    isRecord(o) &&
    (o.kind === 'Application' || o.kind === 'ApplicationSet') &&
    String(o.apiVersion ?? '').startsWith('argoproj.io/')
  );
}

/** Whether a document deploys folders (a Flux Kustomization, an Argo CD Application or ApplicationSet). */
export function isDeploymentObject(o: unknown): boolean {
  return isFluxKustomization(o) || isArgoApp(o);
}

/**
 * Reads the deployment objects of a repository, as written (or as a root builds them), into the folders
 * they deploy. Chart values files an Argo CD source names (`helm.valueFiles`) are collected on the way.
 */
export class DeploymentReader {
  /** Files that are chart values of an Argo CD Application (`helm.valueFiles`). */
  readonly namedValues = new Set<string>();
  private readonly fluxSources: ReadonlySet<string> | null;
  private readonly reported = new Set<string>();

  constructor(
    private readonly repo: RepoView,
    all: readonly ManifestDocument[],
  ) {
    const used = all.flatMap((d) =>
      isFluxKustomization(d.data) ? [str(get(d.data, ['spec', 'sourceRef', 'name'])) ?? ''] : [],
    );
    this.fluxSources = used.includes(FLUX_OWN_SOURCE) ? new Set([FLUX_OWN_SOURCE]) : null;
  }

  /** The folders one document deploys (none for any other document). */
  targets(doc: ManifestDocument): DeploymentTarget[] {
    const o = doc.data;
    if (isFluxKustomization(o)) return this.flux(doc, o);
    if (isArgoApp(o)) return this.argo(doc, o);
    return [];
  }

  private flux(doc: ManifestDocument, o: Record<string, unknown>): DeploymentTarget[] {
    const path = this.folder(get(o, ['spec', 'path']) ?? './');
    if (path === null) return [];
    const kind = str(get(o, ['spec', 'sourceRef', 'kind'])) ?? 'GitRepository';
    const name = str(get(o, ['spec', 'sourceRef', 'name'])) ?? '';
    if (kind !== 'GitRepository') return [];
    if (this.fluxSources !== null && !this.fluxSources.has(name)) {
      this.once(
        doc.file,
        `Flux Kustomization "${String(get(o, ['metadata', 'name']) ?? '')}" reads GitRepository "${name}", not this repository's "${FLUX_OWN_SOURCE}": its path "${path || '.'}" is not followed`,
      );
      return [];
    }
    const namespace = str(get(o, ['spec', 'targetNamespace']));
    return [{ dir: path, recurse: true, namespace, by: doc.file }];
  }

  private argo(doc: ManifestDocument, o: Record<string, unknown>): DeploymentTarget[] {
    const spec = o.kind === 'Application' ? o.spec : get(o, ['spec', 'template', 'spec']);
    const sources = [get(spec, ['source']), ...list(get(spec, ['sources']))].filter(isRecord);
    const out: DeploymentTarget[] = [];
    const raw: { path: string; recurse: boolean }[] = [];
    for (const s of sources) {
      if (typeof s.path !== 'string') continue;
      this.valueFiles(s);
      // A chart (from a Helm repository or a chart folder) is not built by kustomize.
      if (s.chart !== undefined || s.helm !== undefined) continue;
      raw.push({ path: s.path, recurse: get(s, ['directory', 'recurse']) === true });
    }
    if (o.kind === 'ApplicationSet' && raw.some((r) => r.path.includes('{{'))) {
      const expanded = expandApplicationSet(
        raw.map((r) => r.path),
        get(o, ['spec', 'generators']),
        [...this.repo.dirs],
      );
      for (const why of expanded.unsupported)
        this.once(
          doc.file,
          `ApplicationSet "${String(get(o, ['metadata', 'name']) ?? '')}": ${why}; the folders it deploys from there are not followed`,
        );
      const recurse = raw.some((r) => r.recurse);
      raw.splice(0, raw.length, ...expanded.paths.map((path) => ({ path, recurse })));
    }
    for (const r of raw) {
      const dir = this.folder(r.path);
      if (dir !== null && !this.repo.hasFile(`${dir ? `${dir}/` : ''}Chart.yaml`))
        out.push({ dir, recurse: r.recurse, namespace: null, by: doc.file });
    }
    return out;
  }

  private valueFiles(s: Record<string, unknown>): void {
    const base = typeof s.path === 'string' ? joinPath('', s.path) : null;
    for (const v of list(get(s, ['helm', 'valueFiles']))) {
      if (typeof v !== 'string' || base === null) continue;
      const file = joinPath(base, v);
      if (file !== null && this.repo.hasFile(file)) this.namedValues.add(file);
    }
  }

  /** A path as a folder of this repository, or null (a template, a variable, another repository's). */
  private folder(raw: unknown): string | null {
    if (typeof raw !== 'string' || raw.includes('{{') || raw.includes('$')) return null;
    const path = joinPath('', raw);
    return path !== null && this.repo.dirs.has(path) ? path : null;
  }

  private once(file: string, message: string): void {
    const key = `${file}\0${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.repo.report(file, message);
  }
}

/**
 * Follows deployment objects from the entry sets to every folder they reach, transitively: `open` makes a
 * named folder a root and returns what it builds (null when it is no root: a component, a broken or
 * refused kustomization), whose deployment objects are followed in turn.
 * @returns for each root reached, how (deployment object file, and the root that builds it)
 * @example const reached = walkDeployments(reader, [{ from: null, documents: entryDocs }], open);
 */
export function walkDeployments(
  reader: DeploymentReader,
  entries: readonly DeployedSet[],
  open: (target: DeploymentTarget) => readonly ManifestDocument[] | null,
): Map<string, Reach[]> {
  const reached = new Map<string, Reach[]>();
  const opened = new Set<string>();
  const queue = [...entries];
  for (let set = queue.shift(); set; set = queue.shift()) {
    for (const doc of set.documents) {
      for (const target of reader.targets(doc)) {
        const reach = { file: doc.file, from: set.from };
        const known = reached.get(target.dir);
        if (known) {
          if (!known.some((r) => r.file === reach.file && r.from === reach.from)) known.push(reach);
        } else reached.set(target.dir, [reach]);
        if (opened.has(target.dir)) continue;
        opened.add(target.dir);
        const documents = open(target);
        if (documents) queue.push({ from: target.dir, documents });
      }
    }
  }
  return reached;
}
