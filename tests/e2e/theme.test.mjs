// Dark mode: the system's preference is followed, the top bar's switch
// (system → light → dark) is remembered, and every page is legible in both
// themes: each visible text keeps WCAG AA contrast (4.5:1; 3:1 for large
// text) against what is behind it. Screenshots of every page in both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSim, launch, shot, watchPage, everyPage } from './lib.mjs';

let sim, browser;
before(async () => { sim = await startSim([]); browser = await launch(); });
after(async () => { await browser?.close(); sim?.stop(); });

async function page(scheme) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: scheme });
  const p = await ctx.newPage();
  const errors = [];
  await watchPage(p, errors);
  return { p, errors, ctx };
}

// In the page: every element with its own visible text whose contrast
// against its effective background is under AA.
function lowContrast() {
  // rgb()/rgba() in 0–255, or color(srgb …) (what color-mix() computes to) in 0–1
  const parse = (c) => {
    const m = c.match(/[\d.]+/g)?.map(Number) || [0, 0, 0, 0];
    const k = c.startsWith('color(') ? 255 : 1;
    return { r: m[0] * k, g: m[1] * k, b: m[2] * k, a: m.length > 3 ? m[3] : 1 };
  };
  const lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const over = (top, bottom) => ({ r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a), b: top.b * top.a + bottom.b * (1 - top.a), a: 1 });
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.backgroundImage !== 'none') return null; // gradients and images: not judged
      const c = parse(cs.backgroundColor);
      if (c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = { r: 255, g: 255, b: 255, a: 1 };
    for (const l of layers.reverse()) bg = over(l, bg);
    return bg;
  };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!['SCRIPT', 'STYLE', 'OPTION'].includes(el.tagName) && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) {
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || cs.visibility === 'hidden' || el.closest('[disabled], .dim, .xterm')) continue;
      let opacity = 1;
      for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
      const bg = background(el);
      if (!bg) continue;
      const fg = over({ ...parse(cs.color), a: parse(cs.color).a * opacity }, bg);
      const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const large = parseFloat(cs.fontSize) >= 24 || (parseFloat(cs.fontSize) >= 18.66 && Number(cs.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) bad.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
    }
  }
  return [...new Set(bad)].slice(0, 12);
}

test('the theme follows the system, and the switch (system → light → dark) is remembered', async () => {
  const { p, errors, ctx } = await page('dark');
  await p.goto(`${sim.ui}/jobs`);
  await p.waitForSelector('[data-testid=jobs-table] tbody tr');
  assert.equal(await p.getAttribute('html', 'data-theme'), 'dark');
  const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.match(bg, /rgb\((\d|1\d|2\d), /, `a dark page (${bg})`);
  await p.click('[data-testid=theme-toggle]');
  assert.equal(await p.getAttribute('html', 'data-theme'), 'light');
  assert.equal(await p.evaluate(() => localStorage.getItem('yurt.theme')), 'light');
  await p.reload();
  await p.waitForSelector('[data-testid=jobs-table] tbody tr');
  assert.equal(await p.getAttribute('html', 'data-theme'), 'light', 'the choice outlives a reload');
  await p.click('[data-testid=theme-toggle]');
  assert.equal(await p.getAttribute('html', 'data-theme'), 'dark');
  await p.click('[data-testid=theme-toggle]');
  assert.equal(await p.getAttribute('data-testid=theme-toggle'.replace(/^/, '[') + ']', 'data-choice'), '');
  assert.equal(await p.evaluate(() => localStorage.getItem('yurt.theme')), null);
  await p.emulateMedia({ colorScheme: 'light' });
  await p.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('every page is legible in both themes (AA contrast), with screenshots', async () => {
  const pages = await everyPage(sim);
  const failures = [];
  for (const scheme of ['light', 'dark']) {
    const { p, errors, ctx } = await page(scheme);
    for (const [name, path, ready] of pages) {
      await p.goto(`${sim.ui}${path}`);
      await p.waitForSelector(ready, { timeout: 15000 });
      await p.waitForTimeout(300);
      assert.equal(await p.getAttribute('html', 'data-theme'), scheme);
      const bad = await p.evaluate(lowContrast);
      if (bad.length) failures.push(`${scheme} ${name}: ${bad.join('; ')}`);
      await shot(p, `theme-${scheme}-${name}`);
    }
    assert.deepEqual(errors, []);
    await ctx.close();
  }
  assert.deepEqual(failures, []);
});
