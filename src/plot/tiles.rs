//! Grids of small images as RGBA bytes (the page puts them on a canvas and lets CSS scale them up without
//! smoothing): a first layer's filters, activation maps, misclassified examples. Each tile is scaled on its own, so
//! a filter with small weights is as visible as one with large weights; signed values (weights) use a diverging
//! scale (blue below zero, white at zero, red above), unsigned ones (images, activations) grey from black to white.

/// How a grid of `tiles` tiles of `height × width` values lays out: `columns` per row, one pixel between tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileGrid {
    pub tiles: usize,
    pub height: usize,
    pub width: usize,
    pub columns: usize,
}

impl TileGrid {
    pub fn rows(&self) -> usize {
        self.tiles.div_ceil(self.columns.max(1))
    }
    /// The grid's size in pixels (0 × 0 for no tiles).
    pub fn size(&self) -> (usize, usize) {
        let c = self.columns.max(1).min(self.tiles);
        let r = self.rows();
        if c == 0 { (0, 0) } else { (c * (self.width + 1) - 1, r * (self.height + 1) - 1) }
    }
}

/// The RGBA bytes (row-major, `size().0 × size().1` pixels) of `values`, which hold `tiles × height × width` numbers
/// tile after tile. Gaps are light grey; non-finite values are drawn magenta so they cannot pass for zero.
/// Returns an empty vector when `values` is shorter than the grid needs.
pub fn tiles_rgba(values: &[f32], grid: TileGrid, signed: bool) -> Vec<u8> {
    let per = grid.height * grid.width;
    let (gw, gh) = grid.size();
    if per == 0 || values.len() < grid.tiles * per || gw == 0 {
        return Vec::new();
    }
    let mut out = vec![220u8; gw * gh * 4];
    let columns = grid.columns.max(1);
    for t in 0..grid.tiles {
        let tile = &values[t * per..(t + 1) * per];
        let finite = tile.iter().copied().filter(|v| v.is_finite());
        let (lo, hi) = finite.fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        let reach = lo.abs().max(hi.abs());
        let (ox, oy) = ((t % columns) * (grid.width + 1), (t / columns) * (grid.height + 1));
        for y in 0..grid.height {
            for x in 0..grid.width {
                let v = tile[y * grid.width + x];
                let rgb = if !v.is_finite() {
                    [255, 0, 255]
                } else if signed {
                    diverging(if reach > 0.0 { v / reach } else { 0.0 })
                } else {
                    let g = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
                    let g = (g.clamp(0.0, 1.0) * 255.0).round() as u8;
                    [g, g, g]
                };
                let i = ((oy + y) * gw + ox + x) * 4;
                out[i..i + 3].copy_from_slice(&rgb);
                out[i + 3] = 255;
            }
        }
        // The gap pixels stay light grey and opaque.
    }
    for px in out.chunks_exact_mut(4) {
        px[3] = 255;
    }
    out
}

/// −1 → blue, 0 → white, 1 → red.
fn diverging(t: f32) -> [u8; 3] {
    let t = t.clamp(-1.0, 1.0);
    let fade = |c: f32, k: f32| (255.0 + (c - 255.0) * k).round() as u8;
    if t >= 0.0 {
        [fade(200.0, t), fade(40.0, t), fade(40.0, t)]
    } else {
        [fade(40.0, -t), fade(90.0, -t), fade(200.0, -t)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_and_scaling() {
        let grid = TileGrid { tiles: 3, height: 1, width: 2, columns: 2 };
        assert_eq!(grid.size(), (5, 3));
        let rgba = tiles_rgba(&[0.0, 2.0, -1.0, 1.0, 5.0, 5.0], grid, false);
        assert_eq!(rgba.len(), 5 * 3 * 4);
        let px = |x: usize, y: usize| &rgba[(y * 5 + x) * 4..(y * 5 + x) * 4 + 4];
        assert_eq!(px(0, 0), [0, 0, 0, 255]); // tile 0 min
        assert_eq!(px(1, 0), [255, 255, 255, 255]); // tile 0 max
        assert_eq!(px(2, 0), [220, 220, 220, 255]); // gap
        assert_eq!(px(3, 0), [0, 0, 0, 255]); // tile 1 scaled on its own
        assert_eq!(px(0, 2), [0, 0, 0, 255]); // a constant tile is black, not NaN
        let signed = tiles_rgba(&[-1.0, 0.5], TileGrid { tiles: 1, height: 1, width: 2, columns: 1 }, true);
        assert_eq!(&signed[0..3], &diverging(-1.0));
        assert_eq!(&signed[4..7], &diverging(0.5));
        assert!(tiles_rgba(&[0.0], grid, false).is_empty());
    }
}
