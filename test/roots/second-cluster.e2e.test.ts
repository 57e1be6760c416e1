/**
 * End to end through the built CLI on the Argo CD fixture (test/fixtures/roots/argocd), with one Vault
 * test server per environment: a person adds an app that one cluster runs to a second cluster after the
 * first cluster rotated its secret. The first cluster's record, trigger and pins live in its own layer,
 * not in the shared base, so the second cluster inherits none of them: its first run is an adoption that
 * restarts nothing, and the first cluster's render is unchanged by it (kubectl kustomize as the oracle).
 * Run `npm run build` first.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runGit, startGitServer, type GitServer } from '../support/git-server.js';
import {
  describeIfKubectl,
  diffRenders,
  isAnnotation,
  renderAll,
  renderObjects,
  renderRoot,
} from '../support/kustomize.js';
import { runCli } from '../support/run-cli.js';
import {
  checkout,
  fixtureDir,
  fixtureSecrets,
  readFixture,
  rotate,
  seedVault,
  withVaultAddresses,
} from '../support/roots-fixtures.js';
import { startTestVault, type VaultDevServer } from '../support/vault-server.js';

const RECORD = 'vault-rollout/secret-versions';

interface Report {
  workloads: { root?: string; name: string; action: string; pins?: unknown[] }[];
  summary: Record<string, number>;
  commit: string | null;
}

describeIfKubectl('an app added to a second cluster after the first rotated', () => {
  const vaults: Record<string, VaultDevServer> = {};
  let git: GitServer;
  let tmp = '';
  let bare = '';
  let url = '';
  let n = 0;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'vr-second-cluster-'));
    const secrets = await fixtureSecrets('argocd');
    // dev's Vault holds the ledger secret at another version than prod's
    secrets['dev']!['kv/ledger/db'] = 2;
    for (const name of Object.keys(secrets)) {
      vaults[name] = await startTestVault({
        mounts: [{ path: 'kv', version: 2 }],
        rootToken: `root-${name}`,
      });
      seedVault(vaults[name]!, secrets[name]!);
    }
    git = await startGitServer({ tmpRoot: tmp });
    const files = await readFixture('argocd');
    files['vault-rollout.yaml'] = withVaultAddresses(files['vault-rollout.yaml']!, {
      dev: vaults['dev']!.url,
      prod: vaults['prod']!.url,
    });
    await git.createBareRepo('repo', files, { branch: 'main' });
    bare = git.repoPath('repo');
    url = git.repoUrl('repo');
  });
  afterAll(async () => {
    await git?.close();
    for (const v of Object.values(vaults)) await v.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const cli = async (environment: string): Promise<Report> => {
    const r = await runCli(['apply', '--environment', environment, '--repo', url, '--format', 'json'], {
      VAULT_TOKEN_DEV: 'root-dev',
      VAULT_TOKEN_PROD: 'root-prod',
    });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Report;
  };
  const renderHead = async () => renderAll(await checkout(bare, 'main', join(tmp, `clone-${n++}`)));

  it('the second cluster adopts without a restart, and the first renders the same', async () => {
    await cli('prod');
    const next = rotate(vaults['prod']!, 'kv/ledger/db');
    const rotated = await cli('prod');
    const ledger = rotated.workloads.find((w) => w.root === 'clusters/prod-eu/apps/ledger')!;
    expect(ledger.action).toBe('restart');
    // the base is the first cluster's only through its layer: the base file is as the fixture wrote it
    const work = await checkout(bare, 'main', join(tmp, 'work'));
    const base = await readFile(join(work, 'apps/ledger/statefulset.yaml'), 'utf8');
    expect(base).toBe(await readFile(join(fixtureDir('argocd'), 'apps/ledger/statefulset.yaml'), 'utf8'));
    expect(base).not.toContain(RECORD);
    const before = await renderHead();
    const es = renderObjects(before.get('clusters/prod-eu/apps/ledger')!).get(
      'ExternalSecret/ledger/ledger-db',
    ) as {
      spec: { data: { remoteRef: { version?: string } }[] };
    };
    expect(es.spec.data[0]!.remoteRef.version).toBe(String(next));

    // A person adds the ledger to dev-eu, as the prod-eu overlay does it.
    const copy = async (from: string, to: string, edit = (t: string) => t) => {
      const text = await readFile(join(work, from), 'utf8');
      await mkdir(dirname(join(work, to)), { recursive: true });
      await writeFile(join(work, to), edit(text));
    };
    await copy('clusters/prod-eu/argocd/ledger.yaml', 'clusters/dev-eu/argocd/ledger.yaml', (t) =>
      t.replaceAll('prod-eu', 'dev-eu'),
    );
    await copy(
      'clusters/prod-eu/apps/ledger/external-secret.yaml',
      'clusters/dev-eu/apps/ledger/external-secret.yaml',
    );
    const kustomization = (
      await readFile(join(work, 'clusters/prod-eu/apps/ledger/kustomization.yaml'), 'utf8')
    )
      .split('\n')
      .filter((l) => !l.startsWith('components:') && !l.includes('vault-rollout') && !l.startsWith('#'))
      .join('\n');
    await writeFile(join(work, 'clusters/dev-eu/apps/ledger/kustomization.yaml'), kustomization);
    await runGit(['add', '-A'], { cwd: work });
    await runGit(
      ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'ledger in dev-eu'],
      {
        cwd: work,
      },
    );
    await runGit(['push', '-q', bare, 'HEAD:main'], { cwd: work });
    const added = await renderHead();
    expect(added.get('clusters/prod-eu/apps/ledger')).toBe(before.get('clusters/prod-eu/apps/ledger'));

    const dev = await cli('dev');
    const devLedger = dev.workloads.find((w) => w.root === 'clusters/dev-eu/apps/ledger')!;
    expect(devLedger.action).toBe('record');
    expect(dev.summary).toMatchObject({ restart: 0, blocked: 0 });
    expect(devLedger.pins ?? []).toEqual([]);
    const after = await renderHead();
    // every prod root renders byte for byte the same
    for (const [root, text] of after)
      if (!root.startsWith('clusters/dev-eu/')) expect(text, root).toBe(added.get(root));
    // dev's ledger gains its own record (its own Vault's version) and nothing else: no trigger, no pin
    const diff = diffRenders(
      added.get('clusters/dev-eu/apps/ledger')!,
      after.get('clusters/dev-eu/apps/ledger')!,
    );
    const changes = [...diff.values()].flat();
    expect(changes.length).toBeGreaterThan(0);
    for (const c of changes) {
      expect(
        isAnnotation(c, RECORD) && c.segments[0] === 'metadata' && !c.segments.includes('template'),
        c.path,
      ).toBe(true);
      expect(c.new).toBe('kv/ledger/db@2');
    }
    // the inherited pod template carries no restart trigger of prod's
    const sts = renderObjects(after.get('clusters/dev-eu/apps/ledger')!).get('StatefulSet/ledger/ledger') as {
      spec: { template: { metadata?: { annotations?: Record<string, string> } } };
    };
    expect(sts.spec.template.metadata?.annotations?.[RECORD]).toBeUndefined();
  }, 240_000);

  it('the app removed from that cluster again: the next run commits only the tidied layer, and the root builds', async () => {
    const root = 'clusters/dev-eu/apps/ledger';
    const work = await checkout(bare, 'main', join(tmp, 'remove'));
    const file = join(work, root, 'kustomization.yaml');
    const text = await readFile(file, 'utf8');
    // The StatefulSet's base goes; the ExternalSecret stays, so the root still has something to build.
    await writeFile(file, text.replace(/^\s*- \.\.\/\.\.\/\.\.\/\.\.\/apps\/ledger\n/m, ''));
    expect(await readFile(file, 'utf8')).not.toBe(text);
    await runGit(['add', '-A'], { cwd: work });
    await runGit(
      ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'ledger out of dev-eu'],
      {
        cwd: work,
      },
    );
    await runGit(['push', '-q', bare, 'HEAD:main'], { cwd: work });
    // kustomize refuses the root while the layer patches a StatefulSet it no longer builds
    await expect(renderRoot(join(work, root))).rejects.toThrow(/kubectl kustomize/);

    const tidy = await cli('dev');
    expect(tidy.summary).toMatchObject({ restart: 0, record: 0 });
    expect(tidy.commit).not.toBeNull();
    const subject = await runGit(['log', '-1', '--format=%s', 'main'], { cwd: bare });
    expect(subject.toString().trim()).toBe('vault-rollout: tidy generated layers (no restart)');
    const after = await checkout(bare, 'main', join(tmp, 'tidied'));
    const rendered = await renderRoot(join(after, root));
    expect(rendered).toContain('kind: ExternalSecret');
    expect(rendered).not.toContain('kind: StatefulSet');
    // and once tidy, a further run has nothing to commit
    expect((await cli('dev')).commit).toBeNull();
  }, 240_000);
});
