/**
 * A Vault namespace taken from a manifest travels in the `X-Vault-Namespace` header of every request for
 * the secrets read in it. Each source checks it where it reads it: a value Vault namespaces do not use
 * (newline, NUL, non-ASCII, `..`) blocks only the workloads that depend on it, with a problem naming the
 * file and the field, and the rest of the run is discovered as usual.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/core/config/schema.js';
import { discover } from '../../src/core/discover/discover.js';
import type { RepoFile } from '../../src/core/model.js';
import { vaultNamespaceProblem } from '../../src/core/secret-path.js';

const HOSTILE = ['team\na', 'team\u0000a', 'équipe', 'team-🔥', 'a/../b', 'a//b', 'team a', 'a\r\nX-Evil: 1'];

describe('vaultNamespaceProblem', () => {
  it('accepts namespaces as Vault writes them', () => {
    for (const ns of ['team-a', 'admin/team-a', 'admin/team-a/', '/admin', 'ns_1.x'])
      expect(vaultNamespaceProblem(ns)).toBeNull();
  });
  it('refuses control characters, non-ASCII, spaces and dot or empty segments, in one escaped line', () => {
    for (const ns of HOSTILE) {
      const problem = vaultNamespaceProblem(ns);
      expect(problem, ns).not.toBeNull();
      expect(problem).not.toMatch(/[\n\r]/);
      expect(problem).not.toContain('\u0000');
    }
    expect(vaultNamespaceProblem('team\na')).toBe(
      'it has the character "\\n", which Vault namespaces do not use',
    );
    expect(vaultNamespaceProblem('a/../b')).toBe('it has a ".." segment');
    expect(vaultNamespaceProblem('')).toBe('the namespace is empty');
  });
});

const agent = (name: string, ns: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    metadata:
      annotations:
        vault.hashicorp.com/agent-inject-secret-db: kv/data/app/db
        vault.hashicorp.com/namespace: ${JSON.stringify(ns)}
    spec:
      containers: [{ name: app, image: app }]
`;

const consumer = (name: string, secret: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers: [{ name: app, image: app, envFrom: [{ secretRef: { name: ${secret} } }] }]
`;

const eso = (kind: 'SecretStore' | 'ClusterSecretStore', ns: string) => `apiVersion: external-secrets.io/v1
kind: ${kind}
metadata: { name: vault }
spec:
  provider:
    vault: { server: "https://vault.example.com", path: kv, version: v2, namespace: ${JSON.stringify(ns)} }
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: db }
spec:
  secretStoreRef: { name: vault, kind: ${kind} }
  target: { name: eso-db }
  data: [{ secretKey: password, remoteRef: { key: app/db } }]
`;

const vso = (own: string | null, auth: string) => `apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultAuth
metadata: { name: team-a }
spec: { method: kubernetes, mount: kubernetes, namespace: ${JSON.stringify(auth)}, kubernetes: { role: app } }
---
apiVersion: secrets.hashicorp.com/v1beta1
kind: VaultStaticSecret
metadata: { name: db }
spec:
  vaultAuthRef: team-a
${own !== null ? `  namespace: ${JSON.stringify(own)}\n` : ''}  mount: kv
  path: app/db
  type: kv-v2
  destination: { name: vso-db }
`;

const healthy = agent('healthy', 'team-b');

function run(files: Record<string, string>) {
  const repo: RepoFile[] = Object.entries(files).map(([path, text]) => ({ path, text }));
  return discover(repo, defaultConfig());
}

/** The blocked workloads with their reasons, and the one healthy workload, untouched. */
function expectBlocked(
  result: ReturnType<typeof run>,
  name: string,
  file: string,
  field: RegExp,
  line?: number,
): void {
  const w = result.workloads.find((x) => x.name === name)!;
  expect(w.secrets).toEqual([]);
  expect(w.rejected).toHaveLength(1);
  expect(w.rejected![0]).toMatch(field);
  const problem = result.problems.find((p) => p.message.includes(`"${name}"`))!;
  expect(problem).toMatchObject({ file, severity: 'error' });
  expect(problem.message).not.toMatch(/[\n\r]/);
  expect(problem.message).not.toContain('\u0000');
  expect(problem.message).toMatch(field);
  if (line !== undefined) expect(problem.line).toBe(line);
  const ok = result.workloads.find((x) => x.name === 'healthy')!;
  expect(ok.secrets.map((s) => [s.path, s.vaultNamespace])).toEqual([['kv/app/db', 'team-b']]);
}

describe.each(HOSTILE)('namespace %j', (ns) => {
  it('Vault Agent: blocks the workload at vault.hashicorp.com/namespace', () => {
    const result = run({ 'apps/bad.yaml': agent('bad', ns), 'apps/ok.yaml': healthy });
    expectBlocked(
      result,
      'bad',
      'apps/bad.yaml',
      /Vault namespace .* \(vault\.hashicorp\.com\/namespace\) is refused/,
      10,
    );
  });

  it('ESO SecretStore and ClusterSecretStore: blocks every workload using the store', () => {
    for (const kind of ['SecretStore', 'ClusterSecretStore'] as const) {
      const result = run({
        'eso/store.yaml': eso(kind, ns),
        'eso/app.yaml': consumer('bad', 'eso-db'),
        'ok.yaml': healthy,
      });
      expectBlocked(
        result,
        'bad',
        'eso/app.yaml',
        new RegExp(
          `spec\\.provider\\.vault\\.namespace of ${kind}/vault \\(eso/store\\.yaml\\)\\) is refused`,
        ),
      );
    }
  });

  it("VaultStaticSecret: its own spec.namespace, or its VaultAuth's", () => {
    const own = run({
      'vso/s.yaml': vso(ns, 'team-a'),
      'vso/app.yaml': consumer('bad', 'vso-db'),
      'ok.yaml': healthy,
    });
    expectBlocked(
      own,
      'bad',
      'vso/app.yaml',
      /spec\.namespace of VaultStaticSecret\/db \(vso\/s\.yaml\)\) is refused/,
    );
    const viaAuth = run({
      'vso/s.yaml': vso(null, ns),
      'vso/app.yaml': consumer('bad', 'vso-db'),
      'ok.yaml': healthy,
    });
    expectBlocked(
      viaAuth,
      'bad',
      'vso/app.yaml',
      /spec\.namespace of VaultAuth\/team-a \(vso\/s\.yaml\)\) is refused/,
    );
  });
});

it('a good namespace is kept per secret, as before', () => {
  const result = run({
    'eso/store.yaml': eso('SecretStore', 'admin/team-a'),
    'eso/app.yaml': consumer('app', 'eso-db'),
  });
  expect(result.workloads[0]!.secrets.map((s) => s.vaultNamespace)).toEqual(['admin/team-a']);
  expect(result.problems).toEqual([]);
});
