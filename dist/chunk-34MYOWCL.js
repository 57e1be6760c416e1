#!/usr/bin/env node
import { createRequire as __vrCreateRequire } from 'node:module';
const require = __vrCreateRequire(import.meta.url);
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
  checkSshRemote,
  commitChanges,
  decodeUtf8,
  deleteOtherBranch,
  displayRemote,
  fileRule,
  gitBlobId,
  gitTreeView,
  isManifestName,
  keptMode,
  loadResult,
  makeTempDir,
  makeTempDirSync,
  noDefaultBranch,
  noOrigin,
  onlyParent,
  pushBase,
  pushOtherBranch,
  realChanges,
  redact,
  refusal,
  remoteBranchCommit,
  removeTempDir,
  resolveLink,
  shallowFetch,
  syncStep,
  uncommitted,
  walkRepo,
  withinSize
} from "./chunk-FW46POOP.js";
import {
  DEFAULT_CREDENTIAL_NAMES,
  HELM_TEMPLATE_MESSAGE,
  configForEnvironment,
  credentialIssues,
  credentialNames,
  credentialVariables,
  defaultConfig,
  dotted,
  formatPath,
  isForbiddenHookAddress,
  parseAuthor,
  parseConfig,
  silentLogger,
  silentProgress
} from "./chunk-LA3NCHGA.js";
import {
  cleanSecretPath,
  normalizeSecretPath,
  splitAtMount,
  unsafePathProblem,
  vaultNamespaceProblem
} from "./chunk-LTON5VQS.js";
import {
  DEFAULT_GITHUB_LIMITS,
  DEFAULT_GITLAB_LIMITS,
  DEFAULT_GIT_LIMITS,
  MAX_CONFIG_BYTES,
  isLoopbackHost,
  isRemoteRepo,
  oversizeProblem,
  repoKind,
  requestLimits
} from "./chunk-33VOMAQR.js";
import {
  ConfigError,
  GitError,
  VaultError,
  VaultRolloutError
} from "./chunk-WOKFXCO5.js";
import {
  __commonJS,
  __require,
  __toESM
} from "./chunk-JQU5P57A.js";

// node_modules/liquidjs/dist/liquid.node.js
var require_liquid_node = __commonJS({
  "node_modules/liquidjs/dist/liquid.node.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    var stream = __require("stream");
    var path6 = __require("path");
    var fs$1 = __require("fs");
    var crypto = __require("crypto");
    var Token = class {
      constructor(kind, input, begin, end, file) {
        this.kind = kind;
        this.input = input;
        this.begin = begin;
        this.end = end;
        this.file = file;
      }
      getText() {
        return this.input.slice(this.begin, this.end);
      }
      getPosition() {
        let [row, col] = [1, 1];
        for (let i = 0; i < this.begin; i++) {
          if (this.input[i] === "\n") {
            row++;
            col = 1;
          } else
            col++;
        }
        return [row, col];
      }
      size() {
        return this.end - this.begin;
      }
    };
    var Drop = class {
      liquidMethodMissing(key, context) {
        return void 0;
      }
    };
    var toString$1 = Object.prototype.toString;
    var toLowerCase = String.prototype.toLowerCase;
    var hasOwnProperty = Object.hasOwnProperty;
    function isString(value) {
      return typeof value === "string";
    }
    function isFunction(value) {
      return typeof value === "function";
    }
    function isPromise(val) {
      return val && isFunction(val.then);
    }
    function isIterator(val) {
      return val && isFunction(val.next) && isFunction(val.throw) && isFunction(val.return);
    }
    function promisify(fn) {
      return function(...args) {
        return new Promise((resolve3, reject2) => {
          fn(...args, (err, result) => {
            err ? reject2(err) : resolve3(result);
          });
        });
      };
    }
    function stringify(value) {
      value = toValue(value);
      if (isString(value))
        return value;
      if (isNil(value))
        return "";
      if (isArray(value))
        return value.map((x) => stringify(x)).join("");
      return String(value);
    }
    function advanceCodePoints(str, from, count) {
      let index = from;
      for (let i = 0; i < count && index < str.length; i++)
        index += str.codePointAt(index) > 65535 ? 2 : 1;
      return index;
    }
    function codePointLength(str) {
      let length = 0;
      for (let index = 0; index < str.length; index = advanceCodePoints(str, index, 1))
        length++;
      return length;
    }
    function readArrayElement(arr, index, ownPropertyOnly) {
      if (index < 0)
        index = arr.length + index;
      if (ownPropertyOnly && !hasOwnProperty.call(arr, index))
        return void 0;
      return arr[index];
    }
    function toEnumerable(val) {
      val = toValue(val);
      if (isArray(val))
        return val;
      if (isString(val) && val.length > 0)
        return [val];
      if (isIterable(val))
        return Array.from(val);
      if (isObject(val))
        return Object.keys(val).map((key) => [key, val[key]]);
      return [];
    }
    function toArray(val) {
      val = toValue(val);
      if (isNil(val))
        return [];
      if (isArray(val))
        return val;
      return [val];
    }
    function toValue(value) {
      return value instanceof Drop && isFunction(value.valueOf) ? value.valueOf() : value;
    }
    function toNumber(value) {
      return +toValue(value) || 0;
    }
    function isNumber(value) {
      return typeof value === "number";
    }
    function toLiquid(value) {
      if (value && isFunction(value.toLiquid))
        return toLiquid(value.toLiquid());
      return value;
    }
    function isNil(value) {
      return value == null;
    }
    function isUndefined(value) {
      return value === void 0;
    }
    function isArray(value) {
      return toString$1.call(value) === "[object Array]";
    }
    function isArrayLike(value) {
      return value && isNumber(value.length);
    }
    function isIterable(value) {
      return isObject(value) && Symbol.iterator in value;
    }
    function forOwn(obj, iteratee) {
      obj = obj || {};
      for (const k in obj) {
        if (hasOwnProperty.call(obj, k)) {
          if (iteratee(obj[k], k, obj) === false)
            break;
        }
      }
      return obj;
    }
    function isObject(value) {
      const type = typeof value;
      return value !== null && (type === "object" || type === "function");
    }
    function range(start, stop, step = 1) {
      const arr = [];
      for (let i = start; i < stop; i += step) {
        arr.push(i);
      }
      return arr;
    }
    function padStart(str, length, ch = " ") {
      return pad(str, length, ch, (str2, ch2) => ch2 + str2);
    }
    function padEnd(str, length, ch = " ") {
      return pad(str, length, ch, (str2, ch2) => str2 + ch2);
    }
    function pad(str, length, ch, add) {
      str = String(str);
      const n = length - str.length;
      if (n <= 0)
        return str;
      return add(str, ch.repeat(n));
    }
    function identify(val) {
      return val;
    }
    function changeCase(str) {
      const hasLowerCase = [...str].some((ch) => ch >= "a" && ch <= "z");
      return hasLowerCase ? str.toUpperCase() : str.toLowerCase();
    }
    function ellipsis(str, N) {
      return str.length > N ? str.slice(0, N - 3) + "..." : str;
    }
    function orderedCompare(a, b) {
      if (isNil(a) && isNil(b))
        return 0;
      if (isNil(a))
        return 1;
      if (isNil(b))
        return -1;
      if (a < b)
        return -1;
      if (a > b)
        return 1;
      return 0;
    }
    function caseInsensitiveCompare(a, b) {
      if (isNil(a) && isNil(b))
        return 0;
      if (isNil(a))
        return 1;
      if (isNil(b))
        return -1;
      a = toLowerCase.call(a);
      b = toLowerCase.call(b);
      if (a < b)
        return -1;
      if (a > b)
        return 1;
      return 0;
    }
    function argumentsToValue(fn) {
      return function(...args) {
        return fn.call(this, ...args.map(toValue));
      };
    }
    function argumentsToNumber(fn) {
      return function(...args) {
        return fn.call(this, ...args.map(toNumber));
      };
    }
    function* strictUniq(array) {
      const seen = /* @__PURE__ */ new Set();
      for (const element of array) {
        const key = JSON.stringify(element);
        if (!seen.has(key)) {
          seen.add(key);
          yield element;
        }
      }
    }
    var TRAIT = "__liquidClass__";
    var LiquidError = class extends Error {
      constructor(err, token) {
        super(typeof err === "string" ? err : err.message);
        this.context = "";
        if (typeof err !== "string")
          Object.defineProperty(this, "originalError", { value: err, enumerable: false });
        Object.defineProperty(this, "token", { value: token, enumerable: false });
        Object.defineProperty(this, TRAIT, { value: "LiquidError", enumerable: false });
      }
      update() {
        Object.defineProperty(this, "context", { value: mkContext(this.token), enumerable: false });
        this.message = mkMessage(this.message, this.token);
        this.stack = this.message + "\n" + this.context + "\n" + this.stack;
        if (this.originalError)
          this.stack += "\nFrom " + this.originalError.stack;
      }
      static is(obj) {
        return obj?.[TRAIT] === "LiquidError";
      }
    };
    var TokenizationError = class extends LiquidError {
      constructor(message, token) {
        super(message, token);
        this.name = "TokenizationError";
        super.update();
      }
    };
    var ParseError = class extends LiquidError {
      constructor(err, token) {
        super(err, token);
        this.name = "ParseError";
        this.message = err.message;
        super.update();
      }
    };
    var RenderError = class extends LiquidError {
      constructor(err, tpl) {
        super(err, tpl.token);
        this.name = "RenderError";
        this.message = err.message;
        super.update();
      }
      static is(obj) {
        return obj.name === "RenderError";
      }
    };
    var LiquidErrors = class extends LiquidError {
      constructor(errors) {
        super(errors[0], errors[0].token);
        this.errors = errors;
        this.name = "LiquidErrors";
        const s = errors.length > 1 ? "s" : "";
        this.message = `${errors.length} error${s} found`;
        super.update();
      }
      static is(obj) {
        return obj.name === "LiquidErrors";
      }
    };
    var UndefinedVariableError = class extends LiquidError {
      constructor(err, token) {
        super(err, token);
        this.name = "UndefinedVariableError";
        this.message = err.message;
        super.update();
      }
    };
    var InternalUndefinedVariableError = class extends Error {
      constructor(variableName) {
        super(`undefined variable: ${variableName}`);
        this.name = "InternalUndefinedVariableError";
        this.variableName = variableName;
      }
    };
    var AssertionError = class extends Error {
      constructor(message) {
        super(message);
        this.name = "AssertionError";
        this.message = message + "";
      }
    };
    function mkContext(token) {
      const [line2, col] = token.getPosition();
      const lines = token.input.split("\n");
      const begin = Math.max(line2 - 2, 1);
      const end = Math.min(line2 + 3, lines.length);
      const context = range(begin, end + 1).map((lineNumber) => {
        const rowIndicator = lineNumber === line2 ? ">> " : "   ";
        const num = padStart(String(lineNumber), String(end).length);
        let text = `${rowIndicator}${num}| `;
        const colIndicator = lineNumber === line2 ? "\n" + padStart("^", col + text.length) : "";
        text += lines[lineNumber - 1];
        text += colIndicator;
        return text;
      }).join("\n");
      return context;
    }
    function mkMessage(msg, token) {
      if (token.file)
        msg += `, file:${token.file}`;
      const [line2, col] = token.getPosition();
      msg += `, line:${line2}, col:${col}`;
      return msg;
    }
    var TYPES = [0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 4, 4, 4, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 2, 8, 0, 0, 0, 0, 8, 0, 0, 0, 64, 0, 65, 0, 0, 33, 33, 33, 33, 33, 33, 33, 33, 33, 33, 0, 0, 2, 2, 2, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
    var WORD = 1;
    var BLANK = 4;
    var QUOTE = 8;
    var INLINE_BLANK = 16;
    var NUMBER = 32;
    var SIGN = 64;
    var PUNCTUATION = 128;
    function isWord(char) {
      const code3 = char.charCodeAt(0);
      return code3 >= 128 ? !TYPES[code3] : !!(TYPES[code3] & WORD);
    }
    TYPES[160] = TYPES[5760] = TYPES[6158] = TYPES[8192] = TYPES[8193] = TYPES[8194] = TYPES[8195] = TYPES[8196] = TYPES[8197] = TYPES[8198] = TYPES[8199] = TYPES[8200] = TYPES[8201] = TYPES[8202] = TYPES[8232] = TYPES[8233] = TYPES[8239] = TYPES[8287] = TYPES[12288] = BLANK;
    TYPES[8220] = TYPES[8221] = PUNCTUATION;
    function assert(predicate, message) {
      if (!predicate) {
        const msg = typeof message === "function" ? message() : message || `expect ${predicate} to be true`;
        throw new AssertionError(msg);
      }
    }
    function assertEmpty(predicate, message = `unexpected ${JSON.stringify(predicate)}`) {
      assert(!predicate, message);
    }
    var NullDrop = class extends Drop {
      *equals(value) {
        return isNil(yield toValue(value));
      }
      gt() {
        return false;
      }
      geq() {
        return false;
      }
      lt() {
        return false;
      }
      leq() {
        return false;
      }
      valueOf() {
        return null;
      }
    };
    var EmptyDrop = class _EmptyDrop extends Drop {
      *equals(value) {
        if (value instanceof _EmptyDrop)
          return false;
        value = yield toValue(value);
        if (isString(value) || isArray(value))
          return value.length === 0;
        if (isObject(value))
          return Object.keys(value).length === 0;
        return false;
      }
      gt() {
        return false;
      }
      geq() {
        return false;
      }
      lt() {
        return false;
      }
      leq() {
        return false;
      }
      valueOf() {
        return "";
      }
      static is(value) {
        return value instanceof _EmptyDrop;
      }
    };
    var BlankDrop = class _BlankDrop extends EmptyDrop {
      *equals(value) {
        if (value === false)
          return true;
        if (isNil(yield toValue(value)))
          return true;
        if (isString(value))
          return /^\s*$/.test(value);
        return yield super.equals(value);
      }
      static is(value) {
        return value instanceof _BlankDrop;
      }
    };
    var ForloopDrop = class extends Drop {
      constructor(length, collection, variable) {
        super();
        this.i = 0;
        this.length = length;
        this.name = `${variable}-${collection}`;
      }
      next() {
        this.i++;
      }
      index0() {
        return this.i;
      }
      index() {
        return this.i + 1;
      }
      first() {
        return this.i === 0;
      }
      last() {
        return this.i === this.length - 1;
      }
      rindex() {
        return this.length - this.i;
      }
      rindex0() {
        return this.length - this.i - 1;
      }
      valueOf() {
        return JSON.stringify(this);
      }
    };
    var SimpleEmitter = class {
      constructor() {
        this.buffer = "";
      }
      write(html) {
        this.buffer += stringify(html);
      }
    };
    var StreamedEmitter = class {
      constructor() {
        this.buffer = "";
        this.stream = new stream.PassThrough();
      }
      write(html) {
        this.stream.write(stringify(html));
      }
      error(err) {
        this.stream.emit("error", err);
      }
      end() {
        this.stream.end();
      }
    };
    var KeepingTypeEmitter = class {
      constructor() {
        this.buffer = "";
      }
      write(html) {
        html = toValue(html);
        if (typeof html !== "string" && this.buffer === "") {
          this.buffer = html;
        } else {
          this.buffer = stringify(this.buffer) + stringify(html);
        }
      }
    };
    var BlockDrop = class extends Drop {
      constructor(superBlockRender = () => "") {
        super();
        this.superBlockRender = superBlockRender;
      }
      /**
       * Provide parent access in child block by
       * {{ block.super }}
       */
      *super() {
        const emitter = new SimpleEmitter();
        yield this.superBlockRender(emitter);
        return emitter.buffer;
      }
    };
    function isComparable(arg) {
      return arg && isFunction(arg.equals) && isFunction(arg.gt) && isFunction(arg.geq) && isFunction(arg.lt) && isFunction(arg.leq);
    }
    var nil = new NullDrop();
    var literalValues = {
      "true": true,
      "false": false,
      "nil": nil,
      "null": nil,
      "empty": new EmptyDrop(),
      "blank": new BlankDrop()
    };
    var trieCache = /* @__PURE__ */ new WeakMap();
    function createTrie(input) {
      const cached = trieCache.get(input);
      if (cached)
        return cached;
      const trie = {};
      for (const [name, data] of Object.entries(input)) {
        let node = trie;
        for (let i = 0; i < name.length; i++) {
          const c = name[i];
          node[c] = node[c] || {};
          if (i === name.length - 1 && isWord(name[i])) {
            node[c].needBoundary = true;
          }
          node = node[c];
        }
        node.data = data;
        node.end = true;
      }
      trieCache.set(input, trie);
      return trie;
    }
    function toLiquidAsync(asyncFn, syncFn) {
      const syncImpl = syncFn || asyncFn;
      return (sync, ...args) => {
        return sync ? syncImpl(...args) : asyncFn(...args);
      };
    }
    async function toPromise(val) {
      if (!isIterator(val))
        return val;
      let value;
      let done = false;
      let next = "next";
      do {
        const state = val[next](value);
        done = !!state.done;
        value = state.value;
        next = "next";
        try {
          if (isIterator(value))
            value = toPromise(value);
          if (isPromise(value))
            value = await value;
        } catch (err) {
          next = "throw";
          value = err;
        }
      } while (!done);
      return value;
    }
    function toValueSync2(val) {
      if (!isIterator(val))
        return val;
      let value;
      let done = false;
      let next = "next";
      do {
        const state = val[next](value);
        done = !!state.done;
        value = state.value;
        next = "next";
        if (isIterator(value)) {
          try {
            value = toValueSync2(value);
          } catch (err) {
            next = "throw";
            value = err;
          }
        }
      } while (!done);
      return value;
    }
    var rFormat = /%([-_0^#:]+)?(\d+)?([EO])?(.)/;
    function daysInMonth(d) {
      const feb = isLeapYear(d) ? 29 : 28;
      return [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    }
    function getDayOfYear(d) {
      let num = 0;
      for (let i = 0; i < d.getMonth(); ++i) {
        num += daysInMonth(d)[i];
      }
      return num + d.getDate();
    }
    function getWeekOfYear(d, startDay) {
      const daysSinceStartDay = (d.getDay() - startDay + 7) % 7;
      return String(Math.floor((getDayOfYear(d) - 1 - daysSinceStartDay + 7) / 7));
    }
    function isLeapYear(d) {
      const year = d.getFullYear();
      return !!((year & 3) === 0 && (year % 100 || year % 400 === 0 && year));
    }
    function ordinal(d) {
      const date2 = d.getDate();
      if ([11, 12, 13].includes(date2))
        return "th";
      switch (date2 % 10) {
        case 1:
          return "st";
        case 2:
          return "nd";
        case 3:
          return "rd";
        default:
          return "th";
      }
    }
    function century(d) {
      return Math.floor(d.getFullYear() / 100);
    }
    var padWidths = {
      C: 2,
      d: 2,
      e: 2,
      H: 2,
      I: 2,
      j: 3,
      k: 2,
      l: 2,
      L: 3,
      m: 2,
      M: 2,
      S: 2,
      U: 2,
      W: 2,
      y: 2,
      Y: 4
    };
    var padSpaceChars = new Set("aAbBceklpP");
    function getTimezoneOffset(d, opts) {
      const nOffset = Math.abs(d.getTimezoneOffset());
      const h = Math.floor(nOffset / 60);
      const m = nOffset % 60;
      return (d.getTimezoneOffset() > 0 ? "-" : "+") + padStart(h, 2, "0") + (opts.flags[":"] ? ":" : "") + padStart(m, 2, "0");
    }
    var formatCodes = {
      a: (d) => d.getShortWeekdayName(),
      A: (d) => d.getLongWeekdayName(),
      b: (d) => d.getShortMonthName(),
      B: (d) => d.getLongMonthName(),
      c: (d) => d.toLocaleString(),
      C: (d) => century(d),
      d: (d) => d.getDate(),
      e: (d) => d.getDate(),
      H: (d) => d.getHours(),
      I: (d) => String(d.getHours() % 12 || 12),
      j: (d) => getDayOfYear(d),
      k: (d) => d.getHours(),
      l: (d) => String(d.getHours() % 12 || 12),
      L: (d) => d.getMilliseconds(),
      m: (d) => d.getMonth() + 1,
      M: (d) => d.getMinutes(),
      N: (d, opts) => {
        const width = Number(opts.width) || 9;
        const str = padStart(String(d.getMilliseconds()), 3, "0").slice(0, width);
        opts.memoryLimit?.use(width - str.length);
        return padEnd(str, width, "0");
      },
      p: (d) => d.getHours() < 12 ? "AM" : "PM",
      P: (d) => d.getHours() < 12 ? "am" : "pm",
      q: (d) => ordinal(d),
      s: (d) => Math.floor(d.dateValue() / 1e3),
      S: (d) => d.getSeconds(),
      u: (d) => d.getDay() || 7,
      U: (d) => getWeekOfYear(d, 0),
      w: (d) => d.getDay(),
      W: (d) => getWeekOfYear(d, 1),
      x: (d) => d.toLocaleDateString(),
      X: (d) => d.toLocaleTimeString(),
      y: (d) => (d.getFullYear() % 100 + 100) % 100,
      Y: (d) => d.getFullYear(),
      z: getTimezoneOffset,
      Z: (d, opts) => d.getTimeZoneName() || getTimezoneOffset(d, opts),
      "t": () => "	",
      "n": () => "\n",
      "%": () => "%"
    };
    formatCodes.h = formatCodes.b;
    function strftime(d, formatStr, memoryLimit) {
      let output = "";
      let remaining = formatStr;
      let match;
      while (match = rFormat.exec(remaining)) {
        output += remaining.slice(0, match.index);
        remaining = remaining.slice(match.index + match[0].length);
        output += format(d, match, memoryLimit);
      }
      return output + remaining;
    }
    function format(d, match, memoryLimit) {
      const [input, flagStr = "", width, modifier, conversion] = match;
      const convert = formatCodes[conversion];
      if (!convert)
        return input;
      const flags = {};
      for (const flag of flagStr)
        flags[flag] = true;
      let ret = String(convert(d, { flags, width, modifier, memoryLimit }));
      let padChar = padSpaceChars.has(conversion) ? " " : "0";
      let padWidth = Number(width) || padWidths[conversion] || 0;
      if (flags["^"])
        ret = ret.toUpperCase();
      else if (flags["#"])
        ret = changeCase(ret);
      if (flags["_"])
        padChar = " ";
      else if (flags["0"])
        padChar = "0";
      if (flags["-"])
        padWidth = 0;
      memoryLimit?.use(Number(padWidth) - ret.length);
      if (padChar === "0" && ret[0] === "-")
        return "-" + padStart(ret.slice(1), padWidth - 1, padChar);
      return padStart(ret, padWidth, padChar);
    }
    function getDateTimeFormat() {
      return typeof Intl !== "undefined" ? Intl.DateTimeFormat : void 0;
    }
    var OneMinute = 6e4;
    var TIMEZONE_PATTERN = /([zZ]|([+-])(\d{2}):?(\d{2}))$/;
    var monthNames = [
      "January",
      "February",
      "March",
      "April",
      "May",
      "June",
      "July",
      "August",
      "September",
      "October",
      "November",
      "December"
    ];
    var monthNamesShort = monthNames.map((name) => name.slice(0, 3));
    var dayNames = [
      "Sunday",
      "Monday",
      "Tuesday",
      "Wednesday",
      "Thursday",
      "Friday",
      "Saturday"
    ];
    var dayNamesShort = dayNames.map((name) => name.slice(0, 3));
    var LiquidDate = class _LiquidDate {
      constructor(init, locale, timezone) {
        this.locale = locale;
        this.DateTimeFormat = getDateTimeFormat();
        this.date = new Date(init);
        this.timezoneFixed = timezone !== void 0;
        if (timezone === void 0) {
          timezone = this.date.getTimezoneOffset();
        }
        this.timezoneOffset = isString(timezone) ? _LiquidDate.getTimezoneOffset(timezone, this.date) : timezone;
        this.timezoneName = isString(timezone) ? timezone : "";
        const diff = (this.date.getTimezoneOffset() - this.timezoneOffset) * OneMinute;
        const time = this.date.getTime() + diff;
        this.displayDate = new Date(time);
      }
      getTime() {
        return this.displayDate.getTime();
      }
      /**
       * The underlying UTC timestamp in milliseconds, unaffected by the display
       * timezone. Use this (not `getTime()`) for timezone-invariant values like
       * `%s`: `getTime()` reads `displayDate`, which is deliberately shifted by
       * the display timezone offset so wall-clock getters can delegate to Date.
       */
      dateValue() {
        return this.date.getTime();
      }
      getMilliseconds() {
        return this.displayDate.getMilliseconds();
      }
      getSeconds() {
        return this.displayDate.getSeconds();
      }
      getMinutes() {
        return this.displayDate.getMinutes();
      }
      getHours() {
        return this.displayDate.getHours();
      }
      getDay() {
        return this.displayDate.getDay();
      }
      getDate() {
        return this.displayDate.getDate();
      }
      getMonth() {
        return this.displayDate.getMonth();
      }
      getFullYear() {
        return this.displayDate.getFullYear();
      }
      toLocaleString(locale, init) {
        if (init?.timeZone) {
          return this.date.toLocaleString(locale, init);
        }
        return this.displayDate.toLocaleString(locale, init);
      }
      toLocaleTimeString(locale) {
        return this.displayDate.toLocaleTimeString(locale);
      }
      toLocaleDateString(locale) {
        return this.displayDate.toLocaleDateString(locale);
      }
      getTimezoneOffset() {
        return this.timezoneOffset;
      }
      getTimeZoneName() {
        if (this.timezoneFixed)
          return this.timezoneName;
        if (!this.DateTimeFormat)
          return;
        return this.DateTimeFormat().resolvedOptions().timeZone;
      }
      getLongMonthName() {
        return this.format({ month: "long" }) ?? monthNames[this.getMonth()];
      }
      getShortMonthName() {
        return this.format({ month: "short" }) ?? monthNamesShort[this.getMonth()];
      }
      getLongWeekdayName() {
        return this.format({ weekday: "long" }) ?? dayNames[this.displayDate.getDay()];
      }
      getShortWeekdayName() {
        return this.format({ weekday: "short" }) ?? dayNamesShort[this.displayDate.getDay()];
      }
      valid() {
        return !isNaN(this.getTime());
      }
      format(options) {
        return this.DateTimeFormat && this.DateTimeFormat(this.locale, options).format(this.displayDate);
      }
      /**
       * Create a Date object fixed to it's declared Timezone. Both
       * - 2021-08-06T02:29:00.000Z and
       * - 2021-08-06T02:29:00.000+08:00
       * will always be displayed as
       * - 2021-08-06 02:29:00
       * regardless timezoneOffset in JavaScript realm
       *
       * The implementation hack:
       * Instead of calling `.getMonth()`/`.getUTCMonth()` respect to `preserveTimezones`,
       * we create a different Date to trick strftime, it's both simpler and more performant.
       * Given that a template is expected to be parsed fewer times than rendered.
       */
      static createDateFixedToTimezone(dateString, locale) {
        const m = dateString.match(TIMEZONE_PATTERN);
        if (m && m[1] === "Z") {
          return new _LiquidDate(+new Date(dateString), locale, 0);
        }
        if (m && m[2] && m[3] && m[4]) {
          const [, , sign, hours, minutes] = m;
          const offset2 = (sign === "+" ? -1 : 1) * (parseInt(hours, 10) * 60 + parseInt(minutes, 10));
          return new _LiquidDate(+new Date(dateString), locale, offset2);
        }
        return new _LiquidDate(dateString, locale);
      }
      static getTimezoneOffset(timezoneName, date2) {
        const localDateString = date2.toLocaleString("en-US", { timeZone: timezoneName });
        const utcDateString = date2.toLocaleString("en-US", { timeZone: "UTC" });
        const localDate = new Date(localDateString);
        const utcDate = new Date(utcDateString);
        return (+utcDate - +localDate) / (60 * 1e3);
      }
    };
    var Limiter = class {
      constructor(resource, limit2) {
        this.base = 0;
        this.message = `${resource} limit exceeded`;
        this.limit = limit2;
      }
      use(count) {
        if (+count > 0) {
          assert(this.base + +count <= this.limit, this.message);
          this.base += +count;
        }
      }
      check(count) {
        if (+count > 0) {
          assert(+count <= this.limit, this.message);
        }
      }
    };
    var DelimitedToken = class extends Token {
      constructor(kind, [contentBegin, contentEnd], input, begin, end, trimLeft2, trimRight2, file) {
        super(kind, input, begin, end, file);
        this.trimLeft = false;
        this.trimRight = false;
        const tl = input[contentBegin] === "-";
        const tr = input[contentEnd - 1] === "-";
        let l = tl ? contentBegin + 1 : contentBegin;
        let r = tr ? contentEnd - 1 : contentEnd;
        while (l < r && TYPES[input.charCodeAt(l)] & BLANK)
          l++;
        while (r > l && TYPES[input.charCodeAt(r - 1)] & BLANK)
          r--;
        this.contentRange = [l, r];
        this.trimLeft = tl || trimLeft2;
        this.trimRight = tr || trimRight2;
      }
      get content() {
        return this.input.slice(this.contentRange[0], this.contentRange[1]);
      }
    };
    var TagToken = class extends DelimitedToken {
      constructor(input, begin, end, options, file) {
        const { trimTagLeft, trimTagRight, tagDelimiterLeft, tagDelimiterRight } = options;
        const [valueBegin, valueEnd] = [begin + tagDelimiterLeft.length, end - tagDelimiterRight.length];
        super(exports.TokenKind.Tag, [valueBegin, valueEnd], input, begin, end, trimTagLeft, trimTagRight, file);
        this.tokenizer = new Tokenizer(input, options.operators, file, this.contentRange, options.groupedExpressions);
        this.name = this.tokenizer.readTagName();
        this.tokenizer.assert(this.name, `illegal tag syntax, tag name expected`);
        this.tokenizer.skipBlank();
        this.args = this.tokenizer.input.slice(this.tokenizer.p, this.contentRange[1]);
      }
    };
    var OutputToken = class extends DelimitedToken {
      constructor(input, begin, end, options, file) {
        const { trimOutputLeft, trimOutputRight, outputDelimiterLeft, outputDelimiterRight } = options;
        const valueRange = [begin + outputDelimiterLeft.length, end - outputDelimiterRight.length];
        super(exports.TokenKind.Output, valueRange, input, begin, end, trimOutputLeft, trimOutputRight, file);
      }
    };
    var HTMLToken = class extends Token {
      constructor(input, begin, end, file) {
        super(exports.TokenKind.HTML, input, begin, end, file);
        this.input = input;
        this.begin = begin;
        this.end = end;
        this.file = file;
        this.trimLeft = 0;
        this.trimRight = 0;
      }
      getContent() {
        return this.input.slice(this.begin + this.trimLeft, this.end - this.trimRight);
      }
    };
    var NumberToken = class extends Token {
      constructor(input, begin, end, file) {
        super(exports.TokenKind.Number, input, begin, end, file);
        this.input = input;
        this.begin = begin;
        this.end = end;
        this.file = file;
        this.content = Number(this.getText());
      }
    };
    var IdentifierToken = class extends Token {
      constructor(input, begin, end, file) {
        super(exports.TokenKind.Word, input, begin, end, file);
        this.input = input;
        this.begin = begin;
        this.end = end;
        this.file = file;
        this.content = this.getText();
      }
    };
    var LiteralToken = class extends Token {
      constructor(input, begin, end, file) {
        super(exports.TokenKind.Literal, input, begin, end, file);
        this.input = input;
        this.begin = begin;
        this.end = end;
        this.file = file;
        this.literal = this.getText();
        this.content = literalValues[this.literal];
      }
    };
    var operatorPrecedences = {
      "==": 2,
      "!=": 2,
      ">": 2,
      "<": 2,
      ">=": 2,
      "<=": 2,
      "contains": 2,
      "not": 1,
      "and": 0,
      "or": 0
    };
    var operatorTypes = {
      "==": 0,
      "!=": 0,
      ">": 0,
      "<": 0,
      ">=": 0,
      "<=": 0,
      "contains": 0,
      "not": 1,
      "and": 0,
      "or": 0
      /* OperatorType.Binary */
    };
    var OperatorToken = class extends Token {
      constructor(input, begin, end, file) {
        super(exports.TokenKind.Operator, input, begin, end, file);
        this.input = input;
        this.begin = begin;
        this.end = end;
        this.file = file;
        this.operator = this.getText();
      }
      getPrecedence() {
        return this.operator in operatorPrecedences ? operatorPrecedences[this.operator] : 1;
      }
    };
    var PropertyAccessToken = class extends Token {
      constructor(variable, props, input, begin, end, file) {
        super(exports.TokenKind.PropertyAccess, input, begin, end, file);
        this.variable = variable;
        this.props = props;
      }
    };
    var FilterToken = class extends Token {
      constructor(name, args, input, begin, end, file) {
        super(exports.TokenKind.Filter, input, begin, end, file);
        this.name = name;
        this.args = args;
      }
    };
    var HashToken = class extends Token {
      constructor(input, begin, end, name, value, file) {
        super(exports.TokenKind.Hash, input, begin, end, file);
        this.input = input;
        this.begin = begin;
        this.end = end;
        this.name = name;
        this.value = value;
        this.file = file;
      }
    };
    var rHex = /[\da-fA-F]/;
    var rOct = /[0-7]/;
    var escapeChar = {
      b: "\b",
      f: "\f",
      n: "\n",
      r: "\r",
      t: "	",
      v: "\v"
    };
    function hexVal(c) {
      const code3 = c.charCodeAt(0);
      if (code3 >= 97)
        return code3 - 87;
      if (code3 >= 65)
        return code3 - 55;
      return code3 - 48;
    }
    function parseStringLiteral(str) {
      let ret = "";
      for (let i = 1; i < str.length - 1; i++) {
        if (str[i] !== "\\") {
          ret += str[i];
          continue;
        }
        if (escapeChar[str[i + 1]] !== void 0) {
          ret += escapeChar[str[++i]];
        } else if (str[i + 1] === "u") {
          let val = 0;
          let j = i + 2;
          while (j <= i + 5 && rHex.test(str[j])) {
            val = val * 16 + hexVal(str[j++]);
          }
          i = j - 1;
          ret += String.fromCharCode(val);
        } else if (!rOct.test(str[i + 1])) {
          ret += str[++i];
        } else {
          let j = i + 1;
          let val = 0;
          while (j <= i + 3 && rOct.test(str[j])) {
            val = val * 8 + hexVal(str[j++]);
          }
          i = j - 1;
          ret += String.fromCharCode(val);
        }
      }
      return ret;
    }
    var QuotedToken = class extends Token {
      constructor(input, begin, end, file) {
        super(exports.TokenKind.Quoted, input, begin, end, file);
        this.input = input;
        this.begin = begin;
        this.end = end;
        this.file = file;
        this.content = parseStringLiteral(this.getText());
      }
    };
    var RangeToken = class extends Token {
      constructor(input, begin, end, lhs, rhs, file) {
        super(exports.TokenKind.Range, input, begin, end, file);
        this.input = input;
        this.begin = begin;
        this.end = end;
        this.lhs = lhs;
        this.rhs = rhs;
        this.file = file;
      }
    };
    var LiquidTagToken = class extends DelimitedToken {
      constructor(input, begin, end, options, file) {
        super(exports.TokenKind.Tag, [begin, end], input, begin, end, false, false, file);
        this.tokenizer = new Tokenizer(input, options.operators, file, this.contentRange, options.groupedExpressions);
        this.name = this.tokenizer.readTagName();
        this.tokenizer.assert(this.name, "illegal liquid tag syntax");
        this.tokenizer.skipBlank();
      }
      get args() {
        return this.tokenizer.input.slice(this.tokenizer.p, this.contentRange[1]);
      }
    };
    var FilteredValueToken = class extends Token {
      constructor(initial, filters2, input, begin, end, file) {
        super(exports.TokenKind.FilteredValue, input, begin, end, file);
        this.initial = initial;
        this.filters = filters2;
        this.input = input;
        this.begin = begin;
        this.end = end;
        this.file = file;
      }
    };
    var polyfill = {
      now: () => Date.now()
    };
    function getPerformance() {
      return typeof global === "object" && global.performance || typeof window === "object" && window.performance || polyfill;
    }
    var Render = class {
      renderTemplatesToNodeStream(templates, ctx) {
        const emitter = new StreamedEmitter();
        Promise.resolve().then(() => toPromise(this.renderTemplates(templates, ctx, emitter))).then(() => emitter.end(), (err) => emitter.error(err));
        return emitter.stream;
      }
      *renderTemplates(templates, ctx, emitter) {
        if (!emitter) {
          emitter = ctx.opts.keepOutputType ? new KeepingTypeEmitter() : new SimpleEmitter();
        }
        ctx.renderLimit.check(getPerformance().now());
        const errors = [];
        for (const tpl of templates) {
          ctx.renderLimit.check(getPerformance().now());
          try {
            const html = yield tpl.render(ctx, emitter);
            html && emitter.write(html);
            if (ctx.breakCalled || ctx.continueCalled)
              break;
          } catch (e) {
            const err = LiquidError.is(e) ? e : new RenderError(e, tpl);
            if (ctx.opts.catchAllErrors)
              errors.push(err);
            else
              throw err;
          }
        }
        if (errors.length) {
          throw new LiquidErrors(errors);
        }
        return emitter.buffer;
      }
    };
    function isKeyValuePair(arr) {
      return isArray(arr);
    }
    var Filter = class {
      constructor(token, options, liquid) {
        this.token = token;
        this.name = token.name;
        this.handler = isFunction(options) ? options : isFunction(options?.handler) ? options.handler : identify;
        this.raw = !isFunction(options) && !!options?.raw;
        this.args = token.args;
        this.liquid = liquid;
      }
      *render(value, context) {
        const argv = [];
        for (const arg of this.args) {
          if (isKeyValuePair(arg))
            argv.push([arg[0], yield evalToken(arg[1], context)]);
          else
            argv.push(yield evalToken(arg, context));
        }
        return yield this.handler.apply({ context, token: this.token, liquid: this.liquid }, [value, ...argv]);
      }
    };
    var Expression = class {
      constructor(tokens) {
        this.postfix = [...toPostfix(tokens)];
      }
      *evaluate(ctx, lenient) {
        assert(ctx, "unable to evaluate: context not defined");
        const operands = [];
        for (const token of this.postfix) {
          if (isOperatorToken(token)) {
            const r = operands.pop();
            let result;
            if (operatorTypes[token.operator] === 1) {
              result = yield ctx.opts.operators[token.operator](r, ctx);
            } else {
              const l = operands.pop();
              result = yield ctx.opts.operators[token.operator](l, r, ctx);
            }
            operands.push(result);
          } else {
            operands.push(yield evalToken(token, ctx, lenient));
          }
        }
        return operands[0];
      }
      valid() {
        return !!this.postfix.length;
      }
    };
    function* evalToken(token, ctx, lenient = false) {
      if (!token)
        return;
      if ("content" in token)
        return token.content;
      if (isPropertyAccessToken(token))
        return yield evalPropertyAccessToken(token, ctx, lenient);
      if (isRangeToken(token))
        return yield evalRangeToken(token, ctx);
      if (isFilteredValueToken(token))
        return yield evalFilteredValueToken(token, ctx, lenient);
    }
    function* evalFilteredValueToken(token, ctx, lenient) {
      assert(ctx.liquid, "FilteredValueToken evaluation requires liquid instance in context");
      lenient = lenient || ctx.opts.lenientIf && token.filters.length > 0 && token.filters[0].name === "default";
      let val = yield token.initial.evaluate(ctx, lenient);
      for (const filterToken of token.filters) {
        const filterImpl = ctx.liquid.filters[filterToken.name];
        assert(filterImpl || !ctx.liquid.options.strictFilters, () => `undefined filter: ${filterToken.name}`);
        const filter2 = new Filter(filterToken, filterImpl, ctx.liquid);
        val = yield filter2.render(val, ctx);
      }
      return val;
    }
    function* evalTokenValue(token, ctx, lenient = false) {
      return yield toValue(yield evalToken(token, ctx, lenient));
    }
    function* evalPropertyAccessToken(token, ctx, lenient) {
      const props = [];
      for (const prop of token.props) {
        props.push(yield evalTokenValue(prop, ctx, false));
      }
      try {
        if (token.variable) {
          const variable = yield evalToken(token.variable, ctx, lenient);
          return yield ctx._getFromScope(variable, props);
        } else {
          return yield ctx._get(props);
        }
      } catch (e) {
        if (lenient && e.name === "InternalUndefinedVariableError")
          return null;
        throw new UndefinedVariableError(e, token);
      }
    }
    function evalQuotedToken(token) {
      return token.content;
    }
    function* evalRangeToken(token, ctx) {
      const low = yield evalTokenValue(token.lhs, ctx);
      const high = yield evalTokenValue(token.rhs, ctx);
      ctx.memoryLimit.use(high - low + 1);
      return range(+low, +high + 1);
    }
    function* toPostfix(tokens) {
      const ops = [];
      for (const token of tokens) {
        if (isOperatorToken(token)) {
          while (ops.length && ops[ops.length - 1].getPrecedence() > token.getPrecedence()) {
            yield ops.pop();
          }
          ops.push(token);
        } else
          yield token;
      }
      while (ops.length) {
        yield ops.pop();
      }
    }
    function isTruthy(val, ctx) {
      return !isFalsy(val, ctx);
    }
    function isFalsy(val, ctx) {
      val = toValue(val);
      if (ctx.opts.jsTruthy) {
        return !val;
      } else {
        return val === false || void 0 === val || val === null;
      }
    }
    var defaultOperators = {
      "==": function* (l, r) {
        return yield equals(l, r);
      },
      "!=": function* (l, r) {
        return !(yield equals(l, r));
      },
      ">": function* (l, r) {
        if (isComparable(l))
          return yield l.gt(r);
        if (isComparable(r))
          return yield r.lt(l);
        return (yield toValue(l)) > (yield toValue(r));
      },
      "<": function* (l, r) {
        if (isComparable(l))
          return yield l.lt(r);
        if (isComparable(r))
          return yield r.gt(l);
        return (yield toValue(l)) < (yield toValue(r));
      },
      ">=": function* (l, r) {
        if (isComparable(l))
          return yield l.geq(r);
        if (isComparable(r))
          return yield r.leq(l);
        return (yield toValue(l)) >= (yield toValue(r));
      },
      "<=": function* (l, r) {
        if (isComparable(l))
          return yield l.leq(r);
        if (isComparable(r))
          return yield r.geq(l);
        return (yield toValue(l)) <= (yield toValue(r));
      },
      "contains": function* (l, r) {
        l = yield toValue(l);
        if (isArray(l))
          return yield arrayIncludes(l, r);
        if (isFunction(l?.indexOf))
          return l.indexOf(yield toValue(r)) > -1;
        return false;
      },
      "not": function* (v, ctx) {
        return isFalsy(yield toValue(v), ctx);
      },
      "and": function* (l, r, ctx) {
        return isTruthy(yield toValue(l), ctx) && isTruthy(yield toValue(r), ctx);
      },
      "or": function* (l, r, ctx) {
        return isTruthy(yield toValue(l), ctx) || isTruthy(yield toValue(r), ctx);
      }
    };
    function* equals(lhs, rhs) {
      if (isComparable(lhs))
        return yield lhs.equals(rhs);
      if (isComparable(rhs))
        return yield rhs.equals(lhs);
      lhs = yield toValue(lhs);
      rhs = yield toValue(rhs);
      if (isArray(lhs)) {
        return isArray(rhs) && (yield arrayEquals(lhs, rhs));
      }
      return lhs === rhs;
    }
    function* arrayEquals(lhs, rhs) {
      if (lhs.length !== rhs.length)
        return false;
      for (let i = 0; i < lhs.length; i++) {
        if (!(yield equals(lhs[i], rhs[i])))
          return false;
      }
      return true;
    }
    function* arrayIncludes(arr, item) {
      for (const value of arr) {
        if (yield equals(value, item))
          return true;
      }
      return false;
    }
    var Node = class {
      constructor(key, value, next, prev) {
        this.key = key;
        this.value = value;
        this.next = next;
        this.prev = prev;
      }
    };
    var LRU = class {
      constructor(limit2, size2 = 0) {
        this.limit = limit2;
        this.size = size2;
        this.cache = {};
        this.head = new Node("HEAD", null, null, null);
        this.tail = new Node("TAIL", null, null, null);
        this.head.next = this.tail;
        this.tail.prev = this.head;
      }
      write(key, value) {
        if (this.cache[key]) {
          this.cache[key].value = value;
        } else {
          const node = new Node(key, value, this.head.next, this.head);
          this.head.next.prev = node;
          this.head.next = node;
          this.cache[key] = node;
          this.size++;
          this.ensureLimit();
        }
      }
      read(key) {
        if (!this.cache[key])
          return;
        const { value } = this.cache[key];
        this.remove(key);
        this.write(key, value);
        return value;
      }
      remove(key) {
        const node = this.cache[key];
        node.prev.next = node.next;
        node.next.prev = node.prev;
        delete this.cache[key];
        this.size--;
      }
      clear() {
        this.head.next = this.tail;
        this.tail.prev = this.head;
        this.size = 0;
        this.cache = {};
      }
      ensureLimit() {
        if (this.size > this.limit)
          this.remove(this.tail.prev.key);
      }
    };
    var requireResolve = (partial) => __require.resolve(partial, { paths: ["."] });
    var statAsync = promisify(fs$1.stat);
    var readFileAsync = promisify(fs$1.readFile);
    async function exists(filepath) {
      try {
        await statAsync(filepath);
        return true;
      } catch (err) {
        return false;
      }
    }
    function readFile3(filepath) {
      return readFileAsync(filepath, "utf8");
    }
    function existsSync5(filepath) {
      try {
        fs$1.statSync(filepath);
        return true;
      } catch (err) {
        return false;
      }
    }
    function readFileSync7(filepath) {
      return fs$1.readFileSync(filepath, "utf8");
    }
    function resolve2(root2, file, ext) {
      if (!path6.extname(file))
        file += ext;
      return path6.resolve(root2, file);
    }
    function fallback(file) {
      try {
        return requireResolve(file);
      } catch (e) {
      }
    }
    function dirname3(filepath) {
      return path6.dirname(filepath);
    }
    var realpathAsync = promisify(fs$1.realpath);
    async function contains(root2, file) {
      try {
        const realRoot = await realpathAsync(root2);
        const realFile = await realpathAsync(file);
        const prefix = realRoot.endsWith(path6.sep) ? realRoot : realRoot + path6.sep;
        return realFile.startsWith(prefix);
      } catch {
        return false;
      }
    }
    function containsSync(root2, file) {
      try {
        const realRoot = fs$1.realpathSync(root2);
        const realFile = fs$1.realpathSync(file);
        const prefix = realRoot.endsWith(path6.sep) ? realRoot : realRoot + path6.sep;
        return realFile.startsWith(prefix);
      } catch {
        return false;
      }
    }
    var fs2 = /* @__PURE__ */ Object.freeze({
      __proto__: null,
      exists,
      readFile: readFile3,
      existsSync: existsSync5,
      readFileSync: readFileSync7,
      resolve: resolve2,
      fallback,
      dirname: dirname3,
      contains,
      containsSync,
      sep: path6.sep
    });
    function chargeJsonReplacerValue(memoryLimit, val) {
      if (typeof val === "string") {
        memoryLimit.use(val.length);
      } else if (val === null || typeof val === "number" || typeof val === "boolean") {
        memoryLimit.use(JSON.stringify(val).length);
      } else if (Array.isArray(val)) {
        memoryLimit.use(val.length + 1);
      } else if (typeof val === "object") {
        memoryLimit.use(2);
      }
    }
    function defaultFilter(value, defaultValue, ...args) {
      value = toValue(value);
      if (isArray(value) || isString(value))
        return value.length ? value : defaultValue;
      if (value === false && new Map(args).get("allow_false"))
        return false;
      return isFalsy(value, this.context) ? defaultValue : value;
    }
    function json(value, space = 0) {
      const memoryLimit = this.context.memoryLimit;
      return JSON.stringify(value, (_key, val) => {
        chargeJsonReplacerValue(memoryLimit, val);
        return val;
      }, space);
    }
    function inspect(value, space = 0) {
      const memoryLimit = this.context.memoryLimit;
      const ancestors = [];
      return JSON.stringify(value, function(_key, value2) {
        if (typeof value2 !== "object" || value2 === null) {
          chargeJsonReplacerValue(memoryLimit, value2);
          return value2;
        }
        while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this)
          ancestors.pop();
        if (ancestors.includes(value2)) {
          memoryLimit.use("[Circular]".length);
          return "[Circular]";
        }
        ancestors.push(value2);
        chargeJsonReplacerValue(memoryLimit, value2);
        return value2;
      }, space);
    }
    function to_integer(value) {
      return Number(value);
    }
    var raw = {
      raw: true,
      handler: identify
    };
    var misc = {
      default: defaultFilter,
      raw,
      jsonify: json,
      to_integer,
      json,
      inspect
    };
    var escapeMap = {
      "&": "&amp;",
      "<": "&lt;",
      ">": "&gt;",
      '"': "&#34;",
      "'": "&#39;"
    };
    var unescapeMap = {
      "&amp;": "&",
      "&lt;": "<",
      "&gt;": ">",
      "&#34;": '"',
      "&#39;": "'"
    };
    function escape(str) {
      str = stringify(str);
      this.context.memoryLimit.use(str.length);
      return str.replace(/&|<|>|"|'/g, (m) => escapeMap[m]);
    }
    function xml_escape(str) {
      return escape.call(this, str);
    }
    function unescape(str) {
      str = stringify(str);
      this.context.memoryLimit.use(str.length);
      return str.replace(/&(amp|lt|gt|#34|#39);/g, (m) => unescapeMap[m]);
    }
    function escape_once(str) {
      return escape.call(this, unescape.call(this, str));
    }
    function newline_to_br(v) {
      const str = stringify(v);
      this.context.memoryLimit.use(str.length);
      return str.replace(/\r?\n/gm, "<br />\n");
    }
    function strip_html(v) {
      const str = stringify(v);
      this.context.memoryLimit.use(str.length);
      const blocks = /* @__PURE__ */ new Map([["<script", "</script>"], ["<style", "</style>"], ["<!--", "-->"], ["<", ">"]]);
      let out = "";
      let i = 0;
      while (i < str.length) {
        const lt = str.indexOf("<", i);
        if (lt < 0)
          return out + str.slice(i);
        out += str.slice(i, lt);
        for (const [opener, closer] of blocks) {
          if (!str.startsWith(opener, lt))
            continue;
          const e = str.indexOf(closer, lt + opener.length);
          if (e >= 0) {
            i = e + closer.length;
            break;
          }
          blocks.delete(opener);
        }
        if (i <= lt)
          return out + str.slice(lt);
      }
      return out;
    }
    var htmlFilters = /* @__PURE__ */ Object.freeze({
      __proto__: null,
      escape,
      xml_escape,
      escape_once,
      newline_to_br,
      strip_html
    });
    var MapFS = class {
      constructor(mapping) {
        this.mapping = mapping;
        this.sep = "/";
      }
      async exists(filepath) {
        return this.existsSync(filepath);
      }
      existsSync(filepath) {
        return !isNil(this.mapping[filepath]);
      }
      async readFile(filepath) {
        return this.readFileSync(filepath);
      }
      readFileSync(filepath) {
        const content = this.mapping[filepath];
        if (isNil(content))
          throw new Error(`ENOENT: ${filepath}`);
        return content;
      }
      dirname(filepath) {
        const segments = filepath.split(this.sep);
        segments.pop();
        return segments.join(this.sep);
      }
      resolve(dir, file, ext) {
        file += ext;
        if (dir === ".")
          return file;
        const segments = dir.split(/\/+/);
        for (const segment of file.split(this.sep)) {
          if (segment === "." || segment === "")
            continue;
          else if (segment === "..") {
            if (segments.length > 1 || segments[0] !== "")
              segments.pop();
          } else
            segments.push(segment);
        }
        return segments.join(this.sep);
      }
    };
    var defaultOptions = {
      root: ["."],
      layouts: ["."],
      partials: ["."],
      relativeReference: true,
      jekyllInclude: false,
      keyValueSeparator: ":",
      cache: void 0,
      extname: "",
      fs: fs2,
      dynamicPartials: true,
      jsTruthy: false,
      dateFormat: "%A, %B %-e, %Y at %-l:%M %P %z",
      locale: "",
      trimTagRight: false,
      trimTagLeft: false,
      trimOutputRight: false,
      trimOutputLeft: false,
      greedy: true,
      tagDelimiterLeft: "{%",
      tagDelimiterRight: "%}",
      outputDelimiterLeft: "{{",
      outputDelimiterRight: "}}",
      preserveTimezones: false,
      strictFilters: false,
      strictVariables: false,
      ownPropertyOnly: true,
      lenientIf: false,
      globals: {},
      keepOutputType: false,
      operators: defaultOperators,
      groupedExpressions: false,
      memoryLimit: Infinity,
      parseLimit: Infinity,
      renderLimit: Infinity
    };
    function normalize(options) {
      if (options.hasOwnProperty("root")) {
        if (!options.hasOwnProperty("partials"))
          options.partials = options.root;
        if (!options.hasOwnProperty("layouts"))
          options.layouts = options.root;
      }
      if (options.hasOwnProperty("cache")) {
        let cache;
        if (typeof options.cache === "number")
          cache = options.cache > 0 ? new LRU(options.cache) : void 0;
        else if (typeof options.cache === "object")
          cache = options.cache;
        else
          cache = options.cache ? new LRU(1024) : void 0;
        options.cache = cache;
      }
      options = { ...defaultOptions, ...options.jekyllInclude ? { dynamicPartials: false } : {}, ...options };
      if ((!options.fs.dirname || !options.fs.sep) && options.relativeReference) {
        console.warn("[LiquidJS] `fs.dirname` and `fs.sep` are required for relativeReference, set relativeReference to `false` to suppress this warning");
        options.relativeReference = false;
      }
      options.root = normalizeDirectoryList(options.root);
      options.partials = normalizeDirectoryList(options.partials);
      options.layouts = normalizeDirectoryList(options.layouts);
      options.outputEscape = options.outputEscape && getOutputEscapeFunction(options.outputEscape);
      if (!options.locale) {
        options.locale = getDateTimeFormat()?.().resolvedOptions().locale ?? "en-US";
      }
      if (options.templates) {
        options.fs = new MapFS(options.templates);
        options.relativeReference = true;
        options.root = options.partials = options.layouts = ".";
      }
      return options;
    }
    function getOutputEscapeFunction(nameOrFunction) {
      if (nameOrFunction === "escape")
        return escape;
      if (nameOrFunction === "json")
        return misc.json;
      assert(isFunction(nameOrFunction), "`outputEscape` need to be of type string or function");
      return nameOrFunction;
    }
    function normalizeDirectoryList(value) {
      let list = [];
      if (isArray(value))
        list = value;
      if (isString(value))
        list = [value];
      return list;
    }
    function whiteSpaceCtrl(tokens, options) {
      let inRaw = false;
      for (let i = 0; i < tokens.length; i++) {
        const token = tokens[i];
        if (!isDelimitedToken(token))
          continue;
        if (!inRaw && token.trimLeft) {
          trimLeft(tokens[i - 1], options.greedy);
        }
        if (isTagToken(token)) {
          if (token.name === "raw")
            inRaw = true;
          else if (token.name === "endraw")
            inRaw = false;
        }
        if (!inRaw && token.trimRight) {
          trimRight(tokens[i + 1], options.greedy);
        }
      }
    }
    function trimLeft(token, greedy) {
      if (!token || !isHTMLToken(token))
        return;
      const mask = greedy ? BLANK : INLINE_BLANK;
      while (TYPES[token.input.charCodeAt(token.end - 1 - token.trimRight)] & mask)
        token.trimRight++;
    }
    function trimRight(token, greedy) {
      if (!token || !isHTMLToken(token))
        return;
      const mask = greedy ? BLANK : INLINE_BLANK;
      while (TYPES[token.input.charCodeAt(token.begin + token.trimLeft)] & mask)
        token.trimLeft++;
      if (token.input.charAt(token.begin + token.trimLeft) === "\n")
        token.trimLeft++;
    }
    var Tokenizer = class {
      constructor(input, operators = defaultOptions.operators, file, range2, groupedExpressions = false) {
        this.input = input;
        this.file = file;
        this.rawBeginAt = -1;
        this.p = range2 ? range2[0] : 0;
        this.N = range2 ? range2[1] : input.length;
        this.opTrie = createTrie(operators);
        this.literalTrie = createTrie(literalValues);
        this.groupedExpressions = groupedExpressions;
      }
      readExpression() {
        return new Expression(this.readExpressionTokens());
      }
      *readExpressionTokens() {
        while (this.p < this.N) {
          const operator = this.readOperator();
          if (operator) {
            yield operator;
            continue;
          }
          const operand = this.readValue();
          if (operand) {
            yield operand;
            continue;
          }
          return;
        }
      }
      readOperator() {
        this.skipBlank();
        const end = this.matchTrie(this.opTrie);
        if (end === -1)
          return;
        return new OperatorToken(this.input, this.p, this.p = end, this.file);
      }
      matchTrie(trie) {
        let node = trie;
        let i = this.p;
        let info2;
        while (node[this.input[i]] && i < this.N) {
          node = node[this.input[i++]];
          if (node["end"])
            info2 = node;
        }
        if (!info2)
          return -1;
        if (info2["needBoundary"] && isWord(this.peek(i - this.p)))
          return -1;
        return i;
      }
      readFilteredValue() {
        const begin = this.p;
        const initial = this.readExpression();
        this.assert(initial.valid(), `invalid value expression: ${this.snapshot()}`);
        const filters2 = this.readFilters();
        return new FilteredValueToken(initial, filters2, this.input, begin, this.p, this.file);
      }
      readFilters() {
        const filters2 = [];
        while (true) {
          const filter2 = this.readFilter();
          if (!filter2)
            return filters2;
          filters2.push(filter2);
        }
      }
      readFilter() {
        this.skipBlank();
        if (this.end())
          return null;
        if (this.peek() === ")" || this.peek() === ",")
          return null;
        this.assert(this.read() === "|", `expected "|" before filter`);
        const name = this.readIdentifier();
        if (!name.size()) {
          this.assert(this.end(), `expected filter name`);
          return null;
        }
        const args = [];
        this.skipBlank();
        if (this.peek() === ":") {
          do {
            ++this.p;
            const arg = this.readFilterArg();
            arg && args.push(arg);
            this.skipBlank();
            this.assert(this.end() || this.peek() === "," || this.peek() === "|" || this.peek() === ")", () => `unexpected character ${this.snapshot()}`);
          } while (this.peek() === ",");
        } else if (this.peek() === "|" || this.peek() === ")" || this.peek() === "," || this.end()) ;
        else {
          throw this.error('expected ":" after filter name');
        }
        return new FilterToken(name.getText(), args, this.input, name.begin, this.p, this.file);
      }
      readFilterArg() {
        const key = this.readValue();
        if (!key)
          return;
        this.skipBlank();
        if (this.peek() !== ":")
          return key;
        ++this.p;
        const value = this.readValue();
        return [key.getText(), value];
      }
      readTopLevelTokens(options = defaultOptions) {
        const tokens = [];
        while (this.p < this.N) {
          const token = this.readTopLevelToken(options);
          tokens.push(token);
        }
        whiteSpaceCtrl(tokens, options);
        return tokens;
      }
      readTopLevelToken(options) {
        const { tagDelimiterLeft, outputDelimiterLeft } = options;
        if (this.rawBeginAt > -1)
          return this.readEndrawOrRawContent(options);
        if (this.match(tagDelimiterLeft))
          return this.readTagToken(options);
        if (this.match(outputDelimiterLeft))
          return this.readOutputToken(options);
        return this.readHTMLToken([tagDelimiterLeft, outputDelimiterLeft]);
      }
      readHTMLToken(stopStrings) {
        const begin = this.p;
        while (this.p < this.N) {
          if (stopStrings.some((str) => this.match(str)))
            break;
          ++this.p;
        }
        return new HTMLToken(this.input, begin, this.p, this.file);
      }
      readTagToken(options) {
        const { file, input } = this;
        const begin = this.p;
        if (this.readToDelimiter(options.tagDelimiterRight) === -1) {
          throw this.error(`tag ${this.snapshot(begin)} not closed`, begin);
        }
        const token = new TagToken(input, begin, this.p, options, file);
        if (token.name === "raw")
          this.rawBeginAt = begin;
        return token;
      }
      readToDelimiter(delimiter, respectQuoted = false) {
        this.skipBlank();
        while (this.p < this.N) {
          if (respectQuoted && this.peekType() & QUOTE) {
            this.readQuoted();
            continue;
          }
          ++this.p;
          if (this.rmatch(delimiter))
            return this.p;
        }
        return -1;
      }
      readOutputToken(options = defaultOptions) {
        const { file, input } = this;
        const { outputDelimiterRight } = options;
        const begin = this.p;
        if (this.readToDelimiter(outputDelimiterRight, true) === -1) {
          throw this.error(`output ${this.snapshot(begin)} not closed`, begin);
        }
        return new OutputToken(input, begin, this.p, options, file);
      }
      readEndrawOrRawContent(options) {
        const { tagDelimiterLeft, tagDelimiterRight } = options;
        const begin = this.p;
        let leftPos = this.readTo(tagDelimiterLeft) - tagDelimiterLeft.length;
        while (this.p < this.N) {
          if (this.readIdentifier().getText() !== "endraw") {
            leftPos = this.readTo(tagDelimiterLeft) - tagDelimiterLeft.length;
            continue;
          }
          while (this.p <= this.N) {
            if (this.rmatch(tagDelimiterRight)) {
              const end = this.p;
              if (begin === leftPos) {
                this.rawBeginAt = -1;
                return new TagToken(this.input, begin, end, options, this.file);
              } else {
                this.p = leftPos;
                return new HTMLToken(this.input, begin, leftPos, this.file);
              }
            }
            if (this.rmatch(tagDelimiterLeft))
              break;
            this.p++;
          }
        }
        throw this.error(`raw ${this.snapshot(this.rawBeginAt)} not closed`, begin);
      }
      readLiquidTagTokens(options = defaultOptions) {
        const tokens = [];
        while (this.p < this.N) {
          const token = this.readLiquidTagToken(options);
          token && tokens.push(token);
        }
        return tokens;
      }
      readLiquidTagToken(options) {
        this.skipBlank();
        if (this.end())
          return;
        const begin = this.p;
        this.readToDelimiter("\n");
        const end = this.p;
        return new LiquidTagToken(this.input, begin, end, options, this.file);
      }
      error(msg, pos = this.p) {
        return new TokenizationError(msg, new IdentifierToken(this.input, pos, this.N, this.file));
      }
      assert(pred, msg, pos) {
        if (!pred)
          throw this.error(typeof msg === "function" ? msg() : msg, pos);
      }
      snapshot(begin = this.p) {
        return JSON.stringify(ellipsis(this.input.slice(begin, this.N), 32));
      }
      /**
       * @deprecated use #readIdentifier instead
       */
      readWord() {
        return this.readIdentifier();
      }
      readIdentifier() {
        this.skipBlank();
        const begin = this.p;
        while (!this.end() && isWord(this.peek()))
          ++this.p;
        return new IdentifierToken(this.input, begin, this.p, this.file);
      }
      readNonEmptyIdentifier() {
        const id = this.readIdentifier();
        return id.size() ? id : void 0;
      }
      readTagName() {
        this.skipBlank();
        if (this.input[this.p] === "#")
          return this.input.slice(this.p, ++this.p);
        return this.readIdentifier().getText();
      }
      readHashes(jekyllStyle) {
        const hashes = [];
        while (true) {
          const hash = this.readHash(jekyllStyle);
          if (!hash)
            return hashes;
          hashes.push(hash);
        }
      }
      readHash(jekyllStyle) {
        this.skipBlank();
        if (this.peek() === ",")
          ++this.p;
        const begin = this.p;
        const name = this.readNonEmptyIdentifier();
        if (!name)
          return;
        let value;
        this.skipBlank();
        const sep2 = isString(jekyllStyle) ? jekyllStyle : jekyllStyle ? "=" : ":";
        if (this.peek() === sep2) {
          ++this.p;
          value = this.readValue();
        }
        return new HashToken(this.input, begin, this.p, name, value, this.file);
      }
      remaining() {
        return this.input.slice(this.p, this.N);
      }
      advance(step = 1) {
        this.p += step;
      }
      end() {
        return this.p >= this.N;
      }
      read() {
        return this.input[this.p++];
      }
      readTo(end) {
        while (this.p < this.N) {
          ++this.p;
          if (this.rmatch(end))
            return this.p;
        }
        return -1;
      }
      readValue() {
        this.skipBlank();
        const begin = this.p;
        let variable = this.readLiteral() || this.readQuoted() || this.readNumber();
        if (!variable && this.peek() === "(") {
          variable = this.readGroupOrRange();
        }
        const props = this.readProperties(!variable);
        if (!props.length)
          return variable;
        return new PropertyAccessToken(variable, props, this.input, begin, this.p);
      }
      readScopeValue() {
        this.skipBlank();
        const begin = this.p;
        const props = this.readProperties();
        if (!props.length)
          return void 0;
        return new PropertyAccessToken(void 0, props, this.input, begin, this.p);
      }
      readProperties(isBegin = true) {
        const props = [];
        while (true) {
          if (this.peek() === "[") {
            this.p++;
            const prop = this.readValue() || new IdentifierToken(this.input, this.p, this.p, this.file);
            this.assert(this.readTo("]") !== -1, "[ not closed");
            props.push(prop);
            continue;
          }
          if (isBegin && !props.length) {
            const prop = this.readNonEmptyIdentifier();
            if (prop) {
              props.push(prop);
              continue;
            }
          }
          if (this.peek() === "." && this.peek(1) !== ".") {
            this.p++;
            const prop = this.readNonEmptyIdentifier();
            if (!prop)
              break;
            props.push(prop);
            continue;
          }
          break;
        }
        return props;
      }
      readNumber() {
        this.skipBlank();
        let decimalFound = false;
        let digitFound = false;
        let n = 0;
        if (this.peekType() & SIGN)
          n++;
        while (this.p + n <= this.N) {
          if (this.peekType(n) & NUMBER) {
            digitFound = true;
            n++;
          } else if (this.peek(n) === "." && this.peek(n + 1) !== ".") {
            if (decimalFound || !digitFound)
              return;
            decimalFound = true;
            n++;
          } else
            break;
        }
        if (digitFound && !isWord(this.peek(n))) {
          const num = new NumberToken(this.input, this.p, this.p + n, this.file);
          this.advance(n);
          return num;
        }
      }
      readLiteral() {
        this.skipBlank();
        const end = this.matchTrie(this.literalTrie);
        if (end === -1)
          return;
        const literal = new LiteralToken(this.input, this.p, end, this.file);
        this.p = end;
        return literal;
      }
      readGroupOrRange() {
        this.skipBlank();
        const begin = this.p;
        if (this.peek() !== "(")
          return;
        ++this.p;
        const lhs = this.readValueOrThrow();
        this.skipBlank();
        if (this.peek() === "." && this.peek(1) === ".") {
          this.p += 2;
          const rhs = this.readValueOrThrow();
          this.skipBlank();
          this.assert(this.read() === ")", "invalid range syntax");
          return new RangeToken(this.input, begin, this.p, lhs, rhs, this.file);
        }
        if (this.groupedExpressions) {
          const initial = new Expression([lhs, ...this.readExpressionTokens()]);
          this.assert(initial.valid(), () => `invalid value expression: ${this.snapshot()}`);
          const filters2 = this.readFilters();
          this.skipBlank();
          this.assert(this.read() === ")", "unbalanced parentheses");
          return new FilteredValueToken(initial, filters2, this.input, begin, this.p, this.file);
        }
        throw this.error("invalid range syntax");
      }
      readValueOrThrow() {
        const value = this.readValue();
        this.assert(value, () => `unexpected token ${this.snapshot()}, value expected`);
        return value;
      }
      readQuoted() {
        this.skipBlank();
        const begin = this.p;
        if (!(this.peekType() & QUOTE))
          return;
        ++this.p;
        let escaped = false;
        while (this.p < this.N) {
          ++this.p;
          if (this.input[this.p - 1] === this.input[begin] && !escaped)
            break;
          if (escaped)
            escaped = false;
          else if (this.input[this.p - 1] === "\\")
            escaped = true;
        }
        return new QuotedToken(this.input, begin, this.p, this.file);
      }
      *readFileNameTemplate(options) {
        const { outputDelimiterLeft } = options;
        const htmlStopStrings = [",", " ", "\r", "\n", "	", outputDelimiterLeft];
        const htmlStopStringSet = new Set(htmlStopStrings);
        while (this.p < this.N && !htmlStopStringSet.has(this.peek())) {
          yield this.match(outputDelimiterLeft) ? this.readOutputToken(options) : this.readHTMLToken(htmlStopStrings);
        }
      }
      match(word) {
        for (let i = 0; i < word.length; i++) {
          if (word[i] !== this.input[this.p + i])
            return false;
        }
        return true;
      }
      rmatch(pattern) {
        for (let i = 0; i < pattern.length; i++) {
          if (pattern[pattern.length - 1 - i] !== this.input[this.p - 1 - i])
            return false;
        }
        return true;
      }
      peekType(n = 0) {
        return this.p + n >= this.N ? 0 : TYPES[this.input.charCodeAt(this.p + n)];
      }
      peek(n = 0) {
        return this.p + n >= this.N ? "" : this.input[this.p + n];
      }
      skipBlank() {
        while (this.peekType() & BLANK)
          ++this.p;
      }
    };
    var ParseStream = class {
      constructor(tokens, parseToken) {
        this.handlers = {};
        this.stopRequested = false;
        this.tokens = tokens;
        this.parseToken = parseToken;
      }
      on(name, cb) {
        this.handlers[name] = cb;
        return this;
      }
      trigger(event, arg) {
        const h = this.handlers[event];
        return h ? (h.call(this, arg), true) : false;
      }
      start() {
        this.trigger("start");
        let token;
        while (!this.stopRequested && (token = this.tokens.shift())) {
          if (this.trigger("token", token))
            continue;
          if (isTagToken(token) && this.trigger(`tag:${token.name}`, token)) {
            continue;
          }
          const template = this.parseToken(token, this.tokens);
          this.trigger("template", template);
        }
        if (!this.stopRequested)
          this.trigger("end");
        return this;
      }
      stop() {
        this.stopRequested = true;
        return this;
      }
    };
    var TemplateImpl = class {
      constructor(token) {
        this.token = token;
      }
    };
    var Tag = class extends TemplateImpl {
      constructor(token, remainTokens, liquid) {
        super(token);
        this.name = token.name;
        this.liquid = liquid;
        this.tokenizer = token.tokenizer;
      }
    };
    var Hash = class {
      constructor(input, jekyllStyle) {
        this.hash = {};
        const tokenizer = input instanceof Tokenizer ? input : new Tokenizer(input, {});
        for (const hash of tokenizer.readHashes(jekyllStyle)) {
          this.hash[hash.name.content] = hash.value;
        }
      }
      *render(ctx) {
        const hash = {};
        for (const key of Object.keys(this.hash)) {
          hash[key] = this.hash[key] === void 0 ? true : yield evalToken(this.hash[key], ctx);
        }
        return hash;
      }
    };
    function createTagClass(options) {
      return class extends Tag {
        constructor(token, tokens, liquid) {
          super(token, tokens, liquid);
          if (isFunction(options.parse)) {
            options.parse.call(this, token, tokens);
          }
        }
        *render(ctx, emitter) {
          const hash = yield new Hash(this.token.args, ctx.opts.keyValueSeparator).render(ctx);
          return yield options.render.call(this, ctx, emitter, hash);
        }
      };
    }
    var Value = class {
      /**
       * @param str the value to be valuated, eg.: "foobar" | truncate: 3
       */
      constructor(input, liquid) {
        this.filters = [];
        const token = typeof input === "string" ? new Tokenizer(input, liquid.options.operators, void 0, void 0, liquid.options.groupedExpressions).readFilteredValue() : input;
        this.initial = token.initial;
        this.filters = token.filters.map((token2) => new Filter(token2, this.getFilter(liquid, token2.name), liquid));
      }
      *value(ctx, lenient) {
        lenient = lenient || ctx.opts.lenientIf && this.filters.length > 0 && this.filters[0].name === "default";
        let val = yield this.initial.evaluate(ctx, lenient);
        for (const filter2 of this.filters) {
          val = yield filter2.render(val, ctx);
        }
        return val;
      }
      getFilter(liquid, name) {
        const impl = liquid.filters[name];
        assert(impl || !liquid.options.strictFilters, () => `undefined filter: ${name}`);
        return impl;
      }
    };
    var Output = class extends TemplateImpl {
      constructor(token, liquid) {
        super(token);
        const tokenizer = new Tokenizer(token.input, liquid.options.operators, token.file, token.contentRange, liquid.options.groupedExpressions);
        this.value = new Value(tokenizer.readFilteredValue(), liquid);
        const filters2 = this.value.filters;
        const outputEscape = liquid.options.outputEscape;
        if (!filters2[filters2.length - 1]?.raw && outputEscape) {
          const token2 = new FilterToken(toString.call(outputEscape), [], "", 0, 0);
          filters2.push(new Filter(token2, outputEscape, liquid));
        }
      }
      *render(ctx, emitter) {
        const val = yield toValue(yield this.value.value(ctx, false));
        emitter.write(val);
      }
      *arguments() {
        yield this.value;
      }
    };
    var HTML = class extends TemplateImpl {
      constructor(token) {
        super(token);
        this.str = token.getContent();
      }
      *render(ctx, emitter) {
        emitter.write(this.str);
      }
    };
    var Variable = class _Variable {
      constructor(segments, location) {
        this.segments = segments;
        this.location = location;
      }
      toString() {
        return segmentsString(this.segments, true);
      }
      /** Return this variable's segments as an array, possibly with nested arrays for nested paths. */
      toArray() {
        function* _visit(...segments) {
          for (const segment of segments) {
            if (segment instanceof _Variable) {
              yield Array.from(_visit(...segment.segments));
            } else {
              yield segment;
            }
          }
        }
        return Array.from(_visit(...this.segments));
      }
    };
    var VariableMap = class {
      constructor() {
        this.map = /* @__PURE__ */ new Map();
      }
      get(key) {
        const k = segmentsString([key.segments[0]]);
        if (!this.map.has(k)) {
          this.map.set(k, []);
        }
        return this.map.get(k);
      }
      has(key) {
        return this.map.has(segmentsString([key.segments[0]]));
      }
      push(variable) {
        this.get(variable).push(variable);
      }
      asObject() {
        return Object.fromEntries(this.map);
      }
    };
    var defaultStaticAnalysisOptions = {
      partials: true
    };
    function* _analyze(templates, partials, sync) {
      const variables = new VariableMap();
      const globals = new VariableMap();
      const locals = new VariableMap();
      const rootScope = new DummyScope(/* @__PURE__ */ new Set());
      const seen = /* @__PURE__ */ new Set();
      function updateVariables(variable, scope) {
        variables.push(variable);
        const aliased = scope.alias(variable);
        if (aliased !== void 0) {
          const root2 = aliased.segments[0];
          if (isString(root2) && !rootScope.has(root2)) {
            globals.push(aliased);
          }
        } else {
          const root2 = variable.segments[0];
          if (isString(root2) && !scope.has(root2)) {
            globals.push(variable);
          }
        }
        for (const segment of variable.segments) {
          if (segment instanceof Variable) {
            updateVariables(segment, scope);
          }
        }
      }
      function* visit(template, scope) {
        if (template.arguments) {
          for (const arg of template.arguments()) {
            for (const variable of extractVariables(arg)) {
              updateVariables(variable, scope);
            }
          }
        }
        if (template.localScope) {
          for (const ident of template.localScope()) {
            scope.add(ident.content);
            scope.deleteAlias(ident.content);
            const [row, col] = ident.getPosition();
            locals.push(new Variable([ident.content], { row, col, file: ident.file }));
          }
        }
        if (template.children) {
          if (template.partialScope) {
            const partial = template.partialScope();
            if (partial === void 0) {
              for (const child of yield template.children(partials, sync)) {
                yield visit(child, scope);
              }
              return;
            }
            if (seen.has(partial.name))
              return;
            const partialScopeNames = /* @__PURE__ */ new Set();
            const partialScope = partial.isolated ? new DummyScope(partialScopeNames) : scope.push(partialScopeNames);
            for (const name of partial.scope) {
              if (isString(name)) {
                partialScopeNames.add(name);
              } else {
                const [alias, argument] = name;
                partialScopeNames.add(alias);
                const variables2 = Array.from(extractVariables(argument));
                if (variables2.length) {
                  partialScope.setAlias(alias, variables2[0].segments);
                }
              }
            }
            for (const child of yield template.children(partials, sync)) {
              yield visit(child, partialScope);
              seen.add(partial.name);
            }
            partialScope.pop();
          } else {
            if (template.blockScope) {
              scope.push(new Set(template.blockScope()));
            }
            for (const child of yield template.children(partials, sync)) {
              yield visit(child, scope);
            }
            if (template.blockScope) {
              scope.pop();
            }
          }
        }
      }
      for (const template of templates) {
        yield visit(template, rootScope);
      }
      return {
        variables: variables.asObject(),
        globals: globals.asObject(),
        locals: locals.asObject()
      };
    }
    function analyze(template, options = {}) {
      const opts = { ...defaultStaticAnalysisOptions, ...options };
      return toPromise(_analyze(template, opts.partials, false));
    }
    function analyzeSync(template, options = {}) {
      const opts = { ...defaultStaticAnalysisOptions, ...options };
      return toValueSync2(_analyze(template, opts.partials, true));
    }
    var DummyScope = class {
      constructor(globals) {
        this.stack = [{ names: globals, aliases: /* @__PURE__ */ new Map() }];
      }
      /** Return true if `name` is in scope.  */
      has(name) {
        for (const scope of this.stack) {
          if (scope.names.has(name)) {
            return true;
          }
        }
        return false;
      }
      push(scope) {
        this.stack.push({ names: scope, aliases: /* @__PURE__ */ new Map() });
        return this;
      }
      pop() {
        return this.stack.pop()?.names;
      }
      // Add a name to the template scope.
      add(name) {
        this.stack[0].names.add(name);
      }
      /** Return the variable that `variable` aliases, or `variable` if it doesn't alias anything. */
      alias(variable) {
        const root2 = variable.segments[0];
        if (!isString(root2))
          return void 0;
        const alias = this.getAlias(root2);
        if (alias === void 0)
          return void 0;
        return new Variable([...alias, ...variable.segments.slice(1)], variable.location);
      }
      // TODO: `from` could be a path with multiple segments, like `include.x`.
      setAlias(from, to) {
        this.stack[this.stack.length - 1].aliases.set(from, to);
      }
      deleteAlias(name) {
        this.stack[this.stack.length - 1].aliases.delete(name);
      }
      getAlias(name) {
        for (const scope of this.stack) {
          if (scope.aliases.has(name)) {
            return scope.aliases.get(name);
          }
          if (scope.names.has(name)) {
            return void 0;
          }
        }
        return void 0;
      }
    };
    function* extractVariables(value) {
      if (isValueToken(value)) {
        yield* extractValueTokenVariables(value);
      } else if (value instanceof Value) {
        yield* extractFilteredValueVariables(value);
      }
    }
    function* extractFilteredValueVariables(value) {
      for (const token of value.initial.postfix) {
        if (isValueToken(token)) {
          yield* extractValueTokenVariables(token);
        }
      }
      for (const filter2 of value.filters) {
        for (const arg of filter2.args) {
          if (isKeyValuePair(arg) && arg[1]) {
            yield* extractValueTokenVariables(arg[1]);
          } else if (isValueToken(arg)) {
            yield* extractValueTokenVariables(arg);
          }
        }
      }
    }
    function* extractValueTokenVariables(token) {
      if (isRangeToken(token)) {
        yield* extractValueTokenVariables(token.lhs);
        yield* extractValueTokenVariables(token.rhs);
      } else if (isFilteredValueToken(token)) {
        yield* extractGroupedExpressionTokenVariables(token);
      } else if (isPropertyAccessToken(token)) {
        yield extractPropertyAccessVariable(token);
      }
    }
    function* extractGroupedExpressionTokenVariables(token) {
      if (!isFilteredValueToken(token))
        return;
      for (const t of token.initial.postfix) {
        if (isValueToken(t))
          yield* extractValueTokenVariables(t);
      }
      for (const filter2 of token.filters) {
        for (const arg of filter2.args) {
          if (isKeyValuePair(arg) && arg[1]) {
            yield* extractValueTokenVariables(arg[1]);
          } else if (isValueToken(arg)) {
            yield* extractValueTokenVariables(arg);
          }
        }
      }
    }
    function extractPropertyAccessVariable(token) {
      const segments = [];
      let file = token.file;
      const root2 = token.props[0];
      file = file || root2.file;
      if (isQuotedToken(root2) || isNumberToken(root2) || isWordToken(root2)) {
        segments.push(root2.content);
      } else if (isPropertyAccessToken(root2)) {
        segments.push(...extractPropertyAccessVariable(root2).segments);
      }
      for (const prop of token.props.slice(1)) {
        file = file || prop.file;
        if (isQuotedToken(prop) || isNumberToken(prop) || isWordToken(prop)) {
          segments.push(prop.content);
        } else if (isPropertyAccessToken(prop)) {
          segments.push(extractPropertyAccessVariable(prop));
        }
      }
      const [row, col] = token.getPosition();
      return new Variable(segments, {
        row,
        col,
        file
      });
    }
    var RE_PROPERTY = /^[\u0080-\uFFFFa-zA-Z_][\u0080-\uFFFFa-zA-Z0-9_-]*$/;
    function segmentsString(segments, bracketedRoot = false) {
      const buf = [];
      const root2 = segments[0];
      if (isString(root2)) {
        if (!bracketedRoot || root2.match(RE_PROPERTY)) {
          buf.push(`${root2}`);
        } else {
          buf.push(`['${root2}']`);
        }
      }
      for (const segment of segments.slice(1)) {
        if (segment instanceof Variable) {
          buf.push(`[${segmentsString(segment.segments)}]`);
        } else if (isString(segment)) {
          if (segment.match(RE_PROPERTY)) {
            buf.push(`.${segment}`);
          } else {
            buf.push(`['${segment}']`);
          }
        } else {
          buf.push(`[${segment}]`);
        }
      }
      return buf.join("");
    }
    (function(LookupType) {
      LookupType["Partials"] = "partials";
      LookupType["Layouts"] = "layouts";
      LookupType["Root"] = "root";
    })(exports.LookupType || (exports.LookupType = {}));
    var Loader = class {
      constructor(options) {
        this.options = options;
        if (options.relativeReference) {
          const sep2 = options.fs.sep;
          assert(sep2, "`fs.sep` is required for relative reference");
          const prefixes = ["." + sep2, ".." + sep2, "./", "../"];
          this.shouldLoadRelative = (referencedFile) => prefixes.some((prefix) => referencedFile.startsWith(prefix));
        } else {
          this.shouldLoadRelative = (_referencedFile) => false;
        }
        const fs3 = options.fs;
        this.contains = toLiquidAsync(fs3.contains?.bind(fs3) || (async () => true), fs3.containsSync?.bind(fs3) || (() => true));
        this.exists = toLiquidAsync(fs3.exists?.bind(fs3) || (async () => false), fs3.existsSync?.bind(fs3));
      }
      *lookup(file, type, sync, currentFile) {
        const dirs = this.options[type];
        for (const filepath of this.candidates(file, dirs, currentFile)) {
          let allowed = false;
          for (const dir of dirs) {
            if (yield this.contains(!!sync, dir, filepath)) {
              allowed = true;
              break;
            }
          }
          if (!allowed)
            continue;
          if (yield this.exists(!!sync, filepath))
            return filepath;
        }
        throw this.lookupError(file, dirs);
      }
      *candidates(file, dirs, currentFile) {
        const { fs: fs3, extname } = this.options;
        if (this.shouldLoadRelative(file) && currentFile) {
          const referenced = fs3.resolve(this.dirname(currentFile), file, extname);
          yield referenced;
        }
        for (const dir of dirs) {
          const referenced = fs3.resolve(dir, file, extname);
          yield referenced;
        }
        if (fs3.fallback !== void 0) {
          const filepath = fs3.fallback(file);
          if (filepath !== void 0)
            yield filepath;
        }
      }
      dirname(path7) {
        const fs3 = this.options.fs;
        assert(fs3.dirname, "`fs.dirname` is required for relative reference");
        return fs3.dirname(path7);
      }
      lookupError(file, roots) {
        const err = new Error("ENOENT");
        err.message = `ENOENT: Failed to lookup "${file}" in "${roots}"`;
        err.code = "ENOENT";
        return err;
      }
    };
    var Parser = class {
      constructor(liquid) {
        this.liquid = liquid;
        this.cache = this.liquid.options.cache;
        this.fs = this.liquid.options.fs;
        this.parseFile = this.cache ? this._parseFileCached : this._parseFile;
        this.loader = new Loader(this.liquid.options);
        this.parseLimit = new Limiter("parse length", liquid.options.parseLimit);
        this.readFile = toLiquidAsync(this.fs.readFile?.bind(this.fs) || (async () => {
          throw new Error("readFile not implemented");
        }), this.fs.readFileSync?.bind(this.fs));
      }
      parse(html, filepath) {
        html = String(html);
        this.parseLimit.use(html.length);
        const tokenizer = new Tokenizer(html, this.liquid.options.operators, filepath, void 0, this.liquid.options.groupedExpressions);
        const tokens = tokenizer.readTopLevelTokens(this.liquid.options);
        return this.parseTokens(tokens);
      }
      parseTokens(tokens) {
        let token;
        const templates = [];
        const errors = [];
        while (token = tokens.shift()) {
          try {
            templates.push(this.parseToken(token, tokens));
          } catch (err) {
            if (this.liquid.options.catchAllErrors)
              errors.push(err);
            else
              throw err;
          }
        }
        if (errors.length)
          throw new LiquidErrors(errors);
        return templates;
      }
      parseToken(token, remainTokens) {
        try {
          if (isTagToken(token)) {
            const TagClass = this.liquid.tags[token.name];
            assert(TagClass, `tag "${token.name}" not found`);
            return new TagClass(token, remainTokens, this.liquid, this);
          }
          if (isOutputToken(token)) {
            return new Output(token, this.liquid);
          }
          return new HTML(token);
        } catch (e) {
          if (LiquidError.is(e))
            throw e;
          throw new ParseError(e, token);
        }
      }
      parseStream(tokens) {
        return new ParseStream(tokens, (token, tokens2) => this.parseToken(token, tokens2));
      }
      *_parseFileCached(file, sync, type = exports.LookupType.Root, currentFile) {
        const cache = this.cache;
        const key = this.loader.shouldLoadRelative(file) ? currentFile + "," + file : type + ":" + file;
        const tpls = yield cache.read(key);
        if (tpls)
          return tpls;
        const task = this._parseFile(file, sync, type, currentFile);
        const taskOrTpl = sync ? yield task : toPromise(task);
        cache.write(key, taskOrTpl);
        try {
          return yield taskOrTpl;
        } catch (err) {
          cache.remove(key);
          throw err;
        }
      }
      *_parseFile(file, sync, type = exports.LookupType.Root, currentFile) {
        const filepath = yield this.loader.lookup(file, type, sync, currentFile);
        return this.parse(yield this.readFile(!!sync, filepath), filepath);
      }
    };
    (function(TokenKind) {
      TokenKind[TokenKind["Number"] = 1] = "Number";
      TokenKind[TokenKind["Literal"] = 2] = "Literal";
      TokenKind[TokenKind["Tag"] = 4] = "Tag";
      TokenKind[TokenKind["Output"] = 8] = "Output";
      TokenKind[TokenKind["HTML"] = 16] = "HTML";
      TokenKind[TokenKind["Filter"] = 32] = "Filter";
      TokenKind[TokenKind["Hash"] = 64] = "Hash";
      TokenKind[TokenKind["PropertyAccess"] = 128] = "PropertyAccess";
      TokenKind[TokenKind["Word"] = 256] = "Word";
      TokenKind[TokenKind["Range"] = 512] = "Range";
      TokenKind[TokenKind["Quoted"] = 1024] = "Quoted";
      TokenKind[TokenKind["Operator"] = 2048] = "Operator";
      TokenKind[TokenKind["FilteredValue"] = 4096] = "FilteredValue";
      TokenKind[TokenKind["GroupedExpression"] = 8192] = "GroupedExpression";
      TokenKind[TokenKind["Delimited"] = 12] = "Delimited";
    })(exports.TokenKind || (exports.TokenKind = {}));
    function isDelimitedToken(val) {
      return !!(getKind(val) & exports.TokenKind.Delimited);
    }
    function isOperatorToken(val) {
      return getKind(val) === exports.TokenKind.Operator;
    }
    function isHTMLToken(val) {
      return getKind(val) === exports.TokenKind.HTML;
    }
    function isOutputToken(val) {
      return getKind(val) === exports.TokenKind.Output;
    }
    function isTagToken(val) {
      return getKind(val) === exports.TokenKind.Tag;
    }
    function isQuotedToken(val) {
      return getKind(val) === exports.TokenKind.Quoted;
    }
    function isLiteralToken(val) {
      return getKind(val) === exports.TokenKind.Literal;
    }
    function isNumberToken(val) {
      return getKind(val) === exports.TokenKind.Number;
    }
    function isPropertyAccessToken(val) {
      return getKind(val) === exports.TokenKind.PropertyAccess;
    }
    function isWordToken(val) {
      return getKind(val) === exports.TokenKind.Word;
    }
    function isRangeToken(val) {
      return getKind(val) === exports.TokenKind.Range;
    }
    function isFilteredValueToken(val) {
      return getKind(val) === exports.TokenKind.FilteredValue;
    }
    function isValueToken(val) {
      return (getKind(val) & 5763) > 0;
    }
    function getKind(val) {
      return val ? val.kind : -1;
    }
    var typeGuards = /* @__PURE__ */ Object.freeze({
      __proto__: null,
      isDelimitedToken,
      isOperatorToken,
      isHTMLToken,
      isOutputToken,
      isTagToken,
      isQuotedToken,
      isLiteralToken,
      isNumberToken,
      isPropertyAccessToken,
      isWordToken,
      isRangeToken,
      isFilteredValueToken,
      isValueToken
    });
    var __assign = function() {
      __assign = Object.assign || function __assign2(t) {
        for (var s, i = 1, n = arguments.length; i < n; i++) {
          s = arguments[i];
          for (var p in s) if (Object.prototype.hasOwnProperty.call(s, p)) t[p] = s[p];
        }
        return t;
      };
      return __assign.apply(this, arguments);
    };
    function createScope(from) {
      const scope = /* @__PURE__ */ Object.create(null);
      if (from)
        Object.assign(scope, from);
      return scope;
    }
    var Context2 = class _Context {
      constructor(env = {}, opts = defaultOptions, renderOptions = {}, { memoryLimit, renderLimit, liquid } = {}) {
        this.scopes = [createScope()];
        this.registers = {};
        this.breakCalled = false;
        this.continueCalled = false;
        this.sync = !!renderOptions.sync;
        this.opts = opts;
        this.globals = renderOptions.globals ?? opts.globals;
        this.environments = isObject(env) ? env : Object(env);
        this.strictVariables = renderOptions.strictVariables ?? this.opts.strictVariables;
        this.ownPropertyOnly = renderOptions.ownPropertyOnly ?? opts.ownPropertyOnly;
        this.memoryLimit = memoryLimit ?? new Limiter("memory alloc", renderOptions.memoryLimit ?? opts.memoryLimit);
        this.renderLimit = renderLimit ?? new Limiter("template render", getPerformance().now() + (renderOptions.renderLimit ?? opts.renderLimit));
        this.liquid = liquid;
      }
      getRegister(key, defaultValue = void 0) {
        return this.registers[key] = this.registers[key] || defaultValue;
      }
      setRegister(key, value) {
        return this.registers[key] = value;
      }
      saveRegister(...keys) {
        return keys.map((key) => [key, this.getRegister(key)]);
      }
      restoreRegister(keyValues) {
        return keyValues.forEach(([key, value]) => this.setRegister(key, value));
      }
      getAll() {
        return [this.globals, this.environments, ...this.scopes].reduce((ctx, val) => __assign(ctx, val), {});
      }
      /**
       * @deprecated use `_get()` or `getSync()` instead
       */
      get(paths) {
        return this.getSync(paths);
      }
      getSync(paths) {
        return toValueSync2(this._get(paths));
      }
      *_get(paths) {
        const scope = this.findScope(paths[0]);
        return yield this._getFromScope(scope, paths);
      }
      /**
       * @deprecated use `_get()` instead
       */
      getFromScope(scope, paths) {
        return toValueSync2(this._getFromScope(scope, paths));
      }
      *_getFromScope(scope, paths, strictVariables = this.strictVariables) {
        if (isString(paths))
          paths = paths.split(".");
        for (let i = 0; i < paths.length; i++) {
          scope = yield this.readProperty(scope, paths[i]);
          if (strictVariables && isUndefined(scope)) {
            throw new InternalUndefinedVariableError(paths.slice(0, i + 1).join("."));
          }
        }
        return scope;
      }
      push(ctx) {
        return this.scopes.push(ctx);
      }
      pop() {
        return this.scopes.pop();
      }
      bottom() {
        return this.scopes[0];
      }
      spawn(scope = {}) {
        return new _Context(scope, this.opts, {
          sync: this.sync,
          globals: this.globals,
          strictVariables: this.strictVariables,
          ownPropertyOnly: this.ownPropertyOnly
        }, {
          renderLimit: this.renderLimit,
          memoryLimit: this.memoryLimit,
          liquid: this.liquid
        });
      }
      findScope(key) {
        for (let i = this.scopes.length - 1; i >= 0; i--) {
          const candidate = this.scopes[i];
          if (key in candidate)
            return candidate;
        }
        if (key in this.environments)
          return this.environments;
        return this.globals;
      }
      readProperty(obj, key) {
        obj = toLiquid(obj);
        key = toValue(key);
        if (isNil(obj))
          return obj;
        if (isArray(obj) && isNumber(key))
          return readArrayElement(obj, key, this.ownPropertyOnly);
        const value = readJSProperty(obj, key, this.ownPropertyOnly);
        if (value === void 0 && obj instanceof Drop)
          return obj.liquidMethodMissing(key, this);
        if (isFunction(value))
          return value.call(obj);
        if (key === "size")
          return readSize(obj);
        else if (key === "first")
          return readFirst(obj, this.ownPropertyOnly);
        else if (key === "last")
          return readLast(obj, this.ownPropertyOnly);
        return value;
      }
    };
    function readJSProperty(obj, key, ownPropertyOnly) {
      if (ownPropertyOnly && !hasOwnProperty.call(obj, key) && !(obj instanceof Drop))
        return void 0;
      return obj[key];
    }
    function readFirst(obj, ownPropertyOnly) {
      if (isArray(obj))
        return readArrayElement(obj, 0, ownPropertyOnly);
      return readJSProperty(obj, "first", ownPropertyOnly);
    }
    function readLast(obj, ownPropertyOnly) {
      if (isArray(obj))
        return readArrayElement(obj, -1, ownPropertyOnly);
      return readJSProperty(obj, "last", ownPropertyOnly);
    }
    function readSize(obj) {
      if (hasOwnProperty.call(obj, "size") || obj["size"] !== void 0)
        return obj["size"];
      if (isArray(obj) || isString(obj))
        return obj.length;
      if (typeof obj === "object")
        return Object.keys(obj).length;
    }
    var BlockMode;
    (function(BlockMode2) {
      BlockMode2[BlockMode2["OUTPUT"] = 0] = "OUTPUT";
      BlockMode2[BlockMode2["STORE"] = 1] = "STORE";
    })(BlockMode || (BlockMode = {}));
    var abs = argumentsToNumber(Math.abs);
    var at_least = argumentsToNumber(Math.max);
    var at_most = argumentsToNumber(Math.min);
    var ceil = argumentsToNumber(Math.ceil);
    var divided_by = argumentsToNumber((dividend, divisor, integerArithmetic = false) => integerArithmetic ? Math.floor(dividend / divisor) : dividend / divisor);
    var floor = argumentsToNumber(Math.floor);
    var minus = argumentsToNumber((v, arg) => v - arg);
    var plus = argumentsToNumber((lhs, rhs) => lhs + rhs);
    var modulo = argumentsToNumber((v, arg) => (v % arg + arg) % arg);
    var times = argumentsToNumber((v, arg) => v * arg);
    function shiftDecimal(n, exponent) {
      const [mantissa, power = "0"] = String(n).split("e");
      return Number(`${mantissa}e${Number(power) + exponent}`);
    }
    function round(v, arg = 0) {
      v = toNumber(v);
      arg = toNumber(arg);
      const scaled = shiftDecimal(Math.abs(v), arg);
      if (!(scaled <= Number.MAX_SAFE_INTEGER))
        return v;
      const rounded = shiftDecimal(Math.round(scaled), -arg);
      return v < 0 ? -rounded : rounded;
    }
    var mathFilters = /* @__PURE__ */ Object.freeze({
      __proto__: null,
      abs,
      at_least,
      at_most,
      ceil,
      divided_by,
      floor,
      minus,
      plus,
      modulo,
      times,
      round
    });
    var url_decode = (x) => decodeURIComponent(stringify(x).replace(/\+/g, " "));
    var url_encode = (x) => encodeURIComponent(stringify(x)).replace(/%20/g, "+");
    var cgi_escape = (x) => encodeURIComponent(stringify(x)).replace(/%20/g, "+").replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
    var uri_escape = (x) => encodeURI(stringify(x)).replace(/%5B/g, "[").replace(/%5D/g, "]");
    var rSlugifyDefault = /[^\p{M}\p{L}\p{Nd}]+/ug;
    var rSlugifyReplacers = {
      "raw": /\s+/g,
      "default": rSlugifyDefault,
      "pretty": /[^\p{M}\p{L}\p{Nd}._~!$&'()+,;=@]+/ug,
      "ascii": /[^A-Za-z0-9]+/g,
      "latin": rSlugifyDefault,
      "none": null
    };
    function slugify(str, mode = "default", cased = false) {
      str = stringify(str);
      const replacer = rSlugifyReplacers[mode];
      if (replacer) {
        if (mode === "latin")
          str = removeAccents(str);
        str = str.replace(replacer, "-").replace(/^-|-$/g, "");
      }
      return cased ? str : str.toLowerCase();
    }
    function removeAccents(str) {
      return str.replace(/[\u00e0\u00e1\u00e2\u00e3\u00e4\u00e5]/g, "a").replace(/[\u00e6]/g, "ae").replace(/[\u00e7]/g, "c").replace(/[\u00e8\u00e9\u00ea\u00eb]/g, "e").replace(/[\u00ec\u00ed\u00ee\u00ef]/g, "i").replace(/[\u00f0]/g, "d").replace(/[\u00f1]/g, "n").replace(/[\u00f2\u00f3\u00f4\u00f5\u00f6\u00f8]/g, "o").replace(/[\u00f9\u00fa\u00fb\u00fc]/g, "u").replace(/[\u00fd\u00ff]/g, "y").replace(/[\u00df]/g, "ss").replace(/[\u0153]/g, "oe").replace(/[\u00fe]/g, "th").replace(/[\u1e9e]/g, "SS").replace(/[\u0152]/g, "OE").replace(/[\u00de]/g, "TH");
    }
    var urlFilters = /* @__PURE__ */ Object.freeze({
      __proto__: null,
      url_decode,
      url_encode,
      cgi_escape,
      uri_escape,
      slugify
    });
    var join4 = argumentsToValue(function(v, arg) {
      const array = toArray(v);
      const sep2 = isNil(arg) ? " " : stringify(arg);
      let outputSize = sep2.length * Math.max(array.length - 1, 0);
      for (let i = 0; i < array.length; i++)
        outputSize += String(array[i]).length;
      this.context.memoryLimit.use(outputSize);
      return Array.prototype.join.call(array, sep2);
    });
    var last = argumentsToValue(function(v) {
      return isArrayLike(v) ? readArrayElement(v, -1, this.context.ownPropertyOnly) : "";
    });
    var first = argumentsToValue(function(v) {
      return isArrayLike(v) ? readArrayElement(v, 0, this.context.ownPropertyOnly) : "";
    });
    var reverse = argumentsToValue(function(v) {
      const array = toArray(v);
      this.context.memoryLimit.use(array.length);
      return [...array].reverse();
    });
    function* sortBy(arr, property, comparator) {
      const values = [];
      const array = toArray(arr);
      this.context.memoryLimit.use(array.length);
      for (const item of array) {
        values.push([
          item,
          property ? yield this.context._getFromScope(item, stringify(property).split("."), false) : item
        ]);
      }
      return values.sort((lhs, rhs) => comparator(lhs[1], rhs[1])).map((tuple) => tuple[0]);
    }
    function* sort(arr, property) {
      return yield* sortBy.call(this, arr, property, orderedCompare);
    }
    function* sort_natural(arr, property) {
      return yield* sortBy.call(this, arr, property, caseInsensitiveCompare);
    }
    var size = (v) => v && v.length || 0;
    function* map(arr, property) {
      const results = [];
      const array = toArray(arr);
      this.context.memoryLimit.use(array.length);
      for (const item of array) {
        results.push(yield this.context._getFromScope(item, stringify(property), false));
      }
      return results;
    }
    function* sum(arr, property) {
      let sum2 = 0;
      const array = toArray(arr);
      for (const item of array) {
        const data = Number(property ? yield this.context._getFromScope(item, stringify(property), false) : item);
        sum2 += Number.isNaN(data) ? 0 : data;
      }
      return sum2;
    }
    function compact(arr) {
      const array = toArray(arr);
      this.context.memoryLimit.use(array.length);
      return Array.prototype.filter.call(array, (x) => !isNil(toValue(x)));
    }
    function concat(v, arg = []) {
      const lhs = toArray(v);
      const rhs = toArray(arg);
      this.context.memoryLimit.use(lhs.length + rhs.length);
      return Array.prototype.concat.call(lhs, rhs);
    }
    function push2(v, arg) {
      return concat.call(this, v, [arg]);
    }
    function unshift(v, arg) {
      const array = toArray(v);
      this.context.memoryLimit.use(array.length);
      const clone = [...array];
      clone.unshift(arg);
      return clone;
    }
    function pop(v) {
      const array = toArray(v);
      this.context.memoryLimit.use(array.length);
      const clone = [...array];
      clone.pop();
      return clone;
    }
    function shift(v) {
      const array = toArray(v);
      this.context.memoryLimit.use(array.length);
      const clone = [...array];
      clone.shift();
      return clone;
    }
    function slice(v, begin, length = 1) {
      v = toValue(v);
      if (isNil(v))
        return [];
      if (!isArray(v))
        v = stringify(v);
      begin = begin < 0 ? (isArray(v) ? v.length : codePointLength(v)) + begin : begin;
      if (begin < 0 || length < 0)
        return isArray(v) ? [] : "";
      this.context.memoryLimit.use(length);
      if (isArray(v))
        return Array.prototype.slice.call(v, begin, begin + length);
      const start = advanceCodePoints(v, 0, begin);
      return v.slice(start, advanceCodePoints(v, start, length));
    }
    function* matches(value, expected) {
      if (this.context.opts.jekyllWhere) {
        if (EmptyDrop.is(expected))
          return yield equals(value, expected);
        if (isArray(value))
          return yield arrayIncludes(value, expected);
        return yield equals(value, expected);
      }
      if (expected === void 0)
        return isTruthy(value, this.context);
      return yield equals(value, expected);
    }
    function* filter(include, arr, property, expected) {
      arr = toArray(arr);
      this.context.memoryLimit.use(arr.length);
      const token = new Tokenizer(stringify(property)).readScopeValue();
      const result = [];
      for (const item of arr) {
        const value = yield evalToken(token, this.context.spawn(item));
        if ((yield matches.call(this, value, expected)) === include)
          result.push(item);
      }
      return result;
    }
    function* filter_exp(include, arr, itemName, exp) {
      const filtered = [];
      const keyTemplate = new Value(stringify(exp), this.liquid);
      const array = toArray(arr);
      this.context.memoryLimit.use(array.length);
      for (const item of array) {
        this.context.push({ [itemName]: item });
        const value = yield keyTemplate.value(this.context);
        this.context.pop();
        if (value === include)
          filtered.push(item);
      }
      return filtered;
    }
    function* where(arr, property, expected) {
      return yield* filter.call(this, true, arr, property, expected);
    }
    function* reject(arr, property, expected) {
      return yield* filter.call(this, false, arr, property, expected);
    }
    function* where_exp(arr, itemName, exp) {
      return yield* filter_exp.call(this, true, arr, itemName, exp);
    }
    function* reject_exp(arr, itemName, exp) {
      return yield* filter_exp.call(this, false, arr, itemName, exp);
    }
    function* group_by(arr, property) {
      const map2 = /* @__PURE__ */ new Map();
      arr = toEnumerable(arr);
      const token = new Tokenizer(stringify(property)).readScopeValue();
      this.context.memoryLimit.use(arr.length);
      for (const item of arr) {
        const key = yield evalToken(token, this.context.spawn(item));
        if (!map2.has(key))
          map2.set(key, []);
        map2.get(key).push(item);
      }
      return [...map2.entries()].map(([name, items]) => ({ name, items }));
    }
    function* group_by_exp(arr, itemName, exp) {
      const map2 = /* @__PURE__ */ new Map();
      const keyTemplate = new Value(stringify(exp), this.liquid);
      arr = toEnumerable(arr);
      this.context.memoryLimit.use(arr.length);
      for (const item of arr) {
        this.context.push({ [itemName]: item });
        const key = yield keyTemplate.value(this.context);
        this.context.pop();
        if (!map2.has(key))
          map2.set(key, []);
        map2.get(key).push(item);
      }
      return [...map2.entries()].map(([name, items]) => ({ name, items }));
    }
    function* search(arr, property, expected) {
      const token = new Tokenizer(stringify(property)).readScopeValue();
      const array = toArray(arr);
      for (let index = 0; index < array.length; index++) {
        const value = yield evalToken(token, this.context.spawn(array[index]));
        if (yield matches.call(this, value, expected))
          return [index, array[index]];
      }
    }
    function* search_exp(arr, itemName, exp) {
      const predicate = new Value(stringify(exp), this.liquid);
      const array = toArray(arr);
      for (let index = 0; index < array.length; index++) {
        this.context.push({ [itemName]: array[index] });
        const value = yield predicate.value(this.context);
        this.context.pop();
        if (value)
          return [index, array[index]];
      }
    }
    function* has(arr, property, expected) {
      const result = yield* search.call(this, arr, property, expected);
      return !!result;
    }
    function* has_exp(arr, itemName, exp) {
      const result = yield* search_exp.call(this, arr, itemName, exp);
      return !!result;
    }
    function* find_index(arr, property, expected) {
      const result = yield* search.call(this, arr, property, expected);
      return result ? result[0] : void 0;
    }
    function* find_index_exp(arr, itemName, exp) {
      const result = yield* search_exp.call(this, arr, itemName, exp);
      return result ? result[0] : void 0;
    }
    function* find(arr, property, expected) {
      const result = yield* search.call(this, arr, property, expected);
      return result ? result[1] : void 0;
    }
    function* find_exp(arr, itemName, exp) {
      const result = yield* search_exp.call(this, arr, itemName, exp);
      return result ? result[1] : void 0;
    }
    function uniq(arr) {
      arr = toArray(arr);
      this.context.memoryLimit.use(arr.length);
      return [...new Set(arr)];
    }
    function sample(v, count = 1) {
      v = toValue(v);
      if (isNil(v))
        return [];
      if (!isArray(v))
        v = stringify(v);
      this.context.memoryLimit.use(v.length);
      const shuffled = [...v].sort(() => Math.random() - 0.5);
      if (count === 1)
        return shuffled[0];
      return shuffled.slice(0, count);
    }
    var arrayFilters = /* @__PURE__ */ Object.freeze({
      __proto__: null,
      join: join4,
      last,
      first,
      reverse,
      sort,
      sort_natural,
      size,
      map,
      sum,
      compact,
      concat,
      push: push2,
      unshift,
      pop,
      shift,
      slice,
      where,
      reject,
      where_exp,
      reject_exp,
      group_by,
      group_by_exp,
      has,
      has_exp,
      find_index,
      find_index_exp,
      find,
      find_exp,
      uniq,
      sample
    });
    function date(v, format2, timezoneOffset) {
      const size2 = (v?.length ?? 0) + (timezoneOffset?.length ?? 0);
      this.context.memoryLimit.use(size2);
      const date2 = parseDate(v, this.context.opts, timezoneOffset);
      if (!date2)
        return v;
      format2 = toValue(format2);
      format2 = isNil(format2) ? this.context.opts.dateFormat : stringify(format2);
      this.context.memoryLimit.use(format2.length);
      return strftime(date2, format2, this.context.memoryLimit);
    }
    function date_to_xmlschema(v) {
      return date.call(this, v, "%Y-%m-%dT%H:%M:%S%:z");
    }
    function date_to_rfc822(v) {
      const date2 = parseDate(v, this.context.opts, void 0, "en-US");
      if (!date2)
        return v;
      return strftime(date2, "%a, %d %b %Y %H:%M:%S %z", this.context.memoryLimit);
    }
    function date_to_string(v, type, style) {
      return stringify_date.call(this, v, "%b", type, style);
    }
    function date_to_long_string(v, type, style) {
      return stringify_date.call(this, v, "%B", type, style);
    }
    function stringify_date(v, month_type, type, style) {
      const date2 = parseDate(v, this.context.opts);
      if (!date2)
        return v;
      const ml = this.context.memoryLimit;
      if (type === "ordinal") {
        const d = date2.getDate();
        return style === "US" ? strftime(date2, `${month_type} ${d}%q, %Y`, ml) : strftime(date2, `${d}%q ${month_type} %Y`, ml);
      }
      return strftime(date2, `%d ${month_type} %Y`, ml);
    }
    function parseDate(v, opts, timezoneOffset, locale = opts.locale) {
      let date2;
      const defaultTimezoneOffset = timezoneOffset ?? opts.timezoneOffset;
      v = toValue(v);
      if (isNil(v)) {
        return void 0;
      } else if (v === "now" || v === "today") {
        date2 = new LiquidDate(Date.now(), locale, defaultTimezoneOffset);
      } else if (isNumber(v)) {
        date2 = new LiquidDate(v * 1e3, locale, defaultTimezoneOffset);
      } else if (isString(v)) {
        if (/^\d+$/.test(v)) {
          date2 = new LiquidDate(+v * 1e3, locale, defaultTimezoneOffset);
        } else if (opts.preserveTimezones && timezoneOffset === void 0) {
          date2 = LiquidDate.createDateFixedToTimezone(v, locale);
        } else {
          date2 = new LiquidDate(v, locale, defaultTimezoneOffset);
        }
      } else {
        date2 = new LiquidDate(v, locale, defaultTimezoneOffset);
      }
      return date2.valid() ? date2 : void 0;
    }
    var dateFilters = /* @__PURE__ */ Object.freeze({
      __proto__: null,
      date,
      date_to_xmlschema,
      date_to_rfc822,
      date_to_string,
      date_to_long_string
    });
    var rCJKWord = /[\u4E00-\u9FFF\uF900-\uFAFF\u3400-\u4DBF\u3040-\u309F\u30A0-\u30FF\uAC00-\uD7AF]/gu;
    var rNonCJKWord = /[^\u4E00-\u9FFF\uF900-\uFAFF\u3400-\u4DBF\u3040-\u309F\u30A0-\u30FF\uAC00-\uD7AF\s]+/gu;
    function append(v, arg) {
      assert(arguments.length === 2, "append expect 2 arguments");
      const lhs = stringify(v);
      const rhs = stringify(arg);
      this.context.memoryLimit.use(lhs.length + rhs.length);
      return lhs + rhs;
    }
    function prepend(v, arg) {
      assert(arguments.length === 2, "prepend expect 2 arguments");
      const lhs = stringify(v);
      const rhs = stringify(arg);
      this.context.memoryLimit.use(lhs.length + rhs.length);
      return rhs + lhs;
    }
    function getTrimStart(str, chars) {
      let start = 0;
      for (const char of str) {
        if (!chars.has(char))
          break;
        start += char.length;
      }
      return start;
    }
    function getTrimEnd(str, chars, start = 0) {
      let end = str.length;
      while (end > start) {
        const size2 = end - start >= 2 && str.codePointAt(end - 2) > 65535 ? 2 : 1;
        if (!chars.has(str.slice(end - size2, end)))
          break;
        end -= size2;
      }
      return end;
    }
    function lstrip(v, chars) {
      const str = stringify(v);
      this.context.memoryLimit.use(str.length);
      if (chars) {
        chars = stringify(chars);
        this.context.memoryLimit.use(chars.length);
        return str.slice(getTrimStart(str, new Set(chars)));
      }
      return str.trimStart();
    }
    function downcase(v) {
      const str = stringify(v);
      this.context.memoryLimit.use(str.length);
      return str.toLowerCase();
    }
    function upcase(v) {
      const str = stringify(v);
      this.context.memoryLimit.use(str.length);
      return stringify(str).toUpperCase();
    }
    function remove(v, arg) {
      const str = stringify(v);
      arg = stringify(arg);
      this.context.memoryLimit.use(str.length + arg.length);
      return str.split(arg).join("");
    }
    function remove_first(v, l) {
      const str = stringify(v);
      l = stringify(l);
      this.context.memoryLimit.use(str.length + l.length);
      return str.replace(l, "");
    }
    function remove_last(v, l) {
      const str = stringify(v);
      const pattern = stringify(l);
      this.context.memoryLimit.use(str.length + pattern.length);
      const index = str.lastIndexOf(pattern);
      if (index === -1)
        return str;
      return str.substring(0, index) + str.substring(index + pattern.length);
    }
    function rstrip(str, chars) {
      str = stringify(str);
      this.context.memoryLimit.use(str.length);
      if (chars) {
        chars = stringify(chars);
        this.context.memoryLimit.use(chars.length);
        return str.slice(0, getTrimEnd(str, new Set(chars)));
      }
      return str.trimEnd();
    }
    function split(v, arg) {
      const str = stringify(v);
      this.context.memoryLimit.use(str.length);
      const arr = str.split(stringify(arg));
      while (arr.length && arr[arr.length - 1] === "")
        arr.pop();
      return arr;
    }
    function strip(v, chars) {
      const str = stringify(v);
      this.context.memoryLimit.use(str.length);
      if (chars) {
        const set = new Set(stringify(chars));
        this.context.memoryLimit.use(set.size);
        const start = getTrimStart(str, set);
        return str.slice(start, getTrimEnd(str, set, start));
      }
      return str.trim();
    }
    function strip_newlines(v) {
      const str = stringify(v);
      this.context.memoryLimit.use(str.length);
      return str.replace(/\r?\n/gm, "");
    }
    function squish(v) {
      const str = stringify(v);
      this.context.memoryLimit.use(str.length);
      return str.replace(/\s+/g, " ").trim();
    }
    function capitalize(str) {
      str = stringify(str);
      this.context.memoryLimit.use(str.length);
      return str.charAt(0).toUpperCase() + str.slice(1).toLowerCase();
    }
    function replace(v, pattern, replacement) {
      const str = stringify(v);
      pattern = stringify(pattern);
      replacement = stringify(replacement);
      const parts = str.split(pattern);
      const outputSize = str.length + (parts.length - 1) * (replacement.length - pattern.length);
      this.context.memoryLimit.use(outputSize);
      return parts.join(replacement);
    }
    function replace_first(v, arg1, arg2) {
      const str = stringify(v);
      arg1 = stringify(arg1);
      arg2 = stringify(arg2);
      this.context.memoryLimit.use(str.length + arg1.length + arg2.length);
      return str.replace(arg1, () => arg2);
    }
    function replace_last(v, arg1, arg2) {
      const str = stringify(v);
      const pattern = stringify(arg1);
      const replacement = stringify(arg2);
      this.context.memoryLimit.use(str.length + pattern.length + replacement.length);
      const index = str.lastIndexOf(pattern);
      if (index === -1)
        return str;
      return str.substring(0, index) + replacement + str.substring(index + pattern.length);
    }
    function truncate(v, l = 50, o = "...") {
      const str = stringify(v);
      o = stringify(o);
      this.context.memoryLimit.use(str.length + o.length);
      if (str.length <= l || advanceCodePoints(str, 0, l) >= str.length)
        return v;
      return str.slice(0, advanceCodePoints(str, 0, Math.max(l - codePointLength(o), 0))) + o;
    }
    function truncatewords(v, words = 15, o = "...") {
      const str = stringify(v);
      o = stringify(o);
      this.context.memoryLimit.use(str.length + o.length);
      const arr = str.trimStart().split(/\s+/);
      if (words <= 0)
        words = 1;
      let ret = arr.slice(0, words).join(" ");
      if (arr.length >= words)
        ret += o;
      return ret;
    }
    function normalize_whitespace(v) {
      const str = stringify(v);
      this.context.memoryLimit.use(str.length);
      return str.replace(/\s+/g, " ");
    }
    function number_of_words(input, mode) {
      const str = stringify(input);
      this.context.memoryLimit.use(str.length);
      input = str.trim();
      if (!input)
        return 0;
      switch (mode) {
        case "cjk":
          return (input.match(rCJKWord) || []).length + (input.match(rNonCJKWord) || []).length;
        case "auto":
          return rCJKWord.test(input) ? input.match(rCJKWord).length + (input.match(rNonCJKWord) || []).length : input.split(/\s+/).length;
        default:
          return input.split(/\s+/).length;
      }
    }
    function array_to_sentence_string(input, connector = "and") {
      const array = toArray(input);
      connector = stringify(connector);
      let outputSize = connector.length + array.length * 2;
      for (let i = 0; i < array.length; i++)
        outputSize += stringify(array[i]).length;
      this.context.memoryLimit.use(outputSize);
      switch (array.length) {
        case 0:
          return "";
        case 1:
          return array[0];
        case 2:
          return `${array[0]} ${connector} ${array[1]}`;
        default:
          return `${array.slice(0, -1).join(", ")}, ${connector} ${array[array.length - 1]}`;
      }
    }
    var stringFilters = /* @__PURE__ */ Object.freeze({
      __proto__: null,
      append,
      prepend,
      lstrip,
      downcase,
      upcase,
      remove,
      remove_first,
      remove_last,
      rstrip,
      split,
      strip,
      strip_newlines,
      squish,
      capitalize,
      replace,
      replace_first,
      replace_last,
      truncate,
      truncatewords,
      normalize_whitespace,
      number_of_words,
      array_to_sentence_string
    });
    function base64Encode(str) {
      return Buffer.from(str, "utf8").toString("base64");
    }
    function base64Decode(str) {
      return Buffer.from(str, "base64").toString("utf8");
    }
    function base64_encode(value) {
      if (typeof Buffer !== "undefined" && Buffer.isBuffer(value)) {
        this.context.memoryLimit.use(value.byteLength);
        return value.toString("base64");
      }
      const str = stringify(value);
      this.context.memoryLimit.use(str.length);
      return base64Encode(str);
    }
    function base64_decode(value) {
      const str = stringify(value);
      this.context.memoryLimit.use(str.length);
      assert(isBase64(str), "invalid base64 provided to base64_decode");
      return base64Decode(str);
    }
    function isBase64(str) {
      str = str.replace(/[\t\n\f\r ]/g, "");
      if (str.length % 4 === 0)
        str = str.replace(/==?$/, "");
      return str.length % 4 !== 1 && /^[A-Za-z0-9+/]*$/.test(str);
    }
    var base64Filters = /* @__PURE__ */ Object.freeze({
      __proto__: null,
      base64_encode,
      base64_decode
    });
    function sha256(str) {
      return crypto.createHash("sha256").update(str, "utf8").digest("hex");
    }
    function hmacSha256(str, key) {
      return crypto.createHmac("sha256", key).update(str, "utf8").digest("hex");
    }
    function sha256$1(value) {
      const str = stringify(value);
      this.context.memoryLimit.use(str.length);
      return sha256(str);
    }
    function hmac_sha256(value, key) {
      const str = stringify(value);
      const keyStr = stringify(key);
      this.context.memoryLimit.use(str.length + keyStr.length);
      return hmacSha256(str, keyStr);
    }
    var cryptoFilters = /* @__PURE__ */ Object.freeze({
      __proto__: null,
      sha256: sha256$1,
      hmac_sha256
    });
    var filters = {
      ...htmlFilters,
      ...mathFilters,
      ...urlFilters,
      ...arrayFilters,
      ...dateFilters,
      ...stringFilters,
      ...base64Filters,
      ...cryptoFilters,
      ...misc
    };
    var AssignTag = class extends Tag {
      constructor(token, remainTokens, liquid) {
        super(token, remainTokens, liquid);
        this.identifier = this.tokenizer.readIdentifier();
        this.key = this.identifier.content;
        this.tokenizer.assert(this.key, "expected variable name");
        this.tokenizer.skipBlank();
        this.tokenizer.assert(this.tokenizer.peek() === "=", 'expected "="');
        this.tokenizer.advance();
        this.value = new Value(this.tokenizer.readFilteredValue(), this.liquid);
      }
      *render(ctx) {
        ctx.bottom()[this.key] = yield this.value.value(ctx, this.liquid.options.lenientIf);
      }
      *arguments() {
        yield this.value;
      }
      *localScope() {
        yield this.identifier;
      }
    };
    var MODIFIERS = ["offset", "limit", "reversed"];
    var ForTag = class extends Tag {
      constructor(token, remainTokens, liquid, parser) {
        super(token, remainTokens, liquid);
        const variable = this.tokenizer.readIdentifier();
        const inStr = this.tokenizer.readIdentifier();
        const collection = this.tokenizer.readValue();
        if (!variable.size() || inStr.content !== "in" || !collection) {
          throw new Error(`illegal tag: ${token.getText()}`);
        }
        this.variable = variable.content;
        this.collection = collection;
        this.hash = new Hash(this.tokenizer, liquid.options.keyValueSeparator);
        this.templates = [];
        this.elseTemplates = [];
        let p;
        const stream2 = parser.parseStream(remainTokens).on("start", () => p = this.templates).on("tag:else", (tag) => {
          assertEmpty(tag.args);
          p = this.elseTemplates;
        }).on("tag:endfor", (tag) => {
          assertEmpty(tag.args);
          stream2.stop();
        }).on("template", (tpl) => p.push(tpl)).on("end", () => {
          throw new Error(`tag ${token.getText()} not closed`);
        });
        stream2.start();
      }
      *render(ctx, emitter) {
        const r = this.liquid.renderer;
        let collection = toEnumerable(yield evalToken(this.collection, ctx));
        if (!collection.length) {
          yield r.renderTemplates(this.elseTemplates, ctx, emitter);
          return;
        }
        const continueKey = "continue-" + this.variable + "-" + this.collection.getText();
        ctx.push(createScope({ continue: ctx.getRegister(continueKey, {}) }));
        const hash = yield this.hash.render(ctx);
        ctx.pop();
        const modifiers = this.liquid.options.orderedFilterParameters ? Object.keys(hash).filter((x) => MODIFIERS.includes(x)) : MODIFIERS.filter((x) => hash[x] !== void 0);
        collection = modifiers.reduce((collection2, modifier) => {
          if (modifier === "offset")
            return offset(collection2, hash["offset"]);
          if (modifier === "limit")
            return limit(collection2, hash["limit"]);
          return reversed(collection2);
        }, collection);
        ctx.setRegister(continueKey, (hash["offset"] || 0) + collection.length);
        const scope = createScope({ forloop: new ForloopDrop(collection.length, this.collection.getText(), this.variable) });
        ctx.push(scope);
        for (const item of collection) {
          scope[this.variable] = item;
          ctx.continueCalled = ctx.breakCalled = false;
          yield r.renderTemplates(this.templates, ctx, emitter);
          if (ctx.breakCalled)
            break;
          scope.forloop.next();
        }
        ctx.continueCalled = ctx.breakCalled = false;
        ctx.pop();
      }
      *children() {
        const templates = this.templates.slice();
        if (this.elseTemplates) {
          templates.push(...this.elseTemplates);
        }
        return templates;
      }
      *arguments() {
        yield this.collection;
        for (const v of Object.values(this.hash.hash)) {
          if (isValueToken(v)) {
            yield v;
          }
        }
      }
      blockScope() {
        return [this.variable, "forloop"];
      }
    };
    function reversed(arr) {
      return [...arr].reverse();
    }
    function offset(arr, count) {
      return arr.slice(count);
    }
    function limit(arr, count) {
      return arr.slice(0, count);
    }
    var CaptureTag2 = class extends Tag {
      constructor(tagToken, remainTokens, liquid, parser) {
        super(tagToken, remainTokens, liquid);
        this.templates = [];
        this.identifier = this.readVariable();
        this.variable = this.identifier.content;
        while (remainTokens.length) {
          const token = remainTokens.shift();
          if (isTagToken(token) && token.name === "endcapture")
            return;
          this.templates.push(parser.parseToken(token, remainTokens));
        }
        throw new Error(`tag ${tagToken.getText()} not closed`);
      }
      readVariable() {
        let ident = this.tokenizer.readIdentifier();
        if (ident.content)
          return ident;
        ident = this.tokenizer.readQuoted();
        if (ident)
          return ident;
        throw this.tokenizer.error("invalid capture name");
      }
      *render(ctx) {
        const r = this.liquid.renderer;
        const html = yield r.renderTemplates(this.templates, ctx);
        ctx.bottom()[this.variable] = html;
      }
      *children() {
        return this.templates;
      }
      *localScope() {
        yield this.identifier;
      }
    };
    var CaseTag = class extends Tag {
      constructor(tagToken, remainTokens, liquid, parser) {
        super(tagToken, remainTokens, liquid);
        this.branches = [];
        this.elseTemplates = [];
        this.value = new Value(this.tokenizer.readFilteredValue(), this.liquid);
        this.elseTemplates = [];
        let p = [];
        let elseCount = 0;
        const stream2 = parser.parseStream(remainTokens).on("tag:when", (token) => {
          if (elseCount > 0) {
            return;
          }
          p = [];
          const values = [];
          while (!token.tokenizer.end()) {
            values.push(token.tokenizer.readValueOrThrow());
            token.tokenizer.skipBlank();
            if (token.tokenizer.peek() === ",") {
              token.tokenizer.readTo(",");
            } else {
              token.tokenizer.readTo("or");
            }
          }
          this.branches.push({
            values,
            templates: p
          });
        }).on("tag:else", () => {
          elseCount++;
          p = this.elseTemplates;
        }).on("tag:endcase", () => stream2.stop()).on("template", (tpl) => {
          if (p !== this.elseTemplates || elseCount === 1) {
            p.push(tpl);
          }
        }).on("end", () => {
          throw new Error(`tag ${tagToken.getText()} not closed`);
        });
        stream2.start();
      }
      *render(ctx, emitter) {
        const r = this.liquid.renderer;
        const target = yield toValue(yield this.value.value(ctx, ctx.opts.lenientIf));
        let branchHit = false;
        for (const branch of this.branches) {
          for (const valueToken of branch.values) {
            const value = yield evalToken(valueToken, ctx, ctx.opts.lenientIf);
            if (yield equals(target, value)) {
              yield r.renderTemplates(branch.templates, ctx, emitter);
              branchHit = true;
              break;
            }
          }
        }
        if (!branchHit) {
          yield r.renderTemplates(this.elseTemplates, ctx, emitter);
        }
      }
      *arguments() {
        yield this.value;
        yield* this.branches.flatMap((b) => b.values);
      }
      *children() {
        const templates = this.branches.flatMap((b) => b.templates);
        if (this.elseTemplates) {
          templates.push(...this.elseTemplates);
        }
        return templates;
      }
    };
    var CommentTag = class extends Tag {
      constructor(tagToken, remainTokens, liquid) {
        super(tagToken, remainTokens, liquid);
        while (remainTokens.length) {
          const token = remainTokens.shift();
          if (isTagToken(token) && token.name === "endcomment")
            return;
        }
        throw new Error(`tag ${tagToken.getText()} not closed`);
      }
      render() {
      }
    };
    var RenderTag2 = class extends Tag {
      constructor(token, remainTokens, liquid, parser) {
        super(token, remainTokens, liquid);
        const tokenizer = this.tokenizer;
        this.file = parseFilePath(tokenizer, this.liquid, parser);
        this.currentFile = token.file;
        while (!tokenizer.end()) {
          tokenizer.skipBlank();
          const begin = tokenizer.p;
          const keyword = tokenizer.readIdentifier();
          if (keyword.content === "with" || keyword.content === "for") {
            tokenizer.skipBlank();
            if (tokenizer.peek() !== ":") {
              const value = tokenizer.readValue();
              if (value) {
                const beforeAs = tokenizer.p;
                const asStr = tokenizer.readIdentifier();
                let alias;
                if (asStr.content === "as")
                  alias = tokenizer.readIdentifier();
                else
                  tokenizer.p = beforeAs;
                const binding = { value, alias: alias && alias.content };
                if (keyword.content === "with")
                  this.with = binding;
                else
                  this.forBinding = binding;
                tokenizer.skipBlank();
                if (tokenizer.peek() === ",")
                  tokenizer.advance();
                continue;
              }
            }
          }
          tokenizer.p = begin;
          break;
        }
        this.hash = new Hash(tokenizer, liquid.options.keyValueSeparator);
      }
      *render(ctx, emitter) {
        const { liquid, hash } = this;
        const filepath = yield renderFilePath(this.file, ctx, liquid);
        assert(filepath, () => `illegal file path "${filepath}"`);
        const childCtx = ctx.spawn();
        const scope = childCtx.bottom();
        __assign(scope, yield hash.render(ctx));
        if (this.with) {
          const { value, alias } = this.with;
          scope[alias || filepath] = yield evalToken(value, ctx);
        }
        if (this.forBinding) {
          const { value, alias } = this.forBinding;
          const collection = toEnumerable(yield evalToken(value, ctx));
          scope["forloop"] = new ForloopDrop(collection.length, value.getText(), alias);
          for (const item of collection) {
            scope[alias] = item;
            const templates = yield liquid._parsePartialFile(filepath, childCtx.sync, this.currentFile);
            yield liquid.renderer.renderTemplates(templates, childCtx, emitter);
            scope["forloop"].next();
          }
        } else {
          const templates = yield liquid._parsePartialFile(filepath, childCtx.sync, this.currentFile);
          yield liquid.renderer.renderTemplates(templates, childCtx, emitter);
        }
      }
      *children(partials, sync) {
        if (partials && isString(this.file)) {
          return yield this.liquid._parsePartialFile(this.file, sync, this.currentFile);
        }
        return [];
      }
      partialScope() {
        if (isString(this.file)) {
          const names = Object.keys(this.hash.hash);
          if (this.with) {
            const { value, alias } = this.with;
            if (isString(alias)) {
              names.push([alias, value]);
            } else if (isString(this.file)) {
              names.push([this.file, value]);
            }
          }
          if (this.forBinding) {
            const { value, alias } = this.forBinding;
            if (isString(alias)) {
              names.push([alias, value]);
            } else if (isString(this.file)) {
              names.push([this.file, value]);
            }
          }
          return { name: this.file, isolated: true, scope: names };
        }
      }
      *arguments() {
        for (const v of Object.values(this.hash.hash)) {
          if (isValueToken(v)) {
            yield v;
          }
        }
        if (this.with) {
          const { value } = this.with;
          if (isValueToken(value)) {
            yield value;
          }
        }
        if (this.forBinding) {
          const { value } = this.forBinding;
          if (isValueToken(value)) {
            yield value;
          }
        }
      }
    };
    function parseFilePath(tokenizer, liquid, parser) {
      if (liquid.options.dynamicPartials) {
        const file = tokenizer.readValue();
        tokenizer.assert(file, "illegal file path");
        if (file.getText() === "none")
          return;
        if (isQuotedToken(file)) {
          const templates2 = parser.parse(evalQuotedToken(file));
          return optimize(templates2);
        }
        return file;
      }
      const tokens = [...tokenizer.readFileNameTemplate(liquid.options)];
      const templates = optimize(parser.parseTokens(tokens));
      return templates === "none" ? void 0 : templates;
    }
    function optimize(templates) {
      if (templates.length === 1 && isHTMLToken(templates[0].token))
        return templates[0].token.getContent();
      return templates;
    }
    function* renderFilePath(file, ctx, liquid) {
      if (typeof file === "string")
        return file;
      if (Array.isArray(file))
        return liquid.renderer.renderTemplates(file, ctx);
      return yield evalToken(file, ctx);
    }
    var IncludeTag2 = class extends Tag {
      constructor(token, remainTokens, liquid, parser) {
        super(token, remainTokens, liquid);
        const { tokenizer } = token;
        this.file = parseFilePath(tokenizer, this.liquid, parser);
        this.currentFile = token.file;
        const begin = tokenizer.p;
        const withStr = tokenizer.readIdentifier();
        if (withStr.content === "with") {
          tokenizer.skipBlank();
          if (tokenizer.peek() !== ":") {
            this.withVar = tokenizer.readValue();
          } else
            tokenizer.p = begin;
        } else
          tokenizer.p = begin;
        this.hash = new Hash(tokenizer, liquid.options.jekyllInclude || liquid.options.keyValueSeparator);
      }
      *render(ctx, emitter) {
        const { liquid, hash, withVar } = this;
        const { renderer } = liquid;
        const filepath = yield renderFilePath(this.file, ctx, liquid);
        assert(filepath, () => `illegal file path "${filepath}"`);
        const saved = ctx.saveRegister("blocks", "blockMode");
        ctx.setRegister("blocks", {});
        ctx.setRegister("blockMode", BlockMode.OUTPUT);
        const scope = createScope(yield hash.render(ctx));
        if (withVar)
          scope[filepath] = yield evalToken(withVar, ctx);
        const templates = yield liquid._parsePartialFile(filepath, ctx.sync, this.currentFile);
        ctx.push(ctx.opts.jekyllInclude ? createScope({ include: scope }) : scope);
        yield renderer.renderTemplates(templates, ctx, emitter);
        ctx.pop();
        ctx.restoreRegister(saved);
      }
      *children(partials, sync) {
        if (partials && isString(this.file)) {
          return yield this.liquid._parsePartialFile(this.file, sync, this.currentFile);
        }
        return [];
      }
      partialScope() {
        if (isString(this.file)) {
          let names;
          if (this.liquid.options.jekyllInclude) {
            names = ["include"];
          } else {
            names = Object.keys(this.hash.hash);
            if (this.withVar) {
              names.push([this.file, this.withVar]);
            }
          }
          return { name: this.file, isolated: false, scope: names };
        }
      }
      *arguments() {
        yield* Object.values(this.hash.hash).filter(isValueToken);
        if (isValueToken(this.file)) {
          yield this.file;
        }
        if (isValueToken(this.withVar)) {
          yield this.withVar;
        }
      }
    };
    var DecrementTag = class extends Tag {
      constructor(token, remainTokens, liquid) {
        super(token, remainTokens, liquid);
        this.identifier = this.tokenizer.readIdentifier();
        this.variable = this.identifier.content;
      }
      render(context, emitter) {
        const scope = context.environments;
        if (!isNumber(scope[this.variable])) {
          scope[this.variable] = 0;
        }
        emitter.write(stringify(--scope[this.variable]));
      }
      *localScope() {
        yield this.identifier;
      }
    };
    var CycleTag = class extends Tag {
      constructor(token, remainTokens, liquid) {
        super(token, remainTokens, liquid);
        this.candidates = [];
        const begin = this.tokenizer.p;
        const group = this.tokenizer.readValue();
        this.tokenizer.skipBlank();
        if (group) {
          if (this.tokenizer.peek() === ":") {
            this.group = group;
            this.tokenizer.advance();
          } else
            this.tokenizer.p = begin;
        }
        while (!this.tokenizer.end()) {
          const value = this.tokenizer.readFilteredValue();
          this.candidates.push(value);
          this.tokenizer.readTo(",");
        }
        this.tokenizer.assert(this.candidates.length, () => `empty candidates: "${token.getText()}"`);
      }
      *render(ctx, emitter) {
        const group = yield evalToken(this.group, ctx);
        const fingerprint = `cycle:${group}:` + this.candidates.map((c) => c.getText()).join(",");
        const groups = ctx.getRegister("cycle", {});
        let idx = groups[fingerprint];
        if (idx === void 0) {
          idx = groups[fingerprint] = 0;
        }
        const candidate = new Value(this.candidates[idx], this.liquid);
        idx = (idx + 1) % this.candidates.length;
        groups[fingerprint] = idx;
        let val = yield toValue(yield candidate.value(ctx, false));
        const outputEscape = this.liquid.options.outputEscape;
        if (outputEscape && !candidate.filters[candidate.filters.length - 1]?.raw) {
          val = yield outputEscape.call({ context: ctx, token: this.token, liquid: this.liquid }, val);
        }
        return val;
      }
      *arguments() {
        yield* this.candidates;
        if (this.group) {
          yield this.group;
        }
      }
    };
    var IfTag = class extends Tag {
      constructor(tagToken, remainTokens, liquid, parser) {
        super(tagToken, remainTokens, liquid);
        this.branches = [];
        let p = [];
        parser.parseStream(remainTokens).on("start", () => this.branches.push({
          value: new Value(tagToken.tokenizer.readFilteredValue(), this.liquid),
          templates: p = []
        })).on("tag:elsif", (token) => {
          assert(!this.elseTemplates, "unexpected elsif after else");
          this.branches.push({
            value: new Value(token.tokenizer.readFilteredValue(), this.liquid),
            templates: p = []
          });
        }).on("tag:else", (tag) => {
          assertEmpty(tag.args);
          assert(!this.elseTemplates, "duplicated else");
          p = this.elseTemplates = [];
        }).on("tag:endif", function(tag) {
          assertEmpty(tag.args);
          this.stop();
        }).on("template", (tpl) => p.push(tpl)).on("end", () => {
          throw new Error(`tag ${tagToken.getText()} not closed`);
        }).start();
      }
      *render(ctx, emitter) {
        const r = this.liquid.renderer;
        for (const { value, templates } of this.branches) {
          const v = yield toValue(yield value.value(ctx, ctx.opts.lenientIf));
          if (isTruthy(v, ctx)) {
            yield r.renderTemplates(templates, ctx, emitter);
            return;
          }
        }
        yield r.renderTemplates(this.elseTemplates || [], ctx, emitter);
      }
      *children() {
        const templates = this.branches.flatMap((b) => b.templates);
        if (this.elseTemplates) {
          templates.push(...this.elseTemplates);
        }
        return templates;
      }
      arguments() {
        return this.branches.map((b) => b.value);
      }
    };
    var IncrementTag = class extends Tag {
      constructor(token, remainTokens, liquid) {
        super(token, remainTokens, liquid);
        this.identifier = this.tokenizer.readIdentifier();
        this.variable = this.identifier.content;
      }
      render(context, emitter) {
        const scope = context.environments;
        if (!isNumber(scope[this.variable])) {
          scope[this.variable] = 0;
        }
        const val = scope[this.variable];
        scope[this.variable]++;
        emitter.write(stringify(val));
      }
      *localScope() {
        yield this.identifier;
      }
    };
    var LayoutTag2 = class extends Tag {
      constructor(token, remainTokens, liquid, parser) {
        super(token, remainTokens, liquid);
        this.file = parseFilePath(this.tokenizer, this.liquid, parser);
        this.currentFile = token.file;
        this.args = new Hash(this.tokenizer, liquid.options.keyValueSeparator);
        this.templates = parser.parseTokens(remainTokens);
      }
      *render(ctx, emitter) {
        const { liquid, args, file } = this;
        const { renderer } = liquid;
        if (file === void 0) {
          ctx.setRegister("blockMode", BlockMode.OUTPUT);
          yield renderer.renderTemplates(this.templates, ctx, emitter);
          return;
        }
        const filepath = yield renderFilePath(this.file, ctx, liquid);
        assert(filepath, () => `illegal file path "${filepath}"`);
        const templates = yield liquid._parseLayoutFile(filepath, ctx.sync, this.currentFile);
        ctx.setRegister("blockMode", BlockMode.STORE);
        const html = yield renderer.renderTemplates(this.templates, ctx);
        const blocks = ctx.getRegister("blocks", {});
        if (blocks[""] === void 0)
          blocks[""] = (parent, emitter2) => emitter2.write(html);
        ctx.setRegister("blockMode", BlockMode.OUTPUT);
        ctx.push(createScope(yield args.render(ctx)));
        yield renderer.renderTemplates(templates, ctx, emitter);
        ctx.pop();
      }
      *children(partials) {
        const templates = this.templates.slice();
        if (partials && isString(this.file)) {
          templates.push(...yield this.liquid._parsePartialFile(this.file, true, this.currentFile));
        }
        return templates;
      }
      *arguments() {
        for (const v of Object.values(this.args.hash)) {
          if (isValueToken(v)) {
            yield v;
          }
        }
        if (isValueToken(this.file)) {
          yield this.file;
        }
      }
      partialScope() {
        if (isString(this.file)) {
          return { name: this.file, isolated: false, scope: Object.keys(this.args.hash) };
        }
      }
    };
    var BlockTag = class extends Tag {
      constructor(token, remainTokens, liquid, parser) {
        super(token, remainTokens, liquid);
        this.templates = [];
        const match = /\w+/.exec(token.args);
        this.block = match ? match[0] : "";
        while (remainTokens.length) {
          const token2 = remainTokens.shift();
          if (isTagToken(token2) && token2.name === "endblock")
            return;
          const template = parser.parseToken(token2, remainTokens);
          this.templates.push(template);
        }
        throw new Error(`tag ${token.getText()} not closed`);
      }
      *render(ctx, emitter) {
        const blockRender = this.getBlockRender(ctx);
        if (ctx.getRegister("blockMode") === BlockMode.STORE) {
          ctx.getRegister("blocks", {})[this.block] = blockRender;
        } else {
          yield blockRender(new BlockDrop(), emitter);
        }
      }
      getBlockRender(ctx) {
        const self = this;
        const { liquid, templates } = this;
        const renderChild = ctx.getRegister("blocks", {})[this.block];
        const renderCurrent = function* (superBlock, emitter) {
          const stack = ctx.getRegister("blockStack", []);
          if (stack.includes(self))
            throw new Error("block tag cannot be nested");
          stack.push(self);
          ctx.push(createScope({ block: superBlock }));
          yield liquid.renderer.renderTemplates(templates, ctx, emitter);
          ctx.pop();
          stack.pop();
        };
        return renderChild ? (superBlock, emitter) => renderChild(new BlockDrop((emitter2) => renderCurrent(superBlock, emitter2)), emitter) : renderCurrent;
      }
      *children() {
        return this.templates;
      }
      blockScope() {
        return ["block"];
      }
    };
    var RawTag = class extends Tag {
      constructor(tagToken, remainTokens, liquid) {
        super(tagToken, remainTokens, liquid);
        this.tokens = [];
        while (remainTokens.length) {
          const token = remainTokens.shift();
          if (isTagToken(token) && token.name === "endraw")
            return;
          this.tokens.push(token);
        }
        throw new Error(`tag ${tagToken.getText()} not closed`);
      }
      render() {
        return this.tokens.map((token) => token.getText()).join("");
      }
    };
    var TablerowloopDrop = class extends ForloopDrop {
      constructor(length, cols, collection, variable) {
        super(length, collection, variable);
        this.length = length;
        this.cols = cols;
      }
      row() {
        return Math.floor(this.i / this.cols) + 1;
      }
      col0() {
        return this.i % this.cols;
      }
      col() {
        return this.col0() + 1;
      }
      col_first() {
        return this.col0() === 0;
      }
      col_last() {
        return this.col() === this.cols;
      }
    };
    var TablerowTag = class extends Tag {
      constructor(tagToken, remainTokens, liquid, parser) {
        super(tagToken, remainTokens, liquid);
        const variable = this.tokenizer.readIdentifier();
        this.tokenizer.skipBlank();
        const predicate = this.tokenizer.readIdentifier();
        const collectionToken = this.tokenizer.readValue();
        if (predicate.content !== "in" || !collectionToken) {
          throw new Error(`illegal tag: ${tagToken.getText()}`);
        }
        this.variable = variable.content;
        this.collection = collectionToken;
        this.args = new Hash(this.tokenizer, liquid.options.keyValueSeparator);
        this.templates = [];
        let p;
        const stream2 = parser.parseStream(remainTokens).on("start", () => p = this.templates).on("tag:endtablerow", () => stream2.stop()).on("template", (tpl) => p.push(tpl)).on("end", () => {
          throw new Error(`tag ${tagToken.getText()} not closed`);
        });
        stream2.start();
      }
      *render(ctx, emitter) {
        let collection = toEnumerable(yield evalToken(this.collection, ctx));
        const args = yield this.args.render(ctx);
        const offset2 = args.offset || 0;
        const limit2 = args.limit === void 0 ? collection.length : args.limit;
        collection = collection.slice(offset2, offset2 + limit2);
        const cols = args.cols || collection.length;
        const r = this.liquid.renderer;
        const tablerowloop = new TablerowloopDrop(collection.length, cols, this.collection.getText(), this.variable);
        const scope = createScope({ tablerowloop });
        ctx.push(scope);
        for (let idx = 0; idx < collection.length; idx++, tablerowloop.next()) {
          scope[this.variable] = collection[idx];
          if (tablerowloop.col0() === 0) {
            if (tablerowloop.row() !== 1)
              emitter.write("</tr>");
            emitter.write(`<tr class="row${tablerowloop.row()}">`);
          }
          emitter.write(`<td class="col${tablerowloop.col()}">`);
          yield r.renderTemplates(this.templates, ctx, emitter);
          emitter.write("</td>");
        }
        if (collection.length)
          emitter.write("</tr>");
        ctx.pop();
      }
      *children() {
        return this.templates;
      }
      *arguments() {
        yield this.collection;
        for (const v of Object.values(this.args.hash)) {
          if (isValueToken(v)) {
            yield v;
          }
        }
      }
      blockScope() {
        return [this.variable, "tablerowloop"];
      }
    };
    var UnlessTag = class extends Tag {
      constructor(tagToken, remainTokens, liquid, parser) {
        super(tagToken, remainTokens, liquid);
        this.branches = [];
        this.elseTemplates = [];
        let p = [];
        let elseCount = 0;
        parser.parseStream(remainTokens).on("start", () => this.branches.push({
          value: new Value(tagToken.tokenizer.readFilteredValue(), this.liquid),
          test: isFalsy,
          templates: p = []
        })).on("tag:elsif", (token) => {
          if (elseCount > 0) {
            p = [];
            return;
          }
          this.branches.push({
            value: new Value(token.tokenizer.readFilteredValue(), this.liquid),
            test: isTruthy,
            templates: p = []
          });
        }).on("tag:else", () => {
          elseCount++;
          p = this.elseTemplates;
        }).on("tag:endunless", function() {
          this.stop();
        }).on("template", (tpl) => {
          if (p !== this.elseTemplates || elseCount === 1) {
            p.push(tpl);
          }
        }).on("end", () => {
          throw new Error(`tag ${tagToken.getText()} not closed`);
        }).start();
      }
      *render(ctx, emitter) {
        const r = this.liquid.renderer;
        for (const { value, test, templates } of this.branches) {
          const v = yield toValue(yield value.value(ctx, ctx.opts.lenientIf));
          if (test(v, ctx)) {
            yield r.renderTemplates(templates, ctx, emitter);
            return;
          }
        }
        yield r.renderTemplates(this.elseTemplates, ctx, emitter);
      }
      *children() {
        const children = this.branches.flatMap((b) => b.templates);
        if (this.elseTemplates) {
          children.push(...this.elseTemplates);
        }
        return children;
      }
      arguments() {
        return this.branches.map((b) => b.value);
      }
    };
    var BreakTag = class extends Tag {
      render(ctx, _emitter) {
        ctx.breakCalled = true;
      }
    };
    var ContinueTag = class extends Tag {
      render(ctx, _emitter) {
        ctx.continueCalled = true;
      }
    };
    var EchoTag = class extends Tag {
      constructor(token, remainTokens, liquid) {
        super(token, remainTokens, liquid);
        this.tokenizer.skipBlank();
        if (!this.tokenizer.end()) {
          this.value = new Value(this.tokenizer.readFilteredValue(), this.liquid);
        }
      }
      *render(ctx, emitter) {
        if (!this.value)
          return;
        let val = yield toValue(yield this.value.value(ctx, false));
        const outputEscape = this.liquid.options.outputEscape;
        if (outputEscape && !this.value.filters[this.value.filters.length - 1]?.raw) {
          val = yield outputEscape.call({ context: ctx, token: this.token, liquid: this.liquid }, val);
        }
        emitter.write(val);
      }
      *arguments() {
        if (this.value) {
          yield this.value;
        }
      }
    };
    var LiquidTag = class extends Tag {
      constructor(token, remainTokens, liquid, parser) {
        super(token, remainTokens, liquid);
        const tokens = this.tokenizer.readLiquidTagTokens(this.liquid.options);
        this.templates = parser.parseTokens(tokens);
      }
      *render(ctx, emitter) {
        yield this.liquid.renderer.renderTemplates(this.templates, ctx, emitter);
      }
      *children() {
        return this.templates;
      }
    };
    var InlineCommentTag = class extends Tag {
      constructor(tagToken, remainTokens, liquid) {
        super(tagToken, remainTokens, liquid);
        if (tagToken.args.search(/\n\s*[^#\s]/g) !== -1) {
          throw new Error("every line of an inline comment must start with a '#' character");
        }
      }
      render() {
      }
    };
    var tags = {
      assign: AssignTag,
      "for": ForTag,
      capture: CaptureTag2,
      "case": CaseTag,
      comment: CommentTag,
      include: IncludeTag2,
      render: RenderTag2,
      decrement: DecrementTag,
      increment: IncrementTag,
      cycle: CycleTag,
      "if": IfTag,
      layout: LayoutTag2,
      block: BlockTag,
      raw: RawTag,
      tablerow: TablerowTag,
      unless: UnlessTag,
      "break": BreakTag,
      "continue": ContinueTag,
      echo: EchoTag,
      liquid: LiquidTag,
      "#": InlineCommentTag
    };
    var Liquid2 = class _Liquid {
      constructor(opts = {}) {
        this.renderer = new Render();
        this.filters = /* @__PURE__ */ Object.create(null);
        this.tags = /* @__PURE__ */ Object.create(null);
        this.options = normalize(opts);
        this.parser = new Parser(this);
        forOwn(tags, (conf, name) => this.registerTag(name, conf));
        forOwn(filters, (handler, name) => this.registerFilter(name, handler));
      }
      parse(html, filepath) {
        const parser = new Parser(this);
        return parser.parse(html, filepath);
      }
      _render(tpl, scope, renderOptions) {
        const ctx = scope instanceof Context2 ? scope : new Context2(scope, this.options, renderOptions, { liquid: this });
        return this.renderer.renderTemplates(tpl, ctx);
      }
      async render(tpl, scope, renderOptions) {
        return toPromise(this._render(tpl, scope, { ...renderOptions, sync: false }));
      }
      renderSync(tpl, scope, renderOptions) {
        return toValueSync2(this._render(tpl, scope, { ...renderOptions, sync: true }));
      }
      renderToNodeStream(tpl, scope, renderOptions = {}) {
        const ctx = new Context2(scope, this.options, renderOptions, { liquid: this });
        return this.renderer.renderTemplatesToNodeStream(tpl, ctx);
      }
      _parseAndRender(html, scope, renderOptions) {
        const tpl = this.parse(html);
        return this._render(tpl, scope, renderOptions);
      }
      async parseAndRender(html, scope, renderOptions) {
        return toPromise(this._parseAndRender(html, scope, { ...renderOptions, sync: false }));
      }
      parseAndRenderSync(html, scope, renderOptions) {
        return toValueSync2(this._parseAndRender(html, scope, { ...renderOptions, sync: true }));
      }
      _parsePartialFile(file, sync, currentFile) {
        return new Parser(this).parseFile(file, sync, exports.LookupType.Partials, currentFile);
      }
      _parseLayoutFile(file, sync, currentFile) {
        return new Parser(this).parseFile(file, sync, exports.LookupType.Layouts, currentFile);
      }
      _parseFile(file, sync, lookupType, currentFile) {
        return new Parser(this).parseFile(file, sync, lookupType, currentFile);
      }
      async parseFile(file, lookupType) {
        return toPromise(new Parser(this).parseFile(file, false, lookupType));
      }
      parseFileSync(file, lookupType) {
        return toValueSync2(new Parser(this).parseFile(file, true, lookupType));
      }
      *_renderFile(file, ctx, renderFileOptions) {
        const templates = yield this._parseFile(file, renderFileOptions.sync, renderFileOptions.lookupType);
        return yield this._render(templates, ctx, renderFileOptions);
      }
      async renderFile(file, ctx, renderFileOptions) {
        return toPromise(this._renderFile(file, ctx, { ...renderFileOptions, sync: false }));
      }
      renderFileSync(file, ctx, renderFileOptions) {
        return toValueSync2(this._renderFile(file, ctx, { ...renderFileOptions, sync: true }));
      }
      async renderFileToNodeStream(file, scope, renderOptions) {
        const templates = await this.parseFile(file);
        return this.renderToNodeStream(templates, scope, renderOptions);
      }
      _evalValue(str, scope) {
        const value = new Value(str, this);
        const ctx = scope instanceof Context2 ? scope : new Context2(scope, this.options, {}, { liquid: this });
        return value.value(ctx);
      }
      async evalValue(str, scope) {
        return toPromise(this._evalValue(str, scope));
      }
      evalValueSync(str, scope) {
        return toValueSync2(this._evalValue(str, scope));
      }
      registerFilter(name, filter2) {
        this.filters[name] = filter2;
      }
      unregisterFilter(name) {
        delete this.filters[name];
      }
      registerTag(name, tag) {
        this.tags[name] = isFunction(tag) ? tag : createTagClass(tag);
      }
      plugin(plugin) {
        return plugin.call(this, _Liquid);
      }
      express() {
        const self = this;
        let firstCall = true;
        return function(filePath, ctx, callback) {
          if (firstCall) {
            firstCall = false;
            const dirs = normalizeDirectoryList(this.root);
            self.options.root.unshift(...dirs);
            self.options.layouts.unshift(...dirs);
            self.options.partials.unshift(...dirs);
          }
          self.renderFile(filePath, ctx).then((html) => callback(null, html), callback);
        };
      }
      async analyze(template, options = {}) {
        return analyze(template, options);
      }
      analyzeSync(template, options = {}) {
        return analyzeSync(template, options);
      }
      async parseAndAnalyze(html, filename, options = {}) {
        return analyze(this.parse(html, filename), options);
      }
      parseAndAnalyzeSync(html, filename, options = {}) {
        return analyzeSync(this.parse(html, filename), options);
      }
      /** Return an array of all variables without their properties. */
      async variables(template, options = {}) {
        const analysis = await analyze(isString(template) ? this.parse(template) : template, options);
        return Object.keys(analysis.variables);
      }
      /** Return an array of all variables without their properties. */
      variablesSync(template, options = {}) {
        const analysis = analyzeSync(isString(template) ? this.parse(template) : template, options);
        return Object.keys(analysis.variables);
      }
      /** Return an array of all variables including their properties/paths. */
      async fullVariables(template, options = {}) {
        const analysis = await analyze(isString(template) ? this.parse(template) : template, options);
        return Array.from(new Set(Object.values(analysis.variables).flatMap((a) => a.map((v) => String(v)))));
      }
      /** Return an array of all variables including their properties/paths. */
      fullVariablesSync(template, options = {}) {
        const analysis = analyzeSync(isString(template) ? this.parse(template) : template, options);
        return Array.from(new Set(Object.values(analysis.variables).flatMap((a) => a.map((v) => String(v)))));
      }
      /** Return an array of all variables, each as an array of properties/segments. */
      async variableSegments(template, options = {}) {
        const analysis = await analyze(isString(template) ? this.parse(template) : template, options);
        return Array.from(strictUniq(Object.values(analysis.variables).flatMap((a) => a.map((v) => v.toArray()))));
      }
      /** Return an array of all variables, each as an array of properties/segments. */
      variableSegmentsSync(template, options = {}) {
        const analysis = analyzeSync(isString(template) ? this.parse(template) : template, options);
        return Array.from(strictUniq(Object.values(analysis.variables).flatMap((a) => a.map((v) => v.toArray()))));
      }
      /** Return an array of all expected context variables without their properties. */
      async globalVariables(template, options = {}) {
        const analysis = await analyze(isString(template) ? this.parse(template) : template, options);
        return Object.keys(analysis.globals);
      }
      /** Return an array of all expected context variables without their properties. */
      globalVariablesSync(template, options = {}) {
        const analysis = analyzeSync(isString(template) ? this.parse(template) : template, options);
        return Object.keys(analysis.globals);
      }
      /** Return an array of all expected context variables including their properties/paths. */
      async globalFullVariables(template, options = {}) {
        const analysis = await analyze(isString(template) ? this.parse(template) : template, options);
        return Array.from(new Set(Object.values(analysis.globals).flatMap((a) => a.map((v) => String(v)))));
      }
      /** Return an array of all expected context variables including their properties/paths. */
      globalFullVariablesSync(template, options = {}) {
        const analysis = analyzeSync(isString(template) ? this.parse(template) : template, options);
        return Array.from(new Set(Object.values(analysis.globals).flatMap((a) => a.map((v) => String(v)))));
      }
      /** Return an array of all expected context variables, each as an array of properties/segments. */
      async globalVariableSegments(template, options = {}) {
        const analysis = await analyze(isString(template) ? this.parse(template) : template, options);
        return Array.from(strictUniq(Object.values(analysis.globals).flatMap((a) => a.map((v) => v.toArray()))));
      }
      /** Return an array of all expected context variables, each as an array of properties/segments. */
      globalVariableSegmentsSync(template, options = {}) {
        const analysis = analyzeSync(isString(template) ? this.parse(template) : template, options);
        return Array.from(strictUniq(Object.values(analysis.globals).flatMap((a) => a.map((v) => v.toArray()))));
      }
    };
    var version = "10.30.1";
    exports.AssertionError = AssertionError;
    exports.AssignTag = AssignTag;
    exports.BlockTag = BlockTag;
    exports.BreakTag = BreakTag;
    exports.CaptureTag = CaptureTag2;
    exports.CaseTag = CaseTag;
    exports.CommentTag = CommentTag;
    exports.Context = Context2;
    exports.ContinueTag = ContinueTag;
    exports.CycleTag = CycleTag;
    exports.DecrementTag = DecrementTag;
    exports.Drop = Drop;
    exports.EchoTag = EchoTag;
    exports.Expression = Expression;
    exports.Filter = Filter;
    exports.ForTag = ForTag;
    exports.Hash = Hash;
    exports.IfTag = IfTag;
    exports.IncludeTag = IncludeTag2;
    exports.IncrementTag = IncrementTag;
    exports.InlineCommentTag = InlineCommentTag;
    exports.LayoutTag = LayoutTag2;
    exports.Liquid = Liquid2;
    exports.LiquidError = LiquidError;
    exports.LiquidTag = LiquidTag;
    exports.Output = Output;
    exports.ParseError = ParseError;
    exports.ParseStream = ParseStream;
    exports.Parser = Parser;
    exports.RawTag = RawTag;
    exports.RenderError = RenderError;
    exports.RenderTag = RenderTag2;
    exports.TablerowTag = TablerowTag;
    exports.Tag = Tag;
    exports.TagToken = TagToken;
    exports.Token = Token;
    exports.TokenizationError = TokenizationError;
    exports.Tokenizer = Tokenizer;
    exports.TypeGuards = typeGuards;
    exports.UndefinedVariableError = UndefinedVariableError;
    exports.UnlessTag = UnlessTag;
    exports.Value = Value;
    exports.Variable = Variable;
    exports.analyze = analyze;
    exports.analyzeSync = analyzeSync;
    exports.assert = assert;
    exports.createTrie = createTrie;
    exports.defaultOperators = defaultOperators;
    exports.defaultOptions = defaultOptions;
    exports.evalQuotedToken = evalQuotedToken;
    exports.evalToken = evalToken;
    exports.evalTokenValue = evalTokenValue;
    exports.filters = filters;
    exports.isFalsy = isFalsy;
    exports.isTruthy = isTruthy;
    exports.tags = tags;
    exports.toPromise = toPromise;
    exports.toValue = toValue;
    exports.toValueSync = toValueSync2;
    exports.version = version;
  }
});

// src/adapters/git/exec.ts
import { spawn } from "node:child_process";
import { accessSync, closeSync, constants, openSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
var liveGroups = /* @__PURE__ */ new Set();
var ends = /* @__PURE__ */ new Map();
var exitHookInstalled = false;
var stopping = false;
async function stopGitChildren(timeoutMs = 5e3) {
  stopping = true;
  const waits = [...ends.values()];
  for (const group of liveGroups) killGroup(group);
  let timer;
  await Promise.race([
    Promise.all(waits),
    new Promise((done) => timer = setTimeout(done, timeoutMs))
  ]);
  clearTimeout(timer);
}
function killGroup(pid) {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
  }
}
function trackGroup(pid) {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.prependListener("exit", () => {
    for (const group of liveGroups) killGroup(group);
  });
}
function describeGitCall(args, cwd) {
  const command = args[0] ?? "";
  const preposition = command === "push" ? "to" : "from";
  const url = args.find((a) => /^[a-z][a-z0-9+.-]*:\/\//i.test(a));
  if (url) return `${command} ${preposition} "${displayRemote(url)}"`;
  if (args.includes("origin") && ["fetch", "push", "ls-remote", "pull"].includes(command)) {
    return `${command} ${preposition} the "origin" remote${cwd ? ` of "${cwd}"` : ""}`;
  }
  return command;
}
function findGit(pathVar) {
  for (const dir of (pathVar ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, "git");
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
    }
  }
  return null;
}
var GitCli = class {
  constructor(bin, baseEnv, limits = { ...DEFAULT_GIT_LIMITS }) {
    this.bin = bin;
    this.baseEnv = baseEnv;
    this.limits = limits;
  }
  bin;
  baseEnv;
  limits;
  /**
   * Runs git and returns its exit code and output; never throws for a non-zero exit.
   * @throws GitError when git cannot start, is killed, or goes over the deadline or the output cap.
   */
  run(args, opts = {}) {
    const env = {
      // glibc returns freed memory at the top of the heap once 128 KiB are free: git deflates every object
      // with a fresh zlib state of four 64 KiB buffers, so each object grew and shrank the heap eight times.
      // `fast-import` of 5,000 blobs into a fresh clone made 40,000 brk calls, 2.8 s instead of 0.1 s.
      // Keeping up to 64 MiB free changes no peak. (Other C libraries ignore the variable.)
      MALLOC_TRIM_THRESHOLD_: String(64 * 1024 * 1024),
      ...this.baseEnv,
      ...opts.env,
      GIT_TERMINAL_PROMPT: "0",
      LC_ALL: "C",
      LANGUAGE: ""
    };
    const config = [
      // No background `git gc --auto` or maintenance started by our commands: they would outlive the run.
      ["gc.auto", "0"],
      ["maintenance.auto", "false"],
      ...opts.config ?? []
    ];
    let count = Number.parseInt(env["GIT_CONFIG_COUNT"] ?? "0", 10) || 0;
    for (const [key, value] of config) {
      env[`GIT_CONFIG_KEY_${count}`] = key;
      env[`GIT_CONFIG_VALUE_${count}`] = value;
      count++;
    }
    env["GIT_CONFIG_COUNT"] = String(count);
    const limits = this.limits;
    const deadline = Math.min(opts.timeoutMs ?? Infinity, limits.timeoutMs);
    return new Promise((resolve2, reject) => {
      if (stopping) {
        reject(new GitError(`git ${describeGitCall(args, opts.cwd)} not started: the run is stopping`));
        return;
      }
      let inFd = null;
      let outFd = null;
      try {
        if (opts.inputFile !== void 0) inFd = openSync(opts.inputFile, "r");
        if (opts.outputFile !== void 0) outFd = openSync(opts.outputFile, "wx", 384);
      } catch (e) {
        if (inFd !== null) closeSync(inFd);
        reject(
          new GitError(`git ${args[0] ?? ""} could not open its input or output: ${e.message}`)
        );
        return;
      }
      const child = spawn(this.bin, args, {
        cwd: opts.cwd,
        env,
        detached: true,
        stdio: [inFd ?? "pipe", outFd ?? "pipe", "pipe"],
        windowsHide: true
      });
      if (inFd !== null) closeSync(inFd);
      if (outFd !== null) closeSync(outFd);
      const pid = child.pid;
      let ended = () => {
      };
      if (pid !== void 0) {
        trackGroup(pid);
        ends.set(pid, new Promise((done) => ended = done));
      }
      const end = () => {
        if (pid === void 0) return;
        liveGroups.delete(pid);
        ends.delete(pid);
        ended();
      };
      const out = [];
      const err = [];
      let size = 0;
      let failure2 = null;
      let fed = null;
      const stop = (why) => {
        if (failure2) return;
        failure2 = why;
        if (pid !== void 0) killGroup(pid);
      };
      const timer = setTimeout(() => {
        stop(
          new GitError(
            `git ${describeGitCall(args, opts.cwd)} did not finish within ${deadline / 1e3} s and was stopped (raise git.timeoutSeconds if the remote is just slow)`,
            { command: args[0], timeoutMs: deadline }
          )
        );
      }, deadline);
      const readOutput = (file, used) => {
        const bytes = statSync(file).size;
        if (used + bytes > limits.maxResponseBytes)
          throw new GitError(
            `git ${describeGitCall(args, opts.cwd)} wrote more than ${limits.maxResponseBytes} bytes of output (raise git.maxResponseBytes if this is expected)`,
            { command: args[0], maxResponseBytes: limits.maxResponseBytes }
          );
        return readFileSync(file);
      };
      const collect = (into) => (chunk) => {
        if (failure2) return;
        size += chunk.length;
        if (size > limits.maxResponseBytes) {
          stop(
            new GitError(
              `git ${describeGitCall(args, opts.cwd)} sent more than ${limits.maxResponseBytes} bytes of output and was stopped (raise git.maxResponseBytes if this is expected)`,
              { command: args[0], maxResponseBytes: limits.maxResponseBytes }
            )
          );
          return;
        }
        into.push(chunk);
      };
      child.stdout?.on("data", collect(out));
      child.stderr.on("data", collect(err));
      child.on("error", (e) => {
        clearTimeout(timer);
        end();
        reject(failure2 ?? new GitError(`git ${args[0] ?? ""} could not start: ${e.message}`));
      });
      child.on("close", (code3) => {
        clearTimeout(timer);
        end();
        if (failure2) return reject(failure2);
        if (fed) return reject(fed.error);
        if (code3 === null) return reject(new GitError(`git ${describeGitCall(args, opts.cwd)} was killed`));
        let stdout;
        try {
          stdout = opts.outputFile === void 0 ? Buffer.concat(out) : readOutput(opts.outputFile, size);
        } catch (e) {
          return reject(e);
        }
        resolve2({ code: code3, stdout, stderr: Buffer.concat(err).toString("utf8") });
      });
      if (child.stdin) {
        child.stdin.on("error", () => {
        });
        if (opts.feed) {
          const stdin = child.stdin;
          try {
            opts.feed((chunk) => void stdin.write(chunk));
          } catch (e) {
            fed = { error: e };
          } finally {
            stdin.end();
          }
        } else if (opts.input !== void 0) child.stdin.end(opts.input);
        else child.stdin.end();
      }
    });
  }
};

// src/adapters/git/index.ts
import fs from "node:fs";
import path5 from "node:path";

// src/adapters/git/native.ts
import {
  closeSync as closeSync3,
  existsSync as existsSync2,
  lstatSync as lstatSync2,
  openSync as openSync3,
  readFileSync as readFileSync3,
  rmSync as rmSync2,
  writeFileSync as writeFileSync2,
  writevSync
} from "node:fs";
import { readFile, realpath } from "node:fs/promises";
import path4 from "node:path";

// src/adapters/git/checkout-move.ts
import {
  closeSync as closeSync2,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync as openSync2,
  readFileSync as readFileSync2,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync
} from "node:fs";
import path2 from "node:path";
function tempName(file) {
  return path2.join(path2.dirname(file), `.${path2.basename(file)}.vault-rollout~`);
}
var PAGE = 4096;
function isCutWrite(content, to, from) {
  const old = from ?? Buffer.alloc(0);
  for (let k = PAGE; k < to.length; k += PAGE) {
    if (content.length !== Math.max(k, old.length)) continue;
    if (content.subarray(0, k).equals(to.subarray(0, k)) && content.subarray(k).equals(old.subarray(k))) {
      return true;
    }
  }
  return false;
}
function statKey(st) {
  return `${st.size}:${st.mtimeMs}:${st.ino}:${st.mode}`;
}
function inspectWorkTree(dir, entries, format, allowMissing, known = /* @__PURE__ */ new Map()) {
  const folders = /* @__PURE__ */ new Map();
  const folderState = (rel) => {
    if (rel === "" || rel === ".") return "dir";
    const known2 = folders.get(rel);
    if (known2) return known2;
    const parent = folderState(path2.posix.dirname(rel));
    let state = parent;
    if (parent === "dir") {
      try {
        const st = lstatSync(path2.join(dir, rel));
        state = st.isDirectory() ? "dir" : "bad";
      } catch (err) {
        if (err.code !== "ENOENT") throw err;
        state = "missing";
      }
    }
    folders.set(rel, state);
    return state;
  };
  const write2 = [];
  const seen = /* @__PURE__ */ new Map();
  const conflicts = [];
  for (const e of entries) {
    const file = path2.join(dir, e.path);
    if (allowMissing && existsSync(tempName(file))) rmSync(tempName(file), { force: true });
    const clean = known.get(e.path);
    if (clean !== void 0) {
      seen.set(e.path, clean.stat);
      if (clean.oid === e.from) write2.push(e);
      else if (clean.oid !== e.to) conflicts.push(e.path);
      continue;
    }
    const folder = folderState(path2.posix.dirname(e.path));
    if (folder === "bad") {
      conflicts.push(e.path);
      continue;
    }
    let st;
    try {
      st = folder === "missing" ? null : lstatSync(file);
    } catch (err) {
      if (err.code !== "ENOENT") throw err;
      st = null;
    }
    if (!st) {
      if (allowMissing || e.from === null) write2.push(e);
      else conflicts.push(e.path);
      continue;
    }
    if (!st.isFile()) {
      conflicts.push(e.path);
      continue;
    }
    const content = readFileSync2(file);
    const oid = gitBlobId(content, format);
    if (oid === e.to) {
      seen.set(e.path, statKey(st));
    } else if (oid === e.from || allowMissing && isCutWrite(content, e.bytes, e.before)) {
      seen.set(e.path, statKey(st));
      write2.push(e);
    } else conflicts.push(e.path);
  }
  return { entries, write: write2, seen, conflicts };
}
function statFiles(dir, paths) {
  const stats = /* @__PURE__ */ new Map();
  for (const p of paths) {
    try {
      const st = lstatSync(path2.join(dir, p));
      if (st.isFile()) stats.set(p, statKey(st));
    } catch (err) {
      if (err.code !== "ENOENT" && err.code !== "ENOTDIR")
        throw err;
    }
  }
  return stats;
}
function changedSince(dir, check, format, stats) {
  const writing = new Set(check.write);
  const conflicting = new Set(check.conflicts);
  const late = [];
  for (const e of check.entries) {
    if (conflicting.has(e.path)) continue;
    const file = path2.join(dir, e.path);
    const before = check.seen.get(e.path);
    let st;
    try {
      st = lstatSync(file);
    } catch {
      if (!writing.has(e)) late.push(e.path);
      continue;
    }
    stats?.set(e.path, st);
    if (before === void 0) {
      late.push(e.path);
      continue;
    }
    if (statKey(st) === before) continue;
    const oid = st.isFile() ? gitBlobId(readFileSync2(file), format) : "";
    if (oid !== e.from && oid !== e.to) late.push(e.path);
  }
  return late;
}
function writeWorkTree(dir, check, format, settled = () => {
}, checked2) {
  let stats;
  if (checked2) stats = checked2;
  else {
    const taken = /* @__PURE__ */ new Map();
    const late = changedSince(dir, check, format, taken);
    if (late.length > 0) return late;
    stats = taken;
  }
  const writing = new Set(check.write);
  for (const e of check.entries) if (!writing.has(e)) settled(e.path);
  for (const e of check.write) {
    write(dir, e, stats.get(e.path) ?? null);
    settled(e.path);
  }
  return [];
}
function write(dir, e, st) {
  const file = path2.join(dir, e.path);
  if (st && st.isFile() && st.nlink === 1 && e.bytes.length >= st.size) {
    const fd = openSync2(file, "r+");
    try {
      for (let at2 = 0; at2 < e.bytes.length; ) at2 += writeSync(fd, e.bytes, at2, e.bytes.length - at2, at2);
    } finally {
      closeSync2(fd);
    }
    return;
  }
  const mode = e.mode === "100755" ? 511 : 438;
  if (!st) {
    mkdirSync(path2.dirname(file), { recursive: true });
    writeFileSync(file, e.bytes, { mode });
    return;
  }
  const tmp = tempName(file);
  writeFileSync(tmp, e.bytes, { mode });
  renameSync(tmp, file);
}

// src/adapters/git/commit-info.ts
function parseIdentity(value) {
  const m = /^(.*?)\s*<([^>]*)>\s*(\d+)?/.exec(value);
  return { name: m?.[1] ?? "", email: m?.[2] ?? "", timestamp: Number(m?.[3] ?? 0) };
}
function parseCommit(oid, data) {
  const text = data.toString("utf8");
  const split = text.indexOf("\n\n");
  const header = split === -1 ? text : text.slice(0, split);
  const message = split === -1 ? "" : text.slice(split + 2);
  let tree = "";
  const parents = [];
  let author = { name: "", email: "", timestamp: 0 };
  let committer = author;
  for (const line2 of header.split("\n")) {
    if (line2.startsWith(" ")) continue;
    const space = line2.indexOf(" ");
    const key = line2.slice(0, space);
    const value = line2.slice(space + 1);
    if (key === "tree") tree = value;
    else if (key === "parent") parents.push(value);
    else if (key === "author") author = parseIdentity(value);
    else if (key === "committer") committer = parseIdentity(value);
  }
  return { oid, tree, parents, author, committer, message };
}

// src/adapters/git/ssh.ts
import { accessSync as accessSync2, constants as constants2, statSync as statSync2 } from "node:fs";
import path3 from "node:path";
var UNSAFE = /[\s'"\\%`$\p{Cc}]/u;
function checkSshFile(file, what) {
  const at2 = `${what} "${file.path}" (${file.from})`;
  if (!path3.isAbsolute(file.path)) throw new GitError(`${at2} must be an absolute path`, { ...file });
  if (UNSAFE.test(file.path))
    throw new GitError(
      `${at2}: a path with spaces, quotes, backslashes, "%", "$" or control characters is refused (ssh and the shell would read it as more than a file name); use a plain path`,
      { ...file }
    );
  const stat = statSync2(file.path, { throwIfNoEntry: false });
  if (!stat) throw new GitError(`${at2} does not exist`, { ...file });
  if (!stat.isFile()) throw new GitError(`${at2} is not a regular file`, { ...file });
  try {
    accessSync2(file.path, constants2.R_OK);
  } catch {
    throw new GitError(`${at2} cannot be read by this process`, { ...file });
  }
  return file.path;
}
var quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
function sshCommand(settings) {
  if (!settings.keyFile && !settings.knownHostsFile) return null;
  const parts = ["ssh", "-o BatchMode=yes", "-o StrictHostKeyChecking=yes"];
  if (settings.keyFile) {
    parts.push(`-i ${quote(checkSshFile(settings.keyFile, "the SSH key file"))}`, "-o IdentitiesOnly=yes");
  }
  if (settings.knownHostsFile) {
    const file = checkSshFile(settings.knownHostsFile, "the SSH known-hosts file");
    parts.push(`-o ${quote(`UserKnownHostsFile=${file}`)}`, "-o GlobalKnownHostsFile=/dev/null");
  }
  return parts.join(" ");
}
function hostKeyHint(settings) {
  const known = settings?.knownHostsFile;
  return known ? `the server's host key is not in "${known.path}" (${known.from})` : "the server's host key is not in the known-hosts file (set SSH_KNOWN_HOSTS or git.knownHostsFile)";
}

// src/adapters/git/native.ts
function indexConflicts(entries, index) {
  const conflicts = [];
  for (const e of entries) {
    const entry = index.get(e.path);
    if (!entry) {
      if (e.from !== null) conflicts.push(e.path);
    } else if (entry.stage !== "0" || entry.oid !== e.from && entry.oid !== e.to) conflicts.push(e.path);
  }
  return conflicts;
}
function parseLsTree(out) {
  const entries = /* @__PURE__ */ new Map();
  for (const rec of out.toString("utf8").split("\0")) {
    if (!rec) continue;
    const tab = rec.indexOf("	");
    const [mode = "", type = "", oid = "", size = ""] = rec.slice(0, tab).split(/ +/);
    entries.set(rec.slice(tab + 1), { mode, type, oid, size: /^\d+$/.test(size) ? Number(size) : null });
  }
  return entries;
}
function parseBatch(out) {
  const objects = /* @__PURE__ */ new Map();
  let at2 = 0;
  while (at2 < out.length) {
    const eol = out.indexOf(10, at2);
    if (eol === -1) break;
    const header = out.toString("latin1", at2, eol).split(" ");
    at2 = eol + 1;
    if (header[1] === "missing" || header.length < 3) continue;
    const size = Number(header[2]);
    objects.set(header[0], out.subarray(at2, at2 + size));
    at2 += size + 1;
  }
  return objects;
}
function gitSays(stderr) {
  return stderr.split("\n").map((l) => l.replace(/^(fatal|error): /, "").trim()).filter((l) => l && !/^(hint|warning):/.test(l)).slice(0, 3).join(" | ").slice(0, 500);
}
var AUTH_FAILED = /Authentication failed|could not read (Username|Password)|returned error: 40[13]|HTTP 40[13]|Permission denied \(publickey|Invalid username or password|terminal prompts disabled/i;
var UNREACHABLE = /Could not resolve host|Connection refused|Failed to connect|Connection timed out|Couldn't connect|Network is unreachable|Could not read from remote repository/i;
var CHECKOUT_ATTRIBUTES = /* @__PURE__ */ new Set(["eol", "crlf", "filter", "ident", "working-tree-encoding"]);
var EARLY_BLOB_BYTES = 1024 * 1024;
var OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
var MOVE_MARKER = "vault-rollout-move";
function gitPaths(lines) {
  const [format, objects, index, move] = lines;
  if (!objects || !index || !move) return null;
  return { format: format === "sha256" ? "sha256" : "sha1", objects, index, move };
}
function writeParts(file, parts) {
  const fd = openSync3(file, "wx", 384);
  try {
    for (let i = 0; i < parts.length; i += 1024) {
      const group = parts.slice(i, i + 1024);
      const total = group.reduce((n, b) => n + b.length, 0);
      const done = writevSync(fd, group);
      if (done < total) writeFileSync2(fd, Buffer.concat(group).subarray(done));
    }
  } finally {
    closeSync3(fd);
  }
}
function likelyBlobs(listing, rule, maxFileBytes) {
  const oids = /* @__PURE__ */ new Set();
  for (const [p, e] of listing) {
    if (e.type !== "blob" || e.mode !== "100644" && e.mode !== "100755") continue;
    if (e.size === null || maxFileBytes !== void 0 && e.size > maxFileBytes) continue;
    if (rule(p)) oids.add(e.oid);
  }
  return [...oids];
}
function parseIndex(bytes) {
  const out = bytes.toString("utf8");
  const index = /* @__PURE__ */ new Map();
  for (let at2 = 0; at2 < out.length; ) {
    const nul = out.indexOf("\0", at2);
    const end = nul < 0 ? out.length : nul;
    const rec = indexRecord(out, at2, end);
    at2 = end + 1;
    if (!rec) continue;
    const { tag, oid, stage, path: path6 } = rec;
    const seen = index.get(path6);
    if (seen) index.set(path6, { ...seen, stage: seen.stage === "0" ? stage : seen.stage, plain: false });
    else index.set(path6, { oid, stage, plain: tag === "H" && stage === "0" });
  }
  return index;
}
function indexRecord(text, at2, end) {
  const tab = text.indexOf("	", at2);
  if (tab < 0 || tab >= end) return null;
  const s1 = text.indexOf(" ", at2);
  const s2 = s1 < 0 ? -1 : text.indexOf(" ", s1 + 1);
  const s3 = s2 < 0 ? -1 : text.indexOf(" ", s2 + 1);
  if (s3 < 0 || s3 > tab) return null;
  return {
    tag: text.slice(at2, s1),
    oid: text.slice(s2 + 1, s3),
    stage: text.slice(s3 + 1, tab),
    path: text.slice(tab + 1, end)
  };
}
function indexFileKey(file) {
  try {
    const st = lstatSync2(file, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return null;
  }
}
var NativeWorkspace = class _NativeWorkspace {
  source;
  mode;
  branch;
  head;
  dir;
  remote;
  git;
  auth;
  headerAllowed;
  objectFormat;
  logger;
  readOnly;
  tmp;
  originUrl;
  ssh;
  gitPaths;
  /** The index as last read, with the {@link indexFileKey} its file had just before. */
  indexRead = null;
  /** Whether the config lets files be written from blob bytes (see plainConfig), once asked. */
  configAsked = null;
  listings = /* @__PURE__ */ new Map();
  /**
   * Local mode: the manifest-named blobs of the checkout's own head, read while the fetch runs (most runs
   * find origin where the checkout is). Blobs are named by content, so they serve whatever head the load
   * reads; a load reads the ones it still lacks.
   */
  early = null;
  /** Files the last load read through a link, for writing their edits to the stored path. */
  linked = new LinkedPaths();
  /** Commits this run built: id \u2192 { parent, changed paths }. */
  made = new BuiltCommits();
  /**
   * The pre-push inspection of the checkout, for the move of its files (local mode), with the stats its
   * last look took when that look found nothing changed.
   */
  checked = null;
  closed = false;
  constructor(parts) {
    this.mode = parts.mode;
    this.dir = parts.dir;
    this.branch = parts.branch;
    this.head = parts.head;
    this.remote = parts.remote;
    this.git = parts.git;
    this.auth = authFor(parts.auth, parts.originUrl ?? parts.remote);
    this.headerAllowed = parts.headerAllowed;
    this.objectFormat = parts.objectFormat;
    this.logger = parts.logger;
    this.readOnly = parts.readOnly;
    this.tmp = parts.tmp;
    this.originUrl = parts.originUrl ?? null;
    this.ssh = parts.ssh;
    this.gitPaths = parts.gitPaths ?? null;
    this.source = { load: (accept, options) => this.load(accept, options) };
  }
  get url() {
    return displayRemote(this.originUrl ?? this.remote);
  }
  useAuth(auth) {
    const usable = authFor(auth, this.originUrl ?? this.remote);
    if (usable) this.auth = usable;
    return usable !== void 0;
  }
  // --- running git -------------------------------------------------------------------------------
  /** The Authorization header for an http(s) remote, scoped to its host, or nothing. */
  authConfig() {
    if (!this.auth || !this.headerAllowed) return [];
    return headerConfig(this.originUrl ?? this.remote, this.auth);
  }
  run(args, opts = {}) {
    return this.git.run(args, {
      cwd: this.dir,
      ...opts,
      env: { ...sshEnv(this.ssh), ...opts.env },
      config: [...this.authConfig(), ...opts.config ?? []]
    });
  }
  /** Runs git and throws a one-line GitError (naming the remote and branch) on a non-zero exit. */
  async must(args, action, opts = {}) {
    const res = await this.run(args, opts);
    if (res.code !== 0) throw this.failure(action, res.stderr);
    return res.stdout;
  }
  failure(action, stderr) {
    return hostKeyFailure(action, this.url, stderr, this.ssh?.settings) ?? gitFailure(action, this.url, stderr, this.auth, this.headerAllowed, this.mode === "local");
  }
  /** Two commits in one git process (each starts in a few milliseconds); null for one that is missing. */
  async revParseBoth(a, b) {
    const res = await this.run(["rev-parse", `${a}^{commit}`, `${b}^{commit}`, "--"]);
    const [x, y] = res.stdout.toString("utf8").split("\n");
    if (res.code === 0 && x && y) return [x, y];
    return Promise.all([this.revParse(a), this.revParse(b)]);
  }
  async revParse(ref) {
    const res = await this.run(["rev-parse", "-q", "--verify", `${ref}^{commit}`]);
    return res.code === 0 ? res.stdout.toString("utf8").trim() : null;
  }
  // --- reading -------------------------------------------------------------------------------------
  /** The listing of `commit`, asked of git once: a second caller meanwhile waits for the same answer. */
  listing(commit) {
    let hit = this.listings.get(commit);
    if (!hit) {
      const asked = this.throughFiles(
        ["ls-tree", "-r", "-l", "-z", "--full-tree", commit],
        `reading ${commit.slice(0, 12)} of`
      ).then(parseLsTree);
      hit = asked;
      this.listings.clear();
      this.listings.set(commit, asked);
      asked.catch(() => {
        if (this.listings.get(commit) === asked) this.listings.delete(commit);
      });
    }
    return hit;
  }
  /**
   * Runs git with its output, and its input when there is one, in files rather than pipes: git reads and
   * writes at its own pace while this process works (a pipe stalls whenever the event loop is busy:
   * `cat-file --batch` of 10,000 files took 300 ms through a pipe during the walk, 120 ms alone). For
   * output bounded by what the repository holds: it is held to `git.maxResponseBytes` once git is done.
   */
  async runThroughFiles(args, input) {
    const dir = makeTempDirSync("vault-rollout-read-");
    try {
      const opts = { outputFile: path4.join(dir, "out") };
      if (input !== void 0) writeFileSync2(opts.inputFile = path4.join(dir, "in"), input);
      return await this.run(args, opts);
    } finally {
      await removeTempDir(dir);
    }
  }
  /** {@link runThroughFiles}, throwing a one-line GitError on a non-zero exit (see must). */
  async throughFiles(args, action, input) {
    const res = await this.runThroughFiles(args, input);
    if (res.code !== 0) throw this.failure(action, res.stderr);
    return res.stdout;
  }
  /** The blobs by id; the caller asks only for blobs whose sizes the listing gave within the file limit. */
  async readBlobs(oids) {
    if (oids.length === 0) return /* @__PURE__ */ new Map();
    return parseBatch(
      await this.throughFiles(["cat-file", "--batch"], "reading objects of", `${oids.join("\n")}
`)
    );
  }
  /**
   * Starts reading the manifest-named blobs of `head` (each within {@link EARLY_BLOB_BYTES}), for the
   * first load to take (see `early`); a failure only means that load reads them itself.
   */
  readEarly(head) {
    this.early = (async () => this.readBlobs(likelyBlobs(await this.listing(head), isManifestName, EARLY_BLOB_BYTES)))();
    this.early.catch(() => void 0);
  }
  /** What {@link readEarly} is reading, once: later loads read their own. */
  takeEarly() {
    const early = this.early;
    this.early = null;
    return early;
  }
  /** The blob sizes of `entries`, by id, from the listing (see parseLsTree): nothing is read. */
  sizes(entries) {
    const sizes = /* @__PURE__ */ new Map();
    for (const e of entries) if (e.type === "blob" && e.size !== null) sizes.set(e.oid, e.size);
    return sizes;
  }
  async load(accept, options = {}) {
    const started = performance.now();
    const head = this.head;
    const listing = await this.listing(head);
    const rule = fileRule(accept, options.anyName);
    const early = options.enterDir ? null : this.takeEarly() ?? this.readBlobs(likelyBlobs(listing, rule, options.maxFileBytes));
    early?.catch(() => void 0);
    const linkEntries = [...listing].filter(([, e]) => e.mode === "120000");
    const linkSizes = this.sizes(linkEntries.map(([, e]) => e));
    const linkBlobs = await this.readBlobs(
      [...linkSizes].filter(([, n]) => n <= MAX_LINK_BYTES).map(([oid]) => oid)
    );
    const links = new Map(
      linkEntries.map(([p, e]) => {
        const bytes = linkBlobs.get(e.oid);
        return [p, bytes ? decodeUtf8(bytes) : null];
      })
    );
    const walked = walkRepo(gitTreeView(listing, links), rule, options.enterDir);
    this.linked.remember(head, walked.files);
    const oidOf = (f) => listing.get(f.real).oid;
    const sizes = this.sizes(walked.files.map((f) => listing.get(f.real)));
    const sized = withinSize(walked.files, (f) => sizes.get(oidOf(f)) ?? null, options.maxFileBytes);
    const read = await early?.catch(() => null) ?? /* @__PURE__ */ new Map();
    const later = await this.readBlobs([...new Set(sized.files.map(oidOf))].filter((oid) => !read.has(oid)));
    const blob = (oid) => read.get(oid) ?? later.get(oid) ?? Buffer.alloc(0);
    const { files, problems } = loadResult(
      sized.files.map((f) => ({ path: f.path, bytes: blob(oidOf(f)) })),
      [...walked.problems, ...sized.problems]
    );
    this.logger.debug("read manifests from git objects", {
      commit: head,
      files: files.length,
      ms: Math.round(performance.now() - started)
    });
    return { files, problems };
  }
  async readCommitInfo(oid) {
    const res = await this.run(["cat-file", "commit", oid]);
    if (res.code !== 0) throw new GitError(`commit ${oid.slice(0, 12)} is not in the clone of "${this.url}"`);
    return parseCommit(oid, res.stdout);
  }
  async changedFiles(commitId) {
    const commit = await this.readCommitInfo(commitId);
    const parent = onlyParent(commit);
    const out = await this.must(
      ["diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", parent, commitId],
      "comparing commits of"
    );
    const recs = out.toString("utf8").split("\0");
    const files = [];
    for (let i = 0; i + 1 < recs.length; i += 2) {
      const [, dstMode = "", , dstOid = "", status2 = ""] = recs[i].slice(1).split(" ");
      const p = recs[i + 1];
      if (status2 === "D") files.push({ path: p, oid: null, mode: null, bytes: null });
      else files.push({ path: p, oid: dstOid, mode: dstMode, bytes: null });
    }
    const blobs = await this.readBlobs(files.flatMap((f) => f.oid ? [f.oid] : []));
    for (const f of files) if (f.oid) f.bytes = blobs.get(f.oid) ?? null;
    return files;
  }
  // --- writing -------------------------------------------------------------------------------------
  async commit(opts) {
    const changes = commitChanges(opts.changes, (p) => this.linked.real(this.head, p));
    if (changes.length === 0) return this.head;
    const base = this.head;
    const listing = await this.listing(base);
    const entries = changes.map((c) => {
      const bytes = Buffer.from(c.after, "utf8");
      const entry = listing.get(c.path);
      return {
        path: c.path,
        mode: keptMode(entry),
        from: entry?.oid ?? null,
        to: gitBlobId(bytes, this.objectFormat),
        bytes,
        before: entry ? Buffer.from(c.before, "utf8") : null
      };
    });
    for (const [i, c] of changes.entries()) {
      const before = entries[i].before;
      checkPlanned(c, listing.get(c.path), () => gitBlobId(before ?? "", this.objectFormat), base);
    }
    const started = performance.now();
    const checking = this.mode === "local" && !this.readOnly ? this.precheck(entries) : Promise.resolve(void 0);
    checking.catch(() => void 0);
    let scratch = null;
    try {
      scratch = makeTempDirSync("vault-rollout-commit-");
      const gitDir = path4.join(scratch, "git");
      const ready = Promise.all([
        this.objectDir(),
        this.must(
          ["init", "-q", "--bare", `--object-format=${this.objectFormat}`, gitDir],
          "building the commit in"
        )
      ]);
      ready.catch(() => void 0);
      const when = `${Math.floor((opts.now ?? /* @__PURE__ */ new Date()).getTime() / 1e3)} +0000`;
      const who = `${identityPart(opts.author.name)} <${identityPart(opts.author.email)}> ${when}`;
      const message = Buffer.from(opts.message.endsWith("\n") ? opts.message : `${opts.message}
`, "utf8");
      const parts = [
        Buffer.from(
          `commit refs/heads/vault-rollout
mark :1
author ${who}
committer ${who}
data ${message.length}
`
        ),
        message,
        Buffer.from(`
from ${base}
`)
      ];
      for (const e of entries) {
        parts.push(
          Buffer.from(`M ${e.mode} inline ${quotePath(e.path)}
data ${e.bytes.length}
`),
          e.bytes,
          Buffer.from("\n")
        );
      }
      parts.push(Buffer.from("\ndone\n"));
      const stream = path4.join(scratch, "stream");
      writeParts(stream, parts);
      const [objects] = await ready;
      const marks = path4.join(scratch, "marks");
      const importing = this.must(
        ["fast-import", "--quiet", "--done", "--date-format=raw", `--export-marks=${marks}`],
        "building the commit in",
        {
          inputFile: stream,
          env: { GIT_DIR: gitDir, GIT_OBJECT_DIRECTORY: objects },
          cwd: scratch,
          // No fsync of the pack: `git commit` does not fsync the loose objects it writes either (core.fsync
          // leaves loose-object out by default); what must last is the push, and the receiving side syncs
          // what it stores. Right after a clone that fsync also flushed the clone's files: 3.3 s of a 6.4 s
          // apply of 5,000 files. Git before 2.36 ignores the key.
          config: [["core.fsync", "none"]]
        }
      );
      const [imported, checked2] = await Promise.allSettled([importing, checking]);
      if (imported.status === "rejected") throw imported.reason;
      const commit = /^:1 ([0-9a-f]+)$/m.exec(await readFile(marks, "utf8"))?.[1];
      if (!commit)
        throw new GitError(`building the commit in "${this.url}" failed: git fast-import named no commit`);
      this.made.add(commit, {
        parent: base,
        paths: changes.map((c) => c.path),
        entries,
        precheck: checked2.status === "fulfilled" ? checked2.value : void 0
      });
      this.logger.debug("wrote commit", {
        commit,
        parent: base,
        files: changes.length,
        ms: Math.round(performance.now() - started)
      });
      return commit;
    } finally {
      await checking.catch(() => void 0);
      if (scratch !== null) await removeTempDir(scratch);
    }
  }
  /** The absolute path of this repository's object store (a linked worktree shares its main one). */
  async objectDir() {
    if (this.gitPaths) return this.gitPaths.objects;
    const out = await this.must(["rev-parse", "--path-format=absolute", "--git-path", "objects"], "reading");
    return out.toString("utf8").trim();
  }
  /** `git push --porcelain --force-with-lease=<ref>:<expected> origin <src>:<ref>`, classified. */
  async pushRef(ref, expected, src) {
    const res = await this.run(
      [
        "push",
        "--porcelain",
        "--no-progress",
        `--force-with-lease=${ref}:${expected ?? ""}`,
        this.remote,
        `${src}:${ref}`
      ],
      {
        // No second delta search: fast-import stored each new blob as a delta already, and pack-objects
        // sends those as they are. Searching again (window 10, against the remote's copies too) took
        // 100-150 ms of a 5,000-file push on two cores, to make the pack 14 % smaller (817 KB, not 932 KB).
        config: [["pack.window", "0"]]
      }
    );
    if (res.code === 0) return { ok: true };
    const out = res.stdout.toString("utf8");
    const refLine = out.split("\n").find((l) => l.startsWith("!")) ?? "";
    const why = refLine.split("	")[2] ?? "";
    const remoteSays = res.stderr.split("\n").filter((l) => l.startsWith("remote: ")).map((l) => l.slice("remote: ".length).trim()).filter(Boolean).join(" | ");
    if (!why && AUTH_FAILED.test(res.stderr)) throw this.failure("pushing to", res.stderr);
    if (!why) throw this.failure("pushing to", res.stderr);
    const branch = ref.replace(/^refs\/heads\//, "");
    return refusal(branch, why, remoteSays, this.auth, `${why} ${remoteSays}`);
  }
  async push(commitId) {
    let started = 0;
    return pushBase(
      commitId,
      { mode: this.mode, head: this.head, built: this.made },
      {
        check: (made) => this.checkCheckout(commitId, made),
        push: (expected) => {
          started = performance.now();
          return this.pushRef(`refs/heads/${this.branch}`, expected, commitId);
        },
        alongside: (made) => this.moveWhilePushing(made.parent, commitId, made.entries),
        pushed: async (made, moving) => {
          this.logger.info("pushed", {
            branch: this.branch,
            commit: commitId,
            ms: Math.round(performance.now() - started)
          });
          const followOrigin = () => this.must(
            ["update-ref", `refs/remotes/origin/${this.branch}`, commitId],
            "updating origin/" + this.branch + " of"
          );
          if (moving) {
            await moving.catch(async (err) => {
              await followOrigin();
              throw err;
            });
            await this.moveBranch(made.parent, commitId, "commit", true);
            rmSync2(this.gitPaths.move, { force: true });
          } else {
            await followOrigin();
            if (this.mode === "local") await this.moveCheckout(made.parent, commitId, "commit", made.entries);
          }
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
      pushRef: (branch, expected, to) => this.pushRef(`refs/heads/${branch}`, expected, to ?? "")
    };
  }
  async remoteBranch(branch) {
    return remoteBranchCommit(branch, {
      head: async () => {
        const listed = await this.must(
          ["ls-remote", this.remote, `refs/heads/${branch}`],
          `reading branch "${branch}" of`
        );
        return listed.toString("utf8").split("\n").map((l) => l.split("	")).find(([, ref]) => ref === `refs/heads/${branch}`)?.[0] ?? null;
      },
      read: (oid) => this.readCommitInfo(oid),
      fetch: async () => {
        const depth = shallowFetch(this.mode) ? ["--depth", "1"] : [];
        await this.must(
          [
            "fetch",
            "-q",
            "--no-tags",
            ...depth,
            this.remote,
            `+refs/heads/${branch}:refs/remotes/origin/${branch}`
          ],
          `fetching "${branch}" from`
        );
      }
    });
  }
  async refresh() {
    await this.fetchBase();
    if (this.mode === "local") await this.syncCheckout();
    else this.head = await this.revParse(`refs/remotes/origin/${this.branch}`);
  }
  async close() {
    if (this.closed) return;
    this.closed = true;
    if (this.tmp) await removeTempDir(this.tmp);
  }
  // --- the local checkout -------------------------------------------------------------------------
  /** Fetches the base branch into `origin/<branch>`; a checkout gets no `--depth` (no new shallow boundary). */
  async fetchBase() {
    const started = performance.now();
    const depth = shallowFetch(this.mode) ? ["--depth", "1"] : [];
    const res = await this.run([
      "fetch",
      "-q",
      "--no-tags",
      ...depth,
      this.remote,
      `+refs/heads/${this.branch}:refs/remotes/origin/${this.branch}`
    ]);
    if (res.code !== 0) {
      if (/couldn't find remote ref/i.test(res.stderr)) {
        throw new GitError(`branch "${this.branch}" not found on "${this.url}"`, { branch: this.branch });
      }
      throw this.failure(`fetching "${this.branch}" from`, res.stderr);
    }
    this.logger.debug("fetched", { branch: this.branch, ms: Math.round(performance.now() - started) });
  }
  /**
   * Brings the local branch to `origin/<branch>` when it is behind (fast-forward of a clean checkout), and
   * sets `head` to it. Refuses when the branch has commits origin does not have.
   */
  async syncCheckout() {
    const [local, origin] = await this.revParseBoth(
      `refs/heads/${this.branch}`,
      `refs/remotes/origin/${this.branch}`
    );
    if (!local || !origin)
      throw new GitError(`branch "${this.branch}" has no commit in "${this.dir}" or on "${this.url}"`);
    const step = await syncStep(
      { branch: this.branch, url: this.url, readOnly: this.readOnly },
      local,
      origin,
      async () => (await this.run(["merge-base", "--is-ancestor", local, origin])).code === 0
    );
    if (step === "same") {
      this.head = local;
      return;
    }
    if (step === "plan-on-remote") {
      this.logger.info(
        `The checkout's "${this.branch}" is behind "origin/${this.branch}": planning on the remote head`
      );
      this.head = origin;
      return;
    }
    await this.moveCheckout(local, origin, "fast-forward");
    this.logger.info(
      `Fast-forwarded the checkout's "${this.branch}" to "origin/${this.branch}" (${origin.slice(0, 12)})`
    );
    this.head = origin;
  }
  /**
   * Before pushing: the branch is still where we built, and no path the commit changes has uncommitted
   * edits (they would be overwritten) or is an untracked file the commit would create.
   */
  async checkCheckout(commit, made) {
    this.checked = null;
    const branchAt = this.revParse(`refs/heads/${this.branch}`);
    branchAt.catch(() => void 0);
    const early = made.precheck;
    made.precheck = void 0;
    const pre = early ?? await this.precheck(made.entries);
    let changed;
    if (pre.plain) {
      const stats = /* @__PURE__ */ new Map();
      const since = early ? changedSince(this.dir, pre.check, this.objectFormat, stats) : [];
      checkNotMoved(this.branch, await branchAt, this.head);
      changed = early ? [...pre.conflicts, ...since, ...await this.indexConflicts(made.entries)] : pre.conflicts;
      this.checked = { commit, check: pre.check, ...early ? { stats } : {} };
    } else {
      checkNotMoved(this.branch, await branchAt, this.head);
      changed = await this.diffIndex(made.paths);
    }
    if (changed.length > 0) throw uncommitted([...new Set(changed)].sort());
  }
  /**
   * Checks a plain checkout for the move a commit of `entries` makes: every file holds its old bytes (or
   * already the new ones) and every index entry its old blob; the conflicting paths are listed.
   */
  async precheck(entries) {
    const paths = entries.map((e) => e.path);
    const asked = Promise.all([this.plainCheckout(paths), this.readIndex()]);
    asked.catch(() => void 0);
    const stats = statFiles(this.dir, paths);
    const [[plain, index], dirty] = await Promise.all([asked, this.statDirty()]);
    if (!plain) return { plain: false };
    const known = /* @__PURE__ */ new Map();
    for (const e of entries) {
      const entry = index.get(e.path);
      const stat = stats.get(e.path);
      if (entry?.plain && stat !== void 0 && !dirty.has(e.path))
        known.set(e.path, { oid: entry.oid, stat });
    }
    const check = inspectWorkTree(this.dir, entries, this.objectFormat, false, known);
    return { plain: true, check, conflicts: [...indexConflicts(entries, index), ...check.conflicts] };
  }
  /** The paths whose file differs from its index entry by git's stat cache (stat-dirty files included). */
  async statDirty() {
    const out = await this.must(["diff-files", "-z", "--name-only"], "checking the checkout of");
    return new Set(
      out.toString("utf8").split("\0").filter((p) => p !== "")
    );
  }
  /** The paths among `paths` whose index entry or file differs from the head, or that are untracked files. */
  async diffIndex(paths) {
    const touched = new Set(paths);
    const changed = /* @__PURE__ */ new Set();
    for (const cached of [false, true]) {
      const out = await this.must(
        ["diff-index", "-z", "--name-only", "--no-renames", ...cached ? ["--cached"] : [], this.head],
        "checking the checkout of"
      );
      for (const p of out.toString("utf8").split("\0")) if (touched.has(p)) changed.add(p);
    }
    const listing = await this.listing(this.head);
    for (const p of paths) if (!listing.has(p) && existsSync2(path4.join(this.dir, p))) changed.add(p);
    return [...changed];
  }
  /**
   * Whether checking these paths out writes their blob bytes unchanged: no `core.autocrlf=true`, no CRLF
   * `core.eol`, no sparse checkout, and no `eol`/`crlf`/`filter`/`ident`/`working-tree-encoding`
   * attribute on them. Only then may the files be written from the bytes the commit holds.
   */
  async plainCheckout(paths) {
    if (process.platform === "win32") return false;
    if (!await this.plainConfig()) return false;
    if (paths.length === 0) return true;
    const attrs = await this.runThroughFiles(
      ["check-attr", "-z", "--stdin", "--all"],
      `${paths.join("\0")}\0`
    );
    if (attrs.code !== 0) return false;
    const out = attrs.stdout.toString("utf8").split("\0");
    for (let i = 0; i + 2 < out.length; i += 3) {
      const attr = out[i + 1];
      const value = out[i + 2];
      if (!CHECKOUT_ATTRIBUTES.has(attr) || value === "unspecified" || value === "unset") continue;
      if (attr === "eol" && value === "lf") continue;
      return false;
    }
    return true;
  }
  /**
   * Whether the checkout's config lets files be written from blob bytes (no `core.autocrlf=true`, no CRLF
   * `core.eol`, no sparse checkout): asked once, while the fetch runs.
   */
  plainConfig() {
    this.configAsked ??= (async () => {
      const cfg = await this.run(["config", "-z", "--get-regexp", "^core\\.(autocrlf|eol|sparsecheckout)$"]);
      for (const rec of cfg.stdout.toString("utf8").split("\0")) {
        const [key = "", value = ""] = rec.split("\n");
        const v = value.trim().toLowerCase();
        if (key === "core.autocrlf" && !["false", "input", "no", "off", "0", ""].includes(v)) return false;
        if (key === "core.eol" && v === "crlf") return false;
        if (key === "core.sparsecheckout" && ["true", "yes", "on", "1", ""].includes(v)) return false;
      }
      return true;
    })();
    return this.configAsked;
  }
  /** Entries whose index entry is neither their old nor their new blob (a staged edit, a conflict). */
  async indexConflicts(entries) {
    return indexConflicts(entries, await this.readIndex());
  }
  /**
   * The index, per path: `ls-files -s -v` lines `<tag> <mode> <oid> <stage>\t<path>`. An unmerged path
   * keeps stage 0 only when it has one; `plain` is tag H (neither assume-unchanged nor skip-worktree).
   */
  readIndex() {
    const key = this.gitPaths ? indexFileKey(this.gitPaths.index) : null;
    if (key !== null && this.indexRead?.key === key) return this.indexRead.index;
    const index = this.throughFiles(["ls-files", "-s", "-v", "-z"], "reading the index of").then(parseIndex);
    this.indexRead = key === null ? null : { key, index };
    index.catch(() => {
      if (this.indexRead?.index === index) this.indexRead = null;
    });
    return index;
  }
  /**
   * What moving from `from` to its descendant `to` writes, when every change is a regular file modified
   * (same mode) or added and checkout writes blob bytes unchanged; null when `read-tree` must do it.
   */
  async moveEntries(from, to, known) {
    if (known) return await this.plainCheckout(known.map((e) => e.path)) ? known : null;
    const out = await this.must(
      ["diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", from, to],
      "comparing commits of"
    );
    const recs = out.toString("utf8").split("\0");
    const raw = [];
    for (let i = 0; i + 1 < recs.length; i += 2) {
      const [srcMode = "", dstMode = "", srcOid = "", dstOid = "", status2 = ""] = recs[i].slice(1).split(" ");
      if (dstMode !== "100644" && dstMode !== "100755") return null;
      if (status2 === "M" && srcMode === dstMode)
        raw.push({ path: recs[i + 1], mode: dstMode, from: srcOid, to: dstOid });
      else if (status2 === "A") raw.push({ path: recs[i + 1], mode: dstMode, from: null, to: dstOid });
      else return null;
    }
    if (!await this.plainCheckout(raw.map((e) => e.path))) return null;
    const oids = raw.flatMap((e) => e.from ? [e.to, e.from] : [e.to]);
    const blobs = await this.readBlobs([...new Set(oids)]);
    const entries = [];
    for (const e of raw) {
      const bytes = blobs.get(e.to);
      const before = e.from ? blobs.get(e.from) : null;
      if (!bytes || before === void 0) return null;
      entries.push({ ...e, bytes, before });
    }
    return entries;
  }
  /**
   * Moves index and files of the paths that differ between `from` and `to`, then the branch. Other
   * entries, staged or not, are kept, and a person's edit in a moved path stops the move (nothing is
   * written then).
   */
  async moveCheckout(from, to, what = "commit", known) {
    const refused = await this.moveFiles(from, to, known);
    if (refused !== null) throw this.moveRefused(to, what, refused);
    await this.moveBranch(from, to, what);
  }
  moveRefused(to, what, why) {
    return new GitError(
      `cannot move the checkout's "${this.branch}" to ${to.slice(0, 12)} (${what}): ${why}; commit or stash the changes in those files, then run again`,
      { branch: this.branch }
    );
  }
  /**
   * The branch ref, from `from` to `to` only if it is still at `from`; with `origin`, `origin/<branch>` to
   * `to` as well, in the same transaction (one git process).
   */
  async moveBranch(from, to, what, withOrigin = false) {
    const branch = `refs/heads/${this.branch}`;
    if (!withOrigin) {
      await this.must(
        ["update-ref", "-m", `vault-rollout: ${what}`, branch, to, from],
        `moving "${this.branch}" in`
      );
      return;
    }
    const origin = `refs/remotes/origin/${this.branch}`;
    const res = await this.run(["update-ref", "-m", `vault-rollout: ${what}`, "-z", "--stdin"], {
      input: `update ${origin}\0${to}\0\0update ${branch}\0${to}\0${from}\0`
    });
    if (res.code === 0) return;
    await this.must(["update-ref", origin, to], `updating origin/${this.branch} of`);
    throw this.failure(`moving "${this.branch}" in`, res.stderr);
  }
  /**
   * Moves the index entries and files of the paths that differ between `from` and `to`; the branch is left
   * where it is. Plain files are written from the known bytes (checkout-move.ts); anything else (a deleted
   * or renamed path, a mode change, a line-ending conversion or filter) goes through git's two-tree merge,
   * `read-tree -m -u`.
   * @param withPush started with the push, right after the look before it (see checkCheckout)
   * @returns null once moved, or why nothing was moved (a person's edit in a moved path).
   */
  async moveFiles(from, to, known, withPush = false) {
    const checked2 = this.checked?.commit === to ? this.checked : null;
    const pre = checked2?.check ?? null;
    this.checked = null;
    const fresh = withPush && known && pre ? checked2?.stats : void 0;
    const entries = pre && known ? known : await this.moveEntries(from, to, known);
    if (!entries) {
      const res = await this.run(["read-tree", "-m", "-u", from, to]);
      return res.code === 0 ? null : gitSays(res.stderr);
    }
    const started = performance.now();
    const check = pre ?? inspectWorkTree(this.dir, entries, this.objectFormat, true);
    const conflicts = [...await this.indexConflicts(entries), ...check.conflicts];
    let late = [];
    if (conflicts.length === 0) {
      await this.must(["update-index", "--add", "-z", "--stdin"], "updating the index of", {
        feed: (write2) => {
          let batch = [];
          late = writeWorkTree(
            this.dir,
            check,
            this.objectFormat,
            (p) => {
              batch.push(`${p}\0`);
              if (batch.length < 64) return;
              write2(batch.join(""));
              batch = [];
            },
            fresh
          );
          if (batch.length > 0) write2(batch.join(""));
        }
      });
    }
    if (conflicts.length > 0 || late.length > 0) {
      const list = [.../* @__PURE__ */ new Set([...conflicts, ...late])].sort();
      return `local changes in ${list.slice(0, 10).join(", ")}${list.length > 10 ? ", \u2026" : ""}`;
    }
    this.logger.debug("moved the checkout", {
      files: check.write.length,
      ms: Math.round(performance.now() - started)
    });
    return null;
  }
  /**
   * Local mode, while the push is in flight: the files and index move to the commit (5,000 files take
   * about as long as the push, so the two overlap), and the branch only once the remote took it. Until
   * the branch has moved, a marker in the git folder names both commits, so that the next run puts the
   * files back when this one is killed meanwhile (see recoverMove); a push that does not land has them put
   * back at once. Null (all after the push, as before) for a move that was not checked before the push, or
   * a git that cannot name the marker's place.
   */
  moveWhilePushing(from, to, entries) {
    const marker = this.gitPaths?.move;
    if (this.mode !== "local" || !marker || this.checked?.commit !== to) return null;
    return (async () => {
      writeFileSync2(marker, `${from} ${to}
`);
      this.logger.debug("moving the checkout while pushing", { commit: to });
      const refused = await this.moveFiles(from, to, entries, true);
      if (refused !== null) {
        rmSync2(marker, { force: true });
        throw this.moveRefused(to, "commit", refused);
      }
      return async (why) => {
        await this.putBack(from, to, `the push did not land (${why})`);
        rmSync2(marker, { force: true });
      };
    })();
  }
  /**
   * Puts the files and index entries of the paths `to` changed back to `from` (git's two-tree merge, which
   * keeps every other entry and refuses to overwrite a person's edit), the branch being at `from`.
   */
  async putBack(from, to, why) {
    const res = await this.run(["read-tree", "-m", "-u", to, from]);
    if (res.code !== 0) {
      throw new GitError(
        `${why}, and the checkout's files could not be put back from ${to.slice(0, 12)} to "${this.branch}" (${from.slice(0, 12)}): ${gitSays(res.stderr)}; the next run puts them back once those files are committed or stashed`,
        { branch: this.branch }
      );
    }
    this.logger.info(`Put the checkout's files back to "${this.branch}" (${from.slice(0, 12)}): ${why}`);
  }
  /**
   * A run killed while its push moved the files (the marker is still there): with the branch still at the
   * marker's base, its files and index entries go back to it; the fetch and fast-forward that follow bring
   * them forward again if that push landed. A marker whose branch has moved on is only removed.
   */
  async recoverMove() {
    const marker = this.gitPaths?.move;
    if (!marker || !existsSync2(marker)) return;
    const [from = "", to = ""] = readFileSync3(marker, "utf8").trim().split(" ");
    if (this.readOnly) {
      this.logger.warn(
        `An interrupted apply moved the checkout's files during its push; the next apply puts them back (${MOVE_MARKER})`
      );
      return;
    }
    if (OID.test(from) && OID.test(to) && await this.revParse(`refs/heads/${this.branch}`) === from) {
      await this.putBack(from, to, "an earlier run was stopped while pushing");
    }
    rmSync2(marker, { force: true });
  }
  // --- opening ------------------------------------------------------------------------------------
  static async openLocal(opts) {
    const dir = path4.resolve(opts.repo);
    const git = opts.git;
    if (!existsSync2(dir)) throw new GitError(`"${dir}" does not exist; pass a checkout or an HTTPS URL`);
    const layoutArgs = [
      "--show-object-format",
      "--path-format=absolute",
      "--git-path",
      "objects",
      "--git-path",
      "index",
      "--git-path",
      MOVE_MARKER
    ];
    const [both, sym, born, origin] = await Promise.all([
      git.run(["rev-parse", "--show-toplevel", ...layoutArgs], { cwd: dir }),
      git.run(["symbolic-ref", "-q", "--short", "HEAD"], { cwd: dir }),
      git.run(["rev-parse", "-q", "--verify", "HEAD^{commit}"], { cwd: dir }),
      git.run(["remote", "get-url", "origin"], { cwd: dir })
    ]);
    const lines = both.code === 0 ? both.stdout.toString("utf8").split("\n") : [];
    let top;
    let paths;
    if (lines.length === 6) {
      top = lines[0].trim();
      paths = gitPaths(lines.slice(1));
    } else {
      const [alone, layout] = await Promise.all([
        git.run(["rev-parse", "--show-toplevel"], { cwd: dir }),
        git.run(["rev-parse", ...layoutArgs], { cwd: dir })
      ]);
      top = alone.code === 0 ? alone.stdout.toString("utf8").trim() : null;
      paths = layout.code === 0 ? gitPaths(layout.stdout.toString("utf8").split("\n")) : null;
    }
    const format = paths ? paths.format : await objectFormat(git, dir);
    if (top === null) throw new GitError(`"${dir}" is not a Git checkout; pass a checkout or an HTTPS URL`);
    if (path4.resolve(top) !== await realDir(dir)) {
      throw new GitError(`"${dir}" is inside a Git checkout but not its top folder; pass "${top}"`);
    }
    const current = sym.code === 0 ? sym.stdout.toString("utf8").trim() : "";
    if (current && born.code !== 0) opts.unborn?.(current);
    checkCheckoutBranch(dir, current, opts.branch);
    const remoteUrl = origin.code === 0 ? origin.stdout.toString("utf8").trim() : "";
    if (!remoteUrl) throw noOrigin(dir);
    const own = /^https?:\/\//i.test(remoteUrl) ? await git.run(["config", "--get-urlmatch", "http.extraheader", remoteUrl], { cwd: dir }) : { code: 1 };
    const ws = new _NativeWorkspace({
      mode: "local",
      dir,
      branch: current,
      head: "",
      remote: "origin",
      git,
      auth: opts.auth,
      headerAllowed: own.code !== 0,
      objectFormat: format,
      logger: opts.logger,
      readOnly: opts.readOnly ?? false,
      tmp: null,
      originUrl: remoteUrl,
      ssh: sshFor(remoteUrl, opts.ssh),
      gitPaths: paths
    });
    const local = born.code === 0 ? born.stdout.toString("utf8").trim() : "";
    if (OID.test(local)) ws.readEarly(local);
    if (!ws.readOnly && paths) {
      ws.readIndex().catch(() => void 0);
      ws.plainConfig().catch(() => void 0);
    }
    await ws.fetchBase();
    await ws.recoverMove();
    await ws.syncCheckout();
    opts.logger.info("opened local checkout", { dir, branch: current, head: ws.head, remote: ws.url });
    return ws;
  }
  static async openRemote(opts) {
    const remote = repoKind(opts.repo) === "ssh" ? checkSshRemote(opts.repo) : checkRemoteUrl(opts.repo).href;
    const where = displayRemote(remote);
    const ssh = sshFor(remote, opts.ssh);
    const auth = authFor(opts.auth, remote);
    checkBranchName(opts.branch);
    const tmp = await makeTempDir("vault-rollout-", opts.tmpRoot);
    const dir = path4.join(tmp, "repo");
    try {
      const started = performance.now();
      const res = await opts.git.run(
        [
          "clone",
          "-q",
          "--depth",
          "1",
          "--no-checkout",
          "--single-branch",
          "--no-tags",
          ...opts.branch ? ["--branch", opts.branch] : [],
          "--",
          remote,
          dir
        ],
        { cwd: tmp, env: sshEnv(ssh), config: auth ? headerConfig(remote, auth) : [] }
      );
      if (res.code !== 0) {
        if (/Remote branch .* not found/i.test(res.stderr)) {
          throw new GitError(`branch "${opts.branch}" not found on "${where}"`, {
            url: where,
            branch: opts.branch
          });
        }
        throw hostKeyFailure("cloning", where, res.stderr, ssh?.settings) ?? gitFailure("cloning", where, res.stderr, auth, true);
      }
      const sym = await opts.git.run(["symbolic-ref", "-q", "--short", "HEAD"], { cwd: dir });
      const branch = opts.branch ?? sym.stdout.toString("utf8").trim();
      const head = await opts.git.run(["rev-parse", "-q", "--verify", "HEAD^{commit}"], { cwd: dir });
      if (!branch || head.code !== 0) throw noDefaultBranch(where);
      const ws = new _NativeWorkspace({
        mode: "remote",
        dir,
        branch,
        head: head.stdout.toString("utf8").trim(),
        remote,
        git: opts.git,
        auth: opts.auth,
        headerAllowed: true,
        objectFormat: await objectFormat(opts.git, dir),
        logger: opts.logger,
        readOnly: false,
        tmp,
        ssh
      });
      opts.logger.info("cloned", {
        url: where,
        branch,
        head: ws.head,
        ms: Math.round(performance.now() - started)
      });
      return ws;
    } catch (err) {
      await removeTempDir(tmp);
      throw err;
    }
  }
};
function identityPart(value) {
  return value.replace(/[<>\r\n]/g, "").trim();
}
function quotePath(p) {
  if (!/^"|[\\\n"]/.test(p)) return p;
  return `"${p.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}
async function realDir(dir) {
  return path4.resolve(await realpath(dir));
}
async function objectFormat(git, dir) {
  const res = await git.run(["rev-parse", "--show-object-format"], { cwd: dir });
  return res.stdout.toString("utf8").trim() === "sha256" ? "sha256" : "sha1";
}
function headerConfig(remote, auth) {
  let url;
  try {
    url = new URL(remote);
  } catch {
    return [];
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return [];
  const basic = Buffer.from(`${auth.username}:${auth.token}`).toString("base64");
  return [[`http.${url.protocol}//${url.host}/.extraHeader`, `Authorization: Basic ${basic}`]];
}
function sshFor(remote, settings) {
  if (!settings || repoKind(remote) !== "ssh") return null;
  const command = sshCommand(settings);
  return command === null ? null : { command, settings };
}
function sshEnv(ssh) {
  return ssh ? { GIT_SSH_COMMAND: ssh.command } : {};
}
var HOST_KEY = /Host key verification failed|host key is known for|REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i;
function hostKeyFailure(action, where, stderr, settings) {
  if (!HOST_KEY.test(stderr)) return null;
  return new GitError(
    `${action} "${where}" failed: ${hostKeyHint(settings)}; add the host's key (e.g. from its published fingerprints) and run again`,
    { url: where }
  );
}
function gitFailure(action, where, stderr, auth, tokenUsed, local = false) {
  const at2 = `${action} "${where}"`;
  if (AUTH_FAILED.test(stderr)) {
    const who = auth && tokenUsed ? `as "${auth.username}" with the given token` : local ? "with the checkout's own git credentials" : "without credentials";
    return new GitError(
      `${at2} failed: authentication refused (${who}); check GIT_TOKEN / GIT_USERNAME, the SSH key or credential helper, and the repository access`,
      { url: where }
    );
  }
  if (UNREACHABLE.test(stderr) && !/not found|does not appear to be a git repository/i.test(stderr)) {
    return new GitError(
      redact(`${at2} failed: cannot reach the server (${gitSays(stderr)}); check the URL and network`, auth),
      {
        url: where
      }
    );
  }
  return new GitError(redact(`${at2} failed: ${gitSays(stderr) || "git exited with an error"}`, auth), {
    url: where
  });
}

// src/adapters/git/index.ts
function chooseEngine(env, asked) {
  const git = findGit(env["PATH"]);
  if (asked === "isomorphic") return { engine: "isomorphic", git };
  return { engine: asked === "native" || git ? "native" : "isomorphic", git };
}
async function openWorkspace(opts) {
  const logger = opts.logger ?? silentLogger;
  const chosen = chooseEngine(opts.env, opts.engine);
  const remote = isRemoteRepo(opts.repo);
  if (chosen.engine === "native") {
    if (!chosen.git)
      throw new GitError(
        'the native git CLI was asked for (VAULT_ROLLOUT_GIT=native) but "git" is not on PATH'
      );
    const cli = new GitCli(chosen.git, opts.env, opts.limits);
    const args = { ...opts, git: cli, logger };
    if (remote) return NativeWorkspace.openRemote(args);
    return NativeWorkspace.openLocal({ ...args, unborn: (branch) => refuseUnborn(opts.repo, branch) });
  }
  logger.debug("using isomorphic-git (no git CLI)");
  const { IsoWorkspace } = await import("./chunk-FURZTA55.js");
  if (remote) return IsoWorkspace.openRemote({ ...opts, logger });
  refuseUnborn(opts.repo, await unbornIso(path5.resolve(opts.repo)));
  return IsoWorkspace.openLocal({ ...opts, logger });
}
function refuseUnborn(repo, branch) {
  if (branch === null) return;
  const dir = path5.resolve(repo);
  throw new GitError(
    `the checkout "${dir}" has no commits yet (branch "${branch}" is empty); commit and push the manifests first, or pass the repository URL`,
    { dir, branch }
  );
}
async function unbornIso(dir) {
  const gitdir = path5.join(dir, ".git");
  if (!fs.statSync(gitdir, { throwIfNoEntry: false })?.isDirectory()) return null;
  const { default: git } = await import("./chunk-NCEGCVTO.js");
  const branch = await git.currentBranch({ fs, dir, gitdir }).catch(() => void 0);
  if (!branch) return null;
  const head = await git.resolveRef({ fs, dir, gitdir, ref: "HEAD" }).catch(() => null);
  return head === null ? branch : null;
}

// src/log.ts
var ORDER = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };
var secrets = /* @__PURE__ */ new Set();
function registerSecret(value) {
  if (!value || value.length < 4) return;
  secrets.add(value);
}
function forgetSecret(value) {
  secrets.delete(value);
}
function redact2(text) {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join("***");
  return out;
}
function createLogger(opts) {
  const format = opts.format ?? "text";
  const min = ORDER[opts.level ?? "info"];
  const write2 = opts.write ?? ((line2) => process.stderr.write(line2));
  const clock = opts.clock ?? (() => /* @__PURE__ */ new Date());
  const emit = (level, msg, data) => {
    if (ORDER[level] < min) return;
    if (format === "json") {
      write2(redact2(JSON.stringify({ time: clock().toISOString(), level, msg, ...data })) + "\n");
    } else {
      const extra = data && Object.keys(data).length > 0 ? ` ${JSON.stringify(data)}` : "";
      write2(redact2(`${level === "info" ? "" : `${level}: `}${msg}${extra}`) + "\n");
    }
  };
  return {
    debug: (m, d) => emit("debug", m, d),
    info: (m, d) => emit("info", m, d),
    warn: (m, d) => emit("warn", m, d),
    error: (m, d) => emit("error", m, d)
  };
}

// src/adapters/templates.ts
import { existsSync as existsSync3, readFileSync as readFileSync4 } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
var root = null;
function templatesDir() {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (; ; ) {
    if (existsSync3(join(dir, "templates", "commit-message.liquid"))) return root = join(dir, "templates");
    const up = dirname(dir);
    if (up === dir) throw new Error("templates/ folder not found next to the vault-rollout package");
    dir = up;
  }
}
function readTemplate(name) {
  return readFileSync4(join(templatesDir(), name), "utf8");
}

// src/adapters/vault/reader.ts
import { readFile as readFile2 } from "node:fs/promises";

// src/adapters/vault/transport.ts
import http from "node:http";
import https from "node:https";
var TransportError = class extends Error {
  constructor(code3, message) {
    super(message);
    this.code = code3;
    this.name = "TransportError";
  }
  code;
};
function createTransport(opts) {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets });
  const httpsAgent = new https.Agent({
    keepAlive: true,
    maxSockets: opts.maxSockets,
    rejectUnauthorized: opts.rejectUnauthorized,
    ...opts.ca ? { ca: opts.ca } : {}
  });
  const retryAfter = /* @__PURE__ */ new WeakMap();
  const send = (options) => attempt(options).then(
    (answer) => {
      opts.onAnswer?.(answer.statusCode);
      return answer;
    },
    (e) => {
      opts.onAnswer?.(e instanceof TransportError ? e.code : "ENETWORK");
      throw e;
    }
  );
  const attempt = (options) => new Promise((resolve2, reject) => {
    let url;
    try {
      url = new URL(options.uri);
    } catch {
      reject(new TransportError("EINVALIDURL", "invalid Vault address"));
      return;
    }
    opts.onRequest?.(options.method, url.pathname);
    const isHttps = url.protocol === "https:";
    const payload = options.json !== void 0 && typeof options.json === "object" ? JSON.stringify(options.json) : void 0;
    const headers = { Accept: "application/json", ...options.headers };
    if (payload !== void 0) {
      headers["Content-Type"] ??= "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    let req;
    try {
      req = (isHttps ? https : http).request(url, {
        method: options.method,
        headers,
        agent: isHttps ? httpsAgent : httpAgent
      });
    } catch {
      reject(new TransportError("EBADHEADER", "a request header value is not valid"));
      return;
    }
    let ours = null;
    const abort = (e) => {
      ours ??= e;
      req.destroy(e);
    };
    req.setTimeout(opts.timeoutMs, () => {
      abort(new TransportError("ETIMEDOUT", `no answer within ${opts.timeoutMs} ms`));
    });
    const deadline = setTimeout(() => {
      abort(new TransportError("EDEADLINE", `no complete answer within ${opts.deadlineMs} ms`));
    }, opts.deadlineMs);
    deadline.unref();
    req.on("close", () => clearTimeout(deadline));
    req.on("error", (e) => {
      reject(
        ours ?? (e instanceof TransportError ? e : new TransportError(e.code ?? "ENETWORK", e.message))
      );
    });
    req.on("response", (res) => {
      const chunks = [];
      let size = 0;
      const tooLarge = () => new TransportError("ETOOLARGE", `answer larger than ${opts.maxResponseBytes} bytes`);
      const declared = Number(res.headers["content-length"]);
      if (Number.isFinite(declared) && declared > opts.maxResponseBytes) {
        abort(tooLarge());
        return;
      }
      res.on("data", (c) => {
        size += c.length;
        if (size > opts.maxResponseBytes) {
          chunks.length = 0;
          abort(tooLarge());
          return;
        }
        chunks.push(c);
      });
      res.on(
        "error",
        (e) => reject(ours ?? new TransportError(e.code ?? "ECONNRESET", e.message))
      );
      res.on("end", () => {
        if (ours) return;
        const text = Buffer.concat(chunks).toString("utf8");
        const status2 = res.statusCode ?? 0;
        let body = void 0;
        if (text.trim()) {
          try {
            body = JSON.parse(text);
          } catch {
            if (status2 >= 200 && status2 < 300) {
              reject(new TransportError("ENOTJSON", `HTTP ${status2} answer that is not JSON`));
              return;
            }
            body = { errors: [] };
          }
        }
        if (status2 >= 400 && (body === void 0 || typeof body !== "object" || body === null))
          body = { errors: [] };
        const ra = res.headers["retry-after"];
        if (typeof ra === "string" && body && typeof body === "object") retryAfter.set(body, ra);
        resolve2({ statusCode: status2, body, request: { path: url.pathname } });
      });
    });
    if (payload !== void 0) req.write(payload);
    req.end();
  });
  return {
    requestPromise: { defaults: () => send },
    retryAfterOf: (body) => body && typeof body === "object" ? retryAfter.get(body) : void 0,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    }
  };
}

// src/adapters/vault/reader.ts
var DEFAULT_DEADLINE_MS = 3e4;
var DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
var DEFAULT_KUBERNETES_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token";
var DETAILED_LIST_PAGE = 1e3;
var isApiError = (e) => e instanceof Error && typeof e.response?.statusCode === "number";
var isRecord = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
var trimSlashes = (s) => s.replace(/^\/+|\/+$/g, "");
var encodePath = (p) => p.split("/").map(encodeURIComponent).join("/");
function metadataPolicyLine(mount, rest) {
  return `path "${mount}/metadata/${rest}" { capabilities = ["read"] }`;
}
async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(items[i]);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
function hasPassed(time, now) {
  const ms = Date.parse(time.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(ms) || ms <= now.getTime();
}
function statusFromMetadata(path6, body, now) {
  if (!isRecord(body) || !isRecord(body.data)) return null;
  const data = body.data;
  const current = data.current_version;
  if (typeof current !== "number" || !Number.isSafeInteger(current) || current < 0) return null;
  if (data.versions !== void 0 && data.versions !== null && !isRecord(data.versions)) return null;
  const versions = isRecord(data.versions) ? data.versions : {};
  const updatedTime = typeof data.updated_time === "string" ? data.updated_time : null;
  if (current === 0) return { state: "missing", path: path6 };
  const v = versions[String(current)];
  if (isRecord(v)) {
    if (v.destroyed === true) return { state: "deleted", path: path6, current, reason: "destroyed", updatedTime };
    if (typeof v.deletion_time === "string" && v.deletion_time !== "" && hasPassed(v.deletion_time, now)) {
      return { state: "deleted", path: path6, current, reason: "deleted", updatedTime };
    }
  }
  return { state: "ok", path: path6, current, updatedTime };
}
var vaultClient;
function loadVaultClient() {
  vaultClient ??= import("./chunk-O2OR2R76.js").then((m) => m.default);
  return vaultClient;
}
var NodeVaultReader = class {
  constructor(opts, vault) {
    this.opts = opts;
    this.logger = opts.logger ?? silentLogger;
    this.clock = opts.clock ?? (() => /* @__PURE__ */ new Date());
    this.address = displayAddress(opts.address);
    this.retries = Math.max(0, opts.retries ?? 4);
    this.baseMs = opts.backoff?.baseMs ?? 250;
    this.maxMs = opts.backoff?.maxMs ?? 1e4;
    this.sleep = opts.backoff?.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = opts.backoff?.random ?? Math.random;
    this.concurrency = Math.max(1, opts.concurrency ?? 32);
    this.deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.configuredMounts = opts.mounts?.length ? opts.mounts.map(trimSlashes).filter(Boolean) : null;
    this.transport = createTransport({
      ca: opts.caCert,
      rejectUnauthorized: !opts.skipVerify,
      timeoutMs: opts.timeoutMs ?? 1e4,
      deadlineMs: this.deadlineMs,
      maxResponseBytes: this.maxResponseBytes,
      maxSockets: this.concurrency,
      onRequest: () => {
        this.stats.requests += 1;
      },
      ...opts.onAnswer ? { onAnswer: opts.onAnswer } : {}
    });
    this.client = vault({
      endpoint: opts.address.replace(/\/+$/, ""),
      apiVersion: "v1",
      // node-vault's default debug logger prints request bodies (login secrets included) when DEBUG matches.
      debug: () => {
      },
      // Node's HTTP server (and some proxies) reject the LIST verb: use GET ?list=true.
      noCustomHTTPVerbs: true,
      "request-promise": this.transport.requestPromise
    });
    this.client.token = "";
    this.client.namespace = opts.namespace ?? "";
    this.client.pathPrefix = "";
  }
  opts;
  stats = { requests: 0, detections: 0, metadataReads: 0, retries: 0 };
  client;
  transport;
  logger;
  clock;
  address;
  retries;
  baseMs;
  maxMs;
  sleep;
  random;
  concurrency;
  deadlineMs;
  maxResponseBytes;
  configuredMounts;
  /** Mounts learnt from `sys/internal/ui/mounts`, kept for the reader's lifetime. */
  mounts = [];
  detectionUnavailable = false;
  loggedIn = false;
  closed = false;
  /** Logs in (or validates the given token). Called once by `createVaultReader`. */
  async authenticate() {
    const auth = this.opts.auth;
    if (auth.method === "token") {
      if (!auth.token) throw new VaultError("No Vault token given: set VAULT_TOKEN.", { method: "token" });
      this.client.token = auth.token;
      const a = await this.call("auth/token/lookup-self", () => this.client.tokenLookupSelf());
      if (a.status === 403 || a.status === 401) {
        throw new VaultError(
          `Vault at ${this.address} rejected the token (auth/token/lookup-self answered ${a.status}): it is invalid, expired or revoked${this.nsHint()}. Set ${auth.variable ?? "VAULT_TOKEN"} to a valid token.`,
          { method: "token", status: a.status }
        );
      }
      if (a.status !== 200) throw this.unexpected("auth/token/lookup-self", a.status);
      return;
    }
    const mount = trimSlashes(auth.mount ?? auth.method);
    const payload = await this.loginPayload(auth);
    registerSecret(payload.jwt);
    const answer = await this.call(`auth/${mount}/login`, () => {
      if (auth.method === "approle") return this.client.approleLogin({ mount_point: mount, ...payload });
      if (auth.method === "kubernetes")
        return this.client.kubernetesLogin({ mount_point: mount, ...payload });
      if (payload.role !== void 0) return this.client.jwtLogin({ mount_point: mount, ...payload });
      return this.client.write(`auth/${encodePath(mount)}/login`, payload);
    });
    const authBlock = isRecord(answer.body) && isRecord(answer.body.auth) ? answer.body.auth : null;
    const token = authBlock && typeof authBlock.client_token === "string" ? authBlock.client_token : "";
    if (answer.status !== 200 || !token) {
      throw new VaultError(
        `Vault login with the ${auth.method} method at auth mount "${mount}"${this.nsHint()} failed (HTTP ${answer.status}): ${loginHint(auth)}.`,
        { method: auth.method, mount, status: answer.status }
      );
    }
    registerSecret(token);
    this.client.token = token;
    this.loggedIn = true;
    this.logger.info("logged in to Vault", { method: auth.method, mount });
  }
  async read(paths) {
    const out = /* @__PURE__ */ new Map();
    const inputs = [];
    for (const p of new Set(paths)) {
      const problem = unsafePathProblem(cleanSecretPath(p));
      if (problem === null) inputs.push(p);
      else
        out.set(p, {
          state: "forbidden",
          path: p,
          message: `vault-rollout refuses to read "${p}": ${problem}`
        });
    }
    const cleaned = new Map(inputs.map((p) => [p, cleanSecretPath(p)]));
    const resolutions = await this.resolveMounts([...new Set(cleaned.values())]);
    const canonical = /* @__PURE__ */ new Map();
    for (const r of resolutions.values()) if (r.kind === "kv2") canonical.set(`${r.mount}/${r.rest}`, r);
    const now = this.clock();
    const read = await mapLimit(
      [...canonical.entries()],
      this.concurrency,
      async ([path6, { mount, rest }]) => {
        const status2 = await this.readMetadata(path6, mount, rest, now);
        this.opts.onSecretRead?.();
        return [path6, status2];
      }
    );
    const byCanonical = new Map(read);
    for (const [input, clean] of cleaned) {
      const r = resolutions.get(clean);
      out.set(
        input,
        r.kind === "status" ? r.status : byCanonical.get(`${r.mount}/${r.rest}`)
      );
    }
    return out;
  }
  async readFolder(paths) {
    const cleaned = paths.map((p) => cleanSecretPath(p));
    if (cleaned.some((p) => unsafePathProblem(p) !== null)) return null;
    const resolutions = await this.resolveMounts([...new Set(cleaned)]);
    const splits = cleaned.map((p) => resolutions.get(p));
    const first = splits[0];
    if (!first || first.kind !== "kv2") return null;
    const folderOf = (rest) => rest.slice(0, rest.lastIndexOf("/") + 1);
    const folder = folderOf(first.rest);
    if (splits.some((r) => r?.kind !== "kv2" || r.mount !== first.mount || folderOf(r.rest) !== folder))
      return null;
    const listed = /* @__PURE__ */ new Map();
    const now = this.clock();
    for (let after = ""; ; ) {
      const query = `list=true&limit=${DETAILED_LIST_PAGE}${after ? `&after=${encodeURIComponent(after)}` : ""}`;
      const apiPath = `${first.mount}/detailed-metadata/${folder}`;
      const a = await this.call(apiPath, () => this.client.read(`${encodePath(apiPath)}?${query}`));
      if (a.status !== 200) return null;
      const data = isRecord(a.body) && isRecord(a.body.data) ? a.body.data : null;
      const keys = data && Array.isArray(data.keys) ? data.keys : null;
      const info2 = data && isRecord(data.key_info) ? data.key_info : null;
      if (!keys || !info2 || keys.some((k) => typeof k !== "string")) return null;
      for (const key of keys) if (!key.endsWith("/")) listed.set(key, info2[key] ?? null);
      if (keys.length < DETAILED_LIST_PAGE) break;
      after = keys[keys.length - 1];
    }
    const out = /* @__PURE__ */ new Map();
    for (const [i, input] of paths.entries()) {
      const split = splits[i];
      const path6 = `${split.mount}/${split.rest}`;
      const name = split.rest.slice(folder.length);
      const entry = listed.get(name);
      if (entry === void 0) {
        out.set(input, { state: "missing", path: path6 });
        continue;
      }
      if (entry === null) return null;
      const status2 = statusFromMetadata(path6, { data: entry }, now);
      if (status2 === null) return null;
      out.set(input, status2);
    }
    return out;
  }
  async close() {
    if (this.closed) return;
    this.closed = true;
    if (this.loggedIn) {
      try {
        await this.client.tokenRevokeSelf();
        forgetSecret(this.client.token);
      } catch {
        this.logger.warn("could not revoke the Vault token obtained by login; it expires with its TTL");
      }
    }
    this.transport.close();
  }
  // ------------------------------------------------------------------ mounts
  /** Maps each cleaned path to its KV v2 mount split, or to a final status (unsupported / forbidden). */
  async resolveMounts(paths) {
    const out = /* @__PURE__ */ new Map();
    if (this.configuredMounts) {
      const sorted = [...this.configuredMounts].sort((a, b) => b.length - a.length);
      for (const p of paths) {
        const mount = sorted.find((m) => p === m || p.startsWith(`${m}/`));
        out.set(
          p,
          mount ? this.fromMount(p, { mount, kind: "kv2", type: "kv" }) : this.unsupported(
            p,
            `"${p}" is not under a configured KV v2 mount (vault.mounts: ${this.configuredMounts.join(", ")}); add its mount to vault.mounts`
          )
        );
      }
      return out;
    }
    const groups = /* @__PURE__ */ new Map();
    for (const p of paths) {
      const first = p.split("/")[0];
      groups.set(first, [...groups.get(first) ?? [], p]);
    }
    await mapLimit([...groups.values()], this.concurrency, async (group) => {
      for (const p of group) out.set(p, await this.resolveOne(p));
    });
    return out;
  }
  cachedMount(p) {
    let best;
    for (const m of this.mounts) {
      if ((p === m.mount || p.startsWith(`${m.mount}/`)) && (!best || m.mount.length > best.mount.length))
        best = m;
    }
    return best;
  }
  async resolveOne(p) {
    const cached = this.cachedMount(p);
    if (cached) return this.fromMount(p, cached);
    if (this.detectionUnavailable) return this.detectionUnavailableStatus(p);
    this.stats.detections += 1;
    const a = await this.call(
      `sys/internal/ui/mounts/${p}`,
      () => this.client.read(`sys/internal/ui/mounts/${encodePath(p)}`)
    );
    if (a.status === 403) {
      const guess = this.guessSplit(p);
      return {
        kind: "status",
        status: {
          state: "forbidden",
          path: `${guess.mount}/${guess.rest}`,
          message: `Vault denied the mount lookup for "${p}" (no mount there, or the token has no capability under it${this.nsHint()}). The token needs: ${metadataPolicyLine(guess.mount, guess.rest)}; or list the KV v2 mount in vault.mounts.`
        }
      };
    }
    if (a.status === 404 || a.status === 405) {
      this.detectionUnavailable = true;
      return this.detectionUnavailableStatus(p);
    }
    if (a.status !== 200) throw this.unexpected(`sys/internal/ui/mounts/${p}`, a.status);
    const data = isRecord(a.body) && isRecord(a.body.data) ? a.body.data : null;
    if (!data || typeof data.path !== "string" || typeof data.type !== "string")
      throw this.malformed(`sys/internal/ui/mounts/${p}`, "a mount with data.path and data.type");
    const mount = trimSlashes(data.path);
    const type = data.type;
    const version = isRecord(data.options) ? String(data.options.version ?? "") : "";
    if (!mount || p !== mount && !p.startsWith(`${mount}/`)) {
      return this.unsupported(
        p,
        `Vault reported no usable mount for "${p}"; list its KV v2 mount in vault.mounts`
      );
    }
    const info2 = {
      mount,
      type,
      kind: type === "kv" ? version === "2" ? "kv2" : "kv1" : "other"
    };
    if (!this.mounts.some((m) => m.mount === mount)) this.mounts.push(info2);
    this.logger.debug("detected Vault mount", { mount, type, version });
    return this.fromMount(p, info2);
  }
  fromMount(p, info2) {
    if (info2.kind === "kv1") {
      return this.unsupported(
        p,
        `"${info2.mount}/" is a KV version 1 mount: it keeps no versions, and vault-rollout never reads secret values. Move "${p}" to a KV v2 mount (vault kv enable-versioning ${info2.mount}/)`
      );
    }
    if (info2.kind === "other") {
      return this.unsupported(
        p,
        `"${info2.mount}/" is a "${info2.type}" mount, not KV v2; only KV v2 secrets have versions`
      );
    }
    const split = splitAtMount(p, info2.mount);
    if (!split || !split.rest) {
      return this.unsupported(p, `"${p}" names the mount "${info2.mount}/" itself, not a secret under it`);
    }
    return { kind: "kv2", mount: split.mount, rest: split.rest };
  }
  guessSplit(p) {
    const n = normalizeSecretPath(p);
    const slash = n.indexOf("/");
    return slash < 0 ? { mount: n, rest: "" } : { mount: n.slice(0, slash), rest: n.slice(slash + 1) };
  }
  unsupported(p, message) {
    return { kind: "status", status: { state: "unsupported", path: normalizeSecretPath(p), message } };
  }
  detectionUnavailableStatus(p) {
    return this.unsupported(
      p,
      `Vault at ${this.address} has no sys/internal/ui/mounts endpoint (older than 0.10, or blocked by a proxy), so the KV v2 mount of "${p}" cannot be detected; list your KV v2 mounts in vault.mounts`
    );
  }
  // ------------------------------------------------------------------ metadata
  async readMetadata(path6, mount, rest, now) {
    const apiPath = `${mount}/metadata/${rest}`;
    this.stats.metadataReads += 1;
    const a = await this.call(apiPath, () => this.client.read(encodePath(apiPath)));
    if (a.status === 200) {
      const status2 = statusFromMetadata(path6, a.body, now);
      if (status2 === null) throw this.malformed(apiPath, "KV v2 metadata with data.current_version");
      return status2;
    }
    if (a.status === 404) return { state: "missing", path: path6 };
    if (a.status === 403) {
      return {
        state: "forbidden",
        path: path6,
        message: `Vault denied reading the metadata of "${path6}"${this.nsHint()}. The token needs: ${metadataPolicyLine(mount, rest)}`
      };
    }
    throw this.unexpected(apiPath, a.status);
  }
  // ------------------------------------------------------------------ HTTP with retries
  /**
   * Runs one Vault call with retries. Returns the final status and body for any answer that is not
   * retryable (2xx, 4xx except 412/429); throws `VaultError` when retries run out.
   */
  async call(what, fn) {
    for (let attempt = 0; ; attempt++) {
      let reason;
      let retryAfterMs2;
      try {
        return { status: 200, body: await fn() };
      } catch (e) {
        if (isApiError(e)) {
          const { statusCode: status2, body } = e.response;
          if (!(status2 >= 500 || status2 === 429 || status2 === 412)) return { status: status2, body };
          reason = { kind: "status", status: status2, sealed: status2 === 503 && isSealedBody(body) };
          if (status2 === 429) retryAfterMs2 = parseRetryAfter(this.transport.retryAfterOf(body), this.clock());
        } else if (e instanceof TransportError) {
          if (isTlsVerificationError(e.code)) {
            throw new VaultError(
              `TLS verification of Vault at ${this.address} failed (${e.code}). Set VAULT_CACERT to the CA bundle that signed its certificate (VAULT_SKIP_VERIFY=true only for tests).`,
              { address: this.address, code: e.code }
            );
          }
          if (e.code === "ENOTJSON") throw this.malformed(what, "a JSON body");
          if (e.code === "EBADHEADER") {
            throw new VaultError(
              `Vault request for "${what}" was not sent: its token or namespace holds a character an HTTP header cannot carry.`,
              { path: what, code: e.code }
            );
          }
          if (e.code === "ETOOLARGE") {
            throw new VaultError(
              `Vault at ${this.address} answered "${what}" with more than ${this.maxResponseBytes} bytes; vault-rollout stopped reading (raise vault.maxResponseBytes if this is expected).`,
              { address: this.address, path: what, code: e.code }
            );
          }
          reason = { kind: "network", code: e.code };
        } else {
          throw new VaultError(
            `Vault request for "${what}" could not be built: ${e?.name ?? "error"}.`,
            {
              path: what
            }
          );
        }
      }
      if (attempt >= this.retries) throw this.exhausted(what, reason, attempt + 1);
      const exp = Math.min(this.maxMs, this.baseMs * 2 ** attempt);
      let delay = Math.round(exp / 2 + exp / 2 * this.random());
      if (retryAfterMs2 !== void 0) delay = Math.min(this.maxMs, Math.max(delay, retryAfterMs2));
      this.stats.retries += 1;
      this.logger.warn("retrying Vault request", {
        path: what,
        attempt: attempt + 1,
        reason: reason.kind === "status" ? reason.sealed ? "sealed" : `HTTP ${reason.status}` : reason.code,
        delayMs: delay
      });
      await this.sleep(delay);
    }
  }
  exhausted(what, reason, attempts) {
    if (reason.kind === "network" && reason.code === "EDEADLINE") {
      return new VaultError(
        `Vault at ${this.address} did not answer "${what}" completely within ${this.deadlineMs / 1e3} s, ${attempts} attempt(s) (raise vault.timeoutSeconds if it is just slow).`,
        { address: this.address, code: reason.code, attempts }
      );
    }
    if (reason.kind === "network") {
      return new VaultError(
        `Vault at ${this.address} is unreachable after ${attempts} attempts (last error ${reason.code} on "${what}"). Check VAULT_ADDR, the network and TLS settings.`,
        { address: this.address, code: reason.code, attempts }
      );
    }
    if (reason.sealed) {
      return new VaultError(
        `Vault at ${this.address} is sealed. Unseal it (or wait for it to be unsealed) and run again.`,
        {
          address: this.address,
          status: 503,
          attempts
        }
      );
    }
    return new VaultError(
      `Vault at ${this.address} answered HTTP ${reason.status} to "${what}" after ${attempts} attempts. Try again later.`,
      { address: this.address, status: reason.status, attempts }
    );
  }
  /** A 200 whose body is not what Vault documents for that endpoint: fail the run, never guess. */
  malformed(what, expected) {
    return new VaultError(
      `Vault at ${this.address} answered "${what}" with HTTP 200 but not the expected JSON (${expected}); a proxy or a server that is not Vault may be in the way. Check VAULT_ADDR.`,
      { address: this.address, path: what }
    );
  }
  unexpected(what, status2) {
    return new VaultError(
      `Vault at ${this.address} answered HTTP ${status2} to "${what}", which vault-rollout does not expect.`,
      {
        address: this.address,
        status: status2,
        path: what
      }
    );
  }
  nsHint() {
    return this.opts.namespace ? ` in namespace "${this.opts.namespace}"` : "";
  }
  async loginPayload(auth) {
    if (auth.method === "approle") {
      if (!auth.roleId)
        throw new VaultError("AppRole login needs a role id: set VAULT_ROLE_ID.", { method: "approle" });
      return auth.secretId !== void 0 ? { role_id: auth.roleId, secret_id: auth.secretId } : { role_id: auth.roleId };
    }
    if (auth.method === "kubernetes") {
      if (!auth.role)
        throw new VaultError("Kubernetes login needs a role: set vault.auth.role.", { method: "kubernetes" });
      const file = auth.tokenPath ?? DEFAULT_KUBERNETES_TOKEN_PATH;
      let jwt2;
      try {
        jwt2 = (await readFile2(file, "utf8")).trim();
      } catch (e) {
        throw new VaultError(
          `Kubernetes login needs the service account token file "${file}" (${e.code ?? "unreadable"}). Run in a pod with a mounted service account token, or use another auth method.`,
          { method: "kubernetes", file }
        );
      }
      if (!jwt2)
        throw new VaultError(`The service account token file "${file}" is empty.`, {
          method: "kubernetes",
          file
        });
      return { role: auth.role, jwt: jwt2 };
    }
    let jwt;
    try {
      jwt = typeof auth.jwt === "function" ? await auth.jwt() : auth.jwt;
    } catch (e) {
      if (e instanceof VaultError) throw e;
      throw new VaultError(
        `Could not obtain the ID token for Vault JWT login (${e?.name ?? "error"}).`,
        {
          method: "jwt"
        }
      );
    }
    if (!jwt)
      throw new VaultError("JWT login needs a token: set VAULT_JWT or VAULT_JWT_FILE.", { method: "jwt" });
    return auth.role !== void 0 ? { role: auth.role, jwt } : { jwt };
  }
};
function loginHint(auth) {
  switch (auth.method) {
    case "approle":
      return `check the role id and secret id (${auth.variables?.roleId ?? "VAULT_ROLE_ID"}, ${auth.variables?.secretId ?? "VAULT_SECRET_ID"}) and the auth mount`;
    case "kubernetes":
      return `check that role "${auth.role}" exists on that mount and binds this pod's service account and namespace`;
    case "jwt":
      return `check ${auth.role !== void 0 ? `role "${auth.role}"` : "the mount's default_role"}, its bound claims and bound_audiences (required since Vault 1.16.3), and the token's audience`;
  }
}
function isTlsVerificationError(code3) {
  return /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/.test(
    code3
  );
}
function isSealedBody(body) {
  return isRecord(body) && Array.isArray(body.errors) && body.errors.some((e) => typeof e === "string" && /sealed/i.test(e));
}
function parseRetryAfter(value, now) {
  if (!value) return void 0;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1e3;
  const at2 = Date.parse(value);
  return Number.isNaN(at2) ? void 0 : Math.max(0, at2 - now.getTime());
}
function displayAddress(address) {
  try {
    const u = new URL(address);
    return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return JSON.stringify(address);
  }
}
async function createVaultReader(options) {
  const problem = options.namespace ? vaultNamespaceProblem(options.namespace) : null;
  if (problem !== null) {
    throw new VaultError(
      `vault-rollout refuses the Vault namespace ${JSON.stringify(options.namespace.slice(0, 80))}: ${problem}. Fix vault.namespace or VAULT_NAMESPACE.`,
      { code: "EBADNAMESPACE" }
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

// src/adapters/vault/env.ts
import { readFileSync as readFileSync5 } from "node:fs";
import { readFile as fsReadFile } from "node:fs/promises";
var METHODS = ["token", "approle", "kubernetes", "jwt"];
function parseBool(name, value) {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  throw new VaultError(`${name} must be true or false (got "${value}").`, { variable: name });
}
function vaultOptionsFromEnv(env, configVault = {}, io = {}) {
  const readSync = io.readFileSync ?? ((p) => readFileSync5(p, "utf8"));
  const read = io.readFile ?? ((p) => fsReadFile(p, "utf8"));
  const get = (name) => {
    const v = env[name];
    return v !== void 0 && v.trim() !== "" ? v.trim() : void 0;
  };
  const address = configVault.address ?? get("VAULT_ADDR");
  if (!address)
    throw new VaultError("No Vault address: set VAULT_ADDR (or vault.address in the config).", {
      variable: "VAULT_ADDR"
    });
  try {
    const u = new URL(address);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
  } catch {
    throw new VaultError(
      `VAULT_ADDR must be an http(s) URL like https://vault.example.com:8200 (got "${address}").`,
      {
        variable: "VAULT_ADDR"
      }
    );
  }
  const options = { address, auth: authFromEnv(configVault, get, read) };
  const namespace = configVault.namespace ?? get("VAULT_NAMESPACE");
  if (namespace) options.namespace = namespace;
  const caPath = get("VAULT_CACERT");
  if (caPath) {
    try {
      options.caCert = readSync(caPath);
    } catch (e) {
      throw new VaultError(
        `VAULT_CACERT names "${caPath}", which cannot be read (${e.code ?? "error"}).`,
        { variable: "VAULT_CACERT", file: caPath }
      );
    }
  }
  const skip = get("VAULT_SKIP_VERIFY");
  if (skip !== void 0) options.skipVerify = parseBool("VAULT_SKIP_VERIFY", skip);
  if (configVault.mounts?.length) options.mounts = [...configVault.mounts];
  if (configVault.timeoutSeconds !== void 0) options.deadlineMs = configVault.timeoutSeconds * 1e3;
  if (configVault.maxResponseBytes !== void 0) options.maxResponseBytes = configVault.maxResponseBytes;
  return options;
}
function authFromEnv(configVault, get, read) {
  const envMethod = get("VAULT_AUTH_METHOD");
  const envRole = get("VAULT_AUTH_ROLE");
  const envMount = get("VAULT_AUTH_MOUNT");
  const cfg = {
    method: configVault.auth?.method ?? envMethod,
    role: configVault.auth?.role ?? envRole,
    mount: configVault.auth?.mount ?? envMount
  };
  const names = credentialNames(configVault.auth);
  const jwtFileVar = names.jwtFile === void 0 ? "VAULT_JWT_FILE" : void 0;
  const jwtFile = names.jwtFile ?? get("VAULT_JWT_FILE");
  const method = cfg.method ?? (get(names.tokenEnv) ? "token" : get(names.roleIdEnv) ? "approle" : get(names.jwtEnv) || jwtFile ? "jwt" : "token");
  if (!METHODS.includes(method)) {
    throw new VaultError(
      `vault.auth.method (or VAULT_AUTH_METHOD) must be one of ${METHODS.join(", ")} (got "${String(method)}").`,
      {
        key: "vault.auth.method"
      }
    );
  }
  const mount = cfg.mount ? { mount: cfg.mount } : {};
  switch (method) {
    case "token": {
      const token = get(names.tokenEnv);
      if (!token)
        throw new VaultError(`No Vault token: set ${names.tokenEnv} (or choose another vault.auth.method).`, {
          variable: names.tokenEnv
        });
      return { method, token, variable: names.tokenEnv };
    }
    case "approle": {
      const roleId = get(names.roleIdEnv);
      if (!roleId)
        throw new VaultError(
          `AppRole login needs a role id: set ${names.roleIdEnv} (and ${names.secretIdEnv}).`,
          { variable: names.roleIdEnv }
        );
      const secretId = get(names.secretIdEnv);
      return {
        method,
        ...mount,
        roleId,
        ...secretId ? { secretId } : {},
        variables: { roleId: names.roleIdEnv, secretId: names.secretIdEnv }
      };
    }
    case "kubernetes": {
      if (!cfg.role)
        throw new VaultError(
          "Kubernetes login needs a Vault role: set vault.auth.role in the config (or VAULT_AUTH_ROLE).",
          {
            key: "vault.auth.role"
          }
        );
      return { method, ...mount, role: cfg.role };
    }
    case "jwt": {
      const inline = get(names.jwtEnv);
      const file = jwtFile;
      if (!inline && !file)
        throw new VaultError(
          `JWT login needs a token: set ${names.jwtEnv} or ${jwtFileVar ?? "vault.auth.jwtFile"}.`,
          { variable: names.jwtEnv }
        );
      const jwt = inline ? inline : async () => {
        try {
          return (await read(file)).trim();
        } catch (e) {
          throw new VaultError(
            `${jwtFileVar ?? "vault.auth.jwtFile"} names "${file}", which cannot be read (${e.code ?? "error"}).`,
            { variable: jwtFileVar ?? "vault.auth.jwtFile", file }
          );
        }
      };
      return { method, ...mount, ...cfg.role ? { role: cfg.role } : {}, jwt };
    }
  }
}

// src/credentials-env.ts
var CREDENTIAL_VARIABLES = Object.freeze([
  // Vault: token, AppRole, JWT (their default names)
  ...Object.values(DEFAULT_CREDENTIAL_NAMES).filter((n) => n !== void 0),
  // Git over HTTPS, and GitHub's API
  "GIT_TOKEN",
  "GITHUB_TOKEN",
  "GITHUB_APP_PRIVATE_KEY",
  // GitLab: its API and Git, or the CI job's own token
  "GITLAB_TOKEN",
  "CI_JOB_TOKEN",
  // The runner's key to ask for an OIDC token (the Action's JWT login)
  "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
]);
var BASIC_AUTH_USERS = ["x-access-token", "oauth2", "gitlab-ci-token"];
function credentialSecrets(env, names = CREDENTIAL_VARIABLES) {
  const username = env["GIT_USERNAME"];
  const users = /* @__PURE__ */ new Set([...BASIC_AUTH_USERS, ...username ? [username, username.trim()] : []]);
  const out = /* @__PURE__ */ new Set();
  for (const name of names) {
    const raw = env[name];
    const value = raw?.trim();
    if (!raw || !value) continue;
    const forms = /* @__PURE__ */ new Set([raw, value]);
    const lines = value.replace(/\\n/g, "\n").split(/\r?\n/);
    for (const form of forms) out.add(form);
    if (lines.length === 1) {
      for (const form of forms)
        for (const user of users) out.add(Buffer.from(`${user}:${form}`).toString("base64"));
      continue;
    }
    for (const line2 of lines) {
      const text = line2.trim();
      if (text.length >= 16 && !text.startsWith("-----")) out.add(text);
    }
  }
  return [...out];
}

// src/run/compose.ts
import { existsSync as existsSync4 } from "node:fs";
import { resolve } from "node:path";

// src/core/report/liquid.ts
var import_liquidjs = __toESM(require_liquid_node(), 1);
var TEMPLATE_LIMITS = {
  /** Characters of one template file parsed (liquidjs `parseLimit`). */
  parseChars: 1e6,
  /** Wall time of one render in milliseconds (liquidjs `renderLimit`, checked before every tag). */
  renderMs: 2e3,
  /**
   * liquidjs `memoryLimit`, summed over a render: items of ranges and arrays, characters of strings built
   * by filters and by `capture`. A range is allocated whole before the time limit can stop it: 10 million
   * items took 1.5 s and 200 MB, so the bound is lower; a real body stays far below (a pull request body
   * is cut to 65,536 characters, a commit message lists 100 workloads).
   */
  memory: 5e6,
  /** Characters a render may write (a commit message or a pull request body is far smaller). */
  outputChars: 1e6,
  /** How deep `include`, `render` and `layout` may nest. */
  depth: 10
};
var TemplateError = class extends VaultRolloutError {
  constructor(message, data) {
    super("TemplateError", message, data);
  }
};
var NO_PARTIALS = /* @__PURE__ */ new Map();
function mapFs(files) {
  const read = (file) => {
    const text = files.get(file);
    if (text === void 0) throw new Error(refusal2(file, files));
    return text;
  };
  return {
    exists: (file) => Promise.resolve(files.has(file)),
    existsSync: (file) => files.has(file),
    readFile: (file) => Promise.resolve().then(() => read(file)),
    readFileSync: read,
    // The name is the repository path itself: no directory is joined, no extension added.
    resolve: (_dir, file) => file,
    contains: (_root, file) => Promise.resolve(files.has(file)),
    containsSync: (_root, file) => files.has(file)
  };
}
function refusal2(name, files) {
  const known = [...files.keys()].map((f) => `"${f}"`).join(", ");
  return `"${name}" is not a configured template file: include, render and layout reach only ${known ? `the configured templates (${known})` : "the files set by commit.messageTemplate, pullRequest.titleTemplate and pullRequest.bodyTemplate, and none is set"}`;
}
function checked(Base, name, files, depth, reached) {
  return class extends Base {
    constructor(token, remain, liquid, parser) {
      super(token, remain, liquid, parser);
      const file = this.file;
      if (file === void 0 && name === "layout") return;
      if (typeof file !== "string") {
        throw new Error(
          `{% ${name} %} needs the template's repository path as a quoted string, without {{ }}: a name computed while rendering cannot be checked before the run`
        );
      }
      if (!files.has(file)) throw new Error(refusal2(file, files));
      reached.add(file);
    }
    *render(ctx, emitter) {
      if (depth.n >= depth.max) {
        throw new Error(`include, render and layout nest more than ${depth.max} deep`);
      }
      depth.n++;
      try {
        yield* super.render(ctx, emitter);
      } finally {
        depth.n--;
      }
    }
  };
}
var ChargedCapture = class extends import_liquidjs.CaptureTag {
  *render(ctx) {
    yield* super.render(ctx);
    const value = ctx.bottom()[this.variable];
    if (typeof value === "string") ctx.memoryLimit.use(value.length);
  }
};
function createLiquid(partials = NO_PARTIALS, reached = /* @__PURE__ */ new Set(), limits = TEMPLATE_LIMITS) {
  const liquid = new import_liquidjs.Liquid({
    strictFilters: true,
    ownPropertyOnly: true,
    fs: mapFs(partials),
    // Not `templates`: liquidjs turns relative references back on for it and looks names up on a plain
    // object. `root` only feeds the loader's lookups, which the map answers; nothing reads the disk.
    root: ["."],
    relativeReference: false,
    dynamicPartials: true,
    jekyllInclude: false,
    extname: "",
    cache: false,
    parseLimit: limits.parseChars,
    renderLimit: limits.renderMs,
    memoryLimit: limits.memory
  });
  const depth = { n: 0, max: limits.depth };
  liquid.registerTag("include", checked(import_liquidjs.IncludeTag, "include", partials, depth, reached));
  liquid.registerTag("render", checked(import_liquidjs.RenderTag, "render", partials, depth, reached));
  liquid.registerTag("layout", checked(import_liquidjs.LayoutTag, "layout", partials, depth, reached));
  liquid.registerTag("capture", ChargedCapture);
  return liquid;
}
function describe(err) {
  const e = err;
  const position = e.token?.getPosition?.();
  const text = String(e?.message ?? err);
  const first = (text.split("\n")[0] ?? text).replace(/, (file:\S+, )?line:\d+, col:\d+$/, "");
  return {
    message: first,
    line: position?.[0] ?? null,
    file: typeof e.token?.file === "string" && e.token.file !== "" ? e.token.file : null
  };
}
function templateError(err, file, what) {
  const d = describe(err);
  const where = d.file ?? file;
  const via = where !== file ? ` (reached from "${file}")` : "";
  return new TemplateError(
    `template "${where}"${d.line !== null ? ` line ${d.line}` : ""}${via} ${what}: ${d.message}`,
    { file: where, line: d.line }
  );
}
function templateProblem(source) {
  try {
    createLiquid(source.partials).parse(source.text, source.file);
    return null;
  } catch (err) {
    const d = describe(err);
    return { line: d.line, message: d.message };
  }
}
function templatePartialsOf(source) {
  const reached = /* @__PURE__ */ new Set();
  try {
    createLiquid(source.partials, reached).parse(source.text, source.file);
    return [...reached];
  } catch {
    return null;
  }
}
var BoundedEmitter = class {
  constructor(max) {
    this.max = max;
  }
  max;
  buffer = "";
  write(html) {
    const text = typeof html === "string" ? html : html === null || html === void 0 ? "" : String(html);
    if (this.buffer.length + text.length > this.max) {
      throw new Error(`output is over ${this.max} characters`);
    }
    this.buffer += text;
  }
};
function renderTemplate(source, data, limits = TEMPLATE_LIMITS) {
  const liquid = createLiquid(source.partials, /* @__PURE__ */ new Set(), limits);
  let parsed;
  try {
    parsed = liquid.parse(source.text, source.file);
  } catch (err) {
    throw templateError(err, source.file, "is not a valid Liquid template");
  }
  try {
    const ctx = new import_liquidjs.Context(data, liquid.options, { sync: true }, { liquid });
    const emitter = new BoundedEmitter(limits.outputChars);
    (0, import_liquidjs.toValueSync)(liquid.renderer.renderTemplates(parsed, ctx, emitter));
    return emitter.buffer;
  } catch (err) {
    throw templateError(err, source.file, "failed to render");
  }
}

// src/core/config/templates.ts
var TEMPLATE_KEYS = [
  { key: "commit.messageTemplate", field: "commitMessage", shipped: "commit-message.liquid" },
  { key: "pullRequest.titleTemplate", field: "pullRequestTitle", shipped: "pr-title.liquid" },
  { key: "pullRequest.bodyTemplate", field: "pullRequestBody", shipped: "pr-body.liquid" }
];
function templateFile(config, key) {
  if (key === "commit.messageTemplate") return config.commit?.messageTemplate;
  if (key === "pullRequest.titleTemplate") return config.pullRequest.titleTemplate;
  return config.pullRequest.bodyTemplate;
}
function templatePartials(config, read) {
  const files = /* @__PURE__ */ new Map();
  for (const { key } of TEMPLATE_KEYS) {
    const file = templateFile(config, key);
    const text = file === void 0 ? null : read(file);
    if (file !== void 0 && text !== null) files.set(file, text);
  }
  return files;
}
function templateIssues(config, read) {
  const issues = [];
  const partials = templatePartials(config, read);
  for (const { key } of TEMPLATE_KEYS) {
    const file = templateFile(config, key);
    if (file === void 0) continue;
    const text = partials.get(file);
    if (text === void 0) {
      issues.push({ key, line: null, column: null, message: `"${file}" is not a file of the repository` });
      continue;
    }
    const problem = templateProblem({ file, text, partials });
    if (problem) {
      issues.push({
        key,
        line: null,
        column: null,
        message: `"${file}"${problem.line !== null ? ` line ${problem.line}` : ""} is not a valid Liquid template: ${problem.message}`
      });
    }
  }
  if (issues.length === 0) {
    const cycle = includeCycle(partials);
    if (cycle) {
      const key = TEMPLATE_KEYS.find((k) => templateFile(config, k.key) === cycle[0])?.key ?? "";
      issues.push({
        key,
        line: null,
        column: null,
        message: `"${cycle[0]}" includes itself (${cycle.map((f) => `"${f}"`).join(" -> ")}): a template may include the other configured templates, never itself`
      });
    }
  }
  return issues;
}
function includeCycle(files) {
  const edges = /* @__PURE__ */ new Map();
  for (const [file, text] of files)
    edges.set(file, templatePartialsOf({ file, text, partials: files }) ?? []);
  const visit = (file, path6) => {
    if (path6.includes(file)) return [...path6.slice(path6.indexOf(file)), file];
    for (const next of edges.get(file) ?? []) {
      const cycle = visit(next, [...path6, file]);
      if (cycle) return cycle;
    }
    return null;
  };
  for (const file of files.keys()) {
    const cycle = visit(file, []);
    if (cycle) return cycle;
  }
  return null;
}
function shippedTemplates(shipped) {
  const out = {};
  for (const { field, shipped: name } of TEMPLATE_KEYS)
    out[field] = { file: `templates/${name}`, text: shipped(name) };
  return out;
}
function resolveTemplates(config, read, shipped) {
  const issues = templateIssues(config, read);
  if (issues.length > 0) {
    throw new ConfigError(issues.map((i) => `${i.key}: ${i.message}`).join("\n"), { issues });
  }
  const partials = templatePartials(config, read);
  const out = {};
  for (const { key, field, shipped: name } of TEMPLATE_KEYS) {
    const file = templateFile(config, key);
    out[field] = file === void 0 ? { file: `templates/${name}`, text: shipped(name) } : { file, text: partials.get(file), partials };
  }
  return out;
}

// src/adapters/fs/config-file.ts
import { realpathSync as realpathSync2, statSync as statSync3 } from "node:fs";
import { join as join3 } from "node:path";

// src/adapters/fs/working-tree.ts
import {
  closeSync as closeSync4,
  constants as constants3,
  fstatSync,
  lstatSync as lstatSync3,
  openSync as openSync4,
  readdirSync,
  readFileSync as readFileSync6,
  readlinkSync,
  realpathSync
} from "node:fs";
import { dirname as dirname2, isAbsolute, join as join2, relative, sep } from "node:path";
function decodeUtf82(bytes) {
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
}
function errorCode(err) {
  return typeof err === "object" && err !== null && "code" in err ? String(err.code) : void 0;
}
function diskView(root2) {
  const listed = /* @__PURE__ */ new Map();
  const folder = (full, path6) => path6 !== "" && lstatSync3(join2(full, ".git"), { throwIfNoEntry: false }) !== void 0 ? { kind: "repo" } : { kind: "dir" };
  return {
    entry(path6) {
      const full = join2(root2, path6);
      const known = listed.get(path6);
      if (known !== void 0) {
        listed.delete(path6);
        return known === "file" ? { kind: "file" } : folder(full, path6);
      }
      let info2;
      try {
        info2 = lstatSync3(full);
      } catch {
        return null;
      }
      if (info2.isDirectory()) return folder(full, path6);
      if (info2.isFile()) return { kind: "file" };
      if (info2.isSymbolicLink()) {
        if (info2.size > MAX_LINK_BYTES) return { kind: "link", target: null };
        try {
          return { kind: "link", target: readlinkSync(full, "utf8") };
        } catch {
          return { kind: "link", target: null };
        }
      }
      return { kind: "special" };
    },
    list(dir) {
      let entries;
      try {
        entries = readdirSync(join2(root2, dir), { withFileTypes: true });
      } catch {
        return null;
      }
      const names = [];
      for (const e of entries) {
        names.push(e.name);
        const kind = e.isFile() ? "file" : e.isDirectory() ? "dir" : null;
        if (kind) listed.set(dir === "" ? e.name : `${dir}/${e.name}`, kind);
      }
      return names;
    }
  };
}
function readRegularFile(full, path6, maxBytes) {
  let fd;
  try {
    fd = openSync4(full, constants3.O_RDONLY | constants3.O_NOFOLLOW | constants3.O_NONBLOCK);
  } catch (err) {
    const code3 = errorCode(err);
    const message = code3 === "ELOOP" ? "became a symlink while being read: skipped" : `cannot be read (${code3 ?? "error"}): skipped`;
    return { ok: false, problem: { file: path6, severity: "warning", message } };
  }
  try {
    const info2 = fstatSync(fd);
    if (!info2.isFile())
      return {
        ok: false,
        problem: { file: path6, severity: "warning", message: "not a regular file: skipped" }
      };
    if (maxBytes !== void 0 && info2.size > maxBytes)
      return { ok: false, problem: oversizeProblem(path6, info2.size, maxBytes) };
    return { ok: true, bytes: readFileSync6(fd) };
  } catch (err) {
    return {
      ok: false,
      problem: {
        file: path6,
        severity: "warning",
        message: `cannot be read (${errorCode(err) ?? "error"}): skipped`
      }
    };
  } finally {
    closeSync4(fd);
  }
}
var WorkingTreeSource = class {
  constructor(root2, limits = {}, progress = silentProgress) {
    this.root = root2;
    this.limits = limits;
    this.progress = progress;
  }
  root;
  limits;
  progress;
  /**
   * What is at each repo-relative path, the last segment not followed (see ManifestSource.entryKinds).
   * Synchronous stats, as in `load`: a render-root repository asks about three owned files per root (15,000
   * paths for 5,000 roots, most of them missing), and one awaited `lstat` after another left the process
   * idle for 0.9 s of a 3.5 s plan; the same stats made synchronously take under 0.2 s.
   */
  async entryKinds(paths) {
    const out = /* @__PURE__ */ new Map();
    for (const path6 of paths) {
      let info2;
      try {
        info2 = lstatSync3(join2(this.root, ...path6.split("/")), { throwIfNoEntry: false });
      } catch {
      }
      out.set(
        path6,
        info2 === void 0 ? "missing" : info2.isSymbolicLink() ? "symlink" : info2.isDirectory() ? "directory" : info2.isFile() ? "file" : "other"
      );
    }
    return out;
  }
  // Synchronous on purpose: for many small files readFileSync is ~10x faster than sequential
  // fs/promises reads (10,000 manifests: 92 ms against 850 ms here), and nothing else runs meanwhile.
  async load(accept, options = {}) {
    const maxBytes = options.maxFileBytes ?? this.limits.maxFileBytes;
    let root2;
    try {
      root2 = realpathSync(this.root);
    } catch (err) {
      throw new VaultRolloutError(
        "RepoNotFoundError",
        `repository folder "${this.root}" cannot be read (${errorCode(err) ?? "error"}): check --repo`,
        { root: this.root }
      );
    }
    const walked = walkRepo(diskView(root2), fileRule(accept, options.anyName));
    const problems = walked.problems;
    const files = [];
    for (const f of walked.files) {
      const read = readRegularFile(join2(root2, f.real), f.path, maxBytes);
      if (!read.ok) {
        problems.push(read.problem);
        continue;
      }
      this.progress.advance();
      try {
        files.push({ path: f.path, text: decodeUtf82(read.bytes) });
      } catch {
        problems.push({ file: f.path, severity: "warning", message: "not valid UTF-8: skipped" });
      }
    }
    problems.sort((a, b) => a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
    return { files, problems };
  }
};

// src/adapters/fs/config-file.ts
var CONFIG_NAME = "vault-rollout.yaml";
var LINK_REFUSED = {
  outside: "is a symlink that points outside the repository: refusing to read it",
  loop: "is a symlink loop",
  missing: "is a symlink to a file that does not exist",
  unreadable: "is a symlink that cannot be read",
  special: "is a symlink to a special file, not a regular file: refusing to read it"
};
function refuse(shown, why) {
  throw new ConfigError(`config file "${shown}" ${why}`, { file: shown });
}
function decode(bytes) {
  return Buffer.from(bytes).toString("utf8");
}
function readChecked(full, shown) {
  const read = readRegularFile(full, shown, MAX_CONFIG_BYTES);
  if (read.ok) return decode(read.bytes);
  const message = read.problem.message;
  if (message.includes("maxFileBytes")) {
    const size = /is (\d+) bytes/.exec(message)?.[1] ?? "more";
    refuse(shown, `is ${size} bytes, over the ${MAX_CONFIG_BYTES}-byte limit of a config file`);
  }
  return refuse(shown, message.replace(/: skipped$/, ""));
}
function readRepoConfig(repoDir) {
  let root2;
  try {
    root2 = realpathSync2(repoDir);
  } catch {
    return null;
  }
  const view = diskView(root2);
  const entry = view.entry(CONFIG_NAME);
  if (entry === null) return null;
  if (entry.kind === "link") {
    const to = resolveLink(view, CONFIG_NAME);
    if (to.state !== "ok") refuse(CONFIG_NAME, LINK_REFUSED[to.state]);
    if (to.kind !== "file") refuse(CONFIG_NAME, "is a symlink to a folder, not a file");
    return readChecked(join3(root2, to.path), CONFIG_NAME);
  }
  if (entry.kind !== "file") refuse(CONFIG_NAME, "is not a regular file");
  return readChecked(join3(root2, CONFIG_NAME), CONFIG_NAME);
}
function readConfigFlag(full, shown) {
  let real;
  try {
    real = realpathSync2(full);
  } catch {
    return null;
  }
  const info2 = statSync3(real);
  if (info2.isDirectory()) refuse(shown, "is a folder: pass the YAML file itself");
  if (!info2.isFile()) refuse(shown, "is not a regular file (a FIFO, socket or device): pass a YAML file");
  return readChecked(real, shown);
}

// src/adapters/http/read-capped.ts
async function readCapped(res, maxBytes) {
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {
    });
    return null;
  }
  const chunks = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (; ; ) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {
        });
        return null;
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks);
}

// src/adapters/github/errors.ts
var GitHubError = class extends VaultRolloutError {
  constructor(message, data = {}) {
    super("GitHubError", redact2(message), data);
  }
};
function short(text, max = 300) {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max)}\u2026` : one;
}
function githubSays(err) {
  const e = err;
  const data = e.response?.data;
  const parts = [];
  if (Array.isArray(e.errors)) {
    for (const x of e.errors) if (typeof x.message === "string") parts.push(x.message);
  } else if (data && typeof data === "object") {
    if (typeof data.message === "string") parts.push(data.message);
    for (const x of Array.isArray(data.errors) ? data.errors : []) {
      if (typeof x === "string") parts.push(x);
      else if (typeof x?.message === "string") parts.push(x.message);
      else if (x && typeof x === "object")
        parts.push([x.resource, x.field, x.code].filter((v) => typeof v === "string").join(" "));
    }
  } else if (typeof e.message === "string") {
    parts.push(e.message);
  }
  return short(parts.filter(Boolean).join("; "));
}
var HINTS_422 = [
  [
    /pull request already exists/i,
    "another open pull request already uses this head branch; close it or let vault-rollout update it"
  ],
  [/no commits between/i, "the branch holds no change against the base"],
  [
    /(head|base).*invalid|not all refs are readable/i,
    "the head or base branch does not exist on GitHub (yet)"
  ],
  [
    /collaborator/i,
    "a reviewer in pullRequest.reviewers is not a collaborator of the repository; fix the config"
  ],
  [
    /pull request author/i,
    "GitHub does not let the pull request author review it; remove that login from pullRequest.reviewers"
  ],
  [/too long|maximum/i, "a field is over GitHub's size limit"],
  [/reference does not exist/i, "the branch is already gone"]
];
function toGitHubError(err, call) {
  if (err instanceof GitHubError) return err;
  const e = err ?? {};
  const status2 = typeof e.status === "number" ? e.status : void 0;
  const headers = e.response?.headers ?? {};
  const says = githubSays(err);
  const head = `GitHub API: ${call.what} failed (${call.route})`;
  const data = { status: status2, route: call.route };
  if (status2 === 401) {
    return new GitHubError(
      `${head}: 401, the credentials were refused${says ? ` ("${says}")` : ""}; check GITHUB_TOKEN, or GITHUB_APP_ID / GITHUB_APP_PRIVATE_KEY / GITHUB_APP_INSTALLATION_ID`,
      data
    );
  }
  if ((status2 === 403 || status2 === 429) && String(headers["x-ratelimit-remaining"]) === "0") {
    const reset = Number(headers["x-ratelimit-reset"]);
    const when = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1e3).toISOString()}` : "";
    return new GitHubError(`${head}: the API rate limit is used up${when}; run again later`, data);
  }
  if (status2 === 403 || status2 === 429) {
    if (/secondary rate limit/i.test(says)) {
      return new GitHubError(
        `${head}: GitHub's secondary rate limit held after the retries; run again in a few minutes`,
        data
      );
    }
    const accepted = headers["x-accepted-github-permissions"];
    const needs = accepted ? String(accepted).replace(/=/g, ": ").replace(/,\s*/g, ", ") : call.permission;
    return new GitHubError(
      `${head}: 403, permission denied${says ? ` ("${says}")` : ""}; the token needs "${needs}" on the repository (in a workflow: "permissions: { contents: write, pull-requests: write }"; for a GitHub App: grant it and accept the new permissions)`,
      { ...data, permission: needs }
    );
  }
  if (status2 === 404) {
    return new GitHubError(
      `${head}: 404, not found; the repository does not exist, or the token cannot see it (GitHub answers 404 for a missing "${call.permission}" on private repositories); check --github-repository / GITHUB_REPOSITORY and the token's access`,
      data
    );
  }
  if (status2 === 422) {
    const hint = HINTS_422.find(([re]) => re.test(says))?.[1];
    return new GitHubError(
      `${head}: 422, GitHub refused the request${says ? ` ("${says}")` : ""}${hint ? `: ${hint}` : ""}`,
      data
    );
  }
  if (status2 !== void 0 && status2 >= 500) {
    return new GitHubError(`${head}: GitHub answered ${status2} after retries; try again later`, data);
  }
  if (status2 === void 0) {
    const cause = err?.cause?.code ?? err?.code;
    return new GitHubError(
      `${head}: cannot reach the GitHub API${cause ? ` (${cause})` : ""}${says ? `: ${says}` : ""}; check GITHUB_API_URL and the network`,
      data
    );
  }
  return new GitHubError(`${head}: HTTP ${status2}${says ? ` ("${says}")` : ""}`, data);
}

// src/adapters/github/bounded-fetch.ts
var GitHubRequestLimitError = class extends GitHubError {
  constructor(message, data) {
    super(message, data);
    this.name = "AbortError";
  }
};
function endpoint(input, method) {
  const raw = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  let where = raw;
  try {
    where = new URL(raw).pathname;
  } catch {
  }
  return `${(method ?? "GET").toUpperCase()} ${where}`;
}
function boundedFetch(limits, base = globalThis.fetch) {
  return async (input, init) => {
    const { timeoutMs, maxResponseBytes } = limits;
    const what = endpoint(input, init?.method);
    const controller = new AbortController();
    let failure2 = null;
    const stop = (e) => {
      failure2 ??= e;
      controller.abort(e);
    };
    const timer = setTimeout(
      () => stop(
        new GitHubRequestLimitError(
          `GitHub API: ${what} did not answer completely within ${timeoutMs / 1e3} s and was stopped (raise github.timeoutSeconds if GitHub is just slow)`,
          { endpoint: what, timeoutMs }
        )
      ),
      timeoutMs
    );
    const tooLarge = () => new GitHubRequestLimitError(
      `GitHub API: ${what} answered with more than ${maxResponseBytes} bytes; vault-rollout stopped reading (raise github.maxResponseBytes if this is expected)`,
      { endpoint: what, maxResponseBytes }
    );
    const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    try {
      const res = await base(input, { ...init, signal });
      const body = await readCapped(res, maxResponseBytes);
      if (body === null) {
        stop(tooLarge());
        throw failure2;
      }
      const empty = res.status === 204 || res.status === 205 || res.status === 304 || !res.body;
      const copy = new Response(empty ? null : body, {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers
      });
      Object.defineProperty(copy, "url", { value: res.url });
      return copy;
    } catch (e) {
      throw failure2 ?? e;
    } finally {
      clearTimeout(timer);
    }
  };
}

// src/adapters/github/client.ts
var DEFAULT_API_URL = "https://api.github.com";
function decodePrivateKey(value) {
  const text = value.trim();
  if (text.includes("-----BEGIN")) return text.replace(/\\n/g, "\n");
  const decoded = Buffer.from(text, "base64").toString("utf8");
  if (decoded.includes("-----BEGIN")) return decoded.trim();
  throw new GitHubError(
    "GITHUB_APP_PRIVATE_KEY is neither a PEM private key nor a base64-encoded PEM; paste the .pem file GitHub generated"
  );
}
function githubCredentialsFromEnv(env) {
  const appId = env["GITHUB_APP_ID"]?.trim();
  const key = env["GITHUB_APP_PRIVATE_KEY"];
  if (appId || key) {
    if (!appId || !key) {
      throw new GitHubError("GitHub App authentication needs both GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY");
    }
    const rawId = env["GITHUB_APP_INSTALLATION_ID"]?.trim();
    const installationId = rawId ? Number(rawId) : null;
    if (rawId && (!Number.isInteger(installationId) || (installationId ?? 0) <= 0)) {
      throw new GitHubError(`GITHUB_APP_INSTALLATION_ID must be a number (got "${rawId}")`);
    }
    const privateKey = decodePrivateKey(key);
    registerSecret(privateKey);
    registerSecret(key);
    return { kind: "app", appId, privateKey, installationId };
  }
  const token = env["GITHUB_TOKEN"]?.trim();
  return token ? { kind: "token", token } : null;
}
function resolveRepository(flag, env, remoteUrl) {
  const parse = (value, from) => {
    const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(value.trim());
    if (!m) throw new GitHubError(`${from} must be "OWNER/NAME" (got "${value}")`);
    return { owner: m[1], name: m[2].replace(/\.git$/, "") };
  };
  if (flag) return parse(flag, "--github-repository");
  const fromEnv = env["GITHUB_REPOSITORY"];
  if (fromEnv) return parse(fromEnv, "GITHUB_REPOSITORY");
  if (remoteUrl) {
    try {
      const parts = new URL(remoteUrl).pathname.split("/").filter(Boolean);
      if (parts.length >= 2) {
        return { owner: parts[parts.length - 2], name: parts[parts.length - 1].replace(/\.git$/, "") };
      }
    } catch {
    }
  }
  throw new GitHubError(
    "cannot tell which GitHub repository to open the pull request in: pass --github-repository OWNER/NAME or set GITHUB_REPOSITORY"
  );
}
var unpaced = {
  key: () => ({
    schedule: (_opts, fn, ...args) => fn(...args)
  })
};
function buildOctokit(Client, opts, auth, counter) {
  const max = opts.rateLimitRetries ?? 3;
  const log = opts.logger;
  const retryHandler = (what, longest) => (retryAfter, options, _o, retryCount) => {
    if (retryCount >= max) return false;
    log.warn(
      `GitHub ${what} on ${options.method} ${options.url}; retrying in ${retryAfter} s (${retryCount + 1}/${max})`
    );
    return retryAfter <= longest;
  };
  const octokit = new Client({
    ...auth ? { auth } : {},
    baseUrl: (opts.baseUrl || DEFAULT_API_URL).replace(/\/+$/, ""),
    userAgent: "vault-rollout",
    request: { fetch: boundedFetch(opts.limits ?? { ...DEFAULT_GITHUB_LIMITS }) },
    log: {
      debug: () => {
      },
      info: () => {
      },
      warn: (m) => log.debug(m),
      error: (m) => log.debug(m)
    },
    // 429 is left to the throttling plugin (it honours retry-after); the retry plugin takes 5xx and network errors.
    retry: {
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
      retries: 3,
      retryAfterBaseValue: opts.retryAfterUnitMs ?? 1e3
    },
    throttle: {
      retryAfterBaseValue: opts.retryAfterUnitMs ?? 1e3,
      fallbackSecondaryRateRetryAfter: 60,
      // The plugin only calls `key(id).schedule(...)` on these Bottleneck groups.
      ...opts.pacing === false ? { write: unpaced, notifications: unpaced } : {},
      // Primary limit: wait up to 15 minutes for the reset; secondary limit: wait as GitHub says.
      onRateLimit: retryHandler("rate limit hit", 15 * 60),
      onSecondaryRateLimit: retryHandler("secondary rate limit", Infinity)
    }
  });
  octokit.hook.before("request", () => {
    counter.n++;
  });
  return octokit;
}
async function connectGitHub(opts) {
  const { GitHubOctokit, createAppAuth } = await import("./chunk-2FFVNTLS.js");
  const counter = { n: 0 };
  const { credentials, repository } = opts;
  if (credentials.kind === "token") {
    registerSecret(credentials.token);
    registerSecret(Buffer.from(`x-access-token:${credentials.token}`).toString("base64"));
    return {
      octokit: buildOctokit(GitHubOctokit, opts, credentials.token, counter),
      token: credentials.token,
      via: "token",
      requests: () => counter.n
    };
  }
  const bare = buildOctokit(GitHubOctokit, opts, void 0, counter);
  let installationId = credentials.installationId;
  const appAuth = createAppAuth({
    appId: credentials.appId,
    privateKey: credentials.privateKey,
    request: bare.request
  });
  if (installationId === null) {
    const route = `GET /repos/${repository.owner}/${repository.name}/installation`;
    try {
      const { token: jwt } = await appAuth({ type: "app" });
      registerSecret(jwt);
      const res = await bare.request("GET /repos/{owner}/{repo}/installation", {
        owner: repository.owner,
        repo: repository.name,
        headers: { authorization: `bearer ${jwt}` }
      });
      installationId = res.data.id;
    } catch (err) {
      if (err.status === 404) {
        throw new GitHubError(
          `GitHub API: the App ${credentials.appId} is not installed on "${repository.owner}/${repository.name}" (${route}: 404); install it on the repository or set GITHUB_APP_INSTALLATION_ID`
        );
      }
      throw toGitHubError(err, {
        what: "finding the GitHub App installation",
        route,
        permission: "an App JWT (check GITHUB_APP_ID and the key)"
      });
    }
  }
  let token;
  try {
    ({ token } = await appAuth({ type: "installation", installationId }));
  } catch (err) {
    throw toGitHubError(err, {
      what: "creating an installation token",
      route: `POST /app/installations/${installationId}/access_tokens`,
      permission: "an App installed on the repository"
    });
  }
  registerSecret(token);
  registerSecret(Buffer.from(`x-access-token:${token}`).toString("base64"));
  opts.logger.info(`GitHub App ${credentials.appId}: using installation ${installationId}`);
  return {
    octokit: buildOctokit(GitHubOctokit, opts, token, counter),
    token,
    via: "app",
    requests: () => counter.n
  };
}

// src/adapters/github/repo-client.ts
var RepoClient = class {
  constructor(octokit, repo, logger) {
    this.octokit = octokit;
    this.repo = repo;
    this.logger = logger;
  }
  octokit;
  repo;
  logger;
  get base() {
    return { owner: this.repo.owner, repo: this.repo.name };
  }
  path(rest) {
    return `/repos/${this.repo.owner}/${this.repo.name}${rest}`;
  }
  async call(call, run) {
    try {
      return await run();
    } catch (err) {
      throw toGitHubError(err, call);
    }
  }
};

// src/adapters/github/pulls.ts
function info(p) {
  return {
    number: p.number,
    url: p.html_url,
    nodeId: p.node_id,
    title: p.title,
    body: p.body ?? "",
    headSha: p.head.sha,
    labels: p.labels.map((l) => l.name ?? "").filter(Boolean),
    autoMerge: p.auto_merge !== null && p.auto_merge !== void 0
  };
}
var GitHubPulls = class extends RepoClient {
  /**
   * The open pull request from `branch` into `base`, or null. `head` must be `owner:branch`: GitHub
   * silently ignores a bare branch name and lists every open pull request.
   */
  async findOpen(branch, base) {
    const pulls = await this.call(
      {
        what: "listing open pull requests",
        route: `GET ${this.path("/pulls")}`,
        permission: "pull-requests: read"
      },
      () => this.octokit.paginate(this.octokit.rest.pulls.list, {
        ...this.base,
        state: "open",
        head: `${this.repo.owner}:${branch}`,
        base,
        per_page: 100
      })
    );
    const mine = pulls.filter((p) => p.head.ref === branch && p.base.ref === base);
    return mine[0] ? info(mine[0]) : null;
  }
  async create(opts) {
    const res = await this.call(
      {
        what: "creating the pull request",
        route: `POST ${this.path("/pulls")}`,
        permission: "pull-requests: write"
      },
      () => this.octokit.rest.pulls.create({
        ...this.base,
        head: opts.branch,
        base: opts.base,
        title: opts.title,
        body: opts.body,
        ...opts.draft ? { draft: true } : {},
        maintainer_can_modify: false
      })
    );
    return info(res.data);
  }
  /**
   * Opens the pull request, or finds the one a concurrent run opened first: GitHub answers a second
   * request for the same head and base with 422 "A pull request already exists for owner:branch.", and
   * that means "it is open", not "the run failed".
   * @returns the pull request, and whether this call created it.
   */
  async createOrFind(opts) {
    try {
      return { pr: await this.create(opts), created: true };
    } catch (err) {
      if (!alreadyExists(err)) throw err;
      for (let attempt = 0; attempt < 3; attempt++) {
        const open = await this.findOpen(opts.branch, opts.base);
        if (open) {
          this.logger.info(`a pull request from "${opts.branch}" was opened meanwhile: #${open.number}`);
          return { pr: open, created: false };
        }
        await new Promise((done) => setTimeout(done, 250 * (attempt + 1)));
      }
      throw err;
    }
  }
  async update(number, fields) {
    const res = await this.call(
      {
        what: fields.state === "closed" ? `closing pull request #${number}` : `updating pull request #${number}`,
        route: `PATCH ${this.path(`/pulls/${number}`)}`,
        permission: "pull-requests: write"
      },
      () => this.octokit.rest.pulls.update({ ...this.base, pull_number: number, ...fields })
    );
    return info(res.data);
  }
  async addLabels(number, labels) {
    await this.call(
      {
        what: `adding labels to #${number}`,
        route: `POST ${this.path(`/issues/${number}/labels`)}`,
        permission: "pull-requests: write (issues: write to create new labels)"
      },
      () => this.octokit.rest.issues.addLabels({ ...this.base, issue_number: number, labels })
    );
  }
  /** `org/team` or `@org/team` entries are team reviewers (the slug after the slash); others are logins. */
  async requestReviewers(number, reviewers) {
    const teams = reviewers.filter((r) => r.includes("/")).map((r) => r.slice(r.indexOf("/") + 1));
    const users = reviewers.filter((r) => !r.includes("/")).map((r) => r.replace(/^@/, ""));
    await this.call(
      {
        what: `requesting reviewers on #${number}`,
        route: `POST ${this.path(`/pulls/${number}/requested_reviewers`)}`,
        permission: "pull-requests: write"
      },
      () => this.octokit.rest.pulls.requestReviewers({
        ...this.base,
        pull_number: number,
        ...users.length > 0 ? { reviewers: users } : {},
        ...teams.length > 0 ? { team_reviewers: teams } : {}
      })
    );
  }
  /** True when a comment on the pull request contains `marker` (pages through every comment). */
  async hasComment(number, marker) {
    return this.call(
      {
        what: `reading the comments of #${number}`,
        route: `GET ${this.path(`/issues/${number}/comments`)}`,
        permission: "pull-requests: read"
      },
      async () => {
        for await (const page of this.octokit.paginate.iterator(this.octokit.rest.issues.listComments, {
          ...this.base,
          issue_number: number,
          per_page: 100
        })) {
          if (page.data.some((c) => (c.body ?? "").includes(marker))) return true;
        }
        return false;
      }
    );
  }
  async comment(number, body) {
    await this.call(
      {
        what: `commenting on #${number}`,
        route: `POST ${this.path(`/issues/${number}/comments`)}`,
        permission: "pull-requests: write"
      },
      () => this.octokit.rest.issues.createComment({ ...this.base, issue_number: number, body })
    );
  }
  /**
   * Turns on auto-merge (GraphQL `enablePullRequestAutoMerge`). A repository that does not allow
   * auto-merge, or a pull request that can be merged right away, is an answer, not an exception.
   */
  async enableAutoMerge(pull) {
    try {
      await this.octokit.graphql(
        `mutation($id: ID!) { enablePullRequestAutoMerge(input: { pullRequestId: $id }) { clientMutationId } }`,
        { id: pull.nodeId }
      );
      return { ok: true };
    } catch (err) {
      const says = githubSays(err);
      const status2 = err.status;
      if (status2 === 401 || status2 === 403 || status2 === 404) {
        throw toGitHubError(err, {
          what: `enabling auto-merge on #${pull.number}`,
          route: "POST /graphql (enablePullRequestAutoMerge)",
          permission: "pull-requests: write and contents: write"
        });
      }
      let message;
      if (/auto ?merge is not allowed|not allowed for this repository/i.test(says)) {
        message = 'the repository does not allow auto-merge: enable "Allow auto-merge" in its settings, or set pullRequest.autoMerge: false';
      } else if (/clean status|protected branch rules not configured|unstable status/i.test(says)) {
        message = "auto-merge needs a protected base branch with required checks or reviews; without them the pull request can be merged right away";
      } else {
        message = `GitHub refused auto-merge${says ? ` ("${says}")` : ""}`;
      }
      this.logger.debug("auto-merge refused", { pull: pull.number });
      return { ok: false, message: `auto-merge not enabled on #${pull.number}: ${message}` };
    }
  }
};
function alreadyExists(err) {
  return err instanceof GitHubError && err.data["status"] === 422 && /a pull request already exists/i.test(err.message);
}

// src/adapters/github/git-data.ts
function apiCommit(c) {
  return {
    sha: c.sha,
    tree: c.tree.sha,
    parents: c.parents.map((p) => p.sha),
    author: { name: c.author.name, email: c.author.email, date: c.author.date },
    committer: { name: c.committer.name, email: c.committer.email, date: c.committer.date },
    message: c.message,
    verified: c.verification?.verified === true,
    verificationReason: c.verification?.reason ?? "unknown"
  };
}
var status = (err) => err.status;
var MOVED = [/not a fast.?forward/i, /reference already exists/i, /reference does not exist/i];
var GitHubGitData = class extends RepoClient {
  /** The commit `refs/heads/<branch>` points to, or null when the branch does not exist. */
  async getBranchHead(branch) {
    const route = `GET ${this.path(`/git/ref/heads/${branch}`)}`;
    try {
      const res = await this.octokit.rest.git.getRef({ ...this.base, ref: `heads/${branch}` });
      return res.data.object.sha;
    } catch (err) {
      if (status(err) === 404) return null;
      throw toGitHubError(err, { what: `reading branch "${branch}"`, route, permission: "contents: read" });
    }
  }
  /** A commit with GitHub's verification verdict. */
  async getCommit(sha) {
    const res = await this.call(
      {
        what: `reading commit ${sha.slice(0, 12)}`,
        route: `GET ${this.path(`/git/commits/${sha}`)}`,
        permission: "contents: read"
      },
      () => this.octokit.rest.git.getCommit({ ...this.base, commit_sha: sha })
    );
    return apiCommit(res.data);
  }
  /** Uploads bytes as a blob (base64, so CRLF, a BOM and a missing final newline arrive as they are). */
  async createBlob(bytes) {
    const res = await this.call(
      {
        what: "creating a blob",
        route: `POST ${this.path("/git/blobs")}`,
        permission: "contents: write"
      },
      () => this.octokit.rest.git.createBlob({
        ...this.base,
        content: Buffer.from(bytes).toString("base64"),
        encoding: "base64"
      })
    );
    return res.data.sha;
  }
  /** A tree that is `baseTree` with only `changes` applied (nested paths create or rewrite subtrees). */
  async createTree(baseTree, changes) {
    const res = await this.call(
      {
        what: "creating a tree",
        route: `POST ${this.path("/git/trees")}`,
        permission: "contents: write"
      },
      () => this.octokit.rest.git.createTree({
        ...this.base,
        base_tree: baseTree,
        tree: changes.map((c) => ({
          path: c.path,
          mode: c.mode,
          type: "blob",
          ..."content" in c ? { content: c.content } : { sha: c.sha }
        }))
      })
    );
    return res.data.sha;
  }
  /**
   * Creates a commit with no `author` and no `committer`: GitHub then uses the token's identity and signs
   * the commit, so it shows as verified. Nothing points to it until a ref is created or updated.
   */
  async createCommit(opts) {
    const res = await this.call(
      {
        what: "creating a commit",
        route: `POST ${this.path("/git/commits")}`,
        permission: "contents: write"
      },
      () => this.octokit.rest.git.createCommit({
        ...this.base,
        message: opts.message,
        tree: opts.tree,
        parents: opts.parents
      })
    );
    return apiCommit(res.data);
  }
  refResult(err, call) {
    const says = githubSays(err);
    if (status(err) === 422 && MOVED.some((re) => re.test(says))) {
      return { ok: false, reason: "not-fast-forward", message: `GitHub answered 422 ("${says}")` };
    }
    if (status(err) === 422 || status(err) === 409) {
      return {
        ok: false,
        reason: "rejected",
        message: `${call.what} was refused (${call.route}): ${status(err)} ("${says}")`
      };
    }
    throw toGitHubError(err, call);
  }
  /** Creates `refs/heads/<branch>` at `sha`; a branch that appeared meanwhile is `not-fast-forward`. */
  async createBranch(branch, sha) {
    const call = {
      what: `creating branch "${branch}"`,
      route: `POST ${this.path("/git/refs")}`,
      permission: "contents: write"
    };
    try {
      await this.octokit.rest.git.createRef({ ...this.base, ref: `refs/heads/${branch}`, sha });
    } catch (err) {
      return this.refResult(err, call);
    }
    this.logger.debug("created branch through the API", { branch, sha });
    return { ok: true };
  }
  /**
   * Moves `refs/heads/<branch>` to `sha`. Without `force` GitHub accepts only a fast-forward (else 422
   * "Update is not a fast forward": `not-fast-forward`); a refusal by branch protection is `rejected`.
   */
  async updateBranch(branch, sha, force) {
    const call = {
      what: `updating branch "${branch}"`,
      route: `PATCH ${this.path(`/git/refs/heads/${branch}`)}`,
      permission: "contents: write"
    };
    try {
      await this.octokit.rest.git.updateRef({ ...this.base, ref: `heads/${branch}`, sha, force });
    } catch (err) {
      return this.refResult(err, call);
    }
    this.logger.debug("updated branch through the API", { branch, sha, force });
    return { ok: true };
  }
};

// src/adapters/github/forge.ts
var GitHubForge = class {
  constructor(connection, repository, logger) {
    this.connection = connection;
    this.repository = repository;
    this.pulls = new GitHubPulls(connection.octokit, repository, logger);
  }
  connection;
  repository;
  kind = "github";
  noun = "pull request";
  pulls;
  /** The last answer about each pull request: auto-merge needs its node id. */
  seen = /* @__PURE__ */ new Map();
  ref(number) {
    return `#${number}`;
  }
  keep(pr) {
    this.seen.set(pr.number, pr);
    return pr;
  }
  async findOpen(branch, base) {
    const pr = await this.pulls.findOpen(branch, base);
    return pr ? this.keep(pr) : null;
  }
  async createOrFind(opts) {
    const made = await this.pulls.createOrFind(opts);
    return { request: this.keep(made.pr), created: made.created };
  }
  async update(number, fields) {
    return this.keep(await this.pulls.update(number, fields));
  }
  async close(number) {
    this.keep(await this.pulls.update(number, { state: "closed" }));
  }
  comment(number, body) {
    return this.pulls.comment(number, body);
  }
  hasComment(number, marker) {
    return this.pulls.hasComment(number, marker);
  }
  addLabels(number, labels) {
    return this.pulls.addLabels(number, labels);
  }
  requestReviewers(number, reviewers) {
    return this.pulls.requestReviewers(number, reviewers);
  }
  enableAutoMerge(request) {
    const pr = this.seen.get(request.number);
    if (!pr) throw new Error(`pull request #${request.number} was not read by this run`);
    return this.pulls.enableAutoMerge(pr);
  }
  requests() {
    return this.connection.requests();
  }
};

// src/adapters/gitlab/errors.ts
var GitLabError = class extends VaultRolloutError {
  constructor(message, data = {}) {
    super("GitLabError", redact2(message), data);
  }
};
function gitlabSays(data) {
  if (!data || typeof data !== "object") return "";
  const d = data;
  const parts = [];
  const add = (v, field) => {
    if (typeof v === "string") parts.push(field ? `${field} ${v}` : v);
    else if (Array.isArray(v)) for (const x of v) add(x, field);
  };
  if (d.message && typeof d.message === "object" && !Array.isArray(d.message)) {
    for (const [field, v] of Object.entries(d.message)) add(v, field);
  } else add(d.message);
  add(d.error);
  add(d.error_description);
  const one = parts.join("; ").replace(/\s+/g, " ").trim();
  return one.length > 300 ? `${one.slice(0, 300)}\u2026` : one;
}

// src/adapters/gitlab/client.ts
var GitLabClient = class {
  constructor(opts) {
    this.opts = opts;
    this.apiUrl = opts.apiUrl.replace(/\/+$/, "");
    registerSecret(opts.token);
  }
  opts;
  sent = 0;
  apiUrl;
  /** Requests sent so far, retries included. */
  requests() {
    return this.sent;
  }
  /**
   * One call. A status outside `accept` (default: 2xx) throws a GitLabError naming the call; `accept` lets the
   * caller read a status that is an answer (404, 409) rather than a failure.
   */
  async request(call, method, path6, options = {}) {
    const url = new URL(`${this.apiUrl}${path6}`);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const accept = options.accept ?? ((s) => s >= 200 && s < 300);
    const retries = this.opts.rateLimitRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const answer = await this.once(call, method, url, options.body);
      if (accept(answer.status)) return answer;
      const wait = answer.status === 429 ? this.retryWait(answer.headers) : null;
      if (wait !== null && attempt < retries) {
        this.opts.logger.warn(
          `GitLab API: ${call.what} was rate limited (429); retrying in ${wait} s (${attempt + 1}/${retries})`
        );
        await new Promise((done) => setTimeout(done, wait * (this.opts.retryAfterUnitMs ?? 1e3)));
        continue;
      }
      throw failure(call, answer.status, gitlabSays(answer.data));
    }
  }
  /** Seconds to wait before retrying a 429, or null when GitLab asks for longer than the run should wait. */
  retryWait(headers) {
    const max = this.opts.maxRetryWaitSeconds ?? 60;
    const after = Number(headers.get("retry-after"));
    const reset = Number(headers.get("ratelimit-reset"));
    const now = (this.opts.now ?? Date.now)() / 1e3;
    let wait = 1;
    if (headers.get("retry-after") !== null && Number.isFinite(after) && after >= 0) wait = after;
    else if (headers.get("ratelimit-reset") !== null && Number.isFinite(reset)) wait = reset - now;
    wait = Math.max(0, Math.ceil(wait));
    return wait <= max ? wait : null;
  }
  /** One HTTP exchange with the deadline and the size cap; the body is read whole before it is parsed. */
  async once(call, method, url, body) {
    const { timeoutMs, maxResponseBytes } = this.opts.limits;
    const route = `${method} ${url.pathname}`;
    const controller = new AbortController();
    let stopped = null;
    const stop = (e) => {
      stopped ??= e;
      controller.abort(e);
    };
    const timer = setTimeout(
      () => stop(
        new GitLabError(
          `GitLab API: ${call.what} (${route}) did not answer completely within ${timeoutMs / 1e3} s and was stopped (raise gitlab.timeoutSeconds if GitLab is just slow)`,
          { route, timeoutMs }
        )
      ),
      timeoutMs
    );
    const tooLarge = () => new GitLabError(
      `GitLab API: ${call.what} (${route}) answered with more than ${maxResponseBytes} bytes; vault-rollout stopped reading (raise gitlab.maxResponseBytes if this is expected)`,
      { route, maxResponseBytes }
    );
    this.sent++;
    try {
      const res = await (this.opts.fetch ?? globalThis.fetch)(url, {
        method,
        headers: {
          "PRIVATE-TOKEN": this.opts.token,
          accept: "application/json",
          ...body !== void 0 ? { "content-type": "application/json" } : {}
        },
        ...body !== void 0 ? { body: JSON.stringify(body) } : {},
        redirect: "error",
        signal: controller.signal
      });
      const bytes = await readCapped(res, maxResponseBytes);
      if (bytes === null) {
        stop(tooLarge());
        throw stopped;
      }
      const text = bytes.toString("utf8");
      let data = null;
      if (text.trim() !== "") {
        try {
          data = JSON.parse(text);
        } catch {
          if (res.ok)
            throw new GitLabError(
              `GitLab API: ${call.what} (${route}) answered ${res.status} with a body that is not JSON`,
              {
                route,
                status: res.status
              }
            );
        }
      }
      this.opts.logger.debug("GitLab API", { route, status: res.status });
      return { status: res.status, data, headers: res.headers };
    } catch (err) {
      if (stopped) throw stopped;
      if (err instanceof GitLabError) throw err;
      throw new GitLabError(
        `GitLab API: ${call.what} (${route}) failed: ${err instanceof Error ? err.cause instanceof Error ? err.cause.message : err.message : String(err)} (is ${this.apiUrl} reachable?)`,
        { route }
      );
    } finally {
      clearTimeout(timer);
    }
  }
};
function failure(call, status2, says) {
  const said = says ? `: "${says}"` : "";
  let advice = "";
  if (status2 === 401)
    advice = "; the token is missing, expired or not accepted here (CI_JOB_TOKEN cannot call merge-request endpoints: set GITLAB_TOKEN)";
  else if (status2 === 403) advice = `; the token needs ${call.permission}`;
  else if (status2 === 404)
    advice = "; check gitlab.project (or CI_PROJECT_PATH) and that the token can see the project";
  return new GitLabError(`GitLab API: ${call.what} (${call.route}) answered ${status2}${said}${advice}`, {
    status: status2,
    route: call.route
  });
}

// src/adapters/gitlab/forge.ts
var DRAFT_PREFIX = /^\s*(\[draft\]|\(draft\)|draft:|draft\s-)\s*/i;
var WRITE = "the api scope and at least the Developer role on the project";
var READ = "the read_api scope and access to the project";
var GitLabForge = class {
  constructor(client, project) {
    this.client = client;
    this.project = project;
    this.id = encodeURIComponent(project);
  }
  client;
  project;
  kind = "gitlab";
  noun = "merge request";
  /** Whether each merge request read is a draft: an update keeps it so. */
  drafts = /* @__PURE__ */ new Map();
  id;
  ref(number) {
    return `!${number}`;
  }
  requests() {
    return this.client.requests();
  }
  call(what, method, rest, permission) {
    return { what, route: `${method} /projects/${this.id}${rest}`, permission };
  }
  keep(mr) {
    const draft = mr.draft ?? mr.work_in_progress ?? DRAFT_PREFIX.test(mr.title);
    this.drafts.set(mr.iid, draft);
    return {
      number: mr.iid,
      url: mr.web_url,
      title: mr.title.replace(DRAFT_PREFIX, ""),
      body: mr.description ?? "",
      labels: mr.labels.map((l) => typeof l === "string" ? l : String(l.name)),
      autoMerge: mr.merge_when_pipeline_succeeds === true
    };
  }
  async list(branch, base, state) {
    const rest = "/merge_requests";
    const { data } = await this.client.request(
      this.call(`listing ${state} merge requests from "${branch}"`, "GET", rest, READ),
      "GET",
      `/projects/${this.id}${rest}`,
      {
        query: {
          source_branch: branch,
          target_branch: base,
          state,
          order_by: "updated_at",
          per_page: "100"
        }
      }
    );
    if (!Array.isArray(data))
      throw new GitLabError(`GitLab API: listing merge requests did not answer a list`);
    return data.filter((m) => m.source_branch === branch && m.target_branch === base && m.state === state);
  }
  async findOpen(branch, base) {
    const [mr] = await this.list(branch, base, "opened");
    return mr ? this.keep(mr) : null;
  }
  async closedAt(branch, base, headSha) {
    const mr = (await this.list(branch, base, "closed")).find((m) => m.sha === headSha);
    return mr ? this.keep(mr) : null;
  }
  async createOrFind(opts) {
    const rest = "/merge_requests";
    const answer = await this.client.request(
      this.call("creating the merge request", "POST", rest, WRITE),
      "POST",
      `/projects/${this.id}${rest}`,
      {
        body: {
          source_branch: opts.branch,
          target_branch: opts.base,
          title: opts.draft ? `Draft: ${opts.title}` : opts.title,
          description: opts.body,
          remove_source_branch: true
        },
        accept: (s) => s >= 200 && s < 300 || s === 409
      }
    );
    if (answer.status !== 409) return { request: this.keep(answer.data), created: true };
    for (let attempt = 0; attempt < 3; attempt++) {
      const open = await this.findOpen(opts.branch, opts.base);
      if (open) return { request: open, created: false };
      await new Promise((done) => setTimeout(done, 250 * (attempt + 1)));
    }
    throw new GitLabError(
      `GitLab API: creating the merge request from "${opts.branch}" answered 409 (another open merge request for this branch), but none could be found`,
      { status: 409 }
    );
  }
  async put(iid, what, body) {
    const rest = `/merge_requests/${iid}`;
    const { data } = await this.client.request(
      this.call(what, "PUT", rest, WRITE),
      "PUT",
      `/projects/${this.id}${rest}`,
      { body }
    );
    return data;
  }
  async update(number, fields) {
    const draft = this.drafts.get(number) === true;
    return this.keep(
      await this.put(number, `updating merge request !${number}`, {
        title: draft ? `Draft: ${fields.title}` : fields.title,
        description: fields.body
      })
    );
  }
  async close(number) {
    this.keep(await this.put(number, `closing merge request !${number}`, { state_event: "close" }));
  }
  async comment(number, body) {
    const rest = `/merge_requests/${number}/notes`;
    await this.client.request(
      this.call(`commenting on !${number}`, "POST", rest, WRITE),
      "POST",
      `/projects/${this.id}${rest}`,
      { body: { body } }
    );
  }
  async hasComment(number, marker) {
    const rest = `/merge_requests/${number}/notes`;
    const call = this.call(`reading the comments of !${number}`, "GET", rest, READ);
    for (let page = 1; page <= 50; page++) {
      const { data, headers } = await this.client.request(
        call,
        "GET",
        `/projects/${this.id}${rest}`,
        {
          query: { per_page: "100", page: String(page), sort: "asc" }
        }
      );
      if (!Array.isArray(data)) return false;
      if (data.some((n) => !n.system && (n.body ?? "").includes(marker))) return true;
      if (!headers.get("x-next-page")) return false;
    }
    return false;
  }
  async addLabels(number, labels) {
    this.keep(await this.put(number, `adding labels to !${number}`, { add_labels: labels.join(",") }));
  }
  /**
   * Usernames resolved to ids (`GET /users?username=`), then set as the request's reviewers. Unknown names
   * (or groups, which GitLab's reviewers cannot be) are left out and reported by the error thrown after the
   * known ones are set.
   */
  async requestReviewers(number, reviewers) {
    const ids = [];
    const unknown = [];
    for (const raw of reviewers) {
      const username = raw.replace(/^@/, "");
      if (username.includes("/")) {
        unknown.push(raw);
        continue;
      }
      const { data } = await this.client.request(
        { what: `looking up user "${username}"`, route: "GET /users", permission: READ },
        "GET",
        "/users",
        { query: { username } }
      );
      const user = Array.isArray(data) ? data.find((u) => u.username.toLowerCase() === username.toLowerCase()) : void 0;
      if (user) ids.push(user.id);
      else unknown.push(raw);
    }
    if (ids.length > 0)
      this.keep(await this.put(number, `requesting reviewers on !${number}`, { reviewer_ids: ids }));
    if (unknown.length > 0) {
      throw new GitLabError(
        `reviewers not requested on !${number}: ${unknown.map((u) => `"${u}"`).join(", ")} ${unknown.length === 1 ? "is" : "are"} not a GitLab username (GitLab reviewers are users, not groups)`,
        { unknown }
      );
    }
  }
  /**
   * Not offered on GitLab: "merge when pipeline succeeds" merges at once when the project has no pipeline,
   * which is not what `pullRequest.autoMerge` promises.
   */
  enableAutoMerge(request) {
    return Promise.resolve({
      ok: false,
      message: `auto-merge not enabled on !${request.number}: vault-rollout does not set it on GitLab merge requests; set pullRequest.autoMerge: false, or merge it when its pipeline passes`
    });
  }
};

// src/adapters/gitlab/location.ts
function remoteParts(remote) {
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(remote);
  let origin;
  let path6;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote)) {
    let url;
    try {
      url = new URL(remote);
    } catch {
      return null;
    }
    if (url.protocol === "file:") return null;
    origin = url.protocol === "http:" ? `http://${url.host}` : `https://${url.protocol === "https:" ? url.host : url.hostname}`;
    path6 = decodeURIComponent(url.pathname);
  } else if (scp) {
    origin = `https://${scp[1]}`;
    path6 = scp[2];
  } else {
    return null;
  }
  return { origin, path: path6.replace(/\.git\/?$/, "").replace(/^\/+|\/+$/g, "") };
}
function originOf(url) {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.origin : null;
  } catch {
    return null;
  }
}
function configApiUrl(url, env, remote) {
  const chosen = new Set(
    [
      originOf(remote?.origin),
      originOf(env["GITLAB_API_URL"]?.trim()),
      originOf(env["CI_API_V4_URL"]?.trim()),
      originOf(env["CI_SERVER_URL"]?.trim())
    ].filter((o) => !!o)
  );
  const origin = originOf(url);
  if (origin === null || !chosen.has(origin)) {
    const known = [...chosen].join(", ") || "none";
    throw new ConfigError(
      `gitlab.url ${origin ?? JSON.stringify(url.slice(0, 200))} is not the remote's host nor that of GITLAB_API_URL / CI_API_V4_URL / CI_SERVER_URL (${known}): GITLAB_TOKEN is only sent to a host the job chose, so set GITLAB_API_URL in the job's environment instead`
    );
  }
  return url;
}
function configProject(project, env, remote) {
  const want = project.replace(/^\/+|\/+$/g, "").toLowerCase();
  const known = [env["CI_PROJECT_PATH"], env["CI_PROJECT_ID"]].map((v) => v?.trim().toLowerCase());
  if (!remote || known.includes(want)) return project;
  const path6 = remote.path.toLowerCase();
  if (path6 === want || path6.endsWith(`/${want}`)) return project;
  throw new ConfigError(
    `gitlab.project ${JSON.stringify(project.slice(0, 200))} is not the project the branch is pushed to ("${remote.path}") nor CI_PROJECT_PATH / CI_PROJECT_ID: merge requests are only opened in the remote's own project; remove gitlab.project or set CI_PROJECT_PATH in the job's environment`
  );
}
function gitlabLocation(o) {
  const remote = remoteParts(o.remote);
  const given = (o.config.url !== void 0 ? configApiUrl(o.config.url, o.env, remote) : void 0) ?? (o.env["GITLAB_API_URL"]?.trim() || o.env["CI_API_V4_URL"]?.trim() || void 0);
  let project = (o.config.project !== void 0 ? configProject(o.config.project, o.env, remote) : void 0) ?? (o.env["CI_PROJECT_PATH"]?.trim() || void 0);
  let apiUrl;
  if (given) {
    apiUrl = given.replace(/\/+$/, "");
  } else if (remote) {
    const prefix = project && remote.path.endsWith(project) ? remote.path.slice(0, -project.length).replace(/\/+$/, "") : "";
    apiUrl = `${remote.origin}${prefix ? `/${prefix}` : ""}/api/v4`;
  }
  if (!apiUrl) {
    throw new ConfigError(
      `cannot tell the GitLab API of "${o.remote}": set gitlab.url in the config or GITLAB_API_URL (e.g. https://gitlab.example.com/api/v4)`
    );
  }
  let api = null;
  try {
    api = new URL(apiUrl);
  } catch {
  }
  if (api?.protocol === "http:" && !isLoopbackHost(api.hostname)) {
    throw new ConfigError(
      `the GitLab API ${api.origin} is plain http: GITLAB_TOKEN is sent over https only (plain http only for loopback hosts)`
    );
  }
  if (!project && remote) {
    let prefix = "";
    try {
      prefix = new URL(apiUrl).pathname.replace(/\/api\/v4\/?$/, "").replace(/^\/+|\/+$/g, "");
    } catch {
    }
    project = prefix && remote.path.startsWith(`${prefix}/`) ? remote.path.slice(prefix.length + 1) : remote.path;
  }
  if (!project || !project.includes("/") && !/^[0-9]+$/.test(project)) {
    throw new ConfigError(
      `cannot tell the GitLab project of "${o.remote}": set gitlab.project in the config or CI_PROJECT_PATH (e.g. platform/deploy)`
    );
  }
  return { apiUrl, project };
}

// src/publish/api-commits.ts
var TREE_BATCH = { entries: 1e3, bytes: 1024 * 1024 };
function entryBytes(c) {
  return Buffer.byteLength(JSON.stringify(c)) + 32;
}
function treeBatches(changes) {
  const ordered = [
    ...changes.filter((c) => "sha" in c && c.sha === null),
    ...changes.filter((c) => !("sha" in c && c.sha === null))
  ];
  const batches = [[]];
  let bytes = 0;
  for (const c of ordered) {
    const size = entryBytes(c);
    const current = batches[batches.length - 1];
    if (current.length > 0 && (current.length >= TREE_BATCH.entries || bytes + size > TREE_BATCH.bytes)) {
      batches.push([c]);
      bytes = size;
    } else {
      current.push(c);
      bytes += size;
    }
  }
  return batches;
}
function inlineText(bytes) {
  const text = decodeUtf8(bytes);
  return text !== null && !text.includes("\r") && !text.startsWith("\uFEFF") ? text : null;
}
var seconds = (iso) => Math.floor(Date.parse(iso) / 1e3) || 0;
function toBranchHead(c) {
  return {
    oid: c.sha,
    tree: c.tree,
    parents: c.parents,
    author: { name: c.author.name, email: c.author.email, timestamp: seconds(c.author.date) },
    committer: { name: c.committer.name, email: c.committer.email, timestamp: seconds(c.committer.date) },
    message: c.message,
    verified: c.verified
  };
}
var IDENTITY_PROBE_MESSAGE = "vault-rollout: identity check\n\nThis commit is on no branch; GitHub removes it in its next garbage collection.\n";
var ApiCommitWorkspace = class {
  constructor(inner, api, logger) {
    this.inner = inner;
    this.api = api;
    this.logger = logger;
  }
  inner;
  api;
  logger;
  /** API commits made by this run, by id. */
  made = /* @__PURE__ */ new Map();
  /** Local commit id \u2192 its API replay. */
  replays = /* @__PURE__ */ new Map();
  identityOf = null;
  get mode() {
    return this.inner.mode;
  }
  get branch() {
    return this.inner.branch;
  }
  get head() {
    return this.inner.head;
  }
  get source() {
    return this.inner.source;
  }
  get url() {
    return this.inner.url;
  }
  useAuth(auth) {
    return this.inner.useAuth(auth);
  }
  refresh() {
    return this.inner.refresh();
  }
  close() {
    return this.inner.close();
  }
  deleteBranch(branch, expectedOld) {
    return this.inner.deleteBranch(branch, expectedOld);
  }
  changedFiles(commitId) {
    return this.inner.changedFiles(commitId);
  }
  async readCommitInfo(oid) {
    const made = this.made.get(oid);
    return made ? toBranchHead(made) : this.inner.readCommitInfo(oid);
  }
  /** Builds the commit locally (checked against the plan), then replays it through the API. */
  async commit(opts) {
    const local = await this.inner.commit(opts);
    if (local === this.inner.head) return local;
    return (await this.replay(local)).sha;
  }
  /**
   * Creates, through the API, the commit equal to the local commit `localId` (a child of the base head):
   * same blobs, same tree, same message and parent; author and committer are left to GitHub.
   * @throws GitError when GitHub's blob or tree id differs from the local one (the bytes would differ).
   */
  async replay(localId) {
    const known = this.replays.get(localId);
    if (known) return known;
    const local = await this.inner.readCommitInfo(localId);
    const parent = await this.inner.readCommitInfo(local.parents[0] ?? "");
    const files = await this.inner.changedFiles(localId);
    const started = performance.now();
    const uploaded = /* @__PURE__ */ new Set();
    const buildTree = async (inline) => {
      const changes = [];
      for (const f of files) {
        const mode = f.mode ?? "100644";
        const text = inline && f.bytes ? inlineText(f.bytes) : null;
        if (!f.oid || !f.bytes) changes.push({ path: f.path, mode, sha: null });
        else if (text !== null) changes.push({ path: f.path, mode, content: text });
        else {
          if (!uploaded.has(f.oid)) {
            const sha = await this.api.createBlob(f.bytes);
            if (sha !== f.oid) {
              throw new GitError(
                `GitHub stored "${f.path}" as blob ${sha.slice(0, 12)}, expected ${f.oid.slice(0, 12)}: the bytes differ; nothing was published`,
                { path: f.path }
              );
            }
            uploaded.add(f.oid);
          }
          changes.push({ path: f.path, mode, sha: f.oid });
        }
      }
      let tree2 = parent.tree;
      for (const batch of treeBatches(changes)) tree2 = await this.createTreeSplitting(tree2, batch);
      return tree2;
    };
    let tree = await buildTree(true);
    if (tree !== local.tree) {
      this.logger.warn(
        `GitHub built tree ${tree.slice(0, 12)} from inline file contents, expected ${local.tree.slice(0, 12)}: uploading the files as blobs instead`
      );
      tree = await buildTree(false);
    }
    if (tree !== local.tree) {
      throw new GitError(
        `GitHub built tree ${tree.slice(0, 12)}, expected ${local.tree.slice(0, 12)} (base tree ${parent.tree.slice(0, 12)} plus ${files.length} file(s)); nothing was published`
      );
    }
    const commit = await this.api.createCommit({ message: local.message, tree, parents: local.parents });
    if (commit.tree !== tree || commit.parents.join() !== local.parents.join()) {
      throw new GitError(
        `GitHub's commit ${commit.sha.slice(0, 12)} does not hold the expected tree and parent`
      );
    }
    this.made.set(commit.sha, commit);
    this.replays.set(localId, commit);
    this.identityOf ??= { name: commit.author.name, email: commit.author.email };
    this.logger.info(
      `Created commit ${commit.sha} through the GitHub API (${files.length} file(s), ${uploaded.size} blob upload(s), ${commit.verified ? "verified" : `not verified: ${commit.verificationReason}`}, ${Math.round(performance.now() - started)} ms)`
    );
    if (!commit.verified) {
      this.logger.warn(
        `GitHub did not sign commit ${commit.sha.slice(0, 12)} (${commit.verificationReason}); branch protection that requires signed commits will refuse it`
      );
    }
    return commit;
  }
  /**
   * `POST git/trees`, split in two (and again) when GitHub refuses the request for its size: 413, 502
   * (which GitHub answers for some large bodies) or a 422 that says the payload is too large.
   */
  async createTreeSplitting(base, batch) {
    try {
      return await this.api.createTree(base, batch);
    } catch (err) {
      const status2 = err instanceof GitHubError ? err.data["status"] : void 0;
      const tooBig = status2 === 413 || status2 === 502 || status2 === 422 && /too large|payload/i.test(String(err));
      if (!tooBig || batch.length < 2) throw err;
      const half = Math.ceil(batch.length / 2);
      this.logger.info(
        `GitHub refused a tree request of ${batch.length} files (${String(status2)}): sending it in two halves`
      );
      const first = await this.createTreeSplitting(base, batch.slice(0, half));
      return this.createTreeSplitting(first, batch.slice(half));
    }
  }
  /** GitHub's verdict on a commit's signature (`GET git/commits/:sha`). */
  async verified(oid) {
    return (await this.api.getCommit(oid)).verified;
  }
  isApiError(err) {
    return err instanceof GitHubError;
  }
  /** The identity this token's API commits get, if this run already made one (no request). */
  knownIdentity() {
    return this.identityOf;
  }
  /**
   * The identity GitHub gives commits this token makes through the API: the author of a commit this run
   * made, else of a probe commit (base tree, base parent, on no branch; one `POST git/commits`).
   */
  async identity() {
    if (this.identityOf) return this.identityOf;
    const base = await this.inner.readCommitInfo(this.inner.head);
    const probe = await this.api.createCommit({
      message: IDENTITY_PROBE_MESSAGE,
      tree: base.tree,
      parents: [this.inner.head]
    });
    this.identityOf = { name: probe.author.name, email: probe.author.email };
    this.logger.debug("API commit identity", { ...this.identityOf, probe: probe.sha });
    return this.identityOf;
  }
  /** Another branch's head, read through the API with GitHub's verification verdict; null when absent. */
  async remoteBranch(branch) {
    const sha = await this.api.getBranchHead(branch);
    if (!sha) return null;
    return toBranchHead(this.made.get(sha) ?? await this.api.getCommit(sha));
  }
  check(commitId) {
    const made = this.made.get(commitId);
    if (!made || made.parents.length !== 1 || made.parents[0] !== this.inner.head) {
      throw new GitError(
        `commit ${commitId.slice(0, 12)} was not made by this workspace on the base head; build it with commit()`
      );
    }
  }
  /** Moves the base branch to an API commit, only as a fast-forward (`force: false`). */
  async push(commitId) {
    if (commitId === this.inner.head) return { ok: true };
    this.check(commitId);
    const res = await this.api.updateBranch(this.inner.branch, commitId, false);
    if (res.ok) {
      this.logger.info("moved branch through the GitHub API", {
        branch: this.inner.branch,
        commit: commitId
      });
    } else if (res.reason === "not-fast-forward") {
      return {
        ok: false,
        reason: "not-fast-forward",
        message: `branch "${this.inner.branch}" moved since ${this.inner.head.slice(0, 12)} (${res.message})`
      };
    }
    return res;
  }
  /**
   * Points another branch at an API commit if it is still at `expectedOld` (null: must not exist): re-reads
   * the ref first, then creates it, or moves it with `force: true`.
   */
  async pushBranch(commitId, branch, opts) {
    if (branch === this.inner.branch) {
      throw new GitError(
        `pushBranch() updates another branch than the base "${this.inner.branch}"; use push()`
      );
    }
    this.check(commitId);
    const current = await this.api.getBranchHead(branch);
    if (current !== opts.expectedOld) {
      return {
        ok: false,
        reason: "not-fast-forward",
        message: `branch "${branch}" is at ${current ? current.slice(0, 12) : "(absent)"}, expected ${opts.expectedOld ? opts.expectedOld.slice(0, 12) : "(absent)"}`
      };
    }
    if (current === commitId) return { ok: true };
    const res = opts.expectedOld === null ? await this.api.createBranch(branch, commitId) : await this.api.updateBranch(branch, commitId, true);
    if (res.ok) this.logger.info("moved branch through the GitHub API", { branch, commit: commitId });
    return res;
  }
};

// src/forge.ts
function githubForge(gh, repository, logger) {
  const forge = new GitHubForge(gh, repository, logger);
  const gitData = new GitHubGitData(gh.octokit, repository, logger);
  return Object.assign(forge, {
    apiCommits: (ws) => new ApiCommitWorkspace(ws, gitData, logger)
  });
}
var GITLAB_HOSTS = /* @__PURE__ */ new Set(["gitlab.com"]);
function hostOf(url) {
  if (!url) return null;
  try {
    return new URL(url).hostname.toLowerCase() || null;
  } catch {
    const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)/.exec(url);
    return scp ? scp[1].toLowerCase() : null;
  }
}
function chooseForge(o) {
  if (o.flag) return o.flag;
  if (o.config) return o.config;
  const { env } = o;
  if (env["GITLAB_CI"] === "true" || env["CI_API_V4_URL"]?.trim() || env["GITLAB_API_URL"]?.trim())
    return "gitlab";
  const host = hostOf(o.remote);
  return host !== null && GITLAB_HOSTS.has(host) ? "gitlab" : "github";
}
function gitlabGitAuth(env, o = {}) {
  const only = o.anyHost ? void 0 : (remote) => onGitLabHost(remote, env);
  const token = env["GITLAB_TOKEN"]?.trim();
  if (token) return { username: env["GIT_USERNAME"] || "oauth2", token, only };
  const job = env["CI_JOB_TOKEN"]?.trim();
  return job ? { username: "gitlab-ci-token", token: job, only } : void 0;
}
function onGitLabHost(remote, env) {
  const host = hostOf(remote);
  if (host === null) return false;
  const named = new Set(GITLAB_HOSTS);
  for (const key of ["GITLAB_API_URL", "CI_API_V4_URL", "CI_SERVER_URL"]) {
    const h = hostOf(env[key]?.trim());
    if (h) named.add(h);
  }
  const server = env["CI_SERVER_HOST"]?.trim().toLowerCase();
  if (server) named.add(server);
  return named.has(host);
}
function gitlabForge(o) {
  if (o.apiCommits) {
    throw new ConfigError(
      "API commits (pullRequest.apiCommits / --api-commits) are GitHub only: set pullRequest.apiCommits: false for GitLab"
    );
  }
  const token = o.env["GITLAB_TOKEN"]?.trim();
  if (!token) {
    if (o.dryRun) return null;
    throw new ConfigError(
      `--mode pr on GitLab needs GITLAB_TOKEN (a personal, project or group access token with the api scope)${o.env["CI_JOB_TOKEN"] ? ": CI_JOB_TOKEN cannot open merge requests (GitLab refuses it on every merge-request endpoint); it can only push in --mode commit" : ""}`
    );
  }
  const where = gitlabLocation({ config: o.config.gitlab, env: o.env, remote: o.remote });
  const client = new GitLabClient({
    apiUrl: where.apiUrl,
    token,
    limits: requestLimits(o.config.gitlab, DEFAULT_GITLAB_LIMITS),
    logger: o.logger,
    ...o.client
  });
  o.logger.debug("GitLab merge requests", { api: where.apiUrl, project: where.project });
  return new GitLabForge(client, where.project);
}
function forgeForRun(o) {
  if (o.apiCommits && !o.dryRun) {
    throw new ConfigError(
      "API commits (pullRequest.apiCommits / --api-commits) are GitHub only: set pullRequest.apiCommits: false for GitLab"
    );
  }
  const auth = o.env["GIT_TOKEN"] ? void 0 : gitlabGitAuth(o.env);
  if (auth && !o.ws.useAuth(auth))
    o.logger.debug("GitLab token not used for git: the remote is not on a GitLab host the environment names");
  if (o.mode !== "pr") return null;
  return gitlabForge({
    config: o.config,
    env: o.env,
    remote: o.ws.url,
    logger: o.logger,
    dryRun: o.dryRun,
    apiCommits: false,
    ...o.client ? { client: o.client } : {}
  });
}

// src/git-ssh.ts
function sshSettings(git, env) {
  const pick = (key, keyName, variable) => key ? { path: key, from: keyName } : env[variable] ? { path: env[variable], from: variable } : void 0;
  return {
    keyFile: pick(git?.sshKeyFile, "git.sshKeyFile", "GIT_SSH_KEY_FILE"),
    knownHostsFile: pick(git?.knownHostsFile, "git.knownHostsFile", "SSH_KNOWN_HOSTS")
  };
}
function warnRepositorySsh(config, logger) {
  const keys = [
    config.git.sshKeyFile !== void 0 ? "git.sshKeyFile" : null,
    config.git.knownHostsFile !== void 0 ? "git.knownHostsFile" : null
  ].filter((k) => k !== null);
  if (keys.length === 0) return;
  logger.warn(
    `${keys.join(" and ")} in the repository's vault-rollout.yaml not used: a repository given by URL is reached with GIT_SSH_KEY_FILE / SSH_KNOWN_HOSTS or --config FILE, set by the operator`
  );
}

// src/run/compose.ts
function loadConfig(repoDir, configFlag, cwd) {
  const text = readConfigText(repoDir, configFlag, cwd);
  return text === null ? defaultConfig() : parseConfig(text, configFlag ?? CONFIG_NAME);
}
function readConfigText(repoDir, configFlag, cwd) {
  if (!configFlag) return readRepoConfig(repoDir);
  const text = readConfigFlag(resolve(cwd, configFlag), configFlag);
  if (text === null)
    throw new ConfigError(`config file "${configFlag}" does not exist`, { file: configFlag });
  return text;
}
async function workspaceConfig(ws, configFlag, cwd) {
  if (configFlag) return loadConfig(cwd, configFlag, cwd);
  const { files, problems } = await ws.source.load((p) => p === CONFIG_NAME, {
    maxFileBytes: MAX_CONFIG_BYTES,
    // It sits in the top folder: no other folder is walked (10,000 files took 0.1-0.2 s to walk).
    enterDir: () => false
  });
  const file = files[0];
  const refused = problems.find((p) => p.file === CONFIG_NAME);
  if (!file && refused) {
    throw new ConfigError(
      `config file "${CONFIG_NAME}" in "${ws.url}": ${refused.message.replace(/: skipped.*$/, "")}`,
      {
        file: CONFIG_NAME
      }
    );
  }
  return file ? parseConfig(file.text, CONFIG_NAME) : defaultConfig();
}
async function defaultReader(config, io) {
  const options = vaultOptionsFromEnv(io.env, config.vault);
  return createVaultReader({ ...options, logger: io.logger, onSecretRead: () => io.progress?.advance() });
}
function environmentReaders(config, io, selected) {
  const homeAddress = io.env.VAULT_ADDR?.trim() || void 0;
  const issues = credentialIssues(config, selected, homeAddress);
  if (issues.length > 0) {
    throw new ConfigError(issues.map((i) => `${dotted(i.path)}: ${i.message}`).join("\n"), { issues });
  }
  for (const secret of credentialSecrets(io.env, credentialVariables(config))) registerSecret(secret);
  const make = io.makeReader ?? ((c) => defaultReader(c, io));
  const made = /* @__PURE__ */ new Map();
  const get = (environment, namespace) => {
    const env = environment !== null && config.environments.some((e) => e.name === environment) ? environment : null;
    const key = JSON.stringify([env, namespace]);
    let reader = made.get(key);
    if (!reader) {
      const base = configForEnvironment(config, env, homeAddress);
      reader = make(namespace === null ? base : { ...base, vault: { ...base.vault, namespace } });
      made.set(key, reader);
    }
    return reader;
  };
  return {
    read: async (paths, environment, namespace) => (await get(environment ?? null, namespace ?? null)).read(paths),
    close: async () => {
      for (const reader of made.values()) await (await reader.catch(() => null))?.close();
    }
  };
}
function maskEnvSecrets(env) {
  for (const secret of credentialSecrets(env)) registerSecret(secret);
}
function localRepoDir(repo, io) {
  const dir = resolve(io.cwd, repo);
  if (!existsSync4(dir)) throw new ConfigError(`--repo "${repo}" does not exist`);
  return dir;
}
function gitOptions(io) {
  const asked = io.env["VAULT_ROLLOUT_GIT"]?.trim();
  if (asked && asked !== "native" && asked !== "isomorphic") {
    throw new ConfigError(`VAULT_ROLLOUT_GIT must be "native" or "isomorphic" (got "${asked}")`);
  }
  return { env: io.env, engine: asked || void 0, logger: io.logger };
}
function githubConnector(io, limits) {
  const credentials = githubCredentialsFromEnv(io.env);
  let made = null;
  return {
    credentials,
    connect(repository) {
      if (!credentials)
        throw new ConfigError(
          "no GitHub credentials: set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY"
        );
      made ??= connectGitHub({
        credentials,
        repository,
        baseUrl: io.env["GITHUB_API_URL"] || void 0,
        logger: io.logger,
        limits,
        ...io.github
      });
      return made;
    }
  };
}
function runLimits(config) {
  return {
    git: requestLimits(config?.git, DEFAULT_GIT_LIMITS),
    github: requestLimits(config?.github, DEFAULT_GITHUB_LIMITS)
  };
}
function setLimits(limits, config) {
  Object.assign(limits.git, requestLimits(config.git, DEFAULT_GIT_LIMITS));
  Object.assign(limits.github, requestLimits(config.github, DEFAULT_GITHUB_LIMITS));
}
async function gitAuth(repo, io, github, githubRepository, forge, operatorChose) {
  const env = io.env;
  if (forge === "gitlab" && !env.GIT_TOKEN) return gitlabGitAuth(env, { anyHost: operatorChose });
  const token = env.GIT_TOKEN || env.GITHUB_TOKEN;
  if (token) return { username: env.GIT_USERNAME || "x-access-token", token };
  if (!isRemoteRepo(repo) || github.credentials?.kind !== "app" || !onGitHubHost(repo, env)) return void 0;
  try {
    const gh = await github.connect(resolveRepository(githubRepository, {}, repo));
    io.logger.debug("cloning with the GitHub App installation token");
    return { username: "x-access-token", token: gh.token };
  } catch (err) {
    io.logger.warn(
      `cloning without credentials: the GitHub App gave no installation token (${err instanceof Error ? err.message : String(err)})`
    );
    return void 0;
  }
}
function onGitHubHost(url, env) {
  const host = (u) => {
    try {
      return u ? new URL(u).hostname.replace(/^api\./, "") : null;
    } catch {
      return null;
    }
  };
  const target = host(url);
  const known = [host(env.GITHUB_SERVER_URL), host(env.GITHUB_API_URL), "github.com"];
  return target !== null && known.includes(target);
}
async function openRepo(opts, io) {
  const local = !isRemoteRepo(opts.repo);
  const repo = local ? localRepoDir(opts.repo, io) : opts.repo;
  const diskConfig = local ? loadConfig(repo, opts.config, io.cwd) : null;
  const preConfig = diskConfig ?? (opts.config ? loadConfig(io.cwd, opts.config, io.cwd) : null);
  const limits = runLimits(preConfig);
  const github = githubConnector(io, limits.github);
  const forge = chooseForge({ flag: opts.forge, config: diskConfig?.forge, env: io.env, remote: repo });
  const auth = await gitAuth(repo, io, github, opts.githubRepository, forge, opts.forge !== void 0);
  const ssh = sshSettings(preConfig?.git, io.env);
  const open = (branch) => (io.openWorkspace ?? openWorkspace)({
    ...gitOptions(io),
    repo,
    branch,
    auth,
    ssh,
    readOnly: opts.readOnly,
    limits: limits.git
  });
  const ws = await open(opts.branch ?? diskConfig?.branch);
  try {
    const config = diskConfig ?? await workspaceConfig(ws, opts.config, io.cwd);
    if (!preConfig) warnRepositorySsh(config, io.logger);
    setLimits(limits, config);
    return { ws, config, configOnDisk: diskConfig !== null, github, open };
  } catch (err) {
    await ws.close();
    throw err;
  }
}
async function workspaceTemplates(ws, config) {
  const named = new Set(
    TEMPLATE_KEYS.map(({ key }) => templateFile(config, key)).filter((f) => f !== void 0)
  );
  const holds = (dir) => [...named].some((f) => f.startsWith(`${dir}/`));
  const files = named.size === 0 ? [] : (await ws.source.load((p) => named.has(p), { anyName: true, enterDir: holds })).files;
  const text = new Map(files.map((f) => [f.path, f.text]));
  return resolveTemplates(config, (p) => text.get(p) ?? null, readTemplate);
}

// src/core/report/fit.ts
var ELLIPSIS = "\u2026";
function cut(text, width, keep = "start") {
  if (text.length <= width) return text;
  if (width <= 1) return ELLIPSIS.slice(0, width);
  if (keep === "start") return `${text.slice(0, width - 1)}${ELLIPSIS}`;
  const parts = text.split("/");
  for (let i = 1; i < parts.length; i++) {
    const rest = `${ELLIPSIS}/${parts.slice(i).join("/")}`;
    if (rest.length <= width) return rest;
  }
  return `${ELLIPSIS}${text.slice(-(width - 1))}`;
}
var GAP = "  ";
function fitTable(columns, rows, width) {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? "").length)));
  if (width !== null) {
    const total = () => widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
    let excess = total() - width;
    while (excess > 0) {
      let pick = -1;
      const share = (i) => widths[i] / (columns[i].weight ?? 1);
      for (let i = 0; i < columns.length; i++) {
        const min = columns[i].min;
        if (min === void 0 || widths[i] <= Math.max(min, columns[i].header.length)) continue;
        if (pick < 0 || share(i) > share(pick)) pick = i;
      }
      if (pick < 0) break;
      widths[pick] -= 1;
      excess -= 1;
    }
  }
  const line2 = (cells) => cells.map((c, i) => cut(c, widths[i], columns[i].keep).padEnd(widths[i])).join(GAP).trimEnd();
  return [line2(columns.map((c) => c.header)), ...rows.map(line2)].join("\n");
}
function wrap(text, width, indent = "") {
  if (width === null || text.length <= width) return [text];
  const room = Math.max(8, width - indent.length);
  const lines = [];
  const lead = /^ */.exec(text)[0];
  let current = lead;
  let limit = Math.max(8, width);
  for (const word of text.slice(lead.length).split(" ")) {
    if (word === "") {
      current += " ";
      continue;
    }
    let w = word;
    while (w.length > 0) {
      const sep2 = current.trim() === "" ? "" : " ";
      if (current.length + sep2.length + w.length <= limit) {
        current += sep2 + w;
        w = "";
      } else if (current !== "" && w.length <= room) {
        lines.push(current);
        current = "";
        limit = room;
      } else {
        const space = limit - current.length - sep2.length;
        if (space <= 0) {
          lines.push(current);
          current = "";
          limit = room;
          continue;
        }
        current += sep2 + w.slice(0, space);
        w = w.slice(space);
        lines.push(current);
        current = "";
        limit = room;
      }
    }
  }
  if (current !== "" || lines.length === 0) lines.push(current);
  return lines.map((l, i) => (i === 0 ? l : `${indent}${l.trimStart()}`).trimEnd());
}

// src/core/report/problems.ts
var at = (p) => `${p.file}${p.line !== void 0 ? `:${p.line}${p.column !== void 0 ? `:${p.column}` : ""}` : ""}`;
var afterPrefix = (message, prefix) => message.startsWith(prefix) ? message.slice(prefix.length) : message;
var more = (count) => count > 1 ? ` (and ${count - 1} more)` : "";
var KINDS = [
  {
    match: (p) => p.message === HELM_TEMPLATE_MESSAGE,
    describe: (_n, _first, files) => `Helm chart templates skipped, not rendered here (${pathPattern(files)})`
  },
  {
    match: (p) => p.message.startsWith("not valid YAML"),
    describe: (n, first) => `files not valid YAML, never rewritten: ${at(first)}: ${afterPrefix(first.message, "not valid YAML: ")}${more(n)}`
  },
  {
    match: (p) => p.message === "not valid UTF-8: skipped",
    describe: (_n, _first, files) => `files not valid UTF-8 skipped (${pathPattern(files)})`
  },
  {
    match: (p) => p.message.includes("over the maxFileBytes limit"),
    describe: (n, first) => `files over the maxFileBytes limit skipped (raise maxFileBytes in the config to read them): ${first.file}${more(n)}`
  },
  {
    match: (p) => p.message.startsWith("symlink loop") || p.message.startsWith("symbolic link"),
    describe: (n, first) => `symbolic links not followed: ${first.file}: ${first.message}${more(n)}`
  },
  {
    match: (p) => / is rejected: .*it is not read from Vault$/.test(p.message),
    describe: (n, first) => `secret paths rejected, never read from Vault: ${at(first)}: ${first.message}${more(n)}`
  },
  {
    match: (p) => /: not tracked( \(used by .*\))?$|: its secrets are not tracked/.test(p.message),
    describe: (n, first) => `secret references not tracked: ${first.file}: ${first.message}${more(n)}`
  },
  {
    match: (p) => p.message.startsWith("not edited: "),
    describe: (n, first) => `files not edited: ${at(first)}: ${afterPrefix(first.message, "not edited: ")}${more(n)}`
  }
];
function shape(message) {
  return message.replace(/"[^"]*"/g, '"\u2026"').replace(/\d+/g, "N");
}
function pathPattern(files) {
  const unique = [...new Set(files)];
  if (unique.length === 1) return unique[0];
  const dirs = unique.map((f) => f.split("/").slice(0, -1));
  const depth = Math.min(...dirs.map((d) => d.length));
  const parts = [];
  for (let i = 0; i < depth; i++) {
    const names = new Set(dirs.map((d) => d[i]));
    parts.push(names.size === 1 ? dirs[0][i] : "*");
  }
  while (parts.at(-1) === "*") parts.pop();
  if (parts.length === 0 || parts[0] === "*") return `e.g. ${unique[0]}`;
  return `${parts.join("/")}/${ELLIPSIS}`;
}
function groupProblems(problems) {
  const groups = /* @__PURE__ */ new Map();
  for (const p of problems) {
    const index = KINDS.findIndex((k) => k.match(p));
    const key = index >= 0 ? `${p.severity}:kind:${index}` : `${p.severity}:${shape(p.message)}`;
    const group = groups.get(key);
    if (group) group.problems.push(p);
    else groups.set(key, { kind: index >= 0 ? KINDS[index] : null, problems: [p] });
  }
  const out = [...groups.values()].map(({ kind, problems: list }) => {
    const first = list[0];
    const n = list.length;
    const summary = n === 1 ? problemLine(first) : kind ? `${n} ${kind.describe(
      n,
      first,
      list.map((p) => p.file)
    )}` : `${n} ${first.severity}s like ${at(first)}: ${first.message}`;
    return { summary, problems: list };
  });
  return [
    ...out.filter((g) => g.problems[0].severity === "error"),
    ...out.filter((g) => g.problems[0].severity !== "error")
  ];
}
function problemLine(p) {
  return `${p.severity.padEnd(7)} ${at(p)}: ${p.message}`;
}
function problemsHeading(problems, groups, listed, howToList = "-v") {
  const n = problems.length;
  if (listed || groups === n) return `Problems (${n}):`;
  return `Problems (${n}, ${groups} kind${groups === 1 ? "" : "s"}; ${howToList} lists each one):`;
}

// node_modules/diff/libesm/diff/base.js
var Diff = class {
  diff(oldStr, newStr, options = {}) {
    let callback;
    if (typeof options === "function") {
      callback = options;
      options = {};
    } else if ("callback" in options) {
      callback = options.callback;
    }
    const oldString = this.castInput(oldStr, options);
    const newString = this.castInput(newStr, options);
    const oldTokens = this.removeEmpty(this.tokenize(oldString, options));
    const newTokens = this.removeEmpty(this.tokenize(newString, options));
    return this.diffWithOptionsObj(oldTokens, newTokens, options, callback);
  }
  diffWithOptionsObj(oldTokens, newTokens, options, callback) {
    var _a;
    const done = (value) => {
      value = this.postProcess(value, options);
      if (callback) {
        setTimeout(function() {
          callback(value);
        }, 0);
        return void 0;
      } else {
        return value;
      }
    };
    const newLen = newTokens.length, oldLen = oldTokens.length;
    let editLength = 1;
    let maxEditLength = newLen + oldLen;
    if (options.maxEditLength != null) {
      maxEditLength = Math.min(maxEditLength, options.maxEditLength);
    }
    const maxExecutionTime = (_a = options.timeout) !== null && _a !== void 0 ? _a : Infinity;
    const abortAfterTimestamp = Date.now() + maxExecutionTime;
    const bestPath = [{ oldPos: -1, lastComponent: void 0 }];
    let newPos = this.extractCommon(bestPath[0], newTokens, oldTokens, 0, options);
    if (bestPath[0].oldPos + 1 >= oldLen && newPos + 1 >= newLen) {
      return done(this.buildValues(bestPath[0].lastComponent, newTokens, oldTokens));
    }
    let minDiagonalToConsider = -Infinity, maxDiagonalToConsider = Infinity;
    const execEditLength = () => {
      for (let diagonalPath = Math.max(minDiagonalToConsider, -editLength); diagonalPath <= Math.min(maxDiagonalToConsider, editLength); diagonalPath += 2) {
        let basePath;
        const removePath = bestPath[diagonalPath - 1], addPath = bestPath[diagonalPath + 1];
        if (removePath) {
          bestPath[diagonalPath - 1] = void 0;
        }
        let canAdd = false;
        if (addPath) {
          const addPathNewPos = addPath.oldPos - diagonalPath;
          canAdd = addPath && 0 <= addPathNewPos && addPathNewPos < newLen;
        }
        const canRemove = removePath && removePath.oldPos + 1 < oldLen;
        if (!canAdd && !canRemove) {
          bestPath[diagonalPath] = void 0;
          continue;
        }
        if (!canRemove || canAdd && removePath.oldPos < addPath.oldPos) {
          basePath = this.addToPath(addPath, true, false, 0, options);
        } else {
          basePath = this.addToPath(removePath, false, true, 1, options);
        }
        newPos = this.extractCommon(basePath, newTokens, oldTokens, diagonalPath, options);
        if (basePath.oldPos + 1 >= oldLen && newPos + 1 >= newLen) {
          return done(this.buildValues(basePath.lastComponent, newTokens, oldTokens)) || true;
        } else {
          bestPath[diagonalPath] = basePath;
          if (basePath.oldPos + 1 >= oldLen) {
            maxDiagonalToConsider = Math.min(maxDiagonalToConsider, diagonalPath - 1);
          }
          if (newPos + 1 >= newLen) {
            minDiagonalToConsider = Math.max(minDiagonalToConsider, diagonalPath + 1);
          }
        }
      }
      editLength++;
    };
    if (callback) {
      (function exec() {
        setTimeout(function() {
          if (editLength > maxEditLength || Date.now() > abortAfterTimestamp) {
            return callback(void 0);
          }
          if (!execEditLength()) {
            exec();
          }
        }, 0);
      })();
    } else {
      while (editLength <= maxEditLength && Date.now() <= abortAfterTimestamp) {
        const ret = execEditLength();
        if (ret) {
          return ret;
        }
      }
    }
  }
  addToPath(path6, added, removed, oldPosInc, options) {
    const last = path6.lastComponent;
    if (last && !options.oneChangePerToken && last.added === added && last.removed === removed) {
      return {
        oldPos: path6.oldPos + oldPosInc,
        lastComponent: { count: last.count + 1, added, removed, previousComponent: last.previousComponent }
      };
    } else {
      return {
        oldPos: path6.oldPos + oldPosInc,
        lastComponent: { count: 1, added, removed, previousComponent: last }
      };
    }
  }
  extractCommon(basePath, newTokens, oldTokens, diagonalPath, options) {
    const newLen = newTokens.length, oldLen = oldTokens.length;
    let oldPos = basePath.oldPos, newPos = oldPos - diagonalPath, commonCount = 0;
    while (newPos + 1 < newLen && oldPos + 1 < oldLen && this.equals(oldTokens[oldPos + 1], newTokens[newPos + 1], options)) {
      newPos++;
      oldPos++;
      commonCount++;
      if (options.oneChangePerToken) {
        basePath.lastComponent = { count: 1, previousComponent: basePath.lastComponent, added: false, removed: false };
      }
    }
    if (commonCount && !options.oneChangePerToken) {
      basePath.lastComponent = { count: commonCount, previousComponent: basePath.lastComponent, added: false, removed: false };
    }
    basePath.oldPos = oldPos;
    return newPos;
  }
  equals(left, right, options) {
    if (options.comparator) {
      return options.comparator(left, right);
    } else {
      return left === right || !!options.ignoreCase && left.toLowerCase() === right.toLowerCase();
    }
  }
  removeEmpty(array) {
    const ret = [];
    for (let i = 0; i < array.length; i++) {
      if (array[i]) {
        ret.push(array[i]);
      }
    }
    return ret;
  }
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  castInput(value, options) {
    return value;
  }
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  tokenize(value, options) {
    return Array.from(value);
  }
  join(chars) {
    return chars.join("");
  }
  postProcess(changeObjects, options) {
    return changeObjects;
  }
  get useLongestToken() {
    return false;
  }
  buildValues(lastComponent, newTokens, oldTokens) {
    const components = [];
    let nextComponent;
    while (lastComponent) {
      components.push(lastComponent);
      nextComponent = lastComponent.previousComponent;
      delete lastComponent.previousComponent;
      lastComponent = nextComponent;
    }
    components.reverse();
    const componentLen = components.length;
    let componentPos = 0, newPos = 0, oldPos = 0;
    for (; componentPos < componentLen; componentPos++) {
      const component = components[componentPos];
      if (!component.removed) {
        if (!component.added && this.useLongestToken) {
          let value = newTokens.slice(newPos, newPos + component.count);
          value = value.map(function(value2, i) {
            const oldValue = oldTokens[oldPos + i];
            return oldValue.length > value2.length ? oldValue : value2;
          });
          component.value = this.join(value);
        } else {
          component.value = this.join(newTokens.slice(newPos, newPos + component.count));
        }
        newPos += component.count;
        if (!component.added) {
          oldPos += component.count;
        }
      } else {
        component.value = this.join(oldTokens.slice(oldPos, oldPos + component.count));
        oldPos += component.count;
      }
    }
    return components;
  }
};

// node_modules/diff/libesm/diff/array.js
var ArrayDiff = class extends Diff {
  tokenize(value) {
    return value.slice();
  }
  join(value) {
    return value;
  }
  removeEmpty(value) {
    return value;
  }
};
var arrayDiff = new ArrayDiff();
function diffArrays(oldArr, newArr, options) {
  return arrayDiff.diff(oldArr, newArr, options);
}

// node_modules/diff/libesm/patch/create.js
function needsQuoting(s) {
  for (let i = 0; i < s.length; i++) {
    if (s[i] < " " || s[i] > "~" || s[i] === '"' || s[i] === "\\") {
      return true;
    }
  }
  return false;
}
function quoteFileNameIfNeeded(s) {
  if (!needsQuoting(s)) {
    return s;
  }
  let result = '"';
  const bytes = new TextEncoder().encode(s);
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b === 7) {
      result += "\\a";
    } else if (b === 8) {
      result += "\\b";
    } else if (b === 9) {
      result += "\\t";
    } else if (b === 10) {
      result += "\\n";
    } else if (b === 11) {
      result += "\\v";
    } else if (b === 12) {
      result += "\\f";
    } else if (b === 13) {
      result += "\\r";
    } else if (b === 34) {
      result += '\\"';
    } else if (b === 92) {
      result += "\\\\";
    } else if (b >= 32 && b <= 126) {
      result += String.fromCharCode(b);
    } else {
      result += "\\" + b.toString(8).padStart(3, "0");
    }
    i++;
  }
  result += '"';
  return result;
}
var INCLUDE_HEADERS = {
  includeIndex: true,
  includeUnderline: true,
  includeFileHeaders: true
};
function formatPatch(patch, headerOptions) {
  var _a, _b, _c, _d, _e, _f;
  if (!headerOptions) {
    headerOptions = INCLUDE_HEADERS;
  }
  if (Array.isArray(patch)) {
    if (patch.length > 1 && !headerOptions.includeFileHeaders && !patch.every((p) => p.isGit)) {
      throw new Error("Cannot omit file headers on a multi-file patch. (The result would be unparseable; how would a tool trying to apply the patch know which changes are to which file?)");
    }
    return patch.map((p) => formatPatch(p, headerOptions)).join("\n");
  }
  const ret = [];
  if (patch.isGit) {
    headerOptions = INCLUDE_HEADERS;
    if (!patch.oldFileName) {
      throw new Error("oldFileName must be specified for Git patches");
    }
    if (!patch.newFileName) {
      throw new Error("newFileName must be specified for Git patches");
    }
    let gitOldName = patch.oldFileName;
    let gitNewName = patch.newFileName;
    if (patch.isCreate && gitOldName === "/dev/null") {
      gitOldName = gitNewName.replace(/^b\//, "a/");
    } else if (patch.isDelete && gitNewName === "/dev/null") {
      gitNewName = gitOldName.replace(/^a\//, "b/");
    }
    ret.push("diff --git " + quoteFileNameIfNeeded(gitOldName) + " " + quoteFileNameIfNeeded(gitNewName));
    if (patch.isDelete) {
      ret.push("deleted file mode " + ((_a = patch.oldMode) !== null && _a !== void 0 ? _a : "100644"));
    }
    if (patch.isCreate) {
      ret.push("new file mode " + ((_b = patch.newMode) !== null && _b !== void 0 ? _b : "100644"));
    }
    if (patch.oldMode && patch.newMode && !patch.isDelete && !patch.isCreate) {
      ret.push("old mode " + patch.oldMode);
      ret.push("new mode " + patch.newMode);
    }
    if (patch.isRename) {
      ret.push("rename from " + quoteFileNameIfNeeded(((_c = patch.oldFileName) !== null && _c !== void 0 ? _c : "").replace(/^a\//, "")));
      ret.push("rename to " + quoteFileNameIfNeeded(((_d = patch.newFileName) !== null && _d !== void 0 ? _d : "").replace(/^b\//, "")));
    }
    if (patch.isCopy) {
      ret.push("copy from " + quoteFileNameIfNeeded(((_e = patch.oldFileName) !== null && _e !== void 0 ? _e : "").replace(/^a\//, "")));
      ret.push("copy to " + quoteFileNameIfNeeded(((_f = patch.newFileName) !== null && _f !== void 0 ? _f : "").replace(/^b\//, "")));
    }
  } else {
    if (headerOptions.includeIndex && patch.oldFileName == patch.newFileName && patch.oldFileName !== void 0) {
      ret.push("Index: " + patch.oldFileName);
    }
    if (headerOptions.includeUnderline) {
      ret.push("===================================================================");
    }
  }
  const hasHunks = patch.hunks.length > 0;
  if (headerOptions.includeFileHeaders && patch.oldFileName !== void 0 && patch.newFileName !== void 0 && (!patch.isGit || hasHunks)) {
    ret.push("--- " + quoteFileNameIfNeeded(patch.oldFileName) + (patch.oldHeader ? "	" + patch.oldHeader : ""));
    ret.push("+++ " + quoteFileNameIfNeeded(patch.newFileName) + (patch.newHeader ? "	" + patch.newHeader : ""));
  }
  for (let i = 0; i < patch.hunks.length; i++) {
    const hunk = patch.hunks[i];
    const oldStart = hunk.oldLines === 0 ? hunk.oldStart - 1 : hunk.oldStart;
    const newStart = hunk.newLines === 0 ? hunk.newStart - 1 : hunk.newStart;
    ret.push("@@ -" + oldStart + "," + hunk.oldLines + " +" + newStart + "," + hunk.newLines + " @@");
    for (const line2 of hunk.lines) {
      ret.push(line2);
    }
  }
  return ret.join("\n") + "\n";
}

// src/core/report/line-diff.ts
function splitLines(text) {
  if (text === "") return [];
  const out = text.split("\n");
  const last = out.pop();
  const lines = out.map((l) => `${l}
`);
  if (last !== "") lines.push(last);
  return lines;
}
function push(blocks, kind, line2) {
  const last = blocks[blocks.length - 1];
  if (last && last.kind === kind) last.lines.push(line2);
  else blocks.push({ kind, lines: [line2] });
}
function longestIncreasing(pairs) {
  const tails = [];
  const previous = new Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    const value = pairs[i][1];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = lo + hi >> 1;
      if (pairs[tails[mid]][1] < value) lo = mid + 1;
      else hi = mid;
    }
    previous[i] = lo > 0 ? tails[lo - 1] : -1;
    tails[lo] = i;
  }
  const out = [];
  for (let i = tails.length > 0 ? tails[tails.length - 1] : -1; i >= 0; i = previous[i])
    out.push(pairs[i]);
  return out.reverse();
}
function script(a, b, alo, ahi, blo, bhi, blocks) {
  while (alo < ahi && blo < bhi && a[alo] === b[blo]) {
    push(blocks, " ", a[alo]);
    alo++;
    blo++;
  }
  let tail = 0;
  while (ahi - tail > alo && bhi - tail > blo && a[ahi - tail - 1] === b[bhi - tail - 1]) tail++;
  ahi -= tail;
  bhi -= tail;
  if (alo < ahi && blo < bhi) {
    const count = /* @__PURE__ */ new Map();
    for (let i = alo; i < ahi; i++) {
      const c = count.get(a[i]);
      if (c) c.a++;
      else count.set(a[i], { a: 1, b: 0, at: i, bt: -1 });
    }
    for (let j = blo; j < bhi; j++) {
      const c = count.get(b[j]);
      if (c) {
        c.b++;
        c.bt = j;
      }
    }
    const pairs = [];
    for (const c of count.values()) if (c.a === 1 && c.b === 1) pairs.push([c.at, c.bt]);
    pairs.sort((x, y) => x[0] - y[0]);
    const anchors = longestIncreasing(pairs);
    if (anchors.length === 0) {
      for (const change of diffArrays(a.slice(alo, ahi), b.slice(blo, bhi))) {
        const kind = change.added ? "+" : change.removed ? "-" : " ";
        for (const line2 of change.value) push(blocks, kind, line2);
      }
    } else {
      let i = alo;
      let j = blo;
      for (const [ai, bj] of anchors) {
        script(a, b, i, ai, j, bj, blocks);
        push(blocks, " ", a[ai]);
        i = ai + 1;
        j = bj + 1;
      }
      script(a, b, i, ahi, j, bhi, blocks);
    }
  } else {
    for (let i = alo; i < ahi; i++) push(blocks, "-", a[i]);
    for (let j = blo; j < bhi; j++) push(blocks, "+", b[j]);
  }
  for (let k = 0; k < tail; k++) push(blocks, " ", a[ahi + k]);
}
function hunks(blocks, context) {
  const out = [];
  const diff = [...blocks, { kind: " ", lines: [] }];
  let oldRangeStart = 0;
  let newRangeStart = 0;
  let range = [];
  let oldLine = 1;
  let newLine = 1;
  for (let i = 0; i < diff.length; i++) {
    const { kind, lines } = diff[i];
    if (kind !== " ") {
      if (!oldRangeStart) {
        const prev = diff[i - 1];
        oldRangeStart = oldLine;
        newRangeStart = newLine;
        if (prev) {
          range = context > 0 ? prev.lines.slice(-context).map((l) => ` ${l}`) : [];
          oldRangeStart -= range.length;
          newRangeStart -= range.length;
        }
      }
      for (const line2 of lines) range.push(`${kind}${line2}`);
      if (kind === "+") newLine += lines.length;
      else oldLine += lines.length;
      continue;
    }
    if (oldRangeStart) {
      if (lines.length <= context * 2 && i < diff.length - 2) {
        for (const line2 of lines) range.push(` ${line2}`);
      } else {
        const size = Math.min(lines.length, context);
        for (const line2 of lines.slice(0, size)) range.push(` ${line2}`);
        out.push({
          oldStart: oldRangeStart,
          oldLines: oldLine - oldRangeStart + size,
          newStart: newRangeStart,
          newLines: newLine - newRangeStart + size,
          lines: range
        });
        oldRangeStart = 0;
        newRangeStart = 0;
        range = [];
      }
    }
    oldLine += lines.length;
    newLine += lines.length;
  }
  for (const hunk of out) {
    const lines = [];
    for (const line2 of hunk.lines) {
      if (line2.endsWith("\n")) lines.push(line2.slice(0, -1));
      else lines.push(line2, "\\ No newline at end of file");
    }
    hunk.lines = lines;
  }
  return out;
}
function unifiedDiff(oldName, newName, before, after, context = 3) {
  const a = splitLines(before);
  const b = splitLines(after);
  const blocks = [];
  script(a, b, 0, a.length, 0, b.length, blocks);
  return formatPatch(
    {
      oldFileName: oldName,
      newFileName: newName,
      oldHeader: void 0,
      newHeader: void 0,
      hunks: hunks(blocks, context)
    },
    { includeIndex: false, includeUnderline: false, includeFileHeaders: true }
  );
}

// src/core/report/sections.ts
function rootLabels(roots) {
  const unique = [...new Set(roots)];
  const full = new Map(unique.map((r) => [r, r || "."]));
  if (unique.length < 2) return full;
  const split = unique.map((r) => r === "" ? [] : r.split("/"));
  const depth = split[0].length;
  let labels;
  if (depth > 0 && split.every((s) => s.length === depth)) {
    const same = (i) => split.every((s) => s[i] === split[0][i]);
    labels = split.map((s) => s.filter((_, i) => !same(i)).join("/"));
  } else {
    let common = 0;
    const shortest = Math.min(...split.map((s) => s.length));
    while (common < shortest && split.every((s) => s[common] === split[0][common])) common++;
    labels = split.map((s) => s.slice(common).join("/"));
  }
  labels = labels.map((l) => l || ".");
  if (new Set(labels).size !== labels.length) return full;
  return new Map(unique.map((r, i) => [r, labels[i]]));
}
var compare = (a, b) => a < b ? -1 : a > b ? 1 : 0;
function sectionOrder(items) {
  return items.map((_, i) => i).sort(
    (a, b) => compare(items[a].environment ?? "", items[b].environment ?? "") || compare(items[a].root ?? "", items[b].root ?? "") || a - b
  );
}
function withEnvironmentHeadings(table, rows, distinct) {
  if (rows.every((r) => r.environment === null)) return table;
  const lines = table.split("\n");
  const first = lines.length - rows.length;
  const out = lines.slice(0, first);
  let current;
  rows.forEach((row, i) => {
    if (row.environment !== current) {
      current = row.environment;
      const these = rows.map((r, j) => [r, j]).filter(([r]) => r.environment === current);
      const workloads = new Set(these.map(([, j]) => distinct(j))).size;
      const roots = new Set(these.map(([r]) => r.root)).size;
      out.push(
        "",
        `Environment ${current ?? "(none)"}: ${workloads} workload${workloads === 1 ? "" : "s"} in ${roots} root${roots === 1 ? "" : "s"}`
      );
    }
    out.push(lines[first + i]);
  });
  return out.join("\n");
}

// src/core/report/render.ts
function pinText(pin) {
  const t = pin.target;
  const what = t.format === "placeholder" ? `${formatPath(t.field)} ${t.placeholder ?? ""} #version` : formatPath(t.field);
  return `${t.kind}/${t.name} (${t.file}) ${what} = ${pin.version} (${pin.path})`;
}
function chartNote(p) {
  const value = p.workload.chartValue;
  if (value === null) return null;
  return `restarts go through the chart: the annotation is set in ${value}, which the chart must copy to the pod template's annotations`;
}
function toJson(report) {
  return {
    branch: report.branch,
    workloads: report.workloads.map((p) => ({
      file: p.workload.file,
      document: p.workload.document,
      kind: p.workload.kind,
      name: p.workload.name,
      namespace: p.workload.namespace,
      secrets: p.secrets.map((s) => ({
        path: s.path,
        ...s.vaultNamespace ? { vaultNamespace: s.vaultNamespace } : {},
        source: s.source,
        recorded: s.recorded,
        current: s.current,
        state: s.state,
        updatedTime: s.updatedTime
      })),
      action: p.action,
      ...p.workload.root != null ? { root: p.workload.root } : {},
      ...p.workload.environment != null ? { environment: p.workload.environment } : {},
      ...p.workload.rootPatch ? { patch: p.workload.rootPatch.file } : {},
      ...p.workload.chartValue !== null ? { chart: p.workload.chartValue } : {},
      ...p.pins.length > 0 ? {
        pins: p.pins.map((pin) => ({
          file: pin.target.file,
          document: pin.target.document,
          kind: pin.target.kind,
          name: pin.target.name,
          field: formatPath(pin.target.field),
          path: pin.path,
          version: pin.version
        }))
      } : {},
      ...p.reasons.length > 0 ? { reasons: p.reasons } : {},
      ...p.warnings.length > 0 ? { warnings: p.warnings } : {}
    })),
    summary: report.summary,
    problems: report.problems,
    commit: report.commit,
    pullRequest: report.pullRequest
  };
}
function requestWords(pr) {
  return pr.kind === "merge-request" ? { label: "Merge request", ref: `!${pr.number}` } : { label: "Pull request", ref: `#${pr.number}` };
}
var fmtVersion = (v) => v === null ? "-" : String(v);
function workloadLabel(p) {
  return `${p.workload.kind}/${p.workload.name}`;
}
var DEFAULT_WIDTH = 100;
function tableWidth(opts) {
  if (opts.wide) return null;
  return opts.width === void 0 ? DEFAULT_WIDTH : opts.width;
}
function textTable(header, rows) {
  return fitTable(
    header.map((h) => ({ header: h })),
    rows,
    null
  );
}
var plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
function rootCells(roots) {
  const labels = rootLabels(roots.flatMap((r) => r == null ? [] : [r]));
  return (root2) => root2 == null ? "-" : labels.get(root2) ?? (root2 || ".");
}
var placed = (w) => ({ environment: w.environment ?? null, root: w.root ?? null });
var documentId = (w) => `${w.file}#${w.document}`;
function fileCells(items, file, document) {
  const docs = /* @__PURE__ */ new Map();
  for (const t of items) {
    const set = docs.get(file(t)) ?? /* @__PURE__ */ new Set();
    set.add(document(t));
    docs.set(file(t), set);
  }
  return items.map((t) => (docs.get(file(t))?.size ?? 0) > 1 ? `${file(t)}#${document(t)}` : file(t));
}
var SECRET_STATE_TEXT = {
  outdated: "changed",
  unrecorded: "unrecorded",
  missing: "missing",
  deleted: "deleted",
  forbidden: "forbidden",
  unsupported: "unsupported"
};
function secretsSummary(secrets2) {
  const changed = (s) => `${s.path} ${fmtVersion(s.recorded)}\u2192${fmtVersion(s.current)}`;
  const only = secrets2.length === 1 ? secrets2[0] : null;
  if (only) {
    if (only.state === "outdated") return `changed: ${changed(only)}`;
    return `${only.state === "up-to-date" ? "up to date" : SECRET_STATE_TEXT[only.state]}: ${only.path}`;
  }
  const parts = [];
  const states = [
    "outdated",
    "missing",
    "deleted",
    "forbidden",
    "unsupported",
    "unrecorded"
  ];
  for (const state of states) {
    const these = secrets2.filter((s) => s.state === state);
    if (these.length === 0) continue;
    const label = `${these.length}${parts.length === 0 ? ` of ${secrets2.length}` : ""} ${SECRET_STATE_TEXT[state]}`;
    if (state === "unrecorded") parts.push(label);
    else if (state === "outdated") parts.push(`${label}: ${these.map(changed).join(", ")}`);
    else parts.push(`${label}: ${these.map((s) => s.path).join(", ")}`);
  }
  if (parts.length === 0) return `${plural(secrets2.length, "secret")} \xB7 up to date`;
  return parts.join(" \xB7 ");
}
function compactPaths(paths) {
  const byFolder = /* @__PURE__ */ new Map();
  for (const p of paths) {
    const slash = p.lastIndexOf("/");
    const folder = p.slice(0, slash + 1);
    const names = byFolder.get(folder) ?? [];
    names.push(p.slice(slash + 1));
    byFolder.set(folder, names);
  }
  return [...byFolder].map(([folder, names]) => names.length === 1 ? `${folder}${names[0]}` : `${folder}{${names.join(",")}}`).join(", ");
}
function sourcesSummary(sources) {
  const counts = /* @__PURE__ */ new Map();
  for (const s of sources) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([s, n]) => n === 1 ? s : `${s} \xD7${n}`).join(", ");
}
function commonFolder(paths) {
  if (paths.length === 0) return "";
  let common = paths[0].split("/").slice(0, -1);
  for (const p of paths) {
    const dirs = p.split("/").slice(0, -1);
    let i = 0;
    while (i < common.length && i < dirs.length && common[i] === dirs[i]) i++;
    common = common.slice(0, i);
  }
  return common.length > 0 ? `${common.join("/")}/` : "";
}
function fitWorkloads(columns, rows, fileColumn, width) {
  const natural = fitTable(columns, rows, null);
  if (width === null || natural.split("\n").every((l) => l.length <= width)) return natural;
  const folder = commonFolder(rows.map((r) => r[fileColumn]));
  if (folder === "") return fitTable(columns, rows, width);
  const relative2 = rows.map((r) => r.map((c, i) => i === fileColumn ? c.slice(folder.length) : c));
  return `${cut(`FILE is relative to ${folder}`, width, "start")}
${fitTable(columns, relative2, width)}`;
}
function planTable(report, opts) {
  const workloads = sectionOrder(report.workloads.map((p) => placed(p.workload))).map(
    (i) => report.workloads[i]
  );
  const rooted = workloads.some((p) => p.workload.root != null);
  const rootCell = rootCells(workloads.map((p) => p.workload.root));
  const files = fileCells(
    workloads,
    (p) => p.workload.file,
    (p) => p.workload.document
  );
  if (opts.wide) {
    const owners = [];
    const rows2 = workloads.flatMap(
      (p, i) => (p.secrets.length > 0 ? p.secrets : [null]).map((s, j) => {
        owners.push(p);
        return [
          ...j === 0 ? [
            workloadLabel(p),
            p.workload.namespace ?? "-",
            ...rooted ? [rootCell(p.workload.root)] : [],
            files[i]
          ] : ["", "", ...rooted ? [""] : [], ""],
          s?.path ?? "-",
          s?.source ?? "-",
          s ? fmtVersion(s.recorded) : "-",
          s ? fmtVersion(s.current) : "-",
          s?.state ?? "-",
          j === 0 ? p.action : ""
        ];
      })
    );
    const header = [
      "WORKLOAD",
      "NAMESPACE",
      ...rooted ? ["ROOT"] : [],
      "FILE",
      "SECRET",
      "SOURCE",
      "RECORDED",
      "CURRENT",
      "STATE",
      "ACTION"
    ];
    return withEnvironmentHeadings(
      textTable(header, rows2),
      owners.map((p) => placed(p.workload)),
      (r) => documentId(owners[r].workload)
    );
  }
  const columns = [
    workloadColumn(workloads.map(workloadLabel), rooted),
    { header: "NAMESPACE", min: 9, weight: 0.6 },
    // The root is what tells two rows of one workload apart: never cut.
    ...rooted ? [{ header: "ROOT" }] : [],
    { header: "FILE", min: rooted ? 8 : 10, keep: "path", weight: 0.7 },
    { header: "SECRETS", min: 16, weight: 2 },
    { header: "ACTION" }
  ];
  const rows = workloads.map((p, i) => [
    workloadLabel(p),
    p.workload.namespace ?? "-",
    ...rooted ? [rootCell(p.workload.root)] : [],
    files[i],
    // An ignored workload's secrets are not read from Vault.
    p.action === "ignored" ? "not read" : secretsSummary(p.secrets),
    p.action
  ]);
  return withEnvironmentHeadings(
    fitWorkloads(columns, rows, rooted ? 3 : 2, tableWidth(opts)),
    workloads.map((p) => placed(p.workload)),
    (r) => documentId(workloads[r].workload)
  );
}
function summaryLine(report) {
  const s = report.summary;
  const rooted = report.workloads.some((p) => p.workload.root != null);
  if (rooted) {
    const distinct = new Set(report.workloads.map((p) => documentId(p.workload))).size;
    const roots = new Set(report.workloads.map((p) => p.workload.root ?? "")).size;
    const envs = new Set(
      report.workloads.flatMap((p) => p.workload.environment ? [p.workload.environment] : [])
    ).size;
    const where = `${plural(roots, "root")}${envs > 0 ? ` of ${plural(envs, "environment")}` : ""}`;
    return `${plural(distinct, "workload")} in ${where}, ${s.workloads} (root, workload) pair(s): ${actionCounts(s)}`;
  }
  return `${s.workloads} workload(s): ${actionCounts(s)}`;
}
function actionCounts(s) {
  const quiet = [
    s.skipped ? `, ${s.skipped} skipped` : "",
    s.ignored ? `, ${s.ignored} ignored` : "",
    s.deferred ? `, ${s.deferred} deferred` : ""
  ].join("");
  return `${s.restart} restart, ${s.record} record only, ${s.blocked} blocked, ${s.unchanged} unchanged${quiet}`;
}
function problemsText(problems, opts) {
  if (problems.length === 0) return [];
  const width = tableWidth(opts);
  const groups = groupProblems(problems);
  const listed = opts.allProblems === true;
  const lines = listed ? problems.map(problemLine) : groups.map((g) => g.summary);
  return [
    problemsHeading(problems, groups.length, listed),
    ...lines.flatMap((l) => wrap(`  ${l}`, width, "      "))
  ];
}
function toTable(report, opts = {}) {
  const out = [];
  const width = tableWidth(opts);
  if (report.workloads.length === 0) out.push("No workload depends on a Vault secret.");
  else out.push(planTable(report, opts));
  const notes = report.workloads.flatMap((p) => [
    ...[chartNote(p)].flatMap((c) => c ? [`chart    ${workloadLabel(p)} (${p.workload.file}): ${c}`] : []),
    ...p.reasons.map((r) => `${reasonLabel(p).padEnd(8)} ${workloadLabel(p)} (${p.workload.file}): ${r}`),
    ...p.warnings.map((w) => `warning  ${workloadLabel(p)} (${p.workload.file}): ${w}`),
    ...p.pins.map((pin) => `pin      ${workloadLabel(p)}: ${pinText(pin)}`)
  ]);
  if (notes.length > 0) out.push("", ...notes.flatMap((n) => wrap(n, width, "         ")));
  const problems = problemsText(report.problems, opts);
  if (problems.length > 0) out.push("", ...problems);
  out.push("", summaryLine(report));
  if (report.commit) out.push(`Commit: ${report.commit}`);
  if (report.pullRequest) {
    const { label, ref } = requestWords(report.pullRequest);
    out.push(`${label}: ${ref} ${report.pullRequest.url}`);
  }
  return out.join("\n") + "\n";
}
function toScanTable(found, problems, opts = {}, undeployed = []) {
  const out = [];
  const width = tableWidth(opts);
  const workloads = sectionOrder(found.map(placed)).map((i) => found[i]);
  const rooted = workloads.some((w) => w.root != null);
  const rootCell = rootCells(workloads.map((w) => w.root));
  const headings = (table, owners) => withEnvironmentHeadings(table, owners.map(placed), (r) => documentId(owners[r]));
  const files = fileCells(
    workloads,
    (w) => w.file,
    (w) => w.document
  );
  const recorded = (w, path6) => String(w.recorded?.get(path6) ?? "-");
  if (workloads.length === 0) out.push("No workload depends on a Vault secret.");
  else if (opts.wide) {
    const rows = workloads.flatMap(
      (w, i) => w.secrets.map((s, j) => [
        ...j === 0 ? [`${w.kind}/${w.name}`, w.namespace ?? "-", ...rooted ? [rootCell(w.root)] : [], files[i]] : ["", "", ...rooted ? [""] : [], ""],
        s.path,
        s.source,
        s.via,
        recorded(w, s.path)
      ])
    );
    const header = [
      "WORKLOAD",
      "NAMESPACE",
      ...rooted ? ["ROOT"] : [],
      "FILE",
      "SECRET",
      "SOURCE",
      "FOUND THROUGH",
      "RECORDED"
    ];
    out.push(
      headings(
        textTable(header, rows),
        workloads.flatMap((w) => w.secrets.map(() => w))
      )
    );
  } else {
    const columns = [
      workloadColumn(
        workloads.map((w) => `${w.kind}/${w.name}`),
        rooted
      ),
      { header: "NAMESPACE", min: 9, weight: 0.6 },
      // The root is what tells two rows of one workload apart: never cut.
      ...rooted ? [{ header: "ROOT" }] : [],
      { header: "FILE", min: rooted ? 8 : 10, keep: "path", weight: 0.7 },
      { header: "SECRETS", min: 12, weight: 1.5 },
      { header: "SOURCES", min: rooted ? 8 : 10, weight: 0.9 },
      { header: "RECORDED" }
    ];
    const rows = workloads.map((w, i) => {
      const paths = [...new Set(w.secrets.map((s) => s.path))];
      const known = paths.filter((p) => w.recorded?.has(p)).length;
      return [
        `${w.kind}/${w.name}`,
        w.namespace ?? "-",
        ...rooted ? [rootCell(w.root)] : [],
        files[i],
        compactPaths(paths),
        sourcesSummary(w.secrets.map((s) => s.source)),
        known === 0 ? "no" : known === paths.length ? "yes" : `${known} of ${paths.length}`
      ];
    });
    out.push(headings(fitWorkloads(columns, rows, rooted ? 3 : 2, width), workloads));
  }
  const charts = workloads.flatMap(
    (w) => w.chartValue !== null ? [`  ${w.kind}/${w.name} (${w.file}): restarts go through ${w.chartValue}`] : []
  );
  if (charts.length > 0)
    out.push("", "Through a Helm chart:", ...charts.flatMap((c) => wrap(c, width, "    ")));
  if (undeployed.length > 0) out.push("", ...wrap(undeployedLine(undeployed), width, "    "));
  const secrets2 = new Set(workloads.flatMap((w) => w.secrets.map((s) => s.path))).size;
  const lines = problemsText(problems, opts);
  if (lines.length > 0) out.push("", ...lines);
  out.push(
    "",
    `${workloads.length} workload(s) depend on ${plural(secrets2, "Vault secret")}.${rootedCounts(workloads)}`
  );
  return out.join("\n") + "\n";
}
function undeployedLine(dirs) {
  return `Not deployed (no Flux Kustomization or Argo CD Application reaches ${dirs.length === 1 ? "it" : "them"}; not read): ${dirs.map((d) => d || ".").join(", ")}`;
}
function rootedCounts(workloads) {
  if (!workloads.some((w) => w.root != null)) return "";
  const distinct = new Set(workloads.map(documentId)).size;
  const roots = new Set(workloads.map((w) => w.root ?? "")).size;
  const envs = new Set(workloads.flatMap((w) => w.environment ? [w.environment] : [])).size;
  return ` Counted once: ${plural(distinct, "workload")} in ${plural(roots, "root")}${envs > 0 ? ` of ${plural(envs, "environment")}` : ""}.`;
}
var workloadColumn = (labels, rooted) => ({
  header: "WORKLOAD",
  min: rooted ? Math.min(40, Math.max(16, ...labels.map((l) => l.length))) : 12,
  weight: 1.5
});
function escapeMarkdown(text) {
  return text.replace(/[\\`*_{}[\]<>()#+!|~]/g, (c) => `\\${c}`).replace(/\r?\n/g, " ");
}
var ACTION_TEXT = {
  restart: "rolling restart",
  record: "record only (no restart)",
  none: "none",
  blocked: "blocked",
  skipped: "skipped",
  ignored: "ignored",
  deferred: "deferred"
};
function reasonLabel(p) {
  return p.action === "skipped" || p.action === "ignored" || p.action === "deferred" ? p.action : "blocked";
}
function problemsMarkdown(problems, allProblems) {
  if (problems.length === 0) return [];
  const e = escapeMarkdown;
  const one = (pr) => `- ${pr.severity}: \`${pr.file}${pr.line !== void 0 ? `:${pr.line}` : ""}\` ${e(pr.message)}`;
  const groups = groupProblems(problems);
  const lines = allProblems ? problems.map(one) : groups.map((g) => g.problems.length === 1 ? one(g.problems[0]) : `- ${e(g.summary)}`);
  return [
    // Also read in a job summary, where there is no -v: the JSON report has them all too.
    `### ${e(problemsHeading(problems, groups.length, allProblems, "-v or the JSON report").replace(/:$/, ""))}`,
    "",
    ...lines,
    ""
  ];
}
function toMarkdown(report, opts = {}) {
  const e = escapeMarkdown;
  const out = ["## vault-rollout", "", e(summaryLine(report)), ""];
  if (report.workloads.length > 0) {
    const workloads = sectionOrder(report.workloads.map((p) => placed(p.workload))).map(
      (i) => report.workloads[i]
    );
    const envs = workloads.some((p) => p.workload.environment != null);
    const rooted = workloads.some((p) => p.workload.root != null);
    const rootCell = rootCells(workloads.map((p) => p.workload.root));
    const lead = (p) => [
      ...envs ? [e(p.workload.environment ?? "-")] : [],
      ...rooted ? [e(rootCell(p.workload.root))] : []
    ];
    const header = [
      ...envs ? ["Environment"] : [],
      ...rooted ? ["Root"] : [],
      "Workload",
      "Namespace",
      "File",
      "Vault secret",
      "Recorded \u2192 current",
      "State",
      "Action"
    ];
    out.push(`| ${header.join(" | ")} |`, `|${" --- |".repeat(header.length)}`);
    for (const p of workloads) {
      const own = [e(workloadLabel(p)), e(p.workload.namespace ?? "-"), e(p.workload.file)];
      const action = ACTION_TEXT[p.action] ?? p.action;
      if (p.secrets.length === 0) out.push(`| ${[...lead(p), ...own, "-", "-", "-", action].join(" | ")} |`);
      for (const s of p.secrets) {
        const versions = `${fmtVersion(s.recorded)} \u2192 ${fmtVersion(s.current)}`;
        out.push(`| ${[...lead(p), ...own, e(s.path), versions, s.state, action].join(" | ")} |`);
      }
    }
    out.push("");
  }
  const notes = report.workloads.flatMap((p) => [
    ...[chartNote(p)].flatMap((c) => c ? [`- **Chart** ${e(workloadLabel(p))}: ${e(c)}`] : []),
    ...p.reasons.map((r) => {
      const label = reasonLabel(p);
      return `- **${label[0].toUpperCase()}${label.slice(1)}** ${e(workloadLabel(p))}: ${e(r)}`;
    }),
    ...p.warnings.map((w) => `- **Warning** ${e(workloadLabel(p))}: ${e(w)}`),
    ...p.pins.map((pin) => `- **Pin** ${e(workloadLabel(p))}: ${e(pinText(pin))}`)
  ]);
  if (notes.length > 0) out.push(...notes, "");
  out.push(...problemsMarkdown(report.problems, opts.allProblems === true));
  if (report.commit) out.push(`Commit: \`${report.commit}\``, "");
  if (report.pullRequest) {
    const { label, ref } = requestWords(report.pullRequest);
    out.push(`${label}: [${ref}](${report.pullRequest.url})`, "");
  }
  return out.join("\n");
}
function toScanMarkdown(found, problems, opts = {}, undeployed = []) {
  const e = escapeMarkdown;
  const workloads = sectionOrder(found.map(placed)).map((i) => found[i]);
  const rooted = workloads.some((w) => w.root != null);
  const envs = workloads.some((w) => w.environment != null);
  const rootCell = rootCells(workloads.map((w) => w.root));
  const files = fileCells(
    workloads,
    (w) => w.file,
    (w) => w.document
  );
  const header = [
    ...envs ? ["Environment"] : [],
    ...rooted ? ["Root"] : [],
    "Workload",
    "Namespace",
    "File",
    "Vault secret",
    "Source",
    "Found through",
    "Recorded"
  ];
  const out = [];
  if (workloads.length > 0) {
    out.push(`| ${header.join(" | ")} |`, `|${" --- |".repeat(header.length)}`);
    workloads.forEach((w, i) => {
      for (const s of w.secrets) {
        const cells = [
          ...envs ? [w.environment ?? "-"] : [],
          ...rooted ? [rootCell(w.root)] : [],
          `${w.kind}/${w.name}`,
          w.namespace ?? "-",
          files[i],
          s.path,
          s.source,
          s.via,
          String(w.recorded?.get(s.path) ?? "-")
        ];
        out.push(`| ${cells.map(e).join(" | ")} |`);
      }
    });
    out.push("");
  } else out.push("No workload depends on a Vault secret.", "");
  const charts = workloads.flatMap(
    (w) => w.chartValue !== null ? [`- ${e(`${w.kind}/${w.name} (${w.file}): restarts go through ${w.chartValue}`)}`] : []
  );
  if (charts.length > 0) out.push("Through a Helm chart:", "", ...charts, "");
  if (undeployed.length > 0) out.push(e(undeployedLine(undeployed)), "");
  const secrets2 = new Set(workloads.flatMap((w) => w.secrets.map((s) => s.path))).size;
  out.push(
    `${workloads.length} workload(s) depend on ${plural(secrets2, "Vault secret")}.${rootedCounts(workloads)}`,
    ""
  );
  out.push(...problemsMarkdown(problems, opts.allProblems === true));
  return out.join("\n");
}
function toDiff(changes) {
  return changes.map((c) => unifiedDiff(`a/${c.path}`, `b/${c.path}`, c.before, c.after, 3)).join("");
}
var DEFAULT_DIFF_LINES = 60;
function cappedDiff(changes, maxLines, howToSeeAll) {
  const diffs = changes.map((c) => unifiedDiff(`a/${c.path}`, `b/${c.path}`, c.before, c.after, 3)).filter(Boolean);
  if (maxLines === null) return { text: diffs.join(""), note: null };
  const lineCount = (d) => d.split("\n").length - 1;
  const total = diffs.reduce((n, d) => n + lineCount(d), 0);
  if (total <= maxLines) return { text: diffs.join(""), note: null };
  let text = "";
  let shown = 0;
  let files = 0;
  for (const d of diffs) {
    const n = lineCount(d);
    if (files > 0 && shown + n > maxLines) break;
    if (files === 0 && n > maxLines) {
      text += `${d.split("\n").slice(0, maxLines).join("\n")}
`;
      shown = maxLines;
    } else {
      text += d;
      shown += n;
    }
    files += 1;
  }
  const hiddenFiles = diffs.length - files;
  const what = hiddenFiles > 0 ? `${total - shown} more diff line(s) in ${plural(hiddenFiles, "more file")}` : `${total - shown} more diff line(s)`;
  return { text, note: `... ${what} not shown (${total} in all): ${howToSeeAll} prints the whole diff.` };
}
function render(report, format, opts = {}) {
  switch (format) {
    case "json":
      return `${JSON.stringify(toJson(report), null, 2)}
`;
    case "markdown":
      return toMarkdown(report, opts);
    default:
      return toTable(report, opts);
  }
}

// src/core/report/commit-message.ts
var LISTED = 100;
var ACTION_TEXT2 = { restart: "rolling restart", record: "record only, no restart" };
function secretTrailers(planned) {
  const lines = /* @__PURE__ */ new Set();
  for (const p of planned) {
    if (p.action !== "restart" && p.action !== "record" || p.newValue === null) continue;
    for (const s of p.secrets) {
      if (s.current === null || s.recorded === s.current) continue;
      if (s.state !== "outdated" && s.state !== "unrecorded") continue;
      const env = p.workload.environment ? `${p.workload.environment}:` : "";
      lines.add(`Vault-Secret: ${env}${s.path} ${s.recorded ?? "none"} -> ${s.current}`);
    }
  }
  return [...lines].sort();
}
function singleEnvironment(planned) {
  const envs = new Set(planned.map((p) => p.workload.environment ?? null));
  return envs.size === 1 ? [...envs][0] : null;
}
function recordsByRoot(records) {
  const byRoot = /* @__PURE__ */ new Map();
  for (const p of records) {
    const root2 = p.workload.root == null ? "." : p.workload.root || ".";
    const entry = byRoot.get(root2) ?? { count: 0, files: /* @__PURE__ */ new Set() };
    entry.count++;
    entry.files.add(p.workload.rootPatch?.file ?? p.workload.file);
    byRoot.set(root2, entry);
  }
  let room = LISTED;
  return [...byRoot].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([root2, e]) => {
    const files = [...e.files].sort().slice(0, room);
    room -= files.length;
    return { root: root2, count: e.count, files, more_files: e.files.size - files.length };
  });
}
function describe2(p) {
  return {
    kind: p.workload.kind,
    name: p.workload.name,
    namespace: p.workload.namespace,
    file: p.workload.rootPatch?.file ?? p.workload.file,
    root: p.workload.root ?? null,
    environment: p.workload.environment ?? null,
    action: ACTION_TEXT2[p.action],
    // a restart reaches the pods through this chart value (an adoption writes only the record)
    chart: p.action === "restart" ? p.workload.chartValue : null,
    // `ExternalSecret/db-creds (apps/es.yaml) spec.data[0].remoteRef.version = 7 (kv/web/db)`
    pins: p.pins.map(pinText),
    secrets: p.secrets.filter((s) => s.current !== null && s.recorded !== s.current).map((s) => ({ path: s.path, recorded: s.recorded, current: s.current }))
  };
}
function renderCommitMessage(template, planned, changes = []) {
  const changing = planned.filter(
    (p) => (p.action === "restart" || p.action === "record") && p.newValue !== null
  );
  if (changing.length === 0) return tidyMessage(changes);
  const left = planned.filter((p) => p.action === "blocked" || p.action === "skipped" || p.action === "deferred").slice(0, LISTED).map((p) => ({
    kind: p.workload.kind,
    name: p.workload.name,
    namespace: p.workload.namespace,
    file: p.workload.file,
    root: p.workload.root ?? null,
    environment: p.workload.environment ?? null,
    action: p.action,
    reasons: p.reasons
  }));
  const restarts = changing.filter((p) => p.action === "restart");
  const data = {
    left,
    // `vault-rollout(prod): ...` when the commit touches one environment's roots only.
    environment: singleEnvironment(changing),
    // The default template lists restarts one by one and adoptions per root; `workloads` has both.
    restarts: restarts.slice(0, LISTED).map((p) => describe2(p)),
    more_restarts: Math.max(0, restarts.length - LISTED),
    recorded: recordsByRoot(changing.filter((p) => p.action === "record")),
    restart: changing.filter((p) => p.action === "restart").length,
    record: changing.filter((p) => p.action === "record").length,
    // A commit message lists at most LISTED workloads (an adoption of 5,000 would be unreadable, and
    // rendering it took 0.3 s); the trailers still name every changed secret.
    more: Math.max(0, changing.length - LISTED),
    workloads: changing.slice(0, LISTED).map((p) => describe2(p))
  };
  const body = renderTemplate(template, data).replace(/[ \t]+$/gm, "").replace(/\n{3,}/g, "\n\n").trim();
  const trailers = secretTrailers(changing);
  return `${body}
${trailers.length > 0 ? `
${trailers.join("\n")}
` : ""}`;
}
function tidyMessage(changes) {
  const files = [...new Set(realChanges(changes).map((c) => c.path))].sort();
  if (files.length === 0) return null;
  const listed = files.slice(0, LISTED).map((f) => `- ${f}`);
  const more2 = files.length > LISTED ? [`- and ${files.length - LISTED} more`] : [];
  return [
    "vault-rollout: tidy generated layers (no restart)",
    "",
    "Entries for objects a render root no longer builds are removed, and older patch files are moved into",
    "each root's own layer; no record or restart changes.",
    "",
    ...listed,
    ...more2,
    ""
  ].join("\n");
}

// src/publish/outgoing.ts
function outgoing(text) {
  return text === null ? null : redact2(text);
}

// src/publish/commit.ts
async function publishCommit(ws, opts) {
  const changes = realChanges(opts.changes);
  if (!opts.message || changes.length === 0) return { outcome: "none", commit: null };
  if (opts.dryRun) return { outcome: "dry-run", commit: null };
  const progress = opts.progress ?? silentProgress;
  progress.start("write", changes.length);
  const commit = await ws.commit({
    changes,
    message: outgoing(opts.message),
    author: opts.author,
    ...opts.clock ? { now: opts.clock() } : {}
  }).finally(() => progress.end());
  progress.start("push");
  const pushed = await ws.push(commit).finally(() => progress.end());
  if (pushed.ok) return { outcome: "pushed", commit };
  if (pushed.reason === "not-fast-forward") return { outcome: "moved", message: pushed.message };
  throw new GitError(`push to "${ws.branch}" of "${ws.url}" rejected by the remote: ${pushed.message}`, {
    branch: ws.branch,
    reason: "rejected"
  });
}

// src/core/report/pr-body.ts
var GITHUB_BODY_LIMIT = 65536;
var TITLE_LIMIT = 256;
var PR_BODY_MARKER = "<!-- vault-rollout:pull-request -->";
function code(text) {
  if (text.includes("`") || text.includes("\n")) return escapeMarkdown(text);
  return `\`${text.replace(/\|/g, "\\|")}\``;
}
function formatUpdatedTime(iso) {
  if (!iso) return "\u2013";
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.exec(iso);
  if (!m) return escapeMarkdown(iso);
  return `${m[1]} ${m[2]} ${m[3] === "Z" ? "UTC" : m[3]}`;
}
function versionCell(s) {
  const v = (n) => n === null ? "\u2013" : String(n);
  switch (s.state) {
    case "outdated":
      return `${v(s.recorded)} \u2192 **${v(s.current)}**`;
    case "unrecorded":
      return `new \u2192 ${v(s.current)}`;
    case "up-to-date":
      return `${v(s.current)} (unchanged)`;
    case "missing":
      return `${v(s.recorded)} \u2192 not found`;
    case "deleted":
      return `${v(s.recorded)} \u2192 ${v(s.current)} (deleted)`;
    case "forbidden":
      return `${v(s.recorded)} \u2192 no access`;
    default:
      return `${v(s.recorded)} \u2192 ${s.state}`;
  }
}
var onDelete = (p) => (p.workload.kind === "StatefulSet" || p.workload.kind === "DaemonSet") && p.workload.updateStrategy === "OnDelete";
function whatHappens(p) {
  const { kind, updateStrategy, recorded } = p.workload;
  switch (p.action) {
    case "restart":
      if (p.workload.chartValue !== null)
        return `**rolling restart** through the chart (${code(p.workload.chartValue)})`;
      if (kind === "CronJob")
        return "new pod template: the next scheduled Job uses it (running Jobs keep going)";
      if (onDelete(p)) return "\u26A0\uFE0F new pod template, but `OnDelete`: pods change only when deleted by hand";
      if (updateStrategy === "Recreate") return "**restart**: all pods replaced at once (`Recreate`)";
      return "**rolling restart**";
    case "record":
      return recorded === null ? "adoption: records the versions, no restart" : "records the versions, no restart";
    case "blocked":
      return `\u26D4 blocked: ${p.reasons.map(escapeMarkdown).join("; ")}`;
    case "skipped":
    case "ignored":
    case "deferred":
      return `${p.action}: ${p.reasons.map(escapeMarkdown).join("; ")}`;
    default:
      return "nothing";
  }
}
function pinsText(p) {
  const objects = [...new Set(p.pins.map((pin) => `${pin.target.kind}/${pin.target.name}`))];
  return objects.length > 0 ? `; pins the version in ${objects.map((o) => code(o)).join(", ")}` : "";
}
function rolloutCell(p) {
  const parts = [];
  if (p.workload.replicas !== null) parts.push(String(p.workload.replicas));
  if (p.workload.updateStrategy) parts.push(`\`${p.workload.updateStrategy.replace(/[`|]/g, "")}\``);
  return parts.length > 0 ? parts.join(" \xB7 ") : "\u2013";
}
function rowsOf(p) {
  const secrets2 = p.secrets.length > 0 ? p.secrets : [null];
  return secrets2.map((s, i) => ({
    workload: i === 0 ? `**${escapeMarkdown(p.workload.name)}**` : "",
    kind: i === 0 ? p.workload.kind : "",
    namespace: i === 0 ? p.workload.namespace ? code(p.workload.namespace) : "\u2013" : "",
    // Where the change is: the root's patch file for a workload in a shared base.
    file: i === 0 ? code(p.workload.rootPatch?.file ?? p.workload.file) : "",
    secret: s === null ? "\u2013" : code(s.path),
    version: s === null ? "\u2013" : versionCell(s),
    updated: s === null ? "\u2013" : formatUpdatedTime(s.updatedTime),
    happens: i === 0 ? whatHappens(p) + pinsText(p) : "",
    rollout: i === 0 ? rolloutCell(p) : "",
    first: i === 0
  }));
}
var plural2 = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
function renderPullRequest(templates, report, ctx) {
  const limit = ctx.maxBodyLength ?? GITHUB_BODY_LIMIT;
  const shown = report.workloads.filter((p) => p.action !== "none");
  const rows = shown.flatMap(rowsOf);
  const notes = shown.flatMap(
    (p) => p.warnings.map(
      (w) => `**${escapeMarkdown(`${p.workload.kind}/${p.workload.name}`)}**: ${escapeMarkdown(w)}`
    )
  );
  const problems = groupProblems(report.problems).map((g) => {
    const pr = g.problems[0];
    return g.problems.length === 1 ? `${pr.severity}: ${code(`${pr.file}${pr.line !== void 0 ? `:${pr.line}` : ""}`)} ${escapeMarkdown(pr.message)}` : `${pr.severity}: ${escapeMarkdown(g.summary)}`;
  });
  const s = report.summary;
  const base = {
    base: code(ctx.base),
    branch: code(ctx.branch),
    annotation: code(`${ctx.annotationPrefix}/secret-versions`),
    // `vault-rollout(prod): ...` when every workload listed belongs to one environment.
    environment: singleEnvironment(shown),
    restart: s.restart,
    record: s.record,
    blocked: s.blocked,
    unchanged: s.unchanged,
    restart_text: plural2(s.restart, "workload"),
    record_text: plural2(s.record, "workload"),
    blocked_text: plural2(s.blocked, "workload"),
    skipped: s.skipped ?? 0,
    ignored: s.ignored ?? 0,
    deferred: s.deferred ?? 0,
    skipped_text: plural2(s.skipped ?? 0, "workload"),
    ignored_text: plural2(s.ignored ?? 0, "workload"),
    deferred_text: plural2(s.deferred ?? 0, "restart"),
    unchanged_text: plural2(s.unchanged, "workload"),
    secrets: new Set(shown.flatMap((p) => p.secrets.filter((x) => x.state === "outdated").map((x) => x.path))).size,
    notes,
    problems,
    marker: PR_BODY_MARKER,
    request: ctx.request ?? "pull request"
  };
  const title = renderTemplate(templates.title, { ...base, base: ctx.base, branch: ctx.branch }).replace(/\s+/g, " ").trim().slice(0, TITLE_LIMIT);
  const render2 = (count) => renderTemplate(templates.body, {
    ...base,
    rows: rows.slice(0, count),
    omitted: rows.length - count,
    omitted_text: plural2(rows.length - count, "row")
  }).replace(/[ \t]+$/gm, "").replace(/\n{3,}/g, "\n\n").trim() + "\n";
  let body = render2(rows.length);
  if (body.length > limit) {
    let lo = 0;
    let hi = rows.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (render2(mid).length <= limit) lo = mid;
      else hi = mid - 1;
    }
    body = render2(lo);
    if (body.length > limit) {
      const cut2 = `

\u2026 (cut to GitHub's ${limit}-character limit)

${PR_BODY_MARKER}
`;
      body = body.slice(0, limit - cut2.length) + cut2;
    }
  }
  return { title, body };
}

// src/publish/outcome.ts
function nothingPublished() {
  return { commit: null, pullRequest: null, problems: [] };
}
function reportWith(plan, published) {
  return {
    ...plan,
    commit: published.commit,
    pullRequest: published.pullRequest,
    problems: [...plan.problems, ...published.problems]
  };
}

// src/publish/pull-request.ts
var FOREIGN_COMMIT_MARKER = "<!-- vault-rollout:foreign-commit -->";
var BRANCH_TRAILER = "Vault-Rollout-Branch";
function pullRequestBranch(base, environment) {
  return environment ? `vault-rollout/${base}/${environment}` : `vault-rollout/${base}`;
}
function withBranchTrailer(message, branch) {
  const trimmed2 = message.replace(/\s+$/, "");
  const cut2 = trimmed2.lastIndexOf("\n\n");
  const last = cut2 === -1 ? "" : trimmed2.slice(cut2 + 2);
  const isTrailers = last !== "" && last.split("\n").every((l) => /^[A-Za-z][A-Za-z0-9-]*: /.test(l));
  return `${trimmed2}${isTrailers ? "\n" : "\n\n"}${BRANCH_TRAILER}: ${branch}
`;
}
var sameIdentity = (a, b) => a.name.trim() === b.name.trim() && a.email.trim().toLowerCase() === b.email.trim().toLowerCase();
var GITHUB_WEB_FLOW_EMAIL = "noreply@github.com";
function hasOwnShape(head, branch) {
  const trailer = new RegExp(`^${BRANCH_TRAILER}: ${branch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m");
  return head.parents.length === 1 && trailer.test(head.message);
}
function isOwnBranchCommit(head, branch, author, apiIdentity = null) {
  if (!hasOwnShape(head, branch)) return false;
  if (sameIdentity(head.author, author) && sameIdentity(head.committer, author)) return true;
  return apiIdentity !== null && head.verified === true && sameIdentity(head.author, apiIdentity) && (sameIdentity(head.committer, apiIdentity) || head.committer.email.trim().toLowerCase() === GITHUB_WEB_FLOW_EMAIL);
}
function foreignComment(branch, head, noun) {
  return [
    FOREIGN_COMMIT_MARKER,
    `vault-rollout found a commit on \`${branch}\` that it did not make (\`${head.oid.slice(0, 12)}\`), so it will not overwrite this branch or update this ${noun} any more.`,
    "",
    `To hand the branch back, merge or close this ${noun}, or delete the branch: the next run rebuilds it from the base.`
  ].join("\n");
}
function closeComment(base, branch, noun) {
  return [
    `vault-rollout: nothing is pending on \`${base}\` any more: the recorded secret versions already match Vault (this change was merged, or someone updated the annotations by hand).`,
    "",
    `Closing this ${noun} and deleting \`${branch}\`. A later rotation opens a new one.`
  ].join("\n");
}
var capitalized = (text) => text.charAt(0).toUpperCase() + text.slice(1);
async function publishPullRequest(opts) {
  if (!opts.forge) {
    const branch = pullRequestBranch(opts.ws.branch, opts.environment);
    opts.logger.info(`Dry run: no forge credentials, so the pull request for "${branch}" was not looked up`);
    return {
      moved: false,
      result: {
        ...nothingPublished(),
        outcome: "dry-run",
        branch,
        pushed: false,
        apiCommits: opts.apiCommits ?? opts.config.pullRequest.apiCommits,
        apiRequests: 0
      }
    };
  }
  return new PullRequestPublish(opts, opts.forge).run();
}
var PullRequestPublish = class {
  constructor(opts, forge) {
    this.opts = opts;
    this.forge = forge;
    const { ws, config, report } = opts;
    this.base = ws.branch;
    this.branch = pullRequestBranch(this.base, opts.environment);
    this.apiCommits = opts.apiCommits ?? config.pullRequest.apiCommits;
    this.apiWs = forge.apiCommits ? forge.apiCommits(ws) : null;
    if (this.apiCommits && !this.apiWs) {
      throw new ConfigError(
        `API commits (pullRequest.apiCommits / --api-commits) are not available on ${forge.kind}: set pullRequest.apiCommits: false`
      );
    }
    this.target = this.apiCommits && this.apiWs ? this.apiWs : ws;
    this.templates = opts.templates ?? shippedTemplates(readTemplate);
    this.message = outgoing(
      renderCommitMessage(this.templates.commitMessage, report.workloads, report.changes)
    );
    this.changes = realChanges(report.changes);
    this.pending = this.message !== null && this.changes.length > 0;
  }
  opts;
  forge;
  base;
  branch;
  apiCommits;
  /** Writes of the pull-request branch through the forge's API (only with `apiCommits`, or to check one). */
  apiWs;
  /** Reads and writes of the pull-request branch: git, or the forge API (the base always comes from git). */
  target;
  templates;
  message;
  changes;
  pending;
  /** The commit is built once, locally: the base head does not move during this flow. */
  localCommit = null;
  /** What this stage did, returned in its result; the report it was given is only read. */
  published = nothingPublished();
  done(outcome, pushed = false) {
    return {
      moved: false,
      result: {
        ...this.published,
        outcome,
        branch: this.branch,
        pushed,
        apiCommits: this.apiCommits,
        apiRequests: this.forge.requests()
      }
    };
  }
  problem(message, file = this.branch) {
    const p = { file, severity: "warning", message };
    this.published.problems.push(p);
    this.opts.logger.warn(message);
  }
  show(request) {
    this.published.pullRequest = {
      number: request.number,
      url: request.url,
      ...this.forge.kind === "gitlab" ? { kind: "merge-request" } : {}
    };
  }
  async buildLocal() {
    return this.localCommit ??= await this.opts.ws.commit({
      changes: this.changes,
      message: withBranchTrailer(this.message ?? "", this.branch),
      author: this.opts.author,
      ...this.opts.clock ? { now: this.opts.clock() } : {}
    });
  }
  async run() {
    const open = await this.forge.findOpen(this.branch, this.base);
    const head = await this.target.remoteBranch(this.branch);
    if (head && !await this.owns(head)) return this.leaveAlone(head, open);
    if (!this.pending) return this.cleanUp(head, open);
    const rendered = renderPullRequest(
      { title: this.templates.pullRequestTitle, body: this.templates.pullRequestBody },
      this.opts.report,
      {
        base: this.base,
        branch: this.branch,
        annotationPrefix: this.opts.config.annotationPrefix,
        request: this.forge.noun
      }
    );
    const text = { title: outgoing(rendered.title), body: outgoing(rendered.body) };
    if (this.opts.dryRun) {
      this.opts.logger.info(
        `Dry run: would push ${this.changes.length} file(s) to "${this.branch}" and ${open ? `update ${this.forge.ref(open.number)}` : `open a ${this.forge.noun}`}`
      );
      if (open) this.show(open);
      return this.done("dry-run");
    }
    const branchStep = await this.pushBranch(head);
    if ("moved" in branchStep) return branchStep;
    const { branchHead, pushed } = branchStep;
    if (!open && !pushed && head) {
      const closed = await this.forge.closedAt?.(this.branch, this.base, head.oid);
      if (closed) {
        this.opts.logger.info(
          `${capitalized(this.forge.noun)} ${this.forge.ref(closed.number)} for these changes was closed by a person: not opened again until there is something new (${closed.url})`
        );
        return this.done("unchanged");
      }
    }
    const { request, outcome, created } = await this.openOrUpdate(open, text, pushed);
    await this.decorate(request, created);
    this.show(request);
    this.published.commit = branchHead;
    return this.done(outcome, pushed);
  }
  /** The ownership rule of {@link isOwnBranchCommit}, asking the forge what a git read cannot tell. */
  async owns(head) {
    const { branch, opts, apiWs } = this;
    if (isOwnBranchCommit(head, branch, opts.author)) return true;
    if (!hasOwnShape(head, branch) || !apiWs) return false;
    try {
      const verified = head.verified ?? await apiWs.verified(head.oid);
      if (!verified) return false;
      let identity = apiWs.knownIdentity();
      if (!identity && opts.dryRun) {
        opts.logger.debug(
          `Dry run: "${branch}" head ${head.oid.slice(0, 12)} is verified; its author is not checked`
        );
        return true;
      }
      if (!identity && this.apiCommits && this.pending && head.tree !== (await opts.ws.readCommitInfo(await this.buildLocal())).tree) {
        await apiWs.replay(await this.buildLocal());
      }
      identity ??= await apiWs.identity();
      return isOwnBranchCommit({ ...head, verified }, branch, opts.author, identity);
    } catch (err) {
      if (this.apiCommits || !apiWs.isApiError(err)) throw err;
      opts.logger.warn(
        `could not ask ${this.forge.kind === "github" ? "GitHub" : "the forge"} whether "${branch}" head ${head.oid.slice(0, 12)} is its own: ${err instanceof Error ? err.message : String(err)}`
      );
      return false;
    }
  }
  /** A person's commit is on the branch: never overwritten; the open request gets one comment. */
  async leaveAlone(head, open) {
    const { forge, branch } = this;
    this.problem(
      `"${branch}" holds a commit vault-rollout did not make (${head.oid.slice(0, 12)} by ${head.author.name}); left as it is${open ? ` and ${forge.noun} ${forge.ref(open.number)} not updated` : ""}: merge or close it, or delete the branch`
    );
    if (open && !this.opts.dryRun && !await forge.hasComment(open.number, FOREIGN_COMMIT_MARKER)) {
      await forge.comment(open.number, outgoing(foreignComment(branch, head, forge.noun)));
    }
    if (open) this.show(open);
    return this.done("left-alone");
  }
  /** Nothing pending: close the open request with a comment and delete the branch. */
  async cleanUp(head, open) {
    const { forge, branch, base, opts } = this;
    const deferred = opts.report.summary.deferred ?? 0;
    if (open && deferred > 0) {
      opts.logger.info(
        `${capitalized(forge.noun)} ${forge.ref(open.number)} left as it is: ${deferred} restart(s) deferred by the rollout limits`
      );
      this.show(open);
      return this.done("unchanged");
    }
    if (!open && !head) {
      opts.logger.info(`Nothing to publish on "${base}"`);
      return this.done("none");
    }
    if (opts.dryRun) {
      opts.logger.info(
        `Dry run: nothing pending; would close ${open ? `${forge.ref(open.number)} and ` : ""}delete "${branch}"`
      );
      return this.done("dry-run");
    }
    if (open) {
      await forge.comment(open.number, outgoing(closeComment(base, branch, forge.noun)));
      await forge.close(open.number);
      opts.logger.info(
        `Closed ${forge.noun} ${forge.ref(open.number)}: nothing is pending on "${base}" any more`
      );
    }
    if (head) {
      const deleted = await this.target.deleteBranch(branch, head.oid);
      if (!deleted.ok && deleted.reason === "not-fast-forward") {
        return { moved: true, message: deleted.message };
      }
      if (!deleted.ok) this.problem(`could not delete "${branch}": ${deleted.message}`);
    }
    return this.done("closed");
  }
  /**
   * Puts this run's commit on the branch with a compare-and-swap on `head`, unless the branch already
   * holds exactly these files.
   */
  async pushBranch(head) {
    const { opts, branch, apiCommits } = this;
    const commit = await this.buildLocal();
    const tree = (await opts.ws.readCommitInfo(commit)).tree;
    if (head && head.tree === tree) {
      opts.logger.info(`"${branch}" already holds these changes (${head.oid.slice(0, 12)}); not pushed`);
      return { branchHead: head.oid, pushed: false };
    }
    const branchHead = apiCommits && this.apiWs ? (await this.apiWs.replay(commit)).sha : commit;
    const res = await this.target.pushBranch(branchHead, branch, { expectedOld: head?.oid ?? null });
    if (!res.ok && res.reason === "not-fast-forward") return { moved: true, message: res.message };
    if (!res.ok) {
      throw new GitError(`${apiCommits ? "updating" : "pushing"} "${branch}" failed: ${res.message}`, {
        branch,
        reason: res.reason
      });
    }
    opts.logger.info(
      `${apiCommits ? "Moved" : "Pushed"} ${branchHead} ${apiCommits ? "through the GitHub API " : ""}to "${branch}" (${this.changes.length} file(s))`
    );
    return { branchHead, pushed: true };
  }
  /** Updates the open request in place, or opens one (or finds the one a concurrent run opened). */
  async openOrUpdate(open, text, pushed) {
    const { forge, opts } = this;
    const noun = capitalized(forge.noun);
    if (open) {
      let request2 = open;
      if (open.title !== text.title || open.body !== text.body) {
        request2 = await forge.update(open.number, text);
        opts.logger.info(`Updated ${forge.noun} ${forge.ref(request2.number)}: ${request2.url}`);
      } else {
        opts.logger.info(`${noun} ${forge.ref(request2.number)} is up to date: ${request2.url}`);
      }
      return { request: request2, outcome: pushed || request2 !== open ? "updated" : "unchanged", created: false };
    }
    const made = await forge.createOrFind({
      branch: this.branch,
      base: this.base,
      ...text,
      draft: opts.config.pullRequest.draft
    });
    let request = made.request;
    if (made.created) {
      opts.logger.info(`Opened ${forge.noun} ${forge.ref(request.number)}: ${request.url}`);
      return { request, outcome: "created", created: true };
    }
    if (request.title !== text.title || request.body !== text.body)
      request = await forge.update(request.number, text);
    opts.logger.info(`Updated ${forge.noun} ${forge.ref(request.number)}: ${request.url}`);
    return { request, outcome: "updated", created: false };
  }
  /** Labels that are missing, reviewers on a new request, auto-merge: each refusal is reported, not fatal. */
  async decorate(request, created) {
    const { forge, opts } = this;
    const { labels, reviewers, autoMerge } = opts.config.pullRequest;
    const missing = labels.filter((l) => !request.labels.includes(l));
    if (missing.length > 0) await forge.addLabels(request.number, missing);
    if (created && reviewers.length > 0) {
      try {
        await forge.requestReviewers(request.number, reviewers);
      } catch (err) {
        this.problem(err instanceof Error ? err.message : String(err), request.url);
      }
    }
    if (autoMerge && !request.autoMerge) {
      const merged = await forge.enableAutoMerge(request);
      if (!merged.ok) this.problem(merged.message, request.url);
      else opts.logger.info(`Auto-merge enabled on ${forge.ref(request.number)}`);
    }
  }
};

// src/rollout-clock.ts
var ROLLOUT_NOW_VARIABLE = "VAULT_ROLLOUT_NOW";
function rolloutClock(env) {
  const raw = env[ROLLOUT_NOW_VARIABLE]?.trim();
  if (!raw) return () => /* @__PURE__ */ new Date();
  const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (!Number.isFinite(instant))
    throw new ConfigError(
      `${ROLLOUT_NOW_VARIABLE} must be an ISO 8601 instant with a zone, e.g. "2026-12-05T10:00:00Z" (got "${raw}")`
    );
  return () => new Date(instant);
}

// src/run/options.ts
var DEFAULT_AUTHOR = { name: "vault-rollout", email: "vault-rollout@users.noreply.github.com" };

// src/run/apply.ts
function loadPipeline() {
  const loading = import("./chunk-LIMQCPGC.js");
  loading.catch(() => {
  });
  return loading;
}
function pullRequestOperation(outcome) {
  if (outcome === "created" || outcome === "updated" || outcome === "closed") return outcome;
  return "none";
}
async function applyWithOutcome(opts, io, hooks) {
  const pipeline = loadPipeline();
  const opened = await openRepo(
    {
      repo: opts.repo,
      config: opts.config,
      branch: opts.branch,
      forge: opts.forge,
      githubRepository: opts.githubRepository,
      readOnly: opts.dryRun
    },
    io
  );
  let ws = opened.ws;
  let reader = null;
  try {
    const config = withFlags(opened.config, opts);
    hooks.seen(config, ws);
    if (!opts.branch && !opened.configOnDisk && config.branch && config.branch !== ws.branch) {
      await ws.close();
      ws = await opened.open(config.branch);
    }
    const forge = await settleForge(opts, io, ws, config, opened.github);
    const templates = await workspaceTemplates(ws, config);
    const { planRepo, publishLoop } = await pipeline;
    const activeReader = reader = environmentReaders(config, io, opts.environment);
    const run = {
      opts,
      io,
      ws,
      config,
      forge,
      templates,
      publishLoop,
      author: (config.commit?.author ? parseAuthor(config.commit.author) : null) ?? DEFAULT_AUTHOR,
      plan: (w) => planRepo({
        source: w.source,
        reader: activeReader,
        config,
        branch: w.branch,
        logger: io.logger,
        environment: opts.environment,
        progress: io.progress,
        clock: rolloutClock(io.env)
      })
    };
    return forge.mode === "pr" ? await publishAsPullRequest(run) : await publishAsCommit(run);
  } finally {
    await reader?.close();
    await ws.close();
  }
}
function withFlags(loaded, opts) {
  return {
    ...loaded,
    pullRequest: {
      ...loaded.pullRequest,
      ...opts.labels !== void 0 ? { labels: opts.labels } : {},
      ...opts.reviewers !== void 0 ? { reviewers: opts.reviewers } : {},
      ...opts.draft !== void 0 ? { draft: opts.draft } : {}
    }
  };
}
async function settleForge(opts, io, ws, config, github) {
  const mode = opts.mode ?? config.mode ?? "commit";
  const apiCommits = opts.apiCommits ?? config.pullRequest.apiCommits;
  if (apiCommits && config.commit?.author) {
    io.logger.info(
      "commit.author is not used with API commits: GitHub sets the author (an explicit one would drop its signature)"
    );
  }
  const forgeKind = chooseForge({ flag: opts.forge, config: config.forge, env: io.env, remote: ws.url });
  const gitlab = forgeKind === "gitlab" ? forgeForRun({
    ws,
    mode,
    config,
    env: io.env,
    logger: io.logger,
    dryRun: opts.dryRun,
    apiCommits,
    client: io.gitlab
  }) : null;
  const needsGitHub = forgeKind === "github" && (mode === "pr" || apiCommits && !opts.dryRun);
  if (needsGitHub && !github.credentials && !(mode === "pr" && opts.dryRun)) {
    throw new ConfigError(
      mode === "pr" ? "--mode pr needs GitHub credentials: set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY" : "API commits (pullRequest.apiCommits / --api-commits) need GitHub credentials: set GITHUB_TOKEN, or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY"
    );
  }
  const repository = needsGitHub && github.credentials ? resolveRepository(opts.githubRepository, io.env, ws.url) : null;
  const gh = repository ? await github.connect(repository) : null;
  if (gh?.via === "app" && !io.env.GIT_TOKEN) ws.useAuth({ username: "x-access-token", token: gh.token });
  return { mode, apiCommits, gitlab, gh, repository };
}
async function publishAsPullRequest(run) {
  const { opts, io, config, forge, publishLoop } = run;
  const { gh, repository } = forge;
  const { plan: final, result } = await publishLoop({
    ws: run.ws,
    plan: run.plan,
    logger: io.logger,
    publish: (report, w) => publishPullRequest({
      ws: w,
      report,
      config,
      author: run.author,
      dryRun: opts.dryRun,
      logger: io.logger,
      forge: forge.gitlab ?? (gh && repository ? githubForge(gh, repository, io.logger) : null),
      apiCommits: forge.apiCommits,
      environment: opts.environment,
      templates: run.templates
    })
  });
  return { report: reportWith(final, result), pullRequestOperation: pullRequestOperation(result.outcome) };
}
async function publishAsCommit(run) {
  const { opts, io, ws, publishLoop } = run;
  const { gh, repository } = run.forge;
  const template = run.templates.commitMessage;
  const target = gh && repository ? new ApiCommitWorkspace(ws, new GitHubGitData(gh.octokit, repository, io.logger), io.logger) : ws;
  const {
    plan: final,
    result: outcome,
    attempts
  } = await publishLoop({
    ws: target,
    plan: run.plan,
    logger: io.logger,
    publish: async (report2, w) => {
      const out = await publishCommit(w, {
        changes: report2.changes,
        message: renderCommitMessage(template, report2.workloads, report2.changes),
        author: run.author,
        dryRun: opts.dryRun,
        ...io.progress ? { progress: io.progress } : {}
      });
      return out.outcome === "moved" ? { moved: true, message: out.message } : { moved: false, result: out };
    }
  });
  const report = reportWith(final, { ...nothingPublished(), commit: outcome.commit });
  const branch = ws.branch;
  if (outcome.outcome === "pushed") {
    io.logger.info(
      `${target === ws ? "Pushed" : "Committed through the GitHub API"} ${outcome.commit} to "${branch}" (${final.changes.length} file(s), attempt ${attempts})`
    );
    if (target !== ws && ws.mode === "local")
      io.logger.info(`The checkout's "${ws.branch}" is now behind the remote: pull to see the commit`);
  } else if (outcome.outcome === "dry-run") {
    io.logger.info(`Dry run: would commit ${final.changes.length} file(s) to "${branch}"`);
  } else {
    io.logger.info(`Nothing to commit on "${branch}"`);
  }
  return { report, pullRequestOperation: "none" };
}

// src/publish/notify.ts
import { createHmac } from "node:crypto";

// src/core/report/notify-payload.ts
var HOOK_WORKLOADS = 100;
function runEvents(outcome) {
  const events = [];
  const s = outcome.report?.summary;
  if (outcome.published && (s?.restart ?? 0) > 0) events.push("restart");
  if (outcome.published && (s?.record ?? 0) > 0) events.push("record");
  if ((s?.blocked ?? 0) > 0) events.push("blocked");
  if ((s?.deferred ?? 0) > 0) events.push("deferred");
  if (outcome.error !== null) events.push("error");
  return events;
}
function worthTelling(outcome) {
  return outcome.published || outcome.error !== null || (outcome.report?.summary.blocked ?? 0) > 0;
}
function publicRemote(repository) {
  if (repository === null) return null;
  try {
    const url = new URL(repository);
    if (url.username === "" && url.password === "" && url.search === "" && url.hash === "") return repository;
    url.username = "";
    url.password = "";
    url.search = "";
    url.hash = "";
    return url.href;
  } catch {
    return repository;
  }
}
function commitUrl(repository, commit) {
  if (repository === null || commit === null) return null;
  let url;
  try {
    url = new URL(repository);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  url.username = "";
  url.password = "";
  url.search = "";
  url.hash = "";
  return `${url.href.replace(/\/+$/, "").replace(/\.git$/, "")}/commit/${commit}`;
}
var TOLD = /* @__PURE__ */ new Set(["restart", "record", "blocked", "deferred"]);
function told(report) {
  return (report?.workloads ?? []).filter((p) => TOLD.has(p.action));
}
function trimmed(p) {
  const w = p.workload;
  return {
    file: w.rootPatch?.file ?? w.file,
    kind: w.kind,
    name: w.name,
    namespace: w.namespace,
    ...w.environment != null ? { environment: w.environment } : {},
    ...w.root != null ? { root: w.root } : {},
    action: p.action,
    secrets: p.secrets.filter((s) => s.state !== "up-to-date").map((s) => ({ path: s.path, recorded: s.recorded, current: s.current, state: s.state })),
    ...p.action === "blocked" || p.action === "deferred" ? { reasons: p.reasons } : {}
  };
}
function jsonPayload(outcome, events) {
  const report = outcome.report;
  const listed = told(report);
  return {
    source: "vault-rollout",
    events: [...events],
    environment: outcome.environment,
    branch: report?.branch ?? null,
    repository: publicRemote(outcome.repository),
    commit: report?.commit ?? null,
    commitUrl: commitUrl(outcome.repository, report?.commit ?? null),
    pullRequest: report?.pullRequest ?? null,
    summary: report?.summary ?? null,
    workloads: listed.slice(0, HOOK_WORKLOADS).map(trimmed),
    ...listed.length > HOOK_WORKLOADS ? { omitted: listed.length - HOOK_WORKLOADS } : {},
    ...outcome.error !== null ? { error: outcome.error } : {}
  };
}
function mrkdwn(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
function code2(text) {
  return `\`${mrkdwn(text).replace(/`/g, "\u02CB")}\``;
}
var HEADER_CHARS = 150;
var SECTION_CHARS = 3e3;
var MAX_BLOCKS = 50;
function headline(outcome) {
  const scope = outcome.environment ? `(${outcome.environment})` : "";
  const s = outcome.report?.summary;
  const parts = [];
  if (outcome.published && s?.restart) parts.push(`${s.restart} restarted`);
  if (outcome.published && s?.record) parts.push(`${s.record} recorded`);
  if (s?.blocked) parts.push(`${s.blocked} blocked`);
  if (s?.deferred) parts.push(`${s.deferred} deferred`);
  const what = outcome.error !== null ? "run failed" : parts.join(", ") || "nothing changed";
  const on = outcome.report?.branch ? ` on ${outcome.report.branch}` : "";
  return `vault-rollout${scope}: ${what}${on}`.slice(0, HEADER_CHARS);
}
function line(p) {
  const w = p.workload;
  const who = `${code2(`${w.kind}/${w.name}`)}${w.namespace ? ` (${code2(w.namespace)})` : ""}`;
  const moved = p.secrets.filter((s) => s.state === "outdated" || s.state === "unrecorded").map((s) => `${code2(s.path)} ${s.recorded ?? "none"} \u2192 ${s.current ?? "?"}`);
  const icon = { restart: "\u{1F504}", record: "\u{1F4DD}", blocked: "\u26D4", deferred: "\u23F8\uFE0F" }[p.action];
  const why = p.action === "blocked" || p.action === "deferred" ? `: ${mrkdwn(p.reasons.join("; "))}` : "";
  return `${icon} ${who} ${p.action}${moved.length > 0 ? ` ${moved.join(", ")}` : ""}${why}`;
}
function fit(title, lines) {
  let text = title;
  for (let i = 0; i < lines.length; i++) {
    const more2 = `
\u2026 and ${lines.length - i} more`;
    const next = `
${lines[i].slice(0, 500)}`;
    if (text.length + next.length + more2.length > SECTION_CHARS) return text + more2;
    text += next;
  }
  return text;
}
function slackPayload(outcome) {
  const report = outcome.report;
  const header = headline(outcome);
  const blocks = [{ type: "header", text: { type: "plain_text", text: header } }];
  const byEnv = /* @__PURE__ */ new Map();
  for (const p of told(report)) {
    if (p.action === "record" && !outcome.published) continue;
    const env = p.workload.environment ?? outcome.environment ?? "";
    byEnv.set(env, [...byEnv.get(env) ?? [], p]);
  }
  const envs = [...byEnv].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  for (const [env, list] of envs.slice(0, MAX_BLOCKS - 3)) {
    const title = `*${env ? mrkdwn(env) : "workloads"}*`;
    blocks.push({ type: "section", text: { type: "mrkdwn", text: fit(title, list.map(line)) } });
  }
  const links = [];
  const url = commitUrl(outcome.repository, report?.commit ?? null);
  if (report?.commit)
    links.push(
      url ? `<${url}|Commit ${report.commit.slice(0, 12)}>` : `Commit \`${report.commit.slice(0, 12)}\``
    );
  if (report?.pullRequest)
    links.push(`<${report.pullRequest.url}|Pull request #${report.pullRequest.number}>`);
  if (links.length > 0) blocks.push({ type: "section", text: { type: "mrkdwn", text: links.join(" \xB7 ") } });
  if (outcome.error !== null)
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: `*Error:* ${mrkdwn(outcome.error).slice(0, SECTION_CHARS - 20)}` }
    });
  return { text: header, blocks };
}

// src/adapters/notify/guarded-post.ts
import { lookup as dnsLookup } from "node:dns";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
var ForbiddenHookAddressError = class extends Error {
  constructor(host, address, why) {
    super(`resolves to ${why} (${address})`);
    this.host = host;
    this.address = address;
    this.why = why;
    this.name = "ForbiddenHookAddressError";
  }
  host;
  address;
  why;
  code = "EHOOKADDRESS";
};
function guardedLookup(resolve2 = dnsLookup) {
  return (hostname, options, callback) => {
    resolve2(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const list = Array.isArray(address) ? address : [{ address, family: family ?? 0 }];
      for (const entry of list) {
        const why = isForbiddenHookAddress(entry.address);
        if (why)
          return callback(new ForbiddenHookAddressError(hostname, entry.address, why), address, family);
      }
      callback(null, address, family);
    });
  };
}
var NULL_BODY = /* @__PURE__ */ new Set([101, 204, 205, 304]);
function toResponse(res) {
  const status2 = res.statusCode ?? 0;
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === void 0) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  if (NULL_BODY.has(status2) || status2 < 200 || status2 > 599) {
    res.resume();
    const clamped = status2 < 200 || status2 > 599 ? 502 : status2;
    return new Response(null, { status: clamped, headers });
  }
  return new Response(Readable.toWeb(res), { status: status2, headers });
}
function guardedPost(url, init) {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  const body = Buffer.from(init.body, "utf8");
  return new Promise((resolve2, reject) => {
    const req = send(
      target,
      {
        method: "POST",
        headers: { ...init.headers, "content-length": String(body.length) },
        signal: init.signal,
        lookup: guardedLookup(init.lookup),
        // One request per connection: no pooled socket outlives the run or skips the lookup.
        agent: false
      },
      (res) => {
        try {
          resolve2(toResponse(res));
        } catch (err) {
          res.destroy();
          reject(Object.assign(new Error("unreadable answer"), { cause: { code: "EBADANSWER", err } }));
        }
      }
    );
    req.on("error", (err) => {
      if (err instanceof ForbiddenHookAddressError) reject(err);
      else reject(Object.assign(new Error("request failed"), { cause: err }));
    });
    req.end(body);
  });
}

// src/adapters/notify/webhook.ts
var sleepFor = (ms) => new Promise((resolve2) => setTimeout(resolve2, ms));
function retryAfterMs(value, now) {
  if (value === null || value.trim() === "") return null;
  const trimmed2 = value.trim();
  if (/^\d+$/.test(trimmed2)) return Number(trimmed2) * 1e3;
  const at2 = Date.parse(trimmed2);
  return Number.isFinite(at2) ? Math.max(0, at2 - now) : null;
}
var retryable = (status2) => status2 === 408 || status2 === 429 || status2 >= 500;
async function postWebhook(url, body, headers, options = {}) {
  const timeoutMs = options.timeoutMs ?? 1e4;
  const cap = options.maxResponseBytes ?? 64 * 1024;
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoff = options.backoffMs ?? 1e3;
  const maxRetryAfter = options.maxRetryAfterMs ?? 3e4;
  const sleep = options.sleep ?? sleepFor;
  const send = options.fetch ?? ((target, init) => guardedPost(target, {
    headers: init.headers,
    body: init.body,
    signal: init.signal,
    ...options.lookup ? { lookup: options.lookup } : {}
  }));
  const now = options.now ?? Date.now;
  let last = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let wait = backoff * 2 ** (attempt - 1);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await send(url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: controller.signal
      });
      await readCapped(res, cap);
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, attempts: attempt };
      last = `answered HTTP ${res.status}`;
      if (!retryable(res.status)) return { ok: false, attempts: attempt, message: last };
      if (res.status === 429) {
        const after = retryAfterMs(res.headers.get("retry-after"), now());
        if (after !== null) wait = Math.min(after, maxRetryAfter);
      }
    } catch (err) {
      if (err instanceof ForbiddenHookAddressError)
        return {
          ok: false,
          attempts: attempt,
          message: `was not sent: its host ${err.message}, which a hook may not reach`
        };
      last = controller.signal.aborted ? `did not answer within ${timeoutMs / 1e3} s` : `could not be reached (${causeText(err)})`;
    } finally {
      clearTimeout(timer);
    }
    if (attempt < attempts) await sleep(wait);
  }
  return { ok: false, attempts, message: last };
}
function causeText(err) {
  const cause = err?.cause;
  if (typeof cause?.code === "string") return cause.code;
  if (cause?.message === "bad port") return "a port fetch refuses";
  return "network error";
}

// src/publish/notify.ts
var SIGNATURE_HEADER = "X-Vault-Rollout-Signature";
function signature(body, key) {
  return `sha256=${createHmac("sha256", key).update(body, "utf8").digest("hex")}`;
}
function hookName(index, url) {
  let host = "?";
  try {
    host = new URL(url).host;
  } catch {
  }
  return `notify[${index}] (${host})`;
}
async function notifyHooks(opts) {
  if (opts.hooks.length === 0 || !worthTelling(opts.outcome)) return 0;
  const events = runEvents(opts.outcome);
  const sends = opts.hooks.map(async (hook, index) => {
    const name = hookName(index, hook.url);
    const matched = events.filter((e) => hook.on.includes(e));
    if (matched.length === 0) return false;
    try {
      const body = outgoing(
        JSON.stringify(
          hook.format === "slack" ? slackPayload(opts.outcome) : jsonPayload(opts.outcome, matched)
        )
      );
      const headers = {
        "content-type": "application/json",
        "user-agent": "vault-rollout"
      };
      const keyName = hook.secretHeaderEnv;
      if (keyName !== void 0) {
        const key = opts.env[keyName];
        if (opts.credentialVariables.includes(keyName)) {
          opts.logger.warn(
            `${name}: not sent: secretHeaderEnv names "${keyName}", which holds a credential of this run; name a variable that holds only the hook's key`
          );
          return false;
        }
        if (key) {
          registerSecret(key);
          headers[SIGNATURE_HEADER.toLowerCase()] = signature(body, key);
        } else opts.logger.warn(`${name}: sent unsigned: ${keyName} (secretHeaderEnv) is not set`);
      }
      const result = await postWebhook(hook.url, body, headers, opts.webhook);
      if (result.ok) {
        opts.logger.info(`Told ${name} (${matched.join(", ")})`);
        return true;
      }
      opts.logger.warn(
        `${name} ${result.message} after ${result.attempts} tr${result.attempts === 1 ? "y" : "ies"}; the run's result is unchanged`
      );
    } catch (err) {
      opts.logger.warn(`${name}: not sent (${err instanceof Error ? err.message : String(err)})`);
    }
    return false;
  });
  return (await Promise.all(sends)).filter(Boolean).length;
}

// src/notify-run.ts
function applyNotifier(opts, io) {
  let config = null;
  let repository = null;
  const tell = async (outcome) => {
    if (config === null || config.notify.length === 0 || opts.dryRun) return;
    await notifyHooks({
      hooks: config.notify,
      outcome,
      env: io.env,
      logger: io.logger,
      credentialVariables: [...CREDENTIAL_VARIABLES, ...credentialVariables(config)]
    });
  };
  return {
    seen(c, ws) {
      config = c;
      repository = ws.url;
    },
    async done(result) {
      const { report, pullRequestOperation: op } = result;
      const changed = report.workloads.filter((p) => p.action !== "none" && p.action !== "ignored");
      await tell({
        report,
        published: report.commit !== null || op === "created" || op === "updated",
        environment: opts.environment ?? (changed.length > 0 ? singleEnvironment(changed) : null),
        repository,
        error: null
      });
      return result;
    },
    async failed(message) {
      await tell({
        report: null,
        published: false,
        environment: opts.environment ?? null,
        repository,
        error: message
      });
    }
  };
}

// src/run.ts
async function withRepo(opts, io, fn) {
  if (!isRemoteRepo(opts.repo)) {
    const dir = localRepoDir(opts.repo, io);
    const config2 = loadConfig(dir, opts.config, io.cwd);
    const source = new WorkingTreeSource(dir, { maxFileBytes: config2.maxFileBytes }, io.progress);
    return fn({ source, config: config2, branch: opts.branch ?? config2.branch ?? null });
  }
  const { ws, config } = await openRepo({ repo: opts.repo, config: opts.config, branch: opts.branch }, io);
  try {
    return await fn({ source: ws.source, config, branch: ws.branch });
  } finally {
    await ws.close();
  }
}
async function scanCommand(opts, io) {
  const pipeline = loadPipeline();
  const found = await withRepo(opts, io, async ({ source, config }) => {
    const { discoverRepo, problemsOfEnvironment, selectEnvironment } = await pipeline;
    const all = await discoverRepo(source, config, io.logger, io.progress);
    return {
      ...all,
      workloads: selectEnvironment(all.workloads, config, opts.environment),
      problems: problemsOfEnvironment(all.problems, all, config, opts.environment)
    };
  });
  if (opts.format === "json") {
    const json = {
      workloads: found.workloads.map((w) => ({
        file: w.file,
        document: w.document,
        kind: w.kind,
        name: w.name,
        namespace: w.namespace,
        ...w.root != null ? { root: w.root } : {},
        ...w.environment != null ? { environment: w.environment } : {},
        // Built by several roots: this root's record and trigger go into its own patch file.
        ...w.rootPatch ? { patch: w.rootPatch.file } : {},
        // No safe edit exists (the reason), or left alone on purpose.
        ...w.skip ? { skipped: w.skip } : {},
        ...w.ignored ? { ignored: w.ignored } : {},
        ...w.chartValue !== null ? { chart: w.chartValue } : {},
        secrets: w.secrets.map((s) => ({
          path: s.path,
          ...s.vaultNamespace ? { vaultNamespace: s.vaultNamespace } : {},
          source: s.source,
          via: s.via,
          recorded: w.recorded?.get(s.path) ?? null,
          // Where a restart would pin the new version (docs/annotations.md "Version pins").
          ...s.pins?.length ? { pins: s.pins.map((p) => `${p.kind}/${p.name} (${p.file}) ${formatPath(p.field)}`) } : {}
        }))
      })),
      summary: {
        workloads: found.workloads.length,
        secrets: new Set(found.workloads.flatMap((w) => w.secrets.map((s) => s.path))).size
      },
      problems: found.problems,
      ...found.undeployed.length > 0 ? { undeployed: found.undeployed } : {}
    };
    io.stdout(`${JSON.stringify(json, null, 2)}
`);
    return 0;
  }
  io.stdout(
    opts.format === "markdown" ? toScanMarkdown(found.workloads, found.problems, opts.table, found.undeployed) : toScanTable(found.workloads, found.problems, opts.table, found.undeployed)
  );
  return 0;
}
async function runPlan(opts, io, edits = true) {
  const pipeline = loadPipeline();
  return withRepo(opts, io, async ({ source, config, branch }) => {
    const { planRepo } = await pipeline;
    const reader = environmentReaders(config, io, opts.environment);
    try {
      return await planRepo({
        source,
        reader,
        config,
        branch,
        logger: io.logger,
        edits,
        environment: opts.environment,
        progress: io.progress,
        clock: rolloutClock(io.env)
      });
    } finally {
      await reader.close();
    }
  });
}
var pending = (r) => r.summary.restart + r.summary.record > 0;
var EXIT_PENDING = 2;
var EXIT_BLOCKED = 3;
function runExitCode(report, exitCodeFlag, logger) {
  if (report.summary.blocked > 0) {
    logger?.warn(
      `${report.summary.blocked} workload(s) blocked: a secret is missing, deleted or forbidden (see the report); exit code ${EXIT_BLOCKED}`
    );
    return EXIT_BLOCKED;
  }
  return exitCodeFlag && pending(report) ? EXIT_PENDING : 0;
}
async function statusCommand(opts, io) {
  const report = await runPlan(opts, io, false);
  io.stdout(render(report, opts.format, opts.table));
  return runExitCode(report, opts.exitCode, io.logger);
}
async function planCommand(opts, io) {
  const report = await runPlan(opts, io);
  const diff = diffText(report, opts);
  const again = opts.format === "table" && diff !== "" ? `
${summaryLine(report)}
` : "";
  io.stdout(render(report, opts.format, opts.table) + diff + again);
  return runExitCode(report, opts.exitCode, io.logger);
}
function diffText(report, opts) {
  if (opts.diff === false || report.changes.length === 0 || opts.format === "json") return "";
  if (opts.format === "markdown") return `
\`\`\`diff
${cappedDiff(report.changes, null, "").text}\`\`\`
`;
  const { text, note } = cappedDiff(report.changes, opts.table?.wide ? null : DEFAULT_DIFF_LINES, "--wide");
  return `
${text}${note ? `${note}
` : ""}`;
}
function describeError(err) {
  if (err instanceof VaultRolloutError) return { message: redact2(err.message), exitCode: err.exitCode };
  const message = err instanceof Error ? err.message : String(err);
  return { message: redact2(`unexpected error: ${message}`), exitCode: 1 };
}
async function runApply(opts, io) {
  return (await runApplyWithOutcome(opts, io)).report;
}
async function runApplyWithOutcome(opts, io) {
  const hooks = applyNotifier(opts, io);
  try {
    return await hooks.done(await applyWithOutcome(opts, io, hooks));
  } catch (err) {
    await hooks.failed(describeError(err).message);
    throw err;
  }
}
async function applyCommand(opts, io) {
  const report = await runApply(opts, io);
  io.stdout(
    render(report, opts.format, opts.table) + (opts.format === "table" ? diffText(report, opts) : "")
  );
  return runExitCode(report, false, io.logger);
}

export {
  stopGitChildren,
  openWorkspace,
  registerSecret,
  redact2 as redact,
  createLogger,
  templateIssues,
  WorkingTreeSource,
  templatesDir,
  loadVaultClient,
  createVaultReader,
  vaultOptionsFromEnv,
  credentialSecrets,
  loadConfig,
  readConfigText,
  workspaceConfig,
  environmentReaders,
  maskEnvSecrets,
  toJson,
  summaryLine,
  toTable,
  toMarkdown,
  toDiff,
  render,
  scanCommand,
  runPlan,
  statusCommand,
  planCommand,
  describeError,
  runApply,
  runApplyWithOutcome,
  applyCommand
};
