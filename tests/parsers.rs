//! Property tests of the input parsers owned by the page's side of the core (seeded, bounded by case count): random
//! and adversarial strings never panic, every accepted string reads back the same after serializing (a fixed point),
//! and messages quote input and numbers briefly.

use cnn_playground::error::{brief, check_range, quote};
use cnn_playground::init::{MAX_DIM, MAX_ELEMENTS, MAX_RANK, parse_shape, shape_text};
use cnn_playground::rng::seeded;
use rand::RngExt;

const CASES: usize = 20_000;

/// A random string over an alphabet that makes shapes likely and hostile input common.
fn random_text(rng: &mut impl RngExt, alphabet: &[&str], max_len: usize) -> String {
    let len = rng.random_range(0..=max_len);
    (0..len).map(|_| alphabet[rng.random_range(0..alphabet.len())]).collect()
}

#[test]
fn shapes_never_panic_and_accepted_shapes_are_a_fixed_point() {
    let alphabet = [
        "0",
        "1",
        "2",
        "3",
        "9",
        "x",
        "x",
        "X",
        "×",
        " ",
        "+",
        "-",
        ".",
        "e",
        "00000",
        "99999",
        "100000",
        "18446744073709551616",
        "\u{0}",
        "é",
        "<",
        "%",
    ];
    let mut rng = seeded(11);
    let mut accepted = 0;
    for _ in 0..CASES {
        // Half free text, half shape-like text (dimensions and separators), so both paths get exercised.
        let s = if rng.random_bool(0.5) {
            random_text(&mut rng, &alphabet, 12)
        } else {
            let rank = rng.random_range(0..=6);
            let dims: Vec<String> = (0..rank).map(|_| random_text(&mut rng, &alphabet[..6], 3)).collect();
            dims.join(["x", "X", "×", " x "][rng.random_range(0..4)])
        };
        match parse_shape(&s) {
            Ok(dims) => {
                accepted += 1;
                assert!((2..=MAX_RANK).contains(&dims.len()), "{s:?}");
                assert!(dims.iter().all(|&d| (1..=MAX_DIM).contains(&d)), "{s:?}");
                assert!(dims.iter().map(|&d| d as u64).product::<u64>() <= MAX_ELEMENTS, "{s:?}");
                assert_eq!(parse_shape(&shape_text(&dims)).as_ref(), Ok(&dims), "{s:?}");
            }
            Err(e) => {
                assert_eq!(e.param, "shape");
                assert!(e.message.chars().count() < 200, "{s:?}: {}", e.message);
            }
        }
    }
    assert!(accepted > 100, "only {accepted} of {CASES} random shapes accepted: the generator tests too little");
}

#[test]
fn huge_shapes_are_too_large_not_an_overflow() {
    // 10⁵ to the fifth is 10²⁵, past u64: the product must not overflow (a panic in debug, a wrap in release).
    for s in ["100000x100000x100000x100000x100000", "65536x65536x65536x65536x65536", "99999x99999x99999x99999"] {
        let e = parse_shape(s).unwrap_err();
        assert_eq!(e.code, "shape_too_large", "{s}: {}", e.message);
    }
}

#[test]
fn dimensions_are_digits_only() {
    for s in ["+5x3", "5.0x3", "5x 3e1", "0x0", "-1x2", "5xx3"] {
        assert!(parse_shape(s).is_err(), "{s}");
    }
    assert_eq!(parse_shape(" 5 x 3 "), Ok(vec![5, 3]));
    let e = parse_shape(&format!("{}x3", "9".repeat(40))).unwrap_err();
    assert_eq!(e.code, "shape_dim_range");
}

#[test]
fn messages_quote_numbers_and_input_briefly() {
    let e = check_range("std", 1e308, 0.0, 1e6).unwrap_err();
    assert!(e.message.contains("1e308") && e.message.chars().count() < 60, "{}", e.message);
    assert_eq!(e.value("got"), Some(1e308));
    for (x, text) in [
        (0.0, "0"),
        (0.01, "0.01"),
        (1000.0, "1000"),
        (123456.0, "123456"),
        (1e6, "1000000"),
        (1.5e6, "1500000"),
        (1234567.5, "1.23457e6"),
        (-2.5e-7, "-2.5e-7"),
        (1.0 / 3.0, "0.333333"),
        (9007199254740991.0, "9007199254740991"),
        (1e20, "1e20"),
        (f64::INFINITY, "inf"),
    ] {
        assert_eq!(brief(x), text, "{x}");
    }
    let long = "x".repeat(100_000);
    assert!(quote(&long).chars().count() < 50);
    assert!(parse_shape(&long).unwrap_err().message.chars().count() < 200);
}

/// The facade's whole-number check (every count, size, index and seed a JS caller passes goes through it): a value is
/// accepted exactly when it is finite, whole and within the bounds, the result is the value itself (never wrapped at
/// 2³², never truncated), and a refusal names the parameter with the code that says why.
#[test]
fn whole_numbers_are_accepted_exactly_when_finite_whole_and_in_range() {
    use cnn_playground::error::check_whole;
    let mut rng = seeded(23);
    let two32 = 4_294_967_296.0f64;
    let specials = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.0,
        0.5,
        4.5,
        two32,
        two32 + 1.0,
        two32 - 1.0,
        2f64.powi(53),
        1e308,
    ];
    let bounds = [(0.0, 1.0), (1.0, 64.0), (0.0, two32 - 1.0), (1.0, 1e9), (0.0, 9_007_199_254_740_991.0), (2.0, 10.0)];
    for case in 0..CASES {
        let (min, max) = bounds[rng.random_range(0..bounds.len())];
        let x = match rng.random_range(0..4) {
            0 => specials[rng.random_range(0..specials.len())],
            1 => rng.random_range(-10.0..max + 10.0f64).round(),
            2 => rng.random_range(-10.0..max + 10.0f64),
            _ => two32 * rng.random_range(0..4) as f64 + rng.random_range(-3..=64) as f64,
        };
        let got = check_whole("n", x, min, max);
        let ok = x.is_finite() && x.fract() == 0.0 && (min..=max).contains(&x);
        match got {
            Ok(v) => {
                assert!(ok, "case {case}: {x} accepted in [{min}, {max}]");
                assert_eq!(v as f64, x, "case {case}: {x} became {v}");
                if max < two32 {
                    assert_eq!(v as u32 as f64, x, "case {case}: {x} does not fit 32 bits");
                }
            }
            Err(e) => {
                assert!(!ok, "case {case}: {x} refused in [{min}, {max}]: {e}");
                assert_eq!(e.param, "n");
                let expected = if !x.is_finite() {
                    "not_finite"
                } else if !(min..=max).contains(&x) {
                    "out_of_range"
                } else {
                    "not_whole"
                };
                assert_eq!(e.code, expected, "case {case}: {x} in [{min}, {max}]");
            }
        }
    }
}
