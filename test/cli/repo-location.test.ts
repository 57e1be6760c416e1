/**
 * One classifier for what a repository argument names, shared by the CLI, `validate`, the Action's inputs
 * and the Git adapter: an SSH remote is answered as such, never as a missing folder.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, GitError } from '../../src/core/errors.js';
import { isRemoteRepo, openableRepoKind, repoKind, sshRepoMessage } from '../../src/core/repo-location.js';
import { checkRemoteUrl } from '../../src/adapters/git/remote-url.js';
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

describe('the SSH answer', () => {
  it('is one line that says what to use instead, wherever a repository is opened', () => {
    expect(() => openableRepoKind('git@github.com:o/r.git')).toThrow(ConfigError);
    expect(() => openableRepoKind('git@github.com:o/r.git')).toThrow(
      'SSH repository URLs are not supported yet ("git@github.com:o/r.git"): use the HTTPS URL, or clone it and pass the local checkout',
    );
    expect(openableRepoKind('https://github.com/o/r.git')).toBe('url');
    expect(openableRepoKind('.')).toBe('local');
    // the Git adapter says the same, for a caller that reaches it directly
    expect(() => checkRemoteUrl('ssh://git@github.com/o/r.git')).toThrow(GitError);
    expect(() => checkRemoteUrl('ssh://git@github.com/o/r.git')).toThrow(
      sshRepoMessage('ssh://git@github.com/o/r.git'),
    );
    expect(sshRepoMessage('git@github.com:o/r.git')).not.toContain('\n');
  });

  it('does not repeat a password from an ssh:// URL', () => {
    const message = sshRepoMessage('ssh://deploy:hunter2@git.example.com/o/r.git');
    expect(message).not.toContain('hunter2');
    expect(message).toContain('"ssh://deploy@git.example.com/o/r.git"');
  });

  it('points `host:path` without a user at the folder spelling, as git reads it as SSH too', () => {
    expect(sshRepoMessage('backup:2024')).toContain('for a folder of that name, write "./backup:2024"');
    expect(sshRepoMessage('git@github.com:o/r.git')).not.toContain('folder of that name');
  });

  it('the Action refuses an SSH `repo` input rather than resolving it as a folder of the workspace', () => {
    const get = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? '';
    const env = { GITHUB_WORKSPACE: '/home/runner/work/m/m' };
    expect(() => parseInputs(get({ repo: 'git@github.com:o/r.git' }), env, '/x')).toThrow(
      'SSH repository URLs are not supported yet',
    );
    expect(parseInputs(get({ repo: 'https://github.com/o/r.git' }), env, '/x').repo).toBe(
      'https://github.com/o/r.git',
    );
    expect(parseInputs(get({ repo: './a:b' }), env, '/x').repo).toBe('/home/runner/work/m/m/a:b');
    // a URL is never taken for a missing checkout
    const inputs = parseInputs(get({ repo: 'https://github.com/o/r.git' }), env, '/x');
    expect(() => checkWorkspace(inputs, () => false)).not.toThrow();
  });
});
