/**
 * A ClusterSecretStore is cluster-wide: an ExternalSecret finds it in another render root of the same
 * environment (a Flux layout installs it with the platform, not with the apps), or among the environment's
 * plain manifests; a store that only another environment deploys is never used, and is named as such.
 * Fixture: test/fixtures/roots/env-stores (its README says what it holds).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { parseConfig } from '../../src/core/config/schema.js';
import { discover } from '../../src/core/discover/index.js';
import { readTree } from './helpers.js';

const DIR = fileURLToPath(new URL('../fixtures/roots/env-stores/', import.meta.url));
const files = readTree(DIR).filter((f) => f.path !== 'vault-rollout.yaml');
const ENVIRONMENTS =
  'environments:\n  - { name: prod, entry: clusters/prod }\n  - { name: dev, entry: clusters/dev }\n';

const linked = (config: string) =>
  discover(files, parseConfig(config, 'vault-rollout.yaml')).workloads.map((w) => ({
    name: w.name,
    root: w.root ?? null,
    environment: w.environment ?? null,
    secrets: w.secrets.map((s) => s.path),
  }));

describe('stores across the roots of one environment', () => {
  it('links a workload to a Vault secret through a ClusterSecretStore of another root of its environment', () => {
    expect(linked(ENVIRONMENTS)).toEqual([
      { name: 'web', root: 'apps/web', environment: 'prod', secrets: ['kv/web/db'] },
      // a plain manifest of the environment sees the environment's roots' stores too
      { name: 'legacy-prod', root: null, environment: 'prod', secrets: ['kv/legacy-prod/db'] },
    ]);
  });

  it("gives each workload of a render root that root's environment (the planner's layer filter relies on it)", () => {
    const found = discover(files, parseConfig(ENVIRONMENTS, 'vault-rollout.yaml'));
    const inRoots = found.workloads.filter((w) => w.root != null);
    expect(inRoots.length).toBeGreaterThan(0);
    for (const w of inRoots)
      expect([w.root, found.rootEnvironments.get(w.root!)]).toEqual([w.root, w.environment ?? null]);
  });

  it('links every workload when no environments are configured (one cluster)', () => {
    expect(linked('{}\n').map((w) => [w.name, w.secrets])).toEqual([
      ['api', ['kv/api/db']],
      ['web', ['kv/web/db']],
      ['legacy-dev', ['kv/legacy-dev/db']],
      ['legacy-prod', ['kv/legacy-prod/db']],
    ]);
  });

  it("never uses another environment's store, and says where that store is", () => {
    const found = discover(files, parseConfig(ENVIRONMENTS, 'vault-rollout.yaml'));
    expect(found.workloads.map((w) => w.name)).not.toContain('api');
    expect(found.workloads.map((w) => w.name)).not.toContain('legacy-dev');
    expect(found.problems.map((p) => `${p.file}: ${p.message}`)).toEqual([
      'apps/api/external-secret.yaml: ExternalSecret/api-db (apps/api/external-secret.yaml): ClusterSecretStore "vault" is deployed only by another environment (platform/eso/cluster-secret-store.yaml), not by this one: not tracked (used by Deployment/api in apps/api/deployment.yaml)',
      'clusters/dev/legacy/external-secret.yaml: ExternalSecret/legacy-dev-db (clusters/dev/legacy/external-secret.yaml): ClusterSecretStore "vault" is deployed only by another environment (platform/eso/cluster-secret-store.yaml), not by this one: not tracked (used by Deployment/legacy-dev in clusters/dev/legacy/deployment.yaml)',
    ]);
  });

  it("keeps plain manifests of two environments apart: a dev ExternalSecret does not use prod's plain store", () => {
    const store = (name: string) =>
      `apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata:\n  name: ${name}\nspec:\n  provider:\n    vault: { server: "https://vault", path: kv, version: v2 }\n`;
    const app = (name: string, storeName: string) =>
      [
        `apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: { name: ${name}, namespace: a }\nspec:\n  secretStoreRef: { kind: ClusterSecretStore, name: ${storeName} }\n  target: { name: ${name} }\n  data: [{ secretKey: p, remoteRef: { key: ${name}/db } }]\n`,
        `---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name}, namespace: a }\nspec:\n  template:\n    spec:\n      containers: [{ name: c, image: c, envFrom: [{ secretRef: { name: ${name} } }] }]\n`,
      ].join('');
    const plain = [
      { path: 'clusters/prod/store.yaml', text: store('vault') },
      { path: 'clusters/prod/one.yaml', text: app('one', 'vault') },
      { path: 'clusters/dev/two.yaml', text: app('two', 'vault') },
      // in no environment: shared by both
      { path: 'shared/store.yaml', text: store('shared') },
      { path: 'clusters/dev/three.yaml', text: app('three', 'shared') },
    ];
    const found = discover(plain, parseConfig(ENVIRONMENTS, 'vault-rollout.yaml'));
    expect(found.workloads.map((w) => [w.name, w.environment, w.secrets.map((s) => s.path)])).toEqual([
      ['three', 'dev', ['kv/three/db']],
      ['one', 'prod', ['kv/one/db']],
    ]);
    expect(found.problems.map((p) => p.message)).toEqual([
      expect.stringContaining(
        'ClusterSecretStore "vault" is deployed only by another environment (clusters/prod/store.yaml), not by this one',
      ),
    ]);
    // each workload once, whichever set it was found in
    expect(found.seen.Deployment).toBe(3);
  });
});
