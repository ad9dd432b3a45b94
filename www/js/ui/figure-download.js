// Download buttons under every chart ([data-chart]): SVG drawn by the same plotters code as the canvas (the chart's
// last draw call, recorded here, replayed on the core's SVG target), and PNG at 2× the chart's pixels on screen (that
// SVG rasterized; charts drawn as pixels are scaled without smoothing). Files are named after the view; the SVG holds
// the view's link in its <metadata>. Panels need no code for it: the app hands them recordCharts(wasm), and
// installDownloads(root) watches the root for charts.
import { downloadFile, el } from './dom.js';
import { t } from '../i18n/index.js';
import { defaultOf, known } from '../url/state.js';

// canvas → { wasm, replay(target) }: the chart's last draw call with another target in place of the canvas.
const calls = new WeakMap();

function remember(wasm, canvas, replay) {
  if (typeof HTMLCanvasElement !== 'undefined' && canvas instanceof HTMLCanvasElement) calls.set(canvas, { wasm, replay });
}

// The wasm module as panels see it, with every draw_* function and every class's draw* method recording its call
// per canvas (the arguments are kept as given: typed arrays the panel does not reuse).
export function recordCharts(wasm) {
  const out = { ...wasm };
  for (const [name, value] of Object.entries(wasm)) {
    if (typeof value !== 'function') continue;
    if (name.startsWith('draw_') && typeof value.prototype?.free !== 'function') {
      out[name] = (canvas, ...rest) => {
        const result = value(canvas, ...rest);
        remember(wasm, canvas, (target) => value(target, ...rest));
        return result;
      };
    } else if (typeof value.prototype?.free === 'function') {
      const proto = value.prototype;
      const methods = Object.getOwnPropertyNames(proto).filter((m) => m.startsWith('draw') && typeof proto[m] === 'function');
      if (!methods.length) continue;
      const Recorded = class extends value {};
      for (const m of methods) {
        Recorded.prototype[m] = function recorded(canvas, ...rest) {
          const result = proto[m].call(this, canvas, ...rest);
          remember(wasm, canvas, (target) => proto[m].call(this, target, ...rest));
          return result;
        };
      }
      Object.defineProperty(Recorded, 'name', { value: name });
      out[name] = Recorded;
    }
  }
  return out;
}

// The file's base name: cnn-playground-CHART, then the values of the link's settings that differ from the panel's
// defaults (cnn-playground-signal-layers-relu-xavier_normal).
export const cleanName = (s) => String(s).toLowerCase().replace(/[^a-z0-9._]+/g, '-').replace(/^-+|-+$/g, '');

export function chartName(chart, href = location.href) {
  const hash = new URL(href).hash.replace(/^#/, '');
  const params = new URLSearchParams(hash);
  const panel = params.get('panel') ?? undefined;
  const isDefault = (k, v) => known(k) && String(defaultOf(k, panel)) === v;
  const values = [...params].filter(([k, v]) => !['panel', 'lang', 'embed'].includes(k) && !isDefault(k, v)).map(([, v]) => v);
  const clean = cleanName;
  return ['cnn-playground', clean(chart), ...values.map(clean)].filter(Boolean).join('-').slice(0, 100).replace(/-+$/, '');
}

function meta(canvas, chart, width, height) {
  const label = canvas.getAttribute('aria-label') || chart;
  return { svg: true, width, height, title: `CNN Playground — ${label}`, link: location.href };
}

// Pixels of the chart on screen: a plotters chart's canvas has them; a pixel chart is scaled up by CSS.
function screenSize(canvas, recorded) {
  if (recorded) return [canvas.width, canvas.height];
  const ratio = Math.min(Math.max(window.devicePixelRatio || 1, 1), 3);
  return [Math.max(1, Math.round((canvas.clientWidth || canvas.width) * ratio)), Math.max(1, Math.round((canvas.clientHeight || canvas.height) * ratio))];
}

// The chart as an SVG document (text), or null when it cannot be drawn (nothing drawn yet, a freed view).
export function chartSvg(canvas, chart, wasm) {
  const call = calls.get(canvas);
  if (call) {
    try {
      const svg = call.replay(meta(canvas, chart, canvas.width, canvas.height));
      if (typeof svg === 'string') return svg;
    } catch { /* the view was freed: fall back to the pixels */ }
  }
  if (!canvas.width || !canvas.height) return null;
  const [w, h] = screenSize(canvas, false);
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  return (call?.wasm ?? wasm).rgba_svg(new Uint8Array(pixels.buffer), canvas.width, canvas.height, meta(canvas, chart, w, h));
}

// The chart as a PNG blob at 2× its pixels on screen.
export async function chartPng(canvas, chart, wasm) {
  const recorded = calls.has(canvas);
  const [w, h] = screenSize(canvas, recorded).map((v) => 2 * v);
  const out = document.createElement('canvas');
  out.width = w;
  out.height = h;
  const ctx = out.getContext('2d');
  const svg = recorded ? chartSvg(canvas, chart, wasm) : null;
  if (svg) {
    const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    try {
      const img = new Image();
      img.src = url;
      await img.decode();
      ctx.drawImage(img, 0, 0, w, h);
    } finally {
      URL.revokeObjectURL(url);
    }
  } else {
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(canvas, 0, 0, w, h);
  }
  return new Promise((resolve) => out.toBlob(resolve, 'image/png'));
}

// Adds the SVG and PNG buttons after every canvas chart under `root`, now and whenever one appears.
export function installDownloads(root, wasm) {
  const done = new WeakSet();
  const add = (chart) => {
    if (done.has(chart) || !(chart instanceof HTMLCanvasElement)) return;
    done.add(chart);
    const id = chart.dataset.chart;
    const button = (kind) => el('button', {
      type: 'button', class: 'chart-download', 'data-action': `download-${kind}`, 'data-download-chart': id,
      'aria-label': t(`download.${kind}.label`),
    }, kind.toUpperCase());
    const svg = button('svg');
    const png = button('png');
    svg.addEventListener('click', () => {
      const text = chartSvg(chart, id, wasm());
      if (text) downloadFile(text, `${chartName(id)}.svg`, 'image/svg+xml');
    });
    png.addEventListener('click', async () => {
      const blob = await chartPng(chart, id, wasm());
      if (blob) downloadFile(blob, `${chartName(id)}.png`, 'image/png');
    });
    chart.after(el('div', { class: 'chart-downloads' }, svg, png));
  };
  const scan = () => root.querySelectorAll('canvas[data-chart]').forEach(add);
  scan();
  const observer = new MutationObserver(scan);
  observer.observe(root, { childList: true, subtree: true });
  return () => observer.disconnect();
}
