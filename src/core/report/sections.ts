/**
 * Tables for many clusters: rows grouped by environment, then render root, each root named by the part of
 * its path that tells it apart from the others (`clusters/prod-eu/apps/web` and `clusters/prod-us/apps/web`
 * read `prod-eu/web` and `prod-us/web`), so a 100-column terminal never cuts it to `…/web`.
 */

/**
 * Short labels for render roots: the path segments in which they differ. Roots of one depth drop every
 * segment all of them share at the same place; others drop only the shared leading folders. `.` is the
 * repository root. A label two roots would share falls back to the full paths.
 */
export function rootLabels(roots: readonly string[]): Map<string, string> {
  const unique = [...new Set(roots)];
  const full = new Map(unique.map((r) => [r, r || '.']));
  if (unique.length < 2) return full;
  const split = unique.map((r) => (r === '' ? [] : r.split('/')));
  const depth = split[0]!.length;
  let labels: string[];
  if (depth > 0 && split.every((s) => s.length === depth)) {
    const same = (i: number) => split.every((s) => s[i] === split[0]![i]);
    labels = split.map((s) => s.filter((_, i) => !same(i)).join('/'));
  } else {
    let common = 0;
    const shortest = Math.min(...split.map((s) => s.length));
    while (common < shortest && split.every((s) => s[common] === split[0]![common])) common++;
    labels = split.map((s) => s.slice(common).join('/'));
  }
  labels = labels.map((l) => l || '.');
  if (new Set(labels).size !== labels.length) return full;
  return new Map(unique.map((r, i) => [r, labels[i]!]));
}

/** What a row is grouped by. */
export interface Placed {
  environment: string | null;
  root: string | null;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Indexes of `items` ordered by environment, then root; order kept within a root. */
export function sectionOrder(items: readonly Placed[]): number[] {
  return items
    .map((_, i) => i)
    .sort(
      (a, b) =>
        compare(items[a]!.environment ?? '', items[b]!.environment ?? '') ||
        compare(items[a]!.root ?? '', items[b]!.root ?? '') ||
        a - b,
    );
}

/**
 * Inserts a heading line before the rows of each environment (a blank line, then `Environment prod: 7
 * workloads in 3 roots`), into a fitted table whose last lines are the rows.
 * @param table the fitted table text (header first; an optional note may precede it)
 * @param rows per table row, its item (rows are in section order)
 * @param distinct the distinct workload id of an item (file and document)
 */
export function withEnvironmentHeadings(
  table: string,
  rows: readonly Placed[],
  distinct: (row: number) => string,
): string {
  if (rows.every((r) => r.environment === null)) return table;
  const lines = table.split('\n');
  const first = lines.length - rows.length;
  const out = lines.slice(0, first);
  let current: string | null | undefined;
  rows.forEach((row, i) => {
    if (row.environment !== current) {
      current = row.environment;
      const these = rows.map((r, j) => [r, j] as const).filter(([r]) => r.environment === current);
      const workloads = new Set(these.map(([, j]) => distinct(j))).size;
      const roots = new Set(these.map(([r]) => r.root)).size;
      out.push(
        '',
        `Environment ${current ?? '(none)'}: ${workloads} workload${workloads === 1 ? '' : 's'} in ${roots} root${roots === 1 ? '' : 's'}`,
      );
    }
    out.push(lines[first + i]!);
  });
  return out.join('\n');
}
