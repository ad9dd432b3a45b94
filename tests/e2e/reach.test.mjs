// End-to-end: reach for keyboards and fingers, and the language of notices (issue 19). In the Train panel, Start comes right after the view's
// presets in the Tab order and keeps the keyboard's place once pressed; on a 390-px phone every control is at least
// 24×24 CSS px and Start 44×44; the playground's nav links to the lecture notes, whose header is in Korean.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { settled, setup } from './harness.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const PHONE = { width: 390, height: 844 };

test('Train: Start is the Tab stop after the presets, and pressing it keeps the focus on a control', async () => {
  const { page, problems, context } = await h.open('#panel=train&n=20');
  await settled(page, 'train');
  await page.focus('section[data-panel="train"] .presets a[data-view]:last-of-type');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.action), 'start');
  await page.keyboard.press('Enter');
  await page.waitForSelector('section[data-panel="train"][data-run-state="running"]');
  await page.waitForTimeout(200);
  const focused = await page.evaluate(() => ({ tag: document.activeElement.tagName, action: document.activeElement.dataset.action }));
  assert.deepEqual(focused, { tag: 'BUTTON', action: 'pause' }, 'Start is disabled while its run runs: the focus moves to Pause');
  await page.keyboard.press('Enter');
  await page.waitForSelector('section[data-panel="train"]:not([data-run-state="running"])');
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'BUTTON', 'and back to a button, never the body');
  assert.deepEqual(problems, []);
  await context.close();
});

// Every visible control's box on a phone; returns those below the size.
async function smallTargets(page, scope) {
  return page.$$eval(`${scope} :is(button, select, input, summary, .chips a, a.preset)`, (els) => els.filter((e) => {
    const r = e.getBoundingClientRect();
    const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && (r.width < 24 - 0.01 || r.height < 24 - 0.01);
  }).map((e) => `${e.tagName} ${e.dataset.action ?? e.name ?? e.textContent.trim().slice(0, 12)}: ${e.getBoundingClientRect().width.toFixed(1)}×${e.getBoundingClientRect().height.toFixed(1)}`));
}

test('on a phone every control is at least 24×24 CSS px, and Start 44×44', async () => {
  for (const hash of ['#panel=train&n=20', '#panel=augment&src=digit6&aug=vflip~rotate(deg30_bilinear)&n=4', '#panel=signal&depth=3&width=20&batch=8', '#panel=init&samples=1000']) {
    const { page, problems, context } = await h.open(hash, { viewport: PHONE });
    const panel = hash.match(/panel=(\w+)/)[1];
    await settled(page, panel);
    assert.deepEqual(await smallTargets(page, `section[data-panel="${panel}"]`), [], hash);
    if (panel === 'train') {
      const start = await page.$eval('button[data-action="start"]', (b) => b.getBoundingClientRect().toJSON());
      assert.ok(start.width >= 44 && start.height >= 44, JSON.stringify(start));
    }
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('the playground links to the lecture notes in its language; the notes header is Korean in Korean', async () => {
  const { page, problems, context } = await h.open('#panel=init&samples=1000&lang=ko');
  await settled(page, 'init');
  assert.equal(await page.getAttribute('.site-nav a[data-link="notes"]', 'href'), 'notes/#lang=ko');
  assert.equal(await page.textContent('.site-nav a[data-link="notes"] .long'), '강의 노트');
  await page.click('.site-nav a[data-link="notes"]');
  await page.waitForURL(/notes\//);
  assert.equal(await page.locator('.site-title .t[lang="ko"]').textContent(), 'CNN 플레이그라운드');
  assert.equal(await page.locator('.site-title .t[lang="ko"]').isVisible(), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a notice is shown in the language of the page that shows it: a lang=ko link arriving on an English page', async () => {
  const { page, problems, context } = await h.open('#panel=init&samples=1000');
  await settled(page, 'init');
  await page.evaluate(() => { location.hash = '#panel=init&samples=-5&lang=ko'; });
  await page.waitForFunction(() => document.querySelectorAll('#notices .notice').length > 0);
  const text = await page.textContent('#notices .notice');
  assert.match(text, /[가-힣]/, text);
  assert.doesNotMatch(text, /ignored|default/, text);
  await settled(page, 'init');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
  assert.deepEqual(problems, []);
  await context.close();
});
