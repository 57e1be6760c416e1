/**
 * The octokit client: `@octokit/rest` with the retry and throttling plugins, token or GitHub App
 * authentication, `GITHUB_API_URL` for GitHub Enterprise Server, and every request bounded in time and
 * size (bounded-fetch.ts).
 *
 * Why a GitHub App: pull requests opened with a workflow's `GITHUB_TOKEN` trigger no workflows, so required
 * checks never run and auto-merge never completes. The App's installation
 * token is also handed to the git push, so the branch update triggers CI too.
 */
import { DEFAULT_GITHUB_LIMITS, type RequestLimits } from '../../core/limits.js';
import type { Logger } from '../../core/ports.js';
import { registerSecret } from '../../log.js';
import { boundedFetch } from './bounded-fetch.js';
import { GitHubError, toGitHubError } from './errors.js';
import type { GitHubOctokit } from './octokit.js';

export type { GitHubOctokit } from './octokit.js';

/** Where the credentials come from. */
export type GitHubCredentials =
  | { kind: 'token'; token: string }
  | { kind: 'app'; appId: string; privateKey: string; installationId: number | null };

export interface RepositoryRef {
  owner: string;
  name: string;
}

export const DEFAULT_API_URL = 'https://api.github.com';

/**
 * The App's private key from `GITHUB_APP_PRIVATE_KEY`: PEM text (with real or `\n`-escaped newlines), or
 * the PEM base64-encoded (what fits in one line of a secret store).
 */
export function decodePrivateKey(value: string): string {
  const text = value.trim();
  if (text.includes('-----BEGIN')) return text.replace(/\\n/g, '\n');
  const decoded = Buffer.from(text, 'base64').toString('utf8');
  if (decoded.includes('-----BEGIN')) return decoded.trim();
  throw new GitHubError(
    'GITHUB_APP_PRIVATE_KEY is neither a PEM private key nor a base64-encoded PEM; paste the .pem file GitHub generated',
  );
}

/**
 * Credentials from the environment: a GitHub App (`GITHUB_APP_ID` + `GITHUB_APP_PRIVATE_KEY`, optional
 * `GITHUB_APP_INSTALLATION_ID`) wins over `GITHUB_TOKEN`, because only the App's token triggers workflows.
 * @returns null when neither is set.
 */
export function githubCredentialsFromEnv(env: Record<string, string | undefined>): GitHubCredentials | null {
  const appId = env['GITHUB_APP_ID']?.trim();
  const key = env['GITHUB_APP_PRIVATE_KEY'];
  if (appId || key) {
    if (!appId || !key) {
      throw new GitHubError('GitHub App authentication needs both GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY');
    }
    const rawId = env['GITHUB_APP_INSTALLATION_ID']?.trim();
    const installationId = rawId ? Number(rawId) : null;
    if (rawId && (!Number.isInteger(installationId) || (installationId ?? 0) <= 0)) {
      throw new GitHubError(`GITHUB_APP_INSTALLATION_ID must be a number (got "${rawId}")`);
    }
    const privateKey = decodePrivateKey(key);
    registerSecret(privateKey);
    registerSecret(key);
    return { kind: 'app', appId, privateKey, installationId };
  }
  const token = env['GITHUB_TOKEN']?.trim();
  return token ? { kind: 'token', token } : null;
}

/**
 * `owner/name` of the repository: `--github-repository`, else `GITHUB_REPOSITORY`, else parsed from a
 * remote URL such as `https://github.com/owner/name(.git)` (any host: GitHub Enterprise Server too).
 */
export function resolveRepository(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  remoteUrl: string | null,
): RepositoryRef {
  const parse = (value: string, from: string): RepositoryRef => {
    const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(value.trim());
    if (!m) throw new GitHubError(`${from} must be "OWNER/NAME" (got "${value}")`);
    return { owner: m[1]!, name: m[2]!.replace(/\.git$/, '') };
  };
  if (flag) return parse(flag, '--github-repository');
  const fromEnv = env['GITHUB_REPOSITORY'];
  if (fromEnv) return parse(fromEnv, 'GITHUB_REPOSITORY');
  if (remoteUrl) {
    try {
      const parts = new URL(remoteUrl).pathname.split('/').filter(Boolean);
      if (parts.length >= 2) {
        return { owner: parts[parts.length - 2]!, name: parts[parts.length - 1]!.replace(/\.git$/, '') };
      }
    } catch {
      // fall through to the error below
    }
  }
  throw new GitHubError(
    'cannot tell which GitHub repository to open the pull request in: pass --github-repository OWNER/NAME or set GITHUB_REPOSITORY',
  );
}

export interface GitHubClientOptions {
  credentials: GitHubCredentials;
  repository: RepositoryRef;
  /** `GITHUB_API_URL`; default https://api.github.com. */
  baseUrl?: string;
  logger: Logger;
  /** Retries of a rate-limited request (primary or secondary limit) before giving up (default 3). */
  rateLimitRetries?: number;
  /** Milliseconds per second of `retry-after` (default 1000; tests shrink it). */
  retryAfterUnitMs?: number;
  /**
   * Space mutating requests as GitHub asks (1 s between writes, 3 s before notification-triggering ones;
   * the throttling plugin's defaults). Default true; tests turn it off.
   */
  pacing?: boolean;
  /**
   * Deadline and size cap of each request (`github.timeoutSeconds`, `github.maxResponseBytes`); read per
   * request. Default: src/core/limits.ts.
   */
  limits?: RequestLimits;
}

export interface GitHubConnection {
  octokit: GitHubOctokit;
  /** The token every request uses (the installation token with an App); registered for redaction. */
  token: string;
  via: 'token' | 'app';
  /** Requests sent so far, retries included. */
  requests: () => number;
}

/** A limiter that lets every job through at once (pacing off). */
const unpaced = {
  key: () => ({
    schedule: <T>(_opts: unknown, fn: (...a: unknown[]) => T, ...args: unknown[]) => fn(...args),
  }),
};

function buildOctokit(
  Client: typeof import('./octokit.js').GitHubOctokit,
  opts: GitHubClientOptions,
  auth: string | undefined,
  counter: { n: number },
): GitHubOctokit {
  const max = opts.rateLimitRetries ?? 3;
  const log = opts.logger;
  /** Retries a rate-limited request up to `max` times, when GitHub's wait is at most `longest` seconds. */
  const retryHandler =
    (what: string, longest: number) =>
    (
      retryAfter: number,
      options: { method: string; url: string },
      _o: unknown,
      retryCount: number,
    ): boolean => {
      if (retryCount >= max) return false;
      log.warn(
        `GitHub ${what} on ${options.method} ${options.url}; retrying in ${retryAfter} s (${retryCount + 1}/${max})`,
      );
      return retryAfter <= longest;
    };
  const octokit = new Client({
    ...(auth ? { auth } : {}),
    baseUrl: (opts.baseUrl || DEFAULT_API_URL).replace(/\/+$/, ''),
    userAgent: 'vault-rollout',
    request: { fetch: boundedFetch(opts.limits ?? { ...DEFAULT_GITHUB_LIMITS }) },
    log: {
      debug: () => {},
      info: () => {},
      warn: (m: string) => log.debug(m),
      error: (m: string) => log.debug(m),
    },
    // 429 is left to the throttling plugin (it honours retry-after); the retry plugin takes 5xx and network errors.
    retry: {
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
      retries: 3,
      retryAfterBaseValue: opts.retryAfterUnitMs ?? 1000,
    },
    throttle: {
      retryAfterBaseValue: opts.retryAfterUnitMs ?? 1000,
      fallbackSecondaryRateRetryAfter: 60,
      // The plugin only calls `key(id).schedule(...)` on these Bottleneck groups.
      ...(opts.pacing === false ? { write: unpaced as never, notifications: unpaced as never } : {}),
      // Primary limit: wait up to 15 minutes for the reset; secondary limit: wait as GitHub says.
      onRateLimit: retryHandler('rate limit hit', 15 * 60),
      onSecondaryRateLimit: retryHandler('secondary rate limit', Infinity),
    },
  });
  octokit.hook.before('request', () => {
    counter.n++;
  });
  return octokit;
}

/**
 * Connects to the GitHub API: with a token directly; with an App, finds the installation for the
 * repository (unless given) and creates an installation token. Every token is registered for redaction.
 *
 * @example
 * const gh = await connectGitHub({ credentials: githubCredentialsFromEnv(env)!, repository, baseUrl: env.GITHUB_API_URL, logger });
 * await gh.octokit.rest.pulls.list({ owner, repo, state: 'open' });
 */
export async function connectGitHub(opts: GitHubClientOptions): Promise<GitHubConnection> {
  const { GitHubOctokit, createAppAuth } = await import('./octokit.js');
  const counter = { n: 0 };
  const { credentials, repository } = opts;
  if (credentials.kind === 'token') {
    registerSecret(credentials.token);
    registerSecret(Buffer.from(`x-access-token:${credentials.token}`).toString('base64'));
    return {
      octokit: buildOctokit(GitHubOctokit, opts, credentials.token, counter),
      token: credentials.token,
      via: 'token',
      requests: () => counter.n,
    };
  }
  const bare = buildOctokit(GitHubOctokit, opts, undefined, counter);
  let installationId = credentials.installationId;
  const appAuth = createAppAuth({
    appId: credentials.appId,
    privateKey: credentials.privateKey,
    request: bare.request,
  });
  if (installationId === null) {
    const route = `GET /repos/${repository.owner}/${repository.name}/installation`;
    try {
      const { token: jwt } = await appAuth({ type: 'app' });
      registerSecret(jwt);
      const res = await bare.request('GET /repos/{owner}/{repo}/installation', {
        owner: repository.owner,
        repo: repository.name,
        headers: { authorization: `bearer ${jwt}` },
      });
      installationId = res.data.id;
    } catch (err) {
      if ((err as { status?: number }).status === 404) {
        throw new GitHubError(
          `GitHub API: the App ${credentials.appId} is not installed on "${repository.owner}/${repository.name}" (${route}: 404); install it on the repository or set GITHUB_APP_INSTALLATION_ID`,
        );
      }
      throw toGitHubError(err, {
        what: 'finding the GitHub App installation',
        route,
        permission: 'an App JWT (check GITHUB_APP_ID and the key)',
      });
    }
  }
  let token: string;
  try {
    ({ token } = await appAuth({ type: 'installation', installationId }));
  } catch (err) {
    throw toGitHubError(err, {
      what: 'creating an installation token',
      route: `POST /app/installations/${installationId}/access_tokens`,
      permission: 'an App installed on the repository',
    });
  }
  registerSecret(token);
  registerSecret(Buffer.from(`x-access-token:${token}`).toString('base64'));
  opts.logger.info(`GitHub App ${credentials.appId}: using installation ${installationId}`);
  return {
    octokit: buildOctokit(GitHubOctokit, opts, token, counter),
    token,
    via: 'app',
    requests: () => counter.n,
  };
}
