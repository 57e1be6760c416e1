/**
 * Random kustomize repositories for the parity property (test/roots/parity-generated.test.ts): a base of
 * workloads, an ExternalSecret and maybe a HelmRelease fed by a `configMapGenerator`; one or two middle
 * layers (two = the base built twice) with `namePrefix` / `nameSuffix` / `namespace`; maybe a component;
 * a root. Each layer may carry strategic-merge and JSON 6902 patches, targeting objects by their
 * original or their current (rendered) name, including operations on keys the object lacks; the root and
 * the component may merge into the values generator (`behavior: merge`).
 *
 * Every object of case `n` is named `c<n>-…` and labelled `case: c<n>`, so many cases can be built by
 * one `kubectl kustomize` of a kustomization listing their roots.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';

export type WorkloadKind = 'Deployment' | 'CronJob' | 'StatefulSet';
export type RefKind = 'env' | 'envFrom' | 'volume' | 'projected';

export const WORKLOAD_OPS = [
  'add-annotation',
  'replace-annotation',
  'replace-missing-key',
  'add-env-secret',
  'add-envFrom',
  'remove-missing',
  'test-fail',
  'test-ok',
] as const;
export const ES_OPS = [
  'replace-version',
  'add-data',
  'replace-target',
  'add-dataFrom',
  'remove-version',
  'move-version',
  'copy-version',
] as const;

export interface Patch {
  /** `smp`: a strategic-merge patch (with or without a target); `json`: JSON 6902 with a target. */
  type: 'smp' | 'json';
  /** Which object: a workload's index, or the ExternalSecret. */
  on: number | 'es';
  /** Name the object by its current name at this layer (else by the base's name). */
  rendered: boolean;
  /** A strategic-merge patch given by `target` instead of its own name. */
  withTarget: boolean;
  ops: string[];
}

export interface Layer {
  prefix: string;
  suffix: string;
  namespace: string | null;
  patches: Patch[];
}

export interface Case {
  /**
   * Most cases are meant to build; a faulty one (1 in 24) also gets operations kustomize refuses (remove
   * of a missing key, a failing test, an add under a missing parent).
   */
  faulty: boolean;
  workloads: { kind: WorkloadKind; ref: RefKind; annotated: boolean }[];
  es: { versions: (string | null)[]; dataFrom: boolean };
  helm: boolean;
  mids: Layer[];
  component: { patches: Patch[]; merge: boolean } | null;
  root: Layer & { merge: boolean };
}

const affix = (values: string[]) => fc.constantFrom(...values);

const patchArb = (workloads: number): fc.Arbitrary<Patch> =>
  fc.oneof(
    fc.record({
      type: fc.constant<'smp' | 'json'>('smp'),
      on: fc.oneof(fc.integer({ min: 0, max: workloads - 1 }), fc.constant<'es'>('es')),
      rendered: fc.boolean(),
      withTarget: fc.boolean(),
      ops: fc.constant<string[]>([]),
    }),
    fc.integer({ min: 0, max: workloads - 1 }).chain((on) =>
      fc.record({
        type: fc.constant<'smp' | 'json'>('json'),
        on: fc.constant<number | 'es'>(on),
        rendered: fc.boolean(),
        withTarget: fc.constant(true),
        ops: fc.array(fc.constantFrom<string>(...WORKLOAD_OPS), { minLength: 1, maxLength: 3 }),
      }),
    ),
    fc.record({
      type: fc.constant<'smp' | 'json'>('json'),
      on: fc.constant<number | 'es'>('es'),
      rendered: fc.boolean(),
      withTarget: fc.constant(true),
      ops: fc.array(fc.constantFrom<string>(...ES_OPS), { minLength: 1, maxLength: 3 }),
    }),
  );

const layerArb = (workloads: number) =>
  fc.record({
    prefix: affix(['', '', 'p-', 'q-']),
    suffix: affix(['', '', '-s', '-t']),
    namespace: fc.constantFrom<string | null>(null, null, 'team', 'ops'),
    patches: fc.array(patchArb(workloads), { maxLength: 2 }),
  });

export const caseArb: fc.Arbitrary<Case> = fc
  .array(
    fc.record({
      kind: fc.constantFrom<WorkloadKind>('Deployment', 'CronJob', 'StatefulSet'),
      ref: fc.constantFrom<RefKind>('env', 'envFrom', 'volume', 'projected'),
      annotated: fc.boolean(),
    }),
    { minLength: 1, maxLength: 2 },
  )
  .chain((workloads) =>
    fc.record({
      faulty: fc.integer({ min: 0, max: 23 }).map((n) => n === 0),
      workloads: fc.constant(workloads),
      es: fc.record({
        versions: fc.array(fc.constantFrom<string | null>(null, '1', '2'), { minLength: 1, maxLength: 2 }),
        dataFrom: fc.boolean(),
      }),
      helm: fc.boolean(),
      mids: fc.array(layerArb(workloads.length), { minLength: 1, maxLength: 2 }),
      component: fc.option(
        fc.record({ patches: fc.array(patchArb(workloads.length), { maxLength: 2 }), merge: fc.boolean() }),
      ),
      root: layerArb(workloads.length).chain((l) =>
        fc.record({
          prefix: fc.constant(l.prefix),
          suffix: fc.constant(l.suffix),
          namespace: fc.constant(l.namespace),
          patches: fc.constant(l.patches),
          merge: fc.boolean(),
        }),
      ),
    }),
  );

const doc = (o: unknown) => stringify(o, { lineWidth: 0 });
const docs = (os: unknown[]) => os.map(doc).join('---\n');

const WORKLOAD_NAMES = ['web', 'job'];

/** Where a workload kind keeps its pod template, as JSON pointer segments. */
function templatePath(kind: WorkloadKind): string {
  return kind === 'CronJob' ? '/spec/jobTemplate/spec/template' : '/spec/template';
}

function workload(n: string, i: number, w: Case['workloads'][number]): unknown {
  const secret = `${n}-s${i}`;
  const container: Record<string, unknown> = { name: 'app', image: 'app:1' };
  const podSpec: Record<string, unknown> = { containers: [container] };
  if (w.ref === 'env')
    container.env = [{ name: 'PW', valueFrom: { secretKeyRef: { name: secret, key: 'pw' } } }];
  if (w.ref === 'envFrom') container.envFrom = [{ secretRef: { name: secret } }];
  if (w.ref === 'volume') podSpec.volumes = [{ name: 'v', secret: { secretName: secret } }];
  if (w.ref === 'projected')
    podSpec.volumes = [{ name: 'v', projected: { sources: [{ secret: { name: secret } }] } }];
  const template: Record<string, unknown> = { spec: podSpec };
  if (w.annotated) template.metadata = { annotations: { team: 'a' } };
  const metadata = { name: `${n}-${WORKLOAD_NAMES[i]}`, labels: { case: n } };
  if (w.kind === 'CronJob')
    return {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata,
      spec: { schedule: '0 * * * *', jobTemplate: { spec: { template } } },
    };
  return { apiVersion: 'apps/v1', kind: w.kind, metadata, spec: { template } };
}

function externalSecret(n: string, c: Case): unknown {
  const spec: Record<string, unknown> = {
    secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
    target: { name: `${n}-s0` },
    data: c.es.versions.map((v, i) => ({
      secretKey: `k${i}`,
      remoteRef: { key: `${n}/db${i}`, ...(v === null ? {} : { version: v }) },
    })),
  };
  if (c.es.dataFrom) spec.dataFrom = [{ extract: { key: `${n}/all` } }];
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: `${n}-es`, labels: { case: n } },
    spec,
  };
}

function helmRelease(n: string): unknown {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: `${n}-hr`, labels: { case: n } },
    spec: {
      chart: { spec: { chart: 'app', sourceRef: { kind: 'HelmRepository', name: 'charts' } } },
      valuesFrom: [{ kind: 'ConfigMap', name: `${n}-values` }],
      values: { replicas: 1 },
    },
  };
}

/** An object's name as a patch at a layer names it: the base's, or the current one. */
interface Naming {
  original: (base: string) => string;
  current: (base: string) => string;
  /** The current namespace: a strategic-merge patch by the current name must name it too. */
  namespace: string | null;
  /** Every name the other copy (if any) went by: a patch without a target naming one matches both. */
  others: (base: string) => string[];
}

/** The operations kustomize refuses on the base as written (a later layer may make some apply). */
function refused(c: Case, p: Patch, op: string): boolean {
  // Removing or moving the version refuses once another operation removed it: only faulty cases do it.
  if (p.on === 'es') return op === 'remove-version' || op === 'move-version';
  const w = c.workloads[p.on]!;
  if (op === 'add-annotation' || op === 'replace-annotation') return !w.annotated;
  if (op === 'add-env-secret') return w.ref !== 'env';
  return op === 'remove-missing' || op === 'test-fail';
}

function jsonOps(c: Case, p: Patch, n: string): unknown[] {
  let ops = c.faulty ? p.ops : p.ops.filter((op) => !refused(c, p, op));
  if (ops.length === 0) ops = [p.on === 'es' ? 'replace-version' : 'test-ok'];
  if (p.on === 'es') {
    return ops.map((op) => {
      switch (op) {
        case 'replace-version':
          return { op: 'replace', path: '/spec/data/0/remoteRef/version', value: '7' };
        case 'add-data':
          return {
            op: 'add',
            path: '/spec/data/-',
            value: { secretKey: 'x', remoteRef: { key: `${n}/extra` } },
          };
        case 'replace-target':
          return { op: 'replace', path: '/spec/target/name', value: `${n}-s1` };
        case 'add-dataFrom':
          return {
            op: 'add',
            path: '/spec/dataFrom',
            value: [{ extract: { key: `${n}/more`, version: '3' } }],
          };
        case 'remove-version':
          return { op: 'remove', path: '/spec/data/0/remoteRef/version' };
        case 'move-version':
          return {
            op: 'move',
            from: '/spec/data/0/remoteRef/version',
            path: '/spec/data/0/remoteRef/pinned',
          };
        default:
          return { op: 'copy', from: '/spec/data/0/remoteRef/version', path: '/spec/data/0/remoteRef/was' };
      }
    });
  }
  const w = c.workloads[p.on]!;
  const t = templatePath(w.kind);
  return ops.map((op) => {
    switch (op) {
      case 'add-annotation':
        return { op: 'add', path: `${t}/metadata/annotations/vr`, value: 'added' };
      case 'replace-annotation':
        return { op: 'replace', path: `${t}/metadata/annotations/vr`, value: 'replaced' };
      case 'replace-missing-key':
        return { op: 'replace', path: `${t}/spec/containers/0/imagePullPolicy`, value: 'Always' };
      case 'add-env-secret':
        return {
          op: 'add',
          path: `${t}/spec/containers/0/env/-`,
          value: { name: 'EXTRA', valueFrom: { secretKeyRef: { name: `${n}-extra`, key: 'k' } } },
        };
      case 'add-envFrom':
        return {
          op: 'add',
          path: `${t}/spec/containers/0/envFrom`,
          value: [{ secretRef: { name: `${n}-from` } }],
        };
      case 'remove-missing':
        return { op: 'remove', path: `${t}/metadata/labels/nope` };
      case 'test-fail':
        return { op: 'test', path: '/kind', value: 'Wrong' };
      default:
        return { op: 'test', path: '/kind', value: w.kind };
    }
  });
}

function smp(c: Case, p: Patch, n: string, name: string, namespace: string | null): unknown {
  const ns = namespace === null ? {} : { namespace };
  if (p.on === 'es')
    return {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name, ...ns, annotations: { patched: 'yes' } },
      spec: { target: { name: `${n}-smp` } },
    };
  const w = c.workloads[p.on]!;
  const template = {
    metadata: { annotations: { smp: 'yes' } },
    spec: { containers: [{ name: 'app', envFrom: [{ secretRef: { name: `${n}-smp` } }] }] },
  };
  const spec = w.kind === 'CronJob' ? { jobTemplate: { spec: { template } } } : { template };
  return {
    apiVersion: w.kind === 'CronJob' ? 'batch/v1' : 'apps/v1',
    kind: w.kind,
    metadata: { name, ...ns },
    spec,
  };
}

function patchEntries(c: Case, patches: Patch[], n: string, naming: Naming, copies = 1): unknown[] {
  return patches.flatMap((p) => {
    const base = p.on === 'es' ? `${n}-es` : `${n}-${WORKLOAD_NAMES[p.on]}`;
    const kind = p.on === 'es' ? 'ExternalSecret' : c.workloads[p.on]!.kind;
    // A strategic-merge patch without a target naming both copies is refused: only a faulty case has it.
    const byOriginal = !p.rendered && (c.faulty || copies === 1 || p.type === 'json' || p.withTarget);
    const name = byOriginal ? naming.original(base) : naming.current(base);
    // A name the other copy went by too matches both copies: only a faulty case has that.
    if (!c.faulty && copies > 1 && p.type === 'smp' && !p.withTarget && naming.others(base).includes(name))
      return [];
    if (p.type === 'json') return [{ target: { kind, name }, patch: doc(jsonOps(c, p, n)) }];
    // By the current name, kustomize wants the current namespace too (a faulty case may leave it out).
    const ns = !byOriginal && !(c.faulty && p.rendered) ? naming.namespace : null;
    const body = doc(smp(c, p, n, p.withTarget ? 'ignored' : name, p.withTarget ? null : ns));
    return [p.withTarget ? { target: { kind, name }, patch: body } : { patch: body }];
  });
}

function kustomization(fields: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return doc(out);
}

/** The files of case `n`, under `c<n>/`; its root is `c<n>/root`. */
export function caseFiles(c: Case, index: number): Record<string, string> {
  const n = `c${index}`;
  const files: Record<string, string> = {};
  const at = (path: string, text: string) => (files[`${n}/${path}`] = text);
  const objects = [...c.workloads.map((w, i) => workload(n, i, w)), externalSecret(n, c)];
  if (c.helm) objects.push(helmRelease(n));
  at('base/objects.yaml', docs(objects));
  at('base/values.yaml', doc({ podAnnotations: { from: 'base' }, image: { tag: '1' } }));
  at(
    'base/kustomization.yaml',
    kustomization({
      resources: ['objects.yaml'],
      configMapGenerator: c.helm ? [{ name: `${n}-values`, files: ['values.yaml'] }] : [],
    }),
  );
  const identity = (s: string) => s;
  const mids: string[] = [];
  const layers = c.mids.map((m) => ({ ...m }));
  const twice = layers.length > 1;
  // Two copies under the same names are one id twice, which kustomize refuses: only a faulty case has that.
  if (
    twice &&
    !c.faulty &&
    layers[1]!.prefix === layers[0]!.prefix &&
    layers[1]!.suffix === layers[0]!.suffix
  )
    layers[1]!.suffix = '-u';
  layers.forEach((m, i) => {
    mids.push(`../mid${i}`);
    at(
      `mid${i}/kustomization.yaml`,
      kustomization({
        resources: ['../base'],
        namespace: m.namespace,
        namePrefix: m.prefix,
        nameSuffix: m.suffix,
        patches: patchEntries(c, m.patches, n, {
          original: identity,
          current: identity,
          namespace: null,
          others: () => [],
        }),
      }),
    );
  });
  // What the root's patches and the component see: the base renamed by the first middle layer.
  const m0 = layers[0]!;
  const naming: Naming = {
    original: identity,
    current: (b) => `${m0.prefix}${b}${m0.suffix}`,
    namespace: m0.namespace,
    others: (b) => {
      const m1 = layers[1];
      if (!m1) return [];
      return [b, `${m1.prefix}${b}`, `${m1.prefix}${b}${m1.suffix}`];
    },
  };
  // With two copies, a merge could go to either generated ConfigMap: kustomize refuses it.
  const merges = { root: c.helm && c.root.merge, component: c.helm && !!c.component?.merge };
  if (twice && !c.faulty) merges.root = merges.component = false;
  const merge = () => ({ name: `${n}-values`, behavior: 'merge', files: ['values.yaml'] });
  let components: string[] = [];
  if (c.component && (c.component.patches.length > 0 || merges.component)) {
    components = ['../component'];
    at('component/values.yaml', doc({ podAnnotations: { from: 'component' }, component: true }));
    at(
      'component/kustomization.yaml',
      doc({
        apiVersion: 'kustomize.config.k8s.io/v1alpha1',
        kind: 'Component',
        ...(merges.component ? { configMapGenerator: [merge()] } : {}),
        ...(c.component.patches.length > 0
          ? { patches: patchEntries(c, c.component.patches, n, naming, layers.length) }
          : {}),
      }),
    );
  }
  if (merges.root) at('root/values.yaml', doc({ image: { tag: '2' }, root: true }));
  at(
    'root/kustomization.yaml',
    kustomization({
      resources: mids,
      components,
      namespace: c.root.namespace,
      namePrefix: c.root.prefix,
      nameSuffix: c.root.suffix,
      configMapGenerator: merges.root ? [merge()] : [],
      patches: patchEntries(c, c.root.patches, n, naming, layers.length),
    }),
  );
  return files;
}
