#!/usr/bin/env node
import { createRequire as __vrCreateRequire } from 'node:module';
const require = __vrCreateRequire(import.meta.url);

// src/core/limits.ts
function oversizeProblem(file, size, limit) {
  return {
    file,
    severity: "warning",
    message: `file is ${size} bytes, over the maxFileBytes limit of ${limit} bytes: skipped (raise maxFileBytes in the config to read it)`
  };
}
var DEFAULT_GIT_LIMITS = {
  timeoutMs: 10 * 6e4,
  maxResponseBytes: 1024 * 1024 * 1024
};
var DEFAULT_GITHUB_LIMITS = {
  timeoutMs: 6e4,
  maxResponseBytes: 64 * 1024 * 1024
};
var DEFAULT_GITLAB_LIMITS = DEFAULT_GITHUB_LIMITS;
function requestLimits(block, defaults) {
  return {
    timeoutMs: block?.timeoutSeconds !== void 0 ? block.timeoutSeconds * 1e3 : defaults.timeoutMs,
    maxResponseBytes: block?.maxResponseBytes ?? defaults.maxResponseBytes
  };
}
var MAX_KUSTOMIZE_DEPTH = 1e4;
var MAX_ROOT_DOCUMENTS = 1e5;
var MAX_ROOT_BYTES = 256 * 1024 * 1024;
var DEFAULT_ROOT_LIMITS = {
  maxDepth: MAX_KUSTOMIZE_DEPTH,
  maxDocuments: MAX_ROOT_DOCUMENTS,
  maxBytes: MAX_ROOT_BYTES
};
var MAX_CONFIG_BYTES = 1024 * 1024;

// src/core/repo-location.ts
var SSH_SCHEMES = /* @__PURE__ */ new Set(["ssh", "git+ssh", "ssh+git"]);
function repoKind(repo) {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(repo);
  if (scheme) return SSH_SCHEMES.has(scheme[1].toLowerCase()) ? "ssh" : "url";
  const colon = repo.indexOf(":");
  if (colon <= 0) return "local";
  const slash = repo.search(/[\\/]/);
  if (slash !== -1 && slash < colon) return "local";
  if (/^[a-z]:(?:[\\/]|$)/i.test(repo)) return "local";
  return "ssh";
}
function isRemoteRepo(repo) {
  return repoKind(repo) !== "local";
}
var withoutPassword = (repo) => repo.replace(/^([a-z+]+:\/\/[^@/:]*):[^@/]*@/i, "$1@");
function sshRepoMessage(repo) {
  const folder = !repo.includes("://") && !repo.includes("@") ? ` (for a folder of that name, write "./${repo}")` : "";
  return `SSH repository URLs need the git CLI ("${withoutPassword(repo)}"): install git, or use the HTTPS URL${folder}`;
}
var LOOPBACK = /* @__PURE__ */ new Set(["127.0.0.1", "::1", "[::1]", "localhost"]);
function isLoopbackHost(hostname) {
  return LOOPBACK.has(hostname);
}

// src/core/discover/repo-paths.ts
function baseName(path) {
  return path.slice(path.lastIndexOf("/") + 1);
}
function dirName(path) {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}
function under(path, folder) {
  return folder === "" || path === folder || path.startsWith(`${folder}/`);
}
function joinPath(dir, rel) {
  const out = rel.startsWith("/") ? [] : dir.split("/").filter(Boolean);
  for (const seg of rel.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(seg);
  }
  return out.join("/");
}

// src/core/discover/kustomization-names.ts
var KUSTOMIZATION_NAMES = [
  "kustomization.yaml",
  "kustomization.yml",
  "Kustomization"
];
function isKustomizationFile(path) {
  return KUSTOMIZATION_NAMES.includes(baseName(path));
}

// src/core/branch-name.ts
function branchNameProblem(name) {
  if (name === "") return "must not be empty";
  if (name.startsWith("-")) return 'must not start with "-"';
  if (name === "@" || name === "HEAD") return `"${name}" names a commit, not a branch`;
  if (name.startsWith("/") || name.endsWith("/") || name.includes("//"))
    return 'must not start or end with "/" or hold "//"';
  if (name.endsWith(".")) return 'must not end with "."';
  if (name.includes("..")) return 'must not contain ".."';
  if (name.includes("@{")) return 'must not contain "@{"';
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name))
    return "must not contain spaces, control characters or any of ~ ^ : ? * [ \\";
  for (const part of name.split("/")) {
    if (part.startsWith(".")) return 'no part between "/" may start with "."';
    if (part.endsWith(".lock")) return 'no part between "/" may end with ".lock"';
  }
  return null;
}
function isValidBranchName(name) {
  return branchNameProblem(name) === null;
}

export {
  oversizeProblem,
  DEFAULT_GIT_LIMITS,
  DEFAULT_GITHUB_LIMITS,
  DEFAULT_GITLAB_LIMITS,
  requestLimits,
  DEFAULT_ROOT_LIMITS,
  MAX_CONFIG_BYTES,
  repoKind,
  isRemoteRepo,
  sshRepoMessage,
  isLoopbackHost,
  baseName,
  dirName,
  under,
  joinPath,
  isKustomizationFile,
  branchNameProblem,
  isValidBranchName
};
