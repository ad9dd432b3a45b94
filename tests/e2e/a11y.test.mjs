// End-to-end: accessibility. axe-core (injected into the page; its source is the npm package) finds no serious or
// critical violation on any panel, in both languages, at desktop and phone sizes, embedded and not — with every
// <details> open (the charts' tables, the embed's drawer) and the Embed box shown, so all of it is checked, and
// without hiding charts from assistive technology (each canvas is role="img" with a label; its table is the text
// alternative). On a phone, nothing scrolls sideways and the first chart comes before the form. By keyboard: the
// skip link, a visible focus ring on the dark language button, focus kept in the augmentation editor after moving or
// removing a step. The lecture page (www/notes/) is checked with axe-core too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { setup } from './harness.mjs';
import { PANEL_NAMES } from '../../www/js/url/state.js';

const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PANELS = PANEL_NAMES; // every panel the page has
const SIZES = { desktop: { width: 1200, height: 900 }, phone: { width: 360, height: 780 } };

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

// Shows a view by its hash in an already open page (no reload) and waits for the new panel to settle.
async function show(page, hash, panel, lang) {
  await page.evaluate(() => { for (const s of document.querySelectorAll('section[data-panel]')) s.dataset.stale = '1'; });
  await page.evaluate((hash) => { location.hash = hash; }, hash);
  await page.waitForSelector(`html[lang="${lang}"] section[data-panel="${panel}"][aria-busy="false"]:not([data-stale])`, { timeout: 60_000 });
}

async function violations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} (${n.failureSummary?.split('\n')[1]?.trim()})`).join('; ')}`);
}

test('axe-core: no serious or critical violation on any panel, language, size, embedded or not', async () => {
  const found = [];
  let checked = 0;
  for (const [size, viewport] of Object.entries(SIZES)) {
    for (const embed of [false, true]) {
      // One page per size and embedding; each view after the first is a hash change in it, as a person's link.
      // (It starts in Korean, so that the first view, in English, is mounted afresh like every other.)
      const { page, problems, context } = await h.open('#panel=init&samples=1000&lang=ko', { viewport });
      await page.waitForSelector('section[data-panel="init"][aria-busy="false"]', { timeout: 60_000 });
      for (const lang of ['en', 'ko']) {
        for (const panel of PANELS) {
          const small = panel === 'signal' ? '&depth=4&width=50&batch=50' : panel === 'init' ? '&samples=1000' : '';
          await show(page, `#panel=${panel}&lang=${lang}${small}${embed ? '&embed=1' : ''}`, panel, lang);
          if (panel === 'train') { // one step, so the curves' table, the filters and the maps have content
            await page.click('button[data-action="step"]');
            await page.waitForSelector('section[data-panel="train"][data-run-state="paused"] table[data-table="train-curves"] tbody tr', { state: 'attached' });
          }
          await page.evaluate(() => { for (const d of document.querySelectorAll('details')) d.open = true; });
          await page.click('button[data-action="embed"]');
          await page.waitForSelector('.embed-box:not([hidden])');
          const where = `${panel} ${lang} ${size}${embed ? ' embedded' : ''}`;
          for (const v of await violations(page)) found.push(`${where}: ${v}`);
          // Charts stay visible to assistive technology, named, with their table.
          const charts = await page.$$eval('canvas[data-chart]', (cs) => cs.map((c) => ({
            chart: c.dataset.chart, role: c.getAttribute('role'), label: c.getAttribute('aria-label'), hidden: !!c.closest('[aria-hidden="true"]'),
          })));
          for (const c of charts) assert.ok(c.role === 'img' && c.label && !c.hidden, `${where}: ${JSON.stringify(c)}`);
          // A phone: nothing scrolls sideways, and the first chart comes before the form.
          if (size === 'phone') {
            const layout = await page.evaluate(() => ({
              width: document.documentElement.scrollWidth,
              chart: document.querySelector('[data-chart]').getBoundingClientRect().top,
              form: document.querySelector('form.controls').getBoundingClientRect().top,
            }));
            assert.ok(layout.width <= viewport.width, `${where}: the page is ${layout.width} px wide`);
            assert.ok(layout.chart < layout.form, `${where}: chart at ${layout.chart} px, form at ${layout.form} px`);
          }
          checked++;
        }
      }
      assert.deepEqual(problems, [], `${size}${embed ? ' embedded' : ''}`);
      await context.close();
    }
  }
  assert.equal(checked, PANELS.length * 2 * 2 * 2);
  assert.deepEqual(found, []);
});

test('keyboard: the skip link reaches the panel, and the focus ring shows on the dark language button', async () => {
  const { page, problems, context } = await h.open('#panel=init&samples=1000&lang=en');
  await page.waitForSelector('section[data-panel="init"][aria-busy="false"]');
  const hash = await page.evaluate(() => location.hash);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
  assert.ok(await page.isVisible('.skip-link'));
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  assert.equal(await page.evaluate(() => location.hash), hash, 'the settings in the hash are untouched');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.action), 'reset', 'the next stop is in the panel');
  // The pressed (dark) English button, reached by keyboard: a ring of 2 px or more, away from the button.
  await page.focus('button[data-lang="ko"]');
  await page.keyboard.press('Tab');
  const ring = await page.evaluate(() => {
    const b = document.activeElement;
    const s = getComputedStyle(b);
    return { lang: b.dataset.lang, pressed: b.getAttribute('aria-pressed'), style: s.outlineStyle, width: parseFloat(s.outlineWidth), offset: parseFloat(s.outlineOffset), color: s.outlineColor, background: s.backgroundColor };
  });
  assert.ok(ring.lang === 'en' && ring.pressed === 'true', JSON.stringify(ring));
  assert.ok(ring.style === 'solid' && ring.width >= 2 && ring.offset >= 1 && ring.color !== ring.background, JSON.stringify(ring));
  assert.deepEqual(problems, []);
  await context.close();
});

test('keyboard: moving or removing a step in the augmentation editor keeps focus in the editor', async () => {
  const { page, problems, context } = await h.open('#panel=augment&aug=hflip~vflip~rotate&n=2&lang=en');
  await page.waitForSelector('section[data-panel="augment"][aria-busy="false"]');
  const focused = () => page.evaluate(() => {
    const a = document.activeElement;
    return { action: a.dataset.stepAction, step: a.closest('li')?.dataset.step, index: [...(a.closest('ol')?.children ?? [])].indexOf(a.closest('li')) };
  });
  await page.focus('li[data-step="hflip"] [data-step-action="down"]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash.includes('aug=vflip~hflip~rotate'));
  assert.deepEqual(await focused(), { action: 'down', step: 'hflip', index: 1 }, 'on the moved step, same button');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash.includes('aug=vflip~rotate~hflip'));
  assert.deepEqual(await focused(), { action: 'up', step: 'hflip', index: 2 }, 'at the end: the other arrow');
  await page.focus('li[data-step="vflip"] [data-step-action="remove"]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash.includes('aug=rotate~hflip'));
  assert.deepEqual(await focused(), { action: 'remove', step: 'rotate', index: 0 }, 'on the step that took its place');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /aug=(&|$)/.test(location.hash));
  assert.equal(await page.evaluate(() => document.activeElement.name), 'add-step', 'the last one gone: “Add a step”');
  // The file picker has a name.
  assert.match(await page.$eval('input[type="file"]', (i) => i.labels[0]?.textContent ?? ''), /drop an image/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('axe-core: the lecture page, Korean on a desktop and English on a phone, with every view started', async () => {
  for (const [lang, viewport] of [['ko', SIZES.desktop], ['en', SIZES.phone]]) {
    const { page, problems, context } = await h.open(`notes/#lang=${lang}`, { viewport });
    // The views start when scrolled near: bring each into view in turn, then wait for every one to settle.
    const views = await page.evaluate(() => document.querySelectorAll('cnn-playground').length);
    for (let i = 0; i < views; i++) {
      await page.evaluate((i) => document.querySelectorAll('cnn-playground')[i].scrollIntoView(), i);
      await page.waitForFunction((i) => document.querySelectorAll('cnn-playground')[i].querySelector('section[data-panel]'), i, { timeout: 60_000 });
    }
    await page.waitForFunction(() => [...document.querySelectorAll('cnn-playground')].every((v) => v.querySelector('section[data-panel][aria-busy="false"]')), null, { timeout: 90_000 });
    assert.ok(await page.evaluate(() => document.querySelectorAll('cnn-playground').length) >= 3);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), viewport.width, `${lang}: nothing scrolls sideways`);
    assert.deepEqual(await violations(page), [], lang);
    assert.deepEqual(problems, [], lang);
    await context.close();
  }
});
