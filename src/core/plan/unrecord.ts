/**
 * Removes a record or trigger annotation that an earlier version wrote in place into a document which
 * is now reached through the roots' own layers (own-layer.ts): the annotation's line goes, and its
 * `annotations:` line too when it was the only entry. No other byte changes; the result is read back and
 * must equal the document's data without those keys, else nothing is removed.
 */
import { isMap, isScalar, parseAllDocuments, type Pair } from 'yaml';

type Range = [number, number, number];

const lineStart = (text: string, at: number) => text.lastIndexOf('\n', at - 1) + 1;
const nextLine = (text: string, at: number) => {
  const i = text.indexOf('\n', at);
  return i < 0 ? text.length : i + 1;
};

/**
 * @param paths the maps that hold the annotation (e.g. `metadata.annotations`), as key paths
 * @returns the new text, or null when it cannot be removed line by line
 */
export function removeAnnotation(
  text: string,
  document: number,
  paths: readonly (readonly (string | number)[])[],
  key: string,
): string | null {
  const docs = parseAllDocuments(text, { keepSourceTokens: false });
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return null;
  const doc = docs[document];
  if (!doc) return null;
  const cuts: [number, number][] = [];
  const expected = docs.map((d) => d.toJS() as unknown);
  for (const path of paths) {
    const map = doc.getIn(path, true);
    if (!isMap(map) || map.flow) return null;
    const pair = map.items.find((p: Pair) => isScalar(p.key) && p.key.value === key);
    if (!pair || !isScalar(pair.value)) continue;
    const [start] = (pair.key as { range: Range }).range;
    const end = (pair.value as { range: Range }).range[1];
    if (text.slice(lineStart(text, start), start).trim() !== '') return null;
    if (text.slice(start, end).includes('\n')) return null;
    let from = lineStart(text, start);
    if (map.items.length === 1) {
      // The map's key line (`annotations:`) goes too: it must hold the key alone.
      const parent = doc.getIn(path.slice(0, -1), true);
      if (!isMap(parent) || parent.flow) return null;
      const own = parent.items.find((p: Pair) => isScalar(p.key) && p.key.value === path[path.length - 1]);
      if (!own) return null;
      const keyStart = (own.key as { range: Range }).range[0];
      const keyLine = lineStart(text, keyStart);
      if (!/^\s*[\w"'./-]+\s*:\s*$/.test(text.slice(keyLine, nextLine(text, keyStart)).replace(/\r?\n$/, '')))
        return null;
      from = keyLine;
    }
    cuts.push([from, nextLine(text, end)]);
    // The data it must read as: the key gone, and the map too when it held only that key.
    let node = expected[document] as Record<string, unknown>;
    for (const seg of path.slice(0, -1)) node = node[seg as string] as Record<string, unknown>;
    const last = path[path.length - 1] as string;
    const inner = node[last] as Record<string, unknown>;
    delete inner[key];
    if (Object.keys(inner).length === 0) delete node[last];
  }
  if (cuts.length === 0) return text;
  cuts.sort((a, b) => b[0] - a[0]);
  let out = text;
  for (const [from, to] of cuts) out = `${out.slice(0, from)}${out.slice(to)}`;
  const after = parseAllDocuments(out);
  if (!Array.isArray(after) || after.some((d) => d.errors.length > 0)) return null;
  if (JSON.stringify(after.map((d) => d.toJS() as unknown)) !== JSON.stringify(expected)) return null;
  return out;
}
