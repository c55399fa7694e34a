// Jobs list benchmark against nomad-sim's `large` scenario (10,000 jobs).
// Prints: time from navigation to the first rows painted, filter keystroke →
// painted (median and p95), JS heap after load, /v1 requests in the first
// 10 s, and what one live update of the full list costs.
// Run: node tests/bench/jobs-list.mjs   (after scripts/build-ui.sh and
// cargo build --release -p nomad-sim)
import { startSim, launch } from '../e2e/lib.mjs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
process.env.YURT_SIM_BIN ||= join(process.env.CARGO_TARGET_DIR || join(process.env.HOME || root, '.cache', 'yurt', 'target'), 'release', 'nomad-sim');
const sim = await startSim(['--scenario', 'large']);
// Let the simulated cluster settle (its batch jobs all finish ~20 s in):
// measure the UI, not the simulator's start-up burst.
for (let calm = 0, t = Date.now(); calm < 3 && Date.now() - t < 90000;) {
  const s = Date.now();
  await (await fetch(`${sim.url}/v1/jobs?namespace=*`)).arrayBuffer();
  calm = Date.now() - s < 250 ? calm + 1 : 0;
  await new Promise((r) => setTimeout(r, 1000));
}
const browser = await launch();
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };

async function run() {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  const requests = [];
  const t0 = Date.now();
  page.on('request', (r) => { if (r.url().includes('/v1/')) requests.push([Date.now() - t0, r.url()]); });
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.querySelector('[data-testid=jobs-table] tbody tr')) {
        requestAnimationFrame(() => { window.__firstRows = performance.now(); });
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`${sim.ui}/jobs`);
  await page.waitForFunction(() => window.__firstRows, null, { timeout: 60000 });
  const firstRows = await page.evaluate(() => window.__firstRows);
  // keystrokes: type and erase a query, one character at a time
  const lat = await page.evaluate(async () => {
    const input = document.querySelector('[data-testid=jobs-filter]');
    const out = [];
    const word = 'billing-auth';
    const seq = [];
    for (let i = 1; i <= word.length; i++) seq.push(word.slice(0, i));
    for (let i = word.length - 1; i >= 0; i--) seq.push(word.slice(0, i));
    for (let round = 0; round < 2; round++) {
      for (const v of seq) {
        const t = performance.now();
        input.value = v;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        out.push(performance.now() - t);
      }
    }
    return out;
  });
  const heap = await page.evaluate(() => performance.memory ? performance.memory.usedJSHeapSize : 0);
  await page.waitForTimeout(Math.max(0, 10000 - (Date.now() - t0)));
  const in10s = requests.filter((r) => r[0] <= 10000).length;
  const updates = await page.evaluate(() => (window.__yurtUpdates || []).filter((u) => u.path === '/v1/jobs'));
  await ctx.close();
  return { firstRows, lat, heap, in10s, updates };
}

const runs = [];
for (let i = 0; i < 3; i++) runs.push(await run());
const first = runs.map((r) => r.firstRows);
const lat = runs.flatMap((r) => r.lat);
const up = runs.flatMap((r) => r.updates);
console.log(`jobs list, large scenario (10,000 jobs), ${runs.length} runs`);
console.log(`  first rows painted:        median ${pct(first, 0.5).toFixed(0)} ms (runs: ${first.map((x) => x.toFixed(0)).join(', ')} ms)`);
console.log(`  filter keystroke→painted:  median ${pct(lat, 0.5).toFixed(1)} ms, p95 ${pct(lat, 0.95).toFixed(1)} ms (${lat.length} keystrokes)`);
console.log(`  JS heap after load:        ${(Math.max(...runs.map((r) => r.heap)) / 1048576).toFixed(1)} MB`);
console.log(`  /v1 requests in first 10s: ${runs.map((r) => r.in10s).join(', ')}`);
if (up.length) console.log(`  one full /v1/jobs update:  ${(up[0].bytes / 1e6).toFixed(2)} MB, decode median ${pct(up.map((u) => u.decodeMs), 0.5).toFixed(0)} ms`);
await browser.close();
sim.stop();
