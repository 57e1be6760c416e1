/**
 * The JSON Schema of the `--format json` report as the package ships it (docs/schema/report.schema.json),
 * compiled with ajv's draft 2020-12 validator in its default strict mode, and helpers to compare the
 * fields a report uses with the fields the schema declares.
 *
 * @example
 * const validate = reportValidator();
 * expect(errorsOf(validate, JSON.parse(run.stdout))).toEqual([]);
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// The named export: under NodeNext the default import of this CommonJS module is its namespace object.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { repoRoot } from './run-cli.js';

export type JsonSchema = {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  [key: string]: unknown;
};

export const reportSchemaPath = join(repoRoot, 'docs/schema/report.schema.json');

export function loadReportSchema(): JsonSchema {
  return JSON.parse(readFileSync(reportSchemaPath, 'utf8')) as JsonSchema;
}

export function reportValidator(): ValidateFunction {
  return new Ajv2020({ allErrors: true }).compile(loadReportSchema());
}

/** Validation errors as `<instance path> <message> <params>` lines; empty when `data` is valid. */
export function errorsOf(validate: ValidateFunction, data: unknown): string[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

/** Every key path in a JSON value, array items as `[]`: `.workloads[].secrets[].path`. */
export function propertyPaths(value: unknown, at = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) propertyPaths(item, `${at}[]`, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      out.add(`${at}.${key}`);
      propertyPaths(child, `${at}.${key}`, out);
    }
  }
  return out;
}

/** Every key path the schema's `$defs[def]` declares, in the form of {@link propertyPaths}. */
export function schemaPropertyPaths(schema: JsonSchema, def: string): Set<string> {
  const out = new Set<string>();
  const resolve = (s: JsonSchema): JsonSchema =>
    s.$ref ? resolve(schema.$defs![s.$ref.replace('#/$defs/', '')]!) : s;
  const walk = (raw: JsonSchema, at: string) => {
    const s = resolve(raw);
    for (const alt of [...(s.oneOf ?? []), ...(s.anyOf ?? [])]) walk(alt, at);
    if (s.items) walk(s.items, `${at}[]`);
    for (const [key, child] of Object.entries(s.properties ?? {})) {
      out.add(`${at}.${key}`);
      walk(child, `${at}.${key}`);
    }
  };
  walk(schema.$defs![def]!, '');
  return out;
}
