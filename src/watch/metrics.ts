/**
 * The Prometheus series of `watch` (docs/watch.md lists them), in a registry of their own so that two
 * watchers in one process (tests) never share counters. prom-client renders the text format and adds the
 * process series (CPU, memory, file descriptors) under the same `vault_rollout_` prefix.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SecretStatus } from '../core/model.js';

const PREFIX = 'vault_rollout_';

/** The label of one Vault answer: a few stable words, so the series stay few whatever Vault answers. */
export function requestOutcome(outcome: number | string): string {
  if (typeof outcome === 'string') return 'network_error';
  if (outcome >= 200 && outcome < 300) return 'ok';
  if (outcome === 404) return 'not_found';
  if (outcome === 401 || outcome === 403) return 'denied';
  if (outcome === 429) return 'rate_limited';
  if (outcome >= 500) return 'server_error';
  return 'client_error';
}

const SECRET_STATES: readonly SecretStatus['state'][] = [
  'ok',
  'missing',
  'deleted',
  'forbidden',
  'unsupported',
];

export class WatchMetrics {
  readonly registry = new Registry();
  readonly polls = new Counter({
    name: `${PREFIX}polls_total`,
    help: 'Polls of the referenced secrets, by result (success: every secret answered).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly vaultRequests = new Counter({
    name: `${PREFIX}vault_requests_total`,
    help: 'HTTP requests sent to Vault (logins, listings, metadata reads and retries), by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly secrets = new Gauge({
    name: `${PREFIX}secrets`,
    help: 'Referenced secrets by the state of their metadata at the last successful poll.',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly restartsPublished = new Counter({
    name: `${PREFIX}restarts_published_total`,
    help: 'Workload restarts carried by a published commit or pull request.',
    registers: [this.registry],
  });
  readonly blockedWorkloads = new Gauge({
    name: `${PREFIX}blocked_workloads`,
    help: 'Workloads blocked at the last run (a secret missing, deleted or forbidden).',
    registers: [this.registry],
  });
  readonly publishFailures = new Counter({
    name: `${PREFIX}publish_failures_total`,
    help: 'Runs that failed to plan or publish (retried at the next interval).',
    registers: [this.registry],
  });
  readonly lastPublish = new Gauge({
    name: `${PREFIX}last_successful_publish_timestamp_seconds`,
    help: 'Unix time of the last run that planned and published without error (0: none yet).',
    registers: [this.registry],
  });
  readonly lastPoll = new Gauge({
    name: `${PREFIX}last_successful_poll_timestamp_seconds`,
    help: 'Unix time of the last poll in which every referenced secret answered (0: none yet).',
    registers: [this.registry],
  });
  readonly pollDuration = new Histogram({
    name: `${PREFIX}poll_duration_seconds`,
    help: 'Time one poll of the referenced secrets took.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly publishDuration = new Histogram({
    name: `${PREFIX}publish_duration_seconds`,
    help: 'Time one run (fetch, plan, publish) took.',
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly referenced = new Gauge({
    name: `${PREFIX}referenced_secrets`,
    help: 'Distinct secrets the manifests reference (what each poll reads).',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }

  /** Records the states of one successful poll (every state present, 0 when none). */
  setSecretStates(statuses: Iterable<SecretStatus>): void {
    const counts = new Map<string, number>(SECRET_STATES.map((s) => [s, 0]));
    for (const s of statuses) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
    for (const [state, n] of counts) this.secrets.set({ state }, n);
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
