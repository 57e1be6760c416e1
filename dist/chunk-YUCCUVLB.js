#!/usr/bin/env node
import { createRequire as __vrCreateRequire } from 'node:module';
const require = __vrCreateRequire(import.meta.url);

// src/dev/vault-dev-server.ts
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
var DEV_MAX_BODY_BYTES = 1024 * 1024;
var DEV_MAX_LOGGED_REQUESTS = 1e4;
var BodyTooLarge = class extends Error {
};
var PERMISSION_DENIED = "1 error occurred:\n	* permission denied\n\n";
var HttpAnswer = class {
  constructor(status, body, headers = {}) {
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
  status;
  body;
  headers;
};
var trimSlashes = (s) => s.replace(/^\/+|\/+$/g, "");
function formatGoDuration(ms) {
  if (ms === 0) return "0s";
  if (ms < 1e3) return `${ms}ms`;
  const h = Math.floor(ms / 36e5);
  const m = Math.floor(ms % 36e5 / 6e4);
  const s = ms % 6e4 / 1e3;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, "")}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}
function parseGoDuration(v) {
  if (typeof v === "number") return Math.round(v * 1e3);
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1e3);
  const units = {
    h: 36e5,
    m: 6e4,
    s: 1e3,
    ms: 1,
    us: 1e-3,
    \u00B5s: 1e-3,
    ns: 1e-6
  };
  let total = 0;
  let rest = t;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ms|us|\u00b5s|ns|h|m|s)/.exec(rest);
    if (!m) throw new Error(`invalid duration "${v}"`);
    total += Number(m[1]) * (units[m[2]] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}
function globToRegExp(glob) {
  let re = "";
  for (const ch of glob) {
    if (ch === "*") re += ".*";
    else if (ch === "+") re += "[^/]+";
    else re += ch.replace(/[.?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
async function startVaultDevServer(options = {}) {
  const rootToken = options.rootToken ?? `hvs.dev-${randomBytes(12).toString("hex")}`;
  const namespaces = /* @__PURE__ */ new Set(["", ...(options.namespaces ?? []).map(trimSlashes)]);
  const tokens = /* @__PURE__ */ new Map();
  const mounts = [];
  const requests = [];
  const maxLogged = options.maxLoggedRequests ?? DEV_MAX_LOGGED_REQUESTS;
  let requestCount = 0;
  let violationCount = 0;
  const violationRequests = [];
  const faults = [];
  let drops = 0;
  let sealed = false;
  let nanoCounter = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const state = {
    clock: options.clock ?? (() => /* @__PURE__ */ new Date()),
    latencyMs: 0
  };
  const accessor = () => randomBytes(12).toString("base64url");
  const addToken = (token, spec, viaLogin = false, path = "auth/token/create") => {
    tokens.set(token, {
      policies: [...spec.policies],
      namespace: trimSlashes(spec.namespace ?? ""),
      accessor: accessor(),
      viaLogin,
      path,
      creationTime: state.clock().getTime()
    });
  };
  addToken(rootToken, { policies: ["*"] }, false, "auth/token/root");
  for (const [t, spec] of Object.entries(options.tokens ?? {})) addToken(t, spec);
  for (const m of options.mounts ?? [
    { path: "kv", version: 2 },
    { path: "secret", version: 2 }
  ]) {
    const ns = trimSlashes(m.namespace ?? "");
    namespaces.add(ns);
    mounts.push({
      path: trimSlashes(m.path),
      version: m.version ?? 2,
      type: m.type ?? "kv",
      namespace: ns,
      maxVersions: m.maxVersions ?? 0,
      accessor: `${m.type ?? "kv"}_${randomBytes(4).toString("hex")}`,
      uuid: randomUUID(),
      secrets: /* @__PURE__ */ new Map()
    });
  }
  const authRoles = (options.auth ?? []).map((a) => ({
    ...a,
    mount: trimSlashes(a.mount ?? a.method),
    namespace: trimSlashes(a.namespace ?? "")
  }));
  const timestamp = (d) => {
    nanoCounter = (nanoCounter + 1) % 1e6;
    return d.toISOString().replace(/Z$/, `${String(nanoCounter).padStart(6, "0")}Z`);
  };
  const findMount = (ns, path) => {
    let best;
    for (const m of mounts) {
      if (m.namespace !== ns) continue;
      if (path === m.path || path.startsWith(`${m.path}/`)) {
        if (!best || m.path.length > best.path.length) best = m;
      }
    }
    return best;
  };
  const mountOrThrow = (mountPath, ns = "") => {
    const m = mounts.find((x) => x.path === trimSlashes(mountPath) && x.namespace === trimSlashes(ns));
    if (!m) throw new Error(`dev server: no mount "${mountPath}" in namespace "${ns}"`);
    return m;
  };
  const writeVersion = (m, key, customMetadata) => {
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
        versions: /* @__PURE__ */ new Map()
      };
      m.secrets.set(key, s);
    }
    if (customMetadata) s.customMetadata = { ...customMetadata };
    if (m.version === 1) {
      s.updated = timestamp(now);
      return 0;
    }
    s.current += 1;
    const created = timestamp(now);
    s.updated = created;
    s.versions.set(s.current, {
      created_time: created,
      // Vault sets deletion_time at write time when delete_version_after is configured.
      deletion_time: s.deleteVersionAfterMs > 0 ? timestamp(new Date(now.getTime() + s.deleteVersionAfterMs)) : "",
      destroyed: false
    });
    const keep = s.maxVersions || m.maxVersions || 10;
    for (const v of [...s.versions.keys()].sort((a, b) => a - b)) {
      if (s.versions.size <= keep) break;
      s.versions.delete(v);
    }
    s.oldest = s.versions.size < s.current ? Math.min(...s.versions.keys()) : 0;
    return s.current;
  };
  const secretOf = (m, key) => m.secrets.get(trimSlashes(key));
  const markDeleted = (s, versions) => {
    const now = timestamp(state.clock());
    for (const v of versions) {
      const meta = s.versions.get(v);
      if (meta && !meta.destroyed) meta.deletion_time = now;
    }
  };
  const markDestroyed = (s, versions) => {
    for (const v of versions) {
      const meta = s.versions.get(v);
      if (meta) meta.destroyed = true;
    }
  };
  const applyMetadata = (s, meta) => {
    if (meta.maxVersions !== void 0) s.maxVersions = meta.maxVersions;
    if (meta.deleteVersionAfter !== void 0)
      s.deleteVersionAfterMs = parseGoDuration(meta.deleteVersionAfter);
    if (meta.customMetadata !== void 0)
      s.customMetadata = meta.customMetadata ? { ...meta.customMetadata } : null;
    if (meta.casRequired !== void 0) s.casRequired = meta.casRequired;
    s.updated = timestamp(state.clock());
  };
  const kv = {
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
        { deleteVersionAfter: typeof after === "number" ? `${after}ms` : after },
        opts
      );
    },
    updateMetadata(mountPath, path, meta, opts) {
      const m = mountOrThrow(mountPath, opts?.namespace);
      const key = trimSlashes(path);
      if (!m.secrets.has(key)) {
        writeVersion(m, key);
        const s = m.secrets.get(key);
        s.current = 0;
        s.versions.clear();
      }
      applyMetadata(m.secrets.get(key), meta);
    },
    get(mountPath, path, opts) {
      return secretOf(mountOrThrow(mountPath, opts?.namespace), path);
    }
  };
  const metadataBody = (s) => {
    const versions = {};
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
      versions
    };
  };
  const envelope = (data, extra = {}) => ({
    request_id: randomUUID(),
    lease_id: "",
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
    ...extra
  });
  const ok = (data) => new HttpAnswer(200, envelope(data));
  const noContent = () => new HttpAnswer(204, void 0);
  const err = (status, ...errors) => new HttpAnswer(status, { errors });
  const denied = () => err(403, PERMISSION_DENIED);
  const maxBody = options.maxBodyBytes ?? DEV_MAX_BODY_BYTES;
  const readBody = async (req) => {
    if (Number(req.headers["content-length"] ?? 0) > maxBody) throw new BodyTooLarge();
    const chunks = [];
    let size = 0;
    for await (const c of req) {
      size += c.length;
      if (size > maxBody) throw new BodyTooLarge();
      chunks.push(c);
    }
    if (chunks.length === 0) return {};
    try {
      const v = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      return v && typeof v === "object" ? v : {};
    } catch {
      return {};
    }
  };
  const resolveNamespace = (headerNs, path) => {
    let ns = headerNs;
    let rest = path;
    let moved = "";
    for (; ; ) {
      const slash = rest.indexOf("/");
      if (slash < 0) break;
      const candidate = ns ? `${ns}/${rest.slice(0, slash)}` : rest.slice(0, slash);
      if (!namespaces.has(candidate) || candidate === "") break;
      moved += rest.slice(0, slash + 1);
      ns = candidate;
      rest = rest.slice(slash + 1);
    }
    return { ns, path: rest, moved };
  };
  const policyPath = (t, ns, path) => {
    if (t.namespace === ns) return path;
    if (t.namespace === "") return `${ns}/${path}`;
    if (ns.startsWith(`${t.namespace}/`)) return `${ns.slice(t.namespace.length + 1)}/${path}`;
    return null;
  };
  const allowed = (t, ns, path) => {
    const p = policyPath(t, ns, path);
    return p !== null && t.policies.some((g) => globToRegExp(g).test(p));
  };
  const hasMountAccess = (t, ns, mountPath) => {
    const p = policyPath(t, ns, `${mountPath}/`);
    if (p === null) return false;
    return t.policies.some((g) => {
      const wild = g.search(/[*+]/);
      const prefix = wild < 0 ? g : g.slice(0, wild);
      return prefix.startsWith(p) || p.startsWith(prefix);
    });
  };
  const issueToken = (role, meta) => {
    const token = `hvs.${randomBytes(18).toString("base64url")}`;
    addToken(token, { policies: role.policies, namespace: role.namespace }, true, `auth/${role.mount}/login`);
    const entry = tokens.get(token);
    return new HttpAnswer(
      200,
      envelope(null, {
        auth: {
          client_token: token,
          accessor: entry.accessor,
          policies: ["default", ...role.policies],
          token_policies: ["default", ...role.policies],
          metadata: meta,
          lease_duration: 2764800,
          renewable: true,
          entity_id: randomUUID(),
          token_type: "service",
          orphan: true
        }
      })
    );
  };
  const login = (ns, mount, body) => {
    const roles = authRoles.filter((a) => a.mount === mount && a.namespace === ns);
    if (roles.length === 0) return denied();
    const method = roles[0]?.method;
    const str = (k) => typeof body[k] === "string" ? body[k] : void 0;
    if (method === "approle") {
      const roleId = str("role_id");
      if (!roleId) return err(400, "missing role_id");
      const role2 = roles.find((r) => r.method === "approle" && r.roleId === roleId);
      if (!role2 || role2.method !== "approle") return err(400, "invalid role or secret ID");
      if (role2.secretId !== void 0 && str("secret_id") !== role2.secretId)
        return err(400, "invalid role or secret ID");
      return issueToken(role2, { role_name: "dev" });
    }
    if (method === "kubernetes") {
      const roleName2 = str("role");
      if (!roleName2) return err(400, "missing role");
      const role2 = roles.find((r) => r.method === "kubernetes" && r.role === roleName2);
      if (!role2 || role2.method !== "kubernetes") return err(400, `invalid role name "${roleName2}"`);
      if (!str("jwt")) return err(400, "missing jwt");
      if (str("jwt") !== role2.jwt) return denied();
      return issueToken(role2, { role: roleName2, service_account_name: "vault-rollout" });
    }
    const roleName = str("role");
    const role = roles.find(
      (r) => r.method === "jwt" && (roleName === void 0 ? r.role === void 0 : r.role === roleName)
    );
    if (!role || role.method !== "jwt")
      return err(400, roleName === void 0 ? "missing role" : `role "${roleName}" could not be found`);
    if (!str("jwt")) return err(400, "missing token");
    if (str("jwt") !== role.jwt) return err(400, "error validating token: invalid signature");
    return issueToken(role, { role: roleName ?? "default" });
  };
  const listKeys = (m, prefix) => {
    const p = prefix ? `${trimSlashes(prefix)}/` : "";
    const keys = /* @__PURE__ */ new Set();
    for (const key of m.secrets.keys()) {
      if (!key.startsWith(p)) continue;
      const rest = key.slice(p.length);
      const slash = rest.indexOf("/");
      keys.add(slash < 0 ? rest : rest.slice(0, slash + 1));
    }
    if (keys.size === 0) return err(404);
    return ok({ keys: [...keys].sort() });
  };
  const detailedList = (m, prefix, query) => {
    const listed = listKeys(m, prefix);
    if (listed.status !== 200) return listed;
    const all = (listed.body.data.keys ?? []).slice();
    const after = query.get("after") ?? "";
    const limit = Number(query.get("limit") ?? 0);
    let keys = after ? all.filter((k) => k > after) : all;
    if (Number.isInteger(limit) && limit > 0) keys = keys.slice(0, limit);
    const folder = prefix ? `${trimSlashes(prefix)}/` : "";
    const keyInfo = {};
    for (const k of keys) {
      const s = k.endsWith("/") ? void 0 : m.secrets.get(`${folder}${k}`);
      if (s) keyInfo[k] = metadataBody(s);
    }
    return ok({ keys, key_info: keyInfo });
  };
  const versionsFrom = (body) => Array.isArray(body.versions) ? body.versions.map(Number).filter((n) => Number.isInteger(n)) : [];
  const route = async (req, method, fullPath, query, headerNs, token, log) => {
    const { ns, path, moved } = resolveNamespace(headerNs, fullPath);
    const isList = method === "LIST" || method === "GET" && ["true", "1"].includes(query.get("list") ?? "");
    const loginMatch = /^auth\/(.+)\/login$/.exec(path);
    if (loginMatch && (method === "POST" || method === "PUT")) {
      if (!namespaces.has(ns)) return denied();
      return login(ns, loginMatch[1], await readBody(req));
    }
    const t = token ? tokens.get(token) : void 0;
    if (!t || !namespaces.has(ns) || policyPath(t, ns, path) === null) return denied();
    if (path === "auth/token/lookup-self" && (method === "GET" || method === "POST")) {
      return ok({
        accessor: t.accessor,
        creation_time: Math.floor(t.creationTime / 1e3),
        creation_ttl: t.viaLogin ? 2764800 : 0,
        display_name: t.viaLogin ? "approle" : "token",
        entity_id: "",
        expire_time: null,
        explicit_max_ttl: 0,
        id: token,
        meta: null,
        num_uses: 0,
        orphan: true,
        path: t.path,
        policies: t.policies.includes("*") && !t.viaLogin ? ["root"] : ["default"],
        ttl: t.viaLogin ? 2764800 : 0,
        type: "service"
      });
    }
    if (path === "auth/token/revoke-self" && (method === "POST" || method === "PUT")) {
      tokens.delete(token);
      return noContent();
    }
    const uiMount = /^sys\/internal\/ui\/mounts\/(.+)$/.exec(path);
    if (uiMount && method === "GET") {
      const target = resolveNamespace(ns, trimSlashes(uiMount[1]));
      const m2 = findMount(target.ns, target.path);
      const reported = `${trimSlashes(uiMount[1])}/`;
      if (!m2 || !hasMountAccess(t, target.ns, m2.path)) {
        return err(
          403,
          `preflight capability check returned 403, please ensure client's policies grant access to path "${reported}"`
        );
      }
      return ok({
        accessor: m2.accessor,
        config: { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 },
        description: m2.type === "kv" ? "key/value secret storage" : "",
        external_entropy_access: false,
        local: false,
        options: m2.type === "kv" ? m2.version === 2 ? { version: "2" } : null : null,
        path: `${moved}${target.moved}${m2.path}/`,
        plugin_version: "",
        running_plugin_version: `v0.0.0+builtin`,
        running_sha256: "",
        seal_wrap: false,
        type: m2.type,
        uuid: m2.uuid
      });
    }
    if (!allowed(t, ns, path)) return denied();
    const m = findMount(ns, path);
    if (!m) return err(404, `no handler for route "${path}". route entry not found.`);
    const sub = path === m.path ? "" : path.slice(m.path.length + 1);
    if (m.type !== "kv" || m.version === 1) {
      if (isList) return listKeys(m, sub);
      if (method === "GET" || method === "HEAD") return refuseValueRead(log, method, fullPath);
      if (method === "POST" || method === "PUT") {
        await readBody(req);
        writeVersion(m, trimSlashes(sub));
        return noContent();
      }
      return err(405, "unsupported operation");
    }
    const detailed = /^detailed-metadata(?:\/(.*))?$/.exec(sub);
    if (detailed && options.flavour === "openbao") {
      if (!isList) return err(405, "unsupported operation");
      return detailedList(m, detailed[1] ?? "", query);
    }
    const kvMatch = /^(data|metadata|delete|undelete|destroy|config)(?:\/(.*))?$/.exec(sub);
    if (!kvMatch)
      return err(
        404,
        "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation."
      );
    const op = kvMatch[1];
    const key = trimSlashes(kvMatch[2] ?? "");
    const s = m.secrets.get(key);
    if (op === "data") {
      if (method === "GET" || method === "HEAD" || isList) return refuseValueRead(log, method, fullPath);
      if (method === "POST" || method === "PUT" || method === "PATCH") {
        const body = await readBody(req);
        if (method === "PATCH" && !s) return err(404);
        const opts = body.options;
        if (opts && typeof opts.cas === "number" && opts.cas !== (s?.current ?? 0)) {
          return err(400, "check-and-set parameter did not match the current version");
        }
        const version = writeVersion(m, key);
        const meta = m.secrets.get(key).versions.get(version);
        return ok({ ...meta, custom_metadata: m.secrets.get(key)?.customMetadata ?? null, version });
      }
      if (method === "DELETE") {
        if (s) markDeleted(s, [s.current]);
        return noContent();
      }
      return err(405, "unsupported operation");
    }
    if (op === "metadata") {
      if (isList) return listKeys(m, key);
      if (method === "GET") return s ? ok(metadataBody(s)) : err(404);
      if (method === "POST" || method === "PUT" || method === "PATCH") {
        const body = await readBody(req);
        kv.updateMetadata(
          m.path,
          key,
          {
            ...typeof body.max_versions === "number" ? { maxVersions: body.max_versions } : {},
            ...typeof body.delete_version_after === "string" || typeof body.delete_version_after === "number" ? { deleteVersionAfter: body.delete_version_after } : {},
            ...body.custom_metadata && typeof body.custom_metadata === "object" ? { customMetadata: body.custom_metadata } : {}
          },
          { namespace: ns }
        );
        if (typeof body.cas_required === "boolean")
          m.secrets.get(key).casRequired = body.cas_required;
        return noContent();
      }
      if (method === "DELETE") {
        m.secrets.delete(key);
        return noContent();
      }
      return err(405, "unsupported operation");
    }
    if (op === "delete" || op === "undelete" || op === "destroy") {
      if (method !== "POST" && method !== "PUT") return err(405, "unsupported operation");
      const versions = versionsFrom(await readBody(req));
      if (versions.length === 0) return err(400, "no version number provided");
      if (s && op === "delete") markDeleted(s, versions);
      if (s && op === "destroy") markDestroyed(s, versions);
      if (s && op === "undelete") {
        for (const v of versions) {
          const meta = s.versions.get(v);
          if (meta && !meta.destroyed) meta.deletion_time = "";
        }
      }
      return noContent();
    }
    if (method === "GET")
      return ok({ cas_required: false, delete_version_after: "0s", max_versions: m.maxVersions });
    return err(405, "unsupported operation");
  };
  const refuseValueRead = (log, method, fullPath) => {
    violationRequests.push(log);
    violationCount += 1;
    if (violationRequests.length > maxLogged) violationRequests.shift();
    return err(
      403,
      `vault-rollout dev server refuses to read secret values (${method} /v1/${fullPath}); read /metadata/ instead`
    );
  };
  const healthBody = () => ({
    initialized: true,
    sealed,
    standby: false,
    performance_standby: false,
    replication_performance_mode: "disabled",
    replication_dr_mode: "disabled",
    server_time_utc: Math.floor(state.clock().getTime() / 1e3),
    version: "1.19.0+dev",
    enterprise: namespaces.size > 1,
    cluster_name: "vault-rollout-dev",
    cluster_id: "dev"
  });
  const sockets = /* @__PURE__ */ new Set();
  const handle = async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = (req.method ?? "GET").toUpperCase();
    const headerNs = trimSlashes(String(req.headers["x-vault-namespace"] ?? ""));
    const auth = req.headers.authorization;
    const bearer = typeof auth === "string" && /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, "") : null;
    const token = (typeof req.headers["x-vault-token"] === "string" ? req.headers["x-vault-token"] : null) ?? bearer;
    const log = {
      method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ""),
      namespace: headerNs || null,
      tokenPresent: !!token,
      status: 0
    };
    requests.push(log);
    requestCount += 1;
    if (requests.length > maxLogged) requests.splice(0, requests.length - maxLogged);
    if (drops > 0) {
      drops -= 1;
      log.fault = "drop";
      req.socket.destroy();
      return;
    }
    if (state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs));
    let answer;
    let apiPath;
    try {
      apiPath = url.pathname.replace(/^\/v1\//, "").split("/").map((s) => decodeURIComponent(s)).join("/");
    } catch {
      apiPath = "";
    }
    apiPath = trimSlashes(apiPath.replace(/\/+/g, "/"));
    const fault = apiPath === "sys/health" ? void 0 : faults.find(
      (f) => f.remaining > 0 && (f.path === void 0 || (typeof f.path === "string" ? apiPath.includes(f.path) : f.path.test(apiPath)))
    );
    if (!url.pathname.startsWith("/v1/")) {
      answer = err(404);
    } else if (apiPath === "sys/health") {
      answer = new HttpAnswer(sealed ? 503 : 200, healthBody());
    } else if (sealed) {
      log.fault = "sealed";
      answer = err(503, "Vault is sealed");
    } else if (fault) {
      fault.remaining -= 1;
      log.fault = "fail";
      const message = fault.status === 429 ? `request path "${apiPath}": rate limit quota exceeded` : fault.status === 503 ? "Vault is temporarily unavailable" : fault.status === 502 ? "bad gateway" : "internal error";
      answer = err(fault.status, message);
      if (fault.retryAfter !== void 0) answer.headers["Retry-After"] = String(fault.retryAfter);
    } else {
      try {
        answer = await route(req, method, apiPath, url.searchParams, headerNs, token, log);
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          answer = err(413, `request body over the dev server's limit of ${maxBody} bytes`);
          answer.headers["Connection"] = "close";
          res.on("finish", () => req.destroy());
        } else answer = err(500, e instanceof Error ? e.message : "internal error");
      }
    }
    log.status = answer.status;
    const headers = { "Cache-Control": "no-store", ...answer.headers };
    if (answer.body === void 0) {
      res.writeHead(answer.status, headers);
      res.end();
    } else {
      res.writeHead(answer.status, { ...headers, "Content-Type": "application/json" });
      res.end(`${JSON.stringify(answer.body)}
`);
    }
  };
  const listener = (req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    }).finally(() => {
      inFlight -= 1;
    });
  };
  const server = options.tls ? createHttpsServer(options.tls, listener) : createServer(listener);
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address();
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
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
    set clock(fn) {
      state.clock = fn;
    },
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(ms) {
      state.latencyMs = ms;
    },
    seal(s) {
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
      return new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    }
  };
}

export {
  startVaultDevServer
};
