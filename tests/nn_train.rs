//! Training: optimizers against hand-computed PyTorch updates, schedules against torch's closed forms, freezing,
//! determinism, snapshots, and accuracy on generated data.

use cnn_playground::augment::Pipeline;
use cnn_playground::data::symbols::SymbolConfig;
use cnn_playground::data::{Batcher, Dataset, Split, SplitSpec};
use cnn_playground::nn::layer::Parameter;
use cnn_playground::nn::model::{Model, ModelConfig};
use cnn_playground::nn::optim::{Method, Optimizer, OptimizerConfig, Schedule};
use cnn_playground::nn::spec::{ModelSpec, Shape};
use cnn_playground::rng::seeded;
use rand::RngExt;

// ------------------------------------------------------------------ optimizers

/// θ₀ and three fixed gradients; the expected values below were computed by hand from torch.optim's update rules
/// (module docs of src/nn/optim.rs), in f64, step by step, e.g. SGD with momentum 0.9 and weight decay 0.01,
/// step 1: d = g + 0.01·θ = (0.105, −0.215, 0.32), b = d, θ = θ − 0.1·d = (0.4895, −1.4785, 1.968).
const THETA0: [f32; 3] = [0.5, -1.5, 2.0];
const GRADS: [[f32; 3]; 3] = [[0.1, -0.2, 0.3], [-0.05, 0.4, 0.0], [0.2, 0.1, -0.3]];

fn run_optimizer(config: OptimizerConfig) -> Vec<[f32; 3]> {
    let mut p = Parameter {
        name: "0.weight".into(),
        shape: vec![3],
        value: THETA0.to_vec(),
        grad: vec![0.0; 3],
        trainable: true,
    };
    let mut opt = Optimizer::new(config);
    GRADS
        .iter()
        .map(|g| {
            p.grad.copy_from_slice(g);
            opt.step(std::iter::once(&mut p));
            [p.value[0], p.value[1], p.value[2]]
        })
        .collect()
}

fn assert_close(got: &[[f32; 3]], want: &[[f64; 3]], what: &str) {
    // f32 arithmetic on values of order 1: a few ulps (1.2e-7 each) per step.
    for (step, (g, w)) in got.iter().zip(want).enumerate() {
        for (a, b) in g.iter().zip(w) {
            assert!((*a as f64 - b).abs() < 2e-6, "{what} step {}: {g:?} vs {w:?}", step + 1);
        }
    }
}

fn sgd(lr: f64, momentum: f64, nesterov: bool, weight_decay: f64) -> OptimizerConfig {
    OptimizerConfig { method: Method::Sgd { momentum, nesterov }, lr, weight_decay, schedule: Schedule::Constant }
}

#[test]
fn sgd_matches_pytorch() {
    let plain = [[0.49, -1.48, 1.97], [0.495, -1.52, 1.97], [0.475, -1.53, 2.0]];
    assert_close(&run_optimizer(sgd(0.1, 0.0, false, 0.0)), &plain, "sgd");
    let momentum =
        [[0.4895, -1.4785, 1.968], [0.4845605, -1.4976715, 1.937232], [0.4596303895, -1.5234281785, 1.937603568]];
    assert_close(&run_optimizer(sgd(0.1, 0.9, false, 0.01)), &momentum, "momentum + weight decay");
    let nesterov = [[0.481, -1.462, 1.943], [0.4824, -1.5218, 1.9187], [0.44116, -1.55862, 1.95383]];
    assert_close(&run_optimizer(sgd(0.1, 0.9, true, 0.0)), &nesterov, "nesterov");
}

#[test]
fn adam_matches_pytorch() {
    let config = OptimizerConfig {
        method: Method::Adam { beta1: 0.9, beta2: 0.999, eps: 1e-8 },
        lr: 0.01,
        weight_decay: 0.1,
        schedule: Schedule::Constant,
    };
    let want = [
        [0.4900000006666666, -1.4900000002857143, 1.9900000002],
        [0.4833492006357781, -1.4888938781737724, 1.981021888843838],
        [0.4752235505715115, -1.4873232138199268, 1.9753927116492864],
    ];
    assert_close(&run_optimizer(config), &want, "adam");
}

#[test]
fn schedules_match_torch_closed_forms() {
    let step = Schedule::Step { step_size: 3, gamma: 0.5 };
    let want = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025];
    for (t, w) in want.iter().enumerate() {
        assert!((step.lr(0.1, t as u64) - w).abs() < 1e-15, "step t={t}");
    }
    // CosineAnnealingLR(T_max=4, eta_min=0.001): 0.001 + 0.099·(1 + cos(πt/4))/2, periodic past T_max.
    let cosine = Schedule::Cosine { t_max: 4, eta_min: 0.001 };
    let want = [
        0.1,
        0.0855017856687341,
        0.0505,
        0.0154982143312659,
        0.001,
        0.0154982143312659,
        0.0505,
        0.0855017856687341,
        0.1,
    ];
    for (t, w) in want.iter().enumerate() {
        assert!((cosine.lr(0.1, t as u64) - w).abs() < 1e-15, "cosine t={t}");
    }
    assert_eq!(Schedule::Constant.lr(0.1, 1000), 0.1);
    // The optimizer uses the lr of its step count: with step(size1_gamma0.5), plain SGD moves by 0.1·g, then 0.05·g.
    let config =
        OptimizerConfig { schedule: Schedule::parse("step(size1_gamma0.5)").unwrap(), ..sgd(0.1, 0.0, false, 0.0) };
    let got = run_optimizer(config);
    assert_close(&got[..2], &[[0.49, -1.48, 1.97], [0.4925, -1.5, 1.97]], "scheduled sgd");
}

#[test]
fn optimizer_syntax() {
    let o = OptimizerConfig::parse("adam(lr3e-4_wd1e-2)").unwrap();
    assert_eq!(o.method, Method::Adam { beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    assert_eq!((o.lr, o.weight_decay), (3e-4, 0.01));
    assert_eq!(o.to_string(), "adam(lr3e-4_wd0.01)");
    assert_eq!(OptimizerConfig::parse("sgd(lr0.01_m0.9)").unwrap(), OptimizerConfig::default());
    assert_eq!(OptimizerConfig::default().to_string(), "sgd(m0.9)");
    assert_eq!(OptimizerConfig::parse("sgd(nesterov)").unwrap_err().code, "nesterov_needs_momentum");
    let e = OptimizerConfig::parse("rmsprop").unwrap_err();
    assert_eq!((e.param.as_str(), e.code), ("opt", "unknown_step"));
    assert_eq!(Schedule::parse("cosine(tmax100)").unwrap(), Schedule::Cosine { t_max: 100, eta_min: 0.0 });
    assert_eq!(Schedule::parse("step").unwrap_err().code, "missing_required");
    assert_eq!(Schedule::parse("step(size10_gamma0.5)").unwrap().to_string(), "step(size10_gamma0.5)");
}

/// The page's `opt` list and `momentum`/`wd` limits (core_catalog) are METHODS and `range`: each name parses, each
/// range's ends are accepted and a step past them is refused, naming the setting.
#[test]
fn the_optimizer_names_and_ranges_the_page_is_given_are_what_parse_accepts() {
    use cnn_playground::nn::optim::METHODS;
    for method in METHODS {
        assert!(OptimizerConfig::parse(method).is_ok(), "{method}");
        for key in ["lr", "wd"] {
            let (lo, hi) = OptimizerConfig::range(method, key).unwrap();
            assert_eq!(OptimizerConfig::range(method, key), OptimizerConfig::range("sgd", key), "{method} {key}");
            for ok in [lo, hi] {
                assert!(OptimizerConfig::parse(&format!("{method}({key}{ok})")).is_ok(), "{method} {key}{ok}");
            }
            let e = OptimizerConfig::parse(&format!("{method}({key}{})", hi * 1.01)).unwrap_err();
            assert_eq!(e.code, "out_of_range", "{method} {key}");
        }
    }
    let (lo, hi) = OptimizerConfig::range("sgd", "m").unwrap();
    assert_eq!((lo, hi), (0.0, 0.999));
    assert!(OptimizerConfig::parse("sgd(m0.999)").is_ok());
    assert!(OptimizerConfig::parse("sgd(m1)").is_err());
    assert_eq!(OptimizerConfig::range("adam", "m"), None);
    assert_eq!(OptimizerConfig::range("rmsprop", "lr"), None);
}

// ------------------------------------------------------------------ models on data

/// A random batch of the default net's input with labels.
fn batch(seed: u64, n: usize) -> (Vec<f32>, Vec<u32>) {
    let mut rng = seeded(seed);
    let x = (0..n * 784).map(|_| rng.random::<f32>()).collect();
    let y = (0..n).map(|_| rng.random_range(0..10u32)).collect();
    (x, y)
}

fn model(spec: &str, optimizer: &str, seed: u64) -> Model {
    Model::new(ModelConfig {
        spec: ModelSpec::parse(spec).unwrap(),
        input: Shape::image(1, 28, 28),
        init: None,
        optimizer: OptimizerConfig::parse(optimizer).unwrap(),
        seed,
    })
    .unwrap()
}

const DEFAULT: &str = cnn_playground::nn::spec::DEFAULT_SPEC;

#[test]
fn freezing_keeps_weights_skips_their_gradients_and_stops_backward() {
    let (x, y) = batch(1, 8);
    // GEMMs per step of the default net (conv 0, conv 3, dense 7): 3 forward, then per trainable layer a weight
    // gradient, and an input gradient for every layer with parameters above the lowest trainable one.
    let cases: [(&str, Vec<usize>, u64); 5] = [
        ("nothing frozen", vec![], 3 + 2 + 2 + 1),
        ("first conv", vec![0], 3 + 2 + 1),
        ("both convs (all but the head)", vec![0, 3], 3 + 1),
        ("the middle conv only", vec![3], 3 + 2 + 1 + 1),
        ("everything", vec![0, 3, 7], 3),
    ];
    for (what, frozen, gemms) in cases {
        let mut m = model(DEFAULT, "adam(wd0.01)", 3);
        m.freeze_layers(&frozen).unwrap();
        let before: Vec<Parameter> = m.params().cloned().collect();
        let calls = m.gemm_calls();
        for _ in 0..25 {
            m.train_step(&x, &y, 8).unwrap();
        }
        assert_eq!((m.gemm_calls() - calls) / 25, gemms, "{what}: GEMMs per step");
        for (b, a) in before.iter().zip(m.params()) {
            let layer: usize = b.name.split('.').next().unwrap().parse().unwrap();
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            if frozen.contains(&layer) {
                assert_eq!(bits(&a.value), bits(&b.value), "{what}: {} changed", a.name);
                // Gradients start at zero and are written only when computed.
                assert!(a.grad.iter().all(|&g| g == 0.0), "{what}: {} has a gradient", a.name);
                assert!(!a.trainable);
            } else {
                assert_ne!(bits(&a.value), bits(&b.value), "{what}: {} did not train", a.name);
            }
        }
    }
}

#[test]
fn freezing_does_not_change_the_gradients_of_trainable_layers() {
    let (x, y) = batch(2, 6);
    let mut all = model(DEFAULT, "", 4);
    let mut head = model(DEFAULT, "", 4);
    head.freeze_first(1).unwrap();
    all.compute_gradients(&x, &y, 6).unwrap();
    head.compute_gradients(&x, &y, 6).unwrap();
    for (a, h) in all.params().zip(head.params()).skip(2) {
        assert_eq!(a.grad, h.grad, "{}", a.name);
    }
    // The k-first and head helpers, and their errors.
    head.freeze_all_but_head().unwrap();
    assert_eq!(
        head.params().filter(|p| p.trainable).map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["7.weight", "7.bias"]
    );
    assert_eq!(head.trainable_param_count(), 2_570);
    head.freeze_first(0).unwrap();
    assert_eq!(head.trainable_param_count(), 5_994);
    assert_eq!(head.freeze_first(4).unwrap_err().code, "out_of_range");
    assert_eq!(head.set_trainable(1, false).unwrap_err().code, "no_parameters");
    assert_eq!(head.set_trainable(8, false).unwrap_err().code, "no_such_layer");
    // FLOPs follow the freezing: conv base frozen leaves forward + the head's weight gradient.
    head.freeze_all_but_head().unwrap();
    assert_eq!(head.flops().training, head.flops().forward + 2.0 * 2_560.0);
}

#[test]
fn same_seed_same_losses_and_snapshots_continue_exactly() {
    let spec = "conv(6_k3_p1)~relu~maxpool(2)~dropout(0.3)~flatten~dense(32)~gelu~dropout~dense(10)";
    let run = |steps: usize| {
        let mut m = model(spec, "adam(lr1e-3)", 9);
        (0..steps)
            .map(|s| m.train_step(&batch(100 + s as u64, 10).0, &batch(100 + s as u64, 10).1, 10).unwrap().to_bits())
            .collect::<Vec<u32>>()
    };
    let a = run(12);
    assert_eq!(a, run(12), "same seed, same losses");
    // Pause after 5 steps, keep going on the original (perturbing nothing), restore into a fresh model of another
    // seed, continue: the losses are bit-identical to the uninterrupted run.
    let mut m = model(spec, "adam(lr1e-3)", 9);
    let step = |m: &mut Model, s: usize| {
        m.train_step(&batch(100 + s as u64, 10).0, &batch(100 + s as u64, 10).1, 10).unwrap().to_bits()
    };
    for s in 0..5 {
        step(&mut m, s);
    }
    let snap = m.snapshot();
    let mut other = model(spec, "sgd", 123);
    other.restore(&snap).unwrap();
    let resumed: Vec<u32> = (5..12).map(|s| step(&mut other, s)).collect();
    assert_eq!(resumed, a[5..]);
    // Evaluation in between changes nothing (eval mode draws no dropout masks).
    let mut m = model(spec, "adam(lr1e-3)", 9);
    let mut losses = Vec::new();
    for s in 0..12 {
        if s == 6 {
            let (x, y) = batch(7, 30);
            m.evaluate(&x, &y, 30).unwrap();
        }
        losses.push(step(&mut m, s));
    }
    assert_eq!(losses, a);
    // A snapshot of another net does not fit.
    assert_eq!(model(DEFAULT, "", 0).restore(&snap).unwrap_err().code, "snapshot_mismatch");
}

#[test]
fn dropout_is_off_in_evaluation_and_seeded_in_training() {
    let spec = "flatten~dropout(0.5)~dense(10)";
    let (x, y) = batch(3, 4);
    let mut m = model(spec, "", 1);
    let a = m.forward(&x, 4).unwrap().to_vec();
    let b = m.forward(&x, 4).unwrap().to_vec();
    assert_eq!(a, b, "evaluation is deterministic");
    // Without dropout the logits are the dense layer's alone: the same net without the dropout layer, same weights.
    let mut plain = model("flatten~dense(10)", "", 1);
    let (w, bias) = (m.param("2.weight").unwrap().value.clone(), m.param("2.bias").unwrap().value.clone());
    plain.set_param("1.weight", &w).unwrap();
    plain.set_param("1.bias", &bias).unwrap();
    assert_eq!(plain.forward(&x, 4).unwrap(), &a[..]);
    // The per-layer outputs of the last pass: the dense layer's are the logits.
    assert_eq!(m.layer_output(2).unwrap(), &a[..]);
    assert_eq!(m.layer_output(0).unwrap(), &x[..]);
    assert!(m.layer_output(3).is_none());
    let l1 = m.compute_gradients(&x, &y, 4).unwrap();
    let l2 = m.compute_gradients(&x, &y, 4).unwrap();
    assert_ne!(l1, l2, "two training passes draw two masks");
}

#[test]
fn bad_batches_are_errors() {
    let mut m = model(DEFAULT, "", 0);
    let (x, y) = batch(1, 2);
    let code = |r: cnn_playground::Result<f32>| r.unwrap_err().code;
    assert_eq!(code(m.train_step(&x[..100], &y, 2)), "wrong_length");
    assert_eq!(code(m.train_step(&x, &y[..1], 2)), "wrong_length");
    assert_eq!(code(m.train_step(&x, &[0, 10], 2)), "label_out_of_range");
    assert_eq!(code(m.train_step(&[], &[], 0)), "out_of_range");
    let mut nan = x.clone();
    nan[5] = f32::NAN;
    let e = m.train_step(&nan, &y, 2).unwrap_err();
    assert_eq!((e.param.as_str(), e.code, e.value("index")), ("x", "not_finite", Some(5.0)));
    assert_eq!(m.set_param("0.weight", &[1.0]).unwrap_err().code, "wrong_length");
    assert_eq!(m.set_param("5.weight", &[1.0]).unwrap_err().code, "unknown_parameter");
    assert_eq!(m.evaluate(&x, &y[..1], 2).unwrap_err().code, "wrong_length");
}

/// Trains the default net with the default optimizer (SGD, lr 0.01, momentum 0.9, batch 20) on `train` and returns
/// the validation accuracy.
fn train_and_validate(data: &Dataset, split: &Split, steps: usize, seed: u64) -> f64 {
    let mut m = Model::new(ModelConfig {
        input: Shape::image(data.channels(), data.height(), data.width()),
        seed,
        ..ModelConfig::default()
    })
    .unwrap();
    let mut batcher = Batcher::new(data, &split.train, 20, Pipeline::default(), seed).unwrap();
    let (mut x, mut y) = (vec![0.0; 20 * data.example_len()], vec![0; 20]);
    for _ in 0..steps {
        let b = batcher.next_batch(data, &mut x, &mut y).unwrap();
        m.train_step(&x[..b.len * data.example_len()], &y[..b.len], b.len).unwrap();
    }
    let n = split.val.len();
    let (mut vx, mut vy) = (vec![0.0; n * data.example_len()], vec![0; n]);
    data.gather(&split.val, &mut vx, &mut vy).unwrap();
    m.evaluate(&vx, &vy, n).unwrap().accuracy
}

#[test]
fn the_default_net_learns_generated_symbols() {
    // 10 classes of the symbol generator with its default style (rotation ±15°, jitter, noise 0.03), 100 per class,
    // a quarter held out. 200 steps of 20 are 5.3 epochs of the 750 training images.
    let data = SymbolConfig::default().generate().unwrap();
    let split = Split::stratified(
        data.labels(),
        data.classes(),
        &SplitSpec { val_fraction: 0.25, train_per_class: None, seed: 0 },
    )
    .unwrap();
    let accuracy = train_and_validate(&data, &split, 200, 1);
    assert!(accuracy >= 0.95, "validation accuracy {accuracy}");
}

#[test]
fn the_default_net_learns_the_real_digits() {
    // The UCI digits upsampled to 28×28, the fixed split (1,346 train / 451 validation); 400 steps of 20 are about
    // 6 epochs. An RBF SVM reaches 0.993 on this split (BENCHMARKS.md); the issue asks for at least 0.90, we hold it to 0.95.
    let data = cnn_playground::data::Digits::embedded().to_dataset(28, 28).unwrap();
    let split = Split::stratified(data.labels(), data.classes(), &cnn_playground::data::DIGITS_SPLIT).unwrap();
    let accuracy = train_and_validate(&data, &split, 400, 1);
    assert!(accuracy >= 0.95, "validation accuracy {accuracy}");
}
