// Our contender for the peers harness (../shared/peers; its README, "Adding a contender"): the engine through the
// documented JS API (README, "JavaScript API"), the harness's net, starting parameters and batches.
//
// Served by `bench/peers.sh` with the repository's www/ mounted at /ext/www/ and this folder at /ext/ours/.
// Params (from the harness's --spec file):
//   build   'simd128' (www/pkg, the portable build) or 'relaxed' (www/pkg-relaxed, f32x4.relaxed_madd)
//   freeze  true: freeze both conv layers after the ten cross-checked steps (so the loss curve still matches the
//           others), then every timed step trains only the dense head: what freezing saves per step
//   profile true: also time every layer's forward and backward pass in setup (untimed by the harness) and report
//           the per-layer milliseconds in the notes
import { Unavailable } from '/web/util.js';
import { toOihw, toDenseOutIn } from './layouts.js';

const BUILDS = { simd128: '/ext/www/pkg/cnn_playground.js', relaxed: '/ext/www/pkg-relaxed/cnn_playground.js' };
const DEFAULT_SPEC = 'conv(8_k5_p2)~relu~maxpool(2)~conv(16_k5_p2)~relu~maxpool(3)~flatten~dense(10)';
const CHECKED_STEPS = 10;

export default async function create(params = {}) {
  const build = params.build ?? 'simd128';
  if (!BUILDS[build]) throw new Error(`unknown build ${build}`);
  let wasm;
  try {
    wasm = await import(BUILDS[build]);
    await wasm.default();
  } catch (e) {
    // The relaxed build is optional (and needs a browser with relaxed SIMD).
    if (build === 'relaxed') throw new Unavailable(`relaxed build not loadable here: ${e.message}`);
    throw e;
  }
  let trainer;
  let steps = 0;
  let labels; // the whole data set's labels as Uint32Array (the harness hands out Int32Array views)
  return {
    name: `ours (rust→wasm, ${build}${params.freeze ? ', conv frozen' : ''})`,
    async setup(data, ctx) {
      const { h, w, c } = ctx.arch.input;
      const { lr, momentum } = ctx.train;
      trainer = new wasm.Trainer({
        model: DEFAULT_SPEC,
        input: [h, w, c],
        opt: `sgd(lr${lr}_m${momentum})`,
        seed: ctx.seed,
      });
      // The harness's parameters in its layouts → ours (PyTorch's): conv HWIO → OIHW; dense [in, out] with `in` in
      // HWC order → OUT×IN with IN in CHW order (what flatten gives here).
      const layers = trainer.layers();
      const weightLayers = layers.filter((l) => l.params > 0);
      if (weightLayers.length !== ctx.params.length) throw new Error('layer count differs from the harness');
      ctx.params.forEach((p, i) => {
        const layer = weightLayers[i];
        // For the dense layer, flatten's input (C×H×W) says how the harness's HWC order maps to ours.
        const W = p.type === 'conv' ? toOihw(p.W, p.shape) : toDenseOutIn(p.W, p.shape, layers[layer.index - 1].input);
        trainer.set_param(`${layer.index}.weight`, W);
        trainer.set_param(`${layer.index}.bias`, p.b);
      });
      labels = Uint32Array.from(data.y);
      const notes = [`${trainer.param_count} parameters; ${(trainer.flops.training / 1e6).toFixed(3)} MFLOP per training example`];
      if (params.profile) notes.push(...profileNotes(trainer, data, ctx.train.batchSize));
      return { backend: `wasm ${build}`, notes };
    },
    trainStep(batch) {
      const loss = trainer.train_step(batch.x, labels.subarray(batch.start, batch.start + batch.size));
      if (++steps === CHECKED_STEPS && params.freeze) trainer.freeze_first(2);
      return loss;
    },
    forward(batch) {
      return trainer.forward(batch.x);
    },
    dispose() {
      trainer?.free();
    },
  };
}

// Per-layer forward and backward times of a training step (mean of 30 passes), as note lines.
function profileNotes(trainer, data, batchSize) {
  const px = data.h * data.w * data.c;
  const x = data.x.subarray(0, batchSize * px);
  const y = Uint32Array.from(data.y.subarray(0, batchSize));
  const rows = trainer.profile(x, y, 30); // on a copy of the layers: the trainer is unchanged
  const total = rows.reduce((s, r) => s + r.forward_ms + r.backward_ms, 0);
  return [`per-layer profile, ms per step of ${batchSize} (mean of 30 passes; forward / backward; share):`, ...rows.map((r) =>
    `  ${String(r.index).padStart(2)} ${r.layer.padEnd(14)} ${r.forward_ms.toFixed(3)} / ${r.backward_ms.toFixed(3)}  ` +
    `${(100 * (r.forward_ms + r.backward_ms) / total).toFixed(0)} %`), `  total ${total.toFixed(3)} ms`];
}
