// URL parameters of the Train panel (named apart from the probe's depth/width/batch). It also uses the initializer
// group of init.params.js (for its model), `aug` of augment.params.js (applied to training batches) and `seed`. Lists
// and limits marked `core` come from the wasm core (see init.params.js); the core checks the spec, the optimizer and
// the data further (src/nn/spec.rs: 32 layers, 4,000,000 parameters). A `core` string takes its length limit and its
// alphabet (the step grammar's, src/spec.rs) from the core.

export const PARAMS = {
  // One run, or a comparison of two runs that differ in one thing (www/js/panels/train/compare.js).
  view: { type: 'enum', values: ['single', 'overfit', 'init_race', 'label_trap'], default: 'single', panels: ['train'] },
  data: { type: 'enum', core: 'data', default: 'digits', panels: ['train'] },
  per_class: { type: 'int', core: 'per_class', default: 20, panels: ['train'] },
  model: {
    type: 'string', core: 'model_length', panels: ['train'],
    default: 'conv(8_k5_p2)~relu~maxpool(2)~conv(16_k5_p2)~relu~maxpool(3)~flatten~dense(10)',
  },
  opt: { type: 'enum', core: 'opt', default: 'sgd', panels: ['train'] },
  lr: { type: 'float', core: 'lr', default: 0.01, panels: ['train'] },
  momentum: { type: 'float', core: 'momentum', default: 0.9, panels: ['train'] },
  wd: { type: 'float', core: 'wd', default: 0, panels: ['train'] },
  bs: { type: 'int', core: 'bs', default: 32, panels: ['train'] },
  epochs: { type: 'int', core: 'epochs', default: 30, panels: ['train'] },
  example: { type: 'int', core: 'example', default: 0, panels: ['train'] },
};
