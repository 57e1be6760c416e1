/** Discovery: files → workloads with their Vault secret references. */
export { discover, type DiscoverResult } from './discover.js';
export { ALWAYS_EXCLUDED, makePathFilter } from './globs.js';
export { HELM_TEMPLATE_MESSAGE, parseManifests, type ManifestDocument, type Position } from './parse.js';
export { SOURCES, type SourceContext, type SourceScanner, type WorkloadSource } from './sources/index.js';
export { readWorkload, TEMPLATE_PATHS, type WorkloadView } from './workloads.js';
