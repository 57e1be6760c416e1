/**
 * The GitHub Action edge (action.yml, `runs.using: node24`, bundled to dist/index.js): inputs → the same
 * `runApply` the CLI calls → step outputs, the Markdown report in the job summary, one log group per phase.
 * A failure is one `::error` that says what to fix, and exit code 1.
 *
 * @example
 * - uses: OWNER/vault-rollout@v1
 *   with: { vault-address: https://vault.example.com, vault-auth: jwt, vault-role: vault-rollout }
 */
import { cleanTempDirsOnExit } from './adapters/fs/temp.js';
import { stopGitChildren } from './adapters/git/index.js';
import * as core from '@actions/core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { VaultRolloutError } from './core/errors.js';
import type { Logger } from './core/ports.js';
import { toDiff, toMarkdown, toTable } from './core/report/render.js';
import { vaultOptionsFromEnv } from './adapters/vault/env.js';
import { createVaultReader, loadVaultClient } from './adapters/vault/reader.js';
import { redact, registerSecret } from './log.js';
import { createProgress } from './progress.js';
import { credentialSecrets } from './credentials-env.js';
import { describeError, runApplyWithOutcome, type Env, type Io } from './run.js';
import {
  actionEnv,
  actionOutputs,
  applyOptions,
  blockedFailure,
  checkWorkspace,
  missingOidcError,
  parseInputs,
  usesRunnerOidc,
  vaultBlock,
  withInputHint,
  withTlsInputs,
} from './action/inputs.js';

/** Characters of the dry-run diff shown in the job summary, which GitHub caps at 1 MiB. */
const SUMMARY_DIFF_MAX = 512 * 1024;

/** Masks a value in the runner's log (`::add-mask::`) and in every message we print ourselves. */
function mask(value: string): void {
  core.setSecret(value);
  registerSecret(value);
}

/** Logs through the runner's commands: warnings and errors become annotations, debug shows with RUNNER_DEBUG. */
function actionLogger(): Logger {
  const line = (msg: string, data?: Record<string, unknown>) =>
    redact(data && Object.keys(data).length > 0 ? `${msg} ${JSON.stringify(data)}` : msg);
  return {
    debug: (m, d) => core.debug(line(m, d)),
    info: (m, d) => core.info(line(m, d)),
    warn: (m, d) => core.warning(line(m, d)),
    error: (m, d) => core.error(line(m, d)),
  };
}

/** One collapsible log group at a time (the runner does not nest them). */
function phases() {
  let open = false;
  return {
    start(name: string) {
      if (open) core.endGroup();
      core.startGroup(name);
      open = true;
    },
    end() {
      if (open) core.endGroup();
      open = false;
    },
  };
}

/** The runner's OIDC token for Vault's JWT login, fetched at login time (it is valid for minutes only). */
async function runnerIdToken(env: Env, audience: string | undefined): Promise<string> {
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) throw missingOidcError();
  // getIDToken announces ::add-mask:: for the token itself; our own messages redact it too.
  const token = await core.getIDToken(audience);
  registerSecret(token);
  return token;
}

/**
 * Node's own warnings, through the runner's commands. DEP0169 is dropped: bundled dependencies (simple-get
 * under isomorphic-git, follow-redirects under axios) call `url.parse()`, which Node 24 warns about unless
 * the caller sits in node_modules — which, once bundled, it no longer appears to. The user can do nothing
 * about it.
 */
function routeProcessWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    if (warning.code === 'DEP0169') return;
    core.debug(redact(`${warning.name}${warning.code ? ` ${warning.code}` : ''}: ${warning.message}`));
  });
}

async function main(): Promise<void> {
  routeProcessWarnings();
  cleanTempDirsOnExit({ stop: stopGitChildren });
  // Every run reads Vault once the repository is read: the Vault client loads while git works. A failure
  // here is the reader's to report, when it is made.
  loadVaultClient().catch(() => {});
  const group = phases();
  try {
    const cwd = process.env.GITHUB_WORKSPACE || process.cwd();
    const inputs = parseInputs(
      (name) => core.getInput(name),
      process.env,
      cwd,
      (m) => core.warning(m),
    );
    const env = actionEnv(inputs, process.env);
    for (const secret of credentialSecrets(env)) mask(secret);
    checkWorkspace(inputs, (dir) => existsSync(join(dir, '.git')));

    const logger = actionLogger();
    // A job log is not a terminal: a progress line at most every few seconds on long runs.
    const interval = Number.parseInt(process.env['VAULT_ROLLOUT_PROGRESS_INTERVAL_MS'] ?? '', 10);
    const progress = createProgress({
      tty: false,
      write: () => {},
      log: (msg) => logger.info(msg),
      ...(interval > 0 ? { intervalMs: interval } : {}),
    });
    const io: Io = {
      env,
      cwd,
      stdout: (text) => core.info(redact(text)),
      logger,
      progress,
      makeReader: async (config) => {
        group.start('Vault: log in');
        const block = vaultBlock(inputs, config.vault);
        const oidc = usesRunnerOidc(block, env);
        // vaultOptionsFromEnv wants VAULT_JWT for the jwt method; the placeholder is replaced right below
        // by the function that fetches the runner's token, so it is never sent.
        const options = withTlsInputs(
          vaultOptionsFromEnv(oidc ? { ...env, VAULT_JWT: 'runner-oidc' } : env, block),
          inputs,
        );
        if (oidc && options.auth.method === 'jwt') {
          options.auth = { ...options.auth, jwt: () => runnerIdToken(env, inputs.jwtAudience) };
        }
        logger.info(`Vault at "${options.address}", auth method "${options.auth.method}"`);
        const reader = await createVaultReader({
          ...options,
          logger,
          onSecretRead: () => progress.advance(),
        });
        group.start(`Plan${inputs.dryRun ? ' (dry run)' : ` and publish (mode "${inputs.mode}")`}`);
        return reader;
      },
    };

    group.start(`Open "${inputs.repo}"`);
    const { report, pullRequestOperation } = await runApplyWithOutcome(applyOptions(inputs), io);
    progress.close();
    group.end();

    const outputs = actionOutputs(report, pullRequestOperation);
    for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
    core.info(toTable(report));
    const diff = inputs.dryRun && report.changes.length > 0 ? toDiff(report.changes) : '';
    if (diff) core.info(diff);
    if (process.env.GITHUB_STEP_SUMMARY) {
      let markdown = toMarkdown(report);
      if (diff) {
        // A step summary holds at most 1 MiB; the full diff is in the log above.
        const shown =
          diff.length > SUMMARY_DIFF_MAX
            ? `${diff.slice(0, SUMMARY_DIFF_MAX)}\n… (cut: see the log)\n`
            : diff;
        markdown += `\n<details><summary>Dry run: the changes apply would make</summary>\n\n\`\`\`diff\n${shown}\`\`\`\n\n</details>\n`;
      }
      await core.summary.addRaw(redact(markdown)).write();
    }
    // Blocked workloads fail the step last, once the outputs and the summary are written.
    const blocked = blockedFailure(report, inputs.failOnBlocked);
    if (blocked) core.setFailed(redact(blocked));
    else if (report.summary.blocked > 0)
      core.warning(
        `${report.summary.blocked} workload(s) blocked (fail-on-blocked: false): see the job summary`,
      );
  } catch (err) {
    group.end();
    const { message } = describeError(err);
    core.setFailed(withInputHint(message, err instanceof VaultRolloutError ? err.data : undefined));
  }
}

await main();
