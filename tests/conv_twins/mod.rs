//! Shared by tests/nn_cols.rs (native) and tests/kernels_wasm.rs (simd128): the convolution's data movement
//! (src/nn/layer.rs) — im2col and col2im on their span path (stride 1, "same" padding) against the row-by-row twins
//! `im2col_plain` / `col2im_plain`, which take every geometry. Same bits are required: im2col only copies, and
//! col2im adds the same terms in the same order (with +0 between them on the span path).

use cnn_playground::nn::layer::{ConvGeom, col2im, col2im_plain, im2col, im2col_plain};
use cnn_playground::nn::spec::Shape;

/// Deterministic values in [-1, 1) with every 13th a −0.0 (col2im's sums must not turn it into +0 differently).
pub fn fill(len: usize, seed: u32) -> Vec<f32> {
    (0..len as u32)
        .map(|i| {
            if i % 13 == 5 {
                -0.0
            } else {
                ((i.wrapping_mul(2_654_435_761).wrapping_add(seed) >> 8) as f32 / 8_388_608.0) - 1.0
            }
        })
        .collect()
}

/// Geometries: the default net's two convolutions, odd sizes, a kernel as large as (or larger than) the input,
/// 1×1, and (for the plain path only) stride 2 and valid padding.
pub fn geometries() -> Vec<ConvGeom> {
    let mut out =
        vec![ConvGeom::new(Shape::image(1, 28, 28), 8, 5, 1, 2), ConvGeom::new(Shape::image(8, 14, 14), 16, 5, 1, 2)];
    for (c, h, w) in [(3, 7, 5), (2, 1, 1), (2, 4, 9), (1, 2, 3)] {
        for (k, p) in [(1, 0), (3, 1), (5, 2), (7, 3)] {
            out.push(ConvGeom::new(Shape::image(c, h, w), 4, k, 1, p));
        }
    }
    out.push(ConvGeom::new(Shape::image(2, 9, 8), 3, 3, 2, 1));
    out.push(ConvGeom::new(Shape::image(2, 9, 8), 3, 3, 1, 0));
    out
}

/// Calls `check(what, fast, plain)` for im2col and col2im on every geometry, batch 2.
pub fn each_case(mut check: impl FnMut(&str, &[f32], &[f32])) {
    let n = 2;
    for (i, g) in geometries().iter().enumerate() {
        let x = fill(n * g.input.len(), 3 + i as u32);
        let len = n * g.taps() * g.pixels();
        let (mut fast, mut plain) = (vec![f32::NAN; len], vec![f32::NAN; len]);
        im2col(g, &x, n, &mut fast);
        im2col_plain(g, &x, n, &mut plain);
        check(&format!("im2col {g:?}"), &fast, &plain);
        let dcols = fill(len, 40 + i as u32);
        let (mut fast, mut plain) = (vec![f32::NAN; x.len()], vec![f32::NAN; x.len()]);
        col2im(g, &mut dcols.clone(), n, &mut fast);
        col2im_plain(g, &dcols, n, &mut plain);
        check(&format!("col2im {g:?}"), &fast, &plain);
    }
}
