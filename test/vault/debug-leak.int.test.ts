/**
 * node-vault's default `debug` logger prints request bodies (the AppRole secret_id included) when DEBUG
 * matches. DEBUG is read when the `debug` package loads, so it is set before anything imports node-vault
 * (vitest runs each test file in its own process).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

process.env.DEBUG = '*';
process.env.DEBUG_COLORS = 'false';

const SECRET_ID = 'secret-id-printed-by-DEBUG';

const { createVaultReader } = await import('../../src/adapters/vault/index.js');
const { startTestVault, expectMetadataOnly } = await import('../support/vault-server.js');
const nodeVault = (await import('node-vault')).default;

let server: Awaited<ReturnType<typeof startTestVault>>;
beforeAll(async () => {
  server = await startTestVault({
    auth: [{ method: 'approle', roleId: 'r', secretId: SECRET_ID, policies: ['*'] }],
  });
});
afterAll(async () => {
  expectMetadataOnly(server);
  await server.close();
});

/** Everything written to stderr, stdout or the console while `fn` runs. */
async function capture(fn: () => Promise<void>): Promise<string> {
  const out: string[] = [];
  const grab = (...args: unknown[]): boolean => {
    out.push(args.map(String).join(' '));
    return true;
  };
  const spies = [
    vi.spyOn(process.stderr, 'write').mockImplementation(grab),
    vi.spyOn(process.stdout, 'write').mockImplementation(grab),
    ...(['log', 'error', 'warn', 'info', 'debug'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation(grab),
    ),
  ];
  try {
    await fn();
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return out.join('\n');
}

describe('DEBUG does not make node-vault print login secrets', () => {
  it('control: node-vault with its default debug logger does print the secret_id', async () => {
    const printed = await capture(async () => {
      const client = nodeVault({ endpoint: server.url });
      await client.approleLogin({ role_id: 'r', secret_id: SECRET_ID });
    });
    expect(printed).toContain(SECRET_ID);
  });

  it('our reader prints nothing', async () => {
    const printed = await capture(async () => {
      const reader = await createVaultReader({
        address: server.url,
        auth: { method: 'approle', roleId: 'r', secretId: SECRET_ID },
      });
      await reader.read(['kv/app/db']);
      await reader.close();
    });
    expect(printed).not.toContain(SECRET_ID);
    expect(printed).toBe('');
  });
});
