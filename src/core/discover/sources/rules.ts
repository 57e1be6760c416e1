/**
 * Config rules (docs/configuration.md): attach secrets to every workload a selector matches. All given
 * select fields must match: `path` (glob on the repo-relative file path), `kind`, `namespace` (exact; a
 * workload without `metadata.namespace` matches no namespace selector, since kustomize, Argo CD or Flux
 * decide it later), `name` (glob) and `labels` (each given label present with that value). A Helm-based
 * app needs `kind` (see {@link ruleMatcher}).
 */
import picomatch from 'picomatch';
import { isChartKind, type Rule } from '../../config/schema.js';
import type { SecretRef, Workload } from '../../model.js';
import { parseSecretPath } from '../../secret-path.js';
import type { WorkloadSource } from './source.js';

type Selectable = Pick<Workload, 'file' | 'kind' | 'name' | 'namespace' | 'labels'>;

/**
 * Whether a rule selects a workload. A Helm-based app (HelmRelease, Application, values file) is selected
 * only by a rule whose `kind` names its kind: a rule written for the Deployments under a path does not
 * attach secrets to a chart release, nor turn a YAML file there into chart values. Config `ignore` entries
 * select with the same matcher.
 */
export function ruleMatcher(rule: Pick<Rule, 'select'>): (w: Selectable) => boolean {
  const { path, kind, namespace, name, labels } = rule.select;
  const pathMatch = path === undefined ? null : picomatch(path, { dot: true });
  const nameMatch = name === undefined ? null : picomatch(name, { dot: true });
  return (w) =>
    (pathMatch === null || pathMatch(w.file)) &&
    (kind === undefined ? !isChartKind(w.kind) : w.kind === kind) &&
    (namespace === undefined || w.namespace === namespace) &&
    (nameMatch === null || nameMatch(w.name)) &&
    (labels === undefined || Object.entries(labels).every(([k, v]) => w.labels[k] === v));
}

export const rulesSource: WorkloadSource = {
  name: 'rule',
  enabled: (config) => config.rules.length > 0,
  collect({ config }) {
    const rules = config.rules.map((rule, index) => ({
      index,
      matches: ruleMatcher(rule),
      // The config schema rejects a bad path with its key and line; parsing again keeps one gate for all.
      paths: (rule.secrets ?? []).map((s) => parseSecretPath(s, config.vault.mounts)),
    }));
    return {
      refsFor({ workload }) {
        const refs: SecretRef[] = [];
        for (const rule of rules) {
          if (!rule.matches(workload)) continue;
          for (const parsed of rule.paths)
            refs.push({
              path: parsed.path,
              source: 'rule',
              via: `rules[${rule.index}]`,
              ...(parsed.ok ? {} : { rejected: parsed.reason }),
            });
        }
        return refs;
      },
    };
  },
};
