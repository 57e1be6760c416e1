/**
 * The webhook's transport: one POST over node:http(s) whose connection only goes to an address the hook
 * rule allows. The config already refuses a hook URL naming a link-local or metadata address
 * (src/core/config/hook-url.ts), but a name is resolved only when the run connects, and a repository owner
 * who controls a name's DNS can make it resolve to 169.254.169.254 (or switch it there between checks).
 * So the check runs inside the socket's own `lookup`: the address tested is the address connected to.
 * (Node's global fetch takes no lookup function without an undici dependency; node:http(s) does.)
 *
 * Answers as a `Response`, so the caller reads it like every other HTTP answer (read-capped.ts).
 */
import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { isForbiddenHookAddress } from '../../core/config/hook-url.js';

/** A connection refused because the hook's host resolved to an address no hook may reach. */
export class ForbiddenHookAddressError extends Error {
  readonly code = 'EHOOKADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly why: string,
  ) {
    super(`resolves to ${why} (${address})`);
    this.name = 'ForbiddenHookAddressError';
  }
}

/**
 * `resolve` (default `dns.lookup`), but failing with ForbiddenHookAddressError when any address it gives is
 * link-local, unspecified or a metadata address. Handles both callback shapes (`all: true` gives a list,
 * which Node asks for when it races IPv4 and IPv6).
 */
export function guardedLookup(resolve: LookupFunction = dnsLookup as LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const list = Array.isArray(address) ? address : [{ address, family: family ?? 0 }];
      for (const entry of list) {
        const why = isForbiddenHookAddress(entry.address);
        if (why)
          return callback(new ForbiddenHookAddressError(hostname, entry.address, why), address, family);
      }
      callback(null, address, family);
    });
  };
}

const NULL_BODY = new Set([101, 204, 205, 304]);

function toResponse(res: IncomingMessage): Response {
  const status = res.statusCode ?? 0;
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  if (NULL_BODY.has(status) || status < 200 || status > 599) {
    res.resume();
    // Response refuses a body on these statuses and any status outside 200–599; the caller needs only the code.
    const clamped = status < 200 || status > 599 ? 502 : status;
    return new Response(null, { status: clamped, headers });
  }
  return new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status, headers });
}

export interface GuardedPostInit {
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
  /** The resolver under the guard (tests give a stand-in; default `dns.lookup`). */
  lookup?: LookupFunction;
}

/**
 * POSTs `init.body` to `url` without following redirects; rejects with ForbiddenHookAddressError, or a
 * network error whose `cause.code` names it (as fetch's do).
 */
export function guardedPost(url: string, init: GuardedPostInit): Promise<Response> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const body = Buffer.from(init.body, 'utf8');
  return new Promise<Response>((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...init.headers, 'content-length': String(body.length) },
        signal: init.signal,
        lookup: guardedLookup(init.lookup),
        // One request per connection: no pooled socket outlives the run or skips the lookup.
        agent: false,
      },
      (res) => {
        try {
          resolve(toResponse(res));
        } catch (err) {
          res.destroy();
          reject(Object.assign(new Error('unreadable answer'), { cause: { code: 'EBADANSWER', err } }));
        }
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof ForbiddenHookAddressError) reject(err);
      else reject(Object.assign(new Error('request failed'), { cause: err }));
    });
    req.end(body);
  });
}
