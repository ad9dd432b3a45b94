//! Training data for JavaScript: the UCI digits (from the bytes of www/data/digits.bin, which the page fetches) or a
//! generated symbol set, with its fixed train/validation split. A `Dataset` is shared with the trainers that use it
//! (no copy), and its images come out as N×C×H×W Float32Arrays.

use super::config::{Config, MAX_SAFE};
use super::{args, js_error};
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

/// Values one `images` call returns at most (2²⁶ floats, 256 MiB).
pub const MAX_GATHER_VALUES: usize = crate::nn::model::MAX_STEP_VALUES;

/// The keys of `source: 'images'` (a person's own pictures, README "Transfer lab").
const IMAGE_KEYS: [&str; 6] = ["images", "labels", "channels", "height", "width", "classes"];

#[wasm_bindgen]
pub struct Dataset {
    handle: u32,
    pub(crate) shared: Shared,
}

/// What a trainer takes from a data set (shared, no copy).
#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) data: Rc<data::Dataset>,
    pub(crate) split: Rc<Split>,
    /// How the source's raw images became these (the exported PyTorch code repeats it).
    pub(crate) preprocess: Preprocess,
}

thread_local! {
    static LIVE: args::Registry<Shared> = const { args::Registry::new() };
}

impl Drop for Dataset {
    fn drop(&mut self) {
        LIVE.with(|live| live.remove(self.handle));
    }
}

impl Dataset {
    fn register(shared: Shared) -> Dataset {
        Dataset { handle: LIVE.with(|live| live.add(shared.clone())), shared }
    }

    /// The data set a JS argument is (param `param`: `wrong_type` for anything but a live Dataset, `unreadable`
    /// when reading it throws).
    pub(crate) fn from_js(param: &str, value: &JsValue) -> CoreResult<Shared> {
        LIVE.with(|live| live.find(param, value, "Dataset"))
    }
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
                (digits.to_dataset(h, w)?, data::DIGITS_SPLIT, crate::run::digits_preprocess(&digits))
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
                // Each compared with its limit as a JS number, so 2³² + 1 is refused rather than wrapped to 1.
                let size = |key: &str, max: usize| -> CoreResult<usize> {
                    Ok(c.whole(key, 1.0, max as f64)?.ok_or_else(|| missing(key))? as usize)
                };
                use data::images::{MAX_CHANNELS, MAX_CLASSES, MAX_SIDE};
                let (channels, height, width, classes) = (
                    size("channels", MAX_CHANNELS)?,
                    size("height", MAX_SIDE)?,
                    size("width", MAX_SIDE)?,
                    size("classes", MAX_CLASSES)?,
                );
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
        Ok(Dataset::register(Shared { data: Rc::new(data), split: Rc::new(split), preprocess }))
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
    /// An opaque number naming this data set for `Trainer.set_data` (not a setting).
    #[wasm_bindgen(getter)]
    pub fn handle(&self) -> u32 {
        self.handle
    }

    #[wasm_bindgen(getter)]
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.shared.data.len()
    }

    #[wasm_bindgen(getter)]
    pub fn classes(&self) -> usize {
        self.shared.data.classes()
    }

    /// `[height, width, channels]`: what a trainer's `input` must be for this set.
    #[wasm_bindgen(getter)]
    pub fn input(&self) -> Vec<u32> {
        vec![self.shared.data.height() as u32, self.shared.data.width() as u32, self.shared.data.channels() as u32]
    }

    #[wasm_bindgen(getter)]
    pub fn train_len(&self) -> usize {
        self.shared.split.train.len()
    }

    #[wasm_bindgen(getter)]
    pub fn val_len(&self) -> usize {
        self.shared.split.val.len()
    }

    /// The indices (into the whole set) of a part: `'train'`, `'val'` or `'all'`, ascending.
    pub fn indices(&self, part: JsValue) -> Result<Vec<u32>, JsValue> {
        let part = args::text("part", &part).and_then(|p| Part::parse(&p)).map_err(js_error)?;
        Ok(part.indices(&self.shared.split, self.shared.data.len()).into_iter().map(|i| i as u32).collect())
    }

    /// The images at `indices` (a Uint32Array or an array of whole numbers) as N×C×H×W values in [0, 1] (param
    /// `batch`, codes `index_out_of_range`, `too_large` past [`MAX_GATHER_VALUES`] values, checked before anything
    /// is allocated).
    pub fn images(&self, indices: JsValue) -> Result<Vec<f32>, JsValue> {
        let per = self.shared.data.example_len();
        let indices = args::u32s("batch", &indices, MAX_GATHER_VALUES / per.max(1)).map_err(js_error)?;
        let idx: Vec<usize> = indices.iter().map(|&i| i as usize).collect();
        let mut x = vec![0.0; idx.len() * self.shared.data.example_len()];
        let mut y = vec![0; idx.len()];
        self.shared.data.gather(&idx, &mut x, &mut y).map_err(js_error)?;
        Ok(x)
    }

    /// The labels at `indices` (at most [`MAX_GATHER_VALUES`]).
    pub fn labels(&self, indices: JsValue) -> Result<Vec<u32>, JsValue> {
        let indices = args::u32s("batch", &indices, MAX_GATHER_VALUES).map_err(js_error)?;
        indices
            .iter()
            .map(|&i| self.shared.data.labels().get(i as usize).copied())
            .collect::<Option<Vec<u32>>>()
            .ok_or_else(|| {
                js_error(Error::coded("batch", "index_out_of_range", "an index is past the end of the data set"))
            })
    }
}
