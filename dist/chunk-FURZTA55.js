#!/usr/bin/env node
import { createRequire as __vrCreateRequire } from 'node:module';
const require = __vrCreateRequire(import.meta.url);
import {
  require_isomorphic_git
} from "./chunk-JJSPZO6U.js";
import "./chunk-XD6AUBDF.js";
import {
  BuiltCommits,
  LinkedPaths,
  MAX_LINK_BYTES,
  authFor,
  checkBranchName,
  checkCheckoutBranch,
  checkNotMoved,
  checkPlanned,
  checkRemoteUrl,
  commitChanges,
  decodeUtf8,
  deleteOtherBranch,
  displayRemote,
  displayUrl,
  fileRule,
  gitBlobId,
  gitTreeView,
  keptMode,
  loadResult,
  makeTempDir,
  noDefaultBranch,
  noOrigin,
  onlyParent,
  pushBase,
  pushOtherBranch,
  redact,
  refusal,
  remoteBranchCommit,
  removeTempDir,
  shallowFetch,
  stoppableFs,
  syncStep,
  uncommitted,
  walkRepo,
  withinSize
} from "./chunk-FW46POOP.js";
import {
  DEFAULT_GIT_LIMITS
} from "./chunk-33VOMAQR.js";
import {
  GitError,
  VaultRolloutError
} from "./chunk-WOKFXCO5.js";
import {
  __commonJS,
  __require,
  __toESM
} from "./chunk-JQU5P57A.js";

// node_modules/simple-concat/index.js
var require_simple_concat = __commonJS({
  "node_modules/simple-concat/index.js"(exports, module) {
    module.exports = function(stream, cb) {
      var chunks = [];
      stream.on("data", function(chunk) {
        chunks.push(chunk);
      });
      stream.once("end", function() {
        if (cb) cb(null, Buffer.concat(chunks));
        cb = null;
      });
      stream.once("error", function(err) {
        if (cb) cb(err);
        cb = null;
      });
    };
  }
});

// node_modules/mimic-response/index.js
var require_mimic_response = __commonJS({
  "node_modules/mimic-response/index.js"(exports, module) {
    "use strict";
    var knownProperties = [
      "aborted",
      "complete",
      "headers",
      "httpVersion",
      "httpVersionMinor",
      "httpVersionMajor",
      "method",
      "rawHeaders",
      "rawTrailers",
      "setTimeout",
      "socket",
      "statusCode",
      "statusMessage",
      "trailers",
      "url"
    ];
    module.exports = (fromStream, toStream) => {
      if (toStream._readableState.autoDestroy) {
        throw new Error("The second stream must have the `autoDestroy` option set to `false`");
      }
      const fromProperties = new Set(Object.keys(fromStream).concat(knownProperties));
      const properties = {};
      for (const property of fromProperties) {
        if (property in toStream) {
          continue;
        }
        properties[property] = {
          get() {
            const value = fromStream[property];
            const isFunction = typeof value === "function";
            return isFunction ? value.bind(fromStream) : value;
          },
          set(value) {
            fromStream[property] = value;
          },
          enumerable: true,
          configurable: false
        };
      }
      Object.defineProperties(toStream, properties);
      fromStream.once("aborted", () => {
        toStream.destroy();
        toStream.emit("aborted");
      });
      fromStream.once("close", () => {
        if (fromStream.complete) {
          if (toStream.readable) {
            toStream.once("end", () => {
              toStream.emit("close");
            });
          } else {
            toStream.emit("close");
          }
        } else {
          toStream.emit("close");
        }
      });
      return toStream;
    };
  }
});

// node_modules/decompress-response/index.js
var require_decompress_response = __commonJS({
  "node_modules/decompress-response/index.js"(exports, module) {
    "use strict";
    var { Transform, PassThrough: PassThrough2 } = __require("stream");
    var zlib = __require("zlib");
    var mimicResponse = require_mimic_response();
    module.exports = (response) => {
      const contentEncoding = (response.headers["content-encoding"] || "").toLowerCase();
      if (!["gzip", "deflate", "br"].includes(contentEncoding)) {
        return response;
      }
      const isBrotli = contentEncoding === "br";
      if (isBrotli && typeof zlib.createBrotliDecompress !== "function") {
        response.destroy(new Error("Brotli is not supported on Node.js < 12"));
        return response;
      }
      let isEmpty = true;
      const checker = new Transform({
        transform(data, _encoding, callback) {
          isEmpty = false;
          callback(null, data);
        },
        flush(callback) {
          callback();
        }
      });
      const finalStream = new PassThrough2({
        autoDestroy: false,
        destroy(error, callback) {
          response.destroy();
          callback(error);
        }
      });
      const decompressStream = isBrotli ? zlib.createBrotliDecompress() : zlib.createUnzip();
      decompressStream.once("error", (error) => {
        if (isEmpty && !response.readable) {
          finalStream.end();
          return;
        }
        finalStream.destroy(error);
      });
      mimicResponse(response, finalStream);
      response.pipe(checker).pipe(decompressStream).pipe(finalStream);
      return finalStream;
    };
  }
});

// node_modules/wrappy/wrappy.js
var require_wrappy = __commonJS({
  "node_modules/wrappy/wrappy.js"(exports, module) {
    module.exports = wrappy;
    function wrappy(fn, cb) {
      if (fn && cb) return wrappy(fn)(cb);
      if (typeof fn !== "function")
        throw new TypeError("need wrapper function");
      Object.keys(fn).forEach(function(k) {
        wrapper[k] = fn[k];
      });
      return wrapper;
      function wrapper() {
        var args = new Array(arguments.length);
        for (var i = 0; i < args.length; i++) {
          args[i] = arguments[i];
        }
        var ret = fn.apply(this, args);
        var cb2 = args[args.length - 1];
        if (typeof ret === "function" && ret !== cb2) {
          Object.keys(cb2).forEach(function(k) {
            ret[k] = cb2[k];
          });
        }
        return ret;
      }
    }
  }
});

// node_modules/once/once.js
var require_once = __commonJS({
  "node_modules/once/once.js"(exports, module) {
    var wrappy = require_wrappy();
    module.exports = wrappy(once);
    module.exports.strict = wrappy(onceStrict);
    once.proto = once(function() {
      Object.defineProperty(Function.prototype, "once", {
        value: function() {
          return once(this);
        },
        configurable: true
      });
      Object.defineProperty(Function.prototype, "onceStrict", {
        value: function() {
          return onceStrict(this);
        },
        configurable: true
      });
    });
    function once(fn) {
      var f = function() {
        if (f.called) return f.value;
        f.called = true;
        return f.value = fn.apply(this, arguments);
      };
      f.called = false;
      return f;
    }
    function onceStrict(fn) {
      var f = function() {
        if (f.called)
          throw new Error(f.onceError);
        f.called = true;
        return f.value = fn.apply(this, arguments);
      };
      var name = fn.name || "Function wrapped with `once`";
      f.onceError = name + " shouldn't be called more than once";
      f.called = false;
      return f;
    }
  }
});

// node_modules/simple-get/index.js
var require_simple_get = __commonJS({
  "node_modules/simple-get/index.js"(exports, module) {
    module.exports = simpleGet;
    var concat = require_simple_concat();
    var decompressResponse = require_decompress_response();
    var http = __require("http");
    var https = __require("https");
    var once = require_once();
    var querystring = __require("querystring");
    var url = __require("url");
    var isStream = (o) => o !== null && typeof o === "object" && typeof o.pipe === "function";
    function simpleGet(opts, cb) {
      opts = Object.assign({ maxRedirects: 10 }, typeof opts === "string" ? { url: opts } : opts);
      cb = once(cb);
      if (opts.url) {
        const { hostname, port, protocol: protocol2, auth, path: path2 } = url.parse(opts.url);
        delete opts.url;
        if (!hostname && !port && !protocol2 && !auth) opts.path = path2;
        else Object.assign(opts, { hostname, port, protocol: protocol2, auth, path: path2 });
      }
      const headers = { "accept-encoding": "gzip, deflate" };
      if (opts.headers) Object.keys(opts.headers).forEach((k) => headers[k.toLowerCase()] = opts.headers[k]);
      opts.headers = headers;
      let body;
      if (opts.body) {
        body = opts.json && !isStream(opts.body) ? JSON.stringify(opts.body) : opts.body;
      } else if (opts.form) {
        body = typeof opts.form === "string" ? opts.form : querystring.stringify(opts.form);
        opts.headers["content-type"] = "application/x-www-form-urlencoded";
      }
      if (body) {
        if (!opts.method) opts.method = "POST";
        if (!isStream(body)) opts.headers["content-length"] = Buffer.byteLength(body);
        if (opts.json && !opts.form) opts.headers["content-type"] = "application/json";
      }
      delete opts.body;
      delete opts.form;
      if (opts.json) opts.headers.accept = "application/json";
      if (opts.method) opts.method = opts.method.toUpperCase();
      const originalHost = opts.hostname;
      const protocol = opts.protocol === "https:" ? https : http;
      const req = protocol.request(opts, (res) => {
        if (opts.followRedirects !== false && res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
          opts.url = res.headers.location;
          delete opts.headers.host;
          res.resume();
          const redirectHost = url.parse(opts.url).hostname;
          if (redirectHost !== null && redirectHost !== originalHost) {
            delete opts.headers.cookie;
            delete opts.headers.authorization;
          }
          if (opts.method === "POST" && [301, 302].includes(res.statusCode)) {
            opts.method = "GET";
            delete opts.headers["content-length"];
            delete opts.headers["content-type"];
          }
          if (opts.maxRedirects-- === 0) return cb(new Error("too many redirects"));
          else return simpleGet(opts, cb);
        }
        const tryUnzip = typeof decompressResponse === "function" && opts.method !== "HEAD";
        cb(null, tryUnzip ? decompressResponse(res) : res);
      });
      req.on("timeout", () => {
        req.abort();
        cb(new Error("Request timed out"));
      });
      req.on("error", cb);
      if (isStream(body)) body.on("error", cb).pipe(req);
      else req.end(body);
      return req;
    }
    simpleGet.concat = (opts, cb) => {
      return simpleGet(opts, (err, res) => {
        if (err) return cb(err);
        concat(res, (err2, data) => {
          if (err2) return cb(err2);
          if (opts.json) {
            try {
              data = JSON.parse(data.toString());
            } catch (err3) {
              return cb(err3, res, data);
            }
          }
          cb(null, res, data);
        });
      });
    };
    ["get", "post", "put", "patch", "head", "delete"].forEach((method) => {
      simpleGet[method] = (opts, cb) => {
        if (typeof opts === "string") opts = { url: opts };
        return simpleGet(Object.assign({ method: method.toUpperCase() }, opts), cb);
      };
    });
  }
});

// src/adapters/git/iso.ts
var import_isomorphic_git = __toESM(require_isomorphic_git(), 1);
import fs from "node:fs";
import { chmod, mkdir, open, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";

// node_modules/isomorphic-git/http/node/index.js
var import_simple_get = __toESM(require_simple_get(), 1);
import { PassThrough } from "stream";
function fromValue(value) {
  let queue = [value];
  return {
    next() {
      return Promise.resolve({ done: queue.length === 0, value: queue.pop() });
    },
    return() {
      queue = [];
      return {};
    },
    [Symbol.asyncIterator]() {
      return this;
    }
  };
}
function getIterator(iterable) {
  if (iterable[Symbol.asyncIterator]) {
    return iterable[Symbol.asyncIterator]();
  }
  if (iterable[Symbol.iterator]) {
    return iterable[Symbol.iterator]();
  }
  if (iterable.next) {
    return iterable;
  }
  return fromValue(iterable);
}
async function forAwait(iterable, cb) {
  const iter = getIterator(iterable);
  while (true) {
    const { value, done } = await iter.next();
    if (value) await cb(value);
    if (done) break;
  }
  if (iter.return) iter.return();
}
function asyncIteratorToStream(iter) {
  const stream = new PassThrough();
  setTimeout(async () => {
    await forAwait(iter, (chunk) => stream.write(chunk));
    stream.end();
  }, 1);
  return stream;
}
async function collect(iterable) {
  let size = 0;
  const buffers = [];
  await forAwait(iterable, (value) => {
    buffers.push(value);
    size += value.byteLength;
  });
  const result = new Uint8Array(size);
  let nextIndex = 0;
  for (const buffer of buffers) {
    result.set(buffer, nextIndex);
    nextIndex += buffer.byteLength;
  }
  return result;
}
function fromNodeStream(stream) {
  const asyncIterator = Object.getOwnPropertyDescriptor(
    stream,
    Symbol.asyncIterator
  );
  if (asyncIterator && asyncIterator.enumerable) {
    return stream;
  }
  let ended = false;
  const queue = [];
  let defer = {};
  stream.on("data", (chunk) => {
    queue.push(chunk);
    if (defer.resolve) {
      defer.resolve({ value: queue.shift(), done: false });
      defer = {};
    }
  });
  stream.on("error", (err) => {
    if (defer.reject) {
      defer.reject(err);
      defer = {};
    }
  });
  stream.on("end", () => {
    ended = true;
    if (defer.resolve) {
      defer.resolve({ done: true });
      defer = {};
    }
  });
  return {
    next() {
      return new Promise((resolve, reject) => {
        if (queue.length === 0 && ended) {
          return resolve({ done: true });
        } else if (queue.length > 0) {
          return resolve({ value: queue.shift(), done: false });
        } else if (queue.length === 0 && !ended) {
          defer = { resolve, reject };
        }
      });
    },
    return() {
      stream.removeAllListeners();
      if (stream.destroy) stream.destroy();
    },
    [Symbol.asyncIterator]() {
      return this;
    }
  };
}
async function request({
  onProgress,
  url,
  method = "GET",
  headers = {},
  agent,
  fetchOptions = {},
  body,
  signal
}) {
  if (body && Array.isArray(body)) {
    body = Buffer.from(await collect(body));
  } else if (body) {
    body = asyncIteratorToStream(body);
  }
  return new Promise((resolve, reject) => {
    (0, import_simple_get.default)(
      {
        ...fetchOptions,
        url,
        method,
        headers,
        agent,
        body,
        signal: signal ?? fetchOptions.signal
      },
      (err, res) => {
        if (err) return reject(err);
        try {
          const iter = fromNodeStream(res);
          resolve({
            url: res.url,
            method: res.method,
            statusCode: res.statusCode,
            statusMessage: res.statusMessage,
            body: iter,
            headers: res.headers
          });
        } catch (e) {
          reject(e);
        }
      }
    );
  });
}
var index = { request };
var node_default = index;

// src/adapters/git/bounded-http.ts
function describeHttpCall(url) {
  const push = /git-receive-pack/.test(url);
  const repo = url.replace(/\/(info\/refs(\?.*)?|git-upload-pack|git-receive-pack)$/, "");
  return `${push ? "push to" : "fetch from"} "${displayRemote(repo)}"`;
}
function boundedHttp(base, limits) {
  let last = null;
  return {
    takeFailure() {
      const failure = last;
      last = null;
      return failure;
    },
    async request(req) {
      const { timeoutMs, maxResponseBytes } = limits;
      const what = describeHttpCall(req.url);
      const controller = new AbortController();
      let failure = null;
      let fail = () => {
      };
      const failed = new Promise((_, reject) => fail = reject);
      failed.catch(() => {
      });
      const stop = (e) => {
        if (failure) return;
        failure = e;
        last = e;
        clearTimeout(timer);
        controller.abort(e);
        fail(e);
      };
      const timer = setTimeout(
        () => stop(
          new GitError(
            `isomorphic-git ${what} did not finish within ${timeoutMs / 1e3} s and was stopped (raise git.timeoutSeconds if the remote is just slow)`,
            { timeoutMs }
          )
        ),
        timeoutMs
      );
      timer.unref();
      const signal = req.signal ? AbortSignal.any([req.signal, controller.signal]) : controller.signal;
      let res;
      try {
        res = await Promise.race([base.request({ ...req, signal }), failed]);
      } catch (e) {
        clearTimeout(timer);
        throw failure ?? e;
      }
      if (!res.body) {
        clearTimeout(timer);
        return res;
      }
      const source = res.body[Symbol.asyncIterator]();
      let received = 0;
      const body = {
        async next() {
          if (failure) throw failure;
          const step = await Promise.race([source.next(), failed]);
          if (step.done) {
            clearTimeout(timer);
            return step;
          }
          received += step.value.byteLength;
          if (received > maxResponseBytes) {
            stop(
              new GitError(
                `isomorphic-git ${what} received more than ${maxResponseBytes} bytes and was stopped (raise git.maxResponseBytes if this is expected)`,
                { maxResponseBytes }
              )
            );
            throw failure;
          }
          return step;
        },
        async return(value) {
          clearTimeout(timer);
          await source.return?.(value);
          return { done: true, value: void 0 };
        },
        [Symbol.asyncIterator]() {
          return this;
        }
      };
      return { ...res, body };
    }
  };
}

// src/adapters/git/iso.ts
var ZERO = "0".repeat(40);
var ADD_BATCH = 1e3;
function errCode(err) {
  return typeof err === "object" && err !== null && "code" in err ? String(err.code) : void 0;
}
function toGitError(err, action, where, auth, http) {
  const stopped = http.takeFailure();
  if (stopped) return stopped;
  if (err instanceof GitError) return err;
  if (err instanceof VaultRolloutError) return new GitError(err.message, err.data);
  const code = errCode(err);
  const data = err?.data ?? {};
  if (code === "HttpError" || code === "UserCanceledError") {
    const status = Number(data["statusCode"] ?? 401);
    if (status === 401 || status === 403) {
      const who = auth ? `as "${auth.username}" with the given token` : "without credentials";
      return new GitError(
        `${action} "${where}" failed: authentication refused (${who}); check GIT_TOKEN / GIT_USERNAME and the token's repository access`,
        { url: where, status }
      );
    }
    return new GitError(`${action} "${where}" failed: HTTP ${status}`, { url: where, status });
  }
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "ECONNRESET" || code === "ETIMEDOUT") {
    return new GitError(
      `${action} "${where}" failed: cannot reach the server (${code}); check the URL and network`,
      {
        url: where
      }
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new GitError(redact(`${action} "${where}" failed: ${message.split("\n")[0]}`, auth).slice(0, 500), {
    url: where
  });
}
var IsoWorkspace = class _IsoWorkspace {
  source;
  mode;
  branch;
  head;
  dir;
  remoteUrl;
  auth;
  logger;
  readOnly;
  tmp;
  http;
  /**
   * isomorphic-git's object cache (parsed pack indexes, inflated objects). Replaced at the start of each
   * phase (read, commit, push, checkout update): one cache for a whole adoption run grew past 1 GB.
   */
  cache = {};
  /** Files the last load read through a link, for writing their edits to the stored path. */
  linked = new LinkedPaths();
  made = new BuiltCommits();
  closed = false;
  constructor(parts) {
    this.mode = parts.mode;
    this.dir = parts.dir;
    this.branch = parts.branch;
    this.head = parts.head;
    this.remoteUrl = parts.remoteUrl;
    this.auth = authFor(parts.auth, parts.remoteUrl);
    this.logger = parts.logger;
    this.readOnly = parts.readOnly;
    this.tmp = parts.tmp;
    this.http = parts.http;
    this.source = { load: (accept, options) => this.load(accept, options) };
  }
  get url() {
    return displayRemote(this.remoteUrl);
  }
  useAuth(auth) {
    const usable = authFor(auth, this.remoteUrl);
    if (usable) this.auth = usable;
    return usable !== void 0;
  }
  get args() {
    const files = this.tmp ? stoppableFs : fs;
    return { fs: files, dir: this.dir, gitdir: path.join(this.dir, ".git"), cache: this.cache };
  }
  get remoteArgs() {
    const auth = this.auth;
    return {
      http: this.http,
      url: this.remoteUrl,
      // Tokens travel through onAuth only, never inside the URL (isomorphic-git writes URLs to .git/config).
      ...auth ? {
        onAuth: () => ({ username: auth.username, password: auth.token }),
        onAuthFailure: () => ({ cancel: true })
      } : {}
    };
  }
  async entries(commit) {
    const out = /* @__PURE__ */ new Map();
    const visit = async (oid, prefix) => {
      const { tree } = await import_isomorphic_git.default.readTree({ ...this.args, oid });
      for (const e of tree) {
        const p = prefix + e.path;
        if (e.type === "tree") await visit(e.oid, `${p}/`);
        else out.set(p, { oid: e.oid, mode: e.mode, type: e.type });
      }
    };
    const { commit: c } = await import_isomorphic_git.default.readCommit({ ...this.args, oid: commit });
    await visit(c.tree, "");
    return out;
  }
  // isomorphic-git inflates a packed object whole before saying its size, so here a blob is read before
  // its size is checked (only the git CLI engine checks first; docs/publishing.md, "Which git"). The limit
  // still applies before the text is decoded and used.
  async load(accept, options = {}) {
    this.cache = {};
    const head = this.head;
    const entries = await this.entries(head);
    const links = /* @__PURE__ */ new Map();
    for (const [p, e] of entries) {
      if (e.mode !== "120000") continue;
      const { blob } = await import_isomorphic_git.default.readBlob({ ...this.args, oid: e.oid });
      links.set(p, blob.length <= MAX_LINK_BYTES ? decodeUtf8(blob) : null);
    }
    const rule = fileRule(accept, options.anyName);
    const walked = walkRepo(gitTreeView(entries, links), rule, options.enterDir);
    this.linked.remember(head, walked.files);
    const read = [];
    const problems = [...walked.problems];
    for (const f of walked.files) {
      const { blob } = await import_isomorphic_git.default.readBlob({ ...this.args, oid: entries.get(f.real).oid });
      const sized = withinSize([f], () => blob.length, options.maxFileBytes);
      if (sized.files.length === 0) problems.push(...sized.problems);
      else read.push({ path: f.path, bytes: blob });
    }
    return loadResult(read, problems);
  }
  async readCommitInfo(oid) {
    const { commit } = await import_isomorphic_git.default.readCommit({ ...this.args, oid }).catch(() => {
      throw new GitError(`commit ${oid.slice(0, 12)} is not in the clone of "${this.url}"`);
    });
    const who = (p) => ({
      name: p.name,
      email: p.email,
      timestamp: p.timestamp
    });
    return {
      oid,
      tree: commit.tree,
      parents: commit.parent,
      author: who(commit.author),
      committer: who(commit.committer),
      message: commit.message
    };
  }
  async changedFiles(commitId) {
    const commit = await this.readCommitInfo(commitId);
    const parent = onlyParent(commit);
    return this.diff(parent, commitId);
  }
  async diff(from, to) {
    const a = await this.entries(from);
    const b = await this.entries(to);
    const out = [];
    for (const [p, e] of b) {
      const old = a.get(p);
      if (old && old.oid === e.oid && old.mode === e.mode) continue;
      const { blob } = await import_isomorphic_git.default.readBlob({ ...this.args, oid: e.oid });
      out.push({ path: p, oid: e.oid, mode: e.mode, bytes: blob });
    }
    for (const p of a.keys()) if (!b.has(p)) out.push({ path: p, oid: null, mode: null, bytes: null });
    return out;
  }
  async commit(opts) {
    const changes = commitChanges(opts.changes, (p) => this.linked.real(this.head, p));
    if (changes.length === 0) return this.head;
    const base = this.head;
    this.cache = {};
    const listing = await this.entries(base);
    const edits = /* @__PURE__ */ new Map();
    for (const c of changes) {
      const entry = listing.get(c.path);
      checkPlanned(c, entry, () => gitBlobId(c.before), base);
      const oid = await import_isomorphic_git.default.writeBlob({ ...this.args, blob: Buffer.from(c.after, "utf8") });
      edits.set(c.path, { oid, mode: keptMode(entry) });
    }
    const { commit: parent } = await import_isomorphic_git.default.readCommit({ ...this.args, oid: base });
    const tree = await this.rewriteTree(parent.tree, "", edits);
    const seconds = Math.floor((opts.now ?? /* @__PURE__ */ new Date()).getTime() / 1e3);
    const person = {
      name: opts.author.name,
      email: opts.author.email,
      timestamp: seconds,
      timezoneOffset: 0
    };
    const commit = await import_isomorphic_git.default.writeCommit({
      ...this.args,
      commit: {
        message: opts.message.endsWith("\n") ? opts.message : `${opts.message}
`,
        tree,
        parent: [base],
        author: person,
        committer: person
      }
    });
    this.made.add(commit, { parent: base, paths: changes.map((c) => c.path) });
    this.logger.debug("wrote commit", { commit, parent: base, files: changes.length });
    return commit;
  }
  /** Rewrites only the trees on the edited paths; every other subtree keeps its object id. */
  async rewriteTree(oid, prefix, edits) {
    const entries = oid ? [...(await import_isomorphic_git.default.readTree({ ...this.args, oid })).tree] : [];
    const dirs = /* @__PURE__ */ new Map();
    const put = (e) => {
      const i = entries.findIndex((x) => x.path === e.path);
      if (i === -1) entries.push(e);
      else entries[i] = e;
    };
    for (const [rel, edit] of edits) {
      const slash = rel.indexOf("/");
      if (slash === -1) {
        if (entries.find((e) => e.path === rel && e.type !== "blob")) {
          throw new GitError(
            `cannot write file "${prefix}${rel}": it is a folder or submodule in the repository`
          );
        }
        put({ path: rel, mode: edit.mode, oid: edit.oid, type: "blob" });
      } else {
        const name = rel.slice(0, slash);
        const sub = dirs.get(name) ?? /* @__PURE__ */ new Map();
        sub.set(rel.slice(slash + 1), edit);
        dirs.set(name, sub);
      }
    }
    for (const [name, sub] of dirs) {
      const existing = entries.find((e) => e.path === name);
      if (existing && existing.type !== "tree")
        throw new GitError(`cannot write below "${prefix}${name}": it is a file in the repository`);
      put({
        path: name,
        mode: "040000",
        oid: await this.rewriteTree(existing?.oid ?? null, `${prefix}${name}/`, sub),
        type: "tree"
      });
    }
    return import_isomorphic_git.default.writeTree({ ...this.args, tree: entries });
  }
  /** One receive-pack command `expected -> src` on `branch` (null: absent / delete). */
  async pushRef(branch, expected, src) {
    let moved = null;
    const said = [];
    try {
      const res = await import_isomorphic_git.default.push({
        onMessage: (m) => {
          if (m.trim()) said.push(m.trim());
        },
        ...this.args,
        ...this.remoteArgs,
        ref: src ?? this.head,
        remoteRef: `refs/heads/${branch}`,
        force: true,
        ...src === null ? { delete: true } : {},
        onPrePush: ({ remoteRef }) => {
          const current = remoteRef.oid === ZERO ? null : remoteRef.oid;
          if (current === expected) return true;
          moved = current ?? "(absent)";
          return false;
        }
      });
      if (res.ok) return { ok: true };
      const why = res.refs?.[`refs/heads/${branch}`]?.error ?? res.error ?? "refused";
      return refusal(branch, why, said.join(" | "), this.auth);
    } catch (err) {
      if (moved !== null) {
        return {
          ok: false,
          reason: "not-fast-forward",
          message: `branch "${branch}" is at ${String(moved).slice(0, 12)}, expected ${expected ? expected.slice(0, 12) : "(absent)"}`
        };
      }
      const refs = err.data?.result?.refs;
      const why = refs?.[`refs/heads/${branch}`]?.error;
      if (errCode(err) === "GitPushError" && why) return refusal(branch, why, said.join(" | "), this.auth);
      throw toGitError(err, "pushing to", this.url, this.auth, this.http);
    }
  }
  async push(commitId) {
    return pushBase(
      commitId,
      { mode: this.mode, head: this.head, built: this.made },
      {
        check: (made) => this.checkCheckout(made.paths),
        push: (expected) => {
          this.cache = {};
          return this.pushRef(this.branch, expected, commitId);
        },
        pushed: async (made) => {
          await import_isomorphic_git.default.writeRef({
            ...this.args,
            ref: `refs/remotes/origin/${this.branch}`,
            value: commitId,
            force: true
          });
          this.logger.info("pushed", { branch: this.branch, commit: commitId });
          if (this.mode === "local") await this.moveCheckout(made.parent, commitId);
          this.head = commitId;
        }
      }
    );
  }
  async pushBranch(commitId, branch, opts) {
    return pushOtherBranch(this.branchSide(), commitId, branch, opts.expectedOld);
  }
  async deleteBranch(branch, expectedOld) {
    return deleteOtherBranch(this.branchSide(), branch, expectedOld);
  }
  branchSide() {
    return {
      base: this.branch,
      head: this.head,
      built: this.made,
      logger: this.logger,
      pushRef: (branch, expected, to) => this.pushRef(branch, expected, to)
    };
  }
  async remoteHead(branch) {
    try {
      const refs = await import_isomorphic_git.default.listServerRefs({ ...this.remoteArgs, prefix: `refs/heads/${branch}` });
      return refs.find((r) => r.ref === `refs/heads/${branch}`)?.oid ?? null;
    } catch (err) {
      throw toGitError(err, `reading branch "${branch}" of`, this.url, this.auth, this.http);
    }
  }
  async fetch(branch) {
    try {
      await import_isomorphic_git.default.fetch({
        ...this.args,
        ...this.remoteArgs,
        remote: "origin",
        ref: branch,
        remoteRef: branch,
        singleBranch: true,
        tags: false,
        ...shallowFetch(this.mode) ? { depth: 1 } : {}
      });
    } catch (err) {
      if (errCode(err) === "NotFoundError")
        throw new GitError(`branch "${branch}" not found on "${this.url}"`);
      throw toGitError(err, `fetching "${branch}" from`, this.url, this.auth, this.http);
    }
  }
  async remoteBranch(branch) {
    return remoteBranchCommit(branch, {
      head: () => this.remoteHead(branch),
      read: (oid) => this.readCommitInfo(oid),
      fetch: () => this.fetch(branch)
    });
  }
  async refresh() {
    await this.fetch(this.branch);
    if (this.mode === "local") await this.syncCheckout();
    else this.head = await import_isomorphic_git.default.resolveRef({ ...this.args, ref: `refs/remotes/origin/${this.branch}` });
  }
  async close() {
    if (this.closed) return;
    this.closed = true;
    if (this.tmp) await removeTempDir(this.tmp);
  }
  // --- the local checkout (the rules are policy.ts's, as for native.ts) -------------------------
  async syncCheckout() {
    const local = await import_isomorphic_git.default.resolveRef({ ...this.args, ref: `refs/heads/${this.branch}` });
    const origin = await import_isomorphic_git.default.resolveRef({ ...this.args, ref: `refs/remotes/origin/${this.branch}` });
    const step = await syncStep(
      { branch: this.branch, url: this.url, readOnly: this.readOnly },
      local,
      origin,
      () => import_isomorphic_git.default.isDescendent({ ...this.args, oid: origin, ancestor: local, depth: 1e4 }).catch(() => false)
    );
    if (step === "same") {
      this.head = local;
      return;
    }
    if (step === "fast-forward") await this.moveCheckout(local, origin, true);
    this.head = origin;
  }
  /** Paths among `paths` whose index or file differs from `head` (one statusMatrix over those paths). */
  async dirty(paths) {
    if (paths.length === 0) return [];
    const wanted = new Set(paths);
    const matrix = await import_isomorphic_git.default.statusMatrix({ ...this.args, ref: this.head, filter: (f) => wanted.has(f) });
    return matrix.filter(([p, h, w, s]) => wanted.has(p) && !(h === w && w === s && (h === 1 || h === 0))).map(([p]) => p);
  }
  async checkCheckout(paths) {
    checkNotMoved(
      this.branch,
      await import_isomorphic_git.default.resolveRef({ ...this.args, ref: `refs/heads/${this.branch}` }),
      this.head
    );
    const dirty = await this.dirty(paths);
    if (dirty.length > 0) throw uncommitted(dirty);
  }
  /** Writes the files that differ between `from` and `to`, one index update for all of them, then the ref. */
  async moveCheckout(from, to, check = false) {
    this.cache = {};
    const changed = await this.diff(from, to);
    if (check) {
      const prev = this.head;
      this.head = from;
      const dirty = await this.dirty(changed.map((c) => c.path));
      this.head = prev;
      const reallyDirty = [];
      for (const p of dirty) {
        const target = changed.find((c) => c.path === p);
        const onDisk = await fs.promises.readFile(path.join(this.dir, p)).catch(() => null);
        if (!target?.bytes || !onDisk || !Buffer.from(target.bytes).equals(onDisk)) reallyDirty.push(p);
      }
      if (reallyDirty.length > 0) {
        throw new GitError(
          `the checkout's "${this.branch}" is behind "origin/${this.branch}" and has uncommitted changes in ${reallyDirty.slice(0, 10).join(", ")}; commit or stash them first`
        );
      }
    }
    const added = [];
    const removed = [];
    for (const c of changed) {
      const abs = path.join(this.dir, ...c.path.split("/"));
      if (c.bytes && c.mode !== "160000") {
        await mkdir(path.dirname(abs), { recursive: true });
        await writeFile(abs, c.bytes);
        if (c.mode === "100755") await chmod(abs, 493);
        added.push(c.path);
      } else if (!c.bytes) {
        await rm(abs, { force: true });
        removed.push(c.path);
      }
    }
    for (let i = 0; i < added.length; i += ADD_BATCH) {
      await import_isomorphic_git.default.add({ ...this.args, filepath: added.slice(i, i + ADD_BATCH), force: true });
    }
    for (const p of removed) await import_isomorphic_git.default.remove({ ...this.args, filepath: p });
    await import_isomorphic_git.default.writeRef({ ...this.args, ref: `refs/heads/${this.branch}`, value: to, force: true });
  }
  // --- opening --------------------------------------------------------------------------------
  static async openRemote(opts) {
    const url = checkRemoteUrl(opts.repo);
    const where = displayUrl(url);
    checkBranchName(opts.branch);
    const tmp = await makeTempDir("vault-rollout-", opts.tmpRoot);
    const http = boundedHttp(node_default, opts.limits ?? { ...DEFAULT_GIT_LIMITS });
    try {
      const parts = {
        mode: "remote",
        dir: tmp,
        branch: opts.branch ?? "",
        head: "",
        remoteUrl: url.href,
        auth: opts.auth,
        logger: opts.logger,
        readOnly: false,
        tmp,
        http
      };
      const ws = new _IsoWorkspace(parts);
      try {
        await import_isomorphic_git.default.clone({
          ...ws.args,
          ...ws.remoteArgs,
          ...opts.branch ? { ref: opts.branch } : {},
          singleBranch: true,
          depth: 1,
          noCheckout: true,
          noTags: true
        });
      } catch (err) {
        if (errCode(err) === "NotFoundError")
          throw new GitError(`branch "${opts.branch}" not found on "${where}"`, { url: where });
        throw toGitError(err, "cloning", where, authFor(opts.auth, url.href), http);
      }
      const branch = opts.branch ?? await import_isomorphic_git.default.currentBranch({ ...ws.args }) ?? "";
      if (!branch) throw noDefaultBranch(where);
      const head = await import_isomorphic_git.default.resolveRef({ ...ws.args, ref: "HEAD" });
      const opened = new _IsoWorkspace({ ...parts, branch, head });
      opts.logger.info("cloned", { url: where, branch, head });
      return opened;
    } catch (err) {
      await removeTempDir(tmp);
      throw err;
    }
  }
  static async openLocal(opts) {
    const dir = path.resolve(opts.repo);
    const gitdir = path.join(dir, ".git");
    const st = await stat(gitdir).catch(() => null);
    if (!st)
      throw new GitError(`"${dir}" is not a Git checkout (no .git folder); pass a checkout or an HTTPS URL`);
    if (!st.isDirectory()) {
      throw new GitError(
        `"${dir}" is a linked worktree or submodule (.git is a file), which needs the git CLI: install git`
      );
    }
    await checkIndexVersion(gitdir);
    const current = await import_isomorphic_git.default.currentBranch({ fs, dir, gitdir, fullname: false }) ?? "";
    checkCheckoutBranch(dir, current, opts.branch);
    const rawUrl = await import_isomorphic_git.default.getConfig({ fs, dir, gitdir, path: "remote.origin.url" });
    if (typeof rawUrl !== "string" || !rawUrl) throw noOrigin(dir);
    if (!/^https?:\/\//i.test(rawUrl)) {
      throw new GitError(
        `the "origin" remote of "${dir}" (${displayRemote(rawUrl)}) is not HTTP(S), which only the git CLI can reach: install git`
      );
    }
    const url = checkRemoteUrl(rawUrl);
    const ws = new _IsoWorkspace({
      mode: "local",
      dir,
      branch: current,
      head: "",
      remoteUrl: url.href,
      auth: opts.auth,
      logger: opts.logger,
      readOnly: opts.readOnly ?? false,
      tmp: null,
      http: boundedHttp(node_default, opts.limits ?? { ...DEFAULT_GIT_LIMITS })
    });
    await ws.refresh();
    opts.logger.info("opened local checkout", { dir, branch: current, head: ws.head });
    return ws;
  }
};
async function checkIndexVersion(gitdir) {
  const fh = await open(path.join(gitdir, "index"), "r").catch(() => null);
  if (!fh) return;
  try {
    const header = Buffer.alloc(8);
    await fh.read(header, 0, 8, 0);
    const version = header.readUInt32BE(4);
    if (header.toString("latin1", 0, 4) === "DIRC" && version > 3) {
      throw new GitError(
        `the checkout's index is version ${version}, which isomorphic-git cannot read; install git, or run "git update-index --index-version 2" and retry`,
        { version }
      );
    }
  } finally {
    await fh.close();
  }
}
export {
  IsoWorkspace
};
