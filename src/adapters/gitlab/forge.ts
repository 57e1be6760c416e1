/**
 * GitLab merge requests behind the forge port (src/core/ports.ts `Forge`), REST v4:
 * - find: `GET /projects/:id/merge_requests?source_branch=B&target_branch=T&state=opened`;
 * - create: `POST /projects/:id/merge_requests` with `remove_source_branch: true` (a project's delete-branch
 *   default is not applied to requests made through the API); a second open request for the same pair is
 *   409, which means "a concurrent run opened it", so it is looked up again;
 * - update and close: `PUT /projects/:id/merge_requests/:iid` (`state_event: close`);
 * - comments: `/merge_requests/:iid/notes`; reviewers: usernames resolved with `GET /users?username=`.
 * A draft is the title prefix `Draft: ` (GitLab has no draft field on create); labels are a comma-separated
 * string. `:id` is the URL-encoded project path (or its number).
 */
import type { ChangeRequest, Forge } from '../../core/ports.js';
import type { GitLabClient } from './client.js';
import { GitLabError, type GitLabCall } from './errors.js';

/** The fields of GitLab's merge-request answer that vault-rollout reads. */
export interface GitLabMergeRequest {
  iid: number;
  web_url: string;
  title: string;
  description: string | null;
  state: 'opened' | 'closed' | 'locked' | 'merged';
  source_branch: string;
  target_branch: string;
  labels: string[];
  /** GitLab 13.2+; older instances send `work_in_progress`. */
  draft?: boolean;
  work_in_progress?: boolean;
  /** Head commit of the source branch. */
  sha: string | null;
  merge_when_pipeline_succeeds?: boolean;
}

interface GitLabNote {
  id: number;
  body: string;
  system: boolean;
}

interface GitLabUser {
  id: number;
  username: string;
}

/** GitLab's draft markers at the start of a title (`Draft:`, `[Draft]`, `(Draft)`). */
const DRAFT_PREFIX = /^\s*(\[draft\]|\(draft\)|draft:|draft\s-)\s*/i;

const WRITE = 'the api scope and at least the Developer role on the project';
const READ = 'the read_api scope and access to the project';

/**
 * @example
 * const forge = new GitLabForge(client, 'platform/deploy');
 * const open = await forge.findOpen('vault-rollout/main', 'main');
 */
export class GitLabForge implements Forge {
  readonly kind = 'gitlab';
  readonly noun = 'merge request';
  /** Whether each merge request read is a draft: an update keeps it so. */
  private readonly drafts = new Map<number, boolean>();
  private readonly id: string;

  constructor(
    private readonly client: GitLabClient,
    /** The project's path (`group/sub/project`) or numeric id. */
    readonly project: string,
  ) {
    this.id = encodeURIComponent(project);
  }

  ref(number: number): string {
    return `!${number}`;
  }

  requests(): number {
    return this.client.requests();
  }

  private call(what: string, method: string, rest: string, permission: string): GitLabCall {
    return { what, route: `${method} /projects/${this.id}${rest}`, permission };
  }

  private keep(mr: GitLabMergeRequest): ChangeRequest {
    const draft = mr.draft ?? mr.work_in_progress ?? DRAFT_PREFIX.test(mr.title);
    this.drafts.set(mr.iid, draft);
    return {
      number: mr.iid,
      url: mr.web_url,
      title: mr.title.replace(DRAFT_PREFIX, ''),
      body: mr.description ?? '',
      labels: mr.labels.map((l) => (typeof l === 'string' ? l : String((l as { name?: unknown }).name))),
      autoMerge: mr.merge_when_pipeline_succeeds === true,
    };
  }

  private async list(
    branch: string,
    base: string,
    state: 'opened' | 'closed',
  ): Promise<GitLabMergeRequest[]> {
    const rest = '/merge_requests';
    const { data } = await this.client.request<GitLabMergeRequest[]>(
      this.call(`listing ${state} merge requests from "${branch}"`, 'GET', rest, READ),
      'GET',
      `/projects/${this.id}${rest}`,
      {
        query: {
          source_branch: branch,
          target_branch: base,
          state,
          order_by: 'updated_at',
          per_page: '100',
        },
      },
    );
    if (!Array.isArray(data))
      throw new GitLabError(`GitLab API: listing merge requests did not answer a list`);
    // Defensive: keep only the exact pair, should a server ignore a filter.
    return data.filter((m) => m.source_branch === branch && m.target_branch === base && m.state === state);
  }

  async findOpen(branch: string, base: string): Promise<ChangeRequest | null> {
    const [mr] = await this.list(branch, base, 'opened');
    return mr ? this.keep(mr) : null;
  }

  async closedAt(branch: string, base: string, headSha: string): Promise<ChangeRequest | null> {
    const mr = (await this.list(branch, base, 'closed')).find((m) => m.sha === headSha);
    return mr ? this.keep(mr) : null;
  }

  async createOrFind(opts: {
    branch: string;
    base: string;
    title: string;
    body: string;
    draft: boolean;
  }): Promise<{ request: ChangeRequest; created: boolean }> {
    const rest = '/merge_requests';
    const answer = await this.client.request<GitLabMergeRequest>(
      this.call('creating the merge request', 'POST', rest, WRITE),
      'POST',
      `/projects/${this.id}${rest}`,
      {
        body: {
          source_branch: opts.branch,
          target_branch: opts.base,
          title: opts.draft ? `Draft: ${opts.title}` : opts.title,
          description: opts.body,
          remove_source_branch: true,
        },
        accept: (s) => (s >= 200 && s < 300) || s === 409,
      },
    );
    if (answer.status !== 409) return { request: this.keep(answer.data), created: true };
    // The list can lag the create that refused ours by a moment: ask again briefly before giving up.
    for (let attempt = 0; attempt < 3; attempt++) {
      const open = await this.findOpen(opts.branch, opts.base);
      if (open) return { request: open, created: false };
      await new Promise((done) => setTimeout(done, 250 * (attempt + 1)));
    }
    throw new GitLabError(
      `GitLab API: creating the merge request from "${opts.branch}" answered 409 (another open merge request for this branch), but none could be found`,
      { status: 409 },
    );
  }

  private async put(iid: number, what: string, body: Record<string, unknown>): Promise<GitLabMergeRequest> {
    const rest = `/merge_requests/${iid}`;
    const { data } = await this.client.request<GitLabMergeRequest>(
      this.call(what, 'PUT', rest, WRITE),
      'PUT',
      `/projects/${this.id}${rest}`,
      { body },
    );
    return data;
  }

  async update(number: number, fields: { title: string; body: string }): Promise<ChangeRequest> {
    const draft = this.drafts.get(number) === true;
    return this.keep(
      await this.put(number, `updating merge request !${number}`, {
        title: draft ? `Draft: ${fields.title}` : fields.title,
        description: fields.body,
      }),
    );
  }

  async close(number: number): Promise<void> {
    this.keep(await this.put(number, `closing merge request !${number}`, { state_event: 'close' }));
  }

  async comment(number: number, body: string): Promise<void> {
    const rest = `/merge_requests/${number}/notes`;
    await this.client.request(
      this.call(`commenting on !${number}`, 'POST', rest, WRITE),
      'POST',
      `/projects/${this.id}${rest}`,
      { body: { body } },
    );
  }

  async hasComment(number: number, marker: string): Promise<boolean> {
    const rest = `/merge_requests/${number}/notes`;
    const call = this.call(`reading the comments of !${number}`, 'GET', rest, READ);
    // Bounded: 50 pages of 100 notes is far more than a merge request of vault-rollout's collects.
    for (let page = 1; page <= 50; page++) {
      const { data, headers } = await this.client.request<GitLabNote[]>(
        call,
        'GET',
        `/projects/${this.id}${rest}`,
        {
          query: { per_page: '100', page: String(page), sort: 'asc' },
        },
      );
      if (!Array.isArray(data)) return false;
      if (data.some((n) => !n.system && (n.body ?? '').includes(marker))) return true;
      if (!headers.get('x-next-page')) return false;
    }
    return false;
  }

  async addLabels(number: number, labels: string[]): Promise<void> {
    this.keep(await this.put(number, `adding labels to !${number}`, { add_labels: labels.join(',') }));
  }

  /**
   * Usernames resolved to ids (`GET /users?username=`), then set as the request's reviewers. Unknown names
   * (or groups, which GitLab's reviewers cannot be) are left out and reported by the error thrown after the
   * known ones are set.
   */
  async requestReviewers(number: number, reviewers: string[]): Promise<void> {
    const ids: number[] = [];
    const unknown: string[] = [];
    for (const raw of reviewers) {
      const username = raw.replace(/^@/, '');
      if (username.includes('/')) {
        unknown.push(raw);
        continue;
      }
      const { data } = await this.client.request<GitLabUser[]>(
        { what: `looking up user "${username}"`, route: 'GET /users', permission: READ },
        'GET',
        '/users',
        { query: { username } },
      );
      const user = Array.isArray(data)
        ? data.find((u) => u.username.toLowerCase() === username.toLowerCase())
        : undefined;
      if (user) ids.push(user.id);
      else unknown.push(raw);
    }
    if (ids.length > 0)
      this.keep(await this.put(number, `requesting reviewers on !${number}`, { reviewer_ids: ids }));
    if (unknown.length > 0) {
      throw new GitLabError(
        `reviewers not requested on !${number}: ${unknown.map((u) => `"${u}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a GitLab username (GitLab reviewers are users, not groups)`,
        { unknown },
      );
    }
  }

  /**
   * Not offered on GitLab: "merge when pipeline succeeds" merges at once when the project has no pipeline,
   * which is not what `pullRequest.autoMerge` promises.
   */
  enableAutoMerge(request: ChangeRequest): Promise<{ ok: false; message: string }> {
    return Promise.resolve({
      ok: false,
      message: `auto-merge not enabled on !${request.number}: vault-rollout does not set it on GitLab merge requests; set pullRequest.autoMerge: false, or merge it when its pipeline passes`,
    });
  }
}
