/**
 * The unified diff of `plan`, in time that grows with the files, not with files × edits.
 *
 * jsdiff's Myers diff costs O(N·D) (lines × differing lines): a file of 4,000 Deployments that all get a
 * record took 2 s in it, and 16,000 would take half a minute. Here the line script comes from patience
 * anchoring (lines that occur exactly once on each side, kept in order), which splits the files into
 * small gaps around each edit; only a gap is handed to jsdiff's Myers (`diffArrays`). The hunks are
 * grouped exactly as jsdiff's `structuredPatch` groups them and printed by its `formatPatch`, so the
 * output has the same shape as before.
 */
import { diffArrays, formatPatch, type StructuredPatchHunk } from 'diff';

interface Block {
  kind: ' ' | '-' | '+';
  /** Lines with their newline, as jsdiff keeps them (the last one may have none). */
  lines: string[];
}

/** Splits into lines, each keeping its `\n`; a final line without one stays without. */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const out = text.split('\n');
  const last = out.pop()!;
  const lines = out.map((l) => `${l}\n`);
  if (last !== '') lines.push(last);
  return lines;
}

/** Appends one line to the script, merging with the block before it. */
function push(blocks: Block[], kind: Block['kind'], line: string): void {
  const last = blocks[blocks.length - 1];
  if (last && last.kind === kind) last.lines.push(line);
  else blocks.push({ kind, lines: [line] });
}

/** The longest increasing run of `pairs[i][1]` (pairs sorted by `[0]`), in O(n log n). */
function longestIncreasing(pairs: readonly [number, number][]): [number, number][] {
  const tails: number[] = [];
  const previous = new Array<number>(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    const value = pairs[i]![1];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]!]![1] < value) lo = mid + 1;
      else hi = mid;
    }
    previous[i] = lo > 0 ? tails[lo - 1]! : -1;
    tails[lo] = i;
  }
  const out: [number, number][] = [];
  for (let i = tails.length > 0 ? tails[tails.length - 1]! : -1; i >= 0; i = previous[i]!)
    out.push(pairs[i]!);
  return out.reverse();
}

/** The edit script of `a[alo, ahi)` → `b[blo, bhi)`, appended to `blocks`. */
function script(
  a: readonly string[],
  b: readonly string[],
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
  blocks: Block[],
): void {
  // Common head and tail.
  while (alo < ahi && blo < bhi && a[alo] === b[blo]) {
    push(blocks, ' ', a[alo]!);
    alo++;
    blo++;
  }
  let tail = 0;
  while (ahi - tail > alo && bhi - tail > blo && a[ahi - tail - 1] === b[bhi - tail - 1]) tail++;
  ahi -= tail;
  bhi -= tail;
  if (alo < ahi && blo < bhi) {
    // Lines that occur exactly once on each side anchor the gaps between them.
    const count = new Map<string, { a: number; b: number; at: number; bt: number }>();
    for (let i = alo; i < ahi; i++) {
      const c = count.get(a[i]!);
      if (c) c.a++;
      else count.set(a[i]!, { a: 1, b: 0, at: i, bt: -1 });
    }
    for (let j = blo; j < bhi; j++) {
      const c = count.get(b[j]!);
      if (c) {
        c.b++;
        c.bt = j;
      }
    }
    const pairs: [number, number][] = [];
    for (const c of count.values()) if (c.a === 1 && c.b === 1) pairs.push([c.at, c.bt]);
    pairs.sort((x, y) => x[0] - y[0]);
    const anchors = longestIncreasing(pairs);
    if (anchors.length === 0) {
      // No anchor: Myers on this gap alone (removed lines before added ones, as jsdiff writes them).
      for (const change of diffArrays(a.slice(alo, ahi), b.slice(blo, bhi))) {
        const kind = change.added ? '+' : change.removed ? '-' : ' ';
        for (const line of change.value) push(blocks, kind, line);
      }
    } else {
      let i = alo;
      let j = blo;
      for (const [ai, bj] of anchors) {
        script(a, b, i, ai, j, bj, blocks);
        push(blocks, ' ', a[ai]!);
        i = ai + 1;
        j = bj + 1;
      }
      script(a, b, i, ahi, j, bhi, blocks);
    }
  } else {
    for (let i = alo; i < ahi; i++) push(blocks, '-', a[i]!);
    for (let j = blo; j < bhi; j++) push(blocks, '+', b[j]!);
  }
  for (let k = 0; k < tail; k++) push(blocks, ' ', a[ahi + k]!);
}

/** Hunks with `context` lines around each change, grouped as jsdiff's structuredPatch groups them. */
function hunks(blocks: readonly Block[], context: number): StructuredPatchHunk[] {
  const out: StructuredPatchHunk[] = [];
  const diff = [...blocks, { kind: ' ' as const, lines: [] }];
  let oldRangeStart = 0;
  let newRangeStart = 0;
  let range: string[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (let i = 0; i < diff.length; i++) {
    const { kind, lines } = diff[i]!;
    if (kind !== ' ') {
      if (!oldRangeStart) {
        const prev = diff[i - 1];
        oldRangeStart = oldLine;
        newRangeStart = newLine;
        if (prev) {
          range = context > 0 ? prev.lines.slice(-context).map((l) => ` ${l}`) : [];
          oldRangeStart -= range.length;
          newRangeStart -= range.length;
        }
      }
      for (const line of lines) range.push(`${kind}${line}`);
      if (kind === '+') newLine += lines.length;
      else oldLine += lines.length;
      continue;
    }
    if (oldRangeStart) {
      if (lines.length <= context * 2 && i < diff.length - 2) {
        for (const line of lines) range.push(` ${line}`);
      } else {
        const size = Math.min(lines.length, context);
        for (const line of lines.slice(0, size)) range.push(` ${line}`);
        out.push({
          oldStart: oldRangeStart,
          oldLines: oldLine - oldRangeStart + size,
          newStart: newRangeStart,
          newLines: newLine - newRangeStart + size,
          lines: range,
        });
        oldRangeStart = 0;
        newRangeStart = 0;
        range = [];
      }
    }
    oldLine += lines.length;
    newLine += lines.length;
  }
  // Lines lose their newline; one that had none gets jsdiff's marker after it.
  for (const hunk of out) {
    const lines: string[] = [];
    for (const line of hunk.lines) {
      if (line.endsWith('\n')) lines.push(line.slice(0, -1));
      else lines.push(line, '\\ No newline at end of file');
    }
    hunk.lines = lines;
  }
  return out;
}

/**
 * A unified diff of one file, as jsdiff's `createTwoFilesPatch(oldName, newName, before, after)` prints
 * it with `context` lines (without its `===` underline).
 * @example unifiedDiff('a/x.yaml', 'b/x.yaml', 'a: 1\n', 'a: 2\n')
 */
export function unifiedDiff(
  oldName: string,
  newName: string,
  before: string,
  after: string,
  context = 3,
): string {
  const a = splitLines(before);
  const b = splitLines(after);
  const blocks: Block[] = [];
  script(a, b, 0, a.length, 0, b.length, blocks);
  return formatPatch(
    {
      oldFileName: oldName,
      newFileName: newName,
      oldHeader: undefined,
      newHeader: undefined,
      hunks: hunks(blocks, context),
    },
    { includeIndex: false, includeUnderline: false, includeFileHeaders: true },
  );
}
