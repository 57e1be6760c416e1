/**
 * Which `environments` entry a render root (or a manifest no root builds) belongs to. An environment
 * names its roots by `entry` — the folder holding its cluster's deployment objects — or by `paths`
 * globs, and both follow the deployment graph (deployments.ts): a root belongs to an environment when
 * its folder matches, when a deployment object that reaches it lives in a matching file (or under the
 * entry), or when a root of the environment deploys it. So `clusters/prod/**` also selects the
 * `apps/…/overlays/prod` that `clusters/prod`'s Flux Kustomizations point at. Two environments that
 * both select one root (or file) are a config error naming both: which cluster's Vault and credentials
 * apply would otherwise depend on the order of the list, and the later one would silently get nothing.
 */
import picomatch from 'picomatch';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { Reach } from './deployments.js';
import { dirName, under } from './repo-paths.js';

export interface EnvironmentMatcher {
  /** The environment of a root, by its folder. */
  ofRoot(dir: string): string | null;
  /** The environment of a manifest no root builds, by its file. */
  ofFile(file: string): string | null;
}

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
    // For the error message: the glob (or entry) that selects a root or file.
    const selector = (candidates: string[]): string => {
      const glob = e.paths.find((g) => {
        const m = picomatch(g, { dot: true });
        return candidates.some((c) => c !== '' && m(c));
      });
      if (glob !== undefined) return `paths "${glob}"`;
      return entry !== undefined ? `entry "${entry}"` : `paths "${e.paths.join('", "')}"`;
    };
    return { name: e.name, selects, file, selector };
  });
  const one = (hits: (typeof envs)[number][], what: string, candidates: string[]): string | null => {
    if (hits.length > 1) {
      const [a, b] = hits as [(typeof envs)[number], (typeof envs)[number]];
      const ga = a.selector(candidates);
      const gb = b.selector(candidates);
      throw new ConfigError(
        `environments "${a.name}" (${ga}) and "${b.name}" (${gb}) both match the ${what}: a root belongs to one environment, make the globs disjoint`,
        { key: 'environments', environments: [a.name, b.name], globs: [ga, gb] },
      );
    }
    return hits[0]?.name ?? null;
  };
  return {
    ofRoot: (dir) =>
      one(
        envs.filter((e) => e.selects(dir)),
        `render root "${dir}"`,
        [dir, `${dir}/`, ...(reached.get(dir) ?? []).map((r) => r.file)],
      ),
    ofFile: (f) =>
      one(
        envs.filter((e) => e.file(f)),
        `file "${f}"`,
        [f, dirName(f)],
      ),
  };
}
