//! Training data for JavaScript: the UCI digits (from the bytes of www/data/digits.bin, which the page fetches) or a
//! generated symbol set, with its fixed train/validation split. A `Dataset` is shared with the trainers that use it
//! (no copy), and its images come out as N×C×H×W Float32Arrays.

use super::config::{Config, MAX_SAFE};
use super::js_error;
use crate::data::{self, Background, Digits, Shapes, Split, SplitSpec, StrokeStyle, SymbolConfig};
use crate::error::{Error, Result as CoreResult};
use crate::feed::Part;
use crate::nn::export::Preprocess;
use crate::nn::spec::Shape;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

const SPLIT_KEYS: [&str; 3] = ["val", "train_per_class", "split_seed"];
const SYMBOL_KEYS: [&str; 18] = [
    "classes",
    "per_class",
    "height",
    "width",
    "family",
    "first_class",
    "shapes",
    "stroke",
    "thickness",
    "scale",
    "rotation",
    "shift",
    "jitter",
    "background",
    "texture",
    "contrast",
    "invert",
    "noise",
];

/// The keys of `source: 'images'` (a person's own pictures, README "Transfer lab").
const IMAGE_KEYS: [&str; 6] = ["images", "labels", "channels", "height", "width", "classes"];

#[wasm_bindgen]
pub struct Dataset {
    pub(crate) data: Rc<data::Dataset>,
    pub(crate) split: Rc<Split>,
    /// How the source's raw images became these (the exported PyTorch code repeats it).
    pub(crate) preprocess: Preprocess,
}

impl Dataset {
    pub(crate) fn build(config: &JsValue) -> CoreResult<Dataset> {
        // Every key either source takes; each source checks its own after the source is known.
        let mut all: Vec<&str> = Vec::new();
        for key in ["source", "bytes", "seed"].into_iter().chain(SYMBOL_KEYS).chain(IMAGE_KEYS).chain(SPLIT_KEYS) {
            if !all.contains(&key) {
                all.push(key);
            }
        }
        let probe = Config::read(config, "data", &all)?;
        let source = probe.string("source")?.unwrap_or_else(|| "digits".into());
        let (data, mut split, preprocess) = match source.as_str() {
            "digits" => {
                let keys: Vec<&str> = ["source", "bytes", "height", "width"].into_iter().chain(SPLIT_KEYS).collect();
                let c = Config::read(config, "data", &keys)?;
                let bytes = c.bytes("bytes")?.ok_or_else(|| {
                    Error::coded("bytes", "missing", "the digits need the bytes of www/data/digits.bin")
                })?;
                let side = |key| c.whole(key, 1.0, data::digits::MAX_SIDE as f64);
                let (h, w) = (side("height")?.unwrap_or(28) as usize, side("width")?.unwrap_or(28) as usize);
                let digits = Digits::parse(&bytes)?;
                (digits.to_dataset(h, w)?, data::DIGITS_SPLIT, Preprocess::digits(&digits))
            }
            "symbols" => {
                let keys: Vec<&str> = ["source", "seed"].into_iter().chain(SYMBOL_KEYS).chain(SPLIT_KEYS).collect();
                let c = Config::read(config, "data", &keys)?;
                let data = symbol_config(&c)?.generate()?;
                let shape = Shape::image(data.channels(), data.height(), data.width());
                (data, SplitSpec { val_fraction: 0.25, train_per_class: None, seed: 0 }, Preprocess::none(shape))
            }
            "images" => {
                let keys: Vec<&str> = ["source"].into_iter().chain(IMAGE_KEYS).chain(SPLIT_KEYS).collect();
                let c = Config::read(config, "data", &keys)?;
                let missing = |key: &str| Error::coded(key, "missing", format!("the images need {key}"));
                let size = |key: &str| -> CoreResult<usize> {
                    Ok(c.whole(key, 1.0, MAX_SAFE)?.ok_or_else(|| missing(key))? as usize)
                };
                let (channels, height, width, classes) =
                    (size("channels")?, size("height")?, size("width")?, size("classes")?);
                // Bounded before anything is copied: a hostile length must not exhaust the wasm memory.
                let labels = c.uints("labels", data::images::MAX_IMAGES + 1)?.ok_or_else(|| missing("labels"))?;
                let images = c.floats("images", data::MAX_VALUES)?.ok_or_else(|| missing("images"))?;
                let data = data::images::from_images(channels, height, width, classes, images, labels)?;
                let shape = Shape::image(channels, height, width);
                (data, SplitSpec { val_fraction: 0.25, train_per_class: None, seed: 0 }, Preprocess::none(shape))
            }
            _ => {
                return Err(Error::coded(
                    "source",
                    "unknown_source",
                    format!("no data source {}; use digits, symbols or images", crate::error::quote(&source)),
                ));
            }
        };
        if let Some(v) = probe.number("val")? {
            split.val_fraction = v;
        }
        if let Some(k) = probe.whole("train_per_class", 1.0, data::symbols::MAX_PER_CLASS as f64)? {
            split.train_per_class = Some(k as usize);
        }
        if let Some(s) = probe.whole("split_seed", 0.0, MAX_SAFE)? {
            split.seed = s;
        }
        let split = Split::stratified(data.labels(), data.classes(), &split)?;
        Ok(Dataset { data: Rc::new(data), split: Rc::new(split), preprocess })
    }
}

fn symbol_config(c: &Config) -> CoreResult<SymbolConfig> {
    let mut s = SymbolConfig::default();
    let count = |key, max: usize| c.whole(key, 0.0, max as f64).map(|v| v.map(|v| v as usize));
    if let Some(v) = count("classes", data::symbols::MAX_CLASSES)? {
        s.classes = v;
    }
    if let Some(v) = count("per_class", data::symbols::MAX_PER_CLASS)? {
        s.per_class = v;
    }
    if let Some(v) = count("height", data::symbols::MAX_SIDE)? {
        s.height = v;
    }
    if let Some(v) = count("width", data::symbols::MAX_SIDE)? {
        s.width = v;
    }
    if let Some(v) = count("first_class", data::symbols::MAX_SYMBOLS)? {
        s.first_class = v;
    }
    if let Some(v) = c.whole("family", 0.0, MAX_SAFE)? {
        s.family = v;
    }
    if let Some(v) = c.whole("seed", 0.0, MAX_SAFE)? {
        s.seed = v;
    }
    if let Some(v) = c.string("shapes")? {
        s.shapes = Shapes::parse(&v)?;
    }
    if let Some(v) = c.string("stroke")? {
        s.stroke = StrokeStyle::parse(&v)?;
    }
    if let Some(v) = c.string("background")? {
        s.background = Background::parse(&v)?;
    }
    for (key, slot) in [("thickness", &mut s.thickness), ("scale", &mut s.scale), ("contrast", &mut s.contrast)] {
        if let Some(v) = c.pair(key)? {
            *slot = v;
        }
    }
    for (key, slot) in [
        ("rotation", &mut s.rotation),
        ("shift", &mut s.shift),
        ("jitter", &mut s.jitter),
        ("texture", &mut s.texture),
        ("noise", &mut s.noise),
    ] {
        if let Some(v) = c.number(key)? {
            *slot = v;
        }
    }
    if let Some(v) = c.bool("invert")? {
        s.invert = v;
    }
    s.validate()?;
    Ok(s)
}

#[wasm_bindgen]
impl Dataset {
    /// `{ source: 'digits', bytes, height, width }`, `{ source: 'symbols', seed, classes, per_class, … }` (the
    /// generator's knobs) or `{ source: 'images', images, labels, channels, height, width, classes }` (a person's
    /// buckets: `images` a Float32Array N×C×H×W in [0, 1], `labels` a Uint32Array; limits in `data::images`), each
    /// with optional split settings `val`, `train_per_class`, `split_seed`. See the README.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<Dataset, JsValue> {
        Dataset::build(&config).map_err(js_error)
    }

    /// Images in the whole set (never 0: an empty data set is an error).
    #[wasm_bindgen(getter)]
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.data.len()
    }

    #[wasm_bindgen(getter)]
    pub fn classes(&self) -> usize {
        self.data.classes()
    }

    /// `[height, width, channels]`: what a trainer's `input` must be for this set.
    #[wasm_bindgen(getter)]
    pub fn input(&self) -> Vec<u32> {
        vec![self.data.height() as u32, self.data.width() as u32, self.data.channels() as u32]
    }

    #[wasm_bindgen(getter)]
    pub fn train_len(&self) -> usize {
        self.split.train.len()
    }

    #[wasm_bindgen(getter)]
    pub fn val_len(&self) -> usize {
        self.split.val.len()
    }

    /// The indices (into the whole set) of a part: `'train'`, `'val'` or `'all'`, ascending.
    pub fn indices(&self, part: &str) -> Result<Vec<u32>, JsValue> {
        let part = Part::parse(part).map_err(js_error)?;
        Ok(part.indices(&self.split, self.data.len()).into_iter().map(|i| i as u32).collect())
    }

    /// The images at `indices` as N×C×H×W values in [0, 1] (param `batch`, code `index_out_of_range`).
    pub fn images(&self, indices: &[u32]) -> Result<Vec<f32>, JsValue> {
        let idx: Vec<usize> = indices.iter().map(|&i| i as usize).collect();
        let mut x = vec![0.0; idx.len() * self.data.example_len()];
        let mut y = vec![0; idx.len()];
        self.data.gather(&idx, &mut x, &mut y).map_err(js_error)?;
        Ok(x)
    }

    /// The labels at `indices`.
    pub fn labels(&self, indices: &[u32]) -> Result<Vec<u32>, JsValue> {
        indices.iter().map(|&i| self.data.labels().get(i as usize).copied()).collect::<Option<Vec<u32>>>().ok_or_else(
            || js_error(Error::coded("batch", "index_out_of_range", "an index is past the end of the data set")),
        )
    }
}
