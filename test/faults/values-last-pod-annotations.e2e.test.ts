/**
 * End to end through the built CLI: a chart values file, named by an Argo CD Application, whose last key is
 * podAnnotations and whose record the planner reads through a merge key (so it is not a key of the file's
 * own top-level map). A rotation restarts it by inserting both the record and the trigger after the file's
 * last line: the trigger under podAnnotations, the record at the top level, and no problem. The editor used
 * to write them in the other order, refuse its own result and skip the workload.
 * Run `npm run build` first.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { commitDiffLines } from '../support/git-server.js';
import { useE2eServers } from '../support/e2e-servers.js';

const APP = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
spec:
  source:
    repoURL: https://git.example.com/charts.git
    path: charts/web
    helm:
      valueFiles: [values.yaml]
  destination:
    namespace: web
`;

const values = (tail: string) =>
  `# Values for the web chart.
defaults: &defaults
  vault-rollout/secret-versions: kv/web/session@1
<<: *defaults
vault-rollout/secrets: kv/web/session
replicaCount: 2
${tail}`;

interface Report {
  summary: Record<string, number>;
  commit: string;
  problems: { file: string; severity: string; message: string }[];
  workloads: { file: string; action: string }[];
}

const servers = useE2eServers('vr-values-last-e2e-', (vault) => {
  for (let i = 0; i < 2; i++) vault.kv.write('kv', 'web/session');
});

describe('a values file whose last key is podAnnotations', () => {
  it.each([
    ['existing entries', 'podAnnotations:\n  team: web # owner\n'],
    ['an empty value, CRLF', 'podAnnotations:\n'],
  ])('restarts with both keys written (%s)', async (name, tail) => {
    const crlf = name.endsWith('CRLF');
    const eol = (t: string) => (crlf ? t.replace(/\n/g, '\r\n') : t);
    const repo = `web-${crlf ? 'crlf' : 'lf'}`;
    const before = eol(values(tail));
    await servers.git.createBareRepo(
      repo,
      { 'apps/web.yaml': APP, 'charts/web/values.yaml': before },
      {
        branch: 'main',
      },
    );
    const url = servers.git.repoUrl(repo);

    const r = await runCli(['apply', '--repo', url, '--format', 'json'], servers.env);
    expect(r.stderr).not.toMatch(/at .+\.js:\d+/);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.problems).toEqual([]);
    expect(report.summary).toEqual({ workloads: 1, restart: 1, record: 0, blocked: 0, unchanged: 0 });
    expect(report.workloads.map((w) => `${w.file} ${w.action}`)).toEqual(['charts/web/values.yaml restart']);

    const record = 'vault-rollout/secret-versions: kv/web/session@2';
    expect(await servers.git.readFile(repo, 'main', 'charts/web/values.yaml')).toBe(
      before + eol(`  ${record}\n${record}\n`),
    );
    expect(await commitDiffLines(servers.git.repoPath(repo), report.commit)).toEqual([
      `charts/web/values.yaml: +  ${record}${crlf ? '\r' : ''}`,
      `charts/web/values.yaml: +${record}${crlf ? '\r' : ''}`,
    ]);

    // The next run reads the record it wrote: nothing to do.
    const again = await runCli(['apply', '--repo', url, '--format', 'json'], servers.env);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as Report).summary).toMatchObject({
      restart: 0,
      record: 0,
      unchanged: 1,
    });
  });
});
