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

/// Checks that a number is finite and inside `[min, max]`; the message names the parameter and the range
/// (code `not_finite` or `out_of_range`, with `min`, `max` and `got`).
pub fn check_range(param: &str, value: f64, min: f64, max: f64) -> Result<f64> {
    if !value.is_finite() {
        return Err(Error::coded(param, "not_finite", format!("must be a finite number, got {value}")));
    }
    if value < min || value > max {
        return Err(Error::coded(param, "out_of_range", format!("must be between {min} and {max}, got {value}"))
            .with("min", min)
            .with("max", max)
            .with("got", value));
    }
    Ok(value)
}
