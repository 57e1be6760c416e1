/**
 * The HTTP transport we hand to node-vault through its `request-promise` injection point.
 *
 * Why not node-vault's built-in axios transport: its wrapper returns only status and body, so a 429's
 * `Retry-After` header is lost, and an axios network error carries the request config (with the
 * `X-Vault-Token` header) that must never reach a log. This transport keeps node-vault's request
 * building, login helpers and error mapping, and gives us headers, exact error codes and TLS control
 * (it ignores `VAULT_SKIP_VERIFY` from `process.env`, which node-vault's defaults read directly).
 */
import http from 'node:http';
import https from 'node:https';

/** What node-vault passes to the transport (see node-vault/src/index.js `client.request`). */
interface NodeVaultRequest {
  method: string;
  uri: string;
  headers?: Record<string, string>;
  json?: unknown;
}

export interface NodeVaultResponse {
  statusCode: number;
  body: unknown;
  request: { path: string };
}

export interface TransportOptions {
  /** PEM CA bundle for HTTPS. */
  ca?: string;
  /** False only when the user asked to skip TLS verification. */
  rejectUnauthorized: boolean;
  /** Longest silence on the socket (ms). */
  timeoutMs: number;
  /**
   * Longest time one request may take from sending to the last byte of the answer (ms): the idle timeout
   * alone lets a server that sends one byte every few seconds hold a request forever.
   */
  deadlineMs: number;
  /** Largest answer body accepted (bytes); a larger one is abandoned before it fills memory. */
  maxResponseBytes: number;
  maxSockets: number;
  /** Called once per HTTP attempt (for stats). */
  onRequest?: (method: string, path: string) => void;
  /** Called once per HTTP attempt with its HTTP status, or the TransportError code when none came. */
  onAnswer?: (outcome: number | string) => void;
}

/**
 * A network-level failure with a stable code (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ...), or one of ours:
 * `EDEADLINE` (the total deadline passed), `ETOOLARGE` (the body passed the size cap), `ENOTJSON` (a 2xx
 * answer whose body is not JSON: an HTML login page from a proxy, a truncated body).
 */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export interface Transport {
  /** The object node-vault expects as `config['request-promise']`. */
  requestPromise: {
    defaults: (rpDefaults: unknown) => (options: NodeVaultRequest) => Promise<NodeVaultResponse>;
  };
  /** `Retry-After` of the response whose parsed body is `body` (node-vault only keeps the body on errors). */
  retryAfterOf(body: unknown): string | undefined;
  close(): void;
}

export function createTransport(opts: TransportOptions): Transport {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets });
  const httpsAgent = new https.Agent({
    keepAlive: true,
    maxSockets: opts.maxSockets,
    rejectUnauthorized: opts.rejectUnauthorized,
    ...(opts.ca ? { ca: opts.ca } : {}),
  });
  const retryAfter = new WeakMap<object, string>();

  const send = (options: NodeVaultRequest): Promise<NodeVaultResponse> =>
    attempt(options).then(
      (answer) => {
        opts.onAnswer?.(answer.statusCode);
        return answer;
      },
      (e: unknown) => {
        opts.onAnswer?.(e instanceof TransportError ? e.code : 'ENETWORK');
        throw e;
      },
    );

  const attempt = (options: NodeVaultRequest): Promise<NodeVaultResponse> =>
    new Promise((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(options.uri);
      } catch {
        reject(new TransportError('EINVALIDURL', 'invalid Vault address'));
        return;
      }
      opts.onRequest?.(options.method, url.pathname);
      const isHttps = url.protocol === 'https:';
      const payload =
        options.json !== undefined && typeof options.json === 'object'
          ? JSON.stringify(options.json)
          : undefined;
      const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
      if (payload !== undefined) {
        headers['Content-Type'] ??= 'application/json';
        headers['Content-Length'] = String(Buffer.byteLength(payload));
      }
      let req: http.ClientRequest;
      try {
        req = (isHttps ? https : http).request(url, {
          method: options.method,
          headers,
          agent: isHttps ? httpsAgent : httpAgent,
        });
      } catch {
        // Node refuses a header value with a control or non-Latin-1 character before sending anything;
        // its TypeError would name the header's value, so only the fact is kept.
        reject(new TransportError('EBADHEADER', 'a request header value is not valid'));
        return;
      }
      // The first of our own failures wins over the socket errors that destroying the request causes.
      let ours: TransportError | null = null;
      const abort = (e: TransportError) => {
        ours ??= e;
        req.destroy(e);
      };
      req.setTimeout(opts.timeoutMs, () => {
        abort(new TransportError('ETIMEDOUT', `no answer within ${opts.timeoutMs} ms`));
      });
      const deadline = setTimeout(() => {
        abort(new TransportError('EDEADLINE', `no complete answer within ${opts.deadlineMs} ms`));
      }, opts.deadlineMs);
      deadline.unref();
      req.on('close', () => clearTimeout(deadline));
      req.on('error', (e: NodeJS.ErrnoException) => {
        // Keep only the code and Node's message (which names host:port, never headers).
        reject(
          ours ?? (e instanceof TransportError ? e : new TransportError(e.code ?? 'ENETWORK', e.message)),
        );
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const tooLarge = () =>
          new TransportError('ETOOLARGE', `answer larger than ${opts.maxResponseBytes} bytes`);
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > opts.maxResponseBytes) {
          abort(tooLarge());
          return;
        }
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > opts.maxResponseBytes) {
            chunks.length = 0;
            abort(tooLarge());
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e: NodeJS.ErrnoException) =>
          reject(ours ?? new TransportError(e.code ?? 'ECONNRESET', e.message)),
        );
        res.on('end', () => {
          if (ours) return;
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          let body: unknown = undefined;
          if (text.trim()) {
            try {
              body = JSON.parse(text);
            } catch {
              if (status >= 200 && status < 300) {
                // A success that is not JSON is not Vault's answer: never read it as "no data".
                reject(new TransportError('ENOTJSON', `HTTP ${status} answer that is not JSON`));
                return;
              }
              body = { errors: [] };
            }
          }
          if (status >= 400 && (body === undefined || typeof body !== 'object' || body === null))
            body = { errors: [] };
          const ra = res.headers['retry-after'];
          if (typeof ra === 'string' && body && typeof body === 'object') retryAfter.set(body, ra);
          resolve({ statusCode: status, body, request: { path: url.pathname } });
        });
      });
      if (payload !== undefined) req.write(payload);
      req.end();
    });

  return {
    requestPromise: { defaults: () => send },
    retryAfterOf: (body) => (body && typeof body === 'object' ? retryAfter.get(body) : undefined),
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
