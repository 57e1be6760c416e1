#!/usr/bin/env node
import { createRequire as __vrCreateRequire } from 'node:module';
const require = __vrCreateRequire(import.meta.url);
import {
  isKustomizationFile,
  isLoopbackHost,
  isValidBranchName,
  oversizeProblem,
  repoKind,
  sshRepoMessage
} from "./chunk-33VOMAQR.js";
import {
  GitError
} from "./chunk-WOKFXCO5.js";

// src/adapters/fs/temp.ts
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import fsp, { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
var live = /* @__PURE__ */ new Set();
var creating = /* @__PURE__ */ new Set();
var stopping = false;
var FS_CALLS = [
  "readFile",
  "writeFile",
  "mkdir",
  "rmdir",
  "rm",
  "unlink",
  "stat",
  "lstat",
  "readdir",
  "readlink",
  "symlink",
  "chmod"
];
var stopped = () => Promise.reject(Object.assign(new Error("the run is stopping: no more file writes"), { code: "ECANCELED" }));
var stoppableFs = {
  promises: Object.fromEntries(
    FS_CALLS.map((name) => {
      const call = fsp[name];
      return [name, (...args) => stopping ? stopped() : call(...args)];
    })
  )
};
async function makeTempDir(prefix, root = os.tmpdir()) {
  if (stopping) throw new Error("the run is stopping: no temporary folder is made");
  const made = mkdtemp(path.join(root, prefix)).then((dir) => {
    live.add(dir);
    return dir;
  });
  creating.add(made);
  try {
    return await made;
  } finally {
    creating.delete(made);
  }
}
function makeTempDirSync(prefix, root = os.tmpdir()) {
  if (stopping) throw new Error("the run is stopping: no temporary folder is made");
  const dir = mkdtempSync(path.join(root, prefix));
  live.add(dir);
  return dir;
}
async function removeTempDir(dir) {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  live.delete(dir);
}
function removeAllTempDirs() {
  for (const dir of live) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
    }
  }
  live.clear();
}
async function removeAllSettled() {
  const pause = () => new Promise((done) => setTimeout(done, 20));
  for (let round = 0; round < 5; round++) {
    for (const dir of live) await rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => {
    });
    await pause();
    if (![...live].some((dir) => existsSync(dir))) return;
  }
}
var installed = false;
var STOP_TIMEOUT_MS = 1e4;
function cleanTempDirsOnExit(opts = {}) {
  if (installed) return;
  installed = true;
  process.on("exit", removeAllTempDirs);
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143]
  ]) {
    process.on(signal, () => {
      const exitNow = () => {
        removeAllTempDirs();
        process.exit(code);
      };
      if (stopping) return exitNow();
      stopping = true;
      setTimeout(exitNow, STOP_TIMEOUT_MS);
      void (async () => {
        await opts.stop?.().catch(() => {
        });
        await Promise.allSettled([...creating]);
        await removeAllSettled();
        exitNow();
      })();
    });
  }
}

// src/adapters/git/remote-url.ts
import { existsSync as existsSync2 } from "node:fs";
function displayUrl(url) {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
function displayRemote(remote) {
  const scp = /^(?:[^@/]+@)?([\w.-]+):(?!\/\/)(.+)$/.exec(remote);
  if (scp && !/^[a-z]:[\\/]/i.test(remote)) return `ssh://${scp[1]}/${scp[2].replace(/^\//, "")}`;
  try {
    const url = new URL(remote);
    if (url.protocol === "file:") return url.href;
    return displayUrl(url);
  } catch {
    return remote;
  }
}
function checkRemoteUrl(raw) {
  if (repoKind(raw) === "ssh") throw new GitError(sshRepoMessage(raw));
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new GitError("the repository is neither a local folder nor an http(s) URL; use an HTTPS URL", {
      repo: raw.replace(/\/\/[^@/]*@/, "//")
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new GitError(
      `unsupported Git URL scheme "${url.protocol}" in "${displayUrl(url)}"; use an HTTPS URL`,
      {
        url: displayUrl(url)
      }
    );
  }
  if (url.username || url.password) {
    url.username = "";
    url.password = "";
    throw new GitError(
      `the repository URL "${displayUrl(url)}" carries credentials; remove them and set GIT_TOKEN (and GIT_USERNAME) instead`,
      { url: displayUrl(url) }
    );
  }
  if (url.protocol === "https:" || isLoopbackHost(url.hostname)) return url;
  throw new GitError(`plain http is allowed only for loopback hosts; use https for "${displayUrl(url)}"`, {
    url: displayUrl(url)
  });
}
function checkSshRemote(raw) {
  const where = displayRemote(raw);
  if (new RegExp("\\p{Cc}", "u").test(raw))
    throw new GitError(`the repository URL "${where}" holds control characters`, { url: where });
  const url = /^[a-z+]+:\/\//i.test(raw) ? safeUrl(raw) : null;
  if (url?.password)
    throw new GitError(
      `the repository URL "${where}" carries a password; SSH authenticates with a key (GIT_SSH_KEY_FILE)`,
      { url: where }
    );
  const host = url ? url.hostname : raw.replace(/^[^@/]*@/, "");
  if (host.startsWith("-") || (url?.username ?? "").startsWith("-"))
    throw new GitError(`the repository URL "${where}" names a host or user starting with "-"`, {
      url: where
    });
  if (!url && !raw.includes("@") && existsSync2(raw))
    throw new GitError(
      `"${raw}" is read as an SSH remote (host "${raw.slice(0, raw.indexOf(":"))}"), as git reads it; for the folder of that name, write "./${raw}"`,
      { url: where }
    );
  return raw;
}
function safeUrl(raw) {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}
function redact(text, auth) {
  if (!auth?.token) return text;
  const secrets = [
    auth.token,
    Buffer.from(`${auth.username}:${auth.token}`).toString("base64"),
    encodeURIComponent(auth.token)
  ].filter((s) => s.length >= 4);
  let out = text;
  for (const s of secrets) out = out.split(s).join("***");
  return out;
}

// src/core/repo-files.ts
var MAX_LINK_BYTES = 4096;
var MAX_LINK_HOPS = 40;
var SKIPPED_DIRS = /* @__PURE__ */ new Set([".git", "node_modules"]);
var MANIFEST_NAME = /\.ya?ml$/i;
function isManifestName(path2) {
  return MANIFEST_NAME.test(path2) || isKustomizationFile(path2);
}
function skippedName(name) {
  return SKIPPED_DIRS.has(name.toLowerCase());
}
function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
var LINK_PROBLEM = {
  outside: "symlink points outside the repository: skipped",
  loop: "symlink loop: skipped",
  missing: "symlink target does not exist: skipped",
  unreadable: "symlink cannot be read: skipped",
  special: "symlink points to a special file (not a regular file): skipped"
};
function linkProblem(state) {
  return LINK_PROBLEM[state];
}
function resolveLink(view, linkPath) {
  const first = view.entry(linkPath);
  if (first?.kind !== "link") return { state: "missing" };
  const done = linkPath.split("/").slice(0, -1);
  let pending = [];
  let hops = 0;
  const follow = (target) => {
    if (target === null) return { state: "unreadable" };
    if (target === "" || target.includes("\0")) return { state: "missing" };
    if (target.startsWith("/")) return { state: "outside" };
    if (++hops > MAX_LINK_HOPS) return { state: "loop" };
    pending = [...target.split("/"), ...pending];
    return null;
  };
  const stop = follow(first.target);
  if (stop) return stop;
  while (pending.length > 0) {
    const part = pending.shift();
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (done.length === 0) return { state: "outside" };
      done.pop();
      continue;
    }
    if (skippedName(part)) return { state: "outside" };
    done.push(part);
    const entry = view.entry(done.join("/"));
    if (entry === null) return { state: "missing" };
    if (entry.kind === "link") {
      done.pop();
      const refused = follow(entry.target);
      if (refused) return refused;
      continue;
    }
    if (entry.kind === "repo") return { state: "outside" };
    if (entry.kind === "special") return { state: "special" };
    if (pending.some((p) => p !== "" && p !== ".") && entry.kind !== "dir") return { state: "missing" };
  }
  if (done.length === 0) return { state: "loop" };
  const path2 = done.join("/");
  const kind = view.entry(path2)?.kind;
  return kind === "file" || kind === "dir" ? { state: "ok", path: path2, kind } : { state: "missing" };
}
function walkRepo(view, wanted, enter = () => true) {
  const problems = [];
  const found = [];
  const linkedDirs = /* @__PURE__ */ new Set();
  const walk = (real, shown, ancestors, linked) => {
    const names = view.list(real);
    if (names === null) {
      problems.push({ file: shown || ".", severity: "warning", message: "folder cannot be read: skipped" });
      return;
    }
    for (const name of [...names].sort(compare)) {
      if (skippedName(name)) continue;
      const path2 = shown ? `${shown}/${name}` : name;
      const at = real ? `${real}/${name}` : name;
      const entry = view.entry(at);
      if (entry === null || entry.kind === "repo") continue;
      if (entry.kind === "dir") {
        if (enter(path2)) walk(at, path2, /* @__PURE__ */ new Set([...ancestors, at]), linked);
      } else if (entry.kind === "file") {
        if (wanted(path2)) found.push({ path: path2, real: at, viaLink: linked });
      } else if (entry.kind === "special") {
        if (wanted(path2))
          problems.push({ file: path2, severity: "warning", message: "not a regular file: skipped" });
      } else {
        const to = resolveLink(view, at);
        if (to.state !== "ok") {
          if (wanted(path2) || !name.includes("."))
            problems.push({ file: path2, severity: "warning", message: linkProblem(to.state) });
        } else if (to.kind === "file") {
          if (wanted(path2)) found.push({ path: path2, real: to.path, viaLink: true });
        } else if (ancestors.has(to.path) || isBelow(at, to.path)) {
          problems.push({ file: path2, severity: "warning", message: linkProblem("loop") });
        } else if (enter(path2) && !linkedDirs.has(to.path)) {
          linkedDirs.add(to.path);
          walk(to.path, path2, /* @__PURE__ */ new Set([...ancestors, to.path]), true);
        }
      }
    }
  };
  walk("", "", /* @__PURE__ */ new Set([""]), false);
  const byReal = /* @__PURE__ */ new Map();
  for (const f of found) {
    const kept = byReal.get(f.real);
    if (!kept || kept.viaLink && !f.viaLink) byReal.set(f.real, f);
  }
  const files = [...byReal.values()].sort((a, b) => compare(a.path, b.path));
  return { files, problems };
}
function isBelow(path2, dir) {
  return path2.startsWith(`${dir}/`);
}
function fileRule(accept, anyName = false) {
  return anyName ? accept : (path2) => isManifestName(path2) && accept(path2);
}
function withinSize(files, size, maxFileBytes) {
  if (maxFileBytes === void 0) return { files: [...files], problems: [] };
  const kept = [];
  const problems = [];
  for (const f of files) {
    const n = size(f);
    if (n !== null && n > maxFileBytes) problems.push(oversizeProblem(f.path, n, maxFileBytes));
    else kept.push(f);
  }
  return { files: kept, problems };
}

// src/adapters/git/shared.ts
import { createHash } from "node:crypto";
var utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
function decodeUtf8(bytes) {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}
function loadResult(read, found) {
  const files = [];
  const problems = [...found];
  for (const f of read) {
    const text = decodeUtf8(f.bytes);
    if (text === null)
      problems.push({ file: f.path, severity: "warning", message: "not valid UTF-8: skipped" });
    else files.push({ path: f.path, text });
  }
  files.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  problems.sort((a, b) => a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
  return { files, problems };
}
function gitBlobId(bytes, format = "sha1") {
  const data = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
  return createHash(format).update(`blob ${data.length}\0`).update(data).digest("hex");
}
function gitTreeView(entries, links) {
  const dirs = /* @__PURE__ */ new Map([["", /* @__PURE__ */ new Set()]]);
  for (let p of entries.keys()) {
    for (; ; ) {
      const cut = p.lastIndexOf("/");
      const parent = cut < 0 ? "" : p.slice(0, cut);
      const known = dirs.get(parent);
      const names = known ?? /* @__PURE__ */ new Set();
      if (!known) dirs.set(parent, names);
      names.add(cut < 0 ? p : p.slice(cut + 1));
      if (known) break;
      p = parent;
    }
  }
  return {
    entry(p) {
      const e = entries.get(p);
      if (e) {
        if (e.mode === "120000") return { kind: "link", target: links.get(p) ?? null };
        if (e.mode === "160000") return { kind: "repo" };
        if (e.mode === "100644" || e.mode === "100755") return { kind: "file" };
        return { kind: "special" };
      }
      return dirs.has(p) ? { kind: "dir" } : null;
    },
    list: (d) => {
      const names = dirs.get(d);
      return names ? [...names] : null;
    }
  };
}
var LinkedPaths = class {
  commit = "";
  map = /* @__PURE__ */ new Map();
  /** Records what one load of `commit` found. */
  remember(commit, files) {
    if (commit !== this.commit) {
      this.commit = commit;
      this.map.clear();
    }
    for (const f of files) if (f.viaLink) this.map.set(f.path, f.real);
  }
  /** The stored path of `path` in `commit`. */
  real(commit, path2) {
    return commit === this.commit ? this.map.get(path2) ?? path2 : path2;
  }
};
function authFor(auth, remote) {
  return auth && (!auth.only || auth.only(remote)) ? auth : void 0;
}

// src/core/model.ts
function realChanges(changes) {
  return changes.filter((c) => c.before !== c.after);
}

// src/adapters/git/policy.ts
function checkPath(p) {
  const parts = p.split("/");
  if (p.startsWith("/") || parts.some((s) => s === "" || s === "." || s === ".." || s.toLowerCase() === ".git")) {
    throw new GitError(`refusing to commit "${p}": not a plain repository-relative path`, { path: p });
  }
}
function commitChanges(changes, real) {
  const kept = realChanges(changes).map((c) => ({ ...c, path: real(c.path) }));
  const seen = /* @__PURE__ */ new Set();
  for (const c of kept) {
    checkPath(c.path);
    if (seen.has(c.path)) throw new GitError(`two changes for "${c.path}" in one commit; merge them first`);
    seen.add(c.path);
  }
  return kept;
}
function checkPlanned(change, entry, beforeOid, base) {
  const matches = entry ? entry.type === "blob" && entry.oid === beforeOid() : change.before === "";
  if (!matches) {
    throw new GitError(
      `"${change.path}" in commit ${base.slice(0, 12)} differs from what was planned; re-plan on the current head`,
      { path: change.path, head: base }
    );
  }
}
function onlyParent(commit) {
  if (commit.parents.length !== 1) {
    throw new GitError(
      `commit ${commit.oid.slice(0, 12)} has ${commit.parents.length} parents, expected one`
    );
  }
  return commit.parents[0];
}
function keptMode(entry) {
  return entry?.mode === "100755" ? "100755" : "100644";
}
var BuiltCommits = class {
  made = /* @__PURE__ */ new Map();
  add(commit, made) {
    this.made.set(commit, made);
  }
  /** The commit built on `head`, or a GitError. */
  ownChild(commitId, head) {
    const made = this.made.get(commitId);
    if (!made || made.parent !== head) {
      throw new GitError(
        `commit ${commitId.slice(0, 12)} is not a child of the base head; build it with commit()`
      );
    }
    return made;
  }
};
var RACE_PATTERNS = [
  /non-fast-forward/i,
  /fetch first/i,
  /stale info/i,
  /failed to lock/i,
  // git >= 2.2x: "failed to update ref" + "remote: error: cannot lock ref '...': is at X but expected Y".
  /cannot lock ref .* but expected/i,
  // isomorphic-git's report of the same server-side lock failure.
  /failed to update ref/i
];
function refusal(branch, why, remoteSays, auth, matched = why) {
  const message = redact(
    `the remote refused the update of "${branch}": ${why}${remoteSays ? ` (remote: ${remoteSays})` : ""}`,
    auth
  ).slice(0, 1e3);
  const race = RACE_PATTERNS.some((re) => re.test(matched));
  return { ok: false, reason: race ? "not-fast-forward" : "rejected", message };
}
async function pushBase(commitId, at, steps) {
  if (commitId === at.head) return { ok: true };
  const made = at.built.ownChild(commitId, at.head);
  if (at.mode === "local") await steps.check(made);
  const moving = at.mode === "local" ? steps.alongside?.(made) ?? null : null;
  moving?.catch(() => void 0);
  let res;
  try {
    res = await steps.push(made.parent);
  } catch (err) {
    await undoAlongside(moving, err instanceof Error ? err.message : String(err));
    throw err;
  }
  if (!res.ok) {
    await undoAlongside(moving, res.message);
    return res;
  }
  await steps.pushed(made, moving);
  return { ok: true };
}
async function undoAlongside(moving, why) {
  const undo = moving ? await moving.catch(() => null) : null;
  if (undo) await undo(why);
}
async function remoteBranchCommit(branch, steps) {
  if (!isValidBranchName(branch)) throw new GitError(`"${branch}" is not a valid branch name`);
  const oid = await steps.head();
  if (!oid) return null;
  const known = await steps.read(oid).catch(() => null);
  if (known) return known;
  await steps.fetch();
  return steps.read(oid);
}
async function pushOtherBranch(at, commitId, branch, expectedOld) {
  checkOtherBranch(at.base, branch);
  at.built.ownChild(commitId, at.head);
  const res = await at.pushRef(branch, expectedOld, commitId);
  if (res.ok) at.logger.info("pushed branch", { branch, commit: commitId });
  return res;
}
async function deleteOtherBranch(at, branch, expectedOld) {
  checkDeletable(at.base, branch);
  const res = await at.pushRef(branch, expectedOld, null);
  if (res.ok) at.logger.info("deleted branch", { branch });
  return res;
}
function checkOtherBranch(base, branch) {
  if (branch === base)
    throw new GitError(`pushBranch() updates another branch than the base "${base}"; use push()`);
  if (!isValidBranchName(branch)) throw new GitError(`"${branch}" is not a valid branch name`);
}
function checkDeletable(base, branch) {
  if (branch === base) throw new GitError(`refusing to delete the base branch "${base}"`);
}
function checkBranchName(branch) {
  if (branch !== void 0 && !isValidBranchName(branch)) {
    throw new GitError(`"${branch}" is not a valid branch name`, { branch });
  }
}
function shallowFetch(mode) {
  return mode === "remote";
}
function checkCheckoutBranch(dir, current, wanted) {
  if (!current)
    throw new GitError(`"${dir}" has a detached HEAD; check out the branch to update (e.g. "main") first`);
  if (wanted && wanted !== current) {
    throw new GitError(
      `the checkout is on branch "${current}", not "${wanted}"; check out "${wanted}" or pass the repository URL`
    );
  }
}
function noOrigin(dir) {
  return new GitError(`the checkout "${dir}" has no "origin" remote to push to`);
}
function noDefaultBranch(where) {
  return new GitError(`"${where}" has no default branch; pass --branch`, { url: where });
}
async function syncStep(sync, local, origin, isBehind) {
  if (local === origin) return "same";
  if (!await isBehind()) {
    throw new GitError(
      `the local branch "${sync.branch}" has commits that are not on "origin/${sync.branch}" (${sync.url}); push or reset them first: vault-rollout publishes on top of the remote branch only`,
      { branch: sync.branch }
    );
  }
  return sync.readOnly ? "plan-on-remote" : "fast-forward";
}
function checkNotMoved(branch, current, head) {
  if (current !== head)
    throw new GitError(`the local branch "${branch}" moved while vault-rollout ran; run it again`);
}
function uncommitted(paths) {
  return new GitError(
    `uncommitted changes in files this commit changes: ${paths.slice(0, 10).join(", ")}; commit or stash them first`,
    { paths: [...paths] }
  );
}

export {
  stoppableFs,
  makeTempDir,
  makeTempDirSync,
  removeTempDir,
  removeAllTempDirs,
  cleanTempDirsOnExit,
  displayUrl,
  displayRemote,
  checkRemoteUrl,
  checkSshRemote,
  redact,
  MAX_LINK_BYTES,
  isManifestName,
  resolveLink,
  walkRepo,
  fileRule,
  withinSize,
  decodeUtf8,
  loadResult,
  gitBlobId,
  gitTreeView,
  LinkedPaths,
  authFor,
  realChanges,
  commitChanges,
  checkPlanned,
  onlyParent,
  keptMode,
  BuiltCommits,
  refusal,
  pushBase,
  remoteBranchCommit,
  pushOtherBranch,
  deleteOtherBranch,
  checkBranchName,
  shallowFetch,
  checkCheckoutBranch,
  noOrigin,
  noDefaultBranch,
  syncStep,
  checkNotMoved,
  uncommitted
};
