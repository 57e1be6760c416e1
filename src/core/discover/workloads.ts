/**
 * Which documents are workloads, and the facts the planner needs about each (docs/annotations.md).
 *
 * Any apiVersion is accepted as long as the pod template sits where the kind puts it and is a mapping:
 * OpenKruise's `apps.kruise.io` Advanced DaemonSet/StatefulSet keep `spec.template` just like `apps/v1`,
 * and a pod template change rolls them out the same way. Job is ignored (a finished Job is not restarted).
 */
import type { AnnotationTarget, Workload, WorkloadKind } from '../model.js';
import { recordFields } from '../record.js';
import type { ManifestDocument } from './parse.js';

type Data = Record<string, unknown>;

/** Where each kind keeps its pod template. */
export const TEMPLATE_PATHS: Readonly<Record<WorkloadKind, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Rollout: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** A workload before its secrets are known, with the raw data the sources read. */
export interface WorkloadView {
  workload: Workload;
  document: ManifestDocument;
  /** The whole document. */
  object: Data;
  /** The pod template (`spec.template`, or `spec.jobTemplate.spec.template`); `{}` for a Helm-based app. */
  template: Data;
  /**
   * A Helm-based app's chart values (HelmRelease `spec.values`, Application `helm.valuesObject`, a values
   * file's top level; `{}` when absent), which the chart renders into the pod template; null for a workload.
   */
  values: Data | null;
  /** Paths into `values` (`*`: any key or item) whose string is the name of a Secret the chart mounts. */
  secretValues?: readonly (readonly string[])[];
}

/** The record and trigger of a workload whose pod template is at `templatePath`. */
export function podTargets(templatePath: readonly string[]): {
  record: AnnotationTarget;
  trigger: AnnotationTarget;
} {
  return {
    record: { mapPath: [], within: ['metadata', 'annotations'] },
    trigger: { mapPath: [...templatePath], within: ['metadata', 'annotations'] },
  };
}

/** The key path of the map a target writes into. */
export function targetPath(target: AnnotationTarget): (string | number)[] {
  return [...target.mapPath, ...target.within];
}

export function isRecord(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function get(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!Array.isArray(v)) return undefined;
      v = v[seg] as unknown;
    } else {
      if (!isRecord(v)) return undefined;
      v = v[seg];
    }
  }
  return v;
}

/**
 * Every string in `value` that `keep` accepts, with its key path; `skip` leaves out map entries (by the
 * path of the map and the key).
 */
export function stringsIn(
  value: unknown,
  keep: (text: string) => boolean,
  skip?: (at: readonly (string | number)[], key: string) => boolean,
): { path: (string | number)[]; text: string }[] {
  const out: { path: (string | number)[]; text: string }[] = [];
  const walk = (v: unknown, path: (string | number)[]): void => {
    if (typeof v === 'string') {
      if (keep(v)) out.push({ path, text: v });
    } else if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
    else if (isRecord(v)) {
      for (const [k, item] of Object.entries(v)) if (!skip?.(path, k)) walk(item, [...path, k]);
    }
  };
  walk(value, []);
  return out;
}

/** A string that is not empty, else null. */
export function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function isWorkloadKind(kind: unknown): kind is WorkloadKind {
  return typeof kind === 'string' && Object.hasOwn(TEMPLATE_PATHS, kind);
}

/** String-valued entries of a labels/annotations map (Kubernetes allows nothing else). */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * The workload in a document, or null when it is not one: another kind, no name, or no pod template
 * (an Argo Rollout with `workloadRef` borrows the template of a Deployment, which is discovered itself).
 */
export function readWorkload(document: ManifestDocument, prefix: string): WorkloadView | null {
  const object = document.data;
  if (!isRecord(object) || !isWorkloadKind(object.kind)) return null;
  const kind = object.kind;
  const apiVersion = str(object.apiVersion);
  const name = str(get(object, ['metadata', 'name']));
  const templatePath = [...TEMPLATE_PATHS[kind]];
  const template = get(object, templatePath);
  if (!apiVersion || !name || !isRecord(template)) return null;

  const recordKey = `${prefix}/secret-versions`;
  const record = get(object, ['metadata', 'annotations', recordKey]);
  const replicas = get(object, ['spec', 'replicas']);
  const workload: Workload = {
    file: document.file,
    document: document.index,
    kind,
    apiVersion,
    name,
    namespace: str(get(object, ['metadata', 'namespace'])),
    labels: stringMap(get(object, ['metadata', 'labels'])),
    ...podTargets(templatePath),
    chartValue: null,
    secrets: [],
    ...recordFields(record, recordKey),
    templateRaw: str(get(template, ['metadata', 'annotations', recordKey])),
    updateStrategy: updateStrategy(kind, object),
    replicas: typeof replicas === 'number' && Number.isInteger(replicas) ? replicas : null,
  };
  return { workload, document, object, template, values: null };
}

function updateStrategy(kind: WorkloadKind, object: Data): string | null {
  if (kind === 'Deployment') return str(get(object, ['spec', 'strategy', 'type']));
  if (kind === 'StatefulSet' || kind === 'DaemonSet')
    return str(get(object, ['spec', 'updateStrategy', 'type']));
  return null;
}

/** `kind: List` is out of scope: its items are not discovered. Returns how many items are workloads. */
export function workloadsInList(document: ManifestDocument): number {
  const object = document.data;
  if (!isRecord(object) || object.kind !== 'List' || !Array.isArray(object.items)) return 0;
  return object.items.filter((item) => isRecord(item) && isWorkloadKind(item.kind)).length;
}
