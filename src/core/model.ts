/**
 * The data that flows through the pipeline (docs/how-it-works.md):
 * files ──discover──▶ workloads + secret refs ──resolve──▶ secret statuses ──plan──▶ actions ──edit──▶ file changes.
 * Everything here is plain data so the core stays pure and testable.
 */

/** Workload kinds that carry a pod template (docs/annotations.md). Job is ignored on purpose. */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Rollout' | 'CronJob';

/**
 * Helm-based apps, whose pod template is rendered from a chart that is not in the repository: a Flux
 * `HelmRelease` (`spec.values`), an Argo CD `Application` with a Helm source (`helm.valuesObject`), or a
 * chart values file (`HelmValues`: a plain YAML map, no `kind`). The restart goes through the chart's
 * pod-annotations value (`podAnnotations` by default).
 */
export type ChartKind = 'HelmRelease' | 'Application' | 'HelmValues';

/**
 * Where an annotation is written: `mapPath` leads from the document root to an existing map, `within`
 * names the keys under it that lead to the map the key is set in (created when absent). A workload's
 * record is `{ mapPath: [], within: ['metadata','annotations'] }`; a HelmRelease's trigger is
 * `{ mapPath: ['spec'], within: ['values','podAnnotations'] }`.
 */
export interface AnnotationTarget {
  mapPath: (string | number)[];
  within: string[];
}

/** Which discovery source found a secret reference. */
export type SourceName =
  | 'annotation'
  | 'vaultAgent'
  | 'rule'
  | 'externalSecrets'
  | 'vaultSecretsOperator'
  | 'argocdVaultPlugin'
  | 'bankVaults'
  | 'csi';

/** A file of the repository, as read by the file adapter. Paths are POSIX, relative to the repo root. */
export interface RepoFile {
  path: string;
  text: string;
}

/**
 * A place in the repository that can name the version of one secret (docs/annotations.md "Version pins"): an
 * ExternalSecret's `remoteRef.version`, a VaultStaticSecret's `spec.version`, argocd-vault-plugin's
 * `avp.kubernetes.io/secret-version` annotation or the `#version` suffix of a `<path:...>` placeholder.
 */
export interface PinTarget {
  file: string;
  /** Index of the YAML document in the file (as `Workload.document`). */
  document: number;
  /** The object that holds the pin, e.g. `ExternalSecret` / `db-creds`; the editor checks it is that object. */
  kind: string;
  name: string;
  /** Key path to the field, e.g. `['spec', 'data', 0, 'remoteRef', 'version']`. */
  field: (string | number)[];
  /**
   * How the version is written: `string` (`version: "7"`), `int` (`version: 7`), or `placeholder`: the field
   * is a string holding `placeholder`, whose characters `[versionAt[0], versionAt[1])` become `#7`.
   */
  format: 'string' | 'int' | 'placeholder';
  placeholder?: string;
  versionAt?: [number, number];
  /** Set when the root may not edit the object in place: the pin goes into the root's own layer instead. */
  rootPatch?: RootPatchTarget;
}

/**
 * A render root's own layer (`<root>/vault-rollout/`, see plan/own-layer.ts): where the annotations and
 * pins go for a document the root may not edit in place, so that each root gets its own.
 */
export interface RootPatchTarget {
  /** The layer's strategic-merge patch file (`<root>/vault-rollout/patches.yaml`), repo-relative. */
  file: string;
  /** The root's kustomization file, which lists the layer once in its `components`. */
  kustomization: string;
  /** The object the patch names, as its source document writes it (kustomize matches it by that id too). */
  object: { apiVersion: string; kind: string; name: string; namespace: string | null };
}

/** A Vault secret a workload depends on, as written in the manifests (before mount resolution). */
export interface SecretRef {
  /** Normalised `mount/path` (no `/data/` or `/metadata/` segment, no leading slash). */
  path: string;
  source: SourceName;
  /**
   * What was read, for `scan`: the annotation key, the rule index, or the chain from the object that names
   * the secret to the workload, e.g. `ExternalSecret/db-creds (apps/es.yaml) → Secret/db-creds → envFrom`.
   */
  via: string;
  /** Where the version of this secret can be pinned for this workload; absent when nowhere. */
  pins?: PinTarget[];
  /** Pins that cannot be written for this workload's root, with the reason (reported on restart). */
  unpinned?: string[];
  /** Notes for reviewers about this dependency (e.g. another tool also restarts the workload for it). */
  warnings?: string[];
  /**
   * The Vault Enterprise namespace the manifests read it from (Vault Agent's `vault.hashicorp.com/namespace`,
   * an ESO store's `namespace`, a VaultStaticSecret's or its VaultAuth's `namespace`); absent: the run's.
   */
  vaultNamespace?: string;
  /**
   * Set when the path as written is not one vault-rollout may send to Vault (see secret-path.ts): the
   * reason. Discovery moves such a ref out of `secrets` into the workload's `rejected`, so it is never read.
   */
  rejected?: string;
  /** Where the workload's document writes a rejected path (key path), for the problem line. */
  rejectedAt?: (string | number)[];
}

/** A workload found in a manifest. */
export interface Workload {
  file: string;
  /** Index of the YAML document in the file (0-based, counting every document). */
  document: number;
  kind: WorkloadKind | ChartKind;
  /** `apiVersion`; empty for a chart values file. */
  apiVersion: string;
  name: string;
  /** `metadata.namespace`, or null when the manifest leaves it to kustomize / Argo CD / Flux. */
  namespace: string | null;
  labels: Record<string, string>;
  /** Where the record goes: the workload's `metadata.annotations` (a values file: its top level). */
  record: AnnotationTarget;
  /** Where the restart trigger goes: the pod template's annotations, or the chart's pod-annotations value. */
  trigger: AnnotationTarget;
  /**
   * For a Helm-based app, the dotted path of the chart value the trigger is written to (e.g.
   * `spec.values.podAnnotations`): the restart goes through the chart. Null for a workload with its own
   * pod template.
   */
  chartValue: string | null;
  secrets: SecretRef[];
  /** The record annotation's parsed value (`<prefix>/secret-versions` in metadata.annotations), or null. */
  recorded: Map<string, number> | null;
  /** Why the record value is not trusted (malformed entries): `recorded` is then null. */
  recordWarnings?: string[];
  /** The raw record value, to know whether rewriting is needed. */
  recordedRaw: string | null;
  /** The trigger annotation's raw value (pod template or chart value), or null. */
  templateRaw: string | null;
  /** `spec.updateStrategy.type` for StatefulSet/DaemonSet, `spec.strategy.type` for Deployment, when given. */
  updateStrategy: string | null;
  replicas: number | null;
  /** The render root (its folder) that builds it, or null when none does (a flat repository). */
  root?: string | null;
  /** The config's `environments` entry its root belongs to, or null. */
  environment?: string | null;
  /** Set when the root may not edit the document in place: its record and trigger go into the root's layer. */
  rootPatch?: RootPatchTarget | null;
  /**
   * Set when the document, which this root may not edit in place, carries a record or trigger written in
   * place earlier: which of the two, and every root that builds it (each gets a copy in its own layer;
   * the document's own are removed once all of them have one).
   */
  migrate?: { record: boolean; trigger: boolean; builders: string[] };
  /**
   * Why no safe edit exists for it (it is reported as `skipped`, never `blocked`: no secret is at fault), e.g.
   * shared by roots without a kustomization.
   */
  skip?: string;
  /**
   * Why it is left alone on purpose (`<prefix>/ignore: "true"` or a config `ignore` selector): reported as
   * `ignored`, its secrets are not read from Vault.
   */
  ignored?: string;
  /** Secret references that were rejected as written (each blocks the workload; none is read from Vault). */
  rejected?: string[];
}

export type ProblemSeverity = 'error' | 'warning';

/** A per-file (or per-secret) problem: reported, never thrown. */
export interface Problem {
  file: string;
  severity: ProblemSeverity;
  message: string;
  line?: number;
  column?: number;
}

/** Result of reading one secret's metadata (a union, never an exception: per-secret outcomes are data). */
export type SecretStatus =
  | { state: 'ok'; path: string; current: number; updatedTime: string | null }
  | { state: 'missing'; path: string }
  | {
      state: 'deleted';
      path: string;
      current: number;
      reason: 'deleted' | 'destroyed';
      updatedTime: string | null;
    }
  | { state: 'forbidden'; path: string; message: string }
  | { state: 'unsupported'; path: string; message: string };

/** Secret states in the report (docs/schema/report.schema.json). */
export type SecretState =
  'up-to-date' | 'outdated' | 'unrecorded' | 'missing' | 'deleted' | 'forbidden' | 'unsupported';

/**
 * Workload actions in the report (docs/schema/report.schema.json). Only `blocked` (a secret is missing,
 * deleted or forbidden, or its path is rejected) changes the exit code. `skipped`: the manifests are shaped
 * so that no safe edit exists (a patch cannot name one copy, a generated file holds what vault-rollout did
 * not write, a file could not be edited safely): left as it is, with the reason. `ignored`: the user opted
 * the workload out. `deferred`: a restart held back by the rollout limits, published by a later run.
 */
export type WorkloadAction = 'restart' | 'record' | 'none' | 'blocked' | 'skipped' | 'ignored' | 'deferred';

/** Actions that leave a workload as it is without a secret being at fault: they never change the exit code. */
export const QUIET_ACTIONS: readonly WorkloadAction[] = ['skipped', 'ignored', 'deferred'];

export interface PlannedSecret {
  path: string;
  /** As `SecretRef.vaultNamespace`. */
  vaultNamespace?: string;
  source: SourceName;
  via: string;
  recorded: number | null;
  current: number | null;
  state: SecretState;
  updatedTime: string | null;
}

/** A version pin the change set writes because this workload restarts (docs/annotations.md). */
export interface PlannedPin {
  /** Canonical `mount/path` of the secret. */
  path: string;
  version: number;
  target: PinTarget;
}

export interface PlannedWorkload {
  workload: Workload;
  secrets: PlannedSecret[];
  action: WorkloadAction;
  /** Version pins written with this workload's restart (empty unless `action` is `restart`). */
  pins: PlannedPin[];
  /** Why the workload is blocked, skipped or ignored (the true reason), or other notes for reviewers. */
  reasons: string[];
  warnings: string[];
  /** The new record value (canonical `mount/path@version`, sorted), when action is restart or record. */
  newValue: string | null;
}

/** One file's edit: the before and after text. Only `publish` writes it. */
export interface FileChange {
  path: string;
  before: string;
  after: string;
}

/**
 * The changes that change something: an edit whose text comes out as it went in is no change, and is
 * neither committed, offered in a pull request nor named in a message.
 */
export function realChanges<C extends Pick<FileChange, 'before' | 'after'>>(changes: readonly C[]): C[] {
  return changes.filter((c) => c.before !== c.after);
}

export interface Summary {
  workloads: number;
  restart: number;
  record: number;
  blocked: number;
  unchanged: number;
  /** Workloads `skipped`; present only when there are any. */
  skipped?: number;
  /** Workloads `ignored`; present only when there are any. */
  ignored?: number;
  /** Restarts `deferred`; present only when there are any. */
  deferred?: number;
}

/** Everything a run knows; rendered by report/ and published by git/github adapters. */
export interface RunReport {
  branch: string | null;
  workloads: PlannedWorkload[];
  summary: Summary;
  problems: Problem[];
  changes: FileChange[];
  commit: string | null;
  /** The pull request (GitHub), or merge request (GitLab: `kind: 'merge-request'`, `number` is its iid). */
  pullRequest: { number: number; url: string; kind?: 'merge-request' } | null;
}
