// End-to-end flows of the job pages: versions and diffs, revert and
// stability, edit → plan → run (with a concurrent change), a new job, every
// job action, deployment promotion, and explained placement failures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage, shot, api } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim(); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

const text = (page, sel) => page.textContent(sel);

test('versions: diff against the predecessor and any version, mark stable, revert', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/jobs/default/api-gateway?tab=versions`);
  await page.waitForSelector('[data-testid=diff-tree] .diff-row');
  assert.deepEqual(await page.$$eval('[data-testid=version-list] li', (ls) => ls.map((l) => l.dataset.version)), ['2', '1', '0']);
  assert.equal(await text(page, '[data-testid=compare-title]'), 'Version 2 compared with version 1');
  const tree = await text(page, '[data-testid=diff-tree]');
  assert.match(tree, /Count: "2" → "3"/);
  assert.match(tree, /image: "envoyproxy\/envoy:v1.29" → "envoyproxy\/envoy:v1.30"/);
  await page.selectOption('[data-testid=compare-select]', '0');
  await page.waitForFunction(() => /compared with version 0/.test(document.querySelector('[data-testid=compare-title]').textContent));
  assert.match(await text(page, '[data-testid=diff-tree]'), /envoy:v1.28" → "envoyproxy\/envoy:v1.30"/);
  assert.match(page.url(), /against=0/);
  await shot(page, 'job-versions');

  await page.click('[data-testid=version-list] li[data-version="1"] button');
  await page.click('[data-action=stable]');
  await page.waitForSelector('[data-testid=action-result]');
  await page.waitForSelector('[data-testid=version-list] li[data-version="1"] .badge-successful');

  await page.click('[data-action=revert]');
  await page.click('[data-confirm=revert]');
  await page.waitForFunction(() => /Reverted to version 1/.test(document.querySelector('[data-testid=action-result]')?.textContent || ''));
  await page.waitForSelector('[data-testid=version-list] li[data-version="3"]');
  const v3 = await api(sim, 'GET', '/v1/job/api-gateway');
  assert.match(JSON.parse(v3.body).TaskGroups[0].Tasks[0].Config.image, /v1.29/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('edit → plan → run, and a concurrent change is reported, not overwritten', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/jobs/default/redis-cache?tab=definition`);
  await page.waitForSelector('[data-testid=job-editor]');
  const spec = await page.inputValue('[data-testid=job-editor]');
  await page.fill('[data-testid=job-editor]', spec.replace('"redis:7.2"', '"redis:7.4"'));
  assert.ok(await page.isDisabled('[data-action=run]'), 'run needs a plan first');
  await page.click('[data-action=plan]');
  await page.waitForSelector('[data-testid=plan]');
  assert.match(await text(page, '[data-testid=diff-tree]'), /image: "redis:7.2" → "redis:7.4"/);
  assert.match(await text(page, '[data-testid=diff-tree]'), /forces create\/destroy update/);
  assert.equal(await text(page, '[data-testid=plan-updates] tr[data-group=cache] td:nth-child(3)'), '1');
  await shot(page, 'job-plan');
  await page.click('[data-action=run]');
  await page.waitForSelector('[data-testid=run-result]');
  assert.equal(JSON.parse((await api(sim, 'GET', '/v1/job/redis-cache')).body).Version, 1);

  // plan, then someone else changes the job, then run: refused with an explanation
  await page.fill('[data-testid=job-editor]', spec.replace('"redis:7.2"', '"redis:8.0"'));
  await page.click('[data-action=plan]');
  await page.waitForSelector('[data-testid=plan]');
  const other = JSON.parse((await api(sim, 'GET', '/v1/job/redis-cache')).body);
  other.Meta = { changed: 'by someone else' };
  assert.equal((await api(sim, 'POST', '/v1/jobs', { Job: other })).status, 200);
  await page.click('[data-action=run]');
  await page.waitForSelector('[data-testid=editor-error]');
  assert.match(await text(page, '[data-testid=editor-error]'), /changed by someone else/);
  await shot(page, 'job-conflict');
  const now = JSON.parse((await api(sim, 'GET', '/v1/job/redis-cache')).body);
  assert.equal(now.Meta.changed, 'by someone else', 'the concurrent change was kept');
  assert.doesNotMatch(now.TaskGroups[0].Tasks[0].Config.image, /8.0/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('register a new job from the editor', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/jobs`);
  await page.click('[data-testid=run-job]');
  await page.waitForSelector('[data-testid=job-editor]');
  await page.fill('[data-testid=job-editor]', '{ "ID": broken');
  await page.click('[data-action=plan]');
  await page.waitForSelector('[data-testid=editor-error]');
  assert.match(await text(page, '[data-testid=editor-error]'), /Invalid JSON/);
  await page.goto(`${sim.ui}/jobs/new`);
  await page.waitForSelector('[data-testid=job-editor]');
  await page.click('[data-action=plan]');
  await page.waitForSelector('[data-testid=plan]');
  assert.match(await text(page, '[data-testid=diff-tree]'), /Job "hello-world"/);
  assert.equal(await text(page, '[data-testid=plan-updates] tr[data-group=web] td:nth-child(2)'), '2');
  await page.click('[data-action=run]');
  await page.waitForURL(/\/jobs\/default\/hello-world$/);
  await page.waitForSelector('[data-testid=alloc-table] tbody tr');
  assert.deepEqual(errors, []);
  await page.close();
});

test('stop, start, force evaluate and purge', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/jobs/default/web-frontend`);
  await page.click('[data-action=stop]');
  await page.waitForSelector('[data-testid=confirm]');
  await page.click('[data-confirm=stop]');
  await page.waitForSelector('[data-testid=action-result] a');
  assert.match(await text(page, '[data-testid=action-result]'), /Stop requested: evaluation [0-9a-f]{8} created/);
  await page.waitForSelector('[data-testid=stopped-tag]');
  await page.click('[data-action=start]');
  await page.waitForFunction(() => !document.querySelector('[data-testid=stopped-tag]'));
  await page.click('[data-action=evaluate]');
  await page.waitForFunction(() => /Evaluation requested/.test(document.querySelector('[data-testid=action-result]')?.textContent || ''));

  await page.goto(`${sim.ui}/jobs/default/old-dashboard`);
  await page.click('[data-action=purge]');
  assert.ok(await page.isDisabled('[data-confirm=purge]'), 'purge waits for the name');
  await page.fill('[data-testid=purge-confirm]', 'old-dashboard');
  await page.click('[data-confirm=purge]');
  await page.waitForSelector('[data-testid=purged]', { timeout: 15000 });
  assert.match(await text(page, '[data-testid=purged]'), /Job old-dashboard was purged/);
  await page.waitForSelector('[data-testid=jobs-table] tbody tr');
  assert.equal(await page.locator('tr[data-job="old-dashboard"]').count(), 0);
  assert.equal((await api(sim, 'GET', '/v1/job/old-dashboard')).status, 404);
  assert.deepEqual(errors, []);
  await page.close();
});

test('periodic launch and dispatch create children', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/jobs/batch/nightly-report`);
  await page.click('[data-action=force]');
  await page.waitForFunction(() => /Periodic launch requested/.test(document.querySelector('[data-testid=action-result]')?.textContent || ''));
  await page.waitForSelector('[data-testid=children-table] tbody tr');

  await page.goto(`${sim.ui}/jobs/batch/etl-import`);
  await page.click('[data-action=dispatch]');
  await page.waitForSelector('[data-testid=dispatch-form]');
  assert.match(await text(page, '[data-testid=dispatch-form] .problems'), /Meta key "dataset" is required/);
  assert.ok(await page.isDisabled('[data-confirm=dispatch]'));
  await page.fill('input[data-meta=dataset]', 'orders');
  await page.fill('[data-testid=dispatch-payload]', '{"since": "2026-11-01"}');
  await page.click('[data-confirm=dispatch]');
  await page.waitForSelector('[data-testid=child-link]');
  await shot(page, 'job-dispatched');
  await page.click('[data-testid=child-link]');
  await page.waitForFunction(() => /etl-import\/dispatch-/.test(document.querySelector('[data-testid=job-title]')?.textContent || ''));
  assert.deepEqual(errors, []);
  await page.close();
});

test('canary deployment is promoted from the UI; placement failures are explained', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  // a fresh sim: the versions test above reverted api-gateway
  const own = await startSim();
  await page.goto(`${own.ui}/jobs/default/api-gateway`);
  await page.waitForSelector('[data-action=promote]', { timeout: 20000 });
  // Nomad refuses a promotion until the canary is healthy; the button waits too
  await page.waitForSelector('[data-action=promote]:not([disabled])', { timeout: 20000 });
  assert.match(await text(page, '[data-testid=canary-health]'), /1\/1 canaries healthy/);
  await shot(page, 'job-deployment');
  await page.click('[data-action=promote]');
  await page.waitForSelector('[data-testid=deployment-result]');
  await page.waitForFunction(() => /successful/.test(document.querySelector('[data-testid=deployment] .badge')?.textContent || ''), null, { timeout: 20000 });

  await page.goto(`${own.ui}/jobs/default/ml-training`);
  await page.waitForSelector('[data-testid=placement-failure]');
  const why = await text(page, '[data-testid=placement-failure]');
  assert.match(why, /Group "train" could not be placed/);
  assert.match(why, /Dimension "memory" exhausted/);
  await shot(page, 'job-placement-failure');
  own.stop();
  assert.deepEqual(errors, []);
  await page.close();
});
