/**
 * Git adapter (issue 3): open a checkout or a remote URL, read manifests from Git objects, write one
 * commit, push it with re-planning on non-fast-forward. The orchestrator owns planning.
 */
export {
  openWorkspace,
  toGitError,
  type CommitInfo,
  type CommitOptions,
  type GitIdentity,
  type GitAuth,
  type GitProgress,
  type OpenWorkspaceOptions,
  type PushResult,
  type TreeManifestSource,
  type Workspace,
} from './workspace.js';
export { publishWithRetry, type BuildResult, type PublishOptions, type PublishOutcome } from './publish.js';
export { checkRemoteUrl, redact } from './remote-url.js';
