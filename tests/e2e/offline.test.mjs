// End-to-end: the offline copy (www/sw.js, www/build.js). After one visit the page works without a network, and a
// new build's worker replaces the old cache.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canvasInfo, settled, setup } from './harness.mjs';
import { drawAll } from './notes-views.mjs';

// A folder that serves www/ through links, except build.js, its own copy: the test writes the next build's id there.
const WWW = new URL('../../www/', import.meta.url).pathname;
let h;
let root;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cnn-offline-'));
  for (const name of await readdir(WWW)) if (name !== 'build.js') await symlink(join(WWW, name), join(root, name));
  await copyFile(join(WWW, 'build.js'), join(root, 'build.js'));
  h = await setup({ root });
});
after(async () => {
  await h?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

// Waits until the service worker is active (its install cached every file of the build) and returns the cache names.
async function offlineReady(page) {
  return page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    return caches.keys();
  });
}

test('after one visit, the page reloads and draws without a network', async () => {
  const { page, problems, context } = await h.open('#panel=signal&depth=3&width=20&batch=7&lang=en');
  await settled(page, 'signal');
  const keys = await offlineReady(page);
  assert.equal(keys.length, 1, keys.join(', '));
  const { id, files } = await page.evaluate(async () => {
    const text = await (await fetch('build.js')).text();
    return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
  });
  assert.equal(keys[0], `cnn-playground-${id}`);
  const cached = await page.evaluate(async (name) => (await (await caches.open(name)).keys()).length, keys[0]);
  assert.ok(cached >= files.length, `every file of the build is cached (${cached} of ${files.length})`);

  await context.setOffline(true);
  await page.reload();
  await settled(page, 'signal');
  assert.equal(await page.evaluate(() => navigator.onLine), false);
  assert.equal(await page.$$eval('table[data-table="signal-layers"] tbody tr', (r) => r.length), 3);
  assert.ok((await canvasInfo(page, 'signal-layers')).colours > 3, 'the chart is drawn');
  // Another panel's code and the data it fetches come from the cache too.
  await page.evaluate(() => { location.hash = '#panel=train&lang=en'; });
  await settled(page, 'train', 60_000);
  await page.click('button[data-action="step"]'); // the digits come from the cache; one step draws the curves
  await page.waitForFunction(() => document.querySelector('section[data-panel="train"]').dataset.runState === 'paused');
  await page.waitForFunction(() => document.querySelectorAll('table[data-table="train-curves"] tbody tr').length > 0);
  assert.ok((await canvasInfo(page, 'train-curves')).colours > 1, 'the train panel draws');
  assert.deepEqual(problems, []);
  await context.close();
});

test('after one visit to the page, the lecture page opens and its views draw without a network', async () => {
  const { page, problems, context } = await h.open('#panel=init&samples=1000&lang=en');
  await settled(page, 'init');
  await offlineReady(page);
  await context.setOffline(true);
  await page.goto(`${h.url}notes/#lang=en`);
  assert.equal(await page.evaluate(() => navigator.onLine), false);
  for (const v of await drawAll(page)) assert.ok(v.drawn >= 1, `${v.element ?? v.frame}: a chart is drawn offline`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a new build replaces the old cache', async () => {
  const { page, problems, context } = await h.open('#panel=init&samples=1000&lang=en');
  await settled(page, 'init');
  const [old] = await offlineReady(page);
  // The next build: build.js with another id (the files are the same here); the browser notices the changed import,
  // installs the worker again, caches under the new name and drops the old cache.
  const text = await readFile(join(root, 'build.js'), 'utf8');
  await writeFile(join(root, 'build.js'), text.replace(/"id": "(\w+)"/, '"id": "next$1"'));
  const keys = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    await registration.update();
    for (let i = 0; i < 200; i++) {
      const names = await caches.keys();
      if (names.length === 1 && names[0].includes('next')) return names;
      await new Promise((r) => setTimeout(r, 50));
    }
    return caches.keys();
  });
  assert.deepEqual(keys, [old.replace('cnn-playground-', 'cnn-playground-next')]);
  assert.deepEqual(problems, []);
  await context.close();
});
