/**
 * One set of parse options for every reader of manifests, so a document parsed by discovery can be handed
 * to the editor (saving a parse per edited file) and compares equal with the editor's verification parse.
 */
import {
  isScalar,
  LineCounter,
  parseAllDocuments,
  parseDocument,
  visit,
  YAMLParseError,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
  type ToJSOptions,
} from 'yaml';

export const MANIFEST_PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions & ToJSOptions = {
  // Kubernetes' YAML reader (go-yaml) resolves `<<` merge keys, so the data view does too.
  merge: true,
  uniqueKeys: true,
  // yaml warns through process.emitWarning (e.g. for a `{{ x }}:` key); the core must not log.
  logLevel: 'error',
};

/**
 * `parseAllDocuments` with {@link MANIFEST_PARSE_OPTIONS}, and duplicate keys found in linear time.
 * yaml's own `uniqueKeys` check compares each new key with every earlier key of its map
 * (`items.some(...)`): quadratic, 3 s of a 1 MB ConfigMap's 4 s `plan`, minutes at 4 MB. So yaml parses
 * with `uniqueKeys: false`, and {@link addDuplicateKeyErrors} reports the same errors with a Set.
 */
export function parseManifestStream(
  text: string,
  extra: ParseOptions & DocumentOptions & SchemaOptions = {},
): Document.Parsed[] {
  const lineCounter = extra.lineCounter ?? new LineCounter();
  // An empty stream comes back as an EmptyStream: an empty array with extra fields.
  const docs = parseAllDocuments(text, {
    ...MANIFEST_PARSE_OPTIONS,
    ...extra,
    lineCounter,
    uniqueKeys: false,
  }) as Document.Parsed[];
  for (const doc of docs) addDuplicateKeyErrors(doc, lineCounter, extra.prettyErrors !== false);
  return docs;
}

/** `parseDocument` with {@link MANIFEST_PARSE_OPTIONS} and the linear duplicate-key check. */
export function parseManifestDocument(
  text: string,
  extra: ParseOptions & DocumentOptions & SchemaOptions = {},
): Document.Parsed {
  const lineCounter = extra.lineCounter ?? new LineCounter();
  const doc = parseDocument(text, { ...MANIFEST_PARSE_OPTIONS, ...extra, lineCounter, uniqueKeys: false });
  addDuplicateKeyErrors(doc, lineCounter, extra.prettyErrors !== false);
  return doc;
}

/**
 * Adds yaml's `DUPLICATE_KEY` error for every key equal to an earlier key of the same map, as yaml's
 * `uniqueKeys: true` decides equality (the same node, or scalars with the same value; merge keys `<<`
 * may repeat), with the position and first message line yaml would give.
 */
function addDuplicateKeyErrors(doc: Document.Parsed, lineCounter: LineCounter, pretty: boolean): void {
  const found: YAMLParseError[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key) || (key.value !== null && typeof key.value === 'object')) continue;
        // With `merge: true` yaml reads `<<` as a merge key (a symbol value), which may repeat.
        if (typeof key.value === 'symbol') continue;
        if (typeof key.value === 'number' && Number.isNaN(key.value)) continue;
        if (!seen.has(key.value)) {
          seen.add(key.value);
          continue;
        }
        const start = key.range?.[0] ?? 0;
        const error = new YAMLParseError([start, start + 1], 'DUPLICATE_KEY', 'Map keys must be unique');
        error.linePos = [lineCounter.linePos(start), lineCounter.linePos(start + 1)];
        if (pretty) error.message += ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}:\n`;
        found.push(error);
      }
    },
  });
  if (found.length === 0) return;
  doc.errors.push(...found);
  doc.errors.sort((a, b) => a.pos[0] - b.pos[0]);
}
