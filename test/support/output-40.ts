/**
 * The 40-workload repository of test/fixtures/output-40 (Vault Agent annotations, ExternalSecrets through a
 * ClusterSecretStore, explicit annotations, two Helm charts and a file that is not valid YAML) and the Vault
 * it is planned against: most records match Vault, `payments/db`, `shop/stripe` and `identity/oidc` were
 * rotated once since, `analytics/snowflake` is missing, and three workloads are not adopted yet.
 */
import { join } from 'node:path';
import type { VaultDevServer } from './vault-server.js';
import { repoRoot } from './run-cli.js';

export const OUTPUT_40 = join(repoRoot, 'test/fixtures/output-40');

/** Current version of each secret under the `kv` mount. */
export const OUTPUT_40_VERSIONS: Record<string, number> = {
  'analytics/airflow-db': 2,
  'analytics/feature-store-db': 6,
  'analytics/jupyter-oauth': 1,
  'analytics/kafka': 3,
  'analytics/s3-raw': 4,
  'analytics/warehouse': 5,
  'identity/audit-db': 2,
  'identity/jwt-signing': 5,
  'identity/oidc': 3,
  'identity/redis': 4,
  'identity/scim': 5,
  'identity/twilio': 6,
  'identity/users-db': 4,
  'payments/bank-api': 5,
  'payments/db': 7,
  'payments/db-readonly': 1,
  'payments/fraud-model': 5,
  'payments/invoicing-db': 6,
  'payments/rabbitmq': 5,
  'payments/stripe': 5,
  'platform/acme-account': 5,
  'platform/backup-bucket': 5,
  'platform/dns-api': 5,
  'platform/grafana-db': 6,
  'platform/grafana-oauth': 4,
  'platform/log-shipper': 4,
  'platform/loki-bucket': 5,
  'platform/metrics-tls': 5,
  'platform/pagerduty': 5,
  'platform/slack-webhook': 3,
  'shop/assets-bucket': 3,
  'shop/catalog-db': 5,
  'shop/cdn-token': 1,
  'shop/elasticsearch': 1,
  'shop/fx-api': 2,
  'shop/orders-db': 1,
  'shop/reco-model': 1,
  'shop/redis': 2,
  'shop/reviews-db': 3,
  'shop/smtp': 1,
  'shop/stripe': 3,
};

/** Writes every secret of {@link OUTPUT_40_VERSIONS} as many times as its version. */
export function seedOutput40(vault: VaultDevServer): void {
  for (const [path, version] of Object.entries(OUTPUT_40_VERSIONS))
    for (let i = 0; i < version; i++) vault.kv.write('kv', path);
}
