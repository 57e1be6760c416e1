/**
 * The `fetch` octokit sends every GitHub request through, bounded by `github.timeoutSeconds` and
 * `github.maxResponseBytes`: a total deadline per request, from sending to the last byte of the answer,
 * and a cap on the bytes of the answer.
 *
 * The body is read here, in full, before octokit sees the response: octokit reads bodies with
 * `response.text().catch(() => '')`, so a body that failed half-way would reach the caller as an empty
 * answer instead of an error.
 */
import type { RequestLimits } from '../../core/limits.js';
import { readCapped } from '../http/read-capped.js';
import { GitHubError } from './errors.js';

/**
 * A request stopped by its deadline or its size cap. Named `AbortError` because that is the one failure
 * octokit passes on unwrapped and that its retry plugin does not retry: a slow or oversized answer sent
 * again would cost the same time again.
 */
export class GitHubRequestLimitError extends GitHubError {
  constructor(message: string, data: Record<string, unknown>) {
    super(message, data);
    this.name = 'AbortError';
  }
}

/** `GET /repos/acme/deploy/pulls` from the method and URL of a request. */
function endpoint(input: Parameters<typeof fetch>[0], method: string | undefined): string {
  const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  let where = raw;
  try {
    where = new URL(raw).pathname;
  } catch {
    // keep the raw text
  }
  return `${(method ?? 'GET').toUpperCase()} ${where}`;
}

/**
 * Wraps `base` (default: the global fetch) with `limits`, read per request.
 * @example
 * new Octokit({ request: { fetch: boundedFetch({ timeoutMs: 60_000, maxResponseBytes: 64 * 2 ** 20 }) } });
 */
export function boundedFetch(limits: RequestLimits, base: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const { timeoutMs, maxResponseBytes } = limits;
    const what = endpoint(input, init?.method);
    const controller = new AbortController();
    let failure: GitHubRequestLimitError | null = null;
    const stop = (e: GitHubRequestLimitError) => {
      failure ??= e;
      controller.abort(e);
    };
    const timer = setTimeout(
      () =>
        stop(
          new GitHubRequestLimitError(
            `GitHub API: ${what} did not answer completely within ${timeoutMs / 1000} s and was stopped (raise github.timeoutSeconds if GitHub is just slow)`,
            { endpoint: what, timeoutMs },
          ),
        ),
      timeoutMs,
    );
    const tooLarge = () =>
      new GitHubRequestLimitError(
        `GitHub API: ${what} answered with more than ${maxResponseBytes} bytes; vault-rollout stopped reading (raise github.maxResponseBytes if this is expected)`,
        { endpoint: what, maxResponseBytes },
      );
    const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    try {
      const res = await base(input, { ...init, signal });
      const body = await readCapped(res, maxResponseBytes);
      if (body === null) {
        stop(tooLarge());
        throw failure;
      }
      const empty = res.status === 204 || res.status === 205 || res.status === 304 || !res.body;
      const copy = new Response(empty ? null : body, {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
      Object.defineProperty(copy, 'url', { value: res.url });
      return copy;
    } catch (e) {
      throw failure ?? e;
    } finally {
      clearTimeout(timer);
    }
  };
}
