/**
 * What every git child's environment carries: the prompt off, C messages, and glibc's heap kept from
 * shrinking after each object unless the person set that variable themselves.
 */
import { describe, expect, it } from 'vitest';

import { GitCli } from '../../src/adapters/git/exec.js';

/** Runs `env -0` in place of git (GitCli takes the executable's path) and parses what the child saw. */
async function childEnv(base: Record<string, string>): Promise<Map<string, string>> {
  const res = await new GitCli('/usr/bin/env', base).run(['-0']);
  expect(res.code).toBe(0);
  const pairs = res.stdout
    .toString('utf8')
    .split('\0')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]);
  return new Map(pairs);
}

describe('the environment of a git child', () => {
  it('sets the glibc trim threshold, the prompt and the locale, and keeps gc off', async () => {
    const env = await childEnv({ PATH: process.env['PATH'] ?? '' });
    expect(env.get('MALLOC_TRIM_THRESHOLD_')).toBe(String(64 * 1024 * 1024));
    expect(env.get('GIT_TERMINAL_PROMPT')).toBe('0');
    expect(env.get('LC_ALL')).toBe('C');
    expect(env.get('GIT_CONFIG_KEY_0')).toBe('gc.auto');
  });

  it('keeps a trim threshold the person chose', async () => {
    const env = await childEnv({ PATH: process.env['PATH'] ?? '', MALLOC_TRIM_THRESHOLD_: '4096' });
    expect(env.get('MALLOC_TRIM_THRESHOLD_')).toBe('4096');
  });
});
