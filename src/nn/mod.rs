//! The tiny CNN engine: layers with forward and backward passes on NCHW batches, a sequential model with freezing,
//! optimizers with PyTorch's update rules, and the GEMM kernels underneath. No browser in here.
//!
//! # Using it
//! ```
//! use cnn_playground::nn::model::{Model, ModelConfig};
//! use cnn_playground::nn::spec::{ModelSpec, Shape};
//! use cnn_playground::nn::optim::OptimizerConfig;
//!
//! let config = ModelConfig {
//!     spec: ModelSpec::parse("conv(8_k5_p2)~relu~maxpool(2)~conv(16_k5_p2)~relu~maxpool(3)~flatten~dense(10)")?,
//!     input: Shape::image(1, 28, 28),            // C×H×W of one example
//!     init: None,                                // He normal here (tanh/sigmoid nets: Xavier normal)
//!     optimizer: OptimizerConfig::parse("sgd(lr0.01_m0.9)")?,
//!     seed: 42,
//! };
//! let mut model = Model::new(config)?;
//! assert_eq!(model.param_count(), 5_994);
//! let (n, x, y) = (2, vec![0.5f32; 2 * 784], vec![3u32, 7]); // x: n×C×H×W, y: n labels
//! let loss = model.train_step(&x, &y, n)?;                    // one SGD step, mean loss of the batch
//! let logits = model.forward(&x, n)?;                         // n × 10, evaluation mode
//! assert_eq!(logits.len(), 20);
//! model.freeze_all_but_head()?;                               // fine-tuning: only 7.weight / 7.bias train
//! # let _ = loss;
//! # Ok::<(), cnn_playground::Error>(())
//! ```
//!
//! # Modules
//! - [`spec`]: the `model=` syntax (shared step grammar), shapes, limits, parameter and MAC counts.
//! - [`layer`]: [`layer::Parameter`] (name, PyTorch shape, value, grad, trainable) and the layers.
//! - [`model`]: [`model::Model`]: training step, inference, evaluation, freezing, FLOPs, snapshots.
//! - [`optim`]: SGD (momentum, Nesterov, weight decay) and Adam; constant, step and cosine schedules.
//! - [`loss`]: softmax cross-entropy, mean over the batch.
//! - [`norm`]: BatchNorm and GroupNorm (PyTorch's semantics, running statistics, frozen = evaluation behaviour).
//! - [`activation`]: the activation functions (shared with the signal probe).
//! - [`safetensors`]: the weights as a safetensors file with PyTorch's names and shapes; loading one, checked.
//! - [`export`]: the model and its input pipeline as PyTorch code.
//! - [`kernels`]: the GEMM.
//! - [`profile`]: per-layer forward and backward times of a training step.

pub mod activation;
pub mod export;
pub mod kernels;
pub mod layer;
pub mod loss;
pub mod model;
pub mod norm;
pub mod optim;
pub mod profile;
pub mod safetensors;
pub mod spec;

pub use activation::Activation;
