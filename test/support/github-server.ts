/**
 * A GitHub REST + GraphQL test server on 127.0.0.1:0 for the pull-request flow. It keeps pull
 * requests, comments, labels and reviewers in memory, checks the Authorization header on every request,
 * and answers with bodies typed against `@octokit/openapi-types`, so a field GitHub does not send (or a
 * missing required one) fails to compile.
 *
 * Fault injection: `failNext` answers the next matching requests with a status, GitHub's message and
 * headers (403 with `x-accepted-github-permissions`, 422 validation errors, secondary rate limits with
 * `retry-after`). A GitHub App is supported: `GET /repos/{o}/{r}/installation` and
 * `POST /app/installations/{id}/access_tokens` check the App JWT's RS256 signature with the public key.
 *
 * Git Data API (`gitDir`): blobs, trees, commits and refs live in the bare repository the git test server
 * serves, so the API and git see one repository (see github-git-data.ts).
 *
 * @example
 * const gh = await startGitHubServer({ owner: 'acme', repo: 'deploy', token: 'ghs_test' });
 * // GITHUB_API_URL=gh.url GITHUB_TOKEN=ghs_test ...
 * await gh.close();
 */
import { createPublicKey, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { components } from '@octokit/openapi-types';

import { gitDataStore, type GitDataStore } from './github-git-data.js';

type Schemas = components['schemas'];

export interface StoredPull {
  number: number;
  nodeId: string;
  title: string;
  body: string | null;
  head: string;
  base: string;
  state: 'open' | 'closed';
  labels: string[];
  reviewers: string[];
  teamReviewers: string[];
  /** Opened as a draft (`draft: true` in the create request). */
  draft: boolean;
  autoMerge: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface StoredComment {
  id: number;
  issue: number;
  body: string;
  user: string;
}

export interface GitHubRequestLog {
  method: string;
  /** Path and query. */
  path: string;
  status: number;
  /** `token`, `bearer-jwt` (App JWT), or `none`; never the credential itself. */
  auth: 'token' | 'bearer-jwt' | 'none';
  /** Set when the answer came from `failNext`. */
  fault?: boolean;
}

export interface GitHubFault {
  method?: string;
  /** Matched against the path (no query). */
  path?: RegExp;
  status: number;
  message: string;
  errors?: Schemas['validation-error']['errors'];
  headers?: Record<string, string>;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface GitHubServerOptions {
  owner: string;
  repo: string;
  /** The token requests must carry (`token X` or `bearer X`). */
  token?: string;
  /** A GitHub App that may authenticate: its JWTs are verified, and it receives `installationToken`. */
  app?: { appId: string; publicKeyPem: string; installationId: number; installationToken: string };
  /** The head commit of a branch (e.g. read from the git test server), or null when it does not exist. */
  branchHead?: (branch: string) => Promise<string | null>;
  /** Logins that may be requested as reviewers; default: anyone. */
  collaborators?: string[];
  /** The login our token acts as (author of pull requests and comments). */
  botLogin?: string;
  /** The bare repository behind the Git Data API (`git/blobs`, `git/trees`, `git/commits`, `git/refs`). */
  gitDir?: string;
  /** Committer of the commits GitHub signs: the bot itself (default) or `GitHub <noreply@github.com>`. */
  apiCommitter?: 'bot' | 'web-flow';
  /**
   * Holds each pull-request create until this many are waiting (or 10 s passed), then answers them in
   * order: concurrent runs that each saw no open pull request meet GitHub's 422 "already exists" for sure.
   */
  gatePullCreates?: number;
}

export interface GitHubServer {
  url: string;
  requests: GitHubRequestLog[];
  pulls: Map<number, StoredPull>;
  comments: StoredComment[];
  /** Repository setting "Allow auto-merge". */
  allowAutoMerge: boolean;
  failNext(fault: GitHubFault): void;
  /** Requests that change something (not GET), answered without a fault. */
  writes(since?: number): GitHubRequestLog[];
  /** Adds a comment as another user (to test pagination and markers). */
  addComment(issue: number, body: string, user?: string): void;
  /** The Git Data API's record (commits created, ref updates); null without `gitDir`. */
  gitData: GitDataStore | null;
  close(): Promise<void>;
}

const T0 = '2026-11-05T09:00:00Z';

function user(login: string, id: number): Schemas['simple-user'] {
  const u = `https://api.github.test/users/${login}`;
  return {
    login,
    id,
    node_id: `U_${id}`,
    avatar_url: `https://avatars.github.test/u/${id}`,
    gravatar_id: '',
    url: u,
    html_url: `https://github.test/${login}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
  };
}

function repository(owner: string, name: string): Schemas['repository'] {
  const api = `https://api.github.test/repos/${owner}/${name}`;
  return {
    id: 4242,
    node_id: 'R_4242',
    name,
    full_name: `${owner}/${name}`,
    license: null,
    forks: 0,
    owner: user(owner, 1),
    private: true,
    html_url: `https://github.test/${owner}/${name}`,
    description: null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://github.test/${owner}/${name}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@github.test:${owner}/${name}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `https://github.test/${owner}/${name}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: `https://github.test/${owner}/${name}`,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 1,
    default_branch: 'main',
    open_issues_count: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    archived: false,
    disabled: false,
    pushed_at: T0,
    created_at: T0,
    updated_at: T0,
    open_issues: 0,
    watchers: 0,
  };
}

const link = (href: string): Schemas['link'] => ({ href });

function label(name: string, i: number): Schemas['label'] {
  return {
    id: 100 + i,
    node_id: `LA_${100 + i}`,
    url: `https://api.github.test/labels/${encodeURIComponent(name)}`,
    name,
    description: null,
    color: 'ededed',
    default: false,
  };
}

class Answer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

function error(status: number, message: string, errors?: Schemas['validation-error']['errors']): Answer {
  const body: Schemas['validation-error'] = {
    message,
    documentation_url: 'https://docs.github.com/rest',
    ...(errors ? { errors } : {}),
  };
  return new Answer(status, body);
}

/** Verifies an App JWT (RS256) against the public key; returns its `iss` or null. */
function verifyJwt(jwt: string, publicKeyPem: string): string | null {
  const [h, p, s] = jwt.split('.');
  if (!h || !p || !s) return null;
  const ok = verify(
    'RSA-SHA256',
    Buffer.from(`${h}.${p}`),
    createPublicKey(publicKeyPem),
    Buffer.from(s, 'base64url'),
  );
  if (!ok) return null;
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { iss?: unknown; exp?: number };
  return payload.iss === undefined ? null : String(payload.iss);
}

export async function startGitHubServer(options: GitHubServerOptions): Promise<GitHubServer> {
  const { owner, repo } = options;
  const bot = options.botLogin ?? 'vault-rollout[bot]';
  const requests: GitHubRequestLog[] = [];
  const pulls = new Map<number, StoredPull>();
  let gated: (() => void)[] = [];
  /** Resolves once `n` creates wait (all of them then go on, in arrival order), or after 10 s. */
  const gateCreate = (n: number) =>
    new Promise<void>((go) => {
      gated.push(go);
      const release = () => {
        const all = gated;
        gated = [];
        for (const g of all) g();
      };
      if (gated.length >= n) release();
      else setTimeout(release, 10_000).unref();
    });
  const comments: StoredComment[] = [];
  const faults: (GitHubFault & { left: number })[] = [];
  let nextNumber = 1;
  let nextComment = 1;
  let clockTick = 0;
  const repoData = repository(owner, repo);
  const prefix = `/repos/${owner}/${repo}`;
  let url = '';

  const now = () => new Date(Date.parse(T0) + ++clockTick * 1000).toISOString().replace('.000', '');
  const gitData = options.gitDir
    ? gitDataStore({
        gitdir: options.gitDir,
        url: () => url,
        prefix,
        bot,
        botId: 7,
        committer: options.apiCommitter ?? 'bot',
        clock: () => Date.parse(now()) / 1000,
      })
    : null;
  const headSha = async (branch: string) => (await options.branchHead?.(branch)) ?? '0'.repeat(40);

  async function pullSimple(p: StoredPull): Promise<Schemas['pull-request-simple']> {
    const api = `${url}${prefix}/pulls/${p.number}`;
    const html = `https://github.test/${owner}/${repo}/pull/${p.number}`;
    const sha = await headSha(p.head);
    const baseSha = (await options.branchHead?.(p.base)) ?? '0'.repeat(40);
    return {
      url: api,
      id: 9000 + p.number,
      node_id: p.nodeId,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${url}${prefix}/issues/${p.number}`,
      commits_url: `${api}/commits`,
      review_comments_url: `${api}/comments`,
      review_comment_url: `${url}${prefix}/pulls/comments{/number}`,
      comments_url: `${url}${prefix}/issues/${p.number}/comments`,
      statuses_url: `${url}${prefix}/statuses/${sha}`,
      number: p.number,
      state: p.state,
      locked: false,
      title: p.title,
      user: user(bot, 7),
      body: p.body,
      labels: p.labels.map((name, i) => ({ ...label(name, i), description: '' })),
      milestone: null,
      created_at: p.createdAt,
      updated_at: p.updatedAt,
      closed_at: p.closedAt,
      merged_at: null,
      merge_commit_sha: null,
      assignee: null,
      requested_reviewers: p.reviewers.map((r, i) => user(r, 20 + i)),
      head: { label: `${owner}:${p.head}`, ref: p.head, repo: repoData, sha, user: user(owner, 1) },
      base: { label: `${owner}:${p.base}`, ref: p.base, repo: repoData, sha: baseSha, user: user(owner, 1) },
      _links: {
        comments: link(`${url}${prefix}/issues/${p.number}/comments`),
        commits: link(`${api}/commits`),
        statuses: link(`${url}${prefix}/statuses/${sha}`),
        html: link(html),
        issue: link(`${url}${prefix}/issues/${p.number}`),
        review_comments: link(`${api}/comments`),
        review_comment: link(`${url}${prefix}/pulls/comments{/number}`),
        self: link(api),
      },
      author_association: 'NONE',
      auto_merge: p.autoMerge
        ? { enabled_by: user(bot, 7), merge_method: 'merge', commit_title: p.title, commit_message: '' }
        : null,
      draft: p.draft,
    };
  }

  async function pullFull(p: StoredPull): Promise<Schemas['pull-request']> {
    const s = await pullSimple(p);
    return {
      ...s,
      state: p.state,
      user: user(bot, 7),
      labels: p.labels.map(label),
      head: { ...s.head, user: user(owner, 1) },
      base: { ...s.base, user: user(owner, 1) },
      merged: false,
      mergeable: true,
      mergeable_state: 'clean',
      merged_by: null,
      comments: comments.filter((c) => c.issue === p.number).length,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: 1,
      deletions: 1,
      changed_files: 1,
    };
  }

  function comment(c: StoredComment): Schemas['issue-comment'] {
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${url}${prefix}/issues/comments/${c.id}`,
      body: c.body,
      html_url: `https://github.test/${owner}/${repo}/pull/${c.issue}#issuecomment-${c.id}`,
      user: user(c.user, c.user === bot ? 7 : 30),
      created_at: T0,
      updated_at: T0,
      issue_url: `${url}${prefix}/issues/${c.issue}`,
      author_association: c.user === bot ? 'NONE' : 'MEMBER',
    };
  }

  /** One page of `items`, with GitHub's Link header. */
  function page<T>(items: T[], q: URLSearchParams, path: string): Answer {
    const per = Math.min(100, Number(q.get('per_page') ?? 30));
    const n = Math.max(1, Number(q.get('page') ?? 1));
    const slice = items.slice((n - 1) * per, n * per);
    const headers: Record<string, string> = {};
    if (n * per < items.length) {
      const next = new URLSearchParams(q);
      next.set('page', String(n + 1));
      next.set('per_page', String(per));
      headers['link'] = `<${url}${path}?${next.toString()}>; rel="next"`;
    }
    return new Answer(200, slice, headers);
  }

  function authKind(
    header: string | undefined,
    isAppRoute: boolean,
  ): 'token' | 'bearer-jwt' | 'none' | 'bad' {
    if (!header) return 'none';
    const m = /^(token|bearer)\s+(.+)$/i.exec(header);
    if (!m?.[2]) return 'bad';
    const value = m[2];
    if (value === options.token || value === options.app?.installationToken) return 'token';
    if (isAppRoute && options.app && verifyJwt(value, options.app.publicKeyPem) === options.app.appId)
      return 'bearer-jwt';
    return 'bad';
  }

  async function route(
    method: string,
    path: string,
    q: URLSearchParams,
    body: Record<string, unknown>,
    auth: string,
  ): Promise<Answer> {
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === `${prefix}/installation`) {
      if (auth !== 'bearer-jwt') return error(401, 'A JSON web token could not be decoded');
      const app = options.app!;
      const inst: Schemas['installation'] = {
        id: app.installationId,
        account: user(owner, 1),
        repository_selection: 'selected',
        access_tokens_url: `${url}/app/installations/${app.installationId}/access_tokens`,
        repositories_url: `${url}/installation/repositories`,
        html_url: `https://github.test/settings/installations/${app.installationId}`,
        app_id: Number(app.appId),
        target_id: 1,
        target_type: 'Organization',
        permissions: { contents: 'write', pull_requests: 'write' },
        events: [],
        created_at: T0,
        updated_at: T0,
        single_file_name: null,
        app_slug: 'vault-rollout',
        suspended_by: null,
        suspended_at: null,
      };
      return new Answer(200, inst);
    }
    if (method === 'POST' && (m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path))) {
      if (auth !== 'bearer-jwt') return error(401, 'A JSON web token could not be decoded');
      if (Number(m[1]) !== options.app?.installationId) return error(404, 'Not Found');
      const token: Schemas['installation-token'] = {
        token: options.app.installationToken,
        expires_at: '2099-01-01T00:00:00Z',
        permissions: { contents: 'write', pull_requests: 'write' },
        repository_selection: 'selected',
      };
      return new Answer(201, token);
    }
    if (auth !== 'token') return error(401, 'Bad credentials');

    if (method === 'POST' && path === '/graphql') return graphql(body);
    const data = await gitData?.route(method, path, body);
    if (data) return new Answer(data.status, data.body);
    if (method === 'GET' && path === `${prefix}/pulls`) {
      const state = q.get('state') ?? 'open';
      const head = q.get('head');
      const base = q.get('base');
      // GitHub ignores a head without "owner:" and lists every open pull request: so does this server.
      const headRef = head?.startsWith(`${owner}:`) ? head.slice(owner.length + 1) : null;
      const list = [...pulls.values()].filter(
        (p) =>
          (state === 'all' || p.state === state) &&
          (headRef === null || p.head === headRef) &&
          (base === null || p.base === base),
      );
      const ans = page(list, q, path);
      return new Answer(200, await Promise.all((ans.body as StoredPull[]).map(pullSimple)), ans.headers);
    }
    if (method === 'POST' && path === `${prefix}/pulls`) {
      if (options.gatePullCreates) await gateCreate(options.gatePullCreates);
      const head = String(body['head'] ?? '');
      const base = String(body['base'] ?? '');
      if (options.branchHead && !(await options.branchHead(head))) {
        return error(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
      }
      if ([...pulls.values()].some((p) => p.state === 'open' && p.head === head && p.base === base)) {
        return error(422, 'Validation Failed', [
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for ${owner}:${head}.`,
          },
        ]);
      }
      if (String(body['body'] ?? '').length > 65_536) {
        return error(422, 'Validation Failed', [
          {
            resource: 'Issue',
            field: 'body',
            code: 'custom',
            message: 'body is too long (maximum is 65536 characters)',
          },
        ]);
      }
      const number = nextNumber++;
      const t = now();
      const p: StoredPull = {
        number,
        nodeId: `PR_node${number}`,
        title: String(body['title'] ?? ''),
        body: typeof body['body'] === 'string' ? body['body'] : null,
        head,
        base,
        state: 'open',
        labels: [],
        reviewers: [],
        teamReviewers: [],
        draft: body['draft'] === true,
        autoMerge: false,
        createdAt: t,
        updatedAt: t,
        closedAt: null,
      };
      pulls.set(number, p);
      return new Answer(201, await pullFull(p));
    }
    if ((m = new RegExp(`^${prefix}/pulls/(\\d+)$`).exec(path))) {
      const p = pulls.get(Number(m[1]));
      if (!p) return error(404, 'Not Found');
      if (method === 'GET') return new Answer(200, await pullFull(p));
      if (method === 'PATCH') {
        if (typeof body['title'] === 'string') p.title = body['title'];
        if (typeof body['body'] === 'string') p.body = body['body'];
        if (body['state'] === 'closed' && p.state === 'open') {
          p.state = 'closed';
          p.closedAt = now();
        }
        p.updatedAt = now();
        return new Answer(200, await pullFull(p));
      }
    }
    if (method === 'POST' && (m = new RegExp(`^${prefix}/issues/(\\d+)/labels$`).exec(path))) {
      const p = pulls.get(Number(m[1]));
      if (!p) return error(404, 'Not Found');
      for (const l of (body['labels'] as string[] | undefined) ?? [])
        if (!p.labels.includes(l)) p.labels.push(l);
      const labels: Schemas['label'][] = p.labels.map(label);
      return new Answer(200, labels);
    }
    if (method === 'POST' && (m = new RegExp(`^${prefix}/pulls/(\\d+)/requested_reviewers$`).exec(path))) {
      const p = pulls.get(Number(m[1]));
      if (!p) return error(404, 'Not Found');
      const users = (body['reviewers'] as string[] | undefined) ?? [];
      const teams = (body['team_reviewers'] as string[] | undefined) ?? [];
      const strangers = users.filter((u) => options.collaborators && !options.collaborators.includes(u));
      if (strangers.length > 0) {
        return error(
          422,
          'Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ' +
            `${owner}/${repo} repository.`,
        );
      }
      p.reviewers.push(...users.filter((u) => !p.reviewers.includes(u)));
      p.teamReviewers.push(...teams.filter((t) => !p.teamReviewers.includes(t)));
      return new Answer(201, await pullSimple(p));
    }
    if ((m = new RegExp(`^${prefix}/issues/(\\d+)/comments$`).exec(path))) {
      const issue = Number(m[1]);
      if (!pulls.has(issue)) return error(404, 'Not Found');
      if (method === 'GET') return page(comments.filter((c) => c.issue === issue).map(comment), q, path);
      if (method === 'POST') {
        const c: StoredComment = { id: nextComment++, issue, body: String(body['body'] ?? ''), user: bot };
        comments.push(c);
        return new Answer(201, comment(c));
      }
    }
    return error(404, 'Not Found');
  }

  function graphql(body: Record<string, unknown>): Answer {
    const query = String(body['query'] ?? '');
    const variables = (body['variables'] ?? {}) as Record<string, unknown>;
    if (!query.includes('enablePullRequestAutoMerge')) {
      return new Answer(200, { errors: [{ message: 'unsupported query in the test server' }] });
    }
    const p = [...pulls.values()].find((x) => x.nodeId === variables['id']);
    if (!p) {
      return new Answer(200, {
        data: { enablePullRequestAutoMerge: null },
        errors: [
          {
            type: 'NOT_FOUND',
            path: ['enablePullRequestAutoMerge'],
            message: `Could not resolve to a node with the global id of '${String(variables['id'])}'`,
          },
        ],
      });
    }
    if (!server.allowAutoMerge) {
      return new Answer(200, {
        data: { enablePullRequestAutoMerge: null },
        errors: [
          {
            type: 'UNPROCESSABLE',
            path: ['enablePullRequestAutoMerge'],
            locations: [{ line: 1, column: 20 }],
            message: 'Pull request Auto merge is not allowed for this repository',
          },
        ],
      });
    }
    p.autoMerge = true;
    return new Answer(200, { data: { enablePullRequestAutoMerge: { clientMutationId: null } } });
  }

  const httpServer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const u = new URL(req.url ?? '/', 'http://127.0.0.1');
        const method = req.method ?? 'GET';
        const isAppRoute = u.pathname.startsWith('/app/') || u.pathname === `${prefix}/installation`;
        const auth = authKind(req.headers.authorization, isAppRoute);
        const entry: GitHubRequestLog = {
          method,
          path: u.pathname + u.search,
          status: 0,
          auth: auth === 'bad' ? 'none' : auth,
        };
        requests.push(entry);
        let answer: Answer;
        const fault = faults.find(
          (f) => f.left > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(u.pathname)),
        );
        if (fault) {
          fault.left--;
          entry.fault = true;
          const a = error(fault.status, fault.message, fault.errors);
          answer = new Answer(a.status, a.body, fault.headers ?? {});
        } else {
          try {
            const text = Buffer.concat(chunks).toString('utf8');
            const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
            answer = await route(method, u.pathname, u.searchParams, body, auth);
          } catch (err) {
            answer = error(500, `test server error: ${String(err)}`);
          }
        }
        entry.status = answer.status;
        res.writeHead(answer.status, {
          'content-type': 'application/json; charset=utf-8',
          'x-github-api-version-selected': '2022-11-28',
          ...answer.headers,
        });
        res.end(JSON.stringify(answer.body));
      })();
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;

  const server: GitHubServer = {
    url,
    requests,
    pulls,
    comments,
    allowAutoMerge: true,
    failNext(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    writes(since = 0) {
      return requests.slice(since).filter((r) => r.method !== 'GET' && !r.fault);
    },
    gitData,
    addComment(issue, body, login = 'octocat') {
      comments.push({ id: nextComment++, issue, body, user: login });
    },
    async close() {
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
  return server;
}
