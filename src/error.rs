//! One error type for the whole core: which setting was wrong, a stable code saying why, the numbers involved, and a
//! message in words a person can act on (English; the page renders its own sentence from `code` and `values`).

use std::fmt;

/// A rejected input. `param` is the name of the setting as it appears in the URL (`shape`, `std`, `aug`, …), so the
/// page can show the message next to the control that caused it. `code` is a stable snake_case key (`invalid`,
/// `out_of_range`, …) for the page's translated strings, and `values` the numbers the sentence quotes.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub param: String,
    pub code: &'static str,
    pub message: String,
    pub values: Vec<(&'static str, f64)>,
}

impl Error {
    /// An input that is wrong in a way only the message explains (code `invalid`).
    pub fn invalid(param: impl Into<String>, message: impl Into<String>) -> Self {
        Error::coded(param, "invalid", message)
    }

    /// An error with its own code, for the page to translate.
    pub fn coded(param: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Error { param: param.into(), code, message: message.into(), values: Vec::new() }
    }

    /// Attaches a number the message quotes (`min`, `max`, `got`, `layer`, …).
    pub fn with(mut self, name: &'static str, value: f64) -> Self {
        self.values.push((name, value));
        self
    }

    /// The value attached under `name`, if any.
    pub fn value(&self, name: &str) -> Option<f64> {
        self.values.iter().find(|(k, _)| *k == name).map(|&(_, v)| v)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.param, self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// A number as a message quotes it: whole numbers up to 2⁵³ exactly (`1000000`, a seed), others with at most 6
/// significant digits and an exponent outside [10⁻⁴, 10⁶) (so 1e308 is `1e308`, not 309 digits).
pub fn brief(x: f64) -> String {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    let a = x.abs();
    if !x.is_finite() || (x.fract() == 0.0 && a <= EXACT) {
        return format!("{x}");
    }
    if (1e-4..1e6).contains(&a) {
        let text = format!("{x:.*}", (5 - a.log10().floor() as i32).clamp(0, 9) as usize);
        return text.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    let text = format!("{x:.5e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let mantissa = if mantissa.contains('.') { mantissa.trim_end_matches('0').trim_end_matches('.') } else { mantissa };
    format!("{mantissa}e{exponent}")
}

/// Text from the input as a message quotes it: in quotes, at most 40 characters.
pub fn quote(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        None => format!("{text:?}"),
        Some((end, _)) => format!("{:?}…", &text[..end]),
    }
}

/// Checks that a number is finite and inside `[min, max]`; the message names the parameter and the range
/// (code `not_finite` or `out_of_range`, with `min`, `max` and `got`).
/// A whole number in `[min, max]` (codes as [`check_range`], or `not_whole` with `min`, `max`, `got`). The value is
/// compared as the f64 it arrived as, before it is converted, so 2³² + 1 is out of range rather than wrapped to 1, and
/// 4.5 is refused rather than truncated; the result is exactly `value` (for `max` up to 2⁵³ − 1).
pub fn check_whole(param: &str, value: f64, min: f64, max: f64) -> Result<u64> {
    let x = check_range(param, value, min, max)?;
    if x.fract() != 0.0 {
        return Err(Error::coded(param, "not_whole", format!("must be a whole number, got {}", brief(x)))
            .with("min", min)
            .with("max", max)
            .with("got", x));
    }
    Ok(x as u64)
}

pub fn check_range(param: &str, value: f64, min: f64, max: f64) -> Result<f64> {
    if !value.is_finite() {
        return Err(Error::coded(param, "not_finite", format!("must be a finite number, got {}", brief(value))));
    }
    if value < min || value > max {
        return Err(Error::coded(
            param,
            "out_of_range",
            format!("must be between {} and {}, got {}", brief(min), brief(max), brief(value)),
        )
        .with("min", min)
        .with("max", max)
        .with("got", value));
    }
    Ok(value)
}
