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
  { element: 'view-transfer', panel: 'transfer' },
  { element: 'view-draw', panel: 'train' },
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
    if (v.panel === 'train' || v.panel === 'transfer') { // an idle run has drawn nothing yet: one step (else a start,
      // then a pause once the first measurements are in) draws the curves
      const single = await scope.$(`${section} button[data-action="step"]`);
      await scope.click(`${section} button[data-action="${single ? 'step' : 'start'}"]`);
      await scope.waitForFunction((sel) => [...document.querySelectorAll(`${sel} canvas[data-chart]`)].some((c) => {
        const d = c.width ? c.getContext('2d').getImageData(0, 0, c.width, c.height).data : [];
        for (let i = 4; i < d.length; i += 4) if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) return true;
        return false;
      }), section, { timeout });
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
