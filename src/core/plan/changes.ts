/**
 * The edit stage: planned workloads → per-file before/after text. Nothing is written here; only the
 * publish step touches disk or Git, so `plan` and `apply --dry-run` show exactly what `apply` writes.
 */
import type { FileChange, PlannedPin, PlannedWorkload, Problem, RootPatchTarget } from '../model.js';
import { dirName, rootPatchFile } from '../discover/roots.js';
import { readYamlData } from '../yaml/fast-data.js';
import { checkRootPatch } from './owned-files.js';
import { removeAnnotation } from './unrecord.js';
import {
  checkLayerKustomization,
  LAYER_DIR,
  LAYER_PATCH_HEADER,
  renderLayer,
  type ListPin,
} from './own-layer.js';
import { listComponentInKustomization, unlistPatchInKustomization, type PatchSet } from './root-patch.js';
import { applyAnnotationEdits, type AnnotationEdit, type EditResult } from '../yaml/edit-annotations.js';
import { applyFileEdits, type ScalarEdit } from '../yaml/edit-scalar.js';
import { fastAnnotationEdits, fastScalarEdits } from '../yaml/fast-edit.js';
import { editsFor, expectedObject } from './plan.js';

export interface ChangeSet {
  changes: FileChange[];
  problems: Problem[];
}

interface FileEdits {
  annotations: AnnotationEdit[];
  scalars: Map<string, ScalarEdit>;
  /** The workloads whose record, trigger or pins are in this file. */
  workloads: Set<PlannedWorkload>;
}

/** What goes into one root's own layer (own-layer.ts), keyed by the layer's patch file. */
interface RootPatchEdits {
  /** The root's kustomization, which lists the layer once in its `components`. */
  kustomization: string;
  sets: PatchSet[];
  /** Pins inside lists: JSON 6902 operations of the layer. */
  listPins: ListPin[];
  workloads: Set<PlannedWorkload>;
}

/**
 * Whether a render root still builds an object, by its layer's patch file (an entry for a gone object is
 * dropped).
 */
export type RootBuilds = (patchFile: string, object: RootPatchTarget['object']) => boolean;

/** The value a `string` or `int` pin writes (`version: "7"`, `version: 7`). */
function pinValue(pin: PlannedPin): string | number {
  return pin.target.format === 'int' ? pin.version : String(pin.version);
}

/** The scalar edit that writes a pin, or null when the placeholder already names that version. */
export function pinEdit(pin: PlannedPin): ScalarEdit | null {
  const { target, version } = pin;
  const expect = expectedObject(target.kind, target.name);
  const base = { document: target.document, path: target.field, ...(expect ? { expect } : {}) };
  if (target.format !== 'placeholder') return { ...base, set: pinValue(pin) };
  const from = target.placeholder ?? '';
  const [a, b] = target.versionAt ?? [from.length, from.length];
  const to = `${from.slice(0, a)}#${version}${from.slice(b)}`;
  return to === from ? null : { ...base, replace: { from, to } };
}

/** A document whose in-place record or trigger moves into the layers of the roots that build it. */
interface Migration {
  file: string;
  document: number;
  paths: (string | number)[][];
  builders: string[];
  /** The roots of this run that copy the values into their layer. */
  copied: Set<string>;
}

function group(
  planned: readonly PlannedWorkload[],
  prefix: string,
): { byFile: Map<string, FileEdits>; byPatch: Map<string, RootPatchEdits>; migrations: Migration[] } {
  const migrations = new Map<string, Migration>();
  const byFile = new Map<string, FileEdits>();
  const byPatch = new Map<string, RootPatchEdits>();
  const entry = (file: string) => {
    let e = byFile.get(file);
    if (!e) byFile.set(file, (e = { annotations: [], scalars: new Map(), workloads: new Set() }));
    return e;
  };
  const patchEntry = (target: RootPatchTarget) => {
    let e = byPatch.get(target.file);
    if (!e)
      byPatch.set(
        target.file,
        (e = { kustomization: target.kustomization, sets: [], listPins: [], workloads: new Set() }),
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
          path: [...edit.mapPath, ...(edit.within ?? []), edit.key].map(String),
          value: edit.value,
        });
      e.workloads.add(p);
    }
    const migrate = p.workload.migrate;
    if (rootPatch && migrate && p.action !== 'blocked' && p.action !== 'skipped') {
      // The values the root's render shows now go into its layer, so moving them changes no render.
      const e = patchEntry(rootPatch);
      const key = `${prefix}/secret-versions`;
      const full = (t: { mapPath: readonly (string | number)[]; within?: readonly string[] }) =>
        JSON.stringify([...t.mapPath, ...(t.within ?? [])]);
      const has = (t: PlannedWorkload['workload']['record']) => edits.some((x) => full(x) === full(t));
      const copy = (t: PlannedWorkload['workload']['record'], value: string | null) => {
        if (value !== null && !has(t))
          e.sets.push({
            object: rootPatch.object,
            path: [...t.mapPath, ...t.within, key].map(String),
            value,
          });
      };
      if (migrate.record) copy(p.workload.record, p.workload.recordedRaw);
      if (migrate.trigger) copy(p.workload.trigger, p.workload.templateRaw);
      e.workloads.add(p);
      const id = `${p.workload.file}#${p.workload.document}`;
      let m = migrations.get(id);
      if (!m) {
        const paths = [
          ...(migrate.record ? [[...p.workload.record.mapPath, ...p.workload.record.within]] : []),
          ...(migrate.trigger ? [[...p.workload.trigger.mapPath, ...p.workload.trigger.within]] : []),
        ];
        migrations.set(
          id,
          (m = {
            file: p.workload.file,
            document: p.workload.document,
            paths,
            builders: migrate.builders,
            copied: new Set(),
          }),
        );
      }
      m.copied.add(p.workload.root ?? '');
    }
    if (edits.length > 0 && !rootPatch) {
      const e = entry(p.workload.file);
      e.annotations.push(...edits);
      e.workloads.add(p);
    }
    if (p.action !== 'restart') continue;
    for (const pin of p.pins) {
      if (pin.target.rootPatch) {
        const e = patchEntry(pin.target.rootPatch);
        const { field } = pin.target;
        // A strategic merge would replace a whole list: a pin inside one is a JSON 6902 operation.
        if (field.some((seg) => typeof seg === 'number'))
          e.listPins.push({ object: pin.target.rootPatch.object, path: field, value: pinValue(pin) });
        else
          e.sets.push({ object: pin.target.rootPatch.object, path: field.map(String), value: pinValue(pin) });
        e.workloads.add(p);
        continue;
      }
      const edit = pinEdit(pin);
      const e = entry(pin.target.file);
      e.workloads.add(p);
      if (!edit) continue;
      // Two workloads fed by one ExternalSecret ask for the same pin: one edit.
      const id = JSON.stringify([edit.document, edit.path, 'replace' in edit ? edit.replace.from : '']);
      e.scalars.set(id, edit);
    }
  }
  return { byFile, byPatch, migrations: [...migrations.values()] };
}

/**
 * Builds one FileChange per file that needs edits: the annotations of the workloads it holds and the version
 * pins of the objects it holds, applied together. A file whose edit fails verification is left untouched,
 * every workload with an edit or a pin in it becomes `skipped` (no secret is at fault; a restart without its pin would let the pods
 * and the Secret disagree), and the failure is reported: never a half-edited file.
 * @param texts the current text of every file that holds a planned workload or a pinned object
 * @param fileData discovery's data of those files (optional; spares the fast path one read)
 * @param layersOf the roots whose own layer exists: rewritten even without a value of this run, so an
 *   entry for an object the root no longer builds goes (kustomize refuses a patch without its target)
 */
export function buildChanges(
  planned: PlannedWorkload[],
  texts: ReadonlyMap<string, string>,
  prefix: string,
  fileData?: ReadonlyMap<string, readonly unknown[]>,
  rootBuilds: RootBuilds = () => true,
  layersOf: readonly { dir: string; kustomization: string }[] = [],
): ChangeSet {
  const problems: Problem[] = [];
  // Skipping a workload drops its edits from other files too, so plan again until no file fails (each
  // round skips at least one more workload; failures are rare).
  for (;;) {
    const changes: FileChange[] = [];
    let failed = false;
    const { byFile, byPatch, migrations } = group(planned, prefix);
    const block = (workloads: Iterable<PlannedWorkload>, file: string, message: string) => {
      for (const w of workloads) {
        w.action = 'skipped';
        w.newValue = null;
        w.pins = [];
        w.reasons.push(`${file}, its render root's patch, could not be written safely: ${message}`);
      }
      failed = true;
    };
    for (const root of layersOf) {
      const file = `${root.dir ? `${root.dir}/` : ''}${LAYER_DIR}/patches.yaml`;
      if (!byPatch.has(file))
        byPatch.set(file, {
          kustomization: root.kustomization,
          sets: [],
          listPins: [],
          workloads: new Set(),
        });
    }
    for (const [file, edits] of [...byPatch].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const layerKustomization = `${dirName(file)}/kustomization.yaml`;
      const before = texts.get(file);
      const beforeKustomization = texts.get(layerKustomization);
      const moved = legacySets(
        texts.get(rootPatchFile(dirName(dirName(file)))),
        texts.get(edits.kustomization),
      );
      const layer = renderLayer(
        { kustomization: beforeKustomization, patches: before },
        [...moved, ...edits.sets],
        edits.listPins,
        (object) => rootBuilds(file, object),
      );
      if (!layer.ok) {
        problems.push({ file, severity: 'error', message: `not edited: ${layer.message}` });
        block(edits.workloads, file, layer.message);
        continue;
      }
      const kustomization = texts.get(edits.kustomization);
      // The older patch file, while the root's kustomization lists it, moves into the layer: its entries
      // first (this run's values win), and its `patches` entry goes. Its patches ran after the components,
      // so leaving it listed would override every newer value of the layer.
      const rootDir = dirName(dirName(file));
      const legacy = legacyMove(texts.get(rootPatchFile(rootDir)), kustomization);
      if (!legacy.ok) {
        problems.push({
          file: edits.kustomization,
          severity: 'error',
          message: `not edited: ${legacy.message}`,
        });
        block(edits.workloads, file, `${edits.kustomization} ${legacy.message}`);
        continue;
      }
      const listed =
        legacy.kustomization === undefined
          ? ({ ok: false, message: 'the kustomization file was not read' } as const)
          : listComponentInKustomization(legacy.kustomization, LAYER_DIR);
      if (!listed.ok) {
        problems.push({
          file: edits.kustomization,
          severity: 'error',
          message: `not edited: ${listed.message}`,
        });
        block(edits.workloads, file, `${edits.kustomization} ${listed.message}`);
        continue;
      }
      // A root whose layer would stay empty and does not exist yet gets none.
      const empty = !layer.hasPatches && layer.kustomization.includes('\npatches: []\n');
      if (empty && before === undefined && beforeKustomization === undefined) continue;
      if (layer.patches !== before && (layer.hasPatches || before !== undefined)) {
        changes.push({ path: file, before: before ?? '', after: layer.patches });
      }
      if (layer.kustomization !== beforeKustomization)
        changes.push({
          path: layerKustomization,
          before: beforeKustomization ?? '',
          after: layer.kustomization,
        });
      if (layer.patches !== before || layer.kustomization !== beforeKustomization)
        problems.push(...droppedEntries(file, before, beforeKustomization, prefix, rootBuilds));
      if (kustomization !== undefined && listed.text !== kustomization)
        changes.push({ path: edits.kustomization, before: kustomization, after: listed.text });
      // A change set cannot delete a file: the older one stays, unread, until a person removes it.
      if (legacy.kustomization !== kustomization) {
        const message = `no longer listed in ${edits.kustomization}: its entries moved into ${dirName(file)}/, the root's own layer (render unchanged); nothing reads this file any more, delete it`;
        const legacyFile = rootPatchFile(rootDir);
        if (!problems.some((p) => p.file === legacyFile && p.message === message))
          problems.push({ file: legacyFile, severity: 'warning', message });
      }
    }
    if (failed) continue;
    for (const [file, edits] of [...byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const before = texts.get(file);
      if (before === undefined) throw new Error(`internal: no text for "${file}"`);
      const result = editFile(before, edits, fileData?.get(file));
      if (result.ok) {
        if (result.text !== before) changes.push({ path: file, before, after: result.text });
        continue;
      }
      const problem: Problem = { file, severity: 'error', message: `not edited: ${result.message}` };
      if (result.line !== undefined) problem.line = result.line;
      if (result.column !== undefined) problem.column = result.column;
      problems.push(problem);
      for (const w of edits.workloads) {
        w.action = 'skipped';
        w.newValue = null;
        w.pins = [];
        w.reasons.push(
          w.workload.file === file
            ? `the file could not be edited safely: ${result.message}`
            : `${file}, where its secret's version is pinned, could not be edited safely: ${result.message}`,
        );
      }
      failed = true;
    }
    if (!failed) migrationChanges(migrations, byFile, texts, prefix, changes, problems);
    if (!failed)
      return { changes: changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), problems };
  }
}

/**
 * Entries of a layer for objects its root no longer builds: they are dropped (kustomize refuses a patch
 * without its target), never silently: one warning each.
 */
function droppedEntries(
  file: string,
  before: string | undefined,
  beforeKustomization: string | undefined,
  prefix: string,
  rootBuilds: RootBuilds,
): Problem[] {
  const problems: Problem[] = [];
  const layerKustomization = `${dirName(file)}/kustomization.yaml`;
  const check = before === undefined ? null : checkRootPatch(before, prefix, LAYER_PATCH_HEADER);
  const named = (o: RootPatchTarget['object']) =>
    `${o.kind}/${o.name}${o.namespace ? ` (namespace ${o.namespace})` : ''}`;
  const why = `render root "${dirName(dirName(file)) || '.'}" no longer builds it, and kustomize refuses a patch without its target`;
  const pinned = beforeKustomization === undefined ? null : checkLayerKustomization(beforeKustomization);
  for (const gone of pinned?.ok ? pinned.entries.filter((o) => !rootBuilds(file, o)) : [])
    problems.push({
      file: layerKustomization,
      severity: 'warning',
      message: `dropped the version pin of ${named(gone)}: ${why}`,
    });
  for (const gone of check?.ok ? check.entries.filter((o) => !rootBuilds(file, o)) : [])
    problems.push({ file, severity: 'warning', message: `dropped the entry for ${named(gone)}: ${why}` });
  return problems;
}

/**
 * A document's in-place values go once every root that builds it has its copy in this change set; until
 * then they stay (a root of another environment still reads them). Adds to `changes` and `problems`.
 */
function migrationChanges(
  migrations: Iterable<Migration>,
  byFile: ReadonlyMap<string, unknown>,
  texts: ReadonlyMap<string, string>,
  prefix: string,
  changes: FileChange[],
  problems: Problem[],
): void {
  for (const m of migrations) {
    if (byFile.has(m.file) || !m.builders.every((r) => m.copied.has(r))) continue;
    const before = texts.get(m.file);
    if (before === undefined || changes.some((c) => c.path === m.file)) continue;
    const after = removeAnnotation(before, m.document, m.paths, `${prefix}/secret-versions`);
    if (after === null)
      problems.push({
        file: m.file,
        severity: 'warning',
        message: `the record written here in place earlier is now in each root's own layer, but could not be removed line by line: remove ${prefix}/secret-versions from document ${m.document + 1} by hand`,
      });
    else if (after !== before) changes.push({ path: m.file, before, after });
  }
}

/** The older patch file's values, when the kustomization still lists it: each leaf as a set. */
function legacySets(legacy: string | undefined, kustomization: string | undefined): PatchSet[] {
  if (legacy === undefined || kustomization === undefined) return [];
  const unlisted = unlistPatchInKustomization(kustomization, ROOT_PATCH_BASENAME);
  if (!unlisted.ok || unlisted.text === kustomization) return [];
  const read = readYamlData(legacy);
  if (!read.ok) return [];
  const sets: PatchSet[] = [];
  for (const doc of read.docs) {
    if (!isData(doc) || !isData(doc.metadata) || typeof doc.metadata.name !== 'string') continue;
    const object = {
      apiVersion: String(doc.apiVersion ?? ''),
      kind: String(doc.kind ?? ''),
      name: doc.metadata.name,
      namespace: typeof doc.metadata.namespace === 'string' ? doc.metadata.namespace : null,
    };
    const walk = (value: unknown, path: string[]) => {
      if (isData(value)) for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
      else if (typeof value === 'string' || typeof value === 'number') sets.push({ object, path, value });
    };
    for (const [k, v] of Object.entries(doc)) {
      if (k === 'apiVersion' || k === 'kind') continue;
      if (k === 'metadata' && isData(v)) {
        for (const [mk, mv] of Object.entries(v))
          if (mk !== 'name' && mk !== 'namespace') walk(mv, ['metadata', mk]);
      } else walk(v, [k]);
    }
  }
  return sets;
}

/** The root's kustomization without the older patch file's entry (unchanged when it does not list it). */
function legacyMove(
  legacy: string | undefined,
  kustomization: string | undefined,
): { ok: true; kustomization: string | undefined } | { ok: false; message: string } {
  if (legacy === undefined || kustomization === undefined) return { ok: true, kustomization };
  const unlisted = unlistPatchInKustomization(kustomization, ROOT_PATCH_BASENAME);
  if (!unlisted.ok) return unlisted;
  return { ok: true, kustomization: unlisted.text };
}

const ROOT_PATCH_BASENAME = 'vault-rollout.patch.yaml';

const isData = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function editFile(before: string, edits: FileEdits, data: readonly unknown[] | undefined): EditResult {
  if (edits.scalars.size > 0) {
    const scalars = [...edits.scalars.values()];
    // Pins alone (an ExternalSecret's version) take the fast path when it applies, same bytes.
    const fast = edits.annotations.length === 0 ? fastScalarEdits(before, scalars, data) : null;
    return fast !== null
      ? { ok: true, text: fast }
      : applyFileEdits(before, { annotations: edits.annotations, scalars });
  }
  // The fast path writes the same bytes for the common layout, ~20x faster; else the full editor.
  const fast = fastAnnotationEdits(before, edits.annotations, data);
  return fast !== null ? { ok: true, text: fast } : applyAnnotationEdits(before, edits.annotations);
}
