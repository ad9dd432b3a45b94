//! The blocked GEMM against its plain-loop twin and an f64 triple loop, on odd shapes and every transpose.

use cnn_playground::nn::kernels::{Gemm, MR, NR, Transpose, gemm, gemm_scalar, gemm_t, gemm_t_scalar};
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
