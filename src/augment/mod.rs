//! Data augmentation: one module per family, and a seeded pipeline.
