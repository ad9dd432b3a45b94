//! The data module: the shipped digits (parsing, validation, upsampling), splits, the symbol generator and the
//! batcher. References are independent: the UCI class counts, a direct f64 formula for the bilinear mapping, a
//! nearest-centroid classifier and a least-squares linear classifier.

use cnn_playground::data::digits::{DIGITS_BIN, fnv1a32};
use cnn_playground::data::{DIGITS_SPLIT, Dataset, Digits, Split, SplitSpec};

/// The UCI test set's images per digit 0…9 (optdigits.tes).
const UCI_TEST_COUNTS: [usize; 10] = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180];

/// The digits split's fingerprint; bench/digits_baselines.py reimplements the split and checks the same number.
const DIGITS_SPLIT_FINGERPRINT: u32 = 918_377_332;

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
