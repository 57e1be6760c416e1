/**
 * `feed`: stdin written while the caller works, so git reads each line as soon as it is written. The
 * move of a checkout writes files and hands each path to `git update-index --stdin` as it goes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
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
