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

let augmentView = null;
let augmentSource = null; // what the view holds: 'sample:NAME' or 'own:SERIAL' (an own image with its serial), or null
let augmentAdvice = null; // { key, risks, torch, album } for the last source, pipeline and language

// A run hosted by the core: a wasm Session (src/web/session.rs over src/run/) takes the steps, measures, checks for
// divergence and writes the result; this only turns it into the iterator the worker steps, and frees it once (when
// the run finishes, or is closed or fails: the worker then calls return()). `extra` adds the kind's requests.
function hosted(session, extra = {}) {
  let freed = false;
  const free = () => {
    if (freed) return;
    freed = true;
    session.free();
  };
  return {
    next() {
      const r = session.step();
      if (r.done) free();
      return r;
    },
    return() {
      free();
      return { done: true, value: undefined };
    },
    ...extra,
  };
}

// A training run: the Train panel's settings by their URL names (the run's own, as the core lists them: a whole page
// state may be passed), and the digits' bytes beside them.
let trainKeys = null;
function openTraining(wasm, config) {
  trainKeys ??= wasm.core_catalog().run_settings.train;
  const settings = Object.fromEntries(trainKeys.filter((k) => k in config).map((k) => [k, config[k]]));
  const session = new wasm.Session('train', settings, config.bytes);
  return hosted(session, {
    snapshot: () => session.snapshot(),
    load: (weights) => session.load(weights),
  });
}

export const KINDS = {
  // The vanishing/exploding-signals probe: one { phase: 'forward', … } per layer (the last with flush: true), then one
  // { phase: 'backward', … } per layer from the last to the first; work counts floating-point operations. The session holds the probe's
  // activations in wasm memory, so a paused probe resumes exactly where it stopped.
  probe: {
    stateless: true,
    unit: 'flop',
    *open(wasm, a) {
      const run = new wasm.ProbeRun({ depth: a.depth, width: a.width, batch: a.batch, act: a.act, init: a.init, mode: a.mode, nonlinearity: a.nonlinearity, slope: a.slope, dist: a.dist, std: a.std, a: a.a, seed: a.seed, norm: a.norm });
      try {
        const flops = { forward: run.forward_flops, backward: run.backward_flops };
        const work = (fwd, bwd) => ({ done: (flops.forward * fwd + flops.backward * bwd) / a.depth, total: flops.forward + flops.backward });
        const t0 = performance.now();
        // The last forward layer ends a phase the page waits for (all forward, the charts complete): it is posted
        // at once (flush), not held for the next step's message.
        for (let f = run.forward_layer(); f; f = run.forward_layer()) {
          yield { phase: 'forward', ...f, work: work(f.layer, 0), ...(f.layer === a.depth ? { flush: true } : {}) };
        }
        const t1 = performance.now();
        for (let b = run.backward_layer(); b; b = run.backward_layer()) yield { phase: 'backward', ...b, work: work(a.depth, a.depth - b.layer + 1) };
        const t2 = performance.now();
        return { flops, forward_ms: t1 - t0, backward_ms: t2 - t1 };
      } finally {
        run.free();
      }
    },
  },

  // A grid of augmented samples: the pipeline on a built-in sample or on the person's image ({ rgba, width, height,
  // serial }: serial names that image for the page's lifetime). One step; the grid's RGBA bytes travel back without a
  // copy. The view lives as long as the worker, so a built-in sample is drawn once, not once per grid, and an own
  // image with a serial is converted once. result.timing: when each part ended (bench/augment-page.mjs).
  augment: {
    stateless: true,
    unit: 'tile',
    *open(wasm, a) {
      // When each part ended (ms since the epoch, comparable with the page's clock): bench/augment-page.mjs.
      const now = () => performance.timeOrigin + performance.now();
      const timing = { start: now() };
      augmentView ??= new wasm.AugmentView();
      const view = augmentView;
      // An own image that carries a serial and is the one the view holds is not converted again (a new seed).
      const source = a.image ? (a.image.serial === undefined ? null : `own:${a.image.serial}`) : `sample:${a.src}`;
      if (source === null || source !== augmentSource) {
        augmentSource = null;
        if (a.image) view.set_image(a.image.rgba, a.image.width, a.image.height);
        else view.set_sample(a.src);
        augmentSource = source;
      }
      view.set_pipeline(a.aug);
      timing.ready = now();
      view.generate(a.n, a.seed);
      timing.generated = now();
      const grid = view.grid_rgba();
      timing.drawn = now();
      // The warnings and the code depend on the source, the pipeline and the language, not on the seed.
      const adviceKey = source && `${source}|${view.pipeline()}|${a.lang}`;
      if (!adviceKey || augmentAdvice?.key !== adviceKey) {
        augmentAdvice = { key: adviceKey, risks: view.risks(a.lang), torch: view.torchvision_code(), album: view.albumentations_code() };
      }
      const { risks, torch, album } = augmentAdvice;
      const result = {
        grid, width: view.grid_width, height: view.grid_height,
        columns: view.columns, tileWidth: view.tile_width, tileHeight: view.tile_height, gap: view.gap,
        fired: view.fired(), tileRisks: view.tile_risks(), risks, torch, album, timing,
      };
      timing.end = now();
      return result;
    },
  },

  // Run by a replacement worker before any real run (see runs.js): a small probe, enough for the engine to optimise
  // the GEMM kernels, so the next large layer does not run in unoptimised code.
  warm_up: {
    stateless: true,
    unit: 'flop',
    *open(wasm) {
      const run = new wasm.ProbeRun({ depth: 2, width: 256, batch: 256, act: 'tanh', init: 'xavier_normal', seed: 1 });
      try {
        while (run.forward_layer()) yield {};
        while (run.backward_layer()) yield {};
        return null;
      } finally {
        run.free();
      }
    },
  },

  // A training run (the Train panel; src/run/train.rs): one step is one batch; every 10 steps (and at step 0) it also
  // measures loss and accuracy on fixed subsets of 200 un-augmented training and 200 validation images (the last step
  // on all), with the first layer's filters and one validation example's activation maps. A diverged loss ends the
  // run ({ diverged }); the result holds the confusion matrix, the misclassified validation examples and the weights
  // (safetensors). snapshot() → { steps, weights }; load(bytes) → { val }. work counts training examples.
  train: {
    stateless: false,
    unit: 'example',
    open: openTraining,
  },

  // A cell of the transfer lab (src/run/transfer.rs): one strategy on one target, repeated with different seeds; a
  // step is up to one validation interval of training steps and a measurement. work counts training steps.
  transfer: {
    stateless: false,
    unit: 'step',
    open: (wasm, config) => hosted(new wasm.Session('transfer', config)),
  },

  // A zoo model pretrained in the page ({ zoo: name }) as `make zoo` pretrains it (src/run/transfer.rs); work counts
  // steps.
  pretrain: {
    stateless: false,
    unit: 'step',
    open: (wasm, config) => hosted(new wasm.Session('pretrain', config)),
  },

  // The drawing pad (src/web/draw.rs DrawModel, src/draw.rs): a model that takes no steps and answers requests: predict
  // ({ coords, lengths } a drawing, or { example } a validation image) → { digit, input, probs, top, maps, label };
  // load(weights) replaces its weights; snapshot() describes it: { labels (the validation images'), layers, input }.
  draw: {
    stateless: true,
    open(wasm, config) {
      const model = new wasm.DrawModel(config);
      let freed = false;
      const free = () => { if (!freed) { freed = true; model.free(); } };
      return {
        next() { free(); return { done: true, value: null }; },
        return() { free(); return { done: true, value: undefined }; },
        load: (weights) => model.load(weights),
        predict: (q) => ('example' in q ? model.predict_example(q.example) : model.predict(q.coords, q.lengths)),
        snapshot: () => ({ labels: model.example_labels(), layers: model.layers, input: model.input }),
      };
    },
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
