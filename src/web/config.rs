//! Reading one plain JS config object per constructor: known keys only, each with the type it must have, every
//! mistake a core [`Error`] whose `param` is the key at fault (so the page puts the message next to that control).
//! `undefined` and `null` values count as absent.

use crate::error::{Error, Result as CoreResult, brief, check_range};
use wasm_bindgen::{JsCast, JsValue};

/// The largest whole number a JS number holds exactly.
pub const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

pub struct Config {
    object: js_sys::Object,
}

impl Config {
    /// `value` must be a plain object (or absent: every key takes its default) whose keys are all in `keys`;
    /// `what` names the object in errors (code `not_an_object`, `unknown_key` with the key as param).
    pub fn read(value: &JsValue, what: &str, keys: &[&str]) -> CoreResult<Config> {
        if value.is_undefined() || value.is_null() {
            return Ok(Config { object: js_sys::Object::new() });
        }
        if !value.is_object() || js_sys::Array::is_array(value) || value.is_function() {
            return Err(Error::coded(what, "not_an_object", format!("{what} must be an object of settings")));
        }
        let object: js_sys::Object = value.clone().unchecked_into();
        for key in js_sys::Object::keys(&object).iter() {
            let key = key.as_string().unwrap_or_default();
            if !keys.contains(&key.as_str()) {
                return Err(Error::coded(
                    &key,
                    "unknown_key",
                    format!("{what} has no setting {}; known: {}", crate::error::quote(&key), keys.join(", ")),
                ));
            }
        }
        Ok(Config { object })
    }

    fn get(&self, key: &str) -> Option<JsValue> {
        let v = js_sys::Reflect::get(&self.object, &key.into()).ok()?;
        (!v.is_undefined() && !v.is_null()).then_some(v)
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    fn wrong_type(key: &str, expected: &str) -> Error {
        Error::coded(key, "wrong_type", format!("must be {expected}"))
    }

    pub fn string(&self, key: &str) -> CoreResult<Option<String>> {
        self.get(key).map(|v| v.as_string().ok_or_else(|| Self::wrong_type(key, "a string"))).transpose()
    }

    pub fn number(&self, key: &str) -> CoreResult<Option<f64>> {
        self.get(key).map(|v| v.as_f64().ok_or_else(|| Self::wrong_type(key, "a number"))).transpose()
    }

    pub fn bool(&self, key: &str) -> CoreResult<Option<bool>> {
        self.get(key).map(|v| v.as_bool().ok_or_else(|| Self::wrong_type(key, "true or false"))).transpose()
    }

    /// A whole number in `[min, max]` (codes as [`check_range`], or `not_whole`).
    pub fn whole(&self, key: &str, min: f64, max: f64) -> CoreResult<Option<u64>> {
        self.number(key)?.map(|x| whole(key, x, min, max)).transpose()
    }

    /// A two-number array `[low, high]` (each checked by the caller).
    pub fn pair(&self, key: &str) -> CoreResult<Option<(f64, f64)>> {
        let Some(v) = self.get(key) else { return Ok(None) };
        let numbers = numbers(&v).filter(|n| n.len() == 2).ok_or_else(|| Self::wrong_type(key, "[low, high]"))?;
        Ok(Some((numbers[0], numbers[1])))
    }

    /// An array of whole numbers, each in `[min, max]`, at most `max_len` of them.
    pub fn wholes(&self, key: &str, min: f64, max: f64, max_len: usize) -> CoreResult<Option<Vec<u64>>> {
        let Some(v) = self.get(key) else { return Ok(None) };
        let numbers = numbers(&v)
            .filter(|n| n.len() <= max_len)
            .ok_or_else(|| Self::wrong_type(key, &format!("an array of at most {max_len} whole numbers")))?;
        numbers.into_iter().map(|x| whole(key, x, min, max)).collect::<CoreResult<Vec<_>>>().map(Some)
    }

    /// The bytes of a Uint8Array or ArrayBuffer (copied).
    pub fn bytes(&self, key: &str) -> CoreResult<Option<Vec<u8>>> {
        let Some(v) = self.get(key) else { return Ok(None) };
        if let Some(a) = v.dyn_ref::<js_sys::Uint8Array>() {
            return Ok(Some(a.to_vec()));
        }
        if let Some(b) = v.dyn_ref::<js_sys::ArrayBuffer>() {
            return Ok(Some(js_sys::Uint8Array::new(b).to_vec()));
        }
        Err(Self::wrong_type(key, "a Uint8Array or ArrayBuffer"))
    }
}

impl Config {
    /// The values of a Float32Array of at most `max` values (copied; codes `wrong_type`, `too_large` checked before
    /// anything is copied).
    pub fn floats(&self, key: &str, max: usize) -> CoreResult<Option<Vec<f32>>> {
        let Some(v) = self.get(key) else { return Ok(None) };
        let a = v.dyn_ref::<js_sys::Float32Array>().ok_or_else(|| Self::wrong_type(key, "a Float32Array"))?;
        Self::check_len(key, a.length() as usize, max)?;
        Ok(Some(a.to_vec()))
    }

    /// The values of a Uint32Array of at most `max` values (copied; codes `wrong_type`, `too_large`).
    pub fn uints(&self, key: &str, max: usize) -> CoreResult<Option<Vec<u32>>> {
        let Some(v) = self.get(key) else { return Ok(None) };
        let a = v.dyn_ref::<js_sys::Uint32Array>().ok_or_else(|| Self::wrong_type(key, "a Uint32Array"))?;
        Self::check_len(key, a.length() as usize, max)?;
        Ok(Some(a.to_vec()))
    }

    fn check_len(key: &str, len: usize, max: usize) -> CoreResult<()> {
        if len > max {
            return Err(Error::coded(key, "too_large", format!("at most {max} values, got {len}"))
                .with("max", max as f64)
                .with("got", len as f64));
        }
        Ok(())
    }
}

/// The numbers of a JS array (or typed array), or `None` when it is not one or holds something else.
fn numbers(v: &JsValue) -> Option<Vec<f64>> {
    if !js_sys::Array::is_array(v) && !v.has_type::<js_sys::Float64Array>() && !js_sys::ArrayBuffer::is_view(v) {
        return None;
    }
    let array = js_sys::Array::from(v);
    if array.length() > 1 << 20 {
        return None;
    }
    array.iter().map(|x| x.as_f64()).collect()
}

/// A whole number in `[min, max]` from a JS number (codes as [`check_range`], or `not_whole`).
pub fn whole(param: &str, x: f64, min: f64, max: f64) -> CoreResult<u64> {
    let x = check_range(param, x, min, max)?;
    if x.fract() != 0.0 {
        return Err(Error::coded(param, "not_whole", format!("must be a whole number, got {}", brief(x)))
            .with("min", min)
            .with("max", max)
            .with("got", x));
    }
    Ok(x as u64)
}
