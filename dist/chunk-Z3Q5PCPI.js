#!/usr/bin/env node
import { createRequire as __vrCreateRequire } from 'node:module';
const require = __vrCreateRequire(import.meta.url);
import {
  ANNOTATION_KEYS,
  applyAnnotationEdits,
  applyFileEdits,
  compareData,
  detectNewline,
  expectScalars,
  fastManifestData,
  formatKey,
  formatPath,
  formatValue,
  indentOf,
  isChartKind,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  parseManifestDocument,
  parseManifests,
  readYamlData,
  require_picomatch,
  silentProgress,
  stringify,
  yaml
} from "./chunk-LA3NCHGA.js";
import {
  cleanSecretPath,
  normalizeSecretPath,
  parseSecretPath,
  secretPathProblem,
  vaultNamespaceProblem
} from "./chunk-LTON5VQS.js";
import {
  DEFAULT_ROOT_LIMITS,
  baseName,
  dirName,
  isKustomizationFile,
  joinPath,
  oversizeProblem,
  under
} from "./chunk-33VOMAQR.js";
import {
  ConfigError,
  GitError
} from "./chunk-WOKFXCO5.js";
import {
  __toESM
} from "./chunk-JQU5P57A.js";

// src/pipeline.ts
var import_picomatch5 = __toESM(require_picomatch(), 1);

// src/core/record.ts
function readRecord(raw) {
  const versions = /* @__PURE__ */ new Map();
  const malformed = [];
  const duplicates = [];
  const parts = raw.split(",");
  for (const [i, part] of parts.entries()) {
    const entries = part.trim().split(/\s+/);
    for (const entry of entries) {
      if (entry === "") {
        if (parts.length > 1 || i > 0) malformed.push("");
        continue;
      }
      const m = /^(.+)@(\d+)$/.exec(entry);
      const version = m ? Number(m[2]) : NaN;
      if (!m || !Number.isSafeInteger(version) || version < 1 || secretPathProblem(m[1]) !== null) {
        malformed.push(entry);
        continue;
      }
      if (versions.has(m[1]) && !duplicates.includes(m[1])) duplicates.push(m[1]);
      versions.set(m[1], version);
    }
  }
  return { versions, malformed, duplicates };
}
function yamlType(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "number") return `the number ${String(value)}`;
  if (typeof value === "boolean") return `the boolean ${String(value)}`;
  return `a ${typeof value}`;
}
function recordFields(raw, key) {
  const untrusted = (why) => ({
    recorded: null,
    recordedRaw: typeof raw === "string" ? raw : null,
    recordWarnings: [
      `record "${key}" ${why}: treated as unrecorded, so a clean record is written and nothing restarts`
    ]
  });
  if (raw === void 0) return { recorded: null, recordedRaw: null };
  if (typeof raw !== "string") return untrusted(`is ${yamlType(raw)}, not a string`);
  if (raw.trim() === "") return untrusted("is empty");
  const { versions, malformed, duplicates } = readRecord(raw);
  if (malformed.length > 0) {
    const shown = malformed.map((e) => e === "" ? "an empty entry" : JSON.stringify(e)).join(", ");
    return untrusted(`has malformed entries (${shown})`);
  }
  if (duplicates.length > 0)
    return untrusted(`names ${duplicates.map((d) => `"${d}"`).join(", ")} more than once`);
  return { recorded: versions, recordedRaw: raw };
}
function formatRecord(versions) {
  return [...versions.entries()].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([path, v]) => `${path}@${v}`).join(",");
}

// src/core/discover/workloads.ts
var TEMPLATE_PATHS = {
  Deployment: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  Rollout: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"]
};
function podTargets(templatePath) {
  return {
    record: { mapPath: [], within: ["metadata", "annotations"] },
    trigger: { mapPath: [...templatePath], within: ["metadata", "annotations"] }
  };
}
function targetPath(target) {
  return [...target.mapPath, ...target.within];
}
function isRecord(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function get(value, path) {
  let v = value;
  for (const seg of path) {
    if (typeof seg === "number") {
      if (!Array.isArray(v)) return void 0;
      v = v[seg];
    } else {
      if (!isRecord(v)) return void 0;
      v = v[seg];
    }
  }
  return v;
}
function stringsIn(value, keep, skip) {
  const out = [];
  const walk = (v, path) => {
    if (typeof v === "string") {
      if (keep(v)) out.push({ path, text: v });
    } else if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
    else if (isRecord(v)) {
      for (const [k, item] of Object.entries(v)) if (!skip?.(path, k)) walk(item, [...path, k]);
    }
  };
  walk(value, []);
  return out;
}
function nonEmptyString(value) {
  return typeof value === "string" && value !== "" ? value : null;
}
function str(value) {
  return typeof value === "string" ? value : null;
}
function isWorkloadKind(kind) {
  return typeof kind === "string" && Object.hasOwn(TEMPLATE_PATHS, kind);
}
function stringMap(value) {
  const out = {};
  if (!isRecord(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}
function readWorkload(document, prefix) {
  const object = document.data;
  if (!isRecord(object) || !isWorkloadKind(object.kind)) return null;
  const kind = object.kind;
  const apiVersion = str(object.apiVersion);
  const name = str(get(object, ["metadata", "name"]));
  const templatePath = [...TEMPLATE_PATHS[kind]];
  const template = get(object, templatePath);
  if (!apiVersion || !name || !isRecord(template)) return null;
  const recordKey = `${prefix}/secret-versions`;
  const record = get(object, ["metadata", "annotations", recordKey]);
  const replicas = get(object, ["spec", "replicas"]);
  const workload = {
    file: document.file,
    document: document.index,
    kind,
    apiVersion,
    name,
    namespace: str(get(object, ["metadata", "namespace"])),
    labels: stringMap(get(object, ["metadata", "labels"])),
    ...podTargets(templatePath),
    chartValue: null,
    secrets: [],
    ...recordFields(record, recordKey),
    templateRaw: str(get(template, ["metadata", "annotations", recordKey])),
    updateStrategy: updateStrategy(kind, object),
    replicas: typeof replicas === "number" && Number.isInteger(replicas) ? replicas : null
  };
  return { workload, document, object, template, values: null };
}
function updateStrategy(kind, object) {
  if (kind === "Deployment") return str(get(object, ["spec", "strategy", "type"]));
  if (kind === "StatefulSet" || kind === "DaemonSet")
    return str(get(object, ["spec", "updateStrategy", "type"]));
  return null;
}
function workloadsInList(document) {
  const object = document.data;
  if (!isRecord(object) || object.kind !== "List" || !Array.isArray(object.items)) return 0;
  return object.items.filter((item) => isRecord(item) && isWorkloadKind(item.kind)).length;
}

// src/core/discover/kustomize-patch.ts
var ASSOCIATIVE_KEYS = ["name", "mountPath", "devicePath", "containerPort", "ip", "type", "topologyKey"];
function associativeKey(base, patch) {
  const items = [...base, ...patch].filter((i) => !(isRecord(i) && i.$patch === "delete" && !i.name));
  if (items.length === 0) return null;
  for (const key of ASSOCIATIVE_KEYS) {
    if (items.every((i) => isRecord(i) && (typeof i[key] === "string" || typeof i[key] === "number")))
      return key;
  }
  return null;
}
function strategicMerge(base, patch) {
  if (isRecord(patch)) {
    if (patch.$patch === "delete") return void 0;
    if (patch.$patch === "replace") return withoutDirectives(patch);
    const out = isRecord(base) ? { ...base } : {};
    for (const [k, v] of Object.entries(patch)) {
      if (k.startsWith("$")) continue;
      if (v === null) {
        delete out[k];
        continue;
      }
      const merged = strategicMerge(out[k], v);
      if (merged === void 0) delete out[k];
      else out[k] = merged;
    }
    return out;
  }
  if (Array.isArray(patch) && Array.isArray(base)) {
    const key = associativeKey(base, patch);
    if (key === null) return patch.map(withoutDirectives);
    const out = [...base];
    for (const item of patch) {
      const id = item[key];
      const at = out.findIndex((b) => b[key] === id);
      if (item.$patch === "delete") {
        if (at >= 0) out.splice(at, 1);
      } else if (at >= 0) out[at] = strategicMerge(out[at], item);
      else out.push(withoutDirectives(item));
    }
    return out;
  }
  return withoutDirectives(patch);
}
function withoutDirectives(value) {
  if (Array.isArray(value)) return value.map(withoutDirectives);
  if (!isRecord(value)) return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith("$")) out[k] = withoutDirectives(v);
  return out;
}
function isJsonPatch(value) {
  return Array.isArray(value) && value.every((op) => isRecord(op) && typeof op.op === "string" && typeof op.path === "string");
}
function pointer(path) {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new Error(`JSON pointer "${path}" must start with "/"`);
  return path.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}
function getAt(root, segs) {
  let v = root;
  for (const s of segs) {
    if (Array.isArray(v)) v = v[listIndex(v, s, "get")];
    else if (isRecord(v)) v = Object.hasOwn(v, s) ? v[s] : void 0;
    else return void 0;
  }
  return v;
}
function listIndex(list7, seg, op) {
  if (seg === "-") return op === "add" ? list7.length : -1;
  if (!/^-?\d+$/.test(seg)) return -1;
  const n = Number(seg);
  if (n >= 0) return n;
  return (op === "add" ? list7.length + 1 : list7.length) + n;
}
function setAt(root, segs, op, value) {
  if (segs.length === 0) return op === "remove" ? void 0 : value;
  const [head, ...rest] = segs;
  if (Array.isArray(root)) {
    const out2 = [...root];
    const index = listIndex(out2, head, rest.length > 0 ? "get" : op);
    const last = op === "add" && rest.length === 0 ? out2.length : out2.length - 1;
    if (!Number.isInteger(index) || index < 0 || index > last) throw new Error(`no list index "${head}"`);
    if (rest.length > 0) out2[index] = setAt(out2[index], rest, op, value);
    else if (op === "add") out2.splice(index, 0, value);
    else if (op === "remove") out2.splice(index, 1);
    else out2[index] = value;
    return out2;
  }
  if (!isRecord(root)) throw new Error(`"${head}" is not in a map or list`);
  const out = { ...root };
  if (rest.length > 0) {
    if (!Object.hasOwn(out, head)) throw new Error(`no key "${head}"`);
    out[head] = setAt(out[head], rest, op, value);
  } else if (op === "remove") {
    if (!Object.hasOwn(out, head)) throw new Error(`no key "${head}"`);
    delete out[head];
  } else out[head] = value;
  return out;
}
function sameData(a, b) {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameData(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameData(a[k], b[k]));
  }
  return (a ?? null) === (b ?? null);
}
function applyJsonPatch(doc, ops) {
  const metadata = isRecord(doc) && isRecord(doc.metadata) ? doc.metadata : null;
  const implicit = metadata !== null && !Object.hasOwn(metadata, "annotations");
  let out = implicit ? { ...doc, metadata: { ...metadata, annotations: {} } } : doc;
  for (const op of ops) {
    try {
      const segs = pointer(op.path);
      switch (op.op) {
        case "add":
        case "replace":
          out = setAt(out, segs, op.op, op.value);
          break;
        case "remove":
          out = setAt(out, segs, "remove");
          break;
        case "copy":
        case "move": {
          const from = pointer(op.from ?? "");
          const value = getAt(out, from);
          if (op.op === "move") out = setAt(out, from, "remove");
          out = setAt(out, segs, "add", value ?? null);
          break;
        }
        case "test":
          if (!sameData(getAt(out, segs), op.value)) throw new Error("test failed");
          break;
        default:
          throw new Error(`unknown op "${op.op}"`);
      }
    } catch (err) {
      throw new Error(`${op.op} ${op.path}: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err
      });
    }
  }
  if (implicit && isRecord(out) && isRecord(out.metadata)) {
    const annotations = out.metadata.annotations;
    if (isRecord(annotations) && Object.keys(annotations).length === 0) {
      const { annotations: _a, ...rest } = out.metadata;
      out = { ...out, metadata: rest };
    }
  }
  return out;
}

// src/core/discover/kustomize-build.ts
function isRefusal(built) {
  return "refused" in built;
}
var CLUSTER_SCOPED = /* @__PURE__ */ new Set([
  "Namespace",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "IngressClass",
  "APIService",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "ClusterSecretStore",
  "ClusterExternalSecret",
  "ClusterIssuer"
]);
var RENAMED_WITH_REFERENCES = /* @__PURE__ */ new Set(["Secret", "ConfigMap"]);
var list = (value) => Array.isArray(value) ? value : [];
function isComponent(data) {
  return data.kind === "Component";
}
function isRemote(entry) {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || /^(git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/.test(entry) || /\?ref=|\/\/.*\?/.test(entry);
}
function withMeta(item, changes) {
  const data = item.data;
  const metadata = isRecord(data.metadata) ? data.metadata : {};
  const out = { doc: item.doc, data: { ...data, metadata: { ...metadata, ...changes } } };
  if (item.name !== void 0) out.name = item.name;
  if (item.patchedAs !== void 0) out.patchedAs = item.patchedAs;
  if (item.history !== void 0) out.history = item.history;
  return out;
}
function resourceId(item) {
  const data = item.data;
  if (!isRecord(data)) return null;
  const kind = nonEmptyString(data.kind);
  const name = item.name ?? nonEmptyString(get(data, ["metadata", "name"]));
  if (kind === null || name === null) return null;
  const apiVersion = String(data.apiVersion ?? "");
  const [group2, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
  const ns = CLUSTER_SCOPED.has(kind) ? "" : nonEmptyString(get(data, ["metadata", "namespace"])) ?? "default";
  return `${kind}.${version || "[noVer]"}.${group2 || "[noGrp]"}/${name}.${ns || "[noNs]"}`;
}
function idsOf(item) {
  const ns = (v) => nonEmptyString(v);
  return [
    {
      name: String(get(item.doc.data, ["metadata", "name"]) ?? ""),
      namespace: ns(get(item.doc.data, ["metadata", "namespace"]))
    },
    ...item.history ?? [],
    {
      name: item.name ?? String(get(item.data, ["metadata", "name"]) ?? ""),
      namespace: ns(get(item.data, ["metadata", "namespace"]))
    }
  ];
}
function sameNamespace(a, b) {
  return (a ?? "default") === (b ?? "default");
}
function selects(target, item) {
  const o = item.data;
  if (!isRecord(o)) return false;
  const re = (pattern, value) => {
    try {
      return new RegExp(`^(?:${pattern})$`).test(value);
    } catch {
      return pattern === value;
    }
  };
  const apiVersion = String(o.apiVersion ?? "");
  const [group2, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
  if (target.kind !== void 0 && !re(target.kind, String(o.kind ?? ""))) return false;
  if (target.group !== void 0 && target.group !== group2) return false;
  if (target.version !== void 0 && target.version !== version) return false;
  const { name, namespace } = target;
  if (name !== void 0 || namespace !== void 0) {
    const ids = idsOf(item);
    const named = [ids[0], ids[ids.length - 1]].some(
      (id) => (name === void 0 || re(name, id.name)) && (namespace === void 0 || re(namespace, id.namespace ?? ""))
    );
    if (!named) return false;
  }
  if (target.labelSelector !== void 0 && !matchSelector(target.labelSelector, get(o, ["metadata", "labels"])))
    return false;
  if (target.annotationSelector !== void 0 && !matchSelector(target.annotationSelector, get(o, ["metadata", "annotations"])))
    return false;
  return true;
}
function matchSelector(selector, map) {
  const m = isRecord(map) ? map : {};
  return selector.split(",").map((t) => t.trim()).filter(Boolean).every((term) => {
    const ne = /^([^!=]+)!=(.*)$/.exec(term);
    if (ne) return m[ne[1].trim()] !== ne[2].trim();
    const eq = /^([^!=]+)==?(.*)$/.exec(term);
    if (eq) return m[eq[1].trim()] === eq[2].trim();
    if (term.startsWith("!")) return !(term.slice(1) in m);
    return /^[\w./-]+$/.test(term) && term in m;
  });
}
function names(patch, item) {
  const o = item.data;
  if (!isRecord(o) || o.kind !== patch.kind) return false;
  const name = get(patch, ["metadata", "name"]);
  const ns = nonEmptyString(get(patch, ["metadata", "namespace"]));
  return idsOf(item).some((id) => id.name === name && sameNamespace(id.namespace, ns));
}
function withoutIdentity(p) {
  const { apiVersion: _a, kind: _k, ...rest } = p;
  if (!isRecord(rest.metadata)) return rest;
  const { name: _n, namespace: _ns, ...metadata } = rest.metadata;
  return { ...rest, metadata };
}
function describe(item) {
  return `${String(get(item.data, ["kind"]) ?? "?")}/${String(get(item.data, ["metadata", "name"]) ?? "?")} (${item.doc.file})`;
}
function utf8Length(text) {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128) n += c >= 2048 && (c < 55296 || c > 57343) ? 2 : c < 2048 ? 1 : 0;
  }
  return n;
}
var EMPTY = { items: [], generated: [], bytes: 0 };
var KustomizeBuild = class {
  constructor(input) {
    this.input = input;
    this.limits = input.limits ?? DEFAULT_ROOT_LIMITS;
  }
  input;
  /** Files kustomizations read as patches or generator input: never manifests of their own. */
  inputs = /* @__PURE__ */ new Set();
  /** Folders a kustomization includes (as a resource or a component). */
  included = /* @__PURE__ */ new Set();
  /** Files a kustomization names that are not among the files read (the caller may load them and retry). */
  missing = /* @__PURE__ */ new Set();
  memo = /* @__PURE__ */ new Map();
  building = /* @__PURE__ */ new Set();
  sizes = /* @__PURE__ */ new Map();
  limits;
  /** What the kustomization in `dir` builds (the same layer object every time: items are immutable). */
  build(dir, from) {
    const stack = [];
    let result = this.open({ kind: "resource", dir, from }, stack);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const step = frame.steps.next(result);
      if (step.done) {
        stack.pop();
        this.building.delete(frame.dir);
        if (frame.memoise) this.memo.set(frame.dir, step.value);
        result = step.value;
      } else result = this.open(step.value, stack);
    }
    return result;
  }
  /**
   * Every file and folder a kustomization names, transitively, without building it: what a refused root
   * would have built is then neither a root of its own nor a manifest standing for itself.
   */
  reach(dir) {
    const files = /* @__PURE__ */ new Set();
    const seen = /* @__PURE__ */ new Set([dir]);
    const todo = [dir];
    const { kustomizations, texts } = this.input;
    for (let next = todo.pop(); next !== void 0; next = todo.pop()) {
      const k = kustomizations.get(next);
      if (!k) continue;
      const d = k.data;
      for (const entry of [...list(d.resources), ...list(d.bases), ...list(d.components)]) {
        const path = typeof entry === "string" ? joinPath(next, entry) : null;
        if (path === null) continue;
        if (kustomizations.has(path) || this.input.brokenDirs.has(path)) {
          if (path !== dir) this.included.add(path);
          if (!seen.has(path)) {
            seen.add(path);
            todo.push(path);
          }
        } else if (texts.has(path)) files.add(path);
      }
      const named = [
        ...list(d.patchesStrategicMerge),
        ...[...list(d.patches), ...list(d.patchesJson6902)].map((p) => get(p, ["path"])),
        ...[...list(d.configMapGenerator), ...list(d.secretGenerator)].flatMap(
          (g) => list(get(g, ["files"])).map((f) => typeof f === "string" ? f.slice(f.indexOf("=") + 1) : f)
        )
      ];
      for (const rel of named) {
        if (typeof rel !== "string" || rel.includes("\n")) continue;
        const path = joinPath(next, rel.trim());
        if (path !== null && texts.has(path)) this.inputs.add(path);
      }
    }
    return files;
  }
  refuse(file, message) {
    return { refused: true, file, message };
  }
  /** Starts what `request` asks for: the answer now, or a frame pushed whose result is the answer. */
  open(request, stack) {
    const { dir } = request;
    if (request.kind === "component") {
      if (this.building.has(dir)) {
        this.input.report(request.from, `kustomization cycle through component "${request.entry}": skipped`);
        return request.start;
      }
      if (stack.length >= this.limits.maxDepth) return this.tooDeep(request.k.file);
      this.building.add(dir);
      stack.push({ dir, memoise: false, steps: this.layer(dir, request.k, request.start) });
      return void 0;
    }
    const cached = this.memo.get(dir);
    if (cached) return cached;
    const k = this.input.kustomizations.get(dir);
    if (!k) return EMPTY;
    if (this.building.has(dir)) {
      this.input.report(
        k.file,
        `kustomization cycle through "${dir || "."}" (from "${request.from}"): skipped`
      );
      return EMPTY;
    }
    if (stack.length >= this.limits.maxDepth) return this.tooDeep(k.file);
    this.building.add(dir);
    stack.push({ dir, memoise: true, steps: this.layer(dir, k, EMPTY) });
    return void 0;
  }
  tooDeep(file) {
    return this.refuse(
      file,
      `kustomizations are nested more than ${this.limits.maxDepth} deep here (MAX_KUSTOMIZE_DEPTH)`
    );
  }
  size(file) {
    let n = this.sizes.get(file);
    if (n === void 0) this.sizes.set(file, n = utf8Length(this.input.texts.get(file) ?? ""));
    return n;
  }
  parseYaml(text, file) {
    const read = readYamlData(text);
    if (read.ok) return read.docs;
    this.input.report(file, read.message);
    return null;
  }
  /** Parses a file a kustomization reads (a patch, a values file); null when it is not read. */
  parseText(file) {
    const text = this.input.texts.get(file);
    if (text === void 0) return null;
    return this.parseYaml(text, file);
  }
  /**
   * One kustomization applied to `start` (empty for a folder's own build, its includer's layer for a
   * component), in kustomize's order: resources, generators, components, patches, namespace and names.
   */
  *layer(dir, k, start) {
    const { texts, docsByFile, kustomizations, brokenDirs, isDir, report } = this.input;
    const { maxDocuments, maxBytes } = this.limits;
    const d = k.data;
    const items = [...start.items];
    const generated = [...start.generated];
    let bytes = start.bytes + this.size(k.file);
    const ids = /* @__PURE__ */ new Map();
    for (const item of items) {
      const id = resourceId(item);
      if (id !== null) ids.set(id, item.doc.file);
    }
    const tooMuch = () => {
      if (items.length > maxDocuments)
        return this.refuse(k.file, `builds more than ${maxDocuments} documents (MAX_ROOT_DOCUMENTS)`);
      if (bytes > maxBytes)
        return this.refuse(
          k.file,
          `reads more than ${maxBytes} bytes, counting each include (MAX_ROOT_BYTES)`
        );
      return null;
    };
    const accumulate = (more, entry) => {
      if (items.length + more.length > maxDocuments)
        return this.refuse(k.file, `builds more than ${maxDocuments} documents (MAX_ROOT_DOCUMENTS)`);
      for (const item of more) {
        const id = resourceId(item);
        if (id !== null) {
          const first = ids.get(id);
          if (first !== void 0) {
            const where = first === item.doc.file ? `"${first}" again` : `"${item.doc.file}" after "${first}"`;
            return this.refuse(
              k.file,
              `may not add resource with an already registered id: ${id} (${where}, through "${entry}")`
            );
          }
          ids.set(id, item.doc.file);
        }
        items.push(item);
      }
      return null;
    };
    for (const entry of [...list(d.resources), ...list(d.bases)]) {
      if (typeof entry !== "string") continue;
      if (isRemote(entry)) {
        report(k.file, `remote resource "${entry}" is not fetched: what it builds is not discovered`);
        continue;
      }
      const path = joinPath(dir, entry);
      if (path === null) {
        report(k.file, `resource "${entry}" is outside the repository: skipped`);
        continue;
      }
      if (kustomizations.has(path)) {
        this.included.add(path);
        const sub = yield { kind: "resource", dir: path, from: k.file };
        if (isRefusal(sub)) return sub;
        bytes += sub.bytes;
        const refused = accumulate(sub.items, entry) ?? tooMuch();
        if (refused) return refused;
        for (const g of sub.generated) generated.push(g);
      } else if (texts.has(path)) {
        bytes += this.size(path);
        const docs = (docsByFile.get(path) ?? []).filter((doc) => isRecord(doc.data));
        const refused = accumulate(
          docs.map((doc) => ({ doc, data: doc.data })),
          entry
        ) ?? tooMuch();
        if (refused) return refused;
      } else if (brokenDirs.has(path)) {
        this.included.add(path);
      } else if (isDir(path)) {
        report(k.file, `resource "${entry}" is a folder without a kustomization file: kustomize refuses it`);
      } else {
        this.missing.add(path);
        report(k.file, `resource "${entry}" not found (or not selected by include/exclude)`);
      }
    }
    const generatorRefusal = this.generate(dir, k, generated);
    if (generatorRefusal) return generatorRefusal;
    let layer = { items, generated, bytes };
    for (const entry of list(d.components)) {
      if (typeof entry !== "string") continue;
      if (isRemote(entry)) {
        report(k.file, `remote component "${entry}" is not fetched: what it adds is not discovered`);
        continue;
      }
      const path = joinPath(dir, entry);
      const c = path === null ? void 0 : kustomizations.get(path);
      if (path === null || !c) {
        if (path !== null && brokenDirs.has(path)) continue;
        report(k.file, `component "${entry}" not found`);
        continue;
      }
      this.included.add(path);
      const applied = yield { kind: "component", dir: path, entry, from: k.file, k: c, start: layer };
      if (isRefusal(applied)) return applied;
      layer = applied;
    }
    const patched = this.patch(dir, k, layer.items, layer.generated);
    bytes = layer.bytes + patched.bytes;
    if (bytes > maxBytes)
      return this.refuse(k.file, `reads more than ${maxBytes} bytes, counting each include (MAX_ROOT_BYTES)`);
    let out = patched.items;
    const namespace = nonEmptyString(d.namespace);
    const prefix = typeof d.namePrefix === "string" ? d.namePrefix : "";
    const suffix = typeof d.nameSuffix === "string" ? d.nameSuffix : "";
    if (namespace !== null || prefix || suffix) {
      out = out.map((item) => {
        const o = item.data;
        const kind = String(o.kind ?? "");
        const changes = {};
        if (namespace !== null && !CLUSTER_SCOPED.has(kind)) changes.namespace = namespace;
        const name = get(o, ["metadata", "name"]);
        const before2 = {
          name: item.name ?? String(name ?? ""),
          namespace: nonEmptyString(get(o, ["metadata", "namespace"]))
        };
        const history = [...item.history ?? [], before2];
        if (changes.namespace !== void 0 && (prefix || suffix))
          history.push({ name: before2.name, namespace: changes.namespace });
        if (prefix && suffix)
          history.push({ name: `${prefix}${before2.name}`, namespace: changes.namespace ?? before2.namespace });
        let renamed2 = { ...item, patchedAs: before2, history };
        if ((prefix || suffix) && typeof name === "string") {
          if (!RENAMED_WITH_REFERENCES.has(kind)) changes.name = `${prefix}${name}${suffix}`;
          else renamed2 = { ...renamed2, name: `${prefix}${item.name ?? name}${suffix}` };
        }
        return Object.keys(changes).length > 0 ? withMeta(renamed2, changes) : renamed2;
      });
      const renamed = layer.generated.map((g) => ({
        ...g,
        names: /* @__PURE__ */ new Set([...g.names, ...[...g.names].map((n) => `${prefix}${n}${suffix}`)])
      }));
      return { items: out, generated: renamed, bytes };
    }
    return { items: out, generated: layer.generated, bytes };
  }
  /**
   * The kustomization's `configMapGenerator` / `secretGenerator` entries, added to `generated` (a `merge`
   * or `replace` updates the one object of that name generated below it); a refusal when kustomize would
   * refuse the merge.
   */
  generate(dir, k, generated) {
    const d = k.data;
    for (const [field, kind] of [
      ["configMapGenerator", "ConfigMap"],
      ["secretGenerator", "Secret"]
    ]) {
      for (const g of list(d[field])) {
        const name = nonEmptyString(get(g, ["name"]));
        if (!name) continue;
        const files = /* @__PURE__ */ new Map();
        for (const f of list(get(g, ["files"]))) {
          if (typeof f !== "string") continue;
          const eq = f.indexOf("=");
          const rel = eq >= 0 ? f.slice(eq + 1) : f;
          const path = joinPath(dir, rel);
          if (path === null) continue;
          this.inputs.add(path);
          files.set(eq >= 0 ? f.slice(0, eq) : baseName(rel), path);
        }
        const behavior = nonEmptyString(get(g, ["behavior"])) ?? "create";
        if (behavior !== "merge" && behavior !== "replace") {
          generated.push({ kind, names: /* @__PURE__ */ new Set([name]), files });
          continue;
        }
        const at = generated.flatMap((x, i) => x.kind === kind && x.names.has(name) ? [i] : []);
        if (at.length !== 1)
          return this.refuse(
            k.file,
            at.length === 0 ? `${field} "${name}" has behavior ${behavior}, but no ${kind} of that name was generated below it` : `${field} "${name}" has behavior ${behavior}, and ${at.length} generated ${kind}s go by that name`
          );
        const into = generated[at[0]];
        generated[at[0]] = {
          ...into,
          files: behavior === "replace" ? files : new Map([...into.files, ...files])
        };
      }
    }
    return null;
  }
  /** The kustomization's patches, in kustomize's order of fields, and the bytes of the patches it read. */
  patch(dir, k, start, generated) {
    const { texts, report } = this.input;
    const d = k.data;
    let items = start;
    const generates = (p) => generated.some((g) => g.kind === p.kind && g.names.has(String(get(p, ["metadata", "name"]) ?? "")));
    let bytes = 0;
    const loaded = (entry, what) => {
      if (typeof entry === "string") {
        if (!entry.includes("\n") && /\.(ya?ml|json)$/i.test(entry.trim())) return fromFile(entry.trim());
        return this.parseYaml(entry, k.file);
      }
      if (!isRecord(entry)) return null;
      if (typeof entry.patch === "string") return this.parseYaml(entry.patch, k.file);
      if (typeof entry.path === "string") return fromFile(entry.path);
      report(k.file, `${what} entry without "path" or "patch": skipped`);
      return null;
    };
    const fromFile = (rel) => {
      const path = joinPath(dir, rel);
      if (path === null || !texts.has(path)) {
        if (path !== null) this.missing.add(path);
        report(k.file, `patch "${rel}" not found (or not selected by include/exclude)`);
        return null;
      }
      this.inputs.add(path);
      bytes += this.size(path);
      return this.parseText(path);
    };
    const run = (docs, target) => {
      const t = isRecord(target) ? target : void 0;
      const first = docs.length === 1 ? docs[0] : void 0;
      if (isJsonPatch(first) || docs.length === 0 && t) {
        if (!t) {
          report(k.file, 'a JSON 6902 patch needs a "target": skipped');
          return;
        }
        items = items.map((item) => {
          if (!selects(t, item)) return item;
          try {
            return { ...item, data: applyJsonPatch(item.data, first ?? []) };
          } catch (err) {
            report(
              k.file,
              `JSON 6902 patch does not apply to ${describe(item)}: ${err.message}; kustomize refuses this build`
            );
            return item;
          }
        });
        return;
      }
      for (const p of docs) {
        if (!isRecord(p)) continue;
        if (!t) {
          const matches = items.filter((item) => names(p, item)).length;
          if (matches !== 1 && !(matches === 0 && generates(p))) {
            report(
              k.file,
              `strategic-merge patch ${String(p.kind ?? "?")}/${String(get(p, ["metadata", "name"]) ?? "?")} ${matches === 0 ? "matches no object" : `matches ${matches} objects`}: kustomize refuses this build; not applied`
            );
            continue;
          }
        }
        items = items.flatMap((item) => {
          if (t ? !selects(t, item) : !names(p, item)) return [item];
          const merged = strategicMerge(item.data, withoutIdentity(p));
          return merged === void 0 ? [] : [{ ...item, data: merged }];
        });
      }
    };
    for (const entry of list(d.patchesStrategicMerge)) {
      const docs = loaded(entry, "patchesStrategicMerge");
      if (docs) run(docs, void 0);
    }
    for (const entry of list(d.patches)) {
      const docs = loaded(entry, "patches");
      if (docs) run(docs, get(entry, ["target"]));
    }
    for (const entry of list(d.patchesJson6902)) {
      const docs = loaded(entry, "patchesJson6902");
      if (docs) run(docs, get(entry, ["target"]) ?? {});
    }
    return { items, bytes };
  }
};

// src/core/discover/applicationset.ts
var import_picomatch = __toESM(require_picomatch(), 1);
var list2 = (value) => Array.isArray(value) ? value : [];
function expandApplicationSet(templatePaths, generators, dirs) {
  const unsupported = [];
  const templated = templatePaths.filter((p) => p.includes("{{"));
  const paths = templatePaths.filter((p) => !p.includes("{{"));
  if (templated.length === 0) return { paths, unsupported };
  const sets = [];
  for (const g of list2(generators)) {
    const made = generate(g, /* @__PURE__ */ new Map(), dirs);
    if (typeof made === "string") unsupported.push(made);
    else sets.push(...made);
  }
  for (const template of templated) {
    let failed = false;
    for (const params of sets) {
      const path = substitute(template, params);
      if (path === null) failed = true;
      else if (!paths.includes(path)) paths.push(path);
    }
    if (failed)
      unsupported.push(`template path "${template}" uses a parameter or function the generators do not give`);
  }
  return { paths, unsupported };
}
function generate(g, outer, dirs) {
  if (!isRecord(g)) return "a generator that is not a mapping";
  if (isRecord(g.git)) return gitDirectories(g.git, outer, dirs);
  if (isRecord(g.list)) return listElements(g.list);
  if (isRecord(g.matrix)) {
    const children = list2(g.matrix.generators);
    if (children.length !== 2) return "a matrix generator without exactly two generators";
    const first = generate(children[0], outer, dirs);
    if (typeof first === "string") return first;
    const out = [];
    for (const a of first) {
      const second = generate(children[1], new Map([...outer, ...a]), dirs);
      if (typeof second === "string") return second;
      for (const b of second) out.push(new Map([...a, ...b]));
    }
    return out;
  }
  const kind = Object.keys(g).find((k) => k !== "selector" && k !== "values") ?? "unknown";
  return `the "${kind}" generator is not read (only git directories, list and matrix of those)`;
}
function gitDirectories(git, outer, dirs) {
  const entries = list2(git.directories);
  if (entries.length === 0) return "a git generator without directories (git files are not read)";
  const include = [];
  const exclude = [];
  for (const e of entries) {
    const raw = get(e, ["path"]);
    if (typeof raw !== "string") continue;
    const glob = substitute(raw, outer);
    if (glob === null) return `git directory path "${raw}" uses a parameter the generators do not give`;
    (get(e, ["exclude"]) === true ? exclude : include).push(glob.replace(/^\.?\/+/, "").replace(/\/+$/, ""));
  }
  if (include.length === 0) return [];
  const included = (0, import_picomatch.default)(include);
  const excluded = exclude.length > 0 ? (0, import_picomatch.default)(exclude) : () => false;
  return dirs.filter((d) => d !== "" && included(d) && !excluded(d)).map(directoryParams);
}
function directoryParams(dir) {
  const base = baseName(dir);
  const normalized = base.replace(/[^a-zA-Z0-9-]/g, "-").toLowerCase();
  const params = /* @__PURE__ */ new Map([
    ["path", dir],
    ["path.path", dir],
    ["path.basename", base],
    ["path.basenameNormalized", normalized]
  ]);
  dir.split("/").forEach((seg, i) => {
    params.set(`path[${i}]`, seg);
    params.set(`path.segments[${i}]`, seg);
  });
  return params;
}
function listElements(gen) {
  if (gen.elementsYaml !== void 0) return "a list generator with elementsYaml is not read";
  return list2(gen.elements).flatMap((e) => isRecord(e) ? [flatten(e, "", /* @__PURE__ */ new Map())] : []);
}
function flatten(o, prefix, out) {
  for (const [k, v] of Object.entries(o)) {
    if (isRecord(v)) flatten(v, `${prefix}${k}.`, out);
    else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean")
      out.set(`${prefix}${k}`, String(v));
  }
  return out;
}
function substitute(template, params) {
  let failed = false;
  const out = template.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_, expr) => {
    const index = /^index\s+\.([\w.]+)\s+(\d+)$/.exec(expr);
    const key = index ? `${index[1]}[${index[2]}]` : expr.replace(/^\./, "");
    const value = params.get(key);
    if (value === void 0) failed = true;
    return value ?? "";
  });
  return failed ? null : out;
}

// src/core/discover/deployments.ts
var FLUX_OWN_SOURCE = "flux-system";
var list3 = (value) => Array.isArray(value) ? value : [];
function isFluxKustomization(o) {
  return isRecord(o) && o.kind === "Kustomization" && String(o.apiVersion ?? "").startsWith("kustomize.toolkit.fluxcd.io/");
}
function isArgoApp(o) {
  return isRecord(o) && (o.kind === "Application" || o.kind === "ApplicationSet") && String(o.apiVersion ?? "").startsWith("argoproj.io/");
}
function isDeploymentObject(o) {
  return isFluxKustomization(o) || isArgoApp(o);
}
var DeploymentReader = class {
  constructor(repo, all) {
    this.repo = repo;
    const used = all.flatMap(
      (d) => isFluxKustomization(d.data) ? [nonEmptyString(get(d.data, ["spec", "sourceRef", "name"])) ?? ""] : []
    );
    this.fluxSources = used.includes(FLUX_OWN_SOURCE) ? /* @__PURE__ */ new Set([FLUX_OWN_SOURCE]) : null;
  }
  repo;
  /** Files that are chart values of an Argo CD Application (`helm.valueFiles`). */
  namedValues = /* @__PURE__ */ new Set();
  fluxSources;
  reported = /* @__PURE__ */ new Set();
  /** The folders one document deploys (none for any other document). */
  targets(doc) {
    const o = doc.data;
    if (isFluxKustomization(o)) return this.flux(doc, o);
    if (isArgoApp(o)) return this.argo(doc, o);
    return [];
  }
  flux(doc, o) {
    const path = this.folder(get(o, ["spec", "path"]) ?? "./");
    if (path === null) return [];
    const kind = nonEmptyString(get(o, ["spec", "sourceRef", "kind"])) ?? "GitRepository";
    const name = nonEmptyString(get(o, ["spec", "sourceRef", "name"])) ?? "";
    if (kind !== "GitRepository") return [];
    if (this.fluxSources !== null && !this.fluxSources.has(name)) {
      this.once(
        doc.file,
        `Flux Kustomization "${String(get(o, ["metadata", "name"]) ?? "")}" reads GitRepository "${name}", not this repository's "${FLUX_OWN_SOURCE}": its path "${path || "."}" is not followed`
      );
      return [];
    }
    const namespace = nonEmptyString(get(o, ["spec", "targetNamespace"]));
    return [{ dir: path, recurse: true, namespace, by: doc.file }];
  }
  argo(doc, o) {
    const spec = o.kind === "Application" ? o.spec : get(o, ["spec", "template", "spec"]);
    const sources = [get(spec, ["source"]), ...list3(get(spec, ["sources"]))].filter(isRecord);
    const out = [];
    const raw = [];
    for (const s of sources) {
      if (typeof s.path !== "string") continue;
      this.valueFiles(s);
      if (s.chart !== void 0 || s.helm !== void 0) continue;
      raw.push({ path: s.path, recurse: get(s, ["directory", "recurse"]) === true });
    }
    if (o.kind === "ApplicationSet" && raw.some((r) => r.path.includes("{{"))) {
      const expanded = expandApplicationSet(
        raw.map((r) => r.path),
        get(o, ["spec", "generators"]),
        [...this.repo.dirs]
      );
      for (const why of expanded.unsupported)
        this.once(
          doc.file,
          `ApplicationSet "${String(get(o, ["metadata", "name"]) ?? "")}": ${why}; the folders it deploys from there are not followed`
        );
      const recurse = raw.some((r) => r.recurse);
      raw.splice(0, raw.length, ...expanded.paths.map((path) => ({ path, recurse })));
    }
    for (const r of raw) {
      const dir = this.folder(r.path);
      if (dir !== null && !this.repo.hasFile(`${dir ? `${dir}/` : ""}Chart.yaml`))
        out.push({ dir, recurse: r.recurse, namespace: null, by: doc.file });
    }
    return out;
  }
  valueFiles(s) {
    const base = typeof s.path === "string" ? joinPath("", s.path) : null;
    for (const v of list3(get(s, ["helm", "valueFiles"]))) {
      if (typeof v !== "string" || base === null) continue;
      const file = joinPath(base, v);
      if (file !== null && this.repo.hasFile(file)) this.namedValues.add(file);
    }
  }
  /** A path as a folder of this repository, or null (a template, a variable, another repository's). */
  folder(raw) {
    if (typeof raw !== "string" || raw.includes("{{") || raw.includes("$")) return null;
    const path = joinPath("", raw);
    return path !== null && this.repo.dirs.has(path) ? path : null;
  }
  once(file, message) {
    const key = `${file}\0${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.repo.report(file, message);
  }
};
function walkDeployments(reader, entries, open) {
  const reached = /* @__PURE__ */ new Map();
  const opened = /* @__PURE__ */ new Set();
  const queue = [...entries];
  for (let set = queue.shift(); set; set = queue.shift()) {
    for (const doc of set.documents) {
      for (const target of reader.targets(doc)) {
        const reach = { file: doc.file, from: set.from };
        const known = reached.get(target.dir);
        if (known) {
          if (!known.some((r) => r.file === reach.file && r.from === reach.from)) known.push(reach);
        } else reached.set(target.dir, [reach]);
        if (opened.has(target.dir)) continue;
        opened.add(target.dir);
        const documents = open(target);
        if (documents) queue.push({ from: target.dir, documents });
      }
    }
  }
  return reached;
}

// src/core/discover/roots.ts
var ROOT_PATCH_FILE = "vault-rollout.patch.yaml";
var ROOT_NAMING_KINDS = /\bkind["']?\s*:\s*["']?(?:Kustomization|Application|ApplicationSet)\b/;
function objectKey(o) {
  return JSON.stringify([o.kind, o.namespace ?? "", o.name, o.apiVersion]);
}
function rootPatchFile(dir) {
  return `${dir ? `${dir}/` : ""}${ROOT_PATCH_FILE}`;
}
function docKey(file, index) {
  return `${file}#${index}`;
}
var list4 = (value) => Array.isArray(value) ? value : [];
function buildRoots(input) {
  return new RootGraphBuilder(input).run();
}
var RootGraphBuilder = class {
  constructor(input) {
    this.input = input;
    this.texts = new Map(input.files.map((f) => [f.path, f.text]));
    for (const d of input.documents) {
      const docs = this.docsByFile.get(d.file);
      if (docs) docs.push(d);
      else this.docsByFile.set(d.file, [d]);
    }
    this.readKustomizations();
    const dirs = foldersOf(this.texts.keys());
    this.deployments = new DeploymentReader(
      {
        dirs,
        hasFile: (path) => this.texts.has(path),
        report: (file, message) => this.report(file, message)
      },
      input.documents
    );
    this.kustomize = new KustomizeBuild({
      texts: this.texts,
      docsByFile: this.docsByFile,
      kustomizations: this.kustomizations,
      brokenDirs: this.brokenDirs,
      isDir: (path) => dirs.has(path),
      report: (file, message) => this.report(file, message),
      ...input.limits ? { limits: input.limits } : {}
    });
  }
  input;
  texts;
  docsByFile = /* @__PURE__ */ new Map();
  problems = [];
  kustomizations = /* @__PURE__ */ new Map();
  /** Folders whose kustomization cannot be built as it is: nothing under them is discovered. */
  brokenDirs = /* @__PURE__ */ new Set();
  /** Files a refused root would build: neither discovered nor edited on their own. */
  refusedFiles = /* @__PURE__ */ new Set();
  kustomize;
  deployments;
  report(file, message) {
    this.problems.push({ file, severity: "warning", message });
  }
  /** Kustomization files by folder; a folder with none readable, or with several, is broken. */
  readKustomizations() {
    const byDir = /* @__PURE__ */ new Map();
    for (const file of this.texts.keys()) {
      if (!isKustomizationFile(file)) continue;
      const dir = dirName(file);
      const data = this.docsByFile.get(file)?.[0]?.data;
      if (isRecord(data) && String(data.apiVersion ?? "").startsWith("kustomize.toolkit.fluxcd.io/"))
        continue;
      const files = byDir.get(dir);
      if (files) files.push(file);
      else byDir.set(dir, [file]);
    }
    for (const [dir, files] of byDir) {
      if (files.length > 1) {
        this.report(
          files[0],
          `several kustomization files in "${dir || "."}" (${files.map((f) => `"${f}"`).join(", ")}): kustomize refuses to build it; skipped, nothing under it is edited`
        );
        this.brokenDirs.add(dir);
        continue;
      }
      const file = files[0];
      const doc = this.docsByFile.get(file);
      const data = doc?.[0]?.data;
      if (doc === void 0 || doc.length !== 1 || !isRecord(data)) {
        this.brokenDirs.add(dir);
        continue;
      }
      this.kustomizations.set(dir, { file, data });
    }
  }
  run() {
    const { kustomize } = this;
    const built = /* @__PURE__ */ new Map();
    for (const [dir, k] of [...this.kustomizations].sort(([a], [b]) => compare(a, b)))
      if (!isComponent(k.data)) built.set(dir, kustomize.build(dir, dir));
    for (const [dir, b] of built)
      if (isRefusal(b)) for (const file of kustomize.reach(dir)) this.refusedFiles.add(file);
    const tops = [...built.keys()].filter((dir) => !kustomize.included.has(dir));
    const builtFiles = /* @__PURE__ */ new Set();
    for (const layer of built.values())
      if (!isRefusal(layer)) for (const item of layer.items) builtFiles.add(item.doc.file);
    const candidates = this.input.documents.filter(
      (d) => !builtFiles.has(d.file) && !kustomize.inputs.has(d.file) && !this.refusedFiles.has(d.file) && !isKustomizationFile(d.file) && !this.underBroken(dirName(d.file))
    );
    const deploying = this.input.documents.some((d) => isDeploymentObject(d.data));
    const { flat, reached } = deploying ? this.deployedRoots(built, tops, candidates) : { flat: candidates, reached: /* @__PURE__ */ new Map() };
    if (!deploying) for (const dir of tops) this.addRoot(dir, built.get(dir), null);
    const builders = /* @__PURE__ */ new Map();
    for (const root of this.roots) {
      for (const doc of root.documents) {
        const key = docKey(doc.file, doc.index);
        const by = builders.get(key);
        if (!by) builders.set(key, [root.dir]);
        else if (!by.includes(root.dir)) by.push(root.dir);
      }
    }
    const roots = [...this.roots].sort((a, b) => compare(a.dir, b.dir));
    const rootDirs = new Set(roots.map((r) => r.dir));
    return {
      roots,
      flat: flat.filter((d) => !builders.has(docKey(d.file, d.index))),
      builders,
      problems: this.problems,
      missing: [...kustomize.missing].sort(),
      namedValues: this.deployments.namedValues,
      deployed: deploying,
      reached: new Map([...reached].filter(([dir]) => rootDirs.has(dir))),
      undeployed: deploying ? tops.filter((dir) => !this.rootDirs.has(dir)).sort(compare) : []
    };
  }
  roots = [];
  /** Folders taken as roots (a refused one too: it is not built again through another name). */
  rootDirs = /* @__PURE__ */ new Set();
  /** A kustomization folder as a root: its build, or the one problem saying kustomize refuses it. */
  addRoot(dir, layer, namespace) {
    this.rootDirs.add(dir);
    if (isRefusal(layer)) {
      this.refuseRoot(dir, this.kustomizations.get(dir).file, layer);
      return null;
    }
    const root = this.makeRoot(dir, "kustomize", this.kustomizations.get(dir).file, layer, namespace);
    this.roots.push(root);
    return root;
  }
  /**
   * The roots of a repository that holds deployment objects (deployments.ts): the folders they reach,
   * starting from the entries a person or a bootstrap applies \u2014 top kustomizations that hold deployment
   * objects, and files no kustomization includes that hold them. A file no kustomization builds still
   * stands for itself, as without deployment objects: only kustomization folders can be left undeployed.
   */
  deployedRoots(built, tops, candidates) {
    const entries = [];
    const entryFiles = candidates.filter((d) => isDeploymentObject(d.data));
    if (entryFiles.length > 0) entries.push({ from: null, documents: entryFiles });
    for (const dir of tops) {
      const layer = built.get(dir);
      if (isRefusal(layer) || !layer.items.some((item) => isDeploymentObject(item.data))) continue;
      const root = this.addRoot(dir, layer, null);
      if (root) entries.push({ from: dir, documents: root.documents });
    }
    const reached = walkDeployments(this.deployments, entries, (target) => {
      const { dir } = target;
      if (this.rootDirs.has(dir) || this.brokenDirs.has(dir)) return null;
      const k = this.kustomizations.get(dir);
      if (k && isComponent(k.data)) {
        this.report(
          target.by,
          `"${dir}" is a kustomize Component: a deployment object cannot build it alone; not a render root`
        );
        return null;
      }
      if (k) return this.addRoot(dir, built.get(dir), target.namespace)?.documents ?? null;
      this.rootDirs.add(dir);
      const root = this.folderRoot(dir, target);
      if (root) this.roots.push(root);
      return root?.documents ?? null;
    });
    return { flat: [...candidates], reached };
  }
  /** A root kustomize refuses to build: one problem naming it; nothing of it is discovered or edited. */
  refuseRoot(dir, file, refusal) {
    const where = refusal.file === file ? "" : ` (in "${refusal.file}")`;
    this.report(
      file,
      `render root "${dir || "."}" is not built, as kustomize refuses it: ${refusal.message}${where}; nothing it builds is edited for it`
    );
  }
  /**
   * A folder without a kustomization that Flux or Argo CD names: Flux generates one with every manifest
   * under it (a subfolder with a kustomization is built as one); Argo CD reads the folder's files (with
   * `directory.recurse`, those below too). Null when a kustomization it builds is refused.
   */
  folderRoot(dir, how) {
    const items = [];
    const generated = [];
    const sub = /* @__PURE__ */ new Set();
    const { maxDocuments } = this.input.limits ?? DEFAULT_ROOT_LIMITS;
    const files = [...this.texts.keys()].filter((file) => (dir === "" || file.startsWith(`${dir}/`)) && (how.recurse || dirName(file) === dir)).sort();
    const refuse = (refusal) => {
      this.refuseRoot(dir, how.by, refusal);
      for (const file of files) this.refusedFiles.add(file);
      for (const owner of sub) for (const file of this.kustomize.reach(owner)) this.refusedFiles.add(file);
      return null;
    };
    for (const file of files) {
      const fileDir = dirName(file);
      const owner = this.kustomizationAbove(fileDir, dir);
      if (owner !== null) {
        const k = this.kustomizations.get(owner);
        if (!sub.has(owner) && k && !isComponent(k.data)) {
          sub.add(owner);
          const layer = this.kustomize.build(owner, dir);
          if (isRefusal(layer)) return refuse(layer);
          for (const item of layer.items) items.push(item);
          for (const g of layer.generated) generated.push(g);
        }
      } else if (!this.kustomize.inputs.has(file)) {
        for (const doc of this.docsByFile.get(file) ?? [])
          if (isRecord(doc.data)) items.push({ doc, data: doc.data });
      }
      if (items.length > maxDocuments)
        return refuse({
          refused: true,
          file,
          message: `builds more than ${maxDocuments} documents (MAX_ROOT_DOCUMENTS)`
        });
    }
    return this.makeRoot(dir, "folder", null, { items, generated, bytes: 0 }, how.namespace);
  }
  /** The nearest folder from `fileDir` up to `top` (inclusive) with a kustomization file (or a broken one). */
  kustomizationAbove(fileDir, top) {
    for (let d = fileDir; ; d = dirName(d)) {
      if (this.kustomizations.has(d) || this.brokenDirs.has(d)) return d;
      if (d === top || d === "") return null;
    }
  }
  /** Whether a folder is (under) one whose kustomization could not be read. */
  underBroken(dir) {
    if (this.brokenDirs.size === 0) return false;
    for (let d = dir; ; d = dirName(d)) {
      if (this.brokenDirs.has(d)) return true;
      if (d === "") return false;
    }
  }
  makeRoot(dir, kind, kustomization, layer, targetNamespace) {
    const seen = /* @__PURE__ */ new Set();
    const twice = /* @__PURE__ */ new Set();
    for (const item of layer.items) {
      const key = docKey(item.doc.file, item.doc.index);
      if (seen.has(key)) twice.add(key);
      seen.add(key);
    }
    const own = kustomization === null ? void 0 : this.kustomizations.get(dir)?.data;
    const transforms = own !== void 0 && (nonEmptyString(own.namespace) !== null || !!own.namePrefix || !!own.nameSuffix);
    const documents = [];
    for (let item of layer.items) {
      const key = docKey(item.doc.file, item.doc.index);
      const copy = !twice.has(key) ? void 0 : transforms && item.patchedAs ? item.patchedAs : {
        name: item.name ?? String(get(item.data, ["metadata", "name"]) ?? ""),
        namespace: nonEmptyString(get(item.data, ["metadata", "namespace"]))
      };
      const o = item.data;
      if (targetNamespace !== null && !CLUSTER_SCOPED.has(String(o.kind ?? "")))
        item = withMeta(item, { namespace: targetNamespace });
      const doc = { ...item.doc, data: item.data, root: dir };
      if (copy) doc.copy = copy;
      const values = this.valuesFromGenerators(item.data, layer.generated);
      if (values) doc.valuesFrom = values;
      documents.push(doc);
    }
    return { dir, kind, kustomization, documents, twice };
  }
  /** A HelmRelease's `valuesFrom` entries that a generator of the root makes, merged in order. */
  valuesFromGenerators(o, generated) {
    if (!isRecord(o) || o.kind !== "HelmRelease") return null;
    let values = null;
    for (const ref of list4(get(o, ["spec", "valuesFrom"]))) {
      const kind = get(ref, ["kind"]);
      const name = get(ref, ["name"]);
      const key = nonEmptyString(get(ref, ["valuesKey"])) ?? "values.yaml";
      const gen = generated.find((g) => g.kind === kind && typeof name === "string" && g.names.has(name));
      const file = gen?.files.get(key);
      if (!file) continue;
      const docs = this.kustomize.parseText(file);
      const data = docs?.[0];
      if (isRecord(data)) values = deepMerge(values ?? {}, data);
    }
    return values;
  }
};
function foldersOf(files) {
  const dirs = /* @__PURE__ */ new Set([""]);
  for (const file of files) {
    let d = dirName(file);
    while (d !== "" && !dirs.has(d)) {
      dirs.add(d);
      d = dirName(d);
    }
  }
  return dirs;
}
function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
function deepMerge(base, over) {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isRecord(b) && isRecord(v) ? deepMerge(b, v) : v;
  }
  return out;
}

// src/core/discover/charts.ts
var DEFAULT_POD_ANNOTATIONS = ["podAnnotations"];
function isValuesFileName(file) {
  const base = file.slice(file.lastIndexOf("/") + 1).toLowerCase();
  const m = /^(.*)\.ya?ml$/.exec(base);
  if (!m || base.startsWith("values.schema.")) return false;
  return /(^|[-._])values([-._]|$)/.test(m[1]);
}
function readChartTarget(document, documents, options) {
  const object = document.data;
  if (!isRecord(object)) return null;
  if (object.kind === "HelmRelease" && String(object.apiVersion ?? "").startsWith("helm.toolkit.fluxcd.io/"))
    return helmRelease(document, object, options);
  if (object.kind === "Application" && String(object.apiVersion ?? "").startsWith("argoproj.io/"))
    return application(document, object, options);
  if (documents === 1 && (object.kind === void 0 && object.apiVersion === void 0 || options.namedValues(document.file)))
    return valuesFile(document, object, options);
  return null;
}
function build(document, object, base, options, recordMap, anchor, valuesKeys) {
  const pa = [...options.podAnnotations({ ...base, file: document.file })];
  const key = `${options.prefix}/secret-versions`;
  const own = get(object, [...anchor, ...valuesKeys]);
  const values = document.valuesFrom ? deepMerge(document.valuesFrom, isRecord(own) ? own : {}) : own;
  const record = get(object, [...recordMap, key]);
  const workload = {
    file: document.file,
    document: document.index,
    ...base,
    record: { mapPath: [], within: recordMap },
    trigger: { mapPath: anchor, within: [...valuesKeys, ...pa] },
    chartValue: formatPath([...anchor, ...valuesKeys, ...pa]),
    secrets: [],
    ...recordFields(record, key),
    templateRaw: nonEmptyString(get(object, [...anchor, ...valuesKeys, ...pa, key])),
    updateStrategy: null,
    replicas: null
  };
  const secretValues = options.secretValues?.({ ...base, file: document.file }) ?? [];
  return {
    workload,
    document,
    object,
    template: {},
    values: isRecord(values) ? values : {},
    ...secretValues.length > 0 ? { secretValues } : {}
  };
}
function helmRelease(document, object, options) {
  const name = nonEmptyString(get(object, ["metadata", "name"]));
  if (!name || !isRecord(object.spec)) return null;
  const base = {
    kind: "HelmRelease",
    apiVersion: String(object.apiVersion),
    name,
    // Where the pods run: `spec.targetNamespace`, else the release's own namespace.
    namespace: nonEmptyString(get(object, ["spec", "targetNamespace"])) ?? nonEmptyString(get(object, ["metadata", "namespace"])),
    labels: stringMap(get(object, ["metadata", "labels"]))
  };
  return build(document, object, base, options, ["metadata", "annotations"], ["spec"], ["values"]);
}
function application(document, object, options) {
  const name = nonEmptyString(get(object, ["metadata", "name"]));
  if (!name || !isRecord(object.spec)) return null;
  const base = {
    kind: "Application",
    apiVersion: String(object.apiVersion),
    name,
    namespace: nonEmptyString(get(object, ["spec", "destination", "namespace"])),
    labels: stringMap(get(object, ["metadata", "labels"]))
  };
  const list7 = get(object, ["spec", "sources"]);
  const sources = Array.isArray(list7) && list7.length > 0 ? list7.map((_, i) => ["spec", "sources", i]) : [["spec", "source"]];
  const record = ["metadata", "annotations"];
  const types = sources.map((at) => sourceType(get(object, at)));
  const helmAt = sources[types.indexOf("helm")];
  if (helmAt === void 0) {
    const other = types.indexOf("other chart");
    const at = sources[Math.max(other, 0)];
    const view2 = build(document, object, base, options, record, at, ["helm", "valuesObject"]);
    view2.unsupported = {
      message: other >= 0 ? `${formatPath(at)} renders its chart through a ${Object.keys(get(object, at)).find((k) => OTHER_TYPES.includes(k))} block, which Helm values do not reach: there is nowhere to write a restart` : `no Helm source (neither ${formatPath([...at, "chart"])} nor ${formatPath([...at, "helm"])}), so there are no chart values to restart it through; if the source path is a chart, add \`helm: {}\` to it`,
      at
    };
    return view2;
  }
  const view = build(document, object, base, options, record, helmAt, ["helm", "valuesObject"]);
  const helm = get(object, [...helmAt, "helm"]);
  const inline = get(helm, ["values"]);
  if (get(helm, ["valuesObject"]) === void 0 && typeof inline === "string" && inline.trim() !== "") {
    view.unsupported = {
      message: `${formatPath([...helmAt, "helm", "values"])} is a string, and Argo CD ignores it once helm.valuesObject is set: move those values to helm.valuesObject, then vault-rollout sets ${view.workload.chartValue}`,
      at: [...helmAt, "helm", "values"]
    };
  }
  return view;
}
var OTHER_TYPES = ["plugin", "kustomize", "directory"];
function sourceType(source) {
  if (!isRecord(source) || source.chart === void 0 && source.helm === void 0) return "none";
  return OTHER_TYPES.some((k) => source[k] !== void 0) ? "other chart" : "helm";
}
function valuesTarget(file) {
  return {
    file,
    kind: "HelmValues",
    apiVersion: "",
    name: file.slice(file.lastIndexOf("/") + 1),
    namespace: null,
    labels: {}
  };
}
function valuesFile(document, object, options) {
  const file = document.file;
  const optIn = Object.hasOwn(object, `${options.prefix}/secrets`) || Object.hasOwn(object, `${options.prefix}/secret-versions`);
  if (!optIn && !options.selectedByRule(file) && !isValuesFileName(file) && !options.namedValues(file))
    return null;
  const { file: _file, ...base } = valuesTarget(file);
  return build(document, object, base, options, [], [], []);
}

// src/core/discover/environments.ts
var import_picomatch2 = __toESM(require_picomatch(), 1);
function environmentMatcher(config, reached) {
  const envs = config.environments.map((e) => {
    const glob = e.paths.length > 0 ? (0, import_picomatch2.default)([...e.paths], { dot: true }) : () => false;
    const match = (path) => path !== "" && glob(path);
    const entry = e.entry;
    const memo = /* @__PURE__ */ new Map();
    const selects2 = (dir) => {
      const known = memo.get(dir);
      if (known !== void 0) return known;
      memo.set(dir, false);
      const yes = match(dir) || match(`${dir}/`) || entry !== void 0 && under(dir, entry) || (reached.get(dir) ?? []).some(
        (r) => match(r.file) || entry !== void 0 && under(r.file, entry) || r.from !== null && r.from !== dir && selects2(r.from)
      );
      memo.set(dir, yes);
      return yes;
    };
    const file = (f) => match(f) || match(dirName(f)) || entry !== void 0 && under(dirName(f), entry);
    const selector = (candidates) => {
      const glob2 = e.paths.find((g) => {
        const m = (0, import_picomatch2.default)(g, { dot: true });
        return candidates.some((c) => c !== "" && m(c));
      });
      if (glob2 !== void 0) return `paths "${glob2}"`;
      return entry !== void 0 ? `entry "${entry}"` : `paths "${e.paths.join('", "')}"`;
    };
    return { name: e.name, selects: selects2, file, selector };
  });
  const one = (hits, what, candidates) => {
    if (hits.length > 1) {
      const [a, b] = hits;
      const ga = a.selector(candidates);
      const gb = b.selector(candidates);
      throw new ConfigError(
        `environments "${a.name}" (${ga}) and "${b.name}" (${gb}) both match the ${what}: a root belongs to one environment, make the globs disjoint`,
        { key: "environments", environments: [a.name, b.name], globs: [ga, gb] }
      );
    }
    return hits[0]?.name ?? null;
  };
  return {
    ofRoot: (dir) => one(
      envs.filter((e) => e.selects(dir)),
      `render root "${dir}"`,
      [dir, `${dir}/`, ...(reached.get(dir) ?? []).map((r) => r.file)]
    ),
    ofFile: (f) => one(
      envs.filter((e) => e.file(f)),
      `file "${f}"`,
      [f, dirName(f)]
    )
  };
}

// src/core/plan/root-patch.ts
var ROOT_PATCH_HEADER = [
  "# Generated by vault-rollout: do not edit. Rewritten whole on every run that changes it.",
  "# Strategic-merge patches listed in this folder's kustomization (`patches`): the Vault secret versions",
  "# this render root last rolled out, for objects it shares with other roots."
].join("\n");
function isData(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function renderRootPatch(existing, sets, keep, header = ROOT_PATCH_HEADER) {
  const entries = /* @__PURE__ */ new Map();
  if (existing !== void 0 && existing.trim() !== "") {
    const parsed = readYamlData(existing);
    if (!parsed.ok) return parsed;
    for (const data of parsed.docs) {
      if (data === null || data === void 0) continue;
      if (!isData(data) || typeof data.kind !== "string" || !isData(data.metadata) || typeof data.metadata.name !== "string")
        return { ok: false, message: "holds a document that is not a patch of a named object" };
      const id = identity(data);
      entries.set(objectKey(id), data);
    }
  }
  for (const set of sets) {
    const key = objectKey(set.object);
    let entry = entries.get(key);
    if (!entry) {
      entry = {
        apiVersion: set.object.apiVersion,
        kind: set.object.kind,
        metadata: {
          name: set.object.name,
          ...set.object.namespace ? { namespace: set.object.namespace } : {}
        }
      };
      entries.set(key, entry);
    }
    let map = entry;
    set.path.slice(0, -1).forEach((seg) => {
      const next = map[seg];
      if (!isData(next)) map[seg] = {};
      map = map[seg];
    });
    map[set.path[set.path.length - 1]] = set.value;
  }
  const kept = [...entries.values()].filter((e) => keep(identity(e)));
  kept.sort((a, b) => objectKey(identity(a)) < objectKey(identity(b)) ? -1 : 1);
  const body = kept.map((e) => emit(sortKeys(e), "")).join("---\n");
  return { ok: true, text: `${header}
${body}` };
}
function emit(map, indent) {
  let out = "";
  for (const [k, v] of Object.entries(map)) {
    const key = scalar(k);
    if (isData(v) && Object.keys(v).length > 0) out += `${indent}${key}:
${emit(v, `${indent}  `)}`;
    else
      out += `${indent}${key}: ${isData(v) ? "{}" : Array.isArray(v) ? stringify(v, { flow: true, lineWidth: 0 }).trim() : scalar(v)}
`;
  }
  return out;
}
function scalar(v) {
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  const s = String(v);
  const plain = /^[A-Za-z0-9_][A-Za-z0-9_./@,=+-]*$/.test(s) && !/^(?:true|false|yes|no|on|off|null|~|y|n)$/i.test(s) && !/^[-+]?(?:\d[\d_]*(?:\.\d*)?(?:e[-+]?\d+)?|0x[0-9a-f]+|0o[0-7]+|\.inf|\.nan)$/i.test(s);
  return plain ? s : JSON.stringify(s);
}
function identity(e) {
  const metadata = isData(e.metadata) ? e.metadata : {};
  return {
    apiVersion: String(e.apiVersion ?? ""),
    kind: String(e.kind),
    name: String(metadata.name),
    namespace: typeof metadata.namespace === "string" ? metadata.namespace : null
  };
}
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isData(value)) return value;
  const first = ["apiVersion", "kind", "metadata", "name", "namespace"];
  const keys = Object.keys(value).sort((a, b) => {
    const ia = first.indexOf(a);
    const ib = first.indexOf(b);
    if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return Object.fromEntries(keys.map((k) => [k, sortKeys(value[k])]));
}
function listComponentInKustomization(text, folder) {
  const same2 = (v) => typeof v === "string" && v.replace(/^\.\//, "").replace(/\/$/, "") === folder;
  return listInKustomization(text, {
    key: "components",
    entry: folder,
    flowEntry: folder,
    value: folder,
    listedIn: (data) => Array.isArray(data.components) && data.components.some(same2)
  });
}
function listInKustomization(text, spec) {
  const { key, entry, flowEntry, value, listedIn } = spec;
  const nl = text.includes("\r\n") ? "\r\n" : "\n";
  const cannot = `has a \`${key}\` list vault-rollout cannot extend`;
  const fast = fastManifestData(text);
  const only = fast?.length === 1 && isData(fast[0]) ? fast[0] : null;
  if (only && listedIn(only)) return { ok: true, text };
  if (only && !(key in only) && !new RegExp(`^${key}\\s*:`, "m").test(text)) {
    const sep = text === "" || text.endsWith("\n") ? "" : nl;
    const out2 = `${text}${sep}${key}:${nl}- ${entry}${nl}`;
    const after2 = fastManifestData(out2);
    if (after2?.length === 1 && JSON.stringify(after2[0]) === JSON.stringify({ ...only, [key]: [value] }))
      return { ok: true, text: out2 };
  }
  const doc = parseManifestDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0)
    return { ok: false, message: `not valid YAML: ${doc.errors[0].message.split("\n")[0]}` };
  const root = doc.contents;
  if (!isMap(root)) return { ok: false, message: "is not a YAML map" };
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === key);
  const data = doc.toJS();
  if (listedIn(data)) return { ok: true, text };
  let out;
  if (!pair) {
    const sep = text === "" || text.endsWith("\n") ? "" : nl;
    out = `${text}${sep}${key}:${nl}- ${entry}${nl}`;
  } else if (pair.value === null || isScalar(pair.value) && pair.value.value === null) {
    const keyEnd = pair.key.range[1];
    const colon = text.indexOf(":", keyEnd);
    const lineEnd = endOfLine(text, colon);
    const rest = text.slice(colon + 1, lineEnd);
    const hash = rest.search(/(^|\s)#/);
    const comment = /^\s*(#.*)?$/.test(rest) ? rest : hash < 0 ? "" : rest.slice(hash);
    out = `${text.slice(0, colon + 1)}${comment}${nl}- ${entry}${text.slice(lineEnd)}`;
    if (lineEnd === text.length) out += nl;
  } else if (isSeq(pair.value) && pair.value.flow) {
    const [start, end] = pair.value.range;
    const inner = text.slice(start, end);
    const close = inner.lastIndexOf("]");
    if (close < 0) return { ok: false, message: cannot };
    const before2 = inner.slice(0, close).trimEnd();
    const sep = before2.endsWith("[") ? "" : ", ";
    out = `${text.slice(0, start)}${before2}${sep}${flowEntry}${inner.slice(close)}${text.slice(end)}`;
  } else if (isSeq(pair.value) && pair.value.items.length > 0) {
    const first = pair.value.items[0];
    const last = pair.value.items[pair.value.items.length - 1];
    if (!first.range || !last.range) return { ok: false, message: cannot };
    const lineStart2 = text.lastIndexOf("\n", first.range[0]) + 1;
    const dash = text.slice(lineStart2, first.range[0]);
    const m = /^(\s*)-\s*/.exec(dash);
    if (!m) return { ok: false, message: cannot };
    const indent = m[1];
    const at = endOfLine(text, Math.max(last.range[1] - 1, last.range[0]));
    const nextLine2 = at < text.length ? at + (text.startsWith("\r\n", at) ? 2 : 1) : at;
    out = at < text.length ? `${text.slice(0, nextLine2)}${indent}- ${entry}${nl}${text.slice(nextLine2)}` : `${text}${nl}${indent}- ${entry}${nl}`;
  } else {
    return { ok: false, message: `has a \`${key}\` value that is not a list` };
  }
  const after = parseManifestDocument(out, { prettyErrors: false });
  const current = data[key];
  const expected = { ...data, [key]: [...Array.isArray(current) ? current : [], value] };
  if (after.errors.length > 0 || JSON.stringify(after.toJS()) !== JSON.stringify(expected))
    return {
      ok: false,
      message: `could not list ${key === "patches" ? "the patch file" : "the component"} in \`${key}\` without changing anything else`
    };
  return { ok: true, text: out };
}
function endOfLine(text, from) {
  const i = text.indexOf("\n", from);
  if (i < 0) return text.length;
  return text[i - 1] === "\r" ? i - 1 : i;
}
function unlistPatchInKustomization(text, file) {
  const doc = parseManifestDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0)
    return { ok: false, message: `not valid YAML: ${doc.errors[0].message.split("\n")[0]}` };
  const root = doc.contents;
  if (!isMap(root)) return { ok: false, message: "is not a YAML map" };
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === "patches");
  if (!pair || !isSeq(pair.value)) return { ok: true, text };
  const seq = pair.value;
  const data = doc.toJS();
  const list7 = Array.isArray(data.patches) ? data.patches : [];
  const index = list7.findIndex(
    (v) => isData(v) && Object.keys(v).length === 1 && typeof v.path === "string" && v.path.replace(/^\.\//, "") === file
  );
  if (index < 0) return { ok: true, text };
  const item = seq.items[index];
  if (!item.range) return { ok: false, message: "has a `patches` list vault-rollout cannot edit" };
  let out;
  if (seq.flow) {
    const [start, end] = item.range;
    const before2 = text.slice(0, start);
    const after2 = text.slice(end);
    const comma = /^\s*,\s*/.exec(after2);
    if (comma) out = `${before2}${after2.slice(comma[0].length)}`;
    else out = `${before2.replace(/,\s*$/, "")}${after2}`;
  } else {
    const lineStart2 = text.lastIndexOf("\n", item.range[0]) + 1;
    if (!/^\s*-\s*$/.test(text.slice(lineStart2, item.range[0])))
      return { ok: false, message: "has a `patches` list vault-rollout cannot edit" };
    const end = endOfLine(text, Math.max(item.range[1] - 1, item.range[0]));
    const next = end < text.length ? end + (text.startsWith("\r\n", end) ? 2 : 1) : end;
    out = `${text.slice(0, lineStart2)}${text.slice(next)}`;
    if (list7.length === 1) {
      const keyStart = pair.key.range[0];
      const keyLine = text.lastIndexOf("\n", keyStart) + 1;
      const keyEnd = endOfLine(out, keyLine);
      if (!/^patches\s*:\s*(#.*)?$/.test(out.slice(keyLine, keyEnd)))
        return { ok: false, message: "has a `patches` key vault-rollout cannot edit" };
      const keyNext = keyEnd < out.length ? keyEnd + (out.startsWith("\r\n", keyEnd) ? 2 : 1) : keyEnd;
      out = `${out.slice(0, keyLine)}${out.slice(keyNext)}`;
    }
  }
  const expected = { ...data };
  if (list7.length === 1 && !seq.flow) delete expected.patches;
  else expected.patches = list7.filter((_, i) => i !== index);
  const after = parseManifestDocument(out, { prettyErrors: false });
  const got = out.trim() === "" ? {} : after.toJS();
  if (after.errors.length > 0 || JSON.stringify(got) !== JSON.stringify(expected))
    return { ok: false, message: `could not remove ${file} from \`patches\` without changing anything else` };
  return { ok: true, text: out };
}

// src/core/plan/own-layer.ts
var LAYER_DIR = "vault-rollout";
var LAYER_PATCH_FILE = "patches.yaml";
var COMPONENT_API = "kustomize.config.k8s.io/v1alpha1";
var LAYER_PATCH_HEADER = [
  "# Generated by vault-rollout: do not edit. Rewritten whole on every run that changes it.",
  "# Strategic-merge patches of this render root: the record and restart trigger of each workload it",
  "# builds from a file outside its folder or shared with other roots, and whole-field version pins."
].join("\n");
var LAYER_HEADER = [
  "# Generated by vault-rollout: do not edit. Rewritten whole on every run that changes it.",
  "# This render root's own layer, listed once in its kustomization's `components`: its records, restart",
  "# triggers and version pins for objects it must not edit in place. JSON 6902 patches set the pins that",
  "# sit inside lists (a strategic merge would replace the whole list)."
].join("\n");
function layerPaths(rootDir) {
  const dir = `${rootDir ? `${rootDir}/` : ""}${LAYER_DIR}`;
  return { dir, kustomization: `${dir}/kustomization.yaml`, patches: `${dir}/${LAYER_PATCH_FILE}` };
}
var LIST_PIN_PATHS = [
  /^\/spec\/data\/\d+\/remoteRef\/version$/,
  /^\/spec\/dataFrom\/\d+\/extract\/version$/
];
function pointer2(path) {
  return path.map((seg) => `/${String(seg).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}
var isData2 = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
function readLayerKustomization(text) {
  const parsed = readYamlData(text);
  if (!parsed.ok) return { ok: false, message: `it is ${parsed.message}` };
  const docs = parsed.docs.filter((d) => d !== null && d !== void 0);
  if (docs.length !== 1 || !isData2(docs[0])) return { ok: false, message: "it is not one kustomization" };
  const data = docs[0];
  if (data.apiVersion !== COMPONENT_API || data.kind !== "Component")
    return { ok: false, message: `it is not a kustomize Component (${COMPONENT_API})` };
  const extra = Object.keys(data).find((k) => !["apiVersion", "kind", "patches"].includes(k));
  if (extra !== void 0)
    return { ok: false, message: `it sets ${extra}, which vault-rollout never writes` };
  if (!Array.isArray(data.patches)) return { ok: false, message: "its `patches` is not a list" };
  const pins = /* @__PURE__ */ new Map();
  let smp = false;
  for (const entry of data.patches) {
    if (isData2(entry) && entry.path === LAYER_PATCH_FILE && Object.keys(entry).length === 1) {
      smp = true;
      continue;
    }
    const target = isData2(entry) ? entry.target : void 0;
    if (!isData2(entry) || Object.keys(entry).length !== 2 || !isData2(target) || typeof entry.patch !== "string" || Object.entries(target).some(
      ([k, v]) => !["group", "version", "kind", "name", "namespace"].includes(k) || typeof v !== "string"
    ) || typeof target.version !== "string" || typeof target.kind !== "string" || typeof target.name !== "string")
      return { ok: false, message: "it holds a patch that is not a version pin of one named object" };
    const object = {
      apiVersion: target.group ? `${String(target.group)}/${target.version}` : target.version,
      kind: target.kind,
      name: target.name,
      namespace: typeof target.namespace === "string" ? target.namespace : null
    };
    const ops = readYamlData(entry.patch);
    const list7 = ops.ok && ops.docs.length === 1 ? ops.docs[0] : null;
    if (!Array.isArray(list7) || list7.length === 0)
      return { ok: false, message: `its patch of ${object.kind}/${object.name} is not a list of operations` };
    const byPointer = /* @__PURE__ */ new Map();
    for (const op of list7) {
      if (!isData2(op) || Object.keys(op).length !== 3 || op.op !== "add" || typeof op.path !== "string" || !LIST_PIN_PATHS.some((re) => re.test(op.path)))
        return {
          ok: false,
          message: `its patch of ${object.kind}/${object.name} holds an operation vault-rollout never writes`
        };
      const v = op.value;
      if (!(typeof v === "string" && /^[1-9]\d*$/.test(v)) && !(Number.isSafeInteger(v) && Number(v) >= 1))
        return { ok: false, message: `${op.path} of ${object.kind}/${object.name} is not a version` };
      byPointer.set(op.path, v);
    }
    pins.set(objectKey(object), { object, ops: byPointer });
  }
  return { ok: true, pins, smp };
}
function renderLayer(existing, sets, pins, keep) {
  const patches = renderRootPatch(existing.patches, sets, keep, LAYER_PATCH_HEADER);
  if (!patches.ok) return patches;
  const byObject = /* @__PURE__ */ new Map();
  if (existing.kustomization !== void 0 && existing.kustomization.trim() !== "") {
    const read = readLayerKustomization(existing.kustomization);
    if (!read.ok) return read;
    for (const [key, entry] of read.pins) byObject.set(key, entry);
  }
  for (const pin of pins) {
    const key = objectKey(pin.object);
    let entry = byObject.get(key);
    if (!entry) byObject.set(key, entry = { object: pin.object, ops: /* @__PURE__ */ new Map() });
    entry.ops.set(pointer2(pin.path), pin.value);
  }
  const hasPatches = patches.text.replace(/^#.*\n?/gm, "").trim() !== "";
  const kept = [...byObject.values()].filter((e) => keep(e.object));
  return { ok: true, kustomization: emitKustomization(hasPatches, kept), patches: patches.text, hasPatches };
}
function emitKustomization(hasPatches, pins) {
  const lines = [LAYER_HEADER, `apiVersion: ${COMPONENT_API}`, "kind: Component"];
  const sorted = [...pins].sort((a, b) => {
    const [ka, kb] = [objectKey(a.object), objectKey(b.object)];
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  lines.push(!hasPatches && sorted.length === 0 ? "patches: []" : "patches:");
  if (hasPatches) lines.push(`- path: ${LAYER_PATCH_FILE}`);
  for (const { object, ops } of sorted) {
    const slash = object.apiVersion.lastIndexOf("/");
    const group2 = slash < 0 ? "" : object.apiVersion.slice(0, slash);
    const version = object.apiVersion.slice(slash + 1);
    lines.push("- target:");
    if (group2) lines.push(`    group: ${scalar(group2)}`);
    lines.push(
      `    version: ${scalar(version)}`,
      `    kind: ${scalar(object.kind)}`,
      `    name: ${scalar(object.name)}`
    );
    if (object.namespace !== null) lines.push(`    namespace: ${scalar(object.namespace)}`);
    lines.push("  patch: |-");
    for (const [path, value] of [...ops].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
      lines.push(
        "    - op: add",
        `      path: ${scalar(path)}`,
        `      value: ${typeof value === "number" ? String(value) : JSON.stringify(value)}`
      );
  }
  return `${lines.join("\n")}
`;
}
function checkLayerKustomization(text) {
  const read = readLayerKustomization(text);
  if (!read.ok) return read;
  if (emitKustomization(read.smp, [...read.pins.values()]) !== text)
    return {
      ok: false,
      message: "its text is not what vault-rollout writes (edited by hand: a comment, quoting, order or a repeated entry)"
    };
  return { ok: true, entries: [...read.pins.values()].map((e) => e.object), listsPatches: read.smp };
}

// src/core/plan/plan.ts
function statusKey(ref) {
  return ref.vaultNamespace ? `${ref.vaultNamespace}\0${ref.path}` : ref.path;
}
var BLOCKING = /* @__PURE__ */ new Set(["missing", "deleted", "forbidden"]);
function secretState(status, recorded) {
  switch (status.state) {
    case "ok":
      if (recorded === null) return "unrecorded";
      return recorded === status.current ? "up-to-date" : "outdated";
    case "deleted":
      return "deleted";
    default:
      return status.state;
  }
}
function blockReason(s, status) {
  switch (status.state) {
    case "missing":
      return `${s.path}: not found in Vault (404)`;
    case "deleted":
      return `${s.path}: current version ${status.current} is ${status.reason}; a restart would not get a readable secret`;
    case "forbidden":
      return status.message;
    default:
      return `${s.path}: ${s.state}`;
  }
}
function planWorkload(workload, statuses, options = {}) {
  if (workload.ignored !== void 0) {
    return {
      workload,
      secrets: [],
      action: "ignored",
      pins: [],
      reasons: [workload.ignored],
      warnings: [],
      newValue: null
    };
  }
  const pinTargets = /* @__PURE__ */ new Map();
  const secrets = [];
  const reasons = [];
  const warnings = [];
  const current = /* @__PURE__ */ new Map();
  const seen = /* @__PURE__ */ new Set();
  const unpinned = /* @__PURE__ */ new Map();
  reasons.push(...workload.rejected ?? []);
  warnings.push(...workload.recordWarnings ?? []);
  for (const ref of workload.secrets) {
    const status = statuses.get(statusKey(ref));
    if (!status) throw new Error(`internal: no Vault status for "${ref.path}"`);
    const path = status.path;
    if (ref.pins) pinTargets.set(path, [...pinTargets.get(path) ?? [], ...ref.pins]);
    if (ref.unpinned) unpinned.set(path, [...unpinned.get(path) ?? [], ...ref.unpinned]);
    for (const why of ref.warnings ?? []) if (!warnings.includes(why)) warnings.push(why);
    const id = statusKey({ path, vaultNamespace: ref.vaultNamespace });
    if (seen.has(id)) continue;
    seen.add(id);
    const recorded = workload.recorded?.get(path) ?? null;
    const state = secretState(status, recorded);
    const planned = {
      path,
      ...ref.vaultNamespace ? { vaultNamespace: ref.vaultNamespace } : {},
      source: ref.source,
      via: ref.via,
      recorded,
      current: status.state === "ok" || status.state === "deleted" ? status.current : null,
      state,
      updatedTime: status.state === "ok" || status.state === "deleted" ? status.updatedTime : null
    };
    secrets.push(planned);
    if (BLOCKING.has(state)) reasons.push(blockReason(planned, status));
    else if (status.state === "unsupported") warnings.push(status.message);
    else if (status.state === "ok") current.set(path, status.current);
  }
  const onDelete = (workload.kind === "StatefulSet" || workload.kind === "DaemonSet") && workload.updateStrategy === "OnDelete";
  let action;
  let newValue = null;
  if (reasons.length > 0) {
    action = "blocked";
    if (workload.skip !== void 0) reasons.push(workload.skip);
  } else if (workload.skip !== void 0) {
    action = "skipped";
    reasons.push(workload.skip);
  } else if (current.size === 0) {
    action = "none";
  } else {
    newValue = formatRecord(current);
    if (workload.recorded === null) action = "record";
    else if (secrets.some((s) => s.state === "outdated")) action = "restart";
    else if (newValue !== workload.recordedRaw) action = "record";
    else action = "none";
    if (action === "none") newValue = null;
  }
  if (onDelete) {
    warnings.push(
      `${workload.kind} uses updateStrategy OnDelete: ${action === "restart" ? "the new pod template" : "a new pod template"} takes effect only when pods are deleted`
    );
  }
  const pins = [];
  if (action === "restart" && options.pinVersions !== false) {
    for (const s of secrets) {
      if (s.state !== "outdated" || s.current === null) continue;
      for (const target of pinTargets.get(s.path) ?? [])
        pins.push({ path: s.path, version: s.current, target });
      for (const why of unpinned.get(s.path) ?? []) if (!warnings.includes(why)) warnings.push(why);
    }
  }
  return { workload, secrets, action, pins, reasons, warnings, newValue };
}
function planWorkloads(workloads, statuses, options = {}) {
  return workloads.map((w) => planWorkload(w, statuses, options));
}
function expectedObject(kind, name) {
  return kind === "HelmValues" ? void 0 : { kind, name };
}
function editsFor(planned, prefix) {
  const { workload, action, newValue } = planned;
  if (newValue === null || action !== "restart" && action !== "record") return [];
  const key = `${prefix}/secret-versions`;
  const expect = expectedObject(workload.kind, workload.name);
  const edit = (target) => ({
    document: workload.document,
    mapPath: target.mapPath,
    within: target.within,
    key,
    value: newValue,
    ...expect ? { expect } : {}
  });
  const edits = [];
  if (newValue !== workload.recordedRaw) edits.push(edit(workload.record));
  if (action === "restart" && newValue !== workload.templateRaw) edits.push(edit(workload.trigger));
  return edits;
}
function summarize(planned) {
  const count = (a) => planned.filter((p) => p.action === a).length;
  const skipped = count("skipped");
  const ignored = count("ignored");
  const deferred = count("deferred");
  return {
    workloads: planned.length,
    restart: count("restart"),
    record: count("record"),
    blocked: count("blocked"),
    unchanged: count("none"),
    ...skipped > 0 ? { skipped } : {},
    ...ignored > 0 ? { ignored } : {},
    ...deferred > 0 ? { deferred } : {}
  };
}

// src/core/discover/sources/source.ts
function workloadProblem(view, message, path) {
  const { workload } = view;
  const at = path ? view.document.position(path) : void 0;
  return {
    file: workload.file,
    severity: "warning",
    message: `${workload.kind} "${workload.name}": ${message}`,
    ...at ? { line: at.line, column: at.column } : {}
  };
}
function annotationMaps(view) {
  const out = [];
  for (const target of [view.workload.record, view.workload.trigger]) {
    const path = targetPath(target);
    const map = get(view.object, path);
    if (isRecord(map)) out.push({ path, annotations: map });
  }
  return out;
}
function graphScanner(index) {
  const reported = /* @__PURE__ */ new Set();
  return { refsFor: (view, report) => index.refsFor(view, report, reported) };
}
function meta(object) {
  const name = get(object, ["metadata", "name"]);
  const namespace = get(object, ["metadata", "namespace"]);
  return {
    name: typeof name === "string" && name ? name : null,
    namespace: typeof namespace === "string" && namespace ? namespace : null
  };
}
function pathRef(raw, mounts, fields, at) {
  const parsed = parseSecretPath(raw, mounts);
  if (parsed.ok) return { ...fields, path: parsed.path };
  return { ...fields, path: parsed.path, rejected: parsed.reason, ...at ? { rejectedAt: at } : {} };
}
function shownValue(value) {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}\u2026` : value);
}
function readVaultNamespace(value, where) {
  const problem = vaultNamespaceProblem(value);
  if (problem === null) return { vaultNamespace: value };
  return { rejected: `its Vault namespace ${shownValue(value)} (${where}) is refused: ${problem}` };
}

// src/core/discover/sources/annotation.ts
var annotationSource = {
  name: "annotation",
  enabled: (config) => config.sources.annotation,
  collect({ config }) {
    const key = `${config.annotationPrefix}/secrets`;
    return {
      refsFor(view, report) {
        const refs = [];
        for (const { path, annotations } of annotationMaps(view)) {
          if (!Object.hasOwn(annotations, key)) continue;
          const value = annotations[key];
          const at = [...path, key];
          if (typeof value !== "string") {
            report(workloadProblem(view, `"${key}" must be a string of secret paths`, at));
            continue;
          }
          for (const entry of value.split(/[\s,]+/)) {
            if (!entry) continue;
            refs.push(pathRef(entry, config.vault.mounts, { source: "annotation", via: key }, at));
          }
        }
        return refs;
      }
    };
  }
};

// src/core/discover/secret-graph.ts
function folderOf(file) {
  const slash = file.lastIndexOf("/");
  return slash < 0 ? "" : file.slice(0, slash);
}
function sameScope(a, b, inRoot = false) {
  if (a.namespace && b.namespace) return a.namespace === b.namespace;
  return inRoot || folderOf(a.file) === folderOf(b.file);
}
var CONTAINER_LISTS = [
  ["containers", ""],
  ["initContainers", "initContainer "],
  ["ephemeralContainers", "ephemeralContainer "]
];
function list5(value) {
  return Array.isArray(value) ? value : [];
}
var usesCache = /* @__PURE__ */ new WeakMap();
function podUses(template) {
  const cached = usesCache.get(template);
  if (cached) return cached;
  const uses = [];
  const spec = get(template, ["spec"]);
  for (const [key, prefix] of CONTAINER_LISTS) {
    for (const c of list5(get(spec, [key]))) {
      if (!isRecord(c)) continue;
      for (const e of list5(c.env)) {
        const secret = nonEmptyString(get(e, ["valueFrom", "secretKeyRef", "name"]));
        if (secret) uses.push({ kind: "Secret", name: secret, how: `${prefix}env` });
        const config = nonEmptyString(get(e, ["valueFrom", "configMapKeyRef", "name"]));
        if (config) uses.push({ kind: "ConfigMap", name: config, how: `${prefix}env` });
      }
      for (const e of list5(c.envFrom)) {
        const secret = nonEmptyString(get(e, ["secretRef", "name"]));
        if (secret) uses.push({ kind: "Secret", name: secret, how: `${prefix}envFrom` });
        const config = nonEmptyString(get(e, ["configMapRef", "name"]));
        if (config) uses.push({ kind: "ConfigMap", name: config, how: `${prefix}envFrom` });
      }
    }
  }
  for (const v of list5(get(spec, ["volumes"]))) {
    if (!isRecord(v)) continue;
    const secret = nonEmptyString(get(v, ["secret", "secretName"]));
    if (secret) uses.push({ kind: "Secret", name: secret, how: "volume" });
    const config = nonEmptyString(get(v, ["configMap", "name"]));
    if (config) uses.push({ kind: "ConfigMap", name: config, how: "volume" });
    for (const s of list5(get(v, ["projected", "sources"]))) {
      const ps = nonEmptyString(get(s, ["secret", "name"]));
      if (ps) uses.push({ kind: "Secret", name: ps, how: "projected volume" });
      const pc = nonEmptyString(get(s, ["configMap", "name"]));
      if (pc) uses.push({ kind: "ConfigMap", name: pc, how: "projected volume" });
    }
    const spc = nonEmptyString(get(v, ["csi", "volumeAttributes", "secretProviderClass"]));
    if (spc) uses.push({ kind: "SecretProviderClass", name: spc, how: "CSI volume" });
  }
  usesCache.set(template, uses);
  return uses;
}
var SECRET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
function valuesUses(values) {
  const cached = usesCache.get(values);
  if (cached) return cached;
  const uses = [];
  const walk = (value, at, depth) => {
    if (depth > 32) return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${at}[${i}]`, depth + 1));
      return;
    }
    if (!isRecord(value)) return;
    const how = `values ${at}`;
    const secret = nonEmptyString(get(value, ["secretKeyRef", "name"])) ?? nonEmptyString(get(value, ["secretRef", "name"])) ?? nonEmptyString(get(value, ["secret", "secretName"])) ?? nonEmptyString(get(value, ["secret", "name"]));
    if (secret) uses.push({ kind: "Secret", name: secret, how });
    const config = nonEmptyString(get(value, ["configMapKeyRef", "name"])) ?? nonEmptyString(get(value, ["configMapRef", "name"])) ?? nonEmptyString(get(value, ["configMap", "name"]));
    if (config) uses.push({ kind: "ConfigMap", name: config, how });
    const spc = nonEmptyString(get(value, ["volumeAttributes", "secretProviderClass"]));
    if (spc) uses.push({ kind: "SecretProviderClass", name: spc, how });
    for (const [k, v] of Object.entries(value)) {
      const here = at ? `${at}.${k}` : k;
      if (/^existingSecret(Name)?$/i.test(k) && nonEmptyString(v))
        uses.push({ kind: "Secret", name: v, how: `values ${here}` });
      else if (secret === null && /secret/i.test(k) && typeof v === "string" && SECRET_NAME.test(v))
        uses.push({ kind: "Secret", name: v, how: `values ${here}` });
      else walk(v, here, depth + 1);
    }
  };
  walk(values, "", 0);
  usesCache.set(values, uses);
  return uses;
}
function viewUses(view) {
  if (!view.values) return podUses(view.template);
  const uses = valuesUses(view.values);
  if (!view.secretValues?.length) return uses;
  return [...uses, ...view.secretValues.flatMap((path) => secretsAt(view.values, path))];
}
function secretsAt(values, path) {
  const out = [];
  const walk = (v, i, at) => {
    if (i === path.length) {
      if (typeof v === "string" && v) out.push({ kind: "Secret", name: v, how: `values ${at}` });
      return;
    }
    const seg = path[i];
    const step = (key, child) => walk(child, i + 1, typeof key === "number" ? `${at}[${key}]` : at ? `${at}.${key}` : key);
    if (seg === "*") {
      if (Array.isArray(v)) v.forEach((child, k) => step(k, child));
      else if (isRecord(v)) for (const [k, child] of Object.entries(v)) step(k, child);
    } else if (Array.isArray(v) && /^\d+$/.test(seg)) step(Number(seg), v[Number(seg)]);
    else if (isRecord(v) && seg in v) step(seg, v[seg]);
  };
  walk(values, 0, "");
  return out;
}
var ProducerIndex = class {
  byObject = /* @__PURE__ */ new Map();
  add(producer) {
    if (producer.secrets.length === 0 && producer.problems.length === 0) return;
    for (const p of producer.produces) {
      const key = `${p.kind}/${p.name}`;
      const list7 = this.byObject.get(key) ?? [];
      list7.push({ producer, self: !!p.self });
      this.byObject.set(key, list7);
    }
  }
  get size() {
    return this.byObject.size;
  }
  /**
   * The refs a workload gets through this index: one per secret of each matching producer, with the chain
   * in `via`. A producer's problems are reported once (per scanner) instead of refs they stand for.
   */
  refsFor(view, report, reported) {
    if (this.byObject.size === 0) return [];
    const uses = viewUses(view);
    if (uses.length === 0) return [];
    const found = /* @__PURE__ */ new Map();
    for (const use of uses) {
      const key = `${use.kind}/${use.name}`;
      for (const { producer, self } of this.byObject.get(key) ?? []) {
        if (!producer.anyNamespace && !sameScope(producer, view.workload, view.document.root !== void 0))
          continue;
        let objects = found.get(producer);
        if (!objects) found.set(producer, objects = /* @__PURE__ */ new Map());
        const entry = objects.get(key) ?? { self, hows: [] };
        if (!entry.hows.includes(use.how)) entry.hows.push(use.how);
        objects.set(key, entry);
      }
    }
    const refs = [];
    const w = view.workload;
    for (const [producer, objects] of found) {
      for (const problem of producer.problems) {
        const id = `${producer.label}
${problem.message}`;
        if (reported.has(id)) continue;
        reported.add(id);
        const at = problem.document.position(problem.at);
        report({
          file: producer.file,
          severity: "warning",
          message: `${problem.message} (used by ${w.kind}/${w.name} in ${w.file})`,
          ...at ? { line: at.line, column: at.column } : {}
        });
      }
      const ways = [...objects].map(
        ([key, { self, hows }]) => self ? hows.join(", ") : `${key} \u2192 ${hows.join(", ")}`
      );
      const via = `${producer.label} \u2192 ${ways.join(" and ")}`;
      const also = producer.restarts?.find((r) => r.kind === w.kind && r.name === view.workload.name);
      const warnings = also ? [
        `${producer.label} also restarts ${w.kind}/${w.name} (${also.by}): two restart paths; remove it there to let Git decide`
      ] : [];
      for (const s of producer.secrets) {
        refs.push({
          path: s.path,
          source: producer.source,
          via,
          ...s.pins.length > 0 ? { pins: s.pins.map((p) => ({ ...p, field: [...p.field] })) } : {},
          ...warnings.length > 0 ? { warnings } : {},
          ...s.vaultNamespace ? { vaultNamespace: s.vaultNamespace } : {},
          ...s.rejected !== void 0 ? { rejected: s.rejected } : {}
        });
      }
    }
    return refs;
  }
};
function producerLabel(kind, name, file) {
  return `${kind}/${name} (${file})`;
}
function producedSecret(raw, mounts, extra = {}) {
  const parsed = parseSecretPath(raw, mounts);
  const rejected = parsed.ok ? extra.namespaceRejected ?? null : parsed.reason;
  return {
    path: parsed.path,
    pins: extra.pins ?? [],
    ...extra.vaultNamespace && rejected === null ? { vaultNamespace: extra.vaultNamespace } : {},
    ...rejected !== null ? { rejected } : {}
  };
}
function mergeSecrets(secrets) {
  const byPath = /* @__PURE__ */ new Map();
  for (const s of secrets) {
    const key = `${s.vaultNamespace ?? ""}\0${s.path}\0${s.rejected ?? ""}`;
    const first = byPath.get(key);
    if (first) first.pins.push(...s.pins);
    else byPath.set(key, { ...s, pins: [...s.pins] });
  }
  return [...byPath.values()];
}

// src/core/discover/sources/argocd-vault-plugin.ts
var PREFIX = "avp.kubernetes.io/";
var PATH_ANNOTATION = `${PREFIX}path`;
var VERSION_ANNOTATION = `${PREFIX}secret-version`;
var INLINE = /<path:([^#<>]+)#([^#<>|]+?)(#[^#<>|\s]+)?(\s*\|[^<>]*)?>/g;
var GENERIC = /<\s*[A-Za-z0-9_.-]+\s*(\|[^<>]*)?>/;
var avpAnnotation = (at, key) => at.length === 2 && at[0] === "metadata" && at[1] === "annotations" && key.startsWith(PREFIX);
function readAvp(object, doc, kind, name, mounts) {
  const annotations = get(object, ["metadata", "annotations"]);
  const a = isRecord(annotations) ? annotations : {};
  if (String(a[`${PREFIX}ignore`] ?? "").toLowerCase() === "true") return { state: "none" };
  const found = stringsIn(object, (text) => text.includes("<"), avpAnnotation);
  const pathAnnotation = typeof a[PATH_ANNOTATION] === "string" ? cleanSecretPath(a[PATH_ANNOTATION]) : null;
  const inline = [];
  let generic = false;
  for (const s of found) {
    for (const m of s.text.matchAll(INLINE)) {
      const parsed = parseSecretPath(m[1], mounts);
      const start = "<path:".length + m[1].length + 1 + m[2].length;
      inline.push({
        path: parsed.path,
        via: `${m[0]} in ${formatPath(s.path)}`,
        versioned: m[3] !== void 0,
        ...parsed.ok ? {} : { rejected: parsed.reason },
        pin: !parsed.ok ? null : {
          file: doc.file,
          document: doc.index,
          kind,
          name,
          field: s.path,
          format: "placeholder",
          placeholder: m[0],
          versionAt: [start, start + (m[3]?.length ?? 0)]
        }
      });
    }
    if (!generic && pathAnnotation && GENERIC.test(s.text.replace(INLINE, ""))) generic = true;
  }
  const named = generic && pathAnnotation ? parseSecretPath(pathAnnotation, mounts) : null;
  if (inline.length === 0 && !named) return { state: "none" };
  if (String(a[`${PREFIX}kv-version`] ?? "2") === "1") {
    return {
      state: "unsupported",
      message: `avp.kubernetes.io/kv-version "1" (KV v1 has no versions): its secrets are not tracked`,
      at: ["metadata", "annotations", `${PREFIX}kv-version`]
    };
  }
  const secrets = /* @__PURE__ */ new Map();
  const add = (path, via, pin, rejected) => {
    const s = secrets.get(path);
    if (!s) secrets.set(path, { path, via, pins: pin ? [pin] : [], ...rejected ? { rejected } : {} });
    else if (pin) s.pins.push(pin);
  };
  if (named && !named.ok) add(named.path, `${PATH_ANNOTATION} (<key> placeholders)`, null, named.reason);
  else if (named) {
    const path = named.path;
    const safe = inline.every((i) => i.versioned || i.path === path);
    add(
      path,
      `${PATH_ANNOTATION} (<key> placeholders)`,
      safe ? {
        file: doc.file,
        document: doc.index,
        kind,
        name,
        field: ["metadata", "annotations", VERSION_ANNOTATION],
        format: "string"
      } : null
    );
  }
  const counts = /* @__PURE__ */ new Map();
  for (const i of inline) counts.set(i.path, (counts.get(i.path) ?? 0) + 1);
  for (const i of inline) {
    const more = (counts.get(i.path) ?? 1) - 1;
    add(i.path, more > 0 ? `${i.via} (+${more} more)` : i.via, i.pin, i.rejected);
  }
  return { state: "ok", secrets: [...secrets.values()] };
}
var argocdVaultPluginSource = {
  name: "argocdVaultPlugin",
  enabled: (config) => config.sources.argocdVaultPlugin,
  collect({ config, documents }) {
    const mounts = config.vault.mounts;
    const index = new ProducerIndex();
    for (const doc of documents) {
      const o = doc.data;
      if (!isRecord(o) || o.kind !== "Secret" && o.kind !== "ConfigMap") continue;
      const { name, namespace } = meta(o);
      if (!name) continue;
      const read = readAvp(o, doc, o.kind, name, mounts);
      if (read.state === "none") continue;
      const label = producerLabel(o.kind, name, doc.file);
      index.add({
        source: "argocdVaultPlugin",
        label,
        file: doc.file,
        namespace,
        produces: [{ kind: o.kind, name, self: true }],
        secrets: read.state === "ok" ? read.secrets.map((s) => ({
          path: s.path,
          pins: s.pins,
          ...s.rejected !== void 0 ? { rejected: s.rejected } : {}
        })) : [],
        problems: read.state === "unsupported" ? [{ message: `${label}: ${read.message}`, document: doc, at: read.at }] : []
      });
    }
    const graph = graphScanner(index);
    return {
      refsFor(view, report) {
        const { workload } = view;
        const own = isWorkloadKind(view.object.kind) || view.values !== null ? readAvp(view.object, view.document, workload.kind, workload.name, mounts) : { state: "none" };
        const refs = graph.refsFor(view, report);
        if (own.state === "unsupported") report(workloadProblem(view, own.message, own.at));
        if (own.state !== "ok") return refs;
        return [
          ...own.secrets.map((s) => ({
            path: s.path,
            source: "argocdVaultPlugin",
            via: s.via,
            ...s.pins.length > 0 ? { pins: s.pins } : {},
            ...s.rejected !== void 0 ? { rejected: s.rejected } : {}
          })),
          ...refs
        ];
      }
    };
  }
};

// src/core/discover/sources/bank-vaults.ts
var ENV_VALUE = /(?:^|\$\{)(?:>>)?vault:([^#\s{}$]+)#/g;
var FROM_PATH = "vault.security.banzaicloud.io/vault-env-from-path";
var TEMPLATE_CONFIGMAPS = [
  "vault.security.banzaicloud.io/vault-agent-configmap",
  "vault.security.banzaicloud.io/vault-ct-configmap"
];
var TEMPLATE_SECRET = /\{\{-?\s*(?:with\s+)?secret\s+["'`]([^"'`]+)["'`]/g;
function templateSecretPaths(text) {
  return [...text.matchAll(TEMPLATE_SECRET)].map((m) => cleanSecretPath(m[1].replace(/\?.*$/s, "")));
}
function bankVaultsPaths(value) {
  return [...value.matchAll(ENV_VALUE)].map((m) => cleanSecretPath(m[1]));
}
var bankVaultsSource = {
  name: "bankVaults",
  enabled: (config) => config.sources.bankVaults,
  collect({ config, documents }) {
    const templates = /* @__PURE__ */ new Map();
    for (const doc of documents) {
      const o = doc.data;
      if (!isRecord(o) || o.kind !== "ConfigMap" || !isRecord(o.data)) continue;
      const { name, namespace } = meta(o);
      if (!name) continue;
      const paths = Object.values(o.data).flatMap(
        (v) => typeof v === "string" ? templateSecretPaths(v) : []
      );
      if (paths.length === 0) continue;
      templates.set(name, [...templates.get(name) ?? [], { file: doc.file, namespace, paths }]);
    }
    return {
      refsFor(view) {
        const refs = [];
        const add = (raw, via) => {
          refs.push(pathRef(raw, config.vault.mounts, { source: "bankVaults", via }));
        };
        if (view.values) {
          for (const { path, text } of stringsIn(view.values, (t) => t.includes("vault:"))) {
            for (const raw of bankVaultsPaths(text)) add(raw, `values ${formatPath(path)}`);
          }
        }
        const spec = get(view.template, ["spec"]);
        for (const [key, label] of [
          ["initContainers", "initContainer"],
          ["containers", "container"]
        ]) {
          const containers = get(spec, [key]);
          if (!Array.isArray(containers)) continue;
          for (const c of containers) {
            if (!isRecord(c) || !Array.isArray(c.env)) continue;
            for (const e of c.env) {
              const value = get(e, ["value"]);
              if (typeof value !== "string" || !value.includes("vault:")) continue;
              const envName = String(get(e, ["name"]) ?? "?");
              for (const raw of bankVaultsPaths(value))
                add(raw, `env ${envName} (${label} ${String(c.name ?? "?")})`);
            }
          }
        }
        for (const { annotations } of annotationMaps(view)) {
          for (const key of TEMPLATE_CONFIGMAPS) {
            const name = annotations[key];
            if (typeof name !== "string") continue;
            for (const cm of templates.get(name) ?? []) {
              if (!sameScope(cm, view.workload, view.document.root !== void 0)) continue;
              for (const raw of cm.paths)
                add(raw, `${key} \u2192 ${producerLabel("ConfigMap", name, cm.file)} template`);
            }
          }
          const value = annotations[FROM_PATH];
          if (typeof value !== "string") continue;
          for (const entry of value.split(",")) {
            const raw = cleanSecretPath(entry.replace(/#.*$/s, ""));
            if (raw) add(raw, FROM_PATH);
          }
        }
        return refs;
      }
    };
  }
};

// src/core/discover/sources/csi.ts
function csiSecretPaths(objects) {
  let parsed;
  try {
    parsed = yaml.load(objects, { schema: yaml.CORE_SCHEMA });
  } catch (err) {
    return { error: (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "invalid YAML" };
  }
  if (parsed === null || parsed === void 0) return [];
  const items = Array.isArray(parsed) ? parsed : isRecord(parsed) && Array.isArray(parsed.array) ? parsed.array.map((s) => typeof s === "string" ? yaml.load(s, { schema: yaml.CORE_SCHEMA }) : s) : null;
  if (!items) return { error: "expected a YAML list of objects" };
  return items.map((item) => get(item, ["secretPath"])).filter((p) => typeof p === "string").map((p) => p.replace(/\?.*$/s, ""));
}
var csiSource = {
  name: "csi",
  enabled: (config) => config.sources.csi,
  collect({ config, documents }) {
    const index = new ProducerIndex();
    for (const doc of documents) {
      const producer = readClass(doc, config.vault.mounts);
      if (producer) index.add(producer);
    }
    return graphScanner(index);
  }
};
function readClass(doc, mounts) {
  const o = doc.data;
  if (!isRecord(o) || o.kind !== "SecretProviderClass") return null;
  if (typeof o.apiVersion !== "string" || !o.apiVersion.startsWith("secrets-store.csi.x-k8s.io/"))
    return null;
  if (get(o, ["spec", "provider"]) !== "vault") return null;
  const { name, namespace } = meta(o);
  if (!name) return null;
  const label = producerLabel("SecretProviderClass", name, doc.file);
  const objects = get(o, ["spec", "parameters", "objects"]);
  const paths = typeof objects === "string" ? csiSecretPaths(objects) : [];
  const produces = [{ kind: "SecretProviderClass", name, self: true }];
  for (const so of Array.isArray(get(o, ["spec", "secretObjects"])) ? get(o, ["spec", "secretObjects"]) : []) {
    const secretName = get(so, ["secretName"]);
    if (typeof secretName === "string" && secretName) produces.push({ kind: "Secret", name: secretName });
  }
  const base = { source: "csi", label, file: doc.file, namespace, produces };
  if (!Array.isArray(paths)) {
    return {
      ...base,
      secrets: [],
      problems: [
        {
          message: `${label}: spec.parameters.objects is not readable (${paths.error}): not tracked`,
          document: doc,
          at: ["spec", "parameters", "objects"]
        }
      ]
    };
  }
  return {
    ...base,
    secrets: mergeSecrets(paths.map((p) => producedSecret(p, mounts))),
    problems: []
  };
}

// src/core/discover/sources/external-secrets.ts
function esoSecretPath(mount, key, mounts) {
  let k = cleanSecretPath(key);
  if (!mount) return normalizeSecretPath(k, mounts);
  const m = cleanSecretPath(mount).replace(/\/+$/, "");
  if (k.startsWith(`${m}/`)) {
    k = k.slice(m.length + 1);
    if (k.startsWith("data/")) k = k.slice(5);
  }
  return `${m}/${k}`;
}
function readStores(documents) {
  const stores = [];
  const names2 = /* @__PURE__ */ new Set();
  for (const doc of documents) {
    const o = doc.data;
    if (!isRecord(o) || o.kind !== "SecretStore" && o.kind !== "ClusterSecretStore") continue;
    if (typeof o.apiVersion !== "string" || !o.apiVersion.startsWith("external-secrets.io/")) continue;
    const vault = get(o, ["spec", "provider", "vault"]);
    const { name, namespace } = meta(o);
    if (name) names2.add(`${o.kind}/${name}`);
    if (!isRecord(vault) || !name) continue;
    const ns = nonEmptyString(vault.namespace);
    const checked = ns ? readVaultNamespace(ns, `spec.provider.vault.namespace of ${o.kind}/${name} (${doc.file})`) : null;
    stores.push({
      kind: o.kind,
      name,
      file: doc.file,
      namespace: o.kind === "ClusterSecretStore" ? null : namespace,
      mount: typeof vault.path === "string" && vault.path.trim() ? vault.path : null,
      version: typeof vault.version === "string" ? vault.version : "v2",
      vaultNamespace: checked?.vaultNamespace ?? null,
      namespaceRejected: checked?.rejected ?? null
    });
  }
  return { vault: stores, names: names2 };
}
var elsewhereStores = /* @__PURE__ */ new WeakMap();
function readAllStores(documents, elsewhere, foreign) {
  const local = readStores(documents);
  if (foreign.length > 0) {
    let theirs = elsewhereStores.get(foreign);
    if (!theirs) elsewhereStores.set(foreign, theirs = readStores(foreign));
    local.foreign = new Map(theirs.vault.map((s) => [`${s.kind}/${s.name}`, s.file]));
  }
  if (elsewhere.length === 0) return local;
  let other = elsewhereStores.get(elsewhere);
  if (!other) elsewhereStores.set(elsewhere, other = readStores(elsewhere));
  const own = new Set(local.names);
  for (const store of other.vault) {
    const id = `${store.kind}/${store.name}`;
    if (own.has(id) || store.kind === "SecretStore" && store.namespace === null) continue;
    local.vault.push(store);
  }
  for (const id of other.names) local.names.add(id);
  return local;
}
var externalSecretsSource = {
  name: "externalSecrets",
  enabled: (config) => config.sources.externalSecrets,
  collect({ config, documents, elsewhere = [], foreign = [] }) {
    const index = new ProducerIndex();
    let stores = null;
    for (const doc of documents) {
      const o = doc.data;
      if (!isRecord(o) || typeof o.apiVersion !== "string") continue;
      if (o.kind === "ClusterExternalSecret") {
        if (!o.apiVersion.startsWith("external-secrets.io/")) continue;
        stores ??= readAllStores(documents, elsewhere, foreign);
        addCluster(index, o, doc, stores, config.vault.mounts);
        continue;
      }
      if (o.kind !== "ExternalSecret") continue;
      const { name, namespace } = meta(o);
      if (!name) continue;
      const label = producerLabel("ExternalSecret", name, doc.file);
      const base = { source: "externalSecrets", label, file: doc.file, namespace };
      if (o.apiVersion.startsWith("kubernetes-client.io/")) {
        if (get(o, ["spec", "backendType"]) !== "vault") continue;
        const keys = [
          ...list6(get(o, ["spec", "data"])).map((d) => get(d, ["key"])),
          ...list6(get(o, ["spec", "dataFrom"]))
        ].filter((k) => typeof k === "string");
        const kv = get(o, ["spec", "kvVersion"]);
        const v1 = kv === 1 || kv === "1";
        index.add({
          ...base,
          produces: [{ kind: "Secret", name }],
          secrets: v1 ? [] : mergeSecrets(keys.map((k) => producedSecret(k, config.vault.mounts))),
          problems: v1 && keys.length > 0 ? [
            {
              message: `${label}: kvVersion 1 (KV v1 has no versions): not tracked`,
              document: doc,
              at: ["spec", "kvVersion"]
            }
          ] : []
        });
        continue;
      }
      if (!o.apiVersion.startsWith("external-secrets.io/")) continue;
      stores ??= readAllStores(documents, elsewhere, foreign);
      index.add({
        ...base,
        ...readSpec(o, doc, "ExternalSecret", name, { namespace }, stores, config.vault.mounts)
      });
    }
    return graphScanner(index);
  }
};
function addCluster(index, o, doc, stores, mounts) {
  const { name } = meta(o);
  if (!name) return;
  const base = {
    source: "externalSecrets",
    label: producerLabel("ClusterExternalSecret", name, doc.file),
    file: doc.file
  };
  const selectors = get(o, ["spec", "namespaceSelectors"]) !== void 0 || get(o, ["spec", "namespaceSelector"]) !== void 0;
  if (selectors) {
    index.add({
      ...base,
      namespace: null,
      anyNamespace: true,
      ...readSpec(o, doc, "ClusterExternalSecret", name, "any", stores, mounts)
    });
    return;
  }
  for (const ns of list6(get(o, ["spec", "namespaces"]))) {
    if (typeof ns !== "string" || ns === "") continue;
    index.add({
      ...base,
      namespace: ns,
      ...readSpec(o, doc, "ClusterExternalSecret", name, { namespace: ns }, stores, mounts)
    });
  }
}
function readSpec(o, doc, kind, name, scope, stores, mounts) {
  const specPath = kind === "ExternalSecret" ? ["spec"] : ["spec", "externalSecretSpec"];
  const esName = kind === "ClusterExternalSecret" && nonEmptyString(get(o, ["spec", "externalSecretName"])) || name;
  const label = producerLabel(kind, name, doc.file);
  const defaultRef = get(o, [...specPath, "secretStoreRef"]);
  const secrets = [];
  const problems = /* @__PURE__ */ new Map();
  const entries = [];
  list6(get(o, [...specPath, "data"])).forEach(
    (d, i) => entries.push({
      key: get(d, ["remoteRef", "key"]),
      storeRef: get(d, ["sourceRef", "storeRef"]) ?? defaultRef,
      at: [...specPath, "data", i, "remoteRef", "key"],
      pin: [...specPath, "data", i, "remoteRef", "version"]
    })
  );
  list6(get(o, [...specPath, "dataFrom"])).forEach((d, i) => {
    if (isRecord(d) && (d.find !== void 0 || get(d, ["sourceRef", "generatorRef"]) !== void 0)) {
      const what = d.find !== void 0 ? "find (a search)" : "a generator";
      problems.set(`dataFrom ${i}`, {
        message: `${label}: dataFrom[${i}] uses ${what}: the secrets it reads are not tracked; name them with a rule`,
        document: doc,
        at: [...specPath, "dataFrom", i]
      });
      return;
    }
    entries.push({
      key: get(d, ["extract", "key"]),
      storeRef: get(d, ["sourceRef", "storeRef"]) ?? defaultRef,
      at: [...specPath, "dataFrom", i, "extract", "key"],
      pin: [...specPath, "dataFrom", i, "extract", "version"]
    });
  });
  for (const entry of entries) {
    if (typeof entry.key !== "string" || !isRecord(entry.storeRef)) continue;
    const storeName = entry.storeRef.name;
    const storeKind = entry.storeRef.kind === "ClusterSecretStore" ? "ClusterSecretStore" : "SecretStore";
    if (typeof storeName !== "string") continue;
    const candidates = stores.vault.filter(
      (s) => s.kind === storeKind && s.name === storeName && (storeKind === "ClusterSecretStore" || scope === "any" || sameScope(s, { file: doc.file, namespace: scope.namespace }, doc.root !== void 0))
    );
    if (scope === "any" && new Set(candidates.map((c) => `${c.mount ?? ""} ${c.version}`)).size > 1) {
      problems.set(`ambiguous ${storeKind}/${storeName}`, {
        message: `${label}: ${candidates.length} SecretStores named "${storeName}" (${candidates.map((c) => c.namespace ?? c.file).join(", ")}) with different paths, and its namespaces are chosen by selectors: not tracked; list spec.namespaces`,
        document: doc,
        at: entry.at
      });
      continue;
    }
    const store = candidates[0];
    if (!store) {
      const id = `${storeKind}/${storeName}`;
      const foreign = stores.foreign?.get(id);
      if (!stores.names.has(id)) {
        problems.set(`missing ${id}`, {
          message: foreign !== void 0 ? `${label}: ${storeKind} "${storeName}" is deployed only by another environment (${foreign}), not by this one: not tracked` : `${label}: ${storeKind} "${storeName}" is not in the repository, so whether it is a Vault store is unknown: not tracked`,
          document: doc,
          at: entry.at
        });
      }
      continue;
    }
    if (store.version === "v1") {
      problems.set(`v1 ${store.kind}/${store.name}`, {
        message: `${label}: ${store.kind} "${store.name}" is a KV v1 store (no versions): not tracked`,
        document: doc,
        at: entry.at
      });
      continue;
    }
    const path = esoSecretPath(store.mount, entry.key, mounts);
    const pin = {
      file: doc.file,
      document: doc.index,
      kind,
      name,
      field: entry.pin,
      format: "string"
    };
    secrets.push(
      producedSecret(path, mounts, {
        pins: [pin],
        vaultNamespace: store.vaultNamespace,
        namespaceRejected: store.namespaceRejected
      })
    );
  }
  return {
    produces: [{ kind: "Secret", name: nonEmptyString(get(o, [...specPath, "target", "name"])) ?? esName }],
    secrets: mergeSecrets(secrets),
    problems: [...problems.values()]
  };
}
function list6(value) {
  return Array.isArray(value) ? value : [];
}

// src/core/discover/sources/rules.ts
var import_picomatch3 = __toESM(require_picomatch(), 1);
function ruleMatcher(rule) {
  const { path, kind, namespace, name, labels } = rule.select;
  const pathMatch = path === void 0 ? null : (0, import_picomatch3.default)(path, { dot: true });
  const nameMatch = name === void 0 ? null : (0, import_picomatch3.default)(name, { dot: true });
  return (w) => (pathMatch === null || pathMatch(w.file)) && (kind === void 0 ? !isChartKind(w.kind) : w.kind === kind) && (namespace === void 0 || w.namespace === namespace) && (nameMatch === null || nameMatch(w.name)) && (labels === void 0 || Object.entries(labels).every(([k, v]) => w.labels[k] === v));
}
var rulesSource = {
  name: "rule",
  enabled: (config) => config.rules.length > 0,
  collect({ config }) {
    const rules = config.rules.map((rule, index) => ({
      index,
      matches: ruleMatcher(rule),
      // The config schema rejects a bad path with its key and line; parsing again keeps one gate for all.
      paths: (rule.secrets ?? []).map((s) => parseSecretPath(s, config.vault.mounts))
    }));
    return {
      refsFor({ workload }) {
        const refs = [];
        for (const rule of rules) {
          if (!rule.matches(workload)) continue;
          for (const parsed of rule.paths)
            refs.push({
              path: parsed.path,
              source: "rule",
              via: `rules[${rule.index}]`,
              ...parsed.ok ? {} : { rejected: parsed.reason }
            });
        }
        return refs;
      }
    };
  }
};

// src/core/discover/sources/vault-agent.ts
var SECRET_KEY = /^vault\.hashicorp\.com\/agent-inject-secret-(.+)$/;
var NAMESPACE_KEY = "vault.hashicorp.com/namespace";
var vaultAgentSource = {
  name: "vaultAgent",
  enabled: (config) => config.sources.vaultAgent,
  collect({ config }) {
    return {
      refsFor(view, report) {
        const refs = [];
        for (const { path, annotations } of annotationMaps(view)) {
          const ns = annotations[NAMESPACE_KEY];
          const namespace = typeof ns === "string" && ns.trim() ? readVaultNamespace(ns.trim(), NAMESPACE_KEY) : null;
          for (const [key, value] of Object.entries(annotations)) {
            if (!SECRET_KEY.test(key)) continue;
            if (typeof value !== "string" || value.trim() === "") {
              report(
                workloadProblem(view, `"${key}": ${JSON.stringify(value)} is not a Vault secret path`, [
                  ...path,
                  key
                ])
              );
              continue;
            }
            const ref = pathRef(
              value.replace(/\?.*$/s, ""),
              config.vault.mounts,
              {
                source: "vaultAgent",
                via: key,
                ...namespace?.vaultNamespace ? { vaultNamespace: namespace.vaultNamespace } : {}
              },
              [...path, key]
            );
            if (namespace?.rejected !== void 0 && ref.rejected === void 0) {
              ref.rejected = namespace.rejected;
              ref.rejectedAt = [...path, NAMESPACE_KEY];
            }
            refs.push(ref);
          }
        }
        return refs;
      }
    };
  }
};

// src/core/discover/sources/vault-secrets-operator.ts
var vaultSecretsOperatorSource = {
  name: "vaultSecretsOperator",
  enabled: (config) => config.sources.vaultSecretsOperator,
  collect({ documents }) {
    const index = new ProducerIndex();
    const auths = /* @__PURE__ */ new Map();
    for (const doc of documents) {
      const o = doc.data;
      if (!isRecord(o) || o.kind !== "VaultAuth") continue;
      const { name } = meta(o);
      const ns = get(o, ["spec", "namespace"]);
      if (name && typeof ns === "string" && ns)
        auths.set(name, readVaultNamespace(ns, `spec.namespace of VaultAuth/${name} (${doc.file})`));
    }
    for (const doc of documents) {
      const o = doc.data;
      if (!isRecord(o) || o.kind !== "VaultStaticSecret") continue;
      if (typeof o.apiVersion !== "string" || !o.apiVersion.startsWith("secrets.hashicorp.com/")) continue;
      const { name, namespace } = meta(o);
      const mount = get(o, ["spec", "mount"]);
      const path = get(o, ["spec", "path"]);
      const destination = get(o, ["spec", "destination", "name"]);
      if (!name || typeof mount !== "string" || typeof path !== "string") continue;
      if (typeof destination !== "string" || !destination) continue;
      const secret = `${cleanSecretPath(mount).replace(/\/+$/, "")}/${cleanSecretPath(path)}`;
      const rejected = secretPathProblem(secret);
      const label = producerLabel("VaultStaticSecret", name, doc.file);
      const ownNs = get(o, ["spec", "namespace"]);
      const authRef = get(o, ["spec", "vaultAuthRef"]);
      const vaultNs = typeof ownNs === "string" && ownNs ? readVaultNamespace(ownNs, `spec.namespace of ${label}`) : typeof authRef === "string" ? auths.get(authRef) : void 0;
      const vaultNamespace = vaultNs?.vaultNamespace;
      const refused = rejected ?? vaultNs?.rejected ?? null;
      const v1 = get(o, ["spec", "type"]) === "kv-v1";
      index.add({
        source: "vaultSecretsOperator",
        label,
        file: doc.file,
        namespace,
        produces: [{ kind: "Secret", name: destination }],
        restarts: restartTargets(get(o, ["spec", "rolloutRestartTargets"])),
        secrets: v1 ? [] : [
          {
            path: secret,
            pins: [
              {
                file: doc.file,
                document: doc.index,
                kind: "VaultStaticSecret",
                name,
                field: ["spec", "version"],
                format: "int"
              }
            ],
            ...vaultNamespace && refused === null ? { vaultNamespace } : {},
            ...refused !== null ? { rejected: refused } : {}
          }
        ],
        problems: v1 ? [
          {
            message: `${label}: type kv-v1 (KV v1 has no versions): not tracked`,
            document: doc,
            at: ["spec", "type"]
          }
        ] : []
      });
    }
    return graphScanner(index);
  }
};
function restartTargets(value) {
  if (!Array.isArray(value)) return [];
  return value.flatMap(
    (t, i) => isRecord(t) && typeof t.kind === "string" && typeof t.name === "string" ? [{ kind: t.kind, name: t.name, by: `spec.rolloutRestartTargets[${i}]` }] : []
  );
}

// src/core/discover/sources/index.ts
var SOURCES = [
  annotationSource,
  vaultAgentSource,
  externalSecretsSource,
  vaultSecretsOperatorSource,
  argocdVaultPluginSource,
  bankVaultsSource,
  csiSource,
  rulesSource
];

// src/core/discover/discover.ts
function discover(files, config, sources = SOURCES) {
  const sorted = [...files].sort((a, b) => compare2(a.path, b.path));
  const optIn = `${config.annotationPrefix}/secret`;
  const ruleCharts = chartOptions(config, /* @__PURE__ */ new Set());
  const parsed = parseManifests(
    sorted,
    void 0,
    (f) => isValuesFileName(f.path) || ruleCharts.selectedByRule(f.path) || f.text.includes(optIn) || isKustomizationFile(f.path) || ROOT_NAMING_KINDS.test(f.text)
  );
  const graph = buildRoots({ files: sorted, documents: parsed.documents });
  const read = new Set(parsed.documents.map((d) => d.file));
  const extra = sorted.filter((f) => graph.namedValues.has(f.path) && !read.has(f.path));
  const flat = [...graph.flat];
  const problems = [...parsed.problems, ...graph.problems];
  const all = [...parsed.documents];
  let documentCount = parsed.documentCount;
  if (extra.length > 0) {
    const more = parseManifests(extra, /(?!)/, () => true);
    flat.push(...more.documents);
    all.push(...more.documents);
    problems.push(...more.problems);
    documentCount += more.documentCount;
    for (const [file, data] of more.fastData) parsed.fastData.set(file, data);
  }
  const perFile = /* @__PURE__ */ new Map();
  for (const d of all) perFile.set(d.file, (perFile.get(d.file) ?? 0) + 1);
  const charts = chartOptions(config, graph.namedValues);
  const envs = environmentMatcher(config, graph.reached);
  const environment = (root, file) => root !== null ? envs.ofRoot(root) : envs.ofFile(file);
  const originals = new Map(parsed.documents.map((d) => [docKey(d.file, d.index), d]));
  const workloads = [];
  const fileData = /* @__PURE__ */ new Map();
  const seen = {};
  const sets = [
    ...flatSets(flat, (file) => environment(null, file)),
    ...graph.roots.map((root) => ({ root, documents: root.documents }))
  ];
  const stores = [
    { root: null, documents: flat },
    ...graph.roots.map((root) => ({ root, documents: root.documents }))
  ].flatMap(
    (set) => set.documents.filter((d) => STORE_KINDS.has(String(get(d.data, ["kind"])))).map((d) => ({ env: environment(set.root ? set.root.dir : null, d.file), doc: d }))
  );
  const storesOf = /* @__PURE__ */ new Map();
  const storesFor = (env) => {
    let lists = storesOf.get(env);
    if (!lists) {
      const mine = (s) => s.env === null || s.env === env;
      lists = {
        mine: stores.filter(mine).map((s) => s.doc),
        foreign: stores.filter((s) => !mine(s)).map((s) => s.doc)
      };
      storesOf.set(env, lists);
    }
    return lists;
  };
  for (const set of sets) {
    const rootEnv = set.root ? environment(set.root.dir, "") : set.environment ?? null;
    const { mine: elsewhere, foreign } = storesFor(rootEnv);
    const found = discoverSet(set.documents, {
      config,
      sources,
      charts,
      perFile,
      problems,
      seen,
      elsewhere,
      foreign,
      ...set.owns ? { owns: set.owns } : {}
    });
    for (const { workload, document } of found) {
      const w = set.root ? placeInRoot(workload, document, set.root, graph.builders, originals, config.annotationPrefix) : workload;
      if (set.root) w.root = set.root.dir;
      const env = set.root ? rootEnv : environment(null, w.file);
      if (env !== null) w.environment = env;
      workloads.push(w);
      const data = parsed.fastData.get(document.file);
      if (data) fileData.set(document.file, data);
    }
  }
  workloads.sort(
    (a, b) => compare2(a.file, b.file) || a.document - b.document || compare2(a.root ?? "", b.root ?? "")
  );
  problems.sort((a, b) => compare2(a.file, b.file));
  const rootObjects = /* @__PURE__ */ new Map();
  for (const root of graph.roots) {
    const ids = /* @__PURE__ */ new Set();
    for (const doc of root.documents) {
      const id = sourceIdentity(originals, doc.file, doc.index);
      ids.add(objectKey(doc.copy ? { ...id, ...doc.copy } : id));
    }
    rootObjects.set(layerPaths(root.dir).patches, ids);
  }
  return {
    workloads,
    problems,
    documents: documentCount,
    fileData,
    seen,
    roots: graph.roots,
    missing: graph.missing,
    rootObjects,
    rootEnvironments: new Map(graph.roots.map((r) => [r.dir, envs.ofRoot(r.dir)])),
    undeployed: graph.undeployed
  };
}
function flatSets(flat, environmentOf) {
  const envOf = /* @__PURE__ */ new Map();
  const env = (d) => {
    if (!envOf.has(d.file)) envOf.set(d.file, environmentOf(d.file));
    return envOf.get(d.file) ?? null;
  };
  const names2 = [...new Set(flat.map(env))];
  if (names2.length <= 1) return [{ root: null, documents: flat, environment: names2[0] ?? null }];
  return names2.map((name) => ({
    root: null,
    documents: name === null ? flat : flat.filter((d) => env(d) === name || env(d) === null),
    environment: name,
    owns: (d) => env(d) === name
  }));
}
var STORE_KINDS = /* @__PURE__ */ new Set(["SecretStore", "ClusterSecretStore"]);
function discoverSet(documents, ctx) {
  const { config, problems, seen } = ctx;
  const report = (problem) => problems.push(problem);
  const context = { config, documents, elsewhere: ctx.elsewhere, foreign: ctx.foreign };
  let collected = null;
  const scanners = () => collected ??= ctx.sources.filter((s) => s.enabled(config)).map((s) => s.collect(context));
  const ignores = config.ignore.map((entry, index) => ({ index, matches: ruleMatcher(entry) }));
  const out = [];
  for (const document of documents) {
    if (ctx.owns && !ctx.owns(document)) continue;
    const listed = workloadsInList(document);
    if (listed > 0) {
      problems.push({
        file: document.file,
        severity: "warning",
        message: `kind: List holds ${listed} workload(s): items of a List are not scanned; split them into documents`,
        ...document.position([]) ? { line: document.position([]).line } : {}
      });
    }
    const view = readWorkload(document, config.annotationPrefix) ?? readChartTarget(document, ctx.perFile.get(document.file) ?? 0, ctx.charts);
    if (!view) continue;
    seen[view.workload.kind] = (seen[view.workload.kind] ?? 0) + 1;
    const ignored = ignoreReason(document, view.workload, config, ignores);
    if (ignored !== null) {
      const refs = scanners().flatMap((scanner) => scanner.refsFor(view, () => {
      }));
      if (refs.length > 0)
        out.push({
          workload: {
            ...view.workload,
            secrets: dedupe(refs.filter((r) => r.rejected === void 0)),
            ignored
          },
          document
        });
      continue;
    }
    const found = scanners().flatMap((scanner) => scanner.refsFor(view, report));
    const rejected = [];
    const accepted = [];
    for (const ref of found) {
      const why = ref.rejected ?? secretPathProblem(ref.path);
      if (why === null) {
        accepted.push(ref);
        continue;
      }
      const reason = `secret path "${ref.path}" (${ref.via}) is rejected: ${why}; it is not read from Vault`;
      if (rejected.includes(reason)) continue;
      rejected.push(reason);
      problems.push({ ...workloadProblem(view, reason, ref.rejectedAt ?? []), severity: "error" });
    }
    const secrets = dedupe(accepted);
    if ((secrets.length > 0 || rejected.length > 0) && view.unsupported) {
      problems.push({
        ...workloadProblem(
          view,
          `${view.unsupported.message} (its secrets: ${secrets.map((r) => r.path).join(", ")})`,
          view.unsupported.at
        ),
        severity: "error"
      });
      continue;
    }
    if ((secrets.length > 0 || rejected.length > 0) && view.workload.recordWarnings) {
      const at = [...targetPath(view.workload.record), `${config.annotationPrefix}/secret-versions`];
      for (const why of view.workload.recordWarnings) problems.push(workloadProblem(view, why, at));
    }
    if (rejected.length > 0) out.push({ workload: { ...view.workload, secrets, rejected }, document });
    else if (secrets.length > 0) out.push({ workload: { ...view.workload, secrets }, document });
  }
  return out;
}
function editsInPlace(root, file, index, builders) {
  if ((builders.get(docKey(file, index))?.length ?? 0) > 1) return false;
  if (root.kustomization === null) return true;
  return root.dir === "" || file.startsWith(`${root.dir}/`);
}
function ignoreReason(document, workload, config, ignores) {
  const key = `${config.annotationPrefix}/ignore`;
  const value = get(document.data, ["metadata", "annotations", key]);
  if (typeof value === "string" && value.trim().toLowerCase() === "true") return `annotation ${key}: "true"`;
  const entry = ignores.find((i) => i.matches(workload));
  return entry === void 0 ? null : `selected by ignore[${entry.index}] of the config`;
}
function placeInRoot(workload, document, root, builders, originals, prefix) {
  const identity2 = (file, index) => sourceIdentity(originals, file, index);
  const layered = (file, index) => !editsInPlace(root, file, index, builders);
  const patchFile = layerPaths(root.dir).patches;
  const source = identity2(workload.file, workload.document);
  const own = document.copy ? { ...source, ...document.copy } : source;
  const w = { ...workload, name: own.name || workload.name };
  if (layered(workload.file, workload.document) || document.copy) {
    if (root.kustomization === null) {
      w.skip = `${workload.file} is built by ${builders.get(docKey(workload.file, workload.document)).length} render roots, and root "${root.dir || "."}" has no kustomization file to hold a layer of its own: not edited`;
    } else if (workload.kind === "Application" && workload.trigger.mapPath.includes("sources")) {
      w.skip = `${workload.file} is not edited in place for root "${root.dir || "."}", and a strategic-merge patch cannot set values in one item of spec.sources: not edited`;
    } else {
      w.rootPatch = { file: patchFile, kustomization: root.kustomization, object: own };
      const data = originals.get(docKey(workload.file, workload.document))?.data;
      const key = `${prefix}/secret-versions`;
      const at = (t) => typeof get(data, [...t.mapPath, ...t.within, key]) === "string";
      const record = at(workload.record);
      const trigger = at(workload.trigger);
      if ((record || trigger) && workload.chartValue === null)
        w.migrate = {
          record,
          trigger,
          builders: [...builders.get(docKey(workload.file, workload.document)) ?? []]
        };
    }
  }
  w.secrets = workload.secrets.map((ref) => {
    if (!ref.pins) return ref;
    const pins = [];
    const unpinned = [...ref.unpinned ?? []];
    for (const pin of ref.pins) {
      const source2 = identity2(pin.file, pin.document);
      const named = { ...pin, name: source2.name || pin.name };
      if (!layered(pin.file, pin.document)) {
        pins.push(named);
        continue;
      }
      const twice = root.twice.has(docKey(pin.file, pin.document));
      const copy = twice ? root.documents.find(
        (d) => d.file === pin.file && d.index === pin.document && d.copy !== void 0 && get(d.data, ["metadata", "name"]) === pin.name
      )?.copy : void 0;
      const object = copy ? { ...source2, ...copy } : source2;
      const why = root.kustomization === null ? "has no kustomization to patch it in" : twice && !copy ? "is built twice by this root, and no copy renders with its name" : pin.format === "placeholder" ? "is a placeholder inside a string, which the layer does not rewrite" : null;
      if (why === null)
        pins.push({
          ...named,
          name: object.name || pin.name,
          rootPatch: { file: patchFile, kustomization: root.kustomization, object }
        });
      else
        unpinned.push(
          `${pin.kind}/${object.name} (${pin.file}) is not edited in place for root "${root.dir || "."}" and its version field ${formatPath(pin.field)} ${why}: version not pinned for that root`
        );
    }
    const out = { ...ref };
    if (pins.length > 0) out.pins = pins;
    else delete out.pins;
    if (unpinned.length > 0) out.unpinned = unpinned;
    return out;
  });
  return w;
}
function sourceIdentity(originals, file, index) {
  const data = originals.get(docKey(file, index))?.data;
  return {
    apiVersion: String(get(data, ["apiVersion"]) ?? ""),
    kind: String(get(data, ["kind"]) ?? ""),
    name: String(get(data, ["metadata", "name"]) ?? ""),
    namespace: nonEmptyString(get(data, ["metadata", "namespace"]))
  };
}
function dedupe(refs) {
  const byPath = /* @__PURE__ */ new Map();
  for (const ref of refs) {
    const key = statusKey(ref);
    const first = byPath.get(key);
    if (!first) byPath.set(key, { ...ref });
    else {
      if (!first.via.split(", ").includes(ref.via)) first.via = `${first.via}, ${ref.via}`;
      if (ref.pins) first.pins = [...first.pins ?? [], ...ref.pins];
      if (ref.warnings) first.warnings = [.../* @__PURE__ */ new Set([...first.warnings ?? [], ...ref.warnings])];
    }
  }
  return [...byPath.values()];
}
function chartOptions(config, namedValues) {
  const rules = config.rules.map((rule) => ({ rule, matches: ruleMatcher(rule) }));
  return {
    namedValues: (file) => namedValues.has(file),
    prefix: config.annotationPrefix,
    podAnnotations: (target) => rules.find((r) => r.rule.podAnnotations !== void 0 && r.matches(target))?.rule.podAnnotations ?? DEFAULT_POD_ANNOTATIONS,
    selectedByRule: (file) => rules.some((r) => r.rule.select.kind === "HelmValues" && r.matches(valuesTarget(file))),
    secretValues: (target) => rules.flatMap(
      (r) => r.rule.secretValues !== void 0 && r.matches(target) ? r.rule.secretValues : []
    )
  };
}
function compare2(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// src/core/discover/globs.ts
var import_picomatch4 = __toESM(require_picomatch(), 1);
var ALWAYS_EXCLUDED = [
  ".git/**",
  "**/.git/**",
  "node_modules/**",
  "**/node_modules/**"
];
function makePathFilter(include, exclude) {
  const included = (0, import_picomatch4.default)([...include], { dot: true });
  const excluded = (0, import_picomatch4.default)([...exclude, ...ALWAYS_EXCLUDED], { dot: true });
  return (path) => included(path) && !excluded(path);
}

// src/core/plan/owned-files.ts
var isData3 = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
var AVP_VERSION = ["metadata", "annotations", "avp.kubernetes.io/secret-version"];
var VSO_VERSION = ["spec", "version"];
function same(a, b) {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
function shownPath(path) {
  return path.map((k) => /^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k)).join(".");
}
function leafProblem(kind, path, value, recordKey) {
  const at = shownPath(path);
  if (path[path.length - 1] === recordKey) {
    if (typeof value === "string" && value !== "" && readRecord(value).malformed.length === 0) return null;
    return `${at} is ${JSON.stringify(value)}, not a record of secret versions`;
  }
  if (same(path, AVP_VERSION)) {
    return typeof value === "string" && /^[1-9]\d*$/.test(value) ? null : `${at} is ${JSON.stringify(value)}, not a version written as a string`;
  }
  if (kind === "VaultStaticSecret" && same(path, VSO_VERSION)) {
    return typeof value === "number" && Number.isSafeInteger(value) && value >= 1 ? null : `${at} is ${JSON.stringify(value)}, not a version number`;
  }
  return `it sets ${at}, which vault-rollout never writes`;
}
function entryProblem(entry, recordKey) {
  if (!isData3(entry) || typeof entry.kind !== "string" || typeof entry.apiVersion !== "string")
    return "it holds a document that is not a patch of one object";
  const metadata = entry.metadata;
  if (!isData3(metadata) || typeof metadata.name !== "string" || metadata.name === "")
    return "it holds a patch without metadata.name";
  if (metadata.namespace !== void 0 && typeof metadata.namespace !== "string")
    return "it holds a patch whose metadata.namespace is not a string";
  const kind = entry.kind;
  const walk = (value, path) => {
    if (isData3(value)) {
      const keys = Object.keys(value);
      if (keys.length === 0) return `${shownPath(path)} is an empty map`;
      for (const key of keys) {
        const problem = walk(value[key], [...path, key]);
        if (problem !== null) return problem;
      }
      return null;
    }
    return leafProblem(kind, path, value, recordKey);
  };
  for (const [key, value] of Object.entries(entry)) {
    if (key === "apiVersion" || key === "kind") continue;
    if (key === "metadata") {
      for (const [mk, mv] of Object.entries(metadata)) {
        if (mk === "name" || mk === "namespace") continue;
        const problem2 = walk(mv, ["metadata", mk]);
        if (problem2 !== null) return problem2;
      }
      continue;
    }
    const problem = walk(value, [key]);
    if (problem !== null) return problem;
  }
  return null;
}
function checkRootPatch(text, prefix, header = ROOT_PATCH_HEADER) {
  const parsed = readYamlData(text);
  if (!parsed.ok) return { ok: false, reason: `it is ${parsed.message}` };
  const recordKey = `${prefix}/secret-versions`;
  const entries = [];
  for (const doc of parsed.docs) {
    const problem = entryProblem(doc, recordKey);
    if (problem !== null) return { ok: false, reason: problem };
    const e = doc;
    entries.push({
      apiVersion: e.apiVersion,
      kind: e.kind,
      name: e.metadata.name,
      namespace: typeof e.metadata.namespace === "string" ? e.metadata.namespace : null
    });
  }
  const canonical = renderRootPatch(text, [], () => true, header);
  if (!canonical.ok) return { ok: false, reason: canonical.message };
  if (canonical.text !== text)
    return {
      ok: false,
      reason: "its text is not what vault-rollout writes (edited by hand: a comment, quoting, order or a repeated entry)"
    };
  return { ok: true, entries };
}
function layerFile(file) {
  const name = file.slice(file.lastIndexOf("/") + 1);
  const dir = dirName(file);
  if (dir !== LAYER_DIR && !dir.endsWith(`/${LAYER_DIR}`)) return null;
  return name === "kustomization.yaml" ? "kustomization" : name === LAYER_PATCH_FILE ? "patches" : null;
}
function ownedFileRoot(file) {
  return layerFile(file) === null ? dirName(file) : dirName(dirName(file));
}
function ownedFileProblem(file, text, prefix) {
  const which = layerFile(file);
  if (which === "kustomization") {
    const check2 = checkLayerKustomization(text);
    return check2.ok ? null : check2.message;
  }
  const check = checkRootPatch(text, prefix, which === "patches" ? LAYER_PATCH_HEADER : ROOT_PATCH_HEADER);
  return check.ok ? null : check.reason;
}
function unusableOwnedFiles(owned, prefix) {
  const out = [];
  for (const { file, text, unreadable } of owned) {
    if (unreadable !== void 0) out.push({ file, reason: unreadable });
    else if (text !== void 0) {
      const reason = ownedFileProblem(file, text, prefix);
      if (reason !== null) out.push({ file, reason });
    }
  }
  return out;
}
function skipRoots(planned, unusable) {
  const problems = [];
  for (const { file, reason } of unusable) {
    const root = ownedFileRoot(file);
    const message = `${file}, a file vault-rollout generates, is left as it is: ${reason}; the workloads of render root "${root || "."}" are skipped until it is restored or removed`;
    problems.push({ file, severity: "warning", message });
    for (const p of planned) {
      if (p.workload.root !== root) continue;
      if (p.action === "blocked") {
        p.reasons.push(message);
        continue;
      }
      p.action = "skipped";
      p.newValue = null;
      p.pins = [];
      p.reasons.push(message);
    }
  }
  return problems;
}

// src/core/plan/unrecord.ts
var lineStart = (text, at) => text.lastIndexOf("\n", at - 1) + 1;
var nextLine = (text, at) => {
  const i = text.indexOf("\n", at);
  return i < 0 ? text.length : i + 1;
};
function removeAnnotation(text, document, paths, key) {
  const docs = parseAllDocuments(text, { keepSourceTokens: false });
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return null;
  const doc = docs[document];
  if (!doc) return null;
  const cuts = [];
  const expected = docs.map((d) => d.toJS());
  for (const path of paths) {
    const map = doc.getIn(path, true);
    if (!isMap(map) || map.flow) return null;
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    if (!pair || !isScalar(pair.value)) continue;
    const [start] = pair.key.range;
    const end = pair.value.range[1];
    if (text.slice(lineStart(text, start), start).trim() !== "") return null;
    if (text.slice(start, end).includes("\n")) return null;
    let from = lineStart(text, start);
    if (map.items.length === 1) {
      const parent = doc.getIn(path.slice(0, -1), true);
      if (!isMap(parent) || parent.flow) return null;
      const own = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
      if (!own) return null;
      const keyStart = own.key.range[0];
      const keyLine = lineStart(text, keyStart);
      if (!/^\s*[\w"'./-]+\s*:\s*$/.test(text.slice(keyLine, nextLine(text, keyStart)).replace(/\r?\n$/, "")))
        return null;
      from = keyLine;
    }
    cuts.push([from, nextLine(text, end)]);
    let node = expected[document];
    for (const seg of path.slice(0, -1)) node = node[seg];
    const last = path[path.length - 1];
    const inner = node[last];
    delete inner[key];
    if (Object.keys(inner).length === 0) delete node[last];
  }
  if (cuts.length === 0) return text;
  cuts.sort((a, b) => b[0] - a[0]);
  let out = text;
  for (const [from, to] of cuts) out = `${out.slice(0, from)}${out.slice(to)}`;
  const after = parseAllDocuments(out);
  if (!Array.isArray(after) || after.some((d) => d.errors.length > 0)) return null;
  if (JSON.stringify(after.map((d) => d.toJS())) !== JSON.stringify(expected)) return null;
  return out;
}

// src/core/yaml/fast-edit.ts
var PLAIN_KEY = /^[A-Za-z0-9_.][A-Za-z0-9_./-]*$/;
function splitLines(text) {
  const lines = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    const next = nl === -1 ? text.length : nl + 1;
    const end = nl === -1 ? text.length : nl > start && text[nl - 1] === "\r" ? nl - 1 : nl;
    const content = text.slice(start, end);
    let indent = 0;
    while (content.charCodeAt(indent) === 32) indent++;
    if (content[indent] === "	" || content.charCodeAt(0) === 65279) return null;
    const body = content.slice(indent);
    const marker = indent === 0 && /^---[ \t]*(#.*)?$/.test(body) && lines.every((l) => l.skip);
    lines.push({
      start,
      end,
      next,
      indent,
      skip: body === "" || body.startsWith("#") || marker,
      text: content
    });
    start = next;
  }
  return lines;
}
function isParentKey(line, key) {
  const body = line.text.slice(line.indent);
  if (!body.startsWith(`${key}:`)) return false;
  const after = body.slice(key.length + 1);
  return after === "" || /^[ \t]+(#.*)?$/.test(after);
}
function blockEnd(lines, from, indent) {
  let i = from + 1;
  while (i < lines.length && (lines[i].skip || lines[i].indent > indent)) i++;
  return i;
}
function childIndent(lines, from, to, parent) {
  for (let i = from; i < to; i++) {
    const l = lines[i];
    if (l.skip) continue;
    if (l.indent <= parent) return null;
    const body = l.text.slice(l.indent);
    if (!/^[A-Za-z0-9_.][^:]*:( |$)/.test(body)) return null;
    return l.indent;
  }
  return null;
}
function findKey(lines, from, to, indent, key) {
  let found = -1;
  for (let i = from; i < to; i++) {
    const l = lines[i];
    if (l.skip || l.indent !== indent) continue;
    const body = l.text.slice(indent);
    if (body.startsWith(`${key}:`) && (body.length === key.length + 1 || /[ \t]/.test(body[key.length + 1]))) {
      if (found !== -1) return null;
      found = i;
    }
  }
  return found;
}
function lastEntryLine(lines, from, to) {
  for (let i = to - 1; i >= from; i--) if (!lines[i].skip) return i;
  return -1;
}
function plainEntries(lines, from, to, indent) {
  for (let i = from; i < to; i++) {
    const l = lines[i];
    if (l.skip || l.indent !== indent) continue;
    const body = l.text.slice(indent);
    if (!/^[A-Za-z0-9_.][^:]*:( |$)/.test(body) && !/^-( |$)/.test(body)) return false;
  }
  return true;
}
var plainKeys = /* @__PURE__ */ new Map();
function writtenPlain(key) {
  let plain = plainKeys.get(key);
  if (plain === void 0) {
    plain = PLAIN_KEY.test(key) && formatKey(key, false, "plain") === key;
    if (plainKeys.size < 1e3) plainKeys.set(key, plain);
  }
  return plain;
}
function insertAfter(text, line, rendered, nl) {
  const depth = indentOf(rendered);
  if (line.next > line.end)
    return { at: line.next, end: line.next, text: rendered.map((l) => l + nl).join(""), depth };
  return { at: line.end, end: line.end, text: rendered.map((l) => nl + l).join(""), depth };
}
function rootStep(lines, from, to, indent) {
  for (let i = from; i < to; i++) {
    const l = lines[i];
    if (l.skip || l.indent !== indent) continue;
    const body = l.text.slice(indent);
    const colon = /^[A-Za-z0-9_.][^:]*:( |$)/.exec(body);
    if (!colon) return null;
    const after = body.slice(colon[0].length).trimStart();
    if (after.startsWith("!") || after.startsWith("&")) return null;
    if (after !== "" && !after.startsWith("#")) continue;
    const next = lines.slice(i + 1, to).find((n) => !n.skip);
    if (!next || next.indent <= indent) continue;
    const child = next.text.slice(next.indent);
    if (child.startsWith("- ") || child === "-") continue;
    if (!/^[A-Za-z0-9_.][^:]*:( |$)/.test(child)) return null;
    return next.indent - indent;
  }
  return 2;
}
function planGroup(text, lines, g, nl) {
  const entries = [...g.entries];
  if (entries.some(([k, v]) => !writtenPlain(k) || formatValue(v, false) !== v)) return null;
  const within = [...g.within ?? ANNOTATION_KEYS];
  if (!within.every(writtenPlain)) return null;
  let from = 0;
  let to = lines.length;
  let parentIndent = null;
  let indent = childIndent(lines, from, to, -1);
  if (indent === null) return null;
  const steps = [...g.mapPath, ...within];
  for (let s = 0; s < steps.length; s++) {
    const step = steps[s];
    const at = findKey(lines, from, to, indent, step);
    if (at === null) return null;
    if (at === -1) {
      if (s < g.mapPath.length || step === "metadata" && g.mapPath.length > 0) return null;
      const rest = steps.slice(s);
      const last = lastEntryLine(lines, from, to);
      if (last === -1 || !plainEntries(lines, from, to, indent) || blockScalarEnd(lines, from, to, last))
        return null;
      const gap = parentIndent !== null && indent > parentIndent ? indent - parentIndent : rootStep(lines, from, to, indent);
      if (gap === null) return null;
      const rendered = [
        ...rest.map((k, i) => `${" ".repeat(indent + i * gap)}${k}:`),
        ...entries.map(([k, v]) => `${" ".repeat(indent + rest.length * gap)}${k}: ${v}`)
      ];
      return [insertAfter(text, lines[last], rendered, nl)];
    }
    if (!isParentKey(lines[at], step)) return null;
    parentIndent = indent;
    from = at + 1;
    to = blockEnd(lines, at, indent);
    indent = childIndent(lines, from, to, indent);
    if (indent === null) return null;
  }
  const splices = [];
  const fresh = [];
  for (const [k, v] of entries) {
    const at = findKey(lines, from, to, indent, k);
    if (at === null) return null;
    if (at === -1) {
      fresh.push([k, v]);
      continue;
    }
    const l = lines[at];
    const m = /^: ([A-Za-z0-9_./][A-Za-z0-9_./@,+=-]*)$/.exec(l.text.slice(l.indent + k.length));
    if (!m) return null;
    const next = lines[at + 1];
    if (next && !next.skip && next.indent > indent) return null;
    const valueStart = l.start + l.indent + k.length + 2;
    if (m[1] !== v) splices.push({ at: valueStart, end: l.end, text: v });
  }
  if (fresh.length > 0) {
    if (splices.length > 0) return null;
    const last = lastEntryLine(lines, from, to);
    if (last === -1 || !plainEntries(lines, from, to, indent) || blockScalarEnd(lines, from, to, last))
      return null;
    return [
      insertAfter(
        text,
        lines[last],
        fresh.map(([k, v]) => `${" ".repeat(indent)}${k}: ${v}`),
        nl
      )
    ];
  }
  return splices;
}
function blockScalarEnd(lines, from, to, last) {
  const after = lines[last + 1];
  if (!after || after.text.trim() !== "") return false;
  for (let i = from; i < to; i++) {
    const l = lines[i];
    if (!l.skip && /(^|[\s:-])[|>][-+0-9]*[ \t]*(#.*)?$/.test(l.text)) return true;
  }
  return false;
}
function fastAnnotationEdits(text, edits, before2) {
  if (edits.length === 0) return null;
  const data = before2 ?? fastManifestData(text);
  if (!data) return null;
  if (data.length === 1) return fastEditDocument(text, edits, data);
  const slices = documentSlices(text);
  if (!slices || slices.length !== data.length) return null;
  const byDocument = /* @__PURE__ */ new Map();
  for (const e of edits)
    byDocument.set(e.document, [...byDocument.get(e.document) ?? [], { ...e, document: 0 }]);
  let out = "";
  let pos = 0;
  for (const [index, documentEdits] of [...byDocument].sort(([a], [b]) => a - b)) {
    const slice = slices[index];
    if (!slice) return null;
    const edited = fastEditDocument(text.slice(slice.start, slice.end), documentEdits, [data[index]]);
    if (edited === null) return null;
    out += text.slice(pos, slice.start) + edited;
    pos = slice.end;
  }
  return out + text.slice(pos);
}
function documentSlices(text) {
  const bounds = [];
  const marker = /^(---|\.\.\.|%)(.*)$/gm;
  for (let m = marker.exec(text); m; m = marker.exec(text)) {
    if (m[1] !== "---" || !/^[ \t]*(#.*)?\r?$/.test(m[2])) return null;
    bounds.push(m.index);
  }
  const segments = [];
  let start = 0;
  for (const at of bounds) {
    segments.push({ start, end: at });
    const nl = text.indexOf("\n", at);
    start = nl === -1 ? text.length : nl + 1;
  }
  segments.push({ start, end: text.length });
  const blank = (seg) => /^(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*(?:#[^\n]*)?$/.test(text.slice(seg.start, seg.end));
  if (bounds.length > 0 && blank(segments[0])) segments.shift();
  return segments.some(blank) ? null : segments;
}
function fastEditDocument(text, edits, before2) {
  if (edits.length === 0 || edits.some((e) => e.document !== 0 || e.mapPath.some((s) => typeof s !== "string")))
    return null;
  const data = before2 ?? fastManifestData(text);
  if (!data || data.length !== 1) return null;
  const doc = data[0];
  for (const e of edits) {
    if (e.expect && (doc?.kind !== e.expect.kind || doc?.metadata?.name !== e.expect.name)) return null;
  }
  const lines = splitLines(text);
  if (!lines) return null;
  const nl = detectNewline(text);
  const groups = /* @__PURE__ */ new Map();
  for (const e of edits) {
    const within = e.within ?? ANNOTATION_KEYS;
    const id = JSON.stringify([e.mapPath, within]);
    let g = groups.get(id);
    if (!g) groups.set(id, g = { document: 0, mapPath: [...e.mapPath], within, entries: /* @__PURE__ */ new Map() });
    g.entries.set(e.key, e.value);
  }
  const splices = [];
  for (const g of groups.values()) {
    const s = planGroup(text, lines, g, nl);
    if (!s) return null;
    splices.push(...s);
  }
  splices.sort(
    (a, b) => a.at - b.at || (a.depth === void 0 || b.depth === void 0 ? 0 : b.depth - a.depth)
  );
  let out = "";
  let pos = -1;
  for (const s of splices) {
    if (s.at < pos || s.at === pos && s.end !== s.at) return null;
    out += text.slice(Math.max(pos, 0), s.at) + s.text;
    pos = s.end;
  }
  out += text.slice(Math.max(pos, 0));
  const after = fastManifestData(out);
  if (!after) return null;
  try {
    compareData(data, after, [...groups.values()]);
  } catch {
    return null;
  }
  return out;
}
function itemMap(lines, at, end) {
  const item = lines[at];
  const m = /^-( +)[A-Za-z0-9_.][^:]*:( |$)/.exec(item.text.slice(item.indent));
  if (!m) return null;
  const indent = item.indent + 1 + m[1].length;
  for (let i = at + 1; i < end; i++) if (!lines[i].skip && lines[i].indent < indent) return null;
  const copy = lines.slice();
  copy[at] = { ...item, indent, text: " ".repeat(indent) + item.text.slice(indent) };
  return { lines: copy, indent };
}
function scalarStyle(source) {
  if (/^"[^"\\]*"$/.test(source) && ![...source].some((c) => c < " " || c === "\x7F")) return "double";
  if (/^'[^']*'$/.test(source)) return "single";
  if (/^[A-Za-z0-9_./@+=-][A-Za-z0-9_./@,+=-]*$/.test(source)) return "plain";
  return null;
}
function formatScalar(value, style) {
  if (typeof value === "number") return Number.isSafeInteger(value) ? String(value) : null;
  if (/[\r\n]/.test(value)) return null;
  if (style === "single") return `'${value.replace(/'/g, "''")}'`;
  if (style === "double") return JSON.stringify(value);
  return formatValue(value, false);
}
function planScalarEdit(text, all, e, nl, data) {
  if (!("set" in e) || e.path.length === 0) return null;
  let current = data;
  for (const step of e.path) current = current?.[step];
  if (current === e.set) return [];
  let lines = all;
  let from = 0;
  let to = lines.length;
  let indent = childIndent(lines, from, to, -1);
  if (indent === null) return null;
  for (let s = 0; s < e.path.length; s++) {
    const step = e.path[s];
    if (typeof step === "number") return null;
    const at = findKey(lines, from, to, indent, step);
    if (at === null) return null;
    const last = s === e.path.length - 1;
    if (at === -1) {
      if (!last || !writtenPlain(step)) return null;
      const entry = lastEntryLine(lines, from, to);
      if (entry === -1 || !plainEntries(lines, from, to, indent) || blockScalarEnd(lines, from, to, entry))
        return null;
      const value = formatScalar(e.set, "plain");
      if (value === null) return null;
      return [insertAfter(text, lines[entry], [`${" ".repeat(indent)}${step}: ${value}`], nl)];
    }
    const line = lines[at];
    if (last) {
      const source = line.text.slice(line.indent + step.length + 2);
      if (line.text.slice(line.indent + step.length, line.indent + step.length + 2) !== ": ") return null;
      const style = scalarStyle(source);
      const next = lines.slice(at + 1, to).find((l) => !l.skip);
      if (style === null || next && next.indent > indent) return null;
      const value = formatScalar(e.set, style);
      if (value === null) return null;
      const start = line.start + line.indent + step.length + 2;
      return [{ at: start, end: line.end, text: value }];
    }
    if (!isParentKey(line, step)) return null;
    const end = blockEnd(lines, at, indent);
    const index = e.path[s + 1];
    if (typeof index === "number") {
      const first = lines.slice(at + 1, end).findIndex((l) => !l.skip);
      if (first === -1) return null;
      const seqIndent = lines[at + 1 + first].indent;
      let seqEnd = at + 1;
      const items = [];
      for (let i = at + 1; i < lines.length; i++) {
        const l = lines[i];
        if (l.skip) continue;
        const dash = /^-( |$)/.test(l.text.slice(l.indent));
        if (l.indent < seqIndent || l.indent === seqIndent && !dash) break;
        if (l.indent === seqIndent) items.push(i);
        seqEnd = i + 1;
      }
      if (seqIndent < indent || items.length === 0 || index < 0 || index >= items.length) return null;
      if (s + 2 >= e.path.length) return null;
      const itemEnd = items[index + 1] ?? seqEnd;
      const item = itemMap(lines, items[index], itemEnd);
      if (!item) return null;
      lines = item.lines;
      from = items[index];
      to = itemEnd;
      indent = item.indent;
      s++;
      continue;
    }
    from = at + 1;
    to = end;
    indent = childIndent(lines, from, to, indent);
    if (indent === null) return null;
  }
  return null;
}
function fastScalarEdits(text, edits, before2) {
  if (edits.length === 0 || edits.some((e) => e.document !== 0) || text.includes("<<")) return null;
  const data = before2 ?? fastManifestData(text);
  if (!data || data.length !== 1) return null;
  const doc = data[0];
  if (edits.some((e) => e.expect && (doc?.kind !== e.expect.kind || doc?.metadata?.name !== e.expect.name)))
    return null;
  const lines = splitLines(text);
  if (!lines) return null;
  const nl = detectNewline(text);
  const splices = [];
  for (const e of edits) {
    const s = planScalarEdit(text, lines, e, nl, data[0]);
    if (!s) return null;
    splices.push(...s);
  }
  splices.sort((a, b) => a.at - b.at);
  let out = "";
  let pos = 0;
  let lastAt = -1;
  for (const s of splices) {
    if (s.at < pos || s.at === lastAt) return null;
    out += text.slice(pos, s.at) + s.text;
    pos = s.end;
    lastAt = s.at;
  }
  out += text.slice(pos);
  const after = fastManifestData(out);
  if (!after) return null;
  try {
    compareData(data, after, [], (expected) => expectScalars(expected, edits));
  } catch {
    return null;
  }
  return out;
}

// src/core/plan/changes.ts
function pinValue(pin) {
  return pin.target.format === "int" ? pin.version : String(pin.version);
}
function pinEdit(pin) {
  const { target, version } = pin;
  const expect = expectedObject(target.kind, target.name);
  const base = { document: target.document, path: target.field, ...expect ? { expect } : {} };
  if (target.format !== "placeholder") return { ...base, set: pinValue(pin) };
  const from = target.placeholder ?? "";
  const [a, b] = target.versionAt ?? [from.length, from.length];
  const to = `${from.slice(0, a)}#${version}${from.slice(b)}`;
  return to === from ? null : { ...base, replace: { from, to } };
}
function group(planned, prefix) {
  const migrations = /* @__PURE__ */ new Map();
  const byFile = /* @__PURE__ */ new Map();
  const byPatch = /* @__PURE__ */ new Map();
  const entry = (file) => {
    let e = byFile.get(file);
    if (!e) byFile.set(file, e = { annotations: [], scalars: /* @__PURE__ */ new Map(), workloads: /* @__PURE__ */ new Set() });
    return e;
  };
  const patchEntry = (target) => {
    let e = byPatch.get(target.file);
    if (!e)
      byPatch.set(
        target.file,
        e = { kustomization: target.kustomization, sets: [], listPins: [], workloads: /* @__PURE__ */ new Set() }
      );
    return e;
  };
  for (const p of planned) {
    const edits = editsFor(p, prefix);
    const rootPatch = p.workload.rootPatch;
    if (edits.length > 0 && rootPatch) {
      const e = patchEntry(rootPatch);
      for (const edit of edits)
        e.sets.push({
          object: rootPatch.object,
          path: [...edit.mapPath, ...edit.within ?? [], edit.key].map(String),
          value: edit.value
        });
      e.workloads.add(p);
    }
    const migrate = p.workload.migrate;
    if (rootPatch && migrate && p.action !== "blocked" && p.action !== "skipped") {
      const e = patchEntry(rootPatch);
      const key = `${prefix}/secret-versions`;
      const full = (t) => JSON.stringify([...t.mapPath, ...t.within ?? []]);
      const has = (t) => edits.some((x) => full(x) === full(t));
      const copy = (t, value) => {
        if (value !== null && !has(t))
          e.sets.push({
            object: rootPatch.object,
            path: [...t.mapPath, ...t.within, key].map(String),
            value
          });
      };
      if (migrate.record) copy(p.workload.record, p.workload.recordedRaw);
      if (migrate.trigger) copy(p.workload.trigger, p.workload.templateRaw);
      e.workloads.add(p);
      const id = `${p.workload.file}#${p.workload.document}`;
      let m = migrations.get(id);
      if (!m) {
        const paths = [
          ...migrate.record ? [[...p.workload.record.mapPath, ...p.workload.record.within]] : [],
          ...migrate.trigger ? [[...p.workload.trigger.mapPath, ...p.workload.trigger.within]] : []
        ];
        migrations.set(
          id,
          m = {
            file: p.workload.file,
            document: p.workload.document,
            paths,
            builders: migrate.builders,
            copied: /* @__PURE__ */ new Set()
          }
        );
      }
      m.copied.add(p.workload.root ?? "");
    }
    if (edits.length > 0 && !rootPatch) {
      const e = entry(p.workload.file);
      e.annotations.push(...edits);
      e.workloads.add(p);
    }
    if (p.action !== "restart") continue;
    for (const pin of p.pins) {
      if (pin.target.rootPatch) {
        const e2 = patchEntry(pin.target.rootPatch);
        const { field } = pin.target;
        if (field.some((seg) => typeof seg === "number"))
          e2.listPins.push({ object: pin.target.rootPatch.object, path: field, value: pinValue(pin) });
        else
          e2.sets.push({ object: pin.target.rootPatch.object, path: field.map(String), value: pinValue(pin) });
        e2.workloads.add(p);
        continue;
      }
      const edit = pinEdit(pin);
      const e = entry(pin.target.file);
      e.workloads.add(p);
      if (!edit) continue;
      const id = JSON.stringify([edit.document, edit.path, "replace" in edit ? edit.replace.from : ""]);
      e.scalars.set(id, edit);
    }
  }
  return { byFile, byPatch, migrations: [...migrations.values()] };
}
function buildChanges(planned, texts, prefix, fileData, rootBuilds = () => true, layersOf = []) {
  const problems = [];
  for (; ; ) {
    const changes = [];
    let failed = false;
    const { byFile, byPatch, migrations } = group(planned, prefix);
    const block = (workloads, file, message) => {
      for (const w of workloads) {
        w.action = "skipped";
        w.newValue = null;
        w.pins = [];
        w.reasons.push(`${file}, its render root's patch, could not be written safely: ${message}`);
      }
      failed = true;
    };
    for (const root of layersOf) {
      const file = `${root.dir ? `${root.dir}/` : ""}${LAYER_DIR}/patches.yaml`;
      if (!byPatch.has(file))
        byPatch.set(file, {
          kustomization: root.kustomization,
          sets: [],
          listPins: [],
          workloads: /* @__PURE__ */ new Set()
        });
    }
    for (const [file, edits] of [...byPatch].sort(([a], [b]) => a < b ? -1 : 1)) {
      const layerKustomization = `${dirName(file)}/kustomization.yaml`;
      const before2 = texts.get(file);
      const beforeKustomization = texts.get(layerKustomization);
      const moved = legacySets(
        texts.get(rootPatchFile(dirName(dirName(file)))),
        texts.get(edits.kustomization)
      );
      const layer = renderLayer(
        { kustomization: beforeKustomization, patches: before2 },
        [...moved, ...edits.sets],
        edits.listPins,
        (object) => rootBuilds(file, object)
      );
      if (!layer.ok) {
        problems.push({ file, severity: "error", message: `not edited: ${layer.message}` });
        block(edits.workloads, file, layer.message);
        continue;
      }
      const kustomization = texts.get(edits.kustomization);
      const rootDir = dirName(dirName(file));
      const legacy = legacyMove(texts.get(rootPatchFile(rootDir)), kustomization);
      if (!legacy.ok) {
        problems.push({
          file: edits.kustomization,
          severity: "error",
          message: `not edited: ${legacy.message}`
        });
        block(edits.workloads, file, `${edits.kustomization} ${legacy.message}`);
        continue;
      }
      const listed = legacy.kustomization === void 0 ? { ok: false, message: "the kustomization file was not read" } : listComponentInKustomization(legacy.kustomization, LAYER_DIR);
      if (!listed.ok) {
        problems.push({
          file: edits.kustomization,
          severity: "error",
          message: `not edited: ${listed.message}`
        });
        block(edits.workloads, file, `${edits.kustomization} ${listed.message}`);
        continue;
      }
      const empty = !layer.hasPatches && layer.kustomization.includes("\npatches: []\n");
      if (empty && before2 === void 0 && beforeKustomization === void 0) continue;
      if (layer.patches !== before2 && (layer.hasPatches || before2 !== void 0)) {
        changes.push({ path: file, before: before2 ?? "", after: layer.patches });
      }
      if (layer.kustomization !== beforeKustomization)
        changes.push({
          path: layerKustomization,
          before: beforeKustomization ?? "",
          after: layer.kustomization
        });
      if (layer.patches !== before2 || layer.kustomization !== beforeKustomization)
        problems.push(...droppedEntries(file, before2, beforeKustomization, prefix, rootBuilds));
      if (kustomization !== void 0 && listed.text !== kustomization)
        changes.push({ path: edits.kustomization, before: kustomization, after: listed.text });
      if (legacy.kustomization !== kustomization) {
        const message = `no longer listed in ${edits.kustomization}: its entries moved into ${dirName(file)}/, the root's own layer (render unchanged); nothing reads this file any more, delete it`;
        const legacyFile = rootPatchFile(rootDir);
        if (!problems.some((p) => p.file === legacyFile && p.message === message))
          problems.push({ file: legacyFile, severity: "warning", message });
      }
    }
    if (failed) continue;
    for (const [file, edits] of [...byFile].sort(([a], [b]) => a < b ? -1 : 1)) {
      const before2 = texts.get(file);
      if (before2 === void 0) throw new Error(`internal: no text for "${file}"`);
      const result = editFile(before2, edits, fileData?.get(file));
      if (result.ok) {
        if (result.text !== before2) changes.push({ path: file, before: before2, after: result.text });
        continue;
      }
      const problem = { file, severity: "error", message: `not edited: ${result.message}` };
      if (result.line !== void 0) problem.line = result.line;
      if (result.column !== void 0) problem.column = result.column;
      problems.push(problem);
      for (const w of edits.workloads) {
        w.action = "skipped";
        w.newValue = null;
        w.pins = [];
        w.reasons.push(
          w.workload.file === file ? `the file could not be edited safely: ${result.message}` : `${file}, where its secret's version is pinned, could not be edited safely: ${result.message}`
        );
      }
      failed = true;
    }
    if (!failed) migrationChanges(migrations, byFile, texts, prefix, changes, problems);
    if (!failed)
      return { changes: changes.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0), problems };
  }
}
function droppedEntries(file, before2, beforeKustomization, prefix, rootBuilds) {
  const problems = [];
  const layerKustomization = `${dirName(file)}/kustomization.yaml`;
  const check = before2 === void 0 ? null : checkRootPatch(before2, prefix, LAYER_PATCH_HEADER);
  const named = (o) => `${o.kind}/${o.name}${o.namespace ? ` (namespace ${o.namespace})` : ""}`;
  const why = `render root "${dirName(dirName(file)) || "."}" no longer builds it, and kustomize refuses a patch without its target`;
  const pinned = beforeKustomization === void 0 ? null : checkLayerKustomization(beforeKustomization);
  for (const gone of pinned?.ok ? pinned.entries.filter((o) => !rootBuilds(file, o)) : [])
    problems.push({
      file: layerKustomization,
      severity: "warning",
      message: `dropped the version pin of ${named(gone)}: ${why}`
    });
  for (const gone of check?.ok ? check.entries.filter((o) => !rootBuilds(file, o)) : [])
    problems.push({ file, severity: "warning", message: `dropped the entry for ${named(gone)}: ${why}` });
  return problems;
}
function migrationChanges(migrations, byFile, texts, prefix, changes, problems) {
  for (const m of migrations) {
    if (byFile.has(m.file) || !m.builders.every((r) => m.copied.has(r))) continue;
    const before2 = texts.get(m.file);
    if (before2 === void 0 || changes.some((c) => c.path === m.file)) continue;
    const after = removeAnnotation(before2, m.document, m.paths, `${prefix}/secret-versions`);
    if (after === null)
      problems.push({
        file: m.file,
        severity: "warning",
        message: `the record written here in place earlier is now in each root's own layer, but could not be removed line by line: remove ${prefix}/secret-versions from document ${m.document + 1} by hand`
      });
    else if (after !== before2) changes.push({ path: m.file, before: before2, after });
  }
}
function legacySets(legacy, kustomization) {
  if (legacy === void 0 || kustomization === void 0) return [];
  const unlisted = unlistPatchInKustomization(kustomization, ROOT_PATCH_BASENAME);
  if (!unlisted.ok || unlisted.text === kustomization) return [];
  const read = readYamlData(legacy);
  if (!read.ok) return [];
  const sets = [];
  for (const doc of read.docs) {
    if (!isData4(doc) || !isData4(doc.metadata) || typeof doc.metadata.name !== "string") continue;
    const object = {
      apiVersion: String(doc.apiVersion ?? ""),
      kind: String(doc.kind ?? ""),
      name: doc.metadata.name,
      namespace: typeof doc.metadata.namespace === "string" ? doc.metadata.namespace : null
    };
    const walk = (value, path) => {
      if (isData4(value)) for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
      else if (typeof value === "string" || typeof value === "number") sets.push({ object, path, value });
    };
    for (const [k, v] of Object.entries(doc)) {
      if (k === "apiVersion" || k === "kind") continue;
      if (k === "metadata" && isData4(v)) {
        for (const [mk, mv] of Object.entries(v))
          if (mk !== "name" && mk !== "namespace") walk(mv, ["metadata", mk]);
      } else walk(v, [k]);
    }
  }
  return sets;
}
function legacyMove(legacy, kustomization) {
  if (legacy === void 0 || kustomization === void 0) return { ok: true, kustomization };
  const unlisted = unlistPatchInKustomization(kustomization, ROOT_PATCH_BASENAME);
  if (!unlisted.ok) return unlisted;
  return { ok: true, kustomization: unlisted.text };
}
var ROOT_PATCH_BASENAME = "vault-rollout.patch.yaml";
var isData4 = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
function editFile(before2, edits, data) {
  if (edits.scalars.size > 0) {
    const scalars = [...edits.scalars.values()];
    const fast2 = edits.annotations.length === 0 ? fastScalarEdits(before2, scalars, data) : null;
    return fast2 !== null ? { ok: true, text: fast2 } : applyFileEdits(before2, { annotations: edits.annotations, scalars });
  }
  const fast = fastAnnotationEdits(before2, edits.annotations, data);
  return fast !== null ? { ok: true, text: fast } : applyAnnotationEdits(before2, edits.annotations);
}

// src/core/plan/rollout-policy.ts
var WEEKDAY = {
  Mon: "mon",
  Tue: "tue",
  Wed: "wed",
  Thu: "thu",
  Fri: "fri",
  Sat: "sat",
  Sun: "sun"
};
var formats = /* @__PURE__ */ new Map();
function wallClock(now, timeZone) {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23"
    });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(now).map((p) => [p.type, p.value]));
  const day = WEEKDAY[parts.weekday ?? ""];
  if (day === void 0) throw new Error(`internal: no weekday for ${now.toISOString()} in "${timeZone}"`);
  return { day, time: `${parts.hour}:${parts.minute}` };
}
function inWindow(window, now) {
  const { day, time } = wallClock(now, window.timezone);
  return window.days.includes(day) && window.from <= time && time < window.to;
}
function windowText(w) {
  return `${w.days.join(",")} ${w.from}-${w.to} ${w.timezone}`;
}
function instant(text) {
  const m = /^([^.]+?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i.exec(text.trim());
  if (!m) return null;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (!Number.isFinite(seconds)) return null;
  return [seconds, Number((m[2] ?? "").padEnd(9, "0").slice(0, 9))];
}
var NEVER = [Number.POSITIVE_INFINITY, 0];
var before = (a, b) => a[0] < b[0] || a[0] === b[0] && a[1] < b[1];
function changedAt(p) {
  let oldest = NEVER;
  for (const s of p.secrets) {
    if (s.state !== "outdated" || s.updatedTime === null) continue;
    const t = instant(s.updatedTime);
    if (t !== null && before(t, oldest)) oldest = t;
  }
  return oldest;
}
function stableKey(p) {
  const w = p.workload;
  return [
    w.environment ?? "",
    w.root ?? "",
    w.file,
    String(w.document).padStart(6, "0"),
    w.kind,
    w.name
  ].join("\0");
}
function restartOrder(planned) {
  const keyed = planned.filter((p) => p.action === "restart").map((p) => ({ p, at: changedAt(p), key: stableKey(p) }));
  keyed.sort(
    (a, b) => before(a.at, b.at) ? -1 : before(b.at, a.at) ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0
  );
  return keyed.map((k) => k.p);
}
function defer(p, reason) {
  p.action = "deferred";
  p.newValue = null;
  p.pins = [];
  p.reasons.push(reason);
}
function deferRestarts(planned, rollout, now) {
  const restarts = restartOrder(planned);
  if (restarts.length === 0) return [];
  if (rollout.windows.length > 0 && !rollout.windows.some((w) => inWindow(w, now))) {
    const w0 = rollout.windows[0];
    const { day, time } = wallClock(now, w0.timezone);
    const reason2 = `outside rollout.windows (now ${day} ${time} ${w0.timezone}; windows: ${rollout.windows.map(windowText).join("; ")}): a run inside a window restarts it`;
    for (const p of restarts) defer(p, reason2);
    return restarts;
  }
  const max = rollout.maxRestartsPerRun;
  if (max === void 0 || restarts.length <= max) return [];
  const held = restarts.slice(max);
  const reason = `rollout.maxRestartsPerRun is ${max}: ${max} older change(s) go first (${restarts.length} pending); a later run restarts it`;
  for (const p of held) defer(p, reason);
  return held;
}

// src/pipeline.ts
function problemsOfEnvironment(problems, found, config, environment) {
  const env = config.environments.find((e) => e.name === environment);
  if (env === void 0) return [...problems];
  const globs = env.paths.length > 0 ? (0, import_picomatch5.default)([...env.paths], { dot: true }) : () => false;
  const match = (file) => globs(file) || env.entry !== void 0 && under(file, env.entry);
  const folders = /* @__PURE__ */ new Set();
  for (const [root, built] of found.rootFolders) {
    if (found.rootEnvironments.get(root) !== environment) continue;
    folders.add(root);
    for (const f of built) folders.add(f);
  }
  const within = (file) => {
    for (let dir = dirName(file); ; dir = dirName(dir)) {
      if (folders.has(dir)) return true;
      if (dir === "") return false;
    }
  };
  return problems.filter((p) => match(p.file) || within(p.file));
}
function selectEnvironment(workloads, config, environment) {
  if (environment === void 0) return workloads;
  if (!config.environments.some((e) => e.name === environment)) {
    const known = config.environments.map((e) => `"${e.name}"`).join(", ");
    throw new ConfigError(
      known ? `--environment "${environment}" is not in the config's environments (${known})` : `--environment "${environment}" given, but the config lists no environments`,
      { key: "environments" }
    );
  }
  return workloads.filter((w) => w.environment === environment);
}
async function discoverRepo(source, config, logger, progress = silentProgress) {
  const selected = makePathFilter(config.include, config.exclude);
  const accept = (path) => selected(path) || isKustomizationFile(path) && notExcluded(path) || path.split("/").includes(ROOT_PATCH_FILE);
  const notExcluded = makePathFilter(["**"], config.exclude);
  progress.start("files");
  const limit = { maxFileBytes: config.maxFileBytes };
  const loaded = withinLimit(
    await source.load(accept, limit).finally(() => progress.end()),
    config.maxFileBytes
  );
  let found = discover(loaded.files, config);
  const reported = new Set(loaded.problems.map((p) => p.file));
  const wanted = new Set(found.missing.filter((path) => notExcluded(path) && !reported.has(path)));
  if (wanted.size > 0) {
    const more = withinLimit(
      await source.load((path) => wanted.has(path), { ...limit, anyName: true }),
      config.maxFileBytes
    );
    if (more.files.length > 0) {
      loaded.files.push(...more.files);
      loaded.problems.push(...more.problems);
      found = discover(loaded.files, config);
    }
  }
  logger.debug("discovered", {
    files: loaded.files.length,
    workloads: found.workloads.length,
    roots: found.roots.length,
    problems: loaded.problems.length + found.problems.length
  });
  const withKustomization = found.roots.filter((r) => r.kustomization !== null);
  const ownedPaths = withKustomization.flatMap((r) => {
    const layer = layerPaths(r.dir);
    return [layer.kustomization, layer.patches, rootPatchFile(r.dir)];
  });
  const readPaths = new Set(loaded.files.map((f) => f.path));
  const owned = ownedFileStates(ownedPaths, loaded, await source.entryKinds?.(ownedPaths));
  return {
    files: loaded.files,
    owned,
    workloads: found.workloads,
    problems: [...loaded.problems, ...found.problems],
    fileData: found.fileData,
    rootBuilds: (patchFile, object) => found.rootObjects.get(patchFile)?.has(objectKey(object)) ?? false,
    undeployed: found.undeployed,
    layers: withKustomization.filter((r) => readPaths.has(layerPaths(r.dir).kustomization) || readPaths.has(rootPatchFile(r.dir))).map((r) => ({ dir: r.dir, kustomization: r.kustomization })),
    rootFolders: new Map(found.roots.map((r) => [r.dir, new Set(r.documents.map((d) => dirName(d.file)))])),
    rootEnvironments: found.rootEnvironments
  };
}
function ownedFileStates(paths, loaded, kinds) {
  const texts = new Map(loaded.files.map((f) => [f.path, f.text]));
  const nested = [...loaded.files.map((f) => f.path), ...loaded.problems.map((p) => p.file)].filter(
    (p) => p.includes(`${ROOT_PATCH_FILE}/`) || p.includes(`${LAYER_DIR}/`)
  );
  const out = [];
  for (const file of paths) {
    const text = texts.get(file);
    const kind = kinds?.get(file);
    const reported = loaded.problems.find((p) => p.file === file);
    let unreadable;
    if (kind === "symlink") unreadable = "it is a symbolic link, not a file";
    else if (kind === "directory" || nested.some((p) => p.startsWith(`${file}/`)))
      unreadable = "it is a folder, not a file";
    else if (kind === "other") unreadable = "it is not a regular file";
    else if (reported) unreadable = `it cannot be read whole (${reported.message})`;
    if (unreadable !== void 0) out.push({ file, text: void 0, unreadable });
    else if (text !== void 0) out.push({ file, text });
  }
  return out;
}
function withinLimit(loaded, maxFileBytes) {
  const files = [];
  const problems = [...loaded.problems];
  for (const f of loaded.files) {
    const size = f.text.length * 3 > maxFileBytes ? Buffer.byteLength(f.text, "utf8") : 0;
    if (size > maxFileBytes) problems.push(oversizeProblem(f.path, size, maxFileBytes));
    else files.push(f);
  }
  return { files, problems };
}
function uniqueSecretPaths(workloads) {
  return [
    ...new Set(workloads.flatMap((w) => w.ignored !== void 0 ? [] : w.secrets.map((s) => s.path)))
  ].sort();
}
async function planRepo(opts) {
  const progress = opts.progress ?? silentProgress;
  const found = await discoverRepo(opts.source, opts.config, opts.logger, progress);
  const { files, problems, fileData } = found;
  const workloads = selectEnvironment(found.workloads, opts.config, opts.environment);
  const byEnvironment = /* @__PURE__ */ new Map();
  for (const w of workloads) {
    const env = w.environment ?? null;
    const group2 = byEnvironment.get(env);
    if (group2) group2.push(w);
    else byEnvironment.set(env, [w]);
  }
  const plannedBy = /* @__PURE__ */ new Map();
  for (const [env, group2] of byEnvironment) {
    const paths = uniqueSecretPaths(group2);
    opts.logger.info(
      `Reading metadata of ${paths.length} Vault secret(s) for ${group2.length} workload(s)${env === null ? "" : ` of environment "${env}"`}`
    );
    const byNamespace = /* @__PURE__ */ new Map();
    for (const w of group2) {
      if (w.ignored !== void 0) continue;
      for (const s of w.secrets) {
        const ns = s.vaultNamespace ?? null;
        let set = byNamespace.get(ns);
        if (!set) byNamespace.set(ns, set = /* @__PURE__ */ new Set());
        set.add(s.path);
      }
    }
    const statuses = /* @__PURE__ */ new Map();
    progress.start(
      "vault",
      [...byNamespace.values()].reduce((n, set) => n + set.size, 0)
    );
    try {
      for (const [ns, set] of byNamespace) {
        const read = await opts.reader.read([...set].sort(), env, ns);
        for (const [path, status] of read)
          statuses.set(statusKey({ path, vaultNamespace: ns ?? void 0 }), status);
      }
    } finally {
      progress.end();
    }
    const planned2 = planWorkloads(group2, statuses, { pinVersions: opts.config.pinVersions });
    group2.forEach((w, i) => plannedBy.set(w, planned2[i]));
  }
  const planned = workloads.map((w) => plannedBy.get(w));
  const roots = new Set(workloads.map((w) => w.root));
  const owned = opts.environment === void 0 ? found.owned : found.owned.filter((o) => roots.has(ownedFileRoot(o.file)));
  const unusable = unusableOwnedFiles(owned, opts.config.annotationPrefix);
  const skipped = skipRoots(planned, unusable);
  const skippedRoots = new Set(unusable.map((u) => ownedFileRoot(u.file)));
  const layers = found.layers.filter(
    (l) => !skippedRoots.has(l.dir) && (opts.environment === void 0 || found.rootEnvironments.get(l.dir) === opts.environment)
  );
  deferRestarts(planned, opts.config.rollout, (opts.clock ?? (() => /* @__PURE__ */ new Date()))());
  const folded = new Set(owned.flatMap((o) => o.unreadable !== void 0 ? [o.file] : []));
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const edited = opts.edits === false ? { changes: [], problems: [] } : buildChanges(planned, texts, opts.config.annotationPrefix, fileData, found.rootBuilds, layers);
  return {
    branch: opts.branch,
    workloads: planned,
    summary: summarize(planned),
    problems: [
      ...problemsOfEnvironment(problems, found, opts.config, opts.environment).filter(
        (p) => !folded.has(p.file)
      ),
      ...skipped,
      ...edited.problems
    ],
    changes: edited.changes,
    commit: null,
    pullRequest: null
  };
}
var defaultSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function publishLoop(opts) {
  const attempts = Math.max(1, opts.retry?.attempts ?? 5);
  const backoff = opts.retry?.backoffMs ?? 250;
  const sleep = opts.retry?.sleep ?? defaultSleep;
  const random = opts.retry?.random ?? Math.random;
  let last = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const plan = await opts.plan(opts.ws);
    const step = await opts.publish(plan, opts.ws, attempt);
    if (!step.moved) return { plan, result: step.result, attempts: attempt };
    last = step.message;
    if (attempt === attempts) break;
    opts.logger.info(`"${opts.ws.branch}" moved during the run (${step.message}); planning again`);
    await sleep(Math.round(backoff * 2 ** (attempt - 1) * (0.5 + random())));
    await opts.ws.refresh();
  }
  throw new GitError(
    `the remote kept moving: ${attempts} attempts on "${opts.ws.branch}" of "${opts.ws.url}" were overtaken by other writers (last: ${last}); run again later`,
    { branch: opts.ws.branch, reason: "not-fast-forward", attempts }
  );
}

export {
  problemsOfEnvironment,
  selectEnvironment,
  discoverRepo,
  uniqueSecretPaths,
  planRepo,
  publishLoop
};
