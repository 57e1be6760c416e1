/**
 * Vault Agent Injector: `vault.hashicorp.com/agent-inject-secret-<name>: <path>` renders that secret into
 * the pod, so a new version should restart it. The injector reads pod-template annotations; the workload's
 * own annotations are read too, as people put them there by mistake and still mean the dependency.
 *
 * The path is the API path (`secret/data/app`), or the logical path (`secret/app`: consul-template adds
 * `data/` itself for KV v2 mounts); both normalise to `secret/app`. A `?version=N` suffix pins a version and
 * is dropped. Paths of other engines (`database/creds/app`) are kept: the Vault reader reports them as
 * unsupported rather than discovery guessing. `agent-inject-template-*` and other keys are ignored.
 */
import type { SecretRef } from '../../model.js';
import {
  annotationMaps,
  pathRef,
  readVaultNamespace,
  workloadProblem,
  type WorkloadSource,
} from './source.js';

const SECRET_KEY = /^vault\.hashicorp\.com\/agent-inject-secret-(.+)$/;
const NAMESPACE_KEY = 'vault.hashicorp.com/namespace';

export const vaultAgentSource: WorkloadSource = {
  name: 'vaultAgent',
  enabled: (config) => config.sources.vaultAgent,
  collect({ config }) {
    return {
      refsFor(view, report) {
        const refs: SecretRef[] = [];
        for (const { path, annotations } of annotationMaps(view)) {
          // The injector logs in to, and reads from, this Vault Enterprise namespace.
          const ns = annotations[NAMESPACE_KEY];
          const namespace =
            typeof ns === 'string' && ns.trim() ? readVaultNamespace(ns.trim(), NAMESPACE_KEY) : null;
          for (const [key, value] of Object.entries(annotations)) {
            if (!SECRET_KEY.test(key)) continue;
            if (typeof value !== 'string' || value.trim() === '') {
              report(
                workloadProblem(view, `"${key}": ${JSON.stringify(value)} is not a Vault secret path`, [
                  ...path,
                  key,
                ]),
              );
              continue;
            }
            const ref = pathRef(
              value.replace(/\?.*$/s, ''),
              config.vault.mounts,
              {
                source: 'vaultAgent',
                via: key,
                ...(namespace?.vaultNamespace ? { vaultNamespace: namespace.vaultNamespace } : {}),
              },
              [...path, key],
            );
            // A namespace that may not be sent blocks every secret it would be read with.
            if (namespace?.rejected !== undefined && ref.rejected === undefined) {
              ref.rejected = namespace.rejected;
              ref.rejectedAt = [...path, NAMESPACE_KEY];
            }
            refs.push(ref);
          }
        }
        return refs;
      },
    };
  },
};
