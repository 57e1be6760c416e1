/**
 * What a `notify` hook receives (docs/configuration.md "notify"): the run's report trimmed to what changed
 * (`format: json`), or a Slack incoming-webhook message with Block Kit blocks (`format: slack`). Built from
 * the report only, which holds Vault metadata (paths, version numbers, times) and never a secret value;
 * the sender passes the serialised body through the run's redaction before it leaves the process.
 */
import type { NOTIFY_EVENTS } from '../config/definition.js';
import type { PlannedWorkload, RunReport } from '../model.js';

export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** What a finished (or failed) `apply` tells its hooks. */
export interface RunOutcome {
  /** The final report; null when the run failed before it had one. */
  report: RunReport | null;
  /** Whether the run pushed a commit, or created or updated a pull request. */
  published: boolean;
  /** `--environment`, else the one environment every changed workload belongs to, else null. */
  environment: string | null;
  /** The remote, without credentials. */
  repository: string | null;
  /** The one-line message of the error that ended the run (already redacted), else null. */
  error: string | null;
}

/** Workloads listed in one hook body; the rest are counted in `omitted`. */
export const HOOK_WORKLOADS = 100;

/** The events a run raises: the actions its report has, and `error` when it failed. */
export function runEvents(outcome: RunOutcome): NotifyEvent[] {
  const events: NotifyEvent[] = [];
  const s = outcome.report?.summary;
  if (outcome.published && (s?.restart ?? 0) > 0) events.push('restart');
  if (outcome.published && (s?.record ?? 0) > 0) events.push('record');
  if ((s?.blocked ?? 0) > 0) events.push('blocked');
  if ((s?.deferred ?? 0) > 0) events.push('deferred');
  if (outcome.error !== null) events.push('error');
  return events;
}

/**
 * Whether hooks hear of this run at all: it published, blocked or failed. A run that changed nothing (or
 * only deferred restarts) says nothing, so a cron job every ten minutes does not post every ten minutes.
 */
export function worthTelling(outcome: RunOutcome): boolean {
  return outcome.published || outcome.error !== null || (outcome.report?.summary.blocked ?? 0) > 0;
}

/** The remote as a hook may see it: a URL without user, password, query or fragment. */
export function publicRemote(repository: string | null): string | null {
  if (repository === null) return null;
  try {
    const url = new URL(repository);
    if (url.username === '' && url.password === '' && url.search === '' && url.hash === '') return repository;
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.href;
  } catch {
    // scp-like `git@host:path` or a local path: no credentials can sit in it
    return repository;
  }
}

/** The page of a pushed commit: `<https remote without .git>/commit/<id>` (GitHub, GitLab, Gitea), else null. */
export function commitUrl(repository: string | null, commit: string | null): string | null {
  if (repository === null || commit === null) return null;
  let url: URL;
  try {
    url = new URL(repository);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return `${url.href.replace(/\/+$/, '').replace(/\.git$/, '')}/commit/${commit}`;
}

const TOLD: ReadonlySet<string> = new Set(['restart', 'record', 'blocked', 'deferred']);

function told(report: RunReport | null): PlannedWorkload[] {
  return (report?.workloads ?? []).filter((p) => TOLD.has(p.action));
}

/** A workload as the JSON hook sees it: the report's fields, secrets limited to those that moved or block. */
function trimmed(p: PlannedWorkload) {
  const w = p.workload;
  return {
    file: w.rootPatch?.file ?? w.file,
    kind: w.kind,
    name: w.name,
    namespace: w.namespace,
    ...(w.environment != null ? { environment: w.environment } : {}),
    ...(w.root != null ? { root: w.root } : {}),
    action: p.action,
    secrets: p.secrets
      .filter((s) => s.state !== 'up-to-date')
      .map((s) => ({ path: s.path, recorded: s.recorded, current: s.current, state: s.state })),
    ...(p.action === 'blocked' || p.action === 'deferred' ? { reasons: p.reasons } : {}),
  };
}

/**
 * The `format: json` body: the report's fields trimmed to what changed.
 * @example JSON.stringify(jsonPayload(outcome, ['restart']))
 */
export function jsonPayload(outcome: RunOutcome, events: readonly NotifyEvent[]) {
  const report = outcome.report;
  const listed = told(report);
  return {
    source: 'vault-rollout',
    events: [...events],
    environment: outcome.environment,
    branch: report?.branch ?? null,
    repository: publicRemote(outcome.repository),
    commit: report?.commit ?? null,
    commitUrl: commitUrl(outcome.repository, report?.commit ?? null),
    pullRequest: report?.pullRequest ?? null,
    summary: report?.summary ?? null,
    workloads: listed.slice(0, HOOK_WORKLOADS).map(trimmed),
    ...(listed.length > HOOK_WORKLOADS ? { omitted: listed.length - HOOK_WORKLOADS } : {}),
    ...(outcome.error !== null ? { error: outcome.error } : {}),
  };
}

/** Slack's mrkdwn escapes (https://api.slack.com/reference/surfaces/formatting#escaping). */
function mrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Text from the manifests as a code span: Slack has no escape for a backtick, and one inside a name would end
 * the span early and turn the rest of the name into markup (or a bare URL into a link), so it becomes `ˋ`.
 */
function code(text: string): string {
  return `\`${mrkdwn(text).replace(/`/g, 'ˋ')}\``;
}

/** Block Kit limits: a header's text, a section's text, blocks per message. */
const HEADER_CHARS = 150;
const SECTION_CHARS = 3000;
const MAX_BLOCKS = 50;

function headline(outcome: RunOutcome): string {
  const scope = outcome.environment ? `(${outcome.environment})` : '';
  const s = outcome.report?.summary;
  const parts: string[] = [];
  if (outcome.published && s?.restart) parts.push(`${s.restart} restarted`);
  if (outcome.published && s?.record) parts.push(`${s.record} recorded`);
  if (s?.blocked) parts.push(`${s.blocked} blocked`);
  if (s?.deferred) parts.push(`${s.deferred} deferred`);
  const what = outcome.error !== null ? 'run failed' : parts.join(', ') || 'nothing changed';
  const on = outcome.report?.branch ? ` on ${outcome.report.branch}` : '';
  return `vault-rollout${scope}: ${what}${on}`.slice(0, HEADER_CHARS);
}

function line(p: PlannedWorkload): string {
  const w = p.workload;
  const who = `${code(`${w.kind}/${w.name}`)}${w.namespace ? ` (${code(w.namespace)})` : ''}`;
  const moved = p.secrets
    .filter((s) => s.state === 'outdated' || s.state === 'unrecorded')
    .map((s) => `${code(s.path)} ${s.recorded ?? 'none'} → ${s.current ?? '?'}`);
  const icon = { restart: '🔄', record: '📝', blocked: '⛔', deferred: '⏸️' }[
    p.action as 'restart' | 'record' | 'blocked' | 'deferred'
  ];
  const why = p.action === 'blocked' || p.action === 'deferred' ? `: ${mrkdwn(p.reasons.join('; '))}` : '';
  return `${icon} ${who} ${p.action}${moved.length > 0 ? ` ${moved.join(', ')}` : ''}${why}`;
}

/** Lines joined until the section's limit, then `… and N more`. */
function fit(title: string, lines: string[]): string {
  let text = title;
  for (let i = 0; i < lines.length; i++) {
    const more = `\n… and ${lines.length - i} more`;
    const next = `\n${lines[i]!.slice(0, 500)}`;
    if (text.length + next.length + more.length > SECTION_CHARS) return text + more;
    text += next;
  }
  return text;
}

/**
 * The `format: slack` body: a header, one section per environment listing its workloads, and the link to
 * the commit or pull request.
 */
export function slackPayload(outcome: RunOutcome) {
  const report = outcome.report;
  const header = headline(outcome);
  const blocks: object[] = [{ type: 'header', text: { type: 'plain_text', text: header } }];
  const byEnv = new Map<string, PlannedWorkload[]>();
  for (const p of told(report)) {
    // Adoptions are many and routine: counted in the header, listed only when the run published them.
    if (p.action === 'record' && !outcome.published) continue;
    const env = p.workload.environment ?? outcome.environment ?? '';
    byEnv.set(env, [...(byEnv.get(env) ?? []), p]);
  }
  const envs = [...byEnv].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [env, list] of envs.slice(0, MAX_BLOCKS - 3)) {
    const title = `*${env ? mrkdwn(env) : 'workloads'}*`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: fit(title, list.map(line)) } });
  }
  const links: string[] = [];
  const url = commitUrl(outcome.repository, report?.commit ?? null);
  if (report?.commit)
    links.push(
      url ? `<${url}|Commit ${report.commit.slice(0, 12)}>` : `Commit \`${report.commit.slice(0, 12)}\``,
    );
  if (report?.pullRequest)
    links.push(`<${report.pullRequest.url}|Pull request #${report.pullRequest.number}>`);
  if (links.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: links.join(' · ') } });
  if (outcome.error !== null)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*Error:* ${mrkdwn(outcome.error).slice(0, SECTION_CHARS - 20)}` },
    });
  return { text: header, blocks };
}
