/**
 * The watcher's HTTP endpoint (node:http): `GET /metrics` (Prometheus text) and `GET /healthz` (200 or
 * 503 with one line). Nothing else is served, and nothing it serves carries a token, a secret value or a
 * repository URL.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Health } from './health.js';
import type { WatchMetrics } from './metrics.js';

export interface MetricsServer {
  /** `http://host:port`, with the port the system chose when 0 was asked for. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(
  listen: { host: string; port: number },
  metrics: WatchMetrics,
  health: Health,
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/healthz') {
      const { ok, message } = health.check();
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' });
      res.end(`${message}\n`);
      return;
    }
    if (path === '/metrics') {
      metrics.text().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
          res.end(text);
        },
        () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n'),
      );
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
  });
  // A scraper that keeps its connection open must not hold the process at shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
