/**
 * The Liquid templates of the commit message and the pull request: the shipped ones (templates/ at the
 * package root) unless the config names the user's own files in the repository (`commit.messageTemplate`,
 * `pullRequest.titleTemplate`, `pullRequest.bodyTemplate`). Pure: the caller reads the files and passes
 * their text. Trailers are never part of a template: the commit message code appends them.
 */
import { ConfigError } from '../errors.js';
import type { Config } from './definition.js';
import type { ConfigIssue } from './parse.js';
import { templatePartialsOf, templateProblem, type TemplateSource } from '../report/liquid.js';

/** The three templates a publish renders, each with the configured files it may include. */
export interface MessageTemplates {
  commitMessage: TemplateSource;
  pullRequestTitle: TemplateSource;
  pullRequestBody: TemplateSource;
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

/**
 * The configured template files by repository path: what `include`, `render` and `layout` may reach
 * (docs/configuration.md). Files the repository does not hold are left out.
 */
export function templatePartials(config: Config, read: (path: string) => string | null): Map<string, string> {
  const files = new Map<string, string>();
  for (const { key } of TEMPLATE_KEYS) {
    const file = templateFile(config, key);
    const text = file === undefined ? null : read(file);
    if (file !== undefined && text !== null) files.set(file, text);
  }
  return files;
}

/**
 * Every template problem of a config: a named file that the repository does not hold, one that does
 * not parse, or one that includes (renders, lays out) a file that is not a configured template.
 * `read` returns a repository file's text, or null when it is absent.
 */
export function templateIssues(config: Config, read: (path: string) => string | null): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const partials = templatePartials(config, read);
  for (const { key } of TEMPLATE_KEYS) {
    const file = templateFile(config, key);
    if (file === undefined) continue;
    const text = partials.get(file);
    if (text === undefined) {
      issues.push({ key, line: null, column: null, message: `"${file}" is not a file of the repository` });
      continue;
    }
    const problem = templateProblem({ file, text, partials });
    if (problem) {
      issues.push({
        key,
        line: null,
        column: null,
        message: `"${file}"${problem.line !== null ? ` line ${problem.line}` : ''} is not a valid Liquid template: ${problem.message}`,
      });
    }
  }
  if (issues.length === 0) {
    const cycle = includeCycle(partials);
    if (cycle) {
      const key = TEMPLATE_KEYS.find((k) => templateFile(config, k.key) === cycle[0])?.key ?? '';
      issues.push({
        key,
        line: null,
        column: null,
        message: `"${cycle[0]}" includes itself (${cycle.map((f) => `"${f}"`).join(' -> ')}): a template may include the other configured templates, never itself`,
      });
    }
  }
  return issues;
}

/** A chain of includes that comes back to its first file, or null. */
function includeCycle(files: ReadonlyMap<string, string>): string[] | null {
  const edges = new Map<string, string[]>();
  for (const [file, text] of files)
    edges.set(file, templatePartialsOf({ file, text, partials: files }) ?? []);
  const visit = (file: string, path: string[]): string[] | null => {
    if (path.includes(file)) return [...path.slice(path.indexOf(file)), file];
    for (const next of edges.get(file) ?? []) {
      const cycle = visit(next, [...path, file]);
      if (cycle) return cycle;
    }
    return null;
  };
  for (const file of files.keys()) {
    const cycle = visit(file, []);
    if (cycle) return cycle;
  }
  return null;
}

/**
 * The shipped templates (templates/ at the package root), which include nothing.
 * @param shipped a shipped template's text by file name
 */
export function shippedTemplates(shipped: (name: string) => string): MessageTemplates {
  const out = {} as MessageTemplates;
  for (const { field, shipped: name } of TEMPLATE_KEYS)
    out[field] = { file: `templates/${name}`, text: shipped(name) };
  return out;
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
  const partials = templatePartials(config, read);
  const out = {} as MessageTemplates;
  for (const { key, field, shipped: name } of TEMPLATE_KEYS) {
    const file = templateFile(config, key);
    out[field] =
      file === undefined
        ? { file: `templates/${name}`, text: shipped(name) }
        : { file, text: partials.get(file) as string, partials };
  }
  return out;
}
