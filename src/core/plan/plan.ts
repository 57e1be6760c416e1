/**
 * The planner: recorded × current × state → action, per workload (docs/annotations.md).
 * Pure: workloads and secret statuses in, planned workloads and annotation edits out.
 */
import type {
  AnnotationTarget,
  PinTarget,
  PlannedPin,
  PlannedSecret,
  PlannedWorkload,
  SecretState,
  SecretStatus,
  Summary,
  Workload,
  WorkloadAction,
} from '../model.js';
import { formatRecord } from '../record.js';
import type { AnnotationEdit } from '../yaml/edit-annotations.js';

/**
 * How a secret's status is keyed: its path, prefixed by the Vault Enterprise namespace the manifests name
 * (the same path in two namespaces is two secrets).
 */
export function statusKey(ref: { path: string; vaultNamespace?: string | undefined }): string {
  return ref.vaultNamespace ? `${ref.vaultNamespace}\u0000${ref.path}` : ref.path;
}

/** States that stop a workload from being touched: missing, deleted or forbidden → blocked. */
const BLOCKING: ReadonlySet<SecretState> = new Set(['missing', 'deleted', 'forbidden']);

function secretState(status: SecretStatus, recorded: number | null): SecretState {
  switch (status.state) {
    case 'ok':
      if (recorded === null) return 'unrecorded';
      return recorded === status.current ? 'up-to-date' : 'outdated';
    case 'deleted':
      return 'deleted';
    default:
      return status.state;
  }
}

function blockReason(s: PlannedSecret, status: SecretStatus): string {
  switch (status.state) {
    case 'missing':
      return `${s.path}: not found in Vault (404)`;
    case 'deleted':
      return `${s.path}: current version ${status.current} is ${status.reason}; a restart would not get a readable secret`;
    case 'forbidden':
      return status.message;
    default:
      return `${s.path}: ${s.state}`;
  }
}

export interface PlanOptions {
  /**
   * `pinVersions` (default true): a restart also pins the new version where the secret came through
   * an object that can name one. Only a restart pins: an adoption writes the record and nothing that
   * changes what runs.
   */
  pinVersions?: boolean;
}

/**
 * Plans one workload.
 * @param statuses keyed by the SecretRef path that discovery produced; `status.path` is canonical.
 */
export function planWorkload(
  workload: Workload,
  statuses: ReadonlyMap<string, SecretStatus>,
  options: PlanOptions = {},
): PlannedWorkload {
  if (workload.ignored !== undefined) {
    // Left alone on purpose: nothing read, nothing written, no warning.
    return {
      workload,
      secrets: [],
      action: 'ignored',
      pins: [],
      reasons: [workload.ignored],
      warnings: [],
      newValue: null,
    };
  }
  const pinTargets = new Map<string, PinTarget[]>();
  const secrets: PlannedSecret[] = [];
  const reasons: string[] = [];
  const warnings: string[] = [];
  const current = new Map<string, number>();
  const seen = new Set<string>();
  const unpinned = new Map<string, string[]>();
  reasons.push(...(workload.rejected ?? []));
  warnings.push(...(workload.recordWarnings ?? []));

  for (const ref of workload.secrets) {
    const status = statuses.get(statusKey(ref));
    if (!status) throw new Error(`internal: no Vault status for "${ref.path}"`);
    const path = status.path;
    if (ref.pins) pinTargets.set(path, [...(pinTargets.get(path) ?? []), ...ref.pins]);
    if (ref.unpinned) unpinned.set(path, [...(unpinned.get(path) ?? []), ...ref.unpinned]);
    for (const why of ref.warnings ?? []) if (!warnings.includes(why)) warnings.push(why);
    const id = statusKey({ path, vaultNamespace: ref.vaultNamespace });
    if (seen.has(id)) continue; // `kv/app` and `kv/data/app` name one secret
    seen.add(id);
    const recorded = workload.recorded?.get(path) ?? null;
    const state = secretState(status, recorded);
    const planned: PlannedSecret = {
      path,
      ...(ref.vaultNamespace ? { vaultNamespace: ref.vaultNamespace } : {}),
      source: ref.source,
      via: ref.via,
      recorded,
      current: status.state === 'ok' || status.state === 'deleted' ? status.current : null,
      state,
      updatedTime: status.state === 'ok' || status.state === 'deleted' ? status.updatedTime : null,
    };
    secrets.push(planned);
    if (BLOCKING.has(state)) reasons.push(blockReason(planned, status));
    else if (status.state === 'unsupported') warnings.push(status.message);
    else if (status.state === 'ok') current.set(path, status.current);
  }

  const onDelete =
    (workload.kind === 'StatefulSet' || workload.kind === 'DaemonSet') &&
    workload.updateStrategy === 'OnDelete';

  let action: WorkloadAction;
  let newValue: string | null = null;
  if (reasons.length > 0) {
    action = 'blocked';
    // A secret at fault says so first; the shape problem is still worth knowing.
    if (workload.skip !== undefined) reasons.push(workload.skip);
  } else if (workload.skip !== undefined) {
    action = 'skipped';
    reasons.push(workload.skip);
  } else if (current.size === 0) {
    action = 'none';
  } else {
    newValue = formatRecord(current);
    if (workload.recorded === null) action = 'record';
    else if (secrets.some((s) => s.state === 'outdated')) action = 'restart';
    else if (newValue !== workload.recordedRaw) action = 'record';
    else action = 'none';
    if (action === 'none') newValue = null;
  }
  if (onDelete) {
    warnings.push(
      `${workload.kind} uses updateStrategy OnDelete: ${
        action === 'restart' ? 'the new pod template' : 'a new pod template'
      } takes effect only when pods are deleted`,
    );
  }
  const pins: PlannedPin[] = [];
  if (action === 'restart' && options.pinVersions !== false) {
    for (const s of secrets) {
      if (s.state !== 'outdated' || s.current === null) continue;
      for (const target of pinTargets.get(s.path) ?? [])
        pins.push({ path: s.path, version: s.current, target });
      for (const why of unpinned.get(s.path) ?? []) if (!warnings.includes(why)) warnings.push(why);
    }
  }
  return { workload, secrets, action, pins, reasons, warnings, newValue };
}

/** Plans every workload; order is kept (discovery sorts by file and document). */
export function planWorkloads(
  workloads: readonly Workload[],
  statuses: ReadonlyMap<string, SecretStatus>,
  options: PlanOptions = {},
): PlannedWorkload[] {
  return workloads.map((w) => planWorkload(w, statuses, options));
}

/**
 * The `kind` and `metadata.name` an editor checks a document against before editing it; none for a chart
 * values file, which has neither.
 */
export function expectedObject(kind: string, name: string): { kind: string; name: string } | undefined {
  return kind === 'HelmValues' ? undefined : { kind, name };
}

/** The annotation edits a planned workload needs: the record, plus the pod-template trigger on restart. */
export function editsFor(planned: PlannedWorkload, prefix: string): AnnotationEdit[] {
  const { workload, action, newValue } = planned;
  if (newValue === null || (action !== 'restart' && action !== 'record')) return [];
  const key = `${prefix}/secret-versions`;
  // The editor checks the document is this workload before touching it.
  const expect = expectedObject(workload.kind, workload.name);
  const edit = (target: AnnotationTarget): AnnotationEdit => ({
    document: workload.document,
    mapPath: target.mapPath,
    within: target.within,
    key,
    value: newValue,
    ...(expect ? { expect } : {}),
  });
  const edits: AnnotationEdit[] = [];
  if (newValue !== workload.recordedRaw) edits.push(edit(workload.record));
  if (action === 'restart' && newValue !== workload.templateRaw) edits.push(edit(workload.trigger));
  return edits;
}

export function summarize(planned: readonly PlannedWorkload[]): Summary {
  const count = (a: WorkloadAction) => planned.filter((p) => p.action === a).length;
  const skipped = count('skipped');
  const ignored = count('ignored');
  const deferred = count('deferred');
  return {
    workloads: planned.length,
    restart: count('restart'),
    record: count('record'),
    blocked: count('blocked'),
    unchanged: count('none'),
    ...(skipped > 0 ? { skipped } : {}),
    ...(ignored > 0 ? { ignored } : {}),
    ...(deferred > 0 ? { deferred } : {}),
  };
}
