/**
 * Helm-based apps: where the pod template is not in Git but rendered from a chart, the restart goes
 * through the chart's pod-annotations value, which every common chart copies into the pod template
 * (`podAnnotations` by default; a rule's `podAnnotations` names another, e.g. `controller.podAnnotations`).
 *
 * | object | record (`<prefix>/secret-versions`) | trigger |
 * | --- | --- | --- |
 * | Flux `HelmRelease` | `metadata.annotations` | `spec.values.<podAnnotations>` |
 * | Argo CD `Application`, Helm source | `metadata.annotations` | `spec.source.helm.valuesObject.<podAnnotations>` (or `spec.sources[i]`) |
 * | a chart values file (a plain map) | a top-level key | `<podAnnotations>` |
 *
 * An Argo CD Application is a Helm app when its source names a `chart` or has a `helm` block and no other
 * type (`plugin`, `kustomize`, `directory`): a chart rendered by a plugin (argocd-vault-plugin's Helm mode)
 * never sees `helm.valuesObject`, so it is reported, not edited. With `spec.sources` (which Argo CD reads
 * instead of `spec.source`), the first Helm source is used. Argo CD reads `helm.valuesObject` *instead of*
 * the `helm.values` string when both are set, so an Application that keeps its values in the string cannot
 * be given a `valuesObject` without losing them: it is reported, not edited.
 *
 * A values file is a single-document plain map (no `kind`) that a `kind: HelmValues` rule selects by path,
 * that names `<prefix>/secrets` (or holds a record) at its top level, or whose file name says values
 * ({@link isValuesFileName}): other plain YAML (CI configs, tool settings) is never treated as one.
 */
import type { ChartKind, Workload } from '../model.js';
import { recordFields } from '../record.js';
import { formatPath } from '../yaml/edit-scalar.js';
import type { ManifestDocument } from './parse.js';
import { deepMerge } from './roots.js';
import { get, isRecord, nonEmptyString as str, stringMap, type WorkloadView } from './workloads.js';

type Data = Record<string, unknown>;

/** A chart target, or why the object cannot take the annotation (reported only if it depends on secrets). */
export interface ChartView extends WorkloadView {
  /** Set when the object is a Helm-based app vault-rollout cannot write to: the reason, and where. */
  unsupported?: { message: string; at: (string | number)[] };
}

export const DEFAULT_POD_ANNOTATIONS: readonly string[] = ['podAnnotations'];

/**
 * Whether a file name says chart values: `values` as a word of the name (`values.yaml`, `values-prod.yml`,
 * `values.prod.yaml`, `prod-values.yaml`, `app.values.yaml`, `app-values-prod.yaml`), but not Helm's
 * `values.schema.*` nor `myvalues.yaml`.
 */
export function isValuesFileName(file: string): boolean {
  const base = file.slice(file.lastIndexOf('/') + 1).toLowerCase();
  const m = /^(.*)\.ya?ml$/.exec(base);
  if (!m || base.startsWith('values.schema.')) return false;
  return /(^|[-._])values([-._]|$)/.test(m[1]!);
}

export interface ChartOptions {
  prefix: string;
  /** The chart's pod-annotations value for this object (a rule's `podAnnotations`), default `podAnnotations`. */
  podAnnotations: (
    target: Pick<Workload, 'file' | 'kind' | 'name' | 'namespace' | 'labels'>,
  ) => readonly string[];
  /** Whether a rule selects this file by path (makes a plain map a values file whatever its name). */
  selectedByRule: (file: string) => boolean;
  /** Whether an Argo CD Application names this file in `helm.valueFiles`: values whatever their keys. */
  namedValues: (file: string) => boolean;
  /** Chart values that name a Secret in the chart's own shape (a rule's `secretValues`), e.g. `extraEnvSecrets.*.secret`. */
  secretValues?: (
    target: Pick<Workload, 'file' | 'kind' | 'name' | 'namespace' | 'labels'>,
  ) => readonly (readonly string[])[];
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
  if (
    documents === 1 &&
    ((object.kind === undefined && object.apiVersion === undefined) || options.namedValues(document.file))
  )
    return valuesFile(document, object, options);
  return null;
}

export interface Base {
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
  const own = get(object, [...anchor, ...valuesKeys]);
  // Values a root's generators feed in through `valuesFrom`; the object's own values are merged last.
  const values = document.valuesFrom ? deepMerge(document.valuesFrom, isRecord(own) ? own : {}) : own;
  const record = get(object, [...recordMap, key]);
  const workload: Workload = {
    file: document.file,
    document: document.index,
    ...base,
    record: { mapPath: [], within: recordMap },
    trigger: { mapPath: anchor, within: [...valuesKeys, ...pa] },
    chartValue: formatPath([...anchor, ...valuesKeys, ...pa]),
    secrets: [],
    ...recordFields(record, key),
    templateRaw: str(get(object, [...anchor, ...valuesKeys, ...pa, key])),
    updateStrategy: null,
    replicas: null,
  };
  const secretValues = options.secretValues?.({ ...base, file: document.file }) ?? [];
  return {
    workload,
    document,
    object,
    template: {},
    values: isRecord(values) ? values : {},
    ...(secretValues.length > 0 ? { secretValues } : {}),
  };
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
  // Argo CD reads `spec.sources` when it is set, and ignores `spec.source` then.
  const list = get(object, ['spec', 'sources']);
  const sources: (string | number)[][] =
    Array.isArray(list) && list.length > 0
      ? list.map((_, i) => ['spec', 'sources', i])
      : [['spec', 'source']];
  const record = ['metadata', 'annotations'];
  const types = sources.map((at) => sourceType(get(object, at)));
  const helmAt = sources[types.indexOf('helm')];
  if (helmAt === undefined) {
    // The source that names a chart through a plugin, or else the first: where the problem is.
    const other = types.indexOf('other chart');
    const at = sources[Math.max(other, 0)]!;
    const view = build(document, object, base, options, record, at, ['helm', 'valuesObject']);
    view.unsupported = {
      message:
        other >= 0
          ? `${formatPath(at)} renders its chart through a ${Object.keys(get(object, at) as Data).find((k) => OTHER_TYPES.includes(k))} block, which Helm values do not reach: there is nowhere to write a restart`
          : `no Helm source (neither ${formatPath([...at, 'chart'])} nor ${formatPath([...at, 'helm'])}), so there are no chart values to restart it through; if the source path is a chart, add \`helm: {}\` to it`,
      at,
    };
    return view;
  }
  const view = build(document, object, base, options, record, helmAt, ['helm', 'valuesObject']);
  const helm = get(object, [...helmAt, 'helm']);
  const inline = get(helm, ['values']);
  if (get(helm, ['valuesObject']) === undefined && typeof inline === 'string' && inline.trim() !== '') {
    view.unsupported = {
      message: `${formatPath([...helmAt, 'helm', 'values'])} is a string, and Argo CD ignores it once helm.valuesObject is set: move those values to helm.valuesObject, then vault-rollout sets ${view.workload.chartValue}`,
      at: [...helmAt, 'helm', 'values'],
    };
  }
  return view;
}

/** Source blocks of other tools: a source that has one is not rendered by Argo CD's Helm. */
const OTHER_TYPES = ['plugin', 'kustomize', 'directory'];

/**
 * `helm`: Argo CD renders it with Helm (it names a `chart` or has a `helm` block, and no other type);
 * `other chart`: it names a chart or a helm block but a plugin (e.g. argocd-vault-plugin's Helm mode) or
 * another type renders it; `none`: no chart at all.
 */
function sourceType(source: unknown): 'helm' | 'other chart' | 'none' {
  if (!isRecord(source) || (source.chart === undefined && source.helm === undefined)) return 'none';
  return OTHER_TYPES.some((k) => source[k] !== undefined) ? 'other chart' : 'helm';
}

/** A values file as rules select it: named by its file name, no namespace, no labels. */
export function valuesTarget(file: string): Base & { file: string } {
  return {
    file,
    kind: 'HelmValues',
    apiVersion: '',
    name: file.slice(file.lastIndexOf('/') + 1),
    namespace: null,
    labels: {},
  };
}

function valuesFile(document: ManifestDocument, object: Data, options: ChartOptions): ChartView | null {
  const file = document.file;
  // Opted in, or adopted before (a record at the top level): whatever the file's name.
  const optIn =
    Object.hasOwn(object, `${options.prefix}/secrets`) ||
    Object.hasOwn(object, `${options.prefix}/secret-versions`);
  if (!optIn && !options.selectedByRule(file) && !isValuesFileName(file) && !options.namedValues(file))
    return null;
  const { file: _file, ...base } = valuesTarget(file);
  return build(document, object, base, options, [], [], []);
}
