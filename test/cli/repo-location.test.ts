/**
 * One classifier for what a repository argument names, shared by the CLI, `validate`, the Action's inputs
 * and the Git adapter: an SSH remote is cloned as one, never taken for a missing folder.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitError } from '../../src/core/errors.js';
import { isRemoteRepo, repoKind, sshRepoMessage } from '../../src/core/repo-location.js';
import { checkRemoteUrl, checkSshRemote } from '../../src/adapters/git/remote-url.js';
import { checkWorkspace, parseInputs } from '../../src/action/inputs.js';

describe('repoKind', () => {
  it.each([
    ['https://github.com/o/r.git', 'url'],
    ['http://127.0.0.1:8080/r.git', 'url'],
    ['HTTPS://github.com/o/r', 'url'],
    ['file:///srv/git/r.git', 'url'],
    ['ssh://git@github.com/o/r.git', 'ssh'],
    ['ssh://github.com:2222/o/r.git', 'ssh'],
    ['git+ssh://git@github.com/o/r.git', 'ssh'],
    ['git@github.com:o/r.git', 'ssh'],
    ['deploy@git.example.com:platform/manifests', 'ssh'],
    ['github.com:o/r.git', 'ssh'],
    ['[::1]:o/r.git', 'ssh'],
    ['.', 'local'],
    ['', 'local'],
    ['manifests', 'local'],
    ['../manifests', 'local'],
    ['/srv/manifests', 'local'],
    ['./backup:2024', 'local'],
    ['/srv/a:b', 'local'],
    ['C:\\work\\manifests', 'local'],
    ['c:/work/manifests', 'local'],
  ])('%s is %s', (repo, kind) => {
    expect(repoKind(repo)).toBe(kind);
    expect(isRemoteRepo(repo)).toBe(kind !== 'local');
  });
});

describe('SSH repository URLs', () => {
  it('are cloned by the git CLI; isomorphic-git (HTTP only) says in one line to install git', () => {
    expect(() => checkRemoteUrl('ssh://git@github.com/o/r.git')).toThrow(GitError);
    expect(() => checkRemoteUrl('ssh://git@github.com/o/r.git')).toThrow(
      'SSH repository URLs need the git CLI ("ssh://git@github.com/o/r.git"): install git, or use the HTTPS URL',
    );
    expect(sshRepoMessage('git@github.com:o/r.git')).not.toContain('\n');
    expect(checkSshRemote('git@github.com:o/r.git')).toBe('git@github.com:o/r.git');
    expect(checkSshRemote('ssh://git@github.com:2222/o/r.git')).toBe('ssh://git@github.com:2222/o/r.git');
  });

  it('does not repeat a password from an ssh:// URL, and refuses one', () => {
    const message = sshRepoMessage('ssh://deploy:hunter2@git.example.com/o/r.git');
    expect(message).not.toContain('hunter2');
    expect(message).toContain('"ssh://deploy@git.example.com/o/r.git"');
    expect(() => checkSshRemote('ssh://deploy:hunter2@git.example.com/o/r.git')).toThrow(
      'the repository URL "ssh://git.example.com/o/r.git" carries a password; SSH authenticates with a key (GIT_SSH_KEY_FILE)',
    );
  });

  it('refuses a host or user that ssh could read as an option, and control characters', () => {
    expect(() => checkSshRemote('-oProxyCommand=touch:x')).toThrow(/starting with "-"/);
    expect(() => checkSshRemote('ssh://-oProxyCommand=x/r.git')).toThrow(GitError);
    expect(() => checkSshRemote('git@host:r\n.git')).toThrow(/control characters/);
  });

  it('points `host:path` without a user at the folder spelling when that folder exists', () => {
    expect(sshRepoMessage('backup:2024')).toContain('for a folder of that name, write "./backup:2024"');
    expect(sshRepoMessage('git@github.com:o/r.git')).not.toContain('folder of that name');
    const dir = mkdtempSync(join(tmpdir(), 'vr-colon-'));
    const cwd = process.cwd();
    try {
      mkdirSync(join(dir, 'backup:2024'));
      process.chdir(dir);
      expect(() => checkSshRemote('backup:2024')).toThrow(
        '"backup:2024" is read as an SSH remote (host "backup"), as git reads it; for the folder of that name, write "./backup:2024"',
      );
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the Action takes an SSH `repo` input as a URL, never as a folder of the workspace', () => {
    const get = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? '';
    const env = { GITHUB_WORKSPACE: '/home/runner/work/m/m' };
    expect(parseInputs(get({ repo: 'git@github.com:o/r.git' }), env, '/x').repo).toBe(
      'git@github.com:o/r.git',
    );
    expect(parseInputs(get({ repo: 'https://github.com/o/r.git' }), env, '/x').repo).toBe(
      'https://github.com/o/r.git',
    );
    expect(parseInputs(get({ repo: './a:b' }), env, '/x').repo).toBe('/home/runner/work/m/m/a:b');
    // a URL is never taken for a missing checkout
    for (const repo of ['https://github.com/o/r.git', 'git@github.com:o/r.git']) {
      const inputs = parseInputs(get({ repo }), env, '/x');
      expect(() => checkWorkspace(inputs, () => false)).not.toThrow();
    }
  });
});
