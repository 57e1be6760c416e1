/**
 * Pull-request mode under `rollout.windows`: a request opened inside a window is left open (not closed and
 * re-opened with a new number) by a run outside it that defers every restart; the next run inside a window
 * finds it again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitServer } from '../support/git-server.js';
import type { GitHubServer } from '../support/github-server.js';
import type { VaultDevServer } from '../support/vault-server.js';
import {
  captureLogger,
  manifests,
  prConfig,
  type PrServers,
  runPr,
  startGitHubFor,
  startPrServers,
  stopPrServers,
} from './helpers.js';

let git: GitServer;
let vault: VaultDevServer;
let gh: GitHubServer;
let tmp: PrServers['tmp'];
const NAME = 'windowed-pr';
const BRANCH = 'vault-rollout/main';
const config = prConfig(
  'rollout:\n  windows: [{ days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00" }]\n',
);
const MONDAY = () => new Date('2026-12-07T10:00:00Z');
const SATURDAY = () => new Date('2026-12-05T10:00:00Z');

beforeAll(async () => {
  ({ git, vault, tmp } = await startPrServers());
  // The two workloads that restart; no adoption, so a run that defers both has nothing else pending.
  await git.createBareRepo(NAME, {
    'apps/api.yaml': manifests['apps/api.yaml'],
    'apps/worker.yaml': manifests['apps/worker.yaml'],
  });
  gh = await startGitHubFor(git, NAME);
});
afterAll(() => stopPrServers({ git, vault, tmp }, [gh]));

const run = (clock: () => Date, logger = captureLogger()) =>
  runPr({ git, vault, githubUrl: gh.url, repo: NAME, config, tmpRoot: tmp.dir, rolloutClock: clock, logger });

describe('pull-request mode under rollout.windows', () => {
  it('outside the window the open request is left as it is; inside, it is found again', async () => {
    const opened = await run(MONDAY);
    expect(opened.outcome).toBe('created');
    expect(opened.report.summary.restart).toBe(2);
    const head = await git.head(NAME, BRANCH);

    const logger = captureLogger();
    const weekend = await run(SATURDAY, logger);
    expect(weekend.outcome).toBe('unchanged');
    expect(weekend.report.summary).toMatchObject({ restart: 0, deferred: 2 });
    expect(weekend.report.pullRequest?.number).toBe(1);
    expect(gh.pulls.get(1)!.state).toBe('open');
    expect(await git.head(NAME, BRANCH)).toBe(head);
    expect(logger.lines).toContain(
      'info: Pull request #1 left as it is: 2 restart(s) deferred by the rollout limits',
    );

    const again = await run(MONDAY);
    expect(again.outcome).toBe('unchanged');
    expect(again.report.pullRequest?.number).toBe(1);
    expect([...gh.pulls.values()].map((p) => p.number)).toEqual([1]);
  });
});
