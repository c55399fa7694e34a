// Allocations and clients list benchmark against nomad-sim's `large`
// scenario (50,000 allocations on 2,000 clients). For each list prints:
// time from navigation to the first rows painted and to the whole list
// loaded, and the longest main-thread task meanwhile; filter keystroke
// (once loaded) → painted, median and p95, and the app's own work per
// keystroke; JS heap after load; and what one live update of the full
// list costs (bytes, decode time).
// Run: node tests/bench/lists.mjs   (after scripts/build-ui.sh and
// cargo build --release -p nomad-sim)
import { launch } from '../e2e/lib.mjs';
import { pct, settledLargeSim, probeFirstRows, probeLongTasks, keystrokes } from './common.mjs';

const sim = await settledLargeSim('/v1/allocations?namespace=*&task_states=false', 1500);
const browser = await launch();

const LISTS = [
  { name: 'allocations list (50,000 allocations)', path: '/allocations', table: 'allocs-table', filter: 'allocs-filter', count: 'allocs-count', word: 'search-api-08', api: '/v1/allocations' },
  { name: 'clients list (2,000 clients)', path: '/clients', table: 'clients-table', filter: 'clients-filter', count: 'clients-count', word: 'client-019', api: '/v1/nodes' },
];

async function run(l) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  await probeFirstRows(page, l.table);
  await probeLongTasks(page);
  await page.goto(`${sim.ui}${l.path}`);
  await page.waitForFunction(() => window.__firstRows, null, { timeout: 120000 });
  const firstRows = await page.evaluate(() => window.__firstRows);
  // every row loaded (the allocations list paints its newest page first)
  await page.waitForFunction((count) => !/Loading/.test(document.querySelector(`[data-testid=${count}]`)?.textContent || 'Loading'), l.count, { timeout: 120000 });
  const allRows = await page.evaluate(() => performance.now());
  const longest = await page.evaluate(() => window.__longestTask);
  const lat = await keystrokes(page, l.filter, l.word);
  const heap = await page.evaluate(() => performance.memory ? performance.memory.usedJSHeapSize : 0);
  await page.waitForTimeout(8000);
  const updates = await page.evaluate((api) => (window.__yurtUpdates || []).filter((u) => u.path === api), l.api);
  await ctx.close();
  return { firstRows, allRows, longest, lat, heap, updates };
}

for (const l of LISTS) {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await run(l));
  const first = runs.map((r) => r.firstRows);
  const lat = runs.flatMap((r) => r.lat.map((x) => x[0]));
  const js = runs.flatMap((r) => r.lat.map((x) => x[1]));
  const up = runs.flatMap((r) => r.updates);
  console.log(`${l.name}, ${runs.length} runs`);
  console.log(`  first rows painted:        median ${pct(first, 0.5).toFixed(0)} ms (runs: ${first.map((x) => x.toFixed(0)).join(', ')} ms)`);
  const all = runs.map((r) => r.allRows);
  console.log(`  whole list ready:          median ${pct(all, 0.5).toFixed(0)} ms`);
  console.log(`  longest main-thread task while loading: median ${pct(runs.map((r) => r.longest), 0.5).toFixed(0)} ms (input waits this long at worst)`);
  console.log(`  filter keystroke→painted:  median ${pct(lat, 0.5).toFixed(1)} ms, p95 ${pct(lat, 0.95).toFixed(1)} ms (${lat.length} keystrokes)`);
  console.log(`  app work per keystroke:    median ${pct(js, 0.5).toFixed(1)} ms, p95 ${pct(js, 0.95).toFixed(1)} ms`);
  console.log(`  JS heap after load:        ${(Math.max(...runs.map((r) => r.heap)) / 1048576).toFixed(1)} MB`);
  if (up.length) console.log(`  one full ${l.api} update: ${(up[0].bytes / 1e6).toFixed(2)} MB, decode median ${pct(up.map((u) => u.decodeMs), 0.5).toFixed(0)} ms`);
}
await browser.close();
sim.stop();
