/**
 * The config file `vault-rollout.yaml`: schema, parsing with located errors, defaults.
 * @example
 * const config = text === null ? defaultConfig() : parseConfig(text, 'vault-rollout.yaml');
 */
export {
  CHART_KINDS,
  isChartKind,
  configSchema,
  DEFAULT_INCLUDE,
  globProblem,
  parseAuthor,
  WORKLOAD_KINDS,
} from './definition.js';
export type { Config, Rule } from './definition.js';
export { configForEnvironment, defaultConfig, dotted, keyLine, parseConfig } from './parse.js';
export type { ConfigIssue } from './parse.js';
export { credentialIssues, credentialNames, credentialVariables } from './credentials.js';
export { unsupportedKeys } from './unsupported.js';
