/**
 * Text that leaves the process in a commit or a pull request (message, title, body, comment) passes the
 * run's redaction first: every token the run holds (Vault, Git, GitHub, a GitHub App key) and its
 * Basic-auth base64 forms become `***`. Templates cannot read files any more (src/core/report/liquid.ts),
 * but the data they render comes from the repository, and a commit, once pushed, cannot be unpublished.
 */
import { redact } from '../log.js';

/** The text as it may be published. */
export function outgoing(text: string): string;
export function outgoing(text: string | null): string | null;
export function outgoing(text: string | null): string | null {
  return text === null ? null : redact(text);
}
