/**
 * A long-lived `watch` logs in to Vault again after every run and every failed poll. Each login token was
 * added to the process-wide redaction list and never left it: memory and the cost of every log line grew
 * with the process's age. A token is now masked while it can be used, and dropped once Vault has revoked it
 * (a token whose revocation failed stays masked: it still works until its TTL).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createVaultReader } from '../../src/adapters/vault/index.js';
import { redact } from '../../src/log.js';
import { recordingSleep, startTestVault, type VaultDevServer } from '../support/vault-server.js';

const ROLE_ID = 'role-id-masking';
const SECRET_ID = 'secret-id-masking-0123456789';
let server: VaultDevServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const tokenOf = (reader: object) => (reader as { client: { token: string } }).client.token;

describe('login tokens in the redaction list', () => {
  it('masked while live; forgotten after a revocation, so 30 logins leave none behind', async () => {
    server = await startTestVault({
      mounts: [{ path: 'kv' }],
      auth: [{ method: 'approle', roleId: ROLE_ID, secretId: SECRET_ID, policies: ['kv/metadata/*'] }],
    });
    const tokens: string[] = [];
    for (let i = 0; i < 30; i++) {
      const reader = await createVaultReader({
        address: server.url,
        auth: { method: 'approle', roleId: ROLE_ID, secretId: SECRET_ID },
        backoff: { sleep: recordingSleep().sleep },
      });
      const token = tokenOf(reader);
      expect(token).toMatch(/^hvs\./);
      expect(redact(`token ${token}`)).toBe('token ***');
      await reader.close();
      tokens.push(token);
    }
    expect(server.liveLoginTokens).toBe(0);
    // Revoked tokens are no longer held (nor scanned for in every line).
    for (const t of tokens) expect(redact(t)).toBe(t);
  });

  it('a token whose revocation failed stays masked', async () => {
    server = await startTestVault({
      mounts: [{ path: 'kv' }],
      auth: [{ method: 'approle', roleId: ROLE_ID, secretId: SECRET_ID, policies: ['kv/metadata/*'] }],
    });
    const reader = await createVaultReader({
      address: server.url,
      auth: { method: 'approle', roleId: ROLE_ID, secretId: SECRET_ID },
      backoff: { sleep: recordingSleep().sleep },
    });
    const token = tokenOf(reader);
    await server.close();
    server = undefined;
    await reader.close();
    expect(redact(token)).toBe('***');
  });
});
