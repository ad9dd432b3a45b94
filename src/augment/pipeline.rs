//! The pipeline: an ordered list of steps, each with a probability; its `aug=` syntax (documented in the module
//! above); applying it with an explicit RNG; and a seeded grid of samples.
//!
//! Every step's parameters are described once, in [`Kind::params`]; parsing, validation, serialisation and export
//! all read that table.

use super::geometric::{self, Affine, Border, Interpolation, uniform};
use super::{Image, noise, photometric};
use crate::error::{Error, Result, check_range};
use crate::rng::{Rng, seeded};
use rand::RngExt;
use std::fmt;

pub const MAX_STEPS: usize = 16;
pub const MAX_LEN: usize = 1000;
/// The most tiles [`Pipeline::sample_grid`] makes (`n=` in the URL).
pub const MAX_TILES: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Translate,
    Crop,
    ResizedCrop,
    HFlip,
    VFlip,
    Rotate,
    Resize,
    Jitter,
    Noise,
    SaltPepper,
}

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

/// One parameter of a step: `key` as written in the URL, its range and default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    pub key: &'static str,
    pub kind: ParamType,
    pub min: f64,
    pub max: f64,
    pub default: f64,
}

const fn num(key: &'static str, min: f64, max: f64, default: f64) -> Param {
    Param { key, kind: ParamType::Number, min, max, default }
}
const fn flag(key: &'static str, default: f64) -> Param {
    Param { key, kind: ParamType::Flag, min: 0.0, max: 1.0, default }
}
const fn word(key: &'static str, words: &'static [&'static str], default: usize) -> Param {
    Param { key, kind: ParamType::Word(words), min: 0.0, max: (words.len() - 1) as f64, default: default as f64 }
}

const FILL: Param = num("fill", 0.0, 1.0, 0.0);
const AA: Param = flag("aa", 1.0);
const RESAMPLE: &[&str] = &["nearest", "bilinear", "area"];

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Translate,
        Kind::Crop,
        Kind::ResizedCrop,
        Kind::HFlip,
        Kind::VFlip,
        Kind::Rotate,
        Kind::Resize,
        Kind::Jitter,
        Kind::Noise,
        Kind::SaltPepper,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Translate => "translate",
            Kind::Crop => "crop",
            Kind::ResizedCrop => "resizedcrop",
            Kind::HFlip => "hflip",
            Kind::VFlip => "vflip",
            Kind::Rotate => "rotate",
            Kind::Resize => "resize",
            Kind::Jitter => "jitter",
            Kind::Noise => "noise",
            Kind::SaltPepper => "saltpepper",
        }
    }

    /// The lecture's family the step belongs to (keys of [`super::realism::note`]).
    pub fn family(self) -> &'static str {
        match self {
            Kind::Translate | Kind::Crop | Kind::ResizedCrop => "shift_crop",
            Kind::HFlip | Kind::VFlip => "flip",
            Kind::Rotate => "rotation",
            Kind::Resize => "resize",
            Kind::Jitter => "jitter",
            Kind::Noise | Kind::SaltPepper => "noise",
        }
    }

    /// The parameters besides `p`, in the order they are serialised.
    pub fn params(self) -> &'static [Param] {
        match self {
            Kind::Translate => const { &[num("x", 0.0, 1.0, 0.1), num("y", 0.0, 1.0, 0.1), FILL] },
            Kind::Crop => {
                const {
                    &[
                        Param { key: "pad", kind: ParamType::Integer, min: 0.0, max: 256.0, default: 4.0 },
                        word("border", &Border::NAMES, 0),
                        FILL,
                    ]
                }
            }
            Kind::ResizedCrop => {
                const {
                    &[
                        num("smin", 0.001, 1.0, 0.08),
                        num("smax", 0.001, 1.0, 1.0),
                        num("rmin", 0.05, 20.0, 0.75),
                        num("rmax", 0.05, 20.0, 4.0 / 3.0),
                        word("interp", RESAMPLE, 1),
                        AA,
                    ]
                }
            }
            Kind::HFlip | Kind::VFlip => const { &[] },
            Kind::Rotate => {
                const { &[num("deg", 0.0, 360.0, 15.0), word("interp", &["nearest", "bilinear"], 0), FILL] }
            }
            Kind::Resize => {
                const { &[num("min", 0.05, 8.0, 0.5), num("max", 0.05, 8.0, 2.0), word("interp", RESAMPLE, 1), AA, FILL] }
            }
            Kind::Jitter => {
                const {
                    &[
                        num("b", 0.0, 5.0, 0.0),
                        num("c", 0.0, 5.0, 0.0),
                        num("s", 0.0, 5.0, 0.0),
                        num("h", 0.0, 0.5, 0.0),
                    ]
                }
            }
            Kind::Noise => const { &[num("sigma", 0.0, 1.0, 0.1), flag("pc", 1.0)] },
            Kind::SaltPepper => const { &[num("amount", 0.0, 1.0, 0.05), flag("pc", 0.0)] },
        }
    }

    /// The probability a step runs when `p` is not given: flips are a coin toss, everything else always runs.
    pub fn default_p(self) -> f64 {
        match self {
            Kind::HFlip | Kind::VFlip => 0.5,
            _ => 1.0,
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One step: what it does, its parameter values (aligned with [`Kind::params`]) and the probability it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub kind: Kind,
    pub p: f64,
    values: Vec<f64>,
}

impl Step {
    /// A step with every parameter at its default.
    pub fn new(kind: Kind) -> Step {
        Step { kind, p: kind.default_p(), values: kind.params().iter().map(|p| p.default).collect() }
    }

    /// The position of `key` in [`Kind::params`]. Asking for a parameter the step does not have is a bug in this
    /// module, caught by the tests (debug builds); release builds read 0 / the first word rather than panic.
    fn index(&self, key: &str) -> Option<usize> {
        let i = self.kind.params().iter().position(|p| p.key == key);
        debug_assert!(i.is_some(), "bug: step {} has no parameter {key}", self.kind.name());
        i
    }

    /// A parameter's value (a word parameter's index); `key` must be one of [`Kind::params`].
    pub fn get(&self, key: &str) -> f64 {
        self.index(key).map_or(0.0, |i| self.values[i])
    }

    /// A word parameter's word ("" if `key` is not one).
    pub fn word(&self, key: &str) -> &'static str {
        match self.index(key).map(|i| (self.kind.params()[i].kind, self.values[i] as usize)) {
            Some((ParamType::Word(words), i)) => words.get(i).copied().unwrap_or(""),
            _ => "",
        }
    }

    /// Sets a parameter (or `p`), checking it against the table; the message names the parameter.
    pub fn set(&mut self, key: &str, value: f64) -> Result<()> {
        if key == "p" {
            self.p = check_range("p", value, 0.0, 1.0)?;
            return Ok(());
        }
        let Some(i) = self.kind.params().iter().position(|p| p.key == key) else {
            return Err(Error::invalid(key, format!("{} has no parameter {key}", self.kind.name())));
        };
        let param = self.kind.params()[i];
        if param.kind == ParamType::Flag && value != 0.0 && value != 1.0 {
            return Err(Error::invalid(key, format!("must be 0 or 1, got {value}")));
        }
        check_range(key, value, param.min, param.max)?;
        if param.kind == ParamType::Integer && value.fract() != 0.0 {
            return Err(Error::invalid(key, format!("must be a whole number, got {value}")));
        }
        self.values[i] = value;
        Ok(())
    }

    fn interp(&self) -> Interpolation {
        Interpolation::parse(self.word("interp")).unwrap_or(Interpolation::Bilinear)
    }

    /// Runs the step on `img` and returns the parameters it drew, for captions. Warps write into `scratch`, which
    /// then trades places with `img`. With `source`, the step's input is `source` and `img` only receives the
    /// output (its contents do not matter): a warp then reads `source` directly, without copying it into `img`
    /// first; the other steps copy it and work in place.
    fn run(
        &self,
        source: Option<&Image>,
        img: &mut Image,
        scratch: &mut Image,
        rng: &mut Rng,
    ) -> Vec<(&'static str, f64)> {
        let is_warp = matches!(self.kind, Kind::Translate | Kind::Crop | Kind::HFlip | Kind::VFlip | Kind::Rotate);
        let source = match source {
            Some(src) if !is_warp => {
                copy_into(src, img);
                None
            }
            other => other,
        };
        let (h, w, _) = source.map_or(img.dim(), |src| src.dim());
        let mut warp = |map: Affine, interp: Interpolation, border: Border| match source {
            Some(src) => {
                if img.dim() != src.dim() || !img.is_standard_layout() {
                    *img = Image::zeros(src.dim());
                }
                geometric::warp_into(src, &map, interp, border, img);
            }
            None => {
                if scratch.dim() != img.dim() {
                    *scratch = Image::zeros(img.dim());
                }
                geometric::warp_into(img, &map, interp, border, scratch);
                std::mem::swap(img, scratch);
            }
        };
        let constant = || Border::Constant(self.get("fill") as f32);
        match self.kind {
            Kind::Translate => {
                let (tx, ty) = geometric::translate_params(h, w, self.get("x"), self.get("y"), rng);
                warp(Affine::translate(tx as f64, ty as f64), Interpolation::Nearest, constant());
                vec![("tx", tx as f64), ("ty", ty as f64)]
            }
            Kind::Crop => {
                let pad = self.get("pad") as usize;
                let (top, left) = geometric::crop_params(pad, rng);
                let border = Border::parse(self.word("border"), self.get("fill") as f32).unwrap_or(constant());
                warp(
                    Affine::translate(pad as f64 - left as f64, pad as f64 - top as f64),
                    Interpolation::Nearest,
                    border,
                );
                vec![("top", top as f64), ("left", left as f64)]
            }
            Kind::ResizedCrop => {
                let scale = (self.get("smin"), self.get("smax"));
                let ratio = (self.get("rmin"), self.get("rmax"));
                let (top, left, ch, cw) = geometric::resized_crop_params(h, w, scale, ratio, rng);
                *img = geometric::resized_crop(img, top, left, ch, cw, h, w, self.interp(), self.get("aa") == 1.0);
                vec![("top", top as f64), ("left", left as f64), ("height", ch as f64), ("width", cw as f64)]
            }
            Kind::HFlip => {
                warp(Affine::hflip(w), Interpolation::Nearest, Border::Edge);
                vec![]
            }
            Kind::VFlip => {
                warp(Affine::vflip(h), Interpolation::Nearest, Border::Edge);
                vec![]
            }
            Kind::Rotate => {
                let deg = self.get("deg");
                let angle = uniform(rng, -deg, deg);
                warp(Affine::rotate(angle, h, w), self.interp(), constant());
                vec![("angle", angle)]
            }
            Kind::Resize => {
                let factor = uniform(rng, self.get("min"), self.get("max"));
                *img = geometric::zoom(img, factor, self.interp(), self.get("aa") == 1.0, self.get("fill") as f32);
                vec![("factor", factor)]
            }
            Kind::Jitter => {
                let [b, c, s, hue] = ["b", "c", "s", "h"].map(|k| self.get(k));
                let j = photometric::color_jitter(img, b, c, s, hue, rng);
                [("brightness", j.brightness), ("contrast", j.contrast), ("saturation", j.saturation), ("hue", j.hue)]
                    .into_iter()
                    .filter_map(|(k, v)| Some((k, v? as f64)))
                    .collect()
            }
            Kind::Noise => {
                noise::gaussian(img, self.get("sigma") as f32, self.get("pc") == 1.0, rng);
                vec![("sigma", self.get("sigma"))]
            }
            Kind::SaltPepper => {
                let hits = noise::salt_and_pepper(img, self.get("amount"), self.get("pc") == 1.0, rng);
                let groups = if self.get("pc") == 1.0 { img.len() } else { h * w };
                vec![("fraction", hits as f64 / groups.max(1) as f64)]
            }
        }
    }

    /// Checks that depend on two parameters.
    fn check_ranges(&self) -> Result<()> {
        let pairs: &[(&str, &str)] = match self.kind {
            Kind::Resize => &[("min", "max")],
            Kind::ResizedCrop => &[("smin", "smax"), ("rmin", "rmax")],
            _ => &[],
        };
        for &(lo, hi) in pairs {
            if self.get(lo) > self.get(hi) {
                return Err(Error::invalid(
                    lo,
                    format!("{lo} ({}) must not exceed {hi} ({})", self.get(lo), self.get(hi)),
                ));
            }
        }
        Ok(())
    }

    /// Applies one `aug=` argument: an option word, or a parameter name followed directly by its value.
    fn set_token(&mut self, tok: &str, seen: &mut Vec<&'static str>) -> Result<()> {
        let params = self.kind.params();
        let mut mark = |key: &'static str| {
            if seen.contains(&key) {
                return Err(Error::invalid(key, format!("{key} is given twice")));
            }
            seen.push(key);
            Ok(())
        };
        for (i, param) in params.iter().enumerate() {
            if let ParamType::Word(words) = param.kind
                && let Some(w) = words.iter().position(|w| *w == tok)
            {
                mark(param.key)?;
                self.values[i] = w as f64;
                return Ok(());
            }
        }
        let keys = params.iter().filter(|p| !matches!(p.kind, ParamType::Word(_))).map(|p| p.key).chain(["p"]);
        let Some(key) = keys.filter(|k| tok.starts_with(k)).max_by_key(|k| k.len()) else {
            return Err(Error::invalid(tok, format!("unknown parameter {tok:?}; {}", self.usage())));
        };
        let text = &tok[key.len()..];
        if text.is_empty() {
            return Err(Error::invalid(
                key,
                format!("{key} needs a value written right after it, e.g. {key}{}", self.get_any(key)),
            ));
        }
        let value: f64 = text.parse().map_err(|_| {
            Error::invalid(key, format!("{key} must be a number, got {text:?} (write e.g. {key}{})", self.get_any(key)))
        })?;
        mark(key)?;
        self.set(key, value).map_err(|e| Error::invalid(key, format!("{} {}", e.param, e.message)))
    }

    fn get_any(&self, key: &str) -> f64 {
        if key == "p" { self.kind.default_p() } else { self.get(key) }
    }

    /// What the step accepts, for error messages.
    fn usage(&self) -> String {
        let params = self.kind.params();
        let mut keys: Vec<&str> =
            params.iter().filter(|p| !matches!(p.kind, ParamType::Word(_))).map(|p| p.key).collect();
        keys.push("p");
        let words: Vec<&str> = params
            .iter()
            .filter_map(|p| if let ParamType::Word(w) = p.kind { Some(w) } else { None })
            .flatten()
            .copied()
            .collect();
        let mut s = format!("{} takes {} followed by a number (e.g. p0.5)", self.kind.name(), keys.join(", "));
        if !words.is_empty() {
            s += &format!(" and the options {}", words.join(", "));
        }
        s
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut args = Vec::new();
        for (param, &v) in self.kind.params().iter().zip(&self.values) {
            if v != param.default {
                args.push(match param.kind {
                    ParamType::Word(words) => words[v as usize].to_string(),
                    _ => format!("{}{v}", param.key),
                });
            }
        }
        if self.p != self.kind.default_p() {
            args.push(format!("p{}", self.p));
        }
        f.write_str(self.kind.name())?;
        if !args.is_empty() {
            write!(f, "({})", args.join("_"))?;
        }
        Ok(())
    }
}

/// A step that ran on one sample, with the parameters it drew (pixels, degrees, factors), for a tile's caption.
#[derive(Debug, Clone, PartialEq)]
pub struct FiredStep {
    /// 0-based position in the pipeline.
    pub index: usize,
    pub name: &'static str,
    pub params: Vec<(&'static str, f64)>,
}

impl fmt::Display for FiredStep {
    /// `rotate(angle=-12.3456)`, or just the name when nothing was drawn.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)?;
        if !self.params.is_empty() {
            let args: Vec<String> =
                self.params.iter().map(|(k, v)| format!("{k}={}", crate::init::fmt_num(*v))).collect();
            write!(f, "({})", args.join(", "))?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pipeline {
    pub steps: Vec<Step>,
}

impl Pipeline {
    /// Parses the `aug=` syntax. The empty string is the empty pipeline (the source image unchanged).
    pub fn parse(s: &str) -> Result<Pipeline> {
        if s.len() > MAX_LEN {
            return Err(Error::invalid(
                "aug",
                format!("the pipeline is {} characters long; at most {MAX_LEN}", s.len()),
            ));
        }
        let s = s.trim();
        if s.is_empty() {
            return Ok(Pipeline::default());
        }
        let parts: Vec<&str> = s.split('~').collect();
        if parts.len() > MAX_STEPS {
            return Err(Error::invalid("aug", format!("{} steps; at most {MAX_STEPS}", parts.len())));
        }
        let steps = parts.iter().enumerate().map(|(i, part)| parse_step(i + 1, part.trim())).collect::<Result<_>>()?;
        Ok(Pipeline { steps })
    }

    /// Applies every step in order, each with its probability, and reports the steps that ran.
    /// The output has the size of `img` (see the module docs); an empty image comes back unchanged.
    pub fn apply(&self, img: &Image, rng: &mut Rng) -> (Image, Vec<FiredStep>) {
        let mut out = img.as_standard_layout().into_owned();
        let fired = self.apply_into(img, rng, &mut out, &mut Image::zeros((0, 0, 0)));
        (out, fired)
    }

    /// [`apply`](Self::apply) into `out`, with `scratch` as the second buffer of the warps. Reusing both across calls
    /// (a training loop, a benchmark) avoids allocating; their previous contents do not matter.
    pub fn apply_into(&self, img: &Image, rng: &mut Rng, out: &mut Image, scratch: &mut Image) -> Vec<FiredStep> {
        let mut fired = Vec::new();
        if img.is_empty() {
            copy_into(img, out);
            return fired;
        }
        // Until a step runs, the input is `img` itself: a first warp reads it directly instead of a copy in `out`.
        let mut source = Some(img);
        for (index, step) in self.steps.iter().enumerate() {
            // One draw per step, whether or not it runs, so a step's probability does not shift the later draws' use.
            if rng.random::<f64>() < step.p {
                let params = step.run(source.take(), out, scratch, rng);
                fired.push(FiredStep { index, name: step.kind.name(), params });
            }
        }
        if let Some(img) = source {
            copy_into(img, out);
        }
        fired
    }

    /// `n` samples (1..=64) of the pipeline on `img`. Tile i uses `seeded(seed)` jumped i times (Xoshiro's jump
    /// skips 2¹²⁸ draws), so tiles are independent, tile 0 equals `apply` with `seeded(seed)`, and changing `n`
    /// leaves the first tiles as they were.
    pub fn sample_grid(&self, img: &Image, n: usize, seed: u64) -> Result<Vec<(Image, Vec<FiredStep>)>> {
        if !(1..=MAX_TILES).contains(&n) {
            return Err(Error::invalid(
                "n",
                format!("the number of samples must be between 1 and {MAX_TILES}, got {n}"),
            ));
        }
        let mut base = seeded(seed);
        // One scratch buffer for all tiles; each tile's own buffer is its output.
        let mut scratch = Image::zeros((0, 0, 0));
        Ok((0..n)
            .map(|_| {
                let mut rng = base.clone();
                base.jump();
                let mut out = Image::zeros((0, 0, 0));
                let fired = self.apply_into(img, &mut rng, &mut out, &mut scratch);
                (out, fired)
            })
            .collect())
    }
}

/// `out` ← `img`, reusing `out`'s buffer when it fits.
fn copy_into(img: &Image, out: &mut Image) {
    if out.dim() == img.dim() && out.is_standard_layout() {
        out.assign(img);
    } else {
        *out = img.as_standard_layout().into_owned();
    }
}

fn parse_step(n: usize, text: &str) -> Result<Step> {
    let err = |name: &str, msg: String| Error::invalid("aug", format!("step {n} ({name}): {msg}"));
    if text.is_empty() {
        return Err(Error::invalid("aug", format!("step {n} is empty; separate steps with a single ~")));
    }
    let (name, args) = match text.split_once('(') {
        Some((name, rest)) => match rest.strip_suffix(')') {
            Some(args) => (name.trim(), args),
            None => {
                return Err(err(name.trim(), "the arguments must end with ) and nothing may follow it".into()));
            }
        },
        None => (text, ""),
    };
    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
    let kind = Kind::parse(name).ok_or_else(|| {
        Error::invalid("aug", format!("step {n}: unknown step {name:?}; expected one of {}", names.join(", ")))
    })?;
    let mut step = Step::new(kind);
    let mut seen = Vec::new();
    if !args.trim().is_empty() {
        for tok in args.split('_').map(str::trim) {
            if tok.is_empty() {
                return Err(err(name, "an empty argument; separate arguments with a single _".into()));
            }
            step.set_token(tok, &mut seen).map_err(|e| err(name, e.message))?;
        }
    }
    step.check_ranges().map_err(|e| err(name, e.message))?;
    Ok(step)
}

impl fmt::Display for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let steps: Vec<String> = self.steps.iter().map(Step::to_string).collect();
        f.write_str(&steps.join("~"))
    }
}
