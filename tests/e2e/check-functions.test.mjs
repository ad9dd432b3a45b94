// tools/check-functions.mjs (make lint): its tokenizer on the syntax that can hide or fake a brace, and its line count
// at the limit. No browser.
import test from 'node:test';
import assert from 'node:assert/strict';
import { functions, tokenize } from '../../tools/check-functions.mjs';

const spans = (src) => functions(tokenize(src)).map((f) => [f.name, f.line, f.end]);

test('braces inside strings, templates, comments and regex literals are not blocks', () => {
  const src = [
    'export function a(x) {', // 1
    "  const s = '}{' + \"{\" + `}${x.map((y) => `{${y}}`).join('}')}{`;", // 2: an arrow inside a nested template
    '  // } a comment with a brace', // 3
    '  /* } { */ const re = /[/}]+\\/{/g;', // 4: a slash inside a class, an escaped slash
    '  const half = x / 2 / 1; // division, not a regex', // 5
    '  return typeof /}/.test(s);', // 6: a regex after a keyword
    '}', // 7
    'const b = async (p, q) => {', // 8
    '  if (p) { q(); }', // 9: a block, not a function
    '};', // 10
    'const o = { m() { return 1; }, get g() { return 2; }, f: function () {}, e: (z) => z + 1 };', // 11
  ].join('\n');
  assert.deepEqual(spans(src), [
    ['a', 1, 7], [null, 2, 2], ['b', 8, 10], ['m', 11, 11], ['g', 11, 11], ['f', 11, 11], ['e', 11, 11],
  ]);
});

test('a function of 121 lines is over the limit, one of 120 is not', () => {
  const body = (n) => `function f${n}() {\n${'  x();\n'.repeat(n - 2)}}\n`;
  const found = functions(tokenize(body(120) + body(121)));
  assert.deepEqual(found.map((f) => [f.name, f.lines]), [['f120', 120], ['f121', 121]]);
});

test('unbalanced or unterminated code is an error, not a silent pass', () => {
  assert.throws(() => functions(tokenize('function f() {\n  return `${1}')), /unterminated template/);
  assert.throws(() => functions(tokenize('function f() { return [1, 2 }')), /closes \[/);
  assert.throws(() => tokenize("const s = 'open"), /unterminated string/);
});
