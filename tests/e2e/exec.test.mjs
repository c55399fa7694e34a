// Exec into a task from the browser: the terminal loads with the page, a
// typed command's output comes back, resize reaches the shell, the exit
// code is shown, the command is remembered per task, a token without
// `alloc-exec` is told what it lacks, and it all works through a proxy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, shot, signedIn, runningAlloc, MANAGEMENT, READONLY } from './lib.mjs';

let agent, proxy, browser;
before(async () => {
  agent = await startSim(['--acl']);
  // a second nomad-sim in front, forwarding /v1/ (websocket upgrades too)
  proxy = await startSim(['--proxy', agent.url]);
  browser = await launch();
});
after(async () => { await browser?.close(); proxy?.stop(); agent?.stop(); });

const running = (job) => runningAlloc(agent, job);

const screen = (page) => page.evaluate(() => document.querySelector('[data-testid=exec-term] .xterm-rows')?.innerText || '');
const seen = (page, re) => page.waitForFunction((src) => new RegExp(src).test(document.querySelector('[data-testid=exec-term] .xterm-rows')?.innerText || ''), re.source, { timeout: 10000 });

async function session(base, label) {
  const { page, errors } = await signedIn(browser, MANAGEMENT);
  const a = await running('web-frontend');
  const task = Object.keys(a.TaskStates)[0];
  const scripts = [];
  page.on('request', (r) => { if (r.url().endsWith('/term.js')) scripts.push(r.url()); });
  await page.goto(`${base}/allocations/${a.ID}`);
  await page.click(`.task-card[data-task="${task}"] [data-testid=task-exec]`);
  await page.waitForSelector('[data-testid=exec-run]');
  assert.equal(scripts.length, 0, 'the terminal loads with the exec page, not before');
  assert.equal(await page.inputValue('[data-testid=exec-command]'), '/bin/sh');
  await page.click('[data-testid=exec-run]');
  await seen(page, /\/ # /);
  assert.equal(scripts.length, 1);
  assert.match(await page.textContent('[data-testid=exec-status]'), new RegExp(`Connected: /bin/sh in ${task}`));

  await page.keyboard.type('ls /alloc/logs\n');
  await seen(page, new RegExp(`${task}\\.stdout\\.0`));
  await page.keyboard.type('cd /local; cat app.conf\n');
  await seen(page, new RegExp(`alloc_id = "${a.ID}"`));

  // the terminal's size reaches the shell, and follows the window
  const sizes = async () => [...(await screen(page)).matchAll(/\n(\d+) (\d+)\n/g)].map((m) => Number(m[2]));
  await page.keyboard.type('stty size\n');
  await seen(page, /\n\d+ \d+\n/);
  const [wide] = await sizes();
  await page.setViewportSize({ width: 900, height: 700 });
  await page.waitForTimeout(300);
  await page.keyboard.type('stty size\n');
  await seen(page, /\n\d+ \d+\n[^]*\n\d+ \d+\n/);
  const [, narrow] = await sizes();
  assert.ok(narrow < wide, `columns follow the narrower window (${wide} then ${narrow})`);

  // a streaming command, stopped with Ctrl-C
  await page.keyboard.type('ping db\n');
  await seen(page, /seq=1/);
  await page.keyboard.press('Control+C');
  await seen(page, /packets transmitted/);
  await shot(page, `exec-${label}`);

  await page.keyboard.type('exit 3\n');
  await page.waitForFunction(() => /exited with code 3/.test(document.querySelector('[data-testid=exec-status]')?.textContent || ''));
  assert.ok(await page.isVisible('[data-testid=exec-run]'), 'Connect again once the session ended');
  assert.deepEqual(errors, []);
  await page.close();
  return { a, task };
}

test('exec: a shell session types, reads, resizes, interrupts and exits with its code', async () => {
  await session(agent.ui, 'session');
});

test('exec works through a reverse proxy (websocket upgrade)', async () => {
  await session(proxy.ui, 'proxied');
});

test('exec remembers the command per task and runs one-shot commands', async () => {
  const { page, errors } = await signedIn(browser, MANAGEMENT);
  const a = await running('web-frontend');
  const task = Object.keys(a.TaskStates)[0];
  await page.goto(`${agent.ui}/allocations/${a.ID}/exec?task=${task}`);
  await page.fill('[data-testid=exec-command]', 'sh -c "echo one-shot; exit 0"');
  await page.click('[data-testid=exec-run]');
  await seen(page, /one-shot/);
  await page.waitForFunction(() => /exited with code 0/.test(document.querySelector('[data-testid=exec-status]')?.textContent || ''));
  assert.doesNotMatch(await page.getAttribute('[data-testid=exec-status]', 'class'), /error/);
  await page.reload();
  await page.waitForSelector('[data-testid=exec-run]');
  assert.equal(await page.inputValue('[data-testid=exec-command]'), 'sh -c "echo one-shot; exit 0"');
  assert.deepEqual(errors, []);
  await page.close();
});

test('exec: copy puts the selection on the clipboard, paste types it', async () => {
  const { page } = await signedIn(browser, MANAGEMENT);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: agent.url });
  const a = await running('web-frontend');
  await page.goto(`${agent.ui}/allocations/${a.ID}/exec`);
  await page.click('[data-testid=exec-run]');
  await seen(page, /\/ # /);
  await page.keyboard.type('echo copied-text\n');
  await seen(page, /\ncopied-text/);
  // select the output line by double-clicking its word, then copy
  const box = await page.locator('[data-testid=exec-term] .xterm-rows > div', { hasText: /^copied-text/ }).first().boundingBox();
  await page.mouse.dblclick(box.x + 20, box.y + box.height / 2);
  await page.click('[data-testid=exec-copy]');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'copied-text');
  await page.evaluate(() => navigator.clipboard.writeText('echo pasted-$((1))'));
  await page.click('[data-testid=exec-paste]');
  await seen(page, /echo pasted-/);
  await page.close();
});

test('exec with a token lacking alloc-exec says what it lacks', async () => {
  const { page } = await signedIn(browser, READONLY);
  const a = await running('web-frontend');
  await page.goto(`${agent.ui}/allocations/${a.ID}/exec`);
  await page.click('[data-testid=exec-run]');
  await page.waitForFunction(() => /Permission denied/.test(document.querySelector('[data-testid=exec-status]')?.textContent || ''), null, { timeout: 8000 }).catch(async (e) => {
    throw new Error(`${e.message}; the status said: ${await page.textContent('[data-testid=exec-status]')}`);
  });
  const text = await page.textContent('[data-testid=exec-status]');
  assert.match(text, /alloc-exec in namespace default/);
  assert.match(await page.getAttribute('[data-testid=exec-status]', 'class'), /error/);
  await shot(page, 'exec-denied');
  await page.close();
});

test('exec says so when the connection drops mid-session', async () => {
  const front = await startSim(['--proxy', agent.url]);
  const { page } = await signedIn(browser, MANAGEMENT);
  const a = await running('web-frontend');
  await page.goto(`${front.ui}/allocations/${a.ID}/exec`);
  await page.click('[data-testid=exec-run]');
  await seen(page, /\/ # /);
  front.stop();
  await page.waitForFunction(() => /connection dropped/.test(document.querySelector('[data-testid=exec-status]')?.textContent || ''), null, { timeout: 10000 });
  assert.match(await page.textContent('[data-testid=exec-status]'), /before the command exited/);
  assert.ok(await page.isVisible('[data-testid=exec-run]'), 'Connect is offered again');
  await page.close();
});
