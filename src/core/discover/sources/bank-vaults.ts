/**
 * Bank-Vaults (vault-secrets-webhook): the webhook makes `vault-env` resolve env values such as
 * `vault:secret/data/app#KEY`, `vault:secret/data/app#KEY#2` (a version), `${vault:secret/data/app#KEY}`
 * inside a longer value, or `vault:secret/data/app#${.KEY}` (a template) when the container starts, so a new
 * version needs a restart. Containers and initContainers of the pod template are read, and the
 * `vault.security.banzaicloud.io/vault-env-from-path` annotation (comma-separated paths) on the pod template
 * or the workload. Other `vault.security.banzaicloud.io/*` annotations configure the webhook (address, role,
 * TLS) and name no secret.
 *
 * The `vault-agent-configmap` and `vault-ct-configmap` annotations name a ConfigMap whose Vault Agent or
 * consul-template templates (`{{ with secret "secret/app" }}`, `{{ secret "secret/data/app" }}`) the
 * webhook's sidecar renders into the pod: those secrets are followed too, through the ConfigMap found by
 * name (same namespace, or same folder when either leaves it empty), and the chain says so.
 *
 * Not followed: `vault:` values inside Secrets and ConfigMaps. The webhook rewrites those objects when they
 * are applied, so restarting the pods that use them would not bring a new version; re-applying the object
 * would. Paths of other engines (`>>vault:database/creds/app#...`, dynamic secrets) are kept: the Vault
 * reader reports them as unsupported rather than discovery guessing.
 */
import type { SecretRef } from '../../model.js';
import { cleanSecretPath } from '../../secret-path.js';
import { formatPath } from '../../yaml/edit-scalar.js';
import { producerLabel, sameScope } from '../secret-graph.js';
import { get, isRecord, stringsIn } from '../workloads.js';
import { annotationMaps, meta, pathRef, type WorkloadSource } from './source.js';

const ENV_VALUE = /(?:^|\$\{)(?:>>)?vault:([^#\s{}$]+)#/g;
const FROM_PATH = 'vault.security.banzaicloud.io/vault-env-from-path';
const TEMPLATE_CONFIGMAPS = [
  'vault.security.banzaicloud.io/vault-agent-configmap',
  'vault.security.banzaicloud.io/vault-ct-configmap',
];
/** `{{ with secret "secret/app" }}`, `{{- secret "secret/data/app?version=2" -}}`, single quotes or backquotes. */
const TEMPLATE_SECRET = /\{\{-?\s*(?:with\s+)?secret\s+["'`]([^"'`]+)["'`]/g;

/** The secret paths a Vault Agent / consul-template template reads (raw, without `?version=`). */
export function templateSecretPaths(text: string): string[] {
  return [...text.matchAll(TEMPLATE_SECRET)].map((m) => cleanSecretPath(m[1]!.replace(/\?.*$/s, '')));
}

/** The secret paths in one env value (raw, before normalisation). */
export function bankVaultsPaths(value: string): string[] {
  return [...value.matchAll(ENV_VALUE)].map((m) => cleanSecretPath(m[1]!));
}

export const bankVaultsSource: WorkloadSource = {
  name: 'bankVaults',
  enabled: (config) => config.sources.bankVaults,
  collect({ config, documents }) {
    // ConfigMaps whose data holds templates that read secrets, by name.
    const templates = new Map<string, { file: string; namespace: string | null; paths: string[] }[]>();
    for (const doc of documents) {
      const o = doc.data;
      if (!isRecord(o) || o.kind !== 'ConfigMap' || !isRecord(o.data)) continue;
      const { name, namespace } = meta(o);
      if (!name) continue;
      const paths = Object.values(o.data).flatMap((v) =>
        typeof v === 'string' ? templateSecretPaths(v) : [],
      );
      if (paths.length === 0) continue;
      templates.set(name, [...(templates.get(name) ?? []), { file: doc.file, namespace, paths }]);
    }
    return {
      refsFor(view) {
        const refs: SecretRef[] = [];
        const add = (raw: string, via: string) => {
          refs.push(pathRef(raw, config.vault.mounts, { source: 'bankVaults', via }));
        };
        if (view.values) {
          // A Helm-based app: `vault:` env values wherever the chart takes them.
          for (const { path, text } of stringsIn(view.values, (t) => t.includes('vault:'))) {
            for (const raw of bankVaultsPaths(text)) add(raw, `values ${formatPath(path)}`);
          }
        }
        const spec = get(view.template, ['spec']);
        for (const [key, label] of [
          ['initContainers', 'initContainer'],
          ['containers', 'container'],
        ] as const) {
          const containers = get(spec, [key]);
          if (!Array.isArray(containers)) continue;
          for (const c of containers) {
            if (!isRecord(c) || !Array.isArray(c.env)) continue;
            for (const e of c.env) {
              const value = get(e, ['value']);
              if (typeof value !== 'string' || !value.includes('vault:')) continue;
              const envName = String(get(e, ['name']) ?? '?');
              for (const raw of bankVaultsPaths(value))
                add(raw, `env ${envName} (${label} ${String(c.name ?? '?')})`);
            }
          }
        }
        for (const { annotations } of annotationMaps(view)) {
          for (const key of TEMPLATE_CONFIGMAPS) {
            const name = annotations[key];
            if (typeof name !== 'string') continue;
            for (const cm of templates.get(name) ?? []) {
              if (!sameScope(cm, view.workload, view.document.root !== undefined)) continue;
              for (const raw of cm.paths)
                add(raw, `${key} → ${producerLabel('ConfigMap', name, cm.file)} template`);
            }
          }
          const value = annotations[FROM_PATH];
          if (typeof value !== 'string') continue;
          for (const entry of value.split(',')) {
            const raw = cleanSecretPath(entry.replace(/#.*$/s, ''));
            if (raw) add(raw, FROM_PATH);
          }
        }
        return refs;
      },
    };
  },
};
