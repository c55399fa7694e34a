// The `huge` scenario (100,000 jobs, 500,000 allocations, 10,000
// clients): for the jobs, allocations and clients pages prints the time
// from navigation to the first rows painted, when the page settled into
// what it shows (pages cut by the agent for jobs and allocations, the
// whole client list), and the JS + wasm heap once settled; then a filter
// typed into the paged jobs list (URL follows → agent filter → painted).
// Run: node tests/bench/huge.mjs   (after scripts/build-ui.sh and
// cargo build --release -p nomad-sim; the simulator needs ~10 GB)
import { launch, startSim } from '../e2e/lib.mjs';
import { pct, probeFirstRows } from './common.mjs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
process.env.YURT_SIM_BIN ||= join(process.env.CARGO_TARGET_DIR || join(process.env.HOME || root, '.cache', 'yurt', 'target'), 'release', 'nomad-sim');
const t0 = Date.now();
const sim = await startSim(['--scenario', 'huge']);
console.log(`huge scenario generated and serving after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
// past the start-up burst (the batch jobs finishing): a page answers quickly
for (let calm = 0, t = Date.now(); calm < 3 && Date.now() - t < 120000;) {
  const s = Date.now();
  await (await fetch(`${sim.url}/v1/jobs?namespace=*&per_page=50`)).arrayBuffer();
  calm = Date.now() - s < 100 ? calm + 1 : 0;
  await new Promise((r) => setTimeout(r, 1000));
}
const browser = await launch();

const PAGES = [
  { name: 'jobs', path: '/jobs', table: 'jobs-table', settled: () => !!document.querySelector('[data-testid=paged]') },
  { name: 'allocations', path: '/allocations', table: 'allocs-table', settled: () => !!document.querySelector('[data-testid=paged]') },
  { name: 'clients', path: '/clients', table: 'clients-table', settled: () => /left out/.test(document.querySelector('[data-testid=clients-count]')?.textContent || '') },
];

const heap = (page) => page.evaluate(() => ({
  js: performance.memory.usedJSHeapSize,
  wasm: window.__yurtWasmMemory?.buffer.byteLength || 0,
}));

async function run(p) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  await probeFirstRows(page, p.table);
  await page.goto(`${sim.ui}${p.path}`);
  await page.waitForFunction(() => window.__firstRows, null, { timeout: 120000 });
  const firstRows = await page.evaluate(() => window.__firstRows);
  await page.waitForFunction(p.settled, null, { timeout: 120000 });
  const settled = await page.evaluate(() => performance.now());
  await page.waitForTimeout(5000);
  // what stays: collect garbage first (the probe read of the whole list)
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const mem = await heap(page);
  let filter = null;
  if (p.name === 'jobs') {
    const t = await page.evaluate(() => performance.now());
    await page.fill('[data-testid=jobs-filter]', 'billing-auth-0');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('tr[data-job]')];
      return rows.length > 0 && rows.every((r) => r.getAttribute('data-job').startsWith('billing-auth-0'));
    }, null, { timeout: 60000 });
    filter = (await page.evaluate(() => performance.now())) - t;
  }
  await ctx.close();
  return { firstRows, settled, mem, filter };
}

for (const p of PAGES) {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await run(p));
  const mb = (b) => (b / 1048576).toFixed(0);
  const worst = runs.reduce((a, r) => (r.mem.js + r.mem.wasm > a.js + a.wasm ? r.mem : a), { js: 0, wasm: 0 });
  console.log(`${p.name} page on huge, ${runs.length} runs`);
  console.log(`  first rows painted:   median ${pct(runs.map((r) => r.firstRows), 0.5).toFixed(0)} ms (runs: ${runs.map((r) => r.firstRows.toFixed(0)).join(', ')} ms)`);
  console.log(`  settled:              median ${pct(runs.map((r) => r.settled), 0.5).toFixed(0)} ms`);
  console.log(`  heap once settled:    JS ${mb(worst.js)} MB + wasm ${mb(worst.wasm)} MB = ${mb(worst.js + worst.wasm)} MB (largest run)`);
  if (p.name === 'jobs') console.log(`  filter typed → agent-filtered rows painted: median ${pct(runs.map((r) => r.filter), 0.5).toFixed(0)} ms`);
}
await browser.close();
sim.stop();
