/**
 * Runs the built Action entry (dist/index.js) the way the GitHub runner does: `node dist/index.js` with one
 * `INPUT_<NAME>` variable per input (upper-cased, dashes kept: `INPUT_DRY-RUN`), the action.yml defaults
 * filled in, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, GITHUB_WORKSPACE as the working directory and
 * RUNNER_TEMP. Spawned asynchronously: the test servers answer from this process.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const entry = join(root, 'dist/index.js');

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** GITHUB_OUTPUT, parsed. */
  outputs: Record<string, string>;
  /** GITHUB_STEP_SUMMARY's content. */
  summary: string;
}

/** GITHUB_OUTPUT as core.setOutput writes it: `name<<ghadelimiter_<uuid>\nvalue\nghadelimiter_<uuid>\n`. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([\w-]+)<<(ghadelimiter_[0-9a-f-]+)\n([\s\S]*?)\n\2\n/gm;
  for (const m of text.matchAll(re)) out[m[1] as string] = m[3] as string;
  return out;
}

let runs = 0;

/**
 * @param inputs named as in action.yml
 * @param opts.tmp a folder for this run's files; `workspace` defaults to an empty folder in it
 * @param opts.githubToken the `github-token` default (`${{ github.token }}`)
 */
export async function runActionEntry(
  inputs: Record<string, string>,
  opts: { tmp: string; githubToken: string; workspace?: string; env?: Record<string, string> },
): Promise<ActionRun> {
  const dir = join(opts.tmp, `run-${++runs}`);
  await mkdir(dir, { recursive: true });
  const workspace = opts.workspace ?? join(dir, 'workspace');
  await mkdir(workspace, { recursive: true });
  const outputFile = join(dir, 'github_output');
  const summaryFile = join(dir, 'step_summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(dir, 'no-home'), // never created: the Action must not need a home folder
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_REPOSITORY: 'example-org/manifests',
    RUNNER_TEMP: dir,
    TMPDIR: dir,
    // action.yml defaults, as the runner fills them in
    INPUT_MODE: 'pr',
    'INPUT_DRY-RUN': 'false',
    'INPUT_GITHUB-TOKEN': opts.githubToken,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...opts.env,
  };
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (done, fail) => {
      const child = spawn(process.execPath, [entry], { cwd: workspace, env });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', fail);
      child.on('close', (c) => done({ code: c, stdout: out, stderr: err }));
    },
  );
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
  };
}

/** Each token (and its Basic-auth base64 form) is announced with ::add-mask:: and printed nowhere else. */
export function expectMasked(run: ActionRun, tokens: string[]): void {
  for (const token of tokens) {
    const forms = [token, Buffer.from(`x-access-token:${token}`).toString('base64')];
    for (const form of forms) {
      expect(run.stdout).toContain(`::add-mask::${form}\n`);
      const leaks = `${run.stdout}\n${run.stderr}`
        .split('\n')
        .filter((line) => line.includes(form) && line !== `::add-mask::${form}`);
      expect(leaks).toEqual([]);
    }
  }
}
