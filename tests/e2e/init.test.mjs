// End-to-end: the page shell and the weight-initialization panel in headless Chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { canvasInfo, keyedRows, settled, setup } from './harness.mjs';
import { catalog } from './core.mjs';

let h;
before(async () => { h = await setup(); });
after(async () => { await h?.close(); });

const num = (s) => Number(s);

test('the init panel loads cleanly and draws a non-blank histogram', async () => {
  const { page, problems, context } = await h.open('#panel=init');
  await settled(page, 'init');
  const info = await canvasInfo(page, 'init-hist');
  assert.ok(info.width > 100 && info.height > 100, `canvas ${info.width}x${info.height}`);
  assert.ok(info.colours > 10, `only ${info.colours} colours: blank chart`);
  assert.equal(await page.$$eval('table[data-table="init-hist"] tbody tr', (r) => r.length), 80);
  assert.deepEqual(problems, []);
  await context.close();
});

// Which controls a scheme shows is the core's word (core_catalog's init_uses, from the Scheme methods that the
// native test holds to what each parameter changes), not a list typed in the page.
test('each scheme shows exactly the initializer controls it reads', async () => {
  const { page, problems, context } = await h.open('#panel=init&nonlinearity=leaky_relu');
  await settled(page, 'init');
  const params = ['mode', 'nonlinearity', 'slope', 'dist', 'std', 'a'];
  for (const scheme of catalog.lists.init) {
    await page.selectOption('section[data-panel="init"] select[name="init"]', scheme);
    await page.waitForFunction((s) => location.hash.includes(`init=${s}`), scheme);
    const shown = await page.$$eval('section[data-panel="init"] [name]', (els, params) =>
      params.filter((n) => { const e = els.find((x) => x.name === n); return e && !e.closest('[hidden]'); }), params);
    // slope goes with the nonlinearity (set to leaky_relu here, whose gain it sets).
    const want = params.filter((p) => catalog.init_uses[p === 'slope' ? 'nonlinearity' : p].includes(scheme));
    assert.deepEqual(shown, want, scheme);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('the stats table shows the torch formulas for a few URLs', async () => {
  const cases = [
    // He normal, dense: std = √2 / √784.
    ['#panel=init&init=he_normal&shape=256x784&samples=100000&seed=1', { fan_in: 784, fan_out: 256, gain: Math.SQRT2, std: Math.SQRT2 / 28 }],
    // Xavier uniform, conv 64x3x3x3: fans 27 and 576, bound √(6 / 603).
    ['#panel=init&init=xavier_uniform&shape=64x3x3x3&samples=100000&seed=2', { fan_in: 27, fan_out: 576, gain: 1, std: Math.sqrt(2 / 603), bound: Math.sqrt(6 / 603) }],
    // LeCun normal with fan_out and tanh gain 5/3.
    ['#panel=init&init=lecun_normal&shape=128x64x3x3&mode=fan_out&nonlinearity=tanh&samples=100000&seed=3', { fan_in: 576, fan_out: 1152, gain: 5 / 3, std: (5 / 3) / Math.sqrt(1152) }],
    // Plain normal with std from the URL.
    ['#panel=init&init=normal&std=0.5&samples=100000&seed=4', { gain: 1, std: 0.5 }],
  ];
  for (const [hash, expected] of cases) {
    const { page, problems, context } = await h.open(hash);
    await settled(page, 'init');
    const rows = await keyedRows(page, 'init-stats');
    for (const [key, value] of Object.entries(expected)) {
      // The table prints 6 significant digits.
      assert.ok(Math.abs(num(rows[key]) - value) <= 5e-6 * Math.abs(value), `${hash}: ${key} = ${rows[key]}, expected ${value}`);
    }
    assert.equal('bound' in rows, 'bound' in expected, `${hash}: bound row only for uniform schemes`);
    const n = num(rows.n);
    assert.equal(n, 100000);
    // Sample std within 5 standard errors σ/√(2n); sample mean within 5 σ/√n.
    assert.ok(Math.abs(num(rows.sample_std) - expected.std) <= 5 * expected.std / Math.sqrt(2 * n), `${hash}: sample_std ${rows.sample_std}`);
    assert.ok(Math.abs(num(rows.sample_mean)) <= 5 * expected.std / Math.sqrt(n), `${hash}: sample_mean ${rows.sample_mean}`);
    assert.match(rows.sample_std, /^-?\d+(\.\d+)?$/, 'plain decimal');
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('reloading the same URL gives identical numbers and pixels', async () => {
  const hash = '#panel=init&init=he_uniform&shape=32x16x5x5&samples=50000&seed=99';
  const a = await h.open(hash);
  await settled(a.page, 'init');
  const rowsA = await keyedRows(a.page, 'init-stats');
  const pixA = await canvasInfo(a.page, 'init-hist');
  await a.page.reload();
  await settled(a.page, 'init');
  assert.deepEqual(await keyedRows(a.page, 'init-stats'), rowsA);
  assert.deepEqual(await canvasInfo(a.page, 'init-hist'), pixA);
  await a.context.close();
  const b = await h.open(hash);
  await settled(b.page, 'init');
  assert.deepEqual(await keyedRows(b.page, 'init-stats'), rowsA);
  await b.context.close();
});

test('controls write the URL, and a bad typed number is refused next to its field', async () => {
  const { page, problems, context } = await h.open('#panel=init&init=normal&std=0.01');
  await settled(page, 'init');
  await page.selectOption('select[name="init"]', 'xavier_normal');
  await settled(page, 'init');
  assert.match(page.url(), /init=xavier_normal/);
  assert.equal((await keyedRows(page, 'init-stats')).std, '0.0438529'); // √(2 / (784 + 256))
  await page.selectOption('select[name="init"]', 'normal');
  await page.fill('input[name="std"]', '-3');
  await page.press('input[name="std"]', 'Tab');
  const error = await page.textContent('input[name="std"] ~ .field-error');
  assert.match(error, /std/);
  assert.match(page.url(), /std=0\.01/, 'the URL keeps the last good value');
  assert.equal((await keyedRows(page, 'init-stats')).std, '0.01');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the code blocks show PyTorch and Keras, and copy works', async () => {
  const { page, context } = await h.open('#panel=init&init=he_normal&nonlinearity=leaky_relu&slope=0.2');
  await settled(page, 'init');
  const code = await page.$$eval('.code pre code', (c) => c.map((x) => x.textContent));
  assert.match(code[0], /torch\.nn\.init\.kaiming_normal_\(w, mode='fan_in', nonlinearity='leaky_relu', a=0\.2\)/);
  assert.match(code[1], /torch\.nn\.init\.kaiming_normal_\(m\.weight, mode='fan_in', nonlinearity='leaky_relu', a=0\.2\)/);
  assert.match(code[2], /keras\.initializers\.VarianceScaling\(scale=1\.92308, mode='fan_in', distribution='untruncated_normal'\)/);
  await page.click('.code button.copy');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code[0]);
  await context.close();
});

test('embed=1 shows only the panel, lang=ko shows Korean', async () => {
  const { page, problems, context } = await h.open('#panel=init&embed=1&lang=ko');
  await settled(page, 'init');
  assert.equal(await page.isVisible('.site-header'), false);
  assert.equal(await page.isVisible('section[data-panel="init"]'), true);
  assert.equal(await page.textContent('section[data-panel="init"] h2'), '가중치 초기화');
  assert.equal(await page.getAttribute('html', 'lang'), 'ko');
  const open = await page.getAttribute('.open-full', 'href');
  assert.ok(!open.includes('embed=1') && open.includes('lang=ko'), open);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the language switch changes every string and keeps the numbers', async () => {
  const { page, context } = await h.open('#panel=init&lang=en&seed=5');
  await settled(page, 'init');
  const before = await keyedRows(page, 'init-stats');
  await page.click('button[data-lang="ko"]');
  await settled(page, 'init');
  assert.match(page.url(), /lang=ko/);
  assert.equal(await page.textContent('.site-nav a .long'), '가중치 초기화');
  assert.deepEqual(Object.values(await keyedRows(page, 'init-stats')), Object.values(before));
  await context.close();
});

test('hostile hashes give a notice naming the parameter and never break the page', async () => {
  const cases = [
    ['shape=0x0', 'shape'],
    ['shape=99999999x99999999', 'shape'],
    ['std=NaN&init=normal', 'std'],
    ['init=<script>alert(1)</script>', 'init'],
    ['init=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E', 'init'],
    ['samples=-5', 'samples'],
    ['samples=1e9', 'samples'],
    ['seed=abc', 'seed'],
    ['seed=1.5', 'seed'],
    ['std=1e400&init=normal', 'std'],
    ['mode=%E0%A4%A', 'mode'],
    ['bogus=1', 'bogus'],
  ];
  for (const [hash, param] of cases) {
    const { page, problems, context } = await h.open(`#panel=init&${hash}`);
    await settled(page, 'init');
    const alerts = await page.$$eval('#notices .notice', (n) => n.map((x) => x.textContent));
    assert.ok(alerts.some((a) => a.includes(`“${param}”`)), `${hash}: notices ${JSON.stringify(alerts)}`);
    assert.equal(await page.$$eval('script', (s) => s.length), 1, `${hash}: a script element was injected`);
    assert.equal(await page.$$eval('#notices img, #notices script', (s) => s.length), 0);
    const rows = await keyedRows(page, 'init-stats');
    assert.ok(Number(rows.n) >= 1, `${hash}: the panel still computes`);
    assert.ok((await canvasInfo(page, 'init-hist')).colours > 10, `${hash}: the chart still draws`);
    assert.deepEqual(problems, [], hash);
    await context.close();
  }
});

test('a Rust panic on the main thread shows a visible error and the page keeps working', async () => {
  const { page, problems, context } = await h.open('#panel=init&seed=1');
  await settled(page, 'init');
  // The build the page loaded (www/js/compute/wasm.js): importing the other one would give an uninitialized module.
  const pkg = await page.evaluate(() => (document.documentElement.dataset.wasmBuild === 'relaxed' ? '/pkg-relaxed' : '/pkg'));
  await page.evaluate((pkg) => setTimeout(async () => (await import(`${pkg}/cnn_playground.js`)).self_test_panic(), 0), pkg);
  await page.waitForSelector('#notices .notice-error');
  assert.match(await page.textContent('#notices .notice-error'), /unreachable|panic/i);
  const before = await keyedRows(page, 'init-stats');
  await page.fill('input[name="seed"]', '2');
  await page.press('input[name="seed"]', 'Tab');
  await settled(page, 'init');
  assert.notEqual((await keyedRows(page, 'init-stats')).sample_mean, before.sample_mean, 'the panel still computes');
  // The only errors logged are the panic's own.
  assert.ok(problems.length > 0 && problems.every((p) => /panic|unreachable|self-test/i.test(p)), JSON.stringify(problems));
  await context.close();
});

test('the comparison lists every scheme for the layer with the published std, and links to the signal panel', async () => {
  const { page, problems, context } = await h.open('#panel=init&init=xavier_uniform&shape=256x784&std=0.01&a=0.05');
  await settled(page, 'init');
  const rows = await page.$$eval('table[data-table="init-compare"] tbody tr', (r) => r.map((x) => [x.dataset.scheme, ...[...x.cells].map((c) => c.textContent)]));
  const [fi, fo] = [784, 256];
  // torch.nn.init's formulas: LeCun 1/√fan_in, Xavier √(2/(fan_in+fan_out)), He √(2/fan_in); uniform bound √3·std.
  const want = {
    lecun_normal: [Math.sqrt(1 / fi)], lecun_uniform: [Math.sqrt(1 / fi), Math.sqrt(3 / fi)],
    xavier_normal: [Math.sqrt(2 / (fi + fo))], xavier_uniform: [Math.sqrt(2 / (fi + fo)), Math.sqrt(6 / (fi + fo))],
    he_normal: [Math.sqrt(2 / fi)], he_uniform: [Math.sqrt(2 / fi), Math.sqrt(6 / fi)],
    normal: [0.01], uniform: [0.05 / Math.sqrt(3), 0.05], zeros: [0],
  };
  assert.deepEqual(rows.map((r) => r[0]), Object.keys(want));
  for (const [scheme, name, std, bound] of rows) {
    const [s, b] = want[scheme];
    assert.ok(Math.abs(Number(std) - s) <= 1e-5 * Math.max(s, 1e-3), `${scheme}: ${std} vs ${s}`);
    if (b !== undefined) assert.ok(Math.abs(Number(bound) - b) <= 1e-5 * b, `${scheme} bound ${bound} vs ${b}`);
    else if (scheme !== 'zeros') assert.equal(bound, 'n/a');
    assert.ok(!/_/.test(name), `a human name, not the id: ${name}`);
  }
  assert.ok((await canvasInfo(page, 'init-compare')).colours > 5, 'comparison drawn');
  // Menus show names, the URL keeps ids.
  assert.equal(await page.$eval('select[name="init"] option[value="he_normal"]', (o) => o.textContent), 'He (Kaiming) normal');
  // The course's init_weights(m) + model.apply snippet, with this scheme's call on m.weight.
  const code = await page.$$eval('.code pre code', (c) => c.map((x) => x.textContent).join('\n'));
  assert.match(code, /def init_weights\(m\):[\s\S]*torch\.nn\.init\.xavier_uniform_\(m\.weight, gain=1\.0\)[\s\S]*m\.bias\.data\.fill_\(0\.01\)[\s\S]*model\.apply\(init_weights\)/);
  // One click to the signal panel with the same scheme, on a 10-layer net.
  await page.click('a[data-link="signal"]');
  await settled(page, 'signal');
  assert.match(page.url(), /panel=signal/);
  assert.match(page.url(), /init=xavier_uniform/);
  assert.match(page.url(), /depth=10(&|$)/);
  assert.equal(await page.$eval('select[name="init"]', (s) => s.value), 'xavier_uniform');
  assert.deepEqual(problems, []);
  await context.close();
});

test('SELU: the gain 3/4 comes with PyTorch’s advice and a button that takes it; the lecture’s form of each bound', async () => {
  const { page, problems, context } = await h.open('#panel=init&init=lecun_normal&nonlinearity=selu&shape=256x784&samples=1000');
  await settled(page, 'init');
  assert.equal(await page.isVisible('[data-note="selu"]'), true);
  assert.match(await page.textContent('[data-note="selu"]'), /Var\(w\) = 0\.5625\/fan.*nonlinearity='linear'/);
  await page.click('button[data-action="linear-gain"]');
  await page.waitForFunction(() => location.hash.includes('nonlinearity=linear'));
  await settled(page, 'init');
  assert.equal(await page.isVisible('[data-note="selu"]'), false);
  assert.equal((await keyedRows(page, 'init-stats')).gain, '1');
  assert.match(await page.textContent('.formula code'), /^std = gain \/ √fan_in = √\(1 \/ fan_in\) = 1 \/ √784 = 0\.0357143$/);
  await page.goto(`${h.url}#panel=init&init=he_uniform&shape=256x784&samples=1000`);
  await settled(page, 'init');
  assert.match(await page.textContent('.formula code'), /^bound = gain · √\(3 \/ fan_in\) = √\(6 \/ fan_in\) = /);
  for (const note of ['notation', 'modern']) assert.equal(await page.isVisible(`[data-note="${note}"]`), true, note);
  assert.deepEqual(problems, []);
  await context.close();
});
