/**
 * Helm-based apps (issue 6): where the pod template is not in Git but rendered from a chart, the restart goes
 * through the chart's pod-annotations value, which every common chart copies into the pod template
 * (`podAnnotations` by default; a rule's `podAnnotations` names another, e.g. `controller.podAnnotations`).
 *
 * | object | record (`<prefix>/secret-versions`) | trigger |
 * | --- | --- | --- |
 * | Flux `HelmRelease` | `metadata.annotations` | `spec.values.<podAnnotations>` |
 * | Argo CD `Application`, Helm source | `metadata.annotations` | `spec.source.helm.valuesObject.<podAnnotations>` (or `spec.sources[i]`) |
 * | a chart values file (a plain map) | a top-level key | `<podAnnotations>` |
 *
 * An Argo CD Application is a Helm app when its source names a `chart` or has a `helm` block; with several
 * such sources the first is used. Argo CD reads `helm.valuesObject` *instead of* the `helm.values` string when
 * both are set, so an Application that keeps its values in the string cannot be given a `valuesObject`
 * without losing them: it is reported, not edited.
 *
 * A values file is a single-document plain map (no `kind`) that a rule selects by path, that names
 * `<prefix>/secrets` at its top level, or whose file name contains `values`: other plain YAML (CI configs,
 * tool settings) is never treated as one.
 */
import type { ChartKind, Workload } from '../model.js';
import { parseRecord } from '../record.js';
import { formatPath } from '../yaml/edit-scalar.js';
import type { ManifestDocument } from './parse.js';
import { get, isRecord, stringMap, type WorkloadView } from './workloads.js';

type Data = Record<string, unknown>;

/** A chart target, or why the object cannot take the annotation (reported only if it depends on secrets). */
export interface ChartView extends WorkloadView {
  /** Set when the object is a Helm-based app vault-rollout cannot write to: the reason, and where. */
  unsupported?: { message: string; at: (string | number)[] };
}

export const DEFAULT_POD_ANNOTATIONS: readonly string[] = ['podAnnotations'];

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Whether a file name looks like chart values (`values.yaml`, `values-prod.yml`, `app.values.yaml`). */
export function isValuesFileName(file: string): boolean {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return /values/i.test(base) && /\.ya?ml$/i.test(base);
}

export interface ChartOptions {
  prefix: string;
  /** The chart's pod-annotations value for this object (a rule's `podAnnotations`), default `podAnnotations`. */
  podAnnotations: (
    target: Pick<Workload, 'file' | 'kind' | 'name' | 'namespace' | 'labels'>,
  ) => readonly string[];
  /** Whether a rule selects this file by path (makes a plain map a values file whatever its name). */
  selectedByRule: (file: string) => boolean;
}

/**
 * The Helm-based app in a document, or null when it is none.
 * @param documents how many documents the file has (a values file has exactly one)
 */
export function readChartTarget(
  document: ManifestDocument,
  documents: number,
  options: ChartOptions,
): ChartView | null {
  const object = document.data;
  if (!isRecord(object)) return null;
  if (object.kind === 'HelmRelease' && String(object.apiVersion ?? '').startsWith('helm.toolkit.fluxcd.io/'))
    return helmRelease(document, object, options);
  if (object.kind === 'Application' && String(object.apiVersion ?? '').startsWith('argoproj.io/'))
    return application(document, object, options);
  if (object.kind === undefined && object.apiVersion === undefined && documents === 1)
    return valuesFile(document, object, options);
  return null;
}

interface Base {
  kind: ChartKind;
  apiVersion: string;
  name: string;
  namespace: string | null;
  labels: Record<string, string>;
}

function build(
  document: ManifestDocument,
  object: Data,
  base: Base,
  options: ChartOptions,
  recordMap: string[],
  /** The existing map the chart values hang from, and the keys from there to the values map. */
  anchor: (string | number)[],
  valuesKeys: string[],
): ChartView {
  const pa = [...options.podAnnotations({ ...base, file: document.file })];
  const key = `${options.prefix}/secret-versions`;
  const values = get(object, [...anchor, ...valuesKeys]);
  const recordedRaw = str(get(object, [...recordMap, key]));
  const workload: Workload = {
    file: document.file,
    document: document.index,
    ...base,
    record: { mapPath: [], within: recordMap.map(String) },
    trigger: { mapPath: anchor, within: [...valuesKeys, ...pa] },
    chartValue: formatPath([...anchor, ...valuesKeys, ...pa]),
    secrets: [],
    recorded: recordedRaw === null ? null : parseRecord(recordedRaw),
    recordedRaw,
    templateRaw: str(get(object, [...anchor, ...valuesKeys, ...pa, key])),
    updateStrategy: null,
    replicas: null,
  };
  return { workload, document, object, template: {}, values: isRecord(values) ? values : {} };
}

function helmRelease(document: ManifestDocument, object: Data, options: ChartOptions): ChartView | null {
  const name = str(get(object, ['metadata', 'name']));
  if (!name || !isRecord(object.spec)) return null;
  const base: Base = {
    kind: 'HelmRelease',
    apiVersion: String(object.apiVersion),
    name,
    // Where the pods run: `spec.targetNamespace`, else the release's own namespace.
    namespace: str(get(object, ['spec', 'targetNamespace'])) ?? str(get(object, ['metadata', 'namespace'])),
    labels: stringMap(get(object, ['metadata', 'labels'])),
  };
  return build(document, object, base, options, ['metadata', 'annotations'], ['spec'], ['values']);
}

function application(document: ManifestDocument, object: Data, options: ChartOptions): ChartView | null {
  const name = str(get(object, ['metadata', 'name']));
  if (!name || !isRecord(object.spec)) return null;
  const base: Base = {
    kind: 'Application',
    apiVersion: String(object.apiVersion),
    name,
    namespace: str(get(object, ['spec', 'destination', 'namespace'])),
    labels: stringMap(get(object, ['metadata', 'labels'])),
  };
  const isHelm = (s: unknown) => isRecord(s) && (s.chart !== undefined || s.helm !== undefined);
  let source: (string | number)[] | null = null;
  if (isHelm(get(object, ['spec', 'source']))) source = ['spec', 'source'];
  else {
    const sources = get(object, ['spec', 'sources']);
    const i = Array.isArray(sources) ? sources.findIndex(isHelm) : -1;
    if (i >= 0) source = ['spec', 'sources', i];
  }
  const record = ['metadata', 'annotations'];
  if (source === null) {
    const at = get(object, ['spec', 'source']) !== undefined ? ['spec', 'source'] : ['spec'];
    const view = build(document, object, base, options, record, at, ['helm', 'valuesObject']);
    view.unsupported = {
      message:
        'no Helm source (spec.source.chart or spec.source.helm), so there are no chart values to restart it through; ' +
        'if the source path is a chart, add `helm: {}` to it',
      at,
    };
    return view;
  }
  const view = build(document, object, base, options, record, source, ['helm', 'valuesObject']);
  const helm = get(object, [...source, 'helm']);
  const inline = get(helm, ['values']);
  if (get(helm, ['valuesObject']) === undefined && typeof inline === 'string' && inline.trim() !== '') {
    view.unsupported = {
      message: `${formatPath([...source, 'helm', 'values'])} is a string, and Argo CD ignores it once helm.valuesObject is set: move those values to helm.valuesObject, then vault-rollout sets ${view.workload.chartValue}`,
      at: [...source, 'helm', 'values'],
    };
  }
  return view;
}

function valuesFile(document: ManifestDocument, object: Data, options: ChartOptions): ChartView | null {
  const file = document.file;
  const optIn = Object.hasOwn(object, `${options.prefix}/secrets`);
  if (!optIn && !options.selectedByRule(file) && !isValuesFileName(file)) return null;
  const base: Base = {
    kind: 'HelmValues',
    apiVersion: '',
    name: file.slice(file.lastIndexOf('/') + 1),
    namespace: null,
    labels: {},
  };
  return build(document, object, base, options, [], [], []);
}
