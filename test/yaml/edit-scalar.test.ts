/**
 * edit-scalar.ts, by exact bytes: the version pins (ExternalSecret `remoteRef.version`, VaultStaticSecret
 * `spec.version`, argocd-vault-plugin `#version` suffixes and `avp.kubernetes.io/secret-version`), alone and
 * together with annotation edits in one pass.
 */
import { describe, expect, it } from 'vitest';
import { applyFileEdits, applyScalarEdits, type ScalarEdit } from '../../src/core/yaml/edit-scalar.js';

function ok(text: string, edits: ScalarEdit[]): string {
  const r = applyScalarEdits(text, edits);
  if (!r.ok) throw new Error(r.message);
  // a second run with nothing new changes nothing
  expect(applyScalarEdits(r.text, edits)).toEqual({ ok: true, text: r.text });
  return r.text;
}

const ES = `# db credentials
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: db-creds
spec:
  secretStoreRef: { name: vault, kind: SecretStore }
  data:
  - secretKey: password
    remoteRef:
      key: web/db   # the app's db
      property: password

  - secretKey: user
    remoteRef: {key: web/db, property: user}
  dataFrom:
    - extract:
        key: web/api
        version: "3"
`;

describe('applyScalarEdits', () => {
  it('pins an ExternalSecret: inserts into block and flow maps, updates a quoted string', () => {
    const expect_ = { kind: 'ExternalSecret', name: 'db-creds' };
    const out = ok(ES, [
      { document: 0, path: ['spec', 'data', 0, 'remoteRef', 'version'], set: '7', expect: expect_ },
      { document: 0, path: ['spec', 'data', 1, 'remoteRef', 'version'], set: '7', expect: expect_ },
      { document: 0, path: ['spec', 'dataFrom', 0, 'extract', 'version'], set: '4', expect: expect_ },
    ]);
    expect(out).toBe(`# db credentials
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: db-creds
spec:
  secretStoreRef: { name: vault, kind: SecretStore }
  data:
  - secretKey: password
    remoteRef:
      key: web/db   # the app's db
      property: password
      version: "7"

  - secretKey: user
    remoteRef: {key: web/db, property: user, version: "7"}
  dataFrom:
    - extract:
        key: web/api
        version: "4"
`);
  });

  it('pins a VaultStaticSecret: spec.version as an integer, updated or inserted (CRLF kept)', () => {
    const vss =
      'kind: VaultStaticSecret\nmetadata:\n    name: web\nspec:\n    mount: kv\n    path: web\n    destination:\n        name: web\n';
    expect(ok(vss, [{ document: 0, path: ['spec', 'version'], set: 7 }])).toBe(
      'kind: VaultStaticSecret\nmetadata:\n    name: web\nspec:\n    mount: kv\n    path: web\n    destination:\n        name: web\n    version: 7\n',
    );
    const crlf = 'kind: VaultStaticSecret\r\nspec:\r\n  version: 2 # pinned\r\n  mount: kv\r\n';
    expect(ok(crlf, [{ document: 0, path: ['spec', 'version'], set: 7 }])).toBe(
      'kind: VaultStaticSecret\r\nspec:\r\n  version: 7 # pinned\r\n  mount: kv\r\n',
    );
  });

  it('creates missing maps on the way (avp.kubernetes.io/secret-version without annotations)', () => {
    const text = '---\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  a: <a>\n';
    expect(
      ok(text, [
        { document: 0, path: ['metadata', 'annotations', 'avp.kubernetes.io/secret-version'], set: '7' },
      ]),
    ).toBe(
      '---\nkind: Secret\nmetadata:\n  name: db\n  annotations:\n    avp.kubernetes.io/secret-version: "7"\nstringData:\n  a: <a>\n',
    );
  });

  it('rewrites a placeholder inside plain, quoted and block scalars, nothing else', () => {
    const text = `kind: ConfigMap
data:
  url: https://x/?k=<path:kv/data/app#key>&j=<path:kv/data/app#key>
  quoted: "<path:kv/data/app#key>"
  config.yaml: |
    key: <path:kv/data/app#key>
    other: <path:kv/data/other#key>
`;
    const replace = { from: '<path:kv/data/app#key>', to: '<path:kv/data/app#key#7>' };
    expect(
      ok(text, [
        { document: 0, path: ['data', 'url'], replace },
        { document: 0, path: ['data', 'quoted'], replace },
        { document: 0, path: ['data', 'config.yaml'], replace },
      ]),
    ).toBe(`kind: ConfigMap
data:
  url: https://x/?k=<path:kv/data/app#key#7>&j=<path:kv/data/app#key#7>
  quoted: "<path:kv/data/app#key#7>"
  config.yaml: |
    key: <path:kv/data/app#key#7>
    other: <path:kv/data/other#key>
`);
  });

  it('refuses what it cannot do exactly, and says why', () => {
    const escaped = 'data:\n  a: "<path:kv/data/app#k\\u003e"\n';
    expect(
      applyScalarEdits(escaped, [
        {
          document: 0,
          path: ['data', 'a'],
          replace: { from: '<path:kv/data/app#k>', to: '<path:kv/data/app#k#2>' },
        },
      ]),
    ).toMatchObject({ ok: false, code: 'UNSUPPORTED' });
    expect(
      applyScalarEdits(ES, [{ document: 0, path: ['spec', 'data', 5, 'remoteRef', 'version'], set: '1' }]),
    ).toMatchObject({
      ok: false,
      code: 'BAD_EDIT',
      message: 'document 0: spec.data[5] does not exist',
    });
    expect(
      applyScalarEdits(ES, [
        { document: 0, path: ['spec', 'version'], set: 1, expect: { kind: 'ExternalSecret', name: 'other' } },
      ]),
    ).toMatchObject({
      ok: false,
      message: 'document 0 is ExternalSecret/db-creds, not the ExternalSecret/other that was planned',
    });
    expect(applyScalarEdits('a: [\n', [{ document: 0, path: ['a'], set: 1 }])).toMatchObject({ ok: false });
  });
});

describe('applyFileEdits: annotations and pins of one file in one pass', () => {
  it('writes the record, the trigger and the pin together', () => {
    const text = `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: db
spec:
  data:
    - secretKey: p
      remoteRef:
        key: web/db
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    vault-rollout/secret-versions: kv/web/db@6
spec:
  template:
    spec:
      containers: []
`;
    const K = 'vault-rollout/secret-versions';
    const r = applyFileEdits(text, {
      annotations: [
        { document: 1, mapPath: [], key: K, value: 'kv/web/db@7' },
        { document: 1, mapPath: ['spec', 'template'], key: K, value: 'kv/web/db@7' },
      ],
      scalars: [{ document: 0, path: ['spec', 'data', 0, 'remoteRef', 'version'], set: '7' }],
    });
    expect(r).toEqual({
      ok: true,
      text: `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: db
spec:
  data:
    - secretKey: p
      remoteRef:
        key: web/db
        version: "7"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    vault-rollout/secret-versions: kv/web/db@7
spec:
  template:
    metadata:
      annotations:
        vault-rollout/secret-versions: kv/web/db@7
    spec:
      containers: []
`,
    });
  });
});
