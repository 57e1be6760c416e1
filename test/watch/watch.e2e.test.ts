/**
 * `watch` through the built CLI against the Vault test server and a real `git http-backend`: a rotation
 * of two secrets a second apart is published as one commit, the metrics and the health check are served,
 * a Vault outage of several intervals turns the health check red and back without a second commit, a
 * push by someone else is read again, and SIGTERM exits 0 leaving the child's TMPDIR empty. Run
 * `npm run build` first.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { commitDiffLines, runGit } from '../support/git-server.js';
import { useE2eServers } from '../support/e2e-servers.js';
import { startTestVault } from '../support/vault-server.js';
import { metricValue, startWatch, waitFor } from './watch-process.js';

const deployment = (name: string, secrets: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  annotations:
    vault-rollout/secrets: ${secrets}
spec:
  template:
    spec:
      containers: [{ name: ${name}, image: ${name} }]
`;

const FILES = {
  'apps/web.yaml': deployment('web', 'kv/web/db,kv/web/api'),
  'apps/worker.yaml': deployment('worker', 'kv/web/db'),
};

const servers = useE2eServers('vr-watch-e2e-', (vault) => {
  vault.kv.write('kv', 'web/db');
  vault.kv.write('kv', 'web/api');
  vault.kv.write('kv', 'jobs/key');
});
const tmps: string[] = [];
afterAll(async () => {
  for (const t of tmps) await rm(t, { recursive: true, force: true, maxRetries: 3 });
});

it('publishes a rotation as one commit, serves metrics and health, survives an outage, exits 0 on SIGTERM', async () => {
  await servers.git.createBareRepo('watch', FILES, { branch: 'main' });
  const tmp = await mkdtemp(join(tmpdir(), 'vr-watch-tmp-'));
  tmps.push(tmp);
  const w = await startWatch(
    ['--repo', servers.git.repoUrl('watch'), '--interval', '2s'],
    { ...servers.env, GIT_TOKEN: 'unused-token' },
    tmp,
  );
  try {
    // The first run adopts the workloads (records the versions): one commit.
    await waitFor(
      'the adoption commit',
      20_000,
      async () => (await servers.git.commits('watch', 'main')).length === 2,
    );
    const adopted = (await servers.git.commits('watch', 'main')).length;
    // The persistent clone lives in the child's TMPDIR.
    expect((await readdir(tmp)).length).toBeGreaterThan(0);

    // Two secrets rotated a second apart: one commit restarting both workloads.
    const rotatedAt = Date.now();
    servers.vault.kv.write('kv', 'web/db');
    await new Promise((r) => setTimeout(r, 1_000));
    servers.vault.kv.write('kv', 'web/api');
    const took = await waitFor(
      'the rotation commit',
      20_000,
      async () => (await servers.git.commits('watch', 'main')).length > adopted,
    );
    expect(Date.now() - rotatedAt).toBeLessThan(20_000);
    const commits = await servers.git.commits('watch', 'main');
    expect(commits.length).toBe(adopted + 1);
    const lines = await commitDiffLines(servers.git.repoPath('watch'), commits[0]!.id);
    expect(lines.join('\n')).toContain('kv/web/api@2');
    expect(lines.join('\n')).toContain('kv/web/db@2');
    expect(lines.some((l) => l.startsWith('apps/worker.yaml: +'))).toBe(true);
    expect(took).toBeGreaterThan(0);

    // Metrics and health.
    const health = await w.get('/healthz');
    expect(health.status).toBe(200);
    const metrics = await w.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metricValue(metrics.text, 'vault_rollout_restarts_published_total')).toBe(2);
    expect(metricValue(metrics.text, 'vault_rollout_polls_total{result="success"}')).toBeGreaterThan(0);
    expect(metricValue(metrics.text, 'vault_rollout_vault_requests_total{outcome="ok"}')).toBeGreaterThan(0);
    expect(metricValue(metrics.text, 'vault_rollout_secrets{state="ok"}')).toBe(2);
    expect(metricValue(metrics.text, 'vault_rollout_blocked_workloads')).toBe(0);
    expect(
      metricValue(metrics.text, 'vault_rollout_last_successful_publish_timestamp_seconds'),
    ).toBeGreaterThan(rotatedAt / 1000);
    expect(metrics.text).toContain('vault_rollout_poll_duration_seconds_bucket');
    expect(metrics.text).toContain('vault_rollout_publish_duration_seconds_count');
    expect(metrics.text).toContain('vault_rollout_process_cpu_seconds_total');
    // Nothing secret in the exposition.
    expect(metrics.text).not.toContain(servers.vault.rootToken);
    expect(metrics.text).not.toContain('unused-token');

    // A Vault outage of several intervals: unhealthy, then healthy again, no second commit.
    servers.vault.seal(true);
    await waitFor('/healthz to fail', 20_000, async () => (await w.get('/healthz')).status === 503);
    const failed = await w.get('/metrics');
    expect(metricValue(failed.text, 'vault_rollout_polls_total{result="failure"}')).toBeGreaterThan(0);
    expect(
      metricValue(failed.text, 'vault_rollout_vault_requests_total{outcome="server_error"}'),
    ).toBeGreaterThan(0);
    servers.vault.seal(false);
    await waitFor('/healthz to recover', 20_000, async () => (await w.get('/healthz')).status === 200);
    await new Promise((r) => setTimeout(r, 5_000));
    expect((await servers.git.commits('watch', 'main')).length).toBe(adopted + 1);

    // Someone pushes a new workload: the watcher reads the manifests again and adopts it.
    await servers.git.pushCompetingCommit('watch', 'main', {
      'apps/jobs.yaml': deployment('jobs', 'kv/jobs/key'),
    });
    await waitFor('the adoption of the pushed workload', 20_000, async () =>
      (await servers.git.readFile('watch', 'main', 'apps/jobs.yaml')).includes('kv/jobs/key@1'),
    );
    expect((await servers.git.commits('watch', 'main')).length).toBe(adopted + 3);

    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(await readdir(tmp)).toEqual([]);
    expect(w.stderr()).not.toMatch(/at .+\.js:\d+/);
    expect(w.stderr()).not.toContain(servers.vault.rootToken);
  } catch (e) {
    console.log(w.stderr().slice(-6000));
    throw e;
  } finally {
    if (w.child.exitCode === null) w.child.kill('SIGKILL');
  }
}, 120_000);

it('polls an OpenBao-style server with one detailed-metadata listing per folder per interval', async () => {
  const bao = await startTestVault({ flavour: 'openbao', mounts: [{ path: 'kv', version: 2 }] });
  const tmp = await mkdtemp(join(tmpdir(), 'vr-watch-bao-'));
  tmps.push(tmp);
  for (const p of ['app/a', 'app/b', 'app/c', 'db/x', 'db/y']) bao.kv.write('kv', p);
  await servers.git.createBareRepo(
    'bao',
    {
      'apps/a.yaml': deployment('a', 'kv/app/a,kv/app/b'),
      'apps/c.yaml': deployment('c', 'kv/app/c,kv/db/x'),
      'apps/y.yaml': deployment('y', 'kv/db/y'),
    },
    { branch: 'main' },
  );
  const w = await startWatch(
    ['--repo', servers.git.repoUrl('bao'), '--interval', '2s'],
    { VAULT_ADDR: bao.url, VAULT_TOKEN: bao.rootToken },
    tmp,
  );
  try {
    await waitFor(
      'the adoption commit',
      20_000,
      async () => (await servers.git.commits('bao', 'main')).length === 2,
    );
    const polls = async () =>
      metricValue((await w.get('/metrics')).text, 'vault_rollout_polls_total{result="success"}') ?? 0;
    await waitFor('a first poll', 10_000, async () => (await polls()) >= 1);
    const since = bao.requests.length;
    const before = await polls();
    await new Promise((r) => setTimeout(r, 7_000));
    const after = await polls();
    const window = bao.requests.slice(since);
    const polled = after - before;
    expect(polled).toBeGreaterThanOrEqual(3);
    const perFolder = (folder: string) =>
      window.filter((r) => r.path === `/v1/kv/detailed-metadata/${folder}/`).length;
    // One listing per folder per poll (a poll in flight at either end may add one), and no per-secret read.
    for (const folder of ['app', 'db']) {
      expect(perFolder(folder)).toBeGreaterThanOrEqual(polled - 1);
      expect(perFolder(folder)).toBeLessThanOrEqual(polled + 1);
    }
    expect(window.filter((r) => /\/v1\/kv\/metadata\//.test(r.path))).toEqual([]);
    expect(window.every((r) => r.status === 200)).toBe(true);
    expect(bao.violations).toBe(0);

    // A rotation is still seen and published from the listing.
    bao.kv.write('kv', 'db/y');
    await waitFor('the rotation commit', 20_000, async () =>
      (await servers.git.readFile('bao', 'main', 'apps/y.yaml')).includes('kv/db/y@2'),
    );
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(await readdir(tmp)).toEqual([]);
  } catch (e) {
    console.log(w.stderr().slice(-4000));
    throw e;
  } finally {
    if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await bao.close();
  }
}, 90_000);

it('SIGTERM during a publish lets it finish: the commit is pushed, then exit 0 with TMPDIR empty', async () => {
  await servers.git.createBareRepo('inflight', FILES, { branch: 'main' });
  const tmp = await mkdtemp(join(tmpdir(), 'vr-watch-inflight-'));
  tmps.push(tmp);
  const w = await startWatch(
    ['--repo', servers.git.repoUrl('inflight'), '--interval', '2s'],
    servers.env,
    tmp,
  );
  try {
    await waitFor(
      'the adoption commit',
      20_000,
      async () => (await servers.git.commits('inflight', 'main')).length === 2,
    );
    const runs = () => w.stderr().split('Reading metadata').length - 1;
    const before = runs();
    // Slow answers keep the run busy long enough for the signal to arrive in the middle of it.
    servers.vault.latencyMs = 300;
    servers.vault.kv.write('kv', 'web/api');
    await waitFor('the run to start', 20_000, async () => runs() > before);
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    const commits = await servers.git.commits('inflight', 'main');
    expect(commits).toHaveLength(3);
    expect(await servers.git.readFile('inflight', 'main', 'apps/web.yaml')).toMatch(/kv\/web\/api@\d/);
    expect(w.stderr()).toContain('Stopping: finishing the step in progress');
    expect(await readdir(tmp)).toEqual([]);
  } catch (e) {
    console.log(w.stderr().slice(-4000));
    throw e;
  } finally {
    servers.vault.latencyMs = 0;
    if (w.child.exitCode === null) w.child.kill('SIGKILL');
  }
}, 90_000);

it('watches a local checkout: a rotation is committed and pushed from it', async () => {
  await servers.git.createBareRepo('local', FILES, { branch: 'main' });
  const tmp = await mkdtemp(join(tmpdir(), 'vr-watch-local-'));
  tmps.push(tmp);
  const checkouts = await mkdtemp(join(tmpdir(), 'vr-watch-checkout-'));
  tmps.push(checkouts);
  const dir = join(checkouts, 'local');
  await runGit(['clone', '-q', servers.git.repoPath('local'), dir], { cwd: checkouts });
  for (const [k, v] of [
    ['user.name', 'Test'],
    ['user.email', 'test@example.com'],
  ])
    await runGit(['config', k as string, v as string], { cwd: dir });
  const w = await startWatch(['--repo', dir, '--interval', '2s'], servers.env, tmp);
  try {
    await waitFor(
      'the adoption commit',
      20_000,
      async () => (await servers.git.commits('local', 'main')).length === 2,
    );
    servers.vault.kv.write('kv', 'web/db');
    await waitFor(
      'the rotation commit',
      20_000,
      async () => (await servers.git.commits('local', 'main')).length === 3,
    );
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    // The checkout itself was moved to the pushed commit.
    const head = (await runGit(['rev-parse', 'HEAD'], { cwd: dir })).toString().trim();
    expect(head).toBe(await servers.git.head('local', 'main'));
    expect(await readdir(tmp)).toEqual([]);
  } catch (e) {
    console.log(w.stderr().slice(-4000));
    throw e;
  } finally {
    if (w.child.exitCode === null) w.child.kill('SIGKILL');
  }
}, 90_000);
