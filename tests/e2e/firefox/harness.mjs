// Set-up of the Firefox suite: serve www/ (tools/serve.mjs) behind a thin front that adds page-hook.js to the page and
// records HTTP errors, a recording proxy that every non-local request of Firefox would go through, and one headless
// Firefox session through geckodriver. `problems()` must stay empty in a healthy page.
import { createServer, request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { startServer } from '../../../tools/serve.mjs';
import { canvasStats } from '../canvas-stats.mjs';
import { startFirefox } from './webdriver.mjs';

const WWW = new URL('../../../www/', import.meta.url).pathname;
const HOOK = new URL('./page-hook.js', import.meta.url).pathname;
const HOOK_PATH = '/__e2e/page-hook.js';

function listen(server) {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok(server.address().port));
  });
}

const closeServer = (server) => new Promise((ok) => { server.closeAllConnections?.(); server.close(ok); });

// Forwards to the static server; every HTML page gets the hook as its first script.
async function startFront(backendPort, httpErrors) {
  const hook = await readFile(HOOK);
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === HOOK_PATH) {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' });
      res.end(hook);
      return;
    }
    const upstream = request({ host: '127.0.0.1', port: backendPort, path: req.url, method: req.method, headers: req.headers }, (up) => {
      if (up.statusCode >= 400) httpErrors.push(`HTTP ${up.statusCode}: ${req.url}`);
      if (path.endsWith('/') || path.endsWith('.html')) { // the page and the lecture page (notes/)
        const chunks = [];
        up.on('data', (c) => chunks.push(c));
        up.on('end', () => {
          const html = Buffer.concat(chunks).toString('utf8').replace('<head>', `<head>\n  <script src="${HOOK_PATH}"></script>`);
          const headers = { ...up.headers };
          delete headers['content-length'];
          res.writeHead(up.statusCode, headers);
          res.end(html);
        });
      } else {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
      }
    });
    upstream.on('error', (e) => { httpErrors.push(`front: ${e.message}`); res.destroy(); });
    req.pipe(upstream);
  });
  return { server, port: await listen(server) };
}

// Answers nothing: records what Firefox tried to reach beyond localhost (plain requests and HTTPS tunnels).
async function startRecordingProxy(offline) {
  const server = createServer((req, res) => {
    offline.push(`${req.method} ${req.url}`);
    res.writeHead(502);
    res.end();
  });
  server.on('connect', (req, socket) => {
    offline.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
  });
  return { server, port: await listen(server) };
}

export async function setup({ width = 1200, height = 900 } = {}) {
  const httpErrors = [];
  const offSite = [];
  const { server: backend } = await startServer(WWW, 0);
  const front = await startFront(backend.address().port, httpErrors);
  const proxy = await startRecordingProxy(offSite);
  const url = `http://127.0.0.1:${front.port}/`;
  const servers = [front.server, proxy.server, backend];
  const closeServers = () => Promise.all(servers.map(closeServer));
  let ff;
  try {
    ff = await startFirefox({ proxyPort: proxy.port, width, height });
    await ff.setTimeouts({ script: 60_000, pageLoad: 30_000, implicit: 0 });
  } catch (e) {
    await ff?.quitDriver();
    await closeServers(); // open servers would keep the test process alive
    throw e;
  }

  // A fresh document on `hash` (about:blank first, so a hash-only change still loads the page anew).
  async function open(hash = '') {
    httpErrors.length = 0;
    await ff.navigate('about:blank');
    await ff.navigate(url + hash);
  }

  // What went wrong since open(): the page's own record plus the servers'.
  async function problems() {
    const page = await ff.execute(() => window.__e2eProblems ?? ['the page hook did not run']);
    return [...page, ...httpErrors, ...offSite.map((r) => `off-site request: ${r}`)];
  }

  async function close() {
    try { await ff.quitDriver(); } finally { await closeServers(); }
  }

  return { ff, url, open, problems, offSite, close };
}

// Waits until the panel shows the current settings (aria-busy="false" on its section).
export function settled(ff, panel, timeout = 30_000) {
  return ff.waitFor(`section[data-panel="${panel}"][aria-busy="false"]`,
    (p) => document.querySelector(`section[data-panel="${p}"][aria-busy="false"]`) !== null, [panel], timeout);
}

// canvasStats() of every chart in the panel, keyed by data-chart.
export function charts(ff, panel) {
  return ff.execute(`(p) => {
    const stats = ${canvasStats};
    return Object.fromEntries([...document.querySelectorAll('section[data-panel="' + p + '"] canvas[data-chart]')]
      .map((c) => [c.dataset.chart, stats(c)]));
  }`, panel);
}

// Body row counts of every data table in the panel, keyed by data-table.
export function tables(ff, panel) {
  return ff.execute((p) => Object.fromEntries([...document.querySelectorAll(`section[data-panel="${p}"] table[data-table]`)]
    .map((t) => [t.dataset.table, t.tBodies[0]?.rows.length ?? 0])), panel);
}

// Texts of the notices (the #notices region has role="alert").
export function notices(ff) {
  return ff.execute(() => [...document.querySelectorAll('#notices[role="alert"] .notice')].map((n) => n.textContent));
}
