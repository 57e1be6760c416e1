/** Config checks without a run, the users' own templates, --seed parsing and the run's exit code (no I/O). */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config/schema.js';
import { resolveTemplates } from '../../src/core/config/templates.js';
import { templateProblem } from '../../src/core/report/liquid.js';
import { checkConfig, issueLine, selectionWarnings } from '../../src/core/config/validate.js';
import { ConfigError } from '../../src/core/errors.js';
import type { RunReport } from '../../src/core/model.js';
import { parseSeed } from '../../src/dev-server.js';
import { runExitCode } from '../../src/run.js';

const files = (map: Record<string, string>) => (p: string) => map[p] ?? null;
const shipped = (name: string) => `shipped ${name}`;

describe('templates', () => {
  it('the shipped ones by default; the repository file where a key names one', () => {
    const ship = (name: string) => ({ file: `templates/${name}`, text: `shipped ${name}` });
    expect(resolveTemplates(parseConfig('', 'c.yaml'), files({}), shipped)).toEqual({
      commitMessage: ship('commit-message.liquid'),
      pullRequestTitle: ship('pr-title.liquid'),
      pullRequestBody: ship('pr-body.liquid'),
    });
    const config = parseConfig('pullRequest:\n  bodyTemplate: .github/body.liquid\n', 'c.yaml');
    expect(resolveTemplates(config, files({ '.github/body.liquid': 'mine {{ restart }}' }), shipped)).toEqual(
      {
        commitMessage: ship('commit-message.liquid'),
        pullRequestTitle: ship('pr-title.liquid'),
        pullRequestBody: {
          file: '.github/body.liquid',
          text: 'mine {{ restart }}',
          // what include, render and layout may reach: the configured files only
          partials: new Map([['.github/body.liquid', 'mine {{ restart }}']]),
        },
      },
    );
  });

  it('a missing or broken template is a ConfigError naming the key and the file', () => {
    const config = parseConfig(
      'commit:\n  messageTemplate: gone.liquid\npullRequest:\n  titleTemplate: t.liquid\n',
      'c.yaml',
    );
    let error: unknown;
    try {
      resolveTemplates(config, files({ 't.liquid': '{{ restart | shout }}' }), shipped);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'commit.messageTemplate: "gone.liquid" is not a file of the repository\n' +
        'pullRequest.titleTemplate: "t.liquid" line 1 is not a valid Liquid template: undefined filter: shout',
    );
  });

  it('template paths stay inside the repository', () => {
    expect(() => parseConfig('commit:\n  messageTemplate: ../x.liquid\n', 'c.yaml')).toThrow(
      'c.yaml:2: commit.messageTemplate: a path inside the repository: remove the ".." or empty segment (got "../x.liquid")',
    );
    expect(() => parseConfig('pullRequest:\n  bodyTemplate: /etc/passwd\n', 'c.yaml')).toThrow(
      'pullRequest.bodyTemplate: a path relative to the repository root',
    );
  });

  it('templateProblem gives the line of a parse error, null for a good template', () => {
    const t = (text: string) => templateProblem({ file: 't.liquid', text });
    expect(t('a\n{% if x %}\nb')).toEqual({ line: 2, message: 'tag {% if x %} not closed' });
    expect(t('{{ restart }} {% if record > 0 %}x{% endif %}')).toBeNull();
  });
});

describe('checkConfig', () => {
  it('no config file: every default, no error', () => {
    const r = checkConfig(null, 'vault-rollout.yaml', files({}));
    expect(r.errors).toEqual([]);
    expect(r.config?.include).toEqual(['**/*.yaml', '**/*.yml']);
  });

  it('every schema error at once, each with key and line', () => {
    const r = checkConfig('mode: push\nincude: []\n', 'vault-rollout.yaml', files({}));
    expect(r.config).toBeNull();
    expect(r.errors.map((e) => issueLine('vault-rollout.yaml', e))).toEqual([
      'vault-rollout.yaml:1: mode: expected one of commit, pr (got "push")',
      'vault-rollout.yaml:2: incude: unknown key "incude" (line 2); did you mean "include"?',
    ]);
  });

  it('a key this build parses but cannot honour yet is an error at its line, never silently ignored', () => {
    const r = checkConfig('mode: pr\nrollout:\n  maxRestartsPerRun: 3\n', 'c.yaml', files({}));
    expect(r.errors.map((e) => issueLine('c.yaml', e))).toEqual([
      'c.yaml:3: rollout.maxRestartsPerRun: is not supported by this version of vault-rollout yet',
    ]);
  });

  it('template keys and --environment, located at their keys', () => {
    const text = 'environments:\n  - name: prod\n    paths: ["p/**"]\ncommit:\n  messageTemplate: m.liquid\n';
    const r = checkConfig(text, 'c.yaml', files({}), 'dev');
    expect(r.errors).toEqual([
      {
        key: 'commit.messageTemplate',
        line: 5,
        column: null,
        message: '"m.liquid" is not a file of the repository',
      },
      {
        key: 'environments',
        line: 1,
        column: null,
        message: `--environment "dev" is not one of the config's environments ("prod")`,
      },
    ]);
    expect(checkConfig('', 'c.yaml', files({}), 'dev').errors[0]?.message).toBe(
      '--environment "dev" given, but the config lists no environments',
    );
  });
});

describe('selectionWarnings', () => {
  const text =
    'include: ["apps/**", "clusters/**"]\nenvironments:\n  - name: prod\n    paths: ["clusters/**"]\n';
  const config = parseConfig(text, 'c.yaml');

  it('an include glob that selects nothing, an environment that reaches no workload', () => {
    const warnings = selectionWarnings(config, text, ['apps/web.yaml'], [null]);
    expect(warnings.map((w) => [w.key, w.line])).toEqual([
      ['include[1]', 1],
      ['environments[0].paths', 4],
    ]);
    expect(selectionWarnings(config, text, ['apps/web.yaml', 'clusters/x.yaml'], ['prod'])).toEqual([]);
  });

  it('an entry that is no folder of the repository', () => {
    const withEntry = 'environments:\n  - name: prod\n    entry: clusters/prod\n';
    const c = parseConfig(withEntry, 'c.yaml');
    expect(
      selectionWarnings(c, withEntry, ['clusters/dev/apps.yaml'], []).map((w) => [w.key, w.line, w.message]),
    ).toEqual([
      [
        'environments[0].entry',
        3,
        '"clusters/prod" is no folder of the repository holding YAML files (after include and exclude)',
      ],
    ]);
    expect(selectionWarnings(c, withEntry, ['clusters/prod/apps.yaml'], ['prod'])).toEqual([]);
  });

  it('the default include is not checked: it selects whatever YAML there is', () => {
    expect(selectionWarnings(parseConfig('', 'c.yaml'), '', [], [])).toEqual([]);
  });
});

describe('--seed', () => {
  it('entries separated by commas, spaces or newlines, comments, @version (default 1), data/metadata forms', () => {
    expect(parseSeed('kv/app/db@3, kv/app/api\n# comment\nteam/kv/x@2 kv/data/y')).toEqual([
      { mount: 'kv', path: 'app/db', version: 3 },
      { mount: 'kv', path: 'app/api', version: 1 },
      { mount: 'team', path: 'kv/x', version: 2 },
      { mount: 'kv', path: 'y', version: 1 },
    ]);
    expect(parseSeed('{ "kv/app/db": 4 }')).toEqual([{ mount: 'kv', path: 'app/db', version: 4 }]);
  });

  it('a bad entry is named', () => {
    expect(() => parseSeed('kv/app/db@0')).toThrow(
      '--seed: the version of "kv/app/db" must be a whole number',
    );
    expect(() => parseSeed('nomount')).toThrow('--seed: "nomount" is not a secret path');
    expect(() => parseSeed('kv/a/../b')).toThrow('--seed: "kv/a/../b" is not a secret path');
  });
});

describe('runExitCode', () => {
  const report = (summary: Partial<RunReport['summary']>): RunReport => ({
    branch: 'main',
    workloads: [],
    summary: { workloads: 1, restart: 0, record: 0, blocked: 0, unchanged: 0, ...summary },
    problems: [],
    changes: [],
    commit: null,
    pullRequest: null,
  });

  it('3 when blocked (over the 2 of --exit-code), 2 for pending with --exit-code, else 0', () => {
    expect(runExitCode(report({ blocked: 1, restart: 1 }), true)).toBe(3);
    expect(runExitCode(report({ blocked: 1 }), false)).toBe(3);
    expect(runExitCode(report({ restart: 1 }), true)).toBe(2);
    expect(runExitCode(report({ record: 1 }), false)).toBe(0);
    expect(runExitCode(report({ unchanged: 1 }), true)).toBe(0);
  });
});
