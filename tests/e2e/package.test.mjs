// End-to-end: the npm package (make pack, tools/pack.mjs). The tarball is packed, installed into a fresh project
// with npm (offline), and a page of that project uses the JS API and the <cnn-playground> element from node_modules.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from '../../tools/pack.mjs';
import { setup } from './harness.mjs';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}"><link rel="icon" href="data:,">
<script type="module" src="node_modules/cnn-playground/js/element.js"></script>
<script type="module" src="app.js"></script></head>
<body><output id="api"></output>
<cnn-playground id="view" panel="signal" act="relu" init="he_normal" depth="4" width="40" batch="20"></cnn-playground></body></html>`;

// The package's README example, as a host project writes it.
const APP = `import { load } from './node_modules/cnn-playground/js/index.js';
const wasm = await load();
const v = new wasm.InitView({ init: 'he_normal', shape: '256x784' });
v.sample(1000, 42);
document.getElementById('api').textContent = JSON.stringify({ build: wasm.build, fan_in: v.fan_in, std: v.std, n: v.n });
v.free();
`;

let h;
let project;
let tarball;
before(async () => {
  project = await mkdtemp(join(tmpdir(), 'cnn-package-'));
  tarball = await pack(project);
  await writeFile(join(project, 'package.json'), '{ "name": "host", "private": true }\n');
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: project, stdio: 'pipe' });
  await writeFile(join(project, 'index.html'), PAGE);
  await writeFile(join(project, 'app.js'), APP);
  h = await setup({ root: project });
});
after(async () => {
  await h?.close();
  if (project) await rm(project, { recursive: true, force: true });
});

test('the packed package installs, and a page uses its JS API and its element', async () => {
  assert.match(tarball, /cnn-playground-\d+\.\d+\.\d+\.tgz$/);
  const { page, problems, context } = await h.open('index.html');
  await page.waitForFunction(() => document.getElementById('api').textContent !== '');
  const api = JSON.parse(await page.$eval('#api', (o) => o.textContent));
  assert.equal(api.fan_in, 784);
  assert.ok(Math.abs(api.std - Math.sqrt(2 / 784)) < 1e-6, `He std ${api.std}`);
  assert.equal(api.n, 1000);
  assert.ok(['relaxed', '128'].includes(api.build));
  await page.waitForSelector('#view section[data-panel="signal"][aria-busy="false"]', { timeout: 30_000 });
  assert.equal(await page.$$eval('#view table[data-table="signal-layers"] tbody tr', (r) => r.length), 4);
  const wasm = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).map((e) => new URL(e.name).pathname));
  assert.equal(wasm.length, 1, `the API and the element share one download: ${wasm}`);
  assert.match(wasm[0], /^\/node_modules\/cnn-playground\/pkg(-relaxed)?\/cnn_playground_bg\.wasm$/);
  assert.deepEqual(problems, []);
  await context.close();
});
