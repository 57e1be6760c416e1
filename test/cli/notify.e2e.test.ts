/**
 * End to end: `notify` hooks through the built CLI (dist/cli.js), against the Vault test server, a real
 * `git http-backend` that requires a token, and a hook receiver in this process that logs every request.
 * A publishing run sends one signed POST per hook whose HMAC verifies and that holds neither the Vault nor
 * the Git token; a no-op run sends none; a receiver that fails once is retried, one that always fails
 * gives three tries and a warning, and the run still exits 0. Run `npm run build` first.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { runCli } from '../support/run-cli.js';
import { startTestVault, type VaultDevServer } from '../support/vault-server.js';

const VAULT_TOKEN = 'hvs.notify-e2e-vault-token-5f1c';
const GIT_TOKEN = 'glpat-notify-e2e-git-token-9a7b';
const HOOK_SECRET = 'hook-key-for-the-e2e-receiver';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A hook receiver: logs each request; `/hook/<name>` answers the next status queued for it, else 200. */
class Receiver {
  readonly requests: Received[] = [];
  readonly answers = new Map<string, number[]>();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        this.requests.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const status = this.answers.get(path)?.shift() ?? 200;
        res.writeHead(status, {
          'content-type': 'text/plain',
          ...(status === 429 ? { 'retry-after': '1' } : {}),
        });
        res.end(status === 200 ? 'ok' : 'no');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const deployment = (name: string, secret: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: prod
  annotations:
    vault-rollout/secrets: ${secret}
spec:
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: app
          image: app:1
`;

let vault: VaultDevServer;
let git: GitServer;
let tmp: string;
const receiver = new Receiver();

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vr-notify-e2e-'));
  vault = await startTestVault({ mounts: [{ path: 'kv', version: 2 }], rootToken: VAULT_TOKEN });
  vault.kv.write('kv', 'web/db');
  vault.kv.write('kv', 'api/db');
  git = await startGitServer({ tmpRoot: tmp, auth: { username: 'x-access-token', token: GIT_TOKEN } });
  await receiver.start();
});

afterAll(async () => {
  await receiver.close();
  await git?.close();
  await vault?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  receiver.requests.length = 0;
  receiver.answers.clear();
});

const env = () => ({ VAULT_ADDR: vault.url, VAULT_TOKEN, GIT_TOKEN, HOOK_SECRET });

async function repo(name: string, notify: string): Promise<string> {
  await git.createBareRepo(
    name,
    {
      'vault-rollout.yaml': `notify:\n${notify}`,
      'apps/web.yaml': deployment('web', 'kv/web/db'),
      'apps/api.yaml': deployment('api', 'kv/api/db'),
      'apps/gone.yaml': deployment('gone', `kv/${name}/missing`),
    },
    { branch: 'main' },
  );
  return git.repoUrl(name);
}

const apply = (url: string) => runCli(['apply', '--repo', url, '--format', 'json'], env());

const hookPaths = () => receiver.requests.map((r) => r.path);

describe('notify', () => {
  it('one signed POST per hook per publishing run, verifiable, without a token; none on a run with nothing to tell', async () => {
    const url = await repo(
      'told',
      `  - { url: "${receiver.url}/hook/json", format: json, on: [restart, record, blocked], secretHeaderEnv: HOOK_SECRET }\n` +
        `  - { url: "${receiver.url}/hook/slack", format: slack, on: [restart] }\n`,
    );
    // Adoption (record) with one blocked workload: the json hook hears of it, the slack one (restart) not.
    const adopt = await apply(url);
    expect(adopt.code).toBe(3);
    expect(hookPaths()).toEqual(['/hook/json']);
    const first = receiver.requests[0]!;
    const expected = `sha256=${createHmac('sha256', HOOK_SECRET).update(first.body, 'utf8').digest('hex')}`;
    expect(first.headers['x-vault-rollout-signature']).toBe(expected);
    expect(first.headers['content-type']).toBe('application/json');
    const adopted = JSON.parse(first.body);
    expect(adopted).toMatchObject({
      source: 'vault-rollout',
      events: ['record', 'blocked'],
      branch: 'main',
      commit: JSON.parse(adopt.stdout).commit,
      summary: { record: 2, blocked: 1 },
    });
    expect(adopted.workloads.map((w: { name: string; action: string }) => `${w.name}:${w.action}`)).toEqual([
      'api:record',
      'gone:blocked',
      'web:record',
    ]);

    // Rotation: both hooks, once each.
    receiver.requests.length = 0;
    vault.kv.write('kv', 'web/db');
    const rotated = await apply(url);
    expect(rotated.code).toBe(3);
    expect(hookPaths().sort()).toEqual(['/hook/json', '/hook/slack']);
    const json = JSON.parse(receiver.requests.find((r) => r.path === '/hook/json')!.body);
    expect(json.events).toEqual(['restart', 'blocked']);
    expect(json.workloads).toContainEqual(
      expect.objectContaining({
        name: 'web',
        action: 'restart',
        secrets: [{ path: 'kv/web/db', recorded: 1, current: 2, state: 'outdated' }],
      }),
    );
    expect(json.commitUrl).toBe(`${url.replace(/\.git$/, '')}/commit/${json.commit}`);
    const slack = receiver.requests.find((r) => r.path === '/hook/slack')!;
    expect(slack.headers['x-vault-rollout-signature']).toBeUndefined();
    const blocks = JSON.parse(slack.body).blocks;
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'vault-rollout: 1 restarted, 1 blocked on main' },
    });
    expect(JSON.stringify(blocks)).toContain('`kv/web/db` 1 → 2');
    expect(JSON.stringify(blocks)).toContain(`|Commit ${json.commit.slice(0, 12)}>`);
    for (const r of receiver.requests) {
      for (const secret of [
        VAULT_TOKEN,
        GIT_TOKEN,
        Buffer.from(`x-access-token:${GIT_TOKEN}`).toString('base64'),
      ])
        expect(JSON.stringify(r)).not.toContain(secret);
    }

    // Nothing new: nothing published. The blocked workload still blocks, so the json hook hears that;
    // the slack hook (restart only) hears nothing.
    receiver.requests.length = 0;
    const again = await apply(url);
    expect(again.code).toBe(3);
    expect(JSON.parse(again.stdout).commit).toBeNull();
    expect(hookPaths()).toEqual(['/hook/json']);
    expect(JSON.parse(receiver.requests[0]!.body).events).toEqual(['blocked']);
  });

  it('a no-op run tells nobody', async () => {
    await git.createBareRepo(
      'quiet',
      {
        'vault-rollout.yaml': `notify:\n  - { url: "${receiver.url}/hook/quiet", on: [restart, record, blocked, deferred, error] }\n`,
        'apps/web.yaml': deployment('web', 'kv/web/db'),
      },
      { branch: 'main' },
    );
    const url = git.repoUrl('quiet');
    expect((await apply(url)).code).toBe(0); // adoption: told
    expect(hookPaths()).toEqual(['/hook/quiet']);
    receiver.requests.length = 0;
    const noop = await apply(url);
    expect(noop.code).toBe(0);
    expect(JSON.parse(noop.stdout).commit).toBeNull();
    expect(receiver.requests).toEqual([]);
  });

  it('a failing receiver: retried until it answers; always failing: three tries, a warning, exit code unchanged', async () => {
    const url = await repo(
      'failing',
      `  - { url: "${receiver.url}/hook/flaky", on: [record] }\n` +
        `  - { url: "${receiver.url}/hook/down/s3cr3t-path", on: [record] }\n`,
    );
    receiver.answers.set('/hook/flaky', [500]);
    receiver.answers.set('/hook/down/s3cr3t-path', [500, 429, 503]);
    const r = await apply(url);
    expect(r.code).toBe(3); // the blocked workload's code, not the hook's
    expect(JSON.parse(r.stdout).summary.record).toBe(2);
    expect(hookPaths().filter((p) => p === '/hook/flaky')).toHaveLength(2);
    expect(hookPaths().filter((p) => p === '/hook/down/s3cr3t-path')).toHaveLength(3);
    expect(r.stderr).toContain(
      `warn: notify[1] (${new URL(receiver.url).host}) answered HTTP 503 after 3 tries; the run's result is unchanged`,
    );
    expect(r.stderr).not.toContain('s3cr3t-path');
    expect(r.stderr).toContain(`Told notify[0] (${new URL(receiver.url).host}) (record)`);
  });

  it('a run that fails after reading its config tells the error hooks, and keeps exit 1', async () => {
    const url = await repo('broken-vault', `  - { url: "${receiver.url}/hook/error", on: [error] }\n`);
    const r = await runCli(['apply', '--repo', url, '--format', 'json'], {
      ...env(),
      VAULT_ADDR: 'http://127.0.0.1:9', // nothing listens there
    });
    expect(r.code).toBe(1);
    expect(hookPaths()).toEqual(['/hook/error']);
    const body = JSON.parse(receiver.requests[0]!.body);
    expect(body.events).toEqual(['error']);
    expect(body.error).toMatch(/127\.0\.0\.1:9/);
    expect(receiver.requests[0]!.body).not.toContain(VAULT_TOKEN);
  });
});
