/**
 * End to end: a Vault Enterprise namespace named by the manifests themselves is honoured per secret. The
 * same path `kv/app/db` lives in the root namespace (version 1) and in `team-a` (version 3); Vault Agent's
 * `vault.hashicorp.com/namespace`, an ESO store's `namespace` and a VaultStaticSecret's VaultAuth each send
 * their reads to `team-a`, and the workload without one reads the root namespace. Run `npm run build` first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { runCli } from '../support/run-cli.js';
import { startTestVault, type VaultDevServer } from '../support/vault-server.js';

const agent = (name: string, ns: string | null) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    metadata:
      annotations:
        vault.hashicorp.com/agent-inject: "true"
        vault.hashicorp.com/agent-inject-secret-db: kv/data/app/db
${ns ? `        vault.hashicorp.com/namespace: ${ns}\n` : ''}    spec:
      containers: [{ name: app, image: app }]
`;

const consumer = (name: string, secret: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers:
        - name: app
          image: app
          envFrom: [{ secretRef: { name: ${secret} } }]
`;

const FILES: Record<string, string> = {
  'agent/in-team-a.yaml': agent('in-team-a', 'team-a'),
  'agent/in-root.yaml': agent('in-root', null),
  'eso/store.yaml': `apiVersion: external-secrets.io/v1
kind: SecretStore
metadata: { name: vault }
spec:
  provider:
    vault: { server: "https://vault.example.com", path: kv, version: v2, namespace: team-a }
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: db }
spec:
  secretStoreRef: { name: vault, kind: SecretStore }
  target: { name: eso-db }
  data: [{ secretKey: password, remoteRef: { key: app/db, property: password } }]
`,
  'eso/app.yaml': consumer('eso-app', 'eso-db'),
  'vso/auth.yaml': `apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultAuth
metadata: { name: team-a }
spec: { method: kubernetes, mount: kubernetes, namespace: team-a, kubernetes: { role: app } }
---
apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: { name: db }
spec:
  vaultAuthRef: team-a
  mount: kv
  path: app/db
  type: kv-v2
  destination: { name: vso-db }
`,
  'vso/app.yaml': consumer('vso-app', 'vso-db'),
};

let tmp: string;
let vault: VaultDevServer;
let git: GitServer;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vr-ns-e2e-'));
  vault = await startTestVault({
    namespaces: ['team-a'],
    mounts: [
      { path: 'kv', version: 2 },
      { path: 'kv', version: 2, namespace: 'team-a' },
    ],
  });
  vault.kv.write('kv', 'app/db');
  for (let i = 0; i < 3; i++) vault.kv.write('kv', 'app/db', { namespace: 'team-a' });
  git = await startGitServer({ tmpRoot: tmp });
});
afterAll(async () => {
  await git?.close();
  await vault?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

it('reads each secret in the namespace its manifests name, and the rest in the configured one', async () => {
  await git.createBareRepo('ns', FILES, { branch: 'main' });
  const r = await runCli(['plan', '--repo', git.repoUrl('ns'), '--format', 'json'], {
    VAULT_ADDR: vault.url,
    VAULT_TOKEN: vault.rootToken,
  });
  expect(r.stderr).not.toMatch(/at .+\.js:\d+/);
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout) as {
    workloads: {
      name: string;
      action: string;
      secrets: { path: string; current: number; vaultNamespace?: string }[];
    }[];
  };
  expect(
    report.workloads.map((w) => [
      w.name,
      w.action,
      w.secrets.map((s) => [s.path, s.vaultNamespace ?? '-', s.current]),
    ]),
  ).toEqual([
    ['in-root', 'record', [['kv/app/db', '-', 1]]],
    ['in-team-a', 'record', [['kv/app/db', 'team-a', 3]]],
    ['eso-app', 'record', [['kv/app/db', 'team-a', 3]]],
    ['vso-app', 'record', [['kv/app/db', 'team-a', 3]]],
  ]);
  const reads = vault.requests.filter((q) => q.path.includes('/metadata/'));
  // One read per (namespace, secret): the three team-a workloads share one.
  expect(reads.map((q) => `${q.namespace ?? ''} ${q.path}`).sort()).toEqual([
    ' /v1/kv/metadata/app/db',
    'team-a /v1/kv/metadata/app/db',
  ]);
  expect(vault.violations).toBe(0);
});
