/**
 * `validate`: checks the config file of a local checkout (and `--environment`) without a run: no Vault
 * request, no Git command. Exit 0 when it is valid (warnings included), 1 with every error otherwise.
 *
 * @example node dist/cli.js validate --repo ./manifests --environment prod
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { ConfigError } from './core/errors.js';
import type { ConfigIssue } from './core/config/parse.js';
import { checkConfig, issueLine, selectionWarnings } from './core/config/validate.js';
import { keyLine } from './core/config/parse.js';
import { WorkingTreeSource } from './adapters/fs/working-tree.js';
import { discoverRepo } from './pipeline.js';
import type { Format } from './core/report/render.js';
import type { Io } from './run.js';
import { readConfigText } from './run/compose.js';
import { isRemoteRepo } from './core/repo-location.js';

export interface ValidateOptions {
  repo: string;
  config?: string | undefined;
  environment?: string | undefined;
  format: Format;
}

/** `validate`: prints every error and warning of the config; returns the exit code (0 valid, 1 not). */
export async function validateCommand(opts: ValidateOptions, io: Io): Promise<number> {
  if (isRemoteRepo(opts.repo)) {
    throw new ConfigError(
      `validate checks a local checkout, not a URL (got --repo "${opts.repo}"): clone it, or pass --config FILE`,
    );
  }
  const dir = resolve(io.cwd, opts.repo);
  if (!existsSync(dir)) throw new ConfigError(`--repo "${opts.repo}" does not exist`);
  const shown = opts.config ?? 'vault-rollout.yaml';
  const text = readConfigText(dir, opts.config, io.cwd);

  /** A file of the checkout, never outside it. */
  const readRepoFile = (file: string): string | null => {
    const full = resolve(dir, file);
    if (relative(dir, full).startsWith(`..${sep}`) || !existsSync(full) || !statSync(full).isFile())
      return null;
    return readFileSync(full, 'utf8');
  };
  const checked = checkConfig(
    text,
    shown,
    readRepoFile,
    opts.environment,
    io.env.VAULT_ADDR?.trim() || undefined,
  );
  const { config } = checked;
  const errors = [...checked.errors];

  let warnings: ConfigIssue[] = [];
  let summary = '';
  if (config) {
    // Discovery only, as `scan` does: which files the globs select, which environment each workload is in.
    const source = new WorkingTreeSource(dir, { maxFileBytes: config.maxFileBytes });
    const found = await discoverRepo(source, config, io.logger).catch((err: unknown) => {
      // What only the repository's files show (two environments' globs matching one root) is an error of
      // the config like any other.
      if (!(err instanceof ConfigError) || err.data['key'] !== 'environments') throw err;
      errors.push({
        key: 'environments',
        line: text === null ? null : keyLine(text, ['environments']),
        column: null,
        message: err.message,
      });
      return null;
    });
    if (found) {
      warnings = selectionWarnings(
        config,
        text,
        found.files.map((f) => f.path),
        found.workloads.map((w) => w.environment ?? null),
      );
      summary =
        `${found.files.length} file(s) selected, ${found.workloads.length} workload(s) depend on Vault secrets` +
        (config.environments.length > 0 ? `, ${config.environments.length} environment(s)` : '');
    }
  }

  if (opts.format === 'json') {
    const json = {
      file: shown,
      found: text !== null,
      valid: errors.length === 0,
      errors: errors.map((e) => ({ file: shown, ...e })),
      warnings: warnings.map((w) => ({ file: shown, ...w })),
    };
    io.stdout(`${JSON.stringify(json, null, 2)}\n`);
    return errors.length === 0 ? 0 : 1;
  }
  const lines: string[] = [];
  for (const e of errors) lines.push(`error   ${issueLine(shown, e)}`);
  for (const w of warnings) lines.push(`warning ${issueLine(shown, w)}`);
  if (errors.length > 0) {
    lines.push(
      `${shown}: not valid, ${errors.length} error(s)${warnings.length ? `, ${warnings.length} warning(s)` : ''}.`,
    );
  } else {
    const what = text === null ? `no ${shown}: every default applies` : `${shown} is valid`;
    lines.push(
      `${what}${summary ? ` (${summary})` : ''}${warnings.length ? `; ${warnings.length} warning(s)` : ''}.`,
    );
  }
  io.stdout(`${lines.join('\n')}\n`);
  return errors.length === 0 ? 0 : 1;
}
