/**
 * `npm run bench`: render roots. A 10,000-file repository laid out as 20 clusters × overlays over
 * 250 shared bases (Argo CD style: `apps/<app>/` bases with a Deployment, a Service and ConfigMaps;
 * `clusters/<c>/apps/<app>/kustomization.yaml` overlays that set the namespace, some holding an
 * ExternalSecret; per cluster an ApplicationSet whose git directory generator deploys its overlays but
 * excludes one, and an Application for its infra folder, so the roots come from the deployment graph
 * and 20 overlays are undeployed), next to today's flat repository of the same number of files
 * (bench-generate.ts). `npm run bench -- --only roots` runs this part alone.
 * `scan`, `plan` and `apply --dry-run` of the built CLI on each, median of 3 runs, against the Vault dev
 * server answering after 5 ms. Target: root-aware `plan` at most 1.3× the flat `plan`.
 * Prints figures only; asserts nothing about time (timing assertions flake on shared machines).
 *
 * Alone, after `npm run build` and one `node scripts/run-bench.mjs` (which bundles it):
 * `node .bench/bin/bench-roots.mjs`.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { startGitServer, type GitServer } from '../src/dev/git-dev-server.js';
import { startVaultDevServer } from '../src/dev/vault-dev-server.js';
import { generateRepo } from './bench-generate.js';

const FILES = 10_000;
const CLUSTERS = 20;
const BASES = 250;
const RUNS = 3;
const root = resolve('.bench');
const rootsRepo = resolve(root, 'repo-roots');
const flatRepo = resolve(root, 'repo-roots-flat');
const cli = resolve('dist/cli.js');

const deployment = (b: number) => `# Copyright 2026 Example Corp
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${b}
  labels:
    app: app-${b}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: app-${b}
  template:
    metadata:
      labels:
        app: app-${b}
    spec:
      containers:
        - name: app
          image: "ghcr.io/example/app-${b}:1.${b % 10}.0"
          envFrom:
            - secretRef:
                name: app-${b}-db
            - configMapRef:
                name: app-${b}-settings
          resources:
            limits: { cpu: 500m, memory: 256Mi }
`;

const service = (b: number) => `apiVersion: v1
kind: Service
metadata:
  name: app-${b}
spec:
  selector:
    app: app-${b}
  ports:
    - port: 80
      targetPort: 8080
`;

const configMap = (name: string, i: number) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
data:
  feature.flags: "a,b,c"
  settings.yaml: |
    replicas: ${i % 5}
    endpoints:
      - https://api-${i}.example.com
`;

const externalSecret = (b: number) => `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: app-${b}-db
spec:
  refreshInterval: 1h
  secretStoreRef:
    name: vault
    kind: ClusterSecretStore
  target:
    name: app-${b}-db
  data:
    - secretKey: password
      remoteRef:
        key: apps/app-${b}/db
        property: password
`;

/** Cluster `c`'s Argo CD objects: its overlays through an ApplicationSet (the last app excluded), its infra. */
const argocd = (c: number) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: apps-c${c}
  namespace: argocd
spec:
  goTemplate: true
  generators:
    - git:
        repoURL: https://git.example.com/fleet.git
        revision: main
        directories:
          - path: clusters/c${c}/apps/*
          - path: clusters/c${c}/apps/app-${BASES - 1}
            exclude: true
  template:
    metadata:
      name: "c${c}-{{.path.basename}}"
    spec:
      project: default
      source: { repoURL: https://git.example.com/fleet.git, targetRevision: main, path: "{{.path.path}}" }
      destination: { name: c${c}, namespace: "{{.path.basename}}" }
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: infra-c${c}
  namespace: argocd
spec:
  project: default
  source: { repoURL: https://git.example.com/fleet.git, targetRevision: main, path: clusters/c${c}/infra }
  destination: { name: c${c}, namespace: external-secrets }
`;

const store = (c: number) => `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: vault
spec:
  provider:
    vault:
      server: https://vault.c${c}.example.com
      path: kv
      version: v2
`;

/**
 * An overlay of cluster `c` gets an ExternalSecret for three apps in five: 3,000 workload documents in
 * roots, as many as 10,000 files leave room for next to 5,000 overlay kustomizations (the flat repo has
 * 5,000 workloads in its 10,000 files).
 */
const hasSecret = (c: number, b: number) => (b + c) % 5 < 3;

/**
 * Writes the render-root repository (exactly `FILES` files); returns the unique secret paths and the
 * number of workload documents per root that an ExternalSecret feeds.
 */
async function generateRootsRepo(dir: string): Promise<{ secrets: string[]; linked: number }> {
  const files = new Map<string, string>();
  const extraConfigMaps = 3; // per base, besides the Deployment, the Service and the kustomization
  for (let b = 0; b < BASES; b++) {
    const res = ['deployment.yaml', 'service.yaml'];
    files.set(`apps/app-${b}/deployment.yaml`, deployment(b));
    files.set(`apps/app-${b}/service.yaml`, service(b));
    for (let k = 0; k < extraConfigMaps; k++) {
      const name = k === 0 ? `app-${b}-settings` : `app-${b}-config-${k}`;
      files.set(`apps/app-${b}/configmap-${k}.yaml`, configMap(name, b * 10 + k));
      res.push(`configmap-${k}.yaml`);
    }
    files.set(`apps/app-${b}/kustomization.yaml`, `resources:\n${res.map((r) => `  - ${r}\n`).join('')}`);
  }
  let linked = 0;
  const overlays: string[] = [];
  for (let c = 0; c < CLUSTERS; c++) {
    files.set(`clusters/c${c}/infra/kustomization.yaml`, 'resources:\n  - store.yaml\n');
    files.set(`clusters/c${c}/infra/store.yaml`, store(c));
    files.set(`clusters/c${c}/argocd/apps.yaml`, argocd(c));
    for (let b = 0; b < BASES; b++) {
      const d = `clusters/c${c}/apps/app-${b}`;
      overlays.push(d);
      if (hasSecret(c, b)) {
        files.set(`${d}/external-secret.yaml`, externalSecret(b));
        linked++;
      }
    }
  }
  // fill to FILES with overlay-local ConfigMaps, spread over the overlays
  const fill = FILES - files.size - overlays.length;
  if (fill < 0) throw new Error(`layout has ${files.size + overlays.length} files, more than ${FILES}`);
  const local = new Map<string, number>();
  for (let k = 0; k < fill; k++)
    local.set(overlays[k % overlays.length]!, (local.get(overlays[k % overlays.length]!) ?? 0) + 1);
  overlays.forEach((d, i) => {
    const [, cluster, , app] = d.split('/');
    const c = Number(cluster!.slice(1));
    const b = Number(app!.slice('app-'.length));
    const res = [`../../../../apps/app-${b}`];
    if (hasSecret(c, b)) res.push('external-secret.yaml');
    for (let k = 0; k < (local.get(d) ?? 0); k++) {
      files.set(`${d}/local-${k}.yaml`, configMap(`app-${b}-local-${k}`, i * 10 + k));
      res.push(`local-${k}.yaml`);
    }
    files.set(
      `${d}/kustomization.yaml`,
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: app-${b}\nresources:\n${res
        .map((r) => `  - ${r}\n`)
        .join('')}`,
    );
  });
  if (files.size !== FILES) throw new Error(`generated ${files.size} files, not ${FILES}`);
  const dirs = new Set<string>();
  const writes: Promise<void>[] = [];
  for (const [rel, text] of files) {
    const file = join(dir, rel);
    if (!dirs.has(dirname(file))) {
      dirs.add(dirname(file));
      await mkdir(dirname(file), { recursive: true });
    }
    writes.push(writeFile(file, text));
    if (writes.length >= 256) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  return { secrets: Array.from({ length: BASES }, (_, b) => `kv/apps/app-${b}/db`), linked };
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
): Promise<{ ms: number; stdout: string }> {
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn(command, args, { env, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0 && code !== 2)
        return fail(new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr}`));
      done({ ms: performance.now() - start, stdout });
    });
  });
}

/** Reads a generated tree back as a file map (for the git test server). */
async function readTree(
  dir: string,
  base = dir,
  out: Record<string, string> = {},
): Promise<Record<string, string>> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.name === '.git') continue;
    if (e.isDirectory()) await readTree(p, base, out);
    else out[relative(base, p)] = await readFile(p, 'utf8');
  }
  return out;
}

/**
 * Makes the folder a checkout of a repository on the git test server (`apply`, even `--dry-run`, wants an
 * HTTPS-or-loopback-HTTP `origin`), on branch `main`.
 */
async function publish(git: GitServer, name: string, dir: string): Promise<void> {
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  await git.createBareRepo(name, await readTree(dir), { branch: 'main' });
  await run('git', ['init', '--quiet', '--initial-branch', 'main'], env, dir);
  await run('git', ['remote', 'add', 'origin', git.repoUrl(name)], env, dir);
  await run('git', ['fetch', '--quiet', 'origin', 'main'], env, dir);
  await run('git', ['reset', '--quiet', 'origin/main'], env, dir);
  await run('git', ['branch', '--quiet', '--set-upstream-to', 'origin/main'], env, dir);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Report {
  summary: Record<string, number>;
  workloads: { root?: string }[];
  problems: unknown[];
}

async function main(): Promise<void> {
  await rm(rootsRepo, { recursive: true, force: true });
  await rm(flatRepo, { recursive: true, force: true });
  const t0 = performance.now();
  const { secrets, linked } = await generateRootsRepo(rootsRepo);
  const flatSecrets = await generateRepo(flatRepo, {
    files: FILES,
    workloads: CLUSTERS * BASES,
    secrets: BASES,
  });
  const git = await startGitServer({ tmpRoot: root });
  await publish(git, 'roots', rootsRepo);
  await publish(git, 'flat', flatRepo);
  console.log(
    `render roots: ${FILES} files, ${CLUSTERS} clusters × ${BASES} overlays over ${BASES} shared bases, ` +
      `${linked} workload documents per root fed by an ExternalSecret, ${secrets.length} secrets; ` +
      `flat: ${FILES} files, ${CLUSTERS * BASES} workloads, ${flatSecrets.length} secrets (generated in ${fmt(performance.now() - t0)})`,
  );

  const vault = await startVaultDevServer({ mounts: [{ path: 'kv', version: 2 }] });
  for (const s of new Set([...secrets, ...flatSecrets])) {
    vault.kv.write('kv', s.slice('kv/'.length));
    vault.kv.write('kv', s.slice('kv/'.length));
  }
  vault.latencyMs = 5;
  const env = { ...process.env, VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken };
  const figures = new Map<string, number>();
  try {
    for (const [label, repo] of [
      ['flat', flatRepo],
      ['root-aware', rootsRepo],
    ] as const) {
      for (const command of [['scan'], ['plan'], ['apply', '--dry-run']]) {
        const times: number[] = [];
        let report: Report | undefined;
        for (let i = 0; i < RUNS; i++) {
          const r = await run(process.execPath, [cli, ...command, '--repo', repo, '--format', 'json'], env);
          times.push(r.ms);
          report = JSON.parse(r.stdout) as Report;
        }
        const name = `${label} ${command.join(' ')}`;
        figures.set(name, median(times));
        const roots = new Set(report!.workloads.map((w) => w.root).filter(Boolean)).size;
        console.log(
          `${name}: median ${fmt(median(times))} of ${times.map(fmt).join(', ')}; ` +
            `${report!.workloads.length} workloads${roots ? ` in ${roots} roots` : ''}, ` +
            `summary ${JSON.stringify(report!.summary ?? {})}, ${report!.problems.length} problems`,
        );
      }
    }
  } finally {
    await vault.close();
    await git.close();
  }
  console.log(`value reads refused by the dev server: ${vault.violations}`);
  console.log(
    `load average (1, 5, 15 min): ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  const ratio = figures.get('root-aware plan')! / figures.get('flat plan')!;
  console.log(
    `root-aware plan / flat plan: ${ratio.toFixed(2)}x; target <= 1.3x: ${ratio <= 1.3 ? 'MET' : 'MISSED'}`,
  );
}

await main();
