/**
 * Which problems an `--environment` run reports: those of the folders its roots build from and of its
 * `entry` or `paths`, with `entry` read as the environment matcher reads it (a folder and everything in it;
 * `.` is the whole repository).
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config/schema.js';
import type { Problem } from '../../src/core/model.js';
import { problemsOfEnvironment } from '../../src/pipeline.js';

const problem = (file: string): Problem => ({ file, severity: 'error', message: 'broken' });
const problems = [
  'apps/web/overlays/prod/deployment.yaml',
  'base/web/deployment.yaml',
  'clusters/prod/flux.yaml',
  'clusters/prod-old/flux.yaml',
  'clusters/dev/flux.yaml',
  'legacy/deployment.yaml',
].map(problem);
const found = {
  rootFolders: new Map([
    ['apps/web/overlays/prod', new Set(['apps/web/overlays/prod', 'base/web'])],
    ['apps/web/overlays/dev', new Set(['apps/web/overlays/dev', 'base/web'])],
  ]),
  rootEnvironments: new Map<string, string | null>([
    ['apps/web/overlays/prod', 'prod'],
    ['apps/web/overlays/dev', 'dev'],
  ]),
};
const files = (config: string, environment: string | undefined) =>
  problemsOfEnvironment(problems, found, parseConfig(config, 'c.yaml'), environment).map((p) => p.file);

describe('problemsOfEnvironment', () => {
  it("keeps the problems under the entry folder and the roots' folders, not a sibling whose name starts alike", () => {
    const config =
      'environments:\n  - { name: prod, entry: clusters/prod }\n  - { name: dev, entry: clusters/dev }\n';
    expect(files(config, 'prod')).toEqual([
      'apps/web/overlays/prod/deployment.yaml',
      'base/web/deployment.yaml',
      'clusters/prod/flux.yaml',
    ]);
  });

  it('an entry of "." is the whole repository, as the environment matcher reads it', () => {
    expect(files('environments:\n  - { name: all, entry: . }\n', 'all')).toEqual(problems.map((p) => p.file));
  });

  it('without --environment, every problem', () => {
    expect(files('environments:\n  - { name: prod, entry: clusters/prod }\n', undefined)).toHaveLength(
      problems.length,
    );
  });
});
