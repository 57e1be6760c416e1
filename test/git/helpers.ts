/** Shared fixtures for the Git adapter integration tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { BuildResult, Workspace } from '../../src/adapters/git/index.js';

export const author = { name: 'vault-rollout', email: 'vault-rollout@example.com' };
export const noSleep = async () => {};

export async function tempDir(
  prefix = 'vr-git-test-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A planner stand-in: "set `file` to `content` if it is not already", plus optional extra edits,
 * planned on whatever head the workspace is at (as the real pipeline re-plans).
 */
export function setFile(file: string, content: string, message = `set ${file}`) {
  return async (ws: Workspace): Promise<BuildResult> => {
    const { files } = await ws.source.load((p) => p === file);
    const before = files[0]?.text ?? '';
    if (before === content) return null;
    return { changes: [{ path: file, before, after: content }], message };
  };
}
