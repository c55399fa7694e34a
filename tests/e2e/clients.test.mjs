// End-to-end flows of the client pages: the clients list (facets, search,
// sort, running counts, deep links), a client's details (summary, live
// host charts, allocations, events, drivers, volumes, attributes) and
// every node action (drain with a custom deadline and options, stop the
// drain, eligibility, evaluate, force drain, garbage collection, purge).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage, shot, api } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim(); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

const text = (page, sel) => page.textContent(sel);
const get = async (path) => JSON.parse((await api(sim, 'GET', path)).body);
const nodeByName = async (name) => (await get('/v1/nodes')).find((n) => n.Name === name);
const names = (page) => page.$$eval('[data-testid=clients-table] tbody tr td.name', (t) => t.map((x) => x.textContent));

test('clients list: facets, search, sort, running counts and deep links', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/clients`);
  await page.waitForSelector('[data-testid=clients-table] tbody tr');
  assert.deepEqual(await names(page), ['nomad-client-a1', 'nomad-client-a2', 'nomad-client-a3', 'nomad-client-b1', 'nomad-client-b2']);
  // running counts match the API's allocations
  await page.waitForFunction(() => ![...document.querySelectorAll('td[data-col=running]')].some((t) => t.textContent === '…'));
  const allocs = await get('/v1/allocations?namespace=*');
  const shown = await page.$$eval('[data-testid=clients-table] tbody tr', (rs) => rs.map((r) => [r.dataset.node, Number(r.querySelector('td[data-col=running]').textContent)]));
  for (const [id, n] of shown) {
    const want = allocs.filter((a) => a.NodeID === id && a.ClientStatus === 'running').length;
    assert.ok(Math.abs(want - n) <= 1, `node ${id}: ${n} shown, ${want} running`); // the cluster is live
  }
  // facets
  await page.selectOption('select[data-facet=dc]', 'dc2');
  await page.waitForFunction(() => location.search.includes('dc=dc2'));
  assert.deepEqual(await names(page), ['nomad-client-b1', 'nomad-client-b2']);
  await page.selectOption('select[data-facet=class]', 'gpu');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=clients-table] tbody tr').length === 1);
  assert.deepEqual(await names(page), ['nomad-client-b2']);
  await page.goto(`${sim.ui}/clients?version=1.10.5`);
  await page.waitForSelector('[data-testid=clients-table] tbody tr');
  assert.deepEqual(await names(page), ['nomad-client-a3']);
  assert.deepEqual(await page.$$eval('select[data-facet=version] option', (o) => o.map((x) => x.value).filter(Boolean)), ['1.11.3', '1.10.5']);
  await page.goto(`${sim.ui}/clients?pool=gpu`);
  await page.waitForSelector('[data-testid=clients-table] tbody tr');
  assert.deepEqual(await names(page), ['nomad-client-b2']);
  // instant search by name or address, sort by running (descending)
  await page.goto(`${sim.ui}/clients`);
  await page.fill('[data-testid=clients-filter]', '10.1.');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=clients-table] tbody tr').length === 2);
  await page.fill('[data-testid=clients-filter]', '');
  await page.click('[data-sort=running]');
  await page.click('[data-sort=running]');
  await page.waitForFunction(() => location.search.includes('desc=1') && location.search.includes('sort=running'));
  const counts = await page.$$eval('td[data-col=running]', (t) => t.map((x) => Number(x.textContent)));
  assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
  await shot(page, 'clients-list');
  // eligibility and drain facets follow node changes live
  const b1 = await nodeByName('nomad-client-b1');
  await page.goto(`${sim.ui}/clients?elig=ineligible`);
  await page.waitForSelector('[data-testid=clients-empty]');
  await api(sim, 'POST', `/v1/node/${b1.ID}/eligibility`, { Eligibility: 'ineligible' });
  await page.waitForSelector(`tr[data-node="${b1.ID}"]`, { timeout: 15000 });
  await api(sim, 'POST', `/v1/node/${b1.ID}/eligibility`, { Eligibility: 'eligible' });
  await page.waitForSelector('[data-testid=clients-empty]', { timeout: 15000 });
  assert.deepEqual(errors, []);
});

test('client page: summary, live host charts, resources, allocations, events, drivers, volumes and attributes', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  const a1 = await nodeByName('nomad-client-a1');
  await page.goto(`${sim.ui}/clients/${a1.ID}`);
  await page.waitForSelector('[data-testid=node-title]');
  assert.equal(await text(page, '[data-testid=node-title]'), 'nomad-client-a1');
  assert.equal(await text(page, '[data-testid=node-eligibility]'), 'eligible');
  const facts = await text(page, '.facts');
  assert.match(facts, /10\.0\.0\.10:4646/);
  assert.match(facts, /1\.11\.3/);
  assert.match(facts, /compute/);
  // host charts: CPU in %, memory and disk against the node's totals
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=host-stats] .spark-line')].every((p) => (p.getAttribute('d') || '').includes('L')), null, { timeout: 15000 });
  const values = await page.$$eval('[data-testid=host-stats] [data-testid=metric-value]', (v) => v.map((x) => x.textContent));
  assert.match(values[0], /^\d+% \/ 100%$/);
  assert.match(values[1], /iB \/ 32 GiB$/);
  assert.match(values[2], /GiB \/ 200 GiB$/);
  assert.match(await text(page, '[data-testid=node-resources]'), /Memory\s*32 GiB\s*512 MiB/);
  // allocations on the node, filterable and linked
  const onNode = (await get(`/v1/node/${a1.ID}/allocations`));
  await page.waitForSelector('[data-testid=alloc-table] tbody tr');
  assert.equal(await page.$$eval('[data-testid=alloc-table] tbody tr', (r) => r.length), onNode.length);
  await page.fill('[data-testid=node-allocs-filter]', 'redis');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=alloc-table] tbody tr')].every((r) => r.textContent.includes('redis')));
  await page.fill('[data-testid=node-allocs-filter]', '');
  await page.click('[data-facet=node-status][data-value=running]');
  const statuses = await page.$$eval('[data-testid=alloc-table] tbody tr .badge', (b) => b.map((x) => x.textContent));
  assert.ok(statuses.length > 0 && statuses.every((s) => s === 'running'));
  // events, drivers, volumes, networks
  assert.match(await text(page, '[data-testid=node-events]'), /Cluster\s*Node registered/);
  assert.match(await text(page, 'tr[data-driver=java]'), /no\s*undetected\s*Driver not detected/);
  assert.match(await text(page, 'tr[data-driver=docker]'), /healthy/);
  assert.match(await text(page, '[data-testid=host-volumes]'), /scratch\s*\/opt\/scratch\s*read\/write/);
  assert.match(await text(page, '[data-testid=host-networks]'), /private\s*10\.0\.0\.0\/8\s*eth1/);
  // attributes and meta, searchable
  await page.fill('[data-testid=attrs-filter]', 'rack');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=attributes] tbody tr').length === 1);
  assert.match(await text(page, '[data-testid=attributes] tbody'), /rack\s*r1\s*meta/);
  await page.fill('[data-testid=attrs-filter]', 'kernel');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=attributes] tbody tr').length === 2);
  await page.fill('[data-testid=attrs-filter]', '');
  await shot(page, 'client-page');
  assert.deepEqual(errors, []);
});

test('client actions: drain with a custom deadline, stop it, eligibility, evaluate, force drain, GC and purge', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  const a2 = await nodeByName('nomad-client-a2');
  await page.goto(`${sim.ui}/clients/${a2.ID}`);
  await page.waitForSelector('[data-testid=node-title]');

  // drain: a custom deadline, leaving system jobs
  await page.click('[data-action=drain]');
  await page.selectOption('[data-testid=drain-deadline]', 'custom');
  await page.fill('[data-testid=drain-custom]', 'soon');
  assert.match(await text(page, '[data-testid=drain-summary]'), /soon/);
  assert.equal(await page.isEnabled('[data-confirm=drain]'), false);
  await page.fill('[data-testid=drain-custom]', '1h30m');
  assert.match(await text(page, '[data-testid=drain-summary]'), /after 1h30m/);
  await page.check('[data-testid=drain-ignore-system]');
  await shot(page, 'client-drain-form');
  await page.click('[data-confirm=drain]');
  await page.waitForSelector('[data-testid=action-result]');
  let n = await get(`/v1/node/${a2.ID}`);
  assert.equal(n.DrainStrategy.Deadline, 5400e9);
  assert.equal(n.DrainStrategy.IgnoreSystemJobs, true);
  await page.waitForSelector('[data-testid=drain]');
  assert.match(await text(page, '[data-testid=drain-strategy]'), /deadline 1h30m, system jobs stay/);
  await page.waitForSelector('[data-testid=draining]');
  await page.waitForFunction(() => /^\d+ allocations left/.test(document.querySelector('[data-testid=drain-remaining]')?.textContent || ''));
  await shot(page, 'client-draining');

  // stop the drain and mark the node eligible again
  await page.click('[data-action=cancel-drain]');
  assert.equal(await page.isChecked('[data-testid=mark-eligible]'), true);
  await page.click('[data-confirm=cancel-drain]');
  await page.waitForFunction(() => /eligible for new allocations/.test(document.querySelector('[data-testid=action-result]')?.textContent || ''));
  n = await get(`/v1/node/${a2.ID}`);
  assert.equal(n.DrainStrategy, null);
  assert.equal(n.SchedulingEligibility, 'eligible');
  await page.waitForSelector('[data-testid=last-drain]');

  // eligibility toggles
  await page.click('[data-action=eligibility]');
  await page.waitForFunction(() => document.querySelector('[data-testid=node-eligibility]')?.textContent === 'ineligible');
  assert.equal((await get(`/v1/node/${a2.ID}`)).SchedulingEligibility, 'ineligible');
  await page.click('[data-action=eligibility]');
  await page.waitForFunction(() => document.querySelector('[data-testid=node-eligibility]')?.textContent === 'eligible');

  // a node evaluation reports the evaluations it created
  await page.click('[data-action=evaluate]');
  await page.waitForFunction(() => /Node evaluated\. Evaluations created: [0-9a-f]{8}/.test(document.querySelector('[data-testid=action-result]')?.textContent || ''));

  // force drain (deadline -1)
  await page.click('[data-action=drain]');
  await page.check('[data-testid=drain-force]');
  assert.equal(await page.isDisabled('[data-testid=drain-deadline]'), true);
  assert.match(await text(page, '[data-testid=drain-summary]'), /stop immediately/);
  await page.click('[data-confirm=drain]');
  await page.waitForSelector('[data-testid=drain]');
  assert.equal((await get(`/v1/node/${a2.ID}`)).DrainStrategy.Deadline, -1);
  assert.match(await text(page, '[data-testid=drain-strategy]'), /forced/);
  // the drain finishes: nothing left on the node, drain marked complete
  await page.waitForSelector('[data-testid=last-drain]', { timeout: 30000 });

  // GC the node's stopped allocations
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=alloc-table] tbody tr').length > 0);
  await page.click('[data-action=gc]');
  await page.click('[data-confirm=gc]');
  await page.waitForFunction(() => /garbage collected/.test(document.querySelector('[data-testid=action-result]')?.textContent || ''));
  const left = await get(`/v1/node/${a2.ID}/allocations`);
  assert.ok(left.every((a) => !['complete', 'failed', 'lost'].includes(a.ClientStatus)), JSON.stringify(left.map((a) => a.ClientStatus)));

  // purge: only once the name is typed
  await page.click('[data-action=purge]');
  await page.fill('[data-testid=purge-name]', 'nomad-client');
  assert.equal(await page.isEnabled('[data-confirm=purge]'), false);
  await page.fill('[data-testid=purge-name]', 'nomad-client-a2');
  await shot(page, 'client-purge-confirm');
  await page.click('[data-confirm=purge]');
  await page.waitForSelector('[data-testid=purged]');
  assert.match(await text(page, '[data-testid=purged]'), /nomad-client-a2 was purged/);
  assert.equal((await api(sim, 'GET', `/v1/node/${a2.ID}`)).status, 404);
  await page.waitForFunction((id) => !document.querySelector(`tr[data-node="${id}"]`), a2.ID);
  assert.deepEqual(errors, []);
});

test('client actions need a token that allows them; the error says so and nothing changes', async () => {
  const acl = await startSim(['--acl']);
  const errors = [];
  const page = await newPage(browser, errors);
  try {
    const READONLY = '7e9a5d10-2b3c-4d4e-9f50-61728394a5b6';
    await page.goto(`${acl.ui}/settings/tokens`);
    await page.evaluate((t) => localStorage.setItem('yurt.token', t), READONLY);
    const nodes = JSON.parse((await api(acl, 'GET', '/v1/nodes', null, READONLY)).body);
    await page.goto(`${acl.ui}/clients/${nodes[0].ID}`);
    await page.waitForSelector('[data-testid=node-title]');
    await page.click('[data-action=eligibility]');
    await page.waitForSelector('[data-error-kind=Forbidden]');
    const n = JSON.parse((await api(acl, 'GET', `/v1/node/${nodes[0].ID}`, null, READONLY)).body);
    assert.equal(n.SchedulingEligibility, 'eligible');
  } finally {
    acl.stop();
  }
  assert.deepEqual(errors, []);
});
