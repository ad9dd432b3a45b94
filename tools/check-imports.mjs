// The page's import graph, checked (make lint): no import circle among www/js's modules, and no panel importing a
// module that only the worker runs. A circle means a shared module is missing; a panel that reaches worker-side code
// skips the run registry. Usage: node tools/check-imports.mjs [www/js]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// Modules that run inside the compute worker only: the page talks to them through the run registry (runs.js).
const WORKER_SIDE = [/(^|\/)worker\.js$/, /(^|\/)jobs\.js$/];

function modules(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return modules(path);
    return name.endsWith('.js') ? [path] : [];
  });
}

// Static imports, re-exports and dynamic imports with a literal path; only relative specifiers are the page's own.
export function importsOf(source) {
  const found = [];
  const patterns = [/\bimport\s[^'"]*?from\s*['"]([^'"]+)['"]/g, /\bexport\s[^'"]*?from\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of source.matchAll(re)) if (m[1].startsWith('.')) found.push(m[1]);
  return found;
}

// Strongly connected components (Tarjan): every component of more than one module, or a module importing itself,
// is a circle.
export function circles(graph) {
  let index = 0;
  const stack = [];
  const info = new Map();
  const out = [];
  const visit = (v) => {
    info.set(v, { index, low: index, on: true });
    index++;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!info.has(w)) {
        visit(w);
        info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
      } else if (info.get(w).on) info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
    }
    if (info.get(v).low === info.get(v).index) {
      const part = [];
      let w;
      do {
        w = stack.pop();
        info.get(w).on = false;
        part.push(w);
      } while (w !== v);
      if (part.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(part.sort());
    }
  };
  for (const v of graph.keys()) if (!info.has(v)) visit(v);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(process.argv[2] ?? 'www/js');
  const graph = new Map();
  for (const file of modules(root)) {
    const targets = importsOf(readFileSync(file, 'utf8')).map((s) => resolve(dirname(file), s));
    graph.set(file, targets);
  }
  const name = (f) => relative(root, f);
  const problems = [];
  for (const part of circles(graph)) problems.push(`import circle: ${part.map(name).join(' ↔ ')}`);
  for (const [file, targets] of graph) {
    if (!name(file).startsWith('panels/')) continue;
    for (const t of targets) {
      if (WORKER_SIDE.some((re) => re.test(name(t)))) problems.push(`${name(file)} imports the worker-side ${name(t)}`);
    }
  }
  for (const p of problems) console.error(p);
  if (problems.length) process.exit(1);
  console.log(`${graph.size} modules under ${name(root) || root}: no import circle, no panel imports worker-side code`);
}
