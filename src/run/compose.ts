/**
 * The composition root: every adapter a command needs, built once from the config and the environment
 * (the config file, one Vault reader per environment, the GitHub connection, git credentials and SSH
 * settings, request limits, message templates) and the one place that opens `--repo` as a workspace.
 * Nothing below the commands reads the environment; they get what is built here.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  configForEnvironment,
  credentialIssues,
  credentialVariables,
  defaultConfig,
  dotted,
  parseConfig,
  type Config,
} from '../core/config/schema.js';
import { ConfigError } from '../core/errors.js';
import {
  DEFAULT_GIT_LIMITS,
  DEFAULT_GITHUB_LIMITS,
  MAX_CONFIG_BYTES,
  requestLimits,
  type RequestLimits,
} from '../core/limits.js';
import type { GitAuth, SecretReader, Workspace } from '../core/ports.js';
import { isRemoteRepo } from '../core/repo-location.js';
import {
  resolveTemplates,
  templateFile,
  TEMPLATE_KEYS,
  type MessageTemplates,
} from '../core/config/templates.js';
import { CONFIG_NAME, readConfigFlag, readRepoConfig } from '../adapters/fs/config-file.js';
import { openWorkspace, type GitEngine, type OpenWorkspaceOptions } from '../adapters/git/index.js';
import {
  connectGitHub,
  githubCredentialsFromEnv,
  resolveRepository,
  type GitHubConnection,
  type RepositoryRef,
} from '../adapters/github/index.js';
import { readTemplate } from '../adapters/templates.js';
import { createVaultReader } from '../adapters/vault/reader.js';
import { vaultOptionsFromEnv } from '../adapters/vault/env.js';
import { credentialSecrets } from '../credentials-env.js';
import { chooseForge, gitlabGitAuth, type ForgeKind } from '../forge.js';
import { sshSettings, warnRepositorySsh } from '../git-ssh.js';
import { registerSecret } from '../log.js';
import type { CommonOptions, Env, Io } from './options.js';

/** Loads the config: `--config FILE`, else `vault-rollout.yaml` at the repo root, else defaults. */
export function loadConfig(repoDir: string, configFlag: string | undefined, cwd: string): Config {
  const text = readConfigText(repoDir, configFlag, cwd);
  return text === null ? defaultConfig() : parseConfig(text, configFlag ?? CONFIG_NAME);
}

/**
 * The config's text: `--config FILE` (which must exist), else `vault-rollout.yaml` of the checkout, else
 * null. Either is a regular file within the config size limit, or a one-line ConfigError.
 */
export function readConfigText(repoDir: string, configFlag: string | undefined, cwd: string): string | null {
  if (!configFlag) return readRepoConfig(repoDir);
  const text = readConfigFlag(resolve(cwd, configFlag), configFlag);
  if (text === null)
    throw new ConfigError(`config file "${configFlag}" does not exist`, { file: configFlag });
  return text;
}

/** The config of a workspace: `--config FILE` on disk, else `vault-rollout.yaml` in the base branch. */
export async function workspaceConfig(
  ws: Workspace,
  configFlag: string | undefined,
  cwd: string,
): Promise<Config> {
  if (configFlag) return loadConfig(cwd, configFlag, cwd);
  // The repository's files rules apply to the config too (a link only inside the repository), with the
  // config's own size limit.
  const { files, problems } = await ws.source.load((p) => p === CONFIG_NAME, {
    maxFileBytes: MAX_CONFIG_BYTES,
    // It sits in the top folder: no other folder is walked (10,000 files took 0.1-0.2 s to walk).
    enterDir: () => false,
  });
  const file = files[0];
  const refused = problems.find((p) => p.file === CONFIG_NAME);
  if (!file && refused) {
    throw new ConfigError(
      `config file "${CONFIG_NAME}" in "${ws.url}": ${refused.message.replace(/: skipped.*$/, '')}`,
      {
        file: CONFIG_NAME,
      },
    );
  }
  return file ? parseConfig(file.text, CONFIG_NAME) : defaultConfig();
}

async function defaultReader(config: Config, io: Io) {
  const options = vaultOptionsFromEnv(io.env, config.vault);
  return createVaultReader({ ...options, logger: io.logger, onSecretRead: () => io.progress?.advance() });
}

export type ClosableReader = SecretReader & { close(): Promise<void> };

/**
 * One reader per Vault the run needs, made on first use: the top-level `vault`, and each environment's
 * (config `environments`), so a run that touches only `prod` never connects to dev's Vault.
 */
export function environmentReaders(config: Config, io: Io, selected?: string): ClosableReader {
  // A credential goes only to the Vault it belongs to: checked for every environment before any request.
  const homeAddress = io.env.VAULT_ADDR?.trim() || undefined;
  const issues = credentialIssues(config, selected, homeAddress);
  if (issues.length > 0) {
    throw new ConfigError(issues.map((i) => `${dotted(i.path)}: ${i.message}`).join('\n'), { issues });
  }
  for (const secret of credentialSecrets(io.env, credentialVariables(config))) registerSecret(secret);
  const make = io.makeReader ?? ((c: Config) => defaultReader(c, io));
  const made = new Map<string, Promise<ClosableReader>>();
  const get = (environment: string | null, namespace: string | null) => {
    const env =
      environment !== null && config.environments.some((e) => e.name === environment) ? environment : null;
    const key = JSON.stringify([env, namespace]);
    let reader = made.get(key);
    if (!reader) {
      const base = configForEnvironment(config, env, homeAddress);
      // A namespace the manifests name (Vault Agent's annotation, a store's) replaces the configured one.
      reader = make(namespace === null ? base : { ...base, vault: { ...base.vault, namespace } });
      made.set(key, reader);
    }
    return reader;
  };
  return {
    read: async (paths, environment, namespace) =>
      (await get(environment ?? null, namespace ?? null)).read(paths),
    close: async () => {
      for (const reader of made.values()) await (await reader.catch(() => null))?.close();
    },
  };
}

/** Registers every credential of the environment (src/credentials-env.ts) for redaction before anything can print it. */
export function maskEnvSecrets(env: Env): void {
  for (const secret of credentialSecrets(env)) registerSecret(secret);
}

/** `--repo` as a local folder, which must exist. */
export function localRepoDir(repo: string, io: Io): string {
  const dir = resolve(io.cwd, repo);
  if (!existsSync(dir)) throw new ConfigError(`--repo "${repo}" does not exist`);
  return dir;
}

/**
 * Which git a run uses: `VAULT_ROLLOUT_GIT=native|isomorphic`, else the git CLI when `PATH` has one, else
 * isomorphic-git (docs/publishing.md, "Which git").
 */
function gitOptions(io: Io): Pick<OpenWorkspaceOptions, 'env' | 'engine' | 'logger'> {
  const asked = io.env['VAULT_ROLLOUT_GIT']?.trim();
  if (asked && asked !== 'native' && asked !== 'isomorphic') {
    throw new ConfigError(`VAULT_ROLLOUT_GIT must be "native" or "isomorphic" (got "${asked}")`);
  }
  return { env: io.env, engine: (asked || undefined) as GitEngine | undefined, logger: io.logger };
}

/**
 * The GitHub connection of a run, built once, on first need, from the environment's credentials
 * (GITHUB_TOKEN, or a GitHub App), and handed to every stage that talks to GitHub.
 */
export interface GitHubConnector {
  /** null without GitHub credentials. */
  readonly credentials: ReturnType<typeof githubCredentialsFromEnv>;
  /** The connection (the App's installation is looked up for `repository` on the first call only). */
  connect(repository: RepositoryRef): Promise<GitHubConnection>;
}

function githubConnector(io: Io, limits: RequestLimits): GitHubConnector {
  const credentials = githubCredentialsFromEnv(io.env);
  let made: Promise<GitHubConnection> | null = null;
  return {
    credentials,
    connect(repository) {
      if (!credentials)
        throw new ConfigError(
          'no GitHub credentials: set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY',
        );
      made ??= connectGitHub({
        credentials,
        repository,
        baseUrl: io.env['GITHUB_API_URL'] || undefined,
        logger: io.logger,
        limits,
        ...io.github,
      });
      return made;
    },
  };
}

/**
 * The request bounds of a run (`git:` and `github:` in the config). Known before opening the repository
 * for a local checkout or `--config FILE`; for a URL, the clone runs with the defaults and the config in
 * the repository applies from the next request on (the adapters read these objects at every request).
 */
interface RunLimits {
  git: RequestLimits;
  github: RequestLimits;
}

function runLimits(config: Config | null): RunLimits {
  return {
    git: requestLimits(config?.git, DEFAULT_GIT_LIMITS),
    github: requestLimits(config?.github, DEFAULT_GITHUB_LIMITS),
  };
}

function setLimits(limits: RunLimits, config: Config): void {
  Object.assign(limits.git, requestLimits(config.git, DEFAULT_GIT_LIMITS));
  Object.assign(limits.github, requestLimits(config.github, DEFAULT_GITHUB_LIMITS));
}

/**
 * Git credentials: GIT_TOKEN (else GITHUB_TOKEN) with GIT_USERNAME (default x-access-token); else, for a URL
 * on the GitHub host (github.com, or the host of GITHUB_SERVER_URL / GITHUB_API_URL), a GitHub App's
 * installation token when GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY are set (the cron container's "App only"
 * option), so a private repository clones without a second credential. If the App cannot give a token, the
 * clone goes on without credentials (a public repository still clones) after a warning that says why.
 * A local checkout otherwise uses the person's own git setup (SSH keys, credential helpers). On GitLab
 * (without GIT_TOKEN), GITLAB_TOKEN or CI_JOB_TOKEN, limited to GitLab hosts the environment names unless
 * `--forge gitlab` chose GitLab (src/forge.ts gitlabGitAuth).
 */
async function gitAuth(
  repo: string,
  io: Io,
  github: GitHubConnector,
  githubRepository: string | undefined,
  forge: ForgeKind,
  /** `--forge` chose the forge: the operator named it, not the repository's config. */
  operatorChose: boolean,
): Promise<GitAuth | undefined> {
  const env = io.env;
  if (forge === 'gitlab' && !env.GIT_TOKEN) return gitlabGitAuth(env, { anyHost: operatorChose });
  const token = env.GIT_TOKEN || env.GITHUB_TOKEN;
  if (token) return { username: env.GIT_USERNAME || 'x-access-token', token };
  if (!isRemoteRepo(repo) || github.credentials?.kind !== 'app' || !onGitHubHost(repo, env)) return undefined;
  try {
    // The repository being cloned: --github-repository, else its URL (not GITHUB_REPOSITORY: in a workflow
    // that names the workflow's own repository).
    const gh = await github.connect(resolveRepository(githubRepository, {}, repo));
    io.logger.debug('cloning with the GitHub App installation token');
    return { username: 'x-access-token', token: gh.token };
  } catch (err) {
    io.logger.warn(
      `cloning without credentials: the GitHub App gave no installation token (${err instanceof Error ? err.message : String(err)})`,
    );
    return undefined;
  }
}

/** Whether `url` is on the GitHub host this run talks to. */
function onGitHubHost(url: string, env: Env): boolean {
  const host = (u: string | undefined) => {
    try {
      return u ? new URL(u).hostname.replace(/^api\./, '') : null;
    } catch {
      return null;
    }
  };
  const target = host(url);
  const known = [host(env.GITHUB_SERVER_URL), host(env.GITHUB_API_URL), 'github.com'];
  return target !== null && known.includes(target);
}

export interface OpenRepoOptions extends Pick<CommonOptions, 'repo' | 'config' | 'branch'> {
  /** `--forge`: which host's credentials the clone uses. */
  forge?: ForgeKind | undefined;
  /** `--github-repository`: whose GitHub App installation token may clone the URL. */
  githubRepository?: string | undefined;
  /** Nothing will be pushed (`apply --dry-run`). */
  readOnly?: boolean | undefined;
}

/** `--repo`, open as a workspace, with its config and the GitHub connection built to open it. */
export interface OpenedRepo {
  ws: Workspace;
  config: Config;
  /** The config was read from a local checkout's disk before opening, so its `branch` chose the base. */
  configOnDisk: boolean;
  github: GitHubConnector;
  /** Opens the same repository again, on `branch`, with the same credentials and limits. */
  open(branch: string | undefined): Promise<Workspace>;
}

/**
 * Opens `--repo` as a Git workspace: a local checkout (its config read from disk first, so its `branch`,
 * `forge` and `git` settings apply before opening) or a URL cloned into a temporary folder (its own
 * config read from the base branch; its request limits apply from the next request on). The caller closes
 * `ws`; a failure while reading the config closes it here.
 */
export async function openRepo(opts: OpenRepoOptions, io: Io): Promise<OpenedRepo> {
  const local = !isRemoteRepo(opts.repo);
  const repo = local ? localRepoDir(opts.repo, io) : opts.repo;
  const diskConfig = local ? loadConfig(repo, opts.config, io.cwd) : null;
  const preConfig = diskConfig ?? (opts.config ? loadConfig(io.cwd, opts.config, io.cwd) : null);
  const limits = runLimits(preConfig);
  const github = githubConnector(io, limits.github);
  const forge = chooseForge({ flag: opts.forge, config: diskConfig?.forge, env: io.env, remote: repo });
  const auth = await gitAuth(repo, io, github, opts.githubRepository, forge, opts.forge !== undefined);
  const ssh = sshSettings(preConfig?.git, io.env);
  const open = (branch: string | undefined) =>
    (io.openWorkspace ?? openWorkspace)({
      ...gitOptions(io),
      repo,
      branch,
      auth,
      ssh,
      readOnly: opts.readOnly,
      limits: limits.git,
    });
  const ws = await open(opts.branch ?? diskConfig?.branch);
  try {
    const config = diskConfig ?? (await workspaceConfig(ws, opts.config, io.cwd));
    if (!preConfig) warnRepositorySsh(config, io.logger);
    setLimits(limits, config);
    return { ws, config, configOnDisk: diskConfig !== null, github, open };
  } catch (err) {
    await ws.close();
    throw err;
  }
}

/**
 * The templates of a publish, read from the base head the plan was made on: the user's files that the
 * config names, else the shipped ones.
 */
export async function workspaceTemplates(ws: Workspace, config: Config): Promise<MessageTemplates> {
  const named = new Set(
    TEMPLATE_KEYS.map(({ key }) => templateFile(config, key)).filter((f): f is string => f !== undefined),
  );
  const holds = (dir: string) => [...named].some((f) => f.startsWith(`${dir}/`));
  const files =
    named.size === 0
      ? []
      : (await ws.source.load((p) => named.has(p), { anyName: true, enterDir: holds })).files;
  const text = new Map(files.map((f) => [f.path, f.text]));
  return resolveTemplates(config, (p) => text.get(p) ?? null, readTemplate);
}
