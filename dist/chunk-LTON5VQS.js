#!/usr/bin/env node
import { createRequire as __vrCreateRequire } from 'node:module';
const require = __vrCreateRequire(import.meta.url);

// src/core/secret-path.ts
function cleanSecretPath(raw) {
  let p = raw.trim().replace(/^\/+/, "");
  if (p.startsWith("v1/")) p = p.slice(3);
  return p;
}
function splitAtMount(p, mount) {
  const m = mount.replace(/^\/+|\/+$/g, "");
  if (p !== m && !p.startsWith(`${m}/`)) return null;
  let rest = p.slice(m.length + 1);
  if (rest.startsWith("data/")) rest = rest.slice(5);
  else if (rest.startsWith("metadata/")) rest = rest.slice(9);
  return { mount: m, rest };
}
function normalizeSecretPath(raw, mounts = []) {
  const p = cleanSecretPath(raw);
  const sorted = [...mounts].sort((a, b) => b.length - a.length);
  for (const mount of sorted) {
    const split2 = splitAtMount(p, mount);
    if (split2 && split2.rest) return `${split2.mount}/${split2.rest}`;
  }
  const slash = p.indexOf("/");
  if (slash < 0) return p;
  const split = splitAtMount(p, p.slice(0, slash));
  return split && split.rest ? `${split.mount}/${split.rest}` : p;
}
var SEGMENT = /^[A-Za-z0-9_.@+=-]+$/;
function secretPathProblem(p) {
  const problem = unsafePathProblem(p);
  if (problem !== null) return problem;
  if (!p.includes("/")) return "it is not of the form mount/path (e.g. kv/app/db)";
  return null;
}
function unsafePathProblem(p) {
  if (p === "") return "the path is empty";
  const segments = p.split("/");
  for (const segment of segments) {
    if (segment === "") return 'it has an empty segment ("//" or a trailing "/")';
    if (segment === "." || segment === "..") return `it has a "${segment}" segment`;
    if (segment.includes("%")) {
      let decoded = null;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
      }
      if (decoded === "." || decoded === "..") return `it has a percent-encoded "${decoded}" segment`;
      if (decoded?.includes("/")) return 'it has a percent-encoded "/"';
      return "it has a percent-encoded character";
    }
    if (!SEGMENT.test(segment)) {
      const bad = [...segment].find((c) => !SEGMENT.test(c)) ?? "";
      return `it has the character ${JSON.stringify(bad)}, which Vault secret paths do not use`;
    }
  }
  return null;
}
function parseSecretPath(raw, mounts = []) {
  const p = cleanSecretPath(raw);
  const reason = secretPathProblem(p);
  if (reason !== null) return { ok: false, path: p, reason };
  const path = normalizeSecretPath(p, mounts);
  const after = secretPathProblem(path);
  return after === null ? { ok: true, path } : { ok: false, path: p, reason: after };
}
function vaultNamespaceProblem(ns) {
  const trimmed = ns.replace(/^\//, "").replace(/\/$/, "");
  if (trimmed === "") return "the namespace is empty";
  for (const segment of trimmed.split("/")) {
    if (segment === "") return 'it has an empty segment ("//")';
    if (segment === "." || segment === "..") return `it has a "${segment}" segment`;
    const bad = [...segment].find((c) => !NAMESPACE_CHAR.test(c));
    if (bad !== void 0)
      return `it has the character ${JSON.stringify(bad)}, which Vault namespaces do not use`;
  }
  return null;
}
var NAMESPACE_CHAR = /^[A-Za-z0-9_.@+=-]$/;

export {
  cleanSecretPath,
  splitAtMount,
  normalizeSecretPath,
  secretPathProblem,
  unsafePathProblem,
  parseSecretPath,
  vaultNamespaceProblem
};
