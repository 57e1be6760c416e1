/**
 * GitLab API failures: one error class whose messages name the call, its route, GitLab's short `message`
 * or `error` field and what to do. Built from parts, never a raw body, and always redacted.
 */
import { VaultRolloutError } from '../../core/errors.js';
import { redact } from '../../log.js';

export class GitLabError extends VaultRolloutError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('GitLabError', redact(message), data);
  }
}

/** One API call, described for people. */
export interface GitLabCall {
  /** e.g. `creating the merge request`. */
  what: string;
  /** e.g. `POST /projects/:id/merge_requests`. */
  route: string;
  /** What the token needs, e.g. `the api scope and the Developer role`. */
  permission: string;
}

/** GitLab's `message` (a string, a list, or a field → messages map) or `error`, shortened. */
export function gitlabSays(data: unknown): string {
  if (!data || typeof data !== 'object') return '';
  const d = data as { message?: unknown; error?: unknown; error_description?: unknown };
  const parts: string[] = [];
  const add = (v: unknown, field?: string) => {
    if (typeof v === 'string') parts.push(field ? `${field} ${v}` : v);
    else if (Array.isArray(v)) for (const x of v) add(x, field);
  };
  if (d.message && typeof d.message === 'object' && !Array.isArray(d.message)) {
    for (const [field, v] of Object.entries(d.message)) add(v, field);
  } else add(d.message);
  add(d.error);
  add(d.error_description);
  const one = parts.join('; ').replace(/\s+/g, ' ').trim();
  return one.length > 300 ? `${one.slice(0, 300)}…` : one;
}
