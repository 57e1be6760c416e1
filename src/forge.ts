/**
 * The forge of a run, built at the composition root: which one (GitHub or GitLab) and its client behind
 * the `Forge` port (src/core/ports.ts), so the publish stage never sees a forge's own client.
 */
import type { Forge, Logger } from './core/ports.js';
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
