// The transfer quadrants open 20 runs (4 quadrants × 5 strategies) paused for each setting; a setting changed before
// any was started must not leave them behind: never-started runs are closed, not kept (issue 23: 321 runs after 15
// seed changes). A started run is still kept for Back, as the registry promises (runs.test.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';

const CHANGES = 6;
let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const idle = (page) => page.waitForSelector('section[data-panel="transfer"][data-run-state="idle"][aria-busy="false"]', { timeout: 60_000 });

test('changing the quadrants\' settings before starting keeps no runs behind', async () => {
  const { page, problems, context } = await h.open('#panel=transfer&experiment=quadrants&zoo=small&repeats=1&seed=1');
  await idle(page);
  const count = () => page.evaluate(async () => {
    const { runs } = await import('/js/compute/runs.js'); // the page's own registry (the same module)
    return { opened: runs.opened, live: runs.list().filter((r) => r.live && /transfer-(small|large)_(similar|different)_/.test(String(r.owner))).length };
  });
  const first = await count();
  assert.equal(first.live, 20, 'one run per quadrant and strategy');
  let opened = first.opened;
  for (let seed = 2; seed < 2 + CHANGES; seed++) {
    await page.evaluate((s) => { location.hash = `#panel=transfer&experiment=quadrants&zoo=small&repeats=1&seed=${s}`; }, seed);
    // Polled from node until the new setting's 20 runs are open.
    let now = await count();
    for (let i = 0; i < 300 && now.opened < opened + 20; i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      now = await count();
    }
    assert.equal(now.opened, opened + 20, `change ${seed - 1}: the new setting opened its runs`);
    opened = now.opened;
    assert.equal(now.live, 20, `change ${seed - 1}: the never-started runs of the old settings are closed`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});
