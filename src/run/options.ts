/**
 * The typed options of the commands (what the edges parse argv, `INPUT_*` and the environment into) and
 * their defaults. Types and constants only: building anything from them is src/run/compose.ts's job.
 */
import type { Config } from '../core/config/schema.js';
import type { RunReport } from '../core/model.js';
import type { Logger, Progress, SecretReader, Workspace } from '../core/ports.js';
import type { Format, TableOptions } from '../core/report/render.js';
import type { OpenWorkspaceOptions } from '../adapters/git/index.js';
import type { GitHubClientOptions } from '../adapters/github/index.js';
import type { forgeForRun, ForgeKind } from '../forge.js';

export type Env = Record<string, string | undefined>;

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

/** What the outside world gives a command: the environment, the folder, stdout, the logger, test seams. */
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

/** What the pull request step did, as the Action reports it (`pull-request-operation`). */
export type PullRequestOperation = 'created' | 'updated' | 'closed' | 'none';

export interface ApplyResult {
  report: RunReport;
  pullRequestOperation: PullRequestOperation;
}

/** Default commit author when the config names none. */
export const DEFAULT_AUTHOR = { name: 'vault-rollout', email: 'vault-rollout@users.noreply.github.com' };
