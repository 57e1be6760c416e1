#!/usr/bin/env node
import { createRequire as __vrCreateRequire } from 'node:module';
const require = __vrCreateRequire(import.meta.url);

// src/progress.ts
var DEFAULT_PROGRESS_INTERVAL_MS = 5e3;
var PHASES = {
  files: { label: "Reading manifests", unit: "file", counted: true },
  vault: { label: "Reading Vault metadata", unit: "secret", counted: true },
  write: { label: "Writing the commit", unit: "file", counted: false },
  push: { label: "Pushing", unit: null, counted: false }
};
function createProgress(opts) {
  const now = opts.now ?? Date.now;
  const interval = Math.max(1, opts.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
  const delay = opts.delayMs ?? 300;
  let phase = null;
  let lastShown = 0;
  let shown = false;
  let timer = null;
  const seconds = () => phase ? Math.round((now() - phase.started) / 1e3) : 0;
  const text = () => {
    if (!phase) return "";
    const { label, unit, counted } = PHASES[phase.name];
    const count = unit === null ? "" : counted && phase.done > 0 ? ` ${phase.done}${phase.total !== null ? ` of ${phase.total}` : ""} ${unit}(s)` : phase.total !== null ? ` ${phase.total} ${unit}(s)` : "";
    return `${label}${count ? `:${count}` : ""} (${seconds()} s)`;
  };
  const clearLine = () => {
    if (opts.tty && shown) opts.write("\r\x1B[2K");
  };
  const draw = () => {
    const line = text();
    opts.write(`\r\x1B[2K${opts.columns ? line.slice(0, opts.columns - 1) : line}`);
    shown = true;
  };
  const data = () => phase ? {
    phase: phase.name,
    done: phase.done,
    ...phase.total !== null ? { total: phase.total } : {},
    seconds: seconds()
  } : {};
  const maybeShow = () => {
    if (!phase) return;
    const t = now();
    if (opts.tty) {
      if (t - phase.started < delay || shown && t - lastShown < 100) return;
      lastShown = t;
      draw();
    } else if (t - lastShown >= interval) {
      lastShown = t;
      shown = true;
      opts.log(text(), data());
    }
  };
  const stopTimer = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  const reporter = {
    start(name, total) {
      if (phase) reporter.end();
      phase = { name, total: total ?? null, done: 0, started: now() };
      lastShown = phase.started;
      shown = false;
      timer = setInterval(maybeShow, opts.tty ? 250 : interval);
      timer.unref?.();
    },
    advance(n = 1) {
      if (!phase) return;
      phase.done += n;
      maybeShow();
    },
    end() {
      if (!phase) return;
      stopTimer();
      if (opts.tty) clearLine();
      else if (shown) {
        const { label, unit, counted } = PHASES[phase.name];
        const n = counted && phase.done > 0 ? phase.done : phase.total;
        opts.log(
          `${label}: done${unit === null || n === null ? "" : `, ${n} ${unit}(s)`} in ${seconds()} s`,
          data()
        );
      }
      phase = null;
      shown = false;
    },
    above(line) {
      if (opts.tty && shown) {
        opts.write("\r\x1B[2K");
        opts.write(line);
        draw();
      } else opts.write(line);
    },
    close() {
      reporter.end();
      stopTimer();
    }
  };
  return reporter;
}

export {
  DEFAULT_PROGRESS_INTERVAL_MS,
  createProgress
};
