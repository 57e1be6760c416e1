/** The Action's inputs → options, environment, Vault block, hints and outputs (no runner needed). */
import { describe, expect, it } from 'vitest';
import {
  actionEnv,
  actionOutputs,
  applyOptions,
  blockedFailure,
  checkWorkspace,
  parseCaCert,
  parseInputs,
  parseList,
  usesRunnerOidc,
  vaultBlock,
  withInputHint,
  withTlsInputs,
} from '../../src/action/inputs.js';
import { pullRequestOperation } from '../../src/run/apply.js';
import type { PlannedWorkload, RunReport } from '../../src/core/model.js';
import { summarize } from '../../src/core/plan/plan.js';

const getter = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? '';
const WS = { GITHUB_WORKSPACE: '/home/runner/work/manifests/manifests' };

describe('parseInputs', () => {
  it('defaults: the workspace, mode pr, no dry run', () => {
    expect(parseInputs(getter({}), WS, '/elsewhere')).toEqual({
      repo: '/home/runner/work/manifests/manifests',
      mode: 'pr',
      dryRun: false,
      failOnBlocked: true,
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
        base: 'prod',
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
      base: 'prod',
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

  it('takes the base branch from `base`, and from `branch` (its deprecated name) with a warning', () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    expect(parseInputs(getter({ base: 'prod' }), WS, '/x', warn).base).toBe('prod');
    expect(warnings).toEqual([]);

    const legacy = parseInputs(getter({ branch: 'stable' }), WS, '/x', warn);
    expect(legacy.base).toBe('stable');
    expect(applyOptions(legacy).branch).toBe('stable');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^input "branch" is deprecated: use "base" for the base branch/);
    expect(warnings[0]).toContain('Using "stable" as the base branch.');

    // the same value under both names: the deprecation is still worth a warning, nothing is ambiguous
    expect(parseInputs(getter({ base: 'main', branch: 'main' }), WS, '/x', warn).base).toBe('main');
    expect(warnings).toHaveLength(2);
    // create-pull-request's `branch` (the pull-request branch) next to `base`: refuse rather than guess
    expect(() => parseInputs(getter({ base: 'main', branch: 'update-secrets' }), WS, '/x', warn)).toThrow(
      'inputs "base" ("main") and "branch" ("update-secrets") disagree',
    );
    // without either, the base branch is left to the config and the checkout
    expect(parseInputs(getter({}), WS, '/x', warn).base).toBeUndefined();
    expect(applyOptions(parseInputs(getter({}), WS, '/x')).branch).toBeUndefined();
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

describe('environment', () => {
  it('puts the tokens where the CLI reads them; GIT_TOKEN from the workflow still wins for Git', () => {
    const inputs = parseInputs(getter({ 'vault-token': 'hvs.in', 'github-token': 'ghs_in' }), WS, '/x');
    expect(actionEnv(inputs, { GITHUB_TOKEN: 'ghs_env', GIT_TOKEN: 'git' })).toMatchObject({
      VAULT_TOKEN: 'hvs.in',
      GITHUB_TOKEN: 'ghs_in',
      GIT_TOKEN: 'git',
    });
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

  it('blocked counts only workloads a secret blocks: skipped, ignored and deferred never fail the step', () => {
    const planned = (name: string, action: PlannedWorkload['action']): PlannedWorkload => ({
      workload: { kind: 'Deployment', name, file: `apps/${name}.yaml` } as PlannedWorkload['workload'],
      secrets: [],
      action,
      pins: [],
      reasons: [`${action} reason`],
      warnings: [],
      newValue: null,
    });
    const workloads = [
      planned('gone', 'blocked'),
      planned('twice', 'skipped'),
      planned('quiet', 'ignored'),
      planned('later', 'deferred'),
    ];
    const r = report({ workloads, summary: summarize(workloads) });
    expect(actionOutputs(r).blocked).toBe('1');
    expect(blockedFailure(r, true)).toMatch(
      /^1 workload\(s\) blocked: Deployment\/gone \(apps\/gone\.yaml\)\. /,
    );
    const quiet = workloads.slice(1);
    const q = report({ workloads: quiet, summary: summarize(quiet) });
    expect(actionOutputs(q).blocked).toBe('0');
    expect(blockedFailure(q, true)).toBeNull();
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

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';

describe('the inputs other actions have', () => {
  it('labels and reviewers: commas or newlines, blanks dropped; they reach the apply options', () => {
    expect(parseList('secrets, rollout\n\n urgent ,')).toEqual(['secrets', 'rollout', 'urgent']);
    const inputs = parseInputs(
      getter({ labels: 'a,b', reviewers: 'alice\nacme/platform', draft: 'true' }),
      WS,
      '/x',
    );
    expect(applyOptions(inputs)).toMatchObject({
      labels: ['a', 'b'],
      reviewers: ['alice', 'acme/platform'],
      draft: true,
    });
    // unset inputs leave the config's values alone
    expect(applyOptions(parseInputs(getter({}), WS, '/x'))).toMatchObject({
      labels: undefined,
      reviewers: undefined,
      draft: undefined,
    });
  });

  it('fail-on-blocked defaults to true; booleans are checked', () => {
    expect(parseInputs(getter({}), WS, '/x').failOnBlocked).toBe(true);
    expect(parseInputs(getter({ 'fail-on-blocked': 'false' }), WS, '/x').failOnBlocked).toBe(false);
    expect(() => parseInputs(getter({ draft: 'yes' }), WS, '/x')).toThrow(
      'input "draft" must be true or false (got "yes").',
    );
    expect(() => parseInputs(getter({ 'vault-skip-verify': 'on' }), WS, '/x')).toThrow(
      'input "vault-skip-verify" must be true or false',
    );
  });

  it('vault-ca-cert: PEM, PEM with \\n escapes, or base64 of PEM', () => {
    expect(parseCaCert(PEM)).toBe(PEM);
    expect(parseCaCert(PEM.replace(/\n/g, '\\n'))).toBe(PEM);
    expect(parseCaCert(Buffer.from(PEM).toString('base64'))).toBe(PEM);
    expect(() => parseCaCert('not a certificate')).toThrow('input "vault-ca-cert" must be a PEM certificate');
  });

  it('TLS inputs win over VAULT_CACERT / VAULT_SKIP_VERIFY; unset ones leave them', () => {
    const fromEnv = { address: 'https://v', caCert: 'env-ca', skipVerify: false };
    expect(withTlsInputs(fromEnv, {})).toEqual(fromEnv);
    expect(withTlsInputs(fromEnv, { vaultCaCert: PEM, vaultSkipVerify: true })).toEqual({
      address: 'https://v',
      caCert: PEM,
      skipVerify: true,
    });
  });

  it('vault-auth-path sets the auth mount, over the config', () => {
    const inputs = parseInputs(getter({ 'vault-auth-path': '/github-jwt/', 'vault-auth': 'jwt' }), WS, '/x');
    expect(inputs.vaultAuthPath).toBe('github-jwt');
    expect(vaultBlock(inputs, { auth: { method: 'kubernetes', mount: 'k8s', role: 'r' } }).auth).toEqual({
      method: 'jwt',
      mount: 'github-jwt',
      role: 'r',
    });
    expect(withInputHint('x', { key: 'vault.auth.mount' })).toBe(
      'x In the workflow, set the `vault-auth-path` input.',
    );
  });
});

describe('blocked and pull-request-operation', () => {
  const planned = (name: string, action: 'blocked' | 'record') =>
    ({
      action,
      workload: { kind: 'Deployment', name, file: `apps/${name}.yaml` },
    }) as RunReport['workloads'][number];
  const report = (workloads: RunReport['workloads']): RunReport => ({
    branch: 'main',
    workloads,
    summary: {
      workloads: workloads.length,
      restart: 0,
      record: workloads.filter((w) => w.action === 'record').length,
      blocked: workloads.filter((w) => w.action === 'blocked').length,
      unchanged: 0,
    },
    problems: [],
    changes: [],
    commit: null,
    pullRequest: null,
  });

  it('outputs count the blocked workloads and name the operation', () => {
    // the count comes from the summary (the plan output holds the full report)
    const r = { ...report([]), summary: { workloads: 2, restart: 0, record: 1, blocked: 1, unchanged: 0 } };
    expect(actionOutputs(r, 'created')).toMatchObject({ blocked: '1', 'pull-request-operation': 'created' });
    expect(actionOutputs(report([]))).toMatchObject({ blocked: '0', 'pull-request-operation': 'none' });
  });

  it('fails the step only with fail-on-blocked, naming at most five workloads', () => {
    const many = report(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => planned(n, 'blocked')));
    const message = blockedFailure(many, true);
    expect(message).toMatch(
      /^7 workload\(s\) blocked: Deployment\/a \(apps\/a\.yaml\), .*Deployment\/e \(apps\/e\.yaml\) and 2 more\./,
    );
    expect(message).toContain('`fail-on-blocked: false`');
    expect(blockedFailure(many, false)).toBeNull();
    expect(blockedFailure(report([planned('b', 'record')]), true)).toBeNull();
  });

  it('pull-request stage outcomes in the four words of the output', () => {
    expect(
      (['created', 'updated', 'closed', 'unchanged', 'left-alone', 'dry-run', 'none'] as const).map(
        pullRequestOperation,
      ),
    ).toEqual(['created', 'updated', 'closed', 'none', 'none', 'none', 'none']);
    expect(pullRequestOperation(null)).toBe('none');
  });
});
