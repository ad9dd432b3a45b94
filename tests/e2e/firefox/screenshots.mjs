// Full-page screenshots of every panel in headless Firefox, for looking at (not a test):
//   cd tests/e2e && node firefox/screenshots.mjs /tmp/shots [lang]
// writes PANEL-desktop-LANG.png (1200 px window) and PANEL-phone-LANG.png (390 px viewport) per panel.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { settled, setup } from './harness.mjs';

const [out = 'screenshots', lang = 'en'] = process.argv.slice(2);
await mkdir(out, { recursive: true });
const h = await setup();
async function save(name, png, note = '') {
  await writeFile(join(out, name), Buffer.from(png, 'base64'));
  console.log(join(out, name), note);
}

try {
  await h.open(`#panel=init&lang=${lang}`);
  await settled(h.ff, 'init');
  const panels = await h.ff.execute(() => [...document.querySelectorAll('.site-nav a[data-panel]')].map((a) => a.dataset.panel));
  await h.ff.setWindowRect({ width: 1200, height: 900 });
  for (const panel of panels) {
    await h.open(`#panel=${panel}&lang=${lang}`);
    await settled(h.ff, panel);
    await save(`${panel}-desktop-${lang}.png`, await h.ff.cmd('GET', '/moz/screenshot/full'));
    const problems = await h.problems();
    if (problems.length) console.log(`${panel} (desktop) problems:`, problems);
  }
  // Firefox will not make a window narrower than 500 px, so the phone view is a 390 px iframe grown to its page's
  // height (the page inside sees a 390 px viewport and never scrolls), at the left of a 500 px window.
  await h.ff.setWindowRect({ width: 500, height: 900 });
  for (const panel of panels) {
    await h.ff.navigate('about:blank');
    await h.ff.execute((src) => new Promise((done) => {
      const frame = document.createElement('iframe');
      frame.style.cssText = 'width: 390px; height: 844px; border: 0; display: block';
      frame.onload = done;
      frame.src = src;
      document.body.style.margin = '0';
      document.body.append(frame);
    }), `${h.url}#panel=${panel}&lang=${lang}`);
    const frame = await h.ff.find('iframe');
    await h.ff.cmd('POST', '/frame', { id: { 'element-6066-11e4-a52e-4f735466cecf': frame } });
    await settled(h.ff, panel);
    const size = await h.ff.execute(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
    const problems = await h.ff.execute(() => window.__e2eProblems);
    if (problems.length) console.log(`${panel} (phone) problems:`, problems);
    await h.ff.cmd('POST', '/frame/parent', {});
    await h.ff.execute((height) => { document.querySelector('iframe').style.height = `${height}px`; }, size[1]);
    await new Promise((ok) => setTimeout(ok, 300));
    await save(`${panel}-phone-${lang}.png`, await h.ff.cmd('GET', '/moz/screenshot/full'), `content ${size[0]}×${size[1]} px`);
  }
} finally {
  await h.close();
}
