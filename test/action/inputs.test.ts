/** The Action's inputs → options, environment, Vault block, masks, hints and outputs (no runner needed). */
import { describe, expect, it } from 'vitest';
import {
  actionEnv,
  actionOutputs,
  applyOptions,
  checkWorkspace,
  parseInputs,
  secretsToMask,
  usesRunnerOidc,
  vaultBlock,
  withInputHint,
} from '../../src/action/inputs.js';
import type { RunReport } from '../../src/core/model.js';

const getter = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? '';
const WS = { GITHUB_WORKSPACE: '/home/runner/work/manifests/manifests' };

describe('parseInputs', () => {
  it('defaults: the workspace, mode pr, no dry run', () => {
    expect(parseInputs(getter({}), WS, '/elsewhere')).toEqual({
      repo: '/home/runner/work/manifests/manifests',
      mode: 'pr',
      dryRun: false,
    });
    expect(parseInputs(getter({}), {}, '/cwd').repo).toBe('/cwd');
  });

  it('resolves a relative repo against the workspace and keeps a URL', () => {
    expect(parseInputs(getter({ repo: 'deploy' }), WS, '/x').repo).toBe(
      '/home/runner/work/manifests/manifests/deploy',
    );
    expect(parseInputs(getter({ repo: 'https://git.example.com/a/b.git' }), WS, '/x').repo).toBe(
      'https://git.example.com/a/b.git',
    );
  });

  it('reads every input', () => {
    const inputs = parseInputs(
      getter({
        mode: 'commit',
        branch: 'prod',
        config: 'ci/vault-rollout.yaml',
        'dry-run': 'True',
        'vault-address': 'https://vault.example.com',
        'vault-namespace': 'team-a',
        'vault-auth': 'jwt',
        'vault-role': 'rollout',
        'vault-token': 'hvs.x',
        'jwt-audience': 'https://vault.example.com',
        'github-token': 'ghs_x',
        environment: 'prod-eu',
      }),
      WS,
      '/x',
    );
    expect(inputs).toMatchObject({
      mode: 'commit',
      branch: 'prod',
      config: 'ci/vault-rollout.yaml',
      dryRun: true,
      vaultAddress: 'https://vault.example.com',
      vaultNamespace: 'team-a',
      vaultAuth: 'jwt',
      vaultRole: 'rollout',
      vaultToken: 'hvs.x',
      jwtAudience: 'https://vault.example.com',
      githubToken: 'ghs_x',
      environment: 'prod-eu',
    });
    expect(applyOptions(inputs)).toMatchObject({
      mode: 'commit',
      dryRun: true,
      branch: 'prod',
      format: 'json',
      environment: 'prod-eu',
    });
  });

  it('names the input and the accepted values of a bad one', () => {
    expect(() => parseInputs(getter({ mode: 'push' }), WS, '/x')).toThrow(
      'input "mode" must be "commit" or "pr" (got "push").',
    );
    expect(() => parseInputs(getter({ 'dry-run': 'yes' }), WS, '/x')).toThrow(
      'input "dry-run" must be true or false (got "yes").',
    );
    expect(() => parseInputs(getter({ 'vault-auth': 'oidc' }), WS, '/x')).toThrow(
      'input "vault-auth" must be one of token, jwt, approle, kubernetes (got "oidc").',
    );
  });
});

describe('the Vault block: inputs win over the config, like flags', () => {
  const config = {
    address: 'https://config.example.com',
    auth: { method: 'kubernetes' as const, role: 'k8s', mount: 'k8s-east' },
    mounts: ['kv'],
  };

  it('keeps the config when no input is given', () => {
    expect(vaultBlock(parseInputs(getter({}), WS, '/x'), config)).toEqual(config);
  });

  it('lays the inputs over it, keeping the auth mount', () => {
    const inputs = parseInputs(
      getter({ 'vault-address': 'https://input.example.com', 'vault-auth': 'jwt', 'vault-role': 'gha' }),
      WS,
      '/x',
    );
    expect(vaultBlock(inputs, config)).toEqual({
      address: 'https://input.example.com',
      auth: { method: 'jwt', role: 'gha', mount: 'k8s-east' },
      mounts: ['kv'],
    });
  });

  it('a vault-token alone means token auth', () => {
    const block = vaultBlock(parseInputs(getter({ 'vault-token': 'hvs.x' }), WS, '/x'), config);
    expect(block.auth?.method).toBe('token');
  });

  it("JWT auth uses the runner's OIDC token unless VAULT_JWT or VAULT_JWT_FILE is set", () => {
    const block = { auth: { method: 'jwt' as const } };
    expect(usesRunnerOidc(block, {})).toBe(true);
    expect(usesRunnerOidc(block, { VAULT_JWT: 'x' })).toBe(false);
    expect(usesRunnerOidc(block, { VAULT_JWT_FILE: '/t' })).toBe(false);
    expect(usesRunnerOidc({ auth: { method: 'token' } }, {})).toBe(false);
  });
});

describe('environment and masks', () => {
  it('puts the tokens where the CLI reads them; GIT_TOKEN from the workflow still wins for Git', () => {
    const inputs = parseInputs(getter({ 'vault-token': 'hvs.in', 'github-token': 'ghs_in' }), WS, '/x');
    expect(actionEnv(inputs, { GITHUB_TOKEN: 'ghs_env', GIT_TOKEN: 'git' })).toMatchObject({
      VAULT_TOKEN: 'hvs.in',
      GITHUB_TOKEN: 'ghs_in',
      GIT_TOKEN: 'git',
    });
  });

  it('masks each token and its Basic-auth forms, and each line of an App key', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const masks = secretsToMask({
      VAULT_TOKEN: 'hvs.vault',
      GITHUB_TOKEN: 'ghs_github',
      GIT_USERNAME: 'bot',
      GITHUB_APP_PRIVATE_KEY:
        '-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAxyz0123456789\\nabcdefghijklmnopqrstuv\\n-----END RSA PRIVATE KEY-----',
    });
    expect(masks).toEqual(
      expect.arrayContaining([
        'hvs.vault',
        b64('x-access-token:hvs.vault'),
        b64('bot:hvs.vault'),
        'ghs_github',
        b64('x-access-token:ghs_github'),
        b64('bot:ghs_github'),
        'MIIEowIBAAKCAQEAxyz0123456789',
        'abcdefghijklmnopqrstuv',
      ]),
    );
    expect(masks).not.toContain('-----BEGIN RSA PRIVATE KEY-----');
  });
});

describe('failures say what to set', () => {
  it('adds the input for the variable, config key or flag an error names', () => {
    expect(withInputHint('No Vault address: set VAULT_ADDR.', { variable: 'VAULT_ADDR' })).toBe(
      'No Vault address: set VAULT_ADDR. In the workflow, set the `vault-address` input.',
    );
    expect(withInputHint('Kubernetes login needs a Vault role.', { key: 'vault.auth.role' })).toContain(
      'set the `vault-role` input',
    );
    expect(withInputHint('Git failed', {})).toBe('Git failed');
  });

  it('a workspace that is no checkout names actions/checkout', () => {
    const inputs = parseInputs(getter({}), WS, '/x');
    expect(() => checkWorkspace(inputs, () => false)).toThrow(/add an actions\/checkout step/);
    expect(() => checkWorkspace(inputs, () => true)).not.toThrow();
    const url = parseInputs(getter({ repo: 'https://git.example.com/a.git' }), WS, '/x');
    expect(() => checkWorkspace(url, () => false)).not.toThrow();
  });
});

describe('actionOutputs', () => {
  const report = (over: Partial<RunReport>): RunReport => ({
    branch: 'main',
    workloads: [],
    summary: { workloads: 2, restart: 1, record: 1, blocked: 0, unchanged: 0 },
    problems: [],
    changes: [],
    commit: null,
    pullRequest: null,
    ...over,
  });

  it('strings the runner stores, empty when nothing was published', () => {
    const out = actionOutputs(report({}));
    expect(out).toMatchObject({
      changed: 'false',
      restarts: '1',
      'commit-sha': '',
      'pull-request-number': '',
      'pull-request-url': '',
    });
    expect(JSON.parse(out.plan as string)).toMatchObject({ branch: 'main', commit: null, pullRequest: null });
  });

  it('a pull request', () => {
    const out = actionOutputs(
      report({
        changes: [{ path: 'a.yaml', before: 'a', after: 'b' }],
        pullRequest: { number: 7, url: 'https://github.example.com/o/r/pull/7' },
      }),
    );
    expect(out).toMatchObject({
      changed: 'true',
      'pull-request-number': '7',
      'pull-request-url': 'https://github.example.com/o/r/pull/7',
    });
  });
});
