/**
 * What the watcher polls and what counts as a change: the secrets the last run's workloads reference
 * (each with the environment and Vault namespace it is read in, as `planRepo` reads it), and per secret a
 * fingerprint of what Vault said: its current version, and whether that version is deleted.
 */
import type { PlannedSecret, RunReport, SecretStatus } from '../core/model.js';

export interface ReferencedSecret {
  environment: string | null;
  namespace: string | null;
  path: string;
}

/** One key per secret and the place it is read from. */
export const secretKey = (s: ReferencedSecret): string =>
  JSON.stringify([s.environment, s.namespace, s.path]);

/** A change of fingerprint is a change worth a run; the same fingerprint is not. */
export function statusFingerprint(status: SecretStatus): string {
  if (status.state === 'ok') return `v${status.current}`;
  if (status.state === 'deleted') return `v${status.current}-deleted`;
  return status.state;
}

/** The same fingerprint, from what a run's report says it read. */
function plannedFingerprint(s: PlannedSecret): string {
  if (s.state === 'deleted') return `v${s.current}-deleted`;
  if (s.current !== null) return `v${s.current}`;
  return s.state;
}

/**
 * The referenced secrets of a run's report, with the fingerprints the run saw: the baseline the polls
 * compare against, so a rotation between the run's reads and the next poll is still a change.
 */
export function referencedSecrets(report: RunReport): Map<string, { ref: ReferencedSecret; seen: string }> {
  const out = new Map<string, { ref: ReferencedSecret; seen: string }>();
  for (const w of report.workloads) {
    // An ignored workload's secrets are never read (uniqueSecretPaths in the pipeline).
    if (w.action === 'ignored') continue;
    for (const s of w.secrets) {
      const ref = {
        environment: w.workload.environment ?? null,
        namespace: s.vaultNamespace ?? null,
        path: s.path,
      };
      const key = secretKey(ref);
      const seen = plannedFingerprint(s);
      const known = out.has(key);
      if (!known) out.set(key, { ref, seen });
    }
  }
  return out;
}

/** Groups secrets by the reader call that reads them: one per environment and namespace. */
export function byReader(refs: Iterable<ReferencedSecret>): Map<string, ReferencedSecret[]> {
  const out = new Map<string, ReferencedSecret[]>();
  for (const r of refs) {
    const key = JSON.stringify([r.environment, r.namespace]);
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
}
