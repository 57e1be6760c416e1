/**
 * Which `environments` entry a render root (or a manifest no root builds) belongs to. An environment
 * names its roots by `entry` — the folder holding its cluster's deployment objects — or by `paths`
 * globs, and both follow the deployment graph (deployments.ts): a root belongs to an environment when
 * its folder matches, when a deployment object that reaches it lives in a matching file (or under the
 * entry), or when a root of the environment deploys it. So `clusters/prod/**` also selects the
 * `apps/…/overlays/prod` that `clusters/prod`'s Flux Kustomizations point at. The first environment
 * listed that selects a root wins.
 */
import picomatch from 'picomatch';
import type { Config } from '../config/schema.js';
import type { Reach } from './deployments.js';
import { dirName } from './repo-paths.js';

export interface EnvironmentMatcher {
  /** The environment of a root, by its folder. */
  ofRoot(dir: string): string | null;
  /** The environment of a manifest no root builds, by its file. */
  ofFile(file: string): string | null;
}

const under = (path: string, folder: string) =>
  folder === '' || path === folder || path.startsWith(`${folder}/`);

/**
 * @param reached for each root a deployment object reaches, how (RootGraph.reached)
 * @example environmentMatcher(config, graph.reached).ofRoot('apps/web/overlays/prod') // 'prod'
 */
export function environmentMatcher(
  config: Config,
  reached: ReadonlyMap<string, readonly Reach[]>,
): EnvironmentMatcher {
  const envs = config.environments.map((e) => {
    const glob = e.paths.length > 0 ? picomatch([...e.paths], { dot: true }) : () => false;
    const match = (path: string) => path !== '' && glob(path);
    const entry = e.entry;
    const memo = new Map<string, boolean>();
    const selects = (dir: string): boolean => {
      const known = memo.get(dir);
      if (known !== undefined) return known;
      // A cycle of roots deploying each other selects nothing by itself.
      memo.set(dir, false);
      const yes =
        match(dir) ||
        match(`${dir}/`) ||
        (entry !== undefined && under(dir, entry)) ||
        (reached.get(dir) ?? []).some(
          (r) =>
            match(r.file) ||
            (entry !== undefined && under(r.file, entry)) ||
            (r.from !== null && r.from !== dir && selects(r.from)),
        );
      memo.set(dir, yes);
      return yes;
    };
    const file = (f: string) =>
      match(f) || match(dirName(f)) || (entry !== undefined && under(dirName(f), entry));
    return { name: e.name, selects, file };
  });
  return {
    ofRoot: (dir) => envs.find((e) => e.selects(dir))?.name ?? null,
    ofFile: (f) => envs.find((e) => e.file(f))?.name ?? null,
  };
}
