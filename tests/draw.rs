//! The drawing pad's core (src/draw.rs): strokes → 32×32 bitmap → 4×4 block counts → the model's input, the
//! prediction, bounds on input from outside, and the shipped digits model (`make digits-model`) bit for bit.

use cnn_playground::data::digits::DIGITS_BIN;
use cnn_playground::data::{DIGITS_SPLIT, Digits, Split};
use cnn_playground::draw::{
    self, Drawing, FIELD, MAX_COORD, MAX_POINTS, MAX_STROKES, PEN_RADIUS, SIDE, count_blocks, model_input,
};
use cnn_playground::nn::loss::argmax;
use cnn_playground::nn::model::Model;
use cnn_playground::run::train::INPUT;
use cnn_playground::transfer::sha256::sha256_hex;

const SHIPPED: &str = "www/data/digits-model.safetensors";

fn shipped() -> Vec<u8> {
    std::fs::read(format!("{}/{SHIPPED}", env!("CARGO_MANIFEST_DIR"))).expect("the shipped digits model")
}

fn shipped_model() -> Model {
    draw::model_with_weights(&Default::default(), &shipped()).unwrap()
}

/// One stroke through `points`.
fn stroke(points: &[(f64, f64)]) -> Drawing {
    strokes(&[points])
}

fn strokes(list: &[&[(f64, f64)]]) -> Drawing {
    let coords: Vec<f64> = list.iter().flat_map(|s| s.iter().flat_map(|&(x, y)| [x, y])).collect();
    let lengths: Vec<u32> = list.iter().map(|s| s.len() as u32).collect();
    Drawing::new(&coords, &lengths).unwrap()
}

/// A ring ("0") as a closed polyline of 48 points, taller than wide, centred at (cx, cy).
fn ring(cx: f64, cy: f64, rx: f64, ry: f64) -> Vec<(f64, f64)> {
    (0..=48)
        .map(|i| {
            let a = i as f64 / 48.0 * std::f64::consts::TAU;
            (cx + rx * a.cos(), cy + ry * a.sin())
        })
        .collect()
}

/// A "7": the bar and the diagonal, one stroke.
fn seven() -> Vec<(f64, f64)> {
    vec![(10.0, 10.0), (70.0, 10.0), (62.0, 30.0), (40.0, 90.0)]
}

fn counts(d: &Drawing) -> [u8; 64] {
    d.digit().unwrap()
}

// ------------------------------------------------------------------ counting

/// A hand-made 32×32 bitmap: block (0, 0) full, block (7, 7) one pixel, block (3, 5) its diagonal, block (2, 1) one
/// row and a stray pixel; every other block empty.
#[test]
fn blocks_count_the_on_pixels_of_a_hand_made_bitmap() {
    let mut bits = vec![0u8; FIELD * FIELD];
    let mut on = |y: usize, x: usize| bits[y * FIELD + x] = 1;
    for y in 0..4 {
        for x in 0..4 {
            on(y, x);
        }
    }
    on(31, 31);
    for i in 0..4 {
        on(12 + i, 20 + i);
    }
    for x in 4..8 {
        on(9, x);
    }
    on(11, 7);
    let c = count_blocks(&bits);
    let mut expected = [0u8; 64];
    expected[0] = 16;
    expected[63] = 1;
    expected[3 * 8 + 5] = 4;
    expected[2 * 8 + 1] = 5;
    assert_eq!(c, expected);
    // Any non-zero value counts as on.
    bits[0] = 255;
    assert_eq!(count_blocks(&bits)[0], 16);
}

/// A horizontal line, by hand. Its extent (x) is scaled to 32 − 2·r = 28 pixels, so the pen's centre line runs from
/// x = 2 to x = 30 at y = 16 (the field's middle). Pixel centres are at k + ½: rows 15 and 16 are ½ from the line,
/// rows 14 and 17 are 1½ (within r = 2), rows 13 and 18 are 2½ (off). Along the rows the round caps reach: rows
/// 15/16 every x (x = 0: ½ + 1½ → √(1.5² + 0.5²) = 1.58), rows 14/17 x = 1 … 30 (x = 0: √(1.5² + 1.5²) = 2.12).
/// Blocks of rows 12–15 and 16–19 then hold 3 + 4 = 7 at both ends (x 0–3, 28–31) and 4 + 4 = 8 between.
#[test]
fn a_horizontal_line_gives_the_hand_computed_counts() {
    assert_eq!(PEN_RADIUS, 2.0, "the hand computation assumes r = 2");
    let line = [7, 8, 8, 8, 8, 8, 8, 7];
    let mut expected = [0u8; 64];
    expected[3 * 8..4 * 8].copy_from_slice(&line);
    expected[4 * 8..5 * 8].copy_from_slice(&line);
    assert_eq!(counts(&stroke(&[(100.0, 50.0), (160.0, 50.0)])), expected);
    // A "1" as a vertical line: the same, transposed (columns 3 and 4).
    let mut one = [0u8; 64];
    for (y, &v) in line.iter().enumerate() {
        one[y * 8 + 3] = v;
        one[y * 8 + 4] = v;
    }
    assert_eq!(counts(&stroke(&[(40.0, 10.0), (40.0, 90.0)])), one);
    // Its bitmap: 2 rows of 32 and 2 of 30 pixels, as counted above.
    let bits = stroke(&[(0.0, 0.0), (5.0, 0.0)]).bitmap().unwrap();
    let row = |y: usize| bits[y * FIELD..(y + 1) * FIELD].iter().filter(|&&b| b == 1).count();
    assert_eq!((row(13), row(14), row(15), row(16), row(17), row(18)), (0, 30, 32, 32, 30, 0));
}

/// A dot (no extent) is a disc of radius 2 at the centre: the 12 pixel centres within 2 of (16, 16), 3 in each of
/// the four blocks that meet there.
#[test]
fn a_dot_is_drawn_at_the_centre() {
    let mut expected = [0u8; 64];
    for i in [3 * 8 + 3, 3 * 8 + 4, 4 * 8 + 3, 4 * 8 + 4] {
        expected[i] = 3;
    }
    assert_eq!(counts(&stroke(&[(5.0, 5.0)])), expected);
    assert_eq!(counts(&stroke(&[(5.0, 5.0), (5.0, 5.0), (5.0, 5.0)])), expected);
}

// ------------------------------------------------------------------ normalization

/// Where a digit is drawn and how large does not change its 8×8: each drawing shifted by whole numbers and scaled by
/// powers of two (exact in binary, so the normalized coordinates are the same bits) gives the same counts; so does
/// a scale of 3 here (its rounding moves no pixel centre across the pen's edge).
#[test]
fn the_counts_do_not_depend_on_position_or_size() {
    let shapes: Vec<Vec<Vec<(f64, f64)>>> = vec![
        vec![ring(50.0, 50.0, 30.0, 40.0)],
        vec![seven()],
        vec![vec![(10.0, 10.0), (10.0, 80.0)], vec![(0.0, 40.0), (25.0, 40.0)]], // a "+"-like two strokes
    ];
    for shape in &shapes {
        let refs: Vec<&[(f64, f64)]> = shape.iter().map(Vec::as_slice).collect();
        let base = counts(&strokes(&refs));
        assert!(base.iter().map(|&v| v as u32).sum::<u32>() > 100, "{base:?}");
        for (scale, dx, dy) in
            [(1.0, 137.0, -41.0), (2.0, 0.0, 0.0), (0.25, 3.0, 900.0), (4.0, -512.0, 7.0), (3.0, 0.0, 0.0)]
        {
            let moved: Vec<Vec<(f64, f64)>> =
                shape.iter().map(|s| s.iter().map(|&(x, y)| (x * scale + dx, y * scale + dy)).collect()).collect();
            let refs: Vec<&[(f64, f64)]> = moved.iter().map(Vec::as_slice).collect();
            assert_eq!(counts(&strokes(&refs)), base, "scale {scale}, shift ({dx}, {dy})");
        }
    }
}

/// The longer side fills the field and the digit is centred, as every image of the data set is (all 1,797 have ink
/// in the first and the last row): a tall ring has ink in rows 0 and 7 and in the middle columns only, a wide one in
/// columns 0 and 7; both are symmetric about the centre.
#[test]
fn the_longer_side_fills_the_field_and_the_digit_is_centred() {
    let tall = counts(&stroke(&ring(0.0, 0.0, 20.0, 40.0)));
    let row = |d: &[u8; 64], y: usize| d[y * 8..y * 8 + 8].iter().map(|&v| v as u32).sum::<u32>();
    let col = |d: &[u8; 64], x: usize| (0..8).map(|y| d[y * 8 + x] as u32).sum::<u32>();
    assert!(row(&tall, 0) > 0 && row(&tall, 7) > 0);
    assert_eq!((col(&tall, 0), col(&tall, 7)), (0, 0), "{tall:?}");
    for i in 0..8 {
        assert_eq!(col(&tall, i), col(&tall, 7 - i), "column {i} of {tall:?}");
    }
    let wide = counts(&stroke(&ring(0.0, 0.0, 40.0, 20.0)));
    assert!(col(&wide, 0) > 0 && col(&wide, 7) > 0);
    assert_eq!((row(&wide, 0), row(&wide, 7)), (0, 0));
    // Every count is 0 … 16.
    assert!(tall.iter().chain(&wide).all(|&v| v <= 16));
}

// ------------------------------------------------------------------ input from outside

#[test]
fn bad_drawings_are_refused_with_a_code_never_a_panic() {
    let code = |coords: &[f64], lengths: &[u32]| Drawing::new(coords, lengths).unwrap_err();
    let e = code(&[0.0, f64::NAN], &[1]);
    assert_eq!((e.param.as_str(), e.code, e.value("index")), ("drawing", "not_finite", Some(1.0)));
    assert_eq!(code(&[f64::INFINITY, 0.0], &[1]).code, "not_finite");
    let e = code(&[0.0, 0.0, 1e300, 5.0], &[2]);
    assert_eq!((e.code, e.value("got"), e.value("max")), ("out_of_range", Some(1e300), Some(MAX_COORD)));
    assert_eq!(code(&[0.0, -1e7], &[1]).code, "out_of_range");
    assert_eq!(code(&[0.0, 0.0, 1.0], &[1]).code, "wrong_length");
    assert_eq!(code(&[0.0, 0.0], &[2]).code, "wrong_length");
    assert_eq!(code(&[0.0, 0.0], &[u32::MAX, 1]).code, "wrong_length"); // no overflow: summed as u64
    let many = vec![0.0; 2 * MAX_POINTS + 2];
    assert_eq!(code(&many, &[MAX_POINTS as u32 + 1]).code, "too_large");
    assert_eq!(code(&[], &vec![0; MAX_STROKES + 1]).code, "too_large");
    // The largest allowed drawing is drawn.
    let big: Vec<f64> = (0..2 * MAX_POINTS).map(|i| (i % 97) as f64 * MAX_COORD / 100.0).collect();
    assert!(Drawing::new(&big, &[MAX_POINTS as u32]).unwrap().digit().is_ok());
    // Empty: no points at all, or strokes without points; a clear error, not a panic and not a blank digit.
    for d in [Drawing::new(&[], &[]).unwrap(), Drawing::new(&[], &[0, 0]).unwrap()] {
        assert!(d.is_empty());
        let e = d.digit().unwrap_err();
        assert_eq!((e.param.as_str(), e.code), ("drawing", "empty_drawing"));
    }
    // Extreme but allowed coordinates: a tiny extent and the largest span.
    assert!(stroke(&[(0.0, 0.0), (1e-300, 1e-300)]).digit().is_ok());
    assert!(stroke(&[(-MAX_COORD, -MAX_COORD), (MAX_COORD, MAX_COORD)]).digit().is_ok());
}

// ------------------------------------------------------------------ the model's preprocessing and prediction

/// A digit's model input is the data set's own: the shipped images through `model_input` are exactly the images of
/// `Digits::to_dataset` (the same function, the same bits).
#[test]
fn the_model_input_is_the_data_sets_preprocessing() {
    let digits = Digits::embedded();
    let data = digits.to_dataset(INPUT.h, INPUT.w).unwrap();
    for i in [0, 1, 17, 1796] {
        let digit: [u8; 64] = digits.pixels(i).try_into().unwrap();
        let x = model_input(&digit, INPUT).unwrap();
        assert_eq!(x.as_slice(), data.image(i), "image {i}");
    }
    let mut rgb = INPUT;
    rgb.c = 3;
    assert_eq!(model_input(&[0; 64], rgb).unwrap_err().code, "wrong_input");
}

/// Probabilities sum to 1 within rounding (10 terms of relative error 2⁻⁵³ each, plus the division), the top class
/// is their argmax and the logits', every layer has its map, and a count above 16 is refused.
#[test]
fn a_prediction_has_probabilities_a_top_class_and_every_layers_maps() {
    let mut model = shipped_model();
    for d in [stroke(&ring(0.0, 0.0, 30.0, 40.0)), stroke(&seven()), stroke(&[(0.0, 0.0), (0.0, 10.0)])] {
        let p = draw::predict(&mut model, &d.digit().unwrap()).unwrap();
        assert_eq!(p.probs.len(), 10);
        let sum: f64 = p.probs.iter().sum();
        assert!((sum - 1.0).abs() <= 16.0 * f64::EPSILON, "sum {sum}");
        assert!(p.probs.iter().all(|&q| (0.0..=1.0).contains(&q)));
        assert!(p.probs.iter().all(|&q| q <= p.probs[p.top]));
        assert_eq!(p.top, argmax(p.maps.last().unwrap()));
        assert_eq!(p.maps.len(), model.plans().len());
        for (m, plan) in p.maps.iter().zip(model.plans()) {
            assert_eq!(m.len(), plan.output.len());
        }
        assert_eq!(p.input.len(), INPUT.h * INPUT.w);
    }
    let mut bad = [0u8; 64];
    bad[5] = 17;
    let e = draw::predict(&mut model, &bad).unwrap_err();
    assert_eq!((e.param.as_str(), e.code), ("digit", "out_of_range"));
}

/// The shipped model reads drawn digits: a ring is a 0, a vertical line a 1, the "7" above a 7.
#[test]
fn the_shipped_model_reads_simple_drawn_digits() {
    let mut model = shipped_model();
    let top = |d: Drawing, model: &mut Model| draw::predict(model, &d.digit().unwrap()).unwrap().top;
    assert_eq!(top(stroke(&ring(0.0, 0.0, 30.0, 40.0)), &mut model), 0);
    assert_eq!(top(stroke(&[(40.0, 10.0), (40.0, 90.0)]), &mut model), 1);
    assert_eq!(top(stroke(&seven()), &mut model), 7);
}

// ------------------------------------------------------------------ the shipped model

/// `make digits-model` reproduces the shipped file bit for bit, and the file reaches the stated accuracy on the
/// validation split (the whole training split, 30 epochs: it must beat the linear model's ≈ 0.95 of
/// CLARIFICATIONS.md).
#[test]
fn the_digits_model_command_reproduces_the_shipped_file() {
    let (weights, acc) = draw::train_digits_model(DIGITS_BIN, |_, _| {}).unwrap();
    let file = shipped();
    assert_eq!(sha256_hex(&file), sha256_hex(&weights), "the shipped file differs from `make digits-model`'s");
    assert!(acc > 0.95, "validation accuracy {acc}");
    // The file, loaded, predicts the validation images as the run measured.
    let mut model = shipped_model();
    let digits = Digits::embedded();
    let split =
        Split::stratified(&digits.labels().iter().map(|&l| l as u32).collect::<Vec<_>>(), 10, &DIGITS_SPLIT).unwrap();
    let correct = split
        .val
        .iter()
        .filter(|&&i| {
            let digit: [u8; 64] = digits.pixels(i).try_into().unwrap();
            draw::predict(&mut model, &digit).unwrap().top == digits.labels()[i] as usize
        })
        .count();
    assert_eq!(correct as f64 / split.val.len() as f64, acc);
    assert_eq!(SIDE, 8);
}
