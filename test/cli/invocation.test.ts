/** The command prefix the demo and dev-server print: it must run when the reader pastes it. */
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliInvocation, detectInvocation } from '../../src/invocation.js';

describe('cliInvocation', () => {
  const facts = { cwd: '/home/me/vault-rollout', onPath: false };
  it('a checkout of this repository: node and the path of dist/cli.js, relative when inside the folder', () => {
    const script = '/home/me/vault-rollout/dist/cli.js';
    expect(cliInvocation({ ...facts, script, invokedAs: script })).toBe('node dist/cli.js');
    expect(cliInvocation({ ...facts, cwd: '/tmp', script, invokedAs: script })).toBe(
      'node /home/me/vault-rollout/dist/cli.js',
    );
    expect(cliInvocation({ ...facts, cwd: '/home/me/vault-rollout-2', script, invokedAs: script })).toBe(
      'node /home/me/vault-rollout/dist/cli.js',
    );
    const spaced = '/home/me/my tools/dist/cli.js';
    expect(cliInvocation({ ...facts, cwd: '/srv', script: spaced, invokedAs: spaced })).toBe(
      "node '/home/me/my tools/dist/cli.js'",
    );
  });

  it('a package installed in a project (copied or linked): npx', () => {
    const copied = '/home/me/app/node_modules/vault-rollout/dist/cli.js';
    expect(
      cliInvocation({ ...facts, script: copied, invokedAs: '/home/me/app/node_modules/.bin/vault-rollout' }),
    ).toBe('npx vault-rollout');
    // `npm install ../vault-rollout` links the checkout: the real path has no node_modules, the bin has
    expect(
      cliInvocation({
        ...facts,
        script: '/home/me/vault-rollout/dist/cli.js',
        invokedAs: '/home/me/app/node_modules/.bin/vault-rollout',
      }),
    ).toBe('npx vault-rollout');
  });

  it("on the reader's PATH (a global install): the bare name", () => {
    const script = '/usr/local/lib/node_modules/vault-rollout/dist/cli.js';
    expect(cliInvocation({ ...facts, script, invokedAs: '/usr/local/bin/vault-rollout', onPath: true })).toBe(
      'vault-rollout',
    );
  });
});

describe('detectInvocation', () => {
  let dir: string;
  let script: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vr-invocation-'));
    script = join(dir, 'pkg', 'dist', 'cli.js');
    await mkdir(join(dir, 'pkg', 'dist'), { recursive: true });
    await writeFile(script, '#!/usr/bin/env node\n');
    await chmod(script, 0o755);
    for (const bin of ['global-bin', 'app/node_modules/.bin', 'other-bin'])
      await mkdir(join(dir, bin), { recursive: true });
    await symlink(script, join(dir, 'global-bin', 'vault-rollout'));
    await symlink(script, join(dir, 'app/node_modules/.bin', 'vault-rollout'));
    await writeFile(join(dir, 'other-bin', 'vault-rollout'), '#!/bin/sh\n'); // another program of that name
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const path = (...dirs: string[]) => ({ PATH: dirs.map((d) => join(dir, d)).join(delimiter) });

  it('finds the script on PATH through a symlink, as a global install puts it', () => {
    const facts = detectInvocation(join(dir, 'global-bin', 'vault-rollout'), path('global-bin'), dir);
    expect(facts).toEqual({
      script,
      invokedAs: join(dir, 'global-bin', 'vault-rollout'),
      cwd: dir,
      onPath: true,
    });
    expect(cliInvocation(facts)).toBe('vault-rollout');
  });

  it('does not count the node_modules/.bin that npx and npm run put on PATH', () => {
    const bin = join(dir, 'app/node_modules/.bin', 'vault-rollout');
    const facts = detectInvocation(bin, path('app/node_modules/.bin'), join(dir, 'app'));
    expect(facts.onPath).toBe(false);
    expect(cliInvocation(facts)).toBe('npx vault-rollout');
  });

  it('does not take another program called vault-rollout for this one', () => {
    const facts = detectInvocation('pkg/dist/cli.js', path('other-bin'), dir);
    expect(facts).toMatchObject({ script, onPath: false });
    expect(cliInvocation(facts)).toBe('node pkg/dist/cli.js');
  });
});
