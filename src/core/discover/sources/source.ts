/**
 * The discovery-source plugin interface (as Renovate's managers: one tiny interface). One file per source,
 * listed in `./index.ts`.
 *
 * Two phases, so that sources which follow a graph across documents fit the same shape: `collect` sees
 * every parsed document of the run once (an ExternalSecret source will index the Kubernetes Secrets
 * each ExternalSecret produces), and returns a scanner whose `refsFor` is asked about each workload
 * (which Secrets its pod template mounts or references). Sources that only read the workload itself
 * ignore the first phase.
 */
import type { Config } from '../../config/schema.js';
import type { Problem, SecretRef, SourceName } from '../../model.js';
import { parseSecretPath, vaultNamespaceProblem } from '../../secret-path.js';
import type { ManifestDocument } from '../parse.js';
import type { ProducerIndex } from '../secret-graph.js';
import { get, isRecord, targetPath, type WorkloadView } from '../workloads.js';

export interface SourceContext {
  config: Config;
  /** The documents deployed together: the flat set, or what one render root builds. */
  documents: readonly ManifestDocument[];
  /**
   * Cluster-wide objects the rest of the same environment defines (stores), for sources whose objects
   * name them across roots: a ClusterSecretStore usually lives in an infrastructure root of its own.
   */
  elsewhere?: readonly ManifestDocument[];
  /**
   * The same kinds of objects that other environments define: never used (another cluster's store is not
   * this one's), only named when a reference would otherwise look like it points at nothing.
   */
  foreign?: readonly ManifestDocument[];
}

export interface SourceScanner {
  /** The secrets this source attaches to one workload; bad entries go to `report`, never thrown. */
  refsFor(view: WorkloadView, report: (problem: Problem) => void): SecretRef[];
}

export interface WorkloadSource {
  readonly name: SourceName;
  /** Whether the config turns this source on. */
  enabled(config: Config): boolean;
  collect(context: SourceContext): SourceScanner;
}

/** A problem about one workload, located at `path` in its document when possible. */
export function workloadProblem(
  view: WorkloadView,
  message: string,
  path?: readonly (string | number)[],
): Problem {
  const { workload } = view;
  const at = path ? view.document.position(path) : undefined;
  return {
    file: workload.file,
    severity: 'warning',
    message: `${workload.kind} "${workload.name}": ${message}`,
    ...(at ? { line: at.line, column: at.column } : {}),
  };
}

/**
 * The annotation maps a source reads, with their key paths: where the record goes (the workload's own
 * annotations; a chart values file's top level), then where the trigger goes (the pod template's
 * annotations; a Helm-based app's pod-annotations value).
 */
export function annotationMaps(
  view: WorkloadView,
): { path: (string | number)[]; annotations: Record<string, unknown> }[] {
  const out: { path: (string | number)[]; annotations: Record<string, unknown> }[] = [];
  for (const target of [view.workload.record, view.workload.trigger]) {
    const path = targetPath(target);
    const map = get(view.object, path);
    if (isRecord(map)) out.push({ path, annotations: map });
  }
  return out;
}

/** A scanner that attaches to each workload the secrets of the producers its pod template uses. */
export function graphScanner(index: ProducerIndex): SourceScanner {
  const reported = new Set<string>();
  return { refsFor: (view, report) => index.refsFor(view, report, reported) };
}

/** `metadata.name` and `metadata.namespace` of an object (null when absent or not a non-empty string). */
export function meta(object: Record<string, unknown>): { name: string | null; namespace: string | null } {
  const name = get(object, ['metadata', 'name']);
  const namespace = get(object, ['metadata', 'namespace']);
  return {
    name: typeof name === 'string' && name ? name : null,
    namespace: typeof namespace === 'string' && namespace ? namespace : null,
  };
}

/**
 * A ref for one secret path a source read from a workload, parsed by the one secret-path parser: the
 * canonical path, or the cleaned text with `rejected` set (discovery then blocks the workload).
 */
export function pathRef(
  raw: string,
  mounts: readonly string[],
  fields: Omit<SecretRef, 'path'>,
  at?: (string | number)[],
): SecretRef {
  const parsed = parseSecretPath(raw, mounts);
  if (parsed.ok) return { ...fields, path: parsed.path };
  return { ...fields, path: parsed.path, rejected: parsed.reason, ...(at ? { rejectedAt: at } : {}) };
}

/** A value as a message shows it: quoted and escaped (one line whatever it holds), long ones cut. */
export function shownValue(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/**
 * A Vault namespace read from a manifest field, checked where it is read: the namespace to read the
 * secrets from, or why they are refused (discovery then blocks only the workloads that depend on them,
 * and the value never reaches a request header). `where` names the field and its file for the problem
 * line, e.g. `spec.provider.vault.namespace of SecretStore/vault (eso/store.yaml)`.
 */
export function readVaultNamespace(
  value: string,
  where: string,
): { vaultNamespace: string; rejected?: undefined } | { vaultNamespace?: undefined; rejected: string } {
  const problem = vaultNamespaceProblem(value);
  if (problem === null) return { vaultNamespace: value };
  return { rejected: `its Vault namespace ${shownValue(value)} (${where}) is refused: ${problem}` };
}
