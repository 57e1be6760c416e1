/**
 * A fault-injecting HTTP proxy in front of the Vault test server: requests whose path matches a rule get
 * a hostile answer (an HTML page, truncated JSON, a body without the documented fields, a huge body, a
 * body dribbled out byte by byte); every other request is forwarded unchanged. It logs every path it
 * receives, as sent on the wire (before any normalisation). It stands in front of the Vault, git and
 * GitHub test servers alike.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { kind: 'body'; status?: number; contentType?: string; body: string }
  | { kind: 'huge'; bytes: number }
  | { kind: 'trickle'; everyMs: number; body?: string };

export interface FaultProxy {
  readonly url: string;
  /** Raw request targets (`/v1/...?...`) in arrival order. */
  readonly seen: string[];
  /**
   * Answers requests whose path matches `path` with `fault` (the first matching rule wins); with
   * `withQuery`, `path` is matched against the path and query (`/repo.git/info/refs?service=...`).
   */
  on(path: RegExp, fault: Fault, opts?: { withQuery?: boolean }): void;
  /** Requests answered by a fault so far. */
  readonly faulted: string[];
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const rules: { path: RegExp; fault: Fault; withQuery: boolean }[] = [];
  const seen: string[] = [];
  const faulted: string[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const upstream = new URL(target);

  const inject = (fault: Fault, res: ServerResponse) => {
    if (fault.kind === 'body') {
      res.writeHead(fault.status ?? 200, { 'Content-Type': fault.contentType ?? 'application/json' });
      res.end(fault.body);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if (fault.kind === 'huge') {
      // Streamed in 1 MiB chunks with back-pressure: the proxy never holds the whole body.
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      let sent = 0;
      res.write('{"data":{"current_version":1,"padding":"');
      const pump = () => {
        while (sent < fault.bytes) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end('"}}');
      };
      res.on('error', () => {});
      pump();
      return;
    }
    const body = fault.body ?? '{"data":{"current_version":1}}';
    let i = 0;
    const timer = setInterval(() => {
      if (res.destroyed || i >= body.length) {
        clearInterval(timer);
        timers.delete(timer);
        if (!res.destroyed) res.end();
        return;
      }
      res.write(body[i++]!);
    }, fault.everyMs);
    timers.add(timer);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const raw = req.url ?? '/';
    seen.push(raw);
    const path = raw.split('?')[0]!;
    const rule = rules.find((r) => r.path.test(r.withQuery ? raw : path));
    if (rule) {
      faulted.push(raw);
      // The request body (a push's pack) is read and dropped: nothing reaches the server behind.
      req.resume();
      return inject(rule.fault, res);
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: raw, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    faulted,
    on(path, fault, opts = {}) {
      rules.push({ path, fault, withQuery: opts.withQuery ?? false });
    },
    close() {
      for (const t of timers) clearInterval(t);
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
