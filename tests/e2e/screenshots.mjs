// Screenshots for a person to look at (not a test): every panel in Chromium at desktop and phone widths, English and
// Korean, and embedded in a 700×500 iframe of a host page on another origin with www/embed.js.
//   cd tests/e2e && node screenshots.mjs DIR [panel,panel…] [en,ko]
// Prints each page's width (scrollWidth; more than the viewport means sideways scrolling) and the first chart's top.
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup, settled } from './harness.mjs';
import { startServer } from '../../tools/serve.mjs';

const [dir = 'screens', panelList = 'init,signal,augment,train', langList = 'en,ko'] = process.argv.slice(2);
await mkdir(dir, { recursive: true });
const h = await setup();
const hostDir = await mkdtemp(join(tmpdir(), 'cnn-host-'));
const host = await startServer(hostDir, 0, 'localhost'); // another origin than the playground's 127.0.0.1

const firstChartTop = (page) => page.evaluate(() => document.querySelector('[data-chart]')?.getBoundingClientRect().top ?? null);

for (const lang of langList.split(',')) {
  for (const panel of panelList.split(',')) {
    for (const width of [1200, 390, 360]) {
      const { page, context } = await h.open(`#panel=${panel}&lang=${lang}`, { viewport: { width, height: 800 } });
      await settled(page, panel, 60_000);
      await page.waitForTimeout(500);
      const file = join(dir, `${panel}-${lang}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      console.log(file, 'scrollWidth', scrollWidth, 'first chart top', await firstChartTop(page));
      await context.close();
    }
    const src = `${h.url}#panel=${panel}&lang=${lang}&embed=1&embed_id=${panel}`;
    await writeFile(join(hostDir, `${panel}-${lang}.html`), `<!doctype html><meta charset="utf-8"><title>Host</title>
<body style="font-family:serif;max-width:760px;margin:1rem auto"><p>Course notes before the embed.</p>
<iframe src="${src}" width="700" height="500" sandbox="allow-scripts allow-same-origin" loading="lazy" allow="clipboard-write" title="${panel}"></iframe>
<p>Course notes after the embed.</p><script src="${h.url}embed.js"></script></body>`);
    const { page, context } = await h.open('', { viewport: { width: 800, height: 3200 } }); // tall: Chromium paints no iframe area beyond the viewport
    await page.goto(`${host.url}${panel}-${lang}.html`);
    const frame = page.frameLocator('iframe');
    await frame.locator(`section[data-panel="${panel}"][aria-busy="false"]`).waitFor({ timeout: 60_000 });
    await page.waitForTimeout(800);
    const file = join(dir, `${panel}-${lang}-iframe.png`);
    await page.locator('iframe').screenshot({ path: file.replace('.png', '-first.png') });
    await page.screenshot({ path: file, fullPage: true });
    console.log(file, 'iframe height', await page.$eval('iframe', (f) => f.getBoundingClientRect().height));
    await context.close();
  }
}
await h.close();
await new Promise((ok) => host.server.close(ok));
