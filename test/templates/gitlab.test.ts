/**
 * templates/gitlab: the CI/CD component parses as GitLab reads it (two YAML documents: `spec`, then the
 * job), every input it declares is used and documented in docs/gitlab.md's table (and nothing else is),
 * its script is valid sh, and the example pipeline includes it with known inputs and runs the built CLI's
 * `validate` (build first: `npm run build`).
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

import { cliPath, repoRoot } from '../support/run-cli.js';

const COMPONENT = join(repoRoot, 'templates/gitlab/templates/vault-rollout.yml');
const EXAMPLE = join(repoRoot, 'templates/gitlab/.gitlab-ci.yml');
const IMAGE_CLI = 'node /app/dist/cli.js';

interface Input {
  default?: unknown;
  description?: string;
  options?: unknown[];
  type?: string;
}
interface Job {
  image: { name: string; entrypoint: string[] };
  rules: unknown;
  id_tokens: Record<string, { aud: string }>;
  variables: Record<string, string>;
  script: string[];
}

function sh(script: string, cwd: string, args: string[] = ['-c']): Promise<{ code: number | null; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn('sh', [...args, script], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmpdir() },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out }));
  });
}

let text: string;
let inputs: Record<string, Input>;
let job: Job;

beforeAll(async () => {
  text = await readFile(COMPONENT, 'utf8');
  const docs = parseAllDocuments(text);
  expect(docs.map((d) => d.errors.map(String)).flat()).toEqual([]);
  expect(docs).toHaveLength(2);
  const spec = docs[0]!.toJS() as { spec: { inputs: Record<string, Input> } };
  expect(Object.keys(spec)).toEqual(['spec']);
  inputs = spec.spec.inputs;
  const jobs = docs[1]!.toJS() as Record<string, Job>;
  expect(Object.keys(jobs)).toEqual(['vault-rollout']);
  job = jobs['vault-rollout']!;
});

describe('the GitLab CI/CD component', () => {
  it('logs in to Vault with the job ID token, audience = the Vault address, through JWT auth', () => {
    expect(job.id_tokens).toEqual({ VAULT_ID_TOKEN: { aud: '$[[ inputs.vault-address ]]' } });
    expect(job.variables).toMatchObject({
      VAULT_ADDR: '$[[ inputs.vault-address ]]',
      VAULT_AUTH_METHOD: 'jwt',
      VAULT_AUTH_ROLE: '$[[ inputs.vault-auth-role ]]',
      VAULT_AUTH_MOUNT: '$[[ inputs.vault-auth-mount ]]',
    });
    expect(job.script.join('\n')).toContain('export VAULT_JWT="$VAULT_ID_TOKEN"');
    expect(job.image.entrypoint).toEqual(['']);
    expect(job.rules).toBe('$[[ inputs.rules ]]');
    // The policy note: metadata only.
    expect(text).toContain('+/metadata/*');
  });

  it('uses every input it declares, and only those', () => {
    const used = new Set([...text.matchAll(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(Object.keys(inputs).sort());
    expect(inputs['mode']?.options).toEqual(['pr', 'commit']);
    expect(inputs['vault-address']).not.toHaveProperty('default');
  });

  it("matches docs/gitlab.md's table of inputs: names and defaults", async () => {
    const doc = await readFile(join(repoRoot, 'docs/gitlab.md'), 'utf8');
    const table = doc.slice(doc.indexOf('| input '));
    const rows = [...table.matchAll(/^\| `([\w-]+)` +\| ([^|]+?) +\|/gm)].map((m) => [m[1]!, m[2]!] as const);
    expect(rows.map(([name]) => name).sort()).toEqual(Object.keys(inputs).sort());
    for (const [name, shown] of rows) {
      const input = inputs[name]!;
      if (!('default' in input)) expect(shown, name).toBe('(required)');
      else if (Array.isArray(input.default)) expect(shown, name).not.toMatch(/^`/);
      else expect(shown, name).toBe(`\`${input.default === '' ? '""' : String(input.default)}\``);
    }
  });

  it('has a script that is valid sh and runs the CLI of the image', async () => {
    const script = job.script.join('\n');
    const r = await sh(script, tmpdir(), ['-n', '-c']);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
    expect(script).toContain(`${IMAGE_CLI} "$@" --format json`);
    expect(script).toContain('--forge gitlab');
  });
});

describe('the example pipeline (templates/gitlab/.gitlab-ci.yml)', () => {
  let dir: string;
  let example: {
    include: { component: string; inputs: Record<string, unknown> }[];
    'vault-rollout-config': { script: string[] };
  };
  beforeAll(async () => {
    example = parse(await readFile(EXAMPLE, 'utf8')) as typeof example;
    dir = await mkdtemp(join(tmpdir(), 'vr-gitlab-ci-'));
    await cp(join(repoRoot, 'templates/examples/manifests'), dir, { recursive: true });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('includes the component with inputs it declares, the required ones given', () => {
    const [include] = example.include;
    expect(include!.component).toMatch(/\/vault-rollout@[\w.]+$/);
    const given = Object.keys(include!.inputs);
    expect(given.filter((k) => !(k in inputs))).toEqual([]);
    const required = Object.entries(inputs).filter(([, i]) => !('default' in i)).map(([k]) => k);
    expect(required.filter((k) => !given.includes(k))).toEqual([]);
  });

  it("runs the built CLI's validate: 0 on the example config, 1 on a broken one", async () => {
    const script = example['vault-rollout-config'].script.join('\n');
    expect(script).toContain(`${IMAGE_CLI} validate`);
    const local = script.replaceAll(IMAGE_CLI, `"${process.execPath}" "${cliPath}"`);
    const ok = await sh(local, dir);
    expect(ok.out).toMatch(/vault-rollout\.yaml/);
    expect(ok.code, ok.out).toBe(0);

    await writeFile(join(dir, 'vault-rollout.yaml'), 'incude: ["apps/**"]\n');
    const bad = await sh(local, dir);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('incude');
  });
});
