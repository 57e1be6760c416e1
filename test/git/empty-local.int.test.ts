/**
 * A local checkout without a commit (`git init` and nothing committed, or a clone of an empty repository)
 * is refused with one message that says what is missing, on both Git engines, and is left untouched.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GitError } from '../../src/core/errors.js';
import { runGit, startGitServer, type GitServer } from '../support/git-server.js';
import { ENGINES, gitTestEnv, open, tempDir } from './helpers.js';

let server: GitServer;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let n = 0;
const env = { ...process.env, ...gitTestEnv } as NodeJS.ProcessEnv;

beforeAll(async () => {
  server = await startGitServer();
  tmp = await tempDir();
  await server.createBareRepo('full', { 'apps/a.yaml': 'a: 1\n' });
  await runGit(['init', '-q', '--bare', '-b', 'main', server.repoPath('empty')], { env });
});
afterAll(async () => {
  await server.close();
  await tmp.cleanup();
});

/** Opening `dir` fails with a GitError naming the checkout and its empty branch; nothing in it changes. */
async function expectRefused(engine: (typeof ENGINES)[number], dir: string, branch: string): Promise<void> {
  const refsBefore = await readdir(path.join(dir, '.git', 'refs', 'heads'));
  const err = await open(engine, { repo: dir }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GitError);
  expect((err as Error).message).toBe(
    `the checkout "${dir}" has no commits yet (branch "${branch}" is empty); commit and push the manifests first, or pass the repository URL`,
  );
  expect(await readdir(path.join(dir, '.git', 'refs', 'heads'))).toEqual(refsBefore);
  expect(await readdir(dir)).toEqual(['.git']);
}

describe.each(ENGINES)('an empty local checkout (%s)', (engine) => {
  it('refuses `git init` with an origin that has the branch', async () => {
    const dir = path.join(tmp.dir, `init-${++n}`);
    await runGit(['init', '-q', '-b', 'main', dir], { env });
    await runGit(['remote', 'add', 'origin', server.repoUrl('full')], { cwd: dir, env });
    await expectRefused(engine, dir, 'main');
  });

  it('refuses `git init` on another branch name than the origin has', async () => {
    const dir = path.join(tmp.dir, `init-${++n}`);
    await runGit(['init', '-q', '-b', 'master', dir], { env });
    await runGit(['remote', 'add', 'origin', server.repoUrl('full')], { cwd: dir, env });
    await expectRefused(engine, dir, 'master');
  });

  it('refuses a clone of an empty repository', async () => {
    const dir = path.join(tmp.dir, `clone-${++n}`);
    await runGit(['clone', '-q', server.repoUrl('empty'), dir], { env });
    await expectRefused(engine, dir, 'main');
  });
});
