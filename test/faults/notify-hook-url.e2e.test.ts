/**
 * The repository's `vault-rollout.yaml` is written by whoever can commit to it, and its `notify[]` URLs are
 * where an in-cluster run POSTs its report: through the built CLI, `validate` refuses a hook on the cloud
 * metadata service (in any spelling), on a link-local address, with credentials, or over plain http to a
 * host other than the machine itself, one line each naming the key and line; a loopback http hook passes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vr-hook-url-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('notify[].url from a hostile repository', () => {
  it('validate refuses metadata, link-local, credentialed and plain-http hooks, naming key and line', async () => {
    await writeFile(
      join(dir, 'vault-rollout.yaml'),
      [
        'notify:',
        '  - url: http://127.0.0.1:8080/ok',
        '  - url: http://0xa9fea9fe/latest/meta-data/iam/',
        '  - url: https://METADATA.google.internal./computeMetadata/v1/',
        '  - url: https://[fe80::1]/hook',
        '  - url: https://user:pass@hooks.example.com/x',
        '  - url: http://alertmanager.monitoring.svc:9093/api/v2/alerts',
        '  - url: https://[fd00:ec2::254]/latest/',
        '',
      ].join('\n'),
    );
    const r = await runCli(['validate', '--repo', dir], {});
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toEqual([
      'error   vault-rollout.yaml:3: notify[1].url: must not point at a cloud metadata address (host "169.254.169.254")',
      'error   vault-rollout.yaml:4: notify[2].url: must not point at a cloud metadata service (host "metadata.google.internal")',
      'error   vault-rollout.yaml:5: notify[3].url: must not point at a link-local address (host "[fe80::1]")',
      'error   vault-rollout.yaml:6: notify[4].url: must not carry credentials (user:password@): put a shared key in secretHeaderEnv instead',
      'error   vault-rollout.yaml:7: notify[5].url: plain http is allowed only to the machine itself (localhost, 127.0.0.1, [::1]): use https (host "alertmanager.monitoring.svc")',
      'error   vault-rollout.yaml:8: notify[6].url: must not point at a cloud metadata address (host "[fd00:ec2::254]")',
      'vault-rollout.yaml: not valid, 6 error(s).',
    ]);
    // Nothing of the URLs' paths (a hook path may be its secret) is repeated.
    expect(r.stdout + r.stderr).not.toContain('meta-data/iam');
    expect(r.stdout + r.stderr).not.toContain('pass@');
  });
});
