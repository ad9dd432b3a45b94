//! Generated symbol sets: greyscale images of procedurally drawn symbols, deterministic from a seed, with knobs for
//! the class set, the stroke style and the domain, so the transfer lab can build a large source set and target sets
//! that are similar to it or clearly different.
//!
//! # Symbols and classes
//! A *family* (a `u64`) defines an endless list of symbols; class k of a set is symbol `first_class + k` of its
//! family. A symbol is 2 to 4 strokes on a 5×5 lattice over the box [−1, 1]²: straight lines between lattice points
//! and arcs (quarter, half, three-quarter or full circles) about lattice points, by [`Shapes`]. Each new symbol is
//! drawn again (up to 40 times) until its prototype image differs enough from every earlier symbol of the family, so
//! the classes are distinguishable. Symbols of different families are independent draws: another family is another
//! class set. Symbol i depends only on the family, `shapes` and i, never on `classes`.
//!
//! # One image
//! Each image (class k, example j) has its own random stream, `seeded(derive(seed, [first_class + k, j]))`, and draws
//! the same numbers in the same order whatever the style knobs, so two sets that differ only in a style knob show
//! the same symbols in the same poses (paired domains). The symbol is bent by a smooth random warp (`jitter`), then
//! rotated, scaled and shifted, and its strokes are drawn antialiased (coverage = how far the pixel centre lies
//! inside the stroke, ramped over one pixel) with a random thickness in the [`StrokeStyle`]. The ink intensity is
//! drawn from `contrast`; the background is a [`Background`] pattern of strength `texture`; `invert` turns every
//! value v into 1 − v; last, Gaussian noise of σ = `noise` is added and values are clamped to [0, 1].
//!
//! # Knobs ([`SymbolConfig`]; errors name the field as `param`)
//! | field | range | default | meaning |
//! | --- | --- | --- | --- |
//! | `classes` | 1 … 64 | 10 | number of classes |
//! | `per_class` | 1 … 10,000 | 100 | images per class (and at most [`MAX_VALUES`](super::MAX_VALUES) values in all) |
//! | `height`, `width` | 8 … 128 | 28 | image size in pixels |
//! | `family` | any u64 | 0 | which symbols: another family is another class set |
//! | `first_class` | 0 … 128 − `classes` | 0 | class k is the family's symbol `first_class + k` (new classes of the same family) |
//! | `shapes` | `lines`, `curves`, `mixed` | `mixed` | strokes the symbols are made of |
//! | `stroke` | `solid`, `dashed`, `double` | `solid` | how a stroke is drawn: one line, dashes, or two parallel rails |
//! | `thickness` | (lo, hi) in 0.02 … 0.25 | (0.06, 0.11) | stroke width as a fraction of the shorter side |
//! | `scale` | (lo, hi) in 0.2 … 1.2 | (0.55, 0.75) | symbol box side as a fraction of the shorter side |
//! | `rotation` | 0 … 180 | 15 | rotation uniform in ±`rotation` degrees |
//! | `shift` | 0 … 0.4 | 0.06 | shift of the centre uniform in ±`shift`·side, per axis |
//! | `jitter` | 0 … 0.3 | 0.08 | amplitude of the smooth warp, in units of the symbol's half box (handwriting wobble) |
//! | `background` | `flat`, `gradient`, `grid`, `noise` | `flat` | background pattern: black, a linear ramp, grid lines, smooth blotches |
//! | `texture` | 0 … 1 | 0.5 | strength of the pattern: background values reach 0.6·`texture` (no effect for `flat`) |
//! | `contrast` | (lo, hi) in 0.1 … 1 | (0.75, 1) | ink intensity, drawn per image |
//! | `invert` | bool | false | dark symbols on a light ground |
//! | `noise` | 0 … 0.5 | 0.03 | standard deviation of additive Gaussian pixel noise |
//! | `seed` | any u64 | 0 | the examples' poses, styles and noise |
//!
//! # Recipes for transfer
//! - Source: many classes, e.g. `classes: 32, per_class: 500, family: 0`.
//! - Similar target: the same family and style with new classes (`first_class: 32`) or new examples (another
//!   `seed`), small (`per_class: 5`) or large.
//! - Different target: another `family`, and/or `invert: true`, `background: grid | noise` with `texture: 1`,
//!   `stroke: dashed | double`, `shapes` other than the source's.

use super::Dataset;
use crate::augment::noise::{Normals, add_normals};
use crate::error::{Error, Result, check_range};
use crate::rng::{self, Rng};
use rand::RngExt;
use std::f64::consts::PI;

pub const MAX_CLASSES: usize = 64;
/// Symbols per family that a set can reach (`first_class + classes`).
pub const MAX_SYMBOLS: usize = 128;
pub const MAX_PER_CLASS: usize = 10_000;
pub const MIN_SIDE: usize = 8;
pub const MAX_SIDE: usize = 128;

/// A knob's value as [`SymbolConfig::knobs`] lists it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Knob {
    Whole(u64),
    Number(f64),
    /// `[low, high]`.
    Pair(f64, f64),
    Name(&'static str),
    Bool(bool),
}

impl Knob {
    /// As JSON (numbers in Rust's shortest round-trip form).
    pub fn json(&self) -> String {
        match self {
            Knob::Whole(v) => v.to_string(),
            Knob::Number(v) => v.to_string(),
            Knob::Pair(lo, hi) => format!("[{lo},{hi}]"),
            Knob::Name(n) => format!("{n:?}"),
            Knob::Bool(b) => b.to_string(),
        }
    }
}

/// What a symbol's strokes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shapes {
    /// Straight lines only (angular, rune-like).
    Lines,
    /// Arcs and circles only (round).
    Curves,
    /// Either, half and half.
    Mixed,
}

/// How a stroke is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrokeStyle {
    Solid,
    /// Dashes about 1.5 stroke widths long (at least 2 px) with gaps of 0.8 of that.
    Dashed,
    /// Two parallel rails at the stroke's edges, each about a third of its width (at least 1 px), with a gap of at
    /// least 1.5 px between them.
    Double,
}

/// The pattern under the symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    /// Zero everywhere.
    Flat,
    /// A linear ramp in a random direction.
    Gradient,
    /// One-pixel lines every 4 to 7 pixels (scaled with the size), random phase.
    Grid,
    /// Smooth blotches: a random 5×5 grid interpolated bilinearly.
    Noise,
}

macro_rules! named {
    ($t:ty, $param:literal, $($v:ident = $name:literal),+) => {
        impl $t {
            pub const ALL: &'static [$t] = &[$(<$t>::$v),+];

            /// The name used in settings and URLs.
            pub fn name(self) -> &'static str {
                match self { $(<$t>::$v => $name),+ }
            }

            /// The value with that name (param `
            #[doc = $param]
            /// `, code `unknown_value`).
            pub fn parse(s: &str) -> Result<$t> {
                Self::ALL.iter().copied().find(|v| v.name() == s).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|v| v.name()).collect();
                    Error::coded($param, "unknown_value", format!("{s:?} is not one of {}", names.join(", ")))
                })
            }
        }
    };
}
named!(Shapes, "shapes", Lines = "lines", Curves = "curves", Mixed = "mixed");
named!(StrokeStyle, "stroke", Solid = "solid", Dashed = "dashed", Double = "double");
named!(Background, "background", Flat = "flat", Gradient = "gradient", Grid = "grid", Noise = "noise");

/// Every knob of the generator; see the module docs for ranges and meanings.
#[derive(Debug, Clone, PartialEq)]
pub struct SymbolConfig {
    pub classes: usize,
    pub per_class: usize,
    pub height: usize,
    pub width: usize,
    pub family: u64,
    pub first_class: usize,
    pub shapes: Shapes,
    pub stroke: StrokeStyle,
    pub thickness: (f64, f64),
    pub scale: (f64, f64),
    pub rotation: f64,
    pub shift: f64,
    pub jitter: f64,
    pub background: Background,
    pub texture: f64,
    pub contrast: (f64, f64),
    pub invert: bool,
    pub noise: f64,
    pub seed: u64,
}

impl Default for SymbolConfig {
    fn default() -> Self {
        SymbolConfig {
            classes: 10,
            per_class: 100,
            height: 28,
            width: 28,
            family: 0,
            first_class: 0,
            shapes: Shapes::Mixed,
            stroke: StrokeStyle::Solid,
            thickness: (0.06, 0.11),
            scale: (0.55, 0.75),
            rotation: 15.0,
            shift: 0.06,
            jitter: 0.08,
            background: Background::Flat,
            texture: 0.5,
            contrast: (0.75, 1.0),
            invert: false,
            noise: 0.03,
            seed: 0,
        }
    }
}

fn check_count(param: &str, value: usize, min: usize, max: usize) -> Result<()> {
    check_range(param, value as f64, min as f64, max as f64).map(|_| ())
}

fn check_pair(param: &str, (lo, hi): (f64, f64), min: f64, max: f64) -> Result<()> {
    check_range(param, lo, min, max)?;
    check_range(param, hi, min, max)?;
    if lo > hi {
        return Err(Error::coded(
            param,
            "min_above_max",
            format!("the range's low end {lo} is above its high end {hi}"),
        )
        .with("min", lo)
        .with("max", hi));
    }
    Ok(())
}

impl SymbolConfig {
    /// Checks every knob against its range (codes `out_of_range`, `not_finite`, `min_above_max`, `too_large`).
    pub fn validate(&self) -> Result<()> {
        check_count("classes", self.classes, 1, MAX_CLASSES)?;
        check_count("per_class", self.per_class, 1, MAX_PER_CLASS)?;
        check_count("height", self.height, MIN_SIDE, MAX_SIDE)?;
        check_count("width", self.width, MIN_SIDE, MAX_SIDE)?;
        check_count("first_class", self.first_class, 0, MAX_SYMBOLS - self.classes)?;
        check_pair("thickness", self.thickness, 0.02, 0.25)?;
        check_pair("scale", self.scale, 0.2, 1.2)?;
        check_range("rotation", self.rotation, 0.0, 180.0)?;
        check_range("shift", self.shift, 0.0, 0.4)?;
        check_range("jitter", self.jitter, 0.0, 0.3)?;
        check_range("texture", self.texture, 0.0, 1.0)?;
        check_pair("contrast", self.contrast, 0.1, 1.0)?;
        check_range("noise", self.noise, 0.0, 0.5)?;
        // In u64: on wasm32 the product of the largest knobs overflows usize.
        let values = [self.classes, self.per_class, self.height, self.width].iter().map(|&v| v as u64).product::<u64>();
        if values > super::MAX_VALUES as u64 {
            return Err(Error::coded(
                "per_class",
                "too_large",
                format!("{values} pixel values in all; at most {}", super::MAX_VALUES),
            )
            .with("max", super::MAX_VALUES as f64)
            .with("got", values as f64));
        }
        Ok(())
    }

    /// Every knob under its setting name (the keys of the page's symbol data config and of the zoo manifest's
    /// `source`), in the order of the table in the module docs.
    pub fn knobs(&self) -> Vec<(&'static str, Knob)> {
        let count = |v: usize| Knob::Whole(v as u64);
        vec![
            ("classes", count(self.classes)),
            ("per_class", count(self.per_class)),
            ("height", count(self.height)),
            ("width", count(self.width)),
            ("family", Knob::Whole(self.family)),
            ("first_class", count(self.first_class)),
            ("shapes", Knob::Name(self.shapes.name())),
            ("stroke", Knob::Name(self.stroke.name())),
            ("thickness", Knob::Pair(self.thickness.0, self.thickness.1)),
            ("scale", Knob::Pair(self.scale.0, self.scale.1)),
            ("rotation", Knob::Number(self.rotation)),
            ("shift", Knob::Number(self.shift)),
            ("jitter", Knob::Number(self.jitter)),
            ("background", Knob::Name(self.background.name())),
            ("texture", Knob::Number(self.texture)),
            ("contrast", Knob::Pair(self.contrast.0, self.contrast.1)),
            ("invert", Knob::Bool(self.invert)),
            ("noise", Knob::Number(self.noise)),
            ("seed", Knob::Whole(self.seed)),
        ]
    }

    /// The data set: `classes·per_class` one-channel images, interleaved by class (image n has class n mod
    /// `classes` and is that class's example n div `classes`), so every prefix is nearly balanced.
    pub fn generate(&self) -> Result<Dataset> {
        self.validate()?;
        let symbols = family_symbols(self.family, self.shapes, self.first_class + self.classes);
        let (h, w) = (self.height, self.width);
        let mut images = vec![0.0f32; self.classes * self.per_class * h * w];
        let mut labels = Vec::with_capacity(self.classes * self.per_class);
        let mut scratch = Scratch::default();
        for (n, img) in images.chunks_exact_mut(h * w).enumerate() {
            let (j, k) = (n / self.classes, n % self.classes);
            let symbol = self.first_class + k;
            let mut rng = rng::seeded(rng::derive(self.seed, &[symbol as u64, j as u64]));
            self.draw(&symbols[symbol], &mut rng, img, &mut scratch);
            labels.push(k as u32);
        }
        Dataset::new(1, h, w, self.classes, images, labels)
    }

    /// One image of `symbol` into `out` (H·W values).
    fn draw(&self, symbol: &Symbol, rng: &mut Rng, out: &mut [f32], scratch: &mut Scratch) {
        let (h, w) = (self.height as f64, self.width as f64);
        let side = h.min(w);
        // Every draw happens whatever the knobs, always in this order (paired domains, see the module docs).
        let warp = Warp::random(rng, self.jitter);
        let angle = uniform(rng, -self.rotation, self.rotation) * PI / 180.0;
        let scale = uniform(rng, self.scale.0, self.scale.1) * side / 2.0;
        let (dx, dy) = (uniform(rng, -self.shift, self.shift) * w, uniform(rng, -self.shift, self.shift) * h);
        let thickness = uniform(rng, self.thickness.0, self.thickness.1) * side;
        let ink = uniform(rng, self.contrast.0, self.contrast.1) as f32;
        let pattern = Pattern::random(rng, self.height, self.width);
        let (cos, sin) = (libm::cos(angle), libm::sin(angle));
        let (cx, cy) = (w / 2.0 + dx, h / 2.0 + dy);
        let to_pixels = |(x, y): (f64, f64)| {
            let (x, y) = warp.apply(x, y);
            (cx + scale * (cos * x - sin * y), cy + scale * (sin * x + cos * y))
        };

        let coverage = &mut scratch.coverage;
        coverage.clear();
        coverage.resize(out.len(), 0.0);
        for stroke in &symbol.strokes {
            scratch.points.clear();
            scratch.points.extend(stroke.iter().copied().map(to_pixels));
            draw_polyline(
                &scratch.points,
                thickness,
                self.stroke,
                (self.width, self.height),
                coverage,
                &mut scratch.nearest,
            );
        }

        let strength = if self.background == Background::Flat { 0.0 } else { 0.6 * self.texture as f32 };
        for (i, (o, &c)) in out.iter_mut().zip(coverage.iter()).enumerate() {
            let bg = strength * pattern.value(self.background, i % self.width, i / self.width);
            let v = bg + (ink - bg) * c;
            *o = if self.invert { 1.0 - v } else { v };
        }
        // The noise generator is always seeded, so the draws before it do not depend on `noise`.
        let mut normals = Normals::new(rng);
        if self.noise > 0.0 {
            add_normals(&mut normals, self.noise as f32, out);
        }
    }
}

#[derive(Default)]
struct Scratch {
    coverage: Vec<f32>,
    points: Vec<(f64, f64)>,
    nearest: Vec<(f64, f64)>,
}

/// √(x² + y²) with IEEE operations only (`f64::hypot` comes from the platform's libm and may differ by machine).
fn length(x: f64, y: f64) -> f64 {
    (x * x + y * y).sqrt()
}

fn uniform(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.random::<f64>()
}

/// A symbol: polylines in the box [−1, 1]² (arcs already flattened).
#[derive(Debug, Clone, PartialEq)]
struct Symbol {
    strokes: Vec<Vec<(f64, f64)>>,
}

/// Lattice coordinates of the 5×5 grid over [−1, 1].
const LATTICE: [f64; 5] = [-1.0, -0.5, 0.0, 0.5, 1.0];
const ATTEMPTS: u64 = 40;
/// Side of the prototype images that symbols are compared on.
const PROTO: usize = 16;
/// Required mean squared difference between two prototypes (values 0…1); about a fifth of the mean squared
/// difference of two unrelated symbols.
const MIN_PROTO_DISTANCE: f32 = 0.04;

/// The first `count` symbols of a family: symbol i is the first of up to [`ATTEMPTS`] random candidates whose
/// prototype is at least [`MIN_PROTO_DISTANCE`] from every earlier prototype (else the farthest candidate).
fn family_symbols(family: u64, shapes: Shapes, count: usize) -> Vec<Symbol> {
    let mut symbols = Vec::with_capacity(count);
    let mut protos: Vec<Vec<f32>> = Vec::with_capacity(count);
    for i in 0..count {
        let mut best: Option<(f32, Symbol, Vec<f32>)> = None;
        for attempt in 0..ATTEMPTS {
            let mut rng = rng::seeded(rng::derive(family, &[shapes as u64, i as u64, attempt]));
            let candidate = random_symbol(&mut rng, shapes);
            let proto = prototype(&candidate);
            let nearest = protos.iter().map(|p| mean_sq_diff(p, &proto)).fold(f32::INFINITY, f32::min);
            let better = best.as_ref().is_none_or(|(d, _, _)| nearest > *d);
            if better {
                best = Some((nearest, candidate, proto));
            }
            if nearest >= MIN_PROTO_DISTANCE {
                break;
            }
        }
        let (_, symbol, proto) = best.expect("at least one attempt");
        symbols.push(symbol);
        protos.push(proto);
    }
    symbols
}

fn mean_sq_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f32>() / a.len() as f32
}

/// The symbol drawn plainly: centred, upright, 0.8 of a 16×16 image, solid strokes of 0.12 of the side.
fn prototype(symbol: &Symbol) -> Vec<f32> {
    let mut img = vec![0.0; PROTO * PROTO];
    let mut nearest = Vec::new();
    let half = 0.4 * PROTO as f64;
    let c = PROTO as f64 / 2.0;
    for stroke in &symbol.strokes {
        let points: Vec<(f64, f64)> = stroke.iter().map(|&(x, y)| (c + half * x, c + half * y)).collect();
        draw_polyline(&points, 0.12 * PROTO as f64, StrokeStyle::Solid, (PROTO, PROTO), &mut img, &mut nearest);
    }
    img
}

fn random_symbol(rng: &mut Rng, shapes: Shapes) -> Symbol {
    let count = 2 + rng::below(rng, 3) as usize;
    let strokes = (0..count)
        .map(|_| {
            let line = match shapes {
                Shapes::Lines => true,
                Shapes::Curves => false,
                Shapes::Mixed => rng::below(rng, 2) == 0,
            };
            if line { random_line(rng) } else { random_arc(rng) }
        })
        .collect();
    fit_box(Symbol { strokes })
}

/// Centres the symbol and scales it so that its longer side spans the box [−1, 1] (as MNIST centres its digits).
fn fit_box(mut symbol: Symbol) -> Symbol {
    let points = || symbol.strokes.iter().flatten();
    let (mut lo, mut hi) = ((f64::INFINITY, f64::INFINITY), (f64::NEG_INFINITY, f64::NEG_INFINITY));
    for &(x, y) in points() {
        lo = (lo.0.min(x), lo.1.min(y));
        hi = (hi.0.max(x), hi.1.max(y));
    }
    let centre = ((lo.0 + hi.0) / 2.0, (lo.1 + hi.1) / 2.0);
    let scale = 2.0 / (hi.0 - lo.0).max(hi.1 - lo.1);
    for p in symbol.strokes.iter_mut().flatten() {
        *p = ((p.0 - centre.0) * scale, (p.1 - centre.1) * scale);
    }
    symbol
}

fn lattice_point(rng: &mut Rng, from: usize, to: usize) -> (f64, f64) {
    let pick = |rng: &mut Rng| LATTICE[from + rng::below(rng, (to - from) as u64) as usize];
    (pick(rng), pick(rng))
}

/// A line between two lattice points at least 0.9 apart, split into 6 segments so the warp can bend it.
fn random_line(rng: &mut Rng) -> Vec<(f64, f64)> {
    let a = lattice_point(rng, 0, 5);
    let mut b = lattice_point(rng, 0, 5);
    while length(a.0 - b.0, a.1 - b.1) < 0.9 {
        b = lattice_point(rng, 0, 5);
    }
    (0..=6).map(|s| s as f64 / 6.0).map(|t| (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))).collect()
}

/// An arc about an inner lattice point: radius 0.5 (or 1 about the centre, half the time), starting at a multiple of
/// 45°, sweeping 90°, 180°, 270° or 360°, one segment per 15°.
fn random_arc(rng: &mut Rng) -> Vec<(f64, f64)> {
    let (cx, cy) = lattice_point(rng, 1, 4);
    let big = rng::below(rng, 2) == 0;
    let r = if cx == 0.0 && cy == 0.0 && big { 1.0 } else { 0.5 };
    let start = rng::below(rng, 8) as f64 * PI / 4.0;
    let quarters = 1 + rng::below(rng, 4);
    let segments = 6 * quarters as usize;
    let sweep = quarters as f64 * PI / 2.0;
    (0..=segments)
        .map(|s| start + sweep * s as f64 / segments as f64)
        .map(|a| (cx + r * libm::cos(a), cy + r * libm::sin(a)))
        .collect()
}

/// A smooth displacement of the symbol box: two sinusoids per axis with random phases and frequencies of about one
/// period across the box, amplitude `jitter` in box units.
struct Warp {
    terms: [(f64, f64, f64, f64); 2],
    amplitude: f64,
}

impl Warp {
    fn random(rng: &mut Rng, amplitude: f64) -> Warp {
        let term = |rng: &mut Rng| {
            (uniform(rng, 1.0, 2.5), uniform(rng, 0.0, 2.0 * PI), uniform(rng, 1.0, 2.5), uniform(rng, 0.0, 2.0 * PI))
        };
        Warp { terms: [term(rng), term(rng)], amplitude }
    }

    fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [(fx, px, gx, qx), (fy, py, gy, qy)] = self.terms;
        let a = self.amplitude * 0.5;
        (
            x + a * (libm::sin(fx * y + px) + libm::sin(gx * x + qx)),
            y + a * (libm::sin(fy * x + py) + libm::sin(gy * y + qy)),
        )
    }
}

/// The random parameters of every background pattern, drawn whatever the chosen one is.
struct Pattern {
    /// Gradient: unit direction and offset so that the ramp spans [0, 1] over the image.
    dir: (f64, f64),
    span: (f64, f64),
    /// Grid: period and phase in pixels.
    period: usize,
    phase: (usize, usize),
    /// Noise: 5×5 random values and the image size they stretch over.
    blotches: [f32; 25],
    size: (usize, usize),
}

impl Pattern {
    fn random(rng: &mut Rng, h: usize, w: usize) -> Pattern {
        let theta = uniform(rng, 0.0, 2.0 * PI);
        let dir = (libm::cos(theta), libm::sin(theta));
        let corners =
            [(0.0, 0.0), (w as f64, 0.0), (0.0, h as f64), (w as f64, h as f64)].map(|(x, y)| x * dir.0 + y * dir.1);
        let lo = corners.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = corners.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let side = h.min(w);
        let period =
            (side / 7).max(2) + rng::below(rng, (side / 4).saturating_sub(side / 7).max(1) as u64 + 1) as usize;
        let phase = (rng::below(rng, period as u64) as usize, rng::below(rng, period as u64) as usize);
        let blotches = std::array::from_fn(|_| rng.random::<f32>());
        Pattern { dir, span: (lo, hi - lo), period, phase, blotches, size: (h, w) }
    }

    /// The pattern's value in [0, 1] at pixel (x, y).
    fn value(&self, kind: Background, x: usize, y: usize) -> f32 {
        match kind {
            Background::Flat => 0.0,
            Background::Gradient => {
                let t = ((x as f64 + 0.5) * self.dir.0 + (y as f64 + 0.5) * self.dir.1 - self.span.0) / self.span.1;
                t.clamp(0.0, 1.0) as f32
            }
            Background::Grid => {
                let on =
                    (x + self.phase.0).is_multiple_of(self.period) || (y + self.phase.1).is_multiple_of(self.period);
                if on { 1.0 } else { 0.0 }
            }
            Background::Noise => {
                let (h, w) = self.size;
                let gx = (x as f32 + 0.5) / w as f32 * 4.0;
                let gy = (y as f32 + 0.5) / h as f32 * 4.0;
                let (x0, y0) = ((gx as usize).min(3), (gy as usize).min(3));
                let (fx, fy) = (gx - x0 as f32, gy - y0 as f32);
                let b = |r: usize, c: usize| self.blotches[r * 5 + c];
                let top = b(y0, x0) + fx * (b(y0, x0 + 1) - b(y0, x0));
                let bottom = b(y0 + 1, x0) + fx * (b(y0 + 1, x0 + 1) - b(y0 + 1, x0));
                top + fy * (bottom - top)
            }
        }
    }
}

/// Draws a polyline (pixel coordinates, pixel centres at +½) of the given width into `coverage` (W×H, row-major),
/// keeping the maximum where strokes overlap. Each pixel's distance is to the whole polyline (its nearest segment),
/// so joints between segments are seamless in every style; `nearest` is scratch space for (distance, arc length).
fn draw_polyline(
    points: &[(f64, f64)],
    thickness: f64,
    style: StrokeStyle,
    (w, h): (usize, usize),
    coverage: &mut [f32],
    nearest: &mut Vec<(f64, f64)>,
) {
    let half = thickness / 2.0;
    // Dashes: on for `dash` pixels of arc length, then off for 0.8·dash.
    let dash = (1.5 * thickness).max(2.0);
    let period = 1.8 * dash;
    // Double: rails of half width max(0.17·thickness, 0.5) px centred max(0.7·half, 1.25) px from the centre line,
    // so even a thin stroke keeps a dark gap between its rails.
    let rail_half = (0.17 * thickness).max(0.5);
    let rail_at = (0.7 * half).max(1.25);
    let reach = half.max(rail_at + rail_half) + 1.0;
    let (mut lo, mut hi) = ((f64::INFINITY, f64::INFINITY), (f64::NEG_INFINITY, f64::NEG_INFINITY));
    for &(x, y) in points {
        lo = (lo.0.min(x), lo.1.min(y));
        hi = (hi.0.max(x), hi.1.max(y));
    }
    let clip = |v: f64, n: usize| v.clamp(0.0, n as f64) as usize;
    let (x0, x1) = (clip((lo.0 - reach).floor(), w), clip((hi.0 + reach).ceil(), w));
    let (y0, y1) = (clip((lo.1 - reach).floor(), h), clip((hi.1 + reach).ceil(), h));
    let bw = x1.saturating_sub(x0);
    nearest.clear();
    nearest.resize(bw * y1.saturating_sub(y0), (f64::INFINITY, 0.0));
    let mut walked = 0.0;
    for seg in points.windows(2) {
        let ((ax, ay), (bx, by)) = (seg[0], seg[1]);
        let (vx, vy) = (bx - ax, by - ay);
        let len2 = vx * vx + vy * vy;
        let len = len2.sqrt();
        // Only the pixels within reach of this segment can be nearest to it and covered.
        let (sx0, sx1) = (clip((ax.min(bx) - reach).floor(), w), clip((ax.max(bx) + reach).ceil(), w));
        let (sy0, sy1) = (clip((ay.min(by) - reach).floor(), h), clip((ay.max(by) + reach).ceil(), h));
        for y in sy0..sy1 {
            for x in sx0..sx1 {
                let (px, py) = (x as f64 + 0.5 - ax, y as f64 + 0.5 - ay);
                let t = if len2 > 0.0 { ((px * vx + py * vy) / len2).clamp(0.0, 1.0) } else { 0.0 };
                let d = length(px - t * vx, py - t * vy);
                let cell = &mut nearest[(y - y0) * bw + (x - x0)];
                if d < cell.0 {
                    *cell = (d, walked + t * len);
                }
            }
        }
        walked += len;
    }
    for y in y0..y1 {
        for x in x0..x1 {
            let (d, along) = nearest[(y - y0) * bw + (x - x0)];
            let c = match style {
                StrokeStyle::Solid => half - d + 0.5,
                StrokeStyle::Double => rail_half - (d - rail_at).abs() + 0.5,
                StrokeStyle::Dashed => {
                    let u = along % period;
                    (half - d + 0.5).min(u.min(dash - u) + 0.5)
                }
            };
            let cell = &mut coverage[y * w + x];
            *cell = cell.max(c.clamp(0.0, 1.0) as f32);
        }
    }
}
