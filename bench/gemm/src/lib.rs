//! Wasm entry points for bench/gemm/run.mjs: the work is set up untimed, JavaScript times the calls.

use cnn_playground::init::{InitConfig, Scheme};
use cnn_playground::nn::Activation;
use cnn_playground::nn::kernels::{Bias, Epilogue, Gemm, Plan, Transpose, relu};
use cnn_playground::probe::{Probe, ProbeConfig};
use ndarray::{Array2, ArrayView2};
use wasm_bindgen::prelude::*;

/// One GEMM shape with its operands, ready to be multiplied `reps` times.
#[wasm_bindgen]
pub struct GemmBench {
    kind: String,
    ta: Transpose,
    tb: Transpose,
    m: usize,
    k: usize,
    n: usize,
    a: Vec<f32>,
    b: Vec<f32>,
    c: Vec<f32>,
    bias: Vec<f32>,
    ws: Gemm,
    a_nd: Array2<f32>,
    b_nd: Array2<f32>,
    c_nd: Array2<f32>,
}

#[wasm_bindgen]
impl GemmBench {
    /// `kind`: `ours`, `fused` / `separate` (bias per row and ReLU, in the
    /// GEMM or as a second pass), `plan0`…`plan7` (a forced plan) or `ndarray` (ndarray's `dot`, i.e. matrixmultiply, on transposed views where `ops` says so);
    /// `ops`: `nn`, `nt`, `tn` or `tt`, whether op(A) and op(B) are the stored matrices or their transposes.
    #[wasm_bindgen(constructor)]
    pub fn new(kind: &str, ops: &str, m: usize, k: usize, n: usize) -> GemmBench {
        let t = |c: u8| if c == b't' { Transpose::Yes } else { Transpose::No };
        let (ta, tb) = (t(ops.as_bytes()[0]), t(ops.as_bytes()[1]));
        // A cheap deterministic fill; values in [-1, 1).
        let fill = |len: usize, s: u32| -> Vec<f32> {
            (0..len as u32).map(|i| ((i.wrapping_mul(2654435761).wrapping_add(s) >> 8) as f32 / 8388608.0) - 1.0).collect()
        };
        let a = fill(m * k, 1);
        let b = fill(k * n, 2);
        // Stored as the transposes say; `run` multiplies the views op(A)·op(B).
        let a_nd = Array2::from_shape_vec(if ta == Transpose::Yes { (k, m) } else { (m, k) }, a.clone()).unwrap();
        let b_nd = Array2::from_shape_vec(if tb == Transpose::Yes { (n, k) } else { (k, n) }, b.clone()).unwrap();
        GemmBench {
            kind: kind.to_string(),
            ta,
            tb,
            m,
            k,
            n,
            a,
            b,
            c: vec![0.0; m * n],
            bias: fill(m, 3),
            ws: Gemm::new(),
            a_nd,
            b_nd,
            c_nd: Array2::zeros((m, n)),
        }
    }

    pub fn run(&mut self, reps: usize) -> f32 {
        let (m, k, n, ta, tb) = (self.m, self.k, self.n, self.ta, self.tb);
        fn view(x: &Array2<f32>, t: Transpose) -> ArrayView2<'_, f32> {
            if t == Transpose::Yes { x.t() } else { x.view() }
        }
        for _ in 0..reps {
            match self.kind.as_str() {
                "ndarray" => {
                    let (a, b) = (view(&self.a_nd, ta), view(&self.b_nd, tb));
                    ndarray::linalg::general_mat_mul(1.0, &a, &b, 0.0, &mut self.c_nd)
                }
                // A conv layer's forward: bias per output channel (row), then ReLU; fused into the GEMM's store, or
                // as a second pass over C.
                "fused" => {
                    let epi = Epilogue { bias: Bias::PerRow(&self.bias), activation: Some(Activation::Relu), ..Default::default() };
                    self.ws.run_with(ta, tb, m, k, n, &self.a, &self.b, &mut self.c, epi)
                }
                "separate" => {
                    self.ws.run(ta, tb, m, k, n, &self.a, &self.b, &mut self.c);
                    for (row, &b) in self.c.chunks_exact_mut(n).zip(&self.bias) {
                        for v in row {
                            *v = relu(*v + b);
                        }
                    }
                }
                // Every plan by number (bit 0 swapped, bit 1 pack X, bit 2 pack Y), to check the chosen one.
                kind if kind.starts_with("plan") => {
                    let plan = Plan::all().nth(kind[4..].parse().unwrap_or(0)).unwrap();
                    self.ws.run_planned(plan, ta, tb, m, k, n, &self.a, &self.b, &mut self.c, Epilogue::default())
                }
                _ => self.ws.run(ta, tb, m, k, n, &self.a, &self.b, &mut self.c),
            }
        }
        if self.kind == "ndarray" { self.c_nd.sum() } else { self.c.iter().sum() }
    }
}

/// A probe being run one layer per call, so JavaScript can time the first layer, the forward and the backward.
#[wasm_bindgen]
pub struct ProbeBench {
    probe: Probe,
}

#[wasm_bindgen]
impl ProbeBench {
    #[wasm_bindgen(constructor)]
    pub fn new(depth: usize, width: usize, batch: usize, act: &str, init: &str, seed: u64) -> Result<ProbeBench, JsError> {
        let act = Activation::parse(act).map_err(|e| JsError::new(&e.to_string()))?;
        let scheme = Scheme::parse(init).map_err(|e| JsError::new(&e.to_string()))?;
        let cfg = ProbeConfig { depth, width, batch, act, init: InitConfig::new(scheme), seed, ..ProbeConfig::default() };
        let probe = Probe::new(cfg).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(ProbeBench { probe })
    }

    /// One forward layer; false when the forward pass is done. Returns the layer's std through `last`.
    pub fn forward(&mut self) -> f64 {
        self.probe.forward_layer().map_or(f64::NAN, |l| l.std)
    }

    /// One backward layer; NaN when the backward pass is done, else the std of dL/dW.
    pub fn backward(&mut self) -> f64 {
        self.probe.backward_layer().map_or(f64::NAN, |l| l.grad_w_std)
    }
}

/// Which wasm build this is: `relaxed-simd` (fused multiply-add where the CPU has it) or `simd128`.
#[wasm_bindgen]
pub fn build() -> String {
    if cfg!(target_feature = "relaxed-simd") { "relaxed-simd" } else { "simd128" }.to_string()
}

/// The plan `Gemm::run` chooses for a shape, as its number for the `planN` kinds and in words.
#[wasm_bindgen]
pub fn plan(ops: &str, m: usize, k: usize, n: usize) -> String {
    let t = |c: u8| if c == b't' { Transpose::Yes } else { Transpose::No };
    let p = Plan::new(t(ops.as_bytes()[0]), t(ops.as_bytes()[1]), m, k, n);
    let number = Plan::all().position(|q| q == p).unwrap_or(0);
    let words = [(p.swapped, "Cᵀ"), (p.pack_x, "pack X"), (p.pack_y, "pack Y")];
    let words: Vec<&str> = words.iter().filter(|w| w.0).map(|w| w.1).collect();
    format!("plan{number} {}", if words.is_empty() { "in place".to_string() } else { words.join("+") })
}
