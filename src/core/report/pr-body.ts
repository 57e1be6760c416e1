/**
 * The pull request's title and body: user-editable Liquid templates (templates/pr-title.liquid,
 * templates/pr-body.liquid) over data prepared here, where every cell is already escaped Markdown, so a
 * template edit cannot turn a workload name or a file path into markup. Nothing here holds a secret value:
 * the report carries versions and times only.
 *
 * GitHub refuses a body over 65,536 characters (422 "body is too long"): rows are dropped from the end
 * of the table, with a note saying how many, until the body fits.
 */
import type { PlannedSecret, PlannedWorkload, RunReport } from '../model.js';
import { singleEnvironment } from './commit-message.js';
import { renderTemplate, type TemplateSource } from './liquid.js';
import { groupProblems } from './problems.js';
import { escapeMarkdown } from './render.js';

/** GitHub's limit on a pull request body, in characters. */
export const GITHUB_BODY_LIMIT = 65_536;
/** GitHub's limit on a pull request title. */
const TITLE_LIMIT = 256;
/** Hidden marker that identifies a body written by vault-rollout. */
export const PR_BODY_MARKER = '<!-- vault-rollout:pull-request -->';

export interface PullRequestText {
  title: string;
  body: string;
}

export interface PullRequestTemplates {
  title: TemplateSource;
  body: TemplateSource;
}

export interface PullRequestContext {
  /** Base branch the pull request targets. */
  base: string;
  /** The pull-request branch, e.g. `vault-rollout/main`. */
  branch: string;
  /** Annotation prefix, to name the annotation in the body. */
  annotationPrefix: string;
  /** Default {@link GITHUB_BODY_LIMIT}; lower in tests. */
  maxBodyLength?: number;
}

/** Inline code for a path: no escaping needed inside, mentions and links are not rendered. */
function code(text: string): string {
  if (text.includes('`') || text.includes('\n')) return escapeMarkdown(text);
  return `\`${text.replace(/\|/g, '\\|')}\``;
}

/** `2026-11-05T10:11:12.123456Z` → `2026-11-05 10:11 UTC`; anything else is shown escaped. */
export function formatUpdatedTime(iso: string | null): string {
  if (!iso) return '–';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.exec(iso);
  if (!m) return escapeMarkdown(iso);
  return `${m[1]} ${m[2]} ${m[3] === 'Z' ? 'UTC' : m[3]}`;
}

function versionCell(s: PlannedSecret): string {
  const v = (n: number | null) => (n === null ? '–' : String(n));
  switch (s.state) {
    case 'outdated':
      return `${v(s.recorded)} → **${v(s.current)}**`;
    case 'unrecorded':
      return `new → ${v(s.current)}`;
    case 'up-to-date':
      return `${v(s.current)} (unchanged)`;
    case 'missing':
      return `${v(s.recorded)} → not found`;
    case 'deleted':
      return `${v(s.recorded)} → ${v(s.current)} (deleted)`;
    case 'forbidden':
      return `${v(s.recorded)} → no access`;
    default:
      return `${v(s.recorded)} → ${s.state}`;
  }
}

const onDelete = (p: PlannedWorkload) =>
  (p.workload.kind === 'StatefulSet' || p.workload.kind === 'DaemonSet') &&
  p.workload.updateStrategy === 'OnDelete';

/** What merging does to this workload, in words a reviewer checks in seconds. */
export function whatHappens(p: PlannedWorkload): string {
  const { kind, updateStrategy, recorded } = p.workload;
  switch (p.action) {
    case 'restart':
      if (p.workload.chartValue !== null)
        return `**rolling restart** through the chart (${code(p.workload.chartValue)})`;
      if (kind === 'CronJob')
        return 'new pod template: the next scheduled Job uses it (running Jobs keep going)';
      if (onDelete(p)) return '⚠️ new pod template, but `OnDelete`: pods change only when deleted by hand';
      if (updateStrategy === 'Recreate') return '**restart**: all pods replaced at once (`Recreate`)';
      return '**rolling restart**';
    case 'record':
      return recorded === null
        ? 'adoption: records the versions, no restart'
        : 'records the versions, no restart';
    case 'blocked':
      return `⛔ blocked: ${p.reasons.map(escapeMarkdown).join('; ')}`;
    case 'skipped':
    case 'ignored':
    case 'deferred':
      return `${p.action}: ${p.reasons.map(escapeMarkdown).join('; ')}`;
    default:
      return 'nothing';
  }
}

/** `; pins the version in ExternalSecret/db-creds` for a restart that pins versions, else ''. */
function pinsText(p: PlannedWorkload): string {
  const objects = [...new Set(p.pins.map((pin) => `${pin.target.kind}/${pin.target.name}`))];
  return objects.length > 0 ? `; pins the version in ${objects.map((o) => code(o)).join(', ')}` : '';
}

function rolloutCell(p: PlannedWorkload): string {
  const parts: string[] = [];
  if (p.workload.replicas !== null) parts.push(String(p.workload.replicas));
  if (p.workload.updateStrategy) parts.push(`\`${p.workload.updateStrategy.replace(/[`|]/g, '')}\``);
  return parts.length > 0 ? parts.join(' · ') : '–';
}

interface Row {
  workload: string;
  kind: string;
  namespace: string;
  file: string;
  secret: string;
  version: string;
  updated: string;
  happens: string;
  rollout: string;
  /** The first row of a workload carries its columns; the others leave them empty. */
  first: boolean;
}

function rowsOf(p: PlannedWorkload): Row[] {
  // An ignored workload's secrets are not read: it still gets its row, with the reason.
  const secrets: (PlannedWorkload['secrets'][number] | null)[] = p.secrets.length > 0 ? p.secrets : [null];
  return secrets.map((s, i) => ({
    workload: i === 0 ? `**${escapeMarkdown(p.workload.name)}**` : '',
    kind: i === 0 ? p.workload.kind : '',
    namespace: i === 0 ? (p.workload.namespace ? code(p.workload.namespace) : '–') : '',
    // Where the change is: the root's patch file for a workload in a shared base.
    file: i === 0 ? code(p.workload.rootPatch?.file ?? p.workload.file) : '',
    secret: s === null ? '–' : code(s.path),
    version: s === null ? '–' : versionCell(s),
    updated: s === null ? '–' : formatUpdatedTime(s.updatedTime),
    happens: i === 0 ? whatHappens(p) + pinsText(p) : '',
    rollout: i === 0 ? rolloutCell(p) : '',
    first: i === 0,
  }));
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Renders the title and body. The body lists every workload that restarts, records or is blocked (one row
 * per Vault secret), the warnings (e.g. `OnDelete`), the problems, and ends with {@link PR_BODY_MARKER}.
 *
 * @example
 * const { title, body } = renderPullRequest(
 *   { title: { file: 'templates/pr-title.liquid', text: readTemplate('pr-title.liquid') }, body: … },
 *   report,
 *   { base: 'main', branch: 'vault-rollout/main', annotationPrefix: 'vault-rollout' },
 * );
 */
export function renderPullRequest(
  templates: PullRequestTemplates,
  report: RunReport,
  ctx: PullRequestContext,
): PullRequestText {
  const limit = ctx.maxBodyLength ?? GITHUB_BODY_LIMIT;
  const shown = report.workloads.filter((p) => p.action !== 'none');
  const rows = shown.flatMap(rowsOf);
  const notes = shown.flatMap((p) =>
    p.warnings.map(
      (w) => `**${escapeMarkdown(`${p.workload.kind}/${p.workload.name}`)}**: ${escapeMarkdown(w)}`,
    ),
  );
  // One line per kind of problem, as in the table output: 45 skipped chart templates are one line.
  const problems = groupProblems(report.problems).map((g) => {
    const pr = g.problems[0]!;
    return g.problems.length === 1
      ? `${pr.severity}: ${code(`${pr.file}${pr.line !== undefined ? `:${pr.line}` : ''}`)} ${escapeMarkdown(pr.message)}`
      : `${pr.severity}: ${escapeMarkdown(g.summary)}`;
  });
  const s = report.summary;
  const base = {
    base: code(ctx.base),
    branch: code(ctx.branch),
    annotation: code(`${ctx.annotationPrefix}/secret-versions`),
    // `vault-rollout(prod): ...` when every workload listed belongs to one environment.
    environment: singleEnvironment(shown),
    restart: s.restart,
    record: s.record,
    blocked: s.blocked,
    unchanged: s.unchanged,
    restart_text: plural(s.restart, 'workload'),
    record_text: plural(s.record, 'workload'),
    blocked_text: plural(s.blocked, 'workload'),
    skipped: s.skipped ?? 0,
    ignored: s.ignored ?? 0,
    deferred: s.deferred ?? 0,
    skipped_text: plural(s.skipped ?? 0, 'workload'),
    ignored_text: plural(s.ignored ?? 0, 'workload'),
    deferred_text: plural(s.deferred ?? 0, 'restart'),
    unchanged_text: plural(s.unchanged, 'workload'),
    secrets: new Set(shown.flatMap((p) => p.secrets.filter((x) => x.state === 'outdated').map((x) => x.path)))
      .size,
    notes,
    problems,
    marker: PR_BODY_MARKER,
  };
  const title = renderTemplate(templates.title, { ...base, base: ctx.base, branch: ctx.branch })
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, TITLE_LIMIT);
  const render = (count: number) =>
    renderTemplate(templates.body, {
      ...base,
      rows: rows.slice(0, count),
      omitted: rows.length - count,
      omitted_text: plural(rows.length - count, 'row'),
    })
      .replace(/[ \t]+$/gm, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n';
  let body = render(rows.length);
  if (body.length > limit) {
    // The longest prefix of rows that fits: binary search, each probe renders the template once.
    let lo = 0;
    let hi = rows.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (render(mid).length <= limit) lo = mid;
      else hi = mid - 1;
    }
    body = render(lo);
    if (body.length > limit) {
      const cut = `\n\n… (cut to GitHub's ${limit}-character limit)\n\n${PR_BODY_MARKER}\n`;
      body = body.slice(0, limit - cut.length) + cut;
    }
  }
  return { title, body };
}
