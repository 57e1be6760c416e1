/**
 * Files vault-rollout generates (a render root's own layer, own-layer.ts, and the older patch file,
 * root-patch.ts) are checked, not trusted.
 * Anyone who can open a pull request can edit them, and kustomize applies whatever they hold: a field a
 * person adds to "the tool's file" (an image, `nodeSelector: null`) would be deployed under a bot commit
 * that says "restart 2 workloads" once the tool rewrites the file around it. So such a file is used only
 * when it is exactly what vault-rollout would have written: its own entries, with only the fields it
 * writes, in its own types and bytes. Anything else, or a file it cannot read whole (too big, not UTF-8,
 * a symlink, a folder, a special file), skips that root's workloads with the reason, and the file is
 * left byte for byte as it is (docs/annotations.md "Files vault-rollout generates").
 */
import type { PlannedWorkload, Problem, RootPatchTarget } from '../model.js';
import { dirName } from '../discover/roots.js';
import { readRecord } from '../record.js';
import { readYamlData } from '../yaml/fast-data.js';
import { checkLayerKustomization, LAYER_DIR, LAYER_PATCH_FILE, LAYER_PATCH_HEADER } from './own-layer.js';
import { ROOT_PATCH_HEADER, renderRootPatch } from './root-patch.js';

type Data = Record<string, unknown>;
type ObjectId = RootPatchTarget['object'];

/** What a generated file holds, as far as vault-rollout may use it. */
export type OwnedFileCheck = { ok: true; entries: ObjectId[] } | { ok: false; reason: string };

const isData = (v: unknown): v is Data => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The pins vault-rollout writes into a patch (discovery's pins that a strategic merge can express). */
const AVP_VERSION = ['metadata', 'annotations', 'avp.kubernetes.io/secret-version'];
const VSO_VERSION = ['spec', 'version'];

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** `spec.template.metadata` with keys that hold dots or slashes quoted. */
function shownPath(path: readonly string[]): string {
  return path.map((k) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k))).join('.');
}

/**
 * Why one leaf of an entry is not what vault-rollout writes, or null: a record or trigger annotation (a
 * well-formed record string), an argocd-vault-plugin version annotation (a version as a string) or a
 * VaultStaticSecret's `spec.version` (a whole number).
 */
function leafProblem(kind: string, path: string[], value: unknown, recordKey: string): string | null {
  const at = shownPath(path);
  if (path[path.length - 1] === recordKey) {
    if (typeof value === 'string' && value !== '' && readRecord(value).malformed.length === 0) return null;
    return `${at} is ${JSON.stringify(value)}, not a record of secret versions`;
  }
  if (same(path, AVP_VERSION)) {
    return typeof value === 'string' && /^[1-9]\d*$/.test(value)
      ? null
      : `${at} is ${JSON.stringify(value)}, not a version written as a string`;
  }
  if (kind === 'VaultStaticSecret' && same(path, VSO_VERSION)) {
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1
      ? null
      : `${at} is ${JSON.stringify(value)}, not a version number`;
  }
  return `it sets ${at}, which vault-rollout never writes`;
}

function entryProblem(entry: unknown, recordKey: string): string | null {
  if (!isData(entry) || typeof entry.kind !== 'string' || typeof entry.apiVersion !== 'string')
    return 'it holds a document that is not a patch of one object';
  const metadata = entry.metadata;
  if (!isData(metadata) || typeof metadata.name !== 'string' || metadata.name === '')
    return 'it holds a patch without metadata.name';
  if (metadata.namespace !== undefined && typeof metadata.namespace !== 'string')
    return 'it holds a patch whose metadata.namespace is not a string';
  const kind = entry.kind;
  const walk = (value: unknown, path: string[]): string | null => {
    if (isData(value)) {
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
    if (key === 'apiVersion' || key === 'kind') continue;
    if (key === 'metadata') {
      for (const [mk, mv] of Object.entries(metadata)) {
        if (mk === 'name' || mk === 'namespace') continue;
        const problem = walk(mv, ['metadata', mk]);
        if (problem !== null) return problem;
      }
      continue;
    }
    const problem = walk(value, [key]);
    if (problem !== null) return problem;
  }
  return null;
}

/**
 * Checks a root's patch file as read: every document an entry of vault-rollout's (see the module
 * comment), and the whole text byte for byte what vault-rollout writes for those entries (its header,
 * order, quoting, no comment of a person's). Returns the objects it patches, or why it is not the
 * tool's own.
 * @param prefix the annotation prefix: `<prefix>/secret-versions` is the only annotation a patch sets
 */
export function checkRootPatch(
  text: string,
  prefix: string,
  header: string = ROOT_PATCH_HEADER,
): OwnedFileCheck {
  const parsed = readYamlData(text);
  if (!parsed.ok) return { ok: false, reason: `it is ${parsed.message}` };
  const recordKey = `${prefix}/secret-versions`;
  const entries: ObjectId[] = [];
  for (const doc of parsed.docs) {
    const problem = entryProblem(doc, recordKey);
    if (problem !== null) return { ok: false, reason: problem };
    const e = doc as Data & { metadata: Data };
    entries.push({
      apiVersion: e.apiVersion as string,
      kind: e.kind as string,
      name: e.metadata.name as string,
      namespace: typeof e.metadata.namespace === 'string' ? e.metadata.namespace : null,
    });
  }
  const canonical = renderRootPatch(text, [], () => true, header);
  if (!canonical.ok) return { ok: false, reason: canonical.message };
  if (canonical.text !== text)
    return {
      ok: false,
      reason:
        'its text is not what vault-rollout writes (edited by hand: a comment, quoting, order or a repeated entry)',
    };
  return { ok: true, entries };
}

/** Whether `file` is one of a root's own layer, and which: its Component or its patch file. */
function layerFile(file: string): 'kustomization' | 'patches' | null {
  const name = file.slice(file.lastIndexOf('/') + 1);
  const dir = dirName(file);
  if (dir !== LAYER_DIR && !dir.endsWith(`/${LAYER_DIR}`)) return null;
  return name === 'kustomization.yaml' ? 'kustomization' : name === LAYER_PATCH_FILE ? 'patches' : null;
}

/** The render root a generated file belongs to: its layer's parent folder, or the older patch file's. */
export function ownedFileRoot(file: string): string {
  return layerFile(file) === null ? dirName(file) : dirName(dirName(file));
}

/** Why a generated file is not what vault-rollout writes, or null. */
export function ownedFileProblem(file: string, text: string, prefix: string): string | null {
  const which = layerFile(file);
  if (which === 'kustomization') {
    const check = checkLayerKustomization(text);
    return check.ok ? null : check.message;
  }
  const check = checkRootPatch(text, prefix, which === 'patches' ? LAYER_PATCH_HEADER : ROOT_PATCH_HEADER);
  return check.ok ? null : check.reason;
}

/** A generated file that cannot be used, with the reason (one line). */
export interface UnusableOwnedFile {
  file: string;
  reason: string;
}

/**
 * The generated files of the run that cannot be used: those the file reader could not read whole
 * (`unreadable`: path → why), and those that hold anything but vault-rollout's own entries.
 * @param owned every generated file that exists in the snapshot, with its text when it was read
 */
export function unusableOwnedFiles(
  owned: readonly { file: string; text: string | undefined; unreadable?: string }[],
  prefix: string,
): UnusableOwnedFile[] {
  const out: UnusableOwnedFile[] = [];
  for (const { file, text, unreadable } of owned) {
    if (unreadable !== undefined) out.push({ file, reason: unreadable });
    else if (text !== undefined) {
      const reason = ownedFileProblem(file, text, prefix);
      if (reason !== null) out.push({ file, reason });
    }
  }
  return out;
}

/**
 * Skips every workload of a root whose generated file cannot be used: no edit, no pin, the reason said,
 * one problem line per file. The file is never edited, so the rest of the run is published as planned.
 */
export function skipRoots(
  planned: readonly PlannedWorkload[],
  unusable: readonly UnusableOwnedFile[],
): Problem[] {
  const problems: Problem[] = [];
  for (const { file, reason } of unusable) {
    const root = ownedFileRoot(file);
    const message = `${file}, a file vault-rollout generates, is left as it is: ${reason}; the workloads of render root "${root || '.'}" are skipped until it is restored or removed`;
    problems.push({ file, severity: 'warning', message });
    for (const p of planned) {
      if (p.workload.root !== root) continue;
      // A missing, deleted or forbidden secret still says so (and keeps exit code 3); nothing is edited.
      if (p.action === 'blocked') {
        p.reasons.push(message);
        continue;
      }
      p.action = 'skipped';
      p.newValue = null;
      p.pins = [];
      p.reasons.push(message);
    }
  }
  return problems;
}
