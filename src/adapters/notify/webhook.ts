/**
 * One bounded, retried webhook POST. Bounded like every other request of a run: a total deadline from
 * sending to the last byte read, and a cap on the answer read (nobody needs a hook's answer beyond its
 * status). Retried on a network failure, a timeout, 408, 429 (after its `Retry-After`, capped) and 5xx,
 * `attempts` times in all with doubling backoff; any other answer is final. Redirects are not followed:
 * the signed body goes to the URL the config names and nowhere else.
 *
 * Sent over node:http(s) with the hook rule checked at connect time (./guarded-post.ts): a name that
 * resolves to a link-local or metadata address is refused, once, without retries.
 *
 * Messages name the hook by its host only: a hook URL is often a credential itself (Slack's
 * `hooks.slack.com/services/…` path is the secret).
 */
import type { LookupFunction } from 'node:net';
import { readCapped } from '../http/read-capped.js';
import { ForbiddenHookAddressError, guardedPost } from './guarded-post.js';

export interface WebhookOptions {
  /** Total deadline of one try (default 10 s). */
  timeoutMs?: number;
  /** Bytes of the answer read, at most (default 64 KiB). */
  maxResponseBytes?: number;
  /** Tries in all (default 3). */
  attempts?: number;
  /** First backoff; doubles per try (default 1 s). */
  backoffMs?: number;
  /** Longest `Retry-After` honoured; a longer one is waited this long (default 30 s). */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** A stand-in transport (tests); without it the guarded node:http(s) POST is used. */
  fetch?: typeof fetch;
  /** The resolver under the connect-time address check (tests; default `dns.lookup`). */
  lookup?: LookupFunction;
  /** For `Retry-After` given as an HTTP date. */
  now?: () => number;
}

export type WebhookResult =
  { ok: true; status: number; attempts: number } | { ok: false; attempts: number; message: string };

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `Retry-After` in ms: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * Posts `body` with `headers` to `url`.
 * @example
 * const r = await postWebhook('https://ops.example.com/hook', '{"events":["restart"]}', { 'content-type': 'application/json' });
 * if (!r.ok) logger.warn(r.message);
 */
export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: WebhookOptions = {},
): Promise<WebhookResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const cap = options.maxResponseBytes ?? 64 * 1024;
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoff = options.backoffMs ?? 1000;
  const maxRetryAfter = options.maxRetryAfterMs ?? 30_000;
  const sleep = options.sleep ?? sleepFor;
  const send: (url: string, init: RequestInit & { signal: AbortSignal }) => Promise<Response> =
    options.fetch ??
    ((target, init) =>
      guardedPost(target, {
        headers: init.headers as Record<string, string>,
        body: init.body as string,
        signal: init.signal,
        ...(options.lookup ? { lookup: options.lookup } : {}),
      }));
  const now = options.now ?? Date.now;
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let wait = backoff * 2 ** (attempt - 1);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await send(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: controller.signal,
      });
      await readCapped(res, cap);
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, attempts: attempt };
      last = `answered HTTP ${res.status}`;
      if (!retryable(res.status)) return { ok: false, attempts: attempt, message: last };
      if (res.status === 429) {
        const after = retryAfterMs(res.headers.get('retry-after'), now());
        if (after !== null) wait = Math.min(after, maxRetryAfter);
      }
    } catch (err) {
      // Asking again would resolve to the same forbidden address (or a rebinding name's next answer).
      if (err instanceof ForbiddenHookAddressError)
        return {
          ok: false,
          attempts: attempt,
          message: `was not sent: its host ${err.message}, which a hook may not reach`,
        };
      last = controller.signal.aborted
        ? `did not answer within ${timeoutMs / 1000} s`
        : `could not be reached (${causeText(err)})`;
    } finally {
      clearTimeout(timer);
    }
    if (attempt < attempts) await sleep(wait);
  }
  return { ok: false, attempts, message: last };
}

/** The network error's own code or message, never a URL (fetch puts the URL into some messages). */
function causeText(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  // fetch refuses some ports itself (`bad port`); its other messages may quote the URL.
  if (cause?.message === 'bad port') return 'a port fetch refuses';
  return 'network error';
}
