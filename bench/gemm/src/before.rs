//! The hot loops: a row-major f32 GEMM, `C = op(A) · op(B)`, where `op` is the identity or the transpose.
//!
//! One blocked algorithm serves every transpose (the Goto/BLIS scheme): blocks of `op(B)` (KC × NC) and `op(A)`
//! (MC × KC) are copied into packed panels that the micro-kernel reads contiguously, so the transpose only changes
//! how the panels are packed. The micro-kernel keeps an MR × NR tile of C in registers:
//! - wasm32 with `simd128`: explicit `f32x4` accumulators (mul + add; wasm SIMD has no FMA without relaxed-simd);
//! - elsewhere: plain arrays that LLVM vectorizes for the host.
//!
//! Edges are handled by zero-padding the packed panels to whole tiles, so the micro-kernel has no edge cases.
//! [`gemm_scalar`] and [`gemm_t_scalar`] are the plain loop twins the tests compare against.

use std::cell::RefCell;

/// Rows of the register tile (a multiple of nothing in particular: one broadcast per row).
pub const MR: usize = 4;
/// Columns of the register tile: two f32x4 vectors.
pub const NR: usize = 8;
/// Depth of a packed block: a KC × NR panel of B (8 KB) stays in L1 while the A panel streams.
const KC: usize = 256;
/// Rows of a packed A block: MC × KC floats (64 KB) stay in L2.
const MC: usize = 64;
/// Columns of a packed B block: KC × NC floats (1 MB) at most.
const NC: usize = 1024;

/// Whether an operand is used as stored or transposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transpose {
    /// `A` is stored m × k (`B` k × n).
    No,
    /// `A` is stored k × m (`B` n × k), and used transposed.
    Yes,
}

/// Reusable packing workspace; one per worker (or per probe) so the hot path does not allocate.
#[derive(Debug, Default)]
pub struct Gemm {
    apack: Vec<f32>,
    bpack: Vec<f32>,
}

impl Gemm {
    pub fn new() -> Gemm {
        Gemm::default()
    }

    /// `C = op(A) · op(B)` with `op(A)` m × k, `op(B)` k × n, `C` m × n, all row-major; C is overwritten.
    ///
    /// # Panics
    /// If a slice is shorter than its shape says (a programming error, not an input error).
    #[allow(clippy::too_many_arguments)]
    pub fn run(
        &mut self,
        ta: Transpose,
        tb: Transpose,
        m: usize,
        k: usize,
        n: usize,
        a: &[f32],
        b: &[f32],
        c: &mut [f32],
    ) {
        check_shapes(m, k, n, a, b, c);
        if m == 0 || n == 0 {
            return;
        }
        if k == 0 {
            c[..m * n].fill(0.0);
            return;
        }
        let kc_max = KC.min(k);
        let a_len = MC.min(m).div_ceil(MR) * MR * kc_max;
        let b_len = NC.min(n).div_ceil(NR) * NR * kc_max;
        if self.apack.len() < a_len {
            self.apack.resize(a_len, 0.0);
        }
        if self.bpack.len() < b_len {
            self.bpack.resize(b_len, 0.0);
        }
        let a_op = Operand { data: a, rows: m, cols: k, t: ta };
        let b_op = Operand { data: b, rows: k, cols: n, t: tb };
        for jc in (0..n).step_by(NC) {
            let nc = NC.min(n - jc);
            for pc in (0..k).step_by(KC) {
                let kc = KC.min(k - pc);
                pack_b(&b_op, pc, kc, jc, nc, &mut self.bpack);
                for ic in (0..m).step_by(MC) {
                    let mc = MC.min(m - ic);
                    pack_a(&a_op, ic, mc, pc, kc, &mut self.apack);
                    for jr in (0..nc).step_by(NR) {
                        let bp = &self.bpack[jr * kc..(jr + NR) * kc];
                        for ir in (0..mc).step_by(MR) {
                            let ap = &self.apack[ir * kc..(ir + MR) * kc];
                            let mut tile = [0.0f32; MR * NR];
                            micro_kernel(kc, ap, bp, &mut tile);
                            store_tile(&tile, c, n, ic + ir, jc + jr, (mc - ir).min(MR), (nc - jr).min(NR), pc == 0);
                        }
                    }
                }
            }
        }
    }
}

/// A matrix as stored, with the shape of `op(X)`: element (r, c) of `op(X)`.
struct Operand<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    t: Transpose,
}

impl Operand<'_> {
    #[inline(always)]
    fn at(&self, r: usize, c: usize) -> f32 {
        match self.t {
            Transpose::No => self.data[r * self.cols + c],
            Transpose::Yes => self.data[c * self.rows + r],
        }
    }
}

fn check_shapes(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &[f32]) {
    assert!(a.len() >= m * k, "gemm: A has {} elements, needs {m}×{k}", a.len());
    assert!(b.len() >= k * n, "gemm: B has {} elements, needs {k}×{n}", b.len());
    assert!(c.len() >= m * n, "gemm: C has {} elements, needs {m}×{n}", c.len());
}

/// Rows ic..ic+mc, columns pc..pc+kc of op(A) into MR-row panels: panel-major, then k, then the MR rows.
fn pack_a(a: &Operand, ic: usize, mc: usize, pc: usize, kc: usize, out: &mut [f32]) {
    for ir in (0..mc).step_by(MR) {
        let panel = &mut out[ir * kc..(ir + MR) * kc];
        let rows = (mc - ir).min(MR);
        for p in 0..kc {
            let dst = &mut panel[p * MR..(p + 1) * MR];
            for (i, d) in dst.iter_mut().enumerate() {
                *d = if i < rows { a.at(ic + ir + i, pc + p) } else { 0.0 };
            }
        }
    }
}

/// Rows pc..pc+kc, columns jc..jc+nc of op(B) into NR-column panels: panel-major, then k, then the NR columns.
fn pack_b(b: &Operand, pc: usize, kc: usize, jc: usize, nc: usize, out: &mut [f32]) {
    for jr in (0..nc).step_by(NR) {
        let panel = &mut out[jr * kc..(jr + NR) * kc];
        let cols = (nc - jr).min(NR);
        for p in 0..kc {
            let dst = &mut panel[p * NR..(p + 1) * NR];
            if cols == NR && b.t == Transpose::No {
                // The common case is a contiguous row segment: one copy.
                let start = (pc + p) * b.cols + jc + jr;
                dst.copy_from_slice(&b.data[start..start + NR]);
            } else {
                for (j, d) in dst.iter_mut().enumerate() {
                    *d = if j < cols { b.at(pc + p, jc + jr + j) } else { 0.0 };
                }
            }
        }
    }
}

/// Writes (or adds, after the first k block) the valid rows × cols of a tile into C at (i0, j0).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn store_tile(
    tile: &[f32; MR * NR],
    c: &mut [f32],
    ldc: usize,
    i0: usize,
    j0: usize,
    rows: usize,
    cols: usize,
    first: bool,
) {
    for i in 0..rows {
        let dst = &mut c[(i0 + i) * ldc + j0..(i0 + i) * ldc + j0 + cols];
        let src = &tile[i * NR..i * NR + cols];
        if first {
            dst.copy_from_slice(src);
        } else {
            for (d, s) in dst.iter_mut().zip(src) {
                *d += s;
            }
        }
    }
}

/// The MR × NR tile of `Apanel · Bpanel` over kc steps, wasm SIMD version.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn micro_kernel(kc: usize, ap: &[f32], bp: &[f32], tile: &mut [f32; MR * NR]) {
    use core::arch::wasm32::*;
    const NV: usize = NR / 4;
    assert!(ap.len() >= kc * MR && bp.len() >= kc * NR);
    let mut acc = [[f32x4_splat(0.0); NV]; MR];
    let (mut a, mut b) = (ap.as_ptr(), bp.as_ptr());
    for _ in 0..kc {
        // SAFETY: kc steps of MR (NR) floats stay inside the panels (asserted above); wasm loads need no alignment.
        unsafe {
            let mut bv = [f32x4_splat(0.0); NV];
            for (v, x) in bv.iter_mut().enumerate() {
                *x = v128_load(b.add(4 * v) as *const v128);
            }
            for (i, row) in acc.iter_mut().enumerate() {
                let av = v128_load32_splat(a.add(i) as *const u32);
                for (x, bx) in row.iter_mut().zip(&bv) {
                    *x = f32x4_add(*x, f32x4_mul(av, *bx));
                }
            }
            a = a.add(MR);
            b = b.add(NR);
        }
    }
    for (i, row) in acc.iter().enumerate() {
        for (v, x) in row.iter().enumerate() {
            // SAFETY: i·NR + 4v + 4 ≤ MR·NR.
            unsafe { v128_store(tile.as_mut_ptr().add(i * NR + 4 * v) as *mut v128, *x) };
        }
    }
}

/// The MR × NR tile of `Apanel · Bpanel` over kc steps, portable version (LLVM vectorizes the inner loop).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn micro_kernel(kc: usize, ap: &[f32], bp: &[f32], tile: &mut [f32; MR * NR]) {
    let mut acc = [[0.0f32; NR]; MR];
    for (a, b) in ap.chunks_exact(MR).zip(bp.chunks_exact(NR)).take(kc) {
        for (row, &ai) in acc.iter_mut().zip(a) {
            for (x, &bj) in row.iter_mut().zip(b) {
                *x += ai * bj;
            }
        }
    }
    for (i, row) in acc.iter().enumerate() {
        tile[i * NR..(i + 1) * NR].copy_from_slice(row);
    }
}

thread_local! {
    static WORKSPACE: RefCell<Gemm> = RefCell::new(Gemm::new());
}

/// `C = op(A) · op(B)` with a thread-local workspace. See [`Gemm::run`].
#[allow(clippy::too_many_arguments)]
pub fn gemm_t(ta: Transpose, tb: Transpose, m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    WORKSPACE.with(|w| w.borrow_mut().run(ta, tb, m, k, n, a, b, c));
}

/// `C = A · B`: A is m × k, B is k × n, C is m × n, row-major; C is overwritten.
pub fn gemm(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    gemm_t(Transpose::No, Transpose::No, m, k, n, a, b, c);
}

/// The plain-loop twin of [`gemm_t`]: same contract, no blocking, no SIMD, f32 accumulation in k order.
#[allow(clippy::too_many_arguments)]
pub fn gemm_t_scalar(ta: Transpose, tb: Transpose, m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    check_shapes(m, k, n, a, b, c);
    let a_op = Operand { data: a, rows: m, cols: k, t: ta };
    let b_op = Operand { data: b, rows: k, cols: n, t: tb };
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0f32;
            for p in 0..k {
                s += a_op.at(i, p) * b_op.at(p, j);
            }
            c[i * n + j] = s;
        }
    }
}

/// The plain-loop twin of [`gemm`].
pub fn gemm_scalar(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    gemm_t_scalar(Transpose::No, Transpose::No, m, k, n, a, b, c);
}
