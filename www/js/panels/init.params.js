// URL parameters of the weight-initialization panel, and the initializer group it shares with the signal panel
// (the same names mean the same thing in both). `core` names the list or limit that comes from the wasm core
// (core_catalog, applied by state.configure when the page starts): the page does not re-type what the core owns.

const INITIALIZER_PANELS = ['init', 'signal', 'train'];

export const PARAMS = {
  init: { type: 'enum', core: 'init', default: 'he_normal', byPanel: { signal: 'xavier_normal' }, panels: INITIALIZER_PANELS },
  // Deeper checks of the shape (dimension and size limits) are the core's; a rejected shape falls back the same way.
  shape: { type: 'string', pattern: /^\d{1,9}(x\d{1,9}){1,4}$/, maxLength: 64, default: '256x784', panels: ['init'] },
  mode: { type: 'enum', core: 'mode', default: 'fan_in', panels: INITIALIZER_PANELS },
  // `auto` is the page's word for "the scheme's own default" (ReLU for He, linear otherwise).
  nonlinearity: { type: 'enum', core: 'nonlinearity', before: ['auto'], default: 'auto', panels: INITIALIZER_PANELS },
  slope: { type: 'float', core: 'slope', default: 0.01, panels: INITIALIZER_PANELS },
  dist: { type: 'enum', core: 'dist', default: 'normal', panels: INITIALIZER_PANELS },
  std: { type: 'float', core: 'std', default: 0.01, panels: INITIALIZER_PANELS },
  a: { type: 'float', core: 'a', default: 0.05, panels: INITIALIZER_PANELS },
  samples: { type: 'int', core: 'samples', default: 100_000, panels: ['init'] },
};
