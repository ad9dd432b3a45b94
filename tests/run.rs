//! The runs as core sessions (src/run/): a training session takes exactly the steps of a bare model and feed built by
//! hand from the same settings; a snapshot restored continues exactly; the measurement subsets are seeded and pinned;
//! the confusion matrix accounts for every validation image; a transfer cell is the native experiment's run, repeat
//! for repeat; and every setting's bad value — and random, hostile settings objects for every kind of run — is
//! refused with an error naming a setting of that kind, never a panic.

use cnn_playground::data::{DIGITS_SPLIT, Digits, Split, SplitSpec, SymbolConfig};
use cnn_playground::feed::Feed;
use cnn_playground::init::InitConfig;
use cnn_playground::nn::model::{Model, ModelConfig};
use cnn_playground::nn::optim::OptimizerConfig;
use cnn_playground::nn::spec::{ModelSpec, Shape};
use cnn_playground::rng;
use cnn_playground::run::train::{self, Final, TrainEnd, TrainEvent, TrainSession};
use cnn_playground::run::transfer::{self as cell_run, Cell, CellEvent, PretrainSession};
use cnn_playground::run::{Kind, Settings, Value};
use cnn_playground::transfer::plan::{self, Strategy};
use cnn_playground::transfer::zoo;
use std::rc::Rc;

fn digits_bytes() -> Vec<u8> {
    std::fs::read(format!("{}/www/data/digits.bin", env!("CARGO_MANIFEST_DIR"))).expect("www/data/digits.bin")
}

fn zoo_weights(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/www/zoo/{name}.safetensors", env!("CARGO_MANIFEST_DIR"))).expect("the shipped zoo file")
}

const MODEL: &str = "conv(8_k5_p2)~relu~maxpool(2)~conv(16_k5_p2)~relu~maxpool(3)~flatten~dense(10)";

/// The Train panel's settings (its defaults), small: 5 images per class, 4 epochs of batches of 16.
fn settings() -> Settings {
    Settings::new()
        .with("model", MODEL)
        .with("init", "he_normal")
        .with("mode", "fan_in")
        .with("nonlinearity", "auto")
        .with("slope", 0.01)
        .with("dist", "normal")
        .with("std", 0.01)
        .with("a", 0.05)
        .with("opt", "sgd")
        .with("lr", 0.01)
        .with("momentum", 0.9)
        .with("wd", 0.0)
        .with("bs", 16.0)
        .with("epochs", 4.0)
        .with("per_class", 5.0)
        .with("data", "digits")
        .with("aug", "translate~rotate(bilinear)")
        .with("seed", 42.0)
        .with("example", 0.0)
}

/// Every event of a session to its end.
fn drain(session: &mut TrainSession) -> (Vec<train::StepReport>, TrainEnd) {
    let mut steps = Vec::new();
    loop {
        match session.step().unwrap() {
            TrainEvent::Step(r) => steps.push(*r),
            TrainEvent::End(end) => return (steps, *end),
        }
    }
}

fn finished(end: TrainEnd) -> Final {
    match end {
        TrainEnd::Finished(f) => f,
        TrainEnd::Diverged { step, loss, .. } => panic!("diverged at {step}: {loss}"),
    }
}

#[test]
fn a_training_session_takes_the_bare_models_steps_bit_for_bit() {
    let bytes = digits_bytes();
    let mut session = TrainSession::open(&settings(), Some(&bytes)).unwrap();
    let (steps, end) = drain(&mut session);
    // By hand, as the page built it before the session existed: the optimizer from its grammar text, the digits at
    // 28×28 with 5 training images per class, batches of 16 from seed 42 with the pipeline.
    let digits = Digits::parse(&bytes).unwrap();
    let data = Rc::new(digits.to_dataset(28, 28).unwrap());
    let spec = SplitSpec { train_per_class: Some(5), ..DIGITS_SPLIT };
    let split = Rc::new(Split::stratified(data.labels(), data.classes(), &spec).unwrap());
    let init = InitConfig::from_params("he_normal", "fan_in", "auto", 0.01, "normal", 0.01, 0.05).unwrap();
    let mut model = Model::new(ModelConfig {
        spec: ModelSpec::parse(MODEL).unwrap(),
        input: Shape::image(1, 28, 28),
        init: Some(init),
        optimizer: OptimizerConfig::parse("sgd(lr0.01_m0.9_wd0)").unwrap(),
        seed: 42,
    })
    .unwrap();
    let pipeline = cnn_playground::augment::Pipeline::parse("translate~rotate(bilinear)").unwrap();
    let mut feed = Feed::new(data, split, 16, pipeline, 42).unwrap();
    let total = (4 * 50usize).div_ceil(16);
    let bare = feed.train_steps(&mut model, total).unwrap();
    let losses: Vec<f32> = steps.iter().map(|s| s.loss).collect();
    assert_eq!(losses.len(), total, "4 epochs of 50 images in batches of 16");
    assert_eq!(
        losses.iter().map(|l| l.to_bits()).collect::<Vec<_>>(),
        bare.iter().map(|l| l.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(
        finished(end).weights,
        cnn_playground::nn::safetensors::to_safetensors(&model),
        "the same final weights"
    );
}

#[test]
fn a_restored_snapshot_continues_exactly_in_the_same_and_in_a_fresh_session() {
    let bytes = digits_bytes();
    let s = settings().with("opt", "adam").with("lr", 0.003).with("aug", "translate~noise(sigma0.05)");
    let (straight, end) = drain(&mut TrainSession::open(&s, Some(&bytes)).unwrap());
    let straight_final = finished(end);
    let mut a = TrainSession::open(&s, Some(&bytes)).unwrap();
    let mut events = Vec::new();
    for _ in 0..7 {
        events.push(a.step().unwrap()); // 7 batches of 16 from 50 images: mid-epoch
    }
    let snap = a.snapshot();
    for _ in 0..5 {
        a.step().unwrap(); // goes on, then back
    }
    a.restore(&snap).unwrap();
    let (rest, end) = drain(&mut a);
    let mut b = TrainSession::open(&s, Some(&bytes)).unwrap();
    b.step().unwrap(); // a fresh session elsewhere in its run takes the snapshot over
    b.restore(&snap).unwrap();
    let (elsewhere, end_b) = drain(&mut b);
    let first: Vec<f32> = events.iter().map(|e| if let TrainEvent::Step(r) = e { r.loss } else { f32::NAN }).collect();
    let loss = |v: &[train::StepReport]| v.iter().map(|r| r.loss.to_bits()).collect::<Vec<_>>();
    let joined: Vec<u32> = first.iter().map(|l| l.to_bits()).chain(loss(&rest)).collect();
    assert_eq!(joined, loss(&straight));
    let joined_b: Vec<u32> = first.iter().map(|l| l.to_bits()).chain(loss(&elsewhere)).collect();
    assert_eq!(joined_b, loss(&straight));
    assert_eq!(rest.last().unwrap().look, straight.last().unwrap().look, "the same last measurement");
    assert_eq!(finished(end), straight_final);
    assert_eq!(finished(end_b), straight_final);
}

#[test]
fn the_measurement_subsets_are_seeded_ascending_and_pinned() {
    let part: Vec<usize> = (0..451).map(|i| 3 * i).collect();
    let a = train::measure_subset(&part, 200, 42, 2);
    assert_eq!(a.len(), 200);
    assert!(a.windows(2).all(|w| w[0] < w[1]), "ascending, without replacement");
    assert!(a.iter().all(|i| i % 3 == 0 && *i < 1353), "from the part");
    assert_eq!(train::measure_subset(&part, 200, 42, 2), a, "seeded");
    assert_ne!(train::measure_subset(&part, 200, 43, 2), a, "another seed, another subset");
    assert_ne!(train::measure_subset(&part, 200, 42, 1), a, "the parts' salts differ");
    assert_eq!(train::measure_subset(&part[..50], 200, 42, 2), part[..50], "a small part is measured whole");
    // The core RNG's stream (src/rng.rs): a change of it changes which images the curves measure.
    assert_eq!(&a[..8], &PINNED_SUBSET);
    // A session measures those subsets: 200 + 200 of the 400 / 451 images, all of them at the last step.
    let bytes = digits_bytes();
    let mut session =
        TrainSession::open(&settings().with("per_class", 40.0).with("epochs", 1.0), Some(&bytes)).unwrap();
    let (steps, _) = drain(&mut session);
    let (info, before) = steps[0].first.clone().unwrap();
    assert_eq!(info.measured, (200, 200));
    assert_eq!((before.train.n, before.val.n, before.all), (200, 200, false));
    let last = steps.last().unwrap().look.clone().unwrap();
    assert_eq!((last.train.n, last.val.n, last.all), (400, 451, true));
}

const PINNED_SUBSET: [usize; 8] = [12, 18, 27, 33, 39, 42, 45, 51];

#[test]
fn the_confusion_matrix_accounts_for_every_validation_image() {
    let bytes = digits_bytes();
    let mut session = TrainSession::open(&settings().with("aug", ""), Some(&bytes)).unwrap();
    let (steps, end) = drain(&mut session);
    let f = finished(end);
    let last = steps.last().unwrap().look.clone().unwrap();
    let k = f.classes;
    assert_eq!(f.confusion.len(), k * k);
    assert_eq!(f.confusion.iter().sum::<u32>(), 451, "every validation image once");
    let trace: u32 = (0..k).map(|i| f.confusion[i * k + i]).sum();
    assert_eq!(trace as usize, last.val.correct, "the diagonal is the last measurement's correct count");
    assert_eq!(f.wrong_count, 451 - trace as usize);
    assert_eq!(f.misclassified.len(), f.wrong_count.min(train::MISCLASSIFIED_MAX));
    for m in &f.misclassified {
        assert_ne!(m.label, m.predicted);
        assert!(f.confusion[m.label as usize * k + m.predicted as usize] > 0);
    }
    assert_eq!(f.images.len(), f.misclassified.len() * 28 * 28);
    // The 6 ↔ 9 swaps come first: as many as the confusion matrix counts (up to the list's length).
    let swap = |m: &train::Mistake| (m.label, m.predicted) == (6, 9) || (m.label, m.predicted) == (9, 6);
    let swaps = (f.confusion[6 * k + 9] + f.confusion[9 * k + 6]) as usize;
    let listed = f.misclassified.iter().take_while(|m| swap(m)).count();
    assert_eq!(listed, swaps.min(train::MISCLASSIFIED_MAX));
    assert!(f.misclassified[listed..].iter().all(|m| !swap(m)));
    // Per class: each row sums to that class's validation images.
    let data = session.data();
    for c in 0..k {
        let row: u32 = f.confusion[c * k..(c + 1) * k].iter().sum();
        let n = session_val_count(data.labels(), &bytes, c);
        assert_eq!(row as usize, n, "class {c}");
    }
}

/// Batches below 16 measure every 10 · ⌊16 / batch⌋ steps (and at step 0 and the last step), and say so in `info`.
#[test]
fn small_batches_measure_less_often() {
    assert_eq!([1, 2, 3, 4, 5, 8, 15, 16, 32, 64].map(train::measure_every), [160, 80, 50, 40, 30, 20, 10, 10, 10, 10]);
    let bytes = digits_bytes();
    let s = settings().with("bs", 4.0).with("epochs", 4.0).with("aug", "");
    let mut session = TrainSession::open(&s, Some(&bytes)).unwrap();
    let (steps, _) = drain(&mut session);
    let (info, _) = steps[0].first.clone().unwrap();
    assert_eq!(info.every, 40);
    let looks: Vec<usize> = steps.iter().filter_map(|r| r.look.as_ref().map(|l| l.step)).collect();
    assert_eq!(looks, [40, session.total()], "total {}", session.total());
}

/// The listed mistakes (random lists, seeded): the swaps of the pair first, then the rest, each in the order given,
/// and nothing dropped while there is room.
#[test]
fn the_label_traps_swaps_are_listed_first() {
    let mut r = rng::seeded(69);
    for _ in 0..300 {
        let n = rng::below(&mut r, 80) as usize;
        let wrong: Vec<train::Mistake> = (0..n)
            .map(|index| {
                let label = rng::below(&mut r, 10) as u32;
                let predicted = (label + 1 + rng::below(&mut r, 9) as u32) % 10;
                train::Mistake { index, label, predicted }
            })
            .collect();
        let shown = train::shown_mistakes(&wrong);
        let swap = |m: &train::Mistake| {
            let [p, q] = train::SWAP_PAIR;
            (m.label, m.predicted) == (p, q) || (m.label, m.predicted) == (q, p)
        };
        let swaps: Vec<_> = wrong.iter().filter(|m| swap(m)).copied().collect();
        let rest: Vec<_> = wrong.iter().filter(|m| !swap(m)).copied().collect();
        let want: Vec<_> = swaps.into_iter().chain(rest).take(train::MISCLASSIFIED_MAX).collect();
        assert_eq!(shown, want);
        assert_eq!(shown.len(), n.min(train::MISCLASSIFIED_MAX));
    }
}

fn session_val_count(labels: &[u32], _bytes: &[u8], class: usize) -> usize {
    let split = Split::stratified(labels, 10, &DIGITS_SPLIT).unwrap();
    split.val.iter().filter(|&&i| labels[i] as usize == class).count()
}

#[test]
fn a_run_whose_loss_climbs_past_ten_ln_classes_ends_as_diverged() {
    let bytes = digits_bytes();
    let s = settings().with("lr", 10.0).with("momentum", 0.99);
    let mut session = TrainSession::open(&s, Some(&bytes)).unwrap();
    let (steps, end) = drain(&mut session);
    let TrainEnd::Diverged { step, loss, limit, .. } = end else { panic!("lr 10 with momentum 0.99 should diverge") };
    assert_eq!(limit, 10.0 * 10f64.ln());
    assert!(loss.is_nan() || f64::from(loss) > limit, "{loss} vs {limit}");
    assert_eq!(step, steps.len() + 1, "the diverged step is the one after the last reported");
    assert!(steps.iter().all(|s| f64::from(s.loss) <= limit));
    assert!(session.step().is_err(), "an ended run takes no more steps");
}

#[test]
fn every_settings_bad_value_names_that_setting() {
    let bytes = digits_bytes();
    let bad: &[(&str, Value)] = &[
        ("model", Value::Text("conv(8_k5)~bogus".into())),
        ("model", Value::Text("flatten~dense(3)".into())), // a head too small for the 10 classes
        ("model", Value::Text("conv(8_k99)~flatten~dense(10)".into())), // a kernel larger than the input
        ("model", Value::Number(3.0)),
        ("init", Value::Text("nope".into())),
        ("mode", Value::Text("sideways".into())),
        ("nonlinearity", Value::Text("wiggle".into())),
        ("slope", Value::Number(-1.0)),
        ("dist", Value::Text("cauchy".into())),
        ("std", Value::Number(f64::NAN)),
        ("a", Value::Number(1e9)),
        ("opt", Value::Text("rmsprop".into())),
        ("lr", Value::Number(-0.1)),
        ("lr", Value::Number(11.0)),
        ("lr", Value::Text("0.1".into())),
        ("momentum", Value::Number(1.5)),
        ("wd", Value::Number(-1.0)),
        ("bs", Value::Number(0.0)),
        ("bs", Value::Number(2.5)),
        ("bs", Value::Number(1e6)),
        ("epochs", Value::Number(0.0)),
        ("epochs", Value::Number(f64::INFINITY)),
        ("per_class", Value::Number(0.0)),
        ("per_class", Value::Number(1e5)),
        ("data", Value::Text("cifar".into())),
        ("aug", Value::Text("rotate(deg999)".into())),
        ("aug", Value::Text("((".into())),
        ("seed", Value::Number(-1.0)),
        ("seed", Value::Bool(true)),
        ("example", Value::Number(-3.0)),
    ];
    for (key, value) in bad {
        let mut s = settings();
        s.set(key, value.clone());
        let e = TrainSession::open(&s, Some(&bytes)).err().unwrap_or_else(|| panic!("{key} = {value:?} was taken"));
        assert_eq!(&e.param, key, "{key} = {value:?}: {e}");
        let c = train::check(&s, Some(&bytes), "model.safetensors").unwrap_err();
        assert_eq!(c, e, "check_settings refuses it alike");
    }
    let e = TrainSession::open(&settings().with("colour", "red"), Some(&bytes)).err().unwrap();
    assert_eq!((e.param.as_str(), e.code), ("colour", "unknown_key"));
    let e = TrainSession::open(&settings(), None).err().unwrap();
    assert_eq!((e.param.as_str(), e.code), ("data", "missing"), "the digits need their bytes");
    let e = TrainSession::open(&settings(), Some(&bytes[..100])).err().unwrap();
    assert_eq!(e.param, "data", "a damaged digits file");
    let e = TrainSession::open(&settings().with("model", "flatten~dense(3)"), Some(&bytes)).err().unwrap();
    assert_eq!(
        (e.param.as_str(), e.code),
        ("model", "head_too_small"),
        "a head too small for the classes is the model"
    );
    // The symbols need no bytes; the check writes the PyTorch code.
    let c = train::check(&settings().with("data", "symbols"), None, "w.safetensors").unwrap();
    assert_eq!((c.train_len, c.val_len), (50, 250));
    assert!(c.code.contains("w.safetensors") && c.code.contains("nn.Sequential"));
}

/// A random value: mostly plausible for the key, often hostile (wrong type, out of range, NaN, huge, odd text).
fn random_value(r: &mut rng::Rng, kind: Kind, pool: &[&str]) -> Value {
    let numbers = [0.0, 1.0, 2.0, 3.0, 5.0, 10.0, 0.5, 0.01, 1e-9, -1.0, 1e300, f64::NAN, f64::INFINITY, 31.0, 1e6];
    let texts = ["", "x", "((", "~", "relu", "conv(8)~flatten~dense(10)", "adam", "sgd", "symbols", "digits"];
    match rng::below(r, 6) {
        0 => Value::Number(numbers[rng::below(r, numbers.len() as u64) as usize]),
        1 => Value::Text(texts[rng::below(r, texts.len() as u64) as usize].into()),
        2 => Value::Bool(rng::below(r, 2) == 1),
        3 => Value::Bytes(vec![0; rng::below(r, 40) as usize]),
        _ => match kind {
            Kind::Number => Value::Number((rng::below(r, 40) as f64) / [1.0, 10.0, 1000.0][rng::below(r, 3) as usize]),
            Kind::Text => Value::Text(pool[rng::below(r, pool.len() as u64) as usize].into()),
            Kind::Bool => Value::Bool(rng::below(r, 2) == 1),
            Kind::Bytes => Value::Bytes(vec![1, 2, 3]),
        },
    }
}

/// Random settings objects for a kind: mostly the valid `base`, a few keys (one in `rarity` each) given random values,
/// sometimes a foreign key; now and then no base at all (every key at its default).
fn random_settings(r: &mut rng::Rng, keys: &[(&str, Kind)], pool: &[&str], base: &Settings, rarity: u64) -> Settings {
    let mut s = if rng::below(r, 4) == 0 { Settings::new() } else { base.clone() };
    for &(key, kind) in keys {
        if rng::below(r, rarity) == 0 {
            s.set(key, random_value(r, kind, pool));
        }
    }
    if rng::below(r, 10) == 0 {
        s.set(["__proto__", "constructor", "", "bs "][rng::below(r, 4) as usize], Value::Number(1.0));
    }
    s
}

fn assert_named(e: &cnn_playground::Error, s: &Settings, keys: &[(&str, Kind)], extra: &[&str]) {
    let known = keys.iter().any(|(k, _)| *k == e.param) || extra.contains(&e.param.as_str());
    let foreign = e.code == "unknown_key" && s.keys().any(|k| k == e.param);
    assert!(known || foreign, "error names {:?} ({}), not a setting: {s:?}", e.param, e.message);
}

#[test]
fn random_and_hostile_settings_never_panic_and_name_a_setting() {
    let bytes = digits_bytes();
    let mut r = rng::seeded(17);
    let pool = [
        "he_normal",
        "xavier_uniform",
        "fan_out",
        "relu",
        "uniform",
        "sgd",
        "adam",
        "digits",
        "symbols",
        "translate",
        "flatten~dense(10)",
        "conv(4_k3)~relu~flatten~dense(10)",
        "hflip~noise(sigma0.1)",
        "",
        "nan",
    ];
    let base = settings().with("epochs", 1.0).with("per_class", 2.0);
    let mut opened = 0;
    for _ in 0..60 {
        let s = random_settings(&mut r, &train::KEYS, &pool, &base, 12);
        match TrainSession::open(&s, Some(&bytes)) {
            Err(e) => assert_named(&e, &s, &train::KEYS, &[]),
            Ok(mut session) => {
                opened += 1;
                // A few steps of what opened (a huge run is not run to its end here).
                for _ in 0..1 {
                    if session.step().is_err() {
                        break;
                    }
                }
            }
        }
    }
    assert!(opened > 5, "some random settings are valid ({opened})");
    // Transfer cells on a small target.
    let data = Rc::new(SymbolConfig { per_class: 10, ..SymbolConfig::default() }.generate().unwrap());
    let split = Rc::new(Split::stratified(data.labels(), 10, &SplitSpec::default()).unwrap());
    let spec = cnn_playground::transfer::with_head(&ModelSpec::parse(zoo::RECIPES[0].spec).unwrap(), 10).unwrap();
    let base = Settings::new()
        .with("model", spec.to_string().as_str())
        .with("weights", zoo_weights("small"))
        .with("strategy", "freeze_k")
        .with("steps", 3.0)
        .with("every", 2.0)
        .with("repeats", 1.0);
    let pool = ["finetune", "freeze_k", "head", "scratch", "mean_var", "model.safetensors", "flatten~dense(10)", "x"];
    let mut opened = 0;
    for _ in 0..50 {
        let s = random_settings(&mut r, &cell_run::CELL_KEYS, &pool, &base, 8);
        let pre = cnn_playground::nn::export::Preprocess::none(zoo::INPUT);
        let check = cell_run::check_cell(&s);
        match Cell::open(&s, data.clone(), split.clone(), pre) {
            Err(e) => assert_named(&e, &s, &cell_run::CELL_KEYS, &["zoo"]),
            Ok(mut cell) => {
                opened += 1;
                assert!(check.is_ok(), "the check takes what opens: {check:?}");
                for _ in 0..1 {
                    if cell.step(&mut || 0.0).is_err() {
                        break;
                    }
                }
            }
        }
        if let Err(e) = check {
            assert_named(&e, &s, &cell_run::CELL_KEYS, &["zoo"]);
        }
    }
    assert!(opened > 3, "some random cells are valid ({opened})");
    // Pretraining: its one setting, hostile.
    for v in [Value::Text("huge".into()), Value::Number(1.0), Value::Bytes(vec![]), Value::Text(String::new())] {
        let e = PretrainSession::open(&Settings::new().with("zoo", v)).err().unwrap();
        assert_eq!(e.param, "zoo");
    }
    let e = PretrainSession::open(&Settings::new().with("entry", 1.0)).err().unwrap();
    assert_eq!((e.param.as_str(), e.code), ("entry", "unknown_key"));
}

#[test]
fn a_transfer_cell_is_the_native_experiments_run_repeat_for_repeat() {
    let q = plan::quadrant(plan::Size::Small, plan::Similarity::Similar);
    let (data, split) = cell_run::task_data(&q).unwrap();
    let weights = zoo_weights("small");
    let zoo_spec = ModelSpec::parse(zoo::recipe("small").unwrap().spec).unwrap();
    for strategy in [Strategy::MeanVar, Strategy::FreezeK] {
        let config = cell_run::CellConfig {
            spec: cnn_playground::transfer::with_head(&zoo_spec, 10).unwrap(),
            weights: Some(weights.clone()),
            strategy,
            k: 1,
            optimizer: strategy.optimizer(plan::finetune_lr()).unwrap(),
            steps: 20,
            every: plan::EVAL_EVERY,
            batch: plan::BATCH,
            repeats: 2,
            seed: plan::SEED,
            layer_change: true,
            keep: Some("m.safetensors".into()),
            bn_stats: plan::BnStats::Frozen,
        };
        let pre = cnn_playground::nn::export::Preprocess::none(zoo::INPUT);
        let mut cell = Cell::new(config, data.clone(), split.clone(), pre).unwrap();
        let mut points = Vec::new();
        let result = loop {
            match cell.step(&mut || 0.0).unwrap() {
                CellEvent::Point(p, work) => points.push((p, work)),
                CellEvent::End(r) => break r,
            }
        };
        assert_eq!(points.len(), 2 * 3, "steps 0, 10, 20 of two repeats");
        assert_eq!(points.last().unwrap().1, (40, 40));
        for repeat in 0..2 {
            let seed = cell_run::repeat_seed(repeat);
            let mut model = cell_run::strategy_model(&zoo_spec, zoo::INPUT, &weights, 10, strategy, 1, seed).unwrap();
            let native = cell_run::train_run(&mut model, &data, &split, 20, seed).unwrap();
            let curve: Vec<(usize, f64)> = result.curves[repeat].iter().map(|p| (p.step, p.val_acc)).collect();
            assert_eq!(curve, native.curve, "{strategy:?} repeat {repeat}");
            assert_eq!(result.finals[repeat], native.final_acc);
            assert_eq!(result.trainable, native.trainable_params);
        }
        let change = result.layer_change.unwrap();
        assert_eq!(change.len(), 3, "three layers with weights");
        if strategy == Strategy::FreezeK {
            assert_eq!(change[0].rel_change, 0.0, "the frozen first layer did not move");
        }
        assert!(change.last().unwrap().rel_change > 0.0);
        assert!(result.code.unwrap().contains("m.safetensors"));
        assert!(result.weights.is_some());
        assert!(cell.step(&mut || 0.0).is_err(), "an ended cell takes no more steps");
    }
}

#[test]
fn a_cells_errors_name_the_transfer_labs_settings() {
    let weights = zoo_weights("deep");
    let spec = cnn_playground::transfer::with_head(&ModelSpec::parse(zoo::recipe("deep").unwrap().spec).unwrap(), 10)
        .unwrap()
        .to_string();
    let s = Settings::new().with("model", spec.as_str()).with("weights", weights.clone()).with("strategy", "freeze_k");
    let e = cell_run::check_cell(&s.clone().with("k", 6.0)).unwrap_err();
    assert_eq!(e.param, "k", "deep has five layers with weights: {e}");
    assert!(cell_run::check_cell(&s.clone().with("k", 5.0)).is_ok());
    let small = zoo_weights("small");
    let e = cell_run::check_cell(&s.clone().with("weights", small)).unwrap_err();
    assert_eq!(e.param, "zoo", "another model's weights: {e}");
    let e = cell_run::check_cell(&s.clone().with("model", "conv(4_k3)")).unwrap_err();
    assert_eq!(e.param, "zoo", "a head that is not dense: {e}");
    let e = cell_run::check_cell(&s.clone().with("ft_lr", 2.0)).unwrap_err();
    assert_eq!(e.param, "ft_lr");
    let e = cell_run::check_cell(&s.clone().with("strategy", "all")).unwrap_err();
    assert_eq!(e.param, "strategy");
    let e = cell_run::check_cell(&Settings::new().with("model", spec.as_str()).with("strategy", "head")).unwrap_err();
    assert_eq!((e.param.as_str(), e.code), ("zoo", "missing"));
    assert!(cell_run::check_cell(&Settings::new().with("model", spec.as_str()).with("strategy", "scratch")).is_ok());
    let e = cell_run::check_cell(&s.clone().with("repeats", 11.0)).unwrap_err();
    assert_eq!(e.param, "repeats");
}
