/**
 * Fast read of a manifest's data with js-yaml, for discovery and for verifying edits.
 *
 * Why two YAML libraries: `yaml` (eemeli) gives the node ranges that byte-preserving edits need, but
 * composing a document costs ~180 µs for a 650-byte manifest here; js-yaml 4 reads the same data in
 * ~25 µs. On the 10,000-file benchmark that is most of `plan`'s time. js-yaml is used only where data is
 * enough, with the same schema as `yaml`'s (YAML 1.2 core + `<<` merge keys, as Kubernetes reads them).
 * Over the 406 files of the corpus both libraries give equal data and reject the same 64 files;
 * they differ only on comment-only documents (js-yaml: one null document, yaml: none), so files with
 * an empty document, and files with anchors (js-yaml shares aliased objects instead of expanding them
 * under a limit), are left to `yaml`: the caller falls back when this returns null.
 */
import jsyaml from 'js-yaml';
import { parseManifestStream } from './options.js';

// `types` is exported at run time but missing from @types/js-yaml 4.0.9.
const { merge } = (jsyaml as unknown as { types: { merge: jsyaml.Type } }).types;
const SCHEMA = jsyaml.CORE_SCHEMA.extend([merge]);

/** An anchor (`&name`) anywhere outside a plain word: such files go through `yaml`'s alias limits. */
const ANCHOR = /(?:^|[\s[{,:-])&[^\s,[\]{}]/m;

/**
 * The data of every document, or null when this fast path does not apply (invalid YAML, an empty
 * document, anchors): the caller then parses with `yaml`, which also gives positioned errors.
 */
export function fastManifestData(text: string): unknown[] | null {
  if (ANCHOR.test(text)) return null;
  let docs: unknown[];
  try {
    // json: false makes duplicate keys an error, as yaml's uniqueKeys does.
    docs = jsyaml.loadAll(text, undefined, { schema: SCHEMA, json: false });
  } catch {
    return null;
  }
  if (docs.some((d) => d === null || d === undefined)) return null;
  return docs;
}

/**
 * The data of every non-empty document (js-yaml when it applies, else `yaml` with the linear duplicate-key
 * check), or the first error as `not valid YAML: …`. For files read only as data: kustomization patches,
 * generator values files, the tool-owned root patch.
 */
export function readYamlData(text: string): { ok: true; docs: unknown[] } | { ok: false; message: string } {
  const fast = fastManifestData(text);
  if (fast) return { ok: true, docs: fast };
  try {
    const docs = parseManifestStream(text, { prettyErrors: false });
    const failed = docs.find((d) => d.errors.length > 0);
    if (failed) return { ok: false, message: `not valid YAML: ${failed.errors[0]!.message.split('\n')[0]}` };
    return {
      ok: true,
      docs: docs
        .map((d) => d.toJS({ maxAliasCount: 1000 }) as unknown)
        .filter((d) => d !== null && d !== undefined),
    };
  } catch (err) {
    // e.g. an alias bomb ("Excessive alias count")
    return {
      ok: false,
      message: `not valid YAML: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`,
    };
  }
}
