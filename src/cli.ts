/**
 * The CLI edge: argv → typed options → command → report on stdout, logs on stderr, exit code.
 * @example node dist/cli.js plan --repo ./manifests --format json --exit-code
 */
import { cleanTempDirsOnExit, removeAllTempDirs } from './adapters/fs/temp.js';
import { stopGitChildren } from './adapters/git/index.js';
import { Command, Option } from 'commander';
import { createLogger, type LogFormat } from './log.js';
import type { Logger } from './core/ports.js';
import { createProgress, DEFAULT_PROGRESS_INTERVAL_MS, type ProgressReporter } from './progress.js';
import { cliInvocation, detectInvocation } from './invocation.js';
import { validateCommand } from './validate.js';
import { ConfigError } from './core/errors.js';
import {
  applyCommand,
  describeError,
  planCommand,
  scanCommand,
  statusCommand,
  type CommonOptions,
  type Io,
} from './run.js';
import { maskEnvSecrets } from './run/compose.js';
import { loadVaultClient } from './adapters/vault/reader.js';
import type { Format } from './core/report/render.js';
import { DEFAULT_INTERVAL, DEFAULT_LISTEN, watchOptions, type WatchFlags } from './watch/options.js';

const VERSION = '0.1.0';

interface RawOptions {
  repo: string;
  config?: string;
  branch?: string;
  format: Format;
  exitCode?: boolean;
  environment?: string;
  logFormat: LogFormat;
  verbose?: boolean;
  wide?: boolean;
  /** `--no-diff` sets it to false. */
  diff?: boolean;
}

function common(cmd: Command): Command {
  return cmd
    .option('--repo <dirOrUrl>', 'a local checkout, or a Git URL (apply only)', '.')
    .option('--config <file>', 'config file (default: vault-rollout.yaml at the repo root)')
    .option('--branch <name>', 'base branch')
    .option(
      '--environment <name>',
      "only this entry of the config's environments: its render roots, its Vault",
    )
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'json', 'markdown'])
        .default('table'),
    )
    .addOption(
      new Option('--log-format <format>', 'stderr log format').choices(['text', 'json']).default('text'),
    )
    .option('-v, --verbose', 'debug logs on stderr, and every problem on its own line')
    .option('--wide', 'table output: every column in full, one row per secret, and the whole diff');
}

/**
 * The width a table fits: the terminal's when stdout is one, else `COLUMNS` (set by shells and by people
 * piping to a pager), else 100.
 */
function terminalWidth(columns: number | undefined, env: Record<string, string | undefined>): number {
  if (columns !== undefined && columns > 0) return columns;
  const fromEnv = Number.parseInt(env['COLUMNS'] ?? '', 10);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 100;
}

function toCommon(raw: RawOptions): CommonOptions {
  return {
    repo: raw.repo,
    config: raw.config,
    branch: raw.branch,
    format: raw.format,
    exitCode: raw.exitCode ?? false,
    environment: raw.environment,
    table: {
      width: terminalWidth(process.stdout.isTTY ? process.stdout.columns : undefined, process.env),
      wide: raw.wide ?? false,
      allProblems: raw.verbose ?? false,
    },
    ...(raw.diff === false ? { diff: false } : {}),
  };
}

/**
 * Progress on stderr: redrawn in place on a terminal, else a log line at most every
 * `VAULT_ROLLOUT_PROGRESS_INTERVAL_MS` (default 5 s), through `logger` so `--log-format json` holds.
 */
function progressFor(logger: () => Logger, format: LogFormat): ProgressReporter {
  const interval = Number.parseInt(process.env['VAULT_ROLLOUT_PROGRESS_INTERVAL_MS'] ?? '', 10);
  return createProgress({
    tty: process.stderr.isTTY === true,
    columns: process.stderr.columns,
    write: (t) => process.stderr.write(t),
    // Text logs get the sentence alone; JSON logs also get its numbers as fields.
    log: (msg, data) => logger().info(msg, format === 'json' ? data : undefined),
    intervalMs: Number.isFinite(interval) && interval > 0 ? interval : DEFAULT_PROGRESS_INTERVAL_MS,
  });
}

/**
 * Bundled dependencies (simple-get under isomorphic-git, follow-redirects under axios) call url.parse(),
 * which Node 24 reports as DEP0169 on stderr; once bundled they no longer look like node_modules code.
 * The user can do nothing about it, and the line would break `--log-format json`: drop that one warning.
 */
function quietDependencyWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    if (warning.code === 'DEP0169') return;
    process.stderr.write(
      `warning: ${warning.name}${warning.code ? ` ${warning.code}` : ''}: ${warning.message}\n`,
    );
  });
}

/** What the command actions share: the exit code they set, and the I/O each one builds from its flags. */
interface CommandRun {
  exit: number;
  /** The progress line of the command that runs (one per process), closed when it ends. */
  progress: ProgressReporter | null;
  io(raw: RawOptions): Io;
}

function commandRun(): CommandRun {
  const run: CommandRun = {
    exit: 0,
    progress: null,
    io: (raw) => {
      const logger: Logger = createLogger({
        format: raw.logFormat,
        level: raw.verbose ? 'debug' : 'info',
        // A log line goes above the terminal's progress line, never through it.
        write: (line) => (run.progress ? run.progress.above(line) : process.stderr.write(line)),
      });
      run.progress = progressFor(() => logger, raw.logFormat);
      return {
        env: process.env,
        cwd: process.cwd(),
        stdout: (t) => process.stdout.write(t),
        logger,
        progress: run.progress,
      };
    },
  };
  return run;
}

/** `scan`, `status` and `plan`: they read, and write nothing. */
function addReadCommands(program: Command, run: CommandRun): void {
  common(
    program
      .command('scan')
      .description('list workloads and the Vault secrets each depends on (no Vault access)'),
  ).action(async (raw: RawOptions) => {
    run.exit = await scanCommand(toCommon(raw), run.io(raw));
  });
  common(program.command('status').description('compare recorded versions with Vault'))
    .option('--exit-code', 'exit 2 when changes are pending')
    .action(async (raw: RawOptions) => {
      vaultClientSoon();
      run.exit = await statusCommand(toCommon(raw), run.io(raw));
    });
  common(program.command('plan').description('show what apply would change: summary and unified diff'))
    .option('--exit-code', 'exit 2 when changes are pending')
    .option('--no-diff', 'print the summary only, without the unified diff')
    .action(async (raw: RawOptions) => {
      vaultClientSoon();
      run.exit = await planCommand(toCommon(raw), run.io(raw));
    });
}

/**
 * These commands read Vault once the repository is read: the Vault client starts loading now, while git
 * works. A failure to load is the reader's to report, when it is made.
 */
function vaultClientSoon(): void {
  loadVaultClient().catch(() => {});
}

/** `apply`: edits, commits and pushes, or opens a pull request. */
function addApply(program: Command, run: CommandRun): void {
  common(program.command('apply').description('edit the manifests, commit and push (or open a pull request)'))
    .addOption(new Option('--mode <mode>', 'how to publish').choices(['commit', 'pr']))
    .option('--dry-run', 'do everything but write, commit, push and open pull requests')
    .option(
      '--github-repository <owner/name>',
      'repository for --mode pr (default: GITHUB_REPOSITORY, else the remote URL)',
    )
    .option(
      '--api-commits',
      'make the commit through the GitHub API instead of a git push: GitHub signs it (verified); needs contents: write',
    )
    .option('--no-api-commits', 'push with git even when the config sets pullRequest.apiCommits')
    .addOption(
      new Option('--forge <forge>', 'where pull (merge) requests are opened (default: detected)').choices([
        'github',
        'gitlab',
      ]),
    )
    .action(
      async (
        raw: RawOptions & {
          mode?: 'commit' | 'pr';
          dryRun?: boolean;
          githubRepository?: string;
          apiCommits?: boolean;
          forge?: 'github' | 'gitlab';
        },
      ) => {
        // githubRepository and apiCommits ride along for GitHub (ApplyOptions in src/run/options.ts).
        const opts = {
          ...toCommon(raw),
          mode: raw.mode,
          dryRun: raw.dryRun ?? false,
          githubRepository: raw.githubRepository,
          apiCommits: raw.apiCommits,
          forge: raw.forge,
        };
        vaultClientSoon();
        run.exit = await applyCommand(opts, run.io(raw));
      },
    );
}

/** `watch`: polls the referenced secrets and publishes like apply, until stopped. */
function addWatch(program: Command, run: CommandRun): void {
  common(
    program
      .command('watch')
      .description(
        'poll the referenced secrets and publish like apply whenever a version moves, until stopped',
      ),
  )
    .addOption(new Option('--mode <mode>', 'how to publish').choices(['commit', 'pr']))
    .option(
      '--interval <duration>',
      'longest time between two polls of the secrets (jittered)',
      DEFAULT_INTERVAL,
    )
    .option('--listen <addr>', 'address of /metrics and /healthz', DEFAULT_LISTEN)
    .option(
      '--github-repository <owner/name>',
      'repository for --mode pr (default: GITHUB_REPOSITORY, else the remote URL)',
    )
    .action(async (raw: RawOptions & WatchFlags) => {
      const opts = watchOptions(toCommon(raw), raw);
      // SIGTERM (a pod being stopped) and SIGINT finish the step in progress, then the clone is removed.
      const stopped = new Promise<string>((done) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done(signal));
      });
      process.on('exit', removeAllTempDirs);
      const { watchCommand } = await import('./watch/command.js');
      run.exit = await watchCommand(opts, run.io(raw), stopped);
    });
}

/** `validate`: the config alone, without Vault or Git. */
function addValidate(program: Command, run: CommandRun): void {
  program
    .command('validate')
    .description(
      'check the config file (and --environment) without touching Vault or Git; exit 1 with every error',
    )
    .option('--repo <dir>', 'a local checkout', '.')
    .option('--config <file>', 'config file (default: vault-rollout.yaml at the repo root)')
    .option('--environment <name>', "check that the config's environments list this one")
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addOption(
      new Option('--log-format <format>', 'stderr log format').choices(['text', 'json']).default('text'),
    )
    .option('-v, --verbose', 'debug logs on stderr')
    .action(async (raw: RawOptions) => {
      run.exit = await validateCommand(
        { repo: raw.repo, config: raw.config, environment: raw.environment, format: raw.format },
        run.io(raw),
      );
    });
}

/** `dev-server` (and `dev-server put`): the local Vault-compatible server. */
function addDevServer(program: Command, run: CommandRun): void {
  program
    .command('dev-server')
    .description(
      'a local Vault-compatible dev server (metadata only) to try vault-rollout on your repository; `dev-server put mount/path` rotates a secret',
    )
    .argument('[put]', '`put`: add a version to a secret on the running server (VAULT_ADDR, VAULT_TOKEN)')
    .argument('[secret]', 'the secret to rotate, e.g. kv/app/db')
    .option('--seed <secrets>', 'secrets to create, e.g. kv/app/db@3,kv/app/api (or a file listing them)')
    .option('--port <port>', 'port on 127.0.0.1 (default: any free port)')
    .option('--token <token>', 'the root token (default: random)')
    .action(
      async (
        put: string | undefined,
        secret: string | undefined,
        raw: { seed?: string; port?: string; token?: string },
      ) => {
        if (put !== undefined) {
          if (put !== 'put' || secret === undefined)
            throw new ConfigError(
              `dev-server takes no argument but \`put mount/path\` (got "${[put, secret].filter(Boolean).join(' ')}")`,
            );
          const { putSecret } = await import('./dev-server.js');
          const version = await putSecret(secret, process.env);
          process.stdout.write(`${secret} is now at version ${version}\n`);
          run.exit = 0;
          return;
        }
        const port = raw.port === undefined ? undefined : Number(raw.port);
        if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
          throw new ConfigError(`--port must be a port number (got "${raw.port}")`);
        const stopped = new Promise<string>((done) => {
          for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done(signal));
        });
        const { devServerCommand } = await import('./dev-server.js');
        run.exit = await devServerCommand(
          { seed: raw.seed, port, token: raw.token },
          {
            stdout: (t) => process.stdout.write(t),
            stderr: (t) => process.stderr.write(t),
            cwd: process.cwd(),
            stopped,
            cli: cliInvocation(detectInvocation(process.argv[1], process.env, process.cwd())),
          },
        );
      },
    );
}

/** `demo`: the whole job against local servers. */
function addDemo(program: Command, run: CommandRun): void {
  program
    .command('demo')
    .description('the whole job against a local Vault-compatible dev server and a throwaway Git remote')
    .action(async () => {
      const { demoCommand } = await import('./demo.js');
      run.exit = await demoCommand({
        stdout: (t) => process.stdout.write(t),
        cwd: process.cwd(),
        cli: cliInvocation(detectInvocation(process.argv[1], process.env, process.cwd())),
      });
    });
}

async function main(argv: string[]): Promise<number> {
  quietDependencyWarnings();
  maskEnvSecrets(process.env);
  const run = commandRun();
  const program = new Command('vault-rollout')
    .description('Turns a rotated Vault secret into a reviewed, rolling restart through Git.')
    .version(VERSION)
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    // dev-server and watch handle SIGINT/SIGTERM themselves (they stop cleanly and exit 0); every other
    // command removes its temporary folders on the way out.
    .hook('preAction', (_program, command) => {
      if (command.name() !== 'dev-server' && command.name() !== 'watch')
        cleanTempDirsOnExit({ stop: stopGitChildren });
    });
  addReadCommands(program, run);
  addApply(program, run);
  addWatch(program, run);
  addValidate(program, run);
  addDevServer(program, run);
  addDemo(program, run);

  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    run.progress?.close();
    if (
      err &&
      typeof err === 'object' &&
      'exitCode' in err &&
      'code' in err &&
      String(err.code).startsWith('commander.')
    ) {
      return Number(err.exitCode) === 0 ? 0 : 1;
    }
    throw err;
  }
  run.progress?.close();
  return run.exit;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const { message, exitCode } = describeError(err);
    process.stderr.write(`vault-rollout: ${message}\n`);
    process.exitCode = exitCode;
  },
);
