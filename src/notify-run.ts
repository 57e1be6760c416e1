/**
 * The composition root's side of `notify`: it learns the run's config and remote as soon as `apply` has
 * read them, and tells the hooks once the run has finished or failed (src/publish/notify.ts). A run that
 * fails before it has read its config has no hooks to tell.
 */
import { credentialVariables, type Config } from './core/config/schema.js';
import { DEFAULT_CREDENTIAL_NAMES } from './core/config/credentials.js';
import type { Workspace } from './core/ports.js';
import { singleEnvironment } from './core/report/commit-message.js';
import type { RunOutcome } from './core/report/notify-payload.js';
import { notifyHooks } from './publish/notify.js';
import type { ApplyOptions, ApplyResult, Io } from './run.js';

/** Variables that hold some credential of a run, whatever the config says. */
const RUN_CREDENTIALS = [
  ...Object.values(DEFAULT_CREDENTIAL_NAMES).filter((n): n is string => n !== undefined),
  'GIT_TOKEN',
  'GITHUB_TOKEN',
  'GITHUB_APP_PRIVATE_KEY',
  'GITLAB_TOKEN',
  'CI_JOB_TOKEN',
];

export interface ApplyNotifier {
  /** Called by `apply` once its config and workspace are known. */
  seen(config: Config, ws: Pick<Workspace, 'url'>): void;
  /** After a finished run: tells the hooks, returns the result unchanged. */
  done(result: ApplyResult): Promise<ApplyResult>;
  /** After a failed run: tells the hooks (`error`), never throws. */
  failed(message: string): Promise<void>;
}

export function applyNotifier(opts: Pick<ApplyOptions, 'dryRun' | 'environment'>, io: Io): ApplyNotifier {
  let config: Config | null = null;
  let repository: string | null = null;
  const tell = async (outcome: RunOutcome) => {
    // A dry run publishes nothing, so it has nothing to tell.
    if (config === null || config.notify.length === 0 || opts.dryRun) return;
    await notifyHooks({
      hooks: config.notify,
      outcome,
      env: io.env,
      logger: io.logger,
      credentialVariables: [...RUN_CREDENTIALS, ...credentialVariables(config)],
    });
  };
  return {
    seen(c, ws) {
      config = c;
      repository = ws.url;
    },
    async done(result) {
      const { report, pullRequestOperation: op } = result;
      const changed = report.workloads.filter((p) => p.action !== 'none' && p.action !== 'ignored');
      await tell({
        report,
        published: report.commit !== null || op === 'created' || op === 'updated',
        environment: opts.environment ?? (changed.length > 0 ? singleEnvironment(changed) : null),
        repository,
        error: null,
      });
      return result;
    },
    async failed(message) {
      await tell({
        report: null,
        published: false,
        environment: opts.environment ?? null,
        repository,
        error: message,
      });
    },
  };
}
