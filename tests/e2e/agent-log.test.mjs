// An agent's own log (`/v1/agent/monitor`) in the log viewer: a server's
// requests at DEBUG, a client's task events at INFO, search over them, and
// what a token without agent:read is told.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, shot, api, until, signedIn, runningAlloc, MANAGEMENT } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim(['--acl']); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

const lines = (page) => page.evaluate(() => [...document.querySelectorAll('[data-testid=log-viewer] .log-line')].map((l) => l.textContent));

test('a server log at debug shows the requests it answers, searchable', async () => {
  const { page, errors } = await signedIn(browser, MANAGEMENT);
  await page.goto(`${sim.ui}/servers`);
  await page.click('[data-testid=server-log]');
  await page.waitForSelector('[data-testid=agent-log-title]');
  assert.match(await page.textContent('[data-testid=agent-log-title]'), /Agent log · server nomad-sim\.global/);
  await page.click('[data-testid=agent-log-level-debug]');
  assert.match(page.url(), /level=debug/);
  // requests made while the monitor listens are in its log
  await until(async () => {
    await api(sim, 'GET', '/v1/jobs?prefix=probe', null, MANAGEMENT);
    return (await lines(page)).some((l) => /\[DEBUG\] http: request complete: method=GET path=\/v1\/jobs\?prefix=probe/.test(l));
  }, 15000);
  await page.fill('[data-testid=log-search]', 'prefix=probe');
  await page.waitForFunction(() => /\d+ match/.test(document.querySelector('[data-testid=log-hits]')?.textContent || ''));
  const shown = await lines(page);
  assert.ok(shown.length > 0 && shown.every((l) => l.includes('prefix=probe')), 'only matching lines are shown');
  assert.equal(await page.$('[data-testid=log-download-full]'), null, 'an agent log has no files to download whole');
  await shot(page, 'agent-log-server');
  assert.deepEqual(errors, []);
  await page.close();
});

test("a client's log at info shows its allocations' task events as they happen", async () => {
  const { page, errors } = await signedIn(browser, MANAGEMENT);
  const a = await runningAlloc(sim, 'web-frontend');
  await page.goto(`${sim.ui}/clients/${a.NodeID}`);
  await page.click('[data-testid=node-agent-log]');
  await page.waitForSelector('[data-testid=agent-log-title]');
  assert.match(await page.textContent('[data-testid=agent-log-title]'), /Agent log · client/);
  await page.waitForSelector('[data-testid=log-viewer]');
  await page.waitForTimeout(500);
  const r = await api(sim, 'POST', `/v1/client/allocation/${a.ID}/restart`, {}, MANAGEMENT);
  assert.equal(r.status, 200);
  await until(async () => (await lines(page)).some((l) => l.includes(`alloc_id=${a.ID}`) && /type="Restart Signaled"/.test(l)), 15000);
  await shot(page, 'agent-log-client');
  assert.deepEqual(errors, []);
  await page.close();
});

test('without agent:read the log says what the token lacks', async () => {
  const { page } = await signedIn(browser, null);
  await page.goto(`${sim.ui}/agent/log?server=nomad-sim.global`);
  await page.waitForFunction(() => /agent:read/.test(document.querySelector('[data-testid=log-status]')?.textContent || ''));
  assert.match(await page.textContent('[data-testid=log-status]'), /Permission denied|403/);
  await page.close();
});
