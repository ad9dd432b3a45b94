//! The data augmentation studio. `AugmentView` owns the source image, the pipeline and the last grid of tiles; the
//! page gets the grid as RGBA bytes for an ImageData, and each tile's fired steps for the captions and the table.
//! A rejected pipeline or image leaves the previous one in place.

use super::{args, js_error};
use crate::augment::{self, Image, Lang, Pipeline, export, geometric, realism, samples};
use crate::spec::ParamType;
use wasm_bindgen::prelude::*;

/// The grid's longest side in pixels: tiles of large sources are shown downscaled (area filter) beyond it.
const MAX_GRID_SIDE: usize = 2048;

#[wasm_bindgen]
pub struct AugmentView {
    pipeline: Pipeline,
    source: Image,
    /// The built-in sample shown, or `None` for the person's own image (for the label-risk rules).
    sample: Option<String>,
    tiles: Vec<(Image, Vec<augment::FiredStep>)>,
    cols: usize,
    tile: (usize, usize),
}

impl Default for AugmentView {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl AugmentView {
    /// An empty pipeline and no source yet (a 1×1 white image): call `set_sample` or `set_image` before `generate`.
    /// Construction is cheap; drawing a built-in sample takes milliseconds, so it waits until one is asked for.
    #[wasm_bindgen(constructor)]
    pub fn new() -> AugmentView {
        let source = Image::from_elem((1, 1, 3), 1.0);
        AugmentView { pipeline: Pipeline::default(), source, sample: None, tiles: Vec::new(), cols: 1, tile: (1, 1) }
    }

    /// Parses `aug=` text; on error the previous pipeline stays.
    pub fn set_pipeline(&mut self, aug: JsValue) -> Result<(), JsValue> {
        let aug = args::text("aug", &aug).map_err(js_error)?;
        self.pipeline = Pipeline::parse(&aug).map_err(js_error)?;
        Ok(())
    }

    /// The steps for the page's editor: `[{ name, p, values: { key: value } }]` (a word parameter's value is the
    /// index of its word in the catalog).
    pub fn steps(&self) -> js_sys::Array {
        self.pipeline
            .steps
            .iter()
            .map(|s| {
                let values = js_sys::Object::new();
                for p in s.kind.params() {
                    set(&values, p.key, &s.get(p.key).into());
                }
                let o = js_sys::Object::new();
                set(&o, "name", &s.kind.name().into());
                set(&o, "p", &s.p.into());
                set(&o, "values", &values);
                JsValue::from(o)
            })
            .collect()
    }

    /// The pipeline in its canonical form (defaults omitted), for the URL.
    pub fn pipeline(&self) -> String {
        self.pipeline.to_string()
    }

    /// A built-in sample by name; asking again for the one already shown costs nothing.
    pub fn set_sample(&mut self, name: JsValue) -> Result<(), JsValue> {
        let name = args::text("src", &name).map_err(js_error)?;
        if self.sample.as_deref() == Some(name.as_str()) {
            return Ok(());
        }
        self.source = samples::by_name(&name).map_err(js_error)?;
        self.sample = Some(name);
        Ok(())
    }

    /// The person's own image as RGBA bytes (ImageData order: a Uint8ClampedArray or Uint8Array of width × height
    /// × 4 bytes); alpha is composited onto white. Sides 1 … `augment::MAX_SIDE` (params `width`, `height`).
    pub fn set_image(&mut self, rgba: JsValue, width: JsValue, height: JsValue) -> Result<(), JsValue> {
        let side = |param, v: &JsValue| args::count(param, v, 1, augment::MAX_SIDE);
        let (width, height) = (side("width", &width).map_err(js_error)?, side("height", &height).map_err(js_error)?);
        let rgba = args::bytes("image", &rgba, width * height * 4).map_err(js_error)?;
        self.source = augment::from_rgba8(&rgba, width, height).map_err(js_error)?;
        self.sample = None;
        Ok(())
    }

    #[wasm_bindgen(getter)]
    pub fn source_width(&self) -> usize {
        self.source.dim().1
    }
    #[wasm_bindgen(getter)]
    pub fn source_height(&self) -> usize {
        self.source.dim().0
    }

    /// Draws `n` tiles (1–64) with `seed`: tile i is reproducible from (pipeline, source, seed, i) alone. The grid
    /// shows the untouched source as tile 0 before the n augmented tiles 1…n.
    pub fn generate(&mut self, n: JsValue, seed: JsValue) -> Result<(), JsValue> {
        let n = args::count("n", &n, 1, augment::pipeline::MAX_TILES).map_err(js_error)?;
        let seed = args::seed(&seed).map_err(js_error)?;
        self.tiles = self.pipeline.sample_grid(&self.source, n, seed).map_err(js_error)?;
        let slots = n + 1;
        self.cols = slots.isqrt() + usize::from(slots.isqrt().pow(2) < slots);
        let (h, w, _) = self.source.dim();
        // Tiles keep the source size unless the grid would exceed MAX_GRID_SIDE.
        let scale = (MAX_GRID_SIDE as f64 / (self.cols * w.max(h)) as f64).min(1.0);
        self.tile = (((h as f64 * scale) as usize).max(1), ((w as f64 * scale) as usize).max(1));
        Ok(())
    }

    #[wasm_bindgen(getter)]
    pub fn columns(&self) -> usize {
        self.cols
    }
    #[wasm_bindgen(getter)]
    pub fn tile_width(&self) -> usize {
        self.tile.1
    }
    #[wasm_bindgen(getter)]
    pub fn tile_height(&self) -> usize {
        self.tile.0
    }
    /// The white gap between tiles, in grid pixels: tile i sits at ((i % columns) · (tile_width + gap),
    /// (i / columns) · (tile_height + gap)).
    #[wasm_bindgen(getter)]
    pub fn gap(&self) -> usize {
        GAP
    }
    #[wasm_bindgen(getter)]
    pub fn grid_width(&self) -> usize {
        self.cols * self.tile.1 + (self.cols - 1) * GAP
    }
    #[wasm_bindgen(getter)]
    pub fn grid_height(&self) -> usize {
        let rows = (self.tiles.len() + 1).div_ceil(self.cols);
        rows * self.tile.0 + rows.saturating_sub(1) * GAP
    }

    /// The whole grid as RGBA bytes, `grid_width × grid_height`, tiles row by row with white gaps: the source
    /// (tile 0), then tiles 1…n.
    pub fn grid_rgba(&self) -> Vec<u8> {
        let (gw, gh) = (self.grid_width(), self.grid_height());
        let mut out = vec![255u8; gw * gh * 4];
        let (th, tw) = self.tile;
        let slots = std::iter::once(&self.source).chain(self.tiles.iter().map(|t| &t.0));
        for (i, img) in slots.enumerate() {
            let shown;
            let img = if img.dim().0 == th && img.dim().1 == tw {
                img
            } else {
                shown = geometric::resize(img, th, tw, augment::Interpolation::Area, true);
                &shown
            };
            // Straight into the tile's place in the grid, row by row.
            let (x0, y0) = ((i % self.cols) * (tw + GAP), (i / self.cols) * (th + GAP));
            augment::to_rgba8_into(img, &mut out[(y0 * gw + x0) * 4..], gw * 4);
        }
        out
    }

    /// For each augmented tile (1…n; the source, tile 0, has none), what its drawn steps did to its orientation where
    /// that can change the label: `"upside_down"`, `"upside_down_mirrored"`, `"mirrored"` or `null` (see `realism::tile_label_risk`).
    pub fn tile_risks(&self) -> js_sys::Array {
        self.tiles
            .iter()
            .map(|(_, fired)| {
                realism::tile_label_risk(fired, self.sample.as_deref()).map_or(JsValue::NULL, JsValue::from)
            })
            .collect()
    }

    /// For each augmented tile (1…n), the steps that ran: `[[{ step, name, params: {key: value}, text }, …], …]`.
    pub fn fired(&self) -> js_sys::Array {
        self.tiles
            .iter()
            .map(|(_, fired)| {
                fired
                    .iter()
                    .map(|f| {
                        let params = js_sys::Object::new();
                        for (k, v) in &f.params {
                            set(&params, k, &(*v).into());
                        }
                        let o = js_sys::Object::new();
                        set(&o, "step", &((f.index + 1) as f64).into());
                        set(&o, "name", &f.name.into());
                        set(&o, "params", &params);
                        set(&o, "text", &f.to_string().into());
                        JsValue::from(o)
                    })
                    .collect::<js_sys::Array>()
            })
            .map(JsValue::from)
            .collect()
    }

    /// The label-risk warnings of the pipeline on the current source: `[{ key, step (1-based), message }]`.
    pub fn risks(&self, lang: JsValue) -> Result<js_sys::Array, JsValue> {
        let lang = Lang::parse(&args::text("lang", &lang).map_err(js_error)?);
        Ok(self
            .pipeline
            .label_risks(self.sample.as_deref())
            .iter()
            .map(|r| {
                let o = js_sys::Object::new();
                set(&o, "key", &r.key.into());
                set(&o, "step", &((r.step + 1) as f64).into());
                set(&o, "message", &r.message(lang).into());
                JsValue::from(o)
            })
            .collect())
    }

    pub fn torchvision_code(&self) -> String {
        export::torchvision(&self.pipeline, (self.source.dim().0, self.source.dim().1))
    }
    pub fn albumentations_code(&self) -> String {
        export::albumentations(&self.pipeline, (self.source.dim().0, self.source.dim().1))
    }
}

const GAP: usize = 4;

fn set(o: &js_sys::Object, key: &str, value: &JsValue) {
    // Defining a property on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(o, &key.into(), value);
}

/// Every step the pipeline knows, for the page's editor:
/// `[{ name, family, p, params: [{ key, type: number|integer|flag|word, min, max, default, words }] }]`.
#[wasm_bindgen]
pub fn augment_catalog() -> js_sys::Array {
    augment::Kind::ALL
        .iter()
        .map(|k| {
            let params: js_sys::Array = k
                .params()
                .iter()
                .map(|p| {
                    let o = js_sys::Object::new();
                    let (kind, words): (&str, &[&str]) = match p.kind {
                        ParamType::Number => ("number", &[]),
                        ParamType::Integer => ("integer", &[]),
                        ParamType::Flag => ("flag", &[]),
                        ParamType::Word(w) => ("word", w),
                    };
                    set(&o, "key", &p.key.into());
                    set(&o, "type", &kind.into());
                    set(&o, "min", &p.min.into());
                    set(&o, "max", &p.max.into());
                    set(&o, "default", &p.default.into());
                    set(&o, "words", &words.iter().map(|w| JsValue::from(*w)).collect::<js_sys::Array>());
                    JsValue::from(o)
                })
                .collect();
            let o = js_sys::Object::new();
            set(&o, "name", &k.name().into());
            set(&o, "family", &k.family().into());
            set(&o, "p", &k.default_p().into());
            set(&o, "params", &params);
            JsValue::from(o)
        })
        .collect()
}

/// The lecture's six families with the note on when each stops being label-preserving: `[{ family, note }]`.
#[wasm_bindgen]
pub fn augment_notes(lang: JsValue) -> Result<js_sys::Array, JsValue> {
    let lang = Lang::parse(&args::text("lang", &lang).map_err(js_error)?);
    Ok(realism::FAMILIES
        .iter()
        .map(|f| {
            let o = js_sys::Object::new();
            set(&o, "family", &(*f).into());
            set(&o, "note", &realism::note(f, lang).unwrap_or("").into());
            JsValue::from(o)
        })
        .collect())
}
