// Live-update benchmark on nomad-sim's `large` scenario (10,000 jobs,
// 50,000 allocations, 2,000 clients) while writes keep arriving. For the
// jobs, allocations and clients pages it prints:
//  - bytes received per minute once the page has loaded, with a write every
//    second elsewhere in the cluster (Chromium's own network counters:
//    bodies, streamed chunks and headers);
//  - write → changed row painted (the write is sent, the page notices its
//    row change on the next animation frame), median and p95;
//  - filter keystroke → painted while those writes flow, median and p95.
// Run: cargo build --release -p nomad-sim && bash scripts/build-ui.sh &&
//      node tests/bench/live.mjs      (SECONDS=20 for a quicker run)
import { launch, api } from '../e2e/lib.mjs';
import { pct, settledLargeSim, keystrokes } from './common.mjs';

const WINDOW = Number(process.env.SECONDS || 60) * 1000;
const sim = await settledLargeSim('/v1/allocations?namespace=*&task_states=false', 1500);
// and its own start-up churn over (the 2,000 batch jobs finish ~20 s in,
// one 13.7 MB batch of events): what is measured is the writes below
for (let last = -1, same = 0; same < 5;) {
  const i = (await fetch(`${sim.url}/v1/jobs?namespace=*&per_page=1`)).headers.get('x-nomad-index');
  same = i === last ? same + 1 : 0;
  last = i;
  await new Promise((r) => setTimeout(r, 1000));
}
const browser = await launch();

const jobSpec = async (ns, id) => JSON.parse((await api(sim, 'GET', `/v1/job/${id}?namespace=${ns}`)).body);
// job i of the scenario: words[i % 12]-words[(i / 12) % 12]-i
const WORDS = ['api', 'web', 'cache', 'queue', 'worker', 'ingest', 'billing', 'search', 'auth', 'mailer', 'report', 'sync'];
const jobOf = (i) => ({ ns: ['default', 'platform', 'batch'][i % 3], id: `${WORDS[i % 12]}-${WORDS[Math.floor(i / 12) % 12]}-${String(i).padStart(5, '0')}` });

/// Stops or starts job `j` (a write that changes its row, its allocations
/// and their clients' counts).
async function toggleJob(j, stop) {
  if (stop) return api(sim, 'DELETE', `/v1/job/${encodeURIComponent(j.id)}?namespace=${j.ns}`);
  const spec = await jobSpec(j.ns, j.id);
  spec.Stop = false;
  return api(sim, 'POST', '/v1/jobs', { Job: spec });
}

/// Background churn: every second another running service job is stopped
/// or started again, until `stop()`.
function churn() {
  let on = true;
  const stopped = [];
  (async () => {
    for (let n = 0; on; n++) {
      if (stopped.length > 5) await toggleJob(stopped.shift(), false);
      else { const j = jobOf(1000 + ((n * 5) % 8000)); stopped.push(j); await toggleJob(j, true); }
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return () => { on = false; };
}

/// Resolves with the wall-clock time of the first animation frame at which
/// `predicate` (source of a function of the document) holds.
function paintedWhen(page, predicate) {
  // an expression evaluated over CDP: the page's CSP refuses `new Function`
  return page.evaluate(`new Promise((resolve) => {
    const f = ${predicate};
    const check = () => (f(document) ? resolve(performance.timeOrigin + performance.now()) : requestAnimationFrame(check));
    check();
  })`);
}

const PAGES = [
  {
    name: 'jobs list', path: '/jobs', filter: 'jobs-filter', word: 'billing-auth', loaded: 'jobs-table',
    target: jobOf(0), url: (j) => `/jobs?q=${j.id}`,
    changed: (stop) => `(d) => ${stop} === /dead/.test(d.querySelector('tr[data-job]')?.textContent || '')`,
    write: (j, stop) => toggleJob(j, stop),
  },
  {
    name: 'allocations list', path: '/allocations', filter: 'allocs-filter', word: 'search-api-08', loaded: 'allocs-table',
    target: jobOf(3000), url: (j) => `/allocations?job=${j.id}&ns=${j.ns}`,
    changed: (stop) => stop
      ? `(d) => { const r = [...d.querySelectorAll('[data-testid=allocs-table] tr[data-alloc]')]; return r.length > 0 && r.every((x) => /stop/.test(x.textContent)); }`
      : `(d) => [...d.querySelectorAll('[data-testid=allocs-table] tr[data-alloc]')].some((x) => /pending|running/.test(x.textContent) && !/stop/.test(x.textContent))`,
    write: (j, stop) => toggleJob(j, stop),
  },
  {
    name: 'clients list', path: '/clients', filter: 'clients-filter', word: 'client-019', loaded: 'clients-table',
    target: { name: 'client-0007' }, url: (n) => `/clients?q=${n.name}`,
    changed: (stop) => `(d) => ${stop} === /ineligible/i.test(d.querySelector('tr[data-node]')?.textContent || '')`,
    write: async (n, stop) => {
      n.id ||= JSON.parse((await api(sim, 'GET', `/v1/nodes?filter=${encodeURIComponent(`Name == "${n.name}"`)}`)).body)[0].ID;
      return api(sim, 'POST', `/v1/node/${n.id}/eligibility`, { Eligibility: stop ? 'ineligible' : 'eligible' });
    },
  },
];

async function bytesCounter(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  let bytes = 0;
  cdp.on('Network.dataReceived', (e) => { bytes += e.encodedDataLength || 0; });
  cdp.on('Network.responseReceived', (e) => { bytes += e.response.encodedDataLength || 0; });
  return { read: () => bytes, reset: () => { bytes = 0; } };
}

for (const p of PAGES) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  const bytes = await bytesCounter(page);
  await page.goto(`${sim.ui}${p.path}`);
  await page.waitForSelector(`[data-testid=${p.loaded}] tbody tr`, { timeout: 120000 });
  await page.waitForFunction(() => !/Loading/.test(document.querySelector('.pager .muted')?.textContent || 'Loading'), null, { timeout: 120000 });
  // bytes per minute with the background churn
  const stopChurn = churn();
  // a new subscription is first sent the agent's latest batch again (Nomad's
  // StartAtClosest): on `large` that is the 13.7 MB batch of the start-up
  // completions, once per tab; the window starts after it
  await page.waitForTimeout(15000);
  bytes.reset();
  await page.waitForTimeout(WINDOW);
  const perMin = bytes.read() * (60000 / WINDOW);
  // filter keystrokes while the churn goes on
  const lat = [];
  for (let i = 0; i < 3; i++) lat.push(...(await keystrokes(page, p.filter, p.word)).map((x) => x[0]));
  stopChurn();
  // write → painted on the target's own row
  await page.goto(`${sim.ui}${p.url(p.target)}`);
  await page.waitForSelector(`[data-testid=${p.loaded}] tbody tr`, { timeout: 120000 });
  await page.waitForTimeout(2000);
  const paint = [];
  for (let i = 0; i < 10; i++) {
    const stop = i % 2 === 0;
    const seen = paintedWhen(page, p.changed(stop));
    const t = Date.now();
    await p.write(p.target, stop);
    paint.push((await seen) - t);
    await page.waitForTimeout(300);
  }
  await ctx.close();
  console.log(`${p.name}, large scenario, a write every second elsewhere`);
  console.log(`  received once loaded:     ${(perMin / 1e6).toFixed(2)} MB/min (${(WINDOW / 1000).toFixed(0)} s window)`);
  console.log(`  write → row painted:      median ${pct(paint, 0.5).toFixed(0)} ms, p95 ${pct(paint, 0.95).toFixed(0)} ms (${paint.length} writes)`);
  console.log(`  keystroke → painted:      median ${pct(lat, 0.5).toFixed(1)} ms, p95 ${pct(lat, 0.95).toFixed(1)} ms (${lat.length} keystrokes)`);
}
await browser.close();
sim.stop();
