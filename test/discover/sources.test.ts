/**
 * The discovery sources that read Vault wiring other tools already have: External Secrets,
 * Vault Secrets Operator, argocd-vault-plugin, Bank-Vaults and the Secrets Store CSI driver, and the Secret
 * graph that follows what they produce to the workloads that use it. Fixtures: test/fixtures/discover/sources/.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../src/core/config/schema.js';
import { discover, type DiscoverResult } from '../../src/core/discover/discover.js';
import { parseManifests, RELEVANT_KINDS } from '../../src/core/discover/parse.js';
import { podUses, sameScope } from '../../src/core/discover/secret-graph.js';
import { csiSecretPaths } from '../../src/core/discover/sources/csi.js';
import { esoSecretPath } from '../../src/core/discover/sources/external-secrets.js';
import type { RepoFile, Workload } from '../../src/core/model.js';
import { FIXTURES, readTree } from './helpers.js';

function run(dir: string, config = defaultConfig()): DiscoverResult {
  return discover(readTree(`${FIXTURES}sources/${dir}`), config);
}

/** `path source via` per secret, per workload. */
function summary(result: DiscoverResult): Record<string, string[]> {
  return Object.fromEntries(
    result.workloads.map((w: Workload) => [
      `${w.file}#${w.document} ${w.kind}/${w.name}`,
      w.secrets.map((s) => `${s.path} ${s.source}: ${s.via}`),
    ]),
  );
}

function pinsOf(result: DiscoverResult, name: string): string[] {
  const w = result.workloads.find((x) => x.name === name)!;
  return w.secrets.flatMap((s) =>
    (s.pins ?? []).map(
      (p) => `${s.path} ${p.kind}/${p.name} ${p.file}#${p.document} ${p.field.join('.')} ${p.format}`,
    ),
  );
}

describe('External Secrets Operator', () => {
  const result = run('external-secrets');

  it('follows ExternalSecret → Secret → workload, by namespace or, without one, by folder', () => {
    expect(summary(result)).toEqual({
      'elsewhere/web.yaml#0 Deployment/web': [
        'kv/web/db externalSecrets: ExternalSecret/db-creds (prod/es.yaml) → Secret/db-secret → envFrom',
        'kv/web/api externalSecrets: ExternalSecret/db-creds (prod/es.yaml) → Secret/db-secret → envFrom',
      ],
      // initContainers and projected volumes count; a two-segment mount from the store's path
      'loose/worker.yaml#0 CronJob/worker': [
        'team-a/kv/api/keys externalSecrets: ExternalSecret/api-keys (loose/app.yaml) → Secret/api-keys → initContainer env, projected volume',
      ],
    });
    // elsewhere/web.yaml#1 (namespace staging) and elsewhere/worker.yaml (no namespace, another folder) match nothing.
  });

  it('knows where each secret can be pinned: every data[] entry and dataFrom[].extract naming it', () => {
    expect(pinsOf(result, 'web')).toEqual([
      'kv/web/db ExternalSecret/db-creds prod/es.yaml#0 spec.data.0.remoteRef.version string',
      'kv/web/db ExternalSecret/db-creds prod/es.yaml#0 spec.data.1.remoteRef.version string',
      'kv/web/api ExternalSecret/db-creds prod/es.yaml#0 spec.dataFrom.0.extract.version string',
    ]);
  });

  it('reports find, KV v1 stores and stores missing from the repo once used; other providers are silent', () => {
    expect(result.problems.map((p) => `${p.file}:${p.line} ${p.message}`)).toEqual([
      'prod/es.yaml:27 ExternalSecret/db-creds (prod/es.yaml): dataFrom[1] uses find (a search): the secrets it reads are not tracked; name them with a rule (used by Deployment/web in elsewhere/web.yaml)',
      'prod/es.yaml:43 ExternalSecret/legacy (prod/es.yaml): ClusterSecretStore "vault-v1" is a KV v1 store (no versions): not tracked (used by Deployment/web in elsewhere/web.yaml)',
      'prod/es.yaml:70 ExternalSecret/nowhere (prod/es.yaml): SecretStore "not-in-this-repo" is not in the repository, so whether it is a Vault store is unknown: not tracked (used by Deployment/web in elsewhere/web.yaml)',
    ]);
  });

  it('maps keys under the store mount as ESO does', () => {
    expect(esoSecretPath('kv', 'web/db', [])).toBe('kv/web/db');
    expect(esoSecretPath('kv', 'kv/data/web/db', [])).toBe('kv/web/db');
    expect(esoSecretPath('kv', 'kv/web/db', [])).toBe('kv/web/db');
    expect(esoSecretPath(null, 'secret/data/web/db', [])).toBe('secret/web/db');
    expect(esoSecretPath('team-a/kv/', '/app', [])).toBe('team-a/kv/app');
  });

  it('is switched off by sources.externalSecrets: false', () => {
    const off = run(
      'external-secrets',
      parseConfig('sources: { externalSecrets: false }', 'vault-rollout.yaml'),
    );
    expect(off.workloads).toEqual([]);
  });
});

describe('External Secrets Operator: ClusterExternalSecret, find and generators', () => {
  const store = `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: vault
spec:
  provider:
    vault:
      path: kv
`;
  const ces = (namespaces: string) => `apiVersion: external-secrets.io/v1
kind: ClusterExternalSecret
metadata:
  name: shared-tls
spec:
  externalSecretName: tls
${namespaces}  externalSecretSpec:
    secretStoreRef:
      name: vault
      kind: ClusterSecretStore
    data:
      - secretKey: crt
        remoteRef:
          key: shared/tls
    dataFrom:
      - find:
          name:
            regexp: "^shared-"
`;
  const web = (namespace: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${namespace}
  namespace: ${namespace}
spec:
  template:
    spec:
      containers:
        - name: web
          image: web
          volumeMounts: []
      volumes:
        - name: tls
          secret:
            secretName: tls
`;
  const files = (namespaces: string): RepoFile[] => [
    { path: 'infra/store.yaml', text: store },
    { path: 'infra/ces.yaml', text: ces(namespaces) },
    { path: 'apps/a.yaml', text: web('team-a') },
    { path: 'apps/b.yaml', text: web('team-b') },
  ];

  it('follows a ClusterExternalSecret into the namespaces it lists, and pins in externalSecretSpec', () => {
    const result = discover(files('  namespaces: [team-a]\n'), defaultConfig());
    expect(summary(result)).toEqual({
      'apps/a.yaml#0 Deployment/web-team-a': [
        'kv/shared/tls externalSecrets: ClusterExternalSecret/shared-tls (infra/ces.yaml) → Secret/tls → volume',
      ],
    });
    expect(pinsOf(result, 'web-team-a')).toEqual([
      'kv/shared/tls ClusterExternalSecret/shared-tls infra/ces.yaml#0 spec.externalSecretSpec.data.0.remoteRef.version string',
    ]);
    // dataFrom[].find is a search: reported once a workload uses it, never guessed
    expect(result.problems).toEqual([
      expect.objectContaining({
        file: 'infra/ces.yaml',
        message:
          'ClusterExternalSecret/shared-tls (infra/ces.yaml): dataFrom[0] uses find (a search): the secrets it reads are not tracked; name them with a rule (used by Deployment/web-team-a in apps/a.yaml)',
      }),
    ]);
  });

  it('with namespace selectors (also next to a list), matches every namespace; with neither, none', () => {
    const both = discover(
      files('  namespaces: [team-a]\n  namespaceSelectors:\n    - matchLabels: { tls: "true" }\n'),
      defaultConfig(),
    );
    expect(Object.keys(summary(both))).toEqual([
      'apps/a.yaml#0 Deployment/web-team-a',
      'apps/b.yaml#0 Deployment/web-team-b',
    ]);
    expect(discover(files(''), defaultConfig()).workloads).toEqual([]);
  });

  it("looks up a namespaced SecretStore in each listed namespace, so each gets that store's mount", () => {
    const store = (ns: string, mount: string) => `apiVersion: external-secrets.io/v1
kind: SecretStore
metadata:
  name: vault
  namespace: ${ns}
spec:
  provider:
    vault:
      path: ${mount}
`;
    const result = discover(
      [
        { path: 'infra/a-store.yaml', text: store('team-a', 'kv-a') },
        { path: 'infra/b-store.yaml', text: store('team-b', 'kv-b') },
        {
          path: 'infra/ces.yaml',
          text: ces('  namespaces: [team-a, team-b]\n').replace(
            'kind: ClusterSecretStore',
            'kind: SecretStore',
          ),
        },
        { path: 'apps/a.yaml', text: web('team-a') },
        { path: 'apps/b.yaml', text: web('team-b') },
      ],
      defaultConfig(),
    );
    expect(result.workloads.map((w) => `${w.name} ${w.secrets.map((r) => r.path).join()}`)).toEqual([
      'web-team-a kv-a/shared/tls',
      'web-team-b kv-b/shared/tls',
    ]);
  });

  it('with selectors and SecretStores of one name that disagree, guesses no mount and says why', () => {
    const store = (ns: string, mount: string) =>
      `apiVersion: external-secrets.io/v1\nkind: SecretStore\nmetadata:\n  name: vault\n  namespace: ${ns}\nspec:\n  provider:\n    vault:\n      path: ${mount}\n`;
    const result = discover(
      [
        { path: 'infra/a-store.yaml', text: store('team-a', 'kv-a') },
        { path: 'infra/b-store.yaml', text: store('team-b', 'kv-b') },
        {
          path: 'infra/ces.yaml',
          text: ces('  namespaceSelectors:\n    - matchLabels: { tls: "true" }\n').replace(
            'kind: ClusterSecretStore',
            'kind: SecretStore',
          ),
        },
        { path: 'apps/a.yaml', text: web('team-a') },
      ],
      defaultConfig(),
    );
    expect(result.workloads).toEqual([]);
    expect(result.problems.map((p) => p.message)).toContainEqual(
      'ClusterExternalSecret/shared-tls (infra/ces.yaml): 2 SecretStores named "vault" (team-a, team-b) with different paths, and its namespaces are chosen by selectors: not tracked; list spec.namespaces (used by Deployment/web-team-a in apps/a.yaml)',
    );
  });

  it('with namespace selectors, matches every namespace', () => {
    const result = discover(
      files('  namespaceSelectors:\n    - matchLabels: { tls: "true" }\n'),
      defaultConfig(),
    );
    expect(Object.keys(summary(result))).toEqual([
      'apps/a.yaml#0 Deployment/web-team-a',
      'apps/b.yaml#0 Deployment/web-team-b',
    ]);
  });
});

describe('Vault Secrets Operator', () => {
  const result = run('vault-secrets-operator');

  it('follows VaultStaticSecret → destination Secret → volume, pins spec.version as an integer', () => {
    expect(summary(result)).toEqual({
      'app.yaml#2 StatefulSet/web': [
        'kvv2/web/config vaultSecretsOperator: VaultStaticSecret/web-config (app.yaml) → Secret/web-config → volume',
      ],
    });
    expect(pinsOf(result, 'web')).toEqual([
      'kvv2/web/config VaultStaticSecret/web-config app.yaml#0 spec.version int',
    ]);
    expect(result.problems.map((p) => p.message)).toEqual([
      'VaultStaticSecret/old (app.yaml): type kv-v1 (KV v1 has no versions): not tracked (used by StatefulSet/web in app.yaml)',
    ]);
  });

  it('is switched off by sources.vaultSecretsOperator: false', () => {
    const config = parseConfig('sources: { vaultSecretsOperator: false }', 'vault-rollout.yaml');
    expect(run('vault-secrets-operator', config).workloads).toEqual([]);
  });
});

describe('argocd-vault-plugin', () => {
  const result = run('argocd-vault-plugin');

  it('reads inline placeholders in the workload, and templated Secrets and ConfigMaps it uses', () => {
    expect(summary(result)).toEqual({
      'deployment.yaml#0 Deployment/api': [
        'kv/app/api argocdVaultPlugin: <path:kv/data/app/api#token> in spec.template.spec.containers[0].env[0].value',
        'kv/app/db argocdVaultPlugin: Secret/db (secret.yaml) → envFrom',
        'kv/app/settings argocdVaultPlugin: ConfigMap/settings (secret.yaml) → envFrom',
      ],
    });
    // Secret/ignored carries avp.kubernetes.io/ignore; Secret/v1 is KV v1:
    expect(result.problems.map((p) => p.message)).toEqual([
      'Secret/v1 (secret.yaml): avp.kubernetes.io/kv-version "1" (KV v1 has no versions): its secrets are not tracked (used by Deployment/api in deployment.yaml)',
    ]);
  });

  it('pins with the placeholder suffix, or avp.kubernetes.io/secret-version for the path annotation', () => {
    const w = result.workloads[0]!;
    const pins = w.secrets.flatMap((s) => s.pins ?? []);
    expect(
      pins.map((p) => [p.name, p.field.join('.'), p.format, p.placeholder ?? '', p.versionAt ?? []]),
    ).toEqual([
      [
        'api',
        'spec.template.spec.containers.0.env.0.value',
        'placeholder',
        '<path:kv/data/app/api#token>',
        [27, 27],
      ],
      ['db', 'metadata.annotations.avp.kubernetes.io/secret-version', 'string', '', []],
      ['settings', 'data.url', 'placeholder', '<path:kv/data/app/settings#key>', [30, 30]],
      [
        'settings',
        'data.pinned',
        'placeholder',
        '<path:kv/data/app/settings#other#4 | base64encode>',
        [32, 34],
      ],
    ]);
  });
});

describe('Bank-Vaults', () => {
  it('reads vault: env values of containers and initContainers, and vault-env-from-path', () => {
    expect(summary(run('bank-vaults'))).toEqual({
      'deployment.yaml#0 Deployment/app': [
        'secret/accounts/aws bankVaults: env AWS (initContainer init)',
        'secret/app/db bankVaults: env DB (container app)',
        'secret/app/user bankVaults: env INLINE (container app)',
        'secret/app/env bankVaults: vault.security.banzaicloud.io/vault-env-from-path',
        'secret/app/extra bankVaults: vault.security.banzaicloud.io/vault-env-from-path',
      ],
    });
  });

  it('follows vault-agent-configmap / vault-ct-configmap to the templates of that ConfigMap', () => {
    const configMap = (name: string, ns: string, template: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  config.hcl: |\n    template {\n      contents = <<EOH\n      ${template}\n      EOH\n    }\n`;
    const app = (annotation: string, ns: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${ns}\n  namespace: ${ns}\nspec:\n  template:\n    metadata:\n      annotations:\n        vault.security.banzaicloud.io/${annotation}: agent-config\n    spec:\n      containers: [{ name: a, image: a }]\n`;
    const result = discover(
      [
        // separate files: the ConfigMap is read for its template, although it names no workload kind
        {
          path: 'cm/a.yaml',
          text: configMap(
            'agent-config',
            'a',
            '{{- with secret "secret/accounts/aws" }}{{ .Data.data.KEY }}{{ end }}',
          ),
        },
        { path: 'cm/b.yaml', text: configMap('agent-config', 'b', `{{ secret 'kv/data/b/db?version=3' }}`) },
        { path: 'apps/a.yaml', text: app('vault-agent-configmap', 'a') },
        { path: 'apps/b.yaml', text: app('vault-ct-configmap', 'b') },
      ],
      defaultConfig(),
    );
    expect(summary(result)).toEqual({
      'apps/a.yaml#0 Deployment/app-a': [
        'secret/accounts/aws bankVaults: vault.security.banzaicloud.io/vault-agent-configmap → ConfigMap/agent-config (cm/a.yaml) template',
      ],
      'apps/b.yaml#0 Deployment/app-b': [
        'kv/b/db bankVaults: vault.security.banzaicloud.io/vault-ct-configmap → ConfigMap/agent-config (cm/b.yaml) template',
      ],
    });
  });
});

describe('Secrets Store CSI driver', () => {
  const result = run('csi');

  it('follows the class to CSI volumes and to the Secrets it syncs; only provider: vault', () => {
    expect(summary(result)).toEqual({
      'spc.yaml#3 DaemonSet/agent': [
        'secret/shop/db csi: SecretProviderClass/vault-db (spc.yaml) → CSI volume',
        'secret/shop/tls csi: SecretProviderClass/vault-db (spc.yaml) → CSI volume',
      ],
      'spc.yaml#4 Deployment/synced-user': [
        'secret/shop/db csi: SecretProviderClass/vault-db (spc.yaml) → Secret/db-synced → env',
        'secret/shop/tls csi: SecretProviderClass/vault-db (spc.yaml) → Secret/db-synced → env',
      ],
    });
    expect(result.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(
        /^SecretProviderClass\/broken \(spc\.yaml\): spec\.parameters\.objects is not readable \(.+\): not tracked \(used by DaemonSet\/agent in spc\.yaml\)$/,
      ),
    ]);
  });

  it('reads parameters.objects, a YAML list inside a string', () => {
    expect(
      csiSecretPaths('- secretPath: "secret/data/a"\n  objectName: a\n- secretPath: kv/data/b?version=3\n'),
    ).toEqual(['secret/data/a', 'kv/data/b']);
    expect(csiSecretPaths('array:\n  - |\n    secretPath: secret/data/c\n')).toEqual(['secret/data/c']);
    expect(csiSecretPaths('{')).toMatchObject({ error: expect.any(String) });
  });
});

describe('the Secret graph', () => {
  it('namespace rule: equal namespaces, else the same folder', () => {
    expect(sameScope({ file: 'a/x.yaml', namespace: 'prod' }, { file: 'b/y.yaml', namespace: 'prod' })).toBe(
      true,
    );
    expect(sameScope({ file: 'a/x.yaml', namespace: 'prod' }, { file: 'a/y.yaml', namespace: 'dev' })).toBe(
      false,
    );
    expect(sameScope({ file: 'a/x.yaml', namespace: null }, { file: 'a/y.yaml', namespace: 'prod' })).toBe(
      true,
    );
    expect(sameScope({ file: 'a/x.yaml', namespace: 'prod' }, { file: 'a/b/y.yaml', namespace: null })).toBe(
      false,
    );
    expect(sameScope({ file: 'x.yaml', namespace: null }, { file: 'y.yaml', namespace: null })).toBe(true);
  });

  it('lists every use of a Secret, ConfigMap and SecretProviderClass in a pod template', () => {
    const template = {
      spec: {
        initContainers: [{ env: [{ valueFrom: { secretKeyRef: { name: 's1' } } }] }],
        containers: [
          {
            env: [{ valueFrom: { configMapKeyRef: { name: 'c1' } } }, { value: 'x' }],
            envFrom: [{ secretRef: { name: 's2' } }, { configMapRef: { name: 'c2' } }],
          },
        ],
        volumes: [
          { secret: { secretName: 's3' } },
          { configMap: { name: 'c3' } },
          {
            projected: {
              sources: [
                { secret: { name: 's4' } },
                { configMap: { name: 'c4' } },
                { serviceAccountToken: {} },
              ],
            },
          },
          { csi: { driver: 'secrets-store.csi.k8s.io', volumeAttributes: { secretProviderClass: 'p1' } } },
        ],
      },
    };
    expect(podUses(template).map((u) => `${u.kind}/${u.name} ${u.how}`)).toEqual([
      'ConfigMap/c1 env',
      'Secret/s2 envFrom',
      'ConfigMap/c2 envFrom',
      'Secret/s1 initContainer env',
      'Secret/s3 volume',
      'ConfigMap/c3 volume',
      'Secret/s4 projected volume',
      'ConfigMap/c4 projected volume',
      'SecretProviderClass/p1 CSI volume',
    ]);
  });

  it('prefilter: the kinds the sources read, and Secrets/ConfigMaps only with AVP markers', () => {
    for (const kind of [
      'ExternalSecret',
      'SecretStore',
      'ClusterSecretStore',
      'VaultStaticSecret',
      'SecretProviderClass',
    ]) {
      expect(RELEVANT_KINDS.test(`kind: ${kind}\n`)).toBe(true);
    }
    expect(RELEVANT_KINDS.test('kind: Secret\ndata: {a: b}\n')).toBe(false);
    expect(RELEVANT_KINDS.test('kind: ConfigMap\ndata: {a: b}\n')).toBe(false);
    expect(RELEVANT_KINDS.test('kind: Secret\ndata: {a: <path:kv/data/a#b>}\n')).toBe(true);
    expect(
      RELEVANT_KINDS.test('kind: Secret\nmetadata: {annotations: {avp.kubernetes.io/path: kv/data/a}}\n'),
    ).toBe(true);
    const parsed = parseManifests([
      { path: 'a.yaml', text: 'kind: ConfigMap\nmetadata: {name: a}\n' },
      { path: 'b.yaml', text: 'kind: Secret\nmetadata: {name: b}\nstringData: {x: "<path:kv/data/b#x>"}\n' },
    ]);
    expect(parsed.documents.map((d) => d.file)).toEqual(['b.yaml']);
  });
});
