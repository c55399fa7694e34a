// Problems: the demo cluster's failing jobs and unplaceable jobs named,
// counted and linked, each saying why and since when; a client made
// ineligible joins the page live.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage, shot, api, until } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim([]); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

const subjects = (page, key) => page.$$eval(`[data-testid=problems-${key}] li`, (ls) => ls.map((l) => l.dataset.subject));

test("problems names the demo's failing and unplaceable jobs, and follows the cluster", async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  // the demo's payments allocations fail and queue-worker's task is OOM-killed a few ticks in
  await until(async () => JSON.parse((await api(sim, 'GET', '/v1/allocations?namespace=*')).body)
    .some((a) => a.JobID === 'queue-worker' && a.ClientStatus === 'failed'), 20000);
  await page.goto(`${sim.ui}/jobs`);
  // the top bar counts them on any page
  await page.waitForSelector('[data-testid=problems-badge]');
  await page.click('nav.nav a[href$="/problems"]');
  await page.waitForSelector('[data-testid=problems-unplaceable]');
  assert.deepEqual((await subjects(page, 'unplaceable')).sort(), ['legacy-billing', 'ml-training']);
  const why = await page.textContent('[data-testid=problems-unplaceable] li[data-subject=ml-training] .problem-detail');
  assert.match(why, /^group train: /);
  await page.waitForSelector('[data-testid=problems-failed]');
  await until(async () => (await subjects(page, 'failed')).some((s) => s.startsWith('payments.')), 15000);
  await page.waitForSelector('[data-testid=problems-oom]');
  assert.ok((await subjects(page, 'oom')).some((s) => s.startsWith('queue-worker.')));
  assert.match(await page.textContent('[data-testid=problems-oom] li'), /since .*ago|since just now/);
  const count = Number(await page.textContent('[data-testid=problems-unplaceable] [data-testid=problem-count]'));
  assert.equal(count, 2);
  assert.match(await page.getAttribute('[data-testid=problems-unplaceable] li[data-subject=ml-training] a', 'href'), /\/evaluations\//);
  await shot(page, 'problems');
  // the badge and the page read the same, so they agree
  await page.waitForFunction(() => {
    const badge = Number(document.querySelector('[data-testid=problems-badge]')?.firstChild?.textContent);
    const summary = Number(document.querySelector('[data-testid=problems-summary]').textContent.match(/^\d+/)?.[0]);
    return badge > 0 && badge === summary;
  });

  // a client taken out of scheduling appears, live
  const node = JSON.parse((await api(sim, 'GET', '/v1/nodes')).body)[0];
  assert.equal((await api(sim, 'POST', `/v1/node/${node.ID}/eligibility`, { NodeID: node.ID, Eligibility: 'ineligible' })).status, 200);
  await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid=problems-ineligible] li')].some((l) => l.dataset.subject === n), node.Name);
  // and the badge counts it too
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=problems-badge]').firstChild.textContent)
    === Number(document.querySelector('[data-testid=problems-summary]').textContent.match(/^\d+/)[0]));
  await page.click(`[data-testid=problems-ineligible] li[data-subject="${node.Name}"] a`);
  await page.waitForSelector('[data-testid=node-title]');
  assert.deepEqual(errors, []);
  await page.close();
});
