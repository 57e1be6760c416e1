/**
 * The Vault adapter: reads KV v2 **metadata** (never values) through node-vault and turns each answer
 * into a `SecretStatus`. It throws `VaultError` only for run-level failures (unreachable after retries,
 * sealed, login failed, token invalid); every per-secret outcome is a status.
 */
import { readFile } from 'node:fs/promises';
import type nodeVault from 'node-vault';
import { VaultError } from '../../core/errors.js';
import { forgetSecret, registerSecret } from '../../log.js';
import type { SecretStatus } from '../../core/model.js';
import { silentLogger, type Clock, type Logger, type SecretReader } from '../../core/ports.js';
import {
  cleanSecretPath,
  normalizeSecretPath,
  splitAtMount,
  unsafePathProblem,
  vaultNamespaceProblem,
} from '../../core/secret-path.js';
import type { VaultAuth, VaultReaderOptions } from './options.js';
import { createTransport, TransportError, type Transport } from './transport.js';

/** Total deadline of one Vault request, when the config sets none. */
export const DEFAULT_DEADLINE_MS = 30_000;
/** Largest Vault answer accepted, when the config sets none: metadata answers are a few KiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export const DEFAULT_KUBERNETES_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Request counters, for logs and tests. */
export interface VaultReaderStats {
  /** HTTP requests sent, retries and login included. */
  requests: number;
  /** `sys/internal/ui/mounts/...` lookups (logical, not counting retries). */
  detections: number;
  /** `<mount>/metadata/<path>` reads (logical, not counting retries). */
  metadataReads: number;
  retries: number;
}

export interface VaultReader extends SecretReader {
  /** Revokes a token this reader obtained by logging in (best effort), then frees sockets. */
  close(): Promise<void>;
  readonly stats: VaultReaderStats;
  /**
   * The statuses of `paths`, all in one folder, from OpenBao's folder listing
   * (`LIST <mount>/detailed-metadata/<folder>`, OpenBao 2.2+): one request per page of
   * {@link DETAILED_LIST_PAGE} entries instead of one per secret. A secret the listing does not hold is
   * `missing`. Null when the listing is not available there (Vault has no such endpoint; a token without
   * `list` on it is refused; an answer that is not a listing): the caller reads the secrets one by one.
   */
  readFolder(paths: readonly string[]): Promise<Map<string, SecretStatus> | null>;
}

/** Entries asked for per page of a detailed-metadata listing (`limit`); the next page starts `after` the last. */
export const DETAILED_LIST_PAGE = 1000;

type Answer = { status: number; body: unknown };

interface MountInfo {
  mount: string;
  kind: 'kv2' | 'kv1' | 'other';
  type: string;
}

type Resolution = { kind: 'kv2'; mount: string; rest: string } | { kind: 'status'; status: SecretStatus };

type ApiError = Error & { response: { statusCode: number; body: unknown } };
const isApiError = (e: unknown): e is ApiError =>
  e instanceof Error && typeof (e as Partial<ApiError>).response?.statusCode === 'number';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const trimSlashes = (s: string): string => s.replace(/^\/+|\/+$/g, '');
const encodePath = (p: string): string => p.split('/').map(encodeURIComponent).join('/');

/** The policy line a token needs to read one secret's metadata (shown in `forbidden` messages). */
export function metadataPolicyLine(mount: string, rest: string): string {
  return `path "${mount}/metadata/${rest}" { capabilities = ["read"] }`;
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  // Once one item failed the whole call fails: the other workers take no new item, so a Vault that is
  // down or rate limiting is not sent the rest of the batch for nothing.
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(items[i] as T);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Vault timestamps carry nanoseconds; a value we cannot parse counts as passed (never restart on doubt). */
function hasPassed(time: string, now: Date): boolean {
  const ms = Date.parse(time.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) || ms <= now.getTime();
}

/**
 * Interprets a `GET <mount>/metadata/<path>` body. Unknown fields are ignored, but a body without
 * `data.current_version` as a whole number is not a metadata answer (a proxy's page, a truncated or
 * foreign JSON): that is `null`, for the caller to fail the run on, never a `missing` secret.
 */
export function statusFromMetadata(path: string, body: unknown, now: Date): SecretStatus | null {
  if (!isRecord(body) || !isRecord(body.data)) return null;
  const data = body.data;
  const current = data.current_version;
  if (typeof current !== 'number' || !Number.isSafeInteger(current) || current < 0) return null;
  if (data.versions !== undefined && data.versions !== null && !isRecord(data.versions)) return null;
  const versions = isRecord(data.versions) ? data.versions : {};
  const updatedTime = typeof data.updated_time === 'string' ? data.updated_time : null;
  // Metadata written before any version (`vault kv metadata put`) has current_version 0: no secret yet.
  if (current === 0) return { state: 'missing', path };
  const v = versions[String(current)];
  if (isRecord(v)) {
    if (v.destroyed === true) return { state: 'deleted', path, current, reason: 'destroyed', updatedTime };
    // A future deletion_time comes from delete_version_after: the version is still readable until then.
    if (typeof v.deletion_time === 'string' && v.deletion_time !== '' && hasPassed(v.deletion_time, now)) {
      return { state: 'deleted', path, current, reason: 'deleted', updatedTime };
    }
  }
  return { state: 'ok', path, current, updatedTime };
}

let vaultClient: Promise<typeof nodeVault> | undefined;

/**
 * Imports node-vault (with axios, form-data and tv4 under it: 600 kB of the bundle), once. A reader is
 * made only after the repository is read, so a caller that will need one starts this at start-up: the
 * module then loads while git runs, not before the first Vault request. A run that never reads Vault
 * (`scan`) never loads it.
 */
export function loadVaultClient(): Promise<typeof nodeVault> {
  vaultClient ??= import('node-vault').then((m) => m.default);
  return vaultClient;
}

class NodeVaultReader implements VaultReader {
  readonly stats: VaultReaderStats = { requests: 0, detections: 0, metadataReads: 0, retries: 0 };
  private readonly client: nodeVault.client;
  private readonly transport: Transport;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly address: string;
  private readonly retries: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly concurrency: number;
  private readonly deadlineMs: number;
  private readonly maxResponseBytes: number;
  private readonly configuredMounts: string[] | null;
  /** Mounts learnt from `sys/internal/ui/mounts`, kept for the reader's lifetime. */
  private readonly mounts: MountInfo[] = [];
  private detectionUnavailable = false;
  private loggedIn = false;
  private closed = false;

  constructor(
    private readonly opts: VaultReaderOptions,
    vault: typeof nodeVault,
  ) {
    this.logger = opts.logger ?? silentLogger;
    this.clock = opts.clock ?? (() => new Date());
    this.address = displayAddress(opts.address);
    this.retries = Math.max(0, opts.retries ?? 4);
    this.baseMs = opts.backoff?.baseMs ?? 250;
    this.maxMs = opts.backoff?.maxMs ?? 10_000;
    this.sleep = opts.backoff?.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = opts.backoff?.random ?? Math.random;
    this.concurrency = Math.max(1, opts.concurrency ?? 32);
    this.deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.configuredMounts = opts.mounts?.length ? opts.mounts.map(trimSlashes).filter(Boolean) : null;
    this.transport = createTransport({
      ca: opts.caCert,
      rejectUnauthorized: !opts.skipVerify,
      timeoutMs: opts.timeoutMs ?? 10_000,
      deadlineMs: this.deadlineMs,
      maxResponseBytes: this.maxResponseBytes,
      maxSockets: this.concurrency,
      onRequest: () => {
        this.stats.requests += 1;
      },
      ...(opts.onAnswer ? { onAnswer: opts.onAnswer } : {}),
    });
    this.client = vault({
      endpoint: opts.address.replace(/\/+$/, ''),
      apiVersion: 'v1',
      // node-vault's default debug logger prints request bodies (login secrets included) when DEBUG matches.
      debug: () => {},
      // Node's HTTP server (and some proxies) reject the LIST verb: use GET ?list=true.
      noCustomHTTPVerbs: true,
      'request-promise': this.transport.requestPromise,
    });
    // node-vault falls back to VAULT_TOKEN / VAULT_NAMESPACE / VAULT_PREFIX from process.env; only the
    // edges read the environment, so pin every one of them here.
    this.client.token = '';
    (this.client as unknown as { namespace?: string }).namespace = opts.namespace ?? '';
    (this.client as unknown as { pathPrefix: string }).pathPrefix = '';
  }

  /** Logs in (or validates the given token). Called once by `createVaultReader`. */
  async authenticate(): Promise<void> {
    const auth = this.opts.auth;
    if (auth.method === 'token') {
      if (!auth.token) throw new VaultError('No Vault token given: set VAULT_TOKEN.', { method: 'token' });
      this.client.token = auth.token;
      const a = await this.call('auth/token/lookup-self', () => this.client.tokenLookupSelf());
      if (a.status === 403 || a.status === 401) {
        throw new VaultError(
          `Vault at ${this.address} rejected the token (auth/token/lookup-self answered ${a.status}): it is invalid, expired or revoked${this.nsHint()}. Set ${auth.variable ?? 'VAULT_TOKEN'} to a valid token.`,
          { method: 'token', status: a.status },
        );
      }
      if (a.status !== 200) throw this.unexpected('auth/token/lookup-self', a.status);
      return;
    }
    const mount = trimSlashes(auth.mount ?? auth.method);
    const payload = await this.loginPayload(auth);
    // The login credential and the token Vault answers with are the run's secrets too: nothing the run
    // prints or publishes (a commit message, a pull request) may carry them.
    registerSecret(payload.jwt);
    const answer = await this.call(`auth/${mount}/login`, () => {
      if (auth.method === 'approle') return this.client.approleLogin({ mount_point: mount, ...payload });
      if (auth.method === 'kubernetes')
        return this.client.kubernetesLogin({ mount_point: mount, ...payload });
      // node-vault's jwtLogin requires `role`; without one, Vault uses the mount's default_role.
      if (payload.role !== undefined) return this.client.jwtLogin({ mount_point: mount, ...payload });
      return this.client.write(`auth/${encodePath(mount)}/login`, payload);
    });
    const authBlock = isRecord(answer.body) && isRecord(answer.body.auth) ? answer.body.auth : null;
    const token = authBlock && typeof authBlock.client_token === 'string' ? authBlock.client_token : '';
    if (answer.status !== 200 || !token) {
      throw new VaultError(
        `Vault login with the ${auth.method} method at auth mount "${mount}"${this.nsHint()} failed (HTTP ${answer.status}): ${loginHint(auth)}.`,
        { method: auth.method, mount, status: answer.status },
      );
    }
    registerSecret(token);
    this.client.token = token;
    this.loggedIn = true;
    this.logger.info('logged in to Vault', { method: auth.method, mount });
  }

  async read(paths: readonly string[]): Promise<Map<string, SecretStatus>> {
    const out = new Map<string, SecretStatus>();
    // Discovery already rejects such paths; this reader refuses them too, so no caller can make it
    // send a `..` (resolved by URL parsing) or an encoded one (decoded by servers and proxies).
    const inputs: string[] = [];
    for (const p of new Set(paths)) {
      const problem = unsafePathProblem(cleanSecretPath(p));
      if (problem === null) inputs.push(p);
      else
        out.set(p, {
          state: 'forbidden',
          path: p,
          message: `vault-rollout refuses to read "${p}": ${problem}`,
        });
    }
    const cleaned = new Map(inputs.map((p) => [p, cleanSecretPath(p)]));
    const resolutions = await this.resolveMounts([...new Set(cleaned.values())]);

    const canonical = new Map<string, { mount: string; rest: string }>();
    for (const r of resolutions.values()) if (r.kind === 'kv2') canonical.set(`${r.mount}/${r.rest}`, r);
    const now = this.clock();
    const read = await mapLimit(
      [...canonical.entries()],
      this.concurrency,
      async ([path, { mount, rest }]) => {
        const status = await this.readMetadata(path, mount, rest, now);
        this.opts.onSecretRead?.();
        return [path, status] as const;
      },
    );
    const byCanonical = new Map(read);

    for (const [input, clean] of cleaned) {
      const r = resolutions.get(clean) as Resolution;
      out.set(
        input,
        r.kind === 'status' ? r.status : (byCanonical.get(`${r.mount}/${r.rest}`) as SecretStatus),
      );
    }
    return out;
  }

  async readFolder(paths: readonly string[]): Promise<Map<string, SecretStatus> | null> {
    const cleaned = paths.map((p) => cleanSecretPath(p));
    if (cleaned.some((p) => unsafePathProblem(p) !== null)) return null;
    const resolutions = await this.resolveMounts([...new Set(cleaned)]);
    const splits = cleaned.map((p) => resolutions.get(p));
    const first = splits[0];
    if (!first || first.kind !== 'kv2') return null;
    const folderOf = (rest: string) => rest.slice(0, rest.lastIndexOf('/') + 1);
    const folder = folderOf(first.rest);
    // One listing answers for one folder of one mount: anything else is read secret by secret.
    if (splits.some((r) => r?.kind !== 'kv2' || r.mount !== first.mount || folderOf(r.rest) !== folder))
      return null;
    const listed = new Map<string, unknown>();
    const now = this.clock();
    for (let after = ''; ;) {
      const query = `list=true&limit=${DETAILED_LIST_PAGE}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const apiPath = `${first.mount}/detailed-metadata/${folder}`;
      const a = await this.call(apiPath, () => this.client.read(`${encodePath(apiPath)}?${query}`));
      // An empty folder is a 404 on OpenBao too: the secrets are then read one by one, which says `missing`.
      if (a.status !== 200) return null;
      const data = isRecord(a.body) && isRecord(a.body.data) ? a.body.data : null;
      const keys = data && Array.isArray(data.keys) ? data.keys : null;
      const info = data && isRecord(data.key_info) ? data.key_info : null;
      if (!keys || !info || keys.some((k) => typeof k !== 'string')) return null;
      // A listed key without its metadata is not an answer to trust: read one by one instead.
      for (const key of keys as string[]) if (!key.endsWith('/')) listed.set(key, info[key] ?? null);
      if (keys.length < DETAILED_LIST_PAGE) break;
      after = keys[keys.length - 1] as string;
    }
    const out = new Map<string, SecretStatus>();
    for (const [i, input] of paths.entries()) {
      const split = splits[i] as { mount: string; rest: string };
      const path = `${split.mount}/${split.rest}`;
      const name = split.rest.slice(folder.length);
      const entry = listed.get(name);
      if (entry === undefined) {
        out.set(input, { state: 'missing', path });
        continue;
      }
      if (entry === null) return null;
      const status = statusFromMetadata(path, { data: entry }, now);
      if (status === null) return null;
      out.set(input, status);
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.loggedIn) {
      // Only a token we created; a user-supplied token is theirs to keep.
      try {
        await this.client.tokenRevokeSelf();
        forgetSecret(this.client.token);
      } catch {
        this.logger.warn('could not revoke the Vault token obtained by login; it expires with its TTL');
      }
    }
    this.transport.close();
  }

  // ------------------------------------------------------------------ mounts

  /** Maps each cleaned path to its KV v2 mount split, or to a final status (unsupported / forbidden). */
  private async resolveMounts(paths: string[]): Promise<Map<string, Resolution>> {
    const out = new Map<string, Resolution>();
    if (this.configuredMounts) {
      const sorted = [...this.configuredMounts].sort((a, b) => b.length - a.length);
      for (const p of paths) {
        const mount = sorted.find((m) => p === m || p.startsWith(`${m}/`));
        out.set(
          p,
          mount
            ? this.fromMount(p, { mount, kind: 'kv2', type: 'kv' })
            : this.unsupported(
                p,
                `"${p}" is not under a configured KV v2 mount (vault.mounts: ${this.configuredMounts.join(', ')}); add its mount to vault.mounts`,
              ),
        );
      }
      return out;
    }
    // One detection per mount: paths sharing a first segment are resolved one after another, so the
    // second path usually hits the cache; distinct first segments are detected in parallel.
    const groups = new Map<string, string[]>();
    for (const p of paths) {
      const first = p.split('/')[0] as string;
      groups.set(first, [...(groups.get(first) ?? []), p]);
    }
    await mapLimit([...groups.values()], this.concurrency, async (group) => {
      for (const p of group) out.set(p, await this.resolveOne(p));
    });
    return out;
  }

  private cachedMount(p: string): MountInfo | undefined {
    let best: MountInfo | undefined;
    for (const m of this.mounts) {
      if ((p === m.mount || p.startsWith(`${m.mount}/`)) && (!best || m.mount.length > best.mount.length))
        best = m;
    }
    return best;
  }

  private async resolveOne(p: string): Promise<Resolution> {
    const cached = this.cachedMount(p);
    if (cached) return this.fromMount(p, cached);
    if (this.detectionUnavailable) return this.detectionUnavailableStatus(p);
    this.stats.detections += 1;
    const a = await this.call(`sys/internal/ui/mounts/${p}`, () =>
      this.client.read(`sys/internal/ui/mounts/${encodePath(p)}`),
    );
    if (a.status === 403) {
      const guess = this.guessSplit(p);
      return {
        kind: 'status',
        status: {
          state: 'forbidden',
          path: `${guess.mount}/${guess.rest}`,
          message:
            `Vault denied the mount lookup for "${p}" (no mount there, or the token has no capability under it${this.nsHint()}). ` +
            `The token needs: ${metadataPolicyLine(guess.mount, guess.rest)}; or list the KV v2 mount in vault.mounts.`,
        },
      };
    }
    if (a.status === 404 || a.status === 405) {
      // Vault before 0.10 has no such endpoint (and no KV v2); the Vault CLI then assumes KV v1.
      this.detectionUnavailable = true;
      return this.detectionUnavailableStatus(p);
    }
    if (a.status !== 200) throw this.unexpected(`sys/internal/ui/mounts/${p}`, a.status);
    const data = isRecord(a.body) && isRecord(a.body.data) ? a.body.data : null;
    if (!data || typeof data.path !== 'string' || typeof data.type !== 'string')
      throw this.malformed(`sys/internal/ui/mounts/${p}`, 'a mount with data.path and data.type');
    const mount = trimSlashes(data.path);
    const type = data.type;
    const version = isRecord(data.options) ? String(data.options.version ?? '') : '';
    // The answer may only speak for the path that was asked: a mount that does not contain it is never
    // cached, so one odd answer cannot change how the other secrets of a mount are read.
    if (!mount || (p !== mount && !p.startsWith(`${mount}/`))) {
      return this.unsupported(
        p,
        `Vault reported no usable mount for "${p}"; list its KV v2 mount in vault.mounts`,
      );
    }
    const info: MountInfo = {
      mount,
      type,
      kind: type === 'kv' ? (version === '2' ? 'kv2' : 'kv1') : 'other',
    };
    if (!this.mounts.some((m) => m.mount === mount)) this.mounts.push(info);
    this.logger.debug('detected Vault mount', { mount, type, version });
    return this.fromMount(p, info);
  }

  private fromMount(p: string, info: MountInfo): Resolution {
    if (info.kind === 'kv1') {
      return this.unsupported(
        p,
        `"${info.mount}/" is a KV version 1 mount: it keeps no versions, and vault-rollout never reads secret values. Move "${p}" to a KV v2 mount (vault kv enable-versioning ${info.mount}/)`,
      );
    }
    if (info.kind === 'other') {
      return this.unsupported(
        p,
        `"${info.mount}/" is a "${info.type}" mount, not KV v2; only KV v2 secrets have versions`,
      );
    }
    const split = splitAtMount(p, info.mount);
    if (!split || !split.rest) {
      return this.unsupported(p, `"${p}" names the mount "${info.mount}/" itself, not a secret under it`);
    }
    return { kind: 'kv2', mount: split.mount, rest: split.rest };
  }

  private guessSplit(p: string): { mount: string; rest: string } {
    const n = normalizeSecretPath(p);
    const slash = n.indexOf('/');
    return slash < 0 ? { mount: n, rest: '' } : { mount: n.slice(0, slash), rest: n.slice(slash + 1) };
  }

  private unsupported(p: string, message: string): Resolution {
    return { kind: 'status', status: { state: 'unsupported', path: normalizeSecretPath(p), message } };
  }

  private detectionUnavailableStatus(p: string): Resolution {
    return this.unsupported(
      p,
      `Vault at ${this.address} has no sys/internal/ui/mounts endpoint (older than 0.10, or blocked by a proxy), so the KV v2 mount of "${p}" cannot be detected; list your KV v2 mounts in vault.mounts`,
    );
  }

  // ------------------------------------------------------------------ metadata

  private async readMetadata(path: string, mount: string, rest: string, now: Date): Promise<SecretStatus> {
    const apiPath = `${mount}/metadata/${rest}`;
    this.stats.metadataReads += 1;
    const a = await this.call(apiPath, () => this.client.read(encodePath(apiPath)));
    if (a.status === 200) {
      const status = statusFromMetadata(path, a.body, now);
      if (status === null) throw this.malformed(apiPath, 'KV v2 metadata with data.current_version');
      return status;
    }
    if (a.status === 404) return { state: 'missing', path };
    if (a.status === 403) {
      return {
        state: 'forbidden',
        path,
        message: `Vault denied reading the metadata of "${path}"${this.nsHint()}. The token needs: ${metadataPolicyLine(mount, rest)}`,
      };
    }
    throw this.unexpected(apiPath, a.status);
  }

  // ------------------------------------------------------------------ HTTP with retries

  /**
   * Runs one Vault call with retries. Returns the final status and body for any answer that is not
   * retryable (2xx, 4xx except 412/429); throws `VaultError` when retries run out.
   */
  private async call(what: string, fn: () => Promise<unknown>): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      let reason: { kind: 'status'; status: number; sealed: boolean } | { kind: 'network'; code: string };
      let retryAfterMs: number | undefined;
      try {
        return { status: 200, body: await fn() };
      } catch (e) {
        if (isApiError(e)) {
          const { statusCode: status, body } = e.response;
          if (!(status >= 500 || status === 429 || status === 412)) return { status, body };
          reason = { kind: 'status', status, sealed: status === 503 && isSealedBody(body) };
          if (status === 429) retryAfterMs = parseRetryAfter(this.transport.retryAfterOf(body), this.clock());
        } else if (e instanceof TransportError) {
          if (isTlsVerificationError(e.code)) {
            // A certificate problem does not heal by waiting: fail at once with what to change.
            throw new VaultError(
              `TLS verification of Vault at ${this.address} failed (${e.code}). Set VAULT_CACERT to the CA bundle that signed its certificate (VAULT_SKIP_VERIFY=true only for tests).`,
              { address: this.address, code: e.code },
            );
          }
          if (e.code === 'ENOTJSON') throw this.malformed(what, 'a JSON body');
          if (e.code === 'EBADHEADER') {
            throw new VaultError(
              `Vault request for "${what}" was not sent: its token or namespace holds a character an HTTP header cannot carry.`,
              { path: what, code: e.code },
            );
          }
          if (e.code === 'ETOOLARGE') {
            // A body over the cap will not shrink on a retry.
            throw new VaultError(
              `Vault at ${this.address} answered "${what}" with more than ${this.maxResponseBytes} bytes; vault-rollout stopped reading (raise vault.maxResponseBytes if this is expected).`,
              { address: this.address, path: what, code: e.code },
            );
          }
          reason = { kind: 'network', code: e.code };
        } else {
          // node-vault's own argument validation (tv4) or a programming error: not worth retrying.
          throw new VaultError(
            `Vault request for "${what}" could not be built: ${(e as Error)?.name ?? 'error'}.`,
            {
              path: what,
            },
          );
        }
      }
      if (attempt >= this.retries) throw this.exhausted(what, reason, attempt + 1);
      const exp = Math.min(this.maxMs, this.baseMs * 2 ** attempt);
      // "Equal jitter": half fixed, half random, so concurrent workers spread out but still back off.
      let delay = Math.round(exp / 2 + (exp / 2) * this.random());
      if (retryAfterMs !== undefined) delay = Math.min(this.maxMs, Math.max(delay, retryAfterMs));
      this.stats.retries += 1;
      this.logger.warn('retrying Vault request', {
        path: what,
        attempt: attempt + 1,
        reason: reason.kind === 'status' ? (reason.sealed ? 'sealed' : `HTTP ${reason.status}`) : reason.code,
        delayMs: delay,
      });
      await this.sleep(delay);
    }
  }

  private exhausted(
    what: string,
    reason: { kind: 'status'; status: number; sealed: boolean } | { kind: 'network'; code: string },
    attempts: number,
  ): VaultError {
    if (reason.kind === 'network' && reason.code === 'EDEADLINE') {
      return new VaultError(
        `Vault at ${this.address} did not answer "${what}" completely within ${this.deadlineMs / 1000} s, ${attempts} attempt(s) (raise vault.timeoutSeconds if it is just slow).`,
        { address: this.address, code: reason.code, attempts },
      );
    }
    if (reason.kind === 'network') {
      return new VaultError(
        `Vault at ${this.address} is unreachable after ${attempts} attempts (last error ${reason.code} on "${what}"). Check VAULT_ADDR, the network and TLS settings.`,
        { address: this.address, code: reason.code, attempts },
      );
    }
    if (reason.sealed) {
      return new VaultError(
        `Vault at ${this.address} is sealed. Unseal it (or wait for it to be unsealed) and run again.`,
        {
          address: this.address,
          status: 503,
          attempts,
        },
      );
    }
    return new VaultError(
      `Vault at ${this.address} answered HTTP ${reason.status} to "${what}" after ${attempts} attempts. Try again later.`,
      { address: this.address, status: reason.status, attempts },
    );
  }

  /** A 200 whose body is not what Vault documents for that endpoint: fail the run, never guess. */
  private malformed(what: string, expected: string): VaultError {
    return new VaultError(
      `Vault at ${this.address} answered "${what}" with HTTP 200 but not the expected JSON (${expected}); a proxy or a server that is not Vault may be in the way. Check VAULT_ADDR.`,
      { address: this.address, path: what },
    );
  }

  private unexpected(what: string, status: number): VaultError {
    return new VaultError(
      `Vault at ${this.address} answered HTTP ${status} to "${what}", which vault-rollout does not expect.`,
      {
        address: this.address,
        status,
        path: what,
      },
    );
  }

  private nsHint(): string {
    return this.opts.namespace ? ` in namespace "${this.opts.namespace}"` : '';
  }

  private async loginPayload(auth: Exclude<VaultAuth, { method: 'token' }>): Promise<Record<string, string>> {
    if (auth.method === 'approle') {
      if (!auth.roleId)
        throw new VaultError('AppRole login needs a role id: set VAULT_ROLE_ID.', { method: 'approle' });
      return auth.secretId !== undefined
        ? { role_id: auth.roleId, secret_id: auth.secretId }
        : { role_id: auth.roleId };
    }
    if (auth.method === 'kubernetes') {
      if (!auth.role)
        throw new VaultError('Kubernetes login needs a role: set vault.auth.role.', { method: 'kubernetes' });
      const file = auth.tokenPath ?? DEFAULT_KUBERNETES_TOKEN_PATH;
      let jwt: string;
      try {
        jwt = (await readFile(file, 'utf8')).trim();
      } catch (e) {
        throw new VaultError(
          `Kubernetes login needs the service account token file "${file}" (${(e as NodeJS.ErrnoException).code ?? 'unreadable'}). Run in a pod with a mounted service account token, or use another auth method.`,
          { method: 'kubernetes', file },
        );
      }
      if (!jwt)
        throw new VaultError(`The service account token file "${file}" is empty.`, {
          method: 'kubernetes',
          file,
        });
      return { role: auth.role, jwt };
    }
    let jwt: string;
    try {
      jwt = typeof auth.jwt === 'function' ? await auth.jwt() : auth.jwt;
    } catch (e) {
      if (e instanceof VaultError) throw e;
      throw new VaultError(
        `Could not obtain the ID token for Vault JWT login (${(e as Error)?.name ?? 'error'}).`,
        {
          method: 'jwt',
        },
      );
    }
    if (!jwt)
      throw new VaultError('JWT login needs a token: set VAULT_JWT or VAULT_JWT_FILE.', { method: 'jwt' });
    return auth.role !== undefined ? { role: auth.role, jwt } : { jwt };
  }
}

function loginHint(auth: Exclude<VaultAuth, { method: 'token' }>): string {
  switch (auth.method) {
    case 'approle':
      return `check the role id and secret id (${auth.variables?.roleId ?? 'VAULT_ROLE_ID'}, ${auth.variables?.secretId ?? 'VAULT_SECRET_ID'}) and the auth mount`;
    case 'kubernetes':
      return `check that role "${auth.role}" exists on that mount and binds this pod's service account and namespace`;
    case 'jwt':
      return `check ${auth.role !== undefined ? `role "${auth.role}"` : "the mount's default_role"}, its bound claims and bound_audiences (required since Vault 1.16.3), and the token's audience`;
  }
}

function isTlsVerificationError(code: string): boolean {
  return /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/.test(
    code,
  );
}

function isSealedBody(body: unknown): boolean {
  return (
    isRecord(body) &&
    Array.isArray(body.errors) &&
    body.errors.some((e) => typeof e === 'string' && /sealed/i.test(e))
  );
}

/** `Retry-After` is delta-seconds or an HTTP date (RFC 9110). */
function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** The address without credentials or query, for messages. */
function displayAddress(address: string): string {
  try {
    const u = new URL(address);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return JSON.stringify(address);
  }
}

/**
 * Creates the Vault metadata reader and authenticates (login, or token validation via lookup-self).
 * @throws VaultError when Vault is unreachable, sealed, or rejects the credentials.
 * @example
 * const reader = await createVaultReader({ address: 'https://vault:8200', auth: { method: 'token', token } });
 * try { const statuses = await reader.read(['kv/payments/db']); } finally { await reader.close(); }
 */
export async function createVaultReader(options: VaultReaderOptions): Promise<VaultReader> {
  // Discovery refuses a bad namespace from a manifest where it reads it; this refuses any that still
  // arrives (the config, VAULT_NAMESPACE), before it can reach the `X-Vault-Namespace` header.
  const problem = options.namespace ? vaultNamespaceProblem(options.namespace) : null;
  if (problem !== null) {
    throw new VaultError(
      `vault-rollout refuses the Vault namespace ${JSON.stringify(options.namespace!.slice(0, 80))}: ${problem}. Fix vault.namespace or VAULT_NAMESPACE.`,
      { code: 'EBADNAMESPACE' },
    );
  }
  const reader = new NodeVaultReader(options, await loadVaultClient());
  try {
    await reader.authenticate();
  } catch (e) {
    await reader.close();
    throw e;
  }
  return reader;
}
