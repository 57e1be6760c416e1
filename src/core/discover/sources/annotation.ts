/**
 * The explicit opt-in: `<prefix>/secrets` on the workload or its pod template (docs/annotations.md).
 * Entries are separated by commas, spaces or newlines; `kv/app`, `kv/data/app` and `kv/metadata/app`
 * all mean the secret `kv/app`.
 */
import type { SecretRef } from '../../model.js';
import { annotationMaps, pathRef, workloadProblem, type WorkloadSource } from './source.js';

export const annotationSource: WorkloadSource = {
  name: 'annotation',
  enabled: (config) => config.sources.annotation,
  collect({ config }) {
    const key = `${config.annotationPrefix}/secrets`;
    return {
      refsFor(view, report) {
        const refs: SecretRef[] = [];
        for (const { path, annotations } of annotationMaps(view)) {
          if (!Object.hasOwn(annotations, key)) continue;
          const value = annotations[key];
          const at = [...path, key];
          if (typeof value !== 'string') {
            report(workloadProblem(view, `"${key}" must be a string of secret paths`, at));
            continue;
          }
          for (const entry of value.split(/[\s,]+/)) {
            if (!entry) continue;
            // A bad entry is kept as a rejected ref: discovery blocks the workload and reports it.
            refs.push(pathRef(entry, config.vault.mounts, { source: 'annotation', via: key }, at));
          }
        }
        return refs;
      },
    };
  },
};
