// One cell of the transfer lab, run by a worker (jobs.js kind 'transfer'): a strategy trained on a target, repeated
// with different seeds so that a difference can be told from noise. DOM-free.
//
// config: { model (the target's spec: the zoo model with its head sized for the target), weights (the zoo model's
// safetensors, or null for scratch), data (a Dataset config), strategy, k, opt (the optimizer in the opt= syntax),
// steps, every, batch, repeats, seed,
// layerChange (report ‖ΔW‖/‖W₀‖ per layer), keep (the weights' file name: hand the last repeat's weights and the
// PyTorch code that loads that file back) }.
// Progress: { repeat, step, val_acc, val_loss, work } at step 0, every `every` steps and at the last; the result
// holds every repeat's curve, the final accuracies and what a step costs.

// A strategy starts from the zoo's weights unless it trains from scratch; mean_var re-draws them (Transfusion's "Mean
// Var": each tensor i.i.d. from N(mean, std²) of its pretrained values).
export const STRATEGIES = ['finetune', 'freeze_k', 'head', 'scratch', 'mean_var'];
export const usesPretrained = (strategy) => strategy !== 'scratch';

// Prepares a trainer for a strategy: the zoo's weights (all but the head), the mean-var draw, the freezing.
export function prepare(trainer, c, seed) {
  if (usesPretrained(c.strategy)) trainer.load_backbone(c.weights);
  if (c.strategy === 'mean_var') trainer.reinit_mean_var(seed);
  if (c.strategy === 'freeze_k') trainer.freeze_first(c.k);
  if (c.strategy === 'head') trainer.freeze_all_but_head();
}

export function* transferCell(wasm, c) {
  const data = new wasm.Dataset(c.data);
  let trainer = null;
  try {
    const total = c.repeats * c.steps;
    const curves = [];
    const finals = [];
    const changes = [];
    let cost = null;
    let trainMs = 0;
    let weights = null;
    let code = null;
    for (let r = 0; r < c.repeats; r++) {
      const seed = c.seed + r;
      trainer = new wasm.Trainer({ model: c.model, init: 'he_normal', opt: c.opt, seed });
      prepare(trainer, c, seed);
      const reference = c.layerChange ? trainer.save_safetensors() : null;
      trainer.set_data(data, { batch: c.batch, aug: '', seed });
      cost ??= { trainable: trainer.trainable_param_count, params: trainer.param_count, flops: trainer.flops.training * c.batch };
      const curve = [];
      const measure = (step) => {
        const v = trainer.evaluate_data('val');
        const point = { repeat: r, step, val_acc: v.accuracy, val_loss: v.loss };
        curve.push(point);
        return { ...point, work: { done: r * c.steps + step, total } };
      };
      yield measure(0);
      for (let step = 0; step < c.steps;) {
        const n = Math.min(c.every - (step % c.every), c.steps - step);
        const t0 = performance.now();
        trainer.train(n);
        trainMs += performance.now() - t0;
        step += n;
        yield measure(step);
      }
      finals.push(curve.at(-1).val_acc);
      curves.push(curve);
      if (reference) changes.push(trainer.layer_change(reference));
      if (c.keep && r === c.repeats - 1) {
        weights = trainer.save_safetensors();
        code = trainer.pytorch_code(c.keep);
      }
      trainer.free();
      trainer = null;
    }
    return {
      strategy: c.strategy, curves, finals, ...cost, msPerStep: trainMs / total, steps: c.steps, repeats: c.repeats,
      layerChange: changes.length ? meanChange(changes) : null, weights, code,
    };
  } finally {
    trainer?.free();
    data.free();
  }
}

// The mean over repeats of each layer's relative change.
function meanChange(changes) {
  return changes[0].map((layer, i) => ({ ...layer, rel_change: changes.reduce((s, c) => s + c[i].rel_change, 0) / changes.length }));
}

// Pretraining a zoo model in the page: the manifest entry's recipe (its source set and split, spec, optimizer, seed,
// batch and steps) as the zoo command runs it, so the simd128 build reproduces the shipped file bit for bit. Progress
// every PRETRAIN_CHUNK steps; the result is the weights (safetensors) and the source accuracy.
const PRETRAIN_CHUNK = 20;
export function* pretrainSession(wasm, { entry }) {
  const split = entry.source_split ?? {};
  const data = new wasm.Dataset({ source: 'symbols', ...entry.source, val: split.val, split_seed: split.split_seed });
  let trainer = null;
  try {
    trainer = new wasm.Trainer({ model: entry.model, opt: entry.opt, seed: entry.seed });
    trainer.set_data(data, { batch: entry.batch, aug: '', seed: entry.seed });
    for (let step = 0; step < entry.steps;) {
      const n = Math.min(PRETRAIN_CHUNK, entry.steps - step);
      trainer.train(n);
      step += n;
      yield { step, work: { done: step, total: entry.steps } };
    }
    return { weights: trainer.save_safetensors(), acc: trainer.evaluate_data('val').accuracy };
  } finally {
    trainer?.free();
    data.free();
  }
}
