/**
 * The zod definition of `vault-rollout.yaml` (docs/configuration.md). Every key is optional; unknown keys are
 * errors (`z.strictObject`) so a typo such as `incude:` is reported instead of silently ignored.
 * Import from `./schema.js`, the public face of this folder.
 */
import { branchNameProblem } from '../branch-name.js';
import { hookUrlProblem } from './hook-url.js';
import picomatch from 'picomatch';
import * as z from 'zod';
import type { ChartKind, WorkloadKind } from '../model.js';
import { parseSecretPath } from '../secret-path.js';

export const WORKLOAD_KINDS = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Rollout',
  'CronJob',
] as const satisfies readonly WorkloadKind[];

/** Helm-based apps a rule can select: only a rule whose `kind` names one selects them. */
export const CHART_KINDS = [
  'HelmRelease',
  'Application',
  'HelmValues',
] as const satisfies readonly ChartKind[];

export function isChartKind(kind: string | undefined): kind is ChartKind {
  return (CHART_KINDS as readonly string[]).includes(kind ?? '');
}

/** Include globs when the config gives none: every YAML file. */
export const DEFAULT_INCLUDE: readonly string[] = ['**/*.yaml', '**/*.yml'];

/** Why a glob is unusable, or null when picomatch accepts it. */
export function globProblem(glob: string): string | null {
  if (glob.trim() === '') return 'a glob must not be empty';
  if (glob.startsWith('/') || /^[A-Za-z]:[\\/]/.test(glob))
    return `globs are relative to the repository root: remove the leading "/" (got "${glob}")`;
  // Paths are matched relative to the root, so a `..` segment can never match: it is a mistake that
  // would silently select nothing (or, for a consumer that resolves it, files outside the repository).
  if (glob.split(/[\\/]/).some((segment) => segment === '..'))
    return `globs are relative to the repository root and cannot leave it: remove the ".." segment (got "${glob}")`;
  try {
    // strictBrackets: an unbalanced `[`, `{` or `(` is a typo, not a literal character.
    picomatch.makeRe(glob, { dot: true, strictBrackets: true });
    return null;
  } catch (err) {
    return `not a valid glob: ${err instanceof Error ? err.message : String(err)} (got "${glob}")`;
  }
}

const glob = z.string().superRefine((value, ctx) => {
  const problem = globProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const secretPath = z.string().superRefine((value, ctx) => {
  const parsed = parseSecretPath(value);
  if (!parsed.ok) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a Vault KV v2 secret path "mount/path", e.g. kv/payments/db (got "${value}": ${parsed.reason})`,
    });
  }
});

const mount = z
  .string()
  .transform((m) => m.replace(/^\/+|\/+$/g, ''))
  .refine((m) => /^[A-Za-z0-9_.@+=-]+(\/[A-Za-z0-9_.@+=-]+)*$/.test(m), {
    message: 'expected a mount path such as "kv" or "team-a/kv"',
  })
  // A "." or ".." segment would make Vault (or a proxy) read another mount: "kv/../sys" is "sys".
  .refine((m) => m.split('/').every((s) => s !== '.' && s !== '..'), {
    message: 'a mount path has no "." or ".." segment',
  });

/** Label values are strings in Kubernetes; `tier: 1` in the selector means the label value "1". */
const labelValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/**
 * A file in the manifests repository, relative to its root (a user's own Liquid template): no leading `/`,
 * no `..` segment, so it can only name a file of the repository.
 */
const repoFile = z.string().superRefine((value, ctx) => {
  if (value.trim() === '') ctx.addIssue({ code: 'custom', message: 'must not be empty' });
  else if (value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value))
    ctx.addIssue({
      code: 'custom',
      message: `a path relative to the repository root, e.g. ".github/vault-rollout/commit-message.liquid" (got "${value}")`,
    });
  else if (value.split(/[\\/]/).some((segment) => segment === '..' || segment === ''))
    ctx.addIssue({
      code: 'custom',
      message: `a path inside the repository: remove the ".." or empty segment (got "${value}")`,
    });
});

/** `Name <email>`, as git writes an identity. */
const AUTHOR = /^([^<>]*[^<>\s])\s*<([^<>\s]+@[^<>\s]+)>$/;

/** The name of an environment variable (POSIX: letters, digits, `_`, not starting with a digit). */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  message: 'expected the name of an environment variable, e.g. VAULT_TOKEN_PROD',
});

const vault = z.strictObject({
  address: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL, e.g. https://vault.example.com' })
    .optional(),
  namespace: z.string().optional(),
  auth: z
    .strictObject({
      method: z.enum(['token', 'approle', 'kubernetes', 'jwt']).optional(),
      role: z.string().optional(),
      mount: z.string().optional(),
      // Where this Vault's credentials come from (docs/configuration.md, "Credentials per Vault"): the
      // names of environment variables, never the values, so the config file holds no secret.
      tokenEnv: envName.optional(),
      roleIdEnv: envName.optional(),
      secretIdEnv: envName.optional(),
      jwtEnv: envName.optional(),
      jwtFile: z.string().min(1).optional(),
    })
    .optional(),
  mounts: z.array(mount).default([]),
  /**
   * Total deadline of one Vault request, in seconds (default 30, applied by the Vault adapter so that an
   * environment's block without it inherits the top-level one).
   */
  timeoutSeconds: z.number().positive().max(3600).optional(),
  /** Largest Vault answer accepted, in bytes (default 16 MiB; a metadata answer is a few KiB). */
  maxResponseBytes: z.number().int().min(1024).optional(),
});

/**
 * Bounds on every request to the Git remote (`git:`) or the GitHub API (`github:`); defaults in
 * src/core/limits.ts, applied by the composition root.
 */
const requestBounds = z.strictObject({
  /** Total deadline of one request (one git child process, one HTTP request), in seconds. */
  timeoutSeconds: z.number().positive().max(86_400).optional(),
  /** Most bytes read from one answer (git: one child's output, or one HTTP answer of isomorphic-git). */
  maxResponseBytes: z.number().int().min(1024).optional(),
});

/** `git:`: request bounds, plus the SSH deploy key and known-hosts file for `ssh://` and `git@host:path` remotes. */
const git = requestBounds.extend({
  /** A private key file (a deploy key, as Argo CD and Flux use); else `GIT_SSH_KEY_FILE`. */
  sshKeyFile: z.string().min(1).optional(),
  /** An OpenSSH known_hosts file; else `SSH_KNOWN_HOSTS`. Host keys are always checked. */
  knownHostsFile: z.string().min(1).optional(),
});

/** `gitlab:`: where merge requests are opened (SPEC, "Forges: GitHub and GitLab"). */
const gitlab = requestBounds.extend({
  /** The REST v4 base, e.g. `https://gitlab.example.com/api/v4`; else GITLAB_API_URL, CI_API_V4_URL, the remote. */
  url: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL, e.g. https://gitlab.example.com/api/v4' })
    .optional(),
  /** The project's path (`group/sub/project`) or numeric id; else CI_PROJECT_PATH, the remote URL's path. */
  project: z
    .union([z.number().int().positive().transform(String), z.string()])
    .refine(
      (p) =>
        /^[0-9]+$/.test(p) ||
        (/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/.test(p) && p.split('/').every((s) => !/^\.+$/.test(s))),
      {
        message: 'expected a project path such as "platform/deploy" or a numeric project id',
      },
    )
    .optional(),
});

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** `HH:MM` on a 24-hour clock; `24:00` ends a window at midnight. */
const clock = z.string().regex(/^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/, {
  message: 'expected a time "HH:MM" on a 24-hour clock, e.g. "09:00"',
});

/** Whether the runtime knows an IANA time zone name. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** One `rollout.windows[]` entry: restarts may be published on these days between `from` and `to`. */
const window = z
  .strictObject({
    days: z
      .array(z.enum(WEEKDAYS))
      .min(1, { message: 'list at least one day, e.g. [mon, tue]' })
      .default([...WEEKDAYS]),
    from: clock,
    to: clock,
    timezone: z
      .string()
      .refine(isTimeZone, { message: 'expected an IANA time zone such as "Europe/Berlin" or "UTC"' })
      .default('UTC'),
  })
  .refine((w) => !/^\d\d:\d\d$/.test(w.from) || w.from < w.to, {
    path: ['to'],
    message: 'must be later than from (a window spans one day; list two windows to cross midnight)',
  });

/** `rollout:`: how many restarts one publish carries, and when restarts may be published. */
const rollout = z.strictObject({
  maxRestartsPerRun: z.number().int().positive().optional(),
  windows: z.array(window).default([]),
});

/** The runs a hook is told about. */
export const NOTIFY_EVENTS = ['restart', 'record', 'blocked', 'deferred', 'error'] as const;

/** One `notify[]` hook. */
const hook = z.strictObject({
  // A repository-written URL the run POSTs to from inside the cluster: see ./hook-url.ts for the rule.
  url: z.string().superRefine((value, ctx) => {
    const problem = hookUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  format: z.enum(['slack', 'json']).default('json'),
  on: z.array(z.enum(NOTIFY_EVENTS)).min(1).default(['restart', 'blocked', 'error']),
  /** The environment variable holding the HMAC key of `X-Vault-Rollout-Signature` (json hooks). */
  secretHeaderEnv: envName.optional(),
});

const sources = z.strictObject({
  annotation: z.boolean().default(true),
  vaultAgent: z.boolean().default(true),
  externalSecrets: z.boolean().default(true),
  vaultSecretsOperator: z.boolean().default(true),
  argocdVaultPlugin: z.boolean().default(true),
  bankVaults: z.boolean().default(true),
  csi: z.boolean().default(true),
});

/** A dotted key path into chart values, e.g. `podAnnotations` or `controller.podAnnotations`. */
const valuesPath = z
  .string()
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, {
    message:
      'expected a dotted path into the chart values, e.g. "podAnnotations" or "controller.podAnnotations"',
  })
  .transform((p) => p.split('.'));

/** A dotted path into chart values where `*` stands for any key or list index. */
const secretValuePath = z
  .string()
  .regex(/^(\*|[A-Za-z0-9_-]+)(\.(\*|[A-Za-z0-9_-]+))*$/, {
    message: 'expected a dotted path into the chart values, e.g. "extraEnvSecrets.*.secret"',
  })
  .transform((p) => p.split('.'));

/** A repo-relative folder (`clusters/prod`, `./clusters/prod/`), normalised without `./` and trailing `/`. */
const folder = z
  .string()
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !/[*?[\]{}]/.test(p), {
    message: 'expected a folder of the repository, e.g. "clusters/prod" (no glob, no "..", not absolute)',
  })
  .transform((p) =>
    p
      .replace(/^(\.\/)+/, '')
      .replace(/\/+$/, '')
      .replace(/^\.$/, ''),
  );

/** One `environments[]` entry: the render roots of one cluster (or stage) and the Vault it reads. */
const environment = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/, {
      message: 'expected a short name such as "prod" or "dev-eu" (letters, digits, ".", "_", "-")',
    }),
    /**
     * The folder holding this cluster's deployment objects (Flux Kustomizations, Argo CD Applications):
     * the environment is every root they reach, transitively.
     */
    entry: folder.optional(),
    /**
     * Globs of the render roots' folders, or of the files of the deployment objects that reach them (or,
     * for a manifest no root builds, of its file).
     */
    paths: z.array(glob).min(1, { message: 'list at least one glob, e.g. "clusters/prod/**"' }).optional(),
    vault: vault.optional(),
  })
  .superRefine((e, ctx) => {
    if (e.entry === undefined && e.paths === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['entry'],
        message:
          'give entry (the cluster\'s folder of deployment objects, e.g. "clusters/prod") or paths (globs of its roots)',
      });
  })
  .transform((e) => ({ ...e, paths: e.paths ?? [] }));

/** Which workloads a `rules[]` or `ignore[]` entry selects; all given fields must match. */
const select = z.strictObject({
  path: glob.optional(),
  kind: z.enum([...WORKLOAD_KINDS, ...CHART_KINDS]).optional(),
  namespace: z.string().optional(),
  name: glob.optional(),
  labels: z.record(z.string(), labelValue).optional(),
});

/** One `ignore[]` entry: the workloads it selects are left alone (action `ignored`), like the annotation. */
const ignoreEntry = z.strictObject({ select });

const rule = z
  .strictObject({
    select,
    secrets: z.array(secretPath).min(1, { message: 'list at least one secret path' }).optional(),
    /**
     * For a Helm-based app (`kind: HelmRelease`, `Application` or `HelmValues`): the chart value that becomes
     * the pod template's annotations; default `podAnnotations`.
     */
    podAnnotations: valuesPath.optional(),
    /**
     * For a Helm-based app: chart values that hold the name of a Kubernetes Secret the chart mounts, in a
     * shape the chart chose (`extraEnvSecrets.*.secret`; `*` is any key or list item), followed like
     * `existingSecret`.
     */
    secretValues: z.array(secretValuePath).min(1).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.secretValues !== undefined && !isChartKind(r.select.kind)) {
      ctx.addIssue({
        code: 'custom',
        path: ['secretValues'],
        message: `secretValues applies to Helm-based apps: set select.kind to ${CHART_KINDS.join(', ')}`,
      });
    }
    if (r.secrets === undefined && r.podAnnotations === undefined && r.secretValues === undefined) {
      ctx.addIssue({ code: 'custom', path: ['secrets'], message: 'list at least one secret path' });
    }
    const kind = r.select.kind;
    if (kind === 'HelmValues' && r.select.path === undefined) {
      // Without a path every plain YAML file of the repository would count as chart values.
      ctx.addIssue({
        code: 'custom',
        path: ['select', 'path'],
        message:
          'kind HelmValues selects values files by path: give select.path, e.g. "charts/web/values-prod.yaml"',
      });
    }
    if (r.podAnnotations !== undefined && !isChartKind(kind)) {
      ctx.addIssue({
        code: 'custom',
        path: ['podAnnotations'],
        message: `podAnnotations applies to Helm-based apps: set select.kind to ${CHART_KINDS.join(', ')}`,
      });
    }
  });

/** A manifest file larger than this is reported and skipped, so one huge file cannot stall a run. */
export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;

export const configSchema = z.strictObject({
  vault: vault.prefault({}),
  git: git.prefault({}),
  github: requestBounds.prefault({}),
  /** Where pull (merge) requests are opened; else detected (SPEC, "Forges: GitHub and GitLab"). */
  forge: z.enum(['github', 'gitlab']).optional(),
  gitlab: gitlab.prefault({}),
  rollout: rollout.prefault({}),
  notify: z.array(hook).default([]),
  maxFileBytes: z.number().int().positive().default(DEFAULT_MAX_FILE_BYTES),
  include: z.array(glob).default([...DEFAULT_INCLUDE]),
  exclude: z.array(glob).default([]),
  annotationPrefix: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
      message: 'expected a DNS-subdomain-style annotation prefix such as "vault-rollout" or "example.com"',
    })
    .max(253)
    .default('vault-rollout'),
  mode: z.enum(['commit', 'pr']).optional(),
  branch: z
    .string()
    .superRefine((value, ctx) => {
      const problem = branchNameProblem(value);
      if (problem)
        ctx.addIssue({
          code: 'custom',
          message: `not a branch name git accepts: ${problem} (got "${value}")`,
        });
    })
    .optional(),
  pinVersions: z.boolean().default(true),
  environments: z
    .array(environment)
    .default([])
    .superRefine((envs, ctx) => {
      const seen = new Set<string>();
      envs.forEach((e, i) => {
        if (seen.has(e.name))
          ctx.addIssue({
            code: 'custom',
            path: [i, 'name'],
            message: `environment "${e.name}" is listed twice`,
          });
        seen.add(e.name);
      });
    }),
  sources: sources.prefault({}),
  rules: z.array(rule).default([]),
  ignore: z.array(ignoreEntry).default([]),
  commit: z
    .strictObject({
      author: z
        .string()
        .regex(AUTHOR, {
          message: 'expected "Name <email>", e.g. "vault-rollout <vault-rollout@example.com>"',
        })
        .optional(),
      /**
       * The user's own Liquid template of the commit message (a file in the repository); default the shipped
       * templates/commit-message.liquid. The `Vault-Secret:` trailers are appended in code, whatever it says.
       */
      messageTemplate: repoFile.optional(),
    })
    .optional(),
  pullRequest: z
    .strictObject({
      labels: z.array(z.string()).default([]),
      reviewers: z.array(z.string()).default([]),
      /** Open the pull request as a draft (an existing one keeps its state). */
      draft: z.boolean().default(false),
      autoMerge: z.boolean().default(false),
      /** The user's own Liquid templates of the title and body (files in the repository); default the shipped ones. */
      titleTemplate: repoFile.optional(),
      bodyTemplate: repoFile.optional(),
      /**
       * Create the pull-request commit (and, with `mode: commit`, the base-branch commit) through GitHub's
       * Git Data API instead of a git push. GitHub signs such commits with the App's (or the token user's)
       * identity and shows them as verified, which "Require signed commits" branch protection needs; the
       * configured `commit.author` is not used then (an explicit author would drop GitHub's signature).
       * Needs `contents: write` on the repository. The `--api-commits` flag turns it on too.
       */
      apiCommits: z.boolean().default(false),
    })
    .prefault({}),
});

/** The validated config, defaults applied. */
export type Config = z.output<typeof configSchema>;
/** One `rules[]` entry. */
export type Rule = Config['rules'][number];

/** Splits `Name <email>` into its parts (the value was validated by the schema). */
export function parseAuthor(author: string): { name: string; email: string } | null {
  const m = AUTHOR.exec(author);
  return m ? { name: m[1]!, email: m[2]! } : null;
}
