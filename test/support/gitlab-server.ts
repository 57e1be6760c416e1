/**
 * A GitLab REST v4 test server on 127.0.0.1:0, served under a sub-path (`/gitlab/api/v4`, as a
 * self-managed instance behind a reverse proxy is), for the merge-request flow. It keeps merge requests,
 * notes and users in memory, logs every request (never a credential), checks `PRIVATE-TOKEN` on every
 * request, and refuses `JOB-TOKEN` on every merge-request route with GitLab's 401, as GitLab does: a job
 * token is accepted only by the few endpoints its allowlist names.
 *
 * The answers follow GitLab's documented shapes (REST v4 "Merge requests", "Notes", "Users"): `iid`,
 * `web_url`, `labels` as a list of names, `draft`, `sha` (the source branch head), `reviewers`; a second
 * open request for the same branch pair is 409; `labels`/`add_labels` are comma-separated strings; a draft
 * is a `Draft:` title prefix.
 *
 * @example
 * const gl = await startGitLabServer({ project: 'platform/deploy', token: 'glpat-test', branchHead });
 * // GITLAB_API_URL=gl.apiUrl GITLAB_TOKEN=glpat-test ...
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** GitLab's user reference (`author`, `reviewers[]`). */
export interface GitLabUserRef {
  id: number;
  username: string;
  name: string;
  state: 'active' | 'blocked';
  web_url: string;
}

/** The fields of GitLab's merge-request answer this server sends (REST v4, "Merge requests"). */
export interface GitLabMergeRequestAnswer {
  id: number;
  iid: number;
  project_id: number;
  title: string;
  description: string | null;
  state: 'opened' | 'closed' | 'locked' | 'merged';
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  merged_at: string | null;
  target_branch: string;
  source_branch: string;
  author: GitLabUserRef;
  reviewers: GitLabUserRef[];
  labels: string[];
  draft: boolean;
  work_in_progress: boolean;
  merge_when_pipeline_succeeds: boolean;
  sha: string | null;
  force_remove_source_branch: boolean | null;
  web_url: string;
}

/** GitLab's note answer (REST v4, "Notes"). */
export interface GitLabNoteAnswer {
  id: number;
  body: string;
  author: GitLabUserRef;
  created_at: string;
  system: boolean;
  noteable_iid: number;
  noteable_type: 'MergeRequest';
}

export interface StoredMergeRequest {
  iid: number;
  title: string;
  description: string;
  source: string;
  target: string;
  state: 'opened' | 'closed' | 'merged';
  labels: string[];
  reviewerIds: number[];
  removeSourceBranch: boolean | null;
  /** The source branch head when last read (frozen once closed, as GitLab keeps a closed request's diff). */
  sha: string | null;
  closedBy: 'api' | 'person' | null;
}

export interface GitLabRequestLog {
  method: string;
  /** Path (under the sub-path) and query. */
  path: string;
  status: number;
  /** Which header authenticated: never the credential itself. */
  auth: 'private-token' | 'job-token' | 'none';
}

export interface GitLabServerOptions {
  /** `group/project` path; the numeric id is `projectId`. */
  project: string;
  projectId?: number;
  /** What `PRIVATE-TOKEN` must carry. */
  token: string;
  /** The `CI_JOB_TOKEN` of the pipeline: recognised, and refused on merge-request routes. */
  jobToken?: string;
  /** Users `GET /users?username=` finds. */
  users?: Record<string, number>;
  /** The head commit of a branch (read from the git test server), or null when it does not exist. */
  branchHead?: (branch: string) => Promise<string | null>;
  /** Default `/gitlab/api/v4`. */
  prefix?: string;
}

export interface GitLabServer {
  /** The API base, e.g. `http://127.0.0.1:41234/gitlab/api/v4`. */
  apiUrl: string;
  requests: GitLabRequestLog[];
  mergeRequests: Map<number, StoredMergeRequest>;
  notes: { iid: number; body: string; user: string }[];
  /** Requests that change something (not GET) since `since`. */
  writes(since?: number): GitLabRequestLog[];
  /** A person closes a merge request in the web UI. */
  closeByPerson(iid: number): Promise<void>;
  /** The next requests matching `method` and `path` answer `status` with these headers and message. */
  failNext(fault: {
    method?: string;
    path?: RegExp;
    status: number;
    message: string;
    headers?: Record<string, string>;
    times?: number;
  }): void;
  close(): Promise<void>;
}

const T0 = '2026-12-07T09:00:00.000Z';
const BOT: GitLabUserRef = {
  id: 900,
  username: 'project_42_bot',
  name: 'vault-rollout bot',
  state: 'active',
  web_url: 'https://gitlab.test/project_42_bot',
};

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  if ((req.headers['content-type'] ?? '').includes('application/json'))
    return JSON.parse(text) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(text));
}

const DRAFT = /^\s*(\[draft\]|\(draft\)|draft:|draft\s-)\s*/i;
const labelList = (v: unknown): string[] =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((l) => l.trim())
        .filter(Boolean)
    : Array.isArray(v)
      ? v.map(String)
      : [];

export async function startGitLabServer(options: GitLabServerOptions): Promise<GitLabServer> {
  const prefix = options.prefix ?? '/gitlab/api/v4';
  const projectId = options.projectId ?? 42;
  const users = options.users ?? {};
  const requests: GitLabRequestLog[] = [];
  const mergeRequests = new Map<number, StoredMergeRequest>();
  const notes: GitLabServer['notes'] = [];
  const faults: {
    method?: string;
    path?: RegExp;
    status: number;
    message: string;
    headers?: Record<string, string>;
    times: number;
  }[] = [];
  let origin = '';

  const userRef = (id: number): GitLabUserRef => {
    const username = Object.entries(users).find(([, v]) => v === id)?.[0] ?? `user${id}`;
    return { id, username, name: username, state: 'active', web_url: `https://gitlab.test/${username}` };
  };

  const refresh = async (mr: StoredMergeRequest) => {
    if (mr.state === 'opened' && options.branchHead) mr.sha = await options.branchHead(mr.source);
  };

  const answer = (mr: StoredMergeRequest): GitLabMergeRequestAnswer => ({
    id: 1000 + mr.iid,
    iid: mr.iid,
    project_id: projectId,
    title: mr.title,
    description: mr.description,
    state: mr.state,
    created_at: T0,
    updated_at: T0,
    closed_at: mr.state === 'closed' ? T0 : null,
    merged_at: null,
    target_branch: mr.target,
    source_branch: mr.source,
    author: BOT,
    reviewers: mr.reviewerIds.map(userRef),
    labels: mr.labels,
    draft: DRAFT.test(mr.title),
    work_in_progress: DRAFT.test(mr.title),
    merge_when_pipeline_succeeds: false,
    sha: mr.sha,
    force_remove_source_branch: mr.removeSourceBranch,
    web_url: `${origin}/gitlab/${options.project}/-/merge_requests/${mr.iid}`,
  });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, entry: GitLabRequestLog) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    if (!url.pathname.startsWith(`${prefix}/`)) return send(res, 404, { message: '404 Not Found' });
    // GitLab decodes `%2F` in the project segment: split the raw path, then decode each segment.
    const parts = url.pathname
      .slice(prefix.length + 1)
      .split('/')
      .map(decodeURIComponent);
    const privateToken = req.headers['private-token'];
    const jobToken = req.headers['job-token'];
    entry.auth = privateToken !== undefined ? 'private-token' : jobToken !== undefined ? 'job-token' : 'none';

    const fault = faults.find(
      (f) => (!f.method || f.method === method) && (!f.path || f.path.test(url.pathname)),
    );
    if (fault) {
      if (--fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
      return send(res, fault.status, { message: fault.message }, fault.headers);
    }

    const onMergeRequests = parts[0] === 'projects' && parts[2] === 'merge_requests';
    if (entry.auth === 'job-token' && (onMergeRequests || parts[0] === 'users')) {
      // GitLab's answer for a job token on an endpoint outside its allowlist.
      return send(res, 401, { message: '401 Unauthorized' });
    }
    if (privateToken !== options.token) return send(res, 401, { message: '401 Unauthorized' });

    if (parts[0] === 'users' && parts.length === 1 && method === 'GET') {
      const username = url.searchParams.get('username') ?? '';
      const id = users[username];
      return send(res, 200, id === undefined ? [] : [userRef(id)]);
    }
    if (parts[0] !== 'projects' || (parts[1] !== options.project && parts[1] !== String(projectId)))
      return send(res, 404, { message: '404 Project Not Found' });
    if (!onMergeRequests) return send(res, 404, { message: '404 Not Found' });

    if (parts.length === 3 && method === 'GET') {
      const q = url.searchParams;
      const found = [...mergeRequests.values()].filter(
        (m) =>
          (!q.get('source_branch') || m.source === q.get('source_branch')) &&
          (!q.get('target_branch') || m.target === q.get('target_branch')) &&
          (!q.get('state') || q.get('state') === 'all' || m.state === q.get('state')),
      );
      for (const m of found) await refresh(m);
      return send(res, 200, found.reverse().map(answer));
    }
    if (parts.length === 3 && method === 'POST') {
      const body = await readBody(req);
      const source = String(body['source_branch'] ?? '');
      const target = String(body['target_branch'] ?? '');
      if (!source || !target || !body['title'])
        return send(res, 400, { message: '400 Bad request - title is missing' });
      const open = [...mergeRequests.values()].find(
        (m) => m.state === 'opened' && m.source === source && m.target === target,
      );
      if (open) {
        return send(res, 409, {
          message: [`Another open merge request already exists for this source branch: !${open.iid}`],
        });
      }
      const iid = mergeRequests.size + 1;
      const mr: StoredMergeRequest = {
        iid,
        title: String(body['title']),
        description: typeof body['description'] === 'string' ? body['description'] : '',
        source,
        target,
        state: 'opened',
        labels: labelList(body['labels']),
        reviewerIds: Array.isArray(body['reviewer_ids']) ? body['reviewer_ids'].map(Number) : [],
        removeSourceBranch:
          body['remove_source_branch'] === true || body['remove_source_branch'] === 'true' ? true : null,
        sha: null,
        closedBy: null,
      };
      mergeRequests.set(iid, mr);
      await refresh(mr);
      return send(res, 201, answer(mr));
    }
    const mr = mergeRequests.get(Number(parts[3]));
    if (!mr) return send(res, 404, { message: '404 Not found' });
    if (parts.length === 4 && method === 'GET') {
      await refresh(mr);
      return send(res, 200, answer(mr));
    }
    if (parts.length === 4 && method === 'PUT') {
      const body = await readBody(req);
      if (typeof body['title'] === 'string') mr.title = body['title'];
      if (typeof body['description'] === 'string') mr.description = body['description'];
      if (body['labels'] !== undefined) mr.labels = labelList(body['labels']);
      for (const l of labelList(body['add_labels'])) if (!mr.labels.includes(l)) mr.labels.push(l);
      if (Array.isArray(body['reviewer_ids'])) mr.reviewerIds = body['reviewer_ids'].map(Number);
      await refresh(mr);
      if (body['state_event'] === 'close') {
        mr.state = 'closed';
        mr.closedBy = 'api';
      } else if (body['state_event'] === 'reopen') {
        mr.state = 'opened';
        mr.closedBy = null;
      }
      return send(res, 200, answer(mr));
    }
    if (parts.length === 5 && parts[4] === 'notes') {
      if (method === 'POST') {
        const body = await readBody(req);
        if (typeof body['body'] !== 'string' || body['body'] === '')
          return send(res, 400, { message: '400 Bad request - body is missing' });
        notes.push({ iid: mr.iid, body: body['body'], user: BOT.username });
        const note: GitLabNoteAnswer = {
          id: notes.length,
          body: body['body'],
          author: BOT,
          created_at: T0,
          system: false,
          noteable_iid: mr.iid,
          noteable_type: 'MergeRequest',
        };
        return send(res, 201, note);
      }
      if (method === 'GET') {
        const perPage = Number(url.searchParams.get('per_page') ?? 20);
        const page = Number(url.searchParams.get('page') ?? 1);
        const all = notes
          .map((n, i) => ({ n, id: i + 1 }))
          .filter(({ n }) => n.iid === mr.iid)
          .map(({ n, id }): GitLabNoteAnswer => ({
            id,
            body: n.body,
            author: n.user === BOT.username ? BOT : userRef(1),
            created_at: T0,
            system: false,
            noteable_iid: mr.iid,
            noteable_type: 'MergeRequest',
          }));
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const next = page * perPage < all.length ? String(page + 1) : '';
        return send(res, 200, slice, { 'x-next-page': next, 'x-page': String(page) });
      }
    }
    return send(res, 404, { message: '404 Not Found' });
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: GitLabRequestLog = {
      method: req.method ?? 'GET',
      path: url.pathname.slice(prefix.length) + url.search,
      status: 0,
      auth: 'none',
    };
    requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    handle(req, res, entry).catch((err: unknown) => {
      send(res, 500, { message: `500 Internal Server Error: ${String(err)}` });
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: `${origin}${prefix}`,
    requests,
    mergeRequests,
    notes,
    writes: (since = 0) => requests.slice(since).filter((r) => r.method !== 'GET' && r.status < 400),
    async closeByPerson(iid) {
      const mr = mergeRequests.get(iid);
      if (!mr) throw new Error(`no merge request !${iid}`);
      await refresh(mr);
      mr.state = 'closed';
      mr.closedBy = 'person';
    },
    failNext(f) {
      faults.push({ ...f, times: f.times ?? 1 });
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
