// End-to-end flows of the evaluations pages: the list (newest first, the
// filters sent to the agent as a `filter` expression, live), and one
// evaluation (what it waits for in words, placement failures, the chain of
// related evaluations, its allocations).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage, shot, api, until } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim(); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

const evals = async () => JSON.parse((await api(sim, 'GET', '/v1/evaluations?namespace=*')).body);

test('evaluations list: newest first, filters sent to the agent, live', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  const sent = [];
  page.on('request', (r) => { if (r.url().includes('/v1/evaluations')) sent.push(decodeURIComponent(r.url())); });
  await until(async () => (await evals()).some((e) => e.Status === 'blocked'));
  await page.goto(`${sim.ui}/evaluations`);
  await page.waitForSelector('[data-testid=evals-table] tbody tr');
  const all = await evals();
  const newest = [...all].sort((a, b) => b.CreateIndex - a.CreateIndex || b.ID.localeCompare(a.ID))[0];
  const first = await page.$eval('[data-testid=evals-table] tbody tr', (r) => r.dataset.eval);
  assert.equal(first, newest.ID);
  assert.ok(sent.some((u) => u.includes('reverse=true') && u.includes('per_page=')));

  await page.click('[data-facet=status][data-value=blocked]');
  await page.waitForFunction(() => location.search.includes('status=blocked'));
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=evals-table] tbody tr')].every((r) => r.dataset.status === 'blocked'));
  assert.ok(sent.some((u) => u.includes('filter=Status == "blocked"')), sent.join('\n'));
  const blocked = await page.$$eval('[data-testid=evals-table] tbody tr', (r) => r.map((x) => x.dataset.eval));
  assert.deepEqual(blocked.sort(), all.filter((e) => e.Status === 'blocked').map((e) => e.ID).sort());
  assert.match(await page.textContent('[data-testid=evals-table] tbody tr td.placement-failure'), /could not be placed|waiting for capacity/);
  await shot(page, 'evals-blocked');

  // a new evaluation appears without a reload
  await page.click('[data-facet=status][data-value=""]');
  await page.waitForFunction(() => !location.search.includes('status='));
  const r = await api(sim, 'POST', '/v1/job/web-frontend/evaluate', {});
  const id = JSON.parse(r.body).EvalID;
  await page.waitForSelector(`[data-testid=evals-table] tbody tr[data-eval="${id}"]`, { timeout: 20000 });
  assert.equal(await page.$eval('[data-testid=evals-table] tbody tr', (x) => x.dataset.eval), id);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an evaluation: reasons in words, placement failures, related chain and allocations', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  const blocked = await until(async () => (await evals()).find((e) => e.Status === 'blocked'));
  await page.goto(`${sim.ui}/evaluations/${blocked.ID}`);
  await page.waitForSelector('[data-testid=eval-reasons] li');
  assert.match(await page.textContent('[data-testid=eval-reasons]'), /^Blocked: some allocations could not be placed/);
  await page.waitForSelector(`[data-testid=eval-chain] li[data-eval="${blocked.ID}"][data-relation="this one"]`);
  // the evaluation that left it blocked is in its chain, linked by its BlockedEval
  const parent = (await evals()).find((e) => e.BlockedEval === blocked.ID);
  if (parent) {
    await page.waitForSelector(`[data-testid=eval-chain] li[data-eval="${parent.ID}"]`);
    await page.click(`[data-testid=eval-chain] li[data-eval="${parent.ID}"] a`);
    await page.waitForSelector(`[data-testid=eval-chain] li[data-eval="${parent.ID}"][data-relation="this one"]`);
    await page.waitForSelector(`[data-testid=eval-chain] li[data-eval="${blocked.ID}"][data-relation=blocked]`);
    await page.waitForSelector('[data-testid=placement-failure]');
    assert.match(await page.textContent('[data-testid=placement-failure]'), /could not be placed/);
  }
  await shot(page, 'evals-one-blocked');

  // a job's registration evaluation lists the allocations it placed
  const placed = (await evals()).find((e) => e.JobID === 'web-frontend' && e.TriggeredBy === 'job-register' && e.Status === 'complete');
  await page.goto(`${sim.ui}/evaluations/${placed.ID}`);
  await page.waitForSelector('[data-testid=alloc-table] tbody tr');
  const rows = await page.$$eval('[data-testid=alloc-table] tbody tr', (r) => r.map((x) => x.dataset.alloc));
  const want = JSON.parse((await api(sim, 'GET', `/v1/evaluation/${placed.ID}/allocations`)).body).map((a) => a.ID);
  assert.deepEqual(rows.sort(), want.sort());
  assert.equal(await page.textContent('[data-testid=eval-trigger]'), 'job-register');
  await shot(page, 'evals-one-placed');
  assert.deepEqual(errors, []);
  await page.close();
});
