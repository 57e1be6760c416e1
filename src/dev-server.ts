/**
 * `dev-server`: the local Vault-compatible dev server (src/dev/vault-dev-server.ts) as a command, so a
 * person can try vault-rollout on their own repository without a Vault: it seeds the secrets their
 * manifests name, prints the `export VAULT_ADDR=... VAULT_TOKEN=...` lines, and runs until Ctrl-C or
 * SIGTERM. It stores no secret value: a write only makes a new version, which is all vault-rollout reads.
 *
 * `dev-server put kv/app/db` rotates a secret on a running server (VAULT_ADDR / VAULT_TOKEN): the same
 * `POST /v1/<mount>/data/<path>` that `vault kv put` sends.
 *
 * @example
 * node dist/cli.js dev-server --seed kv/app/db@3,kv/app/api
 * node dist/cli.js dev-server put kv/app/db
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, VaultError } from './core/errors.js';
import { cleanSecretPath, secretPathProblem } from './core/secret-path.js';
import { startVaultDevServer, type VaultDevServer } from './dev/vault-dev-server.js';
import type { Env } from './run.js';

/** One `--seed` entry: the secret at `mount/path` starts at `version`. */
export interface SeedEntry {
  mount: string;
  path: string;
  version: number;
}

/**
 * Parses seeds: `kv/app/db@3` entries separated by commas, spaces or newlines (`#` starts a comment), a
 * missing `@N` meaning version 1; or a JSON object `{ "kv/app/db": 3 }`. The first segment is the mount.
 * @throws ConfigError naming the entry that is not `mount/path[@version]`.
 */
export function parseSeed(text: string): SeedEntry[] {
  const trimmed = text.trim();
  let pairs: [string, unknown][];
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (err) {
      throw new ConfigError(`--seed: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    pairs = Object.entries(json as Record<string, unknown>);
  } else {
    pairs = trimmed
      .split('\n')
      .map((line) => line.replace(/#.*$/, ''))
      .join(' ')
      .split(/[\s,]+/)
      .filter((e) => e !== '')
      .map((entry): [string, unknown] => {
        const at = entry.lastIndexOf('@');
        return at === -1 ? [entry, 1] : [entry.slice(0, at), Number(entry.slice(at + 1))];
      });
  }
  return pairs.map(([raw, version]) => {
    const path = cleanSecretPath(raw).replace(/^([^/]+)\/(data|metadata)\//, '$1/');
    const problem = secretPathProblem(path);
    if (problem) throw new ConfigError(`--seed: "${raw}" is not a secret path: ${problem}`);
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > 1000)
      throw new ConfigError(`--seed: the version of "${raw}" must be a whole number from 1 to 1000`);
    const slash = path.indexOf('/');
    return { mount: path.slice(0, slash), path: path.slice(slash + 1), version };
  });
}

/** `--seed VALUE`: a file holding seeds, else the seeds themselves. */
export function readSeed(value: string, cwd: string): SeedEntry[] {
  const file = resolve(cwd, value);
  return parseSeed(existsSync(file) ? readFileSync(file, 'utf8') : value);
}

export interface DevServerOptions {
  seed?: string | undefined;
  port?: number | undefined;
  /** Root token; random by default. */
  token?: string | undefined;
}

/** Starts the dev server with the seeds' mounts (and `kv`, `secret`) and the seeded versions. */
export async function startSeededServer(
  seeds: readonly SeedEntry[],
  opts: DevServerOptions,
): Promise<VaultDevServer> {
  const mounts = [...new Set(['kv', 'secret', ...seeds.map((s) => s.mount)])];
  const server = await startVaultDevServer({
    mounts: mounts.map((path) => ({ path, version: 2 })),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.token ? { rootToken: opts.token } : {}),
  });
  for (const s of seeds) for (let i = 0; i < s.version; i++) server.kv.write(s.mount, s.path);
  return server;
}

/**
 * Seeds the banner names; a seed file of a whole repository may hold thousands, which would make one
 * enormous line that pushes the exports out of sight.
 */
const SEEDS_LISTED = 10;

/** `Seeded: kv/app/db v3, kv/app/api v1`, at most {@link SEEDS_LISTED} of them, then how many more. */
function seededLine(seeds: readonly SeedEntry[]): string {
  if (seeds.length === 0) return 'Seeded: nothing (pass --seed kv/app/db@3,kv/app/api)';
  const listed = seeds.slice(0, SEEDS_LISTED).map((s) => `${s.mount}/${s.path} v${s.version}`);
  const more = seeds.length - listed.length;
  return `Seeded: ${listed.join(', ')}${more > 0 ? `, … and ${more} more` : ''}`;
}

/** Shell-quotes a value for the printed commands. */
const sh = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

/** What the command prints once the server listens: the exports, the seeds, how to rotate, how to stop. */
export function devServerBanner(
  server: VaultDevServer,
  seeds: readonly SeedEntry[],
  cli = 'vault-rollout',
): string {
  const example = seeds[0] ? `${seeds[0].mount}/${seeds[0].path}` : 'kv/app/db';
  const [mount, ...rest] = example.split('/');
  return [
    `Vault-compatible dev server listening on ${server.url} (KV v2 metadata only: it keeps no secret value).`,
    '',
    'In another terminal:',
    `export VAULT_ADDR=${sh(server.url)} VAULT_TOKEN=${sh(server.rootToken)}`,
    '',
    seededLine(seeds),
    '',
    'Try vault-rollout on your repository:',
    `  ${cli} status --repo .`,
    `  ${cli} apply  --repo . --dry-run`,
    `Rotate a secret (a new version), then plan again:`,
    `  ${cli} dev-server put ${example}`,
    `  curl -sS -X POST -H "X-Vault-Token: $VAULT_TOKEN" -d '{"data":{}}' "$VAULT_ADDR/v1/${mount}/data/${rest.join('/')}"`,
    '',
    'Ctrl-C stops the server.',
    '',
  ].join('\n');
}

/**
 * Runs the server until `stopped` resolves (the CLI passes the first SIGINT or SIGTERM), then closes it.
 * @returns 0
 */
export async function devServerCommand(
  opts: DevServerOptions,
  io: {
    stdout: (t: string) => void;
    stderr: (t: string) => void;
    cwd: string;
    stopped: Promise<string>;
    /** How the reader runs this CLI, for the printed commands (`npx vault-rollout`, `node dist/cli.js`). */
    cli?: string;
  },
): Promise<number> {
  const seeds = opts.seed ? readSeed(opts.seed, io.cwd) : [];
  const server = await startSeededServer(seeds, opts);
  io.stdout(devServerBanner(server, seeds, io.cli));
  const signal = await io.stopped;
  await server.close();
  const reads = server.requests.filter((r) => /^\/v1\/[^?]+\/metadata\//.test(r.path)).length;
  // The log keeps the last requests only (a server left running for days stays small).
  const recent =
    server.requestCount > server.requests.length ? ` (of the last ${server.requests.length})` : '';
  io.stderr(
    `dev-server: ${signal}: stopped after ${server.requestCount} request(s), ${reads} metadata read(s)${recent}.\n`,
  );
  return 0;
}

/**
 * `dev-server put mount/path`: one new version on the server VAULT_ADDR names, with VAULT_TOKEN.
 * @returns the new version
 */
export async function putSecret(secret: string, env: Env, fetchFn: typeof fetch = fetch): Promise<number> {
  const [entry] = parseSeed(secret);
  if (!entry) throw new ConfigError('dev-server put: name a secret, e.g. kv/app/db');
  const address = env.VAULT_ADDR?.trim();
  const token = env.VAULT_TOKEN?.trim();
  if (!address || !token)
    throw new VaultError(
      'dev-server put: set VAULT_ADDR and VAULT_TOKEN (the export line dev-server printed)',
      {
        variable: address ? 'VAULT_TOKEN' : 'VAULT_ADDR',
      },
    );
  const url = `${address.replace(/\/+$/, '')}/v1/${entry.mount}/data/${entry.path}`;
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: 'POST',
      headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
      body: '{"data":{}}',
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new VaultError(
      `dev-server put: Vault at "${address}" did not answer (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  const body = (await res.json().catch(() => null)) as { data?: { version?: unknown } } | null;
  const version = body?.data?.version;
  if (!res.ok || typeof version !== 'number')
    throw new VaultError(
      `dev-server put: Vault at "${address}" answered HTTP ${res.status} for ${entry.mount}/${entry.path}`,
    );
  return version;
}
