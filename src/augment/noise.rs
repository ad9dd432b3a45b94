//! Additive Gaussian noise and salt-and-pepper noise, clamped to [0, 1].
//!
//! # The Gaussian sampler
//! A 224×224 RGB image needs 150 528 normals, which made sampling the most expensive step of a pipeline. The sampler
//! here is the exact Box–Muller transform, vectorised: eight lanes of xoshiro128++ (seeded from the caller's RNG,
//! so a seed still fixes every value) give, per round, four pairs of 32-bit words (a, b); each pair becomes two
//! independent normals `r·cos θ`, `r·sin θ` with `r = √(−2 ln u)`, `u = (a >> 8 + 1)·2⁻²⁴ ∈ (0, 1]`, and θ uniform
//! on the circle taken from b: its top two bits pick the quadrant, the next 24 bits an angle in [−π/4, π/4).
//! `ln`, `sin` and `cos` are polynomials accurate to a few f32 ulps on their reduced ranges (see [`ln_unit`],
//! [`sin_cos_octant`]), so the output is N(0, 1) to f32 precision; the only approximation is that u has 24 bits,
//! which caps |z| at √(2·24·ln 2) ≈ 5.77 (the mass beyond is 6·10⁻⁸).
//!
//! Every operation is an IEEE add, multiply, divide or square root written out in one order, with no fused
//! multiply-add, so the wasm SIMD kernel ([`standard_normals`] built with `simd128`) and its scalar twin
//! ([`standard_normals_scalar`], used natively) produce bit-identical values: the same seed gives the same pixels in
//! the browser and in native tests.

use super::{Image, pixels_mut};
use crate::rng::Rng;
use rand::{Rng as _, RngExt};

/// Normals per round of the sampler (four Box–Muller pairs).
pub const BLOCK: usize = 8;

/// Eight independent xoshiro128++ streams, lanes 0–3 giving the radius words and lanes 4–7 the angle words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normals {
    /// `s[j][lane]`: word j of each lane's state.
    s: [[u32; BLOCK]; 4],
}

impl Normals {
    /// Seeds the eight streams from `rng` (four `next_u64` calls per two lanes: 16 draws in all).
    pub fn new(rng: &mut Rng) -> Normals {
        let mut s = [[0u32; BLOCK]; 4];
        #[allow(clippy::needless_range_loop)] // the lane indexes four arrays
        for lane in 0..BLOCK {
            for pair in 0..2 {
                let v = rng.next_u64();
                s[2 * pair][lane] = v as u32;
                s[2 * pair + 1][lane] = (v >> 32) as u32;
            }
            // xoshiro's only forbidden state is all zeros (probability 2⁻¹²⁸).
            if (0..4).all(|j| s[j][lane] == 0) {
                s[0][lane] = 0x9E37_79B9;
            }
        }
        Normals { s }
    }

    /// One xoshiro128++ step of every lane.
    #[inline(always)]
    fn next_words(&mut self) -> [u32; BLOCK] {
        let s = &mut self.s;
        let mut out = [0u32; BLOCK];
        for l in 0..BLOCK {
            out[l] = s[0][l].wrapping_add(s[3][l]).rotate_left(7).wrapping_add(s[0][l]);
            let t = s[1][l] << 9;
            s[2][l] ^= s[0][l];
            s[3][l] ^= s[1][l];
            s[1][l] ^= s[2][l];
            s[0][l] ^= s[3][l];
            s[2][l] ^= t;
            s[3][l] = s[3][l].rotate_left(11);
        }
        out
    }

    /// The next eight standard normals, scalar: `[r₀cos θ₀ … r₃cos θ₃, r₀sin θ₀ … r₃sin θ₃]`.
    #[inline]
    pub fn next_block_scalar(&mut self) -> [f32; BLOCK] {
        let words = self.next_words();
        let mut z = [0f32; BLOCK];
        for l in 0..4 {
            let (a, b) = (words[l], words[l + 4]);
            let u = ((a >> 8) + 1) as f32 * (1.0 / 16_777_216.0);
            let r = (-2.0 * ln_unit(u)).sqrt();
            let (c, s) = quadrant(b);
            z[l] = r * c;
            z[l + 4] = r * s;
        }
        z
    }
}

/// `ln x` for x in (0, 1] (f32 normal numbers): x = 2ᵉ·m with m in [√½, √2), then `ln m = 2 atanh(s)`,
/// s = (m − 1)/(m + 1), |s| ≤ 0.1716, as an odd series to s⁹ (truncation below 4·10⁻¹⁰).
#[inline(always)]
pub fn ln_unit(x: f32) -> f32 {
    let bits = x.to_bits();
    // Bias the mantissa so that m lands in [√½, √2): add the bits of (1 − √½) to the mantissa field.
    let t = bits.wrapping_add(0x3F80_0000 - 0x3F35_04F3);
    let e = (t >> 23) as i32 - 127;
    let m = f32::from_bits((t & 0x007F_FFFF) + 0x3F35_04F3);
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let p = 2.0 + s2 * (2.0 / 3.0 + s2 * (2.0 / 5.0 + s2 * (2.0 / 7.0 + s2 * (2.0 / 9.0))));
    e as f32 * LN2_HI + (s * p + e as f32 * LN2_LO)
}

// ln 2 split as in musl's logf: LN2_HI has 16 significant bits, so e·LN2_HI is exact for the |e| ≤ 126 met here.
#[allow(clippy::excessive_precision)] // the digits as musl writes them
const LN2_HI: f32 = 6.931_381_225_6e-1;
#[allow(clippy::excessive_precision)]
const LN2_LO: f32 = 9.058_000_614_5e-6;

/// (cos φ, sin φ) for φ in [−π/4, π/4] by Taylor polynomials (errors below 2·10⁻⁹ and 1·10⁻¹⁰).
#[inline(always)]
pub fn sin_cos_octant(phi: f32) -> (f32, f32) {
    let x2 = phi * phi;
    let sin = phi + phi * x2 * (-1.0 / 6.0 + x2 * (1.0 / 120.0 + x2 * (-1.0 / 5040.0 + x2 * (1.0 / 362_880.0))));
    let cos = 1.0 + x2 * (-0.5 + x2 * (1.0 / 24.0 + x2 * (-1.0 / 720.0 + x2 * (1.0 / 40_320.0))));
    (cos, sin)
}

/// The unit vector at angle `q·π/2 + φ` with q = the top two bits of `b` and φ uniform in [−π/4, π/4) from its next
/// 24 bits: together uniform on the circle.
#[inline(always)]
fn quadrant(b: u32) -> (f32, f32) {
    let phi = (((b >> 6) & 0x00FF_FFFF) as i32 - 0x0080_0000) as f32 * ANGLE_STEP + HALF_STEP;
    let (c, s) = sin_cos_octant(phi);
    // Rotating (c, s) by q quarter turns: q = 0 (c, s), 1 (−s, c), 2 (−c, −s), 3 (s, −c).
    let (c, s) = if b & 0x4000_0000 != 0 { (s, c) } else { (c, s) };
    let sign_c = (b ^ (b << 1)) & 0x8000_0000;
    let sign_s = b & 0x8000_0000;
    (f32::from_bits(c.to_bits() ^ sign_c), f32::from_bits(s.to_bits() ^ sign_s))
}

/// π/2 divided into 2²⁴ steps; angles sit at the middle of their steps, so the range is symmetric about 0.
const ANGLE_STEP: f32 = std::f32::consts::FRAC_PI_2 / 16_777_216.0;
const HALF_STEP: f32 = 0.5 * ANGLE_STEP;

/// Fills `out` with standard normals from `gen`, in blocks of [`BLOCK`] (a short last block is cut), scalar.
pub fn standard_normals_scalar(gen_: &mut Normals, out: &mut [f32]) {
    for chunk in out.chunks_mut(BLOCK) {
        let z = gen_.next_block_scalar();
        chunk.copy_from_slice(&z[..chunk.len()]);
    }
}

/// [`standard_normals_scalar`] with wasm SIMD when the build has `simd128`; the same values either way.
pub fn standard_normals(gen_: &mut Normals, out: &mut [f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        simd::standard_normals(gen_, out)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        standard_normals_scalar(gen_, out)
    }
}

/// `v ← clamp(v + σ·z)` for every value, z the next normal of `gen_`; scalar.
pub fn add_normals_scalar(gen_: &mut Normals, sigma: f32, data: &mut [f32]) {
    for chunk in data.chunks_mut(BLOCK) {
        let z = gen_.next_block_scalar();
        for (v, z) in chunk.iter_mut().zip(z) {
            *v = clamp01(*v + sigma * z);
        }
    }
}

/// [`add_normals_scalar`] with wasm SIMD when available; the same values either way.
pub fn add_normals(gen_: &mut Normals, sigma: f32, data: &mut [f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        simd::add_normals(gen_, sigma, data)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        add_normals_scalar(gen_, sigma, data)
    }
}

/// `clamp(v, 0, 1)` written as the SIMD kernels compute it (`pmax`, then `pmin`), so that even −0 agrees.
#[inline(always)]
pub(crate) fn clamp01(v: f32) -> f32 {
    let v = if v < 0.0 { 0.0 } else { v };
    if 1.0 < v { 1.0 } else { v }
}

/// Adds N(0, σ²) to every value (`per_channel`) or one draw per pixel to all its channels (a brightness speckle).
pub fn gaussian(img: &mut Image, sigma: f32, per_channel: bool, rng: &mut Rng) {
    let c = img.dim().2.max(1);
    let mut normals = Normals::new(rng);
    let data = pixels_mut(img);
    if per_channel || c == 1 {
        add_normals(&mut normals, sigma, data);
    } else {
        let mut z = [0f32; 256];
        for pixels in data.chunks_mut(256 * c) {
            let z = &mut z[..pixels.len() / c];
            standard_normals(&mut normals, z);
            for (px, z) in pixels.chunks_exact_mut(c).zip(z.iter()) {
                let n = sigma * z;
                px.iter_mut().for_each(|v| *v = clamp01(*v + n));
            }
        }
    }
}

/// Each pixel (or each channel value, `per_channel`) independently becomes, with probability `amount`, salt (1) or
/// pepper (0) with equal odds. Returns how many pixels (or values) were hit.
pub fn salt_and_pepper(img: &mut Image, amount: f64, per_channel: bool, rng: &mut Rng) -> usize {
    let c = img.dim().2.max(1);
    let group = if per_channel { 1 } else { c };
    let mut hits = 0;
    for px in pixels_mut(img).chunks_exact_mut(group) {
        if rng.random::<f64>() < amount {
            hits += 1;
            let v = if rng.random::<bool>() { 1.0 } else { 0.0 };
            px.fill(v);
        }
    }
    hits
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    //! The sampler on `f32x4`/`u32x4`: the same operations as the scalar twin, lane by lane.
    use super::{ANGLE_STEP, BLOCK, HALF_STEP, LN2_HI, LN2_LO, Normals};
    use core::arch::wasm32::*;

    struct State {
        /// Lanes 0–3 (radius words) and 4–7 (angle words) of each of the four state words.
        a: [v128; 4],
        b: [v128; 4],
    }

    #[inline(always)]
    fn load(g: &Normals) -> State {
        let lanes = |j: usize, half: usize| {
            let w = &g.s[j][4 * half..4 * half + 4];
            u32x4(w[0], w[1], w[2], w[3])
        };
        State { a: [0, 1, 2, 3].map(|j| lanes(j, 0)), b: [0, 1, 2, 3].map(|j| lanes(j, 1)) }
    }

    #[inline(always)]
    fn store(st: &State, g: &mut Normals) {
        for j in 0..4 {
            for (half, v) in [st.a[j], st.b[j]].into_iter().enumerate() {
                let w = &mut g.s[j][4 * half..4 * half + 4];
                w[0] = u32x4_extract_lane::<0>(v);
                w[1] = u32x4_extract_lane::<1>(v);
                w[2] = u32x4_extract_lane::<2>(v);
                w[3] = u32x4_extract_lane::<3>(v);
            }
        }
    }

    #[inline(always)]
    fn rotl<const K: u32, const R: u32>(x: v128) -> v128 {
        v128_or(u32x4_shl(x, K), u32x4_shr(x, R))
    }

    /// One xoshiro128++ step of four lanes.
    #[inline(always)]
    fn step(s: &mut [v128; 4]) -> v128 {
        let out = u32x4_add(rotl::<7, 25>(u32x4_add(s[0], s[3])), s[0]);
        let t = u32x4_shl(s[1], 9);
        s[2] = v128_xor(s[2], s[0]);
        s[3] = v128_xor(s[3], s[1]);
        s[1] = v128_xor(s[1], s[2]);
        s[0] = v128_xor(s[0], s[3]);
        s[2] = v128_xor(s[2], t);
        s[3] = rotl::<11, 21>(s[3]);
        out
    }

    /// Eight normals per group, `N` groups in lockstep (each operation for every group before the next operation,
    /// so independent work sits side by side for the CPU: the chain ln → sqrt is long): group g holds the cosines
    /// of four pairs, then their sines, of the g-th round of the generator. The same values as N calls one after
    /// the other.
    #[inline(always)]
    fn blocks<const N: usize>(st: &mut State) -> [(v128, v128); N] {
        let mut a = [u32x4_splat(0); N];
        let mut b = [u32x4_splat(0); N];
        for g in 0..N {
            a[g] = step(&mut st.a);
            b[g] = step(&mut st.b);
        }
        let map = |f: &dyn Fn(usize) -> v128| -> [v128; N] { core::array::from_fn(f) };
        // Radius. (a >> 8) + 1 ≤ 2²⁴ fits an i32: the signed conversion gives the same value, and V8 compiles the
        // unsigned one to a long sequence.
        let u = map(&|g| {
            f32x4_mul(
                f32x4_convert_i32x4(u32x4_add(u32x4_shr(a[g], 8), u32x4_splat(1))),
                f32x4_splat(1.0 / 16_777_216.0),
            )
        });
        // ln u, as `ln_unit` above.
        let t = map(&|g| i32x4_add(u[g], u32x4_splat(0x3F80_0000 - 0x3F35_04F3)));
        let e = map(&|g| f32x4_convert_i32x4(i32x4_sub(u32x4_shr(t[g], 23), i32x4_splat(127))));
        let m = map(&|g| i32x4_add(v128_and(t[g], u32x4_splat(0x007F_FFFF)), u32x4_splat(0x3F35_04F3)));
        let one = f32x4_splat(1.0);
        let num = map(&|g| f32x4_sub(m[g], one));
        let den = map(&|g| f32x4_add(m[g], one));
        let s = map(&|g| f32x4_div(num[g], den[g]));
        let s2 = map(&|g| f32x4_mul(s[g], s[g]));
        let p = map(&|g| f32x4_add(f32x4_splat(2.0 / 7.0), f32x4_mul(s2[g], f32x4_splat(2.0 / 9.0))));
        let p = map(&|g| f32x4_add(f32x4_splat(2.0 / 5.0), f32x4_mul(s2[g], p[g])));
        let p = map(&|g| f32x4_add(f32x4_splat(2.0 / 3.0), f32x4_mul(s2[g], p[g])));
        let p = map(&|g| f32x4_add(f32x4_splat(2.0), f32x4_mul(s2[g], p[g])));
        let ln = map(&|g| {
            f32x4_add(
                f32x4_mul(e[g], f32x4_splat(LN2_HI)),
                f32x4_add(f32x4_mul(s[g], p[g]), f32x4_mul(e[g], f32x4_splat(LN2_LO))),
            )
        });
        let r = map(&|g| f32x4_sqrt(f32x4_mul(f32x4_splat(-2.0), ln[g])));
        // Angle.
        let k = map(&|g| i32x4_sub(v128_and(u32x4_shr(b[g], 6), u32x4_splat(0x00FF_FFFF)), i32x4_splat(0x0080_0000)));
        let phi =
            map(&|g| f32x4_add(f32x4_mul(f32x4_convert_i32x4(k[g]), f32x4_splat(ANGLE_STEP)), f32x4_splat(HALF_STEP)));
        let x2 = map(&|g| f32x4_mul(phi[g], phi[g]));
        let ps = map(&|g| f32x4_add(f32x4_splat(-1.0 / 5040.0), f32x4_mul(x2[g], f32x4_splat(1.0 / 362_880.0))));
        let ps = map(&|g| f32x4_add(f32x4_splat(1.0 / 120.0), f32x4_mul(x2[g], ps[g])));
        let ps = map(&|g| f32x4_add(f32x4_splat(-1.0 / 6.0), f32x4_mul(x2[g], ps[g])));
        let sin = map(&|g| f32x4_add(phi[g], f32x4_mul(f32x4_mul(phi[g], x2[g]), ps[g])));
        let pc = map(&|g| f32x4_add(f32x4_splat(-1.0 / 720.0), f32x4_mul(x2[g], f32x4_splat(1.0 / 40_320.0))));
        let pc = map(&|g| f32x4_add(f32x4_splat(1.0 / 24.0), f32x4_mul(x2[g], pc[g])));
        let pc = map(&|g| f32x4_add(f32x4_splat(-0.5), f32x4_mul(x2[g], pc[g])));
        let cos = map(&|g| f32x4_add(one, f32x4_mul(x2[g], pc[g])));
        // Quadrant: swap when bit 30 is set, then the signs.
        let msb = u32x4_splat(0x8000_0000);
        core::array::from_fn(|g| {
            let swap = i32x4_shr(u32x4_shl(b[g], 1), 31);
            let c = v128_bitselect(sin[g], cos[g], swap);
            let s = v128_bitselect(cos[g], sin[g], swap);
            let c = v128_xor(c, v128_and(v128_xor(b[g], u32x4_shl(b[g], 1)), msb));
            let s = v128_xor(s, v128_and(b[g], msb));
            (f32x4_mul(r[g], c), f32x4_mul(r[g], s))
        })
    }

    /// Eight normals: the cosines of four pairs, then their sines.
    #[inline(always)]
    fn block(st: &mut State) -> (v128, v128) {
        blocks::<1>(st)[0]
    }

    /// One round as an array, for the tail of a slice shorter than a round.
    #[inline(always)]
    fn block_array(st: &mut State) -> [f32; BLOCK] {
        let (c, s) = block(st);
        let mut z = [0f32; BLOCK];
        // SAFETY: z holds 8 f32; unaligned v128 stores are allowed.
        unsafe {
            v128_store(z.as_mut_ptr() as *mut v128, c);
            v128_store(z.as_mut_ptr().add(4) as *mut v128, s);
        }
        z
    }

    pub fn standard_normals(g: &mut Normals, out: &mut [f32]) {
        let mut st = load(g);
        let mut chunks = out.chunks_exact_mut(BLOCK);
        for chunk in &mut chunks {
            let (c, s) = block(&mut st);
            // SAFETY: the chunk holds 8 f32; unaligned v128 stores are allowed.
            unsafe {
                v128_store(chunk.as_mut_ptr() as *mut v128, c);
                v128_store(chunk.as_mut_ptr().add(4) as *mut v128, s);
            }
        }
        let rest = chunks.into_remainder();
        if !rest.is_empty() {
            rest.copy_from_slice(&block_array(&mut st)[..rest.len()]);
        }
        store(&st, g);
    }

    #[inline(always)]
    fn add_clamp(v: v128, sigma: v128, z: v128) -> v128 {
        let x = f32x4_add(v, f32x4_mul(sigma, z));
        f32x4_pmin(f32x4_pmax(x, f32x4_splat(0.0)), f32x4_splat(1.0))
    }

    pub fn add_normals(g: &mut Normals, sigma: f32, data: &mut [f32]) {
        let mut st = load(g);
        let sig = f32x4_splat(sigma);
        // Two rounds per iteration, computed in lockstep.
        let mut pairs = data.chunks_exact_mut(2 * BLOCK);
        for chunk in &mut pairs {
            let [(c0, s0), (c1, s1)] = blocks::<2>(&mut st);
            // SAFETY: the chunk holds 16 f32; unaligned v128 loads and stores are allowed.
            unsafe {
                let p = chunk.as_mut_ptr();
                for (i, z) in [c0, s0, c1, s1].into_iter().enumerate() {
                    let v = v128_load(p.add(4 * i) as *const v128);
                    v128_store(p.add(4 * i) as *mut v128, add_clamp(v, sig, z));
                }
            }
        }
        let mut chunks = pairs.into_remainder().chunks_exact_mut(BLOCK);
        for chunk in &mut chunks {
            let (c, s) = block(&mut st);
            // SAFETY: the chunk holds 8 f32; unaligned v128 loads and stores are allowed.
            unsafe {
                let p = chunk.as_mut_ptr();
                let v0 = v128_load(p as *const v128);
                let v1 = v128_load(p.add(4) as *const v128);
                v128_store(p as *mut v128, add_clamp(v0, sig, c));
                v128_store(p.add(4) as *mut v128, add_clamp(v1, sig, s));
            }
        }
        let rest = chunks.into_remainder();
        if !rest.is_empty() {
            for (v, z) in rest.iter_mut().zip(block_array(&mut st)) {
                *v = super::clamp01(*v + sigma * z);
            }
        }
        store(&st, g);
    }
}
