/**
 * The Git policy both engines call (src/adapters/git/policy.ts), on its own: the engines' integration
 * tests in this folder run it against real remotes; these pin each decision without a server.
 */
import { describe, expect, it } from 'vitest';
import { GitError } from '../../src/core/errors.js';
import {
  BuiltCommits,
  checkPlanned,
  commitChanges,
  pushBase,
  refusal,
  syncStep,
} from '../../src/adapters/git/policy.js';
import { gitBlobId } from '../../src/adapters/git/shared.js';
import type { PushResult } from '../../src/core/ports.js';

const auth = { username: 'x-access-token', token: 'ghp_secret123' };

describe('refusal', () => {
  it('takes a moved branch for a race, to re-plan and retry', () => {
    const r = refusal('main', 'stale info', '', auth);
    expect(r).toEqual({
      ok: false,
      reason: 'not-fast-forward',
      message: 'the remote refused the update of "main": stale info',
    });
  });

  it('reports a hook or branch protection as rejected, with the remote lines, without the token', () => {
    const r = refusal('main', 'pre-receive hook declined', 'denied for ghp_secret123', auth);
    expect(r.ok).toBe(false);
    expect(r).toMatchObject({ reason: 'rejected' });
    expect(!r.ok && r.message).toBe(
      'the remote refused the update of "main": pre-receive hook declined (remote: denied for ***)',
    );
  });

  it('tests the race patterns on the text it is given (the git CLI adds the remote lines)', () => {
    const why = 'failed';
    const remote = "error: cannot lock ref 'refs/heads/main': is at 1 but expected 2";
    expect(refusal('main', why, remote, undefined)).toMatchObject({ reason: 'rejected' });
    expect(refusal('main', why, remote, undefined, `${why} ${remote}`)).toMatchObject({
      reason: 'not-fast-forward',
    });
  });
});

describe('the commit', () => {
  it('keeps the changes that change something, under their stored path, each path once', () => {
    const kept = commitChanges(
      [
        { path: 'a.yaml', before: 'x', after: 'x' },
        { path: 'env/link.yaml', before: 'a', after: 'b' },
      ],
      (p) => (p === 'env/link.yaml' ? 'shared/base.yaml' : p),
    );
    expect(kept).toEqual([{ path: 'shared/base.yaml', before: 'a', after: 'b' }]);
    expect(() =>
      commitChanges(
        [
          { path: 'a.yaml', before: 'a', after: 'b' },
          { path: 'b.yaml', before: 'a', after: 'c' },
        ],
        () => 'same.yaml',
      ),
    ).toThrow('two changes for "same.yaml" in one commit; merge them first');
    expect(() => commitChanges([{ path: '../x.yaml', before: '', after: 'x' }], (p) => p)).toThrow(
      /not a plain repository-relative path/,
    );
  });

  it('refuses a plan made on other bytes than the base holds', () => {
    const entry = { type: 'blob', mode: '100644', oid: gitBlobId('a: 1\n') };
    const base = 'f'.repeat(40);
    expect(() =>
      checkPlanned({ path: 'a.yaml', before: 'a: 1\n' }, entry, () => gitBlobId('a: 1\n'), base),
    ).not.toThrow();
    expect(() =>
      checkPlanned({ path: 'a.yaml', before: 'a: 2\n' }, entry, () => gitBlobId('a: 2\n'), base),
    ).toThrow(`"a.yaml" in commit ffffffffffff differs from what was planned; re-plan on the current head`);
    // a new file is planned on an absent one
    expect(() => checkPlanned({ path: 'new.yaml', before: '' }, undefined, () => '', base)).not.toThrow();
    expect(() => checkPlanned({ path: 'new.yaml', before: 'x' }, undefined, () => '', base)).toThrow(
      GitError,
    );
  });

  it('pushes only a commit built on the current head', () => {
    const built = new BuiltCommits<{ parent: string }>();
    built.add('c1', { parent: 'h0' });
    expect(built.ownChild('c1', 'h0')).toEqual({ parent: 'h0' });
    expect(() => built.ownChild('c1', 'h1')).toThrow(/is not a child of the base head/);
    expect(() => built.ownChild('c2', 'h0')).toThrow(/is not a child of the base head/);
  });
});

describe('pushBase', () => {
  const run = async (mode: 'local' | 'remote', answer: PushResult, commit = 'c1') => {
    const built = new BuiltCommits<{ parent: string }>();
    built.add('c1', { parent: 'h0' });
    const steps: string[] = [];
    const res = await pushBase(
      commit,
      { mode, head: 'h0', built },
      {
        check: async () => void steps.push('check'),
        push: async (expected) => (steps.push(`push ${expected}`), answer),
        pushed: async () => void steps.push('pushed'),
      },
    );
    return { res, steps };
  };

  it('checks a checkout, pushes with the planned head as the lease, and only then moves', async () => {
    expect(await run('local', { ok: true })).toEqual({
      res: { ok: true },
      steps: ['check', 'push h0', 'pushed'],
    });
    expect(await run('remote', { ok: true })).toEqual({ res: { ok: true }, steps: ['push h0', 'pushed'] });
  });

  it('returns a refusal untouched and moves nothing', async () => {
    const refused: PushResult = { ok: false, reason: 'not-fast-forward', message: 'moved' };
    expect(await run('local', refused)).toEqual({ res: refused, steps: ['check', 'push h0'] });
  });

  it('has nothing to push when the commit is the head', async () => {
    expect(await run('local', { ok: true }, 'h0')).toEqual({ res: { ok: true }, steps: [] });
  });
});

describe('syncStep', () => {
  const sync = { branch: 'main', url: 'https://git.example/r.git', readOnly: false };
  const never = async () => {
    throw new Error('not asked');
  };

  it('uses the checkout when it is at origin, without asking git', async () => {
    expect(await syncStep(sync, 'a', 'a', never)).toBe('same');
  });

  it('fast-forwards a branch behind origin, or plans on the remote head in a dry run', async () => {
    expect(await syncStep(sync, 'a', 'b', async () => true)).toBe('fast-forward');
    expect(await syncStep({ ...sync, readOnly: true }, 'a', 'b', async () => true)).toBe('plan-on-remote');
  });

  it('refuses a branch with commits of its own', async () => {
    await expect(syncStep(sync, 'a', 'b', async () => false)).rejects.toThrow(
      'the local branch "main" has commits that are not on "origin/main" (https://git.example/r.git); ' +
        'push or reset them first: vault-rollout publishes on top of the remote branch only',
    );
  });
});
