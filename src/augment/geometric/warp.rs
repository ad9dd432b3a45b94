//! The one inverse-mapping routine: each output pixel is mapped back to a source position and sampled there.

use super::*;

/// The one inverse-mapping routine: an `out_h`×`out_w` image whose pixel (x, y) is `img` sampled at `map(x, y)`.
pub fn warp(img: &Image, map: &Affine, out_h: usize, out_w: usize, interp: Interpolation, border: Border) -> Image {
    let mut out = Image::zeros((out_h, out_w, img.dim().2));
    warp_into(img, map, interp, border, &mut out);
    out
}

/// [`warp`] into an existing image, whose height and width give the output size (the pipeline reuses one buffer
/// per step instead of allocating: fresh pages cost more than the warp itself).
pub fn warp_into(img: &Image, map: &Affine, interp: Interpolation, border: Border, out: &mut Image) {
    warp_impl(img, map, interp, border, out, true);
}

/// [`warp_into`] without the wasm SIMD kernel of the bilinear case: its scalar twin, which native builds always run.
/// The two give bit-identical pixels (tests/augment_wasm.rs checks it in wasm).
pub fn warp_into_scalar(img: &Image, map: &Affine, interp: Interpolation, border: Border, out: &mut Image) {
    warp_impl(img, map, interp, border, out, false);
}

fn warp_impl(img: &Image, map: &Affine, interp: Interpolation, border: Border, out: &mut Image, simd: bool) {
    let (h, w, c) = img.dim();
    let (out_h, out_w, out_c) = out.dim();
    if out_c != c {
        *out = Image::zeros((out_h, out_w, c));
    }
    let fill = border.fill().clamp(0.0, 1.0);
    let dst = pixels_mut(out);
    if h == 0 || w == 0 || c == 0 {
        dst.fill(fill);
        return;
    }
    let src = contiguous(img);
    let grid = Grid { h, w, map, interp, border, fill, simd };
    // Row copies and bilinear rows write every pixel of the 1- and 3-channel outputs themselves; the rest start from
    // the fill.
    if !(matches!(c, 1 | 3) && (grid.row_copy() || interp != Interpolation::Nearest)) {
        dst.fill(fill);
    }
    // A fixed channel count lets the compiler unroll the per-pixel loops; other counts go channel by channel.
    match c {
        1 => grid.run::<1>(&src, dst, out_w),
        3 => grid.run::<3>(&src, dst, out_w),
        _ => {
            let mut plane = vec![fill; out_h * out_w];
            for k in 0..c {
                let channel: Vec<f32> = src.iter().skip(k).step_by(c).copied().collect();
                plane.fill(fill);
                grid.run::<1>(&channel, &mut plane, out_w);
                dst.iter_mut().skip(k).step_by(c).zip(&plane).for_each(|(o, p)| *o = *p);
            }
        }
    }
}

/// `floor` as an integer. `f32::floor` is a library call on baseline x86-64, and V8 compiles wasm's float-to-integer
/// conversions to slow checked sequences, so values below 2²² in magnitude (every coordinate of a real warp) are
/// rounded by adding 1.5·2²³, which leaves the nearest integer in the low mantissa bits, then corrected down.
#[inline(always)]
fn floor_i(v: f32) -> i64 {
    const MAGIC: f32 = 12_582_912.0;
    // Written negated on purpose: NaN must take this branch.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    if !(v.abs() < 4_194_304.0) {
        // Far outside any image (or NaN, which reads as 0): the exact value does not matter, only that it is outside.
        let t = v as i64;
        return if (t as f32) > v { t - 1 } else { t };
    }
    let r = v + MAGIC;
    let n = r.to_bits() as i32 - MAGIC.to_bits() as i32;
    (n - ((r - MAGIC) > v) as i32) as i64
}

/// Everything [`warp`] needs besides the pixels.
struct Grid<'a> {
    h: usize,
    w: usize,
    map: &'a Affine,
    interp: Interpolation,
    border: Border,
    fill: f32,
    /// Use the wasm SIMD kernel where there is one (ignored without `simd128`).
    #[cfg_attr(not(all(target_arch = "wasm32", target_feature = "simd128")), allow(dead_code))]
    simd: bool,
}

impl Grid<'_> {
    /// Flips, shifts and crops by whole pixels read whole source rows: [`Self::run`] copies runs instead of sampling
    /// points.
    fn row_copy(&self) -> bool {
        let [a, b, tx, d, e, ty] = self.map.m.map(|v| v as f32);
        let whole = |v: f32| v == v.round();
        self.interp == Interpolation::Nearest
            && b == 0.0
            && d == 0.0
            && (a == 1.0 || a == -1.0)
            && (e == 1.0 || e == -1.0)
            && whole(tx)
            && whole(ty)
    }

    /// Fills `out` (rows of `out_w` pixels of `C` channels) from `src` (`h`×`w`×`C`). Row copies and bilinear rows
    /// write every pixel (the fill where the constant border shows); nearest sampling expects `out` pre-set to the
    /// fill.
    fn run<const C: usize>(&self, src: &[f32], out: &mut [f32], out_w: usize) {
        let [a, b, tx, d, e, ty] = self.map.m.map(|v| v as f32);
        let row_copy = self.row_copy();
        for (y, row) in out.chunks_exact_mut(out_w * C).enumerate() {
            let (sx0, sy0) = (b * y as f32 + tx, e * y as f32 + ty);
            if row_copy {
                self.copy_row::<C>(src, row, a as i64, sx0 as i64, sy0 as i64);
                continue;
            }
            if self.interp != Interpolation::Nearest {
                self.bilinear_row::<C>(src, row, (a, sx0), (d, sy0));
                continue;
            }
            for (x, px) in row.chunks_exact_mut(C).enumerate() {
                let (sx, sy) = (a * x as f32 + sx0, d * x as f32 + sy0);
                if let Some(i) = self.at::<C>(floor_i(sy + 0.5), floor_i(sx + 0.5)) {
                    px.copy_from_slice(&src[i..i + C]);
                }
            }
        }
    }

    /// One output row of a bilinear warp: output pixel x reads source (ax·x + bx, ay·x + by).
    #[inline]
    fn bilinear_row<const C: usize>(&self, src: &[f32], row: &mut [f32], (ax, bx): (f32, f32), (ay, by): (f32, f32)) {
        let constant = matches!(self.border, Border::Constant(_));
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        let simd3 = self.simd && C == 3;
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if simd3 {
            // Four output pixels per step: coordinates, floors and the inside test in f32x4/i32x4; a group with any
            // pixel not wholly inside goes pixel by pixel through the scalar code below.
            let n = row.len() / C;
            let mut x = 0;
            while x + 4 <= n {
                let out = &mut row[x * 3..x * 3 + 12];
                if !simd::bilinear3x4(src, self.w, self.h, x, (ax, bx), (ay, by), (constant, self.fill), out) {
                    for x in x..x + 4 {
                        self.bilinear_px::<C>(src, &mut row[x * C..(x + 1) * C], x, (ax, bx), (ay, by), constant);
                    }
                }
                x += 4;
            }
            for x in x..n {
                self.bilinear_px::<C>(src, &mut row[x * C..(x + 1) * C], x, (ax, bx), (ay, by), constant);
            }
            return;
        }
        for (x, px) in row.chunks_exact_mut(C).enumerate() {
            self.bilinear_px::<C>(src, px, x, (ax, bx), (ay, by), constant);
        }
    }

    /// Output pixel x of a bilinear row (see [`Self::bilinear_row`]).
    #[inline(always)]
    fn bilinear_px<const C: usize>(
        &self,
        src: &[f32],
        px: &mut [f32],
        x: usize,
        (ax, bx): (f32, f32),
        (ay, by): (f32, f32),
        constant: bool,
    ) {
        let (w, h) = (self.w as i64, self.h as i64);
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        let simd3 = self.simd && C == 3;
        let (sx, sy) = (ax * x as f32 + bx, ay * x as f32 + by);
        let (x0, y0) = (floor_i(sx), floor_i(sy));
        if x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h {
            // All four neighbours inside.
            let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
            let i00 = (y0 as usize * self.w + x0 as usize) * C;
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            if simd3 && i00 + (self.w + 1) * 3 + 4 <= src.len() {
                simd::bilinear3(src, i00, self.w * 3, fx, fy, px);
                return;
            }
            let (r0, r1) = (&src[i00..i00 + 2 * C], &src[i00 + self.w * C..i00 + self.w * C + 2 * C]);
            for k in 0..C {
                let top = r0[k] + fx * (r0[C + k] - r0[k]);
                let bot = r1[k] + fx * (r1[C + k] - r1[k]);
                px[k] = clamp01(top + fy * (bot - top));
            }
        } else if constant && (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) {
            // All four outside: the fill.
            px.fill(self.fill);
        } else {
            self.bilinear_edge::<C>(src, px, sx, sy);
        }
    }

    /// The index of source pixel (row `yy`, column `xx`) under the border policy, `None` for the constant.
    #[inline]
    fn at<const C: usize>(&self, yy: i64, xx: i64) -> Option<usize> {
        Some((self.border.index(yy, self.h)? * self.w + self.border.index(xx, self.w)?) * C)
    }

    /// A bilinear sample with some of its four neighbours outside the image. With `edge` or `reflect` each reads the
    /// border policy. With a constant, as torchvision's `_apply_grid_transform` (tensor path): the image is sampled
    /// with zero padding (S, the inside taps only) and so is a mask of ones (M, the inside taps' weight), and the
    /// pixel is M·S + (1 − M)·fill, computed as torchvision does, (S − fill)·M + fill. The image's own share is
    /// weighted twice (M·S, not S), so a 1-pixel band along the rotated border darkens towards black with fill 0.
    #[cold]
    fn bilinear_edge<const C: usize>(&self, src: &[f32], px: &mut [f32], sx: f32, sy: f32) {
        let (x0, y0) = (floor_i(sx), floor_i(sy));
        let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
        let taps = [
            (y0, x0, (1.0 - fx) * (1.0 - fy)),
            (y0, x0 + 1, fx * (1.0 - fy)),
            (y0 + 1, x0, (1.0 - fx) * fy),
            (y0 + 1, x0 + 1, fx * fy),
        ]
        .map(|(yy, xx, wt)| (self.at::<C>(yy, xx), wt));
        if matches!(self.border, Border::Constant(_)) {
            let mask: f32 = taps.iter().filter(|t| t.0.is_some()).map(|t| t.1).sum();
            for k in 0..C {
                let sampled: f32 = taps.iter().map(|&(i, wt)| i.map_or(0.0, |i| wt * src[i + k])).sum();
                px[k] = clamp01((sampled - self.fill) * mask + self.fill);
            }
            return;
        }
        for k in 0..C {
            // Edge and reflect always give an index.
            let v: f32 = taps.iter().map(|&(i, wt)| i.map_or(0.0, |i| wt * src[i + k])).sum();
            px[k] = clamp01(v);
        }
    }

    /// One output row of the map x ↦ (dir·x + sx0, sy0), dir = ±1: the part inside the source is a run of one
    /// source row (reversed for a mirror); the rest follows the border policy.
    fn copy_row<const C: usize>(&self, src: &[f32], row: &mut [f32], dir: i64, sx0: i64, sy0: i64) {
        let Some(sy) = self.border.index(sy0, self.h) else {
            row.fill(self.fill);
            return;
        };
        let srow = &src[sy * self.w * C..(sy + 1) * self.w * C];
        let (w, out_w) = (self.w as i64, (row.len() / C) as i64);
        // Output columns x with 0 ≤ dir·x + sx0 < w.
        let (lo, hi) = if dir == 1 { (-sx0, w - sx0) } else { (sx0 - w + 1, sx0 + 1) };
        let (lo, hi) = (lo.clamp(0, out_w) as usize, hi.clamp(0, out_w) as usize);
        if lo < hi {
            let first = (dir * lo as i64 + sx0) as usize;
            let dst = &mut row[lo * C..hi * C];
            if dir == 1 {
                dst.copy_from_slice(&srow[first * C..(first + hi - lo) * C]);
            } else {
                let run = &srow[(first + 1 - (hi - lo)) * C..(first + 1) * C];
                dst.chunks_exact_mut(C).zip(run.chunks_exact(C).rev()).for_each(|(o, i)| o.copy_from_slice(i));
            }
        }
        if matches!(self.border, Border::Constant(_)) {
            row[..lo * C].fill(self.fill);
            row[hi * C..].fill(self.fill);
        } else {
            for x in (0..lo).chain(hi..out_w as usize) {
                if let Some(i) = self.border.index(dir * x as i64 + sx0, self.w) {
                    row[x * C..(x + 1) * C].copy_from_slice(&srow[i * C..(i + 1) * C]);
                }
            }
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::*;

    /// Four consecutive output pixels x … x + 3 of a bilinear row of an RGB warp (output pixel x reads source
    /// (ax·x + bx, ay·x + by)) written to `out` (12 floats), when all four have their four neighbours inside the
    /// `h`×`w` source and their coordinates below 2²² in magnitude. With a `constant` border, four pixels whose
    /// neighbours all lie outside get the `fill`. Otherwise nothing is written and
    /// it returns false.
    /// Coordinates, floors ([`super::floor_i`]'s trick) and fractions are the scalar twin's operations lane by lane,
    /// and each pixel is blended by [`bilinear3`], so the values are identical.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)] // the hot loop's state, passed in registers
    pub(super) fn bilinear3x4(
        src: &[f32],
        w: usize,
        h: usize,
        x: usize,
        (ax, bx): (f32, f32),
        (ay, by): (f32, f32),
        (constant, fill): (bool, f32),
        out: &mut [f32],
    ) -> bool {
        assert!(out.len() == 12);
        // Keeps every index below 2³¹ (i32 lanes) and x exact in f32; larger images take the scalar path.
        if x >= (1 << 24) || w > super::MAX_SIDE || h > super::MAX_SIDE {
            return false;
        }
        const MAGIC: f32 = 12_582_912.0;
        let stride = 3 * w;
        // Exact: x + 3 < 2²⁴, the same value as the scalar `x as f32`.
        let xf = f32x4_convert_i32x4(i32x4_add(i32x4_splat(x as i32), i32x4(0, 1, 2, 3)));
        let sx = f32x4_add(f32x4_mul(f32x4_splat(ax), xf), f32x4_splat(bx));
        let sy = f32x4_add(f32x4_mul(f32x4_splat(ay), xf), f32x4_splat(by));
        let floor = |v: v128| {
            let r = f32x4_add(v, f32x4_splat(MAGIC));
            let n = i32x4_sub(r, i32x4_splat(MAGIC.to_bits() as i32));
            // The comparison is all ones (−1) where rounding went up.
            i32x4_add(n, f32x4_gt(f32x4_sub(r, f32x4_splat(MAGIC)), v))
        };
        let (x0, y0) = (floor(sx), floor(sy));
        let limit = f32x4_splat(4_194_304.0);
        let i00 = i32x4_mul(i32x4_add(i32x4_mul(y0, i32x4_splat(w as i32)), x0), i32x4_splat(3));
        // The SIMD blend reads 4 floats at i00 + stride + 3: that must end inside `src` (the scalar path's test).
        let last = src.len() as i64 - stride as i64 - 7;
        if last < 0 {
            return false;
        }
        let inside = v128_and(
            v128_and(
                v128_and(f32x4_lt(f32x4_abs(sx), limit), f32x4_lt(f32x4_abs(sy), limit)),
                v128_and(i32x4_ge(x0, i32x4_splat(0)), i32x4_ge(y0, i32x4_splat(0))),
            ),
            v128_and(
                v128_and(i32x4_lt(x0, i32x4_splat(w as i32 - 1)), i32x4_lt(y0, i32x4_splat(h as i32 - 1))),
                i32x4_le(i00, i32x4_splat(last as i32)),
            ),
        );
        if !i32x4_all_true(inside) {
            // The scalar test for "all four neighbours outside": x0 < −1 or y0 < −1 or x0 ≥ w or y0 ≥ h.
            let coords = v128_and(f32x4_lt(f32x4_abs(sx), limit), f32x4_lt(f32x4_abs(sy), limit));
            let away = v128_or(
                v128_or(i32x4_lt(x0, i32x4_splat(-1)), i32x4_lt(y0, i32x4_splat(-1))),
                v128_or(i32x4_ge(x0, i32x4_splat(w as i32)), i32x4_ge(y0, i32x4_splat(h as i32))),
            );
            if !(constant && i32x4_all_true(v128_and(coords, away))) {
                return false;
            }
            // SAFETY: out holds 12 floats.
            unsafe {
                let o = out.as_mut_ptr();
                let f = f32x4_splat(fill);
                v128_store(o as *mut v128, f);
                v128_store(o.add(4) as *mut v128, f);
                v128_store(o.add(8) as *mut v128, f);
            }
            return true;
        }
        let fx = f32x4_sub(sx, f32x4_convert_i32x4(x0));
        let fy = f32x4_sub(sy, f32x4_convert_i32x4(y0));
        lane::<0>(src, i00, stride, fx, fy, out);
        lane::<1>(src, i00, stride, fx, fy, out);
        lane::<2>(src, i00, stride, fx, fy, out);
        lane::<3>(src, i00, stride, fx, fy, out);
        true
    }

    #[inline(always)]
    fn lane<const K: usize>(src: &[f32], i00: v128, stride: usize, fx: v128, fy: v128, out: &mut [f32]) {
        let i = i32x4_extract_lane::<K>(i00) as usize;
        let fx = i32x4_shuffle::<K, K, K, K>(fx, fx);
        let fy = i32x4_shuffle::<K, K, K, K>(fy, fy);
        let v = blend3(src, i, stride, fx, fy);
        // SAFETY: out holds 12 floats. Pixels 0–2 store 4 floats (the fourth lands on the next pixel of this group,
        // which is written after it); pixel 3 stores exactly 3.
        unsafe {
            let o = out.as_mut_ptr().add(3 * K);
            if K < 3 {
                v128_store(o as *mut v128, v);
            } else {
                v128_store64_lane::<0>(v, o as *mut u64);
                v128_store32_lane::<2>(v, o.add(2) as *mut u32);
            }
        }
    }

    /// The clamped bilinear blend at `i00` with splatted fractions (see [`bilinear3`]).
    #[inline(always)]
    fn blend3(src: &[f32], i00: usize, stride: usize, fx: v128, fy: v128) -> v128 {
        assert!(i00 + stride + 3 + 4 <= src.len());
        // SAFETY: the assert keeps all four 4-float loads inside `src`.
        unsafe {
            let p = src.as_ptr().add(i00);
            let p00 = v128_load(p as *const v128);
            let p01 = v128_load(p.add(3) as *const v128);
            let p10 = v128_load(p.add(stride) as *const v128);
            let p11 = v128_load(p.add(stride + 3) as *const v128);
            let top = f32x4_add(p00, f32x4_mul(fx, f32x4_sub(p01, p00)));
            let bot = f32x4_add(p10, f32x4_mul(fx, f32x4_sub(p11, p10)));
            let v = f32x4_add(top, f32x4_mul(fy, f32x4_sub(bot, top)));
            f32x4_pmin(f32x4_pmax(v, f32x4_splat(0.0)), f32x4_splat(1.0))
        }
    }

    /// The bilinear blend of an RGB pixel whose four neighbours start at `i00` (top-left) in rows `stride` floats
    /// apart, the three channels in one `f32x4` (the fourth lane reads the next pixel and is dropped). The same
    /// operations in the same order as the scalar loop, so the values are identical.
    #[inline(always)]
    pub(super) fn bilinear3(src: &[f32], i00: usize, stride: usize, fx: f32, fy: f32, px: &mut [f32]) {
        assert!(px.len() == 3);
        let v = blend3(src, i00, stride, f32x4_splat(fx), f32x4_splat(fy)); // checks its own loads
        // SAFETY: px holds 3 floats; the stores write px[0..2] and px[2].
        unsafe {
            let o = px.as_mut_ptr();
            v128_store64_lane::<0>(v, o as *mut u64);
            v128_store32_lane::<2>(v, o.add(2) as *mut u32);
        }
    }
}
