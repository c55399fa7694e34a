// ACL tokens end to end: anonymous is refused with a way to sign in, a
// token is kept in localStorage and sent as X-Nomad-Token, a wrong token is
// explained, sign-out works. Also: an agent without namespaces (501).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage, watchPage, shot } from './lib.mjs';

const READONLY = '7e9a5d10-2b3c-4d4e-9f50-61728394a5b6';
let sim, browser;
before(async () => { sim = await startSim(['--acl']); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

test('sign in with an ACL token, see who it is, sign out', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/jobs`);
  await page.waitForSelector('.error-panel');
  assert.match(await page.textContent('.error-panel'), /Not authorized.*Permission denied/s);
  await shot(page, 'acl-denied');
  await page.click('.error-panel a.button');
  await page.waitForSelector('[data-testid=token-input]');
  assert.match(page.url(), /\/ui\/settings\/tokens$/);

  await page.fill('[data-testid=token-input]', '00000000-0000-4000-8000-000000000000');
  await page.click('[data-testid=token-save]');
  // 2.x answers an unknown secret with 403 Permission denied
  await page.waitForFunction(() => /did not accept this token.*Permission denied/s.test(document.querySelector('[data-testid=token-status]')?.textContent || ''));

  await page.fill('[data-testid=token-input]', READONLY);
  await page.click('[data-testid=token-save]');
  await page.waitForSelector('[data-testid=token-name]');
  assert.equal(await page.textContent('[data-testid=token-name]'), 'Read-only operator');
  assert.equal(await page.evaluate(() => localStorage.getItem('yurt.token')), READONLY);
  await shot(page, 'token');

  await page.click('nav.nav >> text=Jobs');
  await page.waitForSelector('[data-testid=jobs-table] tbody tr');
  assert.match(await page.textContent('[data-testid=token-link]'), /Read-only operator/);

  await page.goto(`${sim.ui}/settings/tokens`);
  await page.click('[data-testid=token-clear]');
  await page.waitForFunction(() => /anonymously/.test(document.querySelector('[data-testid=token-status]')?.textContent || ''));
  assert.equal(await page.evaluate(() => localStorage.getItem('yurt.token')), null);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a token kept for this tab only stays out of localStorage, other tabs and every URL; sign-out clears both stores', async () => {
  const errors = [];
  // one browser context, so the second tab shares localStorage
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await watchPage(page, errors);
  const urls = [];
  page.on('request', (r) => urls.push(r.url()));
  page.on('websocket', (w) => urls.push(w.url()));
  await page.goto(`${sim.ui}/settings/tokens`);
  await page.check('[data-testid=token-tab-only]');
  await page.fill('[data-testid=token-input]', READONLY);
  await page.click('[data-testid=token-save]');
  await page.waitForSelector('[data-testid=token-name]');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('yurt.token')), READONLY);
  assert.equal(await page.evaluate(() => localStorage.getItem('yurt.token')), null);
  await shot(page, 'token-tab-only');
  // a reload keeps it; another tab of the same browser does not have it
  await page.reload();
  await page.waitForSelector('[data-testid=token-name]');
  assert.ok(await page.isChecked('[data-testid=token-tab-only]'));
  const other = await context.newPage();
  await other.goto(`${sim.ui}/settings/tokens`);
  await other.waitForFunction(() => /anonymously/.test(document.querySelector('[data-testid=token-status]')?.textContent || ''));
  await other.close();
  await page.click('nav.nav >> text=Jobs');
  await page.waitForSelector('[data-testid=jobs-table] tbody tr');
  // kept for the browser instead: it moves to localStorage
  await page.goto(`${sim.ui}/settings/tokens`);
  await page.uncheck('[data-testid=token-tab-only]');
  await page.waitForFunction((t) => localStorage.getItem('yurt.token') === t && sessionStorage.getItem('yurt.token') === null, READONLY);
  await page.click('[data-testid=token-clear]');
  await page.waitForFunction(() => /anonymously/.test(document.querySelector('[data-testid=token-status]')?.textContent || ''));
  assert.deepEqual(await page.evaluate(() => [localStorage.getItem('yurt.token'), sessionStorage.getItem('yurt.token')]), [null, null]);
  assert.ok(urls.length > 5);
  assert.deepEqual(urls.filter((u) => u.includes(READONLY)), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('ACLs off: both the 2.x token/self answer and the older 400 say no token is needed', async () => {
  for (const args of [[], ['--agent-version', '1.10.5']]) {
    const open = await startSim(args);
    const errors = [];
    const page = await newPage(browser, errors);
    await page.goto(`${open.ui}/settings/tokens`);
    await page.fill('[data-testid=token-input]', READONLY);
    await page.click('[data-testid=token-save]');
    await page.waitForFunction(() => /ACLs are disabled/.test(document.querySelector('[data-testid=token-status]')?.textContent || ''));
    assert.match(await page.textContent('[data-testid=token-link]'), /ACLs off/, `top bar with ${args.join(' ') || '2.x'}`);
    open.stop();
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('agents without namespaces (501) hide the namespace selector', async () => {
  const oss = await startSim(['--no-namespaces']);
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${oss.ui}/jobs`);
  await page.waitForSelector('[data-testid=jobs-table] tbody tr');
  await page.waitForTimeout(500);
  assert.equal(await page.locator('[data-testid=namespace-select]').count(), 0);
  oss.stop();
  assert.deepEqual(errors, []);
  await page.close();
});
