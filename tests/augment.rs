//! Native tests of the augmentation core: exact identities, torchvision's formulas computed by hand, statistics with
//! tolerances derived from their standard errors, the `aug=` syntax, and property tests over odd sizes.

mod common;

use cnn_playground::augment::geometric::{self, Border, Interpolation};
use cnn_playground::augment::photometric::{self, adjust_brightness, adjust_contrast, adjust_hue, adjust_saturation};
use cnn_playground::augment::pipeline::{Kind, MAX_STEPS, ParamType};
use cnn_playground::augment::realism::{self, FAMILIES, Lang, Risk};
use cnn_playground::augment::{self, Image, MAX_SIDE, Pipeline, export, noise, samples};
use cnn_playground::rng::{Rng, seeded};
use ndarray::{Array3, s};
use rand::RngExt;

fn random_image(h: usize, w: usize, c: usize, rng: &mut Rng) -> Image {
    Array3::from_shape_fn((h, w, c), |_| rng.random::<f32>())
}

fn max_diff(a: &Image, b: &Image) -> f32 {
    assert_eq!(a.dim(), b.dim());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

fn in_range(img: &Image) -> bool {
    img.iter().all(|v| (0.0..=1.0).contains(v))
}

/// Sizes that break naive code: single pixels, single rows and columns, odd and non-square.
const ODD_SIZES: [(usize, usize); 8] = [(1, 1), (1, 7), (7, 1), (2, 3), (5, 2), (13, 8), (8, 13), (32, 32)];

// ---------------------------------------------------------------- flips, rotation, translation, crop

#[test]
fn flips_mirror_and_twice_is_identity() {
    let mut rng = seeded(1);
    for (h, w) in ODD_SIZES {
        for c in [1, 3] {
            let img = random_image(h, w, c, &mut rng);
            let hf = geometric::hflip(&img);
            let vf = geometric::vflip(&img);
            for ((y, x, k), v) in hf.indexed_iter() {
                assert_eq!(*v, img[[y, w - 1 - x, k]]);
                assert_eq!(vf[[y, x, k]], img[[h - 1 - y, x, k]]);
            }
            assert_eq!(geometric::hflip(&hf), img);
            assert_eq!(geometric::vflip(&vf), img);
        }
    }
}

#[test]
fn rotation_by_zero_is_identity() {
    let mut rng = seeded(2);
    for (h, w) in ODD_SIZES {
        let img = random_image(h, w, 3, &mut rng);
        for interp in [Interpolation::Nearest, Interpolation::Bilinear] {
            assert_eq!(geometric::rotate(&img, 0.0, interp, Border::Constant(0.0)), img);
        }
    }
}

#[test]
fn rotation_by_90_is_counter_clockwise_and_four_times_identity() {
    let mut rng = seeded(3);
    for n in [1, 2, 5, 16] {
        let img = random_image(n, n, 3, &mut rng);
        let once = geometric::rotate(&img, 90.0, Interpolation::Nearest, Border::Constant(0.0));
        // Counter-clockwise: the right column becomes the top row, out[y][x] = in[x][n−1−y].
        for ((y, x, k), v) in once.indexed_iter() {
            assert_eq!(*v, img[[x, n - 1 - y, k]]);
        }
        let mut r = img.clone();
        for _ in 0..4 {
            r = geometric::rotate(&r, 90.0, Interpolation::Nearest, Border::Constant(0.0));
        }
        assert_eq!(r, img);
        // Minus 270 is plus 90.
        assert_eq!(geometric::rotate(&img, -270.0, Interpolation::Nearest, Border::Constant(0.0)), once);
    }
}

#[test]
fn rotation_fills_the_corners_and_keeps_a_constant_image_constant_but_for_the_border_band() {
    let img = Array3::from_elem((20, 30, 3), 0.25f32);
    let r = geometric::rotate(&img, 45.0, Interpolation::Bilinear, Border::Constant(0.25));
    // As torchvision: where a pixel's taps are partly outside (mask M), M·S + (1 − M)·fill = 0.25·(M² − M + 1), which
    // dips to 0.25·¾ at M = ½; everywhere else the constant stays.
    let band = r.iter().filter(|v| (**v - 0.25).abs() > 1e-6).count();
    assert!(r.iter().all(|v| (0.1875 - 1e-6..=0.25 + 1e-6).contains(v)));
    assert!(band > 0 && band < 3 * 2 * (20 + 30) * 2, "only a thin band differs: {band} values");
    let r = geometric::rotate(&img, 45.0, Interpolation::Bilinear, Border::Constant(1.0));
    assert_eq!(r[[0, 0, 0]], 1.0, "a corner rotated out of the image reads the fill");
    assert!((r[[10, 15, 0]] - 0.25).abs() < 1e-6, "the centre stays");
}

/// torchvision's `_apply_grid_transform`: bilinear sampling with zero padding (S) and a sampled mask of ones (M), then
/// M·S + (1 − M)·fill. Off-image taps do not read the fill.
#[test]
fn bilinear_rotation_blends_the_fill_by_the_sampled_mask_as_torchvision() {
    // 3×3, value (3y + x + 1)/10. Rotating by 45° about (1, 1), output (0, 0) (offset (−1, −1)) reads source offset
    // (cos·u − sin·v, sin·u + cos·v) = (0, −√2): source (x 1, y 1 − √2 = −0.41421). Its taps: row −1 (outside,
    // weight 0.41421) and row 0 (weight 0.58579), column 1, value 0.2.
    let img = Array3::from_shape_fn((3, 3, 1), |(y, x, _)| (3 * y + x + 1) as f32 / 10.0);
    let (m, fill) = (2.0 - std::f64::consts::SQRT_2, 0.5);
    let s = m * 0.2;
    let expected = m * s + (1.0 - m) * fill; // 0.275736; reading the fill off the image gave S + (1 − M)·fill = 0.324264
    let r = geometric::rotate(&img, 45.0, Interpolation::Bilinear, Border::Constant(fill as f32));
    assert!((r[[0, 0, 0]] as f64 - expected).abs() < 1e-5, "{} vs {expected}", r[[0, 0, 0]]);
    // A half-pixel shift: column 0 reads source x = −0.5, half outside: M = 0.5, S = 0.5·v, so 0.25·v + 0.5·fill.
    let t = geometric::translate(&img, 0.5, 0.0, Interpolation::Bilinear, Border::Constant(0.2));
    for y in 0..3 {
        let v = img[[y, 0, 0]];
        assert!((t[[y, 0, 0]] - (0.25 * v + 0.5 * 0.2)).abs() < 1e-6, "row {y}: {}", t[[y, 0, 0]]);
        // Inside, the plain blend of two neighbours.
        assert!((t[[y, 1, 0]] - 0.5 * (img[[y, 0, 0]] + img[[y, 1, 0]])).abs() < 1e-6);
    }
    // Fill 0 too: torchvision's v2 passes fill=0, not None, so the mask applies and the band darkens (0.25·v).
    let t = geometric::translate(&img, 0.5, 0.0, Interpolation::Bilinear, Border::Constant(0.0));
    assert!((t[[1, 0, 0]] - 0.25 * img[[1, 0, 0]]).abs() < 1e-6);
    // Edge and reflect borders keep reading the border policy (grid_sample's border/reflection padding): the edge
    // pixel twice is the edge pixel.
    let e = geometric::translate(&img, 0.5, 0.0, Interpolation::Bilinear, Border::Edge);
    assert!((e[[1, 0, 0]] - img[[1, 0, 0]]).abs() < 1e-6);
}

/// torchvision's `resized_crop`: crop first, then resize, so the filter's taps past the window read the window's
/// own edge pixel (clamped, or dropped and renormalised when antialiased), never the pixels just outside it.
#[test]
fn resized_crop_crops_first_so_edge_taps_repeat_the_windows_edge() {
    // 4×6, value x/10 in every row.
    let img = Array3::from_shape_fn((4, 6, 1), |(_, x, _)| x as f32 / 10.0);
    // Columns 2 and 3 (values 0.2, 0.3) to 4 columns, bilinear: output o samples the crop at 0.5·(o + 0.5) − 0.5 =
    // −0.25, 0.25, 0.75, 1.25; torch clamps −0.25 to 0 and the tap past 1 to 1: 0.2, 0.225, 0.275, 0.3. Sampling the
    // whole image gave 0.175 and 0.325 at the ends (columns 1 and 4 leaked in).
    for aa in [false, true] {
        let r = geometric::resized_crop(&img, 0, 2, 4, 2, 4, 4, Interpolation::Bilinear, aa);
        for y in 0..4 {
            for (x, want) in [0.2, 0.225, 0.275, 0.3].into_iter().enumerate() {
                assert!((r[[y, x, 0]] - want).abs() < 1e-6, "aa {aa}, ({y}, {x}): {}", r[[y, x, 0]]);
            }
        }
    }
    // Columns 1…4 (0.1 … 0.4) to 2 columns with antialiasing: a triangle of half-width 2 centred at 1 on the crop,
    // taps −1, 0, 1, 2 with weights ¼, ¾, ¾, ¼; tap −1 is dropped: (¾·0.1 + ¾·0.2 + ¼·0.3)/1.75 = 0.3/1.75.
    let r = geometric::resized_crop(&img, 0, 1, 4, 4, 4, 2, Interpolation::Bilinear, true);
    assert!((r[[0, 0, 0]] - 0.3 / 1.75).abs() < 1e-6, "{}", r[[0, 0, 0]]);
    // Nearest: output o reads crop pixel floor((o + 0.5)·2/4) = 0, 0, 1, 1: columns 2, 2, 3, 3.
    let r = geometric::resized_crop(&img, 0, 2, 4, 2, 4, 4, Interpolation::Nearest, false);
    assert_eq!((0..4).map(|x| r[[0, x, 0]]).collect::<Vec<_>>(), [0.2, 0.2, 0.3, 0.3]);
}

/// PyTorch's antialiased `interpolate` (and PIL): filter taps past the image are dropped and the remaining weights
/// renormalised, instead of repeating the edge pixel.
#[test]
fn antialiased_downscaling_drops_taps_past_the_edge() {
    // 1×4 → 1×2: each output is a triangle of half-width 2 centred at 1 and 3: taps −1…2 and 1…4, weights ¼ ¾ ¾ ¼.
    let img = Array3::from_shape_vec((1, 4, 1), vec![0.0f32, 0.2, 0.4, 1.0]).unwrap();
    let r = geometric::resize(&img, 1, 2, Interpolation::Bilinear, true);
    let left = (0.75 * 0.0 + 0.75 * 0.2 + 0.25 * 0.4) / 1.75; // 0.142857; edge repeat gave 0.125
    let right = (0.25 * 0.2 + 0.75 * 0.4 + 0.75 * 1.0) / 1.75; // 0.628571; edge repeat gave 0.675
    assert!((r[[0, 0, 0]] - left).abs() < 1e-6, "{}", r[[0, 0, 0]]);
    assert!((r[[0, 1, 0]] - right).abs() < 1e-6, "{}", r[[0, 1, 0]]);
    // Without antialiasing the triangle has half-width 1: taps 0, 1 at 1 − ½ … the plain blend of two pixels.
    let r = geometric::resize(&img, 1, 2, Interpolation::Bilinear, false);
    assert!((r[[0, 0, 0]] - 0.1).abs() < 1e-6 && (r[[0, 1, 0]] - 0.7).abs() < 1e-6, "{r:?}");
}

#[test]
fn translation_moves_content_by_whole_pixels_within_range() {
    let mut rng = seeded(4);
    let img = random_image(10, 20, 3, &mut rng);
    let t = geometric::translate(&img, 3.0, -2.0, Interpolation::Nearest, Border::Constant(0.5));
    for ((y, x, k), v) in t.indexed_iter() {
        let (sy, sx) = (y as i64 + 2, x as i64 - 3);
        let expected =
            if (0..10).contains(&sy) && (0..20).contains(&sx) { img[[sy as usize, sx as usize, k]] } else { 0.5 };
        assert_eq!(*v, expected);
    }
    for _ in 0..1000 {
        let (tx, ty) = geometric::translate_params(10, 20, 0.25, 0.1, &mut rng);
        assert!(tx.abs() <= 5 && ty.abs() <= 1, "|tx| ≤ 0.25·20, |ty| ≤ 0.1·10, got {tx}, {ty}");
    }
}

#[test]
fn crop_with_padding_reads_the_border_policy() {
    let img = Array3::from_shape_fn((4, 5, 1), |(y, x, _)| (y * 5 + x) as f32 / 20.0);
    // The window starting two pixels above and one to the left.
    let reflect = geometric::crop(&img, -2, -1, 4, 5, Border::Reflect);
    let edge = geometric::crop(&img, -2, -1, 4, 5, Border::Edge);
    let constant = geometric::crop(&img, -2, -1, 4, 5, Border::Constant(0.7));
    assert_eq!(reflect.dim(), (4, 5, 1));
    // Row −2 reflects to row 2 and column −1 to column 1 (reflect does not repeat the edge pixel).
    assert_eq!(reflect[[0, 0, 0]], img[[2, 1, 0]]);
    assert_eq!(edge[[0, 0, 0]], img[[0, 0, 0]]);
    assert_eq!(constant[[0, 0, 0]], 0.7);
    assert_eq!(constant[[2, 1, 0]], img[[0, 0, 0]]);
    // The pipeline's crop draws offsets in 0..=2·pad and keeps the size.
    let mut rng = seeded(5);
    for _ in 0..500 {
        let (top, left) = geometric::crop_params(3, &mut rng);
        assert!(top <= 6 && left <= 6);
    }
    let step = Pipeline::parse("crop(pad0)").unwrap();
    assert_eq!(step.apply(&img, &mut rng).0, img, "padding 0 leaves a single possible window: the image");
}

#[test]
fn resized_crop_follows_torchvision_including_the_fallback() {
    let mut rng = seeded(6);
    for (h, w) in ODD_SIZES {
        for _ in 0..200 {
            let (top, left, ch, cw) = geometric::resized_crop_params(h, w, (0.08, 1.0), (0.75, 4.0 / 3.0), &mut rng);
            assert!(ch >= 1 && cw >= 1 && top + ch <= h && left + cw <= w, "{h}x{w}: {top} {left} {ch} {cw}");
        }
    }
    // A crop of area fraction 0.25 with ratio 1 on a 40×40 image is 20×20.
    let (_, _, ch, cw) = geometric::resized_crop_params(40, 40, (0.25, 0.25), (1.0, 1.0), &mut rng);
    assert_eq!((ch, cw), (20, 20));
    // Whole area at ratio 2..3 never fits a square: 10 tries fail, then the centre crop clamped to ratio 2.
    assert_eq!(geometric::resized_crop_params(40, 40, (1.0, 1.0), (2.0, 3.0), &mut rng), (10, 0, 20, 40));
    // A wide image with ratios below its own: full height, width = height·max ratio, centred.
    assert_eq!(geometric::resized_crop_params(10, 100, (1.0, 1.0), (0.5, 2.0), &mut rng), (0, 40, 10, 20));
}

// ---------------------------------------------------------------- resize

#[test]
fn resize_output_sizes_are_as_asked_and_clamped() {
    let mut rng = seeded(7);
    let img = random_image(9, 14, 3, &mut rng);
    for interp in Interpolation::ALL {
        for aa in [false, true] {
            for (oh, ow) in [(1, 1), (3, 5), (9, 14), (30, 7), (1, 40)] {
                let r = geometric::resize(&img, oh, ow, interp, aa);
                assert_eq!(r.dim(), (oh, ow, 3));
                assert!(in_range(&r));
            }
            assert_eq!(geometric::resize(&img, 0, 0, interp, aa).dim(), (1, 1, 3), "at least one pixel");
            assert_eq!(geometric::resize(&img, 1, 100_000, interp, aa).dim(), (1, MAX_SIDE, 3), "at most MAX_SIDE");
        }
    }
}

#[test]
fn resize_nearest_up_then_down_by_whole_factors_is_identity() {
    let mut rng = seeded(8);
    let img = random_image(7, 5, 3, &mut rng);
    let up = geometric::resize(&img, 21, 15, Interpolation::Nearest, false);
    assert_eq!(geometric::resize(&up, 7, 5, Interpolation::Nearest, false), img);
    // Area averages three equal copies with weights 1/3 each: exact up to f32 rounding.
    assert!(max_diff(&geometric::resize(&up, 7, 5, Interpolation::Area, false), &img) < 1e-6);
}

#[test]
fn resize_bilinear_up_then_area_down_is_close_to_the_original() {
    // Bilinear ×2 puts output pixels at source positions o ± 1/4; averaging each pair (area ÷2) gives
    // ¾·s[o] + ⅛·(s[o−1] + s[o+1]) per axis, an error of Δ²s/8 per axis inside the image and of Δs/8 at an edge,
    // where edge clamping makes s[−1] = s[0].
    let (h, w) = (24, 30);
    let s = |y: usize, x: usize| {
        0.5 + 0.2 * (2.0 * std::f32::consts::PI * x as f32 / 16.0).sin()
            + 0.2 * (2.0 * std::f32::consts::PI * y as f32 / 20.0).cos()
    };
    let img = Array3::from_shape_fn((h, w, 1), |(y, x, _)| s(y, x));
    let back = geometric::resize(
        &geometric::resize(&img, 2 * h, 2 * w, Interpolation::Bilinear, false),
        h,
        w,
        Interpolation::Area,
        false,
    );
    // Largest first and second differences of the two terms, from their derivatives: a·(2π/T) and a·(2π/T)².
    let (kx, ky) = (2.0 * std::f32::consts::PI / 16.0, 2.0 * std::f32::consts::PI / 20.0);
    let interior_bound = (0.2 * kx * kx + 0.2 * ky * ky) / 8.0;
    let edge_bound = (0.2 * kx + 0.2 * ky) / 8.0;
    let interior = back.slice(s![1..h - 1, 1..w - 1, ..]).to_owned();
    let err = max_diff(&interior, &img.slice(s![1..h - 1, 1..w - 1, ..]).to_owned());
    assert!(err <= interior_bound + 1e-5, "interior error {err} > bound {interior_bound}");
    assert!(err > 0.0, "not a copy");
    assert!(max_diff(&back, &img) <= edge_bound + 1e-5);
}

#[test]
fn naive_downsampling_aliases_and_antialiasing_removes_it() {
    // The zone plate's top rows hold rings finer than 4 pixels; sampling every 4th pixel folds them into coarse false
    // rings with full contrast, while an averaging filter leaves them near the mean grey.
    let zp = samples::by_name("zoneplate").unwrap();
    let spread = |img: &Image| {
        let outer = img.slice(s![..img.dim().0 / 4, .., ..]).to_owned();
        let m = outer.mean().unwrap();
        (outer.mapv(|v| (v - m).powi(2)).mean().unwrap()).sqrt()
    };
    let naive = geometric::resize(&zp, 32, 32, Interpolation::Nearest, false);
    let aliased_bilinear = geometric::resize(&zp, 32, 32, Interpolation::Bilinear, false);
    let filtered = geometric::resize(&zp, 32, 32, Interpolation::Bilinear, true);
    let area = geometric::resize(&zp, 32, 32, Interpolation::Area, false);
    assert!(spread(&naive) > 0.25, "naive {}", spread(&naive));
    assert!(
        spread(&aliased_bilinear) > 5.0 * spread(&filtered),
        "bilinear without antialias {}",
        spread(&aliased_bilinear)
    );
    assert!(spread(&filtered) < 0.2 * spread(&naive), "antialiased {}", spread(&filtered));
    assert!(spread(&area) < 0.2 * spread(&naive), "area {}", spread(&area));
}

#[test]
fn zoom_keeps_the_canvas_and_pads_with_fill() {
    let img = Array3::from_elem((10, 16, 3), 0.5f32);
    let small = geometric::zoom(&img, 0.5, Interpolation::Bilinear, true, 1.0);
    assert_eq!(small.dim(), (10, 16, 3));
    assert_eq!(small[[0, 0, 0]], 1.0);
    assert_eq!(small[[5, 8, 0]], 0.5);
    let big = geometric::zoom(&img, 3.0, Interpolation::Bilinear, true, 1.0);
    assert!(max_diff(&big, &img) < 1e-6);
    assert_eq!(geometric::zoom(&img, 1.0, Interpolation::Nearest, false, 0.0), img);
}

// ---------------------------------------------------------------- colour jitter

#[test]
fn jitter_factor_one_is_identity() {
    let mut rng = seeded(9);
    for c in [1, 3] {
        let img = random_image(6, 9, c, &mut rng);
        for f in [adjust_brightness, adjust_contrast, adjust_saturation] {
            let mut out = img.clone();
            f(&mut out, 1.0);
            assert!(max_diff(&out, &img) < 1e-6);
        }
        let mut out = img.clone();
        adjust_hue(&mut out, 0.0);
        assert!(max_diff(&out, &img) < 1e-5, "HSV round trip");
    }
}

/// Two hand-made pixels (0.2, 0.4, 0.6) and (0.8, 0.5, 0.1).
fn two_pixels() -> Image {
    Array3::from_shape_vec((1, 2, 3), vec![0.2, 0.4, 0.6, 0.8, 0.5, 0.1]).unwrap()
}

fn assert_close(img: &Image, expected: &[f32], tol: f32) {
    for (a, b) in img.iter().zip(expected) {
        assert!((a - b).abs() <= tol, "{img:?} vs {expected:?}");
    }
}

#[test]
fn jitter_matches_torchvision_formulas_on_hand_made_pixels() {
    // adjust_brightness: clamp(f·x); 0.8·1.5 = 1.2 clips to 1.
    let mut b = two_pixels();
    adjust_brightness(&mut b, 1.5);
    assert_close(&b, &[0.3, 0.6, 0.9, 1.0, 0.75, 0.15], 1e-6);

    // adjust_contrast: f·x + (1 − f)·mean(gray), gray = 0.2989 R + 0.587 G + 0.114 B:
    // gray = 0.36298 and 0.54402, mean 0.4535; with f = 0.5 the offset is 0.22675.
    let mut c = two_pixels();
    adjust_contrast(&mut c, 0.5);
    assert_close(&c, &[0.32675, 0.42675, 0.52675, 0.62675, 0.47675, 0.27675], 1e-5);
    // f = 3 pushes away from the mean and clamps: 3·0.2 − 2·0.4535 = −0.307 → 0.
    let mut c = two_pixels();
    adjust_contrast(&mut c, 3.0);
    assert_close(&c, &[0.0, 0.293, 0.893, 1.0, 0.593, 0.0], 1e-5);

    // adjust_saturation: f·x + (1 − f)·gray(pixel); f = 0 gives the pixel's gray in every channel.
    let mut s = two_pixels();
    adjust_saturation(&mut s, 0.0);
    assert_close(&s, &[0.36298, 0.36298, 0.36298, 0.54402, 0.54402, 0.54402], 1e-5);
    // f = 2: 2·x − gray.
    let mut s = two_pixels();
    adjust_saturation(&mut s, 2.0);
    assert_close(&s, &[0.03702, 0.43702, 0.83702, 1.0, 0.45598, 0.0], 1e-5);

    // adjust_hue: red turned by half a turn is cyan, by a third is green; grey has no hue.
    let mut px = Array3::from_shape_vec((1, 3, 3), vec![1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.4, 0.4, 0.4]).unwrap();
    adjust_hue(&mut px, 0.5);
    assert_close(&px.slice(s![.., 0..1, ..]).to_owned(), &[0.0, 1.0, 1.0], 1e-6);
    assert_close(&px.slice(s![.., 2..3, ..]).to_owned(), &[0.4, 0.4, 0.4], 1e-6);
    let mut red = Array3::from_shape_vec((1, 1, 3), vec![1.0, 0.0, 0.0]).unwrap();
    adjust_hue(&mut red, 1.0 / 3.0);
    assert_close(&red, &[0.0, 1.0, 0.0], 1e-5);
    // Orange (1, 0.5, 0): hue 30° = 1/12 turn, saturation 1, value 1.
    let hsv = photometric::rgb_to_hsv([1.0, 0.5, 0.0]);
    assert_close(&Array3::from_shape_vec((1, 1, 3), hsv.to_vec()).unwrap(), &[1.0 / 12.0, 1.0, 1.0], 1e-6);

    // A grey image: contrast blends with its own mean; saturation and hue leave it alone.
    let mut g = Array3::from_shape_vec((1, 2, 1), vec![0.2, 0.6]).unwrap();
    adjust_contrast(&mut g, 0.5);
    assert_close(&g, &[0.3, 0.5], 1e-6);
    adjust_saturation(&mut g, 0.0);
    adjust_hue(&mut g, 0.3);
    assert_close(&g, &[0.3, 0.5], 1e-6);
}

#[test]
fn color_jitter_draws_factors_in_torchvision_ranges() {
    let mut rng = seeded(10);
    let (mut lo, mut hi) = (f32::MAX, f32::MIN);
    for _ in 0..2000 {
        let mut img = two_pixels();
        let j = photometric::color_jitter(&mut img, 0.4, 0.0, 1.5, 0.0, &mut rng);
        let f = j.brightness.unwrap();
        lo = lo.min(f);
        hi = hi.max(f);
        assert!(j.contrast.is_none() && j.hue.is_none(), "strength 0 means the adjustment is off");
        assert!((0.0..=2.5).contains(&j.saturation.unwrap()), "saturation factor from [max(0, 1 − 1.5), 2.5]");
        let mut sorted = j.order;
        sorted.sort();
        assert_eq!(sorted, [0, 1, 2, 3]);
    }
    assert!((0.6..0.61).contains(&lo) && hi <= 1.4 && hi > 1.39, "brightness factors span [0.6, 1.4]: {lo}..{hi}");
    // Brightness alone: output = clamp(f·x) with the reported factor.
    let mut img = two_pixels();
    let j = photometric::color_jitter(&mut img, 0.3, 0.0, 0.0, 0.0, &mut rng);
    let f = j.brightness.unwrap();
    let expected: Vec<f32> = two_pixels().iter().map(|v| (v * f).min(1.0)).collect();
    assert_close(&img, &expected, 1e-6);
}

// ---------------------------------------------------------------- noise

#[test]
fn gaussian_noise_has_the_requested_sigma() {
    // On a mid-grey image (0.5 is 10σ from either clamp) the noise is N(0, σ²) per value. The sample std of n values
    // has standard error σ/√(2n) and the sample mean σ/√n; allow 4 standard errors.
    let sigma = 0.05f32;
    let (h, w, c) = (128, 128, 3);
    let n = (h * w * c) as f64;
    for seed in 0..3 {
        let mut img = Array3::from_elem((h, w, c), 0.5f32);
        noise::gaussian(&mut img, sigma, true, &mut seeded(seed));
        let mean = img.iter().map(|v| *v as f64).sum::<f64>() / n;
        let std = (img.iter().map(|v| (*v as f64 - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let se_std = sigma as f64 / (2.0 * n).sqrt();
        assert!((std - sigma as f64).abs() < 4.0 * se_std, "std {std} vs {sigma} (SE {se_std})");
        assert!((mean - 0.5).abs() < 4.0 * sigma as f64 / n.sqrt(), "mean {mean}");
    }
    // One draw per pixel: the channels move together.
    let mut img = Array3::from_elem((8, 8, 3), 0.5f32);
    noise::gaussian(&mut img, 0.1, false, &mut seeded(1));
    for px in img.as_slice().unwrap().chunks(3) {
        assert!(px[0] == px[1] && px[1] == px[2]);
    }
    assert!(img.iter().any(|v| *v != 0.5));
}

/// Φ(x) by Abramowitz–Stegun 7.1.26 (absolute error below 1.5·10⁻⁷, far below the tolerances it is used with).
fn normal_cdf(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs() / 2f64.sqrt());
    let poly =
        t * (0.254_829_592 + t * (-0.284_496_736 + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x / 2.0).exp();
    0.5 * (1.0 + erf.copysign(x))
}

#[test]
fn gaussian_sampler_is_standard_normal() {
    // 2²⁰ draws of the Box–Muller sampler: mean, variance, fourth moment, the CDF at 13 points, the tails and the
    // independence of the two normals of a pair, each within 4 standard errors of N(0, 1).
    let n = 1usize << 20;
    let mut z = vec![0f32; n];
    noise::standard_normals_scalar(&mut noise::Normals::new(&mut seeded(5)), &mut z);
    let nf = n as f64;
    let mean = z.iter().map(|v| *v as f64).sum::<f64>() / nf;
    let m2 = z.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / nf;
    let m4 = z.iter().map(|v| (*v as f64).powi(4)).sum::<f64>() / nf;
    assert!(mean.abs() < 4.0 / nf.sqrt(), "mean {mean}");
    assert!((m2 - 1.0).abs() < 4.0 * (2.0 / nf).sqrt(), "variance {m2}");
    assert!((m4 - 3.0).abs() < 4.0 * (96.0 / nf).sqrt(), "fourth moment {m4}");
    for k in -6..=6 {
        let x = k as f64 * 0.5;
        let p = normal_cdf(x);
        let frac = z.iter().filter(|v| (**v as f64) <= x).count() as f64 / nf;
        assert!((frac - p).abs() < 4.0 * (p * (1.0 - p) / nf).sqrt() + 1e-6, "P(Z ≤ {x}) = {frac}, Φ = {p}");
    }
    let beyond4 = z.iter().filter(|v| v.abs() > 4.0).count() as f64;
    let expected = nf * 2.0 * (1.0 - normal_cdf(4.0));
    assert!((beyond4 - expected).abs() < 4.0 * expected.sqrt() + 1.0, "|z| > 4: {beyond4} vs {expected}");
    assert!(z.iter().all(|v| v.is_finite() && v.abs() < 5.8), "24-bit radius caps |z| at 5.77");
    // Lanes l and l + 4 of each block of 8 are the cosine and sine of one pair.
    let pairs: Vec<(f64, f64)> =
        z.chunks_exact(8).flat_map(|b| (0..4).map(move |l| (b[l] as f64, b[l + 4] as f64))).collect();
    let corr = pairs.iter().map(|(a, b)| a * b).sum::<f64>() / pairs.len() as f64;
    let corr2 = pairs.iter().map(|(a, b)| a * a * b * b).sum::<f64>() / pairs.len() as f64;
    assert!(corr.abs() < 4.0 / (pairs.len() as f64).sqrt(), "pair correlation {corr}");
    assert!((corr2 - 1.0).abs() < 4.0 * (8.0 / pairs.len() as f64).sqrt(), "E[a²b²] {corr2} (1 if independent)");
}

#[test]
fn gaussian_sampler_functions_are_accurate() {
    // ln on (0, 1] and sin/cos on [−π/4, π/4] against f64, a few f32 ulps.
    for i in 0..=100_000u32 {
        let x = ((i as f64 + 0.5) / 100_001.0).powi(8).max(1.0 / 16_777_216.0) as f32;
        let want = (x as f64).ln();
        let got = noise::ln_unit(x) as f64;
        assert!((got - want).abs() <= 2.5e-7 * want.abs().max(1.0), "ln({x}) = {got}, want {want}");
    }
    assert_eq!(noise::ln_unit(1.0), 0.0);
    for i in -10_000..=10_000 {
        let phi = i as f32 / 10_000.0 * std::f32::consts::FRAC_PI_4;
        let (c, s) = noise::sin_cos_octant(phi);
        assert!((c as f64 - (phi as f64).cos()).abs() < 2e-7, "cos({phi})");
        assert!((s as f64 - (phi as f64).sin()).abs() < 2e-7, "sin({phi})");
    }
}

#[test]
fn fused_brightness_and_contrast_equal_the_steps_one_by_one() {
    // color_jitter runs brightness and contrast as one pass; the result must be exactly that of the two functions
    // in the drawn order, on RGB and grey images of odd sizes.
    let mut rng = seeded(21);
    for (h, w, c) in [(1, 1, 3), (7, 5, 3), (33, 31, 3), (224, 224, 3), (9, 13, 1), (40, 41, 1)] {
        for _ in 0..8 {
            let img = random_image(h, w, c, &mut rng);
            let mut fused = img.clone();
            let j = photometric::color_jitter(&mut fused, 0.8, 0.8, 0.0, 0.0, &mut rng);
            let mut steps = img.clone();
            for k in j.order {
                match k {
                    0 => adjust_brightness(&mut steps, j.brightness.unwrap()),
                    1 => adjust_contrast(&mut steps, j.contrast.unwrap()),
                    _ => {}
                }
            }
            assert_eq!(fused, steps, "{h}×{w}×{c}, order {:?}", j.order);
        }
    }
}

#[test]
fn gray_mean_is_the_mean_of_the_gray_image() {
    let mut rng = seeded(22);
    for (h, w, c) in [(1, 1, 3), (3, 5, 3), (100, 81, 3), (17, 3, 1), (224, 224, 3)] {
        let img = random_image(h, w, c, &mut rng);
        let data = img.as_slice().unwrap();
        let want: f64 = data
            .chunks(c)
            .map(|px| {
                if c == 3 { 0.2989 * px[0] as f64 + 0.587 * px[1] as f64 + 0.114 * px[2] as f64 } else { px[0] as f64 }
            })
            .sum::<f64>()
            / (h * w) as f64;
        assert!((photometric::gray_mean(&img) as f64 - want).abs() < 1e-5, "{h}×{w}×{c}");
    }
}

#[test]
fn rgba_tiles_land_at_their_place_in_a_grid() {
    let mut rng = seeded(23);
    let img = random_image(3, 5, 3, &mut rng);
    let stride = 4 * 8;
    let mut grid = vec![7u8; stride * 4];
    augment::to_rgba8_into(&img, &mut grid[stride + 4..], stride);
    let tile = augment::to_rgba8(&img);
    for y in 0..4 {
        for x in 0..8 {
            let at = &grid[y * stride + 4 * x..y * stride + 4 * x + 4];
            if (1..4).contains(&y) && (1..6).contains(&x) {
                let t = ((y - 1) * 5 + (x - 1)) * 4;
                assert_eq!(at, &tile[t..t + 4]);
            } else {
                assert_eq!(at, [7, 7, 7, 7], "outside the tile untouched");
            }
        }
    }
    // Rounding to nearest: 255·v within ½ of the byte.
    for (b, v) in tile.chunks(4).flat_map(|p| p[..3].to_vec()).zip(img.iter()) {
        assert!((b as f32 - 255.0 * v).abs() <= 0.5 + 1e-4, "{v} → {b}");
    }
}

#[test]
fn salt_and_pepper_hits_the_requested_fraction() {
    // Each of N units is hit with probability a: the hit fraction has standard error √(a(1 − a)/N), and among the
    // hits salt has probability ½. Allow 4 standard errors.
    let a = 0.1;
    for (per_channel, units) in [(false, 100 * 120), (true, 100 * 120 * 3)] {
        let mut img = Array3::from_elem((100, 120, 3), 0.5f32);
        let hits = noise::salt_and_pepper(&mut img, a, per_channel, &mut seeded(11));
        let n = units as f64;
        let frac = hits as f64 / n;
        assert!((frac - a).abs() < 4.0 * (a * (1.0 - a) / n).sqrt(), "fraction {frac}");
        let salt = img.iter().filter(|v| **v == 1.0).count() as f64 / if per_channel { 1.0 } else { 3.0 };
        let pepper = img.iter().filter(|v| **v == 0.0).count() as f64 / if per_channel { 1.0 } else { 3.0 };
        assert_eq!((salt + pepper) as usize, hits);
        assert!((salt / hits as f64 - 0.5).abs() < 4.0 * (0.25 / hits as f64).sqrt());
        if !per_channel {
            for px in img.as_slice().unwrap().chunks(3) {
                assert!(px[0] == px[1] && px[1] == px[2], "whole pixels");
            }
        }
    }
}

// ---------------------------------------------------------------- pipeline: determinism, syntax, errors

const EXAMPLE: &str = "hflip~rotate(deg30_bilinear_p0.8)~jitter(b0.4_c0.4)~noise(sigma0.05)";

#[test]
fn same_seed_same_pixels_and_tiles_are_independent() {
    let pipe = Pipeline::parse(
        "translate~crop(pad8_reflect)~hflip~rotate(bilinear)~resize~jitter(b0.4_c0.4_s0.4_h0.1)~noise~saltpepper",
    )
    .unwrap();
    let img = samples::by_name("scene").unwrap();
    let a = pipe.sample_grid(&img, 6, 42).unwrap();
    let b = pipe.sample_grid(&img, 6, 42).unwrap();
    assert_eq!(a, b);
    let c = pipe.sample_grid(&img, 6, 43).unwrap();
    assert_ne!(a[0].0, c[0].0);
    assert_ne!(a[0].0, a[1].0, "tiles differ");
    // Tile i depends only on (seed, i): fewer tiles are a prefix; tile 0 is `apply` with seeded(seed).
    assert_eq!(pipe.sample_grid(&img, 2, 42).unwrap()[..], a[..2]);
    assert_eq!(pipe.apply(&img, &mut seeded(42)), a[0]);
    for (tile, fired) in &a {
        assert_eq!(tile.dim(), img.dim());
        assert!(in_range(tile));
        assert!(fired.windows(2).all(|f| f[0].index < f[1].index));
    }
}

#[test]
fn fired_steps_record_the_drawn_parameters() {
    let pipe = Pipeline::parse("hflip(p0)~rotate(deg10)~vflip(p1)").unwrap();
    let img = samples::by_name("arrow").unwrap();
    let (_, fired) = pipe.apply(&img, &mut seeded(3));
    assert_eq!(fired.len(), 2);
    assert_eq!((fired[0].index, fired[0].name), (1, "rotate"));
    let (key, angle) = fired[0].params[0];
    assert!(key == "angle" && angle.abs() <= 10.0);
    assert_eq!((fired[1].index, fired[1].name, fired[1].params.len()), (2, "vflip", 0));
    assert!(fired[0].to_string().starts_with("rotate(angle="));
}

#[test]
fn probability_is_respected() {
    let pipe = Pipeline::parse("hflip(p0.3)").unwrap();
    let img = random_image(2, 3, 1, &mut seeded(0));
    let mut rng = seeded(12);
    let n = 4000;
    let fired = (0..n).filter(|_| !pipe.apply(&img, &mut rng).1.is_empty()).count() as f64;
    // Binomial: standard error √(p(1 − p)/n) ≈ 0.0072; allow 4.
    assert!((fired / n as f64 - 0.3).abs() < 4.0 * (0.21f64 / n as f64).sqrt());
}

#[test]
fn syntax_round_trips_and_omits_defaults() {
    for s in [
        "",
        "hflip",
        EXAMPLE,
        "translate(x0.2_fill0.5)~crop(pad8_reflect)~crop(edge)~resizedcrop(smin0.5_rmax2_nearest_aa0_p0.5)",
        "vflip(p1)~resize(min0.25_max1_area)~resize(nearest_aa0_fill1)~saltpepper(amount0.1_pc1)~noise(sigma0_pc0)",
        "jitter(b0.4_c0.4_s0.4_h0.1)~rotate(deg360)~rotate(deg0)",
    ] {
        let p = Pipeline::parse(s).unwrap();
        assert_eq!(p.to_string(), s);
        assert_eq!(Pipeline::parse(&p.to_string()).unwrap(), p);
    }
    // Defaults are dropped, whitespace and spelled-out defaults normalise.
    assert_eq!(Pipeline::parse(" hflip(p0.5) ~ rotate( deg15 _ nearest ) ").unwrap().to_string(), "hflip~rotate");
    assert_eq!(Pipeline::parse("noise()").unwrap().to_string(), "noise");
    // Exponents and the shortest form: 1e-5 stays short, 0.50 becomes 0.5, 1e-3 and 0.001 are one value.
    assert_eq!(Pipeline::parse("noise(sigma1e-5)").unwrap().to_string(), "noise(sigma1e-5)");
    assert_eq!(Pipeline::parse("noise(sigma0.50)").unwrap().to_string(), "noise(sigma0.5)");
    assert_eq!(Pipeline::parse("noise(sigma0.001)").unwrap(), Pipeline::parse("noise(sigma1E-3)").unwrap());
    // Only characters encodeURIComponent leaves alone.
    let s = Pipeline::parse(EXAMPLE).unwrap().to_string();
    assert!(s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.!~*'()".contains(c)));
}

/// The text of a random valid step: every parameter drawn inside its range (words by index, flags 0/1, integers
/// whole), range pairs ordered, and a random probability.
fn random_step(rng: &mut Rng) -> String {
    let kind = Kind::ALL[rng.random_range(0..Kind::ALL.len())];
    let params = kind.params();
    let mut values: Vec<f64> = params
        .iter()
        .map(|p| match p.kind {
            ParamType::Number => p.min + (p.max - p.min) * rng.random::<f64>(),
            _ => rng.random_range(0..=p.max as u32) as f64,
        })
        .collect();
    for (lo, hi) in [("min", "max"), ("smin", "smax"), ("rmin", "rmax")] {
        let at = |k: &str| params.iter().position(|p| p.key == k);
        if let (Some(i), Some(j)) = (at(lo), at(hi))
            && values[i] > values[j]
        {
            values.swap(i, j);
        }
    }
    let mut args: Vec<String> = params
        .iter()
        .zip(&values)
        .map(|(p, v)| match p.kind {
            ParamType::Word(words) => words[*v as usize].to_string(),
            _ => format!("{}{v}", p.key),
        })
        .collect();
    args.push(format!("p{}", rng.random::<f64>()));
    format!("{}({})", kind.name(), args.join("_"))
}

fn random_pipeline(rng: &mut Rng) -> Pipeline {
    let n = rng.random_range(0..=6);
    let text: Vec<String> = (0..n).map(|_| random_step(rng)).collect();
    Pipeline::parse(&text.join("~")).unwrap_or_else(|e| panic!("{}: {e}", text.join("~")))
}

#[test]
fn random_pipelines_round_trip() {
    let mut rng = seeded(13);
    for _ in 0..300 {
        let p = random_pipeline(&mut rng);
        let text = p.to_string();
        let back = Pipeline::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(back, p, "{text}");
    }
}

fn parse_err(s: &str) -> String {
    Pipeline::parse(s).unwrap_err().to_string()
}

#[test]
fn syntax_errors_name_the_step_and_the_parameter() {
    assert_eq!(parse_err("hflip~rotate(deg400)"), "aug: step 2 (rotate): deg must be between 0 and 360, got 400");
    assert_eq!(parse_err("rotate(deg-30)"), "aug: step 1 (rotate): deg must be between 0 and 360, got -30");
    assert_eq!(parse_err("hflip(p1.5)"), "aug: step 1 (hflip): p must be between 0 and 1, got 1.5");
    assert_eq!(parse_err("noise(sigmaNaN)"), "aug: step 1 (noise): sigma must be a finite number, got NaN");
    assert_eq!(parse_err("hflip(pnan)"), "aug: step 1 (hflip): p must be a finite number, got NaN");
    assert_eq!(parse_err("noise(sigmainf)"), "aug: step 1 (noise): sigma must be a finite number, got inf");
    assert_eq!(
        parse_err("noise(sigma0.1x)"),
        "aug: step 1 (noise): sigma must be a number, got \"0.1x\" (write e.g. sigma0.1)"
    );
    assert_eq!(
        parse_err("hflip~blur(r3)"),
        "aug: step 2: unknown step \"blur\"; expected one of translate, crop, resizedcrop, hflip, vflip, rotate, resize, jitter, noise, saltpepper"
    );
    assert_eq!(
        parse_err("rotate(angle30)"),
        "aug: step 1 (rotate): unknown parameter \"angle30\"; rotate takes deg, fill, p followed by a number (e.g. deg15) and the options nearest, bilinear"
    );
    assert_eq!(
        parse_err("rotate(area)"),
        "aug: step 1 (rotate): unknown parameter \"area\"; rotate takes deg, fill, p followed by a number (e.g. deg15) and the options nearest, bilinear"
    );
    assert_eq!(parse_err("rotate(deg)"), "aug: step 1 (rotate): deg needs a value written right after it, e.g. deg15");
    assert_eq!(parse_err("rotate(deg10_deg20)"), "aug: step 1 (rotate): deg is given twice");
    assert_eq!(parse_err("rotate(nearest_bilinear)"), "aug: step 1 (rotate): interp is given twice");
    assert_eq!(
        parse_err("rotate(deg10__p1)"),
        "aug: step 1 (rotate): an empty argument; separate arguments with a single _"
    );
    assert_eq!(
        parse_err("rotate(deg10"),
        "aug: step 1 (rotate): the arguments must end with ) and nothing may follow it"
    );
    assert_eq!(
        parse_err("rotate(deg10)x"),
        "aug: step 1 (rotate): the arguments must end with ) and nothing may follow it"
    );
    assert_eq!(parse_err("hflip~~vflip"), "aug: step 2 is empty; separate steps with a single ~");
    assert_eq!(parse_err("hflip~"), "aug: step 2 is empty; separate steps with a single ~");
    assert_eq!(parse_err("crop(pad2.5)"), "aug: step 1 (crop): pad must be a whole number, got 2.5");
    assert_eq!(parse_err("noise(pc2)"), "aug: step 1 (noise): pc must be 0 or 1, got 2");
    assert_eq!(parse_err("resize(min2_max1)"), "aug: step 1 (resize): min (2) must not exceed max (1)");
    assert_eq!(parse_err("resizedcrop(rmin2_rmax1)"), "aug: step 1 (resizedcrop): rmin (2) must not exceed rmax (1)");
    assert_eq!(parse_err("jitter(h0.6)"), "aug: step 1 (jitter): h must be between 0 and 0.5, got 0.6");
    let many = ["hflip"; MAX_STEPS + 1].join("~");
    assert_eq!(parse_err(&many), "aug: 17 steps; at most 16");
    assert!(Pipeline::parse(&["hflip"; MAX_STEPS].join("~")).is_ok());
    let long = format!("noise(sigma0.{})", "1".repeat(1000));
    assert!(parse_err(&long).starts_with("aug: the pipeline is 1014 characters long; at most 1000"));
    let e = Pipeline::parse("rotate(deg400)").unwrap_err();
    assert_eq!(e.param, "aug");
    assert_eq!(
        (e.code, e.value("step"), e.value("max"), e.value("got")),
        ("out_of_range", Some(1.0), Some(360.0), Some(400.0))
    );
    let codes = [
        ("hflip~blur", "unknown_step"),
        ("rotate(angle30)", "unknown_parameter"),
        ("rotate(deg)", "missing_value"),
        ("noise(sigma0.1x)", "not_a_number"),
        ("rotate(deg10_deg20)", "duplicate_parameter"),
        ("crop(pad2.5)", "not_whole"),
        ("noise(pc2)", "not_flag"),
        ("resize(min2_max1)", "range_order"),
        ("hflip~~vflip", "empty_step"),
        ("rotate(deg10", "unclosed_arguments"),
        ("rotate(deg10__p1)", "empty_argument"),
    ];
    for (text, code) in codes {
        assert_eq!(Pipeline::parse(text).unwrap_err().code, code, "{text}");
    }
}

#[test]
fn grid_size_is_checked() {
    let pipe = Pipeline::parse("hflip").unwrap();
    let img = random_image(4, 4, 3, &mut seeded(0));
    assert_eq!(
        pipe.sample_grid(&img, 0, 1).unwrap_err().to_string(),
        "n: the number of samples must be between 1 and 64, got 0"
    );
    assert_eq!(pipe.sample_grid(&img, 65, 1).unwrap_err().param, "n");
    assert_eq!(pipe.sample_grid(&img, 64, 1).unwrap().len(), 64);
}

// ---------------------------------------------------------------- property tests

#[test]
fn random_pipelines_on_odd_sizes_never_panic_and_stay_in_range() {
    let mut rng = seeded(14);
    let sizes: Vec<(usize, usize)> = ODD_SIZES.iter().copied().chain([(1, 64), (64, 1), (3, 200)]).collect();
    for case in 0..400 {
        let p = random_pipeline(&mut rng);
        let (h, w) = sizes[case % sizes.len()];
        let c = if rng.random::<bool>() { 3 } else { 1 };
        let img = random_image(h, w, c, &mut rng);
        let (out, fired) = p.apply(&img, &mut rng);
        assert_eq!(out.dim(), (h, w, c), "{p} on {h}x{w}x{c}");
        assert!(in_range(&out), "{p} on {h}x{w}x{c}");
        assert!(fired.iter().all(|f| f.params.iter().all(|(_, v)| v.is_finite())));
    }
}

#[test]
fn extreme_parameters_on_odd_sizes_stay_in_range() {
    let extremes = [
        "translate(x1_y1_fill1)",
        "crop(pad256_reflect)~crop(pad256_edge)~crop(pad256)",
        "resizedcrop(smin0.001_smax0.001_rmin0.05_rmax0.05)~resizedcrop(smin1_rmin20_rmax20_area)",
        "rotate(deg360_bilinear_fill1)",
        "resize(min0.05_max0.05_area)~resize(min8_max8_bilinear)~resize(min0.05_max0.05_nearest_aa0)",
        "jitter(b5_c5_s5_h0.5)",
        "noise(sigma1)~saltpepper(amount1_pc1)",
    ];
    let mut rng = seeded(15);
    for text in extremes {
        let p = Pipeline::parse(text).unwrap();
        for (h, w) in ODD_SIZES.iter().copied().chain([(3, 300)]) {
            for c in [1, 3] {
                let img = random_image(h, w, c, &mut rng);
                let (out, _) = p.apply(&img, &mut rng);
                assert_eq!(out.dim(), (h, w, c), "{text}");
                assert!(in_range(&out), "{text} on {h}x{w}");
            }
        }
    }
    // An empty image passes through.
    let empty = Image::zeros((0, 5, 3));
    assert_eq!(Pipeline::parse(EXAMPLE).unwrap().apply(&empty, &mut rng).0, empty);
}

// ---------------------------------------------------------------- conversions, samples, realism, export

#[test]
fn rgba_conversions() {
    let rgba = [255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 255, 128];
    let img = augment::from_rgba8(&rgba, 3, 1).unwrap();
    assert_eq!(img.dim(), (1, 3, 3));
    assert_close(&img.slice(s![.., 0..1, ..]).to_owned(), &[1.0, 0.0, 0.0], 0.0);
    assert_close(&img.slice(s![.., 1..2, ..]).to_owned(), &[1.0, 1.0, 1.0], 0.0);
    // Half-transparent blue on white: a·c + (1 − a) with a = 128/255.
    let a = 128.0 / 255.0;
    assert_close(&img.slice(s![.., 2..3, ..]).to_owned(), &[1.0 - a, 1.0 - a, 1.0], 1e-6);
    assert_eq!(augment::to_rgba8(&img)[..8], [255, 0, 0, 255, 255, 255, 255, 255]);
    let grey = Array3::from_elem((1, 1, 1), 0.5f32);
    assert_eq!(augment::to_rgba8(&grey), vec![128, 128, 128, 255]);
    assert_eq!(
        augment::from_rgba8(&rgba, 2, 1).unwrap_err().to_string(),
        "image: expected 8 RGBA bytes for 2×1 pixels, got 12"
    );
    assert_eq!(augment::from_rgba8(&[], 0, 0).unwrap_err().to_string(), "image: the image is empty (0×0 pixels)");
    assert!(augment::from_rgba8(&[], MAX_SIDE + 1, 1).is_err());
}

#[test]
fn samples_exist_and_the_six_has_its_loop_at_the_bottom() {
    for name in samples::NAMES {
        let img = samples::by_name(name).unwrap();
        assert_eq!((img.dim().0, img.dim().1), (samples::SIZE, samples::SIZE), "{name}");
        assert!(in_range(&img), "{name}");
        if name != "zoneplate" {
            assert_ne!(geometric::hflip(&img), img, "{name} is not mirror-symmetric");
        }
    }
    assert_eq!(
        samples::by_name("cat").unwrap_err().to_string(),
        "sample: unknown sample \"cat\"; expected one of digit6, arrow, scene, zoneplate"
    );
    // A 6 has more ink below the middle than above; upside down (a 9) it is the other way round.
    let six = samples::by_name("digit6").unwrap();
    let half = samples::SIZE / 2;
    let ink = |img: &Image, rows: std::ops::Range<usize>| img.slice(s![rows, .., ..]).sum();
    assert!(ink(&six, half..samples::SIZE) > 1.3 * ink(&six, 0..half));
    let nine = geometric::rotate(&six, 180.0, Interpolation::Nearest, Border::Constant(0.0));
    assert!(ink(&nine, 0..half) > 1.3 * ink(&nine, half..samples::SIZE));
    // Rotating by 180° is flipping both ways.
    assert_eq!(nine, geometric::vflip(&geometric::hflip(&six)));
}

fn keys(pipeline: &str, sample: Option<&str>) -> Vec<&'static str> {
    Pipeline::parse(pipeline).unwrap().label_risks(sample).into_iter().map(|r| r.key).collect()
}

#[test]
fn label_risks_flag_changes_of_meaning() {
    assert_eq!(keys("vflip", Some("digit6")), ["vflip_digit_6_9"]);
    assert_eq!(keys("rotate(deg180)", Some("digit6")), ["rotation_digit_6_9"]);
    assert_eq!(keys("rotate(deg180)", None), ["rotation_over_90"]);
    assert_eq!(keys("rotate(deg90)", Some("digit6")), Vec::<&str>::new(), "up to 90° is allowed");
    assert_eq!(keys("hflip", Some("arrow")), ["hflip_text_mirror"]);
    assert_eq!(keys("hflip", Some("scene")), Vec::<&str>::new());
    assert_eq!(keys("vflip(p0)~hflip(p0)", Some("digit6")), Vec::<&str>::new(), "steps that never run");
    assert_eq!(keys("vflip", Some("scene")), ["vflip_scene_upside_down"]);
    assert_eq!(keys("vflip", None), ["vflip_orientation"]);
    assert_eq!(keys("translate(x0.3)~resizedcrop", None), ["large_shift", "small_crop"]);
    assert_eq!(keys("resize(min0.25_nearest)~resize(min0.25)~resize(min0.25_aa0)", None), ["aliasing", "aliasing"]);
    assert_eq!(
        keys("jitter(b0.8_h0.2)~noise(sigma0.2)~saltpepper(amount0.3)", None),
        ["strong_jitter", "hue_shift", "heavy_noise", "heavy_noise"]
    );
    assert_eq!(keys(EXAMPLE, Some("scene")), Vec::<&str>::new());
    let r = Pipeline::parse("hflip~vflip").unwrap().label_risks(Some("digit6"));
    assert_eq!(r[1], Risk { key: "vflip_digit_6_9", step: 1 });
    // Every key has text in both languages, and they differ.
    for key in Risk::keys() {
        let risk = Risk { key, step: 0 };
        let (en, ko) = (risk.message(Lang::En), risk.message(Lang::Ko));
        assert!(!en.is_empty() && !ko.is_empty() && en != ko, "{key}");
    }
    for family in FAMILIES {
        let (en, ko) = (realism::note(family, Lang::En).unwrap(), realism::note(family, Lang::Ko).unwrap());
        assert!(en.len() > 40 && ko.len() > 40 && en != ko, "{family}");
    }
    for kind in Kind::ALL {
        assert!(FAMILIES.contains(&kind.family()));
    }
    assert_eq!(realism::note("blur", Lang::En), None);
}

#[test]
fn export_writes_torchvision_and_albumentations_calls() {
    let p = Pipeline::parse(EXAMPLE).unwrap();
    let tv = export::torchvision(&p, (224, 224));
    assert!(tv.contains("v2.ToDtype(torch.float32, scale=True)"), "{tv}");
    assert!(tv.contains("    v2.RandomHorizontalFlip(p=0.5),\n"), "{tv}");
    assert!(
        tv.contains(
            "v2.RandomApply([v2.RandomRotation(degrees=30, interpolation=InterpolationMode.BILINEAR)], p=0.8),"
        ),
        "{tv}"
    );
    assert!(tv.contains("v2.ColorJitter(brightness=0.4, contrast=0.4),"), "{tv}");
    assert!(tv.contains("v2.GaussianNoise(sigma=0.05),"), "{tv}");
    let al = export::albumentations(&p, (224, 224));
    assert!(al.contains("A.HorizontalFlip(p=0.5),"), "{al}");
    assert!(
        al.contains("A.Rotate(limit=30, interpolation=cv2.INTER_LINEAR, border_mode=cv2.BORDER_CONSTANT, p=0.8),"),
        "{al}"
    );
    assert!(al.contains("A.ColorJitter(brightness=0.4, contrast=0.4, saturation=0, hue=0, p=1),"), "{al}");
    assert!(al.contains("A.GaussNoise(std_range=(0.05, 0.05), mean_range=(0, 0), per_channel=True, p=1),"), "{al}");

    let p = Pipeline::parse(
        "translate(x0.2)~crop(pad4_reflect_p0.5)~resizedcrop(area)~saltpepper(amount0.1)~resize(fill1)",
    )
    .unwrap();
    let tv = export::torchvision(&p, (32, 48));
    assert!(tv.contains("v2.RandomAffine(degrees=0, translate=(0.2, 0.1)),"), "{tv}");
    assert!(
        tv.contains("v2.RandomApply([v2.RandomCrop(size=(32, 48), padding=4, padding_mode=\"reflect\")], p=0.5),"),
        "{tv}"
    );
    assert!(tv.contains("def salt_and_pepper(img, amount, per_channel):"), "{tv}");
    // resize is the zoom it is, not RandomAffine(scale=…), which would skip the antialiasing filter.
    assert!(tv.contains("def zoom(img, min_factor, max_factor, interpolation, antialias, fill=0.0):"), "{tv}");
    assert!(
        tv.contains(
            "v2.Lambda(lambda img: zoom(img, 0.5, 2, interpolation=InterpolationMode.BILINEAR, antialias=True, fill=1)),\n"
        ),
        "{tv}"
    );
    assert!(!tv.contains("RandomAffine(degrees=0, scale"), "{tv}");
    let al = export::albumentations(&p, (32, 48));
    assert!(al.contains("A.Affine(translate_percent={\"x\": (-0.2, 0.2), \"y\": (-0.1, 0.1)}"), "{al}");
    assert!(al.contains("A.PadIfNeeded(min_height=40, min_width=56, border_mode=cv2.BORDER_REFLECT_101, p=1.0), A.RandomCrop(height=32, width=48, p=1.0)], p=0.5)"), "{al}");
    assert!(al.contains("A.RandomResizedCrop(size=(32, 48), scale=(0.08, 1), ratio=(0.75, 1.3333333333333333), interpolation=cv2.INTER_AREA, p=1)"), "{al}");
    assert!(al.contains("A.SaltAndPepper(amount=(0.1, 0.1), salt_vs_pepper=(0.5, 0.5), p=1)"), "{al}");
    assert!(al.contains("fill=255"), "fill scaled to uint8: {al}");
}

/// The benchmark pipeline's pixels, pinned (tests/common) so that the wasm build (SIMD kernels) can be checked against
/// the native one (scalar twins): tests/augment_wasm.rs asserts the same constant.
#[test]
fn native_grid_hash_matches_wasm() {
    assert_eq!(common::grid_hash(common::BENCH_PIPELINE, 7), common::BENCH_GRID_HASH);
}

/// The tile badge: what a tile's drawn steps did to its orientation (composed in O(2)), where that can change the
/// label of its source.
#[test]
fn tile_label_risk_composes_the_drawn_flips_and_rotations() {
    use cnn_playground::augment::{FiredStep, realism::tile_label_risk};
    let step = |name: &'static str, angle: Option<f64>| FiredStep {
        index: 0,
        name,
        params: angle.map(|a| vec![("angle", a)]).unwrap_or_default(),
    };
    let risk = |steps: &[FiredStep], sample: Option<&str>| tile_label_risk(steps, sample);
    let six = Some("digit6");
    assert_eq!(risk(&[step("vflip", None)], six), Some("upside_down_mirrored"), "a vflipped 6 reads as a mirrored 9");
    assert_eq!(risk(&[step("rotate", Some(180.0))], six), Some("upside_down"), "a 6 turned by 180° reads as a true 9");
    assert_eq!(risk(&[step("rotate", Some(170.0))], six), Some("upside_down"));
    assert_eq!(risk(&[step("rotate", Some(-95.0))], six), Some("upside_down"));
    assert_eq!(risk(&[step("rotate", Some(30.0))], six), None);
    assert_eq!(risk(&[step("hflip", None)], six), Some("mirrored"));
    // vflip then a rotation by 180° is a left–right mirror: not upside down, but mirrored.
    assert_eq!(risk(&[step("vflip", None), step("rotate", Some(180.0))], six), Some("mirrored"));
    // Two flips are a rotation by 180°: upside down, not mirrored.
    assert_eq!(risk(&[step("hflip", None), step("vflip", None)], six), Some("upside_down"));
    assert_eq!(risk(&[step("rotate", Some(100.0)), step("rotate", Some(-20.0))], six), None, "80° in total");
    // The scene has no label an orientation changes; an own image only counts turning upside down.
    assert_eq!(risk(&[step("vflip", None)], Some("scene")), None);
    assert_eq!(risk(&[step("hflip", None)], None), None);
    assert_eq!(risk(&[step("vflip", None)], None), Some("upside_down"));
    assert_eq!(risk(&[step("vflip", None)], Some("arrow")), Some("upside_down_mirrored"));
    assert_eq!(risk(&[step("hflip", None)], Some("arrow")), Some("mirrored"), "the arrow points the other way");
}
