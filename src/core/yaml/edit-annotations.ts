/**
 * Surgical annotation edits: set `<mapPath>.metadata.annotations[key] = value` by splicing the source text at
 * the node ranges that the `yaml` package reports, never by re-stringifying a document (a round trip folds long
 * lines, re-indents sequences, pads `{ }`, drops the BOM and CRLF).
 *
 * Every edit of a file is planned against one parse, the splices are applied in one pass, and the whole result is
 * parsed again and compared with the original data plus the annotations. If anything else changed, the edit is
 * refused: broken text is never returned.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, Scalar } from 'yaml';
import type { Document, Node, Pair, YAMLMap } from 'yaml';
import { fastManifestData } from './fast-data.js';
import { parseManifestStream } from './options.js';

/** One annotation to set. */
export interface AnnotationEdit {
  /** 0-based index of the YAML document in the file, as `parseAllDocuments` counts them. */
  document: number;
  /**
   * Path from the document root to an existing map: `[]` for the workload itself, `['spec','template']` for
   * the pod template, `['spec','jobTemplate','spec','template']` for a CronJob, `['spec','sources',1]` for
   * the second source of an Argo CD Application (a number indexes a sequence).
   */
  mapPath: (string | number)[];
  /**
   * The keys under `mapPath` that lead to the map the key is set in, created when absent: by default
   * `['metadata','annotations']`; `['values','podAnnotations']` for a Flux HelmRelease's chart values,
   * `[]` for a key of the map at `mapPath` itself (the top level of a chart values file).
   */
  within?: readonly string[];
  /** e.g. `vault-rollout/secret-versions` */
  key: string;
  /** e.g. `kv/app/api@3,kv/app/db@7` */
  value: string;
  /**
   * The workload the document must be (its `kind` and `metadata.name`): a guard against addressing the
   * wrong document if discovery and the editor ever counted documents differently.
   */
  expect?: { kind: string; name: string };
}

/**
 * The edited text, or why the file was left alone. `line`/`column` are 1-based. `code` is the `yaml` error code
 * (`DUPLICATE_KEY`, `BAD_INDENT`, ...) for invalid input, else one of `BAD_EDIT`, `NOT_A_MAP`, `UNSUPPORTED`,
 * `VERIFY_FAILED`.
 */
export type EditResult =
  { ok: true; text: string } | { ok: false; message: string; line?: number; column?: number; code?: string };

type Entry = readonly [key: string, value: string];

export interface Splice {
  start: number;
  end: number;
  text: string;
  /**
   * For whole block lines inserted at `start`: the column they are written at. Insertions at one offset
   * (a nested map that ends where the map around it ends, e.g. `podAnnotations` as the last key of a
   * values file) go deepest first: lines of the outer map placed before the inner map's would end the
   * inner map, and the inner lines would land under the outer map's new key.
   */
  depth?: number;
}

export interface Ctx {
  text: string;
  nl: string;
  splices: Splice[];
  /** Human-readable name of the document being edited, for messages. */
  where: string;
  /** Where an empty flow map (`{}`) opens, for each that has been given its first entry by this edit. */
  filledFlow?: Set<number>;
}

/** A planned failure; turned into `{ ok: false }` at the API boundary. */
export class EditFailure extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly offset?: number,
  ) {
    super(message);
  }
}

export const ANNOTATION_KEYS: readonly string[] = ['metadata', 'annotations'];

/**
 * Sets annotations by splicing the source text, keeping every other byte.
 *
 * @example
 * const r = applyAnnotationEdits(text, [
 *   { document: 0, mapPath: [], key: 'vault-rollout/secret-versions', value: 'kv/app/db@7' },
 *   { document: 0, mapPath: ['spec', 'template'], key: 'vault-rollout/secret-versions', value: 'kv/app/db@7' },
 * ]);
 * if (r.ok) write(r.text); else problems.push({ file, severity: 'error', message: r.message, line: r.line });
 */
export function applyAnnotationEdits(text: string, edits: readonly AnnotationEdit[]): EditResult {
  try {
    return { ok: true, text: edit(text, edits) };
  } catch (err) {
    return failedEdit(text, err);
  }
}

/** The `{ ok: false }` result for anything an edit of `text` threw; shared with edit-scalar.ts. */
export function failedEdit(text: string, err: unknown): EditResult {
  if (err instanceof EditFailure) {
    const out: EditResult = { ok: false, message: err.message, code: err.code };
    if (err.offset !== undefined) Object.assign(out, linePos(text, err.offset));
    return out;
  }
  if (err instanceof InvalidYaml) {
    return { ok: false, message: err.message, line: err.line, column: err.column, code: err.code };
  }
  // The yaml package should not throw on any input; if it does, report rather than crash the run.
  return {
    ok: false,
    message: `cannot edit: ${err instanceof Error ? err.message : String(err)}`,
    code: 'INTERNAL',
  };
}

export class InvalidYaml extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

export function parseStrict(text: string, what: string): Document.Parsed[] {
  const docs = parseManifestStream(text);
  // An empty stream comes back as an EmptyStream (an empty array with extra fields).
  const list = Array.isArray(docs) ? (docs as Document.Parsed[]) : [docs];
  for (let i = 0; i < list.length; i++) {
    const err = list[i]!.errors[0];
    if (err) {
      const head = (err.message.split('\n')[0] ?? '').replace(/:$/, '');
      const pos = err.linePos?.[0];
      throw new InvalidYaml(`${what} (document ${i}): ${head}`, err.code, pos?.line, pos?.col);
    }
  }
  return list;
}

function edit(text: string, edits: readonly AnnotationEdit[]): string {
  const docs = parseStrict(text, 'not valid YAML');
  if (edits.length === 0) return text;
  const { splices, groups } = annotationSplices(text, docs, edits);
  const after = applySplices(text, splices);
  verify(text, docs, after, groups);
  return after;
}

/**
 * Plans annotation edits against the parsed documents of `text`: the splices to apply, and the groups that
 * {@link compareData} checks the result against. Exported so that other edits of the same file (version pins,
 * edit-scalar.ts) can be applied in the same pass and verified together.
 * @internal
 */
export function annotationSplices(
  text: string,
  docs: readonly Document.Parsed[],
  edits: readonly AnnotationEdit[],
): { splices: Splice[]; groups: Group[] } {
  // Group by target map so several keys for one map become one insertion (two separate insertions would both
  // create `annotations:` and produce a duplicate key).
  const groups = new Map<string, Group & { expect?: AnnotationEdit['expect'] }>();
  for (const e of edits) {
    const within = e.within ?? ANNOTATION_KEYS;
    const id = JSON.stringify([e.document, e.mapPath, within]);
    let g = groups.get(id);
    if (!g) {
      groups.set(id, (g = { document: e.document, mapPath: [...e.mapPath], within, entries: new Map() }));
    }
    g.entries.set(e.key, e.value);
    if (e.expect) g.expect = e.expect;
  }

  const ctx: Ctx = { text, nl: detectNewline(text), splices: [], where: '' };
  for (const g of groups.values()) {
    const doc = docs[g.document];
    ctx.where = `document ${g.document}`;
    if (!doc) {
      throw new EditFailure(
        `${ctx.where} does not exist (the file has ${docs.length} document${docs.length === 1 ? '' : 's'})`,
        'BAD_EDIT',
      );
    }
    if (g.expect) checkExpected(ctx.where, doc, g.expect);
    const { map, parentCol } = locate(ctx, doc, g.mapPath);
    writeInto(
      ctx,
      map,
      [...(g.within ?? ANNOTATION_KEYS)],
      [...g.entries],
      parentCol,
      g.mapPath.length > 0,
      g.mapPath.map(String),
    );
  }
  return { splices: ctx.splices, groups: [...groups.values()] };
}

/**
 * Throws unless the document is the object that was planned (its `kind` and `metadata.name`).
 * @internal
 */
export function checkExpected(
  where: string,
  doc: Document.Parsed,
  expect: { kind: string; name: string },
): void {
  const kind: unknown = doc.get('kind');
  const name: unknown = doc.getIn(['metadata', 'name']);
  if (kind !== expect.kind || name !== expect.name) {
    throw new EditFailure(
      `${where} is ${String(kind)}/${String(name)}, not the ${expect.kind}/${expect.name} that was planned`,
      'BAD_EDIT',
    );
  }
}

/** Walks `mapPath` from the document root; the result must be a map. */
function locate(
  ctx: Ctx,
  doc: Document.Parsed,
  mapPath: readonly (string | number)[],
): { map: YAMLMap; parentCol: number | null } {
  let node: unknown = doc.contents;
  let parentCol: number | null = null;
  let where = '(document root)';
  for (const step of mapPath) {
    if (typeof step === 'number') {
      // A sequence item: the map's own keys set the indentation, so the parent column is not needed.
      const item: unknown = isSeq(node) ? node.items[step] : undefined;
      if (item === undefined) {
        throw new EditFailure(
          `${ctx.where}: ${where}[${step}] not found`,
          'NOT_A_MAP',
          (node as Node | null)?.range?.[0],
        );
      }
      parentCol = null;
      where = `${where}[${step}]`;
      node = item;
    } else {
      if (!isMap(node)) break;
      const pair = findPair(node, step);
      if (!pair) {
        throw new EditFailure(`${ctx.where}: ${step} not found in ${where}`, 'NOT_A_MAP', node.range?.[0]);
      }
      parentCol = node.flow ? null : column(ctx.text, keyStart(pair));
      where = where === '(document root)' ? step : `${where}.${step}`;
      node = pair.value;
    }
    if (isAlias(node)) {
      throw new EditFailure(
        `${ctx.where}: ${where} is an alias; edit the anchored node instead`,
        'UNSUPPORTED',
        node.range?.[0],
      );
    }
  }
  if (!isMap(node)) {
    const offset = (node as Node | null)?.range?.[0];
    throw new EditFailure(`${ctx.where}: ${where} is ${describe(node)}, not a map`, 'NOT_A_MAP', offset);
  }
  return { map: node, parentCol };
}

/**
 * Ensures `map.<rest...>` exists and sets `entries` in it. `parentCol` is the column of the key holding `map`
 * (null at the root or in flow context), used to infer the file's indentation step.
 */
function writeInto(
  ctx: Ctx,
  map: YAMLMap,
  rest: string[],
  entries: Entry[],
  parentCol: number | null,
  prependMetadata: boolean,
  path: readonly string[],
): void {
  if (rest.length === 0) {
    const fresh: Entry[] = [];
    for (const entry of entries) {
      const pair = findPair(map, entry[0]);
      if (pair) updateValue(ctx, map, pair, entry[1]);
      else fresh.push(entry);
    }
    if (fresh.length > 0) insertPairs(ctx, map, [], fresh, parentCol, false);
    return;
  }
  const [head, ...tail] = rest as [string, ...string[]];
  const pair = findPair(map, head);
  if (!pair) {
    insertPairs(ctx, map, rest, entries, parentCol, head === 'metadata' && prependMetadata);
    return;
  }
  const value = pair.value;
  const here = [...path, head].join('.');
  if (isAlias(value)) {
    throw new EditFailure(
      `${ctx.where}: ${here} is an alias; edit the anchored node instead`,
      'UNSUPPORTED',
      value.range?.[0],
    );
  }
  if (isMap(value)) {
    if (value.flow && value.items.length === 0 && !map.flow) {
      // `annotations: {}` in block context becomes a block map.
      replaceEmptyValue(ctx, map, pair, tail, entries, parentCol, value.range![1]);
      return;
    }
    const col = map.flow ? null : column(ctx.text, keyStart(pair));
    writeInto(ctx, value, tail, entries, col, false, [...path, head]);
    return;
  }
  if (value == null || (isScalar(value) && value.value === null)) {
    const explicit = isScalar(value) && value.range && value.range[0] < value.range[1];
    replaceEmptyValue(ctx, map, pair, tail, entries, parentCol, explicit ? value.range![1] : null);
    return;
  }
  throw new EditFailure(
    `${ctx.where}: ${here} is ${describe(value)}, not a map`,
    'NOT_A_MAP',
    (value as Node).range?.[0],
  );
}

/** Sets an existing key's value, keeping its quote style where the new value allows it. */
function updateValue(ctx: Ctx, map: YAMLMap, pair: Pair, value: string): void {
  const { text } = ctx;
  const node = pair.value as Node | null;
  const flow = !!map.flow;
  if (isScalar(node) && node.value === value) return; // already set: byte-identical output
  if (!node || !node.range || (isScalar(node) && node.range[0] === node.range[1])) {
    // `key:` with no value
    ctx.splices.push({
      start: afterColon(text, pair),
      end: afterColon(text, pair),
      text: ' ' + formatValue(value, flow),
    });
    return;
  }
  let start = node.range[0];
  let end: number;
  let out: string;
  if (isScalar(node)) {
    end = node.range[1];
    if (node.type === Scalar.QUOTE_SINGLE && !/[\r\n]/.test(value)) out = `'${value.replace(/'/g, "''")}'`;
    else if (node.type === Scalar.QUOTE_DOUBLE) out = doubleQuote(value);
    else out = formatValue(value, flow);
    if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
      // A block scalar's range ends after its last line break; keep the break, drop the header and content.
      while (end > start && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
    }
  } else {
    // A map, sequence or alias where a string belongs: replace it with the scalar.
    end = contentEnd(text, node);
    out = formatValue(value, flow);
  }
  if (isAlias(node)) start = node.range[0];
  ctx.splices.push({ start, end, text: out });
}

/** Adds `rest` (nested keys to create) holding `entries` to an existing map. */
function insertPairs(
  ctx: Ctx,
  map: YAMLMap,
  rest: readonly string[],
  entries: readonly Entry[],
  parentCol: number | null,
  prepend: boolean,
): void {
  const { text } = ctx;
  if (map.flow) {
    const piece = renderFlow(rest, entries, keyStyle(map));
    if (map.items.length === 0) {
      // A second insertion into the same `{}` (the record and the pod annotations of a values file that is
      // just `{}`) goes after the first, which is applied first at this offset: it needs the comma.
      const open = map.range![0];
      const filled = (ctx.filledFlow ??= new Set());
      ctx.splices.push({ start: open + 1, end: open + 1, text: filled.has(open) ? `, ${piece}` : piece });
      filled.add(open);
    } else if (prepend) {
      const first = keyStart(map.items[0]!);
      ctx.splices.push({ start: first, end: first, text: `${piece}, ` });
    } else {
      const end = pairEnd(text, map.items[map.items.length - 1]!);
      ctx.splices.push({ start: end, end, text: `, ${piece}` });
    }
    return;
  }
  const col = column(text, keyStart(map.items[0]!));
  const step = parentCol !== null && col > parentCol ? col - parentCol : guessStep(text, map);
  const lines = renderBlock(rest, entries, col, step, keyStyle(map));
  if (prepend && prependAt(ctx, map, lines)) return;
  appendLines(ctx, contentEnd(text, map), lines);
}

/** Inserts `lines` before the map's first key (and before comment lines just above it). */
function prependAt(ctx: Ctx, map: YAMLMap, lines: readonly string[]): boolean {
  const { text, nl } = ctx;
  const first = keyStart(map.items[0]!);
  let pos = lineStart(text, first);
  const indent = text.slice(pos, first);
  if (!/^ *$/.test(indent)) return false;
  // A comment right above the first key describes that key: keep it attached to it.
  while (pos > 0) {
    const prev = lineStart(text, pos - 1);
    const line = text.slice(prev, pos).replace(/\r?\n$/, '');
    if (!line.startsWith(`${indent}#`)) break;
    pos = prev;
  }
  ctx.splices.push({ start: pos, end: pos, text: lines.map((l) => l + nl).join('') });
  return true;
}

/** Inserts whole lines right after the line that holds `pos` (the end of a map's last entry). */
export function appendLines(ctx: Ctx, pos: number, lines: readonly string[]): void {
  const { text, nl } = ctx;
  const depth = indentOf(lines);
  if (pos > 0 && text[pos - 1] === '\n') {
    // The last entry ends with a line break (block scalar): insert at the start of the next line.
    ctx.splices.push({ start: pos, end: pos, text: lines.map((l) => l + nl).join(''), depth });
  } else {
    const at = lineEnd(text, pos);
    ctx.splices.push({ start: at, end: at, text: lines.map((l) => nl + l).join(''), depth });
  }
}

/** The column rendered block lines start at (their first line's indentation). */
export function indentOf(lines: readonly string[]): number {
  const first = lines[0] ?? '';
  return first.length - first.trimStart().length;
}

/**
 * Replaces an empty value (`key:`, `key: ~`, `key: {}`) of `pair` with a block map (or, in flow context, a flow
 * map) holding `rest` and `entries`. `valueEnd` is the end of the explicit empty value, if any.
 */
function replaceEmptyValue(
  ctx: Ctx,
  map: YAMLMap,
  pair: Pair,
  rest: readonly string[],
  entries: readonly Entry[],
  parentCol: number | null,
  valueEnd: number | null,
): void {
  const { text, nl } = ctx;
  const colon = afterColon(text, pair);
  const end = valueEnd ?? colon;
  if (map.flow) {
    ctx.splices.push({ start: colon, end, text: ` {${renderFlow(rest, entries, keyStyle(map))}}` });
    return;
  }
  const col = column(text, keyStart(pair));
  const step = parentCol !== null && col > parentCol ? col - parentCol : guessStep(text, map);
  const lines = renderBlock(rest, entries, col + step, step, keyStyle(map));
  const at = lineEnd(text, end);
  // Keep what followed the empty value on its line (a trailing comment), drop the `{}` / `~` and the space before.
  ctx.splices.push({
    start: colon,
    end: at,
    text: text.slice(end, at) + lines.map((l) => nl + l).join(''),
    depth: col + step,
  });
}

function renderBlock(
  rest: readonly string[],
  entries: readonly Entry[],
  col: number,
  step: number,
  style: KeyStyle,
): string[] {
  const lines: string[] = [];
  let indent = col;
  for (const key of rest) {
    lines.push(`${' '.repeat(indent)}${formatKey(key, false, style)}:`);
    indent += step;
  }
  for (const [k, v] of entries)
    lines.push(`${' '.repeat(indent)}${formatKey(k, false, style)}: ${formatValue(v, false)}`);
  return lines;
}

function renderFlow(rest: readonly string[], entries: readonly Entry[], style: KeyStyle): string {
  // In flow context new values are always double-quoted: record values contain commas.
  let out = entries.map(([k, v]) => `${formatKey(k, true, style)}: ${doubleQuote(v)}`).join(', ');
  for (let i = rest.length - 1; i >= 0; i--) {
    out = `${formatKey(rest[i]!, true, style)}: {${out}}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Verification

export type Group = {
  document: number;
  mapPath: (string | number)[];
  /** As {@link AnnotationEdit.within}; default `metadata.annotations`. */
  within?: readonly string[];
  entries: Map<string, string>;
};

/**
 * Re-reads the edited text and checks that its data equals the original data plus the annotations. The
 * data is read with js-yaml when the original reads with it (fast-data.ts: ~7x faster than composing
 * with `yaml`, and an independent parser); else with `yaml`.
 */
export function verify(
  text: string,
  before: readonly Document.Parsed[],
  after: string,
  groups: readonly Group[],
  extra?: (expected: unknown[]) => void,
): void {
  const fastBefore = fastManifestData(text);
  if (fastBefore) {
    const fastAfter = fastManifestData(after);
    if (!fastAfter) {
      throw new EditFailure('refusing the edit: the edited text does not read back as YAML', 'VERIFY_FAILED');
    }
    compareData(fastBefore, fastAfter, groups, extra);
    return;
  }
  let docs: Document.Parsed[];
  try {
    docs = parseStrict(after, 'the edited text is not valid YAML');
  } catch (err) {
    if (err instanceof InvalidYaml)
      throw new EditFailure(`refusing the edit: ${err.message}`, 'VERIFY_FAILED');
    throw err;
  }
  compareData(
    before.map((d) => d.toJS() as unknown),
    docs.map((d) => d.toJS() as unknown),
    groups,
    extra,
  );
}

/** Throws unless `actual` equals `original` with each group's annotations set. */
export function compareData(
  original: readonly unknown[],
  actual: readonly unknown[],
  groups: readonly Group[],
  extra?: (expected: unknown[]) => void,
): void {
  if (actual.length !== original.length) {
    throw new EditFailure(
      `refusing the edit: the file had ${original.length} documents and would have ${actual.length}`,
      'VERIFY_FAILED',
    );
  }
  const expected = [...original];
  for (const g of groups) {
    // Copy on write along the edited path: an anchor and its aliases share one object, and writing
    // through it would hide a change to the aliased copies.
    const root = expected[g.document];
    if (!isObject(root))
      throw new EditFailure(`refusing the edit: document ${g.document} is not a map`, 'VERIFY_FAILED');
    let obj: unknown = (expected[g.document] = { ...root });
    const copy = (next: unknown): unknown =>
      next === null || next === undefined
        ? {}
        : isObject(next)
          ? { ...next }
          : Array.isArray(next)
            ? [...next]
            : next;
    const steps = [...g.mapPath, ...(g.within ?? ANNOTATION_KEYS)];
    let followed = 0;
    for (const step of steps) {
      if (Array.isArray(obj) && typeof step === 'number') obj = obj[step] = copy(obj[step]);
      else if (isObject(obj) && typeof step === 'string') obj = obj[step] = copy(obj[step]);
      else break;
      followed++;
    }
    if (followed < steps.length || !isObject(obj)) {
      throw new EditFailure(
        `refusing the edit: document ${g.document}: ${g.mapPath.join('.')} is not a map`,
        'VERIFY_FAILED',
      );
    }
    for (const [k, v] of g.entries) obj[k] = v;
  }
  // Other edits planned in the same pass (edit-scalar.ts) set their own expectations.
  extra?.(expected);
  for (let i = 0; i < actual.length; i++) {
    const where = firstDifference(expected[i], actual[i], []);
    if (where !== null) {
      const edited = groups.filter((g) => g.document === i).map((g) => g.mapPath.join('.') || '(root)');
      throw new EditFailure(
        `refusing the edit: document ${i} would change at ${where || '(root)'} (editing annotations under ${
          edited.join(', ') || 'nothing'
        })`,
        'VERIFY_FAILED',
      );
    }
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The dotted path of the first difference between two `toJS()` values, or null when they are equal. */
export function firstDifference(a: unknown, b: unknown, path: string[]): string | null {
  if (Object.is(a, b)) return null;
  const here = path.join('.');
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return here;
  if (Array.isArray(a) !== Array.isArray(b)) return here;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime() ? null : here;
  }
  if (a instanceof Map || a instanceof Set || b instanceof Map || b instanceof Set) {
    const ea = [...(a as Map<unknown, unknown>).entries()];
    const eb = [...(b as Map<unknown, unknown>).entries()];
    return firstDifference(ea, eb, path);
  }
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    return ArrayBuffer.isView(a) && ArrayBuffer.isView(b) && String(a) === String(b) ? null : here;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) {
    const missing = ka.find((k) => !(k in b)) ?? kb.find((k) => !(k in a));
    return [...path, missing ?? ''].join('.');
  }
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return [...path, k].join('.');
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], [
      ...path,
      k,
    ]);
    if (d !== null) return d;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

/**
 * The string-valued annotations at `<mapPath>.metadata.annotations` of a parsed document, or null when there is
 * no such map. Non-string scalars are converted with `String()`; non-scalar values are skipped.
 */
export function readAnnotations(doc: Document, mapPath: readonly string[]): Record<string, string> | null {
  let node: unknown = doc.contents;
  for (const step of [...mapPath, ...ANNOTATION_KEYS]) {
    if (!isMap(node)) return null;
    node = findPair(node, step)?.value;
  }
  if (!isMap(node)) return null;
  const out: Record<string, string> = {};
  for (const pair of node.items) {
    if (isScalar(pair.key) && isScalar(pair.value) && pair.value.value !== null) {
      out[String(pair.key.value)] = String(pair.value.value);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Text helpers

export function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
}

export function keyStart(pair: Pair): number {
  const key = pair.key as Node | null;
  if (!key?.range) throw new EditFailure('a map entry without a key is not supported here', 'UNSUPPORTED');
  return key.range[0];
}

/** Offset just after the `:` that follows a pair's key. */
export function afterColon(text: string, pair: Pair): number {
  const key = pair.key as Node | null;
  if (!key?.range) throw new EditFailure('a map entry without a key is not supported here', 'UNSUPPORTED');
  let i = key.range[1];
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (text[i] !== ':') {
    throw new EditFailure('explicit keys (`? key`) are not supported for edits', 'UNSUPPORTED', key.range[0]);
  }
  return i + 1;
}

/** End offset of a pair's last content (its value, or the `:` when the value is empty). */
export function pairEnd(text: string, pair: Pair): number {
  const value = pair.value as Node | null;
  if (value?.range && !(isScalar(value) && value.range[0] === value.range[1])) return contentEnd(text, value);
  const key = pair.key as Node | null;
  if (key?.range) {
    let i = key.range[1];
    while (text[i] === ' ' || text[i] === '\t') i++;
    return text[i] === ':' ? i + 1 : key.range[1];
  }
  return value?.range?.[1] ?? 0;
}

/**
 * End offset of a node's last content, excluding the comments and blank lines that a block collection's range
 * swallows (they belong to whatever comes next).
 */
export function contentEnd(text: string, node: Node): number {
  if ((isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0) {
    const last = node.items[node.items.length - 1];
    if (isMap(node)) return pairEnd(text, last as Pair);
    if (last && typeof last === 'object' && 'range' in last && (last as Node).range)
      return contentEnd(text, last as Node);
  }
  return node.range![1];
}

export function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

/** Offset of the line break (before a `\r\n`'s `\r`) of the line holding `pos`, or the end of the text. */
export function lineEnd(text: string, pos: number): number {
  const i = text.indexOf('\n', pos);
  if (i < 0) return text.length;
  return text[i - 1] === '\r' ? i - 1 : i;
}

export function column(text: string, pos: number): number {
  const start = lineStart(text, pos);
  // The BOM is not indentation.
  return pos - start - (start === 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0);
}

export function linePos(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return { line, column: column(text, offset) + 1 };
}

export function detectNewline(text: string): string {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/** The file's indentation step, from the first nested block map of `map`; 2 if there is none. */
export function guessStep(text: string, map: YAMLMap): number {
  for (const pair of map.items) {
    const v = pair.value;
    if (isMap(v) && !v.flow && v.items.length > 0 && pair.key) {
      const d = column(text, keyStart(v.items[0]!)) - column(text, keyStart(pair));
      if (d > 0) return d;
    }
  }
  return 2;
}

export function applySplices(text: string, splices: Splice[]): string {
  const sorted = splices
    .map((s, i) => ({ ...s, i }))
    .sort((a, b) => a.start - b.start || a.end - b.end || byDepth(a, b) || a.i - b.i);
  let out = '';
  let at = 0;
  for (const s of sorted) {
    if (s.start < at) throw new EditFailure('two edits overlap in the same place', 'BAD_EDIT', s.start);
    out += text.slice(at, s.start) + s.text;
    at = s.end;
  }
  return out + text.slice(at);
}

/** Deeper block lines first among insertions at one offset (see {@link Splice.depth}); else planning order. */
function byDepth(a: Splice, b: Splice): number {
  return a.depth === undefined || b.depth === undefined ? 0 : b.depth - a.depth;
}

export function describe(node: unknown): string {
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return 'empty';
  if (isSeq(node)) return 'a sequence';
  if (isScalar(node)) {
    const shown = JSON.stringify(node.value) ?? String(node.value);
    return `a scalar (${shown.length > 40 ? `${shown.slice(0, 37)}...` : shown})`;
  }
  if (isAlias(node)) return 'an alias';
  return 'not a map';
}

// ---------------------------------------------------------------------------------------------------------------
// Scalar formatting

export function doubleQuote(value: string): string {
  return JSON.stringify(value);
}

export function formatValue(value: string, flow: boolean): string {
  return plainSafe(value, flow) ? value : doubleQuote(value);
}

export type KeyStyle = 'plain' | 'single' | 'double';

/** New keys follow the quoting of the map's first key (`"metadata":` in JSON-like files gets `"annotations":`). */
export function keyStyle(map: YAMLMap): KeyStyle {
  const key = map.items[0]?.key;
  if (isScalar(key) && key.type === Scalar.QUOTE_DOUBLE) return 'double';
  if (isScalar(key) && key.type === Scalar.QUOTE_SINGLE) return 'single';
  return 'plain';
}

export function formatKey(key: string, flow: boolean, style: KeyStyle): string {
  if (style === 'double') return doubleQuote(key);
  if (style === 'single' && !/[\r\n]/.test(key)) return `'${key.replace(/'/g, "''")}'`;
  return plainSafe(key, flow) ? key : doubleQuote(key);
}

/** Common values (`kv/a@3,kv/b@7`, `vault-rollout/secret-versions`) cannot be read as a number, bool or null. */
const FAST_PLAIN_BLOCK = /^[A-Za-z0-9_][\w./@,=+-]*$/;
const FAST_PLAIN_FLOW = /^[A-Za-z0-9_][\w./@=+-]*$/;

/**
 * Answers for values outside the fast pattern, per context: each costs a `yaml` parse (~0.3 ms), and a
 * run asks about the same few again and again (`version`, `"7"`, `annotations`); bounded.
 */
const plainAnswers = { block: new Map<string, boolean>(), flow: new Map<string, boolean>() };

/** Whether `value` written plain reads back as the same string. */
export function plainSafe(value: string, flow: boolean): boolean {
  if ((flow ? FAST_PLAIN_FLOW : FAST_PLAIN_BLOCK).test(value) && /[/@]/.test(value)) return true;
  if (value === '' || /[\r\n]/.test(value)) return false;
  const answers = flow ? plainAnswers.flow : plainAnswers.block;
  let safe = answers.get(value);
  if (safe === undefined) {
    safe = parsesPlain(value, flow);
    if (answers.size < 10_000) answers.set(value, safe);
  }
  return safe;
}

function parsesPlain(value: string, flow: boolean): boolean {
  const doc = parseDocument(flow ? `{k: ${value}}` : `k: ${value}`);
  if (doc.errors.length > 0 || doc.warnings.length > 0 || !isMap(doc.contents)) return false;
  const items = doc.contents.items;
  const v = items[0]?.value;
  return items.length === 1 && isScalar(v) && v.type === Scalar.PLAIN && v.value === value;
}
