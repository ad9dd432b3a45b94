// Runs in the page (both suites pass it to the browser as source): how a canvas looks, in numbers. A blank or
// single-colour canvas has `colours` 1 and `spread` 0; `hash` tells two drawings apart.
export function canvasStats(canvas) {
  const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const colours = new Set();
  let hash = 0;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < d.length; i += 4) {
    const v = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
    if (colours.size < 1000) colours.add(v);
    hash = (Math.imul(hash, 31) + v) | 0;
    const luma = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
    sum += luma;
    sumSq += luma * luma;
  }
  const n = Math.max(1, d.length / 4);
  const spread = Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2));
  return { width: canvas.width, height: canvas.height, colours: colours.size, hash, spread: Math.round(spread * 100) / 100 };
}
