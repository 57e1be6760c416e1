/**
 * GitHub API failures as one error class with messages that say which call failed, what GitHub answered,
 * and what to do (the permission to grant, the field to fix). Built from parts: the status, a few response
 * headers and GitHub's short `message`/`errors[]` fields, never a raw body, and always redacted.
 */
import { VaultRolloutError } from '../../core/errors.js';
import { redact } from '../../log.js';

export class GitHubError extends VaultRolloutError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('GitHubError', redact(message), data);
  }
}

/** One API call, described for people: what it does, its route, and the permission it needs. */
export interface GitHubCall {
  /** e.g. `creating the pull request`. */
  what: string;
  /** e.g. `POST /repos/acme/deploy/pulls`. */
  route: string;
  /** Fine-grained permission, e.g. `pull-requests: write`. */
  permission: string;
}

interface RequestErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
  errors?: { message?: string; type?: string }[];
}

function short(text: string, max = 300): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

/** GitHub's `message` plus each `errors[]` entry (message, or `resource.field code`), shortened. */
export function githubSays(err: unknown): string {
  const e = err as RequestErrorLike;
  const data = e.response?.data as
    | {
        message?: unknown;
        errors?: ({ message?: unknown; resource?: unknown; field?: unknown; code?: unknown } | string)[];
      }
    | undefined;
  const parts: string[] = [];
  // GraphqlResponseError carries GitHub's `errors[]` itself; its `response.data` is the query result.
  if (Array.isArray(e.errors)) {
    for (const x of e.errors) if (typeof x.message === 'string') parts.push(x.message);
  } else if (data && typeof data === 'object') {
    if (typeof data.message === 'string') parts.push(data.message);
    for (const x of Array.isArray(data.errors) ? data.errors : []) {
      if (typeof x === 'string') parts.push(x);
      else if (typeof x?.message === 'string') parts.push(x.message);
      else if (x && typeof x === 'object')
        parts.push([x.resource, x.field, x.code].filter((v) => typeof v === 'string').join(' '));
    }
  } else if (typeof e.message === 'string') {
    parts.push(e.message);
  }
  return short(parts.filter(Boolean).join('; '));
}

/** Hints for the 422 answers this tool can run into. */
const HINTS_422: [RegExp, string][] = [
  [
    /pull request already exists/i,
    'another open pull request already uses this head branch; close it or let vault-rollout update it',
  ],
  [/no commits between/i, 'the branch holds no change against the base'],
  [
    /(head|base).*invalid|not all refs are readable/i,
    'the head or base branch does not exist on GitHub (yet)',
  ],
  [
    /collaborator/i,
    'a reviewer in pullRequest.reviewers is not a collaborator of the repository; fix the config',
  ],
  [
    /pull request author/i,
    'GitHub does not let the pull request author review it; remove that login from pullRequest.reviewers',
  ],
  [/too long|maximum/i, "a field is over GitHub's size limit"],
  [/reference does not exist/i, 'the branch is already gone'],
];

/**
 * Turns an octokit error into a {@link GitHubError}.
 * @example throw toGitHubError(err, { what: 'listing pull requests', route: 'GET /repos/o/r/pulls', permission: 'pull-requests: read' })
 */
export function toGitHubError(err: unknown, call: GitHubCall): GitHubError {
  if (err instanceof GitHubError) return err;
  const e = (err ?? {}) as RequestErrorLike;
  const status = typeof e.status === 'number' ? e.status : undefined;
  const headers = e.response?.headers ?? {};
  const says = githubSays(err);
  const head = `GitHub API: ${call.what} failed (${call.route})`;
  const data = { status, route: call.route };
  if (status === 401) {
    return new GitHubError(
      `${head}: 401, the credentials were refused${says ? ` ("${says}")` : ''}; check GITHUB_TOKEN, or GITHUB_APP_ID / GITHUB_APP_PRIVATE_KEY / GITHUB_APP_INSTALLATION_ID`,
      data,
    );
  }
  if ((status === 403 || status === 429) && String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    const when = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : '';
    return new GitHubError(`${head}: the API rate limit is used up${when}; run again later`, data);
  }
  if (status === 403 || status === 429) {
    if (/secondary rate limit/i.test(says)) {
      return new GitHubError(
        `${head}: GitHub's secondary rate limit held after the retries; run again in a few minutes`,
        data,
      );
    }
    // Fine-grained tokens and Apps get the permission GitHub wanted in this header.
    const accepted = headers['x-accepted-github-permissions'];
    const needs = accepted ? String(accepted).replace(/=/g, ': ').replace(/,\s*/g, ', ') : call.permission;
    return new GitHubError(
      `${head}: 403, permission denied${says ? ` ("${says}")` : ''}; the token needs "${needs}" on the repository ` +
        `(in a workflow: "permissions: { contents: write, pull-requests: write }"; for a GitHub App: grant it and accept the new permissions)`,
      { ...data, permission: needs },
    );
  }
  if (status === 404) {
    return new GitHubError(
      `${head}: 404, not found; the repository does not exist, or the token cannot see it (GitHub answers 404 ` +
        `for a missing "${call.permission}" on private repositories); check --github-repository / GITHUB_REPOSITORY and the token's access`,
      data,
    );
  }
  if (status === 422) {
    const hint = HINTS_422.find(([re]) => re.test(says))?.[1];
    return new GitHubError(
      `${head}: 422, GitHub refused the request${says ? ` ("${says}")` : ''}${hint ? `: ${hint}` : ''}`,
      data,
    );
  }
  if (status !== undefined && status >= 500) {
    return new GitHubError(`${head}: GitHub answered ${status} after retries; try again later`, data);
  }
  if (status === undefined) {
    const cause = (err as { cause?: { code?: string } })?.cause?.code ?? (err as { code?: string })?.code;
    return new GitHubError(
      `${head}: cannot reach the GitHub API${cause ? ` (${cause})` : ''}${says ? `: ${says}` : ''}; check GITHUB_API_URL and the network`,
      data,
    );
  }
  return new GitHubError(`${head}: HTTP ${status}${says ? ` ("${says}")` : ''}`, data);
}
