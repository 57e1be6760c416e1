/**
 * A real `git http-backend` behind a Node HTTP server on 127.0.0.1:0, for integration tests and the bench
 * (isomorphic-git's own tests do the same).
 *
 * Every git child is spawned asynchronously: the server runs in the test process, so a synchronous
 * `execSync('git ...')` against it would block the event loop that has to answer it: a deadlock.
 *
 * @example
 * const server = await startGitServer({ auth: { username: 'x-access-token', token: 's3cret' } });
 * await server.createBareRepo('app', { 'apps/web.yaml': 'kind: Deployment\n' });
 * // clone `${server.url}/app.git` ...
 * await server.close();
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface GitServerOptions {
  /** When set, every request must carry Basic auth with exactly these credentials, else 401. */
  auth?: { username: string; token: string };
  /** Parent of the temporary project root (default os.tmpdir()). */
  tmpRoot?: string;
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP. */
  tls?: { key: string; cert: string };
  /** `requests` keeps the last this many entries (default 10,000). */
  maxLoggedRequests?: number;
}

export interface RequestLogEntry {
  method: string;
  /** Path and query string, never headers (so never credentials). */
  path: string;
  status: number;
}

export interface GitServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`; a repo `name` is served at `${url}/${name}.git`. */
  url: string;
  /** GIT_PROJECT_ROOT: the folder holding the bare repos. */
  root: string;
  requests: RequestLogEntry[];
  repoUrl(name: string): string;
  /** Path of the bare repo on disk. */
  repoPath(name: string): string;
  /** Creates `<name>.git` holding one commit with `files` (bytes kept as given: CRLF, BOM) on `branch`. */
  createBareRepo(
    name: string,
    files: Record<string, string | Uint8Array>,
    opts?: { branch?: string },
  ): Promise<string>;
  /** Installs `hooks/update` (`#!/bin/sh` + script); exit non-zero to reject a push. */
  installUpdateHook(name: string, script: string): Promise<void>;
  /** Pushes a commit changing `files` on `branch` as another writer would; returns its id. */
  pushCompetingCommit(
    name: string,
    branch: string,
    files: Record<string, string | Uint8Array>,
    message?: string,
  ): Promise<string>;
  /** `git log -p` of the branch, oldest commit last. */
  log(name: string, branch: string): Promise<string>;
  /** Commits of the branch, newest first. */
  commits(name: string, branch: string): Promise<{ id: string; subject: string; author: string }[]>;
  /** Commit id the branch points to. */
  head(name: string, branch: string): Promise<string>;
  readFile(name: string, branch: string, filePath: string): Promise<string>;
  close(): Promise<void>;
}

/** Environment for git children: no user or system config leaks in, fixed identity. */
function gitEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    // No background `git gc --auto` after a big seed commit: it kept writing into the seed folder while
    // it was being removed (ENOTEMPTY).
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'gc.auto',
    GIT_CONFIG_VALUE_0: '0',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Another Writer',
    GIT_AUTHOR_EMAIL: 'writer@example.com',
    GIT_COMMITTER_NAME: 'Another Writer',
    GIT_COMMITTER_EMAIL: 'writer@example.com',
  };
}

/** Runs git asynchronously; resolves with stdout bytes, rejects with stderr on a non-zero exit. */
export function runGit(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`git ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString('utf8')}`));
    });
  });
}

async function writeFiles(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }
}

function checkAuth(header: string | undefined, auth: { username: string; token: string }): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  return decoded === `${auth.username}:${auth.token}`;
}

/** Splits CGI output into its header block and the body that follows. */
function findHeaderEnd(buf: Buffer): { end: number; sep: number } | null {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return null;
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { end: crlf, sep: 4 };
  return { end: lf, sep: 2 };
}

export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const base = await mkdtemp(path.join(options.tmpRoot ?? os.tmpdir(), 'vr-git-server-'));
  const root = path.join(base, 'repos');
  const home = path.join(base, 'home');
  await mkdir(root, { recursive: true });
  await mkdir(home, { recursive: true });
  const env = gitEnv(home);
  const requests: RequestLogEntry[] = [];

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      status: 0,
    };
    requests.push(entry);
    // Request bodies are streamed to git, never buffered; the log keeps the last entries only.
    if (requests.length > (options.maxLoggedRequests ?? 10_000)) requests.shift();
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    if (options.auth && !checkAuth(req.headers.authorization, options.auth)) {
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    const cgiEnv: NodeJS.ProcessEnv = {
      ...env,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      // http.receivepack must be on for anonymous pushes; REMOTE_USER alone also enables it.
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.receivepack',
      GIT_CONFIG_VALUE_0: 'true',
      REMOTE_USER: options.auth?.username ?? 'anonymous',
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      SERVER_PROTOCOL: 'HTTP/1.1',
      GATEWAY_INTERFACE: 'CGI/1.1',
    };
    if (req.headers['content-length']) cgiEnv['CONTENT_LENGTH'] = req.headers['content-length'];
    // git http-backend inflates gzip request bodies itself when told the encoding.
    if (req.headers['content-encoding']) cgiEnv['HTTP_CONTENT_ENCODING'] = req.headers['content-encoding'];
    if (req.headers['git-protocol']) cgiEnv['GIT_PROTOCOL'] = String(req.headers['git-protocol']);

    const child = spawn('git', ['http-backend'], { env: cgiEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    const stderr: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    req.pipe(child.stdin);
    child.stdin.on('error', () => {
      /* the backend may exit before reading everything (e.g. a rejected request) */
    });

    let head: Buffer | null = Buffer.alloc(0);
    child.stdout.on('data', (chunk: Buffer) => {
      if (head === null) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const found = findHeaderEnd(head);
      if (!found) return;
      const headerText = head.subarray(0, found.end).toString('latin1');
      const rest = head.subarray(found.end + found.sep);
      head = null;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of headerText.split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i === -1) continue;
        const key = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (key.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else headers[key] = value;
      }
      res.writeHead(status, headers);
      if (rest.length > 0) res.write(rest);
    });
    child.on('error', (err) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
    child.on('close', (code) => {
      if (head !== null) {
        // No complete CGI header: the backend failed.
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`git http-backend exited ${code}: ${Buffer.concat(stderr).toString('utf8')}`);
        return;
      }
      res.end();
    });
  };
  const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  const repoPath = (name: string) => path.join(root, `${name}.git`);
  const bare = (name: string) => ['--git-dir', repoPath(name)];

  const api: GitServer = {
    url,
    root,
    requests,
    repoUrl: (name) => `${url}/${name}.git`,
    repoPath,

    async createBareRepo(name, files, opts = {}) {
      const branch = opts.branch ?? 'main';
      const work = await mkdtemp(path.join(base, 'seed-'));
      try {
        await runGit(['init', '-q', '-b', branch, work], { env });
        await runGit(['config', 'core.autocrlf', 'false'], { cwd: work, env });
        await writeFiles(work, files);
        await runGit(['add', '-A'], { cwd: work, env });
        await runGit(['commit', '-q', '-m', 'seed'], { cwd: work, env });
        await runGit(['clone', '-q', '--bare', work, repoPath(name)], { env });
        await runGit([...bare(name), 'config', 'http.receivepack', 'true'], { env });
        return (await runGit([...bare(name), 'rev-parse', branch], { env })).toString('utf8').trim();
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },

    async installUpdateHook(name, script) {
      const hook = path.join(repoPath(name), 'hooks', 'update');
      await mkdir(path.dirname(hook), { recursive: true });
      await writeFile(hook, `#!/bin/sh\n${script}\n`);
      await chmod(hook, 0o755);
    },

    async pushCompetingCommit(name, branch, files, message = 'competing change') {
      const work = await mkdtemp(path.join(base, 'competitor-'));
      try {
        await runGit(['clone', '-q', '--depth', '1', '--branch', branch, `file://${repoPath(name)}`, work], {
          env,
        });
        await runGit(['config', 'core.autocrlf', 'false'], { cwd: work, env });
        await writeFiles(work, files);
        await runGit(['add', '-A'], { cwd: work, env });
        await runGit(['commit', '-q', '-m', message], { cwd: work, env });
        await runGit(['push', '-q', 'origin', `HEAD:refs/heads/${branch}`], { cwd: work, env });
        return (await runGit(['rev-parse', 'HEAD'], { cwd: work, env })).toString('utf8').trim();
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },

    async log(name, branch) {
      return (await runGit([...bare(name), 'log', '-p', branch], { env })).toString('utf8');
    },

    async commits(name, branch) {
      const out = (
        await runGit([...bare(name), 'log', '--format=%H%x09%an <%ae>%x09%s', branch], { env })
      ).toString('utf8');
      return out
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [id = '', author = '', subject = ''] = line.split('\t');
          return { id, author, subject };
        });
    },

    async head(name, branch) {
      return (await runGit([...bare(name), 'rev-parse', `refs/heads/${branch}`], { env }))
        .toString('utf8')
        .trim();
    },

    async readFile(name, branch, filePath) {
      return (await runGit([...bare(name), 'show', `${branch}:${filePath}`], { env })).toString('utf8');
    },

    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(base, { recursive: true, force: true });
    },
  };
  return api;
}
