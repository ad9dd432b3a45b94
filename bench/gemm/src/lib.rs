//! Wasm entry points for bench/gemm/run.mjs: the work is set up untimed, JavaScript times the calls.

use cnn_playground::init::{InitConfig, Scheme};
use cnn_playground::nn::kernels::{Gemm, Transpose};
use cnn_playground::probe::{Act, Probe, ProbeConfig};
use ndarray::Array2;
use wasm_bindgen::prelude::*;

/// One GEMM shape with its operands, ready to be multiplied `reps` times.
#[wasm_bindgen]
pub struct GemmBench {
    kind: String,
    m: usize,
    k: usize,
    n: usize,
    a: Vec<f32>,
    b: Vec<f32>,
    c: Vec<f32>,
    ws: Gemm,
    a_nd: Array2<f32>,
    b_nd: Array2<f32>,
    c_nd: Array2<f32>,
}

#[wasm_bindgen]
impl GemmBench {
    /// `kind`: `ours` (A·B), `ours_tn` (Aᵀ·B), `ours_nt` (A·Bᵀ), `ndarray` (ndarray's `dot`, i.e. matrixmultiply).
    #[wasm_bindgen(constructor)]
    pub fn new(kind: &str, m: usize, k: usize, n: usize) -> GemmBench {
        // A cheap deterministic fill; values in [-1, 1).
        let fill = |len: usize, s: u32| -> Vec<f32> {
            (0..len as u32).map(|i| ((i.wrapping_mul(2654435761).wrapping_add(s) >> 8) as f32 / 8388608.0) - 1.0).collect()
        };
        let a = fill(m * k, 1);
        let b = fill(k * n, 2);
        let a_nd = Array2::from_shape_vec((m, k), a.clone()).unwrap();
        let b_nd = Array2::from_shape_vec((k, n), b.clone()).unwrap();
        GemmBench {
            kind: kind.to_string(),
            m,
            k,
            n,
            a,
            b,
            c: vec![0.0; m * n],
            ws: Gemm::new(),
            a_nd,
            b_nd,
            c_nd: Array2::zeros((m, n)),
        }
    }

    pub fn run(&mut self, reps: usize) -> f32 {
        let (m, k, n) = (self.m, self.k, self.n);
        for _ in 0..reps {
            match self.kind.as_str() {
                "ndarray" => ndarray::linalg::general_mat_mul(1.0, &self.a_nd, &self.b_nd, 0.0, &mut self.c_nd),
                "ours_tn" => self.ws.run(Transpose::Yes, Transpose::No, m, k, n, &self.a, &self.b, &mut self.c),
                "ours_nt" => self.ws.run(Transpose::No, Transpose::Yes, m, k, n, &self.a, &self.b, &mut self.c),
                _ => self.ws.run(Transpose::No, Transpose::No, m, k, n, &self.a, &self.b, &mut self.c),
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
        let act = Act::parse(act).map_err(|e| JsError::new(&e.to_string()))?;
        let scheme = Scheme::parse(init).map_err(|e| JsError::new(&e.to_string()))?;
        let cfg = ProbeConfig { depth, width, batch, act, init: InitConfig::new(scheme), seed };
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
