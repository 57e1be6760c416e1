/**
 * The repository's `vault-rollout.yaml` is written by whoever can push to it, so its `gitlab.url` must not
 * choose where GITLAB_TOKEN goes: through the built CLI, a config pointing the API at another host is
 * refused in one line before any request, and that host never sees a request (let alone the token).
 * Nor can its `gitlab.project` name another project than the one the branch is pushed to, nor its
 * `forge: gitlab` send GITLAB_TOKEN to a checkout's origin on a host the environment does not name as GitLab.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../support/run-cli.js';
import { runGit, startGitServer, type GitServer } from '../support/git-server.js';
import { startTestVault, type VaultDevServer } from '../support/vault-server.js';
import { manifests, seedVault, tempDir } from '../github/helpers.js';

const TOKEN = 'glpat-HostileConfigToken0123456789';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let git: GitServer;
let vault: VaultDevServer;
let attacker: Server;
let attackerUrl: string;
const seen: { url: string; token: string | undefined }[] = [];

beforeAll(async () => {
  tmp = await tempDir();
  git = await startGitServer({ tmpRoot: tmp.dir });
  vault = await startTestVault({ mounts: [{ path: 'kv', version: 2 }] });
  seedVault(vault);
  attacker = createServer((req, res) => {
    seen.push({ url: req.url ?? '', token: req.headers['private-token'] as string | undefined });
    res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
  await new Promise<void>((done) => attacker.listen(0, '127.0.0.1', done));
  attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}/api/v4`;
  await git.createBareRepo('deploy', {
    ...manifests,
    'vault-rollout.yaml': `forge: gitlab\nmode: pr\ngitlab: { url: "${attackerUrl}", project: platform/deploy }\n`,
  });
  await git.createBareRepo('app', {
    ...manifests,
    'vault-rollout.yaml': 'forge: gitlab\nmode: pr\ngitlab: { project: other-team/deploy }\n',
  });
});
afterAll(async () => {
  await new Promise((done) => attacker?.close(done));
  await git?.close();
  await vault?.close();
  await tmp?.cleanup();
});

describe('a repository config cannot send GITLAB_TOKEN to a host of its choosing', () => {
  for (const [name, extra] of [
    ['API derived from the remote', {}],
    ['API from CI_API_V4_URL', { CI_API_V4_URL: 'http://127.0.0.1:9/api/v4', GITLAB_CI: 'true' }],
  ] as const) {
    it(`${name}: gitlab.url on another host is refused in one line, nothing is sent or pushed`, async () => {
      const res = await runCli(['apply', '--repo', git.repoUrl('deploy'), '--format', 'json'], {
        VAULT_ADDR: vault.url,
        VAULT_TOKEN: vault.rootToken,
        GITLAB_TOKEN: TOKEN,
        ...extra,
      });
      expect(seen).toEqual([]);
      expect(res.code, res.stderr).toBe(1);
      const lines = res.stderr.trim().split('\n');
      expect(lines.at(-1)).toMatch(/gitlab\.url/);
      expect(lines.at(-1)).toMatch(/GITLAB_API_URL/);
      expect(res.stderr).not.toMatch(/\n\s+at /);
      expect(res.stderr + res.stdout).not.toContain(TOKEN);
      expect(await git.head('deploy', 'vault-rollout/main').catch(() => null)).toBeNull();
    });
  }
});

describe('a repository config cannot point GITLAB_TOKEN at another project', () => {
  it("gitlab.project other than the remote's is refused in one line before any API request", async () => {
    seen.length = 0;
    // The API is the job's own choice here (GITLAB_API_URL): only the project comes from the repository.
    const res = await runCli(['apply', '--repo', git.repoUrl('app'), '--format', 'json'], {
      VAULT_ADDR: vault.url,
      VAULT_TOKEN: vault.rootToken,
      GITLAB_TOKEN: TOKEN,
      GITLAB_API_URL: attackerUrl,
    });
    expect(seen).toEqual([]);
    expect(res.code, res.stderr).toBe(1);
    const last = res.stderr.trim().split('\n').at(-1);
    expect(last).toMatch(/gitlab\.project "other-team\/deploy" is not the project the branch is pushed to/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.stderr + res.stdout).not.toContain(TOKEN);
    expect(await git.head('app', 'vault-rollout/main').catch(() => null)).toBeNull();
  });
});

describe.each(['native', 'isomorphic'])(
  "a repository config cannot send GITLAB_TOKEN to a local checkout's origin (%s git)",
  (engine) => {
    // The remote takes only GITLAB_TOKEN (as GitLab's oauth2 user): the open's fetch succeeds exactly when the
    // run sent the token. The checkout is cloned with the header on the command line, so it keeps none itself.
    let locked: GitServer;
    let checkout: string;
    beforeAll(async () => {
      locked = await startGitServer({ tmpRoot: tmp.dir, auth: { username: 'oauth2', token: TOKEN } });
      await locked.createBareRepo('deploy', { ...manifests, 'vault-rollout.yaml': 'forge: gitlab\n' });
      checkout = join(tmp.dir, `gitlab-checkout-${engine}`);
      const header = `http.extraheader=Authorization: Basic ${Buffer.from(`oauth2:${TOKEN}`).toString('base64')}`;
      await runGit(['-c', header, 'clone', '-q', locked.repoUrl('deploy'), checkout]);
    });
    afterAll(async () => {
      await locked?.close();
    });
    const run = (extra: Record<string, string>, flags: string[] = []) =>
      runCli(['apply', '--repo', checkout, '--format', 'json', ...flags], {
        VAULT_ADDR: vault.url,
        VAULT_TOKEN: vault.rootToken,
        GITLAB_TOKEN: TOKEN,
        VAULT_ROLLOUT_GIT: engine,
        ...extra,
      });

    it('forge: gitlab over an origin the environment does not name: the token is not sent, nothing pushed', async () => {
      const before = await locked.head('deploy', 'main');
      const res = await run({});
      expect(res.code, res.stderr).toBe(1);
      const last = res.stderr.trim().split('\n').at(-1);
      expect(last).toMatch(/authentication refused/);
      expect(res.stderr).not.toMatch(/\n\s+at /);
      expect(res.stderr + res.stdout).not.toContain(TOKEN);
      expect(await locked.head('deploy', 'main')).toBe(before);
    });

    it('the same checkout with GITLAB_API_URL naming its host: the token is sent and the commit pushed', async () => {
      const before = await locked.head('deploy', 'main');
      const res = await run({ GITLAB_API_URL: `${new URL(locked.repoUrl('deploy')).origin}/api/v4` });
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr + res.stdout).not.toContain(TOKEN);
      expect(await locked.head('deploy', 'main')).not.toBe(before);
    });

    it("the operator's own --forge gitlab over a host the environment does not name: the token is sent and the commit pushed", async () => {
      // The repository's `forge: gitlab` then offers the workspace a token limited to named hosts, which it
      // must decline while keeping the operator's credential from the open (clearing it refused the push).
      vault.kv.write('kv', 'app/db');
      const before = await locked.head('deploy', 'main');
      const res = await run({}, ['--forge', 'gitlab']);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr + res.stdout).not.toContain(TOKEN);
      expect(await locked.head('deploy', 'main')).not.toBe(before);
    });
  },
);
