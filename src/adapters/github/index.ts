/**
 * GitHub adapter: the octokit client with token or App authentication, and the pull-request
 * calls. It never touches Git; the publish stage (src/publish/) drives both.
 */
export {
  connectGitHub,
  decodePrivateKey,
  DEFAULT_API_URL,
  githubCredentialsFromEnv,
  type GitHubOctokit,
  resolveRepository,
  type GitHubClientOptions,
  type GitHubConnection,
  type GitHubCredentials,
  type RepositoryRef,
} from './client.js';
export { GitHubError, githubSays, toGitHubError, type GitHubCall } from './errors.js';
export { GitHubPulls, type AutoMergeResult, type PullRequestInfo } from './pulls.js';
export { GitHubGitData, type ApiCommit, type RefUpdateResult, type TreeChange } from './git-data.js';
export { GitHubForge } from './forge.js';
