// The kinds of session the compute worker runs (see worker.js). A kind is
//   { stateless, unit, open(wasm, config) → session }
// and a session is an iterator: next() takes one step and returns { value: progress, done: false } or
// { value: result, done: true }; return() frees what it holds; an optional snapshot() returns its state as a
// structured-clonable value. A generator function is the shortest way to write one. A progress value may carry
// work: { done, total } (cumulative, in the kind's unit: 'flop', 'tile', 'example', 'step') for the rate and the
// time left.
// stateless: the session's work can be thrown away and recomputed from its config (the probe, a grid), so a worker
// that only ran stateless sessions may be replaced to give its memory back. A training run is not stateless.
// A session never touches the DOM.

import { pretrainSession, transferCell } from './transfer-session.js';

let augmentView = null;

// The live curves measure every VAL_EVERY steps (and at step 0) on a fixed, seeded subset of at most MEASURE_N
// training images (un-augmented) and MEASURE_N validation images; the last step measures all of them. Measuring every
// image every 10 steps cost about two thirds of a run's time (BENCHMARKS.md, "Train panel").
export const VAL_EVERY = 10;
export const MEASURE_N = 200;
// At most this many misclassified validation examples travel back for the gallery.
const MISCLASSIFIED_MAX = 32;
const PREDICT_CHUNK = 100;
// A training loss above DIVERGED_FACTOR × ln(classes) (or NaN, or infinite) stops a run as diverged.
export const DIVERGED_FACTOR = 10;

// The Dataset and Trainer configs of a training run's settings (the URL's names → the facade's keys).
export function trainerConfig(c) {
  const optimizer = c.opt === 'adam' ? `adam(lr${c.lr}_wd${c.wd})` : `sgd(lr${c.lr}_m${c.momentum}_wd${c.wd})`;
  // Every initializer setting: the core's scheme reads those it uses (Scheme::uses_std, …) and ignores the others.
  const init = { init: c.init, mode: c.mode, nonlinearity: c.nonlinearity, slope: c.slope, dist: c.dist, std: c.std, a: c.a };
  return { model: c.model, ...init, opt: optimizer.replace(/e\+/g, 'e'), seed: c.seed };
}

export function datasetConfig(c, bytes) {
  return c.data === 'digits'
    ? { source: 'digits', bytes, train_per_class: c.per_class }
    : { source: 'symbols', seed: c.seed, classes: 10, per_class: 100, train_per_class: c.per_class };
}

// The facade's names for the URL's: an error about 'batch' is about bs, one about 'train_per_class' about per_class.
export const PARAM_OF = { batch: 'bs', train_per_class: 'per_class', steps: 'epochs', opt: 'lr', source: 'data' };

// A training session: the generator below takes the steps; this wrapper owns the Trainer and the Dataset (freed once,
// whether the run finishes, fails or is closed before its first step) and adds snapshot() (the weights as
// safetensors, between two steps) and load(bytes) (all-or-nothing weights from a safetensors file of this spec;
// returns the validation set's { loss, accuracy, correct, n } with them).
function openTraining(wasm, c) {
  const data = new wasm.Dataset(datasetConfig(c, c.bytes));
  let trainer = null;
  try {
    trainer = new wasm.Trainer(trainerConfig(c));
    trainer.set_data(data, { batch: c.bs, aug: c.aug, seed: c.seed });
  } catch (e) {
    trainer?.free();
    data.free();
    throw e;
  }
  const steps = trainingSteps(c, data, trainer);
  let freed = false;
  const free = () => {
    if (freed) return;
    freed = true;
    trainer.free();
    data.free();
  };
  return {
    next() {
      const r = steps.next();
      if (r.done) {
        r.value.weights = r.value.diverged ? null : trainer.save_safetensors(); // a finished run's weights go with it
        free();
      }
      return r;
    },
    return() {
      steps.return();
      free();
      return { done: true, value: undefined };
    },
    snapshot: () => ({ steps: trainer.steps, weights: trainer.save_safetensors() }),
    load(bytes) {
      trainer.load_safetensors(bytes);
      return { val: trainer.evaluate_data('val') };
    },
  };
}

// A fixed subset of a part's indices: at most n, drawn without replacement by a seeded xorshift32, ascending.
export function measureSubset(indices, n, seed) {
  const idx = Array.from(indices);
  let r = ((seed * 2654435761) >>> 0) || 1;
  for (let i = idx.length - 1; i > 0; i--) {
    r ^= r << 13; r >>>= 0; r ^= r >>> 17; r ^= r << 5; r >>>= 0;
    const j = r % (i + 1);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return Uint32Array.from(idx.slice(0, n)).sort();
}

function* trainingSteps(c, data, trainer) {
  const total = Math.max(1, Math.ceil((c.epochs * data.train_len) / c.bs));
  const valIdx = data.indices('val');
  const example = valIdx[Math.min(c.example, valIdx.length - 1)];
  const exampleX = data.images(Uint32Array.of(example));
  const layers = trainer.layers();
  const firstConv = trainer.params().find((p) => p.shape.length === 4);
  // The live measurements' subsets, gathered once (seeded by the run's seed: the same run measures the same images).
  const subset = (part, salt) => {
    const idx = measureSubset(data.indices(part), MEASURE_N, c.seed + salt);
    return { x: data.images(idx), y: data.labels(idx) };
  };
  const few = { train: subset('train', 1), val: subset('val', 2) };
  const look = (step, all = false) => ({
    train: all ? trainer.evaluate_data('train') : trainer.evaluate(few.train.x, few.train.y),
    val: all ? trainer.evaluate_data('val') : trainer.evaluate(few.val.x, few.val.y),
    all,
    filters: firstConv ? trainer.param(firstConv.name) : null,
    maps: trainer.layer_outputs(exampleX),
    step,
  });
  const info = {
    total, layers, classes: data.classes, trainLen: data.train_len, valLen: data.val_len, example,
    exampleLabel: data.labels(Uint32Array.of(example))[0], exampleImage: exampleX, input: trainer.input,
    filterShape: firstConv?.shape ?? null, params: trainer.param_count, every: VAL_EVERY,
    measured: { train: few.train.y.length, val: few.val.y.length },
  };
  // A loss this many times that of a uniform guess (ln classes) counts as diverged, like NaN and infinity: a
  // softmax cross-entropy computed stably rarely overflows, it climbs and stays high instead.
  const limit = DIVERGED_FACTOR * Math.log(trainer.classes);
  for (let step = 1; step <= total; step++) {
    // The first step also carries what the run is and the measurement before any training (step 0).
    const first = step === 1 ? { info, before: look(0) } : {};
    const loss = trainer.train(1)[0];
    if (!(loss <= limit)) return { diverged: { step, loss: loss.toPrecision(3), limit: limit.toPrecision(3) }, ...first };
    const item = { ...first, step, loss, work: { done: step * c.bs, total: total * c.bs } };
    if (step === total) item.look = look(step, true);
    else if (step % VAL_EVERY === 0) item.look = look(step);
    yield item;
  }
  // The end: predictions on the validation set for the confusion matrix and the gallery of mistakes.
  // Predictions in chunks: a batch's stored activations are bounded (src/nn/spec.rs), and a deep net's are large.
  const k = trainer.classes;
  const logits = new Float32Array(valIdx.length * k);
  for (let i = 0; i < valIdx.length; i += PREDICT_CHUNK) {
    logits.set(trainer.forward(data.images(valIdx.subarray(i, i + PREDICT_CHUNK))), i * k);
  }
  const labels = data.labels(valIdx);
  const confusion = new Uint32Array(k * k);
  const wrong = [];
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (logits[i * k + j] > logits[i * k + best]) best = j;
    confusion[labels[i] * k + best]++;
    if (best !== labels[i]) wrong.push({ index: valIdx[i], label: labels[i], predicted: best });
  }
  const shown = wrong.slice(0, MISCLASSIFIED_MAX);
  return {
    confusion, classes: k, misclassified: shown, wrongCount: wrong.length,
    images: data.images(Uint32Array.from(shown, (w) => w.index)),
  };
}

export const KINDS = {
  // The vanishing/exploding-signals probe: one { phase: 'forward', … } per layer, then one { phase: 'backward', … }
  // per layer from the last to the first; work counts floating-point operations. The session holds the probe's
  // activations in wasm memory, so a paused probe resumes exactly where it stopped.
  probe: {
    stateless: true,
    unit: 'flop',
    *open(wasm, a) {
      const run = new wasm.ProbeRun(a.depth, a.width, a.batch, a.act, a.init, a.mode, a.nonlinearity, a.slope, a.dist, a.std, a.a, a.seed);
      try {
        const flops = { forward: run.forward_flops, backward: run.backward_flops };
        const work = (fwd, bwd) => ({ done: (flops.forward * fwd + flops.backward * bwd) / a.depth, total: flops.forward + flops.backward });
        const t0 = performance.now();
        for (let f = run.forward_layer(); f; f = run.forward_layer()) yield { phase: 'forward', ...f, work: work(f.layer, 0) };
        const t1 = performance.now();
        for (let b = run.backward_layer(); b; b = run.backward_layer()) yield { phase: 'backward', ...b, work: work(a.depth, a.depth - b.layer + 1) };
        const t2 = performance.now();
        return { flops, forward_ms: t1 - t0, backward_ms: t2 - t1 };
      } finally {
        run.free();
      }
    },
  },

  // A grid of augmented samples: the pipeline on a built-in sample or on the person's image ({ rgba, width, height }).
  // One step; the grid's RGBA bytes travel back without a copy. The view lives as long as the worker, so a built-in
  // sample is drawn once, not once per grid.
  augment: {
    stateless: true,
    unit: 'tile',
    *open(wasm, a) {
      augmentView ??= new wasm.AugmentView();
      const view = augmentView;
      if (a.image) view.set_image(a.image.rgba, a.image.width, a.image.height);
      else view.set_sample(a.src);
      view.set_pipeline(a.aug);
      view.generate(a.n, a.seed);
      return {
        grid: view.grid_rgba(), width: view.grid_width, height: view.grid_height,
        columns: view.columns, tileWidth: view.tile_width, tileHeight: view.tile_height, gap: view.gap,
        fired: view.fired(), tileRisks: view.tile_risks(), risks: view.risks(a.lang),
        torch: view.torchvision_code(), album: view.albumentations_code(),
      };
    },
  },

  // Run by a replacement worker before any real run (see runs.js): a small probe, enough for the engine to optimise
  // the GEMM kernels, so the next large layer does not run in unoptimised code.
  warm_up: {
    stateless: true,
    unit: 'flop',
    *open(wasm) {
      const run = new wasm.ProbeRun(2, 256, 256, 'tanh', 'xavier_normal', 'fan_in', 'auto', 0.01, 'normal', 0.01, 0.05, 1);
      try {
        while (run.forward_layer()) yield {};
        while (run.backward_layer()) yield {};
        return null;
      } finally {
        run.free();
      }
    },
  },

  // A training run (the Train panel): a Trainer and its Dataset live in the worker for the run's lifetime. One step
  // is one batch; every VAL_EVERY steps (and at step 0) the step also measures loss and accuracy on the fixed subsets
  // (MEASURE_N un-augmented training images, MEASURE_N validation images), the last step on all images, and sends
  // the first layer's filters and one validation example's activation maps. A loss that is not finite ends the run
  // ({ diverged }); the result holds the confusion matrix, the misclassified validation examples and the weights
  // (safetensors). snapshot() → { steps, weights }; load(bytes) → { val }. work counts training examples.
  train: {
    stateless: false,
    unit: 'example',
    open: openTraining,
  },

  // A cell of the transfer lab (www/js/transfer-session.js): one strategy on one target, repeated with different
  // seeds; a step is up to one validation interval of training steps and a measurement. work counts training steps.
  transfer: {
    stateless: false,
    unit: 'step',
    open: transferCell,
  },

  // A zoo model pretrained in the page (www/js/transfer-session.js): its manifest entry's recipe; work counts steps.
  pretrain: {
    stateless: false,
    unit: 'step',
    open: pretrainSession,
  },

  // Exists for the end-to-end test of the recovery path: a Rust panic must become an error and a fresh worker.
  self_test_panic: {
    stateless: true,
    *open(wasm) {
      yield { phase: 'before' };
      wasm.self_test_panic();
    },
  },

  // Exists for the end-to-end tests of the session protocol: a stateful session in the shape a training run takes
  // (state that only moves forward, a snapshot, a restore from a snapshot), small enough to check by hand. Each step
  // draws from a seeded xorshift32 and adds the draw to a running sum.
  self_test_walk: {
    stateless: false,
    unit: 'step',
    open(wasm, { seed = 1, steps = 10, from = null }) {
      let state = from ? { ...from } : { step: 0, x: 0, rng: (seed >>> 0) || 1 };
      return {
        next() {
          if (state.step >= steps) return { value: { ...state }, done: true };
          let r = state.rng;
          r ^= r << 13; r >>>= 0; r ^= r >>> 17; r ^= r << 5; r >>>= 0;
          state = { step: state.step + 1, x: state.x + (r % 1000), rng: r };
          return { value: { ...state, work: { done: state.step, total: steps } }, done: false };
        },
        snapshot: () => ({ ...state }),
        return() { state = null; return { done: true }; },
      };
    },
  },
};
