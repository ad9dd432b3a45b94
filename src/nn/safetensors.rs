//! A model's weights as a safetensors file with the names and shapes of the equivalent PyTorch `nn.Sequential`, so
//! `model.load_state_dict(safetensors.torch.load_file(path))` works on the code of [`crate::nn::export`].
//!
//! # Format (the safetensors layout)
//! | bytes | content |
//! | --- | --- |
//! | 0 … 8 | `N`, the header length, u64 little-endian |
//! | 8 … 8 + N | a JSON object: `"__metadata__"` (string → string) and, per tensor, `{"dtype", "shape", "data_offsets"}` |
//! | 8 + N … | the tensors' bytes, little-endian, back to back; `data_offsets` are `[begin, end)` within this part |
//!
//! The writer puts the tensors in state_dict order (`0.weight`, `0.bias`, `3.weight`, …), `F32` in PyTorch's layout
//! (conv `OUT×IN×KH×KW`, dense `OUT×IN`, biases and norm layers' `[C]`), a BatchNorm's `N.running_mean` and
//! `N.running_var` (`F32`, `[C]`) and `N.num_batches_tracked` (`I64`, shape `[]`) after its weight and bias, and pads the header with spaces to a multiple of 8 bytes, as
//! the reference writer does. The metadata says `format: pt` (what `safetensors.torch` writes), the producer, the
//! model spec (`model`) and one example's input shape (`input_shape`, `C,H,W`). The same weights always give the
//! same bytes.
//!
//! # Reading untrusted files
//! A file comes from a person, so [`load_safetensors`] checks everything before it changes anything: the header
//! length (at most [`MAX_HEADER_BYTES`]), the JSON (strict, nesting at most [`MAX_JSON_DEPTH`]), that the data
//! offsets tile the data part exactly, that the tensors are exactly the model's (no missing and no extra names, as
//! PyTorch's strict `load_state_dict`), each with the model's dtype and shape, every value finite, running variances
//! and counts not negative. One name may be missing, as in PyTorch: a BatchNorm's `N.num_batches_tracked` (a file
//! saved from a state_dict without it, or by an older PyTorch) leaves the model's count as it was, which is what
//! `BatchNorm._load_from_state_dict` does; the count only matters to a cumulative average, which the playground's
//! momentum 0.1 does not use. Only then are the weights and statistics replaced, all of them; on any error the model
//! is unchanged. Metadata is not required (a file saved
//! by PyTorch has its own or none), and the spec it names is not compared: the names and shapes decide.
//! Errors have param `weights` and the codes `truncated`, `header_too_large`, `too_many_keys` (more than
//! [`MAX_HEADER_KEYS`] keys), `bad_header`, `bad_offsets`, `missing_tensor`, `unexpected_tensor`, `wrong_dtype`,
//! `wrong_shape`, `not_finite`, `bad_statistic`.
//!
//! The format is written here by hand rather than with the `safetensors` crate (serde + serde_json): in a minimal
//! stripped release cdylib that parses and writes a file, the crate added 67 KB of wasm (22 KB gzipped) and this
//! module 36 KB (13 KB gzipped), much of it formatting and sorting code the playground links anyway. Writing by
//! hand also keeps the tensors in model order and the bytes the same for the same weights. The tests hold both
//! directions to the crate (a dev-dependency, not in the wasm) and the Python check to the `safetensors` package.

use crate::error::{Error, Result, quote};
use crate::nn::model::{Model, StateValues, Tensor};

/// The largest header accepted: a model's header is a few KB, so 1 MiB leaves room for generous metadata while
/// bounding what a hostile length can make us allocate and parse.
pub const MAX_HEADER_BYTES: usize = 1 << 20;
/// The largest file a model of this playground can have: the 8-byte length, the largest header and
/// [`MAX_PARAMS`](crate::nn::spec::MAX_PARAMS) float32 values (the page refuses a larger file unread).
pub const MAX_FILE_BYTES: usize = 8 + MAX_HEADER_BYTES + 4 * crate::nn::spec::MAX_PARAMS;
/// The deepest JSON nesting accepted (a valid header nests 3 deep).
pub const MAX_JSON_DEPTH: usize = 16;
/// The most object keys in a header, all objects together (a model of the playground has at most a few hundred
/// tensors and a handful of metadata keys); past it the file is refused (code `too_many_keys`).
pub const MAX_HEADER_KEYS: usize = 4096;
/// What the metadata's `producer` says.
pub const PRODUCER: &str = "cnn-playground";

const PARAM: &str = "weights";

/// The safetensors bytes of the model's weights (see the module docs).
pub fn to_safetensors(model: &Model) -> Vec<u8> {
    let input = model.input_shape();
    let metadata = [
        ("format", "pt".to_string()),
        ("producer", PRODUCER.to_string()),
        ("model", model.config().spec.to_string()),
        ("input_shape", format!("{},{},{}", input.c, input.h, input.w)),
    ];
    let mut header = String::from("{\"__metadata__\":{");
    for (i, (key, value)) in metadata.iter().enumerate() {
        if i > 0 {
            header.push(',');
        }
        header += &format!("{}:{}", json_string(key), json_string(value));
    }
    header.push('}');
    let state = model.state_dict();
    let mut offset = 0;
    for t in &state {
        let (dtype, size) = match t.values {
            StateValues::F32(v) => ("F32", 4 * v.len()),
            StateValues::I64(_) => ("I64", 8),
        };
        let end = offset + size;
        let shape: Vec<String> = t.shape.iter().map(usize::to_string).collect();
        header += &format!(
            ",{}:{{\"dtype\":\"{dtype}\",\"shape\":[{}],\"data_offsets\":[{offset},{end}]}}",
            json_string(&t.name),
            shape.join(",")
        );
        offset = end;
    }
    header.push('}');
    while header.len() % 8 != 0 {
        header.push(' ');
    }
    let mut bytes = Vec::with_capacity(8 + header.len() + offset);
    bytes.extend_from_slice(&(header.len() as u64).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for t in &state {
        match t.values {
            StateValues::F32(v) => v.iter().for_each(|x| bytes.extend_from_slice(&x.to_le_bytes())),
            StateValues::I64(v) => bytes.extend_from_slice(&v.to_le_bytes()),
        }
    }
    bytes
}

/// Replaces every weight (and BatchNorm statistic) of the model by the file's, all or nothing (see the module docs
/// for what is checked).
pub fn load_safetensors(model: &mut Model, bytes: &[u8]) -> Result<()> {
    let values = read_weights(model, bytes, |_| true)?;
    // Every name, length and value was checked, so none of these can fail halfway.
    for (name, v) in &values {
        model.set_state(name, v)?;
    }
    Ok(())
}

/// The file's tensors for this model, checked as [`load_safetensors`] checks them, without changing the model:
/// `(name, values)` in state_dict order for every entry that `wanted` accepts. Tensors of unwanted entries may be
/// absent or of another shape (a pretrained net's head for another number of classes); any other tensor is
/// `unexpected_tensor`.
pub fn read_weights(model: &Model, bytes: &[u8], wanted: impl Fn(&str) -> bool) -> Result<Vec<(String, Tensor)>> {
    let file = SafetensorsFile::parse(bytes)?;
    let state = model.state_dict();
    let names = || state.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ");
    let mut values: Vec<(String, Tensor)> = Vec::new();
    for p in state.iter().filter(|p| wanted(&p.name)) {
        let Some(t) = file.tensors.iter().find(|t| t.name == p.name) else {
            if matches!(p.values, StateValues::I64(_)) && p.name.ends_with(".num_batches_tracked") {
                continue; // PyTorch keeps the module's count too (see the module docs)
            }
            return Err(Error::coded(
                PARAM,
                "missing_tensor",
                format!("the file has no tensor {:?}; this model needs {}", p.name, names()),
            ));
        };
        let int = matches!(p.values, StateValues::I64(_));
        let dtype = if int { "I64" } else { "F32" };
        if t.dtype != dtype {
            let hint = if int { "a count of steps" } else { "in PyTorch: model.float() before saving" };
            return Err(Error::coded(
                PARAM,
                "wrong_dtype",
                format!("{} is {}; only {dtype} loads there ({hint})", t.name, t.dtype),
            ));
        }
        if t.shape != p.shape {
            return Err(Error::coded(
                PARAM,
                "wrong_shape",
                format!("{} has shape {:?} in the file, but this model needs {:?}", t.name, t.shape, p.shape),
            )
            .with("expected", p.shape.iter().product::<usize>() as f64)
            .with("got", t.shape.iter().product::<usize>() as f64));
        }
        let data = &file.data[t.begin..t.end];
        if int {
            let v = i64::from_le_bytes(data.try_into().expect("8 bytes: dtype and shape checked"));
            if v < 0 {
                return Err(Error::coded(PARAM, "bad_statistic", format!("{} is {v}; a count is at least 0", t.name))
                    .with("got", v as f64));
            }
            values.push((p.name.clone(), Tensor::I64(v)));
            continue;
        }
        let v: Vec<f32> = data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        if let Some(i) = v.iter().position(|x| !x.is_finite()) {
            return Err(
                Error::coded(PARAM, "not_finite", format!("{}[{i}] is {}", t.name, v[i])).with("index", i as f64)
            );
        }
        if p.name.ends_with(".running_var")
            && let Some(i) = v.iter().position(|&x| x < 0.0)
        {
            return Err(Error::coded(
                PARAM,
                "bad_statistic",
                format!("{}[{i}] is {}; a variance is at least 0", t.name, v[i]),
            )
            .with("index", i as f64));
        }
        values.push((p.name.clone(), Tensor::F32(v)));
    }
    if let Some(extra) = file.tensors.iter().find(|t| !state.iter().any(|p| p.name == t.name)) {
        return Err(Error::coded(
            PARAM,
            "unexpected_tensor",
            format!("the file has a tensor {} that this model lacks; it has {}", quote(&extra.name), names()),
        ));
    }
    Ok(values)
}

/// One tensor of a file: where its bytes are within the data part.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorEntry {
    pub name: String,
    pub dtype: String,
    pub shape: Vec<usize>,
    pub begin: usize,
    pub end: usize,
}

/// A parsed, structurally valid safetensors file (offsets checked, values not yet read).
#[derive(Debug, Clone, PartialEq)]
pub struct SafetensorsFile<'a> {
    /// `__metadata__`, in file order.
    pub metadata: Vec<(String, String)>,
    /// In file order.
    pub tensors: Vec<TensorEntry>,
    /// The data part (after the header).
    pub data: &'a [u8],
}

impl<'a> SafetensorsFile<'a> {
    /// Parses and checks the layout: header length, JSON, entries, and that the offsets tile the data exactly.
    pub fn parse(bytes: &'a [u8]) -> Result<SafetensorsFile<'a>> {
        let Some(len) = bytes.first_chunk::<8>() else {
            return Err(truncated(format!("a safetensors file starts with 8 bytes; this one has {}", bytes.len())));
        };
        let len = u64::from_le_bytes(*len);
        if len > MAX_HEADER_BYTES as u64 {
            return Err(Error::coded(
                PARAM,
                "header_too_large",
                format!("the header claims {len} bytes; at most {MAX_HEADER_BYTES} are accepted"),
            )
            .with("got", len as f64)
            .with("max", MAX_HEADER_BYTES as f64));
        }
        let Some(header) = bytes.get(8..8 + len as usize) else {
            return Err(truncated(format!("the header claims {len} bytes, but only {} follow", bytes.len() - 8))
                .with("expected", len as f64)
                .with("got", (bytes.len() - 8) as f64));
        };
        let data = &bytes[8 + len as usize..];
        let text = std::str::from_utf8(header).map_err(|_| bad_header("the header is not UTF-8 text".into()))?;
        let Json::Object(entries) = Parser::parse(text)? else {
            return Err(bad_header("the header is not a JSON object".into()));
        };
        let mut file = SafetensorsFile { metadata: Vec::new(), tensors: Vec::new(), data };
        for (key, value) in entries {
            if key == "__metadata__" {
                file.metadata = metadata(value)?;
            } else {
                file.tensors.push(tensor_entry(key, value)?);
            }
        }
        let mut order: Vec<&TensorEntry> = file.tensors.iter().collect();
        order.sort_by_key(|t| (t.begin, t.end));
        let mut at = 0;
        for t in order {
            if t.begin != at {
                return Err(bad_offsets(format!(
                    "{} starts at byte {} of the data, but the previous tensor ends at {at}",
                    t.name, t.begin
                )));
            }
            at = t.end;
        }
        if at != data.len() {
            let message = format!("the tensors cover {at} bytes of data, but the file has {}", data.len());
            return Err(if at > data.len() { truncated(message) } else { bad_offsets(message) }
                .with("expected", at as f64)
                .with("got", data.len() as f64));
        }
        Ok(file)
    }
}

fn truncated(message: String) -> Error {
    Error::coded(PARAM, "truncated", format!("the file is cut short: {message}"))
}

fn bad_header(message: String) -> Error {
    Error::coded(PARAM, "bad_header", format!("not a safetensors file: {message}"))
}

fn bad_offsets(message: String) -> Error {
    Error::coded(PARAM, "bad_offsets", format!("the tensors' data offsets do not fit: {message}"))
}

fn metadata(value: Json) -> Result<Vec<(String, String)>> {
    let Json::Object(entries) = value else {
        return Err(bad_header("__metadata__ is not an object".into()));
    };
    entries
        .into_iter()
        .map(|(k, v)| match v {
            Json::String(s) => Ok((k, s)),
            _ => Err(bad_header(format!("metadata {} is not a string", quote(&k)))),
        })
        .collect()
}

/// Bytes per value of the safetensors dtypes (`None`: not a dtype name).
fn dtype_size(dtype: &str) -> Option<usize> {
    Some(match dtype {
        "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" => 1,
        "I16" | "U16" | "F16" | "BF16" => 2,
        "I32" | "U32" | "F32" => 4,
        "I64" | "U64" | "F64" => 8,
        _ => return None,
    })
}

fn tensor_entry(name: String, value: Json) -> Result<TensorEntry> {
    let what = |field: &str| bad_header(format!("tensor {} has no valid {field}", quote(&name)));
    let Json::Object(fields) = value else { return Err(what("description")) };
    let field = |key: &str| fields.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let dtype = match field("dtype") {
        Some(Json::String(s)) if dtype_size(s).is_some() => s.clone(),
        _ => return Err(what("dtype")),
    };
    let whole = |v: &Json| if let Json::Number(n) = v { n.parse::<usize>().ok() } else { None };
    let list = |key: &str| match field(key) {
        Some(Json::Array(items)) => items.iter().map(whole).collect::<Option<Vec<usize>>>(),
        _ => None,
    };
    let shape = list("shape").ok_or_else(|| what("shape"))?;
    let offsets = list("data_offsets").filter(|o| o.len() == 2).ok_or_else(|| what("data_offsets"))?;
    let (begin, end) = (offsets[0], offsets[1]);
    let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    let bytes = count.and_then(|c| c.checked_mul(dtype_size(&dtype).unwrap_or(1)));
    if end < begin || bytes != Some(end - begin) {
        return Err(bad_offsets(format!(
            "{} spans bytes {begin} … {end}, which does not match {dtype} values of shape {shape:?}",
            quote(&name)
        )));
    }
    Ok(TensorEntry { name, dtype, shape, begin, end })
}

/// A JSON string literal (quotes, backslashes and control characters escaped).
pub(crate) fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out += "\\\"",
            '\\' => out += "\\\\",
            c if (c as u32) < 0x20 => out += &format!("\\u{:04x}", c as u32),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON value; numbers keep their text (the header's are whole numbers, read as `usize` where needed).
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Keys in file order; a repeated key is an error.
    Object(Vec<(String, Json)>),
}

/// A strict recursive-descent JSON parser (RFC 8259) with a nesting limit.
struct Parser<'a> {
    text: &'a [u8],
    at: usize,
    /// Object keys read so far, all objects together (at most [`MAX_HEADER_KEYS`]).
    keys: usize,
}

impl<'a> Parser<'a> {
    fn parse(text: &'a str) -> Result<Json> {
        let mut p = Parser { text: text.as_bytes(), at: 0, keys: 0 };
        let value = p.value(0)?;
        p.space();
        if p.at != p.text.len() {
            return Err(p.fail("text after the JSON value"));
        }
        Ok(value)
    }

    fn fail(&self, what: &str) -> Error {
        bad_header(format!("invalid JSON header at byte {}: {what}", self.at)).with("offset", self.at as f64)
    }

    fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.text.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<()> {
        self.space();
        if self.peek() != Some(byte) {
            return Err(self.fail(&format!("expected {:?}", byte as char)));
        }
        self.at += 1;
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<Json> {
        if depth > MAX_JSON_DEPTH {
            return Err(self.fail(&format!("nested deeper than {MAX_JSON_DEPTH}")));
        }
        self.space();
        match self.peek() {
            Some(b'{') => {
                self.at += 1;
                let mut entries: Vec<(String, Json)> = Vec::new();
                // Duplicates are found with a set, so a header of many keys is read in linear time.
                let mut seen = std::collections::HashSet::new();
                self.space();
                if self.peek() == Some(b'}') {
                    self.at += 1;
                    return Ok(Json::Object(entries));
                }
                loop {
                    self.space();
                    let key = self.string()?;
                    self.keys += 1;
                    if self.keys > MAX_HEADER_KEYS {
                        return Err(Error::coded(
                            PARAM,
                            "too_many_keys",
                            format!("the header has more than {MAX_HEADER_KEYS} keys"),
                        )
                        .with("max", MAX_HEADER_KEYS as f64));
                    }
                    if !seen.insert(key.clone()) {
                        return Err(self.fail(&format!("the key {} appears twice", quote(&key))));
                    }
                    self.expect(b':')?;
                    entries.push((key, self.value(depth + 1)?));
                    self.space();
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b'}') => {
                            self.at += 1;
                            return Ok(Json::Object(entries));
                        }
                        _ => return Err(self.fail("expected ',' or '}'")),
                    }
                }
            }
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                self.space();
                if self.peek() == Some(b']') {
                    self.at += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.space();
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return Err(self.fail("expected ',' or ']'")),
                    }
                }
            }
            Some(b'"') => Ok(Json::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => {
                for (word, value) in [("true", Json::Bool(true)), ("false", Json::Bool(false)), ("null", Json::Null)] {
                    if self.text[self.at..].starts_with(word.as_bytes()) {
                        self.at += word.len();
                        return Ok(value);
                    }
                }
                Err(self.fail("expected a value"))
            }
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, kept as text.
    fn number(&mut self) -> Result<Json> {
        let start = self.at;
        let digits = |p: &mut Parser| {
            let from = p.at;
            while let Some(b'0'..=b'9') = p.peek() {
                p.at += 1;
            }
            p.at - from
        };
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let first = self.peek();
        let n = digits(self);
        if n == 0 || (first == Some(b'0') && n > 1) {
            return Err(self.fail("malformed number"));
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return Err(self.fail("malformed number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(self.fail("malformed number"));
            }
        }
        // Only ASCII was consumed, so this slice is valid UTF-8.
        Ok(Json::Number(String::from_utf8_lossy(&self.text[start..self.at]).into_owned()))
    }

    fn string(&mut self) -> Result<String> {
        if self.peek() != Some(b'"') {
            return Err(self.fail("expected a string"));
        }
        self.at += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(b) = self.peek() else { return Err(self.fail("unterminated string")) };
            self.at += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let Some(e) = self.peek() else { return Err(self.fail("unterminated string")) };
                    self.at += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.escaped_char()?,
                        _ => return Err(self.fail("unknown escape")),
                    };
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                0..0x20 => return Err(self.fail("control character in a string")),
                _ => out.push(b),
            }
        }
        // The text is UTF-8 and escapes were encoded as UTF-8, so this cannot fail; stay total anyway.
        String::from_utf8(out).map_err(|_| self.fail("invalid UTF-8 in a string"))
    }

    /// The character of `\uXXXX` (after the `u`), a surrogate pair taking a second escape.
    fn escaped_char(&mut self) -> Result<char> {
        let high = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&high) {
            if !self.text[self.at..].starts_with(b"\\u") {
                return Err(self.fail("unpaired surrogate"));
            }
            self.at += 2;
            let low = self.hex4()?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(self.fail("unpaired surrogate"));
            }
            0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        } else {
            high
        };
        char::from_u32(code).ok_or_else(|| self.fail("unpaired surrogate"))
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self.text.get(self.at..self.at + 4).ok_or_else(|| self.fail("short \\u escape"))?;
        let mut v = 0;
        for &d in digits {
            let x = (d as char).to_digit(16).ok_or_else(|| self.fail("bad \\u escape"))?;
            v = v * 16 + x;
        }
        self.at += 4;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::model::ModelConfig;
    use crate::nn::optim::OptimizerConfig;
    use crate::nn::spec::{ModelSpec, Shape};

    fn model(seed: u64) -> Model {
        Model::new(ModelConfig {
            spec: ModelSpec::parse("conv(2_k3_p1)~bn~relu~flatten~dense(3)").unwrap(),
            input: Shape::image(1, 4, 4),
            init: None,
            optimizer: OptimizerConfig::parse("sgd(lr0.1)").unwrap(),
            seed,
        })
        .unwrap()
    }

    /// The file without the tensors `drop`, written by the reference writer (as `safetensors.torch.save_file` of a
    /// filtered state_dict would be).
    fn without(bytes: &[u8], drop: &[&str]) -> Vec<u8> {
        let st = safetensors::SafeTensors::deserialize(bytes).unwrap();
        let kept: Vec<_> = st.tensors().into_iter().filter(|(name, _)| !drop.contains(&name.as_str())).collect();
        safetensors::serialize(kept, None).unwrap()
    }

    #[test]
    fn a_file_without_the_batch_counter_loads_and_keeps_the_models_count() {
        let mut trained = model(1);
        let x: Vec<f32> = (0..32).map(|i| (i as f32 * 0.37).sin()).collect();
        for _ in 0..3 {
            trained.train_step(&x, &[0, 2], 2).unwrap();
        }
        let bytes = to_safetensors(&trained);
        let file = without(&bytes, &["1.num_batches_tracked"]);
        let mut fresh = model(7);
        for _ in 0..5 {
            fresh.train_step(&x, &[1, 1], 2).unwrap();
        }
        load_safetensors(&mut fresh, &file).unwrap();
        // Every weight and statistic is the file's; the count stays the model's own (5 steps), as in PyTorch.
        let count = |m: &Model| {
            m.state_dict().iter().find_map(|t| match (t.name.as_str(), &t.values) {
                ("1.num_batches_tracked", StateValues::I64(v)) => Some(*v),
                _ => None,
            })
        };
        assert_eq!((count(&trained), count(&fresh)), (Some(3), Some(5)));
        let probe: Vec<f32> = (0..16).map(|i| (i as f32 * 0.11).cos()).collect();
        assert_eq!(fresh.forward(&probe, 1).unwrap(), trained.forward(&probe, 1).unwrap());
        // Any other missing tensor, a running statistic too, is still refused, and the model is left as it was.
        for name in ["1.running_mean", "1.running_var", "1.weight", "4.bias"] {
            let before = to_safetensors(&fresh);
            let e = load_safetensors(&mut fresh, &without(&bytes, &[name])).unwrap_err();
            assert_eq!(
                (e.param.as_str(), e.code, e.message.contains(name)),
                ("weights", "missing_tensor", true),
                "{name}"
            );
            assert_eq!(to_safetensors(&fresh), before);
        }
    }
}
