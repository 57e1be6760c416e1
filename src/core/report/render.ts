/**
 * Report renderers: table (terminal), json (docs/schema/report.schema.json), markdown (job summary, PR body).
 * Pure functions of the RunReport. Never a secret value or a token: the report holds none.
 */
import type {
  FileChange,
  PlannedPin,
  PlannedSecret,
  PlannedWorkload,
  Problem,
  RunReport,
  Workload,
} from '../model.js';
import { cut, fitTable, wrap, type ColumnSpec } from './fit.js';
import { groupProblems, problemLine, problemsHeading } from './problems.js';
import { formatPath } from '../yaml/edit-scalar.js';
import { unifiedDiff } from './line-diff.js';
import { rootLabels, sectionOrder, withEnvironmentHeadings, type Placed } from './sections.js';

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

/** How a table is laid out for the terminal it is printed on. */
export interface TableOptions {
  /** The width the table fits (cutting long cells with `…`); null: no limit. Default 100. */
  width?: number | null;
  /** Every column in full, one row per secret, nothing cut. */
  wide?: boolean;
  /** Every problem on its own line, instead of one line per kind of problem. */
  allProblems?: boolean;
}

const DEFAULT_WIDTH = 100;

/** The width a table fits: null (no limit) for `wide`. */
function tableWidth(opts: TableOptions): number | null {
  if (opts.wide) return null;
  return opts.width === undefined ? DEFAULT_WIDTH : opts.width;
}

/** Pads columns; plain text for terminals and logs. */
export function textTable(header: string[], rows: string[][]): string {
  return fitTable(
    header.map((h) => ({ header: h })),
    rows,
    null,
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * A render root for a table cell, by the part of its path that tells it from the others (./sections.ts):
 * `-` for none.
 */
function rootCells(
  roots: readonly (string | null | undefined)[],
): (root: string | null | undefined) => string {
  const labels = rootLabels(roots.flatMap((r) => (r == null ? [] : [r])));
  return (root) => (root == null ? '-' : (labels.get(root) ?? (root || '.')));
}

const placed = (w: Workload): Placed => ({ environment: w.environment ?? null, root: w.root ?? null });
const documentId = (w: Workload) => `${w.file}#${w.document}`;

/**
 * The document index after a file name, only where a file holds several workloads (`apps/all.yaml#2`,
 * 0-based as `document` in the JSON report); a file with one workload is named alone.
 */
function fileCells<T>(items: readonly T[], file: (t: T) => string, document: (t: T) => number): string[] {
  const docs = new Map<string, Set<number>>();
  for (const t of items) {
    const set = docs.get(file(t)) ?? new Set<number>();
    set.add(document(t));
    docs.set(file(t), set);
  }
  return items.map((t) => ((docs.get(file(t))?.size ?? 0) > 1 ? `${file(t)}#${document(t)}` : file(t)));
}

const SECRET_STATE_TEXT: Partial<Record<PlannedSecret['state'], string>> = {
  outdated: 'changed',
  unrecorded: 'unrecorded',
  missing: 'missing',
  deleted: 'deleted',
  forbidden: 'forbidden',
  unsupported: 'unsupported',
};

/**
 * One workload's secrets in a few words: `1 of 2 changed: kv/web/db 6→7`, `2 secrets · up to date`. Changed secrets and the
 * ones that block the workload are named; up-to-date and unrecorded ones are counted. A single secret is
 * named whatever its state: `up to date: kv/web/db`.
 */
export function secretsSummary(secrets: readonly PlannedSecret[]): string {
  const changed = (s: PlannedSecret) => `${s.path} ${fmtVersion(s.recorded)}→${fmtVersion(s.current)}`;
  const only = secrets.length === 1 ? secrets[0]! : null;
  if (only) {
    // One secret: its name and what happened to it, e.g. `changed: kv/payments/db 6→7`.
    if (only.state === 'outdated') return `changed: ${changed(only)}`;
    return `${only.state === 'up-to-date' ? 'up to date' : SECRET_STATE_TEXT[only.state]}: ${only.path}`;
  }
  const parts: string[] = [];
  const states: PlannedSecret['state'][] = [
    'outdated',
    'missing',
    'deleted',
    'forbidden',
    'unsupported',
    'unrecorded',
  ];
  for (const state of states) {
    const these = secrets.filter((s) => s.state === state);
    if (these.length === 0) continue;
    // The first part says out of how many: `1 of 2 changed: ...`.
    const label = `${these.length}${parts.length === 0 ? ` of ${secrets.length}` : ''} ${SECRET_STATE_TEXT[state]}`;
    if (state === 'unrecorded') parts.push(label);
    else if (state === 'outdated') parts.push(`${label}: ${these.map(changed).join(', ')}`);
    else parts.push(`${label}: ${these.map((s) => s.path).join(', ')}`);
  }
  if (parts.length === 0) return `${plural(secrets.length, 'secret')} · up to date`;
  return parts.join(' · ');
}

/**
 * Secret paths in few characters: the names under one folder in braces, as a shell would expand them,
 * e.g. `kv/payments/{api,db}, kv/shared/tls`.
 */
export function compactPaths(paths: readonly string[]): string {
  const byFolder = new Map<string, string[]>();
  for (const p of paths) {
    const slash = p.lastIndexOf('/');
    const folder = p.slice(0, slash + 1);
    const names = byFolder.get(folder) ?? [];
    names.push(p.slice(slash + 1));
    byFolder.set(folder, names);
  }
  return [...byFolder]
    .map(([folder, names]) => (names.length === 1 ? `${folder}${names[0]}` : `${folder}{${names.join(',')}}`))
    .join(', ');
}

/** `vaultAgent ×7, annotation`: each discovery source once, with how many references it found. */
export function sourcesSummary(sources: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const s of sources) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([s, n]) => (n === 1 ? s : `${s} ×${n}`)).join(', ');
}

/** The folder every path is in (`clusters/prod/`), or '' when they share none. */
export function commonFolder(paths: readonly string[]): string {
  if (paths.length === 0) return '';
  let common = paths[0]!.split('/').slice(0, -1);
  for (const p of paths) {
    const dirs = p.split('/').slice(0, -1);
    let i = 0;
    while (i < common.length && i < dirs.length && common[i] === dirs[i]) i++;
    common = common.slice(0, i);
  }
  return common.length > 0 ? `${common.join('/')}/` : '';
}

/**
 * Fits a workload table to `width`. When it does not fit as it is and every file is under one folder,
 * the FILE column names files relative to that folder, said once above the table, before anything is cut.
 */
function fitWorkloads(
  columns: readonly ColumnSpec[],
  rows: string[][],
  fileColumn: number,
  width: number | null,
): string {
  const natural = fitTable(columns, rows, null);
  if (width === null || natural.split('\n').every((l) => l.length <= width)) return natural;
  const folder = commonFolder(rows.map((r) => r[fileColumn]!));
  if (folder === '') return fitTable(columns, rows, width);
  const relative = rows.map((r) => r.map((c, i) => (i === fileColumn ? c.slice(folder.length) : c)));
  return `${cut(`FILE is relative to ${folder}`, width, 'start')}\n${fitTable(columns, relative, width)}`;
}

function planTable(report: RunReport, opts: TableOptions): string {
  // Grouped by environment, then root: one row per workload per root.
  const workloads = sectionOrder(report.workloads.map((p) => placed(p.workload))).map(
    (i) => report.workloads[i]!,
  );
  const rooted = workloads.some((p) => p.workload.root != null);
  const rootCell = rootCells(workloads.map((p) => p.workload.root));
  const files = fileCells(
    workloads,
    (p) => p.workload.file,
    (p) => p.workload.document,
  );
  if (opts.wide) {
    // One row per secret; the workload's own cells only on its first row, so that an unchanged secret
    // does not read as the cause of its workload's action. An ignored workload (no secret read) has one.
    const owners: PlannedWorkload[] = [];
    const rows = workloads.flatMap((p, i) =>
      (p.secrets.length > 0 ? p.secrets : [null]).map((s, j) => {
        owners.push(p);
        return [
          ...(j === 0
            ? [
                workloadLabel(p),
                p.workload.namespace ?? '-',
                ...(rooted ? [rootCell(p.workload.root)] : []),
                files[i]!,
              ]
            : ['', '', ...(rooted ? [''] : []), '']),
          s?.path ?? '-',
          s?.source ?? '-',
          s ? fmtVersion(s.recorded) : '-',
          s ? fmtVersion(s.current) : '-',
          s?.state ?? '-',
          j === 0 ? p.action : '',
        ];
      }),
    );
    const header = [
      'WORKLOAD',
      'NAMESPACE',
      ...(rooted ? ['ROOT'] : []),
      'FILE',
      'SECRET',
      'SOURCE',
      'RECORDED',
      'CURRENT',
      'STATE',
      'ACTION',
    ];
    return withEnvironmentHeadings(
      textTable(header, rows),
      owners.map((p) => placed(p.workload)),
      (r) => documentId(owners[r]!.workload),
    );
  }
  const columns: ColumnSpec[] = [
    workloadColumn(workloads.map(workloadLabel), rooted),
    { header: 'NAMESPACE', min: 9, weight: 0.6 },
    // The root is what tells two rows of one workload apart: never cut.
    ...(rooted ? [{ header: 'ROOT' }] : []),
    { header: 'FILE', min: rooted ? 8 : 10, keep: 'path', weight: 0.7 },
    { header: 'SECRETS', min: 16, weight: 2 },
    { header: 'ACTION' },
  ];
  const rows = workloads.map((p, i) => [
    workloadLabel(p),
    p.workload.namespace ?? '-',
    ...(rooted ? [rootCell(p.workload.root)] : []),
    files[i]!,
    // An ignored workload's secrets are not read from Vault.
    p.action === 'ignored' ? 'not read' : secretsSummary(p.secrets),
    p.action,
  ]);
  return withEnvironmentHeadings(
    fitWorkloads(columns, rows, rooted ? 3 : 2, tableWidth(opts)),
    workloads.map((p) => placed(p.workload)),
    (r) => documentId(workloads[r]!.workload),
  );
}

/**
 * The one-line summary of a run. With render roots it counts both the distinct workloads and the
 * (root, workload) pairs the actions count: one base three roots build is one workload, three rows.
 */
export function summaryLine(report: RunReport): string {
  const s = report.summary;
  const rooted = report.workloads.some((p) => p.workload.root != null);
  if (rooted) {
    const distinct = new Set(report.workloads.map((p) => documentId(p.workload))).size;
    const roots = new Set(report.workloads.map((p) => p.workload.root ?? '')).size;
    const envs = new Set(
      report.workloads.flatMap((p) => (p.workload.environment ? [p.workload.environment] : [])),
    ).size;
    const where = `${plural(roots, 'root')}${envs > 0 ? ` of ${plural(envs, 'environment')}` : ''}`;
    return `${plural(distinct, 'workload')} in ${where}, ${s.workloads} (root, workload) pair(s): ${actionCounts(s)}`;
  }
  return `${s.workloads} workload(s): ${actionCounts(s)}`;
}

function actionCounts(s: RunReport['summary']): string {
  const quiet = [
    s.skipped ? `, ${s.skipped} skipped` : '',
    s.ignored ? `, ${s.ignored} ignored` : '',
    s.deferred ? `, ${s.deferred} deferred` : '',
  ].join('');
  return `${s.restart} restart, ${s.record} record only, ${s.blocked} blocked, ${s.unchanged} unchanged${quiet}`;
}

/**
 * The problems section of a terminal report: one line per kind of problem (count and example), or with
 * `allProblems` one line per problem. Empty when there is none.
 */
export function problemsText(problems: readonly Problem[], opts: TableOptions): string[] {
  if (problems.length === 0) return [];
  const width = tableWidth(opts);
  const groups = groupProblems(problems);
  const listed = opts.allProblems === true;
  const lines = listed ? problems.map(problemLine) : groups.map((g) => g.summary);
  return [
    problemsHeading(problems, groups.length, listed),
    ...lines.flatMap((l) => wrap(`  ${l}`, width, '      ')),
  ];
}

/**
 * The terminal table: one row per workload (its secrets summarised) fitted to `width`, or with `wide`
 * one row per secret in full; then notes, problems (grouped by kind) and the summary.
 */
export function toTable(report: RunReport, opts: TableOptions = {}): string {
  const out: string[] = [];
  const width = tableWidth(opts);
  if (report.workloads.length === 0) out.push('No workload depends on a Vault secret.');
  else out.push(planTable(report, opts));
  const notes = report.workloads.flatMap((p) => [
    ...[chartNote(p)].flatMap((c) => (c ? [`chart    ${workloadLabel(p)} (${p.workload.file}): ${c}`] : [])),
    ...p.reasons.map((r) => `${reasonLabel(p).padEnd(8)} ${workloadLabel(p)} (${p.workload.file}): ${r}`),
    ...p.warnings.map((w) => `warning  ${workloadLabel(p)} (${p.workload.file}): ${w}`),
    ...p.pins.map((pin) => `pin      ${workloadLabel(p)}: ${pinText(pin)}`),
  ]);
  if (notes.length > 0) out.push('', ...notes.flatMap((n) => wrap(n, width, '         ')));
  const problems = problemsText(report.problems, opts);
  if (problems.length > 0) out.push('', ...problems);
  out.push('', summaryLine(report));
  if (report.commit) out.push(`Commit: ${report.commit}`);
  if (report.pullRequest) out.push(`Pull request: #${report.pullRequest.number} ${report.pullRequest.url}`);
  return out.join('\n') + '\n';
}

/** A scan's row data: a workload and the record it already carries. */
export function toScanTable(
  found: readonly Workload[],
  problems: readonly Problem[],
  opts: TableOptions = {},
  undeployed: readonly string[] = [],
): string {
  const out: string[] = [];
  const width = tableWidth(opts);
  // Grouped by environment, then root: one row per workload per root.
  const workloads = sectionOrder(found.map(placed)).map((i) => found[i]!);
  const rooted = workloads.some((w) => w.root != null);
  const rootCell = rootCells(workloads.map((w) => w.root));
  const headings = (table: string, owners: readonly Workload[]) =>
    withEnvironmentHeadings(table, owners.map(placed), (r) => documentId(owners[r]!));
  const files = fileCells(
    workloads,
    (w) => w.file,
    (w) => w.document,
  );
  const recorded = (w: Workload, path: string) => String(w.recorded?.get(path) ?? '-');
  if (workloads.length === 0) out.push('No workload depends on a Vault secret.');
  else if (opts.wide) {
    const rows = workloads.flatMap((w, i) =>
      w.secrets.map((s, j) => [
        ...(j === 0
          ? [`${w.kind}/${w.name}`, w.namespace ?? '-', ...(rooted ? [rootCell(w.root)] : []), files[i]!]
          : ['', '', ...(rooted ? [''] : []), '']),
        s.path,
        s.source,
        s.via,
        recorded(w, s.path),
      ]),
    );
    const header = [
      'WORKLOAD',
      'NAMESPACE',
      ...(rooted ? ['ROOT'] : []),
      'FILE',
      'SECRET',
      'SOURCE',
      'FOUND THROUGH',
      'RECORDED',
    ];
    out.push(
      headings(
        textTable(header, rows),
        workloads.flatMap((w) => w.secrets.map(() => w)),
      ),
    );
  } else {
    const columns: ColumnSpec[] = [
      workloadColumn(
        workloads.map((w) => `${w.kind}/${w.name}`),
        rooted,
      ),
      { header: 'NAMESPACE', min: 9, weight: 0.6 },
      // The root is what tells two rows of one workload apart: never cut.
      ...(rooted ? [{ header: 'ROOT' }] : []),
      { header: 'FILE', min: rooted ? 8 : 10, keep: 'path', weight: 0.7 },
      { header: 'SECRETS', min: 12, weight: 1.5 },
      { header: 'SOURCES', min: rooted ? 8 : 10, weight: 0.9 },
      { header: 'RECORDED' },
    ];
    const rows = workloads.map((w, i) => {
      const paths = [...new Set(w.secrets.map((s) => s.path))];
      const known = paths.filter((p) => w.recorded?.has(p)).length;
      return [
        `${w.kind}/${w.name}`,
        w.namespace ?? '-',
        ...(rooted ? [rootCell(w.root)] : []),
        files[i]!,
        compactPaths(paths),
        sourcesSummary(w.secrets.map((s) => s.source)),
        known === 0 ? 'no' : known === paths.length ? 'yes' : `${known} of ${paths.length}`,
      ];
    });
    out.push(headings(fitWorkloads(columns, rows, rooted ? 3 : 2, width), workloads));
  }
  const charts = workloads.flatMap((w) =>
    w.chartValue !== null ? [`  ${w.kind}/${w.name} (${w.file}): restarts go through ${w.chartValue}`] : [],
  );
  if (charts.length > 0)
    out.push('', 'Through a Helm chart:', ...charts.flatMap((c) => wrap(c, width, '    ')));
  if (undeployed.length > 0) out.push('', ...wrap(undeployedLine(undeployed), width, '    '));
  const secrets = new Set(workloads.flatMap((w) => w.secrets.map((s) => s.path))).size;
  const lines = problemsText(problems, opts);
  if (lines.length > 0) out.push('', ...lines);
  out.push(
    '',
    `${workloads.length} workload(s) depend on ${plural(secrets, 'Vault secret')}.${rootedCounts(workloads)}`,
  );
  return out.join('\n') + '\n';
}

/** The kustomization folders no Flux Kustomization or Argo CD Application deploys, named once. */
function undeployedLine(dirs: readonly string[]): string {
  return `Not deployed (no Flux Kustomization or Argo CD Application reaches ${dirs.length === 1 ? 'it' : 'them'}; not read): ${dirs.map((d) => d || '.').join(', ')}`;
}

/**
 * ` Counted once: 7 workloads in 18 roots of 2 environments.` for a repository with render roots (the
 * rows count each workload once per root that builds it), else ''.
 */
function rootedCounts(workloads: readonly Workload[]): string {
  if (!workloads.some((w) => w.root != null)) return '';
  const distinct = new Set(workloads.map(documentId)).size;
  const roots = new Set(workloads.map((w) => w.root ?? '')).size;
  const envs = new Set(workloads.flatMap((w) => (w.environment ? [w.environment] : []))).size;
  return ` Counted once: ${plural(distinct, 'workload')} in ${plural(roots, 'root')}${envs > 0 ? ` of ${plural(envs, 'environment')}` : ''}.`;
}

/**
 * The WORKLOAD column. With render roots, where one name appears once per root, it is not cut below its
 * longest name (up to 40): two rows must never read alike.
 */
const workloadColumn = (labels: readonly string[], rooted: boolean): ColumnSpec => ({
  header: 'WORKLOAD',
  min: rooted ? Math.min(40, Math.max(16, ...labels.map((l) => l.length))) : 12,
  weight: 1.5,
});

/** Escapes text for a Markdown table cell or inline text (GitHub-flavoured). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>()#+!|~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

const ACTION_TEXT: Record<string, string> = {
  restart: 'rolling restart',
  record: 'record only (no restart)',
  none: 'none',
  blocked: 'blocked',
  skipped: 'skipped',
  ignored: 'ignored',
  deferred: 'deferred',
};

/**
 * The word a workload's reasons are shown under: its action when that leaves it as it is, else `blocked`
 * (a restart or record has no reasons).
 */
export function reasonLabel(p: PlannedWorkload): 'blocked' | 'skipped' | 'ignored' | 'deferred' {
  return p.action === 'skipped' || p.action === 'ignored' || p.action === 'deferred' ? p.action : 'blocked';
}

/**
 * The problems section of a Markdown report: one bullet per kind of problem, or with `allProblems` one
 * per problem.
 */
function problemsMarkdown(problems: readonly Problem[], allProblems: boolean): string[] {
  if (problems.length === 0) return [];
  const e = escapeMarkdown;
  const one = (pr: Problem) =>
    `- ${pr.severity}: \`${pr.file}${pr.line !== undefined ? `:${pr.line}` : ''}\` ${e(pr.message)}`;
  const groups = groupProblems(problems);
  const lines = allProblems
    ? problems.map(one)
    : groups.map((g) => (g.problems.length === 1 ? one(g.problems[0]!) : `- ${e(g.summary)}`));
  return [
    // Also read in a job summary, where there is no -v: the JSON report has them all too.
    `### ${e(problemsHeading(problems, groups.length, allProblems, '-v or the JSON report').replace(/:$/, ''))}`,
    '',
    ...lines,
    '',
  ];
}

/** Markdown report for the job summary; problems grouped by kind unless `allProblems`. */
export function toMarkdown(report: RunReport, opts: Pick<TableOptions, 'allProblems'> = {}): string {
  const e = escapeMarkdown;
  const out: string[] = ['## vault-rollout', '', e(summaryLine(report)), ''];
  if (report.workloads.length > 0) {
    // As the table: grouped by environment, then root, which lead each row.
    const workloads = sectionOrder(report.workloads.map((p) => placed(p.workload))).map(
      (i) => report.workloads[i]!,
    );
    const envs = workloads.some((p) => p.workload.environment != null);
    const rooted = workloads.some((p) => p.workload.root != null);
    const rootCell = rootCells(workloads.map((p) => p.workload.root));
    const lead = (p: PlannedWorkload) => [
      ...(envs ? [e(p.workload.environment ?? '-')] : []),
      ...(rooted ? [e(rootCell(p.workload.root))] : []),
    ];
    const header = [
      ...(envs ? ['Environment'] : []),
      ...(rooted ? ['Root'] : []),
      'Workload',
      'Namespace',
      'File',
      'Vault secret',
      'Recorded → current',
      'State',
      'Action',
    ];
    out.push(`| ${header.join(' | ')} |`, `|${' --- |'.repeat(header.length)}`);
    for (const p of workloads) {
      const own = [e(workloadLabel(p)), e(p.workload.namespace ?? '-'), e(p.workload.file)];
      const action = ACTION_TEXT[p.action] ?? p.action;
      // An ignored workload's secrets are not read: one row says so.
      if (p.secrets.length === 0) out.push(`| ${[...lead(p), ...own, '-', '-', '-', action].join(' | ')} |`);
      for (const s of p.secrets) {
        const versions = `${fmtVersion(s.recorded)} → ${fmtVersion(s.current)}`;
        out.push(`| ${[...lead(p), ...own, e(s.path), versions, s.state, action].join(' | ')} |`);
      }
    }
    out.push('');
  }
  const notes = report.workloads.flatMap((p) => [
    ...[chartNote(p)].flatMap((c) => (c ? [`- **Chart** ${e(workloadLabel(p))}: ${e(c)}`] : [])),
    ...p.reasons.map((r) => {
      const label = reasonLabel(p);
      return `- **${label[0]!.toUpperCase()}${label.slice(1)}** ${e(workloadLabel(p))}: ${e(r)}`;
    }),
    ...p.warnings.map((w) => `- **Warning** ${e(workloadLabel(p))}: ${e(w)}`),
    ...p.pins.map((pin) => `- **Pin** ${e(workloadLabel(p))}: ${e(pinText(pin))}`),
  ]);
  if (notes.length > 0) out.push(...notes, '');
  out.push(...problemsMarkdown(report.problems, opts.allProblems === true));
  if (report.commit) out.push(`Commit: \`${report.commit}\``, '');
  if (report.pullRequest)
    out.push(`Pull request: [#${report.pullRequest.number}](${report.pullRequest.url})`, '');
  return out.join('\n');
}

/** The Markdown form of `scan`: one row per secret (a Markdown table has no width), problems grouped. */
export function toScanMarkdown(
  found: readonly Workload[],
  problems: readonly Problem[],
  opts: Pick<TableOptions, 'allProblems'> = {},
  undeployed: readonly string[] = [],
): string {
  const e = escapeMarkdown;
  const workloads = sectionOrder(found.map(placed)).map((i) => found[i]!);
  const rooted = workloads.some((w) => w.root != null);
  const envs = workloads.some((w) => w.environment != null);
  const rootCell = rootCells(workloads.map((w) => w.root));
  const files = fileCells(
    workloads,
    (w) => w.file,
    (w) => w.document,
  );
  const header = [
    ...(envs ? ['Environment'] : []),
    ...(rooted ? ['Root'] : []),
    'Workload',
    'Namespace',
    'File',
    'Vault secret',
    'Source',
    'Found through',
    'Recorded',
  ];
  const out: string[] = [];
  if (workloads.length > 0) {
    out.push(`| ${header.join(' | ')} |`, `|${' --- |'.repeat(header.length)}`);
    workloads.forEach((w, i) => {
      for (const s of w.secrets) {
        const cells = [
          ...(envs ? [w.environment ?? '-'] : []),
          ...(rooted ? [rootCell(w.root)] : []),
          `${w.kind}/${w.name}`,
          w.namespace ?? '-',
          files[i]!,
          s.path,
          s.source,
          s.via,
          String(w.recorded?.get(s.path) ?? '-'),
        ];
        out.push(`| ${cells.map(e).join(' | ')} |`);
      }
    });
    out.push('');
  } else out.push('No workload depends on a Vault secret.', '');
  const charts = workloads.flatMap((w) =>
    w.chartValue !== null
      ? [`- ${e(`${w.kind}/${w.name} (${w.file}): restarts go through ${w.chartValue}`)}`]
      : [],
  );
  if (charts.length > 0) out.push('Through a Helm chart:', '', ...charts, '');
  if (undeployed.length > 0) out.push(e(undeployedLine(undeployed)), '');
  const secrets = new Set(workloads.flatMap((w) => w.secrets.map((s) => s.path))).size;
  out.push(
    `${workloads.length} workload(s) depend on ${plural(secrets, 'Vault secret')}.${rootedCounts(workloads)}`,
    '',
  );
  out.push(...problemsMarkdown(problems, opts.allProblems === true));
  return out.join('\n');
}

/** Unified diff of every change, as `git diff` shows it. */
export function toDiff(changes: readonly FileChange[]): string {
  return changes.map((c) => unifiedDiff(`a/${c.path}`, `b/${c.path}`, c.before, c.after, 3)).join('');
}

/** How many diff lines a terminal report prints before it leaves the rest out. */
export const DEFAULT_DIFF_LINES = 60;

/**
 * The unified diff, cut at whole files once `maxLines` lines are printed (the first file is always
 * shown, itself cut at `maxLines`), with a note that says what was left out and how to see it.
 * `maxLines` null prints everything.
 * @param howToSeeAll the option that prints the whole diff, named in the note
 */
export function cappedDiff(
  changes: readonly FileChange[],
  maxLines: number | null,
  howToSeeAll: string,
): { text: string; note: string | null } {
  const diffs = changes
    .map((c) => unifiedDiff(`a/${c.path}`, `b/${c.path}`, c.before, c.after, 3))
    .filter(Boolean);
  if (maxLines === null) return { text: diffs.join(''), note: null };
  const lineCount = (d: string) => d.split('\n').length - 1;
  const total = diffs.reduce((n, d) => n + lineCount(d), 0);
  if (total <= maxLines) return { text: diffs.join(''), note: null };
  let text = '';
  let shown = 0;
  let files = 0;
  for (const d of diffs) {
    const n = lineCount(d);
    if (files > 0 && shown + n > maxLines) break;
    if (files === 0 && n > maxLines) {
      text += `${d.split('\n').slice(0, maxLines).join('\n')}\n`;
      shown = maxLines;
    } else {
      text += d;
      shown += n;
    }
    files += 1;
  }
  const hiddenFiles = diffs.length - files;
  const what =
    hiddenFiles > 0
      ? `${total - shown} more diff line(s) in ${plural(hiddenFiles, 'more file')}`
      : `${total - shown} more diff line(s)`;
  return { text, note: `... ${what} not shown (${total} in all): ${howToSeeAll} prints the whole diff.` };
}

export function render(report: RunReport, format: Format, opts: TableOptions = {}): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(toJson(report), null, 2)}\n`;
    case 'markdown':
      return toMarkdown(report, opts);
    default:
      return toTable(report, opts);
  }
}
