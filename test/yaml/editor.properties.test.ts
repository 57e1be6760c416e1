/**
 * Property tests (fast-check, 1,000 cases each) for the annotation editor, on random workload files in
 * every style the real-world corpus shows: block and flow mappings, plain and quoted keys, comments,
 * anchors and aliases, CRLF, a BOM, no final newline, `metadata`/`annotations` absent, empty (`key:`),
 * `{}`, flow or block, several documents, indentation 2 or 4, sequences indented or not.
 *
 * For each file, setting the record (workload metadata) and the trigger (pod template metadata) must
 * succeed, the data read back must equal the original plus the two annotations, and every byte outside
 * the edited lines must be unchanged; setting a new value then changes the annotation lines only. On a
 * failure fast-check prints the seed and the shrunk file (`fc.assert` reports `seed` and `path`).
 */
import { diffChars, diffLines } from 'diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

import { applyAnnotationEdits, type AnnotationEdit } from '../../src/core/yaml/edit-annotations.js';

const KEY = 'vault-rollout/secret-versions';
const V1 = 'kv/app/api@3,kv/app/db@7';
const V2 = 'kv/app/api@4,kv/app/db@7';
const RUNS = 1000;

type KeyStyle = 'plain' | 'single' | 'double' | 'mixed';
type MetaForm =
  | 'absent'
  | 'no-annotations'
  | 'annotations-empty'
  | 'annotations-{}'
  | 'annotations-flow'
  | 'annotations-block'
  | 'metadata-{}'
  | 'metadata-flow';

interface Style {
  step: number;
  seqIndented: boolean;
  keys: KeyStyle;
  comments: boolean;
  anchors: boolean;
  /** `annotations` before `name`/`labels` in a block `metadata`. */
  annotationsFirst: boolean;
}

interface WorkloadSpec {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob';
  name: string;
  top: MetaForm;
  template: MetaForm;
  /** The record already there (an update) with this value, where annotations exist. */
  existing: string | null;
  others: [string, string][];
  quoteIndex: number;
  /** A literal block scalar (`note: |`) among block annotations. */
  blockScalar: boolean;
}

type DocSpec = { type: 'workload'; w: WorkloadSpec } | { type: 'configmap'; name: string };

interface FileSpec {
  style: Style;
  docs: DocSpec[];
  crlf: boolean;
  bom: boolean;
  finalNewline: boolean;
  leadingMarker: boolean;
  /** Between documents: `---`, `--- # comment`, or an end marker `...` before `---`. */
  separator: 'plain' | 'commented' | 'end';
}

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const annotationValue = fc.oneof(
  fc.constantFrom('"1"', 'x', "'a b'", '"a: b"', '"true"', 'kv/x@1'),
  fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/),
);
const metaForm = fc.constantFrom<MetaForm>(
  'absent',
  'no-annotations',
  'annotations-empty',
  'annotations-{}',
  'annotations-flow',
  'annotations-block',
  'metadata-{}',
  'metadata-flow',
);

const workload: fc.Arbitrary<WorkloadSpec> = fc.record({
  kind: fc.constantFrom('Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'),
  name,
  top: metaForm.filter((f) => f !== 'absent'),
  template: metaForm,
  existing: fc.option(fc.constantFrom('kv/app/api@1', '"kv/app/api@2"', "'kv/old@9'"), { nil: null }),
  others: fc.array(fc.tuple(fc.constantFrom('team', 'example.com/owner', 'note', 'x'), annotationValue), {
    maxLength: 2,
  }),
  quoteIndex: fc.nat(7),
  blockScalar: fc.boolean(),
});

const fileSpec: fc.Arbitrary<FileSpec> = fc.record({
  style: fc.record({
    step: fc.constantFrom(2, 4),
    seqIndented: fc.boolean(),
    keys: fc.constantFrom<KeyStyle>('plain', 'plain', 'single', 'double', 'mixed'),
    comments: fc.boolean(),
    anchors: fc.boolean(),
    annotationsFirst: fc.boolean(),
  }),
  docs: fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: workload.map((w): DocSpec => ({ type: 'workload', w })) },
        { weight: 1, arbitrary: name.map((n): DocSpec => ({ type: 'configmap', name: n })) },
      ),
      { minLength: 1, maxLength: 3 },
    )
    .filter((docs) => docs.some((d) => d.type === 'workload')),
  crlf: fc.boolean(),
  bom: fc.boolean(),
  finalNewline: fc.boolean(),
  leadingMarker: fc.boolean(),
  separator: fc.constantFrom<FileSpec['separator']>('plain', 'commented', 'end'),
});

/** Renders one key in the file's key style (`mixed` quotes by a counter, so neighbours differ). */
function keyRenderer(style: KeyStyle, seed: number): (k: string) => string {
  let i = seed;
  return (k) => {
    const s = style === 'mixed' ? (['plain', 'single', 'double'] as const)[i++ % 3]! : style;
    if (s === 'single') return `'${k}'`;
    if (s === 'double') return `"${k}"`;
    return /[:/]/.test(k) ? `"${k}"` : k;
  };
}

/** The annotation pairs a workload already has, as `key: value` texts. */
function annotationPairs(w: WorkloadSpec, k: (key: string) => string): string[] {
  const pairs = w.others.filter(([key], i, all) => all.findIndex(([other]) => other === key) === i);
  const out = pairs.map(([key, value]) => `${k(key)}: ${value}`);
  if (w.existing !== null) out.push(`${k(KEY)}: ${w.existing}`);
  return out;
}

/** `metadata` lines at indent `pad` in form `form`, with `extra` block lines (name, labels) inside. */
function metadataLines(
  form: MetaForm,
  pad: string,
  s: Style,
  k: (key: string) => string,
  extra: string[],
  extraFlow: string[],
  pairs: string[],
  blockScalar: boolean,
): string[] {
  const ind = pad + ' '.repeat(s.step);
  const inner = ind + ' '.repeat(s.step);
  const comment = s.comments ? ' # kept' : '';
  switch (form) {
    case 'absent':
      return [];
    case 'metadata-{}':
      return [`${pad}${k('metadata')}: {}${comment}`];
    case 'metadata-flow': {
      const ann = pairs.length > 0 ? [`${k('annotations')}: {${pairs.join(', ')}}`] : [];
      return [`${pad}${k('metadata')}: {${[...extraFlow, ...ann].join(', ')}}${comment}`];
    }
    default: {
      const ann: string[] = [];
      if (form === 'annotations-empty') ann.push(`${ind}${k('annotations')}:`);
      if (form === 'annotations-{}') ann.push(`${ind}${k('annotations')}: {}`);
      if (form === 'annotations-flow') ann.push(`${ind}${k('annotations')}: {${pairs.join(', ')}}${comment}`);
      if (form === 'annotations-block') {
        ann.push(`${ind}${k('annotations')}:${comment}`);
        for (const p of pairs) ann.push(inner + p);
        if (blockScalar)
          ann.push(
            `${inner}${k('example.com/description')}: |`,
            `${inner}  first line`,
            `${inner}  second: line`,
          );
        if (pairs.length === 0 && !blockScalar) ann.push(`${inner}${k('placeholder')}: "y"`);
      }
      const rest = extra.map((l) => ind + l);
      if (s.comments) rest.push(`${ind}# a comment line inside metadata`);
      const lines = [
        `${pad}${k('metadata')}:${comment}`,
        ...(s.annotationsFirst ? [...ann, ...rest] : [...rest, ...ann]),
      ];
      if (lines.length === 1) lines.push(`${ind}${k('labels')}: {}`);
      return lines;
    }
  }
}

function workloadLines(w: WorkloadSpec, s: Style): string[] {
  const k = keyRenderer(s.keys, w.quoteIndex);
  const t = ' '.repeat(s.step);
  const comment = s.comments ? ' # kept' : '';
  const pairs = annotationPairs(w, k);
  const lines: string[] = [];
  if (s.comments) lines.push(`# ${w.kind} ${w.name}`);
  lines.push(
    `${k('apiVersion')}: ${w.kind === 'CronJob' ? 'batch/v1' : 'apps/v1'}`,
    `${k('kind')}: ${w.kind}${comment}`,
  );
  const labels = s.anchors ? `${k('labels')}: &top {app: ${w.name}}` : `${k('labels')}: {app: ${w.name}}`;
  lines.push(
    ...metadataLines(
      w.top,
      '',
      s,
      k,
      [`${k('name')}: ${w.name}`, labels],
      [`${k('name')}: ${w.name}`],
      pairs,
      w.blockScalar,
    ),
  );
  // The pod template sits at `pad`: spec.template, or spec.jobTemplate.spec.template for a CronJob.
  lines.push(`${k('spec')}:`);
  let pad = t;
  if (w.kind === 'CronJob') {
    lines.push(
      `${pad}${k('schedule')}: "0 3 * * *"`,
      `${pad}${k('jobTemplate')}:`,
      `${pad + t}${k('spec')}:`,
    );
    pad += t + t;
  } else {
    const selector = s.anchors
      ? `{${k('matchLabels')}: &selected {app: ${w.name}}}`
      : `{${k('matchLabels')}: {app: ${w.name}}}`;
    lines.push(`${pad}${k('selector')}: ${selector}`);
  }
  lines.push(`${pad}${k('template')}:${comment}`);
  const tpl = pad + t;
  const tplLabels = s.anchors && w.kind !== 'CronJob' ? '*selected' : '{app: x}';
  lines.push(
    ...metadataLines(
      w.template,
      tpl,
      s,
      k,
      [`${k('labels')}: ${tplLabels}`],
      [`${k('labels')}: {app: x}`],
      pairs,
      w.blockScalar,
    ),
  );
  lines.push(`${tpl}${k('spec')}:`, `${tpl + t}${k('containers')}:`);
  const dash = s.seqIndented ? tpl + t + t : tpl + t;
  lines.push(`${dash}- ${k('name')}: c${comment}`, `${dash}  ${k('image')}: "img:1"`);
  lines.push(`${dash}  ${k('args')}:`, `${dash}${s.seqIndented ? '  ' : ''}  - --flag`);
  if (s.comments) lines.push(`# trailing comment of ${w.name}`);
  return lines;
}

const SEPARATORS: Record<FileSpec['separator'], string[]> = {
  plain: ['---'],
  commented: ['--- # next document'],
  end: ['...', '---'],
};

function render(f: FileSpec): string {
  const docs = f.docs.map((d) =>
    d.type === 'workload'
      ? workloadLines(d.w, f.style)
      : ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: ${d.name}`, 'data:', '  k: v'],
  );
  const lines = [
    ...(f.leadingMarker ? ['---'] : []),
    ...docs.flatMap((d, i) => (i === 0 ? d : [...SEPARATORS[f.separator], ...d])),
  ];
  const nl = f.crlf ? '\r\n' : '\n';
  return (f.bom ? '\ufeff' : '') + lines.join(nl) + (f.finalNewline ? nl : '');
}

function templatePath(kind: WorkloadSpec['kind']): string[] {
  return kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template'] : ['spec', 'template'];
}

function editsFor(f: FileSpec, value: string): AnnotationEdit[] {
  return f.docs.flatMap((d, document) =>
    d.type === 'workload'
      ? [
          { document, mapPath: [], key: KEY, value },
          { document, mapPath: templatePath(d.w.kind), key: KEY, value },
        ]
      : [],
  );
}

const parse = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as unknown);

/** The original data with the record and the trigger set to `value` in every workload document. */
function expectedData(text: string, f: FileSpec, value: string): unknown[] {
  const data = parse(text);
  f.docs.forEach((d, document) => {
    if (d.type !== 'workload') return;
    for (const mapPath of [[], templatePath(d.w.kind)]) {
      let obj = data[document] as Record<string, unknown>;
      for (const step of [...mapPath, 'metadata', 'annotations']) {
        // An alias (`labels: *labels`) resolves to a shared object: copy before writing into it.
        obj[step] = obj[step] == null ? {} : { ...(obj[step] as Record<string, unknown>) };
        obj = obj[step] as Record<string, unknown>;
      }
      obj[KEY] = value;
    }
  });
  return data;
}

/** Line-level hunks of a diff: the removed lines and the added lines, each with its line break. */
function hunks(before: string, after: string): { removed: string; added: string }[] {
  const out: { removed: string; added: string }[] = [];
  let current = { removed: '', added: '' };
  for (const part of diffLines(before, after)) {
    if (part.added) current.added += part.value;
    else if (part.removed) current.removed += part.value;
    else if (current.removed || current.added) {
      out.push(current);
      current = { removed: '', added: '' };
    }
  }
  if (current.removed || current.added) out.push(current);
  return out;
}

/**
 * Every byte outside the edited lines is unchanged: a line diff shows changed lines only where the
 * annotation went in, and inside those lines nothing of the original is lost (the edit inserts), except
 * an old value of the annotation itself and an empty flow map `{}` after `metadata:` or `annotations:`
 * that becomes a block.
 */
function expectInsertionOnly(before: string, after: string): void {
  for (const h of hunks(before, after)) {
    const what = `hunk ${JSON.stringify(h.removed)} -> ${JSON.stringify(h.added)}`;
    expect(h.added, what).toContain(KEY);
    let at = 0;
    for (const part of diffChars(h.removed, h.added)) {
      if (part.added) continue;
      if (part.removed) {
        const lineOf = h.removed.slice(
          h.removed.lastIndexOf('\n', at - 1) + 1,
          h.removed.indexOf('\n', at) + 1 || undefined,
        );
        const oldValue = lineOf.includes(KEY);
        const emptyFlow =
          /^\s*\{\s*\}\s*$/.test(part.value) && /^\s*(["']?)(metadata|annotations)\1: \{\}/.test(lineOf);
        expect(oldValue || emptyFlow, `${what}: lost ${JSON.stringify(part.value)}`).toBe(true);
      }
      at += part.value.length;
    }
  }
}

/** A new value changes only the lines that hold the annotation. */
function expectAnnotationLinesOnly(before: string, after: string): void {
  for (const h of hunks(before, after)) {
    for (const line of [...h.removed.split('\n'), ...h.added.split('\n')].filter((l) => l.trim() !== '')) {
      expect(line).toContain(KEY);
    }
  }
}

function expectSameFraming(after: string, f: FileSpec): void {
  expect(after.startsWith('\ufeff')).toBe(f.bom);
  expect(after.endsWith(f.crlf ? '\r\n' : '\n')).toBe(f.finalNewline);
  if (f.crlf) expect(after.replace(/\r\n/g, '')).not.toContain('\n');
  else expect(after).not.toContain('\r');
}

describe('annotation editor properties (fast-check)', () => {
  it('generates files in every style it claims to (the generator itself is valid YAML)', () => {
    fc.assert(
      fc.property(fileSpec, (f) => {
        const docs = parseAllDocuments(render(f));
        expect(docs.flatMap((d) => d.errors.map((e) => e.message))).toEqual([]);
        for (const d of docs) expect(() => d.toJS() as unknown).not.toThrow();
        expect(docs).toHaveLength(f.docs.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('insert or update: data = original + annotations, every byte outside the edited lines unchanged', () => {
    fc.assert(
      fc.property(fileSpec, (f) => {
        const text = render(f);
        const r = applyAnnotationEdits(text, editsFor(f, V1));
        if (!r.ok) throw new Error(`edit refused: ${r.message}\n${text}`);
        expect(parse(r.text)).toEqual(expectedData(text, f, V1));
        expectSameFraming(r.text, f);
        expectInsertionOnly(text, r.text);
      }),
      { numRuns: RUNS },
    );
  });

  it('a second value changes the annotation lines only; the same value changes nothing', () => {
    fc.assert(
      fc.property(fileSpec, (f) => {
        const text = render(f);
        const first = applyAnnotationEdits(text, editsFor(f, V1));
        if (!first.ok) throw new Error(`edit refused: ${first.message}\n${text}`);
        const second = applyAnnotationEdits(first.text, editsFor(f, V2));
        if (!second.ok) throw new Error(`update refused: ${second.message}\n${first.text}`);
        expect(parse(second.text)).toEqual(expectedData(text, f, V2));
        expectAnnotationLinesOnly(first.text, second.text);
        expectSameFraming(second.text, f);
        expect(applyAnnotationEdits(second.text, editsFor(f, V2))).toEqual({ ok: true, text: second.text });
      }),
      { numRuns: RUNS },
    );
  });
});
