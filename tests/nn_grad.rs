//! Gradient checks of the engine: every layer type alone and a whole small net, against central differences of an
//! independent f64 implementation (direct convolution loops, not im2col; no GEMM).
//!
//! # Tolerances
//! The reference derivative is the central difference D(h) = (L(θ + h) − L(θ − h)) / 2h in f64. Its truncation
//! error is c·h² + O(h⁴), so D(h) − D(h/2) = (3/4)·c·h² estimates it: we allow 2·|D(h) − D(h/2)| (more than the
//! (4/3)·|D(h) − D(h/2)| the estimate gives) on top of the error of the engine's f32 arithmetic, which is a sum of
//! at most a few hundred f32 products here: 1e-5 of the largest gradient of the tensor plus 1e-4 relative covers
//! it (f32 has ε = 1.2e-7; √400 · ε · a few is about 1e-5). f64 rounding in D is about 1e-16·|L|/h, negligible.
//! Where a difference straddles a kink (ReLU at 0, a max-pool tie changing) the two step sizes disagree and the
//! tolerance grows; such points are counted and must stay rare (they are not differentiable there).

use cnn_playground::nn::Activation;
use cnn_playground::nn::layer::{Kernels, Layer, Wants};
use cnn_playground::nn::loss::softmax_cross_entropy;
use cnn_playground::nn::model::{Model, ModelConfig};
use cnn_playground::nn::optim::OptimizerConfig;
use cnn_playground::nn::spec::{LayerPlan, LayerSpec, ModelSpec, Shape};
use cnn_playground::rng::{Rng, seeded};
use rand::RngExt;

fn uniform(rng: &mut Rng, n: usize, lo: f32, hi: f32) -> Vec<f32> {
    (0..n).map(|_| lo + (hi - lo) * rng.random::<f32>()).collect()
}

fn f64s(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| x as f64).collect()
}

/// One layer forward in f64 by the definitions (PyTorch's semantics), on a batch of n in NCHW.
fn reference(plan: &LayerPlan, w: &[f64], b: &[f64], x: &[f64], n: usize, mask: &[f64]) -> Vec<f64> {
    let (i, o) = (plan.input, plan.output);
    let mut y = vec![0.0; n * o.len()];
    match plan.spec {
        LayerSpec::Conv { out, kernel: k, stride: s, padding: p } => {
            for e in 0..n {
                for oc in 0..out {
                    for oy in 0..o.h {
                        for ox in 0..o.w {
                            let mut acc = b[oc];
                            for c in 0..i.c {
                                for ky in 0..k {
                                    for kx in 0..k {
                                        let (iy, ix) =
                                            ((oy * s + ky) as isize - p as isize, (ox * s + kx) as isize - p as isize);
                                        if iy >= 0 && ix >= 0 && (iy as usize) < i.h && (ix as usize) < i.w {
                                            let xv = x[((e * i.c + c) * i.h + iy as usize) * i.w + ix as usize];
                                            acc += w[((oc * i.c + c) * k + ky) * k + kx] * xv;
                                        }
                                    }
                                }
                            }
                            y[((e * out + oc) * o.h + oy) * o.w + ox] = acc;
                        }
                    }
                }
            }
        }
        LayerSpec::MaxPool { kernel: k, stride: s } | LayerSpec::AvgPool { kernel: k, stride: s } => {
            let is_max = matches!(plan.spec, LayerSpec::MaxPool { .. });
            for plane in 0..n * i.c {
                for oy in 0..o.h {
                    for ox in 0..o.w {
                        let vals = (0..k).flat_map(|dy| (0..k).map(move |dx| (oy * s + dy, ox * s + dx)));
                        let vals: Vec<f64> = vals.map(|(yy, xx)| x[(plane * i.h + yy) * i.w + xx]).collect();
                        y[(plane * o.h + oy) * o.w + ox] = if is_max {
                            vals.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                        } else {
                            vals.iter().sum::<f64>() / (k * k) as f64
                        };
                    }
                }
            }
        }
        LayerSpec::Flatten => y.copy_from_slice(x),
        LayerSpec::Dense { out } => {
            let inp = i.len();
            for e in 0..n {
                for oc in 0..out {
                    y[e * out + oc] = b[oc] + (0..inp).map(|j| w[oc * inp + j] * x[e * inp + j]).sum::<f64>();
                }
            }
        }
        LayerSpec::Act(a) => y.iter_mut().zip(x).for_each(|(v, &z)| *v = a.eval_f64(z)),
        LayerSpec::Dropout { .. } => y.iter_mut().zip(x).zip(mask).for_each(|((v, &z), &m)| *v = z * m),
        LayerSpec::BatchNorm | LayerSpec::GroupNorm { .. } => panic!("the norm layers are checked in tests/nn_norm.rs"),
    }
    y
}

/// Compares analytic gradients with central differences of `loss` along each coordinate of `point`; returns the
/// number of coordinates at a kink.
fn check(what: &str, point: &[f64], analytic: &[f32], loss: &dyn Fn(&[f64]) -> f64) -> usize {
    const H: f64 = 1e-3;
    let diff = |i: usize, h: f64| {
        let mut p = point.to_vec();
        p[i] = point[i] + h;
        let up = loss(&p);
        p[i] = point[i] - h;
        (up - loss(&p)) / (2.0 * h)
    };
    let numeric: Vec<(f64, f64)> = (0..point.len()).map(|i| (diff(i, H), diff(i, H / 2.0))).collect();
    let scale = numeric.iter().map(|(d, _)| d.abs()).fold(0.0, f64::max);
    let mut kinks = 0;
    for (i, (&(d, d2), &a)) in numeric.iter().zip(analytic).enumerate() {
        let truncation = 2.0 * (d - d2).abs();
        if truncation > 1e-3 * scale.max(1e-6) {
            kinks += 1;
        }
        let tol = truncation + 1e-5 * scale + 1e-4 * d2.abs() + 1e-9;
        assert!((a as f64 - d2).abs() <= tol, "{what}[{i}]: engine {a}, central difference {d2} (tolerance {tol:.2e})");
    }
    kinks
}

/// One layer: forward against the f64 reference, then dL/dW, dL/db and dL/dx for L = Σ G ⊙ y with a random G.
fn check_layer(spec: &str, input: Shape, n: usize, seed: u64) {
    let plans = ModelSpec::parse(spec).unwrap().plan(input).unwrap();
    let plan = plans[0];
    let mut layer = Layer::new(&plan, 0);
    let mut rng = seeded(seed);
    if let Some([w, b]) = layer.params_mut() {
        w.value = uniform(&mut rng, w.len(), -0.5, 0.5);
        b.value = uniform(&mut rng, b.len(), -0.5, 0.5);
    }
    // Inputs in [−2, 2] and well spread, so ties in max pooling and hits of ReLU's kink are rare.
    let x = uniform(&mut rng, n * input.len(), -2.0, 2.0);
    let g = uniform(&mut rng, n * plan.output.len(), -1.0, 1.0);
    let mut kernels = Kernels::default();
    let mut y = vec![0.0; g.len()];
    layer.forward(&mut kernels, &x, &mut y, n, true, &mut rng);
    let mut dx = vec![f32::NAN; x.len()];
    layer.backward(&mut kernels, &x, &g, &mut dx, n, Wants { params: true, input: true });

    let (w, b) = match layer.params() {
        Some([w, b]) => (f64s(&w.value), f64s(&b.value)),
        None => (vec![], vec![]),
    };
    // Dropout's mask, read back from the forward pass (x is never 0 here).
    let mask: Vec<f64> = y.iter().zip(&x).map(|(&yv, &xv)| yv as f64 / xv as f64).collect();
    let (xd, gd) = (f64s(&x), f64s(&g));
    let want = reference(&plan, &w, &b, &xd, n, &mask);
    for (k, (&got, &r)) in y.iter().zip(&want).enumerate() {
        assert!((got as f64 - r).abs() <= 1e-5 * (1.0 + r.abs()), "{spec} forward[{k}]: {got} vs {r}");
    }
    let dot = |y: Vec<f64>| y.iter().zip(&gd).map(|(a, b)| a * b).sum::<f64>();
    let mut kinks = check(&format!("{spec} dx"), &xd, &dx, &|xp| dot(reference(&plan, &w, &b, xp, n, &mask)));
    let mut total = xd.len();
    if let Some([wp, bp]) = layer.params() {
        kinks += check(&format!("{spec} dW"), &w, &wp.grad, &|wv| dot(reference(&plan, wv, &b, &xd, n, &mask)));
        kinks += check(&format!("{spec} db"), &b, &bp.grad, &|bv| dot(reference(&plan, &w, bv, &xd, n, &mask)));
        total += w.len() + b.len();
    }
    assert!(kinks * 20 <= total, "{spec}: {kinks} of {total} coordinates at a kink");
}

#[test]
fn conv_gradients() {
    check_layer("conv(3_k3_p1)", Shape::image(2, 5, 6), 2, 1);
    check_layer("conv(2_k3_s2)", Shape::image(3, 7, 6), 2, 2);
    check_layer("conv(4_k2_s3_p2)", Shape::image(1, 5, 5), 3, 3);
    check_layer("conv(2_k5_p2)", Shape::image(1, 4, 3), 1, 4);
    check_layer("conv(3_k1)", Shape::image(2, 3, 3), 2, 5);
}

#[test]
fn pool_gradients() {
    check_layer("maxpool(2)", Shape::image(2, 6, 5), 2, 6);
    check_layer("maxpool(3_s2)", Shape::image(2, 7, 7), 2, 7);
    check_layer("avgpool(2)", Shape::image(2, 6, 5), 2, 8);
    check_layer("avgpool(3_s1)", Shape::image(1, 5, 6), 2, 9);
}

#[test]
fn dense_flatten_dropout_gradients() {
    check_layer("flatten", Shape::image(2, 3, 2), 3, 10);
    check_layer("dense(5)", Shape::flat(7), 3, 11);
    check_layer("dropout(0.3)", Shape::image(2, 4, 4), 3, 12);
}

#[test]
fn activation_gradients() {
    for (i, act) in Activation::ALL.iter().enumerate() {
        check_layer(act.name(), Shape::image(2, 3, 4), 3, 20 + i as u64);
    }
}

/// The whole net: the mean softmax cross-entropy of a small conv net in f64, its gradient with respect to every
/// parameter by central differences, against `Model::compute_gradients`.
#[test]
fn whole_net_gradients() {
    let spec = "conv(3_k3_p1)~tanh~maxpool(2)~conv(4_k3_s1)~gelu~avgpool(2)~flatten~dense(6)~selu~dense(3)";
    let input = Shape::image(2, 10, 9);
    let n = 4;
    let config = ModelConfig {
        spec: ModelSpec::parse(spec).unwrap(),
        input,
        init: None,
        optimizer: OptimizerConfig::default(),
        seed: 5,
    };
    let mut model = Model::new(config).unwrap();
    let mut rng = seeded(6);
    let x = uniform(&mut rng, n * input.len(), 0.0, 1.0);
    let labels = [0u32, 2, 1, 2];
    let loss = model.compute_gradients(&x, &labels, n).unwrap();
    let plans = model.plans().to_vec();
    let values: Vec<Vec<f64>> = model.params().map(|p| f64s(&p.value)).collect();
    let xd = f64s(&x);
    let net_loss = |values: &[Vec<f64>]| {
        let mut act = xd.clone();
        let mut k = 0;
        for plan in &plans {
            let (w, b) = if plan.spec.has_params() {
                k += 2;
                (&values[k - 2][..], &values[k - 1][..])
            } else {
                (&[][..], &[][..])
            };
            act = reference(plan, w, b, &act, n, &[]);
        }
        // The loss in f64 from the f64 logits (the engine's own loss function is checked separately below).
        let classes = 3;
        act.chunks_exact(classes)
            .zip(&labels)
            .map(|(row, &l)| {
                let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                row.iter().map(|z| (z - m).exp()).sum::<f64>().ln() + m - row[l as usize]
            })
            .sum::<f64>()
            / n as f64
    };
    assert!((loss as f64 - net_loss(&values)).abs() < 1e-5, "loss {loss} vs {}", net_loss(&values));
    let grads: Vec<Vec<f32>> = model.params().map(|p| p.grad.clone()).collect();
    let names: Vec<String> = model.params().map(|p| p.name.clone()).collect();
    let mut kinks = 0;
    for (t, grad) in grads.iter().enumerate() {
        kinks += check(&names[t], &values[t], grad, &|v| {
            let mut all = values.clone();
            all[t] = v.to_vec();
            net_loss(&all)
        });
    }
    assert!(kinks <= 5, "{kinks} coordinates at a kink");
    assert_eq!(names, ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"]);
}

/// The loss function itself: its value and gradient against f64 formulas, and stability with huge logits.
#[test]
fn softmax_cross_entropy_matches_its_formula() {
    let logits = [1.0f32, 2.0, 3.0, -1.0, 0.5, 0.0];
    let labels = [2u32, 0];
    let mut grad = [0.0f32; 6];
    let loss = softmax_cross_entropy(&logits, &labels, 3, Some(&mut grad));
    let row = |r: &[f64], l: usize| {
        let s: f64 = r.iter().map(|z| z.exp()).sum();
        (s.ln() - r[l], r.iter().map(|z| z.exp() / s).collect::<Vec<_>>())
    };
    let (l0, p0) = row(&[1.0, 2.0, 3.0], 2);
    let (l1, p1) = row(&[-1.0, 0.5, 0.0], 0);
    assert!((loss - (l0 + l1) / 2.0).abs() < 1e-6);
    let want = [p0[0] / 2.0, p0[1] / 2.0, (p0[2] - 1.0) / 2.0, (p1[0] - 1.0) / 2.0, p1[1] / 2.0, p1[2] / 2.0];
    for (g, w) in grad.iter().zip(want) {
        assert!((*g as f64 - w).abs() < 1e-7, "{g} vs {w}");
    }
    let huge = softmax_cross_entropy(&[1e30, -1e30, 0.0], &[1], 3, None);
    assert!(huge.is_finite() && huge > 1e29);
}
