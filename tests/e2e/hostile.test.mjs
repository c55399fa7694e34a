// Hostile input stays inert and loses nothing: a job whose ID, name,
// group, task and meta carry markup, script, terminal escapes,
// bidirectional overrides, zero-width characters and a 10,000-character
// value, and a task whose log holds markup, invalid UTF-8, NUL bytes,
// control sequences and a 1 MiB line. Everything shows as text, no
// script runs, and the wasm module does not panic.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startSim, launch, newPage, shot, api, until } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim([]); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

// Nomad refuses only spaces and NUL in an ID
const ID = 'evil<svg\tonload=window.__pwned=1>\u202eexe\u200b';
const NAME = '<img src=x onerror="window.__pwned=1"> \u202edesrever';
const GROUP = '<script>window.__pwned=1</script>';
const TASK = 'app\u001b[31mred';
const LONG = 'v'.repeat(10000);
const META = { evil: '<img src=x onerror="window.__pwned=1">', ansi: '\u001b[2J\u001b[31mred', rtl: '\u202eevil', zw: 'a\u200bb\ufeff', long: LONG, 'sim.logs': 'hostile' };

/// Nothing the page was given ran or became markup.
const inert = (page) => page.evaluate(() => ({
  pwned: window.__pwned,
  handlers: document.querySelectorAll('[onerror], [onload]').length,
  scripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
}));

test('hostile names, meta and logs render as text, run nothing and lose nothing', async () => {
  const job = { Job: { ID, Name: NAME, Meta: META, TaskGroups: [{ Name: GROUP, Count: 1, Tasks: [{ Name: TASK, Driver: 'docker', Config: { image: 'nginx' } }] }] } };
  assert.equal((await api(sim, 'POST', '/v1/jobs', job)).status, 200);
  const alloc = await until(async () => JSON.parse((await api(sim, 'GET', `/v1/job/${encodeURIComponent(ID)}/allocations`)).body)
    .find((a) => a.TaskStates?.[TASK]?.State === 'running'), 20000);
  const errors = [];
  const page = await newPage(browser, errors);

  await page.goto(`${sim.ui}/jobs`);
  await page.waitForSelector('[data-testid=jobs-table] tbody tr');
  await page.fill('[data-testid=jobs-filter]', 'evil');
  await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid=jobs-table] tbody tr')].some((r) => r.textContent.includes(n)), NAME);
  assert.deepEqual(await inert(page), { pwned: undefined, handlers: 0, scripts: 0 });

  await page.goto(`${sim.ui}/jobs/default/${encodeURIComponent(ID)}`);
  await page.waitForSelector('[data-testid=job-title]');
  assert.ok((await page.textContent('[data-testid=job-title]')).includes(NAME));
  assert.ok((await page.textContent('body')).includes(ID));
  await page.waitForFunction((g) => document.body.textContent.includes(g), GROUP);
  // the 10,000-character meta value is there whole
  await page.waitForFunction((n) => [...document.querySelectorAll('*')].some((e) => e.childElementCount === 0 && e.textContent.includes('v'.repeat(n))), LONG.length);
  await shot(page, 'hostile-job');
  assert.deepEqual(await inert(page), { pwned: undefined, handlers: 0, scripts: 0 });

  await page.goto(`${sim.ui}/allocations/${alloc.ID}`);
  await page.waitForSelector('.task-card');
  assert.ok((await page.textContent('.task-card')).includes(TASK));

  // the log: markup as text, invalid UTF-8 as U+FFFD with a notice, the 1 MiB line whole (in 64 KiB rows)
  await page.goto(`${sim.ui}/allocations/${alloc.ID}/logs?task=${encodeURIComponent(TASK)}`);
  await page.waitForSelector('[data-testid=log-viewer] .log-line');
  // the viewer starts at the tail; the file's start is a click away
  await page.click('[data-testid=log-origin-head]');
  await page.waitForSelector('[data-testid=log-decode-notice]');
  await page.fill('[data-testid=log-search]', '<script>window.__pwned=1</script>');
  await page.waitForFunction(() => /^1 matching line/.test(document.querySelector('[data-testid=log-hits]')?.textContent || ''));
  await page.fill('[data-testid=log-search]', 'bad utf-8');
  await page.waitForFunction(() => /^1 matching line/.test(document.querySelector('[data-testid=log-hits]')?.textContent || ''));
  const bad = await page.$$eval('.log-line:not(.notice) .log-text', (ls) => ls.map((l) => l.textContent).find((t) => t.startsWith('bad utf-8')));
  assert.ok(bad.includes('\ufffd'), `invalid bytes shown as U+FFFD: ${JSON.stringify(bad)}`);
  // controls are shown, not obeyed
  const line = (t) => page.waitForFunction((t) => [...document.querySelectorAll('.log-line:not(.notice) .log-text')].some((l) => l.textContent === t), t);
  await page.fill('[data-testid=log-search]', 'nul bytes');
  await line('nul bytes:␀␀ end');
  await page.fill('[data-testid=log-search]', 'rtl');
  await line('rtl ‹U+202E›gnp.exe‹U+202C› zero‹U+200B›width‹U+FEFF›');
  await page.fill('[data-testid=log-search]', 'LONG-LINE-END');
  await page.waitForFunction(() => /^1 matching line/.test(document.querySelector('[data-testid=log-hits]')?.textContent || ''));
  await page.fill('[data-testid=log-search]', 'after the long line');
  await page.waitForFunction(() => /^1 matching line/.test(document.querySelector('[data-testid=log-hits]')?.textContent || ''));
  await page.fill('[data-testid=log-search]', '');
  await shot(page, 'hostile-logs');
  assert.deepEqual(await inert(page), { pwned: undefined, handlers: 0, scripts: 0 });
  // the full download holds the file's bytes exactly, invalid UTF-8 and NULs too
  const cat = await fetch(`${sim.url}/v1/client/fs/cat/${alloc.ID}?path=${encodeURIComponent(`alloc/logs/${TASK}.stdout.0`)}`);
  const file = Buffer.from(await cat.arrayBuffer());
  const hostile = file.subarray(0, file.indexOf('after the long line\n') + 20);
  assert.ok(hostile.length > 1 << 20);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=log-download-full]')]);
  const saved = readFileSync(await download.path());
  assert.ok(saved.indexOf(hostile) >= 0, 'the downloaded log holds every byte');

  // the file viewer shows the same file as text
  await page.goto(`${sim.ui}/allocations/${alloc.ID}/files?path=/alloc/logs`);
  await page.waitForSelector('table tbody tr');
  assert.deepEqual(await inert(page), { pwned: undefined, handlers: 0, scripts: 0 });
  assert.deepEqual(errors, []);
  await page.close();
});
