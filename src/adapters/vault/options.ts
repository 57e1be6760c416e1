import type { Clock, Logger } from '../../core/ports.js';

/** How the reader authenticates. Secrets here are never logged nor put in error messages. */
export type VaultAuth =
  | {
      method: 'token';
      token: string;
      /** The environment variable the token came from, for messages (default `VAULT_TOKEN`). */
      variable?: string;
    }
  | {
      method: 'approle';
      mount?: string;
      roleId: string;
      secretId?: string;
      /** The variables the role id and secret id came from, for messages. */
      variables?: { roleId: string; secretId: string };
    }
  | {
      method: 'kubernetes';
      mount?: string;
      role: string;
      /** Default: /var/run/secrets/kubernetes.io/serviceaccount/token */
      tokenPath?: string;
    }
  | {
      method: 'jwt';
      mount?: string;
      /** Optional when the JWT auth mount has a `default_role`. */
      role?: string;
      /** The ID token, or a function that fetches it (e.g. GitHub Actions' OIDC token). */
      jwt: string | (() => Promise<string>);
    };

export type VaultAuthMethod = VaultAuth['method'];

export interface VaultBackoff {
  /** Base delay of the exponential backoff (ms). Default 250. */
  baseMs?: number;
  /** Longest single wait (ms), also the cap for `Retry-After`. Default 10,000. */
  maxMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). Default Math.random. */
  random?: () => number;
}

export interface VaultReaderOptions {
  /** e.g. `https://vault.example.com:8200` */
  address: string;
  namespace?: string;
  /** PEM text of the CA bundle that signed Vault's certificate. */
  caCert?: string;
  skipVerify?: boolean;
  auth: VaultAuth;
  /** Configured KV v2 mounts: when given, no mount detection requests are made. */
  mounts?: string[];
  /** Parallel metadata reads. Default 32: a 5 ms Vault answers 1,000 reads in ~0.2 s, and 32 open reads are light for Vault. */
  concurrency?: number;
  /** Retries after the first attempt, for 5xx, 412, 429 and network errors. Default 4. */
  retries?: number;
  backoff?: VaultBackoff;
  /** Longest silence on a request's socket (ms). Default 10,000. */
  timeoutMs?: number;
  /** Total deadline of one request, from sending to the last byte of the answer (ms). Default 30,000. */
  deadlineMs?: number;
  /** Largest answer body accepted (bytes). Default 16 MiB: a metadata answer is a few KiB. */
  maxResponseBytes?: number;
  /** Decides whether a `deletion_time` has passed. Default: the system clock. */
  clock?: Clock;
  logger?: Logger;
  /** Called once per secret whose metadata read finished (whatever the answer): drives progress. */
  onSecretRead?: () => void;
  /** Called once per HTTP request with its status, or the network error code (`watch` counts them). */
  onAnswer?: (outcome: number | string) => void;
}
