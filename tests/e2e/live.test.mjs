// Pages stay live from the tab's one event stream: a change made through
// the API reaches the open list and detail pages without the list being
// downloaded again; a dropped stream resumes from its last index, and a
// gap (events gone from the agent's buffer) re-reads what is shown; where
// the stream is refused or absent, pages fall back to blocking queries and
// the top bar's indicator says so.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage, api, shot } from './lib.mjs';

const browser = await launch();
after(async () => { await browser.close(); });

const MANAGEMENT = '3f4b1c2d-5e6f-4a70-8b91-c2d3e4f5a6b7';

/// Records the agent requests a page makes, as paths with their queries.
function recorder(page, sim) {
  const seen = [];
  page.on('request', (r) => { if (r.url().includes('/v1/')) seen.push(decodeURIComponent(r.url().replace(sim.url, ''))); });
  return seen;
}

const blocking = (reqs) => reqs.filter((r) => !r.startsWith('/v1/event/stream') && /[?&]index=/.test(r));
// whole lists: no filter, and no first page (`per_page=50`; the whole
// list asks for up to its limit)
const full = (reqs, path) => reqs.filter((r) => r.startsWith(path) && !r.includes('filter=') && !/per_page=50(&|$)/.test(r));
const mode = (page) => page.getAttribute('[data-testid=live-indicator]', 'data-mode');

test('live: lists and detail pages follow the stream without re-downloading', { timeout: 90000 }, async () => {
  const sim = await startSim();
  const errors = [];
  const page = await newPage(browser, errors);
  const reqs = recorder(page, sim);
  await page.goto(`${sim.ui}/jobs`);
  await page.waitForSelector('[data-testid=live-indicator][data-mode=live]');
  await page.waitForSelector('tr[data-job=web-frontend]');
  assert.doesNotMatch(await page.textContent('tr[data-job=web-frontend]'), /dead/);
  await api(sim, 'DELETE', '/v1/job/web-frontend?namespace=default');
  await page.waitForFunction(() => /dead/.test(document.querySelector('tr[data-job=web-frontend]')?.textContent || ''));
  assert.equal(full(reqs, '/v1/jobs?').length, 1, `one list download: ${full(reqs, '/v1/jobs?')}`);
  assert.ok(reqs.some((r) => r.includes('filter=(Namespace == "default" and ID == "web-frontend")')), 'the changed row is re-read alone');
  assert.deepEqual(blocking(reqs), [], 'no blocking queries');
  await shot(page, 'live-jobs');

  // the allocations list applies allocation events from their payloads
  await page.goto(`${sim.ui}/allocations?job=redis-cache`);
  await page.waitForSelector('[data-testid=allocs-table] tr[data-alloc]');
  reqs.length = 0;
  await api(sim, 'DELETE', '/v1/job/redis-cache?namespace=default');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=allocs-table] tr[data-alloc]')].every((r) => /stop/.test(r.textContent)));
  assert.deepEqual(reqs.filter((r) => r.startsWith('/v1/allocations')), [], 'no allocation list request after the first');

  // a client's eligibility, re-read as one row
  await page.goto(`${sim.ui}/clients`);
  await page.waitForSelector('tr[data-node]');
  const node = await page.getAttribute('tr[data-node]', 'data-node');
  reqs.length = 0;
  await api(sim, 'POST', `/v1/node/${node}/eligibility`, { Eligibility: 'ineligible' });
  await page.waitForFunction((n) => /ineligible/i.test(document.querySelector(`tr[data-node="${n}"]`)?.textContent || ''), node);
  assert.deepEqual(full(reqs, '/v1/nodes'), [], 'no node list download');
  assert.ok(reqs.some((r) => r.startsWith('/v1/nodes?filter=ID == ')), 'the node is re-read alone');

  // a job page re-reads its job when the job's events arrive
  await page.goto(`${sim.ui}/jobs/default/api-gateway`);
  await page.waitForSelector('[data-testid=task-groups]');
  reqs.length = 0;
  await api(sim, 'DELETE', '/v1/job/api-gateway?namespace=default');
  await page.waitForSelector('[data-testid=stopped-tag]');
  assert.deepEqual(blocking(reqs), [], 'no blocking queries');
  sim.stop();
  assert.deepEqual(errors, []);
  await page.close();
});

/// Registers a job with a new meta value every 150 ms (each a batch of
/// events) until `done()` holds, for at most 30 s.
async function churn(sim, page, done) {
  for (let i = 0; i < 200 && !(await done()); i++) {
    await api(sim, 'POST', '/v1/jobs', { Job: { ID: 'churn', Meta: { n: String(i) }, TaskGroups: [{ Name: 'g', Count: 1, Tasks: [{ Name: 't', Driver: 'docker', Config: { image: 'nginx' } }] }] } });
    await page.waitForTimeout(150);
  }
  assert.ok(await done(), 'the condition held while events flowed');
}

test('live: a dropped stream resumes from its index, a gap re-reads the list', { timeout: 90000 }, async () => {
  // a roomy buffer: the resume finds the last batch seen, nothing is re-read
  const sim = await startSim(['--drop-stream-after', '1500']);
  const errors = [];
  let page = await newPage(browser, errors);
  let reqs = recorder(page, sim);
  await page.goto(`${sim.ui}/jobs`);
  await page.waitForSelector('tr[data-job=web-frontend]');
  const streams = () => reqs.filter((r) => r.startsWith('/v1/event/stream'));
  await churn(sim, page, () => streams().length >= 3);
  assert.ok(streams().slice(1).every((r) => /index=\d+/.test(r)), 'reconnects name the last index');
  await api(sim, 'DELETE', '/v1/job/web-frontend?namespace=default');
  await page.waitForFunction(() => /dead/.test(document.querySelector('tr[data-job=web-frontend]')?.textContent || ''));
  await page.waitForSelector('tr[data-job=churn]');
  assert.equal(full(reqs, '/v1/jobs?').length, 1, 'resumed without a re-read');
  sim.stop();
  await page.close();

  // a buffer of two batches overflows while the stream is away: re-read
  const tiny = await startSim(['--drop-stream-after', '1500', '--event-buffer-size', '2']);
  page = await newPage(browser, errors);
  reqs = recorder(page, tiny);
  await page.goto(`${tiny.ui}/jobs`);
  await page.waitForSelector('tr[data-job=web-frontend]');
  await churn(tiny, page, () => full(reqs, '/v1/jobs?').length >= 2);
  await api(tiny, 'DELETE', '/v1/job/web-frontend?namespace=default');
  await page.waitForFunction(() => /dead/.test(document.querySelector('tr[data-job=web-frontend]')?.textContent || ''));
  tiny.stop();
  assert.deepEqual(errors, []);
  await page.close();
});

test('live: a refused or absent stream falls back to blocking queries and says so', { timeout: 90000 }, async () => {
  // an agent before 1.0 has no event stream
  const old = await startSim(['--agent-version', '0.12.12']);
  const errors = [];
  let page = await newPage(browser, errors);
  let reqs = recorder(page, old);
  await page.goto(`${old.ui}/jobs`);
  await page.waitForSelector('[data-testid=live-indicator][data-mode=polling]');
  assert.match(await page.getAttribute('[data-testid=live-indicator]', 'title'), /no event stream/);
  await page.waitForSelector('tr[data-job=web-frontend]');
  await api(old, 'DELETE', '/v1/job/web-frontend?namespace=default');
  await page.waitForFunction(() => /dead/.test(document.querySelector('tr[data-job=web-frontend]')?.textContent || ''));
  assert.ok(reqs.some((r) => r.startsWith('/v1/jobs?') && r.includes('index=')), 'blocking queries took over');
  await shot(page, 'live-polling');
  old.stop();
  await page.close();

  // a token that reads jobs but not nodes: jobs stay live, clients poll
  const acl = await startSim(['--acl']);
  const policy = 'namespace "*" {\n  policy = "read"\n}\n';
  assert.equal((await api(acl, 'POST', '/v1/acl/policy/jobs-only', { Name: 'jobs-only', Rules: policy }, MANAGEMENT)).status, 200);
  const made = await api(acl, 'POST', '/v1/acl/token', { Name: 'jobs', Type: 'client', Policies: ['jobs-only'] }, MANAGEMENT);
  const secret = JSON.parse(made.body).SecretID;
  page = await newPage(browser, errors);
  await page.addInitScript((s) => localStorage.setItem('yurt.token', s), secret);
  reqs = recorder(page, acl);
  await page.goto(`${acl.ui}/jobs`);
  await page.waitForSelector('[data-testid=live-indicator][data-mode=live]');
  await page.waitForSelector('tr[data-job=web-frontend]');
  await page.goto(`${acl.ui}/clients`);
  // the nodes list itself is refused to this token; its watch polls
  await page.waitForSelector('[data-testid=live-indicator][data-mode=partial]');
  assert.match(await page.textContent('[data-testid=live-indicator]'), /polling clients/);
  assert.ok(reqs.some((r) => r.startsWith('/v1/event/stream') && !r.includes('topic=Node')), 'the stream went on without node topics');
  assert.equal(await mode(page), 'partial');
  await shot(page, 'live-partial');
  acl.stop();
  assert.deepEqual(errors, []);
  await page.close();
});
