/**
 * Report renderers: table (terminal), json (docs/schema/report.schema.json), markdown (job summary, PR body).
 * Pure functions of the RunReport. Never a secret value or a token: the report holds none.
 */
import type { FileChange, PlannedPin, PlannedWorkload, RunReport } from '../model.js';
import { formatPath } from '../yaml/edit-scalar.js';
import { unifiedDiff } from './line-diff.js';

export type Format = 'table' | 'json' | 'markdown';

/** `ExternalSecret/db-creds (apps/es.yaml) spec.data[0].remoteRef.version = 7 (kv/web/db)` */
export function pinText(pin: PlannedPin): string {
  const t = pin.target;
  const what =
    t.format === 'placeholder'
      ? `${formatPath(t.field)} ${t.placeholder ?? ''} #version`
      : formatPath(t.field);
  return `${t.kind}/${t.name} (${t.file}) ${what} = ${pin.version} (${pin.path})`;
}

/**
 * For a Helm-based app, how its restart reaches the pods: `restarts go through the chart: ...`; null for
 * a workload with its own pod template.
 */
export function chartNote(p: PlannedWorkload): string | null {
  const value = p.workload.chartValue;
  if (value === null) return null;
  return `restarts go through the chart: the annotation is set in ${value}, which the chart must copy to the pod template's annotations`;
}

/** The JSON report: docs/schema/report.schema.json describes every field (test/report/schema.test.ts). */
export function toJson(report: RunReport): Record<string, unknown> {
  return {
    branch: report.branch,
    workloads: report.workloads.map((p) => ({
      file: p.workload.file,
      document: p.workload.document,
      kind: p.workload.kind,
      name: p.workload.name,
      namespace: p.workload.namespace,
      secrets: p.secrets.map((s) => ({
        path: s.path,
        ...(s.vaultNamespace ? { vaultNamespace: s.vaultNamespace } : {}),
        source: s.source,
        recorded: s.recorded,
        current: s.current,
        state: s.state,
        updatedTime: s.updatedTime,
      })),
      action: p.action,
      ...(p.workload.root != null ? { root: p.workload.root } : {}),
      ...(p.workload.environment != null ? { environment: p.workload.environment } : {}),
      ...(p.workload.rootPatch ? { patch: p.workload.rootPatch.file } : {}),
      ...(p.workload.chartValue !== null ? { chart: p.workload.chartValue } : {}),
      ...(p.pins.length > 0
        ? {
            pins: p.pins.map((pin) => ({
              file: pin.target.file,
              document: pin.target.document,
              kind: pin.target.kind,
              name: pin.target.name,
              field: formatPath(pin.target.field),
              path: pin.path,
              version: pin.version,
            })),
          }
        : {}),
      ...(p.reasons.length > 0 ? { reasons: p.reasons } : {}),
      ...(p.warnings.length > 0 ? { warnings: p.warnings } : {}),
    })),
    summary: report.summary,
    problems: report.problems,
    commit: report.commit,
    pullRequest: report.pullRequest,
  };
}

const fmtVersion = (v: number | null) => (v === null ? '-' : String(v));

function workloadLabel(p: PlannedWorkload): string {
  return `${p.workload.kind}/${p.workload.name}`;
}

/** Pads columns; plain text for terminals and logs. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function secretRows(report: RunReport, rooted: boolean): string[][] {
  const rows: string[][] = [];
  for (const p of report.workloads) {
    for (const s of p.secrets) {
      rows.push([
        workloadLabel(p),
        p.workload.namespace ?? '-',
        // A workload several render roots build is listed once per root.
        ...(rooted ? [p.workload.root == null ? '-' : p.workload.root || '.'] : []),
        `${p.workload.file}#${p.workload.document}`,
        s.path,
        fmtVersion(s.recorded),
        fmtVersion(s.current),
        s.state,
        p.action,
      ]);
    }
  }
  return rows;
}

function summaryLine(report: RunReport): string {
  const s = report.summary;
  return `${s.workloads} workload(s): ${s.restart} restart, ${s.record} record only, ${s.blocked} blocked, ${s.unchanged} unchanged`;
}

/** The terminal table: one row per workload secret, then notes, problems and the summary. */
export function toTable(report: RunReport): string {
  const out: string[] = [];
  const rooted = report.workloads.some((p) => p.workload.root != null);
  if (report.workloads.length === 0) out.push('No workload depends on a Vault secret.');
  else
    out.push(
      textTable(
        [
          'WORKLOAD',
          'NAMESPACE',
          ...(rooted ? ['ROOT'] : []),
          'FILE',
          'SECRET',
          'RECORDED',
          'CURRENT',
          'STATE',
          'ACTION',
        ],
        secretRows(report, rooted),
      ),
    );
  const notes = report.workloads.flatMap((p) => [
    ...[chartNote(p)].flatMap((c) => (c ? [`chart    ${workloadLabel(p)} (${p.workload.file}): ${c}`] : [])),
    ...p.reasons.map((r) => `blocked  ${workloadLabel(p)} (${p.workload.file}): ${r}`),
    ...p.warnings.map((w) => `warning  ${workloadLabel(p)} (${p.workload.file}): ${w}`),
    ...p.pins.map((pin) => `pin      ${workloadLabel(p)}: ${pinText(pin)}`),
  ]);
  if (notes.length > 0) out.push('', ...notes);
  if (report.problems.length > 0) {
    out.push('', 'Problems:');
    for (const pr of report.problems) {
      const at = pr.line !== undefined ? `:${pr.line}${pr.column !== undefined ? `:${pr.column}` : ''}` : '';
      out.push(`  ${pr.severity.padEnd(7)} ${pr.file}${at}: ${pr.message}`);
    }
  }
  out.push('', summaryLine(report));
  if (report.commit) out.push(`Commit: ${report.commit}`);
  if (report.pullRequest) out.push(`Pull request: #${report.pullRequest.number} ${report.pullRequest.url}`);
  return out.join('\n') + '\n';
}

/** Escapes text for a Markdown table cell or inline text (GitHub-flavoured). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>()#+!|~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

const ACTION_TEXT: Record<string, string> = {
  restart: 'rolling restart',
  record: 'record only (no restart)',
  none: 'none',
  blocked: 'blocked',
};

/** Markdown report for the job summary. */
export function toMarkdown(report: RunReport): string {
  const e = escapeMarkdown;
  const out: string[] = ['## vault-rollout', '', e(summaryLine(report)), ''];
  if (report.workloads.length > 0) {
    out.push('| Workload | Namespace | File | Vault secret | Recorded → current | State | Action |');
    out.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const p of report.workloads) {
      for (const s of p.secrets) {
        out.push(
          `| ${e(workloadLabel(p))} | ${e(p.workload.namespace ?? '-')} | ${e(p.workload.file)} | ${e(s.path)} | ${fmtVersion(
            s.recorded,
          )} → ${fmtVersion(s.current)} | ${s.state} | ${ACTION_TEXT[p.action] ?? p.action} |`,
        );
      }
    }
    out.push('');
  }
  const notes = report.workloads.flatMap((p) => [
    ...[chartNote(p)].flatMap((c) => (c ? [`- **Chart** ${e(workloadLabel(p))}: ${e(c)}`] : [])),
    ...p.reasons.map((r) => `- **Blocked** ${e(workloadLabel(p))}: ${e(r)}`),
    ...p.warnings.map((w) => `- **Warning** ${e(workloadLabel(p))}: ${e(w)}`),
    ...p.pins.map((pin) => `- **Pin** ${e(workloadLabel(p))}: ${e(pinText(pin))}`),
  ]);
  if (notes.length > 0) out.push(...notes, '');
  if (report.problems.length > 0) {
    out.push('### Problems', '');
    for (const pr of report.problems) {
      out.push(
        `- ${pr.severity}: \`${pr.file}${pr.line !== undefined ? `:${pr.line}` : ''}\` ${e(pr.message)}`,
      );
    }
    out.push('');
  }
  if (report.commit) out.push(`Commit: \`${report.commit}\``, '');
  if (report.pullRequest)
    out.push(`Pull request: [#${report.pullRequest.number}](${report.pullRequest.url})`, '');
  return out.join('\n');
}

/** Unified diff of every change, as `git diff` shows it. */
export function toDiff(changes: readonly FileChange[]): string {
  return changes.map((c) => unifiedDiff(`a/${c.path}`, `b/${c.path}`, c.before, c.after, 3)).join('');
}

export function render(report: RunReport, format: Format): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(toJson(report), null, 2)}\n`;
    case 'markdown':
      return toMarkdown(report);
    default:
      return toTable(report);
  }
}
