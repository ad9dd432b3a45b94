//! Model specs: syntax, shapes, counts, limits and the errors that name a layer.

use cnn_playground::init::Scheme;
use cnn_playground::nn::model::{Model, ModelConfig, default_init};
use cnn_playground::nn::spec::{DEFAULT_SPEC, LayerSpec, ModelSpec, Shape, check_output};

fn plan_err(spec: &str, input: Shape) -> cnn_playground::Error {
    let spec = ModelSpec::parse(spec).unwrap();
    spec.plan(input).and_then(|p| check_output(&p)).unwrap_err()
}

#[test]
fn the_default_net_is_the_peers_net() {
    let spec = ModelSpec::default();
    assert_eq!(spec.to_string(), DEFAULT_SPEC);
    assert_eq!(
        spec.layers,
        [
            LayerSpec::Conv { out: 8, kernel: 5, stride: 1, padding: 2 },
            LayerSpec::Act(cnn_playground::nn::Activation::Relu),
            LayerSpec::MaxPool { kernel: 2, stride: 2 },
            LayerSpec::Conv { out: 16, kernel: 5, stride: 1, padding: 2 },
            LayerSpec::Act(cnn_playground::nn::Activation::Relu),
            LayerSpec::MaxPool { kernel: 3, stride: 3 },
            LayerSpec::Flatten,
            LayerSpec::Dense { out: 10 },
        ]
    );
    let plans = spec.plan(Shape::image(1, 28, 28)).unwrap();
    let outs: Vec<String> = plans.iter().map(|p| p.output.to_string()).collect();
    assert_eq!(outs, ["8×28×28", "8×28×28", "8×14×14", "16×14×14", "16×14×14", "16×4×4", "256", "10"]);
    // 8·(1·25) + 8 + 16·(8·25) + 16 + 10·256 + 10, the peers' README: 5,994 parameters, 786,560 MACs per example.
    assert_eq!(plans.iter().map(|p| p.params).sum::<usize>(), 5_994);
    assert_eq!(plans.iter().map(|p| p.macs).sum::<u64>(), 786_560);
    let model = Model::new(ModelConfig::default()).unwrap();
    assert_eq!(model.param_count(), 5_994);
    let flops = model.flops();
    assert_eq!(flops.forward, 1_573_120.0);
    // Everything trainable: 3× forward but the first conv's input gradient (2·8·25·784 = 313,600) is not needed.
    assert_eq!(flops.training, 3.0 * 1_573_120.0 - 313_600.0);
    let names: Vec<&str> = model.params().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias"]);
    let shapes: Vec<Vec<usize>> = model.params().map(|p| p.shape.clone()).collect();
    assert_eq!(shapes, [vec![8, 1, 5, 5], vec![8], vec![16, 8, 5, 5], vec![16], vec![10, 256], vec![10]]);
}

#[test]
fn syntax_defaults_and_shortest_form() {
    let cases = [
        ("conv(8)", "conv(8)"),
        ("conv(8_k3_s1_p0)", "conv(8)"),
        ("maxpool(2)", "maxpool(2)"),
        ("maxpool(2_s2)", "maxpool(2)"),
        ("maxpool(3_s1)", "maxpool(3_s1)"),
        ("avgpool(4)", "avgpool(4)"),
        ("dropout", "dropout"),
        ("dropout(0.50)", "dropout"),
        ("dropout(2.5e-1)", "dropout(0.25)"),
        (" conv( 8 _ k5 ) ~ leaky_relu ~flatten~ dense(1e1)", "conv(8_k5)~leaky_relu~flatten~dense(10)"),
    ];
    for (text, written) in cases {
        let spec = ModelSpec::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(spec.to_string(), written, "{text}");
        assert_eq!(ModelSpec::parse(written).unwrap(), spec);
    }
    let names = LayerSpec::names().join(",");
    assert_eq!(names, "conv,maxpool,avgpool,flatten,dense,dropout,bn,gn,tanh,sigmoid,relu,leaky_relu,linear,selu,gelu");
}

#[test]
fn syntax_errors_name_the_step() {
    let err = |s: &str| ModelSpec::parse(s).unwrap_err();
    let cases = [
        ("conv(8)~relu~conv(k5)", "model: step 3 (conv): conv needs its value, e.g. conv(2)", "missing_required"),
        ("conv(8_k40)", "model: step 1 (conv): k must be between 1 and 32, got 40", "out_of_range"),
        ("conv(8_k2.5)", "model: step 1 (conv): k must be a whole number, got 2.5", "not_whole"),
        ("conv(-8)", "model: step 1 (conv): value must be between 1 and 1024, got -8", "out_of_range"),
        (
            "dense(10)~softmax",
            "model: step 2: unknown step \"softmax\"; expected one of conv, maxpool, avgpool, flatten, dense, dropout, bn, gn, tanh, sigmoid, relu, leaky_relu, linear, selu, gelu",
            "unknown_step",
        ),
        ("relu(3)", "model: step 1 (relu): unknown parameter \"3\"; relu takes no numbers", "unknown_parameter"),
        ("dropout(1)", "model: step 1 (dropout): value must be between 0 and 0.99, got 1", "out_of_range"),
        ("maxpool(2_s0)", "model: step 1 (maxpool): s must be between 1 and 32, got 0", "out_of_range"),
        (
            "conv(8_x3)",
            "model: step 1 (conv): unknown parameter \"x3\"; conv takes a bare number, k, s, p followed by a number (e.g. 1)",
            "unknown_parameter",
        ),
        ("maxpool", "model: step 1 (maxpool): maxpool needs its value, e.g. maxpool(2)", "missing_required"),
        ("", "model: a model needs at least one layer, e.g. flatten~dense(10)", "empty_model"),
    ];
    for (text, message, code) in cases {
        let e = err(text);
        assert_eq!(e.to_string(), message, "{text}");
        assert_eq!(e.code, code, "{text}");
        assert_eq!(e.param, "model");
    }
    assert_eq!(err("conv(8)~relu~conv(k5)").value("step"), Some(3.0));
    assert_eq!(err(&["relu"; 33].join("~")).code, "too_many_steps");
}

#[test]
fn a_spec_that_does_not_fit_its_input_names_the_layer() {
    let mnist = Shape::image(1, 28, 28);
    let cases = [
        (
            "conv(8_k5)~maxpool(2)~conv(8_k5)~maxpool(2)~conv(8_k5)~flatten~dense(10)",
            "layer 5 (conv): its 5×5 kernel does not fit the 4×4 input (padding 0)",
            "kernel_too_large",
            5.0,
        ),
        (
            "maxpool(29)~flatten~dense(2)",
            "layer 1 (maxpool): its 29×29 window does not fit the 28×28 input",
            "kernel_too_large",
            1.0,
        ),
        (
            "flatten~conv(3)",
            "layer 2 (conv): a convolution needs an image (C×H×W) input, but it comes after flatten",
            "not_an_image",
            2.0,
        ),
        (
            "flatten~relu~maxpool(2)",
            "layer 3 (maxpool): a pooling layer needs an image (C×H×W) input, but it comes after flatten",
            "not_an_image",
            3.0,
        ),
        (
            "conv(4)~dense(10)",
            "layer 2 (dense): a dense layer needs a flat input, but it gets 4×26×26; put flatten before it",
            "needs_flatten",
            2.0,
        ),
        (
            "conv(4)~relu",
            "layer 2 (relu) gives 4×26×26 values per example; a model ends with flat logits, e.g. flatten~dense(10)",
            "output_not_flat",
            2.0,
        ),
        (
            "flatten~dense(5000)~dense(1000)",
            "layer 3 (dense): the model would have 8926000 parameters up to here; at most 4000000",
            "too_many_parameters",
            3.0,
        ),
        (
            "conv(1024_k1)~conv(1024_k1)~conv(1024_k1)~flatten~dense(2)",
            "layer 3 (conv): the model would store 4015648 values per example up to here; at most 4000000",
            "too_many_activations",
            3.0,
        ),
    ];
    for (text, message, code, layer) in cases {
        let e = plan_err(text, mnist);
        assert_eq!(e.message, message, "{text}");
        assert_eq!((e.param.as_str(), e.code, e.value("layer")), ("model", code, Some(layer)), "{text}");
    }
    // Any H×W×C input, RGB included; a bad input shape is the input's error.
    let rgb = ModelSpec::parse("conv(4_k3_s2)~relu~avgpool(2)~flatten~dense(3)")
        .unwrap()
        .plan(Shape::image(3, 17, 23))
        .unwrap();
    assert_eq!(rgb[0].output, Shape::image(4, 8, 11));
    assert_eq!(rgb[0].params, 4 * 3 * 9 + 4);
    let e = ModelSpec::default().plan(Shape::image(0, 28, 28)).unwrap_err();
    assert_eq!((e.param.as_str(), e.code), ("input", "bad_input"));
}

#[test]
fn initialization_follows_the_activations_and_is_seeded() {
    let scheme = |s: &str| default_init(&ModelSpec::parse(s).unwrap()).scheme;
    assert_eq!(scheme(DEFAULT_SPEC), Scheme::HeNormal);
    assert_eq!(scheme("conv(4)~tanh~flatten~dense(2)"), Scheme::XavierNormal);
    assert_eq!(scheme("flatten~dense(8)~sigmoid~dense(2)~relu"), Scheme::XavierNormal);
    assert_eq!(scheme("flatten~dense(8)~selu~dense(2)"), Scheme::LecunNormal);
    assert_eq!(scheme("flatten~dense(2)"), Scheme::HeNormal);
    let a = Model::new(ModelConfig::default()).unwrap();
    let b = Model::new(ModelConfig::default()).unwrap();
    let c = Model::new(ModelConfig { seed: 1, ..ModelConfig::default() }).unwrap();
    let values = |m: &Model| m.params().map(|p| p.value.clone()).collect::<Vec<_>>();
    assert_eq!(values(&a), values(&b));
    assert_ne!(values(&a), values(&c));
    // He normal: std √(2 / fan_in); biases zero. The 200-weight... 3,200 weights of conv 2 (fan_in 200) give a
    // sample std within 4 standard errors (σ/√(2n) ≈ 1.25 % relative) of 0.1.
    let w = &a.param("3.weight").unwrap().value;
    let std = (w.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / w.len() as f64).sqrt();
    assert!((std / 0.1 - 1.0).abs() < 4.0 / (2.0 * w.len() as f64).sqrt(), "std {std}");
    assert!(a.params().filter(|p| p.name.ends_with("bias")).all(|p| p.value.iter().all(|&v| v == 0.0)));
}
