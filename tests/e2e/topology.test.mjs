// Topology: every client grouped by datacenter and pool with its
// allocations drawn, the tooltip under the pointer, the job and pool
// filters (in the URL), a client's allocations on click, and live updates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage, shot, api, until } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim([]); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

const placed = async (page) => Number((await page.textContent('[data-testid=topo-summary]')).match(/([\d,]+) allocations placed/)?.[1].replace(/,/g, '') ?? NaN);

test('topology draws every client with its allocations, names what is hovered and filters by job and pool', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  const nodes = JSON.parse((await api(sim, 'GET', '/v1/nodes')).body);
  await page.goto(`${sim.ui}/jobs`);
  await page.click('nav.nav a[href$="/topology"]');
  await page.waitForFunction(() => /allocations placed/.test(document.querySelector('[data-testid=topo-summary]')?.textContent || ''));
  assert.equal(await page.locator('[data-testid=topo-node]').count(), nodes.length);
  const groups = await page.$$eval('[data-testid=topo-group]', (gs) => gs.map((g) => `${g.dataset.dc}/${g.dataset.pool}`));
  const want = [...new Set(nodes.map((n) => `${n.Datacenter}/${n.NodePool || 'default'}`))].sort();
  assert.deepEqual(groups, want);
  await until(async () => (await placed(page)) > 0);

  // the pointer at a bar's left end is over its first allocation
  const withAllocs = await until(async () => JSON.parse((await api(sim, 'GET', '/v1/allocations?namespace=*&task_states=false')).body)
    .find((a) => a.ClientStatus === 'running'));
  const bar = page.locator(`[data-testid=topo-node][data-node="${withAllocs.NodeID}"] [data-bar=cpu]`);
  const b = await bar.boundingBox();
  await page.mouse.move(b.x + 1, b.y + b.height / 2);
  await page.waitForSelector('[data-testid=topo-tip]');
  const tip = await page.textContent('[data-testid=topo-tip]');
  assert.match(tip, /job \S+ · \S+ · (running|pending)/);
  assert.match(tip, /CPU [\d.]+ (MHz|GHz) · memory/);
  await shot(page, 'topology');

  // a job filter dims the clients that do not run it
  const job = withAllocs.JobID;
  await page.fill('[data-testid=topo-job]', job);
  await page.waitForFunction((j) => new URL(location.href).searchParams.get('q') === j, job);
  const running = JSON.parse((await api(sim, 'GET', '/v1/allocations?namespace=*&task_states=false')).body)
    .filter((a) => ['running', 'pending'].includes(a.ClientStatus));
  const hosts = new Set(running.filter((a) => a.JobID.startsWith(job)).map((a) => a.NodeID));
  await until(async () => {
    const dim = await page.$$eval('[data-testid=topo-node]', (ns) => ns.map((n) => [n.dataset.node, n.classList.contains('dim')]));
    return dim.every(([id, d]) => d === !hosts.has(id));
  });
  await page.fill('[data-testid=topo-job]', '');
  await page.waitForFunction(() => !document.querySelector('[data-testid=topo-node].dim'));

  // a pool keeps only its clients
  const pool = nodes.find((n) => n.NodePool && n.NodePool !== 'default')?.NodePool;
  if (pool) {
    await page.selectOption('[data-facet=pool]', pool);
    await page.waitForFunction((p) => [...document.querySelectorAll('[data-testid=topo-group]')].every((g) => g.dataset.pool === p), pool);
    assert.equal(await page.locator('[data-testid=topo-node]').count(), nodes.filter((n) => n.NodePool === pool).length);
    await page.selectOption('[data-facet=pool]', '');
  }

  // a click opens the client's allocations
  await page.click(`[data-testid=topo-node][data-node="${withAllocs.NodeID}"] .topo-name`);
  await page.waitForSelector('[data-testid=topo-selected]');
  assert.match(page.url(), new RegExp(`node=${withAllocs.NodeID}`));
  assert.ok(await page.isVisible(`[data-testid=topo-selected] a[href$="/allocations/${withAllocs.ID}"]`));
  await shot(page, 'topology-selected');
  // the keyboard does the same: Enter on a focused client closes it, Space opens it again
  const cell = page.locator(`[data-testid=topo-node][data-node="${withAllocs.NodeID}"]`);
  await cell.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !new URL(location.href).searchParams.get('node'));
  await page.keyboard.press(' ');
  await page.waitForSelector('[data-testid=topo-selected]');
  assert.match(page.url(), new RegExp(`node=${withAllocs.NodeID}`));
  assert.deepEqual(errors, []);
  await page.close();
});

test('topology follows the cluster live: a stopped job leaves the map', async () => {
  const page = await newPage(browser, []);
  await page.goto(`${sim.ui}/topology`);
  await page.waitForFunction(() => /allocations placed/.test(document.querySelector('[data-testid=topo-summary]')?.textContent || ''));
  const allocs = await until(async () => {
    const all = JSON.parse((await api(sim, 'GET', '/v1/job/web-frontend/allocations')).body).filter((a) => a.ClientStatus === 'running');
    return all.length > 0 && all;
  });
  await page.waitForTimeout(1500);
  const before = await placed(page);
  assert.equal((await api(sim, 'DELETE', '/v1/job/web-frontend')).status, 200);
  await until(async () => (await placed(page)) <= before - allocs.length, 20000);
  await page.close();
});
