/**
 * `apply`, step by step: open the repository, settle the config and the forge, then hand the plan and the
 * publish stage of the mode (one commit, API commits, or a pull request) to the one re-planning loop
 * (src/pipeline.ts). Every adapter comes from src/run/compose.ts.
 */
import { parseAuthor, type Config } from '../core/config/schema.js';
import { ConfigError } from '../core/errors.js';
import type { RunReport } from '../core/model.js';
import type { Forge, Workspace } from '../core/ports.js';
import type { MessageTemplates } from '../core/config/templates.js';
import { renderCommitMessage } from '../core/report/commit-message.js';
import {
  GitHubGitData,
  resolveRepository,
  type GitHubConnection,
  type RepositoryRef,
} from '../adapters/github/index.js';
import { publishCommit } from '../publish/commit.js';
import { publishPullRequest, type PullRequestOutcome } from '../publish/pull-request.js';
import { nothingPublished, reportWith } from '../publish/outcome.js';
import { ApiCommitWorkspace } from '../publish/api-commits.js';
import { chooseForge, forgeForRun, githubForge } from '../forge.js';
import type { ApplyNotifier } from '../notify-run.js';
import { rolloutClock } from '../rollout-clock.js';
import {
  environmentReaders,
  openRepo,
  workspaceTemplates,
  type ClosableReader,
  type GitHubConnector,
} from './compose.js';
import {
  DEFAULT_AUTHOR,
  type ApplyOptions,
  type ApplyResult,
  type Io,
  type PullRequestOperation,
} from './options.js';

/**
 * The plan and its loop (discovery, planning, YAML editing: a third of the bundle), imported once. Every
 * command calls this before opening the repository and awaits it only after, so the module compiles
 * while git reads the repository instead of before the first git command.
 */
export function loadPipeline(): Promise<typeof import('../pipeline.js')> {
  const loading = import('../pipeline.js');
  // Awaited by the caller; this only keeps a failure from counting as unhandled before then.
  loading.catch(() => {});
  return loading;
}

/** A pull-request stage outcome, in the four words the Action's output uses. */
export function pullRequestOperation(outcome: PullRequestOutcome | null): PullRequestOperation {
  if (outcome === 'created' || outcome === 'updated' || outcome === 'closed') return outcome;
  // unchanged, left alone, dry run, nothing to do, or commit mode: the pull request was not touched.
  return 'none';
}

/**
 * Runs `apply` on `--repo` and returns its report. `hooks` learn the config and the remote once they are
 * known (the caller tells them how the run ended).
 */
export async function applyWithOutcome(
  opts: ApplyOptions,
  io: Io,
  hooks: ApplyNotifier,
): Promise<ApplyResult> {
  const pipeline = loadPipeline();
  const opened = await openRepo(
    {
      repo: opts.repo,
      config: opts.config,
      branch: opts.branch,
      forge: opts.forge,
      githubRepository: opts.githubRepository,
      readOnly: opts.dryRun,
    },
    io,
  );
  let ws = opened.ws;
  let reader: ClosableReader | null = null;
  try {
    const config = withFlags(opened.config, opts);
    hooks.seen(config, ws);
    if (!opts.branch && !opened.configOnDisk && config.branch && config.branch !== ws.branch) {
      // The config in the remote's default branch names another base branch: plan on that one.
      await ws.close();
      ws = await opened.open(config.branch);
    }
    const forge = await settleForge(opts, io, ws, config, opened.github);
    const templates = await workspaceTemplates(ws, config);
    const { planRepo, publishLoop } = await pipeline;
    const activeReader = (reader = environmentReaders(config, io, opts.environment));
    const run: PublishRun = {
      opts,
      io,
      ws,
      config,
      forge,
      templates,
      publishLoop,
      author: (config.commit?.author ? parseAuthor(config.commit.author) : null) ?? DEFAULT_AUTHOR,
      plan: (w: Workspace) =>
        planRepo({
          source: w.source,
          reader: activeReader,
          config,
          branch: w.branch,
          logger: io.logger,
          environment: opts.environment,
          progress: io.progress,
          clock: rolloutClock(io.env),
        }),
    };
    return forge.mode === 'pr' ? await publishAsPullRequest(run) : await publishAsCommit(run);
  } finally {
    await reader?.close();
    await ws.close();
  }
}

/** The config's `pullRequest` keys, each replaced by its flag when given. */
function withFlags(loaded: Config, opts: ApplyOptions): Config {
  return {
    ...loaded,
    pullRequest: {
      ...loaded.pullRequest,
      ...(opts.labels !== undefined ? { labels: opts.labels } : {}),
      ...(opts.reviewers !== undefined ? { reviewers: opts.reviewers } : {}),
      ...(opts.draft !== undefined ? { draft: opts.draft } : {}),
    },
  };
}

/** The publish mode and the forge clients it needs, all checked before anything is pushed. */
interface ForgeChoice {
  mode: 'commit' | 'pr';
  apiCommits: boolean;
  /** GitLab's forge (its checks made), else null. */
  gitlab: Forge | null;
  /** The GitHub connection and repository, when the mode needs GitHub and credentials exist. */
  gh: GitHubConnection | null;
  repository: RepositoryRef | null;
}

async function settleForge(
  opts: ApplyOptions,
  io: Io,
  ws: Workspace,
  config: Config,
  github: GitHubConnector,
): Promise<ForgeChoice> {
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
  return { mode, apiCommits, gitlab, gh, repository };
}

/** Everything a publish stage of `apply` needs, built before the first plan. */
interface PublishRun {
  opts: ApplyOptions;
  io: Io;
  ws: Workspace;
  config: Config;
  forge: ForgeChoice;
  templates: MessageTemplates;
  /** The re-planning loop (src/pipeline.ts, imported by {@link loadPipeline}). */
  publishLoop: (typeof import('../pipeline.js'))['publishLoop'];
  author: { name: string; email: string };
  plan: (w: Workspace) => Promise<RunReport>;
}

/** `--mode pr`: the pull (or merge) request, re-planned when its base moved. */
async function publishAsPullRequest(run: PublishRun): Promise<ApplyResult> {
  const { opts, io, config, forge, publishLoop } = run;
  const { gh, repository } = forge;
  const { plan: final, result } = await publishLoop({
    ws: run.ws,
    plan: run.plan,
    logger: io.logger,
    publish: (report, w) =>
      publishPullRequest({
        ws: w,
        report,
        config,
        author: run.author,
        dryRun: opts.dryRun,
        logger: io.logger,
        forge: forge.gitlab ?? (gh && repository ? githubForge(gh, repository, io.logger) : null),
        apiCommits: forge.apiCommits,
        environment: opts.environment,
        templates: run.templates,
      }),
  });
  return { report: reportWith(final, result), pullRequestOperation: pullRequestOperation(result.outcome) };
}

/** `--mode commit`: one commit on the base branch (through the GitHub API with API commits). */
async function publishAsCommit(run: PublishRun): Promise<ApplyResult> {
  const { opts, io, ws, publishLoop } = run;
  const { gh, repository } = run.forge;
  const template = run.templates.commitMessage;
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
    plan: run.plan,
    logger: io.logger,
    publish: async (report, w) => {
      const out = await publishCommit(w, {
        changes: report.changes,
        message: renderCommitMessage(template, report.workloads, report.changes),
        author: run.author,
        dryRun: opts.dryRun,
        ...(io.progress ? { progress: io.progress } : {}),
      });
      return out.outcome === 'moved' ? { moved: true, message: out.message } : { moved: false, result: out };
    },
  });
  const report = reportWith(final, { ...nothingPublished(), commit: outcome.commit });
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
  return { report, pullRequestOperation: 'none' };
}
