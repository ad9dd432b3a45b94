// The lecture page's live views (www/notes/), for the end-to-end test (notes.test.mjs) and the benchmark
// (bench/notes.mjs).
import { canvasStats } from './canvas-stats.mjs';

// Every live view of the page: the element's id or the iframe's data-view, and the panel it shows.
export const VIEWS = [
  { element: 'view-augment', panel: 'augment' },
  { frame: 'train_overfit', panel: 'train' },
  { element: 'view-vanishing', panel: 'signal' },
  { frame: 'signal_sigmoid', panel: 'signal' },
  { element: 'view-init', panel: 'init' },
  { element: 'view-he', panel: 'signal' },
  { element: 'view-transfer', panel: 'train' },
];

// Scrolls each view into view in turn and waits until it shows its settings; returns, per view, the frame or page
// it lives in, the selector of its section and its number of non-blank charts.
export async function drawAll(page, timeout = 90_000) {
  const out = [];
  for (const v of VIEWS) {
    const host = v.element ? `#${v.element}` : `iframe[data-view="${v.frame}"]`;
    await page.$eval(host, (e) => e.scrollIntoView());
    const scope = v.element ? page : await (await page.$(host)).contentFrame();
    const section = `${v.element ? `#${v.element} ` : ''}section[data-panel="${v.panel}"]`;
    await scope.waitForSelector(`${section}[aria-busy="false"]`, { timeout });
    if (v.panel === 'train') { // an idle run has drawn nothing yet: one step (a comparison: a start) draws the curves
      const single = await scope.$(`${section} button[data-action="step"]`);
      await scope.click(`${section} button[data-action="${single ? 'step' : 'start'}"]`);
      await scope.waitForSelector(`${section} table[data-table="train-curves"] tbody tr`, { timeout, state: 'attached' });
      if (!single) await scope.click(`${section} button[data-action="pause"]`);
      await scope.waitForSelector(`${section}:not([data-run-state="running"])`, { timeout });
    }
    let drawn = 0;
    for (const canvas of await scope.$$(`${section} canvas[data-chart]`)) {
      const stats = await canvas.evaluate(canvasStats);
      if (stats.colours > 1) drawn++;
    }
    out.push({ ...v, scope, section, drawn });
  }
  return out;
}
