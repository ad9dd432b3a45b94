// The peers harness's parameter layouts (web/arch.js) → the engine's (PyTorch's).

// conv W: HWIO [kh, kw, cin, cout] → OIHW [cout, cin, kh, kw].
export function toOihw(W, [kh, kw, cin, cout]) {
  const out = new Float32Array(W.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) {
    out[((o * cin + i) * kh + y) * kw + x] = W[((y * kw + x) * cin + i) * cout + o];
  }
  return out;
}

// dense W: [in, out] with `in` the pool output flattened in HWC order → OUT×IN with IN in CHW order (nn.Flatten on
// NCHW). `image` is what flatten receives, as the trainer's layers() reports it: { channels, height, width }.
export function toDenseOutIn(W, [inN, outN], { channels: c, height: h, width: w }) {
  if (c * h * w !== inN) throw new Error(`dense input ${c}×${h}×${w} does not match ${inN}`);
  const out = new Float32Array(W.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) {
    const hwc = (y * w + x) * c + ch;
    const chw = (ch * h + y) * w + x;
    for (let o = 0; o < outN; o++) out[o * inN + chw] = W[hwc * outN + o];
  }
  return out;
}
