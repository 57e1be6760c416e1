/**
 * Surgical scalar edits at a key path: set (or insert) one scalar, or rewrite a substring of a string scalar,
 * by splicing the source text at the node ranges the `yaml` package reports, like edit-annotations.ts and with
 * its helpers. Version pins use it (docs/annotations.md): `spec.data[0].remoteRef.version` of an
 * ExternalSecret, `spec.version` of a VaultStaticSecret, `avp.kubernetes.io/secret-version`, or the
 * `#version` suffix of an argocd-vault-plugin placeholder inside a longer string.
 *
 * The result is parsed again and must equal the original data with exactly these values changed (and, with
 * {@link applyFileEdits}, the annotations set as well): anything else and the edit is refused.
 */
import { isAlias, isMap, isScalar, isSeq, Scalar } from 'yaml';
import type { Document, Node, Pair, YAMLMap } from 'yaml';
import {
  afterColon,
  annotationSplices,
  appendLines,
  applySplices,
  checkExpected,
  column,
  contentEnd,
  describe,
  detectNewline,
  doubleQuote,
  EditFailure,
  failedEdit,
  findPair,
  formatKey,
  formatValue,
  guessStep,
  isObject,
  keyStart,
  keyStyle,
  pairEnd,
  parseStrict,
  verify,
  type AnnotationEdit,
  type Ctx,
  type EditResult,
  type Group,
} from './edit-annotations.js';

/** A step of a key path: a map key, or an index into a sequence. */
export type PathStep = string | number;

/** One scalar edit of a document. */
export type ScalarEdit = {
  /** 0-based index of the YAML document in the file, as `parseAllDocuments` counts them. */
  document: number;
  /** Key path from the document root, e.g. `['spec', 'data', 0, 'remoteRef', 'version']`. */
  path: readonly PathStep[];
  /** The object the document must be (its `kind` and `metadata.name`), as for annotation edits. */
  expect?: { kind: string; name: string };
} & (
  | {
      /**
       * The value to write: a string stays a string (quoted when plain would read as a number, e.g. `"7"`),
       * a number is written as a YAML integer. Missing map keys along the path are created; sequence
       * indices must exist.
       */
      set: string | number;
    }
  | {
      /** Replace every occurrence of `from` by `to` in the string scalar at `path` (which must exist). */
      replace: { from: string; to: string };
    }
);

/**
 * Applies scalar edits, keeping every other byte.
 * @example
 * applyScalarEdits(text, [{ document: 0, path: ['spec', 'version'], set: 7 }]);
 * applyScalarEdits(text, [{ document: 0, path: ['spec', 'data', 0, 'remoteRef', 'version'], set: '7' }]);
 */
export function applyScalarEdits(text: string, edits: readonly ScalarEdit[]): EditResult {
  return applyFileEdits(text, { scalars: edits });
}

/**
 * Annotation edits (edit-annotations.ts) and scalar edits of one file, planned against one parse, spliced in
 * one pass and verified together: a file gets its record, its trigger and its version pins at once, or
 * nothing.
 */
export function applyFileEdits(
  text: string,
  edits: { annotations?: readonly AnnotationEdit[]; scalars?: readonly ScalarEdit[] },
): EditResult {
  try {
    const docs = parseStrict(text, 'not valid YAML');
    const annotations = edits.annotations ?? [];
    const scalars = edits.scalars ?? [];
    if (annotations.length === 0 && scalars.length === 0) return { ok: true, text };
    const planned: { splices: Ctx['splices']; groups: Group[] } =
      annotations.length > 0 ? annotationSplices(text, docs, annotations) : { splices: [], groups: [] };
    const ctx: Ctx = { text, nl: detectNewline(text), splices: planned.splices, where: '' };
    for (const e of scalars) planScalar(ctx, docs, e);
    const after = applySplices(text, ctx.splices);
    verify(text, docs, after, planned.groups, (expected) => expectScalars(expected, scalars));
    return { ok: true, text: after };
  } catch (err) {
    return failedEdit(text, err);
  }
}

/** `spec.data[0].remoteRef.version` */
export function formatPath(path: readonly PathStep[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function planScalar(ctx: Ctx, docs: readonly Document.Parsed[], e: ScalarEdit): void {
  ctx.where = `document ${e.document}`;
  const doc = docs[e.document];
  if (!doc) {
    throw new EditFailure(
      `${ctx.where} does not exist (the file has ${docs.length} document${docs.length === 1 ? '' : 's'})`,
      'BAD_EDIT',
    );
  }
  if (e.expect) checkExpected(ctx.where, doc, e.expect);
  if (e.path.length === 0) throw new EditFailure(`${ctx.where}: an empty key path`, 'BAD_EDIT');

  let node: unknown = doc.contents;
  let parentCol: number | null = null;
  for (let i = 0; i < e.path.length; i++) {
    const step = e.path[i]!;
    const here = formatPath(e.path.slice(0, i + 1));
    const last = i === e.path.length - 1;
    if (isAlias(node)) {
      throw new EditFailure(`${ctx.where}: ${here} goes through an alias`, 'UNSUPPORTED', node.range?.[0]);
    }
    if (typeof step === 'number') {
      if (!isSeq(node) || step < 0 || step >= node.items.length) {
        throw new EditFailure(`${ctx.where}: ${here} does not exist`, 'BAD_EDIT', (node as Node)?.range?.[0]);
      }
      const item = node.items[step];
      if (last) throw new EditFailure(`${ctx.where}: ${here}: only map values are edited`, 'UNSUPPORTED');
      node = item;
      parentCol = null;
      continue;
    }
    if (!isMap(node)) {
      throw new EditFailure(
        `${ctx.where}: ${formatPath(e.path.slice(0, i)) || '(root)'} is ${describe(node)}, not a map`,
        'NOT_A_MAP',
        (node as Node | null)?.range?.[0],
      );
    }
    const pair = findPair(node, step);
    if (!pair) {
      if (!('set' in e)) throw new EditFailure(`${ctx.where}: ${here} does not exist`, 'BAD_EDIT');
      const rest = e.path.slice(i + 1);
      if (rest.some((s) => typeof s === 'number')) {
        throw new EditFailure(`${ctx.where}: ${here} does not exist`, 'BAD_EDIT', node.range?.[0]);
      }
      insertPair(ctx, node, [step, ...(rest as string[])], e.set, parentCol);
      return;
    }
    if (last) {
      writeValue(ctx, node, pair, e, here);
      return;
    }
    const value = pair.value as Node | null;
    if (value == null || (isScalar(value) && value.value === null)) {
      if (!('set' in e)) throw new EditFailure(`${ctx.where}: ${here} is empty`, 'BAD_EDIT');
      const rest = e.path.slice(i + 1);
      if (rest.some((s) => typeof s === 'number') || node.flow) {
        throw new EditFailure(`${ctx.where}: ${here} is empty`, 'UNSUPPORTED', keyStart(pair));
      }
      // `key:` (or `key: ~`) becomes a block map holding the rest of the path.
      const col = column(ctx.text, keyStart(pair));
      const step2 = parentCol !== null && col > parentCol ? col - parentCol : guessStep(ctx.text, node);
      const lines = renderLines(rest as string[], e.set, col + step2, step2, keyStyle(node));
      const colon = afterColon(ctx.text, pair);
      const end = value?.range && value.range[0] < value.range[1] ? value.range[1] : colon;
      ctx.splices.push({
        start: colon,
        end,
        text: lines.map((l) => ctx.nl + l).join(''),
        depth: col + step2,
      });
      return;
    }
    parentCol = node.flow ? null : column(ctx.text, keyStart(pair));
    node = value;
  }
}

/** Sets or rewrites the scalar value of an existing pair. */
function writeValue(ctx: Ctx, map: YAMLMap, pair: Pair, e: ScalarEdit, here: string): void {
  const node = pair.value as Node | null;
  const { text } = ctx;
  if ('replace' in e) {
    if (!isScalar(node) || typeof node.value !== 'string' || !node.range) {
      throw new EditFailure(`${ctx.where}: ${here} is ${describe(node)}, not a string`, 'BAD_EDIT');
    }
    const { from, to } = e.replace;
    const wanted = node.value.split(from).length - 1;
    if (wanted === 0 && node.value.includes(to)) return; // already rewritten
    if (wanted === 0) throw new EditFailure(`${ctx.where}: ${here} does not contain "${from}"`, 'BAD_EDIT');
    // The text must appear in the source as it reads (no escapes, no line folded inside it).
    const [start, end] = node.range;
    const found: number[] = [];
    for (
      let at = text.indexOf(from, start);
      at >= 0 && at + from.length <= end;
      at = text.indexOf(from, at + 1)
    )
      found.push(at);
    if (found.length !== wanted) {
      throw new EditFailure(
        `${ctx.where}: ${here}: "${from}" is escaped or folded in the source; edit it by hand`,
        'UNSUPPORTED',
        start,
      );
    }
    for (const at of found) ctx.splices.push({ start: at, end: at + from.length, text: to });
    return;
  }
  const value = e.set;
  if (isScalar(node) && node.value === value) return; // already set: byte-identical output
  if (!node || !node.range || (isScalar(node) && node.range[0] === node.range[1])) {
    const at = afterColon(text, pair);
    ctx.splices.push({ start: at, end: at, text: ' ' + format(value, !!map.flow) });
    return;
  }
  if (!isScalar(node) || node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
    throw new EditFailure(
      `${ctx.where}: ${here} is ${describe(node)}, not a scalar`,
      'UNSUPPORTED',
      node.range[0],
    );
  }
  let out: string;
  if (typeof value === 'number') out = String(value);
  else if (node.type === Scalar.QUOTE_SINGLE) out = `'${value.replace(/'/g, "''")}'`;
  else if (node.type === Scalar.QUOTE_DOUBLE) out = doubleQuote(value);
  else out = format(value, !!map.flow);
  ctx.splices.push({ start: node.range[0], end: node.range[1], text: out });
}

/** Adds `keys[0]: { keys[1]: { ... : value } }` to an existing map. */
function insertPair(
  ctx: Ctx,
  map: YAMLMap,
  keys: readonly string[],
  value: string | number,
  parentCol: number | null,
): void {
  const { text } = ctx;
  const style = keyStyle(map);
  if (map.flow) {
    let piece = `${formatKey(keys[keys.length - 1]!, true, style)}: ${format(value, true)}`;
    for (let i = keys.length - 2; i >= 0; i--) piece = `${formatKey(keys[i]!, true, style)}: {${piece}}`;
    if (map.items.length === 0) {
      const open = map.range![0];
      ctx.splices.push({ start: open + 1, end: open + 1, text: piece });
    } else {
      const end = pairEnd(text, map.items[map.items.length - 1]!);
      ctx.splices.push({ start: end, end, text: `, ${piece}` });
    }
    return;
  }
  if (map.items.length === 0) throw new EditFailure(`${ctx.where}: an empty block map`, 'UNSUPPORTED');
  const col = column(text, keyStart(map.items[0]!));
  const step = parentCol !== null && col > parentCol ? col - parentCol : guessStep(text, map);
  appendLines(ctx, contentEnd(text, map), renderLines(keys, value, col, step, style));
}

function renderLines(
  keys: readonly string[],
  value: string | number,
  col: number,
  step: number,
  style: ReturnType<typeof keyStyle>,
): string[] {
  const lines: string[] = [];
  keys.forEach((key, i) => {
    const pad = ' '.repeat(col + i * step);
    const k = formatKey(key, false, style);
    lines.push(i === keys.length - 1 ? `${pad}${k}: ${format(value, false)}` : `${pad}${k}:`);
  });
  return lines;
}

function format(value: string | number, flow: boolean): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new EditFailure(`not an integer: ${value}`, 'BAD_EDIT');
    return String(value);
  }
  return formatValue(value, flow);
}

/** Applies the scalar edits to the expected data, copying on write along each path (aliases share objects). */
export function expectScalars(expected: unknown[], edits: readonly ScalarEdit[]): void {
  for (const e of edits) {
    let parent: unknown = expected;
    let step: PathStep = e.document;
    for (const next of e.path) {
      const container = parent as Record<PathStep, unknown>;
      const current = container[step];
      const copy: unknown = Array.isArray(current)
        ? [...(current as unknown[])]
        : isObject(current)
          ? { ...current }
          : current === null || current === undefined
            ? {}
            : current;
      container[step] = copy;
      parent = copy;
      step = next;
    }
    if (typeof parent !== 'object' || parent === null) {
      throw new EditFailure(`refusing the edit: ${formatPath(e.path)} is not in a map`, 'VERIFY_FAILED');
    }
    const holder = parent as Record<PathStep, unknown>;
    if ('set' in e) holder[step] = e.set;
    else holder[step] = String(holder[step]).split(e.replace.from).join(e.replace.to);
  }
}
