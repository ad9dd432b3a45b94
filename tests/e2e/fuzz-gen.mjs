// Seeded generators of hostile input for the fuzz suites (fuzz-state.test.mjs in node, fuzz.test.mjs in the page):
// URL hashes over every parameter with wrong types, boundaries, huge and exotic numbers, encodings, duplicates,
// markup payloads and malformed pipelines. Bounded by case count, never by time.
import { PARAMS } from '../../www/js/url/state.js';

// mulberry32: a tiny seeded PRNG, so a failing case is reproduced by its seed and index.
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  return { next, int, pick: (list) => list[int(list.length)], chance: (p) => next() < p };
}

const NUMBERS = [
  '0', '-0', '1', '-1', '0.5', '1e-5', '1e-300', '1e308', '1e400', '-1e400', 'NaN', 'Infinity', '-Infinity', '0x10',
  '1_000', '1,5', '١٢', '9007199254740991', '9007199254740992', '9007199254740990.5', '00012', '+7', '.5', '5.',
  '1e', 'e5', ' 3 ', '', '1'.repeat(40), '0.' + '0'.repeat(35) + '1',
];
const MARKUP = [
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', 'javascript:alert(1)',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E', '{{constructor.constructor("alert(1)")()}}', '${alert(1)}', '\u202e', '\u0000',
];
const ENCODINGS = ['%', '%E0%A4%A', '%zz', '%00', '%FF', '%C0%AF', '%2526', '%u0041'];
const STEPS = ['translate', 'hflip', 'vflip', 'rotate', 'resize', 'resizedcrop', 'jitter', 'noise', 'crop', 'explode'];
const ARGS = ['deg30', 'deg400', 'deg-30', 'p0.5', 'p2', 'p-1', 'bilinear', 'nearest', 'area', 'b0.4', 'bNaN', 'sigma1e-5',
  'sigma1e400', 'x0.1', 'min0.5', 'max0.25', 'fill1', 'p', '', 'smin0.9', 'smax0.1', 'h0.5', 'c1e308', 'aa1', 'aa2'];

function pipeline(r) {
  const steps = Array.from({ length: r.int(r.chance(0.1) ? 20 : 5) }, () => {
    const name = r.pick(STEPS);
    if (r.chance(0.4)) return name;
    const args = Array.from({ length: 1 + r.int(3) }, () => r.pick(ARGS)).join(r.chance(0.9) ? '_' : '__');
    return `${name}(${args}${r.chance(0.9) ? ')' : ''}`;
  });
  return steps.join(r.chance(0.95) ? '~' : '~~');
}

// A value for a parameter: usually a plausible one (so panels really compute), often a hostile one.
export function value(r, name, { plausible = 0.5 } = {}) {
  const p = PARAMS[name];
  if (p && r.chance(plausible)) {
    if (p.type === 'enum') return r.pick(p.values);
    if (p.type === 'bool') return r.pick(['1', '0']);
    if (p.type === 'int') return String(r.pick([p.min, p.max, Math.floor(p.min + r.next() * Math.min(p.max - p.min, 1000))]));
    if (p.type === 'float') return String(r.pick([p.min, p.max, p.default, r.next() * 2]));
    if (name === 'aug') return pipeline(r);
    if (name === 'shape') return r.pick(['256x784', '64x3x3x3', '1x1', '100000x10000', '100000x100000', '0x5', '5', '1x2x3x4x5x6', `${r.int(500) + 1}x${r.int(500) + 1}`]);
  }
  switch (r.int(6)) {
    case 0: return r.pick(NUMBERS);
    case 1: return r.pick(MARKUP);
    case 2: return r.pick(ENCODINGS);
    case 3: return pipeline(r);
    case 4: return 'x'.repeat(r.pick([1, 65, 1001, 5000]));
    default: return p?.type === 'enum' ? r.pick(p.values).toUpperCase() : r.pick(NUMBERS);
  }
}

// A whole hash: a panel, then a few parameters (known, unknown, encoded names, duplicates), sometimes over-long.
export function hash(r, { panels = ['init', 'signal', 'augment'], plausible = 0.5 } = {}) {
  const names = Object.keys(PARAMS).filter((n) => n !== 'panel' && n !== 'embed');
  const panel = r.pick(panels);
  const parts = [r.chance(0.05) ? `panel=${encodeURIComponent(panel).replace(/./, (c) => `%${c.charCodeAt(0).toString(16)}`)}` : `panel=${panel}`];
  for (let i = r.int(5); i >= 0; i--) {
    const name = r.chance(0.9) ? r.pick(names) : r.pick(['bogus', 'constructor', '__proto__', '%6Cang', '%', '']);
    const v = value(r, name, { plausible });
    const raw = /^[A-Za-z0-9._~()\-]*$/.test(v) || r.chance(0.3) ? v : encodeURIComponent(v);
    parts.push(`${name}=${raw}`);
    if (r.chance(0.1)) parts.push(`${name}=${value(r, name, { plausible })}`); // a duplicate
  }
  return `#${parts.join('&')}`;
}

// Keeps the probe's work bounded (depth × width² × batch): a fuzz case tests input handling, not patience.
export function boundedProbe(h) {
  const q = new URLSearchParams(h.slice(1));
  const num = (k, d) => Math.max(d, ...q.getAll(k).map(Number).filter(Number.isFinite));
  return num('depth', 10) * num('width', 500) ** 2 * num('batch', 500) <= 5e9;
}
