// The Train panel's comparisons as data, without the DOM (the node tests run them through the worker's own
// session code): each comparison's arms — what each of its two runs changes in the panel's settings — and the
// numbers that tell a lesson.

// A realistic pipeline for digits (small shifts and rotations) and one that changes labels (a 6 flipped upside down
// or rotated past 90° is a 9).
export const REALISTIC = 'translate~rotate(bilinear)';
export const FLIPPING = 'vflip~rotate(deg180_bilinear)';

// The initialization race's net: six 3×3 convolutions in three stages (28 → 14 → 7), then a dense head.
export function deepNet(act) {
  const stage = (c) => `conv(${c}_k3_p1)~${act}~conv(${c}_k3_p1)~${act}`;
  return `${stage(8)}~maxpool(2)~${stage(16)}~maxpool(2)~${stage(16)}~maxpool(7)~flatten~dense(10)`;
}
export const RACE_INITS = { small: { init: 'normal', std: 0.01 }, xavier: { init: 'xavier_normal' }, he: { init: 'he_normal' } };

// The spread (standard deviation) of each layer's output for one example: the same net's signal at step 0.
export function layerSpreads(maps) {
  return maps.map((m) => {
    let mean = 0;
    for (const v of m) mean += v;
    mean /= m.length || 1;
    let sq = 0;
    for (const v of m) sq += (v - mean) ** 2;
    return Math.sqrt(sq / (m.length || 1));
  });
}

export const COMPARISONS = {
  overfit: {
    arms: [
      { id: 'no_aug', patch: () => ({ aug: '' }) },
      { id: 'aug', patch: (s) => ({ aug: s.aug || REALISTIC }) },
    ],
  },
  // The same 6-conv-layer net with tanh and with ReLU, from N(0, 0.01²), Xavier and He, without augmentation.
  init_race: {
    arms: ['tanh', 'relu'].flatMap((act) => Object.entries(RACE_INITS).map(([init, setting]) => ({
      id: `${init}_${act}`, act, init,
      patch: () => ({ model: deepNet(act), aug: '', mode: 'fan_in', nonlinearity: 'auto', dist: 'normal', ...setting }),
    }))),
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

// The validation images a finished run took a 6 for a 9 or a 9 for a 6, among the misclassified examples its result
// carries (their images in order; input = [height, width, …] of the run's info): { values (Float32Array), count, h, w }.
export function sixNineImages(result, input) {
  const [h, w] = input;
  const size = h * w;
  const picked = [];
  result.misclassified.forEach((m, i) => {
    if ((m.label === 6 && m.predicted === 9) || (m.label === 9 && m.predicted === 6)) picked.push(i);
  });
  const values = new Float32Array(picked.length * size);
  picked.forEach((i, j) => values.set(result.images.subarray(i * size, (i + 1) * size), j * size));
  return { values, count: picked.length, h, w };
}
