/**
 * Problems for people: one line per kind of problem, with a count and an example, so that a repository
 * with 60 skipped chart templates reads as one line and not 60. The JSON report keeps every problem.
 */
import { HELM_TEMPLATE_MESSAGE } from '../discover/parse.js';
import type { Problem } from '../model.js';
import { ELLIPSIS } from './fit.js';

/** Problems of one kind, in report order. */
export interface ProblemGroup {
  /** What the problems have in common, for `count` of them: `45 Helm chart templates skipped (charts/*\/templates/…)`. */
  summary: string;
  problems: Problem[];
}

interface Kind {
  match: (p: Problem) => boolean;
  /** The text after the count; `first` is the group's first problem, `files` every file of the group. */
  describe: (count: number, first: Problem, files: string[]) => string;
}

const at = (p: Problem) =>
  `${p.file}${p.line !== undefined ? `:${p.line}${p.column !== undefined ? `:${p.column}` : ''}` : ''}`;

const afterPrefix = (message: string, prefix: string) =>
  message.startsWith(prefix) ? message.slice(prefix.length) : message;

const more = (count: number) => (count > 1 ? ` (and ${count - 1} more)` : '');

const KINDS: Kind[] = [
  {
    match: (p) => p.message === HELM_TEMPLATE_MESSAGE,
    describe: (_n, _first, files) =>
      `Helm chart templates skipped, not rendered here (${pathPattern(files)})`,
  },
  {
    match: (p) => p.message.startsWith('not valid YAML'),
    describe: (n, first) =>
      `files not valid YAML, never rewritten: ${at(first)}: ${afterPrefix(first.message, 'not valid YAML: ')}${more(n)}`,
  },
  {
    match: (p) => p.message === 'not valid UTF-8: skipped',
    describe: (_n, _first, files) => `files not valid UTF-8 skipped (${pathPattern(files)})`,
  },
  {
    match: (p) => p.message.includes('over the maxFileBytes limit'),
    describe: (n, first) =>
      `files over the maxFileBytes limit skipped (raise maxFileBytes in the config to read them): ${first.file}${more(n)}`,
  },
  {
    match: (p) => p.message.startsWith('symlink loop') || p.message.startsWith('symbolic link'),
    describe: (n, first) => `symbolic links not followed: ${first.file}: ${first.message}${more(n)}`,
  },
  {
    match: (p) => / is rejected: .*it is not read from Vault$/.test(p.message),
    describe: (n, first) =>
      `secret paths rejected, never read from Vault: ${at(first)}: ${first.message}${more(n)}`,
  },
  {
    match: (p) => /: not tracked( \(used by .*\))?$|: its secrets are not tracked/.test(p.message),
    describe: (n, first) => `secret references not tracked: ${first.file}: ${first.message}${more(n)}`,
  },
  {
    match: (p) => p.message.startsWith('not edited: '),
    describe: (n, first) =>
      `files not edited: ${at(first)}: ${afterPrefix(first.message, 'not edited: ')}${more(n)}`,
  },
];

/**
 * The shape of a message without its particulars (quoted values, numbers), so that
 * `resource "a.yaml" not found` and `resource "b.yaml" not found` are one kind.
 */
function shape(message: string): string {
  return message.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N');
}

/**
 * A glob-like pattern that covers `files`: folders that differ become `*`, a differing rest `…`, e.g.
 * `charts/*\/templates/…` for the templates of several charts. When the files have nothing in common
 * the first one is given as an example.
 */
export function pathPattern(files: readonly string[]): string {
  const unique = [...new Set(files)];
  if (unique.length === 1) return unique[0]!;
  const dirs = unique.map((f) => f.split('/').slice(0, -1));
  const depth = Math.min(...dirs.map((d) => d.length));
  const parts: string[] = [];
  for (let i = 0; i < depth; i++) {
    const names = new Set(dirs.map((d) => d[i]));
    parts.push(names.size === 1 ? dirs[0]![i]! : '*');
  }
  while (parts.at(-1) === '*') parts.pop();
  if (parts.length === 0 || parts[0] === '*') return `e.g. ${unique[0]}`;
  return `${parts.join('/')}/${ELLIPSIS}`;
}

/** Groups problems by kind; groups keep the order of their first problem, errors first. */
export function groupProblems(problems: readonly Problem[]): ProblemGroup[] {
  const groups = new Map<string, { kind: Kind | null; problems: Problem[] }>();
  for (const p of problems) {
    const index = KINDS.findIndex((k) => k.match(p));
    const key = index >= 0 ? `${p.severity}:kind:${index}` : `${p.severity}:${shape(p.message)}`;
    const group = groups.get(key);
    if (group) group.problems.push(p);
    else groups.set(key, { kind: index >= 0 ? KINDS[index]! : null, problems: [p] });
  }
  const out = [...groups.values()].map(({ kind, problems: list }) => {
    const first = list[0]!;
    const n = list.length;
    const summary =
      n === 1
        ? problemLine(first)
        : kind
          ? `${n} ${kind.describe(
              n,
              first,
              list.map((p) => p.file),
            )}`
          : `${n} ${first.severity}s like ${at(first)}: ${first.message}`;
    return { summary, problems: list };
  });
  return [
    ...out.filter((g) => g.problems[0]!.severity === 'error'),
    ...out.filter((g) => g.problems[0]!.severity !== 'error'),
  ];
}

/** One problem on one line: `warning apps/bad.yaml:3: not valid YAML: ...`. */
export function problemLine(p: Problem): string {
  return `${p.severity.padEnd(7)} ${at(p)}: ${p.message}`;
}

/**
 * The heading of the problems section: how many there are, and, when they were grouped, how to list them all.
 * @param listed true when each problem has its own line
 * @param howToList what lists each problem, e.g. `-v`
 */
export function problemsHeading(
  problems: readonly Problem[],
  groups: number,
  listed: boolean,
  howToList = '-v',
): string {
  const n = problems.length;
  if (listed || groups === n) return `Problems (${n}):`;
  return `Problems (${n}, ${groups} kind${groups === 1 ? '' : 's'}; ${howToList} lists each one):`;
}
