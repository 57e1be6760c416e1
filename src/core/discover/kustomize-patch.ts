/**
 * The two patch kinds kustomize applies, on plain data, for discovery: what a render root builds after
 * its `patches`. Not kustomize's whole merge engine (no OpenAPI schema): a strategic-merge patch merges
 * maps, deletes keys set to null, honours `$patch: delete | replace`, and merges the lists Kubernetes
 * merges by a key (containers, env, volumes, ... by `name`; ports by `containerPort`), which is what a
 * patch that adds `envFrom`, an env var or a volume relies on. Other lists are replaced, as kustomize does
 * for lists without a merge key. JSON 6902 (RFC 6902) `add`, `remove`, `replace`, `copy`, `move`, `test`,
 * with kustomize v5.5's reading of it (see applyJsonPatch).
 *
 * Data is never mutated: a patched object shares every subtree the patch did not touch with the original,
 * so discovery's per-template caches keep working for unpatched workloads.
 */
import { isRecord } from './workloads.js';

type Data = Record<string, unknown>;

/**
 * Keys of the sequences kustomize merges item by item. kyaml treats a list as associative when its items
 * carry one of these keys (its `AssociativeSequenceKeys`); Kubernetes' schema agrees for the pod spec.
 */
const ASSOCIATIVE_KEYS = ['name', 'mountPath', 'devicePath', 'containerPort', 'ip', 'type', 'topologyKey'];

function associativeKey(base: unknown[], patch: unknown[]): string | null {
  const items = [...base, ...patch].filter((i) => !(isRecord(i) && i.$patch === 'delete' && !i.name));
  if (items.length === 0) return null;
  for (const key of ASSOCIATIVE_KEYS) {
    if (items.every((i) => isRecord(i) && (typeof i[key] === 'string' || typeof i[key] === 'number')))
      return key;
  }
  return null;
}

/** Strategic-merge `patch` onto `base` (see the module comment). Returns undefined when it deletes. */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (isRecord(patch)) {
    if (patch.$patch === 'delete') return undefined;
    if (patch.$patch === 'replace') return withoutDirectives(patch);
    const out: Data = isRecord(base) ? { ...base } : {};
    for (const [k, v] of Object.entries(patch)) {
      if (k.startsWith('$')) continue;
      if (v === null) {
        delete out[k];
        continue;
      }
      const merged = strategicMerge(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
    return out;
  }
  if (Array.isArray(patch) && Array.isArray(base)) {
    const key = associativeKey(base, patch);
    if (key === null) return patch.map(withoutDirectives);
    const out = [...base];
    for (const item of patch) {
      const id = (item as Data)[key];
      const at = out.findIndex((b) => (b as Data)[key] === id);
      if ((item as Data).$patch === 'delete') {
        if (at >= 0) out.splice(at, 1);
      } else if (at >= 0) out[at] = strategicMerge(out[at], item);
      else out.push(withoutDirectives(item));
    }
    return out;
  }
  return withoutDirectives(patch);
}

function withoutDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDirectives);
  if (!isRecord(value)) return value;
  const out: Data = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = withoutDirectives(v);
  return out;
}

/** One RFC 6902 operation. */
export interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

export function isJsonPatch(value: unknown): value is JsonPatchOp[] {
  return (
    Array.isArray(value) &&
    value.every((op) => isRecord(op) && typeof op.op === 'string' && typeof op.path === 'string')
  );
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Error(`JSON pointer "${path}" must start with "/"`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(root: unknown, segs: readonly string[]): unknown {
  let v = root;
  for (const s of segs) {
    if (Array.isArray(v)) v = v[listIndex(v, s, 'get')];
    else if (isRecord(v)) v = Object.hasOwn(v, s) ? v[s] : undefined;
    else return undefined;
  }
  return v;
}

/**
 * A list index as kustomize's JSON patch reads it: a number, `-` (the end, for `add`), or a negative
 * number counted from the end (`-1` is the last item; for `add`, the place after it).
 */
function listIndex(list: readonly unknown[], seg: string, op: 'add' | 'replace' | 'remove' | 'get'): number {
  if (seg === '-') return op === 'add' ? list.length : -1;
  if (!/^-?\d+$/.test(seg)) return -1;
  const n = Number(seg);
  if (n >= 0) return n;
  return (op === 'add' ? list.length + 1 : list.length) + n;
}

/**
 * Sets (or removes) at `segs`, copying the containers on the way. As kustomize v5.5 applies RFC 6902:
 * the parent must exist, `replace` on a key the map lacks adds it, a list index must be in range
 * (`add` may append), and removing what is not there is an error.
 */
function setAt(
  root: unknown,
  segs: readonly string[],
  op: 'add' | 'replace' | 'remove',
  value?: unknown,
): unknown {
  if (segs.length === 0) return op === 'remove' ? undefined : value;
  const [head, ...rest] = segs as [string, ...string[]];
  if (Array.isArray(root)) {
    const out = [...root];
    const index = listIndex(out, head, rest.length > 0 ? 'get' : op);
    const last = op === 'add' && rest.length === 0 ? out.length : out.length - 1;
    if (!Number.isInteger(index) || index < 0 || index > last) throw new Error(`no list index "${head}"`);
    if (rest.length > 0) out[index] = setAt(out[index], rest, op, value);
    else if (op === 'add') out.splice(index, 0, value);
    else if (op === 'remove') out.splice(index, 1);
    else out[index] = value;
    return out;
  }
  if (!isRecord(root)) throw new Error(`"${head}" is not in a map or list`);
  const out: Data = { ...root };
  if (rest.length > 0) {
    if (!Object.hasOwn(out, head)) throw new Error(`no key "${head}"`);
    out[head] = setAt(out[head], rest, op, value);
  } else if (op === 'remove') {
    if (!Object.hasOwn(out, head)) throw new Error(`no key "${head}"`);
    delete out[head];
  } else out[head] = value;
  return out;
}

/** Deep equality of plain data, map key order aside (what a JSON patch `test` compares). */
function sameData(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameData(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameData(a[k], b[k]))
    );
  }
  // A missing value tests equal to null, as kustomize's JSON patch has it.
  return (a ?? null) === (b ?? null);
}

/**
 * Applies RFC 6902 operations as kustomize v5.5 does; throws with the failing operation when kustomize
 * would refuse it. kustomize keeps its own annotations on every object while it patches, so
 * `metadata.annotations` exists then even when the object has none: an `add` under it applies.
 */
export function applyJsonPatch(doc: unknown, ops: readonly JsonPatchOp[]): unknown {
  const metadata = isRecord(doc) && isRecord(doc.metadata) ? doc.metadata : null;
  const implicit = metadata !== null && !Object.hasOwn(metadata, 'annotations');
  let out = implicit ? { ...(doc as Data), metadata: { ...metadata, annotations: {} } } : doc;
  for (const op of ops) {
    try {
      const segs = pointer(op.path);
      switch (op.op) {
        case 'add':
        case 'replace':
          out = setAt(out, segs, op.op, op.value);
          break;
        case 'remove':
          out = setAt(out, segs, 'remove');
          break;
        case 'copy':
        case 'move': {
          const from = pointer(op.from ?? '');
          const value = getAt(out, from);
          // kustomize copies a missing value as null, but cannot move one.
          if (op.op === 'move') out = setAt(out, from, 'remove');
          out = setAt(out, segs, 'add', value ?? null);
          break;
        }
        case 'test':
          if (!sameData(getAt(out, segs), op.value)) throw new Error('test failed');
          break;
        default:
          throw new Error(`unknown op "${op.op}"`);
      }
    } catch (err) {
      throw new Error(`${op.op} ${op.path}: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
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
