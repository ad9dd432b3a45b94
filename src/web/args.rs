//! The one checked path by which the facade reads a JS argument. Every `#[wasm_bindgen]` entry point takes its
//! arguments as `JsValue` and reads them here, because wasm-bindgen's own conversions trust the caller: a number
//! becomes a `&str` by reading wasm memory at an undefined address, `{ length: 1e9 }` becomes a `&[u32]` by
//! allocating 4 GB, `usize` and `u32` wrap at 2³², and a getter that throws unwinds through the wasm frames and
//! leaves the object borrowed for good ("recursive use of an object"). Here every touch of a caller's value is a
//! `catch` call (its exception becomes that setting's error), numbers are checked as f64 before they are converted,
//! and lengths are checked before anything is allocated. Errors are core [`Error`]s whose `param` names the argument;
//! codes: `wrong_type`, `not_finite`, `out_of_range`, `not_whole`, `too_large`, `too_long`, `unreadable`
//! (README, "Arguments: one checked path").

use crate::error::{Error, Result as CoreResult, brief};
use std::cell::OnceCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// The largest whole number a JS number holds exactly.
pub const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// Characters in one text argument (names, specs, file names); each parser has its own, smaller limit.
pub const MAX_TEXT: usize = 4096;

/// Entries of a list argument given as a plain JS array (typed arrays have their own, per-argument limit).
pub const MAX_LIST: usize = 1 << 16;

#[wasm_bindgen]
extern "C" {
    // `Object.keys` and `Array.isArray` run a Proxy's traps; js-sys declares them without `catch`.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(value: &JsValue) -> Result<js_sys::Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn array_is_array(value: &JsValue) -> Result<bool, JsValue>;
}

/// A whole number in `[min, max]` from a JS number: [`crate::error::check_whole`] (compared as f64, so 2³²+1 is
/// out of range, never 1).
pub use crate::error::check_whole as whole;

pub fn wrong_type(param: &str, expected: &str) -> Error {
    Error::coded(param, "wrong_type", format!("must be {expected}"))
}

/// The caller's own exception (a getter, a Proxy trap) while reading `param`, as that setting's error.
pub fn unreadable(param: &str, thrown: &JsValue) -> Error {
    let detail = thrown
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| thrown.as_string())
        .unwrap_or_default();
    let detail: String = detail.chars().take(200).collect();
    Error::coded(param, "unreadable", format!("could not be read: {detail}"))
}

pub fn too_large(param: &str, got: f64, max: usize) -> Error {
    Error::coded(param, "too_large", format!("at most {max} values, got {}", brief(got)))
        .with("max", max as f64)
        .with("got", got)
}

/// `object[key]`, the caller's exception becoming `param`'s error.
pub fn get(param: &str, object: &JsValue, key: &str) -> CoreResult<JsValue> {
    js_sys::Reflect::get(object, &key.into()).map_err(|e| unreadable(param, &e))
}

/// The first own enumerable string key of an object (`Object.keys`) that `known` refuses, if any, the caller's
/// exception becoming `param`'s error. The keys stay in JS and are looked at one by one until the first unknown one,
/// so an object of millions of keys costs no wasm memory.
pub fn unknown_key(param: &str, object: &JsValue, known: impl Fn(&str) -> bool) -> CoreResult<Option<String>> {
    let keys = object_keys(object).map_err(|e| unreadable(param, &e))?;
    Ok(keys.iter().filter_map(|k| k.as_string()).find(|k| !known(k)))
}

pub fn is_array(param: &str, value: &JsValue) -> CoreResult<bool> {
    if !value.is_object() {
        return Ok(false);
    }
    array_is_array(value).map_err(|e| unreadable(param, &e))
}

/// A JS number (no coercion: a string or an object is `wrong_type`).
pub fn number(param: &str, value: &JsValue) -> CoreResult<f64> {
    value.as_f64().ok_or_else(|| wrong_type(param, "a number"))
}

/// A whole number in `[min, max]` (see [`whole`]).
pub fn whole_arg(param: &str, value: &JsValue, min: f64, max: f64) -> CoreResult<u64> {
    whole(param, number(param, value)?, min, max)
}

/// A whole number in `[min, max]` as a `usize` (the limits are `usize`s, so the value fits).
pub fn count(param: &str, value: &JsValue, min: usize, max: usize) -> CoreResult<usize> {
    whole_arg(param, value, min as f64, max as f64).map(|v| v as usize)
}

/// A seed: whole, 0 … 2⁵³−1.
pub fn seed(value: &JsValue) -> CoreResult<u64> {
    whole_arg("seed", value, 0.0, MAX_SAFE)
}

pub fn boolean(param: &str, value: &JsValue) -> CoreResult<bool> {
    value.as_bool().ok_or_else(|| wrong_type(param, "true or false"))
}

/// A JS string of at most [`MAX_TEXT`] characters (measured before it is copied).
pub fn text(param: &str, value: &JsValue) -> CoreResult<String> {
    if !value.is_string() {
        return Err(wrong_type(param, "a string"));
    }
    let len = value.unchecked_ref::<js_sys::JsString>().length() as usize;
    if len > MAX_TEXT {
        return Err(Error::coded(param, "too_long", format!("{len} characters; at most {MAX_TEXT}"))
            .with("got", len as f64)
            .with("max", MAX_TEXT as f64));
    }
    Ok(value.as_string().unwrap_or_default())
}

/// A string, or `None` for `undefined` / `null`.
pub fn optional_text(param: &str, value: &JsValue) -> CoreResult<Option<String>> {
    if value.is_undefined() || value.is_null() { Ok(None) } else { text(param, value).map(Some) }
}

/// The elements of a plain JS array of at most `max` entries (its length is read and checked first).
pub fn list(param: &str, value: &JsValue, max: usize) -> CoreResult<Vec<JsValue>> {
    if !is_array(param, value)? {
        return Err(wrong_type(param, &format!("an array of at most {max} entries")));
    }
    let len = get(param, value, "length")?.as_f64().unwrap_or(f64::NAN);
    if !(len >= 0.0 && len.fract() == 0.0) {
        return Err(wrong_type(param, "an array"));
    }
    if len > max as f64 {
        return Err(too_large(param, len, max));
    }
    (0..len as u32).map(|i| js_sys::Reflect::get_u32(value, i).map_err(|e| unreadable(param, &e))).collect()
}

/// An array of at most `max` strings.
pub fn texts(param: &str, value: &JsValue, max: usize) -> CoreResult<Vec<String>> {
    list(param, value, max)?.iter().map(|v| text(param, v)).collect()
}

/// %TypedArray%.prototype's `@@toStringTag` and `length` getters and ArrayBuffer.prototype's `byteLength` getter:
/// they read a value's internal slots, so neither a Proxy nor an own property of the caller's can answer for them.
struct Intrinsics {
    tag: js_sys::Function,
    length: js_sys::Function,
    byte_length: js_sys::Function,
}

thread_local! {
    static INTRINSICS: OnceCell<Option<Intrinsics>> = const { OnceCell::new() };
}

fn getter(object: &JsValue, key: &JsValue) -> Option<js_sys::Function> {
    let descriptor = js_sys::Reflect::get_own_property_descriptor::<JsValue>(object.unchecked_ref(), key).ok()?;
    js_sys::Reflect::get(&descriptor, &"get".into()).ok()?.dyn_into().ok()
}

fn intrinsics() -> Option<Intrinsics> {
    let uint8 = js_sys::Uint8Array::new_with_length(0);
    let uint8_prototype: JsValue = js_sys::Reflect::get_prototype_of(&uint8).ok()?.into();
    let typed: JsValue = js_sys::Reflect::get_prototype_of(&uint8_prototype).ok()?.into();
    let buffer: JsValue = js_sys::Reflect::get_prototype_of(&js_sys::ArrayBuffer::new(0)).ok()?.into();
    Some(Intrinsics {
        tag: getter(&typed, &js_sys::Symbol::to_string_tag())?,
        length: getter(&typed, &"length".into())?,
        byte_length: getter(&buffer, &"byteLength".into())?,
    })
}

/// `Some((name, length))` when `value` really is a typed array (e.g. `("Float32Array", 6)`), read from its internal
/// slots (no user code runs).
fn typed_array(value: &JsValue) -> Option<(String, u32)> {
    if !js_sys::ArrayBuffer::is_view(value) {
        return None;
    }
    INTRINSICS.with(|cell| {
        let i = cell.get_or_init(intrinsics).as_ref()?;
        let name = i.tag.call0(value).ok()?.as_string()?;
        let length = i.length.call0(value).ok()?.as_f64()?;
        Some((name, length as u32))
    })
}

/// The byte length of a real ArrayBuffer (not a SharedArrayBuffer, not a Proxy).
fn array_buffer_len(value: &JsValue) -> Option<u32> {
    if !value.is_object() {
        return None;
    }
    INTRINSICS.with(|cell| {
        let i = cell.get_or_init(intrinsics).as_ref()?;
        i.byte_length.call0(value).ok()?.as_f64().map(|n| n as u32)
    })
}

/// Copies the `len` values of a verified typed array into a fresh vector through a view of the wasm memory
/// (`TypedArray.prototype.set` from a typed array reads internal slots only; nothing is allocated between making
/// the view and the copy, so the view stays attached).
macro_rules! copy_typed {
    ($ty:ty, $array:ty, $src:expr, $len:expr) => {{
        let len: usize = $len;
        let mut out: Vec<$ty> = Vec::with_capacity(len);
        if len > 0 {
            // SAFETY: `out` has capacity `len`; the view is used once, before anything else allocates, and `set`
            // writes exactly `len` values (the source's true length) into it.
            unsafe {
                let view = <$array>::view_mut_raw(out.as_mut_ptr(), len);
                view.set($src, 0);
                out.set_len(len);
            }
        }
        out
    }};
}

const NUMERIC_ARRAYS: [&str; 9] = [
    "Int8Array",
    "Uint8Array",
    "Uint8ClampedArray",
    "Int16Array",
    "Uint16Array",
    "Int32Array",
    "Uint32Array",
    "Float32Array",
    "Float64Array",
];

/// The numbers of a typed array (any but the BigInt ones, and Float16Array where the engine has it) or of a plain
/// array of numbers, at most `max`; `exact` is the typed array copied without conversion.
fn numbers_or<T>(
    param: &str,
    value: &JsValue,
    max: usize,
    exact: &[&str],
    copy: impl FnOnce(usize) -> Vec<T>,
    convert: impl Fn(f64) -> CoreResult<T>,
) -> CoreResult<Vec<T>> {
    let expected = || wrong_type(param, &format!("a typed array or an array of at most {max} numbers"));
    if let Some((name, len)) = typed_array(value) {
        if len as usize > max {
            return Err(too_large(param, len as f64, max));
        }
        if exact.contains(&name.as_str()) {
            return Ok(copy(len as usize));
        }
        if !NUMERIC_ARRAYS.contains(&name.as_str()) {
            return Err(expected());
        }
        return copy_typed!(f64, js_sys::Float64Array, value, len as usize).into_iter().map(convert).collect();
    }
    if !is_array(param, value)? {
        return Err(expected());
    }
    list(param, value, max.min(MAX_LIST))?.iter().map(|v| convert(number(param, v)?)).collect()
}

/// Float32 values (a Float32Array as is; other arrays of numbers converted), at most `max`.
pub fn f32s(param: &str, value: &JsValue, max: usize) -> CoreResult<Vec<f32>> {
    let copy = |len| copy_typed!(f32, js_sys::Float32Array, value, len);
    numbers_or(param, value, max, &["Float32Array"], copy, |x| Ok(x as f32))
}

/// Float64 values, at most `max`.
pub fn f64s(param: &str, value: &JsValue, max: usize) -> CoreResult<Vec<f64>> {
    let copy = |len| copy_typed!(f64, js_sys::Float64Array, value, len);
    numbers_or(param, value, max, &["Float64Array"], copy, Ok)
}

/// Whole numbers 0 … 2³²−1 (a Uint32Array as is; other arrays checked value by value, never wrapped), at most `max`.
pub fn u32s(param: &str, value: &JsValue, max: usize) -> CoreResult<Vec<u32>> {
    let copy = |len| copy_typed!(u32, js_sys::Uint32Array, value, len);
    numbers_or(param, value, max, &["Uint32Array"], copy, |x| whole(param, x, 0.0, u32::MAX as f64).map(|v| v as u32))
}

/// Bytes: a Uint8Array, Uint8ClampedArray or ArrayBuffer (copied), or an array of whole numbers 0 … 255, at most
/// `max`.
pub fn bytes(param: &str, value: &JsValue, max: usize) -> CoreResult<Vec<u8>> {
    if let Some(len) = array_buffer_len(value) {
        if len as usize > max {
            return Err(too_large(param, len as f64, max));
        }
        if len == 0 {
            return Ok(Vec::new()); // also a detached buffer, which a view could not be made of
        }
        let view = js_sys::Uint8Array::new(value);
        return Ok(copy_typed!(u8, js_sys::Uint8Array, &view, len as usize));
    }
    let copy = |len| copy_typed!(u8, js_sys::Uint8Array, value, len);
    numbers_or(param, value, max, &["Uint8Array", "Uint8ClampedArray"], copy, |x| {
        whole(param, x, 0.0, 255.0).map(|v| v as u8)
    })
}

/// The live objects of one exported class, by handle. A method that takes such an object as an argument reads its
/// `handle` getter through [`get`] and looks it up here, instead of letting wasm-bindgen's glue take the argument
/// (which throws a bare Error without `param` and `code` for anything else, e.g. a number or a freed object).
pub struct Registry<T: Clone> {
    live: std::cell::RefCell<Vec<(u32, T)>>,
    next: std::cell::Cell<u32>,
}

impl<T: Clone> Registry<T> {
    pub const fn new() -> Self {
        Registry { live: std::cell::RefCell::new(Vec::new()), next: std::cell::Cell::new(1) }
    }

    /// Registers a new object's shared part; returns its handle (call [`Registry::remove`] in its `Drop`).
    pub fn add(&self, value: T) -> u32 {
        let handle = self.next.get();
        self.next.set(handle.wrapping_add(1).max(1));
        self.live.borrow_mut().push((handle, value));
        handle
    }

    pub fn remove(&self, handle: u32) {
        self.live.borrow_mut().retain(|(h, _)| *h != handle);
    }

    /// The object a JS argument is (`wrong_type` naming `what` for anything but a live one, `unreadable` when reading
    /// its handle throws).
    pub fn find(&self, param: &str, value: &JsValue, what: &str) -> CoreResult<T> {
        let not = || wrong_type(param, &format!("a {what} (not freed)"));
        if !value.is_object() {
            return Err(not());
        }
        let handle = get(param, value, "handle")?.as_f64().ok_or_else(not)?;
        if handle.fract() != 0.0 || !(1.0..=u32::MAX as f64).contains(&handle) {
            return Err(not());
        }
        let live = self.live.borrow();
        live.iter().find(|(h, _)| *h as f64 == handle).map(|(_, v)| v.clone()).ok_or_else(not)
    }
}

/// A real `<canvas>` element: HTMLCanvasElement.prototype's `width` getter answers only for one (its brand check
/// refuses anything else, a Proxy of a canvas included), so the drawing code never runs a caller's trap.
pub fn canvas(param: &str, value: &JsValue) -> CoreResult<web_sys::HtmlCanvasElement> {
    let not = || wrong_type(param, "a canvas element");
    if !value.is_object() {
        return Err(not());
    }
    let class = js_sys::Reflect::get(&js_sys::global(), &"HTMLCanvasElement".into()).map_err(|_| not())?;
    let prototype = js_sys::Reflect::get(&class, &"prototype".into()).map_err(|_| not())?;
    if !prototype.is_object() {
        return Err(not());
    }
    let width = getter(&prototype, &"width".into()).ok_or_else(not)?;
    width.call0(value).map_err(|_| not())?;
    Ok(value.clone().unchecked_into())
}
