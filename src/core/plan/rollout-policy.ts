/**
 * Rollout safety (docs/configuration.md "rollout"): how many restarts one commit or request carries, and
 * when restarts may be published at all. A restart held back becomes `deferred`: its files keep their
 * text (no record, no trigger, no pin this run), so the next run finds the same outdated versions and
 * restarts it then. Adoption (`record`) changes no pod template and is never held back.
 *
 * Pure: the run's clock comes in as a `Date`; days and hours are read in each window's IANA time zone with
 * `Intl.DateTimeFormat`, which follows the zone's daylight-saving rules (a wall-clock hour that a spring
 * change skips is never inside a window; one that the autumn change repeats is inside it both times).
 */
import type { Config } from '../config/definition.js';
import type { PlannedWorkload } from '../model.js';

export type RolloutConfig = Config['rollout'];
export type RolloutWindow = RolloutConfig['windows'][number];

const WEEKDAY: Record<string, RolloutWindow['days'][number]> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

const formats = new Map<string, Intl.DateTimeFormat>();

/** The weekday and `HH:MM` wall-clock time at `now` in `timeZone`. */
export function wallClock(now: Date, timeZone: string): { day: RolloutWindow['days'][number]; time: string } {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(now).map((p) => [p.type, p.value]));
  const day = WEEKDAY[parts.weekday ?? ''];
  if (day === undefined) throw new Error(`internal: no weekday for ${now.toISOString()} in "${timeZone}"`);
  return { day, time: `${parts.hour}:${parts.minute}` };
}

/** Whether `now` lies in the window: one of its days, `from` included, `to` excluded, in its zone. */
export function inWindow(window: RolloutWindow, now: Date): boolean {
  const { day, time } = wallClock(now, window.timezone);
  return window.days.includes(day) && window.from <= time && time < window.to;
}

/** `mon-thu 09:00-16:00 Europe/Berlin`, as a reason names a window. */
function windowText(w: RolloutWindow): string {
  return `${w.days.join(',')} ${w.from}-${w.to} ${w.timezone}`;
}

/**
 * An RFC 3339 time as [whole seconds in ms, nanoseconds], so Vault's nanosecond times (two writes within one
 * millisecond) keep their order; null when it is not a time.
 */
function instant(text: string): [number, number] | null {
  const m = /^([^.]+?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i.exec(text.trim());
  if (!m) return null;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (!Number.isFinite(seconds)) return null;
  return [seconds, Number((m[2] ?? '').padEnd(9, '0').slice(0, 9))];
}

const NEVER: [number, number] = [Number.POSITIVE_INFINITY, 0];
const before = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/** When the workload's change happened: the oldest update time of the secrets it restarts for. */
function changedAt(p: PlannedWorkload): [number, number] {
  let oldest = NEVER;
  for (const s of p.secrets) {
    if (s.state !== 'outdated' || s.updatedTime === null) continue;
    const t = instant(s.updatedTime);
    if (t !== null && before(t, oldest)) oldest = t;
  }
  return oldest;
}

/** A key that orders workloads the same way on every run (two roots can build one document). */
function stableKey(p: PlannedWorkload): string {
  const w = p.workload;
  return [
    w.environment ?? '',
    w.root ?? '',
    w.file,
    String(w.document).padStart(6, '0'),
    w.kind,
    w.name,
  ].join('\u0000');
}

/**
 * The restarts of `planned` in the order a cap keeps them: oldest change first (a secret without an update
 * time last), then by environment, root, file, document and name, so that runs agree on who waits.
 */
export function restartOrder(planned: readonly PlannedWorkload[]): PlannedWorkload[] {
  const keyed = planned
    .filter((p) => p.action === 'restart')
    .map((p) => ({ p, at: changedAt(p), key: stableKey(p) }));
  keyed.sort((a, b) =>
    before(a.at, b.at) ? -1 : before(b.at, a.at) ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
  );
  return keyed.map((k) => k.p);
}

function defer(p: PlannedWorkload, reason: string): void {
  p.action = 'deferred';
  p.newValue = null;
  p.pins = [];
  p.reasons.push(reason);
}

/**
 * Holds back the restarts `rollout` does not allow now: every one when `now` is outside all
 * `rollout.windows`, else those beyond `rollout.maxRestartsPerRun` in {@link restartOrder}. Changes the
 * planned workloads in place (as the other stages that turn a restart into `skipped` do) and returns the
 * deferred ones. Run it before the edit stage: a deferred workload gets no edit.
 *
 * @example
 * deferRestarts(planned, config.rollout, new Date('2026-12-05T10:00:00Z')); // a Saturday: all deferred
 */
export function deferRestarts(
  planned: readonly PlannedWorkload[],
  rollout: RolloutConfig,
  now: Date,
): PlannedWorkload[] {
  const restarts = restartOrder(planned);
  if (restarts.length === 0) return [];
  if (rollout.windows.length > 0 && !rollout.windows.some((w) => inWindow(w, now))) {
    const w0 = rollout.windows[0]!;
    const { day, time } = wallClock(now, w0.timezone);
    const reason =
      `outside rollout.windows (now ${day} ${time} ${w0.timezone}; windows: ` +
      `${rollout.windows.map(windowText).join('; ')}): a run inside a window restarts it`;
    for (const p of restarts) defer(p, reason);
    return restarts;
  }
  const max = rollout.maxRestartsPerRun;
  if (max === undefined || restarts.length <= max) return [];
  const held = restarts.slice(max);
  const reason = `rollout.maxRestartsPerRun is ${max}: ${max} older change(s) go first (${restarts.length} pending); a later run restarts it`;
  for (const p of held) defer(p, reason);
  return held;
}
