/**
 * Text layout for terminals: a table that fits a width, and lines wrapped or cut to it. Pure: strings in,
 * strings out. Widths count UTF-16 units, which equals columns for the ASCII and the few single-width
 * symbols (`·`, `×`, `→`, `…`) these reports print.
 */

/** How a column may give up width when the table is too wide. */
export interface ColumnSpec {
  header: string;
  /**
   * Narrowest width the column is cut to, or absent: never cut (short values such as an action).
   * Columns are cut widest first, so no one column loses everything.
   */
  min?: number;
  /**
   * Which part of a cut value is kept: `start` for names and lists, `path` for file paths (the file name
   * and as many folders before it as fit).
   */
  keep?: 'start' | 'path';
  /** How much width the column deserves against the others when cutting (default 1). */
  weight?: number;
}

export const ELLIPSIS = '…';

/**
 * Cuts `text` to `width`, marking the cut with `…`: at the end, or with `keep: 'path'` in place of the
 * leading folders (`…/payments/api.yaml`), whole folders first.
 */
export function cut(text: string, width: number, keep: 'start' | 'path' = 'start'): string {
  if (text.length <= width) return text;
  if (width <= 1) return ELLIPSIS.slice(0, width);
  if (keep === 'start') return `${text.slice(0, width - 1)}${ELLIPSIS}`;
  const parts = text.split('/');
  for (let i = 1; i < parts.length; i++) {
    const rest = `${ELLIPSIS}/${parts.slice(i).join('/')}`;
    if (rest.length <= width) return rest;
  }
  return `${ELLIPSIS}${text.slice(-(width - 1))}`;
}

const GAP = '  ';

/**
 * Lays out `rows` under `columns` with two spaces between columns, cutting the columns that allow it
 * (the widest for its weight first, never below their `min`) until every line is at most `width`
 * long. With `width` null nothing is cut. Trailing spaces are trimmed.
 *
 * @example
 * fitTable([{ header: 'NAME' }, { header: 'FILE', min: 10, keep: 'path' }], [['web', 'apps/prod/web.yaml']], 20)
 * // 'NAME  FILE\nweb   …/prod/web.yaml'
 */
export function fitTable(
  columns: readonly ColumnSpec[],
  rows: readonly string[][],
  width: number | null,
): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  if (width !== null) {
    const total = () => widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
    let excess = total() - width;
    while (excess > 0) {
      // The widest column for its weight that may still give up width loses one column, and so on.
      let pick = -1;
      const share = (i: number) => widths[i]! / (columns[i]!.weight ?? 1);
      for (let i = 0; i < columns.length; i++) {
        const min = columns[i]!.min;
        if (min === undefined || widths[i]! <= Math.max(min, columns[i]!.header.length)) continue;
        if (pick < 0 || share(i) > share(pick)) pick = i;
      }
      if (pick < 0) break; // every column at its narrowest: a very small terminal gets a wider table
      widths[pick]! -= 1;
      excess -= 1;
    }
  }
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => cut(c, widths[i]!, columns[i]!.keep).padEnd(widths[i]!))
      .join(GAP)
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)].join('\n');
}

/**
 * Wraps `text` at spaces so that no line is longer than `width`; continuation lines start with `indent`.
 * A word longer than a line is cut into pieces. With `width` null the text is returned as it is.
 */
export function wrap(text: string, width: number | null, indent = ''): string[] {
  if (width === null || text.length <= width) return [text];
  const room = Math.max(8, width - indent.length);
  const lines: string[] = [];
  // The text's own leading spaces stay on its first line.
  const lead = /^ */.exec(text)![0];
  let current = lead;
  let limit = Math.max(8, width);
  for (const word of text.slice(lead.length).split(' ')) {
    if (word === '') {
      current += ' '; // a run of spaces (aligned columns) is kept
      continue;
    }
    let w = word;
    while (w.length > 0) {
      const sep = current.trim() === '' ? '' : ' ';
      if (current.length + sep.length + w.length <= limit) {
        current += sep + w;
        w = '';
      } else if (current !== '' && w.length <= room) {
        lines.push(current);
        current = '';
        limit = room;
      } else {
        // A word that does not fit on a line of its own: fill this line with its start.
        const space = limit - current.length - sep.length;
        if (space <= 0) {
          lines.push(current);
          current = '';
          limit = room;
          continue;
        }
        current += sep + w.slice(0, space);
        w = w.slice(space);
        lines.push(current);
        current = '';
        limit = room;
      }
    }
  }
  if (current !== '' || lines.length === 0) lines.push(current);
  return lines.map((l, i) => (i === 0 ? l : `${indent}${l.trimStart()}`).trimEnd());
}
