// Whether wasm builds compute the same numbers (when they are the same kind of build: simd128 against simd128): 20
// losses of a fresh Trainer on the batch (x, y) and its logits after them, compared as their printed f32 values.
// Used by forward-vs-train.mjs and train-step.mjs; builds are { dir, mod } with mod the loaded wasm module.
export function reportSameBits(builds, x, y) {
  const trace = (b) => {
    const t = new b.mod.Trainer({ seed: 1 });
    const losses = Array.from({ length: 20 }, () => t.train_step(x, y));
    const out = JSON.stringify([losses, Array.from(t.forward(x))]);
    t.free();
    return out;
  };
  const traces = builds.map(trace);
  builds.forEach((b, i) => console.log(`${b.dir}: losses and logits ${traces[i] === traces[0] ? 'identical to' : 'DIFFER from'} ${builds[0].dir}'s`));
}
