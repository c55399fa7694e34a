// The shipped deploy/nginx.conf in front of nomad-sim: the one built
// bundle served at /ui/ and at /nomad/ui/ with no rebuild, the security
// headers, the jobs list, deep links, a live log stream, exec over the
// websocket upgrade and a blocking query held and answered through the proxy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { startSim, launch, newPage, shot, api, runningAlloc, until } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find(existsSync);
let sim, browser;
const proxies = [];
before(async () => { sim = await startSim([]); browser = await launch(); });
after(async () => { await browser?.close(); for (const p of proxies) p.kill('SIGKILL'); sim?.stop(); });

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

/// nginx running deploy/nginx.conf with only its four marked values changed.
async function startNginx(prefix) {
  const dir = mkdtempSync(join(tmpdir(), 'yurt-nginx-'));
  const port = await freePort();
  const site = readFileSync(join(root, 'deploy', 'nginx.conf'), 'utf8')
    .replaceAll('listen 8080', `listen 127.0.0.1:${port}`)
    .replaceAll('/srv/yurt/dist/', `${process.env.YURT_DIST || join(root, 'dist')}/`)
    .replaceAll('127.0.0.1:4646', new URL(sim.url).host)
    .replaceAll('/nomad/ui/', prefix)
    .replaceAll('/nomad/ui', prefix.replace(/\/$/, ''));
  writeFileSync(join(dir, 'yurt.conf'), site);
  // one process in the foreground: nothing outlives the kill
  writeFileSync(join(dir, 'nginx.conf'), `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events {}
http {
  include /etc/nginx/mime.types;
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  include ${dir}/yurt.conf;
}
`);
  const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'inherit'] });
  proxies.push(child);
  child.unref();
  const url = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${url}${prefix}`).catch(() => null))?.ok, 10000);
  return { url, ui: `${url}${prefix.replace(/\/$/, '')}`, dir, stop: () => child.kill('SIGKILL') };
}

for (const prefix of ['/ui/', '/nomad/ui/']) {
  test(`through nginx at ${prefix}: jobs, deep links, a log stream, exec and a blocking query`, { skip: !NGINX && 'nginx is not installed (scripts/setup.sh installs it)' }, async () => {
    const px = await startNginx(prefix);
    const errors = [];
    const page = await newPage(browser, errors);
    const index = await page.goto(`${px.ui}/jobs`);
    for (const h of ['content-security-policy', 'x-content-type-options', 'referrer-policy', 'x-frame-options']) {
      assert.ok(index.headers()[h], `${h} is set`);
    }
    assert.match(index.headers()['cache-control'], /no-cache/);
    await page.waitForSelector('[data-testid=jobs-table] tbody tr');
    // links and the router live under the prefix
    assert.ok((await page.getAttribute('nav.nav a[href$="/allocations"]', 'href')).startsWith(prefix));
    // a deep link loads the app, whose code and styles come from under the prefix
    const files = [];
    page.on('request', (r) => files.push(new URL(r.url()).pathname));
    await page.goto(`${px.ui}/jobs/default/web-frontend`);
    await page.waitForSelector('[data-testid=job-title]');
    assert.ok(files.some((f) => f.startsWith(`${prefix}app-`) && f.endsWith('.wasm')));
    assert.deepEqual(files.filter((f) => !f.startsWith(prefix) && !f.startsWith('/v1/')), []);
    // a module that is not there is a 404, not the app's page
    assert.equal((await fetch(`${px.url}${prefix}app-0000/missing.wasm`)).status, 404);

    // a live log stream
    const a = await runningAlloc(sim, 'web-frontend');
    await page.goto(`${px.ui}/allocations/${a.ID}/logs?task=nginx`);
    await page.waitForSelector('[data-testid=log-viewer] .log-line');
    const count = () => page.$$eval('.log-line:not(.notice)', (l) => l.length);
    const first = await count();
    await page.waitForFunction((n) => document.querySelectorAll('.log-line:not(.notice)').length > n, first, { timeout: 15000 });

    // exec through the websocket upgrade
    await page.goto(`${px.ui}/allocations/${a.ID}/exec?task=nginx`);
    await page.click('[data-testid=exec-run]');
    const seen = (re) => page.waitForFunction((src) => new RegExp(src).test(document.querySelector('[data-testid=exec-term] .xterm-rows')?.innerText || ''), re.source, { timeout: 10000 });
    await seen(/\/ # /);
    await page.keyboard.type('echo through-nginx\n');
    await seen(/\nthrough-nginx\n/);
    await shot(page, `nginx-${prefix.replaceAll('/', '') || 'root'}-exec`);

    // a blocking query is held by the agent, not cut or buffered by nginx,
    // and answers as soon as the index moves
    const pool = `through-nginx-${prefix.replaceAll('/', '')}`;
    const held = page.evaluate(async () => {
      const r0 = await fetch('/v1/node/pools');
      const i = Number(r0.headers.get('x-nomad-index'));
      const t0 = performance.now();
      const r = await fetch(`/v1/node/pools?index=${i}&wait=30s`);
      return { before: i, after: Number(r.headers.get('x-nomad-index')), ms: performance.now() - t0, names: (await r.json()).map((p) => p.Name) };
    });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await api(sim, 'PUT', '/v1/node/pools', { Name: pool })).status, 200);
    const q = await held;
    assert.ok(q.after > q.before, `the index moved (${q.before} → ${q.after})`);
    assert.ok(q.ms > 1000 && q.ms < 15000, `held until the change (${Math.round(q.ms)} ms)`);
    assert.ok(q.names.includes(pool));
    assert.deepEqual(errors, []);
    await page.close();
    px.stop();
  });
}
