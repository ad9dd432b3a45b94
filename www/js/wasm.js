// The one place that picks and loads the wasm build, for the page and its workers alike.
// Two builds ship (`make build`): www/pkg/ (wasm simd128: the same bits on every browser and machine) and
// www/pkg-relaxed/ (relaxed SIMD: f32x4.relaxed_madd, a fused multiply-add where the CPU has one — faster, and
// reproducible on one browser and machine but not across them). The URL parameter `simd` chooses: `auto` (the
// default) takes the relaxed build when the browser validates a relaxed opcode, `128` forces the portable build.
// A worker is started with the build the page chose (workerUrl), so the page and its workers compute alike.

// (module (func (param v128) (result v128) local.get 0 local.get 0 local.get 0 f32x4.relaxed_madd))
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x06, 0x01, 0x60, 0x01, 0x7b, 0x01, 0x7b, // type: (v128) -> v128
  0x03, 0x02, 0x01, 0x00, // one function of that type
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x00, 0x20, 0x00, 0xfd, 0x85, 0x02, 0x0b, // body; 0xfd 0x105
]);

const BUILDS = { relaxed: '../pkg-relaxed/cnn_playground.js', 128: '../pkg/cnn_playground.js' };
let chosen = null; // the build this context runs: 'relaxed' or '128'

export function relaxedSimdSupported() {
  return WebAssembly.validate(RELAXED_PROBE);
}

// `simd`: 'auto' or '128' (the URL parameter), or a build name already chosen by the page ('relaxed', '128').
export function pickBuild(simd) {
  return simd !== '128' && relaxedSimdSupported() ? 'relaxed' : '128';
}

// Loads and initializes the chosen build: { module (its exports as JS), exports (the raw wasm exports), build }.
// Without an argument (in a worker) the choice comes from the worker's own URL. The choice is made at once (so
// workers started while the module compiles get it too); should the relaxed build fail to load, the portable one
// stands in.
export async function loadWasm(simd = new URL(self.location.href).searchParams.get('simd') ?? 'auto') {
  chosen = pickBuild(simd);
  let module;
  try {
    module = await import(BUILDS[chosen]);
  } catch (e) {
    if (chosen === '128') throw e;
    chosen = '128';
    module = await import(BUILDS[chosen]);
  }
  const exports = await module.default();
  return { module, exports, build: chosen };
}

// A worker script's URL that tells the worker which build to load: the one chosen here.
export function workerUrl(url) {
  const u = new URL(url);
  u.searchParams.set('simd', chosen ?? pickBuild('auto'));
  return u;
}
