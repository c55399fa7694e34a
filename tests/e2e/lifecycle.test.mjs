// End-to-end flows of an allocation's lifecycle: restart (every running
// task, or one task from its card), signal, stop, and what a token without
// `alloc-lifecycle` is told. The task events each causes arrive live.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, shot, api, until, signedIn, runningAlloc, MANAGEMENT, READONLY } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim(['--acl']); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

const allocs = async () => JSON.parse((await api(sim, 'GET', '/v1/allocations?namespace=*', null, MANAGEMENT)).body);
const running = (job) => runningAlloc(sim, job);

test('restart and signal an allocation: confirmed, answered, and their task events arrive live', async () => {
  const { page, errors } = await signedIn(browser, MANAGEMENT);
  const a = await running('web-frontend');
  await page.goto(`${sim.ui}/allocations/${a.ID}`);
  const task = Object.keys(a.TaskStates)[0];
  const card = `.task-card[data-task="${task}"]`;
  await page.waitForSelector(`${card} [data-testid=events] li`);
  const restartsBefore = Number(await page.textContent(`${card} [data-testid=restarts]`));

  // restart the running tasks, from the page's actions
  await page.click('[data-action=restart]');
  await page.waitForSelector('[data-testid=confirm-restart]');
  assert.match(await page.textContent('[data-testid=confirm-restart]'), /in place/);
  await page.click('[data-confirm=restart]');
  await page.waitForSelector('[data-testid=action-result]');
  assert.match(await page.textContent('[data-testid=action-result]'), /Restart requested/);
  await page.waitForSelector(`${card} [data-testid=events] li[data-event="Restart Signaled"]`);
  assert.match(await page.textContent(`${card} [data-testid=events] li[data-event="Restart Signaled"]`), /User requested running tasks to restart/);
  await page.waitForFunction(([sel, n]) => Number(document.querySelector(sel).textContent) > n, [`${card} [data-testid=restarts]`, restartsBefore]);
  await shot(page, 'lifecycle-restarted');

  // signal one task, from its card
  await page.click(`${card} [data-testid=task-signal]`);
  await page.waitForSelector('[data-testid=confirm-signal]');
  assert.match(await page.textContent('[data-testid=confirm-signal]'), new RegExp(`task ${task}`));
  await page.selectOption('[data-testid=signal-name]', 'SIGUSR1');
  await shot(page, 'lifecycle-signal-confirm');
  await page.click('[data-confirm=signal]');
  await page.waitForFunction(() => /SIGUSR1 sent to/.test(document.querySelector('[data-testid=action-result]')?.textContent || ''));
  await page.waitForSelector(`${card} [data-testid=events] li[data-event=Signaling]`);
  assert.match(await page.textContent(`${card} [data-testid=events] li[data-event=Signaling]`), /SIGUSR1/);
  const events = (await api(sim, 'GET', `/v1/allocation/${a.ID}`, null, MANAGEMENT)).body;
  assert.match(events, /"signal":"SIGUSR1"/);

  // cancelling a confirmation sends nothing
  await page.click(`${card} [data-testid=task-restart]`);
  await page.waitForSelector('[data-testid=confirm-restart]');
  assert.match(await page.textContent('[data-testid=confirm-restart]'), new RegExp(`Restart task ${task}`));
  await page.click('[data-testid=confirm-restart] button:not([data-confirm])');
  await page.waitForSelector('[data-testid=confirm-restart]', { state: 'detached' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('stopping an allocation: the scheduler replaces it, the page follows', async () => {
  const { page, errors } = await signedIn(browser, MANAGEMENT);
  const a = await running('web-frontend');
  await page.goto(`${sim.ui}/allocations/${a.ID}`);
  await page.waitForSelector('[data-action=stop]:not([disabled])');
  await page.click('[data-action=stop]');
  await page.click('[data-confirm=stop]');
  await page.waitForFunction(() => /Stopped\. The scheduler places a replacement/.test(document.querySelector('[data-testid=action-result]')?.textContent || ''));
  await page.waitForFunction(() => /^stop/.test(document.querySelector('[data-testid=desired-status]').textContent));
  // a stopped allocation offers no more restarts
  await page.waitForSelector('[data-action=restart][disabled]');
  const replaced = await until(async () => (await allocs()).find((x) => x.JobID === 'web-frontend' && x.Name === a.Name && x.ID !== a.ID && x.DesiredStatus === 'run'));
  assert.ok(replaced);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a token without alloc-lifecycle is told so, in the words of the agent', async () => {
  const { page, errors } = await signedIn(browser, READONLY);
  const a = await running('web-frontend');
  await page.goto(`${sim.ui}/allocations/${a.ID}`);
  await page.waitForSelector('[data-action=restart]:not([disabled])');
  await page.click('[data-action=restart]');
  await page.click('[data-confirm=restart]');
  await page.waitForSelector('.error-panel');
  assert.match(await page.textContent('.error-panel'), /Permission denied/);
  await shot(page, 'lifecycle-forbidden');
  assert.deepEqual(errors, []);
  await page.close();
});

test('restarting every allocation of a job, a batch at a time, with pause and cancel', async () => {
  const { page, errors } = await signedIn(browser, MANAGEMENT);
  await running('web-frontend');
  const live = async () => (await allocs()).filter((a) => a.JobID === 'web-frontend' && a.DesiredStatus === 'run' && a.ClientStatus === 'running');
  await until(async () => (await live()).length >= 3);
  const before = new Map((await live()).map((a) => [a.ID, Object.values(a.TaskStates).reduce((n, t) => n + t.Restarts, 0)]));
  await page.goto(`${sim.ui}/jobs/default/web-frontend`);
  await page.waitForSelector('[data-action=rolling-restart]:not([disabled])');

  // a run paused and cancelled stops where it is
  await page.click('[data-action=rolling-restart]');
  await page.fill('[data-testid=rolling-size]', '1');
  await page.click('[data-confirm=rolling-restart]');
  await page.click('[data-action=rolling-pause]');
  await page.waitForSelector('[data-testid=rolling-progress][data-run=paused]');
  assert.match(await page.textContent('[data-testid=rolling-summary]'), /^Paused at batch 1 of \d+/);
  await page.click('[data-action=rolling-cancel]');
  await page.waitForSelector('[data-testid=rolling-progress][data-run=cancelled]');
  const queued = await page.$$eval('[data-testid=rolling-rows] tr[data-step=queued]', (r) => r.length);
  assert.ok(queued >= 1, 'the later batches were never restarted');
  await page.click('[data-action=rolling-close]');

  // a whole run, two at a time
  await page.click('[data-action=rolling-restart]');
  await page.fill('[data-testid=rolling-size]', '2');
  await shot(page, 'lifecycle-rolling-confirm');
  await page.click('[data-confirm=rolling-restart]');
  await page.waitForSelector('[data-testid=rolling-progress][data-run=done]', { timeout: 60000 });
  await shot(page, 'lifecycle-rolling-done');
  const rows = await page.$$eval('[data-testid=rolling-rows] tr', (r) => r.map((x) => [x.dataset.alloc, x.dataset.step]));
  assert.ok(rows.length >= 3);
  assert.ok(rows.every(([, s]) => s === 'back'), JSON.stringify(rows));
  for (const [id] of rows) {
    const a = JSON.parse((await api(sim, 'GET', `/v1/allocation/${id}`, null, MANAGEMENT)).body);
    const n = Object.values(a.TaskStates).reduce((m, t) => m + t.Restarts, 0);
    assert.ok(n > (before.get(id) ?? 0), `${a.Name} restarted`);
    assert.ok(Object.values(a.TaskStates).some((t) => t.Events.some((e) => e.Type === 'Restart Signaled')));
  }
  assert.match(await page.textContent('[data-testid=rolling-summary]'), /^Done: all \d+ allocations restarted and back/);
  assert.deepEqual(errors, []);
  await page.close();
});
