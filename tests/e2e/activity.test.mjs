// The activity page end to end: one event stream subscription, rows as the
// cluster changes, filters in the URL, pause with a count of new events,
// and a clear message when the stream is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage, shot, api } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim(); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

const job = (id) => ({ Job: { ID: id, TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: 't', Driver: 'docker', Config: { image: 'nginx' } }] }] } });

test('activity: events appear live, filter by topic, pause counts what arrives', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/activity`);
  await page.waitForFunction(() => /Live/.test(document.querySelector('[data-testid=live-mode]')?.textContent || ''));
  const r = await api(sim, 'POST', '/v1/jobs', job('activity-one'));
  assert.equal(r.status, 200);
  await page.waitForSelector('[data-testid=activity-table] tr[data-type=JobRegistered] a:text("activity-one")');
  await page.waitForSelector('[data-testid=activity-table] tr[data-topic=Allocation]');
  await shot(page, 'activity');

  await page.goto(`${sim.ui}/activity?topic=Job`);
  await page.waitForFunction(() => /Live/.test(document.querySelector('[data-testid=live-mode]')?.textContent || ''));
  await api(sim, 'POST', '/v1/jobs', job('activity-two'));
  await page.waitForSelector('[data-testid=activity-table] tr a:text("activity-two")');
  const topics = await page.$$eval('[data-testid=activity-table] tbody tr', (rs) => rs.map((r) => r.dataset.topic));
  assert.ok(topics.length > 0 && topics.every((t) => t === 'Job'), topics.join(','));

  await page.click('[data-action=pause]');
  const before = await page.locator('[data-testid=activity-table] tbody tr').count();
  await api(sim, 'POST', '/v1/jobs', job('activity-three'));
  await page.waitForFunction(() => /new events/.test(document.querySelector('[data-testid=activity-new]')?.textContent || ''));
  assert.equal(await page.locator('[data-testid=activity-table] tbody tr').count(), before, 'paused: the view stands still');
  await page.click('[data-testid=activity-new]');
  await page.waitForSelector('[data-testid=activity-table] tr a:text("activity-three")');
  assert.deepEqual(errors, []);
  await page.close();
});

test('activity: a token the stream refuses is explained', async () => {
  const acl = await startSim(['--acl']);
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${acl.ui}/activity`);
  await page.waitForSelector('[data-testid=live-mode-unavailable] .error-panel');
  // 2.x refuses a stream with an empty 200 (or 403 where it can still code it)
  assert.match(await page.textContent('[data-testid=live-mode-unavailable]'), /may not read these topics|Permission denied/);
  acl.stop();
  assert.deepEqual(errors, []);
  await page.close();
});

test('activity: a job\'s Activity tab shows only that job\'s events', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await api(sim, 'POST', '/v1/jobs', job('scoped-a'));
  await page.goto(`${sim.ui}/jobs/default/scoped-a?tab=activity`);
  await page.waitForFunction(() => /Live/.test(document.querySelector('[data-testid=live-mode]')?.textContent || ''));
  await api(sim, 'POST', '/v1/jobs', job('scoped-b'));
  await api(sim, 'POST', '/v1/jobs', { Job: { ...job('scoped-a').Job, Meta: { v: '2' } } });
  // version 1 is registered after scoped-b, so scoped-b's events have been seen by now
  await page.waitForSelector('[data-testid=activity-table] tr[data-type=JobRegistered]:has-text("version 1")');
  // a scoped feed has no search box or job menu: the page already names the job
  assert.equal(await page.locator('[data-testid=activity-table] a:text("scoped-b")').count(), 0);
  await shot(page, 'job-activity');
  assert.deepEqual(errors, []);
  await page.close();
});

test('activity: events of every namespace under "All namespaces", and a job tab in its own', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/activity`);
  await page.waitForFunction(() => /Live/.test(document.querySelector('[data-testid=live-mode]')?.textContent || ''));
  const platform = { Job: { ...job('ns-job').Job, Namespace: 'platform' } };
  assert.equal((await api(sim, 'POST', '/v1/jobs', platform)).status, 200);
  await page.waitForSelector('[data-testid=activity-table] tr[data-type=JobRegistered] a:text("ns-job")');
  await page.goto(`${sim.ui}/jobs/platform/ns-job?tab=activity`);
  await page.waitForSelector('[data-testid=activity-table] tr[data-type=JobRegistered] a:text("ns-job")');
  const namespaces = await page.$$eval('[data-testid=activity-table] tbody tr td:nth-child(5)', (cs) => cs.map((c) => c.textContent));
  assert.ok(namespaces.every((n) => n === 'platform'), namespaces.join(','));
  assert.deepEqual(errors, []);
  await page.close();
});
