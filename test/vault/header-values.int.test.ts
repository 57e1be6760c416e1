/**
 * The Vault adapter's own guard on request headers: whatever discovery let through (the config's
 * namespace, VAULT_NAMESPACE, a token with a stray line break), a value an HTTP header cannot carry is
 * refused with one line before any request leaves, never a TypeError from Node's HTTP client.
 */
import { afterEach, expect, it } from 'vitest';
import { createVaultReader } from '../../src/adapters/vault/index.js';
import { VaultError } from '../../src/core/errors.js';
import { recordingSleep, startTestVault, type VaultDevServer } from '../support/vault-server.js';

let server: VaultDevServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function failure(opts: { namespace?: string; token?: string }): Promise<VaultError> {
  server = await startTestVault();
  const e = await createVaultReader({
    address: server.url,
    auth: { method: 'token', token: opts.token ?? 'root' },
    ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
    backoff: { sleep: recordingSleep().sleep },
  }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(VaultError);
  return e as VaultError;
}

it.each(['team\na', 'team\u0000a', 'équipe', 'team-🔥', 'a/../b'])(
  'refuses the namespace %j before sending anything',
  async (namespace) => {
    const err = await failure({ namespace });
    expect(err.message).toMatch(
      /^vault-rollout refuses the Vault namespace ".*": .*\. Fix vault\.namespace or VAULT_NAMESPACE\.$/,
    );
    expect(err.message).not.toMatch(/[\n\r]/);
    expect(err.message).not.toContain('\u0000');
    expect(server!.requests).toHaveLength(0);
  },
);

it('refuses a token an HTTP header cannot carry, without naming it and without retrying', async () => {
  const err = await failure({ token: 'hvs.SECRET\nX-Evil: 1' });
  expect(err.message).toBe(
    'Vault request for "auth/token/lookup-self" was not sent: its token or namespace holds a character an HTTP header cannot carry.',
  );
  expect(JSON.stringify(err.data)).not.toContain('SECRET');
  expect(server!.requests).toHaveLength(0);
});
