// The jobs the compute worker runs (see worker.js): generator functions (wasm, args) that yield progress between
// steps and return the result. A job never touches the DOM.

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

  // Exists for the end-to-end test of the recovery path: a Rust panic must become an error and a fresh worker.
  *self_test_panic(wasm) {
    yield { phase: 'before' };
    wasm.self_test_panic();
  },
};
