//! A run is a session in the core: one training run of the Train panel ([`train`]), one cell of the transfer lab or
//! a zoo model's pretraining ([`transfer`]). A session is configured from the page's own setting names (the URL
//! parameters), so every error's `param` is the setting at fault; it steps, reports, snapshots and restores, and
//! hands back its result. The page's worker only hosts sessions (through `web::Session`); `make zoo`, the native
//! tests and the benchmarks step the same sessions.
//!
//! # Settings
//! [`Settings`] is a plain list of named values, as a JS settings object arrives (numbers, text, flags, bytes).
//! Each kind names its keys ([`train::KEYS`], [`transfer::CELL_KEYS`], [`transfer::PRETRAIN_KEYS`]); any other key
//! is refused (code `unknown_key`), a value of the wrong type names its key (`wrong_type`), an absent key takes its
//! default.

pub mod npz;
pub mod script;
pub mod train;
pub mod transfer;

use crate::data::Digits;
use crate::error::{Error, Result, brief, check_range};
use crate::nn::export::Preprocess;

/// The largest whole number a JS number holds exactly (seeds).
pub const MAX_SEED: f64 = 9_007_199_254_740_991.0;

/// One setting's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(f64),
    Text(String),
    Bool(bool),
    Bytes(Vec<u8>),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Number(_) => "a number",
            Value::Text(_) => "a string",
            Value::Bool(_) => "true or false",
            Value::Bytes(_) => "bytes",
        }
    }
}

/// What type a key's value has, for a facade that converts a foreign object ([`Settings`] checks it again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Number,
    Text,
    Bool,
    Bytes,
}

/// A run's settings by name (module docs).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    entries: Vec<(String, Value)>,
}

impl Settings {
    pub fn new() -> Settings {
        Settings::default()
    }

    /// Sets (or replaces) a setting.
    pub fn set(&mut self, key: &str, value: Value) {
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((key.to_string(), value)),
        }
    }

    /// The same with one more setting (for building settings in code).
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Settings {
        self.set(key, value.into());
        self
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Refuses a key outside `known` (param: that key, code `unknown_key`).
    pub fn check_keys(&self, what: &str, known: &[(&str, Kind)]) -> Result<()> {
        for key in self.keys() {
            if !known.iter().any(|(k, _)| *k == key) {
                let names: Vec<&str> = known.iter().map(|(k, _)| *k).collect();
                return Err(Error::coded(
                    key,
                    "unknown_key",
                    format!("{what} has no setting {}; known: {}", crate::error::quote(key), names.join(", ")),
                ));
            }
        }
        Ok(())
    }

    fn wrong_type(key: &str, expected: &str, got: &Value) -> Error {
        Error::coded(key, "wrong_type", format!("must be {expected}, got {}", got.kind()))
    }

    pub fn number(&self, key: &str) -> Result<Option<f64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(x)) => Ok(Some(*x)),
            Some(v) => Err(Self::wrong_type(key, "a number", v)),
        }
    }

    pub fn text(&self, key: &str) -> Result<Option<&str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Text(t)) => Ok(Some(t)),
            Some(v) => Err(Self::wrong_type(key, "a string", v)),
        }
    }

    pub fn flag(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(Self::wrong_type(key, "true or false", v)),
        }
    }

    pub fn bytes(&self, key: &str) -> Result<Option<&[u8]>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bytes(b)) => Ok(Some(b)),
            Some(v) => Err(Self::wrong_type(key, "bytes", v)),
        }
    }

    /// A number in `[min, max]` (codes as [`check_range`]).
    pub fn range(&self, key: &str, min: f64, max: f64) -> Result<Option<f64>> {
        self.number(key)?.map(|x| check_range(key, x, min, max)).transpose()
    }

    /// A whole number in `[min, max]` (codes as [`check_range`], or `not_whole`).
    pub fn whole(&self, key: &str, min: f64, max: f64) -> Result<Option<u64>> {
        let Some(x) = self.range(key, min, max)? else { return Ok(None) };
        if x.fract() != 0.0 {
            return Err(Error::coded(key, "not_whole", format!("must be a whole number, got {}", brief(x)))
                .with("min", min)
                .with("max", max)
                .with("got", x));
        }
        Ok(Some(x as u64))
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Value {
        Value::Number(x)
    }
}

impl From<&str> for Value {
    fn from(t: &str) -> Value {
        Value::Text(t.to_string())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Value {
        Value::Bytes(b)
    }
}

/// An error from below with its `param` moved to the setting at fault when it names something that is not a
/// setting of this kind (the spec's own `x`, the data's `classes`, …): the page shows every error at a control.
pub(crate) fn blame(mut e: Error, keys: &[(&str, Kind)], setting: &str) -> Error {
    if !keys.iter().any(|(k, _)| *k == e.param) {
        e.param = setting.to_string();
    }
    e
}

/// How the UCI digits become a model's input in exported code: their raw size and largest value, read from the
/// digits file here (the engine's export knows no data set).
pub fn digits_preprocess(digits: &Digits) -> Preprocess {
    Preprocess::digits(digits.height(), digits.width(), digits.max_value() as f64)
}
