/**
 * Where a run's merge requests go: the REST v4 base and the project. Each is the config's (`gitlab.url`,
 * `gitlab.project`), else GitLab CI's variables (`GITLAB_API_URL` or `CI_API_V4_URL`, `CI_PROJECT_PATH`),
 * else derived from the remote URL: `https://host/group/project.git` → `https://host/api/v4` and
 * `group/project`; a self-managed instance under a sub-path (`https://host/gitlab/group/project.git`) keeps
 * its prefix when the project path is known, and the prefix of a known API URL is taken off the remote's path.
 *
 * The config is usually the repository's own `vault-rollout.yaml`, written by whoever can push to it, and the
 * API gets GITLAB_TOKEN: so `gitlab.url` may only name an API on an origin the operator chose (the remote's,
 * or that of GITLAB_API_URL, CI_API_V4_URL or CI_SERVER_URL), and `gitlab.project` only the remote's own
 * project; anything else is refused before any request.
 */
import { ConfigError } from '../../core/errors.js';
import { isLoopbackHost } from '../../core/repo-location.js';

export interface GitLabLocation {
  /** e.g. `https://gitlab.example.com/gitlab/api/v4` (no trailing slash). */
  apiUrl: string;
  /** `group/sub/project` or a numeric id. */
  project: string;
}

/** Host (with port), path without `.git` and slashes, and scheme of a Git remote; null for a local path. */
function remoteParts(remote: string): { origin: string; path: string } | null {
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(remote);
  let origin: string;
  let path: string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote)) {
    let url: URL;
    try {
      url = new URL(remote);
    } catch {
      return null;
    }
    if (url.protocol === 'file:') return null;
    // An SSH remote's API is HTTPS on the same host.
    origin =
      url.protocol === 'http:'
        ? `http://${url.host}`
        : `https://${url.protocol === 'https:' ? url.host : url.hostname}`;
    path = decodeURIComponent(url.pathname);
  } else if (scp) {
    origin = `https://${scp[1]}`;
    path = scp[2]!;
  } else {
    return null;
  }
  return { origin, path: path.replace(/\.git\/?$/, '').replace(/^\/+|\/+$/g, '') };
}

/** Scheme, host and port of a URL, or null when it is not one. */
function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

/**
 * `gitlab.url` from the config, when it is on an origin the operator chose.
 * @throws ConfigError naming the key when it points anywhere else.
 */
function configApiUrl(
  url: string,
  env: Record<string, string | undefined>,
  remote: { origin: string } | null,
): string {
  const chosen = new Set(
    [
      originOf(remote?.origin),
      originOf(env['GITLAB_API_URL']?.trim()),
      originOf(env['CI_API_V4_URL']?.trim()),
      originOf(env['CI_SERVER_URL']?.trim()),
    ].filter((o): o is string => !!o),
  );
  const origin = originOf(url);
  if (origin === null || !chosen.has(origin)) {
    const known = [...chosen].join(', ') || 'none';
    throw new ConfigError(
      `gitlab.url ${origin ?? JSON.stringify(url.slice(0, 200))} is not the remote's host nor that of GITLAB_API_URL / CI_API_V4_URL / CI_SERVER_URL (${known}): GITLAB_TOKEN is only sent to a host the job chose, so set GITLAB_API_URL in the job's environment instead`,
    );
  }
  return url;
}

/**
 * `gitlab.project` from the config, when it is the project the branch is pushed to: CI_PROJECT_PATH or
 * CI_PROJECT_ID, or the remote's own path (ending with it, for an install under a sub-path). Another project
 * would have GITLAB_TOKEN (often a group token) find, retitle or close that project's merge requests.
 * With no remote URL to compare with (a local path), the config is taken as it is.
 * @throws ConfigError naming the key when it names another project.
 */
function configProject(
  project: string,
  env: Record<string, string | undefined>,
  remote: { path: string } | null,
): string {
  const want = project.replace(/^\/+|\/+$/g, '').toLowerCase();
  const known = [env['CI_PROJECT_PATH'], env['CI_PROJECT_ID']].map((v) => v?.trim().toLowerCase());
  if (!remote || known.includes(want)) return project;
  const path = remote.path.toLowerCase();
  if (path === want || path.endsWith(`/${want}`)) return project;
  throw new ConfigError(
    `gitlab.project ${JSON.stringify(project.slice(0, 200))} is not the project the branch is pushed to ("${remote.path}") nor CI_PROJECT_PATH / CI_PROJECT_ID: merge requests are only opened in the remote's own project; remove gitlab.project or set CI_PROJECT_PATH in the job's environment`,
  );
}

/**
 * @example
 * gitlabLocation({ env: process.env, remote: 'https://gitlab.example.com/platform/deploy.git' });
 * // { apiUrl: 'https://gitlab.example.com/api/v4', project: 'platform/deploy' }
 * @throws ConfigError when the API or the project cannot be told.
 */
export function gitlabLocation(o: {
  config: { url?: string | undefined; project?: string | undefined };
  env: Record<string, string | undefined>;
  /** The workspace's remote, without credentials. */
  remote: string;
}): GitLabLocation {
  const remote = remoteParts(o.remote);
  const given =
    (o.config.url !== undefined ? configApiUrl(o.config.url, o.env, remote) : undefined) ??
    (o.env['GITLAB_API_URL']?.trim() || o.env['CI_API_V4_URL']?.trim() || undefined);
  let project =
    (o.config.project !== undefined ? configProject(o.config.project, o.env, remote) : undefined) ??
    (o.env['CI_PROJECT_PATH']?.trim() || undefined);
  let apiUrl: string | undefined;
  if (given) {
    apiUrl = given.replace(/\/+$/, '');
  } else if (remote) {
    // With the project known, what comes before it in the remote's path is the sub-path of the install.
    const prefix =
      project && remote.path.endsWith(project)
        ? remote.path.slice(0, -project.length).replace(/\/+$/, '')
        : '';
    apiUrl = `${remote.origin}${prefix ? `/${prefix}` : ''}/api/v4`;
  }
  if (!apiUrl) {
    throw new ConfigError(
      `cannot tell the GitLab API of "${o.remote}": set gitlab.url in the config or GITLAB_API_URL (e.g. https://gitlab.example.com/api/v4)`,
    );
  }
  // The token travels in a header: plain http only to the machine itself, as for Git remotes.
  let api: URL | null = null;
  try {
    api = new URL(apiUrl);
  } catch {
    // a bad URL is reported by the client's first request
  }
  if (api?.protocol === 'http:' && !isLoopbackHost(api.hostname)) {
    throw new ConfigError(
      `the GitLab API ${api.origin} is plain http: GITLAB_TOKEN is sent over https only (plain http only for loopback hosts)`,
    );
  }
  if (!project && remote) {
    let prefix = '';
    try {
      prefix = new URL(apiUrl).pathname.replace(/\/api\/v4\/?$/, '').replace(/^\/+|\/+$/g, '');
    } catch {
      // a bad URL is reported by the client's first request
    }
    project =
      prefix && remote.path.startsWith(`${prefix}/`) ? remote.path.slice(prefix.length + 1) : remote.path;
  }
  if (!project || (!project.includes('/') && !/^[0-9]+$/.test(project))) {
    throw new ConfigError(
      `cannot tell the GitLab project of "${o.remote}": set gitlab.project in the config or CI_PROJECT_PATH (e.g. platform/deploy)`,
    );
  }
  return { apiUrl, project };
}
