// Shared set-up of the end-to-end tests: serve www/ on a free port, launch Debian's Chromium headless, and watch
// every page for console errors, page errors, failed requests and requests that leave the page's origin.
import { chromium } from 'playwright-core';
import { startServer } from '../../tools/serve.mjs';
import { canvasStats } from './canvas-stats.mjs';

const WWW = new URL('../../www/', import.meta.url).pathname;

// `root`: the folder to serve (www/ unless a test serves a copy of its own).
export async function setup({ root = WWW } = {}) {
  const { server, url } = await startServer(root, 0);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ], // Playwright adds --headless and a fresh user data directory itself.
  });
  const origin = new URL(url).origin;

  // Opens a page on `hash` and records what went wrong; `problems` must stay empty in a healthy page. `prepare`
  // (context) runs before the page loads (routes, request counters).
  async function open(hash = '', { locale = 'en-US', viewport = { width: 1200, height: 900 }, prepare } = {}) {
    const context = await browser.newContext({ locale, viewport });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) problems.push(`off-origin request: ${u}`);
    });
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    await prepare?.(context);
    await page.goto(url + hash);
    return { page, problems, context };
  }

  async function close() {
    await browser.close();
    await new Promise((ok) => server.close(ok));
  }

  return { url, open, close, browser };
}

// Waits until the panel shows the current settings (aria-busy="false").
export async function settled(page, panel, timeout = 20_000) {
  await page.waitForSelector(`section[data-panel="${panel}"][aria-busy="false"]`, { timeout });
}

// Rows of a <table data-table> keyed by tr[data-key] → text of its last cell.
export async function keyedRows(page, table) {
  return page.$$eval(`table[data-table="${table}"] tbody tr[data-key]`, (rows) =>
    Object.fromEntries(rows.map((r) => [r.dataset.key, r.cells[r.cells.length - 1].textContent])));
}

// canvasStats() of a chart: colours (1 when blank), luminance spread, a hash of its pixels, its size.
export async function canvasInfo(page, chart) {
  return page.$eval(`canvas[data-chart="${chart}"]`, canvasStats);
}
