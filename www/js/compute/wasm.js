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

const BUILDS = { relaxed: '../../pkg-relaxed/cnn_playground.js', 128: '../../pkg/cnn_playground.js' };
let chosen = null; // the build this context runs: 'relaxed' or '128'

export function relaxedSimdSupported() {
  return WebAssembly.validate(RELAXED_PROBE);
}

// `simd`: 'auto' or '128' (the URL parameter), or a build name already chosen by the page ('relaxed', '128').
export function pickBuild(simd) {
  return simd !== '128' && relaxedSimdSupported() ? 'relaxed' : '128';
}

// Loads and initializes the chosen build, once per context (the page's views share one):
// { module (its exports as JS), exports (the raw wasm exports), build, compiled (the WebAssembly.Module) }.
// Without an argument (in a worker) the choice comes from the worker's own URL. The choice is made at once (so
// workers started while the module compiles get it too); should the relaxed build fail to load, the portable one
// stands in. `compiled`, a module the page already compiled (a worker gets it in a message), saves the download:
// one page fetches the wasm once, for itself and every worker.
let loading = null;
export function loadWasm(simd = new URL(self.location.href).searchParams.get('simd') ?? 'auto', compiled = null) {
  loading ??= load(simd, compiled);
  return loading;
}

async function load(simd, compiled) {
  chosen = pickBuild(simd);
  try {
    return await instantiate(chosen, compiled);
  } catch (e) {
    if (chosen === '128') throw e;
    chosen = '128';
    return instantiate(chosen, null);
  }
}

async function instantiate(build, compiled) {
  const module = await import(BUILDS[build]);
  compiled ??= await compile(new URL(BUILDS[build].replace(/\.js$/, '_bg.wasm'), import.meta.url));
  const exports = await module.default({ module_or_path: compiled });
  return { module, exports, build, compiled };
}

// Streaming compilation where the server says application/wasm, else from the bytes.
async function compile(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
  if (response.headers.get('Content-Type')?.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

// The compiled module of this context's build, for its workers (null until a load began).
export function compiledModule() {
  return loading?.then((l) => l.compiled) ?? null;
}

// A worker script's URL that tells the worker which build to load: the one chosen here.
export function workerUrl(url) {
  const u = new URL(url);
  u.searchParams.set('simd', chosen ?? pickBuild('auto'));
  return u;
}
