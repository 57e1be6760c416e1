/**
 * The source paths an Argo CD `ApplicationSet` generates: its template's `source.path` / `sources[].path`
 * expanded over the parameters of its generators, as the ApplicationSet controller does
 * (https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Generators/):
 * - `git` with `directories`: one parameter set per folder of this repository matching a `path` glob and
 *   no `exclude: true` entry (`path`, `path.basename`, `path.basenameNormalized`, `path[n]`, and the
 *   go-template forms `.path.path`, `.path.basename`, `index .path.segments n`);
 * - `list`: one parameter set per element (nested keys as `values.x`);
 * - `matrix` of two of those: every pair, the second generator seeing the first one's parameters.
 * Anything else (`clusters`, `git` files, `merge`, template functions) is reported: the paths it would make
 * cannot be known from the repository alone, so no root is taken from it.
 */
import picomatch from 'picomatch';
import { baseName } from './repo-paths.js';
import { get, isRecord } from './workloads.js';

type Params = Map<string, string>;

export interface ExpandedPaths {
  /** Source paths after expansion (repo-relative as written; the caller normalises them). */
  paths: string[];
  /** Why some paths could not be expanded (one line each), empty when all were. */
  unsupported: string[];
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * @param templatePaths the template's source paths, as written
 * @param generators `spec.generators`
 * @param dirs every folder of the repository (repo-relative, no trailing slash)
 * @example expandApplicationSet(['apps/{{path.basename}}'], [{ git: { directories: [{ path: 'apps/*' }] } }], dirs)
 */
export function expandApplicationSet(
  templatePaths: readonly string[],
  generators: unknown,
  dirs: readonly string[],
): ExpandedPaths {
  const unsupported: string[] = [];
  const templated = templatePaths.filter((p) => p.includes('{{'));
  const paths = templatePaths.filter((p) => !p.includes('{{'));
  if (templated.length === 0) return { paths, unsupported };
  const sets: Params[] = [];
  for (const g of list(generators)) {
    const made = generate(g, new Map(), dirs);
    if (typeof made === 'string') unsupported.push(made);
    else sets.push(...made);
  }
  for (const template of templated) {
    let failed = false;
    for (const params of sets) {
      const path = substitute(template, params);
      if (path === null) failed = true;
      else if (!paths.includes(path)) paths.push(path);
    }
    // An element without the parameter makes no Application (Argo CD reports it as an error).
    if (failed)
      unsupported.push(`template path "${template}" uses a parameter or function the generators do not give`);
  }
  return { paths, unsupported };
}

/** One generator's parameter sets, or why it cannot be read. `outer` are a matrix's earlier parameters. */
function generate(g: unknown, outer: Params, dirs: readonly string[]): Params[] | string {
  if (!isRecord(g)) return 'a generator that is not a mapping';
  if (isRecord(g.git)) return gitDirectories(g.git, outer, dirs);
  if (isRecord(g.list)) return listElements(g.list);
  if (isRecord(g.matrix)) {
    const children = list(g.matrix.generators);
    if (children.length !== 2) return 'a matrix generator without exactly two generators';
    const first = generate(children[0], outer, dirs);
    if (typeof first === 'string') return first;
    const out: Params[] = [];
    for (const a of first) {
      const second = generate(children[1], new Map([...outer, ...a]), dirs);
      if (typeof second === 'string') return second;
      for (const b of second) out.push(new Map([...a, ...b]));
    }
    return out;
  }
  const kind = Object.keys(g).find((k) => k !== 'selector' && k !== 'values') ?? 'unknown';
  return `the "${kind}" generator is not read (only git directories, list and matrix of those)`;
}

function gitDirectories(
  git: Record<string, unknown>,
  outer: Params,
  dirs: readonly string[],
): Params[] | string {
  const entries = list(git.directories);
  if (entries.length === 0) return 'a git generator without directories (git files are not read)';
  const include: string[] = [];
  const exclude: string[] = [];
  for (const e of entries) {
    const raw = get(e, ['path']);
    if (typeof raw !== 'string') continue;
    const glob = substitute(raw, outer);
    if (glob === null) return `git directory path "${raw}" uses a parameter the generators do not give`;
    (get(e, ['exclude']) === true ? exclude : include).push(glob.replace(/^\.?\/+/, '').replace(/\/+$/, ''));
  }
  if (include.length === 0) return [];
  const included = picomatch(include);
  const excluded = exclude.length > 0 ? picomatch(exclude) : () => false;
  return dirs.filter((d) => d !== '' && included(d) && !excluded(d)).map(directoryParams);
}

/** The parameters of one matched folder, in both template syntaxes. */
function directoryParams(dir: string): Params {
  const base = baseName(dir);
  const normalized = base.replace(/[^a-zA-Z0-9-]/g, '-').toLowerCase();
  const params: Params = new Map([
    ['path', dir],
    ['path.path', dir],
    ['path.basename', base],
    ['path.basenameNormalized', normalized],
  ]);
  dir.split('/').forEach((seg, i) => {
    params.set(`path[${i}]`, seg);
    params.set(`path.segments[${i}]`, seg);
  });
  return params;
}

function listElements(gen: Record<string, unknown>): Params[] | string {
  if (gen.elementsYaml !== undefined) return 'a list generator with elementsYaml is not read';
  return list(gen.elements).flatMap((e) => (isRecord(e) ? [flatten(e, '', new Map())] : []));
}

function flatten(o: Record<string, unknown>, prefix: string, out: Params): Params {
  for (const [k, v] of Object.entries(o)) {
    if (isRecord(v)) flatten(v, `${prefix}${k}.`, out);
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      out.set(`${prefix}${k}`, String(v));
  }
  return out;
}

/**
 * `{{path.basename}}`, `{{ .path.path }}`, `{{index .path.segments 1}}` replaced from `params`; null when
 * a placeholder names no parameter or uses a function (its result cannot be known here).
 */
function substitute(template: string, params: Params): string | null {
  let failed = false;
  const out = template.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_, expr: string) => {
    const index = /^index\s+\.([\w.]+)\s+(\d+)$/.exec(expr);
    const key = index ? `${index[1]}[${index[2]}]` : expr.replace(/^\./, '');
    const value = params.get(key);
    if (value === undefined) failed = true;
    return value ?? '';
  });
  return failed ? null : out;
}
