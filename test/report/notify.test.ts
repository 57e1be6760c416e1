/** Hook bodies (JSON and Slack), the retried bounded POST, and the notify stage's signing and redaction. */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { PlannedWorkload, RunReport } from '../../src/core/model.js';
import { parseConfig } from '../../src/core/config/schema.js';
import {
  commitUrl,
  jsonPayload,
  runEvents,
  slackPayload,
  worthTelling,
  type RunOutcome,
} from '../../src/core/report/notify-payload.js';
import { postWebhook, retryAfterMs } from '../../src/adapters/notify/webhook.js';
import { guardedLookup } from '../../src/adapters/notify/guarded-post.js';
import { notifyHooks, signature } from '../../src/publish/notify.js';
import { registerSecret } from '../../src/log.js';
import { podTargets } from '../../src/core/discover/workloads.js';
import type { Logger } from '../../src/core/ports.js';

function planned(
  name: string,
  action: PlannedWorkload['action'],
  env: string | null = null,
): PlannedWorkload {
  return {
    workload: {
      file: `apps/${name}.yaml`,
      document: 0,
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      name,
      namespace: 'prod',
      labels: {},
      ...podTargets(['spec', 'template']),
      chartValue: null,
      secrets: [],
      recorded: null,
      recordedRaw: null,
      templateRaw: null,
      updateStrategy: null,
      replicas: 1,
      environment: env,
    },
    secrets: [
      {
        path: `kv/${name}/db`,
        source: 'annotation',
        via: 'vault-rollout/secrets',
        recorded: 1,
        current: 2,
        state: 'outdated',
        updatedTime: '2026-11-01T00:00:00Z',
      },
      {
        path: `kv/${name}/same`,
        source: 'annotation',
        via: 'vault-rollout/secrets',
        recorded: 3,
        current: 3,
        state: 'up-to-date',
        updatedTime: null,
      },
    ],
    action,
    pins: [],
    reasons: action === 'blocked' ? ['kv/x: not found in Vault (404)'] : [],
    warnings: [],
    newValue: null,
  };
}

function report(workloads: PlannedWorkload[], commit: string | null = 'abc123def4567890'): RunReport {
  const count = (a: string) => workloads.filter((w) => w.action === a).length;
  return {
    branch: 'main',
    workloads,
    summary: {
      workloads: workloads.length,
      restart: count('restart'),
      record: count('record'),
      blocked: count('blocked'),
      unchanged: count('none'),
      ...(count('deferred') ? { deferred: count('deferred') } : {}),
    },
    problems: [],
    changes: [],
    commit,
    pullRequest: null,
  };
}

const outcome = (r: RunReport | null, over: Partial<RunOutcome> = {}): RunOutcome => ({
  report: r,
  published: r?.commit != null,
  environment: null,
  repository: 'https://user:pw@git.example.com/acme/deploy.git',
  error: null,
  ...over,
});

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

describe('hook bodies', () => {
  it('events and when to tell: published, blocked or failed; deferred alone says nothing', () => {
    const mixed = outcome(report([planned('a', 'restart'), planned('b', 'deferred'), planned('c', 'none')]));
    expect(runEvents(mixed)).toEqual(['restart', 'deferred']);
    expect(worthTelling(mixed)).toBe(true);
    const deferredOnly = outcome(report([planned('b', 'deferred')], null));
    expect(runEvents(deferredOnly)).toEqual(['deferred']);
    expect(worthTelling(deferredOnly)).toBe(false);
    const blocked = outcome(report([planned('g', 'blocked')], null));
    expect(worthTelling(blocked)).toBe(true);
    expect(runEvents(outcome(null, { error: 'Vault unreachable' }))).toEqual(['error']);
  });

  it('json: the report trimmed to what changed, the commit URL without credentials', () => {
    const body = jsonPayload(
      outcome(report([planned('a', 'restart', 'prod'), planned('c', 'none'), planned('g', 'blocked')])),
      ['restart', 'blocked'],
    );
    expect(body).toMatchObject({
      events: ['restart', 'blocked'],
      commit: 'abc123def4567890',
      commitUrl: 'https://git.example.com/acme/deploy/commit/abc123def4567890',
      repository: 'https://git.example.com/acme/deploy.git',
    });
    expect(body.workloads).toEqual([
      {
        file: 'apps/a.yaml',
        kind: 'Deployment',
        name: 'a',
        namespace: 'prod',
        environment: 'prod',
        action: 'restart',
        secrets: [{ path: 'kv/a/db', recorded: 1, current: 2, state: 'outdated' }],
      },
      expect.objectContaining({ name: 'g', action: 'blocked', reasons: ['kv/x: not found in Vault (404)'] }),
    ]);
    expect(commitUrl('git@github.com:acme/deploy.git', 'abc')).toBeNull();
  });

  it('slack: header, one section per environment, escaped names, the commit link, within Block Kit limits', () => {
    const hostile = planned('x<https://evil.example|click>&', 'restart', 'dev');
    const many = Array.from({ length: 300 }, (_, i) => planned(`w${i}`, 'restart', 'prod'));
    const body = slackPayload(outcome(report([hostile, ...many]), { environment: null }));
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'vault-rollout: 301 restarted on main' },
    });
    const texts = body.blocks.slice(1).map((b) => (b as { text: { text: string } }).text.text);
    expect(texts[0]).toMatch(
      /^\*dev\*\n🔄 `Deployment\/x&lt;https:\/\/evil.example\|click&gt;&amp;` \(`prod`\) restart/,
    );
    expect(texts[1]).toMatch(/^\*prod\*\n/);
    expect(texts[1]!.length).toBeLessThanOrEqual(3000);
    expect(texts[1]).toMatch(/… and \d+ more$/);
    expect(texts[2]).toBe(
      '<https://git.example.com/acme/deploy/commit/abc123def4567890|Commit abc123def456>',
    );
  });
});

/** A local receiver that answers the statuses given, in order, then 200; it records each request's time. */
async function receiver(statuses: { status: number; headers?: Record<string, string>; body?: string }[]) {
  const seen: { at: number; body: string; headers: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ at: Date.now(), body: Buffer.concat(chunks).toString(), headers: req.headers });
      const next = statuses.shift() ?? { status: 200 };
      res.writeHead(next.status, next.headers ?? {});
      res.end(next.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('postWebhook', () => {
  it('retries 5xx with doubling backoff, honours 429 Retry-After, then succeeds', async () => {
    const r = await receiver([{ status: 500 }, { status: 429, headers: { 'retry-after': '2' } }]);
    const waits: number[] = [];
    try {
      const result = await postWebhook(
        r.url,
        '{}',
        {},
        { backoffMs: 10, sleep: async (ms) => void waits.push(ms) },
      );
      expect(result).toEqual({ ok: true, status: 200, attempts: 3 });
      expect(waits).toEqual([10, 2000]);
      expect(r.seen).toHaveLength(3);
    } finally {
      await r.close();
    }
  });

  it('gives up after three tries with the last answer; a 4xx is final; a redirect is not followed', async () => {
    const r = await receiver([
      { status: 502 },
      { status: 502 },
      { status: 503 },
      { status: 404 },
      { status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' } },
    ]);
    const sleep = async () => {};
    try {
      expect(await postWebhook(r.url, '{}', {}, { sleep })).toEqual({
        ok: false,
        attempts: 3,
        message: 'answered HTTP 503',
      });
      expect(await postWebhook(r.url, '{}', {}, { sleep })).toEqual({
        ok: false,
        attempts: 1,
        message: 'answered HTTP 404',
      });
      expect(await postWebhook(r.url, '{}', {}, { sleep })).toEqual({
        ok: false,
        attempts: 1,
        message: 'answered HTTP 302',
      });
      expect(r.seen).toHaveLength(5);
    } finally {
      await r.close();
    }
  });

  it('a receiver that never answers is stopped by the deadline; a huge answer is not read whole', async () => {
    const hang = createServer(() => {});
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/`;
    try {
      const started = Date.now();
      const result = await postWebhook(url, '{}', {}, { timeoutMs: 200, attempts: 2, sleep: async () => {} });
      expect(result).toEqual({ ok: false, attempts: 2, message: 'did not answer within 0.2 s' });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      hang.closeAllConnections();
      await new Promise<void>((r) => hang.close(() => r()));
    }
    const big = await receiver([{ status: 200, body: 'x'.repeat(2_000_000) }]);
    try {
      expect(await postWebhook(big.url, '{}', {}, { maxResponseBytes: 1024 })).toMatchObject({ ok: true });
    } finally {
      await big.close();
    }
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await postWebhook(`http://127.0.0.1:${port}/`, '{}', {}, { attempts: 1 })).toEqual({
      ok: false,
      attempts: 1,
      message: 'could not be reached (ECONNREFUSED)',
    });
  });

  it('Retry-After: seconds or an HTTP date', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(retryAfterMs(null, 0)).toBeNull();
  });
});

describe('notifyHooks', () => {
  it('signs the exact redacted body; never uses a credential variable as the key', async () => {
    const token = 'hvs.unit-notify-token-0123';
    registerSecret(token);
    const r = await receiver([]);
    const warnings: string[] = [];
    const logger: Logger = { ...quiet, warn: (m) => void warnings.push(m) };
    const hooks = parseConfig(
      `notify:\n  - { url: "${r.url}", on: [error], secretHeaderEnv: HOOK_KEY }\n` +
        `  - { url: "${r.url}", on: [error], secretHeaderEnv: VAULT_TOKEN }\n`,
      'c.yaml',
    ).notify;
    try {
      const told = await notifyHooks({
        hooks,
        outcome: outcome(null, { error: `login failed with ${token}` }),
        env: { HOOK_KEY: 'k3y-for-hmac', VAULT_TOKEN: token },
        logger,
        credentialVariables: ['VAULT_TOKEN'],
        webhook: { sleep: async () => {} },
      });
      expect(told).toBe(1);
      expect(r.seen).toHaveLength(1);
      const { body, headers } = r.seen[0]!;
      expect(body).not.toContain(token);
      expect(JSON.parse(body).error).toBe('login failed with ***');
      expect(headers['x-vault-rollout-signature']).toBe(
        `sha256=${createHmac('sha256', 'k3y-for-hmac').update(body).digest('hex')}`,
      );
      expect(signature(body, 'k3y-for-hmac')).toBe(headers['x-vault-rollout-signature']);
      expect(warnings).toEqual([
        `notify[1] (${new URL(r.url).host}): not sent: secretHeaderEnv names "VAULT_TOKEN", which holds a credential of this run; name a variable that holds only the hook's key`,
      ]);
    } finally {
      await r.close();
    }
  });
});

/** A DNS stand-in: each name answers the addresses listed, in both of `dns.lookup`'s callback shapes. */
function resolverOf(table: Record<string, string[]>, asked: string[] = []): LookupFunction {
  return (hostname, options, callback) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) {
      callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    const entries = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if (options.all) (callback as (e: null, a: typeof entries) => void)(null, entries);
    else callback(null, entries[0]!.address, entries[0]!.family);
  };
}

describe('hook addresses at connect time (a name that resolves to a forbidden address)', () => {
  it('refuses a name resolving to the metadata or a link-local address, without retrying or sending', async () => {
    const r = await receiver([]);
    const port = new URL(r.url).port;
    const asked: string[] = [];
    const lookup = resolverOf(
      {
        'rebind.example': ['169.254.169.254'],
        'mixed.example': ['203.0.113.5', 'fe80::1'],
        'v6meta.example': ['fd00:ec2::254'],
      },
      asked,
    );
    try {
      for (const [host, why] of [
        ['rebind.example', 'a cloud metadata address (169.254.169.254)'],
        ['mixed.example', 'a link-local address (fe80::1)'],
        ['v6meta.example', 'a cloud metadata address (fd00:ec2::254)'],
      ] as const) {
        const result = await postWebhook(
          `http://${host}:${port}/hook`,
          '{}',
          {},
          { lookup, sleep: async () => {} },
        );
        expect(result).toEqual({
          ok: false,
          attempts: 1,
          message: `was not sent: its host resolves to ${why}, which a hook may not reach`,
        });
      }
      expect(asked).toEqual(['rebind.example', 'mixed.example', 'v6meta.example']);
      expect(r.seen).toHaveLength(0);
    } finally {
      await r.close();
    }
  });

  it('a name resolving to an allowed address is connected to that address; 127.0.0.1 works over http', async () => {
    const r = await receiver([]);
    const port = new URL(r.url).port;
    try {
      const lookup = resolverOf({ 'hook.example': ['127.0.0.1'] });
      expect(await postWebhook(`http://hook.example:${port}/hook`, '{"a":1}', {}, { lookup })).toEqual({
        ok: true,
        status: 200,
        attempts: 1,
      });
      expect(await postWebhook(r.url, '{"b":2}', {})).toEqual({ ok: true, status: 200, attempts: 1 });
      expect(r.seen.map((s) => s.body)).toEqual(['{"a":1}', '{"b":2}']);
      expect(r.seen[0]!.headers.host).toBe(`hook.example:${port}`);
    } finally {
      await r.close();
    }
  });

  it('the guard passes resolver errors through and checks every address of an `all` answer', async () => {
    const lookup = guardedLookup(
      resolverOf({ ok: ['10.0.0.1', '2001:db8::1'], bad: ['10.0.0.1', '169.254.3.4'] }),
    );
    const ask = (host: string) =>
      new Promise<unknown>((resolve) =>
        lookup(host, { all: true }, (err, address) =>
          resolve(err ? (err as { code?: string }).code : address),
        ),
      );
    expect(await ask('ok')).toEqual([
      { address: '10.0.0.1', family: 4 },
      { address: '2001:db8::1', family: 6 },
    ]);
    expect(await ask('bad')).toBe('EHOOKADDRESS');
    expect(await ask('missing')).toBe('ENOTFOUND');
  });

  it('notify warns naming the hook by its host only', async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...quiet, warn: (m) => void warnings.push(m) };
    const hooks = parseConfig(
      'notify:\n  - { url: "https://rebind.example/services/SECRET", on: [error] }\n',
      'c.yaml',
    ).notify;
    const told = await notifyHooks({
      hooks,
      outcome: outcome(null, { error: 'boom' }),
      env: {},
      logger,
      credentialVariables: [],
      webhook: { lookup: resolverOf({ 'rebind.example': ['169.254.169.254'] }), sleep: async () => {} },
    });
    expect(told).toBe(0);
    expect(warnings).toEqual([
      "notify[0] (rebind.example) was not sent: its host resolves to a cloud metadata address (169.254.169.254), which a hook may not reach after 1 try; the run's result is unchanged",
    ]);
  });
});
