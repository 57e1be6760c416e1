/**
 * Synthetic GitOps repository for `npm run bench`: realistic manifests (license header comments,
 * multi-document files, both sequence styles), a given number of files, workloads and unique secrets.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface RepoShape {
  files: number;
  workloads: number;
  secrets: number;
  /** Write the record annotation as if an earlier run had adopted every workload at this version. */
  recordedVersion?: number;
}

const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Deployment', 'CronJob'] as const;

function workloadYaml(i: number, secrets: number, recordedVersion?: number): string {
  const kind = KINDS[i % KINDS.length] ?? 'Deployment';
  const name = `svc-${i}`;
  const ns = `team-${i % 40}`;
  const secretA = `kv/apps/app-${i % secrets}/db`;
  const secretB = `kv/apps/app-${(i * 7 + 3) % secrets}/db`;
  const pod = (indent: string) =>
    [
      `${indent}metadata:`,
      `${indent}  labels:`,
      `${indent}    app: ${name}`,
      `${indent}spec:`,
      `${indent}  containers:`,
      `${indent}  - name: app`,
      `${indent}    image: "ghcr.io/example/${name}:1.${i % 10}.0"`,
      `${indent}    ports:`,
      `${indent}      - containerPort: 8080`,
      `${indent}    env:`,
      `${indent}    - name: LOG_LEVEL # keep quiet in prod`,
      `${indent}      value: info`,
      `${indent}    resources:`,
      `${indent}      limits: { cpu: 500m, memory: 256Mi }`,
    ].join('\n');
  const header = `# Copyright 2026 Example Corp\n# Licensed under the Apache License, Version 2.0\n`;
  const meta = [
    `metadata:`,
    `  name: ${name}`,
    `  namespace: ${ns}`,
    `  annotations:`,
    `    vault-rollout/secrets: ${secretA}, ${secretB}`,
    ...(recordedVersion === undefined
      ? []
      : [
          `    vault-rollout/secret-versions: ${[...new Set([secretA, secretB])]
            .sort()
            .map((p) => `${p}@${recordedVersion}`)
            .join(',')}`,
        ]),
  ].join('\n');
  if (kind === 'CronJob') {
    return `${header}apiVersion: batch/v1\nkind: CronJob\n${meta}\nspec:\n  schedule: "*/30 * * * *"\n  jobTemplate:\n    spec:\n      template:\n${pod('        ')}\n`;
  }
  const extra =
    kind === 'StatefulSet' ? `  serviceName: ${name}\n` : kind === 'Deployment' ? '  replicas: 2\n' : '';
  return `${header}apiVersion: apps/v1\nkind: ${kind}\n${meta}\nspec:\n${extra}  selector:\n    matchLabels:\n      app: ${name}\n  template:\n${pod('    ')}\n`;
}

function otherYaml(i: number): string {
  return [
    `apiVersion: v1`,
    `kind: ConfigMap`,
    `metadata:`,
    `  name: settings-${i}`,
    `  namespace: team-${i % 40}`,
    `data:`,
    `  feature.flags: "a,b,c"`,
    `  settings.yaml: |`,
    `    replicas: ${i % 5}`,
    `    endpoints:`,
    `    - https://api-${i}.example.com`,
    `---`,
    `apiVersion: v1`,
    `kind: Service`,
    `metadata:`,
    `  name: svc-${i}`,
    `spec:`,
    `  ports:`,
    `    - port: 80`,
    `      targetPort: 8080`,
    ``,
  ].join('\n');
}

/** Writes the repository; returns the list of unique secret paths it references. */
export async function generateRepo(root: string, shape: RepoShape): Promise<string[]> {
  const writes: Promise<void>[] = [];
  const dirs = new Set<string>();
  for (let i = 0; i < shape.files; i++) {
    const rel = `clusters/c${i % 4}/apps/team-${i % 40}/app-${i}/${i < shape.workloads ? 'workload' : 'config'}.yaml`;
    const file = join(root, rel);
    const dir = dirname(file);
    if (!dirs.has(dir)) {
      dirs.add(dir);
      await mkdir(dir, { recursive: true });
    }
    writes.push(
      writeFile(
        file,
        i < shape.workloads ? workloadYaml(i, shape.secrets, shape.recordedVersion) : otherYaml(i),
      ),
    );
    if (writes.length >= 256) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  return Array.from({ length: shape.secrets }, (_, k) => `kv/apps/app-${k}/db`);
}
