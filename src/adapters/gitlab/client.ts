/**
 * A small GitLab REST v4 client on Node's own `fetch`: the token in the `PRIVATE-TOKEN` header only (never
 * a URL, a log line or an error), every request bounded by `gitlab.timeoutSeconds` (a total deadline, from
 * sending to the last byte of the answer) and `gitlab.maxResponseBytes`, and a 429 retried a bounded number
 * of times after `Retry-After` (seconds) or `RateLimit-Reset` (epoch seconds), as GitLab sends them.
 *
 * Why not a client library: vault-rollout calls about eight endpoints, and `@gitbeaker/rest` is 1.5 MB
 * unpacked with qs, xcase and rate-limiter-flexible; Renovate also talks to GitLab through its own HTTP layer.
 */
import { readCapped } from '../http/read-capped.js';
import type { RequestLimits } from '../../core/limits.js';
import type { Logger } from '../../core/ports.js';
import { registerSecret } from '../../log.js';
import { GitLabError, gitlabSays, type GitLabCall } from './errors.js';

export interface GitLabClientOptions {
  /** The REST v4 base, e.g. `https://gitlab.example.com/api/v4` (a sub-path install keeps its prefix). */
  apiUrl: string;
  token: string;
  /** Read at every request (the config may set them after the client is built). */
  limits: RequestLimits;
  logger: Logger;
  /** Retries of a 429 (default 3). */
  rateLimitRetries?: number;
  /** Milliseconds per second of `Retry-After` (tests shrink it; default 1000). */
  retryAfterUnitMs?: number;
  /** Longest wait for one retry, in seconds (default 60): a longer one fails the run with GitLab's answer. */
  maxRetryWaitSeconds?: number;
  fetch?: typeof fetch;
  /** Clock for `RateLimit-Reset` (default: now). */
  now?: () => number;
}

/** An answer: the status, the parsed JSON body (null when empty), and the headers. */
export interface GitLabAnswer<T> {
  status: number;
  data: T;
  headers: Headers;
}

export class GitLabClient {
  private sent = 0;
  readonly apiUrl: string;

  constructor(private readonly opts: GitLabClientOptions) {
    this.apiUrl = opts.apiUrl.replace(/\/+$/, '');
    registerSecret(opts.token);
  }

  /** Requests sent so far, retries included. */
  requests(): number {
    return this.sent;
  }

  /**
   * One call. A status outside `accept` (default: 2xx) throws a GitLabError naming the call; `accept` lets the
   * caller read a status that is an answer (404, 409) rather than a failure.
   */
  async request<T>(
    call: GitLabCall,
    method: string,
    path: string,
    options: { query?: Record<string, string>; body?: unknown; accept?: (status: number) => boolean } = {},
  ): Promise<GitLabAnswer<T>> {
    const url = new URL(`${this.apiUrl}${path}`);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const accept = options.accept ?? ((s: number) => s >= 200 && s < 300);
    const retries = this.opts.rateLimitRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const answer = await this.once(call, method, url, options.body);
      if (accept(answer.status)) return answer as GitLabAnswer<T>;
      const wait = answer.status === 429 ? this.retryWait(answer.headers) : null;
      if (wait !== null && attempt < retries) {
        this.opts.logger.warn(
          `GitLab API: ${call.what} was rate limited (429); retrying in ${wait} s (${attempt + 1}/${retries})`,
        );
        await new Promise((done) => setTimeout(done, wait * (this.opts.retryAfterUnitMs ?? 1000)));
        continue;
      }
      throw failure(call, answer.status, gitlabSays(answer.data));
    }
  }

  /** Seconds to wait before retrying a 429, or null when GitLab asks for longer than the run should wait. */
  private retryWait(headers: Headers): number | null {
    const max = this.opts.maxRetryWaitSeconds ?? 60;
    const after = Number(headers.get('retry-after'));
    const reset = Number(headers.get('ratelimit-reset'));
    const now = (this.opts.now ?? Date.now)() / 1000;
    let wait = 1;
    if (headers.get('retry-after') !== null && Number.isFinite(after) && after >= 0) wait = after;
    else if (headers.get('ratelimit-reset') !== null && Number.isFinite(reset)) wait = reset - now;
    wait = Math.max(0, Math.ceil(wait));
    return wait <= max ? wait : null;
  }

  /** One HTTP exchange with the deadline and the size cap; the body is read whole before it is parsed. */
  private async once(
    call: GitLabCall,
    method: string,
    url: URL,
    body: unknown,
  ): Promise<GitLabAnswer<unknown>> {
    const { timeoutMs, maxResponseBytes } = this.opts.limits;
    const route = `${method} ${url.pathname}`;
    const controller = new AbortController();
    let stopped: GitLabError | null = null;
    const stop = (e: GitLabError) => {
      stopped ??= e;
      controller.abort(e);
    };
    const timer = setTimeout(
      () =>
        stop(
          new GitLabError(
            `GitLab API: ${call.what} (${route}) did not answer completely within ${timeoutMs / 1000} s and was stopped (raise gitlab.timeoutSeconds if GitLab is just slow)`,
            { route, timeoutMs },
          ),
        ),
      timeoutMs,
    );
    const tooLarge = () =>
      new GitLabError(
        `GitLab API: ${call.what} (${route}) answered with more than ${maxResponseBytes} bytes; vault-rollout stopped reading (raise gitlab.maxResponseBytes if this is expected)`,
        { route, maxResponseBytes },
      );
    this.sent++;
    try {
      const res = await (this.opts.fetch ?? globalThis.fetch)(url, {
        method,
        headers: {
          'PRIVATE-TOKEN': this.opts.token,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        redirect: 'error',
        signal: controller.signal,
      });
      const bytes = await readCapped(res, maxResponseBytes);
      if (bytes === null) {
        stop(tooLarge());
        throw stopped;
      }
      const text = bytes.toString('utf8');
      let data: unknown = null;
      if (text.trim() !== '') {
        try {
          data = JSON.parse(text);
        } catch {
          if (res.ok)
            throw new GitLabError(
              `GitLab API: ${call.what} (${route}) answered ${res.status} with a body that is not JSON`,
              {
                route,
                status: res.status,
              },
            );
        }
      }
      this.opts.logger.debug('GitLab API', { route, status: res.status });
      return { status: res.status, data, headers: res.headers };
    } catch (err) {
      if (stopped) throw stopped;
      if (err instanceof GitLabError) throw err;
      // Never the raw cause: it may quote the request. The URL has no credentials, so the route may be named.
      throw new GitLabError(
        `GitLab API: ${call.what} (${route}) failed: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)} (is ${this.apiUrl} reachable?)`,
        { route },
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The error of a refused call: what, where, GitLab's words, and what to do. */
function failure(call: GitLabCall, status: number, says: string): GitLabError {
  const said = says ? `: "${says}"` : '';
  let advice = '';
  if (status === 401)
    advice =
      '; the token is missing, expired or not accepted here (CI_JOB_TOKEN cannot call merge-request endpoints: set GITLAB_TOKEN)';
  else if (status === 403) advice = `; the token needs ${call.permission}`;
  else if (status === 404)
    advice = '; check gitlab.project (or CI_PROJECT_PATH) and that the token can see the project';
  return new GitLabError(`GitLab API: ${call.what} (${call.route}) answered ${status}${said}${advice}`, {
    status,
    route: call.route,
  });
}
