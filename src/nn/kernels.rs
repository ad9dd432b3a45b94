//! The hot loops: a row-major f32 GEMM, `C = act(C₀ + op(A) · op(B) + bias)`, where `op` is the identity or the
//! transpose, `C₀` is C's previous contents or zero, and the bias and activation (the [`Epilogue`]) are optional.
//!
//! One blocked algorithm serves every shape (the Goto/BLIS scheme). The micro-kernel keeps an MR × NR tile of C in
//! registers and, per step of k, multiplies MR broadcast values of one operand (the "row" operand X) by NR contiguous
//! values of the other (the "column" operand Y):
//! - wasm32 with `simd128`: explicit `f32x4` accumulators, mul then add (two roundings, as the scalar twin);
//! - wasm32 with `relaxed-simd` as well: `f32x4_relaxed_madd` (fused where the CPU has FMA: one rounding);
//! - elsewhere: plain arrays that LLVM vectorizes for the host.
//!
//! How the operands reach the micro-kernel is chosen per call, because the conv net's GEMMs are skinny (8 × 25 ×
//! 15 680, 16 × 3 920 × 200, …) and copying a large operand that is used only a few times costs more than it saves:
//! - the orientation: `C = X·Y` or `Cᵀ = X·Y` (X = op(B)ᵀ, Y = op(A)ᵀ, C stored transposed), whichever pads fewer
//!   tiles and copies less — Y must be contiguous along NR, so a transposed operand there has to be packed;
//! - Y is read in place when it is contiguous and X has few rows (each Y panel is used only a few times), else packed
//!   into KC × NR panels (the classic layout, which also keeps large power-of-two strides out of the cache's way);
//! - X is read in place (MR strided rows) when Y has few columns, else packed into MR × KC panels.
//!
//! Every element of C is accumulated in k order, from C₀, whatever the blocking (a tile continues from the partial
//! sums stored in C), and the bias and activation are applied once, after the last product. So the simd128 and
//! native paths are bit-identical to the plain-loop twins [`gemm_t_scalar`] and [`gemm_t_scalar_with`].

use crate::nn::Activation;
use std::cell::RefCell;

/// Rows of the register tile: one broadcast per row.
pub const MR: usize = 4;
/// Columns of the register tile: two f32x4 vectors.
pub const NR: usize = 8;
/// Depth of a block: a KC × NR panel of Y (8 KB) stays in L1 while X streams.
const KC: usize = 256;
/// Rows of a packed X block: MC × KC floats (64 KB) stay in L2.
const MC: usize = 64;
/// Columns of a packed Y block: KC × NC floats (1 MB) at most.
const NC: usize = 1024;
/// Y is packed when X has more rows than this (every Y panel is then read MC / MR times or more).
const PACK_Y_ROWS: usize = 16;
/// X is packed when Y has more columns than this (every X panel is then read that many / NR times).
const PACK_X_COLS: usize = 64;
/// The cost of packing one element, in multiply-adds, for choosing the orientation (a strided copy of one float
/// costs about as much as a few SIMD multiply-adds; measured shapes are not sensitive to the exact value).
const PACK_COST: usize = 8;

/// Whether an operand is used as stored or transposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transpose {
    /// `A` is stored m × k (`B` k × n).
    No,
    /// `A` is stored k × m (`B` n × k), and used transposed.
    Yes,
}

/// A bias added to every element of C after the products.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum Bias<'a> {
    #[default]
    None,
    /// One value per row of C (m values): a conv layer's bias when C is channels × positions.
    PerRow(&'a [f32]),
    /// One value per column of C (n values): a dense layer's bias when C is batch × outputs.
    PerCol(&'a [f32]),
}

/// What happens to each element of C after the products: `C = act(C₀ + op(A)·op(B) + bias)`.
/// `Epilogue::default()` is the plain product (`C₀ = 0`, no bias, no activation).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Epilogue<'a> {
    /// `C₀` is C's previous contents (C += …) rather than zero.
    pub accumulate: bool,
    pub bias: Bias<'a>,
    /// The engine's one activation type ([`crate::nn::Activation`]), applied last, element by element (`None`: the
    /// identity). ReLU is applied in the micro-kernel's registers; any other goes through [`Activation::eval`] as
    /// the tile is stored.
    pub activation: Option<Activation>,
}

impl<'a> Epilogue<'a> {
    /// The finishing step for element (i, j) of C, given its sum of products (from C₀): the one definition both the
    /// blocked kernel and the scalar twin use.
    #[inline(always)]
    fn finish(&self, sum: f32, i: usize, j: usize) -> f32 {
        let x = match self.bias {
            Bias::None => sum,
            Bias::PerRow(b) => sum + b[i],
            Bias::PerCol(b) => sum + b[j],
        };
        match self.activation {
            None => x,
            Some(Activation::Relu) => relu(x),
            Some(a) => a.eval(x),
        }
    }

    /// The epilogue of the whole tile at (r0, s0) of C, for the micro-kernel.
    #[inline(always)]
    fn tile(&self, r0: usize, s0: usize) -> TileFinish<'a> {
        TileFinish {
            row_bias: match self.bias {
                Bias::PerRow(b) => Some(std::array::from_fn(|i| b[r0 + i])),
                _ => None,
            },
            col_bias: match self.bias {
                Bias::PerCol(b) => Some(b[s0..s0 + NR].try_into().unwrap()),
                _ => None,
            },
            relu: self.activation == Some(Activation::Relu),
        }
    }

    fn is_identity(&self) -> bool {
        self.bias == Bias::None && self.activation.is_none()
    }

    /// Whether the micro-kernel can finish a tile in its registers (no activation, or ReLU).
    fn in_registers(&self) -> bool {
        matches!(self.activation, None | Some(Activation::Relu))
    }
}

/// [`Epilogue::finish`] for a whole MR × NR tile, which the micro-kernel applies to its accumulators before storing
/// them: the same additions and the same ReLU, so the same bits.
#[derive(Debug, Clone, Copy, Default)]
struct TileFinish<'a> {
    row_bias: Option<[f32; MR]>,
    col_bias: Option<&'a [f32; NR]>,
    relu: bool,
}

/// ReLU that keeps NaN (a diverged net must not look clean) and −0.
#[inline(always)]
pub fn relu(x: f32) -> f32 {
    if x < 0.0 { 0.0 } else { x }
}

/// Reusable packing workspace; one per worker (or per layer) so the hot path does not allocate.
#[derive(Debug, Default)]
pub struct Gemm {
    xpack: Vec<f32>,
    ypack: Vec<f32>,
}

/// A matrix by strides: element (r, c) is `data[r * rs + c * cs]`.
#[derive(Clone, Copy)]
struct Strided<'a> {
    data: &'a [f32],
    rs: usize,
    cs: usize,
}

impl Strided<'_> {
    #[inline(always)]
    fn at(&self, r: usize, c: usize) -> f32 {
        self.data[r * self.rs + c * self.cs]
    }

    /// The transpose, by swapping the strides.
    fn t(self) -> Self {
        Strided { rs: self.cs, cs: self.rs, ..self }
    }
}

/// op(X) as strides over X's storage, for op(X) of `rows × cols`.
fn op(data: &[f32], t: Transpose, rows: usize, cols: usize) -> Strided<'_> {
    match t {
        Transpose::No => Strided { data, rs: cols, cs: 1 },
        Transpose::Yes => Strided { data, rs: 1, cs: rows },
    }
}

/// Whether X and Y are packed, for a `rows × cols` product whose Y is (or is not) contiguous along its columns.
fn packing(rows: usize, cols: usize, y_contiguous: bool) -> (bool, bool) {
    (cols > PACK_X_COLS, !y_contiguous || rows > PACK_Y_ROWS)
}

/// The padded work of a tiled `rows × cols` product over k, plus the copies it needs (packing, and writing C once
/// per k block: element by element when C is written transposed), in multiply-adds.
fn cost(rows: usize, cols: usize, k: usize, y_contiguous: bool, transposed_store: bool) -> usize {
    let tiles = rows.div_ceil(MR) * MR * cols.div_ceil(NR) * NR * k;
    let (pack_x, pack_y) = packing(rows, cols, y_contiguous);
    let ypack = if pack_y { k * cols } else { 0 };
    let xpack = if pack_x { k * rows } else { 0 };
    let stores = rows * cols * k.div_ceil(KC) * if transposed_store { PACK_COST } else { 1 };
    tiles + PACK_COST * (ypack + xpack) + stores
}

/// How [`Gemm::run_with`] computes a product of a given shape (public so that tests can check that they cover
/// every path, and benchmarks can say which one ran).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Computed as `Cᵀ = op(B)ᵀ · op(A)ᵀ`, written to C transposed.
    pub swapped: bool,
    /// The broadcast operand X (op(A), or op(B)ᵀ when swapped) is copied into MR-row panels; else read in place.
    pub pack_x: bool,
    /// The vector operand Y (op(B), or op(A)ᵀ when swapped) is copied into NR-column panels; else read in place
    /// (only its edge panel copied).
    pub pack_y: bool,
}

impl Plan {
    /// The cheaper orientation by [`cost`], and what each operand needs there.
    pub fn new(ta: Transpose, tb: Transpose, m: usize, k: usize, n: usize) -> Plan {
        // Y is contiguous along its columns when it is B as stored (natural) or A stored k × m (swapped).
        let (b_rows, a_cols) = (tb == Transpose::No, ta == Transpose::Yes);
        let swapped = cost(n, m, k, a_cols, true) < cost(m, n, k, b_rows, false);
        let (rows, cols, y_contiguous) = if swapped { (n, m, a_cols) } else { (m, n, b_rows) };
        let (pack_x, pack_y) = packing(rows, cols, y_contiguous);
        Plan { swapped, pack_x, pack_y }
    }

    /// All eight plans (for tests and benchmarks; [`Gemm::run_planned`] computes the same bits with each).
    pub fn all() -> impl Iterator<Item = Plan> {
        (0..8).map(|i| Plan { swapped: i & 1 != 0, pack_x: i & 2 != 0, pack_y: i & 4 != 0 })
    }
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
        self.run_with(ta, tb, m, k, n, a, b, c, Epilogue::default());
    }

    /// `C = act(C₀ + op(A) · op(B) + bias)` as [`Epilogue`] says; shapes as in [`Gemm::run`].
    ///
    /// # Panics
    /// If a slice is shorter than its shape says, or a bias does not have m (per row) or n (per column) values.
    #[allow(clippy::too_many_arguments)]
    pub fn run_with(
        &mut self,
        ta: Transpose,
        tb: Transpose,
        m: usize,
        k: usize,
        n: usize,
        a: &[f32],
        b: &[f32],
        c: &mut [f32],
        epi: Epilogue,
    ) {
        self.run_planned(Plan::new(ta, tb, m, k, n), ta, tb, m, k, n, a, b, c, epi);
    }

    /// [`Gemm::run_with`] with the plan given instead of chosen: every plan computes the same bits, only the speed
    /// differs (for the tests, which cover every path, and the benchmarks, which compare them).
    #[allow(clippy::too_many_arguments)]
    pub fn run_planned(
        &mut self,
        plan: Plan,
        ta: Transpose,
        tb: Transpose,
        m: usize,
        k: usize,
        n: usize,
        a: &[f32],
        b: &[f32],
        c: &mut [f32],
        epi: Epilogue,
    ) {
        check_shapes(m, k, n, a, b, c, &epi);
        if m == 0 || n == 0 {
            return;
        }
        if k == 0 {
            for i in 0..m {
                for j in 0..n {
                    let c0 = if epi.accumulate { c[i * n + j] } else { 0.0 };
                    c[i * n + j] = epi.finish(c0, i, j);
                }
            }
            return;
        }
        let (a, b) = (op(a, ta, m, k), op(b, tb, k, n));
        let out = Out { c, ldc: n, swapped: plan.swapped, epi };
        if plan.swapped {
            self.blocked(&plan, n, k, m, b.t(), a.t(), out);
        } else {
            self.blocked(&plan, m, k, n, a, b, out);
        }
    }

    /// The blocked product `X · Y` (rows × k × cols) into `out`.
    #[allow(clippy::too_many_arguments)]
    fn blocked(&mut self, plan: &Plan, rows: usize, k: usize, cols: usize, x: Strided, y: Strided, mut out: Out) {
        // Y can only be read in place when contiguous along its columns; a plan that says otherwise packs it.
        let (pack_x, pack_y) = (plan.pack_x, plan.pack_y || y.cs != 1);
        let kc_max = KC.min(k);
        // Y's panels when packed; otherwise room for one zero-padded edge panel.
        let y_len = if pack_y { NC.min(cols).div_ceil(NR) * NR * kc_max } else { NR * kc_max };
        let x_len = if pack_x { MC.min(rows).div_ceil(MR) * MR * kc_max } else { 0 };
        if self.xpack.len() < x_len {
            self.xpack.resize(x_len, 0.0);
        }
        if self.ypack.len() < y_len {
            self.ypack.resize(y_len, 0.0);
        }
        let mut tile = [0.0f32; MR * NR];
        for jc in (0..cols).step_by(NC) {
            let nc = NC.min(cols - jc);
            for pc in (0..k).step_by(KC) {
                let kc = KC.min(k - pc);
                if pack_y {
                    pack_y_panels(&y, pc, kc, jc, nc, &mut self.ypack);
                }
                for ic in (0..rows).step_by(MC) {
                    let mc = MC.min(rows - ic);
                    if pack_x {
                        pack_x_panels(&x, ic, mc, pc, kc, &mut self.xpack);
                    }
                    for jr in (0..nc).step_by(NR) {
                        let ncols = (nc - jr).min(NR);
                        // Y's panel: packed, in place (a row of Y every `ys` floats), or a packed edge panel.
                        let (yp, ys) = if pack_y {
                            (&self.ypack[jr * kc..(jr + NR) * kc], NR)
                        } else if ncols == NR {
                            let start = pc * y.rs + jc + jr;
                            (&y.data[start..start + (kc - 1) * y.rs + NR], y.rs)
                        } else {
                            pack_y_panels(&y, pc, kc, jc + jr, ncols, &mut self.ypack);
                            (&self.ypack[..NR * kc], NR)
                        };
                        for ir in (0..mc).step_by(MR) {
                            let nrows = (mc - ir).min(MR);
                            let (r0, s0) = (ic + ir, jc + jr);
                            let first = pc == 0 && !out.epi.accumulate;
                            let last = pc + kc == k;
                            // A whole tile of an unswapped product goes straight to C; the others through `tile`.
                            let direct = !out.swapped && nrows == MR && ncols == NR && out.epi.in_registers();
                            // Its epilogue is applied in registers, before the store.
                            let fin = if direct && last { out.epi.tile(r0, s0) } else { TileFinish::default() };
                            let (dst, at, ld): (&mut [f32], usize, usize) = if direct {
                                (&mut *out.c, r0 * out.ldc + s0, out.ldc)
                            } else {
                                out.load(&mut tile, r0, s0, nrows, ncols, first);
                                (&mut tile, 0, NR)
                            };
                            let continues = !first || !direct;
                            if pack_x {
                                let xp = &self.xpack[ir * kc..(ir + MR) * kc];
                                micro_kernel::<true>(kc, xp, [0; MR], MR, yp, ys, dst, at, ld, continues, fin);
                            } else {
                                // X's MR rows in place; missing rows repeat the last one (their sums land in tile
                                // rows that are never stored).
                                let rows_at = std::array::from_fn(|i| (r0 + i.min(nrows - 1)) * x.rs + pc * x.cs);
                                micro_kernel::<false>(kc, x.data, rows_at, x.cs, yp, ys, dst, at, ld, continues, fin);
                            }
                            if !direct {
                                out.store(&tile, r0, s0, nrows, ncols, last);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Where tiles go: C (row-major, `ldc` columns), transposed when the product was computed as Cᵀ.
struct Out<'c, 'e> {
    c: &'c mut [f32],
    ldc: usize,
    swapped: bool,
    epi: Epilogue<'e>,
}

impl Out<'_, '_> {
    /// The index in C of tile element (r, s) of the product's (row, column).
    #[inline(always)]
    fn index(&self, r: usize, s: usize) -> (usize, usize) {
        if self.swapped { (s, r) } else { (r, s) }
    }

    /// Starts a tile from C₀: zero on the first k block unless accumulating, else what C holds (the partial sums).
    #[inline(always)]
    fn load(&self, tile: &mut [f32; MR * NR], r0: usize, s0: usize, rows: usize, cols: usize, first: bool) {
        if first && !self.epi.accumulate {
            tile.fill(0.0);
            return;
        }
        for r in 0..rows {
            for s in 0..cols {
                let (i, j) = self.index(r0 + r, s0 + s);
                tile[r * NR + s] = self.c[i * self.ldc + j];
            }
        }
    }

    /// Writes the valid part of a tile to C, finished by the epilogue after the last k block.
    #[inline(always)]
    fn store(&mut self, tile: &[f32; MR * NR], r0: usize, s0: usize, rows: usize, cols: usize, last: bool) {
        let finish = last && !self.epi.is_identity();
        if !self.swapped && !finish {
            for r in 0..rows {
                let at = (r0 + r) * self.ldc + s0;
                self.c[at..at + cols].copy_from_slice(&tile[r * NR..r * NR + cols]);
            }
            return;
        }
        for r in 0..rows {
            for s in 0..cols {
                let (i, j) = self.index(r0 + r, s0 + s);
                let v = tile[r * NR + s];
                self.c[i * self.ldc + j] = if finish { self.epi.finish(v, i, j) } else { v };
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn check_shapes(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &[f32], epi: &Epilogue) {
    assert!(a.len() >= m * k, "gemm: A has {} elements, needs {m}×{k}", a.len());
    assert!(b.len() >= k * n, "gemm: B has {} elements, needs {k}×{n}", b.len());
    assert!(c.len() >= m * n, "gemm: C has {} elements, needs {m}×{n}", c.len());
    match epi.bias {
        Bias::PerRow(bias) => assert!(bias.len() >= m, "gemm: the row bias has {} values, needs {m}", bias.len()),
        Bias::PerCol(bias) => assert!(bias.len() >= n, "gemm: the column bias has {} values, needs {n}", bias.len()),
        Bias::None => {}
    }
}

/// Rows ic..ic+mc, columns pc..pc+kc of X into MR-row panels: panel-major, then k, then the MR rows (zero-padded).
fn pack_x_panels(x: &Strided, ic: usize, mc: usize, pc: usize, kc: usize, out: &mut [f32]) {
    for ir in (0..mc).step_by(MR) {
        let panel = &mut out[ir * kc..(ir + MR) * kc];
        let rows = (mc - ir).min(MR);
        for p in 0..kc {
            let dst = &mut panel[p * MR..(p + 1) * MR];
            for (i, d) in dst.iter_mut().enumerate() {
                *d = if i < rows { x.at(ic + ir + i, pc + p) } else { 0.0 };
            }
        }
    }
}

/// Rows pc..pc+kc, columns jc..jc+nc of Y into NR-column panels: panel-major, then k, then the NR columns
/// (zero-padded).
fn pack_y_panels(y: &Strided, pc: usize, kc: usize, jc: usize, nc: usize, out: &mut [f32]) {
    for jr in (0..nc).step_by(NR) {
        let panel = &mut out[jr * kc..(jr + NR) * kc];
        let cols = (nc - jr).min(NR);
        for p in 0..kc {
            let dst = &mut panel[p * NR..(p + 1) * NR];
            if cols == NR && y.cs == 1 {
                // A contiguous row segment: one copy.
                let start = (pc + p) * y.rs + jc + jr;
                dst.copy_from_slice(&y.data[start..start + NR]);
            } else {
                for (j, d) in dst.iter_mut().enumerate() {
                    *d = if j < cols { y.at(pc + p, jc + jr + j) } else { 0.0 };
                }
            }
        }
    }
}

/// Checks that the micro-kernel's accesses stay inside its slices: row i of X at `xp[rows_at[i] + p·xs]` (packed:
/// `xp[p·MR + i]`), row p of Y at `yp[p·ys .. p·ys + NR]` for p < kc, and the tile at `dst[at + i·ld ..][..NR]`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn check_panels<const PACKED_X: bool>(
    kc: usize,
    xp: &[f32],
    rows_at: &[usize; MR],
    xs: usize,
    yp: &[f32],
    ys: usize,
    dst: &[f32],
    at: usize,
    ld: usize,
) {
    let last = kc - 1;
    if PACKED_X {
        assert!(kc * MR <= xp.len(), "gemm: X panel out of bounds");
    } else {
        assert!(rows_at.iter().all(|&r| r + last * xs < xp.len()), "gemm: X rows out of bounds");
    }
    assert!(last * ys + NR <= yp.len(), "gemm: Y panel out of bounds");
    assert!(at + (MR - 1) * ld + NR <= dst.len(), "gemm: tile out of bounds");
}

/// `tile = T₀ + Xpanel · Ypanel` over kc steps, where the tile is MR rows of NR floats at `dst[at + i·ld]` and T₀ is
/// what it holds (`continues`) or zero. X comes packed (`PACKED_X`: MR floats per step) or as MR rows in place
/// (`rows_at`, `xs` floats per step); Y as NR floats per step, `ys` apart. Wasm SIMD version.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn micro_kernel<const PACKED_X: bool>(
    kc: usize,
    xp: &[f32],
    rows_at: [usize; MR],
    xs: usize,
    yp: &[f32],
    ys: usize,
    dst: &mut [f32],
    at: usize,
    ld: usize,
    continues: bool,
    fin: TileFinish,
) {
    use core::arch::wasm32::*;
    const NV: usize = NR / 4;
    check_panels::<PACKED_X>(kc, xp, &rows_at, xs, yp, ys, dst, at, ld);
    // SAFETY (all the unsafe blocks): every access stays inside xp, yp and dst (checked above); wasm loads and
    // stores need no alignment.
    let tile = unsafe { dst.as_mut_ptr().add(at) };
    let mut acc = [[f32x4_splat(0.0); NV]; MR];
    if continues {
        for (i, row) in acc.iter_mut().enumerate() {
            for (v, t) in row.iter_mut().enumerate() {
                *t = unsafe { v128_load(tile.add(i * ld + 4 * v) as *const v128) };
            }
        }
    }
    let mut y = yp.as_ptr();
    if PACKED_X {
        // One pointer; the rows are at constant offsets, which wasm loads take as immediates.
        let mut x = xp.as_ptr();
        for _ in 0..kc {
            unsafe {
                let yv: [v128; NV] = std::array::from_fn(|v| v128_load(y.add(4 * v) as *const v128));
                for (i, row) in acc.iter_mut().enumerate() {
                    let xv = v128_load32_splat(x.add(i) as *const u32);
                    for (t, yt) in row.iter_mut().zip(&yv) {
                        *t = madd(xv, *yt, *t);
                    }
                }
                x = x.add(MR);
                y = y.add(ys);
            }
        }
    } else {
        let mut x = rows_at.map(|r| unsafe { xp.as_ptr().add(r) });
        for _ in 0..kc {
            unsafe {
                let yv: [v128; NV] = std::array::from_fn(|v| v128_load(y.add(4 * v) as *const v128));
                for (row, xi) in acc.iter_mut().zip(&mut x) {
                    let xv = v128_load32_splat(*xi as *const u32);
                    for (t, yt) in row.iter_mut().zip(&yv) {
                        *t = madd(xv, *yt, *t);
                    }
                    *xi = xi.add(xs);
                }
                y = y.add(ys);
            }
        }
    }
    for (i, row) in acc.iter_mut().enumerate() {
        for (v, t) in row.iter_mut().enumerate() {
            if let Some(b) = fin.row_bias {
                *t = f32x4_add(*t, f32x4_splat(b[i]));
            }
            if let Some(b) = fin.col_bias {
                *t = f32x4_add(*t, unsafe { v128_load(b.as_ptr().add(4 * v) as *const v128) });
            }
            if fin.relu {
                // pmax(x, 0) = if x < 0 { 0 } else { x }: exactly `relu`, NaN and −0 included.
                *t = f32x4_pmax(*t, f32x4_splat(0.0));
            }
            unsafe { v128_store(tile.add(i * ld + 4 * v) as *mut v128, *t) };
        }
    }
}

/// `acc + a·b`, rounded twice (mul, then add): bit-identical to the scalar `acc += a * b`.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128", not(target_feature = "relaxed-simd")))]
#[inline(always)]
fn madd(
    a: core::arch::wasm32::v128,
    b: core::arch::wasm32::v128,
    acc: core::arch::wasm32::v128,
) -> core::arch::wasm32::v128 {
    use core::arch::wasm32::*;
    f32x4_add(acc, f32x4_mul(a, b))
}

/// `acc + a·b`, rounded once or twice: the engine (browser and CPU) chooses; where it fuses, one instruction.
#[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
#[inline(always)]
fn madd(
    a: core::arch::wasm32::v128,
    b: core::arch::wasm32::v128,
    acc: core::arch::wasm32::v128,
) -> core::arch::wasm32::v128 {
    core::arch::wasm32::f32x4_relaxed_madd(a, b, acc)
}

/// The portable version of the micro-kernel above (LLVM vectorizes the inner loop).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn micro_kernel<const PACKED_X: bool>(
    kc: usize,
    xp: &[f32],
    rows_at: [usize; MR],
    xs: usize,
    yp: &[f32],
    ys: usize,
    dst: &mut [f32],
    at: usize,
    ld: usize,
    continues: bool,
    fin: TileFinish,
) {
    check_panels::<PACKED_X>(kc, xp, &rows_at, xs, yp, ys, dst, at, ld);
    let mut acc = [[0.0f32; NR]; MR];
    if continues {
        for (i, row) in acc.iter_mut().enumerate() {
            row.copy_from_slice(&dst[at + i * ld..at + i * ld + NR]);
        }
    }
    for p in 0..kc {
        let yrow: &[f32; NR] = yp[p * ys..p * ys + NR].try_into().unwrap();
        for (i, row) in acc.iter_mut().enumerate() {
            let xi = if PACKED_X { xp[p * MR + i] } else { xp[rows_at[i] + p * xs] };
            for (t, &yj) in row.iter_mut().zip(yrow) {
                *t += xi * yj;
            }
        }
    }
    for (i, row) in acc.iter_mut().enumerate() {
        for (j, t) in row.iter_mut().enumerate() {
            if let Some(b) = fin.row_bias {
                *t += b[i];
            }
            if let Some(b) = fin.col_bias {
                *t += b[j];
            }
            if fin.relu {
                *t = relu(*t);
            }
        }
        dst[at + i * ld..at + i * ld + NR].copy_from_slice(row);
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

/// `C = act(C₀ + op(A) · op(B) + bias)` with a thread-local workspace. See [`Gemm::run_with`].
#[allow(clippy::too_many_arguments)]
pub fn gemm_t_with(
    ta: Transpose,
    tb: Transpose,
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    epi: Epilogue,
) {
    WORKSPACE.with(|w| w.borrow_mut().run_with(ta, tb, m, k, n, a, b, c, epi));
}

/// `C = A · B`: A is m × k, B is k × n, C is m × n, row-major; C is overwritten.
pub fn gemm(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    gemm_t(Transpose::No, Transpose::No, m, k, n, a, b, c);
}

/// The plain-loop twin of [`gemm_t_with`]: same contract, no blocking, no SIMD; each element is summed in k order
/// from C₀ (`s += a * b`), then finished by the epilogue.
#[allow(clippy::too_many_arguments)]
pub fn gemm_t_scalar_with(
    ta: Transpose,
    tb: Transpose,
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    epi: Epilogue,
) {
    check_shapes(m, k, n, a, b, c, &epi);
    let (a, b) = (op(a, ta, m, k), op(b, tb, k, n));
    for i in 0..m {
        for j in 0..n {
            let mut s = if epi.accumulate { c[i * n + j] } else { 0.0 };
            for p in 0..k {
                s += a.at(i, p) * b.at(p, j);
            }
            c[i * n + j] = epi.finish(s, i, j);
        }
    }
}

/// The plain-loop twin of [`gemm_t`].
#[allow(clippy::too_many_arguments)]
pub fn gemm_t_scalar(ta: Transpose, tb: Transpose, m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    gemm_t_scalar_with(ta, tb, m, k, n, a, b, c, Epilogue::default());
}

/// The plain-loop twin of [`gemm`].
pub fn gemm_scalar(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    gemm_t_scalar(Transpose::No, Transpose::No, m, k, n, a, b, c);
}
