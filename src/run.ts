/**
 * The commands behind the CLI and the Action (`scan`, `status`, `plan`, `apply`): typed options in,
 * report and exit code out. Each is a short list of steps; the adapters they use are built in
 * src/run/compose.ts, their options are typed in src/run/options.ts, and `apply`'s steps are in
 * src/run/apply.ts.
 */
import { VaultRolloutError } from './core/errors.js';
import type { RunReport } from './core/model.js';
import type { Logger, ManifestSource } from './core/ports.js';
import type { Config } from './core/config/schema.js';
import {
  cappedDiff,
  DEFAULT_DIFF_LINES,
  render,
  toScanMarkdown,
  toScanTable,
  summaryLine,
} from './core/report/render.js';
import { formatPath } from './core/yaml/edit-scalar.js';
import { isRemoteRepo } from './core/repo-location.js';
import { WorkingTreeSource } from './adapters/fs/working-tree.js';
import { applyWithOutcome, loadPipeline } from './run/apply.js';
import { redact } from './log.js';
import { rolloutClock } from './rollout-clock.js';
import { applyNotifier } from './notify-run.js';
import { environmentReaders, loadConfig, localRepoDir, openRepo } from './run/compose.js';
import type { ApplyOptions, ApplyResult, CommonOptions, DiffOptions, Io } from './run/options.js';

// The commands' signatures, for the edges that call them.
export type {
  ApplyOptions,
  ApplyResult,
  CommonOptions,
  DiffOptions,
  Env,
  Io,
  PullRequestOperation,
} from './run/options.js';

interface OpenedRepo {
  source: ManifestSource;
  config: Config;
  branch: string | null;
}

/**
 * Runs `fn` on the repository `--repo` names: a local folder (its working tree and vault-rollout.yaml
 * on disk), or a URL cloned shallowly into a temporary folder that is removed afterwards.
 */
async function withRepo<T>(opts: CommonOptions, io: Io, fn: (repo: OpenedRepo) => Promise<T>): Promise<T> {
  if (!isRemoteRepo(opts.repo)) {
    const dir = localRepoDir(opts.repo, io);
    const config = loadConfig(dir, opts.config, io.cwd);
    const source = new WorkingTreeSource(dir, { maxFileBytes: config.maxFileBytes }, io.progress);
    return fn({ source, config, branch: opts.branch ?? config.branch ?? null });
  }
  const { ws, config } = await openRepo({ repo: opts.repo, config: opts.config, branch: opts.branch }, io);
  try {
    return await fn({ source: ws.source, config, branch: ws.branch });
  } finally {
    await ws.close();
  }
}

/** `scan`: workloads and the Vault secrets each depends on. No Vault access. */
export async function scanCommand(opts: CommonOptions, io: Io): Promise<number> {
  const pipeline = loadPipeline();
  const found = await withRepo(opts, io, async ({ source, config }) => {
    const { discoverRepo, problemsOfEnvironment, selectEnvironment } = await pipeline;
    const all = await discoverRepo(source, config, io.logger, io.progress);
    return {
      ...all,
      workloads: selectEnvironment(all.workloads, config, opts.environment),
      problems: problemsOfEnvironment(all.problems, all, config, opts.environment),
    };
  });
  if (opts.format === 'json') {
    const json = {
      workloads: found.workloads.map((w) => ({
        file: w.file,
        document: w.document,
        kind: w.kind,
        name: w.name,
        namespace: w.namespace,
        ...(w.root != null ? { root: w.root } : {}),
        ...(w.environment != null ? { environment: w.environment } : {}),
        // Built by several roots: this root's record and trigger go into its own patch file.
        ...(w.rootPatch ? { patch: w.rootPatch.file } : {}),
        // No safe edit exists (the reason), or left alone on purpose.
        ...(w.skip ? { skipped: w.skip } : {}),
        ...(w.ignored ? { ignored: w.ignored } : {}),
        ...(w.chartValue !== null ? { chart: w.chartValue } : {}),
        secrets: w.secrets.map((s) => ({
          path: s.path,
          ...(s.vaultNamespace ? { vaultNamespace: s.vaultNamespace } : {}),
          source: s.source,
          via: s.via,
          recorded: w.recorded?.get(s.path) ?? null,
          // Where a restart would pin the new version (docs/annotations.md "Version pins").
          ...(s.pins?.length
            ? { pins: s.pins.map((p) => `${p.kind}/${p.name} (${p.file}) ${formatPath(p.field)}`) }
            : {}),
        })),
      })),
      summary: {
        workloads: found.workloads.length,
        secrets: new Set(found.workloads.flatMap((w) => w.secrets.map((s) => s.path))).size,
      },
      problems: found.problems,
      ...(found.undeployed.length > 0 ? { undeployed: found.undeployed } : {}),
    };
    io.stdout(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  io.stdout(
    opts.format === 'markdown'
      ? toScanMarkdown(found.workloads, found.problems, opts.table, found.undeployed)
      : toScanTable(found.workloads, found.problems, opts.table, found.undeployed),
  );
  return 0;
}

/** Plans against Vault; shared by `status` and `plan`. A URL is cloned shallowly into a temporary folder. */
export async function runPlan(opts: CommonOptions, io: Io, edits = true): Promise<RunReport> {
  const pipeline = loadPipeline();
  return withRepo(opts, io, async ({ source, config, branch }) => {
    const { planRepo } = await pipeline;
    const reader = environmentReaders(config, io, opts.environment);
    try {
      return await planRepo({
        source,
        reader,
        config,
        branch,
        logger: io.logger,
        edits,
        environment: opts.environment,
        progress: io.progress,
        clock: rolloutClock(io.env),
      });
    } finally {
      await reader.close();
    }
  });
}

const pending = (r: RunReport) => r.summary.restart + r.summary.record > 0;

/** Exit code of a run that finished (docs: exit codes). */
export const EXIT_PENDING = 2;
export const EXIT_BLOCKED = 3;

/**
 * The exit code of a finished `status`, `plan` or `apply`: 3 when a workload is blocked (a secret missing,
 * deleted or forbidden; everything else was still planned or published), else 2 with `--exit-code` when
 * changes are pending, else 0. Blocked wins over pending: a pipeline that only looks at "non-zero" must
 * not take a blocked workload for routine work.
 */
export function runExitCode(report: RunReport, exitCodeFlag: boolean, logger?: Logger): number {
  if (report.summary.blocked > 0) {
    logger?.warn(
      `${report.summary.blocked} workload(s) blocked: a secret is missing, deleted or forbidden (see the report); exit code ${EXIT_BLOCKED}`,
    );
    return EXIT_BLOCKED;
  }
  return exitCodeFlag && pending(report) ? EXIT_PENDING : 0;
}

/** `status`: recorded versions against Vault. Writes nothing. */
export async function statusCommand(opts: CommonOptions, io: Io): Promise<number> {
  const report = await runPlan(opts, io, false);
  io.stdout(render(report, opts.format, opts.table));
  return runExitCode(report, opts.exitCode, io.logger);
}

/** `plan`: what `apply` would change, with the unified diff. Writes nothing. */
export async function planCommand(opts: CommonOptions & DiffOptions, io: Io): Promise<number> {
  const report = await runPlan(opts, io);
  const diff = diffText(report, opts);
  // After a long diff the summary is said again, so it is never lost in the middle of the output.
  const again = opts.format === 'table' && diff !== '' ? `\n${summaryLine(report)}\n` : '';
  io.stdout(render(report, opts.format, opts.table) + diff + again);
  return runExitCode(report, opts.exitCode, io.logger);
}

/**
 * The unified diff printed after a `table` or `markdown` report (`--no-diff`: none). A table prints the
 * first lines only, with a note on how to see all of it (`--wide`); Markdown, read in a browser, has all.
 */
export function diffText(
  report: RunReport,
  opts: Pick<CommonOptions, 'format' | 'table'> & DiffOptions,
): string {
  if (opts.diff === false || report.changes.length === 0 || opts.format === 'json') return '';
  if (opts.format === 'markdown') return `\n\`\`\`diff\n${cappedDiff(report.changes, null, '').text}\`\`\`\n`;
  const { text, note } = cappedDiff(report.changes, opts.table?.wide ? null : DEFAULT_DIFF_LINES, '--wide');
  return `\n${text}${note ? `${note}\n` : ''}`;
}

/** Maps any error to a one-line message (never a stack trace) and an exit code. */
export function describeError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof VaultRolloutError) return { message: redact(err.message), exitCode: err.exitCode };
  const message = err instanceof Error ? err.message : String(err);
  return { message: redact(`unexpected error: ${message}`), exitCode: 1 };
}

/**
 * Runs `apply` and returns the report (the Action and the CLI render it their own way): the repository,
 * the Vault reader and the forge are built once (src/run/apply.ts) and handed to the one re-planning loop
 * (src/pipeline.ts) with the publish stage of the mode.
 */
export async function runApply(opts: ApplyOptions, io: Io): Promise<RunReport> {
  return (await runApplyWithOutcome(opts, io)).report;
}

/**
 * {@link runApply}, also saying what happened to the pull request (the Action's `pull-request-operation`).
 * The config's `notify` hooks hear of a run that published, blocked or failed; they never change its result.
 */
export async function runApplyWithOutcome(opts: ApplyOptions, io: Io): Promise<ApplyResult> {
  const hooks = applyNotifier(opts, io);
  try {
    return await hooks.done(await applyWithOutcome(opts, io, hooks));
  } catch (err) {
    await hooks.failed(describeError(err).message);
    throw err;
  }
}

/**
 * `apply`: plans on the base branch, writes one commit holding every edit and pushes it; a push rejected
 * as non-fast-forward is re-planned on the new head and retried.
 */
export async function applyCommand(opts: ApplyOptions, io: Io): Promise<number> {
  const report = await runApply(opts, io);
  // Markdown `apply` output never carried the diff: the commit or pull request holds it.
  io.stdout(
    render(report, opts.format, opts.table) + (opts.format === 'table' ? diffText(report, opts) : ''),
  );
  return runExitCode(report, false, io.logger);
}
