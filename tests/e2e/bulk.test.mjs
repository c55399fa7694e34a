// Bulk actions: pick rows (click, shift-click, every row the filter
// keeps), one confirmation listing every target, and each target's own
// result; under a token that may act in one namespace only, the refusals
// are reported per row and the rest goes through.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, shot, api, until, signedIn, MANAGEMENT } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim(['--acl']); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

const allocs = async () => JSON.parse((await api(sim, 'GET', '/v1/allocations?namespace=*', null, MANAGEMENT)).body);

test('bulk restart with a token limited to one namespace: refusals per row, the rest done', async () => {
  const rules = 'namespace "*" {\n  policy = "read"\n}\nnamespace "default" {\n  policy = "read"\n  capabilities = ["alloc-lifecycle"]\n}\nnode {\n  policy = "read"\n}\n';
  assert.equal((await api(sim, 'POST', '/v1/acl/policy/default-ops', { Name: 'default-ops', Rules: rules }, MANAGEMENT)).status, 200);
  const tok = JSON.parse((await api(sim, 'POST', '/v1/acl/token', { Name: 'ops', Type: 'client', Policies: ['default-ops'] }, MANAGEMENT)).body);
  await until(async () => {
    const r = (await allocs()).filter((a) => a.ClientStatus === 'running');
    return r.some((a) => a.Namespace === 'default') && r.some((a) => a.Namespace === 'platform');
  });
  const { page, errors } = await signedIn(browser, tok.SecretID);
  await page.goto(`${sim.ui}/allocations?status=running`);
  await page.waitForSelector('[data-testid=allocs-table] tbody tr');
  await page.click('[data-testid=allocs-table] tbody tr [data-testid=pick]');
  await page.waitForSelector('[data-testid=bulk-bar]');
  await page.click('[data-testid=bulk-all]');
  const n = await page.$$eval('[data-testid=allocs-table] tbody tr [data-testid=pick]', (b) => b.filter((x) => x.checked).length);
  assert.ok(n > 2);
  await page.click('[data-bulk=restart]');
  await page.waitForSelector('[data-testid=confirm-bulk-restart]');
  const listed = await page.$$eval('[data-testid=confirm-bulk-restart] .bulk-targets li', (l) => l.length);
  assert.ok(listed >= n, 'the confirmation lists every target');
  await shot(page, 'bulk-confirm');
  await page.click('[data-confirm=bulk-restart]');
  await page.waitForFunction(() => / 0 to go$/.test(document.querySelector('[data-testid=bulk-summary]')?.textContent || ''), null, { timeout: 20000 });
  const outcomes = await page.$$eval('[data-testid=bulk-results] li', (l) => l.map((x) => [x.dataset.target, x.dataset.outcome, x.textContent]));
  const running = (await allocs()).filter((a) => a.ClientStatus === 'running');
  const nsOf = (label) => running.find((a) => label.startsWith(`${a.Name} (${a.ID.slice(0, 8)})`))?.Namespace;
  const ok = outcomes.filter(([, o]) => o === 'ok');
  const denied = outcomes.filter(([, o]) => o === 'danger');
  assert.ok(ok.length > 0 && denied.length > 0, JSON.stringify(outcomes));
  assert.ok(denied.every(([, , t]) => /Permission denied/.test(t)), JSON.stringify(denied));
  assert.ok(ok.every(([l]) => nsOf(l) === 'default' || nsOf(l) === undefined), 'only default-namespace allocations restarted');
  assert.ok(denied.every(([l]) => nsOf(l) !== 'default'), 'refusals are for other namespaces');
  await shot(page, 'bulk-results');
  // the restarts happened: their task events say so
  const restarted = ok[0][0].match(/\(([0-9a-f]{8})\)/)[1];
  const id = running.find((a) => a.ID.startsWith(restarted)).ID;
  await until(async () => /Restart Signaled/.test((await api(sim, 'GET', `/v1/allocation/${id}`, null, MANAGEMENT)).body));
  assert.deepEqual(errors, []);
  await page.close();
});

test('bulk on clients: shift-click picks a range, and marking them ineligible goes through for each', async () => {
  const { page, errors } = await signedIn(browser, MANAGEMENT);
  await page.goto(`${sim.ui}/clients`);
  await page.waitForSelector('[data-testid=clients-table] tbody tr');
  const boxes = page.locator('[data-testid=clients-table] tbody tr [data-testid=pick]');
  await boxes.nth(0).click();
  await boxes.nth(2).click({ modifiers: ['Shift'] });
  const picked = await page.$$eval('[data-testid=clients-table] tbody tr', (rs) => rs.filter((r) => r.querySelector('[data-testid=pick]').checked).map((r) => r.dataset.node));
  assert.equal(picked.length, 3, 'a shift-click picks the rows between');
  await page.click('[data-bulk=ineligible]');
  await page.click('[data-confirm=bulk-ineligible]');
  await page.waitForFunction(() => /3 done, 0 failed, 0 to go/.test(document.querySelector('[data-testid=bulk-summary]')?.textContent || ''));
  const nodes = JSON.parse((await api(sim, 'GET', '/v1/nodes', null, MANAGEMENT)).body);
  assert.deepEqual(nodes.filter((n) => picked.includes(n.ID)).map((n) => n.SchedulingEligibility), ['ineligible', 'ineligible', 'ineligible']);
  await page.click('[data-testid=bulk-results] button');
  assert.equal(await page.$('[data-testid=bulk-results]'), null);
  assert.deepEqual(errors, []);
  await page.close();
});

test('bulk on jobs: stop two, start them again, force an evaluation', async () => {
  const { page, errors } = await signedIn(browser, MANAGEMENT);
  await page.goto(`${sim.ui}/jobs?q=redis`);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=jobs-table] tbody tr').length >= 1);
  await page.fill('[data-testid=jobs-filter]', '');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=jobs-table] tbody tr').length > 3);
  const pick = (id) => page.click(`[data-testid=jobs-table] tbody tr[data-job="${id}"] [data-testid=pick]`);
  await pick('redis-cache');
  await pick('web-frontend');
  await page.click('[data-bulk=stop]');
  assert.deepEqual(await page.$$eval('[data-testid=confirm-bulk-stop] .bulk-targets li', (l) => l.map((x) => x.textContent)), ['default/redis-cache', 'default/web-frontend']);
  await page.click('[data-confirm=bulk-stop]');
  await page.waitForFunction(() => /2 done, 0 failed, 0 to go/.test(document.querySelector('[data-testid=bulk-summary]')?.textContent || ''));
  const job = async (id) => JSON.parse((await api(sim, 'GET', `/v1/job/${id}`, null, MANAGEMENT)).body);
  assert.equal((await job('redis-cache')).Stop, true);
  assert.equal((await job('web-frontend')).Stop, true);
  await page.click('[data-testid=bulk-results] button');
  await pick('redis-cache');
  await pick('web-frontend');
  await page.click('[data-bulk=start]');
  await page.click('[data-confirm=bulk-start]');
  await page.waitForFunction(() => /2 done, 0 failed, 0 to go/.test(document.querySelector('[data-testid=bulk-summary]')?.textContent || ''));
  assert.equal((await job('redis-cache')).Stop, false);
  assert.equal((await job('web-frontend')).Stop, false);
  await page.click('[data-testid=bulk-results] button');
  await pick('redis-cache');
  await page.click('[data-bulk=evaluate]');
  await page.click('[data-confirm=bulk-evaluate]');
  await page.waitForFunction(() => /1 done, 0 failed, 0 to go/.test(document.querySelector('[data-testid=bulk-summary]')?.textContent || ''));
  assert.match(await page.textContent('[data-testid=bulk-results] li'), /evaluation [0-9a-f]{8}/);
  await shot(page, 'bulk-jobs');
  assert.deepEqual(errors, []);
  await page.close();
});
