/**
 * `npm run corpus` (scripts/corpus.mjs) against the real `git http-backend` test server standing in for
 * GitHub (`CORPUS_GIT_BASE`): it writes the pinned files byte for byte in the layout the corpus suites
 * read, checks every blob id, and never leaves half a corpus. Also: the one line a test run prints when
 * the corpus is missing, and the pins matching the corpus when one is there.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CORPUS, CORPUS_PRESENT, corpusNotice, findCorpus } from '../support/corpus.js';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { repoRoot } from '../support/run-cli.js';
import { tempDir } from '../git/helpers.js';

let server: GitServer;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let n = 0;

const ONE = {
  'deploy/app.yaml': 'apiVersion: apps/v1\r\nkind: Deployment\r\n',
  'deploy/nested/no-newline.yml': 'kind: ConfigMap',
  'README.md': 'not copied\n',
};
const TWO = { 'examples/rollout.yaml': '\ufeffkind: Rollout # with a BOM\n' };
let oneCommit: string;
let twoCommit: string;

const blobId = (content: string | Buffer) => {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]))
    .digest('hex');
};

beforeAll(async () => {
  tmp = await tempDir('vr-corpus-');
  server = await startGitServer({ tmpRoot: tmp.dir });
  oneCommit = await server.createBareRepo('acme/one', ONE);
  twoCommit = await server.createBareRepo('other-org/two.x', TWO);
});
afterAll(async () => {
  await server?.close();
  await tmp?.cleanup();
});

function pins(files: [repo: string, blob: string, file: string][]): string {
  return [
    '# test pins',
    `repo acme/one ${oneCommit} Apache-2.0`,
    `repo other-org/two.x ${twoCommit} MIT`,
    ...files.map(([repo, blob, file]) => `file ${repo} ${blob} ${file}`),
    '',
  ].join('\n');
}

async function runScript(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'scripts/corpus.mjs'), ...args], {
      env: {
        PATH: process.env['PATH'],
        HOME: tmp.dir,
        CORPUS_GIT_BASE: server.url,
        GIT_CONFIG_NOSYSTEM: '1',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

async function listAll(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

describe('npm run corpus', () => {
  it('writes each pinned file byte for byte under <owner>__<repo>/, and nothing else', async () => {
    const manifest = path.join(tmp.dir, `pins-${++n}.txt`);
    await writeFile(
      manifest,
      pins([
        ['acme/one', blobId(ONE['deploy/app.yaml']), 'deploy/app.yaml'],
        ['acme/one', blobId(ONE['deploy/nested/no-newline.yml']), 'deploy/nested/no-newline.yml'],
        ['other-org/two.x', blobId(TWO['examples/rollout.yaml']), 'examples/rollout.yaml'],
      ]),
    );
    const dest = path.join(tmp.dir, `corpus-${n}`);
    const res = await runScript(['--manifest', manifest, '--dest', dest]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(
      `fetching ${server.url}/acme/one.git at ${oneCommit.slice(0, 12)} (Apache-2.0)`,
    );
    expect(await listAll(dest)).toEqual([
      'acme__one/deploy/app.yaml',
      'acme__one/deploy/nested/no-newline.yml',
      'other-org__two.x/examples/rollout.yaml',
    ]);
    expect(await readFile(path.join(dest, 'acme__one/deploy/app.yaml'), 'utf8')).toBe(ONE['deploy/app.yaml']);
    expect(await readFile(path.join(dest, 'acme__one/deploy/nested/no-newline.yml'), 'utf8')).toBe(
      ONE['deploy/nested/no-newline.yml'],
    );
    expect(await readFile(path.join(dest, 'other-org__two.x/examples/rollout.yaml'), 'utf8')).toBe(
      TWO['examples/rollout.yaml'],
    );
    expect(await readdir(tmp.dir)).not.toContain(`corpus-${n}.partial`);
  });

  it('refuses a blob that is not the pinned one and keeps the corpus it had', async () => {
    const manifest = path.join(tmp.dir, `pins-${++n}.txt`);
    const dest = path.join(tmp.dir, `corpus-${n}`);
    await mkdir(path.join(dest, 'kept'), { recursive: true });
    await writeFile(path.join(dest, 'kept/file.yaml'), 'kept: true\n');
    const wrong = 'f'.repeat(40);
    await writeFile(manifest, pins([['acme/one', wrong, 'deploy/app.yaml']]));
    const res = await runScript(['--manifest', manifest, '--dest', dest]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      `corpus: acme/one/deploy/app.yaml at ${oneCommit} is blob ${blobId(ONE['deploy/app.yaml'])}, expected ${wrong}`,
    );
    expect(await listAll(dest)).toEqual(['kept/file.yaml']);
    expect(await readdir(tmp.dir)).not.toContain(`corpus-${n}.partial`);
  });

  it('names a file that is not at the pinned commit, and a malformed pins line', async () => {
    const manifest = path.join(tmp.dir, `pins-${++n}.txt`);
    const dest = path.join(tmp.dir, `corpus-${n}`);
    await writeFile(manifest, pins([['acme/one', 'a'.repeat(40), 'deploy/gone.yaml']]));
    const missing = await runScript(['--manifest', manifest, '--dest', dest]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.split('\n').slice(-2)).toEqual([
      `corpus: ${oneCommit} has no file deploy/gone.yaml`,
      '',
    ]);
    await writeFile(manifest, 'repo acme/one not-a-commit MIT\n');
    const bad = await runScript(['--manifest', manifest, '--dest', dest]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      `corpus: ${manifest}:1: expected "repo <owner/name> <commit> <license>" or "file <owner/name> <blob> <path>"\n`,
    );
    expect(await readdir(tmp.dir)).not.toContain(`corpus-${n}`);
  });
});

describe('corpus location and the skip line', () => {
  it('prefers .corpus/, then ../shared/corpus; without either, one line names the suites and the command', async () => {
    const { dir: parent } = await tempDir('vr-corpus-root-');
    const root = path.join(parent, 'repo');
    await mkdir(path.join(root, 'test/yaml'), { recursive: true });
    await writeFile(
      path.join(root, 'test/yaml/walks.test.ts'),
      "import { CORPUS } from '../support/corpus.js';\n",
    );
    await writeFile(path.join(root, 'test/yaml/other.test.ts'), "import { it } from 'vitest';\n");
    await mkdir(path.join(root, 'test/discover'), { recursive: true });
    await writeFile(path.join(root, 'test/discover/too.test.ts'), "import '../support/corpus.js';\n");

    expect(findCorpus(root)).toBeNull();
    expect(corpusNotice(root)).toBe(
      'corpus suites skipped (2: test/discover/too.test.ts, test/yaml/walks.test.ts): no .corpus/ or ../shared/corpus; run "npm run corpus" to fetch the corpus',
    );
    await mkdir(path.join(parent, 'shared/corpus'), { recursive: true });
    expect(findCorpus(root)).toBe(path.join(parent, 'shared/corpus'));
    expect(corpusNotice(root)).toBeNull();
    await mkdir(path.join(root, '.corpus'));
    expect(findCorpus(root)).toBe(path.join(root, '.corpus'));
  });

  it.skipIf(!CORPUS_PRESENT)('the pins list every corpus file with its blob id', async () => {
    const text = await readFile(path.join(repoRoot, 'scripts/corpus-pins.txt'), 'utf8');
    const pinned = text
      .split('\n')
      .filter((l) => l.startsWith('file '))
      .map((l) => {
        const [, repo, blob, ...file] = l.split(' ');
        return `${repo!.replace('/', '__')}/${file.join(' ')} ${blob}`;
      })
      .sort();
    const present: string[] = [];
    for (const file of await listAll(CORPUS)) {
      if (!file.includes('/')) continue; // SOURCES.md, .gitattributes
      present.push(`${file} ${blobId(await readFile(path.join(CORPUS, file)))}`);
    }
    expect(pinned).toEqual(present.sort());
  });
});
