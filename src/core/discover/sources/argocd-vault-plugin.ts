/**
 * argocd-vault-plugin (AVP) renders placeholders when Argo CD generates the manifests:
 * - inline-path placeholders `<path:kv/data/app#key>` and `<path:kv/data/app#key#version>` (optionally with
 *   ` | modifier` pipes) in any string value;
 * - generic placeholders `<key>`, read from the path in the object's `avp.kubernetes.io/path` annotation.
 *
 * In a workload they are the workload's own dependencies; in a Secret or ConfigMap they make that object a
 * producer in the Secret graph (secret-graph.ts), followed to the workloads that use it. An object with
 * `avp.kubernetes.io/ignore: "true"` is skipped; `avp.kubernetes.io/kv-version: "1"` is reported and not
 * tracked (KV v1 has no versions). An object whose annotation names a path but holds no generic placeholder
 * reads nothing (e.g. AVP's own rendered output), so it is not a dependency.
 *
 * Pins: an inline placeholder gets (or updates) its `#version` suffix; the annotation path gets
 * `avp.kubernetes.io/secret-version`, unless the object also holds unversioned inline placeholders of
 * another path, which that annotation would pin to the wrong secret's version (AVP applies it to them too).
 */
import type { PinTarget } from '../../model.js';
import { cleanSecretPath, parseSecretPath } from '../../secret-path.js';
import { formatPath } from '../../yaml/edit-scalar.js';
import type { ManifestDocument } from '../parse.js';
import { ProducerIndex, producerLabel } from '../secret-graph.js';
import { get, isRecord, isWorkloadKind, stringsIn } from '../workloads.js';
import { graphScanner, meta, workloadProblem, type WorkloadSource } from './source.js';

const PREFIX = 'avp.kubernetes.io/';
const PATH_ANNOTATION = `${PREFIX}path`;
const VERSION_ANNOTATION = `${PREFIX}secret-version`;
const INLINE = /<path:([^#<>]+)#([^#<>|]+?)(#[^#<>|\s]+)?(\s*\|[^<>]*)?>/g;
const GENERIC = /<\s*[A-Za-z0-9_.-]+\s*(\|[^<>]*)?>/;

/** One secret an object reads through AVP, with where it was read and where to pin it. */
export interface AvpSecret {
  path: string;
  /** e.g. `<path:kv/data/app#password> in spec.template.spec.containers[0].env[0].value` */
  via: string;
  pins: PinTarget[];
  /** Why the path as written is not read (see SecretRef.rejected); such a secret has no pins. */
  rejected?: string;
}

export type AvpRead =
  | { state: 'none' }
  | { state: 'ok'; secrets: AvpSecret[] }
  | { state: 'unsupported'; message: string; at: string[] };

/** AVP's own annotations (`metadata.annotations["avp.kubernetes.io/..."]`) are not content. */
const avpAnnotation = (at: readonly (string | number)[], key: string) =>
  at.length === 2 && at[0] === 'metadata' && at[1] === 'annotations' && key.startsWith(PREFIX);

/**
 * What an object reads through AVP.
 * @example readAvp(secretObject, doc, 'Secret', 'db', []) // { state: 'ok', secrets: [{ path: 'kv/app', ... }] }
 */
export function readAvp(
  object: Record<string, unknown>,
  doc: ManifestDocument,
  kind: string,
  name: string,
  mounts: readonly string[],
): AvpRead {
  const annotations = get(object, ['metadata', 'annotations']);
  const a = isRecord(annotations) ? annotations : {};
  if (String(a[`${PREFIX}ignore`] ?? '').toLowerCase() === 'true') return { state: 'none' };
  const found = stringsIn(object, (text) => text.includes('<'), avpAnnotation);
  const pathAnnotation = typeof a[PATH_ANNOTATION] === 'string' ? cleanSecretPath(a[PATH_ANNOTATION]) : null;

  const inline: {
    path: string;
    via: string;
    pin: PinTarget | null;
    versioned: boolean;
    rejected?: string;
  }[] = [];
  let generic = false;
  for (const s of found) {
    for (const m of s.text.matchAll(INLINE)) {
      const parsed = parseSecretPath(m[1]!, mounts);
      const start = '<path:'.length + m[1]!.length + 1 + m[2]!.length;
      inline.push({
        path: parsed.path,
        via: `${m[0]} in ${formatPath(s.path)}`,
        versioned: m[3] !== undefined,
        ...(parsed.ok ? {} : { rejected: parsed.reason }),
        pin: !parsed.ok
          ? null
          : {
              file: doc.file,
              document: doc.index,
              kind,
              name,
              field: s.path,
              format: 'placeholder',
              placeholder: m[0],
              versionAt: [start, start + (m[3]?.length ?? 0)],
            },
      });
    }
    if (!generic && pathAnnotation && GENERIC.test(s.text.replace(INLINE, ''))) generic = true;
  }
  const named = generic && pathAnnotation ? parseSecretPath(pathAnnotation, mounts) : null;
  if (inline.length === 0 && !named) return { state: 'none' };
  if (String(a[`${PREFIX}kv-version`] ?? '2') === '1') {
    return {
      state: 'unsupported',
      message: `avp.kubernetes.io/kv-version "1" (KV v1 has no versions): its secrets are not tracked`,
      at: ['metadata', 'annotations', `${PREFIX}kv-version`],
    };
  }
  const secrets = new Map<string, AvpSecret>();
  const add = (path: string, via: string, pin: PinTarget | null, rejected?: string) => {
    const s = secrets.get(path);
    if (!s) secrets.set(path, { path, via, pins: pin ? [pin] : [], ...(rejected ? { rejected } : {}) });
    else if (pin) s.pins.push(pin);
  };
  if (named && !named.ok) add(named.path, `${PATH_ANNOTATION} (<key> placeholders)`, null, named.reason);
  else if (named) {
    const path = named.path;
    // The annotation also pins unversioned inline placeholders: only when they name this same secret.
    const safe = inline.every((i) => i.versioned || i.path === path);
    add(
      path,
      `${PATH_ANNOTATION} (<key> placeholders)`,
      safe
        ? {
            file: doc.file,
            document: doc.index,
            kind,
            name,
            field: ['metadata', 'annotations', VERSION_ANNOTATION],
            format: 'string',
          }
        : null,
    );
  }
  const counts = new Map<string, number>();
  for (const i of inline) counts.set(i.path, (counts.get(i.path) ?? 0) + 1);
  for (const i of inline) {
    const more = (counts.get(i.path) ?? 1) - 1;
    add(i.path, more > 0 ? `${i.via} (+${more} more)` : i.via, i.pin, i.rejected);
  }
  return { state: 'ok', secrets: [...secrets.values()] };
}

export const argocdVaultPluginSource: WorkloadSource = {
  name: 'argocdVaultPlugin',
  enabled: (config) => config.sources.argocdVaultPlugin,
  collect({ config, documents }) {
    const mounts = config.vault.mounts;
    const index = new ProducerIndex();
    for (const doc of documents) {
      const o = doc.data;
      if (!isRecord(o) || (o.kind !== 'Secret' && o.kind !== 'ConfigMap')) continue;
      const { name, namespace } = meta(o);
      if (!name) continue;
      const read = readAvp(o, doc, o.kind, name, mounts);
      if (read.state === 'none') continue;
      const label = producerLabel(o.kind, name, doc.file);
      index.add({
        source: 'argocdVaultPlugin',
        label,
        file: doc.file,
        namespace,
        produces: [{ kind: o.kind, name, self: true }],
        secrets:
          read.state === 'ok'
            ? read.secrets.map((s) => ({
                path: s.path,
                pins: s.pins,
                ...(s.rejected !== undefined ? { rejected: s.rejected } : {}),
              }))
            : [],
        problems:
          read.state === 'unsupported'
            ? [{ message: `${label}: ${read.message}`, document: doc, at: read.at }]
            : [],
      });
    }
    const graph = graphScanner(index);
    return {
      refsFor(view, report) {
        const { workload } = view;
        // A Helm-based app: placeholders in its chart values reach the rendered manifests AVP reads.
        const own =
          isWorkloadKind(view.object.kind) || view.values !== null
            ? readAvp(view.object, view.document, workload.kind, workload.name, mounts)
            : { state: 'none' as const };
        const refs = graph.refsFor(view, report);
        if (own.state === 'unsupported') report(workloadProblem(view, own.message, own.at));
        if (own.state !== 'ok') return refs;
        return [
          ...own.secrets.map((s) => ({
            path: s.path,
            source: 'argocdVaultPlugin' as const,
            via: s.via,
            ...(s.pins.length > 0 ? { pins: s.pins } : {}),
            ...(s.rejected !== undefined ? { rejected: s.rejected } : {}),
          })),
          ...refs,
        ];
      },
    };
  },
};
