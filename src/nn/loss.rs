//! Softmax cross-entropy, the mean over the batch (PyTorch's `nn.CrossEntropyLoss()` on logits).

/// The mean over `labels.len()` examples of `−log softmax(z)[label]`, with `logits` n × classes (row-major);
/// writes dLoss/dlogits = (softmax(z) − onehot(label)) / n into `grad` when given. Labels must be below `classes`
/// (the model checks them). Each row is shifted by its maximum first, so large logits do not overflow; the loss is
/// summed in f64, with `exp` and `log` from the `libm` crate (the same bits natively and in wasm).
pub fn softmax_cross_entropy(logits: &[f32], labels: &[u32], classes: usize, grad: Option<&mut [f32]>) -> f64 {
    let n = labels.len();
    let mut total = 0.0f64;
    let mut grad = grad;
    for (e, (row, &label)) in logits.chunks_exact(classes).zip(labels).enumerate() {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f64 = row.iter().map(|&z| libm::exp((z - max) as f64)).sum();
        total += libm::log(sum) - (row[label as usize] - max) as f64;
        if let Some(g) = grad.as_deref_mut() {
            let scale = 1.0 / (sum * n as f64);
            for (j, (gj, &z)) in g[e * classes..][..classes].iter_mut().zip(row).enumerate() {
                let p = libm::exp((z - max) as f64) * scale;
                *gj = (p - if j == label as usize { 1.0 / n as f64 } else { 0.0 }) as f32;
            }
        }
    }
    total / n as f64
}

/// The class probabilities of one row of logits, softmax(z) in f64: shifted by the row's maximum (no overflow),
/// `exp` from the `libm` crate as in [`softmax_cross_entropy`]. They sum to 1 within rounding.
pub fn softmax(row: &[f32]) -> Vec<f64> {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f64> = row.iter().map(|&z| libm::exp((z - max) as f64)).collect();
    let sum: f64 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// The index of the largest logit of each row (the first on a tie).
pub fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (j, &z) in row.iter().enumerate() {
        if z > row[best] {
            best = j;
        }
    }
    best
}
