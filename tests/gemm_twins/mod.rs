//! Shared by tests/kernels_wasm.rs (simd128: bit-identical) and tests/kernels_relaxed.rs (relaxed-simd: within a
//! derived bound): the blocked wasm GEMM and its scalar twin on the same cases, every plan and every epilogue.

use cnn_playground::nn::Activation;
use cnn_playground::nn::kernels::{Bias, Epilogue, Gemm, MR, NR, Plan, Transpose, gemm_t_scalar_with};

/// Deterministic values in [-1, 1), no RNG crate needed.
pub fn fill(len: usize, seed: u32) -> Vec<f32> {
    (0..len as u32)
        .map(|i| ((i.wrapping_mul(2_654_435_761).wrapping_add(seed) >> 8) as f32 / 8_388_608.0) - 1.0)
        .collect()
}

/// One comparison: what was run, the blocked result, the scalar twin's, the number of roundings each element went
/// through (k products and sums, the bias) and each element's magnitude |C₀| + Σ|a·b| + |bias|.
#[allow(dead_code)] // the bit-identical test needs only the results
pub struct Case<'a> {
    pub what: String,
    pub fast: &'a [f32],
    pub slow: &'a [f32],
    pub roundings: usize,
    pub magnitude: &'a [f64],
}

/// Shapes with edges in both directions, k across a KC block, m across an MC block, and skinny shapes like the conv
/// net's (kept small: these tests run unoptimized).
const SHAPES: [(usize, usize, usize); 7] =
    [(1, 1, 1), (3, 7, 5), (MR + 1, 300, NR * 3 + 1), (66, 260, 9), (9, 5, 301), (8, 600, 25), (25, 8, 400)];

/// Calls `check` for every shape, transpose pair, plan and a spread of epilogues.
pub fn each_case(mut check: impl FnMut(Case)) {
    let mut ws = Gemm::new();
    for (s, &(m, k, n)) in SHAPES.iter().enumerate() {
        let (a, b) = (fill(m * k, 1 + s as u32), fill(k * n, 100 + s as u32));
        let (row, col, c0) = (fill(m, 7), fill(n, 8), fill(m * n, 9));
        let epis = [
            Epilogue::default(),
            Epilogue { accumulate: true, bias: Bias::PerRow(&row), activation: Some(Activation::Relu) },
            Epilogue { accumulate: false, bias: Bias::PerCol(&col), activation: None },
        ];
        for ta in [Transpose::No, Transpose::Yes] {
            for tb in [Transpose::No, Transpose::Yes] {
                let at = |i: usize, p: usize| if ta == Transpose::No { a[i * k + p] } else { a[p * m + i] };
                let bt = |p: usize, j: usize| if tb == Transpose::No { b[p * n + j] } else { b[j * k + p] };
                let products: Vec<f64> = (0..m * n)
                    .map(|e| (0..k).map(|p| (at(e / n, p) as f64 * bt(p, e % n) as f64).abs()).sum())
                    .collect();
                for epi in epis {
                    let mut slow = c0.clone();
                    gemm_t_scalar_with(ta, tb, m, k, n, &a, &b, &mut slow, epi);
                    let magnitude: Vec<f64> = (0..m * n)
                        .map(|e| {
                            let start = if epi.accumulate { c0[e].abs() as f64 } else { 0.0 };
                            let bias = match epi.bias {
                                Bias::None => 0.0,
                                Bias::PerRow(r) => r[e / n].abs() as f64,
                                Bias::PerCol(c) => c[e % n].abs() as f64,
                            };
                            start + bias + products[e]
                        })
                        .collect();
                    for plan in Plan::all() {
                        let mut fast = c0.clone();
                        ws.run_planned(plan, ta, tb, m, k, n, &a, &b, &mut fast, epi);
                        check(Case {
                            what: format!("{m}×{k}×{n} {ta:?}/{tb:?} {plan:?} {epi:?}"),
                            fast: &fast,
                            slow: &slow,
                            roundings: k + 1,
                            magnitude: &magnitude,
                        });
                    }
                }
            }
        }
    }
}
