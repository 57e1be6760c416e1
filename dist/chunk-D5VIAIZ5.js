#!/usr/bin/env node
import { createRequire as __vrCreateRequire } from 'node:module';
const require = __vrCreateRequire(import.meta.url);
import {
  startVaultDevServer
} from "./chunk-YUCCUVLB.js";
import {
  runApply,
  runPlan,
  templatesDir,
  toDiff
} from "./chunk-34MYOWCL.js";
import "./chunk-FW46POOP.js";
import {
  silentLogger
} from "./chunk-LA3NCHGA.js";
import "./chunk-LTON5VQS.js";
import "./chunk-33VOMAQR.js";
import "./chunk-WOKFXCO5.js";
import "./chunk-JQU5P57A.js";

// src/demo.ts
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp as mkdtemp2, rm as rm2 } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

// src/dev/git-dev-server.ts
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
function gitEnv(home) {
  return {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    // No background `git gc --auto` after a big seed commit: it kept writing into the seed folder while
    // it was being removed (ENOTEMPTY).
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "gc.auto",
    GIT_CONFIG_VALUE_0: "0",
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: "Another Writer",
    GIT_AUTHOR_EMAIL: "writer@example.com",
    GIT_COMMITTER_NAME: "Another Writer",
    GIT_COMMITTER_EMAIL: "writer@example.com"
  };
}
function runGit(args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"]
    });
    const out = [];
    const err = [];
    child.stdout.on("data", (c) => out.push(c));
    child.stderr.on("data", (c) => err.push(c));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`git ${args.join(" ")} exited ${code}: ${Buffer.concat(err).toString("utf8")}`));
    });
  });
}
async function writeFiles(dir, files) {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }
}
function checkAuth(header, auth) {
  if (!header?.startsWith("Basic ")) return false;
  const decoded = Buffer.from(header.slice("Basic ".length), "base64").toString("utf8");
  return decoded === `${auth.username}:${auth.token}`;
}
function findHeaderEnd(buf) {
  const crlf = buf.indexOf("\r\n\r\n");
  const lf = buf.indexOf("\n\n");
  if (crlf === -1 && lf === -1) return null;
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { end: crlf, sep: 4 };
  return { end: lf, sep: 2 };
}
async function startGitServer(options = {}) {
  const base = await mkdtemp(path.join(options.tmpRoot ?? os.tmpdir(), "vr-git-server-"));
  const root = path.join(base, "repos");
  const home = path.join(base, "home");
  await mkdir(root, { recursive: true });
  await mkdir(home, { recursive: true });
  const env = gitEnv(home);
  const requests = [];
  const handler = (req, res) => {
    const url2 = new URL(req.url ?? "/", "http://127.0.0.1");
    const entry = {
      method: req.method ?? "GET",
      path: url2.pathname + url2.search,
      status: 0
    };
    requests.push(entry);
    if (requests.length > (options.maxLoggedRequests ?? 1e4)) requests.shift();
    res.on("finish", () => {
      entry.status = res.statusCode;
    });
    if (options.auth && !checkAuth(req.headers.authorization, options.auth)) {
      req.resume();
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"', "Content-Type": "text/plain" });
      res.end("authentication required\n");
      return;
    }
    const cgiEnv = {
      ...env,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      // http.receivepack must be on for anonymous pushes; REMOTE_USER alone also enables it.
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.receivepack",
      GIT_CONFIG_VALUE_0: "true",
      REMOTE_USER: options.auth?.username ?? "anonymous",
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
      REQUEST_METHOD: req.method ?? "GET",
      PATH_INFO: decodeURIComponent(url2.pathname),
      QUERY_STRING: url2.search.replace(/^\?/, ""),
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      SERVER_PROTOCOL: "HTTP/1.1",
      GATEWAY_INTERFACE: "CGI/1.1"
    };
    if (req.headers["content-length"]) cgiEnv["CONTENT_LENGTH"] = req.headers["content-length"];
    if (req.headers["content-encoding"]) cgiEnv["HTTP_CONTENT_ENCODING"] = req.headers["content-encoding"];
    if (req.headers["git-protocol"]) cgiEnv["GIT_PROTOCOL"] = String(req.headers["git-protocol"]);
    const child = spawn("git", ["http-backend"], { env: cgiEnv, stdio: ["pipe", "pipe", "pipe"] });
    const stderr = [];
    child.stderr.on("data", (c) => stderr.push(c));
    req.pipe(child.stdin);
    child.stdin.on("error", () => {
    });
    let head = Buffer.alloc(0);
    child.stdout.on("data", (chunk) => {
      if (head === null) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const found = findHeaderEnd(head);
      if (!found) return;
      const headerText = head.subarray(0, found.end).toString("latin1");
      const rest = head.subarray(found.end + found.sep);
      head = null;
      let status = 200;
      const headers = {};
      for (const line of headerText.split(/\r?\n/)) {
        const i = line.indexOf(":");
        if (i === -1) continue;
        const key = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (key.toLowerCase() === "status") status = Number.parseInt(value, 10);
        else headers[key] = value;
      }
      res.writeHead(status, headers);
      if (rest.length > 0) res.write(rest);
    });
    child.on("error", (err) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
    child.on("close", (code) => {
      if (head !== null) {
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(`git http-backend exited ${code}: ${Buffer.concat(stderr).toString("utf8")}`);
        return;
      }
      res.end();
    });
  };
  const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  const url = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;
  const repoPath = (name) => path.join(root, `${name}.git`);
  const bare = (name) => ["--git-dir", repoPath(name)];
  const api = {
    url,
    root,
    requests,
    repoUrl: (name) => `${url}/${name}.git`,
    repoPath,
    async createBareRepo(name, files, opts = {}) {
      const branch = opts.branch ?? "main";
      const work = await mkdtemp(path.join(base, "seed-"));
      try {
        await runGit(["init", "-q", "-b", branch, work], { env });
        await runGit(["config", "core.autocrlf", "false"], { cwd: work, env });
        await writeFiles(work, files);
        await runGit(["add", "-A"], { cwd: work, env });
        await runGit(["commit", "-q", "-m", "seed"], { cwd: work, env });
        await runGit(["clone", "-q", "--bare", work, repoPath(name)], { env });
        await runGit([...bare(name), "config", "http.receivepack", "true"], { env });
        return (await runGit([...bare(name), "rev-parse", branch], { env })).toString("utf8").trim();
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
    async installUpdateHook(name, script) {
      const hook = path.join(repoPath(name), "hooks", "update");
      await mkdir(path.dirname(hook), { recursive: true });
      await writeFile(hook, `#!/bin/sh
${script}
`);
      await chmod(hook, 493);
    },
    async pushCompetingCommit(name, branch, files, message = "competing change") {
      const work = await mkdtemp(path.join(base, "competitor-"));
      try {
        await runGit(["clone", "-q", "--depth", "1", "--branch", branch, `file://${repoPath(name)}`, work], {
          env
        });
        await runGit(["config", "core.autocrlf", "false"], { cwd: work, env });
        await writeFiles(work, files);
        await runGit(["add", "-A"], { cwd: work, env });
        await runGit(["commit", "-q", "-m", message], { cwd: work, env });
        await runGit(["push", "-q", "origin", `HEAD:refs/heads/${branch}`], { cwd: work, env });
        return (await runGit(["rev-parse", "HEAD"], { cwd: work, env })).toString("utf8").trim();
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
    async log(name, branch) {
      return (await runGit([...bare(name), "log", "-p", branch], { env })).toString("utf8");
    },
    async commits(name, branch) {
      const out = (await runGit([...bare(name), "log", "--format=%H%x09%an <%ae>%x09%s", branch], { env })).toString("utf8");
      return out.split("\n").filter(Boolean).map((line) => {
        const [id = "", author = "", subject = ""] = line.split("	");
        return { id, author, subject };
      });
    },
    async head(name, branch) {
      return (await runGit([...bare(name), "rev-parse", `refs/heads/${branch}`], { env })).toString("utf8").trim();
    },
    async readFile(name, branch, filePath) {
      return (await runGit([...bare(name), "show", `${branch}:${filePath}`], { env })).toString("utf8");
    },
    async close() {
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(base, { recursive: true, force: true });
    }
  };
  return api;
}

// src/demo.ts
function readTree(dir, root = dir, out = {}) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) readTree(p, root, out);
    else out[relative(root, p).split("\\").join("/")] = readFileSync(p, "utf8");
  }
  return out;
}
var names = (list) => list.map((p) => `${p.workload.kind}/${p.workload.name}`).join(", ");
var short = (id) => (id ?? "").slice(0, 7);
function sentenceList(items) {
  return items.length <= 1 ? items[0] ?? "" : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}
function vaultRequestSummary(vault) {
  const metadata = vault.requests.filter((r) => /^\/v1\/.+\/metadata\//.test(r.path)).length;
  const mounts = vault.requests.filter((r) => r.path.startsWith("/v1/sys/internal/ui/mounts/")).length;
  const token = vault.requests.filter((r) => r.path.startsWith("/v1/auth/token/")).length;
  const other = vault.requests.length - metadata - mounts - token;
  const parts = [
    `${metadata} metadata read(s) (GET /v1/kv/metadata/...)`,
    ...mounts > 0 ? [`${mounts} mount lookup(s)`] : [],
    ...token > 0 ? [`${token} token check(s)`] : [],
    ...other > 0 ? [`${other} other`] : []
  ];
  return `Vault answered ${vault.requests.length} request(s): ${sentenceList(parts)}. Secret values read (/data/): ${vault.violations}.`;
}
async function demoCommand(io) {
  const out = (text = "") => io.stdout(`${text}
`);
  const tmp = await mkdtemp2(join(tmpdir(), "vault-rollout-demo-"));
  const vault = await startVaultDevServer({ mounts: [{ path: "kv", version: 2 }] });
  const git = await startGitServer({ tmpRoot: tmp });
  try {
    for (let i = 0; i < 3; i++) vault.kv.write("kv", "payments/db");
    vault.kv.write("kv", "payments/stripe");
    vault.kv.write("kv", "reports/smtp");
    vault.kv.write("kv", "reports/smtp");
    const files = readTree(join(templatesDir(), "examples", "manifests"));
    await git.createBareRepo("manifests", files, { branch: "main" });
    const remote = git.repoUrl("manifests");
    const cmdIo = {
      env: { VAULT_ADDR: vault.url, VAULT_TOKEN: vault.rootToken },
      cwd: io.cwd,
      stdout: () => {
      },
      logger: silentLogger
    };
    const common = { repo: remote, format: "table", exitCode: false };
    const apply = () => runApply({ ...common, mode: "commit", dryRun: false }, cmdIo);
    const by = (r, action) => r.workloads.filter((p) => p.action === action);
    out("vault-rollout demo: the whole job on this machine, with no external service.");
    out();
    out(
      `1. Started a Vault-compatible dev server at ${vault.url} holding kv/payments/db v3, kv/payments/stripe v1 and kv/reports/smtp v2.`
    );
    out(
      `2. Made a throwaway Git remote (${remote}) from templates/examples/manifests: ${Object.keys(files).length} files.`
    );
    const plan = await runPlan(common, cmdIo);
    const secrets = new Set(plan.workloads.flatMap((p) => p.secrets.map((s) => s.path)));
    out(
      `3. plan: ${plan.workloads.length} workloads depend on ${secrets.size} Vault secrets (${names(plan.workloads)}). None has a record yet, so apply adopts them: it records the versions and restarts nothing.`
    );
    const adoption = await apply();
    out(
      `4. apply: pushed commit ${short(adoption.commit)}, which records the versions of ${by(adoption, "record").length} workloads in ${adoption.changes.length} files.`
    );
    const version = vault.kv.write("kv", "payments/db");
    out(`5. Rotated kv/payments/db in Vault: version ${version - 1} -> ${version}.`);
    const restart = await apply();
    const unchanged = by(restart, "none");
    out(
      `6. apply: pushed commit ${short(restart.commit)}, which restarts ${by(restart, "restart").length} workloads (${names(by(restart, "restart"))})${unchanged.length > 0 ? `; ${names(unchanged)} did not change` : ""}.`
    );
    const again = await apply();
    out(
      `7. apply once more: ${again.commit === null ? "nothing new, no commit" : `commit ${short(again.commit)}`}.`
    );
    out();
    out(`The adoption commit (${short(adoption.commit)}) only adds the record annotation:`);
    out();
    io.stdout(toDiff(adoption.changes));
    out();
    out(
      `The restart commit (${short(restart.commit)}) writes the new version into the record and the pod templates (for the Helm release, the chart's podAnnotations), and pins it in the ExternalSecret:`
    );
    out();
    io.stdout(toDiff(restart.changes));
    out();
    out(vaultRequestSummary(vault));
    out();
    out('Next, on your own repository (see "Try it on your repository" in the README):');
    const next = [
      ["validate --repo ./manifests", "the config, checked without a run"],
      ["dev-server --seed kv/app/db@3,kv/app/api", "a local Vault for your secrets"],
      ["plan --repo ./manifests", "with the export lines it printed"]
    ].map(([args, why]) => [`${io.cli} ${args}`, why]);
    const width = Math.max(...next.map(([command]) => command.length)) + 6;
    for (const [command, why] of next) out(`  ${command.padEnd(width)}# ${why}`);
    return 0;
  } finally {
    await git.close();
    await vault.close();
    await rm2(tmp, { recursive: true, force: true });
  }
}
export {
  demoCommand,
  vaultRequestSummary
};
