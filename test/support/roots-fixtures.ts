/**
 * The render-root fixture repositories (test/fixtures/roots/<name>): read one as a file map
 * for the git test server, seed a Vault test server from its `secrets.json`, point its config's
 * environments at the test servers, and check a pushed branch out to render it.
 *
 * @example
 * const files = await readFixture('argocd');
 * seedVault(devVault, (await fixtureSecrets('argocd'))['dev']!);
 * files['vault-rollout.yaml'] = withVaultAddresses(files['vault-rollout.yaml']!, { dev: devVault.url });
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { runGit } from './git-server.js';
import { listFiles } from './kustomize.js';
import type { VaultDevServer } from './vault-server.js';

export const rootsFixturesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/roots');

export type RootsFixture = 'argocd' | 'flux' | 'flat' | 'flux-fleet' | 'argocd-fleet';

export function fixtureDir(name: RootsFixture): string {
  return join(rootsFixturesDir, name);
}

/** Every file of the fixture, repo-relative path → text. */
export async function readFixture(name: RootsFixture): Promise<Record<string, string>> {
  const dir = fixtureDir(name);
  const out: Record<string, string> = {};
  for (const f of await listFiles(dir)) out[f] = await readFile(join(dir, f), 'utf8');
  return out;
}

/** `secrets.json`: environment (`default` without environments) → secret path → starting version. */
export async function fixtureSecrets(name: RootsFixture): Promise<Record<string, Record<string, number>>> {
  const json = JSON.parse(await readFile(join(fixtureDir(name), 'secrets.json'), 'utf8')) as {
    environments: Record<string, Record<string, number>>;
  };
  return json.environments;
}

/** Writes each `mount/path` until it is at the given version (the test server stores no values). */
export function seedVault(vault: VaultDevServer, secrets: Record<string, number>): void {
  for (const [full, version] of Object.entries(secrets)) {
    const [mount, ...rest] = full.split('/');
    const path = rest.join('/');
    const current = vault.kv.get(mount!, path)?.current ?? 0;
    for (let v = current; v < version; v++) vault.kv.write(mount!, path);
  }
}

/** Bumps one secret (`kv/app/db`) by one version; returns the new version. */
export function rotate(vault: VaultDevServer, secret: string): number {
  const [mount, ...rest] = secret.split('/');
  return vault.kv.write(mount!, rest.join('/'));
}

/**
 * The fixture's `vault-rollout.yaml` with each named environment's `vault.address` replaced (comments and
 * layout kept). `addresses['']` sets the top-level `vault.address` instead.
 */
export function withVaultAddresses(configText: string, addresses: Record<string, string>): string {
  const doc = parseDocument(configText);
  const envs = doc.getIn(['environments']) as { items?: unknown[] } | undefined;
  const seen = new Set<string>();
  for (let i = 0; i < (envs?.items?.length ?? 0); i++) {
    const name = doc.getIn(['environments', i, 'name']);
    if (typeof name === 'string' && name in addresses) {
      doc.setIn(['environments', i, 'vault', 'address'], addresses[name]);
      seen.add(name);
    }
  }
  if ('' in addresses) {
    doc.setIn(['vault', 'address'], addresses['']);
    seen.add('');
  }
  const missing = Object.keys(addresses).filter((k) => !seen.has(k));
  if (missing.length > 0) throw new Error(`no environment ${missing.join(', ')} in the config`);
  return doc.toString();
}

/** Clones `branch` of a bare repository into `dir` (async git), for rendering what a run pushed. */
export async function checkout(bareRepo: string, branch: string, dir: string): Promise<string> {
  await mkdir(dirname(dir), { recursive: true });
  await runGit(['clone', '--quiet', '--branch', branch, bareRepo, dir]);
  return dir;
}
