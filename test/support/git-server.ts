/**
 * The real `git http-backend` test server lives in src/dev/git-dev-server.ts because `demo` ships it;
 * tests import it from here.
 */
import { runGit } from '../../src/dev/git-dev-server.js';

export * from '../../src/dev/git-dev-server.js';

/**
 * The `+`/`-` lines of a commit's diff against its parent, each prefixed with its file:
 * `apps/web.yaml: +    vault-rollout/secret-versions: kv/web/db@5`.
 * @param cwd a repository that holds the commit (e.g. `git.repoPath('pay')`)
 */
export async function commitDiffLines(cwd: string, commit: string): Promise<string[]> {
  const show = (await runGit(['show', '--format=', commit], { cwd })).toString();
  const out: string[] = [];
  let file = '';
  for (const line of show.split('\n')) {
    const header = /^\+\+\+ b\/(.+)$/.exec(line);
    if (header) file = header[1]!;
    else if (/^[+-](?![+-]{2} )/.test(line) && !line.startsWith('--- ')) out.push(`${file}: ${line}`);
  }
  return out;
}

/** A commit's message (`git show -s --format=%B`). */
export async function commitMessage(cwd: string, commit: string): Promise<string> {
  return (await runGit(['show', '-s', '--format=%B', commit], { cwd })).toString();
}
