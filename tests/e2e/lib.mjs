// Shared helpers for the end-to-end tests and browser benchmarks:
// start nomad-sim on a free port serving the built bundle, launch Debian's
// Chromium through playwright-core, and save screenshots.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOTS = join(root, 'tests', 'e2e', 'screenshots');

// Every sim a test file starts is killed when the file's process ends, so a
// test that fails before its own `stop()` cannot keep the run waiting.
const started = new Set();
process.on('exit', () => { for (const c of started) c.kill('SIGKILL'); });

export async function startSim(args = []) {
  const target = process.env.CARGO_TARGET_DIR || join(process.env.HOME || root, '.cache', 'yurt', 'target');
  const bin = process.env.YURT_SIM_BIN || join(target, 'debug', 'nomad-sim');
  const dist = process.env.YURT_DIST || join(root, 'dist');
  const child = spawn(bin, ['--listen', '127.0.0.1:0', '--ui', dist, '--tick-ms', '300', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('nomad-sim did not start')), 60000);
    child.stdout.on('data', (d) => {
      buf += d.toString();
      const m = buf.match(/listening on (http:\/\/[0-9.:]+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => reject(new Error(`nomad-sim exited with ${code}`)));
  });
  child.stdout.resume();
  started.add(child);
  // Nothing of the child keeps the test process alive.
  child.unref();
  child.stdout.unref?.();
  child.on('exit', () => started.delete(child));
  return { url, ui: `${url}/ui`, stop: () => child.kill('SIGKILL'), child };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--enable-precise-memory-info', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/// A page that fails the test on any uncaught error in the app.
export async function newPage(browser, errors) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await watchPage(page, errors);
  return page;
}

/// Collects into `errors` what a test must never see: an uncaught error, a
/// panic of the wasm module, and anything the content security policy
/// refused.
export async function watchPage(page, errors) {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && /panicked|RuntimeError|unreachable|^CSP violation/.test(m.text())) errors.push(m.text());
  });
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) =>
    console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`)));
}

export async function shot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/// Polls `f` every 200 ms until it returns something truthy, and returns
/// that; fails after `ms`.
export async function until(f, ms = 15000) {
  const t = Date.now();
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() - t > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function api(sim, method, path, body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers['x-nomad-token'] = token;
  const r = await fetch(`${sim.url}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, body: await r.text() };
}

/// The ACL sim's tokens (`nomad-sim --acl`).
export const MANAGEMENT = '3f4b1c2d-5e6f-4a70-8b91-c2d3e4f5a6b7';
export const READONLY = '7e9a5d10-2b3c-4d4e-9f50-61728394a5b6';

/// A page whose UI holds `token` (none when null); `errors` collects what
/// the page logs as errors.
export async function signedIn(browser, token) {
  const errors = [];
  const page = await newPage(browser, errors);
  if (token) await page.addInitScript((t) => localStorage.setItem('yurt.token', t), token);
  return { page, errors };
}

/// An allocation of `job` with every task running, once there is one.
export function runningAlloc(sim, job, token = MANAGEMENT) {
  return until(async () => JSON.parse((await api(sim, 'GET', '/v1/allocations?namespace=*', null, token)).body)
    .find((a) => a.ClientStatus === 'running' && a.JobID === job
      && Object.values(a.TaskStates || {}).every((t) => t.State === 'running')));
}

/// Every page of the app, each as [name, path, a selector present once it
/// has loaded], on `sim`'s demo cluster.
export async function everyPage(sim) {
  const a = await runningAlloc(sim, 'web-frontend');
  const task = Object.keys(a.TaskStates)[0];
  const node = a.NodeID;
  const evalId = JSON.parse((await api(sim, 'GET', '/v1/evaluations?namespace=*')).body)[0].ID;
  return [
    ['jobs', '/jobs', '[data-testid=jobs-table] tbody tr'],
    ['job', '/jobs/default/web-frontend', '.page-head h1'],
    ['job-versions', '/jobs/default/web-frontend?tab=versions', '.page-head h1'],
    ['new-job', '/jobs/new', '[data-testid=job-editor]'],
    ['allocations', '/allocations', 'table tbody tr'],
    ['allocation', `/allocations/${a.ID}`, '.task-card'],
    ['logs', `/allocations/${a.ID}/logs?task=${task}`, '[data-testid=log-viewer]'],
    ['files', `/allocations/${a.ID}/files?path=/${task}/local`, 'table tbody tr'],
    ['exec', `/allocations/${a.ID}/exec`, '[data-testid=exec-run]'],
    ['clients', '/clients', 'table tbody tr'],
    ['client', `/clients/${node}`, '[data-testid=node-title]'],
    ['topology', '/topology', '[data-testid=topo-node]'],
    ['services', '/services', 'table tbody tr'],
    ['evaluations', '/evaluations', 'table tbody tr'],
    ['evaluation', `/evaluations/${evalId}`, '.page-head h1'],
    ['servers', '/servers', '[data-testid=servers-table] tbody tr'],
    ['agent-log', '/agent/log?server=nomad-sim.global', '[data-testid=log-viewer]'],
    ['pools', '/pools', '[data-testid=pools-table] tbody tr'],
    ['activity', '/activity', '.page-head h1'],
    ['problems', '/problems', '[data-testid=problems-unplaceable]'],
    ['tokens', '/settings/tokens', '.page-head h1, h1'],
  ];
}
