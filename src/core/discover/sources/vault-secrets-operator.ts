/**
 * Vault Secrets Operator: a `VaultStaticSecret` (secrets.hashicorp.com) copies the KV secret `spec.mount` /
 * `spec.path` into the Secret `spec.destination.name`; workloads that use that Secret depend on it (see
 * secret-graph.ts). `spec.type: kv-v1` is reported and not tracked (KV v1 has no versions). Pin:
 * `spec.version`, an integer in VSO's API. `spec.rolloutRestartTargets` makes VSO restart those workloads
 * itself when the secret changes (a live-cluster patch Argo CD and Flux see as drift): a workload vault-rollout
 * restarts through Git that is also listed there gets a warning.
 */
import { cleanSecretPath, secretPathProblem } from '../../secret-path.js';
import { ProducerIndex, producerLabel } from '../secret-graph.js';
import { get, isRecord } from '../workloads.js';
import { graphScanner, meta, readVaultNamespace, type WorkloadSource } from './source.js';

export const vaultSecretsOperatorSource: WorkloadSource = {
  name: 'vaultSecretsOperator',
  enabled: (config) => config.sources.vaultSecretsOperator,
  collect({ documents }) {
    const index = new ProducerIndex();
    // VaultAuth objects by name: a VaultStaticSecret without a namespace of its own reads from its auth's.
    const auths = new Map<string, ReturnType<typeof readVaultNamespace>>();
    for (const doc of documents) {
      const o = doc.data;
      if (!isRecord(o) || o.kind !== 'VaultAuth') continue;
      const { name } = meta(o);
      const ns = get(o, ['spec', 'namespace']);
      if (name && typeof ns === 'string' && ns)
        auths.set(name, readVaultNamespace(ns, `spec.namespace of VaultAuth/${name} (${doc.file})`));
    }
    for (const doc of documents) {
      const o = doc.data;
      if (!isRecord(o) || o.kind !== 'VaultStaticSecret') continue;
      if (typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('secrets.hashicorp.com/')) continue;
      const { name, namespace } = meta(o);
      const mount = get(o, ['spec', 'mount']);
      const path = get(o, ['spec', 'path']);
      const destination = get(o, ['spec', 'destination', 'name']);
      if (!name || typeof mount !== 'string' || typeof path !== 'string') continue;
      if (typeof destination !== 'string' || !destination) continue;
      // `spec.path` is relative to `spec.mount` (no `data/`), so it is joined, not normalised.
      const secret = `${cleanSecretPath(mount).replace(/\/+$/, '')}/${cleanSecretPath(path)}`;
      const rejected = secretPathProblem(secret);
      const label = producerLabel('VaultStaticSecret', name, doc.file);
      const ownNs = get(o, ['spec', 'namespace']);
      const authRef = get(o, ['spec', 'vaultAuthRef']);
      const vaultNs =
        typeof ownNs === 'string' && ownNs
          ? readVaultNamespace(ownNs, `spec.namespace of ${label}`)
          : typeof authRef === 'string'
            ? auths.get(authRef)
            : undefined;
      const vaultNamespace = vaultNs?.vaultNamespace;
      const refused = rejected ?? vaultNs?.rejected ?? null;
      const v1 = get(o, ['spec', 'type']) === 'kv-v1';
      index.add({
        source: 'vaultSecretsOperator',
        label,
        file: doc.file,
        namespace,
        produces: [{ kind: 'Secret', name: destination }],
        restarts: restartTargets(get(o, ['spec', 'rolloutRestartTargets'])),
        secrets: v1
          ? []
          : [
              {
                path: secret,
                pins: [
                  {
                    file: doc.file,
                    document: doc.index,
                    kind: 'VaultStaticSecret',
                    name,
                    field: ['spec', 'version'],
                    format: 'int',
                  },
                ],
                ...(vaultNamespace && refused === null ? { vaultNamespace } : {}),
                ...(refused !== null ? { rejected: refused } : {}),
              },
            ],
        problems: v1
          ? [
              {
                message: `${label}: type kv-v1 (KV v1 has no versions): not tracked`,
                document: doc,
                at: ['spec', 'type'],
              },
            ]
          : [],
      });
    }
    return graphScanner(index);
  },
};

function restartTargets(value: unknown): { kind: string; name: string; by: string }[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((t, i) =>
    isRecord(t) && typeof t.kind === 'string' && typeof t.name === 'string'
      ? [{ kind: t.kind, name: t.name, by: `spec.rolloutRestartTargets[${i}]` }]
      : [],
  );
}
