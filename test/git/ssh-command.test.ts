/**
 * The ssh command git runs for a deploy key: that key only, host keys always checked against the given
 * file, no prompt; and file names that the shell or ssh would read as more than one path are refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { GitError } from '../../src/core/errors.js';
import { sshCommand } from '../../src/adapters/git/ssh.js';

const dir = mkdtempSync(join(tmpdir(), 'vr-ssh-cmd-'));
const key = join(dir, 'identity');
const known = join(dir, 'known_hosts');
writeFileSync(key, 'not a real key\n');
writeFileSync(known, '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sshCommand', () => {
  it("is null without a key or known-hosts file: git's own SSH setup applies", () => {
    expect(sshCommand({})).toBeNull();
  });

  it('uses that key only, that known-hosts file only, strict host keys and no prompt', () => {
    expect(
      sshCommand({
        keyFile: { path: key, from: 'GIT_SSH_KEY_FILE' },
        knownHostsFile: { path: known, from: 'SSH_KNOWN_HOSTS' },
      }),
    ).toBe(
      `ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -i '${key}' -o IdentitiesOnly=yes -o 'UserKnownHostsFile=${known}' -o GlobalKnownHostsFile=/dev/null`,
    );
    // a known-hosts file alone still checks strictly, with the person's own keys
    expect(sshCommand({ knownHostsFile: { path: known, from: 'git.knownHostsFile' } })).toBe(
      `ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o 'UserKnownHostsFile=${known}' -o GlobalKnownHostsFile=/dev/null`,
    );
  });

  it.each([
    ['/etc/key; touch /tmp/x', 'spaces'],
    ["/etc/key'$(id)'", 'quotes'],
    ['/etc/%d/key', '"%"'],
    ['/etc/$HOME/key', '"$"'],
    ['/etc/key\n-oProxyCommand=x', 'control characters'],
  ])('refuses %j, naming the key that set it', (path) => {
    let err: unknown = null;
    try {
      sshCommand({ keyFile: { path, from: 'git.sshKeyFile' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GitError);
    expect((err as Error).message).toContain(
      `the SSH key file "${path}" (git.sshKeyFile): a path with spaces`,
    );
  });

  it('refuses a relative path, a missing file and a folder, naming the variable', () => {
    expect(() => sshCommand({ keyFile: { path: 'id_ed25519', from: 'GIT_SSH_KEY_FILE' } })).toThrow(
      'the SSH key file "id_ed25519" (GIT_SSH_KEY_FILE) must be an absolute path',
    );
    expect(() =>
      sshCommand({ knownHostsFile: { path: join(dir, 'nope'), from: 'SSH_KNOWN_HOSTS' } }),
    ).toThrow(`the SSH known-hosts file "${join(dir, 'nope')}" (SSH_KNOWN_HOSTS) does not exist`);
    expect(() => sshCommand({ keyFile: { path: dir, from: 'GIT_SSH_KEY_FILE' } })).toThrow(
      `the SSH key file "${dir}" (GIT_SSH_KEY_FILE) is not a regular file`,
    );
  });
});
