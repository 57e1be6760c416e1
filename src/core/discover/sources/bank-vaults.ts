/**
 * Bank-Vaults (vault-secrets-webhook): the webhook makes `vault-env` resolve env values such as
 * `vault:secret/data/app#KEY`, `vault:secret/data/app#KEY#2` (a version), `${vault:secret/data/app#KEY}`
 * inside a longer value, or `vault:secret/data/app#${.KEY}` (a template) when the container starts, so a new
 * version needs a restart. Containers and initContainers of the pod template are read, and the
 * `vault.security.banzaicloud.io/vault-env-from-path` annotation (comma-separated paths) on the pod template
 * or the workload. Other `vault.security.banzaicloud.io/*` annotations configure the webhook (address, role,
 * TLS) and name no secret.
 *
 * Not followed: `vault:` values inside Secrets and ConfigMaps. The webhook rewrites those objects when they
 * are applied, so restarting the pods that use them would not bring a new version; re-applying the object
 * would. Paths of other engines (`>>vault:database/creds/app#...`, dynamic secrets) are kept: the Vault
 * reader reports them as unsupported rather than discovery guessing.
 */
import type { SecretRef } from '../../model.js';
import { cleanSecretPath, isPlausibleSecretPath, normalizeSecretPath } from '../../secret-path.js';
import { formatPath } from '../../yaml/edit-scalar.js';
import { get, isRecord, stringsIn } from '../workloads.js';
import { annotationMaps, type WorkloadSource } from './source.js';

const ENV_VALUE = /(?:^|\$\{)(?:>>)?vault:([^#\s{}$]+)#/g;
const FROM_PATH = 'vault.security.banzaicloud.io/vault-env-from-path';

/** The secret paths in one env value (raw, before normalisation). */
export function bankVaultsPaths(value: string): string[] {
  return [...value.matchAll(ENV_VALUE)].map((m) => cleanSecretPath(m[1]!));
}

export const bankVaultsSource: WorkloadSource = {
  name: 'bankVaults',
  enabled: (config) => config.sources.bankVaults,
  collect({ config }) {
    return {
      refsFor(view) {
        const refs: SecretRef[] = [];
        const add = (raw: string, via: string) => {
          if (isPlausibleSecretPath(raw)) {
            refs.push({ path: normalizeSecretPath(raw, config.vault.mounts), source: 'bankVaults', via });
          }
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
