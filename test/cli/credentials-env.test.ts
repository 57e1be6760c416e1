/**
 * The one list of credential variables: each is masked by the CLI and by the Action, and refused as a
 * notify hook's HMAC key, alike; the config's own credential names are added to it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config/schema.js';
import type { Logger } from '../../src/core/ports.js';
import { CREDENTIAL_VARIABLES, credentialSecrets } from '../../src/credentials-env.js';
import { forgetSecret, redact } from '../../src/log.js';
import { applyNotifier } from '../../src/notify-run.js';
import { environmentReaders, maskEnvSecrets } from '../../src/run/compose.js';
import type { Io } from '../../src/run/options.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Every secret a test registered, forgotten after it so that tests do not mask for one another. */
const registered: string[] = [];
afterEach(() => {
  for (const s of registered.splice(0)) forgetSecret(s);
});

/** A hook on this machine that counts the messages it is sent. */
let hook: Server;
let hookUrl = '';
let received = 0;
beforeAll(async () => {
  hook = createServer((req, res) => {
    received++;
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((done) => hook.listen(0, '127.0.0.1', done));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((done) => hook.close(() => done())));

/**
 * What `apply`'s notifier does with a hook keyed by `name`: refuse it (a warning, nothing sent), or send
 * it (signed, or unsigned when the variable is unset).
 */
async function notifyWith(name: string, extraConfig = '', env: Record<string, string> = {}) {
  const config = parseConfig(
    `${extraConfig}notify:\n  - { url: "${hookUrl}", on: [error], secretHeaderEnv: ${name} }\n`,
    'c.yaml',
  );
  const warnings: string[] = [];
  const notifier = applyNotifier(
    {},
    { env: { [name]: 'value-of-the-key', ...env }, logger: { ...quiet, warn: (m) => void warnings.push(m) } },
  );
  notifier.seen(config, { url: 'https://git.example.invalid/o/r.git' });
  const before = received;
  await notifier.failed('the run failed');
  const refused = warnings.some((w) =>
    w.includes(`secretHeaderEnv names "${name}", which holds a credential of this run`),
  );
  const sent = received - before;
  return refused && sent === 0
    ? 'refused'
    : !refused && sent === 1
      ? 'sent'
      : `refused ${refused}, sent ${sent}`;
}

describe('the credential variables', () => {
  it('are the Vault, Git, GitHub, GitLab and runner credentials', () => {
    expect([...CREDENTIAL_VARIABLES].sort()).toEqual([
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
      'CI_JOB_TOKEN',
      'GITHUB_APP_PRIVATE_KEY',
      'GITHUB_TOKEN',
      'GITLAB_TOKEN',
      'GIT_TOKEN',
      'VAULT_JWT',
      'VAULT_ROLE_ID',
      'VAULT_SECRET_ID',
      'VAULT_TOKEN',
    ]);
  });

  it.each(CREDENTIAL_VARIABLES.map((name) => [name]))(
    '%s is masked by the CLI and the Action, and refused as a hook key',
    async (name) => {
      const value = `${name.toLowerCase()}-value-0123456789`;
      const env = { [name]: value };
      // The Action masks exactly these values.
      expect(credentialSecrets(env)).toContain(value);
      // The CLI registers them for redaction before anything prints.
      registered.push(...credentialSecrets(env));
      expect(redact(`saw ${value}`)).toBe(`saw ${value}`);
      maskEnvSecrets(env);
      expect(redact(`saw ${value} and Basic ${b64(`oauth2:${value}`)}`)).toBe('saw *** and Basic ***');
      expect(await notifyWith(name)).toBe('refused');
    },
  );

  it('a variable outside the list is neither masked nor refused', async () => {
    expect(credentialSecrets({ HOOK_KEY: 'k3y-for-hmac-only' })).toEqual([]);
    expect(await notifyWith('HOOK_KEY')).toBe('sent');
  });
});

describe('credentialSecrets', () => {
  it('masks each token and its Basic-auth forms, and each line of an App key', () => {
    const masks = credentialSecrets({
      VAULT_TOKEN: 'hvs.vault',
      GITHUB_TOKEN: 'ghs_github',
      GIT_USERNAME: 'bot',
      GITHUB_APP_PRIVATE_KEY:
        '-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAxyz0123456789\\nabcdefghijklmnopqrstuv\\n-----END RSA PRIVATE KEY-----',
    });
    expect(masks).toEqual(
      expect.arrayContaining([
        'hvs.vault',
        b64('x-access-token:hvs.vault'),
        b64('bot:hvs.vault'),
        'ghs_github',
        b64('x-access-token:ghs_github'),
        b64('bot:ghs_github'),
        'MIIEowIBAAKCAQEAxyz0123456789',
        'abcdefghijklmnopqrstuv',
      ]),
    );
    expect(masks).not.toContain('-----BEGIN RSA PRIVATE KEY-----');
    expect(masks).not.toContain(b64('x-access-token:MIIEowIBAAKCAQEAxyz0123456789'));
  });

  it('a GitLab token in the forms Git sends it: oauth2, the job user, GIT_USERNAME; set and trimmed', () => {
    const masks = credentialSecrets({
      GITLAB_TOKEN: ' glpat-abcdef\n',
      CI_JOB_TOKEN: 'job-token-1',
      GIT_USERNAME: 'me',
    });
    expect(masks).toEqual(
      expect.arrayContaining([
        ' glpat-abcdef\n',
        'glpat-abcdef',
        b64('oauth2:glpat-abcdef'),
        b64('gitlab-ci-token:glpat-abcdef'),
        b64('me:glpat-abcdef'),
        'job-token-1',
        b64('gitlab-ci-token:job-token-1'),
      ]),
    );
  });

  it('an empty or blank variable masks nothing', () => {
    expect(credentialSecrets({ VAULT_TOKEN: '', GIT_TOKEN: '   ' })).toEqual([]);
  });
});

describe("the config's own credential names", () => {
  const ownVault =
    'environments:\n  - name: prod\n    entry: clusters/prod\n    vault: { address: "https://vault-prod.example.invalid", auth: { method: token, tokenEnv: PROD_VAULT_TOKEN } }\n';

  it('are refused as a hook key, beside the list', async () => {
    expect(await notifyWith('PROD_VAULT_TOKEN', ownVault)).toBe('refused');
    expect(await notifyWith('VAULT_TOKEN', ownVault)).toBe('refused');
  });

  it('are masked once the config is read, with their Basic-auth forms', () => {
    const config = parseConfig(ownVault, 'c.yaml');
    const value = 'hvs.prod-only-token';
    const env = { PROD_VAULT_TOKEN: value };
    registered.push(...credentialSecrets(env, ['PROD_VAULT_TOKEN']));
    expect(redact(value)).toBe(value);
    const io = {
      env,
      logger: quiet,
      makeReader: async () => ({ read: async () => new Map(), close: async () => {} }),
    };
    environmentReaders(config, io as unknown as Io);
    expect(redact(`${value} ${b64(`x-access-token:${value}`)}`)).toBe('*** ***');
  });
});
