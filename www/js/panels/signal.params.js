// URL parameters of the vanishing/exploding-signals panel's probe network (it also uses the initializer group of
// init.params.js). Lists and limits marked `core` come from the wasm core (see init.params.js).

export const PARAMS = {
  act: { type: 'enum', core: 'act', default: 'tanh', panels: ['signal'] },
  depth: { type: 'int', core: 'depth', default: 10, panels: ['signal'] },
  width: { type: 'int', core: 'width', default: 500, panels: ['signal'] },
  batch: { type: 'int', core: 'batch', default: 500, panels: ['signal'] },
  // BatchNorm per feature over the batch before each activation (the core's list: ProbeNorm), or none.
  norm: { type: 'enum', core: 'norm', default: 'none', panels: ['signal'] },
};
