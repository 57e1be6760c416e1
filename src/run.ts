/**
 * Command implementations behind the CLI and the Action: typed options in, report and exit code out.
 * This is the composition root: it builds the adapters (files, Vault, Git) and hands them to the pipeline.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  configForEnvironment,
  credentialIssues,
  credentialVariables,
  defaultConfig,
  dotted,
  parseAuthor,
  parseConfig,
  type Config,
} from './core/config/schema.js';
import { ConfigError, VaultRolloutError } from './core/errors.js';
import {
  DEFAULT_GIT_LIMITS,
  DEFAULT_GITHUB_LIMITS,
  MAX_CONFIG_BYTES,
  requestLimits,
  type RequestLimits,
} from './core/limits.js';
import type { RunReport } from './core/model.js';
import type { Logger, ManifestSource, Progress, SecretReader } from './core/ports.js';
import {
  cappedDiff,
  DEFAULT_DIFF_LINES,
  render,
  toScanMarkdown,
  toScanTable,
  summaryLine,
  type Format,
  type TableOptions,
} from './core/report/render.js';
import { WorkingTreeSource } from './adapters/fs/working-tree.js';
import { CONFIG_NAME, readConfigFlag, readRepoConfig } from './adapters/fs/config-file.js';
import { createVaultReader } from './adapters/vault/reader.js';
import { vaultOptionsFromEnv } from './adapters/vault/env.js';
import { openWorkspace, type GitEngine, type OpenWorkspaceOptions } from './adapters/git/index.js';
import { readTemplate } from './adapters/templates.js';
import {
  resolveTemplates,
  templateFile,
  TEMPLATE_KEYS,
  type MessageTemplates,
} from './core/config/templates.js';
import { renderCommitMessage } from './core/report/commit-message.js';
import { formatPath } from './core/yaml/edit-scalar.js';
import { discoverRepo, planRepo, problemsOfEnvironment, publishLoop, selectEnvironment } from './pipeline.js';
import { publishCommit } from './publish/commit.js';
import { publishPullRequest, type PullRequestOutcome } from './publish/pull-request.js';
import { ApiCommitWorkspace } from './publish/api-commits.js';
import {
  chooseForge,
  forgeForRun,
  githubForge,
  gitlabGitAuth,
  maskGitLabSecrets,
  type ForgeKind,
} from './forge.js';
import {
  connectGitHub,
  githubCredentialsFromEnv,
  GitHubGitData,
  resolveRepository,
  type GitHubClientOptions,
  type GitHubConnection,
  type RepositoryRef,
} from './adapters/github/index.js';
import type { GitAuth, Workspace } from './core/ports.js';
import { redact, registerSecret } from './log.js';
import { rolloutClock } from './rollout-clock.js';
import { applyNotifier, type ApplyNotifier } from './notify-run.js';
import { isRemoteRepo } from './core/repo-location.js';
import { sshSettings, warnRepositorySsh } from './git-ssh.js';

export type Env = Record<string, string | undefined>;

/** A URL (HTTP(S) or SSH, cloned), else a local folder. */
const isUrl = (repo: string) => isRemoteRepo(repo);

export interface CommonOptions {
  repo: string;
  config?: string | undefined;
  branch?: string | undefined;
  format: Format;
  exitCode: boolean;
  /** `--environment NAME`: only that `environments` entry's render roots, read against its Vault. */
  environment?: string | undefined;
  /** Table output: the width it fits (the terminal's), `--wide`, and `-v` (every problem listed). */
  table?: TableOptions | undefined;
}

/** `plan` and `apply`: whether the unified diff is printed after the table (`--no-diff`: false). */
export interface DiffOptions {
  diff?: boolean | undefined;
}

export interface Io {
  env: Env;
  cwd: string;
  stdout: (text: string) => void;
  logger: Logger;
  /** Builds the Vault reader; tests and the demo may inject their own. */
  makeReader?: (config: Config) => Promise<SecretReader & { close(): Promise<void> }>;
  /** Progress of the long phases on stderr; none when absent. */
  progress?: Progress;
  /** GitHub client knobs (tests turn the pacing of writes off). */
  github?: Pick<GitHubClientOptions, 'pacing' | 'retryAfterUnitMs' | 'rateLimitRetries'>;
  /** GitLab client knobs (tests shorten the waits of a 429). */
  gitlab?: Parameters<typeof forgeForRun>[0]['client'];
  /** Opens the repository of `apply`; `watch` passes one that keeps its clone between runs. */
  openWorkspace?: (opts: OpenWorkspaceOptions) => Promise<Workspace>;
}

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

async function defaultReader(config: Config, io: Io) {
  const options = vaultOptionsFromEnv(io.env, config.vault);
  return createVaultReader({ ...options, logger: io.logger, onSecretRead: () => io.progress?.advance() });
}

type ClosableReader = SecretReader & { close(): Promise<void> };

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
  for (const name of credentialVariables(config)) {
    const value = io.env[name]?.trim();
    if (value) registerSecret(value);
  }
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

/** Registers every token-like variable for redaction before anything can print it. */
export function maskEnvSecrets(env: Env): void {
  for (const name of ['VAULT_TOKEN', 'VAULT_SECRET_ID', 'VAULT_JWT', 'GIT_TOKEN', 'GITHUB_TOKEN']) {
    const value = env[name];
    if (!value) continue;
    registerSecret(value);
    // The Basic-auth header form, for the user given and for the one actions/checkout and GitHub use.
    for (const user of new Set([env.GIT_USERNAME ?? 'x-access-token', 'x-access-token']))
      registerSecret(Buffer.from(`${user}:${value}`).toString('base64'));
  }
  maskGitLabSecrets(env);
}

function localRepoDir(opts: CommonOptions, io: Io): string {
  const dir = resolve(io.cwd, opts.repo);
  if (!existsSync(dir)) throw new ConfigError(`--repo "${opts.repo}" does not exist`);
  return dir;
}

interface OpenedRepo {
  source: ManifestSource;
  config: Config;
  branch: string | null;
}

/**
 * Runs `fn` on the repository `--repo` names: a local folder (its working tree and vault-rollout.yaml
 * on disk), or a URL cloned shallowly into a temporary folder that is removed afterwards.
 */
async function withRepo<T>(opts: CommonOptions, io: Io, fn: (repo: OpenedRepo) => Promise<T>): Promise<T> {
  if (!isUrl(opts.repo)) {
    const dir = localRepoDir(opts, io);
    const config = loadConfig(dir, opts.config, io.cwd);
    const source = new WorkingTreeSource(dir, { maxFileBytes: config.maxFileBytes }, io.progress);
    return fn({ source, config, branch: opts.branch ?? config.branch ?? null });
  }
  const flagConfig = opts.config ? loadConfig(io.cwd, opts.config, io.cwd) : null;
  const limits = runLimits(flagConfig);
  const ws = await openWorkspace({
    ...gitOptions(io),
    repo: opts.repo,
    branch: opts.branch,
    auth: await gitAuth(
      opts.repo,
      io,
      githubConnector(io, limits.github),
      undefined,
      chooseForge({ env: io.env, remote: opts.repo }),
    ),
    ssh: sshSettings(flagConfig?.git, io.env),
    limits: limits.git,
  });
  try {
    const config = await workspaceConfig(ws, opts.config, io.cwd);
    if (!flagConfig) warnRepositorySsh(config, io.logger);
    setLimits(limits, config);
    return await fn({ source: ws.source, config, branch: ws.branch });
  } finally {
    await ws.close();
  }
}

/** `scan`: workloads and the Vault secrets each depends on. No Vault access. */
export async function scanCommand(opts: CommonOptions, io: Io): Promise<number> {
  const found = await withRepo(opts, io, async ({ source, config }) => {
    const all = await discoverRepo(source, config, io.logger, io.progress);
    return {
      ...all,
      workloads: selectEnvironment(all.workloads, config, opts.environment),
      problems: problemsOfEnvironment(all.problems, all, config, opts.environment),
    };
  });
  if (opts.format === 'json') {
    const json = {
      workloads: found.workloads.map((w) => ({
        file: w.file,
        document: w.document,
        kind: w.kind,
        name: w.name,
        namespace: w.namespace,
        ...(w.root != null ? { root: w.root } : {}),
        ...(w.environment != null ? { environment: w.environment } : {}),
        // Built by several roots: this root's record and trigger go into its own patch file.
        ...(w.rootPatch ? { patch: w.rootPatch.file } : {}),
        // No safe edit exists (the reason), or left alone on purpose.
        ...(w.skip ? { skipped: w.skip } : {}),
        ...(w.ignored ? { ignored: w.ignored } : {}),
        ...(w.chartValue !== null ? { chart: w.chartValue } : {}),
        secrets: w.secrets.map((s) => ({
          path: s.path,
          ...(s.vaultNamespace ? { vaultNamespace: s.vaultNamespace } : {}),
          source: s.source,
          via: s.via,
          recorded: w.recorded?.get(s.path) ?? null,
          // Where a restart would pin the new version (docs/annotations.md "Version pins").
          ...(s.pins?.length
            ? { pins: s.pins.map((p) => `${p.kind}/${p.name} (${p.file}) ${formatPath(p.field)}`) }
            : {}),
        })),
      })),
      summary: {
        workloads: found.workloads.length,
        secrets: new Set(found.workloads.flatMap((w) => w.secrets.map((s) => s.path))).size,
      },
      problems: found.problems,
      ...(found.undeployed.length > 0 ? { undeployed: found.undeployed } : {}),
    };
    io.stdout(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  io.stdout(
    opts.format === 'markdown'
      ? toScanMarkdown(found.workloads, found.problems, opts.table, found.undeployed)
      : toScanTable(found.workloads, found.problems, opts.table, found.undeployed),
  );
  return 0;
}

/** Plans against Vault; shared by `status` and `plan`. A URL is cloned shallowly into a temporary folder. */
export async function runPlan(opts: CommonOptions, io: Io, edits = true): Promise<RunReport> {
  return withRepo(opts, io, async ({ source, config, branch }) => {
    const reader = environmentReaders(config, io, opts.environment);
    try {
      return await planRepo({
        source,
        reader,
        config,
        branch,
        logger: io.logger,
        edits,
        environment: opts.environment,
        progress: io.progress,
        clock: rolloutClock(io.env),
      });
    } finally {
      await reader.close();
    }
  });
}

const pending = (r: RunReport) => r.summary.restart + r.summary.record > 0;

/** Exit code of a run that finished (docs: exit codes). */
export const EXIT_PENDING = 2;
export const EXIT_BLOCKED = 3;

/**
 * The exit code of a finished `status`, `plan` or `apply`: 3 when a workload is blocked (a secret missing,
 * deleted or forbidden; everything else was still planned or published), else 2 with `--exit-code` when
 * changes are pending, else 0. Blocked wins over pending: a pipeline that only looks at "non-zero" must
 * not take a blocked workload for routine work.
 */
export function runExitCode(report: RunReport, exitCodeFlag: boolean, logger?: Logger): number {
  if (report.summary.blocked > 0) {
    logger?.warn(
      `${report.summary.blocked} workload(s) blocked: a secret is missing, deleted or forbidden (see the report); exit code ${EXIT_BLOCKED}`,
    );
    return EXIT_BLOCKED;
  }
  return exitCodeFlag && pending(report) ? EXIT_PENDING : 0;
}

/** `status`: recorded versions against Vault. Writes nothing. */
export async function statusCommand(opts: CommonOptions, io: Io): Promise<number> {
  const report = await runPlan(opts, io, false);
  io.stdout(render(report, opts.format, opts.table));
  return runExitCode(report, opts.exitCode, io.logger);
}

/** `plan`: what `apply` would change, with the unified diff. Writes nothing. */
export async function planCommand(opts: CommonOptions & DiffOptions, io: Io): Promise<number> {
  const report = await runPlan(opts, io);
  const diff = diffText(report, opts);
  // After a long diff the summary is said again, so it is never lost in the middle of the output.
  const again = opts.format === 'table' && diff !== '' ? `\n${summaryLine(report)}\n` : '';
  io.stdout(render(report, opts.format, opts.table) + diff + again);
  return runExitCode(report, opts.exitCode, io.logger);
}

/**
 * The unified diff printed after a `table` or `markdown` report (`--no-diff`: none). A table prints the
 * first lines only, with a note on how to see all of it (`--wide`); Markdown, read in a browser, has all.
 */
export function diffText(
  report: RunReport,
  opts: Pick<CommonOptions, 'format' | 'table'> & DiffOptions,
): string {
  if (opts.diff === false || report.changes.length === 0 || opts.format === 'json') return '';
  if (opts.format === 'markdown') return `\n\`\`\`diff\n${cappedDiff(report.changes, null, '').text}\`\`\`\n`;
  const { text, note } = cappedDiff(report.changes, opts.table?.wide ? null : DEFAULT_DIFF_LINES, '--wide');
  return `\n${text}${note ? `${note}\n` : ''}`;
}

/** Maps any error to a one-line message (never a stack trace) and an exit code. */
export function describeError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof VaultRolloutError) return { message: redact(err.message), exitCode: err.exitCode };
  const message = err instanceof Error ? err.message : String(err);
  return { message: redact(`unexpected error: ${message}`), exitCode: 1 };
}

export interface ApplyOptions extends CommonOptions, DiffOptions {
  /** Flag value; else the config's `mode`, else `commit`. */
  mode?: 'commit' | 'pr' | undefined;
  dryRun: boolean;
  /** `--github-repository OWNER/NAME` for pull requests; else GITHUB_REPOSITORY, else the remote URL. */
  githubRepository?: string | undefined;
  /**
   * `--api-commits` (true) / `--no-api-commits` (false): make the commit through the GitHub Git Data API so
   * GitHub signs it; else the config's `pullRequest.apiCommits`.
   */
  apiCommits?: boolean | undefined;
  /** Pull-request labels, reviewers and draft state; each replaces the config's `pullRequest` key when given. */
  labels?: string[] | undefined;
  reviewers?: string[] | undefined;
  draft?: boolean | undefined;
  /** `--forge github|gitlab`; else config `forge`, else detected (src/forge.ts chooseForge). */
  forge?: ForgeKind | undefined;
}

/** What the pull request step did, as the Action reports it (`pull-request-operation`). */
export type PullRequestOperation = 'created' | 'updated' | 'closed' | 'none';

/** A pull-request stage outcome, in the four words the Action's output uses. */
export function pullRequestOperation(outcome: PullRequestOutcome | null): PullRequestOperation {
  if (outcome === 'created' || outcome === 'updated' || outcome === 'closed') return outcome;
  // unchanged, left alone, dry run, nothing to do, or commit mode: the pull request was not touched.
  return 'none';
}

export interface ApplyResult {
  report: RunReport;
  pullRequestOperation: PullRequestOperation;
}

/**
 * The templates of a publish, read from the base head the plan was made on: the user's files that the
 * config names, else the shipped ones.
 */
async function workspaceTemplates(ws: Workspace, config: Config): Promise<MessageTemplates> {
  const named = new Set(
    TEMPLATE_KEYS.map(({ key }) => templateFile(config, key)).filter((f): f is string => f !== undefined),
  );
  const files = named.size === 0 ? [] : (await ws.source.load((p) => named.has(p), { anyName: true })).files;
  const text = new Map(files.map((f) => [f.path, f.text]));
  return resolveTemplates(config, (p) => text.get(p) ?? null, readTemplate);
}

/** Default commit author when the config names none. */
export const DEFAULT_AUTHOR = { name: 'vault-rollout', email: 'vault-rollout@users.noreply.github.com' };

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
interface GitHubConnector {
  /** null without GitHub credentials. */
  readonly credentials: ReturnType<typeof githubCredentialsFromEnv>;
  /** The connection (the App's installation is looked up for `repository` on the first call only). */
  connect(repository: RepositoryRef): Promise<GitHubConnection>;
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
 * Git credentials: GIT_TOKEN (else GITHUB_TOKEN) with GIT_USERNAME (default x-access-token); else, for a URL
 * on the GitHub host (github.com, or the host of GITHUB_SERVER_URL / GITHUB_API_URL), a GitHub App's
 * installation token when GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY are set (the cron container's "App only"
 * option), so a private repository clones without a second credential. If the App cannot give a token, the
 * clone goes on without credentials (a public repository still clones) after a warning that says why.
 * A local checkout otherwise uses the person's own git setup (SSH keys, credential helpers).
 */
async function gitAuth(
  repo: string,
  io: Io,
  github: GitHubConnector,
  githubRepository?: string,
  forge: ForgeKind = 'github',
): Promise<GitAuth | undefined> {
  const env = io.env;
  if (forge === 'gitlab' && !env.GIT_TOKEN) return gitlabGitAuth(env);
  const token = env.GIT_TOKEN || env.GITHUB_TOKEN;
  if (token) return { username: env.GIT_USERNAME || 'x-access-token', token };
  if (!isUrl(repo) || github.credentials?.kind !== 'app' || !onGitHubHost(repo, env)) return undefined;
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

/**
 * Runs `apply` and returns the report (the Action and the CLI render it their own way). The composition
 * root of publishing: it opens the repository, builds the Vault reader and the GitHub connection once, and
 * hands them to the one re-planning loop (src/pipeline.ts) with the publish stage of the mode.
 */
export async function runApply(opts: ApplyOptions, io: Io): Promise<RunReport> {
  return (await runApplyWithOutcome(opts, io)).report;
}

/**
 * {@link runApply}, also saying what happened to the pull request (the Action's `pull-request-operation`).
 * The config's `notify` hooks hear of a run that published, blocked or failed; they never change its result.
 */
export async function runApplyWithOutcome(opts: ApplyOptions, io: Io): Promise<ApplyResult> {
  const hooks = applyNotifier(opts, io);
  try {
    return await hooks.done(await applyWithOutcome(opts, io, hooks));
  } catch (err) {
    await hooks.failed(describeError(err).message);
    throw err;
  }
}

async function applyWithOutcome(opts: ApplyOptions, io: Io, hooks: ApplyNotifier): Promise<ApplyResult> {
  const local = !isUrl(opts.repo);
  const repo = local ? localRepoDir(opts, io) : opts.repo;
  // A local checkout's config is read from disk first, so its `branch` and `mode` apply before opening.
  const diskConfig = local ? loadConfig(repo, opts.config, io.cwd) : null;
  const preConfig = diskConfig ?? (opts.config ? loadConfig(io.cwd, opts.config, io.cwd) : null);
  const limits = runLimits(preConfig);
  const github = githubConnector(io, limits.github);
  const firstForge = chooseForge({ flag: opts.forge, config: diskConfig?.forge, env: io.env, remote: repo });
  const auth = await gitAuth(repo, io, github, opts.githubRepository, firstForge);
  const ssh = sshSettings(preConfig?.git, io.env);
  const open = (branch: string | undefined) =>
    (io.openWorkspace ?? openWorkspace)({
      ...gitOptions(io),
      repo,
      branch,
      auth,
      ssh,
      readOnly: opts.dryRun,
      limits: limits.git,
    });
  let ws = await open(opts.branch ?? diskConfig?.branch);
  let reader: (SecretReader & { close(): Promise<void> }) | null = null;
  try {
    const loaded = diskConfig ?? (await workspaceConfig(ws, opts.config, io.cwd));
    if (!preConfig) warnRepositorySsh(loaded, io.logger);
    const config: Config = {
      ...loaded,
      pullRequest: {
        ...loaded.pullRequest,
        ...(opts.labels !== undefined ? { labels: opts.labels } : {}),
        ...(opts.reviewers !== undefined ? { reviewers: opts.reviewers } : {}),
        ...(opts.draft !== undefined ? { draft: opts.draft } : {}),
      },
    };
    setLimits(limits, config);
    hooks.seen(config, ws);
    if (!opts.branch && !diskConfig && config.branch && config.branch !== ws.branch) {
      // The config in the remote's default branch names another base branch: plan on that one.
      await ws.close();
      ws = await open(config.branch);
    }
    const mode = opts.mode ?? config.mode ?? 'commit';
    const apiCommits = opts.apiCommits ?? config.pullRequest.apiCommits;
    if (apiCommits && config.commit?.author) {
      io.logger.info(
        'commit.author is not used with API commits: GitHub sets the author (an explicit one would drop its signature)',
      );
    }
    const forgeKind = chooseForge({ flag: opts.forge, config: config.forge, env: io.env, remote: ws.url });
    // GitLab: its forge (and its checks, all before anything is pushed); GitHub: the connection below.
    const gitlab =
      forgeKind === 'gitlab'
        ? forgeForRun({
            ws,
            mode,
            config,
            env: io.env,
            logger: io.logger,
            dryRun: opts.dryRun,
            apiCommits,
            client: io.gitlab,
          })
        : null;
    const needsGitHub = forgeKind === 'github' && (mode === 'pr' || (apiCommits && !opts.dryRun));
    if (needsGitHub && !github.credentials && !(mode === 'pr' && opts.dryRun)) {
      throw new ConfigError(
        mode === 'pr'
          ? '--mode pr needs GitHub credentials: set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY'
          : 'API commits (pullRequest.apiCommits / --api-commits) need GitHub credentials: set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY',
      );
    }
    const repository =
      needsGitHub && github.credentials ? resolveRepository(opts.githubRepository, io.env, ws.url) : null;
    const gh = repository ? await github.connect(repository) : null;
    // An App's installation token pushes too, so the pushed branch triggers workflows (GITHUB_TOKEN's can't).
    if (gh?.via === 'app' && !io.env.GIT_TOKEN) ws.useAuth({ username: 'x-access-token', token: gh.token });

    const templates = await workspaceTemplates(ws, config);
    const activeReader = (reader = environmentReaders(config, io, opts.environment));
    const author = (config.commit?.author ? parseAuthor(config.commit.author) : null) ?? DEFAULT_AUTHOR;
    const plan = (w: Workspace) =>
      planRepo({
        source: w.source,
        reader: activeReader,
        config,
        branch: w.branch,
        logger: io.logger,
        environment: opts.environment,
        progress: io.progress,
        clock: rolloutClock(io.env),
      });

    if (mode === 'pr') {
      const opened = ws;
      const { result } = await publishLoop({
        ws: opened,
        plan,
        logger: io.logger,
        publish: (report, w) =>
          publishPullRequest({
            ws: w,
            report,
            config,
            author,
            dryRun: opts.dryRun,
            logger: io.logger,
            forge: gitlab ?? (gh && repository ? githubForge(gh, repository, io.logger) : null),
            apiCommits,
            environment: opts.environment,
            templates,
          }),
      });
      return { report: result.report, pullRequestOperation: pullRequestOperation(result.outcome) };
    }

    const template = templates.commitMessage;
    // API commits: the same commit, made by GitHub and moved onto the base as a fast-forward only.
    const target: Workspace =
      gh && repository
        ? new ApiCommitWorkspace(ws, new GitHubGitData(gh.octokit, repository, io.logger), io.logger)
        : ws;
    const {
      plan: final,
      result: outcome,
      attempts,
    } = await publishLoop({
      ws: target,
      plan,
      logger: io.logger,
      publish: async (report, w) => {
        const out = await publishCommit(w, {
          changes: report.changes,
          message: renderCommitMessage(template, report.workloads, report.changes),
          author,
          dryRun: opts.dryRun,
          ...(io.progress ? { progress: io.progress } : {}),
        });
        return out.outcome === 'moved'
          ? { moved: true, message: out.message }
          : { moved: false, result: out };
      },
    });
    final.commit = outcome.commit;
    const branch = ws.branch;
    if (outcome.outcome === 'pushed') {
      io.logger.info(
        `${target === ws ? 'Pushed' : 'Committed through the GitHub API'} ${outcome.commit} to "${branch}" (${final.changes.length} file(s), attempt ${attempts})`,
      );
      // The checkout was not moved by a git push: say so, as the local branch is now behind.
      if (target !== ws && ws.mode === 'local')
        io.logger.info(`The checkout's "${ws.branch}" is now behind the remote: pull to see the commit`);
    } else if (outcome.outcome === 'dry-run') {
      io.logger.info(`Dry run: would commit ${final.changes.length} file(s) to "${branch}"`);
    } else {
      io.logger.info(`Nothing to commit on "${branch}"`);
    }
    return { report: final, pullRequestOperation: 'none' };
  } finally {
    await reader?.close();
    await ws.close();
  }
}

/**
 * `apply`: plans on the base branch, writes one commit holding every edit and pushes it; a push rejected
 * as non-fast-forward is re-planned on the new head and retried.
 */
export async function applyCommand(opts: ApplyOptions, io: Io): Promise<number> {
  const report = await runApply(opts, io);
  // Markdown `apply` output never carried the diff: the commit or pull request holds it.
  io.stdout(
    render(report, opts.format, opts.table) + (opts.format === 'table' ? diffText(report, opts) : ''),
  );
  return runExitCode(report, false, io.logger);
}
