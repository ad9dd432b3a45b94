// Screenshots of finished lessons for a person to look at (not a test): each view's default run is started, run to
// its end once, then shot at 1366×900 and 390×844, in English and Korean (a language switch keeps the runs).
//   cd tests/e2e && node lesson-shots.mjs DIR 'panel=train&view=overfit' …
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setup } from './harness.mjs';

const [dir = 'lesson-shots', ...hashes] = process.argv.slice(2);
await mkdir(dir, { recursive: true });
const h = await setup();
try {
  for (const hash of hashes) {
    const panel = /panel=(\w+)/.exec(hash)[1];
    const name = hash.replace(/[^a-z0-9_=]+/gi, '_');
    const { page, context, problems } = await h.open(`#${hash}&lang=en`, { viewport: { width: 1366, height: 900 } });
    const section = `section[data-panel="${panel}"]`;
    await page.waitForSelector(`${section}[data-run-state="idle"]`, { timeout: 120_000 });
    await page.screenshot({ path: join(dir, `${name}-idle-en-1366.png`) });
    await page.click('button[data-action="start"]');
    const t0 = Date.now();
    await page.waitForSelector(`${section}[data-run-state="done"]`, { timeout: 1_800_000 });
    console.log(hash, 'done in', ((Date.now() - t0) / 1000).toFixed(0), 's');
    for (const lang of ['en', 'ko']) {
      if (lang === 'ko') await page.evaluate(() => { location.hash = location.hash.replace('lang=en', 'lang=ko'); });
      for (const [w, hgt] of [[1366, 900], [390, 844]]) {
        await page.setViewportSize({ width: w, height: hgt });
        await page.waitForTimeout(1500);
        await page.screenshot({ path: join(dir, `${name}-${lang}-${w}.png`) });
        await page.screenshot({ path: join(dir, `${name}-${lang}-${w}-full.png`), fullPage: true });
      }
      await page.setViewportSize({ width: 1366, height: 900 });
    }
    const summary = await page.$$eval('[data-summary], [data-verdict]', (els) => els.map((e) => e.textContent));
    console.log(JSON.stringify(summary));
    if (problems.length) console.log('problems:', problems);
    await context.close();
  }
} finally {
  await h.close();
}
