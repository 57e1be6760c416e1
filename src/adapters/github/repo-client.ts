/**
 * What every client of one repository's REST API shares: the owner/repo parameters, route paths for
 * messages, and one place that turns an octokit failure into a GitHubError naming the call.
 */
import type { Logger } from '../../core/ports.js';
import type { GitHubOctokit, RepositoryRef } from './client.js';
import { toGitHubError, type GitHubCall } from './errors.js';

export abstract class RepoClient {
  constructor(
    protected readonly octokit: GitHubOctokit,
    readonly repo: RepositoryRef,
    protected readonly logger: Logger,
  ) {}

  protected get base() {
    return { owner: this.repo.owner, repo: this.repo.name };
  }

  protected path(rest: string): string {
    return `/repos/${this.repo.owner}/${this.repo.name}${rest}`;
  }

  protected async call<T>(call: GitHubCall, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw toGitHubError(err, call);
    }
  }
}
