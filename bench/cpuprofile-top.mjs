// Self time by function from a V8 CPU profile (`node --cpu-prof --cpu-prof-dir D script.mjs`), the largest first:
// with a build that keeps the wasm name section (wasm-bindgen without --remove-name-section), the engine's functions
// appear by their Rust names (after inlining: what LLVM kept as a function).
// Usage: node bench/cpuprofile-top.mjs FILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs';

const [file, top = '30'] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const self = new Map();
let total = 0;
for (const node of prof.nodes) {
  const name = node.callFrame.functionName || `(${node.callFrame.url || 'anonymous'})`;
  self.set(name, (self.get(name) ?? 0) + node.hitCount);
  total += node.hitCount;
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top));
console.log(`${total} samples`);
for (const [name, hits] of rows) console.log(`${((100 * hits) / total).toFixed(1).padStart(5)} %  ${name.slice(0, 150)}`);
