/**
 * The commit message: subject and body from a user-editable Liquid template (templates/commit-message.liquid),
 * then the machine-readable trailers, which are appended here in code so no template edit can break them
 * (one `Vault-Secret: <mount/path> <old> -> <new>` line per changed secret; docs/annotations.md).
 */
import { realChanges, type FileChange, type PlannedWorkload } from '../model.js';
import { renderTemplate, type TemplateSource } from './liquid.js';
import { pinText } from './render.js';

/** Workloads listed in a commit message body. */
export const LISTED = 100;

const ACTION_TEXT = { restart: 'rolling restart', record: 'record only, no restart' } as const;

/**
 * Trailer lines for every secret whose recorded version the commit changes, deduplicated and sorted: a
 * restart's rotated secrets, and an adoption's first record (`none -> 4`), since both change what
 * `git log --grep` must find.
 */
export function secretTrailers(planned: readonly PlannedWorkload[]): string[] {
  const lines = new Set<string>();
  for (const p of planned) {
    if ((p.action !== 'restart' && p.action !== 'record') || p.newValue === null) continue;
    for (const s of p.secrets) {
      if (s.current === null || s.recorded === s.current) continue;
      if (s.state !== 'outdated' && s.state !== 'unrecorded') continue;
      // With environments, each one's Vault has its own versions: the trailer names whose.
      const env = p.workload.environment ? `${p.workload.environment}:` : '';
      lines.add(`Vault-Secret: ${env}${s.path} ${s.recorded ?? 'none'} -> ${s.current}`);
    }
  }
  return [...lines].sort();
}

/** The one environment every planned workload belongs to, or null (none, or several). */
export function singleEnvironment(planned: readonly PlannedWorkload[]): string | null {
  const envs = new Set(planned.map((p) => p.workload.environment ?? null));
  return envs.size === 1 ? [...envs][0]! : null;
}

/**
 * Adoptions (record only) per render root: how many, and the files written, so a commit that adopts
 * hundreds of workloads stays a screen long: at most LISTED files in all (an adoption of 5,000 files
 * listed every one, and rendering them took 75 ms), the rest counted in `more_files`.
 */
function recordsByRoot(
  records: readonly PlannedWorkload[],
): { root: string; count: number; files: string[]; more_files: number }[] {
  const byRoot = new Map<string, { count: number; files: Set<string> }>();
  for (const p of records) {
    const root = p.workload.root == null ? '.' : p.workload.root || '.';
    const entry = byRoot.get(root) ?? { count: 0, files: new Set<string>() };
    entry.count++;
    entry.files.add(p.workload.rootPatch?.file ?? p.workload.file);
    byRoot.set(root, entry);
  }
  let room = LISTED;
  return [...byRoot]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([root, e]) => {
      const files = [...e.files].sort().slice(0, room);
      room -= files.length;
      return { root, count: e.count, files, more_files: e.files.size - files.length };
    });
}

/** One changing workload as the commit-message template sees it. */
function describe(p: PlannedWorkload) {
  return {
    kind: p.workload.kind,
    name: p.workload.name,
    namespace: p.workload.namespace,
    file: p.workload.rootPatch?.file ?? p.workload.file,
    root: p.workload.root ?? null,
    environment: p.workload.environment ?? null,
    action: ACTION_TEXT[p.action as 'restart' | 'record'],
    // a restart reaches the pods through this chart value (an adoption writes only the record)
    chart: p.action === 'restart' ? p.workload.chartValue : null,
    // `ExternalSecret/db-creds (apps/es.yaml) spec.data[0].remoteRef.version = 7 (kv/web/db)`
    pins: p.pins.map(pinText),
    secrets: p.secrets
      .filter((s) => s.current !== null && s.recorded !== s.current)
      .map((s) => ({ path: s.path, recorded: s.recorded, current: s.current })),
  };
}

/**
 * Renders the message for the workloads that change. Returns null when nothing changes.
 * @param template the Liquid source (see templates/commit-message.liquid) and the files it may include
 * @throws TemplateError naming the file when the template fails or hits a limit (./liquid.ts)
 */
export function renderCommitMessage(
  template: TemplateSource,
  planned: readonly PlannedWorkload[],
  changes: readonly FileChange[] = [],
): string | null {
  const changing = planned.filter(
    (p) => (p.action === 'restart' || p.action === 'record') && p.newValue !== null,
  );
  if (changing.length === 0) return tidyMessage(changes);
  // Reviewers of the commit see what was left as it is, and why (the exit code says only "blocked"); a
  // deferred restart is listed so that nobody takes a capped commit for the whole rotation.
  const left = planned
    .filter((p) => p.action === 'blocked' || p.action === 'skipped' || p.action === 'deferred')
    .slice(0, LISTED)
    .map((p) => ({
      kind: p.workload.kind,
      name: p.workload.name,
      namespace: p.workload.namespace,
      file: p.workload.file,
      root: p.workload.root ?? null,
      environment: p.workload.environment ?? null,
      action: p.action,
      reasons: p.reasons,
    }));
  const restarts = changing.filter((p) => p.action === 'restart');
  const data = {
    left,
    // `vault-rollout(prod): ...` when the commit touches one environment's roots only.
    environment: singleEnvironment(changing),
    // The default template lists restarts one by one and adoptions per root; `workloads` has both.
    restarts: restarts.slice(0, LISTED).map((p) => describe(p)),
    more_restarts: Math.max(0, restarts.length - LISTED),
    recorded: recordsByRoot(changing.filter((p) => p.action === 'record')),
    restart: changing.filter((p) => p.action === 'restart').length,
    record: changing.filter((p) => p.action === 'record').length,
    // A commit message lists at most LISTED workloads (an adoption of 5,000 would be unreadable, and
    // rendering it took 0.3 s); the trailers still name every changed secret.
    more: Math.max(0, changing.length - LISTED),
    workloads: changing.slice(0, LISTED).map((p) => describe(p)),
  };
  const body = renderTemplate(template, data)
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const trailers = secretTrailers(changing);
  return `${body}\n${trailers.length > 0 ? `\n${trailers.join('\n')}\n` : ''}`;
}

/**
 * The message of a commit that changes no record and restarts nothing, yet edits files: a root's own
 * layer losing the entries of an app the root no longer builds (kustomize refuses to build the root until
 * they go), or an older patch file's entries moving into the layer. Renders change by nothing but those
 * entries, so the message is fixed text, not the user's template (which describes restarts and adoptions).
 */
function tidyMessage(changes: readonly FileChange[]): string | null {
  const files = [...new Set(realChanges(changes).map((c) => c.path))].sort();
  if (files.length === 0) return null;
  const listed = files.slice(0, LISTED).map((f) => `- ${f}`);
  const more = files.length > LISTED ? [`- and ${files.length - LISTED} more`] : [];
  return [
    'vault-rollout: tidy generated layers (no restart)',
    '',
    'Entries for objects a render root no longer builds are removed, and older patch files are moved into',
    "each root's own layer; no record or restart changes.",
    '',
    ...listed,
    ...more,
    '',
  ].join('\n');
}
