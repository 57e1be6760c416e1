/**
 * Every discovery source, in priority order: when two sources name the same secret for a workload, the
 * first one listed is reported as its source. Adding a source: one file in this folder, one line here.
 */
import { annotationSource } from './annotation.js';
import { argocdVaultPluginSource } from './argocd-vault-plugin.js';
import { bankVaultsSource } from './bank-vaults.js';
import { csiSource } from './csi.js';
import { externalSecretsSource } from './external-secrets.js';
import { rulesSource } from './rules.js';
import type { WorkloadSource } from './source.js';
import { vaultAgentSource } from './vault-agent.js';
import { vaultSecretsOperatorSource } from './vault-secrets-operator.js';

export const SOURCES: readonly WorkloadSource[] = [
  annotationSource,
  vaultAgentSource,
  externalSecretsSource,
  vaultSecretsOperatorSource,
  argocdVaultPluginSource,
  bankVaultsSource,
  csiSource,
  rulesSource,
];

export type { SourceContext, SourceScanner, WorkloadSource } from './source.js';
