// The transfer lab's numbers as plain data (no DOM, so node tests can use them): means and spreads over repeats and
// the mean curve of a cell. Whether a quadrant agreed with the advice is the core's rule (transfer_verdict).

// Mean and sample standard deviation (n − 1; 0 for one value).
export function meanStd(values) {
  const n = values.length;
  if (!n) return { mean: NaN, std: NaN, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

// The mean validation accuracy per measured step over the repeats that reached it: [{ step, val_acc, val_loss }].
export function meanCurve(curves) {
  const bySteps = new Map();
  for (const curve of curves) {
    for (const p of curve) {
      const e = bySteps.get(p.step) ?? { step: p.step, acc: [], loss: [] };
      e.acc.push(p.val_acc);
      e.loss.push(p.val_loss);
      bySteps.set(p.step, e);
    }
  }
  return [...bySteps.values()].sort((a, b) => a.step - b.step)
    .map((e) => ({ step: e.step, val_acc: meanStd(e.acc).mean, val_loss: meanStd(e.loss).mean }));
}
