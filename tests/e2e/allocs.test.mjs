// End-to-end flows of the allocation pages: the allocations list (filters,
// sort, paging, deep links, live), an allocation's details (tasks and
// events, resources, placement, reschedule lineage, live utilisation), the
// file browser (directories, text, large files by page, follow, images,
// binary files, download) and garbage collection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage, shot, api, until } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim(); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

const text = (page, sel) => page.textContent(sel);
const allocs = async () => JSON.parse((await api(sim, 'GET', '/v1/allocations?namespace=*')).body);
const running = (job) => until(async () => (await allocs()).find((a) => a.ClientStatus === 'running' && (!job || a.JobID === job)));
const rowIds = (page) => page.$$eval('[data-testid=allocs-table] tbody tr', (rs) => rs.map((r) => r.dataset.alloc));

test('allocations list: status, job, group and client filters, search, sort and deep links', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await running();
  await page.goto(`${sim.ui}/allocations`);
  await page.waitForSelector('[data-testid=allocs-table] tbody tr');
  const all = await allocs();
  assert.match(await text(page, '[data-testid=allocs-count]'), new RegExp(`^${all.length} allocations`));
  // newest first by default
  const ids = await rowIds(page);
  const newest = [...all].sort((a, b) => b.CreateTime - a.CreateTime || a.ID.localeCompare(b.ID))[0];
  assert.equal(ids[0], newest.ID);

  await page.click('[data-facet=status][data-value=failed]');
  await page.waitForFunction(() => /failed=|status=failed/.test(location.search));
  const failed = await rowIds(page);
  const apiFailed = (await allocs()).filter((a) => a.ClientStatus === 'failed').map((a) => a.ID).sort();
  assert.deepEqual([...failed].sort(), apiFailed);
  assert.ok(failed.length >= 2, 'the demo has failed allocations');

  await page.click('[data-facet=status][data-value=""]');
  await page.selectOption('select[data-facet=job]', 'web-frontend');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=allocs-table] tbody tr').length > 0 && location.search.includes('job=web-frontend'));
  const names = await page.$$eval('[data-testid=allocs-table] tbody tr td.name', (t) => t.map((x) => x.textContent));
  assert.ok(names.every((n) => n.startsWith('web-frontend.web[')), names.join());
  // the group menu offers only the chosen job's groups
  const groups = await page.$$eval('select[data-facet=group] option', (o) => o.map((x) => x.value).filter(Boolean));
  assert.deepEqual(groups, ['web']);

  await page.selectOption('select[data-facet=job]', '');
  await page.selectOption('select[data-facet=node]', 'nomad-client-a1');
  await page.waitForFunction(() => location.search.includes('node=nomad-client-a1'));
  const onA1 = await page.$$eval('[data-testid=allocs-table] tbody tr td:nth-child(5)', (t) => t.map((x) => x.textContent));
  assert.ok(onA1.length > 0 && onA1.every((n) => n === 'nomad-client-a1'), onA1.join());

  // instant text search, then sort by job
  await page.selectOption('select[data-facet=node]', '');
  await page.fill('[data-testid=allocs-filter]', 'gateway');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=allocs-table] tbody td.name')].every((t) => t.textContent.includes('gateway')));
  await page.waitForFunction(() => location.search.includes('q=gateway'));
  await page.fill('[data-testid=allocs-filter]', '');
  await page.click('[data-sort=job]');
  await page.waitForFunction(() => location.search.includes('sort=job'));
  const jobs = await page.$$eval('[data-testid=allocs-table] tbody tr td:nth-child(4) a', (t) => t.map((x) => x.textContent));
  assert.deepEqual(jobs, [...jobs].sort());
  await shot(page, 'allocations-list');

  // a deep link restores every filter
  await page.goto(`${sim.ui}/allocations?ns=platform&status=running`);
  await page.waitForSelector('[data-testid=allocs-table] tbody tr');
  assert.equal(await page.$eval('select[data-facet=ns]', (s) => s.value), 'platform');
  assert.equal(await page.getAttribute('[data-facet=status][data-value=running]', 'class'), 'chip active');
  const ns = await page.$$eval('[data-testid=allocs-table] tbody tr', (rs) => rs.length);
  const apiNs = (await allocs()).filter((a) => a.Namespace === 'platform' && a.ClientStatus === 'running').length;
  assert.equal(ns, Math.min(apiNs, 50));
  // the API's prefix filter
  const one = (await allocs())[0];
  await page.goto(`${sim.ui}/allocations?prefix=${one.ID.slice(0, 6)}`);
  await page.waitForSelector('[data-testid=prefix]');
  await page.waitForSelector(`tr[data-alloc="${one.ID}"]`);
  assert.deepEqual(errors, []);
});

test('allocations list is live: a stopped job\'s allocations change status without a reload', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(`${sim.ui}/allocations?job=redis-cache&status=running`);
  await page.waitForSelector('[data-testid=allocs-table] tbody tr');
  await api(sim, 'DELETE', '/v1/job/redis-cache');
  await page.waitForSelector('[data-testid=allocs-empty]', { timeout: 15000 });
  await page.click('[data-facet=status][data-value=""]');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=allocs-table] tbody tr td:nth-child(7)')].every((t) => t.textContent === 'stop'));
  assert.deepEqual(errors, []);
});

test('allocation page: links, statuses, task events with details, resources, placement, lineage and live utilisation', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  const a = await until(async () => (await allocs()).find((x) => x.JobID === 'queue-worker' && x.PreviousAllocation));
  await page.goto(`${sim.ui}/allocations/${a.ID}`);
  await page.waitForSelector('[data-testid=alloc-title]');
  assert.equal(await text(page, '[data-testid=alloc-title]'), a.Name);
  assert.match(await page.getAttribute('[data-testid=alloc-job]', 'href'), /\/ui\/jobs\/platform\/queue-worker$/);
  assert.match(await page.getAttribute('[data-testid=alloc-node]', 'href'), new RegExp(`/ui/clients/${a.NodeID}$`));
  assert.equal(await text(page, '[data-testid=alloc-node]'), a.NodeName);
  assert.match(await text(page, '[data-testid=desired-status]'), /^run/);
  // reschedule lineage: the failed predecessor, linked both ways
  await page.waitForSelector('[data-testid=lineage]');
  assert.match(await text(page, '[data-testid=reschedule-events]'), /30s/);
  await page.click('[data-testid=prev-alloc] a');
  await page.waitForFunction((id) => location.pathname.endsWith(id), a.PreviousAllocation);
  await page.waitForSelector('[data-testid=next-alloc]');
  assert.match(await text(page, '[data-testid=client-status]'), /failed — Failed tasks/);
  const events = await page.$$eval('.task-card [data-testid=events] li', (ls) => ls.map((l) => ({ type: l.dataset.event, text: l.textContent, fails: l.classList.contains('fails') })));
  const term = events.find((e) => e.type === 'Terminated');
  assert.match(term.text, /Exit Code: 137, Signal: 9/);
  assert.match(term.text, /Exit code 137/);
  assert.match(term.text, /oom_killed true/);
  assert.match(events.find((e) => e.type === 'Restarting').text, /Restart in 15s/);
  assert.match(events.find((e) => e.type === 'Killing').text, /Kill timeout 5s/);
  assert.ok(events.find((e) => e.type === 'Not Restarting').fails);
  assert.equal(await text(page, '.task-card [data-testid=restarts]'), '2');
  await shot(page, 'alloc-failed');
  // GC is offered for this stopped allocation only after confirmation (tested below)
  assert.equal(await page.isEnabled('[data-action=gc]'), true);

  // preemption: the system job's allocation lists what it preempted, and
  // the preempted one says by whom
  const by = await until(async () => (await allocs()).find((x) => x.JobID === 'metrics-agent' && (x.PreemptedAllocations || []).length));
  await page.goto(`${sim.ui}/allocations/${by.ID}`);
  await page.waitForSelector('[data-testid=preempted] a');
  await page.click('[data-testid=preempted] a');
  await page.waitForFunction((id) => location.pathname.endsWith(id), by.PreemptedAllocations[0]);
  await page.waitForSelector('[data-testid=preempted-by]');
  assert.match(await text(page, '[data-testid=preempted-by]'), new RegExp(by.ID.slice(0, 8)));
  assert.match(await text(page, '[data-testid=desired-status]'), new RegExp(`^evict — Preempted by alloc ID ${by.ID}`));
  await shot(page, 'alloc-preempted');

  // a running allocation: placement, resources, networks and live charts
  const r = await running('api-gateway');
  await page.goto(`${sim.ui}/allocations/${r.ID}`);
  await page.waitForSelector('[data-testid=placement]');
  const full = JSON.parse((await api(sim, 'GET', `/v1/allocation/${r.ID}`)).body);
  assert.equal(await text(page, '[data-testid=nodes-evaluated]'), String(full.Metrics.NodesEvaluated));
  assert.ok(await page.$('[data-testid=scores] tr.chosen'), 'the chosen node is marked');
  assert.match(await text(page, '[data-testid=resources]'), /envoy.*1 GHz.*512 MiB/s);
  const port = full.AllocatedResources.Shared.Ports[0];
  assert.match(await text(page, '[data-testid=networks]'), new RegExp(`${port.Label}.*${port.Value}`));
  assert.equal(await page.isEnabled('[data-action=gc]'), false);
  // two samples make a line in each chart; values read against limits
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=alloc-stats] .spark-line')].every((p) => (p.getAttribute('d') || '').includes('L')), null, { timeout: 15000 });
  const values = await page.$$eval('[data-testid=alloc-stats] [data-testid=metric-value]', (v) => v.map((x) => x.textContent));
  assert.equal(values.length, 2 * (1 + Object.keys(full.TaskStates).length));
  assert.match(values[0], /Hz \/ 1\.1 GHz$/);
  assert.match(values[1], /iB \/ 576 MiB$/);
  await shot(page, 'alloc-running');
  // task links go to the logs and the task's directory
  const card = page.locator('.task-card[data-task=envoy]');
  assert.match(await card.locator('[data-testid=task-logs]').getAttribute('href'), new RegExp(`/allocations/${r.ID}/logs\\?task=envoy$`));
  await card.locator('[data-testid=task-files]').click();
  await page.waitForSelector('[data-testid=dir] tr[data-entry=local]');
  assert.match(page.url(), /\/files\?path=%2Fenvoy$/);
  assert.deepEqual(errors, []);
});

test('file browser: directories, text, large files by page, images, binary files, follow and download', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  const r = await running('api-gateway');
  const task = 'envoy';
  await page.goto(`${sim.ui}/allocations/${r.ID}/files`);
  await page.waitForSelector('[data-testid=dir] tr[data-entry=alloc]');
  assert.deepEqual(await page.$$eval('[data-testid=dir] tbody tr', (rs) => rs.map((x) => x.dataset.entry)), ['alloc', 'config-sync', 'envoy']);
  await page.click(`[data-testid=dir] tr[data-entry=${task}] a`);
  await page.click('[data-testid=dir] tr[data-entry=local] a');
  await page.waitForSelector('[data-testid=dir] tr[data-entry="app.conf"]');
  await shot(page, 'files-dir');
  // a small text file, read whole
  await page.click('[data-testid=dir] tr[data-entry="app.conf"] a');
  await page.waitForSelector('[data-testid=file-text]');
  assert.match(await text(page, '[data-testid=file-text]'), new RegExp(`alloc_id = "${r.ID}"`));
  assert.match(page.url(), /path=%2Fenvoy%2Flocal%2Fapp\.conf/);
  // download: the bytes the agent has
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-action=download]')]);
  assert.equal(dl.suggestedFilename(), 'app.conf');
  const body = await (await import('node:fs/promises')).readFile(await dl.path(), 'utf8');
  const cat = await api(sim, 'GET', `/v1/client/fs/cat/${r.ID}?path=/${task}/local/app.conf`);
  assert.equal(body, cat.body);
  // an image is shown, a binary file is not printed
  await page.goto(`${sim.ui}/allocations/${r.ID}/files?path=/${task}/local/chart.bmp`);
  await page.waitForSelector('[data-testid=file-image]');
  await page.waitForFunction(() => document.querySelector('[data-testid=file-image]').naturalWidth === 96);
  await shot(page, 'files-image');
  await page.goto(`${sim.ui}/allocations/${r.ID}/files?path=/${task}/local/helper.bin`);
  await page.waitForSelector('[data-testid=binary]');
  assert.match(await text(page, 'pre.hex'), /^00000000 {2}7f 45 4c 46/);
  assert.equal(await page.$('[data-testid=file-text]'), null);
  // a large file: head page, tail page, then earlier; the URL keeps the page
  const csv = (await api(sim, 'GET', `/v1/client/fs/cat/${r.ID}?path=/${task}/local/metrics.csv`)).body;
  await page.goto(`${sim.ui}/allocations/${r.ID}/files?path=/${task}/local/metrics.csv`);
  await page.waitForSelector('[data-testid=file-text]');
  assert.ok((await text(page, '[data-testid=file-text]')).startsWith('timestamp,requests'));
  assert.match(await text(page, '[data-testid=file-pager]'), new RegExp(`of ${csv.length.toLocaleString('en-US')}`));
  await page.click('[data-page=tail]');
  await page.waitForFunction(() => location.search.includes('from=end'));
  await page.waitForFunction((last) => document.querySelector('[data-testid=file-text]')?.textContent.trimEnd().endsWith(last), csv.trimEnd().split('\n').pop());
  await page.click('[data-page=earlier]');
  await page.waitForFunction(() => location.search.includes('page=1'));
  await page.waitForFunction(() => /Showing bytes/.test(document.querySelector('.file-note')?.textContent || ''));
  const note = await text(page, '.file-note');
  const start = csv.length - 2 * 65536;
  assert.match(note, new RegExp(`Showing bytes ${start.toLocaleString('en-US')}–`));
  await shot(page, 'files-large');
  // follow a growing log file: new lines arrive without a reload
  await page.goto(`${sim.ui}/allocations/${r.ID}/files?path=/alloc/logs/${task}.stdout.0`);
  await page.click('[data-action=follow]');
  await page.waitForFunction(() => location.search.includes('follow=1'));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=follow-text] .ln').length > 5);
  const n0 = await page.$$eval('[data-testid=follow-text] .ln', (l) => l.length);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=follow-text] .ln').length > n, n0, { timeout: 15000 });
  // ANSI colours are drawn, not printed
  assert.doesNotMatch(await text(page, '[data-testid=follow-text]'), /\u001b\[/);
  assert.ok(await page.$('[data-testid=follow-text] span.fg2, [data-testid=follow-text] span.fg3'));
  await shot(page, 'files-follow');
  // a missing path is explained
  await page.goto(`${sim.ui}/allocations/${r.ID}/files?path=/nope`);
  await page.waitForSelector('[data-error-kind=NotFound]');
  assert.deepEqual(errors, []);
});

test('garbage collection: confirmed, reported, and the allocation is gone', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  const done = await until(async () => (await allocs()).find((a) => ['complete', 'failed'].includes(a.ClientStatus)));
  await page.goto(`${sim.ui}/allocations/${done.ID}`);
  await page.waitForSelector('[data-testid=alloc-title]');
  await page.click('[data-action=gc]');
  await page.waitForSelector('[data-testid=confirm-gc]');
  await shot(page, 'alloc-gc-confirm');
  await page.click('[data-confirm=gc]');
  await page.waitForSelector('[data-testid=collected]');
  assert.match(await text(page, '[data-testid=collected]'), new RegExp(done.ID.slice(0, 8)));
  assert.equal((await api(sim, 'GET', `/v1/allocation/${done.ID}`)).status, 404);
  await page.waitForFunction((id) => !document.querySelector(`tr[data-alloc="${id}"]`), done.ID);
  assert.deepEqual(errors, []);
});
