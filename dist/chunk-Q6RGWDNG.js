#!/usr/bin/env node
import { createRequire as __vrCreateRequire } from 'node:module';
const require = __vrCreateRequire(import.meta.url);
import {
  startVaultDevServer
} from "./chunk-YUCCUVLB.js";
import {
  cleanSecretPath,
  secretPathProblem
} from "./chunk-LTON5VQS.js";
import {
  ConfigError,
  VaultError
} from "./chunk-WOKFXCO5.js";
import "./chunk-JQU5P57A.js";

// src/dev-server.ts
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
function parseSeed(text) {
  const trimmed = text.trim();
  let pairs;
  if (trimmed.startsWith("{")) {
    let json;
    try {
      json = JSON.parse(trimmed);
    } catch (err) {
      throw new ConfigError(`--seed: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    pairs = Object.entries(json);
  } else {
    pairs = trimmed.split("\n").map((line) => line.replace(/#.*$/, "")).join(" ").split(/[\s,]+/).filter((e) => e !== "").map((entry) => {
      const at = entry.lastIndexOf("@");
      return at === -1 ? [entry, 1] : [entry.slice(0, at), Number(entry.slice(at + 1))];
    });
  }
  return pairs.map(([raw, version]) => {
    const path = cleanSecretPath(raw).replace(/^([^/]+)\/(data|metadata)\//, "$1/");
    const problem = secretPathProblem(path);
    if (problem) throw new ConfigError(`--seed: "${raw}" is not a secret path: ${problem}`);
    if (typeof version !== "number" || !Number.isInteger(version) || version < 1 || version > 1e3)
      throw new ConfigError(`--seed: the version of "${raw}" must be a whole number from 1 to 1000`);
    const slash = path.indexOf("/");
    return { mount: path.slice(0, slash), path: path.slice(slash + 1), version };
  });
}
function readSeed(value, cwd) {
  const file = resolve(cwd, value);
  return parseSeed(existsSync(file) ? readFileSync(file, "utf8") : value);
}
async function startSeededServer(seeds, opts) {
  const mounts = [.../* @__PURE__ */ new Set(["kv", "secret", ...seeds.map((s) => s.mount)])];
  const server = await startVaultDevServer({
    mounts: mounts.map((path) => ({ path, version: 2 })),
    ...opts.port !== void 0 ? { port: opts.port } : {},
    ...opts.token ? { rootToken: opts.token } : {}
  });
  for (const s of seeds) for (let i = 0; i < s.version; i++) server.kv.write(s.mount, s.path);
  return server;
}
var SEEDS_LISTED = 10;
function seededLine(seeds) {
  if (seeds.length === 0) return "Seeded: nothing (pass --seed kv/app/db@3,kv/app/api)";
  const listed = seeds.slice(0, SEEDS_LISTED).map((s) => `${s.mount}/${s.path} v${s.version}`);
  const more = seeds.length - listed.length;
  return `Seeded: ${listed.join(", ")}${more > 0 ? `, \u2026 and ${more} more` : ""}`;
}
var sh = (v) => /^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
function devServerBanner(server, seeds, cli = "vault-rollout") {
  const example = seeds[0] ? `${seeds[0].mount}/${seeds[0].path}` : "kv/app/db";
  const [mount, ...rest] = example.split("/");
  return [
    `Vault-compatible dev server listening on ${server.url} (KV v2 metadata only: it keeps no secret value).`,
    "",
    "In another terminal:",
    `export VAULT_ADDR=${sh(server.url)} VAULT_TOKEN=${sh(server.rootToken)}`,
    "",
    seededLine(seeds),
    "",
    "Try vault-rollout on your repository:",
    `  ${cli} status --repo .`,
    `  ${cli} apply  --repo . --dry-run`,
    `Rotate a secret (a new version), then plan again:`,
    `  ${cli} dev-server put ${example}`,
    `  curl -sS -X POST -H "X-Vault-Token: $VAULT_TOKEN" -d '{"data":{}}' "$VAULT_ADDR/v1/${mount}/data/${rest.join("/")}"`,
    "",
    "Ctrl-C stops the server.",
    ""
  ].join("\n");
}
async function devServerCommand(opts, io) {
  const seeds = opts.seed ? readSeed(opts.seed, io.cwd) : [];
  const server = await startSeededServer(seeds, opts);
  io.stdout(devServerBanner(server, seeds, io.cli));
  const signal = await io.stopped;
  await server.close();
  const reads = server.requests.filter((r) => /^\/v1\/[^?]+\/metadata\//.test(r.path)).length;
  const recent = server.requestCount > server.requests.length ? ` (of the last ${server.requests.length})` : "";
  io.stderr(
    `dev-server: ${signal}: stopped after ${server.requestCount} request(s), ${reads} metadata read(s)${recent}.
`
  );
  return 0;
}
async function putSecret(secret, env, fetchFn = fetch) {
  const [entry] = parseSeed(secret);
  if (!entry) throw new ConfigError("dev-server put: name a secret, e.g. kv/app/db");
  const address = env.VAULT_ADDR?.trim();
  const token = env.VAULT_TOKEN?.trim();
  if (!address || !token)
    throw new VaultError(
      "dev-server put: set VAULT_ADDR and VAULT_TOKEN (the export line dev-server printed)",
      {
        variable: address ? "VAULT_TOKEN" : "VAULT_ADDR"
      }
    );
  const url = `${address.replace(/\/+$/, "")}/v1/${entry.mount}/data/${entry.path}`;
  let res;
  try {
    res = await fetchFn(url, {
      method: "POST",
      headers: { "X-Vault-Token": token, "Content-Type": "application/json" },
      body: '{"data":{}}',
      signal: AbortSignal.timeout(1e4)
    });
  } catch (err) {
    throw new VaultError(
      `dev-server put: Vault at "${address}" did not answer (${err instanceof Error ? err.message : String(err)})`
    );
  }
  const body = await res.json().catch(() => null);
  const version = body?.data?.version;
  if (!res.ok || typeof version !== "number")
    throw new VaultError(
      `dev-server put: Vault at "${address}" answered HTTP ${res.status} for ${entry.mount}/${entry.path}`
    );
  return version;
}
export {
  devServerBanner,
  devServerCommand,
  parseSeed,
  putSecret,
  readSeed,
  startSeededServer
};
