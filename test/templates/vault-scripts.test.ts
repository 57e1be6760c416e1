/**
 * The setup scripts in templates/vault/ run against a stand-in `vault` on PATH that logs every call and
 * answers `vault auth list -format=json` with the mounts a test chooses. A script may enable and configure
 * an auth mount only when it created it: a mount that is already enabled may carry other clients' logins
 * (External Secrets, the Agent injector), and rewriting its config would break them.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const folder = resolve(dirname(fileURLToPath(import.meta.url)), '../../templates/vault');
const scripts = (await readdir(folder)).filter((f) => f.endsWith('.sh')).sort();

// One line per call, the arguments separated by tabs; `auth list` prints the file the test wrote; a call
// with `-` as its data reads stdin, as the real CLI does.
const STAND_IN = `#!/bin/sh
log=""
for arg in "$@"; do log="$log$(printf '%s\\t' "$arg")"; done
printf '%s\\n' "$log" >> "$VAULT_STUB_LOG"
case " $* " in
  *" - "*) cat > /dev/null ;;
esac
if [ "$1" = auth ] && [ "$2" = list ]; then cat "$VAULT_STUB_MOUNTS"; fi
exit 0
`;

let bin: string;
beforeAll(async () => {
  bin = await mkdtemp(join(tmpdir(), 'vault-stand-in-'));
  await writeFile(join(bin, 'vault'), STAND_IN);
  await chmod(join(bin, 'vault'), 0o755);
});
afterAll(async () => {
  await rm(bin, { recursive: true, force: true });
});

/** `vault auth list -format=json` as Vault prints it: one key per mount path, with its trailing slash. */
function authList(mounts: string[]): string {
  const entries: Record<string, unknown> = {
    'token/': { type: 'token', description: 'token based credentials', accessor: 'auth_token_1' },
  };
  for (const mount of mounts) entries[`${mount}/`] = { type: mount, description: '', accessor: `auth_${mount}_2` };
  return JSON.stringify(entries, null, 2);
}

async function runScript(
  script: string,
  mounts: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; calls: string[][] }> {
  const log = join(bin, `${script}.${mounts.length}.log`);
  const listing = join(bin, `${script}.${mounts.length}.json`);
  await writeFile(log, '');
  await writeFile(listing, authList(mounts));
  const env = {
    ...process.env,
    PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
    VAULT_STUB_LOG: log,
    VAULT_STUB_MOUNTS: listing,
  };
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn('sh', [join(folder, script)], { cwd: folder, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
  const calls = (await readFile(log, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/\t$/, '').split('\t'));
  return { ...result, calls };
}

/** The mount paths a script enabled (`auth enable -path=X type`, or `auth enable type` at its default path). */
function enabled(calls: string[][]): string[] {
  return calls
    .filter((c) => c[0] === 'auth' && c[1] === 'enable')
    .map((c) => {
      const flag = c.find((a) => a.startsWith('-path='));
      return flag ? flag.slice('-path='.length) : (c[c.length - 1] as string);
    });
}

const configWrites = (calls: string[][]) =>
  calls.filter((c) => c[0] === 'write' && /^auth\/[^/]+\/config$/.test(c[1] ?? '')).map((c) => c[1]);

describe.each(scripts)('templates/vault/%s', (script) => {
  it('enables and configures its auth mount when the mount is absent', async () => {
    const run = await runScript(script, []);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.calls[0]?.slice(0, 3)).toEqual(['policy', 'write', 'vault-rollout']);
    const mounts = enabled(run.calls);
    expect(mounts).toHaveLength(1);
    const mount = mounts[0] as string;
    expect(configWrites(run.calls)).toEqual([`auth/${mount}/config`]);
    // It looked before it enabled, and configured after.
    const index = (pred: (c: string[]) => boolean) => run.calls.findIndex(pred);
    const list = index((c) => c[0] === 'auth' && c[1] === 'list');
    const enable = index((c) => c[0] === 'auth' && c[1] === 'enable');
    const config = index((c) => c[1] === `auth/${mount}/config`);
    expect(list).toBeGreaterThanOrEqual(0);
    expect(list).toBeLessThan(enable);
    expect(enable).toBeLessThan(config);
    expect(run.calls.some((c) => c[0] === 'write' && c[1] === `auth/${mount}/role/vault-rollout`)).toBe(true);
  });

  it('leaves an auth mount that is already enabled alone, and says what it would have set', async () => {
    const absent = await runScript(script, []);
    const mount = enabled(absent.calls)[0] as string;
    const run = await runScript(script, [mount]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(enabled(run.calls)).toEqual([]);
    expect(configWrites(run.calls)).toEqual([]);
    expect(run.stdout).toContain(`auth/${mount}/ is already enabled`);
    expect(run.stdout).toContain(`vault write auth/${mount}/config `);
    // The role is vault-rollout's own: it is still written, on the existing mount.
    expect(run.calls.some((c) => c[0] === 'write' && c[1] === `auth/${mount}/role/vault-rollout`)).toBe(true);
  });

  it('stops when the mounts cannot be listed, rather than guessing', async () => {
    // A `vault` that fails every call: `set -eu` must stop the script before anything is enabled.
    const failing = await mkdtemp(join(tmpdir(), 'vault-failing-'));
    try {
      await writeFile(join(failing, 'vault'), '#!/bin/sh\necho "$*" >> "$VAULT_STUB_LOG"\n[ "$1" = policy ] && exit 0\nexit 2\n');
      await chmod(join(failing, 'vault'), 0o755);
      const log = join(failing, 'log');
      await writeFile(log, '');
      const code = await new Promise<number | null>((done, fail) => {
        const child = spawn('sh', [join(folder, script)], {
          cwd: folder,
          env: { ...process.env, PATH: `${failing}${delimiter}${process.env.PATH ?? ''}`, VAULT_STUB_LOG: log },
          stdio: 'ignore',
        });
        child.on('error', fail);
        child.on('close', done);
      });
      expect(code).not.toBe(0);
      const calls = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
      expect(calls.some((c) => c.startsWith('auth enable') || c.startsWith('write '))).toBe(false);
    } finally {
      await rm(failing, { recursive: true, force: true });
    }
  });
});

it('finds the setup scripts', () => {
  expect(scripts).toEqual(expect.arrayContaining(['github-jwt.sh', 'kubernetes-auth.sh']));
});
