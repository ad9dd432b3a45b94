//! The step grammar shared by `aug=` pipelines ([`crate::augment`]) and model specs ([`crate::nn::spec`]).
//!
//! # Syntax
//! A spec is a `~`-separated list of steps. A step is a name, optionally followed by arguments in parentheses
//! separated by `_`: `name`, `name()`, `name(arg_arg_…)`. An argument is
//! - a parameter key immediately followed by its number (`deg30`, `p0.8`, `sigma1e-5`, `k5`), the longest key that
//!   prefixes the argument winning (`smin0.5` is `smin`, not `s`);
//! - a bare number, for the one parameter whose key is empty (a step's main parameter: `conv(8)`, `maxpool(2)`);
//! - or an option word of a word parameter (`bilinear`, `reflect`).
//!
//! Numbers are what Rust's `f64` parser reads: decimals with an optional minus sign and exponent (`-30`, `0.5`,
//! `3e-4`, `1E3`); each parameter's range decides which are accepted, so a minus sign is only ever accepted where the
//! range allows negative values. Spaces around steps and arguments are ignored. Only letters, digits and
//! `. _ ~ ( ) -` occur in a written spec, all of which `encodeURIComponent` leaves as they are.
//!
//! Serializing ([`write_step`]) writes the parameters in table order, omits those at their default, and writes each
//! number in the shortest form that reads back to the same f64 ([`shortest`](crate::number::shortest)). Parsing is therefore a fixed point:
//! `parse(write(parse(s))) == parse(s)`, although `write(parse(s))` need not equal `s` (`0.50` becomes `0.5`).
//!
//! # Errors
//! Every error carries the URL parameter of the whole spec (`aug`, `model`, …) and names the step by its 1-based
//! position and name: `step 3 (conv): k must be between 1 and 32, got 40`. The codes are stable: `too_long`,
//! `too_many_steps`, `empty_step`, `unclosed_arguments`, `empty_argument`, `unknown_step`, `unknown_parameter`,
//! `missing_value`, `not_a_number`, `duplicate_parameter`, `not_finite`, `out_of_range`, `not_whole`, `not_flag`,
//! `missing_required`; each error's values include `step` (the position) where there is one.

use crate::error::{Error, Result, check_range};
use crate::number::shortest;

/// How a parameter's value is written and checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamType {
    Number,
    /// A whole number.
    Integer,
    /// 0 or 1.
    Flag,
    /// One of these option words, written bare; the value is the word's index.
    Word(&'static [&'static str]),
}

/// One parameter of a step: `key` as written (empty for the main parameter, written as a bare number), its type,
/// its inclusive range and its default. A `NaN` default marks a required parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    pub key: &'static str,
    pub kind: ParamType,
    pub min: f64,
    pub max: f64,
    pub default: f64,
}

impl Param {
    /// Whether a step must give this parameter.
    pub fn required(&self) -> bool {
        self.default.is_nan()
    }

    /// Checks a value against the type and range; the error's param is the key.
    pub fn check(&self, value: f64) -> Result<f64> {
        let key = self.label();
        if self.kind == ParamType::Flag && value != 0.0 && value != 1.0 {
            return Err(Error::coded(key, "not_flag", format!("must be 0 or 1, got {value}")).with("got", value));
        }
        check_range(key, value, self.min, self.max)?;
        if matches!(self.kind, ParamType::Integer | ParamType::Word(_)) && value.fract() != 0.0 {
            return Err(
                Error::coded(key, "not_whole", format!("must be a whole number, got {value}")).with("got", value)
            );
        }
        Ok(value)
    }

    /// The key, or `value` for the bare main parameter, as messages name it.
    pub fn label(&self) -> &'static str {
        if self.key.is_empty() { "value" } else { self.key }
    }
}

/// A number parameter.
pub const fn num(key: &'static str, min: f64, max: f64, default: f64) -> Param {
    Param { key, kind: ParamType::Number, min, max, default }
}
/// A whole-number parameter.
pub const fn int(key: &'static str, min: f64, max: f64, default: f64) -> Param {
    Param { key, kind: ParamType::Integer, min, max, default }
}
/// A 0/1 parameter.
pub const fn flag(key: &'static str, default: f64) -> Param {
    Param { key, kind: ParamType::Flag, min: 0.0, max: 1.0, default }
}
/// An option-word parameter; the default is the index of a word.
pub const fn word(key: &'static str, words: &'static [&'static str], default: usize) -> Param {
    Param { key, kind: ParamType::Word(words), min: 0.0, max: (words.len() - 1) as f64, default: default as f64 }
}

/// The characters a spec is written with, as a regular expression's character class: letters, digits and the
/// grammar's punctuation (`~` between steps, `(` `)` around arguments, `_` between them, `.` `-` in numbers). All
/// are safe in a URL without escaping; the page's URL table refuses any other.
pub const ALPHABET_CLASS: &str = "A-Za-z0-9._~()-";

/// The limits of one kind of spec and the URL parameter it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grammar {
    /// The URL parameter every error names (`aug`, `model`).
    pub param: &'static str,
    /// The most characters a spec may have.
    pub max_len: usize,
    /// The most steps.
    pub max_steps: usize,
}

/// One step as written, before its name is resolved: its 1-based position, its name and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepText<'a> {
    param: &'static str,
    pub position: usize,
    pub name: &'a str,
    pub args: Vec<&'a str>,
}

impl Grammar {
    /// Splits a spec into steps and arguments, checking the length, the step count and the parentheses. The empty
    /// (or all-space) spec has no steps.
    pub fn split<'a>(&self, text: &'a str) -> Result<Vec<StepText<'a>>> {
        let param = self.param;
        if text.len() > self.max_len {
            return Err(Error::coded(
                param,
                "too_long",
                format!("the {} is {} characters long; at most {}", self.noun(), text.len(), self.max_len),
            )
            .with("got", text.len() as f64)
            .with("max", self.max_len as f64));
        }
        let text = text.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let parts: Vec<&str> = text.split('~').collect();
        if parts.len() > self.max_steps {
            return Err(Error::coded(
                param,
                "too_many_steps",
                format!("{} steps; at most {}", parts.len(), self.max_steps),
            )
            .with("got", parts.len() as f64)
            .with("max", self.max_steps as f64));
        }
        parts.iter().enumerate().map(|(i, part)| self.split_step(i + 1, part.trim())).collect()
    }

    fn split_step<'a>(&self, position: usize, text: &'a str) -> Result<StepText<'a>> {
        if text.is_empty() {
            return Err(Error::coded(
                self.param,
                "empty_step",
                format!("step {position} is empty; separate steps with a single ~"),
            )
            .with("step", position as f64));
        }
        let (name, args) = match text.split_once('(') {
            Some((name, rest)) => (name.trim(), Some(rest)),
            None => (text, None),
        };
        let step = StepText { param: self.param, position, name, args: Vec::new() };
        let Some(rest) = args else { return Ok(step) };
        let Some(inner) = rest.strip_suffix(')') else {
            return Err(
                step.error_text("unclosed_arguments", "the arguments must end with ) and nothing may follow it")
            );
        };
        if inner.trim().is_empty() {
            return Ok(step);
        }
        let args: Vec<&str> = inner.split('_').map(str::trim).collect();
        if args.iter().any(|a| a.is_empty()) {
            return Err(step.error_text("empty_argument", "an empty argument; separate arguments with a single _"));
        }
        Ok(StepText { args, ..step })
    }

    fn noun(&self) -> &'static str {
        if self.param == "aug" { "pipeline" } else { "spec" }
    }
}

impl StepText<'_> {
    /// `e` as an error of this step: the spec's parameter, `step N (name): ` before the message, the position
    /// among the values, the code kept.
    pub fn error(&self, e: Error) -> Error {
        let mut out =
            Error::coded(self.param, e.code, format!("step {} ({}): {}", self.position, self.name, e.message))
                .with("step", self.position as f64);
        out.values.extend(e.values);
        out
    }

    fn error_text(&self, code: &'static str, message: &str) -> Error {
        self.error(Error::coded(self.param, code, message))
    }

    /// The error for a name that is not one of `names`.
    pub fn unknown(&self, names: &[&str]) -> Error {
        Error::coded(
            self.param,
            "unknown_step",
            format!("step {}: unknown step {:?}; expected one of {}", self.position, self.name, names.join(", ")),
        )
        .with("step", self.position as f64)
    }

    /// The arguments read against `params`: one value per parameter, in table order, defaults where not given
    /// (a word parameter's value is its word's index). Errors are this step's.
    pub fn read(&self, params: &[Param]) -> Result<Vec<f64>> {
        let mut values: Vec<f64> = params.iter().map(|p| p.default).collect();
        let mut seen = vec![false; params.len()];
        for tok in &self.args {
            let (i, value) = self.read_arg(params, tok, &values).map_err(|e| self.error(e))?;
            if std::mem::replace(&mut seen[i], true) {
                let key = params[i].label();
                return Err(self.error(Error::coded(key, "duplicate_parameter", format!("{key} is given twice"))));
            }
            values[i] = value;
        }
        if let Some(p) = params.iter().zip(&values).find_map(|(p, v)| v.is_nan().then_some(p)) {
            let value = shortest(p.min.max(2.0));
            let example = if p.key.is_empty() {
                format!("{}({value})", self.name)
            } else {
                format!("{}({}{value})", self.name, p.key)
            };
            return Err(self.error(Error::coded(
                p.label(),
                "missing_required",
                format!("{} needs its {}, e.g. {example}", self.name, p.label()),
            )));
        }
        Ok(values)
    }

    /// Which parameter one argument sets, and to what.
    fn read_arg(&self, params: &[Param], tok: &str, values: &[f64]) -> Result<(usize, f64)> {
        for (i, param) in params.iter().enumerate() {
            if let ParamType::Word(words) = param.kind
                && let Some(w) = words.iter().position(|w| *w == tok)
            {
                return Ok((i, w as f64));
            }
        }
        let starts_number = tok.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.' || c == '+');
        let Some(i) = params
            .iter()
            .enumerate()
            .filter(|(_, p)| !matches!(p.kind, ParamType::Word(_)) && tok.starts_with(p.key))
            .filter(|(_, p)| !p.key.is_empty() || starts_number)
            .max_by_key(|(_, p)| p.key.len())
            .map(|(i, _)| i)
        else {
            return Err(Error::coded(
                tok,
                "unknown_parameter",
                format!("unknown parameter {tok:?}; {}", usage(self.name, params)),
            ));
        };
        let param = params[i];
        let key = param.label();
        let example = || shortest(if values[i].is_nan() { param.min.max(1.0) } else { values[i] });
        let text = &tok[param.key.len()..];
        if text.is_empty() {
            return Err(Error::coded(
                key,
                "missing_value",
                format!("{key} needs a value written right after it, e.g. {key}{}", example()),
            ));
        }
        let value: f64 = text.parse().map_err(|_| {
            let written = if param.key.is_empty() { String::new() } else { key.to_string() };
            Error::coded(
                key,
                "not_a_number",
                format!("{key} must be a number, got {text:?} (write e.g. {written}{})", example()),
            )
        })?;
        let value = param.check(value).map_err(|e| Error { message: format!("{key} {}", e.message), ..e })?;
        Ok((i, value))
    }
}

/// What a step accepts, for error messages: `rotate takes deg, fill, p followed by a number (e.g. deg15) and the
/// options nearest, bilinear`.
pub fn usage(name: &str, params: &[Param]) -> String {
    let numbers: Vec<&Param> = params.iter().filter(|p| !matches!(p.kind, ParamType::Word(_))).collect();
    let words: Vec<&str> = params
        .iter()
        .filter_map(|p| if let ParamType::Word(w) = p.kind { Some(w) } else { None })
        .flatten()
        .copied()
        .collect();
    let mut s = format!("{name} takes");
    if let Some(first) = numbers.first() {
        let keys: Vec<&str> = numbers.iter().map(|p| if p.key.is_empty() { "a bare number" } else { p.key }).collect();
        let value = if first.required() { first.min.max(1.0) } else { first.default };
        s += &format!(" {} followed by a number (e.g. {}{})", keys.join(", "), first.key, shortest(value));
    } else {
        s += " no numbers";
    }
    if !words.is_empty() {
        s += &format!(" and the options {}", words.join(", "));
    }
    s
}

/// A step written back: `name`, or `name(arg_arg_…)` with the parameters that differ from their defaults, in
/// table order. `values` are aligned with `params`.
pub fn write_step(name: &str, params: &[Param], values: &[f64]) -> String {
    let args: Vec<String> = params
        .iter()
        .zip(values)
        .filter(|(p, v)| **v != p.default)
        .map(|(p, &v)| match p.kind {
            ParamType::Word(words) => words.get(v as usize).copied().unwrap_or_default().to_string(),
            _ => format!("{}{}", p.key, shortest(v)),
        })
        .collect();
    if args.is_empty() { name.to_string() } else { format!("{name}({})", args.join("_")) }
}
