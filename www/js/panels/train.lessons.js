// The Train panel's comparisons as data, without the DOM (the node tests run them through the worker's own
// session code): each comparison's arms — what each of its two runs changes in the panel's settings — and the
// numbers that tell a lesson.

// A realistic pipeline for digits (small shifts and rotations) and one that changes labels (a 6 flipped upside down
// or rotated past 90° is a 9).
export const REALISTIC = 'translate~rotate(bilinear)';
export const FLIPPING = 'vflip~rotate(deg180_bilinear)';

export const COMPARISONS = {
  overfit: {
    arms: [
      { id: 'no_aug', patch: () => ({ aug: '' }) },
      { id: 'aug', patch: (s) => ({ aug: s.aug || REALISTIC }) },
    ],
  },
  label_trap: {
    arms: [
      { id: 'realistic', patch: () => ({ aug: REALISTIC }) },
      { id: 'flipping', patch: () => ({ aug: FLIPPING }) },
    ],
  },
};

// 6 ↔ 9 confusions on the validation set (rows: true class) from a finished run's confusion matrix.
export function sixNine(result) {
  const k = result.classes;
  return k > 9 ? result.confusion[6 * k + 9] + result.confusion[9 * k + 6] : 0;
}
