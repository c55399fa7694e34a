// End-to-end flows of Nomad's service catalog: the services, a service's
// registrations with their check results, and what follows a stopped
// allocation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage, shot, api, until } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim(); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

const get = async (path) => JSON.parse((await api(sim, 'GET', path)).body);

test('services: the catalog, a service with its instances and checks', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  const regs = await until(async () => {
    const r = await get('/v1/service/node-metrics?namespace=platform');
    return r.length >= 2 && r;
  });
  await page.goto(`${sim.ui}/services`);
  await page.waitForSelector('[data-testid=services-table] tbody tr[data-service=node-metrics]');
  assert.match(await page.textContent('[data-service=node-metrics]'), /platform.*prometheus/s);
  await page.click('[data-service=node-metrics] a');
  await page.waitForSelector('[data-testid=registrations-table] tbody tr');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=registrations-table] tbody tr').length === n, regs.length);
  const shown = await page.$$eval('[data-testid=registrations-table] tbody tr', (r) => r.map((x) => x.dataset.registration));
  assert.deepEqual(shown.sort(), regs.map((r) => r.ID).sort());
  const one = regs[0];
  assert.match(await page.textContent(`tr[data-registration="${one.ID}"]`), new RegExp(`${one.Address}:${one.Port}`));
  // each instance's check, as the allocation reports it
  await page.waitForSelector(`tr[data-registration="${one.ID}"] .check[data-check=metrics]`);
  const checks = Object.values(await get(`/v1/allocation/${one.AllocID}/checks`));
  assert.equal(await page.getAttribute(`tr[data-registration="${one.ID}"] .check[data-check=metrics]`, 'data-status'), checks[0].Status);
  await shot(page, 'service-one');

  // the job's page lists its services the same way
  await page.goto(`${sim.ui}/jobs/platform/metrics-agent`);
  await page.waitForSelector('#services');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=registrations-table] tbody tr').length === n, regs.length);
  assert.match(await page.textContent('[data-testid=registrations-table] tbody tr'), /node-metrics/);
  // and a job without services shows no such section
  await page.goto(`${sim.ui}/jobs/default/web-frontend`);
  await page.waitForSelector('[data-testid=eval-table]');
  assert.equal(await page.$('#services'), null);

  await page.goto(`${sim.ui}/services/platform/node-metrics`);
  await page.waitForSelector(`tr[data-registration="${one.ID}"]`);
  // a stopped allocation's registration goes
  await api(sim, 'POST', `/v1/allocation/${one.AllocID}/stop`, {});
  await page.waitForSelector(`tr[data-registration="${one.ID}"]`, { state: 'detached', timeout: 20000 });
  assert.deepEqual(errors, []);
  await page.close();
});
