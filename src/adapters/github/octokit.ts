/**
 * The octokit classes: `@octokit/rest` with the retry and throttling plugins, and App authentication.
 * client.ts loads this module on the first connection, so a run that never talks to GitHub (a dry run, a
 * commit pushed with git) neither compiles nor initialises octokit.
 */
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';

export { createAppAuth };

export const GitHubOctokit = Octokit.plugin(retry, throttling);
export type GitHubOctokit = InstanceType<typeof GitHubOctokit>;
