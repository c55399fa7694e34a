// End-to-end tests of the app shell against nomad-sim (demo scenario).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage, shot, api } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim(); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

test('jobs page lists the cluster live and navigates by clicking', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.url}/`); // redirects to /ui/
  await page.waitForSelector('[data-testid=jobs-table] tbody tr');
  const names = await page.$$eval('[data-testid=jobs-table] tbody tr td.name a', (as) => as.map((a) => a.textContent));
  for (const j of ['web-frontend', 'api-gateway', 'redis-cache', 'payments', 'nightly-report', 'etl-import']) assert.ok(names.includes(j), `${j} listed`);
  await shot(page, 'jobs');

  // live: a job registered behind the page's back appears without a reload
  const reg = await api(sim, 'POST', '/v1/jobs', { Job: { ID: 'e2e-live', Type: 'service', Datacenters: ['dc1'], TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: 't', Driver: 'docker', Config: { image: 'nginx' }, Resources: { CPU: 100, MemoryMB: 64 } }] }] } });
  assert.equal(reg.status, 200);
  await page.waitForSelector('tr[data-job="e2e-live"]', { timeout: 15000 });

  await page.click('tr[data-job="api-gateway"] td.name a');
  await page.waitForSelector('[data-testid=job-title]');
  assert.equal(await page.textContent('[data-testid=job-title]'), 'api-gateway');
  assert.match(page.url(), /\/ui\/jobs\/default\/api-gateway$/);
  await page.waitForSelector('[data-testid=alloc-table] tbody tr');
  await shot(page, 'job');

  await page.click('[data-testid=alloc-table] tbody tr:first-child td:first-child a');
  await page.waitForSelector('[data-testid=alloc-title]');
  assert.match(await page.textContent('[data-testid=alloc-title]'), /^api-gateway\.gateway\[\d\]$/);
  await page.waitForSelector('.task-card .timeline li');
  await shot(page, 'allocation');

  await page.click('.facts a[href*="/clients/"]');
  await page.waitForSelector('[data-testid=node-title]');
  assert.match(await page.textContent('[data-testid=node-title]'), /^nomad-client-/);
  await shot(page, 'client');

  await page.click('nav.nav >> text=Clients');
  await page.waitForSelector('[data-testid=clients-table] tbody tr');
  assert.equal(await page.locator('[data-testid=clients-table] tbody tr').count(), 5);
  await shot(page, 'clients');
  assert.deepEqual(errors, []);
  await page.close();
});

test('filter, facets and sort live in the URL and survive a reload', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/jobs`);
  await page.waitForSelector('[data-testid=jobs-table] tbody tr');
  await page.fill('[data-testid=jobs-filter]', 'redis');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=jobs-table] tbody tr').length === 1);
  await page.waitForURL(/q=redis/); // the URL follows the filter a moment later
  await page.reload();
  await page.waitForSelector('[data-testid=jobs-table] tbody tr');
  assert.equal(await page.inputValue('[data-testid=jobs-filter]'), 'redis');
  assert.equal(await page.locator('[data-testid=jobs-table] tbody tr').count(), 1);

  await page.fill('[data-testid=jobs-filter]', '');
  await page.click('button[data-facet=status][data-value=dead]');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=jobs-table] tbody tr')].every((r) => r.dataset.job === 'old-dashboard'));
  assert.match(page.url(), /status=dead/);
  await page.click('button[data-facet=status][data-value=""]');
  await page.click('button[data-facet=type][data-value=batch]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=jobs-table] tbody tr').length >= 4);
  const types = await page.$$eval('[data-testid=jobs-table] tbody tr td:nth-child(4)', (tds) => tds.map((t) => t.textContent));
  assert.ok(types.every((t) => t === 'batch'), types.join());

  await page.click('button[data-sort=name]'); // already ascending: flips to descending
  await page.waitForFunction(() => /desc=1/.test(location.search));
  const names = await page.$$eval('[data-testid=jobs-table] tbody tr td.name a', (as) => as.map((a) => a.textContent));
  assert.deepEqual(names, [...names].sort().reverse());
  await shot(page, 'jobs-filtered');
  assert.deepEqual(errors, []);
  await page.close();
});

test('namespace selector narrows the lists', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/jobs`);
  await page.waitForSelector('[data-testid=namespace-select]');
  await page.selectOption('[data-testid=namespace-select]', 'platform');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=jobs-table] tbody tr td:nth-child(3)')];
    return rows.length > 0 && rows.every((t) => t.textContent === 'platform');
  });
  const ids = await page.$$eval('[data-testid=jobs-table] tbody tr', (rs) => rs.map((r) => r.dataset.job));
  assert.deepEqual(ids.sort(), ['metrics-agent', 'node-cleanup', 'payments', 'queue-worker']);
  await page.selectOption('[data-testid=namespace-select]', '*');
  assert.deepEqual(errors, []);
  await page.close();
});

test('not-found pages and API errors get readable panels', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/jobs/default/no-such-job`);
  await page.waitForSelector('.error-panel');
  assert.match(await page.textContent('.error-panel'), /Not found.*job not found/s);
  await shot(page, 'job-not-found');
  await page.goto(`${sim.ui}/definitely/not/a/page`);
  await page.waitForSelector('[data-testid=not-found]');
  await page.goto(`${sim.ui}/allocations/5fc98185-17ff-26bc-a802-0c74fa471c99`);
  await page.waitForSelector('.error-panel');
  assert.match(await page.textContent('.error-panel'), /alloc not found/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a dropped connection shows reconnecting and keeps the data', async () => {
  const own = await startSim();
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${own.ui}/jobs`);
  await page.waitForSelector('[data-testid=jobs-table] tbody tr');
  own.stop();
  await page.waitForSelector('[data-testid=reconnecting]', { timeout: 90000 });
  assert.ok(await page.locator('[data-testid=jobs-table] tbody tr').count() > 5, 'stale data stays on screen');
  assert.match(await page.textContent('[data-testid=reconnecting]'), /Cannot reach the Nomad agent/);
  await shot(page, 'reconnecting');
  assert.deepEqual(errors, []);
  await page.close();
});
