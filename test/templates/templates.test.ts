/**
 * Everything under templates/ is something a user copies: each file must parse, the Kubernetes manifests
 * must be valid for their kinds (the API's OpenAPI schemas, shipped by kubernetes-models, plus a strict
 * check for unknown fields, which the API server would drop silently), the README or the docs/ page that
 * explains each one must show the very same text, action.yml must match docs/action.md's tables, and the Dockerfile's entry must run the bundled CLI.
 */
import { spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig } from '../../src/core/config/schema.js';
import { discover } from '../../src/core/discover/discover.js';
import { templateProblem } from '../../src/core/report/liquid.js';
import { copyCliBundle, dockerStages, instructions, stageEnv, type Stage } from './dockerfile.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const templates = join(root, 'templates');

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const abs = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(abs)));
    else out.push(abs);
  }
  return out.sort();
}

const rel = (abs: string) => relative(root, abs).split('\\').join('/');

function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** The YAML documents of a file, parsed; fails on any syntax error or duplicate key. */
function yamlDocs(text: string, file: string): unknown[] {
  return parseAllDocuments(text).map((doc) => {
    expect(doc.errors.map((e) => `${file}: ${e.message}`)).toEqual([]);
    return doc.toJS();
  });
}

/** Braces, brackets and quotes balance (comments and strings aside), as a minimal HCL syntax check. */
function hclProblems(text: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const pairs: Record<string, string> = { '}': '{', ']': '[', ')': '(' };
  text.split('\n').forEach((line, i) => {
    let inString = false;
    for (let j = 0; j < line.length; j++) {
      const c = line[j] as string;
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '#' || (c === '/' && line[j + 1] === '/')) break;
      if (c === '"') inString = true;
      else if ('{[('.includes(c)) stack.push(c);
      else if (c in pairs && stack.pop() !== pairs[c]) problems.push(`line ${i + 1}: unbalanced "${c}"`);
    }
    if (inString) problems.push(`line ${i + 1}: unterminated string`);
  });
  if (stack.length > 0) problems.push(`unclosed "${stack.join('')}"`);
  return problems;
}

/** `path "..." { capabilities = [...] }` blocks of a Vault policy (comments removed). */
function policyRules(text: string): { path: string; capabilities: string[] }[] {
  const code = text
    .split('\n')
    .map((l) => l.replace(/#.*$/, ''))
    .join('\n');
  return [...code.matchAll(/path\s+"([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}/g)].map((m) => ({
    path: m[1] as string,
    capabilities: [...(m[2] as string).matchAll(/"([^"]+)"/g)].map((c) => c[1] as string),
  }));
}

// ---------------------------------------------------------------------------------------------------------
// Kubernetes schema validation

type Validatable = { prototype: { validate(this: unknown): void } };

/** The API groups the templates use; add one here when a template uses another. */
const MODELS: Record<string, Record<string, unknown>> = { v1: coreV1, 'apps/v1': appsV1, 'batch/v1': batchV1 };

/** The kubernetes-models class for an apiVersion/kind, or undefined when there is none. */
/** Custom resources in templates/examples: kubernetes-models has no schema for them; discovery reads them. */
const CUSTOM_RESOURCES = new Set([
  'helm.toolkit.fluxcd.io/v2 HelmRelease',
  'external-secrets.io/v1 ExternalSecret',
  'external-secrets.io/v1 ClusterSecretStore',
]);
/** Operator resources of the deployment templates (no schema here either; their test checks them). */
const OPERATOR_RESOURCES = new Set(['monitoring.coreos.com/v1 ServiceMonitor']);

function modelFor(apiVersion: string, kind: string): Validatable | undefined {
  return MODELS[apiVersion]?.[kind] as Validatable | undefined;
}

/**
 * Validates `data` against its kind's schema and also reports fields the schema does not know (a typo such
 * as `securityContxt` is valid JSON Schema-wise, since Kubernetes' schemas allow extra properties, but the
 * API server drops it and the hardening silently disappears). The compiled validator reads every property
 * its schema defines, so a key it never read is unknown: a Proxy records the reads.
 */
function validateStrict(model: Validatable, data: unknown): string[] {
  const reads = new Map<object, Set<string>>();
  const wrap = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const target = value as object;
    if (!reads.has(target)) reads.set(target, new Set());
    return new Proxy(target, {
      get(t, key, receiver) {
        if (typeof key === 'string') reads.get(t)?.add(key);
        return wrap(Reflect.get(t, key, receiver));
      },
    });
  };
  try {
    model.prototype.validate.call(wrap(data));
  } catch (err) {
    return [(err as Error).message];
  }
  const unknown: string[] = [];
  const visit = (value: unknown, path: string) => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${path}/${i}`));
      return;
    }
    const seen = reads.get(value);
    if (!seen) return; // never descended into: a free-form object the schema does not describe
    for (const [key, v] of Object.entries(value)) {
      if (!seen.has(key)) unknown.push(`${path}/${key} is not a field of the schema`);
      else visit(v, `${path}/${key}`);
    }
  };
  visit(data, 'data');
  return unknown;
}

describe('validateStrict (the schema check itself)', () => {
  it('passes a valid object, and catches a wrong type, a bad enum and an unknown field', () => {
    const CronJob = modelFor('batch/v1', 'CronJob') as Validatable;
    const job = (container: Record<string, unknown>, policy = 'Forbid') => ({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'x', labels: { a: 'b' } },
      spec: {
        schedule: '* * * * *',
        concurrencyPolicy: policy,
        jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'i', ...container }] } } } },
      },
    });
    expect(validateStrict(CronJob, job({ resources: { limits: { cpu: '1', memory: '1Gi' } } }))).toEqual([]);
    expect(validateStrict(CronJob, job({}, 'Never')).join()).toContain('concurrencyPolicy');
    expect(validateStrict(CronJob, job({ resources: { limits: { cpu: 'lots' } } })).join()).toContain(
      'limits/cpu',
    );
    expect(validateStrict(CronJob, job({ securityContxt: { runAsNonRoot: true } }))).toEqual([
      'data/spec/jobTemplate/spec/template/spec/containers/0/securityContxt is not a field of the schema',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('every file in templates/', () => {
  it('parses, by its kind', async () => {
    const files = await walk(templates);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const name = rel(file);
      const text = await readFile(file, 'utf8');
      expect(text.trim(), `${name} is empty`).not.toBe('');
      if (/\.ya?ml$/.test(file)) {
        expect(yamlDocs(text, name).length, name).toBeGreaterThan(0);
      } else if (file.endsWith('.json')) {
        expect(() => JSON.parse(text), name).not.toThrow();
      } else if (file.endsWith('.liquid')) {
        // by the engine that renders them, without a file system
        expect(templateProblem({ file: name, text }), name).toBeNull();
      } else if (file.endsWith('.hcl')) {
        expect(hclProblems(text), name).toEqual([]);
        expect(policyRules(text).length, `${name} has no path rule`).toBeGreaterThan(0);
      } else if (file.endsWith('.sh')) {
        expect(text.startsWith('#!/bin/sh\n'), `${name} starts with #!/bin/sh`).toBe(true);
        expect((await stat(file)).mode & 0o111, `${name} is executable`).not.toBe(0);
        const r = await run('sh', ['-n', file]);
        expect(r.stderr, name).toBe('');
        expect(r.code, name).toBe(0);
      } else {
        throw new Error(`${name}: no syntax check for this kind of file; add one to this test`);
      }
    }
  });

  it('Kubernetes manifests are valid for their kinds, with no unknown field', async () => {
    const files = (await walk(templates)).filter((f) => /\.ya?ml$/.test(f));
    const checked: string[] = [];
    for (const file of files) {
      const name = rel(file);
      // CI pipelines (GitHub workflows, the GitLab component) are checked in their own tests.
      if (/^templates\/(workflows|gitlab)\//.test(name) || name.endsWith('/vault-rollout.yaml')) continue;
      const docs = yamlDocs(await readFile(file, 'utf8'), name) as { apiVersion?: string; kind?: string }[];
      docs.forEach((doc, i) => {
        expect(typeof doc?.apiVersion === 'string' && typeof doc.kind === 'string', `${name}#${i}`).toBe(true);
      });
      for (const [i, doc] of docs.entries()) {
        const id = `${name}#${i} ${doc.apiVersion} ${doc.kind}`;
        if (doc.kind === 'Kustomization') continue; // checked below
        if (CUSTOM_RESOURCES.has(`${doc.apiVersion} ${doc.kind}`)) continue; // no schema here: see below
        if (OPERATOR_RESOURCES.has(`${doc.apiVersion} ${doc.kind}`)) continue;
        const model = modelFor(doc.apiVersion as string, doc.kind as string);
        expect(model, `${id}: no schema for this kind`).toBeDefined();
        expect(validateStrict(model as Validatable, doc), id).toEqual([]);
        checked.push(`${name} ${doc.kind}`);
      }
    }
    expect(checked).toEqual(
      expect.arrayContaining([
        'templates/kubernetes/cronjob.yaml CronJob',
        'templates/kubernetes/serviceaccount.yaml ServiceAccount',
        'templates/kubernetes/secret.yaml Secret',
        'templates/kubernetes/namespace.yaml Namespace',
        'templates/kubernetes/watch/deployment.yaml Deployment',
        'templates/kubernetes/watch/service.yaml Service',
        'templates/examples/manifests/apps/payments/api.yaml Deployment',
      ]),
    );
  });
});

describe('templates/examples/manifests (the demo repository)', () => {
  it("holds custom resources of the tools vault-rollout reads, and discovery follows them", async () => {
    const dir = join(templates, 'examples', 'manifests');
    const files = await Promise.all(
      (await walk(dir)).map(async (f) => ({ path: relative(dir, f), text: await readFile(f, 'utf8') })),
    );
    const config = parseConfig(files.find((f) => f.path === 'vault-rollout.yaml')!.text, 'vault-rollout.yaml');
    const found = discover(files, config);
    expect(found.problems).toEqual([]);
    const checkout = found.workloads.find((w) => w.kind === 'HelmRelease' && w.name === 'checkout');
    expect(checkout?.chartValue).toBe('spec.values.podAnnotations');
    expect(checkout?.secrets).toEqual([
      expect.objectContaining({
        path: 'kv/payments/db',
        source: 'externalSecrets',
        via: 'ExternalSecret/checkout-db (apps/checkout/external-secret.yaml) → Secret/checkout-db → values database.existingSecret',
      }),
    ]);
    // each custom resource the schema test skips is really there (no stale exemption)
    const kinds = files.flatMap((f) =>
      f.path !== 'vault-rollout.yaml'
        ? (yamlDocs(f.text, f.path) as { apiVersion: string; kind: string }[]).map((d) => `${d.apiVersion} ${d.kind}`)
        : [],
    );
    expect([...CUSTOM_RESOURCES].filter((k) => !kinds.includes(k))).toEqual([]);
  });
});

describe('templates/kubernetes', () => {
  const load = async (file: string) => parse(await readFile(join(templates, 'kubernetes', file), 'utf8'));

  it('the kustomization lists every manifest of the folder', async () => {
    const k = await load('kustomization.yaml');
    const manifests = (await readdir(join(templates, 'kubernetes'), { withFileTypes: true }))
      .filter((f) => f.isFile() && f.name !== 'kustomization.yaml')
      .map((f) => f.name);
    expect([...k.resources].sort()).toEqual(manifests.sort());
  });

  it('the watch Deployment is hardened: one replica, probes on /healthz, limits, non-root, read-only root', async () => {
    const deployment = await load('watch/deployment.yaml');
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe((await load('serviceaccount.yaml')).metadata.name);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const [container] = pod.containers;
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.requests).toEqual({ cpu: "50m", memory: "128Mi" });
    expect(container.resources.limits).toEqual({ cpu: '1', memory: '1Gi' });
    expect(container.args.slice(0, 1)).toEqual(['watch']);
    expect(container.args.join(' ')).toMatch(/--repo https:\/\/\S+ .*--interval 60s --listen 0\.0\.0\.0:9102 --log-format json/);
    for (const probe of [container.livenessProbe, container.readinessProbe])
      expect(probe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: 9102, protocol: 'TCP' }]);
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }]);
    expect(container.envFrom).toEqual([{ secretRef: { name: (await load('secret.yaml')).metadata.name } }]);
    // The Service and the ServiceMonitor select the watcher's pods, by its port name.
    const service = await load('watch/service.yaml');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    const monitor = await load('watch/servicemonitor.yaml');
    expect(monitor.spec.selector.matchLabels).toEqual(service.metadata.labels);
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    const k = await load('watch/kustomization.yaml');
    expect(k.resources).toEqual(['deployment.yaml', 'service.yaml']);
  });

  it('the CronJob is hardened: one run at a time, limits, non-root, read-only root, /tmp on an emptyDir', async () => {
    const cron = await load('cronjob.yaml');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe((await load('serviceaccount.yaml')).metadata.name);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const [container] = pod.containers;
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.limits).toEqual({ cpu: '1', memory: '1Gi' });
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }]);
    expect(container.args.slice(0, 1)).toEqual(['apply']);
    expect(container.args.join(' ')).toMatch(/--repo https:\/\/\S+ .*--log-format json/);
    expect(container.env.map((e: { name: string }) => e.name)).toEqual(['VAULT_ADDR', 'VAULT_AUTH_METHOD', 'VAULT_AUTH_ROLE', 'TMPDIR']);
    expect(container.envFrom).toEqual([{ secretRef: { name: (await load('secret.yaml')).metadata.name } }]);
  });

  it('the Secret holds placeholders only', async () => {
    const secret = await load('secret.yaml');
    expect(secret.data).toBeUndefined();
    expect(secret.stringData).toEqual({ GIT_TOKEN: 'REPLACE_WITH_A_TOKEN' });
  });
});

describe('templates/vault', () => {
  it('the policy grants read on KV v2 metadata and nothing on data', async () => {
    const rules = policyRules(await readFile(join(templates, 'vault/policy.hcl'), 'utf8'));
    expect(rules).toEqual([
      { path: '+/metadata/*', capabilities: ['read'] },
      { path: 'auth/token/lookup-self', capabilities: ['read'] },
      { path: 'auth/token/revoke-self', capabilities: ['update'] },
    ]);
    expect(rules.some((r) => r.path.includes('/data/'))).toBe(false);
  });

  it('the auth scripts bind the role to the CronJob and to the workflow', async () => {
    const k8s = await readFile(join(templates, 'vault/kubernetes-auth.sh'), 'utf8');
    expect(k8s).toContain('vault write "auth/$MOUNT/role/vault-rollout"');
    expect(k8s).toContain('MOUNT=kubernetes ');
    expect(k8s).toContain('bound_service_account_names="$SERVICE_ACCOUNT"');
    expect(k8s).toContain('NAMESPACE=vault-rollout ');
    const jwt = await readFile(join(templates, 'vault/github-jwt.sh'), 'utf8');
    expect(jwt).toContain('"bound_audiences": ["$AUDIENCE"]');
    expect(jwt).toContain('"repository": "$REPOSITORY"');
    const workflow = parse(await readFile(join(templates, 'workflows/vault-rollout.yml'), 'utf8'));
    const step = workflow.jobs.rollout.steps.find((s: { id?: string }) => s.id === 'vault-rollout');
    expect(jwt).toContain(`AUDIENCE=${step.with['jwt-audience']} `);
    expect(jwt).toContain('WORKFLOW=.github/workflows/vault-rollout.yml\n');
  });
});

describe('action.yml and the workflow template', () => {
  it('action.yml has SPEC\'s inputs and outputs and runs dist/index.js on node24', async () => {
    const action = parse(await readFile(join(root, 'action.yml'), 'utf8'));
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(Object.keys(action.inputs)).toEqual([
      'repo',
      'mode',
      'base',
      'branch',
      'config',
      'dry-run',
      'environment',
      'vault-address',
      'vault-namespace',
      'vault-auth',
      'vault-role',
      'vault-token',
      'vault-auth-path',
      'vault-ca-cert',
      'vault-skip-verify',
      'jwt-audience',
      'labels',
      'reviewers',
      'draft',
      'fail-on-blocked',
      'github-token',
    ]);
    expect(action.inputs['fail-on-blocked'].default).toBe('true');
    expect(action.inputs.mode.default).toBe('pr');
    expect(action.inputs['github-token'].default).toBe('${{ github.token }}');
    expect(Object.keys(action.outputs)).toEqual([
      'changed',
      'restarts',
      'blocked',
      'commit-sha',
      'pull-request-number',
      'pull-request-url',
      'pull-request-operation',
      'plan',
    ]);
    for (const input of Object.values(action.inputs) as { description: string }[]) {
      expect(input.description.length).toBeGreaterThan(10);
    }
    await stat(join(root, 'dist/index.js'));
  });

  it('the workflow runs on a schedule and by hand, with only the permissions it needs', async () => {
    const action = parse(await readFile(join(root, 'action.yml'), 'utf8'));
    const workflow = parse(await readFile(join(templates, 'workflows/vault-rollout.yml'), 'utf8'));
    expect(Object.keys(workflow.on)).toEqual(['schedule', 'workflow_dispatch']);
    expect(workflow.permissions).toEqual({});
    const job = workflow.jobs.rollout;
    expect(job.permissions).toEqual({ contents: 'write', 'pull-requests': 'write', 'id-token': 'write' });
    const step = job.steps.find((s: { id?: string }) => s.id === 'vault-rollout');
    expect(step.with['vault-auth']).toBe('jwt');
    expect(Object.keys(step.with).filter((k) => !(k in action.inputs))).toEqual([]);
    expect(step.with['vault-token']).toBeUndefined();
    expect(job.steps[0].uses).toMatch(/^actions\/checkout@/);
  });
});

/** README.md and every page of docs/, as one text: a snippet or an example may sit in either. */
async function readmeAndDocs(): Promise<string> {
  const docs = (await readdir(join(root, 'docs'))).filter((f) => f.endsWith('.md')).sort();
  const texts = [await readFile(join(root, 'README.md'), 'utf8')];
  for (const f of docs) texts.push(await readFile(join(root, 'docs', f), 'utf8'));
  return texts.join('\n');
}

describe('README and docs/', () => {
  it("docs/action.md lists the Action's inputs and outputs as action.yml declares them, in order", async () => {
    const section = await readFile(join(root, 'docs/action.md'), 'utf8');
    const action = parse(await readFile(join(root, 'action.yml'), 'utf8'));
    /** First-column names of the table whose header starts with `| <first> |`. */
    const column = (first: string): string[] => {
      const start = section.indexOf(`| ${first} |`);
      expect(start, `docs/action.md table "${first}"`).toBeGreaterThan(0);
      const rows = section.slice(start).split('\n').slice(2);
      const names: string[] = [];
      for (const row of rows) {
        if (!row.startsWith('|')) break;
        const cell = row.split(' | ')[0]!.replace(/^\|\s*/, '');
        names.push(...[...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string));
      }
      return names;
    };
    expect(column('input')).toEqual(Object.keys(action.inputs));
    expect(column('output')).toEqual(Object.keys(action.outputs));
    // a default that action.yml declares is the one docs/action.md shows
    const defaults = section.slice(section.indexOf('| input |')).split('\n');
    for (const [name, input] of Object.entries(action.inputs) as [string, { default?: string }][]) {
      if (input.default === undefined) continue;
      const row = defaults.find((r) => r.startsWith(`| \`${name}\` |`)) ?? '';
      expect(row, name).toContain(`\`${input.default}\``);
    }
  });

  it('shows each template exactly as the file holds it', async () => {
    const readme = await readmeAndDocs();
    const snippets = [...readme.matchAll(/<!-- file: (\S+) -->\n+(`{3,})[^\n]*\n([\s\S]*?)\n\2\n/g)];
    const shown = new Map(snippets.map((m) => [m[1] as string, m[3] as string]));
    for (const [file, text] of shown) {
      expect(`${text}\n`, `snippet of ${file}`).toBe(await readFile(join(root, file), 'utf8'));
    }
    const required = (await walk(templates))
      .map(rel)
      .filter((f) => /^templates\/(kubernetes|vault|workflows)\//.test(f));
    expect(required.filter((f) => !shown.has(f))).toEqual([]);
  });

  it('shows config examples that the config parser accepts', async () => {
    // docs/configuration.md's examples are checked by test/docs/docs.test.ts
    const pages = ['README.md', 'docs/sources.md', 'docs/kustomize.md'];
    const readme = (await Promise.all(pages.map((f) => readFile(join(root, f), 'utf8')))).join('\n');
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)\n```/g)]
      .map((m) => m[1] as string)
      .filter((b) => /^(vault|rules):/m.test(b) && !b.includes('kind:\n') && !/^apiVersion:/m.test(b));
    // the README's configuration, the Helm-based apps rules and the environments
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) expect(() => parseConfig(block, 'README.md')).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------------------
// The container image, checked without a Docker engine

describe('Dockerfile', () => {
  let stages: Stage[];
  let final: Stage;
  beforeAll(async () => {
    stages = dockerStages(await readFile(join(root, 'Dockerfile'), 'utf8'));
    final = stages.at(-1) as Stage;
  });
  const instr = instructions;

  it('builds in one Node 24 stage and runs in another, non-root, entry `vault-rollout apply`', () => {
    expect(stages.map((s) => s.from)).toEqual(['node:24-bookworm-slim', 'node:24-bookworm-slim']);
    const build = stages[0] as Stage;
    expect(instr(build, 'RUN')).toEqual(['npm ci --ignore-scripts --no-audit --no-fund', 'node scripts/build.mjs']);
    expect(instr(final, 'USER')).toEqual(['10001:10001']);
    expect(instr(final, 'ENTRYPOINT')).toEqual(['["node", "/app/dist/cli.js"]']);
    expect(instr(final, 'CMD')).toEqual(['["apply"]']);
    expect(stageEnv(final)).toEqual({
      NODE_ENV: 'production',
      NODE_OPTIONS: '--disable-warning=DEP0169',
      TMPDIR: '/tmp',
    });
    // Debian's git (driven by the Git adapter), then nothing but the bundle, the templates and package.json
    expect(instr(final, 'RUN')[0]?.replace(/\s+/g, ' ')).toMatch(/^apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf \/var\/lib\/apt\/lists\/\*$/);
    expect(instr(final, 'COPY')).toEqual([
      'package.json ./',
      'templates/ templates/',
      `--from=${build.name} /src/dist/cli.js /src/dist/chunk-*.js dist/`,
    ]);
    expect(final.lines.join('\n')).not.toMatch(/node_modules/);
  });

  it('copies only files that exist, and .dockerignore keeps them', async () => {
    const ignore = (await readFile(join(root, '.dockerignore'), 'utf8'))
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    for (const stage of stages) {
      for (const copy of instr(stage, 'COPY').filter((c) => !c.startsWith('--from'))) {
        const sources = copy.split(/\s+/).slice(0, -1);
        for (const source of sources) {
          await stat(join(root, source));
          expect(ignore.filter((pattern) => source.replace(/\/$/, '').startsWith(pattern)), source).toEqual([]);
        }
      }
    }
  });

  it('only the Git adapter starts processes, and only through spawn without a shell', async () => {
    const sources = (await walk(join(root, 'src'))).filter((f) => !rel(f).startsWith('src/dev/'));
    for (const file of sources) {
      const text = await readFile(file, 'utf8');
      if (rel(file) === 'src/adapters/git/exec.ts') {
        // spawn (not execFile) so that a deadline can kill git's whole process group.
        expect(text).toMatch(/import \{ spawn \} from 'node:child_process'/);
        expect(text).not.toMatch(/shell:/);
      } else {
        expect(text, rel(file)).not.toMatch(/node:child_process|['"]child_process['"]/);
      }
    }
  });
});

describe("the image's entry, run as the image runs it", () => {
  let tmp: string;
  let app: string;
  let cwd: string;
  let tmpDir: string;
  // Root can write anywhere, so when the tests run as root, run the entry as the image's user 10001.
  const asUser = process.getuid?.() === 0 ? { uid: 10001, gid: 10001 } : {};

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'vr-image-'));
    await chmod(tmp, 0o755);
    app = join(tmp, 'app');
    // The final stage's COPY lines: package.json, templates/, dist/cli.js and its chunks
    await cp(join(root, 'package.json'), join(app, 'package.json'));
    await cp(templates, join(app, 'templates'), { recursive: true });
    await copyCliBundle(root, app);
    cwd = join(tmp, 'workdir');
    await mkdir(cwd);
    tmpDir = join(tmp, 'tmp');
    await mkdir(tmpDir);
    await chmod(tmpDir, 0o1777);
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  // The final stage's ENV, with TMPDIR on the test's emptyDir stand-in.
  const imageEnv = async () => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: '/nonexistent',
    ...stageEnv(dockerStages(await readFile(join(root, 'Dockerfile'), 'utf8')).at(-1) as Stage),
    TMPDIR: tmpDir,
  });

  it('`node /app/dist/cli.js --help` and `apply --help` work from another folder, with no home', async () => {
    const help = await run(process.execPath, [join(app, 'dist/cli.js'), '--help'], {
      cwd,
      env: await imageEnv(),
      ...asUser,
    });
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^\s+apply\b/m);
    const apply = await run(process.execPath, [join(app, 'dist/cli.js'), 'apply', '--help'], {
      cwd,
      env: await imageEnv(),
      ...asUser,
    });
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('--log-format <format>');
  });
});
