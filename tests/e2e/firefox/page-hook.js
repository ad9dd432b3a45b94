// Loaded before the page's own scripts by the Firefox suite's server (classic WebDriver has no console log): records
// page errors, unhandled rejections, console.error calls, resources that failed to load and CSP violations into
// window.__e2eProblems for the test to read.
(() => {
  const problems = (window.__e2eProblems = []);
  const add = (kind, text) => problems.push(`${kind}: ${String(text).slice(0, 500)}`);
  addEventListener('error', (e) => {
    const target = e.target;
    if (target && target !== window) add('resource', `${target.tagName} ${target.src || target.href || ''}`);
    else add('pageerror', `${e.message} (${e.filename}:${e.lineno})`);
  }, true);
  addEventListener('unhandledrejection', (e) => add('unhandledrejection', e.reason?.stack || e.reason));
  addEventListener('securitypolicyviolation', (e) => add('csp', `${e.violatedDirective} ${e.blockedURI}`));
  const consoleError = console.error;
  console.error = (...args) => {
    add('console.error', args.map((a) => (a && a.stack) || String(a)).join(' '));
    consoleError.apply(console, args);
  };
})();
