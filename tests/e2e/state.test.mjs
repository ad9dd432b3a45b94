// Unit tests of the URL table and the string tables (plain node, no browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PARAMS, defaults, parse, serialize } from '../../www/js/state.js';
import { STRINGS } from '../../www/js/i18n.js';

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

test('Korean and English have the same keys and the same placeholders', () => {
  assert.deepEqual(Object.keys(STRINGS.ko).sort(), Object.keys(STRINGS.en).sort());
  const holes = (s) => (s.match(/\{\w+\}/g) ?? []).sort();
  for (const key of Object.keys(STRINGS.en)) assert.deepEqual(holes(STRINGS.ko[key]), holes(STRINGS.en[key]), key);
});
