import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RepoFile } from '../../src/core/model.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/discover/', import.meta.url));

/** Every .yaml/.yml file under `dir`, as RepoFiles with POSIX paths relative to `dir`. */
export function readTree(dir: string): RepoFile[] {
  const out: RepoFile[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) {
        out.push({ path: relative(dir, full).split(sep).join('/'), text: readFileSync(full, 'utf8') });
      }
    }
  };
  walk(dir);
  return out;
}

/** A Deployment manifest with the given metadata, for selector tests. */
export function deployment(opts: {
  name: string;
  kind?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}): string {
  const lines = [
    `apiVersion: apps/v1`,
    `kind: ${opts.kind ?? 'Deployment'}`,
    `metadata:`,
    `  name: ${opts.name}`,
  ];
  if (opts.namespace) lines.push(`  namespace: ${opts.namespace}`);
  if (opts.labels) lines.push(`  labels: ${JSON.stringify(opts.labels)}`);
  if (opts.annotations) lines.push(`  annotations: ${JSON.stringify(opts.annotations)}`);
  lines.push(`spec:`, `  template:`, `    spec:`, `      containers: [{ name: c, image: c }]`, ``);
  return lines.join('\n');
}
