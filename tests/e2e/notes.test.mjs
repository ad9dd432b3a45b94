// End-to-end: the lecture page (www/notes/): Korean by default and English with the switch, every live view — the
// <cnn-playground> elements and the embedded iframes — draws when scrolled to, under the page's strict CSP, and the
// iframes take their content's height (www/embed.js). axe-core on the lecture page: a11y.test.mjs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';
import { drawAll } from './notes-views.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

test('the lecture page opens in Korean, and every live view draws', async () => {
  const { page, problems, context } = await h.open('notes/', { locale: 'en-US' });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
  assert.equal(await page.locator('h1 .t[lang="ko"]').isVisible(), true);
  assert.equal(await page.locator('h1 .t[lang="en"]').isVisible(), false);
  for (const v of await drawAll(page)) {
    assert.ok(v.drawn >= 1, `${v.element ?? v.frame}: a chart is drawn`);
    assert.equal(await v.scope.$eval(`${v.section} [data-action="reset"]`, (b) => b.textContent), '기본값으로', `${v.element ?? v.frame} is in Korean`);
  }
  assert.equal(await page.evaluate(() => location.hash), '', 'the views keep their state out of the page hash');
  assert.deepEqual(await page.$$eval('iframe', (fs) => fs.map((f) => f.title)), ['학습: 증강 없이 vs 증강과 함께', '신호: 시그모이드와 Xavier']);
  // embed.js gave each iframe its content's height.
  for (const height of await page.$$eval('iframe', (fs) => fs.map((f) => Number(f.dataset.cnnPlaygroundHeight)))) assert.ok(height > 500, `iframe height ${height}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the English switch changes the prose and every view; #lang=en opens in English', async () => {
  const { page, problems, context } = await h.open('notes/');
  await page.$eval('#view-augment', (e) => e.scrollIntoView());
  await page.waitForSelector('#view-augment section[data-panel="augment"][aria-busy="false"]', { timeout: 60_000 });
  await page.click('button[data-lang="en"]');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.locator('h1 .t[lang="en"]').isVisible(), true);
  assert.equal(await page.locator('h1 .t[lang="ko"]').isVisible(), false);
  assert.equal(await page.evaluate(() => location.hash), '#lang=en');
  await page.waitForFunction(() => document.querySelector('#view-augment [data-action="reset"]')?.textContent === 'Reset');
  for (const v of await drawAll(page)) {
    assert.ok(v.drawn >= 1, `${v.element ?? v.frame}: a chart is drawn`);
    assert.equal(await v.scope.$eval(`${v.section} [data-action="reset"]`, (b) => b.textContent), 'Reset', `${v.element ?? v.frame} is in English`);
  }
  await page.goto(`${h.url}notes/#lang=en`);
  await page.reload();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.match(await page.title(), /lecture notes/);
  assert.deepEqual(problems, []);
  await context.close();
});
