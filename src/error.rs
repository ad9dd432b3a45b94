//! One error type for the whole core: which setting was wrong and why, in words a person can act on.

use std::fmt;

/// A rejected input. `param` is the name of the setting as it appears in the URL (`shape`, `std`, `aug`, …),
/// so the page can show the message next to the control that caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub param: String,
    pub message: String,
}

impl Error {
    pub fn invalid(param: impl Into<String>, message: impl Into<String>) -> Self {
        Error { param: param.into(), message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.param, self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// Checks that a number is finite and inside `[min, max]`; the message names the parameter and the range.
pub fn check_range(param: &str, value: f64, min: f64, max: f64) -> Result<f64> {
    if !value.is_finite() {
        return Err(Error::invalid(param, format!("must be a finite number, got {value}")));
    }
    if value < min || value > max {
        return Err(Error::invalid(param, format!("must be between {min} and {max}, got {value}")));
    }
    Ok(value)
}
