// End-to-end flows of the servers page: the members with their leader, the
// Raft peers for a management token, and what a lesser token is told.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage, shot, api } from './lib.mjs';

const MANAGEMENT = '3f4b1c2d-5e6f-4a70-8b91-c2d3e4f5a6b7';
const READONLY = '7e9a5d10-2b3c-4d4e-9f50-61728394a5b6';

let sim, browser;
before(async () => { sim = await startSim(['--acl']); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

async function open(token) {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.addInitScript((t) => localStorage.setItem('yurt.token', t), token);
  await page.goto(`${sim.ui}/servers`);
  return { page, errors };
}

test('servers: members with their leader, and the Raft peers', async () => {
  const { page, errors } = await open(MANAGEMENT);
  await page.waitForSelector('[data-testid=servers-table] tbody tr');
  const members = JSON.parse((await api(sim, 'GET', '/v1/agent/members', null, MANAGEMENT)).body).Members;
  const rows = await page.$$eval('[data-testid=servers-table] tbody tr', (r) => r.map((x) => x.dataset.server));
  assert.deepEqual(rows.sort(), members.map((m) => m.Name).sort());
  await page.waitForSelector('[data-testid=servers-table] [data-testid=leader]');
  assert.match(await page.textContent('[data-testid=servers-summary]'), new RegExp(`^${members.length} of ${members.length} servers alive`));
  const row = await page.textContent(`[data-testid=servers-table] tr[data-server="${members[0].Name}"]`);
  assert.ok(row.includes(members[0].Tags.build), row);
  await page.waitForSelector('[data-testid=raft-table] tbody tr');
  const peers = JSON.parse((await api(sim, 'GET', '/v1/operator/raft/configuration', null, MANAGEMENT)).body).Servers;
  assert.equal(await page.$$eval('[data-testid=raft-table] tbody tr', (r) => r.length), peers.length);
  assert.match(await page.textContent('[data-testid=raft-table]'), /leader/);
  await shot(page, 'servers');
  assert.deepEqual(errors, []);
  await page.close();
});

test('servers: a token that may not read the Raft configuration is told what it takes', async () => {
  const { page, errors } = await open(READONLY);
  await page.waitForSelector('[data-testid=servers-table] tbody tr');
  await page.waitForSelector('.error-panel');
  assert.match(await page.textContent('.error-panel'), /Permission denied/);
  assert.deepEqual(errors, []);
  await page.close();
});
