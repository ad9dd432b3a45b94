// The package's JS API (npm: `import { load } from 'cnn-playground'`): the wasm facade — InitView, ProbeRun,
// AugmentView, Trainer, Dataset, core_catalog … (README "JavaScript API of the wasm module") — behind the one loader
// that picks the build (relaxed SIMD where the browser has it, else the portable simd128; simd: '128' forces it).
// The module is downloaded and compiled once per page, shared with any <cnn-playground> element on it.
// The element itself: `import 'cnn-playground/element'` (www/js/element.js).
import { loadWasm } from './compute/wasm.js';

export async function load({ simd = 'auto' } = {}) {
  const { module, build } = await loadWasm(simd);
  return Object.assign(Object.create(null), module, { build });
}
