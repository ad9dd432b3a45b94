import { writeFile, readFile } from 'node:fs/promises';
import { setup, settled } from './harness.mjs';
const out = '/work/wt/h5/target/h5-shots/';
const h = await setup();
try {
  for (const [hash, panel, charts] of [
    ['#panel=signal&act=relu&depth=5&width=20', 'signal', ['signal-layers', 'signal-hist']],
    ['#panel=init', 'init', ['init-hist', 'init-compare']],
  ]) {
    const { page, problems, context } = await h.open(hash);
    await settled(page, panel);
    await page.waitForTimeout(1000);
    for (const chart of charts) {
      for (const kind of ['svg', 'png']) {
        const sel = `button[data-action="download-${kind}"][data-download-chart="${chart}"]`;
        if (!(await page.$(sel))) { console.log('no button', sel); continue; }
        const [d] = await Promise.all([page.waitForEvent('download'), page.click(sel)]);
        const bytes = await readFile(await d.path());
        await writeFile(out + d.suggestedFilename(), bytes);
        console.log(d.suggestedFilename(), bytes.length);
      }
      await page.$eval(`canvas[data-chart="${chart}"]`, (c) => c.scrollIntoView());
      await (await page.$(`canvas[data-chart="${chart}"]`)).screenshot({ path: `${out}screen-${chart}.png` });
    }
    console.log('problems', problems);
    await context.close();
  }
} finally {
  await h.close();
}
