//! The transfer lab's core: checksums, Mean Var init, freezing and the frozen prefix's feature cache, the target
//! tasks' data, the zoo's checks of a downloaded file, the zoo's reproducibility and source accuracy, pretrained
//! against random init on the small similar task, and the verdict's noise rule.

use cnn_playground::data::SymbolConfig;
use cnn_playground::data::images::{self, MAX_IMAGES};
use cnn_playground::feed::{Feed, Part};
use cnn_playground::nn::model::Model;
use cnn_playground::nn::safetensors::to_safetensors;
use cnn_playground::nn::spec::ModelSpec;
use cnn_playground::run::transfer::{self as run, Agrees};
use cnn_playground::transfer::plan::{self, Similarity, Size, Strategy};
use cnn_playground::transfer::sha256::sha256_hex;
use cnn_playground::transfer::zoo::{self, RECIPES, ZooCheck};
use cnn_playground::transfer::{layer_change, reinit_mean_var};

fn shipped(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/www/zoo/{name}", env!("CARGO_MANIFEST_DIR"))).expect("the shipped zoo file")
}

fn zoo_spec(name: &str) -> ModelSpec {
    ModelSpec::parse(zoo::recipe(name).unwrap().spec).unwrap()
}

/// A model of the zoo's `name` on a target task with a strategy (repeat 0's seed).
fn target_model(name: &str, strategy: Strategy, k: usize) -> Model {
    let weights = shipped(&format!("{name}.safetensors"));
    run::strategy_model(&zoo_spec(name), zoo::INPUT, &weights, plan::TARGET_CLASSES, strategy, k, run::repeat_seed(0))
        .unwrap()
}

// ------------------------------------------------------------------ sha256

#[test]
fn sha256_matches_the_fips_180_examples() {
    // FIPS 180-4's examples (and the empty message and a million 'a's, from its companion test vectors).
    assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_eq!(
        sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
    assert_eq!(sha256_hex(&vec![b'a'; 1_000_000]), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// ------------------------------------------------------------------ Mean Var

/// Each tensor's sample mean has standard error σ/√n and its sample variance (of normal draws) σ²·√(2/(n−1)); the
/// re-drawn tensor must match the pretrained mean and variance within 4.5 of those (a false alarm about once in
/// 150,000 tensors).
#[test]
fn mean_var_init_keeps_each_tensors_mean_and_variance() {
    for recipe in &RECIPES {
        let weights = shipped(&format!("{}.safetensors", recipe.name));
        let mut model = zoo::model_for(recipe, zoo::INPUT).unwrap();
        cnn_playground::nn::safetensors::load_safetensors(&mut model, &weights).unwrap();
        let before: Vec<(String, Vec<f32>)> = model.params().map(|p| (p.name.clone(), p.value.clone())).collect();
        reinit_mean_var(&mut model, 7).unwrap();
        for (name, old) in &before {
            let new = &model.param(name).unwrap().value;
            let (a, b) = (cnn_playground::stats::moments(old), cnn_playground::stats::moments(new));
            let n = old.len() as f64;
            let (mean_tol, var_tol) = (4.5 * a.std / n.sqrt(), 4.5 * a.std * a.std * (2.0 / (n - 1.0).max(1.0)).sqrt());
            assert!((a.mean - b.mean).abs() <= mean_tol + 1e-7, "{name}: mean {} vs {}", a.mean, b.mean);
            assert!(
                (a.std * a.std - b.std * b.std).abs() <= var_tol + 1e-7,
                "{name}: variance {} vs {} (n = {n})",
                a.std * a.std,
                b.std * b.std
            );
            if a.std > 0.0 && old.len() > 8 {
                // The structure is gone: the new values are not the old ones in another order.
                let same = old.iter().zip(new).filter(|(x, y)| x == y).count();
                assert!(same < old.len() / 10, "{name}: {same} values unchanged");
            }
        }
    }
}

// ------------------------------------------------------------------ freezing and the feature cache

#[test]
fn frozen_layers_stay_bit_identical_and_get_no_gradients() {
    let q = plan::quadrant(Size::Large, Similarity::Similar);
    let (data, split) = run::task_data(&q).unwrap();
    for (name, strategy, k) in
        [("small", Strategy::FreezeK, 1), ("deep", Strategy::FreezeK, 3), ("small", Strategy::Head, 0)]
    {
        let mut model = target_model(name, strategy, k);
        let frozen: Vec<usize> = model.weight_layers().into_iter().filter(|&i| !model.is_trainable(i)).collect();
        let expected = if strategy == Strategy::Head { model.weight_layers().len() - 1 } else { k };
        assert_eq!(frozen.len(), expected);
        let before: Vec<(String, Vec<f32>)> = model.params().map(|p| (p.name.clone(), p.value.clone())).collect();
        let reference = to_safetensors(&model);
        let calls = model.gemm_calls();
        run::train_run(&mut model, &data, &split, 20, 1).unwrap();
        assert!(model.gemm_calls() > calls);
        for (pname, old) in &before {
            let p = model.param(pname).unwrap();
            let layer: usize = pname.split('.').next().unwrap().parse().unwrap();
            if frozen.contains(&layer) {
                assert!(p.value.iter().zip(old).all(|(a, b)| a.to_bits() == b.to_bits()), "{name}: {pname} moved");
                assert!(p.grad.iter().all(|&g| g == 0.0), "{name}: {pname} got a gradient");
            } else {
                assert_ne!(&p.value, old, "{name}: trainable {pname} did not move");
            }
        }
        // The layer-change view says the same: exactly 0 for the frozen layers, more for the others.
        for row in layer_change(&model, &reference).unwrap() {
            assert_eq!(row.rel_change == 0.0, frozen.contains(&row.layer), "{name}: {row:?}");
        }
    }
}

/// The cached path (only the trainable suffix runs) gives the same losses and accuracies, bit for bit, as the
/// uncached path on the same batches, and costs fewer GEMM calls.
#[test]
fn the_feature_cache_gives_the_uncached_numbers() {
    let q = plan::quadrant(Size::Large, Similarity::Different);
    let (data, split) = run::task_data(&q).unwrap();
    for (name, strategy, k) in
        [("small", Strategy::Head, 0), ("deep", Strategy::FreezeK, 3), ("small", Strategy::FreezeK, 1)]
    {
        let mut results = Vec::new();
        for caching in [false, true] {
            let mut model = target_model(name, strategy, k);
            let mut feed = Feed::new(data.clone(), split.clone(), 16, Default::default(), 5).unwrap();
            feed.caching = caching;
            let before = model.gemm_calls();
            // Over one epoch (800 images in 50 batches), so later batches reuse cached images.
            let mut losses = feed.train_steps(&mut model, 70).unwrap();
            let val = feed.evaluate(&mut model, Part::Val).unwrap();
            losses.extend(feed.train_steps(&mut model, 5).unwrap());
            let train = feed.evaluate(&mut model, Part::Train).unwrap();
            results.push((losses, val, train, model.gemm_calls() - before, to_safetensors(&model)));
        }
        let (plain, cached) = (&results[0], &results[1]);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&plain.0), bits(&cached.0), "{name} {strategy:?}: losses differ");
        assert_eq!(plain.1, cached.1, "{name}: validation differs");
        assert_eq!(plain.2, cached.2, "{name}: training-set evaluation differs");
        assert_eq!(plain.4, cached.4, "{name}: final weights differ");
        assert!(cached.3 < plain.3, "{name}: the cache ran {} GEMMs, the plain path {}", cached.3, plain.3);
    }
}

#[test]
fn the_cache_starts_afresh_when_the_frozen_weights_change() {
    let q = plan::quadrant(Size::Small, Similarity::Similar);
    let (data, split) = run::task_data(&q).unwrap();
    let run_with = |caching: bool| {
        let mut model = target_model("small", Strategy::Head, 0);
        let mut feed = Feed::new(data.clone(), split.clone(), 16, Default::default(), 5).unwrap();
        feed.caching = caching;
        let mut losses = feed.train_steps(&mut model, 5).unwrap();
        // A change to a frozen layer (as a load or a restore makes) must reach the next steps.
        let w: Vec<f32> = model.param("0.weight").unwrap().value.iter().map(|v| v * 0.5).collect();
        model.set_param("0.weight", &w).unwrap();
        losses.extend(feed.train_steps(&mut model, 5).unwrap());
        model.freeze_first(1).unwrap();
        losses.extend(feed.train_steps(&mut model, 5).unwrap());
        losses
    };
    assert_eq!(run_with(false), run_with(true));
}

#[test]
fn k_beyond_the_models_layers_is_an_error_naming_k() {
    let mut model = target_model("small", Strategy::Finetune, 0);
    let e = model.freeze_first(4).unwrap_err();
    assert_eq!((e.param.as_str(), e.code), ("k", "out_of_range"));
    assert_eq!((e.value("max"), e.value("got")), (Some(3.0), Some(4.0)));
    let weights = shipped("deep.safetensors");
    let Err(e) = run::strategy_model(&zoo_spec("deep"), zoo::INPUT, &weights, 10, Strategy::FreezeK, 6, 0) else {
        panic!("k = 6 on a net with 5 layers with weights was accepted");
    };
    assert_eq!((e.param.as_str(), e.code, e.value("max")), ("k", "out_of_range", Some(5.0)));
}

// ------------------------------------------------------------------ target tasks

/// Sizes: 10 classes, 20 validation images per class in both sizes (the same images), 5 or 80 training images per
/// class. Class sets: the similar tasks' class k is the source family's symbol 32 + k (checked against the
/// generator drawing those symbols directly), and the different tasks' images are not any source symbol's.
#[test]
fn the_tasks_have_the_documented_sizes_and_class_sets() {
    let mut val_sets = Vec::new();
    for q in plan::quadrants() {
        let (data, split) = run::task_data(&q).unwrap();
        assert_eq!(data.classes(), 10);
        let train_per_class = if q.size == Size::Small { 5 } else { 80 };
        for (part, per_class) in [(&split.train, train_per_class), (&split.val, 20)] {
            let mut counts = [0usize; 10];
            for &i in part.iter() {
                counts[data.label(i) as usize] += 1;
            }
            assert_eq!(counts, [per_class; 10], "{} {}", q.size.name(), q.sim.name());
        }
        assert!(split.train.iter().all(|i| !split.val.contains(i)));
        assert_eq!(q.val_size(), split.val.len(), "the verdicts' validation size is the split's");
        val_sets.push((q.sim, split.val.clone()));
        if q.sim == Similarity::Similar {
            // The same generator with the source's first 42 symbols: classes 32 … 41 are the target's 0 … 9.
            let wide = SymbolConfig { classes: 42, first_class: 0, ..q.data }.generate().unwrap();
            for i in [0usize, 7, 19, 999] {
                let (k, j) = (i % 10, i / 10);
                assert_eq!(data.image(i), wide.image(j * 42 + 32 + k), "image {i}");
            }
            assert_eq!(q.data.family, zoo::source().family);
        } else {
            assert_ne!(q.data.family, zoo::source().family);
            assert!(q.data.invert);
        }
        assert_eq!(q.recommended, plan::recommended(q.size, q.sim));
    }
    // Small and large tasks of one similarity are validated on the same images.
    assert_eq!(val_sets[0].1, val_sets[2].1);
}

#[test]
fn own_images_are_checked_bucket_by_bucket() {
    let img = |n: usize| vec![0.5f32; n * 3 * 16 * 16];
    let ok = images::from_images(3, 16, 16, 2, img(6), vec![0, 1, 0, 1, 0, 1]).unwrap();
    assert_eq!((ok.len(), ok.channels(), ok.classes()), (6, 3, 2));
    let code = |r: cnn_playground::Result<_>| r.map(|_: cnn_playground::data::Dataset| ()).unwrap_err().code;
    assert_eq!(code(images::from_images(3, 16, 16, 3, img(4), vec![0, 1, 0, 1])), "empty_class");
    assert_eq!(code(images::from_images(3, 16, 16, 2, img(4), vec![0, 1, 0, 0])), "too_few_images");
    assert_eq!(code(images::from_images(3, 16, 16, 2, img(11), vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1])), "unbalanced");
    let many = MAX_IMAGES + 1;
    let labels: Vec<u32> = (0..many as u32).map(|i| i % 2).collect();
    assert_eq!(code(images::from_images(1, 8, 8, 2, vec![0.0; many * 64], labels)), "too_many_images");
    assert_eq!(code(images::from_images(3, 16, 16, 1, img(2), vec![0, 0])), "out_of_range");
    let mut bad = img(4);
    bad[5] = f32::NAN;
    assert_eq!(code(images::from_images(3, 16, 16, 2, bad, vec![0, 1, 0, 1])), "value_out_of_range");
}

// ------------------------------------------------------------------ the zoo's checks

fn check_for(name: &str, bytes: &[u8]) -> ZooCheck {
    ZooCheck { model: zoo_spec(name), input: zoo::INPUT, classes: 32, sha256: sha256_hex(bytes), bytes: bytes.len() }
}

#[test]
fn zoo_verify_names_what_is_wrong_with_a_file() {
    let good = shipped("small.safetensors");
    let check = check_for("small", &good);
    zoo::verify(&check, &good).unwrap();
    let code = |c: &ZooCheck, b: &[u8]| zoo::verify(c, b).unwrap_err().code;
    // Cut short: a download that stopped.
    assert_eq!(code(&check, &good[..good.len() - 100]), "zoo_truncated");
    assert_eq!(code(&check, &good[..5]), "zoo_truncated");
    // One flipped byte in the tensors' data: only the checksum notices.
    let mut flipped = good.clone();
    let at = flipped.len() - 10;
    flipped[at] ^= 0x40;
    assert_eq!(code(&check, &flipped), "zoo_checksum");
    // A damaged header, with an entry made from the damaged file (so the checksum agrees): corrupt.
    let mut damaged = good.clone();
    damaged[12] = b'#';
    assert_eq!(code(&check_for("small", &damaged), &damaged), "zoo_corrupt");
    // Another zoo model's file under this entry's checksum: the wrong architecture.
    let deep = shipped("deep.safetensors");
    assert_eq!(
        code(&ZooCheck { sha256: sha256_hex(&deep), bytes: deep.len(), ..check.clone() }, &deep),
        "zoo_architecture"
    );
    // The right file with a wrong checksum in the entry.
    let mut wrong = check.clone();
    wrong.sha256 = sha256_hex(b"something else");
    assert_eq!(code(&wrong, &good), "zoo_checksum");
    // Longer than the entry says.
    let mut longer = good.clone();
    longer.push(0);
    assert_eq!(code(&check, &longer), "zoo_corrupt");
    // Malformed entries.
    assert_eq!(code(&ZooCheck { sha256: "abc".into(), ..check.clone() }, &good), "zoo_bad_entry");
    assert_eq!(code(&ZooCheck { classes: 10, ..check.clone() }, &good), "zoo_bad_entry");
    for e in [zoo::verify(&check, &good[..3]).unwrap_err(), zoo::verify(&wrong, &good).unwrap_err()] {
        assert_eq!(e.param, "zoo");
    }
}

// ------------------------------------------------------------------ the zoo itself

/// `make zoo` reproduces the shipped files bit for bit (their SHA-256 equal the manifest's, and the manifest is the
/// same text), and each model reaches its stated accuracy on the source's held-out images when loaded from the file.
#[test]
fn the_zoo_command_reproduces_the_shipped_files() {
    let (data, split) = zoo::source_data().unwrap();
    let manifest = String::from_utf8(shipped("manifest.json")).unwrap();
    let mut entries = Vec::new();
    for recipe in &RECIPES {
        let made = zoo::pretrain(recipe, &data, &split, |_| {}).unwrap();
        let file = shipped(&made.entry.file);
        assert_eq!(
            sha256_hex(&file),
            made.entry.sha256,
            "{}: the shipped file differs from the command's",
            recipe.name
        );
        assert!(manifest.contains(&format!("\"sha256\": \"{}\"", made.entry.sha256)));
        assert!(file.len() < 100_000, "{}: {} bytes", recipe.name, file.len());
        // The shipped file, loaded, reaches the stated accuracy on the held-out source images.
        let mut model = zoo::model_for(recipe, zoo::INPUT).unwrap();
        cnn_playground::nn::safetensors::load_safetensors(&mut model, &file).unwrap();
        let mut feed = Feed::new(data.clone(), split.clone(), 32, Default::default(), 0).unwrap();
        let acc = feed.evaluate(&mut model, Part::Val).unwrap().accuracy;
        assert_eq!(acc, made.entry.source_acc);
        assert!(acc > 0.8, "{}: source accuracy {acc} (chance: 1/32)", recipe.name);
        entries.push(made.entry);
    }
    assert_eq!(zoo::manifest_json(&entries), manifest);
}

// ------------------------------------------------------------------ pretrained vs random

/// On the small similar task, fine-tuning the pretrained small net beats training it from random (He) init after
/// the same steps, in each of the first three repeats, by at least 0.05 on average and beyond the verdict's 95 %
/// margin (measured: 0.770 ± 0.028 against 0.640 ± 0.052).
#[test]
fn pretrained_beats_random_init_on_the_small_similar_task() {
    let q = plan::quadrant(Size::Small, Similarity::Similar);
    let (data, split) = run::task_data(&q).unwrap();
    let weights = shipped("small.safetensors");
    let mut finals = [Vec::new(), Vec::new()];
    for repeat in 0..3 {
        for (slot, strategy) in [Strategy::Finetune, Strategy::Scratch].into_iter().enumerate() {
            let seed = run::repeat_seed(repeat);
            let mut model =
                run::strategy_model(&zoo_spec("small"), zoo::INPUT, &weights, 10, strategy, 0, seed).unwrap();
            finals[slot].push(run::train_run(&mut model, &data, &split, q.steps, seed).unwrap().final_acc);
        }
    }
    let (pre, scratch) = (&finals[0], &finals[1]);
    assert!(pre.iter().zip(scratch).all(|(p, s)| p > s), "pretrained {pre:?} vs scratch {scratch:?}");
    let (mp, ms) = (run::mean_std(pre).0, run::mean_std(scratch).0);
    assert!(mp - ms >= 0.05, "pretrained {mp} vs scratch {ms}");
    let finals = [(Strategy::Finetune, pre.as_slice()), (Strategy::Scratch, scratch.as_slice())];
    let j = run::judge(Strategy::Finetune, &finals, split.val.len()).unwrap();
    assert_eq!(j.agrees, Agrees::Yes, "{:?}", j.against);
}

#[test]
fn the_task_verdict_follows_the_per_comparison_outcomes() {
    use cnn_playground::verdict::Outcome;
    let (hi, mid, lo) = ([0.9, 0.91, 0.89], [0.8, 0.81, 0.79], [0.5, 0.5, 0.5]);
    // 200 images: the floor is 1.96·√(p(1−p)/200), 4.0 points at p = 0.85; Welch: d = 0.1, t(0.975, 4)·SE = 2.776 ·
    // 0.0082 = 2.3 points, so 0.1 is beyond both.
    let j =
        run::judge(Strategy::Head, &[(Strategy::Head, &hi), (Strategy::Scratch, &mid), (Strategy::Finetune, &hi)], 200)
            .unwrap();
    assert_eq!(j.agrees, Agrees::Yes);
    assert_eq!(
        j.against.iter().map(|a| (a.0, a.1.outcome)).collect::<Vec<_>>(),
        vec![(Strategy::Scratch, Outcome::Better), (Strategy::Finetune, Outcome::Within)]
    );
    // Some strategy beats the advised one: no, whatever scratch does.
    let j =
        run::judge(Strategy::Head, &[(Strategy::Head, &mid), (Strategy::Scratch, &lo), (Strategy::Finetune, &hi)], 200)
            .unwrap();
    assert_eq!(j.agrees, Agrees::No);
    // Spread 0.1 each (n = 3): Welch's margin 2.776·0.0816 = 0.227 > d = 0.1: undecided.
    let j =
        run::judge(Strategy::Head, &[(Strategy::Head, &[0.9, 1.0, 0.8]), (Strategy::Scratch, &[0.8, 0.9, 0.7])], 200)
            .unwrap();
    assert_eq!(j.agrees, Agrees::Undecided);
    assert!((j.against[0].1.margin - 2.776 * (0.01f64 / 3.0 * 2.0).sqrt()).abs() < 1e-3);
    assert_eq!(run::judge(Strategy::Head, &[(Strategy::Head, &hi)], 200).unwrap_err().code, "missing");
}

// ------------------------------------------------------------------ frozen BatchNorm: statistics frozen or updated

/// Each BatchNorm layer's running mean, running variance and steps tracked, and its γ and β.
fn bn_state(model: &Model) -> Vec<(String, Vec<f32>)> {
    use cnn_playground::nn::model::StateValues;
    let bn: Vec<String> = (0..model.plans().len())
        .filter(|&i| matches!(model.plans()[i].spec, cnn_playground::nn::spec::LayerSpec::BatchNorm))
        .map(|i| format!("{i}."))
        .collect();
    model
        .state_dict()
        .into_iter()
        .filter(|t| bn.iter().any(|p| t.name.starts_with(p)))
        .map(|t| {
            let v = match t.values {
                StateValues::F32(v) => v.to_vec(),
                StateValues::I64(n) => vec![n as f32],
            };
            (t.name, v)
        })
        .collect()
}

/// The conv base of `small_bn` frozen (only the head trains): with `bn_stats=frozen` the BatchNorm layers keep their
/// running statistics bit for bit (evaluation behaviour); with `updated` the running mean and variance move and
/// `num_batches_tracked` counts the steps, while γ and β stay bit for bit in both. The feed's cache of the frozen
/// prefix stops before the first BatchNorm on the batch (layer 1) in the updated mode.
#[test]
fn frozen_batchnorm_statistics_change_only_when_updated() {
    let q = plan::quadrant(Size::Small, Similarity::Different);
    let (data, split) = run::task_data(&q).unwrap();
    let recipe = zoo::recipe("small_bn").unwrap();
    let steps = 12;
    for bn_stats in plan::BnStats::ALL {
        let spec = cnn_playground::transfer::with_head(&zoo_spec("small_bn"), plan::TARGET_CLASSES).unwrap();
        let mut model = cnn_playground::nn::model::Model::new(cnn_playground::nn::model::ModelConfig {
            spec,
            input: zoo::INPUT,
            init: None,
            optimizer: cnn_playground::nn::optim::OptimizerConfig::parse(recipe.opt).unwrap(),
            seed: 5,
        })
        .unwrap();
        model.freeze_all_but_head().unwrap();
        run::set_bn_stats(&mut model, bn_stats).unwrap();
        assert_eq!(model.frozen_prefix(), if bn_stats == plan::BnStats::Updated { 1 } else { 9 });
        let before = bn_state(&model);
        assert_eq!(before.len(), 2 * 5, "two BatchNorm layers, five tensors each");
        let mut feed = Feed::new(data.clone(), split.clone(), plan::BATCH, Default::default(), 3).unwrap();
        feed.train_steps(&mut model, steps).unwrap();
        feed.evaluate(&mut model, Part::Val).unwrap();
        for ((name, old), (_, new)) in before.iter().zip(bn_state(&model)) {
            let same = old.iter().zip(&new).all(|(a, b)| a.to_bits() == b.to_bits());
            let statistic = name.contains("running_") || name.ends_with("num_batches_tracked");
            match (bn_stats, statistic) {
                (plan::BnStats::Updated, true) => {
                    assert!(!same, "{name} did not move in the updated mode");
                    if name.ends_with("num_batches_tracked") {
                        assert_eq!(new, vec![steps as f32], "{name}");
                    }
                }
                _ => assert!(same, "{bn_stats:?}: {name} moved: {old:?} → {new:?}"),
            }
        }
    }
    // A model without BatchNorm is unaffected; a layer that is not BatchNorm is refused by the engine.
    let mut plain = target_model("small", Strategy::Head, 0);
    run::set_bn_stats(&mut plain, plan::BnStats::Updated).unwrap();
    assert_eq!(plain.set_bn_batch_stats_when_frozen(0, true).unwrap_err().code, "not_batchnorm");
}

/// A cell's `steps` counts the training steps over its repeats (the Session's `steps` getter).
#[test]
fn a_cells_steps_count_over_its_repeats() {
    let q = plan::quadrant(Size::Small, Similarity::Similar);
    let (data, split) = run::task_data(&q).unwrap();
    let config = run::CellConfig {
        spec: cnn_playground::transfer::with_head(&zoo_spec("small"), plan::TARGET_CLASSES).unwrap(),
        weights: Some(shipped("small.safetensors")),
        strategy: Strategy::Head,
        k: 1,
        optimizer: Strategy::Head.optimizer(plan::finetune_lr()).unwrap(),
        steps: 20,
        every: 10,
        batch: plan::BATCH,
        repeats: 2,
        seed: 1,
        layer_change: false,
        keep: None,
        bn_stats: plan::BnStats::Frozen,
    };
    let preprocess = cnn_playground::nn::export::Preprocess::none(zoo::INPUT);
    let mut cell = run::Cell::new(config, data, split, preprocess).unwrap();
    let mut seen = vec![cell.steps()];
    while let run::CellEvent::Point(_, (done, total)) = cell.step(&mut || 0.0).unwrap() {
        assert_eq!(cell.steps(), done, "the progress's count");
        assert_eq!(total, 40);
        seen.push(cell.steps());
    }
    assert_eq!(cell.steps(), 40);
    assert_eq!(seen, vec![0, 0, 10, 20, 20, 30, 40]);
}

/// The init view's GroupNorm arm: every zoo model with a GroupNorm right after each conv (a BatchNorm replaced), the
/// rest unchanged, builds for the targets' input and classes (GN_GROUPS divides every conv's width).
#[test]
fn the_group_norm_arm_puts_a_groupnorm_after_each_conv() {
    use cnn_playground::nn::spec::LayerSpec;
    use cnn_playground::transfer::{GN_GROUPS, with_group_norm, with_head};
    for recipe in &RECIPES {
        let spec = with_head(&zoo_spec(recipe.name), plan::TARGET_CLASSES).unwrap();
        let gn = with_group_norm(&spec, GN_GROUPS);
        let plain: Vec<&LayerSpec> = spec.layers.iter().filter(|l| !matches!(l, LayerSpec::BatchNorm)).collect();
        let without: Vec<&LayerSpec> = gn.layers.iter().filter(|l| !matches!(l, LayerSpec::GroupNorm { .. })).collect();
        assert_eq!(plain, without, "{}: the other layers unchanged", recipe.name);
        for (i, l) in gn.layers.iter().enumerate() {
            let is_conv = matches!(l, LayerSpec::Conv { .. });
            assert_eq!(is_conv, matches!(gn.layers.get(i + 1), Some(LayerSpec::GroupNorm { groups: GN_GROUPS })));
        }
        let model = run::strategy_model(&gn, zoo::INPUT, &[], plan::TARGET_CLASSES, Strategy::Scratch, 0, 1).unwrap();
        assert_eq!(model.classes(), plan::TARGET_CLASSES);
        assert!(gn.to_string().contains("~gn(4)~relu"), "{gn}");
    }
}
