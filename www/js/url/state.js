// Every setting of the page lives in the URL hash, and one table describes them: name, type, default and range.
// The shell's own parameters are here; each panel declares its own in www/js/panels/NAME.params.js, and the table is
// assembled from them. Lists and limits the core owns (schemes, activations, limits) are filled in from the wasm
// core by configure(core_catalog()) before the first parse. parse() validates a hash into a full state plus a list
// of problems (the default is used for each rejected value); serialize() writes a state back. No DOM here.

import { PARAMS as INIT } from '../panels/init.params.js';
import { PARAMS as SIGNAL } from '../panels/signal.params.js';
import { PARAMS as AUGMENT } from '../panels/augment.params.js';
import { PARAMS as TRAIN } from '../panels/train/params.js';
import { PARAMS as TRANSFER } from '../panels/transfer/params.js';

export const PANEL_NAMES = ['init', 'signal', 'augment', 'train', 'transfer'];

// type: enum | int | float | bool | string. `panels` lists where a parameter applies (absent: everywhere), so a
// URL carries only what the current view uses. Shared names mean the same thing in every panel; `byPanel` gives a
// panel its own default (the signal panel starts from Xavier, the init panel from He).
export const PARAMS = {
  panel: { type: 'enum', values: PANEL_NAMES, default: 'init' },
  lang: { type: 'enum', values: ['ko', 'en'], default: 'en' },
  embed: { type: 'bool', default: false },
  // How an embedded view looks (README "Embedding"); read only with embed=1, otherwise they keep their defaults.
  controls: { type: 'bool', default: true, embedOnly: true },
  presets: { type: 'bool', default: false, embedOnly: true },
  embed_id: { type: 'string', pattern: /^[A-Za-z0-9_-]{0,64}$/, maxLength: 64, default: '', embedOnly: true },
  // Which wasm build runs, read once when the page loads (www/js/compute/wasm.js): `128` forces the portable one.
  simd: { type: 'enum', values: ['auto', '128'], default: 'auto' },
  seed: { type: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, default: 42, panels: PANEL_NAMES },
  ...INIT,
  ...SIGNAL,
  ...AUGMENT,
  ...TRAIN,
  ...TRANSFER,
};

// Until configure() runs, what the core owns accepts nothing.
for (const p of Object.values(PARAMS)) {
  if (!p.core) continue;
  if (p.type === 'enum') p.values = [...(p.before ?? []), ...(p.after ?? [])];
  else if (p.type === 'string') Object.assign(p, { maxLength: 0, pattern: /^$/ });
  else Object.assign(p, { min: Infinity, max: -Infinity });
}

// What the core knows about its values beyond the URL table (core_catalog): which initializer parameters each
// scheme reads, and what the `saturated` column counts for each activation. Until configure() runs, nothing.
let facts = { init_uses: {}, saturation: {} };
// Whether the init scheme `scheme` reads the parameter `param` (mode, nonlinearity, dist, std or a): the page
// shows a control only where it changes something.
export const schemeUses = (scheme, param) => facts.init_uses[param]?.includes(scheme) ?? false;
// `saturated`, `dead` or `negative`: what the probe's `saturated` column counts for `act`; null where it has none.
export const saturationOf = (act) => (Object.hasOwn(facts.saturation, act) ? facts.saturation[act] : null);

// Fills in what the core owns: `core` names a list (enum values; `before`/`after` are the page's own additions such
// as `auto` or `own`), a { min, max } limit, or (for a string: a spec in the step grammar) its maximum length and the
// grammar's alphabet.
export function configure(catalog) {
  facts = catalog;
  for (const p of Object.values(PARAMS)) {
    if (!p.core) continue;
    if (p.type === 'enum') p.values = [...(p.before ?? []), ...catalog.lists[p.core], ...(p.after ?? [])];
    else if (p.type === 'string') Object.assign(p, { maxLength: catalog[p.core], pattern: new RegExp(`^[${catalog.spec_alphabet}]*$`) });
    else Object.assign(p, { min: catalog.limits[p.core].min, max: catalog.limits[p.core].max });
  }
}

export function defaultOf(name, panel) {
  const p = PARAMS[name];
  return p.byPanel?.[panel] ?? p.default;
}

export function defaults(panel = PARAMS.panel.default) {
  return Object.fromEntries(Object.keys(PARAMS).map((name) => [name, defaultOf(name, panel)]));
}

// Own keys only: "constructor" or "__proto__" in a link are unknown parameters, not Object's properties.
export const known = (name) => Object.hasOwn(PARAMS, name);

export function appliesTo(name, panel) {
  const p = known(name) ? PARAMS[name] : null;
  return !!p && (!p.panels || p.panels.includes(panel));
}

// Limits checked before any parsing, so no link can make the page do more than linear work on a bounded text:
// the whole hash, and each raw value (numbers at most 32 characters; strings their own maxLength; percent-encoding
// may triple a value's length on the way in).
export const LIMITS = { hash: 4096, number: 32, name: 40 };

// Plain decimal notation only (Number('') is 0, Number('0x10') is 16). The groups cannot match the same digits two
// ways, so a long non-matching value costs linear time, not quadratic.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const WHOLE = /^[+-]?\d+$/;

function maxLength(p) {
  switch (p.type) {
    case 'int': case 'float': return LIMITS.number;
    case 'enum': return Math.max(...p.values.map((v) => v.length));
    case 'bool': return 5;
    default: return p.maxLength;
  }
}

// Checks one raw string against the table. Returns { value } or { problem: { key, args } } where key names the
// reason (an i18n key under "reason.") and args fill it in.
export function parseValue(name, raw) {
  const p = known(name) ? PARAMS[name] : null;
  if (!p) return { problem: { key: 'unknown', args: {} } };
  if (raw.length > maxLength(p)) return { problem: { key: 'too_long', args: { length: raw.length, max: maxLength(p) } } };
  switch (p.type) {
    case 'enum':
      return p.values.includes(raw) ? { value: raw } : { problem: { key: 'enum', args: { values: p.values.join(', ') } } };
    case 'bool':
      if (raw === '1' || raw === 'true' || raw === '') return { value: true };
      if (raw === '0' || raw === 'false') return { value: false };
      return { problem: { key: 'bool', args: {} } };
    case 'int':
    case 'float': {
      const text = raw.trim();
      const range = { min: p.min, max: p.max };
      const reason = p.type === 'int' ? 'int' : 'number';
      // A whole number is written whole: 9007199254740990.5 is refused rather than rounded.
      if (!(p.type === 'int' ? WHOLE : DECIMAL).test(text)) return { problem: { key: reason, args: range } };
      const x = Number(text);
      if (!Number.isFinite(x)) return { problem: { key: reason, args: range } };
      if (x < p.min || x > p.max) return { problem: { key: 'range', args: range } };
      if (p.type === 'int' && !Number.isSafeInteger(x)) return { problem: { key: 'int', args: range } };
      return { value: x + 0 }; // -0 becomes 0, as serialize writes it
    }
    case 'string':
      if (!p.pattern.test(raw)) return { problem: { key: 'pattern', args: {} } };
      return { value: raw };
    default:
      return { problem: { key: 'unknown', args: {} } };
  }
}

function decode(text) {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

const clip = (s) => String(s).slice(0, LIMITS.name);

// Parses "#panel=init&init=he_normal&…" into { state, problems, given }. Never throws: every rejected piece becomes
// a problem { param, value, key, args } and the default stands in for it. The rules (README "URL parameters"):
// keys and values are percent-decoded once, before anything else looks at them (%6Cang=ko is lang=ko); a key given
// more than once counts by its last valid copy, and a notice says so; `given` is the set of keys the hash names.
export function parse(hash) {
  let text = String(hash ?? '').replace(/^#/, '');
  const problems = [];
  if (text.length > LIMITS.hash) {
    problems.push({ param: 'hash', value: '', key: 'hash_too_long', args: { length: text.length, max: LIMITS.hash } });
    text = '';
  }
  const copies = new Map(); // name → [decoded values, in order]
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    const name = rawName.length <= 3 * LIMITS.name ? decode(rawName) : null;
    if (name === null || !known(name)) {
      problems.push({ param: clip(name ?? rawName), value: clip(rawValue), key: name === null ? 'encoding' : 'unknown', args: {} });
      continue;
    }
    // Checked before decoding, so a huge value is never decoded or matched.
    const limit = maxLength(PARAMS[name]);
    const value = rawValue.length <= 3 * limit ? decode(rawValue) : null;
    if (value === null) {
      const tooLong = rawValue.length > 3 * limit;
      problems.push({ param: name, value: clip(rawValue), key: tooLong ? 'too_long' : 'encoding', args: { length: rawValue.length, max: limit } });
      continue;
    }
    if (!copies.has(name)) copies.set(name, []);
    copies.get(name).push(value);
  }
  const checked = new Map();
  for (const [name, values] of copies) {
    const results = values.map((v) => parseValue(name, v));
    values.forEach((v, i) => {
      if ('problem' in results[i]) problems.push({ param: name, value: clip(v), ...results[i].problem });
    });
    const good = results.filter((r) => 'value' in r);
    if (good.length) checked.set(name, good[good.length - 1].value);
    if (values.length > 1) problems.push({ param: name, value: '', key: 'duplicate', args: { count: values.length } });
  }
  const panel = checked.get('panel') ?? PARAMS.panel.default;
  const state = defaults(panel);
  for (const [name, value] of checked) {
    if (!PARAMS[name].embedOnly || checked.get('embed')) state[name] = value;
  }
  return { state, problems, given: new Set(copies.keys()) };
}

// The hash for a state: the panel, then every parameter the panel uses (all of them, defaults included, so a shared
// link keeps meaning the same numbers even if a default changes), then lang and embed when set (with the embedding's
// own parameters where they differ from their defaults), and simd when not auto.
export function serialize(state) {
  const names = Object.keys(PARAMS).filter((n) => n !== 'panel' && n !== 'lang' && n !== 'embed' && PARAMS[n].panels && appliesTo(n, state.panel));
  const pairs = [['panel', state.panel], ...names.map((n) => [n, state[n]])];
  if (state.lang) pairs.push(['lang', state.lang]);
  if (state.embed) {
    pairs.push(['embed', '1']);
    for (const n of Object.keys(PARAMS).filter((k) => PARAMS[k].embedOnly && k in state && state[k] !== PARAMS[k].default)) {
      pairs.push([n, typeof state[n] === 'boolean' ? Number(state[n]) : state[n]]);
    }
  }
  if (state.simd && state.simd !== PARAMS.simd.default) pairs.push(['simd', state.simd]);
  return '#' + pairs.map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&');
}
