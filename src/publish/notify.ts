/**
 * `notify`: after an `apply` that published, blocked or failed, one POST per hook whose `on` lists one of
 * the run's events (src/core/report/notify-payload.ts builds the bodies). Every body passes the run's
 * redaction like every other outgoing text (./outgoing.ts). A hook is told, never asked: a hook that fails
 * after its retries is a warning, and no hook changes the run's result or exit code.
 *
 * A hook whose `secretHeaderEnv` names a set variable is signed: `X-Vault-Rollout-Signature:
 * sha256=<hex HMAC-SHA256 of the exact body bytes>`. The hook list comes from the repository, which is
 * untrusted: it may not name one of the run's credential variables as the HMAC key (an HMAC of a known body
 * sent to a URL the repository chose would let its owner test guesses of that credential offline).
 */
import { createHmac } from 'node:crypto';
import type { Config } from '../core/config/schema.js';
import type { Logger } from '../core/ports.js';
import {
  jsonPayload,
  runEvents,
  slackPayload,
  worthTelling,
  type NotifyEvent,
  type RunOutcome,
} from '../core/report/notify-payload.js';
import { postWebhook, type WebhookOptions } from '../adapters/notify/webhook.js';
import { registerSecret } from '../log.js';
import { outgoing } from './outgoing.js';

export const SIGNATURE_HEADER = 'X-Vault-Rollout-Signature';

/** `sha256=<hex>` of `body` under `key`. */
export function signature(body: string, key: string): string {
  return `sha256=${createHmac('sha256', key).update(body, 'utf8').digest('hex')}`;
}

export interface NotifyOptions {
  hooks: Config['notify'];
  outcome: RunOutcome;
  env: Record<string, string | undefined>;
  logger: Logger;
  /** Variables that hold the run's credentials: never used as an HMAC key. */
  credentialVariables: readonly string[];
  webhook?: WebhookOptions;
}

/** `hook notify[1] (hooks.slack.com)`: the index and host, never the path (it may be the secret). */
function hookName(index: number, url: string): string {
  let host = '?';
  try {
    host = new URL(url).host;
  } catch {
    // the config's schema only lets http(s) URLs through
  }
  return `notify[${index}] (${host})`;
}

/**
 * Tells every matching hook about the run, all at once. Never throws.
 * @returns how many hooks accepted their message
 */
export async function notifyHooks(opts: NotifyOptions): Promise<number> {
  if (opts.hooks.length === 0 || !worthTelling(opts.outcome)) return 0;
  const events = runEvents(opts.outcome);
  const sends = opts.hooks.map(async (hook, index) => {
    const name = hookName(index, hook.url);
    const matched: NotifyEvent[] = events.filter((e) => hook.on.includes(e));
    if (matched.length === 0) return false;
    try {
      const body = outgoing(
        JSON.stringify(
          hook.format === 'slack' ? slackPayload(opts.outcome) : jsonPayload(opts.outcome, matched),
        ),
      );
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'vault-rollout',
      };
      const keyName = hook.secretHeaderEnv;
      if (keyName !== undefined) {
        const key = opts.env[keyName];
        if (opts.credentialVariables.includes(keyName)) {
          opts.logger.warn(
            `${name}: not sent: secretHeaderEnv names "${keyName}", which holds a credential of this run; name a variable that holds only the hook's key`,
          );
          return false;
        }
        if (key) {
          registerSecret(key);
          headers[SIGNATURE_HEADER.toLowerCase()] = signature(body, key);
        } else opts.logger.warn(`${name}: sent unsigned: ${keyName} (secretHeaderEnv) is not set`);
      }
      const result = await postWebhook(hook.url, body, headers, opts.webhook);
      if (result.ok) {
        opts.logger.info(`Told ${name} (${matched.join(', ')})`);
        return true;
      }
      opts.logger.warn(
        `${name} ${result.message} after ${result.attempts} tr${result.attempts === 1 ? 'y' : 'ies'}; the run's result is unchanged`,
      );
    } catch (err) {
      opts.logger.warn(`${name}: not sent (${err instanceof Error ? err.message : String(err)})`);
    }
    return false;
  });
  return (await Promise.all(sends)).filter(Boolean).length;
}
