//! Reading one plain JS config object per constructor: known keys only, each with the type it must have, every
//! mistake a core [`Error`] whose `param` is the key at fault (so the page puts the message next to that control).
//! `undefined` and `null` values count as absent. Every key is read once, through [`super::args`], when the object
//! is read: a getter or Proxy trap that throws is that key's error (code `unreadable`), and a getter cannot answer
//! differently the second time it is asked.

use super::args;
use crate::error::{Error, Result as CoreResult};
use wasm_bindgen::JsValue;

pub use super::args::{MAX_SAFE, whole};

pub struct Config {
    /// `(key, value)` for every known key that is present (neither `undefined` nor `null`).
    values: Vec<(&'static str, JsValue)>,
}

impl Config {
    /// `value` must be a plain object (or absent: every key takes its default) whose keys are all in `keys`;
    /// `what` names the object in errors (code `not_an_object`, `unknown_key` with the key as param, `unreadable`
    /// when listing the keys or reading one throws).
    pub fn read(value: &JsValue, what: &str, keys: &[&'static str]) -> CoreResult<Config> {
        if value.is_undefined() || value.is_null() {
            return Ok(Config { values: Vec::new() });
        }
        // A typed array is not settings (its Object.keys would be one key per element).
        let is_view = js_sys::ArrayBuffer::is_view(value);
        if !value.is_object() || value.is_function() || is_view || args::is_array(what, value)? {
            return Err(Error::coded(what, "not_an_object", format!("{what} must be an object of settings")));
        }
        if let Some(key) = args::unknown_key(what, value, |k| keys.contains(&k))? {
            let key: String = key.chars().take(64).collect(); // the param names the key; a hostile one is cut
            return Err(Error::coded(
                &key,
                "unknown_key",
                format!("{what} has no setting {}; known: {}", crate::error::quote(&key), keys.join(", ")),
            ));
        }
        let mut values = Vec::new();
        for &key in keys {
            let v = args::get(key, value, key)?;
            if !v.is_undefined() && !v.is_null() {
                values.push((key, v));
            }
        }
        Ok(Config { values })
    }

    fn get(&self, key: &str) -> Option<&JsValue> {
        self.values.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn string(&self, key: &str) -> CoreResult<Option<String>> {
        self.get(key).map(|v| args::text(key, v)).transpose()
    }

    pub fn number(&self, key: &str) -> CoreResult<Option<f64>> {
        self.get(key).map(|v| args::number(key, v)).transpose()
    }

    pub fn bool(&self, key: &str) -> CoreResult<Option<bool>> {
        self.get(key).map(|v| args::boolean(key, v)).transpose()
    }

    /// A whole number in `[min, max]` (codes as [`crate::error::check_range`], or `not_whole`).
    pub fn whole(&self, key: &str, min: f64, max: f64) -> CoreResult<Option<u64>> {
        self.number(key)?.map(|x| whole(key, x, min, max)).transpose()
    }

    /// A two-number array `[low, high]` (each checked by the caller).
    pub fn pair(&self, key: &str) -> CoreResult<Option<(f64, f64)>> {
        let Some(v) = self.get(key) else { return Ok(None) };
        let n = args::f64s(key, v, 2).map_err(|_| args::wrong_type(key, "[low, high]"))?;
        if n.len() != 2 {
            return Err(args::wrong_type(key, "[low, high]"));
        }
        Ok(Some((n[0], n[1])))
    }

    /// An array of whole numbers, each in `[min, max]`, at most `max_len` of them.
    pub fn wholes(&self, key: &str, min: f64, max: f64, max_len: usize) -> CoreResult<Option<Vec<u64>>> {
        let Some(v) = self.get(key) else { return Ok(None) };
        let numbers = args::f64s(key, v, max_len).map_err(|e| {
            if e.code == "unreadable" {
                e
            } else {
                args::wrong_type(key, &format!("an array of at most {max_len} whole numbers"))
            }
        })?;
        numbers.into_iter().map(|x| whole(key, x, min, max)).collect::<CoreResult<Vec<_>>>().map(Some)
    }

    /// The bytes of a Uint8Array or ArrayBuffer (copied), at most `max` (code `too_large`, checked before copying).
    pub fn bytes_at_most(&self, key: &str, max: usize) -> CoreResult<Option<Vec<u8>>> {
        self.get(key).map(|v| args::bytes(key, v, max)).transpose()
    }

    /// The bytes of a Uint8Array or ArrayBuffer (copied), at most [`MAX_BYTES`].
    pub fn bytes(&self, key: &str) -> CoreResult<Option<Vec<u8>>> {
        self.bytes_at_most(key, MAX_BYTES)
    }

    /// The values of a Float32Array (or an array of numbers) of at most `max` values (copied; codes `wrong_type`,
    /// `too_large` checked before anything is copied).
    pub fn floats(&self, key: &str, max: usize) -> CoreResult<Option<Vec<f32>>> {
        self.get(key).map(|v| args::f32s(key, v, max)).transpose()
    }

    /// The values of a Float64Array (or an array of numbers) of at most `max` values (copied; codes `wrong_type`,
    /// `too_large`).
    pub fn f64s(&self, key: &str, max: usize) -> CoreResult<Option<Vec<f64>>> {
        self.get(key).map(|v| args::f64s(key, v, max)).transpose()
    }

    /// The values of a Uint32Array (or an array of whole numbers) of at most `max` values (copied; codes
    /// `wrong_type`, `too_large`).
    pub fn uints(&self, key: &str, max: usize) -> CoreResult<Option<Vec<u32>>> {
        self.get(key).map(|v| args::u32s(key, v, max)).transpose()
    }
}

/// Bytes in one byte-array setting or argument (a file: the digits, a weights file): 64 MiB.
pub const MAX_BYTES: usize = 1 << 26;
