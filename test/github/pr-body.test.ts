/** The pull request's title and body (pure), the branch-ownership rules, and the GitHub helpers. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import {
  decodePrivateKey,
  GitHubError,
  resolveRepository,
  toGitHubError,
} from '../../src/adapters/github/index.js';
import type { CommitInfo } from '../../src/adapters/git/index.js';
import type { RunReport, SecretStatus, Workload } from '../../src/core/model.js';
import { planWorkloads, summarize } from '../../src/core/plan/plan.js';
import { renderPullRequest } from '../../src/core/report/pr-body.js';
import { isOwnBranchCommit, withBranchTrailer } from '../../src/publish/pull-request.js';
import { podTargets } from '../../src/core/discover/workloads.js';

const shipped = (name: string) => ({
  file: `templates/${name}`,
  text: readFileSync(path.join(import.meta.dirname, '../../templates', name), 'utf8'),
});
const templates = { title: shipped('pr-title.liquid'), body: shipped('pr-body.liquid') };
const ctx = { base: 'main', branch: 'vault-rollout/main', annotationPrefix: 'vault-rollout' };

function workload(w: Partial<Workload> & Pick<Workload, 'kind' | 'name' | 'file'>): Workload {
  return {
    document: 0,
    apiVersion: 'apps/v1',
    namespace: 'payments',
    labels: {},
    ...podTargets(['spec', 'template']),
    chartValue: null,
    secrets: [],
    recorded: null,
    recordedRaw: null,
    templateRaw: null,
    updateStrategy: null,
    replicas: null,
    ...w,
  };
}

const ok = (path: string, current: number, updatedTime: string): SecretStatus => ({
  state: 'ok',
  path,
  current,
  updatedTime,
});

/** A rotation of kv/payments/db (6 → 7) seen by three workloads, plus an adoption. */
function rotationReport(): RunReport {
  const ref = (p: string) => ({ path: p, source: 'annotation' as const, via: 'vault-rollout/secrets' });
  const workloads = [
    workload({
      kind: 'Deployment',
      name: 'payments-api',
      file: 'apps/payments/api.yaml',
      secrets: [ref('kv/payments/db'), ref('kv/payments/stripe')],
      recorded: new Map([
        ['kv/payments/db', 6],
        ['kv/payments/stripe', 2],
      ]),
      recordedRaw: 'kv/payments/db@6,kv/payments/stripe@2',
      replicas: 3,
      updateStrategy: 'RollingUpdate',
    }),
    workload({
      kind: 'StatefulSet',
      name: 'payments-worker',
      file: 'apps/payments/worker.yaml',
      secrets: [ref('kv/payments/db')],
      recorded: new Map([['kv/payments/db', 6]]),
      recordedRaw: 'kv/payments/db@6',
      replicas: 2,
      updateStrategy: 'OnDelete',
    }),
    workload({
      kind: 'CronJob',
      apiVersion: 'batch/v1',
      name: 'payments_nightly-report',
      namespace: 'reports',
      file: 'apps/reports/nightly.yaml',
      ...podTargets(['spec', 'jobTemplate', 'spec', 'template']),
      chartValue: null,
      secrets: [ref('kv/payments/db'), ref('kv/reports/smtp')],
      recorded: new Map([
        ['kv/payments/db', 6],
        ['kv/reports/smtp', 1],
      ]),
      recordedRaw: 'kv/payments/db@6,kv/reports/smtp@1',
    }),
    workload({
      kind: 'Deployment',
      name: 'ledger',
      file: 'apps/ledger/deploy.yaml',
      secrets: [ref('kv/ledger/db')],
      replicas: 1,
      updateStrategy: 'Recreate',
    }),
    workload({
      kind: 'Deployment',
      name: 'billing',
      file: 'apps/billing/deploy.yaml',
      secrets: [ref('kv/billing/gone')],
      recorded: new Map([['kv/billing/gone', 4]]),
      recordedRaw: 'kv/billing/gone@4',
    }),
  ];
  const statuses = new Map<string, SecretStatus>([
    ['kv/payments/db', ok('kv/payments/db', 7, '2026-11-05T08:14:03.123456789Z')],
    ['kv/payments/stripe', ok('kv/payments/stripe', 2, '2026-10-01T12:00:00Z')],
    ['kv/reports/smtp', ok('kv/reports/smtp', 1, '2026-09-30T07:45:10Z')],
    ['kv/ledger/db', ok('kv/ledger/db', 12, '2026-11-04T22:01:00Z')],
    ['kv/billing/gone', { state: 'missing', path: 'kv/billing/gone' }],
  ]);
  const planned = planWorkloads(workloads, statuses);
  return {
    branch: 'main',
    workloads: planned,
    summary: summarize(planned),
    problems: [
      {
        file: 'apps/broken.yaml',
        severity: 'warning',
        message: 'not valid YAML: bad indentation (line 3)',
        line: 3,
      },
    ],
    changes: [],
    commit: null,
    pullRequest: null,
  };
}

describe('pull request body', () => {
  it('renders a 3-workload rotation that reads well (snapshot)', async () => {
    const { title, body } = renderPullRequest(templates, rotationReport(), ctx);
    expect(title).toBe('vault-rollout: restart 3 workloads for rotated Vault secrets, record 1');
    await expect(body).toMatchFileSnapshot('__snapshots__/pr-body-3-workloads.md');
    expect(body).not.toMatch(/\n{3}/);
  });

  it('names the environment in the title when every workload listed is in one', () => {
    const report = rotationReport();
    const inProd = (r: RunReport) =>
      r.workloads.map((p) => ({ ...p, workload: { ...p.workload, environment: 'prod' } }));
    const { title } = renderPullRequest(templates, { ...report, workloads: inProd(report) }, ctx);
    expect(title).toBe('vault-rollout(prod): restart 3 workloads for rotated Vault secrets, record 1');
    const mixed = inProd(report);
    mixed[0] = { ...mixed[0]!, workload: { ...mixed[0]!.workload, environment: 'dev' } };
    expect(renderPullRequest(templates, { ...report, workloads: mixed }, ctx).title).toMatch(
      /^vault-rollout: /,
    );
  });

  it('says when a restart goes through a chart and which objects it pins', () => {
    const release = workload({
      kind: 'HelmRelease',
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      name: 'shop',
      file: 'apps/shop/release.yaml',
      record: { mapPath: [], within: ['metadata', 'annotations'] },
      trigger: { mapPath: ['spec'], within: ['values', 'podAnnotations'] },
      chartValue: 'spec.values.podAnnotations',
      secrets: [
        {
          path: 'kv/shop/db',
          source: 'externalSecrets',
          via: 'ExternalSecret/shop-db (apps/shop/es.yaml) → Secret/shop-db → values existingSecret',
          pins: [
            {
              file: 'apps/shop/es.yaml',
              document: 0,
              kind: 'ExternalSecret',
              name: 'shop-db',
              field: ['spec', 'data', 0, 'remoteRef', 'version'],
              format: 'string',
            },
          ],
        },
      ],
      recorded: new Map([['kv/shop/db', 2]]),
      recordedRaw: 'kv/shop/db@2',
    });
    const planned = planWorkloads(
      [release],
      new Map([['kv/shop/db', ok('kv/shop/db', 3, '2026-11-05T08:14:03Z')]]),
    );
    const report: RunReport = {
      ...rotationReport(),
      workloads: planned,
      summary: summarize(planned),
      problems: [],
    };
    const { body } = renderPullRequest(templates, report, ctx);
    expect(body).toContain(
      '| **rolling restart** through the chart (`spec.values.podAnnotations`); pins the version in `ExternalSecret/shop-db` |',
    );
  });

  it('lists problems one line per kind: 45 skipped chart templates are one line, a lone problem keeps its own', () => {
    const report = rotationReport();
    for (let i = 0; i < 45; i++) {
      report.problems.push({
        file: `charts/chart-${i}/templates/deployment.yaml`,
        severity: 'warning',
        message: 'Helm chart template: skipped (not rendered here)',
      });
    }
    const { body } = renderPullRequest(templates, report, ctx);
    const section = body.slice(body.indexOf('#### Problems in the repository'), body.indexOf('<details>'));
    const items = section.split('\n').filter((l) => l.startsWith('- '));
    expect(items).toHaveLength(2);
    expect(items.join('\n')).toContain('`apps/broken.yaml:3` not valid YAML');
    expect(items.join('\n')).toContain('45 Helm chart templates skipped');
    expect(items.join('\n')).toContain('charts/\\*/templates/'); // Markdown-escaped
  });

  it('escapes names so they cannot become markup, links or mentions', () => {
    const report = rotationReport();
    report.workloads[0]!.workload.name = 'x|<img src=x>@octocat';
    report.workloads[0]!.workload.file = 'apps/`odd`|file.yaml';
    const { body } = renderPullRequest(templates, report, ctx);
    expect(body).toContain('**x\\|\\<img src=x\\>@octocat**');
    expect(body).toContain('apps/\\`odd\\`\\|file.yaml');
    expect(body).not.toMatch(/(^|[^\\])<img/m);
  });

  it('stays under the size limit by leaving rows out, and says how many', () => {
    const report = rotationReport();
    const many = Array.from({ length: 400 }, (_, i) => ({
      ...report.workloads[0]!,
      workload: { ...report.workloads[0]!.workload, name: `api-${i}` },
    }));
    report.workloads = many;
    report.summary = summarize(many);
    const { body } = renderPullRequest(templates, report, { ...ctx, maxBodyLength: 20_000 });
    expect(body.length).toBeLessThanOrEqual(20_000);
    const shown = body.match(/^\| \*\*api-/gm)?.length ?? 0;
    expect(shown).toBeGreaterThan(50);
    expect(body).toContain(
      `_${800 - (body.match(/^\| /gm)!.length - 2)} rows not shown: the body is kept under GitHub's size limit.`,
    );
    expect(body.trimEnd().endsWith('<!-- vault-rollout:pull-request -->')).toBe(true);
    // At GitHub's real limit too.
    expect(renderPullRequest(templates, report, ctx).body.length).toBeLessThanOrEqual(65_536);
  });
});

describe('branch ownership', () => {
  const author = { name: 'vault-rollout', email: 'vault-rollout@example.com' };
  const who = { ...author, timestamp: 1 };
  const commit = (c: Partial<CommitInfo>): CommitInfo => ({
    oid: 'a'.repeat(40),
    tree: 'b'.repeat(40),
    parents: ['c'.repeat(40)],
    author: who,
    committer: who,
    message: withBranchTrailer('subject\n\nbody\n\nVault-Secret: kv/a 1 -> 2\n', 'vault-rollout/main'),
    ...c,
  });

  it('appends the trailer to the trailer block, or starts one', () => {
    expect(withBranchTrailer('s\n\nb\n\nVault-Secret: kv/a 1 -> 2\n', 'vault-rollout/main')).toBe(
      's\n\nb\n\nVault-Secret: kv/a 1 -> 2\nVault-Rollout-Branch: vault-rollout/main\n',
    );
    expect(withBranchTrailer('s\n\nbody text\n', 'vault-rollout/main')).toBe(
      's\n\nbody text\n\nVault-Rollout-Branch: vault-rollout/main\n',
    );
  });

  it('is ours only with one parent, our identity as author and committer, and the trailer', () => {
    expect(isOwnBranchCommit(commit({}), 'vault-rollout/main', author)).toBe(true);
    expect(
      isOwnBranchCommit(commit({ parents: ['c'.repeat(40), 'd'.repeat(40)] }), 'vault-rollout/main', author),
    ).toBe(false);
    expect(
      isOwnBranchCommit(commit({ author: { ...who, name: 'Alice' } }), 'vault-rollout/main', author),
    ).toBe(false);
    // An amend keeps the author but makes the person the committer.
    expect(
      isOwnBranchCommit(
        commit({ committer: { name: 'Alice', email: 'a@x', timestamp: 2 } }),
        'vault-rollout/main',
        author,
      ),
    ).toBe(false);
    expect(isOwnBranchCommit(commit({ message: 'subject\n' }), 'vault-rollout/main', author)).toBe(false);
    expect(isOwnBranchCommit(commit({}), 'vault-rollout/prod', author)).toBe(false);
  });
});

describe('GitHub helpers', () => {
  it('resolves the repository from the flag, GITHUB_REPOSITORY, or the remote URL', () => {
    expect(resolveRepository('a/b', { GITHUB_REPOSITORY: 'c/d' }, null)).toEqual({ owner: 'a', name: 'b' });
    expect(resolveRepository(undefined, { GITHUB_REPOSITORY: 'c/d' }, null)).toEqual({
      owner: 'c',
      name: 'd',
    });
    expect(resolveRepository(undefined, {}, 'https://github.com/acme/deploy.git')).toEqual({
      owner: 'acme',
      name: 'deploy',
    });
    expect(resolveRepository(undefined, {}, 'https://ghe.example.com/org/infra')).toEqual({
      owner: 'org',
      name: 'infra',
    });
    expect(() => resolveRepository('nope', {}, null)).toThrow(/--github-repository must be "OWNER\/NAME"/);
    expect(() => resolveRepository(undefined, {}, null)).toThrow(GitHubError);
  });

  it('accepts the App key as PEM, as PEM with escaped newlines, or base64', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----';
    expect(decodePrivateKey(pem)).toBe(pem);
    expect(decodePrivateKey(pem.replace(/\n/g, '\\n'))).toBe(pem);
    expect(decodePrivateKey(Buffer.from(pem).toString('base64'))).toBe(pem);
    expect(() => decodePrivateKey('not a key')).toThrow(/neither a PEM private key nor a base64-encoded PEM/);
  });

  it('explains 401, 404, rate limits and network errors', () => {
    const call = {
      what: 'listing open pull requests',
      route: 'GET /repos/a/b/pulls',
      permission: 'pull-requests: read',
    };
    const res = (status: number, headers: Record<string, string> = {}, message = 'x') => ({
      status,
      response: { headers, data: { message } },
    });
    expect(toGitHubError(res(401, {}, 'Bad credentials'), call).message).toMatch(
      /401, the credentials were refused \("Bad credentials"\); check GITHUB_TOKEN/,
    );
    expect(toGitHubError(res(404), call).message).toMatch(/404, not found; .*missing "pull-requests: read"/);
    expect(
      toGitHubError(res(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1800000000' }), call)
        .message,
    ).toMatch(/rate limit is used up until 2027-01-15T08:00:00.000Z/);
    expect(
      toGitHubError(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), call)
        .message,
    ).toMatch(/cannot reach the GitHub API \(ECONNREFUSED\).*check GITHUB_API_URL/);
  });
});
