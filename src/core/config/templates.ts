/**
 * The Liquid templates of the commit message and the pull request: the shipped ones (templates/ at the
 * package root) unless the config names the user's own files in the repository (`commit.messageTemplate`,
 * `pullRequest.titleTemplate`, `pullRequest.bodyTemplate`). Pure: the caller reads the files and passes
 * their text. Trailers are never part of a template: the commit message code appends them.
 */
import { Liquid } from 'liquidjs';
import { ConfigError } from '../errors.js';
import type { Config } from './definition.js';
import type { ConfigIssue } from './parse.js';

/** The three templates a publish renders. */
export interface MessageTemplates {
  commitMessage: string;
  pullRequestTitle: string;
  pullRequestBody: string;
}

/** Which template each config key sets, and the shipped file it replaces. */
export const TEMPLATE_KEYS = [
  { key: 'commit.messageTemplate', field: 'commitMessage', shipped: 'commit-message.liquid' },
  { key: 'pullRequest.titleTemplate', field: 'pullRequestTitle', shipped: 'pr-title.liquid' },
  { key: 'pullRequest.bodyTemplate', field: 'pullRequestBody', shipped: 'pr-body.liquid' },
] as const satisfies readonly { key: string; field: keyof MessageTemplates; shipped: string }[];

/** The repository file a config key names, or undefined when the shipped template applies. */
export function templateFile(config: Config, key: (typeof TEMPLATE_KEYS)[number]['key']): string | undefined {
  if (key === 'commit.messageTemplate') return config.commit?.messageTemplate;
  if (key === 'pullRequest.titleTemplate') return config.pullRequest.titleTemplate;
  return config.pullRequest.bodyTemplate;
}

const liquid = new Liquid({ strictFilters: true, ownPropertyOnly: true });

/**
 * Why a template does not parse, with its line, or null. Rendering uses the same settings
 * (`strictFilters`: an unknown filter is an error, not silently dropped).
 */
export function templateProblem(text: string): { line: number | null; message: string } | null {
  try {
    liquid.parse(text);
    return null;
  } catch (err) {
    const e = err as Error & { token?: { getPosition?: () => [number, number] } };
    const position = e.token?.getPosition?.();
    const first = (e.message.split('\n')[0] ?? e.message).replace(/, line:\d+, col:\d+$/, '');
    return { line: position?.[0] ?? null, message: first };
  }
}

/**
 * Every template problem of a config: a named file that the repository does not hold, or one that does
 * not parse. `read` returns a repository file's text, or null when it is absent.
 */
export function templateIssues(config: Config, read: (path: string) => string | null): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const { key } of TEMPLATE_KEYS) {
    const file = templateFile(config, key);
    if (file === undefined) continue;
    const text = read(file);
    if (text === null) {
      issues.push({ key, line: null, column: null, message: `"${file}" is not a file of the repository` });
      continue;
    }
    const problem = templateProblem(text);
    if (problem) {
      issues.push({
        key,
        line: null,
        column: null,
        message: `"${file}"${problem.line !== null ? ` line ${problem.line}` : ''} is not a valid Liquid template: ${problem.message}`,
      });
    }
  }
  return issues;
}

/**
 * The templates of a run: the user's files where the config names them, else the shipped ones.
 * @param read a repository file's text, or null when absent
 * @param shipped a shipped template's text by file name (templates/…)
 * @throws ConfigError naming the key and the file when a named template is missing or does not parse
 * @example
 * const templates = resolveTemplates(config, (p) => files.get(p) ?? null, readTemplate);
 */
export function resolveTemplates(
  config: Config,
  read: (path: string) => string | null,
  shipped: (name: string) => string,
): MessageTemplates {
  const issues = templateIssues(config, read);
  if (issues.length > 0) {
    throw new ConfigError(issues.map((i) => `${i.key}: ${i.message}`).join('\n'), { issues });
  }
  const out = {} as MessageTemplates;
  for (const { key, field, shipped: name } of TEMPLATE_KEYS) {
    const file = templateFile(config, key);
    out[field] = file === undefined ? shipped(name) : (read(file) as string);
  }
  return out;
}
