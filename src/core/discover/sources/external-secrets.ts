/**
 * External Secrets Operator: an `ExternalSecret` (external-secrets.io) copies Vault secrets into a Kubernetes
 * Secret, so a workload that uses that Secret depends on them (the chain is followed in secret-graph.ts).
 *
 * - `spec.data[].remoteRef.key` and `spec.dataFrom[].extract.key` name the secrets; `dataFrom[].find` (a
 *   search) and generators are not followed, and say so once a workload uses the ExternalSecret.
 * - A `ClusterExternalSecret` is read the same way from `spec.externalSecretSpec`, for each namespace in
 *   `spec.namespaces`, or every namespace when it has a `namespaceSelector(s)` (see `addCluster`); its Secret
 *   is the spec's `target.name`, else `spec.externalSecretName`, else its name.
 * - The store is `spec.secretStoreRef` (`kind` SecretStore by default, or ClusterSecretStore), or an entry's
 *   own `sourceRef.storeRef`. It must be in the repository with a `vault` provider: its `path` is the KV
 *   mount (ESO strips a leading `<mount>/` and `<mount>/data/` from the key, as here); without `path` the
 *   key's first segment is the mount. `version: v1` stores are reported and not tracked (KV v1 has no
 *   versions). Stores of other providers are skipped silently; a store that is not in the repository is
 *   reported once a workload uses the ExternalSecret.
 * - The Secret is `spec.target.name`, else the ExternalSecret's name.
 * - Pins: `remoteRef.version` / `extract.version` (a string in ESO's API).
 *
 * The deprecated kubernetes-external-secrets (`kubernetes-client.io/v1`, `backendType: vault`) is read too:
 * `data[].key` / `dataFrom[]` are full paths (`secret/data/app`); it has no version field to pin.
 */
import type { PinTarget } from '../../model.js';
import { cleanSecretPath, normalizeSecretPath } from '../../secret-path.js';
import type { ManifestDocument } from '../parse.js';
import {
  mergeSecrets,
  producedSecret,
  ProducerIndex,
  producerLabel,
  sameScope,
  type ProducedSecret,
  type Producer,
} from '../secret-graph.js';
import { get, isRecord, nonEmptyString } from '../workloads.js';
import { graphScanner, meta, readVaultNamespace, type WorkloadSource } from './source.js';

interface Store {
  kind: 'SecretStore' | 'ClusterSecretStore';
  name: string;
  file: string;
  namespace: string | null;
  /** `spec.provider.vault.path`, or null */
  mount: string | null;
  version: string;
  /** `spec.provider.vault.namespace`: the Vault Enterprise namespace it reads from, or null. */
  vaultNamespace: string | null;
  /** Why that namespace is refused (it is never sent): every secret read through the store is rejected. */
  namespaceRejected: string | null;
}

/** The Vault secret an ESO key names under a store's mount. */
export function esoSecretPath(mount: string | null, key: string, mounts: readonly string[]): string {
  let k = cleanSecretPath(key);
  if (!mount) return normalizeSecretPath(k, mounts);
  const m = cleanSecretPath(mount).replace(/\/+$/, '');
  if (k.startsWith(`${m}/`)) {
    k = k.slice(m.length + 1);
    if (k.startsWith('data/')) k = k.slice(5);
  }
  return `${m}/${k}`;
}

/** The Vault stores, and the `Kind/name` of every store of any provider. */
function readStores(documents: readonly ManifestDocument[]): { vault: Store[]; names: Set<string> } {
  const stores: Store[] = [];
  const names = new Set<string>();
  for (const doc of documents) {
    const o = doc.data;
    if (!isRecord(o) || (o.kind !== 'SecretStore' && o.kind !== 'ClusterSecretStore')) continue;
    if (typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('external-secrets.io/')) continue;
    const vault = get(o, ['spec', 'provider', 'vault']);
    const { name, namespace } = meta(o);
    if (name) names.add(`${o.kind}/${name}`);
    if (!isRecord(vault) || !name) continue;
    const ns = nonEmptyString(vault.namespace);
    const checked = ns
      ? readVaultNamespace(ns, `spec.provider.vault.namespace of ${o.kind}/${name} (${doc.file})`)
      : null;
    stores.push({
      kind: o.kind,
      name,
      file: doc.file,
      namespace: o.kind === 'ClusterSecretStore' ? null : namespace,
      mount: typeof vault.path === 'string' && vault.path.trim() ? vault.path : null,
      version: typeof vault.version === 'string' ? vault.version : 'v2',
      vaultNamespace: checked?.vaultNamespace ?? null,
      namespaceRejected: checked?.rejected ?? null,
    });
  }
  return { vault: stores, names };
}

/** `elsewhere` lists are shared by every set of an environment: read once each. */
const elsewhereStores = new WeakMap<readonly ManifestDocument[], { vault: Store[]; names: Set<string> }>();

/**
 * The stores of the set, then those the rest of the cluster defines (`elsewhere`: a ClusterSecretStore, or a
 * SecretStore with its namespace, in another render root of the same environment), which count only where
 * the set defines no store of that kind and name.
 */
function readAllStores(
  documents: readonly ManifestDocument[],
  elsewhere: readonly ManifestDocument[],
  foreign: readonly ManifestDocument[],
): StoreIndex {
  const local: StoreIndex = readStores(documents);
  if (foreign.length > 0) {
    let theirs = elsewhereStores.get(foreign);
    if (!theirs) elsewhereStores.set(foreign, (theirs = readStores(foreign)));
    local.foreign = new Map(theirs.vault.map((s) => [`${s.kind}/${s.name}`, s.file]));
  }
  if (elsewhere.length === 0) return local;
  let other = elsewhereStores.get(elsewhere);
  if (!other) elsewhereStores.set(elsewhere, (other = readStores(elsewhere)));
  const own = new Set(local.names);
  for (const store of other.vault) {
    const id = `${store.kind}/${store.name}`;
    if (own.has(id) || (store.kind === 'SecretStore' && store.namespace === null)) continue;
    local.vault.push(store);
  }
  for (const id of other.names) local.names.add(id);
  return local;
}

export const externalSecretsSource: WorkloadSource = {
  name: 'externalSecrets',
  enabled: (config) => config.sources.externalSecrets,
  collect({ config, documents, elsewhere = [], foreign = [] }) {
    const index = new ProducerIndex();
    let stores: { vault: Store[]; names: Set<string> } | null = null;
    for (const doc of documents) {
      const o = doc.data;
      if (!isRecord(o) || typeof o.apiVersion !== 'string') continue;
      if (o.kind === 'ClusterExternalSecret') {
        if (!o.apiVersion.startsWith('external-secrets.io/')) continue;
        stores ??= readAllStores(documents, elsewhere, foreign);
        addCluster(index, o, doc, stores, config.vault.mounts);
        continue;
      }
      if (o.kind !== 'ExternalSecret') continue;
      const { name, namespace } = meta(o);
      if (!name) continue;
      const label = producerLabel('ExternalSecret', name, doc.file);
      const base = { source: 'externalSecrets' as const, label, file: doc.file, namespace };

      if (o.apiVersion.startsWith('kubernetes-client.io/')) {
        if (get(o, ['spec', 'backendType']) !== 'vault') continue;
        const keys = [
          ...list(get(o, ['spec', 'data'])).map((d) => get(d, ['key'])),
          ...list(get(o, ['spec', 'dataFrom'])),
        ].filter((k): k is string => typeof k === 'string');
        const kv = get(o, ['spec', 'kvVersion']);
        const v1 = kv === 1 || kv === '1';
        index.add({
          ...base,
          produces: [{ kind: 'Secret', name }],
          secrets: v1 ? [] : mergeSecrets(keys.map((k) => producedSecret(k, config.vault.mounts))),
          problems:
            v1 && keys.length > 0
              ? [
                  {
                    message: `${label}: kvVersion 1 (KV v1 has no versions): not tracked`,
                    document: doc,
                    at: ['spec', 'kvVersion'],
                  },
                ]
              : [],
        });
        continue;
      }
      if (!o.apiVersion.startsWith('external-secrets.io/')) continue;
      stores ??= readAllStores(documents, elsewhere, foreign);
      index.add({
        ...base,
        ...readSpec(o, doc, 'ExternalSecret', name, { namespace }, stores, config.vault.mounts),
      });
    }
    return graphScanner(index);
  },
};

type StoreIndex = {
  vault: Store[];
  names: Set<string>;
  /** Vault stores only other environments deploy, `Kind/name` → file: named in the message, never used. */
  foreign?: Map<string, string>;
};

/**
 * A ClusterExternalSecret creates the ExternalSecret of `spec.externalSecretSpec` in the namespaces listed in
 * `spec.namespaces` and in those its `namespaceSelector(s)` match. Selectors are not evaluated here (the
 * Namespace objects and their labels are rarely in the repository), so with one it reaches every namespace.
 */
function addCluster(
  index: ProducerIndex,
  o: Record<string, unknown>,
  doc: ManifestDocument,
  stores: StoreIndex,
  mounts: readonly string[],
): void {
  const { name } = meta(o);
  if (!name) return;
  const base = {
    source: 'externalSecrets' as const,
    label: producerLabel('ClusterExternalSecret', name, doc.file),
    file: doc.file,
  };
  const selectors =
    get(o, ['spec', 'namespaceSelectors']) !== undefined ||
    get(o, ['spec', 'namespaceSelector']) !== undefined;
  if (selectors) {
    index.add({
      ...base,
      namespace: null,
      anyNamespace: true,
      ...readSpec(o, doc, 'ClusterExternalSecret', name, 'any', stores, mounts),
    });
    return;
  }
  for (const ns of list(get(o, ['spec', 'namespaces']))) {
    if (typeof ns !== 'string' || ns === '') continue;
    index.add({
      ...base,
      namespace: ns,
      ...readSpec(o, doc, 'ClusterExternalSecret', name, { namespace: ns }, stores, mounts),
    });
  }
}

/**
 * The Vault secrets an ExternalSecret's `spec` (a ClusterExternalSecret's `spec.externalSecretSpec`) reads,
 * with pins and the problems of what it cannot track, and the Secret it produces. `scope` is where a
 * namespaced SecretStore must be (the namespace the ExternalSecret lives in), or `any`.
 */
function readSpec(
  o: Record<string, unknown>,
  doc: ManifestDocument,
  kind: 'ExternalSecret' | 'ClusterExternalSecret',
  name: string,
  scope: { namespace: string | null } | 'any',
  stores: StoreIndex,
  mounts: readonly string[],
): Pick<Producer, 'produces' | 'secrets' | 'problems'> {
  const specPath = kind === 'ExternalSecret' ? ['spec'] : ['spec', 'externalSecretSpec'];
  // The ExternalSecret's name: a ClusterExternalSecret names the ones it creates `spec.externalSecretName`.
  const esName =
    (kind === 'ClusterExternalSecret' && nonEmptyString(get(o, ['spec', 'externalSecretName']))) || name;
  const label = producerLabel(kind, name, doc.file);
  const defaultRef = get(o, [...specPath, 'secretStoreRef']);
  const secrets: ProducedSecret[] = [];
  const problems = new Map<
    string,
    { message: string; document: ManifestDocument; at: (string | number)[] }
  >();
  const entries: { key: unknown; storeRef: unknown; at: (string | number)[]; pin: (string | number)[] }[] =
    [];
  list(get(o, [...specPath, 'data'])).forEach((d, i) =>
    entries.push({
      key: get(d, ['remoteRef', 'key']),
      storeRef: get(d, ['sourceRef', 'storeRef']) ?? defaultRef,
      at: [...specPath, 'data', i, 'remoteRef', 'key'],
      pin: [...specPath, 'data', i, 'remoteRef', 'version'],
    }),
  );
  list(get(o, [...specPath, 'dataFrom'])).forEach((d, i) => {
    if (isRecord(d) && (d.find !== undefined || get(d, ['sourceRef', 'generatorRef']) !== undefined)) {
      const what = d.find !== undefined ? 'find (a search)' : 'a generator';
      problems.set(`dataFrom ${i}`, {
        message: `${label}: dataFrom[${i}] uses ${what}: the secrets it reads are not tracked; name them with a rule`,
        document: doc,
        at: [...specPath, 'dataFrom', i],
      });
      return;
    }
    entries.push({
      key: get(d, ['extract', 'key']),
      storeRef: get(d, ['sourceRef', 'storeRef']) ?? defaultRef,
      at: [...specPath, 'dataFrom', i, 'extract', 'key'],
      pin: [...specPath, 'dataFrom', i, 'extract', 'version'],
    });
  });
  for (const entry of entries) {
    if (typeof entry.key !== 'string' || !isRecord(entry.storeRef)) continue;
    const storeName = entry.storeRef.name;
    const storeKind = entry.storeRef.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore';
    if (typeof storeName !== 'string') continue;
    const candidates = stores.vault.filter(
      (s) =>
        s.kind === storeKind &&
        s.name === storeName &&
        (storeKind === 'ClusterSecretStore' ||
          scope === 'any' ||
          sameScope(s, { file: doc.file, namespace: scope.namespace }, doc.root !== undefined)),
    );
    // Namespace selectors and several SecretStores of that name that disagree on the mount or KV version:
    // which one applies depends on the namespace, so no path is guessed.
    if (scope === 'any' && new Set(candidates.map((c) => `${c.mount ?? ''} ${c.version}`)).size > 1) {
      problems.set(`ambiguous ${storeKind}/${storeName}`, {
        message: `${label}: ${candidates.length} SecretStores named "${storeName}" (${candidates.map((c) => c.namespace ?? c.file).join(', ')}) with different paths, and its namespaces are chosen by selectors: not tracked; list spec.namespaces`,
        document: doc,
        at: entry.at,
      });
      continue;
    }
    const store = candidates[0];
    if (!store) {
      const id = `${storeKind}/${storeName}`;
      const foreign = stores.foreign?.get(id);
      if (!stores.names.has(id)) {
        problems.set(`missing ${id}`, {
          message:
            foreign !== undefined
              ? `${label}: ${storeKind} "${storeName}" is deployed only by another environment (${foreign}), not by this one: not tracked`
              : `${label}: ${storeKind} "${storeName}" is not in the repository, so whether it is a Vault store is unknown: not tracked`,
          document: doc,
          at: entry.at,
        });
      }
      continue; // a store of another provider
    }
    if (store.version === 'v1') {
      problems.set(`v1 ${store.kind}/${store.name}`, {
        message: `${label}: ${store.kind} "${store.name}" is a KV v1 store (no versions): not tracked`,
        document: doc,
        at: entry.at,
      });
      continue;
    }
    const path = esoSecretPath(store.mount, entry.key, mounts);
    const pin: PinTarget = {
      file: doc.file,
      document: doc.index,
      kind,
      name,
      field: entry.pin,
      format: 'string',
    };
    secrets.push(
      producedSecret(path, mounts, {
        pins: [pin],
        vaultNamespace: store.vaultNamespace,
        namespaceRejected: store.namespaceRejected,
      }),
    );
  }
  return {
    produces: [{ kind: 'Secret', name: nonEmptyString(get(o, [...specPath, 'target', 'name'])) ?? esName }],
    secrets: mergeSecrets(secrets),
    problems: [...problems.values()],
  };
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
