/** The Vault adapter's public surface (see reader.ts and env.ts). */
export {
  createVaultReader,
  loadVaultClient,
  metadataPolicyLine,
  statusFromMetadata,
  DEFAULT_KUBERNETES_TOKEN_PATH,
} from './reader.js';
export type { VaultReader, VaultReaderStats } from './reader.js';
export { vaultOptionsFromEnv } from './env.js';
export type { Env, VaultConfigBlock } from './env.js';
export type { VaultAuth, VaultAuthMethod, VaultBackoff, VaultReaderOptions } from './options.js';
