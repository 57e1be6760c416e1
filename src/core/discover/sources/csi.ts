/**
 * Secrets Store CSI driver: a `SecretProviderClass` (secrets-store.csi.x-k8s.io) with `spec.provider: vault`
 * mounts the secrets listed in `spec.parameters.objects`, a YAML list inside a string, each with a
 * `secretPath` (`secret/data/app`; a `?version=` query is dropped). Workloads depend on them through a CSI
 * volume naming the class (`volumeAttributes.secretProviderClass`), or through the Secrets it syncs
 * (`spec.secretObjects[].secretName`). The driver cannot pin a version from the class, so nothing is pinned.
 */
import jsyaml from 'js-yaml';
import type { ManifestDocument } from '../parse.js';
import {
  mergeSecrets,
  ProducerIndex,
  producedSecret,
  producerLabel,
  type Producer,
} from '../secret-graph.js';
import { get, isRecord } from '../workloads.js';
import { graphScanner, meta, type WorkloadSource } from './source.js';

/** The `secretPath`s of a class's `parameters.objects` string, or an error message. */
export function csiSecretPaths(objects: string): string[] | { error: string } {
  let parsed: unknown;
  try {
    parsed = jsyaml.load(objects, { schema: jsyaml.CORE_SCHEMA });
  } catch (err) {
    return { error: (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'invalid YAML' };
  }
  if (parsed === null || parsed === undefined) return [];
  // The driver also accepts the older `array: [ "<yaml of one object>" ]` form.
  const items = Array.isArray(parsed)
    ? parsed
    : isRecord(parsed) && Array.isArray(parsed.array)
      ? parsed.array.map((s) => (typeof s === 'string' ? jsyaml.load(s, { schema: jsyaml.CORE_SCHEMA }) : s))
      : null;
  if (!items) return { error: 'expected a YAML list of objects' };
  return items
    .map((item) => get(item, ['secretPath']))
    .filter((p): p is string => typeof p === 'string')
    .map((p) => p.replace(/\?.*$/s, ''));
}

export const csiSource: WorkloadSource = {
  name: 'csi',
  enabled: (config) => config.sources.csi,
  collect({ config, documents }) {
    const index = new ProducerIndex();
    for (const doc of documents) {
      const producer = readClass(doc, config.vault.mounts);
      if (producer) index.add(producer);
    }
    return graphScanner(index);
  },
};

function readClass(doc: ManifestDocument, mounts: readonly string[]): Producer | null {
  const o = doc.data;
  if (!isRecord(o) || o.kind !== 'SecretProviderClass') return null;
  if (typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('secrets-store.csi.x-k8s.io/'))
    return null;
  if (get(o, ['spec', 'provider']) !== 'vault') return null;
  const { name, namespace } = meta(o);
  if (!name) return null;
  const label = producerLabel('SecretProviderClass', name, doc.file);
  const objects = get(o, ['spec', 'parameters', 'objects']);
  const paths = typeof objects === 'string' ? csiSecretPaths(objects) : [];
  const produces: Producer['produces'] = [{ kind: 'SecretProviderClass', name, self: true }];
  for (const so of Array.isArray(get(o, ['spec', 'secretObjects']))
    ? (get(o, ['spec', 'secretObjects']) as unknown[])
    : []) {
    const secretName = get(so, ['secretName']);
    if (typeof secretName === 'string' && secretName) produces.push({ kind: 'Secret', name: secretName });
  }
  const base = { source: 'csi' as const, label, file: doc.file, namespace, produces };
  if (!Array.isArray(paths)) {
    return {
      ...base,
      secrets: [],
      problems: [
        {
          message: `${label}: spec.parameters.objects is not readable (${paths.error}): not tracked`,
          document: doc,
          at: ['spec', 'parameters', 'objects'],
        },
      ],
    };
  }
  return {
    ...base,
    secrets: mergeSecrets(paths.map((p) => producedSecret(p, mounts))),
    problems: [],
  };
}
