/**
 * The environment variables that hold a credential of a run whatever its config says, and every form
 * their values take in what a run may print. The CLI and the Action mask these before anything can print
 * them, and `notify` refuses each as a hook's HMAC key (src/notify-run.ts): one list, so a credential
 * masked by one of them is masked by all. The variables a config names for its own Vaults
 * (`auth.tokenEnv`, …) are added to it where the config is known (`credentialVariables(config)`).
 *
 * Paths are not here: `VAULT_JWT_FILE` and `GIT_SSH_KEY_FILE` name a file, which the run reads and masks
 * itself; an ID (`GITHUB_APP_ID`) is no credential.
 */
import { DEFAULT_CREDENTIAL_NAMES } from './core/config/credentials.js';

type Env = Record<string, string | undefined>;

/** Every variable that holds a credential of a run, whatever the config says. */
export const CREDENTIAL_VARIABLES: readonly string[] = Object.freeze([
  // Vault: token, AppRole, JWT (their default names)
  ...Object.values(DEFAULT_CREDENTIAL_NAMES).filter((n): n is string => n !== undefined),
  // Git over HTTPS, and GitHub's API
  'GIT_TOKEN',
  'GITHUB_TOKEN',
  'GITHUB_APP_PRIVATE_KEY',
  // GitLab: its API and Git, or the CI job's own token
  'GITLAB_TOKEN',
  'CI_JOB_TOKEN',
  // The runner's key to ask for an OIDC token (the Action's JWT login)
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
]);

/**
 * The users a token is sent with in a Basic-auth header: actions/checkout's and GitHub's, GitLab's for a
 * personal or project token and for the job token, and `GIT_USERNAME` when set (src/forge.ts).
 */
const BASIC_AUTH_USERS = ['x-access-token', 'oauth2', 'gitlab-ci-token'];

/**
 * The values to mask of the named variables (tokens are opaque: matched whole): each value as set and
 * trimmed; for a one-line value, the base64 `user:token` of each Basic-auth user; for a multi-line value
 * (a PEM key, maybe with `\n` escapes), each body line too, since the runner masks line by line.
 * @example
 * for (const secret of credentialSecrets(process.env)) registerSecret(secret);
 */
export function credentialSecrets(env: Env, names: readonly string[] = CREDENTIAL_VARIABLES): string[] {
  const username = env['GIT_USERNAME'];
  const users = new Set([...BASIC_AUTH_USERS, ...(username ? [username, username.trim()] : [])]);
  const out = new Set<string>();
  for (const name of names) {
    const raw = env[name];
    const value = raw?.trim();
    if (!raw || !value) continue;
    const forms = new Set([raw, value]);
    const lines = value.replace(/\\n/g, '\n').split(/\r?\n/);
    for (const form of forms) out.add(form);
    if (lines.length === 1) {
      for (const form of forms)
        for (const user of users) out.add(Buffer.from(`${user}:${form}`).toString('base64'));
      continue;
    }
    for (const line of lines) {
      const text = line.trim();
      if (text.length >= 16 && !text.startsWith('-----')) out.add(text);
    }
  }
  return [...out];
}
