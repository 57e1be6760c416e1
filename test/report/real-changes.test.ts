/** An edit that leaves a file as it was is no change: not committed, not offered, not named in a message. */
import { describe, expect, it } from 'vitest';
import { realChanges, type FileChange } from '../../src/core/model.js';
import type { CommitOptions, Workspace } from '../../src/core/ports.js';
import { publishCommit } from '../../src/publish/commit.js';

const changes: FileChange[] = [
  { path: 'a.yaml', before: 'x: 1\n', after: 'x: 1\n' },
  { path: 'b.yaml', before: 'x: 1\n', after: 'x: 2\n' },
  { path: 'c.yaml', before: '', after: 'x: 3\n' },
  { path: 'd.yaml', before: 'x: 4\n', after: 'x: 4\n' },
];

describe('realChanges', () => {
  it('keeps the changes whose text differs, in their order, and the extra fields they carry', () => {
    expect(realChanges(changes).map((c) => c.path)).toEqual(['b.yaml', 'c.yaml']);
    const tagged = changes.map((c, i) => ({ ...c, index: i }));
    expect(realChanges(tagged).map((c) => c.index)).toEqual([1, 2]);
    expect(realChanges([])).toEqual([]);
  });
});

describe('publishCommit', () => {
  /** A workspace that records the commit it is asked for and accepts the push. */
  function recordingWorkspace() {
    const asked: CommitOptions[] = [];
    const ws = {
      branch: 'main',
      url: 'file:///repo.git',
      commit: async (opts: CommitOptions) => {
        asked.push(opts);
        return { sha: 'c0ffee', parent: 'base' };
      },
      push: async () => ({ ok: true }),
    } as unknown as Workspace;
    return { ws, asked };
  }
  const author = { name: 'bot', email: 'bot@example.invalid' };

  it('commits only the real changes', async () => {
    const { ws, asked } = recordingWorkspace();
    const out = await publishCommit(ws, { changes, message: 'm', author, dryRun: false });
    expect(out.outcome).toBe('pushed');
    expect(asked.map((o) => o.changes.map((c) => c.path))).toEqual([['b.yaml', 'c.yaml']]);
  });

  it('publishes nothing when no edit changed a file', async () => {
    const { ws, asked } = recordingWorkspace();
    const out = await publishCommit(ws, {
      changes: [changes[0]!, changes[3]!],
      message: 'm',
      author,
      dryRun: false,
    });
    expect(out).toEqual({ outcome: 'none', commit: null });
    expect(asked).toEqual([]);
  });
});
