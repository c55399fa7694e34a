// The bundle is split by area: the jobs list needs only the main module,
// other areas fetch their chunks when first opened, and a chunk that
// cannot be fetched shows the error panel instead of a blank page (opening
// the page again retries).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage } from './lib.mjs';

const browser = await launch();
const sim = await startSim();
after(async () => { await browser.close(); sim.stop(); });

test('split: the jobs list loads without chunks; a job page fetches its own', { timeout: 60000 }, async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  const fetched = [];
  page.on('request', (r) => { if (/\.wasm$/.test(r.url())) fetched.push(r.url().split('/').pop()); });
  await page.goto(`${sim.ui}/jobs`);
  await page.waitForSelector('tr[data-job=web-frontend]');
  assert.deepEqual(fetched, ['yurt_bg.wasm'], 'the jobs list is in the main module');
  // the top bar's problem count comes with its own chunk, seconds later
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/split_problems.wasm')), null, { timeout: 10000 });
  await page.click('tr[data-job=web-frontend] a');
  await page.waitForSelector('h1:has-text("web-frontend")');
  assert.ok(fetched.includes('split_job.wasm'), `the job area came as a chunk: ${fetched}`);
  assert.deepEqual(errors, []);
});

test('split: a chunk that fails to load shows the error panel, and a retry works', { timeout: 60000 }, async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  let block = true;
  await page.route('**/split_clients.wasm', (r) => (block ? r.abort() : r.continue()));
  await page.goto(`${sim.ui}/jobs`);
  await page.waitForSelector('tr[data-job]');
  await page.click('nav a[href$="/clients"]');
  await page.waitForSelector('[role=alert]:has-text("The clients part of Yurt could not be loaded")');
  assert.ok(await page.isVisible('.topbar'), 'the shell stays usable');
  block = false;
  await page.click('nav a[href$="/jobs"]');
  await page.waitForSelector('tr[data-job]');
  await page.click('nav a[href$="/clients"]');
  await page.waitForSelector('[data-testid=clients-table] tr[data-node]');
  // the failed fetch is logged by the loader; nothing else went wrong
  assert.ok(errors.every((e) => /split|fetch|wasm|Failed to/i.test(String(e))), `unexpected errors: ${errors}`);
});
