//! The data module: the shipped digits (parsing, validation, upsampling), splits, the symbol generator and the
//! batcher. References are independent: the UCI class counts, a direct f64 formula for the bilinear mapping, a
//! nearest-centroid classifier and a least-squares linear classifier.

use cnn_playground::data::digits::{DIGITS_BIN, fnv1a32};
use cnn_playground::data::{DIGITS_SPLIT, Dataset, Digits, Split, SplitSpec};

/// The UCI test set's images per digit 0…9 (optdigits.tes).
const UCI_TEST_COUNTS: [usize; 10] = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180];

mod data_pins;
use data_pins::{DIGITS_SPLIT_FINGERPRINT, SMALL_SET_HASH, dataset_hash, small_config as small};

// ---------------------------------------------------------------------------------------------------- digits file

#[test]
fn shipped_digits_parse_with_the_uci_test_counts() {
    let d = Digits::parse(DIGITS_BIN).unwrap();
    assert_eq!((d.len(), d.height(), d.width(), d.max_value(), d.classes()), (1797, 8, 8, 16, 10));
    assert_eq!(d.class_counts(), UCI_TEST_COUNTS);
    // The first row of scikit-learn's digits.csv.gz, a 0.
    let first: [u8; 16] = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0];
    assert_eq!(&d.pixels(0)[..16], &first);
    assert_eq!(d.labels()[..4], [0, 1, 2, 3]);
    assert_eq!(d, Digits::embedded());
    // Every pixel value 0..=16 occurs, and 16 is the maximum.
    let mut seen = [false; 17];
    (0..d.len()).flat_map(|i| d.pixels(i).to_vec()).for_each(|p| seen[p as usize] = true);
    assert!(seen.iter().all(|&s| s));
}

/// The shipped bytes with the body changed by `edit` and the checksum made to match again, so a later check fires.
fn resealed(edit: impl FnOnce(&mut [u8])) -> Vec<u8> {
    let mut bytes = DIGITS_BIN.to_vec();
    edit(&mut bytes[16..]);
    let sum = fnv1a32(&bytes[16..]);
    bytes[12..16].copy_from_slice(&sum.to_le_bytes());
    bytes
}

fn code_of(bytes: &[u8]) -> &'static str {
    let err = Digits::parse(bytes).expect_err("corrupt bytes must be rejected");
    assert_eq!(err.param, "data");
    err.code
}

#[test]
fn corrupt_digits_are_rejected_with_a_code() {
    let good = DIGITS_BIN;
    for len in (0..40).chain([good.len() / 2, good.len() - 1]) {
        assert_eq!(code_of(&good[..len]), "truncated", "{len} bytes");
    }
    let mut longer = good.to_vec();
    longer.push(0);
    assert_eq!(code_of(&longer), "wrong_length");
    let with = |i: usize, v: u8| {
        let mut b = good.to_vec();
        b[i] = v;
        b
    };
    assert_eq!(code_of(&with(0, b'X')), "bad_magic");
    assert_eq!(code_of(&with(4, 2)), "unsupported_version");
    for (i, v) in [(5, 0), (6, 0), (7, 0), (10, 0), (11, 1)] {
        assert_eq!(code_of(&with(i, v)), "bad_header", "byte {i} = {v}");
    }
    // A different size in the header no longer matches the length.
    assert_eq!(code_of(&with(5, 9)), "truncated");
    assert_eq!(code_of(&with(8, 0x04)), "wrong_length");
    assert_eq!(code_of(&with(100, good[100] ^ 1)), "checksum");
    assert_eq!(code_of(&with(good.len() - 1, good[good.len() - 1] ^ 1)), "checksum");
    let err = Digits::parse(&resealed(|body| body[70] = 17)).unwrap_err();
    assert_eq!((err.code, err.value("index"), err.value("got")), ("pixel_out_of_range", Some(70.0), Some(17.0)));
    let err = Digits::parse(&resealed(|body| body[1797 * 64 + 5] = 10)).unwrap_err();
    assert_eq!((err.code, err.value("index"), err.value("got")), ("label_out_of_range", Some(5.0), Some(10.0)));
    // The message names the file and is readable.
    assert!(Digits::parse(&good[..3]).unwrap_err().message.contains("digits file"));
}

#[test]
fn random_corruption_never_panics() {
    let mut rng = cnn_playground::rng::seeded(7);
    for case in 0..300 {
        let mut bytes = DIGITS_BIN.to_vec();
        // Overwrite a few random bytes, then cut at a random length (sometimes none).
        let hits = 1 + cnn_playground::rng::below(&mut rng, 4) as usize;
        for _ in 0..hits {
            let at = cnn_playground::rng::below(&mut rng, 32) as usize;
            let at = if case % 2 == 0 { at } else { cnn_playground::rng::below(&mut rng, bytes.len() as u64) as usize };
            bytes[at] = cnn_playground::rng::below(&mut rng, 256) as u8;
        }
        let cut = cnn_playground::rng::below(&mut rng, bytes.len() as u64 + 200) as usize;
        bytes.truncate(cut);
        match Digits::parse(&bytes) {
            Ok(d) => assert_eq!(d.len() * (d.height() * d.width() + 1) + 16, bytes.len()),
            Err(e) => assert_eq!(e.param, "data"),
        }
    }
}

// ---------------------------------------------------------------------------------------------------- upsampling

/// PyTorch's bilinear interpolation with align_corners=False, written directly in f64 for one output pixel.
fn bilinear_reference(src: &[u8], side: usize, out_h: usize, out_w: usize, i: usize, j: usize) -> f64 {
    let coord = |o: usize, n_out: usize| ((o as f64 + 0.5) * side as f64 / n_out as f64 - 0.5).max(0.0);
    let (y, x) = (coord(i, out_h), coord(j, out_w));
    let (y0, x0) = ((y.floor() as usize).min(side - 1), (x.floor() as usize).min(side - 1));
    let (y1, x1) = ((y0 + 1).min(side - 1), (x0 + 1).min(side - 1));
    let (wy, wx) = (y - y0 as f64, x - x0 as f64);
    let p = |r: usize, c: usize| src[r * side + c] as f64 / 16.0;
    (1.0 - wy) * ((1.0 - wx) * p(y0, x0) + wx * p(y0, x1)) + wy * ((1.0 - wx) * p(y1, x0) + wx * p(y1, x1))
}

#[test]
fn upsampling_is_bilinear_with_half_pixel_centres() {
    let d = Digits::embedded();
    for (h, w) in [(28, 28), (8, 8), (32, 20), (5, 3)] {
        let ds = d.to_dataset(h, w).unwrap();
        assert_eq!((ds.len(), ds.channels(), ds.height(), ds.width(), ds.classes()), (1797, 1, h, w, 10));
        for n in [0, 1, 500, 1796] {
            let img = ds.image(n);
            for i in 0..h {
                for j in 0..w {
                    let want = bilinear_reference(d.pixels(n), 8, h, w, i, j);
                    assert!((img[i * w + j] as f64 - want).abs() < 2e-6, "{h}×{w} image {n} at ({i}, {j})");
                }
            }
        }
    }
    // A valid file of 65,535 images is refused before 28×28 upsampling would allocate past MAX_VALUES.
    let mut big = DIGITS_BIN[..16].to_vec();
    big[8..10].copy_from_slice(&u16::MAX.to_le_bytes());
    big.extend((0..65_535 * 64).map(|i| (i % 17) as u8));
    big.extend((0..65_535).map(|i| (i % 10) as u8));
    let sum = fnv1a32(&big[16..]);
    big[12..16].copy_from_slice(&sum.to_le_bytes());
    let many = Digits::parse(&big).unwrap();
    assert_eq!(many.len(), 65_535);
    assert_eq!(many.to_dataset(28, 28).unwrap_err().code, "too_large");
    assert_eq!(many.to_dataset(8, 8).unwrap().len(), 65_535);
    // 8×8 → 8×8 is the identity (divided by 16).
    let same = d.to_dataset(8, 8).unwrap();
    assert!(same.image(3).iter().zip(d.pixels(3)).all(|(&v, &p)| v == p as f32 / 16.0));
    for bad in [0, 257] {
        let err = d.to_dataset(bad, 28).unwrap_err();
        assert_eq!((err.param.as_str(), err.code), ("size", "out_of_range"));
    }
}

// ---------------------------------------------------------------------------------------------------- splits

fn digits_labels() -> Vec<u32> {
    Digits::embedded().labels().iter().map(|&l| l as u32).collect()
}

fn per_class(indices: &[usize], labels: &[u32]) -> Vec<usize> {
    let mut c = vec![0; 10];
    indices.iter().for_each(|&i| c[labels[i] as usize] += 1);
    c
}

#[test]
fn digits_split_is_stratified_disjoint_and_pinned() {
    let labels = digits_labels();
    let s = Split::stratified(&labels, 10, &DIGITS_SPLIT).unwrap();
    assert_eq!((s.train.len(), s.val.len()), (1346, 451));
    let mut all: Vec<usize> = s.train.iter().chain(&s.val).copied().collect();
    all.sort_unstable();
    assert_eq!(all, (0..1797).collect::<Vec<_>>(), "disjoint and complete");
    let want_val: Vec<usize> = UCI_TEST_COUNTS.iter().map(|&n| (0.25 * n as f64 + 0.5).floor() as usize).collect();
    assert_eq!(per_class(&s.val, &labels), want_val);
    assert!(s.train.windows(2).all(|w| w[0] < w[1]) && s.val.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(s, Split::stratified(&labels, 10, &DIGITS_SPLIT).unwrap(), "same seed, same split");
    assert_eq!(s.fingerprint(), DIGITS_SPLIT_FINGERPRINT, "a changed split must change the bench script too");
}

#[test]
fn smaller_training_sets_keep_the_validation_set() {
    let labels = digits_labels();
    let full = Split::stratified(&labels, 10, &DIGITS_SPLIT).unwrap();
    let mut previous = Vec::new();
    for n in [1, 3, 10, 100, 1000] {
        let spec = SplitSpec { train_per_class: Some(n), ..DIGITS_SPLIT };
        let s = Split::stratified(&labels, 10, &spec).unwrap();
        assert_eq!(s.val, full.val);
        let want: Vec<usize> = per_class(&full.train, &labels).iter().map(|&c| c.min(n)).collect();
        assert_eq!(per_class(&s.train, &labels), want);
        // Nested: a larger size per class adds images, it does not replace them.
        assert!(previous.iter().all(|i| s.train.contains(i)));
        previous = s.train;
    }
    let other = Split::stratified(&labels, 10, &SplitSpec { seed: 1, ..DIGITS_SPLIT }).unwrap();
    assert_ne!(other.val, full.val);
}

#[test]
fn bad_split_settings_are_rejected() {
    let labels = digits_labels();
    let err = Split::stratified(&labels, 10, &SplitSpec { val_fraction: 0.0, ..DIGITS_SPLIT }).unwrap_err();
    assert_eq!((err.param.as_str(), err.code), ("val", "out_of_range"));
    let err = Split::stratified(&labels, 10, &SplitSpec { val_fraction: f64::NAN, ..DIGITS_SPLIT }).unwrap_err();
    assert_eq!((err.param.as_str(), err.code), ("val", "not_finite"));
    let err = Split::stratified(&labels, 10, &SplitSpec { train_per_class: Some(0), ..DIGITS_SPLIT }).unwrap_err();
    assert_eq!((err.param.as_str(), err.code), ("per_class", "out_of_range"));
    let err = Split::stratified(&[0, 0, 1], 2, &DIGITS_SPLIT).unwrap_err();
    assert_eq!((err.code, err.value("class")), ("too_few_examples", Some(1.0)));
    let err = Split::stratified(&[0, 0, 5], 2, &DIGITS_SPLIT).unwrap_err();
    assert_eq!(err.code, "label_out_of_range");
    let err = Split::stratified(&[0, 0], usize::MAX, &DIGITS_SPLIT).unwrap_err();
    assert_eq!((err.param.as_str(), err.code), ("classes", "out_of_range"));
}

// ---------------------------------------------------------------------------------------------------- references

/// Accuracy of nearest class mean (squared Euclidean) trained on `train`, measured on `val`.
fn nearest_centroid_accuracy(ds: &Dataset, train: &[usize], val: &[usize]) -> f64 {
    let (n, k) = (ds.example_len(), ds.classes());
    let mut means = vec![0.0f64; k * n];
    let mut counts = vec![0usize; k];
    for &i in train {
        let c = ds.label(i) as usize;
        counts[c] += 1;
        means[c * n..(c + 1) * n].iter_mut().zip(ds.image(i)).for_each(|(m, &v)| *m += v as f64);
    }
    for c in 0..k {
        means[c * n..(c + 1) * n].iter_mut().for_each(|m| *m /= counts[c].max(1) as f64);
    }
    let predict = |x: &[f32]| {
        (0..k)
            .map(|c| {
                let d: f64 = means[c * n..(c + 1) * n].iter().zip(x).map(|(m, &v)| (m - v as f64).powi(2)).sum();
                (d, c)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap()
            .1
    };
    val.iter().filter(|&&i| predict(ds.image(i)) == ds.label(i) as usize).count() as f64 / val.len() as f64
}

/// Accuracy of a one-vs-rest least-squares linear classifier (ridge λ, bias unregularized), solved by Cholesky in f64.
fn linear_accuracy(ds: &Dataset, train: &[usize], val: &[usize], lambda: f64) -> f64 {
    let (n, k) = (ds.example_len() + 1, ds.classes());
    let features = |i: usize| ds.image(i).iter().map(|&v| v as f64).chain([1.0]).collect::<Vec<f64>>();
    let mut a = vec![0.0; n * n];
    let mut b = vec![0.0; n * k];
    for &i in train {
        let x = features(i);
        for r in 0..n {
            for c in 0..n {
                a[r * n + c] += x[r] * x[c];
            }
            b[r * k + ds.label(i) as usize] += x[r];
        }
    }
    (0..n - 1).for_each(|r| a[r * n + r] += lambda);
    // Cholesky a = L Lᵀ, then two triangular solves per class.
    let mut l = vec![0.0; n * n];
    for r in 0..n {
        for c in 0..=r {
            let s: f64 = a[r * n + c] - (0..c).map(|m| l[r * n + m] * l[c * n + m]).sum::<f64>();
            l[r * n + c] = if r == c { s.sqrt() } else { s / l[c * n + c] };
        }
    }
    let mut w = vec![0.0; n * k];
    for cls in 0..k {
        let mut y = vec![0.0; n];
        for r in 0..n {
            y[r] = (b[r * k + cls] - (0..r).map(|m| l[r * n + m] * y[m]).sum::<f64>()) / l[r * n + r];
        }
        for r in (0..n).rev() {
            let s: f64 = (r + 1..n).map(|m| l[m * n + r] * w[m * k + cls]).sum();
            w[r * k + cls] = (y[r] - s) / l[r * n + r];
        }
    }
    let correct = val
        .iter()
        .filter(|&&i| {
            let x = features(i);
            let score = |c: usize| (0..n).map(|r| x[r] * w[r * k + c]).sum::<f64>();
            (0..k).max_by(|&p, &q| score(p).total_cmp(&score(q))).unwrap() == ds.label(i) as usize
        })
        .count();
    correct as f64 / val.len() as f64
}

#[test]
fn simple_classifiers_on_the_digits_split_reach_their_known_accuracy() {
    let d = Digits::embedded();
    let raw = d.to_dataset(8, 8).unwrap();
    let s = Split::stratified(&digits_labels(), 10, &DIGITS_SPLIT).unwrap();
    let centroid = nearest_centroid_accuracy(&raw, &s.train, &s.val);
    let linear = linear_accuracy(&raw, &s.train, &s.val, 1.0);
    eprintln!("digits 8×8, DIGITS_SPLIT: nearest centroid {centroid:.4}, least-squares linear {linear:.4}");
    assert!(centroid > 0.85, "nearest centroid {centroid}");
    assert!(linear > 0.92, "linear {linear}");
    // Upsampling to 28×28 keeps the information: the centroid classifier does about as well.
    let up = d.to_dataset(28, 28).unwrap();
    let centroid_up = nearest_centroid_accuracy(&up, &s.train, &s.val);
    assert!((centroid_up - centroid).abs() < 0.03, "{centroid_up} vs {centroid}");
}

// ---------------------------------------------------------------------------------------------------- generator

use cnn_playground::augment::Pipeline;
use cnn_playground::data::symbols::{MAX_CLASSES, MAX_SYMBOLS};
use cnn_playground::data::{Background, Batcher, BatcherState, Shapes, StrokeStyle, SymbolConfig};
use cnn_playground::rng;

#[test]
fn generated_sets_are_deterministic_and_pinned() {
    let a = small().generate().unwrap();
    assert_eq!(a, small().generate().unwrap());
    assert_eq!((a.len(), a.channels(), a.height(), a.width(), a.classes()), (15, 1, 28, 28, 5));
    assert_eq!(a.class_counts(), vec![3; 5]);
    assert_eq!(a.labels()[..6], [0, 1, 2, 3, 4, 0], "interleaved by class");
    assert!(a.images().iter().all(|v| (0.0..=1.0).contains(v)));
    assert_eq!(dataset_hash(&a), SMALL_SET_HASH, "the generator's pixels changed");
    let other = SymbolConfig { seed: 1, ..small() }.generate().unwrap();
    assert_ne!(a.images(), other.images());
    // Any size, not only square.
    let wide = SymbolConfig { height: 20, width: 36, ..small() }.generate().unwrap();
    assert_eq!((wide.height(), wide.width()), (20, 36));
}

#[test]
fn more_examples_and_class_windows_keep_the_images_they_share() {
    let (few, many) = (small().generate().unwrap(), SymbolConfig { per_class: 5, ..small() }.generate().unwrap());
    for n in 0..few.len() {
        assert_eq!(few.image(n), many.image(n), "image {n}");
    }
    // Classes 3…6 of a family, as their own set, are the same images as in the set of classes 0…7.
    let all = SymbolConfig { classes: 8, ..small() }.generate().unwrap();
    let window = SymbolConfig { classes: 4, first_class: 3, ..small() }.generate().unwrap();
    for j in 0..3 {
        for k in 0..4 {
            assert_eq!(window.image(j * 4 + k), all.image(j * 8 + 3 + k), "class {k}, example {j}");
            assert_eq!(window.label(j * 4 + k), k as u32);
        }
    }
}

/// Nearest class mean trained and measured on a stratified split of a generated set.
fn generated_accuracy(cfg: &SymbolConfig) -> f64 {
    let ds = cfg.generate().unwrap();
    let s = Split::stratified(ds.labels(), ds.classes(), &SplitSpec { val_fraction: 0.3, ..DIGITS_SPLIT }).unwrap();
    nearest_centroid_accuracy(&ds, &s.train, &s.val)
}

#[test]
fn generated_classes_are_distinguishable() {
    let ten = generated_accuracy(&SymbolConfig { per_class: 60, ..SymbolConfig::default() });
    let many = generated_accuracy(&SymbolConfig { classes: MAX_CLASSES, per_class: 20, ..SymbolConfig::default() });
    eprintln!("nearest class mean on generated sets: 10 classes {ten:.3}, 64 classes {many:.3}");
    assert!(ten > 0.7, "10 classes (chance 0.1): {ten}");
    assert!(many > 0.4, "64 classes (chance 0.016): {many}");
}

/// Class means of a set, one Vec per class.
fn class_means(ds: &Dataset) -> Vec<Vec<f64>> {
    let n = ds.example_len();
    let mut means = vec![vec![0.0; n]; ds.classes()];
    for i in 0..ds.len() {
        means[ds.label(i) as usize].iter_mut().zip(ds.image(i)).for_each(|(m, &v)| *m += v as f64);
    }
    let counts = ds.class_counts();
    means.iter_mut().zip(counts).for_each(|(m, c)| m.iter_mut().for_each(|v| *v /= c as f64));
    means
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt()
}

#[test]
fn another_family_is_another_class_set() {
    let base = SymbolConfig { per_class: 40, ..SymbolConfig::default() };
    let f0 = class_means(&base.generate().unwrap());
    let f0_again = class_means(&SymbolConfig { seed: 9, ..base.clone() }.generate().unwrap());
    let f1 = class_means(&SymbolConfig { family: 1, ..base.clone() }.generate().unwrap());
    // The same class drawn with other examples stays close to itself…
    let same = (0..10).map(|k| distance(&f0[k], &f0_again[k])).fold(0.0, f64::max);
    // …while every class of another family is far from all of family 0's classes.
    let cross = f1
        .iter()
        .map(|m| f0.iter().map(|m0| distance(m, m0)).fold(f64::INFINITY, f64::min))
        .fold(f64::INFINITY, f64::min);
    eprintln!("class-mean distances: same class, other seed ≤ {same:.3}; other family ≥ {cross:.3}");
    assert!(cross > 2.0 * same, "{cross} vs {same}");
    // Symbols beyond the first classes exist up to MAX_SYMBOLS.
    SymbolConfig { classes: 2, first_class: MAX_SYMBOLS - 2, per_class: 1, ..SymbolConfig::default() }
        .generate()
        .unwrap();
}

/// Mean and standard deviation of all pixel values.
fn moments(v: &[f32]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / n;
    (mean, (v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n).sqrt())
}

#[test]
fn domain_knobs_shift_pixel_statistics_on_paired_images() {
    // Noise off so that paired images (same seed, one knob changed) can be compared pixel by pixel.
    let clean = SymbolConfig { per_class: 10, noise: 0.0, ..SymbolConfig::default() };
    let base = clean.generate().unwrap();
    let with = |cfg: SymbolConfig| cfg.generate().unwrap();
    let (mean, _) = moments(base.images());
    assert!(mean > 0.03 && mean < 0.3, "ink share {mean}");

    // Inversion is exactly 1 − v.
    let inverted = with(SymbolConfig { invert: true, ..clean.clone() });
    assert!(inverted.images().iter().zip(base.images()).all(|(&i, &b)| i == 1.0 - b));

    // Textured backgrounds lift the background (pixels that are 0 in the flat set), flat leaves it at 0.
    for background in [Background::Gradient, Background::Grid, Background::Noise] {
        let textured = with(SymbolConfig { background, texture: 1.0, ..clean.clone() });
        let bg: Vec<f32> =
            textured.images().iter().zip(base.images()).filter(|&(_, &b)| b == 0.0).map(|(&t, _)| t).collect();
        let (bg_mean, bg_std) = moments(&bg);
        eprintln!("{background:?}: background mean {bg_mean:.3}, std {bg_std:.3}");
        assert!(bg_mean > 0.08 && bg_std > 0.05, "{background:?}: {bg_mean} {bg_std}");
        // The strokes are where they were: ink pixels keep at least their flat value's share of the contrast.
        let flat_bg = with(SymbolConfig { background, texture: 0.0, ..clean.clone() });
        assert_eq!(flat_bg.images(), base.images(), "texture 0 is the flat background");
    }

    // Noise adds N(0, σ²): measured where clamping cannot bite (clean values in [0.25, 0.75]).
    let noisy = with(SymbolConfig { noise: 0.05, ..clean.clone() });
    let diffs: Vec<f32> = noisy
        .images()
        .iter()
        .zip(base.images())
        .filter(|&(_, &b)| (0.25..=0.75).contains(&b))
        .map(|(&n, &b)| n - b)
        .collect();
    let (bias, sigma) = moments(&diffs);
    assert!(diffs.len() > 500 && bias.abs() < 0.01 && (sigma - 0.05).abs() < 0.005, "{} {bias} {sigma}", diffs.len());

    // Dashes take ink away; thicker strokes add it; double rails differ from solid strokes.
    let ink = |cfg: SymbolConfig| moments(with(cfg).images()).0;
    let dashed = ink(SymbolConfig { stroke: StrokeStyle::Dashed, ..clean.clone() });
    let double = with(SymbolConfig { stroke: StrokeStyle::Double, ..clean.clone() });
    let thick = ink(SymbolConfig { thickness: (0.15, 0.2), ..clean.clone() });
    assert!(dashed < 0.8 * mean && thick > 1.3 * mean, "{dashed} {mean} {thick}");
    let changed = double.images().iter().zip(base.images()).filter(|(d, b)| (*d - *b).abs() > 0.25).count();
    assert!(changed as f64 > 0.2 * base.images().iter().filter(|&&b| b > 0.25).count() as f64);

    // Only lines vs only curves: different symbols, both valid sets.
    let lines = with(SymbolConfig { shapes: Shapes::Lines, ..clean.clone() });
    let curves = with(SymbolConfig { shapes: Shapes::Curves, ..clean.clone() });
    assert_ne!(lines.images(), curves.images());
}

#[test]
fn bad_generator_knobs_are_rejected() {
    let d = SymbolConfig::default;
    let cases: Vec<(SymbolConfig, &str, &str)> = vec![
        (SymbolConfig { classes: 0, ..d() }, "classes", "out_of_range"),
        (SymbolConfig { classes: 65, ..d() }, "classes", "out_of_range"),
        (SymbolConfig { per_class: 0, ..d() }, "per_class", "out_of_range"),
        (SymbolConfig { height: 7, ..d() }, "height", "out_of_range"),
        (SymbolConfig { width: 129, ..d() }, "width", "out_of_range"),
        (SymbolConfig { first_class: 119, ..d() }, "first_class", "out_of_range"),
        (SymbolConfig { thickness: (0.2, 0.1), ..d() }, "thickness", "min_above_max"),
        (SymbolConfig { thickness: (0.01, 0.1), ..d() }, "thickness", "out_of_range"),
        (SymbolConfig { scale: (0.5, f64::INFINITY), ..d() }, "scale", "not_finite"),
        (SymbolConfig { rotation: f64::NAN, ..d() }, "rotation", "not_finite"),
        (SymbolConfig { rotation: 181.0, ..d() }, "rotation", "out_of_range"),
        (SymbolConfig { shift: -0.1, ..d() }, "shift", "out_of_range"),
        (SymbolConfig { jitter: 0.5, ..d() }, "jitter", "out_of_range"),
        (SymbolConfig { texture: 2.0, ..d() }, "texture", "out_of_range"),
        (SymbolConfig { contrast: (0.0, 1.0), ..d() }, "contrast", "out_of_range"),
        (SymbolConfig { noise: 0.6, ..d() }, "noise", "out_of_range"),
        (SymbolConfig { classes: 64, per_class: 10_000, ..d() }, "per_class", "too_large"),
        (SymbolConfig { classes: 64, per_class: 10_000, height: 128, width: 128, ..d() }, "per_class", "too_large"),
    ];
    for (cfg, param, code) in cases {
        let err = cfg.generate().unwrap_err();
        assert_eq!((err.param.as_str(), err.code), (param, code), "{cfg:?}");
    }
    for (name, ok) in [("mixed", true), ("curves", true), ("circles", false)] {
        assert_eq!(Shapes::parse(name).is_ok(), ok);
    }
    let err = Background::parse("stripes").unwrap_err();
    assert_eq!((err.param.as_str(), err.code), ("background", "unknown_value"));
    assert_eq!(StrokeStyle::parse("double").unwrap().name(), "double");
}

// ---------------------------------------------------------------------------------------------------- batcher

fn digits28() -> Dataset {
    Digits::embedded().to_dataset(28, 28).unwrap()
}

/// Every batch of `epochs` epochs, concatenated: (images, labels, batch records).
fn run(
    batcher: &mut Batcher,
    data: &Dataset,
    batches: usize,
) -> (Vec<f32>, Vec<u32>, Vec<cnn_playground::data::Batch>) {
    let n = data.example_len();
    let (mut x, mut y) = (vec![0.0; batcher.batch_size() * n], vec![0; batcher.batch_size()]);
    let (mut xs, mut ys, mut records) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..batches {
        let b = batcher.next_batch(data, &mut x, &mut y).unwrap();
        xs.extend_from_slice(&x[..b.len * n]);
        ys.extend_from_slice(&y[..b.len]);
        records.push(b);
    }
    (xs, ys, records)
}

#[test]
fn plain_batches_visit_each_training_image_once_per_epoch() {
    let data = digits28();
    let split = Split::stratified(data.labels(), 10, &DIGITS_SPLIT).unwrap();
    let mut b = Batcher::new(&data, &split.train, 100, Pipeline::default(), 3).unwrap();
    assert_eq!((b.pool_len(), b.batches_per_epoch()), (1346, 14));
    let (xs, ys, records) = run(&mut b, &data, 28);
    let n = data.example_len();
    for epoch in 0..2u64 {
        let order = b.epoch_order(epoch);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, split.train, "a permutation of the pool");
        for (p, &i) in order.iter().enumerate() {
            let at = epoch as usize * 1346 + p;
            assert_eq!(&xs[at * n..(at + 1) * n], data.image(i));
            assert_eq!(ys[at], data.label(i));
        }
    }
    assert_ne!(b.epoch_order(0), b.epoch_order(1), "reshuffled every epoch");
    let last = records[13];
    assert_eq!((last.len, last.epoch, last.position, last.epoch_end), (46, 0, 1300, true));
    assert_eq!((records[14].epoch, records[14].position), (1, 0));
}

#[test]
fn augmented_batches_are_seeded_per_image_and_epoch() {
    let data = digits28();
    let split = Split::stratified(data.labels(), 10, &DIGITS_SPLIT).unwrap();
    let aug = Pipeline::parse("translate~rotate(bilinear)~noise(sigma0.05)").unwrap();
    let mut b = Batcher::new(&data, &split.train, 64, aug.clone(), 11).unwrap();
    let (xs, ys, _) = run(&mut b, &data, 30);
    let again = run(&mut Batcher::new(&data, &split.train, 64, aug.clone(), 11).unwrap(), &data, 30);
    assert!(xs == again.0 && ys == again.1, "same seed, same batches");
    let other = run(&mut Batcher::new(&data, &split.train, 64, aug.clone(), 12).unwrap(), &data, 30);
    assert_ne!(xs, other.0);

    // Each image is the pipeline applied with its own stream seeded(derive(seed, [1, epoch, index])), independent
    // of the batch size: check the first 80 images of epochs 0 and 1 against a direct application.
    let n = data.example_len();
    let mut changed = 0;
    for epoch in 0..2u64 {
        for (p, &i) in b.epoch_order(epoch).iter().take(80).enumerate() {
            let src = cnn_playground::augment::Image::from_shape_vec((28, 28, 1), data.image(i).to_vec()).unwrap();
            let mut rng = rng::seeded(rng::derive(11, &[1, epoch, i as u64]));
            let (want, _) = aug.apply(&src, &mut rng);
            let at = epoch as usize * 1346 + p;
            let got = &xs[at * n..(at + 1) * n];
            assert_eq!(got, want.as_slice().unwrap(), "epoch {epoch}, position {p}");
            changed += (got != data.image(i)) as usize;
        }
    }
    assert_eq!(changed, 160, "the augmentation ran on every image");
    // The same image differs between epochs.
    let i = b.epoch_order(0)[0];
    let p1 = b.epoch_order(1).iter().position(|&j| j == i).unwrap();
    assert_ne!(&xs[..n], &xs[(1346 + p1) * n..(1347 + p1) * n]);
    // Another batch size gives the same images in the same order.
    let (xs_big, _, _) = run(&mut Batcher::new(&data, &split.train, 500, aug, 11).unwrap(), &data, 3);
    assert_eq!(xs_big[..1346 * n], xs[..1346 * n]);
}

#[test]
fn a_restored_batcher_continues_exactly() {
    let data = digits28();
    let pool: Vec<usize> = (0..300).collect();
    let aug = Pipeline::parse("crop(pad2)~jitter(b0.3)").unwrap();
    let mut b = Batcher::new(&data, &pool, 32, aug.clone(), 5).unwrap();
    run(&mut b, &data, 12); // into the second epoch (10 batches per epoch)
    let saved = b.state();
    assert_eq!(saved, BatcherState { epoch: 1, position: 64 });
    let (want, _, _) = run(&mut b, &data, 15);
    let mut restored = Batcher::new(&data, &pool, 32, aug, 5).unwrap();
    restored.set_state(saved).unwrap();
    assert_eq!(run(&mut restored, &data, 15).0, want);
    assert_eq!(restored.set_state(BatcherState { epoch: 0, position: 301 }).unwrap_err().param, "batch");
}

#[test]
fn colour_images_keep_their_channel_planes() {
    // A 3×2×2 image per example with distinct values: hflip (p = 1) must swap columns within each channel plane.
    let images: Vec<f32> = (0..24).map(|v| v as f32 / 32.0).collect();
    let data = Dataset::new(3, 2, 2, 2, images, vec![0, 1]).unwrap();
    let mut b = Batcher::new(&data, &[0, 1], 2, Pipeline::parse("hflip(p1)").unwrap(), 0).unwrap();
    let (mut x, mut y) = (vec![0.0; 24], vec![0; 2]);
    b.next_batch(&data, &mut x, &mut y).unwrap();
    for slot in 0..2 {
        let i = y[slot] as usize;
        let src = data.image(i);
        let got = &x[slot * 12..(slot + 1) * 12];
        for c in 0..3 {
            for r in 0..2 {
                for col in 0..2 {
                    assert_eq!(got[c * 4 + r * 2 + col], src[c * 4 + r * 2 + (1 - col)]);
                }
            }
        }
    }
}

#[test]
fn batcher_and_gather_reject_bad_arguments() {
    let data = digits28();
    let code = |r: cnn_playground::Result<Batcher>| {
        let e = r.unwrap_err();
        (e.param, e.code)
    };
    assert_eq!(code(Batcher::new(&data, &[0], 0, Pipeline::default(), 0)), ("batch".into(), "out_of_range"));
    assert_eq!(code(Batcher::new(&data, &[], 8, Pipeline::default(), 0)), ("data".into(), "empty"));
    assert_eq!(code(Batcher::new(&data, &[1797], 8, Pipeline::default(), 0)), ("batch".into(), "index_out_of_range"));
    let mut b = Batcher::new(&data, &[0, 1, 2], 2, Pipeline::default(), 0).unwrap();
    let err = b.next_batch(&data, &mut vec![0.0; 784], &mut [0; 2]).unwrap_err();
    assert_eq!((err.param.as_str(), err.code), ("batch", "buffer_too_small"));
    let small = Digits::embedded().to_dataset(8, 8).unwrap();
    let err = b.next_batch(&small, &mut vec![0.0; 2 * 784], &mut [0; 2]).unwrap_err();
    assert_eq!(err.code, "wrong_dataset");
    let err = data.gather(&[5, 4000], &mut vec![0.0; 2 * 784], &mut [0; 2]).unwrap_err();
    assert_eq!(err.code, "index_out_of_range");
    let err = Dataset::new(1, 2, 2, 2, vec![0.0, 0.5, 1.5, 0.0], vec![0]).unwrap_err();
    assert_eq!(err.code, "value_out_of_range");
    let err = Dataset::new(1, 2, 2, 2, vec![0.0; 4], vec![2]).unwrap_err();
    assert_eq!(err.code, "label_out_of_range");
    let err = Dataset::new(1, 2, 2, 2, vec![0.0; 5], vec![1]).unwrap_err();
    assert_eq!(err.code, "wrong_length");
    let err = Dataset::new(1, 2, 2, 1001, vec![0.0; 4], vec![1]).unwrap_err();
    assert_eq!((err.param.as_str(), err.code), ("classes", "out_of_range"));
}
