/**
 * walkRepo's `enter`: a folder that cannot hold a wanted file is not walked (reading the config walks the
 * top folder only), while a link in a walked folder still resolves through folders that are not walked.
 */
import { describe, expect, it } from 'vitest';

import { walkRepo } from '../../src/core/repo-files.js';
import { gitTreeView } from '../../src/adapters/git/shared.js';

const file = { mode: '100644' };
const link = { mode: '120000' };
const view = gitTreeView(
  new Map([
    ['vault-rollout.yaml', link],
    ['config/real.yaml', file],
    ['apps/web.yaml', file],
    ['apps/broken', link],
    ['apps/deep/x.yaml', file],
  ]),
  new Map([
    ['vault-rollout.yaml', 'config/real.yaml'],
    ['apps/broken', '../nowhere'],
  ]),
);

describe('walkRepo with enter', () => {
  it('walks only the folders entered: the top-level link still resolves, nothing below is listed or reported', () => {
    const walked = walkRepo(
      view,
      (p) => p === 'vault-rollout.yaml',
      () => false,
    );
    expect(walked.files).toEqual([{ path: 'vault-rollout.yaml', real: 'config/real.yaml', viaLink: true }]);
    expect(walked.problems).toEqual([]);
  });

  it('without enter, every folder is walked (the broken link below is reported)', () => {
    const walked = walkRepo(view, (p) => p.endsWith('.yaml'));
    // The link's target is listed once, under its own path.
    expect(walked.files.map((f) => f.path)).toEqual([
      'apps/deep/x.yaml',
      'apps/web.yaml',
      'config/real.yaml',
    ]);
    expect(walked.problems.map((p) => p.file)).toEqual(['apps/broken']);
  });

  it('enters the folders on the way to a named file only', () => {
    const seen: string[] = [];
    const walked = walkRepo(
      view,
      (p) => p === 'apps/deep/x.yaml',
      (dir) => {
        seen.push(dir);
        return 'apps/deep/x.yaml'.startsWith(`${dir}/`);
      },
    );
    expect(walked.files.map((f) => f.path)).toEqual(['apps/deep/x.yaml']);
    expect(seen.sort()).toEqual(['apps', 'apps/deep', 'config']);
  });
});
