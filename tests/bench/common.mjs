// Pieces shared by the list benchmarks: a simulated large cluster that
// has settled, the first-rows probe, and the filter keystroke loop.
import { startSim } from '../e2e/lib.mjs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };

/// nomad-sim (release build) with the `large` scenario, once `probe`
/// answers quickly three times running: measure the UI, not the
/// simulator's start-up burst.
export async function settledLargeSim(probe, quickMs) {
  process.env.YURT_SIM_BIN ||= join(process.env.CARGO_TARGET_DIR || join(process.env.HOME || root, '.cache', 'yurt', 'target'), 'release', 'nomad-sim');
  const sim = await startSim(['--scenario', 'large']);
  for (let calm = 0, t = Date.now(); calm < 3 && Date.now() - t < 90000;) {
    const s = Date.now();
    await (await fetch(`${sim.url}${probe}`)).arrayBuffer();
    calm = Date.now() - s < quickMs ? calm + 1 : 0;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return sim;
}

/// Sets `window.__firstRows` when the first row of table `testid` paints.
export function probeFirstRows(page, testid) {
  return page.addInitScript((table) => {
    new MutationObserver((_, obs) => {
      if (document.querySelector(`[data-testid=${table}] tbody tr`)) {
        requestAnimationFrame(() => { window.__firstRows = performance.now(); });
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  }, testid);
}

/// Keeps the longest main-thread task (ms) in `window.__longestTask`.
export function probeLongTasks(page) {
  return page.addInitScript(() => {
    window.__longestTask = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longestTask = Math.max(window.__longestTask, e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
}

/// Types `word` into the filter `testid` and erases it, one character at a
/// time, twice. For each keystroke: `[ms until the next frame has painted,
/// ms of the app's own work]` (handlers, effects and DOM updates end before
/// a zero timeout; the frame follows).
export function keystrokes(page, testid, word) {
  return page.evaluate(async ({ filter, word }) => {
    const input = document.querySelector(`[data-testid=${filter}]`);
    const out = [];
    const seq = [];
    for (let i = 1; i <= word.length; i++) seq.push(word.slice(0, i));
    for (let i = word.length - 1; i >= 0; i--) seq.push(word.slice(0, i));
    for (let round = 0; round < 2; round++) {
      for (const v of seq) {
        const t = performance.now();
        input.value = v;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await new Promise((r) => setTimeout(r, 0));
        const js = performance.now() - t;
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        out.push([performance.now() - t, js]);
      }
    }
    return out;
  }, { filter: testid, word });
}
