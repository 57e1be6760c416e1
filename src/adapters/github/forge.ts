/**
 * GitHub behind the forge port (src/core/ports.ts `Forge`): the pull-request calls of pulls.ts, with the
 * GitHub-only facts (a pull request's GraphQL node id for auto-merge) kept here.
 */
import type { ChangeRequest, Forge, Logger } from '../../core/ports.js';
import type { GitHubConnection, RepositoryRef } from './client.js';
import { GitHubPulls, type PullRequestInfo } from './pulls.js';

/**
 * @example
 * const forge = new GitHubForge(await connectGitHub({ credentials, repository, logger }), repository, logger);
 * const open = await forge.findOpen('vault-rollout/main', 'main');
 */
export class GitHubForge implements Forge {
  readonly kind = 'github';
  readonly noun = 'pull request';
  private readonly pulls: GitHubPulls;
  /** The last answer about each pull request: auto-merge needs its node id. */
  private readonly seen = new Map<number, PullRequestInfo>();

  constructor(
    readonly connection: GitHubConnection,
    readonly repository: RepositoryRef,
    logger: Logger,
  ) {
    this.pulls = new GitHubPulls(connection.octokit, repository, logger);
  }

  ref(number: number): string {
    return `#${number}`;
  }

  private keep(pr: PullRequestInfo): ChangeRequest {
    this.seen.set(pr.number, pr);
    return pr;
  }

  async findOpen(branch: string, base: string): Promise<ChangeRequest | null> {
    const pr = await this.pulls.findOpen(branch, base);
    return pr ? this.keep(pr) : null;
  }

  async createOrFind(opts: {
    branch: string;
    base: string;
    title: string;
    body: string;
    draft: boolean;
  }): Promise<{ request: ChangeRequest; created: boolean }> {
    const made = await this.pulls.createOrFind(opts);
    return { request: this.keep(made.pr), created: made.created };
  }

  async update(number: number, fields: { title: string; body: string }): Promise<ChangeRequest> {
    return this.keep(await this.pulls.update(number, fields));
  }

  async close(number: number): Promise<void> {
    this.keep(await this.pulls.update(number, { state: 'closed' }));
  }

  comment(number: number, body: string): Promise<void> {
    return this.pulls.comment(number, body);
  }

  hasComment(number: number, marker: string): Promise<boolean> {
    return this.pulls.hasComment(number, marker);
  }

  addLabels(number: number, labels: string[]): Promise<void> {
    return this.pulls.addLabels(number, labels);
  }

  requestReviewers(number: number, reviewers: string[]): Promise<void> {
    return this.pulls.requestReviewers(number, reviewers);
  }

  enableAutoMerge(request: ChangeRequest) {
    const pr = this.seen.get(request.number);
    if (!pr) throw new Error(`pull request #${request.number} was not read by this run`);
    return this.pulls.enableAutoMerge(pr);
  }

  requests(): number {
    return this.connection.requests();
  }
}
