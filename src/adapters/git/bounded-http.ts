/**
 * isomorphic-git's HTTP client with the bounds of `git.timeoutSeconds` and `git.maxResponseBytes`: a total
 * deadline per HTTP request, from sending to the last byte of the answer, and a cap on the bytes received.
 *
 * isomorphic-git's Node client has neither (it waits as long as the server keeps the socket open), and
 * its body iterator never settles when the stream fails between two reads, so the wrapper races every
 * read against the deadline and aborts the request through its `signal` on expiry or over the cap.
 */
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';

import { GitError } from '../../core/errors.js';
import type { RequestLimits } from '../../core/limits.js';
import { displayRemote } from './remote-url.js';

/** `fetch from "https://host/repo.git"` or `push to "..."`, from the smart-HTTP URL isomorphic-git asks for. */
export function describeHttpCall(url: string): string {
  const push = /git-receive-pack/.test(url);
  const repo = url.replace(/\/(info\/refs(\?.*)?|git-upload-pack|git-receive-pack)$/, '');
  return `${push ? 'push to' : 'fetch from'} "${displayRemote(repo)}"`;
}

/** An HTTP client that remembers why it stopped a request. */
export interface BoundedHttpClient extends HttpClient {
  /**
   * The error of the last request stopped by a bound, once (then null). isomorphic-git turns a failed
   * read of some answers into its own protocol error; the caller reports this one instead.
   */
  takeFailure(): GitError | null;
}

/**
 * Wraps `base` so that each request obeys `limits` (read per request: the composition root may change
 * them once the repository's config is read).
 * @example
 * await git.clone({ fs, dir, url, http: boundedHttp(http, { timeoutMs: 600_000, maxResponseBytes: 2 ** 30 }) });
 */
export function boundedHttp(base: HttpClient, limits: RequestLimits): BoundedHttpClient {
  let last: GitError | null = null;
  return {
    takeFailure() {
      const failure = last;
      last = null;
      return failure;
    },
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      const { timeoutMs, maxResponseBytes } = limits;
      const what = describeHttpCall(req.url);
      const controller = new AbortController();
      let failure: GitError | null = null;
      let fail: (e: GitError) => void = () => {};
      const failed = new Promise<never>((_, reject) => (fail = reject));
      failed.catch(() => {});
      const stop = (e: GitError) => {
        if (failure) return;
        failure = e;
        last = e;
        clearTimeout(timer);
        controller.abort(e);
        fail(e);
      };
      const timer = setTimeout(
        () =>
          stop(
            new GitError(
              `isomorphic-git ${what} did not finish within ${timeoutMs / 1000} s and was stopped (raise git.timeoutSeconds if the remote is just slow)`,
              { timeoutMs },
            ),
          ),
        timeoutMs,
      );
      // A body nobody reads to its end must not keep the process alive until the deadline.
      timer.unref();
      const signal = req.signal ? AbortSignal.any([req.signal, controller.signal]) : controller.signal;
      let res: GitHttpResponse;
      try {
        res = await Promise.race([base.request({ ...req, signal }), failed]);
      } catch (e) {
        clearTimeout(timer);
        throw failure ?? e;
      }
      if (!res.body) {
        clearTimeout(timer);
        return res;
      }
      const source = res.body[Symbol.asyncIterator]();
      let received = 0;
      const body: AsyncIterableIterator<Uint8Array> = {
        async next() {
          if (failure) throw failure;
          const step = await Promise.race([source.next(), failed]);
          if (step.done) {
            clearTimeout(timer);
            return step;
          }
          received += step.value.byteLength;
          if (received > maxResponseBytes) {
            stop(
              new GitError(
                `isomorphic-git ${what} received more than ${maxResponseBytes} bytes and was stopped (raise git.maxResponseBytes if this is expected)`,
                { maxResponseBytes },
              ),
            );
            throw failure;
          }
          return step;
        },
        async return(value?: unknown) {
          clearTimeout(timer);
          await source.return?.(value);
          return { done: true, value: undefined };
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
      return { ...res, body };
    },
  };
}
