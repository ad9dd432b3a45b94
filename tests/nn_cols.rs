//! im2col and col2im: the span path against the row-by-row twins, bit for bit (tests/conv_twins), and the twins
//! against the definition (every block entry is the input value at its tap, or 0 in the padding; col2im is its
//! adjoint: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ up to the rounding of the two sums).

mod conv_twins;

use cnn_playground::nn::layer::{col2im_plain, im2col_plain};

#[test]
fn span_paths_are_bit_identical_to_the_plain_twins() {
    let mut cases = 0;
    conv_twins::each_case(|what, fast, plain| {
        cases += 1;
        for (i, (a, b)) in fast.iter().zip(plain).enumerate() {
            assert!(a.to_bits() == b.to_bits(), "{what} [{i}]: span {a}, plain {b}");
        }
    });
    assert_eq!(cases, 2 * conv_twins::geometries().len());
}

#[test]
fn the_plain_twins_follow_the_definition() {
    let n = 2;
    for (i, g) in conv_twins::geometries().iter().enumerate() {
        let (c, h, w) = (g.input.c, g.input.h as isize, g.input.w as isize);
        let (k, s, p) = (g.kernel, g.stride as isize, g.padding as isize);
        let ow = g.ow;
        let x = conv_twins::fill(n * g.input.len(), 7 + i as u32);
        let mut cols = vec![f32::NAN; n * g.taps() * g.pixels()];
        im2col_plain(g, &x, n, &mut cols);
        for (r, row) in cols.chunks_exact(g.pixels()).enumerate() {
            let (e, tap) = (r / g.taps(), r % g.taps());
            let (ch, ky, kx) = (tap / (k * k), (tap / k) % k, tap % k);
            assert!(ch < c);
            for (col, &v) in row.iter().enumerate() {
                let (iy, ix) = ((col / ow) as isize * s + ky as isize - p, (col % ow) as isize * s + kx as isize - p);
                let want = if (0..h).contains(&iy) && (0..w).contains(&ix) {
                    x[e * g.input.len() + ch * (h * w) as usize + (iy * w + ix) as usize]
                } else {
                    0.0
                };
                assert!(v.to_bits() == want.to_bits(), "{g:?} row {r} col {col}: {v} vs {want}");
            }
        }
        // The adjoint: ⟨cols, d⟩ = ⟨x, col2im(d)⟩ in f64, to the f32 rounding of col2im's sums.
        let d = conv_twins::fill(cols.len(), 90 + i as u32);
        let mut dx = vec![f32::NAN; x.len()];
        col2im_plain(g, &d, n, &mut dx);
        let lhs: f64 = cols.iter().zip(&d).map(|(&a, &b)| a as f64 * b as f64).sum();
        let rhs: f64 = x.iter().zip(&dx).map(|(&a, &b)| a as f64 * b as f64).sum();
        // Each dx value sums at most K² terms of |·| ≤ 1: error ≤ K²·ε per value, times |x| ≤ 1, over all values.
        let bound = (k * k) as f64 * f32::EPSILON as f64 * x.len() as f64;
        assert!((lhs - rhs).abs() <= bound, "{g:?}: {lhs} vs {rhs} (bound {bound})");
    }
}
