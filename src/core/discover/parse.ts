/**
 * Files → YAML documents. A file that is a Helm chart template, or that has any YAML error (syntax,
 * duplicate keys), is reported and skipped as a whole, so it is never edited (nor rewritten).
 * `{{ }}` inside valid YAML is ordinary text.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Document } from 'yaml';
import type { Problem, RepoFile } from '../model.js';
import { fastManifestData } from '../yaml/fast-data.js';
import { parseManifestStream } from '../yaml/options.js';

/** Line and column, 1-based. */
export interface Position {
  line: number;
  column: number;
}

/** One YAML document of a manifest file. */
export interface ManifestDocument {
  file: string;
  /** Position in `parseAllDocuments` (0-based, empty documents included): the YAML editor's address. */
  index: number;
  /** The document as plain data; null for an empty document. */
  data: unknown;
  /** Where the node at `path` starts (the value, or with `key` its key), for problems. */
  position(path: readonly (string | number)[], key?: boolean): Position | undefined;
  /**
   * Set on a document as a render root builds it (roots.ts): the root's folder. `data` is then what the root
   * makes of it (patches, namespace, name prefix and suffix applied); `file` and `index` stay the source's.
   */
  root?: string;
  /** A HelmRelease's chart values from the root's generators (`valuesFrom`), under its `spec.values`. */
  valuesFrom?: Record<string, unknown>;
  /**
   * Set on each copy of a document a root builds more than once (one base through two layers with
   * different name suffixes): the name and namespace a patch in the root's kustomization names this copy by.
   */
  copy?: { name: string; namespace: string | null };
}

export interface ParsedFiles {
  documents: ManifestDocument[];
  /** Every document's data of the files read on the js-yaml fast path (the editor can reuse it). */
  fastData: Map<string, unknown[]>;
  problems: Problem[];
  /** Documents in the files that were read (skipped files count none). */
  documentCount: number;
}

export const HELM_TEMPLATE_MESSAGE = 'Helm chart template: skipped (not rendered here)';

/** Folders that hold a `Chart.yaml`, i.e. Helm chart roots ('' for the repo root). */
function chartRoots(files: readonly RepoFile[]): Set<string> {
  const roots = new Set<string>();
  for (const f of files) {
    if (f.path === 'Chart.yaml') roots.add('');
    else if (f.path.endsWith('/Chart.yaml')) roots.add(f.path.slice(0, -'/Chart.yaml'.length));
  }
  return roots;
}

/** True when `path` sits (at any depth) in a `templates/` folder; with `roots`, only a chart's own one. */
function inTemplatesFolder(path: string, roots?: ReadonlySet<string>): boolean {
  const segments = path.split('/');
  for (let i = 0; i < segments.length - 1; i++) {
    if (segments[i] !== 'templates') continue;
    if (!roots || roots.has(segments.slice(0, i).join('/'))) return true;
  }
  return false;
}

/**
 * A document can only matter if the file names a kind a source reads: workloads, `List`, Helm-based apps
 * (HelmRelease, Application), and the objects the Secret graph follows (ExternalSecret and its stores,
 * VaultStaticSecret, SecretProviderClass). Secrets and
 * ConfigMaps matter only with argocd-vault-plugin placeholders (`<path:`) or annotations
 * (`avp.kubernetes.io`) or Vault Agent templates (`{{ with secret`, Bank-Vaults' agent ConfigMaps), so
 * those strings are matched instead of their kinds. A file without any is never
 * edited, so it is not parsed: half the files of a typical GitOps repo (ConfigMaps, Services, Flux and
 * Argo CD objects) cost one regex test instead of a YAML parse. Quotes and JSON (`"kind": "Deployment"`) are
 * matched too.
 */
export const RELEVANT_KINDS =
  /\bkind["']?\s*:\s*["']?(?:Deployment|StatefulSet|DaemonSet|ReplicaSet|Rollout|CronJob|List|ExternalSecret|ClusterExternalSecret|SecretStore|ClusterSecretStore|VaultStaticSecret|SecretProviderClass|HelmRelease|Application)\b|<path:|avp\.kubernetes\.io\/|\{\{-?\s*(?:with\s+)?secret\s/;

/**
 * Parses every file that can hold a relevant document; see the module comment for what is skipped.
 * @param also files to parse although they name no relevant kind (chart values files, discover.ts)
 */
export function parseManifests(
  files: readonly RepoFile[],
  relevant: RegExp = RELEVANT_KINDS,
  also: (file: RepoFile) => boolean = () => false,
): ParsedFiles {
  const roots = chartRoots(files);
  const documents: ManifestDocument[] = [];
  const fastData = new Map<string, unknown[]>();
  const problems: Problem[] = [];
  let documentCount = 0;

  for (const file of files) {
    if (inTemplatesFolder(file.path, roots)) {
      problems.push({ file: file.path, severity: 'warning', message: HELM_TEMPLATE_MESSAGE });
      continue;
    }
    if (!relevant.test(file.text) && !also(file)) continue;
    const fast = fastManifestData(file.text);
    if (fast) {
      fastData.set(file.path, fast);
      const finder = lazyPositions(file.text);
      fast.forEach((data, index) =>
        documents.push({ file: file.path, index, data, position: (path, key) => finder(index, path, key) }),
      );
      documentCount += fast.length;
      continue;
    }
    const lineCounter = new LineCounter();
    // merge: Kubernetes' YAML reader (go-yaml) resolves `<<` merge keys, so the data view does too.
    // prettyErrors off: one-line messages; the line comes from the LineCounter.
    const docs = parseManifestStream(file.text, { prettyErrors: false, lineCounter });
    const failed = firstError(docs, lineCounter);
    if (failed) {
      // Unrendered Helm outside a chart we can see (Chart.yaml excluded by the globs, or a copied chart).
      const helm = file.text.includes('{{') && inTemplatesFolder(file.path);
      problems.push(
        helm
          ? { file: file.path, severity: 'warning', message: HELM_TEMPLATE_MESSAGE }
          : {
              file: file.path,
              severity: 'warning',
              message: `not valid YAML: ${failed.message} (line ${failed.line})`,
              line: failed.line,
              column: failed.column,
            },
      );
      continue;
    }
    const fileDocs: ManifestDocument[] = [];
    const finder = lazyPositions(file.text);
    try {
      docs.forEach((doc, index) => {
        const data: unknown = doc.toJS({ maxAliasCount: 1000 }) ?? null;
        fileDocs.push({
          file: file.path,
          index,
          data,
          position: (path, key) => finder(index, path, key),
        });
      });
    } catch (err) {
      // e.g. an alias bomb ("Excessive alias count"): treat the file like invalid YAML.
      const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      problems.push({ file: file.path, severity: 'warning', message: `not valid YAML: ${first}` });
      continue;
    }
    documents.push(...fileDocs);
    documentCount += docs.length;
  }
  return { documents, fastData, problems, documentCount };
}

function firstError(
  docs: readonly Document.Parsed[],
  lineCounter: LineCounter,
): { message: string; line: number; column: number } | null {
  for (const doc of docs) {
    const err = doc.errors[0];
    if (!err) continue;
    const { line, col } = lineCounter.linePos(err.pos[0]);
    return { message: err.message.split('\n')[0] ?? err.message, line, column: col };
  }
  return null;
}

/**
 * Positions are only needed for the rare problem report, so the parsed documents are not kept alive for
 * them (that held ~150 MB on a 10,000-file repo): the file is parsed again on the first lookup.
 */
function lazyPositions(
  text: string,
): (index: number, path: readonly (string | number)[], key?: boolean) => Position | undefined {
  let parsed: { docs: Document.Parsed[]; lineCounter: LineCounter } | null = null;
  return (index, path, key) => {
    if (!parsed) {
      const lineCounter = new LineCounter();
      parsed = { docs: parseManifestStream(text, { lineCounter }), lineCounter };
    }
    const doc = parsed.docs[index];
    return doc ? positionFinder(doc, parsed.lineCounter)(path, key) : undefined;
  };
}

function positionFinder(doc: Document.Parsed, lineCounter: LineCounter): ManifestDocument['position'] {
  return (path, key = false) => {
    let node: unknown = doc.contents;
    let keyNode: unknown = null;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
        );
        if (!pair) return undefined;
        keyNode = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        keyNode = null;
        node = node.items[seg];
      } else return undefined;
    }
    const target = (key ? keyNode : node) as { range?: [number, number, number] } | null;
    if (!target?.range) return undefined;
    const { line, col } = lineCounter.linePos(target.range[0]);
    return { line, column: col };
  };
}
