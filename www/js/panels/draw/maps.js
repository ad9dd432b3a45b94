// One example's activation maps through every layer, as rows of tiles: a layer's channels (a dense layer's units as
// one strip), each tile scaled on its own (src/plot/tiles.rs). The Train panel's measurements and the drawing pad
// both draw them here.

import { el } from '../../ui/dom.js';
import { putImages } from '../train/shared.js';

// `layers` as the core lists them ({ layer, output: { channels, height, width } }), `maps` one Float32Array each.
export function mapRows(wasm, layers, maps) {
  return layers.map((layer, i) => {
    const o = layer.output;
    const canvas = el('canvas', { class: 'grid pixelated', 'data-layer': i });
    const flat = o.height === 1 && o.width === 1;
    const [tiles, h, w, columns] = flat ? [1, 1, o.channels, 1] : [o.channels, o.height, o.width, Math.min(o.channels, 8)];
    putImages(canvas, wasm.tiles_rgba(maps[i], tiles, h, w, columns, false), tiles, h, w, columns, 3);
    return el('div', { class: 'map-row' }, el('span', { class: 'map-label' }, `${i}: ${layer.layer} → ${o.channels}×${o.height}×${o.width}`), canvas);
  });
}
