import { cp, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Reads the Dockerfile the way the image is built from it, for tests that cannot run a Docker engine:
 * stages with their instructions, and the environment the final stage sets.
 */
export interface Stage {
  from: string;
  name?: string;
  /** Instructions after FROM, continuation lines joined, comments dropped. */
  lines: string[];
}

export function dockerStages(text: string): Stage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) stages.push({ from: from[1] as string, ...(from[2] ? { name: from[2] } : {}), lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

/** The arguments of each `NAME ...` instruction of a stage. */
export function instructions(stage: Stage, name: string): string[] {
  return stage.lines
    .filter((l) => l.toUpperCase().startsWith(`${name} `))
    .map((l) => l.slice(name.length + 1).trim());
}

/** `ENV a=1 b=2` instructions of a stage (unquoted `key=value` pairs, as this Dockerfile writes them). */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of instructions(stage, 'ENV')) {
    for (const pair of args.split(/\s+/)) {
      const i = pair.indexOf('=');
      if (i <= 0) throw new Error(`ENV ${args}: only key=value pairs are supported here`);
      env[pair.slice(0, i)] = pair.slice(i + 1);
    }
  }
  return env;
}

/**
 * What the final stage's `COPY --from=build /src/dist/cli.js /src/dist/chunk-*.js dist/` puts in the image:
 * the CLI's entry and the chunks it imports, without the Action's entry.
 */
export async function copyCliBundle(root: string, app: string): Promise<void> {
  await mkdir(join(app, 'dist'), { recursive: true });
  const files = (await readdir(join(root, 'dist'))).filter((f) => f === 'cli.js' || /^chunk-.*\.js$/.test(f));
  for (const file of files) await cp(join(root, 'dist', file), join(app, 'dist', file));
}
