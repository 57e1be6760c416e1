/**
 * The one Liquid engine of vault-rollout: every commit message, pull request title and body is rendered
 * here. Templates come from the manifests repository, which anyone who can open a pull request against it
 * can edit, so the engine has no file system at all:
 *
 * - `include`, `render` and `layout` reach only the configured template files (`commit.messageTemplate`,
 *   `pullRequest.titleTemplate`, `pullRequest.bodyTemplate`), named by their exact repository path, e.g.
 *   `{% include '.github/vault-rollout/header.liquid' %}`. liquidjs's default loader reads any file under
 *   the process's working directory (in a GitHub Action: the checkout, its `.git/config` with the
 *   credential header); here the loader is a map of those files' text, read from the repository snapshot
 *   by the caller. No relative references (`./x`), no extension added, no fallback.
 * - The name must be a quoted string without `{{ }}` (it is checked when the template is parsed, so
 *   `validate` reports it with the line); `{% include name %}` from a variable cannot be checked ahead of
 *   a run and is refused.
 * - Includes nest at most {@link TEMPLATE_LIMITS}.depth deep (a template that includes itself ends there).
 * - Parsing, rendering time, allocations and the output size are bounded ({@link TEMPLATE_LIMITS}), so a
 *   template loop ends with an error naming the file instead of blocking the event loop for minutes.
 *
 * A failure is a {@link TemplateError}: one line naming the template file and, where liquidjs knows it,
 * the line.
 */
import {
  CaptureTag,
  Context,
  IncludeTag,
  LayoutTag,
  Liquid,
  RenderTag,
  toValueSync,
  type Emitter,
  type FS,
  type Parser,
  type Template,
  type TagToken,
  type TopLevelToken,
} from 'liquidjs';
import { VaultRolloutError } from '../errors.js';

/** Bounds on one render. docs/configuration.md lists them. */
export const TEMPLATE_LIMITS = {
  /** Characters of one template file parsed (liquidjs `parseLimit`). */
  parseChars: 1_000_000,
  /** Wall time of one render in milliseconds (liquidjs `renderLimit`, checked before every tag). */
  renderMs: 2_000,
  /**
   * liquidjs `memoryLimit`, summed over a render: items of ranges and arrays, characters of strings built
   * by filters and by `capture`. A range is allocated whole before the time limit can stop it: 10 million
   * items took 1.5 s and 200 MB, so the bound is lower; a real body stays far below (a pull request body
   * is cut to 65,536 characters, a commit message lists 100 workloads).
   */
  memory: 5_000_000,
  /** Characters a render may write (a commit message or a pull request body is far smaller). */
  outputChars: 1_000_000,
  /** How deep `include`, `render` and `layout` may nest. */
  depth: 10,
} as const;

/** The bounds of a render; tests pass smaller ones. */
export type TemplateLimits = { readonly [K in keyof typeof TEMPLATE_LIMITS]: number };

/** A template and where it comes from. */
export interface TemplateSource {
  /** For errors: the repository path, or `templates/<name>` for a shipped one. */
  file: string;
  text: string;
  /**
   * The files `include`, `render` and `layout` may name: the configured templates, by repository path.
   * Empty for the shipped templates, which include nothing.
   */
  partials?: ReadonlyMap<string, string> | undefined;
}

/** A template that does not parse, names a file it may not reach, or hits a limit. */
export class TemplateError extends VaultRolloutError {
  constructor(message: string, data: { file: string; line: number | null }) {
    super('TemplateError', message, data);
  }
}

const NO_PARTIALS: ReadonlyMap<string, string> = new Map();

/**
 * The loader: only the map's own entries, by exact name. A plain object lookup would also find
 * `constructor` or `__proto__`; a Map does not.
 */
function mapFs(files: ReadonlyMap<string, string>): FS {
  const read = (file: string): string => {
    const text = files.get(file);
    if (text === undefined) throw new Error(refusal(file, files));
    return text;
  };
  return {
    exists: (file) => Promise.resolve(files.has(file)),
    existsSync: (file) => files.has(file),
    readFile: (file) => Promise.resolve().then(() => read(file)),
    readFileSync: read,
    // The name is the repository path itself: no directory is joined, no extension added.
    resolve: (_dir, file) => file,
    contains: (_root, file) => Promise.resolve(files.has(file)),
    containsSync: (_root, file) => files.has(file),
  };
}

function refusal(name: string, files: ReadonlyMap<string, string>): string {
  const known = [...files.keys()].map((f) => `"${f}"`).join(', ');
  return `"${name}" is not a configured template file: include, render and layout reach only ${known ? `the configured templates (${known})` : 'the files set by commit.messageTemplate, pullRequest.titleTemplate and pullRequest.bodyTemplate, and none is set'}`;
}

type PartialTag = typeof IncludeTag | typeof RenderTag | typeof LayoutTag;

/**
 * The tag, checked when it is parsed (so `validate` sees it with its line) and counted when it renders.
 */
function checked(
  Base: PartialTag,
  name: string,
  files: ReadonlyMap<string, string>,
  depth: { n: number; max: number },
  reached: Set<string>,
) {
  return class extends (Base as typeof IncludeTag) {
    constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid, parser: Parser) {
      super(token, remain, liquid, parser);
      const file = (this as unknown as { file: unknown }).file;
      // `{% layout none %}` renders without a layout.
      if (file === undefined && name === 'layout') return;
      if (typeof file !== 'string') {
        throw new Error(
          `{% ${name} %} needs the template's repository path as a quoted string, without {{ }}: a name computed while rendering cannot be checked before the run`,
        );
      }
      if (!files.has(file)) throw new Error(refusal(file, files));
      reached.add(file);
    }

    override *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
      if (depth.n >= depth.max) {
        throw new Error(`include, render and layout nest more than ${depth.max} deep`);
      }
      depth.n++;
      try {
        yield* super.render(ctx, emitter) as Generator<unknown, void, unknown>;
      } finally {
        depth.n--;
      }
    }
  };
}

/**
 * `capture`, charged like the filters that build strings: liquidjs does not count it, and a capture that
 * doubles itself in a loop reached 268 million characters in milliseconds, then `split` on it aborted
 * the process (a V8 fatal error, not an exception).
 */
class ChargedCapture extends CaptureTag {
  override *render(ctx: Context): Generator<unknown, void, string> {
    yield* super.render(ctx);
    const value: unknown = ctx.bottom()[(this as unknown as { variable: string }).variable];
    if (typeof value === 'string') ctx.memoryLimit.use(value.length);
  }
}

/**
 * A Liquid engine that reaches only `partials` and nothing on disk. One engine per render: the nesting
 * depth is counted on it.
 */
export function createLiquid(
  partials: ReadonlyMap<string, string> = NO_PARTIALS,
  reached = new Set<string>(),
  limits: TemplateLimits = TEMPLATE_LIMITS,
): Liquid {
  const liquid = new Liquid({
    strictFilters: true,
    ownPropertyOnly: true,
    fs: mapFs(partials),
    // Not `templates`: liquidjs turns relative references back on for it and looks names up on a plain
    // object. `root` only feeds the loader's lookups, which the map answers; nothing reads the disk.
    root: ['.'],
    relativeReference: false,
    dynamicPartials: true,
    jekyllInclude: false,
    extname: '',
    cache: false,
    parseLimit: limits.parseChars,
    renderLimit: limits.renderMs,
    memoryLimit: limits.memory,
  });
  const depth = { n: 0, max: limits.depth };
  liquid.registerTag('include', checked(IncludeTag, 'include', partials, depth, reached));
  liquid.registerTag('render', checked(RenderTag, 'render', partials, depth, reached));
  liquid.registerTag('layout', checked(LayoutTag, 'layout', partials, depth, reached));
  liquid.registerTag('capture', ChargedCapture);
  return liquid;
}

/** The first line of a liquidjs error, without its `, line:1, col:2` suffix, and its line. */
function describe(err: unknown): { message: string; line: number | null; file: string | null } {
  const e = err as Error & {
    token?: { getPosition?: () => [number, number]; file?: string };
    originalError?: Error;
  };
  const position = e.token?.getPosition?.();
  const text = String(e?.message ?? err);
  const first = (text.split('\n')[0] ?? text).replace(/, (file:\S+, )?line:\d+, col:\d+$/, '');
  return {
    message: first,
    line: position?.[0] ?? null,
    file: typeof e.token?.file === 'string' && e.token.file !== '' ? e.token.file : null,
  };
}

function templateError(err: unknown, file: string, what: string): TemplateError {
  const d = describe(err);
  const where = d.file ?? file;
  const via = where !== file ? ` (reached from "${file}")` : '';
  return new TemplateError(
    `template "${where}"${d.line !== null ? ` line ${d.line}` : ''}${via} ${what}: ${d.message}`,
    { file: where, line: d.line },
  );
}

/**
 * Why a template does not parse (or names a file it may not reach), with its line, or null.
 * @example
 * templateProblem({ file: 'ci/msg.liquid', text: "{% include '.vault-token' %}" }); // { line: 1, … }
 */
export function templateProblem(source: TemplateSource): { line: number | null; message: string } | null {
  try {
    createLiquid(source.partials).parse(source.text, source.file);
    return null;
  } catch (err) {
    const d = describe(err);
    return { line: d.line, message: d.message };
  }
}

/**
 * The configured files a template includes, renders or lays out (its names are literal: see above), or
 * null when it does not parse.
 */
export function templatePartialsOf(source: TemplateSource): string[] | null {
  const reached = new Set<string>();
  try {
    createLiquid(source.partials, reached).parse(source.text, source.file);
    return [...reached];
  } catch {
    return null;
  }
}

/** The emitter of a render: refuses to grow past the output bound. */
class BoundedEmitter implements Emitter {
  buffer = '';
  constructor(private readonly max: number) {}
  write(html: unknown): void {
    const text = typeof html === 'string' ? html : html === null || html === undefined ? '' : String(html);
    if (this.buffer.length + text.length > this.max) {
      throw new Error(`output is over ${this.max} characters`);
    }
    this.buffer += text;
  }
}

/**
 * Renders a template over `data` within {@link TEMPLATE_LIMITS}.
 * @throws TemplateError naming the file (and line) when it does not parse, reaches a file outside its
 *   partials, fails, or hits a limit
 * @example
 * renderTemplate({ file: 'templates/pr-title.liquid', text }, { restart: 2, record: 0 });
 */
export function renderTemplate(
  source: TemplateSource,
  data: object,
  limits: TemplateLimits = TEMPLATE_LIMITS,
): string {
  const liquid = createLiquid(source.partials, new Set(), limits);
  let parsed: Template[];
  try {
    parsed = liquid.parse(source.text, source.file);
  } catch (err) {
    throw templateError(err, source.file, 'is not a valid Liquid template');
  }
  try {
    const ctx = new Context(data, liquid.options, { sync: true }, { liquid });
    const emitter = new BoundedEmitter(limits.outputChars);
    toValueSync(liquid.renderer.renderTemplates(parsed, ctx, emitter));
    return emitter.buffer;
  } catch (err) {
    throw templateError(err, source.file, 'failed to render');
  }
}
