/**
 * The built CLI's `scan --format json` over two clusters of one repository (test/fixtures/roots/env-stores):
 * with `environments`, prod's workloads find the ClusterSecretStore that prod's platform root installs,
 * and dev's, which name the same store, do not use it and say that only prod deploys it; without
 * `environments` (one cluster) every workload is linked. Run `npm run build` first.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/roots/env-stores/', import.meta.url));
let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vr-env-stores-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

interface ScanJson {
  workloads: {
    file: string;
    name: string;
    root?: string;
    environment?: string;
    secrets: { path: string; via: string }[];
  }[];
  problems: { file: string; message: string }[];
}

async function scan(...args: string[]): Promise<ScanJson> {
  const r = await runCli(['scan', '--repo', FIXTURE, '--format', 'json', ...args], {});
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ScanJson;
}

describe('a ClusterSecretStore in another render root of the same environment', () => {
  it("links the Deployment to its Vault secret, and never through another environment's store", async () => {
    const out = await scan();
    expect(
      out.workloads.map((w) => [w.name, w.root ?? null, w.environment, w.secrets.map((s) => s.path)]),
    ).toEqual([
      ['web', 'apps/web', 'prod', ['kv/web/db']],
      ['legacy-prod', null, 'prod', ['kv/legacy-prod/db']],
    ]);
    expect(out.workloads[0]!.secrets[0]!.via).toBe(
      'ExternalSecret/web-db (apps/web/external-secret.yaml) → Secret/web-db → envFrom',
    );
    expect(out.problems.map((p) => p.file)).toEqual([
      'apps/api/external-secret.yaml',
      'clusters/dev/legacy/external-secret.yaml',
    ]);
    for (const p of out.problems) {
      expect(p.message).toContain(
        'ClusterSecretStore "vault" is deployed only by another environment (platform/eso/cluster-secret-store.yaml), not by this one: not tracked',
      );
      expect(p.message).not.toContain('not in the repository');
    }
    // --environment prod: the same two, and none of dev's problems
    const prod = await scan('--environment', 'prod');
    expect(prod.workloads.map((w) => w.name)).toEqual(['web', 'legacy-prod']);
    expect(prod.problems).toEqual([]);
  }, 60_000);

  it('without environments, one cluster: every workload is linked through the store', async () => {
    const config = join(tmp, 'one-cluster.yaml');
    await writeFile(config, 'annotationPrefix: vault-rollout\n');
    const out = await scan('--config', config);
    expect(out.workloads.map((w) => [w.name, w.secrets.map((s) => s.path)])).toEqual([
      ['api', ['kv/api/db']],
      ['web', ['kv/web/db']],
      ['legacy-dev', ['kv/legacy-dev/db']],
      ['legacy-prod', ['kv/legacy-prod/db']],
    ]);
    expect(out.problems).toEqual([]);
  }, 60_000);
});
