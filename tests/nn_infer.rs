//! The inference path against the layer-by-layer evaluation pass, natively (tests/infer_twins): the same bits.

mod infer_twins;

use cnn_playground::nn::model::{Model, ModelConfig};

#[test]
fn infer_is_bit_identical_to_forward() {
    let mut cases = 0;
    infer_twins::each_case(|what, fast, slow| {
        assert_eq!(fast.len(), slow.len(), "{what}");
        for (i, (a, b)) in fast.iter().zip(slow).enumerate() {
            assert!(a.to_bits() == b.to_bits(), "{what} [{i}]: infer {a}, forward {b}");
        }
        cases += 1;
    });
    assert_eq!(cases, infer_twins::NETS.len() * 3);
}

/// `evaluate` runs on the inference path: its loss and accuracy are those of `forward`'s logits.
#[test]
fn evaluate_agrees_with_forward_logits() {
    let mut m = Model::new(ModelConfig::default()).unwrap();
    let n = 130; // more than one evaluation batch
    let x = infer_twins::inputs(n * 784, 5);
    let y: Vec<u32> = (0..n as u32).map(|i| (i * 7) % 10).collect();
    let eval = m.evaluate(&x, &y, n).unwrap();
    let logits = m.forward(&x, n).unwrap().to_vec();
    let correct = logits
        .chunks_exact(10)
        .zip(&y)
        .filter(|(row, l)| {
            let best = row.iter().enumerate().fold(0, |b, (i, v)| if *v > row[b] { i } else { b });
            best == **l as usize
        })
        .count();
    assert_eq!(eval.correct, correct);
    let loss: f64 = logits
        .chunks_exact(10)
        .zip(&y)
        .map(|(row, &l)| {
            let m = row.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b)) as f64;
            let z: f64 = row.iter().map(|&v| (v as f64 - m).exp()).sum();
            m + z.ln() - row[l as usize] as f64
        })
        .sum::<f64>()
        / n as f64;
    assert!((eval.loss - loss).abs() <= 1e-6 * loss.abs().max(1.0), "evaluate {} vs {}", eval.loss, loss);
}
