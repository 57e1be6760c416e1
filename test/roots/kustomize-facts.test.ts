/**
 * What the real kustomize (v5.5, inside kubectl) does with the patches vault-rollout writes:
 * which name and namespace a strategic-merge patch must carry to match a document that lower layers or
 * the root itself rename, multi-document patch files, target-based patches, and list replacement. These
 * pin down kustomize's behaviour, not ours, so a change of kustomize version that breaks them shows here.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIfKubectl, renderObjects, renderRoot } from '../support/kustomize.js';

const BASE: Record<string, string> = {
  'base/kustomization.yaml': 'resources: [deploy.yaml, es.yaml]\n',
  'base/deploy.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers: [{ name: web, image: web:1 }]
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: job
spec:
  schedule: "* * * * *"
  jobTemplate: { spec: { template: { spec: { containers: [{ name: j, image: j:1 }] } } } }
`,
  'base/es.yaml': `apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  name: db
spec:
  secretStoreRef: { name: vault, kind: ClusterSecretStore }
  target: { name: web-db }
  data:
    - { secretKey: pw, remoteRef: { key: web/db, property: pw } }
    - { secretKey: user, remoteRef: { key: web/db, property: user } }
`,
  // a middle layer that renames and sets the namespace, as a cluster overlay under a root would
  'mid/kustomization.yaml': 'resources: [../base]\nnamespace: team\nnameSuffix: -eu\n',
};

function deploymentPatch(name: string, namespace?: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${namespace ? `  namespace: ${namespace}\n` : ''}  annotations:
    vault-rollout/secret-versions: kv/web/db@2
`;
}

describeIfKubectl('kustomize facts the per-root patch relies on', () => {
  let tmp = '';
  let n = 0;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'vr-kustomize-facts-'));
  });
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  /** Writes BASE plus `files` into a fresh folder and builds `root` there. */
  async function build(root: string, files: Record<string, string>): Promise<string> {
    const dir = join(tmp, String(n++));
    for (const [f, text] of Object.entries({ ...BASE, ...files })) {
      await mkdir(dirname(join(dir, f)), { recursive: true });
      await writeFile(join(dir, f), text);
    }
    return renderRoot(join(dir, root));
  }

  const annotated = (text: string, key: string) =>
    (renderObjects(text).get(key)?.['metadata'] as { annotations?: Record<string, string> } | undefined)
      ?.annotations?.['vault-rollout/secret-versions'];

  it('a root that sets namespace/namePrefix/nameSuffix itself: its patches see the base name, no namespace', async () => {
    const root =
      'resources: [../base]\nnamespace: team\nnamePrefix: p-\nnameSuffix: -eu\npatches:\n  - path: p.yaml\n';
    const ok = await build('root', {
      'root/kustomization.yaml': root,
      'root/p.yaml': deploymentPatch('web'),
    });
    expect(annotated(ok, 'Deployment/team/p-web-eu')).toBe('kv/web/db@2');
    for (const [name, ns] of [
      ['p-web-eu', undefined],
      ['p-web-eu', 'team'],
      ['web', 'team'],
    ] as const) {
      await expect(
        build('root', { 'root/kustomization.yaml': root, 'root/p.yaml': deploymentPatch(name, ns) }),
      ).rejects.toThrow(/no resource matches strategic merge patch|no matches for Id/);
    }
  });

  it('a root above a renaming layer: the original id or the full current id match, a mix does not', async () => {
    const root = 'resources: [../mid]\npatches:\n  - path: p.yaml\n';
    for (const [name, ns] of [
      ['web', undefined],
      ['web-eu', 'team'],
      ['web', 'team'],
    ] as const) {
      const out = await build('root', {
        'root/kustomization.yaml': root,
        'root/p.yaml': deploymentPatch(name, ns),
      });
      expect(annotated(out, 'Deployment/team/web-eu'), `${name} ${ns}`).toBe('kv/web/db@2');
    }
    await expect(
      build('root', { 'root/kustomization.yaml': root, 'root/p.yaml': deploymentPatch('web-eu') }),
    ).rejects.toThrow(/no matches for Id Deployment.v1.apps\/web-eu.\[noNs\]/);
  });

  it('a base document carrying its own namespace must be patched with that namespace', async () => {
    const files = {
      'base/deploy.yaml': BASE['base/deploy.yaml']!.replace(
        '  name: web\n',
        '  name: web\n  namespace: own\n',
      ),
      'root/kustomization.yaml': 'resources: [../base]\nnamespace: team\npatches:\n  - path: p.yaml\n',
    };
    expect(
      annotated(
        await build('root', { ...files, 'root/p.yaml': deploymentPatch('web', 'own') }),
        'Deployment/team/web',
      ),
    ).toBe('kv/web/db@2');
    await expect(build('root', { ...files, 'root/p.yaml': deploymentPatch('web') })).rejects.toThrow(
      /no matches for Id/,
    );
  });

  it('a root that builds one base twice (two suffixes) needs the current name: the original is ambiguous', async () => {
    const files = {
      'a/kustomization.yaml': 'resources: [../base]\nnameSuffix: -a\n',
      'b/kustomization.yaml': 'resources: [../base]\nnameSuffix: -b\n',
      'root/kustomization.yaml': 'resources: [../a, ../b]\npatches:\n  - path: p.yaml\n',
    };
    await expect(build('root', { ...files, 'root/p.yaml': deploymentPatch('web') })).rejects.toThrow(
      /multiple matches for Id/,
    );
    const out = await build('root', { ...files, 'root/p.yaml': deploymentPatch('web-a') });
    expect(annotated(out, 'Deployment//web-a')).toBe('kv/web/db@2');
    expect(annotated(out, 'Deployment//web-b')).toBeUndefined();
  });

  it('one `patches: - path:` file may hold several documents (a Deployment and a CronJob template)', async () => {
    const patch = `# generated by vault-rollout
${deploymentPatch('web')}spec:
  template:
    metadata:
      annotations:
        vault-rollout/secret-versions: kv/web/db@2
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: job
spec:
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            vault-rollout/secret-versions: kv/job/x@1
`;
    const out = await build('root', {
      'root/kustomization.yaml': 'resources: [../mid]\npatches:\n  - path: vault-rollout.patch.yaml\n',
      'root/vault-rollout.patch.yaml': patch,
    });
    const objects = renderObjects(out);
    const dep = objects.get('Deployment/team/web-eu') as { spec: { template: { metadata: unknown } } };
    expect(dep.spec.template.metadata).toEqual({
      annotations: { 'vault-rollout/secret-versions': 'kv/web/db@2' },
    });
    expect(JSON.stringify(objects.get('CronJob/team/job-eu'))).toContain(
      '"vault-rollout/secret-versions":"kv/job/x@1"',
    );
  });

  it('a patch file with no document is an error, and so is a patch whose target the root does not build', async () => {
    const root = 'resources: [../base]\npatches:\n  - path: p.yaml\n';
    await expect(
      build('root', { 'root/kustomization.yaml': root, 'root/p.yaml': '# nothing left\n' }),
    ).rejects.toThrow(/illegally qualifies as both an SM and JSON patch/);
    await expect(
      build('root', { 'root/kustomization.yaml': root, 'root/p.yaml': deploymentPatch('gone') }),
    ).rejects.toThrow(/no matches for Id/);
  });

  it('the patch must name the document apiVersion exactly (v1 does not match v1beta1)', async () => {
    const patch =
      'apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: db\n  annotations: { a: b }\n';
    await expect(
      build('root', {
        'root/kustomization.yaml': 'resources: [../base]\npatches:\n  - path: p.yaml\n',
        'root/p.yaml': patch,
      }),
    ).rejects.toThrow(/no matches for Id ExternalSecret.v1.external-secrets.io\/db/);
  });

  it('a strategic-merge patch of an ExternalSecret list replaces the whole list (CRDs have no merge keys)', async () => {
    const patch = `apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  name: db
spec:
  data:
    - { secretKey: pw, remoteRef: { key: web/db, property: pw, version: "3" } }
`;
    const out = await build('root', {
      'root/kustomization.yaml': 'resources: [../base]\npatches:\n  - path: p.yaml\n',
      'root/p.yaml': patch,
    });
    const es = renderObjects(out).get('ExternalSecret//db') as { spec: { data: unknown[] } };
    expect(es.spec.data).toEqual([
      { secretKey: 'pw', remoteRef: { key: 'web/db', property: 'pw', version: '3' } },
    ]);
  });

  it('inside a Component (the own layer): a strategic merge still replaces the list, `add` sets a missing or present version', async () => {
    const component = (patches: string) =>
      `apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n${patches}`;
    const root = 'resources: [../mid]\ncomponents: [vault-rollout]\n';
    const smp = await build('root', {
      'root/kustomization.yaml': root,
      'root/vault-rollout/kustomization.yaml': component('- path: p.yaml\n'),
      'root/vault-rollout/p.yaml':
        'apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata: { name: db }\nspec:\n  data:\n    - { secretKey: pw, remoteRef: { version: "3" } }\n',
    });
    const replaced = renderObjects(smp).get('ExternalSecret/team/db-eu') as { spec: { data: unknown[] } };
    expect(replaced.spec.data).toEqual([{ secretKey: 'pw', remoteRef: { version: '3' } }]);
    const op = (
      version: string,
    ) => `- target: { group: external-secrets.io, version: v1beta1, kind: ExternalSecret, name: db }
  patch: |-
    - op: add
      path: /spec/data/1/remoteRef/version
      value: "${version}"
`;
    const once = await build('root', {
      'root/kustomization.yaml': root,
      'root/vault-rollout/kustomization.yaml': component(op('4')),
      // a version the base already pins: `add` replaces it
      'base/es.yaml': BASE['base/es.yaml']!.replace('property: user }', 'property: user, version: "2" }'),
    });
    const es = renderObjects(once).get('ExternalSecret/team/db-eu') as {
      spec: { data: { remoteRef: object }[] };
    };
    expect(es.spec.data.map((d) => d.remoteRef)).toEqual([
      { key: 'web/db', property: 'pw' },
      { key: 'web/db', property: 'user', version: '4' },
    ]);
    const missing = await build('root', {
      'root/kustomization.yaml': root,
      'root/vault-rollout/kustomization.yaml': component(op('5')),
    });
    expect(
      (renderObjects(missing).get('ExternalSecret/team/db-eu') as { spec: { data: { remoteRef: object }[] } })
        .spec.data[1]!.remoteRef,
    ).toEqual({ key: 'web/db', property: 'user', version: '5' });
  });

  it('a JSON 6902 pin with a target adds one field; a target that matches nothing is silently ignored', async () => {
    const json6902 = (target: string) => `resources: [../mid]
patches:
  - target: { group: external-secrets.io, version: v1beta1, kind: ExternalSecret, ${target} }
    patch: |-
      - op: add
        path: /spec/data/1/remoteRef/version
        value: "3"
`;
    for (const target of ['name: db', 'name: db-eu, namespace: team', 'name: db, namespace: team']) {
      const out = await build('root', { 'root/kustomization.yaml': json6902(target) });
      const es = renderObjects(out).get('ExternalSecret/team/db-eu') as {
        spec: { data: { remoteRef: object }[] };
      };
      expect(
        es.spec.data.map((d) => d.remoteRef),
        target,
      ).toEqual([
        { key: 'web/db', property: 'pw' },
        { key: 'web/db', property: 'user', version: '3' },
      ]);
    }
    const none = await build('root', { 'root/kustomization.yaml': json6902('name: nomatch') });
    expect(none).not.toContain('version: "3"');
  });

  it('namespace and nameSuffix reach CRDs kustomize does not know: a ClusterSecretStore gets both, refs do not', async () => {
    const out = await build('mid', {
      'base/kustomization.yaml': 'resources: [deploy.yaml, es.yaml, store.yaml]\n',
      'base/store.yaml':
        'apiVersion: external-secrets.io/v1beta1\nkind: ClusterSecretStore\nmetadata:\n  name: vault\nspec: {}\n',
    });
    const objects = renderObjects(out);
    expect(objects.has('ClusterSecretStore/team/vault-eu')).toBe(true);
    const es = objects.get('ExternalSecret/team/db-eu') as {
      spec: { secretStoreRef: unknown; target: unknown };
    };
    // neither the store reference nor the produced Secret's name follow the rename
    expect(es.spec.secretStoreRef).toEqual({ name: 'vault', kind: 'ClusterSecretStore' });
    expect(es.spec.target).toEqual({ name: 'web-db' });
  });
});
