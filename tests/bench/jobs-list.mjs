// Jobs list benchmark against nomad-sim's `large` scenario (10,000 jobs).
// Prints: time from navigation to the first rows painted, filter keystroke →
// painted (median and p95), JS heap after load, /v1 requests in the first
// 10 s, and what one live update of the full list costs.
// Run: node tests/bench/jobs-list.mjs   (after scripts/build-ui.sh and
// cargo build --release -p nomad-sim)
import { launch } from '../e2e/lib.mjs';
import { pct, settledLargeSim, probeFirstRows, keystrokes } from './common.mjs';

// (the scenario's batch jobs all finish ~20 s in)
const sim = await settledLargeSim('/v1/jobs?namespace=*', 250);
const browser = await launch();

async function run() {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  const requests = [];
  const t0 = Date.now();
  page.on('request', (r) => { if (r.url().includes('/v1/')) requests.push([Date.now() - t0, r.url()]); });
  await probeFirstRows(page, 'jobs-table');
  await page.goto(`${sim.ui}/jobs`);
  await page.waitForFunction(() => window.__firstRows, null, { timeout: 60000 });
  const firstRows = await page.evaluate(() => window.__firstRows);
  // keystrokes: type and erase a query, one character at a time
  const lat = (await keystrokes(page, 'jobs-filter', 'billing-auth')).map((x) => x[0]);
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
