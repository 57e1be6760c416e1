/**
 * The credentials rule (src/core/config/credentials.ts): default-named credentials belong to the run's home
 * Vault only, and an environment that reads its own Vault never inherits the top-level credential names.
 */
import { describe, expect, it } from 'vitest';
import { configForEnvironment, credentialIssues, parseConfig } from '../../src/core/config/schema.js';

const config = (text: string) => parseConfig(text, 'vault-rollout.yaml');

describe('credentials per Vault', () => {
  const twoVaults = config(
    [
      'vault: { address: "https://vault.example.com", auth: { tokenEnv: HOME_TOKEN } }',
      'environments:',
      '  - name: same',
      '    paths: ["same/**"]',
      '    vault: { address: "https://vault.example.com/" }',
      '  - name: dev',
      '    paths: ["dev/**"]',
      '    vault: { address: "https://vault.dev.example.com" }',
      '  - name: prod',
      '    paths: ["prod/**"]',
      '    vault: { address: "https://vault.prod.example.com", auth: { tokenEnv: PROD_TOKEN } }',
      '  - name: k8s',
      '    paths: ["k8s/**"]',
      '    vault: { address: "https://vault.k8s.example.com", auth: { method: kubernetes, role: r } }',
    ].join('\n'),
  );

  it('names every environment that reads its own Vault without credentials of its own', () => {
    const issues = credentialIssues(twoVaults, undefined, undefined);
    expect(issues.map((i) => i.path)).toEqual([['environments', 1, 'vault']]);
    expect(issues[0]!.message).toContain(
      'environment "dev" reads its own Vault (https://vault.dev.example.com)',
    );
    expect(issues[0]!.message).toContain('meant for https://vault.example.com');
  });

  it('accepts Kubernetes login inherited from the top-level block', () => {
    const c = config(
      [
        'vault: { auth: { method: kubernetes, role: vault-rollout } }',
        'environments:',
        '  - name: dev',
        '    paths: ["dev/**"]',
        '    vault: { address: "https://vault.dev.example.com" }',
      ].join('\n'),
    );
    expect(credentialIssues(c, undefined, 'https://vault.example.com')).toEqual([]);
  });

  it('has nothing to say when --environment picks the one Vault of the run', () => {
    expect(credentialIssues(twoVaults, 'dev', undefined)).toEqual([]);
  });

  it('compares with VAULT_ADDR when the config has no top-level address', () => {
    const c = config(
      [
        'environments:',
        '  - name: a',
        '    paths: ["a/**"]',
        '    vault: { address: "http://127.0.0.1:8200" }',
      ].join('\n'),
    );
    expect(credentialIssues(c, undefined, 'http://127.0.0.1:8200')).toEqual([]);
    expect(credentialIssues(c, undefined, 'http://127.0.0.1:9999')).toHaveLength(1);
    expect(credentialIssues(c, undefined, undefined)).toHaveLength(1);
  });

  it('inherits the top-level credential names only for the same Vault', () => {
    expect(configForEnvironment(twoVaults, 'same').vault.auth).toEqual({ tokenEnv: 'HOME_TOKEN' });
    expect(configForEnvironment(twoVaults, 'dev').vault.auth).toBeUndefined();
    expect(configForEnvironment(twoVaults, 'prod').vault.auth).toEqual({ tokenEnv: 'PROD_TOKEN' });
  });

  it('refuses a variable name that is not one', () => {
    expect(() => config('vault: { auth: { tokenEnv: "$(cat /etc/passwd)" } }')).toThrow(
      /vault\.auth\.tokenEnv: expected the name of an environment variable/,
    );
  });
});
