//! The blocked GEMM against its plain-loop twin (bit for bit) and an f64 triple loop, on odd shapes, the conv net's
//! shapes, every transpose, every path of the plan, and every epilogue.

use cnn_playground::nn::Activation;
use cnn_playground::nn::kernels::{
    Bias, Epilogue, Gemm, MR, NR, Plan, Transpose, gemm, gemm_scalar, gemm_t, gemm_t_scalar, gemm_t_scalar_with,
    gemm_t_with, relu,
};
use cnn_playground::rng::seeded;
use rand_distr::{Distribution, StandardNormal};

const T: [Transpose; 2] = [Transpose::No, Transpose::Yes];

fn random(len: usize, seed: u64) -> Vec<f32> {
    let mut rng = seeded(seed);
    (0..len).map(|_| StandardNormal.sample(&mut rng)).collect()
}

/// op(X)(r, c) for X stored with the shape of op(X) = rows × cols.
fn at(x: &[f32], t: Transpose, rows: usize, cols: usize, r: usize, c: usize) -> f64 {
    (match t {
        Transpose::No => x[r * cols + c],
        Transpose::Yes => x[c * rows + r],
    }) as f64
}

/// The exact product (f64) and, per element, Σ|a||b|, which bounds the f32 rounding error.
fn reference(ta: Transpose, tb: Transpose, m: usize, k: usize, n: usize, a: &[f32], b: &[f32]) -> (Vec<f64>, Vec<f64>) {
    let mut c = vec![0.0; m * n];
    let mut mag = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            for p in 0..k {
                let x = at(a, ta, m, k, i, p) * at(b, tb, k, n, p, j);
                c[i * n + j] += x;
                mag[i * n + j] += x.abs();
            }
        }
    }
    (c, mag)
}

/// Any summation order of k f32 products errs by at most about k·u·Σ|a||b| (u = 2⁻²⁴, the unit roundoff);
/// allow 2k·u = k · f32::EPSILON.
fn assert_close(what: &str, got: &[f32], exact: &[f64], mag: &[f64], k: usize) {
    let tol = k.max(1) as f64 * f32::EPSILON as f64;
    for (i, ((&g, &e), &m)) in got.iter().zip(exact).zip(mag).enumerate() {
        let err = (g as f64 - e).abs();
        assert!(err <= tol * m + 1e-30, "{what}: element {i}: got {g}, exact {e}, error {err:e} > {:e}", tol * m);
    }
}

const SHAPES: [(usize, usize, usize); 10] = [
    (1, 1, 1),
    (3, 7, 5),
    (17, 33, 65),
    (128, 1, 300),
    (MR + 1, 2, NR - 1),
    (MR * 3 - 1, 257, NR * 2 + 3), // k crosses a KC block
    (70, 300, 1030),               // m crosses MC, k crosses KC, n crosses NC
    (1, 40, 1),
    (2, 513, 9),
    (33, 1, 1),
];

#[test]
fn gemm_matches_the_exact_product_for_every_shape_and_transpose() {
    for (s, &(m, k, n)) in SHAPES.iter().enumerate() {
        let a = random(m * k, 10 + s as u64);
        let b = random(k * n, 100 + s as u64);
        for ta in T {
            for tb in T {
                let (exact, mag) = reference(ta, tb, m, k, n, &a, &b);
                let what = format!("{m}×{k}×{n} {ta:?}/{tb:?}");
                let mut fast = vec![f32::NAN; m * n]; // NaN: every element must be written
                gemm_t(ta, tb, m, k, n, &a, &b, &mut fast);
                assert_close(&format!("blocked {what}"), &fast, &exact, &mag, k);
                let mut slow = vec![f32::NAN; m * n];
                gemm_t_scalar(ta, tb, m, k, n, &a, &b, &mut slow);
                assert_close(&format!("scalar {what}"), &slow, &exact, &mag, k);
            }
        }
    }
}

/// The GEMMs of the peers' conv net at batch 20 with the transposes the engine uses (forward W·cols, weight gradient
/// dY·colsᵀ, input gradient Wᵀ·dY; dense x·Wᵀ).
const CONV_SHAPES: [(usize, usize, usize, Transpose, Transpose); 7] = {
    use Transpose::{No, Yes};
    [
        (8, 25, 15680, No, No),
        (8, 15680, 25, No, Yes),
        (25, 8, 15680, Yes, No),
        (16, 200, 3920, No, No),
        (16, 3920, 200, No, Yes),
        (200, 16, 3920, Yes, No),
        (20, 400, 10, No, Yes),
    ]
};
/// Small shapes with edges in both directions, k across a KC block, rows across MC, columns across the packing
/// thresholds; every plan is forced on them.
const PLAN_SHAPES: [(usize, usize, usize); 6] =
    [(7, 300, 70), (9, 5, 301), (70, 7, 9), (66, 257, 67), (3, 600, 5), (18, 3, 1100)];

fn epilogues<'a>(row: &'a [f32], col: &'a [f32]) -> Vec<Epilogue<'a>> {
    let mut out = vec![];
    for accumulate in [false, true] {
        for bias in [Bias::None, Bias::PerRow(row), Bias::PerCol(col)] {
            for activation in [None, Some(Activation::Relu), Some(Activation::Tanh)] {
                out.push(Epilogue { accumulate, bias, activation });
            }
        }
    }
    out
}

fn bits(x: &[f32]) -> Vec<u32> {
    x.iter().map(|v| v.to_bits()).collect()
}

/// Runs the blocked GEMM (the chosen plan, or the one given) and the scalar twin from the same C₀; panics unless
/// they agree bit for bit.
#[allow(clippy::too_many_arguments)]
fn assert_twins(
    ws: &mut Gemm,
    plan: Option<Plan>,
    ta: Transpose,
    tb: Transpose,
    mkn: (usize, usize, usize),
    a: &[f32],
    b: &[f32],
    c0: &[f32],
    epi: Epilogue,
) {
    let (m, k, n) = mkn;
    let mut fast = c0.to_vec();
    match plan {
        Some(plan) => ws.run_planned(plan, ta, tb, m, k, n, a, b, &mut fast, epi),
        None => ws.run_with(ta, tb, m, k, n, a, b, &mut fast, epi),
    }
    let mut slow = c0.to_vec();
    gemm_t_scalar_with(ta, tb, m, k, n, a, b, &mut slow, epi);
    assert!(bits(&fast) == bits(&slow), "{m}×{k}×{n} {ta:?}/{tb:?} {plan:?} {epi:?}: not bit-identical");
}

/// Every element is summed in k order from C₀ on both sides, so the results agree bit for bit whichever plan
/// computes them: every plan on the small shapes, the chosen one on the conv net's.
#[test]
fn blocked_gemm_is_bit_identical_to_its_scalar_twin_on_every_path() {
    let mut ws = Gemm::new();
    let mut chosen = std::collections::BTreeSet::new();
    for (s, &(m, k, n)) in PLAN_SHAPES.iter().enumerate() {
        let (a, b) = (random(m * k, 20 + s as u64), random(k * n, 200 + s as u64));
        let (row, col, c0) = (random(m, 1), random(n, 2), random(m * n, 3));
        let epis = epilogues(&row, &col);
        for ta in T {
            for tb in T {
                let best = Plan::new(ta, tb, m, k, n);
                chosen.insert((best.swapped, best.pack_x, best.pack_y));
                for &epi in &epis {
                    assert_twins(&mut ws, None, ta, tb, (m, k, n), &a, &b, &c0, epi);
                }
                for plan in Plan::all() {
                    for epi in [epis[0], epis[9], epis[5]] {
                        assert_twins(&mut ws, Some(plan), ta, tb, (m, k, n), &a, &b, &c0, epi);
                    }
                }
            }
        }
    }
    for (s, &(m, k, n, ta, tb)) in CONV_SHAPES.iter().enumerate() {
        let (a, b) = (random(m * k, 40 + s as u64), random(k * n, 400 + s as u64));
        let (row, col, c0) = (random(m, 4), random(n, 5), random(m * n, 6));
        let best = Plan::new(ta, tb, m, k, n);
        chosen.insert((best.swapped, best.pack_x, best.pack_y));
        for epi in [
            Epilogue::default(),
            Epilogue { accumulate: true, bias: Bias::PerRow(&row), activation: Some(Activation::Relu) },
        ] {
            assert_twins(&mut ws, None, ta, tb, (m, k, n), &a, &b, &c0, epi);
        }
        let epi = Epilogue { bias: Bias::PerCol(&col), ..Epilogue::default() };
        assert_twins(&mut ws, None, ta, tb, (m, k, n), &a, &b, &c0, epi);
    }
    // The choice itself: swapping and reading in place both happen.
    assert!(chosen.len() >= 5, "the shapes reach only these plans (swapped, pack_x, pack_y): {chosen:?}");
}

/// The epilogue against its definition, act(C₀ + Σ a·b + bias), computed in f64: one more rounding for each of
/// C₀, the bias and the activation-free sum, so the bound is (k + 2)·ε·(|C₀| + Σ|a||b| + |bias|).
#[test]
fn the_epilogue_computes_its_definition() {
    let (m, k, n) = (13, 70, 29);
    let (a, b) = (random(m * k, 7), random(k * n, 8));
    let (row, col, c0) = (random(m, 9), random(n, 10), random(m * n, 11));
    let (exact, mag) = reference(Transpose::No, Transpose::Yes, m, k, n, &a, &b);
    for epi in epilogues(&row, &col) {
        let mut c = c0.clone();
        gemm_t_with(Transpose::No, Transpose::Yes, m, k, n, &a, &b, &mut c, epi);
        for i in 0..m {
            for j in 0..n {
                let start = if epi.accumulate { c0[i * n + j] as f64 } else { 0.0 };
                let bias = match epi.bias {
                    Bias::None => 0.0,
                    Bias::PerRow(r) => r[i] as f64,
                    Bias::PerCol(c) => c[j] as f64,
                };
                let sum = start + exact[i * n + j] + bias;
                // ReLU and tanh are 1-Lipschitz, so the sum's error bound carries over; the f32 tanh adds its own
                // rounding (a few ulp of its result, bounded here by 8 ε).
                let want = epi.activation.map_or(sum, |a| a.eval_f64(sum));
                let tol = (k + 2) as f64 * f32::EPSILON as f64 * (start.abs() + mag[i * n + j] + bias.abs())
                    + 8.0 * f32::EPSILON as f64 * want.abs();
                let got = c[i * n + j] as f64;
                assert!((got - want).abs() <= tol, "{epi:?} ({i}, {j}): got {got}, want {want} ± {tol:e}");
            }
        }
    }
}

#[test]
fn relu_keeps_nan_and_negative_zero() {
    assert_eq!(relu(-1.5), 0.0);
    assert_eq!(relu(2.5), 2.5);
    assert!(relu(f32::NAN).is_nan());
    assert_eq!(relu(-0.0).to_bits(), (-0.0f32).to_bits());
    assert_eq!(relu(f32::NEG_INFINITY), 0.0);
}

#[test]
fn an_empty_sum_still_gets_its_epilogue() {
    // k = 0: C = act(C₀ + bias).
    let mut c = vec![1.0, -5.0, 2.0, -1.0];
    let epi = Epilogue { accumulate: true, bias: Bias::PerRow(&[1.0, 0.5]), activation: Some(Activation::Relu) };
    gemm_t_with(Transpose::No, Transpose::No, 2, 0, 2, &[], &[], &mut c, epi);
    assert_eq!(c, vec![2.0, 0.0, 2.5, 0.0]);
}

#[test]
#[should_panic(expected = "the column bias has 2 values, needs 3")]
fn a_short_bias_is_a_programming_error() {
    let mut c = [0.0; 6];
    let epi = Epilogue { bias: Bias::PerCol(&[0.0; 2]), ..Epilogue::default() };
    gemm_t_with(Transpose::No, Transpose::No, 2, 1, 3, &[0.0; 2], &[0.0; 3], &mut c, epi);
}

#[test]
fn gemm_and_its_twin_agree_on_the_plain_product() {
    let (m, k, n) = (37, 91, 53);
    let a = random(m * k, 1);
    let b = random(k * n, 2);
    let mut fast = vec![0.0; m * n];
    let mut slow = vec![0.0; m * n];
    gemm(m, k, n, &a, &b, &mut fast);
    gemm_scalar(m, k, n, &a, &b, &mut slow);
    let (exact, mag) = reference(Transpose::No, Transpose::No, m, k, n, &a, &b);
    assert_close("gemm", &fast, &exact, &mag, k);
    assert_close("gemm_scalar", &slow, &exact, &mag, k);
}

#[test]
fn a_reused_workspace_gives_the_same_results_after_a_larger_call() {
    let mut ws = Gemm::new();
    let big = (90, 300, 200);
    let small = (5, 3, 7);
    let (a, b) = (random(big.0 * big.1, 3), random(big.1 * big.2, 4));
    let mut c = vec![0.0; big.0 * big.2];
    ws.run(Transpose::No, Transpose::No, big.0, big.1, big.2, &a, &b, &mut c);
    let (a, b) = (random(small.0 * small.1, 5), random(small.1 * small.2, 6));
    let mut c = vec![f32::NAN; small.0 * small.2];
    ws.run(Transpose::Yes, Transpose::Yes, small.0, small.1, small.2, &a, &b, &mut c);
    let (exact, mag) = reference(Transpose::Yes, Transpose::Yes, small.0, small.1, small.2, &a, &b);
    assert_close("reused workspace", &c, &exact, &mag, small.1);
}

#[test]
fn empty_dimensions_are_handled() {
    // k = 0: the empty sum, C = 0.
    let mut c = vec![f32::NAN; 6];
    gemm(2, 0, 3, &[], &[], &mut c);
    assert_eq!(c, vec![0.0; 6]);
    // m = 0 or n = 0: nothing to write.
    gemm(0, 4, 3, &[], &[0.0; 12], &mut []);
    gemm(3, 4, 0, &[0.0; 12], &[], &mut []);
}

#[test]
fn non_finite_inputs_propagate() {
    let a = [f32::INFINITY, 1.0, 0.0, 1.0]; // 2×2
    let b = [1.0, 0.0, 0.0, 1.0];
    let mut c = [0.0; 4];
    gemm(2, 2, 2, &a, &b, &mut c);
    assert_eq!(c[0], f32::INFINITY);
    assert!(c[1].is_nan(), "inf · 0 is NaN, got {}", c[1]);
}

#[test]
#[should_panic(expected = "gemm: B has")]
fn short_slices_are_a_programming_error() {
    let mut c = [0.0; 4];
    gemm(2, 2, 2, &[0.0; 4], &[0.0; 3], &mut c);
}
