import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StaleFileError, WorkingTreeSource, writeChanges } from '../../src/adapters/fs/working-tree.js';
import { makePathFilter } from '../../src/core/discover/globs.js';

const all = makePathFilter(['**/*.yaml', '**/*.yml'], []);
let root: string;
let outside: string;

async function put(path: string, content: string | Uint8Array): Promise<void> {
  const full = join(root, path);
  await mkdir(join(full, '..'), { recursive: true });
  await writeFile(full, content);
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'vr-fs-'));
  outside = await mkdtemp(join(tmpdir(), 'vr-outside-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe('WorkingTreeSource.load', () => {
  it('walks sorted, keeps only YAML the filter accepts, skips .git and node_modules', async () => {
    await put('b.yaml', 'b: 1\n');
    await put('a/z.yml', 'z: 1\n');
    await put('a/readme.md', '# no\n');
    await put('.git/config.yaml', 'x: 1\n');
    await put('node_modules/pkg/x.yaml', 'x: 1\n');
    await put('.github/workflows/ci.yaml', 'on: push\n');
    await put('charts/x/values.yaml', 'v: 1\n');
    const { files, problems } = await new WorkingTreeSource(root).load(all);
    expect(files.map((f) => f.path)).toEqual([
      '.github/workflows/ci.yaml',
      'a/z.yml',
      'b.yaml',
      'charts/x/values.yaml',
    ]);
    expect(problems).toEqual([]);

    const some = await new WorkingTreeSource(root).load(makePathFilter(['a/**', '*.yaml'], ['**/z.yml']));
    expect(some.files.map((f) => f.path)).toEqual(['b.yaml']);
    const noCharts = await new WorkingTreeSource(root).load(
      makePathFilter(['**/*.yaml'], ['**/charts/**', '.github/**']),
    );
    expect(noCharts.files.map((f) => f.path)).toEqual(['b.yaml']);
  });

  it('throws a clear error when the root is missing', async () => {
    await expect(new WorkingTreeSource(join(root, 'nope')).load(all)).rejects.toThrow(
      /^repository folder ".*nope" cannot be read \(ENOENT\): check --repo$/,
    );
  });

  it('keeps BOM, CRLF and a missing final newline exactly', async () => {
    const text = '\uFEFFa: 1\r\nb: 2';
    await put('crlf.yaml', text);
    const { files } = await new WorkingTreeSource(root).load(all);
    expect(files[0]!.text).toBe(text);
  });

  it('reports files that are not UTF-8', async () => {
    await put('latin1.yaml', new Uint8Array([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
    await put('ok.yaml', 'a: é\n');
    const { files, problems } = await new WorkingTreeSource(root).load(all);
    expect(files.map((f) => f.path)).toEqual(['ok.yaml']);
    expect(problems).toEqual([
      { file: 'latin1.yaml', severity: 'warning', message: 'not valid UTF-8: skipped' },
    ]);
  });

  it('follows symlinks inside the repo under the link path, reads each file once', async () => {
    await put('real/app.yaml', 'a: 1\n');
    await put('shared/base.yaml', 'b: 1\n');
    await symlink('shared/base.yaml', join(root, 'link.yaml'));
    await mkdir(join(root, 'env'));
    await symlink('../shared', join(root, 'env/shared'));
    // Only reachable through the link: the real folder is excluded by the filter.
    const { files, problems } = await new WorkingTreeSource(root).load(
      makePathFilter(['**/*.yaml'], ['shared/**']),
    );
    expect(files.map((f) => f.path)).toEqual(['env/shared/base.yaml', 'real/app.yaml']);
    expect(files[0]!.text).toBe('b: 1\n');
    expect(problems).toEqual([]);

    // With the real path selected too, the real path wins and the aliases are dropped.
    const both = await new WorkingTreeSource(root).load(all);
    expect(both.files.map((f) => f.path)).toEqual(['real/app.yaml', 'shared/base.yaml']);
  });

  it('skips symlinks that point outside the repository, with a problem', async () => {
    await writeFile(join(outside, 'secret.yaml'), 'x: 1\n');
    await symlink(join(outside, 'secret.yaml'), join(root, 'out.yaml'));
    await symlink(outside, join(root, 'outdir'));
    await symlink(join(outside, 'secret.yaml'), join(root, 'notes.txt'));
    const { files, problems } = await new WorkingTreeSource(root).load(all);
    expect(files).toEqual([]);
    expect(problems).toEqual([
      { file: 'out.yaml', severity: 'warning', message: 'symlink points outside the repository: skipped' },
      { file: 'outdir', severity: 'warning', message: 'symlink points outside the repository: skipped' },
    ]);
  });

  it('refuses absolute symlink targets, even into the checkout: a clone elsewhere would not see them', async () => {
    await put('shared/base.yaml', 'b: 1\n');
    await symlink(join(root, 'shared/base.yaml'), join(root, 'abs.yaml'));
    const { files, problems } = await new WorkingTreeSource(root).load(all);
    expect(files.map((f) => f.path)).toEqual(['shared/base.yaml']);
    expect(problems).toEqual([
      { file: 'abs.yaml', severity: 'warning', message: 'symlink points outside the repository: skipped' },
    ]);
  });

  it('never opens special files or links into .git, never prints what they hold', async () => {
    await put('a.yaml', 'a: 1\n');
    await put('.git/config', '[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n');
    await symlink('.git/config', join(root, 'git.yaml'));
    await symlink('/dev/zero', join(root, 'zero.yaml'));
    execFileSync('mkfifo', [join(root, 'fifo.yaml')]);
    const { files, problems } = await new WorkingTreeSource(root).load(all);
    expect(files.map((f) => f.path)).toEqual(['a.yaml']);
    expect(problems).toEqual([
      { file: 'fifo.yaml', severity: 'warning', message: 'not a regular file: skipped' },
      { file: 'git.yaml', severity: 'warning', message: 'symlink points outside the repository: skipped' },
      { file: 'zero.yaml', severity: 'warning', message: 'symlink points outside the repository: skipped' },
    ]);
  });

  it('reads only .yaml/.yml names, unless the caller names files itself (a JSON patch, a template)', async () => {
    await put('a.yaml', 'a: 1\n');
    await put('patch.json', '[]\n');
    const named = (p: string) => p === 'patch.json' || p === 'a.yaml';
    expect((await new WorkingTreeSource(root).load(named)).files.map((f) => f.path)).toEqual(['a.yaml']);
    const any = await new WorkingTreeSource(root).load(named, { anyName: true });
    expect(any.files.map((f) => f.path)).toEqual(['a.yaml', 'patch.json']);
  });

  it('checks the size before reading: a file over maxFileBytes is never read', async () => {
    await put('big.yaml', 'a: 1\n'.repeat(100));
    await put('small.yaml', 'a: 1\n');
    const { files, problems } = await new WorkingTreeSource(root, { maxFileBytes: 100 }).load(all);
    expect(files.map((f) => f.path)).toEqual(['small.yaml']);
    expect(problems.map((p) => [p.file, p.message])).toEqual([
      [
        'big.yaml',
        'file is 500 bytes, over the maxFileBytes limit of 100 bytes: skipped (raise maxFileBytes in the config to read it)',
      ],
    ]);
  });

  it('survives symlink loops and dangling links', async () => {
    await put('a/x.yaml', 'x: 1\n');
    await symlink('..', join(root, 'a/up'));
    await symlink('self.yaml', join(root, 'self.yaml'));
    await symlink('missing.yaml', join(root, 'dangling.yaml'));
    const { files, problems } = await new WorkingTreeSource(root).load(all);
    expect(files.map((f) => f.path)).toEqual(['a/x.yaml']);
    expect(problems).toEqual([
      { file: 'a/up', severity: 'warning', message: 'symlink loop: skipped' },
      {
        file: 'dangling.yaml',
        severity: 'warning',
        message: 'symlink target does not exist: skipped',
      },
      { file: 'self.yaml', severity: 'warning', message: 'symlink loop: skipped' },
    ]);
  });
});

describe('writeChanges', () => {
  it('writes atomically, keeps the mode, leaves no temp files, writes through symlinks', async () => {
    await put('a.yaml', 'a: 1\n');
    await chmod(join(root, 'a.yaml'), 0o640);
    await put('real.yaml', 'r: 1\n');
    await symlink('real.yaml', join(root, 'link.yaml'));
    await writeChanges(root, [
      { path: 'a.yaml', before: 'a: 1\n', after: 'a: 2\n' },
      { path: 'link.yaml', before: 'r: 1\n', after: 'r: 2\n' },
    ]);
    expect(await readFile(join(root, 'a.yaml'), 'utf8')).toBe('a: 2\n');
    expect((await stat(join(root, 'a.yaml'))).mode & 0o777).toBe(0o640);
    expect(await readFile(join(root, 'real.yaml'), 'utf8')).toBe('r: 2\n');
    expect((await readdir(root)).sort()).toEqual(['a.yaml', 'link.yaml', 'real.yaml']);
  });

  it('writes nothing when any file changed since the plan', async () => {
    await put('a.yaml', 'a: 1\n');
    await put('b.yaml', 'b: changed\n');
    const attempt = writeChanges(root, [
      { path: 'a.yaml', before: 'a: 1\n', after: 'a: 2\n' },
      { path: 'b.yaml', before: 'b: 1\n', after: 'b: 2\n' },
      { path: 'gone.yaml', before: 'g: 1\n', after: 'g: 2\n' },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(StaleFileError);
    await expect(attempt).rejects.toThrow(
      'files changed on disk since the plan was made: "b.yaml", "gone.yaml"',
    );
    expect(await readFile(join(root, 'a.yaml'), 'utf8')).toBe('a: 1\n');
  });

  it('refuses paths that leave the repository', async () => {
    await expect(writeChanges(root, [{ path: '../x.yaml', before: '', after: 'x' }])).rejects.toThrow(
      'not a path inside the repository',
    );
  });
});
