//! BatchNorm and GroupNorm against PyTorch's semantics written out independently in f64: forward values, gradient
//! checks by central differences (training and evaluation mode), running statistics computed by hand, frozen layers,
//! the one-value refusal, the grammar, snapshots and the state_dict export.
//!
//! # Tolerances
//! As in tests/nn_grad.rs: the reference derivative is the central difference D(h) in f64, its truncation error
//! estimated by 2·|D(h) − D(h/2)|; on top, the engine's f32 arithmetic (sums of at most a few hundred values and a
//! handful of products per output): 1e-5 of the tensor's largest gradient plus 1e-4 relative. Forward values are
//! within 1e-5·(1 + |y|) (normalized values are O(1) and come from f32 sums of ≤ 200 values). The running statistics
//! are the f64 formula rounded to f32 once, from f32 batch statistics: within 1e-6 relative.

use cnn_playground::nn::export::{Preprocess, pytorch_code};
use cnn_playground::nn::layer::{Kernels, Layer, Wants};
use cnn_playground::nn::model::{Model, ModelConfig, StateValues};
use cnn_playground::nn::norm::{EPS, MOMENTUM};
use cnn_playground::nn::optim::OptimizerConfig;
use cnn_playground::nn::safetensors::{SafetensorsFile, load_safetensors, to_safetensors};
use cnn_playground::nn::spec::{LayerPlan, LayerSpec, ModelSpec, Shape};
use cnn_playground::rng::{Rng, seeded};
use rand::RngExt;

fn uniform(rng: &mut Rng, n: usize, lo: f32, hi: f32) -> Vec<f32> {
    (0..n).map(|_| lo + (hi - lo) * rng.random::<f32>()).collect()
}

fn f64s(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| x as f64).collect()
}

/// Running statistics for the evaluation-mode reference (`None`: training mode, the batch's).
struct Running<'a> {
    mean: &'a [f64],
    var: &'a [f64],
}

/// The norm layer by its definition (PyTorch's docs), on a batch of n in NCHW, in f64.
fn reference(plan: &LayerPlan, w: &[f64], b: &[f64], x: &[f64], n: usize, running: Option<&Running>) -> Vec<f64> {
    let s = plan.input;
    let (c, p) = (s.c, s.h * s.w);
    let eps = EPS as f64;
    let mut y = vec![0.0; x.len()];
    match plan.spec {
        LayerSpec::BatchNorm => {
            for ch in 0..c {
                let idx: Vec<usize> = (0..n).flat_map(|e| (0..p).map(move |j| (e * c + ch) * p + j)).collect();
                let (mean, var) = match running {
                    Some(r) => (r.mean[ch], r.var[ch]),
                    None => {
                        let m = idx.iter().map(|&i| x[i]).sum::<f64>() / idx.len() as f64;
                        (m, idx.iter().map(|&i| (x[i] - m).powi(2)).sum::<f64>() / idx.len() as f64)
                    }
                };
                for &i in &idx {
                    y[i] = (x[i] - mean) / (var + eps).sqrt() * w[ch] + b[ch];
                }
            }
        }
        LayerSpec::GroupNorm { groups } => {
            let per = c / groups * p;
            for (eg, (src, dst)) in x.chunks_exact(per).zip(y.chunks_exact_mut(per)).enumerate() {
                let m = src.iter().sum::<f64>() / per as f64;
                let var = src.iter().map(|v| (v - m).powi(2)).sum::<f64>() / per as f64;
                for (j, (d, &v)) in dst.iter_mut().zip(src).enumerate() {
                    let ch = (eg % groups) * (c / groups) + j / p;
                    *d = (v - m) / (var + eps).sqrt() * w[ch] + b[ch];
                }
            }
        }
        _ => unreachable!("norm layers only"),
    }
    y
}

/// Analytic gradients against central differences of `loss` (see the module docs); there are no kinks here.
fn check(what: &str, point: &[f64], analytic: &[f32], loss: &dyn Fn(&[f64]) -> f64) {
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
    assert!(scale > 1e-3, "{what}: the gradients are all about 0 ({scale:e}); the check would prove nothing");
    for (i, (&(d, d2), &a)) in numeric.iter().zip(analytic).enumerate() {
        let tol = 2.0 * (d - d2).abs() + 1e-5 * scale + 1e-4 * d2.abs() + 1e-9;
        assert!((a as f64 - d2).abs() <= tol, "{what}[{i}]: engine {a}, central difference {d2} (tolerance {tol:.2e})");
    }
}

/// One norm layer with random γ, β (and running statistics for evaluation): forward against the reference, then
/// dL/dγ, dL/dβ and dL/dx for L = Σ G ⊙ y with a random G.
fn check_layer(spec: &str, input: Shape, n: usize, train: bool, seed: u64) {
    let plan = ModelSpec::parse(spec).unwrap().plan(input).unwrap()[0];
    let mut layer = Layer::new(&plan, 0);
    let mut rng = seeded(seed);
    let [w, b] = layer.params_mut().unwrap();
    w.value = uniform(&mut rng, w.len(), 0.5, 1.5);
    b.value = uniform(&mut rng, b.len(), -0.5, 0.5);
    let (rm, rv) = (uniform(&mut rng, input.c, -0.5, 0.5), uniform(&mut rng, input.c, 0.5, 2.0));
    if let Layer::BatchNorm(bn) = &mut layer {
        bn.running_mean.clone_from(&rm);
        bn.running_var.clone_from(&rv);
    }
    // Inputs off centre and of unequal spread, so the mean and variance terms matter.
    let x: Vec<f32> = uniform(&mut rng, n * input.len(), -1.0, 2.0)
        .iter()
        .enumerate()
        .map(|(i, v)| v * (1.0 + (i % 3) as f32))
        .collect();
    let g = uniform(&mut rng, x.len(), -1.0, 1.0);
    let mut kernels = Kernels::default();
    let mut y = vec![0.0; x.len()];
    layer.forward(&mut kernels, &x, &mut y, n, train, &mut rng);
    let mut dx = vec![f32::NAN; x.len()];
    layer.backward(&mut kernels, &x, &g, &mut dx, n, Wants { params: true, input: true });

    let [wp, bp] = layer.params().unwrap();
    let (w, b) = (f64s(&wp.value), f64s(&bp.value));
    let (rmd, rvd) = (f64s(&rm), f64s(&rv));
    let running = Running { mean: &rmd, var: &rvd };
    let r = if train || matches!(plan.spec, LayerSpec::GroupNorm { .. }) { None } else { Some(&running) };
    let (xd, gd) = (f64s(&x), f64s(&g));
    let want = reference(&plan, &w, &b, &xd, n, r);
    for (k, (&got, &want)) in y.iter().zip(&want).enumerate() {
        assert!((got as f64 - want).abs() <= 1e-5 * (1.0 + want.abs()), "{spec} forward[{k}]: {got} vs {want}");
    }
    let dot = |y: Vec<f64>| y.iter().zip(&gd).map(|(a, b)| a * b).sum::<f64>();
    let mode = if train { "train" } else { "eval" };
    check(&format!("{spec} {mode} dx"), &xd, &dx, &|xp| dot(reference(&plan, &w, &b, xp, n, r)));
    check(&format!("{spec} {mode} dγ"), &w, &wp.grad, &|wv| dot(reference(&plan, wv, &b, &xd, n, r)));
    check(&format!("{spec} {mode} dβ"), &b, &bp.grad, &|bv| dot(reference(&plan, &w, bv, &xd, n, r)));
}

#[test]
fn batch_norm_gradients_in_training_and_evaluation() {
    for train in [true, false] {
        // After a conv: per channel over N×H×W, a batch of 2 (planes of 5×3 and of 3×3, one with an odd tail).
        check_layer("bn", Shape::image(3, 5, 3), 2, train, 1);
        check_layer("bn", Shape::image(2, 3, 3), 2, train, 2);
        // After dense: per feature over N.
        check_layer("bn", Shape::flat(6), 5, train, 3);
    }
    // A batch of 2 on a flat input has two values per feature: x̂ = ±1 whatever x, so only ε is left in dL/dx; the
    // parameter gradients are still checked, in evaluation mode everything is.
    check_layer("bn", Shape::flat(4), 2, false, 4);
}

#[test]
fn group_norm_gradients_at_batch_one_and_more() {
    for train in [true, false] {
        check_layer("gn(2)", Shape::image(4, 3, 5), 1, train, 5);
        check_layer("gn(1)", Shape::image(3, 4, 4), 1, train, 6);
        check_layer("gn(3)", Shape::image(6, 2, 3), 3, train, 7);
        // Instance-norm-like: one channel per group; and on a flat input, groups of features.
        check_layer("gn(4)", Shape::image(4, 3, 3), 2, train, 8);
        check_layer("gn(2)", Shape::flat(8), 1, train, 9);
    }
}

fn model(spec: &str, input: Shape, seed: u64) -> Model {
    Model::new(ModelConfig {
        spec: ModelSpec::parse(spec).unwrap(),
        input,
        init: None,
        optimizer: OptimizerConfig::parse("sgd(lr0.1_m0.9)").unwrap(),
        seed,
    })
    .unwrap()
}

fn running(m: &Model, i: usize) -> (Vec<f32>, Vec<f32>, i64) {
    let state = m.state_dict();
    let get = |s: &str| state.iter().find(|t| t.name == format!("{i}.{s}")).unwrap().values;
    let f = |s: &str| if let StateValues::F32(v) = get(s) { v.to_vec() } else { panic!("{s} is f32") };
    let StateValues::I64(count) = get("num_batches_tracked") else { panic!("num_batches_tracked is i64") };
    (f("running_mean"), f("running_var"), count)
}

/// BatchNorm first, on the images themselves, so every batch's statistics come straight from the data: after each
/// step the running mean and variance are 0.9·old + 0.1·(batch mean, unbiased batch variance), from 0 and 1.
#[test]
fn running_statistics_after_one_and_two_steps_by_hand() {
    let input = Shape::image(2, 2, 3);
    let mut m = model("bn~flatten~dense(3)", input, 1);
    assert_eq!(running(&m, 0), (vec![0.0; 2], vec![1.0; 2], 0));
    assert_eq!(m.param("0.weight").unwrap().value, [1.0, 1.0]);
    assert_eq!(m.param("0.bias").unwrap().value, [0.0, 0.0]);
    let mut rng = seeded(2);
    let n = 3;
    let (mut rm, mut rv) = (vec![0.0f64; 2], vec![1.0f64; 2]);
    for step in 1..=2 {
        let x: Vec<f32> = uniform(&mut rng, n * input.len(), -1.0, 3.0);
        m.train_step(&x, &[0, 1, 2], n).unwrap();
        for ch in 0..2 {
            let vals: Vec<f64> = (0..n).flat_map(|e| x[(e * 2 + ch) * 6..][..6].iter().map(|&v| v as f64)).collect();
            let mean = vals.iter().sum::<f64>() / 18.0;
            let unbiased = vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 17.0;
            rm[ch] = (1.0 - MOMENTUM) * rm[ch] + MOMENTUM * mean;
            rv[ch] = (1.0 - MOMENTUM) * rv[ch] + MOMENTUM * unbiased;
        }
        let (gm, gv, count) = running(&m, 0);
        assert_eq!(count, step);
        for ch in 0..2 {
            assert!((gm[ch] as f64 - rm[ch]).abs() <= 1e-6 * (1.0 + rm[ch].abs()), "step {step} mean {gm:?} vs {rm:?}");
            assert!((gv[ch] as f64 - rv[ch]).abs() <= 1e-6 * rv[ch], "step {step} var {gv:?} vs {rv:?}");
        }
    }
    // Evaluation normalizes by the running statistics (with the trained γ, β) and changes nothing.
    let before = running(&m, 0);
    let x: Vec<f32> = uniform(&mut rng, input.len(), -1.0, 3.0);
    m.forward(&x, 1).unwrap();
    assert_eq!(running(&m, 0), before);
    let (g, b) = (m.param("0.weight").unwrap().value.clone(), m.param("0.bias").unwrap().value.clone());
    for (i, &y) in m.layer_output(0).unwrap().iter().enumerate() {
        let ch = i / 6;
        let want = (x[i] as f64 - before.0[ch] as f64) / (before.1[ch] as f64 + EPS as f64).sqrt() * g[ch] as f64
            + b[ch] as f64;
        assert!((y as f64 - want).abs() <= 1e-5 * (1.0 + want.abs()), "eval output {i}: {y} vs {want}");
    }
    let e = m.evaluate(&x, &[1], 1).unwrap();
    assert_eq!(running(&m, 0), before, "evaluate must not move the statistics ({e:?})");
}

/// A frozen BatchNorm keeps its statistics bit for bit, normalizes by them in training (its output in a training
/// step equals the evaluation output), its γ and β stay, and the layers above still train.
#[test]
fn a_frozen_batch_norm_keeps_and_uses_its_running_statistics() {
    let input = Shape::image(1, 6, 6);
    let mut m = model("conv(4_k3_p1)~bn~relu~flatten~dense(3)", input, 3);
    let mut rng = seeded(4);
    let n = 4;
    let x: Vec<f32> = uniform(&mut rng, n * input.len(), 0.0, 1.0);
    let y = [0u32, 1, 2, 1];
    for _ in 0..3 {
        m.train_step(&x, &y, n).unwrap(); // statistics away from 0 and 1
    }
    m.freeze_first(2).unwrap();
    assert!(!m.is_trainable(1) && m.is_trainable(4));
    let (stats, gamma, head) =
        (running(&m, 1), m.param("1.weight").unwrap().clone(), m.param("4.weight").unwrap().value.clone());
    for _ in 0..3 {
        m.train_step(&x, &y, n).unwrap();
    }
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let after = running(&m, 1);
    assert_eq!((bits(&after.0), bits(&after.1), after.2), (bits(&stats.0), bits(&stats.1), stats.2));
    assert_eq!(m.param("1.weight").unwrap(), &gamma);
    assert_ne!(m.param("4.weight").unwrap().value, head, "the head trains");
    let in_training = m.layer_output(1).unwrap().to_vec();
    m.forward(&x, n).unwrap();
    assert_eq!(bits(&in_training), bits(m.layer_output(1).unwrap()));
    // Trainable again: it normalizes by the batch, so the training output differs from evaluation's.
    m.freeze_first(0).unwrap();
    m.compute_gradients(&x, &y, n).unwrap();
    assert_ne!(bits(m.layer_output(1).unwrap()), bits(&in_training));
    assert_eq!(running(&m, 1).2, stats.2 + 1);
}

#[test]
fn one_value_per_channel_in_training_is_refused() {
    let mut m = model("flatten~dense(4)~bn~dense(2)", Shape::image(1, 3, 3), 5);
    let x = vec![0.5f32; 9];
    let before = (running(&m, 2), m.param("1.weight").unwrap().clone());
    let e = m.train_step(&x, &[1], 1).unwrap_err();
    assert_eq!((e.param.as_str(), e.code), ("batch", "one_value_per_channel"));
    assert!(e.message.contains("layer 2 (bn)") && e.message.contains("batch of 1"), "{}", e.message);
    assert_eq!((e.value("layer"), e.value("batch")), (Some(2.0), Some(1.0)));
    assert_eq!((running(&m, 2), m.param("1.weight").unwrap().clone()), before, "nothing changed");
    m.forward(&x, 1).unwrap(); // evaluation at batch 1 is fine
    m.train_step(&[x.clone(), x.clone()].concat(), &[1, 0], 2).unwrap();
    // Frozen, it uses its running statistics: a batch of 1 trains the head.
    m.freeze_layers(&[1, 2]).unwrap();
    m.train_step(&x, &[1], 1).unwrap();
    // After a conv a channel has H·W values: a batch of 1 is fine unless the map is 1×1.
    let mut conv = model("conv(2_k3)~bn~flatten~dense(2)", Shape::image(1, 4, 4), 6);
    conv.train_step(&[0.3; 16], &[0], 1).unwrap();
    let mut one = model("conv(2_k3)~bn~flatten~dense(2)", Shape::image(1, 3, 3), 6);
    assert_eq!(one.train_step(&[0.3; 9], &[0], 1).unwrap_err().code, "one_value_per_channel");
    // GroupNorm has no such limit.
    model("flatten~dense(4)~gn(2)~dense(2)", Shape::image(1, 3, 3), 7).train_step(&x, &[1], 1).unwrap();
}

#[test]
fn the_grammar_reads_and_writes_norm_layers() {
    let text = "conv(8_p1)~bn~relu~gn(4)~maxpool(2)~flatten~dense(10)~bn~relu~dense(3)";
    let spec = ModelSpec::parse(text).unwrap();
    assert_eq!(spec.to_string(), text);
    assert_eq!(spec.layers[1], LayerSpec::BatchNorm);
    assert_eq!(spec.layers[3], LayerSpec::GroupNorm { groups: 4 });
    let plans = spec.plan(Shape::image(1, 8, 8)).unwrap();
    assert_eq!((plans[1].params, plans[3].params, plans[7].params), (16, 16, 20));
    assert_eq!((plans[1].output, plans[3].macs), (Shape::image(8, 8, 8), 0));
    assert!(plans[1].spec.has_params() && plans[3].spec.is_norm());
    let m = model(text, Shape::image(1, 8, 8), 1);
    assert_eq!(m.weight_layers(), [0, 1, 3, 6, 7, 9]);
    assert_eq!(m.param_count(), 80 + 16 + 16 + 1290 + 20 + 33);
    let e = ModelSpec::parse("conv(6)~gn(4)~flatten~dense(2)").unwrap().plan(Shape::image(1, 5, 5)).unwrap_err();
    assert_eq!((e.param.as_str(), e.code), ("model", "groups_not_dividing"));
    assert!(e.message.starts_with("layer 2 (gn): its 4 groups do not divide the 6 channels"), "{}", e.message);
    assert_eq!((e.value("groups"), e.value("channels")), (Some(4.0), Some(6.0)));
    for bad in ["gn", "gn(0)", "gn(2000)", "bn(2)", "gn(1.5)"] {
        assert_eq!(ModelSpec::parse(bad).unwrap_err().param, "model", "{bad}");
    }
}

/// A snapshot holds the running statistics: restoring it and training on continues exactly.
#[test]
fn snapshots_hold_the_running_statistics() {
    let input = Shape::image(2, 5, 5);
    let mut m = model("conv(4_k3)~bn~relu~gn(2)~flatten~dropout(0.2)~dense(3)~bn", input, 8);
    let mut rng = seeded(9);
    let x: Vec<f32> = uniform(&mut rng, 3 * input.len(), 0.0, 1.0);
    let y = [0u32, 1, 2];
    m.train_step(&x, &y, 3).unwrap();
    let snap = m.snapshot();
    let run = |m: &mut Model| {
        let losses: Vec<u32> = (0..2).map(|_| m.train_step(&x, &y, 3).unwrap().to_bits()).collect();
        (losses, to_safetensors(m))
    };
    let first = run(&mut m);
    m.restore(&snap).unwrap();
    assert_eq!(run(&mut m), first);
}

#[test]
fn the_state_dict_round_trips_through_safetensors() {
    let input = Shape::image(1, 6, 6);
    let spec = "conv(4_k3_p1)~bn~relu~gn(2)~flatten~dense(5)~bn~dense(2)";
    let mut trained = model(spec, input, 10);
    let mut rng = seeded(11);
    let x: Vec<f32> = uniform(&mut rng, 4 * input.len(), 0.0, 1.0);
    for _ in 0..3 {
        trained.train_step(&x, &[0, 1, 1, 0], 4).unwrap();
    }
    let bytes = to_safetensors(&trained);
    let file = SafetensorsFile::parse(&bytes).unwrap();
    let names: Vec<&str> = file.tensors.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "0.weight",
            "0.bias",
            "1.weight",
            "1.bias",
            "1.running_mean",
            "1.running_var",
            "1.num_batches_tracked",
            "3.weight",
            "3.bias",
            "5.weight",
            "5.bias",
            "6.weight",
            "6.bias",
            "6.running_mean",
            "6.running_var",
            "6.num_batches_tracked",
            "7.weight",
            "7.bias"
        ]
    );
    let tracked = &file.tensors[6];
    assert_eq!((tracked.dtype.as_str(), tracked.shape.len()), ("I64", 0));
    assert_eq!(i64::from_le_bytes(file.data[tracked.begin..tracked.end].try_into().unwrap()), 3);
    // The reference reader agrees.
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let t = st.tensor("6.num_batches_tracked").unwrap();
    assert_eq!((t.dtype(), t.shape()), (safetensors::Dtype::I64, &[][..]));
    assert_eq!(st.tensor("1.running_var").unwrap().shape(), [4]);

    let mut fresh = model(spec, input, 99);
    load_safetensors(&mut fresh, &bytes).unwrap();
    assert_eq!(to_safetensors(&fresh), bytes);
    let probe: Vec<f32> = uniform(&mut rng, 2 * input.len(), 0.0, 1.0);
    assert_eq!(fresh.forward(&probe, 2).unwrap(), trained.forward(&probe, 2).unwrap());

    // All or nothing: a negative variance, an f32 count or a missing statistic leaves the model as it was.
    let mut other = model(spec, input, 5);
    let untouched = to_safetensors(&other);
    let edit = |name: &str, f: &dyn Fn(&mut Vec<u8>, usize)| {
        let mut b = bytes.clone();
        let t = SafetensorsFile::parse(&bytes).unwrap().tensors.into_iter().find(|t| t.name == name).unwrap();
        let at = 8 + u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize + t.begin;
        f(&mut b, at);
        b
    };
    let negative = edit("6.running_var", &|b, at| b[at..at + 4].copy_from_slice(&(-0.5f32).to_le_bytes()));
    let e = load_safetensors(&mut other, &negative).unwrap_err();
    assert_eq!((e.param.as_str(), e.code), ("weights", "bad_statistic"));
    let count = edit("1.num_batches_tracked", &|b, at| b[at..at + 8].copy_from_slice(&(-1i64).to_le_bytes()));
    assert_eq!(load_safetensors(&mut other, &count).unwrap_err().code, "bad_statistic");
    // A file without the statistics (a GroupNorm-only reader's, or an old export) is refused, naming them.
    let without = to_safetensors(&model("conv(4_k3_p1)~gn(1)~relu~gn(2)~flatten~dense(5)~gn(5)~dense(2)", input, 1));
    let e = load_safetensors(&mut other, &without).unwrap_err();
    assert_eq!(e.code, "missing_tensor");
    assert!(e.message.contains("1.running_mean"), "{}", e.message);
    assert_eq!(to_safetensors(&other), untouched);
}

#[test]
fn the_pytorch_code_has_the_norm_modules() {
    let m = model("conv(4_k3_p1)~bn~relu~gn(2)~flatten~dense(5)~bn~gn(5)~dense(2)", Shape::image(1, 6, 6), 1);
    let code = pytorch_code(&m, &Preprocess::none(m.input_shape()), "w.safetensors").unwrap();
    for line in [
        "    nn.BatchNorm2d(4),  # 1 bn: the running statistics in eval mode\n",
        "    nn.GroupNorm(2, 4),  # 3 gn(2)\n",
        "    nn.BatchNorm1d(5),  # 6 bn: the running statistics in eval mode\n",
        "    nn.GroupNorm(5, 5),  # 7 gn(5)\n",
        "model.eval()  # dropout off and BatchNorm on its running statistics",
    ] {
        assert!(code.contains(line), "missing {line:?} in\n{code}");
    }
}
