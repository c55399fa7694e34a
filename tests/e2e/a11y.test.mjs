// Accessibility: axe-core (npm) on every page in both themes finds no
// serious or critical violation; the palette and the shortcut sheet, as
// dialogs, too. (Keyboard paths are in keyboard.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startSim, launch, watchPage, everyPage } from './lib.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let sim, browser;
before(async () => { sim = await startSim([]); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

/// The serious and critical violations on the page as it is now, each
/// with the first few elements it names. (Evaluated over CDP, so the
/// page's content security policy, which refuses inline script, stays on.)
async function violations(p) {
  if (await p.evaluate(() => typeof window.axe === 'undefined')) await p.evaluate(AXE);
  return p.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

test('axe finds no serious or critical violation on any page, in either theme', async () => {
  const pages = await everyPage(sim);
  const failures = [];
  for (const scheme of ['light', 'dark']) {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: scheme });
    const p = await ctx.newPage();
    const errors = [];
    await watchPage(p, errors);
    for (const [name, path, ready] of pages) {
      await p.goto(`${sim.ui}${path}`);
      await p.waitForSelector(ready, { timeout: 15000 });
      await p.waitForTimeout(300);
      for (const v of await violations(p)) failures.push(`${scheme} ${name}: ${v}`);
    }
    // the dialogs
    await p.goto(`${sim.ui}/jobs`);
    await p.waitForSelector('[data-testid=jobs-table] tbody tr');
    await p.keyboard.press('Control+k');
    await p.waitForSelector('[data-testid=palette-input]');
    await p.keyboard.type('web');
    await p.waitForTimeout(500);
    for (const v of await violations(p)) failures.push(`${scheme} palette: ${v}`);
    await p.keyboard.press('Escape');
    await p.keyboard.press('?');
    await p.waitForSelector('[data-testid=keysheet]');
    for (const v of await violations(p)) failures.push(`${scheme} shortcuts: ${v}`);
    assert.deepEqual(errors, []);
    await ctx.close();
  }
  assert.deepEqual(failures, []);
});
