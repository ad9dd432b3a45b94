//! Summary statistics shared by the panels: moments with f64 accumulators and fixed-range histograms.

/// Mean and (population) standard deviation of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    pub mean: f64,
    pub std: f64,
}

/// Two-pass mean and std in f64, so a million f32 samples lose no precision. Empty input gives NaN.
/// Any non-finite value makes the result non-finite, which callers report as overflow.
pub fn moments(values: &[f32]) -> Moments {
    if values.is_empty() {
        return Moments { mean: f64::NAN, std: f64::NAN };
    }
    let n = values.len() as f64;
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n;
    let var = values.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
    Moments { mean, std: var.sqrt() }
}

/// Counts of values in `bins` equal-width bins over `[lo, hi]`; the last bin includes `hi`.
/// Values outside the range and non-finite values are counted separately, not dropped silently.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    pub lo: f64,
    pub hi: f64,
    pub counts: Vec<u32>,
    pub below: u32,
    pub above: u32,
    pub non_finite: u32,
}

impl Histogram {
    pub fn new(values: &[f32], lo: f64, hi: f64, bins: usize) -> Histogram {
        let bins = bins.max(1);
        let mut h = Histogram { lo, hi, counts: vec![0; bins], below: 0, above: 0, non_finite: 0 };
        let scale = bins as f64 / (hi - lo);
        for &v in values {
            let v = v as f64;
            if !v.is_finite() {
                h.non_finite += 1;
            } else if v < lo {
                h.below += 1;
            } else if v > hi {
                h.above += 1;
            } else {
                let i = (((v - lo) * scale) as usize).min(bins - 1);
                h.counts[i] += 1;
            }
        }
        h
    }

    pub fn bin_width(&self) -> f64 {
        (self.hi - self.lo) / self.counts.len() as f64
    }

    /// Counts divided by (total · bin width): comparable with a probability density.
    pub fn density(&self, total: usize) -> Vec<f64> {
        let norm = total.max(1) as f64 * self.bin_width();
        self.counts.iter().map(|&c| c as f64 / norm).collect()
    }
}

/// The standard normal density.
pub fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}
