// Topology benchmark against nomad-sim's `large` scenario (2,000 clients,
// 50,000 allocations). Prints: navigation → the clients painted, → every
// allocation drawn; and a hover frame (pointer move over a bar → the
// tooltip updated and the frame painted), median and p95; JS heap after.
// Run: node tests/bench/topology.mjs   (after scripts/build-ui.sh and
// cargo build --release -p nomad-sim)
import { launch } from '../e2e/lib.mjs';
import { pct, settledLargeSim } from './common.mjs';

const sim = await settledLargeSim('/v1/allocations?namespace=*&task_states=false', 2500);
const browser = await launch();

async function run() {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (!window.__nodes && document.querySelector('[data-testid=topo-node]')) {
        requestAnimationFrame(() => { window.__nodes = performance.now(); });
      }
      if (!window.__allocs && /allocations placed/.test(document.querySelector('[data-testid=topo-summary]')?.textContent || '')) {
        requestAnimationFrame(() => { window.__allocs = performance.now(); });
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  await page.goto(`${sim.ui}/topology`);
  await page.waitForFunction(() => window.__allocs, null, { timeout: 120000 });
  const cells = await page.evaluate(() => document.querySelectorAll('[data-testid=topo-node]').length);
  await page.waitForTimeout(1500);
  // hover frames: the pointer moves over 80 bars in view, one at a time
  const hover = await page.evaluate(async () => {
    const bars = [...document.querySelectorAll('.topo-bar')].filter((b) => {
      const r = b.getBoundingClientRect();
      return r.top > 0 && r.bottom < innerHeight;
    });
    const out = [];
    for (let i = 0; i < 80 && bars.length; i++) {
      const b = bars[(i * 37) % bars.length];
      const r = b.getBoundingClientRect();
      const x = r.left + r.width * ((i % 9) + 0.5) / 10;
      const t0 = performance.now();
      b.dispatchEvent(new MouseEvent('mousemove', { bubbles: true, clientX: x, clientY: r.top + r.height / 2 }));
      await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
      out.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
    return out;
  });
  const tip = await page.$('[data-testid=topo-tip]');
  const heap = await page.evaluate(() => performance.memory ? performance.memory.usedJSHeapSize : 0);
  const r = { nodes: await page.evaluate(() => window.__nodes), allocs: await page.evaluate(() => window.__allocs), hover, cells, tip: !!tip, heap };
  await ctx.close();
  return r;
}

const runs = [];
for (let i = 0; i < 3; i++) runs.push(await run());
const nodes = runs.map((r) => r.nodes);
const allocs = runs.map((r) => r.allocs);
const hover = runs.flatMap((r) => r.hover);
console.log(`topology, large scenario (2,000 clients, 50,000 allocations), ${runs.length} runs; ${runs[0].cells} cells drawn, tooltip shown: ${runs.every((r) => r.tip)}`);
console.log(`  clients painted:        median ${pct(nodes, 0.5).toFixed(0)} ms (runs: ${nodes.map((x) => x.toFixed(0)).join(', ')} ms)`);
console.log(`  allocations drawn:      median ${pct(allocs, 0.5).toFixed(0)} ms (runs: ${allocs.map((x) => x.toFixed(0)).join(', ')} ms)`);
console.log(`  hover → frame painted:  median ${pct(hover, 0.5).toFixed(1)} ms, p95 ${pct(hover, 0.95).toFixed(1)} ms (${hover.length} moves)`);
console.log(`  JS heap after load:     ${(Math.max(...runs.map((r) => r.heap)) / 1048576).toFixed(1)} MB`);
await browser.close();
sim.stop();
