/**
 * The composition root's side of `notify`: it learns the run's config and remote as soon as `apply` has
 * read them, and tells the hooks once the run has finished or failed (src/publish/notify.ts). A run that
 * fails before it has read its config has no hooks to tell.
 */
import { credentialVariables, type Config } from './core/config/schema.js';
import { CREDENTIAL_VARIABLES } from './credentials-env.js';
import type { Workspace } from './core/ports.js';
import { singleEnvironment } from './core/report/commit-message.js';
import type { RunOutcome } from './core/report/notify-payload.js';
import { notifyHooks } from './publish/notify.js';
import type { Logger } from './core/ports.js';
import type { RunReport } from './core/model.js';

/** What the notifier needs of a run (structural, so this module does not import the commands it serves). */
interface RunIo {
  env: Record<string, string | undefined>;
  logger: Logger;
}
interface RunResult {
  report: RunReport;
  pullRequestOperation: 'created' | 'updated' | 'closed' | 'none';
}

export interface ApplyNotifier {
  /** Called by `apply` once its config and workspace are known. */
  seen(config: Config, ws: Pick<Workspace, 'url'>): void;
  /** After a finished run: tells the hooks, returns the result unchanged. */
  done<R extends RunResult>(result: R): Promise<R>;
  /** After a failed run: tells the hooks (`error`), never throws. */
  failed(message: string): Promise<void>;
}

export function applyNotifier(
  opts: { dryRun?: boolean | undefined; environment?: string | undefined },
  io: RunIo,
): ApplyNotifier {
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
      credentialVariables: [...CREDENTIAL_VARIABLES, ...credentialVariables(config)],
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
