//! The shared step grammar (src/spec.rs): property tests over random text for every spec language that uses it.
//! Bounded by a case count and seeded, so a failure reproduces.

use cnn_playground::augment::Pipeline;
use cnn_playground::rng::{Rng, seeded};
use rand::RngExt;

/// Fragments that make random text look like specs often enough to reach deep into the parser: real names and keys,
/// numbers in every form (signs, exponents, NaN, inf), the separators, and junk (non-ASCII, spaces).
const FRAGMENTS: &[&str] = &[
    "hflip",
    "vflip",
    "rotate",
    "noise",
    "crop",
    "resize",
    "resizedcrop",
    "jitter",
    "translate",
    "saltpepper",
    "conv",
    "dense",
    "maxpool",
    "avgpool",
    "relu",
    "leaky_relu",
    "tanh",
    "sigmoid",
    "gelu",
    "selu",
    "linear",
    "flatten",
    "dropout",
    "deg",
    "sigma",
    "p",
    "k",
    "s",
    "b",
    "c",
    "h",
    "x",
    "y",
    "min",
    "max",
    "smin",
    "rmax",
    "pad",
    "pc",
    "aa",
    "fill",
    "amount",
    "bilinear",
    "nearest",
    "area",
    "reflect",
    "edge",
    "0",
    "1",
    "2",
    "8",
    "16",
    "0.5",
    "1e-5",
    "3e-4",
    "-1",
    "-0",
    "1e300",
    "1e-300",
    "NaN",
    "inf",
    ".",
    "e",
    "-",
    "+",
    "(",
    ")",
    "~",
    "_",
    " ",
    "é",
    "(((",
    "))",
    "__",
    "~~",
    "99999999999999999999",
];

/// Model-spec fragments, so that enough random texts are whole nets.
const MODEL_FRAGMENTS: &[&str] = &[
    "conv(8)",
    "conv(",
    "maxpool(2)",
    "avgpool(3_s1)",
    "relu",
    "tanh",
    "gelu",
    "flatten",
    "dense(10)",
    "dense(",
    "dropout",
    "dropout(",
    "~",
    "_",
    "k3",
    "s2",
    "p1",
    "8",
    "0.5",
    "1e1",
    "-1",
    ")",
    "(",
    "NaN",
    "leaky_relu",
];

fn random_text(rng: &mut Rng, fragments: &[&str]) -> String {
    let n = rng.random_range(0..24);
    (0..n).map(|_| fragments[rng.random_range(0..fragments.len())]).collect()
}

/// For every random text a language accepts, parsing is a fixed point; nothing panics.
fn fixed_point<T: PartialEq + std::fmt::Debug>(
    fragments: &[&str],
    seed: u64,
    cases: usize,
    parse: impl Fn(&str) -> cnn_playground::Result<T>,
    write: impl Fn(&T) -> String,
) -> usize {
    let mut rng = seeded(seed);
    let mut accepted = 0;
    for _ in 0..cases {
        let text = random_text(&mut rng, fragments);
        if let Ok(parsed) = parse(&text) {
            accepted += 1;
            let written = write(&parsed);
            let again = parse(&written).unwrap_or_else(|e| panic!("{text:?} → {written:?} is rejected: {e}"));
            assert_eq!(again, parsed, "{text:?} → {written:?}");
        }
    }
    accepted
}

#[test]
fn aug_specs_never_panic_and_parsing_is_a_fixed_point() {
    let accepted = fixed_point(FRAGMENTS, 1, 20_000, Pipeline::parse, |p| p.to_string());
    // The property must not hold vacuously: some random texts are real pipelines.
    assert!(accepted > 200, "only {accepted} random texts were accepted");
}

#[test]
fn model_specs_never_panic_and_parsing_is_a_fixed_point() {
    use cnn_playground::nn::spec::ModelSpec;
    let accepted = fixed_point(FRAGMENTS, 2, 10_000, ModelSpec::parse, |m| m.to_string());
    let accepted = accepted + fixed_point(MODEL_FRAGMENTS, 2, 10_000, ModelSpec::parse, |m| m.to_string());
    assert!(accepted > 200, "only {accepted} random texts were accepted");
}

#[test]
fn optimizer_and_schedule_specs_never_panic_and_parsing_is_a_fixed_point() {
    use cnn_playground::nn::optim::{OptimizerConfig, Schedule};
    const OPT: &[&str] = &[
        "sgd", "adam", "lr", "m", "nesterov", "wd", "b1", "b2", "eps", "constant", "step", "cosine", "size", "gamma",
        "tmax", "min", "0.9", "3e-4", "1e-8", "10", "0", "-1", "(", ")", "_", "~", "NaN",
    ];
    let mut rng = seeded(3);
    let text = |rng: &mut Rng| -> String {
        (0..rng.random_range(0..10)).map(|_| OPT[rng.random_range(0..OPT.len())]).collect()
    };
    let (mut opts, mut schedules) = (0, 0);
    for _ in 0..20_000 {
        let t = text(&mut rng);
        if let Ok(o) = OptimizerConfig::parse(&t) {
            opts += 1;
            assert_eq!(OptimizerConfig::parse(&o.to_string()).unwrap(), o, "{t:?}");
        }
        if let Ok(s) = Schedule::parse(&t) {
            schedules += 1;
            assert_eq!(Schedule::parse(&s.to_string()).unwrap(), s, "{t:?}");
        }
    }
    assert!(opts > 100 && schedules > 100, "accepted {opts} optimizers, {schedules} schedules");
}
