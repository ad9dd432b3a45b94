// Classic WebDriver (W3C) over plain HTTP to geckodriver: only the commands the Firefox suite needs, no client
// library and no browser download. Firefox is Debian's firefox-esr, started headless with a fresh profile (geckodriver
// creates one per session in a temporary directory and deletes it afterwards).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

// Preferences that keep Firefox quiet on a closed network: no updates, telemetry, captive-portal or connectivity
// probes, safe-browsing lists, remote settings, add-on or plugin (GMP) downloads, speculative connections, DoH.
// `proxy` routes every request that is not for localhost to a recording proxy, so the suite can assert that none
// was made (Firefox never sends localhost through a proxy).
export function quietPrefs(proxyPort) {
  return {
    'app.update.auto': false,
    'app.update.disabledForTesting': true,
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.page': 0,
    'browser.startup.homepage': 'about:blank',
    'browser.startup.homepage_override.mstone': 'ignore',
    'browser.newtabpage.enabled': false,
    'browser.aboutwelcome.enabled': false,
    'browser.newtabpage.activity-stream.feeds.system.topstories': false,
    'browser.newtabpage.activity-stream.feeds.telemetry': false,
    'browser.newtabpage.activity-stream.telemetry': false,
    'browser.ping-centre.telemetry': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'browser.safebrowsing.downloads.enabled': false,
    'browser.safebrowsing.blockedURIs.enabled': false,
    'browser.safebrowsing.provider.mozilla.updateURL': '',
    'browser.search.update': false,
    'browser.search.geoip.url': '',
    'browser.region.network.url': '',
    'browser.region.update.enabled': false,
    'browser.contentblocking.report.monitor.enabled': false,
    'browser.discovery.enabled': false,
    'datareporting.healthreport.uploadEnabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.enabled': false,
    'toolkit.telemetry.unified': false,
    'toolkit.telemetry.archive.enabled': false,
    'toolkit.telemetry.server': '',
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
    'network.http.speculative-parallel-limit': 0,
    'network.trr.mode': 5,
    'services.settings.server': 'data:,#remote-settings-dummy/v1', // honoured with MOZ_DISABLE_NONLOCAL_CONNECTIONS
    'extensions.update.enabled': false,
    'extensions.getAddons.cache.enabled': false,
    'extensions.blocklist.enabled': false,
    'media.gmp-manager.updateEnabled': false,
    'media.gmp-gmpopenh264.enabled': false,
    'dom.push.enabled': false,
    'dom.push.connection.enabled': false,
    'geo.provider.network.url': '',
    'intl.accept_languages': 'en-US',
    'network.proxy.type': 1,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': proxyPort,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': proxyPort,
    'network.proxy.no_proxies_on': '',
  };
}

// A free TCP port on 127.0.0.1 (for geckodriver, which is told its port).
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitForDriver(base, child, output) {
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${base}/status`);
      if (r.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((ok) => setTimeout(ok, 50));
    if (child.exitCode !== null || child.pid === undefined) throw new Error(`geckodriver did not start (exit code ${child.exitCode}): ${output.join('')}`);
  }
  throw new Error(`geckodriver did not answer on ${base}: ${output.join('')}`);
}

// Starts geckodriver and one Firefox session. `width`/`height` is the window's outer size.
export async function startFirefox({ proxyPort, width = 1200, height = 900 }) {
  const port = await freePort();
  const output = [];
  const child = spawn(process.env.GECKODRIVER ?? 'geckodriver', ['--host', '127.0.0.1', '--port', String(port), '--log', 'error'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Firefox's switch for test machines, inherited through geckodriver: refuses non-local connections, and lets
    // Remote Settings use the dummy server set below (a release build ignores that override otherwise).
    env: { ...process.env, MOZ_DISABLE_NONLOCAL_CONNECTIONS: '1' },
  });
  child.stdout.on('data', (d) => output.push(String(d)));
  child.stderr.on('data', (d) => output.push(String(d)));
  child.on('error', (e) => output.push(`${e.message} (tools/install.sh test installs geckodriver)`));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForDriver(base, child, output);
  } catch (e) {
    child.kill();
    throw e;
  }

  const firefoxOptions = {
    args: ['-headless', `--width=${width}`, `--height=${height}`],
    prefs: quietPrefs(proxyPort),
    log: { level: 'error' },
  };
  if (process.env.FIREFOX) firefoxOptions.binary = process.env.FIREFOX;
  let created;
  try {
    created = await command(base, 'POST', '/session', {
      capabilities: { alwaysMatch: { browserName: 'firefox', pageLoadStrategy: 'normal', 'moz:firefoxOptions': firefoxOptions } },
    });
  } catch (e) {
    child.kill(); // no session: geckodriver would otherwise outlive the test run
    throw e;
  }
  const session = new Session(`${base}/session/${created.sessionId}`, created.capabilities);
  session.quitDriver = async () => {
    try {
      await command(base, 'DELETE', `/session/${created.sessionId}`);
    } finally {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill();
      await exited;
    }
  };
  return session;
}

// One WebDriver command; a WebDriver error becomes a JS Error with its `error` code and message.
async function command(base, method, path, body) {
  const r = await fetch(base + path, {
    method,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const { value } = await r.json();
  if (!r.ok) throw Object.assign(new Error(`WebDriver ${method} ${path}: ${value?.error}: ${value?.message}`), { error: value?.error });
  return value;
}

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'; // the W3C web element key

class Session {
  constructor(url, capabilities) {
    this.url = url;
    this.capabilities = capabilities;
  }

  cmd(method, path, body) {
    return command(this.url, method, path, body);
  }

  navigate(url) { return this.cmd('POST', '/url', { url }); }
  setTimeouts(t) { return this.cmd('POST', '/timeouts', t); }
  setWindowRect(rect) { return this.cmd('POST', '/window/rect', rect); }
  screenshot() { return this.cmd('GET', '/screenshot').then((b64) => Buffer.from(b64, 'base64')); }

  // Runs `fn` in the page with JSON arguments and returns its (JSON) value; `fn` may be async.
  execute(fn, ...args) {
    return this.cmd('POST', '/execute/async', {
      script: `const done = arguments[arguments.length - 1];
        Promise.resolve().then(() => (${fn}).apply(null, Array.from(arguments).slice(0, -1)))
          .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ err: String(e && e.stack || e) }));`,
      args,
    }).then((r) => {
      if (r && 'err' in r) throw new Error(`in the page: ${r.err}`);
      return r?.ok;
    });
  }

  // Polls `fn` in the page until it returns something truthy; throws with `what` after `timeout` ms.
  async waitFor(what, fn, args = [], timeout = 20_000) {
    const until = Date.now() + timeout;
    for (;;) {
      const v = await this.execute(fn, ...args);
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }

  async find(css) {
    const v = await this.cmd('POST', '/element', { using: 'css selector', value: css });
    return v[ELEMENT];
  }

  async click(css) { return this.cmd('POST', `/element/${await this.find(css)}/click`, {}); }

  // For <input type="file">: the text is a local file path.
  async sendKeys(css, text) { return this.cmd('POST', `/element/${await this.find(css)}/value`, { text }); }
}
