/**
 * `feed`: stdin written while the caller works, so git reads each line as soon as it is written. The
 * move of a checkout writes files and hands each path to `git update-index --stdin` as it goes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GitCli, findGit } from '../../src/adapters/git/exec.js';
import { gitBlobId } from '../../src/adapters/git/shared.js';

let dir: string;
const git = () => new GitCli(findGit(process.env['PATH'])!, { PATH: process.env['PATH'] ?? '' });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vr-feed-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('GitCli.run with feed', () => {
  it('git reads what is fed while the caller goes on: each path hashed as it was written', async () => {
    const written: string[] = [];
    const res = await git().run(['hash-object', '--stdin-paths'], {
      cwd: dir,
      feed: (write) => {
        for (let i = 0; i < 200; i++) {
          const name = `f-${i}.yaml`;
          writeFileSync(path.join(dir, name), `n: ${i}\n`);
          written.push(name);
          write(`${name}\n`);
        }
      },
    });
    expect(res.code).toBe(0);
    const ids = res.stdout.toString('utf8').trim().split('\n');
    expect(ids).toEqual(written.map((_, i) => gitBlobId(`n: ${i}\n`)));
  });

  it("a feed that throws: stdin is closed and the run rejects with the feed's own error", async () => {
    const boom = new Error('disk full');
    const cli = git();
    await expect(
      cli.run(['hash-object', '--stdin-paths'], {
        cwd: dir,
        feed: (write) => {
          writeFileSync(path.join(dir, 'only.yaml'), 'x: 1\n');
          write('only.yaml\n');
          throw boom;
        },
      }),
    ).rejects.toBe(boom);
  });
});

describe('GitCli.run with outputFile', () => {
  it('git writes its output to the file while the caller is busy; the bytes come back as stdout', async () => {
    await git().run(['init', '-q', '.'], { cwd: dir });
    writeFileSync(path.join(dir, 'big.yaml'), 'k: v\n'.repeat(50_000));
    const input = path.join(dir, 'ids');
    writeFileSync(input, `${gitBlobId('k: v\n'.repeat(50_000))}\n`);
    await git().run(['hash-object', '-w', 'big.yaml'], { cwd: dir });
    const out = path.join(dir, 'out-1');
    const running = git().run(['cat-file', '--batch'], { cwd: dir, inputFile: input, outputFile: out });
    // A synchronous stretch far longer than git needs: through a pipe git would wait for it to end.
    const until = Date.now() + 300;
    while (Date.now() < until);
    const res = await running;
    expect(res.code).toBe(0);
    expect(res.stdout.length).toBe(250_000 + res.stdout.indexOf('\n') + 2);
    expect(res.stdout.toString('utf8')).toContain('k: v\nk: v\n');
  });

  it('output over git.maxResponseBytes is refused once git has exited, naming the limit', async () => {
    const input = path.join(dir, 'ids');
    const small = new GitCli(
      findGit(process.env['PATH'])!,
      { PATH: process.env['PATH'] ?? '' },
      { timeoutMs: 60_000, maxResponseBytes: 1000 },
    );
    await expect(
      small.run(['cat-file', '--batch'], { cwd: dir, inputFile: input, outputFile: path.join(dir, 'out-2') }),
    ).rejects.toThrow(/wrote more than 1000 bytes of output/);
  });

  it('an output file that already exists is never written through', async () => {
    const out = path.join(dir, 'taken');
    writeFileSync(out, 'keep\n');
    await expect(
      git().run(['cat-file', '--batch'], { cwd: dir, input: '\n', outputFile: out }),
    ).rejects.toThrow(/could not open its input or output/);
    expect(readFileSync(out, 'utf8')).toBe('keep\n');
  });
});
