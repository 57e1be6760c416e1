/**
 * The Workspace additions for the pull-request branch, against a real `git http-backend`: reading another
 * branch, and force-push / delete as a compare-and-swap that never overwrites a head it did not expect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openWorkspace } from '../../src/adapters/git/index.js';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { author, tempDir } from './helpers.js';

let git: GitServer;
let tmp: Awaited<ReturnType<typeof tempDir>>;
const BRANCH = 'vault-rollout/main';

beforeAll(async () => {
  tmp = await tempDir();
  git = await startGitServer({ tmpRoot: tmp.dir });
});
afterAll(async () => {
  await git?.close();
  await tmp?.cleanup();
});

// Both engines: the branch rules are written once (src/adapters/git/policy.ts), the pushes are each engine's.
describe.each(['native', 'isomorphic'] as const)('pull-request branch on the remote (%s)', (engine) => {
  it('creates, reads, force-updates and deletes the branch only from the expected head', async () => {
    const base = await git.createBareRepo(`cas-${engine}`, { 'a.yaml': 'a: 1\n' });
    const ws = await openWorkspace({
      env: { PATH: process.env['PATH'], HOME: '/nonexistent', VAULT_ROLLOUT_GIT: engine },
      repo: git.repoUrl(`cas-${engine}`),
      tmpRoot: tmp.dir,
    });
    try {
      expect(await ws.remoteBranch(BRANCH)).toBeNull();
      const c1 = await ws.commit({
        changes: [{ path: 'a.yaml', before: 'a: 1\n', after: 'a: 2\n' }],
        message: 'one',
        author,
      });
      // Creating expects the branch to be absent.
      expect(await ws.pushBranch(c1, BRANCH, { expectedOld: 'f'.repeat(40) })).toMatchObject({
        ok: false,
        reason: 'not-fast-forward',
      });
      expect(await ws.pushBranch(c1, BRANCH, { expectedOld: null })).toEqual({ ok: true });
      expect(await git.head(`cas-${engine}`, BRANCH)).toBe(c1);
      expect(await git.head(`cas-${engine}`, 'main')).toBe(base);

      const info = await ws.remoteBranch(BRANCH);
      expect(info).toMatchObject({
        oid: c1,
        parents: [base],
        author: { name: author.name, email: author.email },
        message: 'one\n',
      });

      // A person pushes on top: a push that expected our commit is refused and nothing is lost.
      const theirs = await git.pushCompetingCommit(`cas-${engine}`, BRANCH, { 'b.yaml': 'b: 1\n' });
      const c2 = await ws.commit({
        changes: [{ path: 'a.yaml', before: 'a: 1\n', after: 'a: 3\n' }],
        message: 'two',
        author,
      });
      expect(await ws.pushBranch(c2, BRANCH, { expectedOld: c1 })).toMatchObject({
        ok: false,
        reason: 'not-fast-forward',
      });
      expect(await ws.deleteBranch(BRANCH, c1)).toMatchObject({ ok: false, reason: 'not-fast-forward' });
      expect(await git.head(`cas-${engine}`, BRANCH)).toBe(theirs);

      // Reading it fetches the person's commit (depth 1) and shows who made it.
      const read = await ws.remoteBranch(BRANCH);
      expect(read).toMatchObject({ oid: theirs, parents: [c1], author: { name: 'Another Writer' } });

      // From the head it really is at, replacing (force) and deleting work.
      expect(await ws.pushBranch(c2, BRANCH, { expectedOld: theirs })).toEqual({ ok: true });
      expect(await git.head(`cas-${engine}`, BRANCH)).toBe(c2);
      expect(await ws.deleteBranch(BRANCH, c2)).toEqual({ ok: true });
      await expect(git.head(`cas-${engine}`, BRANCH)).rejects.toThrow();
      await expect(ws.pushBranch(c2, 'main', { expectedOld: base })).rejects.toThrow(/use push\(\)/);
      await expect(ws.deleteBranch('main', base)).rejects.toThrow(/refusing to delete the base branch/);
    } finally {
      await ws.close();
    }
  });
});
