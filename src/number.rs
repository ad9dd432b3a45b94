//! Numbers as text, in the two forms the project writes: [`shortest`] for text that is read back (the step grammar of
//! `aug=` and model specs, the URL), [`readable`] for text a person reads or pastes into other code (formulas, the
//! PyTorch/Keras/torchvision code).

/// The shortest text that Rust's `f64` parser reads back as exactly `x`: the shorter of the plain decimal and the
/// exponent form (both are shortest-round-trip in their digits), the plain one on a tie (`0.5`, `1e-5`, `3e-4`,
/// `1e-300`, `1e21`, `1000` → `1e3`).
pub fn shortest(x: f64) -> String {
    let plain = format!("{x}");
    let exp = format!("{x:e}");
    if exp.len() < plain.len() { exp } else { plain }
}

/// Numbers for formulas and code: up to 6 significant digits, no trailing zeros, no exponent for usual sizes.
pub fn readable(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return format!("{x}");
    }
    let mag = x.abs().log10().floor() as i32;
    if !(-5..=9).contains(&mag) {
        return format!("{x:.5e}");
    }
    let decimals = (5 - mag).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_is_short_and_exact_enough() {
        assert_eq!(readable(1.0), "1");
        assert_eq!(readable(2f64.sqrt()), "1.41421");
        assert_eq!(readable(0.01), "0.01");
        assert_eq!(readable(0.050507627), "0.0505076");
        assert_eq!(readable(784.0), "784");
    }

    #[test]
    fn numbers_are_shortest_and_read_back() {
        for (x, s) in [
            (0.5, "0.5"),
            (1e-5, "1e-5"),
            (3e-4, "3e-4"),
            (1e-300, "1e-300"),
            (1000.0, "1e3"),
            (15.0, "15"),
            (0.01, "0.01"),
            (-30.0, "-30"),
            (1.0 / 3.0, "0.3333333333333333"),
        ] {
            assert_eq!(shortest(x), s);
            assert_eq!(s.parse::<f64>().unwrap(), x);
        }
    }
}
