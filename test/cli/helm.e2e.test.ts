/**
 * End to end: the built CLI (dist/cli.js) against a real Git remote and the Vault test
 * server. A Flux HelmRelease whose chart takes its database password from an ExternalSecret-produced
 * Secret (`existingSecret`) adopts with the record only; on rotation ONE commit pins the ExternalSecret,
 * updates the record and sets the chart's `spec.values.podAnnotations`, and nothing else changes.
 * Run `npm run build` first.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { commitDiffLines, commitMessage } from '../support/git-server.js';
import { useE2eServers } from '../support/e2e-servers.js';

const FILES: Record<string, string> = {
  'apps/shop/release.yaml': `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: shop
  namespace: shop
spec:
  interval: 10m
  chart:
    spec:
      chart: shop
      version: 1.4.0
      sourceRef:
        kind: HelmRepository
        name: shop
  values:
    replicaCount: 2 # two pods
    postgresql:
      auth:
        existingSecret: shop-db
`,
  'apps/shop/external-secret.yaml': `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: shop-db
  namespace: shop
spec:
  secretStoreRef:
    name: vault
    kind: ClusterSecretStore
  target:
    name: shop-db
  data:
    - secretKey: password
      remoteRef:
        key: shop/db
`,
  'infra/store.yaml': `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: vault
spec:
  provider:
    vault:
      server: https://vault.example.com
      path: kv
      version: v2
`,
};

const servers = useE2eServers('vr-helm-e2e-', (vault) => {
  for (let i = 0; i < 2; i++) vault.kv.write('kv', 'shop/db');
});

describe('a Flux HelmRelease fed by an ExternalSecret', () => {
  it('scan names the chart value and the chain', async () => {
    await servers.git.createBareRepo('scan', FILES, { branch: 'main' });
    const r = await runCli(['scan', '--repo', servers.git.repoUrl('scan'), '--format', 'json'], servers.env);
    expect(r.stderr).not.toMatch(/at .+\.js:\d+/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).workloads).toEqual([
      {
        file: 'apps/shop/release.yaml',
        document: 0,
        kind: 'HelmRelease',
        name: 'shop',
        namespace: 'shop',
        chart: 'spec.values.podAnnotations',
        secrets: [
          {
            path: 'kv/shop/db',
            source: 'externalSecrets',
            via: 'ExternalSecret/shop-db (apps/shop/external-secret.yaml) → Secret/shop-db → values postgresql.auth.existingSecret',
            recorded: null,
            pins: ['ExternalSecret/shop-db (apps/shop/external-secret.yaml) spec.data[0].remoteRef.version'],
          },
        ],
      },
    ]);
    const table = await runCli(['scan', '--repo', servers.git.repoUrl('scan')], servers.env);
    expect(table.stdout).toContain(
      'Through a Helm chart:\n  HelmRelease/shop (apps/shop/release.yaml): restarts go through spec.values.podAnnotations',
    );
  });

  it('adopts with the record only, then pins and restarts through the chart in one commit', async () => {
    await servers.git.createBareRepo('shop', FILES, { branch: 'main' });
    const url = servers.git.repoUrl('shop');

    const first = await runCli(['apply', '--repo', url, '--format', 'json'], servers.env);
    expect(first.stderr).not.toMatch(/at .+\.js:\d+/);
    expect(first.code).toBe(0);
    const adopted = JSON.parse(first.stdout);
    expect(adopted.summary).toEqual({ workloads: 1, restart: 0, record: 1, blocked: 0, unchanged: 0 });
    expect(adopted.workloads[0].chart).toBe('spec.values.podAnnotations');
    const adoptMessage = await commitMessage(servers.git.repoPath('shop'), adopted.commit);
    // an adoption writes the record only: nothing goes through the chart yet
    // (an adoption is listed as a count per root and its files)
    expect(adoptMessage).toContain('Versions recorded, no restart:\n');
    expect(adoptMessage).toContain('  apps/shop/release.yaml\n');
    expect(adoptMessage).not.toContain('through the chart');
    expect(await commitDiffLines(servers.git.repoPath('shop'), adopted.commit)).toEqual([
      'apps/shop/release.yaml: +  annotations:',
      'apps/shop/release.yaml: +    vault-rollout/secret-versions: kv/shop/db@2',
    ]);

    servers.vault.kv.write('kv', 'shop/db');
    const plan = await runCli(['plan', '--repo', url, '--wide'], servers.env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      "chart    HelmRelease/shop (apps/shop/release.yaml): restarts go through the chart: the annotation is set in spec.values.podAnnotations, which the chart must copy to the pod template's annotations",
    );

    const second = await runCli(['apply', '--repo', url, '--format', 'json'], servers.env);
    expect(second.code).toBe(0);
    const rotated = JSON.parse(second.stdout);
    expect(rotated.summary).toEqual({ workloads: 1, restart: 1, record: 0, blocked: 0, unchanged: 0 });
    expect(await commitDiffLines(servers.git.repoPath('shop'), rotated.commit)).toEqual([
      'apps/shop/external-secret.yaml: +        version: "3"',
      'apps/shop/release.yaml: -    vault-rollout/secret-versions: kv/shop/db@2',
      'apps/shop/release.yaml: +    vault-rollout/secret-versions: kv/shop/db@3',
      'apps/shop/release.yaml: +    podAnnotations:',
      'apps/shop/release.yaml: +      vault-rollout/secret-versions: kv/shop/db@3',
    ]);
    const message = await commitMessage(servers.git.repoPath('shop'), rotated.commit);
    expect(message).toContain('Vault-Secret: kv/shop/db 2 -> 3');
    expect(message).toContain(
      'HelmRelease/shop (shop), apps/shop/release.yaml: rolling restart through the chart (spec.values.podAnnotations)\n',
    );
    expect(await servers.git.readFile('shop', 'main', 'apps/shop/release.yaml')).toBe(
      FILES['apps/shop/release.yaml']!.replace(
        '  namespace: shop\n',
        '  namespace: shop\n  annotations:\n    vault-rollout/secret-versions: kv/shop/db@3\n',
      ).replace(
        '        existingSecret: shop-db\n',
        '        existingSecret: shop-db\n    podAnnotations:\n      vault-rollout/secret-versions: kv/shop/db@3\n',
      ),
    );

    const third = await runCli(['apply', '--repo', url, '--format', 'json'], servers.env);
    expect(third.code).toBe(0);
    expect(JSON.parse(third.stdout).commit).toBeNull();
    expect(servers.vault.violations).toBe(0);
  }, 60_000);
});
