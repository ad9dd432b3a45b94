//! The safetensors export and the PyTorch code: round trips, the `safetensors` crate as the reference reader and
//! writer, every kind of bad file rejected with the model unchanged, a seeded mutation search that must never
//! panic, and the fixture for the independent Python check (tests/python/test_export.py, `make test-python`).

use cnn_playground::data::Digits;
use cnn_playground::nn::export::{Preprocess, pytorch_code};
use cnn_playground::nn::model::{Model, ModelConfig};
use cnn_playground::nn::optim::OptimizerConfig;
use cnn_playground::nn::safetensors::{
    MAX_HEADER_BYTES, MAX_HEADER_KEYS, SafetensorsFile, load_safetensors, to_safetensors,
};
use cnn_playground::nn::spec::{ModelSpec, Shape};
use cnn_playground::rng::{Rng, seeded};
use cnn_playground::run::digits_preprocess;
use rand::RngExt;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

fn model(spec: &str, input: Shape, optimizer: &str, seed: u64) -> Model {
    Model::new(ModelConfig {
        spec: ModelSpec::parse(spec).unwrap(),
        input,
        init: None,
        optimizer: OptimizerConfig::parse(optimizer).unwrap(),
        seed,
    })
    .unwrap()
}

/// The default net on 28×28 digits after a few SGD steps (so biases are not zero).
fn trained_digits_model(seed: u64) -> (Model, Vec<f32>) {
    let mut m = model(cnn_playground::nn::spec::DEFAULT_SPEC, Shape::image(1, 28, 28), "sgd(lr0.01_m0.9)", seed);
    let data = Digits::embedded().to_dataset(28, 28).unwrap();
    let n = 16;
    for step in 0..5 {
        let idx: Vec<usize> = (0..n).map(|i| (step * n + i) * 7 % data.len()).collect();
        let (mut x, mut y) = (vec![0.0; n * 784], vec![0; n]);
        data.gather(&idx, &mut x, &mut y).unwrap();
        m.train_step(&x, &y, n).unwrap();
    }
    let x = data.images()[..4 * 784].to_vec();
    (m, x)
}

fn values(m: &Model) -> Vec<(String, Vec<f32>)> {
    m.params().map(|p| (p.name.clone(), p.value.clone())).collect()
}

fn bits(m: &Model) -> Vec<Vec<u32>> {
    m.params().map(|p| p.value.iter().map(|v| v.to_bits()).collect()).collect()
}

fn header(bytes: &[u8]) -> &str {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    std::str::from_utf8(&bytes[8..8 + n]).unwrap()
}

/// The file with its header text replaced (the length prefix follows; the data stays).
fn with_header(bytes: &[u8], new_header: &str) -> Vec<u8> {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let mut out = (new_header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(new_header.as_bytes());
    out.extend_from_slice(&bytes[8 + n..]);
    out
}

#[test]
fn round_trip_gives_identical_parameters_and_logits() {
    let (mut trained, x) = trained_digits_model(1);
    let bytes = to_safetensors(&trained);
    let mut fresh = trained_digits_model(2).0;
    assert_ne!(bits(&fresh), bits(&trained), "the two models must start different");
    load_safetensors(&mut fresh, &bytes).unwrap();
    assert_eq!(bits(&fresh), bits(&trained));
    let a: Vec<u32> = trained.forward(&x, 4).unwrap().iter().map(|v| v.to_bits()).collect();
    let b: Vec<u32> = fresh.forward(&x, 4).unwrap().iter().map(|v| v.to_bits()).collect();
    assert_eq!(a, b);
    // The same weights give the same bytes.
    assert_eq!(to_safetensors(&fresh), bytes);
}

#[test]
fn the_file_is_pytorchs_state_dict_as_the_reference_reader_sees_it() {
    let (m, _) = trained_digits_model(3);
    let bytes = to_safetensors(&m);
    let h = header(&bytes);
    assert_eq!(h.len() % 8, 0, "the data starts 8-byte aligned");
    let st = SafeTensors::deserialize(&bytes).unwrap();
    let mut names = st.names();
    names.sort();
    assert_eq!(names, ["0.bias", "0.weight", "3.bias", "3.weight", "7.bias", "7.weight"]);
    let expected_shapes: [(&str, &[usize]); 6] = [
        ("0.weight", &[8, 1, 5, 5]),
        ("0.bias", &[8]),
        ("3.weight", &[16, 8, 5, 5]),
        ("3.bias", &[16]),
        ("7.weight", &[10, 256]),
        ("7.bias", &[10]),
    ];
    for (name, shape) in expected_shapes {
        let t = st.tensor(name).unwrap();
        assert_eq!(t.dtype(), Dtype::F32);
        assert_eq!(t.shape(), shape, "{name}");
        let p = m.param(name).unwrap();
        let le: Vec<u8> = p.value.iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(t.data(), &le[..], "{name}");
    }
    let (_, meta) = SafeTensors::read_metadata(&bytes).unwrap();
    let meta = meta.metadata().clone().unwrap();
    assert_eq!(meta.get("format").map(String::as_str), Some("pt"));
    assert_eq!(meta.get("model").map(String::as_str), Some(cnn_playground::nn::spec::DEFAULT_SPEC));
    assert_eq!(meta.get("input_shape").map(String::as_str), Some("1,28,28"));
    // Our own reader sees the same.
    let file = SafetensorsFile::parse(&bytes).unwrap();
    assert_eq!(file.tensors.iter().map(|t| t.name.as_str()).collect::<Vec<_>>()[..2], ["0.weight", "0.bias"]);
    assert_eq!(file.metadata[0], ("format".into(), "pt".into()));
}

/// A file written by the reference writer: `extra` tensors added, each tensor as `dtype` (F32 or F64).
fn reference_file(m: &Model, dtype: Dtype, extra: &[(&str, Vec<usize>)]) -> Vec<u8> {
    let mut owned: Vec<(String, Vec<usize>, Vec<u8>)> = m
        .params()
        .map(|p| {
            let data = match dtype {
                Dtype::F64 => p.value.iter().flat_map(|&v| (v as f64).to_le_bytes()).collect(),
                _ => p.value.iter().flat_map(|v| v.to_le_bytes()).collect(),
            };
            (p.name.clone(), p.shape.clone(), data)
        })
        .collect();
    for (name, shape) in extra {
        owned.push((name.to_string(), shape.clone(), vec![0; 4 * shape.iter().product::<usize>()]));
    }
    let views: Vec<(String, TensorView)> = owned
        .iter()
        .map(|(n, s, d)| {
            let dt = if n.starts_with("extra") { Dtype::F32 } else { dtype };
            (n.clone(), TensorView::new(dt, s.clone(), d).unwrap())
        })
        .collect();
    let meta = [("note".to_string(), "caf\u{e9} \"quoted\"\n".to_string())].into_iter().collect();
    safetensors::serialize(views, Some(meta)).unwrap()
}

#[test]
fn files_from_the_reference_writer_load() {
    let (source, _) = trained_digits_model(4);
    let bytes = reference_file(&source, Dtype::F32, &[]);
    // The reference writer orders tensors by name, pads the header and escapes the metadata: all other than ours.
    assert_ne!(bytes, to_safetensors(&source));
    let mut m = trained_digits_model(5).0;
    load_safetensors(&mut m, &bytes).unwrap();
    assert_eq!(values(&m), values(&source));
    let file = SafetensorsFile::parse(&bytes).unwrap();
    assert_eq!(file.metadata, [("note".to_string(), "caf\u{e9} \"quoted\"\n".to_string())]);
}

/// Loads `bytes` into a model and checks that it fails with `code` and leaves every parameter as it was.
fn rejected(bytes: &[u8], code: &str) {
    let mut m = trained_digits_model(6).0;
    let before = bits(&m);
    let err = load_safetensors(&mut m, bytes).expect_err(code);
    assert_eq!(err.code, code, "{err}");
    assert_eq!(err.param, "weights");
    assert_eq!(bits(&m), before, "a rejected file changed the model ({code})");
}

#[test]
fn bad_files_are_rejected_and_change_nothing() {
    let (m, _) = trained_digits_model(7);
    let good = to_safetensors(&m);
    let h = header(&good).to_string();
    let data_start = 8 + h.len();

    // Cut short anywhere: in the length, in the header, in the data.
    rejected(&[], "truncated");
    rejected(&good[..5], "truncated");
    rejected(&good[..data_start - 3], "truncated");
    rejected(&good[..good.len() - 1], "truncated");
    // A hostile length, and the largest one accepted plus one.
    let mut huge = good.clone();
    huge[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    rejected(&huge, "header_too_large");
    huge[..8].copy_from_slice(&(MAX_HEADER_BYTES as u64 + 1).to_le_bytes());
    rejected(&huge, "header_too_large");

    // Not JSON, not UTF-8, a repeated key, nesting bombs, trailing text.
    rejected(&with_header(&good, "{\"0.weight\": nope}"), "bad_header");
    let mut not_utf8 = good.clone();
    not_utf8[9] = 0xff;
    rejected(&not_utf8, "bad_header");
    let body = h.trim_end().strip_suffix('}').unwrap();
    let dup = format!("{body},\"7.bias\":{{\"dtype\":\"F32\",\"shape\":[10],\"data_offsets\":[0,40]}}}}");
    rejected(&with_header(&good, &dup), "bad_header");
    rejected(&with_header(&good, &"[".repeat(100_000)), "bad_header");
    rejected(&with_header(&good, &format!("{}x", h.trim_end())), "bad_header");
    rejected(&with_header(&good, "[]"), "bad_header");
    rejected(&with_header(&good, &h.replace("\"F32\"", "\"F31\"")), "bad_header");
    rejected(&with_header(&good, &h.replacen("[8,1,5,5]", "[8,1,5,-5]", 1)), "bad_header");
    rejected(&with_header(&good, &h.replacen("\"format\":\"pt\"", "\"format\":1", 1)), "bad_header");

    // Many keys: a metadata object of exactly MAX_HEADER_KEYS keys in all is read (and its last key, a repeat of
    // the first, is found: duplicates are checked against every earlier key), one more is refused as too many, and
    // 50,000 keys (the hostile file of issue 23) are refused before they are all read.
    // The writer puts "__metadata__" first; its values hold no braces, so its object ends at the first '}'.
    let meta_start = h.find("\"__metadata__\":{").unwrap() + "\"__metadata__\":{".len();
    let meta_end = meta_start + h[meta_start..].find('}').unwrap();
    let other_keys = h.matches("\":").count() - h[meta_start..meta_end].matches("\":").count();
    let with_metadata = |n: usize, repeat_first: bool| {
        let mut keys: Vec<String> = (0..n).map(|i| format!("\"k{i}\":\"v\"")).collect();
        if repeat_first {
            *keys.last_mut().unwrap() = "\"k0\":\"v\"".into();
        }
        with_header(&good, &format!("{}{}{}", &h[..meta_start], keys.join(","), &h[meta_end..]))
    };
    let budget = MAX_HEADER_KEYS - other_keys;
    assert!(load_safetensors(&mut trained_digits_model(3).0, &with_metadata(budget, false)).is_ok());
    rejected(&with_metadata(budget, true), "bad_header");
    rejected(&with_metadata(budget + 1, false), "too_many_keys");
    rejected(&with_metadata(50_000, false), "too_many_keys");
    // The count is checked as each key is read: what follows the first key past the cap is never parsed (broken JSON
    // there still gives too_many_keys), so a huge header costs work proportional to the cap, not to its size.
    let mut keys: Vec<String> = (0..=MAX_HEADER_KEYS).map(|i| format!("\"k{i}\":\"v\"")).collect();
    keys.push("\"broken\":@@@".into());
    rejected(
        &with_header(&good, &format!("{}{}{}", &h[..meta_start], keys.join(","), &h[meta_end..])),
        "too_many_keys",
    );

    // Offsets that overlap, leave a hole, or disagree with the shape.
    rejected(&with_header(&good, &h.replacen("[8,1,5,5]", "[8,1,5,4]", 1)), "bad_offsets");
    rejected(
        &with_header(&good, &h.replacen("\"data_offsets\":[0,800]", "\"data_offsets\":[4,804]", 1)),
        "bad_offsets",
    );
    let mut longer = good.clone();
    longer.extend_from_slice(&[0; 4]);
    rejected(&longer, "bad_offsets");

    // Names: one renamed (so one missing), one added.
    rejected(&with_header(&good, &h.replace("\"7.weight\"", "\"8.weight\"")), "missing_tensor");
    rejected(&reference_file(&m, Dtype::F32, &[("extra.weight", vec![2, 2])]), "unexpected_tensor");

    // Shapes of another net (same names), transposed shapes (same count), another dtype.
    let other = model(
        "conv(4_k5_p2)~relu~maxpool(2)~conv(16_k5_p2)~relu~maxpool(3)~flatten~dense(10)",
        Shape::image(1, 28, 28),
        "sgd",
        0,
    );
    rejected(&to_safetensors(&other), "wrong_shape");
    rejected(&with_header(&good, &h.replace("[10,256]", "[256,10]")), "wrong_shape");
    rejected(&reference_file(&m, Dtype::F64, &[]), "wrong_dtype");

    // Values that are not numbers.
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let mut b = good.clone();
        let at = good.len() - 8; // inside 7.bias
        b[at..at + 4].copy_from_slice(&bad.to_le_bytes());
        rejected(&b, "not_finite");
    }
}

#[test]
fn a_partial_state_dict_is_not_loaded() {
    // All or nothing: a file with every tensor right but the last missing changes nothing, not even the first.
    let (m, _) = trained_digits_model(8);
    let data: Vec<(String, Vec<usize>, Vec<u8>)> = m
        .params()
        .filter(|p| p.name != "7.bias")
        .map(|p| (p.name.clone(), p.shape.clone(), p.value.iter().flat_map(|v| v.to_le_bytes()).collect()))
        .collect();
    let views = data.iter().map(|(n, s, d)| (n.clone(), TensorView::new(Dtype::F32, s.clone(), d).unwrap()));
    let bytes = safetensors::serialize(views, None).unwrap();
    rejected(&bytes, "missing_tensor");
}

#[test]
fn mutated_files_never_panic_and_never_load_halfway() {
    // Seeded: 3,000 files, each the good file with a few bytes overwritten (mostly in the header), or cut, or with
    // a length prefix changed. Each either loads, and then the model holds exactly the values the reference reader
    // finds in it, or fails and the model is unchanged.
    let (source, _) = trained_digits_model(9);
    let good = to_safetensors(&source);
    let header_end = 8 + header(&good).len();
    let mut m = trained_digits_model(10).0;
    let mut rng: Rng = seeded(2026);
    let (mut loaded, mut failed) = (0, 0);
    for case in 0..3000 {
        let mut b = good.clone();
        match case % 4 {
            0 | 1 => {
                for _ in 0..rng.random_range(1..4) {
                    let at = rng.random_range(8..header_end);
                    const ALPHABET: &[u8] = b"{}[]\":,0123456789 -eE.xF\\u";
                    b[at] = ALPHABET[rng.random_range(0..ALPHABET.len())];
                }
            }
            2 => {
                let at = rng.random_range(0..b.len());
                b[at] = rng.random();
                if rng.random::<bool>() {
                    b.truncate(rng.random_range(0..b.len()));
                }
            }
            _ => {
                let n = header_end as u64 - 8;
                let delta: i64 = rng.random_range(-12..12);
                b[..8].copy_from_slice(&(n as i64 + delta).max(0).to_le_bytes());
            }
        }
        let before = bits(&m);
        match load_safetensors(&mut m, &b) {
            Ok(()) => {
                loaded += 1;
                let st = SafeTensors::deserialize(&b).expect("the reference reader accepts what we accept");
                for p in m.params() {
                    let t = st.tensor(&p.name).unwrap();
                    let v: Vec<f32> =
                        t.data().chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect();
                    assert_eq!(v, p.value);
                }
            }
            Err(e) => {
                failed += 1;
                assert_eq!(e.param, "weights");
                assert_eq!(bits(&m), before, "case {case}: {e}");
            }
        }
    }
    assert!(loaded > 100 && failed > 1000, "the search must reach both outcomes: {loaded} loaded, {failed} failed");
}

#[test]
fn pytorch_code_names_the_layers_by_their_parameter_indices() {
    let (m, _) = trained_digits_model(11);
    let code = pytorch_code(&m, &digits_preprocess(&Digits::embedded()), "model.safetensors").unwrap();
    for line in [
        "    nn.Conv2d(1, 8, kernel_size=5, stride=1, padding=2),  # 0 conv(8_k5_p2): 1×28×28 → 8×28×28",
        "    nn.ReLU(),  # 1 relu",
        "    nn.MaxPool2d(kernel_size=2, stride=2),  # 2 maxpool(2): 8×28×28 → 8×14×14",
        "    nn.Conv2d(8, 16, kernel_size=5, stride=1, padding=2),  # 3 conv(16_k5_p2): 8×14×14 → 16×14×14",
        "    nn.MaxPool2d(kernel_size=3, stride=3),  # 5 maxpool(3): 16×14×14 → 16×4×4",
        "    nn.Flatten(),  # 6 flatten: 16×4×4 → 256, channel by channel (C, then H, then W)",
        "    nn.Linear(256, 10),  # 7 dense(10): 256 → 10",
        "model.load_state_dict(load_file(\"model.safetensors\"))",
        "    x = x / 16  # 0 … 16 → [0, 1]",
        "    x = F.interpolate(x, size=(28, 28), mode=\"bilinear\", align_corners=False)",
        "def predict(raw):",
    ] {
        assert!(code.contains(line), "missing {line:?} in\n{code}");
    }
    let rgb = model("conv(4)~flatten~dense(3)", Shape::image(3, 8, 8), "sgd", 0);
    let err = pytorch_code(&rgb, &digits_preprocess(&Digits::embedded()), "w.safetensors").unwrap_err();
    assert_eq!((err.param.as_str(), err.code), ("input", "channels_mismatch"));
    for name in ["", "../x.safetensors", "a\"b", "w\n.safetensors", &"a".repeat(101)] {
        let err = pytorch_code(&m, &Preprocess::none(m.input_shape()), name).unwrap_err();
        assert_eq!((err.param.as_str(), err.code), ("file", "bad_file_name"), "{name:?}");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The fixture of the independent Python check.

struct Case {
    name: &'static str,
    model: Model,
    pre: Preprocess,
    /// Raw images, N×C×H×W as the source has them (digits: 0 … 16).
    raw: Vec<f32>,
    /// The same images as the engine's data pipeline gives them to the model.
    input: Vec<f32>,
    n: usize,
}

fn digits_case(name: &'static str, spec: &str, (h, w): (usize, usize), optimizer: &str, steps: usize) -> Case {
    let digits = Digits::embedded();
    let data = digits.to_dataset(h, w).unwrap();
    let mut m = model(spec, Shape::image(1, h, w), optimizer, 5);
    let batch = 32;
    for step in 0..steps {
        let idx: Vec<usize> = (0..batch).map(|i| (step * batch + i) * 13 % data.len()).collect();
        let (mut x, mut y) = (vec![0.0; batch * h * w], vec![0; batch]);
        data.gather(&idx, &mut x, &mut y).unwrap();
        m.train_step(&x, &y, batch).unwrap();
    }
    let picks = [0, 1, 2, 3, 500, 1000, 1796];
    let raw = picks.iter().flat_map(|&i| digits.pixels(i).iter().map(|&p| p as f32)).collect();
    let input = picks.iter().flat_map(|&i| data.image(i).to_vec()).collect();
    Case { name, pre: digits_preprocess(&digits), model: m, raw, input, n: picks.len() }
}

fn cases() -> Vec<Case> {
    let mut rgb =
        model("conv(4_k3_p1)~relu~maxpool(3_s2)~conv(3_k1)~flatten~dense(5)", Shape::image(3, 9, 7), "sgd", 3);
    let mut rng: Rng = seeded(77);
    let names: Vec<String> = rgb.params().filter(|p| p.name.ends_with("bias")).map(|p| p.name.clone()).collect();
    for name in names {
        let len = rgb.param(&name).unwrap().len();
        let v: Vec<f32> = (0..len).map(|_| rng.random::<f32>() - 0.5).collect();
        rgb.set_param(&name, &v).unwrap();
    }
    let n = 5;
    let images: Vec<f32> = (0..n * 3 * 9 * 7).map(|_| rng.random::<f32>()).collect();
    let mut cases = vec![
        digits_case("digits_default", cnn_playground::nn::spec::DEFAULT_SPEC, (28, 28), "sgd(lr0.01_m0.9)", 30),
        digits_case(
            "digits_every_layer",
            "conv(6_k3_s2_p1)~tanh~avgpool(2_s1)~conv(5_k2)~gelu~maxpool(2)~flatten~dropout(0.3)~dense(12)~selu~dense(16)~sigmoid~dense(14)~leaky_relu~dense(10)~linear",
            (20, 24),
            "adam(lr0.003)",
            20,
        ),
        digits_case("digits_conv_head", "conv(4_k3)~relu~conv(10_k5)", (7, 7), "sgd(lr0.01_m0.9)", 10),
        // BatchNorm after a conv and after dense, GroupNorm on images and on features; trained, so the running
        // statistics, γ and β are far from their start and the logits depend on eval mode's running statistics. Two
        // short nets: the tolerance is a worst case that grows with each normalization, so one long net would hide
        // small differences.
        digits_case(
            "digits_bn",
            "conv(6_k3_p1)~bn~relu~maxpool(2)~flatten~dense(16)~bn~tanh~dense(10)",
            (12, 12),
            "sgd(lr0.05_m0.9)",
            20,
        ),
        digits_case(
            "digits_gn",
            "conv(6_k3_p1)~gn(3)~relu~maxpool(2)~flatten~gn(2)~dense(10)",
            (12, 12),
            "adam(lr0.01)",
            20,
        ),
        Case {
            name: "rgb_images",
            pre: Preprocess::none(rgb.input_shape()),
            model: rgb,
            raw: images.clone(),
            input: images,
            n,
        },
    ];
    // One hidden layer per activation: short sums keep the tolerance tight, so each function's exact form (GELU's
    // tanh form, SELU's constants, the leaky slope) shows in the logits.
    for (name, act) in [
        ("act_gelu", "gelu"),
        ("act_selu", "selu"),
        ("act_leaky_relu", "leaky_relu"),
        ("act_sigmoid", "sigmoid"),
        ("act_tanh", "tanh"),
    ] {
        let mut m = model(&format!("flatten~dense(16)~{act}~dense(3)"), Shape::image(1, 2, 3), "sgd", 8);
        // Hidden weights uniform in [-2, 2] on inputs in [0, 1] spread the pre-activations over about ±3, the
        // curved part of every function; output weights in [-1, 1].
        for (layer, scale) in [("1", 4.0), ("3", 2.0)] {
            for suffix in ["weight", "bias"] {
                let name = format!("{layer}.{suffix}");
                let len = m.param(&name).unwrap().len();
                let v: Vec<f32> = (0..len).map(|_| scale * (rng.random::<f32>() - 0.5)).collect();
                m.set_param(&name, &v).unwrap();
            }
        }
        let x: Vec<f32> = (0..8 * 6).map(|_| rng.random::<f32>()).collect();
        cases.push(Case { name, pre: Preprocess::none(m.input_shape()), model: m, raw: x.clone(), input: x, n: 8 });
    }
    cases
}

fn json_numbers(v: &[f32]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x:?}")).collect();
    format!("[{}]", items.join(","))
}

/// Writes target/export-check/: per case the weights, the PyTorch code, and in cases.json the raw images, their
/// shape and the engine's logits; tests/python/test_export.py checks them with numpy (`make test-python` runs this
/// first; the Python tests refuse to run without it). Each weights file is read back here before it is used.
#[test]
fn python_fixture() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/export-check");
    std::fs::create_dir_all(&dir).unwrap();
    let mut entries = Vec::new();
    for mut case in cases() {
        let weights = format!("{}.safetensors", case.name);
        let code = pytorch_code(&case.model, &case.pre, &weights).unwrap();
        std::fs::write(dir.join(&weights), to_safetensors(&case.model)).unwrap();
        std::fs::write(dir.join(format!("{}.py", case.name)), &code).unwrap();
        let logits = case.model.forward(&case.input, case.n).unwrap().to_vec();
        // What was written is what the Python side will read: the file loads back into the model and gives the
        // same logits, bit for bit.
        load_safetensors(&mut case.model, &std::fs::read(dir.join(&weights)).unwrap()).unwrap();
        let again = case.model.forward(&case.input, case.n).unwrap();
        assert!(again.iter().zip(&logits).all(|(a, b)| a.to_bits() == b.to_bits()), "{} reloaded", case.name);
        let r = case.pre.raw;
        entries.push(format!(
            "{{\"name\":\"{}\",\"weights\":\"{weights}\",\"code\":\"{}.py\",\"raw_shape\":[{},{},{},{}],\"max_value\":{},\"raw\":{},\"logits\":{}}}",
            case.name,
            case.name,
            case.n,
            r.c,
            r.h,
            r.w,
            case.pre.max_value,
            json_numbers(&case.raw),
            json_numbers(&logits)
        ));
    }
    std::fs::write(dir.join("cases.json"), format!("{{\"cases\":[\n{}\n]}}\n", entries.join(",\n"))).unwrap();
}

// ---------------------------------------------------------------------------------------------------------------
// A run as a PyTorch script (src/run/script.rs).

use cnn_playground::data::digits::DIGITS_BIN;
use cnn_playground::run::npz::{self, Array, Values};
use cnn_playground::run::script::{Naming, train_script};
use cnn_playground::run::train::TrainConfig;
use cnn_playground::run::{Settings, Value};

fn naming(name: &str) -> Naming {
    Naming { name: name.into(), link: "https://example.org/#view=train&lr=0.05".into() }
}

/// The numbers of a Python list `NAME = [...]` in a script.
fn py_list(text: &str, name: &str) -> Vec<usize> {
    let start =
        text.find(&format!("\n{name} = [")).unwrap_or_else(|| panic!("no {name} in the script")) + name.len() + 5;
    let end = start + text[start..].find(']').unwrap();
    text[start..end].split(',').map(|s| s.trim()).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect()
}

#[test]
fn a_train_script_holds_the_runs_exact_hyper_parameters_split_and_subsets() {
    let s = Settings::new()
        .with("model", "conv(6_k3_p1)~bn~relu~maxpool(2)~flatten~dense(10)")
        .with("opt", "adam")
        .with("lr", 0.003)
        .with("wd", 1e-4)
        .with("bs", 24.0)
        .with("epochs", 3.0)
        .with("per_class", 15.0)
        .with("aug", "translate(x0.1_y0.1)")
        .with("init", "xavier_uniform")
        .with("seed", 7.0);
    let script = train_script(&s, Some(DIGITS_BIN), &naming("cnn-playground-train")).unwrap();
    let text = &script.text;
    assert_eq!(script.file, "cnn-playground-train.py");
    assert!(script.npz.is_none(), "the digits come from scikit-learn");
    let c = TrainConfig::from_settings(&s).unwrap();
    let (_, split, _) = c.data(Some(DIGITS_BIN)).unwrap();
    assert_eq!(split.train.len(), 150);
    assert_eq!(py_list(text, "TRAIN"), split.train);
    assert_eq!(py_list(text, "VAL"), split.val);
    let measured = cnn_playground::run::train::measure_subset(&split.val, 200, 7, 2);
    assert_eq!(py_list(text, "MEASURE_VAL"), measured);
    // ceil(3 epochs × 150 images / 24) = 19 steps.
    for needle in [
        "SEED = 7\n",
        "BATCH_SIZE = 24\n",
        "STEPS = 19 ",
        "VAL_EVERY = 10 ",
        "torch.optim.Adam(model.parameters(), lr=0.003, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0001)",
        "nn.Conv2d(1, 6, kernel_size=3, stride=1, padding=1)",
        "nn.BatchNorm2d(6)",
        "nn.Linear(1176, 10)",
        "torch.nn.init.xavier_uniform_(w, gain=1.0)",
        "torch.nn.init.zeros_(model[0].bias)",
        "torch.nn.init.ones_(model[1].weight)",
        "v2.RandomAffine(degrees=0, translate=(0.1, 0.1)",
        "F.interpolate(x, size=(28, 28), mode=\"bilinear\", align_corners=False)",
        "x = x / 16",
        "from sklearn.datasets import load_digits",
        "#   lr=0.003\n",
        "# The page's link / 페이지 링크: https://example.org/#view=train&lr=0.05\n",
        "PyTorch의 난수는",
        "print(\"step\\ttrain_loss\\ttrain_acc\\tval_loss\\tval_acc\")",
    ] {
        assert!(text.contains(needle), "the script lacks {needle:?}");
    }
    // The digits' check is the hash of the shipped file's body (pixels, then labels), written in its header.
    let header_hash = u32::from_le_bytes(DIGITS_BIN[12..16].try_into().unwrap());
    assert!(text.contains(&format!("== {header_hash:#010x}")), "the script checks the digits file's hash");
    // Another seed: another batch order, same split; the measured subsets follow the seed.
    let other = train_script(&s.clone().with("seed", 8.0), Some(DIGITS_BIN), &naming("x")).unwrap().text;
    assert_eq!(py_list(&other, "TRAIN"), split.train);
    assert_ne!(py_list(&other, "MEASURE_VAL"), measured);
}

#[test]
fn a_symbols_script_brings_its_data_as_npz_and_sgd_settings_verbatim() {
    let s = Settings::new().with("data", "symbols").with("lr", 0.02).with("momentum", 0.5).with("bs", 10.0);
    let script = train_script(&s, None, &naming("sym")).unwrap();
    let (file, bytes) = script.npz.as_ref().expect("the symbols travel as an .npz");
    assert_eq!(file, "sym.npz");
    assert!(script.text.contains("arrays = np.load(\"sym.npz\")"));
    assert!(
        script
            .text
            .contains("torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.5, nesterov=False, weight_decay=0.0)")
    );
    assert!(!script.text.contains("x = x / "), "the symbols are already in [0, 1]");
    // The archive: two stored entries whose CRCs and sizes are right (numpy reads it in tests/python).
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    assert_eq!(&bytes[bytes.len() - 22..bytes.len() - 18], b"PK\x05\x06");
    assert_eq!(u16::from_le_bytes([bytes[bytes.len() - 12], bytes[bytes.len() - 11]]), 2);
}

#[test]
fn a_script_refuses_unsafe_names_and_links_and_names_the_setting_at_fault() {
    let s = Settings::new();
    let bad =
        |name: &str, link: &str| train_script(&s, Some(DIGITS_BIN), &Naming { name: name.into(), link: link.into() });
    assert_eq!(bad("a/b", "").unwrap_err().code, "bad_file_name");
    assert_eq!(bad("", "").unwrap_err().code, "bad_file_name");
    assert_eq!(bad("ok", "x\nimport os").unwrap_err().code, "bad_link");
    assert_eq!(bad("ok", "x\"").unwrap_err().param, "link");
    let e = train_script(&s.clone().with("lr", Value::Text("x".into())), Some(DIGITS_BIN), &naming("ok")).unwrap_err();
    assert_eq!((e.param.as_str(), e.code), ("lr", "wrong_type"));
}

#[test]
fn npy_headers_are_padded_to_64_bytes_and_crc32_is_zips() {
    // The check value of CRC-32 (ISO-HDLC) on "123456789".
    assert_eq!(npz::crc32(b"123456789"), 0xCBF4_3926);
    let b = npz::npy(&[2, 3], &Values::F32(vec![0.0; 6]));
    let header_len = u16::from_le_bytes([b[8], b[9]]) as usize;
    assert_eq!((10 + header_len) % 64, 0);
    assert_eq!(b.len(), 10 + header_len + 24);
    assert!(std::str::from_utf8(&b[10..10 + header_len]).unwrap().contains("'shape': (2, 3)"));
    let e = npz::npz(&[Array { name: "x".into(), shape: vec![4], values: Values::I64(vec![1]) }]).unwrap_err();
    assert_eq!(e.code, "shape_mismatch");
}

/// The scripts and an .npz for tests/python/test_export.py: Python compiles every script (no torch needed) and numpy
/// reads the archive against the values written beside it.
#[test]
fn python_fixture_scripts() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/export-check/scripts");
    std::fs::create_dir_all(&dir).unwrap();
    let cases: [(&str, Settings); 4] = [
        ("digits-default", Settings::new()),
        (
            "digits-aug-adam",
            Settings::new().with("opt", "adam").with("aug", "rotate(deg10)~noise(sigma0.05)~resize(min0.8_max1.1)"),
        ),
        ("digits-norm-dropout", Settings::new().with("model", "conv(4_k3)~gn(2)~relu~flatten~dropout(0.3)~dense(10)")),
        ("symbols", Settings::new().with("data", "symbols").with("per_class", 5.0)),
    ];
    for (name, s) in cases {
        let script = train_script(&s, Some(DIGITS_BIN), &naming(name)).unwrap();
        std::fs::write(dir.join(&script.file), &script.text).unwrap();
        if let Some((file, bytes)) = &script.npz {
            std::fs::write(dir.join(file), bytes).unwrap();
            let c = TrainConfig::from_settings(&s).unwrap();
            let (data, _, _) = c.data(None).unwrap();
            let sum: f64 = data.images().iter().map(|&v| v as f64).sum();
            let labels: u64 = data.labels().iter().map(|&l| l as u64).sum();
            std::fs::write(
                dir.join(format!("{name}.json")),
                format!(
                    "{{\"shape\":[{},{},{},{}],\"sum\":{sum},\"label_sum\":{labels},\"first\":{}}}",
                    data.len(),
                    data.channels(),
                    data.height(),
                    data.width(),
                    json_numbers(&data.images()[..50])
                ),
            )
            .unwrap();
        }
    }
}

/// A transfer cell on the small/similar quadrant with the shipped zoo model, as the page opens it.
fn cell_case(strategy: &str) -> (Settings, cnn_playground::data::Dataset, cnn_playground::data::Split) {
    use cnn_playground::transfer::plan::{self, Similarity, Size};
    let q = plan::quadrant(Size::Small, Similarity::Similar);
    let (data, split) = cnn_playground::run::transfer::task_data(&q).unwrap();
    let weights = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/zoo/small.safetensors")).unwrap();
    let s = Settings::new()
        .with("model", cnn_playground::transfer::zoo::RECIPES[0].spec)
        .with("weights", weights)
        .with("strategy", strategy)
        .with("k", 1.0)
        .with("steps", 60.0)
        .with("every", 20.0)
        .with("seed", 3.0);
    (s, (*data).clone(), (*split).clone())
}

#[test]
fn a_transfer_script_loads_the_body_freezes_by_strategy_and_brings_the_target_data() {
    use cnn_playground::nn::export::Preprocess;
    use cnn_playground::run::script::cell_script;
    let pre = Preprocess::none(cnn_playground::transfer::zoo::INPUT);
    let (s, data, split) = cell_case("freeze_k");
    let script = cell_script(&s, &data, &split, pre, &naming("transfer-freeze")).unwrap();
    let text = &script.text;
    assert_eq!(py_list(text, "TRAIN"), split.train);
    assert_eq!(py_list(text, "VAL"), split.val);
    for needle in [
        "STEPS = 60 ",
        "VAL_EVERY = 20 ",
        "SEED = 3\n",
        "FROZEN = [0]",
        "model[i].requires_grad_(False)",
        "# --- Strategy / 전략: freeze_k ---",
        "model.load_state_dict(body, strict=False)",
        "MEASURE_TRAIN, MEASURE_VAL = TRAIN, VAL",
        "DIVERGED = float(\"inf\")",
    ] {
        assert!(text.contains(needle), "the script lacks {needle:?}");
    }
    let (_, bytes) = script.npz.as_ref().unwrap();
    assert!(bytes.windows(20).any(|w| w == b"backbone.0.weight.np"), "the body travels in the .npz");
    // Mean Var re-draws in PyTorch; from scratch loads nothing and carries no body.
    let (s, data, split) = cell_case("mean_var");
    let mv_script = cell_script(&s, &data, &split, pre, &naming("transfer-mean-var")).unwrap();
    let mv = mv_script.text.clone();
    assert!(mv.contains("p.copy_(torch.randn_like(p) * std + mean)") && mv.contains("FROZEN = []"));
    let (s, data, split) = cell_case("scratch");
    let scratch = cell_script(&s, &data, &split, pre, &naming("scratch")).unwrap();
    assert!(!scratch.text.contains("load_state_dict(body"));
    let (_, bytes) = scratch.npz.unwrap();
    assert!(!bytes.windows(9).any(|w| w == b"backbone."));
    // The strategies' optimizers: fine-tuning at the lower rate, the head at the scratch rate.
    let (s, data, split) = cell_case("head");
    let head_text = cell_script(&s, &data, &split, pre, &naming("head")).unwrap().text;
    let ft = cnn_playground::transfer::plan::Strategy::Finetune
        .optimizer(cnn_playground::transfer::plan::finetune_lr())
        .unwrap();
    assert!(text.contains(&format!("lr={:?},", ft.lr)), "freeze_k fine-tunes at {}", ft.lr);
    assert!(!head_text.contains(&format!("lr={:?},", ft.lr)));
    // For tests/python: every strategy's script compiles.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/export-check/scripts");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(&mv_script.file), &mv).unwrap();
    let (npz_file, npz_bytes) = mv_script.npz.unwrap();
    std::fs::write(dir.join(npz_file), npz_bytes).unwrap();
}
