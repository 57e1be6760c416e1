/**
 * Keys of the SPEC's config that this build reads and validates but does not act on yet. A run refuses a
 * config that sets one (and `validate` reports it), so no setting is silently ignored: a cap that is not
 * applied or a hook that is never called would be worse than an error. Each entry leaves this list when the
 * feature it names lands.
 */
import type { Config } from './definition.js';

export interface UnsupportedKey {
  path: (string | number)[];
  message: string;
}

const LATER = 'is not supported by this version of vault-rollout yet';

/** The keys `config` sets that this build cannot honour. */
export function unsupportedKeys(config: Config): UnsupportedKey[] {
  const found: UnsupportedKey[] = [];
  if (config.forge === 'gitlab') found.push({ path: ['forge'], message: `"gitlab" ${LATER}` });
  if (config.gitlab.url !== undefined || config.gitlab.project !== undefined)
    found.push({ path: ['gitlab'], message: LATER });
  if (config.git.sshKeyFile !== undefined) found.push({ path: ['git', 'sshKeyFile'], message: LATER });
  if (config.git.knownHostsFile !== undefined)
    found.push({ path: ['git', 'knownHostsFile'], message: LATER });
  if (config.rollout.maxRestartsPerRun !== undefined)
    found.push({ path: ['rollout', 'maxRestartsPerRun'], message: LATER });
  if (config.rollout.windows.length > 0) found.push({ path: ['rollout', 'windows'], message: LATER });
  if (config.notify.length > 0) found.push({ path: ['notify'], message: LATER });
  return found;
}
