// URL parameters of the data augmentation studio. Lists and limits marked `core` come from the wasm core (see
// init.params.js).

export const PARAMS = {
  // The pipeline in the syntax of src/spec.rs, which the core checks (a rejected pipeline falls back like any other
  // value); here only its alphabet and length (both the core's) are checked.
  aug: {
    type: 'string', core: 'aug_length',
    default: 'translate~rotate(bilinear)~jitter(b0.3_c0.3)~noise(sigma0.03)', panels: ['augment', 'train'],
    // The Train panel starts from a realistic pipeline for digits: small shifts and rotations.
    byPanel: { train: 'translate~rotate(bilinear)' },
  },
  // The core's built-in samples, then `own`: the person's own image, which is not part of the link.
  src: { type: 'enum', core: 'src', after: ['own'], default: 'digit6', panels: ['augment'] },
  n: { type: 'int', core: 'n', default: 16, panels: ['augment'] },
};
