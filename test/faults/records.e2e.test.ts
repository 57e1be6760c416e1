/**
 * Records (`vault-rollout/secret-versions`) of every YAML type, and records naming one secret twice, used
 * to be replaced silently (a number, a list, a map) or read as the last entry. Through the built CLI: each
 * is one warning naming the file and the workload, handled like a malformed record (adopted with a clean
 * string record, nothing restarts), and `apply` writes exactly that.
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { useE2eServers } from '../support/e2e-servers.js';
import { runCli } from '../support/run-cli.js';

const s = useE2eServers('vr-records-faults-', (vault) => {
  vault.kv.write('kv', 'app/db');
  vault.kv.write('kv', 'app/db'); // version 2: a trusted record of 1 would restart
});

/** The record value as YAML writes it, and the warning's reason. */
const RECORDS: Record<string, [string, string]> = {
  number: ['12', 'is the number 12, not a string'],
  list: ['[kv/app/db@1]', 'is a list, not a string'],
  map: ['{ kv/app/db: 1 }', 'is a map, not a string'],
  null: ['null', 'is null, not a string'],
  boolean: ['true', 'is the boolean true, not a string'],
  empty: ['""', 'is empty'],
  block: ['\n      - kv/app/db@1', 'is a list, not a string'],
  twice: ['kv/app/db@1,kv/app/db@1', 'names "kv/app/db" more than once'],
  conflicting: ['"kv/app/db@1, kv/app/db@2"', 'names "kv/app/db" more than once'],
};

const deployment = (name: string, record: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  annotations:
    vault-rollout/secrets: kv/app/db
    vault-rollout/secret-versions: ${record}
spec:
  template:
    spec:
      containers: [{ name: c, image: c }]
`;

interface Report {
  workloads: { name: string; action: string; warnings: string[]; secrets: { state: string }[] }[];
  problems: { file: string; severity: string; message: string }[];
  commit: string | null;
}

it('every non-string or repeated record: one warning each, adopted with a clean record, nothing restarts', async () => {
  const files = Object.fromEntries(
    Object.entries(RECORDS).map(([name, [record]]) => [`apps/${name}.yaml`, deployment(`r-${name}`, record)]),
  );
  await s.git.createBareRepo('records', files, { branch: 'main' });
  const tmp = await mkdtemp(join(s.tmp, 'run-tmp-'));
  const r = await runCli(['apply', '--repo', s.git.repoUrl('records'), '--format', 'json'], {
    ...s.env,
    TMPDIR: tmp,
  });
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout) as Report;
  for (const [name, [, why]] of Object.entries(RECORDS)) {
    const w = report.workloads.find((x) => x.name === `r-${name}`)!;
    expect(w.action, name).toBe('record');
    const warning = `record "vault-rollout/secret-versions" ${why}: treated as unrecorded, so a clean record is written and nothing restarts`;
    expect(w.warnings).toEqual([warning]);
    const lines = report.problems.filter((p) => p.file === `apps/${name}.yaml`);
    expect(lines.map((p) => p.message)).toEqual([`Deployment "r-${name}": ${warning}`]);
    const after = await s.git.readFile('records', 'main', `apps/${name}.yaml`);
    // Replaced by a clean string record (the editor keeps the value's own quoting where it had one).
    const data = parse(after) as { metadata: { annotations: Record<string, unknown> } };
    expect(data.metadata.annotations['vault-rollout/secret-versions'], `${name}: ${after}`).toBe(
      'kv/app/db@2',
    );
    expect(after).not.toContain('spec:\n  template:\n    metadata:');
  }
  expect(report.commit).toBe(await s.git.head('records', 'main'));
  expect(await readdir(tmp)).toEqual([]);
});
