/**
 * docs/outputs.md shows `scan` and `plan` on test/fixtures/output-40 as the built CLI prints them in a
 * 100-column terminal. This test runs them again and fails when the page's block differs, so the capture
 * cannot drift from the product. `VAULT_ROLLOUT_UPDATE_CAPTURE=1` rewrites the block instead (then review
 * the diff).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { useE2eServers } from '../support/e2e-servers.js';
import { OUTPUT_40, seedOutput40 } from '../support/output-40.js';
import { repoRoot, runCli } from '../support/run-cli.js';

const servers = useE2eServers('vr-capture-e2e-', seedOutput40);

const PAGE = join(repoRoot, 'docs/outputs.md');
const START =
  '<!-- output-capture: written by test/cli/output-capture.e2e.test.ts (VAULT_ROLLOUT_UPDATE_CAPTURE=1 rewrites it) -->';
const END = '<!-- /output-capture -->';

/** A command as a person types it, and what the terminal shows: stderr's lines, then the report. */
async function capture(args: string[]): Promise<string> {
  // A run this short shows no progress; on a loaded machine it must not either, or the capture would vary.
  const env = { ...servers.env, COLUMNS: '100', VAULT_ROLLOUT_PROGRESS_INTERVAL_MS: '3600000' };
  const r = await runCli(args, env, repoRoot);
  // The fixture's one blocked workload makes `plan` say so on stderr and exit 3; nothing else may be there.
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code === 0 || r.code === 3).toBe(true);
  return ['```console', `$ vault-rollout ${args.join(' ')}`, `${r.stderr}${r.stdout}`.trimEnd(), '```'].join(
    '\n',
  );
}

it("docs/outputs.md's capture of scan and plan is what the CLI prints", async () => {
  const repo = relative(repoRoot, OUTPUT_40);
  const block = [
    START,
    await capture(['scan', '--repo', repo]),
    '',
    await capture(['plan', '--repo', repo]),
    END,
  ].join('\n');
  const page = await readFile(PAGE, 'utf8');
  const from = page.indexOf(START);
  const to = page.indexOf(END);
  expect(from, 'docs/outputs.md has the capture markers').toBeGreaterThanOrEqual(0);
  expect(to).toBeGreaterThan(from);
  const current = page.slice(from, to + END.length);
  if (process.env['VAULT_ROLLOUT_UPDATE_CAPTURE'] === '1' && current !== block) {
    await writeFile(PAGE, page.slice(0, from) + block + page.slice(to + END.length));
    return;
  }
  expect(current).toBe(block);
});
