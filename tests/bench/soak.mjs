// Fault soak: Yurt driven for MINUTES (10) through every page against
// nomad-sim with faults (--error-rate 0.05 --latency-ms 300
// --drop-stream-after 65536) and live churn (jobs registered and stopped,
// a client's eligibility flipped). One tab walks every page in the app
// (client-side navigation, as an operator clicks), another follows a
// task's log from its first byte. It prints:
//  - page errors (uncaught errors, wasm panics, CSP violations): must be 0;
//  - log lines lost or repeated in the follower against the agent's
//    `fs/cat` of the same file: must be 0;
//  - JS + wasm heap in use in each tab at minute 1 and at the end (after a
//    GC; the wasm figure is the allocator's live bytes, and the linear
//    memory's size, a high-water mark, is printed beside it): beyond the
//    log lines the follower holds on purpose, the end must be at most
//    1.5× minute 1;
//  - requests per minute of each tab (bounded; no storm after reconnects).
// Run: cargo build --release -p nomad-sim && bash scripts/build-ui.sh &&
//      node tests/bench/soak.mjs        (MINUTES=2 for a quick look)
import { startSim, launch, watchPage, everyPage } from '../e2e/lib.mjs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MINUTES = Number(process.env.MINUTES || 10);
const target = process.env.CARGO_TARGET_DIR || join(process.env.HOME || root, '.cache', 'yurt', 'target');
const release = join(target, 'release', 'nomad-sim');
if (existsSync(release)) process.env.YURT_SIM_BIN ||= release;
const sim = await startSim(['--error-rate', '0.05', '--latency-ms', '300', '--drop-stream-after', '65536']);
const browser = await launch();

/// The sim refuses 5% of requests: the harness's own retry until it answers.
async function call(method, path, body) {
  for (let i = 0; ; i++) {
    const r = await fetch(`${sim.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    const text = await r.text();
    if (r.ok) return text;
    if (i > 20) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}
const pages = await (async () => {
  for (;;) { try { return await everyPage(sim); } catch { await new Promise((r) => setTimeout(r, 500)); } }
})();
const alloc = JSON.parse(await call('GET', '/v1/allocations?namespace=*')).find((a) => a.JobID === 'web-frontend' && a.ClientStatus === 'running');
const task = Object.keys(alloc.TaskStates)[0];

// churn: a job registered, then stopped, and a client's eligibility flipped, every few seconds
let churning = true;
const node = JSON.parse(await call('GET', '/v1/nodes'))[0];
(async () => {
  for (let n = 0; churning; n++) {
    const id = `soak-${n % 4}`;
    if (n % 8 < 4) await call('POST', '/v1/jobs', { Job: { ID: id, TaskGroups: [{ Name: 'g', Count: 2, Tasks: [{ Name: 't', Driver: 'docker', Config: { image: 'nginx' } }] }] } });
    else await call('DELETE', `/v1/job/${id}`);
    if (n % 5 === 0) await call('POST', `/v1/node/${node.ID}/eligibility`, { NodeID: node.ID, Eligibility: n % 10 ? 'ineligible' : 'eligible' });
    await new Promise((r) => setTimeout(r, 3000));
  }
})().catch((e) => console.error('churn stopped:', e.message));

async function tab(name) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = [];
  await watchPage(page, errors);
  const perMinute = [];
  const t0 = Date.now();
  page.on('request', () => { const m = Math.floor((Date.now() - t0) / 60000); perMinute[m] = (perMinute[m] || 0) + 1; });
  const cdp = await ctx.newCDPSession(page);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return page.evaluate(() => ({
      js: performance.memory.usedJSHeapSize,
      wasm: window.__yurtWasmLive?.() || 0,
      memory: window.__yurtWasmMemory?.buffer.byteLength || 0,
      // what the log viewer holds on purpose (every line, up to its cap)
      held: window.__yurtLogs?.storeBytes || 0,
      lines: window.__yurtLogs?.lines || 0,
    }));
  };
  return { name, page, errors, perMinute, heap };
}

const walker = await tab('walker');
const follower = await tab('log follower');
await follower.page.goto(`${sim.ui}/allocations/${alloc.ID}/logs?task=${task}&origin=head`);
await walker.page.goto(`${sim.ui}/jobs`);

/// Client-side navigation, as a click on a link in the app.
const visit = (page, href) => page.evaluate((h) => {
  const a = document.createElement('a');
  a.href = h;
  document.body.append(a);
  a.click();
  a.remove();
}, href);

const start = Date.now();
const end = start + MINUTES * 60000;
let atMinute1 = null;
const outcomes = { ready: 0, errorPanel: 0, slow: 0 };
for (let i = 0; Date.now() < end; i++) {
  const [, path, ready] = pages[i % pages.length];
  await visit(walker.page, `/ui${path}`);
  const got = await walker.page.waitForSelector(`${ready}, .error-panel`, { timeout: 20000 }).catch(() => null);
  if (!got) outcomes.slow++;
  else if (await got.evaluate((e) => e.classList.contains('error-panel'))) outcomes.errorPanel++;
  else outcomes.ready++;
  await walker.page.waitForTimeout(4000);
  if (!atMinute1 && Date.now() - start > 60000) atMinute1 = { walker: await walker.heap(), follower: await follower.heap() };
}
const atEnd = { walker: await walker.heap(), follower: await follower.heap() };
churning = false;

// the follower's lines against the file as the agent has it
const ts = /^\d{4}-\d\d-\d\dT/;
const [download] = await Promise.all([follower.page.waitForEvent('download'), follower.page.click('[data-testid=log-download]')]);
const shown = (await (await import('node:fs/promises')).readFile(await download.path(), 'utf8')).split('\n').filter((l) => ts.test(l));
const file = (await call('GET', `/v1/client/fs/cat/${alloc.ID}?path=${encodeURIComponent(`alloc/logs/${task}.stdout.0`)}`))
  .replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => ts.test(l));
// the follower may be a moment behind: compare the part of the file it has reached
const span = file.slice(0, shown.length);
const count = (xs) => xs.reduce((m, x) => m.set(x, (m.get(x) || 0) + 1), new Map());
const [want, have] = [count(span), count(shown)];
let lost = 0, repeated = 0;
for (const [l, n] of want) lost += Math.max(0, n - (have.get(l) || 0));
for (const [l, n] of have) repeated += Math.max(0, n - (want.get(l) || 0));
const inOrder = shown.every((l, i) => l === span[i]);

const mb = (b) => (b / 1048576).toFixed(1);
const total = (h) => h.js + h.wasm;
// the bound is on growth beyond what the viewer holds on purpose: a
// follower keeps every line it is sent (up to its memory cap), so its
// heap follows the log; a leak would show in the rest
const beyond = (h) => total(h) - h.held;
console.log(`soak: ${MINUTES} min, faults --error-rate 0.05 --latency-ms 300 --drop-stream-after 65536, churn every 3 s`);
console.log(`  pages visited: ${outcomes.ready} loaded, ${outcomes.errorPanel} showed the error panel (an injected 500), ${outcomes.slow} not within 20 s`);
for (const t of [walker, follower]) {
  console.log(`  ${t.name}: page errors ${t.errors.length}${t.errors.length ? ` (${t.errors.slice(0, 3).join(' | ')})` : ''}`);
  const a = atMinute1[t.name === 'walker' ? 'walker' : 'follower'], b = atEnd[t.name === 'walker' ? 'walker' : 'follower'];
  console.log(`    heap in use: minute 1 JS ${mb(a.js)} + wasm ${mb(a.wasm)} = ${mb(total(a))} MB; end JS ${mb(b.js)} + wasm ${mb(b.wasm)} = ${mb(total(b))} MB; ratio ${(total(b) / total(a)).toFixed(2)}×`);
  console.log(`    wasm linear memory (high-water): ${mb(a.memory)} then ${mb(b.memory)} MB`);
  if (a.held || b.held) console.log(`    of which log lines held: ${a.lines} lines, ${mb(a.held)} MB, then ${b.lines} lines, ${mb(b.held)} MB; beyond them ${mb(beyond(a))} then ${mb(beyond(b))} MB, ratio ${(beyond(b) / beyond(a)).toFixed(2)}×`);
  console.log(`    requests per minute: ${t.perMinute.map((n) => n || 0).join(', ')}`);
}
console.log(`  log follower: ${shown.length} lines shown, ${file.length} in the file; lost ${lost}, repeated ${repeated}, in order: ${inOrder}`);
await browser.close();
sim.stop();
const ok = walker.errors.length + follower.errors.length === 0 && lost === 0 && repeated === 0 && inOrder
  && beyond(atEnd.walker) <= 1.5 * beyond(atMinute1.walker) && beyond(atEnd.follower) <= 1.5 * beyond(atMinute1.follower);
console.log(ok ? 'soak: within every bound' : 'soak: OUT OF BOUNDS');
process.exit(ok ? 0 : 1);
