/**
 * A Vault namespace named by a manifest holding a newline, a NUL or a non-Latin-1 character used to end
 * the whole run (exit 1, "could not be built: TypeError.", no file named). Through the built CLI: each
 * source's hostile namespace blocks only the workloads that depend on it, with one problem line naming
 * the file and the field, every other workload is published, and the run exits 3 (docs/exit-codes.md).
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { useE2eServers } from '../support/e2e-servers.js';
import { runGit } from '../support/git-server.js';
import { runCli } from '../support/run-cli.js';

const s = useE2eServers('vr-ns-faults-', (vault) => {
  vault.kv.write('kv', 'app/db');
  vault.kv.write('kv', 'app/good');
});

/** The hostile values as YAML double-quoted scalars write them (escapes are the parser's job). */
const VALUES = { newline: '"team\\na"', nul: '"team\\0a"', latin: '"équipe"', emoji: '"team-🔥"' };

const consumer = (name: string, secret: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers: [{ name: app, image: app, envFrom: [{ secretRef: { name: ${secret} } }] }]
`;

const FILES: Record<string, string> = {
  'apps/agent.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: by-agent
spec:
  template:
    metadata:
      annotations:
        vault.hashicorp.com/agent-inject-secret-db: kv/data/app/db
        vault.hashicorp.com/namespace: ${VALUES.newline}
    spec:
      containers: [{ name: app, image: app }]
`,
  'apps/eso.yaml': `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: { name: vault }
spec:
  provider:
    vault: { server: "https://vault.example.com", path: kv, version: v2, namespace: ${VALUES.nul} }
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: db }
spec:
  secretStoreRef: { name: vault, kind: ClusterSecretStore }
  target: { name: eso-db }
  data: [{ secretKey: password, remoteRef: { key: app/db } }]
---
${consumer('by-eso', 'eso-db')}`,
  'apps/vso.yaml': `apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultAuth
metadata: { name: team }
spec: { method: kubernetes, mount: kubernetes, namespace: ${VALUES.latin}, kubernetes: { role: app } }
---
apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: { name: db }
spec: { vaultAuthRef: team, mount: kv, path: app/db, type: kv-v2, destination: { name: vso-db } }
---
apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: { name: db2 }
spec: { namespace: ${VALUES.emoji}, mount: kv, path: app/db, type: kv-v2, destination: { name: vso-db2 } }
---
${consumer('by-vso-auth', 'vso-db')}---
${consumer('by-vso-own', 'vso-db2')}`,
  'apps/good.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: good
  annotations:
    vault-rollout/secrets: kv/app/good
spec:
  template:
    spec:
      containers: [{ name: app, image: app }]
`,
};

const BLOCKED: Record<string, { file: string; field: string }> = {
  'by-agent': { file: 'apps/agent.yaml', field: '"team\\na" (vault.hashicorp.com/namespace)' },
  'by-eso': {
    file: 'apps/eso.yaml',
    field: '"team\\u0000a" (spec.provider.vault.namespace of ClusterSecretStore/vault (apps/eso.yaml))',
  },
  'by-vso-auth': {
    file: 'apps/vso.yaml',
    field: '"équipe" (spec.namespace of VaultAuth/team (apps/vso.yaml))',
  },
  'by-vso-own': {
    file: 'apps/vso.yaml',
    field: '"team-🔥" (spec.namespace of VaultStaticSecret/db2 (apps/vso.yaml))',
  },
};

interface Report {
  workloads: { name: string; action: string; reasons: string[] }[];
  problems: { file: string; severity: string; message: string }[];
  commit: string | null;
}

it('hostile namespaces block their own workloads only; the rest is applied (exit 3)', async () => {
  await s.git.createBareRepo('ns', FILES, { branch: 'main' });
  const before = await s.git.commits('ns', 'main');
  const tmp = await mkdtemp(join(s.tmp, 'run-tmp-'));
  const requests = s.vault.requests.length;
  const r = await runCli(['apply', '--repo', s.git.repoUrl('ns'), '--format', 'json'], {
    ...s.env,
    TMPDIR: tmp,
  });
  expect(r.code, r.stderr).toBe(3);
  expect(r.stderr).not.toMatch(/TypeError|could not be built|^\s+at .+:\d+:\d+\)?$/m);
  const report = JSON.parse(r.stdout) as Report;
  for (const [name, { file, field }] of Object.entries(BLOCKED)) {
    const w = report.workloads.find((x) => x.name === name);
    expect(w?.action, name).toBe('blocked');
    const lines = report.problems.filter((p) => p.message.includes(`"${name}"`));
    expect(lines, name).toHaveLength(1);
    expect(lines[0]).toMatchObject({ file, severity: 'error' });
    expect(lines[0]!.message).toContain(`its Vault namespace ${field} is refused`);
    expect(lines[0]!.message).not.toMatch(/[\n\r]/);
    expect(lines[0]!.message).not.toContain('\u0000');
  }
  expect(report.workloads.find((x) => x.name === 'good')?.action).toBe('record');
  // Published: one commit that touches the good workload's file only.
  const after = await s.git.commits('ns', 'main');
  expect(after.length).toBe(before.length + 1);
  expect(report.commit).toBe(after[0]!.id);
  const changed = await runGit(['show', '--name-only', '--format=', report.commit!], {
    cwd: s.git.repoPath('ns'),
  });
  expect(changed.toString().trim().split('\n')).toEqual(['apps/good.yaml']);
  // No hostile namespace reached Vault: every request went to the root namespace.
  for (const req of s.vault.requests.slice(requests)) expect(req.namespace ?? '').toBe('');
  expect(await readdir(tmp)).toEqual([]);
});
