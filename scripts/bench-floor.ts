/**
 * The floor `plan` has to beat: read every .yaml file of a repository and parse it with the `yaml` package.
 * Run as its own process by the benchmark, so it pays the same Node start-up as the CLI.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

async function walk(dir: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === '.git') continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) await walk(p, out);
    else if (/\.ya?ml$/.test(entry.name)) out.push(p);
  }
}

const root = process.argv[2];
if (!root) throw new Error('usage: bench-floor <repo>');
const files: string[] = [];
await walk(root, files);
let documents = 0;
for (const file of files) documents += parseAllDocuments(await readFile(file, 'utf8')).length;
process.stdout.write(JSON.stringify({ files: files.length, documents }) + '\n');
