//! The weight-initialization panel: one view object that owns the sampled weights, so a million samples never
//! cross the boundary unless asked for.

use super::config::Config;
use super::{args, js_error};
use crate::Error;
use crate::init::{self, InitConfig, ResolvedInit};
use crate::plot::{self, DensityPlot, Style, draw_density};
use crate::stats::{Histogram, Moments, moments};
use wasm_bindgen::prelude::*;

pub const MAX_SAMPLES: u32 = 1_000_000;
const BINS: usize = 80;
const CURVE_POINTS: usize = 400;
const COMPARE_POINTS: usize = 160;

/// Words (names, labels) one chart takes at most.
const WORDS: usize = 64;

/// The initializer's settings, named as in the URL (README "URL parameters"); `InitView`, `ProbeRun` and `Trainer`
/// read them alike.
pub(crate) const INIT_KEYS: [&str; 7] = ["init", "mode", "nonlinearity", "slope", "dist", "std", "a"];

/// The initializer a settings object names, or `None` without `init` (another initializer setting without it is
/// refused, code `needs_init`); the others default as on the page (`nonlinearity` `auto`: the scheme's own).
pub(crate) fn init_from_config(c: &Config) -> crate::Result<Option<InitConfig>> {
    let Some(scheme) = c.string("init")? else {
        if let Some(key) = INIT_KEYS[1..].iter().find(|k| c.has(k)) {
            return Err(Error::coded(*key, "needs_init", "set init (the scheme) to use this setting"));
        }
        return Ok(None);
    };
    let text = |key: &str, default: &str| c.string(key).map(|v| v.unwrap_or_else(|| default.into()));
    let number = |key: &str, default: f64| c.number(key).map(|v| v.unwrap_or(default));
    let defaults = InitConfig::new(init::Scheme::HeNormal);
    InitConfig::from_params(
        &scheme,
        &text("mode", defaults.mode.name())?,
        &text("nonlinearity", "auto")?,
        number("slope", defaults.slope)?,
        &text("dist", defaults.dist.name())?,
        number("std", defaults.std)?,
        number("a", defaults.a)?,
    )
    .map(Some)
}

/// [`init_from_config`] where `init` is required (code `missing`).
pub(crate) fn required_init(c: &Config) -> crate::Result<InitConfig> {
    init_from_config(c)?.ok_or_else(|| Error::coded("init", "missing", "the settings need init"))
}

#[wasm_bindgen]
pub struct InitView {
    cfg: InitConfig,
    spec: ResolvedInit,
    samples: Vec<f32>,
    moments: Moments,
    hist: Histogram,
}

#[wasm_bindgen]
impl InitView {
    /// One settings object `{ init, shape, mode, nonlinearity, slope, dist, std, a }` (the URL's names; `init` and
    /// `shape` required, the others as on the page). `nonlinearity` may be `"auto"`: the scheme's own default (ReLU
    /// for He, linear otherwise).
    #[wasm_bindgen(constructor)]
    pub fn new(settings: JsValue) -> Result<InitView, JsValue> {
        let build = || -> crate::Result<(InitConfig, ResolvedInit)> {
            let mut keys = INIT_KEYS.to_vec();
            keys.push("shape");
            let c = Config::read(&settings, "settings", &keys)?;
            let cfg = required_init(&c)?;
            let shape =
                c.string("shape")?.ok_or_else(|| Error::coded("shape", "missing", "the settings need shape"))?;
            let spec = cfg.resolve(init::fans(&init::parse_shape(&shape)?)?)?;
            Ok((cfg, spec))
        };
        let (cfg, spec) = build().map_err(js_error)?;
        let hist = Histogram::new(&[], 0.0, 1.0, BINS);
        Ok(InitView { cfg, spec, samples: Vec::new(), moments: moments(&[]), hist })
    }

    /// Draws `n` weights (1 to 10⁶) with the given seed and recomputes the statistics and the histogram.
    pub fn sample(&mut self, n: JsValue, seed: JsValue) -> Result<(), JsValue> {
        let n = args::count("samples", &n, 1, MAX_SAMPLES as usize).map_err(js_error)?;
        let mut rng = crate::rng::seeded(args::seed(&seed).map_err(js_error)?);
        self.samples.resize(n, 0.0);
        self.spec.fill(&mut self.samples, &mut rng);
        self.moments = moments(&self.samples);
        let (lo, hi) = self.spec.display_range();
        self.hist = Histogram::new(&self.samples, lo, hi, BINS);
        Ok(())
    }

    #[wasm_bindgen(getter)]
    pub fn fan_in(&self) -> f64 {
        self.spec.fans.fan_in as f64
    }
    #[wasm_bindgen(getter)]
    pub fn fan_out(&self) -> f64 {
        self.spec.fans.fan_out as f64
    }
    #[wasm_bindgen(getter)]
    pub fn gain(&self) -> f64 {
        self.spec.gain
    }
    /// The theoretical std of the samples.
    #[wasm_bindgen(getter)]
    pub fn std(&self) -> f64 {
        self.spec.std
    }
    /// The uniform bound or the truncation point; NaN where the distribution is unbounded.
    #[wasm_bindgen(getter)]
    pub fn bound(&self) -> f64 {
        self.spec.bound().unwrap_or(f64::NAN)
    }
    /// Whether the samples come from a uniform distribution (the stats table then shows `bound`).
    #[wasm_bindgen(getter)]
    pub fn is_uniform(&self) -> bool {
        matches!(self.spec.distribution, init::InitDistribution::Uniform { .. })
    }
    #[wasm_bindgen(getter)]
    pub fn sample_mean(&self) -> f64 {
        self.moments.mean
    }
    #[wasm_bindgen(getter)]
    pub fn sample_std(&self) -> f64 {
        self.moments.std
    }
    #[wasm_bindgen(getter)]
    pub fn n(&self) -> f64 {
        self.samples.len() as f64
    }
    pub fn formula(&self) -> String {
        init::formula(&self.cfg, &self.spec)
    }
    /// Advice beside this choice ([`init::advice`]): `{ key: 'selu_use_linear', gain, variance_factor }`, or
    /// `undefined`.
    pub fn advice(&self) -> Option<js_sys::Object> {
        let a = init::advice(&self.cfg)?;
        let o = js_sys::Object::new();
        let init::Advice::SeluUseLinear { gain, variance_factor } = a;
        for (k, v) in [("key", a.name().into()), ("gain", gain.into()), ("variance_factor", variance_factor.into())] {
            // Setting a property on a fresh plain object cannot fail.
            let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &v);
        }
        Some(o)
    }
    pub fn pytorch_code(&self) -> String {
        init::pytorch_code(&self.cfg, &self.spec)
    }
    pub fn keras_code(&self) -> String {
        init::keras_code(&self.cfg, &self.spec)
    }
    /// A copy of the samples (n values).
    pub fn samples(&self) -> Vec<f32> {
        self.samples.clone()
    }

    /// The histogram, 5 values per bin: bin start, bin end, count, density (count / (n · bin width)) and the
    /// theoretical density at the bin centre.
    pub fn histogram_rows(&self) -> Vec<f64> {
        let w = self.hist.bin_width();
        let density = self.hist.density(self.samples.len());
        let mut out = Vec::with_capacity(self.hist.counts.len() * 5);
        for (i, (&c, d)) in self.hist.counts.iter().zip(density).enumerate() {
            let x0 = self.hist.lo + i as f64 * w;
            out.extend([x0, x0 + w, c as f64, d, self.spec.density(x0 + w / 2.0)]);
        }
        out
    }

    /// Every scheme for this layer shape, with this view's other settings: `[{ scheme, std, bound }]` in the order
    /// of the `init` parameter's values (`bound` NaN where unbounded; a scheme whose numbers are rejected is left out).
    pub fn comparison(&self) -> js_sys::Array {
        self.cfg
            .alternatives(self.spec.fans)
            .into_iter()
            .filter_map(|(scheme, spec)| Some((scheme, spec.ok()?)))
            .map(|(scheme, spec)| {
                let o = js_sys::Object::new();
                for (k, v) in [
                    ("scheme", JsValue::from(scheme.name())),
                    ("std", spec.std.into()),
                    ("bound", spec.bound().unwrap_or(f64::NAN).into()),
                ] {
                    // Defining a property on a fresh plain object cannot fail.
                    let _ = js_sys::Reflect::set(&o, &k.into(), &v);
                }
                JsValue::from(o)
            })
            .collect()
    }

    /// The comparison as small multiples on one x range (this scheme's) and one density scale. `names` are the
    /// schemes' names in the page's language, in the order of [`Self::comparison`]'s schemes (all nine);
    /// `words` = [point mass, clipped].
    pub fn draw_comparison(
        &self,
        canvas: JsValue,
        names: JsValue,
        words: JsValue,
        pixel_ratio: JsValue,
    ) -> Result<JsValue, JsValue> {
        let names = args::texts("names", &names, WORDS).map_err(js_error)?;
        let words = args::texts("words", &words, WORDS).map_err(js_error)?;
        let pixel_ratio = super::pixel_ratio(&pixel_ratio)?;
        let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
        let alternatives = self.cfg.alternatives(self.spec.fans);
        let specs: Vec<(usize, init::Scheme, ResolvedInit)> = alternatives
            .into_iter()
            .enumerate()
            .filter_map(|(i, (scheme, spec))| Some((i, scheme, spec.ok()?)))
            .collect();
        let spread = |s: &ResolvedInit| !matches!(s.distribution, init::InitDistribution::Zeros);
        // The x range is this scheme's; for zeros, the widest of the fan-based schemes' (LeCun, Xavier, He).
        let (lo, hi) = if spread(&self.spec) {
            self.spec.display_range()
        } else {
            specs
                .iter()
                .filter(|(_, scheme, _)| {
                    !matches!(scheme, init::Scheme::Normal | init::Scheme::Uniform | init::Scheme::Zeros)
                })
                .map(|(_, _, s)| s.display_range())
                .fold((-1e-3f64, 1e-3f64), |(a, b), (c, d)| (a.min(c), b.max(d)))
        };
        let curve = |s: &ResolvedInit| -> Vec<(f64, f64)> {
            if !spread(s) {
                return Vec::new();
            }
            (0..=COMPARE_POINTS)
                .map(|i| lo + (hi - lo) * i as f64 / COMPARE_POINTS as f64)
                .map(|x| (x, s.density(x)))
                .collect()
        };
        let peak = |s: &ResolvedInit| curve(s).iter().map(|p| p.1).fold(0.0, f64::max);
        let top = if spread(&self.spec) {
            peak(&self.spec)
        } else {
            specs.iter().map(|(_, _, s)| peak(s)).filter(|p| p.is_finite()).fold(0.0, f64::max)
        } * 1.15;
        let panels: Vec<plot::ComparePanel> = specs
            .iter()
            .map(|(i, scheme, s)| plot::ComparePanel {
                title: names.get(*i).map(String::as_str).unwrap_or(scheme.name()),
                detail: match s.bound() {
                    Some(b) if matches!(s.distribution, init::InitDistribution::Uniform { .. }) => {
                        format!("std {} · bound {}", plot::three_digits(s.std, s.std), plot::three_digits(b, b))
                    }
                    _ => format!("std {}", plot::three_digits(s.std, s.std)),
                },
                curve: curve(s),
                current: *scheme == self.cfg.scheme,
            })
            .collect();
        let plot = plot::Comparison { panels: &panels, lo, hi, top, point_mass: word(0), clipped: word(1) };
        draw_chart!(canvas, |area| plot::draw_comparison(&area, &plot, Style::new(pixel_ratio)))
    }

    pub fn draw(
        &self,
        canvas: JsValue,
        x_label: JsValue,
        y_label: JsValue,
        pixel_ratio: JsValue,
    ) -> Result<JsValue, JsValue> {
        let x_label = args::text("words", &x_label).map_err(js_error)?;
        let y_label = args::text("words", &y_label).map_err(js_error)?;
        let x_label = x_label.as_str();
        let y_label = y_label.as_str();
        let pixel_ratio = super::pixel_ratio(&pixel_ratio)?;
        let (lo, hi) = (self.hist.lo, self.hist.hi);
        let curve: Vec<(f64, f64)> = if matches!(self.spec.distribution, init::InitDistribution::Zeros) {
            Vec::new()
        } else {
            (0..=CURVE_POINTS)
                .map(|i| {
                    let x = lo + (hi - lo) * i as f64 / CURVE_POINTS as f64;
                    (x, self.spec.density(x))
                })
                .collect()
        };
        let plot = DensityPlot { hist: &self.hist, total: self.samples.len(), curve: &curve, x_label, y_label };
        draw_chart!(canvas, |area| draw_density(&area, &plot, Style::new(pixel_ratio)))
    }
}
