// End-to-end flow of job version tags (Nomad 1.9+): name a version, see the
// name in the list and in the versions to compare with, remove it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, newPage, shot, api } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim(); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

const versions = async () => JSON.parse((await api(sim, 'GET', '/v1/job/web-frontend/versions')).body).Versions;

test('tag a version, compare with it, and remove the tag', async () => {
  const errors = [];
  const page = await newPage(browser, errors);
  const vs = await versions();
  assert.ok(vs.length >= 2, 'the demo job has two versions');
  const oldest = Math.min(...vs.map((v) => v.Version));
  await page.goto(`${sim.ui}/jobs/default/web-frontend?tab=versions&v=${oldest}`);
  await page.waitForSelector(`[data-testid=version-list] li[data-version="${oldest}"].selected`);
  await page.click('[data-action=tag]');
  await page.waitForSelector('[data-testid=confirm-tag] [data-confirm=tag][disabled]');
  await page.fill('[data-testid=tag-name]', 'release-1');
  await page.fill('[data-testid=tag-description]', 'first release');
  await shot(page, 'tags-confirm');
  await page.click('[data-confirm=tag]');
  await page.waitForFunction(() => /tagged release-1/.test(document.querySelector('[data-testid=action-result]')?.textContent || ''));
  // the list follows by a blocking query on the versions
  await page.waitForSelector(`[data-testid=version-list] li[data-version="${oldest}"] [data-testid=version-tag]`);
  assert.equal(await page.textContent(`[data-testid=version-list] li[data-version="${oldest}"] [data-testid=version-tag]`), 'release-1');
  const tagged = (await versions()).find((v) => v.Version === oldest);
  assert.deepEqual([tagged.VersionTag.Name, tagged.VersionTag.Description], ['release-1', 'first release']);
  const options = await page.$$eval('[data-testid=compare-select] option', (o) => o.map((x) => x.textContent));
  assert.ok(options.includes(`version ${oldest} · release-1`), options.join());
  await shot(page, 'tags-tagged');

  // the same name on another version is refused in the agent's words
  const newest = Math.max(...vs.map((v) => v.Version));
  await page.goto(`${sim.ui}/jobs/default/web-frontend?tab=versions&v=${newest}`);
  await page.waitForSelector(`[data-testid=version-list] li[data-version="${newest}"].selected`);
  await page.click('[data-action=tag]');
  await page.fill('[data-testid=tag-name]', 'release-1');
  await page.click('[data-confirm=tag]');
  await page.waitForSelector('.error-panel');
  assert.match(await page.textContent('.error-panel'), /already exists on a different version/);

  await page.goto(`${sim.ui}/jobs/default/web-frontend?tab=versions&v=${oldest}`);
  await page.waitForSelector('[data-action=untag]');
  await page.click('[data-action=untag]');
  await page.waitForSelector(`[data-testid=version-list] li[data-version="${oldest}"] [data-testid=version-tag]`, { state: 'detached' });
  assert.equal((await versions()).find((v) => v.Version === oldest).VersionTag, null);
  assert.deepEqual(errors, []);
  await page.close();
});
