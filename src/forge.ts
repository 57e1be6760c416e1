/**
 * The forge of a run, built at the composition root: which one (GitHub or GitLab) and its client behind
 * the `Forge` port (src/core/ports.ts), so the publish stage never sees a forge's own client.
 */
import type { Config } from './core/config/schema.js';
import { ConfigError } from './core/errors.js';
import { DEFAULT_GITLAB_LIMITS, requestLimits } from './core/limits.js';
import type { Forge, GitAuth, Logger, Workspace } from './core/ports.js';
import {
  GitLabClient,
  GitLabForge,
  gitlabLocation,
  type GitLabClientOptions,
} from './adapters/gitlab/index.js';
import {
  GitHubForge,
  GitHubGitData,
  type GitHubConnection,
  type RepositoryRef,
} from './adapters/github/index.js';
import { ApiCommitWorkspace } from './publish/api-commits.js';

/**
 * GitHub pull requests through `gh`, with API commits (`pullRequest.apiCommits`) through its Git Data API.
 * @example
 * const forge = githubForge(await connectGitHub({ credentials, repository, logger }), repository, logger);
 */
export function githubForge(gh: GitHubConnection, repository: RepositoryRef, logger: Logger): Forge {
  const forge = new GitHubForge(gh, repository, logger);
  const gitData = new GitHubGitData(gh.octokit, repository, logger);
  return Object.assign(forge, {
    apiCommits: (ws: Parameters<NonNullable<Forge['apiCommits']>>[0]) =>
      new ApiCommitWorkspace(ws, gitData, logger),
  });
}

export type ForgeKind = Forge['kind'];

/** Hosts that are GitLab whatever the environment says (a probe of other hosts is not made). */
const GITLAB_HOSTS = new Set(['gitlab.com']);

function hostOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.toLowerCase() || null;
  } catch {
    const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)/.exec(url);
    return scp ? scp[1]!.toLowerCase() : null;
  }
}

/**
 * The forge of a run: `--forge`, else config `forge`, else GitLab when the job runs in GitLab CI
 * (`GITLAB_CI`, `CI_API_V4_URL`) or `GITLAB_API_URL` is set or the remote is on gitlab.com, else GitHub.
 */
export function chooseForge(o: {
  flag?: ForgeKind | undefined;
  config?: ForgeKind | undefined;
  env: Record<string, string | undefined>;
  remote?: string | undefined;
}): ForgeKind {
  if (o.flag) return o.flag;
  if (o.config) return o.config;
  const { env } = o;
  if (env['GITLAB_CI'] === 'true' || env['CI_API_V4_URL']?.trim() || env['GITLAB_API_URL']?.trim())
    return 'gitlab';
  const host = hostOf(o.remote);
  return host !== null && GITLAB_HOSTS.has(host) ? 'gitlab' : 'github';
}

/**
 * HTTPS Git credentials on GitLab, when no `GIT_TOKEN` is set: `GITLAB_TOKEN` (username `GIT_USERNAME`,
 * default `oauth2`), else the job's `CI_JOB_TOKEN` (username `gitlab-ci-token`, which can push to the
 * pipeline's own project when the project allows it). They go only to a remote on a GitLab host the
 * environment names ({@link onGitLabHost}), unless `anyHost` (the operator's own `--forge gitlab`, for a
 * self-managed GitLab the environment does not name): a GitLab token never goes to another host's remote
 * because the repository's config says `forge: gitlab`.
 */
export function gitlabGitAuth(
  env: Record<string, string | undefined>,
  o: { anyHost?: boolean } = {},
): GitAuth | undefined {
  const only = o.anyHost ? undefined : (remote: string) => onGitLabHost(remote, env);
  const token = env['GITLAB_TOKEN']?.trim();
  if (token) return { username: env['GIT_USERNAME'] || 'oauth2', token, only };
  const job = env['CI_JOB_TOKEN']?.trim();
  return job ? { username: 'gitlab-ci-token', token: job, only } : undefined;
}

/**
 * Whether `remote` is on a host the run's environment names as GitLab: gitlab.com, or the host of
 * `GITLAB_API_URL`, `CI_API_V4_URL`, `CI_SERVER_URL` or `CI_SERVER_HOST`. A repository's config can choose
 * GitLab, but only the environment says where GitLab is: a GitLab token goes to no other host.
 */
export function onGitLabHost(remote: string, env: Record<string, string | undefined>): boolean {
  const host = hostOf(remote);
  if (host === null) return false;
  const named = new Set(GITLAB_HOSTS);
  for (const key of ['GITLAB_API_URL', 'CI_API_V4_URL', 'CI_SERVER_URL']) {
    const h = hostOf(env[key]?.trim());
    if (h) named.add(h);
  }
  const server = env['CI_SERVER_HOST']?.trim().toLowerCase();
  if (server) named.add(server);
  return named.has(host);
}

/**
 * The GitLab forge of a `--mode pr` run, or null in a dry run without `GITLAB_TOKEN` (nothing is looked up).
 * @throws ConfigError before anything is pushed: no `GITLAB_TOKEN` (`CI_JOB_TOKEN` cannot open merge
 *   requests: GitLab refuses it on every merge-request endpoint), API commits asked for, or no API/project.
 */
export function gitlabForge(o: {
  config: Config;
  env: Record<string, string | undefined>;
  /** The workspace's remote, without credentials. */
  remote: string;
  logger: Logger;
  dryRun: boolean;
  apiCommits: boolean;
  /** Test knobs of the client. */
  client?: Pick<GitLabClientOptions, 'retryAfterUnitMs' | 'rateLimitRetries'>;
}): Forge | null {
  if (o.apiCommits) {
    throw new ConfigError(
      'API commits (pullRequest.apiCommits / --api-commits) are GitHub only: set pullRequest.apiCommits: false for GitLab',
    );
  }
  const token = o.env['GITLAB_TOKEN']?.trim();
  if (!token) {
    if (o.dryRun) return null;
    throw new ConfigError(
      `--mode pr on GitLab needs GITLAB_TOKEN (a personal, project or group access token with the api scope)${o.env['CI_JOB_TOKEN'] ? ': CI_JOB_TOKEN cannot open merge requests (GitLab refuses it on every merge-request endpoint); it can only push in --mode commit' : ''}`,
    );
  }
  const where = gitlabLocation({ config: o.config.gitlab, env: o.env, remote: o.remote });
  const client = new GitLabClient({
    apiUrl: where.apiUrl,
    token,
    limits: requestLimits(o.config.gitlab, DEFAULT_GITLAB_LIMITS),
    logger: o.logger,
    ...o.client,
  });
  o.logger.debug('GitLab merge requests', { api: where.apiUrl, project: where.project });
  return new GitLabForge(client, where.project);
}

/**
 * The GitLab side of an `apply` run, checked before anything is pushed: git credentials for a base that
 * was opened without them (a config in the repository chose GitLab), API commits refused, and in `--mode pr`
 * the merge-request forge (see {@link gitlabForge}).
 */
export function forgeForRun(o: {
  ws: Workspace;
  mode: 'commit' | 'pr';
  config: Config;
  env: Record<string, string | undefined>;
  logger: Logger;
  dryRun: boolean;
  apiCommits: boolean;
  client?: Pick<GitLabClientOptions, 'retryAfterUnitMs' | 'rateLimitRetries'> | undefined;
}): Forge | null {
  if (o.apiCommits && !o.dryRun) {
    throw new ConfigError(
      'API commits (pullRequest.apiCommits / --api-commits) are GitHub only: set pullRequest.apiCommits: false for GitLab',
    );
  }
  // Only to a remote on a GitLab host the environment names: a config in the repository that says
  // `forge: gitlab` over a remote elsewhere (github.com, say) must not send it a GitLab token.
  const auth = o.env['GIT_TOKEN'] ? undefined : gitlabGitAuth(o.env);
  // The workspace takes it only for such a remote, and otherwise keeps what it was opened with (the
  // operator's own `--forge gitlab` sends the token to any host).
  if (auth && !o.ws.useAuth(auth))
    o.logger.debug('GitLab token not used for git: the remote is not on a GitLab host the environment names');
  if (o.mode !== 'pr') return null;
  return gitlabForge({
    config: o.config,
    env: o.env,
    remote: o.ws.url,
    logger: o.logger,
    dryRun: o.dryRun,
    apiCommits: false,
    ...(o.client ? { client: o.client } : {}),
  });
}
