/**
 * The GitLab client and the forge choice: 429 retries after Retry-After / RateLimit-Reset, the deadline and
 * the size cap, errors that name the call and never the token, the API and project derived from a remote
 * under a sub-path, and which forge a run uses.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import { GitLabClient, GitLabForge, gitlabLocation } from '../../src/adapters/gitlab/index.js';
import { chooseForge, forgeForRun, gitlabGitAuth, onGitLabHost } from '../../src/forge.js';
import { authFor } from '../../src/adapters/git/shared.js';
import { silentLogger } from '../../src/core/ports.js';
import { startGitLabServer, type GitLabServer } from '../support/gitlab-server.js';

const TOKEN = 'glpat-ClientTestToken_0123456789';
const limits = { timeoutMs: 2000, maxResponseBytes: 4096 };
let gl: GitLabServer | null = null;
let raw: http.Server | null = null;

afterEach(async () => {
  await gl?.close();
  gl = null;
  await new Promise<void>((done) => (raw ? raw.close(() => done()) : done()));
  raw = null;
});

const client = (apiUrl: string, token = TOKEN) =>
  new GitLabClient({ apiUrl, token, limits: { ...limits }, logger: silentLogger, retryAfterUnitMs: 1 });

describe('GitLabClient', () => {
  it('retries a 429 after Retry-After, then RateLimit-Reset, and counts every request', async () => {
    gl = await startGitLabServer({ project: 'platform/deploy', token: TOKEN });
    gl.failNext({ method: 'GET', status: 429, message: 'Retry later', headers: { 'retry-after': '2' } });
    gl.failNext({
      method: 'GET',
      status: 429,
      message: 'Retry later',
      headers: { 'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1) },
    });
    const c = client(gl.apiUrl);
    expect(await new GitLabForge(c, 'platform/deploy').findOpen('vault-rollout/main', 'main')).toBeNull();
    expect(gl.requests.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(c.requests()).toBe(3);
  });

  it("gives up after the retries with the call, the route and GitLab's words, never the token", async () => {
    gl = await startGitLabServer({ project: 'platform/deploy', token: TOKEN });
    gl.failNext({ status: 429, message: 'Retry later', headers: { 'retry-after': '0' }, times: 10 });
    const err = await new GitLabForge(client(gl.apiUrl), 'platform/deploy')
      .findOpen('b', 'main')
      .catch((e: unknown) => e as Error);
    expect(String(err)).toMatch(
      /GitLab API: listing opened merge requests from "b" \(GET \/projects\/platform%2Fdeploy\/merge_requests\) answered 429: "Retry later"/,
    );
    expect(gl.requests).toHaveLength(4);
  });

  it('a wrong token: 401 says which token GitLab wants, and the token is nowhere in the error', async () => {
    gl = await startGitLabServer({ project: 'platform/deploy', token: TOKEN });
    const wrong = 'glpat-WrongTokenValue_987654321';
    const err = await new GitLabForge(client(gl.apiUrl, wrong), 'platform/deploy')
      .comment(1, 'x')
      .catch((e: unknown) => e as Error);
    expect(String(err)).toMatch(/answered 40[14].*/);
    expect(String(err)).not.toContain(wrong);
    expect(gl.requests.every((r) => !r.path.includes(wrong))).toBe(true);
  });

  it('the test server refuses JOB-TOKEN on merge-request routes, as GitLab does', async () => {
    gl = await startGitLabServer({ project: 'platform/deploy', token: TOKEN, jobToken: 'glcbt-job' });
    const res = await fetch(`${gl.apiUrl}/projects/platform%2Fdeploy/merge_requests?state=opened`, {
      headers: { 'JOB-TOKEN': 'glcbt-job' },
    });
    expect(res.status).toBe(401);
    expect(gl.requests).toEqual([
      {
        method: 'GET',
        path: '/projects/platform%2Fdeploy/merge_requests?state=opened',
        status: 401,
        auth: 'job-token',
      },
    ]);
  });

  it('stops an answer over maxResponseBytes and one that trickles past the deadline', async () => {
    raw = http.createServer((req, res) => {
      if (req.url?.includes('big')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify('x'.repeat(10_000)));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('[');
        const t = setInterval(() => res.write(' '), 200);
        res.on('close', () => clearInterval(t));
      }
    });
    await new Promise<void>((done) => raw!.listen(0, '127.0.0.1', done));
    const api = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/api/v4`;
    const c = new GitLabClient({
      apiUrl: api,
      token: TOKEN,
      limits: { timeoutMs: 800, maxResponseBytes: 4096 },
      logger: silentLogger,
    });
    const call = { what: 'reading', route: 'GET /x', permission: 'read_api' };
    await expect(c.request(call, 'GET', '/big')).rejects.toThrow(
      /more than 4096 bytes.*gitlab\.maxResponseBytes/,
    );
    const started = Date.now();
    await expect(c.request(call, 'GET', '/slow')).rejects.toThrow(/within 0.8 s.*gitlab\.timeoutSeconds/);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('where merge requests go', () => {
  it('sends the token over plain http only to a loopback API', () => {
    const at = (api: string) => () =>
      gitlabLocation({ config: {}, env: { GITLAB_API_URL: api, CI_PROJECT_PATH: 'g/p' }, remote: '/x' });
    expect(at('http://gitlab.example.com/api/v4')).toThrow(
      /plain http: GITLAB_TOKEN is sent over https only/,
    );
    expect(at('http://127.0.0.1:8080/api/v4')().apiUrl).toBe('http://127.0.0.1:8080/api/v4');
    expect(at('https://gitlab.example.com/api/v4')().apiUrl).toBe('https://gitlab.example.com/api/v4');
  });

  it('derives the API and the project from the remote, keeping a sub-path', () => {
    expect(
      gitlabLocation({ config: {}, env: {}, remote: 'https://gitlab.example.com/platform/deploy.git' }),
    ).toEqual({
      apiUrl: 'https://gitlab.example.com/api/v4',
      project: 'platform/deploy',
    });
    expect(
      gitlabLocation({
        config: {},
        env: { CI_PROJECT_PATH: 'platform/deploy' },
        remote: 'https://host.example/gitlab/platform/deploy.git',
      }),
    ).toEqual({ apiUrl: 'https://host.example/gitlab/api/v4', project: 'platform/deploy' });
    expect(
      gitlabLocation({
        config: {},
        env: { GITLAB_API_URL: 'https://host.example/gitlab/api/v4/' },
        remote: 'https://host.example/gitlab/group/sub/app.git',
      }),
    ).toEqual({ apiUrl: 'https://host.example/gitlab/api/v4', project: 'group/sub/app' });
    expect(
      gitlabLocation({ config: {}, env: {}, remote: 'git@gitlab.example.com:platform/deploy.git' }),
    ).toEqual({
      apiUrl: 'https://gitlab.example.com/api/v4',
      project: 'platform/deploy',
    });
    // The config wins over the environment, on a host the environment or the remote chose.
    expect(
      gitlabLocation({
        config: { url: 'https://gl.example/gitlab/api/v4', project: '42' },
        env: { CI_API_V4_URL: 'https://gl.example/api/v4', CI_PROJECT_PATH: 'a/b' },
        remote: '/srv/repo',
      }),
    ).toEqual({ apiUrl: 'https://gl.example/gitlab/api/v4', project: '42' });
    expect(
      gitlabLocation({
        config: { url: 'https://gl.example/api/v4' },
        env: {},
        remote: 'git@GL.example:a/b.git',
      }).apiUrl,
    ).toBe('https://gl.example/api/v4');
    // Elsewhere (another host, port or scheme) it would carry GITLAB_TOKEN where the job did not choose.
    for (const url of ['https://other/api/v4', 'https://gl.example:8443/api/v4', 'http://gl.example/api/v4'])
      expect(() =>
        gitlabLocation({
          config: { url },
          env: { CI_API_V4_URL: 'https://gl.example/api/v4' },
          remote: 'https://gl.example/a/b.git',
        }),
      ).toThrow(/^gitlab\.url .*not the remote's host.*GITLAB_API_URL/);
    // gitlab.project: the remote's own project (under a sub-path too), or the job's; never another one.
    expect(
      gitlabLocation({
        config: { project: 'Platform/Deploy' },
        env: {},
        remote: 'https://gl.example/gitlab/platform/deploy.git',
      }).project,
    ).toBe('Platform/Deploy');
    expect(
      gitlabLocation({
        config: { project: '42' },
        env: { CI_PROJECT_ID: '42' },
        remote: 'https://gl.example/platform/deploy.git',
      }).project,
    ).toBe('42');
    for (const project of ['other/deploy', '43', 'form/deploy'])
      expect(() =>
        gitlabLocation({
          config: { project },
          env: { CI_PROJECT_ID: '42' },
          remote: 'https://gl.example/platform/deploy.git',
        }),
      ).toThrow(/^gitlab\.project .* is not the project the branch is pushed to/);
    expect(() => gitlabLocation({ config: {}, env: {}, remote: '/srv/repo' })).toThrow(
      /gitlab\.url.*GITLAB_API_URL/,
    );
  });

  it('chooses the forge: flag, config, GitLab CI, gitlab.com, else GitHub', () => {
    expect(chooseForge({ flag: 'github', config: 'gitlab', env: { GITLAB_CI: 'true' } })).toBe('github');
    expect(chooseForge({ config: 'gitlab', env: {} })).toBe('gitlab');
    expect(chooseForge({ env: { GITLAB_CI: 'true' } })).toBe('gitlab');
    expect(chooseForge({ env: { CI_API_V4_URL: 'https://gl/api/v4' } })).toBe('gitlab');
    expect(chooseForge({ env: {}, remote: 'https://gitlab.com/a/b.git' })).toBe('gitlab');
    expect(chooseForge({ env: {}, remote: 'https://github.com/a/b.git' })).toBe('github');
    expect(chooseForge({ env: { GITHUB_ACTIONS: 'true' } })).toBe('github');
  });

  it('git on GitLab: GITLAB_TOKEN as oauth2, else CI_JOB_TOKEN as gitlab-ci-token', () => {
    expect(gitlabGitAuth({ GITLAB_TOKEN: 't', CI_JOB_TOKEN: 'j' })).toMatchObject({
      username: 'oauth2',
      token: 't',
    });
    expect(gitlabGitAuth({ CI_JOB_TOKEN: 'j' })).toMatchObject({ username: 'gitlab-ci-token', token: 'j' });
    expect(gitlabGitAuth({})).toBeUndefined();
  });

  it('git on GitLab: the credential is limited to GitLab hosts unless --forge gitlab chose it', () => {
    const env = { GITLAB_TOKEN: 't', CI_SERVER_HOST: 'gitlab.example.com' };
    const limited = gitlabGitAuth(env)!;
    expect(limited.only?.('https://gitlab.example.com/g/p.git')).toBe(true);
    expect(limited.only?.('https://github.com/g/p.git')).toBe(false);
    expect(authFor(limited, 'https://github.com/g/p.git')).toBeUndefined();
    expect(authFor(limited, 'https://gitlab.example.com/g/p.git')).toBe(limited);
    const operator = gitlabGitAuth(env, { anyHost: true })!;
    expect(operator.only).toBeUndefined();
    expect(authFor(operator, 'https://git.corp.example/g/p.git')).toBe(operator);
  });

  it('a GitLab token goes only to a remote on a GitLab host the environment names', () => {
    expect(onGitLabHost('https://gitlab.com/a/b.git', {})).toBe(true);
    expect(onGitLabHost('git@gitlab.com:a/b.git', {})).toBe(true);
    expect(onGitLabHost('https://github.com/a/b.git', {})).toBe(false);
    const ci = { CI_SERVER_HOST: 'gitlab.example.com', CI_API_V4_URL: 'https://gitlab.example.com/api/v4' };
    expect(onGitLabHost('https://gitlab.example.com/group/proj.git', ci)).toBe(true);
    expect(
      onGitLabHost('https://GitLab.Example.com:8443/group/proj.git', {
        CI_SERVER_HOST: 'gitlab.example.com',
      }),
    ).toBe(true);
    expect(
      onGitLabHost('https://git.example.com/group/proj.git', {
        GITLAB_API_URL: 'https://git.example.com/api/v4',
      }),
    ).toBe(true);
    expect(onGitLabHost('https://evil.example.net/group/proj.git', ci)).toBe(false);
    expect(onGitLabHost('/srv/git/proj.git', ci)).toBe(false);
  });

  it('forge: gitlab from the repository over a github.com remote attaches no GitLab token to the push', () => {
    const used: unknown[] = [];
    // As the engines do (src/adapters/git/shared.ts authFor): a credential limited to other remotes is declined.
    const ws = (url: string) =>
      ({
        url,
        useAuth: (a: Parameters<typeof authFor>[0]) => (authFor(a, url) ? used.push(a) > 0 : false),
      }) as never;
    const logs: string[] = [];
    const logger = { debug: (m: string) => logs.push(m), info: () => {}, warn: () => {}, error: () => {} };
    const env = { GITLAB_TOKEN: 'glpat-secret' };
    const base = {
      mode: 'commit' as const,
      config: {} as never,
      env,
      logger,
      dryRun: false,
      apiCommits: false,
    };
    expect(forgeForRun({ ...base, ws: ws('https://github.com/acme/manifests.git') })).toBeNull();
    expect(used).toEqual([]);
    expect(logs.join('\n')).toMatch(/not on a GitLab host/);
    forgeForRun({ ...base, ws: ws('https://gitlab.com/acme/manifests.git') });
    expect(used).toMatchObject([{ username: 'oauth2', token: 'glpat-secret' }]);
  });
});
