/**
 * A Vault-API-compatible dev server for the `demo` command and the integration tests.
 *
 * It answers like Vault (developer.hashicorp.com/vault/api-docs): the standard response envelope, errors as
 * `{"errors":[...]}`, KV v2 metadata, `sys/internal/ui/mounts`, token lookup/revoke, AppRole / Kubernetes /
 * JWT logins, namespaces (`X-Vault-Namespace` or a namespace prefix in the path) and path-glob policies.
 *
 * It never stores a secret value: writes only create versions. Any read of a value (`GET <kv2>/data/...`,
 * or any read on a KV v1 mount) is refused with 403 and counted in `violations`, so tests can prove that
 * vault-rollout reads metadata only. Every request is logged in `requests`, without the token.
 *
 * @example
 * const server = await startVaultDevServer({ mounts: [{ path: 'kv', version: 2 }] });
 * server.kv.write('kv', 'payments/db');             // version 1
 * // VAULT_ADDR=server.url VAULT_TOKEN=server.rootToken
 * await server.close();
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/** A secrets-engine mount. `version` 2 is KV v2, 1 is KV v1; `type` other than `kv` models e.g. `pki`. */
export interface DevMount {
  path: string;
  version?: 1 | 2;
  type?: string;
  /** Namespace the mount lives in ('' = root). */
  namespace?: string;
  /** Mount-level `max_versions` (0 = Vault's default of 10). */
  maxVersions?: number;
}

/** A token's policy: path globs (Vault syntax: `+` is one segment, a trailing `*` is any suffix) it may use. */
export interface DevTokenSpec {
  policies: string[];
  namespace?: string;
}

export type DevAuthRole =
  | {
      method: 'approle';
      mount?: string;
      roleId: string;
      secretId?: string;
      policies: string[];
      namespace?: string;
    }
  | {
      method: 'kubernetes';
      mount?: string;
      role: string;
      jwt: string;
      policies: string[];
      namespace?: string;
    }
  /** `role` undefined means this is the mount's `default_role`: a login without `role` uses it. */
  | { method: 'jwt'; mount?: string; role?: string; jwt: string; policies: string[]; namespace?: string };

export interface VaultDevServerOptions {
  /** Default: KV v2 at `kv` and `secret`. */
  mounts?: DevMount[];
  /** Child namespaces that exist (e.g. `team-a`, `team-a/sub`). */
  namespaces?: string[];
  /** The root token (policy `*`); random by default. */
  rootToken?: string;
  tokens?: Record<string, DevTokenSpec>;
  auth?: DevAuthRole[];
  /** Clock for created/deletion times; can be replaced later through `server.clock`. */
  clock?: () => Date;
  port?: number;
  /** Serve HTTPS with this key and certificate (PEM); `url` then starts with https://. */
  tls?: { key: string; cert: string };
  /** A request body larger than this is refused with 413 before it is read whole (default 1 MiB). */
  maxBodyBytes?: number;
  /** `requests` keeps the last this many entries (default 10,000): a server that runs for days stays small. */
  maxLoggedRequests?: number;
}

/** Metadata writes are a few hundred bytes; Vault itself refuses bodies over its `max_request_size` with 413. */
export const DEV_MAX_BODY_BYTES = 1024 * 1024;
export const DEV_MAX_LOGGED_REQUESTS = 10_000;

/** A request body over the server's limit: answered 413, never buffered. */
class BodyTooLarge extends Error {}

export interface DevRequestLog {
  method: string;
  /** URL path, e.g. `/v1/kv/metadata/app` (no query). */
  path: string;
  query: string;
  namespace: string | null;
  tokenPresent: boolean;
  status: number;
  /** Set when the answer came from fault injection (`failNext`, `dropConnections`) or from the seal. */
  fault?: 'fail' | 'drop' | 'sealed';
}

export interface DevWriteOptions {
  namespace?: string;
  customMetadata?: Record<string, string>;
}

export interface DevVersionMeta {
  created_time: string;
  deletion_time: string;
  destroyed: boolean;
}

export interface DevSecretMeta {
  current: number;
  oldest: number;
  created: string;
  updated: string;
  maxVersions: number;
  /** Milliseconds; 0 = never. */
  deleteVersionAfterMs: number;
  customMetadata: Record<string, string> | null;
  casRequired: boolean;
  versions: Map<number, DevVersionMeta>;
}

/** Programmatic control of the KV store (what `vault kv put/delete/destroy/metadata put` would do). */
export interface DevKvControl {
  /** Creates a new version (no value is stored) and returns its number. */
  write(mountPath: string, path: string, opts?: DevWriteOptions): number;
  /** Soft-deletes versions (default: the current one). */
  deleteVersions(mountPath: string, path: string, versions?: number[], opts?: { namespace?: string }): void;
  destroyVersions(mountPath: string, path: string, versions?: number[], opts?: { namespace?: string }): void;
  /** Sets `delete_version_after` (Go duration like `1h30m`, or milliseconds); applies to versions written later. */
  setDeleteVersionAfter(
    mountPath: string,
    path: string,
    after: string | number,
    opts?: { namespace?: string },
  ): void;
  updateMetadata(
    mountPath: string,
    path: string,
    meta: {
      maxVersions?: number;
      deleteVersionAfter?: string | number;
      customMetadata?: Record<string, string>;
    },
    opts?: { namespace?: string },
  ): void;
  /** The stored metadata, or undefined. */
  get(mountPath: string, path: string, opts?: { namespace?: string }): DevSecretMeta | undefined;
}

export interface VaultDevServer {
  readonly url: string;
  readonly rootToken: string;
  readonly kv: DevKvControl;
  /** The last requests (up to `maxLoggedRequests`), in arrival order. Never contains a token. */
  readonly requests: DevRequestLog[];
  /** Every request answered since the start, including those no longer in `requests`. */
  readonly requestCount: number;
  /** Number of refused value reads. Must stay 0 for vault-rollout. */
  readonly violations: number;
  readonly violationRequests: DevRequestLog[];
  /** Most requests that were being answered at the same time (to check client-side concurrency limits). */
  readonly maxInFlight: number;
  /** Tokens issued by logins and not revoked (for asserting revoke-on-close). */
  readonly liveLoginTokens: number;
  clock: () => Date;
  /** Delay added before answering each request. */
  latencyMs: number;
  seal(sealed: boolean): void;
  /** The next `n` requests (except sys/health; optionally only those whose path matches) get `status`. */
  failNext(n: number, status: number, opts?: { retryAfter?: number | string; path?: string | RegExp }): void;
  /** The next `n` requests get their connection destroyed without an answer. */
  dropConnections(n: number): void;
  addToken(token: string, spec: DevTokenSpec): void;
  close(): Promise<void>;
}

const PERMISSION_DENIED = '1 error occurred:\n\t* permission denied\n\n';

interface TokenEntry extends DevTokenSpec {
  namespace: string;
  accessor: string;
  viaLogin: boolean;
  path: string;
  creationTime: number;
}

interface MountEntry {
  path: string;
  version: 1 | 2;
  type: string;
  namespace: string;
  maxVersions: number;
  accessor: string;
  uuid: string;
  secrets: Map<string, DevSecretMeta>;
}

interface Fault {
  remaining: number;
  status: number;
  retryAfter: number | string | undefined;
  path: string | RegExp | undefined;
}

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

const trimSlashes = (s: string): string => s.replace(/^\/+|\/+$/g, '');

/** Go's `time.Duration.String()` for whole milliseconds: `0s`, `500ms`, `1m30s`, `1h0m0s`. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

/** Parses a Go duration (`1h30m`, `90s`, `500ms`) or a number of seconds (as Vault accepts) into ms. */
export function parseGoDuration(v: string | number): number {
  if (typeof v === 'number') return Math.round(v * 1000);
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const units: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1000,
    ms: 1,
    us: 0.001,
    µs: 0.001,
    ns: 1e-6,
  };
  let total = 0;
  let rest = t;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/.exec(rest);
    if (!m) throw new Error(`invalid duration "${v}"`);
    total += Number(m[1]) * (units[m[2] as string] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

/** Vault policy glob → RegExp: `+` is one path segment, `*` any suffix. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '+') re += '[^/]+';
    else re += ch.replace(/[.?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Starts the server on 127.0.0.1 (port 0 unless given). */
export async function startVaultDevServer(options: VaultDevServerOptions = {}): Promise<VaultDevServer> {
  const rootToken = options.rootToken ?? `hvs.dev-${randomBytes(12).toString('hex')}`;
  const namespaces = new Set<string>(['', ...(options.namespaces ?? []).map(trimSlashes)]);
  const tokens = new Map<string, TokenEntry>();
  const mounts: MountEntry[] = [];
  const requests: DevRequestLog[] = [];
  const maxLogged = options.maxLoggedRequests ?? DEV_MAX_LOGGED_REQUESTS;
  let requestCount = 0;
  let violationCount = 0;
  const violationRequests: DevRequestLog[] = [];
  const faults: Fault[] = [];
  let drops = 0;
  let sealed = false;
  let nanoCounter = 0;
  let inFlight = 0;
  let maxInFlight = 0;

  const state = {
    clock: options.clock ?? ((): Date => new Date()),
    latencyMs: 0,
  };

  const accessor = (): string => randomBytes(12).toString('base64url');
  const addToken = (
    token: string,
    spec: DevTokenSpec,
    viaLogin = false,
    path = 'auth/token/create',
  ): void => {
    tokens.set(token, {
      policies: [...spec.policies],
      namespace: trimSlashes(spec.namespace ?? ''),
      accessor: accessor(),
      viaLogin,
      path,
      creationTime: state.clock().getTime(),
    });
  };
  addToken(rootToken, { policies: ['*'] }, false, 'auth/token/root');
  for (const [t, spec] of Object.entries(options.tokens ?? {})) addToken(t, spec);

  for (const m of options.mounts ?? [
    { path: 'kv', version: 2 },
    { path: 'secret', version: 2 },
  ]) {
    const ns = trimSlashes(m.namespace ?? '');
    namespaces.add(ns);
    mounts.push({
      path: trimSlashes(m.path),
      version: m.version ?? 2,
      type: m.type ?? 'kv',
      namespace: ns,
      maxVersions: m.maxVersions ?? 0,
      accessor: `${m.type ?? 'kv'}_${randomBytes(4).toString('hex')}`,
      uuid: randomUUID(),
      secrets: new Map(),
    });
  }
  const authRoles = (options.auth ?? []).map((a) => ({
    ...a,
    mount: trimSlashes(a.mount ?? a.method),
    namespace: trimSlashes(a.namespace ?? ''),
  }));

  /** RFC 3339 with nanoseconds, as Vault prints times. */
  const timestamp = (d: Date): string => {
    nanoCounter = (nanoCounter + 1) % 1_000_000;
    return d.toISOString().replace(/Z$/, `${String(nanoCounter).padStart(6, '0')}Z`);
  };

  // ---------------------------------------------------------------- KV store
  const findMount = (ns: string, path: string): MountEntry | undefined => {
    let best: MountEntry | undefined;
    for (const m of mounts) {
      if (m.namespace !== ns) continue;
      if (path === m.path || path.startsWith(`${m.path}/`)) {
        if (!best || m.path.length > best.path.length) best = m;
      }
    }
    return best;
  };
  const mountOrThrow = (mountPath: string, ns = ''): MountEntry => {
    const m = mounts.find((x) => x.path === trimSlashes(mountPath) && x.namespace === trimSlashes(ns));
    if (!m) throw new Error(`dev server: no mount "${mountPath}" in namespace "${ns}"`);
    return m;
  };

  const writeVersion = (m: MountEntry, key: string, customMetadata?: Record<string, string>): number => {
    const now = state.clock();
    let s = m.secrets.get(key);
    if (!s) {
      s = {
        current: 0,
        oldest: 0,
        created: timestamp(now),
        updated: timestamp(now),
        maxVersions: 0,
        deleteVersionAfterMs: 0,
        customMetadata: null,
        casRequired: false,
        versions: new Map(),
      };
      m.secrets.set(key, s);
    }
    if (customMetadata) s.customMetadata = { ...customMetadata };
    if (m.version === 1) {
      // KV v1 keeps no versions; we only remember that the key exists.
      s.updated = timestamp(now);
      return 0;
    }
    s.current += 1;
    const created = timestamp(now);
    s.updated = created;
    s.versions.set(s.current, {
      created_time: created,
      // Vault sets deletion_time at write time when delete_version_after is configured.
      deletion_time:
        s.deleteVersionAfterMs > 0 ? timestamp(new Date(now.getTime() + s.deleteVersionAfterMs)) : '',
      destroyed: false,
    });
    const keep = s.maxVersions || m.maxVersions || 10;
    for (const v of [...s.versions.keys()].sort((a, b) => a - b)) {
      if (s.versions.size <= keep) break;
      s.versions.delete(v);
    }
    s.oldest = s.versions.size < s.current ? Math.min(...s.versions.keys()) : 0;
    return s.current;
  };

  const secretOf = (m: MountEntry, key: string): DevSecretMeta | undefined => m.secrets.get(trimSlashes(key));

  const markDeleted = (s: DevSecretMeta, versions: number[]): void => {
    const now = timestamp(state.clock());
    for (const v of versions) {
      const meta = s.versions.get(v);
      if (meta && !meta.destroyed) meta.deletion_time = now;
    }
  };
  const markDestroyed = (s: DevSecretMeta, versions: number[]): void => {
    for (const v of versions) {
      const meta = s.versions.get(v);
      if (meta) meta.destroyed = true;
    }
  };
  const applyMetadata = (
    s: DevSecretMeta,
    meta: {
      maxVersions?: number;
      deleteVersionAfter?: string | number;
      customMetadata?: Record<string, string> | null;
      casRequired?: boolean;
    },
  ): void => {
    if (meta.maxVersions !== undefined) s.maxVersions = meta.maxVersions;
    if (meta.deleteVersionAfter !== undefined)
      s.deleteVersionAfterMs = parseGoDuration(meta.deleteVersionAfter);
    if (meta.customMetadata !== undefined)
      s.customMetadata = meta.customMetadata ? { ...meta.customMetadata } : null;
    if (meta.casRequired !== undefined) s.casRequired = meta.casRequired;
    s.updated = timestamp(state.clock());
  };

  const kv: DevKvControl = {
    write(mountPath, path, opts) {
      return writeVersion(mountOrThrow(mountPath, opts?.namespace), trimSlashes(path), opts?.customMetadata);
    },
    deleteVersions(mountPath, path, versions, opts) {
      const s = secretOf(mountOrThrow(mountPath, opts?.namespace), path);
      if (!s) throw new Error(`dev server: no secret "${mountPath}/${path}"`);
      markDeleted(s, versions ?? [s.current]);
    },
    destroyVersions(mountPath, path, versions, opts) {
      const s = secretOf(mountOrThrow(mountPath, opts?.namespace), path);
      if (!s) throw new Error(`dev server: no secret "${mountPath}/${path}"`);
      markDestroyed(s, versions ?? [s.current]);
    },
    setDeleteVersionAfter(mountPath, path, after, opts) {
      kv.updateMetadata(
        mountPath,
        path,
        { deleteVersionAfter: typeof after === 'number' ? `${after}ms` : after },
        opts,
      );
    },
    updateMetadata(mountPath, path, meta, opts) {
      const m = mountOrThrow(mountPath, opts?.namespace);
      const key = trimSlashes(path);
      if (!m.secrets.has(key)) {
        // Vault allows writing metadata before the first version: current_version 0, no versions.
        writeVersion(m, key);
        const s = m.secrets.get(key) as DevSecretMeta;
        s.current = 0;
        s.versions.clear();
      }
      applyMetadata(m.secrets.get(key) as DevSecretMeta, meta);
    },
    get(mountPath, path, opts) {
      return secretOf(mountOrThrow(mountPath, opts?.namespace), path);
    },
  };

  const metadataBody = (s: DevSecretMeta): Record<string, unknown> => {
    const versions: Record<string, DevVersionMeta> = {};
    for (const [v, meta] of s.versions) versions[String(v)] = { ...meta };
    return {
      cas_required: s.casRequired,
      created_time: s.created,
      current_version: s.current,
      custom_metadata: s.customMetadata,
      delete_version_after: formatGoDuration(s.deleteVersionAfterMs),
      max_versions: s.maxVersions,
      oldest_version: s.oldest,
      updated_time: s.updated,
      versions,
    };
  };

  // ---------------------------------------------------------------- HTTP
  const envelope = (data: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
    ...extra,
  });
  const ok = (data: unknown): HttpAnswer => new HttpAnswer(200, envelope(data));
  const noContent = (): HttpAnswer => new HttpAnswer(204, undefined);
  const err = (status: number, ...errors: string[]): HttpAnswer => new HttpAnswer(status, { errors });
  const denied = (): HttpAnswer => err(403, PERMISSION_DENIED);

  const maxBody = options.maxBodyBytes ?? DEV_MAX_BODY_BYTES;
  const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    if (Number(req.headers['content-length'] ?? 0) > maxBody) throw new BodyTooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > maxBody) throw new BodyTooLarge(); // chunked: counted as it arrives
      chunks.push(c as Buffer);
    }
    if (chunks.length === 0) return {};
    try {
      const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };

  /** Moves leading path segments that name a child namespace into the namespace (Vault accepts both forms). */
  const resolveNamespace = (headerNs: string, path: string): { ns: string; path: string; moved: string } => {
    let ns = headerNs;
    let rest = path;
    let moved = '';
    for (;;) {
      const slash = rest.indexOf('/');
      if (slash < 0) break;
      const candidate = ns ? `${ns}/${rest.slice(0, slash)}` : rest.slice(0, slash);
      if (!namespaces.has(candidate) || candidate === '') break;
      moved += rest.slice(0, slash + 1);
      ns = candidate;
      rest = rest.slice(slash + 1);
    }
    return { ns, path: rest, moved };
  };

  /** The token's view: path relative to the token's namespace, or null when the token cannot act in `ns`. */
  const policyPath = (t: TokenEntry, ns: string, path: string): string | null => {
    if (t.namespace === ns) return path;
    if (t.namespace === '') return `${ns}/${path}`;
    if (ns.startsWith(`${t.namespace}/`)) return `${ns.slice(t.namespace.length + 1)}/${path}`;
    return null;
  };
  const allowed = (t: TokenEntry, ns: string, path: string): boolean => {
    const p = policyPath(t, ns, path);
    return p !== null && t.policies.some((g) => globToRegExp(g).test(p));
  };
  /** Vault's hasMountAccess: any capability on any path under the mount. */
  const hasMountAccess = (t: TokenEntry, ns: string, mountPath: string): boolean => {
    const p = policyPath(t, ns, `${mountPath}/`);
    if (p === null) return false;
    return t.policies.some((g) => {
      const wild = g.search(/[*+]/);
      const prefix = wild < 0 ? g : g.slice(0, wild);
      return prefix.startsWith(p) || p.startsWith(prefix);
    });
  };

  const issueToken = (
    role: { policies: string[]; namespace: string; mount: string },
    meta: Record<string, string>,
  ): HttpAnswer => {
    const token = `hvs.${randomBytes(18).toString('base64url')}`;
    addToken(token, { policies: role.policies, namespace: role.namespace }, true, `auth/${role.mount}/login`);
    const entry = tokens.get(token) as TokenEntry;
    return new HttpAnswer(
      200,
      envelope(null, {
        auth: {
          client_token: token,
          accessor: entry.accessor,
          policies: ['default', ...role.policies],
          token_policies: ['default', ...role.policies],
          metadata: meta,
          lease_duration: 2764800,
          renewable: true,
          entity_id: randomUUID(),
          token_type: 'service',
          orphan: true,
        },
      }),
    );
  };

  const login = (ns: string, mount: string, body: Record<string, unknown>): HttpAnswer => {
    const roles = authRoles.filter((a) => a.mount === mount && a.namespace === ns);
    // No such auth mount: the path is not a login path, so Vault wants a token and denies.
    if (roles.length === 0) return denied();
    const method = roles[0]?.method;
    const str = (k: string): string | undefined =>
      typeof body[k] === 'string' ? (body[k] as string) : undefined;
    if (method === 'approle') {
      const roleId = str('role_id');
      if (!roleId) return err(400, 'missing role_id');
      const role = roles.find((r) => r.method === 'approle' && r.roleId === roleId);
      if (!role || role.method !== 'approle') return err(400, 'invalid role or secret ID');
      if (role.secretId !== undefined && str('secret_id') !== role.secretId)
        return err(400, 'invalid role or secret ID');
      return issueToken(role, { role_name: 'dev' });
    }
    if (method === 'kubernetes') {
      const roleName = str('role');
      if (!roleName) return err(400, 'missing role');
      const role = roles.find((r) => r.method === 'kubernetes' && r.role === roleName);
      if (!role || role.method !== 'kubernetes') return err(400, `invalid role name "${roleName}"`);
      if (!str('jwt')) return err(400, 'missing jwt');
      if (str('jwt') !== role.jwt) return denied();
      return issueToken(role, { role: roleName, service_account_name: 'vault-rollout' });
    }
    // jwt
    const roleName = str('role');
    const role = roles.find(
      (r) => r.method === 'jwt' && (roleName === undefined ? r.role === undefined : r.role === roleName),
    );
    if (!role || role.method !== 'jwt')
      return err(400, roleName === undefined ? 'missing role' : `role "${roleName}" could not be found`);
    if (!str('jwt')) return err(400, 'missing token');
    if (str('jwt') !== role.jwt) return err(400, 'error validating token: invalid signature');
    return issueToken(role, { role: roleName ?? 'default' });
  };

  const listKeys = (m: MountEntry, prefix: string): HttpAnswer => {
    const p = prefix ? `${trimSlashes(prefix)}/` : '';
    const keys = new Set<string>();
    for (const key of m.secrets.keys()) {
      if (!key.startsWith(p)) continue;
      const rest = key.slice(p.length);
      const slash = rest.indexOf('/');
      keys.add(slash < 0 ? rest : rest.slice(0, slash + 1));
    }
    if (keys.size === 0) return err(404);
    return ok({ keys: [...keys].sort() });
  };

  const versionsFrom = (body: Record<string, unknown>): number[] =>
    Array.isArray(body.versions) ? body.versions.map(Number).filter((n) => Number.isInteger(n)) : [];

  const route = async (
    req: IncomingMessage,
    method: string,
    fullPath: string,
    query: URLSearchParams,
    headerNs: string,
    token: string | null,
    log: DevRequestLog,
  ): Promise<HttpAnswer> => {
    const { ns, path, moved } = resolveNamespace(headerNs, fullPath);
    const isList = method === 'LIST' || (method === 'GET' && ['true', '1'].includes(query.get('list') ?? ''));

    const loginMatch = /^auth\/(.+)\/login$/.exec(path);
    if (loginMatch && (method === 'POST' || method === 'PUT')) {
      if (!namespaces.has(ns)) return denied();
      return login(ns, loginMatch[1] as string, await readBody(req));
    }

    const t = token ? tokens.get(token) : undefined;
    if (!t || !namespaces.has(ns) || policyPath(t, ns, path) === null) return denied();

    if (path === 'auth/token/lookup-self' && (method === 'GET' || method === 'POST')) {
      return ok({
        accessor: t.accessor,
        creation_time: Math.floor(t.creationTime / 1000),
        creation_ttl: t.viaLogin ? 2764800 : 0,
        display_name: t.viaLogin ? 'approle' : 'token',
        entity_id: '',
        expire_time: null,
        explicit_max_ttl: 0,
        id: token,
        meta: null,
        num_uses: 0,
        orphan: true,
        path: t.path,
        policies: t.policies.includes('*') && !t.viaLogin ? ['root'] : ['default'],
        ttl: t.viaLogin ? 2764800 : 0,
        type: 'service',
      });
    }
    if (path === 'auth/token/revoke-self' && (method === 'POST' || method === 'PUT')) {
      tokens.delete(token as string);
      return noContent();
    }

    const uiMount = /^sys\/internal\/ui\/mounts\/(.+)$/.exec(path);
    if (uiMount && method === 'GET') {
      const target = resolveNamespace(ns, trimSlashes(uiMount[1] as string));
      const m = findMount(target.ns, target.path);
      const reported = `${trimSlashes(uiMount[1] as string)}/`;
      if (!m || !hasMountAccess(t, target.ns, m.path)) {
        // Vault answers 403 (not 404) when no mount matches, so the endpoint cannot enumerate mounts.
        return err(
          403,
          `preflight capability check returned 403, please ensure client's policies grant access to path "${reported}"`,
        );
      }
      return ok({
        accessor: m.accessor,
        config: { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 },
        description: m.type === 'kv' ? 'key/value secret storage' : '',
        external_entropy_access: false,
        local: false,
        options: m.type === 'kv' ? (m.version === 2 ? { version: '2' } : null) : null,
        path: `${moved}${target.moved}${m.path}/`,
        plugin_version: '',
        running_plugin_version: `v0.0.0+builtin`,
        running_sha256: '',
        seal_wrap: false,
        type: m.type,
        uuid: m.uuid,
      });
    }

    if (!allowed(t, ns, path)) return denied();

    const m = findMount(ns, path);
    if (!m) return err(404, `no handler for route "${path}". route entry not found.`);
    const sub = path === m.path ? '' : path.slice(m.path.length + 1);

    if (m.type !== 'kv' || m.version === 1) {
      if (isList) return listKeys(m, sub);
      if (method === 'GET' || method === 'HEAD') return refuseValueRead(log, method, fullPath);
      if (method === 'POST' || method === 'PUT') {
        await readBody(req); // values are thrown away
        writeVersion(m, trimSlashes(sub));
        return noContent();
      }
      return err(405, 'unsupported operation');
    }

    const kvMatch = /^(data|metadata|delete|undelete|destroy|config)(?:\/(.*))?$/.exec(sub);
    if (!kvMatch)
      return err(
        404,
        "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation.",
      );
    const op = kvMatch[1] as string;
    const key = trimSlashes(kvMatch[2] ?? '');
    const s = m.secrets.get(key);

    if (op === 'data') {
      if (method === 'GET' || method === 'HEAD' || isList) return refuseValueRead(log, method, fullPath);
      if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
        const body = await readBody(req); // the value (body.data) is dropped here, on purpose
        if (method === 'PATCH' && !s) return err(404);
        const opts = body.options as Record<string, unknown> | undefined;
        if (opts && typeof opts.cas === 'number' && opts.cas !== (s?.current ?? 0)) {
          return err(400, 'check-and-set parameter did not match the current version');
        }
        const version = writeVersion(m, key);
        const meta = (m.secrets.get(key) as DevSecretMeta).versions.get(version) as DevVersionMeta;
        return ok({ ...meta, custom_metadata: m.secrets.get(key)?.customMetadata ?? null, version });
      }
      if (method === 'DELETE') {
        if (s) markDeleted(s, [s.current]);
        return noContent();
      }
      return err(405, 'unsupported operation');
    }
    if (op === 'metadata') {
      if (isList) return listKeys(m, key);
      if (method === 'GET') return s ? ok(metadataBody(s)) : err(404);
      if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
        const body = await readBody(req);
        kv.updateMetadata(
          m.path,
          key,
          {
            ...(typeof body.max_versions === 'number' ? { maxVersions: body.max_versions } : {}),
            ...(typeof body.delete_version_after === 'string' || typeof body.delete_version_after === 'number'
              ? { deleteVersionAfter: body.delete_version_after }
              : {}),
            ...(body.custom_metadata && typeof body.custom_metadata === 'object'
              ? { customMetadata: body.custom_metadata as Record<string, string> }
              : {}),
          },
          { namespace: ns },
        );
        if (typeof body.cas_required === 'boolean')
          (m.secrets.get(key) as DevSecretMeta).casRequired = body.cas_required;
        return noContent();
      }
      if (method === 'DELETE') {
        m.secrets.delete(key);
        return noContent();
      }
      return err(405, 'unsupported operation');
    }
    if (op === 'delete' || op === 'undelete' || op === 'destroy') {
      if (method !== 'POST' && method !== 'PUT') return err(405, 'unsupported operation');
      const versions = versionsFrom(await readBody(req));
      if (versions.length === 0) return err(400, 'no version number provided');
      if (s && op === 'delete') markDeleted(s, versions);
      if (s && op === 'destroy') markDestroyed(s, versions);
      if (s && op === 'undelete') {
        for (const v of versions) {
          const meta = s.versions.get(v);
          if (meta && !meta.destroyed) meta.deletion_time = '';
        }
      }
      return noContent();
    }
    // config
    if (method === 'GET')
      return ok({ cas_required: false, delete_version_after: '0s', max_versions: m.maxVersions });
    return err(405, 'unsupported operation');
  };

  const refuseValueRead = (log: DevRequestLog, method: string, fullPath: string): HttpAnswer => {
    violationRequests.push(log);
    violationCount += 1;
    if (violationRequests.length > maxLogged) violationRequests.shift();
    return err(
      403,
      `vault-rollout dev server refuses to read secret values (${method} /v1/${fullPath}); read /metadata/ instead`,
    );
  };

  const healthBody = (): Record<string, unknown> => ({
    initialized: true,
    sealed,
    standby: false,
    performance_standby: false,
    replication_performance_mode: 'disabled',
    replication_dr_mode: 'disabled',
    server_time_utc: Math.floor(state.clock().getTime() / 1000),
    version: '1.19.0+dev',
    enterprise: namespaces.size > 1,
    cluster_name: 'vault-rollout-dev',
    cluster_id: 'dev',
  });

  const sockets = new Set<Socket>();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const headerNs = trimSlashes(String(req.headers['x-vault-namespace'] ?? ''));
    const auth = req.headers.authorization;
    const bearer =
      typeof auth === 'string' && /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, '') : null;
    const token =
      (typeof req.headers['x-vault-token'] === 'string' ? req.headers['x-vault-token'] : null) ?? bearer;
    const log: DevRequestLog = {
      method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      namespace: headerNs || null,
      tokenPresent: !!token,
      status: 0,
    };
    requests.push(log);
    requestCount += 1;
    if (requests.length > maxLogged) requests.splice(0, requests.length - maxLogged);

    if (drops > 0) {
      drops -= 1;
      log.fault = 'drop';
      req.socket.destroy();
      return;
    }
    if (state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs));

    let answer: HttpAnswer;
    let apiPath: string;
    try {
      apiPath = url.pathname
        .replace(/^\/v1\//, '')
        .split('/')
        .map((s) => decodeURIComponent(s))
        .join('/');
    } catch {
      apiPath = '';
    }
    apiPath = trimSlashes(apiPath.replace(/\/+/g, '/'));
    const fault =
      apiPath === 'sys/health'
        ? undefined
        : faults.find(
            (f) =>
              f.remaining > 0 &&
              (f.path === undefined ||
                (typeof f.path === 'string' ? apiPath.includes(f.path) : f.path.test(apiPath))),
          );

    if (!url.pathname.startsWith('/v1/')) {
      answer = err(404);
    } else if (apiPath === 'sys/health') {
      answer = new HttpAnswer(sealed ? 503 : 200, healthBody());
    } else if (sealed) {
      log.fault = 'sealed';
      answer = err(503, 'Vault is sealed');
    } else if (fault) {
      fault.remaining -= 1;
      log.fault = 'fail';
      const message =
        fault.status === 429
          ? `request path "${apiPath}": rate limit quota exceeded`
          : fault.status === 503
            ? 'Vault is temporarily unavailable'
            : fault.status === 502
              ? 'bad gateway'
              : 'internal error';
      answer = err(fault.status, message);
      if (fault.retryAfter !== undefined) answer.headers['Retry-After'] = String(fault.retryAfter);
    } else {
      try {
        answer = await route(req, method, apiPath, url.searchParams, headerNs, token, log);
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          answer = err(413, `request body over the dev server's limit of ${maxBody} bytes`);
          // The rest of the body is not read: the connection ends with the answer.
          answer.headers['Connection'] = 'close';
          res.on('finish', () => req.destroy());
        } else answer = err(500, e instanceof Error ? e.message : 'internal error');
      }
    }
    log.status = answer.status;
    const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...answer.headers };
    if (answer.body === undefined) {
      res.writeHead(answer.status, headers);
      res.end();
    } else {
      res.writeHead(answer.status, { ...headers, 'Content-Type': 'application/json' });
      res.end(`${JSON.stringify(answer.body)}\n`);
    }
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    handle(req, res)
      .catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      })
      .finally(() => {
        inFlight -= 1;
      });
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, listener) : createServer(listener);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    rootToken,
    kv,
    requests,
    get requestCount() {
      return requestCount;
    },
    get violations() {
      return violationCount;
    },
    violationRequests,
    get maxInFlight() {
      return maxInFlight;
    },
    get liveLoginTokens() {
      return [...tokens.values()].filter((t) => t.viaLogin).length;
    },
    get clock() {
      return state.clock;
    },
    set clock(fn: () => Date) {
      state.clock = fn;
    },
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(ms: number) {
      state.latencyMs = ms;
    },
    seal(s: boolean) {
      sealed = s;
    },
    failNext(n, status, opts = {}) {
      faults.push({ remaining: n, status, retryAfter: opts.retryAfter, path: opts.path });
    },
    dropConnections(n) {
      drops += n;
    },
    addToken(token, spec) {
      addToken(token, spec);
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
