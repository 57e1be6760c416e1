/**
 * The Secret graph (secrets are "followed from the Kubernetes Secret they produce to every workload
 * that mounts or references it"). Sources that read objects other than workloads (ExternalSecret,
 * VaultStaticSecret, SecretProviderClass, an argocd-vault-plugin-templated Secret or ConfigMap) register
 * *producers* here: the Vault secrets an object reads and the objects a pod template can name because of it.
 * A workload is then matched by what its pod template uses ({@link podUses}).
 *
 * Namespace rule ({@link sameScope}): a producer and a workload match when both set `metadata.namespace` and
 * the namespaces are equal. When either leaves it empty (kustomize's `namespace:`, the Argo CD Application or
 * the Flux Kustomization decides it later), they match only when their files sit in the same folder, since
 * that is what one kustomization or one Application source path deploys into one namespace. Within a render
 * root (roots.ts) the root decides: every document it builds is deployed together.
 */
import type { PinTarget, Problem, SecretRef, SourceName } from '../model.js';
import { parseSecretPath } from '../secret-path.js';
import type { ManifestDocument } from './parse.js';
import { get, isRecord, nonEmptyString as str, type WorkloadView } from './workloads.js';

/** The kinds a pod template can name, and a producer can produce. */
export type ProducedKind = 'Secret' | 'ConfigMap' | 'SecretProviderClass';

/** One Vault secret a producer reads, with the places its version can be pinned. */
export interface ProducedSecret {
  path: string;
  pins: PinTarget[];
  /** The Vault Enterprise namespace the producer reads it from, when its manifests name one. */
  vaultNamespace?: string;
  /** Why the path as written cannot be read (see SecretRef.rejected). */
  rejected?: string;
}

export interface Producer {
  source: SourceName;
  /** How `scan` names it: `ExternalSecret/db-creds (apps/es.yaml)`. */
  label: string;
  file: string;
  namespace: string | null;
  /** Matches workloads in any namespace (a ClusterExternalSecret with namespace selectors). */
  anyNamespace?: boolean;
  /**
   * The objects a pod template can name because of it. `self` when the producer is that object (an
   * argocd-vault-plugin-templated Secret, a SecretProviderClass mounted by a CSI volume).
   */
  produces: { kind: ProducedKind; name: string; self?: boolean }[];
  secrets: ProducedSecret[];
  /** Why some of its secrets are not tracked (a KV v1 store, ...): reported once a workload uses it. */
  problems: { message: string; document: ManifestDocument; at: (string | number)[] }[];
  /**
   * Workloads the producer's operator restarts by itself (VaultStaticSecret `rolloutRestartTargets`): a
   * second restart path for them, which reviewers should know about.
   */
  restarts?: { kind: string; name: string; by: string }[];
}

/** Something a pod template names: `how` says where (`env`, `envFrom`, `volume`, ...). */
export interface Use {
  kind: ProducedKind;
  name: string;
  how: string;
}

/** The folder of a repo-relative POSIX path ('' at the root). */
export function folderOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash < 0 ? '' : file.slice(0, slash);
}

/**
 * The namespace rule: both namespaces set → they must be equal; one or both empty (left to kustomize,
 * Argo CD or Flux) → the two files must sit in the same folder.
 * @example sameScope({ file: 'apps/es.yaml', namespace: null }, { file: 'apps/web.yaml', namespace: 'prod' }) // true
 */
export function sameScope(
  a: { file: string; namespace: string | null },
  b: { file: string; namespace: string | null },
  /**
   * Both were built by one render root (roots.ts): an empty namespace is the one Argo CD or Flux deploys
   * that root into, so it matches whatever the other says.
   */
  inRoot = false,
): boolean {
  if (a.namespace && b.namespace) return a.namespace === b.namespace;
  return inRoot || folderOf(a.file) === folderOf(b.file);
}

const CONTAINER_LISTS = [
  ['containers', ''],
  ['initContainers', 'initContainer '],
  ['ephemeralContainers', 'ephemeralContainer '],
] as const;

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

const usesCache = new WeakMap<object, Use[]>();

/**
 * Every Secret, ConfigMap and SecretProviderClass a pod template names: `env[].valueFrom.secretKeyRef` /
 * `configMapKeyRef`, `envFrom[].secretRef` / `configMapRef` (containers, initContainers and
 * ephemeralContainers), `volumes[].secret` / `configMap`, projected volume sources, and CSI volumes'
 * `volumeAttributes.secretProviderClass`. Cached per template: every graph source asks.
 */
export function podUses(template: Record<string, unknown>): Use[] {
  const cached = usesCache.get(template);
  if (cached) return cached;
  const uses: Use[] = [];
  const spec = get(template, ['spec']);
  for (const [key, prefix] of CONTAINER_LISTS) {
    for (const c of list(get(spec, [key]))) {
      if (!isRecord(c)) continue;
      for (const e of list(c.env)) {
        const secret = str(get(e, ['valueFrom', 'secretKeyRef', 'name']));
        if (secret) uses.push({ kind: 'Secret', name: secret, how: `${prefix}env` });
        const config = str(get(e, ['valueFrom', 'configMapKeyRef', 'name']));
        if (config) uses.push({ kind: 'ConfigMap', name: config, how: `${prefix}env` });
      }
      for (const e of list(c.envFrom)) {
        const secret = str(get(e, ['secretRef', 'name']));
        if (secret) uses.push({ kind: 'Secret', name: secret, how: `${prefix}envFrom` });
        const config = str(get(e, ['configMapRef', 'name']));
        if (config) uses.push({ kind: 'ConfigMap', name: config, how: `${prefix}envFrom` });
      }
    }
  }
  for (const v of list(get(spec, ['volumes']))) {
    if (!isRecord(v)) continue;
    const secret = str(get(v, ['secret', 'secretName']));
    if (secret) uses.push({ kind: 'Secret', name: secret, how: 'volume' });
    const config = str(get(v, ['configMap', 'name']));
    if (config) uses.push({ kind: 'ConfigMap', name: config, how: 'volume' });
    for (const s of list(get(v, ['projected', 'sources']))) {
      const ps = str(get(s, ['secret', 'name']));
      if (ps) uses.push({ kind: 'Secret', name: ps, how: 'projected volume' });
      const pc = str(get(s, ['configMap', 'name']));
      if (pc) uses.push({ kind: 'ConfigMap', name: pc, how: 'projected volume' });
    }
    const spc = str(get(v, ['csi', 'volumeAttributes', 'secretProviderClass']));
    if (spc) uses.push({ kind: 'SecretProviderClass', name: spc, how: 'CSI volume' });
  }
  usesCache.set(template, uses);
  return uses;
}

/** A Kubernetes object name (DNS subdomain), as a Secret's name must be. */
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * What a Helm-based app's chart values name, wherever in the values the chart takes them: the pod-spec
 * shapes of {@link podUses} (`secretKeyRef`, `secretRef`, `secret.secretName`, `configMapKeyRef`,
 * `configMapRef`, `configMap.name`, a CSI volume's `secretProviderClass`) at any depth, since charts take
 * `env`, `envFrom` and `volumes` under keys of their own choosing, and the `existingSecret` convention
 * (`existingSecret: db-creds`, `auth.existingSecretName`). A chart's own key for a Secret's name
 * (`redis.passwordSecret`, `auth.secretName`) counts too: a Secret-like name under a key that says
 * `secret`, in a map not already read as one of the shapes above. Such a use links the chart only when
 * a producer of the same root (an ExternalSecret, a VaultStaticSecret, a CSI provider) creates a Secret
 * of that name, so a stray match costs nothing.
 */
export function valuesUses(values: Record<string, unknown>): Use[] {
  const cached = usesCache.get(values);
  if (cached) return cached;
  const uses: Use[] = [];
  const walk = (value: unknown, at: string, depth: number): void => {
    if (depth > 32) return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${at}[${i}]`, depth + 1));
      return;
    }
    if (!isRecord(value)) return;
    const how = `values ${at}`;
    const secret =
      str(get(value, ['secretKeyRef', 'name'])) ??
      str(get(value, ['secretRef', 'name'])) ??
      str(get(value, ['secret', 'secretName'])) ??
      str(get(value, ['secret', 'name']));
    if (secret) uses.push({ kind: 'Secret', name: secret, how });
    const config =
      str(get(value, ['configMapKeyRef', 'name'])) ??
      str(get(value, ['configMapRef', 'name'])) ??
      str(get(value, ['configMap', 'name']));
    if (config) uses.push({ kind: 'ConfigMap', name: config, how });
    const spc = str(get(value, ['volumeAttributes', 'secretProviderClass']));
    if (spc) uses.push({ kind: 'SecretProviderClass', name: spc, how });
    for (const [k, v] of Object.entries(value)) {
      const here = at ? `${at}.${k}` : k;
      if (/^existingSecret(Name)?$/i.test(k) && str(v))
        uses.push({ kind: 'Secret', name: v as string, how: `values ${here}` });
      else if (secret === null && /secret/i.test(k) && typeof v === 'string' && SECRET_NAME.test(v))
        uses.push({ kind: 'Secret', name: v, how: `values ${here}` });
      else walk(v, here, depth + 1);
    }
  };
  walk(values, '', 0);
  usesCache.set(values, uses);
  return uses;
}

/** What a workload's pod template names, or what a Helm-based app's chart values name. */
export function viewUses(view: WorkloadView): Use[] {
  if (!view.values) return podUses(view.template);
  const uses = valuesUses(view.values);
  if (!view.secretValues?.length) return uses;
  return [...uses, ...view.secretValues.flatMap((path) => secretsAt(view.values!, path))];
}

/** The Secret names at a `secretValues` path (`*` matches every key of a map and every item of a list). */
function secretsAt(values: Record<string, unknown>, path: readonly string[]): Use[] {
  const out: Use[] = [];
  const walk = (v: unknown, i: number, at: string): void => {
    if (i === path.length) {
      if (typeof v === 'string' && v) out.push({ kind: 'Secret', name: v, how: `values ${at}` });
      return;
    }
    const seg = path[i]!;
    const step = (key: string | number, child: unknown) =>
      walk(child, i + 1, typeof key === 'number' ? `${at}[${key}]` : at ? `${at}.${key}` : key);
    if (seg === '*') {
      if (Array.isArray(v)) v.forEach((child, k) => step(k, child));
      else if (isRecord(v)) for (const [k, child] of Object.entries(v)) step(k, child);
    } else if (Array.isArray(v) && /^\d+$/.test(seg)) step(Number(seg), v[Number(seg)]);
    else if (isRecord(v) && seg in v) step(seg, v[seg]);
  };
  walk(values, 0, '');
  return out;
}

/** Producers by what they produce (`Secret/db-creds`). */
export class ProducerIndex {
  private readonly byObject = new Map<string, { producer: Producer; self: boolean }[]>();

  add(producer: Producer): void {
    if (producer.secrets.length === 0 && producer.problems.length === 0) return;
    for (const p of producer.produces) {
      const key = `${p.kind}/${p.name}`;
      const list = this.byObject.get(key) ?? [];
      list.push({ producer, self: !!p.self });
      this.byObject.set(key, list);
    }
  }

  get size(): number {
    return this.byObject.size;
  }

  /**
   * The refs a workload gets through this index: one per secret of each matching producer, with the chain
   * in `via`. A producer's problems are reported once (per scanner) instead of refs they stand for.
   */
  refsFor(view: WorkloadView, report: (problem: Problem) => void, reported: Set<string>): SecretRef[] {
    if (this.byObject.size === 0) return [];
    const uses = viewUses(view);
    if (uses.length === 0) return [];
    // producer → produced object → the ways the pod template uses it
    const found = new Map<Producer, Map<string, { self: boolean; hows: string[] }>>();
    for (const use of uses) {
      const key = `${use.kind}/${use.name}`;
      for (const { producer, self } of this.byObject.get(key) ?? []) {
        if (!producer.anyNamespace && !sameScope(producer, view.workload, view.document.root !== undefined))
          continue;
        let objects = found.get(producer);
        if (!objects) found.set(producer, (objects = new Map()));
        const entry = objects.get(key) ?? { self, hows: [] };
        if (!entry.hows.includes(use.how)) entry.hows.push(use.how);
        objects.set(key, entry);
      }
    }
    const refs: SecretRef[] = [];
    const w = view.workload;
    for (const [producer, objects] of found) {
      for (const problem of producer.problems) {
        const id = `${producer.label}\n${problem.message}`;
        if (reported.has(id)) continue;
        reported.add(id);
        const at = problem.document.position(problem.at);
        report({
          file: producer.file,
          severity: 'warning',
          message: `${problem.message} (used by ${w.kind}/${w.name} in ${w.file})`,
          ...(at ? { line: at.line, column: at.column } : {}),
        });
      }
      // `SecretProviderClass/x (f.yaml) → CSI volume and Secret/synced → env`
      const ways = [...objects].map(([key, { self, hows }]) =>
        self ? hows.join(', ') : `${key} → ${hows.join(', ')}`,
      );
      const via = `${producer.label} → ${ways.join(' and ')}`;
      const also = producer.restarts?.find((r) => r.kind === w.kind && r.name === view.workload.name);
      const warnings = also
        ? [
            `${producer.label} also restarts ${w.kind}/${w.name} (${also.by}): two restart paths; remove it there to let Git decide`,
          ]
        : [];
      for (const s of producer.secrets) {
        refs.push({
          path: s.path,
          source: producer.source,
          via,
          ...(s.pins.length > 0 ? { pins: s.pins.map((p) => ({ ...p, field: [...p.field] })) } : {}),
          ...(warnings.length > 0 ? { warnings } : {}),
          ...(s.vaultNamespace ? { vaultNamespace: s.vaultNamespace } : {}),
          ...(s.rejected !== undefined ? { rejected: s.rejected } : {}),
        });
      }
    }
    return refs;
  }
}

/** `Kind/name (file)` */
export function producerLabel(kind: string, name: string, file: string): string {
  return `${kind}/${name} (${file})`;
}

/**
 * One secret a producer reads, parsed by the one secret-path parser: canonical when valid, else kept with
 * the reason, so that every workload using the producer is blocked instead of silently losing it.
 */
export function producedSecret(
  raw: string,
  mounts: readonly string[],
  extra: {
    pins?: PinTarget[];
    vaultNamespace?: string | null | undefined;
    /** Why the namespace it is read from is refused (see readVaultNamespace): the secret is never read. */
    namespaceRejected?: string | null | undefined;
  } = {},
): ProducedSecret {
  const parsed = parseSecretPath(raw, mounts);
  const rejected = parsed.ok ? (extra.namespaceRejected ?? null) : parsed.reason;
  return {
    path: parsed.path,
    pins: extra.pins ?? [],
    ...(extra.vaultNamespace && rejected === null ? { vaultNamespace: extra.vaultNamespace } : {}),
    ...(rejected !== null ? { rejected } : {}),
  };
}

/** Merges the secrets of one producer that name the same path (one ref per path, every pin kept). */
export function mergeSecrets(secrets: readonly ProducedSecret[]): ProducedSecret[] {
  const byPath = new Map<string, ProducedSecret>();
  for (const s of secrets) {
    const key = `${s.vaultNamespace ?? ''}\u0000${s.path}\u0000${s.rejected ?? ''}`;
    const first = byPath.get(key);
    if (first) first.pins.push(...s.pins);
    else byPath.set(key, { ...s, pins: [...s.pins] });
  }
  return [...byPath.values()];
}
