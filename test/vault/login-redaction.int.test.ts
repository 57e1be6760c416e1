/**
 * The credentials of a Vault login are the run's secrets too: the JWT it sends (Kubernetes service
 * account, GitHub OIDC) and the token Vault answers with are registered for redaction, so no log line,
 * error, commit message or pull request (src/publish/outgoing.ts) can carry them.
 */
import { afterEach, expect, it } from 'vitest';
import { createVaultReader } from '../../src/adapters/vault/index.js';
import { redact } from '../../src/log.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { recordingSleep, startTestVault, type VaultDevServer } from '../support/vault-server.js';

const GH_JWT = 'eyJhbGciOiJSUzI1NiJ9.login-redaction-oidc.sig';
const ISSUED = 'hvs.loginRedactionIssuedToken0123456789';

let server: VaultDevServer | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await server?.close();
});

it('a JWT login registers the JWT and the token Vault answers with', async () => {
  server = await startTestVault({
    mounts: [{ path: 'kv' }],
    auth: [{ method: 'jwt', role: 'gha', jwt: GH_JWT, policies: ['kv/metadata/*'] }],
  });
  // Vault's answer, with a token this test knows (the dev server makes up its own).
  proxy = await startFaultProxy(server.url);
  proxy.on(/\/v1\/auth\/jwt\/login$/, {
    kind: 'body',
    body: JSON.stringify({ auth: { client_token: ISSUED, policies: ['default'], lease_duration: 60 } }),
  });
  expect(redact(`${GH_JWT} ${ISSUED}`)).toBe(`${GH_JWT} ${ISSUED}`);
  const reader = await createVaultReader({
    address: proxy.url,
    auth: { method: 'jwt', role: 'gha', jwt: GH_JWT },
    retries: 0,
    backoff: { sleep: recordingSleep().sleep },
  });
  await reader.close().catch(() => {});
  expect(redact(`jwt ${GH_JWT} token ${ISSUED}`)).toBe('jwt *** token ***');
});
