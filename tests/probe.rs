//! The vanishing/exploding-signals probe: gradients against finite differences, the textbook behaviours of the
//! initializers, saturation counts, determinism, overflow, and errors that name the parameter.
//! Sizes are kept small enough for a debug-build `cargo test`.

use cnn_playground::init::{InitConfig, Scheme};
use cnn_playground::probe::{
    Activation, HIST_BINS, LayerBackward, LayerForward, Probe, ProbeConfig, ProbeNorm, saturated_fraction,
};

fn cfg(act: Activation, init: InitConfig, depth: usize, width: usize, batch: usize, seed: u64) -> ProbeConfig {
    ProbeConfig { depth, width, batch, act, init, seed, norm: ProbeNorm::None }
}

fn normal(std: f64) -> InitConfig {
    InitConfig { std, ..InitConfig::new(Scheme::Normal) }
}

fn run(c: ProbeConfig) -> (Vec<LayerForward>, Vec<LayerBackward>) {
    Probe::new(c).expect("valid config").run_to_end()
}

// ---------- gradients ----------

/// L = sum(Y_depth ⊙ G) evaluated in f64 from the probe's own input and weights (W stored in × out).
fn loss_f64(act: Activation, width: usize, batch: usize, x: &[f64], ws: &[Vec<f64>], g: &[f32]) -> f64 {
    let mut y = x.to_vec();
    for w in ws {
        let mut z = vec![0.0; batch * width];
        for r in 0..batch {
            for j in 0..width {
                z[r * width + j] = (0..width).map(|i| y[r * width + i] * w[i * width + j]).sum::<f64>();
            }
        }
        y = z.into_iter().map(|v| act.eval_f64(v)).collect();
    }
    y.iter().zip(g).map(|(&a, &b)| a * b as f64).sum()
}

/// Central difference in f64 with step h = 1e-5: truncation error O(h²·L''') ≈ 1e-10 and rounding error
/// ≈ 1e-16·|L|/h ≈ 1e-10, both far below the f32 error of the analytic gradient being checked.
fn central_difference(f: &mut dyn FnMut(f64) -> f64, v: f64) -> f64 {
    let h = 1e-5;
    (f(v + h) - f(v - h)) / (2.0 * h)
}

/// The analytic gradient is computed in f32: each element is a sum of about depth·width·batch products, so its
/// rounding error is a few ·10⁻⁶ of the largest gradient; 1e-4 of the largest magnitude leaves a 20× margin
/// while a wrong derivative gives errors of order 1.
fn assert_gradient(what: &str, analytic: &[f32], numeric: &[f64]) {
    let scale = numeric.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(scale > 1e-6, "{what}: the gradient vanished (scale {scale:e}); the check would be vacuous");
    for (i, (&a, &n)) in analytic.iter().zip(numeric).enumerate() {
        assert!(
            (a as f64 - n).abs() <= 1e-4 * scale,
            "{what}: element {i}: analytic {a}, finite difference {n}, scale {scale}"
        );
    }
}

#[test]
fn backward_matches_central_differences_for_every_activation() {
    let (depth, width, batch) = (3, 10, 2);
    for act in Activation::ALL {
        // LeCun (gain 1) keeps pre-activations near N(0, 1): every activation is in its curved range.
        let c = cfg(act, InitConfig::new(Scheme::LecunNormal), depth, width, batch, 7);
        let mut p = Probe::new(c).unwrap();
        while p.forward_layer().is_some() {}
        let x: Vec<f64> = p.input().iter().map(|&v| v as f64).collect();
        let ws: Vec<Vec<f64>> = (1..=depth).map(|l| p.weights(l).iter().map(|&v| v as f64).collect()).collect();
        let mut analytic_w = vec![Vec::new(); depth];
        while let Some(b) = p.backward_layer() {
            analytic_w[b.layer - 1] = p.weight_grad().to_vec();
        }
        let analytic_x = p.input_grad().to_vec();
        let g = p.upstream().to_vec();

        // The f32 forward agrees with the f64 reference.
        let reference = loss_f64(act, width, batch, &x, &ws, &g);
        let probe_loss: f64 = p.outputs(depth).iter().zip(&g).map(|(&y, &g)| y as f64 * g as f64).sum();
        assert!(
            (reference - probe_loss).abs() <= 1e-4 * (1.0 + reference.abs()),
            "{act:?}: loss {probe_loss} vs {reference}"
        );

        for l in 0..depth {
            let numeric: Vec<f64> = (0..width * width)
                .map(|k| {
                    let mut ws = ws.clone();
                    let v0 = ws[l][k];
                    central_difference(
                        &mut |v| {
                            ws[l][k] = v;
                            loss_f64(act, width, batch, &x, &ws, &g)
                        },
                        v0,
                    )
                })
                .collect();
            assert_gradient(&format!("{act:?} dL/dW{}", l + 1), &analytic_w[l], &numeric);
        }
        let numeric_x: Vec<f64> = (0..batch * width)
            .map(|k| {
                let mut x = x.clone();
                let v0 = x[k];
                central_difference(
                    &mut |v| {
                        x[k] = v;
                        loss_f64(act, width, batch, &x, &ws, &g)
                    },
                    v0,
                )
            })
            .collect();
        assert_gradient(&format!("{act:?} dL/dX"), &analytic_x, &numeric_x);
    }
}

// ---------- the textbook behaviours ----------

#[test]
fn linear_with_lecun_keeps_the_variance_at_one() {
    let (depth, width, batch) = (10, 200, 200);
    let (fwd, _) = run(cfg(Activation::Linear, InitConfig::new(Scheme::LecunNormal), depth, width, batch, 3));
    // Y_l = Y_{l-1}·W_l with W ~ N(0, 1/width). Given Y_{l-1} with Gram matrix M = Y_{l-1}ᵀY_{l-1}, the sample
    // variance of Y_l is a sum over `width` independent columns w_jᵀ M w_j / (batch·width), whose relative variance
    // is (2/width)·tr(M²)/tr(M)² ≈ 2(batch + width)/(batch·width²) for Gaussian rows. The input's own sample
    // variance has relative variance 2/(batch·width). Over l layers these add up (multiplicative noise), and
    // 6 standard deviations make a false failure practically impossible while a wrong gain (×2 or ×½ per layer)
    // fails at once.
    let (b, w) = (batch as f64, width as f64);
    let per_layer = 2.0 * (b + w) / (b * w * w);
    let input = 2.0 / (b * w);
    for f in &fwd {
        let sd = (input + f.layer as f64 * per_layer).sqrt();
        let var = f.std * f.std;
        assert!((var - 1.0).abs() <= 6.0 * sd, "layer {}: variance {var}, tolerance ±{}", f.layer, 6.0 * sd);
    }
}

#[test]
fn tanh_with_tiny_weights_vanishes_by_layer_ten() {
    let (fwd, bwd) = run(cfg(Activation::Tanh, normal(0.01), 10, 200, 100, 1));
    assert!(fwd[9].std < 1e-5, "layer 10 std {}", fwd[9].std);
    // Each layer shrinks the signal (0.01·√200 ≈ 0.14 per layer).
    for pair in fwd.windows(2) {
        assert!(
            pair[1].std < 0.5 * pair[0].std,
            "layer {} did not shrink: {} → {}",
            pair[1].layer,
            pair[0].std,
            pair[1].std
        );
    }
    // ... and so does the gradient on the way back: dL/dY of layer 1 is far smaller than the upstream one.
    // (dL/dW_l = Y_{l-1}ᵀ·dL/dZ_l multiplies a forward signal that shrinks with l by a backward one that grows
    // with l, so the weight gradients are uniformly tiny rather than ordered.)
    let first = bwd.iter().find(|b| b.layer == 1).unwrap();
    let last = bwd.iter().find(|b| b.layer == 10).unwrap();
    assert!(
        first.grad_x_std < 1e-3 * last.grad_x_std,
        "dL/dY std: layer 1 {:e}, layer 10 {:e}",
        first.grad_x_std,
        last.grad_x_std
    );
    assert!(first.grad_w_std < 1e-5 && last.grad_w_std < 1e-5, "dW std {:e}, {:e}", first.grad_w_std, last.grad_w_std);
}

#[test]
fn tanh_with_unit_weights_saturates() {
    let (fwd, _) = run(cfg(Activation::Tanh, normal(1.0), 5, 200, 50, 2));
    for f in &fwd {
        assert!(f.saturated.unwrap() > 0.8, "layer {} saturated {:?}", f.layer, f.saturated);
    }
}

#[test]
fn relu_with_he_keeps_the_std_within_a_factor_two() {
    let (fwd, _) = run(cfg(Activation::Relu, InitConfig::new(Scheme::HeNormal), 10, 200, 100, 4));
    let first = fwd[0].std;
    for f in &fwd {
        assert!(f.std > first / 2.0 && f.std < first * 2.0, "layer {}: std {} vs first {first}", f.layer, f.std);
        // Half the units of a symmetric pre-activation are cut to zero.
        let dead = f.saturated.unwrap();
        assert!((dead - 0.5).abs() < 0.1, "layer {} dead fraction {dead}", f.layer);
    }
}

#[test]
fn relu_with_xavier_halves_the_variance_per_layer() {
    let (fwd, _) = run(cfg(Activation::Relu, InitConfig::new(Scheme::XavierNormal), 10, 200, 100, 5));
    let ratio = fwd[9].std / fwd[0].std;
    // √½ per layer: 9 layers → about 0.044.
    assert!(ratio < 0.1 && ratio > 0.01, "std ratio layer 10 / layer 1 = {ratio}");
}

// ---------- saturation, histograms ----------

#[test]
fn saturated_and_dead_fractions_on_hand_built_values() {
    // tanh: |y| > 0.99 (0.99 itself is not saturated).
    assert_eq!(saturated_fraction(Activation::Tanh, &[0.995, -0.999, 0.5, 0.99, 1.0]), Some(3.0 / 5.0));
    // sigmoid: outside [0.01, 0.99].
    assert_eq!(saturated_fraction(Activation::Sigmoid, &[0.005, 0.995, 0.5, 0.01, 0.99, 0.0]), Some(3.0 / 6.0));
    // relu: exactly zero is dead.
    assert_eq!(saturated_fraction(Activation::Relu, &[0.0, 0.0, 1e-30, 2.0]), Some(0.5));
    // leaky relu: the negative side.
    assert_eq!(saturated_fraction(Activation::LeakyRelu, &[-0.01, 0.0, 1.0, -2.0]), Some(0.5));
    // NaN counts as neither.
    assert_eq!(saturated_fraction(Activation::Tanh, &[f32::NAN, 1.0]), Some(0.5));
    for act in [Activation::Linear, Activation::Selu, Activation::Gelu] {
        assert_eq!(saturated_fraction(act, &[1.0]), None);
    }
    // The page's catalog says which activations have a `saturated` column from `saturation()`: the probe agrees.
    for act in Activation::ALL {
        assert_eq!(saturated_fraction(act, &[1.0]).is_some(), act.saturation().is_some(), "{}", act.name());
    }
}

#[test]
fn the_probe_reports_the_saturation_of_its_own_outputs() {
    for act in [Activation::Tanh, Activation::Sigmoid, Activation::Relu, Activation::LeakyRelu] {
        let mut p = Probe::new(cfg(act, normal(0.3), 3, 50, 20, 9)).unwrap();
        while let Some(f) = p.forward_layer() {
            assert_eq!(f.saturated, saturated_fraction(act, p.outputs(f.layer)), "{act:?} layer {}", f.layer);
        }
    }
}

#[test]
fn histograms_share_one_range_and_count_every_value() {
    for act in Activation::ALL {
        let c = cfg(act, InitConfig::new(Scheme::XavierNormal), 4, 30, 20, 11);
        let mut p = Probe::new(c).unwrap();
        let fwd: Vec<LayerForward> = std::iter::from_fn(|| p.forward_layer()).collect();
        let (lo, hi) = p.histogram_range().unwrap();
        match act {
            Activation::Tanh => assert_eq!((lo, hi), (-1.0, 1.0)),
            Activation::Sigmoid => assert_eq!((lo, hi), (0.0, 1.0)),
            Activation::Relu => assert_eq!(lo, 0.0),
            _ => assert!(lo < 0.0 && hi > 0.0, "{act:?}: range {lo}..{hi}"),
        }
        for f in &fwd {
            let h = &f.histogram;
            assert_eq!((h.lo, h.hi, h.counts.len()), (lo, hi, HIST_BINS), "{act:?} layer {}", f.layer);
            let total: u32 = h.counts.iter().sum::<u32>() + h.below + h.above + h.non_finite;
            assert_eq!(total as usize, 30 * 20);
        }
    }
}

// ---------- overflow, determinism, streaming, errors ----------

#[test]
fn exploding_relu_overflows_without_panicking() {
    let (fwd, bwd) = run(cfg(Activation::Relu, normal(1.0), 50, 100, 10, 12));
    // std grows by about √(100/2) ≈ 7 per layer: f32 overflows well before layer 50.
    let last = fwd.last().unwrap();
    assert!(!last.std.is_finite(), "layer 50 std {}", last.std);
    assert!(last.histogram.non_finite > 0);
    assert_eq!(bwd.len(), 50);
    assert!(bwd.iter().any(|b| !b.grad_w_std.is_finite()));
}

#[test]
fn the_same_seed_gives_identical_results() {
    let c = cfg(Activation::Tanh, InitConfig::new(Scheme::XavierUniform), 4, 40, 16, 42);
    let a = run(c);
    assert_eq!(a, run(c));
    let b = run(ProbeConfig { seed: 43, ..c });
    assert_ne!(a.0[0].std, b.0[0].std);
}

/// The probe's numbers, bit for bit, against a straightforward reference built from the same primitives in the
/// documented order (X, then each W_l as its layer runs, then G): one Xoshiro stream, the initializer's `fill`, the
/// GEMM, the activation, and the backward chain dL/dZ = dL/dY ⊙ f'(Y), dL/dW = Xᵀ·dL/dZ, dL/dX = dL/dZ·Wᵀ. Buffers
/// the probe fills lazily must hold exactly these values, and nothing before the layer that writes them.
#[test]
fn the_numbers_match_a_reference_computed_up_front_bit_for_bit() {
    use cnn_playground::nn::kernels::{Gemm, Transpose};
    use cnn_playground::rng::seeded;
    use cnn_playground::stats::moments;
    use rand_distr::{Distribution, StandardNormal};
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<u32>>();
    for (act, scheme) in [(Activation::Tanh, Scheme::XavierNormal), (Activation::Relu, Scheme::HeUniform)] {
        let (depth, w, b) = (4, 24, 10);
        let c = cfg(act, InitConfig::new(scheme), depth, w, b, 7);
        let spec = c.init_spec().unwrap();
        let mut rng = seeded(c.seed);
        let mut gemm = Gemm::new();
        let normal = |n: usize, rng: &mut cnn_playground::rng::Rng| -> Vec<f32> {
            (0..n).map(|_| StandardNormal.sample(rng)).collect()
        };
        let x = normal(b * w, &mut rng);
        let (mut ws, mut ys) = (Vec::new(), vec![x.clone()]);
        for _ in 0..depth {
            let mut wl = vec![0.0f32; w * w];
            spec.fill(&mut wl, &mut rng);
            let mut y = vec![0.0f32; b * w];
            gemm.run(Transpose::No, Transpose::No, b, w, w, ys.last().unwrap(), &wl, &mut y);
            act.apply(&mut y);
            ws.push(wl);
            ys.push(y);
        }
        let g = normal(b * w, &mut rng);

        let mut p = Probe::new(c).unwrap();
        assert_eq!(bits(p.input()), bits(&x));
        assert!(p.weights(1).is_empty() && p.outputs(1).is_empty() && p.upstream().is_empty());
        for l in 1..=depth {
            let f = p.forward_layer().unwrap();
            assert_eq!(bits(p.weights(l)), bits(&ws[l - 1]), "{act:?} W_{l}");
            assert_eq!(bits(p.outputs(l)), bits(&ys[l]), "{act:?} Y_{l}");
            let m = moments(&ys[l]);
            assert_eq!((f.mean.to_bits(), f.std.to_bits()), (m.mean.to_bits(), m.std.to_bits()), "{act:?} layer {l}");
            if l < depth {
                assert!(p.outputs(l + 1).is_empty(), "Y_{} before its layer ran", l + 1);
            }
        }
        let mut gy = g.clone();
        for l in (1..=depth).rev() {
            let bk = p.backward_layer().unwrap();
            assert_eq!(bk.grad_x_std.to_bits(), moments(&gy).std.to_bits(), "{act:?} dL/dY_{l}");
            let gz: Vec<f32> = gy.iter().zip(&ys[l]).map(|(&gy, &y)| gy * act.derivative_from_output(y)).collect();
            let (mut gw, mut gx) = (vec![0.0f32; w * w], vec![0.0f32; b * w]);
            gemm.run(Transpose::Yes, Transpose::No, w, b, w, &ys[l - 1], &gz, &mut gw);
            gemm.run(Transpose::No, Transpose::Yes, b, w, w, &gz, &ws[l - 1], &mut gx);
            assert_eq!(bits(p.weight_grad()), bits(&gw), "{act:?} dL/dW_{l}");
            assert_eq!(bits(p.input_grad()), bits(&gx), "{act:?} dL/dY_{}", l - 1);
            assert_eq!(bk.grad_w_std.to_bits(), moments(&gw).std.to_bits());
            gy = gx;
        }
        assert_eq!(bits(p.upstream()), bits(&g));
    }
}

#[test]
fn layers_stream_forward_then_backward() {
    let mut p = Probe::new(cfg(Activation::Sigmoid, InitConfig::new(Scheme::XavierNormal), 3, 10, 4, 0)).unwrap();
    assert!(p.backward_layer().is_none(), "no backward before the forward pass is complete");
    assert_eq!(p.forward_layer().unwrap().layer, 1);
    assert!(p.backward_layer().is_none());
    assert_eq!(p.forward_layer().unwrap().layer, 2);
    assert_eq!(p.forward_layer().unwrap().layer, 3);
    assert!(p.forward_layer().is_none());
    let order: Vec<usize> = std::iter::from_fn(|| p.backward_layer()).map(|b| b.layer).collect();
    assert_eq!(order, vec![3, 2, 1]);
    assert_eq!(p.progress(), (3, 3));
    // The last layer's output gradient is the N(0, 1) upstream gradient itself.
    let mut q = Probe::new(cfg(Activation::Tanh, InitConfig::new(Scheme::XavierNormal), 2, 100, 100, 0)).unwrap();
    let (_, bwd) = q.run_to_end();
    assert!((bwd[0].grad_x_std - 1.0).abs() < 0.05, "upstream std {}", bwd[0].grad_x_std);
}

#[test]
fn flop_counts() {
    let c = ProbeConfig::default();
    assert_eq!(c.forward_flops(), 2.5e9);
    assert_eq!(c.backward_flops(), 5e9);
    assert_eq!((c.depth, c.width, c.batch, c.act), (10, 500, 500, Activation::Tanh));
}

#[test]
fn bad_settings_name_the_parameter_and_the_limits() {
    let ok = ProbeConfig::default();
    let cases = [
        (ProbeConfig { depth: 100_000, ..ok }, "depth", "between 1 and 50, got 100000"),
        (ProbeConfig { depth: 0, ..ok }, "depth", "between 1 and 50"),
        (ProbeConfig { width: 9, ..ok }, "width", "between 10 and 1000, got 9"),
        (ProbeConfig { width: 1001, ..ok }, "width", "between 10 and 1000"),
        (ProbeConfig { batch: 0, ..ok }, "batch", "between 1 and 2000, got 0"),
        (ProbeConfig { batch: 2001, ..ok }, "batch", "between 1 and 2000"),
        (ProbeConfig { init: normal(-1.0), ..ok }, "std", "between"),
        (ProbeConfig { init: normal(f64::NAN), ..ok }, "std", "finite"),
    ];
    for (c, param, words) in cases {
        let e = Probe::new(c).err().unwrap_or_else(|| panic!("{c:?} was accepted"));
        assert_eq!(e.param, param);
        assert!(e.message.contains(words), "{param}: {:?} lacks {words:?}", e.message);
    }
    let e = Activation::parse("swish").unwrap_err();
    assert_eq!(e.param, "act");
    assert!(e.message.contains("leaky_relu"), "{}", e.message);
    assert_eq!(Activation::parse("leaky_relu"), Ok(Activation::LeakyRelu));
}

#[test]
fn the_f32_activations_match_their_f64_definitions() {
    // 1e-6 relative (plus 1e-7 absolute near zero crossings) is about 10 f32 ulps: a rational tanh that is
    // right to 3e-7 passes, a truncated or mistyped coefficient does not.
    let mut z = -30.0f64;
    while z <= 30.0 {
        for act in Activation::ALL {
            let (got, want) = (act.eval(z as f32) as f64, act.eval_f64(z as f32 as f64));
            assert!((got - want).abs() <= 1e-6 * want.abs() + 1e-7, "{act:?}({z}) = {got}, want {want}");
        }
        z += 0.0137;
    }
    for z in [1e-30f32, 1e-8, -1e-5, 1e-3] {
        let t = Activation::Tanh.eval(z) as f64;
        assert!((t - (z as f64).tanh()).abs() <= 1e-6 * (z as f64).abs(), "tanh({z}) = {t}");
    }
    for act in Activation::ALL {
        assert!(act.eval(f32::NAN).is_nan(), "{act:?} hides NaN");
    }
    assert_eq!(Activation::Tanh.eval(f32::INFINITY), 1.0);
    assert_eq!(Activation::Relu.eval(f32::INFINITY), f32::INFINITY);
}

// ---------- BatchNorm before each activation (norm = bn) ----------

/// L = sum(Y_depth ⊙ G) with Y_l = f(BN(Y_{l-1} · W_l)), BatchNorm per feature over the batch (mean and biased
/// variance of the batch, ε = 1e-5, γ = 1, β = 0), in f64.
fn loss_f64_bn(act: Activation, width: usize, batch: usize, x: &[f64], ws: &[Vec<f64>], g: &[f32]) -> f64 {
    let mut y = x.to_vec();
    for w in ws {
        let mut z = vec![0.0; batch * width];
        for r in 0..batch {
            for j in 0..width {
                z[r * width + j] = (0..width).map(|i| y[r * width + i] * w[i * width + j]).sum::<f64>();
            }
        }
        for j in 0..width {
            let m = (0..batch).map(|r| z[r * width + j]).sum::<f64>() / batch as f64;
            let v = (0..batch).map(|r| (z[r * width + j] - m).powi(2)).sum::<f64>() / batch as f64;
            for r in 0..batch {
                z[r * width + j] = (z[r * width + j] - m) / (v + 1e-5).sqrt();
            }
        }
        y = z.into_iter().map(|v| act.eval_f64(v)).collect();
    }
    y.iter().zip(g).map(|(&a, &b)| a * b as f64).sum()
}

#[test]
fn backward_with_batch_norm_matches_central_differences() {
    // A batch of 4: with 2 the normalized values are ±1 whatever W, and the gradients all but vanish.
    let (depth, width, batch) = (3, 10, 4);
    for act in Activation::ALL {
        let c = ProbeConfig {
            norm: ProbeNorm::Bn,
            ..cfg(act, InitConfig::new(Scheme::LecunNormal), depth, width, batch, 9)
        };
        let mut p = Probe::new(c).unwrap();
        while p.forward_layer().is_some() {}
        let x: Vec<f64> = p.input().iter().map(|&v| v as f64).collect();
        let ws: Vec<Vec<f64>> = (1..=depth).map(|l| p.weights(l).iter().map(|&v| v as f64).collect()).collect();
        let mut analytic_w = vec![Vec::new(); depth];
        while let Some(b) = p.backward_layer() {
            analytic_w[b.layer - 1] = p.weight_grad().to_vec();
        }
        let analytic_x = p.input_grad().to_vec();
        let g = p.upstream().to_vec();
        let reference = loss_f64_bn(act, width, batch, &x, &ws, &g);
        let probe_loss: f64 = p.outputs(depth).iter().zip(&g).map(|(&y, &g)| y as f64 * g as f64).sum();
        assert!(
            (reference - probe_loss).abs() <= 1e-4 * (1.0 + reference.abs()),
            "{act:?}: {probe_loss} vs {reference}"
        );
        let numeric = |f: &mut dyn FnMut(usize, f64) -> f64, len: usize, at: &dyn Fn(usize) -> f64| -> Vec<f64> {
            (0..len).map(|k| central_difference(&mut |v| f(k, v), at(k))).collect()
        };
        for l in 0..depth {
            let n = numeric(
                &mut |k, v| {
                    let mut ws = ws.clone();
                    ws[l][k] = v;
                    loss_f64_bn(act, width, batch, &x, &ws, &g)
                },
                width * width,
                &|k| ws[l][k],
            );
            assert_gradient(&format!("bn {act:?} dL/dW{}", l + 1), &analytic_w[l], &n);
        }
        let n = numeric(
            &mut |k, v| {
                let mut x = x.clone();
                x[k] = v;
                loss_f64_bn(act, width, batch, &x, &ws, &g)
            },
            batch * width,
            &|k| x[k],
        );
        assert_gradient(&format!("bn {act:?} dL/dX"), &analytic_x, &n);
    }
}

/// The lesson: with BatchNorm the activations are the same whatever the weights' scale (BN(s·Z) = BN(Z) up to ε),
/// so every N(0, s²) keeps each layer at the unit-Gaussian statistics of f; the weight gradients still scale as 1/s.
#[test]
fn batch_norm_keeps_activations_at_unit_scale_whatever_the_initialization() {
    let (depth, width, batch) = (10, 100, 200);
    // std of f(z) for z ~ N(0, 1): tanh by numerical integration below, ReLU √(1/2 − 1/(2π)), linear 1.
    let tanh_std = {
        let (n, h) = (200_000, 16.0 / 200_000.0);
        let pdf = |z: f64| (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
        ((0..n).map(|i| -8.0 + (i as f64 + 0.5) * h).map(|z| z.tanh().powi(2) * pdf(z) * h).sum::<f64>()).sqrt()
    };
    let relu_std = (0.5 - 1.0 / (2.0 * std::f64::consts::PI)).sqrt();
    for (act, want) in [(Activation::Tanh, tanh_std), (Activation::Relu, relu_std), (Activation::Linear, 1.0)] {
        let runs: Vec<_> = [0.01, 1.0, 10.0]
            .iter()
            .map(|&s| run(ProbeConfig { norm: ProbeNorm::Bn, ..cfg(act, normal(s), depth, width, batch, 3) }))
            .collect();
        for (f, _) in &runs {
            for layer in f {
                // Per feature the pre-activations are exactly standardized; f of them has the N(0, 1) statistics
                // within the sampling error of 20,000 values that are only roughly Gaussian: 5 %.
                assert!(
                    (layer.std / want - 1.0).abs() < 0.05,
                    "{act:?} layer {}: std {} vs {want}",
                    layer.layer,
                    layer.std
                );
            }
        }
        // The same draws scaled: the same activations up to ε (largest effect at s = 0.01: ε / Var(Z) ≈ 1e-3).
        for ((a, _), (b, _)) in runs.iter().zip(&runs[1..]) {
            for (la, lb) in a.iter().zip(b) {
                assert!((la.std / lb.std - 1.0).abs() < 2e-3, "{act:?} layer {}: {} vs {}", la.layer, la.std, lb.std);
            }
        }
        // What did not change: dL/dW ∝ 1/s (BN divides by the std of Z, which grows with s). ε shifts it: at
        // s = 0.01 Var(Z) = width·s²·E[y²] is 0.005 for ReLU, so ε/Var(Z) = 2e-3 per layer, over 10 layers ≤ 2 %.
        for ((_, ga), (_, gb), ratio) in [(&runs[0], &runs[1], 100.0), (&runs[1], &runs[2], 10.0)] {
            for (la, lb) in ga.iter().zip(gb) {
                let r = la.grad_w_std / lb.grad_w_std;
                assert!((r / ratio - 1.0).abs() < 2e-2, "{act:?} layer {}: dW ratio {r} vs {ratio}", la.layer);
            }
        }
        // Without BatchNorm the same settings vanish or explode: the contrast the panel shows.
        let (plain, _) = run(cfg(act, normal(0.01), depth, width, batch, 3));
        assert!(plain[depth - 1].std < 1e-6, "{act:?} without bn: {}", plain[depth - 1].std);
    }
}

#[test]
fn batch_norm_needs_a_batch_of_two_and_costs_a_third_gemm() {
    let c = ProbeConfig { norm: ProbeNorm::Bn, ..cfg(Activation::Relu, normal(1.0), 3, 10, 1, 0) };
    let e = Probe::new(c).err().expect("batch 1 refused");
    assert_eq!((e.param.as_str(), e.code), ("batch", "out_of_range"));
    assert_eq!(e.value("min"), Some(2.0));
    let c = ProbeConfig { batch: 2, ..c };
    assert!(Probe::new(c).is_ok());
    assert_eq!(c.backward_flops(), 3.0 * c.forward_flops());
    assert_eq!(ProbeNorm::parse("bn").unwrap(), ProbeNorm::Bn);
    assert_eq!(ProbeNorm::parse("none").unwrap(), ProbeNorm::None);
    let e = ProbeNorm::parse("gn").unwrap_err();
    assert_eq!((e.param.as_str(), e.code), ("norm", "unknown_value"));
}
