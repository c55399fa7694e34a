// The command palette and the keyboard: Ctrl-K finds pages, jobs and
// allocations by fuzzy name and evaluations by ID prefix, opens them, and
// its actions open the same confirmation as their buttons; `g` + a letter
// goes to a list, `/` focuses the filter, j/k and Enter walk and open rows,
// `?` shows every shortcut and Esc closes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage, shot, api, runningAlloc } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim([]); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

const palette = async (page, text) => {
  await page.keyboard.press('Control+k');
  await page.waitForSelector('[data-testid=palette-input]');
  await page.keyboard.type(text);
};
const labels = (page) => page.$$eval('[data-testid=palette-results] li .palette-label', (l) => l.map((x) => x.textContent));

test('the palette finds pages, jobs, allocations and evaluations, and opens them', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/jobs`);
  await page.waitForSelector('[data-testid=jobs-table] tbody tr');
  await palette(page, 'topo');
  assert.equal((await labels(page))[0], 'Topology');
  await shot(page, 'palette-pages');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=topo-summary]');
  assert.equal(await page.$('[data-testid=palette]'), null, 'the palette closes on open');

  // a job by fuzzy name, found by the agent's search
  await palette(page, 'frontend');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=palette-results] li')].some((l) => l.dataset.kind === 'job'));
  await page.click('[data-testid=palette-results] li[data-kind=job]');
  await page.waitForFunction(() => location.pathname.endsWith('/jobs/default/web-frontend'));

  // an evaluation by the start of its ID
  const ev = JSON.parse((await api(sim, 'GET', '/v1/evaluations?namespace=*')).body)[0];
  await palette(page, ev.ID.slice(0, 6));
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=palette-results] li')].some((l) => l.dataset.kind === 'evaluation'));
  await page.click('[data-testid=palette-results] li[data-kind=evaluation]');
  await page.waitForFunction((id) => location.pathname.endsWith(`/evaluations/${id}`), ev.ID);

  // Esc closes without going anywhere
  const before = page.url();
  await palette(page, 'jobs');
  await page.keyboard.press('Escape');
  assert.equal(await page.$('[data-testid=palette]'), null);
  assert.equal(page.url(), before);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a palette action opens the same confirmation as the page's button", async () => {
  const page = await newPage(browser, []);
  const a = await runningAlloc(sim, 'web-frontend');
  await page.goto(`${sim.ui}/jobs`);
  await page.waitForSelector('[data-testid=jobs-table] tbody tr');
  await palette(page, 'restart web-frontend.web');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=palette-results] li')].some((l) => l.dataset.kind === 'action'));
  const first = await page.$$eval('[data-testid=palette-results] li[data-kind=action] .palette-label', (l) => l.map((x) => x.textContent));
  assert.ok(first.every((l) => /^Restart allocation web-frontend\.web\[\d\]/.test(l)), first.join(' | '));
  await page.click('[data-testid=palette-results] li[data-kind=action]');
  await page.waitForSelector('[data-testid=confirm-restart]');
  assert.match(await page.textContent('[data-testid=confirm-restart]'), /in place/);
  await shot(page, 'palette-action-confirm');
  assert.ok(a.ID);
  assert.doesNotMatch(page.url(), /do=/, 'asked once: a reload does not ask again');

  // a client's drain opens the drain panel, deadline and all
  const node = JSON.parse((await api(sim, 'GET', '/v1/nodes')).body)[0];
  await palette(page, `drain ${node.Name}`);
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=palette-results] li')].some((l) => l.dataset.kind === 'action'));
  await page.click('[data-testid=palette-results] li[data-kind=action]');
  await page.waitForSelector('[data-confirm=drain]');
  assert.match(page.url(), new RegExp(`/clients/${node.ID}$`));
  await page.close();
});

test('keyboard: g + letter, / to filter, j/k and Enter through rows, ? for the sheet', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/jobs`);
  await page.waitForSelector('[data-testid=jobs-table] tbody tr');
  await page.keyboard.press('g');
  await page.keyboard.press('c');
  await page.waitForFunction(() => location.pathname.endsWith('/clients'));
  await page.waitForSelector('table tbody tr');
  await page.keyboard.press('g');
  await page.keyboard.press('j');
  await page.waitForFunction(() => location.pathname.endsWith('/jobs'));
  await page.waitForSelector('[data-testid=jobs-table] tbody tr');

  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'jobs-filter');
  await page.keyboard.type('j', { delay: 10 });
  assert.equal(await page.inputValue('[data-testid=jobs-filter]'), 'j', 'letters in a field stay text');
  await page.fill('[data-testid=jobs-filter]', '');
  await page.evaluate(() => document.activeElement.blur());

  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  const row = await page.$eval('[data-testid=jobs-table] tbody tr[data-kbd] a', (a) => a.getAttribute('href'));
  const firstRow = await page.$eval('[data-testid=jobs-table] tbody tr a', (a) => a.getAttribute('href'));
  assert.equal(row, firstRow, 'down, down, up: the first row');
  await shot(page, 'keyboard-row');
  await page.keyboard.press('Enter');
  await page.waitForFunction((h) => location.pathname === h, row);

  await page.keyboard.press('?');
  await page.waitForSelector('[data-testid=keysheet]');
  assert.match(await page.textContent('[data-testid=keysheet]'), /g c.*Go to Clients/s);
  await shot(page, 'keysheet');
  await page.keyboard.press('Escape');
  assert.equal(await page.$('[data-testid=keysheet]'), null);
  assert.deepEqual(errors, []);
  await page.close();
});
