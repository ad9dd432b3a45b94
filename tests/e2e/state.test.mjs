// Unit tests of the URL table and the string tables (plain node, no browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { catalog } from './core.mjs'; // configures the URL table with the core's lists, as the page does
import { PARAMS, defaults, parse, parseValue, saturationOf, schemeUses, serialize } from '../../www/js/url/state.js';
import { PARTS, STRINGS } from '../../www/js/i18n/index.js';

test('a serialized state parses back to itself', () => {
  const state = { ...defaults(), init: 'xavier_uniform', shape: '64x3x3x3', seed: 123456789, std: 0.5, lang: 'ko' };
  const { state: back, problems } = parse(serialize(state));
  assert.deepEqual(problems, []);
  for (const name of ['init', 'shape', 'seed', 'lang']) assert.equal(back[name], state[name]);
});

test('every default is valid under its own rule', () => {
  const hash = '#' + Object.entries(defaults()).map(([k, v]) => `${k}=${encodeURIComponent(v === false ? '0' : v)}`).join('&');
  assert.deepEqual(parse(hash).problems, []);
});

test('invalid values fall back to the default with a reason', () => {
  const { state, problems } = parse('#samples=-5&std=NaN&init=<b>&seed=0x10&embed=maybe');
  assert.equal(state.samples, PARAMS.samples.default);
  assert.equal(state.std, PARAMS.std.default);
  assert.equal(state.init, PARAMS.init.default);
  assert.equal(state.seed, PARAMS.seed.default);
  assert.deepEqual(problems.map((p) => [p.param, p.key]), [['samples', 'range'], ['std', 'number'], ['init', 'enum'], ['seed', 'int'], ['embed', 'bool']]);
});

test('Korean and English have the same keys and the same placeholders, panel by panel, and no key is defined twice', () => {
  const holes = (s) => (s.match(/\{\w+\}/g) ?? []).sort();
  const owner = new Map();
  for (const [name, part] of Object.entries(PARTS)) {
    assert.deepEqual(Object.keys(part.ko).sort(), Object.keys(part.en).sort(), name);
    for (const key of Object.keys(part.en)) {
      assert.deepEqual(holes(part.ko[key]), holes(part.en[key]), key);
      assert.ok(!owner.has(key), `${key} is defined by ${owner.get(key)} and ${name}`);
      owner.set(key, name);
    }
  }
  assert.deepEqual(Object.keys(STRINGS.ko).sort(), Object.keys(STRINGS.en).sort());
});

// The lists and limits come from the core (core_catalog); what the page adds around them must agree with it.
test('the page and the core agree: lists, limits, strings, presets and the README table', async () => {
  assert.deepEqual(PARAMS.init.values, catalog.lists.init);
  assert.deepEqual(PARAMS.act.values, catalog.lists.act);
  assert.deepEqual(PARAMS.nonlinearity.values, ['auto', ...catalog.lists.nonlinearity]);
  assert.deepEqual(PARAMS.src.values, [...catalog.lists.src, 'own']);
  for (const [name, limit] of Object.entries(catalog.limits)) assert.deepEqual([PARAMS[name].min, PARAMS[name].max], [limit.min, limit.max], name);
  assert.equal(PARAMS.aug.maxLength, catalog.aug_length);
  assert.equal(PARAMS.model.maxLength, catalog.model_length);
  assert.deepEqual(PARAMS.opt.values, catalog.lists.opt);
  // Every entry that says it comes from the core carries exactly the core's list, limit, length and alphabet, and the
  // runs' lists and limits are such entries: strategies, data sources, k up to the core's most layers, lr from 0 as
  // the core's optimizer allows, the fine-tuning rate, the repeats, the training run's sizes.
  for (const [name, p] of Object.entries(PARAMS)) {
    if (!p.core) continue;
    if (p.type === 'enum') assert.deepEqual(p.values, [...(p.before ?? []), ...catalog.lists[p.core], ...(p.after ?? [])], name);
    else if (p.type === 'string') assert.deepEqual([p.maxLength, p.pattern.source], [catalog[p.core], `^[${catalog.spec_alphabet}]*$`], name);
    else assert.deepEqual([p.min, p.max], [catalog.limits[p.core].min, catalog.limits[p.core].max], name);
  }
  for (const name of ['strategy', 'data']) assert.equal(PARAMS[name].core, name, name);
  for (const name of ['lr', 'k', 'ft_lr', 'repeats', 'epochs', 'per_class', 'example', 'momentum', 'wd', 'bs']) assert.equal(PARAMS[name].core, name, name);
  assert.deepEqual([PARAMS.lr.min, PARAMS.k.max], [0, 32]);
  assert.ok(PARAMS.model.pattern.test('conv(8_k5_p2)~relu~dense(1e-3)') && !PARAMS.model.pattern.test('a b'));
  // The Train panel's run settings are the core's training run's (src/run/train.rs KEYS).
  globalThis.navigator ??= { hardwareConcurrency: 2, language: 'en' };
  const { SETTINGS } = await import('../../www/js/panels/train/train.js');
  assert.deepEqual([...SETTINGS].sort(), [...catalog.run_settings.train].sort());
  // Every default is one of the core's values and within its limits.
  for (const panel of PARAMS.panel.values) assert.deepEqual(parse(serialize({ ...defaults(panel), panel })).problems, [], panel);
  // Every scheme, nonlinearity, sample and distribution the core lists has its words in both languages.
  for (const lang of ['en', 'ko']) {
    for (const s of catalog.lists.init) assert.ok(STRINGS[lang][`init.explain.${s}`] && STRINGS[lang][`init.name.${s}`], `${lang}: ${s}`);
    for (const s of catalog.lists.src) assert.ok(STRINGS[lang][`augment.src.${s}`], `${lang}: ${s}`);
    for (const d of catalog.lists.dist) assert.ok(STRINGS[lang][`init.dist.${d}`], `${lang}: ${d}`);
  }
  // Which scheme reads which initializer parameter (the controls shown) and which activations have a saturated
  // column come from the core; they name only the core's schemes, activations and initializer parameters, and
  // agree with what the names say: the normal schemes (which take dist) are those named normal.
  assert.deepEqual(Object.keys(catalog.init_uses).sort(), ['a', 'dist', 'mode', 'nonlinearity', 'std']);
  for (const [param, schemes] of Object.entries(catalog.init_uses)) {
    assert.ok(PARAMS[param].panels.includes('init'), param);
    for (const s of schemes) assert.ok(catalog.lists.init.includes(s), `${param}: ${s}`);
    for (const s of catalog.lists.init) assert.equal(schemeUses(s, param), schemes.includes(s), `${param}: ${s}`);
  }
  assert.deepEqual(catalog.init_uses.dist, catalog.lists.init.filter((s) => /(^|_)normal$/.test(s)));
  assert.deepEqual(catalog.init_uses.mode, catalog.lists.init.filter((s) => /^(lecun|he)_/.test(s)));
  assert.deepEqual([catalog.init_uses.std, catalog.init_uses.a], [['normal'], ['uniform']]);
  for (const act of catalog.lists.act) assert.equal(saturationOf(act), catalog.saturation[act] ?? null, act);
  for (const [act, kind] of Object.entries(catalog.saturation)) {
    assert.ok(catalog.lists.act.includes(act) && ['saturated', 'inactive', 'negative'].includes(kind), `${act}: ${kind}`);
    for (const lang of ['en', 'ko']) assert.ok(STRINGS[lang][`signal.saturated.${act}`], `${lang}: ${act}`);
  }
  assert.equal(saturationOf('constructor'), null);
  // Presets only use values the core accepts (the panels read navigator at import; node 20 has none).
  globalThis.navigator ??= { hardwareConcurrency: 2, language: 'en' };
  const { PRESETS: signal } = await import('../../www/js/panels/signal.js');
  const { PRESETS: augment } = await import('../../www/js/panels/augment.js');
  for (const preset of [...Object.values(signal), ...Object.values(augment)]) {
    for (const [name, value] of Object.entries(preset)) assert.ok('value' in parseValue(name, String(value)), `${name}=${value}`);
  }
  // The README's URL table lists exactly the core's values.
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const name of ['init', 'act', 'mode', 'dist', 'src', 'opt']) {
    const row = readme.split("\n").filter((l) => l.startsWith(`| \`${name}\` |`)).at(-1); // the URL table comes after the panel table
    const listed = row.split('|')[2].match(/`[a-z_0-9]+`/g).map((x) => x.slice(1, -1));
    assert.deepEqual(listed, PARAMS[name].values, `README row ${name}`);
  }
});

// A freeze detector (seconds), not a speed goal: the number check once backtracked quadratically, and a
// 100,000-digit seed blocked the tab for about 8 s.
test('long values are refused by their length before any parsing, in linear time', () => {
  const t0 = performance.now();
  const long = '1'.repeat(200_000) + 'x';
  const { state, problems } = parse(`#panel=init&seed=${long}&std=${long}&samples=${long}`);
  assert.ok(performance.now() - t0 < 1000, `${performance.now() - t0} ms`);
  assert.equal(state.seed, PARAMS.seed.default);
  assert.deepEqual(problems.map((p) => p.key), ['hash_too_long']);
  const t1 = performance.now();
  assert.equal(parseValue('seed', long).problem.key, 'too_long');
  assert.equal(parseValue('std', '1'.repeat(31) + 'x').problem.key, 'number');
  assert.ok(performance.now() - t1 < 1000);
  // Just under the hash limit: each value is still refused by its own limit, naming the parameter.
  const one = parse(`#panel=init&seed=${'1'.repeat(3000)}x`);
  assert.deepEqual(one.problems.map((p) => [p.param, p.key]), [['seed', 'too_long']]);
});

test('a whole number is written whole: no silent rounding', () => {
  for (const raw of ['9007199254740990.5', '9007199254740993', '1e3', '5.0']) {
    assert.equal(parseValue('seed', raw).problem?.key !== undefined, true, raw);
  }
  assert.equal(parseValue('seed', '9007199254740991').value, 9007199254740991);
  assert.equal(parseValue('std', '1e-5').value, 1e-5);
});

test('duplicated keys: the last valid copy counts, with a notice naming the key', () => {
  const a = parse('#panel=init&seed=abc&seed=5');
  assert.equal(a.state.seed, 5);
  assert.deepEqual(a.problems.map((p) => [p.param, p.key]), [['seed', 'int'], ['seed', 'duplicate']]);
  const b = parse('#panel=init&seed=5&seed=abc');
  assert.equal(b.state.seed, 5);
  const c = parse('#panel=init&seed=5&seed=6');
  assert.equal(c.state.seed, 6);
  assert.deepEqual(c.problems.map((p) => [p.param, p.key]), [['seed', 'duplicate']]);
});

test('percent-encoded keys and values are decoded once, before anything reads them', () => {
  const a = parse('#panel=%73ignal');
  assert.equal(a.state.panel, 'signal');
  assert.equal(a.state.init, 'xavier_normal', 'the signal panel’s own default');
  const b = parse('#%6Cang=ko&%70anel=augment');
  assert.equal(b.state.lang, 'ko');
  assert.equal(b.state.panel, 'augment');
  assert.ok(b.given.has('lang'));
  assert.deepEqual(b.problems, []);
});

test('names of Object’s own properties are unknown parameters', () => {
  const { state, problems } = parse('#constructor=1&__proto__=x&toString=2&hasOwnProperty=3');
  assert.deepEqual(problems.map((p) => p.key), ['unknown', 'unknown', 'unknown', 'unknown']);
  assert.equal(typeof state.toString, 'function');
  assert.equal(Object.getPrototypeOf(state), Object.prototype);
});

test('the pipeline accepts exponents and minus signs', () => {
  assert.equal(parseValue('aug', 'noise(sigma1e-5)').value, 'noise(sigma1e-5)');
  assert.equal(parseValue('aug', 'translate(x-0.1)').value, 'translate(x-0.1)');
});
