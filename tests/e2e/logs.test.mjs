// End-to-end flows of the log viewer against nomad-sim's log generator:
// streaming and search (regex filter, highlight with next/previous, deep
// links), dropped streams resumed by offset with no lost or repeated bytes,
// truncation, and the merged view over a job's running allocations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startSim, launch, newPage, shot, api } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim(); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

const ANSI = /\x1b\[[0-9;:]*[A-Za-z]/g;

async function runningAlloc(s, job, oldest = false) {
  for (let i = 0; i < 100; i++) {
    const list = JSON.parse((await api(s, 'GET', '/v1/allocations')).body)
      .filter((a) => a.JobID === job && a.ClientStatus === 'running')
      .sort((a, b) => (oldest ? a.CreateTime - b.CreateTime : b.CreateTime - a.CreateTime));
    if (list.length) return list[0];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no running allocation of ${job}`);
}

const visibleLines = (page) => page.$$eval('.log-line:not(.notice) .log-text', (ls) => ls.map((l) => l.textContent));

test('one task: stream, regex filter, highlight with next/previous, deep link', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  const a = await runningAlloc(sim, 'web-frontend');
  await page.goto(`${sim.ui}/allocations/${a.ID}`);
  await page.click('[data-testid=task-logs]');
  await page.waitForSelector('[data-testid=log-viewer] .log-line');
  assert.match(page.url(), /\/logs\?task=nginx/);
  assert.match(await page.textContent('[data-testid=log-stats]'), /^\d[\d,]* lines/);
  // lines are ANSI-coloured by the generator: drawn as classes, no escapes left
  assert.ok((await page.$$('.log-text .fg2, .log-text .fg3, .log-text .fg1')).length > 0);
  assert.ok((await visibleLines(page)).every((t) => !t.includes('\x1b')));

  await page.click('[data-testid=log-regex]');
  await page.fill('[data-testid=log-search]', 'GET /api/v1/\\w+ 200');
  await page.waitForFunction(() => /^[1-9][\d,]* matching line/.test(document.querySelector('[data-testid=log-hits]').textContent));
  await page.waitForSelector('.log-line');
  const shown = await visibleLines(page);
  assert.ok(shown.length > 0);
  for (const t of shown) assert.match(t, /GET \/api\/v1\/\w+ 200/);
  await page.waitForFunction(() => /q=GET/.test(location.search) && /re=1/.test(location.search));
  await shot(page, 'logs-filter');

  // an invalid regex says so and keeps the page alive
  await page.fill('[data-testid=log-search]', 'GET (');
  await page.waitForSelector('[data-testid=log-regex-error]');
  await page.fill('[data-testid=log-search]', 'checkout|orders');

  await page.selectOption('[data-testid=log-mode]', 'highlight');
  // matches are marked in both modes: wait for the mode itself (and the
  // query the URL follows after typing), or a late change resets the
  // current match
  await page.waitForFunction(() => location.search.includes('mode=highlight') && location.search.includes('q=checkout'));
  await page.waitForFunction(() => [...document.querySelectorAll('.log-line:not(.notice) .log-text')].some((l) => !/checkout|orders/.test(l.textContent)));
  await page.waitForSelector('.log-text .hit');
  const all = await visibleLines(page);
  assert.ok(all.some((t) => !/checkout|orders/.test(t)), 'highlight mode shows every line');
  await page.click('[data-testid=log-next]');
  await page.waitForSelector('.log-line.current');
  assert.match(await page.textContent('.log-line.current'), /checkout|orders/);
  assert.match(await page.textContent('[data-testid=log-hits]'), /^\d+ \/ \d+ lines/);
  // jumping to a match pauses following, and new lines are counted
  await page.waitForSelector('[data-testid=log-follow]');
  await page.waitForTimeout(300);
  assert.match(page.url(), /follow=0/);

  // the URL restores the view
  await page.goto(page.url());
  await page.waitForSelector('[data-testid=log-viewer] .log-line');
  assert.equal(await page.inputValue('[data-testid=log-search]'), 'checkout|orders');
  assert.equal(await page.inputValue('[data-testid=log-mode]'), 'highlight');
  assert.ok(await page.$('[data-testid=log-regex].active'));
  assert.ok(await page.$('[data-testid=log-follow]'));
  await page.close();
  assert.deepEqual(errors, []);
});

test('stdout and stderr merged, each line marked; the stream switch is in the URL', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  const a = await runningAlloc(sim, 'web-frontend');
  await page.goto(`${sim.ui}/allocations/${a.ID}/logs`);
  await page.waitForSelector('.log-line');
  await page.click('[data-testid=log-stream-both]');
  await page.waitForFunction(() => /stream=both/.test(location.search));
  await page.waitForSelector('.log-line .log-stream');
  await page.waitForTimeout(500);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=log-download]')]);
  const lines = readFileSync(await dl.path(), 'utf8').split('\n').filter(Boolean);
  assert.ok(lines.some((l) => l.startsWith('out ')) && lines.some((l) => l.startsWith('err ')), 'both streams, each line marked');
  assert.ok(lines.every((l) => /^(out|err) /.test(l)));
  await shot(page, 'logs-both');
  await page.close();
  assert.deepEqual(errors, []);
});

test('a dropped stream resumes from its offset: no byte lost or repeated', async () => {
  const faulty = await startSim(['--drop-stream-after', '20000']);
  const errors = [];
  const page = await newPage(browser, errors);
  try {
    const a = await runningAlloc(faulty, 'api-gateway', true);
    await page.goto(`${faulty.ui}/allocations/${a.ID}/logs?task=envoy&origin=head`);
    await page.waitForSelector('.log-line');
    await page.waitForFunction(() => /reconnect/.test(document.querySelector('.log-foot').textContent), null, { timeout: 30000 });
    await page.waitForTimeout(1500);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=log-download]')]);
    const loaded = readFileSync(await dl.path(), 'utf8');
    const file = (await api(faulty, 'GET', `/v1/client/fs/cat/${a.ID}?path=alloc/logs/envoy.stdout.0`)).body;
    const plain = file.replace(ANSI, '').replace(/\r\n/g, '\n');
    // one connection carries at most 20,000 wire bytes (≈ 15,000 of log text)
    assert.ok(loaded.length > 15000, `loaded ${loaded.length} bytes across reconnects`);
    assert.ok(plain.startsWith(loaded), 'what was loaded is exactly the start of the file');
    await shot(page, 'logs-reconnected');
  } finally {
    await page.close();
    faulty.stop();
  }
  assert.deepEqual(errors, []);
});

test('a truncated log file is announced and reading restarts at its beginning', async () => {
  const small = await startSim(['--truncate-logs-at', '40000']);
  const errors = [];
  const page = await newPage(browser, errors);
  try {
    const a = await runningAlloc(small, 'web-frontend');
    await page.goto(`${small.ui}/allocations/${a.ID}/logs`);
    await page.waitForSelector('.log-line');
    await page.waitForSelector('.log-line.notice', { timeout: 60000 });
    assert.match(await page.textContent('.log-line.notice'), /file truncated; reading from its start/);
    const n0 = await page.textContent('[data-testid=log-stats]');
    await page.waitForFunction((n) => document.querySelector('[data-testid=log-stats]').textContent !== n, n0);
  } finally {
    await page.close();
    small.stop();
  }
  assert.deepEqual(errors, []);
});

test('all allocations at once: tagged lines, hide one, allocations join the view', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await runningAlloc(sim, 'web-frontend');
  await page.goto(`${sim.ui}/jobs/default/web-frontend?tab=logs`);
  await page.waitForSelector('.log-line .log-tag');
  await page.waitForFunction(() => new Set([...document.querySelectorAll('.log-line .log-tag')].map((t) => t.textContent)).size >= 2, null, { timeout: 20000 });
  const chips = await page.$$eval('[data-testid=log-alloc-chip]', (cs) => cs.map((c) => c.dataset.alloc));
  assert.ok(chips.length >= 2, `chips ${chips}`);
  await shot(page, 'logs-merged');

  await page.click(`[data-testid=log-alloc-chip][data-alloc="${chips[0]}"]`);
  await page.waitForFunction((c) => new URLSearchParams(location.search).get('hide') === c, chips[0]);
  await page.waitForFunction((c) => ![...document.querySelectorAll('.log-line .log-tag')].some((t) => t.textContent === c), chips[0]);

  // scale up: the new allocation joins the view when it starts running
  const job = JSON.parse((await api(sim, 'GET', '/v1/job/web-frontend')).body);
  job.TaskGroups[0].Count += 1;
  const r = await api(sim, 'POST', '/v1/job/web-frontend', { Job: job });
  assert.equal(r.status, 200, r.body);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=log-alloc-chip]').length >= n, chips.length + 1, { timeout: 30000 });
  await page.close();
  assert.deepEqual(errors, []);
});

test('memory cap: old lines are dropped with a notice and loaded again by offset', async () => {
  const big = await startSim(['--log-backfill-lines', '200000']);
  const errors = [];
  const page = await newPage(browser, errors);
  try {
    const a = await runningAlloc(big, 'web-frontend');
    await page.addInitScript(() => localStorage.setItem('yurt.logs.capMB', '16'));
    await page.goto(`${big.ui}/allocations/${a.ID}/logs?origin=head`);
    await page.waitForSelector('[data-testid=log-dropped]', { timeout: 60000 });
    assert.match(await page.textContent('[data-testid=log-dropped]'), /earlier lines \(.+\) were dropped to stay under the 16 MB memory cap/);
    const held = () => page.evaluate(() => window.__yurtLogs.lines);
    await page.waitForTimeout(1000);
    const before = await held();
    await page.click('[data-testid=log-load-earlier]');
    await page.waitForFunction(() => /loaded and held/.test(document.querySelector('[data-testid=log-dropped]').textContent));
    assert.ok((await held()) > before, 'earlier lines were loaded back');
    // the line just before what was held is now the first line shown
    await page.evaluate(() => { document.querySelector('[data-testid=log-scroll]').scrollTop = 0; });
    await page.waitForTimeout(300);
    const first = await page.textContent('.log-line .log-text');
    assert.match(first, /^\d{4}-\d\d-\d\dT/);
    await shot(page, 'logs-memory-cap');
  } finally {
    await page.close();
    big.stop();
  }
  assert.deepEqual(errors, []);
});
