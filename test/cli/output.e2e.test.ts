/**
 * End to end: what a person sees from the built CLI on a 40-workload repository (test/fixtures/output-40):
 * tables that fit the width, problems grouped by kind (each one with -v, all of them in JSON), plan's
 * diff capped or left out, and progress on stderr only, never on stdout.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useE2eServers } from '../support/e2e-servers.js';
import { OUTPUT_40, seedOutput40 } from '../support/output-40.js';
import { cliPath, repoRoot, runCli } from '../support/run-cli.js';

const servers = useE2eServers('vr-output-e2e-', seedOutput40);

/** stdout up to the unified diff: the report itself. */
const reportPart = (stdout: string) => stdout.split(/^--- a\//m)[0]!;
/** The diff part of a plan's output: from the first file header to the summary line said again after it. */
const diffLines = (stdout: string) => {
  const start = stdout.search(/^--- a\//m);
  if (start < 0) return [];
  const lines = stdout.slice(start).trimEnd().split('\n');
  // The summary closes the output, after a blank line, so it is never lost in the middle.
  if (/^\d+ workload\(s\): /.test(lines.at(-1)!) && lines.at(-2) === '') return lines.slice(0, -2);
  return lines;
};
const longLines = (text: string, width: number) => text.split('\n').filter((l) => l.length > width);
/** The run finished: 0, or 3 for "done, but a workload is blocked" (the fixture blocks one). */
const finished = (code: number | null) => code === 0 || code === 3;

async function filesOf(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out[relative(dir, full)] = await readFile(full, 'utf8');
  }
  return out;
}

describe('tables that fit', () => {
  it('scan and plan print one row per workload, no line over COLUMNS', async () => {
    for (const columns of [100, 80]) {
      const env = { ...servers.env, COLUMNS: String(columns) };
      const scan = await runCli(['scan', '--repo', OUTPUT_40], env);
      expect(scan.code).toBe(0);
      expect(longLines(scan.stdout, columns)).toEqual([]);
      expect(scan.stdout).toMatch(/^WORKLOAD\s+NAMESPACE\s+FILE\s+SECRETS\s+SOURCES\s+RECORDED$/m);
      expect(scan.stdout).toContain('40 workload(s) depend on 42 Vault secrets.');
      // Sources are condensed: one entry per source with a count.
      if (columns === 100)
        expect(scan.stdout).toMatch(/^Deployment\/api\s+payments\s.*vaultAgent ×2\s+yes$/m);
      expect(scan.stdout).not.toMatch(/agent-inject-secret/);

      const plan = await runCli(['plan', '--repo', OUTPUT_40], env);
      expect(finished(plan.code)).toBe(true);
      const table = reportPart(plan.stdout);
      expect(longLines(table, columns)).toEqual([]);
      const rows = table.split('\n').filter((l) => /\s(restart|record|none|blocked)$/.test(l));
      expect(rows).toHaveLength(40);
      if (columns === 100) {
        expect(table).toMatch(/^StatefulSet\/ledger\s+payments\s.*changed: kv\/payments\/db 6→7\s+restart$/m);
        expect(table).toMatch(/^CronJob\/warehouse-sync\s.*missing: kv\/analytics\/snowflake\s+blocked$/m);
      }
      expect(table).toContain('40 workload(s): 5 restart, 3 record only, 1 blocked, 31 unchanged');

      const status = await runCli(['status', '--repo', OUTPUT_40], env);
      expect(finished(status.code)).toBe(true);
      expect(longLines(status.stdout, columns)).toEqual([]);
      expect(
        status.stdout.split('\n').filter((l) => /\s(restart|record|none|blocked)$/.test(l)),
      ).toHaveLength(40);
    }
  });

  it('COLUMNS=200 leaves every cell whole; --wide prints one row per secret in full', async () => {
    const roomy = await runCli(['plan', '--repo', OUTPUT_40, '--no-diff'], {
      ...servers.env,
      COLUMNS: '200',
    });
    expect(roomy.stdout.split('\nProblems')[0]).not.toContain('…');
    expect(roomy.stdout).toMatch(
      /^Deployment\/checkout\s+shop\s+clusters\/prod\/shop\/checkout\.yaml\s+1 of 3 changed: kv\/shop\/stripe 2→3\s+restart$/m,
    );

    const wide = await runCli(['scan', '--repo', OUTPUT_40, '--wide'], { COLUMNS: '100' });
    expect(wide.stdout).toMatch(
      /^WORKLOAD\s+NAMESPACE\s+FILE\s+SECRET\s+SOURCE\s+FOUND THROUGH\s+RECORDED$/m,
    );
    expect(wide.stdout).toMatch(
      /^Deployment\/api\s+payments\s+clusters\/prod\/payments\/api\.yaml\s+kv\/payments\/db\s+vaultAgent\s+vault\.hashicorp\.com\/agent-inject-secret-db\s+6$/m,
    );
    // The second secret of a workload: its own row, the workload's cells left blank.
    expect(wide.stdout).toMatch(
      /^\s+kv\/payments\/stripe\s+vaultAgent\s+vault\.hashicorp\.com\/agent-inject-secret-stripe\s+5$/m,
    );
  });
});

describe('problems grouped', () => {
  it('one line per kind in table and Markdown, each problem with -v, all of them in JSON', async () => {
    const templates = Object.keys(await filesOf(OUTPUT_40)).filter((f) => f.includes('/templates/'));
    expect(templates).toHaveLength(9);

    const scan = await runCli(['scan', '--repo', OUTPUT_40], {});
    expect(scan.stdout).toContain('Problems (10, 2 kinds; -v lists each one):');
    expect(scan.stdout).toContain(
      '  9 Helm chart templates skipped, not rendered here (charts/*/templates/…)',
    );
    expect(scan.stdout).toMatch(
      /^ {2}warning clusters\/prod\/shop\/promotions\.yaml:13:11: not valid YAML: Map keys/m,
    );
    for (const t of templates) expect(scan.stdout).not.toContain(t);

    const verbose = await runCli(['scan', '--repo', OUTPUT_40, '-v'], {});
    expect(verbose.stdout).toContain('Problems (10):');
    expect(longLines(verbose.stdout, 100)).toEqual([]);
    const unwrapped = verbose.stdout.replace(/\n {6}/g, ' '); // a long problem goes on over indented lines
    for (const t of templates)
      expect(unwrapped).toContain(`  warning ${t}: Helm chart template: skipped (not rendered here)`);

    const md = await runCli(['plan', '--repo', OUTPUT_40, '--format', 'markdown'], servers.env);
    expect(md.stdout).toContain('### Problems \\(10, 2 kinds; -v or the JSON report lists each one\\)');
    expect(md.stdout).toContain('- 9 Helm chart templates skipped, not rendered here');
    for (const t of templates) expect(md.stdout).not.toContain(t);

    const json = await runCli(['plan', '--repo', OUTPUT_40, '--format', 'json'], servers.env);
    const problems = JSON.parse(json.stdout).problems as {
      file: string;
      severity: string;
      message: string;
    }[];
    expect(problems).toHaveLength(10);
    expect(problems.map((p) => p.file).sort()).toEqual(
      [...templates, 'clusters/prod/shop/promotions.yaml'].sort(),
    );
    for (const p of problems)
      expect(Object.keys(p).sort()).toEqual(expect.arrayContaining(['file', 'message', 'severity']));
  });
});

describe('plan: the diff', () => {
  it('is capped at whole files with a note; --wide prints all of it; --no-diff none', async () => {
    const capped = await runCli(['plan', '--repo', OUTPUT_40], servers.env);
    // The summary is said again after the diff: the last line, never lost in the middle.
    expect(capped.stdout.trimEnd().split('\n').at(-1)).toMatch(/^40 workload\(s\): 5 restart, /);
    const wide = await runCli(['plan', '--repo', OUTPUT_40, '--wide'], servers.env);
    const all = diffLines(wide.stdout);
    // 5 restarts (one with its ExternalSecret's pin in the same file) and 3 adoptions
    expect(all.filter((l) => l.startsWith('+++ b/'))).toHaveLength(8);
    expect(all.at(-1)).not.toMatch(/not shown/);

    const shown = diffLines(capped.stdout);
    const note = shown.pop()!;
    expect(note).toMatch(
      new RegExp(
        `^\\.\\.\\. \\d+ more diff line\\(s\\) in \\d+ more files? not shown \\(${all.length} in all\\): --wide prints the whole diff\\.$`,
      ),
    );
    expect(shown.length).toBeLessThanOrEqual(60);
    expect(shown.length).toBeGreaterThan(0);
    // What is shown is the start of the whole diff, cut between files.
    expect(all.slice(0, shown.length)).toEqual(shown);
    expect(all[shown.length]).toMatch(/^--- a\//);

    const none = await runCli(['plan', '--repo', OUTPUT_40, '--no-diff'], servers.env);
    expect(finished(none.code)).toBe(true);
    expect(none.stdout).not.toMatch(/^(---|\+\+\+|@@) /m);
    expect(none.stdout).toBe(reportPart(capped.stdout).replace(/\n$/, ''));
  });
});

describe('progress', () => {
  it('prints nothing for a short run with the default interval', async () => {
    const r = await runCli(['plan', '--repo', OUTPUT_40, '--no-diff'], servers.env);
    expect(r.stderr).not.toMatch(/Reading manifests:|Reading Vault metadata:/);
  });

  it('logs periodic lines on stderr when stderr is not a terminal, and nothing more on stdout', async () => {
    const quiet = await runCli(['plan', '--repo', OUTPUT_40], servers.env);
    servers.vault.latencyMs = 25;
    try {
      const r = await runCli(['plan', '--repo', OUTPUT_40], {
        ...servers.env,
        VAULT_ROLLOUT_PROGRESS_INTERVAL_MS: '5',
      });
      expect(finished(r.code)).toBe(true);
      expect(r.stdout).toBe(quiet.stdout);
      expect(r.stderr).toMatch(/^Reading Vault metadata: \d+ of 42 secret\(s\) \(\d+ s\)$/m);
      expect(r.stderr).toMatch(/^Reading Vault metadata: done, 42 secret\(s\) in \d+ s$/m);
      // Plain lines for a log: no carriage returns or terminal escapes.
      expect(r.stderr).not.toContain('\r');
      expect(r.stderr).not.toContain('\x1b[');

      const json = await runCli(['plan', '--repo', OUTPUT_40, '--format', 'json', '--log-format', 'json'], {
        ...servers.env,
        VAULT_ROLLOUT_PROGRESS_INTERVAL_MS: '5',
      });
      const lines = json.stderr
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.filter((l) => l['phase'] === 'vault').length).toBeGreaterThan(1);
      expect(lines.find((l) => l['phase'] === 'vault')).toMatchObject({ level: 'info', total: 42 });
      expect(JSON.parse(json.stdout).summary.workloads).toBe(40);
    } finally {
      servers.vault.latencyMs = 0;
    }
  });

  it('apply: writing the commit and pushing', async () => {
    const files = await filesOf(OUTPUT_40);
    delete files['clusters/prod/analytics/warehouse-sync.yaml']; // the blocked one
    await servers.git.createBareRepo('output-40', files, { branch: 'main' });
    servers.vault.latencyMs = 5;
    try {
      const r = await runCli(['apply', '--repo', servers.git.repoUrl('output-40'), '--format', 'json'], {
        ...servers.env,
        VAULT_ROLLOUT_PROGRESS_INTERVAL_MS: '1',
      });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).commit).toMatch(/^[0-9a-f]{40}$/);
      expect(r.stderr).toMatch(/^Pushing: done in \d+ s$/m);
      expect(r.stderr).toMatch(/^Writing the commit: done, 8 file\(s\) in \d+ s$/m);
    } finally {
      servers.vault.latencyMs = 0;
    }
  });
});

/** Runs `command` in a pseudo-terminal (util-linux `script`), as a person at a terminal would. */
function inTerminal(command: string, env: Record<string, string>): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
      cwd: repoRoot,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmpdir(), TERM: 'xterm', ...env },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', fail);
    child.on('close', () => done(out.replace(/\r\n/g, '\n')));
  });
}

const hasScript = spawnSync('script', ['--version']).status === 0;

describe.skipIf(!hasScript)('at a terminal', () => {
  it("the table fits the terminal's width, whatever COLUMNS says", async () => {
    const out = await inTerminal(`stty cols 90; node ${cliPath} scan --repo ${OUTPUT_40}`, {
      COLUMNS: '200',
    });
    expect(out).toContain('40 workload(s) depend on 42 Vault secrets.');
    expect(longLines(out, 90)).toEqual([]);
    expect(out.split('\n').some((l) => l.length > 80)).toBe(true);
  });

  it('progress is one line redrawn on the terminal, then wiped; stdout gets only the report', async () => {
    const quiet = await runCli(['plan', '--repo', OUTPUT_40], servers.env);
    const file = join(servers.tmp, 'plan-at-terminal.txt');
    servers.vault.latencyMs = 400;
    try {
      const screen = await inTerminal(`node ${cliPath} plan --repo ${OUTPUT_40} > ${file}`, servers.env);
      const clear = '\r\x1b[2K'; // back to the line's start, erase the line
      const drawn = screen.split(clear).slice(1);
      expect(drawn.some((d) => /^Reading Vault metadata: (\d+ of )?42 secret\(s\) \(\d+ s\)$/.test(d))).toBe(
        true,
      );
      // Wiped at the end: after the last redraw comes only the run's closing warning (a blocked workload).
      expect(drawn.at(-1)).toMatch(/^(warn: 1 workload\(s\) blocked[^\n]*\n)?$/);
      expect(await readFile(file, 'utf8')).toBe(quiet.stdout);
    } finally {
      servers.vault.latencyMs = 0;
    }
  });
});
