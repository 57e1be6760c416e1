/**
 * Discovery: repository files → the workloads that depend on Vault secrets, with the problems found on
 * the way. Pure: text in, data out.
 */
import type { Config } from '../config/schema.js';
import type { ChartKind, Problem, RepoFile, SecretRef, Workload, WorkloadKind } from '../model.js';
import {
  DEFAULT_POD_ANNOTATIONS,
  isValuesFileName,
  readChartTarget,
  valuesTarget,
  type ChartOptions,
  type ChartView,
} from './charts.js';
import { parseManifests } from './parse.js';
import { SOURCES } from './sources/index.js';
import { ruleMatcher } from './sources/rules.js';
import { workloadProblem, type WorkloadSource } from './sources/source.js';
import { readWorkload, workloadsInList } from './workloads.js';

export interface DiscoverResult {
  /** Workloads with at least one secret, sorted by file then document. */
  workloads: Workload[];
  problems: Problem[];
  /** YAML documents in the files that were read (empty documents included; skipped files count none). */
  documents: number;
  /**
   * The data of each file that holds a returned workload, when it was read on the fast path: the
   * editor's fast path checks its result against it instead of reading the file again.
   */
  fileData: Map<string, readonly unknown[]>;
  /** Every workload seen, with or without secrets, by kind. */
  seen: Partial<Record<WorkloadKind | ChartKind, number>>;
}

/**
 * Finds the workloads that depend on Vault secrets.
 * @param files repo files (already filtered by include/exclude); any order, the result is sorted
 * @param sources the discovery sources to run (tests pass a subset); each is also gated by `config.sources`
 * @example const { workloads, problems } = discover(loaded.files, config);
 */
export function discover(
  files: readonly RepoFile[],
  config: Config,
  sources: readonly WorkloadSource[] = SOURCES,
): DiscoverResult {
  const sorted = [...files].sort((a, b) => compare(a.path, b.path));
  const charts = chartOptions(config);
  // `<prefix>/secrets` (opt-in) and `<prefix>/secret-versions` (adopted): a values file with either is read.
  const optIn = `${config.annotationPrefix}/secret`;
  const parsed = parseManifests(
    sorted,
    undefined,
    (f) => isValuesFileName(f.path) || charts.selectedByRule(f.path) || f.text.includes(optIn),
  );
  const perFile = new Map<string, number>();
  for (const d of parsed.documents) perFile.set(d.file, (perFile.get(d.file) ?? 0) + 1);
  const problems = [...parsed.problems];
  const report = (problem: Problem) => problems.push(problem);

  const context = { config, documents: parsed.documents };
  const scanners = sources.filter((s) => s.enabled(config)).map((s) => s.collect(context));

  const workloads: Workload[] = [];
  const fileData = new Map<string, readonly unknown[]>();
  const seen: Partial<Record<WorkloadKind | ChartKind, number>> = {};
  for (const document of parsed.documents) {
    const listed = workloadsInList(document);
    if (listed > 0) {
      problems.push({
        file: document.file,
        severity: 'warning',
        message: `kind: List holds ${listed} workload(s): items of a List are not scanned; split them into documents`,
        ...(document.position([]) ? { line: document.position([])!.line } : {}),
      });
    }
    const view: ChartView | null =
      readWorkload(document, config.annotationPrefix) ??
      readChartTarget(document, perFile.get(document.file) ?? 0, charts);
    if (!view) continue;
    seen[view.workload.kind] = (seen[view.workload.kind] ?? 0) + 1;
    const secrets = dedupe(scanners.flatMap((scanner) => scanner.refsFor(view, report)));
    if (secrets.length > 0 && view.unsupported) {
      // It depends on Vault secrets, but there is nowhere safe to write the restart: say so, edit nothing.
      problems.push({
        ...workloadProblem(
          view,
          `${view.unsupported.message} (its secrets: ${secrets.map((r) => r.path).join(', ')})`,
          view.unsupported.at,
        ),
        severity: 'error',
      });
      continue;
    }
    if (secrets.length > 0) {
      workloads.push({ ...view.workload, secrets });
      const data = parsed.fastData.get(document.file);
      if (data) fileData.set(document.file, data);
    }
  }
  // Stable sort: by file, then as found (parse problems before source problems, each in line order).
  problems.sort((a, b) => compare(a.file, b.file));
  return { workloads, problems, documents: parsed.documentCount, fileData, seen };
}

/**
 * One ref per path: the first source wins; the other places that name it are appended to `via`, and every
 * place that can pin its version is kept.
 */
function dedupe(refs: readonly SecretRef[]): SecretRef[] {
  const byPath = new Map<string, SecretRef>();
  for (const ref of refs) {
    const first = byPath.get(ref.path);
    if (!first) byPath.set(ref.path, { ...ref });
    else {
      if (!first.via.split(', ').includes(ref.via)) first.via = `${first.via}, ${ref.via}`;
      if (ref.pins) first.pins = [...(first.pins ?? []), ...ref.pins];
    }
  }
  return [...byPath.values()];
}

/** Rules that configure Helm-based apps: which files are chart values, and each app's pod-annotations value. */
function chartOptions(config: Config): ChartOptions {
  const rules = config.rules.map((rule) => ({ rule, matches: ruleMatcher(rule) }));
  return {
    prefix: config.annotationPrefix,
    podAnnotations: (target) =>
      rules.find((r) => r.rule.podAnnotations !== undefined && r.matches(target))?.rule.podAnnotations ??
      DEFAULT_POD_ANNOTATIONS,
    selectedByRule: (file) =>
      rules.some((r) => r.rule.select.kind === 'HelmValues' && r.matches(valuesTarget(file))),
  };
}

/** Code-unit order: the same on every machine and locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
