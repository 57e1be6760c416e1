/**
 * Reads `vault-rollout.yaml`: YAML → plain data → zod. Every error names the file, the dotted key and its
 * line, so `vault-rollout.yaml:7: rules[0].select.kind: expected one of Deployment, ... (got "Deploymnt")`
 * points straight at the typo.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { MAX_CONFIG_BYTES } from '../limits.js';
import { CREDENTIAL_KEYS, ownVault } from './credentials.js';
import { configSchema, type Config } from './definition.js';

/**
 * Characters no YAML config holds: NUL and other C0 controls except tab, newline and carriage return
 * (YAML forbids them), DEL, and U+FFFD, which decoding turns bytes that are not UTF-8 into.
 */
// eslint-disable-next-line no-control-regex
const BINARY = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]/;

/** One validation failure, as carried in `ConfigError.data.issues`. */
export interface ConfigIssue {
  /** Dotted key, e.g. `rules[0].select.kind`; empty for the document itself. */
  key: string;
  line: number | null;
  column: number | null;
  message: string;
}

/** The config when there is no file: every default. */
export function defaultConfig(): Config {
  return configSchema.parse({});
}

/**
 * Parses and validates a config file.
 * `null` values count as absent (`exclude:` with nothing after it means "no excludes").
 * @param file the name used in messages, e.g. `vault-rollout.yaml`
 * @throws ConfigError naming file, key and line for invalid YAML, unknown keys, wrong types and bad globs
 * @example parseConfig(await readFile('vault-rollout.yaml', 'utf8'), 'vault-rollout.yaml').include
 */
export function parseConfig(text: string, file: string): Config {
  // The readers check the size before reading; this keeps any other caller from parsing a huge text.
  if (text.length > MAX_CONFIG_BYTES) {
    fail(file, [
      {
        key: '',
        line: null,
        column: null,
        message: `over the ${MAX_CONFIG_BYTES}-byte limit of a config file`,
      },
    ]);
  }
  // A binary file (an image, a gzip, an encrypted blob) would otherwise surface as a YAML error that
  // quotes its bytes; say what it is instead, quoting nothing from it.
  const binary = BINARY.exec(text);
  if (binary) {
    const line = text.slice(0, binary.index).split('\n').length;
    fail(file, [
      {
        key: '',
        line,
        column: null,
        message: `not a text file: it holds ${binary[0] === '\uFFFD' ? 'bytes that are not UTF-8' : 'control characters'}, expected YAML`,
      },
    ]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number) => lineCounter.linePos(offset);

  const yamlError = doc.errors[0];
  if (yamlError) {
    const { line, col } = pos(yamlError.pos[0]);
    const first = yamlError.message.split('\n')[0] ?? yamlError.message;
    fail(file, [{ key: '', line, column: col, message: `not valid YAML: ${first}` }]);
  }

  let data: unknown;
  try {
    data = stripNulls(doc.toJS({ maxAliasCount: 100 }));
  } catch (err) {
    fail(file, [{ key: '', line: null, column: null, message: `cannot read YAML: ${errorText(err)}` }]);
  }
  if (data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    const at = doc.contents?.range ? pos(doc.contents.range[0]) : null;
    fail(file, [
      {
        key: '',
        line: at?.line ?? null,
        column: at?.col ?? null,
        message: `expected a mapping of options (got ${describe(data)})`,
      },
    ]);
  }

  const result = configSchema.safeParse(data);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => toConfigIssue(issue, doc, data, pos));
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  fail(file, issues);
}

function fail(file: string, issues: ConfigIssue[]): never {
  const lines = issues.map(
    (i) => `${file}${i.line ? `:${i.line}` : ''}: ${i.key ? `${i.key}: ` : ''}${i.message}`,
  );
  const message =
    lines.length === 1
      ? lines[0]!
      : `${file}: ${lines.length} problems in the config file:\n${lines.map((l) => `  ${l}`).join('\n')}`;
  throw new ConfigError(message, { file, issues });
}

function toConfigIssue(
  issue: z.core.$ZodIssue,
  doc: Document,
  data: unknown,
  pos: (offset: number) => { line: number; col: number },
): ConfigIssue {
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  if (issue.code === 'unrecognized_keys') {
    // One issue per object, listing every unknown key; point at the first one's key.
    const keys = issue.keys;
    const allowed = allowedKeys(path);
    const first = keys[0] ?? '';
    const keyNode = locate(doc, [...path, first], true);
    const at = keyNode?.range ? pos(keyNode.range[0]) : null;
    const hint = suggest(first, allowed);
    const names = keys.map((k) => `"${k}"`).join(', ');
    const message =
      `unknown key${keys.length > 1 ? 's' : ''} ${names}` +
      (at ? ` (line ${at.line})` : '') +
      (hint ? `; did you mean "${hint}"?` : allowed.length ? `; expected one of ${allowed.join(', ')}` : '');
    return { key: dotted([...path, first]), line: at?.line ?? null, column: at?.col ?? null, message };
  }
  const node = locate(doc, path, false) ?? nearest(doc, path);
  const at = node?.range ? pos(node.range[0]) : null;
  const value = valueAt(data, path);
  return {
    key: dotted(path),
    line: at?.line ?? null,
    column: at?.col ?? null,
    message: describeIssue(issue, value),
  };
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const got = value === undefined ? '' : ` (got ${describe(value)})`;
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `missing required key`;
      return `expected ${article(issue.expected)}${got}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join(', ')}${got}`;
    case 'invalid_union':
      return `expected a string, number or boolean${got}`;
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      return issue.message;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  if (expected === 'object' || expected === 'record') return 'a mapping';
  if (expected === 'array') return 'a list';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** Short, quoted description of a YAML value for messages. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return `${typeof value} ${String(value)}`;
}

/** `rules[0].select.labels["app.kubernetes.io/name"]` */
export function dotted(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * The line of the key at `path` (e.g. `['commit', 'messageTemplate']`) in a config's YAML text, or null
 * when the text does not hold it: for errors found after parsing, which must still name a line.
 */
export function keyLine(text: string, path: readonly (string | number)[]): number | null {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const node = locate(doc, path, true) ?? locate(doc, path, false);
  return node?.range ? lineCounter.linePos(node.range[0]).line : null;
}

/** Finds the value node (or, with `wantKey`, the key node) at `path`. */
function locate(doc: Document, path: readonly (string | number)[], wantKey: boolean): Node | null {
  let node: unknown = doc.contents;
  let keyNode: unknown = null;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (!pair) return null;
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      keyNode = null;
      node = node.items[seg];
    } else return null;
  }
  const found = wantKey ? keyNode : (node ?? keyNode);
  return found && typeof found === 'object' && 'range' in found ? (found as Node) : null;
}

/** The deepest node that exists along `path` (for a missing key: its parent mapping). */
function nearest(doc: Document, path: readonly (string | number)[]): Node | null {
  for (let i = path.length - 1; i >= 0; i--) {
    const node = locate(doc, path.slice(0, i), false);
    if (node) return node;
  }
  return (doc.contents as Node | null) ?? null;
}

function keyText(key: unknown): string | null {
  if (isScalar(key)) return String(key.value);
  return null;
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

/** Keys the schema accepts at `path`, for "did you mean". */
function allowedKeys(path: readonly (string | number)[]): string[] {
  let schema: unknown = configSchema;
  for (const seg of path) {
    schema = unwrap(schema);
    const def = (schema as { def?: { type?: string; shape?: Record<string, unknown>; element?: unknown } })
      .def;
    if (def?.type === 'object' && typeof seg === 'string') schema = def.shape?.[seg];
    else if (def?.type === 'array' && typeof seg === 'number') schema = def.element;
    else return [];
  }
  const def = (unwrap(schema) as { def?: { type?: string; shape?: Record<string, unknown> } }).def;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Looks through optional / default / prefault / pipe wrappers. */
function unwrap(schema: unknown): unknown {
  let s = schema as { def?: { type?: string; innerType?: unknown; in?: unknown } } | undefined;
  for (let i = 0; i < 10 && s?.def; i++) {
    if (s.def.innerType) s = s.def.innerType as typeof s;
    else if (s.def.type === 'pipe' && s.def.in) s = s.def.in as typeof s;
    else break;
  }
  return s;
}

/** The closest allowed key within edit distance 2 (case-insensitive), if any. */
function suggest(key: string, allowed: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** `key:` with no value means "use the default", as users expect from YAML config files. */
function stripNulls(value: unknown): unknown {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.map(stripNulls);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const s = stripNulls(v);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }
  return value;
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

/**
 * The config an environment's Vault is read with: its `vault` keys over the top-level ones (mounts: its
 * own when it lists any). An environment that reads its own Vault (another address) never inherits the
 * top-level block's credential names (src/core/config/credentials.ts). Null or an unknown name: the
 * config as it is.
 * @param homeAddress `VAULT_ADDR`, for a config without a top-level `vault.address`
 */
export function configForEnvironment(
  config: Config,
  environment: string | null,
  homeAddress?: string,
): Config {
  const env = environment === null ? undefined : config.environments.find((e) => e.name === environment);
  if (!env?.vault) return config;
  const { mounts, auth, ...rest } = env.vault;
  const inherited = ownVault(config, env.name, homeAddress)
    ? Object.fromEntries(
        Object.entries(config.vault.auth ?? {}).filter(
          ([k]) => !(CREDENTIAL_KEYS as readonly string[]).includes(k),
        ),
      )
    : config.vault.auth;
  const mergedAuth = { ...inherited, ...auth };
  return {
    ...config,
    vault: {
      ...config.vault,
      ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
      ...(Object.keys(mergedAuth).length > 0 ? { auth: mergedAuth } : { auth: undefined }),
      mounts: mounts.length > 0 ? mounts : config.vault.mounts,
    },
  };
}
