/**
 * End to end: rollout safety through the built CLI (dist/cli.js), a real `git http-backend` and the Vault
 * test server. `rollout.maxRestartsPerRun: 4` over 10 rotated workloads restarts 4, 4, then 2 on three
 * runs, oldest rotation first; a run outside `rollout.windows` defers every restart, still adopts, pushes
 * nothing for the deferred and exits 0. `VAULT_ROLLOUT_NOW` sets the run's rollout clock.
 * Run `npm run build` first.
 */
import { describe, expect, it } from 'vitest';
import { commitMessage, runGit } from '../support/git-server.js';
import { useE2eServers } from '../support/e2e-servers.js';
import { errorsOf, reportValidator } from '../support/report-schema.js';
import { runCli } from '../support/run-cli.js';

const COUNT = 10;

const deployment = (i: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: prod
  annotations:
    vault-rollout/secrets: kv/app/s${i}
spec:
  template:
    metadata:
      labels:
        app: app-${i}
    spec:
      containers:
        - name: app
          image: app:1
`;

function files(config: string, count = COUNT): Record<string, string> {
  const out: Record<string, string> = { 'vault-rollout.yaml': config };
  for (let i = 0; i < count; i++) out[`apps/app-${i}.yaml`] = deployment(i);
  return out;
}

interface Report {
  workloads: { name: string; action: string; reasons?: string[] }[];
  summary: { restart: number; record: number; deferred?: number };
  commit: string | null;
}

const servers = useE2eServers('vr-rollout-e2e-', (vault) => {
  for (let i = 0; i < COUNT; i++) vault.kv.write('kv', `app/s${i}`);
});

const validate = reportValidator();

async function apply(url: string, env: Record<string, string> = {}) {
  const r = await runCli(['apply', '--repo', url, '--format', 'json'], { ...servers.env, ...env });
  expect(r.stderr).not.toMatch(/at .+\.js:\d+/);
  const json = JSON.parse(r.stdout) as Report;
  expect(errorsOf(validate, json)).toEqual([]);
  return { code: r.code, json, stderr: r.stderr };
}

const named = (json: Report, action: string) =>
  json.workloads
    .filter((w) => w.action === action)
    .map((w) => w.name)
    .sort();

/** Rotates the secrets in the given order, one minute apart on the Vault server's clock. */
function rotate(order: number[], start = Date.parse('2026-12-01T08:00:00Z')) {
  const clock = servers.vault.clock;
  try {
    order.forEach((i, n) => {
      servers.vault.clock = () => new Date(start + n * 60_000);
      servers.vault.kv.write('kv', `app/s${i}`);
    });
  } finally {
    servers.vault.clock = clock;
  }
}

const commitCount = async (name: string) =>
  Number((await runGit(['rev-list', '--count', 'main'], { cwd: servers.git.repoPath(name) })).toString());

describe('rollout.maxRestartsPerRun', () => {
  it('10 rotations under a cap of 4: 4, 4, 2 restarts on three runs, oldest first, then nothing', async () => {
    await servers.git.createBareRepo('capped', files('rollout:\n  maxRestartsPerRun: 4\n'), {
      branch: 'main',
    });
    const url = servers.git.repoUrl('capped');

    // Adoption is not a restart: all 10 records in one commit, whatever the cap.
    const adopted = await apply(url);
    expect(adopted.code).toBe(0);
    expect(adopted.json.summary).toMatchObject({ record: COUNT, restart: 0 });
    expect(adopted.json.summary.deferred).toBeUndefined();

    // Rotated from app-9 down to app-0: app-9 waited longest.
    rotate([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    const runs: Report[] = [];
    for (let run = 0; run < 3; run++) {
      const r = await apply(url);
      expect(r.code).toBe(0); // deferred never changes the exit code
      runs.push(r.json);
    }
    expect(runs.map((r) => r.summary.restart)).toEqual([4, 4, 2]);
    expect(runs.map((r) => r.summary.deferred ?? 0)).toEqual([6, 2, 0]);
    expect(named(runs[0]!, 'restart')).toEqual(['app-6', 'app-7', 'app-8', 'app-9']);
    expect(named(runs[1]!, 'restart')).toEqual(['app-2', 'app-3', 'app-4', 'app-5']);
    expect(named(runs[2]!, 'restart')).toEqual(['app-0', 'app-1']);
    expect(runs[0]!.workloads.find((w) => w.name === 'app-0')!.reasons).toEqual([
      'rollout.maxRestartsPerRun is 4: 4 older change(s) go first (10 pending); a later run restarts it',
    ]);

    // The first capped commit restarts four, names the six deferred, and has trailers for the four only.
    const message = await commitMessage(servers.git.repoPath('capped'), runs[0]!.commit!);
    expect(message).toMatch(/^vault-rollout: restart 4 workloads/);
    expect(message).toContain('Deployment/app-0 (prod), apps/app-0.yaml: deferred');
    expect(message.match(/: deferred$/gm)).toHaveLength(6);
    expect(message.match(/^Vault-Secret: /gm)).toHaveLength(4);
    expect(message).toContain('Vault-Secret: kv/app/s9 1 -> 2');
    expect(message).not.toContain('Vault-Secret: kv/app/s0');

    // Converged: a fourth run changes nothing.
    const after = await apply(url);
    expect(after.json.summary.restart).toBe(0);
    expect(after.json.commit).toBeNull();
    expect(await commitCount('capped')).toBe(1 + 1 + 3);
  });
});

describe('rollout.windows', () => {
  const WINDOWED =
    'rollout:\n  windows:\n    - { days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00", timezone: Europe/Berlin }\n';
  const SATURDAY = { VAULT_ROLLOUT_NOW: '2026-12-05T10:00:00Z' };
  const MONDAY = { VAULT_ROLLOUT_NOW: '2026-12-07T09:30:00Z' }; // 10:30 in Berlin

  it('outside its window a run adopts, defers every restart, pushes nothing for them and exits 0', async () => {
    await servers.git.createBareRepo('windowed', files(WINDOWED, 3), { branch: 'main' });
    const url = servers.git.repoUrl('windowed');

    const adopted = await apply(url, SATURDAY);
    expect(adopted.code).toBe(0);
    expect(adopted.json.summary).toMatchObject({ record: 3, restart: 0 });
    const head = await servers.git.head('windowed', 'main');

    rotate([0, 1]);
    const saturday = await apply(url, SATURDAY);
    expect(saturday.code).toBe(0);
    expect(saturday.json.summary).toMatchObject({ restart: 0, record: 0, deferred: 2 });
    expect(saturday.json.commit).toBeNull();
    expect(await servers.git.head('windowed', 'main')).toBe(head);
    expect(saturday.json.workloads.find((w) => w.name === 'app-0')!.reasons).toEqual([
      'outside rollout.windows (now sat 11:00 Europe/Berlin; windows: mon,tue,wed,thu,fri 09:00-17:00 Europe/Berlin): a run inside a window restarts it',
    ]);

    // The table says so too, and `plan --exit-code` does not count a deferred restart as pending.
    const plan = await runCli(['plan', '--repo', url, '--exit-code', '--wide'], {
      ...servers.env,
      ...SATURDAY,
    });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^deferred +Deployment\/app-0 .*outside rollout\.windows/m);
    expect(plan.stdout).toContain('0 restart, 0 record only, 0 blocked, 1 unchanged, 2 deferred');

    const monday = await apply(url, MONDAY);
    expect(monday.code).toBe(0);
    expect(named(monday.json, 'restart')).toEqual(['app-0', 'app-1']);
    expect(monday.json.commit).not.toBeNull();
  });

  it('a malformed VAULT_ROLLOUT_NOW is a one-line error, exit 1', async () => {
    await servers.git.createBareRepo('bad-clock', files(WINDOWED, 1), { branch: 'main' });
    const r = await runCli(['plan', '--repo', servers.git.repoUrl('bad-clock')], {
      ...servers.env,
      VAULT_ROLLOUT_NOW: 'saturday',
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      'vault-rollout: VAULT_ROLLOUT_NOW must be an ISO 8601 instant with a zone, e.g. "2026-12-05T10:00:00Z" (got "saturday")',
    );
  });
});
