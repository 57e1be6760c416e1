/**
 * Where the SSH deploy key and known-hosts file of a run come from: `git.sshKeyFile` /
 * `git.knownHostsFile` of a config read before the repository is opened (a local checkout's own, or
 * `--config FILE`), else `GIT_SSH_KEY_FILE` / `SSH_KNOWN_HOSTS`. A repository cloned by URL is reached
 * before its own `vault-rollout.yaml` can be read, and a repository must not choose which of the runner's
 * files it is authenticated with, so that file's settings are reported and not used (docs/configuration.md).
 */
import type { SshSettings } from './adapters/git/index.js';
import type { Config } from './core/config/schema.js';
import type { Logger } from './core/ports.js';

type Env = Record<string, string | undefined>;

/**
 * @param git the `git` block of the config read before opening (null: none).
 * @example sshSettings(null, { GIT_SSH_KEY_FILE: '/etc/vault-rollout/ssh/identity' })
 */
export function sshSettings(git: Config['git'] | null | undefined, env: Env): SshSettings {
  const pick = (key: string | undefined, keyName: string, variable: string) =>
    key ? { path: key, from: keyName } : env[variable] ? { path: env[variable], from: variable } : undefined;
  return {
    keyFile: pick(git?.sshKeyFile, 'git.sshKeyFile', 'GIT_SSH_KEY_FILE'),
    knownHostsFile: pick(git?.knownHostsFile, 'git.knownHostsFile', 'SSH_KNOWN_HOSTS'),
  };
}

/** Says that the cloned repository's own SSH settings are not used (they could only apply after the clone). */
export function warnRepositorySsh(config: Config, logger: Logger): void {
  const keys = [
    config.git.sshKeyFile !== undefined ? 'git.sshKeyFile' : null,
    config.git.knownHostsFile !== undefined ? 'git.knownHostsFile' : null,
  ].filter((k) => k !== null);
  if (keys.length === 0) return;
  logger.warn(
    `${keys.join(' and ')} in the repository's vault-rollout.yaml not used: a repository given by URL is reached with GIT_SSH_KEY_FILE / SSH_KNOWN_HOSTS or --config FILE, set by the operator`,
  );
}
