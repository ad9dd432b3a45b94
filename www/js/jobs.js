// The jobs the compute worker runs (see worker.js): generator functions (wasm, args) that yield progress between
// steps and return the result. A job never touches the DOM.

let augmentView = null;

export const JOBS = {
  // The vanishing/exploding-signals probe: one { phase: 'forward', … } per layer, then one { phase: 'backward', … }
  // per layer from the last to the first. Each yield is a point where the job can be cancelled.
  *probe(wasm, a) {
    const run = new wasm.ProbeRun(a.depth, a.width, a.batch, a.act, a.init, a.mode, a.nonlinearity, a.slope, a.dist, a.std, a.a, a.seed);
    try {
      const flops = { forward: run.forward_flops, backward: run.backward_flops };
      const t0 = performance.now();
      for (let f = run.forward_layer(); f; f = run.forward_layer()) yield { phase: 'forward', ...f };
      const t1 = performance.now();
      for (let b = run.backward_layer(); b; b = run.backward_layer()) yield { phase: 'backward', ...b };
      const t2 = performance.now();
      return { flops, forward_ms: t1 - t0, backward_ms: t2 - t1 };
    } finally {
      run.free();
    }
  },

  // A grid of augmented samples: the pipeline on a built-in sample or on the person's image ({ rgba, width, height }).
  // One step; the grid's RGBA bytes travel back without a copy. The view lives as long as the worker, so a built-in
  // sample is drawn once, not once per grid.
  *augment(wasm, a) {
    augmentView ??= new wasm.AugmentView();
    const view = augmentView;
    if (a.image) view.set_image(a.image.rgba, a.image.width, a.image.height);
    else view.set_sample(a.src);
    view.set_pipeline(a.aug);
    view.generate(a.n, a.seed);
    return {
      grid: view.grid_rgba(), width: view.grid_width, height: view.grid_height,
      columns: view.columns, tileWidth: view.tile_width, tileHeight: view.tile_height,
      fired: view.fired(), risks: view.risks(a.lang), torch: view.torchvision_code(), album: view.albumentations_code(),
    };
  },

  // Exists for the end-to-end test of the recovery path: a Rust panic must become an error and a fresh worker.
  *self_test_panic(wasm) {
    yield { phase: 'before' };
    wasm.self_test_panic();
  },
};
