// End-to-end flows of the node pools pages: the list with each pool's
// clients, and one pool with its clients and jobs, reached from the clients
// list and from a client's page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage, shot, api } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim(); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

const get = async (path) => JSON.parse((await api(sim, 'GET', path)).body);

test('node pools: the list, a pool with its clients and jobs', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/clients`);
  await page.click('[data-testid=pools-link]');
  await page.waitForSelector('[data-testid=pools-table] tbody tr');
  const pools = await get('/v1/node/pools');
  const names = await page.$$eval('[data-testid=pools-table] tbody tr', (r) => r.map((x) => x.dataset.pool));
  assert.deepEqual(names.sort(), pools.map((p) => p.Name).sort());
  const nodes = await get('/v1/nodes');
  await page.waitForFunction((n) => document.querySelector('[data-pool=all] [data-testid=pool-clients]').textContent === String(n), nodes.length);
  await shot(page, 'pools');

  const custom = pools.find((p) => !['all', 'default'].includes(p.Name)) || pools.find((p) => p.Name === 'default');
  await page.click(`[data-pool="${custom.Name}"] a`);
  await page.waitForSelector('[data-testid=pool-title]');
  assert.equal(await page.textContent('[data-testid=pool-title]'), custom.Name);
  await page.waitForSelector('[data-testid=pool-nodes]');
  const inPool = (await get(`/v1/node/pool/${custom.Name}/nodes`)).map((n) => n.ID).sort();
  const shown = await page.$$eval('[data-testid=pool-nodes] tbody tr', (r) => r.map((x) => x.dataset.node));
  assert.deepEqual(shown.sort(), inPool);
  await page.waitForSelector('[data-testid=pool-jobs]');
  const jobs = (await get(`/v1/node/pool/${custom.Name}/jobs?namespace=*`)).map((j) => j.ID).sort();
  const shownJobs = await page.$$eval('[data-testid=pool-jobs] tbody tr', (r) => r.map((x) => x.dataset.job));
  assert.deepEqual(shownJobs.sort(), jobs);
  await shot(page, 'pool-one');

  // the default pool runs most of the demo's jobs, across namespaces
  await page.goto(`${sim.ui}/pools/default`);
  const defaultJobs = (await get('/v1/node/pool/default/jobs?namespace=*')).map((j) => `${j.ID}`).sort();
  assert.ok(defaultJobs.length > 3);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=pool-jobs] tbody tr').length === n, defaultJobs.length);
  assert.deepEqual((await page.$$eval('[data-testid=pool-jobs] tbody tr', (r) => r.map((x) => x.dataset.job))).sort(), defaultJobs);

  // a client's page links its pool
  const node = nodes[0];
  await page.goto(`${sim.ui}/clients/${node.ID}`);
  await page.click('[data-testid=node-pool]');
  await page.waitForFunction((p) => document.querySelector('[data-testid=pool-title]')?.textContent === p, node.NodePool || 'default');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the jobs list filters by node pool (a facet in the URL)', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  const job = { Job: { ID: 'gpu-train', Name: 'gpu-train', Type: 'batch', Datacenters: ['dc2'], NodePool: 'gpu',
    TaskGroups: [{ Name: 'train', Count: 1, Tasks: [{ Name: 'train', Driver: 'docker', Config: { image: 'trainer:1' }, Resources: { CPU: 500, MemoryMB: 512 } }] }] } };
  assert.equal((await api(sim, 'POST', '/v1/jobs', job)).status, 200);
  await page.goto(`${sim.ui}/jobs`);
  await page.waitForSelector('[data-testid=jobs-table] tbody tr');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-facet=pool] option')].some((o) => o.value === 'gpu'));
  await page.selectOption('[data-facet=pool]', 'gpu');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('pool') === 'gpu');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=jobs-table] tbody tr').length === 1);
  assert.match(await page.textContent('[data-testid=jobs-table] tbody tr'), /gpu-train/);
  await page.selectOption('[data-facet=pool]', 'default');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=jobs-table] tbody tr').length > 3);
  assert.doesNotMatch(await page.textContent('[data-testid=jobs-table] tbody'), /gpu-train/);
  await shot(page, 'jobs-by-pool');
  assert.deepEqual(errors, []);
  await page.close();
});
