// The numbers of a training run's curves, without the DOM (the panel, its comparisons and the node tests share them).

// The rows of the train-curves table from a run's items: step 0 and every VAL_EVERY steps.
export function curveRows(items) {
  return items.flatMap((p) => [p.before, p.look]).filter(Boolean).map((look) => ({
    step: look.step, train_loss: look.train.loss, train_acc: look.train.accuracy, val_loss: look.val.loss, val_acc: look.val.accuracy,
  }));
}

// The numbers a lesson is told in: the last train–validation accuracy gap, the best validation accuracy (and
// where), the first step at or above a target validation accuracy.
export const TARGET_ACC = 0.9;
export function curveFacts(rows) {
  if (!rows.length) return null;
  const last = rows.at(-1);
  const best = rows.reduce((a, b) => (b.val_acc > a.val_acc ? b : a));
  const reached = rows.find((r) => r.val_acc >= TARGET_ACC);
  return { gap: last.train_acc - last.val_acc, best: best.val_acc, bestStep: best.step, toTarget: reached ? reached.step : null, last };
}

