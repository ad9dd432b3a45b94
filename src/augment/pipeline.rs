//! The pipeline: an ordered list of steps, each with a probability; its `aug=` syntax (documented in the module
//! above); applying it with an explicit RNG; and a seeded grid of samples.
//!
//! Every step's parameters are described once, in [`Kind::params`]; parsing (the shared grammar of
//! [`crate::spec`]), validation, serialisation and export all read that table.

use super::geometric::{self, Affine, Border, Interpolation, uniform};
use super::{Image, noise, photometric};
use crate::error::{Error, Result};
use crate::rng::{Rng, seeded};
use crate::spec::{Grammar, StepText, flag, int, num, word, write_step};
pub use crate::spec::{Param, ParamType};
use rand::RngExt;
use std::fmt;

pub const MAX_STEPS: usize = 16;
pub const MAX_LEN: usize = 1000;
/// `aug=` in the shared step grammar.
const GRAMMAR: Grammar = Grammar { param: "aug", max_len: MAX_LEN, max_steps: MAX_STEPS };
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
            Kind::Crop => const { &[int("pad", 0.0, 256.0, 4.0), word("border", &Border::NAMES, 0), FILL] },
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

    /// [`params`](Self::params) followed by `p`, the probability (default [`default_p`](Self::default_p)): what the
    /// syntax reads and writes.
    fn params_with_p(self) -> Vec<Param> {
        let mut params = self.params().to_vec();
        params.push(num("p", 0.0, 1.0, self.default_p()));
        params
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

    /// Sets a parameter (or `p`), checking it against the table; the error names the parameter.
    pub fn set(&mut self, key: &str, value: f64) -> Result<()> {
        if key == "p" {
            self.p = num("p", 0.0, 1.0, 1.0).check(value)?;
            return Ok(());
        }
        let Some(i) = self.kind.params().iter().position(|p| p.key == key) else {
            return Err(Error::coded(key, "unknown_parameter", format!("{} has no parameter {key}", self.kind.name())));
        };
        self.values[i] = self.kind.params()[i].check(value)?;
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
                return Err(Error::coded(
                    lo,
                    "range_order",
                    format!("{lo} ({}) must not exceed {hi} ({})", self.get(lo), self.get(hi)),
                )
                .with("min", self.get(lo))
                .with("max", self.get(hi)));
            }
        }
        Ok(())
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut values = self.values.clone();
        values.push(self.p);
        f.write_str(&write_step(self.kind.name(), &self.kind.params_with_p(), &values))
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
                self.params.iter().map(|(k, v)| format!("{k}={}", crate::number::readable(*v))).collect();
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
        let steps = GRAMMAR.split(s)?.iter().map(parse_step).collect::<Result<_>>()?;
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

fn parse_step(text: &StepText) -> Result<Step> {
    let kind = Kind::parse(text.name).ok_or_else(|| text.unknown(&Kind::ALL.map(Kind::name)))?;
    let mut values = text.read(&kind.params_with_p())?;
    let p = values.pop().unwrap_or(kind.default_p());
    let step = Step { kind, p, values };
    step.check_ranges().map_err(|e| text.error(e))?;
    Ok(step)
}

impl fmt::Display for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let steps: Vec<String> = self.steps.iter().map(Step::to_string).collect();
        f.write_str(&steps.join("~"))
    }
}
