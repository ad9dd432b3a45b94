// Download buttons under every chart ([data-chart]): SVG drawn by the same plotters code as the canvas (the chart's
// last draw call, recorded here, replayed on the core's SVG target), and PNG at 2× the chart's pixels on screen (that
// SVG rasterized; charts drawn as pixels are scaled without smoothing). Files are named after the view; the SVG holds
// the view's link in its <metadata>. Panels need no code for it: the app hands them recordCharts(wasm), and
// installDownloads(root) watches the root for charts.
// A chart that is a <div> (rows of activation-map canvases and their labels, bars, a pair of charts) is laid out by
// the page, so its SVG is the layout on screen (divSvg): each canvas at its place and size (a recorded plotters chart
// as its own vector SVG, a pixel canvas as a PNG <image> scaled without smoothing), each visible line of text as
// <text> in the page's font and size, the boxes' backgrounds and borders as <rect>s.
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
  const caption = canvas.closest('figure')?.querySelector(':scope > figcaption')?.textContent.trim();
  const label = canvas.getAttribute('aria-label') || (canvas instanceof HTMLCanvasElement ? '' : caption) || chart;
  return { svg: true, width, height, title: `CNN Playground — ${label}`, link: location.href };
}

// Pixels of the chart on screen: a plotters chart's canvas has them; a pixel chart is scaled up by CSS.
function screenSize(canvas, recorded) {
  if (recorded) return [canvas.width, canvas.height];
  const ratio = Math.min(Math.max(window.devicePixelRatio || 1, 1), 3);
  return [Math.max(1, Math.round((canvas.clientWidth || canvas.width) * ratio)), Math.max(1, Math.round((canvas.clientHeight || canvas.height) * ratio))];
}

// Text for XML (a text node or an attribute value): the five markup characters escaped, and the control characters
// XML 1.0 does not allow dropped (as the core's xml_escape).
export function xmlEscape(text) {
  return String(text)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]);
}

// A computed CSS colour as SVG 1.1 paint: '#rrggbb' and its opacity, or null when transparent.
function paint(css) {
  const m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(css ?? '');
  if (!m) return css && css !== 'transparent' ? { fill: css, opacity: 1 } : null;
  const alpha = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
  if (!(alpha > 0)) return null;
  const hex = m.slice(1, 4).map((v) => Math.round(Math.min(255, Number(v))).toString(16).padStart(2, '0')).join('');
  return { fill: `#${hex}`, opacity: alpha };
}

// SVG attributes from [name, value] pairs, values escaped; undefined values left out.
const attrs = (pairs) => pairs.filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}="${xmlEscape(v)}"`).join('');
const num = (v) => String(Math.round(v * 100) / 100);
const paintAttrs = (name, p) => (p ? [[name, p.fill], [`${name}-opacity`, p.opacity < 1 ? num(p.opacity) : undefined]] : []);

// Not part of a figure: the download buttons of charts inside it, form controls.
const SKIP = '.chart-downloads, button, select, input, textarea, script, style, template';

// One text node's visible lines: [{ text, rect }], one per line box it wraps into (words grouped by their top).
function textLines(node) {
  const first = node.data.search(/\S/);
  if (first < 0) return [];
  const last = node.data.length - node.data.match(/\s*$/)[0].length;
  const range = document.createRange();
  range.setStart(node, first);
  range.setEnd(node, last);
  const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
  if (!rects.length) return [];
  if (rects.length === 1) return [{ text: node.data.slice(first, last).replace(/\s+/g, ' '), rect: rects[0] }];
  const lines = [];
  for (const m of node.data.matchAll(/\S+/g)) {
    range.setStart(node, m.index);
    range.setEnd(node, m.index + m[0].length);
    const r = [...range.getClientRects()].find((x) => x.width > 0);
    if (!r) continue;
    const line = lines.at(-1);
    if (line && Math.abs(line.rect.top - r.top) < r.height / 2) line.text += ` ${m[0]}`;
    else lines.push({ text: m[0], rect: r });
  }
  return lines;
}

// The baseline of a line of text whose box (a Range's rect: the font's ascent + descent) is `rect`.
let measurer = null;
function baseline(rect, style) {
  measurer ??= document.createElement('canvas').getContext('2d');
  measurer.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const m = measurer.measureText('Hg');
  const [ascent, descent] = [m.fontBoundingBoxAscent, m.fontBoundingBoxDescent];
  if (!(ascent > 0) || !(descent >= 0)) return rect.top + 0.8 * rect.height;
  return rect.top + (rect.height - ascent - descent) / 2 + ascent;
}

// A recorded plotters chart inside a div chart, as a nested <svg> at (x, y), w × h (its own vector drawing).
function nestedChart(canvas, x, y, w, h) {
  const call = calls.get(canvas);
  let text;
  try {
    text = call.replay({ svg: true, width: canvas.width, height: canvas.height, title: '', link: '' });
  } catch { return null; /* the view was freed: its pixels instead */ }
  if (typeof text !== 'string') return null;
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  if (doc.querySelector('parsererror')) return null;
  const root = doc.documentElement;
  [...root.children].filter((c) => c.localName === 'title' || c.localName === 'metadata').forEach((c) => c.remove());
  if (!root.hasAttribute('viewBox')) root.setAttribute('viewBox', `0 0 ${canvas.width} ${canvas.height}`);
  for (const [k, v] of [['x', x], ['y', y], ['width', w], ['height', h]]) root.setAttribute(k, num(v));
  root.setAttribute('preserveAspectRatio', 'none');
  return new XMLSerializer().serializeToString(root);
}

// A pixel canvas as a PNG data URL, scaled up by a whole factor without smoothing to at least twice its size on
// screen, so the tiles stay crisp in viewers that smooth images whatever image-rendering says.
function tilePng(canvas, w, h) {
  const side = Math.max(canvas.width, canvas.height);
  const k = Math.max(1, Math.min(Math.ceil(2 * Math.max(w / canvas.width, h / canvas.height)), Math.floor(4096 / side)));
  const up = document.createElement('canvas');
  up.width = canvas.width * k;
  up.height = canvas.height * k;
  const ctx = up.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(canvas, 0, 0, up.width, up.height);
  return up.toDataURL('image/png');
}

// The colour behind the chart: the nearest box around it with a background, else white.
function backdrop(box) {
  for (let e = box; e; e = e.parentElement) {
    const p = paint(getComputedStyle(e).backgroundColor);
    if (p && p.opacity === 1) return p;
  }
  return { fill: '#ffffff', opacity: 1 };
}

// A div chart as an SVG document of its layout on screen (see the top of this file), or null when it is not shown.
export function divSvg(box, chart) {
  const outer = box.getBoundingClientRect();
  if (outer.width < 1 || outer.height < 1) return null;
  const [width, height] = [Math.ceil(outer.width), Math.ceil(outer.height)];
  // An element's style when it is drawn (its box may be empty: `display: contents`, an empty inline).
  const visible = (e) => {
    if (e.closest(SKIP)) return null;
    const style = getComputedStyle(e);
    return style.visibility !== 'visible' || Number(style.opacity) === 0 ? null : style;
  };
  const shown = (e) => {
    const style = visible(e);
    const r = style && e.getBoundingClientRect();
    return r && r.width > 0 && r.height > 0 ? { style, r } : null;
  };
  const where = (r) => [r.left - outer.left, r.top - outer.top, r.width, r.height];
  const shapes = [`<rect width="${width}" height="${height}"${attrs(paintAttrs('fill', backdrop(box)))}/>`];
  const pictures = [];
  for (const e of [box, ...box.querySelectorAll('*')]) {
    const seen = shown(e);
    if (!seen) continue;
    const { style, r } = seen;
    const [x, y, w, h] = where(r);
    const rx = parseFloat(style.borderTopLeftRadius) || undefined;
    const place = [['x', num(x)], ['y', num(y)], ['width', num(w)], ['height', num(h)]];
    const fill = paint(style.backgroundColor);
    if (fill) shapes.push(`<rect${attrs([...place, ['rx', rx && num(rx)], ...paintAttrs('fill', fill)])}/>`);
    const b = parseFloat(style.borderTopWidth);
    const sides = ['Top', 'Right', 'Bottom', 'Left'];
    const even = sides.every((k) => style[`border${k}Style`] === style.borderTopStyle && style[`border${k}Width`] === style.borderTopWidth
      && style[`border${k}Color`] === style.borderTopColor);
    const stroke = b > 0 && even && style.borderTopStyle !== 'none' && style.borderTopStyle !== 'hidden' ? paint(style.borderTopColor) : null;
    if (stroke) {
      const inset = [['x', num(x + b / 2)], ['y', num(y + b / 2)], ['width', num(w - b)], ['height', num(h - b)]];
      pictures.push(`<rect${attrs([...inset, ['rx', rx && num(rx)], ['fill', 'none'], ...paintAttrs('stroke', stroke), ['stroke-width', num(b)]])}/>`);
    }
    if (e instanceof HTMLCanvasElement && e.width > 0 && e.height > 0) {
      const inner = [x + (parseFloat(style.borderLeftWidth) || 0), y + (parseFloat(style.borderTopWidth) || 0),
        e.clientWidth || w, e.clientHeight || h];
      const vector = calls.has(e) ? nestedChart(e, ...inner) : null;
      pictures.push(vector ?? `<image${attrs([['x', num(inner[0])], ['y', num(inner[1])], ['width', num(inner[2])], ['height', num(inner[3])],
        ['preserveAspectRatio', 'none'], ['image-rendering', 'optimizeSpeed'], ['style', 'image-rendering:pixelated'],
        ['data-chart', e.dataset.chart ?? e.dataset.layer], ['href', tilePng(e, inner[2], inner[3])]])}/>`);
    }
  }
  const texts = [];
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const style = node.parentElement && visible(node.parentElement);
    if (!style) continue;
    const colour = paint(style.color);
    for (const { text, rect } of textLines(node)) {
      texts.push(`<text${attrs([['x', num(rect.left - outer.left)], ['y', num(baseline(rect, style) - outer.top)],
        ['font-family', style.fontFamily], ['font-size', style.fontSize],
        ['font-weight', style.fontWeight === '400' ? undefined : style.fontWeight],
        ['font-style', style.fontStyle === 'normal' ? undefined : style.fontStyle], ...paintAttrs('fill', colour)])}>${xmlEscape(text)}</text>`);
    }
  }
  const m = meta(box, chart, width, height);
  return '<?xml version="1.0" encoding="UTF-8"?>\n'
    + `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n`
    + `<title>${xmlEscape(m.title)}</title>\n`
    + `<metadata><dc:source xmlns:dc="http://purl.org/dc/elements/1.1/">${xmlEscape(m.link)}</dc:source></metadata>\n`
    + [...shapes, ...pictures, ...texts].join('\n') + '\n</svg>\n';
}

// The chart as an SVG document (text), or null when it cannot be drawn (nothing drawn yet, a freed view).
export function chartSvg(canvas, chart, wasm) {
  if (!(canvas instanceof HTMLCanvasElement)) return divSvg(canvas, chart);
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
  if (!(canvas instanceof HTMLCanvasElement)) {
    const svg = divSvg(canvas, chart);
    if (!svg) return null;
    const r = canvas.getBoundingClientRect();
    const ratio = Math.min(Math.max(window.devicePixelRatio || 1, 1), 3);
    return rasterize(svg, 2 * Math.ceil(r.width * ratio), 2 * Math.ceil(r.height * ratio));
  }
  const recorded = calls.has(canvas);
  const [w, h] = screenSize(canvas, recorded).map((v) => 2 * v);
  const svg = recorded ? chartSvg(canvas, chart, wasm) : null;
  if (svg) return rasterize(svg, w, h);
  const out = document.createElement('canvas');
  out.width = w;
  out.height = h;
  const ctx = out.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(canvas, 0, 0, w, h);
  return new Promise((resolve) => out.toBlob(resolve, 'image/png'));
}

// An SVG document drawn on a w × h canvas, as a PNG blob.
async function rasterize(svg, w, h) {
  const out = document.createElement('canvas');
  out.width = w;
  out.height = h;
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    out.getContext('2d').drawImage(img, 0, 0, w, h);
  } finally {
    URL.revokeObjectURL(url);
  }
  return new Promise((resolve) => out.toBlob(resolve, 'image/png'));
}

// Adds the SVG and PNG buttons after every chart under `root` (a canvas, or a div laid out by the page), now and
// whenever one appears.
export function installDownloads(root, wasm) {
  const done = new WeakSet();
  const add = (chart) => {
    if (done.has(chart) || !(chart instanceof HTMLCanvasElement || chart instanceof HTMLDivElement)) return;
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
  const scan = () => root.querySelectorAll('canvas[data-chart], div[data-chart]').forEach(add);
  scan();
  const observer = new MutationObserver(scan);
  observer.observe(root, { childList: true, subtree: true });
  return () => observer.disconnect();
}
