/**
 * One set of parse options for every reader of manifests, so a document parsed by discovery can be handed
 * to the editor (saving a parse per edited file) and compares equal with the editor's verification parse.
 */
import type { DocumentOptions, ParseOptions, SchemaOptions, ToJSOptions } from 'yaml';

export const MANIFEST_PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions & ToJSOptions = {
  // Kubernetes' YAML reader (go-yaml) resolves `<<` merge keys, so the data view does too.
  merge: true,
  uniqueKeys: true,
  // yaml warns through process.emitWarning (e.g. for a `{{ x }}:` key); the core must not log.
  logLevel: 'error',
};
