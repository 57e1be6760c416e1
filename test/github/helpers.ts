/** Fixtures for the pull-request flow: a 3-workload repo, servers, and one call of publishPullRequest. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { openWorkspace, type GitAuth, type Workspace } from '../../src/adapters/git/index.js';
import {
  connectGitHub,
  githubCredentialsFromEnv,
  resolveRepository,
} from '../../src/adapters/github/index.js';
import { planRepo, publishLoop } from '../../src/pipeline.js';
import { createVaultReader } from '../../src/adapters/vault/reader.js';
import { vaultOptionsFromEnv } from '../../src/adapters/vault/env.js';
import { defaultConfig, parseConfig, type Config } from '../../src/core/config/schema.js';
import type { Logger } from '../../src/core/ports.js';
import { publishPullRequest, type PullRequestResult } from '../../src/publish/pull-request.js';
import { reportWith } from '../../src/publish/outcome.js';
import type { RunReport } from '../../src/core/model.js';

/** The stage's result, with the report the command makes of it (the plan joined with the outcome). */
export type PullRequestRun = PullRequestResult & { report: RunReport };
import { githubForge } from '../../src/forge.js';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { startGitHubServer, type GitHubServer, type GitHubServerOptions } from '../support/github-server.js';
import { startTestVault, type VaultDevServer } from '../support/vault-server.js';

export const OWNER = 'acme';
export const REPO = 'deploy';
export const TOKEN = 'ghp_testTokenValue_0123456789abcdef';
export const author = { name: 'vault-rollout', email: 'vault-rollout@users.noreply.github.com' };

export const manifests = {
  'apps/api.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
  annotations:
    vault-rollout/secrets: kv/app/db, kv/app/stripe
    vault-rollout/secret-versions: kv/app/db@1,kv/app/stripe@1
spec:
  replicas: 3
  strategy:
    type: RollingUpdate
  template:
    metadata:
      labels: {app: api}
    spec:
      containers: [{name: api, image: api:1}]
`,
  'apps/worker.yaml': `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: worker
  namespace: prod
  annotations:
    vault-rollout/secrets: kv/app/db
    vault-rollout/secret-versions: kv/app/db@1
spec:
  replicas: 2
  updateStrategy:
    type: OnDelete
  template:
    spec:
      containers: [{name: worker, image: worker:1}]
`,
  'apps/nightly.yaml': `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  namespace: reports
  annotations:
    vault-rollout/secrets: kv/app/smtp
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: report, image: report:1}]
`,
};

/** kv/app/db at v2 (recorded 1), stripe v1, smtp v1 (unrecorded). */
export function seedVault(vault: VaultDevServer): void {
  vault.kv.write('kv', 'app/db');
  vault.kv.write('kv', 'app/db');
  vault.kv.write('kv', 'app/stripe');
  vault.kv.write('kv', 'app/smtp');
}

export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (msg: string, data?: Record<string, unknown>) => {
    lines.push(`${level}: ${msg}${data ? ` ${JSON.stringify(data)}` : ''}`);
  };
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

export interface RunPrOptions {
  git: GitServer;
  vault: VaultDevServer;
  githubUrl: string;
  repo: string;
  config?: Config;
  env?: Record<string, string>;
  logger?: Logger;
  dryRun?: boolean;
  tmpRoot?: string;
  /** Credentials for the clone. */
  gitAuth?: GitAuth;
  /** Called on the opened workspace before publishing. */
  afterOpen?: (ws: Workspace) => void;
  /** The time `rollout.windows` are checked against. */
  rolloutClock?: () => Date;
}

/** One `apply --mode pr` run against the servers (pacing off, retry-after in milliseconds). */
export async function runPr(o: RunPrOptions): Promise<PullRequestRun> {
  const logger = o.logger ?? captureLogger();
  const config = o.config ?? defaultConfig();
  const env = {
    VAULT_ADDR: o.vault.url,
    VAULT_TOKEN: o.vault.rootToken,
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: o.githubUrl,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    ...o.env,
  };
  const ws = await openWorkspace({
    repo: o.git.repoUrl(o.repo),
    env: { PATH: process.env['PATH'], HOME: '/nonexistent', GIT_CONFIG_NOSYSTEM: '1' },
    logger,
    ...(o.tmpRoot ? { tmpRoot: o.tmpRoot } : {}),
    ...(o.gitAuth ? { auth: o.gitAuth } : {}),
  });
  o.afterOpen?.(ws);
  const reader = await createVaultReader({ ...vaultOptionsFromEnv(env, config.vault), logger });
  try {
    // As the composition root (src/run/apply.ts) does: one GitHub connection, one re-planning loop.
    const credentials = githubCredentialsFromEnv(env);
    const repository = credentials ? resolveRepository(undefined, env, ws.url) : null;
    const gh =
      credentials && repository
        ? await connectGitHub({
            credentials,
            repository,
            baseUrl: env['GITHUB_API_URL'],
            logger,
            pacing: false,
            retryAfterUnitMs: 1,
          })
        : null;
    if (gh?.via === 'app' && !('GIT_TOKEN' in env && env['GIT_TOKEN'])) {
      ws.useAuth({ username: 'x-access-token', token: gh.token });
    }
    const { plan, result } = await publishLoop({
      ws,
      plan: (w) =>
        planRepo({
          source: w.source,
          reader,
          config,
          branch: w.branch,
          logger,
          ...(o.rolloutClock ? { clock: o.rolloutClock } : {}),
        }),
      logger,
      retry: { backoffMs: 1 },
      publish: (report, w) =>
        publishPullRequest({
          ws: w,
          report,
          config,
          author,
          dryRun: o.dryRun ?? false,
          logger,
          forge: gh && repository ? githubForge(gh, repository, logger) : null,
        }),
    });
    return { ...result, report: reportWith(plan, result) };
  } finally {
    await reader.close();
    await ws.close();
  }
}

export function prConfig(yaml: string): Config {
  return parseConfig(yaml, 'vault-rollout.yaml');
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vr-gh-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The servers every pull-request suite runs against: a temp folder, the git server, a seeded Vault. */
export interface PrServers {
  tmp: Awaited<ReturnType<typeof tempDir>>;
  git: GitServer;
  vault: VaultDevServer;
}

/** Starts the servers (Vault seeded by {@link seedVault}); call from `beforeAll`. */
export async function startPrServers(): Promise<PrServers> {
  const tmp = await tempDir();
  const git = await startGitServer({ tmpRoot: tmp.dir });
  const vault = await startTestVault({ mounts: [{ path: 'kv', version: 2 }] });
  seedVault(vault);
  return { tmp, git, vault };
}

/** Closes what {@link startPrServers} started and every GitHub test server in `github`; call from `afterAll`. */
export async function stopPrServers(
  s: Partial<PrServers>,
  github: readonly (GitHubServer | undefined)[] = [],
): Promise<void> {
  for (const gh of github) await gh?.close();
  await s.git?.close();
  await s.vault?.close();
  await s.tmp?.cleanup();
}

/** A GitHub test server for repository `name` of the git server (its branch heads, optionally its Git Data API). */
export async function startGitHubFor(
  git: GitServer,
  name: string,
  extra: Partial<GitHubServerOptions> & { gitData?: boolean } = {},
): Promise<GitHubServer> {
  const { gitData, ...options } = extra;
  return startGitHubServer({
    owner: OWNER,
    repo: REPO,
    token: TOKEN,
    branchHead: (b) => git.head(name, b).catch(() => null),
    ...(gitData ? { gitDir: git.repoPath(name) } : {}),
    ...options,
  });
}
