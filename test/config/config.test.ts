import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { DEFAULT_GIT_LIMITS, DEFAULT_GITHUB_LIMITS, requestLimits } from '../../src/core/limits.js';
import {
  configForEnvironment,
  defaultConfig,
  parseConfig,
  type ConfigIssue,
} from '../../src/core/config/schema.js';

/**
 * The example from SPEC.md "Config file", verbatim: read from ../shared/SPEC.md when it is there (so a
 * change to the contract shows up here), else from the copy in test/fixtures (a clean CI checkout).
 */
function specExample(): string {
  const specUrl = new URL('../../../shared/SPEC.md', import.meta.url);
  if (!existsSync(specUrl)) {
    return readFileSync(new URL('../fixtures/config/spec-example.yaml', import.meta.url), 'utf8');
  }
  const spec = readFileSync(specUrl, 'utf8');
  const section = spec.slice(spec.indexOf('## Config file'));
  const match = /```yaml\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('SPEC.md has no config example');
  return match[1]!;
}

function errorOf(text: string, file = 'vault-rollout.yaml'): ConfigError {
  try {
    parseConfig(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

function issuesOf(text: string): ConfigIssue[] {
  return errorOf(text).data.issues as ConfigIssue[];
}

describe('parseConfig', () => {
  it('parses the SPEC example', () => {
    const config = parseConfig(specExample(), 'vault-rollout.yaml');
    expect(config.vault).toEqual({
      address: 'https://vault.example.com',
      namespace: 'team-a',
      auth: { method: 'kubernetes', role: 'vault-rollout', mount: 'kubernetes' },
      mounts: ['kv', 'team-a/kv'],
    });
    expect(config.include).toEqual(['clusters/**', 'apps/**']);
    expect(config.exclude).toEqual(['**/charts/**']);
    expect(config.mode).toBe('commit');
    expect(config.branch).toBe('main');
    expect(config.rules).toEqual([
      {
        select: {
          path: 'apps/payments/**',
          kind: 'Deployment',
          namespace: 'prod',
          name: 'api-*',
          labels: { team: 'pay' },
        },
        secrets: ['kv/payments/db'],
      },
    ]);
    expect(config.commit?.author).toBe('vault-rollout <vault-rollout@example.com>');
    expect(config.pullRequest).toEqual({
      labels: ['secrets'],
      reviewers: [],
      draft: false,
      autoMerge: false,
      apiCommits: false,
    });
    expect(Object.values(config.sources).every(Boolean)).toBe(true);
    expect(config.forge).toBe('github');
    expect(config.gitlab).toEqual({ url: 'https://gitlab.example.com/api/v4', project: 'platform/deploy' });
    expect(config.git).toEqual({
      sshKeyFile: '/etc/vault-rollout/ssh/identity',
      knownHostsFile: '/etc/vault-rollout/ssh/known_hosts',
    });
    expect(config.rollout).toEqual({
      maxRestartsPerRun: 20,
      windows: [
        { days: ['mon', 'tue', 'wed', 'thu'], from: '09:00', to: '16:00', timezone: 'Europe/Berlin' },
      ],
    });
    expect(config.notify).toEqual([
      { url: 'https://hooks.slack.com/services/...', format: 'slack', on: ['restart', 'blocked', 'error'] },
      {
        url: 'https://ops.example.com/hooks/vault-rollout',
        format: 'json',
        on: ['restart', 'blocked', 'error'],
        secretHeaderEnv: 'HOOK_SECRET',
      },
    ]);
    expect(config.ignore).toEqual([{ select: { kind: 'CronJob', name: 'backup-*' } }]);
  });

  it('names the bad key of forge, gitlab, rollout and notify', () => {
    const cases: [string, string][] = [
      ['forge: bitbucket\n', 'forge'],
      ['gitlab: { project: "../x" }\n', 'gitlab.project'],
      ['rollout: { maxRestartsPerRun: 0 }\n', 'rollout.maxRestartsPerRun'],
      ['rollout: { windows: [{ from: "9:00", to: "16:00" }] }\n', 'rollout.windows[0].from'],
      ['rollout: { windows: [{ from: "16:00", to: "09:00" }] }\n', 'rollout.windows[0].to'],
      ['rollout: { windows: [{ from: "09:00", to: "16:00", timezone: Mars/Base }] }\n', 'IANA time zone'],
      [
        'rollout: { windows: [{ days: [monday], from: "09:00", to: "16:00" }] }\n',
        'rollout.windows[0].days[0]',
      ],
      ['notify: [{ url: "ftp://x" }]\n', 'notify[0].url'],
      ['notify: [{ url: "https://x", secretHeaderEnv: "a b" }]\n', 'notify[0].secretHeaderEnv'],
      ['git: { sshKey: /k }\n', 'sshKey'],
    ];
    for (const [text, key] of cases) expect(errorOf(text).message).toContain(key);
    expect(
      parseConfig('rollout: { windows: [{ from: "00:00", to: "24:00" }] }\n', 'f').rollout.windows,
    ).toEqual([
      {
        days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
        from: '00:00',
        to: '24:00',
        timezone: 'UTC',
      },
    ]);
    expect(parseConfig('gitlab: { project: 42 }\n', 'f').gitlab.project).toBe('42');
  });

  it('gives every default for an empty file, a comment-only file and defaultConfig()', () => {
    const expected = {
      vault: { mounts: [] },
      git: {},
      github: {},
      include: ['**/*.yaml', '**/*.yml'],
      exclude: [],
      annotationPrefix: 'vault-rollout',
      maxFileBytes: 5 * 1024 * 1024,
      pinVersions: true,
      environments: [],
      sources: {
        annotation: true,
        vaultAgent: true,
        externalSecrets: true,
        vaultSecretsOperator: true,
        argocdVaultPlugin: true,
        bankVaults: true,
        csi: true,
      },
      rules: [],
      ignore: [],
      gitlab: {},
      rollout: { windows: [] },
      notify: [],
      pullRequest: { labels: [], reviewers: [], draft: false, autoMerge: false, apiCommits: false },
    };
    expect(parseConfig('', 'c.yaml')).toEqual(expected);
    expect(parseConfig('# nothing yet\n', 'c.yaml')).toEqual(expected);
    expect(defaultConfig()).toEqual(expected);
  });

  it('fills defaults inside partly given sections and treats `key:` with no value as unset', () => {
    const config = parseConfig(
      'sources:\n  csi: false\nexclude:\npullRequest:\n  autoMerge: true\n',
      'c.yaml',
    );
    expect(config.sources.csi).toBe(false);
    expect(config.sources.annotation).toBe(true);
    expect(config.exclude).toEqual([]);
    expect(config.pullRequest).toEqual({
      labels: [],
      reviewers: [],
      draft: false,
      autoMerge: true,
      apiCommits: false,
    });
  });

  it('normalises mounts and stringifies scalar label selectors', () => {
    const config = parseConfig(
      'vault:\n  mounts: [/kv/, team-a/kv]\nrules:\n  - select: { labels: { tier: 1 } }\n    secrets: [kv/x]\n',
      'c.yaml',
    );
    expect(config.vault.mounts).toEqual(['kv', 'team-a/kv']);
    expect(config.rules[0]!.select.labels).toEqual({ tier: '1' });
  });
});

describe('parseConfig errors name the file, the key and the line', () => {
  it('unknown top-level key, with a suggestion', () => {
    const err = errorOf('vault:\n  address: https://v.example.com\nincude: ["apps/**"]\n');
    expect(err.message).toBe(
      'vault-rollout.yaml:3: incude: unknown key "incude" (line 3); did you mean "include"?',
    );
    expect(err.code).toBe('ConfigError');
  });

  it('unknown nested key lists the allowed keys', () => {
    const err = errorOf('vault:\n  auth:\n    method: token\n    secretId: x\n');
    expect(err.message).toContain(
      'vault-rollout.yaml:4: vault.auth.secretId: unknown key "secretId" (line 4)',
    );
    expect(err.message).toContain('expected one of method, role, mount');
  });

  it('bad enum value in a rule', () => {
    const text = [
      'include: ["apps/**"]',
      'rules:',
      '  - select:',
      '      path: "apps/**"',
      '      namespace: prod',
      '      name: api',
      '      kind: Deploymnt',
      '    secrets: [kv/app]',
      '',
    ].join('\n');
    expect(errorOf(text).message).toBe(
      'vault-rollout.yaml:7: rules[0].select.kind: expected one of Deployment, StatefulSet, DaemonSet, ReplicaSet, Rollout, CronJob, HelmRelease, Application, HelmValues (got "Deploymnt")',
    );
  });

  it('wrong types', () => {
    const issues = issuesOf('pinVersions: "yes"\ninclude: apps/**\nvault:\n  mounts: [kv, 3]\n');
    expect(issues).toEqual([
      { key: 'pinVersions', line: 1, column: 14, message: 'expected a boolean (got "yes")' },
      { key: 'include', line: 2, column: 10, message: 'expected a list (got "apps/**")' },
      { key: 'vault.mounts[1]', line: 4, column: 16, message: 'expected a string (got number 3)' },
    ]);
    expect(errorOf('pinVersions: "yes"\ninclude: apps/**\n').message).toMatch(
      /^vault-rollout\.yaml: 2 problems in the config file:\n {2}vault-rollout\.yaml:1: pinVersions: .*\n {2}vault-rollout\.yaml:2: include: /,
    );
  });

  it('git and github request bounds: seconds and bytes, each key checked with its line', () => {
    const config = parseConfig(
      'git:\n  timeoutSeconds: 120\n  maxResponseBytes: 1048576\ngithub: { timeoutSeconds: 2.5 }\n',
      'c.yaml',
    );
    expect(config.git).toEqual({ timeoutSeconds: 120, maxResponseBytes: 1048576 });
    expect(config.github).toEqual({ timeoutSeconds: 2.5 });
    expect(requestLimits(config.git, DEFAULT_GIT_LIMITS)).toEqual({
      timeoutMs: 120_000,
      maxResponseBytes: 1048576,
    });
    expect(requestLimits(config.github, DEFAULT_GITHUB_LIMITS)).toEqual({
      timeoutMs: 2500,
      maxResponseBytes: DEFAULT_GITHUB_LIMITS.maxResponseBytes,
    });
    expect(issuesOf('git:\n  timeoutSeconds: 0\ngithub:\n  maxResponseBytes: 12\n  timeout: 3\n')).toEqual([
      {
        key: 'git.timeoutSeconds',
        line: 2,
        column: 19,
        message: expect.stringMatching(/>0|greater than 0/) as string,
      },
      {
        key: 'github.maxResponseBytes',
        line: 4,
        column: 21,
        message: expect.stringMatching(/1024/) as string,
      },
      {
        key: 'github.timeout',
        line: 5,
        column: 3,
        message: expect.stringContaining('unknown key "timeout"') as string,
      },
    ]);
  });

  it('pullRequest.apiCommits: a boolean, off by default', () => {
    expect(parseConfig('pullRequest:\n  apiCommits: true\n', 'c.yaml').pullRequest.apiCommits).toBe(true);
    expect(errorOf('pullRequest:\n  apiCommits: "yes"\n').message).toBe(
      'vault-rollout.yaml:2: pullRequest.apiCommits: expected a boolean (got "yes")',
    );
    expect(errorOf('pullRequest: { apiCommit: true }\n').message).toContain(
      'pullRequest.apiCommit: unknown key "apiCommit" (line 1); did you mean "apiCommits"?',
    );
  });

  it('bad globs in include, exclude and selectors', () => {
    expect(errorOf('exclude:\n  - "**/charts/**"\n  - "apps/[prod"\n').message).toMatch(
      /^vault-rollout\.yaml:3: exclude\[1\]: not a valid glob: Missing closing: "\]".*\(got "apps\/\[prod"\)$/,
    );
    expect(errorOf('include: ["/abs/**"]\n').message).toContain(
      'include[0]: globs are relative to the repository root',
    );
    expect(errorOf('include: [""]\n').message).toContain('include[0]: a glob must not be empty');
    expect(errorOf('rules:\n  - select: { name: "api-{a,b" }\n    secrets: [kv/a]\n').message).toContain(
      'vault-rollout.yaml:2: rules[0].select.name: not a valid glob',
    );
  });

  it('bad secret paths in rules', () => {
    const err = errorOf(
      'rules:\n  - select: { kind: Deployment }\n    secrets:\n      - kv/ok\n      - justone\n',
    );
    expect(err.message).toBe(
      'vault-rollout.yaml:5: rules[0].secrets[1]: expected a Vault KV v2 secret path "mount/path", e.g. kv/payments/db (got "justone": it is not of the form mount/path (e.g. kv/app/db))',
    );
    expect(errorOf('rules:\n  - select: {}\n    secrets: []\n').message).toContain(
      'vault-rollout.yaml:3: rules[0].secrets: list at least one secret path',
    );
  });

  it('a missing required key points at its parent', () => {
    expect(errorOf('rules:\n  - secrets: [kv/a]\n').message).toBe(
      'vault-rollout.yaml:2: rules[0].select: missing required key',
    );
  });

  it('invalid YAML and duplicate keys carry their line', () => {
    expect(errorOf('include: [a\nexclude: b\n').message).toMatch(
      /^vault-rollout\.yaml:\d+: not valid YAML: /,
    );
    expect(errorOf('mode: pr\nbranch: main\nmode: commit\n').message).toBe(
      'vault-rollout.yaml:3: not valid YAML: Map keys must be unique',
    );
  });

  it('a non-mapping document', () => {
    expect(errorOf('- a\n- b\n').message).toBe(
      'vault-rollout.yaml:1: expected a mapping of options (got a list)',
    );
  });

  it('other value checks', () => {
    expect(errorOf('mode: push\n').message).toBe(
      'vault-rollout.yaml:1: mode: expected one of commit, pr (got "push")',
    );
    expect(errorOf('annotationPrefix: Vault_Rollout\n').message).toContain(
      'annotationPrefix: expected a DNS-subdomain',
    );
    expect(errorOf('commit:\n  author: bot\n').message).toContain(
      'vault-rollout.yaml:2: commit.author: expected "Name <email>"',
    );
    expect(errorOf('vault:\n  address: vault:8200\n').message).toContain(
      'vault.address: expected an http(s) URL',
    );
    expect(errorOf('vault:\n  auth: { method: ldap }\n').message).toBe(
      'vault-rollout.yaml:2: vault.auth.method: expected one of token, approle, kubernetes, jwt (got "ldap")',
    );
    expect(
      errorOf('rules:\n  - select: { labels: { "app.kubernetes.io/name": [a] } }\n    secrets: [kv/a]\n')
        .message,
    ).toContain(
      'rules[0].select.labels["app.kubernetes.io/name"]: expected a string, number or boolean (got a list)',
    );
  });

  it('mounts with a "." or ".." segment: "kv/../sys" would read the sys mount', () => {
    expect(errorOf('vault:\n  mounts: [kv/../sys]\n').message).toBe(
      'vault-rollout.yaml:2: vault.mounts[0]: a mount path has no "." or ".." segment',
    );
    expect(errorOf('vault:\n  mounts: [kv, ./kv]\n').message).toContain('vault.mounts[1]');
    expect(parseConfig('vault:\n  mounts: [kv.v2, team-a/kv]\n', 'f').vault.mounts).toEqual([
      'kv.v2',
      'team-a/kv',
    ]);
  });

  it('branch names git refuses (check-ref-format rules)', () => {
    for (const [branch, why] of [
      ['-delete', 'must not start with "-"'],
      ['main..x', 'must not contain ".."'],
      ['a b', 'must not contain spaces'],
      ['x.lock', 'may end with ".lock"'],
      ['HEAD', 'names a commit'],
      ['rel/', 'must not start or end with "/"'],
      ['a@{1}', '"@{"'],
    ]) {
      expect(errorOf(`branch: "${branch}"\n`).message).toContain(
        `vault-rollout.yaml:1: branch: not a branch name git accepts: `,
      );
      expect(errorOf(`branch: "${branch}"\n`).message).toContain(why);
    }
    for (const ok of ['main', 'release/1.2', 'feature-x', 'a@b'])
      expect(parseConfig(`branch: ${ok}\n`, 'f').branch).toBe(ok);
  });

  it('refuses a config over the size limit before parsing it', () => {
    const huge = `# ${'x'.repeat(1024 * 1024)}\n`;
    expect(errorOf(huge).message).toBe('vault-rollout.yaml: over the 1048576-byte limit of a config file');
  });

  it('expands at most 100 aliases (a billion-laughs config ends at once)', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `${'a'.repeat(i + 1)}: &${'a'.repeat(i + 1)} [${Array(10)
          .fill(`*${'a'.repeat(i)}`)
          .join(', ')}]`,
      );
    const started = Date.now();
    expect(errorOf(`${lines.join('\n')}\n`).message).toContain('cannot read YAML');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('the SPEC example copy', () => {
  it.skipIf(!existsSync(new URL('../../../shared/SPEC.md', import.meta.url)))('matches SPEC.md', () => {
    const spec = readFileSync(new URL('../../../shared/SPEC.md', import.meta.url), 'utf8');
    const match = /```yaml\n([\s\S]*?)```/.exec(spec.slice(spec.indexOf('## Config file')));
    expect(readFileSync(new URL('../fixtures/config/spec-example.yaml', import.meta.url), 'utf8')).toBe(
      match![1],
    );
  });
});

describe('environments', () => {
  const text = [
    'vault:',
    '  address: https://vault.example.com',
    '  auth: { method: kubernetes, role: vault-rollout }',
    '  mounts: [kv]',
    'environments:',
    '  - name: prod',
    '    paths: ["clusters/prod/**"]',
    '    vault: { address: https://vault.prod.example.com, auth: { role: prod-reader } }',
    '  - name: dev',
    '    paths: ["clusters/dev/**"]',
    '',
  ].join('\n');

  it('parses the SPEC shape, and an environment Vault overrides only the keys it gives', () => {
    const config = parseConfig(text, 'vault-rollout.yaml');
    expect(config.environments.map((e) => [e.name, e.paths])).toEqual([
      ['prod', ['clusters/prod/**']],
      ['dev', ['clusters/dev/**']],
    ]);
    expect(configForEnvironment(config, 'prod').vault).toEqual({
      address: 'https://vault.prod.example.com',
      auth: { method: 'kubernetes', role: 'prod-reader' },
      mounts: ['kv'],
    });
    // No vault of its own, or no environment: the top-level one.
    expect(configForEnvironment(config, 'dev').vault).toEqual(config.vault);
    expect(configForEnvironment(config, null)).toBe(config);
  });

  it('entry: a folder of deployment objects instead of (or besides) paths, normalised; one of them is required', () => {
    const config = parseConfig(
      [
        'environments:',
        '  - { name: prod, entry: ./clusters/prod/ }',
        '  - { name: dev, entry: clusters/dev, paths: ["apps/*/overlays/dev"] }',
        '',
      ].join('\n'),
      'c.yaml',
    );
    expect(config.environments.map((e) => [e.name, e.entry, e.paths])).toEqual([
      ['prod', 'clusters/prod', []],
      ['dev', 'clusters/dev', ['apps/*/overlays/dev']],
    ]);
    const issues = issuesOf(
      ['environments:', '  - name: prod', '  - name: dev', '    entry: "clusters/*"', ''].join('\n'),
    );
    expect(issues.map((i) => [i.key, i.line])).toEqual(
      expect.arrayContaining([
        ['environments[0].entry', 2],
        ['environments[1].entry', 4],
      ]),
    );
    expect(issues.find((i) => i.key === 'environments[0].entry')?.message).toContain('give entry');
  });

  it('names the bad key and line: a duplicate name, no paths, a bad glob, an unknown key', () => {
    const issues = issuesOf(
      [
        'environments:',
        '  - name: prod',
        '    paths: ["clusters/prod/**"]',
        '  - name: prod',
        '    paths: []',
        '  - name: "has space"',
        '    paths: ["/abs/**"]',
        '    vault: { adress: https://x }',
        '',
      ].join('\n'),
    );
    expect(issues.map((i) => [i.key, i.line])).toEqual(
      expect.arrayContaining([
        ['environments[1].paths', 5],
        ['environments[2].name', 6],
        ['environments[2].paths[0]', 7],
        ['environments[1].name', 4],
      ]),
    );
    expect(
      issues.some((i) => i.key.startsWith('environments[2].vault') && i.message.includes('adress')),
    ).toBe(true);
  });
});
