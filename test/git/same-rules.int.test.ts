/**
 * One set of file rules: the working tree and the Git objects of both engines read the same files of the
 * same commit (names, regular files only, symlinks only inside the repository, sizes checked first), and
 * an edit planned on a file read through a link is committed to the file the link points at.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { WorkingTreeSource } from '../../src/adapters/fs/working-tree.js';
import { runGit, startGitServer, type GitServer } from '../support/git-server.js';
import { ENGINES, author, gitTestEnv, open, tempDir } from './helpers.js';

let server: GitServer;
let tmp: Awaited<ReturnType<typeof tempDir>>;
const env = { ...process.env, ...gitTestEnv } as NodeJS.ProcessEnv;
const git = async (dir: string, ...args: string[]) =>
  (await runGit(['-c', 'core.autocrlf=false', ...args], { cwd: dir, env })).toString('utf8');

beforeAll(async () => {
  server = await startGitServer();
  tmp = await tempDir();
});
afterAll(async () => {
  await server.close();
  await tmp.cleanup();
});

/** A repository with every kind of entry the rules decide on, pushed to a bare origin and checked out. */
async function hostileCheckout(name: string): Promise<string> {
  await server.createBareRepo(name, { 'README.md': 'x\n' });
  const dir = path.join(tmp.dir, name);
  await runGit(['clone', '-q', server.repoUrl(name), dir], { env });
  const put = async (p: string, text: string) => {
    await mkdir(path.dirname(path.join(dir, p)), { recursive: true });
    await writeFile(path.join(dir, p), text);
  };
  await put('base/app.yaml', 'kind: Deployment\n');
  await put('apps/real.yaml', 'a: 1\n');
  await put('apps/notes.txt', 'not a manifest\n');
  await put('big.yaml', `# ${'x'.repeat(3000)}\n`);
  await put('clusters/prod/.keep', '');
  await symlink('../../base', path.join(dir, 'clusters/prod/base'));
  await symlink('apps/real.yaml', path.join(dir, 'alias.yaml'));
  await symlink('/etc/passwd', path.join(dir, 'passwd.yaml'));
  await symlink('/dev/zero', path.join(dir, 'zero.yaml'));
  await symlink('../outside.yaml', path.join(dir, 'up.yaml'));
  await symlink('.git/config', path.join(dir, 'gitconfig.yaml'));
  await symlink('loop.yaml', path.join(dir, 'loop.yaml'));
  await git(dir, 'add', '-A');
  await git(dir, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', 'hostile');
  await git(dir, 'push', '-q', 'origin', 'HEAD:main');
  return dir;
}

describe.each(ENGINES)('Git objects read by the working tree rules (%s)', (engine) => {
  it('reads exactly the files and problems the working tree does', async () => {
    const dir = await hostileCheckout(`same-rules-${engine}`);
    const exclude = (p: string) => !p.startsWith('base/');
    const disk = await new WorkingTreeSource(dir, { maxFileBytes: 2048 }).load(exclude);
    const ws = await open(engine, { repo: dir, readOnly: true });
    try {
      const objects = await ws.source.load(exclude, { maxFileBytes: 2048 });
      expect(objects).toEqual(disk);
      expect(objects.files.map((f) => f.path)).toEqual(['apps/real.yaml', 'clusters/prod/base/app.yaml']);
      expect(objects.problems.map((p) => [p.file, p.message])).toEqual([
        [
          'big.yaml',
          'file is 3003 bytes, over the maxFileBytes limit of 2048 bytes: skipped (raise maxFileBytes in the config to read it)',
        ],
        ['gitconfig.yaml', 'symlink points outside the repository: skipped'],
        ['loop.yaml', 'symlink loop: skipped'],
        ['passwd.yaml', 'symlink points outside the repository: skipped'],
        ['up.yaml', 'symlink points outside the repository: skipped'],
        ['zero.yaml', 'symlink points outside the repository: skipped'],
      ]);
      expect(JSON.stringify(objects)).not.toContain('root:');
    } finally {
      await ws.close();
    }
  });

  it('commits an edit of a file read through a link to the file it points at', async () => {
    const dir = await hostileCheckout(`same-rules-commit-${engine}`);
    const ws = await open(engine, { repo: dir });
    try {
      const { files } = await ws.source.load((p) => p.startsWith('clusters/'));
      expect(files.map((f) => f.path)).toEqual(['clusters/prod/base/app.yaml']);
      const commit = await ws.commit({
        changes: [
          { path: 'clusters/prod/base/app.yaml', before: files[0]!.text, after: 'kind: StatefulSet\n' },
        ],
        message: 'edit through a link',
        author,
      });
      const changed = await ws.changedFiles(commit);
      expect(changed.map((f) => [f.path, Buffer.from(f.bytes!).toString('utf8')])).toEqual([
        ['base/app.yaml', 'kind: StatefulSet\n'],
      ]);
    } finally {
      await ws.close();
    }
  });
});
