/**
 * `demo`: the whole job with no external service. A local Vault-compatible dev server, a throwaway Git
 * remote (a real `git http-backend`) seeded from templates/examples/manifests, then
 * plan → apply (adoption, no restart) → rotate a secret → apply (restart) → apply (nothing to do).
 * Everything lives in a temporary folder that is removed at the end.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Logger } from './core/ports.js';
import { templatesDir } from './adapters/templates.js';
import { startGitServer } from './dev/git-dev-server.js';
import { startVaultDevServer } from './dev/vault-dev-server.js';
import { applyCommand, planCommand, type Io } from './run.js';

function readTree(dir: string, root = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) readTree(p, root, out);
    else out[relative(root, p).split('\\').join('/')] = readFileSync(p, 'utf8');
  }
  return out;
}

export async function demoCommand(io: {
  stdout: (t: string) => void;
  logger: Logger;
  cwd: string;
}): Promise<number> {
  const say = (title: string) => io.stdout(`\n\x1b[1m== ${title}\x1b[0m\n\n`);
  const tmp = await mkdtemp(join(tmpdir(), 'vault-rollout-demo-'));
  const vault = await startVaultDevServer({ mounts: [{ path: 'kv', version: 2 }] });
  const git = await startGitServer({ tmpRoot: tmp });
  try {
    for (let i = 0; i < 3; i++) vault.kv.write('kv', 'payments/db');
    vault.kv.write('kv', 'payments/stripe');
    vault.kv.write('kv', 'reports/smtp');
    vault.kv.write('kv', 'reports/smtp');
    await git.createBareRepo('manifests', readTree(join(templatesDir(), 'examples', 'manifests')), {
      branch: 'main',
    });
    const remote = git.repoUrl('manifests');
    io.stdout(
      `Vault-compatible dev server: ${vault.url} (kv/payments/db v3, kv/payments/stripe v1, kv/reports/smtp v2)\n` +
        `Git remote: ${remote} (seeded from templates/examples/manifests)\n`,
    );

    const cmdIo: Io = {
      env: { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken },
      cwd: io.cwd,
      stdout: io.stdout,
      logger: io.logger,
    };
    const common = { repo: remote, format: 'table' as const, exitCode: false };

    say('1. plan: what apply would change');
    await planCommand(common, cmdIo);

    say('2. apply: adoption (records versions; pod templates untouched, nothing restarts)');
    await applyCommand({ ...common, mode: 'commit', dryRun: false }, cmdIo);

    say('3. rotate kv/payments/db in Vault (v3 -> v4)');
    const v = vault.kv.write('kv', 'payments/db');
    io.stdout(`kv/payments/db is now at version ${v}\n`);

    say('4. apply: restart (record and pod template change together)');
    await applyCommand({ ...common, mode: 'commit', dryRun: false }, cmdIo);

    say('5. apply again: nothing new, no commit');
    await applyCommand({ ...common, mode: 'commit', dryRun: false }, cmdIo);

    say('git log -p on the remote');
    io.stdout(await git.log('manifests', 'main'));
    io.stdout(`\nValue reads attempted against Vault: ${vault.violations} (metadata only)\n`);
    return 0;
  } finally {
    await git.close();
    await vault.close();
    await rm(tmp, { recursive: true, force: true });
  }
}
