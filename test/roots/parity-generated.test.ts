/**
 * Kustomize parity as a property: random kustomize repositories (test/support/kustomize-cases.ts) are
 * built by `kubectl kustomize` and by the product, and what discovery reads must agree case by case. A
 * case kustomize refuses must be refused by the product or reported by it, never a silent result.
 *
 * kubectl costs 50-100 ms a call, so cases are batched: each temporary repository holds BATCH cases and a
 * kustomization `all/` listing their roots, built by one kubectl call (every object of a case carries
 * its case in its name); a batch kustomize refuses is split in halves until the refused cases are alone.
 * Faulty cases (mostly refused) are built alone, so the others build 100 to a call: 1,000 cases take about
 * 80 kubectl calls (about 120 s on a loaded two-core machine, nearly all of it kubectl).
 * PARITY_CASES and PARITY_SEED change the number of cases and the seed; PARITY_TIMINGS=1 prints each
 * call's size and time, and every case of the intended-to-build kind that did not agree or build.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { caseArb, caseFiles, type Case } from '../support/kustomize-cases.js';
import { describeIfKubectl, renderRoot } from '../support/kustomize.js';
import { compareRoot, pool, productBuilds, type RootParity } from '../support/kustomize-parity.js';

const CASES = Number(process.env['PARITY_CASES'] ?? 1000);
const SEED = Number(process.env['PARITY_SEED'] ?? 20261207);
const BATCH = 100;

/** kubectl's output split by case (`c<n>-` in every object's name), or its error. */
type Rendered = { ok: true; text: string } | { ok: false; error: string };

describeIfKubectl('kustomize parity on generated repositories', () => {
  let tmp = '';
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'vr-parity-'));
  });
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it(
    `${CASES} generated cases build the same for discovery (seed ${SEED})`,
    { timeout: 600_000 },
    async () => {
      const started = performance.now();
      const cases = fc.sample(caseArb, { numRuns: CASES, seed: SEED });
      const batches: Case[][] = [];
      for (let i = 0; i < cases.length; i += BATCH) batches.push(cases.slice(i, i + BATCH));
      let kubectlCalls = 0;
      const timings: string[] = [];

      const results = await pool(batches, 2, async (batch) => {
        const b = batches.indexOf(batch);
        const dir = join(tmp, `b${b}`);
        const files: { path: string; text: string }[] = [];
        batch.forEach((c, i) => {
          for (const [path, text] of Object.entries(caseFiles(c, b * BATCH + i))) files.push({ path, text });
        });
        for (const f of files) {
          await mkdir(dirname(join(dir, f.path)), { recursive: true });
          await writeFile(join(dir, f.path), f.text);
        }
        const product = productBuilds(files);
        const ids = batch.map((_, i) => b * BATCH + i);
        const rendered = new Map<number, Rendered>();
        let tops = 0;
        // One kubectl call for the cases in `group`; halves of a refused group, down to single cases.
        const render = async (group: number[]): Promise<void> => {
          kubectlCalls++;
          const t0 = performance.now();
          let result: Rendered;
          if (group.length === 1) {
            result = await renderRoot(join(dir, `c${group[0]}/root`)).then(
              (text) => ({ ok: true as const, text }),
              (err: Error) => ({ ok: false as const, error: err.message }),
            );
          } else {
            const top = join(dir, `all${tops++}`);
            await mkdir(top, { recursive: true });
            await writeFile(
              join(top, 'kustomization.yaml'),
              `resources:\n${group.map((n) => `  - ../c${n}/root\n`).join('')}`,
            );
            result = await renderRoot(top).then(
              (text) => ({ ok: true as const, text }),
              (err: Error) => ({ ok: false as const, error: err.message }),
            );
            if (!result.ok) {
              const half = Math.ceil(group.length / 2);
              await render(group.slice(0, half));
              await render(group.slice(half));
              return;
            }
          }
          timings.push(`${group.length}:${result.ok ? 'ok' : 'no'}:${Math.round(performance.now() - t0)}`);
          for (const n of group) rendered.set(n, result);
        };
        // Faulty cases are mostly refused: each alone, so the others build in one call.
        await render(ids.filter((n) => !cases[n]!.faulty));
        await pool(
          ids.filter((n) => cases[n]!.faulty),
          1,
          (n) => render([n]),
        );
        return ids.map((n) => {
          const out = rendered.get(n)!;
          const own = out.ok ? { ok: true as const, text: ofCase(out.text, n) } : out;
          const r = compareRoot(product, `c${n}/root`, own);
          if (r.status === 'kubectl refuses')
            r.reported = r.reported.filter((line) => line.startsWith(`c${n}/`));
          return { r, c: cases[n]! };
        });
      });
      const all = results.flat();
      if (process.env['PARITY_TIMINGS']) {
        console.log(timings.join(' '));
        for (const { r, c } of all)
          if (!c.faulty && r.status !== 'same')
            console.log(JSON.stringify(r).slice(0, 700), JSON.stringify(c));
      }
      const seconds = (performance.now() - started) / 1000;
      const count = (s: RootParity['status']) => all.filter(({ r }) => r.status === s).length;
      console.log(
        `kustomize parity: ${all.length} generated cases in ${seconds.toFixed(1)} s, ${kubectlCalls} kubectl calls; ` +
          `same ${count('same')}, both refuse ${count('both refuse')}, kubectl refuses ${count('kubectl refuses')}`,
      );
      const bad = all.filter(
        ({ r }) =>
          r.status === 'differs' ||
          r.status === 'product refuses' ||
          (r.status === 'kubectl refuses' && r.reported.length === 0),
      );
      expect(bad.slice(0, 5).map(({ r, c }) => ({ ...r, case: JSON.stringify(c) }))).toEqual([]);
      expect(all.length).toBe(CASES);
      // The generator must mostly build, or the property says little.
      expect(count('same')).toBeGreaterThan(CASES / 2);
    },
  );
});

/** The documents of one case in a build of many (its objects' names hold `c<n>-`). */
function ofCase(text: string, n: number): string {
  const mine = new RegExp(`^\\s*name: (?:[a-z]+-)*c${n}-`, 'm');
  return text
    .split(/^---$/m)
    .filter((d) => mine.test(d.replace(/^ {4,}.*$/gm, '')))
    .join('---\n');
}
