//! Resizing through one separable filter (nearest, bilinear with optional antialiasing, area).

use super::*;

/// For each output index, the source indices and weights of a 1-d resampling filter.
struct Taps {
    offsets: Vec<usize>,
    taps: Vec<(usize, f32)>,
}

impl Taps {
    fn of(&self, o: usize) -> &[(usize, f32)] {
        &self.taps[self.offsets[o]..self.offsets[o + 1]]
    }

    /// Output pixel `o` covers the source interval `start + [o, o + 1)·len/n_out` (pixel edges at integers).
    /// Past the ends, as PyTorch's `interpolate` (which torchvision's tensor `resize` calls): the antialiased filter
    /// (`_upsample_bilinear2d_aa`, as PIL) drops the taps outside `0..n_in` and renormalises the rest; the plain
    /// filters clamp the index (the edge pixel repeats). For the plain triangle both give the edge pixel.
    fn new(n_in: usize, n_out: usize, start: f64, len: f64, interp: Interpolation, antialias: bool) -> Taps {
        let scale = len / n_out as f64;
        let last = n_in as i64 - 1;
        let clamp = |i: i64| i.clamp(0, last) as usize;
        let drop_outside = antialias && interp == Interpolation::Bilinear;
        let mut offsets = vec![0];
        let mut taps: Vec<(usize, f32)> = Vec::new();
        for o in 0..n_out {
            let lo = start + o as f64 * scale;
            let center = lo + 0.5 * scale;
            let first = taps.len();
            match interp {
                Interpolation::Nearest => taps.push((clamp(center.floor() as i64), 1.0)),
                Interpolation::Bilinear => {
                    // A triangle filter; antialiasing widens it to the output pixel's footprint when downsampling.
                    let support = if antialias { scale.max(1.0) } else { 1.0 };
                    let (i0, i1) = ((center - support - 0.5).floor() as i64, (center + support - 0.5).ceil() as i64);
                    for i in i0..=i1 {
                        let wt = 1.0 - ((i as f64 + 0.5 - center).abs() / support);
                        if wt > 0.0 && !(drop_outside && (i < 0 || i > last)) {
                            taps.push((clamp(i), wt as f32));
                        }
                    }
                }
                Interpolation::Area => {
                    let hi = lo + scale;
                    for i in lo.floor() as i64..=(hi.ceil() as i64 - 1) {
                        let overlap = (hi.min(i as f64 + 1.0) - lo.max(i as f64)).max(0.0);
                        if overlap > 0.0 {
                            taps.push((clamp(i), overlap as f32));
                        }
                    }
                }
            }
            if taps.len() == first {
                taps.push((clamp(center.floor() as i64), 1.0));
            }
            let total: f32 = taps[first..].iter().map(|t| t.1).sum();
            taps[first..].iter_mut().for_each(|t| t.1 /= total);
            offsets.push(taps.len());
        }
        Taps { offsets, taps }
    }
}

/// Resizes to `out_h`×`out_w`, each clamped to `1..=MAX_SIDE`. `antialias` widens the bilinear filter when
/// downsampling (torchvision `antialias=True`); nearest never filters and area always averages, so it does not
/// apply to them. Without it, downsampling skips pixels and fine patterns alias into false coarse ones.
pub fn resize(img: &Image, out_h: usize, out_w: usize, interp: Interpolation, antialias: bool) -> Image {
    let (h, w, _) = img.dim();
    resize_window(img, (0.0, 0.0, h as f64, w as f64), out_h, out_w, interp, antialias)
}

/// torchvision `resized_crop` (tensor path): crops the window of `height`×`width` pixels at (`top`, `left`) first and
/// then resizes the crop to `out_h`×`out_w`, so a filter tap past the window repeats (or, antialiased, drops) the
/// window's own edge pixel rather than reading the pixels just outside it. The window is clamped into the image.
#[allow(clippy::too_many_arguments)] // torchvision's own argument list
pub fn resized_crop(
    img: &Image,
    top: usize,
    left: usize,
    height: usize,
    width: usize,
    out_h: usize,
    out_w: usize,
    interp: Interpolation,
    antialias: bool,
) -> Image {
    let (h, w, _) = img.dim();
    if h == 0 || w == 0 {
        return resize(img, out_h, out_w, interp, antialias);
    }
    let (top, left) = (top.min(h - 1), left.min(w - 1));
    let (height, width) = (height.clamp(1, h - top), width.clamp(1, w - left));
    let window = img.slice(ndarray::s![top..top + height, left..left + width, ..]);
    resize(&window.to_owned(), out_h, out_w, interp, antialias)
}

/// Resamples the source window (top, left, height, width) — in pixel-edge coordinates, possibly fractional — to
/// `out_h`×`out_w`, reading the whole image around the window (the window is part of a larger picture, not a crop).
/// [`resize`] is the whole-image case; zooming in uses a central window.
pub(super) fn resize_window(
    img: &Image,
    window: (f64, f64, f64, f64),
    out_h: usize,
    out_w: usize,
    interp: Interpolation,
    antialias: bool,
) -> Image {
    let (h, w, c) = img.dim();
    let (out_h, out_w) = (out_h.clamp(1, MAX_SIDE), out_w.clamp(1, MAX_SIDE));
    if h == 0 || w == 0 || c == 0 {
        return Image::zeros((out_h, out_w, c));
    }
    let src = contiguous(img);
    let (top, left, wh, ww) = window;
    let cols = Taps::new(w, out_w, left, ww, interp, antialias);
    let rows = Taps::new(h, out_h, top, wh, interp, antialias);
    // Horizontal pass over only the source rows the vertical pass reads.
    let row_lo = rows.taps.iter().map(|t| t.0).min().unwrap_or(0);
    let row_hi = rows.taps.iter().map(|t| t.0).max().unwrap_or(0);
    let mut tmp = vec![0f32; (row_hi - row_lo + 1) * out_w * c];
    for (r, trow) in tmp.chunks_exact_mut(out_w * c).enumerate() {
        let srow = &src[(row_lo + r) * w * c..(row_lo + r + 1) * w * c];
        for (x, px) in trow.chunks_exact_mut(c).enumerate() {
            for &(i, wt) in cols.of(x) {
                for k in 0..c {
                    px[k] += wt * srow[i * c + k];
                }
            }
        }
    }
    let stride = out_w * c;
    let mut out = vec![0f32; out_h * stride];
    for (y, orow) in out.chunks_exact_mut(stride).enumerate() {
        for &(i, wt) in rows.of(y) {
            let trow = &tmp[(i - row_lo) * stride..(i - row_lo + 1) * stride];
            orow.iter_mut().zip(trow).for_each(|(o, t)| *o += wt * t);
        }
    }
    out.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
    image(out_h, out_w, c, out)
}
