/**
 * The Action's inputs (action.yml) → one typed options object, the run's environment, and the Vault
 * block the reader is built from. No `@actions/core` here: the entry (src/action.ts) passes a getter, so
 * tests can drive this with a plain record.
 *
 * Precedence follows the CLI's: an input is a flag, so it wins over `vault-rollout.yaml`, which wins over
 * the environment (every option is also settable in the config file; flags win).
 */
import { resolve } from 'node:path';
import { ConfigError, VaultError } from '../core/errors.js';
import type { RunReport } from '../core/model.js';
import { isRemoteRepo } from '../core/repo-location.js';
import { toJson } from '../core/report/render.js';
import type { VaultConfigBlock } from '../adapters/vault/env.js';
import type { VaultAuthMethod } from '../adapters/vault/options.js';
import type { ApplyOptions, Env, PullRequestOperation } from '../run.js';

export interface ActionInputs {
  /** Absolute folder or URL: the `repo` input, else the workspace that actions/checkout filled. */
  repo: string;
  mode: 'commit' | 'pr';
  /** The base branch: the `base` input, else its deprecated alias `branch`. */
  base?: string;
  config?: string;
  dryRun: boolean;
  vaultAddress?: string;
  vaultNamespace?: string;
  vaultAuth?: VaultAuthMethod;
  vaultRole?: string;
  vaultToken?: string;
  /** Audience of the runner's OIDC token; empty means GitHub's default (`https://github.com/OWNER`). */
  jwtAudience?: string;
  githubToken?: string;
  /** The config's `environments` entry to run: its render roots, its Vault, its pull-request branch. */
  environment?: string;
  /** Where the Vault auth method is mounted (`vault.auth.mount`), e.g. `github-jwt`. */
  vaultAuthPath?: string;
  /** PEM of the CA that signed Vault's certificate (the input may be PEM or base64 of PEM). */
  vaultCaCert?: string;
  /** Skip TLS verification of Vault (testing only); undefined leaves VAULT_SKIP_VERIFY to decide. */
  vaultSkipVerify?: boolean;
  /** Pull-request labels and reviewers, replacing the config's when given. */
  labels?: string[];
  reviewers?: string[];
  /** Open the pull request as a draft; undefined leaves the config's `pullRequest.draft`. */
  draft?: boolean;
  /** Fail the step when a workload is blocked (default true); the outputs are set either way. */
  failOnBlocked: boolean;
}

/** Reads one input as the runner passes it (`INPUT_<NAME>` with dashes kept), trimmed; '' when unset. */
export type InputGetter = (name: string) => string;

const AUTH_METHODS: readonly VaultAuthMethod[] = ['token', 'jwt', 'approle', 'kubernetes'];

/** YAML 1.2 core-schema booleans, as `core.getBooleanInput` accepts them; '' is false. */
function parseBoolean(name: string, value: string): boolean {
  if (value === '') return false;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new ConfigError(`input "${name}" must be true or false (got "${value}").`, { input: name });
}

/** A list input: items separated by commas or newlines (as create-pull-request takes them), blanks dropped. */
export function parseList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * The `vault-ca-cert` input as PEM: PEM text as it is (a secret holding `\n` escapes is unescaped), or
 * base64 of PEM, as hashicorp/vault-action's `caCertificate` takes it.
 * @throws ConfigError when it is neither.
 */
export function parseCaCert(value: string): string {
  const pem = (text: string) => /-----BEGIN [A-Z0-9 ]+-----/.test(text);
  if (pem(value)) return value.includes('\n') ? value : value.replace(/\\n/g, '\n');
  const decoded = Buffer.from(value.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (pem(decoded)) return decoded;
  throw new ConfigError(
    'input "vault-ca-cert" must be a PEM certificate ("-----BEGIN CERTIFICATE-----...") or its base64 encoding.',
    { input: 'vault-ca-cert' },
  );
}

/**
 * The base branch from `base`, or from `branch`, its former name. create-pull-request's `branch` names the
 * pull-request branch and its `base` the base: a workflow that copies inputs between the two steps must not
 * get the wrong one silently, so `branch` still works but warns, and a `branch` that contradicts `base` is
 * an error.
 */
function baseInput(get: InputGetter, warn: (message: string) => void): string | undefined {
  const base = get('base') || undefined;
  const branch = get('branch') || undefined;
  if (branch === undefined) return base;
  if (base !== undefined && base !== branch) {
    throw new ConfigError(
      `inputs "base" ("${base}") and "branch" ("${branch}") disagree: "branch" is the deprecated name of "base" (the base branch); remove it.`,
      { input: 'branch' },
    );
  }
  warn(
    `input "branch" is deprecated: use "base" for the base branch, as peter-evans/create-pull-request does (there "branch" names the pull-request branch). Using "${branch}" as the base branch.`,
  );
  return branch;
}

/**
 * Parses and checks every input. `cwd` is where a relative `repo` or `config` is resolved (the workspace);
 * `warn` receives deprecation notices (the entry passes `core.warning`).
 * @throws ConfigError naming the input and the accepted values.
 * @example
 * const inputs = parseInputs((n) => core.getInput(n), process.env, process.cwd(), core.warning);
 */
export function parseInputs(
  get: InputGetter,
  env: Env,
  cwd: string,
  warn: (message: string) => void = () => {},
): ActionInputs {
  const opt = (name: string): string | undefined => get(name) || undefined;
  const workspace = env.GITHUB_WORKSPACE || cwd;
  const repoInput = opt('repo');
  const repo = repoInput ? (isRemoteRepo(repoInput) ? repoInput : resolve(workspace, repoInput)) : workspace;

  const mode = opt('mode') ?? 'pr';
  if (mode !== 'commit' && mode !== 'pr') {
    throw new ConfigError(`input "mode" must be "commit" or "pr" (got "${mode}").`, { input: 'mode' });
  }
  const vaultAuth = opt('vault-auth');
  if (vaultAuth !== undefined && !AUTH_METHODS.includes(vaultAuth as VaultAuthMethod)) {
    throw new ConfigError(
      `input "vault-auth" must be one of ${AUTH_METHODS.join(', ')} (got "${vaultAuth}").`,
      { input: 'vault-auth' },
    );
  }
  const optionalBoolean = (name: string): boolean | undefined =>
    get(name) === '' ? undefined : parseBoolean(name, get(name));
  const inputs: ActionInputs = {
    repo,
    mode,
    dryRun: parseBoolean('dry-run', get('dry-run')),
    failOnBlocked: optionalBoolean('fail-on-blocked') ?? true,
  };
  const set = <K extends keyof ActionInputs>(key: K, value: ActionInputs[K] | undefined) => {
    if (value !== undefined) inputs[key] = value;
  };
  set('base', baseInput(get, warn));
  set('config', opt('config'));
  set('vaultAddress', opt('vault-address'));
  set('vaultNamespace', opt('vault-namespace'));
  set('vaultAuth', vaultAuth as VaultAuthMethod | undefined);
  set('vaultRole', opt('vault-role'));
  set('vaultToken', opt('vault-token'));
  set('jwtAudience', opt('jwt-audience'));
  set('githubToken', opt('github-token'));
  set('environment', opt('environment'));
  set('vaultAuthPath', opt('vault-auth-path')?.replace(/^\/+|\/+$/g, '') || undefined);
  const ca = opt('vault-ca-cert');
  set('vaultCaCert', ca === undefined ? undefined : parseCaCert(ca));
  set('vaultSkipVerify', optionalBoolean('vault-skip-verify'));
  const labels = opt('labels');
  set('labels', labels === undefined ? undefined : parseList(labels));
  const reviewers = opt('reviewers');
  set('reviewers', reviewers === undefined ? undefined : parseList(reviewers));
  set('draft', optionalBoolean('draft'));
  return inputs;
}

/** The `apply` options the inputs stand for. */
export function applyOptions(inputs: ActionInputs): ApplyOptions {
  return {
    repo: inputs.repo,
    config: inputs.config,
    branch: inputs.base,
    mode: inputs.mode,
    dryRun: inputs.dryRun,
    format: 'json',
    exitCode: false,
    environment: inputs.environment,
    labels: inputs.labels,
    reviewers: inputs.reviewers,
    draft: inputs.draft,
  };
}

/** The TLS inputs laid over the reader options (inputs win over VAULT_CACERT / VAULT_SKIP_VERIFY). */
export function withTlsInputs<T extends { caCert?: string; skipVerify?: boolean }>(
  options: T,
  inputs: Pick<ActionInputs, 'vaultCaCert' | 'vaultSkipVerify'>,
): T {
  return {
    ...options,
    ...(inputs.vaultCaCert !== undefined ? { caCert: inputs.vaultCaCert } : {}),
    ...(inputs.vaultSkipVerify !== undefined ? { skipVerify: inputs.vaultSkipVerify } : {}),
  };
}

/**
 * The environment the run sees: the inputs' tokens where the CLI reads them. `github-token` becomes
 * GITHUB_TOKEN (Git over HTTPS and the API); a GIT_TOKEN the workflow sets still wins for Git, as in the CLI.
 */
export function actionEnv(inputs: ActionInputs, env: Env): Env {
  const out: Env = { ...env };
  if (inputs.vaultToken) out.VAULT_TOKEN = inputs.vaultToken;
  if (inputs.githubToken) out.GITHUB_TOKEN = inputs.githubToken;
  return out;
}

/** The config's `vault:` block with the inputs laid over it (inputs win, like flags). */
export function vaultBlock(inputs: ActionInputs, config: VaultConfigBlock = {}): VaultConfigBlock {
  const out: VaultConfigBlock = { ...config };
  if (inputs.vaultAddress) out.address = inputs.vaultAddress;
  if (inputs.vaultNamespace) out.namespace = inputs.vaultNamespace;
  // A `vault-token` input alone means token auth, whatever the config's method says.
  const method = inputs.vaultAuth ?? (inputs.vaultToken ? 'token' : undefined);
  if (method || inputs.vaultRole || inputs.vaultAuthPath) {
    out.auth = {
      ...config.auth,
      ...(method ? { method } : {}),
      ...(inputs.vaultRole ? { role: inputs.vaultRole } : {}),
      ...(inputs.vaultAuthPath ? { mount: inputs.vaultAuthPath } : {}),
    };
  }
  return out;
}

/** True when JWT auth should use the runner's OIDC token: no VAULT_JWT / VAULT_JWT_FILE was given. */
export function usesRunnerOidc(block: VaultConfigBlock, env: Env): boolean {
  return block.auth?.method === 'jwt' && !env.VAULT_JWT?.trim() && !env.VAULT_JWT_FILE?.trim();
}

/** The error to raise when JWT auth is asked for and the job may not mint an OIDC token. */
export function missingOidcError(): VaultError {
  return new VaultError(
    'vault-auth is "jwt" but this job cannot request an OIDC token from the runner: add `permissions: { id-token: write }` to the job (or the workflow), or use another vault-auth.',
    { input: 'vault-auth' },
  );
}

/** The input that sets what an error message names (an environment variable or a config key). */
const INPUT_FOR: readonly (readonly [string, string])[] = [
  ['VAULT_ADDR', 'the `vault-address` input'],
  ['VAULT_TOKEN', 'the `vault-token` input (or `vault-auth: jwt` with `permissions: { id-token: write }`)'],
  ['VAULT_NAMESPACE', 'the `vault-namespace` input'],
  ['vault.auth.role', 'the `vault-role` input'],
  ['vault.auth.method', 'the `vault-auth` input'],
  ['vault.auth.mount', 'the `vault-auth-path` input'],
  ['VAULT_CACERT', 'the `vault-ca-cert` input'],
  ['--mode', 'the `mode` input'],
];

/**
 * The error message, plus the input to set in the workflow when it names a variable, a config key or a flag
 * that an input stands for. `message` has already been through redaction.
 */
export function withInputHint(message: string, data: Record<string, unknown> | undefined): string {
  const named = [data?.variable, data?.key].filter((v): v is string => typeof v === 'string');
  const hints = INPUT_FOR.filter(([name]) => named.includes(name) || message.includes(name)).map(
    ([, input]) => input,
  );
  return hints.length > 0 ? `${message} In the workflow, set ${hints.join(' and ')}.` : message;
}

/**
 * A local `repo` (the workspace by default) must be a checkout: say which step is missing, rather than the
 * Git adapter's generic "not a Git checkout".
 */
export function checkWorkspace(inputs: ActionInputs, isCheckout: (dir: string) => boolean): void {
  if (isRemoteRepo(inputs.repo) || isCheckout(inputs.repo)) return;
  throw new ConfigError(
    `"${inputs.repo}" is not a Git checkout: add an actions/checkout step before vault-rollout, or set the \`repo\` input to the repository's HTTPS URL.`,
    { input: 'repo' },
  );
}

/** Step outputs (action.yml `outputs:`), all strings as the runner stores them. */
export function actionOutputs(
  report: RunReport,
  pullRequestOperation: PullRequestOperation = 'none',
): Record<string, string> {
  return {
    changed: String(report.changes.length > 0),
    restarts: String(report.summary.restart),
    blocked: String(report.summary.blocked),
    'commit-sha': report.commit ?? '',
    'pull-request-number': report.pullRequest ? String(report.pullRequest.number) : '',
    'pull-request-url': report.pullRequest?.url ?? '',
    'pull-request-operation': pullRequestOperation,
    plan: JSON.stringify(toJson(report)),
  };
}

/**
 * The step's failure when a workload is blocked and `fail-on-blocked` is true (the CLI's exit code 3), else
 * null. Everything that was not blocked has been published by then.
 */
export function blockedFailure(report: RunReport, failOnBlocked: boolean): string | null {
  const blocked = report.workloads.filter((p) => p.action === 'blocked');
  if (blocked.length === 0 || !failOnBlocked) return null;
  const names = blocked
    .slice(0, 5)
    .map((p) => `${p.workload.kind}/${p.workload.name} (${p.workload.file})`)
    .join(', ');
  const more = blocked.length > 5 ? ` and ${blocked.length - 5} more` : '';
  return (
    `${blocked.length} workload(s) blocked: ${names}${more}. A secret they depend on is missing, deleted or ` +
    'forbidden; they were left as they are and everything else was published. Fix the secret or the ' +
    'reference (see the job summary), or set `fail-on-blocked: false` to keep the step green.'
  );
}
