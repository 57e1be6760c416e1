/**
 * GitLab adapter: a bounded REST v4 client and merge requests behind the forge port. It never touches Git;
 * the publish stage (src/publish/) drives both.
 */
export { GitLabClient, type GitLabClientOptions } from './client.js';
export { GitLabError, gitlabSays, type GitLabCall } from './errors.js';
export { GitLabForge, type GitLabMergeRequest } from './forge.js';
export { gitlabLocation, type GitLabLocation } from './location.js';
