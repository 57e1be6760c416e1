/** Shared fixtures for the Git adapter integration tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { FileChange } from '../../src/core/model.js';
import type { Workspace } from '../../src/core/ports.js';
import { openWorkspace, type GitEngine, type OpenWorkspaceOptions } from '../../src/adapters/git/index.js';
import { publishLoop, type RetryPolicy } from '../../src/pipeline.js';
import { publishCommit } from '../../src/publish/commit.js';
import { silentLogger } from '../../src/core/ports.js';

export const author = { name: 'vault-rollout', email: 'vault-rollout@example.com' };
export const noSleep = async () => {};

/** Both Git engines: every suite runs on the git CLI and on the isomorphic-git fallback. */
export const ENGINES: GitEngine[] = ['native', 'isomorphic'];

/** The environment git children get in tests: no user or system config leaks in. */
export const gitTestEnv: Record<string, string | undefined> = {
  PATH: process.env['PATH'],
  HOME: '/nonexistent',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

export function open(
  engine: GitEngine,
  opts: Omit<OpenWorkspaceOptions, 'env'> & { env?: OpenWorkspaceOptions['env'] },
): Promise<Workspace> {
  return openWorkspace({ env: gitTestEnv, engine, ...opts });
}

export async function tempDir(
  prefix = 'vr-git-test-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** What one planning pass wants to publish; null means "nothing to do". */
export type BuildResult = { changes: FileChange[]; message: string } | null;

/**
 * A planner stand-in: "set `file` to `content` if it is not already", plus optional extra edits,
 * planned on whatever head the workspace is at (as the real pipeline re-plans).
 */
export function setFile(file: string, content: string, message = `set ${file}`) {
  return async (ws: Workspace): Promise<BuildResult> => {
    const { files } = await ws.source.load((p) => p === file, { anyName: true });
    const before = files[0]?.text ?? '';
    if (before === content) return null;
    return { changes: [{ path: file, before, after: content }], message };
  };
}

/** The pipeline's loop with the commit stage, driven by a planner stand-in (as runApply drives it). */
export async function publishWithRetry(
  ws: Workspace,
  build: (ws: Workspace) => Promise<BuildResult>,
  opts: { author: typeof author; dryRun?: boolean; clock?: () => Date } & RetryPolicy & {
      sleep?: RetryPolicy['sleep'];
    },
): Promise<{ outcome: string; commit: string | null; attempts: number; changes: FileChange[] }> {
  const { plan, result, attempts } = await publishLoop({
    ws,
    plan: build,
    logger: silentLogger,
    retry: {
      attempts: opts.attempts,
      backoffMs: opts.backoffMs ?? 5,
      sleep: opts.sleep,
      random: opts.random,
    },
    publish: async (p, w) => {
      const out = await publishCommit(w, {
        changes: p?.changes ?? [],
        message: p?.message ?? null,
        author: opts.author,
        dryRun: opts.dryRun ?? false,
        ...(opts.clock ? { clock: opts.clock } : {}),
      });
      return out.outcome === 'moved' ? { moved: true, message: out.message } : { moved: false, result: out };
    },
  });
  const changes = result.outcome === 'none' ? [] : (plan?.changes ?? []).filter((c) => c.before !== c.after);
  return { outcome: result.outcome, commit: result.commit, attempts, changes };
}
