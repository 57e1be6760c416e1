/**
 * `validate`: every problem of a config, found without a run (no Vault, no Git), as
 * renovate-config-validator does for Renovate. Errors are what would stop a run: the schema (unknown keys,
 * wrong types, bad globs), a template file that is missing or not valid Liquid, an `--environment` the
 * config does not list. Warnings are what a run would survive but is likely a mistake: an `include` glob
 * or an environment that selects nothing in the repository.
 */
import picomatch from 'picomatch';
import { ConfigError } from '../errors.js';
import type { Config } from './definition.js';
import { dotted, keyLine, parseConfig, type ConfigIssue } from './parse.js';
import { credentialIssues } from './credentials.js';
import { templateIssues } from './templates.js';
import { unsupportedKeys } from './unsupported.js';

export interface ConfigCheck {
  /** The config (defaults applied), or null when it does not validate. */
  config: Config | null;
  errors: ConfigIssue[];
}

/**
 * Checks a config's text (null: no config file, every default) and the repository files it names.
 * @param read a repository file's text, or null when absent (for the template keys)
 * @param homeAddress `VAULT_ADDR`, for the credentials rule (src/core/config/credentials.ts)
 * @example
 * const { config, errors } = checkConfig(text, 'vault-rollout.yaml', (p) => readRepoFile(p), 'prod');
 */
export function checkConfig(
  text: string | null,
  file: string,
  read: (path: string) => string | null,
  environment?: string,
  homeAddress?: string,
): ConfigCheck {
  let config: Config;
  try {
    config = parseConfig(text ?? '', file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const issues = (err.data.issues as ConfigIssue[] | undefined) ?? [
      { key: '', line: null, column: null, message: err.message },
    ];
    return { config: null, errors: issues };
  }
  const errors = templateIssues(config, read).map((issue) => ({
    ...issue,
    line: text === null ? null : keyLine(text, issue.key.split('.')),
  }));
  if (environment !== undefined && !config.environments.some((e) => e.name === environment)) {
    const known = config.environments.map((e) => `"${e.name}"`).join(', ');
    errors.push({
      key: 'environments',
      line: text === null ? null : keyLine(text, ['environments']),
      column: null,
      message: known
        ? `--environment "${environment}" is not one of the config's environments (${known})`
        : `--environment "${environment}" given, but the config lists no environments`,
    });
  }
  for (const { path, message } of [
    ...unsupportedKeys(config),
    ...credentialIssues(config, environment, homeAddress),
  ]) {
    errors.push({
      key: dotted(path),
      line: text === null ? null : keyLine(text, path),
      column: null,
      message,
    });
  }
  return { config, errors };
}

/**
 * What a valid config selects nothing with: an `include` glob that matches no file read, an environment
 * whose paths reach no workload. `files` are the repository files the config selects; `environments` the
 * environment of each workload discovered with it.
 */
export function selectionWarnings(
  config: Config,
  text: string | null,
  files: readonly string[],
  environments: readonly (string | null)[],
): ConfigIssue[] {
  const warnings: ConfigIssue[] = [];
  const line = (path: (string | number)[]) => (text === null ? null : keyLine(text, path));
  // Only an include the config spells out: the default selects every YAML file there is.
  if (text !== null && /^include\s*:/m.test(text)) {
    config.include.forEach((glob, i) => {
      const match = picomatch(glob, { dot: true });
      if (!files.some((f) => match(f)))
        warnings.push({
          key: `include[${i}]`,
          line: line(['include', i]),
          column: null,
          message: `"${glob}" matches no YAML file of the repository (after exclude)`,
        });
    });
  }
  const used = new Set(environments);
  config.environments.forEach((e, i) => {
    const entry = e.entry;
    if (entry !== undefined && entry !== '' && !files.some((f) => f.startsWith(`${entry}/`))) {
      warnings.push({
        key: `environments[${i}].entry`,
        line: line(['environments', i, 'entry']),
        column: null,
        message: `"${entry}" is no folder of the repository holding YAML files (after include and exclude)`,
      });
      return;
    }
    if (!used.has(e.name))
      warnings.push({
        key: `environments[${i}].${e.paths.length > 0 ? 'paths' : 'entry'}`,
        line: line(['environments', i, e.paths.length > 0 ? 'paths' : 'entry']),
        column: null,
        message: `environment "${e.name}" reaches no workload that depends on a Vault secret: check its ${[
          ...(e.entry !== undefined ? [`entry "${e.entry}"`] : []),
          ...(e.paths.length > 0 ? [`paths (${e.paths.map((p) => `"${p}"`).join(', ')})`] : []),
        ].join(' and ')}`,
      });
  });
  return warnings;
}

/** One issue as a line: `file:line: key: message`. */
export function issueLine(file: string, issue: ConfigIssue): string {
  return `${file}${issue.line ? `:${issue.line}` : ''}: ${issue.key ? `${issue.key}: ` : ''}${issue.message}`;
}
