/**
 * The commit message: subject and body from a user-editable Liquid template (templates/commit-message.liquid),
 * then the machine-readable trailers, which are appended here in code so no template edit can break them
 * (one `Vault-Secret: <mount/path> <old> -> <new>` line per changed secret; docs/annotations.md).
 */
import type { PlannedWorkload } from '../model.js';
import { renderTemplate, type TemplateSource } from './liquid.js';
import { pinText } from './render.js';

/** Workloads listed in a commit message body. */
export const LISTED = 100;

const ACTION_TEXT = { restart: 'rolling restart', record: 'record only, no restart' } as const;

/** Trailer lines for every secret whose recorded version changed, deduplicated and sorted. */
export function secretTrailers(planned: readonly PlannedWorkload[]): string[] {
  const lines = new Set<string>();
  for (const p of planned) {
    if (p.action !== 'restart') continue;
    for (const s of p.secrets) {
      // With environments, each one's Vault has its own versions: the trailer names whose.
      const env = p.workload.environment ? `${p.workload.environment}:` : '';
      if (s.state === 'outdated') lines.add(`Vault-Secret: ${env}${s.path} ${s.recorded} -> ${s.current}`);
    }
  }
  return [...lines].sort();
}

/**
 * Renders the message for the workloads that change. Returns null when nothing changes.
 * @param template the Liquid source (see templates/commit-message.liquid) and the files it may include
 * @throws TemplateError naming the file when the template fails or hits a limit (./liquid.ts)
 */
export function renderCommitMessage(
  template: TemplateSource,
  planned: readonly PlannedWorkload[],
): string | null {
  const changing = planned.filter(
    (p) => (p.action === 'restart' || p.action === 'record') && p.newValue !== null,
  );
  if (changing.length === 0) return null;
  // Reviewers of the commit see what was left as it is, and why (the exit code says only "blocked").
  const left = planned
    .filter((p) => p.action === 'blocked' || p.action === 'skipped')
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
  const data = {
    left,
    restart: changing.filter((p) => p.action === 'restart').length,
    record: changing.filter((p) => p.action === 'record').length,
    // A commit message lists at most LISTED workloads (an adoption of 5,000 would be unreadable, and
    // rendering it took 0.3 s); the trailers still name every changed secret.
    more: Math.max(0, changing.length - LISTED),
    workloads: changing.slice(0, LISTED).map((p) => ({
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
    })),
  };
  const body = renderTemplate(template, data)
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const trailers = secretTrailers(changing);
  return `${body}\n${trailers.length > 0 ? `\n${trailers.join('\n')}\n` : ''}`;
}
