// Every setting of the page lives in the URL hash, and this table is the one place that describes them:
// name, type, default and range. parse() validates a hash into a full state plus a list of problems (the default is
// used for each rejected value); serialize() writes a state back. Nothing here touches the DOM.

const MAX_SAFE_SEED = Number.MAX_SAFE_INTEGER;
const INIT_SCHEMES = [
  'lecun_normal', 'lecun_uniform', 'xavier_normal', 'xavier_uniform', 'he_normal', 'he_uniform',
  'normal', 'uniform', 'zeros',
];

const INIT_PANELS = ['init', 'signal'];
const SEED_PANELS = ['init', 'signal', 'augment'];

// type: enum | int | float | bool | string. `panels` lists where a parameter applies (absent: everywhere), so a
// URL carries only what the current view uses. Shared names mean the same thing in every panel; `byPanel` gives a
// panel its own default (the signal panel starts from Xavier, the init panel from He).
export const PARAMS = {
  panel: { type: 'enum', values: ['init', 'signal', 'augment'], default: 'init' },
  lang: { type: 'enum', values: ['ko', 'en'], default: 'en' },
  embed: { type: 'bool', default: false },
  seed: { type: 'int', min: 0, max: MAX_SAFE_SEED, default: 42, panels: SEED_PANELS },
  init: { type: 'enum', values: INIT_SCHEMES, default: 'he_normal', byPanel: { signal: 'xavier_normal' }, panels: INIT_PANELS },
  // Deeper checks of the shape (dimension and size limits) are the core's; a rejected shape falls back the same way.
  shape: { type: 'string', pattern: /^\d{1,9}(x\d{1,9}){1,4}$/, maxLength: 64, default: '256x784', panels: ['init'] },
  mode: { type: 'enum', values: ['fan_in', 'fan_out'], default: 'fan_in', panels: INIT_PANELS },
  nonlinearity: {
    type: 'enum', values: ['auto', 'linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'], default: 'auto',
    panels: INIT_PANELS,
  },
  slope: { type: 'float', min: 0, max: 1000, default: 0.01, panels: INIT_PANELS },
  dist: { type: 'enum', values: ['normal', 'truncated'], default: 'normal', panels: INIT_PANELS },
  std: { type: 'float', min: 0, max: 1e6, default: 0.01, panels: INIT_PANELS },
  a: { type: 'float', min: 0, max: 1e6, default: 0.05, panels: INIT_PANELS },
  samples: { type: 'int', min: 1, max: 1_000_000, default: 100_000, panels: ['init'] },
  // The signal panel's probe network (limits as in src/probe.rs).
  act: { type: 'enum', values: ['tanh', 'sigmoid', 'relu', 'leaky_relu', 'linear', 'selu', 'gelu'], default: 'tanh', panels: ['signal'] },
  depth: { type: 'int', min: 1, max: 50, default: 10, panels: ['signal'] },
  width: { type: 'int', min: 10, max: 1000, default: 500, panels: ['signal'] },
  batch: { type: 'int', min: 1, max: 2000, default: 500, panels: ['signal'] },
  // The augmentation studio. `aug` is the pipeline in the syntax of src/augment/mod.rs, which the core checks
  // (a rejected pipeline falls back like any other value); here only its alphabet and length are checked.
  aug: {
    type: 'string', pattern: /^[A-Za-z0-9._~()-]*$/, maxLength: 1000,
    default: 'translate~rotate(bilinear)~jitter(b0.3_c0.3)~noise(sigma0.03)', panels: ['augment'],
  },
  // `own` is the person's own image, which is not part of the link.
  src: { type: 'enum', values: ['digit6', 'arrow', 'scene', 'zoneplate', 'own'], default: 'digit6', panels: ['augment'] },
  n: { type: 'int', min: 1, max: 64, default: 16, panels: ['augment'] },
};

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
      return { value: x };
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
  for (const [name, value] of checked) state[name] = value;
  return { state, problems, given: new Set(copies.keys()) };
}

// The hash for a state: the panel, then every parameter the panel uses (all of them, defaults included, so a shared
// link keeps meaning the same numbers even if a default changes), then lang and embed when set.
export function serialize(state) {
  const names = Object.keys(PARAMS).filter((n) => n !== 'panel' && n !== 'lang' && n !== 'embed' && PARAMS[n].panels && appliesTo(n, state.panel));
  const pairs = [['panel', state.panel], ...names.map((n) => [n, state[n]])];
  if (state.lang) pairs.push(['lang', state.lang]);
  if (state.embed) pairs.push(['embed', '1']);
  return '#' + pairs.map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&');
}
