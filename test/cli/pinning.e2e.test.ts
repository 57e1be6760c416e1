/**
 * End to end: the built CLI (dist/cli.js) discovers a Deployment from the ExternalSecret that
 * feeds it, adopts it (record only, nothing pinned), then on rotation makes ONE commit that pins the new
 * version in the ExternalSecret and restarts the Deployment, and changes nothing else.
 * Run `npm run build` first.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { commitDiffLines, commitMessage } from '../support/git-server.js';
import { useE2eServers } from '../support/e2e-servers.js';

const run = runCli;

const FILES: Record<string, string> = {
  'apps/payments/external-secret.yaml': `# the database credentials, from Vault
apiVersion: external-secrets.io/v1
kind: SecretStore
metadata:
  name: vault
spec:
  provider:
    vault:
      server: https://vault.example.com
      path: kv
      version: v2
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: db-creds
spec:
  refreshInterval: 1h
  secretStoreRef:
    name: vault
    kind: SecretStore
  target:
    name: payments-db
  data:
    - secretKey: password
      remoteRef:
        key: payments/db   # KV v2 at kv/
        property: password
`,
  'apps/payments/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments
spec:
  replicas: 2
  template:
    metadata:
      labels:
        app: payments
    spec:
      containers:
        - name: api
          image: payments:1
          envFrom:
            - secretRef:
                name: payments-db
`,
  'apps/other/unrelated.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: unrelated
data:
  a: b
`,
};

const servers = useE2eServers('vr-pin-e2e-', (vault) => {
  for (let i = 0; i < 4; i++) vault.kv.write('kv', 'payments/db');
});

describe('apply with an ExternalSecret-backed Deployment', () => {
  it('scan shows the chain', async () => {
    await servers.git.createBareRepo('scan', FILES, { branch: 'main' });
    const r = await run(['scan', '--repo', servers.git.repoUrl('scan'), '--format', 'json'], servers.env);
    expect(r.stderr).not.toMatch(/at .+\.js:\d+/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).workloads).toEqual([
      expect.objectContaining({
        file: 'apps/payments/deployment.yaml',
        name: 'payments',
        secrets: [
          {
            path: 'kv/payments/db',
            source: 'externalSecrets',
            via: 'ExternalSecret/db-creds (apps/payments/external-secret.yaml) → Secret/payments-db → envFrom',
            recorded: null,
            // where a restart will pin the new version
            pins: [
              'ExternalSecret/db-creds (apps/payments/external-secret.yaml) spec.data[0].remoteRef.version',
            ],
          },
        ],
      }),
    ]);
  });

  it('adopts without a pin, then pins and restarts in one commit that changes nothing else', async () => {
    await servers.git.createBareRepo('pay', FILES, { branch: 'main' });
    const url = servers.git.repoUrl('pay');

    // 1. adoption: the record only
    const first = await run(['apply', '--repo', url, '--format', 'json'], servers.env);
    expect(first.stderr).not.toMatch(/at .+\.js:\d+/);
    expect(first.code).toBe(0);
    const adopted = JSON.parse(first.stdout);
    expect(adopted.summary).toEqual({ workloads: 1, restart: 0, record: 1, blocked: 0, unchanged: 0 });
    expect(adopted.workloads[0].pins).toBeUndefined();
    expect(await commitDiffLines(servers.git.repoPath('pay'), adopted.commit)).toEqual([
      'apps/payments/deployment.yaml: +  annotations:',
      'apps/payments/deployment.yaml: +    vault-rollout/secret-versions: kv/payments/db@4',
    ]);

    // 2. rotation: one commit with the pin, the record and the trigger
    servers.vault.kv.write('kv', 'payments/db');
    const second = await run(['apply', '--repo', url, '--format', 'json'], servers.env);
    expect(second.code).toBe(0);
    const rotated = JSON.parse(second.stdout);
    expect(rotated.summary).toEqual({ workloads: 1, restart: 1, record: 0, blocked: 0, unchanged: 0 });
    expect(rotated.workloads[0].pins).toEqual([
      {
        file: 'apps/payments/external-secret.yaml',
        document: 1,
        kind: 'ExternalSecret',
        name: 'db-creds',
        field: 'spec.data[0].remoteRef.version',
        path: 'kv/payments/db',
        version: 5,
      },
    ]);
    const commits = await servers.git.commits('pay', 'main');
    expect(commits.map((c) => c.id).slice(0, 2)).toEqual([rotated.commit, adopted.commit]);
    expect(await commitDiffLines(servers.git.repoPath('pay'), rotated.commit)).toEqual([
      'apps/payments/deployment.yaml: -    vault-rollout/secret-versions: kv/payments/db@4',
      'apps/payments/deployment.yaml: +    vault-rollout/secret-versions: kv/payments/db@5',
      'apps/payments/deployment.yaml: +      annotations:',
      'apps/payments/deployment.yaml: +        vault-rollout/secret-versions: kv/payments/db@5',
      'apps/payments/external-secret.yaml: +        version: "5"',
    ]);
    const message = await commitMessage(servers.git.repoPath('pay'), rotated.commit);
    expect(message).toContain('Vault-Secret: kv/payments/db 4 -> 5');
    expect(message).toContain(
      '  pinned: ExternalSecret/db-creds (apps/payments/external-secret.yaml) spec.data[0].remoteRef.version = 5 (kv/payments/db)\n',
    );
    expect(await servers.git.readFile('pay', 'main', 'apps/payments/external-secret.yaml')).toBe(
      FILES['apps/payments/external-secret.yaml']!.replace(
        '        property: password\n',
        '        property: password\n        version: "5"\n',
      ),
    );

    // 3. nothing new: no commit
    const third = await run(['apply', '--repo', url, '--format', 'json'], servers.env);
    expect(third.code).toBe(0);
    expect(JSON.parse(third.stdout).commit).toBeNull();
    expect(servers.vault.violations).toBe(0);
  }, 60_000);
});
