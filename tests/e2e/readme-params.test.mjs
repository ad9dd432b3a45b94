// The README's URL-parameter table states each parameter's default as the page has it (PARAMS in www/js/url/state.js,
// with each panel's own default from `byPanel`): a default changed in one place and not the other fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PARAMS } from '../../www/js/url/state.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

// The rows of the table under "## URL parameters": name → its default cell.
function defaultCells() {
  const section = README.split('\n## URL parameters')[1].split('\n## ')[0];
  const rows = section.split('\n').filter((l) => /^\| `[a-z_]+` \|/.test(l));
  return Object.fromEntries(rows.map((l) => {
    const cells = l.split(' | ');
    return [cells[0].slice(3, -1), cells[2]];
  }));
}

const shown = (v) => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v));

test('the README states every URL parameter and its default as the page has it', () => {
  const cells = defaultCells();
  // Defaults the table describes in words: the browser's language, an empty id.
  const inWords = { lang: "the browser's language", embed_id: 'empty' };
  for (const [name, p] of Object.entries(PARAMS)) {
    const cell = cells[name];
    assert.ok(cell !== undefined, `README has no row for \`${name}\``);
    if (inWords[name]) {
      assert.equal(cell, inWords[name], name);
      continue;
    }
    assert.ok(cell.startsWith(`\`${shown(p.default)}\``), `\`${name}\`: README says ${cell}, the page ${shown(p.default)}`);
    for (const [panel, value] of Object.entries(p.byPanel ?? {})) {
      assert.ok(cell.includes(`(\`${shown(value)}\` in \`${panel}\`)`), `\`${name}\` in \`${panel}\`: README says ${cell}, the page ${value}`);
    }
  }
  assert.deepEqual(Object.keys(cells).filter((n) => !(n in PARAMS)), [], 'rows for parameters the page does not have');
});
