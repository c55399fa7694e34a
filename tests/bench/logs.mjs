// Log viewer benchmark: nomad-sim serves a task whose stdout starts with
// 1,000,000 lines (~100 MB); the viewer reads it from the head.
// Prints: decode-and-ingest throughput in the browser (MB/s of log text),
// memory per million lines (the store's own count and the wasm heap), time
// from the stream's start to the first paint holding 100,000 lines, and
// frame times while scrolling through the million lines.
// Run: node tests/bench/logs.mjs  (after scripts/build-ui.sh and
// cargo build --release -p nomad-sim)
import { startSim, launch } from '../e2e/lib.mjs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const LINES = Number(process.env.LINES || 1000000);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
process.env.YURT_SIM_BIN ||= join(process.env.CARGO_TARGET_DIR || join(process.env.HOME || root, '.cache', 'yurt', 'target'), 'release', 'nomad-sim');
const sim = await startSim(['--log-backfill-lines', String(LINES)]);
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };

let alloc;
for (let i = 0; i < 100 && !alloc; i++) {
  const list = await (await fetch(`${sim.url}/v1/allocations`)).json();
  alloc = list.find((a) => a.JobID === 'web-frontend' && a.ClientStatus === 'running');
  if (!alloc) await new Promise((r) => setTimeout(r, 200));
}
// generate the log before measuring (the simulator's own cost)
const t = Date.now();
const size = (await (await fetch(`${sim.url}/v1/client/fs/stat/${alloc.ID}?path=alloc/logs/nginx.stdout.0`)).json()).Size;
console.log(`log file: ${LINES.toLocaleString()} lines, ${(size / 1e6).toFixed(1)} MB (generated in ${Date.now() - t} ms)`);

const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
await page.addInitScript(() => localStorage.setItem('yurt.logs.capMB', '1024'));
let streamStart = 0;
page.on('request', (r) => { if (r.url().includes('/fs/logs/') && !streamStart) streamStart = Date.now(); });
await page.goto(`${sim.ui}/allocations/${alloc.ID}/logs?origin=head`);
// poll the viewer's published figures every animation frame
const marks = await page.evaluate(async (lines) => {
  const out = { first100k: 0, done: 0, start: performance.now() };
  await new Promise((resolve) => {
    const tick = () => {
      const s = window.__yurtLogs;
      if (s && s.lines >= 100000 && !out.first100k) out.first100k = performance.now();
      const done = (s && s.lines >= lines) || performance.now() - out.start > 300000;
      if (done) {
        if (s && s.lines >= lines) out.done = performance.now();
        out.stats = { ...s, wasmBytes: window.__yurtWasmMemory?.buffer.byteLength || 0, wasmLive: window.__yurtWasmLive?.() || 0 };
        resolve();
        return;
      }
      requestAnimationFrame(tick);
    };
    tick();
  });
  return { ...out, now: performance.now(), navStart: 0 };
}, LINES);
const navToStream = await page.evaluate(() => performance.getEntriesByType('resource').find((e) => e.name.includes('/fs/logs/'))?.startTime || 0);
const ingestMs = marks.done - navToStream;
console.log(`  stream start → 100,000 lines painted: ${(marks.first100k - navToStream).toFixed(0)} ms`);
console.log(`  stream start → all ${LINES.toLocaleString()} lines held:  ${ingestMs.toFixed(0)} ms → ${(size / 1e6 / (ingestMs / 1000)).toFixed(1)} MB/s of log text (wire ≈ 4/3 of that, base64)`);
const st = marks.stats;
console.log(`  memory per million lines: store ${(st.storeBytes / 1048576 / (st.lines / 1e6)).toFixed(0)} MB (${(size / 1048576 / (LINES / 1e6)).toFixed(0)} MB of it text); wasm heap ${(st.wasmLive / 1048576).toFixed(0)} MB in use (linear memory ${(st.wasmBytes / 1048576).toFixed(0)} MB); JS heap ${(await page.evaluate(() => performance.memory.usedJSHeapSize) / 1048576).toFixed(1)} MB`);
// scroll through the million lines: frame times
const frames = await page.evaluate(async () => {
  const el = document.querySelector('[data-testid=log-scroll]');
  const out = [];
  let last = performance.now();
  for (let i = 0; i < 240; i++) {
    el.scrollTop = (el.scrollHeight - el.clientHeight) * (i / 240);
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now();
    out.push(now - last);
    last = now;
  }
  return out;
});
console.log(`  scrolling (240 jumps across all lines): frame median ${pct(frames, 0.5).toFixed(1)} ms, p95 ${pct(frames, 0.95).toFixed(1)} ms`);
await browser.close();
sim.stop();
