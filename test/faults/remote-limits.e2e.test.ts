/**
 * The request bounds of Git and GitHub through the built CLI (`npm run build` first): a fault proxy in
 * front of the real `git http-backend` and of the GitHub test server dribbles an answer or sends a huge
 * one, with small bounds set in the config. Each run exits 1 with one clear line on stderr, publishes
 * nothing, and leaves TMPDIR empty. Also: an empty local checkout, on both engines.
 */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { runGit } from '../support/git-server.js';
import { startGitHubServer, type GitHubServer } from '../support/github-server.js';
import { useE2eServers } from '../support/e2e-servers.js';
import { runCli } from '../support/run-cli.js';

const s = useE2eServers('vr-limits-e2e-', (vault) => {
  vault.kv.write('kv', 'app/db');
});
let gitProxy: FaultProxy;
let github: GitHubServer;
let n = 0;
const TOKEN = 'ghp_limitsE2eToken_0123456789';
const ENGINES = ['native', 'isomorphic'] as const;

const deployment = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: web',
  '  annotations:',
  '    vault-rollout/secrets: kv/app/db',
  'spec:',
  '  template:',
  '    spec:',
  '      containers: [{ name: c, image: c }]',
  '',
].join('\n');

beforeAll(async () => {
  gitProxy = await startFaultProxy(s.git.url);
  github = await startGitHubServer({ owner: 'acme', repo: 'deploy', token: TOKEN });
});
afterAll(async () => {
  await github?.close();
  await gitProxy?.close();
});

/** A fresh repository on the git server, its URL through the proxy, and an empty TMPDIR for the run. */
async function setup(files: Record<string, string> = {}) {
  const name = `limits-${++n}`;
  await s.git.createBareRepo(name, { 'apps/web.yaml': deployment, ...files });
  const refs = await runGit(['for-each-ref'], { cwd: s.git.repoPath(name) });
  const tmp = await mkdtemp(join(s.tmp, 'run-tmp-'));
  return {
    name,
    url: `${gitProxy.url}/${name}.git`,
    tmp,
    /** Every ref of the remote, as before the run. */
    refsUnchanged: async () =>
      expect((await runGit(['for-each-ref'], { cwd: s.git.repoPath(name) })).toString()).toBe(
        refs.toString(),
      ),
  };
}

async function configFile(text: string): Promise<string> {
  const file = join(s.tmp, `config-${++n}.yaml`);
  await writeFile(file, text);
  return file;
}

/** Exit 1, nothing on stdout, exactly one stderr line with `text`, no stack trace. */
function expectFailure(res: { code: number | null; stdout: string; stderr: string }, text: string): void {
  expect(res.code, res.stderr).toBe(1);
  expect(res.stdout).toBe('');
  expect(res.stderr.split('\n').filter((l) => l.includes(text))).toHaveLength(1);
  expect(res.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

describe.each(ENGINES)('Git deadline through the CLI (%s)', (engine) => {
  it('a dribbled clone stops at git.timeoutSeconds from --config', async () => {
    const r = await setup();
    gitProxy.on(new RegExp(`/${r.name}\\.git/info/refs$`), { kind: 'trickle', everyMs: 200 });
    const config = await configFile('git:\n  timeoutSeconds: 1\n');
    const res = await runCli(['apply', '--repo', r.url, '--config', config, '--format', 'json'], {
      ...s.env,
      TMPDIR: r.tmp,
      VAULT_ROLLOUT_GIT: engine,
    });
    const what = engine === 'native' ? 'git clone from' : 'isomorphic-git fetch from';
    expectFailure(res, `${what} "${r.url}" did not finish within 1 s and was stopped`);
    await r.refsUnchanged();
    expect(await readdir(r.tmp)).toEqual([]);
  });

  it("a dribbled push stops at the repository's own git.timeoutSeconds; the remote is unchanged", async () => {
    // Long enough for the run's local git processes on a busy machine, far below the dribble (6 s).
    const r = await setup({ 'vault-rollout.yaml': 'git:\n  timeoutSeconds: 2\n' });
    gitProxy.on(
      new RegExp(`/${r.name}\\.git/info/refs\\?service=git-receive-pack$`),
      { kind: 'trickle', everyMs: 200 },
      { withQuery: true },
    );
    const res = await runCli(['apply', '--repo', r.url, '--format', 'json'], {
      ...s.env,
      TMPDIR: r.tmp,
      VAULT_ROLLOUT_GIT: engine,
    });
    expectFailure(res, `push to "${r.url}" did not finish within 2 s and was stopped`);
    await r.refsUnchanged();
    expect(await readdir(r.tmp)).toEqual([]);
  });
});

describe('GitHub bounds through the CLI', () => {
  /** A fault proxy of its own per test: the first matching rule wins, and both tests fault one path. */
  let ghProxy: FaultProxy;
  beforeEach(async () => {
    ghProxy = await startFaultProxy(github.url);
  });
  afterEach(() => ghProxy.close());

  const run = (url: string, tmp: string, config: string) =>
    runCli(['apply', '--repo', url, '--mode', 'pr', '--config', config, '--format', 'json'], {
      ...s.env,
      TMPDIR: tmp,
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: ghProxy.url,
      GITHUB_REPOSITORY: 'acme/deploy',
    });

  it('a dribbled GitHub answer stops at github.timeoutSeconds; no branch, no pull request', async () => {
    const r = await setup();
    ghProxy.on(/\/repos\/acme\/deploy\/pulls$/, {
      kind: 'trickle',
      everyMs: 200,
      body: `[${' '.repeat(40)}]`,
    });
    const res = await run(r.url, r.tmp, await configFile('github:\n  timeoutSeconds: 1\n'));
    expectFailure(
      res,
      'GitHub API: GET /repos/acme/deploy/pulls did not answer completely within 1 s and was stopped',
    );
    expect(res.stderr).not.toContain(TOKEN);
    expect(github.pulls.size).toBe(0);
    await r.refsUnchanged();
    expect(await readdir(r.tmp)).toEqual([]);
  });

  it('a huge GitHub answer stops at github.maxResponseBytes; no branch, no pull request', async () => {
    const r = await setup();
    ghProxy.on(/\/repos\/acme\/deploy\/pulls$/, { kind: 'huge', bytes: 64 * 1024 * 1024 });
    const res = await run(r.url, r.tmp, await configFile('github:\n  maxResponseBytes: 1048576\n'));
    expectFailure(
      res,
      'GitHub API: GET /repos/acme/deploy/pulls answered with more than 1048576 bytes; vault-rollout stopped reading',
    );
    expect(github.pulls.size).toBe(0);
    await r.refsUnchanged();
    expect(await readdir(r.tmp)).toEqual([]);
  });
});

describe.each(ENGINES)('an empty local checkout through the CLI (%s)', (engine) => {
  it('apply says the checkout has no commits yet', async () => {
    const r = await setup();
    const dir = join(s.tmp, `empty-${++n}`);
    await runGit(['init', '-q', '-b', 'main', dir]);
    await runGit(['remote', 'add', 'origin', s.git.repoUrl(r.name)], { cwd: dir });
    await writeFile(join(dir, 'web.yaml'), deployment);
    const res = await runCli(['apply', '--repo', dir], {
      ...s.env,
      TMPDIR: r.tmp,
      VAULT_ROLLOUT_GIT: engine,
    });
    expectFailure(
      res,
      `vault-rollout: the checkout "${dir}" has no commits yet (branch "main" is empty); commit and push the manifests first, or pass the repository URL`,
    );
    await r.refsUnchanged();
    expect(await readdir(r.tmp)).toEqual([]);
  });
});
