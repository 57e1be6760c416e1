/**
 * `--repo git@github.com:o/r.git` through the built CLI: URL mode does not clone over SSH yet, and the user
 * is told exactly that, in one line, by every command, instead of "does not exist".
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vr-ssh-repo-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const SSH_LINE =
  /^vault-rollout: SSH repository URLs are not supported yet \("[^"]+"\): use the HTTPS URL, or clone it and pass the local checkout/;

describe('an SSH repository URL', () => {
  it.each([
    ['scan', 'git@github.com:o/r.git'],
    ['status', 'git@github.com:o/r.git'],
    ['plan', 'ssh://git@github.com/o/r.git'],
    ['apply', 'git@github.com:o/r.git'],
  ])('%s --repo %s: exit 1, one line saying SSH is not supported yet', async (command, repo) => {
    const r = await runCli(
      [command, '--repo', repo],
      { VAULT_ADDR: 'http://127.0.0.1:9', VAULT_TOKEN: 't' },
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(SSH_LINE);
    expect(r.stderr).not.toContain('does not exist');
  });

  it('validate says it checks a local checkout', async () => {
    const r = await runCli(['validate', '--repo', 'git@github.com:o/r.git'], {}, dir);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd()).toBe(
      'vault-rollout: validate checks a local checkout, not a URL (got --repo "git@github.com:o/r.git"): clone it, or pass --config FILE',
    );
  });

  it('a folder whose name has a colon is still a folder when written as a path', async () => {
    await mkdir(join(dir, 'backup:2024'));
    await writeFile(
      join(dir, 'backup:2024', 'web.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    vault-rollout/secrets: kv/web/db\nspec:\n  template:\n    spec:\n      containers: [{ name: c, image: c }]\n',
    );
    const r = await runCli(['scan', '--repo', './backup:2024', '--format', 'json'], {}, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).workloads.map((w: { name: string }) => w.name)).toEqual(['web']);
  });
});
