// Lists too large to hold: past the limit the jobs and allocations pages
// switch to pages the agent cuts and filters (per_page, next_token,
// filter), say so, and stay usable; the clients page leaves out running
// counts. The `large` scenario with the limit lowered to 100 rows through
// localStorage stands in for a cluster of millions.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage, api, shot } from './lib.mjs';

const browser = await launch();
const sim = await startSim(['--scenario', 'large']);
after(async () => { await browser.close(); sim.stop(); });

async function pagedPage() {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.addInitScript(() => localStorage.setItem('yurt.hold', '100'));
  const reqs = [];
  page.on('request', (r) => { if (r.url().includes('/v1/')) reqs.push(decodeURIComponent(r.url().replace(sim.url, ''))); });
  return { page, errors, reqs };
}

const ids = (page, attr) => page.$$eval(`tr[${attr}]`, (rs, a) => rs.map((r) => r.getAttribute(a)), attr);

test('paged: the jobs list pages and filters on the agent past the limit', { timeout: 120000 }, async () => {
  const { page, errors, reqs } = await pagedPage();
  await page.goto(`${sim.ui}/jobs`);
  await page.waitForFunction(() => /More than 100 jobs: the agent filters and pages/.test(document.querySelector('[data-testid=jobs-count]')?.textContent || ''));
  assert.ok(reqs.some((r) => r.startsWith('/v1/jobs?namespace=*&per_page=101')), 'the whole list was asked for up to the limit');
  await page.waitForFunction(() => document.querySelectorAll('tr[data-job]').length === 50);
  assert.match(await page.textContent('[data-testid=paged]'), /More than 100 jobs, too many to hold in this tab: the agent filters and pages them, by namespace and ID/);
  const first = await ids(page, 'data-job');
  assert.deepEqual(first, [...first].sort(), 'in the agent order (by ID)');
  assert.equal(await page.$('[data-testid=jobs-table] .th-sort'), null, 'no sort buttons: the agent orders the rows');

  // next and previous through the agent's tokens
  await page.click('[data-page=next]');
  await page.waitForFunction((f) => document.querySelector('tr[data-job]')?.getAttribute('data-job') !== f, first[0]);
  const second = await ids(page, 'data-job');
  assert.equal(second.length, 50);
  assert.ok(second[0] > first[49], `page two goes on from page one (${first[49]} < ${second[0]})`);
  assert.match(page.url(), /[?&]page=/);
  assert.ok(reqs.some((r) => r.includes('next_token=')), 'the next page was asked for by token');
  await page.click('[data-page=prev]');
  await page.waitForFunction((f) => document.querySelector('tr[data-job]')?.getAttribute('data-job') === f, first[0]);

  // filters become the agent's filter, and go back to the first page
  await page.click('[data-page=next]');
  await page.waitForFunction((f) => document.querySelector('tr[data-job]')?.getAttribute('data-job') !== f, first[0]);
  await page.fill('[data-testid=jobs-filter]', 'Billing-AUTH');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('tr[data-job]')];
    return rows.length > 0 && rows.every((r) => r.getAttribute('data-job').startsWith('billing-auth-'));
  });
  assert.doesNotMatch(page.url(), /[?&]page=/, 'a filter starts at the first page');
  assert.ok(reqs.some((r) => r.includes('filter=ParentID == "" and (ID matches "(?i)Billing-AUTH"')), 'the text went to the agent');
  await page.click('[data-facet=status][data-value=running]');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('tr[data-job]')];
    return rows.length > 0 && rows.every((r) => /running/.test(r.textContent));
  });
  const running = await ids(page, 'data-job');

  // the page stays current: a stopped job on it turns dead
  await api(sim, 'DELETE', `/v1/job/${running[0]}?namespace=${['default', 'platform', 'batch'][Number(running[0].slice(-5)) % 3]}`);
  await page.click('[data-facet=status][data-value=""]');
  await page.waitForFunction((id) => /dead/.test(document.querySelector(`tr[data-job="${id}"]`)?.textContent || ''), running[0]);
  await shot(page, 'paged-jobs');
  assert.deepEqual(errors, []);
});

test('paged: allocations page newest first on the agent; clients leave out counts', { timeout: 120000 }, async () => {
  const { page, errors, reqs } = await pagedPage();
  await page.goto(`${sim.ui}/allocations`);
  await page.waitForFunction(() => /More than 100 allocations: the agent filters and pages/.test(document.querySelector('[data-testid=allocs-count]')?.textContent || ''));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=allocs-table] tr[data-alloc]').length === 50);
  await page.click('[data-facet=status][data-value=failed]');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=allocs-table] tr[data-alloc]')];
    return rows.length === 50 && rows.every((r) => /failed/.test(r.textContent));
  });
  assert.ok(reqs.some((r) => r.includes('reverse=true') && r.includes('filter=ClientStatus == "failed"')), 'newest first, filtered by the agent');
  await shot(page, 'paged-allocations');

  await page.goto(`${sim.ui}/clients`);
  await page.waitForFunction(() => /running counts are left out past 100 allocations/.test(document.querySelector('[data-testid=clients-count]')?.textContent || ''));
  assert.equal(await page.textContent('tr[data-node] [data-col=running]'), '—');
  assert.deepEqual(errors, []);
});

test('paged: a held list with thousands of values types its facet instead of listing it', { timeout: 120000 }, async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/allocations`);
  const typed = page.locator('[data-facet-typed=job]');
  await typed.waitFor({ state: 'visible', timeout: 60000 });
  assert.equal(await page.isVisible('select[data-facet=job]'), false, 'no menu of 10,000 jobs');
  await typed.fill('cache-web-00014');
  await typed.press('Enter');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=allocs-table] tr[data-alloc]')];
    return rows.length === 5 && rows.every((r) => /cache-web-00014/.test(r.textContent));
  });
  assert.match(page.url(), /[?&]job=cache-web-00014/);
  assert.deepEqual(errors, []);
});
