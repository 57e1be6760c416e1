/**
 * A repository in which every discovery source names a secret path that tries to leave the metadata
 * API (a `..` segment, an encoded one, an encoded slash), next to one well-behaved workload per source
 * file that must keep working. Used by the discovery fault tests and the end-to-end one.
 */
import type { RepoFile } from '../../src/core/model.js';

const deployment = (name: string, extra: { annotations?: string; template?: string; pod?: string }) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    '  namespace: app',
    ...(extra.annotations ? ['  annotations:', extra.annotations] : []),
    'spec:',
    '  template:',
    ...(extra.template ? ['    metadata:', '      annotations:', extra.template] : []),
    '    spec:',
    extra.pod ?? '      containers: [{ name: c, image: c }]',
    '',
  ].join('\n');

/** The hostile workload of each source, by name, and the path it names as written. */
export const HOSTILE: Record<string, string> = {
  'by-annotation': 'kv/x/../../data/a/b',
  'by-agent': 'kv/data/../../sys/mounts',
  'by-eso': 'kv/../../sys/x',
  'by-avp': 'kv/data/%2e%2e/%2e%2e/sys/x',
  'by-csi': 'kv/data/a%2Fb',
  'by-bank-vaults': 'kv/data/./a',
  'by-vso': 'kv/../sys',
};

export const HOSTILE_FILES: RepoFile[] = [
  {
    path: 'apps/annotation.yaml',
    text: [
      deployment('by-annotation', { annotations: '    vault-rollout/secrets: kv/x/../../data/a/b' }),
      deployment('good', { annotations: '    vault-rollout/secrets: kv/app/good' }),
    ].join('---\n'),
  },
  {
    path: 'apps/agent.yaml',
    text: deployment('by-agent', {
      template: '        vault.hashicorp.com/agent-inject-secret-db: kv/data/../../sys/mounts',
    }),
  },
  {
    path: 'apps/eso.yaml',
    text: [
      [
        'apiVersion: external-secrets.io/v1',
        'kind: SecretStore',
        'metadata: { name: vault, namespace: app }',
        'spec:',
        '  provider:',
        '    vault: { server: "http://vault:8200", path: kv, version: v2 }',
        '',
      ].join('\n'),
      [
        'apiVersion: external-secrets.io/v1',
        'kind: ExternalSecret',
        'metadata: { name: es-bad, namespace: app }',
        'spec:',
        '  secretStoreRef: { name: vault, kind: SecretStore }',
        '  target: { name: es-bad }',
        '  data:',
        '    - secretKey: password',
        '      remoteRef: { key: ../../sys/x }',
        '',
      ].join('\n'),
      deployment('by-eso', {
        pod: '      containers: [{ name: c, image: c, envFrom: [{ secretRef: { name: es-bad } }] }]',
      }),
    ].join('---\n'),
  },
  {
    path: 'apps/avp.yaml',
    text: deployment('by-avp', {
      pod: '      containers: [{ name: c, image: c, env: [{ name: P, value: "<path:kv/data/%2e%2e/%2e%2e/sys/x#key>" }] }]',
    }),
  },
  {
    path: 'apps/csi.yaml',
    text: [
      [
        'apiVersion: secrets-store.csi.x-k8s.io/v1',
        'kind: SecretProviderClass',
        'metadata: { name: spc, namespace: app }',
        'spec:',
        '  provider: vault',
        '  parameters:',
        '    objects: |',
        '      - objectName: "password"',
        '        secretPath: "kv/data/a%2Fb"',
        '        secretKey: "password"',
        '',
      ].join('\n'),
      deployment('by-csi', {
        pod: [
          '      containers: [{ name: c, image: c }]',
          '      volumes:',
          '        - name: s',
          '          csi: { driver: secrets-store.csi.k8s.io, volumeAttributes: { secretProviderClass: spc } }',
        ].join('\n'),
      }),
    ].join('---\n'),
  },
  {
    path: 'apps/bank-vaults.yaml',
    text: deployment('by-bank-vaults', {
      pod: '      containers: [{ name: c, image: c, env: [{ name: P, value: "vault:kv/data/./a#key" }] }]',
    }),
  },
  {
    path: 'apps/vso.yaml',
    text: [
      [
        'apiVersion: secrets.hashicorp.com/v1beta1',
        'kind: VaultStaticSecret',
        'metadata: { name: vss, namespace: app }',
        'spec:',
        '  type: kv-v2',
        '  mount: kv',
        '  path: ../sys',
        '  destination: { name: vss-secret, create: true }',
        '',
      ].join('\n'),
      deployment('by-vso', {
        pod: '      containers: [{ name: c, image: c, envFrom: [{ secretRef: { name: vss-secret } }] }]',
      }),
    ].join('---\n'),
  },
];

/** A Deployment whose pods depend on one Vault secret (an explicit annotation). */
export const vaultDeployment = (name: string, secret: string): string =>
  deployment(name, { annotations: `    vault-rollout/secrets: ${secret}` });

/**
 * A diamond of kustomizations under `dir`: the root lists both folders of layer 1, each folder of a layer
 * lists both of the next, and both of the last list `base` (one Deployment). kustomize builds the base
 * 2^layers times, and refuses the root at the first layer that meets it twice ("may not add resource with
 * an already registered id"). With `suffixes`, each folder of a layer renames what it builds (`-a`, `-b`),
 * so every copy has its own id: kustomize then builds all 2^layers of them.
 */
export function diamondRepo(dir: string, layers: number, opts: { suffixes?: boolean } = {}): RepoFile[] {
  const files: RepoFile[] = [
    { path: `${dir}/kustomization.yaml`, text: 'resources:\n  - l1/a\n  - l1/b\n' },
    { path: `${dir}/base/kustomization.yaml`, text: 'resources:\n  - web.yaml\n' },
    { path: `${dir}/base/web.yaml`, text: vaultDeployment('web', 'kv/app/good') },
  ];
  for (let i = 1; i <= layers; i++) {
    const next = i === layers ? ['../../base'] : [`../../l${i + 1}/a`, `../../l${i + 1}/b`];
    for (const side of ['a', 'b']) {
      files.push({
        path: `${dir}/l${i}/${side}/kustomization.yaml`,
        text: `${opts.suffixes ? `nameSuffix: -${side}\n` : ''}resources:\n${next.map((n) => `  - ${n}\n`).join('')}`,
      });
    }
  }
  return files;
}

/** A chain of kustomizations `depth` deep under `dir` (`c0` → `c1` → … → `base`, one Deployment). */
export function chainRepo(dir: string, depth: number): RepoFile[] {
  const files: RepoFile[] = [
    { path: `${dir}/base/kustomization.yaml`, text: 'resources:\n  - web.yaml\n' },
    { path: `${dir}/base/web.yaml`, text: vaultDeployment('chained', 'kv/app/good') },
  ];
  for (let i = 0; i < depth; i++) {
    const next = i === depth - 1 ? '../base' : `../c${i + 1}`;
    files.push({ path: `${dir}/c${i}/kustomization.yaml`, text: `resources:\n  - ${next}\n` });
  }
  return files;
}
