/**
 * `--repo git@github.com:o/r.git` through the built CLI, where it cannot be cloned: without the git CLI
 * (isomorphic-git speaks HTTP only), and with a deploy key that is not there. Each is one line that says
 * what to do, from every command, before any connection; never "does not exist" of a folder.
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

const COMMANDS = [
  ['scan', 'git@github.com:o/r.git'],
  ['status', 'git@github.com:o/r.git'],
  ['plan', 'ssh://git@github.com/o/r.git'],
  ['apply', 'git@github.com:o/r.git'],
];

function oneLine(r: { code: number | null; stdout: string; stderr: string }): string {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(r.stderr).not.toContain('does not exist:');
  return lines[0]!;
}

describe('an SSH repository URL that cannot be cloned', () => {
  it.each(COMMANDS)(
    '%s --repo %s without the git CLI: exit 1, one line saying to install git',
    async (command, repo) => {
      const r = await runCli(
        [command, '--repo', repo],
        { VAULT_ADDR: 'http://127.0.0.1:9', VAULT_TOKEN: 't', VAULT_ROLLOUT_GIT: 'isomorphic' },
        dir,
      );
      expect(oneLine(r)).toMatch(
        /^vault-rollout: SSH repository URLs need the git CLI \("[^"]+"\): install git, or use the HTTPS URL/,
      );
    },
  );

  it.each(COMMANDS)(
    '%s --repo %s with a missing deploy key: exit 1, the line names the file and the variable',
    async (command, repo) => {
      const key = join(dir, 'no-such-key');
      const r = await runCli(
        [command, '--repo', repo],
        { VAULT_ADDR: 'http://127.0.0.1:9', VAULT_TOKEN: 't', GIT_SSH_KEY_FILE: key },
        dir,
      );
      expect(oneLine(r)).toBe(`vault-rollout: the SSH key file "${key}" (GIT_SSH_KEY_FILE) does not exist`);
    },
  );

  it('a key file named in --config is named by its key, and a path with shell syntax is refused', async () => {
    await writeFile(join(dir, 'ops.yaml'), 'git: { sshKeyFile: "/etc/key; touch /tmp/pwned" }\n');
    const r = await runCli(['scan', '--repo', 'git@github.com:o/r.git', '--config', 'ops.yaml'], {}, dir);
    expect(oneLine(r)).toMatch(
      /^vault-rollout: the SSH key file "\/etc\/key; touch \/tmp\/pwned" \(git\.sshKeyFile\): a path with spaces/,
    );
    await writeFile(join(dir, 'ops.yaml'), 'git: { knownHostsFile: relative/known_hosts }\n');
    const rel = await runCli(['scan', '--repo', 'git@github.com:o/r.git', '--config', 'ops.yaml'], {}, dir);
    expect(oneLine(rel)).toBe(
      'vault-rollout: the SSH known-hosts file "relative/known_hosts" (git.knownHostsFile) must be an absolute path',
    );
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
