/**
 * `watch`: the composition root of the long-running form of `apply`. It builds the metrics, the health
 * check and their HTTP endpoint, the kept repository and the Vault readers (with OpenBao's folder
 * listing and a request counter), and hands `apply` itself to the loop as the run to repeat.
 *
 * @example
 * const code = await watchCommand({ ...applyOptions, intervalMs: 60_000, listen, coalesceMs: 3_000 }, io, stopped);
 */
import { resolve } from 'node:path';
import { checkRemoteUrl, displayRemote, openWorkspace } from '../adapters/git/index.js';
import { createVaultReader, vaultOptionsFromEnv } from '../adapters/vault/index.js';
import type { Config } from '../core/config/schema.js';
import { GitError } from '../core/errors.js';
import { isRemoteRepo, repoKind } from '../core/repo-location.js';
import { render, summaryLine } from '../core/report/render.js';
import { runApply, type Io } from '../run.js';
import { environmentReaders, loadConfig, workspaceConfig } from '../run/compose.js';
import { FolderListingReader, type ListingSupport } from './folder-listing.js';
import { Health } from './health.js';
import { startMetricsServer } from './http-server.js';
import { requestOutcome, WatchMetrics } from './metrics.js';
import type { WatchOptions } from './options.js';
import { PersistentRepository } from './repository.js';
import { Watcher } from './watcher.js';

/**
 * Runs until `stopped` settles (SIGTERM, SIGINT), then finishes the step in progress, removes the clone
 * and returns 0. Throws (exit 1) when it cannot start: a bad config, `--listen` in use.
 */
export async function watchCommand(opts: WatchOptions, io: Io, stopped: Promise<unknown>): Promise<number> {
  const clock = () => new Date();
  const metrics = new WatchMetrics();
  const health = new Health(opts.intervalMs, clock);
  const support: ListingSupport = new Map();
  const makeReader = async (config: Config) => {
    const options = vaultOptionsFromEnv(io.env, config.vault);
    const inner = await createVaultReader({
      ...options,
      logger: io.logger,
      onAnswer: (outcome) => metrics.vaultRequests.inc({ outcome: requestOutcome(outcome) }),
    });
    return new FolderListingReader(
      inner,
      support,
      JSON.stringify([options.address, options.namespace ?? '']),
    );
  };
  const repository = new PersistentRepository(openWorkspace);
  // Progress lines are for a person at a terminal waiting for one run, not for a service's log.
  const { progress: _progress, ...quiet } = io;
  const runIo: Io = { ...quiet, makeReader, openWorkspace: repository.open };
  // A URL (HTTPS or SSH, as `apply` accepts them) is read from the kept clone; a folder from disk.
  const remote = isRemoteRepo(opts.repo);

  const currentConfig = async (): Promise<Config> => {
    if (!remote) return loadConfig(resolve(io.cwd, opts.repo), opts.config, io.cwd);
    const ws = repository.workspace;
    if (!ws) throw new GitError('the repository is not open yet');
    return workspaceConfig(ws, opts.config, io.cwd);
  };

  // A URL with credentials in it is refused before it is logged: later it would only fail each run, and
  // this first line would have printed the token.
  if (repoKind(opts.repo) === 'url') checkRemoteUrl(opts.repo);
  const server = await startMetricsServer(opts.listen, metrics, health);
  io.logger.info(
    `Watching "${remote ? displayRemote(opts.repo) : opts.repo}"${opts.environment ? ` (environment "${opts.environment}")` : ''} every ${opts.intervalMs / 1000}s; /metrics and /healthz on ${server.url}`,
  );
  const watcher = new Watcher({
    intervalMs: opts.intervalMs,
    coalesceMs: opts.coalesceMs,
    run: () => runApply({ ...opts, dryRun: false }, runIo),
    fetch: () => repository.fetch(),
    makeReaders: async () => environmentReaders(await currentConfig(), runIo, opts.environment),
    onRun: (report) => {
      io.logger.info(summaryLine(report));
      if (report.commit !== null || report.pullRequest !== null)
        io.stdout(render(report, opts.format, opts.table));
    },
    metrics,
    health,
    logger: io.logger,
    clock,
  });
  void stopped.then(() => {
    io.logger.info('Stopping: finishing the step in progress');
    watcher.stop();
  });
  try {
    await watcher.run();
  } finally {
    await watcher.close();
    await repository.close();
    await server.close();
  }
  io.logger.info('Stopped');
  return 0;
}
