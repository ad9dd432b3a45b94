//! Where a training step's time goes: every layer's forward and backward pass timed on its own, on a copy of a
//! model's layers (same plan, weights and freezing), so the model itself, its optimizer and its RNG are untouched.
//! The clock is the caller's (`performance.now()` in the browser, `Instant` natively), in any unit. As in the
//! training step, a ReLU below max pooling with disjoint windows runs fused with it: the pair's time is on the
//! pooling's row, and the ReLU's row shows 0.

use crate::error::Result;
use crate::nn::layer::{Kernels, Layer, Wants, relu_fuses_with_pool};
use crate::nn::loss::softmax_cross_entropy;
use crate::nn::model::Model;
use crate::rng::seeded;

/// One layer's mean time per pass, in the clock's unit.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerTime {
    pub index: usize,
    /// The layer as written in the spec (`conv(8_k5_p2)`).
    pub layer: String,
    pub forward: f64,
    /// 0 for layers the backward pass does not reach (below the lowest trainable layer).
    pub backward: f64,
}

/// Runs `reps` training passes (forward, loss, backward as the model would with its freezing; no update) on the
/// batch and returns each layer's mean forward and backward time. The batch is checked as by
/// [`Model::evaluate`] (which runs once on it first, in evaluation mode: it draws nothing).
pub fn profile_step(
    model: &mut Model,
    x: &[f32],
    labels: &[u32],
    n: usize,
    reps: usize,
    clock: &mut dyn FnMut() -> f64,
) -> Result<Vec<LayerTime>> {
    crate::error::check_range("reps", reps as f64, 1.0, 1000.0)?;
    model.evaluate(x, labels, n)?;
    let plans = model.plans().to_vec();
    let mut layers: Vec<Layer> = plans.iter().enumerate().map(|(i, p)| Layer::new(p, i)).collect();
    for layer in &mut layers {
        for p in layer.params_mut().into_iter().flatten() {
            if let Some(src) = model.param(&p.name) {
                p.value.copy_from_slice(&src.value);
                p.trainable = src.trainable;
            }
        }
    }
    let trainable = |l: &Layer| l.params().is_some_and(|[w, _]| w.trainable);
    let lowest = layers.iter().position(trainable);
    let mut acts: Vec<Vec<f32>> =
        std::iter::once(x.to_vec()).chain(plans.iter().map(|p| vec![0.0; n * p.output.len()])).collect();
    let widest = acts.iter().map(Vec::len).max().unwrap_or(0);
    let (mut grad_out, mut grad_in) = (vec![0.0; widest], vec![0.0; widest]);
    let mut kernels = Kernels::default();
    let mut rng = seeded(0);
    let classes = model.classes();
    let mut times = vec![(0.0, 0.0); layers.len()];
    for _ in 0..reps {
        let mut i = 0;
        while i < layers.len() {
            if relu_fuses_with_pool(&layers, i) {
                // As the training step runs them: ReLU and max pooling in one pass, timed on the pooling's row.
                let (below, above) = acts.split_at_mut(i + 2);
                let Layer::MaxPool(pool) = &mut layers[i + 1] else { unreachable!("checked by the fusion") };
                let t = clock();
                pool.relu_max_forward(&below[i], &mut above[0], n);
                times[i + 1].0 += clock() - t;
                i += 2;
                continue;
            }
            let (below, above) = acts.split_at_mut(i + 1);
            let t = clock();
            layers[i].forward(&mut kernels, &below[i], &mut above[0], n, true, &mut rng);
            times[i].0 += clock() - t;
            i += 1;
        }
        let Some(lowest) = lowest else { continue };
        let last = layers.len();
        softmax_cross_entropy(&acts[last], labels, classes, Some(&mut grad_out[..n * classes]));
        let mut i = last;
        while i > lowest {
            i -= 1;
            let (inp, out) = (plans[i].input.len(), plans[i].output.len());
            if i > lowest + 1 && relu_fuses_with_pool(&layers, i - 1) {
                let z = n * plans[i - 1].input.len();
                let Layer::MaxPool(pool) = &layers[i] else { unreachable!("checked by the fusion") };
                let t = clock();
                pool.relu_max_backward(&acts[i - 1][..z], &grad_out[..n * out], &mut grad_in[..z], n);
                times[i].1 += clock() - t;
                std::mem::swap(&mut grad_out, &mut grad_in);
                i -= 1;
                continue;
            }
            let wants = Wants { params: trainable(&layers[i]), input: i > lowest };
            let t = clock();
            layers[i].backward(&mut kernels, &acts[i], &grad_out[..n * out], &mut grad_in[..n * inp], n, wants);
            times[i].1 += clock() - t;
            std::mem::swap(&mut grad_out, &mut grad_in);
        }
    }
    Ok(plans
        .iter()
        .zip(times)
        .enumerate()
        .map(|(index, (p, (f, b)))| LayerTime {
            index,
            layer: p.spec.to_string(),
            forward: f / reps as f64,
            backward: b / reps as f64,
        })
        .collect())
}
