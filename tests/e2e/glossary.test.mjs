// The Korean strings against GLOSSARY.md (plain node, no browser): the words its table bans, the particle rule and
// the calques of its writing rules, over every Korean string the page shows — www/js/i18n/*.js, the lecture page's
// Korean prose (www/notes/index.html) and the core's Korean notes and warnings (src/augment/realism.rs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PARTS } from '../../www/js/i18n/index.js';

const root = new URL('../../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');
const HANGUL = /[가-힣]/;

// Every Korean string, named by where it lives.
function koreanStrings() {
  const out = [];
  for (const [part, { ko }] of Object.entries(PARTS)) for (const [key, text] of Object.entries(ko)) out.push([`i18n/${part}.js ${key}`, text]);
  // The lecture page: the text of every element marked lang="ko" (tags dropped, entities kept as they are).
  const notes = read('www/notes/index.html');
  const body = notes.slice(notes.indexOf('<body'));
  for (const m of body.matchAll(/<(\w+)[^>]*\blang="ko"[^>]*>([\s\S]*?)<\/\1>/g)) out.push([`notes “${m[2].slice(0, 20)}”`, m[2].replace(/<(?!\/?code)[^>]+>/g, '')]);
  for (const m of notes.matchAll(/data-title-ko="([^"]*)"/g)) out.push(['notes iframe title', m[1]]);
  for (const m of read('www/js/notes.js').matchAll(/'([^'\n]*[가-힣][^'\n]*)'/g)) out.push(['notes.js', m[1]]);
  // The core's Korean: string literals with Hangul (a `\` line continuation joins the lines).
  const realism = read('src/augment/realism.rs').replace(/\\\n\s*/g, '');
  for (const m of realism.matchAll(/"((?:[^"\\]|\\.)*)"/g)) if (HANGUL.test(m[1])) out.push(['realism.rs', m[1]]);
  return out;
}

// The table's banned words (its "never" column), read from GLOSSARY.md. A few are banned only for one idea and are
// the right word for another (단계 is an augmentation pipeline's step, 스텝 an optimizer's; 죽은 names a dead ReLU;
// 파라미터 is a model's parameter; 원본 the augmentation grid's source image; 기울기 the gradient; 고정 is fine for a
// fixed axis; 예시 stays for "for example"): those need a reader, not a pattern, and are listed here by name.
const BY_IDEA = new Set(['기울기', '단계', '스텝', '죽은', '파라미터', '원본', '고정', '예시', '노드 수 alone']);
// "기울기 폭발" is banned for exploding gradients: so is 폭발 in "소실과 폭발" (the same idea, one word: 폭주).
const EXTRA = [['폭발', /폭발/]];
// Banned except inside a longer phrase the table allows (the training set and what is measured on it: 훈련 데이터,
// 훈련 이미지, 훈련 정확도).
const EXCEPT = { 훈련: /훈련(?! ?(데이터|이미지|정확도|손실|–검증))/, '저장소 alone': /(?<!모델 )저장소/ };

function bannedWords() {
  const rows = read('GLOSSARY.md').split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| idea') && !l.startsWith('| ---'));
  const words = [];
  for (const row of rows) {
    const never = row.split('|')[3].trim();
    for (const w of never.split(',').map((x) => x.trim()).filter(Boolean)) {
      if (BY_IDEA.has(w)) continue;
      words.push([w, EXCEPT[w] ?? new RegExp(w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))]);
    }
  }
  return [...words, ...EXTRA];
}

test('the glossary table is read: its banned words are the ones this test checks', () => {
  const words = bannedWords().map(([w]) => w);
  for (const w of ['그래디언트', '기울기 폭발', '활성화 값', '훈련', '레이어', '매개변수', '컨볼루션', '파인튜닝', '라벨', '미리 설정', '놀이터', '보통 정규분포']) {
    assert.ok(words.includes(w), `${w} is in the table's banned words: ${words.join(', ')}`);
  }
});

test('no Korean string uses a word the glossary bans', () => {
  const words = bannedWords();
  const found = [];
  for (const [where, text] of koreanStrings()) for (const [w, re] of words) if (re.test(text)) found.push(`${where}: ${w} in “${text.slice(0, 80)}”`);
  assert.deepEqual(found, []);
});

// A particle right after a placeholder (or after its closing quote or bracket) whose last sound is unknown; "{x}을(를)"
// is the allowed form, and so are particles whose form does not depend on the sound (의, 도, 만, 에서, 부터, 까지).
const GLUED = /\{\w+\}[”’"')\]]?(을|를|이|가|와|과|은|는|으로|로|이나|나|이랑|랑|아|야)(?=[\s.,:;!?)…]|$)/;
// Both forms written after a syllable whose sound is known ("학습과(와)"): pick the one that fits.
const BOTH = /[가-힣](과\(와\)|와\(과\)|을\(를\)|를\(을\)|이\(가\)|가\(이\)|은\(는\)|는\(은\)|으로\(로\)|로\(으로\))/;

test('no particle is glued to a placeholder, and no known word carries both forms of one', () => {
  const found = [];
  for (const [where, raw] of koreanStrings()) {
    // A parenthesis right after a word is that word's aside: the particle after it belongs to the word ("전략({x})이").
    const text = raw.replace(/([가-힣])\((?!(을|를|이|가|와|과|은|는|으로|로)\))[^()]*\)/g, '$1');
    if (GLUED.test(text)) found.push(`${where}: “${text.match(GLUED)[0]}” in “${text.slice(0, 80)}”`);
    if (BOTH.test(text)) found.push(`${where}: “${text.match(BOTH)[0]}”`);
  }
  assert.deepEqual(found, []);
  // The rule itself: these fail it, these pass it.
  for (const bad of ['{min}과 {max} 사이', '“{param}”를 바꿨습니다', '{n}이 작습니다', '분류기만 학습과(와)', '({x})가 큽니다']) assert.ok(GLUED.test(bad) || BOTH.test(bad), bad);
  for (const good of ['{min}~{max}', '“{param}” 값을 바꿨습니다', '{param}을(를)', '“{name}”은(는) 큽니다', '{ratio}배입니다', '{layer}층부터', 'ReLU와(과)']) assert.ok(!GLUED.test(good) && !BOTH.test(good), good);
});

// The writing rules' calques, and English words that are not names or code.
const CALQUES = [/더 긴 일정/, /세 배 작은/, /살아 있는 그림/, /\{min\}\S* ?\S*\{max\} 사이/];
const ENGLISH = /(?<![\w'.=(-])(the|and|of|yes|no|within noise|small|similar|truncated|with|from|to|at)(?![\w'(=])/;

test('no calque and no stray English word in a Korean string', () => {
  const found = [];
  for (const [where, text] of koreanStrings()) {
    // Code and names are allowed: drop <code>…</code>, quoted code ('…', `…`) and URLs before looking.
    const prose = text.replace(/<code>[\s\S]*?<\/code>|'[^']*'|`[^`]*`|https?:\S+|\{\w+\}/g, '');
    for (const re of CALQUES) if (re.test(text)) found.push(`${where}: ${re} in “${text.slice(0, 80)}”`);
    if (ENGLISH.test(prose)) found.push(`${where}: “${prose.match(ENGLISH)[0]}” in “${prose.slice(0, 100)}”`);
  }
  assert.deepEqual(found, []);
});
