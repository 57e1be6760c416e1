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

/**
 * Helm-based apps: `releases` Flux HelmReleases opted in by annotation, each with a chart values
 * file whose `podAnnotations` carry Vault Agent annotations, plus an ExternalSecret feeding every fifth
 * release through `existingSecret`. Returns the unique secret paths.
 */
export async function generateHelmRepo(root: string, releases: number, secrets: number): Promise<string[]> {
  const store = `apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata:\n  name: vault\nspec:\n  provider:\n    vault:\n      path: kv\n      version: v2\n`;
  await mkdir(join(root, 'infra'), { recursive: true });
  await writeFile(join(root, 'infra/store.yaml'), store);
  const writes: Promise<void>[] = [];
  for (let i = 0; i < releases; i++) {
    const dir = join(root, `apps/team-${i % 40}/app-${i}`);
    await mkdir(dir, { recursive: true });
    const ns = `team-${i % 40}`;
    const fed = i % 5 === 0;
    writes.push(
      writeFile(
        join(dir, 'release.yaml'),
        [
          `# Copyright 2026 Example Corp`,
          `apiVersion: helm.toolkit.fluxcd.io/v2`,
          `kind: HelmRelease`,
          `metadata:`,
          `  name: app-${i}`,
          `  namespace: ${ns}`,
          `  annotations:`,
          `    vault-rollout/secrets: kv/apps/app-${i % secrets}/db`,
          `spec:`,
          `  interval: 10m`,
          `  chart:`,
          `    spec:`,
          `      chart: app`,
          `      sourceRef: { kind: HelmRepository, name: charts, namespace: flux-system }`,
          `  values:`,
          `    replicaCount: 2`,
          `    image:`,
          `      repository: ghcr.io/example/app-${i}`,
          `      tag: "1.${i % 10}.0"`,
          ...(fed ? [`    database:`, `      existingSecret: app-${i}-db`] : []),
          ``,
        ].join('\n'),
      ),
      writeFile(
        join(dir, 'values-prod.yaml'),
        `replicaCount: 3\npodAnnotations:\n  vault.hashicorp.com/agent-inject: "true"\n  vault.hashicorp.com/agent-inject-secret-api: kv/data/apps/app-${(i * 7 + 3) % secrets}/api\nresources:\n  limits: { cpu: 500m, memory: 256Mi }\n`,
      ),
    );
    if (fed) {
      writes.push(
        writeFile(
          join(dir, 'external-secret.yaml'),
          `apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: app-${i}-db\n  namespace: ${ns}\nspec:\n  secretStoreRef: { name: vault, kind: ClusterSecretStore }\n  data:\n    - secretKey: password\n      remoteRef:\n        key: apps/app-${i % secrets}/db\n`,
        ),
      );
    }
    if (writes.length >= 256) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  return Array.from({ length: secrets }, (_, k) => [`kv/apps/app-${k}/db`, `kv/apps/app-${k}/api`]).flat();
}
