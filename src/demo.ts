/**
 * `demo`: the whole job with no external service. A local Vault-compatible dev server, a throwaway Git
 * remote (a real `git http-backend`) seeded from templates/examples/manifests, then
 * plan → apply (adoption, no restart) → rotate a secret → apply (restart) → apply (nothing to do).
 *
 * It tells the story in plain sentences, one per step, shows each commit's diff once, counts what Vault
 * was asked, and ends with the commands to run on your own repository; the run's logs are not printed
 * (they would repeat the sentences). Everything lives in a temporary folder that is removed at the end.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { silentLogger } from './core/ports.js';
import type { PlannedWorkload, RunReport } from './core/model.js';
import { toDiff } from './core/report/render.js';
import { templatesDir } from './adapters/templates.js';
import { startGitServer } from './dev/git-dev-server.js';
import { startVaultDevServer, type VaultDevServer } from './dev/vault-dev-server.js';
import { runApply, runPlan, type Io } from './run.js';

function readTree(dir: string, root = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) readTree(p, root, out);
    else out[relative(root, p).split('\\').join('/')] = readFileSync(p, 'utf8');
  }
  return out;
}

const names = (list: readonly PlannedWorkload[]) =>
  list.map((p) => `${p.workload.kind}/${p.workload.name}`).join(', ');

const short = (id: string | null) => (id ?? '').slice(0, 7);

/** `a, b and c` */
function sentenceList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** What Vault was asked, by kind of request: the proof that only metadata was read. */
export function vaultRequestSummary(vault: VaultDevServer): string {
  const metadata = vault.requests.filter((r) => /^\/v1\/.+\/metadata\//.test(r.path)).length;
  const mounts = vault.requests.filter((r) => r.path.startsWith('/v1/sys/internal/ui/mounts/')).length;
  const token = vault.requests.filter((r) => r.path.startsWith('/v1/auth/token/')).length;
  const other = vault.requests.length - metadata - mounts - token;
  const parts = [
    `${metadata} metadata read(s) (GET /v1/kv/metadata/...)`,
    ...(mounts > 0 ? [`${mounts} mount lookup(s)`] : []),
    ...(token > 0 ? [`${token} token check(s)`] : []),
    ...(other > 0 ? [`${other} other`] : []),
  ];
  return (
    `Vault answered ${vault.requests.length} request(s): ${sentenceList(parts)}. ` +
    `Secret values read (/data/): ${vault.violations}.`
  );
}

/**
 * Runs the demo. `io.cli` is how the reader runs this CLI (`npx vault-rollout`, `node dist/cli.js`, ...), for
 * the closing hints, which should work when pasted.
 */
export async function demoCommand(io: {
  stdout: (t: string) => void;
  cwd: string;
  cli: string;
}): Promise<number> {
  const out = (text = '') => io.stdout(`${text}\n`);
  const tmp = await mkdtemp(join(tmpdir(), 'vault-rollout-demo-'));
  const vault = await startVaultDevServer({ mounts: [{ path: 'kv', version: 2 }] });
  const git = await startGitServer({ tmpRoot: tmp });
  try {
    for (let i = 0; i < 3; i++) vault.kv.write('kv', 'payments/db');
    vault.kv.write('kv', 'payments/stripe');
    vault.kv.write('kv', 'reports/smtp');
    vault.kv.write('kv', 'reports/smtp');
    const files = readTree(join(templatesDir(), 'examples', 'manifests'));
    await git.createBareRepo('manifests', files, { branch: 'main' });
    const remote = git.repoUrl('manifests');

    const cmdIo: Io = {
      env: { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken },
      cwd: io.cwd,
      stdout: () => {},
      logger: silentLogger,
    };
    const common = { repo: remote, format: 'table' as const, exitCode: false };
    const apply = () => runApply({ ...common, mode: 'commit', dryRun: false }, cmdIo);
    const by = (r: RunReport, action: PlannedWorkload['action']) =>
      r.workloads.filter((p) => p.action === action);

    out('vault-rollout demo: the whole job on this machine, with no external service.');
    out();
    out(
      `1. Started a Vault-compatible dev server at ${vault.url} holding kv/payments/db v3, ` +
        'kv/payments/stripe v1 and kv/reports/smtp v2.',
    );
    out(
      `2. Made a throwaway Git remote (${remote}) from templates/examples/manifests: ` +
        `${Object.keys(files).length} files.`,
    );

    const plan = await runPlan(common, cmdIo);
    const secrets = new Set(plan.workloads.flatMap((p) => p.secrets.map((s) => s.path)));
    out(
      `3. plan: ${plan.workloads.length} workloads depend on ${secrets.size} Vault secrets (${names(plan.workloads)}). ` +
        `None has a record yet, so apply adopts them: it records the versions and restarts nothing.`,
    );

    const adoption = await apply();
    out(
      `4. apply: pushed commit ${short(adoption.commit)}, which records the versions of ` +
        `${by(adoption, 'record').length} workloads in ${adoption.changes.length} files.`,
    );

    const version = vault.kv.write('kv', 'payments/db');
    out(`5. Rotated kv/payments/db in Vault: version ${version - 1} -> ${version}.`);

    const restart = await apply();
    const unchanged = by(restart, 'none');
    out(
      `6. apply: pushed commit ${short(restart.commit)}, which restarts ${by(restart, 'restart').length} workloads ` +
        `(${names(by(restart, 'restart'))})${unchanged.length > 0 ? `; ${names(unchanged)} did not change` : ''}.`,
    );

    const again = await apply();
    out(
      `7. apply once more: ${again.commit === null ? 'nothing new, no commit' : `commit ${short(again.commit)}`}.`,
    );

    out();
    out(`The adoption commit (${short(adoption.commit)}) only adds the record annotation:`);
    out();
    io.stdout(toDiff(adoption.changes));
    out();
    out(
      `The restart commit (${short(restart.commit)}) writes the new version into the record and the pod ` +
        "templates (for the Helm release, the chart's podAnnotations), and pins it in the ExternalSecret:",
    );
    out();
    io.stdout(toDiff(restart.changes));
    out();
    out(vaultRequestSummary(vault));
    out();
    out('Next, on your own repository (see "Try it on your repository" in the README):');
    const next = [
      ['validate --repo ./manifests', 'the config, checked without a run'],
      ['dev-server --seed kv/app/db@3,kv/app/api', 'a local Vault for your secrets'],
      ['plan --repo ./manifests', 'with the export lines it printed'],
    ].map(([args, why]) => [`${io.cli} ${args}`, why] as const);
    const width = Math.max(...next.map(([command]) => command.length)) + 6;
    for (const [command, why] of next) out(`  ${command.padEnd(width)}# ${why}`);
    return 0;
  } finally {
    await git.close();
    await vault.close();
    await rm(tmp, { recursive: true, force: true });
  }
}
